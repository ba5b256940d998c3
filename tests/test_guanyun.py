"""案例一 灌云: guanyun.screen (模型一) and guanyun.amount (模型二) on the hand-built pool of
tests/guanyun_pool.py (the table there says who is who and what each person should give)."""
import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import MODELS, DataPool, run_model
from jiuzhu_methods.models import guanyun

from guanyun_pool import NAMES, build, ids

N = NAMES


@pytest.fixture(scope="module")
def pool():
    return build()


def names(frame):
    return sorted(frame["name"])


def who(*letters):
    return sorted(N[x] for x in letters)


# ---------------------------------------------------------------- 模型一, published reading
def test_screen_published_reading(pool):
    r = guanyun.screen(pool)
    # candidates: P1 A, P3 B, P4 C, P5 D, P6 E, P7 F, P8 I, P9 J (not P2 X, a suspect) + PT1 G, PT3 A (not PT2 H, 其他)
    assert list(r.funnel["step"]) == ["case_types", "lookup", "rule1", "rule2", "rule3", "lock"]
    # rule1 drops C (her 谅解书 states 已获赔偿) and D (E1 执行完毕, the award J4 of his own case C4);
    # rule2 drops I, J (not found, no fact); A's petition (2022-06-01) is found: 农村低保 as it stood
    # that day is its 2022-04 snapshot, which lists her; rule3 drops E (法院 决定救助); lock keeps one
    # clue for A's two records
    assert list(r.funnel["n_out"]) == [10, 10, 8, 6, 5, 4]
    # A's D1b states 调解协议 but also 未达成/未赔偿 (non-performance): kept, and counted as such
    assert r.funnel.loc[2, "detail"] == {"removed_enforcement_paid": 1, "removed_settlement": 1,
                                         "enforcement_tie": {"case": 1, "cause": 0},
                                         "kept_settlement_not_performed": 1}
    assert r.funnel.loc[5, "detail"] == {"duplicates_removed": 1}
    assert names(r.clues) == who("A", "B", "F", "G")
    c = r.clues.set_index("name")
    assert c.loc[N["A"], "source"] == "proc_parties" and c.loc[N["A"], "source_ref"] == "P1"
    assert c.loc[N["A"], "case_type"] == "criminal_injury"
    assert c.loc[N["A"], "matched_registries"] == "农村低保"
    assert c.loc[N["A"], "matched_elements"] == "低收入人群"
    assert c.loc[N["A"], "rule_path"] == "case_types[刑事人身损害] > lookup[found] > rule1 > rule2[registry] > rule3 > lock"
    # B: 近亲属 in a 交通肇事罪 case; not on any list inside the window; the case file says 死亡
    assert c.loc[N["B"], "role"] == "近亲属" and not c.loc[N["B"], "in_pool"]
    assert c.loc[N["B"], "hardship_facts"] == "death" and c.loc[N["B"], "hardship_basis"] == "case_fact"
    assert c.loc[N["B"], "match"] == "case_record"
    # F: the plain reading takes "未构成重伤" as 重伤 (a literal keyword mistake the variant fixes)
    assert c.loc[N["F"], "hardship_facts"] == "serious_injury" and c.loc[N["F"], "case_type"] == "property_loss"
    # G: a 涉法涉诉 petitioner on two lists (listed in the order of the 7 data elements)
    assert c.loc[N["G"], "source"] == "petitions" and c.loc[N["G"], "case_type"] == "petition"
    assert c.loc[N["G"], "matched_registries"] == "持证残疾人、困难妇女"  # data-element order and c.loc[N["G"], "disability_grade"] == "1-2"
    # agencies from needs.yaml: 农村低保 → subsistence → 民政局、乡村振兴局; 困难妇女 → 妇联, 持证残疾人 → 残联
    assert c.loc[N["A"], "recommended_agencies"] == "民政局、乡村振兴局"
    assert c.loc[N["G"], "recommended_agencies"] == "妇联、残联"
    assert set(r.clues["clue_id"]) == {f"guanyun.screen-0000{i}" for i in range(1, 5)}


def test_suggestion_letters(pool):
    r = guanyun.screen(pool)
    L = r.lists["suggestion_letters"]
    # not found through any record and passing rules 1 and 3: B, F, I, J.
    # A is found (as a victim) even though her petition record is not; C, D fail rule 1; E fails rule 3
    assert names(L) == who("B", "F", "I", "J")
    assert L["recommended_agencies"].str.contains("民政局").all()  # 纳入低保 (subsistence)


def test_screen_linkage_fallback(pool):
    r = guanyun.screen(pool, linkage="fallback")
    # I's ID has a one-digit typo: exact linkage misses her 农村低保 record; name + birth date
    # (digits 7–14 still readable) finds it, at confidence 0.8, never shown as exact
    assert names(r.clues) == who("A", "B", "F", "G", "I")
    i = r.clues.set_index("name").loc[N["I"]]
    assert i["match"] == "name+birth_date" and i["confidence"] == 0.8
    assert names(r.lists["suggestion_letters"]) == who("B", "F", "J")


@pytest.mark.parametrize("snapshot, clues, letters", [
    # any snapshot: B and J are on 农村低保 in 2023-06 → found
    ("any", ("A", "B", "F", "G", "J"), ("F", "I")),
    # each list as it stands at its last snapshot: 农村低保 2023-06 (A, B, J); 困难妇女 and 持证残疾人
    # were last exported 2022-06 and list G then → G found (a list not exported in 2023-06 is not
    # an empty list)
    ("latest", ("A", "B", "F", "G", "J"), ("F", "I")),
])
def test_screen_snapshot_variants(pool, snapshot, clues, letters):
    r = guanyun.screen(pool, snapshot=snapshot)
    assert names(r.clues) == who(*clues)
    assert names(r.lists["suggestion_letters"]) == who(*letters)


def test_screen_window_months(pool):
    # a 16-month window from 2022-03 reaches the 2023-06 snapshot: same as "any" here
    assert names(guanyun.screen(pool, window_months=16).clues) == who("A", "B", "F", "G", "J")


def test_screen_negation_aware(pool):
    # "未构成重伤" is negated → F has no case fact and drops at rule 2 (still a letter)
    r = guanyun.screen(pool, negation="aware")
    assert names(r.clues) == who("A", "B", "G")
    assert N["F"] in set(r.lists["suggestion_letters"]["name"])


def test_screen_settlement_keywords(pool):
    # keywords, plain (case-wide): C1's 询问笔录 says "未达成调解协议" → 调解协议 hits → A's victim record P1
    # removed (C still removed by 谅解); A stays a clue through her petition PT3 (no case, so no
    # settlement test), found on 农村低保 as it stood on 2022-06-01
    r = guanyun.screen(pool, settlement="keywords")
    assert names(r.clues) == who("A", "B", "F", "G")
    assert r.clues.set_index("name").loc[N["A"], "source_ref"] == "PT3"
    # keywords, negation-aware: the negated 调解协议 no longer counts → A back; F's 重伤 negated too
    assert names(guanyun.screen(pool, settlement="keywords", negation="aware").clues) == who("A", "B", "G")


