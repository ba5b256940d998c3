"""yaml_io.safe_load: libyaml's parser (when PyYAML has it) must build the very values of
yaml.safe_load on every YAML file the package reads."""
from pathlib import Path

import pytest
import yaml

from jiuzhu_methods.core import yaml_io

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.joinpath("jiuzhu_methods").rglob("*.yaml"), *ROOT.joinpath("synthetic").rglob("*.yaml")])


def test_there_are_files_to_compare():
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_file_reads_as_safe_load(path):
    text = path.read_text("utf-8")
    # repr: equal values of equal types (a date stays a date, "010" and 1e3 resolve alike)
    assert repr(yaml_io.safe_load(text)) == repr(yaml.safe_load(text))


def test_tricky_scalars_read_as_safe_load():
    # dates, yes/no, octal-looking and float strings, nulls, quoted digits: a BaseLoader or a
    # FullLoader would resolve some of these differently
    tricky = "d: 2026-01-01\nb: yes\no: 010\nf: 1e3\nn: ~\ns: '330382'\nl: [乐清, {k: 1.5}]\nt: 2026-01-01 08:00:00\n"
    assert repr(yaml_io.safe_load(tricky)) == repr(yaml.safe_load(tricky))


def test_no_python_objects():
    # a safe loader: a python/object tag is an error, as with yaml.safe_load
    with pytest.raises(yaml.YAMLError):
        yaml_io.safe_load("x: !!python/object/apply:os.system ['true']\n")


def test_uses_libyaml_when_available():
    assert yaml_io.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
