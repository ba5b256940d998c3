"""YAML parsing for the package's data files and the user's parameter files.

:func:`safe_load` is ``yaml.safe_load`` with libyaml's parser when PyYAML has it
(``yaml.CSafeLoader``: the same safe constructor and resolver, the parsing in C, about ten
times faster — the parameter files are read on every first run of a model), and PyYAML's own
``SafeLoader`` otherwise. Both build only plain data (no arbitrary Python objects).
"""
from __future__ import annotations

import yaml

#: libyaml's safe loader when PyYAML was built with it, else the pure-Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text):
    """``yaml.safe_load(text)``, parsed by :data:`SAFE_LOADER`."""
    return yaml.load(text, Loader=SAFE_LOADER)