def test_screen_one_clue_per_person(pool):
    # move A's petition into the window of her 2022-04 snapshot: both records survive → one clue,
    # the criminal-injury record (first case type)
    pe = pool["petitions"].copy()
    pe.loc[pe["petition_id"] == "PT3", "received_on"] = pd.Timestamp("2022-03-01")
    r = guanyun.screen(pool.replace(petitions=pe))
    assert r.funnel.set_index("step").loc["lock", "detail"] == {"duplicates_removed": 1}
    a = r.clues.loc[r.clues["name"] == N["A"]]
    assert len(a) == 1 and a.iloc[0]["source_ref"] == "P1"


def test_screen_parameters_checked(pool):
    with pytest.raises(TypeError):
        guanyun.screen(pool, nonsense=1)
    for kw in ({"linkage": "name"}, {"negation": "x"}, {"snapshot": "first"}, {"settlement": "none"}):
        with pytest.raises(ValueError):
            guanyun.screen(pool, **kw)


def test_screen_empty_pool():
    from jiuzhu_methods import DataPool
    r = guanyun.screen(DataPool.from_frames({}))
    assert r.clues.empty and list(r.funnel["n_out"]) == [0] * 6


def test_registry_entry_points(pool):
    assert "guanyun.screen" in MODELS and "guanyun.amount" in MODELS
    assert names(run_model("guanyun.screen", pool).clues) == who("A", "B", "F", "G")
    d = guanyun.SCREEN_STEPS
    assert [s.source for s in d][2:5] == ["案例一 模型一 研判规则一", "案例一 模型一 研判规则二", "案例一 模型一 研判规则三"]


# ---------------------------------------------------------------- 模型二
def test_amount_by_hand(pool):
    a = guanyun.amount(pool, benchmark=10000)
    c = a.clues.set_index("name")
    # A: criminal_injury 2.0; 农村低保 → tier 2, mid 7.5; no add-on; fault missing → 1.0
    #    10000 × (2 + 7.5) = 95000
    # B: criminal_injury 2.0; 死亡 → tier 3, 12.5; fault 次要责任 0.8 → 10000 × 14.5 × 0.8 = 116000
    # F: property_loss 1.0; 重伤 → tier 2, 7.5 → 85000
    # G: petition 1.0; 持证残疾人 二级 → tier 3, 12.5; add-on: high (残疾人1-2级, k 7.5) and low
    #    (困难妇女, k 3) apply, the highest counts → 10000 × 13.5 + 10000 × 7.5 = 210000
    assert c.loc[N["A"], "amount"] == 95000.0
    assert c.loc[N["B"], "amount"] == 116000.0
    assert c.loc[N["F"], "amount"] == 85000.0
    assert c.loc[N["G"], "amount"] == 210000.0
    assert c.loc[N["G"], "addon_groups"] == "high、low" and c.loc[N["G"], "addon_coef"] == 7.5
    assert c.loc[N["B"], "fault_coef"] == 0.8 and c.loc[N["B"], "hardship_tier"] == 3
    assert not c["capped"].any()  # cap 36 × 6500 = 234000
    assert c.loc[N["B"], "amount_trace"] == "(10,000×(2.0+12.5) + 10,000×0.0)×0.8 = 116,000.00"
    assert list(a.funnel["step"]) == ["recipients", "base", "addon", "fault", "cap", "follow_up"]
    assert set(a.clues["model"]) == {"guanyun.amount"}
    t = a.lists["trace"].set_index("clue_id")
    assert t.loc[c.loc[N["G"], "clue_id"], "addon"] == 75000.0


def test_amount_published_benchmark(pool):
    a = guanyun.amount(pool)
    # benchmark 10807 (117.8万 / 109): A = 10807 × 9.5 = 102666.5
    assert a.clues.set_index("name").loc[N["A"], "amount"] == 102666.5
    assert a.params["profile"] == "guanyun"


def test_amount_addon_sum_and_cap(pool):
    s = guanyun.amount(pool, benchmark=10000, addon="sum", cap=False).clues.set_index("name")
    # G: 10000 × 13.5 + 10000 × (7.5 + 3) = 240000 (uncapped) …
    assert s.loc[N["G"], "amount"] == 240000.0
    # … and 36 × 6500 = 234000 with 灌云's cap
    s = guanyun.amount(pool, benchmark=10000, addon="sum").clues.set_index("name")
    assert s.loc[N["G"], "amount"] == 234000.0 and s.loc[N["G"], "capped"]
    # cap 36 × 2500 = 90000: A 95000 → 90000, B 116000 → 90000, F 85000 stays, G → 90000
    c = guanyun.amount(pool, benchmark=10000, overrides={"average_monthly_wage": {"value": 2500}}).clues
    c = c.set_index("name")
    assert [c.loc[N[x], "amount"] for x in "ABFG"] == [90000.0, 90000.0, 85000.0, 90000.0]
    assert c.loc[N["F"], "capped"] == False and c.loc[N["A"], "capped"] == True  # noqa: E712
    assert "cap 90,000" in c.loc[N["A"], "amount_trace"]
    u = guanyun.amount(pool, benchmark=10000, cap=False, overrides={"average_monthly_wage": {"value": 2500}}).clues
    assert u.set_index("name").loc[N["A"], "amount"] == 95000.0


def test_amount_profile(pool):
    a = guanyun.amount(pool, profile="shanxian")
    assert a.params["profile"] == "shanxian"
    assert set(a.clues["cap"]) == {36 * 5500.0}
    with pytest.raises(KeyError):
        guanyun.amount(pool, profile="atlantis")
    with pytest.raises(ValueError):
        guanyun.amount(pool, benchmark=-1)


def test_follow_up(pool):
    fu = guanyun.amount(pool).lists["follow_up"].set_index("name")
    # snapshots after each lookup window (case 2022-03 → after 2022-09): only 2023-06.
    # A found at screening and on 农村低保 again → still; B not found at screening, on 农村低保 now → newly;
    # F and G: no later snapshot → not listed
    assert sorted(fu.index) == who("A", "B")
    assert fu.loc[N["A"], "status"] == "still" and fu.loc[N["A"], "new_registries"] == ""
    assert fu.loc[N["B"], "status"] == "newly" and fu.loc[N["B"], "new_registries"] == "农村低保"
    assert str(fu.loc[N["B"], "last_seen"].date()) == "2023-06-01"


def test_amount_same_screen_variants(pool):
    a = guanyun.amount(pool, linkage="fallback")
    assert names(a.clues) == who("A", "B", "F", "G", "I")
    assert names(a.lists["suggestion_letters"]) == who("B", "F", "J")


def test_ids_are_valid():
    from jiuzhu_methods.core import identity
    assert all(identity.is_valid(v) for v in ids().values())


def test_lookup_matches_evidence(pool):
    lm = guanyun.screen(pool).lists["lookup_matches"]
    # A's victim record P1 (case 2022-03) links to R1 (2022-04, inside the 6-month window) and R2 (2023-06, outside)
    a = lm.loc[lm["source_ref"] == "P1"].set_index("registry_record_id")
    assert sorted(a.index) == ["R1", "R2"]
    assert bool(a.loc["R1", "in_window"]) and not bool(a.loc["R2", "in_window"])
    # I's typo ID links to nothing under linkage="id"
    assert "P8" not in set(lm["source_ref"])


