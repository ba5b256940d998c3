"""个人信息保护 — masking, pseudonymised linkage and formula-safe exports.

Masking (default for every report and export)
---------------------------------------------
:func:`mask_frame` masks the identity columns of any frame: ID numbers
(``id_number``, ``*_id_number``, headers containing 身份证) become ``3303**********123X``,
names (``name``, ``*_name``, headers ending in 姓名) become ``张**``; ID-number-shaped
strings (17 digits + digit/X) inside any other text column are masked too. Pseudonym tokens
(below) are not personal ID numbers and are left as they are, so partners can match them.
Companion columns of a pseudonymised pool (birth date, sex, area; ``attributes=True``)
are blanked. Raw values only with ``raw=True`` — the explicit option every exporter passes through.

Pseudonymised linkage
---------------------
With a key supplied by the user (:func:`load_key`: an environment variable, default
``JIUZHU_PSEUDONYM_KEY``, or a key file; at least 16 bytes; the key is never written to any
output, nor into ``pool.meta``), every ID number becomes a keyed hash so that partner agencies
can exchange tokens instead of ID numbers (:func:`pseudonymise_ids`,
:func:`pseudonymise_pool`, ``pool.pseudonymise(key)``):

* a **valid** ID number (GB 11643, after :func:`identity.normalise`) →
  ``hmac.new(key, normalised_id.encode("ascii"), sha256).hexdigest()`` — 64 lower-case hex
  digits. Any party holding the key computes the same token from the same ID.
* a **missing** (or blank) ID number → missing.
* a present but **invalid** ID number → ``"!"`` + the first 32 hex digits of
  HMAC(key, ``"invalid:" + normalised``); when digits 7–14 of it form a real date (what
  :func:`linkage.keys` reads as a birth date for records without a valid ID) the token
  continues with ``":"`` + the first 16 hex digits of HMAC(key, ``"birth:" + YYYYMMDD``).
  The same wrong number gives the same token; it never counts as an ID.

:func:`jiuzhu_methods.linkage.keys` recognises both forms (64-hex → the exact-match key;
``!…:…`` → the birth-date key), so every model links a pseudonymised pool exactly as the plain
one under ``linkage="id"`` and ``"id+name"``. Limitation: ``linkage="fallback"`` cannot read
the birth date of a *valid* ID from its token, so the ``name+birth_date`` rule finds fewer
pairs between a tokenised valid ID and a record without one.

ID-number-shaped strings inside text columns (documents, petitions) are replaced by their
tokens too. Names stay (pseudonymisation concerns identity numbers; mask names on output).

Formula-safe exports
--------------------
:func:`excel_safe` prefixes text cells that a spreadsheet would run as a formula (``=``,
``+``, ``-``, ``@``, tab, carriage return — also after leading spaces or in full-width form)
with ``'``; removes characters Excel cannot store; cuts cells longer than Excel's 32 767
characters. :func:`to_excel` / :func:`to_csv` mask (unless ``raw=True``) and neutralise.

Examples
--------
>>> import pandas as pd
>>> mask_frame(pd.DataFrame({"name": ["张三丰"], "id_number": ["11010519491231002x"]})).values.tolist()
[['张**', '1101**********002X']]
>>> excel_safe_value('=HYPERLINK("http://x","y")')
'\\'=HYPERLINK("http://x","y")'
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import identity, schema

if TYPE_CHECKING:
    from .pool import DataPool

KEY_ENV = "JIUZHU_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
SCHEME = "hmac-sha256-v1"
TOKEN_RE = re.compile(r"^[0-9a-fA-F]{64}$")
INVALID_TOKEN_RE = re.compile(r"^![0-9a-fA-F]{32}(?::[0-9a-fA-F]{16})?$")
#: ID-number-shaped substrings in free text
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z０-９])([0-9０-９]{17}[0-9Xx０-９Ｘｘ])(?![0-9A-Za-z０-９])")
_ID_IN_TEXT_PROBE = re.compile(ID_IN_TEXT.pattern.replace("([", "(?:[", 1))
EXCEL_MAX_CELL = 32767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --------------------------------------------------------------------------- columns
def is_id_column(name: object) -> bool:
    n = str(name)
    return n == "id_number" or n.endswith("_id_number") or "身份证" in n


def is_name_column(name: object) -> bool:
    n = str(name)
    return n == "name" or n.endswith("_name") or n.endswith("姓名")


def is_attribute_column(name: object) -> bool:
    """A companion column of :func:`pseudonymise_pool` (``id_number_birth_date`` …)."""
    n = str(name)
    return any(n.endswith(suf) and is_id_column(n[: -len(suf)]) for suf in ("_birth_date", "_sex", "_area"))


def id_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if is_id_column(c)]


def name_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if is_name_column(c)]


def is_token(s: pd.Series) -> pd.Series:
    """True where a value is a pseudonym token (valid-ID token or ``!`` invalid-ID token)."""
    x = s.astype("str")
    return (x.str.fullmatch(TOKEN_RE.pattern) | x.str.fullmatch(INVALID_TOKEN_RE.pattern)).fillna(False).astype(bool)


# --------------------------------------------------------------------------- masking
def _mask_id_match(m: re.Match) -> str:
    return identity.mask(m.group(1)) or ""


def mask_ids_in_text(s: pd.Series) -> pd.Series:
    """Mask ID-number-shaped substrings (17 digits + digit/X) inside text."""
    x = s.astype("str")
    return x.str.replace(ID_IN_TEXT, _mask_id_match, regex=True)


def mask_frame(df: pd.DataFrame, *, raw: bool = False, text: bool = True) -> pd.DataFrame:
    """A copy of ``df`` with ID numbers and names masked (``raw=True``: unchanged copy).

    ``text=True`` also masks ID-number-shaped strings inside the other text columns.
    Tokens of a pseudonymised pool are kept. The input is never mutated.
    """
    out = df.copy()
    if raw:
        return out
    for c in out.columns:
        s = out[c]
        if is_attribute_column(c):
            out[c] = pd.Series(None, index=s.index, dtype="object")
            continue
        if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
            continue
        if is_id_column(c):
            tok = is_token(s)
            masked = identity.mask_series(s.astype("object").where(s.notna(), None))
            out[c] = pd.Series(np.where(tok, s.astype("str"), masked.astype("object")), index=s.index).astype(
                "object").where(s.notna(), None).astype("str")
        elif is_name_column(c):
            out[c] = identity.mask_name_series(s)
        elif text:
            strs = s.map(lambda v: isinstance(v, str))
            if strs.any():
                out[c] = s.where(~strs, mask_ids_in_text(s.where(strs).astype("str")))
    return out


def find_ids(text: str) -> list[str]:
    """Valid, unmasked ID numbers in ``text`` (normalised)."""
    found = []
    for m in ID_IN_TEXT.finditer(text):
        if identity.is_valid(m.group(1)):
            found.append(identity.normalise(m.group(1)))
    return found


def scan_outputs(directory: str | Path, *, suffixes: tuple[str, ...] = (".csv", ".txt", ".md", ".html", ".json",
                 ".ipynb", ".xlsx", ".parquet", ".tsv", ".svg")) -> pd.DataFrame:
    """Every file under ``directory`` holding an unmasked valid ID number: one row per file
    with the count (the numbers themselves are never listed). ``.xlsx`` is read as its XML;
    ``.parquet`` through pandas."""
    rows = []
    for p in sorted(Path(directory).rglob("*")):
        if not p.is_file() or p.suffix.lower() not in suffixes:
            continue
        if p.suffix.lower() == ".xlsx":
            import zipfile

            try:
                with zipfile.ZipFile(p) as z:
                    text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
            except zipfile.BadZipFile:
                continue
        elif p.suffix.lower() == ".parquet":
            text = pd.read_parquet(p).astype("str").to_csv(index=False)
        else:
            text = p.read_bytes().decode("utf-8", "replace")
        n = len(find_ids(text))
        if n:
            rows.append({"file": str(p), "valid_ids": n})
    return pd.DataFrame(rows, columns=["file", "valid_ids"])


# --------------------------------------------------------------------------- formula-safe export
def excel_safe_value(v: Any) -> Any:
    """One cell made safe for a spreadsheet (see module doc); non-text values unchanged."""
    if not isinstance(v, str):
        return v
    s = _ILLEGAL.sub("", v)
    probe = unicodedata.normalize("NFKC", s).lstrip(" \u3000")
    if s.startswith(_FORMULA_START) or probe.startswith(_FORMULA_START):
        s = "'" + s
    if len(s) > EXCEL_MAX_CELL:
        s = s[: EXCEL_MAX_CELL - 12] + "…[truncated]"
    return s


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as formulas (column names too)."""
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            out[c] = s.map(excel_safe_value).astype(s.dtype if s.dtype != object else object)
    out.columns = [excel_safe_value(str(c)) for c in out.columns]
    return out


