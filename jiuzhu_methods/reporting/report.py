"""报告辅助 — what the report notebooks show, computed here so the notebooks stay thin.

The notebooks in ``notebooks/`` import, call, show and explain; everything they compute
comes from this module (tables for display, masked clue lists, amount bands, the summary
file the runner reads). Every table meant for display goes through :func:`mask_frame`: no
raw identity number or full name ever reaches a report.

Summary files
-------------
Each notebook ends with :func:`write_summary`, which writes
``<out_dir>/<notebook>.summary.json``: a title, per model run the clue count, precision,
recall, workload and the funnel's ``n_out`` column, and a one-line ``line`` that
``jiuzhu run`` puts on ``reports/index.html``. Tests compare these numbers with a direct
run of the models on the same pool.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core import identity
from .. import privacy

#: columns never shown in a report (identifying free text)
HIDDEN_COLUMNS = privacy.HIDDEN_COLUMNS


# --------------------------------------------------------------------------- pools
def load_pool(county: str, data_dir: str | Path | None = None, *, scale: float = 0.02, seed: int = 7):
    """The county's synthetic pool: read ``data_dir`` when it holds this county/scale/seed,
    otherwise generate it (and write it to ``data_dir`` when given)."""
    from ..io.pool import DataPool

    if data_dir:
        from .runner import ensure_pool

        ensure_pool(str(county), data_dir, scale=float(scale), seed=int(seed))
        return DataPool.read(data_dir)
    from ..synth import generate

    return generate(str(county), scale=float(scale), seed=int(seed))


def display_options() -> None:
    """pandas display options for reports: long published wording is shown in full."""
    pd.set_option("display.max_colwidth", 300)
    pd.set_option("display.max_columns", 40)
    pd.set_option("display.max_rows", 80)


def run(name: str, pool, **params: Any):
    """:func:`jiuzhu_methods.run_model` with only the parameters the model accepts.

    A notebook's ``parameters`` cell carries the variants of every model (``linkage``,
    ``negation`` …); each model receives those it declares. Empty strings mean "the model's
    default" (papermill passes every parameter, even unset ones).
    """
    import inspect

    from ..registry import get_model, run_model

    sig = inspect.signature(get_model(name))
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    use = {k: v for k, v in params.items() if v not in ("", None) and (accepts_any or k in sig.parameters)}
    return run_model(name, pool, **use)


def pool_overview(pool) -> pd.DataFrame:
    """Rows per contract table with its Chinese label (truth tables excluded)."""
    s = pool.summary()
    s = s[~s["truth"]].drop(columns="truth")
    return s.rename(columns={"table": "表 table", "label": "名称", "rows": "行数 rows"}).reset_index(drop=True)


def meta_table(pool) -> pd.DataFrame:
    """The pool's metadata (county, code, seed, scale, reference date …) as a two-column table
    (values through :func:`jiuzhu_methods.privacy.mask_text`: a loaded export's notes and
    out-of-vocabulary values may quote a name, an ID number or a phone)."""
    def shown(k, v):
        if k == "vocabulary" and isinstance(v, list):
            v = privacy.mask_vocabulary(v).to_dict("records")
        return privacy.mask_text(str(v), quoted_names=True)

    return pd.DataFrame([{"项目 key": k, "值 value": shown(k, v)} for k, v in sorted(pool.meta.items())])


#: identity columns per table (name column, id column)
IDENTITY_COLUMNS = {
    "proc_parties": [("name", "id_number")],
    "petitions": [("name", "id_number")],
    "judicial_aid": [("name", "id_number")],
    "court_parties": [("name", "id_number")],
    "court_enforcements": [("applicant_name", "applicant_id_number"), ("respondent_name", "respondent_id_number")],
    "registries": [("name", "id_number")],
    "social_aid": [("name", "id_number")],
}


def id_quality_shares(q: pd.DataFrame) -> pd.DataFrame:
    """:func:`id_quality` as percentages of each table's rows, indexed ``table.column``
    (for a chart where small tables stay visible)."""
    if q is None or len(q) == 0:
        return pd.DataFrame()
    idx = q["表 table"] + "." + q["列 column"].str.replace("_id_number", "", regex=False).str.replace("id_number", "id", regex=False)
    cols = [c for c in q.columns if c not in ("表 table", "列 column", "记录 rows", "有效")]
    out = q[cols].div(q["记录 rows"].where(q["记录 rows"] > 0), axis=0).mul(100).round(1)
    out.index = idx
    return out[[c for c in out.columns if out[c].sum() > 0]]


def id_quality(pool) -> pd.DataFrame:
    """How usable the identity numbers are, per table and column: counts per reason
    (有效, 缺失, 格式错误, 校验码错误 …) — the noise the models must live with."""
    rows = []
    for table, pairs in IDENTITY_COLUMNS.items():
        df = pool[table]
        for _name_col, id_col in pairs:
            if id_col not in df.columns or len(df) == 0:
                continue
            raw = df[id_col].astype("object")
            norm = identity.normalise_series(df[id_col])
            reasons = identity.check_series(norm, normalised=True)
            as_is = raw.where(raw.notna(), None).map(lambda v: v if v is None else str(v))
            row = {"表 table": table, "列 column": id_col, "记录 rows": len(df)}
            for code, zh in identity.REASONS.items():
                row[zh] = int((reasons == code).sum())
            # valid only after normalisation (full-width, spaces, lower-case x, 15 digits)
            row["需规范化 normalised"] = int(((reasons == "") & (as_is.fillna("") != norm.fillna(""))).sum())
            rows.append(row)
    return pd.DataFrame(rows)


def registry_overview(pool) -> pd.DataFrame:
    """Per registry: source agency, snapshots, records, distinct persons (valid IDs) and
    records without an ID number."""
    reg = pool["registries"]
    if len(reg) == 0:
        return pd.DataFrame(columns=["名单 registry", "来源 agency", "月份 snapshots", "记录 rows", "人数 persons", "无身份证号 no ID"])
    ids = identity.usable_ids(reg["id_number"])
    df = reg.assign(_id=ids)
    g = df.groupby("registry", observed=True)
    out = pd.DataFrame({
        "来源 agency": g["agency"].agg(lambda s: "、".join(sorted(set(map(str, s.dropna()))))),
        "月份 snapshots": g["as_of"].nunique(),
        "记录 rows": g.size(),
        "人数 persons": g["_id"].nunique(),
        "无身份证号 no ID": g["_id"].agg(lambda s: int(s.isna().sum())),
    }).reset_index().rename(columns={"registry": "名单 registry"})
    return out.sort_values("记录 rows", ascending=False).reset_index(drop=True)


def counts(df: pd.DataFrame, column: str, *, label: str | None = None, split: str | None = None,
           order: list[str] | None = None) -> pd.DataFrame:
    """Value counts of ``column`` as a display table (empty table when the column is absent).

    ``split`` splits joined values first (e.g. ``"、"`` for recommended agencies); list
    values are exploded. ``order`` fixes the row order (missing categories count 0).
    """
    name = label or column
    if df is None or column not in getattr(df, "columns", []):
        return pd.DataFrame(columns=[name, "数量 n"])
    s = df[column]
    if s.map(lambda v: isinstance(v, (list, tuple, set, np.ndarray))).any():
        s = s.map(lambda v: list(v) if isinstance(v, (list, tuple, set, np.ndarray)) else v).explode()
    if split:
        s = s.astype("str").str.split(split).explode()
        s = s[s.notna() & (s.str.strip() != "")]
    vc = s.astype("str").value_counts()
    if order is not None:
        vc = vc.reindex(list(order) + [k for k in vc.index if k not in order], fill_value=0)
    return pd.DataFrame({name: vc.index, "数量 n": vc.to_numpy()})


def crosstab(df: pd.DataFrame, index: str, columns: str) -> pd.DataFrame:
    """Counts of ``index`` × ``columns`` (empty frame when a column is absent)."""
    if df is None or index not in df.columns or columns not in df.columns or len(df) == 0:
        return pd.DataFrame()
    return pd.crosstab(df[index].astype("str"), df[columns].astype("str"))


def truth_overview(pool) -> pd.DataFrame:
    """Hidden truth (synthetic pools only): harmed parties by harm type — how many were
    compensated, settled, aided before, eligible for judicial aid / social aid."""
    if not pool.has_truth or "truth_victims" not in pool.truth:
        return pd.DataFrame()
    v = pool.truth["truth_victims"]
    cols = ["compensated", "settled", "aided_before", "judicial_aid_eligible", "social_aid_eligible"]
    g = v.groupby("harm", observed=True)
    out = g.size().rename("受害人 victims").to_frame()
    for c in cols:
        if c in v.columns:
            out[c] = g[c].sum().astype(int)
    return out.reset_index().rename(columns={"harm": "损害 harm"})


# --------------------------------------------------------------------------- masking
def mask_frame(df: pd.DataFrame, *, drop_hidden: bool = True, names=None, keys=None) -> pd.DataFrame:
    """A copy safe to display: :func:`jiuzhu_methods.privacy.mask_frame` (ID numbers
    ``3303**********123X``, names ``张**``, phones, record keys holding an ID, ID numbers and
    phones inside any text) with the identifying free text dropped (:data:`HIDDEN_COLUMNS`).
    Never mutates ``df``."""
    return privacy.mask_frame(df, drop_hidden=drop_hidden, names=names, keys=keys)


#: clue columns shown first, when present
CLUE_DISPLAY = ["clue_id", "name", "id_number", "rule_path", "match", "confidence", "recommended_agencies"]


def show_clues(clues: pd.DataFrame, n: int | None = 20, columns: list[str] | None = None,
               max_extra: int = 8) -> pd.DataFrame:
    """The first ``n`` clues, masked, with the contract columns first and at most
    ``max_extra`` model-specific columns (``model``, ``source``, ``source_ref`` left out
    unless asked for by ``columns``)."""
    if clues is None or len(clues) == 0:
        return pd.DataFrame(columns=columns or CLUE_DISPLAY)
    if columns is None:
        skip = {"model", "source", "source_ref"} | HIDDEN_COLUMNS
        columns = [c for c in CLUE_DISPLAY if c in clues.columns] + \
                  [c for c in clues.columns if c not in CLUE_DISPLAY and c not in skip][:max_extra]
    df = clues[[c for c in columns if c in clues.columns]]
    if n is not None:
        df = df.head(n)
    return mask_frame(df).reset_index(drop=True)


# --------------------------------------------------------------------------- funnel & paths
def funnel_table(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel for display: order, the published wording, the source place, rows in/out
    and how many the step removed."""
    f = funnel.sort_values("order")
    out = pd.DataFrame({
        "序号": f["order"].astype(int).to_numpy(),
        "步骤（原文） step as published": f["label_zh"].astype("str").to_numpy(),
        "step": f["label"].astype("str").to_numpy(),
        "出处 source": f["source"].astype("str").to_numpy(),
        "输入 in": f["n_in"].astype(int).to_numpy(),
        "输出 out": f["n_out"].astype(int).to_numpy(),
    })
    out["剔除 removed"] = (out["输入 in"] - out["输出 out"]).clip(lower=0)
    return out


