"""碰撞/比对/交集/差集 — record linkage between two tables of persons.

The published models say two records are the same person when their identity numbers agree
(单县 adds the name as a second 比对点). This module implements that as the default and a
documented fallback for records without a usable ID:

``linkage="id"`` (published reading, strict)
    Same person ⇔ both normalised ``id_number``s are valid (GB 11643) and equal. Records
    without a valid ID never match. ``match = "id"``, ``confidence = 1.0``.

``linkage="id+name"`` (单县's two 比对点)
    As ``"id"``, and the names (normalised) must agree too.

``linkage="fallback"``
    Exact ID matches first. Then, for pairs where at least one side has no valid ID, the
    name plus a second identifier, in decreasing confidence:

    ========================  ==========  ================================================
    ``match``                 confidence  second identifier
    ========================  ==========  ================================================
    ``name+birth_date``       0.8         birth date read from the ID digits 7–14 (still
                                          readable in an ID with a typo elsewhere), or a
                                          ``birth_date`` column
    ``name+phone``            0.7         phone number (digits only)
    ``name+address``          0.6         address (spaces removed)
    ========================  ==========  ================================================

    Such matches are never reported as exact: their ``match`` says how they were made.

Everything is a vectorised merge on key columns (no loop per record), so the same steps can
be written in SQL for a second engine: each rule is an equi-join on (key columns) followed
by a union and a "best match per pair" reduction.

Speed at real size: registries repeat each person once per monthly snapshot, so every key is
computed once per distinct raw value (Arrow's ``dictionary_encode``, the kernel of
``pd.factorize``, then spread back with ``take``), and the joins run on integer codes of the
keys and on row positions (a sort and a binary search), not on strings and labels. Keys of
fixed-width spellings (an 18-digit ID, its birth digits, pseudonym tokens) are read off the
Arrow data buffer with array arithmetic rather than a regular expression per value. The
results are those of the plain row-by-row computation (``tests/test_linkage.py`` keeps it
as a reference).

One thing is kept between calls: for a large column backed by an Arrow array (every ``str``
column of a :class:`~jiuzhu_methods.DataPool` table), its distinct values, the code of each
row and the keys derived from them (:func:`column_index`). The entry belongs to that Arrow
array, which is immutable: a table whose column is changed or replaced holds a new array and
gets a new entry, and the entry goes when the array goes. So the nine models of one pool hash
the 5.7 M registry ID strings once, not once each, and the results never depend on the cache.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"name": ["张三", "李四"], "id_number": ["11010519491231002x", None]})
>>> b = pd.DataFrame({"name": ["张三", "李四"], "id_number": ["11010519491231002X", "110105194912310021"]})
>>> link(a, b)[["left", "right", "match"]].values.tolist()
[[0, 0, 'id']]
"""
from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import identity

LINKAGES = ("id", "id+name", "fallback")
FALLBACK_RULES = [
    ("name+birth_date", 0.8, "_birth"),
    ("name+phone", 0.7, "_phone"),
    ("name+address", 0.6, "_address"),
]
PAIR_COLUMNS = ["left", "right", "match", "confidence"]


# Unicode whitespace (as Python's ``\s``) and middle dots; a str pattern, run by Arrow
_NAME_SEPARATORS = "[" + identity.WHITESPACE + "·•．.]+"


def _normalise_name_distinct(x: pd.Series) -> pd.Series:
    """:func:`normalise_name` of a ``str`` column (the distinct values of a column): the RE2
    replace pandas' ``str.replace`` runs for this pattern (no ``\\s``, ``\\d`` or anchors
    that send pandas to ``re``), without the pandas wrapping; empty names missing."""
    if len(x) == 0:
        return x
    a = pc.replace_substring_regex(identity.nfkc_arrow(identity.as_arrow(x)), _NAME_SEPARATORS, "")
    return identity.str_series(pc.if_else(pc.greater(pc.utf8_length(a), 0), a, pa.scalar(None, a.type)), x.index)


def normalise_name(s: pd.Series) -> pd.Series:
    """Names compared as NFKC text without spaces or middle dots (少数民族 names keep the dot out).

    ``str`` dtype out, same index and name as ``s``; missing or empty names are missing.
    Computed once per distinct name.

    Examples
    --------
    >>> normalise_name(pd.Series(["阿依古丽·买买提", " 张 三 ", "ＡＢ", None, "··"])).tolist()
    ['阿依古丽买买提', '张三', 'AB', nan, nan]
    """
    codes, u = identity.distinct_values(identity.as_str(s))
    return identity.spread_to_rows(_normalise_name_distinct(u), codes, s, name=s.name)


