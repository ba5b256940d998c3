"""数据池 — the data pool every model reads.

A :class:`DataPool` holds the contract tables of ``shared/spec/data-pool.md`` (see
:mod:`jiuzhu_methods.io.schema`) as pandas DataFrames with the contract's columns and dtypes,
plus, for synthetic pools, the hidden ``truth_*`` tables kept apart, plus ``meta`` (county,
seed, scale, reference date …).

Examples
--------
>>> import pandas as pd
>>> pool = DataPool.from_frames({"proc_cases": pd.DataFrame({
...     "case_id": ["C1"], "business": ["刑事检察"], "stage": ["审查起诉"],
...     "charge": ["故意伤害罪"], "accepted_on": ["2022-03-01"], "county_code": ["330382"]})})
>>> len(pool["proc_cases"]), len(pool["petitions"])
(1, 0)
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .folders import META_FILE, is_pool_folder

TRUTH_DIR = "truth"

#: what :meth:`DataPool.read` calls for a folder that is no written pool (a folder of a pilot's
#: exports): ``reader(directory, **load_options) -> DataPool``. The pool does not import the
#: loaders (they build pools: the dependency goes loaders → pool); :mod:`jiuzhu_methods.io.loaders`
#: installs :func:`~jiuzhu_methods.io.loaders.read_exports` here with :func:`register_export_reader`
#: when it is imported, and the package ``jiuzhu_methods.io`` imports it, so every ``DataPool`` has it.
_export_reader: Callable[..., "DataPool"] | None = None


def register_export_reader(reader: Callable[..., "DataPool"]) -> None:
    """Install ``reader(directory, **load_options)`` as :meth:`DataPool.read`'s reader of export
    folders (the seam between the pool and :mod:`jiuzhu_methods.io.loaders`, which calls it)."""
    global _export_reader
    _export_reader = reader


class DataPool(Mapping[str, pd.DataFrame]):
    """The contract tables (and, for synthetic pools, the truth tables) of one county.

    Use :meth:`from_frames` to build one from DataFrames and :meth:`read` / :meth:`write`
    for Parquet folders. ``pool[name]`` returns the table; every contract table is always
    present (empty when the source has none). Truth tables are reached through
    ``pool.truth[name]`` (or ``pool[name]``), never mixed into the contract tables.
    """

    def __init__(self, tables: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame] | None = None,
                 meta: dict[str, Any] | None = None, ledger: pd.DataFrame | None = None):
        self._tables = tables
        self.truth: dict[str, pd.DataFrame] = truth or {}
        self.meta: dict[str, Any] = dict(meta or {})
        self.ledger = ledger

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame] | None = None, *, meta: dict | None = None,
                    validate: bool = False) -> "DataPool":
        """Build a pool from ``{table: DataFrame}``; absent tables become empty contract tables.

        Frames are coerced to the contract's dtypes (a missing column is a clear error naming
        it and its Chinese label). Unknown table names are an error. With ``validate=True``
        every table is also checked with pandera (vocabulary, key uniqueness).
        """
        frames = dict(frames or {})
        unknown = [k for k in frames if k not in schema.TABLES]
        if unknown:
            raise KeyError(f"unknown table(s) {unknown}; contract tables are: {', '.join(schema.TABLES)}")
        tables, truth = {}, {}
        for name in schema.TABLES:
            df = frames.get(name)
            target = truth if schema.TABLES[name].truth else tables
            if df is None:
                if not schema.TABLES[name].truth:
                    target[name] = schema.empty_frame(name)
                continue
            target[name] = schema.coerce(name, df)
            if validate:
                schema.validate_table(name, target[name])
        return cls(tables, truth, meta)

    # -- mapping protocol ----------------------------------------------------------------
    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self._tables:
            return self._tables[name]
        if name in self.truth:
            return self.truth[name]
        if name in schema.TABLES and schema.TABLES[name].truth:
            raise KeyError(f"this pool has no truth table {name!r} (only synthetic pools carry the truth)")
        schema.spec(name)  # raises a clear error for unknown names
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return dict(self._tables)

    @property
    def has_truth(self) -> bool:
        return bool(self.truth)

    def replace(self, **frames: pd.DataFrame) -> "DataPool":
        """A new pool with some tables replaced (coerced to the contract); this one is unchanged."""
        tables = dict(self._tables)
        truth = dict(self.truth)
        for name, df in frames.items():
            target = truth if schema.spec(name).truth else tables
            target[name] = schema.coerce(name, df)
        return DataPool(tables, truth, self.meta, self.ledger)

    def pseudonymise(self, key: bytes | str, *, text: bool = True, attributes: bool = False) -> "DataPool":
        """A new pool whose ID numbers are keyed tokens (HMAC-SHA256 over the normalised valid
        ID; see :mod:`jiuzhu_methods.privacy` for invalid and missing IDs, ID numbers inside
        text (``text``) and the birth date / sex / area companion columns (``attributes``)).
        ``key`` comes from the caller (:func:`jiuzhu_methods.privacy.load_key`), never stored."""
        from ..privacy import pseudonymise_pool

        return pseudonymise_pool(self, key, text=text, attributes=attributes)

    def without_truth(self) -> "DataPool":
        return DataPool(dict(self._tables), None, self.meta, self.ledger)

    def summary(self) -> pd.DataFrame:
        """Row counts per table, with Chinese labels."""
        rows = [{"table": n, "label": schema.TABLES[n].label, "rows": len(df), "truth": False}
                for n, df in self._tables.items()]
        rows += [{"table": n, "label": schema.TABLES[n].label, "rows": len(df), "truth": True}
                 for n, df in self.truth.items()]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n}={len(df)}" for n, df in self._tables.items())
        t = f"; truth: {', '.join(self.truth)}" if self.truth else ""
        return f"DataPool({counts}{t})"

    # -- Parquet round trip --------------------------------------------------------------
    def write(self, directory: str | Path) -> Path:
        """Write one Parquet file per table (truth tables under ``truth/``) and ``meta.json``.

        Output is byte-identical for identical pools: no timestamps, sorted JSON keys.
        """
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, df in self._tables.items():
            _write_parquet(df, d / f"{name}.parquet")
        if self.truth:
            (d / TRUTH_DIR).mkdir(exist_ok=True)
            for name, df in self.truth.items():
                _write_parquet(df, d / TRUTH_DIR / f"{name}.parquet")
        meta = {"contract_version": schema.CONTRACT_VERSION, **self.meta}
        (d / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=1,
                                              default=str) + "\n", encoding="utf-8")
        return d

    @classmethod
    def read(cls, directory: str | Path, *, truth: bool = True, **load_options: Any) -> "DataPool":
        """Read a data pool folder. Absent tables are empty.

        A folder written by :meth:`write` (``meta.json`` with ``contract_version``, every data
        file a ``<table>.parquet``) round-trips exactly. Any other folder is a folder of
        exports (CSV in UTF-8/GBK/GB18030, ``.xlsx``, Parquet; English or Chinese headers and
        names) and goes through :func:`jiuzhu_methods.io.loaders.read_exports` (installed by
        :func:`register_export_reader`), which validates every row and sets ``pool.ledger``;
        ``load_options`` (``encoding=``, ``duplicates=``, ``meta=``, ``reference_date=``) are
        passed to it.

        ``truth=False`` leaves the hidden truth behind (what a model-only user should load).
        """
        d = Path(directory)
        if not d.is_dir():
            raise FileNotFoundError(f"no data pool folder at {d}")
        if not is_pool_folder(d):
            if _export_reader is None:  # only when jiuzhu_methods.io.loaders could not be imported
                raise RuntimeError("no reader of export folders installed (jiuzhu_methods.io.loaders)")
            return _export_reader(d, **load_options)
        if load_options:
            raise TypeError(f"options {sorted(load_options)} apply to export folders only; {d} is a written pool")
        frames: dict[str, pd.DataFrame] = {}
        for name, t in schema.TABLES.items():
            p = d / TRUTH_DIR / f"{name}.parquet" if t.truth else d / f"{name}.parquet"
            if p.exists() and (truth or not t.truth):
                frames[name] = pd.read_parquet(p)
        meta = {}
        if (d / META_FILE).exists():
            meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        return cls.from_frames(frames, meta=meta)


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, path, compression="zstd", write_statistics=True)


__all__ = ["DataPool", "register_export_reader"]
