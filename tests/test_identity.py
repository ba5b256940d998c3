"""Identity numbers (GB 11643-1999): worked out by hand.

Check digit of 33038219800101007 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
  3·7 + 3·9 + 0·10 + 3·5 + 8·8 + 2·4 + 1·2 + 9·1 + 8·6 + 0·3 + 0·7 + 1·9 + 0·10 + 1·5 + 0·8 + 0·4 + 7·2
  = 21 + 27 + 0 + 15 + 64 + 8 + 2 + 9 + 48 + 0 + 0 + 9 + 0 + 5 + 0 + 0 + 14 = 222
  222 mod 11 = 2 → "10X98765432"[2] = "X"            → 33038219800101007X (乐清, 1980-01-01, male: 7 odd)
Check digit of 11010519491231002 (the standard's own example) = X   → 11010519491231002X (female: 2 even)
15-digit 330382800101007 → insert "19" after the area code → 33038219800101007 + X.
"""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods.core import identity as I
from jiuzhu_methods.io.schema import INVISIBLE

VALID = "33038219800101007X"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (VALID, VALID),
        ("33038219800101007x", VALID),                       # lower-case x
        ("  330382 1980 0101 007X ", VALID),                 # spaces
        ("３３０３８２１９８００１０１００７Ｘ", VALID),      # full-width
        ("330382-19800101-007X", VALID),                     # separators
        ("330382800101007", VALID),                          # 15-digit → 18-digit
        ("", None),
        (None, None),
        (float("nan"), None),
        ("330382198001010071", "330382198001010071"),      # wrong, but spelled canonically
    ],
)
def test_normalise(raw, expected):
    assert I.normalise(raw) == expected


def test_check_digit_by_hand():
    assert I.check_digit("33038219800101007") == "X"
    assert I.check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    "raw, reason",
    [
        (VALID, ""),
        ("11010519491231002X", ""),
        ("330382198001010071", "checksum"),      # last digit should be X
        ("3303821980010100", "format"),          # 16 characters
        ("33038219800101007A", "format"),
        (None, "missing"),
        # 1980-02-30 does not exist; check digit made right so that only the date is wrong
        ("33038219800230" + "007" + I.check_digit("33038219800230007"), "birth_date"),
        ("33038218800101" + "007" + I.check_digit("33038218800101007"), "birth_date"),  # before 1900
        # area 999999 is no county; right check digit
        ("99999919800101007" + I.check_digit("99999919800101007"), "area"),
    ],
)
def test_check(raw, reason):
    assert I.check(raw) == reason


def test_old_county_codes_accepted_for_any_birth_year():
    # 371722 (单县) exists only from 2000 in stdnum's database; people born in 1970 carry it on
    # re-issued cards, so it must validate (documented deviation from stdnum.validate).
    first = "37172219700101001"
    assert I.check(first + I.check_digit(first)) == ""


def test_derived_fields():
    assert I.birth_date(VALID) == dt.date(1980, 1, 1)
    assert I.sex(VALID) == "男"
    assert I.sex("11010519491231002X") == "女"
    assert I.area(VALID)["county"] == "乐清市"
    assert I.area(VALID)["province"] == "浙江省"
    assert I.birth_date("330382198001010071") is None


def test_mask():
    assert I.mask(VALID) == "3303**********007X"
    assert I.mask("330382800101007") == "3303**********007X"   # normalised first
    assert I.mask("1234") == "****"
    assert I.mask(None) is None
    assert I.mask_name("张三丰") == "张**"
    assert I.mask_name("李") == "*"


def test_vectorised_agrees_with_scalar():
    raw = pd.Series([VALID, "33038219800101007x", "330382800101007", None, "bad", "330382198001010071",
                     "99999919800101007" + I.check_digit("99999919800101007")])
    norm = I.normalise_series(raw)
    assert norm.tolist()[:3] == [VALID, VALID, VALID]
    assert I.check_series(raw).tolist() == [I.check(v) for v in raw]
    assert I.usable_ids(raw).notna().tolist() == [True, True, True, False, False, False, False]
    masked = I.mask_series(raw)
    assert masked.iloc[0] == "3303**********007X"
    assert I.sex_series(raw).tolist()[:3] == ["男", "男", "男"]
    assert I.birth_dates_series(raw).iloc[0] == pd.Timestamp("1980-01-01")