def _with_deceased_victim(pool):
    """C2 (交通肇事罪, B is 近亲属) gains the deceased 被害人 K (no list, no ID problems)."""
    import numpy as np
    from jiuzhu_methods.core import identity
    k_id = str(identity.make_ids(np.array(["320723"]), np.array(["1955-05-05"], dtype="datetime64[D]"),
                                 np.array([7]))[0])
    pp = pool["proc_parties"]
    k = pd.DataFrame({"record_id": ["P10"], "case_id": ["C2"], "role": ["被害人"], "name": ["孔凯"],
                      "id_number": [k_id], "fault": [None]})
    return pool.replace(proc_parties=pd.concat([pp, k], ignore_index=True))


def test_death_fact_variant(pool):
    p = _with_deceased_victim(pool)
    # death="all" (default): the case fact 死亡 counts for every party of C2 → K (the deceased) is a clue too
    assert names(guanyun.screen(p).clues) == sorted(who("A", "B", "F", "G") + ["孔凯"])
    # death="relatives": C2 lists a 近亲属 (B), so the death is B's hardship, not K's → K drops at rule 2
    r = guanyun.screen(p, death="relatives")
    assert names(r.clues) == who("A", "B", "F", "G")
    assert "孔凯" in set(r.lists["suggestion_letters"]["name"])   # not found, passes rules 1 and 3


def test_extended_facts_variant(pool):
    docs = pd.concat([pool["proc_documents"], pd.DataFrame({
        "doc_id": ["D8b"], "case_id": ["C8"], "doc_type": ["询问笔录"], "text": ["被害人金杰家庭经济困难，无固定收入。"]})],
        ignore_index=True)
    p = pool.replace(proc_documents=docs)
    # published facts: poverty words are no case fact → J (not found in the window) is a letter only
    assert N["J"] not in set(guanyun.screen(p).clues["name"])
    # facts="extended": 经济困难 / 无固定收入 → fact poverty → J is a clue; amount tier 1 (poverty → 1):
    # 10000 × (2.0 + 3.0) = 50000
    r = guanyun.screen(p, facts="extended")
    assert N["J"] in set(r.clues["name"])
    assert r.clues.set_index("name").loc[N["J"], "hardship_facts"] == "poverty"
    a = guanyun.amount(p, facts="extended", benchmark=10000).clues.set_index("name")
    assert a.loc[N["J"], "hardship_tier"] == 1 and a.loc[N["J"], "amount"] == 50000.0
    with pytest.raises(ValueError):
        guanyun.screen(p, facts="all")
    with pytest.raises(ValueError):
        guanyun.screen(p, death="none")


def test_text_parameters_from_the_command_line(pool):
    # jiuzhu screen guanyun.amount POOL -p benchmark=10000 -p cap=false -p window_months=16
    a = guanyun.amount(pool, benchmark="10000", cap="false", window_months="16")
    assert a.clues.set_index("name").loc[N["A"], "amount"] == 95000.0 and not a.clues["capped"].any()
    assert N["J"] in set(a.clues["name"])   # the 16-month window reaches J's 2023-06 snapshot


def test_amount_for_past_procuratorate_recipients(pool):
    # two 检察院 决定救助 records: C (case C3, decided 2022-04-01, paid 30000) and G (no linked case,
    # decided 2022-06-01, paid 20000). E's 法院 decision and A's 不予救助 are not recipients.
    ja = pool["judicial_aid"]
    extra = pd.DataFrame({"aid_id": ["J3", "J4"], "name": [N["C"], N["G"]],
                          "id_number": [ids()["C"], ids()["G"]], "agency": ["检察院", "检察院"],
                          "case_id": ["C3", None], "applied_on": ["2022-03-20", "2022-05-20"],
                          "decided_on": ["2022-04-01", "2022-06-01"], "paid_on": [None, None],
                          "status": ["决定救助", "决定救助"], "amount": [30000.0, 20000.0]})
    p = pool.replace(judicial_aid=pd.concat([ja, extra], ignore_index=True))
    a = guanyun.amount(p, recipients="judicial_aid", benchmark=10000)
    c = a.clues.set_index("name")
    assert sorted(c.index) == who("C", "G")
    # C: criminal_injury 2.0; 城市低保 in the 2022-04 snapshot → tier 2 (7.5) → 10000 × 9.5 = 95000 (paid 30000)
    assert c.loc[N["C"], "case_type"] == "criminal_injury" and c.loc[N["C"], "role"] == "被害人"
    assert c.loc[N["C"], "amount"] == 95000.0 and c.loc[N["C"], "actual_amount"] == 30000.0
    # G: no case → "unknown", coefficient 1.0; 持证残疾人 二级 → tier 3 (12.5); add-on 7.5
    #    10000 × 13.5 + 10000 × 7.5 = 210000
    assert c.loc[N["G"], "case_type"] == "unknown" and c.loc[N["G"], "amount"] == 210000.0
    assert c.loc[N["C"], "source"] == "judicial_aid" and c.loc[N["C"], "source_ref"] == "J3"
    with pytest.raises(ValueError):
        guanyun.amount(p, recipients="everyone")


@pytest.mark.parametrize("mode", ["id", "id+name", "fallback"])
def test_deduplicated_link_equals_plain_link(pool, mode):
    # the lookup links each distinct registry identity once and expands back to every snapshot row
    from jiuzhu_methods.core import linkage
    cand = guanyun._candidates(pool)
    reg = guanyun._registries(pool)
    plain = linkage.link(cand, reg, linkage=mode).sort_values(["left", "right"]).reset_index(drop=True)
    dedup = guanyun._link_deduplicated(cand, reg, mode)
    assert dedup.assign(right=reg.index[dedup["right"]]).equals(plain)   # right: positions in reg
    # restricted to some rows (positions): the pairs of those rows only
    rows = np.arange(1, len(reg), 2)
    part = linkage.link(cand, reg.iloc[rows], linkage=mode).sort_values(["left", "right"]).reset_index(drop=True)
    dedup = guanyun._link_deduplicated(cand, reg, mode, rows)
    assert dedup.assign(right=reg.index[dedup["right"]]).equals(part)
    # labels out of order: each left's rows still come by label
    shuffled = reg.iloc[::-1]
    dedup = guanyun._link_deduplicated(cand, shuffled, mode)
    assert dedup.assign(right=shuffled.index[dedup["right"]]).equals(plain)
    # A's two 农村低保 snapshots R1, R2 share one identity: both rows come back
    assert len(plain) >= 2


