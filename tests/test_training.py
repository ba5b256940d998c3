"""Tests for jiuzhu_methods.training — case exercises, answer key, grading, exports.

Two layers: a hand-built pool where every kind of card is planted on purpose (the expected
key is worked out in comments), and a small synthetic county (scale 0.005) when the
generator is available.
"""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool
from jiuzhu_methods.core import identity
from jiuzhu_methods.training import (KINDS, TRAPS, grade, make_exercises, mask_text, parse_agencies, parse_amount,
                                     parse_eligible, parse_rules, standard_coefficients)

TOKEN18 = re.compile(r"[0-9Xx０-９]{18,}")


def _ids(n: int) -> list[str]:
    births = np.array(["1970-01-02", "1980-03-04", "1990-05-06", "1985-07-08", "1975-09-10", "1965-11-12", "2000-01-01"],
                      dtype="datetime64[D]")[:n]
    return list(identity.make_ids(np.array(["320723"] * n), births, np.arange(101, 101 + n)))


def hand_pool() -> tuple[DataPool, dict]:
    """Six persons, one of each kind of card (plus a namesake stranger):

    P1 张建国  victim C1 故意伤害罪, 农村低保 by ID, not compensated, hardship 3 → eligible, flagged
    P2 刘秀英  victim C2 交通肇事罪 伤残, fault 次要责任, no registry, hardship 2 → eligible, not flagged (missed)
    P3 李明    victim C3 故意伤害罪, 城市低保, a 谅解书 in the file, settled → not eligible (rule1), flagged
    P4 赵强    犯罪嫌疑人 in C1, on 低收入人口 → not a victim (suspect trap)
    P5 王芳    victim C4 诈骗罪 重大财产损失, hardship 1, no own registry → not eligible (rule2)
    P6 王芳    a stranger with the same name, on 特困人员 (namesake trap for P5)
    """
    ids = _ids(6)
    names = ["张建国", "刘秀英", "李明", "赵强", "王芳", "王芳"]
    persons = pd.DataFrame({
        "person_id": [f"P{i}" for i in range(1, 7)], "name": names, "id_number": ids,
        "sex": ["男", "女", "男", "男", "女", "女"],
        "birth_date": pd.to_datetime(["1970-01-02", "1980-03-04", "1990-05-06", "1985-07-08", "1975-09-10", "1965-11-12"]),
        "household_id": [f"H{i}" for i in range(1, 7)], "local": [True] * 6,
        "address": ["灌云县伊山镇1号"] * 6, "phone": ["13800000000"] * 6, "hardship": [3, 2, 2, 2, 1, 3]})
    cases = pd.DataFrame({
        "case_id": ["C1", "C2", "C3", "C4"], "business": ["刑事检察"] * 4, "stage": ["审查起诉"] * 4,
        "charge": ["故意伤害罪", "交通肇事罪", "故意伤害罪", "诈骗罪"],
        "accepted_on": pd.to_datetime(["2022-03-01"] * 4), "county_code": ["320723"] * 4})
    parties = pd.DataFrame({
        "record_id": ["R1", "R2", "R3", "R4", "R5"], "case_id": ["C1", "C2", "C3", "C1", "C4"],
        "role": ["被害人", "被害人", "被害人", "犯罪嫌疑人", "被害人"],
        "name": ["张建国", "刘秀英", "李明", "赵强", "王芳"], "id_number": [ids[0], ids[1], ids[2], ids[3], ids[4]],
        "fault": [None, "次要责任", None, None, None]})
    docs = pd.DataFrame({
        "doc_id": ["D1", "D2", "D3", "D4"], "case_id": ["C1", "C2", "C3", "C4"],
        "doc_type": ["起诉书", "道路交通事故认定书", "谅解书", "起诉书"],
        "text": [f"犯罪嫌疑人赵强（身份证号{ids[3]}）殴打被害人张建国致重伤，未赔偿。",
                 "刘秀英在事故中负次要责任，致残，电话13912345678。",
                 "被害人李明对犯罪嫌疑人表示谅解，双方已达成和解。",
                 "王芳被骗八万元，损失未追回。"]})
    regs = pd.DataFrame({
        "record_id": ["G1", "G2", "G3", "G4"], "registry": ["农村低保", "城市低保", "低收入人口", "特困人员"],
        "agency": ["民政局"] * 4, "name": ["张建国", "李明", "赵强", "王芳"],
        "id_number": [ids[0], ids[2], ids[3], ids[5]], "detail": [None] * 4, "address": ["灌云县伊山镇1号"] * 4,
        "phone": [None] * 4, "as_of": pd.to_datetime(["2023-01-01"] * 4)})
    victims = pd.DataFrame({
        "victim_id": ["V1", "V2", "V3", "V5"], "person_id": ["P1", "P2", "P3", "P5"],
        "case_id": ["C1", "C2", "C3", "C4"], "judgment_id": [None] * 4,
        "harm": ["伤害", "伤残", "伤害", "重大财产损失"], "harmed_on": pd.to_datetime(["2022-01-01"] * 4),
        "compensated": [False, False, False, False], "settled": [False, False, True, False],
        "hardship": [3, 2, 2, 1], "aided_before": [False] * 4,
        "judicial_aid_eligible": [True, True, False, False], "social_aid_eligible": [True, True, True, False],
        "needs": ["medical,subsistence", "employment", "subsistence", None]})
    links = pd.DataFrame({
        "source": ["proc_parties"] * 5 + ["registries"] * 4,
        "source_ref": ["R1", "R2", "R3", "R4", "R5", "G1", "G2", "G3", "G4"],
        "field": ["person"] * 9, "person_id": ["P1", "P2", "P3", "P4", "P5", "P1", "P3", "P4", "P6"]})
    pool = DataPool.from_frames({
        "proc_cases": cases, "proc_parties": parties, "proc_documents": docs, "registries": regs,
        "truth_persons": persons, "truth_links": links, "truth_victims": victims},
        meta={"county": "guanyun", "seed": 1, "scale": 0.0})
    # a model flags P1, P3 and P4 (its clues point at their case-party records)
    clues = pd.DataFrame({"clue_id": ["m-1", "m-2", "m-3"], "model": ["fake.m"] * 3, "name": ["张建国", "李明", "赵强"],
                          "id_number": [ids[0], ids[2], ids[3]], "source": ["proc_parties"] * 3,
                          "source_ref": ["R1", "R3", "R4"], "rule_path": ["类型 > 名单 > 规则一"] * 3,
                          "match": ["id"] * 3, "confidence": [1.0] * 3, "recommended_agencies": ["民政局"] * 3})
    results = {"fake.m": SimpleNamespace(clues=clues)}
    return pool, results


