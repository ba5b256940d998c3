"""校准 — reproduce the published figures of seed 000 on the synthetic counties (issues 6, 19).

``synthetic/calibration.yaml`` holds one entry per published figure (county, figure id, Chinese
label, published value, the seed passage, and how it is reproduced: model or pool table,
filters, measure). :func:`calibrate` generates each county with its profile's ``calibration``
overrides (``generate(county, scale=s, seed=k, overrides=profile["calibration"])``) for several
seeds, runs the models with their published (default) reading, computes every figure per seed
and returns one row per figure::

    county, figure, published, reproduced_mean, reproduced_sd, seeds, within_tolerance,
    passes, fitted, kind, target, target_upper, interval_low, interval_high, seeds_used, p_value, verdict, …

``passes`` is the criterion of issue 19 (:func:`judge`): a count passes when the published value
lies in the predictive interval ``m ± z·√(max(s², m)·(1 + 1/n))`` of the seeds used (a Poisson
floor under the seed variance), an "N余" figure when that interval overlaps ``[N, upper]``, a share
when an exact binomial test does not reject it, an amount, a mean or a change by the interval
with the floor that fits its unit. A figure is ``fitted`` when a profile ``calibration`` value
was set to reproduce it (``fitted_by`` in the YAML): it is judged on held-out seeds only
(seeds outside ``fit_seeds``; ``--holdout K``), and ``passes`` is NA (not tested) without any.
A ``not_reproducible`` figure carries its reason and ``passes`` False: a written reason is
documentation, not a pass. ``within_tolerance`` is the old criterion (``|mean − published| ≤
25 %``, lower bounds ignored), kept for continuity.

"Aided" / "符合条件" / "移送" = a clue that manual verification confirms = the hidden truth says
the person is eligible (``truth_victims.judicial_aid_eligible`` / ``social_aid_eligible``
through :func:`jiuzhu_methods.evaluation.evaluate.person_of`). The window of a clue is the date of its own
record (``source``, ``source_ref``), see :data:`RECORD_DATES`.

Command: ``jiuzhu calibrate [--scale 1] [--seeds 5] [--holdout K] [--counties …] [--out reports]``
writes ``calibration.csv`` (UTF-8 with BOM), ``calibration_seeds.csv`` (one value per seed, with
the hash of the figure's definition) and ``calibration.png``; ``--report-only`` rebuilds the
table and chart from ``calibration_seeds.csv`` without generating anything.
"""
from __future__ import annotations

import hashlib
import math
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from ..core import yaml_io
from .evaluate import person_of, target_persons
from ..registry import MODELS, run_model
from ..synth.profiles import COUNTIES, load_profile, raw_profile, synthetic_dir

COLUMNS = ["county", "figure", "published", "reproduced_mean", "reproduced_sd", "seeds", "within_tolerance"]
#: the criterion of issue 19, beside the old columns
CRITERION_COLUMNS = ["passes", "fitted", "kind", "target", "target_upper", "interval_low", "interval_high",
                     "seeds_used", "p_value", "verdict"]
EXTRA_COLUMNS = ["label", "lower_bound", "model", "window", "reading", "reason", "note", "fitted_by", "definition"]
#: the date of a clue's own record, per source table: (table, key, date column, via table, via key)
RECORD_DATES = {
    "proc_parties": ("proc_parties", "record_id", "accepted_on", "proc_cases", "case_id"),
    "court_parties": ("court_parties", "record_id", "effective_on", "court_judgments", "judgment_id"),
    "petitions": ("petitions", "petition_id", "received_on", None, None),
    "court_enforcements": ("court_enforcements", "enforcement_id", "filed_on", None, None),
    "judicial_aid": ("judicial_aid", "aid_id", "decided_on", None, None),
    "social_aid": ("social_aid", "record_id", "granted_on", None, None),
}
FILTERS = {"in_window", "eligible", "female", "minor", "elderly", "disabled", "on_registry", "not_on_registry",
           "need", "column"}
MEASURES = {"count", "distinct", "max_per", "sum", "share_within", "mean_days"}
#: how each measure is judged (see :func:`judge`); ``lower_bound`` turns a count into a range
KINDS = {"count": "count", "distinct": "count", "max_per": "count", "sum": "amount", "share_within": "share",
         "mean_days": "mean"}
DERIVED = {"percent_change"}
#: the fields that define how a figure is computed (their hash is written beside each seed value)
DEFINITION_KEYS = ("model", "table", "list", "with_lists", "where", "measure", "window", "derived")


# ---------------------------------------------------------------------- the data file
def calibration_path() -> Path:
    return synthetic_dir() / "calibration.yaml"


def _models_of(f: dict) -> list[str]:
    m = f.get("model")
    return [] if m is None else (list(m) if isinstance(m, list) else [m])


def measure_name(f: dict) -> str:
    m = f.get("measure", "count")
    return m if isinstance(m, str) else next(iter(m))


def figure_kind(f: dict) -> str:
    """How a figure is judged: ``count``, ``range`` ("N余"), ``share``, ``amount``, ``mean`` or ``change``."""
    if f.get("derived"):
        return "change"
    kind = KINDS[measure_name(f)]
    return "range" if kind == "count" and f.get("lower_bound") else kind


def profile_path_exists(values: dict, path: str) -> bool:
    """Whether the dotted ``path`` (``events.故意伤害罪.rate``) names a value in ``values``."""
    cur: Any = values
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False
        cur = cur[part]
    return True


def _check_entry(county: str, f: dict, ids: set, *, auxiliary: bool = False) -> None:
    where = f"calibration {county}.{f.get('id')}"
    if f.get("not_reproducible"):
        return
    sources = [k for k in ("model", "table", "derived") if f.get(k)]
    if len(sources) != 1:
        raise ValueError(f"{where}: give exactly one of model, table, derived (got {sources or 'none'})")
    if f.get("derived"):
        (name, arg), = dict(f["derived"]).items()
        if name not in DERIVED:
            raise ValueError(f"{where}: unknown derived measure {name!r}")
        for k in ("numerator", "denominator"):
            if arg.get(k) not in ids:
                raise ValueError(f"{where}: derived {k} {arg.get(k)!r} is no figure of {county}")
        return
    bad = [m for m in _models_of(f) if m not in MODELS]
    if bad:
        raise ValueError(f"{where}: unknown model(s) {bad}")
    if f.get("table") and f["table"] not in RECORD_DATES:
        raise ValueError(f"{where}: unknown table {f['table']!r} (one of {sorted(RECORD_DATES)})")
    if f.get("table") and (f.get("list") or f.get("with_lists")):
        raise ValueError(f"{where}: a table figure has no lists")
    unknown = set(f.get("where") or {}) - FILTERS
    if unknown:
        raise ValueError(f"{where}: unknown filter(s) {sorted(unknown)}")
    dis = (f.get("where") or {}).get("disabled")
    if isinstance(dis, dict) and set(dis) - {"registries", "harm_grades"}:
        raise ValueError(f"{where}: disabled takes registries and harm_grades, not {sorted(set(dis) - {'registries', 'harm_grades'})}")
    if measure_name(f) not in MEASURES:
        raise ValueError(f"{where}: unknown measure {measure_name(f)!r}")
    if not auxiliary and f.get("denominator") and f["denominator"] not in ids:
        raise ValueError(f"{where}: denominator {f['denominator']!r} is no figure or auxiliary of {county}")
    if not auxiliary and figure_kind(f) == "share" and not f.get("denominator"):
        raise ValueError(f"{where}: a share needs a denominator (the count behind it) for its binomial test")


