"""假名化 — pseudonymised linkage: keyed tokens in place of ID numbers.

With a key supplied by the user (:func:`load_key`), every ID number becomes a keyed hash so
that partner agencies exchange tokens instead of ID numbers (:func:`pseudonymise_ids`,
:func:`pseudonymise_pool`, ``pool.pseudonymise(key)``):

* a **valid** ID number (GB 11643, after :func:`identity.normalise`) →
  ``hmac.new(key, normalised_id.encode("ascii"), sha256).hexdigest()`` — 64 lower-case hex
  digits. Any party holding the key computes the same token from the same ID.
* a **missing** (or blank) ID number → missing.
* a present but **invalid** ID number → ``"!"`` + the first 32 hex digits of
  HMAC(key, ``"invalid:" + normalised``); when digits 7–14 of it form a real date (what
  :func:`linkage.keys` reads as a birth date for records without a valid ID) the token
  continues with ``":"`` + the first 16 hex digits of HMAC(key, ``"birth:" + YYYYMMDD``).
* every **ID-like run inside any other text column** (:data:`mask.ID_LIKE`: documents,
  petitions, record keys such as ``P3307…`` or ``DB-3307…-202101``, a name column an ID was
  typed into) → its token, the letters around it kept (``P`` + token): keys stay unique and
  every table that refers to a key refers to the same token.

The key
-------
:func:`load_key` reads the environment variable (default ``JIUZHU_PSEUDONYM_KEY``) or a key
file; surrounding ASCII whitespace (spaces, tabs, CR, LF) is removed from **both** in the same
way, so a key file with a trailing newline and an environment variable with a trailing space
give the partner's tokens. At least 16 bytes; an obviously weak key (one repeated character,
two distinct characters, a short repeated unit such as ``abcabc…``) gets a warning. The key is
never written to any output nor into ``pool.meta``; ``pool.meta["pseudonym_check"]`` holds
HMAC(key, ``"jiuzhu-key-check"``)[:16], which tells whether a later key is the same one.
Re-pseudonymising a pool that already holds tokens with **another** key (or with a key the
pool cannot confirm) is an error; with the same key it changes nothing.

**Tokens are only as safe as the key.** Whoever holds the key can compute the token of any ID
number: a county's ID space (one area code, some 30,000 birth dates, 1,000 order codes; the
check digit follows) has about 30 million numbers, hashed in a minute or two on one computer,
so with the key every token of the county can be turned back into its ID. Keep the key with the people who may see the ID
numbers, never next to the tokenised data. A pseudonymised pool is still personal data:
names, phones, addresses and free text stay (masked on output).

:func:`jiuzhu_methods.core.linkage.keys` recognises both token forms (64-hex → the exact-match key;
``!…:…`` → the birth-date key), so every model links a pseudonymised pool exactly as the plain
one under ``linkage="id"`` and ``"id+name"``. Limitation: ``linkage="fallback"`` cannot read
the birth date of a *valid* ID from its token, so the ``name+birth_date`` rule finds fewer
pairs between a tokenised valid ID and a record without one.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core import identity
from ..io import schema
from .mask import ID_LIKE, ID_PROBE, TOKEN_SPAN, is_id_column, is_name_column, is_token, mask_text, mask_vocabulary

if TYPE_CHECKING:
    from ..io.pool import DataPool

KEY_ENV = "JIUZHU_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
SCHEME = "hmac-sha256-v1"
#: what is removed around a key, from a key file and from the environment variable alike
KEY_WHITESPACE = " \t\r\n\x0b\x0c"
_CHECK_MESSAGE = "jiuzhu-key-check"

_TEXT_IDS = re.compile(f"(?P<token>{TOKEN_SPAN})|(?P<id>{ID_LIKE})")


# --------------------------------------------------------------------------- keys and tokens
def load_key(*, env: str = KEY_ENV, file: str | Path | None = None) -> bytes:
    """The pseudonymisation key: the contents of ``file`` when given, else the environment
    variable ``env`` — surrounding ASCII whitespace removed from either in the same way
    (:data:`KEY_WHITESPACE`). At least 16 bytes; an error otherwise; a warning for an obviously
    weak key. Never logged, never written to outputs."""
    if file is not None:
        key = Path(file).read_bytes().strip(KEY_WHITESPACE.encode("ascii"))
        where = f"key file {file}"
    else:
        val = os.environ.get(env)
        if val is None:
            raise KeyError(f"no pseudonymisation key: set the environment variable {env} or pass a key file")
        key = val.strip(KEY_WHITESPACE).encode("utf-8")
        where = f"environment variable {env}"
    if not key:
        raise ValueError(f"{where}: the pseudonymisation key is empty (only whitespace)")
    return check_key(key, where)


def weak_key_reason(key: bytes) -> str | None:
    """Why ``key`` is obviously weak (one repeated character, two distinct characters, a
    repeated unit of at most four characters, whitespace only), or ``None``."""
    if not key.strip():
        return "whitespace only"
    if len(set(key)) == 1:
        return "one repeated character"
    for p in range(2, 5):
        if len(key) > p and (key[:p] * (len(key) // p + 1))[: len(key)] == key:
            return f"a repeated unit of {p} characters"
    if len(set(key)) == 2:
        return "only two distinct characters"
    return None


def check_key(key: bytes | str, where: str = "key") -> bytes:
    """``key`` as bytes (``str`` → UTF-8), at least :data:`MIN_KEY_BYTES` long (else
    ``ValueError``); warns (``UserWarning``) when :func:`weak_key_reason` finds it weak."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError("the pseudonymisation key must be bytes or str")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{where}: the pseudonymisation key must have at least {MIN_KEY_BYTES} bytes")
    why = weak_key_reason(bytes(key))
    if why:
        warnings.warn(f"{where}: the pseudonymisation key is weak ({why}); tokens are only as safe as the key",
                      UserWarning, stacklevel=3)
    return bytes(key)


