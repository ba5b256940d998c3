"""The notebooks' source is a jupytext percent file; the committed ``.ipynb`` is its rendering.

``notebooks/<name>.py`` (``# %%`` code cells, ``# %% [markdown]`` cells, the papermill cell as
``# %% tags=["parameters"]``, notebook metadata in the YAML header) is what one edits and lints;
``make notebooks`` (``jupytext --to ipynb --update notebooks/[0-9]*.py``) renders it into
``notebooks/<name>.ipynb``, which the runner and papermill execute. These tests read both files
(no kernel) and fail when they disagree: a cell's type, source or metadata (the ``parameters``
tag), the order of the cells, or the notebook metadata (the runner's ``{"jiuzhu": {"scope":
"all"}}``, the kernelspec). A notebook without a source, or a source without a notebook, fails too.
"""
from __future__ import annotations

import copy
import shutil
from itertools import zip_longest
from pathlib import Path

import nbformat
import pytest

jupytext = pytest.importorskip("jupytext")

from jiuzhu_methods.reporting import runner  # noqa: E402

NB_DIR = runner.notebooks_dir()


def _sources(directory: Path) -> list[Path]:
    """The percent sources, by the runner's rule for notebooks (``_``/``.``-prefixed skipped)."""
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith(("_", ".")))


def _notebook_metadata(nb) -> dict:
    """The notebook metadata without jupytext's ``text_representation`` (only in the .py header)."""
    meta = copy.deepcopy(dict(nb.metadata))
    jt = dict(meta.get("jupytext", {}))
    jt.pop("text_representation", None)
    if jt:
        meta["jupytext"] = jt
    else:
        meta.pop("jupytext", None)
    return meta


def mismatches(py: Path, ipynb: Path) -> list[str]:
    """How the committed ``ipynb`` differs from what its source ``py`` says ([] = they agree)."""
    src = jupytext.read(py)
    nb = nbformat.read(ipynb, as_version=4)
    out = []
    if len(src.cells) != len(nb.cells):
        out.append(f"{len(src.cells)} cells in {py.name}, {len(nb.cells)} in {ipynb.name}")
    for i, (a, b) in enumerate(zip(src.cells, nb.cells)):
        if a.cell_type != b.cell_type:
            out.append(f"cell {i}: {a.cell_type} in {py.name}, {b.cell_type} in {ipynb.name}")
        if a.source != b.source:
            first = next((x, y) for x, y in zip_longest(a.source.splitlines(), b.source.splitlines()) if x != y)
            out.append(f"cell {i}: source differs, first at {first[0]!r} ({py.name}) vs {first[1]!r} ({ipynb.name})")
        if dict(a.metadata) != dict(b.metadata):
            out.append(f"cell {i}: metadata {dict(a.metadata)} in {py.name}, {dict(b.metadata)} in {ipynb.name}")
    if _notebook_metadata(src) != _notebook_metadata(nb):
        out.append(f"notebook metadata {_notebook_metadata(src)} in {py.name}, {_notebook_metadata(nb)} in {ipynb.name}")
    return out


def test_every_notebook_has_a_source_and_every_source_a_notebook():
    notebooks = {p.stem for p in runner.list_notebooks(NB_DIR)}
    sources = {p.stem for p in _sources(NB_DIR)}
    assert len(notebooks) >= 9  # 00 … 08
    assert notebooks == sources, {"no .py": notebooks - sources, "no .ipynb": sources - notebooks}


@pytest.mark.parametrize("name", [p.stem for p in runner.list_notebooks(NB_DIR)])
def test_committed_notebook_matches_its_source(name):
    py, ipynb = NB_DIR / f"{name}.py", NB_DIR / f"{name}.ipynb"
    assert py.is_file(), f"{name}.ipynb has no source {name}.py"
    problems = mismatches(py, ipynb)
    assert not problems, f"{name}: run `make notebooks` after editing {py.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", [p.stem for p in _sources(NB_DIR)])
def test_source_is_a_percent_script_with_one_tagged_parameters_cell(name):
    text = (NB_DIR / f"{name}.py").read_text(encoding="utf-8")
    assert "format_name: percent" in text
    assert text.count('\n# %% tags=["parameters"]\n') == 1, name
    compile(text, f"{name}.py", "exec")  # ordinary Python: a syntax error fails here
    # the runner reads the scope from the rendered notebook; the source says the same
    src = jupytext.read(NB_DIR / f"{name}.py")
    assert runner.notebook_scope(NB_DIR / f"{name}.ipynb") == (src.metadata.get("jiuzhu") or {}).get("scope", "county")


@pytest.fixture
def scratch(tmp_path):
    """A copy of 08_compare_models (scope "all", a parameters cell): (py, ipynb), agreeing."""
    for ext in ("py", "ipynb"):
        shutil.copy(NB_DIR / f"08_compare_models.{ext}", tmp_path)
    py, ipynb = tmp_path / "08_compare_models.py", tmp_path / "08_compare_models.ipynb"
    assert mismatches(py, ipynb) == []
    return py, ipynb


def test_an_edited_source_cell_is_caught(scratch):
    py, ipynb = scratch
    text = py.read_text(encoding="utf-8")
    assert "\nseed = 7\n" in text
    py.write_text(text.replace("\nseed = 7\n", "\nseed = 8\n", 1), encoding="utf-8")
    assert any("source differs" in m for m in mismatches(py, ipynb))


def test_a_lost_parameters_tag_or_scope_is_caught(scratch):
    py, ipynb = scratch
    nb = nbformat.read(ipynb, as_version=4)
    (tagged,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    tagged.metadata.pop("tags")
    nbformat.write(nb, ipynb)
    assert any("metadata" in m for m in mismatches(py, ipynb))
    # the source loses the scope of 08 instead: the notebook metadata differs
    shutil.copy(NB_DIR / "08_compare_models.ipynb", ipynb)
    text = py.read_text(encoding="utf-8")
    py.write_text(text.replace("#   jiuzhu:\n#     scope: all\n", "", 1), encoding="utf-8")
    assert any(m.startswith("notebook metadata") for m in mismatches(py, ipynb))


def test_a_moved_or_missing_cell_is_caught(scratch):
    py, ipynb = scratch
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells[1], nb.cells[2] = nb.cells[2], nb.cells[1]
    nbformat.write(nb, ipynb)
    assert mismatches(py, ipynb)
    del nb.cells[-1]
    nbformat.write(nb, ipynb)
    assert any("cells in" in m for m in mismatches(py, ipynb))