@pytest.mark.parametrize("mode", ["id", "id+name", "fallback"])
def test_linkable_rows_give_the_same_pairs(pool, mode):
    # the lookup links only the registry rows that can pair with a candidate; noisy spellings of a
    # candidate's ID (full-width digits, spaces, lower-case x, the 15-digit form) must be kept
    from jiuzhu_methods.core import linkage
    cand = guanyun._candidates(pool)
    reg = guanyun._registries(pool)
    a = ids()["A"]
    old15 = a[:6] + a[8:17]  # the 15-digit form of A's ID normalises back to A's ID
    noisy = [a.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")), f" {a[:6]} {a[6:14]} {a[14:]} ",
             a[:-1] + a[-1].lower(), old15, a[:-1], None]
    extra = pd.DataFrame({"record_id": [f"RN{i}" for i in range(len(noisy))], "registry": "城市低保",
                          "agency": "民政局", "name": [N["A"], N["A"], " " + N["A"], N["A"], N["A"], N["I"]],
                          "id_number": noisy, "detail": None, "address": None, "phone": None,
                          "as_of": pd.Timestamp("2022-04-01")})
    reg = pd.concat([reg, extra.astype(reg.dtypes.to_dict())], ignore_index=True)
    mask = guanyun._linkable(cand, reg, mode)
    plain = linkage.link(cand, reg, linkage=mode)
    assert linkage.link(cand, reg.loc[mask], linkage=mode).equals(plain)
    # exactly the rows of some pair are kept: the four noisy spellings of A's valid ID link by ID
    # (full-width digits, spaces, lower-case x, the 15-digit form); A's ID without its check digit
    # and a missing ID never link by ID, and with fallback they have no second identifier that
    # agrees (no birth date in 17 digits, no phone, no address), so they go too
    assert set(reg.index[mask]) == set(plain["right"])
    assert set(reg.loc[mask, "record_id"]) & set(extra["record_id"]) == {"RN0", "RN1", "RN2", "RN3"}


def test_join_sorted_in_order_then_text():
    # distinct values per key, the ``order`` first, then the rest in code-point order; keys sorted
    from jiuzhu_methods.core.values import join_sorted
    v = pd.Series(["b", "特困", "a", "低保", "b", None, "低保"], dtype="str")
    k = pd.Series([2, 2, 2, 2, 1, 1, 5])
    out = join_sorted(v, k, ["低保", "特困"])
    assert out.to_dict() == {1: "b", 2: "低保、特困、a、b", 5: "低保"}
    assert list(out.index) == [1, 2, 5]
    assert join_sorted(pd.Series([], dtype="str"), pd.Series([], dtype="int64")).empty


def test_distinct_rows_codes_in_order_of_first_appearance():
    df = pd.DataFrame({"a": ["x", "y", "x", None, "x"], "b": ["1", "1", "1", None, "2"]})
    code, first = guanyun._distinct_rows(df, ["a", "b"])
    # (x,1) (y,1) (x,1) (missing, missing) (x,2)
    assert code.tolist() == [0, 1, 0, 2, 3] and first.tolist() == [0, 1, 3, 4]
    # positions 4, 2, 0: (x,2) (x,1) (x,1); first is a position in rows
    code, first = guanyun._distinct_rows(df, ["a", "b"], np.array([4, 2, 0]))
    assert code.tolist() == [0, 1, 1] and first.tolist() == [0, 1]
    # one column: "x" rows share a code whatever b says
    assert guanyun._distinct_rows(df, ["a"])[0].tolist() == [0, 1, 0, 2, 0]
    # no column: one code
    code, first = guanyun._distinct_rows(df, [])
    assert code.tolist() == [0] * 5 and first.tolist() == [0]


def test_grade_at_positions():
    detail = pd.Series(["肢体残疾二级", None, "因病致困", "视力残疾三级", "精神残疾4级"], dtype="str")
    assert guanyun._grade(detail, np.array([3, 0, 1, 2, 4, 0])).tolist() == ["3-4", "1-2", "", "", "3-4", "1-2"]


@pytest.mark.parametrize("mode", ["id", "id+name", "fallback"])
def test_linked_through_parties_equals_plain_link(pool, mode):
    # _linked decides a candidate as its proc_parties row (the pool table's kept keys): the same
    # rows as link(frame, right) on the frame itself, for every right side the screen uses
    from jiuzhu_methods.core import linkage
    cand = guanyun._candidates(pool)
    enf = pool["court_enforcements"]
    enf_cols = {"id_col": "applicant_id_number", "name_col": "applicant_name", "phone_col": None, "address_col": None}
    for right, rc in [(enf, enf_cols), (pool["judicial_aid"], guanyun._NO_CONTACT), (pool["registries"], None)]:
        plain = cand.index.isin(linkage.link(cand, right, linkage=mode, right_cols=rc)["left"])
        assert guanyun._linked(cand, right, pool, mode, right_cols=rc).tolist() == plain.tolist()
        # without the column every row is linked as it is: same answer
        assert guanyun._linked(cand.drop(columns="_party_row"), right, pool, mode,
                               right_cols=rc).tolist() == plain.tolist()
    # by hand: the enforcements' applicants are D (E1, P5) and A (E2, P1): those two party rows;
    # A's petition PT3 (no _party_row) is linked as it is and pairs with E2 too
    hit = guanyun._linked(cand, enf, pool, mode, right_cols=enf_cols)
    assert sorted(cand.loc[hit, "source_ref"]) == ["P1", "P5", "PT3"]
    # the party row is what counts: a row carrying B's name and ID but pointing at P5 (D) is D
    p5 = int(np.flatnonzero(pool["proc_parties"]["record_id"] == "P5")[0])
    odd = cand.loc[cand["source_ref"] == "P3"].assign(_party_row=p5)
    assert guanyun._linked(odd, enf, pool, mode, right_cols=enf_cols).tolist() == [True]
    assert guanyun._linked(cand.iloc[:0], enf, pool, mode, right_cols=enf_cols).tolist() == []


@pytest.mark.parametrize("mode", ["id", "id+name", "fallback"])
def test_link_listed_equals_deduplicated_link(pool, mode):
    # the lookup's one join on the whole table gives the pairs of the old two-pass path
    # (linkable rows of the listed registries, linked once per identity), rows as positions
    from jiuzhu_methods import DataPool
    cand = guanyun._candidates(pool)
    reg = pool["registries"]
    extra = reg.iloc[[0]].assign(record_id="RX", registry="不在数据要素中的名单")   # A, not a data element
    reg2 = pd.concat([reg, extra], ignore_index=True)
    new = guanyun._link_listed(cand, reg2, mode)
    old = guanyun._link_deduplicated(cand, reg2, mode, np.flatnonzero(reg2["registry"] != "不在数据要素中的名单"))
    assert new.equals(old)
    assert len(reg2) - 1 not in set(new["right"])        # the unlisted row of A never comes back
    # by hand (id): A's P1 and PT3 each pair with R1 and R2 (positions 0, 1)
    a = cand.index[cand["source_ref"].isin(["P1", "PT3"])]
    got = new.loc[new["left"].isin(a)]
    assert got["right"].tolist() == [0, 1, 0, 1] or mode != "id"


