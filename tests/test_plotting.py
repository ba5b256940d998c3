"""Charts: Chinese labels render with a CJK font (no missing-glyph warning); without one,
English labels and exactly one warning; chart functions draw exactly the data given."""
from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jiuzhu_methods.reporting import plotting  # noqa: E402

FUNNEL = pd.DataFrame({
    "order": [1, 2, 3, 4],
    "step": ["parties", "rule1", "rule2", "manual"],
    "label": ["case parties", "no effective compensation", "hardship caused by the case", "manual check"],
    "label_zh": ["五大案件类型的被害人及其近亲属", "无法通过诉讼获得有效赔偿", "因案致困，生活面临急迫困难", "人工核查"],
    "source": ["案例一 模型一"] * 4,
    "n_in": [120, 120, 45, 17],
    "n_out": [120, 45, 17, 17],
    "detail": [{}] * 4,
})

GLYPH_PROBLEMS = ("missing from font", "Glyph", "missing from current font")


def _draw_all() -> list[str]:
    """Draw every chart type with Chinese labels; the warning messages raised while rendering."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figs = [
            plotting.funnel_chart(FUNNEL, title="筛查漏斗（灌云）"),
            plotting.bar_chart({"城市低保": 3, "持证残疾人": 5, "困境儿童": 1}, title="各组命中"),
            plotting.grouped_bar_chart(pd.DataFrame({"本地": [3, 4], "外地": [1, 0]}, index=["模型1", "模型4"]),
                                       title="本地与外地", stacked=True),
            plotting.precision_recall_chart([{"model": "模型一", "precision": 0.8, "recall": 0.5}]),
            plotting.amount_band_chart(pd.DataFrame({"class": ["故意伤害", "故意伤害", "交通肇事"], "amount": [1e4, 1.2e4, 8e3]}),
                                       pd.DataFrame({"class": ["故意伤害", "交通肇事"], "center": [1.1e4, 8e3],
                                                     "low": [7.7e3, 5.6e3], "high": [1.43e4, 1.04e4]})),
        ]
        for fig in figs:
            fig.savefig(io.BytesIO(), format="png")
            plt.close(fig)
    return [str(w.message) for w in caught]


@pytest.fixture
def no_cjk(monkeypatch):
    """Pretend no CJK font exists; restore the real set-up afterwards."""
    monkeypatch.setattr(plotting, "CANDIDATE_FILES", [])
    monkeypatch.setattr(plotting, "_fc_list_files", lambda: [])
    monkeypatch.delenv("JIUZHU_CJK_FONT", raising=False)
    saved = dict(matplotlib.rcParams)
    plotting._reset_for_tests()
    yield
    plotting._reset_for_tests()
    matplotlib.rcParams.update(saved)
    monkeypatch.undo()
    plotting.setup_fonts(force=True)


def test_chinese_labels_render_without_missing_glyphs():
    if not plotting.find_cjk_font_files():
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei); the English fallback is tested below")
    plotting._reset_for_tests()
    family = plotting.setup_fonts()
    assert family, "a CJK font file exists but could not be registered"
    # a list of concrete families, the CJK one first
    assert list(matplotlib.rcParams["font.family"])[0] == family
    assert plotting.use_chinese()
    messages = _draw_all()
    bad = [m for m in messages if any(p in m for p in GLYPH_PROBLEMS)]
    assert not bad, bad
    # the Chinese wording really is on the chart
    fig = plotting.funnel_chart(FUNNEL)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert any("有效赔偿" in t for t in ticks)


def test_without_cjk_font_english_labels_and_one_warning(no_cjk):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert plotting.setup_fonts() is None
        assert plotting.setup_fonts() is None  # idempotent: no second warning
        assert not plotting.use_chinese()
    cjk = [w for w in caught if issubclass(w.category, plotting.CJKFontWarning)]
    assert len(cjk) == 1 and "fonts-wqy-microhei" in str(cjk[0].message)
    messages = _draw_all()
    assert not [m for m in messages if any(p in m for p in GLYPH_PROBLEMS)]
    assert not [m for m in messages if "CJK" in m]  # the warning came once, not per chart
    fig = plotting.funnel_chart(FUNNEL)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_yticklabels()] + [ax.get_title(), ax.get_xlabel()]
    plt.close(fig)
    assert all(t.isascii() for t in texts), texts
    assert any("no effective compensation" in t for t in texts)


def test_label_fallback_uses_glossary_and_never_returns_cjk(no_cjk):
    with pytest.warns(plotting.CJKFontWarning):
        plotting.setup_fonts()
    assert plotting.label("城市低保") == "urban minimum living"
    assert plotting.label("红") == "red"
    assert plotting.label("组1、组3").isascii()
    assert plotting.label("未知名单") == "?"          # nothing Latin left: a placeholder, not boxes
    assert plotting.label("模型1", english="model 1") == "model 1"
    assert plotting.zh_en("漏斗", "funnel") == "funnel"


def test_funnel_chart_draws_the_counts_given():
    fig = plotting.funnel_chart(FUNNEL)
    widths = sorted(round(p.get_width()) for p in fig.axes[0].patches)
    plt.close(fig)
    # start bar (first step's n_in = 120) + one bar per step: 120, 45, 17, 17
    assert widths == sorted([120, 120, 45, 17, 17])


def test_bar_chart_keeps_order_and_values():
    fig = plotting.bar_chart(pd.Series({"红": 2, "橙": 5, "黄": 9}), colors=plotting.GRADE_COLOURS)
    ax = fig.axes[0]
    # horizontal bars are drawn top-down in the given order: 红 at the top (largest y)
    bars = sorted(ax.patches, key=lambda p: -p.get_y())
    plt.close(fig)
    assert [round(b.get_width()) for b in bars] == [2, 5, 9]


def test_precision_recall_chart_places_points():
    fig = plotting.precision_recall_chart(pd.DataFrame({"model": ["a", "b"], "precision": [0.9, 0.3],
                                                        "recall": [0.2, 0.7]}))
    pts = sorted(tuple(map(float, c.get_offsets()[0])) for c in fig.axes[0].collections)
    plt.close(fig)
    assert pts == [(0.2, 0.9), (0.7, 0.3)]
