"""模型注册表 — the nine published entry points by name, and :func:`run_model`."""
from __future__ import annotations

import importlib
from typing import Any, Callable

from .core.steps import ModelResult

#: the published entry points, in the order of the source text (案例一 … 案例五)
MODELS: list[str] = [
    "guanyun.screen",
    "guanyun.amount",
    "yueqing.m1",
    "yueqing.m2",
    "yueqing.m3",
    "yueqing.m4",
    "panan.screen",
    "shanxian.screen",
    "weidu.screen",
]


def get_model(name: str) -> Callable[..., ModelResult]:
    """The function behind a model name (``"yueqing.m1"`` → ``jiuzhu_methods.models.yueqing.m1``)."""
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; models are: {', '.join(MODELS)}")
    module, func = name.split(".")
    mod = importlib.import_module(f"jiuzhu_methods.models.{module}")
    return getattr(mod, func)


def run_model(name: str, pool: Any, **params: Any) -> ModelResult:
    """Run one published model on a :class:`~jiuzhu_methods.DataPool`.

    Returns a :class:`~jiuzhu_methods.core.steps.ModelResult` with ``.clues`` and ``.funnel``.
    Parameters are the model's keyword arguments (e.g. ``linkage="id"``,
    ``negation="aware"``, ``county_code="330382"``); unknown ones are an error.
    """
    return get_model(name)(pool, **params)


__all__ = ["MODELS", "get_model", "run_model"]
