"""案例五 魏都 weidu.screen — hand-built pools, expected clues worked out in the comments."""
import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool, run_model
from jiuzhu_methods.core import identity
from jiuzhu_methods.io import schema
from jiuzhu_methods.models import weidu
from jiuzhu_methods.core.steps import CLUE_COLUMNS

AREA = "411002"  # 许昌市魏都区


def ids(*births):
    return list(identity.make_ids(np.array([AREA] * len(births)), np.array(births, dtype="datetime64[D]"),
                                  np.arange(len(births)) * 2 + 1))


def fill(frames):
    out = {}
    for name, df in frames.items():
        df = pd.DataFrame(df)
        for c in schema.TABLES[name].columns:
            if c not in df.columns:
                df[c] = None
        out[name] = df
    return out


# I[0] 李某 civil applicant   I[1] 王某 suspect        I[2] 赵某 petitioner
# I[3] 孙某 enforcement applicant (victim of 王某)     I[4] 钱某 civil applicant, paid in full
# I[5] 周某 petitioner on 困难职工 (not a special group) I[6] 吴某 petitioner, already aided
I = ids("1970-01-01", "1980-05-05", "1990-02-02", "1960-03-03", "1985-01-01", "1975-01-01", "1965-06-06")


def enf(eid, app, app_id, resp, resp_id, closure, due, paid, filed="2021-01-01", closed="2021-02-01", judgment=None):
    return {"enforcement_id": eid, "judgment_id": judgment, "applicant_name": app, "applicant_id_number": app_id,
            "respondent_name": resp, "respondent_id_number": resp_id, "closure": closure, "amount_due": due,
            "amount_paid": paid, "filed_on": filed, "closed_on": closed}