def to_excel(frames: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, *, raw: bool = False) -> Path:
    """Write one frame or ``{sheet: frame}`` to ``.xlsx``: masked (unless ``raw=True``) and
    formula-safe. Sheet names are cut to Excel's 31 characters."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    sheets = {"data": frames} if isinstance(frames, pd.DataFrame) else dict(frames)
    with pd.ExcelWriter(p, engine="openpyxl") as xw:
        used = set()
        for name, df in sheets.items():
            sn = re.sub(r"[\[\]:*?/\\]", "_", str(name))[:31] or "sheet"
            while sn in used:
                sn = (sn[:28] + f"_{len(used)}")[:31]
            used.add(sn)
            safe = excel_safe(mask_frame(df, raw=raw))
            # openpyxl would store a leading '=' as a formula: excel_safe prefixed them all
            safe.to_excel(xw, sheet_name=sn, index=False)
    return p


def to_csv(df: pd.DataFrame, path: str | Path, *, raw: bool = False) -> Path:
    """Write ``df`` as UTF-8-with-BOM CSV (opens in Excel with Chinese intact), masked unless
    ``raw=True``, formula-safe."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    excel_safe(mask_frame(df, raw=raw)).to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return p


# --------------------------------------------------------------------------- keys and tokens
def load_key(*, env: str = KEY_ENV, file: str | Path | None = None) -> bytes:
    """The pseudonymisation key: the contents of ``file`` (trailing newline stripped) when
    given, else the environment variable ``env``. At least 16 bytes; an error otherwise.
    Never logged, never written to outputs."""
    if file is not None:
        key = Path(file).read_bytes().rstrip(b"\r\n")
        where = f"key file {file}"
    else:
        val = os.environ.get(env)
        if val is None:
            raise KeyError(f"no pseudonymisation key: set the environment variable {env} or pass a key file")
        key = val.encode("utf-8")
        where = f"environment variable {env}"
    return _check_key(key, where)


