"""步骤与漏斗 — published steps as named units, a runner that records the funnel.

Every published step of every model is a :class:`Step`: an English ``name`` and ``label``,
its Chinese wording ``label_zh`` as the published case words it, and its ``source`` (e.g.
``"案例二 模型1 第二步"``). A :class:`Pipeline` is an ordered list of steps; the pipeline
(not the step) applies them and records, for each, rows in, rows out and the detail the
step returns, so that every run yields a **funnel** and every surviving row a **rule path**.

A step function receives the current candidate frame and a :class:`Context` (the pool, the
parameters, named intermediate results) and returns either a frame or ``(frame, detail)``.
A step may set a per-row column ``path_tag`` (e.g. ``"碰撞一"`` or ``"组1"``); the runner then
appends ``step.name[tag]`` to that row's ``rule_path`` instead of the bare step name, so a
clue says which branch produced it.

Examples
--------
>>> import pandas as pd
>>> def keep_even(df, ctx):
...     return df[df["x"] % 2 == 0], {"dropped": int((df["x"] % 2).sum())}
>>> p = Pipeline("demo", [Step("even", "keep even x", "保留偶数", "示例 第一步", keep_even)])
>>> frame, funnel, ctx = p.run(pd.DataFrame({"x": [1, 2, 3, 4]}), Context(pool=None))
>>> list(frame["rule_path"]), list(funnel["n_out"])
(['even', 'even'], [2])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .identity import as_arrow

StepFunc = Callable[[pd.DataFrame, "Context"], "pd.DataFrame | tuple[pd.DataFrame, dict]"]

CLUE_COLUMNS = ["clue_id", "model", "name", "id_number", "source", "source_ref", "rule_path",
                "match", "confidence", "recommended_agencies"]
FUNNEL_COLUMNS = ["order", "step", "label", "label_zh", "source", "n_in", "n_out", "detail"]


@dataclass(frozen=True)
class Step:
    """One published step: names, wording, source place, and pure logic."""

    name: str
    label: str
    label_zh: str
    source: str
    func: StepFunc
    #: a "manual verification" step outputs its input: the funnel shows it, nothing is dropped
    manual: bool = False

    def __call__(self, frame: pd.DataFrame, ctx: "Context"):
        return self.func(frame, ctx)


@dataclass
class Context:
    """What a step may read: the pool, the model's parameters, and earlier named results."""

    pool: Any
    params: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def param(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


class Pipeline:
    """An ordered list of steps; :meth:`run` applies them and records the funnel."""

    def __init__(self, model: str, steps: list[Step]):
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate step names in {model}: {names}")
        self.model = model
        self.steps = list(steps)

    def describe(self) -> pd.DataFrame:
        """The published steps, in order, without running anything."""
        return pd.DataFrame(
            [{"order": i + 1, "step": s.name, "label": s.label, "label_zh": s.label_zh, "source": s.source}
             for i, s in enumerate(self.steps)]
        )

    def run(self, frame: pd.DataFrame | None, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame, Context]:
        # shallow copies: pandas 3 copies on write, so no later step can change what an
        # earlier one left in ``ctx.results`` (or the caller's frame)
        frame = pd.DataFrame() if frame is None else frame.copy(deep=False)
        if "rule_path" not in frame.columns:
            frame["rule_path"] = pd.Series([""] * len(frame), index=frame.index, dtype="str")
        rows = []
        for i, step in enumerate(self.steps):
            n_in = len(frame)
            out = step(frame, ctx)
            frame, detail = out if isinstance(out, tuple) else (out, {})
            frame = frame.copy(deep=False)
            if "rule_path" not in frame.columns:
                frame["rule_path"] = pd.Series([""] * len(frame), index=frame.index, dtype="str")
            frame["rule_path"] = _extend_paths(frame, step.name)
            frame = frame.drop(columns="path_tag", errors="ignore")
            ctx.results[step.name] = frame
            rows.append({"order": i + 1, "step": step.name, "label": step.label, "label_zh": step.label_zh,
                         "source": step.source, "n_in": n_in, "n_out": len(frame), "detail": detail})
        return frame, pd.DataFrame(rows, columns=FUNNEL_COLUMNS), ctx


def _arrow_str(s: pd.Series) -> pa.Array:
    """A column's values as one Arrow string array, missing values as ""."""
    return as_arrow(s.astype("str").fillna(""))


def _extend_paths(frame: pd.DataFrame, tag: str) -> pd.Series:
    """Each row's ``rule_path`` with ``tag`` appended (``tag[path_tag]`` where the row has a
    non-empty ``path_tag``), joined with " > " — Arrow kernels on the whole column."""
    rp = _arrow_str(frame["rule_path"])
    text = lambda v: pa.scalar(v, rp.type)          # noqa: E731 - scalars of the column's type
    add = text(tag)
    if "path_tag" in frame.columns:
        t = _arrow_str(frame["path_tag"])
        add = pc.if_else(pc.equal(t, ""), add, pc.binary_join_element_wise(add, text("["), t, text("]"), text("")))
    return pd.Series(pd.array(pc.if_else(pc.equal(rp, ""), add, pc.binary_join_element_wise(rp, add, text(" > "))),
                              dtype="str"), index=frame.index)


@dataclass
class ModelResult:
    """What :func:`jiuzhu_methods.run_model` returns.

    ``clues`` has at least :data:`CLUE_COLUMNS`; ``funnel`` one row per published step;
    ``lists`` any further published outputs (e.g. 灌云's 社会救助建议函 list, 磐安's
    supervision figures); ``params`` the parameters in force.

    ``context`` (optional) is the pipeline's :class:`Context` of the run, as far as the model
    hands it on: what a later model given this result may read instead of running the model
    again (``guanyun.amount(pool, screen=result)`` reads the screen's lookup pairs from it). The
    model decides what it holds (``guanyun.screen``: its pool as a ``weakref.ref``, so a result
    never keeps a county alive, and the lookup's pairs). It is no output: not printed
    (``repr``), not compared (``==``) and not pickled (a pickled result comes back without it).
    """

    model: str
    clues: pd.DataFrame
    funnel: pd.DataFrame
    lists: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    context: Context | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"ModelResult({self.model}: {len(self.clues)} clues, {len(self.funnel)} steps)"

    def __getstate__(self) -> dict[str, Any]:
        # the run's context is no output (and may hold weak references): left out of a pickle
        return {**self.__dict__, "context": None}


def finalize_clues(frame: pd.DataFrame, model: str, *, source: str | None = None,
                   source_ref: str | None = None, extra: list[str] | None = None) -> pd.DataFrame:
    """Shape a pipeline's final frame as clues: contract columns first, ``clue_id`` numbered.

    ``source``/``source_ref`` name columns of ``frame`` (or, for ``source``, a constant when
    no such column exists). Missing optional columns (``match``, ``confidence``,
    ``recommended_agencies``) are filled with their defaults (exact ID match, 1.0, empty).
    Clue ids are ``<model>-00001`` … in the order of ``frame`` (which models sort stably).
    """
    df = frame.reset_index(drop=True).copy()
    if source is not None and "source" not in df.columns:
        df["source"] = source
    if source_ref is not None and source_ref != "source_ref":
        df["source_ref"] = df[source_ref]
    for col, default in (("match", "id"), ("confidence", 1.0), ("recommended_agencies", "")):
        if col not in df.columns:
            df[col] = default
    df["model"] = model
    df["clue_id"] = [f"{model}-{i + 1:05d}" for i in range(len(df))]
    for col in CLUE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), dtype="object")
    rest = [c for c in (extra or []) if c in df.columns and c not in CLUE_COLUMNS]
    others = [c for c in df.columns if c not in CLUE_COLUMNS and c not in rest]
    return df[CLUE_COLUMNS + rest + others]


__all__ = ["CLUE_COLUMNS", "FUNNEL_COLUMNS", "Context", "ModelResult", "Pipeline", "Step", "finalize_clues"]