def funnel_counts(funnel: pd.DataFrame) -> list[int]:
    """``n_out`` per step, in order — what the summary records and the tests compare."""
    return [int(x) for x in funnel.sort_values("order")["n_out"]]


def variant_funnels(results: Mapping[str, Any]) -> pd.DataFrame:
    """Funnels of variants of one model side by side: one row per step (published wording),
    one ``n_out`` column per variant — where a reading changes the result."""
    frames = []
    for name, res in results.items():
        f = res.funnel.sort_values("order")
        frames.append(pd.Series(f["n_out"].astype(int).to_numpy(), index=f["label_zh"].astype("str").to_numpy(), name=name))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, axis=1)
    out.index.name = "步骤（原文） step"
    return out.reset_index()


def rule_paths(clues: pd.DataFrame) -> pd.DataFrame:
    """How many clues took each rule path (the branch of the published steps they passed)."""
    if clues is None or "rule_path" not in clues.columns or len(clues) == 0:
        return pd.DataFrame(columns=["规则路径 rule path", "线索 clues"])
    vc = clues["rule_path"].astype("str").value_counts()
    return pd.DataFrame({"规则路径 rule path": vc.index, "线索 clues": vc.to_numpy()})


# --------------------------------------------------------------------------- evaluation
def evaluate_result(result, pool) -> dict[str, Any] | None:
    """:func:`jiuzhu_methods.evaluation.evaluate.evaluate` when the pool carries the truth (else None)."""
    if not getattr(pool, "has_truth", False):
        return None
    try:
        from ..evaluation.evaluate import evaluate
    except ImportError:
        return None
    return dict(evaluate(result, pool))


