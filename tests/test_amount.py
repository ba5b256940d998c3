"""案例一 模型二 formula and the amount standards (data/amount/*.yaml)."""
import math

import pandas as pd
import pytest

from jiuzhu_methods.amount import (PROFILES, aid_amount, aid_amount_series, cap_of, explain, explain_series,
                                   load_standard)


def test_formula_by_hand():
    # base = 10000 × (2 + 5) = 70000; add-on = 10000 × 5 = 50000; (70000 + 50000) × 0.8 = 96000
    assert aid_amount(10000, 2, 5, addon_coef=5, fault_coef=0.8) == 96000.0
    # no add-on, no fault: 10807 × (1.5 + 3) = 48631.5
    assert aid_amount(10807, 1.5, 3) == pytest.approx(48631.5)
    # full responsibility (fault 0) gives nothing
    assert aid_amount(10000, 2, 5, 5, 0.0) == 0.0


def test_cap():
    # 96000 > cap 36 × 2500 = 90000 → 90000; a cap above the amount changes nothing
    assert aid_amount(10000, 2, 5, 5, 0.8, cap=36 * 2500) == 90000.0
    assert aid_amount(10000, 2, 5, 5, 0.8, cap=100000) == 96000.0


def test_explain_terms():
    t = explain(10000, 2, 5, addon_coef=5, fault_coef=0.8, cap=90000)
    assert (t["base"], t["addon"], t["before_fault"], t["uncapped"], t["final"]) == (70000, 50000, 120000, 96000, 90000)
    assert t["capped"] is True
    assert explain(10000, 2, 5)["capped"] is False


@pytest.mark.parametrize("kw", [{"benchmark": -1}, {"case_type_coef": -0.5}, {"hardship_coef": -2},
                                {"addon_coef": -1}, {"fault_coef": -0.1}, {"cap": -5}, {"fault_coef": 1.2},
                                {"benchmark": float("nan")}])
def test_invalid_inputs(kw):
    args = {"benchmark": 10000, "case_type_coef": 2, "hardship_coef": 5, "addon_coef": 0, "fault_coef": 1, "cap": None}
    args.update(kw)
    with pytest.raises(ValueError):
        aid_amount(**args)


def test_type_error():
    with pytest.raises(TypeError):
        aid_amount("10000", 2, 5)


def test_series_matches_scalar():
    b = pd.Series([10000.0, 10000.0, 5000.0])
    c = pd.Series([2.0, 1.0, 1.5])
    h = pd.Series([5.0, 12.5, 3.0])
    a = pd.Series([5.0, 0.0, 3.0])
    f = pd.Series([0.8, 1.0, 0.5])
    s = aid_amount_series(b, c, h, a, f, cap=100000)
    # row 1: (10000 × 13.5) = 135000 > 100000 → 100000; row 2: (5000 × 4.5 + 15000) × 0.5 = 18750
    assert s.tolist() == [96000.0, 100000.0, 18750.0]
    for i in range(3):
        assert s[i] == aid_amount(b[i], c[i], h[i], a[i], f[i], cap=100000)
    t = explain_series(b, c, h, a, f, cap=pd.Series([float("nan"), 100000.0, 1e9]))
    # a missing cap means no cap for that row
    assert t["capped"].tolist() == [False, True, False]
    with pytest.raises(ValueError):
        aid_amount_series(b, c, h - 20)


def test_standards_have_sources_and_structure():
    for p in PROFILES:
        s = load_standard(p)
        assert s["profile"] == p
        for key in ("benchmark", "average_monthly_wage"):
            assert s[key]["source"] and s[key]["description"]
        assert set(s["case_type"]["values"]) == {"criminal_injury", "civil_tort_injury", "property_loss", "support",
                                                 "petition"}
        assert all(v["source"] for v in s["case_type"]["values"].values())
        assert [s["hardship"]["tiers"][k]["range"] for k in (1, 2, 3)] == [[1, 5], [5, 10], [10, 15]]
        assert s["addon"]["groups"]["high"]["range"] == [5, 10] and s["addon"]["groups"]["low"]["range"] == [1, 5]
        assert set(s["fault"]["values"]) == {"无责任", "次要责任", "同等责任", "主要责任", "全部责任"}
        if p != "guanyun":
            assert "assumption" in s["average_monthly_wage"]["source"]


def test_guanyun_benchmark_derived_from_seed():
    s = load_standard("guanyun")
    # 117.8万元 / 109 persons = 10807.3
    assert s["benchmark"]["value"] == round(1_178_000 / 109)
    assert "109" in s["benchmark"]["source"]
    # cap = 36 × 6500 (the synthetic profile's wage too)
    assert cap_of(s) == 234000.0


def test_overrides_do_not_touch_the_file():
    s = load_standard("guanyun", {"benchmark": {"value": 5000}, "cap": {"enabled": False}})
    assert s["benchmark"]["value"] == 5000 and s["benchmark"]["source"]
    assert cap_of(s) is None
    assert load_standard("guanyun")["benchmark"]["value"] == 10807
    with pytest.raises(KeyError):
        load_standard("nowhere")


def test_nan_never_returned():
    assert not math.isnan(aid_amount(0, 0, 0))
