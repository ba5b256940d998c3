"""案例三 磐安 — 司法救助"一件事"平台: 智能筛查、分级救助、社会帮扶、监督治理.

Reproduction of the Pan'an (Zhejiang) model of the SPP's first batch of big-data judicial
aid cases (``shared/seeds/000_…``, 案例三). The published text gives the architecture but
not the rules' contents; every reconstructed piece is data with its source
(``data/models/panan.yaml``, ``data/keywords/panan.yaml``) and the reproduction note is
``docs/models/panan.md``.

``screen(pool, *, linkage="id", negation="plain", ...)`` runs, in order:

=====================  ==============================================================
step                   published wording (案例三)
=====================  ==============================================================
``charge_models``      根据罪名不同设置8个分析模型 — victims (被害人, 近亲属) of criminal cases
                       whose 罪名 belongs to one of eight charge families
``keyword_features``   梳理6类62个关键词或近似词 … 通过OCR识别抓取数字卷宗关键词 — the keyword
                       library matched in the case's documents
``registry_collision`` 同步生成被害人特征信息与已归集的重点困难群体专题数据库信息等比对碰撞 —
                       registries, 涉法涉诉 petitions, unpaid enforcements
``decision_tree``      以判定树实现数据建模 … "红、橙、黄"三色分级预警 — grade per victim
``already_aided``      闭环管理: persons whose judicial aid is decided or being handled leave
``hardship_score``     设置不同权重系数，分级判定困难程度，分档次推荐拟救助金额
``aid_stage``          根据案件实际，自动推荐救助阶段
``measures``           精准识别救助类型，智能匹配救助措施 (needs → agencies)
``one_per_person``     为涉案困难群众精准画像 — one clue per person, highest grade kept
=====================  ==============================================================

Further outputs in ``result.lists``: ``social_referrals`` (暂不符合司法救助但符合社会救助条件,
pushed by 浙政钉), ``supervision`` (监督治理 figures: handling days, average amount, fund use
by month) and ``procedural_not_aided`` (依法申请却因程序问题未应救尽救).

Examples
--------
>>> print(describe_tree().splitlines()[0])
判定树（案例三 数据研判规则：红、橙、黄三色分级预警）
"""
from __future__ import annotations

import re
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import privacy
from ..core import yaml_io
from ..core.identity import str_series
from ..core.keywords import joined_true, keyword_hits
from ..core.linkage import anti_join, dedupe_persons, link
from ..core.steps import Context, ModelResult, Pipeline, Step, finalize_clues
from ..core.collide import collide, link_parts
from ..core.params import data_file, needs_table, values_of
from ..core.registries import registry_candidates, registry_people
from ..core.values import category_words, has_item, isin, join_flags, join_nonempty

MODEL = "panan.screen"
GRADES = ["红", "橙", "黄"]
NO_GRADE = "无"

#: the features the decision tree may ask about, with their Chinese questions
FEATURES: dict[str, str] = {
    "compensated": "文书含赔偿、和解或谅解类字样（且无\"未获赔偿\"类表述）？",
    "death": "文书显示被害人因案死亡？",
    "serious_harm": "文书显示重伤、伤残或丧失劳动能力？",
    "low_income": "本人或申请人在低收入名单（低保、特困、低保边缘、低收入、防返贫监测等）？",
    "uncompensated": "赔偿无望（文书\"未获赔偿/无力赔偿/在逃\"等，或执行终结未足额到位）？",
    "hardship_or_special": "文书显示经济困难、系家庭主要劳动力，或属特殊群体？",
    "hardship_evidence": "有困难证据（在重点困难群体名单，或文书显示经济困难、系家庭主要劳动力）？",
    "special_and_uncompensated": "属特殊群体（老年人、未成年人、妇女、残疾人等）且赔偿无望？",
    "registry_or_special": "在重点困难群体名单，或属特殊群体（老年人、未成年人、妇女、残疾人等）？",
    "uncompensated_or_hardship": "赔偿无望或文书显示经济困难？",
    "hardship_or_aid_wish": "文书显示经济困难，或有救助意愿/涉法涉诉信访？",
    "on_registry": "在重点困难群体名单？",
    "hardship": "文书显示经济困难？",
    "special_group": "属特殊群体？",
    "aid_wish": "有救助意愿或涉法涉诉信访？",
}


# --------------------------------------------------------------------------- parameters


def parameters() -> dict[str, dict[str, Any]]:
    """The published-reading parameters: ``{section: {name: value}}`` from data/models/panan.yaml
    (copies; the decision tree, a section that is one parameter, stands for its value)."""
    return values_of("panan")


def keyword_library() -> dict[str, dict[str, list[str]]]:
    """The 6-category library: ``{category: {group: [words]}}`` (data/keywords/panan.yaml)."""
    raw = data_file("data/keywords/panan.yaml")
    return {c: {g: list(w) for g, w in v["groups"].items()} for c, v in raw["categories"].items()}


def compensated_words() -> list[str]:
    return list(data_file("data/keywords/panan.yaml")["exclusions"]["compensated"]["words"])


def _amount_data() -> dict | None:
    """data/amount/panan.yaml if the amount module provides one (owned by amount.py)."""
    try:
        f = resources.files("jiuzhu_methods").joinpath("data/amount/panan.yaml")
        if f.is_file():
            return yaml_io.safe_load(f.read_text("utf-8"))
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover
        pass
    return None


# --------------------------------------------------------------------------- decision tree
def _leaves(node: dict, path: tuple = ()) -> list[tuple[tuple, dict]]:
    if "leaf" in node:
        return [(path, node)]
    out = []
    for branch in ("是", "否"):
        out += _leaves(node[branch], path + ((node["node"], branch),))
    return out


def tree_rules(tree: dict | None = None) -> pd.DataFrame:
    """The tree as a table: one row per leaf with its grade, its conditions and its reason
    (``reason``: the evidence placeholders as their labels, :func:`reason_label`;
    ``reason_template``: as written in the data file)."""
    tree = tree or parameters()["decision_tree"]
    rows = []
    for path, leaf in _leaves(tree):
        rows.append({"leaf": leaf["leaf"], "grade": leaf["grade"],
                     "conditions": " 且 ".join(f"{n}={b}" for n, b in path),
                     "conditions_zh": " 且 ".join(f"{FEATURES.get(n, n).rstrip('？')}：{b}" for n, b in path),
                     "reason": reason_label(leaf.get("reason", "")),
                     "reason_template": leaf.get("reason", "")})
    return pd.DataFrame(rows)


