"""数据池契约 — the data pool contract as code.

The contract itself is data (``data/schema.yaml``, transcribed from
``shared/spec/data-pool.md``); this module reads it once and offers:

* :data:`TABLES` — every table's :class:`TableSpec` (columns, Chinese labels, types,
  allowed vocabulary, row key);
* :func:`empty_frame` / :func:`coerce` — frames with exactly the contract's columns and dtypes;
* :func:`header_map` — English name *or* Chinese label → English name, for loaders;
* :func:`pandera_schema` / :func:`validate_table` — validation with pandera;
* :func:`vocabulary_report` — values outside a column's vocabulary (kept, reported).

Examples
--------
>>> TABLES["proc_parties"].columns["role"].label
'诉讼地位'
>>> list(empty_frame("petitions").columns)
['petition_id', 'name', 'id_number', 'category', 'received_on', 'text']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from . import yaml_io

#: pandas dtype for each contract type (pandas 3: ``str`` is the pyarrow-backed string dtype).
DTYPES: dict[str, Any] = {
    "str": "str",
    "date": "datetime64[us]",
    "float": "float64",
    "int": "int64",
    "bool": "bool",
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    label: str
    type: str
    required: bool = True
    vocabulary: tuple[str, ...] | None = None
    pattern: str | None = None
    references: str | None = None
    description: str = ""

    @property
    def dtype(self) -> Any:
        return DTYPES[self.type]


@dataclass(frozen=True)
class TableSpec:
    name: str
    label: str
    description: str
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    truth: bool = False

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)


@lru_cache(maxsize=1)
def _load() -> tuple[int, dict[str, TableSpec]]:
    text = resources.files("jiuzhu_methods").joinpath("data/schema.yaml").read_text("utf-8")
    raw = yaml_io.safe_load(text)
    tables: dict[str, TableSpec] = {}
    for tname, t in raw["tables"].items():
        cols = {}
        for cname, c in t["columns"].items():
            cols[cname] = ColumnSpec(
                name=cname,
                label=c["label"],
                type=c["type"],
                required=c.get("required", True),
                vocabulary=tuple(c["vocabulary"]) if "vocabulary" in c else None,
                pattern=c.get("pattern"),
                references=c.get("references"),
                description=c.get("description", ""),
            )
        key = t["key"]
        tables[tname] = TableSpec(
            name=tname,
            label=t["label"],
            description=t.get("description", ""),
            key=tuple(key) if isinstance(key, list) else (key,),
            columns=cols,
            truth=bool(t.get("truth", False)),
        )
    return int(raw["contract_version"]), tables


CONTRACT_VERSION, TABLES = _load()
#: the tables models read (no ``truth_*``)
CONTRACT_TABLES: list[str] = [n for n, t in TABLES.items() if not t.truth]
#: the hidden-truth tables of synthetic pools
TRUTH_TABLES: list[str] = [n for n, t in TABLES.items() if t.truth]


def spec(table: str) -> TableSpec:
    """The :class:`TableSpec` of ``table``; a clear error for an unknown name."""
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(
            f"unknown table {table!r}; contract tables are: {', '.join(TABLES)}"
        ) from None


def empty_frame(table: str) -> pd.DataFrame:
    """An empty DataFrame with the contract columns and dtypes of ``table``."""
    t = spec(table)
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in t.columns.values()})


def _coerce_series(s: pd.Series, col: ColumnSpec) -> pd.Series:
    if col.type == "str":
        out = s.astype("object").where(s.notna(), None)
        out = out.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        return out.astype("str")
    if col.type == "date":
        return pd.to_datetime(s).astype("datetime64[us]").dt.normalize()
    if col.type == "float":
        return pd.to_numeric(s).astype("float64")
    if col.type == "int":
        return pd.to_numeric(s).astype("int64")
    if col.type == "bool":
        if s.isna().any():
            raise ValueError(f"column {col.name!r} ({col.label}) is boolean and may not be missing")
        return s.astype("bool")
    raise AssertionError(col.type)


def coerce(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the contract's dtypes; contract columns first, extra columns kept.

    A missing contract column is an error naming the column and its Chinese label. Values
    are not validated here (see :func:`validate_table`); the input is never mutated.
    """
    t = spec(table)
    missing = [c for c in t.columns if c not in df.columns]
    if missing:
        names = ", ".join(f"{c} ({t.columns[c].label})" for c in missing)
        raise ValueError(f"table {table} ({t.label}) lacks contract column(s): {names}")
    out = {}
    for name, col in t.columns.items():
        try:
            out[name] = _coerce_series(df[name], col)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"table {table}, column {name} ({col.label}): {exc}") from exc
    extra = [c for c in df.columns if c not in t.columns]
    frame = pd.DataFrame(out, index=df.index)
    for c in extra:
        frame[c] = df[c]
    return frame.reset_index(drop=True)


