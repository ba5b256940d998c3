"""Parameter and data files of the package (``jiuzhu_methods/data/…``): read once, as plain data.

One home for the YAML files the models read — a model's own file (``data/models/<county>.yaml``:
every value with its ``description`` and ``source``), a keyword library, the needs → agencies
table (``data/needs.yaml``).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

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


def _file(county: str) -> str:
    return f"data/models/{county}.yaml"


def _is_entry(node: Any) -> bool:
    """An entry of a parameter file: a dict holding its ``value`` (or ``values``)."""
    return isinstance(node, Mapping) and ("value" in node or "values" in node)


def _entry_value(node: Mapping) -> Any:
    return node["value"] if "value" in node else node["values"]


def parameter(county: str, *path: str) -> Any:
    """The published value of one model parameter: the ``value`` (or ``values``) of the entry at
    ``path`` of ``data/models/<county>.yaml`` (e.g. ``parameter("yueqing", "model1", "charges")``),
    as a copy (changing it does not change the file every model reads).

    A path that names no entry is a ``KeyError`` naming the file, the path and what is there.
    """
    node: Any = load_params(county)
    for i, key in enumerate(path):
        if not isinstance(node, Mapping) or key not in node:
            known = ", ".join(map(str, node)) if isinstance(node, Mapping) else "nothing (a value)"
            raise KeyError(f"{_file(county)} has no parameter {'.'.join(path)!r}: no {key!r} under "
                           f"{'.'.join(path[:i]) or 'the top level'} (there: {known})")
        node = node[key]
    if not _is_entry(node):
        raise KeyError(f"{_file(county)}: {'.'.join(path)!r} is not a parameter (an entry with value or values)")
    return copy.deepcopy(_entry_value(node))


def values_of(county: str, section: str | None = None) -> dict[str, Any]:
    """The published values of a model's parameters, without their descriptions and sources:
    ``{section: {name: value}}`` for the whole of ``data/models/<county>.yaml``, ``{name: value}``
    for one ``section``.

    The rule: a section that is itself one parameter (an entry with ``value``/``values``, e.g.
    panan's decision tree) stands for its value; otherwise a section keeps the entries directly
    under it that have a ``value``/``values`` (deeper groups, descriptions and sources are left
    out). Values are copies: changing the dict does not change the file or a second call.
    """
    raw = load_params(county)
    if section is not None:
        if section not in raw or not isinstance(raw[section], Mapping):
            raise KeyError(f"{_file(county)} has no section {section!r} (sections: "
                           f"{', '.join(k for k, v in raw.items() if isinstance(v, Mapping))})")
        return _section_values(raw[section])
    return {sec: _section_values(body) for sec, body in raw.items() if isinstance(body, Mapping)}


def _section_values(body: Mapping) -> Any:
    if _is_entry(body):
        return copy.deepcopy(_entry_value(body))
    return {k: copy.deepcopy(_entry_value(v)) for k, v in body.items() if _is_entry(v)}


def override(params: Mapping, changes: Mapping) -> dict:
    """A copy of a parameters dict (:func:`values_of`, a parameter or standard file) with some
    published values replaced — the documented way for a notebook or a variant to change a value
    without touching the file.

    ``changes`` maps a key to its new value; a key is a name of ``params``, a dotted path
    (``{"screening.roles": [...]}``) or a nested dict (``{"screening": {"roles": [...]}}``: a
    dict given where ``params`` holds a dict changes the keys inside it, the others are kept).
    Every key must already exist: an unknown one (a misspelt name would otherwise change
    nothing) is a ``KeyError`` naming it and the keys that are there. ``params`` is not changed.
    """
    out = copy.deepcopy(dict(params))
    _apply(out, changes, ())
    return out


def _apply(node: dict, changes: Mapping, at: tuple[str, ...]) -> None:
    for key, new in changes.items():
        path = [key] if key in node or not isinstance(key, str) else key.split(".")
        target = node
        for i, k in enumerate(path[:-1]):
            if not isinstance(target, dict) or k not in target:
                _unknown(at + tuple(path[:i + 1]), target)
            target = target[k]
        last = path[-1]
        if not isinstance(target, dict) or last not in target:
            _unknown(at + tuple(path), target)
        if isinstance(new, Mapping) and isinstance(target[last], dict):
            _apply(target[last], new, at + tuple(path))
        else:
            target[last] = copy.deepcopy(new)


def _unknown(path: tuple, node: Any):
    known = ", ".join(map(str, node)) if isinstance(node, Mapping) else "nothing (a value)"
    raise KeyError(f"no parameter {'.'.join(map(str, path))!r} to override (there: {known})")


__all__ = ["data_file", "load_params", "needs_table", "override", "parameter", "values_of"]
