"""培训练习 — case exercises for new 控告申诉 staff, drawn from a synthetic county and scored
against its hidden truth.

The published models only *prepare* a decision (a clue list for manual checking). What a
new handler has to practise is the decision itself: for one person, are the legal
conditions of 国家司法救助 met (seed ``003``; 案例一 研判规则一至三), how much aid does the 灌云
standard give (案例一 模型二), and which agencies should the person be referred to. This
module draws such cases from a synthetic pool, renders them as case cards a trainee can read
(identity masked, names inside texts masked), asks the questions, keeps the answer key apart
(explained from the truth tables and from each model's rule path) and grades answer sheets.

Kinds of cards (a balanced set: each kind at least once when the pool has one)

=================  ========================================================================
``true_positive``  eligible under the truth, and at least one model flags the person
``missed``         eligible under the truth, but no model flags the person (看不见的对象)
``settled_trap``   looks like a clue, but the case was settled: a document says 谅解 (研判规则一)
``suspect_trap``   a 犯罪嫌疑人 who sits on a low-income list — not a victim at all
``namesake_trap``  a victim whose registry search hits a same-name stranger (仅姓名一致)
=================  ========================================================================

Difficulty (``easy``, ``medium``, ``hard``): the share of traps grows, the cards give fewer
hints (easy cards say how each registry hit matched and show only the key documents; hard
cards show every document in full and leave the matching to the trainee).

Examples
--------
>>> from jiuzhu_methods.synth import generate                        # doctest: +SKIP
>>> pool = generate("guanyun", scale=0.005, seed=7)                  # doctest: +SKIP
>>> ex = make_exercises(pool, n=10, seed=1, difficulty="medium")      # doctest: +SKIP
>>> print(ex.cards[0].markdown())                                     # doctest: +SKIP
>>> report = grade(ex.perfect_sheet(), ex)                            # doctest: +SKIP
>>> report.summary["score"]                                           # doctest: +SKIP
100.0

Command line: ``jiuzhu exercise POOL --out DIR`` writes ``cards.html``, ``cards.xlsx`` (with
a blank 答题卡 sheet), ``answer_sheet.xlsx`` and, separately, ``key.html``, ``key.xlsx``,
``key.json``; ``jiuzhu exercise --grade SHEET --key DIR/key.json`` grades a sheet.
"""
from __future__ import annotations

import html as _html
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .core import identity, yaml_io
from . import privacy
from .core.amount import aid_amount, cap_of, load_standard
from .models.guanyun import hardship_tier

# --------------------------------------------------------------------------- vocabularies
KINDS: dict[str, str] = {
    "true_positive": "真阳性：符合条件且模型命中",
    "missed": "漏筛：符合条件但无模型命中",
    "settled_trap": "陷阱：已和解/谅解",
    "suspect_trap": "陷阱：犯罪嫌疑人在低收入名单",
    "namesake_trap": "陷阱：同名不同人",
}
TRAPS = ("settled_trap", "suspect_trap", "namesake_trap")

#: answer codes for "under which rule" (符合/不符合的依据)
RULES: dict[str, str] = {
    "eligible": "符合：研判规则一至三均满足（因案受损、无法通过诉讼获得有效赔偿、因案致困、未获司法救助）",
    "not_victim": "不符合：不是被害人（犯罪嫌疑人、被申请人等）",
    "harm": "不符合：损害不属于司法救助范围（如轻微伤）",
    "rule1": "不符合 研判规则一：已获有效赔偿（执行完毕、和解、谅解、已赔偿）",
    "rule2": "不符合 研判规则二：未因案陷入急迫生活困难",
    "rule3": "不符合 研判规则三：已获司法救助（仅能救助一次）",
    "fault": "不符合：对损害负主要或全部责任",
}
#: words a trainee may write for each rule code (besides the code itself)
RULE_ALIASES: dict[str, tuple[str, ...]] = {
    "eligible": ("符合", "符合条件", "规则一至三", "研判规则一至三", "全部满足", "救助"),
    "not_victim": ("非被害人", "不是被害人", "犯罪嫌疑人", "嫌疑人", "被告人", "被申请人"),
    "harm": ("损害", "轻微伤", "不属于救助范围", "损害不符合"),
    "rule1": ("规则一", "研判规则一", "已赔偿", "已获赔偿", "有效赔偿", "谅解", "和解", "调解", "执行完毕"),
    "rule2": ("规则二", "研判规则二", "不困难", "未致困", "非急迫困难", "生活不困难", "无困难"),
    "rule3": ("规则三", "研判规则三", "已救助", "已获救助", "重复救助", "一次救助", "已获司法救助"),
    "fault": ("过错", "主要责任", "全部责任", "责任"),
}

#: the legal conditions a newcomer reads first (seed 003 and 案例一 研判规则)
LEGAL_CONDITIONS = pd.DataFrame([
    {"条件 condition": "救助对象", "内容 wording": "因遭受犯罪侵害或民事侵权导致生活陷入急迫困难且无法通过诉讼获得有效赔偿的相关主体",
     "出处 source": "seed 003 (闫召华 2025)"},
    {"条件 condition": "研判规则一", "内容 wording": "案件发生后，被害人无法通过诉讼获得有效赔偿",
     "出处 source": "案例一 灌云 模型一 研判规则一"},
    {"条件 condition": "研判规则二", "内容 wording": "被害人因案致困，生活面临急迫困难",
     "出处 source": "案例一 灌云 模型一 研判规则二"},
    {"条件 condition": "研判规则三", "内容 wording": "其他司法机关未开展司法救助（且仅能进行一次救助）",
     "出处 source": "案例一 灌云 模型一 研判规则三; seed 003"},
    {"条件 condition": "救助金额", "内容 wording": "以当地上一年度职工月平均工资为基准，一般不超过36个月总额",
     "出处 source": "seed 003"},
    {"条件 condition": "金额测算", "内容 wording": "最终实际救助金额 =（基本金额 + 追加金额）× 过错系数；基本金额 = 基准金额 ×（案件类型系数 + 生活困难系数）",
     "出处 source": "案例一 灌云 模型二 研判规则一至三"},
    {"条件 condition": "移送", "内容 wording": "不符合司法救助条件或救助后仍困难、符合社会救助条件的，移送相关社会救助职能部门",
     "出处 source": "seed 003 第四; 案例一 数据推送"},
])



def rules_table() -> pd.DataFrame:
    """The answer codes for "under which rule" (依据代码) with their meaning."""
    return pd.DataFrame({"代码 code": list(RULES), "含义 meaning": list(RULES.values())})


DIFFICULTIES = {
    # share of traps among the cards beyond the first one of each kind; hints shown on cards
    "easy": {"trap_share": 0.3, "hints": True, "max_docs": 3, "max_chars": 400},
    "medium": {"trap_share": 0.5, "hints": True, "max_docs": 6, "max_chars": 1200},
    "hard": {"trap_share": 0.65, "hints": False, "max_docs": None, "max_chars": None},
}

LOW_INCOME = ("城市低保", "农村低保", "特困人员", "低保边缘家庭", "低收入人口", "边缘易致贫户",
              "防返贫监测对象", "原建档立卡贫困户", "网格困难群体")
SETTLEMENT_WORDS = ("谅解",)
CRIMINAL_BUSINESS = ("刑事检察", "未成年人检察")

#: answer sheet columns → Chinese headers (both accepted when grading)
SHEET_COLUMNS: dict[str, str] = {
    "card_id": "卡片编号",
    "eligible": "是否符合司法救助条件",
    "rule": "依据",
    "amount": "救助金额",
    "case_type_coef": "案件类型系数",
    "hardship_coef": "生活困难系数",
    "addon_coef": "追加系数",
    "fault_coef": "过错系数",
    "agencies": "移送机关",
}
QUESTIONS = {"eligible": "是否符合", "rule": "依据", "amount": "救助金额", "agencies": "移送机关"}


# --------------------------------------------------------------------------- data files
@lru_cache(maxsize=None)
def _needs() -> dict:
    text = resources.files("jiuzhu_methods").joinpath("data/needs.yaml").read_text("utf-8")
    return yaml_io.safe_load(text)["needs"]


def agencies_for(needs: Iterable[str]) -> list[str]:
    """Agencies that serve the given needs (``data/needs.yaml``), in a stable order."""
    out: list[str] = []
    for n in needs:
        for a in _needs().get(n, {}).get("agencies", []):
            if a not in out:
                out.append(a)
    return out


def known_agencies() -> list[str]:
    return agencies_for(_needs().keys())


@lru_cache(maxsize=None)
def _eligibility() -> dict:
    try:
        text = resources.files("jiuzhu_methods").joinpath("synth/eligibility.yaml").read_text("utf-8")
        data = yaml_io.safe_load(text)["judicial_aid"]
        return {"min_hardship": int(data["minimum_hardship"]["value"]),
                "excluded_fault": tuple(data["excluded_fault"]["value"])}
    except Exception:  # the generator's file is optional here
        return {"min_hardship": 2, "excluded_fault": ("全部责任", "主要责任")}


# --------------------------------------------------------------------------- masking
def name_pattern(names: Iterable[Any]) -> re.Pattern | None:
    """One regex matching any of ``names`` (two characters or more, longest first):
    :func:`jiuzhu_methods.privacy.name_pattern`."""
    return privacy.name_pattern(names)


def mask_text(text: Any, names: Iterable[str] = (), *, pattern: re.Pattern | None = None) -> str:
    """Free text safe for a card (:func:`jiuzhu_methods.privacy.mask_text`): the given names
    masked (``张**``), anything that looks like an identity number masked
    (``3207**********123X``, also glued to other characters), phone numbers masked. ``pattern``
    (from :func:`name_pattern`) masks every name it matches as well, e.g. every name in the pool."""
    s = privacy.mask_text(text, [x for x in names if isinstance(x, str)])
    return privacy.mask_text(s, pattern) if pattern is not None else s


