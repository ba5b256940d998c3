"""评估 — clues of any model against the hidden truth of a synthetic pool.

:func:`evaluate` maps each clue to a true person through ``truth_links`` (``source``,
``source_ref`` → ``person_id``) and compares the persons found with the **target**: persons
with any ``truth_victims.judicial_aid_eligible`` (``target="judicial"``, the default) or
``social_aid_eligible`` (``target="social"``). A model declares its default target with
``result.params["target"]`` or a module constant ``TARGET``.

Definitions (all counts over the clue rows given to manual verification):

``workload``   clue rows (each is one manual verification);
``persons``    distinct true persons among the clues;
``unmatched``  clue rows whose (source, source_ref) is not in ``truth_links``;
``tp``         distinct target persons among the clues;
``fp``         ``workload − tp``: clue rows that do not find a new target person (a non-target
               person, an unmatched record, or a second clue for the same person);
``fn``         target persons without a clue;
``precision``  ``tp / workload``; ``recall`` ``tp / |target|``; ``f1`` their harmonic mean.

A clue from ``court_enforcements`` (two identity fields per record) is the applicant unless
the clue carries a ``source_field`` column; other sources use their single link (``field``
``person`` or whatever the generator wrote) — the first when there are several.

:func:`evaluate_amounts` measures the spread of ``guanyun.amount`` within classes (case type ×
hardship tier) against the published claim (同类案件救助金额上下幅度不超过30%) and against the
historical ``judicial_aid.amount`` spread by the same classes.
"""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

TARGETS = {"judicial": "judicial_aid_eligible", "social": "social_aid_eligible"}
#: the field that stands for the person of a record in a multi-person source
DEFAULT_FIELD = {"court_enforcements": "applicant"}


def _need_truth(pool, names=("truth_links", "truth_victims")) -> None:
    missing = [n for n in names if n not in getattr(pool, "truth", {})]
    if missing:
        raise ValueError(
            f"this pool has no truth ({', '.join(missing)} missing): evaluation needs a synthetic pool "
            "generated with its hidden truth (jiuzhu synth …, DataPool.read(dir, truth=True))")


def default_target(result) -> str:
    """The target a model declares: ``result.params["target"]``, else its module's ``TARGET``, else judicial."""
    t = (getattr(result, "params", None) or {}).get("target")
    if t:
        return t
    model = getattr(result, "model", "") or ""
    try:
        mod = importlib.import_module(f"jiuzhu_methods.models.{model.split('.')[0]}")
        t = getattr(mod, "TARGET", None)
        if isinstance(t, dict):
            t = t.get(model.split(".")[-1])
        if t:
            return t
    except ModuleNotFoundError:
        pass
    return "judicial"


def person_of(frame: pd.DataFrame, pool) -> pd.Series:
    """The true ``person_id`` of each row of ``frame`` (``source``, ``source_ref`` and
    optionally ``source_field``), same index; missing where the record is not in ``truth_links``."""
    _need_truth(pool, ("truth_links",))
    links = pool.truth["truth_links"][["source", "source_ref", "field", "person_id"]].astype("str")
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="str")
    left = pd.DataFrame({"source": frame["source"].astype("str").to_numpy(),
                         "source_ref": frame["source_ref"].astype("str").to_numpy(), "_row": np.arange(len(frame))})
    if "source_field" in frame.columns:
        left["field"] = frame["source_field"].astype("str").to_numpy()
    else:
        left["field"] = left["source"].map(DEFAULT_FIELD).astype("str")
    m = left.merge(links, on=["source", "source_ref"], how="left", suffixes=("", "_link"))
    # preference: the wanted field, then any link of the record
    m["_pref"] = np.where(m["field"].notna() & (m["field"] == m["field_link"]), 0, 1)
    m = m.sort_values(["_row", "_pref"], kind="stable").drop_duplicates("_row")
    out = m.set_index("_row")["person_id"].reindex(np.arange(len(frame)))
    return pd.Series(out.to_numpy(), index=frame.index, dtype="str", name="person_id")


def target_persons(pool, target: str = "judicial") -> set[str]:
    _need_truth(pool, ("truth_victims",))
    if target not in TARGETS:
        raise ValueError(f"target must be one of {sorted(TARGETS)}, not {target!r}")
    v = pool.truth["truth_victims"]
    return set(v.loc[v[TARGETS[target]].astype(bool), "person_id"].astype("str"))


def evaluate_frame(clues: pd.DataFrame, pool, *, target: str = "judicial") -> dict:
    """:func:`evaluate` on a bare frame of clue rows (``source``, ``source_ref``)."""
    _need_truth(pool)
    want = target_persons(pool, target)
    person = person_of(clues, pool)
    found = set(person.dropna())
    tp = len(found & want)
    workload = len(clues)
    precision = tp / workload if workload else float("nan")
    recall = tp / len(want) if want else float("nan")
    f1 = (2 * precision * recall / (precision + recall)) if workload and want and (precision + recall) > 0 else (
        0.0 if workload and want else float("nan"))
    return {"target": target, "targets": len(want), "workload": workload, "persons": len(found),
            "unmatched": int(person.isna().sum()), "tp": tp, "fp": workload - tp, "fn": len(want) - tp,
            "precision": precision, "recall": recall, "f1": f1}


