"""案例三 磐安 panan.screen — hand-built pools, expected clues worked out in the comments."""
import numpy as np
import pandas as pd
import pytest
import yaml

from jiuzhu_methods import DataPool, run_model
from jiuzhu_methods.core import identity
from jiuzhu_methods.io import schema
from jiuzhu_methods.core import collide, params, persons, registries
from jiuzhu_methods.core import values as V
from jiuzhu_methods.models import panan
from jiuzhu_methods.core.steps import CLUE_COLUMNS

AREA = "330727"  # 磐安县


def ids(*births):
    """Valid 18-digit IDs for the given birth dates (order codes 001, 003, … keep them distinct)."""
    return list(identity.make_ids(np.array([AREA] * len(births)), np.array(births, dtype="datetime64[D]"),
                                  np.arange(len(births)) * 2 + 1))


def fill(frames):
    """Contract tables from partial frames: absent optional columns become missing values."""
    out = {}
    for name, df in frames.items():
        df = pd.DataFrame(df)
        for c in schema.TABLES[name].columns:
            if c not in df.columns:
                df[c] = None
        out[name] = df
    return out


def case(case_id, charge, stage="审查起诉", business="刑事检察"):
    return {"case_id": case_id, "business": business, "stage": stage, "charge": charge,
            "accepted_on": "2022-03-01", "county_code": AREA}


def doc(case_id, text, n=1):
    return {"doc_id": f"D{case_id}{n}", "case_id": case_id, "doc_type": "起诉书", "text": text}


# Persons (birth dates → age at 2022-03-01):
#   I[0] 1970 (52)   I[1] 1950 (71, elderly)   I[2] 1990 (32)   I[3] 2010 (11, minor)
#   I[4] 1985 (37)   I[5] 1980 (42)            I[6] 1975 (47)   I[7] 1995 (26)
I = ids("1970-01-01", "1950-05-05", "1990-02-02", "2010-03-03", "1985-06-06", "1980-07-07", "1975-08-08",
        "1995-09-09")


def base_pool(**over):
    """Five criminal cases and one civil case:

    C1 故意杀人罪 (命案): 甲 (被害人, died) and 乙 (近亲属, on 农村低保); documents: 抢救无效死亡, 无赔偿能力
       → 甲 dropped (family applies after a death); 乙: compensated=否, death=是, low_income=是,
       uncompensated=是 → L2 红.  Score 40 death + 20 low_income + 10 on_registry + 15 uncompensated = 85
       → 特别困难 → band 12–36 months of wage. Needs: psychological (death), subsistence (low_income,
       death). Stage 审查起诉 but a criminal judgment of C1 exists → 审判.
    C2 诈骗罪 (养老诈骗): 丙 71 years old, 被害人; 生活困难 → not compensated, no death, no serious harm,
       hardship evidence (生活困难) but no 未获赔偿 word → L11 黄. Score hardship 10 + special_group
       (elderly) 10 = 20 → 一般困难. Stage 审查逮捕 → 审查逮捕.
    C3 故意伤害罪: 丁 (11, minor) 轻伤, 双方达成和解, 家庭经济困难 → compensated → L1 无 → not a clue;
       but hardship evidence (经济困难) → social referral (浙政钉).
    C4 盗窃罪: 戊 (37, man), no words at all → L13 无, not a clue, not a referral.
    C5 故意伤害罪: 己 重伤二级, 被告人在逃 → serious_harm, not low income, no hardship words, not special
       → L9 黄. Judicial aid 决定救助 → removed by already_aided.
    M1 民事检察 赡养纠纷: 庚 申请人 — civil, never screened by panan.
    """
    frames = {
        "proc_cases": [case("C1", "故意杀人罪"), case("C2", "诈骗罪", stage="审查逮捕"), case("C3", "故意伤害罪"),
                       case("C4", "盗窃罪"), case("C5", "故意伤害罪"),
                       case("M1", "赡养纠纷", stage="支持起诉", business="民事检察")],
        "proc_parties": [
            {"record_id": "P1", "case_id": "C1", "role": "被害人", "name": "甲", "id_number": I[0]},
            {"record_id": "P2", "case_id": "C1", "role": "近亲属", "name": "乙", "id_number": I[2]},
            {"record_id": "P3", "case_id": "C2", "role": "被害人", "name": "丙", "id_number": I[1]},
            {"record_id": "P4", "case_id": "C3", "role": "被害人", "name": "丁", "id_number": I[3]},
            {"record_id": "P5", "case_id": "C4", "role": "被害人", "name": "戊", "id_number": I[4]},
            {"record_id": "P6", "case_id": "C5", "role": "被害人", "name": "己", "id_number": I[5]},
            {"record_id": "P7", "case_id": "C5", "role": "犯罪嫌疑人", "name": "辛", "id_number": I[7]},
            {"record_id": "P8", "case_id": "M1", "role": "申请人", "name": "庚", "id_number": I[6]},
        ],
        "proc_documents": [doc("C1", "被害人甲经抢救无效死亡，被告人无赔偿能力。"),
                           doc("C2", "被害人丙被骗取养老钱，生活困难。"),
                           doc("C3", "被害人丁轻伤，双方达成和解，家庭经济困难。"),
                           doc("C4", "被告人盗窃电瓶车一辆。"),
                           doc("C5", "被害人己重伤二级，被告人在逃。"),
                           doc("M1", "赡养纠纷，生活困难。")],
        # two monthly snapshots of the same list entry count once
        "registries": [{"record_id": "R1", "registry": "农村低保", "agency": "民政局", "name": "乙",
                        "id_number": I[2], "as_of": "2022-01-01"},
                       {"record_id": "R1b", "registry": "农村低保", "agency": "民政局", "name": "乙",
                        "id_number": I[2], "as_of": "2022-02-01"}],
        "judicial_aid": [{"aid_id": "A1", "name": "己", "id_number": I[5], "agency": "检察院",
                          "applied_on": "2022-04-01", "decided_on": "2022-04-11", "paid_on": "2022-04-20",
                          "status": "决定救助", "amount": 20000.0}],
        "court_judgments": [{"judgment_id": "J1", "kind": "刑事", "cause": "故意杀人罪", "effective_on": "2022-09-01",
                             "case_id": "C1"}],
    }
    for k, v in over.items():
        frames[k] = v
    return DataPool.from_frames(fill({k: pd.DataFrame(v) for k, v in frames.items()}))


@pytest.fixture(scope="module")
def result():
    return panan.screen(base_pool())


