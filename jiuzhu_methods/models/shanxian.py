"""案例四 单县 — 两库四比对 (Shan County: two databases, four comparisons).

Reproduces 案例四 【数据赋能】 of ``shared/seeds/000_…``: the 基础数据库 (victims, applicants
and 涉法涉诉 petitioners of the procuratorate's systems) is compared with each of the four
groups of the 筛查数据库 (poverty lists, children, disabled persons, other difficult groups)
on two comparison points (name and ID number), and the hits form one pushed list in which
every clue names the group(s) it hit (``groups``, e.g. ``"1、3"``; the rule path says
``four_comparisons[组1、组3]``).

Parameters are data in ``data/models/shanxian.yaml``; the reproduction note is
``docs/models/shanxian.md``.

Examples
--------
>>> from jiuzhu_methods import DataPool
>>> r = screen(DataPool.from_frames({}))
>>> list(r.funnel["step"])
['base', 'comparison_points', 'four_comparisons', 'push_list', 'manual_check']
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..core import identity, linkage as lk
from ..core.steps import Context, ModelResult, Pipeline, Step, finalize_clues
from ..core.params import parameter
from ..core.persons import dedupe
from ..core import registries
from ..core.registries import registry_rows
from ..core.values import isin, join_agencies, join_by, map_unique

_NO_CONTACT = {"phone_col": None, "address_col": None}


def _v(*path: str) -> Any:
    return parameter("shanxian", *path)


# --------------------------------------------------------------------------- steps
def _base(frame: pd.DataFrame, ctx: Context):
    pool = ctx.pool
    cases, parties, pets = pool["proc_cases"], pool["proc_parties"], pool["petitions"]
    parts, by = [], {}
    for part in ctx.params["base"]:
        if part["table"] == "proc_parties":
            c = cases[cases["business"].isin(part["business"])]
            if part.get("stages"):
                c = c[c["stage"].isin(part["stages"])]
            p = parties[isin(parties["case_id"], c["case_id"]) & parties["role"].isin(part["roles"])]
            p = p.merge(c[["case_id", "business", "stage", "charge"]], on="case_id", how="left")
            p = p.assign(source="proc_parties", source_ref=p["record_id"])
        elif part["table"] == "petitions":
            p = pets[pets["category"].isin(part["categories"])]
            p = p.assign(source="petitions", source_ref=p["petition_id"], case_id=None)
        else:
            raise ValueError(f"unknown base table {part['table']!r}")
        p = p.assign(base=part["label"])
        by[part["label"]] = len(p)
        parts.append(p[["name", "id_number", "source", "source_ref", "case_id", "base"]
                       + [c for c in ("business", "stage", "charge") if c in p.columns]])
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out["path_tag"] = out["base"].astype("str") if len(out) else pd.Series([], dtype="str")
    return out, {"n_in": len(parties) + len(pets), "by_part": by}


def _comparison_points(frame: pd.DataFrame, ctx: Context):
    # the comparison points are the linkage keys _id (usable_ids) and _name (normalise_name)
    none = pd.Series(None, index=frame.index, dtype="str")
    has_id = (identity.usable_ids(frame["id_number"]) if "id_number" in frame.columns else none).notna()
    has_name = (lk.normalise_name(frame["name"]) if "name" in frame.columns else none).notna()
    linkage = ctx.params["linkage"]
    if linkage == "id":
        keep = has_id
    elif linkage == "id+name":
        keep = has_id & has_name
    else:  # fallback: a name is enough to be compared (with a second identifier where the ID fails)
        keep = has_name | has_id
    out = frame[keep.to_numpy()]
    return out, {"without_usable_points": int((~keep).sum()), "points": "姓名+身份证号" if linkage == "id+name"
                 else ("身份证号" if linkage == "id" else "身份证号，或姓名+出生日期/电话/住址")}


def _four_comparisons(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    group_of = pd.DataFrame([(r, g) for g, spec in p["groups"].items() for r in spec["registries"]],
                            columns=["registry", "group"])
    # the four comparisons share one join: every registry of every group at once, then each
    # matched registry says which group it belongs to (a registry may sit in one group only)
    reg = registry_rows(ctx.pool, list(group_of["registry"]), snapshots=p["snapshots"], reference=p["reference"],
                        like=frame, linkage=p["linkage"])
    # no contact columns on the left: the registries' phone and address never take part
    pairs = lk.link(frame, reg, linkage=p["linkage"], left_cols=_NO_CONTACT, right_cols=_NO_CONTACT)
    hits = pd.DataFrame({"_row": pairs["left"].to_numpy(), "match": pairs["match"].to_numpy(),
                         "confidence": pairs["confidence"].to_numpy(),
                         "registry": reg.loc[pairs["right"], "registry"].astype("str").to_numpy()})
    hits = hits.merge(group_of, on="registry", how="left")
    order = {g: i for i, g in enumerate(p["groups"])}
    hits["_g"] = hits["group"].map(order)
    by = {f"组{g}": int(hits.loc[hits["group"] == g, "_row"].nunique()) for g in p["groups"]}
    if hits.empty:
        out = frame.iloc[0:0].assign(groups=pd.Series([], dtype="str"), matched_registry=pd.Series([], dtype="str"),
                                     match=pd.Series([], dtype="str"), confidence=pd.Series([], dtype="float64"),
                                     path_tag=pd.Series([], dtype="str"))
        return out, {"by_group": by}
    g = hits[["_row", "_g", "group"]].drop_duplicates().sort_values(["_row", "_g"], kind="stable")
    groups = join_by(g["_row"].to_numpy(), g["group"])
    r = hits[["_row", "registry"]].drop_duplicates().sort_values(["_row", "registry"], kind="stable")
    regs = join_by(r["_row"].to_numpy(), r["registry"])
    best = (hits.sort_values(["_row", "confidence"], ascending=[True, False], kind="stable")
                .drop_duplicates("_row").set_index("_row"))
    out = frame.loc[frame.index.isin(best.index)].copy()
    out["groups"] = groups.reindex(out.index).astype("str").to_numpy()
    out["matched_registry"] = regs.reindex(out.index).astype("str").to_numpy()
    out["match"] = best["match"].reindex(out.index).astype("str").to_numpy()
    out["confidence"] = best["confidence"].reindex(out.index).astype("float64").to_numpy()
    out["path_tag"] = map_unique(out["groups"], lambda v: "组" + v.replace("、", "、组"))
    return out, {"by_group": by}


def _push_list(frame: pd.DataFrame, ctx: Context):
    out, merged = dedupe(frame, collect={"source_ref": "source_refs", "base": "base", "case_id": "case_ids",
                                         "groups": "groups", "matched_registry": "matched_registry"})
    if len(out):
        # a person hit through several records: the union of their groups, in group order
        out["groups"] = map_unique(out["groups"], lambda v: "、".join(sorted(set(v.split("、")), key=int)))
        out["matched_registry"] = map_unique(out["matched_registry"], lambda v: "、".join(sorted(set(v.split("、")))))
    return out, {"records_merged": merged}


def _manual(frame: pd.DataFrame, ctx: Context):
    return frame, {"to_verify": len(frame)}


STEPS = [
    Step("base", "basic database: victims, applicants and 涉法涉诉 petitioners",
         "基础数据要素包括：刑事检察和未成年人检察案件中的被害人；民事检察案件中的支持起诉、执行监督申请人；"
         "行政检察案件中的行政裁判结果监督、行政非诉执行活动监督申请人；涉法涉诉信访人等",
         "案例四 （二）数据要素", _base),
    Step("comparison_points", "set the two comparison points (name and ID number)",
         "设定比对点。将基础数据中的被害人、申请人、涉法涉诉信访人与四类重点人群的信息要素设定为2个比对点",
         "案例四 （三）数据研判规则 第一步", _comparison_points),
    Step("four_comparisons", "compare with each of the four key groups",
         "数据比对。将2个比对点进行数据碰撞，筛查平台自动识别相关案件信息",
         "案例四 （三）数据研判规则 第二步", _four_comparisons),
    Step("push_list", "one pushed list of clues, each naming the group(s) it hit",
         "将信息重合点（即司法救助线索）形成单独列表予以推送",
         "案例四 （三）数据研判规则 第二步", _push_list),
    Step("manual_check", "prosecutors check each pushed clue",
         "检察人员对系统推送的案件线索进行综合分析，核查案件被害人或申请人是否符合司法救助条件",
         "案例四 （四）数据分析核查", _manual, manual=True),
]


def screen(pool, *, linkage: str = "id+name", snapshots: str = "any", reference_date: Any = None,
           groups: dict[str, list[str]] | None = None) -> ModelResult:
    """两库四比对 — 单县's screening (案例四).

    Parameters
    ----------
    linkage : "id+name" (published: the two 比对点 name and ID number must both agree),
        "id" (ID number only) or "fallback" (exact ID, else name + birth date/phone/address,
        lower confidence)
    snapshots : "any" (default: on a list in any monthly snapshot up to the reference date)
        or "latest" (each registry's last snapshot up to the reference date)
    reference_date : upper bound on snapshots; default ``pool.meta["reference_date"]``
    groups : override the registries of groups, e.g. ``{"4": ["困难职工"]}``

    Clues: one per person with ``groups`` ("1、3"), ``group_labels``, ``matched_registry``,
    ``base`` (which part(s) of the 基础数据库) and ``recommended_agencies`` (民政局/乡村振兴局
    for group 1, 民政局 for 2 and 4, 残联 for 3).
    """
    lk.check_linkage(linkage)
    spec = {str(k): dict(v) for k, v in _v("groups").items()}
    for g, regs in (groups or {}).items():
        if str(g) not in spec:
            raise ValueError(f"unknown group {g!r}; groups are {list(spec)}")
        spec[str(g)]["registries"] = list(regs)
    params = {"linkage": linkage, "snapshots": snapshots, "reference": registries.reference_date(pool, reference_date),
              "base": _v("base"), "groups": spec}
    if snapshots not in ("any", "latest"):
        raise ValueError(f"snapshots must be 'any' or 'latest', not {snapshots!r}")
    frame, funnel, ctx = Pipeline("shanxian.screen", STEPS).run(None, Context(pool, params))
    f = funnel.copy()
    for i, d in f["detail"].items():
        if isinstance(d, dict) and "n_in" in d:
            d = dict(d)
            f.at[i, "n_in"] = int(d.pop("n_in"))
            f.at[i, "detail"] = d
    out = frame.copy()
    if len(out):
        labels = {g: s["label"] for g, s in spec.items()}
        out["group_labels"] = map_unique(out["groups"], lambda v: "、".join(labels[g] for g in v.split("、")))
        agencies = map_unique(out["groups"],
                              lambda v: "、".join(dict.fromkeys(a for g in v.split("、") for a in spec[g]["agencies"])))
        out["recommended_agencies"] = join_agencies(agencies, index=out.index)
    else:
        out["group_labels"] = pd.Series([], dtype="str")
        out["recommended_agencies"] = pd.Series([], dtype="str")
    clues = finalize_clues(out, "shanxian.screen",
                           extra=["groups", "group_labels", "matched_registry", "base", "source_refs", "case_ids"])
    return ModelResult("shanxian.screen", clues, f, params=params)


__all__ = ["STEPS", "screen"]