@pytest.fixture(scope="module")
def hand():
    return hand_pool()


#: the 灌云 standard with its two headline numbers pinned, so that the arithmetic below does
#: not move when the data file is revised: benchmark 10,807 yuan, wage 7,000 → cap 252,000
PINNED = {"benchmark": {"value": 10807}, "average_monthly_wage": {"value": 7000}}


def pinned_standard():
    from jiuzhu_methods.amount import load_standard

    return load_standard("guanyun", PINNED)


@pytest.fixture(scope="module")
def hand_set(hand):
    pool, results = hand
    return make_exercises(pool, n=5, seed=3, difficulty="medium", results=results, standard=pinned_standard())


def _scan(text: str) -> list[str]:
    """Valid, unmasked ID numbers among the 18-character tokens of ``text``: every window of 18
    characters inside every run of digits/X (so an ID glued to other digits is found too)."""
    runs = TOKEN18.findall(text)
    toks = pd.Series([r[i:i + 18] for r in runs for i in range(len(r) - 17)], dtype="object")
    if not len(toks):
        return []
    ok = identity.check_series(toks) == ""
    return toks[ok].tolist()


# --------------------------------------------------------------------------- hand-built pool
def test_every_kind_once(hand_set):
    assert sorted(hand_set.key["kind"]) == sorted(KINDS)
    # cards and key are in the same order, one per person
    assert [c.card_id for c in hand_set.cards] == hand_set.key["card_id"].tolist()
    assert hand_set.key["person_id"].is_unique
    k = hand_set.key.set_index("kind")
    assert k.loc["true_positive", "person_id"] == "P1"
    assert k.loc["missed", "person_id"] == "P2"
    assert k.loc["settled_trap", "person_id"] == "P3"
    assert k.loc["suspect_trap", "person_id"] == "P4"
    assert k.loc["namesake_trap", "person_id"] == "P5"