# ----------------------------------------------------------------------------- data files
def test_keyword_library_six_categories_at_least_62_words():
    lib = panan.keyword_library()
    assert len(lib) == 6
    words = [w for groups in lib.values() for ws in groups.values() for w in ws]
    assert len(words) >= 62
    raw = yaml.safe_load(open(panan.resources.files("jiuzhu_methods").joinpath("data/keywords/panan.yaml"),
                              encoding="utf-8"))
    for cat in raw["categories"].values():
        assert cat["description"] and cat["source"]


def test_every_parameter_has_description_and_source():
    raw = params.data_file("data/models/panan.yaml")
    n = 0
    for sec, body in raw.items():
        if not isinstance(body, dict):
            continue
        items = [body] if "value" in body else [v for v in body.values() if isinstance(v, dict)]
        for v in items:
            assert "value" in v and v.get("description") and v.get("source"), (sec, v)
            n += 1
    assert n >= 15
    assert len(panan.parameters()["screening"]["charge_models"]) == 8


# ----------------------------------------------------------------------------- published steps
def test_funnel_has_every_step_in_order(result):
    assert list(result.funnel["step"]) == [s.name for s in panan.STEPS]
    assert all(result.funnel["source"].str.startswith("案例三"))
    # charge_models: 甲 乙 丙 丁 戊 己 (the suspect 辛 and the civil 申请人 庚 are not victims of the 8 models)
    f = result.funnel.set_index("step")
    assert f.loc["charge_models", "n_out"] == 6
    assert f.loc["charge_models", "detail"]["by_model"] == {"命案": 2, "养老诈骗": 1, "故意伤害": 2, "盗窃毁财": 1}
    # keyword_features: 甲 (deceased, family exists) dropped → 5
    assert f.loc["keyword_features", "n_out"] == 5
    # decision_tree: 乙 红, 丙 黄, 己 黄 graded; 丁 (L1) and 戊 (L13) not
    assert f.loc["decision_tree", "n_out"] == 3
    # already_aided: 己 (决定救助) removed
    assert f.loc["already_aided", "n_out"] == 2


def test_clues_grades_and_rule_paths(result):
    c = result.clues.set_index("name")
    assert list(result.clues["name"]) == ["乙", "丙"]          # 红 before 黄
    assert c.loc["乙", "grade"] == "红" and c.loc["乙", "tree_leaf"] == "L2"
    assert c.loc["丙", "grade"] == "黄" and c.loc["丙", "tree_leaf"] == "L11"
    assert c.loc["乙", "rule_path"].startswith("charge_models[命案] > keyword_features > registry_collision > "
                                              "decision_tree[红:L2]")
    assert c.loc["乙", "source"] == "proc_parties" and c.loc["乙", "source_ref"] == "P2"
    assert c.loc["乙", "registries"] == "农村低保" and c.loc["乙", "match"] == "id"
    assert c.loc["丙", "match"] == "case"                      # no collision needed: case file only
    assert c.loc["丙", "special_group_kinds"] == "老年人"
    assert list(result.clues.columns[:len(CLUE_COLUMNS)]) == CLUE_COLUMNS


def test_hardship_score_band_stage_and_measures(result):
    c = result.clues.set_index("name")
    wage, bands = panan._band_table(result.params)
    # 乙: 40 + 20 + 10 + 15 = 85 → 特别困难 → 12–36 months
    assert c.loc["乙", "hardship_score"] == 85
    assert c.loc["乙", "difficulty"] == "特别困难"
    assert c.loc["乙", "amount_low"] == 12 * wage and c.loc["乙", "amount_high"] == 36 * wage
    # 丙: hardship 10 + special_group 10 = 20 → 一般困难 → 1–3 months
    assert c.loc["丙", "hardship_score"] == 20 and c.loc["丙", "difficulty"] == "一般困难"
    assert c.loc["丙", "amount_high"] == 3 * wage
    # stage: C1 has a criminal judgment → 审判; C2 at 审查逮捕
    assert c.loc["乙", "aid_stage"] == "审判"
    assert c.loc["丙", "aid_stage"] == "审查逮捕"
    # needs: 乙 psychological (death) + subsistence; agencies from data/needs.yaml
    assert c.loc["乙", "needs"] == "psychological,subsistence"
    assert c.loc["乙", "recommended_agencies"] == "检察院未检工作室、妇联、民政局、乡村振兴局"
    assert c.loc["丙", "needs"] == "subsistence"


def test_enforcement_stage():
    # C1's judgment J1 is being enforced → 执行
    pool = base_pool(court_enforcements=[{"enforcement_id": "E1", "judgment_id": "J1", "applicant_name": "乙",
                                          "applicant_id_number": I[2], "respondent_name": "某",
                                          "closure": "未结", "amount_due": 1000.0, "amount_paid": 0.0,
                                          "filed_on": "2022-10-01"}])
    c = panan.screen(pool).clues.set_index("name")
    assert c.loc["乙", "aid_stage"] == "执行"


def test_social_referrals(result):
    s = result.lists["social_referrals"]
    # 丁: compensated (L1) but hardship words → pushed; 戊 has nothing → not pushed
    assert list(s["name"]) == ["丁"]
    assert s.iloc[0]["push_to"] == "浙政钉" and s.iloc[0]["source_ref"] == "P4"
    assert "教育局" in s.iloc[0]["recommended_agencies"]        # a minor: schooling
    # a minor without hardship evidence is not pushed
    pool = base_pool(proc_documents=[doc("C3", "被害人丁轻伤，双方达成和解。")])
    assert len(panan.screen(pool).lists["social_referrals"]) == 0


def test_family_after_death_variant():
    # family_after_death=False keeps the deceased 甲: death + uncompensated, not low income,
    # no hardship words, not special → L5 黄
    r = panan.screen(base_pool(), family_after_death=False)
    c = r.clues.set_index("name")
    assert c.loc["甲", "grade"] == "黄" and c.loc["甲", "tree_leaf"] == "L5"


def test_negation_aware_variant():
    # C3 now reads "被害人丁轻伤，家庭经济困难，被害人不予谅解。": plain → 谅解 counts as compensated
    # → L1 (no clue); aware → 不予谅解 is negated → not compensated; hardship evidence (经济困难), no
    # 未获赔偿 word → L11 黄
    pool = base_pool(proc_documents=[doc("C1", "被害人甲经抢救无效死亡，被告人无赔偿能力。"),
                                     doc("C3", "被害人丁轻伤，家庭经济困难，被害人不予谅解。")])
    plain = panan.screen(pool)
    aware = panan.screen(pool, negation="aware")
    assert "丁" not in set(plain.clues["name"])
    c = aware.clues.set_index("name")
    assert c.loc["丁", "grade"] == "黄" and c.loc["丁", "tree_leaf"] == "L11"


