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

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"name": ["张三", "李四"], "id_number": ["11010519491231002x", None]})
>>> b = pd.DataFrame({"name": ["张三", "李四"], "id_number": ["11010519491231002X", "110105194912310021"]})
>>> link(a, b)[["left", "right", "match"]].values.tolist()
[[0, 0, 'id']]
"""
from __future__ import annotations

import unicodedata

import pandas as pd

from . import identity

LINKAGES = ("id", "id+name", "fallback")
FALLBACK_RULES = [
    ("name+birth_date", 0.8, "_birth"),
    ("name+phone", 0.7, "_phone"),
    ("name+address", 0.6, "_address"),
]
PAIR_COLUMNS = ["left", "right", "match", "confidence"]


def normalise_name(s: pd.Series) -> pd.Series:
    """Names compared as NFKC text without spaces or middle dots (少数民族 names keep the dot out)."""
    x = s.astype("object").map(lambda v: None if v is None or pd.isna(v) else unicodedata.normalize("NFKC", str(v)))
    x = pd.Series(x, index=s.index, dtype="str")
    return x.str.replace(r"[\s·•．.]+", "", regex=True).where(lambda v: v.str.len() > 0)


def keys(df: pd.DataFrame, *, id_col: str = "id_number", name_col: str = "name",
         birth_col: str | None = None, phone_col: str | None = "phone",
         address_col: str | None = "address") -> pd.DataFrame:
    """Linkage keys of ``df`` (same index): ``_id`` (valid normalised ID), ``_name``, ``_birth``,
    ``_phone``, ``_address``. Columns that ``df`` lacks give missing keys.

    Pseudonym tokens (:mod:`jiuzhu_methods.privacy`) are recognised, so a pseudonymised pool
    links like the plain one: 64 hex digits (a keyed valid ID) give ``_id``; ``!…:<16 hex>``
    (a keyed invalid ID with a readable birth date) gives ``_birth``."""
    out = pd.DataFrame(index=df.index)
    raw = df[id_col] if id_col in df.columns else pd.Series(None, index=df.index, dtype="str")
    norm = identity.normalise_series(raw)
    reason = identity.check_series(norm, normalised=True)
    # pseudonymised pools (privacy.pseudonymise_pool): a 64-hex token stands for a valid ID
    token = norm.str.fullmatch(r"[0-9A-F]{64}").fillna(False).astype(bool)
    out["_id"] = norm.where((reason == "") | token)
    out["_name"] = normalise_name(df[name_col]) if name_col in df.columns else pd.Series(None, index=df.index, dtype="str")
    # birth date readable from the ID digits even when the check digit is wrong
    digits = norm.where(norm.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
    birth = pd.to_datetime(digits.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    if birth_col and birth_col in df.columns:
        birth = birth.fillna(pd.to_datetime(df[birth_col], errors="coerce"))
    out["_birth"] = birth.dt.strftime("%Y%m%d").astype("str")
    # … and "!<32 hex>:<16 hex>" for an invalid ID whose digits held a birth date (keyed too)
    birth_token = norm.str.extract(r"^![0-9A-F]{32}:([0-9A-F]{16})$")[0]
    out["_birth"] = out["_birth"].fillna(birth_token)
    if phone_col and phone_col in df.columns:
        out["_phone"] = df[phone_col].astype("str").str.replace(r"\D", "", regex=True).where(lambda v: v.str.len() >= 7)
    else:
        out["_phone"] = pd.Series(None, index=df.index, dtype="str")
    if address_col and address_col in df.columns:
        out["_address"] = df[address_col].astype("str").str.replace(r"\s+", "", regex=True).where(lambda v: v.str.len() > 0)
    else:
        out["_address"] = pd.Series(None, index=df.index, dtype="str")
    out["_has_id"] = out["_id"].notna()
    return out


def _check(linkage: str) -> None:
    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {LINKAGES}, not {linkage!r}")


def link(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
         left_cols: dict | None = None, right_cols: dict | None = None) -> pd.DataFrame:
    """All matching pairs between ``left`` and ``right``.

    Returns a frame with ``left`` and ``right`` (index labels of the inputs), ``match`` and
    ``confidence``; one row per pair, the best rule kept when several agree. ``left_cols`` /
    ``right_cols`` rename the identity columns, e.g. ``{"id_col": "applicant_id_number",
    "name_col": "applicant_name"}``.
    """
    _check(linkage)
    lk = keys(left, **(left_cols or {}))
    rk = keys(right, **(right_cols or {}))
    lk["left"] = lk.index
    rk["right"] = rk.index
    parts = []
    on = ["_id", "_name"] if linkage == "id+name" else ["_id"]
    exact = lk.dropna(subset=on).merge(rk.dropna(subset=on), on=on, how="inner")[["left", "right"]]
    exact["match"] = "id+name" if linkage == "id+name" else "id"
    exact["confidence"] = 1.0
    parts.append(exact)
    if linkage == "fallback":
        for match, conf, col in FALLBACK_RULES:
            a = lk.dropna(subset=["_name", col])
            b = rk.dropna(subset=["_name", col])
            m = a.merge(b, on=["_name", col], how="inner", suffixes=("_l", "_r"))
            # only where at least one side lacks a usable ID: two valid, different IDs are two people
            m = m[~(m["_has_id_l"] & m["_has_id_r"])]
            m = m[["left", "right"]].assign(match=match, confidence=conf)
            parts.append(m)
    pairs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PAIR_COLUMNS)
    pairs = (pairs.sort_values(["left", "right", "confidence"], ascending=[True, True, False], kind="stable")
                  .drop_duplicates(["left", "right"], keep="first")
                  .reset_index(drop=True))
    pairs["match"] = pairs["match"].astype("str")
    pairs["confidence"] = pairs["confidence"].astype("float64")
    return pairs[PAIR_COLUMNS]


def semi_join(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
              left_cols: dict | None = None, right_cols: dict | None = None,
              collect: str | None = None) -> pd.DataFrame:
    """交集: the rows of ``left`` that match any row of ``right``, in ``left``'s order.

    Adds ``match`` and ``confidence`` (the best pair) and, with ``collect="col"``, a column
    ``matched_<col>`` joining the sorted distinct values of ``right[col]`` over all matches
    with "、" (e.g. the registries a person is on).
    """
    pairs = link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    best = pairs.sort_values(["left", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("left")
    out = left.loc[left.index.isin(best["left"])].copy()
    b = best.set_index("left")
    out["match"] = b.loc[out.index, "match"].astype("str").to_numpy()
    out["confidence"] = b.loc[out.index, "confidence"].to_numpy()
    if collect:
        vals = pairs.assign(_v=right.loc[pairs["right"], collect].astype("str").to_numpy())
        agg = vals.groupby("left")["_v"].agg(lambda v: "、".join(sorted(set(v.dropna()))))
        out[f"matched_{collect}"] = agg.reindex(out.index).astype("str").to_numpy()
    return out


def anti_join(left: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id",
              left_cols: dict | None = None, right_cols: dict | None = None) -> pd.DataFrame:
    """差集 / 剔除: the rows of ``left`` that match no row of ``right``, in ``left``'s order."""
    pairs = link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    return left.loc[~left.index.isin(pairs["left"])].copy()


def dedupe_persons(df: pd.DataFrame, *, id_col: str = "id_number", name_col: str = "name") -> pd.DataFrame:
    """One row per person: rows with the same valid ID collapse to the first; rows without a
    valid ID collapse by normalised name + birth date from the ID digits when both exist, and
    are otherwise kept as they are (never merged on the name alone)."""
    k = keys(df, id_col=id_col, name_col=name_col)
    person = k["_id"].fillna("~" + k["_name"].fillna("") + "|" + k["_birth"].fillna(""))
    lone = k["_id"].isna() & (k["_name"].isna() | k["_birth"].isna())
    person = person.where(~lone, "#" + pd.Series(range(len(df)), index=df.index).astype("str"))
    return df.loc[~person.duplicated()].copy()


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


__all__ = ["FALLBACK_RULES", "LINKAGES", "anti_join", "dedupe_persons", "evaluate_linkage", "keys", "link",
           "normalise_name", "semi_join"]