def _mask_id(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
        return "（无）"
    return identity.mask(v) or "（无）"


def _id_note(v: Any) -> str:
    reason = identity.check(v) if v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v)) else "missing"
    return "" if reason == "" else identity.REASONS.get(reason, reason)


def _short_address(v: Any) -> str:
    if not isinstance(v, str) or not v:
        return ""
    m = re.match(r"^(.*?[县区市])(.*?[镇乡街道])?", v)
    return (m.group(0) if m else v[:6]) + "…"


# --------------------------------------------------------------------------- cards
@dataclass
class Card:
    """One case card (案例卡): what a handler sees, identities masked. No truth on it."""

    card_id: str
    title: str
    identity: dict[str, str]
    case: dict[str, str]
    documents: pd.DataFrame
    registry_hits: pd.DataFrame
    enforcement: pd.DataFrame
    judicial_aid: pd.DataFrame
    social_aid: pd.DataFrame
    petitions: pd.DataFrame
    hints: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"数字卷宗文书": self.documents, "救助名单检索": self.registry_hits, "执行情况": self.enforcement,
                "司法救助记录": self.judicial_aid, "社会救助记录": self.social_aid, "信访记录": self.petitions}

    def markdown(self) -> str:
        """The card as Markdown (for a notebook's ``display(Markdown(...))`` or a terminal)."""
        lines = [f"### {self.card_id} · {self.title}", "", "**身份 identity**: " +
                 "；".join(f"{k}：{v}" for k, v in self.identity.items()), "",
                 "**案情 case**: " + "；".join(f"{k}：{v}" for k, v in self.case.items()), ""]
        docs = self.documents
        if len(docs):
            lines.append("**数字卷宗文书 documents**")
            for _, d in docs.iterrows():
                lines.append(f"- 《{d['文书类型']}》 {d['正文']}")
            lines.append("")
        for name, df in list(self.tables().items())[1:]:
            lines.append(f"**{name}**: " + ("无" if len(df) == 0 else ""))
            if len(df):
                lines.append("")
                lines.append(_md_table(df))
            lines.append("")
        if self.hints:
            lines.append("**提示 hints**: " + "；".join(self.hints))
            lines.append("")
        lines.append("**问题 questions**: (1) 是否符合国家司法救助条件？依据哪条规则？ (2) 按灌云标准应救助多少元？"
                     "（写出案件类型系数、生活困难系数、追加系数、过错系数） (3) 应移送哪些机关？")
        return "\n".join(lines)

    def html(self) -> str:
        e = _html.escape
        parts = [f"<section class='card'><h2>{e(self.card_id)} · {e(self.title)}</h2>",
                 "<p><b>身份</b> " + "；".join(f"{e(k)}：{e(str(v))}" for k, v in self.identity.items()) + "</p>",
                 "<p><b>案情</b> " + "；".join(f"{e(k)}：{e(str(v))}" for k, v in self.case.items()) + "</p>"]
        if len(self.documents):
            parts.append("<h3>数字卷宗文书</h3><ul>" + "".join(
                f"<li><b>《{e(str(d['文书类型']))}》</b> {e(str(d['正文']))}</li>" for _, d in self.documents.iterrows()) + "</ul>")
        for name, df in list(self.tables().items())[1:]:
            parts.append(f"<h3>{e(name)}</h3>" + ("<p>无</p>" if len(df) == 0 else df.to_html(index=False, na_rep="", escape=True)))
        if self.hints:
            parts.append("<p class='hint'><b>提示</b> " + "；".join(e(h) for h in self.hints) + "</p>")
        parts.append("<ol class='q'><li>是否符合国家司法救助条件？依据哪条规则？</li><li>按灌云标准应救助多少元？"
                     "（案件类型系数、生活困难系数、追加系数、过错系数）</li><li>应移送哪些机关？</li></ol></section>")
        return "\n".join(parts)

    def text(self) -> str:
        """Every string on the card, concatenated (used by the privacy tests)."""
        chunks = [self.card_id, self.title, *map(str, self.identity.values()), *map(str, self.case.values()), *self.hints]
        for df in self.tables().values():
            if len(df):
                chunks.append(df.astype("str").to_csv(index=False))
        return "\n".join(chunks)


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        rows.append("| " + " | ".join("" if pd.isna(v) else str(v).replace("|", "/") for v in r.tolist()) + " |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- the set
@dataclass
class ExerciseSet:
    """A set of case cards with its answer key (kept apart: ``key`` is for the trainer)."""

    cards: list[Card]
    key: pd.DataFrame
    meta: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.cards)

    def __repr__(self) -> str:
        kinds = self.key["kind"].value_counts().to_dict() if len(self.key) else {}
        return f"ExerciseSet({len(self.cards)} cards, difficulty {self.meta.get('difficulty')}, seed {self.meta.get('seed')}: {kinds})"

    # -- views ----------------------------------------------------------------------------
    def overview(self) -> pd.DataFrame:
        """One row per card, without the answers (what a trainee may see)."""
        return pd.DataFrame([{"卡片编号": c.card_id, "标题": c.title, **c.case} for c in self.cards])

    def answer_sheet(self) -> pd.DataFrame:
        """A blank 答题卡: one row per card, the columns of :data:`SHEET_COLUMNS` (Chinese headers)."""
        df = pd.DataFrame({c: pd.Series([None] * len(self.cards), dtype="object") for c in SHEET_COLUMNS})
        df["card_id"] = [c.card_id for c in self.cards]
        return df.rename(columns=SHEET_COLUMNS)

    def perfect_sheet(self) -> pd.DataFrame:
        """The answer sheet filled in from the key (what a perfect trainee writes)."""
        k = self.key
        df = pd.DataFrame({
            "card_id": k["card_id"],
            "eligible": np.where(k["eligible"], "是", "否"),
            "rule": k["rule"],
            "amount": k["amount"].round(2),
            "case_type_coef": k["case_type_coef"], "hardship_coef": k["hardship_coef"],
            "addon_coef": k["addon_coef"], "fault_coef": k["fault_coef"],
            "agencies": k["agencies"],
        })
        return df.rename(columns=SHEET_COLUMNS)

    def key_table(self) -> pd.DataFrame:
        """The answer key for display (Chinese headers), with the explanations."""
        k = self.key
        return pd.DataFrame({
            "卡片编号": k["card_id"], "类型": k["kind"].map(KINDS), "是否符合": np.where(k["eligible"], "是", "否"),
            "依据": k["rule"] + "（" + k["rule"].map(RULES) + "）",
            "可接受依据": k["rules_accepted"],
            "救助金额": k["amount"].round(2), "测算": k["amount_explanation"], "移送机关": k["agencies"],
            "需求": k["needs_zh"], "真相解释": k["explanation_truth"], "模型规则路径": k["explanation_models"],
        })

    def grade(self, answers: Any, **kw: Any) -> "GradeReport":
        return grade(answers, self, **kw)

    # -- exports --------------------------------------------------------------------------
    def to_html(self, path: str | Path, *, what: str = "cards") -> Path:
        """Write the cards (``what="cards"``) or the answer key (``what="key"``) as one HTML page."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        m = self.meta
        head = (f"司法救助案例练习 · {m.get('county_zh') or m.get('county') or ''} · 难度 {m.get('difficulty')} · "
                f"seed {m.get('seed')}")
        if what == "cards":
            body = "\n".join(c.html() for c in self.cards)
            intro = ("<p>每张卡片回答三个问题，写在答题卡（answer_sheet.xlsx）上。法律条件：</p>"
                     + LEGAL_CONDITIONS.to_html(index=False) + "<p>依据代码：</p>"
                     + rules_table().to_html(index=False))
            title = head
        elif what == "key":
            body = self.key_table().to_html(index=False, na_rep="")
            intro = "<p><b>答案（仅供培训教师）— ANSWER KEY, keep separate from the cards</b></p>"
            title = head + " · 答案"
        else:
            raise ValueError(f"what must be 'cards' or 'key', got {what!r}")
        css = ("body{font-family:sans-serif;max-width:60em;margin:auto} .card{border:1px solid #999;padding:1em;"
               "margin:1em 0;page-break-after:always} table{border-collapse:collapse;font-size:90%} td,th{border:1px solid #ccc;"
               "padding:2px 6px} .hint{color:#555}")
        p.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>{_html.escape(title)}</title>"
                     f"<style>{css}</style></head><body><h1>{_html.escape(title)}</h1>{intro}{body}</body></html>\n",
                     encoding="utf-8")
        return p

    def to_excel(self, path: str | Path, *, what: str = "cards") -> Path:
        """Write the cards (one sheet per section, plus a blank 答题卡) or the key as a workbook."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        excel_safe = privacy.excel_safe  # text cells that cannot run as formulas

        with pd.ExcelWriter(p, engine="openpyxl") as xw:
            _to = lambda df, sheet: excel_safe(df).to_excel(xw, sheet_name=sheet, index=False)  # noqa: E731
            if what == "cards":
                rows = [{"卡片编号": c.card_id, "标题": c.title,
                         "身份": "；".join(f"{k}：{v}" for k, v in c.identity.items()),
                         "案情": "；".join(f"{k}：{v}" for k, v in c.case.items()),
                         "提示": "；".join(c.hints)} for c in self.cards]
                _to(pd.DataFrame(rows), "卡片")
                for name, attr in (("文书", "documents"), ("名单检索", "registry_hits"), ("执行", "enforcement"),
                                   ("司法救助", "judicial_aid"), ("社会救助", "social_aid"), ("信访", "petitions")):
                    frames = [getattr(c, attr).assign(卡片编号=c.card_id) for c in self.cards if len(getattr(c, attr))]
                    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"卡片编号": []})
                    _to(df[["卡片编号"] + [x for x in df.columns if x != "卡片编号"]], name)
                _to(self.answer_sheet(), "答题卡")
                _to(LEGAL_CONDITIONS, "法律条件")
                _to(rules_table(), "依据代码")
            elif what == "key":
                _to(self.key_table(), "答案")
            elif what == "sheet":
                _to(self.answer_sheet(), "答题卡")
            else:
                raise ValueError(f"what must be 'cards', 'sheet' or 'key', got {what!r}")
        return p

    def key_json(self) -> dict[str, Any]:
        k = self.key.copy()
        recs = json.loads(k.to_json(orient="records", force_ascii=False))
        return {"meta": self.meta, "key": recs}

    def save(self, directory: str | Path, *, formats: Iterable[str] = ("html", "xlsx")) -> dict[str, Path]:
        """Write the classroom files: cards and answer sheet, and the key in separate files."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        out: dict[str, Path] = {}
        formats = set(formats)
        if "html" in formats:
            out["cards.html"] = self.to_html(d / "cards.html")
            out["key.html"] = self.to_html(d / "key.html", what="key")
        if "xlsx" in formats:
            out["cards.xlsx"] = self.to_excel(d / "cards.xlsx")
            out["answer_sheet.xlsx"] = self.to_excel(d / "answer_sheet.xlsx", what="sheet")
            out["key.xlsx"] = self.to_excel(d / "key.xlsx", what="key")
        (d / "key.json").write_text(json.dumps(self.key_json(), ensure_ascii=False, indent=1, default=str) + "\n",
                                    encoding="utf-8")
        out["key.json"] = d / "key.json"
        return out


# --------------------------------------------------------------------------- model runs
def run_models(pool, models: Iterable[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Run the screening models that are available; returns ``({name: result}, warnings)``.

    A model whose module has not landed or fails is skipped with a warning (an exercise set
    needs the models only to say who is flagged and why).
    """
    from .registry import MODELS, run_model

    names = list(models) if models is not None else [m for m in MODELS if m != "guanyun.amount"]
    results, warns = {}, []
    for name in names:
        try:
            results[name] = run_model(name, pool)
        except Exception as exc:  # noqa: BLE001 - a missing or failing model is reported, not fatal
            warns.append(f"model {name} skipped: {type(exc).__name__}: {exc}")
    return results, warns