def homicide_family_pool():
    """Issue #15 item 4. One homicide case C1 (故意杀人罪): 甲 (被害人, died) and 乙 (近亲属, on
    农村低保). The file: "被害人甲被刺伤后死亡。被害人家属不予谅解。" — no 未获赔偿-type word.

    published (plain): 不予谅解 contains 谅解 → kw_compensated, and no uncompensated word →
      compensated=是 → L1 无: 乙 is no clue (the published tool's known error). 甲 dropped (family
      after a death). 乙 is on 农村低保 → hardship evidence → social referral; its reason must say
      that the file contains the word 谅解, not that the family was compensated.
    aware: 不予谅解 negated → compensated=否 → death=是 → low_income=是 → uncompensated=否 → L3 橙.
    """
    frames = {
        "proc_cases": [case("C1", "故意杀人罪")],
        "proc_parties": [{"record_id": "P1", "case_id": "C1", "role": "被害人", "name": "甲", "id_number": I[0]},
                         {"record_id": "P2", "case_id": "C1", "role": "近亲属", "name": "乙", "id_number": I[2]}],
        "proc_documents": [doc("C1", "被害人甲被刺伤后死亡。被害人家属不予谅解。")],
        "registries": [{"record_id": "R1", "registry": "农村低保", "agency": "民政局", "name": "乙",
                        "id_number": I[2], "as_of": "2022-01-01"}],
    }
    return DataPool.from_frames(fill({k: pd.DataFrame(v) for k, v in frames.items()}))


def _texts(result) -> list[str]:
    """Every string value of the clues and of every list frame of a result."""
    out = []
    for frame in [result.clues, *[v for v in result.lists.values() if isinstance(v, pd.DataFrame)]]:
        for c in frame.columns:
            out += [v for v in frame[c].tolist() if isinstance(v, str)]
    return out


def test_homicide_family_refusing_forgiveness_published_reason_names_the_word():
    r = run_model("panan.screen", homicide_family_pool())
    f = r.funnel.set_index("step")
    # published: the family reaches leaf L1 (无), so there is no clue
    assert f.loc["decision_tree", "detail"]["by_leaf"] == {"L1": 1}
    assert len(r.clues) == 0
    s = r.lists["social_referrals"]
    assert s["name"].tolist() == ["乙"] and s["tree_leaf"].tolist() == ["L1"]
    reason = s.iloc[0]["reason"]
    # the reason says what was read — the word 谅解 in the file — and the list she is on
    assert reason == ('判定暂不符合司法救助：文书含"谅解"等字样、无"未获赔偿"类表述，判定树按和解、谅解或赔偿处理'
                      '（是否实际赔偿未核实），不列为司法救助线索；符合社会救助条件：在重点困难群体名单')
    # "已获赔偿" is stated nowhere as a fact: not in any clue or list, not in the printed tree
    assert not [t for t in _texts(r) if "已获赔偿" in t]
    assert "已获赔偿" not in panan.describe_tree()
    assert not panan.tree_rules()["reason"].str.contains("已获赔偿").any()


def test_homicide_family_refusing_forgiveness_aware_is_graded():
    # the aware reading: 不予谅解 is no forgiveness → the family is a clue, 红 or 橙 (today L3 橙:
    # death, on 农村低保, no 未获赔偿 word); its reason names the death word it read
    r = run_model("panan.screen", homicide_family_pool(), negation="aware")
    c = r.clues.set_index("name")
    assert list(c.index) == ["乙"] and c.loc["乙", "grade"] in ("红", "橙")
    assert c.loc["乙", "grade_reason"].startswith('文书含"死亡"等字样（因案死亡）、家庭在低收入名单')
    assert len(r.lists["social_referrals"]) == 0
    assert not [t for t in _texts(r) if "已获赔偿" in t]


def test_graded_reasons_name_the_words_found(result):
    # base pool: 乙 L2 — C1 "抢救无效死亡" hits 死亡 and 抢救无效 (library order), "无赔偿能力" is the
    # 未获赔偿 word; 丙 L11 — 生活困难 is the hardship evidence (丙 is on no list)
    c = result.clues.set_index("name")
    assert c.loc["乙", "grade_reason"] == ('文书含"死亡""抢救无效"等字样（因案死亡）、家庭在低收入名单、'
                                          '文书含"无赔偿能力"等字样（赔偿无望）')
    assert c.loc["丙", "grade_reason"] == '有困难证据：文书含"生活困难"等字样，赔偿情况待核'
    # 丁 (C3 "双方达成和解，家庭经济困难") pushed: the settlement word and the hardship word it read
    s = result.lists["social_referrals"].set_index("name")
    assert s.loc["丁", "reason"] == ('判定暂不符合司法救助：文书含"达成和解"等字样、无"未获赔偿"类表述，判定树按和解、谅解或赔偿处理'
                                     '（是否实际赔偿未核实），不列为司法救助线索；符合社会救助条件：文书含"经济困难"等字样')


def test_reason_flags_name_data_evidence():
    # 乙 of the base pool with an unpaid enforcement (终结本次执行, 0 of 1000) and a file without any
    # 未获赔偿 word: uncompensated comes from the enforcement only → L2, the reason says so
    pool = base_pool(proc_documents=[doc("C1", "被害人甲经抢救无效死亡。")],
                     court_enforcements=[{"enforcement_id": "E1", "judgment_id": "J9", "applicant_name": "乙",
                                          "applicant_id_number": I[2], "respondent_name": "某",
                                          "closure": "终结本次执行", "amount_due": 1000.0, "amount_paid": 0.0,
                                          "filed_on": "2022-10-01"}])
    c = panan.screen(pool).clues.set_index("name")
    assert c.loc["乙", "tree_leaf"] == "L2"
    assert c.loc["乙", "grade_reason"].endswith("家庭在低收入名单、执行终结未足额到位（赔偿无望）")


