"""The project files agree with each other: pyproject is the single source of truth."""
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_follows_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    deps = env["dependencies"]
    py = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert py == ["python=3.11"]
    assert pyproject["project"]["requires-python"] == ">=3.11"
    pip = [d for d in deps if isinstance(d, dict)][0]["pip"]
    # conda installs the package itself, with the dev extra, from pyproject (no duplicated pins)
    assert pip == ["-e .[dev]"]
    assert "dev" in pyproject["project"]["optional-dependencies"]
    assert "pip" in deps


def test_console_script_and_module_entry():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["scripts"]["jiuzhu"] == "jiuzhu_methods.cli:main"
    out = subprocess.run([sys.executable, "-m", "jiuzhu_methods", "models"], capture_output=True, text=True,
                         check=True).stdout.split()
    from jiuzhu_methods import MODELS

    assert out == MODELS


def test_readme_shows_the_two_commands():
    first_screen = "\n".join((ROOT / "README.md").read_text("utf-8").splitlines()[:40])
    assert "make reports" in first_screen and "make test" in first_screen


def test_public_entry_points():
    from jiuzhu_methods import MODELS, DataPool, run_model  # noqa: F401
    from jiuzhu_methods.amount import aid_amount  # noqa: F401

    assert MODELS == ["guanyun.screen", "guanyun.amount", "yueqing.m1", "yueqing.m2", "yueqing.m3", "yueqing.m4",
                      "panan.screen", "shanxian.screen", "weidu.screen"]