def base_frames():
    """
    第一步 base: civil applicants 李某 (M1), 钱某 (M2); petitioners 赵某, 周某, 吴某; suspect 王某 (X1) → 6.
    第二步:
      一  李某 ∩ E1 (终本, paid 0 < due) → 碰撞一; 钱某 ∩ E3 (执行完毕, paid in full) → no.
      二  赵某 on 农村低保 → 碰撞二; 李某 on 困难妇女 → 碰撞二 too (李某: 碰撞一、碰撞二);
          周某 on 困难职工 (not a special group) → no; 吴某 on 持证残疾人 → 碰撞二.
      三  王某 = respondent of E2 (终本, unpaid) → E2's applicant 孙某 (source court_enforcements,
          source_field applicant, case X1).
      → 4 persons: 李某, 赵某, 吴某, 孙某.
    第三步: 吴某 has 决定救助 at 检察院 → removed → 3 clues.
    第四步 (manual, keeps all): 李某's case M1 text: 死亡, 交通事故, 助学贷款, 未执行到位 → 人身损害, 教育医疗,
      经济收入; 赵某's petition: 生活困难 → 经济收入; 孙某 (via X1 documents): 重伤, 丧失劳动能力 → 人身损害.
    supervision: E1 终本 31 days after filing, paid 0 → 执行监督 (E2 closed after 334 days → no).
      inaction: 李某 (人身损害) has no social aid, not on 低保 → yes; 孙某 (人身损害) → yes;
      赵某 (经济收入) is on 农村低保 → no.
    """
    return {
        "proc_cases": [
            {"case_id": "M1", "business": "民事检察", "stage": "执行监督", "charge": "机动车交通事故责任纠纷",
             "accepted_on": "2022-03-01", "county_code": AREA},
            {"case_id": "M2", "business": "民事检察", "stage": "生效裁判监督", "charge": "赡养纠纷",
             "accepted_on": "2022-03-01", "county_code": AREA},
            {"case_id": "X1", "business": "刑事检察", "stage": "审查起诉", "charge": "故意伤害罪",
             "accepted_on": "2020-03-01", "county_code": AREA},
        ],
        "proc_parties": [
            {"record_id": "P1", "case_id": "M1", "role": "申请人", "name": "李某", "id_number": I[0]},
            {"record_id": "P2", "case_id": "X1", "role": "犯罪嫌疑人", "name": "王某", "id_number": I[1]},
            {"record_id": "P3", "case_id": "M2", "role": "申请人", "name": "钱某", "id_number": I[4]},
            {"record_id": "P4", "case_id": "X1", "role": "被害人", "name": "孙某", "id_number": I[3]},
        ],
        "proc_documents": [
            {"doc_id": "D1", "case_id": "M1", "doc_type": "起诉书", "text": "丈夫交通事故死亡，儿子申请助学贷款，一直未执行到位。"},
            {"doc_id": "D2", "case_id": "X1", "doc_type": "起诉书", "text": "被害人孙某重伤，丧失劳动能力。"},
        ],
        "petitions": [
            {"petition_id": "T1", "name": "赵某", "id_number": I[2], "category": "涉法涉诉", "received_on": "2022-05-01",
             "text": "生活困难"},
            {"petition_id": "T2", "name": "周某", "id_number": I[5], "category": "其他", "received_on": "2022-05-01",
             "text": "反映问题"},
            {"petition_id": "T3", "name": "吴某", "id_number": I[6], "category": "涉法涉诉", "received_on": "2022-05-01",
             "text": "请求救助"},
        ],
        "court_enforcements": [
            enf("E1", "李某", I[0], "某运输公司", None, "终结本次执行", 159684.47, 0.0),
            enf("E2", "孙某", I[3], "王某", I[1], "终结本次执行", 50000.0, 0.0, closed="2021-12-01"),
            enf("E3", "钱某", I[4], "某", None, "执行完毕", 8000.0, 8000.0),
        ],
        "registries": [
            {"record_id": "R1", "registry": "农村低保", "agency": "民政局", "name": "赵某", "id_number": I[2], "as_of": "2022-01-01"},
            {"record_id": "R2", "registry": "困难妇女", "agency": "妇联", "name": "李某", "id_number": I[0], "as_of": "2022-01-01"},
            {"record_id": "R3", "registry": "困难职工", "agency": "总工会", "name": "周某", "id_number": I[5], "as_of": "2022-01-01"},
            {"record_id": "R4", "registry": "持证残疾人", "agency": "残联", "name": "吴某", "id_number": I[6], "as_of": "2022-01-01"},
        ],
        "judicial_aid": [
            {"aid_id": "A1", "name": "吴某", "id_number": I[6], "agency": "检察院", "applied_on": "2022-06-01",
             "decided_on": "2022-06-20", "status": "决定救助", "amount": 10000.0},
        ],
    }


def pool_of(frames):
    return DataPool.from_frames(fill({k: pd.DataFrame(v) for k, v in frames.items()}))


@pytest.fixture(scope="module")
def result():
    return weidu.screen(pool_of(base_frames()))


def test_funnel_steps_and_counts(result):
    f = result.funnel.set_index("step")
    assert list(result.funnel["step"]) == ["base_pool", "collisions", "reverse_comparison", "keyword_check"]
    assert all(result.funnel["source"].str.startswith("案例五"))
    assert f.loc["base_pool", "n_out"] == 6
    assert f.loc["collisions", "n_out"] == 4
    assert f.loc["collisions", "detail"]["collision_1"] == 1
    assert f.loc["collisions", "detail"]["collision_2"] == 3
    assert f.loc["collisions", "detail"]["collision_3"] == 1
    assert f.loc["reverse_comparison", "n_out"] == 3
    # 第四步 is a manual step: every clue passes
    assert f.loc["keyword_check", "n_in"] == f.loc["keyword_check", "n_out"] == 3


