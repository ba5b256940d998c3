"""案例四 单县 两库四比对 on a small hand-built pool; expected clues worked out by hand.

The pool (reference date 2023-01-01, county 371722 单县)::

    case  business    stage             party (role)            registries (snapshot)
    K1    刑事检察    审查起诉          V1 甲 (被害人)           甲 低保边缘家庭 (2022-12)        -> group 1
                                       V1s 乙 (犯罪嫌疑人)      乙 城市低保 — not in the base
    K2    未成年人检察 审查起诉         V2 丙 (被害人)           丙 困境儿童, 持证残疾人 (2022-12) -> groups 2, 3
    K3    民事检察    支持起诉          V3 丁 (申请人)           丁 农村低保 (2022-12), 持证残疾人 (2022-01 only) -> 1, 3
    K4    民事检察    生效裁判监督      V4 戊 (申请人)           戊 特困人员 — stage not in the base
    K5    行政检察    行政非诉执行监督  V5 己 (申请人)           己 困难职工 (2022-12)            -> group 4
    K6    行政检察    行政裁判结果监督  V6 庚 (被申请人)         庚 城市低保 — role not in the base
    K7    刑事检察    审查逮捕          V7 辛 (被害人)           same ID listed as "辛大" on 边缘易致贫户: the
                                                                 names differ -> no hit under id+name, hit under id
                                       V8 壬 (被害人, ID with a bad check digit)  壬 原建档立卡贫困户 (valid ID):
                                                                 only the fallback (name + birth date) finds it
    petitions: PT1 甲 涉法涉诉 (the same person as V1); PT2 癸 其他 (癸 城市低保 — not in the base);
               PT3 子 涉法涉诉 (子 on 孤儿 only from 2023-06, after the reference date)
"""
from __future__ import annotations

import pandas as pd
import pytest

from jiuzhu_methods import DataPool, run_model
from jiuzhu_methods.core.identity import check_digit
from jiuzhu_methods.models import shanxian


def pid(birth: str, order: str, area: str = "371722") -> str:
    s = area + birth + order
    return s + check_digit(s)


def bad(id_: str) -> str:
    return id_[:17] + ("0" if id_[17] != "0" else "1")


JIA, YI, BING, DING = pid("19700101", "011"), pid("19710101", "021"), pid("20120101", "032"), pid("19600101", "041")
WU, JI, GENG, XIN = pid("19500101", "051"), pid("19750101", "061"), pid("19760101", "071"), pid("19770101", "081")
REN, GUI, ZI = pid("19780101", "091"), pid("19790101", "101"), pid("19800101", "111")


def make_pool() -> DataPool:
    cases = pd.DataFrame(
        [("K1", "刑事检察", "审查起诉", "故意伤害罪"), ("K2", "未成年人检察", "审查起诉", "强奸罪"),
         ("K3", "民事检察", "支持起诉", "赡养纠纷"), ("K4", "民事检察", "生效裁判监督", "赡养纠纷"),
         ("K5", "行政检察", "行政非诉执行监督", "行政强制"), ("K6", "行政检察", "行政裁判结果监督", "行政处罚"),
         ("K7", "刑事检察", "审查逮捕", "交通肇事罪")],
        columns=["case_id", "business", "stage", "charge"]).assign(accepted_on="2022-06-01", county_code="371722")
    parties = pd.DataFrame(
        [("V1", "K1", "被害人", "甲", JIA), ("V1s", "K1", "犯罪嫌疑人", "乙", YI), ("V2", "K2", "被害人", "丙", BING),
         ("V3", "K3", "申请人", "丁", DING), ("V4", "K4", "申请人", "戊", WU), ("V5", "K5", "申请人", "己", JI),
         ("V6", "K6", "被申请人", "庚", GENG), ("V7", "K7", "被害人", "辛", XIN), ("V8", "K7", "被害人", "壬", bad(REN))],
        columns=["record_id", "case_id", "role", "name", "id_number"]).assign(fault=None)
    pets = pd.DataFrame(
        [("PT1", "甲", JIA, "涉法涉诉"), ("PT2", "癸", GUI, "其他"), ("PT3", "子", ZI, "涉法涉诉")],
        columns=["petition_id", "name", "id_number", "category"]).assign(received_on="2022-07-01", text="反映问题")
    reg = [("低保边缘家庭", "甲", JIA, "2022-12-01"), ("城市低保", "乙", YI, "2022-12-01"),
           ("困境儿童", "丙", BING, "2022-12-01"), ("持证残疾人", "丙", BING, "2022-12-01"),
           ("农村低保", "丁", DING, "2022-12-01"), ("持证残疾人", "丁", DING, "2022-01-01"),
           ("特困人员", "戊", WU, "2022-12-01"), ("困难职工", "己", JI, "2022-12-01"),
           ("城市低保", "庚", GENG, "2022-12-01"), ("边缘易致贫户", "辛大", XIN, "2022-12-01"),
           ("原建档立卡贫困户", "壬", REN, "2022-12-01"), ("城市低保", "癸", GUI, "2022-12-01"),
           ("孤儿", "子", ZI, "2023-06-01")]
    registries = pd.DataFrame(
        [(f"G{i}", r, "大数据局", n, i_, None, None, None, d) for i, (r, n, i_, d) in enumerate(reg)],
        columns=["record_id", "registry", "agency", "name", "id_number", "detail", "address", "phone", "as_of"])
    return DataPool.from_frames({"proc_cases": cases, "proc_parties": parties, "petitions": pets,
                                 "registries": registries},
                                meta={"county": "shanxian", "county_code": "371722", "reference_date": "2023-01-01"})