def load_calibration(path: str | Path | None = None) -> dict:
    """The calibration file, checked: every figure names a known model (or table, or derived
    measure), filter and measure words, and every ``fitted_by`` path is a value of the county
    profile's ``calibration`` entry."""
    p = Path(path) if path else calibration_path()
    data = yaml_io.safe_load(p.read_text("utf-8"))
    for k in ("criterion", "fit_seeds", "tolerance"):
        if k not in data:
            raise ValueError(f"calibration: missing top-level {k!r}")
    for county, c in data["counties"].items():
        if county not in COUNTIES:
            raise ValueError(f"calibration: unknown county {county!r}")
        figs, aux = c["figures"], c.get("auxiliary") or []
        ids = [f.get("id") for f in figs + aux]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"calibration {county}: duplicate id(s) {dup}")
        reproducible = {f["id"] for f in figs + aux if not f.get("not_reproducible")}
        over = None
        for f in aux:
            for k in ("id", "description"):
                if k not in f:
                    raise ValueError(f"calibration {county}.auxiliary {f.get('id')}: missing {k!r}")
            _check_entry(county, f, reproducible, auxiliary=True)
        for f in figs:
            for k in ("id", "label", "published", "passage"):
                if k not in f:
                    raise ValueError(f"calibration {county}.{f.get('id')}: missing {k!r}")
            _check_entry(county, f, reproducible)
            if f.get("upper") is not None and not f.get("lower_bound"):
                raise ValueError(f"calibration {county}.{f['id']}: upper without lower_bound")
            fb = f.get("fitted_by") or []
            if fb:
                if f.get("not_reproducible"):
                    raise ValueError(f"calibration {county}.{f['id']}: fitted_by on a figure that is not reproducible")
                over = calibration_overrides(county) if over is None else over
                missing = [x for x in fb if not profile_path_exists(over, str(x))]
                if missing:
                    raise ValueError(f"calibration {county}.{f['id']}: fitted_by {missing} is not a value of the "
                                     f"profile's calibration entry (synthetic/profiles/{county}.yaml)")
    return data


