"""案件故事 — harm events and what follows them, vectorised.

A harm event (a crime or a tort) harms one or more persons; the case goes through the
procuratorate and the court; compensation is paid, settled, or fails in enforcement; the
household may fall into hardship. This module draws the events and their outcomes as
arrays; :mod:`.records` turns them into the contract tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .population import Population

INJURY_HARM = {"轻微伤": "伤害", "轻伤": "伤害", "重伤": "伤害", "伤残": "伤残", "死亡": "死亡",
               "财产": "重大财产损失", "扶养": "追索扶养费"}
SEVERITY_BASE = {"轻微伤": 0, "轻伤": 1, "重伤": 2, "伤残": 2, "死亡": 2, "财产": 1, "扶养": 1}
INJURY_GRADES = {"轻伤": ["轻伤二级", "轻伤一级"], "重伤": ["重伤二级", "重伤一级"], "伤残": ["重伤二级", "重伤一级"]}
DISABILITY_GRADES = np.array(["十级", "九级", "八级", "七级", "六级", "五级", "四级", "三级", "二级", "一级"])
FAULTS = np.array(["无责任", "次要责任", "同等责任", "主要责任", "全部责任"])


@dataclass
class Story:
    ev: pd.DataFrame            # one row per event
    vic: pd.DataFrame           # one row per direct victim (被害人)
    harmed: pd.DataFrame        # one row per harmed party (truth_victims), with outcomes
    relatives: pd.DataFrame     # 近亲属 party rows (event, pid, harmed row or -1)
    extra: dict = field(default_factory=dict)


def _groups(pop: Population) -> dict[str, np.ndarray]:
    a = pop.age
    return {
        "all": np.flatnonzero(a >= 3),
        "poor_all": np.flatnonzero((a >= 3) & (pop.poor > 0)),
        "adult": np.flatnonzero((a >= 18) & (a < 80)),
        "elderly": np.flatnonzero(a >= 60),
        "minor": np.flatnonzero((a >= 3) & (a < 18)),
        "female": np.flatnonzero((a >= 14) & (a < 70) & ~pop.male),
        "offender": np.flatnonzero((a >= 18) & (a < 66) & pop.male),
        "offender_poor": np.flatnonzero((a >= 18) & (a < 66) & pop.male & (pop.poor > 0)),
        "working": np.flatnonzero((a >= 18) & (a < 66)),
    }


def pick(rng, idx: np.ndarray, k: int) -> np.ndarray:
    """``k`` persons drawn at random, with replacement, from ``idx`` (population row positions,
    e.g. the poor adults of a county): offenders, victims, applicants. Zeros when ``k`` is 0 or
    ``idx`` is empty. One ``rng.integers`` call."""
    if k == 0 or len(idx) == 0:
        return np.zeros(k, dtype=np.int64)
    return idx[rng.integers(0, len(idx), size=k)]


def choice(rng, d: dict, k: int) -> np.ndarray:
    """``k`` draws of the keys of ``d`` (a profile's categories: a stage, a harm, a closure)
    with probability proportional to their values (weights, normalised here). One
    ``rng.choice`` call."""
    keys = np.array(list(d))
    p = np.array(list(d.values()), dtype=float)
    return keys[rng.choice(len(keys), size=k, p=p / p.sum())]


def draw_events(rng: np.random.Generator, prof: dict, pop: Population, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = _groups(pop)
    factor = float(prof["case_volume_factor"])
    years = int(prof["months"]) / 12.0
    per = pop.n / 1e5 * years * factor
    ev_parts, vic_parts = [], []
    eid0 = 0
    for charge, spec in prof["events"].items():
        lam = float(spec["rate"]) * per
        k = int(rng.poisson(lam))
        if spec["kind"] == "criminal":
            k = max(k, int(prof["min_events_per_type"]))
        if k == 0:
            continue
        t0 = rng.integers(0, max(days - 20, 1), size=k)
        kind = spec["kind"]
        # offenders
        poor_off = rng.random(k) < float(prof["offenders"]["poor_share"])
        off = np.where(poor_off, pick(rng, g["offender_poor"], k), pick(rng, g["offender"], k))
        if kind == "civil":
            off = pick(rng, g["working"], k)
        lo, hi = spec["victims"]
        nv = rng.integers(int(lo), int(hi) + 1, size=k)
        settle = rng.random(k) < float(spec["settle"])
        can_pay = rng.random(k) < float(spec["can_pay"])
        eid = np.arange(eid0, eid0 + k)
        eid0 += k
        ev_parts.append(pd.DataFrame({"event": eid, "charge": charge, "kind": kind, "t0": t0, "offender": off,
                                      "settled": settle, "can_pay": can_pay, "n_victims": nv}))
        # victims
        ve = np.repeat(eid, nv)
        m = len(ve)
        if spec.get("elderly"):
            grp = np.where(rng.random(m) < float(spec["elderly"]), 1, 0)
        elif spec.get("minor"):
            grp = np.where(rng.random(m) < float(spec["minor"]), 2, 0)
        elif spec.get("female"):
            grp = np.where(rng.random(m) < float(spec["female"]), 3, 0)
        else:
            grp = np.where(rng.random(m) < 0.08, 2, np.where(rng.random(m) < 0.12, 1, 0))
        pid = np.where(rng.random(m) < float(prof["victims_poor_share"]), pick(rng, g["poor_all"], m), pick(rng, g["all"], m))
        for code, key in ((1, "elderly"), (2, "minor"), (3, "female")):
            sel = grp == code
            pid[sel] = pick(rng, g[key], int(sel.sum()))
        if charge in ("扶养纠纷",):
            pid = pick(rng, g["female"], m)
        sev = choice(rng, spec["harm"], m)
        vic_parts.append(pd.DataFrame({"event": ve, "pid": pid, "sev": sev}))
    ev = pd.concat(ev_parts, ignore_index=True)
    vic = pd.concat(vic_parts, ignore_index=True)
    # an offender is never their own victim
    vic = vic.merge(ev[["event", "offender"]], on="event")
    same = vic["pid"].to_numpy() == vic["offender"].to_numpy()
    if same.any():
        vic.loc[same, "pid"] = pick(rng, g["all"], int(same.sum()))
    vic = vic.drop(columns="offender").drop_duplicates(["event", "pid"]).reset_index(drop=True)
    ev["n_victims"] = vic.groupby("event").size().reindex(ev["event"]).fillna(0).astype(int).to_numpy()
    return ev, vic


def victim_facts(rng: np.random.Generator, prof: dict, pop: Population, ev: pd.DataFrame, vic: pd.DataFrame,
                 start: np.datetime64) -> pd.DataFrame:
    v = vic.merge(ev[["event", "charge", "kind", "t0"]], on="event")
    m = len(v)
    sev = v["sev"].to_numpy()
    grade = np.full(m, "", dtype=object)
    for s, opts in INJURY_GRADES.items():
        sel = sev == s
        grade[sel] = np.array(opts)[rng.integers(0, len(opts), size=int(sel.sum()))]
    grade[sev == "轻微伤"] = "轻微伤"
    dis = np.full(m, "", dtype=object)
    sel = sev == "伤残"
    dis[sel] = DISABILITY_GRADES[np.minimum(rng.geometric(0.35, size=int(sel.sum())) - 1, 9)]
    wage = float(prof["avg_monthly_wage"])
    loss = np.zeros(m)
    prop = sev == "财产"
    fraud = (v["charge"] == "诈骗罪").to_numpy()
    loss[prop] = np.round(np.exp(rng.normal(np.log(wage * (4 if True else 1)), 1.0, size=int(prop.sum()))), -2)
    loss[prop & ~fraud] = np.round(loss[prop & ~fraud] / 4, -2)
    loss[(v["charge"] == "抢劫罪").to_numpy()] = np.round(rng.uniform(200, 5000, size=int((v["charge"] == "抢劫罪").sum())), -1)
    major = prop & (loss >= float(prof["major_loss_months"]) * wage)
    traffic = v["charge"].isin(["交通肇事罪", "机动车交通事故责任纠纷"]).to_numpy()
    fault = np.full(m, None, dtype=object)
    fault[traffic] = FAULTS[rng.choice(5, size=int(traffic.sum()), p=[0.55, 0.25, 0.1, 0.07, 0.03])]
    # a criminal traffic case means the driver is at least equally responsible
    crim_tr = (v["charge"] == "交通肇事罪").to_numpy()
    fault[crim_tr] = FAULTS[rng.choice(3, size=int(crim_tr.sum()), p=[0.7, 0.22, 0.08])]
    v["grade"] = grade
    v["disability"] = dis
    v["loss"] = loss
    v["major"] = major
    v["fault"] = fault
    v["age"] = pop.age_at(start + v["t0"].to_numpy() * np.timedelta64(1, "D"), v["pid"].to_numpy())
    return v


def relatives_of(rng: np.random.Generator, pop: Population, persons: np.ndarray, max_k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``max_k`` household members of each person (adults first); a random adult when alone.

    Returns (row index into ``persons``, relative pid).
    """
    order = np.argsort(pop.household, kind="stable")
    hh_sorted = pop.household[order]
    first = np.searchsorted(hh_sorted, pop.household[persons], side="left")
    size = pop.hh_size[persons]
    rows, rel = [], []
    for j in range(6):
        has = size > j
        cand = order[np.minimum(first + j, len(order) - 1)]
        ok = has & (cand != persons)
        rows.append(np.flatnonzero(ok))
        rel.append(cand[ok])
    rows = np.concatenate(rows)
    rel = np.concatenate(rel)
    o = np.lexsort((rel, rows))
    rows, rel = rows[o], rel[o]
    # keep at most max_k per person
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    keep = rank < max_k
    rows, rel = rows[keep], rel[keep]
    alone = np.setdiff1d(np.arange(len(persons)), rows)
    adults = np.flatnonzero((pop.age >= 20) & (pop.age < 75))
    extra = adults[rng.integers(0, len(adults), size=len(alone))]
    rows = np.concatenate([rows, alone])
    rel = np.concatenate([rel, extra])
    o = np.argsort(rows, kind="stable")
    return rows[o], rel[o]
