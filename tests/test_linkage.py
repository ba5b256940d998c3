"""Record linkage on hand-built tables.

left                                 right
 0 张三 33038219800101007X (valid)     0 张三 33038219800101007x   (same ID, lower-case x)
 1 李四 missing                         1 李四 phone 13800000001
 2 王五 330382198001010071 (bad check)  2 王五 33038219800101007X    (valid ID of 张三! same birth date)
 3 赵六 missing, phone 138-0000-0002    3 赵六 phone 13800000002
 4 钱七 11010519491231002X              4 钱七 110105194912310021  (both unusable? right bad check)

id:        (0,0) and (0,2): 张三's valid ID equals right 0 and right 2 → two exact pairs.
           Nothing else: left 2, left 4 have no usable ID on one side.
id+name:   (0,0) only: right 2 has 张三's ID under the name 王五.
fallback:  exact pairs + (2,2) name+birth_date (王五, 19800101, left has no usable ID),
           (3,3) name+phone; (1,1) no: left 1 has no phone; (4,4) name+birth_date 19491231
           (right 4 has no usable ID).
"""
import pandas as pd
import pyarrow as pa
import pytest

from jiuzhu_methods.core import linkage as L

LEFT = pd.DataFrame({
    "name": ["张三", "李四", "王五", "赵六", "钱七"],
    "id_number": ["33038219800101007X", None, "330382198001010071", None, "11010519491231002X"],
    "phone": [None, None, None, "138-0000-0002", None],
})
RIGHT = pd.DataFrame({
    "name": ["张三", "李四", "王五", "赵六", "钱七"],
    "id_number": ["33038219800101007x", None, "33038219800101007X", None, "110105194912310021"],
    "phone": [None, "13800000001", None, "13800000002", None],
})


def pairs(linkage):
    return [tuple(r) for r in L.link(LEFT, RIGHT, linkage=linkage)[["left", "right", "match"]].values.tolist()]


def test_exact_id():
    assert pairs("id") == [(0, 0, "id"), (0, 2, "id")]


def test_id_and_name():
    assert pairs("id+name") == [(0, 0, "id+name")]


def test_fallback_lower_confidence_never_exact():
    got = L.link(LEFT, RIGHT, linkage="fallback")
    assert [tuple(r) for r in got[["left", "right", "match"]].values.tolist()] == [
        (0, 0, "id"), (0, 2, "id"), (2, 2, "name+birth_date"), (3, 3, "name+phone"), (4, 4, "name+birth_date")]
    assert got.loc[got["match"] != "id", "confidence"].max() < 1.0


def test_semi_and_anti_join_partition_left():
    semi = L.semi_join(LEFT, RIGHT, linkage="fallback", collect="name")
    anti = L.anti_join(LEFT, RIGHT, linkage="fallback")
    assert semi.index.tolist() == [0, 2, 3, 4]
    assert anti.index.tolist() == [1]
    assert semi.loc[0, "matched_name"] == "张三、王五"
    assert semi.loc[2, "match"] == "name+birth_date"
    assert L.semi_join(LEFT, RIGHT).index.tolist() == [0]


def test_renamed_columns():
    enf = pd.DataFrame({"applicant_name": ["张三"], "applicant_id_number": ["330382800101007"]})
    got = L.semi_join(LEFT, enf, right_cols={"id_col": "applicant_id_number", "name_col": "applicant_name"})
    assert got.index.tolist() == [0]      # the 15-digit ID upgrades to 张三's 18-digit one


def test_unknown_linkage():
    with pytest.raises(ValueError, match="linkage must be one of"):
        L.link(LEFT, RIGHT, linkage="fuzzy")


def test_dedupe_persons():
    df = pd.DataFrame({"name": ["张三", "张三", "李四", "李四", "王五"],
                       "id_number": ["33038219800101007X", "33038219800101007x", None, None, "330382198001010071"]})
    # rows 0/1 same ID; 李四 twice without any ID → kept both (never merged on the name alone)
    assert L.dedupe_persons(df).index.tolist() == [0, 2, 3, 4]