def clue_persons(results: Mapping[str, Any], pool) -> pd.DataFrame:
    """Every clue of every model mapped to its true person (through ``truth_links``).

    Columns: ``model, clue_id, person_id, rule_path, match, confidence, recommended_agencies``.
    """
    cols = ["model", "clue_id", "person_id", "rule_path", "match", "confidence", "recommended_agencies", "grade"]
    links = pool.truth.get("truth_links")
    frames = []
    if links is None or not len(links):
        return pd.DataFrame(columns=cols)
    lk = links[["source", "source_ref", "person_id"]].astype("str").drop_duplicates(["source", "source_ref", "person_id"])
    for name, res in results.items():
        c = getattr(res, "clues", None)
        if c is None or not len(c) or "source" not in c.columns or "source_ref" not in c.columns:
            continue
        c = c.copy()
        c["source"] = c["source"].astype("str")
        c["source_ref"] = c["source_ref"].astype("str")
        m = c.merge(lk, on=["source", "source_ref"], how="inner")
        # a record with two persons (an enforcement case: applicant and respondent) belongs to
        # the one the clue names (same ID, else same name)
        multi = m.duplicated("clue_id", keep=False)
        if multi.any():
            tp = pool.truth["truth_persons"][["person_id", "name", "id_number"]].astype("str")
            mm = m[multi].merge(tp.rename(columns={"name": "_tname", "id_number": "_tid"}), on="person_id", how="left")
            cid = identity.normalise_series(mm["id_number"].astype("object").where(mm["id_number"].notna(), None))
            mm["_score"] = (cid == mm["_tid"]).fillna(False).astype(int) * 2 + (mm["name"].astype("str") == mm["_tname"]).astype(int)
            mm = mm.sort_values(["clue_id", "_score"], ascending=[True, False], kind="stable").drop_duplicates("clue_id")
            m = pd.concat([m[~multi], mm[m.columns]], ignore_index=True)
        m["model"] = name
        if "grade" not in m.columns:
            m["grade"] = None
        for col in cols:
            if col not in m.columns:
                m[col] = None
        frames.append(m[cols])
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(["model", "clue_id", "person_id"]).reset_index(drop=True)


# --------------------------------------------------------------------------- the 灌云 standard
def _disability_grade(detail: Any) -> str | None:
    if not isinstance(detail, str):
        return None
    m = re.search(r"([一二三四1-4])级", detail)
    if not m:
        return None
    g = "一二三四".find(m.group(1)) + 1 if m.group(1) in "一二三四" else int(m.group(1))
    return "1-2" if g <= 2 else "3-4"


def _point(lo: float, hi: float, point: str) -> float:
    return {"low": lo, "mid": (lo + hi) / 2, "high": hi}.get(point, (lo + hi) / 2)


def standard_coefficients(*, case_type: str, registries: Iterable[tuple[str, Any]], harm: str | None,
                          fault: Any, hardship_level: int | None = None, standard: dict | None = None) -> dict[str, Any]:
    """The coefficients of the 灌云 standard for one recipient (案例一 模型二).

    ``registries`` are ``(registry, detail)`` pairs of the person's own list records;
    ``harm`` the truth's harm type (a case fact: 死亡 → 急迫, 伤残 → 较重); ``fault`` the
    recipient's 过错责任; ``hardship_level`` the degree of hardship the manual check (走访核查)
    established, 1–3 = tier 1–3 (生活困难系数根据不同的困难程度确定). The tier is the highest
    of all these. Returns the coefficients, the amount and a readable trace.
    """
    std = standard or load_standard("guanyun")
    regs = list(dict.fromkeys((str(r), d if isinstance(d, str) else None) for r, d in registries))  # snapshots → once
    ct = std["case_type"]["values"][case_type]
    grades = {g for r, d in regs if r == "持证残疾人" for g in [_disability_grade(d)] if g}
    facts = {"死亡": "death", "伤残": "disability"}
    # the tier is the amount model's (guanyun.hardship_tier, its one home: the highest tier any
    # list, disability grade or case fact maps to, else default_tier), one row per grade held …
    names_held = list(dict.fromkeys(r for r, _d in regs))
    held = pd.DataFrame({"matched_registries": "、".join(names_held), "disability_grade": sorted(grades) or [None],
                         "hardship_facts": facts[harm] if harm in facts else ""})
    tier = int(hardship_tier(held, std).max())
    # … raised by what the manual check (走访核查) established; tier_src names each term, for the trace
    h = std["hardship"]
    tier_src = [f"默认{int(h['default_tier']['value'])}档"]
    tier_src += [f"{r}→{h['registries']['values'][r]}档" for r in names_held if r in h["registries"]["values"]]
    tier_src += [f"残疾{g}级→{int(h['disability_grade']['values'][g])}档" for g in sorted(grades)]  # sorted: the same trace in every process
    if harm in facts:
        tier_src.append(f"{harm}→{int(h['facts']['values'][facts[harm]])}档")
    if hardship_level is not None and int(hardship_level) in h["tiers"]:
        lvl = int(hardship_level)
        tier = max(tier, lvl)
        tier_src.append(f"走访核查{h['tiers'][lvl]['label']}→{lvl}档")
    lo, hi = std["hardship"]["tiers"][tier]["range"]
    hardship_coef = _point(lo, hi, std["hardship"]["point"]["value"])
    # add-on: highest applicable group (or the sum, when the standard says so)
    names = {r for r, _ in regs}
    addon_terms = []
    for gname, g in std["addon"]["groups"].items():
        hit = sorted(names & set(g.get("registries", []))) + [f"残疾{x}级" for x in sorted(grades & set(g.get("disability_grades", [])))]
        if hit:
            addon_terms.append((gname, _point(*g["range"], std["addon"]["point"]["value"]), hit))
    if not addon_terms:
        addon_coef, addon_group = 0.0, "none"
    elif std["addon"]["combine"]["value"] == "sum":
        addon_coef, addon_group = sum(t[1] for t in addon_terms), "+".join(t[0] for t in addon_terms)
    else:
        best = max(addon_terms, key=lambda t: t[1])
        addon_coef, addon_group = best[1], best[0]
    fvals = std["fault"]["values"]
    f = fault if isinstance(fault, str) and fault in fvals else None
    fault_coef = float(fvals[f]) if f else float(std["fault"]["missing"]["value"])
    benchmark = float(std["benchmark"]["value"])
    cap = cap_of(std)
    amount = aid_amount(benchmark, float(ct["value"]), hardship_coef, addon_coef, fault_coef, cap)
    uncapped = (benchmark * (float(ct["value"]) + hardship_coef) + benchmark * addon_coef) * fault_coef
    addon_txt = "；".join(f"{t[0]}: " + "、".join(t[2]) for t in addon_terms) or "无"
    trace = (f"（基准 {benchmark:,.0f} ×（案件类型 {ct['label']} {ct['value']:g} + 生活困难 {tier}档 {hardship_coef:g}"
             f"〔{'，'.join(tier_src)}〕）+ 基准 × 追加 {addon_coef:g}〔{addon_txt}〕）× 过错 {fault_coef:g}"
             f"〔{f or '无过错记录'}〕= {uncapped:,.2f} 元")
    if cap is not None and uncapped > cap:
        trace += f" → 封顶 {cap:,.0f} 元（36个月 × 上年度月平均工资）"
    return {"case_type": case_type, "case_type_coef": float(ct["value"]), "hardship_tier": tier,
            "hardship_coef": hardship_coef, "addon_group": addon_group, "addon_coef": addon_coef,
            "fault": f or "", "fault_coef": fault_coef, "benchmark": benchmark, "cap": cap,
            "amount": float(amount), "amount_explanation": trace}