EVAL_COLUMNS = {"tp": "真阳性 TP", "fp": "误报 FP", "fn": "漏报 FN",
                "precision": "精确率 precision", "recall": "召回率 recall", "f1": "F1",
                "workload": "人工核查量 workload"}


def evaluation_table(evals: Mapping[str, Mapping[str, Any] | None]) -> pd.DataFrame:
    """One row per model run: TP/FP/FN, precision, recall, F1, workload (= clue rows to verify)."""
    rows = []
    for name, ev in evals.items():
        row = {"模型 model": name}
        for k, zh in EVAL_COLUMNS.items():
            v = (ev or {}).get(k)
            row[zh] = round(float(v), 3) if isinstance(v, (float, np.floating)) else v
        rows.append(row)
    return pd.DataFrame(rows)


def evaluation_records(evals: Mapping[str, Mapping[str, Any] | None]) -> list[dict[str, Any]]:
    """Records for :func:`jiuzhu_methods.reporting.plotting.precision_recall_chart`."""
    return [{"model": k, "precision": (v or {}).get("precision"), "recall": (v or {}).get("recall")}
            for k, v in evals.items() if v]


def headline(results: Mapping[str, Any], evals: Mapping[str, Mapping[str, Any] | None] | None = None) -> str:
    """A Markdown bullet list: per model, clues found and (when known) precision/recall."""
    lines = []
    for name, res in results.items():
        s = f"- **{name}**: {len(res.clues)} 条线索 clues"
        ev = (evals or {}).get(name)
        if ev and ev.get("precision") is not None:
            s += f"; 精确率 precision {float(ev['precision']):.2f}, 召回率 recall {float(ev['recall']):.2f}"
            if ev.get("workload") is not None:
                s += f", 人工核查量 workload {ev['workload']}"
        lines.append(s)
    return "\n".join(lines)


