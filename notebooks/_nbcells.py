"""Shared helpers of the notebook builders (``_build*.py``): cells and a stable writer.

Notebooks are generated with nbformat and committed without outputs or execution counts;
cell ids are stable (``<first two characters of the stem>-<index>``) so that rebuilding
gives identical files.
"""
from __future__ import annotations

from pathlib import Path

import nbformat as nbf


def md(text: str):
    return nbf.v4.new_markdown_cell(text.strip("\n"))


def code(text: str, tags: list[str] | None = None):
    c = nbf.v4.new_code_cell(text.strip("\n"))
    if tags:
        c.metadata["tags"] = tags
    return c


def write_notebook(directory: Path, stem: str, cells: list) -> Path:
    """Write ``<directory>/<stem>.ipynb`` from ``cells``: no outputs, stable ids, validated."""
    nb = nbf.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"{stem[:2]}-{i:02d}"
        if c.cell_type == "code":
            c.execution_count = None
            c.outputs = []
    p = directory / f"{stem}.ipynb"
    nbf.validate(nb)
    nbf.write(nb, str(p))
    return p