# --------------------------------------------------------------------------- building
class _Index:
    """Lookups over one pool, built once per exercise set (vectorised where it matters)."""

    def __init__(self, pool):
        self.pool = pool
        t = pool.truth
        self.persons = t["truth_persons"].set_index("person_id", drop=False)
        self.links = t["truth_links"].astype({"source": "str", "source_ref": "str", "field": "str", "person_id": "str"})
        self.victims = t["truth_victims"].copy()
        self.parties = pool["proc_parties"]
        self.cases = pool["proc_cases"].set_index("case_id", drop=False)
        self.docs = pool["proc_documents"]
        self.regs = pool["registries"].copy()
        self.regs["_uid"] = identity.usable_ids(self.regs["id_number"])
        self.ja = pool["judicial_aid"].copy()
        self.ja["_uid"] = identity.usable_ids(self.ja["id_number"])
        self.sa = pool["social_aid"].copy()
        self.sa["_uid"] = identity.usable_ids(self.sa["id_number"])
        self.enf = pool["court_enforcements"].copy()
        self.enf["_uid"] = identity.usable_ids(self.enf["applicant_id_number"])
        self.judg = pool["court_judgments"].set_index("judgment_id", drop=False)
        for f in (self.persons, self.cases, self.judg):
            f.index.name = None
        self.cparties = pool["court_parties"]
        self.pet = pool["petitions"].copy()
        self.pet["_uid"] = identity.usable_ids(self.pet["id_number"])
        # owner of every record (source, ref) → person_id
        self.owner = {(s, r): p for s, r, p in self.links[["source", "source_ref", "person_id"]].itertuples(index=False)}
        reg_links = self.links[self.links["source"] == "registries"][["source_ref", "person_id"]]
        self.regs = self.regs.merge(reg_links.rename(columns={"source_ref": "record_id", "person_id": "_owner"}),
                                    on="record_id", how="left")
        # every name known to the pool, masked wherever it appears in a text (a safety net
        # behind the per-card names)
        self.name_re = name_pattern(pd.concat([self.persons["name"], self.parties["name"], self.cparties["name"],
                                               self.pet["name"], self.enf["applicant_name"], self.enf["respondent_name"]],
                                              ignore_index=True).dropna().astype("str").unique())
        for attr, src, key in (("ja", "judicial_aid", "aid_id"), ("sa", "social_aid", "record_id")):
            lk = self.links[self.links["source"] == src][["source_ref", "person_id"]].drop_duplicates("source_ref")
            setattr(self, attr, getattr(self, attr).merge(lk.rename(columns={"source_ref": key, "person_id": "_owner"}),
                                                          on=key, how="left"))
        pp = self.parties.merge(self.links[self.links["source"] == "proc_parties"][["source_ref", "person_id"]]
                                .rename(columns={"source_ref": "record_id"}), on="record_id", how="left")
        self.parties_p = pp

    def own_registries(self, person_id: str) -> pd.DataFrame:
        return self.regs[self.regs["_owner"] == person_id]

    def party_record(self, person_id: str, case_id: Any) -> pd.Series | None:
        pp = self.parties_p[self.parties_p["person_id"] == person_id]
        if isinstance(case_id, str) and case_id:
            same = pp[pp["case_id"] == case_id]
            if len(same):
                pp = same
        return pp.iloc[0] if len(pp) else None


def _observed_identity(ix: _Index, person_id: str, party: pd.Series | None) -> tuple[str, Any]:
    """The name and ID number as the case system records them (the clerk's view)."""
    if party is not None:
        return str(party["name"]), party["id_number"]
    p = ix.persons.loc[person_id]
    return str(p["name"]), p["id_number"]


def _search(frame: pd.DataFrame, name: str, uid: Any, name_col: str = "name") -> pd.DataFrame:
    """Rows found by a clerk's platform search: same valid ID, or same name."""
    if not len(frame):
        return frame.assign(_basis=pd.Series(dtype="str"))
    by_id = frame["_uid"].eq(uid).fillna(False) if isinstance(uid, str) else pd.Series(False, index=frame.index)
    by_name = frame[name_col].eq(name).fillna(False)
    hit = frame[by_id | by_name].copy()
    hit["_basis"] = np.where(by_id[hit.index], "身份证号一致",
                             np.where(hit["_uid"].isna(), "仅姓名一致（名单无有效身份证号）", "仅姓名一致（身份证号不同）"))
    return hit


def _render_card(ix: _Index, card_id: str, person_id: str, victim: pd.Series | None, case_id: Any,
                 diff: dict, title: str, planted: str | None = None) -> tuple[Card, dict[str, Any]]:
    """Build a card and the observed facts the key needs (own registries, party record)."""
    party = ix.party_record(person_id, case_id)
    name, raw_id = _observed_identity(ix, person_id, party)
    reason = "missing" if _blank(raw_id) else identity.check(raw_id)
    uid = identity.normalise(raw_id) if reason == "" else None
    person = ix.persons.loc[person_id]
    names: set[str] = {name, str(person["name"])}
    ident = {"姓名": identity.mask_name(name) or "*", "身份证号": _mask_id(raw_id)}
    note = "" if reason == "" else identity.REASONS.get(reason, reason)
    if note:
        ident["身份证号"] += f"（{note}）"
    ident["性别"] = str(person["sex"]) if isinstance(person["sex"], str) else ""
    bd = person["birth_date"]
    if pd.notna(bd):
        ident["出生年份"] = str(pd.Timestamp(bd).year)
    ident["户籍"] = "本地" if bool(person["local"]) else "外地"
    # case
    case: dict[str, str] = {}
    cid = case_id if isinstance(case_id, str) and case_id else (party["case_id"] if party is not None else None)
    if isinstance(cid, str) and cid in ix.cases.index:
        c = ix.cases.loc[cid]
        case.update({"案件编号": cid, "业务类别": str(c["business"]), "办案环节": str(c["stage"]), "罪名/案由": str(c["charge"]),
                     "受理日期": str(pd.Timestamp(c["accepted_on"]).date()) if pd.notna(c["accepted_on"]) else ""})
        names |= set(ix.parties.loc[ix.parties["case_id"] == cid, "name"].dropna().astype("str"))
    if party is not None:
        case["诉讼地位"] = str(party["role"])
        if isinstance(party.get("fault"), str) and party["fault"]:
            case["过错责任"] = str(party["fault"])
    jid = victim["judgment_id"] if victim is not None and isinstance(victim.get("judgment_id"), str) else None
    if jid is None and isinstance(cid, str) and len(ix.judg):
        m = ix.judg[ix.judg["case_id"] == cid]
        jid = m.index[0] if len(m) else None
    if isinstance(jid, str) and jid in ix.judg.index:
        j = ix.judg.loc[jid]
        case["生效裁判"] = f"{jid}（{j['kind']}，{j['cause']}）"
        cp = ix.cparties[ix.cparties["judgment_id"] == jid]
        names |= set(cp["name"].dropna().astype("str"))
        own = cp[cp["record_id"].astype("str").map(lambda r: ix.owner.get(("court_parties", r)) == person_id)]
        if len(own) and pd.notna(own["award"].iloc[0]):
            case["判决赔偿金额"] = f"{float(own['award'].iloc[0]):,.0f} 元"
    if victim is not None and pd.notna(victim.get("harmed_on")):
        case["案发日期"] = str(pd.Timestamp(victim["harmed_on"]).date())
    if not case:
        case["案件"] = "（无检察案件记录）"
    if "案件编号" not in case and "生效裁判" not in case and victim is not None:
        case["线索来源"] = "网格员走访/来访登记（无检察、法院案件记录）"
        if "charge" in victim.index and isinstance(victim["charge"], str):
            case["事由"] = victim["charge"]
        case["损害"] = str(victim["harm"])
    # documents
    docs = ix.docs[ix.docs["case_id"] == cid] if isinstance(cid, str) else ix.docs.iloc[0:0]
    if diff["max_docs"] is not None and len(docs) > diff["max_docs"]:
        key_words = ("谅解", "和解", "赔偿", "死亡", "伤", "困难", "低保")
        score = docs["text"].fillna("").map(lambda t: sum(w in t for w in key_words))
        docs = docs.loc[score.sort_values(ascending=False, kind="stable").index[: diff["max_docs"]]].sort_index()
    # enforcement (applicant = this person: by valid ID or by name)
    enf = _search(ix.enf, name, uid, name_col="applicant_name")
    names |= set(enf["respondent_name"].dropna().astype("str"))
    regs = _search(ix.regs, name, uid)
    if planted:
        extra = ix.regs[ix.regs["record_id"] == planted].assign(_basis="姓名近似（脱敏后相同），身份证号不同")
        regs = pd.concat([regs, extra]) if len(regs) else extra
    ja = _search(ix.ja, name, uid)
    sa = _search(ix.sa, name, uid)
    pet = _search(ix.pet, name, uid)
    names |= set(regs["name"].dropna().astype("str"))

    def text(t: Any) -> str:
        s = mask_text(t, names, pattern=ix.name_re)
        mc = diff["max_chars"]
        return s if mc is None or len(s) <= mc else s[:mc] + "…"

    documents = pd.DataFrame({"文书类型": docs["doc_type"].astype("str").to_numpy(),
                              "正文": [text(t) for t in docs["text"]]})
    show_basis = diff["hints"]
    if len(regs):
        regs = regs.sort_values("as_of", kind="stable").drop_duplicates(["registry", "name", "id_number"], keep="last")
    reg_tab = pd.DataFrame({
        "名单": regs["registry"].astype("str").to_numpy(), "来源单位": regs["agency"].astype("str").to_numpy(),
        "姓名": identity.mask_name_series(regs["name"]).to_numpy() if len(regs) else [],
        "身份证号": [_mask_id(v) for v in regs["id_number"]],
        "类别明细": [mask_text(v, names, pattern=ix.name_re) for v in regs["detail"]],
        "住址": [_short_address(v) for v in regs["address"]],
        "数据月份": [str(pd.Timestamp(v).date())[:7] if pd.notna(v) else "" for v in regs["as_of"]],
    })
    if show_basis:
        reg_tab["匹配方式"] = regs["_basis"].to_numpy()
    enf_tab = pd.DataFrame({
        "执行案号": enf["enforcement_id"].astype("str").to_numpy(),
        "被执行人": identity.mask_name_series(enf["respondent_name"]).to_numpy() if len(enf) else [],
        "结案方式": enf["closure"].astype("str").to_numpy(),
        "执行标的": enf["amount_due"].round(0).to_numpy(), "实际到位": enf["amount_paid"].round(0).to_numpy(),
    })
    if show_basis:
        enf_tab["匹配方式"] = enf["_basis"].to_numpy()
    ja_tab = pd.DataFrame({
        "办理机关": ja["agency"].astype("str").to_numpy(), "状态": ja["status"].astype("str").to_numpy(),
        "申请日期": [str(pd.Timestamp(v).date()) if pd.notna(v) else "" for v in ja["applied_on"]],
        "金额": ja["amount"].to_numpy(), "身份证号": [_mask_id(v) for v in ja["id_number"]],
    })
    if show_basis:
        ja_tab["匹配方式"] = ja["_basis"].to_numpy()
    sa_tab = pd.DataFrame({
        "救助类型": sa["aid_type"].astype("str").to_numpy(), "实施单位": sa["agency"].astype("str").to_numpy(),
        "日期": [str(pd.Timestamp(v).date()) if pd.notna(v) else "" for v in sa["granted_on"]],
        "身份证号": [_mask_id(v) for v in sa["id_number"]],
    })
    pet_tab = pd.DataFrame({
        "信访类别": pet["category"].astype("str").to_numpy(),
        "登记日期": [str(pd.Timestamp(v).date()) if pd.notna(v) else "" for v in pet["received_on"]],
        "信访事项": [text(t) for t in pet["text"]],
    })
    if victim is not None:
        # what the manual check (走访核查) finds: the household's hardship, and, when no case
        # record shows it, whether compensation came
        level = {0: "无明显困难", 1: "一般困难", 2: "较重困难", 3: "急迫困难"}.get(int(victim["hardship"]), "")
        case["走访核查"] = f"生活困难程度：{level}"
        if not len(docs) and not len(enf):
            paid = bool(victim["compensated"]) or (("no_effective_compensation" in victim.index)
                                                   and not _blank(victim["no_effective_compensation"])
                                                   and not bool(victim["no_effective_compensation"]))
            case["走访核查"] += "；" + ("已获赔偿" if paid else ("已和解，赔偿未到位" if bool(victim["settled"]) else "未获赔偿"))
    hints = []
    if diff["hints"]:
        if (regs["_basis"] != "身份证号一致").any() if len(regs) else False:
            hints.append("名单检索中有仅凭姓名命中的记录，核对身份证号与住址")
        if len(documents) and documents["正文"].str.contains("|".join(SETTLEMENT_WORDS + ("赔偿", "和解"))).any():
            hints.append("留意文书中有关赔偿、和解、谅解的表述")
        if party is not None and party["role"] in ("犯罪嫌疑人", "被申请人"):
            hints.append("注意此人在案件中的诉讼地位")
    card = Card(card_id=card_id, title=title, identity=ident, case=case, documents=documents, registry_hits=reg_tab,
                enforcement=enf_tab, judicial_aid=ja_tab, social_aid=sa_tab, petitions=pet_tab, hints=hints)
    strangers = [f[(f["_basis"] != "身份证号一致") & f["_owner"].notna() & (f["_owner"] != person_id)]
                 for f in (regs, ja, sa) if len(f)]
    facts = {"party": party, "case_id": cid, "own_regs": ix.own_registries(person_id),
             "name_only_hits": pd.concat(strangers) if strangers else regs.iloc[0:0]}
    return card, facts


