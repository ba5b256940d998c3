"""模型设计比较 — every model on every county, with uncertainty across seeds, sensitivity
sweeps, published reading vs variants, and the eligible persons no model finds.

Researchers judge which design finds more of the people who need aid, at what verification
cost, and how fragile it is; pilot teams estimate what a model would produce on a county like
theirs. Everything here returns plain, tidy DataFrames (one row per county × seed × model …);
charts are in :mod:`jiuzhu_methods.reporting.plotting`, the narrative in ``notebooks/08_compare_models``
and ``docs/compare.md``.

Building blocks
---------------
- :func:`run_grid` — for each (county, seed, sweep point): generate the pool
  (:func:`jiuzhu_methods.synth.generate` with the point's overrides), run every model with its
  published reading (and, with ``variants=True``, each named variant), evaluate every run with
  :func:`jiuzhu_methods.evaluation.evaluate.evaluate` against the model's own default target, and (with
  ``reasons=True``) classify the target persons no model found (:func:`missed_persons`).
  Tasks run in ``jobs`` processes; the result is the same whatever ``jobs`` is.
- :func:`summarise` — mean, sd, min and max across seeds of precision, recall, f1, workload,
  tp and fp.
- :func:`variant_differences` — variant minus published reading, per model, county and seed
  (Δtp = more eligible persons found, Δfp = more wrongly flagged clue rows), with a summary.
- :func:`negation_table`, :func:`negation_sentence` — the published plain-substring reading vs
  ``negation="aware"`` (:mod:`jiuzhu_methods.core.keywords`) per county and model, and one sentence on it.
- :func:`missed_counts` — persons per reason category and county (mean across seeds).
- :func:`conclusion` — a short plain-language text built from those tables.

Sweeps (:data:`SWEEPS`, :func:`sweep_overrides`)
------------------------------------------------
``coverage`` (registry coverage factor ``c``, 1.0 → 0.5): every *registration* probability of
the generator is multiplied by ``c`` — the case-caused capture of hardship
(``case_registry.capture_by_hardship`` and ``case_registry.disability_certified``) and the
background list shares of the poor and disabled (every ``registries.*_given_*`` share and the
two general-population shares ``veteran_share_40plus``, ``shidu_share_50plus``). Who is poor,
disabled or eligible (``poor_share``, ``disability_share``, the truth) does not change; so
``c = 0.5`` means "each truly poor/disabled person is on a list with half the probability of
the profile". ``identity noise`` (rate 0 → 10%): every source table's damaged-ID share is set to
the rate (:func:`jiuzhu_methods.synth.noise.scaled_id_noise`). ``delay`` (0 → 12 months): the
mean delay before case-caused hardship reaches a registry (``case_registry.delay_months_mean``).

Examples
--------
>>> g = run_grid(["panan"], [1], scale=0.005, models=["shanxian.screen"])   # doctest: +SKIP
>>> summarise(g["records"])[["county", "model", "recall_mean"]]              # doctest: +SKIP
"""
from __future__ import annotations

import inspect
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..registry import MODELS, get_model

COUNTIES = ["guanyun", "yueqing", "panan", "shanxian", "weidu"]
COUNTY_NAMES = {"guanyun": "灌云", "yueqing": "乐清", "panan": "磐安", "shanxian": "单县", "weidu": "魏都"}
#: models compared by default: all nine except ``guanyun.amount``, whose clues are the
#: recipients of ``guanyun.screen`` (``recipients="screen"``) — the same list, so the same
#: precision/recall; it computes amounts, not a different screening design.
DEFAULT_MODELS = [m for m in MODELS if m != "guanyun.amount"]
#: models in the sensitivity sweeps by default: one broad screening design per county (乐清's
#: 模型2, its court-side model; 模型1/3/4 are narrow lists whose recall stays near zero, so their
#: sweep curves say little and cost as much as the others)
SWEEP_MODELS = ["guanyun.screen", "yueqing.m2", "panan.screen", "shanxian.screen", "weidu.screen"]
#: the evaluation figures kept per run
METRICS = ["precision", "recall", "f1", "workload", "tp", "fp"]

#: the sensitivity sweeps: what is changed, from where to where (see the module docstring)
SWEEPS: dict[str, dict[str, Any]] = {
    "coverage": {"label_zh": "名单覆盖率", "label": "registry coverage", "start": 1.0, "stop": 0.5,
                 "unit": "× profile registration probability",
                 "description": "every registration probability (case-caused capture, background list shares) × factor"},
    "id_noise": {"label_zh": "身份证号噪声率", "label": "identity-noise rate", "start": 0.0, "stop": 0.10,
                 "unit": "share of records with a damaged ID",
                 "description": "every table's damaged-ID share set to the rate (scaled_id_noise)"},
    "delay": {"label_zh": "名单登记延迟", "label": "registry delay", "start": 0.0, "stop": 12.0,
              "unit": "months (mean)", "description": "case_registry.delay_months_mean"},
}

#: background registry shares scaled by the coverage factor (registration, not hardship)
REGISTRY_SHARE_KEYS_EXTRA = ("veteran_share_40plus", "shidu_share_50plus")