def test_clues_and_collision_paths(result):
    c = result.clues.set_index("name")
    assert set(c.index) == {"李某", "赵某", "孙某"}
    assert list(result.clues.columns[:len(CLUE_COLUMNS)]) == CLUE_COLUMNS
    assert c.loc["李某", "collisions"] == "碰撞一、碰撞二"
    assert "collisions[碰撞一、碰撞二]" in c.loc["李某", "rule_path"]
    assert c.loc["李某", "enforcement_ids"] == "E1" and c.loc["李某", "registries"] == "困难妇女"
    assert c.loc["赵某", "collisions"] == "碰撞二" and c.loc["赵某", "source"] == "petitions"
    assert c.loc["赵某", "source_ref"] == "T1"
    s = c.loc["孙某"]
    assert s["collisions"] == "碰撞三" and s["source"] == "court_enforcements"
    assert s["source_ref"] == "E2" and s["source_field"] == "applicant" and s["case_id"] == "X1"
    assert s["rule_path"] == "base_pool > collisions[碰撞三] > reverse_comparison > keyword_check"


def test_keyword_categories_and_routing(result):
    c = result.clues.set_index("name")
    assert c.loc["李某", "categories"] == "人身损害、教育医疗、经济收入"
    assert c.loc["赵某", "categories"] == "经济收入"
    assert c.loc["孙某", "categories"] == "人身损害"
    # every clue: psychological (全部进行心理测评); 李某 also medical, subsistence, education,
    # employment and women (困难妇女)
    assert all(result.clues["needs"].str.startswith("psychological"))
    assert set(c.loc["李某", "needs"].split(",")) == {"psychological", "medical", "subsistence", "education",
                                                     "employment", "women"}
    assert "教育局" in c.loc["李某", "recommended_agencies"] and "人社局" in c.loc["李某", "recommended_agencies"]
    assert c.loc["孙某", "recommended_agencies"] == "检察院未检工作室、妇联、医保局、卫健委"
    # sorted for manual checking: most categories first
    assert result.clues.iloc[0]["name"] == "李某"


def test_keyword_categories_data():
    lib = weidu.keyword_library()
    assert list(lib) == ["人身损害", "抚养赡养", "教育医疗", "经济收入"]
    assert all(len(w) >= 8 for w in lib.values())


def test_negation_aware_variant():
    # 孙某's case text "经鉴定不构成伤残": plain → 伤残 hits 人身损害; aware → negated, no category
    frames = base_frames()
    frames["proc_documents"] = [{"doc_id": "D2", "case_id": "X1", "doc_type": "鉴定意见书", "text": "经鉴定不构成伤残。"}]
    pool = pool_of(frames)
    plain = weidu.screen(pool).clues.set_index("name")
    aware = weidu.screen(pool, negation="aware").clues.set_index("name")
    assert plain.loc["孙某", "categories"] == "人身损害"
    assert aware.loc["孙某", "categories"] == ""


def test_reverse_comparison_variants():
    frames = base_frames()
    frames["judicial_aid"] = [
        # 赵某 aided by the court: the seed removes only the procuratorate's cases → stays by default
        {"aid_id": "A1", "name": "赵某", "id_number": I[2], "agency": "法院", "applied_on": "2022-06-01",
         "status": "决定救助"},
        # 孙某 applied and was 不予受理 (never accepted) → stays
        {"aid_id": "A2", "name": "孙某", "id_number": I[3], "agency": "检察院", "applied_on": "2022-06-01",
         "status": "不予受理"},
        # 李某 不予救助 at the procuratorate (accepted and handled) → removed
        {"aid_id": "A3", "name": "李某", "id_number": I[0], "agency": "检察院", "applied_on": "2022-06-01",
         "status": "不予救助"},
    ]
    pool = pool_of(frames)
    # 吴某 (no aid record now) is a clue too
    assert set(weidu.screen(pool).clues["name"]) == {"赵某", "孙某", "吴某"}
    assert set(weidu.screen(pool, aid_agencies=["检察院", "法院"]).clues["name"]) == {"孙某", "吴某"}
    assert set(weidu.screen(pool, handled_statuses=["已受理", "决定救助"]).clues["name"]) == {"李某", "赵某", "孙某", "吴某"}


