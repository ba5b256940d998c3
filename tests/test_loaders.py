"""Loaders for real exports: encodings, header languages, repairs, the row ledger, templates.

All data here is synthetic: names are 测试甲/乙/丙…, ID numbers are built with valid check
digits by ``identity.make_ids`` (birth 1900-01-01, order codes 9xx).
"""
import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiuzhu_methods import DataPool
from jiuzhu_methods.core import identity
from jiuzhu_methods.io import schema
from jiuzhu_methods.io.loaders import (LoadError, parse_amounts, parse_dates, read_exports, table_for_name,
                                    write_ledger, write_template)

IDS = [str(x) for x in identity.make_ids(np.array(["330382"] * 4), np.array(["1900-01-01"] * 4, dtype="datetime64[D]"),
                                         np.array([901, 902, 903, 904]))]
A, B, C, D = IDS
BAD = A[:17] + ("0" if A[17] != "0" else "1")  # wrong check digit


def _csv(rows, header, encoding, sep=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def _labels(table):
    return [c.label for c in schema.TABLES[table].columns.values()]


def _xlsx(path, sheets):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


@pytest.fixture
def export_folder(tmp_path):
    d = tmp_path / "exports"
    d.mkdir()
    # 1. proc_cases: GBK, Chinese headers, Chinese file name. 9 data rows:
    #    r2 accepted; r3 2022/6/1 repaired; r4 2022年6月1日 repaired; r5 Excel serial repaired;
    #    r6 no key → rejected; r7 unreadable required date → rejected; r8 unknown business (kept, warning);
    #    r9 exact duplicate of r2 → rejected; r10 same key as r3, other content → kept, warning
    cases = [
        ["C1", "刑事检察", "审查起诉", "故意伤害罪", "2022-03-01", "330382"],
        ["C2", "刑事检察", "审查起诉", "交通肇事罪", "2022/6/1", "330382"],
        ["C3", "民事检察", "支持起诉", "赡养纠纷", "2022年6月1日", "330382"],
        ["C4", "刑事检察", "审查逮捕", "盗窃罪", "44713", "330382"],
        ["", "刑事检察", "审查起诉", "盗窃罪", "2022-03-01", "330382"],
        ["C6", "刑事检察", "审查起诉", "盗窃罪", "去年春天", "330382"],
        ["C7", "刑事", "审查起诉", "诈骗罪", "2022-04-01", "330382"],
        ["C1", "刑事检察", "审查起诉", "故意伤害罪", "2022-03-01", "330382"],
        ["C2", "刑事检察", "审查起诉", "抢劫罪", "2022-06-02", "330382"],
    ]
    (d / "检察案件.csv").write_bytes(_csv(cases, _labels("proc_cases"), "gbk"))
    # 2. proc_parties: UTF-8 with BOM, English headers, a title line above the header.
    #    r3 lower-case x / spaces → repaired; r4 wrong check digit → accepted + warning (kept);
    #    r5 full-width → repaired; r6 15-digit → repaired; r7 missing ID → accepted; r8 empty row → rejected
    x_id = A if A[-1] != "X" else A
    parties = [
        ["P1", "C1", "被害人", "测试甲", A, "无责任"],
        ["P2", "C1", "犯罪嫌疑人", "测试乙", " " + x_id[:6] + " " + x_id[6:].lower(), ""],
        ["P3", "C2", "被害人", "测试丙", BAD, ""],
        ["P4", "C2", "近亲属", "测试丁", "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in B), ""],
        ["P5", "C3", "申请人", "测试戊", "330382000101901", ""],
        ["P6", "C3", "被申请人", "测试己", "", ""],
        ["", "", "", "", "", ""],
    ]
    text = "检察案件当事人导出 2023年\n" + _csv(parties, schema.TABLES["proc_parties"].column_names, "utf-8").decode()
    (d / "proc_parties.csv").write_bytes(text.encode("utf-8-sig"))
    # 3. judicial_aid: GB18030 with a character outside GBK (𠮷), tab-separated, mixed headers
    aid_header = ["aid_id", "救助申请人姓名", "id_number", "办理机关", "case_id", "申请/启动日期", "decided_on",
                  "paid_on", "状态", "救助金额"]
    aid = [["A1", "测试𠮷", C, "检察院", "C1", "2022.7.1", "", "", "已受理", "2万元"],
           ["A2", "测试庚", "", "法院", "", "20220702", "2022-08-01", "bad date", "决定救助", "1,200.50元"]]
    (d / "国家司法救助案件.txt").write_bytes(_csv(aid, aid_header, "gb18030", sep="\t"))
    # 4. court_enforcements: one-sheet .xlsx named after the table, amounts as text, an ID as a number cell
    enf = [_labels("court_enforcements"),
           ["E1", "J1", "测试甲", A, "测试乙", B, "终结本次执行", "50,000元", 0, "2023/1/10", None],
           ["E2", None, "测试丙", int(D[:17] + "0") if D[17] == "X" else int(D), "测试丁", None, "未结", 8000, "¥1000",
            pd.Timestamp("2023-02-01").to_pydatetime(), None],
           ["E3", None, "测试辛", None, "测试壬", None, "其他方式", "很多", 0, "2023-02-02", None]]
    _xlsx(d / "执行案件.xlsx", {"Sheet1": enf})
    # 5. a workbook with one table per sheet (信访 and social_aid) plus a 数据字典 sheet that is skipped
    pet = [_labels("petitions"), ["X1", "测试甲", A, "涉法涉诉", "2022-08-01", "=HYPERLINK(\"http://x\",\"y\")"]]
    soc = [schema.TABLES["social_aid"].column_names, ["S1", "测试甲", A, "临时救助", "民政局", 45000]]
    _xlsx(d / "partners.xlsx", {"信访": pet, "social_aid": soc, "数据字典": [["whatever"]]})
    # 6. registries as Parquet
    reg = pd.DataFrame({"record_id": ["G1", "G2"], "registry": ["城市低保", "持证残疾人"], "agency": ["民政局", "残联"],
                        "name": ["测试甲", "测试丙"], "id_number": [A, C], "detail": [None, "肢体二级"],
                        "address": [None, None], "phone": [None, None],
                        "as_of": pd.to_datetime(["2023-06-01", "2023-06-01"])})
    reg.to_parquet(d / "救助名单_民政局.parquet")
    return d


def _row(ledger, file, row):
    r = ledger[(ledger["file"] == file) & (ledger["row"] == row)]
    assert len(r) == 1, (file, row)
    return r.iloc[0]


def test_mixed_folder_loads_and_ledger_accounts_for_every_row(export_folder):
    pool = DataPool.read(export_folder)
    led = pool.ledger
    assert list(led.columns)[:8] == ["table", "file", "sheet", "row", "key", "status", "reason", "warnings"]
    # every data row of every file: 9 + 7 + 2 + 3 + 1 + 1 + 2
    per_file = led.groupby("file").size().to_dict()
    assert per_file == {"检察案件.csv": 9, "proc_parties.csv": 7, "国家司法救助案件.txt": 2, "执行案件.xlsx": 3,
                        "partners.xlsx": 2, "救助名单_民政局.parquet": 2}
    assert set(led["status"]) <= {"accepted", "repaired", "rejected"}
    # what the pool holds is exactly what the ledger did not reject
    for table in schema.CONTRACT_TABLES:
        kept = led[(led["table"] == table) & (led["status"] != "rejected")]
        assert len(pool[table]) == len(kept), table
    from jiuzhu_methods.io.loaders import ledger_summary

    s = ledger_summary(led)
    assert s["balanced"].all()
    assert s["rows"].sum() == len(led) == 25

    f = "检察案件.csv"
    assert _row(led, f, 2)["status"] == "accepted"
    for r, raw in [(3, "2022/6/1"), (4, "2022年6月1日"), (5, "44713")]:
        x = _row(led, f, r)
        assert x["status"] == "repaired" and raw in x["reason"] and "受理日期" in x["reason"]
    assert pool["proc_cases"].set_index("case_id").loc["C4", "accepted_on"] == pd.Timestamp("2022-06-01")
    assert _row(led, f, 6)["status"] == "rejected" and "missing row key" in _row(led, f, 6)["reason"]
    assert _row(led, f, 7)["status"] == "rejected" and "去年春天" in _row(led, f, 7)["reason"]
    x = _row(led, f, 8)
    assert x["status"] == "accepted" and "'刑事' not in the vocabulary" in x["warnings"]
    assert _row(led, f, 9)["status"] == "rejected" and _row(led, f, 9)["reason"] == "duplicate of 检察案件.csv row 2"
    x = _row(led, f, 10)
    assert x["status"] == "accepted" and "duplicate key case_id (first at 检察案件.csv row 3)" in x["warnings"]
    assert pool["proc_cases"]["business"].tolist().count("刑事") == 1  # unknown vocabulary kept
    assert {"table": "proc_cases", "column": "business", "label": "业务类别", "value": "刑事", "count": 1} \
        in pool.meta["vocabulary"]

    f = "proc_parties.csv"  # title line: header is row 2, data from row 3
    assert _row(led, f, 3)["status"] == "accepted"
    assert _row(led, f, 4)["status"] == "repaired" and "ID number normalised" in _row(led, f, 4)["reason"]
    x = _row(led, f, 5)
    assert x["status"] == "accepted" and "invalid ID number (checksum), kept" in x["warnings"]
    assert BAD not in x["warnings"]  # the ledger never repeats an ID number
    assert _row(led, f, 6)["status"] == "repaired" and _row(led, f, 7)["status"] == "repaired"
    assert _row(led, f, 8)["status"] == "accepted"
    assert _row(led, f, 9)["status"] == "rejected" and _row(led, f, 9)["reason"] == "empty row"
    parties = pool["proc_parties"].set_index("record_id")
    assert parties.loc["P2", "id_number"] == A.upper()
    assert parties.loc["P3", "id_number"] == BAD  # invalid ID kept
    assert parties.loc["P4", "id_number"] == B
    assert identity.is_valid(parties.loc["P5", "id_number"]) and len(parties.loc["P5", "id_number"]) == 18
    assert any("title line" in n for n in pool.meta["load"]["notes"])
    assert pool.meta["load"]["encodings"]["检察案件.csv"] == "gbk"
    assert pool.meta["load"]["encodings"]["proc_parties.csv"] == "utf-8-sig"
    assert pool.meta["load"]["encodings"]["国家司法救助案件.txt"] == "gb18030"

    aid = pool["judicial_aid"].set_index("aid_id")
    assert aid.loc["A1", "name"] == "测试𠮷"
    assert aid.loc["A1", "amount"] == 20000.0 and aid.loc["A2", "amount"] == 1200.5
    assert aid.loc["A1", "applied_on"] == pd.Timestamp("2022-07-01")
    x = _row(led, "国家司法救助案件.txt", 3)
    assert x["status"] == "repaired" and "'bad date' set missing" in x["reason"] and pd.isna(aid.loc["A2", "paid_on"])

    enf = pool["court_enforcements"].set_index("enforcement_id")
    assert enf.loc["E1", "amount_due"] == 50000.0 and enf.loc["E2", "amount_paid"] == 1000.0
    assert enf.loc["E1", "filed_on"] == pd.Timestamp("2023-01-10")
    assert "stored as a number in Excel" in _row(led, "执行案件.xlsx", 3)["warnings"]
    x = _row(led, "执行案件.xlsx", 4)
    assert x["status"] == "rejected" and "unreadable amount '很多'" in x["reason"]

    assert pool["petitions"]["text"].iloc[0].startswith("=HYPERLINK")  # data kept as is; exports neutralise
    assert pool["social_aid"]["granted_on"].iloc[0] == pd.Timestamp("2023-03-15")  # Excel serial 45000
    assert sorted(led.loc[led["file"] == "partners.xlsx", "sheet"]) == ["social_aid", "信访"]
    assert len(pool["registries"]) == 2 and pool["registries"]["as_of"].dtype == "datetime64[us]"
    assert pool.meta["county_code"] == "330382"


def test_ledger_written_as_csv_and_xlsx(export_folder, tmp_path):
    pool = DataPool.read(export_folder)
    paths = write_ledger(pool.ledger, tmp_path / "out", vocabulary=pool.meta["vocabulary"])
    back = pd.read_csv(paths["ledger_csv"], encoding="utf-8-sig", keep_default_na=False)
    assert len(back) == len(pool.ledger)
    xl = pd.read_excel(paths["xlsx"], sheet_name=None)
    assert set(xl) == {"summary", "rows", "vocabulary", "notes"}
    assert xl["summary"]["rows"].sum() == len(pool.ledger)
    # no ID number of the inputs reaches the ledger
    blob = paths["ledger_csv"].read_text(encoding="utf-8-sig")
    assert not any(i in blob for i in IDS + [BAD])


def test_validate_command(export_folder, tmp_path, capsys):
    from jiuzhu_methods.cli import main

    assert main(["validate", str(export_folder), "--out", str(tmp_path / "led")]) == 0
    out = capsys.readouterr().out
    assert "total: 25 rows = " in out and "检察案件.csv" in out
    assert (tmp_path / "led" / "ledger.xlsx").exists()
    assert "rejected: 检察案件.csv row 6: missing row key case_id (案件编号)" in out
    assert main(["validate", str(export_folder), "--out", str(tmp_path / "led"), "--strict"]) == 1
    (export_folder / "stuff.csv").write_text("a\n1\n", encoding="utf-8")
    assert main(["validate", str(export_folder)]) == 2
    assert "stuff.csv: cannot tell which table" in capsys.readouterr().out


def test_missing_required_column_names_file_column_and_label(tmp_path):
    header = [h for h in _labels("proc_cases") if h != "受理日期"]
    (tmp_path / "proc_cases.csv").write_bytes(_csv([["C1", "刑事检察", "审查起诉", "盗窃罪", "330382"]], header, "utf-8"))
    with pytest.raises(LoadError, match=r"proc_cases\.csv: table proc_cases \(检察案件\) lacks required column "
                                        r"accepted_on \(受理日期\)"):
        DataPool.read(tmp_path)
    # … while a missing optional column is added empty and reported
    header = [c for c in schema.TABLES["proc_parties"].column_names if c != "fault"]
    (tmp_path / "proc_cases.csv").unlink()
    (tmp_path / "proc_parties.csv").write_bytes(_csv([["P1", "C1", "被害人", "测试甲", A]], header, "utf-8"))
    pool = DataPool.read(tmp_path)
    assert pool["proc_parties"]["fault"].isna().all()
    assert any("fault (过错责任) absent" in n for n in pool.meta["load"]["notes"])


def test_unassignable_and_undecodable_files_are_errors(tmp_path):
    (tmp_path / "stuff.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "petitions.csv").write_bytes(b"\xff\xfe\x00\x00garbage\x81")
    with pytest.raises(LoadError) as e:
        read_exports(tmp_path)
    assert len(e.value.problems) == 2
    assert any("stuff.csv: cannot tell which table" in p for p in e.value.problems)
    assert any(p.startswith("petitions.csv") for p in e.value.problems)


def test_forced_encoding(tmp_path):
    rows = [["X1", "测试甲", "", "其他", "2022-01-01", "事项"]]
    (tmp_path / "信访.csv").write_bytes(_csv(rows, _labels("petitions"), "gbk"))
    with pytest.raises(LoadError, match="cannot decode as utf-8"):
        read_exports(tmp_path, encoding="utf-8")
    assert read_exports(tmp_path, encoding="gb18030")["petitions"]["name"].tolist() == ["测试甲"]


def test_written_pool_still_round_trips(tmp_path, export_folder):
    pool = DataPool.read(export_folder)
    pool.write(tmp_path / "p")
    back = DataPool.read(tmp_path / "p")
    for name in schema.CONTRACT_TABLES:
        pd.testing.assert_frame_equal(back[name], pool[name])
    assert back.ledger is None  # a written pool is not re-validated


def test_table_names_in_both_languages():
    assert table_for_name("执行案件") == "court_enforcements"
    assert table_for_name("Court_Enforcements ") == "court_enforcements"
    assert table_for_name("救助名单_民政局") == "registries"
    assert table_for_name("2023-检察案件当事人") == "proc_parties"  # longest label wins over 检察案件
    assert table_for_name("truth_persons") is None
    assert table_for_name("notes") is None


def test_date_and_amount_repairs():
    v, rep, bad = parse_dates(pd.Series(["2022-06-01", "2022/6/1", "2022年6月1日", "2022.6.1", "20220601", 44713,
                                         "44713", "2022-06-01 00:00:00", "1899-01-01", "2022-02-30", "", None],
                                        dtype=object))
    assert v.iloc[:8].dt.strftime("%Y-%m-%d").tolist() == ["2022-06-01"] * 8
    assert rep.tolist() == [False, True, True, True, True, True, True, False, False, False, False, False]
    assert bad.tolist() == [False] * 8 + [True, True, False, False]
    v, rep, bad = parse_amounts(pd.Series(["1,200.50元", "¥1200", "１２００", "1.2万元", "人民币500元整", 7, "1200",
                                           "abc", "", None], dtype=object))
    assert v.iloc[:7].tolist() == [1200.5, 1200.0, 1200.0, 12000.0, 500.0, 7.0, 1200.0]
    assert rep.tolist() == [True, True, True, True, True, False, False, False, False, False]
    assert bad.tolist() == [False] * 7 + [True, False, False]


def test_template_round_trip(tmp_path):
    p = write_template(tmp_path / "模板.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(p)
    assert wb.sheetnames[:2] == ["说明", "取值"] and wb.sheetnames[-1] == "数据字典"
    assert wb["取值"].sheet_state == "hidden"
    assert [wb[s].title for s in wb.sheetnames[2:-1]] == [schema.TABLES[t].label for t in schema.CONTRACT_TABLES]
    # vocabulary columns offer drop-down lists
    dvs = wb["检察案件当事人"].data_validations.dataValidation
    assert any(str(dv.sqref).startswith("C2") and "取值" in dv.formula1 for dv in dvs)
    ws = wb["执行案件"]
    assert [c.value for c in ws[1]] == _labels("court_enforcements")
    assert ws.max_row >= 3  # example rows
    ids = [c.value for c in ws["D"][1:3]]
    assert all(identity.is_valid(i) for i in ids)
    # the filled template loads; the example rows are rejected with their reason, nothing else is in it
    d = tmp_path / "in"
    d.mkdir()
    p.rename(d / "模板.xlsx")
    pool = read_exports(d)
    assert (pool.ledger["status"] == "rejected").all()
    assert pool.ledger["reason"].str.contains("example row of the template").all()
    assert len(pool.ledger) == 2 * len(schema.CONTRACT_TABLES)
    # with the example keys renamed they are valid contract rows
    from jiuzhu_methods.io.loaders import example_rows

    frames = {t: df.replace({"示例-": ""}, regex=True) for t, df in example_rows().items()}
    DataPool.from_frames(frames, validate=True)


def test_template_command(tmp_path):
    from jiuzhu_methods.cli import main

    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    assert (tmp_path / "t.xlsx").exists()


# --------------------------------------------------------------------------- property-based
def _balanced(d):
    """Load ``d``: either a clear LoadError or a pool whose ledger balances with the pool."""
    try:
        pool = read_exports(d)
    except LoadError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return None
    led = pool.ledger
    for t in schema.CONTRACT_TABLES:
        assert len(pool[t]) == int(((led["table"] == t) & (led["status"] != "rejected")).sum())
    return pool


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.binary(max_size=2000), name=st.sampled_from(["petitions.csv", "信访.xlsx", "petitions.parquet",
                                                            "信访.txt"]))
def test_random_bytes_never_crash(tmp_path_factory, data, name):
    d = tmp_path_factory.mktemp("rb")
    (d / name).write_bytes(data)
    _balanced(d)


cell = st.one_of(st.text(max_size=30), st.sampled_from(["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)",
                                                       "2022/6/1", "1,200元", "", "  ", "\t=1"]),
                 # huge cells (beyond Excel's 32 767 characters too)
                 st.builds(lambda c, n: c * n, st.sampled_from(["测", "a", "=1,", "\"\n"]), st.integers(5000, 40000)))


@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=6, max_size=6), max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), english=st.booleans())
def test_random_cells_every_row_accounted(tmp_path_factory, rows, encoding, english):
    d = tmp_path_factory.mktemp("rc")
    header = schema.TABLES["petitions"].column_names if english else _labels("petitions")
    # keys present so that every record is a row; the rest is arbitrary text
    rows = [[f"K{i}"] + [c.replace("\x00", "") for c in r[1:]] for i, r in enumerate(rows)]
    try:
        data = _csv(rows, header, encoding)
    except UnicodeEncodeError:
        return
    (d / "petitions.csv").write_bytes(data)
    pool = _balanced(d)
    if pool is not None:
        assert len(pool.ledger) == len(rows)