def definition_hash(f: dict, county_window: dict | None = None) -> str:
    """A short hash of what defines a figure's value (:data:`DEFINITION_KEYS`, and the county window
    when the figure has none): seed values written under another hash are stale."""
    d = {k: f.get(k) for k in DEFINITION_KEYS if f.get(k) is not None}
    if "window" not in d and county_window is not None and not f.get("derived"):
        d["county_window"] = {k: county_window[k] for k in ("start", "end")}
    text = json.dumps(d, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def upper_of(f: dict) -> float:
    """The upper end of an "N余" figure: ``upper`` from the YAML, else N + 9 (60余 = 60 … 69)."""
    return float(f["upper"]) if f.get("upper") is not None else float(f["published"]) + 9


def coverage(f: dict, county: str, county_window: dict) -> float:
    """The part of a ``pro_rata`` figure's window that the county's simulated period covers
    (days in both / days of the window); 1 for every other figure."""
    if not f.get("pro_rata"):
        return 1.0
    w = f.get("window") or county_window
    start, end = pd.Timestamp(w["start"]), pd.Timestamp(w["end"]) + pd.Timedelta(days=1)
    prof = load_profile(county)
    p0 = pd.Timestamp(prof["start_date"])
    p1 = p0 + pd.DateOffset(months=int(prof["months"]))
    both = (min(end, p1) - max(start, p0)).days
    return max(both, 0) / (end - start).days


def figures_frame(cal: dict | None = None) -> pd.DataFrame:
    """One row per published figure of the calibration file (county, figure, label, published,
    kind, fitted, target …)."""
    cal = cal or load_calibration()
    rows = []
    for county, c in cal["counties"].items():
        cw = c["window"]["value"]
        for f in c["figures"]:
            fw = f.get("window") or cw
            cov = coverage(f, county, cw)
            reproducible = not f.get("not_reproducible")
            kind = figure_kind(f) if reproducible else ("range" if f.get("lower_bound") else "")
            target = float(f["published"]) * cov
            rows.append({"county": county, "figure": f["id"], "label": f["label"], "published": float(f["published"]),
                         "lower_bound": bool(f.get("lower_bound", False)),
                         "model": ("derived: " + "/".join(dict(f["derived"])["percent_change"].values()) if f.get("derived")
                                   else f"table: {f['table']}" if f.get("table")
                                   else "+".join(_models_of(f))),
                         "window": "" if f.get("derived") else f"{fw['start']}..{fw['end']}",
                         "reading": " ".join(str(f.get("reading", "")).split()),
                         "reason": " ".join(str(f.get("not_reproducible") or "").split()),
                         "kind": kind, "target": target,
                         "target_upper": upper_of(f) * cov if f.get("lower_bound") else np.nan,
                         "fitted": bool(f.get("fitted_by")), "fitted_by": ", ".join(map(str, f.get("fitted_by") or [])),
                         "denominator": f.get("denominator") or "",
                         "derived": dict(f["derived"])["percent_change"] if f.get("derived") else None,
                         "changed": bool(f.get("changed")),
                         "definition": definition_hash(f, cw) if reproducible else ""})
    return pd.DataFrame(rows)


def entries(cal: dict, county: str) -> list[dict]:
    """The reproducible entries of a county (figures and auxiliary), in the order they are computed:
    derived figures last."""
    c = cal["counties"][county]
    out = [f for f in (c.get("auxiliary") or []) + c["figures"] if not f.get("not_reproducible")]
    return [f for f in out if not f.get("derived")] + [f for f in out if f.get("derived")]


def calibration_overrides(county: str) -> dict:
    """The profile's calibration overrides (``profile["calibration"]``), {} when it has none."""
    return dict(load_profile(county).get("calibration") or {})


def calibration_notes(county: str) -> dict[str, str]:
    """Per-figure notes of the profile's calibration entry (figures out of reach and why)."""
    entry = raw_profile(county).get("calibration") or {}
    return {k: " ".join(str(v).split()) for k, v in (entry.get("notes") or {}).items()}


# ---------------------------------------------------------------------- per-pool facts
def record_dates(pool, sources: Iterable[str]) -> pd.DataFrame:
    """``source, source_ref, record_date`` for the records of ``sources`` (see :data:`RECORD_DATES`)."""
    parts = []
    for src in sorted(set(sources)):
        if src not in RECORD_DATES:
            continue
        table, key, col, via, via_key = RECORD_DATES[src]
        t = pool[table]
        if t.empty:
            continue
        if via:
            v = pool[via][[via_key, col]]
            d = t[[key, via_key]].merge(v, on=via_key, how="left")
        else:
            d = t[[key, col]]
            if src == "judicial_aid":
                d = t[[key, col]].assign(**{col: t[col].fillna(t["applied_on"])})
        parts.append(pd.DataFrame({"source": src, "source_ref": d[key].astype("str").to_numpy(),
                                   "record_date": pd.to_datetime(d[col]).to_numpy()}))
    if not parts:
        return pd.DataFrame({"source": pd.Series(dtype="str"), "source_ref": pd.Series(dtype="str"),
                             "record_date": pd.Series(dtype="datetime64[us]")})
    return pd.concat(parts, ignore_index=True).drop_duplicates(["source", "source_ref"])


class PoolFacts:
    """Truth facts of one synthetic pool used by the figures (computed lazily, once)."""

    def __init__(self, pool, end: pd.Timestamp):
        self.pool, self.end = pool, pd.Timestamp(end)
        self._targets: dict[str, set] = {}
        self._needs: pd.Series | None = None
        self._persons: pd.DataFrame | None = None
        self._registries: dict[tuple, set] = {}
        self._maimed: dict[tuple, set] = {}

    def targets(self, target: str) -> set:
        if target not in self._targets:
            self._targets[target] = target_persons(self.pool, target)
        return self._targets[target]

    def persons(self) -> pd.DataFrame:
        if self._persons is None:
            tp = self.pool.truth["truth_persons"]
            birth = pd.to_datetime(tp["birth_date"])
            age = (self.end - birth).dt.days / 365.25
            dis = tp["disability"] if "disability" in tp.columns else pd.Series(pd.NA, index=tp.index)
            tv = self.pool.truth["truth_victims"]
            maimed = set(tv.loc[tv["harm"] == "伤残", "person_id"].astype("str"))
            pid = tp["person_id"].astype("str")
            disabled = (dis.notna() & (dis.astype("str") != "")) | pid.isin(maimed)
            self._persons = pd.DataFrame({"female": (tp["sex"] == "女").to_numpy(), "age": age.to_numpy(),
                                          "disabled": disabled.to_numpy()}, index=pid.to_numpy())
        return self._persons

    def needs(self) -> pd.Series:
        """Comma-joined needs per person (union over the person's harm events)."""
        if self._needs is None:
            v = self.pool.truth["truth_victims"][["person_id", "needs"]].dropna()
            v = v.assign(needs=v["needs"].astype("str").str.split(",")).explode("needs")
            v = v[v["needs"].notna() & (v["needs"] != "")].drop_duplicates()
            self._needs = v.groupby(v["person_id"].astype("str"))["needs"].agg(lambda s: "," + ",".join(sorted(s)) + ",")
        return self._needs

    def maimed(self, grades: Iterable[str]) -> set:
        """Persons (truth) with a harm whose 伤残等级 (``truth_victims.disability_grade``) is one of ``grades``."""
        key = tuple(sorted(grades))
        if key not in self._maimed:
            tv = self.pool.truth["truth_victims"]
            hit = tv["disability_grade"].astype("str").isin(list(key)) if "disability_grade" in tv.columns else False
            self._maimed[key] = set(tv.loc[hit, "person_id"].astype("str"))
        return self._maimed[key]

    def on_registry(self, names: Iterable[str]) -> set:
        """Persons (truth) on any of ``names`` in a snapshot up to the window end."""
        key = tuple(sorted(names))
        if key not in self._registries:
            reg = self.pool["registries"]
            r = reg.loc[reg["registry"].isin(list(key)) & (pd.to_datetime(reg["as_of"]) <= self.end), "record_id"]
            links = self.pool.truth["truth_links"]
            links = links[links["source"] == "registries"]
            ids = set(r.astype("str"))
            self._registries[key] = set(links.loc[links["source_ref"].astype("str").isin(ids), "person_id"].astype("str"))
        return self._registries[key]


def _person_key(frame: pd.DataFrame, pool) -> pd.Series:
    if "source" not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    return person_of(frame, pool)


def part_labels(fig: dict) -> list[str]:
    """The frames a figure reads, by label: each model's clues (or its ``list``) under the model's
    name, each of ``with_lists`` as ``model:list``, a pool table as ``table:<name>``."""
    if fig.get("table"):
        return [f"table:{fig['table']}"]
    models = _models_of(fig)
    return models + [f"{m}:{wl}" for m in models for wl in (fig.get("with_lists") or [])]


def figure_value(fig: dict, frames: dict[str, pd.DataFrame], facts: PoolFacts, window: tuple) -> float:
    """The value of one figure on one pool. ``frames[label]`` (labels of :func:`part_labels`) is
    the clue frame, list or table of each part, with ``person_id`` and ``record_date`` columns added;
    several parts are united one row per person."""
    labels = part_labels(fig)
    where = dict(fig.get("where") or {})
    df = pd.concat([frames[k] for k in labels], ignore_index=True) if len(labels) > 1 else frames[labels[0]]
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    keep = pd.Series(True, index=df.index)
    if where.get("in_window", True):
        d = df["record_date"] if "record_date" in df.columns else pd.Series(pd.NaT, index=df.index)
        keep &= (d >= start) & (d <= end + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1))
    pid = df["person_id"] if "person_id" in df.columns else pd.Series(pd.NA, index=df.index, dtype="str")
    if "eligible" in where:  # one target or a list (all must hold)
        for target in ([where["eligible"]] if isinstance(where["eligible"], str) else where["eligible"]):
            keep &= pid.isin(facts.targets(target))
    persons = facts.persons()
    for flag, test in (("female", lambda p: p["female"]), ("minor", lambda p: p["age"] < 18),
                       ("elderly", lambda p: p["age"] >= 60)):
        if where.get(flag):
            ok = set(persons.index[test(persons).to_numpy()])
            keep &= pid.isin(ok)
    dis = where.get("disabled")
    if isinstance(dis, dict):  # 持证 (on a registry) or maimed with one of the 伤残等级
        ok = set()
        if dis.get("registries"):
            ok |= facts.on_registry(dis["registries"])
        if dis.get("harm_grades"):
            ok |= facts.maimed(dis["harm_grades"])
        keep &= pid.isin(ok)
    elif dis:
        keep &= pid.isin(set(persons.index[persons["disabled"].to_numpy()]))
    if "on_registry" in where:
        keep &= pid.isin(facts.on_registry(where["on_registry"]))
    if "not_on_registry" in where:
        keep &= ~pid.isin(facts.on_registry(where["not_on_registry"])) & pid.notna()
    if "need" in where:
        n = pid.map(facts.needs())
        keep &= n.fillna("").str.contains("," + where["need"] + ",", regex=False)
    for col, val in (where.get("column") or {}).items():
        keep &= df[col].astype("str").fillna("").str.contains(str(val), regex=False) if col in df.columns else False
    sel = df[keep.to_numpy()]
    if len(labels) > 1:  # one row per person across the united parts
        k = sel["person_id"].fillna(sel["source"].astype("str") + ":" + sel["source_ref"].astype("str"))
        sel = sel[~k.duplicated()]
    return measure(sel, fig.get("measure", "count"))