def test_key_agrees_with_truth(hand, hand_set):
    pool, _ = hand
    v = pool.truth["truth_victims"].set_index("victim_id")
    k = hand_set.key
    victims = k[k["victim_id"].notna()]
    assert (victims["eligible"].to_numpy() == v.loc[victims["victim_id"], "judicial_aid_eligible"].to_numpy()).all()
    kk = k.set_index("kind")
    assert kk.loc["settled_trap", "rule"] == "rule1"       # settled → 研判规则一
    assert kk.loc["suspect_trap", "rule"] == "not_victim"
    assert kk.loc["namesake_trap", "rule"] == "rule2"      # hardship 1 < 2
    assert not kk.loc["suspect_trap", "eligible"]
    # P1: 故意伤害罪 → criminal_injury 2.0; 农村低保 → tier 2, but the manual check found 急迫困难
    # (hardship 3) → tier 3, mid of 10–15 = 12.5; no add-on; no fault record 1.0
    # amount = 10807 × (2 + 12.5) = 156,701.5
    assert kk.loc["true_positive", "amount"] == pytest.approx(156701.5)
    assert kk.loc["true_positive", "hardship_tier"] == 3
    # P2: 交通肇事罪 is criminal → 2.0; 伤残 → tier 2 (7.5); 次要责任 → 0.8: 10807 × 9.5 × 0.8 = 82,133.2
    assert kk.loc["missed", "amount"] == pytest.approx(82133.2)
    assert kk.loc["missed", "fault_coef"] == 0.8
    # ineligible cards: amount 0
    assert (k.loc[~k["eligible"], "amount"] == 0).all()
    # needs → agencies (data/needs.yaml)
    assert kk.loc["true_positive", "agencies"] == "医保局、卫健委、民政局、乡村振兴局"
    assert kk.loc["missed", "agencies"] == "人社局、总工会"
    # model explanations follow the rule path; the missed person is flagged by nobody
    assert "类型 > 名单 > 规则一" in kk.loc["true_positive", "explanation_models"]
    assert kk.loc["missed", "flagged_by"] == ""
    assert "同名不同人" in kk.loc["namesake_trap", "explanation_truth"]


def test_reproducible_and_seed_dependent(hand):
    pool, results = hand
    a = make_exercises(pool, n=5, seed=3, results=results)
    b = make_exercises(pool, n=5, seed=3, results=results)
    pd.testing.assert_frame_equal(a.key, b.key)
    assert [c.markdown() for c in a.cards] == [c.markdown() for c in b.cards]
    orders = {tuple(make_exercises(pool, n=5, seed=s, results=results).key["person_id"]) for s in range(4)}
    assert len(orders) > 1  # the seed shuffles the cards


