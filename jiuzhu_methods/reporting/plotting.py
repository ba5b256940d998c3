"""图表 — charts with Chinese labels that render (or English labels, never empty boxes).

Chart functions only *draw* the data they are given (a funnel frame, counts, evaluation
records); computing what to draw belongs to the models, :mod:`jiuzhu_methods.evaluation.evaluate` and
:mod:`jiuzhu_methods.reporting.report`.

Fonts
-----
:func:`setup_fonts` looks for a CJK font file (WenQuanYi Micro Hei from Debian
``fonts-wqy-microhei``, Noto Sans/Serif CJK from ``fonts-noto-cjk``, or whatever
``fc-list :lang=zh`` finds), adds the *file* to matplotlib's font manager explicitly (its
cache goes stale after an ``apt-get install``), and sets ``font.family`` to a list of concrete
families (the CJK family first, DejaVu Sans for Latin fallback). When no CJK font exists,
:func:`use_chinese` is ``False``, every chart falls back to English labels and one
:class:`CJKFontWarning` says so — charts never render empty boxes.

Each chart's docstring answers: what it shows, how to read it, what to do about it.

Examples
--------
>>> import pandas as pd
>>> funnel = pd.DataFrame({"order": [1, 2], "step": ["a", "b"], "label": ["parties", "no pay"],
...     "label_zh": ["案件当事人", "未获赔偿"], "source": ["", ""], "n_in": [0, 10], "n_out": [10, 4],
...     "detail": [{}, {}]})
>>> fig = funnel_chart(funnel)   # doctest: +SKIP
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

#: font files tried first, in order (Debian/Ubuntu paths)
CANDIDATE_FILES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]

#: the colours of 磐安's warning grades
GRADE_COLOURS = {"红": "#c0392b", "橙": "#e67e22", "黄": "#f1c40f"}


class CJKFontWarning(UserWarning):
    """No CJK font was found: charts use English labels."""


_STATE: dict[str, Any] = {"family": None, "done": False, "warned": False}


def _fc_list_files() -> list[str]:
    """Font files fontconfig says cover Chinese (empty when fc-list is absent)."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    # prefer sans faces (readable in small chart labels)
    return sorted(set(files), key=lambda f: (0 if re.search(r"(?i)sans|hei|micro", f) else 1, f))


def find_cjk_font_files(extra: Iterable[str] = (), *, search_all: bool = False) -> list[str]:
    """Existing CJK font files: ``extra`` and the ``JIUZHU_CJK_FONT`` variable first, then the
    known Debian paths, then (only when none of those exists, or ``search_all``) what
    ``fc-list :lang=zh`` reports."""
    env = os.environ.get("JIUZHU_CJK_FONT")
    seen: set[str] = set()
    out: list[str] = []

    def add(files: Iterable[str]) -> None:
        for f in files:
            if f and f not in seen and Path(f).is_file():
                seen.add(f)
                out.append(f)

    add([*extra, *([env] if env else []), *CANDIDATE_FILES])
    if search_all or not out:
        add(_fc_list_files())
    return out


def _register(path: str) -> str | None:
    """Add one font file to matplotlib's font manager; its family name, or None if unusable."""
    try:
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
    except Exception:  # unreadable/unsupported file
        return None
    # a CJK font must actually carry the glyphs we draw
    try:
        from matplotlib.ft2font import FT2Font

        ft = FT2Font(path)
        if not all(ft.get_char_index(ord(c)) for c in "中文漏斗救助"):
            return None
    except Exception:
        return None
    return name