@pytest.fixture(scope="module")
def pool():
    return make_pool()


def funnel(res):
    return [(r.step, r.n_in, r.n_out) for r in res.funnel.itertuples()]


def test_published_id_and_name(pool):
    res = run_model("shanxian.screen", pool)
    # base: 刑事 V1 V7 V8, 未检 V2, 民事 V3 (K4's stage is not 支持起诉/执行监督), 行政 V5 (V6 is
    #   被申请人), 涉法涉诉 PT1 PT3 = 8 of 9 party rows + 3 petitions
    # 比对点 (name + valid ID): V8's ID fails its check digit -> 7
    # 四比对: V1 (1), V2 (2、3), V3 (1、3), V5 (4), PT1 (1); V7's listed name differs; PT3 on no list
    # push list: 甲 appears twice (V1, PT1) -> 4 persons
    assert funnel(res) == [("base", 12, 8), ("comparison_points", 8, 7), ("four_comparisons", 7, 5),
                           ("push_list", 5, 4), ("manual_check", 4, 4)]
    assert res.funnel["detail"][2]["by_group"] == {"组1": 3, "组2": 1, "组3": 2, "组4": 1}
    assert res.funnel["detail"][0]["by_part"] == {"刑事检察被害人": 3, "未成年人检察被害人": 1, "民事检察申请人": 1,
                                                  "行政检察申请人": 1, "涉法涉诉信访人": 2}
    c = res.clues.set_index("name")
    assert list(c.index) == ["甲", "丙", "丁", "己"]
    assert c["groups"].to_dict() == {"甲": "1", "丙": "2、3", "丁": "1、3", "己": "4"}
    assert c.loc["丙", "rule_path"] == ("base[未成年人检察被害人] > comparison_points > four_comparisons[组2、组3]"
                                        " > push_list > manual_check")
    assert c.loc["甲", "base"] == "刑事检察被害人、涉法涉诉信访人"
    assert c.loc["甲", "source_refs"] == "V1、PT1"
    assert (c.loc["甲", "source"], c.loc["甲", "source_ref"]) == ("proc_parties", "V1")
    assert c.loc["丁", "matched_registry"] == "农村低保、持证残疾人"
    assert c.loc["丙", "group_labels"] == "未成年人 (孤儿、困境儿童、事实无人抚养儿童)、残疾人"
    assert c["recommended_agencies"].to_dict() == {"甲": "民政局、乡村振兴局", "丙": "民政局、残联",
                                                   "丁": "民政局、乡村振兴局、残联", "己": "民政局"}
    assert (c["match"] == "id+name").all() and (c["confidence"] == 1.0).all()


def test_linkage_id(pool):
    res = run_model("shanxian.screen", pool, linkage="id")
    # the ID alone: V7 辛 hits 边缘易致贫户 (listed as 辛大) -> group 1; V8 still without a usable ID
    assert funnel(res)[1:4] == [("comparison_points", 8, 7), ("four_comparisons", 7, 6), ("push_list", 6, 5)]
    c = res.clues.set_index("name")
    assert c.loc["辛", "groups"] == "1" and c.loc["辛", "match"] == "id"


def test_linkage_fallback(pool):
    res = run_model("shanxian.screen", pool, linkage="fallback")
    # every named record is compared (8); V7 by ID (1.0), V8 壬 by name + birth date 19780101 (0.8)
    assert funnel(res)[1:4] == [("comparison_points", 8, 8), ("four_comparisons", 8, 7), ("push_list", 7, 6)]
    c = res.clues.set_index("name")
    assert (c.loc["壬", "match"], c.loc["壬", "confidence"], c.loc["壬", "groups"]) == ("name+birth_date", 0.8, "1")
    assert (c.loc["辛", "match"], c.loc["辛", "confidence"]) == ("id", 1.0)


def test_snapshots_reference_and_groups(pool):
    # latest: 持证残疾人's last snapshot up to the reference is 2022-12 (丙 only): 丁 keeps group 1 only
    c = run_model("shanxian.screen", pool, snapshots="latest").clues.set_index("name")
    assert c.loc["丁", "groups"] == "1" and c.loc["丙", "groups"] == "2、3"
    # a later reference date: 子's 孤儿 snapshot (2023-06) counts -> a fifth clue, group 2
    c = run_model("shanxian.screen", pool, reference_date="2023-12-31").clues.set_index("name")
    assert c.loc["子", "groups"] == "2" and c.loc["子", "source"] == "petitions"
    # group 4 is a reading: narrowing it to 困难妇女 drops 己
    res = run_model("shanxian.screen", pool, groups={"4": ["困难妇女"]})
    assert "己" not in set(res.clues["name"])
    with pytest.raises(ValueError):
        shanxian.screen(pool, groups={"5": ["孤儿"]})
    with pytest.raises(TypeError):
        shanxian.screen(pool, negation="aware")


def test_empty_pool():
    res = run_model("shanxian.screen", DataPool.from_frames({}))
    assert len(res.clues) == 0 and (res.funnel["n_out"] == 0).all()