def test_cards_are_masked(hand, hand_set):
    pool, _ = hand
    names = set(pool.truth["truth_persons"]["name"])
    for c in hand_set.cards:
        t = c.text() + c.markdown() + c.html()
        assert _scan(t) == []
        for n in names:
            assert n not in t, (c.card_id, n)
        assert "13912345678" not in t
    # the namesake trap shows the stranger's registry hit as a name-only match
    nk = hand_set.key.set_index("kind").loc["namesake_trap", "card_id"]
    card = next(c for c in hand_set.cards if c.card_id == nk)
    assert "仅姓名一致（身份证号不同）" in set(card.registry_hits["匹配方式"])


def test_hard_cards_give_no_hints(hand):
    pool, results = hand
    ex = make_exercises(pool, n=5, seed=3, difficulty="hard", results=results)
    assert all(not c.hints and "匹配方式" not in c.registry_hits.columns for c in ex.cards)
    with pytest.raises(ValueError):
        make_exercises(pool, n=5, difficulty="impossible", results=results)


def test_perfect_sheet_scores_100(hand_set):
    rep = grade(hand_set.perfect_sheet(), hand_set)
    assert rep.summary["score"] == 100.0
    assert rep.summary["accuracy"] == 1.0 and rep.summary["referral_coverage"] == 1.0
    assert rep.summary["amount_error"] == 0.0
    assert rep.messages == []
    assert rep.results["correct"].all()


@pytest.mark.parametrize("sheet", [None, pd.DataFrame(), [], "no/such/file.xlsx", 42, "garbage",
                                   pd.DataFrame({"foo": ["bar"]}), [{"x": 1}], {"E999-01": {"eligible": "是"}}])
def test_empty_or_garbled_sheet_scores_0(hand_set, sheet):
    rep = grade(sheet, hand_set)
    assert rep.summary["score"] == 0.0
    assert rep.summary["accuracy"] == 0.0
    assert rep.messages, "a clear message says why"
    assert len(rep.results) > 0 and not rep.results["correct"].any()


def test_blank_sheet_and_nonsense_answers(hand_set):
    rep = grade(hand_set.answer_sheet(), hand_set)
    assert rep.summary["score"] == 0.0 and rep.summary["n_answered"] == 0
    assert set(rep.results["message"]) == {"未作答"}
    assert any("答题卡为空" in m for m in rep.messages)
    junk = hand_set.answer_sheet()
    junk.iloc[:, 1:] = "???"
    rep = grade(junk, hand_set)
    assert rep.summary["score"] == 0.0 and any("无法识别" in m for m in rep.messages)


def test_partial_answers(hand_set):
    k = hand_set.key.set_index("kind")
    sheet = hand_set.perfect_sheet()
    tp = k.loc["true_positive", "card_id"]
    row = sheet["卡片编号"] == tp
    sheet.loc[row, "救助金额"] = float(k.loc["true_positive", "amount"]) * 1.5   # 50 % too much
    sheet.loc[row, "移送机关"] = "民政"                                          # subsistence only: 1 of 2 needs
    rep = grade(sheet, hand_set)
    r = rep.results.set_index(["card_id", "question"])
    assert not r.loc[(tp, "amount"), "correct"] and r.loc[(tp, "amount"), "error"] == pytest.approx(0.5)
    assert r.loc[(tp, "agencies"), "coverage"] == 0.5
    assert 0 < rep.summary["score"] < 100


def test_parsers():
    assert parse_eligible("是") is True and parse_eligible("否") is False and parse_eligible("maybe") is None
    assert parse_rules("rule1") == {"rule1"} and parse_rules("不符合，已谅解") == {"rule1"}
    assert parse_rules("符合") == {"eligible"} and parse_rules("???") is None
    assert parse_amount("10.5万") == 105000 and parse_amount("1,234元") == 1234 and parse_amount("abc") is None
    assert parse_agencies("民政、医保局") == {"民政局", "医保局"} and parse_agencies("无") == set()