def _case_type(ix: _Index, victim: pd.Series | None, case_id: Any) -> str:
    harm = victim["harm"] if victim is not None else None
    if harm == "重大财产损失":
        return "property_loss"
    if harm == "追索扶养费":
        return "support"
    criminal = False
    if isinstance(case_id, str) and case_id in ix.cases.index:
        criminal = ix.cases.loc[case_id, "business"] in CRIMINAL_BUSINESS and "纠纷" not in str(ix.cases.loc[case_id, "charge"])
    elif victim is not None and isinstance(victim.get("judgment_id"), str) and victim["judgment_id"] in ix.judg.index:
        criminal = ix.judg.loc[victim["judgment_id"], "kind"] == "刑事"
    if victim is None:
        return "petition"
    return "criminal_injury" if criminal else "civil_tort_injury"


def _truth_reasons(victim: pd.Series | None, fault: Any) -> list[str]:
    """Why the truth says (not) eligible, as rule codes; uses the generator's condition columns
    (``qualifying_harm``, ``no_effective_compensation``, ``fault``) when the truth has them."""
    if victim is None:
        return ["not_victim"]
    if bool(victim["judicial_aid_eligible"]):
        return ["eligible"]
    el = _eligibility()
    get = lambda c: victim[c] if c in victim.index and not _blank(victim[c]) else None  # noqa: E731
    r = []
    if get("qualifying_harm") is not None and not bool(get("qualifying_harm")):
        r.append("harm")
    no_comp = get("no_effective_compensation")
    # 研判规则一 fails when the victim got effective compensation; a 谅解 whose agreed payment
    # never came is *not* effective compensation (the generator's no_effective_compensation)
    if (not bool(no_comp)) if no_comp is not None else (bool(victim["compensated"]) or bool(victim["settled"])):
        r.append("rule1")
    if int(victim["hardship"]) < el["min_hardship"]:
        r.append("rule2")
    if bool(victim["aided_before"]):
        r.append("rule3")
    f = get("fault") if get("fault") is not None else fault
    if isinstance(f, str) and f in el["excluded_fault"]:
        r.append("fault")
    return r or ["harm"]


def _truth_sentence(victim: pd.Series | None, reasons: list[str], own_regs: pd.DataFrame, name_hits: pd.DataFrame) -> str:
    if victim is None:
        s = "真相：此人不是任何损害事件的受害人（truth_victims 中无记录），在案件中是犯罪嫌疑人/被申请人；低收入名单不能使其成为司法救助对象。"
    else:
        yn = lambda b: "是" if bool(b) else "否"  # noqa: E731
        s = (f"真相（truth_victims {victim['victim_id']}）：损害 {victim['harm']}；已获有效赔偿 {yn(victim['compensated'])}；"
             f"已和解或谅解 {yn(victim['settled'])}；因案致困程度 {int(victim['hardship'])}（0无 1轻 2重 3急迫）；"
             f"已获司法救助 {yn(victim['aided_before'])} → 符合司法救助条件 {yn(victim['judicial_aid_eligible'])}，"
             f"符合社会救助条件 {yn(victim['social_aid_eligible'])}。")
    s += " 依据：" + "；".join(RULES[r] for r in reasons) + "。"
    if len(own_regs):
        s += " 本人名单：" + "、".join(sorted(set(own_regs["registry"].astype("str")))) + "。"
    if len(name_hits):
        s += f" 检索中 {len(name_hits)} 条仅凭姓名命中的记录属于另一个人（同名不同人），不能作为本人困难或已获救助的依据。"
    return s


def _model_sentence(hits: pd.DataFrame, result_names: Iterable[str]) -> str:
    names = list(result_names)
    if not names:
        return "（没有可运行的模型）"
    if not len(hits):
        return "没有模型命中此人（" + "、".join(names) + " 均未列出）。"
    parts = []
    for _, h in hits.iterrows():
        p = f"{h['model']}：{h['rule_path']}" if isinstance(h["rule_path"], str) and h["rule_path"] else f"{h['model']}"
        extra = []
        if isinstance(h.get("match"), str) and h["match"]:
            extra.append(f"匹配 {h['match']}")
        if pd.notna(h.get("confidence")):
            extra.append(f"置信度 {float(h['confidence']):.2f}")
        if isinstance(h.get("grade"), str) and h["grade"]:
            extra.append(f"预警 {h['grade']}")
        parts.append(p + (f"（{'，'.join(extra)}）" if extra else ""))
    missing = [n for n in names if n not in set(hits["model"])]
    return "；".join(parts) + ("。未命中：" + "、".join(missing) if missing else "。")


def _candidates(ix: _Index, flagged: set[str]) -> dict[str, pd.DataFrame]:
    """Candidate (person, victim) pairs per kind, sorted stably, best look-alikes first."""
    v = ix.victims.copy()
    v["person_id"] = v["person_id"].astype("str")
    v["flagged"] = v["person_id"].isin(flagged)
    own_reg = set(ix.regs["_owner"].dropna().astype("str"))
    v["on_registry"] = v["person_id"].isin(own_reg)
    v = v.sort_values("victim_id", kind="stable")
    out: dict[str, pd.DataFrame] = {}
    elig = v[v["judicial_aid_eligible"].astype(bool)]
    out["true_positive"] = elig[elig["flagged"]]
    out["missed"] = elig[~elig["flagged"]]
    # settled: a document of the case says 谅解
    docs = ix.docs
    pat = "|".join(SETTLEMENT_WORDS)
    settled_cases = set(docs.loc[docs["text"].fillna("").str.contains(pat), "case_id"].astype("str"))
    s = v[v["settled"].astype(bool) & ~v["judicial_aid_eligible"].astype(bool) & v["case_id"].astype("str").isin(settled_cases)]
    out["settled_trap"] = s.sort_values(["flagged", "on_registry"], ascending=False, kind="stable")
    # suspects on a low-income list (and never an eligible victim)
    pp = ix.parties_p[ix.parties_p["role"] == "犯罪嫌疑人"].dropna(subset=["person_id"])
    low = set(ix.regs.loc[ix.regs["registry"].isin(LOW_INCOME), "_owner"].dropna().astype("str"))
    victims_any = set(v["person_id"])   # a suspect who was harmed elsewhere is no clean "not a victim"
    sus = pp[pp["person_id"].astype("str").isin(low) & ~pp["person_id"].astype("str").isin(victims_any)]
    sus = sus.drop_duplicates("person_id").sort_values("record_id", kind="stable")
    sus = sus.assign(flagged=sus["person_id"].isin(flagged), victim_id=None)
    out["suspect_trap"] = sus.sort_values("flagged", ascending=False, kind="stable")
    # namesakes: a record with the same name (registry, judicial aid, social aid) belongs to
    # another person; when the pool has none, a stranger on a low-income list whose *masked*
    # name is the same (同姓同字数) is planted into the card's registry search instead
    tp = ix.persons[["person_id", "name"]].astype("str")
    vn = v.merge(tp.rename(columns={"name": "_name"}), on="person_id", how="left")
    others = pd.concat([f.dropna(subset=["_owner"])[["name", "_owner"]] for f in (ix.regs, ix.ja, ix.sa)], ignore_index=True)
    pairs = vn.merge(others.rename(columns={"name": "_name"}), on="_name", how="inner")
    pairs = pairs[pairs["_owner"].astype("str") != pairs["person_id"]]
    exact = vn[vn["victim_id"].isin(set(pairs["victim_id"]))].assign(_planted=None)
    # a trap is a look-alike *false* positive: ineligible victims first; an eligible one (the
    # stranger's record just must not count) only when nothing else is there
    nv = exact[~exact["judicial_aid_eligible"].astype(bool)]
    if not len(nv):
        low = ix.regs[ix.regs["registry"].isin(LOW_INCOME) & ix.regs["_uid"].notna() & ix.regs["_owner"].notna()]
        low = low.sort_values("record_id", kind="stable").drop_duplicates("_owner")
        low = low.assign(_masked=identity.mask_name_series(low["name"]))
        cand = vn[~vn["judicial_aid_eligible"].astype(bool) & ~vn["on_registry"]].copy()
        cand["_masked"] = identity.mask_name_series(cand["_name"])
        m = cand.merge(low[["_masked", "record_id", "_owner"]], on="_masked", how="inner")
        m = m[m["_owner"].astype("str") != m["person_id"]].drop_duplicates("victim_id")
        nv = m.rename(columns={"record_id": "_planted"}).drop(columns=["_masked", "_owner"])
    if not len(nv):
        nv = exact
    nv = nv.assign(_pref=(~nv["judicial_aid_eligible"].astype(bool)).astype(int) * 2 + (~nv["on_registry"]).astype(int) + nv["flagged"].astype(int))
    out["namesake_trap"] = nv.sort_values("_pref", ascending=False, kind="stable")
    return out