def _check_key(key: bytes | str, where: str = "key") -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError("the pseudonymisation key must be bytes or str")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{where}: the pseudonymisation key must have at least {MIN_KEY_BYTES} bytes")
    return bytes(key)


def _hmac(key: bytes, msg: str) -> str:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).hexdigest()


def token(value: object, key: bytes | str) -> str | None:
    """The pseudonym of one ID number (see module doc)."""
    return pseudonymise_ids(pd.Series([value], dtype="object"), key).iloc[0]


def pseudonymise_ids(s: pd.Series, key: bytes | str) -> pd.Series:
    """Pseudonyms for a column of ID numbers (same index, ``str`` dtype); already-tokenised
    values are kept, so pseudonymising twice changes nothing."""
    k = _check_key(key)
    # people repeat (registry snapshots): hash each distinct value once
    codes, uniq = pd.factorize(s.astype("object"), use_na_sentinel=True)
    if len(uniq) == 0:
        return pd.Series(None, index=s.index, dtype="object").astype("str")
    tok = _pseudonymise_distinct(pd.Series(uniq, dtype="object"), k).to_numpy(dtype=object)
    out = np.where(codes >= 0, tok[np.where(codes >= 0, codes, 0)], None)
    return pd.Series(out, index=s.index, dtype="object").astype("str")