def test_render_reason_by_hand():
    ev = {"a": {"label": "文书含甲类字样", "words": ["g"]},
          "b": {"label": "在名单", "flags": {"on": "在名单", "young": "未成年"}}}
    frame = pd.DataFrame({"kw_words_a": pd.array(['"甲"', "", '"甲""乙"'], dtype="str"),
                          "on": [True, False, False], "young": [True, False, None]})
    # row 0: a's words and both flags; row 1: nothing → 未见记录; row 2: two words, no flag
    got = panan.render_reason("{a+b}；{b}。", frame, ev).tolist()
    assert got == ['文书含"甲"等字样、在名单、未成年；在名单、未成年。', "未见记录；未见记录。", '文书含"甲""乙"等字样；未见记录。']
    assert panan.render_reason("无困难证据", frame, ev).tolist() == ["无困难证据"] * 3
    assert panan.reason_label("{a+b}；{b}。", ev) == "文书含甲类字样或在名单；在名单。"
    assert panan.reason_label(1.5, ev) == 1.5
    with pytest.raises(ValueError, match="unknown evidence 'c'"):
        panan.render_reason("{a+c}", frame, ev)
    with pytest.raises(ValueError, match="unknown evidence"):
        panan.describe_tree({"node": "death", "是": {"leaf": "A", "grade": "红", "reason": "{nope}"},
                             "否": {"leaf": "B", "grade": "无"}})


def test_reason_evidence_data_is_consistent():
    # every evidence item has a label; its keyword groups exist in the library (or are the
    # exclusions list); its flags are features or columns the tree step has; every placeholder
    # of the tree's leaves and of the social-referral reason names a known item
    ev = panan.reason_evidence()
    groups = {g for gs in panan.keyword_library().values() for g in gs} | {"compensated"}
    known_flags = set(panan.FEATURES) | {"enforcement_unpaid", "on_registry", "special_registry", "women_focus",
                                         "elderly_by_age", "minor_by_age"}
    for item, spec in ev.items():
        assert spec.get("label"), item
        assert set(spec.get("words") or []) <= groups, item
        assert set(spec.get("flags") or {}) <= known_flags, item
    P = panan.parameters()
    templates = [r for r in panan.tree_rules()["reason_template"]] + [P["social_referral"]["condition_reason"]]
    for t in templates:
        panan._placeholder_items(t, ev)       # raises on an unknown item
    assert sum("{" in t for t in templates) >= 12


def test_linkage_fallback_lowers_confidence():
    # 乙's registry record carries her ID with a wrong check digit: "id" linkage finds no registry
    # → 乙 death + uncompensated, not low income, no hardship, not special → L5 黄.
    # "fallback" matches name + birth date read from the ID digits (0.8) → 红 with confidence 0.8.
    bad = I[2][:17] + ("0" if I[2][17] != "0" else "1")
    pool = base_pool(registries=[{"record_id": "R1", "registry": "农村低保", "agency": "民政局", "name": "乙",
                                  "id_number": bad, "as_of": "2022-01-01"}])
    strict = panan.screen(pool).clues.set_index("name")
    assert strict.loc["乙", "grade"] == "黄" and strict.loc["乙", "registries"] == ""
    fb = panan.screen(pool, linkage="fallback").clues.set_index("name")
    assert fb.loc["乙", "grade"] == "红"
    assert fb.loc["乙", "match"] == "name+birth_date" and fb.loc["乙", "confidence"] == 0.8


def test_women_focus_only_in_sex_offence_family():
    # a woman (I[2] has an even order code? make_ids order 5 → odd → 男); build a woman explicitly
    woman = identity.make_ids(np.array([AREA]), np.array(["1990-01-01"], dtype="datetime64[D]"), np.array([2]))[0]
    assert identity.sex(woman) == "女"
    frames = {"proc_cases": [case("S1", "强奸罪"), case("S2", "盗窃罪")],
              "proc_parties": [{"record_id": "Q1", "case_id": "S1", "role": "被害人", "name": "甲女", "id_number": woman},
                               {"record_id": "Q2", "case_id": "S2", "role": "被害人", "name": "甲女", "id_number": woman}],
              "proc_documents": [doc("S1", "被害人报案，被告人至今未赔偿。"), doc("S2", "被害人报案，被告人至今未赔偿。")]}
    pool = DataPool.from_frames(fill({k: pd.DataFrame(v) for k, v in frames.items()}))
    r = panan.screen(pool)
    # S1 (性侵害, focus women): special group and uncompensated, no hardship evidence → L12 黄;
    # S2 (盗窃毁财, no women focus): a 32-year-old woman is not a special group there → L13 无
    assert list(r.clues["source_ref"]) == ["Q1"]
    assert r.clues.iloc[0]["tree_leaf"] == "L12" and r.clues.iloc[0]["special_group_kinds"] == "妇女"
    assert "psychological" in r.clues.iloc[0]["needs"]   # sexual offence


# ----------------------------------------------------------------------------- decision tree
LEAF_ROWS = {
    # leaf: features that are true (all others false)
    "L1": ["compensated"],
    "L2": ["death", "low_income", "uncompensated"],
    "L3": ["death", "low_income"],
    "L4": ["death", "hardship_or_special"],
    "L5": ["death"],
    "L6": ["serious_harm", "low_income", "uncompensated"],
    "L7": ["serious_harm", "low_income"],
    "L8": ["serious_harm", "hardship_or_special"],
    "L9": ["serious_harm"],
    "L10": ["hardship_evidence", "uncompensated"],
    "L11": ["hardship_evidence"],
    "L12": ["special_and_uncompensated"],
    "L13": [],
}
LEAF_GRADES = {"L1": "无", "L2": "红", "L3": "橙", "L4": "橙", "L5": "黄", "L6": "红", "L7": "橙", "L8": "橙",
               "L9": "黄", "L10": "橙", "L11": "黄", "L12": "黄", "L13": "无"}


def test_every_leaf_is_reached_by_a_hand_built_victim():
    feats = ["compensated", "death", "serious_harm", "low_income", "uncompensated", "hardship_or_special",
             "hardship_evidence", "special_and_uncompensated"]
    f = pd.DataFrame([{k: k in true for k in feats} for true in LEAF_ROWS.values()], index=list(LEAF_ROWS))
    g = panan.apply_tree(f)
    assert list(g["tree_leaf"]) == list(LEAF_ROWS)
    assert dict(zip(g["tree_leaf"], g["grade"])) == LEAF_GRADES
    assert g.loc["L2", "tree_path"] == "compensated=否>death=是>low_income=是>uncompensated=是"
    rules = panan.tree_rules()
    assert list(rules["leaf"]) == list(LEAF_ROWS) and set(rules["grade"]) == {"红", "橙", "黄", "无"}


def test_describe_tree_is_readable():
    text = panan.describe_tree()
    for leaf in LEAF_ROWS:
        assert f"→ {leaf} " in text
    assert "红" in text and "死亡" in text
    # a tree asking about an unknown feature is an error, not a silent 无
    with pytest.raises(KeyError):
        panan.apply_tree(pd.DataFrame({"x": [True]}), {"node": "nope", "是": {"leaf": "A", "grade": "红"},
                                                          "否": {"leaf": "B", "grade": "无"}})