#: the named variants compared with the published reading: (parameter, value); a model gets
#: a variant only when its signature has the parameter and the value differs from its default
VARIANTS: list[tuple[str, str]] = [("negation", "aware"), ("linkage", "id"), ("linkage", "fallback")]

#: why a target person was found by no model — checked in this order, the first that applies
#: is the person's reason (data gaps before rule exclusions; ``other`` last)
MISSED_REASONS: list[dict[str, str]] = [
    {"code": "no_case_record", "label_zh": "无案件记录", "label": "no case record",
     "description": "not in proc_parties, court_parties, court_enforcements (as applicant) or petitions"},
    {"code": "case_id_unusable", "label_zh": "案件记录身份证号缺失或错误", "label": "ID missing/damaged in the case record",
     "description": "case records exist, but none carries a usable ID (identity.usable_ids) equal to the true one"},
    {"code": "not_on_registry", "label_zh": "不在任何救助名单", "label": "not on any registry",
     "description": "no registries row for the person during the period"},
    {"code": "registry_id_unusable", "label_zh": "名单身份证号缺失或错误", "label": "ID missing/damaged on the registries",
     "description": "registry rows exist, but none carries a usable ID equal to the true one"},
    {"code": "settled_on_paper", "label_zh": "书面和解/谅解（实际未赔偿）", "label": "settled on paper",
     "description": "an eligible harm of the person is settled in the documents (调解/谅解) but not effectively paid"},
    {"code": "aid_on_file", "label_zh": "已有司法救助记录", "label": "judicial aid record on file",
     "description": "a judicial_aid record (any status: 决定救助 for another harm, 已受理, 不予受理 …)"},
    {"code": "non_local", "label_zh": "外地户籍", "label": "non-local",
     "description": "household registration (户籍) outside the county"},
    {"code": "other", "label_zh": "其他（规则未覆盖）", "label": "other (rules)",
     "description": "none of the above: case type, enforcement status or snapshot timing outside every model's rules"},
]

#: case tables and the ID column of the person a record stands for
CASE_SOURCES = {"proc_parties": ("record_id", "id_number", "person"),
                "court_parties": ("record_id", "id_number", "person"),
                "court_enforcements": ("enforcement_id", "applicant_id_number", "applicant"),
                "petitions": ("petition_id", "id_number", "person")}


# --------------------------------------------------------------------------- parameters
def parse_counties(county: str | Sequence[str] | None) -> list[str]:
    """``"all"`` (or empty) → the five counties; ``"panan,weidu"`` or a list → those, in order."""
    if county is None or (isinstance(county, str) and county.strip() in ("", "all")):
        return list(COUNTIES)
    items = county.split(",") if isinstance(county, str) else list(county)
    out = [c.strip() for c in items if c.strip()]
    bad = [c for c in out if c not in COUNTIES]
    if bad:
        raise ValueError(f"unknown counties {bad}; counties are {COUNTIES}")
    return list(dict.fromkeys(out))


def parse_seeds(seeds: int | str | Sequence[int], seed: int = 7) -> list[int]:
    """``3`` (or ``"3"``) → ``[seed, seed+1, seed+2]``; ``"7,11"`` or a list → those seeds."""
    if isinstance(seeds, str) and "," in seeds:
        return [int(s) for s in seeds.split(",") if s.strip()]
    if isinstance(seeds, (list, tuple)):
        return [int(s) for s in seeds]
    n = int(seeds)
    if n < 1:
        raise ValueError("seeds must be at least 1")
    return [int(seed) + i for i in range(n)]


def parse_models(models: str | Sequence[str] | None, default: Sequence[str] | None = None) -> list[str]:
    """``""``/``None`` → ``default`` (:data:`DEFAULT_MODELS`); ``"all"`` → every model;
    ``"panan.screen,weidu.screen"`` or a list → those."""
    if models is None or (isinstance(models, str) and not models.strip()):
        return list(default or DEFAULT_MODELS)
    if isinstance(models, str) and models.strip() == "all":
        return list(MODELS)
    items = models.split(",") if isinstance(models, str) else list(models)
    out = [m.strip() for m in items if m.strip()]
    bad = [m for m in out if m not in MODELS]
    if bad:
        raise ValueError(f"unknown models {bad}; models are {MODELS}")
    return out


def sweep_points(kind: str, n: int | str) -> list[float]:
    """``n`` evenly spaced points of sweep ``kind`` from its start to its stop (:data:`SWEEPS`)."""
    s = SWEEPS[kind]
    n = int(n)
    if n < 2:
        raise ValueError("a sweep needs at least 2 points")
    return [round(float(v), 4) for v in np.linspace(s["start"], s["stop"], n)]


def model_defaults(name: str) -> dict[str, Any]:
    """The keyword defaults of a model's function (its published reading)."""
    sig = inspect.signature(get_model(name))
    return {k: p.default for k, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY}


def model_variants(name: str) -> list[tuple[str, str]]:
    """The :data:`VARIANTS` that apply to ``name``: its function has the parameter and the
    value differs from the default (单县's default linkage is ``"id+name"``, so it gets both
    ``"id"`` and ``"fallback"``; the others get ``"fallback"`` only)."""
    d = model_defaults(name)
    return [(p, v) for p, v in VARIANTS if p in d and d[p] != v]


