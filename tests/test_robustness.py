"""Robustness corpus: a pilot's exports with one thing wrong at a time (issue #16).

The inputs are generated here, at test time, from a small synthetic county
(``synth.generate("panan", scale=0.01, seed=5)``; the registries cut to their first 200 rows
and the documents to 60 to keep each class fast), written out as a pilot team would hand them
over — one CSV per table in UTF-8 with BOM, Chinese headers, files named by the Chinese table
label, a ``meta.json`` with the reference date — or into the blank import template
(:func:`loaders.write_template`). Nothing here is committed data.

The baseline is clean (every ID number valid, so that each class's finding is its own): it loads
with every row accepted, no warning, and ``--strict`` passes. Each class in :data:`CASES` then
corrupts one thing and names its outcome:

``loaded``        every row kept; ``text`` (if any) in the notes (e.g. "read by alias")
``repaired``      the target row is ``repaired`` and ``text`` is in its reason
``rejected``      the target row is ``rejected`` and ``text`` is in its reason
``warning``       the target row is kept with ``text`` in its warnings
``file_warning``  ``text`` is a file-level warning (``pool.meta["load"]["warnings"]``); ``--strict`` fails
``error``         a clear file-level error: ``jiuzhu validate`` prints one line containing ``text``, exit 2

For every class, ``jiuzhu validate`` runs in-process (``cli.main``) without a traceback; for
every loaded class the ledger accounts for every written row, file by file (the counts the
writer made, and ``ledger_summary(...)["balanced"]``), the pool holds exactly the rows not
rejected, and no row other than the target is rejected, repaired or warned about.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods.core import identity
from jiuzhu_methods.io import loaders, schema
from jiuzhu_methods.cli import main
from jiuzhu_methods.io.loaders import LoadError, ledger_summary, read_exports, write_template

COUNTY, SCALE, SEED = "panan", 0.01, 5
CUT = {"registries": 200, "proc_documents": 60}


# --------------------------------------------------------------------------- the exports
@dataclass
class Export:
    """What a pilot hands over: per table a frame of text cells (contract column names) and
    how it is written. A class mutates this, then :func:`write` puts it in a folder."""

    frames: dict[str, pd.DataFrame]
    meta: dict | None
    fmt: dict[str, str] = field(default_factory=dict)        # table → csv / txt / tsv / xlsx / template
    stem: dict[str, str] = field(default_factory=dict)       # table → file name without suffix
    headers: dict[str, list[str]] = field(default_factory=dict)
    encoding: dict[str, str] = field(default_factory=dict)
    sep: dict[str, str] = field(default_factory=dict)
    titles: dict[str, list[str]] = field(default_factory=dict)   # title lines above the header
    sheet: dict[str, str] = field(default_factory=dict)      # xlsx sheet name
    cells: dict[str, dict[tuple[int, str], object]] = field(default_factory=dict)  # xlsx typed cells
    after: list[Callable[[Path], None]] = field(default_factory=list)  # raw edits of the folder
    written: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, sheet) → data rows
    files: dict[str, str] = field(default_factory=dict)      # table → file name

    def set(self, table: str, i: int, column: str, value) -> None:
        self.frames[table].loc[i, column] = value

    def header(self, table: str, column: str, new: str) -> None:
        h = self.headers.setdefault(table, [schema.TABLES[table].columns[c].label for c in self.frames[table].columns])
        h[list(self.frames[table].columns).index(column)] = new

    def add_column(self, table: str, header: str, values) -> None:
        df = self.frames[table]
        h = self.headers.setdefault(table, [schema.TABLES[table].columns[c].label for c in df.columns])
        df[f"_extra{len(h)}"] = values
        h.append(header)


def _text_cells(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """The contract frame as an export's text cells: dates YYYY-MM-DD, amounts as Python
    prints them, missing values empty."""
    out = pd.DataFrame(index=range(len(df)))
    for name, col in schema.TABLES[table].columns.items():
        s = df[name].reset_index(drop=True)
        if col.type == "date":
            out[name] = s.dt.strftime("%Y-%m-%d").astype("object")
        elif col.type == "float":
            out[name] = s.map(lambda v: "" if pd.isna(v) else str(float(v))).astype("object")
        else:
            out[name] = s.astype("object")
        out[name] = out[name].where(pd.notna(out[name]), "")
    return out.astype("object")


@pytest.fixture(scope="module")
def county():
    synth = pytest.importorskip("jiuzhu_methods.synth")
    pool = synth.generate(COUNTY, scale=SCALE, seed=SEED)
    frames = {}
    for t in schema.CONTRACT_TABLES:
        df = pool[t][schema.TABLES[t].column_names]
        df = df.iloc[: CUT.get(t, len(df))].copy()
        # the generator's ID noise (typos, 15-digit, padding) is covered by classes of its own:
        # the baseline carries only valid, normalised IDs (or none)
        for c in df.columns:
            if c.endswith("id_number"):
                df[c] = identity.usable_ids(df[c])
        frames[t] = _text_cells(t, df)
    meta = {"county": COUNTY, "county_code": pool.meta["county_code"], "reference_date": pool.meta["reference_date"]}
    return frames, meta


def fresh(county) -> Export:
    frames, meta = county
    return Export({t: df.copy() for t, df in frames.items()}, dict(meta))


def _label_headers(e: Export, t: str) -> list[str]:
    return e.headers.get(t) or [schema.TABLES[t].columns[c].label for c in e.frames[t].columns]


def write(e: Export, d: Path) -> Path:
    """Write ``e`` into folder ``d`` and record the data rows written per (file, sheet)."""
    d.mkdir(parents=True, exist_ok=True)
    template_tables = [t for t in e.frames if e.fmt.get(t) == "template"]
    for t, df in e.frames.items():
        fmt = e.fmt.get(t, "csv")
        if fmt == "template":
            continue
        header = _label_headers(e, t)
        stem = e.stem.get(t, schema.TABLES[t].label)
        rows = [header] + df.astype("object").values.tolist()
        if fmt == "xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = e.sheet.get(t, "Sheet1")
            for line in e.titles.get(t, []):
                ws.append([line])
            for i, r in enumerate(rows):
                cells = [None if v == "" else v for v in r]
                for (ri, col), v in e.cells.get(t, {}).items():
                    if ri + 1 == i:
                        cells[list(df.columns).index(col)] = v
                ws.append(cells)
            name = f"{stem}.xlsx"
            wb.save(d / name)
            e.written[(name, ws.title)] = len(df)
        else:
            buf = io.StringIO()
            for line in e.titles.get(t, []):
                buf.write(line + "\r\n")
            w = csv.writer(buf, delimiter=e.sep.get(t, "\t" if fmt == "tsv" else ","), lineterminator="\r\n")
            w.writerows(rows)
            name = f"{stem}.{fmt}"
            (d / name).write_bytes(buf.getvalue().encode(e.encoding.get(t, "utf-8-sig")))
            e.written[(name, "")] = len(df)
        e.files[t] = name
    if template_tables:
        from openpyxl import load_workbook

        p = write_template(d / "导入模板.xlsx", examples=e.meta is not None and e.meta.get("_examples", False))
        wb = load_workbook(p)
        for t in template_tables:
            ws = wb[schema.TABLES[t].label]
            start = 2 + (2 if e.meta.get("_examples") else 0)
            for i, r in enumerate(e.frames[t].astype("object").values.tolist()):
                for j, v in enumerate(r, start=1):
                    ws.cell(row=start + i, column=j, value=None if v == "" else v)
            e.written[(p.name, ws.title)] = len(e.frames[t]) + (2 if e.meta.get("_examples") else 0)
            e.files[t] = p.name
        if e.meta.get("_examples"):
            for t in schema.CONTRACT_TABLES:
                if t not in template_tables:
                    e.written[(p.name, schema.TABLES[t].label)] = 2
        wb.save(p)
    if e.meta is not None:
        (d / "meta.json").write_text(json.dumps({k: v for k, v in e.meta.items() if not k.startswith("_")},
                                                ensure_ascii=False), encoding="utf-8")
    for f in e.after:
        f(d)
    return d


# --------------------------------------------------------------------------- the classes
@dataclass
class Case:
    name: str
    mutate: Callable[[Export], None]
    outcome: str                      # loaded / repaired / rejected / warning / file_warning / error
    text: str = ""
    table: str | None = None          # the target row: table and data index (or index(frames))
    index: int | Callable[[dict], int] = 0
    args: tuple[str, ...] = ()        # extra arguments of jiuzhu validate
    folder: Callable[[Path], Path] | None = None   # validate this path instead of the folder
    also: set | Callable[[dict], set] = field(default_factory=set)   # other rows the corruption touches
    strict: int | None = None         # expected exit code of validate --strict (None: not run)
    check: Callable | None = None     # more assertions: check(pool, e)


def _prose(e):
    # a document whose first record carries more full-width commas, commas and semicolons than
    # the header has separators
    e.set("proc_documents", 0, "text", "经查，" * 40 + "被害人称：赔偿未到位, 生活困难; 请求救助，" * 5)


def _tsv(e):
    e.fmt["petitions"] = "txt"
    e.sep["petitions"] = "\t"


def _leading_zeros(e):
    # 检察案件 keeps the key "000123" as text; the parties' workbook lost the zeros (a number cell)
    old = e.frames["proc_cases"].loc[0, "case_id"]
    e.set("proc_cases", 0, "case_id", "000123")
    for df in (e.frames["proc_parties"], e.frames["proc_documents"]):
        df.loc[df["case_id"] == old, "case_id"] = "000123"
    mask = e.frames["proc_parties"]["case_id"] == "000123"
    e.frames["proc_parties"].loc[mask, "case_id"] = "123"


def _leading_zero_rows(frames):
    old = frames["proc_cases"].loc[0, "case_id"]
    return {("proc_parties", int(i)) for i in np.flatnonzero(frames["proc_parties"]["case_id"] == old)}


def _id(area="330727", birth="1980-01-01", order=7):
    return str(identity.make_ids(np.array([area]), np.array([birth], dtype="datetime64[D]"), np.array([order]))[0])


def _zip_folder(d: Path) -> Path:
    z = d.parent / "exports.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in d.iterdir():
            f.write(p, p.name)
    return z


def _only_zip(d: Path) -> None:
    z = _zip_folder(d)
    for p in list(d.iterdir()):
        p.unlink()
    shutil.move(str(z), d / "exports.zip")


def _examples_template(e):
    e.fmt["judicial_aid"] = "template"
    e.meta["_examples"] = True


def _two_sheets(e):
    # 执行案件.xlsx: the table split over sheets 2021 and 2022 (both with the key header) + 汇总
    e.fmt["court_enforcements"] = "xlsx"

    def split(d):
        from openpyxl import load_workbook

        p = d / "执行案件.xlsx"
        wb = load_workbook(p)
        ws = wb.active
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        ws.title = "2021"
        ws.delete_rows(2 + 20, len(rows))
        ws2 = wb.create_sheet("2022")
        ws2.append(rows[0])
        for r in rows[1 + 20:]:
            ws2.append(r)
        wb.create_sheet("汇总").append(["结案方式", "件数"])
        wb.save(p)
        n = len(rows) - 1
        e.written.pop(("执行案件.xlsx", "Sheet1"))
        e.written[("执行案件.xlsx", "2021")] = 20
        e.written[("执行案件.xlsx", "2022")] = n - 20

    e.after.append(split)


def _summary_sheet(e):
    e.fmt["judicial_aid"] = "xlsx"

    def add(d):
        from openpyxl import load_workbook

        p = d / "国家司法救助案件.xlsx"
        wb = load_workbook(p)
        ws = wb.create_sheet("汇总")
        ws.append(["状态", "件数"])
        ws.append(["决定救助", 3])
        wb.save(p)

    e.after.append(add)


def _unnamed_sheet_with_table(e):
    e.fmt["judicial_aid"] = "xlsx"
    e.stem["judicial_aid"] = "partners"     # a workbook not named after a table
    e.sheet["judicial_aid"] = "Sheet1"      # … whose sheet is not named after one either


def _split_registries(e):
    df = e.frames["registries"]

    def split(d):
        p = d / "救助名单.csv"
        lines = p.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
        header, body = lines[0], lines[1:]
        (d / "救助名单_民政局.csv").write_bytes((header + "".join(body[:120])).encode("utf-8-sig"))
        (d / "救助名单_残联.csv").write_bytes((header + "".join(body[120:])).encode("gbk"))
        p.unlink()
        e.written.pop(("救助名单.csv", ""))
        e.written[("救助名单_民政局.csv", "")] = 120
        e.written[("救助名单_残联.csv", "")] = len(df) - 120

    e.after.append(split)


def _drop_required(e):
    e.frames["petitions"] = e.frames["petitions"].drop(columns="received_on")


def _drop_optional(e):
    e.frames["proc_parties"] = e.frames["proc_parties"].drop(columns="fault")


def _shuffle_columns(e):
    e.frames["court_parties"] = e.frames["court_parties"][list(reversed(e.frames["court_parties"].columns))]


def _no_rows(e):
    e.frames["social_aid"] = e.frames["social_aid"].iloc[:0]


def _duplicate_row(e):
    df = e.frames["petitions"]
    e.frames["petitions"] = pd.concat([df, df.iloc[[0]]], ignore_index=True)


def _duplicate_key(e):
    df = e.frames["petitions"]
    row = df.iloc[[0]].copy()
    row["text"] = "另一件事项"
    e.frames["petitions"] = pd.concat([df, row], ignore_index=True)


def _empty_row(e):
    df = e.frames["petitions"]
    e.frames["petitions"] = pd.concat([df, pd.DataFrame([[""] * df.shape[1]], columns=df.columns)],
                                      ignore_index=True)


def _enforcement_with(column):
    """``index(frames)``: the first enforcement row with a value in ``column``."""
    return lambda frames: int(np.flatnonzero(frames["court_enforcements"][column] != "")[0])


def _set_at(table, index, column, value):
    """A mutation setting ``column`` of the row ``index(frames)`` of ``table``."""
    return lambda e: e.set(table, index(e.frames), column, value)


def _two_aliases(e):
    e.header("court_parties", "id_number", "身份证号码")
    e.add_column("court_parties", "证件号码", e.frames["court_parties"]["id_number"])


def _label_and_alias(e):
    e.add_column("court_parties", "证件号码", e.frames["court_parties"]["id_number"])


def _future_no_meta(e):
    e.meta = None
    e.set("petitions", 0, "received_on", "2023-01-15")


def _utf16_no_bom(d: Path) -> None:
    p = d / "信访.csv"
    p.write_bytes(p.read_bytes().decode("utf-8-sig").encode("utf-16-le"))


def _garbage(d: Path) -> None:
    (d / "信访.csv").write_bytes(bytes(range(256)) * 4)


def _utf16(d: Path) -> None:
    p = d / "信访.csv"
    p.write_bytes(p.read_bytes().decode("utf-8-sig").encode("utf-16"))


def _corrupt_xlsx(d: Path) -> None:
    (d / "信访.csv").unlink()
    (d / "信访.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")


def _check_examples(pool, e):
    s = ledger_summary(pool.ledger).set_index(["file", "sheet"])
    # the template's example rows: 2 per sheet, rejected; the CSVs' rows on their own lines
    assert s.loc[("导入模板.xlsx", "信访"), "rejected"] == 2
    assert s.loc[("信访.csv", ""), "accepted"] == len(e.frames["petitions"])
    assert s.loc[("导入模板.xlsx", "国家司法救助案件"), "accepted"] == len(e.frames["judicial_aid"])
    assert s.loc[("导入模板.xlsx", "国家司法救助案件"), "rejected"] == 2


def _check_inferred(pool, e):
    # no meta.json: the reference date is the latest date of the exports, said in a note
    dates = [pd.to_datetime(df[c].replace("", None)).max() for t, df in e.frames.items()
             for c, col in schema.TABLES[t].columns.items() if col.type == "date" and c in df and (df[c] != "").any()]
    assert pool.meta["load"]["reference_date"] == max(dates).strftime("%Y-%m-%d")
    assert "reference_date" not in pool.meta      # an inferred date is not the pool's reference date


def _check_month(pool, e):
    assert pool["registries"]["as_of"].iloc[0] == pd.Timestamp("2021-01-01")


def _check_taiwan(pool, e):
    assert pool["petitions"]["id_number"].iloc[0].startswith("830000")


def _check_ids_clean(column_table, column):
    def check(pool, e):
        assert identity.check_series(pool[column_table][column]).iloc[0] == ""
    return check


def _check_kept(table, column, value):
    def check(pool, e):
        assert pool[table][column].iloc[0] == value
    return check


def _bom_id(e):
    e.set("petitions", 0, "id_number", "\ufeff" + _id() + "\u200b")


def _future_birth(e):
    # born 2023-05-01: a real date with a right check digit, but after the reference date 2022-12-31
    e.set("petitions", 0, "id_number", _id(birth="2023-05-01"))


def _bad_checksum(e):
    i = _id()
    e.set("petitions", 0, "id_number", i[:17] + ("0" if i[17] != "0" else "1"))


def _id_number_cell(e):
    e.fmt["proc_parties"] = "xlsx"
    i = e.frames["proc_parties"].loc[0, "id_number"] or _id()
    e.cells["proc_parties"] = {(0, "id_number"): int(i[:17] + "1")}


def _serial_date(e):
    e.fmt["court_judgments"] = "xlsx"
    e.cells["court_judgments"] = {(0, "effective_on"): 44713}    # 2022-06-01


def _number_in_text(e):
    e.fmt["social_aid"] = "xlsx"
    e.cells["social_aid"] = {(0, "agency"): 12345}


def _no_meta(e):
    e.meta = None


def _orphan_document(e):
    e.set("proc_documents", 0, "case_id", "AJ999999999999")


def _only_parties(e):
    for t in list(e.frames):
        if t != "proc_parties":
            del e.frames[t]


def _extra_file(name, data=b"x"):
    return lambda e: e.after.append(lambda d: (d / name).write_bytes(data))


def _raw_meta(text):
    return lambda e: e.after.append(lambda d: (d / "meta.json").write_text(text, encoding="utf-8"))


def _huge_cell(e):
    e.set("proc_documents", 0, "text", "测" * 40000)


ENF_CLOSED = _enforcement_with("closed_on")
ENF_JUDGMENT = _enforcement_with("judgment_id")


def cases() -> list[Case]:
    """The classes of the corpus, one corruption each."""
    out = [
        # ---- headers
        Case("header 身份证号码", lambda e: e.header("proc_parties", "id_number", "身份证号码"), "loaded", "'身份证号码' → id_number"),
        Case("header 公民身份号码", lambda e: e.header("court_parties", "id_number", "公民身份号码"), "loaded", "'公民身份号码' → id_number"),
        Case("header 证件号码", lambda e: e.header("social_aid", "id_number", "证件号码"), "loaded", "'证件号码' → id_number"),
        Case("header 身份证号 (registries)", lambda e: e.header("registries", "id_number", "身份证号码"), "loaded", "→ id_number"),
        Case("header prefixed 信访人身份证号码", lambda e: e.header("petitions", "id_number", "信访人身份证号码"), "loaded", "→ id_number"),
        Case("header 被执行人证件号码", lambda e: e.header("court_enforcements", "respondent_id_number", "被执行人证件号码"),
             "loaded", "→ respondent_id_number"),
        Case("header English alias id_no", lambda e: e.header("proc_parties", "id_number", "ID No"), "loaded", "'ID No' → id_number"),
        Case("header English names with caps and spaces",
             lambda e: e.headers.__setitem__("proc_cases", ["Case ID", "Business", "Stage", "Charge", "Accepted On",
                                                            "County Code"]), "loaded"),
        Case("header full-width English", lambda e: e.header("proc_cases", "case_id", "ｃａｓｅ＿ｉｄ"), "loaded"),
        Case("header with BOM inside", lambda e: e.header("court_parties", "name", "姓\ufeff名"), "loaded"),
        Case("header with zero-width space", lambda e: e.header("proc_cases", "case_id", "案件\u200b编号"), "loaded"),
        Case("header with unit remark 救助金额（元）", lambda e: e.header("judicial_aid", "amount", "救助金额（元）"), "loaded"),
        Case("header with required mark *", lambda e: e.header("petitions", "name", "*信访人姓名"), "loaded"),
        Case("header alias 罪名 for 罪名/案由", lambda e: e.header("proc_cases", "charge", "罪名"), "loaded", "'罪名' → charge"),
        Case("header alias 数据月份 → 统计月份", lambda e: e.header("registries", "as_of", "统计月份"), "loaded", "→ as_of"),
        Case("columns in another order", _shuffle_columns, "loaded"),
        Case("column outside the contract", lambda e: e.add_column("proc_parties", "备注", "无"), "file_warning",
             "column '备注' is no column of proc_parties", strict=1),
        Case("unnamed column with values", lambda e: e.add_column("petitions", "", "x"), "file_warning",
             "unnamed column 7 not loaded", strict=1),
        Case("row-number column 序号", lambda e: e.add_column("petitions", "序号", list(range(1, 1 + len(e.frames["petitions"])))),
             "loaded", "row-number column(s) not loaded: 序号", strict=0),
        Case("label and alias of one column", _label_and_alias, "file_warning", "column '证件号码' also names id_number", strict=1),
        Case("two aliases of one column", _two_aliases, "error", "two headers name column id_number"),
        Case("required column missing", _drop_required, "error", "lacks required column received_on (登记日期)"),
        Case("optional column missing", _drop_optional, "loaded", "optional column fault (过错责任) absent"),
        Case("title lines above the header", lambda e: e.titles.__setitem__("petitions", ["信访登记导出", "导出时间 2023年1月"]),
             "loaded", "2 title line(s) above the header skipped"),
        Case("header only, no rows", _no_rows, "loaded"),
        Case("header names nothing", lambda e: e.headers.__setitem__("petitions", ["a", "b", "c", "d", "e", "f"]), "error",
             "no header row naming a column of petitions"),
        # ---- text encodings and delimiters
        Case("prose with full-width commas in documents", _prose, "loaded"),
        Case("tab-separated .txt", _tsv, "loaded"),
        Case("semicolon-separated", lambda e: e.sep.__setitem__("court_judgments", ";"), "loaded"),
        Case("pipe-separated", lambda e: e.sep.__setitem__("social_aid", "|"), "loaded"),
        Case("full-width comma separated", lambda e: e.sep.__setitem__("proc_cases", "，"), "loaded"),
        Case(".tsv file", lambda e: e.fmt.__setitem__("court_parties", "tsv"), "loaded"),
        Case("GBK encoding", lambda e: e.encoding.__setitem__("proc_parties", "gb18030"), "loaded"),
        Case("UTF-8 without BOM", lambda e: e.encoding.__setitem__("petitions", "utf-8"), "loaded"),
        Case("UTF-16 file (Excel's Unicode text)", lambda e: e.after.append(_utf16), "loaded"),
        Case("UTF-16 without its BOM", lambda e: e.after.append(_utf16_no_bom), "error", "信访.csv: cannot decode"),
        Case("binary garbage named .csv", lambda e: e.after.append(_garbage), "error", "信访.csv"),
        Case("huge cell (40 000 characters)", _huge_cell, "loaded"),
        Case("formula-looking cell kept as text", lambda e: e.set("petitions", 0, "text", "=HYPERLINK(\"x\")"), "loaded",
             check=_check_kept("petitions", "text", "=HYPERLINK(\"x\")")),
        # ---- files and folders
        Case("a .zip given instead of the folder", lambda e: None, "error", "is a .zip archive, not a folder",
             folder=_zip_folder),
        Case("a missing folder", lambda e: None, "error", "no such folder", folder=lambda d: d.parent / "nowhere"),
        Case("a file given instead of the folder", lambda e: None, "error", "is a file, not a folder",
             folder=lambda d: d / "信访.csv"),
        Case("a folder holding only a zip", lambda e: e.after.append(_only_zip), "error", "only the archive(s) exports.zip"),
        Case("an empty folder", lambda e: e.after.append(lambda d: [p.unlink() for p in list(d.iterdir())]), "error",
             "holds no data files"),
        Case("a zip beside the exports", _extra_file("更多数据.zip", b"PK\x05\x06" + b"\0" * 18), "file_warning",
             "更多数据.zip: an archive, not read", strict=1),
        Case("malformed meta.json", _raw_meta("{county: panan"), "error", "meta.json: not valid JSON"),
        Case("meta.json holding a list", _raw_meta("[1, 2]"), "error", "meta.json: must hold one JSON object"),
        Case("meta.json with an unreadable reference date", _raw_meta('{"reference_date": "去年年底"}'), "error",
             "reference_date '去年年底' is not a date"),
        Case("a file named after no table", _extra_file("stuff.csv", "a,b\n1,2\n".encode()), "error",
             "stuff.csv: cannot tell which table"),
        Case("an .xls workbook", _extra_file("执行案件2.xls", b"\xd0\xcf\x11\xe0"), "error", ".xls workbooks cannot be read"),
        Case("a Word note in the folder", _extra_file("说明.docx", b"PK"), "loaded", "说明.docx: not a data file"),
        Case("corrupt .xlsx", lambda e: e.after.append(_corrupt_xlsx), "error", "not a readable .xlsx workbook"),
        Case("xlsx with a summary sheet", _summary_sheet, "loaded", "sheet(s) 汇总 hold no contract table"),
        Case("xlsx table over two sheets plus a summary", _two_sheets, "loaded", "sheet(s) 汇总"),
        Case("table sheet named after no table", _unnamed_sheet_with_table, "error", "partners.xlsx[Sheet1]: cannot tell which table"),
        Case("one table in two files", _split_registries, "loaded"),
        Case("template with example rows plus CSVs", _examples_template, "loaded", check=_check_examples),
        Case("no meta.json: reference date from the data", _no_meta, "loaded", "the latest date of the exports",
             check=_check_inferred),
        # ---- dates and amounts
        Case("数据月份 2021-01", lambda e: e.set("registries", 0, "as_of", "2021-01"), "repaired",
             "as_of (数据月份): month parsed from '2021-01'", "registries", check=_check_month),
        Case("数据月份 2021年1月", lambda e: e.set("registries", 0, "as_of", "2021年1月"), "repaired", "month parsed from '2021年1月'",
             "registries", check=_check_month),
        Case("数据月份 202101", lambda e: e.set("registries", 0, "as_of", "202101"), "repaired", "month parsed from '202101'",
             "registries", check=_check_month),
        Case("数据月份 mid-month date", lambda e: e.set("registries", 0, "as_of", "2021-01-15"), "repaired",
             "(first day of the month)", "registries", check=_check_month),
        Case("数据月份 month 13", lambda e: e.set("registries", 0, "as_of", "2021-13"), "rejected", "unreadable month '2021-13'",
             "registries"),
        Case("date 2022/6/1", lambda e: e.set("proc_cases", 0, "accepted_on", "2021/8/16"), "repaired",
             "date parsed from '2021/8/16'", "proc_cases"),
        Case("date 2021年8月16日", lambda e: e.set("proc_cases", 0, "accepted_on", "2021年8月16日"), "repaired",
             "date parsed from '2021年8月16日'", "proc_cases"),
        Case("date 20210816", lambda e: e.set("proc_cases", 0, "accepted_on", "20210816"), "repaired",
             "date parsed from '20210816'", "proc_cases"),
        Case("Excel serial date cell", _serial_date, "repaired", "date parsed from '44713'", "court_judgments"),
        Case("unreadable required date", lambda e: e.set("petitions", 0, "received_on", "去年春天"), "rejected",
             "unreadable date '去年春天'", "petitions"),
        Case("missing required date", lambda e: e.set("petitions", 0, "received_on", ""), "rejected",
             "received_on (登记日期): missing", "petitions"),
        Case("unreadable optional date", _set_at("court_enforcements", ENF_CLOSED, "closed_on", "待定"), "repaired",
             "unreadable date '待定' set missing", "court_enforcements", ENF_CLOSED),
        Case("amount 1,200.50元", lambda e: e.set("judicial_aid", 0, "amount", "1,200.50元"), "repaired",
             "amount parsed from '1,200.50元'", "judicial_aid"),
        Case("amount 1.2万元", lambda e: e.set("court_enforcements", 0, "amount_due", "9.56万元"), "repaired",
             "amount parsed from '9.56万元'", "court_enforcements"),
        Case("unreadable required amount", lambda e: e.set("court_enforcements", 0, "amount_due", "很多"), "rejected",
             "unreadable amount '很多'", "court_enforcements"),
        Case("negative amount", lambda e: e.set("judicial_aid", 0, "amount", "-500"), "warning", "amount (救助金额): negative amount",
             "judicial_aid"),
        Case("paid more than due", lambda e: e.set("court_enforcements", 0, "amount_paid", "999999.0"), "warning",
             "amount_paid (实际到位) exceeds amount_due (执行标的)", "court_enforcements"),
        Case("closed before filed", _set_at("court_enforcements", ENF_CLOSED, "closed_on", "2020-01-01"), "warning",
             "closed_on (结案日期) before filed_on (立案日期)", "court_enforcements", ENF_CLOSED),
        Case("aid paid before decided", lambda e: e.set("judicial_aid", 0, "paid_on", "2021-10-01"), "warning",
             "paid_on (发放日期) before decided_on (决定日期)", "judicial_aid"),
        Case("future date (after meta.json's reference date)", lambda e: e.set("petitions", 0, "received_on", "2023-03-01"),
             "warning", "date 2023-03-01 after the reference date 2022-12-31", "petitions"),
        Case("future date against --reference-date (no meta.json)", _future_no_meta, "warning",
             "received_on (登记日期): date 2023-01-15 after the reference date 2022-12-31", "petitions",
             args=("--reference-date", "2022-12-31")),
        # ---- rows
        Case("missing row key", lambda e: e.set("petitions", 0, "petition_id", ""), "rejected", "missing row key petition_id",
             "petitions"),
        Case("exact duplicate row", _duplicate_row, "rejected", "duplicate of 信访.csv row 2", "petitions", 11),
        Case("duplicate key, other content", _duplicate_key, "warning", "duplicate key petition_id", "petitions", 11),
        Case("empty row", _empty_row, "rejected", "empty row", "petitions", 11),
        Case("value outside the vocabulary", lambda e: e.set("proc_cases", 0, "business", "刑事"), "warning",
             "'刑事' not in the vocabulary, kept", "proc_cases"),
        Case("county code not six digits", lambda e: e.set("proc_cases", 0, "county_code", "3307"), "warning",
             "does not match", "proc_cases"),
        Case("missing required text", lambda e: e.set("proc_cases", 0, "charge", ""), "warning", "charge (罪名/案由): missing",
             "proc_cases"),
        Case("padded values trimmed", lambda e: e.set("proc_cases", 0, "business", "  未成年人检察 "), "loaded",
             check=_check_kept("proc_cases", "business", "未成年人检察")),
        Case("number cell in a text column", _number_in_text, "repaired", "agency (实施单位): number cell read as text",
             "social_aid"),
        # ---- identity numbers
        Case("ID lower-case x and spaces", lambda e: e.set("petitions", 0, "id_number", " " + _id(order=3)[:6] + " "
                                                             + _id(order=3)[6:].lower()), "repaired", "ID number normalised",
             "petitions", check=_check_ids_clean("petitions", "id_number")),
        Case("ID full-width", lambda e: e.set("petitions", 0, "id_number", "".join(chr(ord(c) + 0xFEE0) for c in _id())),
             "repaired", "ID number normalised", "petitions", check=_check_ids_clean("petitions", "id_number")),
        Case("ID 15 digits", lambda e: e.set("petitions", 0, "id_number", "330727800101007"), "repaired", "ID number normalised",
             "petitions", check=_check_ids_clean("petitions", "id_number")),
        Case("ID with BOM and zero-width space", _bom_id, "repaired", "ID number normalised", "petitions",
             check=_check_ids_clean("petitions", "id_number")),
        Case("ID wrong check digit", _bad_checksum, "warning", "invalid ID number (checksum), kept", "petitions"),
        Case("ID born after the reference date", _future_birth, "warning",
             "invalid ID number (birth_date: born after the reference date 2022-12-31)", "petitions"),
        Case("ID of a Taiwan resident (830000)", lambda e: e.set("petitions", 0, "id_number", _id(area="830000")), "loaded",
             check=_check_taiwan),
        Case("ID unknown area", lambda e: e.set("petitions", 0, "id_number", _id(area="999999")), "warning",
             "invalid ID number (area)", "petitions"),
        Case("ID stored as a number in Excel", _id_number_cell, "warning", "stored as a number in Excel", "proc_parties"),
        Case("ID typed into the date column", lambda e: e.set("petitions", 0, "received_on", _id()), "rejected",
             "unreadable date '3307", "petitions"),
        # ---- references between tables
        Case("case keys that lost leading zeros", _leading_zeros, "file_warning", "join once leading zeros are ignored",
             also=_leading_zero_rows, strict=1),
        Case("document of no case", _orphan_document, "warning", "case_id (案件编号): 'AJ999999999999' joins no proc_cases",
             "proc_documents", strict=1),
        Case("enforcement of no judgment", _set_at("court_enforcements", ENF_JUDGMENT, "judgment_id", "(2099)浙0727刑初999号"),
             "warning", "joins no court_judgments (生效裁判) row", "court_enforcements", ENF_JUDGMENT),
        Case("parties without their cases table", _only_parties, "loaded", "not checked against proc_cases"),
    ]
    assert len({c.name for c in out}) == len(out)
    return out


CASES = cases()


# --------------------------------------------------------------------------- running a class
def _where(led: pd.DataFrame) -> pd.Series:
    return led["file"] + np.where(led["sheet"] != "", "[" + led["sheet"] + "]", "")


def _ledger_row(pool, e: Export, table: str, i: int) -> pd.Series:
    led = pool.ledger
    title = len(e.titles.get(table, []))
    r = led[(led["table"] == table) & (led["file"] == e.files[table]) & (led["row"] == i + 2 + title)]
    assert len(r) == 1, (table, i, e.files[table])
    return r.iloc[0]


def run_case(case: Case, county, tmp_path: Path, capsys, monkeypatch) -> None:
    e = fresh(county)
    case.mutate(e)
    d = write(e, tmp_path / "导出")
    target = case.folder(d) if case.folder else d
    argv = ["validate", str(target), "--out", str(tmp_path / "ledger"), *case.args]
    # keep the pool jiuzhu validate loads (one load per class instead of two)
    loaded = []
    monkeypatch.setattr(loaders, "read_exports", lambda *a, **k: loaded.append(read_exports(*a, **k)) or loaded[-1])
    capsys.readouterr()
    rc = main(argv)               # a traceback would fail the test here
    out = capsys.readouterr()
    monkeypatch.undo()
    assert "Traceback" not in out.out + out.err
    kw = {"reference_date": case.args[1]} if case.args[:1] == ("--reference-date",) else {}
    if case.outcome == "error":
        assert rc == 2, out.out
        lines = [ln for ln in out.out.splitlines() if ln.strip()]
        assert len(lines) == 1, out.out               # one clear line
        assert case.text in lines[0], lines[0]
        with pytest.raises(LoadError, match=None) as exc:
            read_exports(target, **kw)
        assert case.text in str(exc.value)
        return
    assert rc == 0, out.out
    pool = loaded[0]
    led = pool.ledger
    # every written row accounted for, file by file, and the pool holds the rows not rejected
    s = ledger_summary(led)
    assert s["balanced"].all()
    got = {(r.file, r.sheet): int(r.rows) for r in s.itertuples(index=False)}
    assert got == {k: v for k, v in e.written.items() if v}, (got, e.written)
    for t in schema.CONTRACT_TABLES:
        assert len(pool[t]) == int(((led["table"] == t) & (led["status"] != "rejected")).sum()), t
    notes = pool.meta["load"]["notes"]
    file_warnings = pool.meta["load"]["warnings"]
    touched = led[(led["status"] != "accepted") | (led["warnings"].str.len() > 0)]
    frames = county[0]
    expected_rows = set(case.also(frames) if callable(case.also) else case.also)
    if case.table is not None:
        index = case.index(frames) if callable(case.index) else case.index
        x = _ledger_row(pool, e, case.table, index)
        expected_rows.add((case.table, index))
        if case.outcome in ("repaired", "rejected"):
            assert x["status"] == case.outcome and case.text in x["reason"], x.to_dict()
        elif case.outcome == "warning":
            assert x["status"] != "rejected" and case.text in x["warnings"], x.to_dict()
        else:
            raise AssertionError(case.outcome)
    elif case.outcome == "file_warning":
        assert any(case.text in w for w in file_warnings), file_warnings
        assert any(case.text in n for n in notes)   # … and in the notes the ledger writes
    else:
        assert case.outcome == "loaded"
        if case.text:
            assert any(case.text in n for n in notes), notes
        assert not file_warnings, file_warnings
    # nothing else is touched: one corruption, one finding
    rows = {(r.table, int(r.row)) for r in touched.itertuples(index=False)}
    want = {(t, i + 2 + len(e.titles.get(t, []))) for t, i in expected_rows}
    if case.check is not _check_examples:
        assert rows == want, (rows, want)
    if case.check is not None:
        case.check(pool, e)
    if case.strict is not None:
        capsys.readouterr()
        assert main(argv + ["--strict"]) == case.strict
        capsys.readouterr()


# --------------------------------------------------------------------------- tests
def test_baseline_is_clean(county, tmp_path, capsys):
    e = fresh(county)
    d = write(e, tmp_path / "导出")
    pool = read_exports(d)
    assert (pool.ledger["status"] == "accepted").all()
    assert (pool.ledger["warnings"] == "").all() and pool.meta["load"]["warnings"] == []
    assert pool.meta["reference_date"] == "2022-12-31" and pool.meta["load"]["reference_source"] == "meta.json reference_date"
    for t in schema.CONTRACT_TABLES:
        assert len(pool[t]) == len(e.frames[t]), t
    assert main(["validate", str(d), "--out", str(tmp_path / "l"), "--strict"]) == 0


def test_corpus_has_sixty_classes_and_every_outcome():
    assert len(CASES) >= 60
    assert {c.outcome for c in CASES} == {"loaded", "repaired", "rejected", "warning", "file_warning", "error"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_class(case, county, tmp_path, capsys, monkeypatch):
    run_case(case, county, tmp_path, capsys, monkeypatch)