def test_red_anchor_end_to_end(result):
    # the brief's anchor: a family after a death, on a low-income list, with no compensation in sight → 红
    c = result.clues.set_index("name")
    assert c.loc["乙", "grade"] == "红" and c.loc["乙", "role"] == "近亲属"


# ----------------------------------------------------------------------------- supervision
def test_supervision_and_procedural_not_aided():
    aid = [
        # A1 decided in 10 days, paid 2022-04 (20 000); A2 decided in 20 days, paid 2022-05 (10 000)
        {"aid_id": "A1", "name": "己", "id_number": I[5], "agency": "检察院", "applied_on": "2022-04-01",
         "decided_on": "2022-04-11", "paid_on": "2022-04-20", "status": "决定救助", "amount": 20000.0},
        {"aid_id": "A2", "name": "某", "id_number": I[6], "agency": "检察院", "applied_on": "2022-05-01",
         "decided_on": "2022-05-21", "paid_on": "2022-05-25", "status": "决定救助", "amount": 10000.0},
        # A3 丙 refused although graded 黄 → procedural_not_aided; A4 乙 已受理 since 2022-01-01, no
        # decision, reference 2022-12-31 → 364 days > 90 → procedural_not_aided (and removed from clues)
        {"aid_id": "A3", "name": "丙", "id_number": I[1], "agency": "检察院", "applied_on": "2022-06-01",
         "decided_on": "2022-06-05", "status": "不予受理"},
        {"aid_id": "A4", "name": "乙", "id_number": I[2], "agency": "检察院", "applied_on": "2022-01-01",
         "status": "已受理"},
        # A5 at the court: not in the procuratorate's supervision figures
        {"aid_id": "A5", "name": "某", "id_number": I[7], "agency": "法院", "applied_on": "2022-01-01",
         "decided_on": "2022-12-01", "status": "决定救助", "amount": 99999.0},
    ]
    r = panan.screen(base_pool(judicial_aid=aid), reference_date="2022-12-31")
    s = r.lists["supervision"]
    val = lambda fig, period="全部": s[(s["figure"] == fig) & (s["period"] == period)]["value"].iloc[0]  # noqa: E731
    assert val("cases") == 4                       # 检察院 only
    assert val("handling_days_mean") == pytest.approx((10 + 20 + 4) / 3)   # A3 decided after 4 days too
    assert val("amount_mean") == 15000 and val("amount_total") == 30000
    assert val("fund_use", "2022-04") == 20000 and val("fund_use", "2022-05") == 10000
    assert val("fund_use_cumulative_share", "2022-05") == 1.0
    p = r.lists["procedural_not_aided"].set_index("aid_id")
    assert set(p.index) == {"A3", "A4"}
    assert p.loc["A3", "grade"] == "黄"
    assert p.loc["A4", "days_pending"] == 364
    # 乙 (已受理) left the clues, 丙 (不予受理) stays
    assert set(r.clues["name"]) == {"丙"}


def test_registry_and_unknown_parameter():
    pool = base_pool()
    r = run_model("panan.screen", pool)
    assert r.model == "panan.screen" and len(r.clues) == 2
    with pytest.raises(TypeError):
        run_model("panan.screen", pool, nonsense=1)
    with pytest.raises(ValueError):
        panan.screen(pool, linkage="fuzzy")


def test_empty_pool_runs():
    r = panan.screen(DataPool.from_frames({}))
    assert len(r.clues) == 0 and len(r.funnel) == len(panan.STEPS)
    assert len(r.lists["social_referrals"]) == 0


def test_registry_ids_in_other_spellings_still_link():
    # 乙's registry entry carries her ID full-width, lower-case x / spaced: the pre-filter before
    # linkage must keep it (identity.normalise makes it equal) → still 红
    raw = I[2]
    fw = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch.lower() for ch in raw)
    spaced = raw[:6] + " " + raw[6:14] + " " + raw[14:]
    for rid in (fw, spaced):
        pool = base_pool(registries=[{"record_id": "R1", "registry": "农村低保", "agency": "民政局", "name": "乙",
                                      "id_number": rid, "as_of": "2022-01-01"}])
        c = panan.screen(pool).clues.set_index("name")
        assert c.loc["乙", "grade"] == "红", rid


# --------------------------------------------------------------------------- speed helpers (issue #3)
def _reference_registry_people(reg, groups):
    """First row per (registry, name, id_number); without an ID per (registry, name, address, phone)."""
    reg = reg[reg["registry"].isin(groups)]
    has = reg["id_number"].notna()
    dup = reg.duplicated(["registry", "name", "id_number"])
    dup[~has] = reg[~has].duplicated(["registry", "name", "address", "phone"])
    return reg[~dup].reset_index(drop=True)


def messy_registry():
    # I[0] on 城市低保 in three snapshots, once written in full-width digits, once with spaces;
    # I[1] with a lower-case check character x (its ID ends in X? then x is the messy spelling);
    # a 15-digit ID, an ID of someone not in the frame, two rows without ID (one repeated),
    # a row of a registry outside the groups; 己 twice with the same malformed ID, the second
    # snapshot with a new phone.
    fw = I[0].translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [("城市低保", "甲", I[0], "a", "1"), ("城市低保", "甲", fw, "a", "1"), ("城市低保", "甲", f" {I[0]} ", "a", "1"),
            ("城市低保", "甲", I[0], "b", "2"), ("农村低保", "乙", I[1].lower(), "c", "3"), ("孤儿", "乙", I[1], "c", "3"),
            ("城市低保", "丙", I[2][:6] + I[2][8:17], "d", "4"), ("城市低保", "丁", I[7], "e", "5"),
            ("城市低保", "戊", None, "f", "6"), ("城市低保", "戊", None, "f", "6"), ("城市低保", "戊", None, "g", "6"),
            ("持证残疾人", "甲", I[0], "a", "1"), ("城市低保", "甲 ", I[0], "a", "1"),
            ("城市低保", "己", "BAD", "x", "13800000008"), ("城市低保", "己", "BAD", "y", "13800000007")]
    reg = pd.DataFrame(rows, columns=["registry", "name", "id_number", "address", "phone"])
    reg["record_id"] = [f"R{i}" for i in range(len(reg))]
    return reg.astype("str")


