"""Public entry point ``jiuzhu_methods.amount`` (案例一 模型二's formula): :mod:`jiuzhu_methods.core.amount`."""
from .core.amount import *  # noqa: F401,F403
from .core.amount import __all__  # noqa: F401