# --------------------------------------------------------------------------- overrides
def coverage_overrides(factor: float, county: str) -> dict:
    """Generator overrides for registry coverage ``factor`` (1 = the profile; see the module
    docstring for exactly which probabilities are scaled)."""
    from ..synth import load_profile

    f = float(factor)
    if not 0 <= f <= 1:
        raise ValueError("coverage factor must be between 0 and 1")
    prof = load_profile(county)
    cr = prof["case_registry"]
    reg = prof["registries"]
    keys = [k for k in reg if "_given_" in k] + [k for k in REGISTRY_SHARE_KEYS_EXTRA if k in reg]
    return {"case_registry": {"capture_by_hardship": {k: float(v) * f for k, v in cr["capture_by_hardship"].items()},
                              "disability_certified": float(cr["disability_certified"]) * f},
            "registries": {k: float(reg[k]) * f for k in keys}}


def sweep_overrides(kind: str | None, value: float | None, county: str) -> dict | None:
    """The ``generate(overrides=)`` of one sweep point (``None`` for the baseline)."""
    if kind is None:
        return None
    if kind == "coverage":
        return None if float(value) == 1.0 else coverage_overrides(value, county)
    if kind == "id_noise":
        from ..synth.noise import scaled_id_noise

        return {"noise": scaled_id_noise(float(value))}
    if kind == "delay":
        return {"case_registry": {"delay_months_mean": float(value)}}
    raise ValueError(f"unknown sweep {kind!r}; sweeps are {sorted(SWEEPS)}")


def _pool(county: str, seed: int, scale: float, overrides: dict | None, pools_dir: str | None):
    """The pool of one point: a matching folder ``<pools_dir>/<county>`` (written by
    ``jiuzhu run``) when there are no overrides, else generated in memory."""
    if not overrides and pools_dir:
        from ..reporting.runner import pool_matches

        folder = Path(pools_dir) / county
        if pool_matches(folder, county=county, scale=scale, seed=seed):
            from ..io.pool import DataPool

            return DataPool.read(folder)
    from ..synth import generate

    return generate(county, scale=float(scale), seed=int(seed), overrides=overrides)


# --------------------------------------------------------------------------- one pool
def evaluate_models(pool, models: Iterable[str], *, variants: bool = False) -> tuple[pd.DataFrame, dict[str, set]]:
    """Run and evaluate each model (published reading; with ``variants`` also each of
    :func:`model_variants`). Returns the records (``model, variant, param, value, target,
    targets`` + :data:`METRICS` + ``seconds``, ``error``: empty, or the exception of a run
    that failed — its metrics are then NaN and the summaries leave it out) and, per published model, the set of true
    persons its clues found (for :func:`missed_persons`)."""
    from .evaluate import evaluate, person_of

    rows, found = [], {}
    for name in models:
        runs = [("published", None, None)] + ([(f"{p}={v}", p, v) for p, v in model_variants(name)] if variants else [])
        for label, p, v in runs:
            t0 = time.perf_counter()
            try:
                res = get_model(name)(pool, **({p: v} if p else {}))
                ev = evaluate(res, pool)
            except Exception as exc:  # a failing model run is a result (NaN metrics + error), not a crash
                rows.append({"model": name, "variant": label, "param": p or "", "value": v or "", "target": "",
                             "targets": np.nan, **{k: np.nan for k in METRICS}, "seconds": time.perf_counter() - t0,
                             "error": f"{type(exc).__name__}: {exc}"})
                if p is None:
                    found[name] = set()
                continue
            rows.append({"model": name, "variant": label, "param": p or "", "value": v or "",
                         "target": ev["target"], "targets": ev["targets"],
                         **{k: ev[k] for k in METRICS}, "seconds": time.perf_counter() - t0, "error": ""})
            if p is None:
                found[name] = set(person_of(res.clues, pool).dropna())
    return pd.DataFrame(rows), found


def compare_target(name: str) -> str:
    """The default evaluation target a model declares (see :func:`jiuzhu_methods.evaluation.evaluate.default_target`)."""
    from .evaluate import default_target
    from ..core.steps import ModelResult

    return default_target(ModelResult(model=name, clues=pd.DataFrame(), funnel=pd.DataFrame(), lists={}, params={}))


def failures(records: pd.DataFrame) -> pd.DataFrame:
    """The runs that raised (``error`` not empty): county, seed, sweep, point, model, variant, error."""
    if "error" not in records.columns:
        return records.iloc[:0]
    f = records.loc[records["error"].fillna("") != ""]
    return f[["county", "seed", "sweep", "point", "model", "variant", "error"]].reset_index(drop=True)