def _aided_elsewhere_frames():
    """Base frames with these judicial-aid records (the collisions give 李某, 赵某, 吴某, 孙某):

    A1 吴某 检察院 决定救助 (as in the base)   → removed by both readings
    A5 吴某 法院   决定救助 too                → 吴某 is the procuratorate's, not "elsewhere only"
    A2 赵某 法院   决定救助                    → published keeps (the seed names 检察机关 only); drop removes
    A3 孙某 公安机关 决定救助                  → published keeps; drop removes
    A4 李某 法院   不予救助                    → no aid given: kept by both (only the wider
                                                 aid_agencies reading, which also takes refusals, removes him)
    """
    frames = base_frames()
    aid = lambda i, n, k, agency, status: {"aid_id": i, "name": n, "id_number": I[k], "agency": agency,  # noqa: E731
                                           "applied_on": "2022-06-01", "status": status}
    frames["judicial_aid"] = [aid("A1", "吴某", 6, "检察院", "决定救助"), aid("A5", "吴某", 6, "法院", "决定救助"),
                              aid("A2", "赵某", 2, "法院", "决定救助"), aid("A3", "孙某", 3, "公安机关", "决定救助"),
                              aid("A4", "李某", 0, "法院", "不予救助")]
    return frames


def test_aided_elsewhere_variant():
    pool = pool_of(_aided_elsewhere_frames())
    published = run_model("weidu.screen", pool)
    drop = run_model("weidu.screen", pool, aided_elsewhere="drop")
    # published (keep): only the procuratorate's case of 吴某 removes anyone → 李某, 赵某, 孙某
    assert set(published.clues["name"]) == {"李某", "赵某", "孙某"}
    fp = published.funnel.set_index("step").loc["reverse_comparison"]
    assert (fp["n_in"], fp["n_out"]) == (4, 3) and fp["detail"] == {"removed": 1}
    # drop: 赵某 (法院) and 孙某 (公安机关) were aided already → removed; 李某's 不予救助 is no aid → stays
    assert set(drop.clues["name"]) == {"李某"}
    fd = drop.funnel.set_index("step").loc["reverse_comparison"]
    assert (fd["n_in"], fd["n_out"]) == (4, 1)
    assert fd["detail"] == {"removed": 3, "removed_aided_elsewhere": 2}
    # same steps and rule path in both readings
    assert list(drop.funnel["step"]) == list(published.funnel["step"])
    assert drop.clues.iloc[0]["rule_path"] == published.clues.set_index("name").loc["李某", "rule_path"]
    g = drop.lists["governance"]
    assert g[g["figure"] == "already_aided"]["value"].iloc[0] == 3
    # the wider existing reading (every organ, every handled status) also removes 李某 (不予救助 at 法院)
    assert len(weidu.screen(pool, aid_agencies=["检察院", "法院", "公安机关"]).clues) == 0


def test_aided_elsewhere_without_petitions_and_errors():
    # no petitions (第三步 then anti-joins directly): 李某 决定救助 at 法院 — kept by default, dropped by the
    # variant; 孙某 not aided anywhere stays in both
    frames = base_frames()
    frames["petitions"] = []
    frames["judicial_aid"] = [{"aid_id": "A1", "name": "李某", "id_number": I[0], "agency": "法院",
                               "applied_on": "2022-06-01", "status": "决定救助"}]
    pool = pool_of(frames)
    assert set(weidu.screen(pool).clues["name"]) == {"李某", "孙某"}
    r = weidu.screen(pool, aided_elsewhere="drop")
    assert set(r.clues["name"]) == {"孙某"}
    assert r.funnel.set_index("step").loc["reverse_comparison", "detail"] == {"removed": 1, "removed_aided_elsewhere": 1}
    with pytest.raises(ValueError, match="aided_elsewhere"):
        weidu.screen(pool, aided_elsewhere="yes")
    P = weidu.parameters()["reverse"]
    assert P["aided_elsewhere"] == "keep" and P["aided_statuses"] == ["决定救助"]


