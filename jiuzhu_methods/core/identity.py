"""公民身份号码 — identity numbers under GB 11643-1999.

Scalar functions for one number and vectorised ones (``*_series``) for whole columns. The
check digit, the birth date and the area code are validated; ``python-stdnum``
(``stdnum.cn.ric``) provides the check-digit formula and the area-code database.

Normalisation (:func:`normalise`), in this order:

1. full-width characters → half-width (``３３０３`` → ``3303``), lower-case ``x`` → ``X``;
2. spaces, hyphens and other separators removed, and characters that do not show (zero-width
   space and joiners, direction marks, the BOM U+FEFF: :data:`jiuzhu_methods.io.schema.INVISIBLE`)
   — copied from web forms and Excel they sit around or inside an ID;
3. a valid-looking 15-digit number (first-generation card, ``YYMMDD`` birth date, no check
   digit) is upgraded to 18 digits: century ``19`` inserted, check digit computed.

Validation (:func:`check`) returns a reason code, ``""`` when valid:

``missing``, ``format`` (not 17 digits + digit/X), ``checksum``, ``birth_date`` (not a real
date, before 1900 or after the reference date), ``area`` (area code unknown).

The reference date (``reference=``) is the pool's — ``pool.meta["reference_date"]``, or what the
loader decides for a folder of exports (:func:`jiuzhu_methods.io.loaders.decide_reference_date`) — never
today's date; without one birth dates are bounded by 2100-01-01, so results never depend on
the day the code runs.

Area codes: those of stdnum's database at any time, plus ``data/identity.yaml``'s
``extra_area_codes`` — 830000, the 港澳台居民居住证 code of Taiwan residents, valid like
810000 (Hong Kong) and 820000 (Macao), which stdnum knows.

Deviation from ``stdnum.cn.ric.validate``: stdnum also demands that the county code was in
force in the birth year (e.g. 371722 单县 only from 2000). People born earlier carry such
codes on re-issued cards, so here an area code is valid when it is known at any time.

Examples
--------
>>> normalise(" 11010519491231002x ")
'11010519491231002X'
>>> normalise("１１０１０５４９１２３１００２")   # full-width, 15 digits
'11010519491231002X'
>>> check("110105194912310021")
'checksum'
>>> mask("11010519491231002X")
'1101**********002X'
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import ric as _ric

from . import yaml_io
from ..io.schema import INVISIBLE

_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_CHECK = np.array(list("10X98765432"))
# Python's ``\s`` on ``str`` spelled out as characters, so that the same class runs in Arrow's
# RE2 (whose ``\s`` is ASCII only) and in ``re``; equality over every code point is tested.
WHITESPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# a str pattern: pandas hands it to Arrow (a compiled pattern would run ``re`` once per value);
# the invisible characters (zero-width, BOM …) go with the separators
SEPARATORS = "[" + WHITESPACE + INVISIBLE + "\\-_.·/\\\\]+"
_SEPARATORS = re.compile(SEPARATORS)

REASONS = {
    "": "有效",
    "missing": "缺失",
    "format": "格式错误",
    "checksum": "校验码错误",
    "birth_date": "出生日期无效",
    "area": "地址码无效",
}


# --------------------------------------------------------------------------- scalar API
def normalise(value: object) -> str | None:
    """Normalised form of an identity number, or ``None`` when nothing usable is there.

    Does not validate: a wrong number stays wrong (see :func:`check`), only its spelling is
    made canonical. 15-digit numbers become 18-digit ones.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    s = unicodedata.normalize("NFKC", str(value))
    s = _SEPARATORS.sub("", s).upper()
    if not s:
        return None
    if len(s) == 15 and s.isascii() and s.isdigit():
        s17 = s[:6] + "19" + s[6:]
        s = s17 + check_digit(s17)
    return s


def check_digit(first17: str) -> str:
    """The GB 11643 check digit (ISO 7064 MOD 11-2) for 17 digits."""
    return _ric.calc_check_digit(first17 + "0")


@lru_cache(maxsize=1)
def extra_area_codes() -> dict[str, dict]:
    """Area codes valid beyond stdnum's database (``data/identity.yaml``: 830000, Taiwan
    residents' 港澳台居民居住证), each with its ``province``/``county`` names."""
    text = resources.files("jiuzhu_methods").joinpath("data/identity.yaml").read_text("utf-8")
    return {str(k): dict(v) for k, v in (yaml_io.safe_load(text).get("extra_area_codes") or {}).items()}