@SETTINGS
@given(rows=st.lists(st.lists(cell, min_size=6, max_size=6), min_size=1, max_size=5))
def test_random_cells_excel(tmp_path_factory, rows):
    from jiuzhu_methods.privacy import excel_safe_value

    d = tmp_path_factory.mktemp("rx")
    rows = [[f"K{i}"] + [excel_safe_value(c) for c in r[1:]] for i, r in enumerate(rows)]
    _xlsx(d / "信访.xlsx", {"信访": [_labels("petitions")] + rows})
    pool = _balanced(d)
    assert pool is not None and len(pool.ledger) == len(rows)


@SETTINGS
@given(text=st.text(min_size=1, max_size=200))
def test_wrong_encoding_is_a_clear_error_or_loads(tmp_path_factory, text):
    d = tmp_path_factory.mktemp("we")
    data = _csv([["K1", text, "", "其他", "2022-01-01", "x"]], _labels("petitions"), "utf-8")
    (d / "petitions.csv").write_bytes(data)
    try:
        pool = read_exports(d, encoding="utf-16")
    except LoadError:
        return
    assert pool.ledger is not None


def test_empty_files(tmp_path):
    (tmp_path / "信访.csv").write_bytes(b"")
    (tmp_path / "social_aid.csv").write_bytes("\ufeff".encode("utf-8"))
    (tmp_path / "registries.csv").write_text(",".join(schema.TABLES["registries"].column_names) + "\n", encoding="utf-8")
    pool = read_exports(tmp_path)
    assert len(pool.ledger) == 0 and len(pool["petitions"]) == 0 and len(pool["registries"]) == 0


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.none(), st.integers(), st.floats(allow_nan=True)))
def test_identity_normalise_and_check_never_fail(value):
    n = identity.normalise(value)
    assert n is None or isinstance(n, str)
    assert identity.check(value) in identity.REASONS
    ser = identity.check_series(pd.Series([value], dtype="object")).iloc[0]
    assert ser == identity.check(value)


