"""Calibration machinery (issues 6, 19): the data file, the figure definitions, the criterion
(predictive interval with a Poisson floor, ranges, binomial shares, amounts, changes), fitted
figures and held-out seeds, the CSV, the profiles' calibration overrides, and one reduced run
(scale 0.01, 2 seeds + 1 held out)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods.evaluation import calibrate as C
from jiuzhu_methods.synth import COUNTIES, load_profile, raw_profile
from jiuzhu_methods.synth.profiles import apply_overrides

SPEC = "../shared/spec/models.md"


# ---------------------------------------------------------------------- the data file
def test_every_figure_has_passage_and_definition_or_reason():
    cal = C.load_calibration()
    assert set(cal["counties"]) == set(COUNTIES)
    for county, c in cal["counties"].items():
        assert c["window"]["value"]["start"] <= c["window"]["value"]["end"]
        for f in c["figures"]:
            assert f["passage"].strip() and f["label"].strip()
            if f.get("not_reproducible"):
                assert len(f["not_reproducible"]) > 20  # a written reason, not a flag
            else:  # issue 19: a figure is computed from a model, a pool table, or derived from two figures
                assert f.get("model") or f.get("table") or f.get("derived")


def _seed_text() -> str:
    from pathlib import Path

    seeds = sorted((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("000_*.txt"))
    return seeds[0].read_text("utf-8") if seeds else ""


def test_passages_are_quoted_from_the_seed():
    text = _seed_text()
    if not text:
        pytest.skip("seed 000 not beside the repository")
    flat = re.sub(r"\s+", "", text)
    for county, c in C.load_calibration()["counties"].items():
        for f in c["figures"]:
            for piece in f["passage"].split("…"):
                piece = re.sub(r"\s+", "", piece)
                assert piece in flat, (county, f["id"], piece)


# the headline figures of ../shared/spec/models.md, written out by hand: (county, published)
SPEC_HEADLINES = {
    "guanyun": [109, 1178000, 7, 37, 23, 9, 16],      # 109 persons, 117.8万, cycle 7 days, 37 letters, 23 低保, 9 children, 16 monitored
    "yueqing": [60, 20, 16, 42, 6, 5, 24, 7, 504000, 50],
    "panan": [8, 6, 9],
    "shanxian": [83, 34, 28, 5, 43, 40],
    "weidu": [189, 45, 3, 4, 16, 12, 3, 1200000],
}


def test_every_spec_headline_figure_has_an_entry():
    figs = C.figures_frame()
    for county, values in SPEC_HEADLINES.items():
        have = sorted(figs.loc[figs["county"] == county, "published"].tolist())
        for v in values:
            assert v in have, (county, v)
    # and the ±30% claim of 灌云 is an entry too
    assert "similar_within_30pct" in set(figs.loc[figs["county"] == "guanyun", "figure"])


def test_spec_headline_numbers_are_all_covered():
    """Every number in the spec's "Headline figures" lines appears as a published value
    (the 22-day 'before' cycle and the 1.2 million are covered as context of their figure)."""
    from pathlib import Path

    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "models.md"
    if not spec.exists():
        pytest.skip("spec not beside the repository")
    figs = C.figures_frame()
    published = set(figs["published"].round(0))
    for line in spec.read_text("utf-8").splitlines():
        if not line.startswith("Headline figures"):
            continue
        body = line.split(":", 1)[1]
        body = re.sub(r"\([^)]*20\d\d[^)]*\)", "", body)
        for num in re.findall(r"(\d[\d,.]*)", body):
            n = float(num.replace(",", "").rstrip("."))
            if n in (22,):  # "average cycle 22 → 7 days": 7 is the figure, 22 the before value
                continue
            if n == 1.2:
                n = 1200000
            assert n in published, (line[:40], num)


def test_bad_words_in_the_file_are_errors(tmp_path):
    import yaml

    cal = C.load_calibration()
    cal["counties"]["panan"]["figures"][0]["where"] = {"eligble": "judicial"}
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(cal, allow_unicode=True), "utf-8")
    with pytest.raises(ValueError, match="unknown filter"):
        C.load_calibration(p)


# ---------------------------------------------------------------------- tolerance
def test_within_tolerance_on_hand_made_numbers():
    published = [100, 100, 100, 100, 8, 8]
    mean = [125, 125.1, 75, 74.9, 10, np.nan]
    got = C.within_tolerance(published, mean, 0.25)
    assert got.iloc[:5].tolist() == [True, False, True, False, True]
    assert pd.isna(got.iloc[5])


def test_summarise_mean_sd_and_columns():
    cal = C.load_calibration()
    per = pd.DataFrame({"county": "shanxian", "figure": "clues", "seed": [1, 2, 3], "value": [80.0, 90.0, 100.0]})
    t = C.summarise(per, cal, counties=["shanxian"])
    assert list(t.columns[:7]) == C.COLUMNS
    row = t.set_index("figure").loc["clues"]
    assert row["reproduced_mean"] == 90.0
    assert row["reproduced_sd"] == pytest.approx(10.0)
    assert row["seeds"] == 3
    assert bool(row["within_tolerance"]) is True       # |90 − 83| ≤ 20.75
    nr = t.set_index("figure").loc["poverty_checking"]  # not reproducible: reason, no number
    assert nr["seeds"] == 0 and pd.isna(nr["reproduced_mean"]) and pd.isna(nr["within_tolerance"])
    assert "verification" in nr["reason"]


# ---------------------------------------------------------------------- figure definitions on a tiny case
class _Facts:
    """Hand-made truth: P1, P2 eligible (judicial); P3 social only; P1 female minor; P2 on 城市低保."""

    def targets(self, target):
        return {"judicial": {"P1", "P2"}, "social": {"P3"}}[target]

    def persons(self):
        return pd.DataFrame({"female": [True, False, False, True], "age": [12.0, 40.0, 70.0, 65.0],
                             "disabled": [False, True, False, False]}, index=["P1", "P2", "P3", "P4"])

    def needs(self):
        return pd.Series({"P1": ",education,psychological,", "P3": ",subsistence,"})

    def on_registry(self, names):
        return {"P2"} if "城市低保" in names else set()


def _frame():
    # five clue rows: dates 2022-09-30 (outside), 2022-10-01, 2022-12-31, 2023-03-31 (inside), 2023-04-01 (outside)
    return pd.DataFrame({
        "source": ["proc_parties"] * 5,
        "source_ref": ["R0", "R1", "R2", "R3", "R4"],
        "person_id": ["P4", "P1", "P2", "P3", "P1"],
        "record_date": pd.to_datetime(["2022-09-30", "2022-10-01", "2022-12-31", "2023-03-31 18:00", "2023-04-01"],
                                      format="ISO8601"),
        "groups": ["1", "1、3", "3", "4", "1"],
        "case_id": ["A", "A", "B", "B", "C"],
        "amount": [10.0, 100.0, 120.0, 60.0, 5.0],
        "case_type": ["x"] * 5, "hardship_tier": [1] * 5,
    })


WINDOW = ("2022-10-01", "2023-03-31")


def _val(where, measure="count", frames=None, model="m"):
    fig = {"model": model, "where": where, "measure": measure}
    return C.figure_value(fig, frames or {"m": _frame()}, _Facts(), WINDOW)


def test_count_in_window_includes_both_ends():
    assert _val({}) == 3                        # R1, R2, R3 (R3 at 18:00 on the last day counts)
    assert _val({"in_window": False}) == 5


def test_filters():
    assert _val({"eligible": "judicial"}) == 2          # P1 (R1), P2 (R2)
    assert _val({"eligible": "social"}) == 1            # P3
    assert _val({"column": {"groups": "3"}}) == 2       # "1、3" and "3"
    assert _val({"column": {"groups": "1"}, "eligible": "judicial"}) == 1
    assert _val({"female": True}) == 1                  # P1 (P4 is outside the window)
    assert _val({"minor": True}) == 1
    assert _val({"elderly": True}) == 1                 # P3, 70
    assert _val({"disabled": True}) == 1                # P2
    assert _val({"on_registry": ["城市低保"]}) == 1
    assert _val({"not_on_registry": ["城市低保"]}) == 2
    assert _val({"need": "psychological"}) == 1
    assert _val({"need": "subsistence"}) == 1           # ",subsistence," does not match "psych…"


def test_measures():
    assert _val({}, {"distinct": "case_id"}) == 2        # A, B
    assert _val({"in_window": False}, {"max_per": "case_id"}) == 2
    assert _val({"eligible": "judicial"}, {"sum": "amount"}) == 220.0
    # amounts in window 100, 120, 60: median 100 → deviations 0, 20%, 40% → 2 of 3 within ±30%
    assert _val({}, {"share_within": {"value": "amount", "classes": ["case_type", "hardship_tier"], "band": 0.3}}) \
        == pytest.approx(200 / 3)
    assert _val({"eligible": "social", "female": True}, {"max_per": "case_id"}) == 0.0


def test_united_models_count_each_person_once():
    a = _frame()
    b = _frame().iloc[[1, 2]].assign(source_ref=["S1", "S2"])   # P1 and P2 again, from another model
    assert _val({}, frames={"a": a, "b": b}, model=["a", "b"]) == 3
    assert _val({}, frames={"a": a, "b": b}, model="a") == 3


# ---------------------------------------------------------------------- profiles
@pytest.mark.parametrize("county", COUNTIES)
def test_profile_calibration_overrides_are_valid(county):
    raw = raw_profile(county)
    assert "calibration" in raw, f"{county}: no calibration entry"
    entry = raw["calibration"]
    assert entry["description"] and entry["source"]
    over = load_profile(county)["calibration"]
    assert isinstance(over, dict) and over
    prof = load_profile(county)
    prof.pop("calibration")
    out = apply_overrides(prof, over)            # an unknown key raises KeyError
    for k, v in over.items():
        assert k != "calibration"
        if isinstance(v, dict):
            for k2 in v:
                assert k2 in prof[k], f"{county}: {k}.{k2} is not a profile key (would be added silently)"
    # the calibrated real-size setting undoes the demo inflation of harm events
    assert out["case_volume_factor"] < prof["case_volume_factor"]
    # every changed number says it was set for calibration
    assert "calibrat" in (entry["description"] + entry["source"]).lower()


def test_generator_ignores_the_calibration_entry():
    from jiuzhu_methods.synth import generate

    a = generate("shanxian", scale=0.005, seed=3)
    assert "overrides" not in a.meta                        # the profile's calibration entry is not applied by itself
    over = C.calibration_overrides("shanxian")
    b = generate("shanxian", scale=0.005, seed=3, overrides=over)
    assert b.meta["overrides"] == over
    # fewer harm events at the calibrated volume (factor 10 → below 1), same population
    assert len(b.truth["truth_victims"]) < 0.5 * len(a.truth["truth_victims"])
    assert len(b.truth["truth_persons"]) == len(a.truth["truth_persons"])


# ---------------------------------------------------------------------- a reduced run and the outputs
@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal")
    t = C.run(scale=0.01, seeds=2, holdout=1, counties=["shanxian"], out=out, quiet=True)
    return t, out


def test_reduced_run_table(reduced):
    t, out = reduced
    assert list(t.columns[:7]) == C.COLUMNS
    assert set(t["county"]) == {"shanxian"}
    rep = t[t["reason"] == ""]
    assert (rep["seeds"] == 3).all()                        # seeds 1, 2 and the held-out 6
    assert rep["reproduced_mean"].notna().all()
    # poverty/disability clues are subsets of all clues, aided ⊂ clues of the group
    m = t.set_index("figure")["reproduced_mean"]
    assert m["poverty_aided"] <= m["poverty_clues"] <= m["clues"]
    assert m["disability_eligible"] <= m["disability_clues"] <= m["clues"]
    per = t.attrs["per_seed"]
    assert set(per["seed"]) == {1, 2, 6}
    # the fitted figure (clues, case_volume_factor) is judged on the held-out seed only, the others on all
    row = t.set_index("figure")
    assert row.loc["clues", "fitted"] and row.loc["clues", "seeds_used"] == "6"
    assert row.loc["poverty_clues", "seeds_used"] == "1-2,6"
    assert pd.notna(row.loc["clues", "passes"])
    assert row.loc["poverty_checking", "passes"] == False   # noqa: E712  not reproducible: a reason, not a pass
    assert set(per["definition"].dropna()) and per["definition"].notna().all()


def test_reduced_run_files(reduced):
    t, out = reduced
    raw = (out / "calibration.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                  # BOM for Excel
    back = pd.read_csv(out / "calibration.csv", encoding="utf-8-sig")
    assert list(back.columns[:7]) == C.COLUMNS
    assert set(C.CRITERION_COLUMNS) <= set(back.columns) and {"fitted_by", "definition"} <= set(back.columns)
    assert "涉残疾人案件线索" in set(back["label"])
    assert (out / "calibration.png").stat().st_size > 10_000
    # the seeds file is enough to redraw the table (a stopped run): same numbers
    again = C.report_from_cache(out)
    pd.testing.assert_frame_equal(again[C.COLUMNS + C.CRITERION_COLUMNS], t[C.COLUMNS + C.CRITERION_COLUMNS],
                                  check_dtype=False)


def test_cli_registers_calibrate():
    from jiuzhu_methods import cli

    cli._load_extra()
    p = cli.build_parser()
    args = p.parse_args(["calibrate", "--scale", "0.5", "--seeds", "3", "--counties", "panan", "weidu"])
    assert args.scale == 0.5 and args.seeds == 3 and args.counties == ["panan", "weidu"]
    assert args.func is C._cmd_calibrate
    assert args.holdout == 0
    assert p.parse_args(["calibrate", "--holdout", "3"]).holdout == 3


def test_cli_report_only_prints_the_summary(reduced, capsys):
    from jiuzhu_methods import cli

    t, out = reduced
    assert cli.main(["calibrate", "--report-only", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "tested figures pass" in text and "calibration targets (fitted" in text
    assert C.summary_text(t) in text


def test_cli_report_only_without_a_seeds_file_is_a_clear_error(tmp_path, capsys):
    from jiuzhu_methods import cli

    assert cli.main(["calibrate", "--report-only", "--out", str(tmp_path)]) == 2
    assert "calibration_seeds.csv does not exist" in capsys.readouterr().err


# ---------------------------------------------------------------------- the criterion (issue 19), hand-worked
def test_count_interval_with_poisson_floor():
    # published 7, m = 6.2, s = 1.1, n = 5: s² = 1.21 < m, so the floor m counts:
    # 1.645 · √(6.2 · 1.2) = 1.645 · 2.7276 = 4.487; |7 − 6.2| = 0.8 ≤ 4.49 → passes
    assert float(C.predictive_halfwidth(1.1, 5, 6.2)) == pytest.approx(4.487, abs=1e-3)
    assert bool(C.count_passes(7, 6.2, 1.1, 5))
    # ±25% would have failed it: |7 − 6.2| = 0.8 … fine, but at m = 5 (0.29 off) ±25% fails, the interval
    # 1.645 · √(5 · 1.2) = 4.03 ≥ 2 passes: a perfect model at small counts is no longer failed half the time
    assert bool(C.count_passes(7, 5.0, 1.0, 5)) and not bool(C.within_tolerance([7], [5.0]).iloc[0])
    # published 189, m = 151, s = 10, n = 5: max(100, 151) = 151 → 1.645 · √(151 · 1.2) = 1.645 · 13.46 = 22.1 < 38
    assert float(C.predictive_halfwidth(10, 5, 151)) == pytest.approx(22.14, abs=0.01)
    assert not bool(C.count_passes(189, 151, 10, 5))
    assert bool(C.within_tolerance([189], [151]).iloc[0])        # the old criterion passed it (20% off)
    # s above the floor: m = 10, s = 5 → 1.645 · √(25 · 1.2) = 1.645 · 5.477 = 9.01
    assert float(C.predictive_halfwidth(5, 5, 10)) == pytest.approx(9.010, abs=1e-3)
    # one seed: no sd (NaN) → the floor alone, and 1 + 1/1 = 2: 1.645 · √(9 · 2) = 6.979
    assert float(C.predictive_halfwidth(np.nan, 1, 9)) == pytest.approx(6.979, abs=1e-3)


def test_range_overlaps_n_to_n_plus_9():
    # "60余" = [60, 69]
    # m = 55, s = 5, n = 5: max(25, 55) = 55 → 1.645 · √66 = 13.36 → [41.6, 68.4] overlaps → passes
    assert bool(C.range_passes(60, 69, 55, 5, 5))
    # m = 45: √(45 · 1.2) = 7.348 · 1.645 = 12.09 → [32.9, 57.1] stays below 60 → fails
    assert not bool(C.range_passes(60, 69, 45, 5, 5))
    # above: m = 85, s = 3: 1.645 · √102 = 16.61 → low 68.4 ≤ 69 → passes; m = 90: 1.645 · √108 = 17.10 → 72.9 > 69
    assert bool(C.range_passes(60, 69, 85, 3, 5))
    assert not bool(C.range_passes(60, 69, 90, 3, 5))
    # the old criterion read "60余" as 60 ± 25%: m = 74 passed it (|74 − 60| ≤ 15) though nobody writes 74 as 60余,
    # and the new one still passes 74 only because its interval (74 ± 15.5) reaches 69
    assert bool(C.within_tolerance([60], [74]).iloc[0])
    j = C.judge("range", 60, 74, 2, 5, upper=69)
    assert j["passes"] and j["low"] == pytest.approx(74 - 1.645 * np.sqrt(74 * 1.2), abs=1e-6)


def test_binomial_test_hand_worked():
    # Binomial(10, 0.5): P(k) = C(10, k)/1024; C = 1, 10, 45, 120, 210, 252, …
    # k = 7: outcomes no more likely: 0–3 and 7–10 → 2 · (1 + 10 + 45 + 120)/1024 = 352/1024 = 0.34375
    assert C.binomial_pvalue(7, 10, 0.5) == pytest.approx(0.34375)
    # k = 9: 2 · (1 + 10)/1024 = 0.0214844
    assert C.binomial_pvalue(9, 10, 0.5) == pytest.approx(22 / 1024)
    # a share of 70% read on n = 10 against a model share of 50%: k = 7, p = 0.344 ≥ 0.10 → passes
    ok, pv, lo, hi = C.share_test(70, 50, 10)
    assert ok and pv == pytest.approx(0.34375)
    # accepted k: p(2) = p(8) = 2 · (1 + 10 + 45)/1024 = 0.109 ≥ 0.10, p(1) = 0.021 → 20% … 80%
    assert (lo, hi) == (pytest.approx(20.0), pytest.approx(80.0))
    assert not C.share_test(90, 50, 10)[0]                      # k = 9: p = 0.021 < 0.10
    # 灌云 similar_within_30pct: published 100% on n = 96 aided against a model share of 78.8%:
    # P(k = 96) = 0.788^96 ≈ 1e-10 → fails (the old ±25% passed it: 75 ≤ 78.8)
    ok, pv, lo, hi = C.share_test(100, 78.8, 96)
    assert not ok and pv < 1e-6 and hi < 100
    assert bool(C.within_tolerance([100], [78.8]).iloc[0])
    # degenerate model shares: 100% passes only 100%
    assert C.share_test(100, 100, 20)[0] and not C.share_test(95, 100, 20)[0]


def test_amount_mean_and_change_intervals():
    # amount: m = 1000 yuan, s = 0, N = 100 persons paid → compound-Poisson floor m²/N = 10,000
    # → 1.645 · √(10,000 · 1.2) = 1.645 · 109.545 = 180.20
    j = C.judge("amount", 1150, 1000, 0.0, 5, denominator=100)
    assert j["high"] - 1000 == pytest.approx(180.20, abs=0.01) and j["passes"]
    assert not C.judge("amount", 1200, 1000, 0.0, 5, denominator=100)["passes"]
    # no denominator: s alone (s = 50 → 1.645 · 50 · √1.2 = 90.1)
    assert C.judge("amount", 1000, 1000, 50.0, 5)["high"] - 1000 == pytest.approx(90.10, abs=0.01)
    # mean of durations (days): s alone, no Poisson floor: m = 28, s = 3 → 1.645 · 3 · √1.2 = 5.41 < |22 − 28|
    j = C.judge("mean", 22, 28, 3.0, 5)
    assert j["high"] - 28 == pytest.approx(5.406, abs=1e-3) and not j["passes"]
    # change: A = 42, B = 25 → R = 168, floor R²(1/A + 1/B) = 28,224 · 0.06381 = 1,800.9
    # → 1.645 · √(1,800.9 · 1.2) = 76.5: a mean change of 68% with s = 0 admits the published 70
    j = C.judge("change", 70, 68, 0.0, 5, parts=(42, 25))
    assert j["high"] - 68 == pytest.approx(76.47, abs=0.05) and j["passes"]
    assert C.percent_change(42, 25) == pytest.approx(68.0)
    assert np.isnan(C.percent_change(42, 0))
    # no seed value: not tested (None), never a pass
    assert C.judge("count", 5, np.nan, np.nan, 0)["passes"] is None


# ---------------------------------------------------------------------- fitted figures are data
FITTED = {("guanyun", "aided"), ("yueqing", "judicial_clues"), ("yueqing", "social_clues"), ("yueqing", "aided"),
          ("shanxian", "clues"), ("weidu", "initial_clues"),                       # the six named by issue 19
          ("panan", "elderly_fraud_one_case"), ("panan", "homicide_families")}     # 诈骗罪 / 故意杀人罪 values


def test_fitted_is_read_from_fitted_by():
    figs = C.figures_frame()
    assert set(zip(figs.loc[figs["fitted"], "county"], figs.loc[figs["fitted"], "figure"])) == FITTED
    row = figs.set_index(["county", "figure"])
    assert row.loc[("yueqing", "social_clues"), "fitted_by"] == "judicial_aid.aided_given_eligible"
    assert not row.loc[("panan", "women_aided"), "fitted"]     # named in the profile's source, no value set for it


def test_fitted_by_changes_fitted_and_a_bad_path_is_an_error(tmp_path):
    import yaml

    cal = C.load_calibration()
    figs = cal["counties"]["weidu"]["figures"]
    psy = next(f for f in figs if f["id"] == "psychological")
    psy["fitted_by"] = ["case_volume_factor"]
    p = tmp_path / "c.yaml"
    p.write_text(yaml.safe_dump(cal, allow_unicode=True), "utf-8")
    got = C.figures_frame(C.load_calibration(p)).set_index(["county", "figure"])
    assert got.loc[("weidu", "psychological"), "fitted"]
    psy["fitted_by"] = ["events.故意伤害罪.rat"]                    # not a value of weidu's calibration entry
    p.write_text(yaml.safe_dump(cal, allow_unicode=True), "utf-8")
    with pytest.raises(ValueError, match="fitted_by"):
        C.load_calibration(p)


def _per(rows):
    return pd.DataFrame(rows, columns=["county", "figure", "seed", "value"])


def test_fitted_figures_are_judged_on_held_out_seeds_only():
    cal = C.load_calibration()
    # shanxian clues (fitted) is perfect on the fitting seeds 1–5 (83 each) but 200 on the held-out seeds 6–8;
    # poverty_clues (not fitted) is 34 on every seed
    rows = [("shanxian", "clues", k, 83.0) for k in range(1, 6)] + [("shanxian", "clues", k, 200.0) for k in (6, 7, 8)]
    rows += [("shanxian", "poverty_clues", k, 34.0) for k in range(1, 9)]
    t = C.summarise(_per(rows), cal, counties=["shanxian"]).set_index("figure")
    assert t.loc["clues", "seeds_used"] == "6-8"
    assert t.loc["clues", "passes"] == False                    # noqa: E712  |83 − 200| ≫ 1.645·√(200·(1 + 1/3))
    assert "held-out" in t.loc["clues", "verdict"]
    assert t.loc["clues", "reproduced_mean"] == pytest.approx((5 * 83 + 3 * 200) / 8)   # old column: all seeds
    assert t.loc["poverty_clues", "seeds_used"] == "1-8" and t.loc["poverty_clues", "passes"] == True  # noqa: E712
    # without held-out seeds the fitted figure is not tested (NA), whatever its in-sample fit
    t5 = C.summarise(_per([r for r in rows if r[2] <= 5]), cal, counties=["shanxian"]).set_index("figure")
    assert pd.isna(t5.loc["clues", "passes"]) and "not tested" in t5.loc["clues", "verdict"]
    assert "fitting seeds" in t5.loc["clues", "seeds_used"]
    s = C.summary(t5.reset_index())
    assert s["fitted"] == 1 and s["fitted_tested"] == 0 and s["tested"] == 1 and s["pass"] == 1
    assert s["not_reproducible"] == 1                            # poverty_checking


def test_holdout_seeds():
    assert C.seed_list(5) == [1, 2, 3, 4, 5]
    assert C.seed_list(5, 3) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert C.seed_list(2, 2) == [1, 2, 6, 7]                     # held-out seeds follow the fitting seeds 1–5
    with pytest.raises(ValueError, match="holdout"):
        C.seed_list(5, -1)


def test_summarise_share_and_amount_read_their_denominator():
    cal = C.load_calibration()
    # 灌云: aided_priced 10 on each seed; similar_within_30pct 50% → n = 10, published 100% → k = 10:
    # P(k = 10 | 10, 0.5) = 1/1024 → p = 2/1024 < 0.10 → fails
    # amount: m = 100,000, s = 0, N = 10 → floor 10⁹ → 1.645 · √(1.2 · 10⁹) = 56,984 → 1,178,000 fails
    rows = [("guanyun", "aided_priced", k, 10.0) for k in range(1, 6)]
    rows += [("guanyun", "similar_within_30pct", k, 50.0) for k in range(1, 6)]
    rows += [("guanyun", "amount", k, 100000.0) for k in range(1, 6)]
    t = C.summarise(_per(rows), cal, counties=["guanyun"]).set_index("figure")
    assert t.loc["similar_within_30pct", "kind"] == "share"
    assert t.loc["similar_within_30pct", "p_value"] == pytest.approx(2 / 1024)
    assert t.loc["similar_within_30pct", "passes"] == False      # noqa: E712
    assert t.loc["amount", "interval_high"] == pytest.approx(100000 + 1.645 * np.sqrt(1.2e9), rel=1e-9)
    assert t.loc["cycle_days", "passes"] == False                # noqa: E712  not reproducible
    assert "aided_priced" not in set(t.index)                    # an auxiliary entry is no published figure


def test_stale_values_of_changed_definitions_are_not_used():
    cal = C.load_calibration()
    # a seeds file of issue 6 (no definition column): guanyun `aided` was then clues only → stale (changed);
    # its values stand in for the auxiliary aided_priced (legacy_id), and unchanged figures are read as they are
    rows = [("guanyun", "aided", k, 95.0) for k in range(1, 6)] + [("guanyun", "suggestion_letters", k, 55.0) for k in range(1, 6)]
    per, stale = C.current_values(_per(rows), cal)
    assert ("guanyun", "aided") in stale
    assert set(per["figure"]) == {"aided_priced", "suggestion_letters"}
    t = C.summarise(_per(rows), cal, counties=["guanyun"]).set_index("figure")
    assert t.loc["aided", "seeds"] == 0 and pd.isna(t.loc["aided", "passes"])
    assert "definition changed" in t.loc["aided", "verdict"]
    # a seeds file with definitions: a row whose hash differs from today's is dropped
    f = next(f for f in cal["counties"]["guanyun"]["figures"] if f["id"] == "suggestion_letters")
    h = C.definition_hash(f, cal["counties"]["guanyun"]["window"]["value"])
    d = _per(rows[5:]).assign(definition=[h, h, "0000000000", h, h])
    per, stale = C.current_values(d, cal)
    assert sorted(per["seed"]) == [1, 2, 4, 5] and ("guanyun", "suggestion_letters") in stale


# ---------------------------------------------------------------------- readings and figures of issue 19
def _fig(county, fid):
    return next(f for f in C.load_calibration()["counties"][county]["figures"] if f["id"] == fid)


def test_the_added_published_figures_are_present():
    figs = C.figures_frame().set_index(["county", "figure"])
    want = {("yueqing", "aided_at_review"): 20, ("yueqing", "social_aid_coordinated"): 12,
            ("yueqing", "yoy_change"): 70, ("yueqing", "aid_cases_2016_2021"): 115,
            ("shanxian", "aid_cases_2021"): 75, ("guanyun", "cycle_days_before"): 22}
    for key, v in want.items():
        assert figs.loc[key, "published"] == v, key
    assert figs.loc[("yueqing", "aided_at_review"), "kind"] == "range"
    assert figs.loc[("yueqing", "aided_at_review"), "target_upper"] == 29
    assert figs.loc[("yueqing", "yoy_change"), "kind"] == "change"
    assert figs.loc[("guanyun", "cycle_days_before"), "kind"] == "mean"
    assert figs.loc[("yueqing", "social_aid_coordinated"), "reason"]       # not reproducible, with its reason
    # pro rata: 单县's pool starts 2021-04-01 → 275 of 365 days of 2021: 75 · 275/365 = 56.51;
    # 乐清's starts 2021-01-01 → 365 of the 2,192 days of 2016–2021: 115 · 365/2192 = 19.15
    assert figs.loc[("shanxian", "aid_cases_2021"), "target"] == pytest.approx(75 * 275 / 365)
    assert figs.loc[("yueqing", "aid_cases_2016_2021"), "target"] == pytest.approx(115 * 365 / 2192)


def test_sourced_readings_of_issue_19():
    # 磐安 women: the campaign March–December 2022
    w = _fig("panan", "women_aided")["window"]
    assert (w["start"], w["end"]) == ("2022-03-01", "2022-12-31")
    # 乐清 disabled: 持证 or 伤残一至六级
    dis = _fig("yueqing", "aided_disabled")["where"]["disabled"]
    assert dis["registries"] == ["持证残疾人"] and dis["harm_grades"] == ["一级", "二级", "三级", "四级", "五级", "六级"]
    # 乐清 household checks no longer copy judicial_clues
    assert _fig("yueqing", "household_checks").get("not_reproducible")
    # 灌云 letters and aided on one base
    assert _fig("guanyun", "aided")["with_lists"] == ["suggestion_letters"]
    for fid in ("newly_dibao", "children_distress", "monitored"):
        assert _fig("guanyun", fid)["with_lists"] == ["suggestion_letters"]
    # N余 upper ends
    figs = C.figures_frame().set_index(["county", "figure"])
    assert figs.loc[("yueqing", "judicial_clues"), "target_upper"] == 69
    assert figs.loc[("weidu", "recovered_amount"), "target_upper"] == 1299999


class _Facts2(_Facts):
    """_Facts plus 伤残等级: P2 maimed 五级, P3 maimed 九级; 持证残疾人: P4."""

    def maimed(self, grades):
        return {p for p, g in (("P2", "五级"), ("P3", "九级")) if g in grades}

    def on_registry(self, names):
        return ({"P2"} if "城市低保" in names else set()) | ({"P4"} if "持证残疾人" in names else set())


def test_disabled_as_certified_or_grade_one_to_six():
    fig = {"model": "m", "where": {"in_window": False,
                                   "disabled": {"registries": ["持证残疾人"], "harm_grades": ["一级", "五级", "六级"]}}}
    # rows: P4 (持证), P1, P2 (五级), P3 (九级: not counted), P1 → P4 + P2 = 2
    assert C.figure_value(fig, {"m": _frame()}, _Facts2(), WINDOW) == 2
    # the old reading (disabled: true) counts the recorded disability: P2 only
    assert C.figure_value({"model": "m", "where": {"in_window": False, "disabled": True}},
                          {"m": _frame()}, _Facts2(), WINDOW) == 1


def test_with_lists_unite_clues_and_a_list_one_row_per_person():
    clues = _frame()
    letters = pd.DataFrame({"source": ["petitions", "petitions"], "source_ref": ["X1", "X2"], "person_id": ["P1", "P3"],
                            "record_date": pd.to_datetime(["2022-11-01", "2023-01-05"])})
    fig = {"model": "m", "with_lists": ["letters"], "where": {"eligible": "judicial"}}
    # in window: clues P1 (R1), P2 (R2), P3 (R3); letters P1, P3 → judicial: P1, P2 (P1 once) = 2
    assert C.figure_value(fig, {"m": clues, "m:letters": letters}, _Facts(), WINDOW) == 2
    fig = {"model": "m", "with_lists": ["letters"], "where": {}}
    assert C.figure_value(fig, {"m": clues, "m:letters": letters}, _Facts(), WINDOW) == 3   # P1, P2, P3
    assert C.part_labels(fig) == ["m", "m:letters"]


def _table(table_name, **cols):
    from jiuzhu_methods.io import schema

    n = len(next(iter(cols.values())))
    base = schema.empty_frame(table_name)
    # columns not given are missing; booleans and integers, which may not be missing, are False / 0
    fill = {"bool": False, "int64": 0, "int32": 0}
    return pd.DataFrame({c: (cols[c] if c in cols else [fill.get(str(base[c].dtype))] * n) for c in base.columns})


def test_table_figures_on_a_hand_built_pool():
    """judicial_aid records counted and timed (灌云 22-day baseline, 单县 75 cases) through county_values."""
    from jiuzhu_methods import DataPool

    ja = _table("judicial_aid", aid_id=["A1", "A2", "A3", "A4"], name=["甲", "乙", "丙", "丁"],
                id_number=["1", "2", "3", "4"], agency=["检察院", "检察院", "法院", "检察院"],
                applied_on=pd.to_datetime(["2021-02-01", "2021-06-01", "2021-03-01", "2021-11-20"]),
                decided_on=pd.to_datetime(["2021-02-11", "2021-06-21", "2021-03-05", None]),
                paid_on=pd.to_datetime(["2021-02-21", "2021-06-30", "2021-03-09", None]),
                status=["决定救助", "决定救助", "决定救助", "已受理"], amount=[1000.0, 2000.0, 500.0, None])
    truth = {"truth_persons": _table("truth_persons", person_id=["Q1"], name=["甲"], sex=["男"],
                                     birth_date=pd.to_datetime(["1970-01-01"])),
             "truth_links": _table("truth_links", source=["judicial_aid"], source_ref=["A1"], field=["applicant"],
                                   person_id=["Q1"]),
             "truth_victims": _table("truth_victims", victim_id=["V1"], person_id=["Q1"], judicial_aid_eligible=[True],
                                     social_aid_eligible=[False])}
    pool = DataPool.from_frames({"judicial_aid": ja, **truth})
    spec = {"window": {"value": {"start": "2021-01-01", "end": "2021-12-31"}}, "models": [],
            "figures": [
                {"id": "n", "table": "judicial_aid", "where": {"column": {"agency": "检察院", "status": "决定救助"}},
                 "measure": "count"},
                {"id": "days", "table": "judicial_aid", "where": {"column": {"agency": "检察院", "status": "决定救助"}},
                 "measure": {"mean_days": {"from": "applied_on", "to": "paid_on"}}},
                {"id": "h1", "table": "judicial_aid", "window": {"start": "2021-01-01", "end": "2021-06-15"},
                 "measure": "count"},
                {"id": "ok", "table": "judicial_aid", "where": {"eligible": "judicial"}, "measure": "count"},
                {"id": "chg", "derived": {"percent_change": {"numerator": "n", "denominator": "h1"}}}]}
    v = C.county_values(pool, spec)
    # A1, A2 are the procuratorate's decided aid (A3 is the court's, A4 undecided) → 2
    assert v["n"] == 2
    # A1: 2021-02-01 → 02-21 = 20 days; A2: 06-01 → 06-30 = 29 days → mean 24.5
    assert v["days"] == pytest.approx(24.5)
    # first half-year by decided_on: A1 (02-11), A3 (03-05); A4 undecided → its applied_on 11-20 is outside → 2
    assert v["h1"] == 2
    assert v["ok"] == 1                                          # A1 is Q1, eligible
    assert v["chg"] == pytest.approx(0.0)                        # 100 · (2/2 − 1)


def test_new_vocabulary_errors(tmp_path):
    import yaml

    def bad(mutate, match):
        cal = C.load_calibration()
        mutate(cal)
        p = tmp_path / "c.yaml"
        p.write_text(yaml.safe_dump(cal, allow_unicode=True), "utf-8")
        with pytest.raises(ValueError, match=match):
            C.load_calibration(p)

    def no_denominator(cal):
        next(f for f in cal["counties"]["guanyun"]["figures"] if f["id"] == "similar_within_30pct").pop("denominator")
    bad(no_denominator, "denominator")

    def derived_unknown(cal):
        next(f for f in cal["counties"]["yueqing"]["figures"] if f["id"] == "yoy_change")["derived"] = \
            {"percent_change": {"numerator": "aided", "denominator": "nope"}}
    bad(derived_unknown, "no figure")

    def two_sources(cal):
        next(f for f in cal["counties"]["shanxian"]["figures"] if f["id"] == "aid_cases_2021")["model"] = "shanxian.screen"
    bad(two_sources, "exactly one of")

    def bad_table(cal):
        next(f for f in cal["counties"]["shanxian"]["figures"] if f["id"] == "aid_cases_2021")["table"] = "registries"
    bad(bad_table, "unknown table")


def test_committed_table_has_the_new_columns():
    """reports/calibration.csv is the --report-only table of the committed seeds file (same numbers)."""
    from pathlib import Path

    rep = Path(__file__).resolve().parents[1] / "reports"
    back = pd.read_csv(rep / "calibration.csv", encoding="utf-8-sig")
    assert list(back.columns) == C.COLUMNS + C.CRITERION_COLUMNS + C.EXTRA_COLUMNS
    per = pd.read_csv(rep / "calibration_seeds.csv", encoding="utf-8-sig")
    keep = [c for c in ("county", "figure", "seed", "value", "definition") if c in per.columns]
    again = C.summarise(per[keep], C.load_calibration())
    assert list(back["figure"]) == list(again["figure"])
    assert back["passes"].isna().tolist() == again["passes"].isna().tolist()
    assert back["passes"].fillna(False).astype(bool).tolist() == again["passes"].fillna(False).astype(bool).tolist()


def test_resume_reuses_current_rows_and_recomputes_stale_ones(reduced, tmp_path, monkeypatch):
    import jiuzhu_methods.synth as synth

    t, out = reduced
    cache = tmp_path / "calibration_seeds.csv"
    per = pd.read_csv(out / "calibration_seeds.csv", encoding="utf-8-sig", dtype={"definition": "str"})
    per.to_csv(cache, index=False, encoding="utf-8-sig")
    calls = []
    real = synth.generate

    def counting(county, **kw):
        calls.append((county, kw["seed"]))
        return real(county, **kw)

    monkeypatch.setattr(synth, "generate", counting)
    again = C.per_seed_values(scale=0.01, seeds=[1, 2, 6], counties=["shanxian"], cache=cache, quiet=True)
    assert calls == []                                            # every county × seed is there, current
    assert len(again) == len(per)
    # one stale value of seed 2 (another definition hash) → seed 2 of 单县 is generated again, nothing else
    per.loc[(per["seed"] == 2) & (per["figure"] == "clues"), "definition"] = "0000000000"
    per.to_csv(cache, index=False, encoding="utf-8-sig")
    again = C.per_seed_values(scale=0.01, seeds=[1, 2, 6], counties=["shanxian"], cache=cache, quiet=True)
    assert calls == [("shanxian", 2)]
    assert sorted(again.loc[again["figure"] == "clues", "seed"]) == [1, 2, 6]


def test_summarise_change_and_pro_rata_rows():
    cal = C.load_calibration()
    # 乐清: aided 42 and the pool's 2021 aid cases 25 on every seed; yoy_change 68 (= 100 · (42/25 − 1))
    rows = [("yueqing", "aided", k, 42.0) for k in range(1, 6)]
    rows += [("yueqing", "aid_cases_2016_2021", k, 25.0) for k in range(1, 6)]
    rows += [("yueqing", "yoy_change", k, 68.0) for k in range(1, 6)]
    t = C.summarise(_per(rows), cal, counties=["yueqing"]).set_index("figure")
    # change: floor 168² · (1/42 + 1/25) = 1,800.96 → 1.645 · √(1,800.96 · 1.2) = 76.47 → [−8.5, 144.5] ∋ 70
    assert t.loc["yoy_change", "interval_high"] == pytest.approx(68 + 76.47, abs=0.05)
    assert t.loc["yoy_change", "passes"] == True                  # noqa: E712
    # pro rata: target 115 · 365/2192 = 19.15; m = 25, s = 0 → 1.645 · √(25 · 1.2) = 9.01 ≥ 5.85 → passes
    assert t.loc["aid_cases_2016_2021", "target"] == pytest.approx(19.15, abs=0.01)
    assert t.loc["aid_cases_2016_2021", "passes"] == True         # noqa: E712
    # aided is fitted: seeds 1–5 only → not tested
    assert pd.isna(t.loc["aided", "passes"])