def key_check(key: bytes | str) -> str:
    """A short keyed check value of ``key`` (16 hex digits of HMAC(key, "jiuzhu-key-check")):
    equal for the same key, and the key cannot be read from it."""
    k = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    return _hmac(k, _CHECK_MESSAGE)[:16]


def _hmac(key: bytes, msg: str) -> str:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).hexdigest()


def token(value: object, key: bytes | str) -> str | None:
    """The pseudonym of one ID number (see module doc)."""
    return pseudonymise_ids(pd.Series([value], dtype="object"), key).iloc[0]


def pseudonymise_ids(s: pd.Series, key: bytes | str) -> pd.Series:
    """Pseudonyms for a column of ID numbers (same index, ``str`` dtype); already-tokenised
    values are kept, so pseudonymising a column twice with one key changes nothing."""
    k = check_key(key)
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
    """Replace every ID-like run inside text (glued to letters or Chinese too) with its
    pseudonym; tokens already there are kept. Missing values stay missing."""
    k = check_key(key)
    x = s.astype("str")
    has = x.str.contains(ID_PROBE, regex=True, na=False)
    if not has.any():
        return x
    cache: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        if m.group("token"):
            return m.group(0)
        run = m.group(0)
        if run not in cache:
            cache[run] = token(run, k) or run
        return cache[run]

    sub = x[has]
    done = {u: _TEXT_IDS.sub(repl, u) for u in pd.unique(sub)}
    out = x.copy()
    out[has] = sub.map(done).to_numpy()
    return out


#: suffixes of the companion columns :func:`pseudonymise_frame` adds with ``attributes=True``
ATTRIBUTE_SUFFIXES = {"birth_date": "_birth_date", "sex": "_sex", "area": "_area"}


def id_attributes(s: pd.Series) -> pd.DataFrame:
    """What the published models read from an ID number's digits, per row: ``birth_date``
    and ``sex`` of a valid ID (as :func:`identity.birth_dates_series` / :func:`identity.sex_series`)
    and ``area``, the first six digits of any 18-character ID (valid or not).

    Computed once per distinct value (:func:`identity.id_attributes_distinct`, which reads the
    valid IDs' attributes off their bytes)."""
    codes, u = identity.distinct_values(identity.as_str(s))      # computed once per distinct value
    per_value = identity.id_attributes_distinct(identity.normalise_distinct(u))
    return pd.DataFrame({k: identity.spread_to_rows(v, codes, s) for k, v in per_value.items()}, index=s.index)


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
    """A copy of ``df`` with every ID column pseudonymised and (``text=True``) every ID-like run
    inside the other text columns — record keys, documents, a name column an ID was typed
    into — replaced by its token. ``attributes=True`` adds, per ID column ``c``, the companion
    columns ``c_birth_date``, ``c_sex``, ``c_area`` (:func:`id_attributes`)."""
    k = check_key(key)
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
        elif text and pd.api.types.is_string_dtype(s):
            has = s.str.contains(ID_PROBE, regex=True, na=False)
            if has.any():
                out[c] = s.where(~has, pseudonymise_text(s.where(has), k)).astype(s.dtype)
    return out


