"""Assemble a synthetic county: population → events → outcomes → source tables → noise → truth."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..io import schema
from ..io.pool import DataPool
from . import documents as docs_mod
from .noise import merge_noise, noisy_ids, noisy_names
from .outcomes import eligibility, event_outcomes, harmed_outcomes, harmed_parties, needs, victim_settlement
from .population import Population, build_population
from .profiles import COUNTIES, apply_overrides, load_noise, load_profile, package_yaml
from .registries import AGENCY, AID_AGENCY, background_memberships, case_memberships, finish_memberships, social_aid_records
from .story import choice, draw_events, pick, victim_facts

PROVINCE_ABBR = {"江苏省": "苏", "浙江省": "浙", "山东省": "鲁", "河南省": "豫"}
#: share of background debt enforcements whose creditor (申请执行人) is a harmed party of some event — assumption
VICTIM_CREDITOR_SHARE = 0.1
ADMIN_CAUSES = np.array(["行政处罚", "工伤认定", "房屋征收补偿", "社会保险待遇", "行政强制", "最低生活保障待遇"])


def _ids(prefix: str, n: int, width: int = 7, start: int = 0) -> np.ndarray:
    if n == 0:
        return np.array([], dtype=object)
    return np.char.add(prefix, np.char.zfill(np.arange(start, start + n).astype(str), width)).astype(object)


class _Builder:
    def __init__(self, county: str, scale: float, seed: int, overrides: dict | None = None):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.county, self.scale, self.seed = county, float(scale), int(seed)
        self.overrides = dict(overrides or {})
        over = dict(self.overrides)
        self.noise = merge_noise(load_noise(), over.pop("noise", None))
        self.prof = apply_overrides(load_profile(county), over)
        self.code = str(self.prof["county_code"])
        self.cidx = COUNTIES.index(county) if county in COUNTIES else 99
        self.start = np.datetime64(self.prof["start_date"], "D")
        months = int(self.prof["months"])
        self.M = months
        self.end = (self.start.astype("datetime64[M]") + np.timedelta64(months, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
        self.days = int((self.end - self.start) / np.timedelta64(1, "D")) + 1
        self.abbr = PROVINCE_ABBR.get(self.prof.get("province", ""), "")
        self._judg_no = 0

    def rng(self, k: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.cidx, k])

    def date(self, day) -> np.ndarray:
        d = np.asarray(day, dtype=np.int64)
        out = (self.start + d * np.timedelta64(1, "D")).astype("datetime64[us]")
        return np.where(d >= 0, out, np.datetime64("NaT", "us"))

    def court_no(self, day: np.ndarray, kind: np.ndarray) -> np.ndarray:
        year = (self.start + np.asarray(day, dtype=np.int64) * np.timedelta64(1, "D")).astype("datetime64[Y]").astype(int) + 1970
        n = len(year)
        no = np.arange(self._judg_no + 1, self._judg_no + n + 1)
        self._judg_no += n
        return np.array([f"({y}){self.abbr}{self.code[2:]}{k}{i}号" for y, k, i in zip(year, kind, no)], dtype=object)

    # ------------------------------------------------------------------ the story
    def run(self) -> DataPool:
        prof, code = self.prof, self.code
        n = max(int(round(float(prof["population"]) * self.scale)), 300)
        pop = build_population(self.rng(1), prof, n)
        self.pop = pop
        ev, vic = draw_events(self.rng(2), prof, pop, self.days)
        vic = victim_facts(self.rng(3), prof, pop, ev, vic, self.start)
        ev = event_outcomes(self.rng(4), prof, ev, self.days)
        ev, vic = victim_settlement(self.rng(9), ev, vic)
        harmed, kin = harmed_parties(self.rng(5), pop, vic)
        harmed["age"] = pop.age_at(self.start + harmed["t0"].to_numpy() * np.timedelta64(1, "D"), harmed["pid"].to_numpy())
        h = harmed_outcomes(self.rng(6), prof, pop, ev, harmed, vic, self.days)
        h = eligibility(self.rng(7), prof, pop, h, self.days)
        # deaths
        died = np.full(n, -1, dtype=np.int64)
        dv = vic[vic["sev"] == "死亡"]
        died[dv["pid"].to_numpy()] = dv["t0"].to_numpy()
        # judicial aid relieves part of the aided households (hardship 2 → 1 when it had no other cause)
        relief = float(package_yaml("eligibility.yaml")["social_aid"]["relief_by_judicial_aid"]["value"])
        h["relieved"] = h["aided_here"].to_numpy() & (h["hardship"].to_numpy() == 2) \
            & (pop.poor[h["pid"].to_numpy()] == 0) & (self.rng(8).random(len(h)) < relief)
        case_hard = np.zeros(n, dtype=int)
        np.maximum.at(case_hard, h["pid"].to_numpy(), h["hardship"].to_numpy() - h["relieved"].to_numpy())
        person_hard = np.maximum(pop.poor, case_hard)
        h["needs"] = needs(h, person_hard)
        soc_min = int(package_yaml("eligibility.yaml")["social_aid"]["minimum_hardship"]["value"])
        h["social_aid_eligible"] = person_hard[h["pid"].to_numpy()] >= soc_min
        self.ev, self.vic, self.h, self.kin = ev, vic, h, kin
        self.person_hard, self.died = person_hard, died

        frames: dict[str, pd.DataFrame] = {}
        self.proc(frames)
        self.court(frames)
        self.aid(frames)
        self.registries(frames)
        self.petitions(frames)
        self.documents(frames)
        return self.finish(frames)

    # ------------------------------------------------------------------ procuratorate
    def proc(self, frames):
        rng = self.rng(10)
        ev, vic, h, kin = self.ev, self.vic, self.h, self.kin
        pop = self.pop
        crim = ev[ev["kind"] == "criminal"].copy()
        crim["case_id"] = _ids(f"AJ{self.code}", len(crim), 6)
        minor_ev = set(vic.loc[vic["age"] < 18, "event"])
        crim["business"] = np.where(crim["event"].isin(minor_ev), "未成年人检察", "刑事检察")
        self.case_of_event = dict(zip(crim["event"], crim["case_id"]))
        cases = [pd.DataFrame({"case_id": crim["case_id"], "business": crim["business"], "stage": crim["stage"],
                               "charge": crim["charge"], "day": crim["accepted"]})]
        v = vic[vic["event"].isin(crim["event"])].merge(crim[["event", "case_id"]], on="event")
        k = kin[kin["event"].isin(crim["event"])].merge(crim[["event", "case_id"]], on="event")
        parties = [
            pd.DataFrame({"case_id": v["case_id"], "role": "被害人", "_pid": v["pid"], "fault": v["fault"]}),
            pd.DataFrame({"case_id": k["case_id"], "role": "近亲属", "_pid": k["pid"], "fault": None}),
            pd.DataFrame({"case_id": crim["case_id"], "role": "犯罪嫌疑人", "_pid": crim["offender"], "fault": None}),
        ]
        # civil supervision (民事检察)
        cs = self.prof["civil_supervision"]
        sup = h[(h["kind"] == "support") & (rng.random(len(h)) < cs["支持起诉_support"])]
        fail = h[h["closure"].isin(["终结本次执行", "终结执行"]) & (rng.random(len(h)) < cs["执行监督_failed"])]
        fail_day = fail["closed"].to_numpy() + rng.integers(15, 121, size=len(fail))
        fail = fail[fail_day <= self.days - 1]
        fail_day = fail_day[fail_day <= self.days - 1]
        judged = h[h["kind"].isin(["civil", "support"]) & h["has_judgment"]]
        judged = judged[rng.random(len(judged)) < cs["生效裁判监督"]]
        jday = np.minimum(judged["effective"].to_numpy() + rng.integers(30, 181, size=len(judged)), self.days - 1)
        civ = pd.concat([
            pd.DataFrame({"stage": "支持起诉", "charge": sup["charge"].to_numpy(), "app": sup["pid"].to_numpy(),
                          "resp": sup["offender"].to_numpy(), "day": np.minimum(sup["t0"].to_numpy() + rng.integers(5, 31, len(sup)), self.days - 1),
                          "hrow": sup.index.to_numpy()}),
            pd.DataFrame({"stage": "执行监督", "charge": fail["charge"].to_numpy(), "app": fail["pid"].to_numpy(),
                          "resp": fail["offender"].to_numpy(), "day": fail_day, "hrow": fail.index.to_numpy()}),
            pd.DataFrame({"stage": "生效裁判监督", "charge": judged["charge"].to_numpy(), "app": judged["pid"].to_numpy(),
                          "resp": judged["offender"].to_numpy(), "day": jday, "hrow": judged.index.to_numpy()}),
        ], ignore_index=True)
        self.civ_hrows = civ
        # background: administrative applicants, creditor supervision (filled after court())
        bg = self.prof["background"]
        per = pop.n / 1e5 * self.M / 12 * float(self.prof["case_volume_factor"])
        n_adm = int(rng.poisson(float(bg["administrative"]) * per))
        adults = np.flatnonzero((pop.age >= 20) & (pop.age < 80))
        poor_adults = np.flatnonzero((pop.age >= 20) & (pop.age < 80) & (pop.poor > 0))
        app = np.where(rng.random(n_adm) < 0.35, pick(rng, poor_adults, n_adm), pick(rng, adults, n_adm))
        adm = pd.DataFrame({"stage": np.where(rng.random(n_adm) < 0.5, "行政裁判结果监督", "行政非诉执行监督"),
                            "charge": ADMIN_CAUSES[rng.integers(0, len(ADMIN_CAUSES), n_adm)], "app": app,
                            "day": rng.integers(0, self.days, n_adm)})
        self.adm = adm
        self._proc_parts = (cases, parties, civ, adm)

    def _finish_proc(self, frames, debt_sup: pd.DataFrame):
        cases, parties, civ, adm = self._proc_parts
        n0 = sum(len(c) for c in cases)
        civ = pd.concat([civ, debt_sup], ignore_index=True)
        civ["case_id"] = _ids(f"AJ{self.code}", len(civ), 6, start=n0)
        cases.append(pd.DataFrame({"case_id": civ["case_id"], "business": "民事检察", "stage": civ["stage"],
                                   "charge": civ["charge"], "day": civ["day"]}))
        parties.append(pd.DataFrame({"case_id": civ["case_id"], "role": "申请人", "_pid": civ["app"], "fault": None}))
        parties.append(pd.DataFrame({"case_id": civ["case_id"], "role": "被申请人", "_pid": civ["resp"], "fault": None}))
        n1 = n0 + len(civ)
        adm["case_id"] = _ids(f"AJ{self.code}", len(adm), 6, start=n1)
        cases.append(pd.DataFrame({"case_id": adm["case_id"], "business": "行政检察", "stage": adm["stage"],
                                   "charge": adm["charge"], "day": adm["day"]}))
        parties.append(pd.DataFrame({"case_id": adm["case_id"], "role": "申请人", "_pid": adm["app"], "fault": None}))
        pc = pd.concat(cases, ignore_index=True)
        pc["accepted_on"] = self.date(pc["day"].to_numpy())
        pc["county_code"] = self.code
        frames["proc_cases"] = pc.drop(columns="day")
        pp = pd.concat(parties, ignore_index=True)
        pp["record_id"] = _ids("DSR", len(pp))
        frames["proc_parties"] = pp
        self.civ_cases = civ

    # ------------------------------------------------------------------ court
    def court(self, frames):
        rng = self.rng(11)
        ev, vic, h = self.ev, self.vic, self.h
        pop = self.pop
        j = ev[ev["has_judgment"]].copy()
        kind = np.where(j["kind"] == "criminal", "刑事", "民事")
        j["judgment_id"] = self.court_no(j["effective"].to_numpy(), np.where(kind == "刑事", "刑初", "民初"))
        j["case_id"] = [self.case_of_event.get(e) if rng.random() < 0.9 else None for e in j["event"]]
        self.judg_of_event = dict(zip(j["event"], j["judgment_id"]))
        frames["court_judgments"] = pd.DataFrame({
            "judgment_id": j["judgment_id"], "kind": kind, "cause": j["charge"],
            "effective_on": self.date(j["effective"].to_numpy()), "case_id": j["case_id"]})
        crim_j = j[j["kind"] == "criminal"]
        v = vic[vic["event"].isin(crim_j["event"])]
        hh = h[h["event"].isin(j["event"]) & h["award_event"]]
        parts = [
            pd.DataFrame({"judgment_id": v["event"].map(self.judg_of_event), "role": "被害人", "_pid": v["pid"], "award": np.nan}),
            pd.DataFrame({"judgment_id": hh["event"].map(self.judg_of_event),
                          "role": np.where(hh["kind"] == "criminal", "附带民事诉讼原告人", "原告"),
                          "_pid": hh["pid"], "award": hh["award"]}),
            pd.DataFrame({"judgment_id": j["judgment_id"], "role": np.where(j["kind"] == "criminal", "被告人", "被告"),
                          "_pid": j["offender"], "award": np.nan}),
        ]
        cp = pd.concat(parts, ignore_index=True)
        cp["record_id"] = _ids("CPR", len(cp))
        frames["court_parties"] = cp
        # enforcement for victims' awards
        e = h[h["has_enf"]]
        w = docs_mod.Writer(self.rng(12))
        enf = pd.DataFrame({
            "judgment_id": e["event"].map(self.judg_of_event).to_numpy(), "_app": e["pid"].to_numpy(),
            "_resp": e["offender"].to_numpy(), "closure": e["closure"].to_numpy(), "amount_due": e["award"].to_numpy(),
            "amount_paid": e["amount_paid"].to_numpy(), "filed": e["filed"].to_numpy(), "closed": e["closed"].to_numpy(),
            "flawed": e["flawed"].to_numpy(), "hrow": e.index.to_numpy()})
        # background enforcement (debts): some respondents are criminal suspects
        bg = self.prof["background"]
        per = pop.n / 1e5 * self.M / 12 * float(self.prof["case_volume_factor"])
        nd = int(rng.poisson(float(bg["debt_enforcement"]) * per))
        adults = np.flatnonzero((pop.age >= 22) & (pop.age < 75))
        offenders = ev.loc[ev["kind"] == "criminal", "offender"].to_numpy()
        resp = np.where(rng.random(nd) < 0.3, pick(rng, offenders, nd) if len(offenders) else pick(rng, adults, nd),
                        pick(rng, adults, nd))
        appl = pick(rng, adults, nd)
        # some creditors are harmed parties too: a debt they collect in full is no compensation
        # for their harm (研判规则一 counts only the award of the case); own stream, so the other
        # draws stay as they were
        alt = self.rng(31)
        by_victim = alt.random(nd) < VICTIM_CREDITOR_SHARE
        appl = np.where(by_victim, pick(alt, np.unique(h["pid"].to_numpy()), nd), appl)
        can = rng.random(nd) < 0.5
        cfg = self.prof["enforcement"]
        clo = np.where(can, choice(rng, cfg["can_pay"], nd), choice(rng, cfg["cannot_pay"], nd)).astype(object)
        filed = rng.integers(0, self.days - 30, size=nd)
        closed = filed + rng.integers(30, 301, size=nd)
        flawed = (clo == "终结本次执行") & (rng.random(nd) < float(cfg["flawed_termination"]))
        closed = np.where(flawed, filed + rng.integers(15, 60, size=nd), closed)
        late = closed > self.days - 1
        clo = np.where(late, "未结", clo)
        flawed &= ~late
        closed = np.where(clo == "未结", -1, closed)
        due = np.round(float(self.prof["avg_monthly_wage"]) * rng.uniform(1, 30, nd), 2)
        paid = np.where(clo == "执行完毕", due, np.round(due * rng.uniform(0, 0.3, nd) * (rng.random(nd) < 0.5), 2))
        debt = pd.DataFrame({"judgment_id": None, "_app": appl, "_resp": resp, "closure": clo, "amount_due": due,
                             "amount_paid": paid, "filed": filed, "closed": closed, "flawed": flawed, "hrow": -1})
        enf = pd.concat([enf, debt], ignore_index=True)
        enf = enf[enf["_app"] != enf["_resp"]].reset_index(drop=True)
        enf["enforcement_id"] = self.court_no(enf["filed"].to_numpy(), np.full(len(enf), "执"))
        enf["filed_on"] = self.date(enf["filed"].to_numpy())
        enf["closed_on"] = self.date(enf["closed"].to_numpy())
        enf["note"] = [w.enforcement_note(c, f) for c, f in zip(enf["closure"], enf["flawed"])]
        frames["court_enforcements"] = enf
        self.enf = enf
        # creditors asking for 执行监督 after a failed debt enforcement
        failed = enf[(enf["hrow"] < 0) & enf["closure"].isin(["终结本次执行", "终结执行"])]
        failed = failed[rng.random(len(failed)) < float(bg["debt_supervision_share"])]
        day = np.minimum(failed["closed"].to_numpy() + rng.integers(15, 121, len(failed)), self.days - 1)
        debt_sup = pd.DataFrame({"stage": "执行监督", "charge": "民间借贷纠纷", "app": failed["_app"].to_numpy(),
                                 "resp": failed["_resp"].to_numpy(), "day": day, "hrow": -1})
        self._finish_proc(frames, debt_sup)

    # ------------------------------------------------------------------ judicial aid
    def aid(self, frames):
        rng = self.rng(13)
        h = self.h
        cfg = self.prof["judicial_aid"]
        wage = float(self.prof["avg_monthly_wage"])
        m = len(h)
        elig = h["judicial_aid_eligible"].to_numpy()
        u = rng.random(m)
        status = np.full(m, None, dtype=object)
        status[h["aided_here"].to_numpy()] = "决定救助"
        pend = elig & (u < cfg["pending_given_eligible"])
        status[pend] = "已受理"
        proc_rej = elig & ~pend & (u < cfg["pending_given_eligible"] + cfg["procedural_reject_given_eligible"])
        status[proc_rej] = "不予受理"
        rej = ~elig & ~h["aided_before"].to_numpy() & (h["hardship"].to_numpy() >= 1) & (rng.random(m) < cfg["rejected_given_not_eligible"])
        status[rej] = "不予救助"
        sel = status != None  # noqa: E711
        a = h[sel].copy()
        st = status[sel]
        k = len(a)
        applied = a["aid_applied"].to_numpy().copy()
        applied[st == "已受理"] = self.days - 1 - rng.integers(0, 45, size=int((st == "已受理").sum()))
        applied = np.minimum(applied, self.days - 1)
        decided = np.where(st == "已受理", -1, np.minimum(applied + rng.integers(5, 40, k), self.days - 1))
        paid = np.where(st == "决定救助", np.minimum(decided + rng.integers(2, 20, k), self.days - 1), -1)
        amount = np.where(st == "决定救助", np.minimum(np.round(wage * rng.uniform(2, 12, k), -2), 36 * wage), np.nan)
        agency = choice(rng, cfg["agency"], k)
        case_id = [self.case_of_event.get(e) for e in a["event"]]
        out = pd.DataFrame({"_pid": a["pid"].to_numpy(), "agency": agency, "case_id": case_id, "applied": applied,
                            "decided": decided, "paid_day": paid, "status": st, "amount": amount, "hrow": a.index.to_numpy()})
        out = out.sort_values(["applied", "_pid"], kind="stable").reset_index(drop=True)
        out["aid_id"] = _ids(f"JZ{self.code}", len(out), 5)
        out["applied_on"] = self.date(out["applied"].to_numpy())
        out["decided_on"] = self.date(out["decided"].to_numpy())
        out["paid_on"] = self.date(out["paid_day"].to_numpy())
        frames["judicial_aid"] = out
        self.aid_frame = out.rename(columns={"_pid": "pid"})

    # ------------------------------------------------------------------ registries and social aid
    def registries(self, frames):
        rng = self.rng(14)
        pop = self.pop
        died_month = np.where(self.died >= 0, ((self.start + self.died * np.timedelta64(1, "D")).astype("datetime64[M]")
                                               - self.start.astype("datetime64[M]")).astype(int), -1)
        mem = pd.concat([background_memberships(rng, self.prof, pop),
                         case_memberships(rng, self.prof, pop, self.h, self.start)], ignore_index=True)
        mem = finish_memberships(rng, mem, died_month, self.M)
        self.mem = mem
        override = self.prof.get("registry_agency_override")
        mem["agency"] = override if override else mem["registry"].map(AGENCY)
        grid = (mem["registry"] == "网格困难群体").to_numpy()
        k = len(mem)
        pid = mem["pid"].to_numpy()
        ids = np.empty(k, dtype=object)
        idk = np.empty(k, dtype=object)
        names = np.empty(k, dtype=object)
        nk = np.empty(k, dtype=object)
        for sel, table in ((~grid, "registries"), (grid, "registries_grid")):
            ids[sel], idk[sel] = noisy_ids(rng, pop.id_number[pid[sel]], table, self.noise)
            names[sel], nk[sel] = noisy_names(rng, pop.name[pid[sel]], table, self.noise)
        addr = np.where(grid | (rng.random(k) < 0.7), pop.address[pid], None)
        phone = np.where(rng.random(k) < np.where(grid, 0.8, 0.5), pop.phone[pid], None)
        mem["name"], mem["id_number"], mem["address"], mem["phone"] = names, ids, addr, phone
        mem["_idk"], mem["_nk"] = idk, nk
        mem["person_id"] = pop.person_id[pid]
        for c in ("registry", "agency", "detail", "name", "id_number", "address", "phone", "_idk", "_nk", "person_id"):
            mem[c] = pd.Series(mem[c].to_numpy(dtype=object), dtype="str")
        mem["detail"] = mem["detail"].where(mem["detail"] != "")
        # monthly snapshots
        L = (mem["end"] - mem["start"]).to_numpy()
        rep = np.repeat(np.arange(k), L)
        off = np.arange(len(rep)) - np.repeat(np.cumsum(L) - L, L)
        month = mem["start"].to_numpy()[rep] + off
        o = np.lexsort((rep, month))  # by month, then registry and person (mem is sorted so)
        rep, month = rep[o], month[o]
        reg = mem.iloc[rep].reset_index(drop=True)
        reg["as_of"] = (self.start.astype("datetime64[M]") + month.astype("timedelta64[M]")).astype("datetime64[D]").astype("datetime64[us]")
        reg["_pid"] = reg["pid"]
        reg["record_id"] = pd.Series(_ids("MD", len(reg), 8), dtype="str")
        frames["registries"] = reg
        sa = social_aid_records(rng, self.prof, pop, mem, self.h, self.aid_frame, self.days, self.start)
        sa["record_id"] = _ids("SJ", len(sa), 7)
        cname = self.prof["county_name"]
        sa["agency"] = cname + sa["aid_type"].map(AID_AGENCY)
        sa["granted_on"] = self.date(sa["day"].to_numpy())
        sa["_pid"] = sa["pid"]
        frames["social_aid"] = sa

    # ------------------------------------------------------------------ petitions
    def petitions(self, frames):
        rng = self.rng(15)
        h, pop = self.h, self.pop
        pc = self.prof["petitions"]
        p = np.where(h["compensated"], pc["compensated"], pc["uncompensated"])
        sel = rng.random(len(h)) < p
        a = h[sel]
        day = a["t0"].to_numpy() + rng.integers(60, 401, size=len(a))
        keep = day <= self.days - 1
        a, day = a[keep], day[keep]
        rows = pd.DataFrame({"_pid": a["pid"].to_numpy(), "category": "涉法涉诉", "day": day,
                             "hardship": a["hardship"].to_numpy(),
                             "relation": np.where(a["relative"], "其亲属", "本人"),
                             "situation": np.where(a["closure"].isin(["终结本次执行", "终结执行", "未结"]), "enforcement",
                                                   np.where(a["award"].notna() & ~a["compensated"], "award", "unpaid")),
                             "charge_text": a["charge"].to_numpy(),
                             "harm_text": a["sev"].map(docs_mod.HARM_TEXT).to_numpy(),
                             "award": np.nan_to_num(a["award"].to_numpy())})
        # administrative applicants petition too; other petitions from anyone
        adm = self.adm[rng.random(len(self.adm)) < 0.3]
        bg = self.prof["background"]
        per = pop.n / 1e5 * self.M / 12 * float(self.prof["case_volume_factor"])
        no = int(rng.poisson(float(bg["other_petitions"]) * per))
        adults = np.flatnonzero(pop.age >= 20)
        oth = pd.DataFrame({"_pid": np.concatenate([adm["app"].to_numpy(), pick(rng, adults, no)]),
                            "category": np.concatenate([np.full(len(adm), "涉法涉诉"), np.full(no, "其他")]),
                            "day": np.concatenate([adm["day"].to_numpy(), rng.integers(0, self.days, no)]),
                            "hardship": 1, "relation": "本人", "harm_text": "", "award": 0.0,
                            "situation": np.concatenate([np.full(len(adm), "administrative"), np.full(no, "其他")]),
                            "charge_text": np.concatenate([adm["charge"].to_numpy(), np.full(no, "")])})
        rows = pd.concat([rows, oth], ignore_index=True).sort_values(["day", "_pid"], kind="stable").reset_index(drop=True)
        rows["name"] = pop.name[rows["_pid"].to_numpy()]
        rows["date"] = [docs_mod.cn_date(d) for d in self.date(rows["day"].to_numpy())]
        rows["text"] = docs_mod.petition_texts(rng, rows)
        rows["petition_id"] = _ids(f"XF{self.code}", len(rows), 6)
        rows["received_on"] = self.date(rows["day"].to_numpy())
        frames["petitions"] = rows

    # ------------------------------------------------------------------ documents
    def documents(self, frames):
        w = docs_mod.Writer(self.rng(16), phrasings=self.prof.get("negation_phrasings"))
        pop, ev, vic, h = self.pop, self.ev, self.vic, self.h
        crim = ev[ev["kind"] == "criminal"]
        hard = h.groupby("pid")["hardship"].max()
        vv = vic[vic["event"].isin(crim["event"])].copy()
        vv["name"] = pop.name[vv["pid"].to_numpy()]
        vv["male"] = pop.male[vv["pid"].to_numpy()]
        vv["poor"] = pop.poor[vv["pid"].to_numpy()] > 0
        vv["hardship"] = vv["pid"].map(hard).fillna(0).astype(int).to_numpy()
        # the 近亲属 who act for each victim (a dead victim's family, a minor's parent): named in
        # the settlement documents they sign
        kin = self.kin
        kin_names = pd.Series(pop.name[kin["pid"].to_numpy()], index=kin["vrow"].to_numpy()).groupby(level=0).agg(list)
        vv["kin"] = kin_names.reindex(vv.index).to_numpy()
        by_event: dict = {}
        for rec in vv.to_dict("records"):
            by_event.setdefault(rec["event"], []).append(rec)
        award = h.groupby("event")["award"].sum()
        towns = np.array(self.prof["towns"])
        mention = float(self.prof["documents"]["negated_mention"])
        out = []
        for r in crim.to_dict("records"):
            victims = by_event.get(r["event"])
            if not victims:
                continue
            place = towns[int(w.rng.integers(0, len(towns)))]
            case = {"county_name": self.prof["county_name"], "suspect": pop.name[r["offender"]], "charge": r["charge"],
                    "date": docs_mod.cn_date(self.date([r["t0"]])[0]), "place": place, "stage": r["stage"],
                    "settled": bool(r["settled"]), "settled_paid": bool(r["settled_paid"]),
                    "has_judgment": bool(r["has_judgment"]), "mention": bool(w.rng.random() < mention), "award": float(award.get(r["event"], 0.0) or 0.0),
                    "amount": float(np.round(float(self.prof["avg_monthly_wage"]) * w.rng.uniform(1, 12), -2))}
            if not r["award_event"]:
                case["award"] = 0.0
            for dt, text in w.case_documents(case, victims):
                out.append((self.case_of_event[r["event"]], dt, text))
        d = pd.DataFrame(out, columns=["case_id", "doc_type", "text"])
        d["doc_id"] = _ids(f"WS{self.code}", len(d), 7)
        frames["proc_documents"] = d

    # ------------------------------------------------------------------ noise, truth, pool
    def finish(self, frames) -> DataPool:
        rng = self.rng(20)
        pop = self.pop
        links = []

        def person_fields(df, table, pid_col, name_col, id_col, key, field):
            pid = df[pid_col].to_numpy().astype(np.int64)
            ids, idk = noisy_ids(rng, pop.id_number[pid], table, self.noise)
            names, nk = noisy_names(rng, pop.name[pid], table, self.noise)
            df[name_col], df[id_col] = names, ids
            links.append(pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in {
                "source": np.full(len(df), table, dtype=object), "source_ref": df[key].to_numpy(dtype=object),
                "field": np.full(len(df), field, dtype=object), "person_id": pop.person_id[pid].astype(object),
                "id_noise": idk, "name_noise": nk}.items()}))

        for table, key in (("proc_parties", "record_id"), ("petitions", "petition_id"), ("judicial_aid", "aid_id"),
                           ("court_parties", "record_id"), ("social_aid", "record_id")):
            person_fields(frames[table], table, "_pid", "name", "id_number", key, "person")
        enf = frames["court_enforcements"]
        person_fields(enf, "court_enforcements", "_app", "applicant_name", "applicant_id_number", "enforcement_id", "applicant")
        person_fields(enf, "court_enforcements", "_resp", "respondent_name", "respondent_id_number", "enforcement_id", "respondent")
        reg = frames["registries"]
        links.append(pd.DataFrame({"source": pd.Series("registries", index=reg.index, dtype="str"),
                                   "source_ref": reg["record_id"],
                                   "field": pd.Series("person", index=reg.index, dtype="str"),
                                   "person_id": reg["person_id"], "id_noise": reg["_idk"], "name_noise": reg["_nk"]}))
        tables = {}
        for name in schema.CONTRACT_TABLES:
            cols = [c for c in schema.TABLES[name].columns]
            extra = ["note"] if name == "court_enforcements" else []
            tables[name] = _typed(name, frames[name][cols + extra])
        truth = self.truth(pd.concat(links, ignore_index=True), frames)
        meta = {
            "county": self.county, "county_name": self.prof["county_name"], "county_code": self.code,
            "province": self.prof.get("province"), "seed": self.seed, "scale": self.scale,
            "start_date": str(self.start), "end_date": str(self.end), "reference_date": str(self.prof["reference_date"]),
            "avg_monthly_wage": float(self.prof["avg_monthly_wage"]), "months": self.M, "persons": int(pop.n),
            "generator": "jiuzhu_methods.synth", "case_volume_factor": float(self.prof["case_volume_factor"]),
        }
        if self.overrides:
            meta["overrides"] = self.overrides
        return DataPool(tables, truth, meta)

    def truth(self, links: pd.DataFrame, frames) -> dict[str, pd.DataFrame]:
        pop, h = self.pop, self.h
        persons = pd.DataFrame({
            "person_id": pop.person_id, "name": pop.name, "id_number": pop.id_number,
            "sex": np.where(pop.male, "男", "女"), "birth_date": pop.birth.astype("datetime64[us]"),
            "household_id": np.char.add("H", np.char.zfill(pop.household.astype(str), 7)),
            "local": pop.local, "address": pop.address, "phone": pop.phone, "hardship": self.person_hard.astype(np.int64),
            "baseline_hardship": pop.poor.astype(np.int64),
            "disability": np.array(["", "一级", "二级", "三级", "四级"])[pop.disability],
            "died_on": self.date(self.died),
        })
        persons["disability"] = persons["disability"].where(persons["disability"] != "", None)
        enf = self.enf
        enf_of_h = dict(zip(enf.loc[enf["hrow"] >= 0, "hrow"], enf.loc[enf["hrow"] >= 0, "enforcement_id"]))
        civ = self.civ_cases
        civ_case = civ[civ["hrow"] >= 0].drop_duplicates("hrow").set_index("hrow")["case_id"]
        case_id = [self.case_of_event.get(e) for e in h["event"]]
        case_id = [c if c is not None else civ_case.get(i) for c, i in zip(case_id, h.index)]
        victims = pd.DataFrame({
            "victim_id": _ids("V", len(h), 6), "person_id": pop.person_id[h["pid"].to_numpy()],
            "case_id": case_id, "judgment_id": h["event"].map(self.judg_of_event).to_numpy(),
            "harm": h["harm"].to_numpy(), "harmed_on": self.date(h["harmed_on"].to_numpy()),
            "compensated": h["compensated"].to_numpy(), "settled": h["settled"].to_numpy(),
            "hardship": h["hardship"].to_numpy().astype(np.int64), "aided_before": h["aided_before"].to_numpy(),
            "judicial_aid_eligible": h["judicial_aid_eligible"].to_numpy(),
            "social_aid_eligible": h["social_aid_eligible"].to_numpy(),
            "needs": np.where(h["needs"] == "", None, h["needs"]),
            # added columns
            "charge": h["charge"].to_numpy(), "severity": h["sev"].to_numpy(),
            "injury_grade": np.where(h["grade"] == "", None, h["grade"]),
            "disability_grade": np.where(h["disability"] == "", None, h["disability"]),
            "relative": h["relative"].to_numpy(), "fault": h["fault"].to_numpy(),
            "qualifying_harm": h["qualifying"].to_numpy(), "no_effective_compensation": h["no_effective"].to_numpy(),
            "award": h["award"].to_numpy(), "enforcement_id": [enf_of_h.get(i) for i in h.index],
            "enforcement_flawed": h["flawed"].to_numpy(),
        })
        return {"truth_persons": _typed("truth_persons", persons),
                "truth_links": _typed("truth_links", links),
                "truth_victims": _typed("truth_victims", victims)}


def _typed(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Contract dtypes, quickly (the generator's values are already clean)."""
    t = schema.TABLES[table]
    out = {}
    for c in df.columns:
        col = t.columns.get(c)
        s = df[c]
        if col is not None and str(s.dtype) == str(pd.Series([], dtype=col.dtype).dtype):
            out[c] = s.reset_index(drop=True)
            continue
        if col is None:
            if s.dtype == object:
                s = pd.Series(s.to_numpy(), dtype="str")
            out[c] = s.reset_index(drop=True)
            continue
        if col.type == "str":
            out[c] = pd.Series(s.to_numpy(dtype=object), dtype="str")
        elif col.type == "date":
            out[c] = pd.Series(np.asarray(s, dtype="datetime64[us]"))
        elif col.type == "float":
            out[c] = pd.Series(np.asarray(s, dtype="float64"))
        elif col.type == "int":
            out[c] = pd.Series(np.asarray(s, dtype="int64"))
        elif col.type == "bool":
            out[c] = pd.Series(np.asarray(s, dtype=bool))
    return pd.DataFrame(out)


def generate(county: str, *, scale: float = 0.02, seed: int = 7, overrides: dict | None = None) -> DataPool:
    """A synthetic county data pool with hidden truth (see the package docstring).

    ``overrides`` changes profile values for this run only (a what-if, never a copy of the
    profile): ``{"case_volume_factor": 1, "registries": {"poor_share": 0.04}}`` — a dict value
    is merged into the profile's dict one level deep — and, under the key ``"noise"``, the
    identity-noise configuration (see :func:`jiuzhu_methods.synth.noise.merge_noise` and
    :func:`~jiuzhu_methods.synth.noise.scaled_id_noise`). The overrides are recorded in
    ``pool.meta["overrides"]``; without them the pool is exactly the profile's.
    """
    return _Builder(county, scale, seed, overrides).run()
