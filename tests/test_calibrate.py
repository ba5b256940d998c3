"""Calibration machinery (issue 6): the data file, the figure definitions, the tolerance,
the CSV, the profiles' calibration overrides, and one reduced run (scale 0.01, 2 seeds)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import calibrate as C
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
            else:
                assert f["model"]


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
    t = C.run(scale=0.01, seeds=2, counties=["shanxian"], out=out, quiet=True)
    return t, out


def test_reduced_run_table(reduced):
    t, out = reduced
    assert list(t.columns[:7]) == C.COLUMNS
    assert set(t["county"]) == {"shanxian"}
    rep = t[t["reason"] == ""]
    assert (rep["seeds"] == 2).all()
    assert rep["reproduced_mean"].notna().all()
    # poverty/disability clues are subsets of all clues, aided ⊂ clues of the group
    m = t.set_index("figure")["reproduced_mean"]
    assert m["poverty_aided"] <= m["poverty_clues"] <= m["clues"]
    assert m["disability_eligible"] <= m["disability_clues"] <= m["clues"]
    per = t.attrs["per_seed"]
    assert set(per["seed"]) == {1, 2}


def test_reduced_run_files(reduced):
    t, out = reduced
    raw = (out / "calibration.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                  # BOM for Excel
    back = pd.read_csv(out / "calibration.csv", encoding="utf-8-sig")
    assert list(back.columns[:7]) == C.COLUMNS
    assert "涉残疾人案件线索" in set(back["label"])
    assert (out / "calibration.png").stat().st_size > 10_000
    # the seeds file is enough to redraw the table (a stopped run): same numbers
    again = C.report_from_cache(out)
    pd.testing.assert_frame_equal(again[C.COLUMNS], t[C.COLUMNS], check_dtype=False)


def test_cli_registers_calibrate():
    from jiuzhu_methods import cli

    cli._load_extra()
    p = cli.build_parser()
    args = p.parse_args(["calibrate", "--scale", "0.5", "--seeds", "3", "--counties", "panan", "weidu"])
    assert args.scale == 0.5 and args.seeds == 3 and args.counties == ["panan", "weidu"]
    assert args.func is C._cmd_calibrate
