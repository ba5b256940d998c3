"""校准 — reproduce the published figures of seed 000 on the synthetic counties (issue 6).

``synthetic/calibration.yaml`` holds one entry per published figure (county, figure id, Chinese
label, published value, the seed passage, and how it is reproduced: model, filters, measure).
:func:`calibrate` generates each county with its profile's ``calibration`` overrides
(``generate(county, scale=s, seed=k, overrides=profile["calibration"])``) for several seeds,
runs the models with their published (default) reading, computes every figure per seed and
returns one row per figure::

    county, figure, published, reproduced_mean, reproduced_sd, seeds, within_tolerance, …

``within_tolerance`` is ``|mean − published| ≤ tolerance × published`` (tolerance 0.25 from
the YAML); figures marked ``not_reproducible`` carry their reason and no number.

"Aided" / "符合条件" / "移送" = a clue that manual verification confirms = the hidden truth says
the person is eligible (``truth_victims.judicial_aid_eligible`` / ``social_aid_eligible``
through :func:`jiuzhu_methods.evaluate.person_of`). The window of a clue is the date of its own
record (``source``, ``source_ref``), see :data:`RECORD_DATES`.

Command: ``jiuzhu calibrate [--scale 1] [--seeds 5] [--counties …] [--out reports]`` writes
``calibration.csv`` (UTF-8 with BOM), ``calibration_seeds.csv`` (one value per seed) and
``calibration.png``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import yaml_io
from .evaluate import person_of, target_persons
from .registry import MODELS, run_model
from .synth.profiles import COUNTIES, load_profile, raw_profile, synthetic_dir

COLUMNS = ["county", "figure", "published", "reproduced_mean", "reproduced_sd", "seeds", "within_tolerance"]
EXTRA_COLUMNS = ["label", "lower_bound", "model", "window", "reading", "reason", "note"]
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
MEASURES = {"count", "distinct", "max_per", "sum", "share_within"}


# ---------------------------------------------------------------------- the data file
def calibration_path() -> Path:
    return synthetic_dir() / "calibration.yaml"


def load_calibration(path: str | Path | None = None) -> dict:
    """The calibration file, checked: every figure names a known model and filter/measure words."""
    p = Path(path) if path else calibration_path()
    data = yaml_io.safe_load(p.read_text("utf-8"))
    for county, c in data["counties"].items():
        if county not in COUNTIES:
            raise ValueError(f"calibration: unknown county {county!r}")
        for f in c["figures"]:
            for k in ("id", "label", "published", "passage"):
                if k not in f:
                    raise ValueError(f"calibration {county}.{f.get('id')}: missing {k!r}")
            if f.get("not_reproducible"):
                continue
            models = f["model"] if isinstance(f["model"], list) else [f["model"]]
            bad = [m for m in models if m not in MODELS]
            if bad:
                raise ValueError(f"calibration {county}.{f['id']}: unknown model(s) {bad}")
            unknown = set(f.get("where") or {}) - FILTERS
            if unknown:
                raise ValueError(f"calibration {county}.{f['id']}: unknown filter(s) {sorted(unknown)}")
            m = f.get("measure", "count")
            name = m if isinstance(m, str) else next(iter(m))
            if name not in MEASURES:
                raise ValueError(f"calibration {county}.{f['id']}: unknown measure {name!r}")
    return data


def figures_frame(cal: dict | None = None) -> pd.DataFrame:
    """One row per published figure of the calibration file (county, figure, label, published …)."""
    cal = cal or load_calibration()
    rows = []
    for county, c in cal["counties"].items():
        for f in c["figures"]:
            model = f.get("model")
            rows.append({"county": county, "figure": f["id"], "label": f["label"], "published": float(f["published"]),
                         "lower_bound": bool(f.get("lower_bound", False)),
                         "model": "+".join(model) if isinstance(model, list) else (model or ""),
                         "window": (f"{f['window']['start']}..{f['window']['end']}" if f.get("window") else
                                    f"{c['window']['value']['start']}..{c['window']['value']['end']}"),
                         "reading": " ".join(str(f.get("reading", "")).split()),
                         "reason": " ".join(str(f.get("not_reproducible") or "").split())})
    return pd.DataFrame(rows)


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


def figure_value(fig: dict, frames: dict[str, pd.DataFrame], facts: PoolFacts, window: tuple) -> float:
    """The value of one figure on one pool. ``frames[model]`` is the clue frame (or the named
    list) of each model, with ``person_id`` and ``record_date`` columns added."""
    models = fig["model"] if isinstance(fig["model"], list) else [fig["model"]]
    where = dict(fig.get("where") or {})
    df = pd.concat([frames[m] for m in models], ignore_index=True) if len(models) > 1 else frames[models[0]]
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
    for flag, test in (("female", lambda p: p["female"]), ("disabled", lambda p: p["disabled"]),
                       ("minor", lambda p: p["age"] < 18), ("elderly", lambda p: p["age"] >= 60)):
        if where.get(flag):
            ok = set(persons.index[test(persons).to_numpy()])
            keep &= pid.isin(ok)
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
    if len(models) > 1:  # one row per person across the united models
        k = sel["person_id"].fillna(sel["source"].astype("str") + ":" + sel["source_ref"].astype("str"))
        sel = sel[~k.duplicated()]
    return measure(sel, fig.get("measure", "count"))


def measure(sel: pd.DataFrame, how: Any) -> float:
    """``count`` | ``{distinct: col}`` | ``{max_per: col}`` | ``{sum: col}`` |
    ``{share_within: {value, classes, band}}`` (percent of rows within ±band of their class median)."""
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
    raise ValueError(f"unknown measure {how!r}")


def _prepare(frame: pd.DataFrame, pool, dates: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    if "source" in out.columns and "source_ref" in out.columns:
        out["person_id"] = _person_key(out, pool).to_numpy()
        key = pd.DataFrame({"source": out["source"].astype("str"), "source_ref": out["source_ref"].astype("str")})
        out["record_date"] = key.merge(dates, on=["source", "source_ref"], how="left")["record_date"].to_numpy()
    return out


def county_values(pool, spec: dict) -> dict[str, float]:
    """Every reproducible figure of one county (``spec`` = its calibration entry) on one pool."""
    w = spec["window"]["value"]
    window = (w["start"], w["end"])
    facts = PoolFacts(pool, pd.Timestamp(w["end"]))
    results = {m: run_model(m, pool) for m in spec["models"]}
    figs = [f for f in spec["figures"] if not f.get("not_reproducible")]
    wanted = set()
    for f in figs:
        for m in (f["model"] if isinstance(f["model"], list) else [f["model"]]):
            wanted.add((m, f.get("list")))
    raw = {}
    for m, lst in wanted:
        if m not in results:
            results[m] = run_model(m, pool)
        raw[(m, lst)] = results[m].clues if lst is None else results[m].lists[lst]
    sources = set().union(*[set(f["source"].astype("str")) for f in raw.values() if "source" in f.columns] or [set()])
    dates = record_dates(pool, sources)
    prepared = {k: _prepare(v, pool, dates) for k, v in raw.items()}
    out = {}
    for f in figs:
        models = f["model"] if isinstance(f["model"], list) else [f["model"]]
        frames = {m: prepared[(m, f.get("list"))] for m in models}
        fw = (f["window"]["start"], f["window"]["end"]) if f.get("window") else window
        out[f["id"]] = figure_value(f, frames, facts if not f.get("window") else PoolFacts(pool, pd.Timestamp(fw[1])), fw)
    return out


# ---------------------------------------------------------------------- the run
def within_tolerance(published, mean, tolerance: float = 0.25) -> pd.Series:
    """``|mean − published| ≤ tolerance × |published|``; NA where there is no reproduced mean."""
    p = pd.Series(published, dtype="float64")
    m = pd.Series(mean, dtype="float64", index=p.index)
    ok = (m - p).abs() <= tolerance * p.abs() + 1e-9
    return ok.astype("boolean").mask(m.isna())


def summarise(per_seed: pd.DataFrame, cal: dict | None = None, *, counties: Iterable[str] | None = None) -> pd.DataFrame:
    """The calibration table from per-seed values (``county, figure, seed, value``)."""
    cal = cal or load_calibration()
    figs = figures_frame(cal)
    if counties is not None:
        figs = figs[figs["county"].isin(list(counties))]
    tol = float(cal["tolerance"]["value"])
    if per_seed.empty:
        agg = pd.DataFrame(columns=["county", "figure", "reproduced_mean", "reproduced_sd", "seeds"])
    else:
        agg = per_seed.groupby(["county", "figure"], sort=False)["value"].agg(
            reproduced_mean="mean", reproduced_sd="std", seeds="count").reset_index()
    t = figs.merge(agg, on=["county", "figure"], how="left")
    t["seeds"] = t["seeds"].fillna(0).astype(int)
    t["within_tolerance"] = within_tolerance(t["published"], t["reproduced_mean"], tol).to_numpy()
    notes = {c: calibration_notes(c) for c in t["county"].unique()}
    t["note"] = [notes[c].get(f, "") for c, f in zip(t["county"], t["figure"])]
    return t[COLUMNS + EXTRA_COLUMNS].reset_index(drop=True)


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def per_seed_values(*, scale: float = 1.0, seeds: int | Iterable[int] = 5, counties: Iterable[str] | None = None,
                    cal: dict | None = None, overrides: dict[str, dict] | None = None,
                    quiet: bool = False, cache: str | Path | None = None) -> pd.DataFrame:
    """``county, figure, seed, value`` for each county × seed (seed-major: after each round every
    county has one more seed). ``overrides`` (per county) replaces the profile's calibration
    overrides (a tuning what-if; the profile is untouched). ``cache``: a CSV that receives each
    county × seed as soon as it is done, and whose rows for the same scale are reused (resume)."""
    from .synth import generate

    cal = cal or load_calibration()
    seed_list = list(range(1, int(seeds) + 1)) if isinstance(seeds, (int, np.integer)) else list(seeds)
    counties = list(counties) if counties else list(cal["counties"])
    cols = ["county", "figure", "seed", "value"]
    done = pd.DataFrame(columns=cols + ["scale"])
    if cache and Path(cache).exists() and overrides is None:
        done = pd.read_csv(cache, encoding="utf-8-sig")
        done = done[np.isclose(done["scale"], scale)]
    rows = [done[cols]] if len(done) else []
    have = set(zip(done["county"], done["seed"].astype(int)))
    for seed in seed_list:
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
            new = pd.DataFrame([{"county": county, "figure": k, "seed": seed, "value": v} for k, v in vals.items()],
                               columns=cols)
            rows.append(new)
            if cache and overrides is None:
                Path(cache).parent.mkdir(parents=True, exist_ok=True)
                first = not Path(cache).exists()
                new.assign(scale=scale).to_csv(cache, mode="a", header=first, index=False,
                                               encoding="utf-8-sig" if first else "utf-8")
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out = out[out["county"].isin(counties) & out["seed"].astype(int).isin(seed_list)]
    return out.sort_values(["county", "seed"], kind="stable").reset_index(drop=True)


def calibrate(*, scale: float = 1.0, seeds: int | Iterable[int] = 5, counties: Iterable[str] | None = None,
              overrides: dict[str, dict] | None = None, quiet: bool = False,
              cache: str | Path | None = None) -> pd.DataFrame:
    """The calibration table: one row per published figure (columns :data:`COLUMNS` then
    :data:`EXTRA_COLUMNS`); ``per_seed`` values in ``.attrs["per_seed"]``."""
    cal = load_calibration()
    counties = list(counties) if counties else list(cal["counties"])
    per = per_seed_values(scale=scale, seeds=seeds, counties=counties, cal=cal, overrides=overrides, quiet=quiet,
                          cache=cache)
    table = summarise(per, cal, counties=counties)
    table.attrs["per_seed"] = per
    table.attrs["scale"] = scale
    return table


# ---------------------------------------------------------------------- outputs
def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """UTF-8 with BOM (Excel opens the Chinese labels)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.6g")
    return path


