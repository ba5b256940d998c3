"""碰撞 — a frame of candidates collided with a table of persons: for each candidate, hit or not,
its best match and confidence, and the values it collected (e.g. the registries it is on).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from . import identity
from .identity import str_series
from .linkage import link
from .values import join_groups


#: the identity columns of a right-hand table a :func:`link_parts` stack carries (the
#: ``right_cols`` names of :func:`linkage.link` and the columns the stack gives them)
STACK_COLUMNS = {"id_col": "id_number", "name_col": "name", "phone_col": "phone", "address_col": "address"}


def _sortable(index: pd.Index) -> bool:
    return index.is_unique and index.is_monotonic_increasing


def link_parts(left: pd.DataFrame, parts: list[tuple[pd.DataFrame, dict | None]], *,
                linkage: str) -> list[pd.DataFrame]:
    """``[link(left, right, linkage=linkage, right_cols=cols) for right, cols in parts]``, by one
    :func:`linkage.link` of ``left`` with the right tables stacked (their identity columns only,
    renamed to ``id_number``/``name``/``phone``/``address``; an absent column is missing in its
    rows), so ``left``'s linkage keys are computed once, not once per table. Each key is a
    function of its row's own values, so the stack pairs as the tables do one by one; its pairs
    are split by row range and their ``right`` labels put back. Where that is not certain (a
    table whose labels are not unique and increasing, identity columns that are not all
    ``str``, a ``birth_col``), the tables are linked one by one."""
    cols = [dict(STACK_COLUMNS, **{k: v for k, v in (c or {}).items()}) for _r, c in parts]
    same = (len(parts) > 1 and all(set(c) == set(STACK_COLUMNS) for c in cols)
            and all(_sortable(r.index) for r, _c in parts)
            and all(r[c[k]].dtype == "str" for (r, _c), c in zip(parts, cols) for k in STACK_COLUMNS
                    if c[k] is not None and c[k] in r.columns))
    if not same:
        return [link(left, r, linkage=linkage, right_cols=c) for r, c in parts]
    stacked = pd.DataFrame({
        out: pd.concat([r[c[k]].reset_index(drop=True) if c[k] is not None and c[k] in r.columns
                        else pd.Series(None, index=range(len(r)), dtype="str") for (r, _c), c in zip(parts, cols)],
                       ignore_index=True)
        for k, out in STACK_COLUMNS.items()})
    pairs = link(left, stacked, linkage=linkage)
    j = pairs["right"].to_numpy()
    out, start = [], 0
    for r, _c in parts:
        m = (j >= start) & (j < start + len(r))
        p = pairs.loc[m].reset_index(drop=True)
        p["right"] = r.index.take(j[m] - start)
        out.append(p)
        start += len(r)
    return out


def collide(frame: pd.DataFrame, right: pd.DataFrame, *, linkage: str, right_cols: dict | None = None,
             collect: str | None = None, pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per row of ``frame``: hit, best match and confidence, and the collected values of
    ``right[collect]``. ``pairs``: ``link(frame, right, …)`` when already made (:func:`link_parts`)."""
    out = pd.DataFrame(index=frame.index)
    out["hit"] = False
    out["match"] = pd.Series(None, index=frame.index, dtype="str")
    out["confidence"] = np.nan
    if collect:
        out["collected"] = pd.Series("", index=frame.index, dtype="str")
    if frame.empty or right.empty:
        return out
    if pairs is None:
        pairs = link(frame, right, linkage=linkage, right_cols=right_cols)
    if pairs.empty:
        return out
    if frame.index.is_unique:
        # the best pair per row (highest confidence, then the first pair: a stable lexsort of
        # the pairs, sorted by left and right already) set by position, not by label
        at = frame.index.get_indexer(pairs["left"])
        conf = pairs["confidence"].to_numpy(dtype="float64")
        order = np.lexsort((-conf, at))
        first = order[np.r_[True, at[order][1:] != at[order][:-1]]]
        hit = np.zeros(len(frame), dtype=bool)
        hit[at[first]] = True
        which = np.full(len(frame), -1, dtype=np.int64)
        which[at[first]] = first
        match = identity.as_arrow(pairs["match"].astype("str")).take(pa.array(which, mask=which < 0))
        confidence = np.full(len(frame), np.nan)
        confidence[at[first]] = conf[first]
        out["hit"] = hit
        out["match"] = str_series(match, frame.index)
        out["confidence"] = confidence
    else:
        best = pairs.sort_values(["left", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("left")
        best = best.set_index("left")
        out.loc[best.index, "hit"] = True
        out.loc[best.index, "match"] = best["match"].astype("str")
        out.loc[best.index, "confidence"] = best["confidence"]
    if collect:
        vals = pairs.assign(_v=right.loc[pairs["right"], collect].astype("str").to_numpy())
        vals = vals.dropna(subset=["_v"]).drop_duplicates(["left", "_v"]).sort_values(["left", "_v"], kind="stable")
        agg = join_groups(vals["left"], vals["_v"], "、", sort=True)
        out.loc[agg.index, "collected"] = agg
    return out


__all__ = ["STACK_COLUMNS", "collide", "link_parts"]
