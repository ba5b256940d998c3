"""导入与校验 — loaders for real exports, validation with a full ledger, blank templates.

A pilot procuratorate points the package at a folder of exports from its own systems and
its partners'. :func:`read_exports` (also reached through ``DataPool.read(folder)`` and
``jiuzhu validate FOLDER``) reads them into a :class:`~jiuzhu_methods.DataPool` whose
``ledger`` accounts for every input row.

Files
-----
* ``.csv`` / ``.tsv`` / ``.txt`` — UTF-8, UTF-8 with BOM, GBK or GB18030, detected in that
  order (or given with ``encoding=``), and UTF-16 with its BOM; the delimiter (``,`` tab
  ``;`` ``|`` ``，``) is the one under which a top line names the most contract columns
  (:func:`_sniff_delimiter`: prose full of commas cannot win).
* ``.xlsx`` / ``.xlsm`` — one table per file (the file is named after the table) or one
  table per sheet (each sheet named after a table); see :func:`_read_excel` for sheets named
  after nothing (read when they carry the table's key header, noted when they hold no table).
  Sheets named 数据字典 / 说明 / ``data_dictionary`` / ``readme`` (those of
  :func:`write_template`) are skipped, as are empty sheets.
* ``.parquet`` — one table per file.

A file or sheet is assigned to a table by its name: the English table name or the Chinese
label (:func:`jiuzhu_methods.io.schema.table_by_label`), exactly or as a prefix / suffix
(``救助名单_民政局.csv`` and ``registries-2023.xlsx`` are ``registries``; the longest name
wins). Several files of one table are concatenated. A data file whose table cannot be told
is an error: nothing is skipped silently. ``meta.json`` (optional, one JSON object) adds to
``pool.meta``. A path that is no folder (missing, a file, a ``.zip``), a folder without data
files (only archives, say) and a malformed ``meta.json`` are :class:`LoadError` s too, with
one line each; an archive beside the exports is a file-level warning.

Headers may be the English column names, the Chinese labels or an alias
(:func:`header_column`; ``header_aliases`` in ``data/schema.yaml``: 身份证号码, 证件号码,
``id_no`` …), compared after NFKC, without invisible characters, case, spaces, underscores,
hyphens, and then without a trailing bracketed remark; up to five title lines above the
header row are skipped (and reported). A header that names no contract column is a
file-level warning (``pool.meta["load"]["warnings"]``, with the count of rows that held a
value; ``--strict`` fails on it); a row-number column (序号) only a note. A missing *required*
column is a :class:`LoadError` naming the file, the column and its Chinese label; a missing
optional column is added empty and reported.

Rows and the ledger
-------------------
Every data row of every file gets one ledger row: ``table``, ``file``, ``sheet``, ``row``
(the row number a spreadsheet or text editor shows, the header being row 1 unless title
lines precede it), ``key`` (the row key), ``status`` and ``reason``, plus ``warnings``.

``accepted``
    taken as it is.
``repaired``
    taken after a repair named in ``reason``: an ID number normalised (full-width, lower-case
    ``x``, separators, zero-width characters / BOM, 15 → 18 digits); a date parsed from
    ``2022/6/1``, ``2022.6.1``, ``2022年6月1日``, ``20220601`` or an Excel serial number
    (``44713``); a month (数据月份) parsed from ``2021-01``, ``2021年1月``, ``202101``
    (:func:`parse_months`: the month's first day); an amount parsed from
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
column's vocabulary (kept), a missing required text value, a duplicate row key; the
consistency checks of ``schema.CONSISTENCY`` (a negative amount, paid above due, a case
closed before it was filed …); against the reference date (:func:`decide_reference_date`,
never today's date) a date after it and an ID born after it (:func:`reference_checks`); a
key that joins no case or judgment (also counted per file, :func:`_references`). The
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

from ..core import identity
from . import schema
# the file kinds and the written-pool test live in .folders (shared with .pool); they stay names of
# this module too
from .folders import DATA_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES, TEXT_SUFFIXES, data_files, is_pool_folder
from .pool import DataPool, register_export_reader

#: encodings tried, in order, when none is given
ENCODINGS = ("utf-8-sig", "utf-8", "gbk", "gb18030")
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

    ``problems`` lists every problem found in the folder, each naming its file; one problem
    reads as one line (``cannot load the exports: …``), several as a list."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        if len(self.problems) == 1 and "\n" not in self.problems[0]:
            super().__init__("cannot load the exports: " + self.problems[0])
        else:
            super().__init__("cannot load the exports:\n  - " + "\n  - ".join(self.problems))


# --------------------------------------------------------------------------- names
def _norm_label(s: object) -> str:
    """A file, sheet or header name as compared (:func:`schema.normalise_header`)."""
    return schema.normalise_header(s)


def table_for_name(name: str) -> str | None:
    """The table a file stem or sheet name refers to (English name or Chinese label, exact,
    or as a prefix/suffix — the longest wins), or ``None``."""
    n = _norm_label(name)
    labels = {_norm_label(k): v for k, v in schema.table_by_label().items() if not schema.TABLES[v].truth}
    if n in labels:
        return labels[n]
    hits = [(len(k), v) for k, v in labels.items() if n.startswith(k) or n.endswith(k)]
    return max(hits)[1] if hits else None


def header_column(table: str, header: object) -> tuple[str, int] | None:
    """The contract column an export header names in ``table`` and how: ``(column, 0)`` for its
    English name or Chinese label, ``(column, 1)`` for an alias (``schema.yaml``
    ``header_aliases``), each compared after :func:`schema.normalise_header` and, failing that,
    without a trailing remark in brackets or ``*`` (``救助金额（元）``); ``None`` when it names none."""
    lookup = schema.header_lookup(table)
    hit = lookup.get(_norm_label(header))
    if hit is None:
        hit = lookup.get(schema.normalise_header(header, remark=True))
    return hit


# --------------------------------------------------------------------------- raw reading
@dataclass
class RawPart:
    """One table's rows from one file (or sheet), as read: object columns, ``_row`` numbers.

    ``notes`` are what the ledger reports about the file; ``warnings`` the file-level findings
    that need a look (a header that names no contract column …: ``--strict`` fails on them)."""

    table: str
    file: str
    sheet: str
    frame: pd.DataFrame
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def detect_encoding(data: bytes) -> str:
    """The first of :data:`ENCODINGS` that decodes ``data`` (BOM first: UTF-8's, or UTF-16's —
    Excel's "Unicode text" export); :class:`UnicodeDecodeError` if none."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) % 2 == 0:
        try:
            data.decode("utf-16")
            return "utf-16"
        except UnicodeDecodeError:
            pass
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


#: delimiters tried, in order of preference on a tie (the full-width comma last: it is the
#: comma of Chinese prose, a delimiter only when the header says so)
DELIMITERS = (",", "\t", ";", "|", "，")
#: characters of a text export read to choose its delimiter
SNIFF_CHARS = 1 << 20


def _sniff_delimiter(text: str, suffix: str, table: str | None = None) -> str:
    """The delimiter of a text export: the one under which a line among the first
    :data:`MAX_TITLE_LINES` + 1 records names the most contract columns of ``table`` (so that
    the commas, full-width commas and semicolons of prose in a 正文 / 信访事项 cell cannot
    win); when no delimiter gives a header (or no table is known), the one most frequent in
    the busiest of the first lines (title lines have none). ``.tsv`` prefers tab on a tie."""
    import itertools

    order = ("\t",) + tuple(d for d in DELIMITERS if d != "\t") if suffix == ".tsv" else DELIMITERS
    if table is not None:
        best, score = None, 0
        head = text[:SNIFF_CHARS]      # the top records only (a whole registry need not be copied)
        for d in order:
            try:
                records = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=d, strict=False),
                                                MAX_TITLE_LINES + 1))
            except csv.Error:
                continue
            k = max((len({h[0] for h in map(lambda c: header_column(table, c), r) if h}) for r in records), default=0)
            if k > score:
                best, score = d, k
        if best is not None:
            return best
    if suffix == ".tsv":
        return "\t"
    lines = [ln for ln in text.splitlines()[: MAX_TITLE_LINES + 2] if ln.strip()]
    best, n = ",", 0
    for d in DELIMITERS:
        k = max((ln.count(d) for ln in lines), default=0)
        if k > n:
            best, n = d, k
    return best


