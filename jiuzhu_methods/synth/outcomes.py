"""Outcomes of harm events: settlement, judgment, award, enforcement, compensation, hardship,
eligibility (under ``eligibility.yaml``), prior judicial aid, needs."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .population import Population
from .profiles import package_yaml
from .story import INJURY_HARM, SEVERITY_BASE, choice, relatives_of


def harmed_parties(rng, pop: Population, vic: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Harmed parties (one per truth_victims row) and 近亲属 party rows.

    Direct victims are harmed parties except the dead (their close relatives are) and victims
    of a minor property loss (not a harm under the conditions). Minor victims get a parent
    as 近亲属 (legal representative), who is not a harmed party.
    """
    direct = vic[(vic["sev"] != "死亡") & ~((vic["sev"] == "财产") & ~vic["major"])].copy()
    direct["vrow"] = direct.index
    direct["relative"] = False
    direct["dead_age"] = np.nan
    dead = vic[vic["sev"] == "死亡"]
    rows, rel = relatives_of(rng, pop, dead["pid"].to_numpy(), max_k=2)
    fam = dead.iloc[rows].copy()
    fam["vrow"] = fam.index
    fam["pid"] = rel
    fam["relative"] = True
    fam["dead_age"] = fam["age"].to_numpy()
    harmed = pd.concat([direct, fam], ignore_index=True)
    harmed = harmed.drop_duplicates(["event", "pid"]).reset_index(drop=True)
    # 近亲属 party rows: relatives of the dead, and a parent of each minor victim
    minors = vic[(vic["age"] < 18) & (vic["sev"] != "死亡")]
    mrows, mrel = relatives_of(rng, pop, minors["pid"].to_numpy(), max_k=1)
    kin = pd.concat([
        pd.DataFrame({"event": fam["event"].to_numpy(), "pid": fam["pid"].to_numpy(), "vrow": fam["vrow"].to_numpy()}),
        pd.DataFrame({"event": minors["event"].to_numpy()[mrows], "pid": mrel, "vrow": minors.index.to_numpy()[mrows]}),
    ], ignore_index=True).drop_duplicates(["event", "pid"]).reset_index(drop=True)
    return harmed, kin


#: share of settlements whose money is actually paid (the rest stay on paper: 未履行)
SETTLEMENT_PAID = 0.85
#: in a settled event with several victims, the chance that each victim after the first settles
#: too (the offender settles with some victims, not always with all) — assumption
CO_VICTIM_SETTLES = 0.6


def event_outcomes(rng, prof: dict, ev: pd.DataFrame, days: int) -> pd.DataFrame:
    ev = ev.copy()
    k = len(ev)
    crim = (ev["kind"] == "criminal").to_numpy()
    ev["settled_paid"] = ev["settled"].to_numpy() & (rng.random(k) < SETTLEMENT_PAID)
    ev["stage"] = np.where(crim, choice(rng, prof["criminal_stage"], k), "")
    ev["accepted"] = np.minimum(ev["t0"].to_numpy() + rng.integers(10, 41, size=k), days - 1)
    lo, hi = prof["judgment_delay_days"]
    jd = rng.integers(int(lo), int(hi) + 1, size=k)
    eff = np.where(crim, ev["accepted"].to_numpy() + jd, ev["t0"].to_numpy() + jd)
    has_j = eff <= days - 1
    has_j &= np.where(crim, ev["stage"].to_numpy() == "审查起诉", ~ev["settled"].to_numpy())
    ev["effective"] = np.where(has_j, eff, -1)
    ev["has_judgment"] = has_j
    ev["award_event"] = has_j & ~ev["settled"].to_numpy()
    ev["voluntary"] = ev["can_pay"].to_numpy() & (rng.random(k) < float(prof["enforcement"]["voluntary_payment"]))
    return ev


