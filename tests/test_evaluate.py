"""evaluate / evaluate_amounts on the hand-built 灌云 pool with truth (tests/guanyun_pool.py).

Truth: judicial-aid eligible = A, B, G, I, J (5); social-aid eligible = B, F, J (3).
"""
import math

import pandas as pd
import pytest

from jiuzhu_methods.evaluation.evaluate import evaluate, evaluate_amounts, evaluate_frame, historical_classes, person_of
from jiuzhu_methods.models import guanyun
from jiuzhu_methods.core.steps import ModelResult

from guanyun_pool import build


@pytest.fixture(scope="module")
def pool():
    return build(with_truth=True)


def test_screen_metrics(pool):
    # clues A, B, F, G: target persons found A, B, G → tp 3; F is not eligible → fp 1;
    # I and J missed → fn 2; precision 3/4, recall 3/5, f1 = 2·0.75·0.6/1.35 = 0.6667
    e = evaluate(guanyun.screen(pool), pool)
    assert (e["tp"], e["fp"], e["fn"], e["workload"], e["persons"], e["unmatched"]) == (3, 1, 2, 4, 4, 0)
    assert e["precision"] == 0.75 and e["recall"] == 0.6
    assert e["f1"] == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert e["target"] == "judicial"


def test_fallback_improves_recall(pool):
    # fallback adds I (eligible): tp 4 of 5 clues, recall 4/5
    e = evaluate(guanyun.screen(pool, linkage="fallback"), pool)
    assert (e["tp"], e["fp"], e["fn"]) == (4, 1, 1) and e["recall"] == 0.8


def test_social_target_on_a_list(pool):
    # suggestion letters B, F, I, J against social eligibility B, F, J: tp 3, fp 1 (I), fn 0
    e = evaluate(guanyun.screen(pool), pool, target="social", list_name="suggestion_letters")
    assert (e["tp"], e["fp"], e["fn"], e["recall"]) == (3, 1, 0, 1.0)
    assert e["list"] == "suggestion_letters"


def test_duplicates_and_unmatched_count_against_precision(pool):
    clues = pd.DataFrame({"source": ["proc_parties", "petitions", "proc_parties", "nowhere"],
                          "source_ref": ["P1", "PT3", "P4", "Z9"]})
    # P1 and PT3 are both A (one target person, two verifications); P4 is C (not eligible); Z9 unknown
    e = evaluate_frame(clues, pool)
    assert (e["workload"], e["persons"], e["unmatched"], e["tp"], e["fp"]) == (4, 2, 1, 1, 3)
    assert e["precision"] == 0.25


def test_court_enforcements_applicant_by_default(pool):
    clues = pd.DataFrame({"source": ["court_enforcements", "court_enforcements"], "source_ref": ["E1", "E1"],
                          "source_field": [None, "respondent"]})
    p = person_of(clues[["source", "source_ref"]], pool)
    assert list(p) == ["D", "D"]          # applicant of E1 is D
    assert list(person_of(clues.iloc[[1]], pool)) == ["X"]  # the respondent when the clue says so


def test_target_from_model_declaration(pool):
    r = ModelResult("x.social_list", pd.DataFrame({"source": ["proc_parties"], "source_ref": ["P7"]}),
                    pd.DataFrame(), params={"target": "social"})
    e = evaluate(r, pool)   # F is socially eligible
    assert e["target"] == "social" and e["tp"] == 1
    assert evaluate(r, pool, target="judicial")["tp"] == 0
    with pytest.raises(ValueError):
        evaluate(r, pool, target="other")


def test_no_truth_is_a_clear_error(pool):
    with pytest.raises(ValueError, match="no truth"):
        evaluate(guanyun.screen(pool), pool.without_truth())


def test_empty_clues(pool):
    e = evaluate_frame(pd.DataFrame({"source": [], "source_ref": []}), pool)
    assert e["workload"] == 0 and e["recall"] == 0 and math.isnan(e["precision"])


def test_evaluate_amounts(pool):
    a = guanyun.amount(pool, benchmark=10000)
    # model classes (case type × tier): (criminal_injury,2) A, (criminal_injury,3) B, (property_loss,2) F,
    # (petition,3) G: one member each → every deviation 0, share within ±30% = 1
    e = evaluate_amounts(a, pool)
    assert e["model"]["n"] == 4 and e["model"]["classes"] == 4 and e["model"]["share_within"] == 1.0
    # historical: the one 决定救助 with an amount, E (C5 诈骗罪 → property_loss; 持证残疾人 二级 → tier 3)
    h = historical_classes(pool)
    assert h[["case_type", "hardship_tier", "amount"]].values.tolist() == [["property_loss", 3, 20000.0]]
    assert e["historical"]["n"] == 1


def test_amount_spread_by_hand(pool):
    # two historical amounts in one class, 10000 and 20000: median 15000, deviations −33.3% and +33.3%
    ja = pool["judicial_aid"].copy()
    extra = ja.iloc[[0]].assign(aid_id="J3", amount=10000.0)
    p2 = pool.replace(judicial_aid=pd.concat([ja, extra], ignore_index=True))
    e = evaluate_amounts(guanyun.amount(p2, benchmark=10000), p2)
    h = e["by_class"].query("source == 'historical'").iloc[0]
    assert h["n"] == 2 and h["median"] == 15000.0
    assert h["min_pct"] == pytest.approx(-100 / 3) and h["max_pct"] == pytest.approx(100 / 3)
    assert e["historical"]["share_within"] == 0.0
    assert evaluate_amounts(guanyun.amount(p2, benchmark=10000), p2, band=0.34)["historical"]["share_within"] == 1.0


def test_evaluate_amounts_needs_amounts(pool):
    with pytest.raises(ValueError):
        evaluate_amounts(guanyun.screen(pool), pool)