@lru_cache(maxsize=1)
def known_area_codes() -> frozenset[str]:
    """Every 6-digit area code stdnum's database knows (at any time), and
    :func:`extra_area_codes`."""
    from stdnum import numdb

    codes: set[str] = set(extra_area_codes())
    # numdb keeps a prefix tree of (length, low, high, properties, children):
    # 2-digit provinces, then 4-digit prefecture+county ranges
    for _len, plow, phigh, _props, children in numdb.get("cn/loc").prefixes:
        for prov in range(int(plow), int(phigh) + 1):
            for _l, low, high, _p, _c in children:
                codes.update(f"{prov:02d}{k:04d}" for k in range(int(low), int(high) + 1))
    return frozenset(codes)


@lru_cache(maxsize=1)
def _area_table() -> np.ndarray:
    """The known area codes as a lookup table over every 6-digit number (built once): a code
    read off an ID's bytes is tested by one array lookup, not hashed as a string."""
    table = np.zeros(10 ** 6, dtype=bool)
    table[[int(c) for c in known_area_codes() if len(c) == 6 and c.isascii() and c.isdigit()]] = True
    return table


def check(value: object, *, reference: _dt.date | None = None, today: _dt.date | None = None) -> str:
    """Reason code for ``value`` after normalisation: ``""`` when valid (see module doc).
    ``reference``: the pool's reference date, birth dates after it are invalid (``today`` is its
    old name)."""
    s = normalise(value)
    return str(check_series(pd.Series([s], dtype="object"), reference=reference, today=today).iloc[0])


def is_valid(value: object) -> bool:
    return check(value) == ""


def birth_date(value: object) -> _dt.date | None:
    s = normalise(value)
    if s is None or check(s):
        return None
    return _dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def sex(value: object) -> str | None:
    """男 for an odd order code, 女 for an even one (GB 11643 §4.3)."""
    s = normalise(value)
    if s is None or check(s):
        return None
    return "男" if int(s[16]) % 2 else "女"


def area(value: object) -> dict[str, str] | None:
    """Province and county names of the area code (from stdnum's database), or ``None``."""
    s = normalise(value)
    if s is None or check(s):
        return None
    from stdnum import numdb

    extra = extra_area_codes().get(s[:6])
    if extra is not None:
        return {k: str(extra[k]) for k in ("province", "county") if k in extra}
    info = {k: v for _part, props in numdb.get("cn/loc").info(s[:6]) for k, v in props.items()}
    if "county" in info:
        info["county"] = re.sub(r"\[[^\]]*\]", "", info["county"]).split(",")[-1]
    return info


def mask(value: object) -> str | None:
    """Display form: area prefix (4) and last 4 kept, the rest ``*`` — ``3303**********123X``."""
    s = normalise(value)
    if s is None:
        return None
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_name(value: object) -> str | None:
    """Display form of a name: the surname kept, the rest ``*`` — ``张**``; one character → ``*``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    s = str(value).strip()
    if len(s) <= 1:
        return "*"
    return s[0] + "*" * (len(s) - 1)


# --------------------------------------------------------------------------- vectorised API
# Real columns repeat the same few values many times (a registry holds one row per person and
# month), so the vectorised functions below compute on the distinct values only and spread the
# result back with ``take``: every step is element-wise, hence the result is the same as on
# the whole column, row for row.
def as_str(s: pd.Series) -> pd.Series:
    """An ID column (or any column of identifiers: names, phones) as a ``str`` column, the
    spelling every per-distinct-value reading starts from: each present value ``str(v)``
    (an ID read by Excel as a number becomes its digits), missing values (``None``, NaN,
    ``pd.NA``, NaT) missing. A ``str`` column is returned as it is, text columns are cast."""
    if s.dtype == "str":
        return s
    if isinstance(s.dtype, pd.StringDtype) or (
            s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty")):
        return s.astype("str")
    # numbers, bytes, mixed objects: str() per value, as the scalar functions do
    x = s.astype("object").where(s.notna(), None)
    return pd.Series(x.map(lambda v: None if v is None else str(v)), index=s.index, dtype="str", name=s.name)


def factorize_arrow(a: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """The distinct values of an Arrow array of identifiers (IDs, linkage keys) in order of
    first appearance (missing left out), and each value's code into them (``intp``, ``-1`` =
    missing) — ``pd.factorize``.

    Arrow's ``dictionary_encode``, the kernel pandas runs for an Arrow-backed column, without
    its wrapping."""
    enc = pc.dictionary_encode(a)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, enc.dictionary


def distinct_values(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The first half of "compute once per distinct value, then spread back to the rows": a
    registry repeats each person's ID once per monthly snapshot, so an ID column is read on
    its distinct values only. Returns ``codes, uniques`` of a ``str`` column (:func:`as_str`):
    ``uniques`` (a ``str`` Series, default index) holds the distinct values in order of first
    appearance and ends with one missing value, and ``codes`` points each row at its value
    (missing rows at the last), so that ``uniques.array.take(codes)`` gives ``s`` back and
    :func:`spread_to_rows` takes any per-value result back to the rows.

    :func:`factorize_arrow` on the column's Arrow array (one hash pass, no Python objects)."""
    codes, uniq = factorize_arrow(as_arrow(s))
    codes[codes < 0] = len(uniq)
    u = pa.concat_arrays([uniq.cast(pa.large_string()), pa.nulls(1, pa.large_string())])
    return codes, str_series(u, pd.RangeIndex(len(u)))