def _plan(n: int, available: Mapping[str, int], difficulty: str, rng: np.random.Generator) -> dict[str, int]:
    """How many cards of each kind: one of each available kind first, then by the difficulty's mix."""
    trap_share = DIFFICULTIES[difficulty]["trap_share"]
    weights = {"true_positive": (1 - trap_share) * 0.6, "missed": (1 - trap_share) * 0.4,
               **{k: trap_share / len(TRAPS) for k in TRAPS}}
    plan = {k: 0 for k in KINDS}
    for k in KINDS:
        if available.get(k, 0) > 0 and sum(plan.values()) < n:
            plan[k] = 1
    while sum(plan.values()) < n:
        open_ = [k for k in KINDS if available.get(k, 0) > plan[k]]
        if not open_:
            break
        w = np.array([weights[k] for k in open_])
        plan[open_[int(rng.choice(len(open_), p=w / w.sum()))]] += 1
    return plan


def make_exercises(pool, *, n: int = 10, seed: int = 0, difficulty: str = "medium",
                   results: Mapping[str, Any] | None = None, models: Iterable[str] | None = None,
                   standard: dict | None = None) -> ExerciseSet:
    """Draw a balanced exercise set of ``n`` case cards from a synthetic pool.

    Parameters
    ----------
    pool : a :class:`~jiuzhu_methods.DataPool` carrying the truth (a synthetic county)
    n : number of cards (fewer when the pool has too few cases of every kind; see ``warnings``)
    seed : the set's seed — the same pool and seed give the same set
    difficulty : ``easy``, ``medium`` or ``hard`` (share of traps, hints on the cards)
    results : model results ``{name: ModelResult}`` to reuse; by default the screening models
        are run here (:func:`run_models`)
    models : which models to run when ``results`` is not given
    standard : the amount standard (default: 灌云, ``data/amount/guanyun.yaml``)
    """
    if difficulty not in DIFFICULTIES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}")
    if not getattr(pool, "has_truth", False) or "truth_victims" not in pool.truth:
        raise ValueError("exercises need a synthetic pool with its truth tables (truth_persons, truth_links, truth_victims)")
    n = int(n)
    if n < 1:
        raise ValueError("n must be at least 1")
    warns: list[str] = []
    if results is None:
        results, w = run_models(pool, models)
        warns += w
    ix = _Index(pool)
    hits = clue_persons(results, pool)
    flagged = set(hits["person_id"].astype("str"))
    if not results:
        # no model could run: "flagged" = on a registry by a valid ID (what every model starts from)
        warns.append("no model results: 'flagged' approximated as 'on a registry by a valid ID'")
        flagged = set(ix.regs["_owner"].dropna().astype("str")[ix.regs["_uid"].notna()])
    cands = _candidates(ix, flagged)
    rng = np.random.default_rng(int(seed))
    plan = _plan(n, {k: len(v) for k, v in cands.items()}, difficulty, rng)
    for k, c in plan.items():
        if c == 0:
            warns.append(f"this pool has no case of kind {k} ({KINDS[k]})")
    if sum(plan.values()) < n:
        warns.append(f"only {sum(plan.values())} cards could be drawn (asked for {n})")
    # draw: for traps prefer the best look-alikes (front of the sorted list), sampled among the top
    chosen: list[tuple[str, pd.Series]] = []
    used_persons: set[str] = set()
    for kind in KINDS:
        c = cands[kind]
        if plan[kind] == 0:
            continue
        c = c[~c["person_id"].astype("str").isin(used_persons)]
        # traps: among the best look-alikes (front of the sorted list); the others: among all
        top = c.head(plan[kind] * 3) if kind in TRAPS else c.drop_duplicates("person_id")
        idx = rng.choice(len(top), size=min(plan[kind], len(top)), replace=False) if len(top) else []
        for i in sorted(int(x) for x in idx):
            row = top.iloc[i]
            if str(row["person_id"]) in used_persons:
                continue
            used_persons.add(str(row["person_id"]))
            chosen.append((kind, row))
    order = rng.permutation(len(chosen))
    std = standard or load_standard("guanyun")
    cards, keys = [], []
    county = pool.meta.get("county", "")
    for pos, i in enumerate(order):
        kind, row = chosen[int(i)]
        card_id = f"E{int(seed):03d}-{pos + 1:02d}"
        person_id = str(row["person_id"])
        victim = row if kind != "suspect_trap" else None
        case_id = row["case_id"] if isinstance(row.get("case_id"), str) else None
        title = _title(ix, victim, case_id)
        planted = row.get("_planted") if kind == "namesake_trap" else None
        planted = planted if isinstance(planted, str) else None
        card, facts = _render_card(ix, card_id, person_id, victim, case_id, DIFFICULTIES[difficulty], title, planted)
        party = facts["party"]
        fault = party["fault"] if party is not None else None
        reasons = _truth_reasons(victim, fault)
        eligible = reasons == ["eligible"]
        own = facts["own_regs"]
        coefs = standard_coefficients(case_type=_case_type(ix, victim, facts["case_id"]),
                                      registries=list(zip(own["registry"].astype("str"), own["detail"])),
                                      harm=victim["harm"] if victim is not None else None, fault=fault,
                                      hardship_level=int(victim["hardship"]) if victim is not None else None,
                                      standard=std)
        needs = [x.strip() for x in str(victim["needs"]).split(",") if x.strip()] if victim is not None and isinstance(victim.get("needs"), str) else []
        needs_zh = "、".join(_needs().get(x, {}).get("label", x) for x in needs)
        person_hits = hits[hits["person_id"].astype("str") == person_id]
        keys.append({
            "card_id": card_id, "kind": kind, "person_id": person_id,
            "victim_id": str(row["victim_id"]) if victim is not None else None,
            "eligible": eligible, "rule": reasons[0], "rules_accepted": "、".join(reasons),
            "amount": coefs["amount"] if eligible else 0.0,
            "case_type": coefs["case_type"], "case_type_coef": coefs["case_type_coef"],
            "hardship_tier": coefs["hardship_tier"], "hardship_coef": coefs["hardship_coef"],
            "addon_group": coefs["addon_group"], "addon_coef": coefs["addon_coef"],
            "fault": coefs["fault"], "fault_coef": coefs["fault_coef"], "cap": coefs["cap"],
            "amount_explanation": coefs["amount_explanation"] if eligible else "不符合条件，不予救助（金额 0）；若符合，则测算为 " + coefs["amount_explanation"],
            "needs": ",".join(needs), "needs_zh": needs_zh, "agencies": "、".join(agencies_for(needs)),
            "flagged_by": "、".join(sorted(set(person_hits["model"]))),
            "explanation_truth": _truth_sentence(victim, reasons, own, facts["name_only_hits"]),
            "explanation_models": _model_sentence(person_hits, results.keys()),
        })
        cards.append(card)
    key = pd.DataFrame(keys, columns=["card_id", "kind", "person_id", "victim_id", "eligible", "rule", "rules_accepted",
                                      "amount", "case_type", "case_type_coef", "hardship_tier", "hardship_coef",
                                      "addon_group", "addon_coef", "fault", "fault_coef", "cap", "amount_explanation",
                                      "needs", "needs_zh", "agencies", "flagged_by", "explanation_truth", "explanation_models"])
    key["eligible"] = key["eligible"].astype(bool)
    meta = {"county": county, "county_zh": pool.meta.get("county_name") or pool.meta.get("county_zh") or "",
            "pool_seed": pool.meta.get("seed"), "scale": pool.meta.get("scale"), "seed": int(seed),
            "difficulty": difficulty, "n": len(cards), "standard": "guanyun",
            "amount_tolerance": 0.3, "models": list(results.keys())}
    return ExerciseSet(cards=cards, key=key, meta=meta, warnings=warns)