def percent_change(numerator: float, denominator: float) -> float:
    """``100 × (numerator / denominator − 1)``: a year-on-year change in percent; NaN when the
    denominator is 0 or missing."""
    if denominator is None or not np.isfinite(denominator) or denominator == 0:
        return float("nan")
    return 100.0 * (float(numerator) / float(denominator) - 1.0)


def measure(sel: pd.DataFrame, how: Any) -> float:
    """``count`` | ``{distinct: col}`` | ``{max_per: col}`` | ``{sum: col}`` |
    ``{share_within: {value, classes, band}}`` (percent of rows within ±band of their class median) |
    ``{mean_days: {from, to}}`` (mean days between two date columns, rows with both)."""
    if how == "count":
        return float(len(sel))
    (name, arg), = dict(how).items()
    if name == "distinct":
        return float(sel[arg].nunique(dropna=True))
    if name == "max_per":
        return float(sel.groupby(arg).size().max()) if len(sel) else 0.0
    if name == "sum":
        return float(pd.to_numeric(sel[arg], errors="coerce").sum())
    if name == "share_within":
        d = sel.dropna(subset=[arg["value"]])
        if d.empty:
            return float("nan")
        v = pd.to_numeric(d[arg["value"]])
        med = v.groupby([d[c] for c in arg["classes"]], dropna=False).transform("median")
        dev = np.where(med > 0, (v / med - 1).abs(), 0.0)
        return float((dev <= float(arg["band"]) + 1e-9).mean() * 100)
    if name == "mean_days":
        a, b = (pd.to_datetime(sel[arg[k]]) if arg[k] in sel.columns else pd.Series(pd.NaT, index=sel.index)
                for k in ("from", "to"))
        days = (b - a).dt.days.dropna()
        return float(days.mean()) if len(days) else float("nan")
    raise ValueError(f"unknown measure {how!r}")


def _prepare(frame: pd.DataFrame, pool, dates: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    if "source" in out.columns and "source_ref" in out.columns:
        out["person_id"] = _person_key(out, pool).to_numpy()
        key = pd.DataFrame({"source": out["source"].astype("str"), "source_ref": out["source_ref"].astype("str")})
        out["record_date"] = key.merge(dates, on=["source", "source_ref"], how="left")["record_date"].to_numpy()
    return out


def county_values(pool, spec: dict) -> dict[str, float]:
    """Every reproducible figure (and auxiliary entry) of one county (``spec`` = its calibration
    entry) on one pool: {id: value}."""
    w = spec["window"]["value"]
    window = (w["start"], w["end"])
    facts = PoolFacts(pool, pd.Timestamp(w["end"]))
    results = {m: run_model(m, pool) for m in spec["models"]}
    todo = [f for f in (spec.get("auxiliary") or []) + spec["figures"] if not f.get("not_reproducible")]
    raw: dict[str, pd.DataFrame] = {}
    for f in todo:
        if f.get("derived"):
            continue
        if f.get("table"):
            t = f["table"]
            key = RECORD_DATES[t][1]
            raw[f"table:{t}"] = pool[t].assign(source=t, source_ref=pool[t][key].astype("str"))
            continue
        for m in _models_of(f):
            if m not in results:
                results[m] = run_model(m, pool)
            res = results[m]
            raw.setdefault(m if not f.get("list") else f"{m}|{f['list']}",
                           res.clues if not f.get("list") else res.lists[f["list"]])
            for wl in f.get("with_lists") or []:
                raw.setdefault(f"{m}:{wl}", res.lists[wl])
    sources = set().union(*[set(f["source"].astype("str")) for f in raw.values() if "source" in f.columns] or [set()])
    dates = record_dates(pool, sources)
    prepared = {k: _prepare(v, pool, dates) for k, v in raw.items()}
    out: dict[str, float] = {}
    for f in [f for f in todo if not f.get("derived")] + [f for f in todo if f.get("derived")]:
        if f.get("derived"):
            arg = dict(f["derived"])["percent_change"]
            out[f["id"]] = percent_change(out.get(arg["numerator"], np.nan), out.get(arg["denominator"], np.nan))
            continue
        frames = {}
        for label in part_labels(f):
            frames[label] = prepared[label if (":" in label or not f.get("list")) else f"{label}|{f['list']}"]
        fw = (f["window"]["start"], f["window"]["end"]) if f.get("window") else window
        out[f["id"]] = figure_value(f, frames, facts if not f.get("window") else PoolFacts(pool, pd.Timestamp(fw[1])), fw)
    return out


# ---------------------------------------------------------------------- the criterion
def within_tolerance(published, mean, tolerance: float = 0.25) -> pd.Series:
    """The OLD criterion (issue 6), kept for continuity: ``|mean − published| ≤ tolerance × |published|``;
    NA where there is no reproduced mean. It ignores ``lower_bound`` and the seed spread; :func:`judge`
    replaces it."""
    p = pd.Series(published, dtype="float64")
    m = pd.Series(mean, dtype="float64", index=p.index)
    ok = (m - p).abs() <= tolerance * p.abs() + 1e-9
    return ok.astype("boolean").mask(m.isna())


def predictive_halfwidth(sd, n, floor_var=0.0, z: float = 1.645):
    """Half-width of the predictive interval for one more county: ``z·√(max(s², floor)·(1 + 1/n))``.

    ``s`` is the seed-to-seed sd of the figure (0 when there is one seed), ``n`` the number of
    seeds, ``floor`` the least variance the figure can have (a count's Poisson variance = its
    mean): five seeds can show a small ``s`` by chance, and the floor keeps the interval from
    being narrower than the noise of one county. Works on scalars and arrays.

    >>> round(float(predictive_halfwidth(1.1, 5, 6.2)), 2)       # published 7, m 6.2: |7 − 6.2| ≤ 4.49
    4.49
    """
    sd = np.nan_to_num(np.asarray(sd, dtype="float64"), nan=0.0)
    n = np.asarray(n, dtype="float64")
    var = np.maximum(sd ** 2, np.asarray(floor_var, dtype="float64"))
    return z * np.sqrt(var * (1.0 + 1.0 / n))


def count_passes(published, mean, sd, n, z: float = 1.645):
    """A count passes when ``|published − m| ≤ z·√(max(s², m)·(1 + 1/n))`` (Poisson floor ``m``)."""
    h = predictive_halfwidth(sd, n, np.asarray(mean, dtype="float64"), z)
    return np.abs(np.asarray(published, dtype="float64") - np.asarray(mean, dtype="float64")) <= h + 1e-9


def range_passes(low, high, mean, sd, n, z: float = 1.645):
    """An "N余" figure passes when the count's predictive interval overlaps ``[low, high]``
    (60余 = [60, 69])."""
    m = np.asarray(mean, dtype="float64")
    h = predictive_halfwidth(sd, n, m, z)
    return (m + h >= np.asarray(low, dtype="float64") - 1e-9) & (m - h <= np.asarray(high, dtype="float64") + 1e-9)


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = k), k = 0 … n, for X ~ Binomial(n, p) (exact, through log-gamma)."""
    k = np.arange(n + 1)
    if p <= 0 or p >= 1:
        return (k == (0 if p <= 0 else n)).astype("float64")
    logc = np.concatenate([[0.0], np.cumsum(np.log((n - k[1:] + 1) / k[1:]))])  # log C(n, k)
    return np.exp(logc + k * math.log(p) + (n - k) * math.log1p(-p))


def binomial_pvalue(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test of ``k`` successes in ``n`` trials against share ``p``: the
    probability of an outcome no more likely than ``k`` (the minimum-likelihood rule, as R's
    ``binom.test`` and SciPy's ``binomtest``)."""
    if n <= 0:
        return float("nan")
    pmf = binomial_pmf(int(n), float(p))
    return float(min(1.0, pmf[pmf <= pmf[int(k)] * (1 + 1e-7)].sum()))