def evaluate(result, pool, *, target: str | None = None, list_name: str | None = None) -> dict:
    """Precision, recall, F1 and workload of a model's clues (or of ``result.lists[list_name]``)
    against the truly eligible persons of a synthetic pool. See the module docstring for the
    definitions. Raises ``ValueError`` when the pool carries no truth.

    ``target``: ``"judicial"`` or ``"social"``; default the model's declared target.
    """
    _need_truth(pool)
    t = target or default_target(result)
    frame = result.clues if list_name is None else result.lists[list_name]
    out = evaluate_frame(frame, pool, target=t)
    return {"model": getattr(result, "model", None), "list": list_name or "clues", **out}


# ---------------------------------------------------------------------- amounts
def _spread(df: pd.DataFrame, value: str, classes: list[str], band: float) -> tuple[pd.DataFrame, dict]:
    d = df.dropna(subset=[value]).copy()
    if d.empty:
        return pd.DataFrame(columns=classes + ["n", "median", "min_pct", "max_pct", "within_band"]), {
            "n": 0, "classes": 0, "share_within": float("nan"), "max_abs_pct": float("nan")}
    med = d.groupby(classes, dropna=False)[value].transform("median")
    d["dev_pct"] = np.where(med > 0, (d[value] / med - 1) * 100, 0.0)
    d["within"] = d["dev_pct"].abs() <= band * 100 + 1e-9
    by = d.groupby(classes, dropna=False).agg(n=(value, "size"), median=(value, "median"),
                                              min_pct=("dev_pct", "min"), max_pct=("dev_pct", "max"),
                                              within_band=("within", "mean")).reset_index()
    return by, {"n": len(d), "classes": len(by), "share_within": float(d["within"].mean()),
                "max_abs_pct": float(d["dev_pct"].abs().max())}


def historical_classes(pool, *, linkage: str = "id", profile: str | None = None) -> pd.DataFrame:
    """Past ``judicial_aid`` rows with 决定救助 and an amount, classed like ``guanyun.amount``:

    ``case_type`` from the linked procuratorate case (``judicial_aid.case_id`` → ``proc_cases``
    charge, by the case-type table of ``data/models/guanyun.yaml``; ``"unknown"`` when the aid
    has no linked case or the charge is in no type); ``hardship_tier`` from the registries the
    applicant is on around the decision (snapshots of the lookup window from the application
    month), the disability grade and the case facts of the linked case — the same functions
    the model uses.
    """
    from ..core.amount import load_standard
    from ..core.values import join_sorted
    from ..models import guanyun as gy

    ja = pool["judicial_aid"]
    ja = ja.loc[(ja["status"] == "决定救助") & ja["amount"].notna()].copy()
    types = gy.params()["case_types"]["values"]
    charge_type = {c: k for k, t in types.items() for c in t.get("charges", [])}
    charge = ja["case_id"].map(pool["proc_cases"].set_index("case_id")["charge"])
    frame = pd.DataFrame({"name": ja["name"], "id_number": ja["id_number"], "source": "judicial_aid",
                          "source_ref": ja["aid_id"], "case_id": ja["case_id"], "case_date": ja["applied_on"],
                          "case_type": charge.map(charge_type).fillna("unknown").astype("str"),
                          "amount": ja["amount"]}, index=ja.index)
    m = gy.registry_matches(frame, pool, linkage_mode=linkage)
    frame["matched_registries"] = join_sorted(m["registry"], m["row"], gy.registry_names()) \
        .reindex(frame.index).fillna("").astype("str")
    g = m.loc[m["grade"] != ""]
    frame["disability_grade"] = g.sort_values("grade").drop_duplicates("row").set_index("row")["grade"] \
        .reindex(frame.index).fillna("").astype("str")
    frame = frame.join(gy.case_facts(frame, pool))
    prof = profile or ((pool.meta or {}).get("county") if (pool.meta or {}).get("county") in
                       ("guanyun", "yueqing", "panan", "shanxian", "weidu") else "guanyun")
    frame["hardship_tier"] = gy.hardship_tier(frame, load_standard(prof))
    return frame


def evaluate_amounts(result, pool, *, band: float = 0.30) -> dict:
    """Spread of ``guanyun.amount`` within classes (case type × hardship tier) as ±% around the
    class median, the share within ±``band`` (published: 同类案件救助金额上下幅度不超过30%),
    and the same for historical ``judicial_aid.amount`` (see :func:`historical_classes`).

    Returns ``{"model": {...}, "historical": {...}, "by_class": DataFrame}`` where ``by_class``
    has one row per (source, case_type, hardship_tier) with n, median, min_pct, max_pct and
    the share within the band. The model part needs no truth; the historical part needs none
    either (``judicial_aid`` is a contract table), so this works on real pools too.
    """
    classes = ["case_type", "hardship_tier"]
    clues = result.clues
    if "amount" not in clues.columns:
        raise ValueError(f"{getattr(result, 'model', '?')} has no amount column: evaluate_amounts is for guanyun.amount")
    mby, msum = _spread(clues, "amount", classes, band)
    hist = historical_classes(pool, linkage=(result.params or {}).get("linkage", "id"),
                              profile=(result.params or {}).get("profile"))
    hby, hsum = _spread(hist, "amount", classes, band)
    by = pd.concat([mby.assign(source="model"), hby.assign(source="historical")], ignore_index=True)
    by = by[["source"] + [c for c in by.columns if c != "source"]]
    return {"band": band, "model": msum, "historical": hsum, "by_class": by}


__all__ = ["TARGETS", "default_target", "evaluate", "evaluate_amounts", "evaluate_frame", "historical_classes",
           "person_of", "target_persons"]
