"""导入与校验 — loaders for real exports, validation with a full ledger, blank templates.

A pilot procuratorate points the package at a folder of exports from its own systems and
its partners'. :func:`read_exports` (also reached through ``DataPool.read(folder)`` and
``jiuzhu validate FOLDER``) reads them into a :class:`~jiuzhu_methods.DataPool` whose
``ledger`` accounts for every input row.

Files
-----
* ``.csv`` / ``.tsv`` / ``.txt`` — UTF-8, UTF-8 with BOM, GBK or GB18030, detected in that
  order (or given with ``encoding=``); the delimiter (``,`` tab ``;`` ``|``) is detected
  from the header line.
* ``.xlsx`` / ``.xlsm`` — one table per file (the file is named after the table) or one
  table per sheet (each sheet named after a table). Sheets named 数据字典 / 说明 /
  ``data_dictionary`` / ``readme`` (those of :func:`write_template`) are skipped, as are
  empty sheets.
* ``.parquet`` — one table per file.

A file or sheet is assigned to a table by its name: the English table name or the Chinese
label (:func:`jiuzhu_methods.schema.table_by_label`), exactly or as a prefix / suffix
(``救助名单_民政局.csv`` and ``registries-2023.xlsx`` are ``registries``; the longest name
wins). Several files of one table are concatenated. A data file whose table cannot be told
is an error: nothing is skipped silently. ``meta.json`` (optional) adds to ``pool.meta``.

Headers may be the English column names or the Chinese labels (:func:`schema.header_map`),
matched after trimming spaces, NFKC and ignoring case; up to five title lines above the
header row are skipped (and reported). Columns outside the contract are dropped and
reported. A missing *required* column is a :class:`LoadError` naming the file, the column
and its Chinese label; a missing optional column is added empty and reported.

Rows and the ledger
-------------------
Every data row of every file gets one ledger row: ``table``, ``file``, ``sheet``, ``row``
(the row number a spreadsheet or text editor shows, the header being row 1 unless title
lines precede it), ``key`` (the row key), ``status`` and ``reason``, plus ``warnings``.

``accepted``
    taken as it is.
``repaired``
    taken after a repair named in ``reason``: an ID number normalised (full-width, lower-case
    ``x``, separators, 15 → 18 digits); a date parsed from ``2022/6/1``, ``2022.6.1``,
    ``2022年6月1日``, ``20220601`` or an Excel serial number (``44713``); an amount parsed from
    ``1,200.50元``, ``¥1200`` or ``1.2万元``; a number cell in a text column written as
    text; an unreadable value in an *optional* date/amount column set missing (the raw value
    quoted in ``reason``).
``rejected``
    not taken, ``reason`` says why: an empty row; a missing row key; a template example row
    (key starting with ``示例``); an exact duplicate of an earlier row of the same table
    (``duplicates="reject"``, the default); a *required* date or amount that is missing or
    unreadable.

``warnings`` report what is kept but needs a look: an invalid ID number (never a reason to
drop a row: the contract), an ID number stored as a number in Excel, a value outside a
column's vocabulary (kept), a missing required text value, a duplicate row key. The
ledger never contains names or ID numbers (an invalid ID is reported by its reason code only).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "信访.csv").write_bytes("信访编号,信访人姓名,信访人身份证号,信访类别,登记日期,信访事项\\n"
...     "X1,测试甲,,涉法涉诉,2022年6月1日,示例\\n".encode("gbk"))
>>> pool = read_exports(d)
>>> pool.ledger[["table", "row", "status", "reason"]].values.tolist()
[['petitions', 2, 'repaired', "received_on (登记日期): date parsed from '2022年6月1日'"]]
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import identity, schema

#: encodings tried, in order, when none is given
ENCODINGS = ("utf-8-sig", "utf-8", "gbk", "gb18030")
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
DATA_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
#: spreadsheet formats that hold data but are not read: an error, never skipped
SPREADSHEET_ONLY = {".xls", ".xlsb", ".et", ".ods", ".numbers"}
#: longest raw value quoted in the ledger
QUOTE_MAX = 40
#: sheet names that never hold a table (the template's own sheets)
VALUES_SHEET = "取值"
SKIP_SHEETS = {"数据字典", "说明", "填写说明", "data_dictionary", "readme", "dictionary", VALUES_SHEET}
#: row keys starting with this mark the template's example rows (rejected on load)
EXAMPLE_PREFIX = "示例"
LEDGER_COLUMNS = ["table", "file", "sheet", "row", "key", "status", "reason", "warnings"]
STATUSES = ("accepted", "repaired", "rejected")
MAX_TITLE_LINES = 5
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
csv.field_size_limit(2**31 - 1)  # exports may carry whole documents in one cell


class LoadError(ValueError):
    """A file-level problem (unreadable file, unknown table, missing required column …).

    ``problems`` lists every problem found in the folder, each naming its file."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("cannot load the exports:\n  - " + "\n  - ".join(self.problems))


# --------------------------------------------------------------------------- names
def _norm_label(s: object) -> str:
    t = unicodedata.normalize("NFKC", str(s)).strip().strip("\ufeff").strip()
    t = re.sub(r"\s+", "", t)
    return t.lower()


def table_for_name(name: str) -> str | None:
    """The table a file stem or sheet name refers to (English name or Chinese label, exact,
    or as a prefix/suffix — the longest wins), or ``None``."""
    n = _norm_label(name)
    labels = {_norm_label(k): v for k, v in schema.table_by_label().items() if not schema.TABLES[v].truth}
    if n in labels:
        return labels[n]
    hits = [(len(k), v) for k, v in labels.items() if n.startswith(k) or n.endswith(k)]
    return max(hits)[1] if hits else None


def _column_lookup(table: str) -> dict[str, str]:
    return {_norm_label(k): v for k, v in schema.header_map(table).items()}


# --------------------------------------------------------------------------- raw reading
@dataclass
class RawPart:
    """One table's rows from one file (or sheet), as read: object columns, ``_row`` numbers."""

    table: str
    file: str
    sheet: str
    frame: pd.DataFrame
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def detect_encoding(data: bytes) -> str:
    """The first of :data:`ENCODINGS` that decodes ``data`` (BOM first); :class:`UnicodeDecodeError` if none."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for enc in ENCODINGS[1:]:
        try:
            data.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", data[:1], 0, 1, "not UTF-8, GBK or GB18030")


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    enc = encoding or detect_encoding(data)
    text = data.decode(enc)
    return text.lstrip("\ufeff"), enc


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter most frequent in the busiest of the first lines (title lines have none)."""
    if suffix == ".tsv":
        return "\t"
    lines = [ln for ln in text.splitlines()[: MAX_TITLE_LINES + 2] if ln.strip()]
    best, n = ",", 0
    for d in (",", "\t", ";", "|", "，"):
        k = max((ln.count(d) for ln in lines), default=0)
        if k > n:
            best, n = d, k
    return best