def test_standard_coefficients_addon_and_cap():
    # 困境儿童 → tier 2 (7.5) and the high add-on group (mid of 5–10 = 7.5); death → tier 3 (12.5)
    # 10807 × (2 + 12.5) + 10807 × 7.5 = 237,754 < cap 36 × 7000 = 252,000
    c = standard_coefficients(case_type="criminal_injury", registries=[("困境儿童", None)], harm="死亡", fault=None,
                              standard=pinned_standard())
    assert (c["hardship_tier"], c["hardship_coef"], c["addon_coef"]) == (3, 12.5, 7.5)
    assert c["amount"] == pytest.approx(237754.0)
    # 持证残疾人 一级 → tier 3 and the high group: the same 237,754; with a wage of 5,000 (a reform
    # override) the cap is 36 × 5,000 = 180,000 and the amount is capped
    from jiuzhu_methods.amount import load_standard

    std = load_standard("guanyun", {**PINNED, "average_monthly_wage": {"value": 5000}})
    c = standard_coefficients(case_type="criminal_injury", registries=[("持证残疾人", "肢体一级")],
                              harm="伤害", fault="无责任", standard=std)
    assert (c["hardship_tier"], c["addon_group"]) == (3, "high")
    assert c["amount"] == 180000.0 and "封顶" in c["amount_explanation"]


def test_mask_text():
    ids = _ids(1)
    t = mask_text(f"张建国的身份证号是{ids[0]}，电话13812345678", ["张建国"])
    assert "张**" in t and ids[0] not in t and "13812345678" not in t and _scan(t) == []
    # the scanner itself finds an unmasked number, also when glued to other digits
    assert _scan(f"号码{ids[0]}。") == [ids[0]] and ids[0] in _scan(f"12{ids[0]}")
    assert _scan(mask_text(f"12{ids[0]}34")) == []