# --------------------------------------------------------------------------- model views
def amount_bands(frame: pd.DataFrame, *, by: str | list[str], amount: str, band: float = 0.3,
                 center: str = "median") -> pd.DataFrame:
    """Per class: recipients, the class centre (median, as :func:`jiuzhu_methods.evaluation.evaluate.evaluate_amounts`
    measures it, or ``center="mean"``), the ±``band`` interval around it, and how many amounts
    fall inside (灌云: 同类案件救助金额上下幅度不超过30%)."""
    cols = ["class", "n", "center", "low", "high", "within", "within_share"]
    keys = [by] if isinstance(by, str) else list(by)
    if frame is None or len(frame) == 0 or not keys or any(k not in frame.columns for k in keys) or amount not in frame.columns:
        return pd.DataFrame(columns=cols)
    df = frame[keys + [amount]].dropna(subset=[amount]).copy()
    df["class"] = df[keys].astype("str").agg(" · ".join, axis=1) if len(df) else pd.Series(dtype="str")
    g = df.groupby("class", observed=True)[amount]
    out = pd.DataFrame({"n": g.size(), "center": g.median() if center == "median" else g.mean()})
    out["low"] = out["center"] * (1 - band)
    out["high"] = out["center"] * (1 + band)
    j = df.join(out[["low", "high"]], on="class")
    inside = ((j[amount] >= j["low"] - 1e-9) & (j[amount] <= j["high"] + 1e-9)).groupby(j["class"]).sum()
    out["within"] = inside.reindex(out.index).fillna(0).astype(int)
    out["within_share"] = (out["within"] / out["n"]).round(3)
    out = out.reset_index()
    for c in ("center", "low", "high"):
        out[c] = out[c].round(2)
    return out[cols]


