"""救助金额测算 — the amount formula of 案例一 模型二 (灌云《司法救助资金分类量化标准实施细则》).

The published formula (案例一 模型二 研判规则一至三)::

    救助基本金额 = 救助基准金额 × (案件类型系数 + 生活困难系数)
    救助追加金额 = 救助基准金额 × 追加系数            (重点救助对象)
    最终实际救助金额 = (基本金额 + 追加金额) × 过错系数

plus the legal ceiling of seed ``003``: 一般不超过当地上一年度职工月平均工资的 36 个月总额,
aid given once only (``cap = 36 × monthly wage``).

:func:`aid_amount` is that formula and nothing else (pure, scalar); :func:`aid_amount_series`
the same on Series; :func:`explain` returns every term (an OpenFisca-like trace). How a
recipient's features become coefficients is the parameter table
``data/amount/<county>.yaml`` (:func:`load_standard`), applied by
:mod:`jiuzhu_methods.models.guanyun`.

Examples
--------
>>> aid_amount(10000, 2, 5, addon_coef=5, fault_coef=0.8)
96000.0
>>> aid_amount(10000, 2, 5, addon_coef=5, fault_coef=0.8, cap=90000)
90000.0
>>> explain(10000, 2, 5, addon_coef=5, fault_coef=0.8)["final"]
96000.0
"""
from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from numbers import Real

import numpy as np
import pandas as pd

from . import yaml_io

#: county profiles with an amount standard under ``data/amount/``
PROFILES = ("guanyun", "yueqing", "panan", "shanxian", "weidu")


