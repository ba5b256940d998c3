"""案例五 魏都 — 侵害人身权类司法救助大数据模型 (一库三模块).

Reproduction of the Weidu (许昌, Henan) model of the SPP's first batch of big-data judicial aid
cases (``shared/seeds/000_…``, 案例五 （三）数据分析规则). Parameters are
``data/models/weidu.yaml``, keywords ``data/keywords/weidu.yaml``; the reproduction note is
``docs/models/weidu.md``.

``screen(pool, *, linkage="id", negation="plain", ...)`` runs the four published steps:

======================  ============================================================
step                    published wording (案例五)
======================  ============================================================
``base_pool``           第一步 获取基础数据 — civil-supervision applicants, petitioners and
                        criminal suspects (enforcement cases, special groups, aid cases
                        are the other tables of the pool)
``collisions``          第二步 数据碰撞 — 一: applicants/petitioners ∩ enforcement applicants
                        not paid in full; 二: the same ∩ special groups; 三: suspects ∩
                        enforcement respondents → those enforcements' applicants
``reverse_comparison``  第三步 数据反比对 — remove persons whose aid the procuratorate
                        accepted or handled (variant ``aided_elsewhere="drop"``: also
                        persons aided by 法院 / 公安机关)
``keyword_check``       第四步 设定关键词人工核查 — four categories tagged, every clue kept
                        for manual checking (manual step)
======================  ============================================================

Each clue's ``rule_path`` names its collision(s): ``collisions[碰撞一、碰撞二]``.
``result.lists``: ``supervision`` (法律监督线索: enforcement terminated without full property
investigation; administrative inaction), ``governance`` (社会综合治理 figures).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.identity import as_arrow
from ..core.keywords import keyword_hits
from ..core.linkage import key_codes, anti_join, link
from ..core.linkage import isin as isin_distinct
from ..core.steps import Context, ModelResult, Pipeline, Step, finalize_clues
from ..core.collide import collide, link_parts
from ..core.params import data_file, needs_table, values_of
from ..core.registries import registry_candidates
from ..core.values import category_words, has_item, isin, join_flags, join_groups

MODEL = "weidu.screen"
BASE_ROLES = {"civil": "民事监督申请人", "petition": "信访人", "suspect": "犯罪嫌疑人", "applicant": "执行申请人"}
#: which of the three kinds of procuratorate data each clue came from (软件 展示出刑事、民事、信访三类检察数据中含有的司法救助线索数量)
DATA_KIND = {"proc_parties": "民事", "petitions": "信访", "court_enforcements": "刑事"}


def parameters() -> dict[str, dict[str, Any]]:
    """The published-reading parameters: ``{section: {name: value}}`` from data/models/weidu.yaml (copies)."""
    return values_of("weidu")


def keyword_library() -> dict[str, list[str]]:
    raw = data_file("data/keywords/weidu.yaml")
    return {c: list(v["words"]) for c, v in raw["categories"].items()}


def _unpaid(pool, p) -> pd.DataFrame:
    enf = pool["court_enforcements"]
    m = enf["closure"].isin(p["unpaid_closures"]) & (enf["amount_paid"].fillna(0) < enf["amount_due"])
    return enf[m].reset_index(drop=True)


def _person_key(df: pd.DataFrame) -> pd.Series:
    """Same person key as :func:`linkage.dedupe_persons`: valid ID, else name + birth date, else
    the row — as integer codes (equal codes ⇔ same person; the key is only grouped on), from the
    keys' codes as ``dedupe_persons`` reads them, not spelled out as strings."""
    k = key_codes(df, frozenset({"_id", "_name", "_birth"}))
    idc, namec, birthc = (np.asarray(k[x][0], dtype=np.int64) for x in ("_id", "_name", "_birth"))
    has = idc >= 0
    lone = ~has & ((namec < 0) | (birthc < 0))
    by_name = ~has & ~lone
    # one number per person: the ID code; else past them the (name, birth) pair; else past
    # those the row (mixed radix, so the three kinds never meet)
    n_id, n_name, n_birth = (int(c.max()) + 1 if len(c) else 0 for c in (idc, namec, birthc))
    n_pair = max(n_name, 1) * max(n_birth, 1)
    if n_id + n_pair + len(df) >= 2 ** 62:  # pragma: no cover - beyond any pool's distinct keys
        person = pd.DataFrame({"i": idc, "n": np.where(by_name, namec, -1), "b": np.where(by_name, birthc, -1),
                               "r": np.where(lone, np.arange(len(df)), -1)}).groupby(["i", "n", "b", "r"], sort=False).ngroup()
        return pd.Series(person.to_numpy(dtype=np.int64), index=df.index)
    code = np.where(has, idc, np.where(by_name, n_id + namec * max(n_birth, 1) + birthc,
                                       n_id + n_pair + np.arange(len(df), dtype=np.int64)))
    return pd.Series(code, index=df.index)


