"""数据池契约 — the data pool contract as code.

The contract itself is data (``data/schema.yaml``, transcribed from
``shared/spec/data-pool.md``); this module reads it once and offers:

* :data:`TABLES` — every table's :class:`TableSpec` (columns, Chinese labels, types,
  allowed vocabulary, row key);
* :func:`empty_frame` / :func:`coerce` — frames with exactly the contract's columns and dtypes;
* :func:`header_map` — English name, Chinese label *or* an alias (``header_aliases`` in the
  YAML: 身份证号码, 证件号码, ``id_no`` …) → English name, for loaders; :func:`normalise_header`
  is how headers are compared, :func:`alias_table` lists the aliases (docs/real-data.md);
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

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from ..core import yaml_io

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
    #: other spellings of the header in exports (``header_aliases`` groups expanded)
    aliases: tuple[str, ...] = ()
    #: ``"month"`` for a date that names a month (``as_of``: the snapshot month, its first day)
    precision: str = "day"

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


#: characters that do not show: zero-width space/joiners, direction marks and embeddings, word
#: joiner, invisible operators, the BOM (U+FEFF), soft hyphen and the Mongolian vowel separator.
#: NFKC keeps them, so they are removed from headers (and from ID numbers, :mod:`identity`).
INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff"
_INVISIBLE_RE = re.compile("[" + INVISIBLE + "]")
_HEADER_SPACE_RE = re.compile(r"[\s_\-]+")
# a trailing remark in brackets (救助金额（元）, 身份证号(必填)) and required-marks *
_HEADER_REMARK_RE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def normalise_header(header: object, *, remark: bool = False) -> str:
    """The form in which export headers are compared with the contract's names, labels and
    aliases: NFKC (full-width → half-width), invisible characters (:data:`INVISIBLE`, the BOM)
    removed, spaces, underscores and hyphens removed, lower case. ``remark=True`` also drops a
    trailing remark in brackets and ``*`` marks (``救助金额（元）`` → ``救助金额``).

    >>> normalise_header("\ufeff身份证\u200b号码 "), normalise_header("ID-Number"), normalise_header("金额（元）*", remark=True)
    ('身份证号码', 'idnumber', '金额')
    """
    s = unicodedata.normalize("NFKC", str(header))
    s = _INVISIBLE_RE.sub("", s)
    s = _HEADER_SPACE_RE.sub("", s).lower()
    if remark:
        s = s.strip("*")
        s = _HEADER_REMARK_RE.sub("", s).strip("*")
    return s


def _expand_aliases(items: list[str], groups: dict[str, dict], own: tuple[str, str]) -> tuple[str, ...]:
    """Alias items with ``{group}`` spelled out: ``{g}`` → every spelling of the group,
    ``前缀{g}`` → the prefix + each Chinese one, ``prefix_{g}`` → the prefix + each English one;
    the column's own name and label (``own``) left out."""
    out: list[str] = []
    for item in items or []:
        if not isinstance(item, str):
            raise ValueError(f"schema.yaml: alias {item!r} is not text (quote it: YAML reads no/yes/on as booleans)")
        m = re.fullmatch(r"(.*)\{(\w+)\}", str(item))
        if not m:
            out.append(str(item))
            continue
        prefix, g = m.groups()
        if g not in groups:
            raise ValueError(f"schema.yaml: alias {item!r} names no header_aliases group {g!r}")
        zh, en = list(groups[g].get("zh", [])), list(groups[g].get("en", []))
        spellings = zh + en if not prefix else (en if prefix.isascii() else zh)
        out += [prefix + s for s in spellings]
    mine = {normalise_header(x) for x in own}
    return tuple(a for a in dict.fromkeys(out) if normalise_header(a) not in mine)


@lru_cache(maxsize=1)
def _load() -> tuple[int, dict[str, TableSpec], dict[str, Any]]:
    text = resources.files("jiuzhu_methods").joinpath("data/schema.yaml").read_text("utf-8")
    raw = yaml_io.safe_load(text)
    aliases = raw.get("header_aliases", {}) or {}
    groups = aliases.get("groups", {}) or {}
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
                aliases=_expand_aliases(c.get("aliases", []), groups, (cname, c["label"])),
                precision=c.get("precision", "day"),
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
    for kind in ("date_order", "amount_order"):
        for tn, a, b in (raw.get("consistency", {}) or {}).get(kind, {}).get("pairs", []):
            want = "date" if kind == "date_order" else "float"
            if tables[tn].columns[a].type != want or tables[tn].columns[b].type != want:
                raise ValueError(f"schema.yaml: consistency {kind} [{tn}, {a}, {b}] needs two {want} columns")
    return int(raw["contract_version"]), tables, {**aliases, "consistency": raw.get("consistency", {}) or {}}