def test_evaluate_linkage():
    got = L.link(LEFT, RIGHT, linkage="fallback")
    # truth: left i and right i are the same person, except right 2 who is 王五 too (typo on the left)
    lp = pd.Series(["P0", "P1", "P2", "P3", "P4"])
    rp = pd.Series(["P0", "P1", "P2", "P3", "P4"])
    ev = L.evaluate_linkage(got, lp, rp)
    # found 5 pairs; true among them: (0,0), (2,2), (3,3), (4,4) = 4 → precision 4/5; recall 4/5 (missed (1,1))
    assert ev["precision"] == pytest.approx(0.8)
    assert ev["recall"] == pytest.approx(0.8)
    assert ev["by_match"]["id"]["precision"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- fast = reference
# keys() and the joins compute on distinct values and row positions; below, the straightforward
# versions they replaced (verbatim), which the fast ones must equal exactly (values, dtypes,
# index, order) on awkward inputs: spelling variants, pseudonym tokens, missing values,
# repeated and unsorted index labels, empty frames.
import unicodedata

import numpy as np
from test_identity import HEX64, TRICKY_IDS, _repeated, ref_check_series, ref_normalise_series

from hypothesis import given, settings
from hypothesis import strategies as st

from jiuzhu_methods.core import identity as I


def ref_normalise_name(s):
    x = s.astype("object").map(lambda v: None if v is None or pd.isna(v) else unicodedata.normalize("NFKC", str(v)))
    x = pd.Series(x, index=s.index, dtype="str")
    return x.str.replace(r"[\s·•．.]+", "", regex=True).where(lambda v: v.str.len() > 0)


def ref_keys(df, *, id_col="id_number", name_col="name", birth_col=None, phone_col="phone", address_col="address"):
    out = pd.DataFrame(index=df.index)
    raw = df[id_col] if id_col in df.columns else pd.Series(None, index=df.index, dtype="str")
    norm = ref_normalise_series(raw)
    reason = ref_check_series(norm, normalised=True)
    token = norm.str.fullmatch(r"[0-9A-F]{64}").fillna(False).astype(bool)
    out["_id"] = norm.where((reason == "") | token)
    out["_name"] = ref_normalise_name(df[name_col]) if name_col in df.columns else pd.Series(None, index=df.index, dtype="str")
    digits = norm.where(norm.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
    birth = pd.to_datetime(digits.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    if birth_col and birth_col in df.columns:
        birth = birth.fillna(pd.to_datetime(df[birth_col], errors="coerce"))
    out["_birth"] = birth.dt.strftime("%Y%m%d").astype("str")
    birth_token = norm.str.extract(r"^![0-9A-F]{32}:([0-9A-F]{16})$")[0]
    out["_birth"] = out["_birth"].fillna(birth_token)
    if phone_col and phone_col in df.columns:
        out["_phone"] = df[phone_col].astype("str").str.replace(r"\D", "", regex=True).where(lambda v: v.str.len() >= 7)
    else:
        out["_phone"] = pd.Series(None, index=df.index, dtype="str")
    if address_col and address_col in df.columns:
        out["_address"] = df[address_col].astype("str").str.replace(r"\s+", "", regex=True).where(lambda v: v.str.len() > 0)
    else:
        out["_address"] = pd.Series(None, index=df.index, dtype="str")
    out["_has_id"] = out["_id"].notna()
    return out


def ref_link(left, right, *, linkage="id", left_cols=None, right_cols=None):
    L.check_linkage(linkage)
    lk = ref_keys(left, **(left_cols or {}))
    rk = ref_keys(right, **(right_cols or {}))
    lk["left"] = lk.index
    rk["right"] = rk.index
    parts = []
    on = ["_id", "_name"] if linkage == "id+name" else ["_id"]
    exact = lk.dropna(subset=on).merge(rk.dropna(subset=on), on=on, how="inner")[["left", "right"]]
    exact["match"] = "id+name" if linkage == "id+name" else "id"
    exact["confidence"] = 1.0
    parts.append(exact)
    if linkage == "fallback":
        for match, conf, col in L.FALLBACK_RULES:
            a = lk.dropna(subset=["_name", col])
            b = rk.dropna(subset=["_name", col])
            m = a.merge(b, on=["_name", col], how="inner", suffixes=("_l", "_r"))
            m = m[~(m["_has_id_l"] & m["_has_id_r"])]
            m = m[["left", "right"]].assign(match=match, confidence=conf)
            parts.append(m)
    pairs = pd.concat(parts, ignore_index=True)
    pairs = (pairs.sort_values(["left", "right", "confidence"], ascending=[True, True, False], kind="stable")
                  .drop_duplicates(["left", "right"], keep="first")
                  .reset_index(drop=True))
    pairs["match"] = pairs["match"].astype("str")
    pairs["confidence"] = pairs["confidence"].astype("float64")
    return pairs[L.PAIR_COLUMNS]


def ref_semi_join(left, right, *, linkage="id", left_cols=None, right_cols=None, collect=None):
    pairs = ref_link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    best = pairs.sort_values(["left", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("left")
    out = left.loc[left.index.isin(best["left"])].copy()
    b = best.set_index("left")
    out["match"] = b.loc[out.index, "match"].astype("str").to_numpy()
    out["confidence"] = b.loc[out.index, "confidence"].to_numpy()
    if collect:
        vals = pairs.assign(_v=right.loc[pairs["right"], collect].astype("str").to_numpy())
        agg = vals.groupby("left")["_v"].agg(lambda v: "、".join(sorted(set(v.dropna()))))
        out[f"matched_{collect}"] = agg.reindex(out.index).astype("str").to_numpy()
    return out


def ref_anti_join(left, right, *, linkage="id", left_cols=None, right_cols=None):
    pairs = ref_link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    return left.loc[~left.index.isin(pairs["left"])].copy()


def ref_dedupe_persons(df, *, id_col="id_number", name_col="name"):
    k = ref_keys(df, id_col=id_col, name_col=name_col)
    person = k["_id"].fillna("~" + k["_name"].fillna("") + "|" + k["_birth"].fillna(""))
    lone = k["_id"].isna() & (k["_name"].isna() | k["_birth"].isna())
    person = person.where(~lone, "#" + pd.Series(range(len(df)), index=df.index).astype("str"))
    return df.loc[~person.duplicated()].copy()


TRICKY_NAMES = ["张三", " 张 三 ", "张\u3000三", "阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽．买买提", "李.四",
                "Ａｌｉ", "ali", "ﾃｽﾄ", "⽅明", "王五", "", "··", None, float("nan"), "A¨", "ß", "赵六"]
PHONES = ["138-0000-0002", "13800000002", "(0577) 6161 6161", "12345", None, "１３８００００００２", "tel 13800000001"]
ADDRESSES = ["乐清市 城东街道 1号", "乐清市城东街道1号", "  ", "", None, "虹桥镇\t2号", "柳市镇３号"]
REGISTRIES = ["低保", "特困", "残疾人", "困境儿童", None, "低保"]


def _frame(n, seed, index="range"):
    rng = np.random.default_rng(seed)
    pick = lambda vals: [vals[k] for k in rng.integers(0, len(vals), n)]   # noqa: E731
    df = pd.DataFrame({"name": pick(TRICKY_NAMES), "id_number": pick(TRICKY_IDS + [None] * 5), "phone": pick(PHONES),
                       "address": pick(ADDRESSES), "registry": pick(REGISTRIES)})
    df = df.astype({"name": "str", "id_number": "str", "phone": "str", "address": "str", "registry": "str"})
    if index == "shuffled":
        df.index = rng.permutation(n) * 2 + 5
    elif index == "labels":
        df.index = [f"k{v:04d}" for v in rng.permutation(n)]
    elif index == "repeated":
        df.index = rng.integers(0, max(n // 3, 1), n)
    return df


FRAMES = [("range", "range"), ("shuffled", "range"), ("range", "repeated"), ("labels", "shuffled"),
          ("repeated", "labels"), ("repeated", "repeated")]


@pytest.mark.parametrize("lindex, rindex", FRAMES)
@pytest.mark.parametrize("linkage", L.LINKAGES)
def test_fast_joins_equal_the_reference(lindex, rindex, linkage):
    left, right = _frame(60, 1, lindex), _frame(300, 2, rindex)
    pd.testing.assert_frame_equal(L.link(left, right, linkage=linkage), ref_link(left, right, linkage=linkage))
    pd.testing.assert_frame_equal(L.anti_join(left, right, linkage=linkage), ref_anti_join(left, right, linkage=linkage))
    pd.testing.assert_frame_equal(L.semi_join(left, right, linkage=linkage), ref_semi_join(left, right, linkage=linkage))
    if right.index.is_unique:   # the reference cannot collect from repeated right labels
        pd.testing.assert_frame_equal(L.semi_join(left, right, linkage=linkage, collect="registry"),
                                      ref_semi_join(left, right, linkage=linkage, collect="registry"))
    assert len(L.link(left, right, linkage=linkage)) > 0     # the fixture does link something


@pytest.mark.parametrize("index", ["range", "shuffled", "labels", "repeated"])
def test_fast_keys_and_dedupe_equal_the_reference(index):
    df = _frame(400, 3, index)
    pd.testing.assert_frame_equal(L.keys(df), ref_keys(df))
    pd.testing.assert_frame_equal(L.keys(df, phone_col=None, address_col=None), ref_keys(df, phone_col=None, address_col=None))
    pd.testing.assert_frame_equal(L.keys(df, id_col="nope", name_col="nope"), ref_keys(df, id_col="nope", name_col="nope"))
    pd.testing.assert_series_equal(L.normalise_name(df["name"]), ref_normalise_name(df["name"]))
    pd.testing.assert_frame_equal(L.dedupe_persons(df), ref_dedupe_persons(df))
    obj = df.astype(object)
    pd.testing.assert_frame_equal(L.keys(obj), ref_keys(obj))
    pd.testing.assert_series_equal(L.normalise_name(obj["name"]), ref_normalise_name(obj["name"]))


def test_fast_keys_birth_column_equal_the_reference():
    df = _frame(200, 4)
    df["birth_date"] = pd.Series(pd.to_datetime(["1980-01-02", None, "2001-12-31", "1955-06-30"] * 50))
    pd.testing.assert_frame_equal(L.keys(df, birth_col="birth_date"), ref_keys(df, birth_col="birth_date"))
    df["birth_date"] = ["1980-01-02", None, "bad", "2001-12-31"] * 50
    pd.testing.assert_frame_equal(L.keys(df, birth_col="birth_date"), ref_keys(df, birth_col="birth_date"))


def test_fast_equal_the_reference_on_empty_and_missing_frames():
    empty = _frame(0, 5)
    some = _frame(50, 6)
    bare = pd.DataFrame({"x": [1, 2]})        # no identity columns at all
    for a, b in [(empty, some), (some, empty), (empty, empty), (bare, some), (some, bare)]:
        for linkage in L.LINKAGES:
            pd.testing.assert_frame_equal(L.link(a, b, linkage=linkage), ref_link(a, b, linkage=linkage))
            pd.testing.assert_frame_equal(L.anti_join(a, b, linkage=linkage), ref_anti_join(a, b, linkage=linkage))
            pd.testing.assert_frame_equal(L.semi_join(a, b, linkage=linkage), ref_semi_join(a, b, linkage=linkage))
    pd.testing.assert_frame_equal(L.keys(empty), ref_keys(empty))
    pd.testing.assert_frame_equal(L.dedupe_persons(empty), ref_dedupe_persons(empty))


def test_pseudonym_tokens_link_and_keep_their_birth_token():
    # a 64-hex token (any case) is an exact key; "!<32 hex>:<16 hex>" gives the birth key only
    tok, btok = HEX64, "!" + HEX64[:32] + ":" + "ab" * 8
    a = pd.DataFrame({"name": ["张三", "李四"], "id_number": [tok, btok]})
    b = pd.DataFrame({"name": ["王五", "李四", "李四"], "id_number": [tok.upper(), None, btok.upper()]})
    k = L.keys(a)
    assert k["_id"].tolist()[0] == tok.upper() and pd.isna(k["_id"].iloc[1])
    assert k["_birth"].iloc[1] == "AB" * 8
    got = L.link(a, b, linkage="fallback")[["left", "right", "match"]].values.tolist()
    # (1,1): right 1 has no ID hence no birth key → no pair; (1,2): same name and birth token
    assert got == [[0, 0, "id"], [1, 2, "name+birth_date"]]
    pd.testing.assert_frame_equal(L.link(a, b, linkage="fallback"), ref_link(a, b, linkage="fallback"))


def ref_birth_key(norm):
    """The ``_birth`` key per value as it was computed before (verbatim): pandas' fullmatch,
    ``to_datetime``, ``strftime`` and ``extract``; (birth date "YYYYMMDD", birth token)."""
    digits = norm.where(norm.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
    birth = pd.to_datetime(digits.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    birth_token = norm.str.extract(r"^![0-9A-F]{32}:([0-9A-F]{16})$")[0]
    return birth.dt.strftime("%Y%m%d").astype("str"), birth_token


BIRTH_EDGES = [
    "33038219800101007X", "330382198001010071", "33038219800101007x", "330382800101007",
    "330382199902300071",                        # 19990230: no date
    "330382190002290071", "330382200002290071",  # 1900 no leap year, 2000 one
    "330382000002290071", "330382000102290071",  # year 0000 (a leap year to pandas), 0001 not
    "330382999912310071", "330382198013010071", "330382198000010071", "330382198001000071", "330382198001320071",
    "33038219800101007A", "3303821980010100712", "3303821980010100", "٣٣0382198001010071",   # other scripts' digits
    "٣٣٠٣٨٢١٩٨٠٠١٠١٠٠٧١", "３３０３８２１９８００１０１００７Ｘ", "张三李四王五", "x" * 18, "", "   ", None,
    HEX64, HEX64.upper(), "!" + HEX64[:32].upper() + ":" + "AB" * 8, "!" + HEX64[:32] + ":" + "ab" * 8,
    "!" + HEX64[:32].upper() + ":" + "Ab" * 8, "!" + HEX64[:31].upper() + ":" + "AB" * 8,
    "!" + HEX64[:32].upper() + ":" + "AG" * 8, "!" + HEX64[:32].upper() + ";" + "AB" * 8,
    "?" + HEX64[:32].upper() + ":" + "AB" * 8, "!" + HEX64[:32].upper() + ":" + "AB" * 8 + "C",
]


@pytest.mark.parametrize("normalised", [False, True])
def test_birth_key_read_off_the_bytes_equals_the_pandas_reference(normalised):
    s = pd.Series(_repeated(BIRTH_EDGES), dtype="str", index=np.arange(4 * len(BIRTH_EDGES))[::-1] * 3)
    if normalised:
        s = I.normalise_distinct(s)
    birth, token = L._birth_key(s)
    want_birth, want_token = ref_birth_key(s)
    pd.testing.assert_series_equal(birth, want_birth, check_names=False)
    pd.testing.assert_series_equal(token, want_token, check_names=False)
    got = dict(zip(s.fillna("<NA>"), birth.fillna("-")))
    # by hand: digits 7–14 when they are a date, whatever the check digit; other digits read too
    assert got["330382198001010071"] == got["٣٣0382198001010071"] == "19800101"
    assert got["330382199902300071"] == got["330382190002290071"] == got["330382000102290071"] == "-"
    assert got["330382000002290071"] == "00000229" and got["330382999912310071"] == "99991231"
    assert dict(zip(s.fillna("<NA>"), token.fillna("-")))["!" + HEX64[:32].upper() + ":" + "AB" * 8] == "AB" * 8


def test_birth_key_equals_the_reference_on_every_month_and_day():
    years = ["0000", "0001", "0004", "0100", "0400", "1582", "1600", "1700", "1899", "1900", "1999", "2000",
             "2024", "2100", "2262", "2263", "9999"]
    s = pd.Series([f"330382{y}{m:02d}{d:02d}007{k}" for y in years for m in range(14) for d in range(33)
                   for k in "7X"], dtype="str")
    pd.testing.assert_series_equal(L._birth_key(s)[0], ref_birth_key(s)[0], check_names=False)
    # every real date, twice (two check digits): 17 years, 6 of them leap (0000 0004 0400 1600 2000 2024)
    assert L._birth_key(s)[0].notna().sum() == 2 * (11 * 365 + 6 * 366)

def test_collect_sorts_distinct_values_and_skips_missing():
    # 张三 is on 特困 twice, 低保 once and once with no registry name → "低保、特困" (sorted, distinct)
    left = pd.DataFrame({"name": ["张三"], "id_number": ["33038219800101007X"]}, index=[7])
    right = pd.DataFrame({"name": ["张三"] * 4, "id_number": ["33038219800101007X"] * 4,
                          "registry": ["特困", "低保", None, "特困"]}, index=[3, 1, 2, 0])
    got = L.semi_join(left, right, collect="registry")
    assert got["matched_registry"].tolist() == ["低保、特困"]
    right["registry"] = None      # nothing to collect → ""
    assert L.semi_join(left, right, collect="registry")["matched_registry"].tolist() == [""]


# ------------------------------------------------------------------ the per-column index (cache)
@pytest.fixture
def cache_everything(monkeypatch):
    """Every Arrow-backed column is cached, however short (real pools cache only large ones)."""
    monkeypatch.setattr(L, "CACHE_MIN_ROWS", 1)


@pytest.mark.parametrize("linkage", L.LINKAGES)
def test_cached_joins_equal_the_reference_and_reuse_the_index(cache_everything, linkage):
    left, right = _frame(60, 1), _frame(300, 2, "shuffled")
    first = L.column_index(right["id_number"])
    for _ in range(2):       # the second round reads the kept index
        pd.testing.assert_frame_equal(L.link(left, right, linkage=linkage), ref_link(left, right, linkage=linkage))
        pd.testing.assert_frame_equal(L.anti_join(left, right, linkage=linkage),
                                      ref_anti_join(left, right, linkage=linkage))
    assert L.column_index(right["id_number"]) is first
    assert "key:_id" in first._derived          # the derived key was kept with it


def test_a_changed_column_gets_a_new_index(cache_everything):
    # 张三's registry row first carries another person's ID, then his own: the second link must see it
    left = pd.DataFrame({"name": ["张三"], "id_number": ["11010519491231002X"]}).astype("str")
    right = pd.DataFrame({"name": ["张三", "李四"], "id_number": ["110105194912310021", "110105194912310021"]}
                         ).astype("str")
    assert L.link(left, right).empty
    before = L.column_index(right["id_number"])
    right.loc[0, "id_number"] = "11010519491231002x"        # changed in place
    assert L.column_index(right["id_number"]) is not before
    assert L.link(left, right)[["left", "right"]].values.tolist() == [[0, 0]]
    right["id_number"] = right["id_number"].str.replace("x", "X")   # replaced
    assert L.link(left, right)[["left", "right"]].values.tolist() == [[0, 0]]


def test_an_index_goes_with_its_column(cache_everything):
    import gc

    df = _frame(50, 7)
    L.column_index(df["name"])
    key = id(df["name"].array._pa_array)
    assert key in L._COLUMNS
    del df
    gc.collect()
    assert key not in L._COLUMNS


def test_short_and_object_columns_are_not_kept():
    n = len(L._COLUMNS)
    L.column_index(_frame(50, 8)["name"])                   # below CACHE_MIN_ROWS
    L.column_index(_frame(50, 8)["name"].astype(object))    # not Arrow-backed: no immutable array to key on
    assert len(L._COLUMNS) == n


@pytest.mark.parametrize("rindex", ["range", "repeated", "labels"])
@pytest.mark.parametrize("linkage", L.LINKAGES)
def test_linkable_is_exactly_the_paired_rows(linkage, rindex):
    left, right = _frame(60, 1), _frame(300, 2, rindex)
    mask = L.linkable(left, right, linkage=linkage)
    pairs = ref_link(left.reset_index(drop=True), right.reset_index(drop=True), linkage=linkage)
    assert set(np.flatnonzero(mask)) == set(pairs["right"])
    assert 0 < mask.sum() < len(right)


def test_linkable_by_hand():
    # left: 张三 with a valid ID; 王五 without one (phone only)
    left = pd.DataFrame({"name": ["张三", "王五"], "id_number": ["11010519491231002X", None],
                         "phone": [None, "13800000002"]})
    right = pd.DataFrame({"name": ["张三", "张 三", "王五", "王五", "李四"],
                          "id_number": ["11010519491231002x",     # 0: 张三's ID, lower-case x → id
                                        None,                     # 1: same name, nothing else → no
                                        None,                     # 2: 王五 + same phone → name+phone
                                        "110105194912310021",     # 3: 王五 + phone, valid ID → name+phone
                                        "11010519491231002X"],    # 4: 张三's ID under 李四's name → id
                          "phone": [None, None, "138-0000-0002", "13800000002", None]})
    assert L.linkable(left, right).tolist() == [True, False, False, False, True]
    assert L.linkable(left, right, linkage="id+name").tolist() == [True, False, False, False, False]
    # fallback: 王五 on the left has no ID, so both 王五 rows pair by name + phone
    assert L.linkable(left, right, linkage="fallback").tolist() == [True, False, True, True, True]


def test_isin_per_distinct_value():
    s = pd.Series(["低保", "特困", None, "低保", "残疾人"], dtype="str")
    assert L.isin(s, ["低保", "残疾人"]).tolist() == [True, False, False, True, True]
    assert L.isin(s, []).tolist() == [False] * 5
    assert L.isin(s.astype(object), {"特困"}).tolist() == [False, True, False, False, False]


@pytest.mark.parametrize("cached", [False, True])
def test_isin_at_rows(cached, monkeypatch):
    # at=[4, 0, 2, 3]: "残疾人", "低保", None, "低保" → True, True, False, True (= isin(...)[at])
    s = pd.Series(["低保", "特困", None, "低保", "残疾人"], dtype="str")
    if cached:
        monkeypatch.setattr(L, "CACHE_MIN_ROWS", 1)
    at = np.array([4, 0, 2, 3])
    assert L.isin(s, ["低保", "残疾人"], at=at).tolist() == [True, True, False, True]
    assert L.isin(s, ["特困"], at=at).tolist() == L.isin(s, ["特困"])[at].tolist() == [False] * 4
    assert L.isin(s, ["特困"], at=np.array([1])).tolist() == [True]
    assert L.isin(s, ["低保"], at=np.array([], dtype=np.intp)).tolist() == []


@pytest.mark.parametrize("cached", [False, True])
def test_codes_at_equal_codes_for_equal_values(cached, monkeypatch):
    # rows 4, 1, 3, 0 of ["a", "b", None, "b", None]: None, "b", "b", "a" → codes equal exactly
    # for the two "b"; the missing value has a code of its own
    s = pd.Series(["a", "b", None, "b", None], dtype="str")
    if cached:
        monkeypatch.setattr(L, "CACHE_MIN_ROWS", 1)
        L.column_index(s)                       # read from the kept index
    c = L.codes_at(s, np.array([4, 1, 3, 0]))
    assert c[1] == c[2] and len({c[0], c[1], c[3]}) == 3
    assert (id(s.array._pa_array) in L._COLUMNS) == cached     # codes_at never builds an index


@pytest.mark.parametrize("kind", ["one_chunk", "chunks", "object"])
def test_codes_at_uncached_as_pandas_factorize(kind):
    # an uncached column: the codes are pd.factorize's of the taken rows (missing values a code
    # of their own, in order of first appearance): rows 4, 1, 3, 0, 2 → None, "b", "b", "a", None
    # → 0, 1, 1, 2, 0 — by Arrow on one chunk, by pandas otherwise
    values = ["a", "b", None, "b", None]
    if kind == "one_chunk":
        s = pd.Series(values, dtype="str")
    elif kind == "chunks":
        arr = pa.chunked_array([pa.array(values[:2], pa.large_string()), pa.array(values[2:], pa.large_string())])
        s = pd.Series(pd.array(arr, dtype="str"))
    else:
        s = pd.Series(values, dtype=object)
    rows = np.array([4, 1, 3, 0, 2])
    c = L.codes_at(s, rows)
    assert c.tolist() == [0, 1, 1, 2, 0]
    assert c.tolist() == pd.factorize(s.take(rows), use_na_sentinel=False)[0].tolist()
    assert c.dtype == np.intp


def test_column_key_is_the_key_the_joins_read():
    # " 张 三 " and "张三" share the name key; the lower-case x and the 15-digit form share the ID key
    df = pd.DataFrame({"name": [" 张 三 ", "张三", None], "id_number": ["11010519491231002x", "110105491231002", "bad"]},
                      dtype="str")
    codes, distinct = L.column_key(df["id_number"], "_id")
    assert codes[0] == codes[1] and codes[2] == -1 and distinct.iloc[codes[0]] == "11010519491231002X"
    assert [distinct.iloc[c] if c >= 0 else "-" for c in codes] == L.keys(df)["_id"].fillna("-").tolist()
    codes, distinct = L.column_key(df["name"], "_name")
    assert codes.tolist() == [0, 0, -1] and distinct.tolist() == ["张三"]
    with pytest.raises(ValueError, match="_id"):
        L.column_key(df["name"], "_phone")


@pytest.mark.parametrize("values", [
    ["a", "c"], ("a",), {"b", "zz"}, pd.Series(["b", None], dtype="str"), pd.Index(["a"]), np.array(["c"], dtype=object),
    [None], [np.nan], [pd.NA], [], ["a", 1], [1, 2.5], [b"a"], ["a", None], {"a": 1}.keys(),
    pd.Series(["a"] * 3 + ["c"], dtype="object"), pd.array(["c", None, "a"], dtype="str"),
    pd.array(["b"], dtype=pd.StringDtype("python", na_value=np.nan)), pd.array(["a", None], dtype="string"),
])
def test_isin_equals_pandas_isin(values):
    # by hand for the first: rows a, b, missing, c, a → [T, F, F, T, T]; every case equals pandas
    s = pd.Series(["a", "b", None, "c", "a"], dtype="str")
    want = s.isin(values).to_numpy()
    got = L.isin(s, values)
    assert got.dtype == bool and got.tolist() == want.tolist()
    big = pd.concat([s] * 12_000, ignore_index=True)        # a kept column index (≥ 50,000 rows)
    assert L.isin(big, values).tolist() == big.isin(values).to_numpy().tolist()


def test_isin_by_hand():
    s = pd.Series(["a", "b", None, "c", "a"], dtype="str")
    assert L.isin(s, ["a", "c"]).tolist() == [True, False, False, True, True]
    assert L.isin(s, [None]).tolist() == [False, False, True, False, False]      # missing matches missing
    assert L.isin(s, ["a", 1]).tolist() == [True, False, False, False, True]     # pandas' path


def ref_coded(codes, per_value):
    """:func:`linkage._coded` as it was (pandas' factorize)."""
    kc, kv = pd.factorize(per_value, use_na_sentinel=True)
    return kc[codes], pd.Series(kv, dtype="str")


@pytest.mark.parametrize("per_value", [["x", None, "y", "x", "", None, "y", "z"], [None, None], ["a"], []])
def test_coded_equals_pandas_factorize(per_value):
    rng = np.random.default_rng(0)
    pv = pd.Series(per_value, dtype="str")
    codes = rng.integers(0, len(pv), 40) if len(pv) else np.zeros(0, dtype=np.intp)
    kc, kv = L._coded(codes, pv)
    want_kc, want_kv = ref_coded(codes, pv)
    np.testing.assert_array_equal(kc, want_kc)
    assert kc.dtype == want_kc.dtype
    pd.testing.assert_series_equal(kv, want_kv, check_index_type=True)


def test_coded_by_hand():
    # keys in order of first appearance in per_value; -1 = missing key
    kc, kv = L._coded(np.array([3, 0, 1, 2, 0]), pd.Series(["y", None, "x", "y"], dtype="str"))
    assert kc.tolist() == [0, 0, -1, 1, 0] and kv.tolist() == ["y", "x"]


@pytest.mark.parametrize("seed", range(4))
def test_equi_join_equals_an_inner_merge(seed):
    # codes with repeats on both sides, some only on one side; pairs in pd.merge's order
    rng = np.random.default_rng(seed)
    lcode, rcode = rng.integers(0, 30, 200), rng.integers(0, 40, 300)
    li, ri = np.sort(rng.choice(1000, 200, replace=False)), np.sort(rng.choice(1000, 300, replace=False))
    i, j = L._equi_join(lcode, li, rcode, ri)
    m = pd.DataFrame({"k": lcode, "_i": li}).merge(pd.DataFrame({"k": rcode, "_j": ri}), on="k", how="inner")
    np.testing.assert_array_equal(i, m["_i"].to_numpy(np.intp))
    np.testing.assert_array_equal(j, m["_j"].to_numpy(np.intp))
    assert i.dtype == j.dtype == np.intp and len(i) > 0


def test_equi_join_by_hand():
    # left rows 10 (code 1), 11 (code 2), 12 (code 1); right rows 5 (code 1), 6 (code 3), 7 (code 1)
    i, j = L._equi_join(np.array([1, 2, 1]), np.array([10, 11, 12]), np.array([1, 3, 1]), np.array([5, 6, 7]))
    assert list(zip(i.tolist(), j.tolist())) == [(10, 5), (10, 7), (12, 5), (12, 7)]
    i, j = L._equi_join(np.array([], dtype=np.int64), np.array([], dtype=np.intp), np.array([1]), np.array([0]))
    assert len(i) == len(j) == 0


@pytest.mark.parametrize("seed", range(4))
def test_best_pairs_equal_a_lexsort(seed):
    rng = np.random.default_rng(seed)
    n = 400
    i, j, rule = rng.integers(0, 20, n), rng.integers(0, 15, n), rng.integers(0, len(L._MATCHES), n)
    order = np.lexsort((rule, j, i))
    wi, wj, wr = i[order], j[order], rule[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (wi[1:] != wi[:-1]) | (wj[1:] != wj[:-1])
    got = L._best_pairs(i, j, rule, 20, 15)
    for g, w in zip(got, (wi[first], wj[first], wr[first])):
        np.testing.assert_array_equal(g, w)
    # already in (i, j) order, each pair once: returned as it is
    ui, uj = np.divmod(np.unique(i * 15 + j), 15)
    same = L._best_pairs(ui, uj, np.zeros(len(ui), dtype=np.intp), 20, 15)
    assert same[0] is ui and same[1] is uj


def test_best_pairs_by_hand():
    # (0,1) by rules 3 and 0 → rule 0 kept; (0,0) once; (1,0) by rule 2 twice → once
    i, j, rule = L._best_pairs(np.array([0, 1, 0, 0, 1]), np.array([1, 0, 0, 1, 0]), np.array([3, 2, 4, 0, 2]), 2, 2)
    assert list(zip(i.tolist(), j.tolist(), rule.tolist())) == [(0, 0, 4), (0, 1, 0), (1, 0, 2)]


@pytest.mark.parametrize("labels", ["str", "float", "datetime", "uint"])
def test_fast_joins_on_sorted_labels_of_other_dtypes(labels):
    # unique increasing labels: the positions path; the label column keeps the index's dtype
    left, right = _frame(60, 1), _frame(300, 2)
    make = {"str": lambda n: pd.Index([f"k{v:04d}" for v in range(n)], dtype="str"),
            "float": lambda n: pd.Index(np.arange(n) * 0.5),
            "datetime": lambda n: pd.date_range("2020-01-01", periods=n, freq="D"),
            "uint": lambda n: pd.Index(np.arange(n, dtype=np.uint32) * 3)}[labels]
    left.index, right.index = make(len(left)), make(len(right))
    for linkage in L.LINKAGES:
        got = L.link(left, right, linkage=linkage)
        pd.testing.assert_frame_equal(got, ref_link(left, right, linkage=linkage))
        assert got["left"].dtype == left.index.dtype and len(got) > 0


@pytest.mark.parametrize("kept", [False, True])
@pytest.mark.parametrize("n_few, n_many", [(0, 5), (5, 0), (0, 0), (3, 40), (30, 40), (40, 40)])
def test_positions_in_equal_get_indexer(kept, n_few, n_many, monkeypatch):
    # both branches (a kept large list's hash table; Arrow's reverse look-up) give get_indexer
    if kept:
        monkeypatch.setattr(L, "CACHE_MIN_ROWS", 5)
    rng = np.random.default_rng(n_few * 100 + n_many)
    pool = np.array([f"k{v}" for v in range(60)] + ["", "张三"], dtype=object)
    many = pd.Series(rng.permutation(pool)[:n_many], dtype="str")
    few = pd.Series(rng.permutation(pool)[:n_few], dtype="str")
    got = L._positions_in(few, many)
    want = pd.Index(many).get_indexer(few)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == want.dtype


def test_positions_in_by_hand():
    few, many = pd.Series(["b", "x", ""], dtype="str"), pd.Series(["a", "", "b"], dtype="str")
    assert L._positions_in(few, many).tolist() == [2, -1, 1]


_NAME_ALPHABET = list("张三阿依古丽买·•．.ＡｂAb 1") + ["\t", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "\u0301", "ﾃ", "⽅"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.sampled_from(_NAME_ALPHABET), max_size=8)), max_size=12))
def test_normalise_name_equals_the_reference_on_generated_names(values):
    s = pd.Series(values + values[:2], dtype="str")
    pd.testing.assert_series_equal(L.normalise_name(s), ref_normalise_name(s))
    pd.testing.assert_series_equal(L.normalise_name(s.astype(object)), ref_normalise_name(s.astype(object)))


@pytest.mark.parametrize("cached", [False, True])
def test_every_distinct_key_is_some_rows_key(cached, monkeypatch):
    # _candidates marks only the smaller side's keys: the other side must have a row for each key
    if cached:
        monkeypatch.setattr(L, "CACHE_MIN_ROWS", 1)
    df = _frame(300, 7)
    df["birth_date"] = ["1980-01-02", None, "bad", "2001-12-31"] * 75
    for kw in ({}, {"birth_col": "birth_date"}, {"id_col": "nope", "name_col": "nope"}, {"phone_col": None}):
        for sub in (df, df.iloc[::3], df.iloc[:0]):
            for key, (codes, kv) in L.key_codes(sub, frozenset(L._KEYS), **kw).items():
                assert sorted(set(codes[codes >= 0].tolist())) == list(range(len(kv))), (key, kw)
