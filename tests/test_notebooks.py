"""The report notebooks, executed with papermill on tiny synthetic counties.

One ``jiuzhu run``-equivalent (``runner.run`` with 2 jobs) executes each notebook on its own
county, plus one notebook on another county (any notebook runs on any county). Then:

- every run succeeded;
- the numbers the notebooks report (their ``summary.json``: clues and the funnel's ``n_out``
  per step, precision/recall) equal a direct run of the same models on the same pool;
- the HTML shows the funnel table (each step's published wording) and the headline counts;
- nothing under the generated ``reports/`` contains an unmasked valid identity number
  (although the pools are full of them);
- ``index.html`` links every report.
"""
from __future__ import annotations

import html
import importlib
import json
from pathlib import Path

import pytest

from jiuzhu_methods import DataPool
from jiuzhu_methods.core import identity
from jiuzhu_methods.reporting import report, runner

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

SCALE = 0.005
SEED = 11
#: (county, notebook): each notebook on its own county, and 03_panan on weidu as well
PAIRS = [
    ("guanyun", "00_synthetic_county"),
    ("guanyun", "01_guanyun"),
    ("yueqing", "02_yueqing"),
    ("panan", "03_panan"),
    ("shanxian", "04_shanxian"),
    ("weidu", "05_weidu"),
    ("weidu", "03_panan"),
]
#: the parameters the notebooks pass to the models by default (their parameters cells)
NOTEBOOK_DEFAULTS = {"linkage": "id", "negation": "plain", "county_code": ""}
#: … except where a notebook's model publishes another reading (单县: name and ID, 两个比对点)
NOTEBOOK_OVERRIDES = {"04_shanxian": {"linkage": "id+name"}}


def _missing_dependencies() -> str | None:
    try:
        synth = importlib.import_module("jiuzhu_methods.synth")
    except ImportError as exc:
        return f"synthetic generator not importable: {exc}"
    if not hasattr(synth, "generate"):
        return "jiuzhu_methods.synth.generate does not exist yet"
    for m in ("guanyun", "yueqing", "panan", "shanxian", "weidu"):
        try:
            importlib.import_module(f"jiuzhu_methods.models.{m}")
        except ImportError as exc:
            return f"model module {m} not importable: {exc}"
    return None


def _run(tmp_path_factory, name: str, counties, notebooks, **kw) -> dict:
    """``runner.run`` into a fresh temporary folder (skipped when a dependency is missing):
    ``{"out", "pools", "results"}``; no pool may fail."""
    why = _missing_dependencies()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp(name)
    out, pools = tmp / "reports", tmp / "pools"
    results, pool_errors = runner.run(counties, notebooks, scale=SCALE, seed=SEED, jobs=2, out=out, pools=pools,
                                      progress=False, **kw)
    assert not pool_errors, pool_errors
    return {"out": out, "pools": pools, "results": results}


def _notebooks() -> dict:
    return {p.stem: p for p in runner.list_notebooks()}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbs = _notebooks()
    run = _run(tmp_path_factory, "nb", [], [], pairs=[(c, nbs[n]) for c, n in PAIRS])
    return {**run, "results": {(r.county, r.notebook): r for r in run["results"]}}


def _summary(executed, county, notebook) -> dict:
    p = executed["out"] / county / f"{notebook}.summary.json"
    assert p.is_file(), f"{county}/{notebook} wrote no summary"
    return json.loads(p.read_text(encoding="utf-8"))


def test_every_notebook_runs(executed):
    res = executed["results"]
    assert sorted(res) == sorted(PAIRS)
    failed = {k: r.error for k, r in res.items() if not r.ok}
    assert not failed, failed
    for (county, nb), r in res.items():
        assert Path(r.html).is_file() and Path(r.ipynb).is_file()
        assert r.summary, f"{county}/{nb}: no summary read by the runner"


@pytest.mark.parametrize("county,notebook", [p for p in PAIRS if p[1] != "00_synthetic_county"])
def test_reported_numbers_equal_a_direct_run(executed, county, notebook):
    """The funnel (n_out per step), the clue count and precision/recall in the notebook's
    summary are exactly what the models give on the same pool."""
    s = _summary(executed, county, notebook)
    assert s["county"] == county and s["runs"]
    pool = DataPool.read(executed["pools"] / county)
    from jiuzhu_methods.evaluation.evaluate import evaluate

    for name, got in s["runs"].items():
        res = report.run(name, pool, **{**NOTEBOOK_DEFAULTS, **NOTEBOOK_OVERRIDES.get(notebook, {})})
        assert got["funnel"] == report.funnel_counts(res.funnel), name
        assert got["steps"] == list(res.funnel.sort_values("order")["step"]), name
        assert got["clues"] == len(res.clues), name
        ev = evaluate(res, pool)
        for k in ("precision", "recall"):
            # JSON has no NaN: the summary writes an undefined ratio (no clues, no target) as null
            reported = float("nan") if got.get(k) is None else got[k]
            assert reported == pytest.approx(ev[k], nan_ok=True), (name, k)


