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

from jiuzhu_methods import identity as I

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