@pytest.mark.xfail(reason="identity.normalise (str.upper: 'ß' → 'SS') and normalise_series (pyarrow upper: "
                          "'ß' → 'ẞ') disagree on some non-ID text (found by hypothesis)", strict=True)
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
@example("ß")   # the known disagreement, tried first: the test fails (xfail) on every run until it is fixed
def test_identity_scalar_and_vectorised_normalise_agree(value):
    n = identity.normalise(value)
    v = identity.normalise_series(pd.Series([value], dtype="object")).iloc[0]
    assert (n is None and pd.isna(v)) or v == n


@pytest.mark.xfail(reason="identity.normalise is not idempotent on some non-ID text: NFKC runs before the "
                          "separators are removed, so 'A¨' → 'A' + U+0308, which a second NFKC composes to 'Ä' "
                          "(found by hypothesis; only strings that are invalid IDs anyway)", strict=True)
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
@example("A¨")   # the known counterexample, tried first: xfail on every run, XPASS (an error) once fixed
def test_identity_normalise_is_idempotent(value):
    n = identity.normalise(value)
    assert identity.normalise(n) == n


def test_identity_normalise_idempotence_counterexample():
    # the minimal case hypothesis found; valid IDs are never affected (digits and X only)
    assert identity.normalise("A¨") == "A\u0308"