CONTRACT_VERSION, TABLES, _EXTRA = _load()
#: row-level consistency checks of loaded exports (``consistency`` in the YAML): ``date_order``
#: and ``amount_order`` as ``(table, first, second)`` triples, ``non_negative`` and
#: ``future_dates`` as booleans
CONSISTENCY: dict[str, Any] = {
    "date_order": [tuple(x) for x in _EXTRA["consistency"].get("date_order", {}).get("pairs", [])],
    "amount_order": [tuple(x) for x in _EXTRA["consistency"].get("amount_order", {}).get("pairs", [])],
    "non_negative": bool(_EXTRA["consistency"].get("non_negative", {}).get("value", False)),
    "future_dates": bool(_EXTRA["consistency"].get("future_dates", {}).get("value", False)),
}
#: headers of row-number columns (序号, No. …), normalised: noted on load, never a warning
ROW_NUMBER_HEADERS: frozenset[str] = frozenset(
    normalise_header(str(v)) for v in (_EXTRA.get("row_number_headers", {}) or {}).get("values", []))
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


def header_map(table: str, *, aliases: bool = True) -> dict[str, str]:
    """Map the English name, the Chinese label and (``aliases``) every alias of every column
    to the English name, as written (compare headers through :func:`header_lookup`)."""
    t = spec(table)
    m: dict[str, str] = {}
    for name, col in t.columns.items():
        m[name] = name
        m[col.label] = name
        if aliases:
            for a in col.aliases:
                m.setdefault(a, name)
    return m


@lru_cache(maxsize=None)
def header_lookup(table: str) -> dict[str, tuple[str, int]]:
    """``{normalised header: (column, rank)}`` for ``table``: rank 0 for the English name and the
    Chinese label, 1 for an alias (:func:`normalise_header`). A header spelling that would name
    two columns of one table is an error in the schema data (raised here)."""
    t = spec(table)
    out: dict[str, tuple[str, int]] = {}
    for name, col in t.columns.items():
        for rank, spellings in ((0, (name, col.label)), (1, col.aliases)):
            for s in spellings:
                k = normalise_header(s)
                if k in out and out[k][0] != name:
                    raise ValueError(f"schema.yaml: header {s!r} names both {out[k][0]} and {name} of {table}")
                if k not in out or rank < out[k][1]:
                    out[k] = (name, rank)
    return out


def alias_table(tables: list[str] | None = None) -> pd.DataFrame:
    """One row per contract column: table, column, Chinese label and its aliases (joined with
    ``、``) — the header section of docs/real-data.md."""
    rows = []
    for tn in tables or CONTRACT_TABLES:
        t = spec(tn)
        for c in t.columns.values():
            rows.append({"table": tn, "table_label": t.label, "column": c.name, "label": c.label,
                         "aliases": "、".join(c.aliases)})
    return pd.DataFrame(rows, columns=["table", "table_label", "column", "label", "aliases"])


def alias_markdown() -> str:
    """The header aliases as Markdown, one table per contract table (kept in docs/real-data.md
    between ``<!-- aliases:start -->`` and ``<!-- aliases:end -->``; a test compares them)."""
    lines: list[str] = []
    at = alias_table()
    for tn, g in at.groupby("table", sort=False):
        lines += [f"**`{tn}` {g['table_label'].iloc[0]}**", "", "| column | 中文 | also read as |", "|---|---|---|"]
        lines += ["| `" + r.column + "` | " + r.label + " | " + r.aliases.replace("|", "\\|") + " |"
                  for r in g.itertuples(index=False)]
        lines.append("")
    return "\n".join(lines)


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
                    "aliases": "、".join(c.aliases),
                }
            )
    return pd.DataFrame(rows)


__all__ = [
    "CONSISTENCY",
    "CONTRACT_VERSION",
    "CONTRACT_TABLES",
    "TRUTH_TABLES",
    "TABLES",
    "ColumnSpec",
    "INVISIBLE",
    "ROW_NUMBER_HEADERS",
    "TableSpec",
    "alias_markdown",
    "alias_table",
    "coerce",
    "data_dictionary",
    "empty_frame",
    "header_lookup",
    "header_map",
    "normalise_header",
    "pandera_schema",
    "spec",
    "table_by_label",
    "validate_table",
    "vocabulary_report",
]
