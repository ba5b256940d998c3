"""County profiles — the numbers behind a synthetic county, as data.

Profiles live in ``synthetic/profiles/<county>.yaml`` at the repository root, on top of
``synthetic/profiles/_defaults.yaml`` (deep merge by key). Every entry is
``{value, description, source}``; :func:`load_profile` returns the plain values.
Set ``JIUZHU_SYNTHETIC_DIR`` to read them from another folder.
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


from ..core import yaml_io

COUNTIES = ("guanyun", "yueqing", "panan", "shanxian", "weidu")


def synthetic_dir() -> Path:
    """The ``synthetic/`` folder (profiles, noise) of the repository."""
    env = os.environ.get("JIUZHU_SYNTHETIC_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "synthetic"


def _read(path: Path) -> dict:
    return yaml_io.safe_load(path.read_text("utf-8")) or {}


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict) and "value" in v and "value" in out[k] \
                and isinstance(out[k]["value"], dict) and isinstance(v["value"], dict):
            merged = dict(out[k])
            merged["value"] = {**out[k]["value"], **v["value"]}
            merged["source"] = f"{out[k].get('source', '')}; override: {v.get('source', '')}"
            out[k] = merged
        else:
            out[k] = v
    return out


def raw_profile(county: str) -> dict[str, Any]:
    """The merged profile with descriptions and sources (``{key: {value, description, source}}``)."""
    d = synthetic_dir() / "profiles"
    path = d / f"{county}.yaml"
    if not path.exists():
        raise KeyError(f"unknown county {county!r}; profiles: {', '.join(COUNTIES)} (looked in {d})")
    return _merge(_read(d / "_defaults.yaml"), _read(path))


@lru_cache(maxsize=16)
def _load_profile(county: str) -> dict[str, Any]:
    raw = raw_profile(county)
    out = {}
    for k, v in raw.items():
        if not isinstance(v, dict) or "value" not in v:
            raise ValueError(f"profile {county}: entry {k!r} must be {{value, description, source}}")
        if "source" not in v:
            raise ValueError(f"profile {county}: entry {k!r} has no source")
        out[k] = v["value"]
    return out


def load_profile(county: str) -> dict[str, Any]:
    """Plain values of the merged profile of ``county`` (a fresh copy)."""
    import copy

    return copy.deepcopy(_load_profile(county))


def apply_overrides(profile: dict[str, Any], overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Plain profile values with ``overrides`` applied: a dict value is merged into the
    profile's dict one level deep (``{"registries": {"poor_share": 0.04}}`` changes one share),
    any other value replaces. An unknown key is an error (a typo would silently do nothing)."""
    import copy

    out = copy.deepcopy(profile)
    for k, v in (overrides or {}).items():
        if k not in out:
            raise KeyError(f"unknown profile key {k!r} in overrides; keys are: {', '.join(sorted(out))}")
        if isinstance(v, dict) and isinstance(out[k], dict):
            merged = dict(out[k])
            for k2, v2 in v.items():
                if isinstance(v2, dict) and isinstance(merged.get(k2), dict):
                    merged[k2] = {**merged[k2], **v2}
                else:
                    merged[k2] = v2
            out[k] = merged
        else:
            out[k] = copy.deepcopy(v)
    return out


@lru_cache(maxsize=1)
def load_noise() -> dict[str, Any]:
    return _read(synthetic_dir() / "noise.yaml")


@lru_cache(maxsize=4)
def package_yaml(name: str) -> dict[str, Any]:
    """A YAML file kept next to this module (names, templates, eligibility)."""
    return yaml_io.safe_load(resources.files("jiuzhu_methods.synth").joinpath(name).read_text("utf-8"))