def _grid_to_frame(grid: pd.DataFrame, table: str, where: str) -> tuple[pd.DataFrame, list[str]]:
    """Find the header row (the first of the top lines naming ≥1 contract column), map
    headers to contract names, return the data rows (object) with a ``_row`` column."""
    lookup = _column_lookup(table)
    notes: list[str] = []
    header_at = None
    for i in range(min(MAX_TITLE_LINES + 1, len(grid))):
        cells = [_norm_label(v) for v in grid.iloc[i].tolist() if v is not None and not _isna(v)]
        if any(c in lookup for c in cells):
            header_at = i
            break
    if header_at is None:
        if len(grid) == 0:
            return pd.DataFrame({"_row": pd.Series([], dtype="int64")}), notes
        raise LoadError([f"{where}: no header row naming a column of {table} "
                         f"({schema.TABLES[table].label}) in the first {MAX_TITLE_LINES + 1} lines"])
    if header_at:
        notes.append(f"{where}: {header_at} title line(s) above the header skipped")
    headers = grid.iloc[header_at].tolist()
    data = grid.iloc[header_at + 1:]
    cols: dict[str, pd.Series] = {}
    ignored = []
    for j, h in enumerate(headers):
        if h is None or _isna(h) or not str(h).strip():
            if data.iloc[:, j].map(lambda v: not _blank(v)).any():
                ignored.append(f"(unnamed column {j + 1})")
            continue
        name = lookup.get(_norm_label(h))
        if name is None:
            ignored.append(str(h).strip())
            continue
        if name in cols:
            raise LoadError([f"{where}: two headers name column {name} ({schema.TABLES[table].columns[name].label})"])
        cols[name] = data.iloc[:, j]
    if ignored:
        notes.append(f"{where}: column(s) outside the contract ignored: {', '.join(ignored)}")
    out = pd.DataFrame(cols, index=data.index).astype("object")
    out["_row"] = np.arange(header_at + 2, header_at + 2 + len(data), dtype="int64")
    return out.reset_index(drop=True), notes


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _blank(v: Any) -> bool:
    return v is None or _isna(v) or (isinstance(v, str) and not v.strip())


def _all_text(s: pd.Series) -> bool:
    """True when every present value is a string (CSV, most exports): the vectorised path."""
    return pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")


def _blank_series(s: pd.Series) -> pd.Series:
    if _all_text(s):
        return ~pd.Series(s, dtype="str").str.strip().str.len().fillna(0).astype(bool)
    return s.map(_blank).astype(bool)


def _read_text(path: Path, table: str, encoding: str | None) -> RawPart:
    data = path.read_bytes()
    try:
        text, enc = _decode(data, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise LoadError([f"{path.name}: cannot decode as {encoding or ' / '.join(ENCODINGS)} ({exc.reason if hasattr(exc, 'reason') else exc}); "
                         "pass encoding= if you know it"]) from None
    if "\x00" in text:
        raise LoadError([f"{path.name}: contains NUL bytes — not a text export (wrong encoding, e.g. UTF-16?)"])
    if not text.strip():
        return RawPart(table, path.name, "", pd.DataFrame({"_row": pd.Series([], dtype="int64")}), enc,
                       [f"{path.name}: empty file"])
    sep = _sniff_delimiter(text, path.suffix.lower())
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False))
    except csv.Error as exc:
        raise LoadError([f"{path.name}: not a readable {sep!r}-separated table ({exc})"]) from None
    while rows and not any(c.strip() for c in rows[-1]) and len(rows[-1]) <= 1:
        rows.pop()  # trailing empty lines are not records (a line of empty fields ",,," is)
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object")
    frame, notes = _grid_to_frame(grid.astype("object"), table, path.name)
    return RawPart(table, path.name, "", frame, enc, notes)