def test_after_window_reads_the_lookup_pairs():
    # recipients 0 and 1 are lookup rows 5 and 2; case month 2022-03, window 6 → after 2022-09-01
    frame = pd.DataFrame({"case_date": pd.to_datetime(["2022-03-10", "2022-03-20"]).astype("datetime64[us]")})
    m_all = pd.DataFrame({
        "row": [2, 2, 5, 5, 7],
        "registry": pd.array(["低保a", "低保b", "特困c", "特困e", "other"], dtype="str"),
        "as_of": pd.to_datetime(["2022-04-01", "2023-06-01", "2022-10-01", "2022-09-01", "2024-01-01"])
        .astype("datetime64[us]")})
    out = guanyun._after_window(frame, m_all, pd.Index([5, 2]), None)
    # row 2: only 2023-06 is after; row 5: 2022-10 (2022-09-01 is the window's last month, not after);
    # row 7 is no recipient; ordered by recipient
    assert out["row"].tolist() == [0, 1] and out["registry"].tolist() == ["特困c", "低保b"]
    assert out["as_of"].tolist() == [pd.Timestamp("2022-10-01"), pd.Timestamp("2023-06-01")]
    # window 12 → after 2023-03-01: only 2023-06 of row 2
    assert guanyun._after_window(frame, m_all, pd.Index([5, 2]), 12)["registry"].tolist() == ["低保b"]
    # no case date: never after the window
    nodate = frame.assign(case_date=pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us]"))
    assert guanyun._after_window(nodate, m_all, pd.Index([5, 2]), None).empty


@pytest.mark.parametrize("mode", ["id", "id+name", "fallback"])
def test_amount_follow_up_equals_a_fresh_query(pool, mode):
    # amount reads 接续救助 from the lookup's pairs; the public follow_up links the clues again
    a = guanyun.amount(pool, linkage=mode, snapshot="any")
    s = guanyun.screen(pool, linkage=mode, snapshot="any")
    fresh = guanyun.follow_up(s.clues, pool, linkage_mode=mode)
    fresh["clue_id"] = fresh["clue_id"].str.replace("guanyun.screen", "guanyun.amount", regex=False)
    pd.testing.assert_frame_equal(a.lists["follow_up"], fresh)
    assert N["B"] in set(fresh["name"])       # B: 农村低保 2023-06, after the window


def test_formatted_once_per_value():
    s = pd.Series([1234.5, 0.0, -0.0, np.nan, 1234.5, 2e6], index=[3, 1, 4, 1, 5, 9])
    out = guanyun._formatted(s, "{:,.2f}")
    assert out.tolist() == ["1,234.50", "0.00", "-0.00", "nan", "1,234.50", "2,000,000.00"]
    assert out.index.tolist() == [3, 1, 4, 1, 5, 9] and out.dtype == "str"
    assert guanyun._formatted(pd.Series([], dtype="float64"), "{:,.0f}").empty


def _same_result(a, b):
    pd.testing.assert_frame_equal(a.clues, b.clues)
    pd.testing.assert_frame_equal(a.funnel, b.funnel)
    assert sorted(a.lists) == sorted(b.lists)
    for k in a.lists:
        pd.testing.assert_frame_equal(a.lists[k], b.lists[k])
    assert a.params == b.params


@pytest.mark.parametrize("params", [{}, {"linkage": "fallback"}, {"snapshot": "any", "window_months": 3}])
def test_amount_given_the_screen_is_the_amount(pool, params, monkeypatch):
    s = guanyun.screen(pool, **params)
    expected = guanyun.amount(pool, **params)
    # given the screen's result, the amount does not run the screen again …
    monkeypatch.setattr(guanyun, "_run_screen", lambda *a, **k: pytest.fail("the screen ran again"))
    got = guanyun.amount(pool, screen=s, **params)
    # … and its output is the same, follow-up (read from the screen's lookup pairs) included:
    # with the published reading, A still on 农村低保 and B newly on it (test_follow_up)
    _same_result(expected, got)
    if not params:
        assert sorted(got.lists["follow_up"]["name"]) == who("A", "B")
    assert run_model("guanyun.amount", pool, screen=s, **params).clues.equals(expected.clues)


def test_amount_given_a_wrong_screen_is_an_error(pool):
    s = guanyun.screen(pool)
    # other screen parameters than the amount's
    with pytest.raises(ValueError, match=r"other parameters.*linkage: screen 'id' vs amount 'fallback'"):
        guanyun.amount(pool, linkage="fallback", screen=s)
    # another pool, even with the same tables
    other = guanyun_pool_copy(pool)
    with pytest.raises(ValueError, match="this same pool"):
        guanyun.amount(other, screen=s)
    # not a screen result: another model's, or one built by hand
    with pytest.raises(ValueError, match="takes the result of guanyun.screen"):
        guanyun.amount(pool, screen=guanyun.amount(pool))
    from jiuzhu_methods.core.steps import ModelResult
    with pytest.raises(ValueError, match="this same pool"):
        guanyun.amount(pool, screen=ModelResult("guanyun.screen", s.clues, s.funnel, s.lists, s.params))
    # the recipients of judicial_aid are not the screen's
    with pytest.raises(ValueError, match='recipients="screen"'):
        guanyun.amount(pool, recipients="judicial_aid", screen=s)
    # a result changed after the screen returned it
    s.clues = s.clues.iloc[:1]
    with pytest.raises(ValueError, match="changed after the screen"):
        guanyun.amount(pool, screen=s)
    s2 = guanyun.screen(pool)
    s2.clues["note"] = "x"
    with pytest.raises(ValueError, match="changed after the screen"):
        guanyun.amount(pool, screen=s2)


def guanyun_pool_copy(pool):
    from jiuzhu_methods import DataPool
    return DataPool(pool.tables, dict(pool.truth), pool.meta, pool.ledger)


def test_screen_result_carries_its_run_but_not_its_pool(pool):
    import gc
    import pickle
    other = guanyun_pool_copy(pool)
    s = guanyun.screen(other)
    # the run's parts travel with the result (ModelResult.context), not in a side table …
    assert s.context is not None and s.context.pool() is other
    assert s.context.results["_lookup_matches"] is not None
    # … and are no output: not printed, not compared, not pickled
    assert "context" not in repr(s) and "Context" not in repr(s)
    from jiuzhu_methods.core.steps import ModelResult
    bare = ModelResult(s.model, s.clues, s.funnel, s.lists, s.params)
    assert bare.context is None and bare == s
    back = pickle.loads(pickle.dumps(s))
    assert back.context is None and back.clues.equals(s.clues)
    # a result does not keep its county alive
    del other
    gc.collect()
    assert s.context.pool() is None
    with pytest.raises(ValueError, match="this same pool"):
        guanyun.amount(pool, screen=s)


# ============================================================== issue 15: the published rules read right
def _ids(n, seq0=500):
    from jiuzhu_methods.core import identity
    births = np.array([f"19{50 + i}-0{1 + i % 9}-2{i % 8}" for i in range(n)], dtype="datetime64[D]")
    return [str(x) for x in identity.make_ids(np.array(["320723"] * n), births, np.arange(seq0, seq0 + n))]


def _registry(rows):
    """rows: (record_id, registry, name, id_number, as_of)."""
    reg = pd.DataFrame(rows, columns=["record_id", "registry", "name", "id_number", "as_of"])
    return reg.assign(agency="民政局", detail=None, address=None, phone=None)


