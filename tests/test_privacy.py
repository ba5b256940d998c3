"""Personal data: masking, pseudonymised linkage (HMAC-SHA256 tokens), formula-safe exports.

Synthetic data only: names 测试甲…, ID numbers built by ``identity.make_ids`` (birth 1900-01-01).
"""
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu_methods import DataPool, privacy
from jiuzhu_methods.core import identity, linkage

KEY = b"0123456789abcdef-test-key"
IDS = [str(x) for x in identity.make_ids(np.array(["330382"] * 3), np.array(["1900-01-01"] * 3, dtype="datetime64[D]"),
                                         np.array([911, 912, 913]))]
A, B, C = IDS
BAD = A[:17] + ("0" if A[17] != "0" else "1")


def test_token_is_hmac_sha256_over_the_normalised_valid_id():
    expected = hmac.new(KEY, A.encode("ascii"), hashlib.sha256).hexdigest()
    assert privacy.token(A, KEY) == expected
    assert privacy.token(" " + A.lower() + " ", KEY) == expected  # normalised first
    assert privacy.token(A, KEY.decode()) == expected  # str keys are UTF-8
    assert privacy.token(A, KEY + b"x") != expected
    assert privacy.token(None, KEY) is None or pd.isna(privacy.token(None, KEY))


def test_invalid_ids_deterministic_and_never_an_id():
    t = privacy.token(BAD, KEY)
    assert t == privacy.token(BAD.lower(), KEY)  # same wrong number → same token
    assert t.startswith("!") and len(t) == 1 + 32 + 1 + 16  # birth digits 19000101 readable
    assert privacy.token("12345", KEY).startswith("!") and ":" not in privacy.token("12345", KEY)
    # pseudonymising twice changes nothing
    s = pd.Series([A, BAD, None, "12345"], dtype="str")
    once = privacy.pseudonymise_ids(s, KEY)
    pd.testing.assert_series_equal(privacy.pseudonymise_ids(once, KEY), once)
    assert once.isna().tolist() == [False, False, True, False]


def test_key_from_env_or_file(tmp_path, monkeypatch):
    monkeypatch.setenv("JIUZHU_PSEUDONYM_KEY", KEY.decode())
    assert privacy.load_key() == KEY
    (tmp_path / "k").write_bytes(KEY + b"\n")
    assert privacy.load_key(file=tmp_path / "k") == KEY
    monkeypatch.delenv("JIUZHU_PSEUDONYM_KEY")
    with pytest.raises(KeyError, match="JIUZHU_PSEUDONYM_KEY"):
        privacy.load_key()
    with pytest.raises(ValueError, match="at least 16 bytes"):
        privacy.pseudonymise_ids(pd.Series([A]), b"short")


def _pool():
    parties = pd.DataFrame({"record_id": ["P1", "P2", "P3", "P4"], "case_id": ["C1"] * 4,
                            "role": ["被害人", "被害人", "被害人", "犯罪嫌疑人"],
                            "name": ["测试甲", "测试乙", "测试丙", "测试丁"],
                            "id_number": [A.lower(), BAD, None, B], "fault": [None] * 4})
    reg = pd.DataFrame({"record_id": ["G1", "G2", "G3"], "registry": ["城市低保"] * 3, "agency": ["民政局"] * 3,
                        "name": ["测试甲", "测试乙", "测试丙"], "id_number": [A, BAD[:-1] + BAD[-1], C],
                        "detail": [None] * 3, "address": [None] * 3, "phone": [None] * 3,
                        "as_of": ["2023-06-01"] * 3})
    enf = pd.DataFrame({"enforcement_id": ["E1"], "judgment_id": [None], "applicant_name": ["测试甲"],
                        "applicant_id_number": [A], "respondent_name": ["测试丁"], "respondent_id_number": [B],
                        "closure": ["终结本次执行"], "amount_due": [1.0], "amount_paid": [0.0],
                        "filed_on": ["2023-01-01"], "closed_on": [None]})
    docs = pd.DataFrame({"doc_id": ["D1"], "case_id": ["C1"], "doc_type": ["起诉书"],
                         "text": [f"被害人测试甲（公民身份号码{A}）受伤。"]})
    return DataPool.from_frames({"proc_parties": parties, "registries": reg, "court_enforcements": enf,
                                 "proc_documents": docs}, meta={"county": "test"})