def test_make_ids_produces_valid_numbers():
    area = np.array(["330382", "320723", "411002"])
    birth = np.array(["1980-01-01", "2001-02-28", "1955-12-31"], dtype="datetime64[D]")
    ids = I.make_ids(area, birth, np.array([7, 123, 998]))
    assert ids[0] == VALID
    assert (I.check_series(pd.Series(ids)) == "").all()
    assert ids[1].startswith("32072320010228123")


# --------------------------------------------------------------------------- fast = reference
# The vectorised functions compute on distinct values and spread the result back. Below, the
# straightforward row-by-row versions they replaced (kept verbatim as the reference); the fast
# ones must give the very same Series (values, dtype, index, name) on awkward inputs.
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st


def ref_normalise_series(s):
    x = s.astype("object").where(s.notna(), None)
    x = x.map(lambda v: None if v is None else unicodedata.normalize("NFKC", str(v)))
    x = pd.Series(x, index=s.index, dtype="str")
    x = x.str.replace(I._SEPARATORS, "", regex=True).str.upper()
    x = x.where(x.str.len() > 0)
    is15 = x.str.fullmatch(r"\d{15}").fillna(False).astype(bool)
    if is15.any():
        s17 = x[is15].str.slice(0, 6) + "19" + x[is15].str.slice(6)
        x.loc[is15] = s17 + I.check_digits(s17)
    return x


def ref_check_series(s, *, today=None, normalised=False):
    x = s if normalised else ref_normalise_series(s)
    x = pd.Series(x, index=s.index, dtype="str")
    out = pd.Series("", index=s.index, dtype="str")
    missing = x.isna()
    fmt = ~x.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool) & ~missing
    out[missing] = "missing"
    out[fmt] = "format"
    ok = ~(missing | fmt)
    if ok.any():
        v = x[ok]
        cd = I.check_digits(v.str.slice(0, 17))
        bad_cd = cd != v.str.slice(17, 18)
        dates = pd.to_datetime(v.str.slice(6, 14), format="%Y%m%d", errors="coerce")
        upper = pd.Timestamp(today or dt.date(2100, 1, 1))
        bad_date = dates.isna() | (dates < pd.Timestamp("1900-01-01")) | (dates > upper)
        bad_area = ~v.str.slice(0, 6).isin(I.known_area_codes())
        reason = np.where(bad_cd, "checksum", np.where(bad_date, "birth_date", np.where(bad_area, "area", "")))
        out[ok] = reason
    return out


def ref_usable_ids(s):
    x = ref_normalise_series(s)
    token = x.str.fullmatch(r"[0-9A-F]{64}").fillna(False).astype(bool)
    return x.where((ref_check_series(x, normalised=True) == "") | token)


def ref_mask_series(s):
    x = ref_normalise_series(s)
    n = x.str.len()
    masked = x.str.slice(0, 4) + n.sub(8).clip(lower=0).map(lambda k: "*" * int(k) if pd.notna(k) else None) + x.str.slice(-4)
    return masked.where(n > 8, x.map(lambda v: None if v is None or pd.isna(v) else "*" * len(v)))


def _cd(first17):
    return first17 + I.check_digit(first17)


HEX64 = "0123456789abcdef" * 4
#: identity numbers as they come in real exports (and some that are no ID at all)
TRICKY_IDS = [
    VALID, "33038219800101007x", "  330382 1980 0101 007X ", "３３０３８２１９８００１０１００７Ｘ",
    "３３０３８２１９８００１０１００７ｘ", "330382-19800101-007X", "330382_19800101.007/X", "330382\u300019800101007X",
    "330382800101007", "３３０３８２８００１０１００７", "330382 800101 007", "330382198001010071",
    _cd("33038219800230007"), _cd("33038218800101007"), _cd("99999919800101007"), _cd("37172219700101001"),
    "3303821980010100", "33038219800101007A", "3303821980010100712", "", "   ", "-", "·", None, float("nan"),
    HEX64, HEX64.upper(), "!" + HEX64[:32] + ":" + HEX64[:16], "!" + HEX64[:32].upper() + ":" + HEX64[:16].upper(),
    "!" + HEX64[:31] + ":" + HEX64[:16], "ß", "A¨", "张三", "ﬁ", "Ⅻ", "x" * 18, "11010519491231002X",
]


