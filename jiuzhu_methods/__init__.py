"""jiuzhu_methods — reproducible methods for the SPP big-data judicial assistance models.

大数据赋能类案司法救助典型案例（第一批）, Supreme People's Procuratorate, May 2023: five county
models (灌云, 乐清, 磐安, 单县, 魏都) that collide case data with welfare registries to find
victims who could not get compensation and fell into hardship.

Public entry points (stable)::

    from jiuzhu_methods import DataPool, run_model, MODELS
    from jiuzhu_methods.amount import aid_amount
"""
from __future__ import annotations

from .io.pool import DataPool
from .registry import MODELS, run_model

__version__ = "0.1.0"
__all__ = ["DataPool", "MODELS", "run_model", "__version__"]