def check_scalar(name: str, value, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{name} is missing (NaN)")
    if v < 0:
        raise ValueError(f"{name} must not be negative, got {v}")
    return v


def explain(benchmark: float, case_type_coef: float, hardship_coef: float, addon_coef: float = 0.0,
            fault_coef: float = 1.0, cap: float | None = None) -> dict:
    """Every term of the formula, in the order it is computed (an OpenFisca-like trace).

    Returns a dict with the inputs and ``base`` (基本金额), ``addon`` (追加金额), ``before_fault``,
    ``uncapped`` (after the fault coefficient), ``capped`` (bool) and ``final``.

    >>> t = explain(10000, 2, 5, addon_coef=5, fault_coef=0.8, cap=90000)
    >>> t["base"], t["addon"], t["uncapped"], t["final"], t["capped"]
    (70000.0, 50000.0, 96000.0, 90000.0, True)
    """
    b = check_scalar("benchmark", benchmark)
    c = check_scalar("case_type_coef", case_type_coef)
    h = check_scalar("hardship_coef", hardship_coef)
    a = check_scalar("addon_coef", addon_coef)
    f = check_scalar("fault_coef", fault_coef)
    if f > 1:
        raise ValueError(f"fault_coef must be between 0 and 1, got {f}")
    cp = check_scalar("cap", cap, allow_none=True)
    base = b * (c + h)
    addon = b * a
    before_fault = base + addon
    uncapped = before_fault * f
    final = uncapped if cp is None else min(uncapped, cp)
    return {
        "benchmark": b, "case_type_coef": c, "hardship_coef": h, "addon_coef": a, "fault_coef": f,
        "cap": cp, "base": base, "addon": addon, "before_fault": before_fault, "uncapped": uncapped,
        "capped": cp is not None and uncapped > cp, "final": final,
    }


def aid_amount(benchmark: float, case_type_coef: float, hardship_coef: float, addon_coef: float = 0.0,
               fault_coef: float = 1.0, cap: float | None = None) -> float:
    """最终实际救助金额 = (基准 × (案件类型系数 + 生活困难系数) + 基准 × 追加系数) × 过错系数, ≤ cap.

    Parameters
    ----------
    benchmark : 救助基准金额 (yuan), ≥ 0
    case_type_coef : 案件类型系数 (a multiple of the benchmark), ≥ 0
    hardship_coef : 生活困难系数 (1–5, 5–10 or 10–15 in 灌云's standard), ≥ 0
    addon_coef : 追加系数 k (5–10 or 1–5 for 重点救助对象; 0 when none applies), ≥ 0
    fault_coef : 过错系数, 0 ≤ f ≤ 1 (1 = the recipient bears no responsibility)
    cap : ceiling (seed 003: 36 × previous-year local average monthly wage); ``None`` = none

    Negative (or missing) inputs raise ``ValueError``; non-numbers ``TypeError``.

    >>> aid_amount(10000, 2, 5, addon_coef=5, fault_coef=0.8)   # (10000×7 + 10000×5) × 0.8
    96000.0
    """
    return explain(benchmark, case_type_coef, hardship_coef, addon_coef, fault_coef, cap)["final"]


def explain_series(benchmark, case_type_coef, hardship_coef, addon_coef=0.0, fault_coef=1.0,
                   cap=None) -> pd.DataFrame:
    """Vectorised :func:`explain`: arguments are Series (aligned on one index) or scalars.

    Returns a DataFrame with one column per term (same names as :func:`explain`). Missing
    values or negative numbers anywhere raise ``ValueError`` naming the argument.
    """
    args = {"benchmark": benchmark, "case_type_coef": case_type_coef, "hardship_coef": hardship_coef,
            "addon_coef": addon_coef, "fault_coef": fault_coef}
    index = next((v.index for v in list(args.values()) + [cap] if isinstance(v, pd.Series)), None)
    if index is None:
        index = pd.RangeIndex(1)
    cols = {}
    for name, v in args.items():
        s = v.astype("float64") if isinstance(v, pd.Series) else pd.Series(float(check_scalar(name, v)), index=index)
        if s.isna().any():
            raise ValueError(f"{name} has missing values")
        if (s < 0).any():
            raise ValueError(f"{name} must not be negative")
        cols[name] = s
    if (cols["fault_coef"] > 1).any():
        raise ValueError("fault_coef must be between 0 and 1")
    out = pd.DataFrame(cols, index=index)
    if cap is None:
        out["cap"] = np.nan
    else:
        cs = cap.astype("float64") if isinstance(cap, pd.Series) else pd.Series(float(check_scalar("cap", cap)), index=index)
        if (cs < 0).any():
            raise ValueError("cap must not be negative")
        out["cap"] = cs
    out["base"] = out["benchmark"] * (out["case_type_coef"] + out["hardship_coef"])
    out["addon"] = out["benchmark"] * out["addon_coef"]
    out["before_fault"] = out["base"] + out["addon"]
    out["uncapped"] = out["before_fault"] * out["fault_coef"]
    out["capped"] = out["cap"].notna() & (out["uncapped"] > out["cap"])
    out["final"] = out["uncapped"].where(~out["capped"], out["cap"])
    return out


def aid_amount_series(benchmark, case_type_coef, hardship_coef, addon_coef=0.0, fault_coef=1.0,
                      cap=None) -> pd.Series:
    """Vectorised :func:`aid_amount` (Series or scalars in, a float Series out; ``cap`` may be a
    Series with missing values meaning no cap for that row)."""
    return explain_series(benchmark, case_type_coef, hardship_coef, addon_coef, fault_coef, cap)["final"].rename("amount")


# -- the parameter table ------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _read_standard(profile: str) -> dict:
    if profile not in PROFILES:
        raise KeyError(f"no amount standard for {profile!r}; profiles are: {', '.join(PROFILES)}")
    text = resources.files("jiuzhu_methods").joinpath(f"data/amount/{profile}.yaml").read_text("utf-8")
    return yaml_io.safe_load(text)


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for k, v in override.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_standard(profile: str = "guanyun", overrides: dict | None = None) -> dict:
    """The amount standard of a county profile (``data/amount/<profile>.yaml``) as a dict.

    ``overrides`` is merged in recursively (a reform, OpenFisca style: e.g.
    ``{"benchmark": {"value": 5000}}``) without touching the file.
    """
    std = _read_standard(profile)
    import copy

    std = copy.deepcopy(std)
    return _merge(std, overrides) if overrides else std


def cap_of(standard: dict) -> float | None:
    """36 × the previous-year local average monthly wage (seed 003), from a standard dict."""
    c = standard.get("cap")
    if not c or not c.get("enabled", True):
        return None
    return float(c["months"]["value"]) * float(standard["average_monthly_wage"]["value"])


__all__ = ["PROFILES", "aid_amount", "aid_amount_series", "cap_of", "check_scalar", "explain", "explain_series", "load_standard"]