def holds_tokens(pool: "DataPool") -> bool:
    """Does any ID column of the pool hold a pseudonym token?"""
    for df in pool.tables.values():
        for c in df.columns:
            if is_id_column(c) and len(df) and is_token(df[c].dropna()).any():
                return True
    return False


def _safe_meta(v: Any) -> Any:
    """Strings of ``pool.meta`` (load notes …) with ID-like runs and phones masked."""
    if isinstance(v, str):
        return mask_text(v)
    if isinstance(v, dict):
        return {k: _safe_meta(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_safe_meta(x) for x in v]
    return v


def pseudonymise_pool(pool: "DataPool", key: bytes | str, *, text: bool = True,
                      attributes: bool = False) -> "DataPool":
    """A new pool whose ID columns (contract and truth tables) hold pseudonyms and whose other
    text holds tokens in place of ID-like runs (record keys included); ``meta`` gains
    ``pseudonymised = True``, ``pseudonym_scheme`` and ``pseudonym_check`` (:func:`key_check`;
    never the key), and its out-of-vocabulary values and load notes are masked. ``ledger`` kept.

    A pool already pseudonymised with the same key is returned unchanged (a copy); with
    another key — or one the pool cannot confirm (tokens but no ``pseudonym_check``) — it is a
    ``ValueError``: pseudonymise the original pool instead.

    ``attributes=True`` keeps what models read from the ID digits — birth date, sex, area
    code — in companion columns (``id_number_birth_date`` …, read with :func:`birth_dates`,
    :func:`sexes`, :func:`area_codes`), so that age- and locality-based steps can give the
    same result; the default ``False`` keeps tokens and names only. :func:`mask_frame` blanks
    companion columns on output."""
    DataPool = type(pool)   # a pool of the caller's class (privacy does not import io.pool: no cycle)

    k = check_key(key)
    check = key_check(k)
    if pool.meta.get("pseudonymised") or holds_tokens(pool):
        seen = pool.meta.get("pseudonym_check")
        if seen == check:
            return DataPool(dict(pool.tables), dict(pool.truth) or None, dict(pool.meta), pool.ledger)
        why = ("with another key" if seen else "with a key it does not record (no pseudonym_check)")
        raise ValueError(f"this pool is already pseudonymised {why}: re-pseudonymising it would mix two keys' "
                         "tokens; pseudonymise the original pool instead")
    tables = {n: pseudonymise_frame(df, k, text=text, attributes=attributes) for n, df in pool.tables.items()}
    truth = {n: pseudonymise_frame(df, k, text=text) for n, df in pool.truth.items()}
    meta = {kk: (_safe_meta(v) if kk != "vocabulary" else
                 mask_vocabulary(v).to_dict("records") if isinstance(v, list) else v)
            for kk, v in pool.meta.items()}
    meta.update({"pseudonymised": True, "pseudonym_scheme": SCHEME, "pseudonym_check": check,
                 "pseudonym_attributes": bool(attributes)})
    return DataPool(tables, truth or None, meta, pool.ledger)


def person_columns(table: str) -> list[str]:
    """The identity columns (names and ID numbers) of a contract table."""
    return [c for c in schema.spec(table).columns if is_id_column(c) or is_name_column(c)]


__all__ = ["ATTRIBUTE_SUFFIXES", "KEY_ENV", "KEY_WHITESPACE", "MIN_KEY_BYTES", "SCHEME", "area_codes", "birth_dates",
           "check_key", "holds_tokens", "id_attributes", "key_check", "load_key", "person_columns",
           "pseudonymise_frame", "pseudonymise_ids", "pseudonymise_pool", "pseudonymise_text", "sexes", "token",
           "weak_key_reason"]