def share_test(published_pct: float, mean_pct: float, n: float, level: float = 0.90) -> tuple[bool, float, float, float]:
    """A share (percent) passes when the published share, read on ``n`` = the count behind it in
    the model's output (one county's worth: the mean over the seeds), is not rejected by an exact
    two-sided binomial test against the model's mean share at ``1 − level``.

    Returns ``(passes, p_value, low, high)``: ``low … high`` (percent) are the shares k/n the test
    accepts."""
    n = int(round(float(n)))
    if n <= 0 or not np.isfinite(mean_pct):
        return False, float("nan"), float("nan"), float("nan")
    p = float(mean_pct) / 100.0
    k = int(round(float(published_pct) / 100.0 * n))
    pmf = binomial_pmf(n, p)
    order = np.sort(pmf)
    cum = np.concatenate([[0.0], np.cumsum(order)])
    pvals = cum[np.searchsorted(order, pmf * (1 + 1e-7), side="right")]  # the p-value of each outcome k = 0 … n
    ok = np.flatnonzero(pvals >= 1 - level - 1e-12)
    pv = float(min(1.0, pvals[k]))
    return bool(pv >= 1 - level - 1e-12), pv, float(ok.min() / n * 100), float(ok.max() / n * 100)


def judge(kind: str, target: float, mean: float, sd: float, n: int, *, upper: float | None = None,
          denominator: float | None = None, parts: tuple[float, float] | None = None,
          z: float = 1.645, level: float = 0.90) -> dict:
    """The criterion of issue 19 for one figure on the seeds used: ``{passes, low, high, p_value}``.

    - ``count``: the predictive interval with the Poisson floor ``m`` (:func:`predictive_halfwidth`);
    - ``range`` ("N余"): that interval overlaps ``[target, upper]``;
    - ``share``: :func:`share_test` with ``n`` = ``denominator`` (the mean count behind the share);
    - ``amount``: the interval with the compound-Poisson floor ``m²/N`` (``N`` = ``denominator``, the
      mean number of persons paid: Var(sum of N amounts) ≥ E[N]·E[a]² = m²/N); ``s`` alone without N;
    - ``mean``: the interval with ``s`` alone (a mean of many durations; no count floor in days);
    - ``change`` (percent): the interval with the delta-method Poisson floor ``R²(1/A + 1/B)``, R = 100·A/B,
      ``parts = (A, B)`` the means of numerator and denominator.
    ``passes`` is NA (``None``) when there is no seed value."""
    out = {"passes": None, "low": np.nan, "high": np.nan, "p_value": np.nan}
    if n is None or n < 1 or mean is None or not np.isfinite(mean):
        return out
    if kind == "share":
        if denominator is None or not np.isfinite(denominator) or denominator <= 0:
            return out  # no count behind the share: not tested
        ok, pv, lo, hi = share_test(target, mean, denominator, level)
        return {"passes": ok, "low": lo, "high": hi, "p_value": pv}
    if kind in ("count", "range"):
        floor = max(mean, 0.0)
    elif kind == "amount":
        floor = mean ** 2 / denominator if denominator is not None and np.isfinite(denominator) and denominator > 0 else 0.0
    elif kind == "change":
        a, b = parts if parts else (np.nan, np.nan)
        floor = ((100 * a / b) ** 2 * (1 / a + 1 / b)) if (np.isfinite(a) and np.isfinite(b) and a > 0 and b > 0) else 0.0
    elif kind == "mean":
        floor = 0.0
    else:
        raise ValueError(f"unknown kind {kind!r}")
    h = float(predictive_halfwidth(sd, n, floor, z))
    lo, hi = mean - h, mean + h
    if kind in ("count", "range", "amount"):
        lo = max(lo, 0.0)  # a count or a sum of money is not negative (does not change a verdict)
    if kind == "range":
        ok = hi >= target - 1e-9 and lo <= upper + 1e-9
    else:
        ok = abs(target - mean) <= h + 1e-9
    return {"passes": bool(ok), "low": lo, "high": hi, "p_value": np.nan}


# ---------------------------------------------------------------------- the table
def seed_span(seeds: Iterable[int]) -> str:
    """``1-5`` / ``1-3,6`` (ranges of consecutive seeds)."""
    s = sorted({int(x) for x in seeds})
    parts, i = [], 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[j] + 1:
            j += 1
        parts.append(f"{s[i]}" if i == j else f"{s[i]}-{s[j]}")
        i = j + 1
    return ",".join(parts)


def current_values(per_seed: pd.DataFrame, cal: dict) -> tuple[pd.DataFrame, set]:
    """The per-seed values computed with the current definitions, and the (county, id) pairs
    whose values are stale. A seeds file with a ``definition`` column is checked hash by hash; one
    written before definitions were recorded (issue 6) is taken as computed with today's file
    except for the entries marked ``changed`` (and an auxiliary entry reads its ``legacy_id``)."""
    cols = ["county", "figure", "seed", "value"]
    if per_seed.empty:
        return pd.DataFrame(columns=cols), set()
    cur = {}
    for county, c in cal["counties"].items():
        for f in entries(cal, county):
            cur[(county, f["id"])] = (f, definition_hash(f, c["window"]["value"]))
    per = per_seed.copy()
    if "definition" in per.columns:
        want = [cur.get((c, f), (None, None))[1] for c, f in zip(per["county"], per["figure"])]
        fresh = per["definition"].astype("str").to_numpy() == np.array(want, dtype=object)
        stale = set(zip(per.loc[~fresh, "county"], per.loc[~fresh, "figure"])) & set(cur)
        return per.loc[fresh, cols].reset_index(drop=True), stale
    parts, stale = [], set()
    for (county, fid), (f, _) in cur.items():
        rows = per[(per["county"] == county) & (per["figure"] == fid)]
        if rows.empty and f.get("legacy_id"):
            rows = per[(per["county"] == county) & (per["figure"] == f["legacy_id"])]
        if rows.empty:
            continue
        if f.get("changed"):
            stale.add((county, fid))
            continue
        parts.append(rows.assign(figure=fid)[cols])
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)), stale