def test_pseudonymised_pool_links_like_the_plain_one():
    plain = _pool()
    pseudo = plain.pseudonymise(KEY)
    assert pseudo is not plain and pseudo.meta["pseudonymised"] is True and "key" not in str(pseudo.meta).lower().replace("pseudonym_scheme", "")
    assert plain["proc_parties"]["id_number"].iloc[0] == A.lower()  # the plain pool is unchanged
    for table, cols in [("proc_parties", ["id_number"]), ("registries", ["id_number"]),
                        ("court_enforcements", ["applicant_id_number", "respondent_id_number"])]:
        for c in cols:
            v = pseudo[table][c].dropna()
            assert not identity.valid_series(v).any()
            assert privacy.is_token(v).all()
    assert A not in pseudo["proc_documents"]["text"].iloc[0]
    assert privacy.token(A, KEY) in pseudo["proc_documents"]["text"].iloc[0]
    # the same pairs under every linkage that reads only IDs; dedupe identical
    for how in ("id", "id+name"):
        pd.testing.assert_frame_equal(linkage.link(plain["proc_parties"], plain["registries"], linkage=how),
                                      linkage.link(pseudo["proc_parties"], pseudo["registries"], linkage=how))
    # P1 matches G1 by ID; P2/G2 share an invalid ID → no exact match, but name + birth digits (fallback)
    fb_plain = linkage.link(plain["proc_parties"], plain["registries"], linkage="fallback")
    fb_pseudo = linkage.link(pseudo["proc_parties"], pseudo["registries"], linkage="fallback")
    pd.testing.assert_frame_equal(fb_plain, fb_pseudo)
    assert fb_plain.values.tolist() == [[0, 0, "id", 1.0], [1, 1, "name+birth_date", 0.8]]
    twice = pd.concat([plain["proc_parties"], plain["proc_parties"]], ignore_index=True)
    twice_p = pd.concat([pseudo["proc_parties"], pseudo["proc_parties"]], ignore_index=True)
    assert linkage.dedupe_persons(twice).index.tolist() == linkage.dedupe_persons(twice_p).index.tolist()
    # applicant columns too
    pairs = linkage.link(pseudo["court_enforcements"], pseudo["registries"],
                         left_cols={"id_col": "applicant_id_number", "name_col": "applicant_name"})
    assert pairs[["left", "right"]].values.tolist() == [[0, 0]]


def test_mask_frame_masks_every_identity_column():
    pool = _pool()
    m = privacy.mask_frame(pool["court_enforcements"])
    assert m["applicant_name"].iloc[0] == "测**" and m["respondent_name"].iloc[0] == "测**"
    assert m["applicant_id_number"].iloc[0] == identity.mask(A)
    assert m["respondent_id_number"].iloc[0] == identity.mask(B)
    d = privacy.mask_frame(pool["proc_documents"])
    assert A not in d["text"].iloc[0] and identity.mask(A) in d["text"].iloc[0]
    raw = privacy.mask_frame(pool["court_enforcements"], raw=True)
    pd.testing.assert_frame_equal(raw, pool["court_enforcements"])
    # tokens are not ID numbers: kept so that partners can match them
    p = privacy.mask_frame(pool.pseudonymise(KEY)["proc_parties"])
    assert p["id_number"].iloc[0] == privacy.token(A, KEY)
    # Chinese headers too
    zh = privacy.mask_frame(pd.DataFrame({"申请执行人姓名": ["测试甲"], "申请执行人身份证号": [A]}))
    assert zh.values.tolist() == [["测**", identity.mask(A)]]


def test_scan_outputs_finds_unmasked_ids(tmp_path):
    pool = _pool()
    privacy.to_csv(pool["proc_parties"], tmp_path / "masked.csv")
    privacy.to_excel({"parties": pool["proc_parties"], "docs": pool["proc_documents"]}, tmp_path / "masked.xlsx")
    assert privacy.scan_outputs(tmp_path).empty
    privacy.to_csv(pool["proc_parties"], tmp_path / "raw.csv", raw=True)
    found = privacy.scan_outputs(tmp_path)
    assert found["file"].str.endswith("raw.csv").tolist() == [True]
    # A, B and — issue #16 — BAD: a wrong check digit, but area 330382 and a real birth date
    # (1900-01-01): someone's mistyped number, found like a valid one
    assert found["ids"].iloc[0] == 3


FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", " =1",
            "＝1+1", "\r=1"]


