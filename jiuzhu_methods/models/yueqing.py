"""案例二 乐清 — 多元联动司法救助大数据模型 (Yueqing: four models, judicial ↔ social aid).

Reproduces 案例二 【数据赋能】(四) 数据分析步骤 of ``shared/seeds/000_…``:

* :func:`m1` 模型1 筛查审查逮捕、审查起诉环节未获赔偿的被害人 (第一步…第四步)
* :func:`m2` 模型2 筛查无法通过诉讼获得赔偿的当事人 (第一步…第五步)
* :func:`m3` 模型3 筛查已开展社会救助人员是否符合司法救助情形 (第一步、第二步)
* :func:`m4` 模型4 筛查出司法救助后可进一步开展社会救助的人员 (第一步…第五步)

Each published step is a :class:`~jiuzhu_methods.core.steps.Step` with the seed's wording; the
parameters (charges, keywords, registry lists, markers) are data in
``data/models/yueqing.yaml``. The reproduction note with the step → code table, parameter
sources and the readings chosen is ``docs/models/yueqing.md``.

Funnel counts: a step that builds a second list (模型2 第二步, 模型4 第二步) reports as
``n_in`` the rows of the table it reads and as ``n_out`` the list; the set operation after
it reports as ``n_in`` the persons it starts from (模型2 第三步: the victims of 第一步;
模型4 第三步: the aided persons of 第一步). The first step of each model reports as ``n_in``
the rows of the table it screens.

Examples
--------
>>> from jiuzhu_methods import DataPool
>>> r = m1(DataPool.from_frames({}))
>>> list(r.funnel["n_out"]), len(r.clues)
([0, 0, 0, 0], 0)
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..core import keywords, linkage as lk
from .. import privacy
from ..core.steps import Context, ModelResult, Pipeline, Step, finalize_clues
from ..core.params import load_params, needs_table, parameter
from ..core.persons import dedupe, person_key
from ..core.registries import SNAPSHOTS, reference_date, registry_rows
from ..core.values import isin, join_agencies, join_by, map_unique

#: readings of 模型1 第二步: the three quoted words (published), or "等内容" read as content
EXCLUSIONS = ("published", "content")
_NO_CONTACT = {"phone_col": None, "address_col": None}
_APPLICANT = {"id_col": "applicant_id_number", "name_col": "applicant_name", "phone_col": None, "address_col": None}


# --------------------------------------------------------------------------- parameters


def _v(*path: str) -> Any:
    return parameter("yueqing", *path)


def content_words() -> list[str]:
    """The "等内容" of 模型1 第二步 under ``exclusion="content"`` (``model1.content_words`` of
    data/models/yueqing.yaml, each word with its source): words that record a payment, a
    settlement or forgiveness without the three quoted words (支付, 原谅, 和解协议 …)."""
    return [str(e["word"]) for e in _v("model1", "content_words")]


def exclusion_words(exclusion: str = "published", exclude_words: list[str] | None = None) -> list[str]:
    """The words 模型1 第二步 tests: the three quoted words (or ``exclude_words``), and under
    ``exclusion="content"`` the content words too (each once, quoted words first)."""
    if exclusion not in EXCLUSIONS:
        raise ValueError(f"exclusion must be one of {EXCLUSIONS}, not {exclusion!r}")
    words = list(exclude_words if exclude_words is not None else _v("model1", "exclude_words"))
    if exclusion == "content":
        words += content_words()
    return list(dict.fromkeys(words))


# --------------------------------------------------------------------------- shared helpers


def semi(frame: pd.DataFrame, right: pd.DataFrame, *, linkage: str = "id", left_cols: dict | None = None,
         right_cols: dict | None = None, collect: str | None = None) -> pd.DataFrame:
    """交集 as :func:`linkage.semi_join` (same rows, ``match``, ``confidence``, ``matched_<collect>``),
    with two differences: the collected values are gathered with one vectorised group-by,
    and the chain keeps its weakest link — when ``frame`` already carries ``match`` /
    ``confidence`` from an earlier match, the lower confidence (and its ``match`` label) is
    kept, so a fallback match is never upgraded to exact later."""
    prev = frame[["match", "confidence"]] if {"match", "confidence"} <= set(frame.columns) else None
    left = frame.drop(columns=["match", "confidence"], errors="ignore")
    pairs = lk.link(left, right, linkage=linkage, left_cols=left_cols, right_cols=right_cols)
    best = (pairs.sort_values(["left", "confidence"], ascending=[True, False], kind="stable")
                 .drop_duplicates("left").set_index("left"))
    out = left.loc[left.index.isin(best.index)].copy()
    out["match"] = best["match"].reindex(out.index).astype("str").to_numpy()
    out["confidence"] = best["confidence"].reindex(out.index).astype("float64").to_numpy()
    if collect:
        v = pd.DataFrame({"left": pairs["left"].to_numpy(),
                          "v": right.loc[pairs["right"], collect].astype("str").to_numpy()})
        v = v.dropna().sort_values(["left", "v"], kind="stable")
        agg = join_by(v["left"].to_numpy(), v["v"])
        out[f"matched_{collect}"] = agg.reindex(out.index).astype("str").to_numpy()
    if prev is not None and len(out):
        pc = prev.loc[out.index]
        weaker = (pc["confidence"] < out["confidence"]).to_numpy()
        out["match"] = out["match"].where(~weaker, pc["match"].astype("str"))
        out["confidence"] = np.fmin(out["confidence"].to_numpy(), pc["confidence"].to_numpy().astype("float64"))
    return out


def _with_n_in(funnel: pd.DataFrame) -> pd.DataFrame:
    """Apply ``detail["n_in"]`` overrides (see module doc) to the funnel."""
    f = funnel.copy()
    for i, d in f["detail"].items():
        if isinstance(d, dict) and "n_in" in d:
            d = dict(d)
            f.at[i, "n_in"] = int(d.pop("n_in"))
            f.at[i, "detail"] = d
    return f


def _manual(label: str, label_zh: str, source: str, name: str) -> Step:
    def passthrough(frame: pd.DataFrame, ctx: Context):
        return frame, {"to_verify": len(frame)}
    return Step(name, label, label_zh, source, passthrough, manual=True)


def infer_needs(frame: pd.DataFrame, pool, *, linkage: str = "id", reference=None,
                case_col: str = "case_id") -> pd.DataFrame:
    """Needs of each row (keys of ``data/needs.yaml``) and the agencies that serve them.

    Needs come from (a) the registries the person is on (any snapshot up to ``reference``),
    (b) keywords in the documents of the person's case (``case_col`` → ``proc_documents``),
    (c) age under ``minor_age`` at the reference date (birth date from the ID), and
    otherwise (d) the default need. Rules: ``needs`` in ``data/models/yueqing.yaml``
    (assumptions, documented there). Returns columns ``needs`` (comma-separated keys, the
    format of ``truth_victims.needs``), ``measures`` (Chinese labels) and ``need_agencies``.
    """
    table = needs_table()
    order = list(table)
    flags = pd.DataFrame(False, index=frame.index, columns=order)
    if len(frame):
        # (a) registries
        reg_map = _v("needs", "from_registries")
        reg = registry_rows(pool, list(reg_map), reference=reference, like=frame, linkage=linkage)
        if len(reg):
            # the registry of each matched pair, by the frame's row label (no contact columns
            # on the left, so the registries' phone and address never take part)
            pairs = lk.link(frame[["name", "id_number"]], reg, linkage=linkage, left_cols=_NO_CONTACT,
                            right_cols=_NO_CONTACT)
            on = pd.Series(reg.loc[pairs["right"], "registry"].to_numpy(), index=pairs["left"].to_numpy())
            for r, needs in reg_map.items():
                rows = on[on == r].index.unique()
                for n in needs:
                    flags.loc[rows, n] = True
        # (b) case documents
        if case_col in frame.columns:
            docs = pool["proc_documents"]
            docs = docs[isin(docs["case_id"], frame[case_col])]
            if len(docs):
                # a word is in a case's concatenated documents iff it is in one of them (no
                # word spans the newline that joins them): test each document, once per need
                text = docs["text"].astype("str")
                for n, words in _v("needs", "from_text").items():
                    hit = text.str.contains("|".join(re.escape(w) for w in words), regex=True, na=False)
                    cases = docs.loc[hit.to_numpy(dtype=bool), "case_id"].unique()
                    flags.loc[isin(frame[case_col], cases).to_numpy(), n] = True
        # (c) minors
        ref = reference if reference is not None else (pool["registries"]["as_of"].max() if len(pool["registries"]) else None)
        if ref is not None and not pd.isna(ref):
            birth = privacy.birth_dates(frame)
            minor = (birth + pd.DateOffset(years=int(_v("needs", "minor_age")))) > pd.Timestamp(ref)
            minor = minor.fillna(False).astype(bool)
            flags.loc[minor, "child"] = True
            flags.loc[minor, "education"] = True
        # (d) default
        none = ~flags.any(axis=1)
        for n in _v("needs", "default"):
            flags.loc[none, n] = True
    needs = pd.Series("", index=frame.index, dtype="str")
    measures = pd.Series("", index=frame.index, dtype="str")
    agencies: dict[str, pd.Series] = {}
    for n in order:
        f = flags[n].to_numpy()
        needs = needs + np.where(f, n + ",", "")
        measures = measures + np.where(f, table[n]["label"] + "、", "")
        for a in table[n]["agencies"]:
            agencies[a] = agencies.get(a, pd.Series(False, index=frame.index)) | flags[n]
    ag = pd.Series("", index=frame.index, dtype="str")
    for a, f in agencies.items():
        ag = ag + np.where(f.to_numpy(), a + "、", "")
    return pd.DataFrame({"needs": needs.str.rstrip(","), "measures": measures.str.rstrip("、"),
                         "need_agencies": ag.str.rstrip("、")}, index=frame.index)


def _check_common(linkage: str, negation: str | None = None, snapshots: str | None = None) -> None:
    lk.check_linkage(linkage)
    if negation is not None:
        keywords.check_negation(negation)
    if snapshots is not None and snapshots not in SNAPSHOTS:
        raise ValueError(f"snapshots must be one of {SNAPSHOTS}, not {snapshots!r}")


def _low_income_step(name: str, label_zh: str, source: str) -> Step:
    def intersect(frame: pd.DataFrame, ctx: Context):
        p = ctx.params
        reg = registry_rows(ctx.pool, p["low_income_registries"], snapshots=p["snapshots"], reference=p["reference"],
                            like=frame, linkage=p["linkage"])
        out = semi(frame, reg, linkage=p["linkage"], left_cols=_NO_CONTACT, right_cols=_NO_CONTACT, collect="registry")
        out, merged = dedupe(out, collect={"source_ref": "source_refs", "case_id": "case_ids",
                                           "matched_registry": "matched_registry"})
        if len(out):
            out["matched_registry"] = map_unique(out["matched_registry"], lambda v: "、".join(sorted(set(v.split("、")))))
        per = {r: int(out["matched_registry"].str.contains(r, regex=False).sum()) if len(out) else 0
               for r in p["low_income_registries"]}
        return out, {"candidate_registry_entries": len(reg), "by_registry": per, "records_merged": merged}
    return Step(name, "intersect with the low-income and grid hardship lists", label_zh, source, intersect)


# --------------------------------------------------------------------------- 模型1
def _m1_cases(frame: pd.DataFrame, ctx: Context):
    p, pool = ctx.params, ctx.pool
    cases = pool["proc_cases"]
    sel = cases[cases["stage"].isin(p["stages"]) & cases["charge"].isin(p["charges"])]
    parties = pool["proc_parties"]
    v = parties[isin(parties["case_id"], sel["case_id"]) & parties["role"].isin(p["roles"])]
    v = v.merge(sel[["case_id", "stage", "charge"]], on="case_id", how="left")
    v["source"] = "proc_parties"
    v["source_ref"] = v["record_id"]
    return v, {"n_in": len(parties), "cases": len(sel)}


def _m1_exclude(frame: pd.DataFrame, ctx: Context):
    p, pool = ctx.params, ctx.pool
    all_docs = pool["proc_documents"]
    at = np.flatnonzero(isin(all_docs["case_id"], frame["case_id"]))
    docs = all_docs.take(at)
    # keyword_counts(text, w) > 0 per word, for all the words at once (keywords.keyword_hits), read
    # from the pool's column (its cut into clauses is kept for the other models, keywords.text_pieces)
    wh = keywords.keyword_hits(all_docs["text"], p["exclude_words"], negation=p["negation"], rows=at)
    per_word = {w: wh[w] for w in wh.columns}
    hit = pd.Series(False, index=docs.index)
    for h in per_word.values():
        hit |= h
    excluded = docs.loc[hit, "case_id"].unique()
    words = {w: int(h.sum()) for w, h in per_word.items()}
    removed = isin(frame["case_id"], excluded)
    rescued = 0
    if p.get("exclude_scope", "case") == "document" and removed.any():
        # literal reading: only the documents go; a victim of such a case stays when a
        # keyword-free document of the case still names them (the victim data is formed
        # from the remaining documents)
        clean = docs.loc[~hit, ["case_id", "text"]]
        cand = frame.loc[removed, ["case_id", "name"]].dropna().reset_index(names="_row")
        pairs = cand.merge(clean, on="case_id")
        if len(pairs):
            named = np.char.find(pairs["text"].to_numpy(dtype=str), pairs["name"].to_numpy(dtype=str)) >= 0
            keep_rows = pairs.loc[named, "_row"].unique()
            rescued = len(keep_rows)
            removed = removed & ~pd.Series(frame.index.isin(keep_rows), index=frame.index)
    out = frame[~removed]
    detail = {"documents_hit": int(hit.sum()), "cases_excluded": len(excluded), "documents_by_word": words}
    if p.get("exclusion", "published") != "published":   # the published funnel stays as it was
        detail["exclusion"] = p["exclusion"]
    if p.get("exclude_scope", "case") == "document":
        detail["kept_named_in_other_documents"] = rescued
    return out, detail


M1_STEPS = [
    Step("m1_cases", "victims of 故意伤害/交通肇事 cases at 审查逮捕/审查起诉",
         "筛选出涉及故意伤害、交通肇事类的审查逮捕、审查起诉文书信息", "案例二 模型1 第一步", _m1_cases),
    Step("m1_exclude_compensated", "remove victims whose case documents mention 调解协议/已赔偿/谅解",
         "剔除包含“调解协议”“已赔偿”“谅解”等内容的文书，形成未获赔偿被害人数据", "案例二 模型1 第二步", _m1_exclude),
    _low_income_step("m1_low_income",
                     "将未获赔偿被害人数据与乐清市低保低边户数据、乡镇街困难弱势群体数据取交集，筛选出属于生活困难人员的被害人信息",
                     "案例二 模型1 第三步"),
    _manual("manual verification of the victims in hardship",
            "对生活困难的被害人情况进行人工核查，确定司法救助对象", "案例二 模型1 第四步", "m1_manual"),
]


def _run(pipeline: Pipeline, pool, params: dict) -> tuple[pd.DataFrame, pd.DataFrame, Context]:
    frame, funnel, ctx = pipeline.run(None, Context(pool, params))
    return frame, _with_n_in(funnel), ctx


def _judicial_clues(frame: pd.DataFrame, pool, params: dict, model: str, extra: list[str]) -> pd.DataFrame:
    """Clues of models 1–3: verification agencies (网格员 household check) + needs agencies."""
    needs = infer_needs(frame, pool, linkage=params["linkage"], reference=params["reference"])
    out = pd.concat([frame, needs], axis=1)
    out["recommended_agencies"] = join_agencies("、".join(_v("verification", "agencies")), needs["need_agencies"],
                                                index=out.index)
    out = out.drop(columns=["need_agencies"])
    return finalize_clues(out, model, extra=extra + ["needs", "measures"])


def m1(pool, *, linkage: str = "id", negation: str = "plain", charges: list[str] | None = None,
       exclude_words: list[str] | None = None, low_income_registries: list[str] | None = None,
       snapshots: str = "any", reference_date: Any = None, exclude_scope: str = "case",
       exclusion: str = "published") -> ModelResult:
    """模型1 筛查审查逮捕、审查起诉环节未获赔偿的被害人 (案例二 模型1 第一步…第四步).

    Parameters
    ----------
    linkage : "id" (published), "id+name" or "fallback" — for 第三步's 取交集
    negation : "plain" (published substring) or "aware" — for 第二步's keywords
    exclude_scope : "case" (default, the spec's reading: a keyword in any document of the case
        removes its victims) or "document" (literal: the documents are removed, and a victim
        named in a remaining keyword-free document of the case stays)
    exclusion : "published" (default: the three quoted words 调解协议, 已赔偿, 谅解) or "content"
        (variant: "等内容" read as content — the words of ``model1.content_words`` too, e.g. a
        刑事和解协议书 recording 支付 and 原谅); combines with ``negation``
    charges, exclude_words, low_income_registries : override the YAML lists
    snapshots : "any" (default: on the list in any snapshot up to the reference date) or "latest"
    reference_date : upper bound on registry snapshots; default ``pool.meta["reference_date"]``
    """
    _check_common(linkage, negation, snapshots)
    if exclude_scope not in ("case", "document"):
        raise ValueError(f"exclude_scope must be 'case' or 'document', not {exclude_scope!r}")
    params = _params(pool, linkage=linkage, negation=negation, charges=charges, exclude_words=exclude_words,
                     low_income_registries=low_income_registries, snapshots=snapshots, reference=reference_date,
                     exclusion=exclusion)
    params["exclude_scope"] = exclude_scope
    frame, funnel, ctx = _run(Pipeline("yueqing.m1", M1_STEPS), pool, params)
    clues = _judicial_clues(frame, pool, params, "yueqing.m1", ["case_id", "stage", "charge", "matched_registry"])
    return ModelResult("yueqing.m1", clues, funnel,
                       lists={"uncompensated_victims": ctx.results["m1_exclude_compensated"]}, params=params)


def _params(pool, *, linkage, negation=None, charges=None, exclude_words=None, low_income_registries=None,
            snapshots="any", reference=None, criminal_causes=None, civil_causes=None, closures=None,
            exclusion="published") -> dict:
    return {
        "linkage": linkage, "negation": negation,
        "stages": list(_v("model1", "stages")), "roles": list(_v("model1", "roles")),
        "charges": list(charges if charges is not None else _v("model1", "charges")),
        "exclusion": exclusion, "exclude_words": exclusion_words(exclusion, exclude_words),
        "low_income_registries": list(low_income_registries if low_income_registries is not None
                                      else _v("low_income", "registries")),
        "snapshots": snapshots, "reference": reference_date(pool, reference),
        "criminal_causes": list(criminal_causes if criminal_causes is not None else _v("model2", "criminal_causes")),
        "civil_causes": list(civil_causes if civil_causes is not None else _v("model2", "civil_causes")),
        "victim_roles": list(_v("model2", "victim_roles")),
        "closures": list(closures if closures is not None else _v("model2", "closures")),
    }


# --------------------------------------------------------------------------- 模型2
def _m2_victims(frame: pd.DataFrame, ctx: Context):
    p, pool = ctx.params, ctx.pool
    j = pool["court_judgments"]
    sel = j[((j["kind"] == "刑事") & j["cause"].isin(p["criminal_causes"]))
            | ((j["kind"] == "民事") & j["cause"].isin(p["civil_causes"]))]
    parties = pool["court_parties"]
    v = parties[isin(parties["judgment_id"], sel["judgment_id"]) & parties["role"].isin(p["victim_roles"])]
    v = v.merge(sel[["judgment_id", "kind", "cause", "case_id"]], on="judgment_id", how="left")
    v["source"] = "court_parties"
    v["source_ref"] = v["record_id"]
    return v, {"n_in": len(parties), "judgments": len(sel),
               "criminal": int((sel["kind"] == "刑事").sum()), "civil": int((sel["kind"] == "民事").sum())}


def _m2_closed(frame: pd.DataFrame, ctx: Context):
    e = ctx.pool["court_enforcements"]
    closed = e[e["closure"].isin(ctx.params["closures"])]
    by = closed["closure"].value_counts().to_dict()
    return closed, {"n_in": len(e), "by_closure": {str(k): int(v) for k, v in by.items()}}


def _m2_intersect(frame: pd.DataFrame, ctx: Context):
    victims = ctx.results["m2_judgment_victims"]
    out = semi(victims, frame, linkage=ctx.params["linkage"], left_cols=_NO_CONTACT, right_cols=_APPLICANT,
                       collect="enforcement_id")
    return out, {"n_in": len(victims), "applicants": len(frame)}


M2_STEPS = [
    Step("m2_judgment_victims", "victims in criminal (故意伤害/交通肇事) and traffic-accident civil judgments",
         "筛选出法院涉及故意伤害、交通肇事类的刑事判决文书和涉及交通事故的民事判决文书，提取出受害人数据要素",
         "案例二 模型2 第一步", _m2_victims),
    Step("m2_closed_enforcements", "applicants of enforcement cases closed 终结执行/终结本次执行",
         "筛选出法院执行文书中有关终结执行、终止本次执行的执行文书，并提取出申请执行人数据要素",
         "案例二 模型2 第二步", _m2_closed),
    Step("m2_intersect", "victims ∩ applicants of closed enforcements (possibly uncompensated)",
         "将刑事案件、民事案件的受害人数据与法院终结执行、终止本次执行的申请执行人数据取交集，得到可能存在未获赔偿的情形",
         "案例二 模型2 第三步", _m2_intersect),
    _low_income_step("m2_low_income",
                     "将未获赔偿人的受害人数据与乐清市低保低边户数据、乡镇街困难弱势群体数据进行比对，得到可能未获赔偿的生活困难人员",
                     "案例二 模型2 第四步"),
    _manual("manual verification of the possibly uncompensated persons in hardship",
            "对可能未获赔偿的生活困难人员情况进行人工核查，确定申请司法救助对象", "案例二 模型2 第五步", "m2_manual"),
]


def m2(pool, *, linkage: str = "id", criminal_causes: list[str] | None = None, civil_causes: list[str] | None = None,
       closures: list[str] | None = None, low_income_registries: list[str] | None = None,
       snapshots: str = "any", reference_date: Any = None) -> ModelResult:
    """模型2 筛查无法通过诉讼获得赔偿的当事人 (案例二 模型2 第一步…第五步).

    ``linkage`` applies to 第三步 (受害人 ∩ 申请执行人) and 第四步 (∩ low-income lists).
    """
    _check_common(linkage, None, snapshots)
    params = _params(pool, linkage=linkage, criminal_causes=criminal_causes, civil_causes=civil_causes,
                     closures=closures, low_income_registries=low_income_registries, snapshots=snapshots,
                     reference=reference_date)
    frame, funnel, ctx = _run(Pipeline("yueqing.m2", M2_STEPS), pool, params)
    clues = _judicial_clues(frame, pool, params, "yueqing.m2",
                            ["judgment_id", "kind", "cause", "case_id", "matched_enforcement_id", "matched_registry"])
    return ModelResult("yueqing.m2", clues, funnel,
                       lists={"uncompensated_victims": ctx.results["m2_intersect"]}, params=params)


# --------------------------------------------------------------------------- 模型3
def _m3_match(frame: pd.DataFrame, ctx: Context):
    sa = ctx.pool["social_aid"]
    ref = ctx.params["reference"]
    if ref is not None:
        sa = sa[sa["granted_on"] <= ref]
    out = semi(frame, sa, linkage=ctx.params["linkage"], left_cols=_NO_CONTACT, collect="aid_type")
    out, merged = dedupe(out, collect={"via": "via", "source_ref": "source_refs", "case_id": "case_ids",
                                           "matched_aid_type": "matched_aid_type"})
    out["path_tag"] = out["via"]
    by = out["via"].value_counts().to_dict() if len(out) else {}
    return out, {"social_aid_rows": len(sa), "by_model": {str(k): int(v) for k, v in by.items()},
                 "records_merged": merged}


M3_STEPS = [
    Step("m3_social_aid", "social-aid recipients ∩ uncompensated victims of models 1 and 2",
         "将社会大救助服务中心已开展救助人员数据与前两个模型中排查出的未获赔偿受害人数据进行匹配分析，筛选出可能存在需要司法救助情形的人员",
         "案例二 模型3 第一步", _m3_match),
    _manual("manual verification; aid those who qualify",
            "对上述排查出的人员进行人工核查，符合司法救助条件的，进行司法救助", "案例二 模型3 第二步", "m3_manual"),
]


def m3(pool, *, linkage: str = "id", negation: str = "plain", exclude_scope: str = "case",
       reference_date: Any = None, exclusion: str = "published") -> ModelResult:
    """模型3 筛查已开展社会救助人员是否符合司法救助情形 (案例二 模型3 第一步、第二步).

    Runs models 1 and 2 and takes their uncompensated victims (模型1 after 第二步, 模型2 after
    第三步; before any low-income filter), then intersects with ``social_aid`` (records up to
    the reference date). ``negation``, ``exclude_scope`` and ``exclusion`` are passed to model 1, ``linkage``
    to model 2 第三步 and to the match with ``social_aid``. The funnels of the two models are in
    ``lists``.
    """
    _check_common(linkage, negation)
    if exclude_scope not in ("case", "document"):
        raise ValueError(f"exclude_scope must be 'case' or 'document', not {exclude_scope!r}")
    params = _params(pool, linkage=linkage, negation=negation, reference=reference_date, exclusion=exclusion)
    params["exclude_scope"] = exclude_scope
    _, f1, c1 = _run(Pipeline("yueqing.m1", M1_STEPS), pool, params)
    _, f2, c2 = _run(Pipeline("yueqing.m2", M2_STEPS), pool, params)
    u1 = c1.results["m1_exclude_compensated"].assign(via="模型1")
    u2 = c2.results["m2_intersect"].assign(via="模型2")
    cols = ["name", "id_number", "source", "source_ref", "case_id", "via", "match", "confidence", "rule_path"]
    union = pd.concat([u1.reindex(columns=cols), u2.reindex(columns=cols)], ignore_index=True)
    union["rule_path"] = union["rule_path"].astype("str")
    frame, funnel, ctx = Pipeline("yueqing.m3", M3_STEPS).run(union, Context(pool, params))
    clues = _judicial_clues(frame, pool, params, "yueqing.m3", ["via", "case_id", "matched_aid_type"])
    return ModelResult("yueqing.m3", clues, funnel,
                       lists={"m1_funnel": f1, "m2_funnel": f2, "uncompensated_victims": union}, params=params)


# --------------------------------------------------------------------------- 模型4
def _m4_aided(frame: pd.DataFrame, ctx: Context):
    ja = ctx.pool["judicial_aid"]
    sel = ja[ja["status"].isin(ctx.params["aid_status"])].copy()
    if ctx.params["reference"] is not None:
        sel = sel[sel["decided_on"].isna() | (sel["decided_on"] <= ctx.params["reference"])]
    sel["source"] = "judicial_aid"
    sel["source_ref"] = sel["aid_id"]
    sel = sel.rename(columns={"agency": "aid_agency"})
    out, merged = dedupe(sel, collect={"source_ref": "source_refs", "case_id": "case_ids", "aid_agency": "aid_agency"})
    return out, {"n_in": len(ja), "aid_records": len(sel), "records_merged": merged}


def _m4_social(frame: pd.DataFrame, ctx: Context):
    sa = ctx.pool["social_aid"]
    out = sa
    if ctx.params["reference"] is not None:
        out = sa[sa["granted_on"] <= ctx.params["reference"]]
    return out, {"n_in": len(sa)}


def _m4_difference(frame: pd.DataFrame, ctx: Context):
    aided = ctx.results["m4_judicial_aid"]
    out = lk.anti_join(aided, frame, linkage=ctx.params["linkage"], left_cols=_NO_CONTACT)
    return out, {"n_in": len(aided), "already_social_aid": len(aided) - len(out)}


def local_split(frame: pd.DataFrame, pool, *, county_code: str, markers: list[str], case_col: str = "case_id") -> pd.DataFrame:
    """第五步: ``local_by_id`` (the 18-character normalised ID starts with ``county_code``),
    ``local_by_text`` (a clause of the person's case documents holds the person's name and a
    marker such as 户籍地乐清), ``local`` = either, and ``local_signal`` naming which."""
    # the area code from the ID digits, or from the companion column of a pseudonymised pool
    by_id = (privacy.area_codes(frame) == str(county_code)).fillna(False).astype(bool)
    by_text = pd.Series(False, index=frame.index)
    docs = pool["proc_documents"]
    if case_col in frame.columns and len(frame) and len(docs):
        docs = docs[isin(docs["case_id"], frame[case_col])]
        cl = docs[["case_id"]].assign(clause=docs["text"].str.split(r"[。；;\n]", regex=True)).explode("clause")
        cl = cl[cl["clause"].notna()]
        cl = cl[keywords.contains_any(cl["clause"].astype("str"), markers)] if len(cl) else cl
        if len(cl):
            pairs = (frame[[case_col, "name"]].rename(columns={case_col: "case_id"}).reset_index(names="_row")
                     .dropna().merge(cl, on="case_id"))
            if len(pairs):
                found = np.char.find(pairs["clause"].to_numpy(dtype=str), pairs["name"].to_numpy(dtype=str)) >= 0
                rows = pairs.loc[found, "_row"].unique()
                by_text.loc[rows] = True
    by_id = by_id.astype(bool)
    sig = np.where(by_id & by_text, "身份证号+文书", np.where(by_id, "身份证号", np.where(by_text, "文书", "")))
    return pd.DataFrame({"local": (by_id | by_text).astype(bool), "local_by_id": by_id, "local_by_text": by_text,
                         "local_signal": pd.Series(sig, index=frame.index, dtype="str")}, index=frame.index)


def _m4_local(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    markers = p["local_text_markers"] if p["text_signal"] else []
    loc = local_split(frame, ctx.pool, county_code=p["county_code"], markers=markers)
    out = pd.concat([frame, loc], axis=1)
    out["path_tag"] = pd.Series(np.where(out["local"], "本地", "外地"), index=out.index, dtype="str")
    return out, {"local": int(loc["local"].sum()), "non_local": int((~loc["local"]).sum()),
                 "local_by_text_only": int((loc["local_by_text"] & ~loc["local_by_id"]).sum())}


M4_STEPS = [
    Step("m4_judicial_aid", "persons who received judicial aid (决定救助)",
         "筛选出已开展司法救助的人员数据，提取被救助人数据要素", "案例二 模型4 第一步", _m4_aided),
    Step("m4_social_aid", "persons who received social aid (社会大救助服务中心)",
         "筛选出社会大救助服务中心已开展救助人员数据，提取被救助人数据要素", "案例二 模型4 第二步", _m4_social),
    Step("m4_difference", "judicial-aid recipients − social-aid recipients",
         "从开展司法救助的人员数据中剔除已开展社会救助的数据，确定已开展司法救助但尚未开展社会救助的人员数据",
         "案例二 模型4 第三步", _m4_difference),
    _manual("manual document review and investigation of each case",
            "针对个案进行人工文书审查、调查，确定需要进一步开展社会救助的人员数据", "案例二 模型4 第四步", "m4_manual"),
    Step("m4_local_split", "split local (户籍乐清 / ID prefix) and non-local persons; suggest measures",
         "通过对文书中“户籍地乐清”“乐清籍人员身份证号前缀数字”等字段予以筛查，区分需要救助的本地人员及外来人员，针对不同人员建议社会救助中心开展对应救助措施",
         "案例二 模型4 第五步", _m4_local),
]


def m4(pool, *, linkage: str = "id", county_code: str | None = None, text_signal: bool = True,
       reference_date: Any = None) -> ModelResult:
    """模型4 筛查出司法救助后可进一步开展社会救助的人员 (案例二 模型4 第一步…第五步).

    Parameters
    ----------
    linkage : "id" (published), "id+name" or "fallback" — for 第三步's 差集
    county_code : the county's 6-digit code (``None`` or ``""``: ``pool.meta["county_code"]``, else 330382 乐清市)
    text_signal : also read 户籍地乐清-type markers in the aid case's documents (第五步's text field)
    reference_date : aid and social aid up to this date; default ``pool.meta["reference_date"]``

    The clues carry ``local`` (bool), the suggested measures (``needs``/``measures``) and
    ``recommended_agencies`` (社会大救助服务中心 + the agencies of the needs; non-local clues
    also 户籍地民政部门). ``result.params["target"] == "social"``: the evaluation target is
    social-aid eligibility.
    """
    _check_common(linkage)
    params = _params(pool, linkage=linkage, reference=reference_date)
    # "" or None: the pool's county (notebooks and the CLI pass strings)
    code = str(county_code).strip() if county_code not in (None, "") else (pool.meta.get("county_code") or "330382")
    name = str(pool.meta.get("county_name") or "乐清")
    short = name[:-1] if len(name) > 2 and name[-1] in "市县区" else name
    if isinstance(text_signal, str):
        text_signal = text_signal.strip().lower() not in ("false", "0", "no", "")
    params.update({"county_code": str(code), "text_signal": bool(text_signal),
                   "aid_status": list(_v("model4", "aid_status")),
                   "local_text_markers": [m.format(county=short) for m in _v("model4", "local_text_markers")],
                   "target": "social"})
    frame, funnel, ctx = _run(Pipeline("yueqing.m4", M4_STEPS), pool, params)
    needs = infer_needs(frame, pool, linkage=linkage, reference=params["reference"])
    out = pd.concat([frame, needs], axis=1)
    nonlocal_ref = pd.Series(np.where(out["local"].astype(bool), "", _v("model4", "nonlocal_referral")),
                             index=out.index, dtype="str") if len(out) else pd.Series([], dtype="str")
    out["recommended_agencies"] = join_agencies(_v("model4", "social_centre"), needs["need_agencies"], nonlocal_ref,
                                                index=out.index)
    out = out.drop(columns=["need_agencies"])
    clues = finalize_clues(out, "yueqing.m4", extra=["local", "local_signal", "needs", "measures", "case_id",
                                                      "aid_agency", "amount"])
    return ModelResult("yueqing.m4", clues, funnel, params=params)


__all__ = ["EXCLUSIONS", "content_words", "exclusion_words", "isin", "join_by", "map_unique", "semi", "load_params", "local_split", "infer_needs", "m1", "m2", "m3", "m4", "registry_rows", "dedupe",
           "person_key", "reference_date", "join_agencies"]
