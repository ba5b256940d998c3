"""Parameter and data files of the package (``jiuzhu_methods/data/…``): read once, as plain data.

One home for the YAML files the models read — a model's own file (``data/models/<county>.yaml``:
every value with its ``description`` and ``source``), a keyword library, the needs → agencies
table (``data/needs.yaml``).
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from . import yaml_io


@lru_cache(maxsize=None)
def data_file(path: str) -> dict:
    """A YAML data file of the package (``path`` below ``jiuzhu_methods/``, e.g.
    ``"data/models/panan.yaml"``), parsed once per process; callers copy what they change."""
    return yaml_io.safe_load(resources.files("jiuzhu_methods").joinpath(path).read_text("utf-8"))


def load_params(county: str = "yueqing") -> dict:
    """The parameter file ``data/models/<county>.yaml`` as a dict (values with description/source)."""
    return data_file(f"data/models/{county}.yaml")


def needs_table() -> dict:
    """``data/needs.yaml``'s ``needs``: need → label, agencies (the table every model's referral reads)."""
    return data_file("data/needs.yaml")["needs"]


__all__ = ["data_file", "load_params", "needs_table"]