# ------------------------------------------------ item 1: 平台检索 as the registries stand at the case
def _lookup_pool(accepted, reg_rows):
    """One 故意伤害罪 case K accepted on ``accepted`` with one victim 潘一 (no document, so no case
    fact); ``reg_rows``: (registry, who, as_of) with who "V" (the victim) or "O" (someone else)."""
    v, o = _ids(2)
    cases = pd.DataFrame({"case_id": ["K"], "business": ["刑事检察"], "stage": ["审查起诉"], "charge": ["故意伤害罪"],
                          "accepted_on": [accepted], "county_code": ["320723"]})
    parties = pd.DataFrame({"record_id": ["PV"], "case_id": ["K"], "role": ["被害人"], "name": ["潘一"],
                            "id_number": [v], "fault": [None]})
    who = {"V": ("潘一", v), "O": ("欧二", o)}
    reg = _registry([(f"R{i}", r, *who[w], d) for i, (r, w, d) in enumerate(reg_rows)])
    return DataPool.from_frames({"proc_cases": cases, "proc_parties": parties, "registries": reg})


def test_lookup_registry_as_it_stood_at_the_case_date():
    # accepted 2022-06-15; 农村低保 was last refreshed 2022-05-01 before that day, and that snapshot
    # lists him: the platform holds him → found, a clue by the registry, no 社会救助建议函.
    # (The old reading searched 2022-06 … 2022-12 only: no hit, no clue, a letter.)
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-05-01")])
    r = guanyun.screen(p)
    assert names(r.clues) == ["潘一"] and names(r.lists["suggestion_letters"]) == []
    c = r.clues.iloc[0]
    assert c["matched_registries"] == "农村低保" and c["hardship_basis"] == "registry"
    assert str(c["first_match_on"].date()) == "2022-05-01"
    assert r.funnel.set_index("step").loc["lookup", "detail"]["found"] == 1


def test_lookup_case_after_the_last_snapshot():
    # accepted 2023-08-10, the pool's last snapshot is 2023-06-01 (listing him): as the list stood
    # that day → found (the old window 2023-08 … 2024-02 held no snapshot at all)
    p = _lookup_pool("2023-08-10", [("农村低保", "V", "2023-05-01"), ("农村低保", "V", "2023-06-01")])
    r = guanyun.screen(p)
    assert names(r.clues) == ["潘一"]
    # only the latest snapshot at or before the day is the list as it stood: 2023-06 in window, 2023-05 not
    lm = r.lists["lookup_matches"].set_index("registry_record_id")
    assert lm["in_window"].to_dict() == {"R0": False, "R1": True}


def test_lookup_a_later_refresh_without_him_means_he_left_the_list():
    # 农村低保 2022-04 lists him; its 2022-05 refresh (before the case, 2022-06-15) lists someone else,
    # not him: the list as it stood no longer holds him → not found → a letter, no clue
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-04-01"), ("农村低保", "O", "2022-05-01")])
    r = guanyun.screen(p)
    assert names(r.clues) == [] and names(r.lists["suggestion_letters"]) == ["潘一"]
    # each list has its own calendar: 城市低保 refreshed 2022-06-01 (someone else) does not hide his
    # 农村低保 of 2022-05 (that list's latest snapshot before the case)
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-05-01"), ("城市低保", "O", "2022-06-01")])
    assert names(guanyun.screen(p).clues) == ["潘一"]


def test_lookup_later_snapshots_inside_the_window():
    # accepted 2022-06-15, window to 2022-12-01 (6 months from the case month): on the list only from
    # 2022-09 → found; only from 2023-03 → not found at screening (a letter) but 接续救助 later
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-09-01")])
    assert names(guanyun.screen(p).clues) == ["潘一"]
    p = _lookup_pool("2022-06-15", [("农村低保", "O", "2022-06-01"), ("农村低保", "V", "2023-03-01")])
    r = guanyun.screen(p)
    assert names(r.clues) == [] and names(r.lists["suggestion_letters"]) == ["潘一"]
    # the follow-up (period="after") reads the snapshots after the window: 2023-03 → "newly"
    frame = r.lists["suggestion_letters"].assign(matched_registries="", in_pool=False, recommended_agencies="",
                                                 clue_id="x")
    fu = guanyun.follow_up(frame, p)
    assert fu["status"].tolist() == ["newly"] and fu["new_registries"].tolist() == ["农村低保"]


def test_lookup_follow_up_and_screen_do_not_overlap():
    # as-stood 2022-05 and later 2022-09 are the screen's; 2023-03 the follow-up's; never both
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-05-01"), ("农村低保", "V", "2022-09-01"),
                                    ("农村低保", "V", "2023-03-01")])
    a = guanyun.amount(p)
    fu = a.lists["follow_up"]
    assert fu["status"].tolist() == ["still"] and str(fu["last_seen"].iloc[0].date()) == "2023-03-01"
    lm = a.lists["lookup_matches"].set_index("registry_record_id")
    assert lm["in_window"].to_dict() == {"R0": True, "R1": True, "R2": False}
    frame = pd.DataFrame({"name": ["潘一"], "id_number": [p["proc_parties"]["id_number"].iloc[0]],
                          "case_date": pd.to_datetime(["2022-06-15"]).astype("datetime64[us]")})
    screen_rows = set(guanyun.registry_matches(frame, p)["registry_record_id"])
    after_rows = set(guanyun.registry_matches(frame, p, period="after")["registry_record_id"])
    assert screen_rows == {"R0", "R1"} and after_rows == {"R2"}
    with pytest.raises(ValueError, match="period"):
        guanyun.registry_matches(frame, p, period="later")


@pytest.mark.parametrize("snapshot, found", [
    # "window" (default): 农村低保 as it stood on 2022-06-15 is its 2022-05 snapshot, without him
    ("window", False),
    # "latest": each list's own last snapshot — 农村低保 2023-06 lists him
    ("latest", True),
    # "any": some snapshot lists him
    ("any", True),
])
def test_lookup_snapshot_variants(snapshot, found):
    p = _lookup_pool("2022-06-15", [("农村低保", "V", "2022-04-01"), ("农村低保", "O", "2022-05-01"),
                                    ("农村低保", "V", "2023-06-01"), ("城市低保", "O", "2023-09-01")])
    # (城市低保's later 2023-09 snapshot is not 农村低保's: "latest" is per list, not the pool's last month)
    assert (names(guanyun.screen(p, snapshot=snapshot).clues) == ["潘一"]) == found


def test_snapshot_calendar_shuffled_equals_grouped():
    # the calendar reads run starts of a grouped table and every row of a shuffled one: same answers
    rows = [(f"R{i}", r, "某", None, d) for i, (r, d) in enumerate(
        [("农村低保", "2022-01-01")] * 3 + [("农村低保", "2022-03-01")] * 2 + [("城市低保", "2022-02-01")] * 4
        + [("不在数据要素中的名单", "2022-04-01")])]
    reg = _registry(rows).astype({"as_of": "datetime64[us]", "registry": "str"})
    grouped = guanyun.SnapshotCalendar(reg)
    shuffled = reg.iloc[[9, 0, 5, 3, 6, 1, 7, 4, 8, 2]].reset_index(drop=True)
    mixed = guanyun.SnapshotCalendar(shuffled)
    day = lambda s: guanyun._days(np.array([s], dtype="datetime64[us]"))[0]   # noqa: E731
    for cal, tab in ((grouped, reg), (mixed, shuffled)):
        code = {v: int(np.flatnonzero(cal.names.to_numpy() == v)[0]) for v in ("农村低保", "城市低保")}
        c = np.array([code["农村低保"]])
        # 农村低保 has 2022-01 and 2022-03: on 2022-02-15 it stood as of 2022-01; on 2022-03-15 as of 2022-03
        assert cal.stood(c, day("2022-01-01"), day("2022-02-15")).tolist() == [True]
        assert cal.stood(c, day("2022-01-01"), day("2022-03-15")).tolist() == [False]
        assert cal.stood(c, day("2022-03-01"), day("2022-03-15")).tolist() == [True]
        assert cal.stood(c, day("2022-03-01"), day("2022-02-15")).tolist() == [False]   # after the date
        # last snapshots per list; the unlisted name has none
        assert cal.is_last(c, day("2022-03-01")).tolist() == [True]
        assert cal.is_last(np.array([code["城市低保"]]), day("2022-02-01")).tolist() == [True]