@pytest.mark.parametrize("linkage", ["id", "id+name", "fallback"])
def test_registry_candidates_are_the_pairable_snapshot_groups(linkage):
    # 己 has no ID; under "fallback" her phone …07 pairs with R14 only, but R14 repeats R13
    # (same registry, name and raw ID), which registry_people keeps: so R13 must come along,
    # and 己 stays unpaired as with the whole table
    frame = pd.DataFrame({"name": ["甲", "乙", "丙", "戊", "己"],
                          "id_number": [I[0], I[1], I[2][:6] + I[2][8:17], None, None],
                          "phone": [None, None, None, None, "13800000007"]}).astype("str")
    reg = messy_registry()
    groups = ["城市低保", "农村低保", "持证残疾人"]
    people = _reference_registry_people(reg, groups)
    assert registries.registry_people(reg, groups).equals(people)
    got = registries.registry_candidates(frame, reg, groups, linkage=linkage)
    # by hand: the rows of registry_people whose ID is 甲's, 乙's or 丙's (R3, R9 are repeats,
    # R5 is off the groups, 丁 is not in the frame, 戊 has nothing to pair on)
    want = ["R0", "R1", "R2", "R4", "R6", "R11", "R12"] + (["R13"] if linkage == "fallback" else [])
    assert got["record_id"].tolist() == want
    pd.testing.assert_frame_equal(got, people[people["record_id"].isin(want)].reset_index(drop=True))

    def pairs(right):
        p = panan.link(frame, right, linkage=linkage)
        return list(zip(p["left"], right.loc[p["right"], "record_id"], p["match"]))
    assert pairs(got) == pairs(people)