def _header_row(grid: pd.DataFrame, table: str) -> tuple[int | None, set[str]]:
    """The header row among the top :data:`MAX_TITLE_LINES` + 1 lines of ``grid`` — the one
    naming the most columns of ``table`` (the first on a tie) — and the columns it names;
    ``(None, set())`` when none names any."""
    best, cols = None, set()
    for i in range(min(MAX_TITLE_LINES + 1, len(grid))):
        named = {h[0] for v in grid.iloc[i].tolist() if not _blank(v) for h in [header_column(table, v)] if h}
        if len(named) > len(cols):
            best, cols = i, named
    return best, cols


def _grid_to_frame(grid: pd.DataFrame, table: str, where: str) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Find the header row (:func:`_header_row`), map headers to contract names
    (:func:`header_column`), return the data rows (object) with a ``_row`` column, the notes
    and the file-level warnings (headers naming no contract column, whose values are not loaded)."""
    notes: list[str] = []
    warnings: list[str] = []
    header_at, _ = _header_row(grid, table)
    if header_at is None:
        if len(grid) == 0:
            return pd.DataFrame({"_row": pd.Series([], dtype="int64")}), notes, warnings
        raise LoadError([f"{where}: no header row naming a column of {table} "
                         f"({schema.TABLES[table].label}) in the first {MAX_TITLE_LINES + 1} lines"])
    if header_at:
        notes.append(f"{where}: {header_at} title line(s) above the header skipped")
    headers = grid.iloc[header_at].tolist()
    data = grid.iloc[header_at + 1:]
    n = len(data)
    t = schema.TABLES[table]
    chosen: dict[str, tuple[int, int, str]] = {}  # column → (rank, position, header)
    unmapped: list[tuple[int, str]] = []
    for j, h in enumerate(headers):
        if _blank(h):
            unmapped.append((j, ""))
            continue
        hit = header_column(table, h)
        if hit is None:
            unmapped.append((j, str(h).strip()))
            continue
        name, rank = hit
        if name in chosen:
            r0, j0, h0 = chosen[name]
            if rank == r0:
                raise LoadError([f"{where}: two headers name column {name} ({t.columns[name].label}): "
                                 f"'{h0}' and '{str(h).strip()}'; rename or remove one"])
            if rank < r0:
                chosen[name] = (rank, j, str(h).strip())
                h, j = h0, j0
            unmapped.append((j, str(h).strip(), name))
            continue
        chosen[name] = (rank, j, str(h).strip())
    aliased = [f"'{h}' → {c}" for c, (r, j, h) in chosen.items() if r > 0]
    if aliased:
        notes.append(f"{where}: header(s) read by alias: {', '.join(aliased)}")
    row_numbers = []
    for item in unmapped:
        j, h = item[0], item[1]
        filled = int((~_blank_series(data.iloc[:, j])).sum()) if n else 0
        if not h:
            if filled:
                warnings.append(f"{where}: unnamed column {j + 1} not loaded ({filled} of {n} rows hold a value)")
            continue
        if len(item) == 3:
            c = item[2]
            warnings.append(f"{where}: column '{h}' also names {c} ({t.columns[c].label}), read from "
                            f"'{chosen[c][2]}'; this one not loaded ({filled} of {n} rows hold a value)")
        elif _norm_label(h) in schema.ROW_NUMBER_HEADERS:
            row_numbers.append(h)
        else:
            warnings.append(f"{where}: column '{h}' is no column of {table} ({t.label}): not loaded "
                            f"({filled} of {n} rows hold a value)")
    if row_numbers:
        notes.append(f"{where}: row-number column(s) not loaded: {', '.join(row_numbers)}")
    cols = {name: data.iloc[:, j] for name, (r, j, h) in chosen.items()}
    out = pd.DataFrame(cols, index=data.index).astype("object")
    out["_row"] = np.arange(header_at + 2, header_at + 2 + n, dtype="int64")
    return out.reset_index(drop=True), notes, warnings


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
    sep = _sniff_delimiter(text, path.suffix.lower(), table)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False))
    except csv.Error as exc:
        raise LoadError([f"{path.name}: not a readable {sep!r}-separated table ({exc})"]) from None
    while rows and not any(c.strip() for c in rows[-1]) and len(rows[-1]) <= 1:
        rows.pop()  # trailing empty lines are not records (a line of empty fields ",,," is)
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype="object")
    frame, notes, warnings = _grid_to_frame(grid.astype("object"), table, path.name)
    if sep != ",":
        notes.append(f"{path.name}: delimiter {sep!r}")
    return RawPart(table, path.name, "", frame, enc, notes, warnings)


def _read_excel(path: Path, file_table: str | None) -> list[RawPart]:
    """The table sheets of a workbook. A sheet named after a table holds that table; in a
    workbook named after a table (``执行案件.xlsx``) a sheet whose header names the table's key
    column holds it too (several such sheets are joined), and so does a lone sheet. Any other
    sheet is an error when its header names the key column of some table (data that cannot be
    placed), else it is not read and a note in the ledger says so (a 汇总 / 备注 sheet)."""
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
            frame, notes, warnings = _grid_to_frame(grid, table, f"{path.name}[{sheet}]")
            parts.append(RawPart(table, path.name, str(sheet), frame, "xlsx", notes, warnings))
        except LoadError as exc:
            problems += exc.problems
    lone = file_table is not None and len(unassigned) == 1 and not parts and not problems
    not_read = []
    for sheet, grid in unassigned:
        where = f"{path.name}[{sheet}]"
        holds = file_table is not None and _holds_key(grid, file_table)
        if holds or lone:
            try:
                frame, notes, warnings = _grid_to_frame(grid, file_table, where)
                parts.append(RawPart(file_table, path.name, str(sheet), frame, "xlsx", notes, warnings))
            except LoadError as exc:
                problems += exc.problems
        elif any(_holds_key(grid, t) for t in schema.CONTRACT_TABLES):
            problems.append(f"{where}: cannot tell which table this sheet holds; "
                            "name the sheet (or a one-sheet file) after a table, e.g. 检察案件 or proc_cases")
        else:
            not_read.append(str(sheet))
    if problems:
        raise LoadError(problems)
    if not_read:
        note = (f"{path.name}: sheet(s) {', '.join(not_read)} hold no contract table "
                "(no header naming a table's key column): not read")
        if parts:
            parts[0].notes.append(note)
        else:
            raise LoadError([f"{path.name}: no sheet holds a contract table (sheets {', '.join(not_read)}: "
                             "no header naming a table's key column); name each table sheet after its table"])
    return parts


def _holds_key(grid: pd.DataFrame, table: str) -> bool:
    """Whether a line among the top of ``grid`` names every key column of ``table``."""
    _, cols = _header_row(grid, table)
    return set(schema.TABLES[table].key) <= cols


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
    frame, notes, warnings = _grid_to_frame(grid.astype("object"), table, path.name)
    return RawPart(table, path.name, "", frame, "parquet", notes, warnings)


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


_MONTH_RE = r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$"


def parse_months(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parse a column of months (数据月份, the snapshot month) as exported: ``(values, repaired,
    bad)`` like :func:`parse_dates`, each value the first day of its month. ``2021-01``,
    ``2021/1``, ``2021.01``, ``2021年1月`` and ``202101`` (text or a number cell) are months;
    any date :func:`parse_dates` reads is taken to its month's first day (a repair unless it
    was already an ISO first day).

    >>> v, rep, bad = parse_months(pd.Series(["2021-01", "2021年1月", "202101", 202101, "2021-01-01", "2021-01-15", "2021-13", None], dtype=object))
    >>> v.dt.strftime("%Y-%m-%d").tolist()[:6], rep.tolist(), bad.tolist()
    (['2021-01-01', '2021-01-01', '2021-01-01', '2021-01-01', '2021-01-01', '2021-01-01'], [True, True, True, True, False, True, False, False], [False, False, False, False, False, False, True, False])
    """
    s = s.astype("object")
    present = ~_blank_series(s)
    num6 = pd.Series(False, index=s.index) if _all_text(s) else s.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and not _isna(v)
        and float(v).is_integer() and 100000 <= v <= 999999).astype(bool)
    text = _nfkc_text(s.where(~num6, s.map(lambda v: str(int(v)) if isinstance(v, (int, float, np.integer, np.floating))
                                                 and not isinstance(v, bool) and not _isna(v) else v)), present)
    m = text.str.extract(_MONTH_RE)
    month = m[1].fillna(m[2])
    is_month = m[0].notna() & month.notna()
    out, repaired, bad = parse_dates(s.where(~is_month, None))
    if is_month.any():
        y = pd.to_numeric(m[0][is_month]).astype("int64")
        mo = pd.to_numeric(month[is_month]).astype("int64")
        ok = y.between(1900, 2100) & mo.between(1, 12)
        first = pd.to_datetime(pd.DataFrame({"year": y.where(ok, 1900), "month": mo.where(ok, 1), "day": 1}))
        out[is_month] = first.where(ok).astype("datetime64[us]")
        repaired[is_month] = ok
        bad[is_month] = ~ok
    off_day = out.notna() & (out.dt.day != 1)
    if off_day.any():
        out[off_day] = out[off_day].dt.to_period("M").dt.start_time.astype("datetime64[us]")
        repaired[off_day] = True
    return out.astype("datetime64[us]"), repaired.astype(bool), bad.astype(bool)


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