@pytest.mark.parametrize("county,notebook", [p for p in PAIRS if p[1] != "00_synthetic_county"])
def test_html_shows_funnel_table_and_headline(executed, county, notebook):
    s = _summary(executed, county, notebook)
    page = html.unescape((executed["out"] / county / f"{notebook}.html").read_text(encoding="utf-8"))
    pool = DataPool.read(executed["pools"] / county)
    assert "report.run(" not in page  # no code cells
    for name, got in s["runs"].items():
        # headline: "<name>: N 条线索"
        assert f"{name}**: {got['clues']} 条线索" in page or f"{name}</strong>: {got['clues']} 条线索" in page, name
        res = report.run(name, pool, **{**NOTEBOOK_DEFAULTS, **NOTEBOOK_OVERRIDES.get(notebook, {})})
        for label in res.funnel["label_zh"]:
            assert str(label)[:20] in page, (name, label)


def test_synthetic_county_notebook_describes_the_pool(executed):
    s = _summary(executed, "guanyun", "00_synthetic_county")
    pool = DataPool.read(executed["pools"] / "guanyun")
    assert s["n_persons"] == len(pool.truth["truth_persons"])
    assert s["n_cases"] == len(pool["proc_cases"])
    assert s["n_registry_rows"] == len(pool["registries"])
    page = (executed["out"] / "guanyun" / "00_synthetic_county.html").read_text(encoding="utf-8")
    for reg in report.registry_overview(pool)["名单 registry"]:
        assert reg in page


def test_reports_contain_no_unmasked_identity_numbers(executed):
    # the pools are full of valid identity numbers ...
    pool = DataPool.read(executed["pools"] / "guanyun")
    assert (identity.check_series(pool["proc_parties"]["id_number"]) == "").sum() > 0
    # ... and none of them (nor any other) reaches a report
    leaks = report.find_unmasked_ids(executed["out"])
    assert leaks == [], leaks[:5]


def test_index_links_every_report(executed):
    index = (executed["out"] / "index.html").read_text(encoding="utf-8")
    for county, nb in PAIRS:
        assert f'href="{county}/{nb}.html"' in index
        assert f'href="{county}/{nb}.ipynb"' in index
    assert "FAILED" not in index


# --------------------------------------------------------------------------- 08 (scope "all")
#: 08_compare_models at a tiny size: two counties, one seed, two points per sweep, three cheap models
COMPARE_PARAMS = {"seeds": 1, "points": 2, "sweep_seeds": 1, "sweep_counties": "weidu", "variant_seeds": 1,
                  "models": "shanxian.screen,yueqing.m2,weidu.screen", "jobs": 2}


@pytest.fixture(scope="module")
def compare_executed(tmp_path_factory):
    return _run(tmp_path_factory, "nb08", ["panan", "weidu"], [_notebooks()["08_compare_models"]],
                extra=COMPARE_PARAMS)


def test_08_compare_models_runs_once_and_reports_the_direct_numbers(compare_executed):
    """08 runs once (county "all" → the run's counties), writes its summary into <out>/all/,
    its top runs equal a direct evaluation, its conclusion names a model, and nothing leaks."""
    (r,) = compare_executed["results"]
    assert (r.county, r.notebook) == ("all", "08_compare_models")
    assert r.ok, r.error
    s = json.loads((compare_executed["out"] / "all" / "08_compare_models.summary.json").read_text(encoding="utf-8"))
    assert s["county"] == "panan,weidu" and s["n_counties"] == 2 and s["n_seeds"] == 1 and s["n_models"] == 3
    assert s["n_failed"] == 0, "some model runs raised (see the failed-runs table in the notebook)"
    from jiuzhu_methods.evaluation.evaluate import evaluate

    # per model: recall = mean over the two counties of a direct run on the runner's pools (seed SEED)
    for name, got in s["runs"].items():
        recalls = []
        for county in ("panan", "weidu"):
            pool = DataPool.read(compare_executed["pools"] / county)
            recalls.append(evaluate(report.run(name, pool), pool)["recall"])
        assert got["recall"] == pytest.approx(sum(recalls) / 2), name
    best = next(iter(s["runs"]))
    assert f"召回率最高的设计是 {best}" in s["conclusion"]
    page = html.unescape((compare_executed["out"] / "all" / "08_compare_models.html").read_text(encoding="utf-8"))
    assert "compare.run_grid(" not in page  # no code cells
    for heading in ("敏感性", "公布读法与变体", "没有任何模型找到的应救助人员", "结论"):
        assert heading in page
    assert report.find_unmasked_ids(compare_executed["out"]) == []
    index = (compare_executed["out"] / "index.html").read_text(encoding="utf-8")
    assert 'href="all/08_compare_models.html"' in index
