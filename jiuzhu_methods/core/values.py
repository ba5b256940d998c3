"""Values of a column, per row or per group: membership, and the strings a list shows joined.

Membership in thousands of case ids (:func:`isin`), the distinct values of a key joined with "、"
(:func:`join_by`, :func:`join_groups`), flags and hit matrices as "、"-joined names
(:func:`join_flags`, :func:`category_words`), parts of a reason or a list of agencies joined
(:func:`concat_parts`, :func:`join_agencies`). Each is vectorised (one Arrow join, not a call per group).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import identity
from . import linkage as lk
from .identity import str_series
from .keywords import joined_true


def isin(s: pd.Series, values) -> pd.Series:
    """Which rows of ``s`` hold one of ``values`` (a boolean Series on ``s``'s index): a case id
    among thousands of case ids. A missing value never matches, even when ``values`` holds one.

    Decided once per distinct value of ``s`` (:func:`linkage.isin`, the value set built by one Arrow call)."""
    return pd.Series(lk.isin(s, values) & s.notna().to_numpy(), index=s.index, name=s.name)


def join_groups(labels, values, sep: str = "、", *, sort: bool = False) -> pd.Series:
    """``values`` joined with ``sep`` per label, in row order within a label — the same as
    ``groupby(labels, sort=sort)[values].agg(sep.join)`` (missing labels dropped; values must be
    strings), computed by one stable sort and one Arrow ``binary_join``, not a call per group."""
    labels = labels if isinstance(labels, (pd.Series, pd.Index, np.ndarray)) else np.asarray(labels, dtype=object)
    codes, uniq = pd.factorize(labels, sort=sort)
    keep = np.flatnonzero(codes >= 0)
    codes = codes[keep]
    order = keep[np.argsort(codes, kind="stable")]
    offsets = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniq)))]).astype(np.int64)
    vals = pa.array(np.asarray(values, dtype=object)[order], type=pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar(sep, pa.large_string()))
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=pd.Index(uniq), dtype="str")


def join_nonempty(parts: list, sep: str) -> np.ndarray:
    """Per row, the non-empty strings of ``parts`` (sequences of strings of one length; a
    missing value counts as empty) joined with ``sep``, in the order of ``parts``: the pieces of
    a reason or of a list line. Vectorised over parts (numpy arrays of Python strings), not rows."""
    out = None
    for part in parts:
        part = pd.Series(np.asarray(part, dtype=object)).fillna("").to_numpy(dtype=object)
        if out is None:
            out = part.copy()
            continue
        out = np.where((out != "") & (part != ""), out + sep + part, np.where(part != "", part, out))
    return np.zeros(0, dtype=object) if out is None else out


def concat_parts(parts: list[pd.Series], index: pd.Index, sep: str = "；") -> pd.Series:
    """:func:`join_nonempty` of Series on ``index`` (positionally), as a ``str`` Series."""
    out = join_nonempty(parts, sep) if parts else np.full(len(index), "", dtype=object)
    return pd.Series(out, index=index, dtype="str")


def category_words(hits: np.ndarray, columns: list[str], categories: dict[str, list[str]]) -> np.ndarray:
    """Per row of the boolean matrix ``hits`` (rows × words ``columns``): for each category (in
    order) with a word that hits, ``类别：词、词`` (its words that hit, in the category's order,
    each once), the categories joined with "；"; "" without a hit — what :func:`concat_parts`
    of the per-category :func:`join_flags` gives, by one ``nonzero`` and one Arrow join over
    the hits only: each hit's piece is its word led by "、", by ``类别：`` (first of its
    category in the row) or by ``；类别：`` (first of a later category)."""
    pos = {w: i for i, w in enumerate(columns)}
    idx, cat_of, words = [], [], []
    for k, (cat, ws) in enumerate(categories.items()):
        ws = list(dict.fromkeys(ws))
        idx += [pos[w] for w in ws]
        cat_of += [k] * len(ws)
        words += ws
    names = list(categories)
    n, v = hits.shape[0], len(idx)
    rows, cols = np.nonzero(hits[:, idx]) if v else (np.zeros(0, np.intp), np.zeros(0, np.intp))
    c = np.asarray(cat_of, dtype=np.intp)[cols]
    new_row = np.ones(len(rows), dtype=bool)
    new_row[1:] = rows[1:] != rows[:-1]
    new_cat = new_row.copy()
    new_cat[1:] |= c[1:] != c[:-1]
    pieces = (["、" + w for w in words] + [names[k] + "：" + w for k, w in zip(cat_of, words)]
              + ["；" + names[k] + "：" + w for k, w in zip(cat_of, words)])
    kind = np.where(new_cat, np.where(new_row, 1, 2), 0)
    vals = pa.array(pieces, type=pa.large_string()).take(pa.array(cols + kind * v, type=pa.int64()))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int64)
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar("", pa.large_string()))
    return joined.to_numpy(zero_copy_only=False)


def has_item(joined: pd.Series, names: list[str]) -> pd.Series:
    """True where a "、"-joined list contains one of ``names`` as a whole item (vectorised regex)."""
    if not names:
        return pd.Series(False, index=joined.index)
    alt = "|".join(re.escape(n) for n in names)
    return joined.fillna("").astype("str").str.contains(f"(?:^|、)(?:{alt})(?:、|$)", regex=True).astype(bool)


def join_flags(flags: pd.DataFrame, names: list[str], sep: str, *, labels: list[str] | None = None) -> pd.Series:
    """For each row, the names whose flag column is true (or their ``labels``, in the same
    order), joined with ``sep`` in the order of ``names``; "" where none is (vectorised:
    :func:`keywords.joined_true` over the true cells only)."""
    m = np.column_stack([flags[n].to_numpy(dtype=bool) for n in names]) if len(names) else np.zeros((len(flags), 0), bool)
    return str_series(joined_true(m, list(labels if labels is not None else names), sep), flags.index)


def join_by(keys, values) -> pd.Series:
    """The distinct ``values`` of each key joined with "、" in order of first appearance (a
    Series indexed by key: keys with one value first, then the others, each in order of first
    appearance). Vectorised: the values sorted by key become one Arrow list per key, joined
    in one ``binary_join`` call (no Python function per group). Integer keys (row positions,
    person codes: every caller in the models) and ``str`` values go by codes: the pairs
    de-duplicated as integers, the strings taken by Arrow (:func:`_join_by_codes`)."""
    k = np.asarray(keys)
    v = pd.Series(values).astype("str")
    if k.dtype.kind in "iu" and len(k) == len(v):
        return _join_by_codes(k, v)
    d = pd.DataFrame({"k": k, "v": v.to_numpy()}).dropna()
    d = d.drop_duplicates()
    codes, uniq = pd.factorize(d["k"])
    counts = np.bincount(codes, minlength=len(uniq))
    order = np.argsort(codes, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    vals = pa.array(d["v"].to_numpy(dtype=object)[order], type=pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar("、", pa.large_string()))
    out = pd.Series(joined.to_numpy(zero_copy_only=False), index=pd.Index(uniq, name="k"), dtype="str", name="v")
    multi = counts > 1
    return pd.concat([out[~multi], out[multi]]) if multi.any() else out


def _join_by_codes(keys: np.ndarray, values: pd.Series) -> pd.Series:
    """:func:`join_by` of integer ``keys`` (never missing) and ``str`` ``values``: the same
    pairs kept (first of each distinct (key, value), missing values dropped), in the same
    order, without a Python string per value."""
    vc, vu = pd.factorize(values)                        # -1: missing value
    rows = np.flatnonzero(vc >= 0)
    kc, ku = pd.factorize(keys)
    pair = kc[rows].astype(np.int64) * (len(vu) + 1) + vc[rows]
    rows = rows[~pd.Series(pair).duplicated().to_numpy()]    # the first of each (key, value)
    codes, first = pd.factorize(kc[rows])                # keys in order of first appearance
    counts = np.bincount(codes, minlength=len(first))
    order = np.argsort(codes, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    uniq = identity.as_arrow(pd.Series(vu, dtype="str"))
    vals = uniq.take(pa.array(vc[rows][order], type=pa.int64())).cast(pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar("、", pa.large_string()))
    out = pd.Series(pd.array(joined, dtype="str"), index=pd.Index(ku[first], name="k"), name="v")
    multi = counts > 1
    return pd.concat([out[~multi], out[multi]]) if multi.any() else out


def join_sorted(values: pd.Series, by: pd.Series, order: list[str] | None = None) -> pd.Series:
    """Per group of ``by`` (a person's row, a case), its distinct ``values`` joined with "、" in a
    given order: first those of ``order`` in that order (the published list of registries,
    data elements or agencies), then any other value in code-point order — so a matched
    registry list reads the same for everyone (``低保、特困``), whatever order the rows came
    in. Indexed by the sorted group keys (index name ``k``, Series name ``v``); missing values
    and groups are dropped.

    Vectorised: the distinct (group, value) pairs are integer codes sorted once, and Arrow joins
    each group's strings (one call, no Python per group).
    """
    v = values.astype("str")
    k = pd.Series(by.to_numpy())
    keep = (v.notna().to_numpy() & k.notna().to_numpy())
    if not keep.any():
        return pd.Series(dtype="str")
    kcode, kuniq = pd.factorize(k[keep], sort=True)
    vcode, vuniq = pd.factorize(v[keep])
    vuniq = np.asarray(vuniq, dtype=object)
    rank: dict[str, int] = {}
    for x in order or []:
        rank.setdefault(x, len(rank))
    # sort position of each distinct value: (rank in ``order``, else after all of them; then the text)
    r = pd.Series(vuniq).map(rank).fillna(len(rank)).astype("int64").to_numpy()
    text = np.empty(len(vuniq), dtype=np.int64)
    text[np.argsort(vuniq, kind="stable")] = np.arange(len(vuniq))
    vsort = np.empty(len(vuniq), dtype=np.int64)
    vsort[np.lexsort((text, r))] = np.arange(len(vuniq))
    by_sort = np.empty(len(vuniq), dtype=object)
    by_sort[vsort] = vuniq
    # distinct (group, value) pairs in (group, value order); a sort, not np.unique (hashes, slow in numpy 2.4)
    pair = np.sort(kcode.astype(np.int64) * len(vuniq) + vsort[vcode])
    pair = pair[np.r_[True, pair[1:] != pair[:-1]]]
    g, vs = pair // len(vuniq), pair % len(vuniq)
    start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    lists = pa.LargeListArray.from_arrays(pa.array(np.r_[start, len(g)], type=pa.int64()),
                                          pa.array(by_sort, type=pa.large_string()).take(pa.array(vs)))
    joined = pc.binary_join(lists, pa.scalar("、", pa.large_string()))
    return pd.Series(joined, index=pd.Index(kuniq[g[start]], name="k"), name="v", dtype="str")


def map_unique(s: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value of ``s`` (few distinct values, many rows), as ``str``."""
    u = s.dropna().unique()
    return s.map(dict(zip(u, (func(v) for v in u)))).astype("str")


def join_agencies(*parts: pd.Series | str, index) -> pd.Series:
    """Agencies from several sources joined with "、", first occurrence kept, empty parts skipped."""
    cols = [p if isinstance(p, pd.Series) else pd.Series(p, index=index, dtype="str") for p in parts]
    s = cols[0].fillna("").astype("str")
    for c in cols[1:]:
        c = c.fillna("").astype("str")
        s = s.where(c == "", s.where(s == "", s + "、") + c)
    return map_unique(s, lambda v: "、".join(dict.fromkeys(x for x in v.split("、") if x)))


__all__ = ["category_words", "concat_parts", "has_item", "isin", "join_agencies", "join_by", "join_flags", "join_groups",
           "join_nonempty", "join_sorted", "map_unique"]
