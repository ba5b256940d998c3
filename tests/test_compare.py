"""compare.py: aggregation across seeds, sweep overrides actually applied, the precedence of
the reasons a person is missed, variant arithmetic, the conclusion built from the numbers.

Most tests use hand-built records (the expected numbers worked out in comments); a few
generate tiny pools (scale 0.005) to check that overrides reach the generator.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool
from jiuzhu_methods.evaluation import compare
from jiuzhu_methods.core import identity


def _rec(county, seed, model, tp, workload, targets=10, variant="published", param="", value=""):
    precision = tp / workload if workload else float("nan")
    recall = tp / targets
    f1 = 2 * precision * recall / (precision + recall) if workload and tp else 0.0
    return {"county": county, "seed": seed, "sweep": "", "point": np.nan, "model": model, "variant": variant,
            "param": param, "value": value, "target": "judicial", "targets": targets, "precision": precision,
            "recall": recall, "f1": f1, "workload": workload, "tp": tp, "fp": workload - tp}


# --------------------------------------------------------------------------- parameters
def test_parse_parameters():
    assert compare.parse_counties("all") == compare.COUNTIES
    assert compare.parse_counties("weidu, panan") == ["weidu", "panan"]
    with pytest.raises(ValueError):
        compare.parse_counties("atlantis")
    assert compare.parse_seeds(3, 7) == [7, 8, 9]
    assert compare.parse_seeds("2", 11) == [11, 12]
    assert compare.parse_seeds("5,9", 1) == [5, 9]
    assert compare.sweep_points("coverage", 3) == [1.0, 0.75, 0.5]
    assert compare.sweep_points("id_noise", 2) == [0.0, 0.1]
    assert compare.sweep_points("delay", 4) == [0.0, 4.0, 8.0, 12.0]
    assert compare.parse_models("") == compare.DEFAULT_MODELS and "guanyun.amount" not in compare.DEFAULT_MODELS
    assert compare.parse_models("all")[0] == "guanyun.screen" and len(compare.parse_models("all")) == 9


def test_variants_follow_each_model_signature():
    # 单县's published linkage is "id+name": it gets both "id" and "fallback"; no negation parameter
    assert compare.model_variants("shanxian.screen") == [("linkage", "id"), ("linkage", "fallback")]
    # 乐清 模型1 reads negation and linkage ("id" is its default, so only "fallback")
    assert compare.model_variants("yueqing.m1") == [("negation", "aware"), ("linkage", "fallback")]
    # 乐清 模型2 has no negation parameter
    assert compare.model_variants("yueqing.m2") == [("linkage", "fallback")]


# --------------------------------------------------------------------------- aggregation
def test_summarise_mean_sd_min_max_across_seeds():
    rec = pd.DataFrame([_rec("panan", 1, "a", tp=2, workload=4), _rec("panan", 2, "a", tp=4, workload=8),
                        _rec("panan", 3, "a", tp=6, workload=6), _rec("panan", 1, "b", tp=0, workload=0)])
    s = compare.summarise(rec).set_index("model")
    # a: recall 0.2, 0.4, 0.6 → mean 0.4, sd (ddof 1) 0.2; workload 4, 8, 6 → mean 6, min 4, max 8
    assert s.loc["a", "seeds"] == 3
    assert s.loc["a", "recall_mean"] == pytest.approx(0.4)
    assert s.loc["a", "recall_sd"] == pytest.approx(0.2)
    assert (s.loc["a", "workload_mean"], s.loc["a", "workload_min"], s.loc["a", "workload_max"]) == (6, 4, 8)
    # precision 0.5, 0.5, 1.0 → mean 2/3
    assert s.loc["a", "precision_mean"] == pytest.approx(2 / 3)
    # b: one seed, no clues → precision undefined, sd 0 (not NaN)
    assert np.isnan(s.loc["b", "precision_mean"]) and s.loc["b", "precision_n"] == 0
    assert s.loc["b", "recall_sd"] == 0


def test_overall_and_conclusion_come_from_the_numbers():
    rec = pd.DataFrame([_rec(c, s, "wide", tp=8, workload=40) for c in ("panan", "weidu") for s in (1, 2)] +
                       [_rec(c, s, "narrow", tp=2, workload=3) for c in ("panan", "weidu") for s in (1, 2)])
    summary = compare.summarise(rec)
    ov = compare.overall(summary)
    # wide: recall 0.8 in both counties, workload 40 + 40 = 80, tp 16 → 5.0 clues per person found
    assert list(ov["model"]) == ["wide", "narrow"]
    assert ov.loc[0, "workload"] == 80 and ov.loc[0, "tp"] == 16
    drops = pd.DataFrame([
        {"sweep": "coverage", "model": "wide", "point_first": 1.0, "point_last": 0.5, "recall_first": 0.8,
         "recall_last": 0.3, "precision_first": 0.2, "precision_last": 0.2, "d_recall": -0.5, "d_precision": 0.0},
        {"sweep": "id_noise", "model": "wide", "point_first": 0.0, "point_last": 0.1, "recall_first": 0.8,
         "recall_last": 0.7, "precision_first": 0.2, "precision_last": 0.2, "d_recall": -0.1, "d_precision": 0.0}])
    text = compare.conclusion(summary, drops=drops)
    assert "召回率最高的设计是 wide" in text and "80%" in text and "5.0" in text
    assert "精确率最高的是 narrow" in text
    assert "名单覆盖率" in text and "-50%" in text  # coverage breaks it first, not noise
    # change the numbers, the text follows
    rec2 = rec.copy()
    rec2.loc[rec2["model"] == "narrow", ["recall"]] = 0.95
    assert "召回率最高的设计是 narrow" in compare.conclusion(compare.summarise(rec2))


# --------------------------------------------------------------------------- variants
def test_variant_difference_arithmetic():
    rec = pd.DataFrame([
        _rec("panan", 1, "m", tp=5, workload=10),
        _rec("panan", 1, "m", tp=7, workload=15, variant="linkage=fallback", param="linkage", value="fallback"),
        _rec("weidu", 1, "m", tp=3, workload=4),
        _rec("weidu", 1, "m", tp=3, workload=5, variant="linkage=fallback", param="linkage", value="fallback"),
    ])
    d = compare.variant_differences(rec).set_index("county")
    # panan: tp 7 − 5 = +2; fp (15−7) − (10−5) = 8 − 5 = +3; workload +5
    assert (d.loc["panan", "d_tp"], d.loc["panan", "d_fp"], d.loc["panan", "d_workload"]) == (2, 3, 5)
    # weidu: tp +0, fp (5−3) − (4−3) = +1
    assert (d.loc["weidu", "d_tp"], d.loc["weidu", "d_fp"]) == (0, 1)
    s = compare.variant_summary(compare.variant_differences(rec)).iloc[0]
    # summed over the counties: Δtp 2 + 0 = 2, Δfp 3 + 1 = 4; one run found more, none fewer
    assert (s["d_tp"], s["d_fp"], s["runs"], s["runs_more_found"], s["runs_fewer_found"]) == (2, 4, 2, 1, 0)
    per_county = compare.variant_summary(compare.variant_differences(rec), by=("county", "model", "variant"))
    assert dict(zip(per_county["county"], per_county["d_fp"])) == {"panan": 3, "weidu": 1}


# --------------------------------------------------------------------------- reasons
def test_reason_precedence_on_flags():
    flags = pd.DataFrame({
        "no_case_record": [True, False, False, False, False],
        "case_id_unusable": [True, True, False, False, False],
        "not_on_registry": [True, True, True, False, False],
        "settled_on_paper": [False, True, True, True, False],
        "non_local": [False, False, True, True, False],
    }, index=["p1", "p2", "p3", "p4", "p5"])
    r = compare.assign_reasons(flags)["reason"]
    # the first flag in MISSED_REASONS order wins; nothing true → other
    assert list(r) == ["no_case_record", "case_id_unusable", "not_on_registry", "settled_on_paper", "other"]
    # a different order gives a different answer (the order is data)
    r2 = compare.assign_reasons(flags, order=["non_local", "settled_on_paper"])["reason"]
    assert list(r2) == ["other", "settled_on_paper", "non_local", "non_local", "other"]


def _ids(n, start=1):
    return [str(x) for x in identity.make_ids(np.array(["330727"] * n), np.array(["1980-01-02"] * n, dtype="datetime64[D]"),
                                              np.arange(start, start + n))]


def test_missed_persons_on_a_hand_built_pool():
    """Six eligible persons, each missing for a different reason, one found:

    P1 no case record at all; P2 a 被害人 record without ID; P3 a usable case ID but no
    registry row; P4 case + registry with usable IDs, settled on paper; P5 all data fine,
    non-local; P6 all data fine, local → other; P7 found by a model (not listed)."""
    ids = _ids(7)
    persons = pd.DataFrame({"person_id": [f"P{i}" for i in range(1, 8)], "id_number": ids,
                            "local": [True, True, True, True, False, True, True]})
    parties = pd.DataFrame({"record_id": ["R2", "R3", "R4", "R5", "R6", "R7"], "case_id": "C1", "role": "被害人",
                            "name": "x", "id_number": [None, ids[2], ids[3], ids[4], ids[5], ids[6]], "fault": None})
    regs = pd.DataFrame({"record_id": ["G2", "G4", "G5", "G6", "G7"], "registry": "农村低保", "agency": "民政局",
                         "name": "x", "id_number": [ids[1], ids[3], ids[4], ids[5], ids[6]], "detail": None,
                         "address": None, "phone": None, "as_of": pd.Timestamp("2022-01-01")})
    links = pd.DataFrame({"source": ["proc_parties"] * 6 + ["registries"] * 5,
                          "source_ref": ["R2", "R3", "R4", "R5", "R6", "R7", "G2", "G4", "G5", "G6", "G7"],
                          "field": "person",
                          "person_id": ["P2", "P3", "P4", "P5", "P6", "P7", "P2", "P4", "P5", "P6", "P7"],
                          "id_noise": "", "name_noise": ""})
    victims = pd.DataFrame({"victim_id": [f"V{i}" for i in range(1, 8)], "person_id": persons["person_id"],
                            "judicial_aid_eligible": True, "social_aid_eligible": False,
                            "settled": [False, False, False, True, False, False, False]})
    pool = DataPool.from_frames({"proc_parties": parties, "registries": regs})
    pool.truth.update({"truth_persons": persons, "truth_links": links, "truth_victims": victims})
    m = compare.missed_persons(pool, found={"P7"}).set_index("person_id")
    assert m["reason"].to_dict() == {"P1": "no_case_record", "P2": "case_id_unusable", "P3": "not_on_registry",
                                     "P4": "settled_on_paper", "P5": "non_local", "P6": "other"}
    # no names or ID numbers in the output
    assert not {"name", "id_number"} & set(m.columns)
    counts = compare.missed_counts(m.reset_index().assign(county="panan", seed=1), ["panan"])
    assert counts.loc["磐安 panan", "total"] == 6 and counts.loc["磐安 panan", "无案件记录"] == 1


# --------------------------------------------------------------------------- overrides reach the generator
def test_coverage_override_scales_registration_only():
    o = compare.coverage_overrides(0.5, "panan")
    from jiuzhu_methods.synth import load_profile

    prof = load_profile("panan")
    cap = prof["case_registry"]["capture_by_hardship"]
    assert o["case_registry"]["capture_by_hardship"] == {k: v * 0.5 for k, v in cap.items()}
    assert o["registries"]["dibao_given_poor"] == pytest.approx(prof["registries"]["dibao_given_poor"] * 0.5)
    # who is poor or disabled (the truth) is not a registration probability
    assert "poor_share" not in o["registries"] and "disability_share" not in o["registries"]
    assert compare.sweep_overrides("coverage", 1.0, "panan") is None
    assert compare.sweep_overrides("delay", 12, "panan") == {"case_registry": {"delay_months_mean": 12.0}}


@pytest.fixture(scope="module")
def tiny_pools():
    from jiuzhu_methods.synth import generate

    def gen(kind, value):
        return generate("panan", scale=0.005, seed=3, overrides=compare.sweep_overrides(kind, value, "panan"))

    return {"base": gen(None, None), "cov50": gen("coverage", 0.5), "noise0": gen("id_noise", 0.0),
            "noise10": gen("id_noise", 0.10), "delay0": gen("delay", 0.0), "delay12": gen("delay", 12.0)}


def test_sweeps_change_the_pool(tiny_pools):
    p = tiny_pools
    # coverage 50%: fewer registry rows, same truth (the same eligible persons)
    assert len(p["cov50"]["registries"]) < 0.8 * len(p["base"]["registries"])
    tv = lambda q: q.truth["truth_victims"]["judicial_aid_eligible"].sum()  # noqa: E731
    assert tv(p["cov50"]) == tv(p["base"])
    # identity noise 0%: every case record ID is usable; 10%: some are not
    bad = lambda q: identity.usable_ids(q["proc_parties"]["id_number"]).isna().mean()  # noqa: E731
    assert bad(p["noise0"]) == 0 and bad(p["noise10"]) > 0.03
    # delay 12 months: case-caused memberships start later, so fewer monthly snapshot rows
    # say 因案致困 (and the first one is later) than with no delay
    case_rows = lambda q: q["registries"].loc[q["registries"]["detail"] == "因案致困"]  # noqa: E731
    assert len(case_rows(p["delay12"])) < 0.8 * len(case_rows(p["delay0"]))
    assert case_rows(p["delay12"])["as_of"].mean() > case_rows(p["delay0"])["as_of"].mean()


def test_run_grid_records_and_missed(tmp_path):
    g = compare.run_grid(["panan"], [3], scale=0.005, models=["shanxian.screen", "yueqing.m2"], variants=True,
                         reasons=True)
    r = g["records"]
    pub = r.loc[r["variant"] == "published"]
    assert list(pub["model"]) == ["shanxian.screen", "yueqing.m2"]
    assert set(r.loc[r["model"] == "shanxian.screen", "variant"]) == {"published", "linkage=id", "linkage=fallback"}
    # the records equal a direct evaluation
    from jiuzhu_methods import run_model
    from jiuzhu_methods.evaluation.evaluate import evaluate
    from jiuzhu_methods.synth import generate

    pool = generate("panan", scale=0.005, seed=3)
    ev = evaluate(run_model("shanxian.screen", pool), pool)
    row = pub.iloc[0]
    assert (row["tp"], row["workload"], row["targets"]) == (ev["tp"], ev["workload"], ev["targets"])
    # the missed persons are exactly the eligible persons neither model found
    m = g["missed"]
    eligible = set(pool.truth["truth_victims"].query("judicial_aid_eligible")["person_id"])
    assert set(m["person_id"]) <= eligible
    from jiuzhu_methods.evaluation.evaluate import person_of

    found = set().union(*[set(person_of(run_model(n, pool).clues, pool).dropna()) for n in pub["model"]])
    assert set(m["person_id"]) == eligible - found
    assert set(m["reason"]) <= {x["code"] for x in compare.MISSED_REASONS}


def test_run_sweeps_reuses_the_baseline_for_the_profile_point(monkeypatch):
    """Coverage 1.0 is the profile itself: with a baseline, only 0.5 is generated and run."""
    calls = []

    def fake_grid(counties, seeds, *, sweep=None, points=None, **kw):
        calls.append((sweep, list(points)))
        rows = [_rec(c, s, "m", tp=1, workload=2) | {"sweep": sweep, "point": p} for c in counties for s in seeds
                for p in points]
        return {"records": pd.DataFrame(rows)}

    monkeypatch.setattr(compare, "run_grid", fake_grid)
    base = pd.DataFrame([_rec("panan", 1, "m", tp=5, workload=5)])
    out = compare.run_sweeps(["panan"], [1], points=2, models=["m"], kinds=["coverage"], baseline=base)
    assert calls == [("coverage", [0.5])]
    # the 1.0 point is the baseline record (tp 5), the 0.5 point the new run (tp 1)
    assert dict(zip(out["point"], out["tp"])) == {0.5: 1, 1.0: 5}
    # without a baseline, both points run
    calls.clear()
    compare.run_sweeps(["panan"], [1], points=2, models=["m"], kinds=["coverage"])
    assert calls == [("coverage", [1.0, 0.5])]


def test_sweep_drops_follow_the_sweep_direction():
    # coverage runs 1.0 → 0.5: recall 0.6 at 1.0 and 0.3 at 0.5 is a drop of −0.3 (not +0.3)
    sw = pd.DataFrame({"sweep": "coverage", "model": "m", "point": [0.5, 0.75, 1.0], "recall_mean": [0.3, 0.45, 0.6],
                       "precision_mean": [0.2, 0.2, 0.2]})
    d = compare.sweep_drops(sw).iloc[0]
    assert (d["point_first"], d["point_last"]) == (1.0, 0.5)
    assert d["d_recall"] == pytest.approx(-0.3)
    # delay runs 0 → 12: recall 0.3 at 0 months and 0.6 at 12 is a rise of +0.3
    sw2 = sw.assign(sweep="delay", point=[0.0, 6.0, 12.0])
    assert compare.sweep_drops(sw2).iloc[0]["d_recall"] == pytest.approx(0.3)


# --------------------------------------------------------------------------- negation (plain vs aware)
def test_negation_table_and_sentence_from_the_records():
    rec = pd.DataFrame([
        _rec("yueqing", 1, "yueqing.m1", tp=2, workload=10),
        _rec("yueqing", 1, "yueqing.m1", tp=5, workload=14, variant="negation=aware", param="negation", value="aware"),
        _rec("yueqing", 2, "yueqing.m1", tp=4, workload=10),
        _rec("yueqing", 2, "yueqing.m1", tp=6, workload=12, variant="negation=aware", param="negation", value="aware"),
        _rec("panan", 1, "yueqing.m1", tp=1, workload=3),
        _rec("panan", 1, "yueqing.m1", tp=1, workload=3, variant="negation=aware", param="negation", value="aware"),
        _rec("yueqing", 1, "weidu.screen", tp=3, workload=8),
        _rec("yueqing", 1, "weidu.screen", tp=3, workload=8, variant="negation=aware", param="negation", value="aware"),
        _rec("yueqing", 1, "shanxian.screen", tp=3, workload=8),   # no negation variant: not in the table
        _rec("yueqing", 1, "shanxian.screen", tp=4, workload=9, variant="linkage=id", param="linkage", value="id"),
    ])
    t = compare.negation_table(rec).set_index(["county", "model"])
    assert set(t.index.get_level_values("model")) == {"yueqing.m1", "weidu.screen"}
    r = t.loc[("yueqing", "yueqing.m1")]
    # seed 1: tp 2 → 5 (+3), fp 8 → 9 (+1); seed 2: tp 4 → 6 (+2), fp 6 → 6 (0): means +2.5, +0.5
    assert r["seeds"] == 2
    assert (r["workload_plain"], r["workload_aware"]) == (10, 13)
    assert (r["d_tp"], r["d_fp"]) == (2.5, 0.5)
    text = compare.negation_sentence(compare.negation_table(rec))
    # summed over the counties: yueqing.m1 10 + 3 = 13 → 13 + 3 = 16 clues, +2.5 persons; weidu unchanged
    assert "yueqing.m1 的线索从 13 条变为 16 条，应救助人员 +2.5 名、误报 +0.5 条" in text
    assert "yueqing.m1 goes from 13 to 16 clues (+2.5 eligible persons, +0.5 wrongly flagged)" in text
    assert "weidu.screen 不变" in text and "weidu.screen unchanged" in text
    assert "No run compared" in compare.negation_sentence(compare.negation_table(rec.iloc[[0, 8]]))
    same = rec.loc[rec["model"] == "weidu.screen"]
    assert "changes no model's clues" in compare.negation_sentence(compare.negation_table(same))


@pytest.fixture(scope="module")
def yueqing_small():
    from jiuzhu_methods.synth import generate

    return generate("yueqing", scale=0.02, seed=7)


def test_plain_and_aware_clues_of_yueqing_m1_differ_on_a_generated_county(yueqing_small):
    from jiuzhu_methods import run_model
    from jiuzhu_methods.evaluation.evaluate import evaluate

    pool = yueqing_small
    plain = run_model("yueqing.m1", pool)
    aware = run_model("yueqing.m1", pool, negation="aware")
    p, a = set(plain.clues["id_number"]), set(aware.clues["id_number"])
    # aware removes only victims whose documents affirm a settlement: it keeps everyone plain keeps …
    assert p <= a
    # … and gives back victims removed for a negated or questioned mention (the lists differ)
    assert len(a - p) > 0
    assert evaluate(aware, pool)["tp"] >= evaluate(plain, pool)["tp"]


def test_generated_documents_carry_the_negation_phrasings(yueqing_small):
    from jiuzhu_methods.core.keywords import contains_any, read_occurrences
    from jiuzhu_methods.synth import generate
    from jiuzhu_methods.synth.profiles import package_yaml

    bank = package_yaml("templates.yaml")["negation_phrasings"]
    fixed = [x for k, v in bank.items() for x in v if "{" not in x and x]
    docs = yueqing_small["proc_documents"]["text"]
    seen = [x for x in fixed if docs.str.contains(x, regex=False).any()]
    assert len(seen) >= 5, seen
    # a literal reading counts 调解协议/已赔偿/谅解 in documents that the aware reading does not
    words = ["调解协议", "已赔偿", "谅解"]
    assert (contains_any(docs, words) & ~contains_any(docs, words, negation="aware")).sum() > 10
    # 无条件谅解 is in the documents and is read as affirmed
    d = docs[docs.str.contains("无条件谅解", regex=False)]
    assert len(d) and read_occurrences(d.iloc[0], "谅解")["reading"].eq("affirmed").any()
    # with both shares 0 no such phrasing is written (the ordinary templates only), and the
    # generator stays deterministic
    off = generate("yueqing", scale=0.02, seed=7,
                   overrides={"negation_phrasings": {"negated_without_unpaid": 0.0, "affirmed_cue_words": 0.0}})
    t_off = off["proc_documents"]["text"]
    assert not any(t_off.str.contains(x, regex=False).any() for x in ["被害人不同意谅解犯罪嫌疑人", "被害人对犯罪嫌疑人无条件谅解",
                                                                      "双方调解协议至今未能达成"])
    assert len(t_off) == len(docs)      # the same case files, other wording
    again = generate("yueqing", scale=0.02, seed=7)
    assert again["proc_documents"]["text"].equals(docs)