def summarise(per_seed: pd.DataFrame, cal: dict | None = None, *, counties: Iterable[str] | None = None) -> pd.DataFrame:
    """The calibration table from per-seed values (``county, figure, seed, value`` [, ``definition``]).

    ``reproduced_mean/sd/seeds`` and ``within_tolerance`` (old criterion) are over all seeds with
    current values; ``passes`` and the interval are over the seeds used: the held-out seeds (not in
    ``fit_seeds``) for a fitted figure, all seeds for the others."""
    cal = cal or load_calibration()
    figs = figures_frame(cal)
    if counties is not None:
        figs = figs[figs["county"].isin(list(counties))]
    tol = float(cal["tolerance"]["value"])
    crit = cal["criterion"]["value"]
    z, level = float(crit["z"]), float(crit["level"])
    fit_seeds = {int(x) for x in cal["fit_seeds"]["value"]}
    per, stale = current_values(per_seed, cal)
    per = per.assign(seed=per["seed"].astype(int), value=per["value"].astype("float64"))
    if per.empty:
        agg = pd.DataFrame(columns=["county", "figure", "reproduced_mean", "reproduced_sd", "seeds"])
    else:
        agg = per.groupby(["county", "figure"], sort=False)["value"].agg(
            reproduced_mean="mean", reproduced_sd="std", seeds="count").reset_index()
    t = figs.merge(agg, on=["county", "figure"], how="left")
    t["seeds"] = t["seeds"].fillna(0).astype(int)
    t["within_tolerance"] = within_tolerance(t["published"], t["reproduced_mean"], tol).to_numpy()
    notes = {c: calibration_notes(c) for c in t["county"].unique()}
    t["note"] = [notes[c].get(f, "") for c, f in zip(t["county"], t["figure"])]
    by = {k: g.set_index("seed")["value"] for k, g in per.groupby(["county", "figure"], sort=False)}

    def stats(key, seeds):
        v = by.get(key)
        if v is None:
            return np.nan, np.nan, 0
        v = v[v.index.isin(seeds)].dropna()
        return (float(v.mean()) if len(v) else np.nan, float(v.std()) if len(v) > 1 else 0.0, int(len(v)))

    results = []
    for r in t.itertuples(index=False):
        key = (r.county, r.figure)
        row = {"passes": pd.NA, "interval_low": np.nan, "interval_high": np.nan, "seeds_used": "", "p_value": np.nan}
        if r.reason:
            row.update(passes=False, verdict="not reproducible: " + r.reason)
            results.append(row)
            continue
        all_seeds = set(by[key].index) if key in by else set()
        if not all_seeds:
            why = ("the definition changed since the seed values were computed (re-run)" if key in stale
                   else "no seed value for this figure (re-run)")
            row.update(verdict="not tested: " + why)
            results.append(row)
            continue
        held_out = all_seeds - fit_seeds
        in_sample = bool(r.fitted) and not held_out
        used = sorted(all_seeds if (not r.fitted or in_sample) else held_out)
        m, sd, n = stats(key, used)
        den = stats((r.county, r.denominator), used)[0] if r.denominator else None
        parts = None
        if r.derived:
            parts = (stats((r.county, r.derived["numerator"]), used)[0], stats((r.county, r.derived["denominator"]), used)[0])
        j = judge(r.kind, r.target, m, sd, n, upper=r.target_upper, denominator=den, parts=parts, z=z, level=level)
        if j["passes"] is None:
            row.update(verdict=f"not tested: no value of its denominator {r.denominator!r} on seeds {seed_span(used)}")
            results.append(row)
            continue
        row.update(interval_low=j["low"], interval_high=j["high"], p_value=j["p_value"], seeds_used=seed_span(used))
        span = (f"[{j['low']:.4g}, {j['high']:.4g}]")
        tgt = f"{r.target:.4g}" + (f"–{r.target_upper:.4g}" if r.kind == "range" else "")
        if in_sample:
            row.update(passes=pd.NA, seeds_used=seed_span(used) + " (fitting seeds)",
                       verdict=f"fitted ({r.fitted_by}): not tested — no held-out seed (run with --holdout K); "
                               f"on the fitting seeds {tgt} is {'inside' if j['passes'] else 'outside'} {span}")
        else:
            word = "passes" if j["passes"] else "fails"
            test = (f"binomial p = {j['p_value']:.3g} on n = {den:.0f}, accepted shares {span}" if r.kind == "share"
                    else f"interval {span}")
            row.update(passes=bool(j["passes"]),
                       verdict=(f"{word} on held-out seeds {seed_span(used)}: " if r.fitted else f"{word}: ")
                       + f"target {tgt}, {test}")
        results.append(row)
    res = pd.DataFrame(results, index=t.index)
    for c in res.columns:
        t[c] = res[c]
    t["passes"] = t["passes"].astype("boolean")
    t["fitted"] = t["fitted"].astype(bool)
    return t[COLUMNS + CRITERION_COLUMNS + EXTRA_COLUMNS].reset_index(drop=True)


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Counts of the table by verdict: tested figures that pass / fail (fitted apart), fitted
    figures not tested, not reproducible, not tested for want of seed values."""
    rep = table["reason"].fillna("") == ""
    tested = rep & table["passes"].notna()
    fit = table["fitted"].astype(bool)
    ok = table["passes"].fillna(False).astype(bool)
    return {"figures": int(len(table)),
            "tested": int((tested & ~fit).sum()), "pass": int((tested & ~fit & ok).sum()),
            "fitted": int(fit.sum()), "fitted_tested": int((tested & fit).sum()),
            "fitted_pass": int((tested & fit & ok).sum()),
            "not_reproducible": int((~rep).sum()),
            "not_tested": int((rep & ~fit & table["passes"].isna()).sum())}


def summary_text(table: pd.DataFrame) -> str:
    """One paragraph: how many figures pass, calibration targets apart."""
    s = summary(table)
    return (f"{s['pass']} of {s['tested']} tested figures pass (not fitted, all seeds); "
            f"calibration targets (fitted, judged on held-out seeds only): {s['fitted_pass']} of {s['fitted_tested']} "
            f"tested pass, {s['fitted'] - s['fitted_tested']} not tested (no held-out seed); "
            f"{s['not_reproducible']} not reproducible (passes False, a reason is documentation, not a pass); "
            f"{s['not_tested']} not tested (no seed value for the current definition: re-run).")


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def seed_list(seeds: int | Iterable[int] = 5, holdout: int = 0, cal: dict | None = None) -> list[int]:
    """The seeds of a run: 1 … ``seeds`` (or the given list), plus ``holdout`` seeds after the
    fitting seeds (max(fit_seeds) + 1 … + holdout) on which the fitted figures are judged."""
    base = list(range(1, int(seeds) + 1)) if isinstance(seeds, (int, np.integer)) else [int(x) for x in seeds]
    if int(holdout) < 0:
        raise ValueError(f"holdout must be 0 or more, not {holdout}")
    if holdout:
        cal = cal or load_calibration()
        top = max(int(x) for x in cal["fit_seeds"]["value"])
        base += [s for s in range(top + 1, top + 1 + int(holdout)) if s not in base]
    return base


def per_seed_values(*, scale: float = 1.0, seeds: int | Iterable[int] = 5, counties: Iterable[str] | None = None,
                    cal: dict | None = None, overrides: dict[str, dict] | None = None,
                    quiet: bool = False, cache: str | Path | None = None) -> pd.DataFrame:
    """``county, figure, seed, value, definition`` for each county × seed (seed-major: after each
    round every county has one more seed). ``overrides`` (per county) replaces the profile's
    calibration overrides (a tuning what-if; the profile is untouched). ``cache``: a CSV that
    receives each county × seed as soon as it is done, and whose rows for the same scale are reused
    (resume) when every reproducible entry of that county × seed is there with its current
    definition hash."""
    from ..synth import generate

    cal = cal or load_calibration()
    seeds_ = list(range(1, int(seeds) + 1)) if isinstance(seeds, (int, np.integer)) else list(seeds)
    counties = list(counties) if counties else list(cal["counties"])
    cols = ["county", "figure", "seed", "value", "definition"]
    hashes = {c: {f["id"]: definition_hash(f, cal["counties"][c]["window"]["value"]) for f in entries(cal, c)}
              for c in counties}
    done = pd.DataFrame(columns=cols + ["scale"])
    if cache and Path(cache).exists() and overrides is None:
        done = pd.read_csv(cache, encoding="utf-8-sig", dtype={"definition": "str"})
        done = done[np.isclose(done["scale"], scale)]
        if "definition" not in done.columns:
            done = done.iloc[0:0].assign(definition=pd.Series(dtype="str"))
        want = [hashes.get(c, {}).get(f) for c, f in zip(done["county"], done["figure"])]
        done = done[done["definition"].astype("str").to_numpy() == np.array(want, dtype=object)]
    have = {key for key, g in done.groupby(["county", "seed"]) if set(g["figure"]) >= set(hashes.get(key[0], {}))}
    rows = [done[[(k in have) for k in zip(done["county"], done["seed"].astype(int))]][cols]] if len(done) else []
    for seed in seeds_:
        for county in counties:
            if (county, seed) in have:
                continue
            spec = cal["counties"][county]
            over = (overrides or {}).get(county, calibration_overrides(county))
            t0 = time.time()
            pool = generate(county, scale=scale, seed=seed, overrides=over or None)
            t1 = time.time()
            vals = county_values(pool, spec)
            del pool
            _log(f"calibrate {county} seed {seed} scale {scale}: generate {t1 - t0:.0f}s, models {time.time() - t1:.0f}s", quiet)
            new = pd.DataFrame([{"county": county, "figure": k, "seed": seed, "value": v,
                                 "definition": hashes[county][k]} for k, v in vals.items()], columns=cols)
            rows.append(new)
            if cache and overrides is None:
                Path(cache).parent.mkdir(parents=True, exist_ok=True)
                first = not Path(cache).exists()
                new.assign(scale=scale).to_csv(cache, mode="a", header=first, index=False,
                                               encoding="utf-8-sig" if first else "utf-8")
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out = out[out["county"].isin(counties) & out["seed"].astype(int).isin(seeds_)]
    return out.sort_values(["county", "seed"], kind="stable").reset_index(drop=True)


def calibrate(*, scale: float = 1.0, seeds: int | Iterable[int] = 5, holdout: int = 0,
              counties: Iterable[str] | None = None, overrides: dict[str, dict] | None = None, quiet: bool = False,
              cache: str | Path | None = None) -> pd.DataFrame:
    """The calibration table: one row per published figure (columns :data:`COLUMNS`,
    :data:`CRITERION_COLUMNS`, :data:`EXTRA_COLUMNS`); ``per_seed`` values in ``.attrs["per_seed"]``.
    ``holdout`` adds seeds after the fitting seeds (see :func:`seed_list`)."""
    cal = load_calibration()
    counties = list(counties) if counties else list(cal["counties"])
    per = per_seed_values(scale=scale, seeds=seed_list(seeds, holdout, cal), counties=counties, cal=cal,
                          overrides=overrides, quiet=quiet, cache=cache)
    table = summarise(per, cal, counties=counties)
    table.attrs["per_seed"] = per
    table.attrs["scale"] = scale
    return table


# ---------------------------------------------------------------------- outputs
def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """UTF-8 with BOM (Excel opens the Chinese labels)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.8g")
    return path


