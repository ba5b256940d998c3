"""One row per person: the person key (valid ID, else name + birth date) and de-duplication."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import identity, linkage as lk
from .values import join_by


def person_key(df: pd.DataFrame, *, id_col: str = "id_number", name_col: str = "name") -> pd.Series:
    """A person key per row: the valid normalised ID, else name + birth date from the ID
    digits when both exist, else the row itself (never the name alone) — as
    :func:`jiuzhu_methods.core.linkage.dedupe_persons`. Names and birth dates are keyed only for
    the rows without a valid ID (usually few)."""
    none = pd.Series(None, index=df.index, dtype="str")
    person = identity.usable_ids(df[id_col]) if id_col in df.columns else none
    rest = np.flatnonzero(person.isna().to_numpy())
    if len(rest):
        k = lk.keys(df.iloc[rest], id_col=id_col, name_col=name_col, phone_col=None, address_col=None)
        by_name = "~" + k["_name"] + "|" + k["_birth"]
        person = person.copy()
        person.iloc[rest] = by_name.where(by_name.notna(), "#" + pd.Series(rest, index=k.index).astype("str")).to_numpy()
    return person.astype("str")


def dedupe(frame: pd.DataFrame, collect: dict[str, str] | None = None) -> tuple[pd.DataFrame, int]:
    """One row per person (first record kept). ``collect`` maps a column to an output column
    holding the "、"-joined distinct values over that person's records (the same name
    replaces the column). Returns (frame, rows merged)."""
    collect = collect or {}
    if frame.empty:
        out = frame.copy()
        for col, dst in collect.items():
            if col in out.columns:
                out[dst] = out[col].astype("str")
        return out, 0
    # one integer per person, hashed once for every collected column
    codes, _ = pd.factorize(person_key(frame))
    first = np.zeros(len(frame), dtype=bool)
    first[np.unique(codes, return_index=True)[1]] = True
    out = frame.loc[first].copy()
    for col, dst in collect.items():
        if col in frame.columns:
            out[dst] = join_by(codes, frame[col]).reindex(codes[first]).astype("str").to_numpy()
    return out, len(frame) - len(out)


__all__ = ["dedupe", "person_key"]