def validate_rows(table: str, raw: pd.DataFrame, *, duplicates: str = "reject",
                  reference: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate and repair one table's raw rows (object columns named by the contract, plus
    ``_file``, ``_sheet``, ``_row``). Returns ``(frame, ledger)``: the accepted and repaired
    rows with the contract's dtypes, and one ledger row per input row. ``reference`` (a date)
    adds the checks against the reference date: dates after it and ID numbers born after it
    (:func:`reference_checks`)."""
    frame, ledger = _validate(table, raw, duplicates=duplicates)
    if reference is not None:
        live = (ledger["status"] != "rejected").to_numpy()
        ledger["warnings"] = _merge(ledger["warnings"], reference_checks(table, frame, pd.Timestamp(reference)).where(live, ""))
    keep = (ledger["status"] != "rejected").to_numpy()
    return frame.loc[keep].reset_index(drop=True), ledger.reset_index(drop=True)


def _validate(table: str, raw: pd.DataFrame, *, duplicates: str = "reject") -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`validate_rows` without the reference-date checks, the frame holding every input
    row (rejected ones too) on the ledger's index."""
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
            month = col.precision == "month"
            v, rep, bad = _by_unique(parse_months if month else parse_dates, s)
            what = "month" if month else "date"
            if rep.any():
                reason_rep = _add(reason_rep, rep, f"{where}: {what} parsed from '" + _quote(s) + "'"
                                  + (" (first day of the month)" if month else ""))
            if col.required:
                reason_rej = _add(reason_rej, bad, f"{where}: unreadable {what} '" + _quote(s) + "'")
                reason_rej = _add(reason_rej, v.isna() & ~bad, f"{where}: missing")
            else:
                reason_rep = _add(reason_rep, bad, f"{where}: unreadable {what} '" + _quote(s) + "' set missing")
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
            if schema.CONSISTENCY["non_negative"]:
                warn = _add(warn, (v < 0).fillna(False).astype(bool), f"{where}: negative amount, kept")
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
    # consistency within a row (schema.yaml `consistency`): kept, with a warning
    for tn, first, second in schema.CONSISTENCY["date_order"]:
        if tn == table:
            warn = _add(warn, (frame[second] < frame[first]).fillna(False).astype(bool),
                        f"{second} ({t.columns[second].label}) before {first} ({t.columns[first].label}), kept")
    for tn, small, large in schema.CONSISTENCY["amount_order"]:
        if tn == table:
            warn = _add(warn, (frame[small] > frame[large]).fillna(False).astype(bool),
                        f"{small} ({t.columns[small].label}) exceeds {large} ({t.columns[large].label}), kept")
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
    from ..privacy import mask_ids_in_text

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
    return frame, ledger