def victim_settlement(rng, ev: pd.DataFrame, vic: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """和解 per victim: which direct victims (``vic`` rows) settled with the offender and were paid.

    The first victim of an event keeps the event's draw (``settled``, ``settled_paid``); in a
    settled event each further victim settles with probability :data:`CO_VICTIM_SETTLES`, and a
    settlement is paid with probability :data:`SETTLEMENT_PAID`. The relatives of a dead victim
    inherit his settlement (:func:`harmed_parties` copies the victim's row). The event's
    ``award_event`` becomes "a judgment and at least one victim without a settlement" (only an
    unsettled victim is awarded damages, :func:`harmed_outcomes`). Returns (ev, vic) copies.
    """
    ev, vic = ev.copy(), vic.copy()
    e = ev.set_index("event")
    m = len(vic)
    u_settle, u_paid = rng.random(m), rng.random(m)
    first = ~vic["event"].duplicated().to_numpy()
    ev_settled = e["settled"].reindex(vic["event"]).to_numpy(dtype=bool)
    ev_paid = e["settled_paid"].reindex(vic["event"]).to_numpy(dtype=bool)
    settled = ev_settled & (first | (u_settle < CO_VICTIM_SETTLES))
    vic["settled"] = settled
    vic["settled_paid"] = settled & np.where(first, ev_paid, u_paid < SETTLEMENT_PAID)
    unsettled = pd.Series(~settled).groupby(vic["event"].to_numpy()).any()
    ev["award_event"] = ev["has_judgment"].to_numpy() & unsettled.reindex(ev["event"]).fillna(False).to_numpy(dtype=bool)
    return ev, vic


def harmed_outcomes(rng, prof: dict, pop: Population, ev: pd.DataFrame, harmed: pd.DataFrame,
                    vic: pd.DataFrame, days: int) -> pd.DataFrame:
    # settlement is the victim's own (victim_settlement; his relatives' when he died), when given
    own = [c for c in ("settled", "settled_paid") if c in harmed.columns]
    h = harmed.drop(columns=[c for c in ("charge", "kind", "t0") if c in harmed.columns]).merge(
        ev[[c for c in ["event", "charge", "kind", "t0", "offender", "settled", "settled_paid", "can_pay", "stage",
                        "accepted", "effective", "has_judgment", "award_event", "voluntary"] if c not in own]],
        on="event", how="left")
    if own:
        h["settled"] = h["settled"].astype(bool)
        h["settled_paid"] = h["settled_paid"].astype(bool)
        h["award_event"] = h["has_judgment"].to_numpy(dtype=bool) & ~h["settled"].to_numpy()
    m = len(h)
    wage = float(prof["avg_monthly_wage"])
    sev = h["sev"].to_numpy()
    n_rel = h.groupby("vrow")["pid"].transform("size").to_numpy()
    award = np.select(
        [sev == "轻微伤", sev == "轻伤", sev == "重伤", sev == "伤残", sev == "死亡", sev == "财产", sev == "扶养"],
        [wage * rng.uniform(0.3, 1, m), wage * rng.uniform(3, 10, m), wage * rng.uniform(10, 25, m),
         wage * rng.uniform(15, 60, m), wage * rng.uniform(60, 150, m) / n_rel, h["loss"].to_numpy(),
         rng.uniform(500, 1500, m) * rng.integers(12, 61, m)], 0.0)
    award = np.round(award, 2)
    h["award"] = np.where(h["award_event"], award, np.nan)
    enf_cfg = prof["enforcement"]
    filed = h["effective"].to_numpy() + rng.integers(20, 121, size=m)
    has_enf = h["award_event"].to_numpy() & ~h["voluntary"].to_numpy() & (filed <= days - 1)
    can = h["can_pay"].to_numpy()
    closure = np.where(can, choice(rng, enf_cfg["can_pay"], m), choice(rng, enf_cfg["cannot_pay"], m)).astype(object)
    closed = filed + rng.integers(30, 301, size=m)
    flawed = (closure == "终结本次执行") & (rng.random(m) < float(enf_cfg["flawed_termination"]))
    closed = np.where(flawed, filed + rng.integers(15, 60, size=m), closed)
    late = closed > days - 1
    closure = np.where(late, "未结", closure)
    flawed &= ~late
    closed = np.where(closure == "未结", -1, closed)
    due = np.nan_to_num(h["award"].to_numpy())
    u = rng.random(m)
    paid = np.select(
        [closure == "执行完毕", closure == "终结本次执行", closure == "终结执行", can],
        [due, np.where(u < 0.4, 0.0, due * rng.uniform(0, 0.3, m)), due * rng.uniform(0, 0.1, m), due * rng.uniform(0, 0.5, m)],
        due * rng.uniform(0, 0.1, m))
    h["has_enf"] = has_enf
    h["filed"] = np.where(has_enf, filed, -1)
    h["closure"] = np.where(has_enf, closure, None)
    h["closed"] = np.where(has_enf, closed, -1)
    h["amount_paid"] = np.where(has_enf, np.round(paid, 2), np.nan)
    h["flawed"] = has_enf & flawed
    compensated = h["settled_paid"].to_numpy() | (h["award_event"].to_numpy() & h["voluntary"].to_numpy()) \
        | (has_enf & (closure == "执行完毕"))
    h["compensated"] = compensated
    h["no_effective"] = ~compensated & ~can
    # hardship caused by the case
    base = np.array([SEVERITY_BASE[s] for s in sev])
    age = h["age"].to_numpy()
    dead_age = h["dead_age"].to_numpy()
    provider = (sev == "死亡") & (dead_age >= 20) & (dead_age < 60)
    hard = base + provider + ((sev == "财产") & (age >= 60)) + ((sev == "扶养") & ((age < 18) | (age >= 60)))
    hard = hard + (pop.poor[h["pid"].to_numpy()] > 0) + ((sev == "伤残") & np.isin(h["disability"], ["五级", "四级", "三级", "二级", "一级"]))
    hard = hard - (rng.random(m) < 0.25)
    hard = np.clip(hard, 0, 3)
    h["hardship"] = np.where(compensated, 0, hard).astype(int)
    h["harm"] = [INJURY_HARM[s] for s in sev]
    h["harmed_on"] = h["t0"]
    return h


def eligibility(rng, prof: dict, pop: Population, h: pd.DataFrame, days: int) -> pd.DataFrame:
    rules = package_yaml("eligibility.yaml")
    ja = rules["judicial_aid"]
    h = h.copy()
    m = len(h)
    qualifying = h["harm"].isin(ja["qualifying_harm"]["value"]).to_numpy() & (h["sev"] != "轻微伤").to_numpy()
    fault_ok = ~h["fault"].isin(ja["excluded_fault"]["value"]).to_numpy()
    cand = qualifying & fault_ok & h["no_effective"].to_numpy() & (h["hardship"].to_numpy() >= int(ja["minimum_hardship"]["value"]))
    cfg = prof["judicial_aid"]
    applied = h["t0"].to_numpy() + rng.integers(30, 241, size=m)
    aided = cand & (rng.random(m) < float(cfg["aided_given_eligible"])) & (applied <= days - 60)
    # judicial aid is given once: a person aided for one harm is aided for all
    aided_p = pd.Series(aided).groupby(h["pid"].to_numpy()).transform("any").to_numpy()
    h["qualifying"] = qualifying
    h["aided_before"] = aided_p
    h["aided_here"] = aided
    h["aid_applied"] = applied
    h["judicial_aid_eligible"] = cand & ~aided_p
    return h


def needs(h: pd.DataFrame, person_hardship: np.ndarray) -> np.ndarray:
    sev = h["sev"].to_numpy()
    age = h["age"].to_numpy()
    hard = h["hardship"].to_numpy()
    ph = person_hardship[h["pid"].to_numpy()]
    injured = np.isin(sev, ["轻伤", "重伤", "伤残"])
    cols = {
        "medical": injured & ~h["compensated"].to_numpy(),
        "education": (age >= 6) & (age < 22) & ((hard > 0) | (sev == "死亡")),
        "employment": (age >= 18) & (age < 60) & (hard > 0) & np.isin(sev, ["伤残", "死亡", "重伤"]),
        "psychological": (sev == "死亡") | h["charge"].isin(["强奸罪", "故意杀人罪"]).to_numpy() | ((age < 18) & (hard > 0)),
        "subsistence": np.maximum(hard, ph) >= 2,
    }
    out = np.full(len(h), "", dtype=object)
    for k, v in cols.items():
        out = np.where(v, np.where(out == "", k, out + "," + k), out)
    return out