def _pseudonymise_distinct(s: pd.Series, k: bytes) -> pd.Series:
    already = is_token(s)
    norm = identity.normalise_series(s)
    code = identity.check_series(norm, normalised=True)
    out = pd.Series(None, index=s.index, dtype="object")
    valid = (code == "") & ~already
    if valid.any():
        out[valid] = norm[valid].map(lambda v: _hmac(k, v))
    invalid = norm.notna() & (code != "") & ~already
    if invalid.any():
        inv = norm[invalid]
        digits = inv.where(inv.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
        birth = pd.to_datetime(digits.str.slice(6, 14), format="%Y%m%d", errors="coerce").dt.strftime("%Y%m%d")
        base = "!" + inv.map(lambda v: _hmac(k, "invalid:" + v)[:32])
        bt = birth.astype("object").map(lambda b: None if b is None or pd.isna(b) else ":" + _hmac(k, "birth:" + b)[:16])
        out[invalid] = (base + bt.fillna("")).to_numpy()
    if already.any():
        out[already] = s[already].astype("str").to_numpy()
    return out.astype("str")


def pseudonymise_text(s: pd.Series, key: bytes | str) -> pd.Series:
    """Replace ID-number-shaped substrings inside text with their pseudonyms."""
    k = _check_key(key)
    x = s.astype("str")
    return x.str.replace(ID_IN_TEXT, lambda m: token(m.group(1), k) or m.group(1), regex=True)


#: suffixes of the companion columns :func:`pseudonymise_frame` adds with ``attributes=True``
ATTRIBUTE_SUFFIXES = {"birth_date": "_birth_date", "sex": "_sex", "area": "_area"}


def id_attributes(s: pd.Series) -> pd.DataFrame:
    """What the published models read from an ID number's digits, per row: ``birth_date``
    and ``sex`` of a valid ID (as :func:`identity.birth_dates_series` / :func:`identity.sex_series`)
    and ``area``, the first six digits of any 18-character ID (valid or not).

    Computed once per distinct value. The valid IDs' attributes are read off their bytes
    (:func:`identity._canonical`: year, month and day, the 17th digit, the first six bytes);
    the other values the pandas readings take as they are (:func:`_id_attributes_read`): the
    usable pseudonym tokens (whose digits can read as a date or a sex digit) and, for the
    area, the values of 18 characters that are not ASCII IDs (``\\d`` there is any script's digit)."""
    codes, u = identity._distinct(identity._as_str(s))      # computed once per distinct value
    norm = identity._normalise_distinct(u)
    a = identity._arrow(norm)
    m = len(a)
    canon, b = identity._canonical(a)
    crow = np.flatnonzero(canon)
    reason = identity._reason_index(a)
    valid = reason[crow] == 0                               # of the canonical values
    vrow, bv = crow[valid], b[:, valid]
    birth = np.full(m, np.datetime64("NaT"), dtype="datetime64[us]")
    sex = np.full(m, -1, dtype=np.int64)                    # index into 女, 男; -1 missing
    if len(vrow):
        y, mo, d = identity._ymd(bv)                        # real dates in 1900 … 2100 (valid IDs)
        days = ((y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (mo - 1).astype("timedelta64[M]")
                ).astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
        birth[vrow] = days.astype("datetime64[us]")
        sex[vrow] = bv[16] % 2                              # ASCII "0" is 48: even byte, even digit
    # the area: the first six characters of the values the pattern takes (missing elsewhere)
    shaped = canon.copy()
    n18 = np.asarray(pc.fill_null(pc.utf8_length(a), 0).to_numpy(zero_copy_only=False)) == 18
    other = np.flatnonzero(~canon & n18)
    if len(other):
        shaped[other] = identity._str_series(a.take(pa.array(other)), pd.RangeIndex(len(other))
                                             ).str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool).to_numpy()
    area = pc.if_else(pa.array(shaped), pc.utf8_slice_codeunits(a, 0, 6), pa.scalar(None, a.type))
    sexes = pa.array(["女", "男"], type=pa.large_string()).take(pa.array(sex, mask=sex < 0))
    per_value = {"birth_date": pd.Series(birth), "sex": identity._str_series(sexes, pd.RangeIndex(m)),
                 "area": identity._str_series(area, pd.RangeIndex(m))}
    tok = np.flatnonzero(identity._tokens(a))           # usable: kept by usable_ids
    if len(tok):
        read = _id_attributes_read(identity._str_series(a.take(pa.array(tok)), pd.RangeIndex(len(tok))))
        per_value["birth_date"].iloc[tok] = read["birth_date"].to_numpy()
        per_value["sex"].iloc[tok] = read["sex"].to_numpy()
    return pd.DataFrame({k: identity._spread(v, codes, s) for k, v in per_value.items()}, index=s.index)


def _id_attributes_read(usable: pd.Series) -> pd.DataFrame:
    """``birth_date`` and ``sex`` of a ``str`` column of usable IDs (or tokens) as the pandas
    readings of :mod:`identity` take them (slices parsed by ``to_datetime`` / ``to_numeric``)."""
    return pd.DataFrame({"birth_date": identity._birth_distinct(usable), "sex": identity._sex_distinct(usable)})


def _attribute(frame: pd.DataFrame, col: str, what: str) -> pd.Series:
    companion = col + ATTRIBUTE_SUFFIXES[what]
    if companion in frame.columns:
        return frame[companion]
    return id_attributes(frame[col])[what]


def birth_dates(frame: pd.DataFrame, col: str = "id_number") -> pd.Series:
    """Birth date per row from ``frame[col]`` — or, on a pseudonymised pool, from its companion
    column ``<col>_birth_date``. Models that need ages use this instead of the ID digits."""
    return _attribute(frame, col, "birth_date")


def sexes(frame: pd.DataFrame, col: str = "id_number") -> pd.Series:
    """男/女 per row (valid IDs), from the digits or the companion ``<col>_sex``."""
    return _attribute(frame, col, "sex")


def area_codes(frame: pd.DataFrame, col: str = "id_number") -> pd.Series:
    """The 6-digit area code of 18-character IDs, from the digits or the companion ``<col>_area``."""
    return _attribute(frame, col, "area")


def pseudonymise_frame(df: pd.DataFrame, key: bytes | str, *, text: bool = True,
                       attributes: bool = False) -> pd.DataFrame:
    """A copy of ``df`` with every ID column pseudonymised (and, ``text=True``, ID numbers
    inside the other text columns). ``attributes=True`` adds, per ID column ``c``, the
    companion columns ``c_birth_date``, ``c_sex``, ``c_area`` (:func:`id_attributes`)."""
    k = _check_key(key)
    out = df.copy()
    for c in list(out.columns):
        s = out[c]
        if is_id_column(c):
            if attributes:
                attrs = id_attributes(s)
                for what, suffix in ATTRIBUTE_SUFFIXES.items():
                    if c + suffix not in out.columns:
                        out[c + suffix] = attrs[what]
            out[c] = pseudonymise_ids(s, k)
        elif text and not is_name_column(c) and pd.api.types.is_string_dtype(s):
            has = s.str.contains(_ID_IN_TEXT_PROBE, regex=True, na=False)
            if has.any():
                out[c] = s.where(~has, pseudonymise_text(s.where(has), k)).astype(s.dtype)
    return out


def pseudonymise_pool(pool: "DataPool", key: bytes | str, *, text: bool = True,
                      attributes: bool = False) -> "DataPool":
    """A new pool whose ID columns (contract and truth tables) hold pseudonyms; ``meta``
    gains ``pseudonymised = True`` and ``pseudonym_scheme`` (never the key). ``ledger`` kept.

    ``attributes=True`` keeps what models read from the ID digits — birth date, sex, area
    code — in companion columns (``id_number_birth_date`` …, read with :func:`birth_dates`,
    :func:`sexes`, :func:`area_codes`), so that age- and locality-based steps can give the
    same result; the default ``False`` keeps tokens and names only. :func:`mask_frame` blanks
    companion columns on output."""
    from .pool import DataPool

    k = _check_key(key)
    tables = {n: pseudonymise_frame(df, k, text=text, attributes=attributes) for n, df in pool.tables.items()}
    truth = {n: pseudonymise_frame(df, k, text=False) for n, df in pool.truth.items()}
    meta = {**pool.meta, "pseudonymised": True, "pseudonym_scheme": SCHEME,
            "pseudonym_attributes": bool(attributes)}
    return DataPool(tables, truth or None, meta, pool.ledger)


def person_columns(table: str) -> list[str]:
    """The identity columns (names and ID numbers) of a contract table."""
    return [c for c in schema.spec(table).columns if is_id_column(c) or is_name_column(c)]


__all__ = ["ATTRIBUTE_SUFFIXES", "KEY_ENV", "SCHEME", "area_codes", "birth_dates", "id_attributes", "sexes", "excel_safe", "excel_safe_value", "find_ids", "id_columns", "is_id_column",
           "is_name_column", "is_token", "load_key", "mask_frame", "mask_ids_in_text", "name_columns",
           "person_columns", "pseudonymise_frame", "pseudonymise_ids", "pseudonymise_pool", "pseudonymise_text",
           "scan_outputs", "to_csv", "to_excel", "token"]