def chart(table: pd.DataFrame, path: str | Path | None = None, *, tolerance: float = 0.25):
    """Reproduced mean ± sd against the published value (ratio, log scale), ±tolerance band shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import setup_fonts, use_chinese

    setup_fonts()
    zh = use_chinese()
    t = table.iloc[::-1].reset_index(drop=True)
    names = {"guanyun": "灌云", "yueqing": "乐清", "panan": "磐安", "shanxian": "单县", "weidu": "魏都"}
    ylab = [f"{names.get(c, c) if zh else c} · {l if zh else f}" for c, f, l in zip(t["county"], t["figure"], t["label"])]
    fig, ax = plt.subplots(figsize=(9, max(4, 0.32 * len(t) + 1.5)))
    floor = 0.02  # a zero cannot sit on a log axis: drawn at the floor
    ratio = (t["reproduced_mean"] / t["published"]).clip(lower=floor)
    sd = t["reproduced_sd"].fillna(0) / t["published"]
    y = np.arange(len(t))
    ax.axvspan(1 - tolerance, 1 + tolerance, color="#c8e6c9", alpha=0.6, label=f"±{tolerance:.0%}")
    ax.axvline(1.0, color="#2e7d32", lw=1)
    ok = t["within_tolerance"].fillna(False).astype(bool).to_numpy()
    has = ratio.notna().to_numpy()
    lo = np.minimum(np.clip(ratio - sd, floor / 2, None), ratio)
    for mask, color, lab in ((has & ok, "#1b5e20", "within" if not zh else "在容差内"),
                             (has & ~ok, "#c62828", "outside" if not zh else "超出容差")):
        if mask.any():
            ax.errorbar(ratio[mask], y[mask], xerr=[(ratio - lo)[mask], sd[mask]], fmt="o", color=color,
                        capsize=3, label=lab)
    for yi in y[~has]:
        ax.text(1.0, yi, "不可复现" if zh else "not reproducible", va="center", ha="center", fontsize=7, color="#555")
    ax.set_yticks(y)
    ax.set_yticklabels(ylab, fontsize=8)
    ax.set_xscale("log")
    lo_x = min(0.1, float(np.nanmin(lo[has])) * 0.8) if has.any() else floor
    hi_x = max(10.0, float(np.nanmax((ratio + sd)[has])) * 1.25) if has.any() else 10.0
    ax.set_xlim(lo_x, hi_x)
    ax.set_xlabel("复现均值 / 公布值（±标准差，对数轴）" if zh else "reproduced mean / published (± sd, log scale)")
    scale = table.attrs.get("scale")
    seeds = int(table["seeds"].max()) if len(table) else 0
    ax.set_title((f"校准：复现值与公布值（scale {scale}，{seeds} 个种子）" if zh
                  else f"Calibration: reproduced vs published (scale {scale}, {seeds} seeds)"), fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=130)
        plt.close(fig)
    return fig


def run(*, scale: float = 1.0, seeds: int = 5, counties: Iterable[str] | None = None, out: str | Path = "reports",
        quiet: bool = False, resume: bool = False) -> pd.DataFrame:
    """:func:`calibrate` and write ``calibration.csv``, ``calibration_seeds.csv``, ``calibration.png`` to ``out``.
    Each county × seed is appended to ``calibration_seeds.csv`` when done; ``resume`` reuses the
    rows already there (same scale) instead of starting afresh."""
    out = Path(out)
    cache = out / "calibration_seeds.csv"
    if not resume and cache.exists():
        cache.unlink()
    table = calibrate(scale=scale, seeds=seeds, counties=counties, quiet=quiet, cache=cache)
    write_csv(table, out / "calibration.csv")
    write_csv(table.attrs["per_seed"].assign(scale=scale), cache)
    chart(table, out / "calibration.png", tolerance=float(load_calibration()["tolerance"]["value"]))
    return table


def report_from_cache(out: str | Path = "reports", *, counties: Iterable[str] | None = None) -> pd.DataFrame:
    """The table, CSV and chart from the per-seed values already in ``out/calibration_seeds.csv``
    (no generation): for a run that was stopped, or to redraw the chart."""
    out = Path(out)
    per = pd.read_csv(out / "calibration_seeds.csv", encoding="utf-8-sig")
    scales = sorted(per["scale"].unique())
    if len(scales) != 1:
        raise ValueError(f"calibration_seeds.csv mixes scales {scales}")
    cal = load_calibration()
    counties = list(counties) if counties else [c for c in cal["counties"] if c in set(per["county"])]
    table = summarise(per[["county", "figure", "seed", "value"]], cal, counties=counties)
    table.attrs["per_seed"], table.attrs["scale"] = per, float(scales[0])
    write_csv(table, out / "calibration.csv")
    chart(table, out / "calibration.png", tolerance=float(cal["tolerance"]["value"]))
    return table


def add_commands(sub) -> None:
    """The ``jiuzhu calibrate`` sub-command (hooked in by :mod:`jiuzhu_methods.cli`)."""
    c = sub.add_parser("calibrate", help="reproduce the published figures on the synthetic counties (calibration table)",
                       description="Generate each county with its calibration overrides for several seeds, run the "
                                   "models and compare the reproduced figures with the published ones (±25%%).")
    c.add_argument("--scale", type=float, default=1.0, help="generator scale (default 1: real-size counties)")
    c.add_argument("--seeds", type=int, default=5, help="number of seeds, 1..N (default 5)")
    c.add_argument("--counties", nargs="+", choices=list(COUNTIES), help="counties (default all five)")
    c.add_argument("--out", default="reports", help="folder for calibration.csv/.png (default reports)")
    c.add_argument("--quiet", action="store_true", help="no progress lines")
    c.add_argument("--resume", action="store_true",
                   help="reuse the county × seed values already in OUT/calibration_seeds.csv (same scale)")
    c.add_argument("--report-only", action="store_true",
                   help="no generation: write calibration.csv/.png from OUT/calibration_seeds.csv as it is")
    c.set_defaults(func=_cmd_calibrate)


def _cmd_calibrate(args) -> int:
    if args.report_only:
        t = report_from_cache(args.out, counties=args.counties)
    else:
        t = run(scale=args.scale, seeds=args.seeds, counties=args.counties, out=args.out, quiet=args.quiet,
                resume=args.resume)
    with pd.option_context("display.width", 200, "display.max_columns", 8, "display.max_rows", 200):
        print(t[COLUMNS].to_string(index=False))
    print(f"wrote {Path(args.out) / 'calibration.csv'} and calibration.png")
    return 0


__all__ = ["COLUMNS", "calibrate", "chart", "county_values", "figure_value", "figures_frame", "load_calibration",
           "measure", "report_from_cache", "run", "summarise", "within_tolerance", "write_csv"]