def test_first_snapshots_by_hand():
    reg = messy_registry()
    # R3 repeats R0 (same registry, name, raw ID; address and phone do not count), R9 repeats
    # R8 (no ID: same name, address, phone), R14 repeats R13; R1, R2 and R12 are other spellings
    rows = np.array([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    assert registries.first_snapshots(reg, rows).tolist() == [0, 1, 2, 4, 6, 7, 8, 10, 11, 12, 13]
    # among the rows given only: each is the first of its person there
    assert registries.first_snapshots(reg, np.array([3, 9, 14])).tolist() == [3, 9, 14]
    assert registries.first_snapshots(reg, np.array([], dtype=int)).tolist() == []


def test_collide_on_messy_spellings():
    # the ID as written, and in lower case, pair; a full-width x in front, another person,
    # malformed, missing, 19 characters or blank do not
    frame = pd.DataFrame({"name": ["甲"], "id_number": [I[0]]}).astype("str")
    right = pd.DataFrame({"id_number": [I[0], I[0].lower(), "ｘ" + I[0][1:], I[1], "123", None, I[0] + "1", "  "],
                          "name": list("abcdefgh")}).astype("str")
    got = collide.collide(frame, right, linkage="id", collect="name")
    assert got.to_dict("records") == [{"hit": True, "match": "id", "confidence": 1.0, "collected": "a、b"}]


def test_isin_and_join_groups_match_pandas():
    s = pd.Series(["a", None, "b", "c"], dtype="str")
    # pandas' isin, except that a missing value never matches (even when the values hold one)
    for v in (["a", None], ["b"], [], {"c"}, pd.Series(["a", np.nan], dtype="str"), [1, "a"]):
        assert V.isin(s, v).tolist() == (s.isin(v) & s.notna()).tolist()
    assert V.isin(s, ["a", None]).tolist() == [True, False, False, False]
    df = pd.DataFrame({"k": [3, 1, 3, np.nan, 1, 2], "v": ["a", "b", "c", "d", "e", "f"]})
    for sort in (True, False):
        want = df.groupby("k", sort=sort)["v"].agg("、".join)
        got = V.join_groups(df["k"], df["v"], sort=sort)
        assert got.to_dict() == want.to_dict() and list(got.index) == list(want.index)


def _link_parts_case():
    # left: 甲 (I[0]), 乙 (I[1]), 丙 (no ID, phone …01, birth 1990-02-02 in a malformed ID)
    left = pd.DataFrame({"name": ["甲", "乙", "丙"], "id_number": [I[0], I[1], I[2][:17]],
                         "phone": [None, None, "13800000001"]}).astype("str")
    # a registry (labels 5, 7, 9): 甲 in lower case, 丙 with phone 138-0000-0001 and no ID, 甲 again
    reg = pd.DataFrame({"name": ["甲", "丙", "甲"], "id_number": [I[0].lower(), None, I[0]],
                        "phone": [None, "138-0000-0001", None]}, index=[5, 7, 9]).astype("str")
    # enforcements named by other columns: 乙 as applicant, 甲 as respondent only
    enf = pd.DataFrame({"applicant_name": ["乙", "丁"], "applicant_id_number": [I[1], I[3]],
                        "respondent_name": ["丁", "甲"], "respondent_id_number": [I[3], I[0]]}).astype("str")
    return left, reg, enf


@pytest.mark.parametrize("linkage", ["id", "id+name", "fallback"])
def test_link_parts_is_one_link_per_table(linkage):
    left, reg, enf = _link_parts_case()
    app = {"id_col": "applicant_id_number", "name_col": "applicant_name"}
    resp = {"id_col": "respondent_id_number", "name_col": "respondent_name"}
    parts = [(reg, None), (enf, app), (enf, resp)]
    got = collide.link_parts(left, parts, linkage=linkage)
    for g, (r, c) in zip(got, parts):
        pd.testing.assert_frame_equal(g, panan.link(left, r, linkage=linkage, right_cols=c))
    # by hand: 甲 pairs with registry rows 5 and 9 (its ID in two spellings), 乙 with applicant
    # row 0, 甲 with respondent row 1; under "fallback" 丙 (no valid ID) pairs with registry row 7
    # by name + phone, and 丙's birth date pairs with no one (no one else is born on 1990-02-02)
    m = "id+name" if linkage == "id+name" else "id"
    want_reg = [(0, 5, m, 1.0), (0, 9, m, 1.0)] + ([(2, 7, "name+phone", 0.7)] if linkage == "fallback" else [])
    assert list(got[0].itertuples(index=False, name=None)) == want_reg
    assert list(got[1].itertuples(index=False, name=None)) == [(1, 0, m, 1.0)]
    assert list(got[2].itertuples(index=False, name=None)) == [(0, 1, m, 1.0)]


def test_link_parts_falls_back_to_one_link_each():
    # labels not increasing (9, 7, 5) or not str columns: linked one by one, same pairs — link
    # sorts the pairs by label (a stack, read by position, would give (0, 9) first)
    left, reg, _enf = _link_parts_case()
    rev = reg.iloc[::-1]
    obj = reg.astype(object)
    got = collide.link_parts(left, [(rev, None), (obj, None)], linkage="id")
    assert [list(zip(g["left"], g["right"])) for g in got] == [[(0, 5), (0, 9)], [(0, 5), (0, 9)]]
    for g, r in zip(got, (rev, obj)):
        pd.testing.assert_frame_equal(g, panan.link(left, r, linkage="id"))
    # an empty table among others: no pairs for it, the others' as before
    empty = reg.iloc[:0]
    got = collide.link_parts(left, [(empty, None), (reg, None)], linkage="id")
    assert len(got[0]) == 0 and list(zip(got[1]["left"], got[1]["right"])) == [(0, 5), (0, 9)]


def test_collide_reads_given_pairs():
    left, reg, _enf = _link_parts_case()
    pairs = collide.link_parts(left, [(reg, None), (reg, None)], linkage="fallback")[0]
    got = collide.collide(left, reg, linkage="fallback", collect="name", pairs=pairs)
    pd.testing.assert_frame_equal(got, collide.collide(left, reg, linkage="fallback", collect="name"))
    # 甲 exact (twice, one name), 乙 nothing, 丙 by name + phone
    assert got["hit"].tolist() == [True, False, True]
    assert got["match"].tolist()[::2] == ["id", "name+phone"] and got["collected"].tolist() == ["甲", "", "丙"]


def test_apply_tree_by_hand():
    # death? yes → (low_income? yes → 红 A, no → 橙 B); no → 无 C. A missing feature counts as no.
    tree = {"node": "death", "是": {"node": "low_income", "是": {"leaf": "A", "grade": "红", "reason": "r1"},
                                    "否": {"leaf": "B", "grade": "橙"}},
            "否": {"leaf": "C", "grade": "无", "reason": "r3"}}
    f = pd.DataFrame({"death": [True, True, None, False], "low_income": [True, None, True, True]},
                     index=["w", "x", "y", "z"])
    g = panan.apply_tree(f, tree)
    assert list(g.index) == ["w", "x", "y", "z"] and all(g[c].dtype == "str" for c in g.columns)
    assert g.to_dict("list") == {"grade": ["红", "橙", "无", "无"], "tree_leaf": ["A", "B", "C", "C"],
                                 "tree_path": ["death=是>low_income=是", "death=是>low_income=否", "death=否", "death=否"],
                                 "grade_reason": ["r1", "", "r3", "r3"]}
    # the second question is asked of the rows that reach it only: an unknown feature there is an
    # error only when a row gets that far
    bad = {"node": "death", "是": {"node": "nope", "是": {"leaf": "A", "grade": "红"}, "否": {"leaf": "B", "grade": "橙"}},
           "否": {"leaf": "C", "grade": "无"}}
    assert panan.apply_tree(f[["death"]].iloc[2:], bad)["tree_leaf"].tolist() == ["C", "C"]
    with pytest.raises(KeyError):
        panan.apply_tree(f[["death"]], bad)
    assert len(panan.apply_tree(f.iloc[:0], tree)) == 0


def test_category_words_by_hand():
    # words as columns a, b, c, d; categories 甲: [b, a, b] (b once), 乙: [c], 丙: [a, d] (a in two categories)
    cats = {"甲": ["b", "a", "b"], "乙": ["c"], "丙": ["a", "d"]}
    hits = np.array([[True, True, False, False],     # a, b → 甲：b、a；丙：a
                     [False, False, True, True],     # c, d → 乙：c；丙：d
                     [False, False, False, False],   # none → ""
                     [False, False, True, False]])   # c → 乙：c
    got = V.category_words(hits, ["a", "b", "c", "d"], cats)
    assert got.tolist() == ["甲：b、a；丙：a", "乙：c；丙：d", "", "乙：c"]
    # as the per-category join of flags joined with "；"
    df = pd.DataFrame(hits, columns=list("abcd"))
    parts = [pd.Series(np.where(w != "", c + "：" + w, ""), dtype="str")
             for c, ws in cats.items() for w in [V.join_flags(df, list(dict.fromkeys(ws)), "、")]]
    assert got.tolist() == V.concat_parts(parts, df.index).tolist()
    assert V.category_words(hits[:0], ["a", "b", "c", "d"], cats).tolist() == []


@pytest.mark.parametrize("linkage", ["id", "id+name", "fallback"])
def test_already_aided_pairs_read_by_procedural_not_aided(monkeypatch, linkage):
    # already_aided links every aid record with the graded victims once: its removals are
    # anti_join(graded, aid of the aided statuses), and procedural_not_aided reads the same
    # pairs; made afresh (no pairs in the context) it gives the same list
    aid = [
        {"aid_id": "A1", "name": "己", "id_number": I[5], "agency": "检察院", "applied_on": "2022-04-01",
         "decided_on": "2022-04-11", "status": "决定救助", "amount": 20000.0},
        {"aid_id": "A3", "name": "丙", "id_number": I[1], "agency": "检察院", "applied_on": "2022-06-01",
         "decided_on": "2022-06-05", "status": "不予受理"},
        {"aid_id": "A4", "name": "乙", "id_number": I[2], "agency": "检察院", "applied_on": "2022-01-01",
         "status": "已受理"},
    ]
    seen = []
    original = panan.procedural_not_aided

    def both(ctx):
        got = original(ctx)
        graded = ctx.results["decision_tree"].reset_index(drop=True)
        a = ctx.pool["judicial_aid"]
        expected = panan.anti_join(graded, a[a["status"].isin(ctx.params["aided_statuses"])].reset_index(drop=True),
                                   linkage=ctx.params["linkage"])
        assert list(ctx.results["already_aided"].index) == list(expected.index)
        ctx.results.pop("_aid_pairs")
        pd.testing.assert_frame_equal(got, original(ctx))
        seen.append(len(got))
        return got

    monkeypatch.setattr(panan, "procedural_not_aided", both)
    r = panan.screen(base_pool(judicial_aid=aid), linkage=linkage, reference_date="2022-12-31")
    assert seen == [2] and set(r.lists["procedural_not_aided"]["aid_id"]) == {"A3", "A4"}
    assert r.funnel.set_index("step").loc["already_aided", "detail"]["removed"] == 2


def test_collide_best_pair_by_position_is_the_label_reading():
    # rows labelled out of order (7, 3, 5, 9); pairs with tied confidences: the best pair per row is
    # the highest confidence, then the first pair — as the stable sort / drop_duplicates by label
    frame = pd.DataFrame({"name": ["甲", "乙", "丙", "丁"], "id_number": [I[0], I[1], I[2], I[3]]},
                         index=[7, 3, 5, 9])
    right = pd.DataFrame({"registry": ["B", "A", "C", "A", "D"]})
    pairs = pd.DataFrame({"left": [3, 3, 3, 5, 7, 7], "right": [0, 1, 2, 3, 1, 4],
                          "match": pd.array(["name+phone", "id", "name+birth_date", "name+address", "id", "id"],
                                            dtype="str"),
                          "confidence": [0.7, 1.0, 0.8, 0.6, 1.0, 1.0]})
    got = collide.collide(frame, right, linkage="fallback", collect="registry", pairs=pairs)
    assert got["hit"].tolist() == [True, True, True, False]
    assert got["match"].tolist()[:3] == ["id", "id", "name+address"] and pd.isna(got["match"].iloc[3])
    assert got["confidence"].tolist()[:3] == [1.0, 1.0, 0.6] and np.isnan(got["confidence"].iloc[3])
    assert got["collected"].tolist() == ["A、D", "A、B、C", "A", ""]
    assert got["match"].dtype == "str" and got["hit"].dtype == bool
    # the same through the label path (a repeated label forces it)
    ref = collide.collide(frame.set_axis([7, 3, 5, 5]), right, linkage="fallback", pairs=pairs[pairs["left"] != 5])
    assert ref["match"].tolist()[:2] == ["id", "id"] and ref["confidence"].tolist()[:2] == [1.0, 1.0]


def test_order_is_the_stable_sort_of_grade_score_case_record():
    f = pd.DataFrame({"grade": ["黄", "红", "红", "橙", "红", "无"],
                      "hardship_score": [10.0, 30.0, 30.0, 50.0, 45.0, 0.0],
                      "case_id": pd.array(["C2", "C10", "C10", "C1", "C9", "C1"], dtype="str"),
                      "record_id": pd.array(["R1", "R3", None, "R2", "R乙", "R甲"], dtype="str"),
                      "x": range(6)}, index=[10, 11, 12, 13, 14, 15])
    expected = (f.assign(_r=f["grade"].map({"红": 0, "橙": 1, "黄": 2, "无": 3}), _s=-f["hardship_score"])
                .sort_values(["_r", "_s", "case_id", "record_id"], kind="stable").drop(columns=["_r", "_s"]))
    got = panan._order(f)
    pd.testing.assert_frame_equal(got, expected)
    assert got["x"].tolist() == [4, 1, 2, 3, 0, 5]    # 红 45 first; C10's record R3 before the missing one


def test_apply_tree_leaf_values_as_str():
    # a leaf named by a number in the YAML is a string in the output, as the "str" dtype casts it
    tree = {"node": "death", "是": {"leaf": 7, "grade": "红", "reason": 1.5}, "否": {"leaf": "C", "grade": "无"}}
    g = panan.apply_tree(pd.DataFrame({"death": [True, False]}), tree)
    assert g["tree_leaf"].tolist() == ["7", "C"] and g["grade_reason"].tolist() == ["1.5", ""]
    assert all(g[c].dtype == "str" for c in g.columns)


def test_duplicated_codes_as_frame_duplicated():
    rng = np.random.default_rng(3)
    cols = [rng.integers(0, 3, 500), rng.integers(0, 40, 500), rng.integers(0, 7, 500)]
    want = pd.DataFrame({k: c for k, c in enumerate(cols)}).duplicated().to_numpy()
    got = registries.duplicated_codes(cols)
    assert got.dtype == bool and (got == want).all() and 0 < got.sum() < 500
    # codes that do not pack into an int64 (and negative ones) go column by column, same answer
    big = [c * (2 ** 30) for c in cols]
    assert (registries.duplicated_codes(big) == want).all()
    neg = [cols[0] - 1, cols[1], cols[2]]
    assert (registries.duplicated_codes(neg) == want).all()
    # (1, 0) and (0, 40) must not collide: the radix is the column's range
    assert registries.duplicated_codes([np.array([1, 0]), np.array([0, 40])]).tolist() == [False, False]
    assert registries.duplicated_codes([np.zeros(0, dtype=np.int64)] * 3).tolist() == []


def _social_referrals_reference(ctx, clues):
    """social_referrals as it read the whole graded frame and sorted it by the id strings."""
    from jiuzhu_methods.core.linkage import anti_join, dedupe_persons
    p = ctx.params
    full = ctx.results.get("_graded_all")
    cols = ["name", "id_number", "source", "source_ref", "case_id", "analysis_model", "tree_leaf", "reason",
            "registries", "needs", "needs_zh", "recommended_agencies", "push_to"]
    social = pd.Series(False, index=full.index)
    for feat in p["social_conditions"]:
        social |= full[feat].fillna(False).astype(bool)
    ref = full[(full["grade"] == panan.NO_GRADE) & social].copy()
    ref = anti_join(ref.reset_index(drop=True), clues, linkage=p["linkage"]) if len(clues) else ref
    ref = dedupe_persons(ref.sort_values(["case_id", "record_id"], kind="stable"))
    # issue #15 item 4: both halves name what was read (the leaf's evidence, the condition's)
    ref["reason"] = ("判定暂不符合司法救助：" + ref["grade_reason"] + "；符合社会救助条件："
                     + panan.render_reason(p["social_condition_reason"], ref, p["reason_evidence"]))
    na = panan.needs_and_agencies(ref, p["need_rules"])
    for c in na.columns:
        ref[c] = na[c]
    ref["source"] = "proc_parties"
    ref["source_ref"] = ref["record_id"]
    ref["push_to"] = p["push_to"]
    return ref[cols].reset_index(drop=True)


@pytest.mark.parametrize("linkage", ["id", "fallback"])
def test_social_referrals_as_the_whole_frame_reading(monkeypatch, linkage):
    synth = pytest.importorskip("jiuzhu_methods.synth")
    pool = synth.generate("panan", scale=0.02, seed=3)
    seen = {}
    real = panan.social_referrals

    def spy(ctx, clues):
        seen["args"] = (ctx, clues)
        return real(ctx, clues)

    monkeypatch.setattr(panan, "social_referrals", spy)
    panan.screen(pool, linkage=linkage)
    ctx, clues = seen["args"]
    # rows in shuffled order, so that the sort by case and record has work to do
    full = ctx.results["_graded_all"]
    ctx.results["_graded_all"] = full.sample(frac=1.0, random_state=1).reset_index(drop=True)
    want = _social_referrals_reference(ctx, clues)
    got = real(ctx, clues)
    assert len(got) > 5
    pd.testing.assert_frame_equal(got, want)
    assert want["case_id"].nunique() > 1