def test_excel_exports_neutralise_formulas(tmp_path):
    from openpyxl import load_workbook

    df = pd.DataFrame({"text": FORMULAS, "n": range(len(FORMULAS))})
    p = privacy.to_excel(df, tmp_path / "x.xlsx")
    ws = load_workbook(p)["data"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)
    texts = [ws.cell(row=i + 2, column=1).value for i in range(len(FORMULAS))]
    assert all(t.startswith("'") for t in texts)
    assert [ws.cell(row=i + 2, column=2).value for i in range(len(FORMULAS))] == list(range(len(FORMULAS)))
    privacy.to_csv(df, tmp_path / "x.csv")
    back = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig", keep_default_na=False)
    assert back["text"].str.startswith("'").all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=50), st.sampled_from(FORMULAS),
                          st.builds(lambda c, n: c * n, st.sampled_from(["=", "测", "a"]), st.integers(30000, 40000))),
                min_size=1, max_size=5))
def test_exported_cells_never_formulas(tmp_path_factory, values):
    from openpyxl import load_workbook

    p = privacy.to_excel(pd.DataFrame({"v": values}), tmp_path_factory.mktemp("x") / "x.xlsx")
    ws = load_workbook(p)["data"]
    for row in ws.iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f"
            assert c.value is None or len(str(c.value)) <= privacy.EXCEL_MAX_CELL