def describe_tree(tree: dict | None = None) -> str:
    """The decision tree as readable indented text (printed in reports)."""
    tree = tree or parameters()["decision_tree"]
    lines = ["判定树（案例三 数据研判规则：红、橙、黄三色分级预警）"]

    def walk(node: dict, prefix: str) -> None:
        lines.append(f"{prefix}[{node['node']}] {FEATURES.get(node['node'], node['node'])}")
        for i, branch in enumerate(("是", "否")):
            child = node[branch]
            last = i == 1
            head = prefix + ("└─ " if last else "├─ ")
            if "leaf" in child:
                lines.append(f"{head}{branch} → {child['leaf']} {child['grade']}：{reason_label(child.get('reason', ''))}")
            else:
                lines.append(f"{head}{branch} ↓")
                walk(child, prefix + ("   " if last else "│  "))

    walk(tree, "")
    return "\n".join(lines)


# --------------------------------------------------------------------------- reasons
#: a placeholder of a reason template: ``{item}`` or ``{item+item}`` (items of ``reasons.evidence``)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
#: what an item renders as on a row where nothing was found for it
NOTHING_FOUND = "未见记录"


def reason_evidence() -> dict[str, dict]:
    """``reasons.evidence`` of data/models/panan.yaml: item → ``label``, ``words`` (keyword
    groups), ``flags`` (feature or column → phrase)."""
    return parameters()["reasons"]["evidence"]


def _placeholder_items(template: str, evidence: dict) -> list[list[str]]:
    """The items of each placeholder of ``template``; an unknown item is a ValueError."""
    out = []
    for m in _PLACEHOLDER.finditer(template):
        items = [x.strip() for x in m.group(1).split("+")]
        bad = [x for x in items if x not in evidence]
        if bad:
            raise ValueError(f"reason {template!r} names unknown evidence {', '.join(map(repr, bad))}; "
                             f"known: {', '.join(evidence)} (data/models/panan.yaml reasons.evidence)")
        out.append(items)
    return out


def reason_label(template: Any, evidence: dict | None = None) -> Any:
    """A reason template as the tree prints it: each placeholder replaced by its items'
    ``label`` (joined with "或"); a reason without placeholders (or not a string) unchanged.

    >>> reason_label("{death}（因案死亡），困难情况待核")
    '文书含死亡类字样（因案死亡），困难情况待核'
    """
    if not isinstance(template, str) or "{" not in template:
        return template
    evidence = reason_evidence() if evidence is None else evidence
    labels = iter(["或".join(str(evidence[x].get("label", x)) for x in items)
                   for items in _placeholder_items(template, evidence)])
    return _PLACEHOLDER.sub(lambda _m: next(labels), template)


def evidence_columns(evidence: dict) -> list[str]:
    """The frame columns rendering ``evidence`` reads: ``kw_words_<item>`` and the flags."""
    cols = []
    for item, spec in evidence.items():
        if spec.get("words"):
            cols.append(f"kw_words_{item}")
        cols += list((spec.get("flags") or {}).keys())
    return list(dict.fromkeys(cols))


def _evidence_array(frame: pd.DataFrame, item: str, evidence: dict) -> np.ndarray:
    """:func:`evidence_text` as a numpy array of Python strings (one per row of ``frame``)."""
    spec = evidence[item]
    n = len(frame)
    parts = []
    if spec.get("words"):
        col = f"kw_words_{item}"
        w = frame[col].fillna("").astype("str").to_numpy(dtype=object) if col in frame.columns \
            else np.full(n, "", dtype=object)
        parts.append(np.where(w != "", "文书含" + w + "等字样", ""))
    for flag, phrase in (spec.get("flags") or {}).items():
        on = frame[flag].fillna(False).to_numpy(dtype=bool) if flag in frame.columns else np.zeros(n, dtype=bool)
        parts.append(np.where(on, str(phrase), ""))
    return join_nonempty(parts, "、") if parts else np.full(n, "", dtype=object)


def evidence_text(frame: pd.DataFrame, item: str, evidence: dict) -> pd.Series:
    """What was found for one evidence item on each row of ``frame`` (a graded victims frame):
    文书含"w1""w2"等字样 for the item's keyword words the case file contains (column
    ``kw_words_<item>``, written by the keyword step), then the phrase of each of its flags that
    is true, joined with "、"; "" where nothing was found. Vectorised over rows."""
    return pd.Series(_evidence_array(frame, item, evidence), index=frame.index, dtype="str")


