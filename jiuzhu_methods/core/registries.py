"""The welfare registries of a pool (``registries``: monthly snapshots of 低保, 特困, 残疾人 … lists):
which snapshot rows count for a run, and one row per person per registry.

A person is on a list in every monthly snapshot; a model links each distinct entry once, and
only the rows that can pair with its candidates (array lookups on the pool column's kept index,
:func:`jiuzhu_methods.core.linkage.column_index`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import linkage as lk
from .linkage import codes_at, column_index, linkable


SNAPSHOTS = ("any", "latest")


def reference_date(pool, explicit=None) -> pd.Timestamp | None:
    """The run's reference date: ``explicit``, else ``pool.meta["reference_date"]``, else ``None``
    (no upper bound). Never today's date."""
    ref = explicit if explicit is not None else (pool.meta.get("reference_date") if pool is not None else None)
    return None if ref is None else pd.Timestamp(ref)


def key_in(s: pd.Series, key: str, values: pd.Series) -> np.ndarray:
    """Row mask: the linkage key ``key`` of ``s`` (``"_id"`` = ``identity.usable_ids``,
    ``"_name"`` = ``linkage.normalise_name``) is one of ``values``. The key comes from the
    column's :func:`linkage.column_key` (the key the joins read, kept with the pool column),
    so a pool's 5.7 M registry rows are keyed once for every model and every join."""
    codes, distinct = lk.column_key(s, key)
    return np.append(lk.isin(distinct, values), False)[codes]  # code -1 (missing) → False


def registry_rows(pool, registries: list[str], *, snapshots: str = "any", reference=None,
                  like: pd.DataFrame | None = None, linkage: str = "id") -> pd.DataFrame:
    """Rows of ``registries`` that count: any snapshot up to ``reference`` (``"any"``), or for
    each registry only its last snapshot up to ``reference`` (``"latest"``); one row per
    distinct entry (registry, name, ID, address, phone), the earliest snapshot's kept.

    With ``like`` (the frame about to be linked to these rows), only the rows that could
    match one of its records under ``linkage`` are returned — the same ID (``"id"``,
    ``"id+name"``), or the same ID or name (``"fallback"``, whose rules all need the name):
    the result of the join is unchanged, the work much smaller. Every rule is an array
    lookup by the codes of the pool's column index; only the rows kept are taken."""
    if snapshots not in SNAPSHOTS:
        raise ValueError(f"snapshots must be one of {SNAPSHOTS}, not {snapshots!r}")
    reg = pool["registries"]
    if like is None:
        rows = np.arange(len(reg))
    else:
        # the distinct keys of ``like`` (lk.column_key: the values of identity.usable_ids /
        # linkage.normalise_name without spreading them back to its rows)
        ids = like["id_number"] if "id_number" in like.columns else pd.Series([], dtype="str")
        cand = key_in(reg["id_number"], "_id", lk.column_key(ids, "_id")[1])
        if linkage == "fallback" and "name" in like.columns:
            cand |= key_in(reg["name"], "_name", lk.column_key(like["name"], "_name")[1])
        rows = np.flatnonzero(cand)
    registries = list(registries)
    as_of = reg["as_of"]
    ref = pd.Timestamp(reference) if reference is not None else None
    keep = lk.isin(reg["registry"], registries, at=rows)     # the candidate rows only
    if ref is not None:
        keep &= (as_of.iloc[rows] <= ref).to_numpy(dtype=bool)
    if snapshots == "latest" and keep.any():
        # each registry's last snapshot up to the reference date, over the whole table
        on_list = lk.isin(reg["registry"], registries)
        ok = on_list & (as_of <= ref).to_numpy(dtype=bool) if ref is not None else on_list
        last = as_of[ok].groupby(reg["registry"][ok]).max()
        keep &= (as_of.iloc[rows] == reg["registry"].iloc[rows].map(last)).fillna(False).to_numpy(dtype=bool)
    # the same entry repeats in every monthly snapshot: link each distinct entry once
    return reg.iloc[first_entries(reg, rows[keep])].sort_index()


ENTRY = ["registry", "name", "id_number", "address", "phone"]


