"""What a folder holds, shared by :mod:`.pool` and :mod:`.loaders` (issue #17: the one home of
the file kinds, so the pool needs nothing of the loaders).

* the suffixes of the data files read (text, Excel, Parquet) and :func:`data_files`, the data
  files of a folder;
* :func:`is_pool_folder`: whether a folder is one written by :meth:`DataPool.write` (read back
  as it is) or a folder of a pilot's exports (read by :func:`.loaders.read_exports`).
"""
from __future__ import annotations

import json
from pathlib import Path

from . import schema

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DATA_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
#: the file of a written pool's ``meta`` (and of an export folder's, when it has one)
META_FILE = "meta.json"


def data_files(directory: str | Path) -> list[Path]:
    """The data files of an export folder (sorted; hidden and ``~$`` lock files left out)."""
    d = Path(directory)
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def is_pool_folder(directory: str | Path) -> bool:
    """True for a folder written by :meth:`DataPool.write`: ``meta.json`` with a
    ``contract_version`` and every data file a ``<table>.parquet`` under its English name."""
    d = Path(directory)
    mp = d / META_FILE
    if not d.is_dir() or not mp.is_file():
        return False
    try:
        meta = json.loads(mp.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError):
        return False
    if not isinstance(meta, dict) or "contract_version" not in meta:
        return False
    return all(p.suffix == ".parquet" and p.stem in schema.TABLES for p in data_files(d))


__all__ = ["DATA_SUFFIXES", "EXCEL_SUFFIXES", "META_FILE", "PARQUET_SUFFIXES", "TEXT_SUFFIXES", "data_files",
           "is_pool_folder"]