def chart(table: pd.DataFrame, path: str | Path | None = None, *, tolerance: float = 0.25):
    """Reproduced value against the target (ratio, log scale): the point is the mean of the seeds
    used, the bar the predictive interval (accepted shares for a share); a figure passes when its
    bar reaches 1 (an "N余" figure: the shaded N … N+9). Tested figures in the upper panel (green
    passes, red fails), calibration targets (fitted) apart in the lower one (hollow: not tested,
    in-sample interval on the fitting seeds). ``tolerance`` is kept for callers of the old chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..reporting.plotting import setup_fonts, use_chinese

    setup_fonts()
    zh = use_chinese()
    names = {"guanyun": "灌云", "yueqing": "乐清", "panan": "磐安", "shanxian": "单县", "weidu": "魏都"}
    fit = table["fitted"].astype(bool).to_numpy()
    groups = [(table[~fit], "tested figures (not fitted)" if not zh else "检验的数字（未拟合）"),
              (table[fit], "calibration targets (fitted; judged on held-out seeds)" if not zh
               else "校准目标（已拟合，仅在留出种子上检验）")]
    heights = [max(len(g), 1) for g, _ in groups]
    fig, axes = plt.subplots(2, 1, figsize=(9.5, 0.3 * sum(heights) + 3), sharex=True,
                             gridspec_kw={"height_ratios": heights})
    floor = 0.02  # a zero or a negative value cannot sit on a log axis: drawn at the floor
    allx = []
    for ax, (g, title) in zip(axes, groups):
        t = g.iloc[::-1].reset_index(drop=True)
        y = np.arange(len(t))
        tgt = t["target"].where(t["target"] > 0)
        mid = ((t["interval_low"] + t["interval_high"]) / 2) if len(t) else t["target"]
        mean = np.where(t["kind"].eq("share"), t["reproduced_mean"], mid)
        ratio = pd.Series(mean / tgt, index=t.index).clip(lower=floor)
        lo = (t["interval_low"] / tgt).clip(lower=floor / 2)
        hi = (t["interval_high"] / tgt).clip(lower=floor)
        ax.axvline(1.0, color="#2e7d32", lw=1)
        for i, r in t.iterrows():
            if r["kind"] == "range" and r["target"] > 0:
                ax.fill_betweenx([i - 0.35, i + 0.35], 1.0, r["target_upper"] / r["target"], color="#c8e6c9")
        has = ratio.notna().to_numpy() & t["interval_low"].notna().to_numpy()
        ok = t["passes"].fillna(False).astype(bool).to_numpy()
        na = t["passes"].isna().to_numpy()
        styles = ((has & ok & ~na, "#1b5e20", "o", "passes" if not zh else "通过"),
                  (has & ~ok & ~na, "#c62828", "o", "fails" if not zh else "未通过"),
                  (has & na, "#546e7a", "o", "not tested (in-sample)" if not zh else "未检验（样本内）"))
        for mask, color, mk, lab in styles:
            if mask.any():
                err = [(ratio - np.minimum(lo, ratio))[mask], (np.maximum(hi, ratio) - ratio)[mask]]
                ax.errorbar(ratio[mask], y[mask], xerr=err, fmt=mk, color=color, capsize=3, label=lab,
                            mfc="white" if color == "#546e7a" else color)
                allx += list(lo[mask]) + list(hi[mask])
        for yi, r in zip(y[~has], t[~has].itertuples()):
            txt = ("不可复现" if zh else "not reproducible") if r.reason else ("未检验" if zh else "not tested")
            ax.text(1.0, yi, txt, va="center", ha="center", fontsize=7, color="#555")
        ylab = [f"{names.get(c, c) if zh else c} · {l if zh else f}" for c, f, l in zip(t["county"], t["figure"], t["label"])]
        ax.set_yticks(y)
        ax.set_yticklabels(ylab, fontsize=8)
        ax.set_ylim(-0.7, max(len(t), 1) - 0.3)
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right", fontsize=7)
    ax = axes[-1]
    ax.set_xscale("log")
    finite = [x for x in allx if np.isfinite(x)]
    ax.set_xlim(min(0.1, min(finite) * 0.8) if finite else floor, max(10.0, max(finite) * 1.25) if finite else 10.0)
    ax.set_xlabel("复现值 / 目标值（预测区间，对数轴）" if zh else "reproduced / target (predictive interval, log scale)")
    scale = table.attrs.get("scale")
    seeds = int(table["seeds"].max()) if len(table) else 0
    s = summary(table)
    head = (f"校准：复现值与公布值（scale {scale}，{seeds} 个种子）— {s['pass']}/{s['tested']} 通过；"
            f"校准目标 {s['fitted_pass']}/{s['fitted_tested']} 通过（{s['fitted'] - s['fitted_tested']} 个无留出种子）" if zh else
            f"Calibration (scale {scale}, {seeds} seeds): {s['pass']} of {s['tested']} tested pass; "
            f"fitted {s['fitted_pass']} of {s['fitted_tested']} ({s['fitted'] - s['fitted_tested']} without held-out seeds)")
    fig.suptitle(head, fontsize=10)
    fig.tight_layout()
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=130)
        plt.close(fig)
    return fig


def run(*, scale: float = 1.0, seeds: int = 5, holdout: int = 0, counties: Iterable[str] | None = None,
        out: str | Path = "reports", quiet: bool = False, resume: bool = False) -> pd.DataFrame:
    """:func:`calibrate` and write ``calibration.csv``, ``calibration_seeds.csv``, ``calibration.png`` to ``out``.
    Each county × seed is appended to ``calibration_seeds.csv`` when done; ``resume`` reuses the
    rows already there (same scale, current definitions) instead of starting afresh — e.g. add
    ``--holdout 3`` to a finished five-seed run."""
    out = Path(out)
    cache = out / "calibration_seeds.csv"
    if not resume and cache.exists():
        cache.unlink()
    table = calibrate(scale=scale, seeds=seeds, holdout=holdout, counties=counties, quiet=quiet, cache=cache)
    write_csv(table, out / "calibration.csv")
    write_csv(table.attrs["per_seed"].assign(scale=scale), cache)
    chart(table, out / "calibration.png")
    return table


def report_from_cache(out: str | Path = "reports", *, counties: Iterable[str] | None = None) -> pd.DataFrame:
    """The table, CSV and chart from the per-seed values already in ``out/calibration_seeds.csv``
    (no generation): for a run that was stopped, or to redraw the chart. The file is read as it is
    (it is not rewritten); values of a changed definition are left out (see :func:`current_values`)."""
    out = Path(out)
    path = out / "calibration_seeds.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `jiuzhu calibrate` first (or give --out)")
    per = pd.read_csv(path, encoding="utf-8-sig", dtype={"definition": "str"})
    missing = {"county", "figure", "seed", "value", "scale"} - set(per.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    scales = sorted(per["scale"].unique())
    if len(scales) != 1:
        raise ValueError(f"calibration_seeds.csv mixes scales {scales}")
    cal = load_calibration()
    counties = list(counties) if counties else [c for c in cal["counties"] if c in set(per["county"])]
    keep = [c for c in ("county", "figure", "seed", "value", "definition") if c in per.columns]
    table = summarise(per[keep], cal, counties=counties)
    table.attrs["per_seed"], table.attrs["scale"] = per, float(scales[0])
    write_csv(table, out / "calibration.csv")
    chart(table, out / "calibration.png")
    return table


def add_commands(sub) -> None:
    """The ``jiuzhu calibrate`` sub-command (hooked in by :mod:`jiuzhu_methods.cli`)."""
    c = sub.add_parser("calibrate", help="reproduce the published figures on the synthetic counties (calibration table)",
                       description="Generate each county with its calibration overrides for several seeds, run the "
                                   "models and judge the reproduced figures against the published ones (predictive "
                                   "interval with a Poisson floor; fitted figures on held-out seeds only).")
    c.add_argument("--scale", type=float, default=1.0, help="generator scale (default 1: real-size counties)")
    c.add_argument("--seeds", type=int, default=5, help="number of seeds, 1..N (default 5)")
    c.add_argument("--holdout", type=int, default=0, metavar="K",
                   help="K more seeds after the fitting seeds (6..5+K): the fitted figures are judged on them")
    c.add_argument("--counties", nargs="+", choices=list(COUNTIES), help="counties (default all five)")
    c.add_argument("--out", default="reports", help="folder for calibration.csv/.png (default reports)")
    c.add_argument("--quiet", action="store_true", help="no progress lines")
    c.add_argument("--resume", action="store_true",
                   help="reuse the county × seed values already in OUT/calibration_seeds.csv (same scale)")
    c.add_argument("--report-only", action="store_true",
                   help="no generation: write calibration.csv/.png from OUT/calibration_seeds.csv as it is")
    c.set_defaults(func=_cmd_calibrate)


def _cmd_calibrate(args) -> int:
    try:
        if args.report_only:
            t = report_from_cache(args.out, counties=args.counties)
        else:
            t = run(scale=args.scale, seeds=args.seeds, holdout=args.holdout, counties=args.counties, out=args.out,
                    quiet=args.quiet, resume=args.resume)
    except (FileNotFoundError, ValueError) as exc:
        print(f"jiuzhu calibrate: {exc}", file=sys.stderr)
        return 2
    show = ["county", "figure", "published", "reproduced_mean", "reproduced_sd", "seeds", "passes", "fitted",
            "interval_low", "interval_high", "seeds_used"]
    with pd.option_context("display.width", 220, "display.max_columns", 12, "display.max_rows", 200):
        print(t[show].to_string(index=False))
    print(summary_text(t))
    print(f"wrote {Path(args.out) / 'calibration.csv'} and calibration.png")
    return 0


__all__ = ["COLUMNS", "CRITERION_COLUMNS", "EXTRA_COLUMNS", "binomial_pvalue", "calibrate", "chart", "count_passes",
           "county_values", "definition_hash", "figure_kind", "figure_value", "figures_frame", "judge",
           "load_calibration", "measure", "predictive_halfwidth", "range_passes", "report_from_cache", "run",
           "seed_list", "share_test", "summarise", "summary", "summary_text", "within_tolerance", "write_csv"]