def test_unpaid_and_petition_variants():
    pool = pool_of(base_frames())
    # only 终结执行 counts as unpaid: E1/E2 (终本) drop out → no 碰撞一, no 碰撞三
    r = weidu.screen(pool, unpaid_closures=["终结执行"])
    c = r.clues.set_index("name")
    assert "孙某" not in c.index and c.loc["李某", "collisions"] == "碰撞二"
    # petitions of category 其他 left out: 周某 was not a clue anyway; result unchanged
    assert set(weidu.screen(pool, petition_categories=["涉法涉诉"]).clues["name"]) == {"李某", "赵某", "孙某"}


def test_linkage_fallback():
    # E1's applicant ID has a wrong check digit: "id" → no 碰撞一 for 李某 (still 碰撞二 via 困难妇女);
    # "fallback" → name + birth date from the ID digits, confidence 0.8 (碰撞二 keeps its exact match, 1.0)
    frames = base_frames()
    bad = I[0][:17] + ("0" if I[0][17] != "0" else "1")
    frames["court_enforcements"][0] = enf("E1", "李某", bad, "某运输公司", None, "终结本次执行", 159684.47, 0.0)
    frames["registries"] = [r for r in frames["registries"] if r["name"] != "李某"]
    pool = pool_of(frames)
    strict = weidu.screen(pool).clues
    assert "李某" not in set(strict["name"])
    fb = weidu.screen(pool, linkage="fallback").clues.set_index("name")
    assert fb.loc["李某", "collisions"] == "碰撞一"
    assert fb.loc["李某", "confidence"] == 0.8 and fb.loc["李某", "match"] == "name+birth_date"


def test_supervision(result):
    s = result.lists["supervision"]
    ex = s[s["kind"] == "执行监督"]
    assert list(ex["enforcement_id"]) == ["E1"] and ex.iloc[0]["days"] == 31
    inaction = s[s["kind"] == "行政违法监督"]
    assert set(inaction["name"]) == {"李某", "孙某"}


def test_supervision_variants():
    pool = pool_of(base_frames())
    # a longer window reaches E2 (334 days); scope "all" adds enforcement cases outside the clues
    r = weidu.screen(pool, supervision_max_days=400)
    assert set(r.lists["supervision"].query("kind == '执行监督'")["enforcement_id"]) == {"E1", "E2"}
    # zero_paid: E1 with 100 yuan recovered still signals by default, not with supervision_zero_paid=True
    frames = base_frames()
    frames["court_enforcements"][0]["amount_paid"] = 100.0
    p1 = pool_of(frames)
    assert list(weidu.screen(p1).lists["supervision"].query("kind == '执行监督'")["enforcement_id"]) == ["E1"]
    assert len(weidu.screen(p1, supervision_zero_paid=True).lists["supervision"].query("kind == '执行监督'")) == 0
    frames = base_frames()
    frames["court_enforcements"].append(enf("E4", "路人", None, "某", None, "终结本次执行", 1000.0, 0.0))
    pool = pool_of(frames)
    clues_only = weidu.screen(pool).lists["supervision"].query("kind == '执行监督'")
    everything = weidu.screen(pool, supervision_scope="all").lists["supervision"].query("kind == '执行监督'")
    assert list(clues_only["enforcement_id"]) == ["E1"]
    assert list(everything["enforcement_id"]) == ["E1", "E4"]


def test_governance(result):
    g = result.lists["governance"]
    v = lambda fig, grp="全部": g[(g["figure"] == fig) & (g["group"] == grp)]["value"].iloc[0]  # noqa: E731
    assert v("initial_clues") == 4 and v("clues") == 3 and v("already_aided") == 1
    assert v("clues_by_data", "民事") == 1 and v("clues_by_data", "信访") == 1 and v("clues_by_data", "刑事") == 1
    assert v("clues_by_collision", "碰撞二") == 2
    assert v("unpaid_amount") == pytest.approx(159684.47 + 50000.0)
    assert v("clues_by_need", "心理疏导") == 3