@settings(max_examples=200, deadline=None)
@given(area=st.sampled_from(["330382", "371722", "411003", "320723", "330727"]),
       birth=st.dates(min_value=pd.Timestamp("1900-01-01").date(), max_value=pd.Timestamp("2020-12-31").date()),
       order=st.integers(0, 999), spaces=st.booleans(), fullwidth=st.booleans(), lower=st.booleans())
def test_identity_spelling_variants_normalise_to_the_valid_id(area, birth, order, spaces, fullwidth, lower):
    i = str(identity.make_ids(np.array([area]), np.array([birth], dtype="datetime64[D]"), np.array([order]))[0])
    assert identity.check(i) == ""
    v = i.lower() if lower else i
    if spaces:
        v = f" {v[:6]} {v[6:14]}-{v[14:]} "
    if fullwidth:
        v = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in v)
    assert identity.normalise(v) == i
    assert identity.check(v) == ""
    # any single changed digit breaks the check digit (MOD 11-2 detects single substitutions)
    pos = order % 17
    wrong = i[:pos] + str((int(i[pos]) + 1) % 10) + i[pos + 1:]
    assert identity.check(wrong) != ""


# --------------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_synthetic_pool_through_mixed_exports_gives_the_same_clues(tmp_path):
    """A synthetic county written as a pilot would receive it — one file per table, CSV in
    GBK / UTF-8-BOM / GB18030 / UTF-8, .xlsx and Parquet, Chinese and English headers and
    names — loads with a balanced ledger, and every model finds the same clues as on the pool.
    The documents go as CSV (prose full of ，; once a parquet file because the delimiter
    sniffing took them for separators)."""
    synth = pytest.importorskip("jiuzhu_methods.synth")
    from jiuzhu_methods import MODELS, run_model
    from jiuzhu_methods.io.loaders import ledger_summary

    pool = synth.generate("yueqing", scale=0.005, seed=1)
    encodings = ["gbk", "utf-8-sig", "gb18030", "utf-8"]
    rows = {}
    for i, t in enumerate(schema.CONTRACT_TABLES):
        df = pool[t][schema.TABLES[t].column_names].copy()
        rows[t] = len(df)
        zh = i % 2 == 0
        if zh:
            df.columns = _labels(t)
        name = schema.TABLES[t].label if zh else t
        if t == "court_enforcements":
            df.to_excel(tmp_path / f"{name}.xlsx", index=False)
        elif t == "registries":   # documents as CSV: their full-width commas must not be taken for delimiters
            df.to_parquet(tmp_path / f"{name}.parquet")
        else:
            try:
                df.to_csv(tmp_path / f"{name}.csv", index=False, encoding=encodings[i % 4])
            except UnicodeEncodeError:  # a rare character outside GBK
                df.to_csv(tmp_path / f"{name}.csv", index=False, encoding="gb18030")
    back = DataPool.read(tmp_path)
    s = ledger_summary(back.ledger)
    assert s["balanced"].all()
    assert s.groupby("table")["rows"].sum().to_dict() == {t: n for t, n in rows.items() if n}
    for t in schema.CONTRACT_TABLES:
        assert len(back[t]) == len(pool[t]), t
        for c in schema.TABLES[t].column_names:
            if c.endswith("id_number"):  # normalised by the loader (recorded as repairs)
                pd.testing.assert_series_equal(identity.usable_ids(back[t][c]), identity.usable_ids(pool[t][c]),
                                               check_names=False)
            else:
                pd.testing.assert_series_equal(back[t][c], pool[t][c], check_names=False, obj=f"{t}.{c}")
    for m in MODELS:
        a, b = run_model(m, pool), run_model(m, back)
        assert sorted(a.clues["source_ref"]) == sorted(b.clues["source_ref"]), m