def first_entries(reg: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Of the positions ``rows`` (increasing), those of the earliest snapshot of each distinct
    entry (:data:`ENTRY` columns), in order of ``as_of`` — as ``reg.iloc[rows].sort_values(
    "as_of", kind="stable").drop_duplicates(ENTRY)``, but on integer codes per raw value
    (:func:`linkage.codes_at`: the pool's kept column index where there is one, e.g. ID and
    registry, else the candidate rows' values factorised) instead of comparing strings."""
    order = rows[np.argsort(reg["as_of"].iloc[rows].to_numpy(), kind="stable")]
    codes = pd.DataFrame({c: lk.codes_at(reg[c], order) for c in ENTRY})
    return order[~codes.duplicated().to_numpy()]


def duplicated_codes(codes: list[np.ndarray]) -> np.ndarray:
    """``DataFrame(codes).duplicated()`` (keep the first) of columns of non-negative integer
    codes: the columns packed into one int64 per row (mixed radix, injective) when their
    ranges allow, so one hash of a number per row instead of a factorisation per column."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    span = 1
    for c in codes:
        c = np.asarray(c, dtype=np.int64)
        top = int(c.max()) + 1 if len(c) else 1
        if (len(c) and c.min() < 0) or span * top >= 2 ** 62:   # not packable: per column
            return np.array(pd.DataFrame({k: np.asarray(x) for k, x in enumerate(codes)}).duplicated(), dtype=bool)
        key = key * top + c
        span *= top
    return np.array(pd.Series(key).duplicated(), dtype=bool)


def first_snapshots(reg: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """The positions of ``rows`` (positions into ``reg``, in order) that are the first of their
    person per registry: same registry, name and raw ID number; without an ID number, same
    registry, name, address and phone (the person's only other identifiers). Registry and ID
    are read as codes (:func:`linkage.column_index`, kept for a pool's table) and only the rows
    kept are copied, so a few hundred thousand snapshot rows of 5.7 M cost array lookups."""
    ids = column_index(reg["id_number"])
    id_codes = ids.codes[rows]
    has_id = id_codes != len(ids.values) - 1  # the last value is the missing one
    dup = duplicated_codes([column_index(reg["registry"]).codes[rows], id_codes, codes_at(reg["name"], rows)])
    # without an ID number the phone and address are the person's only other identifiers: keep them apart
    no_id = np.flatnonzero(~has_id)
    if len(no_id):
        extra = [c for c in ("registry", "name", "address", "phone") if c in reg.columns]
        dup[no_id] = np.array(reg[extra].iloc[rows[no_id]].duplicated(), dtype=bool)   # those columns' rows only
    return rows[~dup]


def registry_people(reg: pd.DataFrame, groups: list[str] | None = None) -> pd.DataFrame:
    """One row per person per registry (of ``groups``, default all): the monthly snapshots repeat
    the same person, and "on the list in any snapshot" needs each (registry, identity) once.
    The models call :func:`registry_candidates`, the same rows restricted to those that can
    pair, a few thousand instead of millions."""
    rows = np.arange(len(reg)) if groups is None else np.flatnonzero(lk.isin(reg["registry"], groups))
    return reg.iloc[first_snapshots(reg, rows)].reset_index(drop=True)


def registry_candidates(frame: pd.DataFrame, reg: pd.DataFrame, groups: list[str] | None, *,
                         linkage: str) -> pd.DataFrame:
    """``registry_people(reg, groups)`` restricted to rows that can pair with ``frame``: the
    pairs of ``link(frame, ·)`` are the same, but :func:`link` reads a few thousand rows
    instead of millions. The rows are found on the whole pool table
    (:func:`linkage.linkable`, :func:`linkage.isin`: array lookups on its cached column index),
    and every row with the raw ID of a pairable row is kept too, so that each deduplication
    group (same registry, name and raw ID; without an ID, same name, address and phone, which
    pair alike) is kept whole and the same first rows are kept."""
    listed = np.ones(len(reg), dtype=bool) if groups is None else lk.isin(reg["registry"], groups)
    pairable = listed & linkable(frame, reg, linkage=linkage)
    ids = column_index(reg["id_number"])
    same_id = np.zeros(len(ids.values), dtype=bool)
    same_id[ids.codes[pairable]] = True
    same_id[-1] = False  # the missing ID (last value) is no identity
    rows = np.flatnonzero(listed & (pairable | same_id[ids.codes]))
    return reg.iloc[first_snapshots(reg, rows)].reset_index(drop=True)


__all__ = ["ENTRY", "SNAPSHOTS", "duplicated_codes", "first_entries", "first_snapshots", "key_in", "reference_date", "registry_candidates", "registry_people", "registry_rows"]