# ------------------------------------------------ items 2 and 3: 研判规则一 per victim and per case
# Everyone below is on 农村低保 in the 2022-03 snapshot (so rule 2 keeps whoever rule 1 keeps) and
# no one was aided (rule 3 keeps all). Cases accepted 2022-03-10.
#
# case  charge / parties                       documents, enforcements           rule 1 (content)
# K1    故意伤害罪 被害人 朴一 (甲), 齐二 (乙)    谅解书 "本人朴一已获赔偿…"          朴一 removed; 齐二 kept
# K2    故意伤害罪 被害人 宋三, 近亲属 宋四      起诉书 "已赔偿被害人全部经济损失"    both removed (one victim)
# K3    故意伤害罪 被害人 于五                   和解协议书 … 至今分文未得，协议未履行  kept (not performed)
# K4    故意伤害罪 被害人 韦六                   和解协议书 (分期赔偿) + 询问笔录      kept (not performed,
#                                              "至今分文未得"                       in another document)
# K5    诈骗罪 被害人 吴七, 武八                起诉书 "已赔偿被害人经济损失"        both kept (names none of
#                                              (names neither)                    two victims)
# K6    故意伤害罪 被害人 何九                   own award JK6 终本 10000 of 80000;   kept
#                                              unrelated debts paid in full (no
#                                              judgment; JD 买卖合同纠纷)
# K7    故意伤害罪 被害人 贺十                   own award JK7 执行完毕               removed (tie: case)
# K8    民事 机动车交通事故责任纠纷 申请人 孔十一  JC8 (民事, same 案由, no case no.)    removed (tie: cause)
#                                              执行完毕
# K9    故意伤害罪 被害人 魏十三                 询问笔录 "被告人没有一次性赔偿"       plain: removed (literal);
#                                                                                 aware: kept
# PT    petition 涉法涉诉 彭十二                 JP (刑事 故意伤害罪, no case) 执行完毕  removed (tie: cause)
RULE1 = ["朴一", "齐二", "宋三", "宋四", "于五", "韦六", "吴七", "武八", "何九", "贺十", "孔十一", "魏十三", "彭十二"]


def _rule1_pool():
    I = dict(zip(RULE1, _ids(len(RULE1), 700)))
    case_rows = [("K1", "故意伤害罪"), ("K2", "故意伤害罪"), ("K3", "故意伤害罪"), ("K4", "故意伤害罪"), ("K5", "诈骗罪"),
                 ("K6", "故意伤害罪"), ("K7", "故意伤害罪"), ("K8", "机动车交通事故责任纠纷"), ("K9", "故意伤害罪")]
    cases = pd.DataFrame(case_rows, columns=["case_id", "charge"]).assign(
        business=lambda d: np.where(d["case_id"] == "K8", "民事检察", "刑事检察"),
        stage=lambda d: np.where(d["case_id"] == "K8", "执行监督", "审查起诉"),
        accepted_on="2022-03-10", county_code="320723")
    party_rows = [("K1", "被害人", "朴一"), ("K1", "被害人", "齐二"), ("K2", "被害人", "宋三"), ("K2", "近亲属", "宋四"),
                  ("K3", "被害人", "于五"), ("K4", "被害人", "韦六"), ("K5", "被害人", "吴七"), ("K5", "被害人", "武八"),
                  ("K6", "被害人", "何九"), ("K7", "被害人", "贺十"), ("K8", "申请人", "孔十一"), ("K9", "被害人", "魏十三")]
    parties = pd.DataFrame(party_rows, columns=["case_id", "role", "name"]).assign(
        record_id=lambda d: [f"Q{i}" for i in range(len(d))], id_number=lambda d: d["name"].map(I), fault=None)
    docs = pd.DataFrame([
        ("K1", "谅解书", "谅解书。本人朴一已获赔偿，对被告人表示谅解。"),
        ("K1", "询问笔录", "询问笔录（被害人齐二）。被害人陈述被打伤经过。"),
        ("K2", "起诉书", "起诉书。被告人故意伤害他人，案发后已赔偿被害人全部经济损失。"),
        ("K3", "和解协议书", "和解协议书。甲方于五，乙方某某。双方达成和解协议，约定分期赔偿五万元，至今分文未得，协议未履行。"),
        ("K4", "和解协议书", "和解协议书。甲方韦六，乙方某某。双方达成和解协议，乙方分期赔偿五万元。"),
        ("K4", "询问笔录", "询问笔录（被害人韦六）。协议是签了，可说好的钱至今分文未得。"),
        ("K5", "起诉书", "起诉书。被告人诈骗多名老人钱款，案发后已赔偿被害人经济损失。"),
        ("K5", "询问笔录", "询问笔录（被害人吴七）。被骗走养老钱。"),
        ("K5", "询问笔录", "询问笔录（被害人武八）。被骗走积蓄。"),
        ("K9", "询问笔录", "询问笔录（被害人魏十三）。被告人没有一次性赔偿。"),
    ], columns=["case_id", "doc_type", "text"]).assign(doc_id=lambda d: [f"W{i}" for i in range(len(d))])
    judgments = pd.DataFrame([
        ("JK6", "刑事", "故意伤害罪", "K6"), ("JK7", "刑事", "故意伤害罪", "K7"), ("JD", "民事", "买卖合同纠纷", None),
        ("JC8", "民事", "机动车交通事故责任纠纷", None), ("JP", "刑事", "故意伤害罪", None),
    ], columns=["judgment_id", "kind", "cause", "case_id"]).assign(effective_on="2021-12-01")
    enf = pd.DataFrame([
        ("EK6", "JK6", "何九", "终结本次执行", 80000.0, 10000.0),
        ("ED1", None, "何九", "执行完毕", 20000.0, 20000.0),      # a sales debt, no judgment in the pool
        ("ED2", "JD", "何九", "执行完毕", 30000.0, 30000.0),      # a sales debt, judgment of no case of his
        ("EK7", "JK7", "贺十", "执行完毕", 50000.0, 50000.0),
        ("EC8", "JC8", "孔十一", "执行完毕", 60000.0, 60000.0),
        ("EP", "JP", "彭十二", "执行完毕", 40000.0, 40000.0),
    ], columns=["enforcement_id", "judgment_id", "applicant_name", "closure", "amount_due", "amount_paid"]).assign(
        applicant_id_number=lambda d: d["applicant_name"].map(I), respondent_name="某某", respondent_id_number=None,
        filed_on="2022-01-01", closed_on="2022-02-01")
    petitions = pd.DataFrame({"petition_id": ["PT"], "name": ["彭十二"], "id_number": [I["彭十二"]], "category": ["涉法涉诉"],
                              "received_on": ["2022-03-10"], "text": ["信访人彭十二反映赔偿问题。"]})
    reg = _registry([(f"R{i}", "农村低保", n, I[n], "2022-03-01") for i, n in enumerate(RULE1)])
    return DataPool.from_frames({"proc_cases": cases, "proc_parties": parties, "proc_documents": docs,
                                 "court_judgments": judgments, "court_enforcements": enf, "petitions": petitions,
                                 "registries": reg})