def test_exports_and_cli_grading(hand_set, tmp_path, capsys):
    files = hand_set.save(tmp_path / "set")
    assert {"cards.html", "cards.xlsx", "answer_sheet.xlsx", "key.html", "key.xlsx", "key.json"} <= set(files)
    from jiuzhu_methods.privacy import scan_outputs

    assert scan_outputs(tmp_path).empty
    for p in files.values():
        if p.suffix in (".html", ".json"):
            assert _scan(p.read_text(encoding="utf-8")) == []
    # the cards never carry the answers
    cards_html = (tmp_path / "set" / "cards.html").read_text(encoding="utf-8")
    assert "真相" not in cards_html and "ANSWER KEY" not in cards_html
    # grade a perfect sheet written to Excel, through the key file and the command line
    sheet = tmp_path / "mine.xlsx"
    hand_set.perfect_sheet().to_excel(sheet, sheet_name="答题卡", index=False)
    assert grade(sheet, tmp_path / "set" / "key.json").summary["score"] == 100.0
    blank = grade(tmp_path / "set" / "answer_sheet.xlsx", tmp_path / "set")
    assert blank.summary["score"] == 0.0
    from jiuzhu_methods.cli import main

    assert main(["exercise", "--grade", str(sheet), "--key", str(tmp_path / "set" / "key.json")]) == 0
    assert re.search(r"总分 %\s+100\b", capsys.readouterr().out)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01garbage")
    assert main(["exercise", "--grade", str(bad), "--key", str(tmp_path / "set")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"总分 %\s+0\b", out) and "\n! " in out   # a message says why
    data = json.loads((tmp_path / "set" / "key.json").read_text(encoding="utf-8"))
    assert len(data["key"]) == 5


# --------------------------------------------------------------------------- synthetic county
def _generate():
    try:
        from jiuzhu_methods.synth import generate
    except ImportError:
        pytest.skip("the synthetic generator has not landed")
    return generate


@pytest.fixture(scope="module")
def synth_pool():
    return _generate()("guanyun", scale=0.005, seed=7)


@pytest.fixture(scope="module")
def synth_results(synth_pool):
    from jiuzhu_methods.training import run_models

    return run_models(synth_pool)[0]


@pytest.fixture(scope="module")
def synth_set(synth_pool, synth_results):
    return make_exercises(synth_pool, n=12, seed=1, difficulty="medium", results=synth_results)


def test_synthetic_set(synth_pool, synth_set):
    ex = synth_set
    assert len(ex) >= 5
    kinds = set(ex.key["kind"])
    assert kinds == set(KINDS), ex.warnings   # every kind of card, every kind of trap
    # the key agrees with the truth tables
    v = synth_pool.truth["truth_victims"].set_index("victim_id")
    k = ex.key[ex.key["victim_id"].notna()]
    assert (k["eligible"].to_numpy() == v.loc[k["victim_id"], "judicial_aid_eligible"].astype(bool).to_numpy()).all()
    assert not ex.key.loc[ex.key["kind"].isin(TRAPS), "eligible"].any()
    assert ex.key.loc[ex.key["kind"].isin(["true_positive", "missed"]), "eligible"].all()
    # a true positive is flagged by a model (its rule path is in the key); a missed one by none
    tp = ex.key[ex.key["kind"] == "true_positive"]
    assert (tp["flagged_by"] != "").all() and tp["explanation_models"].str.contains(" > ").all()
    assert (ex.key.loc[ex.key["kind"] == "missed", "flagged_by"] == "").all()
    # masked: no valid ID number and no full name (three characters or more) of anyone in the pool
    names = [n for n in synth_pool.truth["truth_persons"]["name"].astype("str").unique() if len(n) >= 3]
    for c in ex.cards:
        t = c.text() + c.html()
        assert _scan(t) == []
        assert not [n for n in names if n in t], c.card_id
    assert grade(ex.perfect_sheet(), ex).summary["score"] == 100.0


def test_synthetic_reproducible(synth_pool, synth_set, synth_results):
    again = make_exercises(synth_pool, n=12, seed=1, difficulty="medium", results=synth_results)
    pd.testing.assert_frame_equal(synth_set.key, again.key)
    assert [c.markdown() for c in again.cards] == [c.markdown() for c in synth_set.cards]


# --------------------------------------------------------------------------- the notebook
def test_notebook_has_parameters_and_no_outputs():
    import nbformat

    from jiuzhu_methods.reporting import runner

    p = runner.notebooks_dir() / "07_training.ipynb"
    assert p in runner.list_notebooks()          # the runner picks it up
    nb = nbformat.read(p, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    for name in ("county", "seed", "scale", "data_dir", "out_dir"):
        assert re.search(rf"^{name} = ", nb.cells[0].source, re.M), name
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert not any(re.search(r"^\s*(def|class) ", c.source, re.M) for c in code)  # thin
    # the answer key comes after the exercises, in its own clearly marked section
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    key_at = next(i for i, t in enumerate(md) if "ANSWER KEY" in t)
    ex_at = next(i for i, t in enumerate(md) if t.startswith("## 3 练习"))
    assert ex_at < key_at


@pytest.mark.notebooks
@pytest.mark.slow
def test_notebook_runs(tmp_path):
    _generate()
    from jiuzhu_methods.reporting import runner
    from jiuzhu_methods.privacy import scan_outputs

    pool_dir = tmp_path / "pool"
    runner.ensure_pool("guanyun", pool_dir, scale=0.005, seed=7)
    params = runner.notebook_parameters("guanyun", pool_dir=pool_dir, out_dir=tmp_path / "out", scale=0.005, seed=7)
    r = runner.run_notebook(runner.notebooks_dir() / "07_training.ipynb", tmp_path / "out", params)
    assert r.ok, r.error
    assert r.summary["perfect_score"] == 100.0 and r.summary["n_cards"] == 10
    assert scan_outputs(tmp_path / "out").empty
    page = (tmp_path / "out" / "07_training.html").read_text(encoding="utf-8")
    assert page.index("ANSWER KEY") > page.index("E001-01")