def test_registry_entry_point_and_errors():
    pool = pool_of(base_frames())
    assert len(run_model("weidu.screen", pool).clues) == 3
    with pytest.raises(TypeError):
        run_model("weidu.screen", pool, county_code="411002")
    with pytest.raises(ValueError):
        weidu.screen(pool, supervision_scope="some")


def test_empty_pool():
    r = weidu.screen(DataPool.from_frames({}))
    assert len(r.clues) == 0 and len(r.funnel) == 4


def test_collision3_criminal_basis_variant():
    # E2 (孙某 ← 王某) has no 执行依据: "any" (published) keeps 孙某; "criminal" drops her, unless
    # E2 enforces a 刑事 judgment (J1), in which case she stays
    frames = base_frames()
    assert "孙某" not in set(weidu.screen(pool_of(frames), collision3_basis="criminal").clues["name"])
    frames["court_judgments"] = [{"judgment_id": "J1", "kind": "刑事", "cause": "故意伤害罪",
                                  "effective_on": "2020-10-01", "case_id": "X1"}]
    frames["court_enforcements"][1]["judgment_id"] = "J1"
    c = weidu.screen(pool_of(frames), collision3_basis="criminal").clues.set_index("name")
    assert c.loc["孙某", "collisions"] == "碰撞三"
    with pytest.raises(ValueError):
        weidu.screen(pool_of(frames), collision3_basis="civil")


@pytest.mark.parametrize("linkage", ["id", "fallback"])
def test_inaction_left_out_when_helped_or_on_subsistence_list(linkage):
    # base: 李某 and 孙某 signal 行政违法监督 (人身损害, no social aid, not on 低保). A social-aid
    # record for 李某 takes him out; 孙某 on 困难职工 (not a subsistence registry) stays, and on
    # 城市低保 in two snapshots goes too (both tables are read in one link, the pairs split per table)
    frames = base_frames()
    frames["social_aid"] = [{"record_id": "S1", "name": "李某", "id_number": I[0], "aid_type": "临时救助",
                             "agency": "民政局", "granted_on": "2022-02-01"}]
    frames["registries"].append({"record_id": "R5", "registry": "困难职工", "agency": "总工会", "name": "孙某",
                                 "id_number": I[3], "as_of": "2022-01-01"})
    inaction = lambda p: set(weidu.screen(p, linkage=linkage).lists["supervision"]  # noqa: E731
                             .query("kind == '行政违法监督'")["name"])
    assert inaction(pool_of(frames)) == {"孙某"}
    for month in ("2022-01-01", "2022-02-01"):
        frames["registries"].append({"record_id": "R6" + month, "registry": "城市低保", "agency": "民政局",
                                     "name": "孙某", "id_number": I[3], "as_of": month})
    assert inaction(pool_of(frames)) == set()
    # the clues themselves do not change
    assert set(weidu.screen(pool_of(frames), linkage=linkage).clues["name"]) == {"李某", "赵某", "孙某"}


def test_union_lists_by_hand():
    # per person the sorted distinct items of its "、"-joined lists; empty items and missing lists
    # give nothing, a person with none is left out
    rows = pd.DataFrame({"_person": ["b", "a", "b", "a", "c", "d"],
                         "x": pd.Series(["E2、E1", None, "E1", "E3、、E1", "", "E9"], dtype="str")})
    got = weidu._union_lists(rows, "x")
    assert got.to_dict() == {"a": "E1、E3", "b": "E1、E2", "d": "E9"} and list(got.index) == ["a", "b", "d"]