def test_pattern_and_missing_values_are_warnings(tmp_path):
    rows = [["C1", "刑事检察", "审查起诉", "", "2022-01-01", "3303"]]
    (tmp_path / "proc_cases.csv").write_bytes(_csv(rows, _labels("proc_cases"), "utf-8"))
    x = read_exports(tmp_path).ledger.iloc[0]
    assert x["status"] == "accepted"
    assert "county_code (承办院区划代码): value '3303' does not match" in x["warnings"]
    assert "charge (罪名/案由): missing" in x["warnings"]


def test_unreadable_workbook_formats_are_errors_other_files_noted(tmp_path):
    rows = [["X1", "测试甲", "", "其他", A, "事项"]]  # an ID number typed into the date column
    (tmp_path / "信访.csv").write_bytes(_csv(rows, _labels("petitions"), "utf-8"))
    (tmp_path / "readme.docx").write_bytes(b"PK")
    pool = read_exports(tmp_path)
    assert any("readme.docx: not a data file" in n for n in pool.meta["load"]["notes"])
    x = pool.ledger.iloc[0]
    assert x["status"] == "rejected" and A not in x["reason"] and identity.mask(A) in x["reason"]
    (tmp_path / "执行案件.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LoadError, match=r"执行案件\.xls: \.xls workbooks cannot be read; save it as \.xlsx"):
        read_exports(tmp_path)


# --------------------------------------------------------------------------- issue #16: no silent loss
def _run(argv, capsys):
    from jiuzhu_methods.cli import main

    capsys.readouterr()
    rc = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return rc, out.out


def test_header_aliases_and_unmapped_columns(tmp_path, capsys):
    # 检察案件当事人 with 身份证号码 (alias), 当事人姓名 (alias), a 备注 column (not contract) and 序号
    header = ["序号", "记录编号", "案件编号", "诉讼地位", "当事人姓名", "身份证号码", "过错责任", "备注"]
    rows = [["1", "P1", "C1", "被害人", "测试甲", A, "", "已联系"],
            ["2", "P2", "C1", "犯罪嫌疑人", "测试乙", "", "", ""]]
    (tmp_path / "检察案件当事人.csv").write_bytes(_csv(rows, header, "utf-8"))
    pool = read_exports(tmp_path)
    assert pool["proc_parties"]["id_number"].tolist()[0] == A
    assert pool["proc_parties"]["name"].tolist() == ["测试甲", "测试乙"]
    notes, warns = pool.meta["load"]["notes"], pool.meta["load"]["warnings"]
    assert any("'身份证号码' → id_number" in n and "'当事人姓名' → name" in n for n in notes)
    assert any("row-number column(s) not loaded: 序号" in n for n in notes)
    # 备注: reported with how many rows lost a value (1 of 2); 序号 is no warning
    assert warns == ["检察案件当事人.csv: column '备注' is no column of proc_parties (检察案件当事人): not loaded "
                     "(1 of 2 rows hold a value)"]
    assert (pool.ledger["status"] == "accepted").all()
    rc, out = _run(["validate", str(tmp_path)], capsys)
    assert rc == 0 and "column '备注' is no column" in out
    rc, out = _run(["validate", str(tmp_path), "--strict"], capsys)
    assert rc == 1 and "strict: 1 file-level warning(s)" in out


def test_header_with_bom_zero_width_and_remark(tmp_path):
    header = ["\ufeff信访编号", "信访人\u200b姓名", "证件号码", "信访类别", "登记日期（yyyy-mm-dd）", "信访事项*"]
    (tmp_path / "信访.csv").write_bytes(_csv([["X1", "测试甲", A, "其他", "2022-01-01", "事项"]], header, "utf-8-sig"))
    pool = read_exports(tmp_path)
    assert pool["petitions"][["petition_id", "name", "id_number", "received_on", "text"]].values.tolist() == \
        [["X1", "测试甲", A, pd.Timestamp("2022-01-01"), "事项"]]
    assert pool.meta["load"]["warnings"] == []


def test_label_wins_over_alias_two_aliases_are_an_error(tmp_path):
    header = ["记录编号", "案号", "诉讼地位", "姓名", "身份证号", "证件号码", "判决赔偿金额"]
    rows = [["R1", "J1", "被害人", "测试甲", A, B, ""]]
    (tmp_path / "court_parties.csv").write_bytes(_csv(rows, header, "utf-8"))
    pool = read_exports(tmp_path)
    assert pool["court_parties"]["id_number"].tolist() == [A]          # 身份证号 (the label) read
    assert any("column '证件号码' also names id_number (身份证号), read from '身份证号'" in w
               for w in pool.meta["load"]["warnings"])
    header[4] = "身份证号码"
    (tmp_path / "court_parties.csv").write_bytes(_csv(rows, header, "utf-8"))
    with pytest.raises(LoadError, match="two headers name column id_number .*'身份证号码' and '证件号码'"):
        read_exports(tmp_path)


def test_full_width_commas_in_prose_do_not_fool_the_delimiter(tmp_path):
    # the first document has 30 full-width commas, 3 commas and a semicolon; the header has 3 commas
    text = "经查，" * 30 + "被害人称：赔偿未到位, 生活困难, 请求救助; 另查明，"
    rows = [["D1", "C1", "起诉书", text], ["D2", "C1", "询问笔录", "问：……答：……"]]
    (tmp_path / "数字卷宗文书.csv").write_bytes(_csv(rows, _labels("proc_documents"), "gbk"))
    pool = read_exports(tmp_path)
    assert pool["proc_documents"]["text"].tolist() == [text, "问：……答：……"]
    # … and a file that is delimited by full-width commas is read as such
    lines = ["，".join(_labels("petitions")), "，".join(["X1", "测试甲", "", "其他", "2022-01-01", "事项"])]
    (tmp_path / "信访.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_exports(tmp_path)["petitions"]["petition_id"].tolist() == ["X1"]


def test_folder_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "信访.csv").write_bytes(_csv([["X1", "测试甲", "", "其他", "2022-01-01", "事项"]],
                                                    _labels("petitions"), "utf-8"))
    z = tmp_path / "导出.zip"
    import zipfile

    with zipfile.ZipFile(z, "w") as f:
        f.write(tmp_path / "ok" / "信访.csv", "信访.csv")
    cases = {str(z): "导出.zip is a .zip archive, not a folder: unpack it",
             str(tmp_path / "nowhere"): "no such folder",
             str(tmp_path / "ok" / "信访.csv"): "信访.csv is a file, not a folder"}
    (tmp_path / "zip_only").mkdir()
    (tmp_path / "zip_only" / "导出.zip").write_bytes(z.read_bytes())
    cases[str(tmp_path / "zip_only")] = "zip_only: holds no data files, only the archive(s) 导出.zip"
    (tmp_path / "empty").mkdir()
    cases[str(tmp_path / "empty")] = "empty: holds no data files (CSV, .xlsx, Parquet): the folder is empty"
    for text, expected in (("{county", "meta.json: not valid JSON"), ("[1]", "must hold one JSON object"),
                           ('{"reference_date": "某天"}', "reference_date '某天' is not a date")):
        d = tmp_path / f"meta{len(cases)}"
        d.mkdir()
        (d / "信访.csv").write_bytes((tmp_path / "ok" / "信访.csv").read_bytes())
        (d / "meta.json").write_text(text, encoding="utf-8")
        cases[str(d)] = expected
    for folder, expected in cases.items():
        rc, out = _run(["validate", folder], capsys)
        assert rc == 2, (folder, out)
        assert out.strip().count("\n") == 0 and out.startswith("cannot load the exports: ") and expected in out, out
    # DataPool.read on a missing folder still says FileNotFoundError (its contract); the CLI turns it into one line
    with pytest.raises(FileNotFoundError):
        DataPool.read(tmp_path / "nowhere")
    rc, out = _run(["screen", "panan_m1", str(tmp_path / "nowhere")], capsys)
    assert rc == 2 and out.startswith("error: no data pool folder")


def test_archive_beside_the_exports_is_a_warning(tmp_path):
    (tmp_path / "信访.csv").write_bytes(_csv([["X1", "测试甲", "", "其他", "2022-01-01", "事项"]],
                                             _labels("petitions"), "utf-8"))
    (tmp_path / "其余.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    pool = read_exports(tmp_path)
    assert pool.meta["load"]["warnings"] == ["其余.zip: an archive, not read; unpack it into the folder if it holds exports"]


def test_workbook_with_notes_and_summary_sheets(tmp_path):
    # one table per sheet plus a 汇总 and a 备注 sheet: the tables load, the others are noted
    pet = [_labels("petitions"), ["X1", "测试甲", A, "涉法涉诉", "2022-08-01", "事项"]]
    soc = [schema.TABLES["social_aid"].column_names, ["S1", "测试甲", A, "临时救助", "民政局", "2023-01-01"]]
    _xlsx(tmp_path / "partners.xlsx", {"信访": pet, "social_aid": soc, "汇总": [["类别", "件数"], ["涉法涉诉", 1]],
                                      "备注": [["本表由民政局提供"]]})
    pool = read_exports(tmp_path)
    assert len(pool["petitions"]) == 1 and len(pool["social_aid"]) == 1
    assert any("partners.xlsx: sheet(s) 汇总, 备注 hold no contract table" in n for n in pool.meta["load"]["notes"])
    # a one-table workbook (named after its table) whose data sheet has a generic name, plus a summary
    enf = [_labels("court_enforcements"), ["E1", "", "测试甲", "", "测试乙", "", "未结", "100", "0", "2023-01-01", ""]]
    _xlsx(tmp_path / "执行案件.xlsx", {"Sheet1": enf, "统计": [["结案方式", "执行标的"], ["未结", 100]]})
    pool = read_exports(tmp_path)
    assert pool["court_enforcements"]["enforcement_id"].tolist() == ["E1"]
    assert any("执行案件.xlsx: sheet(s) 统计 hold no contract table" in n for n in pool.meta["load"]["notes"])
    # a sheet that holds a table's key header but names no table is data that cannot be placed: an error
    _xlsx(tmp_path / "partners.xlsx", {"信访": pet, "Sheet2": soc})
    with pytest.raises(LoadError, match=r"partners\.xlsx\[Sheet2\]: cannot tell which table"):
        read_exports(tmp_path)


def test_snapshot_months_are_repaired(tmp_path):
    rows = [[f"G{i}", "城市低保", "民政局", "测试甲", A, "", "", "", v]
            for i, v in enumerate(["2021-01", "2021年1月", "202101", "2021-01-01", "2021/1", "2021-01-15", "2021-13"])]
    (tmp_path / "救助名单.csv").write_bytes(_csv(rows, _labels("registries"), "utf-8"))
    pool = read_exports(tmp_path)
    led = pool.ledger
    assert led["status"].tolist() == ["repaired", "repaired", "repaired", "accepted", "repaired", "repaired", "rejected"]
    assert led["reason"].iloc[0] == "as_of (数据月份): month parsed from '2021-01' (first day of the month)"
    assert led["reason"].iloc[6] == "as_of (数据月份): unreadable month '2021-13'"
    assert (pool["registries"]["as_of"] == pd.Timestamp("2021-01-01")).all() and len(pool["registries"]) == 6
    # a number cell 202101 in a workbook is a month too
    (tmp_path / "救助名单.csv").unlink()
    _xlsx(tmp_path / "救助名单.xlsx", {"救助名单": [_labels("registries"), ["G1", "城市低保", "民政局", "测试甲", A, None, None,
                                                                       None, 202101]]})
    pool = read_exports(tmp_path)
    assert pool["registries"]["as_of"].tolist() == [pd.Timestamp("2021-01-01")]
    assert pool.ledger["status"].tolist() == ["repaired"]


def _cases_parties(tmp_path, party_cases, case_ids=("000123", "C2")):
    cases = [[c, "刑事检察", "审查起诉", "故意伤害罪", "2022-03-01", "330382"] for c in case_ids]
    (tmp_path / "检察案件.csv").write_bytes(_csv(cases, _labels("proc_cases"), "utf-8"))
    parties = [[f"P{i}", c, "被害人", "测试甲", "", ""] for i, c in enumerate(party_cases)]
    (tmp_path / "检察案件当事人.csv").write_bytes(_csv(parties, _labels("proc_parties"), "utf-8"))


def test_referential_integrity_reported_per_file(tmp_path, capsys):
    # parties of case 000123 whose key lost its zeros (123), one of a case nobody exported (C9)
    _cases_parties(tmp_path, ["123", "123", "C2", "C9", "000123"])
    pool = read_exports(tmp_path)
    led = pool.ledger[pool.ledger["table"] == "proc_parties"]
    assert led["status"].tolist() == ["accepted"] * 5                        # kept …
    assert led["warnings"].tolist()[:4] == [
        "case_id (案件编号): '123' joins no proc_cases (检察案件) row, kept",
        "case_id (案件编号): '123' joins no proc_cases (检察案件) row, kept", "",
        "case_id (案件编号): 'C9' joins no proc_cases (检察案件) row, kept"]
    assert led["warnings"].iloc[4] == ""
    # … and counted per file, with examples and the leading-zeros hint (2 of the 3 join without zeros)
    assert pool.meta["load"]["warnings"] == [
        "检察案件当事人.csv: 3 row(s) whose case_id (案件编号) joins no proc_cases (检察案件) row, e.g. 123, C9; "
        "2 of them join once leading zeros are ignored (keys stored as numbers in Excel? keep key columns as text)"]
    rc, _ = _run(["validate", str(tmp_path), "--strict"], capsys)
    assert rc == 1
    # without the cases table the references are not checked, and a note says so
    (tmp_path / "检察案件.csv").unlink()
    pool = read_exports(tmp_path)
    assert (pool.ledger["warnings"] == "").all() and pool.meta["load"]["warnings"] == []
    assert any("proc_parties.case_id (案件编号) not checked against proc_cases" in n for n in pool.meta["load"]["notes"])


def test_row_consistency_warnings(tmp_path):
    enf = [["E1", "", "测试甲", "", "测试乙", "", "未结", "100", "150", "2023-01-10", "2023-01-01"],   # paid > due, closed < filed
           ["E2", "", "测试丙", "", "测试丁", "", "未结", "100", "-5", "2023-01-10", ""],              # negative
           ["E3", "", "测试戊", "", "测试己", "", "未结", "100", "100", "2023-01-10", "2023-01-10"]]   # fine
    (tmp_path / "执行案件.csv").write_bytes(_csv(enf, _labels("court_enforcements"), "utf-8"))
    (tmp_path / "meta.json").write_text('{"reference_date": "2023-06-30"}', encoding="utf-8")
    w = read_exports(tmp_path).ledger["warnings"].tolist()
    assert w == ["closed_on (结案日期) before filed_on (立案日期), kept; amount_paid (实际到位) exceeds amount_due (执行标的), kept",
                 "amount_paid (实际到位): negative amount, kept", ""]


def test_reference_date_future_dates_and_future_births(tmp_path):
    born_2023 = str(identity.make_ids(np.array(["330382"]), np.array(["2023-05-01"], dtype="datetime64[D]"),
                                      np.array([905]))[0])
    rows = [["X1", "测试甲", born_2023, "其他", "2022-06-01", "事项"],
            ["X2", "测试乙", A, "其他", "2023-03-01", "事项"],
            ["X3", "测试丙", A, "其他", "2032-03-01", "事项"]]   # a typo for 2023
    (tmp_path / "信访.csv").write_bytes(_csv(rows, _labels("petitions"), "utf-8"))
    # no meta.json: the latest date of the exports, leaving out 2032 (more than a year after all others)
    pool = read_exports(tmp_path)
    assert pool.meta["load"]["reference_date"] == "2023-03-01" and "reference_date" not in pool.meta
    w = pool.ledger["warnings"].tolist()
    # (the birth on 2023-05-01 is after it too)
    assert w == ["id_number (信访人身份证号): invalid ID number (birth_date: born after the reference date 2023-03-01), kept",
                 "", "received_on (登记日期): date 2032-03-01 after the reference date 2023-03-01, kept"]
    # meta.json's reference date: 2023-03-01 is in the future, and so is a birth on 2023-05-01
    (tmp_path / "meta.json").write_text('{"reference_date": "2022-12-31", "county": "x"}', encoding="utf-8")
    pool = read_exports(tmp_path)
    assert pool.meta["reference_date"] == "2022-12-31"
    assert pool.meta["load"]["reference_source"] == "meta.json reference_date"
    w = pool.ledger["warnings"].tolist()
    assert w[0] == ("id_number (信访人身份证号): invalid ID number (birth_date: born after the reference date "
                    "2022-12-31), kept")
    assert w[1] == "received_on (登记日期): date 2023-03-01 after the reference date 2022-12-31, kept"
    assert born_2023 not in " ".join(w)
    assert pool["petitions"]["id_number"].iloc[0] == born_2023            # kept as it is
    # the argument wins over meta.json
    pool = read_exports(tmp_path, reference_date="2033-01-01")
    assert (pool.ledger["warnings"] == "").all()


def test_decide_reference_date_by_hand():
    from jiuzhu_methods.io.loaders import decide_reference_date

    d = lambda *v: pd.DataFrame({"received_on": pd.to_datetime(list(v))})  # noqa: E731
    # distinct dates 2022-01-01, 2022-12-31, 2024-06-01, 2031-01-01: gaps 364, 518, 2405 days →
    # 2031 left out (> 366 after 2024-06-01), then 2024-06-01 left out (> 366 after 2022-12-31)
    ref, src = decide_reference_date({"petitions": d("2022-01-01", "2022-12-31", "2024-06-01", "2031-01-01")})
    assert ref == pd.Timestamp("2022-12-31") and "2 later date(s)" in src
    # two dates a year apart stay (366 days is not more than 366)
    ref, _ = decide_reference_date({"petitions": d("2022-01-01", "2023-01-02")})
    assert ref == pd.Timestamp("2023-01-02")
    assert decide_reference_date({"petitions": d()}) == (None, "no date in the exports")
    assert decide_reference_date({}, {"reference_date": "2022年12月31日"})[0] == pd.Timestamp("2022-12-31")
    with pytest.raises(LoadError, match="not a date"):
        decide_reference_date({}, {"reference_date": "soon"})


def test_ledger_summary_counts_the_right_file(tmp_path):
    """Template with its example rows (2 per sheet, rejected) plus a CSV of 3 petitions: each
    count belongs to its own file (the counts used to be assigned in another order)."""
    write_template(tmp_path / "模板.xlsx")
    rows = [[f"X{i}", "测试甲", "", "其他", "2022-01-01", "事项"] for i in range(3)]
    (tmp_path / "信访.csv").write_bytes(_csv(rows, _labels("petitions"), "utf-8"))
    from jiuzhu_methods.io.loaders import ledger_summary

    s = ledger_summary(read_exports(tmp_path).ledger).set_index(["file", "sheet"])
    assert s["balanced"].all()
    assert s.loc[("信访.csv", ""), ["rows", "accepted", "rejected"]].tolist() == [3, 3, 0]
    assert s.loc[("模板.xlsx", "信访"), ["rows", "accepted", "rejected"]].tolist() == [2, 0, 2]
    assert s.loc[("模板.xlsx", "执行案件"), ["rows", "rejected"]].tolist() == [2, 2]
    # by hand on a ledger whose groups appear out of sorted order
    led = pd.DataFrame({"table": ["b", "a", "a", "b"], "file": ["y", "x", "x", "y"], "sheet": "",
                        "status": ["accepted", "rejected", "rejected", "repaired"], "warnings": ["w", "", "", ""]})
    s = ledger_summary(led)
    assert s[["table", "rows", "accepted", "repaired", "rejected", "warnings"]].values.tolist() == \
        [["b", 2, 1, 1, 0, 1], ["a", 2, 0, 0, 2, 0]]


def test_utf16_with_bom_is_read(tmp_path):
    rows = [["X1", "测试甲", "", "其他", "2022-01-01", "事项"]]
    (tmp_path / "信访.txt").write_bytes(_csv(rows, _labels("petitions"), "utf-16", sep="\t"))
    pool = read_exports(tmp_path)
    assert pool["petitions"]["name"].tolist() == ["测试甲"] and pool.meta["load"]["encodings"]["信访.txt"] == "utf-16"


def test_exercise_on_a_loaded_pool_is_a_clear_error(export_folder, capsys):
    rc, out = _run(["exercise", str(export_folder)], capsys)
    assert rc == 2 and "has no hidden truth" in out and out.count("\n") == 1
    rc, out = _run(["exercise", str(export_folder.parent / "nowhere")], capsys)
    assert rc == 2 and "no data pool folder" in out


def test_warnings_quoting_a_key_never_show_an_id_number(tmp_path):
    # an ID number typed into the 案件编号 column of a party: its warning quotes the key, masked
    _cases_parties(tmp_path, [A], case_ids=("C1",))
    pool = read_exports(tmp_path)
    w = pool.ledger.loc[pool.ledger["table"] == "proc_parties", "warnings"].iloc[0]
    assert A not in w and identity.mask(A) in w
    assert not any(A in x for x in pool.meta["load"]["warnings"] + pool.meta["load"]["notes"])