@pytest.fixture(scope="module")
def rule1_pool():
    return _rule1_pool()


def test_rule1_published_reading_per_victim(rule1_pool):
    r = guanyun.screen(rule1_pool)
    # kept: 齐二 (甲's 谅解书 does not name 乙), 于五 and 韦六 (their settlement was never performed),
    # 吴七 and 武八 (a document naming neither of two victims shows neither was paid), 何九 (his own
    # award ended 终本; the paid debts are not the award of his case)
    assert names(r.clues) == sorted(["齐二", "于五", "韦六", "吴七", "武八", "何九"])
    # removed by settlement: 朴一 (his 谅解书 states 已获赔偿), 宋三 and 宋四 (the 起诉书 of a one-victim
    # case states 已赔偿 — whatever its type), 魏十三 (the literal 一次性赔偿 of "没有一次性赔偿"); by a paid
    # enforcement of the award: 贺十 (JK7 carries K7), 孔十一 and 彭十二 (no judgment carries K8 or a
    # petition: the same cause)
    d = r.funnel.set_index("step").loc["rule1", "detail"]
    assert d == {"removed_enforcement_paid": 3, "removed_settlement": 4, "enforcement_tie": {"case": 1, "cause": 2},
                 "kept_settlement_not_performed": 2}
    # nobody the platform holds is on the letter list
    assert names(r.lists["suggestion_letters"]) == []


def test_rule1_negation_aware_settlement_words(rule1_pool):
    # aware: "没有一次性赔偿" is negated → 魏十三 kept; the rest as published
    r = guanyun.screen(rule1_pool, negation="aware")
    assert names(r.clues) == sorted(["齐二", "于五", "韦六", "吴七", "武八", "何九", "魏十三"])


def test_rule1_doc_type_variant_keeps_the_earlier_reading(rule1_pool):
    # settlement="doc_type": a 和解协议书/谅解书 anywhere in the case removes every party of it, whatever
    # it says: K1 (both 朴一 and 齐二), K3 (于五), K4 (韦六); an 起诉书 saying 已赔偿 (K2, K5) or a
    # 询问笔录 (K9) removes nobody. The enforcement test is the award of the case, as in the default.
    r = guanyun.screen(rule1_pool, settlement="doc_type")
    assert names(r.clues) == sorted(["宋三", "宋四", "吴七", "武八", "何九", "魏十三"])
    d = r.funnel.set_index("step").loc["rule1", "detail"]
    assert d == {"removed_enforcement_paid": 3, "removed_settlement": 4, "enforcement_tie": {"case": 1, "cause": 2}}


def test_paid_enforcements_only_the_award_of_the_case(rule1_pool):
    cand = guanyun._candidates(rule1_pool)
    e = guanyun.paid_enforcements(cand, rule1_pool)
    got = dict(zip(cand.loc[e.index, "name"], zip(e["enforcement_id"], e["tie"])))
    assert got == {"贺十": ("EK7", "case"), "孔十一": ("EC8", "cause"), "彭十二": ("EP", "cause")}
    # 何九's case K6 has its own judgment JK6 (终本): no other judgment can stand for it, even one of the
    # same cause — a second 故意伤害罪 judgment without a case number, paid, still does not remove him
    j = pd.concat([rule1_pool["court_judgments"], pd.DataFrame({
        "judgment_id": ["JX"], "kind": ["刑事"], "cause": ["故意伤害罪"], "case_id": [None], "effective_on": ["2021-12-01"]})])
    en = rule1_pool["court_enforcements"]
    en = pd.concat([en, en.loc[en["enforcement_id"] == "ED1"].assign(enforcement_id="EX", judgment_id="JX")])
    p = rule1_pool.replace(court_judgments=j.astype(rule1_pool["court_judgments"].dtypes.to_dict()),
                           court_enforcements=en)
    assert "何九" not in set(cand.loc[guanyun.paid_enforcements(cand, p).index, "name"])
    # the public pair of rule 1, as the screen reads it
    by_enf, by_settle = guanyun.compensated_rows(cand, rule1_pool)
    assert sorted(cand.loc[by_enf, "name"]) == sorted(["贺十", "孔十一", "彭十二"])
    assert sorted(cand.loc[by_settle, "name"]) == sorted(["朴一", "宋三", "宋四", "魏十三"])


def test_settlement_statements_who_a_document_speaks_for(rule1_pool):
    cand = guanyun._candidates(rule1_pool)
    s = guanyun.settlement_statements(cand, rule1_pool).set_index(cand["name"])
    # one victim: every document of the case speaks for him and his 近亲属 (宋四 is not named at all)
    assert s.loc["宋四", "stated"] and s.loc["宋四", "settled"]
    # several victims: only the one named (朴一), never the other (齐二); none when nobody is named (K5)
    assert s.loc["朴一", "settled"] and not s.loc["齐二", "stated"]
    assert not s.loc["吴七", "stated"] and not s.loc["武八", "stated"]
    # stated and not performed: in the same document (于五) or in another one (韦六)
    assert s.loc["于五", "stated"] and s.loc["于五", "non_performance"] and not s.loc["于五", "settled"]
    assert s.loc["韦六", "stated"] and s.loc["韦六", "non_performance"] and not s.loc["韦六", "settled"]
    # a petition has no case file: nothing stated
    assert not s.loc["彭十二", "stated"]
    # several victims, a document naming both speaks for both
    docs = pd.concat([rule1_pool["proc_documents"], pd.DataFrame({
        "doc_id": ["WX"], "case_id": ["K5"], "doc_type": ["刑事判决书"], "text": ["被告人已赔偿被害人吴七、武八经济损失。"]})],
        ignore_index=True)
    s2 = guanyun.settlement_statements(cand, rule1_pool.replace(proc_documents=docs)).set_index(cand["name"])
    assert s2.loc["吴七", "settled"] and s2.loc["武八", "settled"] and not s2.loc["齐二", "stated"]


def test_settlement_word_lists_are_data():
    c = guanyun.params()["compensation"]
    for key in ("compensation_stated", "non_performance", "victim_roles"):
        assert c[key]["value"] and c[key]["description"] and c[key]["source"]
    assert {"已赔偿", "和解协议"} <= set(c["compensation_stated"]["value"])
    assert {"未履行", "分文未得"} <= set(c["non_performance"]["value"])