def _distinct_rows_of(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(positions of one row per distinct combination of ``cols``, each row's combination number):
    the rows of ``frame`` told apart by those columns only (missing values equal to each other)."""
    n = len(frame)
    combo = np.zeros(n, dtype=np.int64)
    for c in cols:
        codes, uniques = pd.factorize(frame[c], use_na_sentinel=False)
        combo = combo * (len(uniques) + 1) + codes
        combo = np.unique(combo, return_inverse=True)[1].ravel()   # kept dense: no overflow
    _, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def render_reason(template: Any, frame: pd.DataFrame, evidence: dict | None = None) -> pd.Series:
    """A reason template filled in for each row of ``frame``: each placeholder ``{a+b}`` becomes
    the evidence found for its items on that row (:func:`evidence_text`, joined with "、"), or
    "未见记录" where none was. A template without placeholders is the same text on every row.

    Reasons drawn from keyword features so say what was read (文书含"谅解"等字样), not what it
    would mean if it were true (issue #15 item 4).

    A reason depends on a row only through the evidence columns its placeholders read
    (:func:`evidence_columns`): each distinct combination of them is rendered once."""
    evidence = reason_evidence() if evidence is None else evidence
    text = "" if template is None or (isinstance(template, float) and np.isnan(template)) else str(template)
    if "{" not in text:
        return pd.Series(text, index=frame.index, dtype="str")
    placeholders = _placeholder_items(text, evidence)
    items = list(dict.fromkeys(x for its in placeholders for x in its))
    cols = [c for c in evidence_columns({x: evidence[x] for x in items}) if c in frame.columns]
    first, inverse = _distinct_rows_of(frame, cols)
    sub = frame[cols].iloc[first]
    found = {x: _evidence_array(sub, x, evidence) for x in items}
    out = np.full(len(sub), "", dtype=object)
    pos = 0
    for m, its in zip(_PLACEHOLDER.finditer(text), placeholders):
        f = join_nonempty([found[x] for x in its], "、")
        out = out + text[pos:m.start()] + np.where(f != "", f, NOTHING_FOUND)
        pos = m.end()
    out = out + text[pos:]
    return pd.Series(out[inverse] if len(frame) else np.zeros(0, dtype=object), index=frame.index, dtype="str")


def _leaf_reasons(frame: pd.DataFrame, tree: dict, evidence: dict) -> pd.Series:
    """``grade_reason`` of graded rows (``tree_leaf`` set by :func:`apply_tree`): each leaf's
    reason template rendered on its rows (one pass per leaf with placeholders, not per row)."""
    out = frame["grade_reason"].astype("str").to_numpy(dtype=object).copy()
    leaf = frame["tree_leaf"].astype("str").to_numpy(dtype=object)
    cols = [c for c in evidence_columns(evidence) if c in frame.columns]
    for _path, node in _leaves(tree):
        tpl = node.get("reason", "")
        if not isinstance(tpl, str) or "{" not in tpl:
            continue
        rows = np.flatnonzero(leaf == str(node["leaf"]))
        if len(rows):
            out[rows] = render_reason(tpl, frame[cols].iloc[rows], evidence).to_numpy(dtype=object)
    return pd.Series(out, index=frame.index, dtype="str")


def apply_tree(features: pd.DataFrame, tree: dict | None = None) -> pd.DataFrame:
    """Grade each row of a boolean feature frame: columns ``grade``, ``tree_leaf``,
    ``tree_path`` (e.g. ``compensated=否>death=是>…``) and ``grade_reason`` (the leaf's reason,
    evidence placeholders as their labels: :func:`reason_label`; the screen fills them in per
    victim with the words found, :func:`render_reason`).

    Vectorised: one boolean mask per tree node, not one pass per row.
    """
    tree = tree or parameters()["decision_tree"]
    idx = features.index
    # each row's leaf as a number (0 = no leaf reached: the defaults), then one take per column
    leaf = np.zeros(len(idx), dtype=np.intp)
    values: list[tuple] = [(NO_GRADE, "", "", "")]
    bools: dict[str, np.ndarray] = {}

    def walk(node: dict, mask: np.ndarray, path: str) -> None:
        if not mask.any():
            return
        if "leaf" in node:
            leaf[mask] = len(values)
            values.append((node["grade"], node["leaf"], path, reason_label(node.get("reason", ""))))
            return
        f = node["node"]
        if f not in features.columns:
            raise KeyError(f"decision tree asks about unknown feature {f!r}; known: {', '.join(FEATURES)}")
        if f not in bools:
            bools[f] = features[f].fillna(False).astype(bool).to_numpy()
        v = bools[f]
        sep = ">" if path else ""
        walk(node["是"], mask & v, f"{path}{sep}{f}=是")
        walk(node["否"], mask & ~v, f"{path}{sep}{f}=否")

    walk(tree, np.ones(len(idx), dtype=bool), "")
    # each column: the leaves' values as strings (as the "str" dtype casts them), taken by Arrow
    take = pa.array(leaf, type=pa.int64())
    text = lambda k: pa.array([None if v[k] is None else str(v[k]) for v in values], type=pa.large_string())  # noqa: E731
    return pd.DataFrame({c: str_series(text(k).take(take), idx)
                         for k, c in enumerate(("grade", "tree_leaf", "tree_path", "grade_reason"))})


# --------------------------------------------------------------------------- helpers


def word_hits(texts: pd.Series, words: list[str], negation: str) -> pd.DataFrame:
    """One boolean column per distinct word: the text has an (affirmed) occurrence."""
    return keyword_hits(texts, words, negation=negation)


def _id_attributes(frame: pd.DataFrame) -> pd.DataFrame:
    """``birth_date`` and ``sex`` per row as :func:`privacy.birth_dates` / :func:`privacy.sexes`
    give them (the companion columns of a pseudonymised pool, else the ID digits), with the
    ID digits read once for both."""
    comp = {w: "id_number" + privacy.ATTRIBUTE_SUFFIXES[w] for w in ("birth_date", "sex")}
    digits = None if all(c in frame.columns for c in comp.values()) else privacy.id_attributes(frame["id_number"])
    return pd.DataFrame({w: frame[c] if c in frame.columns else digits[w] for w, c in comp.items()}, index=frame.index)


def _ages(frame: pd.DataFrame, on: pd.Series, birth: pd.Series | None = None) -> pd.Series:
    # birth dates from the ID digits, or from the companion column of a pseudonymised pool
    birth = privacy.birth_dates(frame) if birth is None else birth
    on = pd.to_datetime(on)
    years = on.dt.year - birth.dt.year
    before = (on.dt.month < birth.dt.month) | ((on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day))
    return (years - before.astype("int64")).astype("float64")


def _reference_date(pool, params: dict) -> pd.Timestamp:
    if params.get("reference_date") is not None:
        return pd.Timestamp(params["reference_date"])
    meta = getattr(pool, "meta", {}) or {}
    for k in ("reference_date", "as_of", "snapshot_date", "end_date"):
        if meta.get(k):
            return pd.Timestamp(meta[k])
    aid = pool["judicial_aid"]
    dates = pd.concat([aid[c] for c in ("applied_on", "decided_on", "paid_on")]).dropna()
    return pd.Timestamp(dates.max()) if len(dates) else pd.Timestamp("1970-01-01")


# --------------------------------------------------------------------------- steps
def _step_charge_models(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    cases = ctx.pool["proc_cases"]
    cases = cases[cases["business"].isin(p["businesses"])]
    charge_to_family = {c: fam for fam, spec in p["charge_models"].items() for c in spec["charges"]}
    fam = cases["charge"].map(charge_to_family)
    cases = cases.assign(analysis_model=fam.astype("str"))[fam.notna()]
    parties = ctx.pool["proc_parties"]
    parties = parties[parties["role"].isin(p["roles"])]
    out = parties.merge(cases[["case_id", "charge", "stage", "accepted_on", "analysis_model"]], on="case_id", how="inner")
    out = out.reset_index(drop=True)
    out["path_tag"] = out["analysis_model"]
    detail = {"by_model": {k: int(v) for k, v in out["analysis_model"].value_counts().sort_index().items()},
              "cases": int(out["case_id"].nunique())}
    return out, detail


def _step_keyword_features(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    neg = p["negation"]
    lib = p["keywords"]
    all_docs = ctx.pool["proc_documents"]
    case_ids = pd.Index(frame["case_id"].unique(), name="case_id")
    rows = np.flatnonzero(isin(all_docs["case_id"], case_ids))   # a str Index: its Arrow array is the value set
    # the case's text is all its documents (keywords.texts_by); each distinct word is matched
    # once per distinct clause of them (keywords.keyword_hits), then OR-ed into groups / joined per category
    words_all = list(dict.fromkeys([w for groups in lib.values() for ws in groups.values() for w in ws]
                                   + list(p["compensated_words"])))
    # read from the pool's column (its cut into clauses is kept for the other models, keywords.text_pieces)
    wh = keyword_hits(all_docs["text"], words_all, negation=neg, groups=all_docs["case_id"], rows=rows)
    # one boolean matrix, cases (in frame order) × words; a case without documents has no hit
    at = wh.index.get_indexer(case_ids)
    hits = np.zeros((len(case_ids), len(wh.columns)), dtype=bool)
    hits[at >= 0] = wh.to_numpy(dtype=bool)[at[at >= 0]]
    col = {w: i for i, w in enumerate(wh.columns)}
    any_of = lambda words: hits[:, [col[w] for w in words]].any(axis=1)  # noqa: E731
    per_case: dict[str, np.ndarray] = {}
    categories = {}
    for cat, groups in lib.items():
        for g, words in groups.items():
            per_case[f"kw_{g}"] = any_of(list(words))
        categories[cat] = list(dict.fromkeys(w for ws in groups.values() for w in ws))
        per_case[f"cat_{cat}"] = any_of(categories[cat])
    per_case["kw_compensated"] = any_of(list(p["compensated_words"]))
    per_case["keywords_hit"] = category_words(hits, list(wh.columns), categories)
    # the words each evidence item of the reasons names (文书含"w1""w2"等字样): per case, the
    # item's words that hit, quoted, in library order; groups absent from an overridden library
    # contribute no words (as their features are false)
    group_words = {g: list(ws) for groups in lib.values() for g, ws in groups.items()}
    group_words["compensated"] = list(p["compensated_words"])
    texts = ["keywords_hit"]
    for item, spec in p["reason_evidence"].items():
        if not spec.get("words"):
            continue
        ws = list(dict.fromkeys(w for g in spec["words"] for w in group_words.get(g, [])))
        per_case[f"kw_words_{item}"] = joined_true(hits[:, [col[w] for w in ws]], [f'"{w}"' for w in ws],
                                                    "").to_numpy(zero_copy_only=False)
        texts.append(f"kw_words_{item}")
    # each row gets its case's columns (a left merge on case_id: frame order, columns appended)
    pos = case_ids.get_indexer(frame["case_id"])
    out = frame.drop(columns=[c for c in per_case if c in frame.columns]).reset_index(drop=True)
    add = pd.DataFrame({c: v[pos] for c, v in per_case.items() if c not in texts})
    for c in texts:
        add[c] = pd.Series(per_case[c][pos], dtype="str")
    out = pd.concat([out, add], axis=1)
    detail = {"by_category": {cat: int(out[f"cat_{cat}"].sum()) for cat in lib}, "documents": int(len(rows))}
    # the family applies after a death: drop the deceased 被害人 where 近亲属 exist
    if p["family_after_death"] and len(out):
        has_family = isin(out["case_id"], out.loc[out["role"] == "近亲属", "case_id"])
        drop = out["kw_death"] & has_family & (out["role"] == "被害人")
        detail["deceased_replaced_by_family"] = int(drop.sum())
        out = out[~drop].reset_index(drop=True)
    return out, detail


def _step_registry_collision(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    lk = p["linkage"]
    frame = frame.reset_index(drop=True)
    reg = registry_candidates(frame, ctx.pool["registries"], p["key_groups"], linkage=lk)
    pet = ctx.pool["petitions"]
    pet = pet[pet["category"] == "涉法涉诉"].reset_index(drop=True)
    enf = ctx.pool["court_enforcements"]
    unpaid = enf[enf["closure"].isin(p["unpaid_closures"]) & (enf["amount_paid"] < enf["amount_due"])].reset_index(drop=True)
    applicant = {"id_col": "applicant_id_number", "name_col": "applicant_name"}
    # the victims against the three tables: one link (their keys computed once), pairs split per table
    reg_pairs, pet_pairs, enf_pairs = link_parts(frame, [(reg, None), (pet, None), (unpaid, applicant)], linkage=lk)
    r = collide(frame, reg, linkage=lk, collect="registry", pairs=reg_pairs)
    frame["registries"] = r["collected"] if "collected" in r else ""
    frame["registry_match"] = r["match"]
    frame["registry_confidence"] = r["confidence"]
    regs = frame["registries"].fillna("").astype("str")
    frame["low_income"] = has_item(regs, p["low_income"])
    frame["on_registry"] = r["hit"].astype(bool)
    frame["special_registry"] = has_item(regs, p["special_groups"])
    frame["disabled_registry"] = has_item(regs, ["持证残疾人"])
    rp = collide(frame, pet, linkage=lk, pairs=pet_pairs)
    frame["petition_match"] = rp["hit"].astype(bool)
    re_ = collide(frame, unpaid, linkage=lk, right_cols=applicant, pairs=enf_pairs)
    frame["enforcement_unpaid"] = re_["hit"].astype(bool)
    # the clue's own linkage quality: the best collision that contributed (a case-file-only clue is exact)
    conf = pd.concat([r["confidence"], rp["confidence"], re_["confidence"]], axis=1)
    best = conf.fillna(-1).to_numpy().argmax(axis=1)
    matches = np.stack([r["match"].astype(object).to_numpy(), rp["match"].astype(object).to_numpy(),
                        re_["match"].astype(object).to_numpy()], axis=1)
    chosen = matches[np.arange(len(frame)), best] if len(frame) else np.array([], dtype=object)
    frame["match"] = pd.Series(chosen, index=frame.index, dtype="str").fillna("case")
    frame["confidence"] = conf.max(axis=1).fillna(1.0)
    detail = {"registry_hits": int(frame["on_registry"].sum()), "low_income": int(frame["low_income"].sum()),
              "petition_hits": int(frame["petition_match"].sum()),
              "enforcement_unpaid": int(frame["enforcement_unpaid"].sum())}
    return frame, detail


def features_of(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    """The decision-tree features of each victim row (after keyword and registry steps)."""
    f = pd.DataFrame(index=frame.index)
    b = lambda c: frame[c].fillna(False).astype(bool) if c in frame.columns else pd.Series(False, index=frame.index)  # noqa: E731
    attrs = _id_attributes(frame)
    age = _ages(frame, frame["accepted_on"], attrs["birth_date"])
    sex = attrs["sex"]
    women_families = [k for k, v in params["charge_models"].items() if "women" in (v.get("focus") or [])]
    women_focus = frame["analysis_model"].isin(women_families) & (sex == "女").fillna(False).astype(bool)
    f["death"] = b("kw_death")
    f["serious_injury"] = b("kw_serious_injury")
    f["injury"] = b("kw_injury")
    f["severe_disability"] = b("kw_severe_disability")
    f["disability"] = b("kw_disability")
    f["serious_harm"] = f["serious_injury"] | f["severe_disability"] | f["disability"]
    f["low_income"] = b("low_income")
    f["on_registry"] = b("on_registry")
    f["hardship"] = b("kw_hardship")
    f["breadwinner"] = b("kw_breadwinner")
    f["elderly_by_age"] = (age >= params["elderly_age"]).fillna(False).astype(bool)
    f["minor_by_age"] = (age < params["minor_age"]).fillna(False).astype(bool)
    f["elderly"] = b("kw_elderly") | f["elderly_by_age"]
    f["minor"] = b("kw_minor") | f["minor_by_age"]
    f["women_focus"] = women_focus
    f["women"] = b("kw_women") | women_focus
    f["disabled_person"] = b("kw_disabled_person") | b("disabled_registry")
    f["special_group"] = (f["elderly"] | f["minor"] | f["women"] | f["disabled_person"] | b("kw_veteran")
                          | b("special_registry"))
    f["uncompensated"] = b("kw_uncompensated") | b("kw_offender_unavailable") | b("enforcement_unpaid")
    f["compensated"] = b("kw_compensated") & ~f["uncompensated"]
    f["aid_wish"] = b("kw_aid_wish") | b("kw_petition") | b("petition_match")
    f["sexual_offence"] = (frame["analysis_model"] == "性侵害").fillna(False).astype(bool)
    f["hardship_or_special"] = f["hardship"] | f["breadwinner"] | f["special_group"]
    f["registry_or_special"] = f["on_registry"] | f["special_group"]
    f["uncompensated_or_hardship"] = f["uncompensated"] | f["hardship"] | f["breadwinner"]
    f["hardship_or_aid_wish"] = f["hardship"] | f["breadwinner"] | f["aid_wish"]
    f["hardship_evidence"] = f["on_registry"] | f["hardship"] | f["breadwinner"]
    f["special_and_uncompensated"] = f["special_group"] & f["uncompensated"]
    f["age"] = age
    return f


def _step_decision_tree(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    frame = frame.reset_index(drop=True)
    f = features_of(frame, p)
    g = apply_tree(f, p["decision_tree"])
    feat_cols = [c for c in f.columns if c not in frame.columns]
    full = pd.concat([frame, f[feat_cols], g], axis=1)
    # the leaves' reasons name the evidence found on each row (文书含"谅解"等字样), not a fact
    full["grade_reason"] = _leaf_reasons(full, p["decision_tree"], p["reason_evidence"])
    full["special_group_kinds"] = join_flags(pd.DataFrame({"老年人": f["elderly"], "未成年人": f["minor"],
                                                            "妇女": f["women"], "残疾人": f["disabled_person"]}),
                                              ["老年人", "未成年人", "妇女", "残疾人"], "、")
    ctx.results["_graded_all"] = full
    out = full[full["grade"].isin(GRADES)].copy()
    out["path_tag"] = out["grade"] + ":" + out["tree_leaf"]
    detail = {"by_grade": {k: int((full["grade"] == k).sum()) for k in GRADES + [NO_GRADE]},
              "by_leaf": {k: int(v) for k, v in full["tree_leaf"].value_counts().sort_index().items()}}
    return out, detail


def _aid_pairs(aid: pd.DataFrame, graded: pd.DataFrame, linkage: str) -> pd.DataFrame:
    """``link(aid, graded)``: every judicial-aid record (``aid``, the pool's table with a
    ``RangeIndex``) against the graded victims (``graded``, positions as labels)."""
    return link(aid, graded, linkage=linkage)


def _step_already_aided(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    aid = ctx.pool["judicial_aid"].reset_index(drop=True)
    frame = frame.reset_index(drop=True)
    # anti_join(frame, aid of the aided statuses) from one link of every aid record with the
    # graded victims (the pairing rules are symmetric and each record pairs by its own keys):
    # procedural_not_aided links the same records with the same victims, so it reads these
    # pairs (ctx.results["_aid_pairs"]) instead of computing both sides' keys again
    pairs = _aid_pairs(aid, frame, p["linkage"])
    ctx.results["_aid_pairs"] = pairs
    aided = aid["status"].isin(p["aided_statuses"]).to_numpy(dtype=bool)
    matched = np.zeros(len(frame), dtype=bool)
    matched[pairs["right"].to_numpy()[aided[pairs["left"].to_numpy()]]] = True
    out = frame.loc[~matched].copy()
    return out, {"removed": int(len(frame) - len(out))}


def _band_table(p: dict, meta: dict | None = None) -> tuple[float, dict]:
    """Monthly wage and bands: the pool's own ``meta["avg_monthly_wage"]`` (the county the data
    describe) first, else data/amount/panan.yaml (the amount module's profile), else ours."""
    wage = float(p["monthly_wage"])
    if meta and isinstance(meta.get("avg_monthly_wage"), (int, float)):
        return float(meta["avg_monthly_wage"]), p["bands"]
    amt = _amount_data()
    if amt:  # the amount module's county profile, when present
        for key in ("monthly_wage", "average_monthly_wage", "local_monthly_wage"):
            v = amt.get(key)
            if isinstance(v, dict):
                v = v.get("value")
            if isinstance(v, (int, float)):
                wage = float(v)
                break
    return wage, p["bands"]


def _step_hardship_score(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    w = p["weights"]
    score = pd.Series(0.0, index=frame.index)
    for feat, pts in w.items():
        if feat in frame.columns:
            score = score + frame[feat].fillna(False).astype(bool) * float(pts)
    frame = frame.copy()
    frame["hardship_score"] = score.clip(upper=float(p["cap"]))
    levels = sorted(p["levels"], key=lambda x: x["min"])
    level = pd.Series(levels[0]["level"], index=frame.index, dtype="str")
    for lv in levels[1:]:
        level = level.where(frame["hardship_score"] < lv["min"], lv["level"])
    frame["difficulty"] = level
    wage, bands = _band_table(p, getattr(ctx.pool, "meta", None))
    lo = level.map({k: v[0] * wage for k, v in bands.items()}).astype("float64")
    hi = level.map({k: v[1] * wage for k, v in bands.items()}).astype("float64")
    frame["amount_low"] = lo
    frame["amount_high"] = hi
    frame["amount_band"] = (lo.round(0).astype("Int64").astype("str") + "–" + hi.round(0).astype("Int64").astype("str") + "元")
    return frame, {"by_difficulty": {k: int(v) for k, v in level.value_counts().sort_index().items()},
                   "monthly_wage": wage}


def _step_aid_stage(frame: pd.DataFrame, ctx: Context):
    p = ctx.params
    frame = frame.copy()
    stage = frame["stage"].map(p["stage_map"]).astype("str")
    jud = ctx.pool["court_judgments"]
    jud = jud[(jud["kind"] == "刑事") & isin(jud["case_id"], frame["case_id"])]
    enf = ctx.pool["court_enforcements"]
    enf_cases = jud.loc[isin(jud["judgment_id"], enf["judgment_id"].dropna()), "case_id"]
    stage = stage.where(~isin(frame["case_id"], jud["case_id"]), p["court_stages"]["judgment"])
    stage = stage.where(~isin(frame["case_id"], enf_cases), p["court_stages"]["enforcement"])
    frame["aid_stage"] = stage.fillna(frame["stage"].astype("str"))
    return frame, {"by_stage": {k: int(v) for k, v in frame["aid_stage"].value_counts().sort_index().items()}}


def needs_and_agencies(flags: pd.DataFrame, need_rules: dict) -> pd.DataFrame:
    """``needs`` (comma-separated need keys) and ``recommended_agencies`` ("、"-joined) from features.

    One boolean matrix per table (rows × needs, rows × agencies), each joined by
    :func:`keywords.joined_true`, not a frame built column by column."""
    table = needs_table()
    n = len(flags)
    needs_list = list(need_rules)
    nf = np.zeros((n, len(needs_list)), dtype=bool)
    for k, (need, feats) in enumerate(need_rules.items()):
        for ft in feats:
            if ft in flags.columns:
                nf[:, k] |= flags[ft].fillna(False).astype(bool).to_numpy(dtype=bool)
    agencies: list[str] = []
    for need in need_rules:
        for a in table.get(need, {}).get("agencies", []):
            if a not in agencies:
                agencies.append(a)
    col = {a: j for j, a in enumerate(agencies)}
    af = np.zeros((n, len(agencies)), dtype=bool)
    for k, need in enumerate(needs_list):
        for a in table.get(need, {}).get("agencies", []):
            af[:, col[a]] |= nf[:, k]
    labels = [table.get(nd, {}).get("label", nd) for nd in needs_list]
    return pd.DataFrame({"needs": str_series(joined_true(nf, needs_list, ","), flags.index),
                         "needs_zh": str_series(joined_true(nf, labels, "、"), flags.index),
                         "recommended_agencies": str_series(joined_true(af, agencies, "、"), flags.index)},
                        index=flags.index)


def _step_measures(frame: pd.DataFrame, ctx: Context):
    frame = frame.copy()
    na = needs_and_agencies(frame, ctx.params["need_rules"])
    for c in na.columns:
        frame[c] = na[c]
    return frame, {"with_agencies": int((frame["recommended_agencies"] != "").sum())}


def _sort_codes(s: pd.Series) -> np.ndarray:
    """Integer codes that order like ``s`` in ``sort_values`` (missing values last)."""
    codes, uniques = pd.factorize(s, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by grade rank, score (descending), case and record — as a stable
    ``sort_values`` of those four columns, by one ``np.lexsort`` (stable) of numbers and of the
    sorted codes of the two id columns, and one ``take`` of the rows."""
    rank = frame["grade"].map({g: i for i, g in enumerate(GRADES + [NO_GRADE])}).fillna(9)
    score = frame["hardship_score"] if "hardship_score" in frame.columns else pd.Series(0.0, index=frame.index)
    keys = [rank.to_numpy(dtype="float64"), (-score).to_numpy(dtype="float64"),
            _sort_codes(frame["case_id"]), _sort_codes(frame["record_id"])]
    if any(np.isnan(k).any() for k in keys[:2]):  # pragma: no cover - rank and score are never missing
        return (frame.assign(_r=rank, _s=-score)
                .sort_values(["_r", "_s", "case_id", "record_id"], kind="stable").drop(columns=["_r", "_s"]))
    return frame.take(np.lexsort(keys[::-1]))


def _step_one_per_person(frame: pd.DataFrame, ctx: Context):
    ordered = _order(frame)
    out = dedupe_persons(ordered)
    return out, {"merged": int(len(frame) - len(out))}


STEPS = [
    Step("charge_models", "victims of the eight charge-family analysis models",
         "根据罪名不同设置8个分析模型（故意伤害、交通肇事、命案、养老诈骗、性侵害、抢劫抢夺、盗窃毁财、虐待遗弃）",
         "案例三 （三）数据研判规则; （二） 根据罪名不同设置8个分析模型", _step_charge_models),
    Step("keyword_features", "6-category keyword library matched in the digital case file",
         "梳理6类62个关键词或近似词，通过OCR识别抓取数字卷宗关键词", "案例三 （三）数据研判规则", _step_keyword_features),
    Step("registry_collision", "collide victims with the key hardship-group registries, petitions, enforcements",
         "同步生成被害人特征信息与已归集的重点困难群体专题数据库信息等比对碰撞得出结论",
         "案例三 （三）数据研判规则", _step_registry_collision),
    Step("decision_tree", "decision tree: red / orange / yellow warning grade",
         "以判定树实现数据建模 … 对救助需求进行\"红、橙、黄\"三色分级预警", "案例三 （三）数据研判规则", _step_decision_tree),
    Step("already_aided", "remove persons whose judicial aid is decided or being handled",
         "跟进救助办理动态，实现对救助案件办理的全流程闭环管理（已决定救助、已受理的不再推送）",
         "案例三 （四）分类救助 (reading)", _step_already_aided),
    Step("hardship_score", "weighted hardship score → difficulty grade → recommended amount band",
         "通过设置不同权重系数，分级判定困难程度，分档次推荐拟救助金额", "案例三 （四）分类救助", _step_hardship_score),
    Step("aid_stage", "recommended aid stage from the case's procedural stage",
         "根据案件实际，自动推荐救助阶段", "案例三 （四）分类救助", _step_aid_stage),
    Step("measures", "matched aid measures: needs → agencies",
         "精准识别救助类型，智能匹配救助措施，提高困难群众需求清单和救助部门服务清单的匹配度",
         "案例三 （四）分类救助", _step_measures),
    Step("one_per_person", "one portrait per person (highest grade kept)",
         "以结论汇聚为基础，为涉案困难群众精准画像", "案例三 （三）数据研判规则", _step_one_per_person),
]


# --------------------------------------------------------------------------- lists
def social_referrals(ctx: Context, clues: pd.DataFrame) -> pd.DataFrame:
    """暂不符合司法救助但符合社会救助条件 → pushed list (浙政钉).

    Reading: victims the tree leaves without a grade (compensation-type words in the file, or
    no hardship signal strong enough) who nevertheless show a social-aid condition
    (``social_referral.conditions``: by default hardship evidence — a key-group registry, or
    hardship / breadwinner words in the file) and are not judicial-aid clues themselves.
    ``reason`` = "判定暂不符合司法救助：<the leaf's reason>；符合社会救助条件：<evidence>", both
    naming what was read (文书含"谅解"等字样, 在重点困难群体名单), never a keyword hit as a fact.
    """
    p = ctx.params
    full = ctx.results.get("_graded_all")
    cols = ["name", "id_number", "source", "source_ref", "case_id", "analysis_model", "tree_leaf", "reason",
            "registries", "needs", "needs_zh", "recommended_agencies", "push_to"]
    if full is None or full.empty:
        return pd.DataFrame(columns=cols)
    social = pd.Series(False, index=full.index)
    for feat in p["social_conditions"]:
        social |= full[feat].fillna(False).astype(bool)
    # only the columns read below: the linkage keys (anti_join, dedupe_persons), the sort keys,
    # the reason, the need features and the listed ones (those not set here)
    need = {"name", "id_number", "phone", "address", "case_id", "record_id", "grade_reason", *cols,
            *(f for feats in p["need_rules"].values() for f in feats), *evidence_columns(p["reason_evidence"])}
    keep = ((full["grade"] == NO_GRADE) & social).to_numpy(dtype=bool)
    ref = full.loc[keep, [c for c in full.columns if c in need]]
    if ref.empty:
        return pd.DataFrame(columns=cols)
    ref = anti_join(ref.reset_index(drop=True), clues, linkage=p["linkage"]) if len(clues) else ref
    # sorted by case and record as a stable sort_values of the two, by one np.lexsort of their codes
    ref = dedupe_persons(ref.take(np.lexsort([_sort_codes(ref["record_id"]), _sort_codes(ref["case_id"])])))
    # both halves name what was read: the leaf's evidence and the social-aid condition's
    ref["reason"] = ("判定暂不符合司法救助：" + ref["grade_reason"] + "；符合社会救助条件："
                     + render_reason(p["social_condition_reason"], ref, p["reason_evidence"]))
    na = needs_and_agencies(ref, p["need_rules"])
    for c in na.columns:
        ref[c] = na[c]
    ref["source"] = "proc_parties"
    ref["source_ref"] = ref["record_id"]
    ref["push_to"] = p["push_to"]
    return ref[cols].reset_index(drop=True)


def supervision(pool, params: dict) -> pd.DataFrame:
    """监督治理 figures in long form: ``figure, label_zh, period, value, unit``."""
    aid = pool["judicial_aid"]
    aid = aid[aid["agency"].isin(params["supervision_agencies"])]
    rows = []
    days = (aid["decided_on"] - aid["applied_on"]).dt.days
    decided = aid[aid["status"] == "决定救助"]
    amounts = decided["amount"].dropna()
    rows += [
        ("cases", "救助案件数", "全部", float(len(aid)), "件"),
        ("decided", "决定救助案件数", "全部", float(len(decided)), "件"),
        ("handling_days_mean", "案件办理天数（平均）", "全部", float(days.mean()) if days.notna().any() else np.nan, "天"),
        ("handling_days_median", "案件办理天数（中位数）", "全部", float(days.median()) if days.notna().any() else np.nan, "天"),
        ("handling_days_max", "案件办理天数（最长）", "全部", float(days.max()) if days.notna().any() else np.nan, "天"),
        ("amount_mean", "案均救助金额", "全部", float(amounts.mean()) if len(amounts) else np.nan, "元"),
        ("amount_total", "救助资金总额", "全部", float(amounts.sum()), "元"),
    ]
    when = decided["paid_on"].fillna(decided["decided_on"])
    by_month = decided.assign(_m=when.dt.strftime("%Y-%m")).dropna(subset=["_m"]).groupby("_m")["amount"].agg(["sum", "count"])
    total = float(amounts.sum())
    cum = 0.0
    for m, r in by_month.sort_index().iterrows():  # one row per month (a handful), not per record
        cum += float(r["sum"])
        rows.append(("fund_use", "救助资金使用（当月发放）", str(m), float(r["sum"]), "元"))
        rows.append(("fund_use_cases", "救助资金使用（当月件数）", str(m), float(r["count"]), "件"))
        rows.append(("fund_use_cumulative_share", "救助资金使用进度（累计占比）", str(m), cum / total if total else np.nan, "比例"))
    return pd.DataFrame(rows, columns=["figure", "label_zh", "period", "value", "unit"])


def procedural_not_aided(ctx: Context) -> pd.DataFrame:
    """依法申请却因程序问题未应救尽救: refused applicants with eligible features, long-pending ones."""
    p = ctx.params
    pool = ctx.pool
    aid = pool["judicial_aid"].reset_index(drop=True)
    cols = ["aid_id", "name", "id_number", "agency", "status", "applied_on", "decided_on", "days_pending",
            "reason", "grade"]
    if aid.empty:
        return pd.DataFrame(columns=cols)
    ref = _reference_date(pool, p)
    full = ctx.results.get("_graded_all")
    # the graded victims' identity columns (those link reads) and grade only; their order does
    # not matter: each applicant takes the highest grade among its pairs, equal ranks being one grade
    graded = (full.loc[full["grade"].isin(GRADES), [c for c in ("name", "id_number", "phone", "address", "grade")
                                                    if c in full.columns]].reset_index(drop=True)
              if full is not None else pd.DataFrame())
    aid["grade"] = pd.Series(None, index=aid.index, dtype="str")
    if len(graded):
        # the pairs already_aided made (the same aid records, the same graded victims in the
        # same order), or made here when the step did not run in this context
        pairs = ctx.results.get("_aid_pairs")
        if pairs is None:
            pairs = _aid_pairs(aid, graded, p["linkage"])
        if len(pairs):
            gr = graded["grade"]
            first = pairs.assign(_g=gr.loc[pairs["right"]].to_numpy(),
                                 _r=gr.loc[pairs["right"]].map({x: i for i, x in enumerate(GRADES)}).to_numpy())
            first = first.sort_values(["left", "_r"], kind="stable").drop_duplicates("left").set_index("left")
            aid.loc[first.index, "grade"] = first["_g"].astype("str")
    days = (ref - aid["applied_on"]).dt.days
    aid["days_pending"] = days.where(aid["status"] == "已受理")
    refused = aid["status"].isin(p["refused_statuses"]) & aid["grade"].notna()
    pending = (aid["status"] == "已受理") & aid["decided_on"].isna() & (days > p["pending_days"])
    aid["reason"] = np.where(refused, aid["status"].astype("str") + "，但研判具备救助特征（" + aid["grade"].fillna("") + "）",
                             np.where(pending, "已受理" + days.astype("Int64").astype("str") + "天未决定", ""))
    return aid.loc[refused | pending, cols].reset_index(drop=True)


# --------------------------------------------------------------------------- entry point
def screen(pool, *, linkage: str = "id", negation: str = "plain", charge_models: dict | None = None,
           keywords: dict | None = None, decision_tree: dict | None = None, weights: dict | None = None,
           key_groups: list[str] | None = None, low_income: list[str] | None = None,
           aided_statuses: list[str] | None = None, family_after_death: bool | None = None,
           pending_days: int | None = None, reference_date: Any = None) -> ModelResult:
    """磐安 智能筛查 → 分级救助 → 社会帮扶 → 监督治理 (案例三).

    Parameters
    ----------
    pool : DataPool
    linkage : "id" (published, exact valid IDs), "id+name" or "fallback" (name + second identifier)
    negation : "plain" (published substring reading) or "aware" (negated keywords do not count)
    charge_models, keywords, decision_tree, weights, key_groups, low_income, aided_statuses,
    family_after_death, pending_days :
        overrides of data/models/panan.yaml and data/keywords/panan.yaml (``None`` = the data file)
    reference_date : date for "long pending" (default: ``pool.meta`` or the latest aid date)

    Returns
    -------
    ModelResult with clues (``grade`` 红/橙/黄, ``tree_leaf``, ``tree_path``, ``analysis_model``,
    ``keywords_hit``, ``registries``, ``hardship_score``, ``difficulty``, ``amount_band``,
    ``aid_stage``, ``needs``, ``recommended_agencies`` …) and lists ``social_referrals``,
    ``supervision``, ``procedural_not_aided``, ``decision_tree`` (the rules as a table).
    """
    if linkage not in ("id", "id+name", "fallback"):
        raise ValueError(f"linkage must be id, id+name or fallback, not {linkage!r}")
    if negation not in ("plain", "aware"):
        raise ValueError(f"negation must be plain or aware, not {negation!r}")
    P = parameters()
    params: dict[str, Any] = {
        "linkage": linkage, "negation": negation,
        "businesses": P["screening"]["businesses"], "roles": P["screening"]["roles"],
        "charge_models": charge_models or P["screening"]["charge_models"],
        "family_after_death": P["screening"]["family_after_death"] if family_after_death is None else family_after_death,
        "keywords": keywords or keyword_library(), "compensated_words": compensated_words(),
        "key_groups": key_groups or P["registries"]["key_groups"],
        "low_income": low_income or P["registries"]["low_income"],
        "special_groups": P["registries"]["special_groups"],
        **P["features"],
        "decision_tree": decision_tree or P["decision_tree"],
        "aided_statuses": aided_statuses if aided_statuses is not None else P["already_aided"]["statuses"],
        "weights": weights or P["hardship_score"]["weights"],
        "cap": P["hardship_score"]["cap"], "levels": P["hardship_score"]["levels"],
        "monthly_wage": P["amount"]["monthly_wage"], "bands": P["amount"]["bands"],
        "stage_map": P["aid_stage"]["stage_map"], "court_stages": P["aid_stage"]["court_stages"],
        "need_rules": P["measures"]["needs"], "push_to": P["social_referral"]["push_to"],
        "social_conditions": P["social_referral"]["conditions"],
        "social_condition_reason": P["social_referral"]["condition_reason"],
        "reason_evidence": P["reasons"]["evidence"],
        "pending_days": pending_days if pending_days is not None else P["supervision"]["pending_days"],
        "refused_statuses": P["supervision"]["refused_statuses"],
        "supervision_agencies": P["supervision"]["agencies"],
        "reference_date": reference_date,
    }
    pipe = Pipeline(MODEL, STEPS)
    frame, funnel, ctx = pipe.run(None, Context(pool, params))
    # the frame of one_per_person is in _order already (a stable re-sort would change nothing)
    clues = finalize_clues(frame, MODEL, source="proc_parties", source_ref="record_id",
                           extra=["grade", "tree_leaf", "grade_reason", "analysis_model", "charge", "case_id", "role",
                                  "keywords_hit", "registries", "hardship_score", "difficulty", "amount_low",
                                  "amount_high", "amount_band", "aid_stage", "needs", "needs_zh", "tree_path",
                                  "special_group_kinds"])
    clues = clues.drop(columns=[c for c in clues.columns if c.startswith(("kw_", "cat_")) or c == "fault"])
    lists = {
        "social_referrals": social_referrals(ctx, clues),
        "supervision": supervision(pool, params),
        "procedural_not_aided": procedural_not_aided(ctx),
        "decision_tree": tree_rules(params["decision_tree"]),
    }
    return ModelResult(MODEL, clues, funnel, lists, params)


__all__ = ["FEATURES", "GRADES", "NOTHING_FOUND", "apply_tree", "registry_people", "compensated_words", "describe_tree",
           "evidence_columns", "evidence_text", "features_of", "keyword_library", "needs_and_agencies", "parameters",
           "procedural_not_aided", "reason_evidence", "reason_label", "render_reason", "screen", "social_referrals",
           "supervision", "tree_rules"]