# --------------------------------------------------------------------------- every model
def _clue_key(df):
    return df.sort_values(["source", "source_ref"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def small_pools():
    synth = pytest.importorskip("jiuzhu_methods.synth")
    out = {}

    def get(county):
        if county not in out:
            plain = synth.generate(county, scale=0.005, seed=1)
            out[county] = (plain, plain.pseudonymise(KEY, attributes=True))
        return out[county]

    return get


def _models():
    from jiuzhu_methods import MODELS

    return MODELS


#: models known to give different clues on a pseudonymised pool (none: models read birth date,
#: sex and area through privacy.birth_dates / sexes / area_codes and join on identity.usable_ids,
#: which keeps tokens)
_KNOWN: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize("model", [pytest.param(m, marks=pytest.mark.xfail(reason=_KNOWN[m], strict=False))
                                   if m in _KNOWN else m for m in _models()])
def test_every_model_gives_identical_clues_on_a_pseudonymised_pool(model, small_pools):
    """Same clue rows (same sources and row keys, same values), tokens in place of IDs."""
    from jiuzhu_methods import run_model

    plain, pseudo = small_pools(model.split(".")[0])
    a = run_model(model, plain)
    b = run_model(model, pseudo)
    assert len(a.clues) == len(b.clues), model
    ca, cb = _clue_key(a.clues), _clue_key(b.clues)
    # companion columns (birth date, sex, area) may ride along; every plain column must agree
    assert set(ca.columns) <= set(cb.columns)
    assert not any(privacy.is_attribute_column(c) for c in privacy.mask_frame(cb).dropna(axis=1, how="all").columns)
    expected = privacy.pseudonymise_frame(ca, KEY)
    for col in ca.columns:
        if col == "clue_id":
            continue
        pd.testing.assert_series_equal(expected[col].astype("object").where(expected[col].notna(), None),
                                       cb[col].astype("object").where(cb[col].notna(), None),
                                       check_names=False, obj=f"{model} clues[{col}]")
    # the funnels count the same rows at every step
    assert a.funnel["n_out"].tolist() == b.funnel["n_out"].tolist(), model


def test_companion_attributes_match_the_digits():
    pool = _pool()
    pseudo = pool.pseudonymise(KEY, attributes=True)
    assert "id_number_birth_date" not in pool.pseudonymise(KEY)["proc_parties"].columns  # default: tokens only
    p, q = pool["proc_parties"], pseudo["proc_parties"]
    pd.testing.assert_series_equal(privacy.birth_dates(p), privacy.birth_dates(q), check_names=False)
    pd.testing.assert_series_equal(privacy.sexes(p), privacy.sexes(q), check_names=False)
    pd.testing.assert_series_equal(privacy.area_codes(p), privacy.area_codes(q), check_names=False)
    assert privacy.area_codes(q).tolist()[:2] == ["330382", "330382"]  # the invalid ID keeps its area too
    e = pseudo["court_enforcements"]
    assert privacy.birth_dates(e, "applicant_id_number").iloc[0] == pd.Timestamp("1900-01-01")
    # masked on output
    m = privacy.mask_frame(q)
    assert m["id_number_birth_date"].isna().all() and m["id_number_area"].isna().all()


def test_pseudonymise_command_never_writes_the_key(tmp_path, monkeypatch):
    from jiuzhu_methods.cli import main

    _pool().write(tmp_path / "p")
    monkeypatch.setenv("JIUZHU_PSEUDONYM_KEY", KEY.decode())
    assert main(["pseudonymise", str(tmp_path / "p"), str(tmp_path / "q")]) == 0
    back = DataPool.read(tmp_path / "q")
    assert back.meta["pseudonymised"] is True
    assert back["proc_parties"]["id_number"].iloc[0] == privacy.token(A, KEY)
    for f in (tmp_path / "q").rglob("*"):
        if f.is_file():
            assert KEY not in f.read_bytes()
            assert A.encode() not in f.read_bytes()
    assert privacy.scan_outputs(tmp_path / "q").empty  # Parquet read back, not just its compressed bytes
    assert not privacy.scan_outputs(tmp_path / "p").empty
    monkeypatch.delenv("JIUZHU_PSEUDONYM_KEY")
    assert main(["pseudonymise", str(tmp_path / "p"), str(tmp_path / "r")]) == 2


@pytest.mark.slow
def test_masked_exports_of_every_model_hold_no_valid_id(small_pools, tmp_path):
    """Every frame a model returns (clues, funnel, lists), exported with the defaults, holds no
    unmasked valid ID number — while the raw export does."""
    from jiuzhu_methods import run_model

    raw_ids = 0
    for m in _models():
        plain, _ = small_pools(m.split(".")[0])
        r = run_model(m, plain)
        frames = {"clues": r.clues, "funnel": r.funnel}
        frames.update({k: v for k, v in (r.lists or {}).items() if isinstance(v, pd.DataFrame)})
        privacy.to_excel(frames, tmp_path / "masked" / f"{m}.xlsx")
        for k, v in frames.items():
            privacy.to_csv(v, tmp_path / "masked" / f"{m}.{k}.csv")
        privacy.to_csv(r.clues, tmp_path / "raw" / f"{m}.csv", raw=True)
    assert privacy.scan_outputs(tmp_path / "masked").empty
    assert not privacy.scan_outputs(tmp_path / "raw").empty  # the scan does find them


def test_id_attributes_by_hand():
    # 11010519491231002X: born 1949-12-31, 17th digit 2 → 女; its 15-digit form 110105491231002
    # becomes 11010519491231002? (valid, same person, sex digit 2 → 女); 330382198001010071 has a
    # wrong check digit: no birth date or sex, but 18 characters, so its area 330382 is read
    s = pd.Series(["11010519491231002x", "110105491231002", "330382198001010071", None, "abc",
                   "11010519491231002x"], index=[5, 4, 3, 2, 1, 0], dtype="str")
    got = privacy.id_attributes(s)
    assert got.index.tolist() == [5, 4, 3, 2, 1, 0]
    assert got["birth_date"].tolist()[:2] == [pd.Timestamp("1949-12-31")] * 2
    assert got["birth_date"].iloc[2:5].isna().all() and got["birth_date"].iloc[5] == pd.Timestamp("1949-12-31")
    assert got["sex"].fillna("-").tolist() == ["女", "女", "-", "-", "-", "女"]
    assert got["area"].fillna("-").tolist() == ["110105", "110105", "330382", "-", "-", "110105"]
    # the same as the single-attribute functions of identity
    pd.testing.assert_series_equal(got["birth_date"], identity.birth_dates_series(s), check_names=False)
    pd.testing.assert_series_equal(got["sex"], identity.sex_series(s), check_names=False)


def _id_attributes_reference(s):
    """privacy.id_attributes as it read every distinct value with pandas string methods (the
    reading the byte-level version must reproduce value for value)."""
    codes, u = identity.distinct_values(identity.as_str(s))
    norm = identity.normalise_distinct(u)
    usable = identity.usable_distinct(norm)
    shaped = norm.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
    per_value = {"birth_date": identity.birth_distinct(usable), "sex": identity.sex_distinct(usable),
                 "area": norm.str.slice(0, 6).where(shaped).astype("str")}
    return pd.DataFrame({k: identity.spread_to_rows(v, codes, s) for k, v in per_value.items()}, index=s.index)


def test_id_attributes_as_the_string_reading():
    # valid IDs (both sexes, leap day, 1900 and 2099 births), bad check digit / date / area,
    # 15-digit, full-width and lower-case forms, other scripts' digits (18 "digits" for \d: an
    # area of Arabic-Indic digits), 17 or 19 digits, tokens (their hex digits read as a date and
    # a sex digit: 64 hex characters whose 7th–14th are "20000229" and 17th "5"), missing, empty, text
    ids = [str(x) for x in identity.make_ids(
        np.array(["330382", "110105", "330382", "110105"]),
        np.array(["1900-01-01", "2000-02-29", "2099-12-31", "1985-07-04"], dtype="datetime64[D]"),
        np.array([1, 2, 913, 0]))]
    fw = ids[1].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    tok_date = "ABCDEF" + "20000229" + "A3" + "5" + "C" * 47
    tok_hex = privacy.token(ids[0], KEY)
    vals = ids + [ids[0][:17] + ("0" if ids[0][17] != "0" else "1"), "330382190002300019", "999999198001010011",
                  "110105491231002", fw, ids[3].lower(), "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨", "١٢٣٤٥٦" + ids[0][6:],
                  ids[0][:17], ids[0] + "1", tok_date, tok_date.lower(), tok_hex, None, "", "abc",
                  "33038219800101001x", ids[2]]
    s = pd.Series(vals, index=np.arange(len(vals))[::-1] * 3, dtype="str")
    want = _id_attributes_reference(s)
    got = privacy.id_attributes(s)
    pd.testing.assert_frame_equal(got, want)
    # the token's digits do read as a date and a sex (as before), the Arabic-Indic value has an area
    assert got.loc[s.index[vals.index(tok_date)], "birth_date"] == pd.Timestamp("2000-02-29")
    assert got.loc[s.index[vals.index(tok_date)], "sex"] == "男"
    assert got.loc[s.index[vals.index("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨")], "area"] == "١٢٣٤٥٦"
    assert got["birth_date"].notna().sum() >= 5 and (got["sex"] == "女").any() and (got["sex"] == "男").any()
    # a pseudonymised pool's column (tokens only) and an empty one
    pd.testing.assert_frame_equal(privacy.id_attributes(privacy.pseudonymise_ids(s, KEY)),
                                  _id_attributes_reference(privacy.pseudonymise_ids(s, KEY)))
    e = s.iloc[:0]
    pd.testing.assert_frame_equal(privacy.id_attributes(e), _id_attributes_reference(e))
    allnone = pd.Series([None, None], dtype="str")
    pd.testing.assert_frame_equal(privacy.id_attributes(allnone), _id_attributes_reference(allnone))


# --------------------------------------------------------------------------- issue #16: one masking module
X = "11010519491231002X"          # valid, ends in X: masked 1101**********002X
X15 = "110105491231002"           # its first-generation 15-digit form (normalises to X)
MX = identity.mask(X)
FW = X.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
#: every spelling of an ID the masker and the scanner must catch, and what it becomes
FORMS = {
    "18 digits": (X, MX),
    "lower x": (X.lower(), MX),
    "15 digits": (X15, MX),                          # upgraded to 18, then masked
    "full-width": (FW, MX),
    "prefixed P": ("P" + X, "P" + MX),
    "prefixed DB-, suffixed": ("DB-" + X + "-202101", "DB-" + MX + "-202101"),
    "suffix letters": (X.lower() + "SA", MX + "SA"),
    "glued to Chinese": ("证号" + X + "号", "证号" + MX + "号"),
    "glued to letters both sides": ("ab" + X + "cd", "ab" + MX + "cd"),
    "near-valid (check digit wrong)": (X[:17] + "1", "1101**********0021"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_id_form_is_masked_in_text_and_found_by_the_scanner(form, tmp_path):
    raw, masked = FORMS[form]
    text = f"记录 {raw} 已核"
    assert privacy.mask_text(text) == f"记录 {masked} 已核"
    assert privacy.find_ids(text), form                         # the scanner sees the raw form ...
    assert privacy.find_ids(privacy.mask_text(text)) == []      # ... and not the masked one
    (tmp_path / "raw.txt").write_text(text, encoding="utf-8")
    (tmp_path / "masked.txt").write_text(privacy.mask_text(text), encoding="utf-8")
    found = privacy.scan(tmp_path)
    assert found["file"].tolist() == [str(tmp_path / "raw.txt")] and found["kind"].tolist() == ["id"]
    assert X not in found.to_string()                           # a finding is listed masked


def test_what_is_no_id_and_tokens_are_kept():
    # 17 digits, 14 digits and an 18-digit number with month 13 (no birth date) are no ID for
    # the scanner; the masker still masks every run of 15 digits or more (a bank card, say)
    assert privacy.find_ids("33038219000101911 33038219000101 330382190013019115") == []
    assert privacy.mask_text("卡号6222021234567890123") == "卡号6222***********0123"
    # digits glued to other digits are one run: masked as a whole, and the valid ID inside is found
    assert privacy.find_ids("12" + X + "34") == [X]
    assert X not in privacy.mask_text("12" + X + "34")
    # a pseudonym token (64 hex) is no ID even when it holds a run of digits; kept as it is
    tok = "ab" + "1" * 18 + "c" * 44
    assert privacy.mask_text("P" + tok) == "P" + tok and privacy.find_ids(tok) == []


def test_record_key_rule():
    # no ID inside: as it is; an ID inside: masked where it stands (without the pool's rows)
    assert privacy.record_key("DSR0000001") == "DSR0000001"
    assert privacy.record_key("P" + X) == "P" + MX
    assert privacy.record_key("、".join(["J1", X])) == "J1、" + MX
    assert privacy.record_key(None) is None


def _keyed_pool(with_ledger: bool):
    """Three parties keyed by ID (P<A>, P<B>, bare C) and one plain key; B's key twice."""
    parties = pd.DataFrame({"record_id": ["R0", "P" + A, "P" + B, C, "P" + B],
                            "case_id": ["K1"] * 5, "role": ["被害人"] * 5,
                            "name": ["测试甲", "测试乙", "测试丙", "测试丁", "测试丙"],
                            "id_number": [None, A, B, C, B], "fault": [None] * 5})
    pool = DataPool.from_frames({"proc_parties": parties})
    if with_ledger:
        # as the loader numbers them: the header is row 1 of 当事人.csv, so the data rows are 2–6
        pool.ledger = pd.DataFrame({"table": "proc_parties", "file": "当事人.csv", "sheet": "",
                                    "row": [2, 3, 4, 5, 6], "key": parties["record_id"],
                                    "status": "accepted", "reason": "", "warnings": ""})
    return pool


def test_record_keys_give_the_row_an_office_can_open():
    # with the ledger: file and spreadsheet row (P<B> is on rows 4 and 6 → 第4行等2行)
    k = privacy.record_keys(_keyed_pool(True))
    assert k.label("P" + A, "proc_parties") == "当事人.csv 第3行"
    assert k.label("P" + B, "proc_parties") == "当事人.csv 第4行等2行"
    assert k.label(C) == "当事人.csv 第5行" and k.label("R0", "proc_parties") is None
    # without it (a Parquet pool): the record of the pool's table, 1-based
    k = privacy.record_keys(_keyed_pool(False))
    assert k.label("P" + A, "proc_parties") == "proc_parties 第2条" and k.label(C) == "proc_parties 第4条"
    # mask_frame reads source_ref with its row's source table
    clues = pd.DataFrame({"source": ["proc_parties", "proc_parties", "petitions"],
                          "source_ref": ["P" + A, "R0", "Q" + C], "name": ["测试乙", "测试甲", "测试丁"]})
    m = privacy.mask_frame(clues, keys=k)
    assert m["source_ref"].tolist() == ["proc_parties 第2条", "R0", "Q" + identity.mask(C)]
    assert m["name"].tolist() == ["测**"] * 3


def test_mask_frame_columns_and_names_from_the_pool():
    pool = _keyed_pool(False)
    names = privacy.pool_names(pool)
    assert names == {"测试甲", "测试乙", "测试丙", "测试丁"}
    df = pd.DataFrame({"record_id": ["P" + A], "phone": ["138-1234-5678"], "address": ["磐安县大盘镇凡贵村94号"],
                       "note": [f"测试乙来电13812345678，证号{A}"], "aid_ids": [["J1", "P" + B]],
                       "county_name": ["磐安县"], "公民身份号码": [A]})
    m = privacy.mask_frame(df, names=names)
    assert m.loc[0, "record_id"] == "P" + identity.mask(A)
    assert m.loc[0, "phone"] == "138****5678" and m.loc[0, "address"] == "磐安县***"
    assert m.loc[0, "note"] == f"测**来电138****5678，证号{identity.mask(A)}"
    assert m.loc[0, "aid_ids"] == ["J1", "P" + identity.mask(B)]
    assert m.loc[0, "county_name"] == "磐安县"              # no person's name
    assert m.loc[0, "公民身份号码"] == identity.mask(A)
    # a name known to the pool inside any text; a landline too
    assert privacy.mask_text("测试丙与测试丁，电话0579-84661234", names) == "测**与测**，电话057*****1234"


def test_a_masked_output_passes_the_scanner_and_a_raw_one_fails(tmp_path):
    pool = _pool()
    names = privacy.pool_names(pool)
    reg = pool["registries"].assign(phone=["13812345678", None, "0579-84661234"])
    for raw, folder in ((False, "masked"), (True, "raw")):
        privacy.to_csv(reg, tmp_path / folder / "reg.csv", raw=raw, names=names)
        privacy.to_excel({"docs": pool["proc_documents"], "reg": reg}, tmp_path / folder / "x.xlsx", raw=raw,
                         names=names)
    assert privacy.scan(tmp_path / "masked", names=names, phones=privacy.pool_phones(DataPool.from_frames(
        {"registries": reg}))).empty
    found = privacy.scan(tmp_path / "raw", names=names, phones=["0579-84661234"])
    by = found.groupby(["file", "kind"])["n"].sum().to_dict()
    # reg.csv: A and C, plus BAD (near-valid) = 3 IDs; the mobile and the given landline; 3 names
    assert by[(str(tmp_path / "raw" / "reg.csv"), "id")] == 3
    assert by[(str(tmp_path / "raw" / "reg.csv"), "phone")] == 2
    assert by[(str(tmp_path / "raw" / "reg.csv"), "name")] == 3
    assert (str(tmp_path / "raw" / "x.xlsx"), "name") in by   # xlsx cells are read too


def test_scanner_reads_docx_ipynb_json_and_html_entities(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "letter.docx", "w") as z:
        z.writestr("word/document.xml", f"<w:document><w:p><w:r><w:t>证号{A}</w:t></w:r></w:p></w:document>")
    nb = {"cells": [{"outputs": [{"data": {"text/html": f"<td>{B}</td>", "image/png": "iVBOR" + C}}]}]}
    (tmp_path / "r.ipynb").write_text(__import__("json").dumps(nb), encoding="utf-8")
    (tmp_path / "r.html").write_text("<td>&#51;" + C[1:] + "</td>", encoding="utf-8")   # &#51; is "3"
    found = privacy.scan(tmp_path)
    assert sorted((p.rsplit("/", 1)[1], f) for p, f in zip(found["file"], found["found"])) == [
        ("letter.docx", identity.mask(A)), ("r.html", identity.mask(C)), ("r.ipynb", identity.mask(B))]


def test_the_ledger_masks_keys_quoted_names_ids_and_phones():
    led = pd.DataFrame({"table": ["proc_parties"] * 3, "file": ["当事人.csv"] * 3, "sheet": [""] * 3, "row": [2, 3, 4],
                        "key": ["P" + A, "R1", B + "SA"], "status": ["accepted"] * 3,
                        "reason": ["", f"detail (类别明细): value '{A} 13812345678' not in the vocabulary", ""],
                        "warnings": ["role (诉讼地位): value '张雪' not in the vocabulary, kept",
                                     "agency (数据来源单位): value '测试乙' not in the vocabulary, kept",
                                     "role (诉讼地位): value '民政' not in the vocabulary, kept"]})
    m = privacy.mask_ledger(led, names={"测试乙"})
    assert m["key"].tolist() == ["P" + identity.mask(A), "R1", identity.mask(B) + "SA"]
    # 张雪: name-shaped (surname 张 + one Han character); 测试乙: a name of the pool; 民政: the
    # surname list has 民? no — kept as it is (a value the office must see to fix its mapping)
    assert m["warnings"].tolist() == ["role (诉讼地位): value '张*' not in the vocabulary, kept",
                                      "agency (数据来源单位): value '测**' not in the vocabulary, kept",
                                      "role (诉讼地位): value '民政' not in the vocabulary, kept"]
    assert m["reason"].iloc[1] == f"detail (类别明细): value '{identity.mask(A)} 138****5678' not in the vocabulary"
    v = privacy.mask_vocabulary([{"table": "proc_parties", "column": "role", "label": "诉讼地位", "value": "张雪", "count": 1},
                                 {"table": "proc_parties", "column": "role", "label": "诉讼地位", "value": "受害人", "count": 2},
                                 {"table": "registries", "column": "registry", "label": "名单类别", "value": A, "count": 1}])
    assert v["value"].tolist() == ["张*", "受害人", identity.mask(A)]
    assert privacy.looks_like_name("欧阳小明") and not privacy.looks_like_name("被害人")
    assert not privacy.looks_like_name("申请人")   # 申 is a surname, but 申请人 is a vocabulary word


def test_validate_writes_and_prints_no_shifted_name_or_id(tmp_path, capsys):
    from jiuzhu_methods.cli import main

    d = tmp_path / "exports"
    d.mkdir()
    # row 2: the name slipped into 诉讼地位 and the ID into 姓名; the key is the person's ID
    (d / "proc_parties.csv").write_text(
        "record_id,case_id,role,name,id_number,fault\n"
        f"P{A},K1,张雪,{A},,\n"
        f"P{B},K1,被害人,测试乙,{B},\n", encoding="utf-8")
    assert main(["validate", str(d), "--out", str(tmp_path / "ledger")]) == 0
    printed = capsys.readouterr().out
    files = [p.read_bytes().decode("utf-8-sig") for p in (tmp_path / "ledger").glob("*.csv")]
    for text in [printed, *files]:
        assert A not in text and B not in text and "张雪" not in text
    assert "'张*' × 1" in printed
    assert privacy.scan(tmp_path / "ledger", names={"张雪", "测试乙"}, ids=[A, B]).empty


def test_excel_safe_is_the_one_neutraliser():
    from jiuzhu_methods.referral import network

    for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", " =1", "＝1"):
        assert privacy.excel_safe_value(v) == "'" + v, v
    for v in ("ok", "1-2", "a=b", "张三"):
        assert privacy.excel_safe_value(v) == v
    df = pd.DataFrame({"x": ["+1", "ok", "@a", "-2"]})
    pd.testing.assert_frame_equal(network.neutralise(df), privacy.excel_safe(df))


def test_key_file_whitespace_is_the_environment_variables(tmp_path, monkeypatch):
    # a partner's key file ends in a newline (or CRLF, or a space); another partner's variable
    # in a space: the same key, the same tokens
    base = KEY.decode()
    monkeypatch.setenv("JIUZHU_PSEUDONYM_KEY", base + " ")
    from_env = privacy.load_key()
    for tail in (b"\n", b"\r\n", b" \n", b"\t"):
        (tmp_path / "k").write_bytes(KEY + tail)
        assert privacy.load_key(file=tmp_path / "k") == from_env == KEY
    monkeypatch.setenv("JIUZHU_PSEUDONYM_KEY", "  " + base + "\n")
    assert privacy.load_key() == KEY
    assert privacy.token(A, privacy.load_key()) == privacy.token(A, KEY)
    monkeypatch.setenv("JIUZHU_PSEUDONYM_KEY", "   " * 10)
    with pytest.raises(ValueError, match="only whitespace"):
        privacy.load_key()


def test_weak_keys_warn():
    for weak in ("a" * 20, "ab" * 10, "abcabcabcabcabcabc", " " * 20, "aaaaaaaaaaaaaaab"):
        with pytest.warns(UserWarning, match="weak"):
            privacy.check_key(weak)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        privacy.check_key(KEY)      # no warning for an ordinary key


def test_repseudonymising_with_another_key_is_an_error():
    once = _pool().pseudonymise(KEY)
    assert once.meta["pseudonym_check"] == privacy.key_check(KEY) and len(once.meta["pseudonym_check"]) == 16
    again = once.pseudonymise(KEY)            # the same key: nothing changes
    pd.testing.assert_frame_equal(again["proc_parties"], once["proc_parties"])
    with pytest.raises(ValueError, match="another key"):
        once.pseudonymise(KEY + b"-other")
    # tokens without a record of the key (e.g. an export of a tokenised pool): cannot confirm
    bare = DataPool.from_frames({"proc_parties": once["proc_parties"]})
    with pytest.raises(ValueError, match="does not record"):
        bare.pseudonymise(KEY)


def test_pseudonymised_keys_and_shifted_ids_hold_tokens():
    # record keys P<id> become P<token> (unique, the same token everywhere); an ID typed into
    # a name column becomes its token too; names themselves stay
    parties = pd.DataFrame({"record_id": ["P" + A, "P" + B], "case_id": ["K1", "K1"], "role": ["被害人"] * 2,
                            "name": [A, "测试乙"], "id_number": [None, B], "fault": [None, None]})
    links = pd.DataFrame({"person_id": ["x", "y"], "source": ["proc_parties"] * 2, "source_ref": ["P" + A, "P" + B],
                          "field": ["person"] * 2})
    pool = DataPool.from_frames({"proc_parties": parties, "truth_links": links})
    p = pool.pseudonymise(KEY)
    pp = p["proc_parties"]
    assert pp["record_id"].tolist() == ["P" + privacy.token(A, KEY), "P" + privacy.token(B, KEY)]
    assert pp["name"].tolist() == [privacy.token(A, KEY), "测试乙"]
    assert p.truth["truth_links"]["source_ref"].tolist() == pp["record_id"].tolist()  # still joins