def _strip_distinct(x: pd.Series, pattern: str, min_len: int) -> pd.Series:
    return x.str.replace(pattern, "", regex=True).where(lambda v: v.str.len() >= min_len)


def _coded(codes: np.ndarray, per_value: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """A key as ``(row codes, distinct keys)``: ``per_value`` gives the key of each distinct
    raw value (``codes`` points rows at them); several raw spellings may share one key.
    Row code ``-1`` = missing key. Distinct keys in order of first appearance in ``per_value``
    (:func:`identity.factorize_arrow`, the Arrow kernel of ``pd.factorize``). Every distinct key is
    the key of some row when every distinct raw value is some row's (a :class:`ColumnIndex`'s
    values are its rows'): :func:`_candidates` relies on it."""
    kc, kv = identity.factorize_arrow(identity.as_arrow(per_value))
    return kc[codes], identity.str_series(kv, pd.RangeIndex(len(kv)))


#: columns shorter than this are not cached (recomputing them costs less than keeping them)
CACHE_MIN_ROWS = 50_000
_COLUMNS: dict[int, tuple[weakref.ref, "ColumnIndex"]] = {}


class ColumnIndex:
    """One column's distinct raw values (``values``: a ``str`` Series ending with one missing
    value), the code of each row into them (``codes``; missing rows point at the last value)
    and keys derived from the distinct values (:meth:`key`), each computed once."""

    def __init__(self, codes: np.ndarray, values: pd.Series) -> None:
        self.codes, self.values = codes, values
        self._derived: dict[str, object] = {}

    @classmethod
    def of(cls, s: pd.Series) -> "ColumnIndex":
        return cls(*identity.distinct_values(identity.as_str(s)))

    @classmethod
    def missing(cls, n: int) -> "ColumnIndex":
        """The index of an absent column of ``n`` rows: every row missing."""
        return cls(np.zeros(n, dtype=np.intp), pd.Series([None], dtype="str"))

    def derived(self, name: str, fn):
        """``fn(values)`` (anything computed from the distinct values), computed once."""
        if name not in self._derived:
            self._derived[name] = fn(self.values)
        return self._derived[name]

    def key(self, name: str, fn) -> tuple[np.ndarray, pd.Series]:
        """The key ``fn(values)`` (one per distinct value) as :func:`_coded` ``(row codes,
        distinct keys)``, computed once."""
        return self.derived("key:" + name, lambda v: _coded(self.codes, fn(v)))


def _arrow_of(s: pd.Series) -> "pa.ChunkedArray | None":
    arr = getattr(s.array, "_pa_array", None)
    return arr if isinstance(arr, pa.ChunkedArray) else None


def column_index(s: pd.Series) -> ColumnIndex:
    """The :class:`ColumnIndex` of ``s``; kept for as long as the Arrow array behind ``s`` lives
    when ``s`` is Arrow-backed and has at least :data:`CACHE_MIN_ROWS` rows (an Arrow array
    never changes, so an entry can never be stale), computed afresh otherwise."""
    arr = _arrow_of(s) if len(s) >= CACHE_MIN_ROWS else None
    if arr is None:
        return ColumnIndex.of(s)
    return kept(_COLUMNS, arr, lambda: ColumnIndex.of(s))


def peek(store: dict, obj):
    """What :func:`kept` keeps in ``store`` for ``obj``, or ``None``."""
    hit = store.get(id(obj))
    return hit[1] if hit is not None and hit[0]() is obj else None


def kept(store: dict, obj, build):
    """``build()``, kept in ``store`` for as long as ``obj`` lives (keyed by its identity;
    the entry goes when ``obj`` is collected, so an identity is never mistaken for another).
    A side table of derived values of an immutable object (an Arrow array, a model result)."""
    out = peek(store, obj)
    if out is not None:
        return out
    out = build()
    key = id(obj)

    def _drop(ref, key=key):
        if store.get(key, (None,))[0] is ref:
            del store[key]

    store[key] = (weakref.ref(obj, _drop), out)
    return out


def codes_at(s: pd.Series, rows: np.ndarray) -> np.ndarray:
    """A code per position of ``rows`` in ``s``: equal codes ⇔ equal raw values (missing values
    equal each other). Read from the kept :func:`column_index` when ``s`` has one already;
    otherwise only those rows are factorised (a large column is not indexed for a look at a
    few of its rows). For de-duplicating a selection of a pool table without its strings."""
    arr = _arrow_of(s)
    col = peek(_COLUMNS, arr) if arr is not None else None
    if col is not None:
        return col.codes[rows]
    if arr is not None and arr.num_chunks == 1:
        # the Arrow kernel ``pd.factorize(s.take(rows), use_na_sentinel=False)`` runs (missing
        # values one code of their own), without pandas' ``take`` and wrapping
        enc = pc.dictionary_encode(arr.chunk(0).take(pa.array(rows, type=pa.int64())), null_encoding="encode")
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    return pd.factorize(s.take(rows), use_na_sentinel=False)[0]


def _id_key(norm: pd.Series) -> pd.Series:
    """The ``_id`` key per distinct normalised value: valid IDs, and pseudonym tokens
    (``privacy.pseudonymise_pool``: a 64-hex token stands for a valid ID)."""
    return identity.usable_distinct(norm)


def _birth_key(norm: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Per distinct normalised value (``str`` Series out, same index): the birth date "YYYYMMDD"
    of the ID digits (readable even when the check digit is wrong,
    :func:`identity.birth_digits_distinct`) and, for an invalid ID keyed by ``privacy``
    ("!<32 hex>:<16 hex>"), the birth date token (:func:`identity.birth_tokens_distinct`)."""
    return identity.birth_digits_distinct(norm), identity.birth_tokens_distinct(norm)


def _id_of(col: ColumnIndex) -> tuple[np.ndarray, pd.Series]:
    return col.key("_id", lambda v: _id_key(col.derived("norm", identity.normalise_distinct)))


def _name_of(col: ColumnIndex) -> tuple[np.ndarray, pd.Series]:
    return col.key("_name", _normalise_name_distinct)


def column_key(s: pd.Series, key: str) -> tuple[np.ndarray, pd.Series]:
    """The linkage key ``key`` of one column as ``(row codes, distinct keys)`` — ``"_id"``
    (:func:`identity.usable_ids`) or ``"_name"`` (:func:`normalise_name`) — the very key the
    joins read, kept with the column's :func:`column_index`. Row code ``-1`` = missing key."""
    if key not in ("_id", "_name"):
        raise ValueError(f"key must be '_id' or '_name', not {key!r}")
    col = column_index(s)
    return _id_of(col) if key == "_id" else _name_of(col)


def key_codes(df: pd.DataFrame, need: frozenset, *, id_col: str = "id_number", name_col: str = "name",
               birth_col: str | None = None, phone_col: str | None = "phone",
               address_col: str | None = "address") -> dict[str, tuple[np.ndarray, pd.Series]]:
    """The keys of :func:`keys` that ``need`` names (``"_id"``, ``"_name"``, ``"_birth"``,
    ``"_phone"``, ``"_address"``), each as :func:`_coded` ``(row codes, distinct keys)``.
    Each column is factorised once (:func:`column_index`) and its keys computed on its
    distinct values only."""
    n = len(df)
    out = {}
    def none():     # an absent column: every row's key missing (built only when needed: n may be 5.7 M)
        return np.full(n, -1, dtype=np.intp), pd.Series([], dtype="str")

    if need & {"_id", "_birth"}:
        col = column_index(df[id_col]) if id_col in df.columns else ColumnIndex.missing(n)
        def parts():    # (birth dates, birth tokens) per distinct value, shared by both branches
            return col.derived("birth", lambda v: _birth_key(col.derived("norm", identity.normalise_distinct)))

        if "_id" in need:
            out["_id"] = _id_of(col)
        if "_birth" in need:
            if birth_col and birth_col in df.columns:
                birth, birth_token = parts()
                # the dates themselves, to fill in from the column as before (parsing back
                # "YYYYMMDD" gives the very dates the key was written from)
                birth = pd.to_datetime(birth, format="%Y%m%d", errors="coerce")
                full = pd.Series(birth.array.take(col.codes), index=df.index)
                full = full.fillna(pd.to_datetime(df[birth_col], errors="coerce"))
                births = full.dt.strftime("%Y%m%d").astype("str").fillna(
                    pd.Series(birth_token.array.take(col.codes), index=df.index))
                out["_birth"] = _coded(np.arange(n), births.reset_index(drop=True))
            else:
                def per_value(v):
                    birth, birth_token = parts()
                    return identity.str_series(pc.coalesce(identity.as_arrow(birth), identity.as_arrow(birth_token)), birth.index)
                out["_birth"] = col.key("_birth", per_value)
    if "_name" in need:
        if name_col in df.columns:
            out["_name"] = _name_of(column_index(df[name_col]))
        else:
            out["_name"] = none()
    for key, c, pattern, min_len in [("_phone", phone_col, r"\D", 7), ("_address", address_col, r"\s+", 1)]:
        if key in need:
            if c and c in df.columns:
                s = df[c] if df[c].dtype == "str" else df[c].astype("str")
                out[key] = column_index(s).key(key, lambda v, p=pattern, m=min_len: _strip_distinct(v, p, m))
            else:
                out[key] = none()
    return out


_KEYS = ("_id", "_name", "_birth", "_phone", "_address")


def keys(df: pd.DataFrame, *, id_col: str = "id_number", name_col: str = "name",
         birth_col: str | None = None, phone_col: str | None = "phone",
         address_col: str | None = "address") -> pd.DataFrame:
    """Linkage keys of ``df`` (same index): ``_id`` (valid normalised ID), ``_name``, ``_birth``,
    ``_phone``, ``_address`` (``str`` columns) and ``_has_id`` (bool). Columns that ``df``
    lacks give missing keys.

    Pseudonym tokens (:mod:`jiuzhu_methods.privacy`) are recognised, so a pseudonymised pool
    links like the plain one: 64 hex digits (a keyed valid ID) give ``_id``; ``!…:<16 hex>``
    (a keyed invalid ID with a readable birth date) gives ``_birth``.

    Every key is computed once per distinct value of its column (registries repeat each
    person once per monthly snapshot) and spread back to the rows, so the result is the
    same as row by row.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["张 三", "李四"], "id_number": ["330382800101007", "330382198001010071"],
    ...                    "phone": ["138-0000-0002", None]})
    >>> keys(df)[["_id", "_name", "_birth", "_phone", "_has_id"]].values.tolist()
    [['33038219800101007X', '张三', '19800101', '13800000002', True], [nan, '李四', '19800101', nan, False]]
    """
    kc = key_codes(df, frozenset(_KEYS), id_col=id_col, name_col=name_col, birth_col=birth_col,
                    phone_col=phone_col, address_col=address_col)
    out = pd.DataFrame({k: kc[k][1].reindex(range(len(kc[k][1]) + 1)).array.take(
        np.where(kc[k][0] < 0, len(kc[k][1]), kc[k][0])) for k in _KEYS}, index=df.index)
    out["_has_id"] = kc["_id"][0] >= 0
    return out


def check_linkage(linkage: str) -> None:
    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {LINKAGES}, not {linkage!r}")


_KEY_INDEXES: dict[int, tuple[weakref.ref, pd.Index]] = {}


def _key_index(kv: pd.Series) -> pd.Index:
    """``kv`` (distinct keys) as a hashed ``pd.Index``; for a large key list (a pool column's,
    kept by :func:`column_index`) the hash table is kept with it and built once."""
    if len(kv) < CACHE_MIN_ROWS // 5:
        return pd.Index(kv)
    return kept(_KEY_INDEXES, kv, lambda: pd.Index(kv))


def _key_rows(lk: dict, rk: dict, on: list[str]) -> list[tuple[np.ndarray, np.ndarray, int, bool]]:
    """Per key of ``on``: each row's key as a code in one space shared by both sides (equal
    codes ⇔ equal keys), the size ``m`` of that space and whether it is the left side's keys;
    code ``-1`` = missing, or (on the side with fewer distinct keys) a key the other side does
    not have. Every code of the space is some row's code on the side it comes from (see
    :func:`_coded`).

    The space is the distinct keys of the side with more of them (for a pool table: its
    kept key list, whose row codes are used as they are); the other side's keys are looked
    up in it (:func:`_positions_in`), so the rows of a large side are never re-hashed."""
    out = []
    for k in on:
        (lc, lv), (rc, rv) = lk[k], rk[k]
        if len(rv) >= len(lv):
            g = _positions_in(lv, rv)
            out.append((np.append(g, -1)[lc], rc, len(rv), False))     # row code -1 → the appended -1
        else:
            g = _positions_in(rv, lv)
            out.append((lc, np.append(g, -1)[rc], len(lv), True))
    return out


#: a large key list's kept hash table (:func:`_key_index`) answers the look-up of a few keys,
#: up to 1/this of its length; for more, hashing those keys and probing the list with them
#: (one Arrow call) costs less than pandas' look-ups
_PROBE_SHARE = 5


def _positions_in(few: pd.Series, many: pd.Series) -> np.ndarray:
    """The position of each of the distinct keys ``few`` in the distinct keys ``many`` (``-1``
    where absent), as ``pd.Index(many).get_indexer(few)``: by the kept hash table of a large
    key list for a few keys, else by Arrow's ``index_in`` the other way round (``few`` hashed,
    ``many`` probed)."""
    if len(many) >= CACHE_MIN_ROWS // 5 and len(few) * _PROBE_SHARE < len(many):
        return _key_index(many).get_indexer(few)
    at = pc.index_in(identity.as_arrow(many), value_set=identity.as_arrow(few))
    at = pc.fill_null(at, -1).to_numpy(zero_copy_only=False)
    out = np.full(len(few), -1, dtype=np.intp)
    found = np.flatnonzero(at >= 0)
    out[at[found]] = found          # both lists are distinct: each key is found at most once
    return out


def _candidates(rows: list) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows of each side whose every key is present and occurs on the other
    side too — a superset of the rows of the equi-join, found by array lookups only (a large
    side is never hashed row by row). The side whose keys make the space has a row for each
    of them (:func:`_key_rows`), so only the other side's keys are marked, over its rows."""
    lok = np.ones(len(rows[0][0]), dtype=bool)
    rok = np.ones(len(rows[0][1]), dtype=bool)
    for lrow, rrow, m, left_space in rows:
        few, many = (rrow, lrow) if left_space else (lrow, rrow)
        # one slot per key plus a last one that code -1 (missing) reads and writes
        have = np.zeros(m + 1, dtype=bool)
        have[few] = True
        have[m] = False                     # a missing key matches nothing
        few_ok = few >= 0                   # every key of the space is on the other side
        many_ok = have[many]
        lok &= many_ok if left_space else few_ok
        rok &= few_ok if left_space else many_ok
    return np.flatnonzero(lok), np.flatnonzero(rok)


def _tuple_codes(rows: list, li: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One int64 code per candidate row for the key tuple (equal codes ⇔ equal keys)."""
    if len(rows) == 1:
        return rows[0][0][li].astype(np.int64), rows[0][1][ri].astype(np.int64)
    lcode = np.zeros(len(li), dtype=np.int64)
    rcode = np.zeros(len(ri), dtype=np.int64)
    for lrow, rrow, m, _left_space in rows:     # mixed radix; at most two keys of < 2**31 values each
        lcode = lcode * m + lrow[li]
        rcode = rcode * m + rrow[ri]
    return lcode, rcode


def _join(lk: dict, rk: dict, on: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row positions ``(i, j)`` of every pair with equal, present ``on`` keys (an equi-join)."""
    rows = _key_rows(lk, rk, on)
    li, ri = _candidates(rows)
    lcode, rcode = _tuple_codes(rows, li, ri)
    return _equi_join(lcode, li, rcode, ri)


def _equi_join(lcode: np.ndarray, li: np.ndarray, rcode: np.ndarray, ri: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(li, ri)`` of every pair of rows with equal codes, in the order of an inner
    ``pd.merge`` (left rows in order, each one's right rows in order) — by a stable sort of
    the right codes and a binary search per left row (a merge costs ~2 ms even for a few rows)."""
    order = np.argsort(rcode, kind="stable")
    ordered = rcode[order]
    lo = np.searchsorted(ordered, lcode, "left")
    count = np.searchsorted(ordered, lcode, "right") - lo
    # output k of left row r reads ordered[lo[r] + (k − first output of r)]
    at = np.repeat(lo - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
    return np.repeat(li, count).astype(np.intp), ri[order[at]].astype(np.intp)


def _sortable_positions(index: pd.Index) -> bool:
    """Positions sort (and compare) like the labels: unique, increasing labels."""
    return index.is_unique and index.is_monotonic_increasing


_MATCHES = ["id", "id+name"] + [m for m, _c, _col in FALLBACK_RULES]
_CONFIDENCES = np.array([1.0, 1.0] + [c for _m, c, _col in FALLBACK_RULES])


def _needs(linkage: str) -> frozenset:
    """The keys a linkage reads."""
    if linkage == "id":
        return frozenset({"_id"})
    if linkage == "id+name":
        return frozenset({"_id", "_name"})
    return frozenset(_KEYS)


def _side_keys(left, right, linkage, left_cols, right_cols):
    check_linkage(linkage)
    need = _needs(linkage)
    return key_codes(left, need, **(left_cols or {})), key_codes(right, need, **(right_cols or {}))


def _pairs(left, right, linkage, left_cols, right_cols):
    """Matching pairs as positions: ``(i, j, rule)`` arrays, ``rule`` indexing ``_MATCHES``;
    unsorted, a pair may come more than once (different rules)."""
    lk, rk = _side_keys(left, right, linkage, left_cols, right_cols)
    on = ["_id", "_name"] if linkage == "id+name" else ["_id"]
    i, j = _join(lk, rk, on)
    ii, jj, rules = [i], [j], [np.full(len(i), 1 if linkage == "id+name" else 0, dtype=np.intp)]
    if linkage == "fallback":
        lhas, rhas = lk["_id"][0] >= 0, rk["_id"][0] >= 0
        for r, (_match, _conf, col) in enumerate(FALLBACK_RULES, start=2):
            i, j = _join(lk, rk, ["_name", col])
            # only where at least one side lacks a usable ID: two valid, different IDs are two people
            keep = ~(lhas[i] & rhas[j])
            ii.append(i[keep]); jj.append(j[keep]); rules.append(np.full(int(keep.sum()), r, dtype=np.intp))
    return np.concatenate(ii), np.concatenate(jj), np.concatenate(rules)


def _matched_left(left, right, linkage, left_cols, right_cols) -> np.ndarray:
    """Positions of the ``left`` rows in at least one pair of :func:`link` (without building
    the pairs: a membership test per rule)."""
    lk, rk = _side_keys(left, right, linkage, left_cols, right_cols)
    return _matched(lk, rk, linkage)


def _matched(lk: dict, rk: dict, linkage: str) -> np.ndarray:
    on = ["_id", "_name"] if linkage == "id+name" else ["_id"]
    rows = _key_rows(lk, rk, on)
    li, ri = _candidates(rows)
    hit = np.zeros(len(lk["_id"][0]), dtype=bool)
    if len(on) == 1:
        hit[li] = True
    else:
        lcode, rcode = _tuple_codes(rows, li, ri)
        hit[li[np.isin(lcode, rcode)]] = True
    if linkage == "fallback":
        lhas, rhas = lk["_id"][0] >= 0, rk["_id"][0] >= 0
        for _match, _conf, col in FALLBACK_RULES:
            rows = _key_rows(lk, rk, ["_name", col])
            li, ri = _candidates(rows)
            lcode, rcode = _tuple_codes(rows, li, ri)
            # a left row with a usable ID pairs only with right rows without one
            any_r = np.isin(lcode, rcode)
            no_id_r = np.isin(lcode, rcode[~rhas[ri]])
            hit[li] |= np.where(lhas[li], no_id_r, any_r)
    return np.flatnonzero(hit)


def linkable(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
             left_cols: dict | None = None, right_cols: dict | None = None) -> np.ndarray:
    """Boolean mask over the rows of ``right``: the row is in at least one pair of
    ``link(left, right)``. So ``link(left, right[mask])`` gives the pairs of
    ``link(left, right)`` — the pre-filter that lets a model search a large table (5.7 M
    registry rows) for a few thousand persons. On a pool's table it costs array lookups
    (:func:`column_index`), no string work over the rows.

    Examples
    --------
    >>> a = pd.DataFrame({"name": ["张三"], "id_number": ["11010519491231002X"]})
    >>> b = pd.DataFrame({"name": ["张三", "张三", "李四"],
    ...                   "id_number": ["11010519491231002x", None, "110105194912310021"]})
    >>> linkable(a, b).tolist(), linkable(a, b, linkage="fallback").tolist()
    ([True, False, False], [True, False, False])
    """
    lk, rk = _side_keys(left, right, linkage, left_cols, right_cols)
    mask = np.zeros(len(right), dtype=bool)
    mask[_matched(rk, lk, linkage)] = True      # the pairing rules are symmetric
    return mask


def _value_set(values, like: pa.DataType):
    """``values`` as an Arrow value set of type ``like`` (missing values as nulls, which match a
    missing entry, as in pandas), or ``None`` when some value is neither a string nor missing.
    Built by one Arrow call: pandas' ``isin`` on an Arrow column makes one Python scalar per
    value, which dominates for thousands of values."""
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)) and values.dtype == "str":
        # already Arrow strings (a column, or its ``.array``): no copy out
        return identity.as_arrow(pd.Series(values if isinstance(values, pd.api.extensions.ExtensionArray)
                                         else values.array)).cast(like)
    if not isinstance(values, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        values = list(values)
    vals = np.asarray(values, dtype=object)
    if vals.ndim != 1:
        return None
    try:
        vs = pa.array(vals, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if vs.type not in (pa.null(), pa.string(), pa.large_string()):
        return None
    return vs.cast(like)


def isin(s: pd.Series, values, *, at: np.ndarray | None = None) -> np.ndarray:
    """``s.isin(values)`` as a boolean array, decided once per distinct value of ``s`` (cheap
    on a pool's large columns, see :func:`column_index`), the value set built by one Arrow
    call (:func:`_value_set`; pandas' own ``isin`` when a value is not a string). With ``at``
    (row positions), only those rows' answers, ``isin(s, values)[at]``, without spreading the
    answer over every row of a large column."""
    col = column_index(s)
    arr = identity.as_arrow(col.values)
    vs = _value_set(values, arr.type)
    if vs is None:
        per_value = col.values.isin(list(values)).to_numpy(dtype=bool)
    else:
        per_value = np.asarray(pc.is_in(arr, value_set=vs).to_numpy(zero_copy_only=False), dtype=bool)
    return per_value[col.codes if at is None else col.codes[at]]


def _best_pairs(i: np.ndarray, j: np.ndarray, rule: np.ndarray, n_left: int, n_right: int):
    """``(i, j, rule)`` sorted by (i, j, rule) (``np.lexsort((rule, j, i))``, stable) with the
    first of each (i, j) kept — rules are listed in decreasing confidence, so the best one.
    The pair (i, j) packed in an int64 when it fits: the pairs of one rule come in (i, j) order
    already (:func:`_equi_join`), which needs no sort at all, and a stable argsort of one key
    runs through nearly sorted pairs in a pass (lexsort sorts three times)."""
    if n_left * n_right * len(_MATCHES) < 2 ** 63:
        pair = i.astype(np.int64) * n_right + j
        if (pair[1:] > pair[:-1]).all():        # sorted, no pair twice
            return i, j, rule
        order = np.argsort(pair * len(_MATCHES) + rule, kind="stable")
    else:                                       # pragma: no cover - 10¹⁸ pairs
        order = np.lexsort((rule, j, i))
    i, j, rule = i[order], j[order], rule[order]
    first = np.ones(len(i), dtype=bool)
    first[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    return i[first], j[first], rule[first]


def _label_column(index: pd.Index, positions: np.ndarray):
    """The labels of ``index`` at ``positions`` as a frame column: a plain numpy array for
    numeric labels (an ``Index`` costs the frame constructor several times more), else the
    ``Index`` itself (its dtype kept)."""
    labels = index.take(positions)
    return labels.to_numpy() if isinstance(labels.dtype, np.dtype) and labels.dtype.kind in "iufb" else labels


def _pair_frame(left: pd.Index, right: pd.Index, i, j, rule) -> pd.DataFrame:
    """The :func:`link` output for position pairs: labels, one row per pair (best rule),
    sorted by (left, right)."""
    if _sortable_positions(left) and _sortable_positions(right):
        # positions order like labels: sort by (i, j, rule) and keep the best rule of each pair
        i, j, rule = _best_pairs(i, j, rule, len(left), len(right))
        match = pa.array(_MATCHES, type=pa.large_string()).take(pa.array(rule))
        pairs = pd.DataFrame({"left": _label_column(left, i), "right": _label_column(right, j),
                              "match": pd.array(match, dtype="str"), "confidence": _CONFIDENCES[rule]})
        return pairs
    # general labels (unsorted or repeated): sort the labels themselves
    pairs = pd.DataFrame({"left": left.take(i), "right": right.take(j),
                          "match": np.array(_MATCHES, dtype=object)[rule], "confidence": _CONFIDENCES[rule]})
    pairs = (pairs.sort_values(["left", "right", "confidence"], ascending=[True, True, False], kind="stable")
                  .drop_duplicates(["left", "right"], keep="first")
                  .reset_index(drop=True))
    pairs["match"] = pairs["match"].astype("str")
    pairs["confidence"] = pairs["confidence"].astype("float64")
    return pairs[PAIR_COLUMNS]


def link(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
         left_cols: dict | None = None, right_cols: dict | None = None) -> pd.DataFrame:
    """All matching pairs between ``left`` and ``right``.

    Returns a frame with ``left`` and ``right`` (index labels of the inputs), ``match`` and
    ``confidence``; one row per pair, the best rule kept when several agree, sorted by
    (``left``, ``right``), with a fresh ``RangeIndex``. ``left_cols`` / ``right_cols`` rename
    the identity columns, e.g. ``{"id_col": "applicant_id_number", "name_col": "applicant_name"}``.
    """
    i, j, rule = _pairs(left, right, linkage, left_cols, right_cols)
    return _pair_frame(left.index, right.index, i, j, rule)


def _collect(pairs: pd.DataFrame, right: pd.DataFrame, col: str) -> pd.Series:
    """Per ``left`` label of ``pairs``: the sorted distinct values of ``right[col]`` over its
    pairs joined with "、" ("" when all are missing) — a sort and one vectorised join."""
    lab = pairs["left"]
    v = pd.Series(right.loc[pairs["right"], col].astype("str").to_numpy(), dtype="str")
    g, groups = pd.factorize(lab, use_na_sentinel=True)    # missing labels: no group (as groupby)
    keep = (g >= 0) & v.notna().to_numpy()
    d = (pd.DataFrame({"g": g[keep], "v": v.array[keep]})
         .drop_duplicates()
         .sort_values(["g", "v"], kind="stable"))
    counts = np.bincount(d["g"].to_numpy(), minlength=len(groups))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    values = pa.array(d["v"].to_numpy(dtype=object), type=pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values), pa.scalar("、", pa.large_string()))
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=pd.Index(groups), dtype=object)


def semi_join(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
              left_cols: dict | None = None, right_cols: dict | None = None,
              collect: str | None = None) -> pd.DataFrame:
    """交集: the rows of ``left`` that match any row of ``right``, in ``left``'s order.

    Adds ``match`` and ``confidence`` (the best pair; among equally good pairs the one with
    the lowest ``right`` label) and, with ``collect="col"``, a column ``matched_<col>``
    joining the sorted distinct values of ``right[col]`` over all matches with "、" (e.g. the
    registries a person is on).
    """
    pairs = link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    best = pairs.sort_values(["left", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("left")
    out = left.loc[left.index.isin(best["left"])].copy()
    b = best.set_index("left")
    out["match"] = b.loc[out.index, "match"].astype("str").to_numpy()
    out["confidence"] = b.loc[out.index, "confidence"].to_numpy()
    if collect:
        agg = _collect(pairs, right, collect)
        out[f"matched_{collect}"] = agg.reindex(out.index).astype("str").to_numpy()
    return out


def anti_join(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
              left_cols: dict | None = None, right_cols: dict | None = None) -> pd.DataFrame:
    """差集 / 剔除: the rows of ``left`` that match no row of ``right``, in ``left``'s order.

    A row is dropped when its index label is that of any matched row (so rows sharing a
    label go together, as in ``left.index.isin(link(left, right)["left"])``).
    """
    i = _matched_left(left, right, linkage, left_cols, right_cols)
    if left.index.is_unique:
        matched = np.zeros(len(left), dtype=bool)
        matched[i] = True
    else:
        matched = left.index.isin(left.index.take(i))
    return left.loc[~matched].copy()


def dedupe_persons(df: pd.DataFrame, *, id_col: str = "id_number", name_col: str = "name") -> pd.DataFrame:
    """One row per person: rows with the same valid ID collapse to the first; rows without a
    valid ID collapse by normalised name + birth date from the ID digits when both exist, and
    are otherwise kept as they are (never merged on the name alone)."""
    k = key_codes(df, frozenset({"_id", "_name", "_birth"}), id_col=id_col, name_col=name_col)
    idc, namec, birthc = k["_id"][0], k["_name"][0], k["_birth"][0]
    has = idc >= 0
    lone = ~has & ((namec < 0) | (birthc < 0))
    by_name = ~has & ~lone
    # the person key: the ID; else (name, birth date); else the row itself
    person = pd.DataFrame({
        "id": idc,
        "name": np.where(by_name, namec, -1),
        "birth": np.where(by_name, birthc, -1),
        "row": np.where(lone, np.arange(len(df)), -1),
    })
    return df.loc[~person.duplicated().to_numpy()].copy()


def evaluate_linkage(pairs: pd.DataFrame, left_persons: pd.Series, right_persons: pd.Series) -> dict:
    """Precision and recall of ``pairs`` (from :func:`link`) against the truth.

    ``left_persons`` / ``right_persons`` give the true ``person_id`` of each input row
    (same index as the linked frames). A true pair is a (left, right) with the same person.
    """
    lp = left_persons.dropna()
    rp = right_persons.dropna()
    truth = (pd.DataFrame({"left": lp.index, "person_id": lp.to_numpy()})
             .merge(pd.DataFrame({"right": rp.index, "person_id": rp.to_numpy()}), on="person_id"))
    true_set = set(zip(truth["left"], truth["right"]))
    found = set(zip(pairs["left"], pairs["right"]))
    tp = len(true_set & found)
    by_match = {}
    for m, g in pairs.groupby("match"):
        s = set(zip(g["left"], g["right"]))
        by_match[m] = {"pairs": len(s), "precision": (len(s & true_set) / len(s)) if s else float("nan")}
    return {
        "pairs": len(found),
        "true_pairs": len(true_set),
        "precision": tp / len(found) if found else float("nan"),
        "recall": tp / len(true_set) if true_set else float("nan"),
        "by_match": by_match,
    }


__all__ = ["CACHE_MIN_ROWS", "FALLBACK_RULES", "LINKAGES", "ColumnIndex", "anti_join", "column_index",
           "check_linkage", "codes_at", "column_key", "dedupe_persons", "evaluate_linkage", "isin", "kept", "key_codes", "keys", "link", "peek", "linkable", "normalise_name", "semi_join"]
