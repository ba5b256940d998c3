"""救助名单与社会救助 — registry memberships (monthly snapshots) and social aid records."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .population import Population

AGENCY = {
    "城市低保": "民政局", "农村低保": "民政局", "特困人员": "民政局", "低保边缘家庭": "民政局", "低收入人口": "民政局",
    "孤儿": "民政局", "困境儿童": "民政局", "事实无人抚养儿童": "民政局", "失独家庭": "民政局",
    "边缘易致贫户": "乡村振兴局", "防返贫监测对象": "乡村振兴局", "原建档立卡贫困户": "乡村振兴局",
    "持证残疾人": "残联", "困难职工": "总工会", "医疗救助对象": "医保局", "困难妇女": "妇联", "春蕾儿童": "妇联",
    "重点优抚对象": "退役军人事务局", "网格困难群体": "基层治理四平台",
}
POVERTY_LISTS = ("城市低保", "农村低保", "特困人员", "低保边缘家庭", "低收入人口", "边缘易致贫户", "防返贫监测对象",
                 "原建档立卡贫困户", "困难职工", "医疗救助对象", "困难妇女", "困境儿童", "孤儿", "事实无人抚养儿童",
                 "春蕾儿童", "网格困难群体")
DIS_GRADE = np.array(["", "一级", "二级", "三级", "四级"])
DIS_KIND = np.array(["肢体", "视力", "听力", "言语", "智力", "精神"])
AID_AGENCY = {"低保": "民政局", "临时救助": "民政局", "医疗救助": "医保局", "教育救助": "教育局", "就业援助": "人社局",
              "住房救助": "住建局", "心理疏导": "社会工作服务中心", "慈善救助": "慈善总会"}


def _m(pid, registry, detail, start, end) -> pd.DataFrame:
    n = len(pid)
    return pd.DataFrame({"pid": np.asarray(pid, dtype=np.int64), "registry": registry,
                         "detail": np.broadcast_to(np.asarray(detail, dtype=object), (n,)) if np.ndim(detail) == 0 else detail,
                         "start": np.broadcast_to(start, (n,)).astype(np.int64),
                         "end": np.broadcast_to(end, (n,)).astype(np.int64)})


def background_memberships(rng, prof: dict, pop: Population) -> pd.DataFrame:
    r = prof["registries"]
    M = int(prof["months"])
    n = pop.n
    age, poor, urban, male = pop.age, pop.poor > 0, pop.urban, pop.male
    u = lambda: rng.random(n)  # noqa: E731
    parts = []
    dibao = poor & (u() < r["dibao_given_poor"])
    parts.append(_m(np.flatnonzero(dibao & urban), "城市低保", "", 0, M))
    parts.append(_m(np.flatnonzero(dibao & ~urban), "农村低保", "", 0, M))
    parts.append(_m(np.flatnonzero(poor & (u() < r["low_income_given_poor"])), "低收入人口", "", 0, M))
    parts.append(_m(np.flatnonzero(poor & ~dibao & (u() < r["edge_given_poor_not_dibao"])), "低保边缘家庭", "", 0, M))
    parts.append(_m(np.flatnonzero(poor & (age >= 60) & (pop.hh_size == 1) & (u() < r["tekun_given_poor_elderly_alone"])),
                    "特困人员", "分散供养", 0, M))
    rural = poor & ~urban
    parts.append(_m(np.flatnonzero(rural & (u() < r["rural_monitor_given_poor"])), "防返贫监测对象", "", 0, M))
    parts.append(_m(np.flatnonzero(rural & (u() < r["rural_edge_given_poor"])), "边缘易致贫户", "", 0, M))
    parts.append(_m(np.flatnonzero(rural & (u() < r["rural_former_given_poor"])), "原建档立卡贫困户", "已脱贫", 0, M))
    parts.append(_m(np.flatnonzero(poor & (age >= 25) & (age < 60) & (u() < r["worker_given_poor_working"])), "困难职工", "", 0, M))
    parts.append(_m(np.flatnonzero(poor & (u() < r["medical_given_poor"])), "医疗救助对象", "因病致困", 0, M))
    parts.append(_m(np.flatnonzero(poor & ~male & (age >= 18) & (age < 70) & (u() < r["women_given_poor_women"])),
                    "困难妇女", "两癌", 0, M))
    child = poor & (age < 18)
    parts.append(_m(np.flatnonzero(child & (u() < r["children_distress_given_poor_child"])), "困境儿童", "", 0, M))
    parts.append(_m(np.flatnonzero(child & (u() < r["orphan_given_poor_child"])), "孤儿", "", 0, M))
    parts.append(_m(np.flatnonzero(child & (u() < r["unsupported_given_poor_child"])), "事实无人抚养儿童", "", 0, M))
    parts.append(_m(np.flatnonzero(child & ~male & (u() < r["chunlei_given_poor_girl"])), "春蕾儿童", "", 0, M))
    grid = np.flatnonzero(poor & (u() < r["grid_given_poor"]))
    gdet = np.where(age[grid] >= 60, "空巢老人", np.where(age[grid] < 16, "留守儿童",
                    np.where(pop.disability[grid] > 0, "残疾", "因病致困")))
    parts.append(_m(grid, "网格困难群体", gdet, 0, M))
    dis = np.flatnonzero((pop.disability > 0) & (u() < r["certified_given_disabled"]))
    ddet = np.char.add(np.char.add(DIS_KIND[rng.integers(0, len(DIS_KIND), len(dis))].astype(str), "残疾"),
                       DIS_GRADE[pop.disability[dis]].astype(str))
    parts.append(_m(dis, "持证残疾人", ddet, 0, M))
    parts.append(_m(np.flatnonzero((age >= 40) & (u() < r["veteran_share_40plus"])), "重点优抚对象", "退役军人", 0, M))
    parts.append(_m(np.flatnonzero((age >= 50) & (u() < r["shidu_share_50plus"])), "失独家庭", "", 0, M))
    mem = pd.concat(parts, ignore_index=True)
    k = len(mem)
    churn = float(r["churn"])
    st = np.where(rng.random(k) < churn, rng.integers(1, M, size=k), 0)
    en = np.where(rng.random(k) < churn, st + 1 + rng.integers(0, M, size=k), M)
    mem["start"], mem["end"] = st, np.minimum(en, M)
    mem["case"] = False
    return mem


def case_memberships(rng, prof: dict, pop: Population, h: pd.DataFrame, start_date: np.datetime64) -> pd.DataFrame:
    """Harmed parties in case-caused hardship reach registries, partly and late."""
    cr = prof["case_registry"]
    M = int(prof["months"])
    month0 = (start_date + h["harmed_on"].to_numpy() * np.timedelta64(1, "D")).astype("datetime64[M]") - start_date.astype("datetime64[M]")
    hm = month0.astype(int)
    hard = h["hardship"].to_numpy()
    pid = h["pid"].to_numpy()
    m = len(h)
    cap_p = np.array([0.0] + [float(cr["capture_by_hardship"][k]) for k in (1, 2, 3)])[hard]
    cap = rng.random(m) < cap_p
    delay = rng.geometric(1.0 / (1.0 + float(cr["delay_months_mean"])), size=m) - 1
    st = hm + delay
    urban = pop.urban[pid]
    reg = np.where(hard >= 3, np.where(urban, "城市低保", "农村低保"),
                   np.where(hard == 2, np.where(rng.random(m) < 0.5, "低收入人口", np.where(urban, "低保边缘家庭", "防返贫监测对象")),
                            "低收入人口"))
    parts = [_m(pid[cap], reg[cap], "因案致困", st[cap], M)]
    g = cap & (rng.random(m) < float(cr["grid_share"]))
    gst = hm + rng.geometric(1.0 / (1.0 + float(cr["grid_delay_months_mean"])), size=m) - 1
    parts.append(_m(pid[g], "网格困难群体", "因案致困", gst[g], M))
    sev = h["sev"].to_numpy()
    dis = (sev == "伤残") & (pop.disability[pid] == 0) & (rng.random(m) < float(cr["disability_certified"]))
    grade = np.where(np.isin(h["disability"].to_numpy(), ["一级", "二级", "三级", "四级"]), "肢体残疾二级", "肢体残疾四级")
    parts.append(_m(pid[dis], "持证残疾人", grade[dis], hm[dis] + 6 + rng.integers(0, 6, size=int(dis.sum())), M))
    age = pop.age[pid]
    kid = cap & (sev == "死亡") & (age < 18)
    parts.append(_m(pid[kid], np.where(rng.random(int(kid.sum())) < 0.7, "困境儿童", "事实无人抚养儿童"), "因案致困",
                    st[kid], M))
    wom = cap & ~pop.male[pid] & (hard >= 2) & (age >= 18) & (rng.random(m) < 0.5)
    parts.append(_m(pid[wom], "困难妇女", "因案致困", st[wom], M))
    med = cap & np.isin(sev, ["重伤", "伤残"]) & (rng.random(m) < 0.4)
    parts.append(_m(pid[med], "医疗救助对象", "因伤致困", st[med], M))
    shidu = (sev == "死亡") & (age >= 45) & (h["dead_age"].to_numpy() < 35) & (rng.random(m) < 0.3)
    parts.append(_m(pid[shidu], "失独家庭", "", hm[shidu] + 3, M))
    mem = pd.concat(parts, ignore_index=True)
    mem = mem[mem["start"] < M]
    mem["case"] = True
    return mem


def finish_memberships(rng, mem: pd.DataFrame, died_month: np.ndarray, M: int) -> pd.DataFrame:
    mem = mem.sort_values(["pid", "registry", "start"], kind="stable").drop_duplicates(["pid", "registry"])
    # the dead stay on lists for 1–3 months (lists lag)
    dm = died_month[mem["pid"].to_numpy()]
    dead = dm >= 0
    lag = rng.integers(1, 4, size=len(mem))
    mem["end"] = np.where(dead, np.minimum(mem["end"].to_numpy(), dm + lag), mem["end"].to_numpy())
    mem = mem[mem["end"] > mem["start"]].sort_values(["registry", "pid"], kind="stable").reset_index(drop=True)
    return mem


def social_aid_records(rng, prof: dict, pop: Population, mem: pd.DataFrame, h: pd.DataFrame, aid: pd.DataFrame,
                       days: int, start_date: np.datetime64) -> pd.DataFrame:
    sa = prof["social_aid"]
    parts = []
    db = mem[mem["registry"].isin(["城市低保", "农村低保"])]
    db = db[rng.random(len(db)) < sa["dibao_record_given_dibao"]]
    d0 = (start_date.astype("datetime64[M]") + db["start"].to_numpy().astype("timedelta64[M]")).astype("datetime64[D]")
    parts.append(pd.DataFrame({"pid": db["pid"].to_numpy(), "aid_type": "低保",
                               "day": ((d0 - start_date) / np.timedelta64(1, "D")).astype(int) + rng.integers(0, 28, len(db))}))
    hh = h[(h["hardship"] >= 2) & ~h["compensated"]]
    m = len(hh)
    t = hh["t0"].to_numpy() + rng.integers(30, 301, size=m)
    sev = hh["sev"].to_numpy()
    age = pop.age[hh["pid"].to_numpy()]
    rules = [
        ("临时救助", rng.random(m) < sa["temporary_given_hardship"]),
        ("医疗救助", np.isin(sev, ["轻伤", "重伤", "伤残"]) & (rng.random(m) < sa["medical_given_injured_hardship"])),
        ("教育救助", (age < 18) & (rng.random(m) < sa["education_given_minor_hardship"])),
        ("就业援助", (age >= 18) & (age < 60) & (rng.random(m) < sa["employment_given_adult_hardship"])),
        ("心理疏导", (sev == "死亡") & (rng.random(m) < sa["psych_given_death"])),
        ("慈善救助", rng.random(m) < sa["charity"]),
    ]
    for typ, sel in rules:
        parts.append(pd.DataFrame({"pid": hh["pid"].to_numpy()[sel], "aid_type": typ, "day": t[sel]}))
    paid = aid[aid["status"] == "决定救助"]
    sel = rng.random(len(paid)) < sa["after_judicial_aid"]
    typ = np.array(["临时救助", "医疗救助", "就业援助", "住房救助"])[rng.integers(0, 4, size=int(sel.sum()))]
    parts.append(pd.DataFrame({"pid": paid["pid"].to_numpy()[sel], "aid_type": typ,
                               "day": paid["paid_day"].to_numpy()[sel] + rng.integers(10, 120, size=int(sel.sum()))}))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["day"] <= days - 1].drop_duplicates(["pid", "aid_type"]).sort_values(["day", "pid"], kind="stable")
    return out.reset_index(drop=True)