def _repeated(values, seed=0, times=4):
    """Each value several times, shuffled (as in monthly registry snapshots)."""
    rng = np.random.default_rng(seed)
    v = list(values) * times
    return [v[k] for k in rng.permutation(len(v))]


def _inputs():
    vals = _repeated(TRICKY_IDS)
    n = len(vals)
    yield pd.Series(vals, dtype="str", name="id_number")
    yield pd.Series(vals, dtype="object")
    yield pd.Series([v if isinstance(v, str) else None for v in vals], dtype="string", index=np.arange(n)[::-1] * 3)
    yield pd.Series(vals, dtype="str", index=[f"r{k % 7}" for k in range(n)])            # repeated labels
    yield pd.Series(vals + [330382198001010071, 1.5, True, 1, 1.0, b"330382800101007"], dtype="object")  # mixed
    yield pd.Series([], dtype="str")
    yield pd.Series([], dtype="object")
    yield pd.Series([None, None], dtype="str")
    yield pd.Series([VALID] * 5, dtype="str")
    yield pd.Series([np.nan, VALID], dtype="object")


@pytest.mark.parametrize("k", range(len(list(_inputs()))))
def test_fast_vectorised_functions_equal_the_reference(k):
    s = list(_inputs())[k]
    pd.testing.assert_series_equal(I.normalise_series(s), ref_normalise_series(s))
    pd.testing.assert_series_equal(I.check_series(s), ref_check_series(s))
    norm = ref_normalise_series(s)
    pd.testing.assert_series_equal(I.check_series(norm, normalised=True), ref_check_series(norm, normalised=True))
    today = dt.date(1990, 1, 1)
    pd.testing.assert_series_equal(I.check_series(s, today=today), ref_check_series(s, today=today))
    pd.testing.assert_series_equal(I.usable_ids(s), ref_usable_ids(s))
    if norm.notna().any():      # the old version raised a TypeError on an all-missing column
        pd.testing.assert_series_equal(I.mask_series(s), ref_mask_series(s))


def test_mask_series_all_missing():
    # nothing to mask: missing out (the row-by-row version raised a TypeError here)
    got = I.mask_series(pd.Series([None, np.nan], dtype="object", index=[5, 6]))
    assert got.isna().all() and got.index.tolist() == [5, 6] and got.dtype == "str"
    assert len(I.mask_series(pd.Series([], dtype="str"))) == 0


def test_fast_check_series_counts_each_distinct_value_once():
    # 1 000 rows, 2 distinct spellings of one valid ID, 1 missing: all valid but the missing
    s = pd.Series([VALID, "33038219800101007x", None] * 333 + [VALID])
    got = I.check_series(s)
    assert got.value_counts().to_dict() == {"": 667, "missing": 333}
    assert got.iloc[2] == "missing" and got.iloc[-1] == ""


_ALPHABET = st.sampled_from(list("0123456789xX ３Ｘｘ-_./·\\\u3000\t!:abcdefABCDEF张ßA¨ﬁ") + ["\u0308", "\u00a0"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_ALPHABET, max_size=20), st.sampled_from(TRICKY_IDS)), max_size=12))
def test_fast_equals_reference_on_generated_columns(values):
    s = pd.Series(values + values[:3], dtype="object")
    pd.testing.assert_series_equal(I.normalise_series(s), ref_normalise_series(s))
    pd.testing.assert_series_equal(I.check_series(s), ref_check_series(s))
    pd.testing.assert_series_equal(I.usable_ids(s), ref_usable_ids(s))


def test_digits_of_other_scripts_are_no_id_and_never_crash():
    # Arabic-Indic digits: str.isdigit() and regex \d accept them, GB 11643 does not.
    arabic15 = "٠١٢٣٤٥٦٧٨٩٠١٢٣٤"
    arabic18 = arabic15 + "٥٦٧"
    s = pd.Series([arabic15, arabic18, "110105491231002"], dtype="str")
    norm = I.normalise_series(s)
    # left as they are (no 15 → 18 conversion), and reported as a format error
    assert norm.tolist()[:2] == [arabic15, arabic18]
    assert norm.tolist()[2] == I.normalise("110105491231002")
    assert I.check_series(s).tolist()[:2] == ["format", "format"]
    assert I.normalise(arabic15) == arabic15