@pytest.mark.parametrize("linkage", ["id", "id+name", "fallback"])
def test_reverse_comparison_petition_pairs_read_by_keyword_check(monkeypatch, linkage):
    # 李某 (the first clue) is removed by 第三步, so 赵某's petition pair moves from row 1 to row 0:
    # 第三步's anti-join equals anti_join, and the petition pairs it leaves for 第四步 give the
    # texts link(clues, petitions) gives (赵某's 生活困难 → 经济收入)
    frames = base_frames()
    frames["judicial_aid"] = [{"aid_id": "A1", "name": "李某", "id_number": I[0], "agency": "检察院",
                               "applied_on": "2022-06-01", "status": "决定救助"}]
    seen = []
    original = weidu._clue_texts

    def both(frame, ctx):
        got = original(frame, ctx)
        p = ctx.params
        a = ctx.pool["judicial_aid"]
        a = a[a["status"].isin(p["handled_statuses"]) & a["agency"].isin(p["aid_agencies"])].reset_index(drop=True)
        expected = weidu.anti_join(ctx.results["collisions"].reset_index(drop=True), a, linkage=p["linkage"])
        assert list(ctx.results["reverse_comparison"].index) == list(expected.index)
        ctx.results.pop("_petition_pairs")
        pd.testing.assert_frame_equal(got, original(frame, ctx))
        seen.append(len(got))
        return got

    monkeypatch.setattr(weidu, "_clue_texts", both)
    c = weidu.screen(pool_of(frames), linkage=linkage).clues.set_index("name")
    assert len(seen) == 1
    assert set(c.index) == {"赵某", "吴某", "孙某"}
    assert "经济收入" in c.loc["赵某", "categories"]


def test_split_values_as_str_split_explode():
    s = pd.Series(["a,b", None, "", "b", "c,,a", "甲,乙"], index=[5, 3, 1, 0, 2, 4], dtype="str")
    want = s.str.split(",").explode()
    got = weidu._split_values(s, ",")
    assert got.tolist() == want.dropna().tolist() == ["a", "b", "", "b", "c", "", "a", "甲", "乙"]
    assert got.value_counts().to_dict() == want.value_counts().to_dict()
    assert list(got.value_counts().items()) == list(want.value_counts().items())   # ties in the same order
    assert weidu._split_values(pd.Series([], dtype="str"), "、").tolist() == []
    assert weidu._split_values(pd.Series(["x、y"], dtype="str"), "、").tolist() == ["x", "y"]


def test_person_key_groups_as_the_spelled_out_key():
    from jiuzhu_methods.core.linkage import keys
    ids = [str(x) for x in identity.make_ids(np.array(["330382"] * 3),
                                             np.array(["1980-01-01", "1990-05-05", "1990-05-05"], dtype="datetime64[D]"),
                                             np.array([1, 2, 3]))]
    bad = "330382199005050000"   # invalid check digit: no ID, but a birth date from its digits
    bad80 = "330382198001010000"   # invalid too, another birth date
    df = pd.DataFrame({"name": pd.array(["张三", "张 三", "李四", "李四", "王五", "王五", None, "赵六", "赵六", "李四",
                                         "李四"], dtype="str"),
                       "id_number": pd.array([ids[0], ids[0], ids[1], bad, bad, None, bad, None, None, bad, bad80],
                                             dtype="str")},
                      index=[9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10])

    def reference(d):   # the string key it replaces
        k = keys(d)
        person = k["_id"].fillna("~" + k["_name"].fillna("") + "|" + k["_birth"].fillna(""))
        lone = k["_id"].isna() & (k["_name"].isna() | k["_birth"].isna())
        return person.where(~lone, "#" + pd.Series(range(len(d)), index=d.index).astype("str"))

    got = weidu._person_key(df)
    want = reference(df)
    assert got.index.equals(df.index) and got.dtype == np.int64
    # the same partition of the rows, in the same order of first appearance
    assert pd.factorize(got)[0].tolist() == pd.factorize(want)[0].tolist()
    # 张三 twice by ID; 李四 (bad ID) twice by name + birth with row 0; 王五 bad ID with a date vs no ID: apart;
    # no name, 赵六 without any birth date: each its own; 李四 born 1980 is another 李四
    assert pd.factorize(got)[0].tolist() == [0, 0, 1, 2, 3, 4, 5, 6, 7, 2, 8]