def setup_fonts(*, force: bool = False, files: Iterable[str] = ()) -> str | None:
    """Register a CJK font with matplotlib and make it the default; its family, or ``None``.

    Idempotent (the first result is kept unless ``force``). Sets ``font.family`` to
    ``[<CJK family>, "DejaVu Sans"]`` and ``axes.unicode_minus = False`` (CJK fonts lack the
    Unicode minus). With no CJK font, warns once (:class:`CJKFontWarning`) and returns ``None``.
    """
    if _STATE["done"] and not force:
        return _STATE["family"]
    family = None
    tried: set[str] = set()
    for search_all in (False, True):  # fc-list only when the known files are unusable
        for path in find_cjk_font_files(files, search_all=search_all):
            if path in tried:
                continue
            tried.add(path)
            family = _register(path)
            if family:
                break
        if family:
            break
    _STATE.update(family=family, done=True)
    if family:
        matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"]
        matplotlib.rcParams["axes.unicode_minus"] = False
    elif not _STATE["warned"]:
        _STATE["warned"] = True
        warnings.warn(
            "no CJK font found (install Debian fonts-wqy-microhei or fonts-noto-cjk, or set "
            "JIUZHU_CJK_FONT to a font file): charts use English labels",
            CJKFontWarning, stacklevel=2)
    return family


def use_chinese() -> bool:
    """True when charts can carry Chinese labels (a CJK font is registered)."""
    return setup_fonts() is not None


def _reset_for_tests() -> None:
    _STATE.update(family=None, done=False, warned=False)


# --------------------------------------------------------------------------- labels
#: English for the vocabulary that appears on chart axes (used only without a CJK font)
GLOSSARY: dict[str, str] = {
    "红": "red", "橙": "orange", "黄": "yellow",
    "本地": "local", "外地": "non-local",
    "城市低保": "urban minimum living", "农村低保": "rural minimum living", "特困人员": "extreme poverty",
    "低保边缘家庭": "near-minimum household", "低收入人口": "low income", "边缘易致贫户": "at risk of poverty",
    "防返贫监测对象": "poverty-return watch", "原建档立卡贫困户": "formerly registered poor",
    "孤儿": "orphan", "困境儿童": "child in distress", "事实无人抚养儿童": "de facto unsupported child",
    "持证残疾人": "certified disabled", "困难职工": "worker in hardship", "医疗救助对象": "medical aid",
    "困难妇女": "woman in hardship", "重点优抚对象": "key entitled group", "失独家庭": "lost only child",
    "春蕾儿童": "Spring Bud girl", "网格困难群体": "grid hardship list",
    "被害人": "victim", "近亲属": "close relative", "申请人": "applicant", "犯罪嫌疑人": "suspect",
    "被申请人": "respondent", "原告": "plaintiff", "被告": "defendant",
    "刑事检察": "criminal", "未成年人检察": "juvenile", "民事检察": "civil", "行政检察": "administrative",
    "故意伤害罪": "intentional injury", "交通肇事罪": "traffic crime", "故意杀人罪": "homicide",
    "诈骗罪": "fraud", "盗窃罪": "theft", "抢劫罪": "robbery", "强奸罪": "rape",
    "机动车交通事故责任纠纷": "motor accident tort", "赡养纠纷": "elder support", "抚养纠纷": "child support",
    "扶养纠纷": "spousal support",
    "执行完毕": "fully enforced", "终结执行": "enforcement ended", "终结本次执行": "enforcement suspended",
    "未结": "open",
    "决定救助": "aid granted", "不予救助": "aid refused", "已受理": "accepted", "不予受理": "not accepted",
    "涉法涉诉": "litigation-related", "其他": "other",
    "人身损害": "personal injury", "抚养赡养": "support", "教育医疗": "education/medical",
    "经济收入": "income",
    "伤害": "injury", "伤残": "disability", "死亡": "death", "重大财产损失": "major property loss",
    "追索扶养费": "support claim",
}

#: chart texts: key → (Chinese, English)
TEXTS: dict[str, tuple[str, str]] = {
    "funnel_title": ("筛查漏斗：每一步后剩余的人数", "Screening funnel: rows left after each step"),
    "rows": ("人数（记录数）", "rows"),
    "count": ("数量", "count"),
    "precision": ("精确率（线索中真正需要救助的比例）", "precision (share of clues truly eligible)"),
    "recall": ("召回率（需要救助的人中被找到的比例）", "recall (share of eligible persons found)"),
    "pr_title": ("线索质量：精确率与召回率", "Clue quality: precision and recall"),
    "amount": ("救助金额（元）", "aid amount (yuan)"),
    "amount_title": ("各类案件救助金额与类中位数±30%区间", "Aid amounts by class with the class median ±30% band"),
    "band": ("类中位数±30%", "class median ±30%"),
    "class_mean": ("类中位数", "class median"),
    "start": ("起点", "start"),
}