def amount_frame(clues: pd.DataFrame | None) -> pd.DataFrame:
    """灌云 模型二's amounts with their class (case type · hardship tier) for
    :func:`amount_bands` and :func:`jiuzhu_methods.reporting.plotting.amount_band_chart`."""
    cls, amt = amount_columns(clues)
    if clues is None or amt is None or cls is None:
        return pd.DataFrame(columns=["class", "amount"])
    keys = [cls] + (["hardship_tier"] if "hardship_tier" in clues.columns else [])
    df = clues[keys + [amt]].dropna(subset=[amt]).copy()
    if "hardship_tier" in keys:
        df["hardship_tier"] = "困难" + df["hardship_tier"].astype("str") + "档"
    df["class"] = df[keys].astype("str").agg(" · ".join, axis=1) if len(df) else pd.Series(dtype="str")
    return df.rename(columns={amt: "amount"})[["class", "amount"]].reset_index(drop=True)


def amount_spread(result, pool) -> pd.DataFrame:
    """Published claim vs model vs history: :func:`jiuzhu_methods.evaluation.evaluate.evaluate_amounts`
    as a table (share of amounts within ±30% of their class median, largest deviation)."""
    try:
        from ..evaluation.evaluate import evaluate_amounts
    except ImportError:
        return pd.DataFrame()
    r = evaluate_amounts(result, pool)
    rows = []
    for k, zh in (("model", "模型二测算 model"), ("historical", "以往救助（标准出台前）historical")):
        m = r.get(k) or {}
        rows.append({"来源 source": zh, "人数 n": m.get("n"), "类别数 classes": m.get("classes"),
                     "±30%内比例 share within": None if m.get("share_within") is None else round(float(m["share_within"]), 3),
                     "最大偏离% max deviation": None if m.get("max_abs_pct") is None else round(float(m["max_abs_pct"]), 1)})
    return pd.DataFrame(rows)


def _first_column(df: pd.DataFrame | None, candidates: list[str]) -> str | None:
    if df is None:
        return None
    return next((c for c in candidates if c in df.columns), None)


#: columns models use for the amount class and the amount (灌云 模型二)
AMOUNT_CLASS_COLUMNS = ["amount_class", "case_type_label", "case_class", "case_type", "class", "case_category", "harm"]
AMOUNT_COLUMNS = ["amount", "final_amount", "aid_amount", "final"]


def amount_columns(frame: pd.DataFrame | None) -> tuple[str | None, str | None]:
    """(class column, amount column) of an amount result, or ``None`` where absent."""
    return _first_column(frame, AMOUNT_CLASS_COLUMNS), _first_column(frame, AMOUNT_COLUMNS)


#: columns models use for the registry group(s) a clue hit (单县)
GROUP_COLUMNS = ["group_labels", "groups", "hit_groups", "matched_groups", "group", "screening_groups"]


def group_hits(clues: pd.DataFrame | None) -> pd.DataFrame:
    """Clues per screening group (a clue hitting two groups counts in both)."""
    col = _first_column(clues, GROUP_COLUMNS)
    if col is None:
        return _path_tags(clues, "组 group")
    return counts(clues, col, label="组 group", split="、")