def test_separator_class_is_pythons_whitespace_in_both_engines():
    """``identity.WHITESPACE`` spells out Python's ``\\s`` so that Arrow (RE2, ASCII ``\\s``)
    and ``re`` remove the same characters; checked on every code point."""
    import re
    import sys

    chars = [chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF]
    ws = re.compile("[" + I.WHITESPACE + "]")
    assert [c for c in chars if re.fullmatch(r"\s", c)] == [c for c in chars if ws.fullmatch(c)]
    values = pd.Series(["1" + c + c + "2" for c in chars], dtype="str")
    by_arrow = values.str.replace(I.SEPARATORS, "", regex=True)          # Arrow's RE2
    # the original pattern, plus the invisible characters (zero-width, BOM …) of issue #16
    by_re = values.map(lambda v: re.sub(r"[\s\-_.·/\\" + INVISIBLE + "]+", "", v))
    assert (by_arrow == by_re).all()
    # e.g. the ideographic space, the line separator and the middle dot go; the full stop 。 stays
    assert I.normalise("110105\u3000194912\u202831002·x") == "11010519491231002X"
    assert by_arrow[ord("。")] == "1。。2"     # below the surrogates: position = code point


def test_birth_dates_equal_the_reference_on_every_month_and_day():
    """The birth date is read as integers (real Gregorian date in 1900-01-01 … the upper bound);
    the reference parses it with pandas. Every month 00–19 and day 00–39 of years around the
    century and leap-year rules, with a correct check digit and a known area code."""
    years = ["0000", "1600", "1899", "1900", "1904", "1990", "2000", "2023", "2024", "2099", "2100", "2101", "9999"]
    first = [f"330382{y}{m:02d}{d:02d}007" for y in years for m in range(20) for d in range(40)]
    s = pd.Series([_cd(f) for f in first], dtype="str")
    for today in (None, dt.date(2024, 2, 29), dt.date(1990, 1, 1)):
        pd.testing.assert_series_equal(I.check_series(s, today=today, normalised=True),
                                       ref_check_series(s, today=today, normalised=True))
    got = I.check_series(s, normalised=True)
    # by hand: 19000229 is no date (1900 is not a leap year), 20000229 and 20240229 are
    assert got[first.index("33038219000229007")] == "birth_date"
    assert got[first.index("33038220000229007")] == "" and got[first.index("33038220240229007")] == ""
    assert got[first.index("33038221000101007")] == "" and got[first.index("33038221000102007")] == "birth_date"
    assert got[first.index("33038218991231007")] == "birth_date" and got[first.index("33038219000101007")] == ""


def test_nfkc_stable_class_is_stable_on_every_code_point():
    """``identity.NFKC_STABLE`` (ASCII + U+4E00–U+9FFF) skips Python's NFKC: no character of the
    class changes under NFKC, none is the second part of a canonical pair (so no composition
    can join two of them), and the class matches exactly those characters."""
    import sys

    inside = [i for i in range(sys.maxunicode + 1) if i < 0x80 or 0x4E00 <= i <= 0x9FFF]
    assert all(unicodedata.normalize("NFKC", chr(i)) == chr(i) for i in inside)
    seconds = set()
    for i in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(i))
        if d and not d.startswith("<") and len(d.split()) == 2:
            seconds.add(int(d.split()[1], 16))
    assert not seconds & set(inside)
    probe = pd.Series(["张三", "ab 12", "阿依古丽·买买提", "ＡＢ", "张\u0301", None, "", "丽\uf900", "\u9fff\u4e00", "\ua000"],
                      dtype="str")
    got = I._nfkc(probe)
    want = probe.map(lambda v: unicodedata.normalize("NFKC", v) if isinstance(v, str) else v)
    assert got.fillna("<NA>").tolist() == want.fillna("<NA>").tolist()
    assert got.tolist()[2:5] == ["阿依古丽·买买提", "AB", "张\u0301"]     # by hand
    # the class in Arrow's RE2, at its boundaries
    import pyarrow as pa
    import pyarrow.compute as pc
    edges = [0x7F, 0x80, 0x4DFF, 0x4E00, 0x9FFF, 0xA000]
    assert pc.match_substring_regex(pa.array([chr(i) for i in edges]), I.NFKC_STABLE).to_pylist() == [
        True, False, False, True, True, False]