def _title(ix: _Index, victim: pd.Series | None, case_id: Any) -> str:
    charge = ""
    if isinstance(case_id, str) and case_id in ix.cases.index:
        charge = str(ix.cases.loc[case_id, "charge"])
    elif victim is not None and isinstance(victim.get("judgment_id"), str) and victim["judgment_id"] in ix.judg.index:
        charge = str(ix.judg.loc[victim["judgment_id"], "cause"])
    harm = f"（{victim['harm']}）" if victim is not None else ""
    return (charge or "案件") + harm


# --------------------------------------------------------------------------- grading
@dataclass
class GradeReport:
    """Per-question results and a summary; ``messages`` say what could not be read."""

    results: pd.DataFrame
    summary: dict[str, Any]
    messages: list[str]

    @property
    def score(self) -> float:
        return float(self.summary.get("score", 0.0))

    def summary_table(self) -> pd.DataFrame:
        labels = {"score": "总分 %", "accuracy": "是否符合 正确率", "rule_accuracy": "依据 正确率",
                  "amount_within_tolerance": "金额在容差内比例", "amount_error": "金额平均相对误差",
                  "referral_coverage": "移送覆盖率", "n_cards": "卡片数", "n_answered": "作答卡片数"}
        return pd.DataFrame([{"指标": labels.get(k, k), "值": v} for k, v in self.summary.items() if k in labels])

    def __repr__(self) -> str:
        s = self.summary
        msg = ("; " + " | ".join(self.messages[:3])) if self.messages else ""
        return (f"GradeReport(score {s.get('score', 0):.1f}%, accuracy {s.get('accuracy', 0):.2f}, "
                f"referral coverage {s.get('referral_coverage', 0):.2f}{msg})")


_TRUE = {"是", "符合", "y", "yes", "true", "t", "1", "√", "✓", "对", "应救助", "救助", "eligible"}
_FALSE = {"否", "不符合", "n", "no", "false", "f", "0", "×", "x", "✗", "错", "不救助", "不予救助", "not eligible"}


def _blank(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def parse_eligible(v: Any) -> bool | None:
    if _blank(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.number)) and float(v) in (0.0, 1.0):
        return bool(v)
    s = str(v).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return None


def parse_rules(v: Any) -> set[str] | None:
    """Rule codes in an answer: codes (``rule1``), Chinese labels or keywords (``谅解``)."""
    if _blank(v):
        return None
    s = str(v).strip()
    low = s.lower()
    found = {c for c in RULES if re.search(rf"(?<![a-z_]){re.escape(c)}(?![a-z_0-9])", low)}
    if not found:
        for code, words in RULE_ALIASES.items():
            if code == "eligible" and "不符合" in s:
                continue
            if any(w in s for w in words):
                found.add(code)
        # "符合" alone must not hide a more specific rule
        if len(found) > 1:
            found.discard("eligible")
    return found or None


def parse_amount(v: Any) -> float | None:
    if _blank(v):
        return None
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        x = float(v)
        return None if math.isnan(x) or x < 0 else x
    s = str(v).strip().replace(",", "").replace("，", "").replace("元", "").replace(" ", "")
    if s in {"不救助", "不予救助", "无", "-", "—"}:
        return 0.0
    mult = 1.0
    if s.endswith("万"):
        mult, s = 10000.0, s[:-1]
    try:
        x = float(s) * mult
    except ValueError:
        return None
    return None if math.isnan(x) or x < 0 else x


def parse_agencies(v: Any) -> set[str] | None:
    """Agency names in an answer (``民政局、医保局``; ``民政`` is read as 民政局)."""
    if _blank(v):
        return None
    s = str(v).strip()
    if s in {"无", "不需要", "none", "-", "—"}:
        return set()
    tokens = [t for t in re.split(r"[、,，;；/\s|]+", s) if t]
    known = known_agencies()
    out = set()
    for t in tokens:
        m = [a for a in known if a == t or t in a or a in t]
        if len(t) >= 2 and m:
            out.add(m[0] if t not in known else t)
        elif t in known:
            out.add(t)
    return out


def _read_answers(answers: Any, messages: list[str]) -> pd.DataFrame | None:
    if answers is None:
        messages.append("答题卡为空（None）。The answer sheet is empty.")
        return None
    if isinstance(answers, (str, Path)):
        p = Path(answers)
        try:
            if not p.exists():
                messages.append(f"找不到答题卡文件 {p}。Answer sheet file not found.")
                return None
            if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
                xl = pd.read_excel(p, sheet_name=None, dtype=object)
                df = xl.get("答题卡") if "答题卡" in xl else next(iter(xl.values()), None)
            elif p.suffix.lower() == ".json":
                data = json.loads(p.read_text(encoding="utf-8"))
                df = pd.DataFrame(data.get("answers", data) if isinstance(data, dict) else data)
            else:
                df = pd.read_csv(p, dtype=object)
        except Exception as exc:  # noqa: BLE001 - garbled files score 0 with a message
            messages.append(f"无法读取答题卡 {p.name}：{type(exc).__name__}: {exc}")
            return None
    elif isinstance(answers, pd.DataFrame):
        df = answers
    elif isinstance(answers, Mapping):
        try:
            if all(isinstance(v, Mapping) for v in answers.values()) and answers:
                df = pd.DataFrame([{"card_id": k, **v} for k, v in answers.items()])
            else:
                df = pd.DataFrame(answers)
        except Exception as exc:  # noqa: BLE001
            messages.append(f"无法读取答题卡：{type(exc).__name__}: {exc}")
            return None
    elif isinstance(answers, (list, tuple)):
        if not all(isinstance(r, Mapping) for r in answers):
            messages.append("答题卡格式无法识别：应为每张卡片一行的表格。Unrecognised answer sheet format.")
            return None
        df = pd.DataFrame(list(answers))
    else:
        messages.append(f"答题卡格式无法识别（{type(answers).__name__}）。Unrecognised answer sheet.")
        return None
    if df is None or len(df) == 0:
        messages.append("答题卡为空：没有任何作答行。The answer sheet has no rows.")
        return None
    rename = {v: k for k, v in SHEET_COLUMNS.items()}
    df = df.rename(columns={c: rename.get(str(c).strip(), str(c).strip()) for c in df.columns})
    if "card_id" not in df.columns:
        messages.append("答题卡缺少“卡片编号 card_id”列，无法对应到卡片。The sheet has no card_id column.")
        return None
    df = df.copy()
    df["card_id"] = df["card_id"].map(lambda v: None if _blank(v) else str(v).strip())
    df = df.dropna(subset=["card_id"])
    dup = df["card_id"].duplicated()
    if dup.any():
        messages.append(f"卡片编号重复，仅取第一行：{', '.join(sorted(set(df.loc[dup, 'card_id'])))}")
        df = df[~dup]
    return df.set_index("card_id")


def _load_key(key: Any) -> tuple[pd.DataFrame, dict]:
    if isinstance(key, ExerciseSet):
        return key.key, key.meta
    if isinstance(key, pd.DataFrame):
        return key, {}
    if isinstance(key, Mapping):
        return pd.DataFrame(key["key"]), dict(key.get("meta", {}))
    p = Path(key)
    if p.is_dir():
        p = p / "key.json"
    data = json.loads(p.read_text(encoding="utf-8"))
    return pd.DataFrame(data["key"]), dict(data.get("meta", {}))