def _usable_true_id(pool, links: pd.DataFrame, sources: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    """Per person among ``links``: has any record in ``sources`` and any such record whose
    usable ID equals the true one. Columns ``person_id, has_record, usable``."""
    from ..core import identity

    parts = []
    for table, (key, col, field) in sources.items():
        lk = links.loc[(links["source"] == table) & (links["field"] == field), ["source_ref", "person_id"]]
        if lk.empty:
            continue
        t = pool[table]
        ids = pd.DataFrame({"source_ref": t[key].astype("str"), "uid": identity.usable_ids(t[col])})
        parts.append(lk.merge(ids, on="source_ref", how="left"))
    if not parts:
        return pd.DataFrame(columns=["person_id", "has_record", "usable"])
    m = pd.concat(parts, ignore_index=True)
    true_id = pool.truth["truth_persons"].set_index("person_id")["id_number"]
    m["ok"] = (m["uid"] == m["person_id"].map(true_id)).fillna(False).astype(bool)
    g = m.groupby("person_id")["ok"].any()
    return pd.DataFrame({"person_id": g.index, "has_record": True, "usable": g.to_numpy()})


def missed_persons(pool, found: Iterable[str] | None = None, *, target: str = "judicial") -> pd.DataFrame:
    """The target persons (``truth_victims`` eligible) that are not in ``found``, each with its
    reason code (:data:`MISSED_REASONS`, first that applies) and the flags behind it.

    ``found``: true person ids found by any model. Columns ``person_id, reason`` and one
    boolean column per reason code. No names or ID numbers (``person_id`` is the synthetic key).
    """
    from .evaluate import TARGETS

    v = pool.truth["truth_victims"]
    elig = v.loc[v[TARGETS[target]].astype(bool)]
    persons = pd.Index(elig["person_id"].astype("str").unique(), name="person_id")
    persons = persons.difference(pd.Index(list(found or []), dtype="str")).sort_values().rename("person_id")
    links = pool.truth["truth_links"][["source", "source_ref", "field", "person_id"]].astype("str")
    links = links.loc[links["person_id"].isin(persons)]
    case = _usable_true_id(pool, links, CASE_SOURCES).set_index("person_id").reindex(persons)
    reg = _usable_true_id(pool, links, {"registries": ("record_id", "id_number", "person")}).set_index("person_id").reindex(persons)
    ja_people = set(links.loc[links["source"] == "judicial_aid", "person_id"])
    settled = elig.assign(person_id=elig["person_id"].astype("str")).groupby("person_id")["settled"].any()
    local = pool.truth["truth_persons"].assign(person_id=lambda d: d["person_id"].astype("str")).set_index("person_id")["local"]
    flags = pd.DataFrame(index=persons)
    flags["no_case_record"] = case["has_record"].isna().to_numpy()
    flags["case_id_unusable"] = ~case["usable"].fillna(False).astype(bool).to_numpy()
    flags["not_on_registry"] = reg["has_record"].isna().to_numpy()
    flags["registry_id_unusable"] = ~reg["usable"].fillna(False).astype(bool).to_numpy()
    flags["settled_on_paper"] = settled.reindex(persons).fillna(False).astype(bool).to_numpy()
    flags["aid_on_file"] = persons.isin(list(ja_people))
    flags["non_local"] = ~local.reindex(persons).fillna(True).astype(bool).to_numpy()
    flags["other"] = True
    return assign_reasons(flags).reset_index()


def assign_reasons(flags: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """``flags`` (one boolean column per reason code) with a ``reason`` column: the first
    code in ``order`` (default :data:`MISSED_REASONS`) whose flag is true, ``"other"`` if none."""
    codes = list(order or [r["code"] for r in MISSED_REASONS])
    f = flags.reindex(columns=codes).astype("boolean").fillna(False).to_numpy(dtype=bool)
    first = np.where(f.any(axis=1), f.argmax(axis=1), -1)
    out = flags.copy()
    out["reason"] = np.where(first >= 0, np.array(codes, dtype=object)[np.maximum(first, 0)], "other")
    return out


# --------------------------------------------------------------------------- grid
def _task(county: str, seed: int, scale: float, sweep: str | None, value: float | None, models: list[str],
          variants: bool, reasons: bool, pools_dir: str | None) -> dict[str, pd.DataFrame]:
    t0 = time.perf_counter()
    pool = _pool(county, seed, scale, sweep_overrides(sweep, value, county), pools_dir)
    gen = time.perf_counter() - t0
    rec, found = evaluate_models(pool, models, variants=variants)
    keys = {"county": county, "seed": int(seed), "sweep": sweep or "", "point": np.nan if value is None else float(value)}
    rec = rec.assign(**keys, generate_seconds=gen)
    out = {"records": rec}
    if reasons:
        judicial = [m for m in models if compare_target(m) == "judicial"]
        allfound = set().union(*[found[m] for m in judicial]) if judicial else set()
        out["missed"] = missed_persons(pool, allfound).assign(county=county, seed=int(seed))
    return out


def run_grid(counties: Sequence[str], seeds: Sequence[int], *, scale: float = 0.02, models: Sequence[str] | None = None,
             sweep: str | None = None, points: Sequence[float] | None = None, variants: bool | Sequence[int] = False,
             reasons: bool = False, jobs: int = 1, pools_dir: str | None = None) -> dict[str, pd.DataFrame]:
    """Every model on every (county, seed[, sweep point]); see the module docstring.

    Returns ``{"records": …}`` (published readings: ``variant == "published"``; with
    ``variants`` also the variant runs — ``True`` for every seed, or a list of the seeds that
    get them) and, with ``reasons``, ``{"missed": …}`` (one row per
    judicial target person found by no judicial-target model: ``county, seed, person_id,
    reason`` + flags). ``pools_dir``: reuse ``<pools_dir>/<county>`` folders for points
    without overrides. ``jobs``: processes (the records are sorted, so the result does not
    depend on it).
    """
    models = list(models or DEFAULT_MODELS)
    pts: list[float | None] = list(points) if sweep else [None]
    vseeds = set(int(s) for s in seeds) if variants is True else set(int(s) for s in (variants or []))
    tasks = [(c, int(s), float(scale), sweep, p, models, int(s) in vseeds, reasons, pools_dir)
             for c in counties for p in pts for s in seeds]
    if int(jobs) > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(int(jobs), len(tasks)), mp_context=ctx) as ex:
            results = list(ex.map(_task, *zip(*tasks)))
    else:
        results = [_task(*t) for t in tasks]
    order = {m: i for i, m in enumerate(models)}
    rec = pd.concat([r["records"] for r in results], ignore_index=True)
    rec = rec.assign(_c=rec["county"].map({c: i for i, c in enumerate(counties)}), _m=rec["model"].map(order))
    rec = rec.sort_values(["_c", "point", "seed", "_m"], kind="stable").drop(columns=["_c", "_m"]).reset_index(drop=True)
    cols = ["county", "seed", "sweep", "point", "model", "variant", "param", "value", "target", "targets", *METRICS,
            "seconds", "generate_seconds", "error"]
    out = {"records": rec[cols]}
    if reasons:
        out["missed"] = pd.concat([r["missed"] for r in results], ignore_index=True)
    return out


def run_sweeps(counties: Sequence[str], seeds: Sequence[int], *, points: int = 3, scale: float = 0.02,
               models: Sequence[str] | None = None, kinds: Sequence[str] | None = None, jobs: int = 1,
               pools_dir: str | None = None, baseline: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`run_grid` along each sweep of :data:`SWEEPS` (``points`` points from its start
    to its stop): the records of all sweeps together (``sweep``, ``point`` columns).

    ``baseline``: published-reading records of :func:`run_grid` without a sweep; a point whose
    overrides are none (coverage 1.0 is the profile itself) takes its records from there for
    the counties and seeds it has, instead of running them again.
    """
    models = list(models or DEFAULT_MODELS)
    parts = []
    for k in (kinds or list(SWEEPS)):
        pts = sweep_points(k, points)
        same = [p for p in pts if sweep_overrides(k, p, counties[0] if counties else "panan") is None]
        run_pts = [p for p in pts if p not in same]
        if same and baseline is not None:
            b = baseline.loc[(baseline["variant"] == "published") & baseline["county"].isin(counties)
                             & baseline["seed"].isin([int(x) for x in seeds]) & baseline["model"].isin(models)]
            have = set(zip(b["county"], b["seed"]))
            if have == {(c, int(x)) for c in counties for x in seeds}:
                parts += [b.assign(sweep=k, point=float(p)) for p in same]
            else:
                run_pts = pts
        else:
            run_pts = pts
        if run_pts:
            parts.append(run_grid(counties, seeds, scale=scale, models=models, sweep=k, points=run_pts, jobs=jobs,
                                  pools_dir=pools_dir)["records"])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["sweep", "point", "county", "seed"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- tables
def summarise(records: pd.DataFrame, by: Sequence[str] = ("county", "model")) -> pd.DataFrame:
    """Mean, sd (ddof 1; 0 with one seed), min and max across seeds of :data:`METRICS`, per
    ``by``; ``seeds`` = number of runs. An undefined precision (no clues) is left out of its
    mean (``precision_n`` says how many runs had one)."""
    by = list(by)
    g = records.groupby(by, sort=False, dropna=False)
    parts = {"seeds": g.size()}
    for m in METRICS:
        x = g[m]
        parts[f"{m}_mean"] = x.mean()
        parts[f"{m}_sd"] = x.std(ddof=1).fillna(0.0)
        parts[f"{m}_min"] = x.min()
        parts[f"{m}_max"] = x.max()
    parts["precision_n"] = g["precision"].count()
    return pd.DataFrame(parts).reset_index()


def overall(summary: pd.DataFrame) -> pd.DataFrame:
    """Per model across counties: mean recall/precision/f1 of the county means, total
    workload (clue rows to verify, all counties, per seed) and tp; sorted by recall."""
    g = summary.groupby("model", sort=False)
    out = pd.DataFrame({"recall": g["recall_mean"].mean(), "precision": g["precision_mean"].mean(),
                        "f1": g["f1_mean"].mean(), "workload": g["workload_mean"].sum(), "tp": g["tp_mean"].sum(),
                        "fp": g["fp_mean"].sum(), "counties": g.size()})
    return out.sort_values("recall", ascending=False).reset_index()


def variant_differences(records: pd.DataFrame) -> pd.DataFrame:
    """Variant minus published reading per county, seed and model: ``d_tp`` (eligible
    persons found in addition; negative = fewer), ``d_fp`` (wrongly flagged clue rows in
    addition), ``d_workload``, ``d_recall``, ``d_precision``."""
    keys = ["county", "seed", "model"]
    pub = records.loc[records["variant"] == "published", keys + METRICS]
    var = records.loc[records["variant"] != "published", keys + ["variant", "param", "value"] + METRICS]
    m = var.merge(pub, on=keys, suffixes=("", "_pub"), how="inner")
    out = m[keys + ["variant", "param", "value"]].copy()
    for k in ("tp", "fp", "workload", "recall", "precision"):
        out[f"{k}_published"] = m[f"{k}_pub"]
        out[f"{k}_variant"] = m[k]
        out[f"d_{k}"] = m[k] - m[f"{k}_pub"]
    return out.reset_index(drop=True)


def variant_summary(diff: pd.DataFrame, by: Sequence[str] = ("model", "variant")) -> pd.DataFrame:
    """Per ``by``: mean Δtp, Δfp, Δworkload across seeds, summed over counties (per seed),
    and the number of county × seed runs in which the variant found more / fewer eligible persons."""
    by = list(by)
    per = diff.groupby(list(dict.fromkeys(by + ["county"])), sort=False)[["d_tp", "d_fp", "d_workload"]].mean().reset_index()
    g = per.groupby(by, sort=False)
    out = g[["d_tp", "d_fp", "d_workload"]].sum()
    gd = diff.groupby(by, sort=False)
    out["runs"] = gd.size()
    out["runs_more_found"] = (diff["d_tp"] > 0).groupby([diff[k] for k in by], sort=False).sum().astype(int)
    out["runs_fewer_found"] = (diff["d_tp"] < 0).groupby([diff[k] for k in by], sort=False).sum().astype(int)
    return out.reset_index()


#: the variant label of the negation-aware reading in the records (:func:`evaluate_models`)
NEGATION_VARIANT = "negation=aware"


def negation_table(records: pd.DataFrame) -> pd.DataFrame:
    """Published (plain substring) reading vs ``negation="aware"``, per county and model, on the
    seeds that ran both (means across them): clue rows (``workload``), eligible persons found
    (``tp``), wrongly flagged rows (``fp``), recall and precision under each reading, and
    ``d_tp``, ``d_fp`` (aware minus plain). Only models with a ``negation`` parameter appear
    (乐清 模型1/3, 磐安, 魏都, 灌云); none when no run had the variant."""
    keys = ["county", "seed", "model"]
    cols = ["workload", "tp", "fp", "recall", "precision"]
    var = records.loc[records["variant"] == NEGATION_VARIANT, keys + cols]
    pub = records.loc[records["variant"] == "published", keys + cols]
    m = pub.merge(var, on=keys, suffixes=("_plain", "_aware"), how="inner")
    out_cols = ["county", "model", "seeds"] + [f"{c}_{r}" for c in cols for r in ("plain", "aware")] + ["d_tp", "d_fp"]
    if m.empty:
        return pd.DataFrame(columns=out_cols)
    m["d_tp"] = m["tp_aware"] - m["tp_plain"]
    m["d_fp"] = m["fp_aware"] - m["fp_plain"]
    g = m.groupby(["county", "model"], sort=False)
    out = g[[c for c in out_cols if c not in ("county", "model", "seeds")]].mean()
    out.insert(0, "seeds", g.size())
    return out.reset_index()[out_cols]


def negation_sentence(table: pd.DataFrame) -> str:
    """One plain-language sentence (Chinese, then English) on what ``negation="aware"`` changes,
    built from :func:`negation_table`: the models whose clues change, summed over the counties,
    with the eligible persons and the wrongly flagged rows gained or lost."""
    if table is None or table.empty:
        return "本次运行没有比较否定读法（negation=\"aware\"）。/ No run compared the negation-aware reading."
    t = table.groupby("model", sort=False)[["workload_plain", "workload_aware", "tp_plain", "tp_aware", "d_tp", "d_fp"]].sum()
    changed = t.loc[(t["workload_plain"] != t["workload_aware"]) | (t["d_tp"] != 0)]
    if changed.empty:
        return ("否定读法在这些合成县上没有改变任何模型的线索。/ On these synthetic counties the negation-aware reading "
                "changes no model's clues.")
    zh, en = [], []
    for model, r in changed.sort_values("d_tp", ascending=False).iterrows():
        zh.append(f"{model} 的线索从 {r['workload_plain']:.0f} 条变为 {r['workload_aware']:.0f} 条，"
                  f"应救助人员 {r['d_tp']:+.1f} 名、误报 {r['d_fp']:+.1f} 条")
        en.append(f"{model} goes from {r['workload_plain']:.0f} to {r['workload_aware']:.0f} clues "
                  f"({r['d_tp']:+.1f} eligible persons, {r['d_fp']:+.1f} wrongly flagged)")
    same = [m for m in t.index if m not in changed.index]
    zh_same = f"；{'、'.join(same)} 不变" if same else ""
    en_same = f"; {', '.join(same)} unchanged" if same else ""
    return ("否定读法（negation=\"aware\"）只把肯定的表述当作已赔偿/已和解/已谅解："
            + "；".join(zh) + zh_same + "（各县合计）。"
            + "\n\nThe negation-aware reading counts only affirmed mentions of settlement and compensation: "
            + "; ".join(en) + en_same + " (summed over the counties).")


def missed_counts(missed: pd.DataFrame, counties: Sequence[str] | None = None) -> pd.DataFrame:
    """Target persons found by no model, per county (rows) and reason (columns, in the order of
    precedence), averaged across seeds; a ``total`` column. Column labels are the Chinese labels."""
    codes = [r["code"] for r in MISSED_REASONS]
    counties = list(counties) if counties is not None else list(dict.fromkeys(missed["county"]))
    seeds = missed.groupby("county")["seed"].nunique() if len(missed) else pd.Series(dtype=float)
    ct = pd.crosstab(missed["county"], missed["reason"]) if len(missed) else pd.DataFrame()
    ct = ct.reindex(index=counties, columns=codes).fillna(0)
    ct = ct.div(seeds.reindex(counties).fillna(1).clip(lower=1), axis=0)
    ct["total"] = ct.sum(axis=1)
    labels = {r["code"]: r["label_zh"] for r in MISSED_REASONS}
    ct = ct.rename(columns=labels).rename(index=lambda c: f"{COUNTY_NAMES.get(c, c)} {c}")
    ct.index.name = "county"
    return ct.round(1)


def reason_table() -> pd.DataFrame:
    """:data:`MISSED_REASONS` as a table (order = precedence)."""
    return pd.DataFrame(MISSED_REASONS).assign(order=lambda d: np.arange(1, len(d) + 1))[
        ["order", "code", "label_zh", "label", "description"]]


def sweep_summary(records: pd.DataFrame) -> pd.DataFrame:
    """Per sweep, point and model: mean and sd across seeds *and* counties of recall and
    precision (each county × seed run counts once), with the number of runs."""
    g = records.groupby(["sweep", "point", "model"], sort=False)
    out = pd.DataFrame({"runs": g.size(), "recall_mean": g["recall"].mean(), "recall_sd": g["recall"].std(ddof=1).fillna(0.0),
                        "precision_mean": g["precision"].mean(),
                        "precision_sd": g["precision"].std(ddof=1).fillna(0.0),
                        "workload_mean": g["workload"].mean()})
    return out.reset_index().sort_values(["sweep", "model", "point"], kind="stable").reset_index(drop=True)


def sweep_drops(sweeps: pd.DataFrame) -> pd.DataFrame:
    """Per sweep and model: recall at the first and last point *in the sweep's direction*
    (:data:`SWEEPS` start → stop: coverage 1.0 → 0.5, noise 0 → 10%, delay 0 → 12) and the
    change (last − first), and the same for precision."""
    start = sweeps["sweep"].map({k: v["start"] for k, v in SWEEPS.items()}).astype(float)
    s = sweeps.assign(_d=(sweeps["point"].astype(float) - start).abs()).sort_values("_d", kind="stable")
    first = s.groupby(["sweep", "model"], sort=False).first()
    last = s.groupby(["sweep", "model"], sort=False).last()
    out = pd.DataFrame({"point_first": first["point"], "point_last": last["point"],
                        "recall_first": first["recall_mean"], "recall_last": last["recall_mean"],
                        "precision_first": first["precision_mean"], "precision_last": last["precision_mean"]})
    out["d_recall"] = out["recall_last"] - out["recall_first"]
    out["d_precision"] = out["precision_last"] - out["precision_first"]
    return out.reset_index()


def conclusion(summary: pd.DataFrame, *, drops: pd.DataFrame | None = None, variants: pd.DataFrame | None = None,
               missed: pd.DataFrame | None = None) -> str:
    """A short plain-language conclusion (Chinese, then English) built from the tables:
    the design with the best recall and its precision and workload, the most precise design,
    what breaks the best design first (largest recall drop in the sweeps), the variant that
    finds most additional eligible persons, and the main reason persons are missed."""
    ov = overall(summary)
    ov = ov.loc[ov["recall"].notna()]
    if ov.empty:
        return "没有可比较的结果。/ No results to compare."
    best = ov.iloc[0]
    prec = ov.dropna(subset=["precision"]).sort_values("precision", ascending=False)
    prec = prec.loc[prec["recall"] >= 0.1] if (prec["recall"] >= 0.1).any() else prec
    top_p = prec.iloc[0] if len(prec) else best
    zh = [f"- **召回率最高的设计是 {best['model']}**：平均找到 {best['recall']:.0%} 的应救助人员，精确率 {best['precision']:.0%}，"
          f"所比较各县合计每轮约 {best['workload']:.0f} 条线索需人工核查（约每 {best['workload'] / max(best['tp'], 1):.1f} 条线索找到 1 人）。"]
    en = [f"- **Best recall: {best['model']}** finds {best['recall']:.0%} of the eligible persons on average at precision "
          f"{best['precision']:.0%}, with about {best['workload']:.0f} clues to verify per run over the counties compared "
          f"({best['workload'] / max(best['tp'], 1):.1f} clues per person found)."]
    if top_p["model"] != best["model"]:
        zh.append(f"- **精确率最高的是 {top_p['model']}**（{top_p['precision']:.0%}），召回率 {top_p['recall']:.0%}，"
                  f"核查量 {top_p['workload']:.0f} 条。")
        en.append(f"- **Most precise: {top_p['model']}** ({top_p['precision']:.0%}), recall {top_p['recall']:.0%}, "
                  f"workload {top_p['workload']:.0f}.")
    if drops is not None and len(drops):
        d = drops.loc[drops["model"] == best["model"]].sort_values("d_recall")
        d = d.dropna(subset=["d_recall"])
        if len(d) and d["d_recall"].iloc[0] >= -0.02:
            zh.append(f"- **{best['model']} 对三种条件都不敏感**：各扫描中召回率的最大下降不超过 2 个百分点"
                      f"（{d['d_recall'].iloc[0]:+.0%}）。")
            en.append(f"- **{best['model']} is robust to all three sweeps**: no recall drop above 2 points "
                      f"({d['d_recall'].iloc[0]:+.0%} at most).")
        elif len(d):
            w = d.iloc[0]
            s = SWEEPS.get(w["sweep"], {"label_zh": w["sweep"], "label": w["sweep"]})
            zh.append(f"- **最先让 {best['model']} 失效的是{s['label_zh']}**：从 {w['point_first']:g} 到 {w['point_last']:g}，"
                      f"召回率从 {w['recall_first']:.0%} 变为 {w['recall_last']:.0%}（{w['d_recall']:+.0%}）。")
            en.append(f"- **What breaks {best['model']} first: {s['label']}** — from {w['point_first']:g} to "
                      f"{w['point_last']:g} its recall goes from {w['recall_first']:.0%} to {w['recall_last']:.0%} "
                      f"({w['d_recall']:+.0%}).")
        worst = drops.dropna(subset=["d_recall"]).sort_values("d_recall").iloc[0]
        s = SWEEPS.get(worst["sweep"], {"label_zh": worst["sweep"], "label": worst["sweep"]})
        if worst["model"] != best["model"] and worst["d_recall"] < 0:
            zh.append(f"- 所有设计中下降最多的是 {worst['model']} 在{s['label_zh']}下（{worst['d_recall']:+.0%}）。")
            en.append(f"- The largest recall drop of any design: {worst['model']} under {s['label']} ({worst['d_recall']:+.0%}).")
    if variants is not None and len(variants):
        v = variants.sort_values(["d_tp", "d_fp"], ascending=[False, True]).iloc[0]
        if v["d_tp"] > 0:
            zh.append(f"- **变体中收益最大的是 {v['model']} 的 `{v['variant']}`**：各县合计多找到 {v['d_tp']:.1f} 名应救助人员，"
                      f"误报（不需救助的线索）变化 {v['d_fp']:+.1f} 条。")
            en.append(f"- **Most useful variant: {v['model']} with `{v['variant']}`** finds {v['d_tp']:.1f} more eligible persons "
                      f"over the counties, with {v['d_fp']:+.1f} wrongly flagged clues.")
        else:
            zh.append("- 没有任何变体比公布的读法找到更多应救助人员。")
            en.append("- No variant finds more eligible persons than the published reading.")
    if missed is not None and len(missed) and "total" in missed.columns:
        tot = missed.drop(columns="total").sum()
        if tot.sum() > 0:
            top = tot.sort_values(ascending=False)
            zh.append(f"- **没有任何模型找到的人**平均每轮 {tot.sum():.0f} 人，最主要的原因是“{top.index[0]}”"
                      f"（{top.iloc[0] / tot.sum():.0%}）。")
            code = next((r for r in MISSED_REASONS if r["label_zh"] == top.index[0]), {"label": top.index[0]})
            en.append(f"- **Found by no model**: {tot.sum():.0f} persons per run; the main reason is "
                      f"\"{code['label']}\" ({top.iloc[0] / tot.sum():.0%}).")
    return "\n".join(zh) + "\n\n" + "\n".join(en)


def labelled(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary rounded, with the county's Chinese name, for display."""
    s = summary.copy()
    s.insert(0, "县", s["county"].map(COUNTY_NAMES))
    keep = ["县", "county", "model", "seeds", "recall_mean", "recall_sd", "precision_mean", "precision_sd", "f1_mean",
            "workload_mean", "workload_min", "workload_max", "tp_mean", "fp_mean"]
    return s[[c for c in keep if c in s.columns]].round(3)


__all__ = ["SWEEP_MODELS", "compare_target", "failures", "parse_models", "run_sweeps", "CASE_SOURCES", "COUNTIES", "DEFAULT_MODELS", "METRICS", "MISSED_REASONS", "SWEEPS", "VARIANTS",
           "assign_reasons", "conclusion", "coverage_overrides", "evaluate_models", "labelled", "missed_counts",
           "missed_persons", "model_defaults", "model_variants", "NEGATION_VARIANT", "negation_sentence", "negation_table",
           "overall", "parse_counties", "parse_seeds",
           "reason_table", "run_grid", "summarise", "sweep_drops", "sweep_overrides", "sweep_points", "sweep_summary",
           "variant_differences", "variant_summary"]