def reference_checks(table: str, frame: pd.DataFrame, reference: pd.Timestamp) -> pd.Series:
    """Warnings (one text per row, ``""`` for none) of ``table``'s validated rows against the
    reference date: a date after it, and an ID number whose birth date is after it (then an
    invalid ID, reason ``birth_date``; kept, as every invalid ID)."""
    t = schema.spec(table)
    ref = pd.Timestamp(reference).normalize()
    day = ref.strftime("%Y-%m-%d")
    warn = pd.Series("", index=frame.index, dtype="str")
    if not schema.CONSISTENCY["future_dates"]:
        return warn
    for name, col in t.columns.items():
        if name not in frame.columns:
            continue
        if col.type == "date":
            late = (frame[name] > ref).fillna(False).astype(bool)
            if late.any():
                warn = _add(warn, late, f"{name} ({col.label}): date " + frame[name].dt.strftime("%Y-%m-%d").fillna("")
                            + f" after the reference date {day}, kept")
        elif name in _id_columns(table):
            s = frame[name]
            before = identity.check_series(s, normalised=True)
            after = identity.check_series(s, normalised=True, reference=ref.date())
            born_late = s.notna() & (before == "") & (after == "birth_date")
            warn = _add(warn, born_late, f"{name} ({col.label}): invalid ID number (birth_date: born after the "
                                         f"reference date {day}), kept")
    return warn