def _path_tags(clues: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """Counts of the ``step[tag]`` branch tags in rule paths (a clue counts once per tag)."""
    if clues is None or "rule_path" not in clues.columns or len(clues) == 0:
        return pd.DataFrame(columns=[name, "数量 n"])
    tags = clues["rule_path"].astype("str").str.findall(r"\[([^\]]+)\]").map(lambda t: sorted(set(t)))
    vc = tags.explode().dropna().value_counts()
    return pd.DataFrame({name: vc.index, "数量 n": vc.to_numpy()})


def collision_counts(clues: pd.DataFrame | None) -> pd.DataFrame:
    """Clues per collision (魏都 碰撞一/二/三): from a ``collision(s)`` column, else from the
    rule-path tags."""
    col = _first_column(clues, ["collisions", "collision"])
    if col is None:
        return _path_tags(clues, "碰撞 collision")
    return counts(clues, col, label="碰撞 collision", split="、")


def decision_rules(result) -> pd.DataFrame:
    """The readable decision rules of a graded model (磐安): from ``result.lists`` (a key
    with "rule" in it) or the model module's ``decision_rules()``/``RULES``."""
    for k, v in (getattr(result, "lists", None) or {}).items():
        if "rule" in k.lower() or "tree" in k.lower():
            if isinstance(v, pd.DataFrame):
                return v
            if isinstance(v, (list, tuple)):
                return pd.DataFrame(v if v and isinstance(v[0], Mapping) else {"规则 rule": list(v)})
            if isinstance(v, Mapping):
                return pd.DataFrame([{"等级 grade": g, "规则 rule": str(r)} for g, r in v.items()])
    import importlib

    model = str(getattr(result, "model", "")).split(".")[0]
    try:
        mod = importlib.import_module(f"jiuzhu_methods.models.{model}")
    except ImportError:
        mod = None
    for attr in ("decision_rules", "tree_rules", "rules_table", "RULES"):
        obj = getattr(mod, attr, None)
        if obj is None:
            continue
        v = obj() if callable(obj) else obj
        if isinstance(v, pd.DataFrame):
            return v
        if isinstance(v, Mapping):
            return pd.DataFrame([{"等级 grade": g, "规则 rule": str(r)} for g, r in v.items()])
        if isinstance(v, (list, tuple)):
            return pd.DataFrame(v if v and isinstance(v[0], Mapping) else {"规则 rule": list(v)})
    return pd.DataFrame(columns=["等级 grade", "规则 rule"])


def decision_tree_text(result) -> str:
    """The model's decision tree as indented text (``describe_tree()`` of its module), or ""."""
    import importlib

    model = str(getattr(result, "model", "")).split(".")[0]
    try:
        mod = importlib.import_module(f"jiuzhu_methods.models.{model}")
    except ImportError:
        return ""
    fn = getattr(mod, "describe_tree", None)
    if not callable(fn):
        return ""
    tree = (getattr(result, "params", None) or {}).get("decision_tree")
    try:
        return str(fn(tree) if tree else fn())
    except TypeError:
        return str(fn())


def side_by_side(results: Mapping[str, Any], column: str, *, labels: Mapping[Any, str] | None = None) -> pd.DataFrame:
    """Clue counts per model (rows) split by ``column`` (columns), e.g. 乐清 m1–m4 by
    ``local`` (本地/外地). A model without the column counts all its clues as ``全部``."""
    rows = {}
    for name, res in results.items():
        c = res.clues
        if column in c.columns and len(c):
            vc = c[column].map(lambda v: (labels or {}).get(v, str(v))).value_counts()
            rows[name] = vc.to_dict()
        else:
            rows[name] = {"全部": len(c)}
    return pd.DataFrame.from_dict(rows, orient="index").fillna(0).astype(int)


def list_sizes(lists: Mapping[str, Any]) -> pd.DataFrame:
    """The sizes of a model's extra published lists (``result.lists``)."""
    rows = []
    for k, v in (lists or {}).items():
        n = len(v) if hasattr(v, "__len__") else None
        kind = type(v).__name__
        rows.append({"清单 list": k, "类型 kind": kind, "行数 rows": n})
    return pd.DataFrame(rows, columns=["清单 list", "类型 kind", "行数 rows"])


def show_list(lists: Mapping[str, Any], key: str, n: int | None = 20) -> pd.DataFrame | Any:
    """One of ``result.lists`` for display: frames masked; other values as they are."""
    v = (lists or {}).get(key)
    if isinstance(v, pd.DataFrame):
        return mask_frame(v.head(n) if n else v).reset_index(drop=True)
    if isinstance(v, pd.Series):
        return mask_frame(v.to_frame().head(n) if n else v.to_frame()).reset_index(drop=True)
    if isinstance(v, Mapping):
        return pd.DataFrame([{"项目 key": k, "值 value": str(x)} for k, x in v.items()])
    return v


def frame_lists(lists: Mapping[str, Any]) -> list[str]:
    """Names of ``result.lists`` entries that are frames (to show them one by one)."""
    return [k for k, v in (lists or {}).items() if isinstance(v, pd.DataFrame)]


# --------------------------------------------------------------------------- privacy scan
SCANNED_SUFFIXES = privacy.SCANNED_SUFFIXES


def find_unmasked_ids(*paths: str | Path) -> list[tuple[str, str]]:
    """Every ID number (valid or near-valid, glued to letters, full-width …:
    :func:`jiuzhu_methods.privacy.scan`) written in the files under ``paths``. Returns
    ``(file, masked number)`` pairs, one per distinct number and file — the number itself is
    never returned, so the report of a leak is not a leak."""
    found = privacy.scan(*paths)
    ids = found[found["kind"] == "id"]
    return [(str(f), str(m)) for f, m in zip(ids["file"], ids["found"])]


# --------------------------------------------------------------------------- summary
def run_summary(result, evaluation: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Clues, funnel counts and evaluation figures of one model run (JSON-ready)."""
    ev = dict(evaluation or {})
    out: dict[str, Any] = {"clues": int(len(result.clues)), "funnel": funnel_counts(result.funnel),
                           "steps": [str(s) for s in result.funnel.sort_values("order")["step"]]}
    for k in ("precision", "recall", "f1", "workload", "tp", "fp", "fn"):
        v = ev.get(k)
        if v is not None and not (isinstance(v, float) and np.isnan(v)):
            out[k] = float(v) if k in ("precision", "recall", "f1") else int(v) if isinstance(v, (int, np.integer)) else v
    return out


def write_summary(out_dir: str | Path, notebook: str, *, title: str, county: str,
                  runs: Mapping[str, Mapping[str, Any]] | None = None, **extra: Any) -> Path:
    """Write ``<out_dir>/<notebook>.summary.json`` (read by ``jiuzhu run`` for the index).

    ``runs`` maps model name → :func:`run_summary`; the first run gives the top-level
    ``clues``/``precision``/``recall``. ``line`` is the index's one-line summary.
    """
    runs = {k: dict(v) for k, v in (runs or {}).items()}
    parts = []
    for name, r in runs.items():
        s = f"{name}: {r.get('clues', 0)} clues"
        if r.get("precision") is not None:
            s += f", P {r['precision']:.2f}, R {r['recall']:.2f}"
        parts.append(s)
    for k, v in extra.items():
        if isinstance(v, (int, float, str, np.integer, np.floating)) and k.startswith("n_"):
            parts.append(f"{k[2:]} {v}")
    first = next(iter(runs.values()), {})
    data = {"notebook": notebook, "title": title, "county": str(county), "runs": runs,
            "clues": first.get("clues"), "precision": first.get("precision"), "recall": first.get("recall"),
            "line": "; ".join(parts), **extra}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    p = out / f"{notebook}.summary.json"
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=_json_default) + "\n", encoding="utf-8")
    return p


def _json_default(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return str(v)


__all__ = [
    "run", "variant_funnels", "amount_bands", "amount_columns", "amount_frame", "amount_spread", "collision_counts", "decision_rules", "decision_tree_text", "display_options", "group_hits", "counts", "crosstab", "evaluate_result", "evaluation_records", "evaluation_table",
    "find_unmasked_ids", "frame_lists", "id_quality_shares", "funnel_counts", "funnel_table", "headline", "id_quality", "list_sizes", "load_pool",
    "mask_frame", "meta_table", "pool_overview", "registry_overview", "rule_paths", "run_summary",
    "show_clues", "show_list", "side_by_side", "truth_overview", "write_summary",
]