def _union_lists(rows: pd.DataFrame, col: str) -> pd.Series:
    """Per ``_person``: the sorted distinct items of the "、"-joined lists in ``col``."""
    # the items split by one Arrow call (not a Python list per row), then as pandas would explode them
    parts = pc.split_pattern(pa.array(rows[col].fillna("").astype("str").to_numpy(dtype=object), type=pa.large_string()), "、")
    parent = np.asarray(pc.list_parent_indices(parts), dtype=np.intp)
    items = pd.DataFrame({"_person": rows["_person"].to_numpy()[parent],
                          col: pd.Series(pc.list_flatten(parts).to_numpy(zero_copy_only=False), dtype="str")})
    items = items[items[col].notna() & (items[col] != "")].drop_duplicates().sort_values(["_person", col])
    return join_groups(items["_person"], items[col], "、")


# --------------------------------------------------------------------------- steps
def _step_base_pool(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    pool = ctx.pool
    cases = pool["proc_cases"]
    parties = pool["proc_parties"]
    civil_cases = cases.loc[cases["business"].isin(p["civil_business"]), "case_id"]
    civil = parties[isin(parties["case_id"], civil_cases) & parties["role"].isin(p["civil_roles"])]
    civil = pd.DataFrame({"name": civil["name"], "id_number": civil["id_number"], "source": "proc_parties",
                          "source_ref": civil["record_id"], "source_field": "person", "case_id": civil["case_id"],
                          "base_role": BASE_ROLES["civil"]})
    pet = pool["petitions"]
    pet = pet[pet["category"].isin(p["petition_categories"])]
    pet = pd.DataFrame({"name": pet["name"], "id_number": pet["id_number"], "source": "petitions",
                        "source_ref": pet["petition_id"], "source_field": "person",
                        "case_id": pd.Series(None, index=pet.index, dtype="str"), "base_role": BASE_ROLES["petition"]})
    crim_cases = cases.loc[cases["business"].isin(p["criminal_business"]), "case_id"]
    sus = parties[isin(parties["case_id"], crim_cases) & parties["role"].isin(p["suspect_roles"])]
    sus = pd.DataFrame({"name": sus["name"], "id_number": sus["id_number"], "source": "proc_parties",
                        "source_ref": sus["record_id"], "source_field": "person", "case_id": sus["case_id"],
                        "base_role": BASE_ROLES["suspect"]})
    out = pd.concat([civil, pet, sus], ignore_index=True)
    for c in ("name", "id_number", "source", "source_ref", "source_field", "case_id", "base_role"):
        out[c] = out[c].astype("str")
    reg = pool["registries"]
    detail = {"civil_applicants": int(len(civil)), "petitioners": int(len(pet)), "suspects": int(len(sus)),
              "enforcements": int(len(pool["court_enforcements"])),
              "special_group_records": int(isin_distinct(reg["registry"], p["special_groups"]).sum()),
              "judicial_aid_cases": int(len(pool["judicial_aid"]))}
    return out, detail


def _step_collisions(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    lk = p["linkage"]
    tags = p["tags"]
    frame = frame.reset_index(drop=True)
    unpaid = _unpaid(ctx.pool, p)
    A = frame[frame["base_role"].isin([BASE_ROLES["civil"], BASE_ROLES["petition"]])]
    S = frame[frame["base_role"] == BASE_ROLES["suspect"]]
    applicant = {"id_col": "applicant_id_number", "name_col": "applicant_name"}
    respondent = {"id_col": "respondent_id_number", "name_col": "respondent_name"}
    reg = registry_candidates(A, ctx.pool["registries"], p["special_groups"], linkage=lk)
    unpaid3 = unpaid
    if p["collision3_basis"] == "criminal":  # variant: only enforcements of criminal (附带民事) judgments
        jud = ctx.pool["court_judgments"]
        crim = jud.loc[jud["kind"] == "刑事", "judgment_id"]
        unpaid3 = unpaid[isin(unpaid["judgment_id"], crim)].reset_index(drop=True)
    # the three collisions as one link of the whole base pool (its keys computed once), the
    # pairs split per table and kept for the left rows each collision reads (A, or S)
    pa_, pb, pc_ = link_parts(frame, [(unpaid, applicant), (reg, None), (unpaid3, respondent)], linkage=lk)
    in_a = frame.index.isin(A.index)
    pa_ = pa_[in_a[pa_["left"].to_numpy()]].reset_index(drop=True)
    pb = pb[in_a[pb["left"].to_numpy()]].reset_index(drop=True)
    in_s = frame.index.isin(S.index)
    pairs = pc_[in_s[pc_["left"].to_numpy()]].reset_index(drop=True)
    # 一: applicants/petitioners ∩ enforcement applicants whose case was not paid in full
    ca = collide(A, unpaid, linkage=lk, right_cols=applicant, collect="enforcement_id", pairs=pa_)
    # 二: the same people ∩ special groups
    cb = collide(A, reg, linkage=lk, collect="registry", pairs=pb)
    ab = A.copy()
    ab["hit_a"] = ca["hit"].astype(bool)
    ab["hit_b"] = cb["hit"].astype(bool)
    ab["enforcement_ids"] = ca["collected"].where(ab["hit_a"], "")
    ab["registries"] = cb["collected"].where(ab["hit_b"], "")
    conf = pd.concat([ca["confidence"], cb["confidence"]], axis=1)
    ab["confidence"] = conf.max(axis=1)
    ab["match"] = ca["match"].where(ca["confidence"].fillna(-1) >= cb["confidence"].fillna(-1), cb["match"])
    ab["hit_c"] = False
    ab = ab[ab["hit_a"] | ab["hit_b"]]
    # 三: suspects ∩ enforcement respondents → the applicants of those enforcement cases
    pairs = pairs.sort_values(["right", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("right")
    e = unpaid3.loc[pairs["right"]]
    c = pd.DataFrame({"name": e["applicant_name"].to_numpy(), "id_number": e["applicant_id_number"].to_numpy(),
                      "source": "court_enforcements", "source_ref": e["enforcement_id"].to_numpy(),
                      "source_field": "applicant", "case_id": S.loc[pairs["left"], "case_id"].to_numpy(),
                      "base_role": BASE_ROLES["applicant"], "hit_a": False, "hit_b": False, "hit_c": True,
                      "enforcement_ids": e["enforcement_id"].to_numpy(), "registries": "",
                      "match": pairs["match"].to_numpy(), "confidence": pairs["confidence"].to_numpy(),
                      "suspect_name": S.loc[pairs["left"], "name"].to_numpy(),
                      "rule_path": S.loc[pairs["left"], "rule_path"].to_numpy()})
    allrows = pd.concat([ab, c], ignore_index=True)
    for col in ("name", "id_number", "source", "source_ref", "source_field", "case_id", "base_role",
                "enforcement_ids", "registries", "match"):
        allrows[col] = allrows[col].astype("str")
    if allrows.empty:
        out = allrows.assign(collisions=pd.Series(dtype="str"), path_tag=pd.Series(dtype="str"))
        return out, {"collision_1": 0, "collision_2": 0, "collision_3": 0}
    # one row per person: the first record kept, collisions / enforcement ids / registries unioned
    allrows["_person"] = _person_key(allrows).to_numpy()
    agg = allrows.groupby("_person", sort=False).agg(
        hit_a=("hit_a", "any"), hit_b=("hit_b", "any"), hit_c=("hit_c", "any"), confidence=("confidence", "max"))
    agg["enforcement_ids"] = _union_lists(allrows, "enforcement_ids").reindex(agg.index).fillna("")
    agg["registries"] = _union_lists(allrows, "registries").reindex(agg.index).fillna("")
    roles = allrows[["_person", "base_role"]].dropna().drop_duplicates()
    agg["base_roles"] = join_groups(roles["_person"], roles["base_role"], "、").reindex(agg.index).fillna("")
    first = allrows.drop_duplicates("_person").drop(columns=["hit_a", "hit_b", "hit_c", "enforcement_ids",
                                                             "registries", "confidence"])
    out = first.merge(agg, left_on="_person", right_index=True, how="left").drop(columns="_person")
    flags = pd.DataFrame({tags["a"]: out["hit_a"], tags["b"]: out["hit_b"], tags["c"]: out["hit_c"]})
    out["collisions"] = join_flags(flags, [tags["a"], tags["b"], tags["c"]], "、")
    out["path_tag"] = out["collisions"]
    out = out.reset_index(drop=True)
    detail = {"collision_1": int(ab["hit_a"].sum()), "collision_2": int(ab["hit_b"].sum()),
              "collision_3": int(len(c)), "persons": int(len(out)), "unpaid_enforcements": int(len(unpaid))}
    return out, detail


def reverse_aid_rows(aid: pd.DataFrame, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """第三步's judicial-aid records as two masks over ``aid`` (the pool's ``judicial_aid``):
    ``own`` — the cases the procuratorate accepted or handled (``handled_statuses`` at
    ``aid_agencies``: the published reading); ``elsewhere`` — with ``aided_elsewhere="drop"``,
    aid given (``aided_statuses``) by another judicial organ (an agency not in ``aid_agencies``)
    and not already ``own`` (seed 003: aid is given once); all false with ``"keep"``."""
    own = (aid["status"].isin(params["handled_statuses"]) & aid["agency"].isin(params["aid_agencies"])).to_numpy(dtype=bool)
    elsewhere = np.zeros(len(aid), dtype=bool)
    if params["aided_elsewhere"] == "drop":
        elsewhere = (aid["status"].isin(params["aided_statuses"]) & ~aid["agency"].isin(params["aid_agencies"])
                     & aid["agency"].notna()).to_numpy(dtype=bool) & ~own
    return own, elsewhere


def _step_reverse(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    aid = ctx.pool["judicial_aid"]
    own, elsewhere = reverse_aid_rows(aid, p)
    aid = aid[own | elsewhere].reset_index(drop=True)
    by_other = elsewhere[own | elsewhere]          # per row of ``aid``: a record of another organ only
    variant = p["aided_elsewhere"] == "drop"
    frame = frame.reset_index(drop=True)
    pet = ctx.pool["petitions"].reset_index(drop=True)
    if not len(frame) or not len(pet):
        out = anti_join(frame, aid, linkage=p["linkage"])
        detail = {"removed": int(len(frame) - len(out))}
        if variant:   # those the procuratorate's own cases would have kept
            kept_by_own = anti_join(frame, aid[~by_other], linkage=p["linkage"])
            detail["removed_aided_elsewhere"] = int(len(kept_by_own) - len(out))
        return out, detail
    # anti_join(frame, aid), and the clues' petitions that 第四步 reads (_clue_texts): one link
    # of the clues against both tables (their keys computed once); the petition pairs of the
    # rows kept, relabelled by their position among them (第四步 resets the index), are
    # link(out, petitions)
    aid_pairs, pet_pairs = link_parts(frame, [(aid, None), (pet, None)], linkage=p["linkage"])
    matched = np.zeros(len(frame), dtype=bool)
    matched[aid_pairs["left"].to_numpy()] = True
    other_only = 0
    if variant:
        by_own = np.zeros(len(frame), dtype=bool)
        pl, pr = aid_pairs["left"].to_numpy(), aid_pairs["right"].to_numpy()
        by_own[pl[~by_other[pr]]] = True
        other_only = int((matched & ~by_own).sum())
    out = frame.loc[~matched].copy()
    new_pos = np.cumsum(~matched) - 1
    left = pet_pairs["left"].to_numpy()
    keep = ~matched[left]
    ctx.results["_petition_pairs"] = pd.DataFrame({"left": new_pos[left[keep]],
                                                   "right": pet_pairs["right"].to_numpy()[keep]})
    detail = {"removed": int(len(frame) - len(out))}
    if variant:   # the published funnel's detail stays as it was
        detail["removed_aided_elsewhere"] = other_only
    return out, detail


def _clue_texts(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Texts read for each clue, one row per (clue, text): its case's documents and the petitions
    of the same person (``_clue`` = the clue's row label). The clue's text is all of them joined
    with a newline; :func:`keywords.keyword_hits` reads them without building that join."""
    pool = ctx.pool
    docs = pool["proc_documents"]
    docs = docs[isin(docs["case_id"], frame["case_id"].dropna())].dropna(subset=["text"])
    own = pd.DataFrame({"_clue": frame.index, "case_id": frame["case_id"]}).dropna(subset=["case_id"])
    parts = [own.merge(docs[["case_id", "text"]], on="case_id")[["_clue", "text"]]]
    pet = pool["petitions"].reset_index(drop=True)
    if len(pet) and len(frame):
        # made by 第三步 with its anti-join (the same clues, in this order), else here
        pairs = ctx.results.get("_petition_pairs")
        if pairs is None:
            pairs = link(frame, pet, linkage=ctx.params["linkage"])
        if len(pairs):
            parts.append(pd.DataFrame({"_clue": pairs["left"].to_numpy(),
                                       "text": pet.loc[pairs["right"], "text"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def _step_keyword_check(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    frame = frame.reset_index(drop=True).copy()
    texts = _clue_texts(frame, ctx)
    lib = p["keywords"]
    wh = keyword_hits(texts["text"], [w for ws in lib.values() for w in ws], negation=p["negation"], groups=texts["_clue"])
    # one boolean matrix, clues × words (a clue without texts has no hit)
    at = wh.index.get_indexer(frame.index)
    hits = np.zeros((len(frame), len(wh.columns)), dtype=bool)
    hits[at >= 0] = wh.to_numpy(dtype=bool)[at[at >= 0]]
    col = {w: i for i, w in enumerate(wh.columns)}
    for cat, words in lib.items():
        frame[cat] = hits[:, [col[w] for w in dict.fromkeys(words)]].any(axis=1)
    frame["categories"] = join_flags(frame, list(lib), "、")
    frame["keywords_hit"] = pd.Series(category_words(hits, list(wh.columns), lib), index=frame.index, dtype="str")
    frame["n_categories"] = frame[list(lib)].sum(axis=1).astype("int64")
    # diversified aid: needs → agencies
    table = needs_table()
    need_flags = pd.DataFrame(index=frame.index)
    order: list[str] = []
    for need in p["default_needs"]:
        need_flags[need] = True
        order.append(need)
    def add(need: str, mask: pd.Series) -> None:
        need_flags[need] = (need_flags[need] | mask) if need in need_flags else mask
        if need not in order:
            order.append(need)

    for cat, needs in p["category_needs"].items():
        m = frame[cat].astype(bool) if cat in frame.columns else pd.Series(False, index=frame.index)
        for need in needs:
            add(need, m)
    regs = frame["registries"].fillna("").astype("str")
    for r, needs in p["registry_needs"].items():
        m = has_item(regs, [r])
        for need in needs:
            add(need, m)
    frame["needs"] = join_flags(need_flags, order, ",")
    agencies: list[str] = []
    for need in order:
        for a in table.get(need, {}).get("agencies", []):
            if a not in agencies:
                agencies.append(a)
    af = pd.DataFrame({a: pd.Series(False, index=frame.index) for a in agencies}, index=frame.index)
    for need in order:
        for a in table.get(need, {}).get("agencies", []):
            af[a] = af[a] | need_flags[need].astype(bool)
    frame["recommended_agencies"] = join_flags(af, agencies, "、")
    frame = frame.sort_values("n_categories", ascending=False, kind="stable")
    detail = {"by_category": {cat: int(frame[cat].sum()) for cat in lib}, "untagged": int((frame["n_categories"] == 0).sum())}
    return frame, detail


STEPS = [
    Step("base_pool", "base pool: civil-supervision applicants, petitioners, criminal suspects",
         "第一步：获取基础数据。调取刑事案件受理数据、民事监督案件数据、司法救助案件数据、申请强制执行案件受理数据，"
         "低保户、防返贫监测对象、残疾人、困难妇女、孤儿、春蕾儿童、失独家庭等数据，形成基础数据池",
         "案例五 （三）数据分析规则 第一步", _step_base_pool),
    Step("collisions", "three collisions with enforcement and special-group data",
         "第二步：数据碰撞。一是民事监督案件申请人、信访人与执行申请人碰撞；二是与特殊群体信息碰撞；"
         "三是犯罪嫌疑人与被执行人碰撞，得到刑事附带民事案件判决后民事执行不到位的救助线索",
         "案例五 （三）数据分析规则 第二步", _step_collisions),
    Step("reverse_comparison", "reverse comparison: remove persons whose aid was accepted or handled",
         "第三步：数据反比对。将检察机关已经受理或办理的司法救助案件从第二步排查出的线索中剔除",
         "案例五 （三）数据分析规则 第三步", _step_reverse),
    Step("keyword_check", "keywords in four categories for manual checking",
         "第四步：设定关键词人工核查。按照人身损害、抚养赡养、教育医疗、经济收入等类别设置关键词，进一步深入挖掘",
         "案例五 （三）数据分析规则 第四步", _step_keyword_check, manual=True),
]


# --------------------------------------------------------------------------- modules
def supervision(ctx: Context, clues: pd.DataFrame) -> pd.DataFrame:
    """法律监督线索: 终本 without full property investigation; administrative inaction."""
    p = ctx.params
    cols = ["kind", "signal", "enforcement_id", "name", "id_number", "filed_on", "closed_on", "days",
            "amount_due", "amount_paid", "detail"]
    enf = ctx.pool["court_enforcements"]
    days = (enf["closed_on"] - enf["filed_on"]).dt.days
    m = (enf["closure"] == p["sup_closure"]) & (days <= p["max_days"]) & (enf["amount_paid"].fillna(0) < enf["amount_due"])
    if p["zero_paid"]:
        m &= enf["amount_paid"].fillna(0) == 0
    if p["scope"] == "clues":
        reached = ctx.results.get("_reached_enforcements", set())
        m &= isin(enf["enforcement_id"], reached)
    e = enf[m]
    ex = pd.DataFrame({"kind": "执行监督", "signal": "终结本次执行未穷尽财产调查",
                       "enforcement_id": e["enforcement_id"], "name": e["applicant_name"],
                       "id_number": e["applicant_id_number"], "filed_on": e["filed_on"], "closed_on": e["closed_on"],
                       "days": days[m], "amount_due": e["amount_due"], "amount_paid": e["amount_paid"],
                       "detail": "立案后" + days[m].astype("Int64").astype("str") + "天即终本，实际到位"
                                 + e["amount_paid"].fillna(0).round(0).astype("Int64").astype("str") + "元"})
    # administrative inaction: harmed / income-less clue persons no agency has helped
    parts = [ex]
    if len(clues):
        cat = pd.Series(False, index=clues.index)
        for c in p["inaction_categories"]:
            if c in clues.columns:
                cat |= clues[c].astype(bool)
        # the harmed / income-less clues (only they are asked about) that neither a social-aid
        # record nor a 低保 registry row pairs with: one link against both tables
        q = clues[cat]
        if len(q):
            sa = ctx.pool["social_aid"].reset_index(drop=True)
            reg = registry_candidates(q, ctx.pool["registries"], p["subsistence_registries"], linkage=p["linkage"])
            helped, on_list = link_parts(q, [(sa, None), (reg, None)], linkage=p["linkage"])
            q = q[~q.index.isin(helped["left"]) & ~q.index.isin(on_list["left"])]
        parts.append(pd.DataFrame({"kind": "行政违法监督", "signal": "行政机关未及时帮扶受害人",
                                   "enforcement_id": None, "name": q["name"], "id_number": q["id_number"],
                                   "filed_on": pd.NaT, "closed_on": pd.NaT, "days": np.nan, "amount_due": np.nan,
                                   "amount_paid": np.nan,
                                   "detail": "关键词（" + q["categories"].astype("str") + "）显示受损，无社会救助记录且不在低保名单"}))
    out = pd.concat([x for x in parts if len(x)], ignore_index=True) if any(len(x) for x in parts) else pd.DataFrame(columns=cols)
    return out[cols].reset_index(drop=True)


def _split_values(s: pd.Series, sep: str) -> pd.Series:
    """``s.str.split(sep).explode()`` without a Python list per row: the parts of the present
    values in row order (missing rows left out), as an object Series, by one Arrow
    ``split_pattern`` (the kernel pandas' ``str.split`` runs for a one-character literal) and
    a flatten."""
    arr = as_arrow(s.astype("str"))
    flat = pc.list_flatten(pc.split_pattern(arr, sep))
    return pd.Series(flat.to_numpy(zero_copy_only=False), dtype=object)


def governance(ctx: Context, clues: pd.DataFrame, sup: pd.DataFrame, funnel: pd.DataFrame) -> pd.DataFrame:
    """社会综合治理 figures in long form: ``figure, label_zh, group, value``."""
    p = ctx.params
    rows = []
    n2 = ctx.results.get("collisions")
    rows.append(("initial_clues", "初始线索（第二步碰撞后）", "全部", float(len(n2) if n2 is not None else 0)))
    rows.append(("clues", "线索（反比对后）", "全部", float(len(clues))))
    removed = float(funnel.loc[funnel["step"] == "reverse_comparison", "n_in"].sum()
                    - funnel.loc[funnel["step"] == "reverse_comparison", "n_out"].sum())
    rows.append(("already_aided", "已受理或办理救助而剔除", "全部", removed))
    if len(clues):
        for k, v in clues["source"].map(DATA_KIND).value_counts().items():
            rows.append(("clues_by_data", "线索数量（按检察数据类别）", str(k), float(v)))
        for tag in p["tags"].values():
            rows.append(("clues_by_collision", "线索数量（按碰撞规则）", tag,
                         float(clues["collisions"].str.contains(tag, regex=False).sum())))
        for cat in p["keywords"]:
            rows.append(("clues_by_category", "线索数量（按关键词类别）", cat, float(clues[cat].sum())))
        needs = _split_values(clues["needs"], ",")
        labels = {k: v.get("label", k) for k, v in needs_table().items()}
        for k, v in needs[needs != ""].value_counts().items():
            rows.append(("clues_by_need", "多元化救助需求人数", labels.get(k, k), float(v)))
        ag = _split_values(clues["recommended_agencies"], "、")
        for k, v in ag[ag != ""].value_counts().items():
            rows.append(("referrals_by_agency", "推送职能部门人数", str(k), float(v)))
        enf = ctx.pool["court_enforcements"]
        reached = enf[isin(enf["enforcement_id"], ctx.results.get("_reached_enforcements", set()))]
        rows.append(("unpaid_amount", "线索涉及执行未到位金额（元）", "全部",
                     float((reached["amount_due"] - reached["amount_paid"].fillna(0)).clip(lower=0).sum())))
    for k, v in (sup["kind"].value_counts().items() if len(sup) else []):
        rows.append(("supervision_clues", "法律监督线索", str(k), float(v)))
    return pd.DataFrame(rows, columns=["figure", "label_zh", "group", "value"])


# --------------------------------------------------------------------------- entry point
def screen(pool, *, linkage: str = "id", negation: str = "plain", petition_categories: list[str] | None = None,
           unpaid_closures: list[str] | None = None, special_groups: list[str] | None = None,
           handled_statuses: list[str] | None = None, aid_agencies: list[str] | None = None,
           keywords: dict | None = None, supervision_max_days: int | None = None,
           supervision_zero_paid: bool | None = None, supervision_scope: str | None = None,
           collision3_basis: str | None = None, aided_elsewhere: str | None = None) -> ModelResult:
    """魏都 一库三模块 (案例五): 基础数据池 → 三碰撞 → 反比对 → 关键词人工核查.

    Parameters
    ----------
    pool : DataPool
    linkage : "id" (published), "id+name" or "fallback" (name + second identifier, lower confidence)
    negation : "plain" (published) or "aware" keyword reading in 第四步
    petition_categories, unpaid_closures, special_groups, handled_statuses, aid_agencies, keywords,
    supervision_max_days, supervision_zero_paid, supervision_scope, collision3_basis :
        overrides of data/models/weidu.yaml / data/keywords/weidu.yaml (``None`` = the data file)
    aided_elsewhere : "keep" (published: 第三步 removes the procuratorate's cases only) or "drop"
        (variant: also persons aided — 决定救助 — by another judicial organ, 法院 or 公安机关;
        seed 003: aid is given once); ``None`` = the data file (``keep``)

    Returns
    -------
    ModelResult: clues (one per person; ``collisions``, ``base_roles``, ``enforcement_ids``,
    ``registries``, the four category flags, ``keywords_hit``, ``needs``,
    ``recommended_agencies``, ``source_field``), lists ``supervision`` and ``governance``.
    """
    if linkage not in ("id", "id+name", "fallback"):
        raise ValueError(f"linkage must be id, id+name or fallback, not {linkage!r}")
    if negation not in ("plain", "aware"):
        raise ValueError(f"negation must be plain or aware, not {negation!r}")
    P = parameters()
    scope = supervision_scope or P["supervision"]["scope"]
    if scope not in ("clues", "all"):
        raise ValueError(f"supervision_scope must be clues or all, not {scope!r}")
    basis = collision3_basis or P["collision"]["collision3_basis"]
    if basis not in ("any", "criminal"):
        raise ValueError(f"collision3_basis must be any or criminal, not {basis!r}")
    elsewhere = aided_elsewhere or P["reverse"]["aided_elsewhere"]
    if elsewhere not in ("keep", "drop"):
        raise ValueError(f"aided_elsewhere must be keep or drop, not {elsewhere!r}")
    params: dict[str, Any] = {
        "linkage": linkage, "negation": negation,
        "civil_business": P["base"]["civil_business"], "civil_roles": P["base"]["civil_roles"],
        "petition_categories": petition_categories or P["base"]["petition_categories"],
        "criminal_business": P["base"]["criminal_business"], "suspect_roles": P["base"]["suspect_roles"],
        "unpaid_closures": unpaid_closures or P["collision"]["unpaid_closures"],
        "special_groups": special_groups or P["collision"]["special_groups"],
        "tags": P["collision"]["tags"], "collision3_basis": basis,
        "handled_statuses": handled_statuses if handled_statuses is not None else P["reverse"]["handled_statuses"],
        "aid_agencies": aid_agencies or P["reverse"]["agencies"],
        "aided_elsewhere": elsewhere, "aided_statuses": P["reverse"]["aided_statuses"],
        "keywords": keywords or keyword_library(),
        "category_needs": P["routing"]["category_needs"], "registry_needs": P["routing"]["registry_needs"],
        "default_needs": P["routing"]["default_needs"],
        "sup_closure": P["supervision"]["closure"],
        "max_days": supervision_max_days if supervision_max_days is not None else P["supervision"]["max_days"],
        "zero_paid": P["supervision"]["zero_paid"] if supervision_zero_paid is None else supervision_zero_paid,
        "scope": scope, "inaction_categories": P["supervision"]["inaction_categories"],
        "subsistence_registries": P["supervision"]["subsistence_registries"],
    }
    pipe = Pipeline(MODEL, STEPS)
    frame, funnel, ctx = pipe.run(None, Context(pool, params))
    coll = ctx.results.get("collisions")
    reached = set()
    if coll is not None and len(coll):
        ids = _split_values(coll["enforcement_ids"], "、")
        reached = set(ids[ids != ""].tolist())
    ctx.results["_reached_enforcements"] = reached
    clues = finalize_clues(frame, MODEL, extra=["collisions", "base_roles", "source_field", "case_id",
                                                "enforcement_ids", "registries", "categories", "keywords_hit",
                                                "needs", *params["keywords"].keys(), "n_categories"])
    clues = clues.drop(columns=[c for c in ("hit_a", "hit_b", "hit_c", "base_role") if c in clues.columns])
    sup = supervision(ctx, clues)
    lists = {"supervision": sup, "governance": governance(ctx, clues, sup, funnel)}
    return ModelResult(MODEL, clues, funnel, lists, params)


__all__ = ["governance", "keyword_library", "parameters", "reverse_aid_rows", "screen", "supervision"]