def spread_to_rows(values: pd.Series, codes: np.ndarray, like: pd.Series, name=None) -> pd.Series:
    """The second half of "compute once per distinct value, then spread back to the rows":
    ``values`` (one per distinct value of :func:`distinct_values`, in its order) taken back to
    the rows of ``like`` by their ``codes`` — a Series with ``like``'s index (and ``name``).
    Every per-value reading is element-wise, so the result is the row-by-row one.

    One ``take`` of the values' array."""
    return pd.Series(values.array.take(codes), index=like.index, name=name)


def as_arrow(x: pd.Series) -> pa.Array:
    """The values of a ``str`` column as one Arrow string array: no copy when it is Arrow-backed
    in one chunk (``combine_chunks`` copies even then)."""
    arr = getattr(x.array, "_pa_array", None)
    if arr is None:
        arr = pa.array(x.astype("str").to_numpy(dtype=object, na_value=None), type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    return arr


def str_series(a: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a ``str`` column with ``index``."""
    return pd.Series(pd.array(a, dtype="str"), index=index)


def _mask(a: pa.Array) -> np.ndarray:
    """An Arrow boolean array as a numpy mask (missing → False)."""
    return np.asarray(pc.fill_null(a, False).to_numpy(zero_copy_only=False), dtype=bool)


#: text made only of ASCII and the basic CJK Unified Ideographs is NFKC already: none of these
#: characters changes under NFKC, and none is the second part of a canonical composition
#: (both checked over every code point in tests/test_identity.py)
NFKC_STABLE = r"^[\x00-\x7f\x{4e00}-\x{9fff}]*$"


def nfkc_arrow(a: pa.Array) -> pa.Array:
    """NFKC per value of an Arrow string array: full-width digits and letters become ASCII,
    compatibility forms of characters their usual form — the first step of normalising an ID
    (:func:`normalise`) and of comparing names.

    Only values with characters outside :data:`NFKC_STABLE` (full-width digits, middle dots,
    rare characters) are read, by Python's ``unicodedata``; the rest are NFKC already."""
    other = ~_mask(pc.fill_null(pc.match_substring_regex(a, NFKC_STABLE), True))
    if not other.any():
        return a
    pos = np.flatnonzero(other)
    done = [unicodedata.normalize("NFKC", v) for v in a.take(pa.array(pos)).to_pylist()]
    return pc.replace_with_mask(a, pa.array(other), pa.array(done, type=a.type))


def _nfkc(x: pd.Series) -> pd.Series:
    """NFKC per value of a ``str`` column (ASCII text is NFKC already, so only the rest is read)."""
    if len(x) == 0:
        return x
    return str_series(nfkc_arrow(as_arrow(x)), x.index)


#: an ID already in normal form (18 ASCII characters: 17 digits, then a digit or "X"):
#: NFKC, separator removal and upper-casing leave it as it is
CANONICAL = "^[0-9]{17}[0-9X]$"


def _normalise_arrow(a: pa.Array) -> pa.Array:
    """:func:`normalise` over an Arrow string array: the kernels pandas' ``str`` methods call
    (RE2 replace, ``utf8_upper``), without the pandas wrapping, on the values that are not
    :data:`CANONICAL` already (most of a real column)."""
    todo = ~_canonical(a)[0] & ~np.asarray(a.is_null().to_numpy(zero_copy_only=False))
    if not todo.any():
        return a
    everything = todo.all()
    b = a if everything else a.filter(pa.array(todo))
    b = nfkc_arrow(b)
    b = pc.utf8_upper(pc.replace_substring_regex(b, SEPARATORS, ""))
    b = pc.if_else(pc.equal(pc.utf8_length(b), 0), pa.scalar(None, b.type), b)
    is15 = _mask(pc.match_substring_regex(b, "^[0-9]{15}$"))  # ASCII digits (as the scalar path)
    if is15.any():
        v = b.filter(pa.array(is15))
        s17 = pc.binary_join_element_wise(pc.utf8_slice_codeunits(v, 0, 6), pa.scalar("19", b.type),
                                          pc.utf8_slice_codeunits(v, 6, 15), pa.scalar("", b.type))
        total = _number(_fixed_width(s17, 17)[1], _WEIGHTS)       # every value: 17 ASCII digits
        full = pc.binary_join_element_wise(s17, pa.array(_CHECK[total % 11], type=b.type),
                                           pa.scalar("", b.type))
        b = pc.replace_with_mask(b, pa.array(is15), full)
    return b if everything else pc.replace_with_mask(a, pa.array(todo), b.cast(a.type))


def normalise_distinct(x: pd.Series) -> pd.Series:
    """:func:`normalise` of each value of a ``str`` column (the distinct values of an ID
    column, :func:`distinct_values`): full-width → half-width, separators and invisible
    characters removed, 15 digits upgraded to 18; same index.

    Arrow kernels (RE2 replace, ``utf8_upper``) on the values not :data:`CANONICAL` already."""
    return str_series(_normalise_arrow(as_arrow(x)), x.index)


def normalise_series(s: pd.Series) -> pd.Series:
    """:func:`normalise` over a column (vectorised string ops; ``str`` dtype out).

    Computed once per distinct value, so a column that repeats the same IDs costs little more
    than its distinct values.
    """
    x = as_str(s)
    codes, u = distinct_values(x)
    return spread_to_rows(normalise_distinct(u), codes, s, name=s.name)


def check_digits(first17: pd.Series) -> pd.Series:
    """Vectorised check digits for a column of 17-digit strings."""
    if len(first17) == 0:
        return pd.Series([], dtype="str", index=first17.index)
    arr = np.frombuffer("".join(first17.tolist()).encode("ascii"), dtype=np.uint8)
    digits = (arr.reshape(-1, 17) - 48).astype(np.int64)
    rem = (digits @ _WEIGHTS) % 11
    return pd.Series(_CHECK[rem], index=first17.index, dtype="str")


def _fixed_width(a: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the present values of an Arrow string array that are ``width`` bytes
    long, and their bytes read off the data buffer, transposed: a ``(width, k)`` uint8 array,
    one row per byte position, so that a test of a fixed-width ASCII pattern is one vector
    operation per position (a fraction of an RE2 match per value)."""
    a = a.cast(pa.large_string())
    n = len(a)
    if n == 0 or a.null_count == n:
        return np.zeros(0, dtype=np.intp), np.zeros((width, 0), dtype=np.uint8)
    offsets = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset:a.offset + n + 1]
    fits = np.diff(offsets) == width
    if a.null_count:
        fits &= np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(fits)
    if len(rows) == 0:
        return rows, np.zeros((width, 0), dtype=np.uint8)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)
    # each value's bytes are a window of the data buffer: one row copy per value
    b = np.lib.stride_tricks.sliding_window_view(data, width)[offsets[rows]]
    return rows, np.ascontiguousarray(b.T)


def _in_class(b: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Elementwise: the byte is in one of ``ranges`` ((first, last) byte values, inclusive) —
    unsigned arithmetic (a byte below ``first`` wraps round to a large one)."""
    out = np.zeros(b.shape, dtype=bool)
    for first, last in ranges:
        out |= (b - np.uint8(first)) <= last - first
    return out


_DIGITS = ((ord("0"), ord("9")),)
_CHECK_CHARS = _DIGITS + ((ord("X"), ord("X")),)
_HEX_UPPER = _DIGITS + ((ord("A"), ord("F")),)


def _strings_at(n: int, rows: np.ndarray, b: np.ndarray) -> pa.Array:
    """An Arrow ``large_string`` array of ``n`` values: the ASCII bytes ``b[:, i]`` (a ``(w, k)``
    uint8 array, as :func:`_fixed_width` gives) at position ``rows[i]`` (increasing), missing
    elsewhere — built from buffers."""
    w, k = b.shape
    present = np.zeros(n, dtype=bool)
    present[rows] = True
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(present * w, out=offsets[1:])
    return pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(b.T, dtype=np.uint8).tobytes()),
        pa.py_buffer(np.packbits(present, bitorder="little")), null_count=n - k)


def _canonical(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values of an Arrow string array match :data:`CANONICAL` (a mask, missing → False),
    and the bytes of those as an ``(18, k)`` uint8 array, one row per position: the match read
    off the bytes (18 ASCII bytes are 18 characters, and no byte of a multi-byte character is
    an ASCII digit)."""
    rows, b = _fixed_width(a, 18)
    good = _in_class(b[:17], _DIGITS).all(axis=0) & _in_class(b[17], _CHECK_CHARS)
    mask = np.zeros(len(a), dtype=bool)
    mask[rows[good]] = True
    return mask, b if good.all() else b[:, good]


def _number(b: np.ndarray, weights) -> np.ndarray:
    """Σ weights[i] · digit value of the byte row ``b[i]`` (ASCII digits, an ``(m, k)`` uint8
    array) as int64, one vector operation per row (no ``(m, k)`` int64 copy)."""
    out = np.zeros(b.shape[1], dtype=np.int64)
    for w, row in zip(weights, b):
        out += int(w) * row.astype(np.int64)
    return out - ord("0") * int(np.sum(weights))


_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_CHECK_CODES = np.array([ord(c) - 48 for c in "10X98765432"])


def _real_dates(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Whether (year, month, day) is a date of the (proleptic) Gregorian calendar."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month = np.clip(m, 0, 12)
    last = _DAYS[month] + ((month == 2) & leap)
    return (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


def _ymd(b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of the birth date digits 7–14 of an ``(18, k)`` byte array of IDs
    (as :func:`_canonical` gives)."""
    return _number(b[6:10], [1000, 100, 10, 1]), _number(b[10:12], [10, 1]), _number(b[12:14], [10, 1])


#: the reason codes of :func:`check` as :func:`_reason_index` numbers them
_REASON_ORDER = np.array(["", "missing", "format", "checksum", "birth_date", "area"], dtype=object)


def _reason_index(x: pa.Array, today: _dt.date | None = None) -> np.ndarray:
    """Per value of an Arrow array of normalised numbers, its reason code as an index into
    :data:`_REASON_ORDER`: the bytes of the :data:`CANONICAL` values (ASCII digits only: a
    ``str``'s ``\\d`` also matches other scripts' digits, which are no ID) give the check digit,
    the birth date (a real date in 1900-01-01 … ``today``, by default 2100-01-01) and the area
    code (:func:`_area_table`) by array arithmetic."""
    missing = np.asarray(x.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    ok, b = _canonical(x)
    out = np.where(missing, 1, 2).astype(np.int8)
    if b.shape[1]:
        bad_cd = _CHECK_CODES[_number(b[:17], _WEIGHTS) % 11] != b[17].astype(np.int64) - ord("0")   # "X" → 40
        y, m, dd = _ymd(b)
        upper = pd.Timestamp(today or _dt.date(2100, 1, 1))
        ymd = y * 10000 + m * 100 + dd
        bad_date = ~_real_dates(y, m, dd) | (ymd < 19000101) | (ymd > upper.year * 10000 + upper.month * 100 + upper.day)
        bad_area = ~_area_table()[_number(b[:6], [10 ** (5 - i) for i in range(6)])]
        out[ok] = np.where(bad_cd, 3, np.where(bad_date, 4, np.where(bad_area, 5, 0)))
    return out


def _check_arrow(x: pa.Array, today: _dt.date | None = None) -> np.ndarray:
    """Reason codes (an object array) of an Arrow array of normalised numbers
    (:func:`_reason_index`)."""
    return _REASON_ORDER[_reason_index(x, today)]


def _check_distinct(x: pd.Series, today: _dt.date | None = None) -> pd.Series:
    """Reason codes of a ``str`` column of normalised numbers (see :func:`check_series`)."""
    return pd.Series(_check_arrow(as_arrow(x), today), index=x.index, dtype="str")


def check_series(s: pd.Series, *, reference: _dt.date | None = None, today: _dt.date | None = None,
                 normalised: bool = False) -> pd.Series:
    """Reason code per element (``""`` = valid), vectorised. See module doc for the codes.

    ``reference`` (the pool's reference date; ``today`` is its old name) bounds birth dates
    from above; by default 2100-01-01 so that results never depend on the day the code runs.
    ``normalised=True`` says ``s`` is already the output of :func:`normalise_series` (saves
    normalising twice). Computed once per distinct value.
    """
    if reference is not None and today is not None:
        raise TypeError("give reference= (today= is its old name), not both")
    today = _as_date(reference if reference is not None else today)
    codes, u = distinct_values(as_str(s))
    x = u if normalised else normalise_distinct(u)
    return spread_to_rows(_check_distinct(x, today), codes, s)


def _as_date(value) -> _dt.date | None:
    """A reference date given as a date, a Timestamp or ISO text, as a ``date`` (``None`` stays)."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return pd.Timestamp(value).date()


#: a pseudonym token (:mod:`jiuzhu_methods.privacy`): this many upper-case hex digits
TOKEN_HEX_DIGITS = 64


def _tokens(x: pa.Array) -> np.ndarray:
    """Which values of an Arrow string array are pseudonym tokens (read off the bytes)."""
    rows, b = _fixed_width(x, TOKEN_HEX_DIGITS)
    out = np.zeros(len(x), dtype=bool)
    out[rows[_in_class(b, _HEX_UPPER).all(axis=0)]] = True
    return out


def _usable_arrow(x: pa.Array) -> pa.Array:
    """:func:`usable_ids` of an Arrow array of normalised numbers: valid IDs and pseudonym
    tokens kept, the rest missing."""
    keep = (_reason_index(x) == 0) | _tokens(x)
    return pc.if_else(pa.array(keep), x, pa.scalar(None, x.type))


def usable_distinct(x: pd.Series) -> pd.Series:
    """:func:`usable_ids` of each value of a ``str`` column of normalised numbers
    (:func:`normalise_distinct`): a valid ID or a pseudonym token is kept, anything else is
    missing — the exact-linkage key per distinct value; same index.

    Validity read off the bytes of the canonical values (:func:`_reason_index`)."""
    return str_series(_usable_arrow(as_arrow(x)), x.index)


def valid_series(s: pd.Series, **kw) -> pd.Series:
    return check_series(s, **kw) == ""


def usable_ids(s: pd.Series) -> pd.Series:
    """Normalised ID where valid, missing otherwise — the join key for exact linkage.

    A pseudonym token (64 hex characters, :mod:`jiuzhu_methods.privacy`) stands for a valid
    ID and is kept (upper-cased), so joins give the same pairs on a pseudonymised pool.
    Computed once per distinct value.
    """
    codes, u = distinct_values(as_str(s))
    return spread_to_rows(usable_distinct(normalise_distinct(u)), codes, s, name=s.name)


def _mask_distinct(x: pd.Series) -> pd.Series:
    """:func:`mask` of a ``str`` column of normalised numbers."""
    n = x.str.len()
    if n.isna().all():      # nothing to mask: all missing
        return pd.Series(np.nan, index=x.index, dtype="str")
    masked = x.str.slice(0, 4) + n.sub(8).clip(lower=0).map(lambda k: "*" * int(k) if pd.notna(k) else None) + x.str.slice(-4)
    return masked.where(n > 8, x.map(lambda v: None if v is None or pd.isna(v) else "*" * len(v)))


def mask_series(s: pd.Series) -> pd.Series:
    """:func:`mask` over a column (``str`` dtype out), computed once per distinct value."""
    codes, u = distinct_values(as_str(s))
    return spread_to_rows(_mask_distinct(normalise_distinct(u)), codes, s, name=s.name)


def mask_name_series(s: pd.Series) -> pd.Series:
    return s.map(mask_name).astype("str")


def birth_distinct(usable: pd.Series) -> pd.Series:
    """The birth date (digits 7–14) of each value of a ``str`` column of :func:`usable_ids`
    (:func:`usable_distinct`), ``datetime64[us]``; NaT where missing or where a pseudonym
    token's digits are no date. Same index.

    One ``to_datetime`` of the sliced digits."""
    return pd.to_datetime(usable.str.slice(6, 14), format="%Y%m%d", errors="coerce").astype("datetime64[us]")


def sex_distinct(usable: pd.Series) -> pd.Series:
    """男/女 of each value of a ``str`` column of :func:`usable_ids` (:func:`usable_distinct`):
    the 17th digit's parity (odd 男, even 女); missing where there is no such digit. Same index.

    One ``to_numeric`` of the sliced digit."""
    odd = pd.to_numeric(usable.str.slice(16, 17), errors="coerce") % 2
    return pd.Series(np.where(odd.isna(), None, np.where(odd == 1, "男", "女")), index=usable.index, dtype="str")


def birth_dates_series(s: pd.Series) -> pd.Series:
    """Birth date per valid ID (NaT otherwise)."""
    return birth_distinct(usable_ids(s))


def sex_series(s: pd.Series) -> pd.Series:
    return sex_distinct(usable_ids(s))


#: an invalid ID keyed by :mod:`jiuzhu_methods.privacy`: "!", 32 hex digits, ":", then the
#: 16 hex digits of its birth date token (the part kept as the ``_birth`` key)
_BIRTH_TOKEN = ("!", 32, ":", 16)


def _birth_token_arrow(a: pa.Array) -> pa.Array:
    """The birth date token of each :data:`_BIRTH_TOKEN` value of an Arrow string array (missing
    for any other value), read off the bytes: the values of that exact width, upper-case hex."""
    bang, head, colon, tail = _BIRTH_TOKEN
    rows, b = _fixed_width(a, len(bang) + head + len(colon) + tail)
    sep = len(bang) + head
    hex_ = _in_class(b, _HEX_UPPER)
    ok = ((b[0] == ord(bang)) & (b[sep] == ord(colon))
          & hex_[len(bang):sep].all(axis=0) & hex_[sep + 1:].all(axis=0))
    return _strings_at(len(a), rows[ok], b[sep + 1:, ok])


_BIRTH_DIGITS = slice(6, 14)      # "YYYYMMDD" in an 18-digit ID


def _birth_digits_arrow(a: pa.Array) -> pa.Array:
    """The birth date "YYYYMMDD" of digits 7–14 of each 18-digit value of an Arrow array of
    normalised numbers (whether or not the check digit and area are right), missing where those
    digits are no date of the calendar (19990230) — as ``pd.to_datetime(…, format="%Y%m%d",
    errors="coerce").dt.strftime("%Y%m%d")`` of the ``\\d{17}[\\dX]`` values gives it.

    For ASCII digits the date is written back as the very digits it was read from (pandas reads
    and writes every year 0000–9999 with four digits), so no date is parsed: the digits are read
    off the bytes and tested with :func:`_real_dates`. A ``str``'s ``\\d`` also matches
    other scripts' digits, which pandas reads as numbers; those few values go through pandas."""
    n = len(a)
    canon, b = _canonical(a)
    real = _real_dates(*_ymd(b))
    birth = _strings_at(n, np.flatnonzero(canon)[real], b[_BIRTH_DIGITS, real])
    # 18 characters, not all ASCII: maybe other scripts' digits (never a valid ID, rare)
    other = _mask(pc.and_(pc.equal(pc.utf8_length(a), 18), pc.invert(pc.string_is_ascii(a))))
    if other.any():
        pos = np.flatnonzero(other)
        v = str_series(a.take(pa.array(pos)), pd.RangeIndex(len(pos)))
        digits = v.where(v.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
        s = pd.to_datetime(digits.str.slice(_BIRTH_DIGITS.start, _BIRTH_DIGITS.stop), format="%Y%m%d",
                           errors="coerce").dt.strftime("%Y%m%d").astype("str")
        birth = pc.replace_with_mask(birth, pa.array(other), as_arrow(s).cast(birth.type))
    return birth


def birth_digits_distinct(norm: pd.Series) -> pd.Series:
    """The birth date "YYYYMMDD" written in digits 7–14 of each value of a ``str`` column of
    normalised numbers (the distinct values of an ID column), whether or not its check digit
    and area code are right — an ID with a typo elsewhere still tells the birth date (the
    ``_birth`` key of :mod:`jiuzhu_methods.core.linkage`); missing where the value is no
    ``\\d{17}[\\dX]`` number or its digits are no date of the calendar.

    Read off the UTF-8 bytes (:func:`_birth_digits_arrow`), not parsed as dates."""
    return str_series(_birth_digits_arrow(as_arrow(norm)), norm.index)


def birth_tokens_distinct(norm: pd.Series) -> pd.Series:
    """The birth date token of each value of a ``str`` column of normalised numbers that is an
    invalid ID keyed by :mod:`jiuzhu_methods.privacy` ("!<32 hex>:<16 hex>": the 16 hex digits
    stand for the birth date the ID's digits show), missing for any other value — so that a
    pseudonymised pool links by birth date as the raw pool does.

    Read off the UTF-8 bytes (:func:`_birth_token_arrow`)."""
    return str_series(_birth_token_arrow(as_arrow(norm)), norm.index)


def id_attributes_distinct(norm: pd.Series) -> dict[str, pd.Series]:
    """What the published models read from an ID number's digits, per value of a ``str`` column
    of normalised numbers (the distinct values of an ID column; default index): ``birth_date``
    and ``sex`` of a valid ID or a usable pseudonym token (as :func:`birth_dates_series` /
    :func:`sex_series`) and ``area``, the first six digits of any ``\\d{17}[\\dX]`` value (valid
    or not) — a dict of three Series (``datetime64[us]``, ``str``, ``str``).

    The valid IDs' attributes are read off their bytes (:func:`_canonical`: year, month and day,
    the 17th digit, the first six bytes); the other values the pandas readings take as they are
    (:func:`_attributes_read`): the usable pseudonym tokens (whose digits can read as a date or a
    sex digit) and, for the area, the values of 18 characters that are not ASCII IDs (``\\d``
    there is any script's digit)."""
    a = as_arrow(norm)
    m = len(a)
    canon, b = _canonical(a)
    crow = np.flatnonzero(canon)
    reason = _reason_index(a)
    valid = reason[crow] == 0                               # of the canonical values
    vrow, bv = crow[valid], b[:, valid]
    birth = np.full(m, np.datetime64("NaT"), dtype="datetime64[us]")
    sex = np.full(m, -1, dtype=np.int64)                    # index into 女, 男; -1 missing
    if len(vrow):
        y, mo, d = _ymd(bv)                                 # real dates in 1900 … 2100 (valid IDs)
        days = ((y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (mo - 1).astype("timedelta64[M]")
                ).astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
        birth[vrow] = days.astype("datetime64[us]")
        sex[vrow] = bv[16] % 2                              # ASCII "0" is 48: even byte, even digit
    # the area: the first six characters of the values the pattern takes (missing elsewhere)
    shaped = canon.copy()
    n18 = np.asarray(pc.fill_null(pc.utf8_length(a), 0).to_numpy(zero_copy_only=False)) == 18
    other = np.flatnonzero(~canon & n18)
    if len(other):
        shaped[other] = str_series(a.take(pa.array(other)), pd.RangeIndex(len(other))
                                   ).str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool).to_numpy()
    area = pc.if_else(pa.array(shaped), pc.utf8_slice_codeunits(a, 0, 6), pa.scalar(None, a.type))
    sexes = pa.array(["女", "男"], type=pa.large_string()).take(pa.array(sex, mask=sex < 0))
    per_value = {"birth_date": pd.Series(birth), "sex": str_series(sexes, pd.RangeIndex(m)),
                 "area": str_series(area, pd.RangeIndex(m))}
    tok = np.flatnonzero(_tokens(a))                        # usable: kept by usable_ids
    if len(tok):
        read = _attributes_read(str_series(a.take(pa.array(tok)), pd.RangeIndex(len(tok))))
        per_value["birth_date"].iloc[tok] = read["birth_date"].to_numpy()
        per_value["sex"].iloc[tok] = read["sex"].to_numpy()
    return per_value


def _attributes_read(usable: pd.Series) -> pd.DataFrame:
    """``birth_date`` and ``sex`` of a ``str`` column of usable IDs (or tokens) as the pandas
    readings of :func:`birth_distinct` and :func:`sex_distinct` take them (slices parsed by
    ``to_datetime`` / ``to_numeric``)."""
    return pd.DataFrame({"birth_date": birth_distinct(usable), "sex": sex_distinct(usable)})


def make_ids(area: np.ndarray, birth: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Build valid 18-digit IDs from arrays: 6-digit area strings, ``datetime64[D]`` birth
    dates and 3-digit order codes (ints 0–999). Vectorised; used by the generator.
    """
    births = pd.DatetimeIndex(birth).strftime("%Y%m%d").to_numpy(dtype=str)
    orders = np.char.zfill(np.asarray(order).astype(str), 3)
    first = np.char.add(np.char.add(np.asarray(area).astype(str), births), orders)
    cd = check_digits(pd.Series(first, dtype="str")).to_numpy(dtype=str)
    return np.char.add(first, cd)


__all__ = [
    "as_arrow",
    "as_str",
    "birth_digits_distinct",
    "birth_distinct",
    "birth_tokens_distinct",
    "distinct_values",
    "factorize_arrow",
    "id_attributes_distinct",
    "nfkc_arrow",
    "normalise_distinct",
    "spread_to_rows",
    "str_series",
    "usable_distinct",
    "REASONS",
    "area",
    "birth_date",
    "birth_dates_series",
    "check",
    "check_digit",
    "check_digits",
    "check_series",
    "extra_area_codes",
    "is_valid",
    "known_area_codes",
    "make_ids",
    "mask",
    "mask_name",
    "mask_name_series",
    "mask_series",
    "normalise",
    "normalise_series",
    "sex",
    "sex_distinct",
    "sex_series",
    "usable_ids",
    "valid_series",
]