def _byte_inputs(values):
    """``values`` as Arrow arrays of both string types, whole and sliced (a non-zero offset)."""
    import pyarrow as pa

    for typ in (pa.large_string(), pa.string()):
        a = pa.array(["pad", None] + list(values), type=typ)
        yield a.slice(2)
        yield pa.array(list(values), type=typ)


def _regex_canonical(a):
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(pc.match_substring_regex(a, I.CANONICAL), False).to_numpy(zero_copy_only=False), dtype=bool)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(_ALPHABET, max_size=20), st.sampled_from(TRICKY_IDS),
                          st.text(st.sampled_from(list("0123456789X张Ｘ٣")), min_size=17, max_size=19)), max_size=12))
def test_canonical_read_off_the_bytes_equals_the_regex(values):
    values = [v if isinstance(v, str) else None for v in values]
    for a in _byte_inputs(values):
        mask, b = I._canonical(a)
        np.testing.assert_array_equal(mask, _regex_canonical(a))
        assert b.shape == (18, mask.sum()) and b.dtype == np.uint8
        assert [bytes(col).decode() for col in b.T] == [v for v, m in zip(values, mask) if m]


def test_canonical_by_hand():
    import pyarrow as pa

    values = [VALID, "330382198001010071", "33038219800101007x", "３３０３８２１９８００１０１００７Ｘ", "张三李四王五",
              "٣٣0382198001010071", "3303821980010100712", "", None, "X33038219800101007"]
    # 18 ASCII characters: 17 digits and a digit or X; the 6 CJK characters are 18 bytes, no digits
    for a in _byte_inputs(values):
        assert I._canonical(a)[0].tolist() == [True, True] + [False] * 8
    assert I._canonical(pa.array([], type=pa.string()))[1].shape == (18, 0)
    assert I._canonical(pa.array([None, None], type=pa.large_string()))[0].tolist() == [False, False]


def ref_distinct(s):
    """:func:`identity.distinct_values` as it was (pandas' factorize, then a reindex)."""
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniq, dtype="str").reindex(range(len(uniq) + 1))
    return np.where(codes < 0, len(uniq), codes), u


def _assert_distinct_equal(s):
    codes, u = I.distinct_values(s)
    want_codes, want_u = ref_distinct(s)
    np.testing.assert_array_equal(codes, want_codes)
    assert codes.dtype == want_codes.dtype
    pd.testing.assert_series_equal(u, want_u, check_index_type=True)
    assert type(u.index) is type(want_u.index) and u.array._pa_array.type == want_u.array._pa_array.type


@pytest.mark.parametrize("k", range(len(list(_inputs()))))
def test_distinct_equals_pandas_factorize(k):
    # order of first appearance, the missing value last: downstream tie-breaks read this order
    _assert_distinct_equal(I.as_str(list(_inputs())[k]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "a", "A", "b", "张", VALID, "nan"])), max_size=15))
def test_distinct_equals_pandas_factorize_on_generated_columns(values):
    for s in (pd.Series(values, dtype="str"), pd.Series(values, dtype=pd.StringDtype("python", na_value=np.nan)),
              pd.Series(values, dtype="str").iloc[1:]):
        _assert_distinct_equal(s)


def test_distinct_by_hand():
    codes, u = I.distinct_values(pd.Series(["b", None, "a", "", "b", None], dtype="str"))
    assert codes.tolist() == [0, 3, 1, 2, 0, 3]
    assert u.tolist()[:3] == ["b", "a", ""] and len(u) == 4 and pd.isna(u.iloc[3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(TRICKY_IDS),
                          st.text(st.sampled_from(list("0123456789ABCDEFaG张")), min_size=63, max_size=65)), max_size=12))