def header_map(table: str) -> dict[str, str]:
    """Map both the English name and the Chinese label of every column to the English name."""
    t = spec(table)
    m: dict[str, str] = {}
    for name, col in t.columns.items():
        m[name] = name
        m[col.label] = name
    return m


def table_by_label() -> dict[str, str]:
    """Map table names and Chinese table labels to table names."""
    m = {}
    for name, t in TABLES.items():
        m[name] = name
        m[t.label] = name
    return m


def vocabulary_report(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Values outside a column's vocabulary: one row per (column, value) with its count.

    Unknown values are kept in the data; this report is how they reach the user.
    """
    t = spec(table)
    rows = []
    for name, col in t.columns.items():
        if col.vocabulary is None or name not in df.columns:
            continue
        s = df[name].dropna()
        bad = s[~s.isin(col.vocabulary)]
        for value, n in bad.value_counts().sort_index().items():
            rows.append({"table": table, "column": name, "label": col.label, "value": value, "count": int(n)})
    return pd.DataFrame(rows, columns=["table", "column", "label", "value", "count"])


def pandera_schema(table: str, *, strict_vocabulary: bool = True):
    """A ``pandera`` DataFrameSchema for ``table``: dtypes, nullability, vocabulary, key uniqueness."""
    import pandera.pandas as pa

    t = spec(table)
    cols = {}
    for name, col in t.columns.items():
        checks = []
        if col.vocabulary is not None and strict_vocabulary:
            checks.append(pa.Check.isin(list(col.vocabulary)))
        if col.pattern is not None:
            checks.append(pa.Check.str_matches(col.pattern))
        cols[name] = pa.Column(
            None,  # dtype is enforced by coerce(); pandera checks content
            checks=checks,
            nullable=not col.required,
            required=True,
        )
    return pa.DataFrameSchema(cols, unique=list(t.key), strict=False, name=table)


def validate_table(table: str, df: pd.DataFrame, *, strict_vocabulary: bool = True) -> pd.DataFrame:
    """Validate ``df`` against the contract with pandera; raises ``SchemaErrors`` listing every failure."""
    return pandera_schema(table, strict_vocabulary=strict_vocabulary).validate(df.reset_index(drop=True), lazy=True)


def data_dictionary(table: str | None = None) -> pd.DataFrame:
    """The data dictionary: one row per column with table, label, type, required and values."""
    names = [table] if table else list(TABLES)
    rows = []
    for tn in names:
        t = spec(tn)
        for c in t.columns.values():
            rows.append(
                {
                    "table": tn,
                    "table_label": t.label,
                    "column": c.name,
                    "label": c.label,
                    "type": c.type,
                    "required": c.required,
                    "key": c.name in t.key,
                    "values": "、".join(c.vocabulary) if c.vocabulary else (c.pattern or ""),
                    "references": c.references or "",
                    "description": c.description,
                }
            )
    return pd.DataFrame(rows)


__all__ = [
    "CONTRACT_VERSION",
    "CONTRACT_TABLES",
    "TRUTH_TABLES",
    "TABLES",
    "ColumnSpec",
    "TableSpec",
    "coerce",
    "data_dictionary",
    "empty_frame",
    "header_map",
    "pandera_schema",
    "spec",
    "table_by_label",
    "validate_table",
    "vocabulary_report",
]