def _read_excel(path: Path, file_table: str | None) -> list[RawPart]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # zip/xml errors of a corrupt workbook
        raise LoadError([f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"]) from None
    formulas = _formula_cells(path)
    parts, problems = [], []
    unassigned = []
    for sheet, grid in sheets.items():
        if formulas.get(sheet):
            # a formula without a cached value (files written by programs) reads as empty:
            # keep its text instead, so that nothing is lost (exports neutralise it)
            for (r, c), f in formulas[sheet].items():
                if r < len(grid) and c < grid.shape[1] and _blank(grid.iat[r, c]):
                    grid.iat[r, c] = f
        if _norm_label(sheet) in {_norm_label(s) for s in SKIP_SHEETS}:
            continue
        grid = grid.astype("object").where(grid.notna(), None)
        while len(grid) and all(_blank(v) for v in grid.iloc[-1].tolist()):
            grid = grid.iloc[:-1]
        if len(grid) == 0:
            continue
        table = table_for_name(sheet)
        if table is None:
            unassigned.append((sheet, grid))
            continue
        try:
            frame, notes = _grid_to_frame(grid, table, f"{path.name}[{sheet}]")
            parts.append(RawPart(table, path.name, str(sheet), frame, "xlsx", notes))
        except LoadError as exc:
            problems += exc.problems
    if unassigned:
        if file_table is not None and len(unassigned) == 1 and not parts:
            sheet, grid = unassigned[0]
            try:
                frame, notes = _grid_to_frame(grid, file_table, f"{path.name}[{sheet}]")
                parts.append(RawPart(file_table, path.name, str(sheet), frame, "xlsx", notes))
            except LoadError as exc:
                problems += exc.problems
        else:
            for sheet, _ in unassigned:
                problems.append(f"{path.name}[{sheet}]: cannot tell which table this sheet holds; "
                                "name the sheet (or a one-sheet file) after a table, e.g. 检察案件 or proc_cases")
    if problems:
        raise LoadError(problems)
    return parts


def _formula_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """``{sheet: {(row, col): formula}}`` (0-based) for workbooks that hold formulas at all."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            if not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml")):
                return {}
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for ws in wb.worksheets:
            cells = {}
            for i, row in enumerate(ws.iter_rows()):
                for j, c in enumerate(row):
                    v = getattr(c, "value", None)
                    if getattr(c, "data_type", None) == "f" and isinstance(v, str):
                        cells[(i, j)] = v if v.startswith("=") else "=" + v
            out[ws.title] = cells
    finally:
        wb.close()
    return out


def _read_parquet(path: Path, table: str) -> RawPart:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise LoadError([f"{path.name}: not a readable Parquet file ({type(exc).__name__}: {exc})"]) from None
    grid = pd.DataFrame([list(df.columns)] + df.astype("object").where(df.notna(), None).values.tolist()) \
        if len(df.columns) else pd.DataFrame()
    frame, notes = _grid_to_frame(grid.astype("object"), table, path.name)
    return RawPart(table, path.name, "", frame, "parquet", notes)


def read_file(path: str | Path, *, encoding: str | None = None, table: str | None = None) -> list[RawPart]:
    """The raw parts (one per table) of one export file; :class:`LoadError` on file-level problems."""
    p = Path(path)
    suffix = p.suffix.lower()
    t = table or table_for_name(p.stem)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(p, t)
    if t is None:
        raise LoadError([f"{p.name}: cannot tell which table this file holds; name it after a table "
                         f"(English name or Chinese label, e.g. 执行案件.csv or court_enforcements.csv)"])
    if suffix in TEXT_SUFFIXES:
        return [_read_text(p, t, encoding)]
    if suffix in PARQUET_SUFFIXES:
        return [_read_parquet(p, t)]
    raise LoadError([f"{p.name}: unsupported file type {suffix!r} (use CSV, .xlsx or Parquet)"])


# --------------------------------------------------------------------------- value parsing
def _text(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Object values → trimmed text (``str`` dtype, empty → missing); second: numbers written as text."""
    def conv(v):
        if _blank(v):
            return None
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        if isinstance(v, (float, np.floating)):
            return str(int(v)) if float(v).is_integer() else repr(float(v))
        if isinstance(v, (pd.Timestamp, np.datetime64, _dt.date)):
            try:
                t = pd.Timestamp(v)
                return t.strftime("%Y-%m-%d") if t == t.normalize() else str(t)
            except (ValueError, TypeError, OverflowError):
                return str(v)
        return str(v).strip()

    if _all_text(s):
        x = pd.Series(s, index=s.index, dtype="str").str.strip()
        return x.where(x.str.len() > 0), pd.Series(False, index=s.index)
    numeric = s.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                    and not _isna(v)).astype(bool)
    return pd.Series(s.map(conv), index=s.index, dtype="str"), numeric


def _nfkc_text(s: pd.Series, mask: pd.Series) -> pd.Series:
    """NFKC-normalised, trimmed text where ``mask`` (missing elsewhere); normalises each
    distinct value once."""
    x = pd.Series(s.where(mask), index=s.index).map(lambda v: None if _blank(v) else str(v))
    x = pd.Series(x, index=s.index, dtype="str")
    u = x.dropna().unique()
    m = pd.Series([unicodedata.normalize("NFKC", v).strip() for v in u], index=u, dtype="str")
    return pd.Series(x.map(m), index=s.index, dtype="str")


_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _by_unique(func, s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``func`` (a parser returning ``(values, repaired, bad)``) over the distinct values of a
    text column only (dates and amounts repeat a lot), mapped back to every row."""
    if len(s) < 1000 or not _all_text(s):
        return func(s)
    codes, uniq = pd.factorize(s.astype("object"), use_na_sentinel=True)
    v, rep, bad = func(pd.Series(uniq, dtype="object"))
    na = codes < 0
    safe = np.where(na, 0, codes)
    if len(uniq) == 0:
        return func(s)
    values = pd.Series(v.to_numpy()[safe], index=s.index, dtype=v.dtype).where(~na)
    return (values.astype(v.dtype), pd.Series(rep.to_numpy()[safe] & ~na, index=s.index),
            pd.Series(bad.to_numpy()[safe] & ~na, index=s.index))


def parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of dates as exported: ``(values, repaired, bad)``.

    ``values`` is ``datetime64[us]`` (day precision, NaT when missing or unreadable);
    ``repaired`` marks values that were not already a date or an ISO ``YYYY-MM-DD``;
    ``bad`` marks present but unreadable values. Years outside 1900–2100 are unreadable.

    >>> v, rep, bad = parse_dates(pd.Series(["2022-06-01", "2022/6/1", "2022年6月1日", 44713, "x", None], dtype=object))
    >>> v.dt.strftime("%Y-%m-%d").tolist()[:4], rep.tolist(), bad.tolist()
    (['2022-06-01', '2022-06-01', '2022-06-01', '2022-06-01'], [False, True, True, True, False, False], [False, False, False, False, True, False])
    """
    s = s.astype("object")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    repaired = pd.Series(False, index=s.index)
    present = ~_blank_series(s)
    texty = _all_text(s)
    is_dt = pd.Series(False, index=s.index) if texty else s.map(
        lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or
        (hasattr(v, "year") and hasattr(v, "month") and not isinstance(v, str))).astype(bool) & present
    if is_dt.any():
        out[is_dt] = pd.to_datetime(s[is_dt].map(lambda v: pd.Timestamp(v).tz_localize(None)
                                                 if getattr(v, "tzinfo", None) else pd.Timestamp(v)),
                                    errors="coerce").astype("datetime64[us]").dt.normalize()
    is_num = pd.Series(False, index=s.index) if texty else s.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)).astype(bool) & present
    text = _nfkc_text(s, present & ~is_dt & ~is_num)
    serial = pd.Series(np.nan, index=s.index, dtype="float64")
    if is_num.any():
        serial[is_num] = pd.to_numeric(s[is_num], errors="coerce").astype("float64")
    num_text = text.str.fullmatch(r"\d{5}(?:\.\d+)?").fillna(False).astype(bool)
    serial[num_text] = pd.to_numeric(text[num_text], errors="coerce")
    ok_serial = serial.notna() & (serial >= 1) & (serial < 2958466)
    if ok_serial.any():
        days = np.floor(serial[ok_serial].to_numpy()).astype("int64")
        out[ok_serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")
        repaired[ok_serial] = True
    iso = text.str.fullmatch(_ISO_RE.pattern).fillna(False).astype(bool)
    parts = text.str.extract(_DATE_RE)
    ymd8 = text.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    parts = parts.fillna(ymd8)
    has = parts[0].notna()
    if has.any():
        ymd = parts[has].astype("int64")
        ymd.columns = ["year", "month", "day"]
        valid_y = ymd["year"].between(1900, 2100)
        d = pd.to_datetime(ymd.where(valid_y, other=1900), errors="coerce").where(valid_y)
        out[has] = d.astype("datetime64[us]")
        repaired[has] = ~iso[has]
    out = out.where(out.isna() | ((out >= pd.Timestamp("1900-01-01")) & (out < pd.Timestamp("2101-01-01"))))
    out = out.astype("datetime64[us]")
    bad = present & out.isna()
    repaired = repaired & ~bad
    return out, repaired, bad


_AMOUNT_STRIP = re.compile(r"[,\s，]|人民币|rmb|cny|¥|元整?$|圆整?$", re.IGNORECASE)
_AMOUNT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万)?$")