def test_tokens_read_off_the_bytes_equal_the_regex(values):
    import pyarrow.compute as pc

    values = [v if isinstance(v, str) else None for v in values]
    for a in _byte_inputs(values):
        want = np.asarray(pc.fill_null(pc.match_substring_regex(a, "^[0-9A-F]{64}$"), False).to_numpy(zero_copy_only=False))
        np.testing.assert_array_equal(I._tokens(a), want)


def test_tokens_and_area_table_by_hand():
    import pyarrow as pa

    a = pa.array([HEX64.upper(), HEX64, HEX64.upper()[:63], HEX64.upper() + "0", None, "G" * 64])
    assert I._tokens(a).tolist() == [True, False, False, False, False, False]
    table = I._area_table()
    assert table[330382] and table[110105] and not table[999999] and table.sum() == len(I.known_area_codes())


# --------------------------------------------------------------------------- issue #16
def test_invisible_characters_around_and_inside_an_id_are_stripped():
    # BOM and zero-width space around, a zero-width joiner and a word joiner inside: all go,
    # in the scalar and the vectorised path alike
    raw = ["\ufeff" + VALID + "\u200b", "330382\u200d19800101\u2060007x", "\u200e33038219800101007X\u202c"]
    assert [I.normalise(v) for v in raw] == [VALID] * 3
    assert I.normalise_series(pd.Series(raw)).tolist() == [VALID] * 3
    assert I.check_series(pd.Series(raw)).tolist() == ["", "", ""]
    assert I.normalise("\ufeff\u200b") is None              # nothing but invisible characters: missing


def _with_cd(first17):
    return first17 + I.check_digit(first17)


def test_taiwan_residence_permit_code_is_valid_like_hong_kong_and_macao():
    # 港澳台居民居住证: 810000 Hong Kong, 820000 Macao (both in stdnum), 830000 Taiwan (data/identity.yaml)
    for area in ("810000", "820000", "830000"):
        assert I.check(_with_cd(area + "19800101007")) == "", area
    assert I.check(_with_cd("84000019800101007")) == "area"   # no such code
    assert "830000" in I.known_area_codes() and "830000" in I.extra_area_codes()
    assert I.area(_with_cd("83000019800101007"))["province"] == "台湾"
    s = pd.Series([_with_cd("83000019800101007"), _with_cd("84000019800101007")])
    assert I.check_series(s).tolist() == ["", "area"]
    assert I.usable_ids(s).notna().tolist() == [True, False]


def test_birth_date_after_the_reference_date_is_invalid():
    born = _with_cd("33038220230501007")                     # born 2023-05-01
    assert I.check(born) == ""                                # no reference: bounded by 2100 only
    assert I.check(born, reference="2022-12-31") == "birth_date"
    assert I.check(born, reference=dt.date(2023, 5, 1)) == ""          # born on the reference day: valid
    assert I.check(born, reference=pd.Timestamp("2023-04-30")) == "birth_date"
    s = pd.Series([born, VALID, None])
    assert I.check_series(s, reference="2022-12-31").tolist() == ["birth_date", "", "missing"]
    assert I.check_series(s, today=dt.date(2022, 12, 31)).tolist() == ["birth_date", "", "missing"]   # the old name
    with pytest.raises(TypeError, match="not both"):
        I.check_series(s, reference="2022-12-31", today=dt.date(2022, 12, 31))


@pytest.mark.parametrize("county", ["guanyun", "yueqing", "panan", "shanxian", "weidu"])
def test_generator_makes_no_id_born_after_the_reference_date(county):
    """Judging birth dates by the pool's reference date changes nothing on synthetic pools:
    no ID of any table (noise included) is valid up to 2100 but born after ``reference_date``."""
    synth = pytest.importorskip("jiuzhu_methods.synth")
    from jiuzhu_methods.io import schema

    pool = synth.generate(county, scale=0.02, seed=11)
    ref = pool.meta["reference_date"]
    n = 0
    for t in schema.CONTRACT_TABLES:
        for c in pool[t].columns:
            if c.endswith("id_number"):
                s = pool[t][c]
                n += int(s.notna().sum())
                pd.testing.assert_series_equal(I.check_series(s, reference=ref), I.check_series(s), obj=f"{t}.{c}")
    assert n > 1000