def text(key: str) -> str:
    """A chart text in Chinese, or in English when no CJK font exists."""
    zh, en = TEXTS[key]
    return zh if use_chinese() else en


def label(value: object, english: str | None = None) -> str:
    """A category label: as is with a CJK font; otherwise ``english``, the glossary's English,
    or the value with non-Latin characters removed (never a string that would render boxes)."""
    s = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if use_chinese() or s.isascii():
        return s
    if english:
        return english
    if s in GLOSSARY:
        return GLOSSARY[s]
    # translate known words inside compound labels, drop what remains non-Latin
    out = s
    for zh, en in sorted(GLOSSARY.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(zh, f" {en} ")
    out = re.sub(r"[^\x00-\x7f]+", " ", out)
    out = re.sub(r"\s+", " ", out).strip(" ,;:/|-")
    return out or "?"


def _labels(values: Iterable[object]) -> list[str]:
    return [label(v) for v in values]


def _new_ax(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    return fig, ax


# --------------------------------------------------------------------------- charts
def funnel_chart(funnel: pd.DataFrame, *, title: str | None = None, ax=None, wrap: int | None = None):
    """漏斗图 — how many rows survive each published step.

    At a glance: where the candidates are lost. What it shows: one horizontal bar per step of
    ``funnel`` (columns ``order, label_zh, label, n_in, n_out``; the first bar is the first
    step's input), longest at the top. How to read it: a step that removes most rows is where
    the rule bites (or where data is missing — an empty registry also empties the bar). What
    to do: check a sharp drop against the data before trusting it; the last bar is the manual
    verification workload.
    """
    setup_fonts()
    f = funnel.sort_values("order")
    col = "label_zh" if use_chinese() else "label"
    wrap = wrap or (24 if use_chinese() else 44)
    names = [f"{int(o)}. {_wrap(label(t, e), wrap)}" for o, t, e in zip(f["order"], f[col], f["label"])]
    values = list(f["n_out"].astype(int))
    first_in = int(f["n_in"].iloc[0]) if len(f) else 0
    if len(f) and first_in > 0:
        names = [f"0. {text('start')}"] + names
        values = [first_in] + values
    fig, ax = _new_ax(ax, (8, 0.55 * len(names) + 1.2))
    y = range(len(names))[::-1]
    bars = ax.barh(list(y), values, color="#3a7ebf")
    top = max(values) if values else 1
    for b, v in zip(bars, values):
        ax.text(b.get_width() + top * 0.01, b.get_y() + b.get_height() / 2, f"{v:,}", va="center", fontsize=9)
    ax.set_yticks(list(y), names, fontsize=9)
    ax.set_xlabel(text("rows"))
    ax.set_xlim(0, top * 1.15 if top else 1)
    ax.set_title(label(title) if title is not None else text("funnel_title"))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def bar_chart(data: pd.Series | Mapping[str, float], *, title: str = "", xlabel: str = "", ylabel: str | None = None,
              ax=None, horizontal: bool = True, colors: Mapping[str, str] | None = None, annotate: bool = True):
    """条形图 — counts per category (e.g. clues per registry group or per grade).

    ``data`` maps category → value; drawn in the given order. Titles and axis labels are
    passed in (pass them through :func:`text`/:func:`label` or give both languages with
    :func:`zh_en`). How to read it: compare bar lengths; the number is printed on each bar.
    """
    setup_fonts()
    s = pd.Series(data)
    names = _labels(s.index)
    vals = [float(v) for v in s.to_numpy()]
    col = [(colors or {}).get(str(k), "#3a7ebf") for k in s.index]
    fig, ax = _new_ax(ax, (7, 0.45 * len(s) + 1.5) if horizontal else (max(5, 0.8 * len(s) + 2), 4))
    pos = list(range(len(s)))
    top = max(vals) if vals else 1
    if horizontal:
        pos = pos[::-1]
        bars = ax.barh(pos, vals, color=col)
        ax.set_yticks(pos, names)
        ax.set_xlabel(label(xlabel) if xlabel else text("count"))
        if ylabel:
            ax.set_ylabel(label(ylabel))
        if annotate:
            for b, v in zip(bars, vals):
                ax.text(b.get_width() + top * 0.01, b.get_y() + b.get_height() / 2, _fmt(v), va="center", fontsize=9)
        ax.set_xlim(0, top * 1.15 if top else 1)
    else:
        bars = ax.bar(pos, vals, color=col)
        ax.set_xticks(pos, names, rotation=30 if max((len(n) for n in names), default=0) > 6 else 0, ha="right")
        ax.set_ylabel(label(ylabel) if ylabel else text("count"))
        if xlabel:
            ax.set_xlabel(label(xlabel))
        if annotate:
            for b, v in zip(bars, vals):
                ax.text(b.get_x() + b.get_width() / 2, b.get_height() + top * 0.01, _fmt(v), ha="center", fontsize=9)
        ax.set_ylim(0, top * 1.15 if top else 1)
    ax.set_title(label(title))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def grouped_bar_chart(frame: pd.DataFrame, *, title: str = "", ylabel: str | None = None, ax=None,
                      stacked: bool = False, colors: Mapping[str, str] | None = None):
    """分组条形图 — one group of bars per row of ``frame``, one bar per column (e.g. 乐清
    models 1–4 as rows, 本地/外地 as columns). ``stacked=True`` stacks the columns."""
    setup_fonts()
    fig, ax = _new_ax(ax, (max(6, 1.2 * len(frame) + 2), 4))
    n = max(len(frame.columns), 1)
    width = 0.8 if stacked else 0.8 / n
    x = list(range(len(frame)))
    bottom = [0.0] * len(frame)
    tallest = float(frame.fillna(0).clip(lower=0).sum(axis=1).max() if stacked else frame.fillna(0).max().max()) if len(frame) else 0.0
    for j, c in enumerate(frame.columns):
        vals = [float(v) for v in frame[c].fillna(0).to_numpy()]
        pos = x if stacked else [i - 0.4 + width * (j + 0.5) for i in x]
        kw = {"bottom": bottom} if stacked else {}
        bars = ax.bar(pos, vals, width=width, label=label(c), color=(colors or {}).get(str(c)), **kw)
        for b, v, b0 in zip(bars, vals, bottom if stacked else [0.0] * len(vals)):
            if v and (not stacked or v >= 0.04 * tallest):
                ax.text(b.get_x() + b.get_width() / 2, b0 + v / (2 if stacked else 1), _fmt(v),
                        ha="center", va="center" if stacked else "bottom", fontsize=8)
        if stacked:
            bottom = [a + b for a, b in zip(bottom, vals)]
    names = _labels(frame.index)
    long = max((len(n) for n in names), default=0) > 10 and len(names) > 4
    ax.set_xticks(x, names, rotation=30 if long else 0, ha="right" if long else "center")
    ax.set_ylabel(label(ylabel) if ylabel else text("count"))
    ax.set_title(label(title))
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def precision_recall_chart(evals: pd.DataFrame | Iterable[Mapping[str, Any]], *, name_col: str = "model",
                           title: str | None = None, ax=None):
    """精确率–召回率图 — each run as a point: x recall, y precision, grey F1 contours.

    ``evals``: records with ``precision``, ``recall`` and a name (``name_col``). How to read
    it: top right is best; a point high but left finds few people correctly (raise recall:
    widen the lists, use fallback linkage); low but right finds many with much noise (the
    manual verification workload grows). What to do: compare variants of one model here
    before choosing one for routine use.
    """
    setup_fonts()
    df = pd.DataFrame(list(evals) if not isinstance(evals, pd.DataFrame) else evals)
    fig, ax = _new_ax(ax, (5.5, 5))
    import numpy as np

    r = np.linspace(0.01, 1, 200)
    for f1 in (0.2, 0.4, 0.6, 0.8):
        p = f1 * r / (2 * r - f1)
        ok = (p > 0) & (p <= 1.05)
        ax.plot(r[ok], p[ok], color="0.85", lw=0.8, zorder=0)
        i = int(np.argmax(ok)) if ok.any() else None
        if i is not None:
            ax.text(1.0, min(f1 / (2 - f1), 1.0), f"F1={f1}", color="0.6", fontsize=7, ha="right", va="bottom")
    for _, row in df.iterrows():
        pr, rc = row.get("precision"), row.get("recall")
        if pr is None or rc is None or pd.isna(pr) or pd.isna(rc):
            continue
        ax.scatter([rc], [pr], s=50, zorder=3)
        ax.annotate(label(row.get(name_col, "")), (rc, pr), textcoords="offset points", xytext=(5, 5), fontsize=9)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(text("recall"))
    ax.set_ylabel(text("precision"))
    ax.set_title(label(title) if title is not None else text("pr_title"))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def amount_band_chart(amounts: pd.DataFrame, bands: pd.DataFrame, *, class_col: str = "class",
                      amount_col: str = "amount", title: str | None = None, ax=None):
    """金额分布图 — each recipient's amount as a dot per class, the class mean as a line and
    the ±30% band (灌云's published outcome: similar cases differ by at most ±30%) shaded.
    (The line is the ``center`` column: the class median by default.)

    ``amounts``: one row per recipient (``class_col``, ``amount_col``); ``bands``: one row
    per class with ``class``, ``center`` (median or mean), ``low``, ``high`` (see
    :func:`jiuzhu_methods.reporting.report.amount_bands`). How to read it: dots outside the band are
    the cases the standard does not explain (other coefficients, caps); many such dots mean
    the coefficients do not make similar cases similar.
    """
    setup_fonts()
    classes = list(bands["class"])
    fig, ax = _new_ax(ax, (max(6, 1.1 * len(classes) + 2), 4.5))
    for i, c in enumerate(classes):
        b = bands.iloc[i]
        ax.add_patch(plt.Rectangle((i - 0.35, b["low"]), 0.7, b["high"] - b["low"], color="#3a7ebf", alpha=0.15,
                                   label=text("band") if i == 0 else None))
        ax.plot([i - 0.35, i + 0.35], [b["center"], b["center"]], color="#3a7ebf", lw=2,
                label=text("class_mean") if i == 0 else None)
        y = amounts.loc[amounts[class_col] == c, amount_col].astype(float)
        if len(y):
            import numpy as np

            jitter = np.linspace(-0.25, 0.25, len(y)) if len(y) > 1 else np.array([0.0])
            ax.scatter(i + jitter, y, s=14, color="#333333", zorder=3)
    names = [n.replace(" · ", "\n") for n in _labels(classes)]
    long = max((len(n) for n in names), default=0) > 8 and len(classes) > 3
    ax.set_xticks(range(len(classes)), names, rotation=30 if long else 0, ha="right" if long else "center", fontsize=8)
    ax.set_xlim(-0.6, len(classes) - 0.4)
    ax.set_ylabel(text("amount"))
    ax.set_title(label(title) if title is not None else text("amount_title"))
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- model comparison (compare.py)
#: chart texts of the comparison charts: key → (Chinese, English)
TEXTS.update({
    "cmp_pr_title": ("各县各模型：精确率与召回率（误差线 = 种子间标准差，点大小 = 核查量）",
                     "Precision and recall per county (bars: sd across seeds; size: workload)"),
    "cmp_sweep_title": ("敏感性：{metric}随条件变化（阴影 = 均值±标准差）", "Sensitivity: {metric} (band: mean ± sd)"),
    "cmp_variant_title": ("变体减公布读法：多找到的应救助人员与多出的误报", "Variant minus published reading"),
    "cmp_d_tp": ("多找到的应救助人员 Δtp", "more eligible persons found (Δtp)"),
    "cmp_d_fp": ("多出的误报线索 Δfp", "more wrongly flagged clues (Δfp)"),
    "cmp_change": ("变化（人数，各县合计）", "change (persons, counties summed)"),
})

_MODEL_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                  "#17becf"]


def _colours(models: Iterable[str]) -> dict[str, str]:
    return {m: _MODEL_COLOURS[i % len(_MODEL_COLOURS)] for i, m in enumerate(dict.fromkeys(models))}


def comparison_pr_chart(summary: pd.DataFrame, *, facet: str = "county", title: str | None = None,
                        facet_labels: Mapping[str, str] | None = None, ncols: int = 3):
    """比较图 — precision against recall of every model, one panel per county, with uncertainty.

    ``summary``: :func:`jiuzhu_methods.evaluation.compare.summarise` (``recall_mean``, ``recall_sd``,
    ``precision_mean``, ``precision_sd``, ``workload_mean`` per ``facet`` × ``model``). At a glance:
    which design sits top right (finds many, wastes little) in each county. How to read it: the
    cross is mean ± sd across seeds — overlapping crosses are not really different; the point
    size is the manual verification workload. What to do: prefer the design to the right at an
    acceptable height; a large point means many household checks.
    """
    setup_fonts()
    import numpy as np

    facets = list(dict.fromkeys(summary[facet]))
    models = list(dict.fromkeys(summary["model"]))
    col = _colours(models)
    n = max(len(facets), 1)
    nc = min(ncols, n)
    nr = int(np.ceil(n / nc))
    fig, axes = plt.subplots(nr, nc, figsize=(4.2 * nc, 3.9 * nr + 0.8), squeeze=False, sharex=True, sharey=True)
    wmax = float(summary["workload_mean"].max() or 1) if len(summary) else 1.0
    for i, f in enumerate(facets):
        ax = axes[i // nc][i % nc]
        d = summary.loc[summary[facet] == f]
        for _, r in d.iterrows():
            if pd.isna(r["recall_mean"]) or pd.isna(r["precision_mean"]):
                continue
            ax.errorbar(r["recall_mean"], r["precision_mean"], xerr=r.get("recall_sd", 0) or 0,
                        yerr=r.get("precision_sd", 0) or 0, fmt="none", ecolor=col[r["model"]], alpha=0.6, lw=1)
            ax.scatter([r["recall_mean"]], [r["precision_mean"]], s=20 + 260 * float(r["workload_mean"]) / wmax,
                       color=col[r["model"]], alpha=0.8, zorder=3, label=r["model"] if i == 0 else None)
        ax.set_title(label((facet_labels or {}).get(f, f)), fontsize=10)
        ax.set_xlim(0, 1.05)
        ax.set_ylim(0, 1.05)
        ax.spines[["top", "right"]].set_visible(False)
    xl = label(text("recall").split("（")[0]) if use_chinese() else "recall"
    for j in range(len(facets), nr * nc):
        axes[j // nc][j % nc].axis("off")
        if j // nc > 0:  # the panel above an empty slot is the bottom of its column: show its x axis
            above = axes[j // nc - 1][j % nc]
            above.xaxis.set_tick_params(labelbottom=True)
            above.set_xlabel(xl)
    for ax in axes[-1]:
        ax.set_xlabel(xl)
    for row in axes:
        row[0].set_ylabel(label(text("precision").split("（")[0]) if use_chinese() else "precision")
    handles = [plt.Line2D([], [], marker="o", ls="", color=col[m], label=m) for m in models]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(models), 5), frameon=False, fontsize=8)
    fig.suptitle(label(title) if title is not None else text("cmp_pr_title"), fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return fig


def sweep_chart(sweeps: pd.DataFrame, *, metric: str = "recall", labels: Mapping[str, str] | None = None,
                title: str | None = None):
    """敏感性曲线 — how a metric of each model changes along each sweep (one panel per sweep).

    ``sweeps``: :func:`jiuzhu_methods.evaluation.compare.sweep_summary` (``sweep, point, model,
    <metric>_mean, <metric>_sd``). ``labels``: sweep → axis label. How to read it: a flat line
    is a robust design; the steepest fall shows what breaks a design first. The band is mean ±
    sd across seeds and counties. What to do: before a pilot, check the condition (registry
    coverage, ID quality, registry delay) that the chosen design is most sensitive to.
    """
    setup_fonts()
    kinds = list(dict.fromkeys(sweeps["sweep"]))
    models = list(dict.fromkeys(sweeps["model"]))
    col = _colours(models)
    fig, axes = plt.subplots(1, max(len(kinds), 1), figsize=(4.4 * max(len(kinds), 1), 4.2), squeeze=False, sharey=True)
    for i, k in enumerate(kinds):
        ax = axes[0][i]
        d = sweeps.loc[sweeps["sweep"] == k].sort_values("point")
        for m in models:
            dm = d.loc[d["model"] == m]
            if dm.empty:
                continue
            x, y = dm["point"].astype(float), dm[f"{metric}_mean"].astype(float)
            sd = dm[f"{metric}_sd"].astype(float).fillna(0) if f"{metric}_sd" in dm else 0
            ax.plot(x, y, marker="o", ms=3, color=col[m], label=m if i == 0 else None)
            ax.fill_between(x, (y - sd).clip(lower=0), (y + sd).clip(upper=1), color=col[m], alpha=0.12)
        ax.set_xlabel(label((labels or {}).get(k, k)))
        ax.set_ylim(0, 1.05)
        ax.spines[["top", "right"]].set_visible(False)
    name = {"recall": ("召回率", "recall"), "precision": ("精确率", "precision")}.get(metric, (metric, metric))
    axes[0][0].set_ylabel(name[0] if use_chinese() else name[1])
    fig.legend(loc="lower center", ncol=min(len(models), 5), frameon=False, fontsize=8)
    zh, en = TEXTS["cmp_sweep_title"]
    fig.suptitle(label(title) if title is not None else (zh if use_chinese() else en).format(metric=name[0] if use_chinese() else name[1]),
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.1, 1, 0.94))
    return fig


def variant_chart(variants: pd.DataFrame, *, title: str | None = None):
    """变体差异图 — per model and variant, the eligible persons found in addition (Δtp, green)
    and the wrongly flagged clues in addition (Δfp, red) against the published reading.

    ``variants``: :func:`jiuzhu_methods.evaluation.compare.variant_summary` (``model, variant, d_tp, d_fp``).
    How to read it: a long green bar with a short red one is a variant worth adopting; bars at
    zero mean the variant changes nothing on these data. What to do: test a promising variant on
    a pilot county's real data before changing the routine rule.
    """
    setup_fonts()
    import numpy as np

    d = variants.reset_index(drop=True)
    names = [f"{m} · {v}" for m, v in zip(d["model"], d["variant"])]
    fig, ax = _new_ax(None, (8, 0.42 * len(d) + 1.6))
    y = np.arange(len(d))[::-1]
    ax.barh(y + 0.2, d["d_tp"].astype(float), height=0.38, color="#2ca02c", label=text("cmp_d_tp"))
    ax.barh(y - 0.2, d["d_fp"].astype(float), height=0.38, color="#d62728", label=text("cmp_d_fp"))
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(text("cmp_change"))
    ax.set_title(label(title) if title is not None else text("cmp_variant_title"), fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def zh_en(zh: str, en: str) -> str:
    """``zh`` with a CJK font, ``en`` without — for titles written in a notebook."""
    return zh if use_chinese() else en


def _wrap(s: str, width: int) -> str:
    if len(s) <= width:
        return s
    return s[: width - 3] + "..."


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


__all__ = [
    "CJKFontWarning",
    "GLOSSARY",
    "TEXTS",
    "amount_band_chart",
    "bar_chart",
    "comparison_pr_chart",
    "find_cjk_font_files",
    "funnel_chart",
    "grouped_bar_chart",
    "label",
    "precision_recall_chart",
    "sweep_chart",
    "variant_chart",
    "setup_fonts",
    "text",
    "use_chinese",
    "zh_en",
]