def grade(answers: Any, key: Any, *, amount_tolerance: float | None = None) -> GradeReport:
    """Grade an answer sheet against an exercise set's key.

    ``answers``: a DataFrame / list of dicts / ``{card_id: {...}}`` / a path (.xlsx with a
    答题卡 sheet, .csv, .json), with the columns of :data:`SHEET_COLUMNS` (English names or
    the Chinese headers). ``key``: the :class:`ExerciseSet`, its ``key`` frame, or the path
    of ``key.json`` (or its folder).

    Questions per card: ``eligible`` (是/否), ``rule`` (any of the accepted codes),
    ``amount`` (only for eligible cards; correct within ``amount_tolerance`` relative
    error, by default 0.3 — 灌云: 同类案件救助金额上下幅度不超过30%), ``agencies`` (only for
    cards with needs; score = share of needs reached by a named agency, correct when all
    are). Unanswered or unreadable answers score 0 with a message; grading never raises on
    a bad sheet.
    """
    messages: list[str] = []
    k, meta = _load_key(key)
    tol = float(amount_tolerance if amount_tolerance is not None else meta.get("amount_tolerance", 0.3))
    sheet = _read_answers(answers, messages)
    if sheet is not None:
        unknown = sorted(set(sheet.index) - set(k["card_id"]))
        if unknown:
            messages.append(f"答题卡中有未知的卡片编号（忽略）：{', '.join(unknown[:10])}")
        missing_cols = [SHEET_COLUMNS[c] for c in ("eligible", "rule", "amount", "agencies") if c not in sheet.columns]
        if missing_cols:
            messages.append("答题卡缺少列：" + "、".join(missing_cols))
    rows = []
    unreadable = 0
    for _, kr in k.iterrows():
        cid = kr["card_id"]
        a = sheet.loc[cid] if sheet is not None and cid in sheet.index else None
        get = (lambda c: a[c] if a is not None and c in a.index else None)  # noqa: E731
        # 1 eligible
        raw = get("eligible")
        given = parse_eligible(raw)
        if given is None and not _blank(raw):
            unreadable += 1
        exp = bool(kr["eligible"])
        rows.append(_row(cid, "eligible", "是" if exp else "否", raw, given is not None and given == exp,
                         "未作答" if _blank(raw) else ("无法识别（应为 是/否）" if given is None
                                                    else ("" if given == exp else f"应为 {'是' if exp else '否'}"))))
        # 2 rule
        raw = get("rule")
        codes = parse_rules(raw)
        accepted = set(str(kr["rules_accepted"]).split("、"))
        ok = codes is not None and bool(codes & accepted) and not (codes - accepted - {"eligible"} if exp is False else codes - accepted)
        if codes is None and not _blank(raw):
            unreadable += 1
        rows.append(_row(cid, "rule", kr["rules_accepted"], raw, bool(ok),
                         "未作答" if _blank(raw) else ("无法识别依据" if codes is None else ("" if ok else f"应为 {kr['rules_accepted']}"))))
        # 3 amount (eligible cards)
        if exp:
            raw = get("amount")
            amt = parse_amount(raw)
            expected = float(kr["amount"])
            err = None if amt is None else (abs(amt - expected) / expected if expected > 0 else float(amt > 0))
            ok = err is not None and err <= tol
            if amt is None and not _blank(raw):
                unreadable += 1
            msg = "未作答" if _blank(raw) else ("无法识别金额" if amt is None else ("" if ok else f"相对误差 {err:.0%}（容差 {tol:.0%}）"))
            coef_msgs = []
            for c in ("case_type_coef", "hardship_coef", "addon_coef", "fault_coef"):
                g = parse_amount(get(c))
                if g is not None and not math.isclose(g, float(kr[c]), rel_tol=1e-6, abs_tol=1e-9):
                    coef_msgs.append(f"{SHEET_COLUMNS[c]} 应为 {float(kr[c]):g}")
            if coef_msgs:
                msg = "；".join([m for m in [msg] if m] + coef_msgs)
            rows.append(_row(cid, "amount", round(expected, 2), raw, ok, msg, error=err))
        # 4 agencies (cards with needs)
        needs = [x for x in str(kr["needs"] or "").split(",") if x and x != "None"]
        if needs:
            raw = get("agencies")
            ag = parse_agencies(raw)
            if ag is None and not _blank(raw):
                unreadable += 1
            reached = [nd for nd in needs if ag and set(agencies_for([nd])) & ag]
            cov = len(reached) / len(needs)
            missed = [(_needs().get(nd, {}).get("label", nd)) for nd in needs if nd not in reached]
            rows.append(_row(cid, "agencies", kr["agencies"], raw, cov == 1.0,
                             "未作答" if _blank(raw) else ("" if cov == 1.0 else "未覆盖需求：" + "、".join(missed)),
                             score=cov, coverage=cov))
    res = pd.DataFrame(rows, columns=["card_id", "question", "question_zh", "expected", "given", "correct", "score",
                                      "error", "coverage", "message"])
    if unreadable:
        messages.append(f"{unreadable} 个答案无法识别，按 0 分计。")
    n_cards = len(k)
    answered = 0
    if sheet is not None:
        cols = [c for c in SHEET_COLUMNS if c != "card_id" and c in sheet.columns]
        mine = sheet[sheet.index.isin(set(k["card_id"]))]
        if len(mine) and cols:
            answered = int((~mine[cols].map(_blank)).any(axis=1).sum())
        if not len(mine):
            messages.append("答题卡上没有与本套练习对应的卡片。No card of this set was answered.")
        elif answered == 0:
            messages.append("答题卡为空：所有卡片都未作答。The answer sheet is blank.")

    def mean(q: str, col: str = "score") -> float:
        s = res.loc[res["question"] == q, col]
        return float(s.mean()) if len(s) else 0.0

    amt = res[(res["question"] == "amount") & res["error"].notna()]["error"]
    summary = {
        "score": round(100.0 * float(res["score"].mean()), 1) if len(res) else 0.0,
        "accuracy": round(mean("eligible"), 4),
        "rule_accuracy": round(mean("rule"), 4),
        "amount_within_tolerance": round(mean("amount"), 4),
        "amount_error": round(float(amt.mean()), 4) if len(amt) else None,
        "referral_coverage": round(mean("agencies", "coverage"), 4),
        "n_cards": n_cards, "n_answered": answered, "n_questions": len(res),
    }
    if n_cards == 0:
        messages.append("练习中没有卡片。The exercise set has no cards.")
    return GradeReport(results=res, summary=summary, messages=messages)


def _row(cid, q, expected, given, correct, message, *, score=None, error=None, coverage=None) -> dict:
    return {"card_id": cid, "question": q, "question_zh": QUESTIONS[q], "expected": str(expected),
            "given": None if _blank(given) else str(given), "correct": bool(correct),
            "score": float(score if score is not None else (1.0 if correct else 0.0)),
            "error": error, "coverage": coverage, "message": message}


# --------------------------------------------------------------------------- worked examples
def worked_examples(pool, results: Mapping[str, Any] | None = None, *, seed: int = 0) -> pd.DataFrame:
    """One worked example per model: a clue, its rule path, and what the truth says.

    Prefers a clue that is right (an eligible person) so the newcomer sees the rule work;
    the ``truth`` column says whether the person is eligible.
    """
    if results is None:
        results, _ = run_models(pool)
    hits = clue_persons(results, pool)
    v = pool.truth["truth_victims"]
    eligible = set(v.loc[v["judicial_aid_eligible"].astype(bool), "person_id"].astype("str"))
    rows = []
    for name, res in results.items():
        c = res.clues
        h = hits[hits["model"] == name]
        if not len(c):
            rows.append({"model": name, "clue_id": None, "姓名": None, "rule_path": "（本池无线索）", "符合司法救助": None,
                         "公开步骤": _steps_text(res)})
            continue
        good = h[h["person_id"].astype("str").isin(eligible)]
        pick = good.iloc[0] if len(good) else (h.iloc[0] if len(h) else None)
        row = c[c["clue_id"] == pick["clue_id"]].iloc[0] if pick is not None else c.iloc[0]
        pid = str(pick["person_id"]) if pick is not None else None
        rows.append({"model": name, "clue_id": row["clue_id"], "姓名": identity.mask_name(row["name"]),
                     "身份证号": _mask_id(row["id_number"]), "rule_path": row["rule_path"],
                     "推荐机关": row.get("recommended_agencies"),
                     "符合司法救助": (pid in eligible) if pid else None,
                     "公开步骤": _steps_text(res)})
    return pd.DataFrame(rows)


def _steps_text(res: Any) -> str:
    """The model's published steps in order (their Chinese wording), from its funnel."""
    f = getattr(res, "funnel", None)
    if f is None or not len(f) or "label_zh" not in f.columns:
        return ""
    f = f.sort_values("order") if "order" in f.columns else f
    return " → ".join(f"{i + 1}. {t}" for i, t in enumerate(f["label_zh"].astype("str")))


# --------------------------------------------------------------------------- command line
def add_commands(sub) -> None:
    """The ``jiuzhu exercise`` sub-command (hooked in by :mod:`jiuzhu_methods.cli`)."""
    e = sub.add_parser("exercise", help="training: draw case exercises from a synthetic pool, or grade an answer sheet",
                       description="Draw a case-exercise set (cards + separate answer key) or grade a filled answer sheet.")
    e.add_argument("pool", nargs="?", help="pool folder (from jiuzhu synth); or use --county to generate one")
    e.add_argument("--county", help="generate the pool for this county instead of reading a folder")
    e.add_argument("--scale", type=float, default=0.005, help="generator scale with --county (default 0.005)")
    e.add_argument("--pool-seed", type=int, default=7, help="generator seed with --county (default 7)")
    e.add_argument("--n", type=int, default=10, help="number of cards (default 10)")
    e.add_argument("--seed", type=int, default=0, help="exercise set seed (default 0)")
    e.add_argument("--difficulty", choices=list(DIFFICULTIES), default="medium")
    e.add_argument("--out", help="folder for cards.html/xlsx, answer_sheet.xlsx and key.html/xlsx/json")
    e.add_argument("--format", default="html,xlsx", help="export formats, comma separated (html, xlsx)")
    e.add_argument("--show-key", action="store_true", help="also print the answer key")
    e.add_argument("--grade", metavar="SHEET", help="grade this answer sheet (.xlsx/.csv/.json) against --key")
    e.add_argument("--key", help="key.json (or its folder) for --grade")
    e.set_defaults(func=_cmd_exercise)


def _cmd_exercise(args) -> int:
    if args.grade:
        if not args.key:
            print("jiuzhu exercise --grade needs --key (the key.json written with the set)")
            return 2
        try:
            rep = grade(args.grade, args.key)
        except Exception as exc:  # noqa: BLE001 - an unreadable key is a usage error, not a crash
            print(f"cannot read the key {args.key}: {type(exc).__name__}: {exc}")
            return 2
        print(rep.summary_table().to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        for m in rep.messages:
            print("! " + m)
        bad = rep.results[~rep.results["correct"]]
        if len(bad):
            print(bad[["card_id", "question_zh", "expected", "given", "message"]].to_string(index=False))
        return 0
    from .io.pool import DataPool

    if args.county:
        from .synth import generate

        pool = generate(args.county, scale=args.scale, seed=args.pool_seed)
    elif args.pool:
        from .io.loaders import LoadError

        try:
            pool = DataPool.read(args.pool)
        except (LoadError, FileNotFoundError) as exc:
            print(f"jiuzhu exercise: {exc}")
            return 2
        if not pool.has_truth or "truth_victims" not in pool.truth:
            print(f"jiuzhu exercise: {args.pool} has no hidden truth (truth_persons, truth_links, truth_victims): "
                  "exercises are drawn from a synthetic pool (jiuzhu synth …, or --county), not from loaded exports")
            return 2
    else:
        print("jiuzhu exercise: give a pool folder or --county")
        return 2
    ex = make_exercises(pool, n=args.n, seed=args.seed, difficulty=args.difficulty)
    for w in ex.warnings:
        print("! " + w)
    if args.out:
        files = ex.save(args.out, formats=[f.strip() for f in args.format.split(",") if f.strip()])
        for name, p in files.items():
            print(f"{name}: {p}")
    else:
        for c in ex.cards:
            print(c.markdown())
            print()
    if args.show_key:
        print("==== 答案 ANSWER KEY ====")
        print(ex.key_table().to_string(index=False))
    return 0


__all__ = ["Card", "DIFFICULTIES", "ExerciseSet", "GradeReport", "KINDS", "LEGAL_CONDITIONS", "RULES", "SHEET_COLUMNS",
           "add_commands", "agencies_for", "clue_persons", "grade", "make_exercises", "mask_text", "name_pattern", "parse_agencies",
           "parse_amount", "parse_eligible", "parse_rules", "rules_table", "run_models", "TRAPS", "standard_coefficients", "worked_examples"]