def parse_amounts(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse money in yuan: ``(values, repaired, bad)``. ``1,200.50元``, ``¥1200``,
    ``1.2万元`` (× 10 000), full-width digits; a number cell or plain ``1200.5`` is not a repair.

    >>> v, rep, bad = parse_amounts(pd.Series(["1,200.50元", "1.2万元", 300, "3e", None], dtype=object))
    >>> v.tolist()[:3], rep.tolist(), bad.tolist()
    ([1200.5, 12000.0, 300.0], [True, True, False, False, False], [False, False, False, True, False])
    """
    s = s.astype("object")
    present = ~_blank_series(s)
    texty = _all_text(s)
    is_num = pd.Series(False, index=s.index) if texty else s.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)).astype(bool) & present
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    if is_num.any():
        out[is_num] = pd.to_numeric(s[is_num], errors="coerce").astype("float64")
    raw_text = pd.Series(s.where(present & ~is_num), index=s.index, dtype="str").str.strip()
    text = _nfkc_text(s, present & ~is_num)
    plain = raw_text.str.fullmatch(r"[+-]?[0-9]+(?:\.[0-9]+)?").fillna(False).astype(bool)
    cleaned = text.str.replace(_AMOUNT_STRIP, "", regex=True).str.replace(r"万元$", "万", regex=True)
    m = cleaned.str.extract(_AMOUNT_RE)
    val = pd.to_numeric(m[0], errors="coerce") * np.where(m[1].notna(), 10000.0, 1.0)
    has = val.notna()
    out[has] = val[has].astype("float64")
    out = out.where(np.isfinite(out))
    bad = present & out.isna()
    repaired = has & ~plain & ~bad
    return out, repaired, bad


# --------------------------------------------------------------------------- validation
def _id_columns(table: str) -> list[str]:
    return [c for c in schema.TABLES[table].columns if c == "id_number" or c.endswith("_id_number")]


def _quote(s: pd.Series) -> pd.Series:
    """A raw value as quoted in the ledger: text, at most :data:`QUOTE_MAX` characters."""
    t = _text(s)[0].fillna("")
    return t.where(t.str.len() <= QUOTE_MAX, t.str.slice(0, QUOTE_MAX) + "…")


def _add(msgs: pd.Series, mask: pd.Series, text: pd.Series | str) -> pd.Series:
    """Append ``text`` (per row or constant) to ``msgs`` where ``mask``."""
    if not mask.any():
        return msgs
    t = text if isinstance(text, str) else text.astype("str")
    add = pd.Series(t, index=msgs.index, dtype="str") if isinstance(t, str) else t
    joined = (msgs + "; " + add).where(msgs.str.len() > 0, add)
    return msgs.where(~mask, joined)


def validate_rows(table: str, raw: pd.DataFrame, *, duplicates: str = "reject") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate and repair one table's raw rows (object columns named by the contract, plus
    ``_file``, ``_sheet``, ``_row``). Returns ``(frame, ledger)``: the accepted and repaired
    rows with the contract's dtypes, and one ledger row per input row."""
    t = schema.spec(table)
    n = len(raw)
    idx = raw.index
    empty = pd.Series("", index=idx, dtype="str")
    reason_rej, reason_rep, warn = empty.copy(), empty.copy(), empty.copy()
    cols: dict[str, pd.Series] = {}
    data_cols = [c for c in t.columns if c in raw.columns]
    blank_row = (pd.concat([_blank_series(raw[c]) for c in data_cols], axis=1).all(axis=1) if data_cols
                 else pd.Series(True, index=idx))
    id_cols = _id_columns(table)
    for name, col in t.columns.items():
        where = f"{name} ({col.label})"
        s = raw[name] if name in raw.columns else pd.Series([None] * n, index=idx, dtype="object")
        if col.type == "date":
            v, rep, bad = _by_unique(parse_dates, s)
            if rep.any():
                reason_rep = _add(reason_rep, rep, f"{where}: date parsed from '" + _quote(s) + "'")
            if col.required:
                reason_rej = _add(reason_rej, bad, f"{where}: unreadable date '" + _quote(s) + "'")
                reason_rej = _add(reason_rej, v.isna() & ~bad, f"{where}: missing")
            else:
                reason_rep = _add(reason_rep, bad, f"{where}: unreadable date '" + _quote(s) + "' set missing")
            cols[name] = v
        elif col.type == "float":
            v, rep, bad = _by_unique(parse_amounts, s)
            if rep.any():
                reason_rep = _add(reason_rep, rep, f"{where}: amount parsed from '" + _quote(s) + "'")
            if col.required:
                reason_rej = _add(reason_rej, bad, f"{where}: unreadable amount '" + _quote(s) + "'")
                reason_rej = _add(reason_rej, v.isna() & ~bad, f"{where}: missing")
            else:
                reason_rep = _add(reason_rep, bad, f"{where}: unreadable amount '" + _quote(s) + "' set missing")
            cols[name] = v
        else:
            v, numeric = _text(s)
            if name in id_cols:
                norm = identity.normalise_series(v)
                changed = v.notna() & (norm != v).fillna(True)
                reason_rep = _add(reason_rep, changed, f"{where}: ID number normalised")
                code = identity.check_series(norm, normalised=True)
                invalid = v.notna() & (code != "")
                if invalid.any():
                    warn = _add(warn, invalid, f"{where}: invalid ID number (" + code + "), kept")
                warn = _add(warn, numeric, f"{where}: stored as a number in Excel (digits may be lost)")
                v = norm
            else:
                if col.vocabulary is None:
                    reason_rep = _add(reason_rep, numeric, f"{where}: number cell read as text")
            if col.vocabulary is not None:
                unknown = v.notna() & ~v.isin(col.vocabulary)
                if unknown.any():
                    warn = _add(warn, unknown, f"{where}: value '" + v.fillna("") + "' not in the vocabulary, kept")
            if col.pattern is not None:
                off = v.notna() & ~v.str.fullmatch(col.pattern).fillna(False).astype(bool)
                warn = _add(warn, off, f"{where}: value '" + _quote(v) + f"' does not match {col.pattern}, kept")
            if col.required and name not in t.key and name not in id_cols:
                warn = _add(warn, v.isna() & ~blank_row, f"{where}: missing")
            cols[name] = v
    frame = pd.DataFrame(cols, index=idx)
    key_cols = list(t.key)
    keyv = frame[key_cols[0]].astype("str") if len(key_cols) == 1 else frame[key_cols].astype("str").agg("|".join, axis=1)
    # rejections in order of precedence: empty row, missing key, template example
    no_key = frame[key_cols].isna().any(axis=1) & ~blank_row
    example = keyv.str.startswith(EXAMPLE_PREFIX).fillna(False).astype(bool)
    first = pd.Series("", index=idx, dtype="str")
    first = first.where(~blank_row, "empty row")
    first = first.where(~(no_key & (first == "")),
                        "missing row key " + ", ".join(f"{k} ({t.columns[k].label})" for k in key_cols))
    first = first.where(~(example & (first == "")), "example row of the template (key starts with 示例)")
    reason_rej = pd.Series(np.where(first != "", first, reason_rej), index=idx, dtype="str")
    sheet = raw["_sheet"].astype("str")
    where_txt = (raw["_file"].astype("str") + np.where(sheet != "", "[" + sheet + "]", "")
                 + " row " + raw["_row"].astype("str"))
    if duplicates not in ("reject", "keep"):
        raise ValueError("duplicates must be 'reject' or 'keep'")
    # exact duplicates (after repair) among the rows not otherwise rejected
    live = reason_rej == ""
    sig = pd.Series(pd.util.hash_pandas_object(frame.astype("str").fillna("\x00"), index=False).to_numpy(), index=idx)
    firsts = where_txt[live].groupby(sig[live]).first()
    dup = pd.Series(False, index=idx)
    d = sig[live].duplicated(keep="first")
    dup[d[d].index] = True
    if dup.any():
        ref = sig[dup].map(firsts).astype("str").reindex(idx).fillna("")
        if duplicates == "reject":
            reason_rej = _add(reason_rej, dup, "duplicate of " + ref)
        else:
            warn = _add(warn, dup, "duplicate of " + ref + ", kept")
    # duplicate keys among the rows kept
    live = reason_rej == ""
    kfirst = where_txt[live].groupby(keyv[live]).first()
    kdup = pd.Series(False, index=idx)
    d = keyv[live].duplicated(keep="first")
    kdup[d[d].index] = True
    if kdup.any():
        ref = keyv[kdup].map(kfirst).astype("str").reindex(idx).fillna("")
        warn = _add(warn, kdup, "duplicate key " + "+".join(key_cols) + " (first at " + ref + "), kept")
    # the ledger never carries an ID number, even one typed into the wrong column
    from .privacy import mask_ids_in_text

    reason_rej, reason_rep, warn = (mask_ids_in_text(x) for x in (reason_rej, reason_rep, warn))
    status = np.where(reason_rej != "", "rejected", np.where(reason_rep != "", "repaired", "accepted"))
    reason = np.where(reason_rej != "", reason_rej, reason_rep)
    ledger = pd.DataFrame({
        "table": table,
        "file": raw["_file"].astype("str").to_numpy(),
        "sheet": raw["_sheet"].astype("str").to_numpy(),
        "row": raw["_row"].astype("int64").to_numpy(),
        "key": keyv.to_numpy(),
        "status": status,
        "reason": reason,
        "warnings": warn.to_numpy(),
    }, index=idx)
    ledger = ledger.astype({c: "str" for c in ["table", "file", "sheet", "key", "status", "reason", "warnings"]})
    kept = frame.loc[status != "rejected"].reset_index(drop=True)
    return kept, ledger.reset_index(drop=True)


# --------------------------------------------------------------------------- folder
def data_files(directory: str | Path) -> list[Path]:
    """The data files of an export folder (sorted; hidden and ``~$`` lock files left out)."""
    d = Path(directory)
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def is_pool_folder(directory: str | Path) -> bool:
    """True for a folder written by :meth:`DataPool.write`: ``meta.json`` with a
    ``contract_version`` and every data file a ``<table>.parquet`` under its English name."""
    d = Path(directory)
    mp = d / "meta.json"
    if not mp.exists():
        return False
    try:
        meta = json.loads(mp.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    if "contract_version" not in meta:
        return False
    return all(p.suffix == ".parquet" and p.stem in schema.TABLES for p in data_files(d))


def read_exports(directory: str | Path, *, encoding: str | None = None, duplicates: str = "reject",
                 meta: dict | None = None, verbose: bool = False) -> "DataPool":
    """Read a folder of exports into a validated :class:`~jiuzhu_methods.DataPool` with ``ledger``.

    ``encoding`` forces one encoding for every text file (default: detected per file).
    File-level problems of all files are collected and raised together as one
    :class:`LoadError`. ``pool.meta["load"]`` records files, encodings and notes (ignored
    columns, title lines); ``pool.meta["vocabulary"]`` the out-of-vocabulary values.
    """
    from .pool import DataPool

    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"no export folder at {d}")
    parts: list[RawPart] = []
    problems: list[str] = []
    for p in data_files(d):
        try:
            parts += read_file(p, encoding=encoding)
        except LoadError as exc:
            problems += exc.problems
    notes = [n for part in parts for n in part.notes]
    for p in sorted(d.iterdir()):
        if not p.is_file() or p.name.startswith((".", "~$")) or p.suffix.lower() in DATA_SUFFIXES \
                or p.name == "meta.json":
            continue
        if p.suffix.lower() in SPREADSHEET_ONLY:
            problems.append(f"{p.name}: {p.suffix} workbooks cannot be read; save it as .xlsx (or CSV)")
        else:
            notes.append(f"{p.name}: not a data file (CSV, .xlsx, Parquet), skipped")
    # required / optional columns
    for part in parts:
        t = schema.TABLES[part.table]
        where = part.file + (f"[{part.sheet}]" if part.sheet else "")
        headerless = len(part.frame) == 0 and list(part.frame.columns) == ["_row"]  # an empty file
        for name, col in t.columns.items():
            if name in part.frame.columns:
                continue
            if headerless:
                part.frame[name] = pd.Series([], dtype="object")
                continue
            if col.required:
                problems.append(f"{where}: table {part.table} ({t.label}) lacks required column "
                                f"{name} ({col.label})")
            else:
                notes.append(f"{where}: optional column {name} ({col.label}) absent, left empty")
                part.frame[name] = None
    if problems:
        raise LoadError(problems)
    frames, ledgers = {}, []
    for table in schema.CONTRACT_TABLES:
        mine = [p for p in parts if p.table == table]
        if not mine:
            continue
        raw = pd.concat([p.frame.assign(_file=p.file, _sheet=p.sheet) for p in mine], ignore_index=True)
        raw = raw.astype({c: "object" for c in raw.columns if c not in ("_row",)})
        frame, ledger = validate_rows(table, raw, duplicates=duplicates)
        frames[table] = frame
        ledgers.append(ledger)
    ledger = (pd.concat(ledgers, ignore_index=True) if ledgers else
              pd.DataFrame({c: pd.Series([], dtype="int64" if c == "row" else "str") for c in LEDGER_COLUMNS}))
    m = dict(meta or {})
    mp = d / "meta.json"
    if mp.exists():
        try:
            m = {**json.loads(mp.read_text(encoding="utf-8")), **m}
        except ValueError as exc:
            raise LoadError([f"meta.json: not valid JSON ({exc})"]) from None
    pc = frames.get("proc_cases")
    if "county_code" not in m and pc is not None and pc["county_code"].notna().any():
        m["county_code"] = str(pc["county_code"].mode().iloc[0])
    m["load"] = {"folder": d.name, "files": sorted({p.file for p in parts}),
                 "encodings": {p.file: p.encoding for p in parts}, "notes": notes}
    pool = DataPool.from_frames(frames, meta=m)
    vocab = [schema.vocabulary_report(n, df) for n, df in pool.tables.items()]
    vocab = [v for v in vocab if len(v)]
    pool.meta["vocabulary"] = pd.concat(vocab, ignore_index=True).to_dict("records") if vocab else []
    pool.ledger = ledger
    if verbose:
        print(format_summary(ledger, notes))
    return pool


# --------------------------------------------------------------------------- reporting
def ledger_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Counts per file and table: ``rows = accepted + repaired + rejected`` (``balanced``), and
    rows with warnings."""
    cols = ["table", "file", "sheet", "rows", "accepted", "repaired", "rejected", "warnings", "balanced"]
    if ledger is None or len(ledger) == 0:
        return pd.DataFrame(columns=cols)
    g = ledger.assign(_w=ledger["warnings"].fillna("").str.len() > 0)
    counts = (g.groupby(["table", "file", "sheet"], sort=False)["status"].value_counts().unstack(fill_value=0)
              .reindex(columns=list(STATUSES), fill_value=0))
    out = counts.reset_index()
    out["rows"] = g.groupby(["table", "file", "sheet"], sort=False).size().to_numpy()
    out["warnings"] = g.groupby(["table", "file", "sheet"], sort=False)["_w"].sum().to_numpy()
    out["balanced"] = out["rows"] == out["accepted"] + out["repaired"] + out["rejected"]
    out.columns.name = None
    return out[cols]


def format_summary(ledger: pd.DataFrame, notes: Iterable[str] = ()) -> str:
    """The counts per file and the notes as printed by ``jiuzhu validate`` (file names and
    notes masked by :func:`jiuzhu_methods.privacy.mask_text`)."""
    from .privacy import mask_ledger, mask_text

    s = ledger_summary(mask_ledger(ledger) if ledger is not None and len(ledger) else ledger)
    notes = [mask_text(n, quoted_names=True) for n in notes]
    lines = [s.to_string(index=False) if len(s) else "(no rows)"]
    tot = s[["rows", "accepted", "repaired", "rejected", "warnings"]].sum() if len(s) else None
    if tot is not None:
        lines.append(f"total: {tot['rows']} rows = {tot['accepted']} accepted + {tot['repaired']} repaired + "
                     f"{tot['rejected']} rejected; {tot['warnings']} with warnings")
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def write_ledger(ledger: pd.DataFrame, out_dir: str | Path, *, vocabulary: list | None = None,
                 notes: Iterable[str] = (), names: Iterable[str] | None = None) -> dict[str, Path]:
    """Write ``ledger.csv``, ``ledger_summary.csv`` (UTF-8 with BOM, so Excel opens them in
    Chinese) and ``ledger.xlsx`` (sheets summary / rows / vocabulary / notes), formula-safe.
    Masked through :mod:`jiuzhu_methods.privacy` (:func:`~jiuzhu_methods.privacy.mask_ledger`,
    :func:`~jiuzhu_methods.privacy.mask_vocabulary`): record keys holding an ID number, ID
    numbers and phones quoted in messages, names (``names``, e.g. ``privacy.pool_names(pool)``,
    and name-shaped quoted or out-of-vocabulary values) never reach the files."""
    from .privacy import excel_safe, mask_ledger, mask_text, mask_vocabulary, name_pattern, to_excel

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pat = name_pattern(names)
    ledger = mask_ledger(ledger, pat)
    vocab = mask_vocabulary(vocabulary or [], pat)
    notes = [mask_text(n, pat, quoted_names=True) for n in notes]
    summary = ledger_summary(ledger)
    paths = {"ledger_csv": out / "ledger.csv", "summary_csv": out / "ledger_summary.csv",
             "xlsx": out / "ledger.xlsx"}
    excel_safe(ledger).to_csv(paths["ledger_csv"], index=False, encoding="utf-8-sig", lineterminator="\r\n")
    excel_safe(summary).to_csv(paths["summary_csv"], index=False, encoding="utf-8-sig", lineterminator="\r\n")
    sheets = {"summary": summary, "rows": ledger,
              "vocabulary": vocab, "notes": pd.DataFrame({"note": list(notes)})}
    to_excel(sheets, paths["xlsx"], raw=True)  # masked above
    return paths


# --------------------------------------------------------------------------- template
def example_rows() -> dict[str, pd.DataFrame]:
    """Two synthetic example rows per contract table: keys start with 示例 (so the loader
    rejects them if left in), names are obviously fake (测试甲 …), ID numbers have valid check
    digits but a birth date of 1900-01-01 and order codes 990+ (no real person)."""
    ids = identity.make_ids(np.array(["330382", "330382", "371722", "411003"]),
                            np.array(["1900-01-01"] * 4, dtype="datetime64[D]"), np.array([991, 992, 993, 994]))
    a, b, c, e = (str(x) for x in ids)
    ex = EXAMPLE_PREFIX
    rows = {
        "proc_cases": [
            {"case_id": f"{ex}-C1", "business": "刑事检察", "stage": "审查起诉", "charge": "故意伤害罪",
             "accepted_on": "2022-06-01", "county_code": "330382"},
            {"case_id": f"{ex}-C2", "business": "民事检察", "stage": "支持起诉", "charge": "赡养纠纷",
             "accepted_on": "2022-07-15", "county_code": "330382"}],
        "proc_parties": [
            {"record_id": f"{ex}-P1", "case_id": f"{ex}-C1", "role": "被害人", "name": "测试甲", "id_number": a, "fault": "无责任"},
            {"record_id": f"{ex}-P2", "case_id": f"{ex}-C1", "role": "犯罪嫌疑人", "name": "测试乙", "id_number": b, "fault": ""}],
        "proc_documents": [
            {"doc_id": f"{ex}-D1", "case_id": f"{ex}-C1", "doc_type": "起诉书", "text": "（示例文书正文）被告人测试乙……"},
            {"doc_id": f"{ex}-D2", "case_id": f"{ex}-C1", "doc_type": "询问笔录", "text": "（示例）问：……答：……"}],
        "petitions": [
            {"petition_id": f"{ex}-X1", "name": "测试甲", "id_number": a, "category": "涉法涉诉",
             "received_on": "2022-08-01", "text": "（示例）反映案件赔偿未履行，生活困难。"},
            {"petition_id": f"{ex}-X2", "name": "测试丙", "id_number": "", "category": "其他",
             "received_on": "2022-08-02", "text": "（示例）其他事项。"}],
        "judicial_aid": [
            {"aid_id": f"{ex}-A1", "name": "测试甲", "id_number": a, "agency": "检察院", "case_id": f"{ex}-C1",
             "applied_on": "2022-09-01", "decided_on": "2022-09-20", "paid_on": "2022-10-01", "status": "决定救助",
             "amount": 20000.0},
            {"aid_id": f"{ex}-A2", "name": "测试丁", "id_number": e, "agency": "法院", "case_id": "",
             "applied_on": "2022-09-05", "decided_on": "", "paid_on": "", "status": "已受理", "amount": None}],
        "court_judgments": [
            {"judgment_id": f"{ex}-(2022)浙0382刑初1号", "kind": "刑事", "cause": "故意伤害罪",
             "effective_on": "2022-12-01", "case_id": f"{ex}-C1"},
            {"judgment_id": f"{ex}-(2022)浙0382民初2号", "kind": "民事", "cause": "机动车交通事故责任纠纷",
             "effective_on": "2022-11-01", "case_id": ""}],
        "court_parties": [
            {"record_id": f"{ex}-R1", "judgment_id": f"{ex}-(2022)浙0382刑初1号", "role": "附带民事诉讼原告人",
             "name": "测试甲", "id_number": a, "award": 50000.0},
            {"record_id": f"{ex}-R2", "judgment_id": f"{ex}-(2022)浙0382刑初1号", "role": "被告人",
             "name": "测试乙", "id_number": b, "award": None}],
        "court_enforcements": [
            {"enforcement_id": f"{ex}-(2023)浙0382执1号", "judgment_id": f"{ex}-(2022)浙0382刑初1号",
             "applicant_name": "测试甲", "applicant_id_number": a, "respondent_name": "测试乙",
             "respondent_id_number": b, "closure": "终结本次执行", "amount_due": 50000.0, "amount_paid": 0.0,
             "filed_on": "2023-01-10", "closed_on": "2023-05-10"},
            {"enforcement_id": f"{ex}-(2023)浙0382执2号", "judgment_id": "",
             "applicant_name": "测试丙", "applicant_id_number": c, "respondent_name": "测试丁",
             "respondent_id_number": e, "closure": "未结", "amount_due": 8000.0, "amount_paid": 1000.0,
             "filed_on": "2023-02-01", "closed_on": ""}],
        "registries": [
            {"record_id": f"{ex}-G1", "registry": "城市低保", "agency": "民政局", "name": "测试甲", "id_number": a,
             "detail": "", "address": "示例省示例县示例街1号", "phone": "13800000000", "as_of": "2023-06-01"},
            {"record_id": f"{ex}-G2", "registry": "持证残疾人", "agency": "残联", "name": "测试丙", "id_number": c,
             "detail": "肢体二级", "address": "", "phone": "", "as_of": "2023-06-01"}],
        "social_aid": [
            {"record_id": f"{ex}-S1", "name": "测试甲", "id_number": a, "aid_type": "临时救助", "agency": "民政局",
             "granted_on": "2023-03-01"},
            {"record_id": f"{ex}-S2", "name": "测试丙", "id_number": c, "aid_type": "医疗救助", "agency": "医保局",
             "granted_on": "2023-04-01"}],
    }
    return {k: pd.DataFrame(v, columns=schema.TABLES[k].column_names).replace({"": None})
            for k, v in rows.items()}


def write_template(path: str | Path, *, examples: bool = True) -> Path:
    """One Excel workbook for pilot teams: a 说明 sheet, a sheet per contract table named by
    its Chinese label with Chinese headers (required ones bold), example rows (``examples``),
    and a 数据字典 sheet. A filled-in template loads with :func:`read_exports`."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from .privacy import excel_safe_value

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    intro = [
        "大数据赋能类案司法救助 — 数据池导入模板 (jiuzhu_methods, contract version %d)" % schema.CONTRACT_VERSION,
        "每个工作表对应一张数据表；表头为中文字段名（也可用英文列名）。加粗表头为必填字段。",
        "示例行的编号以“示例”开头，导入时会被拒收并记入台账；请删除示例行后填写真实数据。",
        "日期可写 2022-06-01、2022/6/1 或 2022年6月1日；金额以元为单位，可写 1200.50 或 1,200.50元。",
        "身份证号请以文本格式填写（数字格式会丢失末位数字）。取值范围见“数据字典”工作表。",
        "Each sheet is one contract table; headers are Chinese labels (English names also work);",
        "bold headers are required. Example rows (keys starting with 示例) are rejected on load.",
    ]
    for i, line in enumerate(intro, start=1):
        ws.cell(row=i, column=1, value=line)
    ws.column_dimensions["A"].width = 110
    ex = example_rows() if examples else {}
    # allowed values on a hidden sheet, offered as drop-down lists (other values still load: reported)
    from openpyxl.worksheet.datavalidation import DataValidation

    values_sheet = wb.create_sheet(VALUES_SHEET)
    values_sheet.sheet_state = "hidden"
    lists: dict[tuple[str, str], str] = {}
    k = 0
    for tname in schema.CONTRACT_TABLES:
        for col in schema.TABLES[tname].columns.values():
            if col.vocabulary:
                k += 1
                for r, v in enumerate(col.vocabulary, start=1):
                    values_sheet.cell(row=r, column=k, value=v)
                letter = values_sheet.cell(row=1, column=k).column_letter
                lists[(tname, col.name)] = f"'{VALUES_SHEET}'!${letter}$1:${letter}${len(col.vocabulary)}"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for tname in schema.CONTRACT_TABLES:
        t = schema.TABLES[tname]
        sh = wb.create_sheet(t.label)
        for j, col in enumerate(t.columns.values(), start=1):
            c = sh.cell(row=1, column=j, value=col.label)
            c.fill = fill
            if col.required:
                c.font = bold
            note = f"{col.name} · {col.type}" + (" · 必填" if col.required else " · 可空")
            if col.vocabulary:
                note += "\n取值: " + "、".join(col.vocabulary)
            c.comment = Comment(note, "jiuzhu_methods")
            sh.column_dimensions[c.column_letter].width = max(12, min(40, 2 * len(col.label) + 6))
            # ID numbers and keys are text: keep Excel from turning them into numbers
            if (tname, col.name) in lists:
                dv = DataValidation(type="list", formula1=lists[(tname, col.name)], allow_blank=True,
                                    showErrorMessage=False)
                dv.add(f"{c.column_letter}2:{c.column_letter}1001")
                sh.add_data_validation(dv)
            if col.type == "str":
                for r in range(2, 1002):
                    sh.cell(row=r, column=j).number_format = "@"
            elif col.type == "date":
                for r in range(2, 1002):
                    sh.cell(row=r, column=j).number_format = "yyyy-mm-dd"
        for i, row in enumerate(ex.get(tname, pd.DataFrame()).itertuples(index=False), start=2):
            for j, v in enumerate(row, start=1):
                if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
                    continue
                sh.cell(row=i, column=j, value=excel_safe_value(v))
        sh.freeze_panes = "A2"
    dd = schema.data_dictionary()
    dd = dd[dd["table"].isin(schema.CONTRACT_TABLES)]
    dd = dd.rename(columns={"table": "表名 table", "table_label": "表中文名", "column": "列名 column",
                            "label": "中文字段名", "type": "类型 type", "required": "必填 required",
                            "key": "主键 key", "values": "取值/格式 values", "references": "引用 references",
                            "description": "说明 description"})
    sh = wb.create_sheet("数据字典")
    for j, h in enumerate(dd.columns, start=1):
        sh.cell(row=1, column=j, value=h).font = bold
    for i, row in enumerate(dd.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            sh.cell(row=i, column=j, value=excel_safe_value(v if not isinstance(v, (bool, np.bool_)) else ("是" if v else "否")))
    sh.freeze_panes = "A2"
    wb.save(p)
    return p


# --------------------------------------------------------------------------- CLI
def _cmd_validate(args) -> int:
    try:
        pool = read_exports(args.folder, encoding=args.encoding, duplicates=args.duplicates)
    except LoadError as exc:
        print(str(exc))
        return 2
    from .privacy import mask_ledger, mask_vocabulary, name_pattern, pool_names

    notes = pool.meta.get("load", {}).get("notes", [])
    names = name_pattern(pool_names(pool))  # masked wherever a message quotes one
    print(format_summary(pool.ledger, notes))
    led = mask_ledger(pool.ledger, names)
    for kind, rows, col in (("rejected", led[led["status"] == "rejected"], "reason"),
                            ("warning", led[led["warnings"].fillna("").str.len() > 0], "warnings")):
        for r in rows.head(args.show).itertuples(index=False):
            where = r.file + (f"[{r.sheet}]" if r.sheet else "")
            print(f"{kind}: {where} row {r.row}: {getattr(r, col)}")
        if len(rows) > args.show:
            print(f"… {len(rows) - args.show} more {kind} rows in the ledger")
    vocab = pool.meta.get("vocabulary", [])
    for v in mask_vocabulary(vocab, names).to_dict("records"):
        print(f"vocabulary: {v['table']}.{v['column']} ({v['label']}): '{v['value']}' × {v['count']} (kept)")
    out = Path(args.out) if args.out else Path(args.folder) / "ledger"
    paths = write_ledger(pool.ledger, out, vocabulary=vocab, notes=notes, names=names)
    print(f"ledger written: {', '.join(str(p) for p in paths.values())}")
    if args.pool_out:
        pool.write(args.pool_out)
        print(f"pool written: {args.pool_out}")
    if args.strict and ((led["status"] == "rejected").any() or (led["warnings"].fillna("").str.len() > 0).any()):
        return 1
    return 0


def _cmd_template(args) -> int:
    p = write_template(args.out, examples=not args.no_examples)
    print(f"template written: {p}")
    return 0


def _cmd_pseudonymise(args) -> int:
    import warnings

    from .pool import DataPool
    from .privacy import KEY_ENV, load_key

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            key = load_key(env=args.key_env or KEY_ENV, file=args.key_file)
        except (KeyError, ValueError, OSError) as exc:
            print(f"error: {str(exc).strip(chr(39))}")
            return 2
    for w in {str(w.message) for w in caught}:
        print(f"warning: {w}")
    try:
        pool = DataPool.read(args.pool, truth=not args.no_truth)
    except LoadError as exc:
        print(str(exc))
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the weak-key warning was printed once above
        try:
            out = pool.pseudonymise(key, attributes=args.attributes)
        except ValueError as exc:  # already pseudonymised with another key
            print(f"error: {exc}")
            return 2
    out.write(args.out)
    print(f"pseudonymised pool written: {args.out} (scheme {out.meta['pseudonym_scheme']}; the key is not stored)")
    return 0


def add_commands(sub) -> None:
    """Add ``jiuzhu validate``, ``jiuzhu template`` and ``jiuzhu pseudonymise`` (hook read by
    :mod:`jiuzhu_methods.cli`)."""
    v = sub.add_parser("validate", help="load a folder of exports, validate every row and write the ledger")
    v.add_argument("folder", help="folder of CSV / .xlsx / Parquet exports")
    v.add_argument("--encoding", default=None, help="text encoding of the CSV files (default: detected)")
    v.add_argument("--duplicates", choices=["reject", "keep"], default="reject",
                   help="exact duplicate rows: reject (default) or keep with a warning")
    v.add_argument("--out", default=None, help="ledger folder (default: FOLDER/ledger)")
    v.add_argument("--pool-out", default=None, help="also write the loaded pool (Parquet) here")
    v.add_argument("--show", type=int, default=20, help="rejected / warning rows to print (default 20)")
    v.add_argument("--strict", action="store_true", help="exit with 1 when a row is rejected or has a warning")
    v.set_defaults(func=_cmd_validate)
    t = sub.add_parser("template", help="write the blank Excel import template")
    t.add_argument("out", help="output .xlsx path")
    t.add_argument("--no-examples", action="store_true", help="leave out the example rows")
    t.set_defaults(func=_cmd_template)
    ps = sub.add_parser("pseudonymise", help="write a copy of a pool (or export folder) with ID numbers as keyed tokens")
    ps.add_argument("pool", help="pool folder or folder of exports")
    ps.add_argument("out", help="output pool folder (Parquet)")
    ps.add_argument("--key-file", default=None, help="file holding the key (at least 16 bytes)")
    ps.add_argument("--key-env", default=None, help="environment variable holding the key (default JIUZHU_PSEUDONYM_KEY)")
    ps.add_argument("--attributes", action="store_true",
                    help="keep birth date, sex and area code of each ID in companion columns")
    ps.add_argument("--no-truth", action="store_true", help="leave the hidden truth of a synthetic pool behind")
    ps.set_defaults(func=_cmd_pseudonymise)


__all__ = ["ENCODINGS", "EXAMPLE_PREFIX", "LEDGER_COLUMNS", "LoadError", "RawPart", "add_commands", "data_files",
           "detect_encoding", "example_rows", "format_summary", "is_pool_folder", "ledger_summary",
           "parse_amounts", "parse_dates", "read_exports", "read_file", "table_for_name", "validate_rows",
           "write_ledger", "write_template"]