# --------------------------------------------------------------------------- folder
#: archives: never read (unpack them); a folder holding only archives is an error
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz"}
#: an inferred reference date leaves out a latest date more than this many days after the
#: next earlier date of the exports (a typo such as 2032 for 2023), and so on downwards
ISOLATED_DAYS = 366


def _folder_problem(d: Path) -> str | None:
    """Why ``d`` cannot be read as a folder of exports (one line), or ``None``."""
    if d.is_dir():
        return None
    if not d.exists():
        return f"{d}: no such folder"
    if d.suffix.lower() in ARCHIVE_SUFFIXES:
        return (f"{d.name} is a {d.suffix.lower()} archive, not a folder: unpack it "
                f"(e.g. unzip {d.name} -d 导出目录) and validate the folder")
    return f"{d.name} is a file, not a folder: put the export files in one folder and validate that folder"


def _read_meta(d: Path, meta: dict | None) -> tuple[dict, list[str]]:
    """``meta.json`` of an export folder merged under ``meta``, and the problems found in it."""
    m = dict(meta or {})
    mp = d / "meta.json"
    if not mp.exists():
        return m, []
    try:
        loaded = json.loads(mp.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return m, ["meta.json: not UTF-8 text"]
    except ValueError as exc:
        return m, [f"meta.json: not valid JSON ({exc})"]
    if not isinstance(loaded, dict):
        return m, [f"meta.json: must hold one JSON object ({{\"county\": …}}), not a {type(loaded).__name__}"]
    return {**loaded, **m}, []


def _as_reference(value: Any, where: str) -> pd.Timestamp:
    """A reference date given by the user (``meta.json``, ``reference_date=``) as a day; a
    :class:`LoadError` naming ``where`` when it is no date."""
    v, _, bad = parse_dates(pd.Series([value], dtype="object"))
    if bad.iloc[0] or pd.isna(v.iloc[0]):
        raise LoadError([f"{where}: reference_date {str(value)[:QUOTE_MAX]!r} is not a date (write it as 2023-06-30)"])
    return pd.Timestamp(v.iloc[0])


def decide_reference_date(frames: dict[str, pd.DataFrame], meta: dict | None = None,
                          explicit: Any = None) -> tuple[pd.Timestamp | None, str]:
    """The reference date (基准日) of a folder of exports, and where it comes from.

    Future dates and ID numbers born in the future are judged against it — never against
    today's date. In order: ``explicit`` (``read_exports(reference_date=…)``, ``jiuzhu
    validate --reference-date``); ``meta["reference_date"]`` (``meta.json``, as a written pool
    has it); else the latest date of the validated rows of ``frames`` — leaving out a latest
    date that lies more than :data:`ISOLATED_DAYS` after the next earlier date of the exports
    (a typo such as 2032 for 2023; such a date is then reported as a future date), and so on
    downwards. ``(None, …)`` when there is no date at all.

    >>> f = {"petitions": pd.DataFrame({"received_on": pd.to_datetime(["2022-01-05", "2022-12-30", "2032-01-01"])})}
    >>> decide_reference_date(f)
    (Timestamp('2022-12-30 00:00:00'), 'the latest date of the exports (petitions.received_on; 1 later date(s) more than 366 days after all others left out)')
    >>> decide_reference_date(f, {"reference_date": "2023-06-30"})[0]
    Timestamp('2023-06-30 00:00:00')
    """
    if explicit is not None:
        return _as_reference(explicit, "reference date given"), "given (reference_date=)"
    if meta and meta.get("reference_date") not in (None, ""):
        return _as_reference(meta["reference_date"], "meta.json"), "meta.json reference_date"
    found = []
    for table, df in frames.items():
        for name, col in schema.TABLES[table].columns.items():
            if col.type == "date" and name in df.columns:
                s = df[name].dropna()
                if len(s):
                    found.append(pd.DataFrame({"date": s.to_numpy(dtype="datetime64[us]"), "where": f"{table}.{name}"}))
    if not found:
        return None, "no date in the exports"
    dates = pd.concat(found, ignore_index=True)
    distinct = np.unique(dates["date"].to_numpy())
    top = len(distinct) - 1
    while top > 0 and (distinct[top] - distinct[top - 1]) > np.timedelta64(ISOLATED_DAYS, "D"):
        top -= 1                                    # one step per isolated date (a handful at most)
    ref = pd.Timestamp(distinct[top])
    where = ", ".join(sorted(set(dates.loc[dates["date"] == distinct[top], "where"])))
    left = int((dates["date"] > distinct[top]).sum())
    extra = f"; {left} later date(s) more than {ISOLATED_DAYS} days after all others left out" if left else ""
    return ref, f"the latest date of the exports ({where}{extra})"


def _merge(msgs: pd.Series, extra: pd.Series) -> pd.Series:
    """Row texts joined with ``; `` where both are non-empty."""
    extra = pd.Series(extra, index=msgs.index, dtype="str").fillna("")
    return _add(msgs, extra.str.len() > 0, extra)


def _references(frames: dict[str, pd.DataFrame], ledgers: dict[str, pd.DataFrame],
                present: set[str]) -> tuple[list[str], list[str]]:
    """Referential integrity (``references`` in schema.yaml: parties → cases, documents →
    cases, court parties and enforcements → judgments): a row whose key joins no kept row of
    the referenced table gets a ledger warning (kept), and each file a warning with the count
    and up to three example keys — with a hint when the keys join once leading zeros are
    ignored (keys that were number cells in Excel). Returns ``(warnings, notes)``."""
    warnings, notes = [], []
    for table, frame in frames.items():
        t = schema.TABLES[table]
        led = ledgers[table]
        live = (led["status"] != "rejected").to_numpy()
        for name, col in t.columns.items():
            if not col.references:
                continue
            rtable, rcol = col.references.split(".")
            if rtable not in present:
                if live.any() and frame.loc[live, name].notna().any():
                    notes.append(f"{table}.{name} ({col.label}) not checked against {rtable} "
                                 f"({schema.TABLES[rtable].label}): that table is not in the exports")
                continue
            rframe, rled = frames[rtable], ledgers[rtable]
            keys = rframe.loc[(rled["status"] != "rejected").to_numpy(), rcol].dropna()
            v = frame[name]
            orphan = pd.Series(live, index=v.index) & v.notna() & ~v.isin(keys)
            if not orphan.any():
                continue
            rlabel = schema.TABLES[rtable].label
            led["warnings"] = _add(led["warnings"], orphan,
                                   f"{name} ({col.label}): '" + _quote(v) + f"' joins no {rtable} ({rlabel}) row, kept")
            stripped = set(keys.astype("str").str.lstrip("0"))
            zeros = orphan & v.astype("str").str.lstrip("0").isin(stripped)
            where = led["file"] + np.where(led["sheet"] != "", "[" + led["sheet"] + "]", "")
            for w in pd.unique(where[orphan]):
                mine = orphan & (where == w)
                k = int(mine.sum())
                ex = ", ".join(pd.unique(v[mine].astype("str"))[:3])
                hint = ""
                z = int((zeros & mine).sum())
                if z:
                    hint = (f"; {z} of them join once leading zeros are ignored (keys stored as numbers in "
                            "Excel? keep key columns as text)")
                warnings.append(f"{w}: {k} row(s) whose {name} ({col.label}) joins no {rtable} ({rlabel}) row, "
                                f"e.g. {ex}{hint}")
    return warnings, notes


def read_exports(directory: str | Path, *, encoding: str | None = None, duplicates: str = "reject",
                 meta: dict | None = None, reference_date: Any = None, verbose: bool = False) -> "DataPool":
    """Read a folder of exports into a validated :class:`~jiuzhu_methods.DataPool` with ``ledger``.

    ``encoding`` forces one encoding for every text file (default: detected per file).
    ``reference_date`` (else ``meta.json``'s, else the latest date of the exports: see
    :func:`decide_reference_date`) is the day future dates and future birth dates are judged by.
    File-level problems of all files are collected and raised together as one
    :class:`LoadError` (a missing folder, a zip or other file given instead of a folder, a
    folder without data files, a malformed ``meta.json`` are such problems too).
    ``pool.meta["load"]`` records files, encodings, the reference date and where it came
    from, ``notes`` (title lines, aliases read, sheets not read …) and ``warnings``
    (file-level findings that need a look: columns not loaded, keys that join nothing, an
    archive beside the exports; ``jiuzhu validate --strict`` fails on them; each is also in
    ``notes``); ``pool.meta["vocabulary"]`` the out-of-vocabulary values.
    """
    ref_arg = reference_date
    d = Path(directory)
    problem = _folder_problem(d)
    if problem:
        raise LoadError([problem])
    m, problems = _read_meta(d, meta)
    parts: list[RawPart] = []
    files = data_files(d)
    archives = sorted(p.name for p in d.iterdir() if p.is_file() and p.suffix.lower() in ARCHIVE_SUFFIXES
                      and not p.name.startswith((".", "~$")))
    if not files:
        others = sorted(p.name + ("/" if p.is_dir() else "") for p in d.iterdir() if not p.name.startswith("."))
        if archives:
            problems.append(f"{d.name}: holds no data files, only the archive(s) {', '.join(archives)}: "
                            "unpack them into the folder and validate again")
        else:
            problems.append(f"{d.name}: holds no data files (CSV, .xlsx, Parquet)"
                            + (f"; found only {', '.join(others[:10])}" if others else ": the folder is empty")
                            + (" (sub-folders are not read)" if any(o.endswith("/") for o in others) else ""))
        raise LoadError(problems)
    for p in files:
        try:
            parts += read_file(p, encoding=encoding)
        except LoadError as exc:
            problems += exc.problems
    notes = [n for part in parts for n in part.notes]
    warnings = [w for part in parts for w in part.warnings]
    for p in sorted(d.iterdir()):
        if not p.is_file() or p.name.startswith((".", "~$")) or p.suffix.lower() in DATA_SUFFIXES \
                or p.name == "meta.json":
            continue
        if p.suffix.lower() in SPREADSHEET_ONLY:
            problems.append(f"{p.name}: {p.suffix} workbooks cannot be read; save it as .xlsx (or CSV)")
        elif p.suffix.lower() in ARCHIVE_SUFFIXES:
            warnings.append(f"{p.name}: an archive, not read; unpack it into the folder if it holds exports")
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
    try:
        ref, ref_source = None, ""
        if ref_arg is not None or m.get("reference_date") not in (None, ""):
            ref, ref_source = decide_reference_date({}, m, ref_arg)
    except LoadError as exc:
        problems += exc.problems
    if problems:
        raise LoadError(problems)
    frames, ledgers = {}, {}
    for table in schema.CONTRACT_TABLES:
        mine = [p for p in parts if p.table == table]
        if not mine:
            continue
        raw = pd.concat([p.frame.assign(_file=p.file, _sheet=p.sheet) for p in mine], ignore_index=True)
        raw = raw.astype({c: "object" for c in raw.columns if c not in ("_row",)})
        frames[table], ledgers[table] = _validate(table, raw, duplicates=duplicates)
    kept = {t: f.loc[(ledgers[t]["status"] != "rejected").to_numpy()] for t, f in frames.items()}
    if not ref_source:
        ref, ref_source = decide_reference_date(kept, m)
    before = {table: led["warnings"].copy() for table, led in ledgers.items()}
    if ref is not None:
        notes.append(f"reference date {ref:%Y-%m-%d}: {ref_source}"
                     + ("" if ref_source.startswith(("given", "meta.json")) else
                        " — give reference_date in meta.json (or --reference-date) to judge future dates by the "
                        "day the data were exported"))
        for table, frame in frames.items():
            led = ledgers[table]
            live = (led["status"] != "rejected").to_numpy()
            extra = reference_checks(table, frame, ref).where(live, "")
            led["warnings"] = _merge(led["warnings"], extra)
    ref_warnings, ref_notes = _references(frames, ledgers, set(frames))
    warnings += ref_warnings
    notes += ref_notes
    from ..privacy import mask_ids_in_text

    for table, led in ledgers.items():   # the warnings added here quote values: no ID number may pass
        changed = (led["warnings"] != before[table]).to_numpy()
        if changed.any():
            led.loc[changed, "warnings"] = mask_ids_in_text(led.loc[changed, "warnings"]).to_numpy()
    warnings = list(mask_ids_in_text(pd.Series(warnings, dtype="str"))) if warnings else []
    notes += [f"warning: {w}" for w in warnings]
    out = {t: f.loc[(ledgers[t]["status"] != "rejected").to_numpy()].reset_index(drop=True) for t, f in frames.items()}
    ledger = (pd.concat([ledgers[t].reset_index(drop=True) for t in ledgers], ignore_index=True) if ledgers else
              pd.DataFrame({c: pd.Series([], dtype="int64" if c == "row" else "str") for c in LEDGER_COLUMNS}))
    pc = out.get("proc_cases")
    if "county_code" not in m and pc is not None and pc["county_code"].notna().any():
        m["county_code"] = str(pc["county_code"].mode().iloc[0])
    m["load"] = {"folder": d.name, "files": sorted({p.file for p in parts}),
                 "encodings": {p.file: p.encoding for p in parts}, "notes": notes, "warnings": warnings,
                 "reference_date": None if ref is None else f"{ref:%Y-%m-%d}", "reference_source": ref_source}
    pool = DataPool.from_frames(out, meta=m)
    vocab = [schema.vocabulary_report(n, df) for n, df in pool.tables.items()]
    vocab = [v for v in vocab if len(v)]
    pool.meta["vocabulary"] = pd.concat(vocab, ignore_index=True).to_dict("records") if vocab else []
    pool.ledger = ledger
    if verbose:
        print(format_summary(ledger, notes))
    return pool


def strict_failures(pool) -> list[str]:
    """What makes ``jiuzhu validate --strict`` fail on a loaded pool: rejected rows, rows with
    warnings, and the file-level warnings (columns not loaded, keys that join nothing …)."""
    led = pool.ledger
    out = []
    if led is not None and len(led):
        rej = int((led["status"] == "rejected").sum())
        warned = int((led["warnings"].fillna("").str.len() > 0).sum())
        if rej:
            out.append(f"{rej} rejected row(s)")
        if warned:
            out.append(f"{warned} row(s) with warnings")
    files = pool.meta.get("load", {}).get("warnings", [])
    if files:
        out.append(f"{len(files)} file-level warning(s)")
    return out


# --------------------------------------------------------------------------- reporting
def ledger_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Counts per file and table: ``rows = accepted + repaired + rejected`` (``balanced``), and
    rows with warnings. Each count is taken over that file's own ledger rows (one grouping,
    in order of first appearance)."""
    cols = ["table", "file", "sheet", "rows", "accepted", "repaired", "rejected", "warnings", "balanced"]
    if ledger is None or len(ledger) == 0:
        return pd.DataFrame(columns=cols)
    status = ledger["status"].astype("str")
    g = pd.DataFrame({"table": ledger["table"], "file": ledger["file"], "sheet": ledger["sheet"],
                      "_n": 1, **{s: (status == s).astype("int64") for s in STATUSES},
                      "warnings": (ledger["warnings"].fillna("").astype("str").str.len() > 0).astype("int64")})
    out = g.groupby(["table", "file", "sheet"], sort=False).sum().reset_index().rename(columns={"_n": "rows"})
    out["balanced"] = out["rows"] == out["accepted"] + out["repaired"] + out["rejected"]
    return out[cols]


def format_summary(ledger: pd.DataFrame, notes: Iterable[str] = ()) -> str:
    """The counts per file and the notes as printed by ``jiuzhu validate`` (file names and
    notes masked by :func:`jiuzhu_methods.privacy.mask_text`)."""
    from ..privacy import mask_ledger, mask_text

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
    from ..privacy import excel_safe, mask_ledger, mask_text, mask_vocabulary, name_pattern, to_excel

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

    from ..privacy import excel_safe_value

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
                            "description": "说明 description", "aliases": "也可用的表头 aliases"})
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
        pool = read_exports(args.folder, encoding=args.encoding, duplicates=args.duplicates,
                            reference_date=args.reference_date)
    except LoadError as exc:
        print(str(exc))
        return 2
    from ..privacy import mask_ledger, mask_vocabulary, name_pattern, pool_names

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
    if args.strict and strict_failures(pool):
        print("strict: " + "; ".join(strict_failures(pool)))
        return 1
    return 0


def _cmd_template(args) -> int:
    p = write_template(args.out, examples=not args.no_examples)
    print(f"template written: {p}")
    return 0


def _cmd_pseudonymise(args) -> int:
    import warnings

    from ..privacy import KEY_ENV, load_key

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
    v.add_argument("--strict", action="store_true",
                   help="exit with 1 when a row is rejected or has a warning, or a file has a warning "
                        "(a column not loaded, keys that join nothing)")
    v.add_argument("--reference-date", default=None,
                   help="the day the data were exported (future dates are judged by it; default: meta.json's "
                        "reference_date, else the latest date of the exports)")
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


# DataPool.read hands a folder that is no written pool to read_exports (the pool knows nothing of
# the loaders: this module installs its reader, and importing jiuzhu_methods.io imports this module)
register_export_reader(read_exports)

__all__ = ["ARCHIVE_SUFFIXES", "DELIMITERS", "ENCODINGS", "EXAMPLE_PREFIX", "LEDGER_COLUMNS", "LoadError", "RawPart",
           "add_commands", "data_files", "decide_reference_date", "detect_encoding", "example_rows", "format_summary",
           "header_column", "is_pool_folder", "ledger_summary", "parse_amounts", "parse_dates", "parse_months",
           "read_exports", "read_file", "reference_checks", "strict_failures", "table_for_name", "validate_rows",
           "write_ledger", "write_template"]
