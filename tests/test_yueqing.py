"""案例二 乐清 models 1–4 on one small hand-built pool; expected clues worked out by hand.

The pool (reference date 2023-01-01, county 330382 乐清市):

Procuratorate cases (model 1)::

    C1 审查起诉 故意伤害罪   doc "…住院治疗…"                      victims P1 (A), P8 (H); suspect P1s (S)
    C2 审查逮捕 交通肇事罪   doc "…R某…户籍地乐清…"                 victims P2 (B), P9 (A again)
    C3 审查起诉 故意伤害罪   docs "双方已达成调解协议", "…被害人丙三…"  victim  P3 (C)    -> removed (plain, aware);
                                                                   kept with exclude_scope="document"
    C4 审查起诉 交通肇事罪   doc "经调解，双方未达成调解协议"        victim  P4 (D)    -> removed plain, kept aware
    C5 审查起诉 盗窃罪       (charge not screened)                 victim  P5 (E)
    C6 生效裁判监督 故意伤害罪 (stage not screened)                 victim  P6 (F)
    C7 审查逮捕 故意伤害罪   doc "被害人表示不予谅解"                victim  P7 (G, ID with a bad check digit)
                                                                   -> removed plain, kept aware

Registries::

    城市低保     2022-01-01 A;  2022-12-01 X;  2023-06-01 H (after the reference date)
    农村低保     2022-12-01 C, S, L
    低保边缘家庭 2022-12-01 D
    网格困难群体 2022-12-01 G (valid ID)
    持证残疾人   2022-12-01 T

Court (model 2)::

    J1 刑事 故意伤害罪: R1 被害人 A, R2 附带民事诉讼原告人 K, R7 被告人 S
    J2 民事 机动车交通事故责任纠纷: R3 原告 L, R4 被告 M
    J3 民事 离婚纠纷: R5 原告 N          J4 刑事 盗窃罪: R6 被害人 O
    E1 A 终结本次执行   E2 K 执行完毕   E3 L (ID with a bad check digit) 终结执行
    E4 N 终结本次执行   E5 O 终结执行

Social aid: A 2022-05, B 2022-06, D 2022-07, L 2023-06 (after the reference date).
Judicial aid (model 4): Q 决定救助 (ID 330382…, case C1); R 决定救助 (ID 110105…, born 2010,
case C2 whose document says 户籍地乐清); T 决定救助 twice (ID 370000…); U 不予救助; A 决定救助.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool, run_model
from jiuzhu_methods.core import collide, params, persons, registries
from jiuzhu_methods.core import values as core_values
from jiuzhu_methods.core.identity import check_digit
from jiuzhu_methods.models import yueqing


def pid(area: str, birth: str, order: str) -> str:
    s = area + birth + order
    return s + check_digit(s)


def bad(id_: str) -> str:
    """Same ID with a wrong check digit (the birth date stays readable)."""
    return id_[:17] + ("0" if id_[17] != "0" else "1")


A = pid("330382", "19700101", "011")
B = pid("330382", "19750202", "021")
C = pid("330382", "19800303", "031")
D = pid("330382", "19810404", "042")
E = pid("330382", "19820505", "051")
F = pid("330382", "19830606", "061")
G = pid("330382", "19640707", "071")
H = pid("330382", "19850808", "082")
S = pid("330382", "19900909", "091")
X = pid("330382", "19911010", "101")
K = pid("330382", "19721111", "111")
L = pid("330382", "19601212", "122")
M = pid("330382", "19610101", "131")
N = pid("330382", "19620202", "142")
O = pid("330382", "19630303", "151")
Q = pid("330382", "19660404", "161")
R = pid("110105", "20100505", "172")
T = pid("370000", "19670606", "181")
U = pid("330382", "19680707", "191")

REF = "2023-01-01"


def make_pool() -> DataPool:
    cases = pd.DataFrame(
        [("C1", "刑事检察", "审查起诉", "故意伤害罪"), ("C2", "刑事检察", "审查逮捕", "交通肇事罪"),
         ("C3", "刑事检察", "审查起诉", "故意伤害罪"), ("C4", "刑事检察", "审查起诉", "交通肇事罪"),
         ("C5", "刑事检察", "审查起诉", "盗窃罪"), ("C6", "刑事检察", "生效裁判监督", "故意伤害罪"),
         ("C7", "刑事检察", "审查逮捕", "故意伤害罪")],
        columns=["case_id", "business", "stage", "charge"]).assign(accepted_on="2022-06-01", county_code="330382")
    parties = pd.DataFrame(
        [("P1", "C1", "被害人", "甲一", A), ("P1s", "C1", "犯罪嫌疑人", "嫌疑", S), ("P8", "C1", "被害人", "H某", H),
         ("P2", "C2", "被害人", "乙二", B), ("P9", "C2", "被害人", "甲一", A),
         ("P3", "C3", "被害人", "丙三", C), ("P4", "C4", "被害人", "丁四", D), ("P5", "C5", "被害人", "戊五", E),
         ("P6", "C6", "被害人", "己六", F), ("P7", "C7", "被害人", "庚七", bad(G))],
        columns=["record_id", "case_id", "role", "name", "id_number"]).assign(fault=None)
    docs = pd.DataFrame(
        [("D1", "C1", "起诉意见书", "被害人甲一被打伤后住院治疗，犯罪嫌疑人至今分文未付。"),
         ("D2", "C2", "询问笔录", "被害人乙二陈述事故经过。另查明，R某，户籍地乐清市，系目击者。"),
         ("D3", "C3", "和解协议书", "双方已达成调解协议，赔偿款已付清。"),
         ("D3b", "C3", "起诉书", "被告人殴打被害人丙三，致其受伤。"),
         ("D4", "C4", "起诉意见书", "经调解，双方未达成调解协议。"),
         ("D7", "C7", "询问笔录", "被害人表示不予谅解，要求依法处理。")],
        columns=["doc_id", "case_id", "doc_type", "text"])
    reg_rows = [("城市低保", "甲一", A, "2022-01-01"), ("城市低保", "X某", X, "2022-12-01"),
                ("城市低保", "H某", H, "2023-06-01"),
                ("农村低保", "丙三", C, "2022-12-01"), ("农村低保", "嫌疑", S, "2022-12-01"),
                ("农村低保", "L某", L, "2022-12-01"),
                ("低保边缘家庭", "丁四", D, "2022-12-01"), ("网格困难群体", "庚七", G, "2022-12-01"),
                ("持证残疾人", "T某", T, "2022-12-01")]
    agency = {"网格困难群体": "基层治理四平台", "持证残疾人": "残联"}
    registries = pd.DataFrame(
        [(f"G{i}", r, agency.get(r, "民政局"), n, i_, None, None, None, d) for i, (r, n, i_, d) in enumerate(reg_rows)],
        columns=["record_id", "registry", "agency", "name", "id_number", "detail", "address", "phone", "as_of"])
    judgments = pd.DataFrame(
        [("J1", "刑事", "故意伤害罪", None), ("J2", "民事", "机动车交通事故责任纠纷", None),
         ("J3", "民事", "离婚纠纷", None), ("J4", "刑事", "盗窃罪", None)],
        columns=["judgment_id", "kind", "cause", "case_id"]).assign(effective_on="2022-03-01")
    cparties = pd.DataFrame(
        [("R1", "J1", "被害人", "甲一", A), ("R2", "J1", "附带民事诉讼原告人", "K某", K), ("R7", "J1", "被告人", "嫌疑", S),
         ("R3", "J2", "原告", "L某", L), ("R4", "J2", "被告", "M某", M), ("R5", "J3", "原告", "N某", N),
         ("R6", "J4", "被害人", "O某", O)],
        columns=["record_id", "judgment_id", "role", "name", "id_number"]).assign(award=1000.0)
    enf = pd.DataFrame(
        [("E1", "J1", "甲一", A, "终结本次执行"), ("E2", "J1", "K某", K, "执行完毕"), ("E3", "J2", "L某", bad(L), "终结执行"),
         ("E4", "J3", "N某", N, "终结本次执行"), ("E5", "J4", "O某", O, "终结执行")],
        columns=["enforcement_id", "judgment_id", "applicant_name", "applicant_id_number", "closure"]).assign(
        respondent_name="被执行", respondent_id_number=None, amount_due=1000.0, amount_paid=0.0,
        filed_on="2022-04-01", closed_on="2022-08-01")
    social = pd.DataFrame(
        [("S1", "甲一", A, "临时救助", "2022-05-01"), ("S2", "乙二", B, "低保", "2022-06-01"),
         ("S3", "丁四", D, "医疗救助", "2022-07-01"), ("S4", "L某", L, "低保", "2023-06-01")],
        columns=["record_id", "name", "id_number", "aid_type", "granted_on"]).assign(agency="民政局")
    aid = pd.DataFrame(
        [("A1", "Q某", Q, "C1", "决定救助"), ("A2", "R某", R, "C2", "决定救助"), ("A3", "T某", T, None, "决定救助"),
         ("A4", "T某", T, None, "决定救助"), ("A5", "U某", U, None, "不予救助"), ("A6", "甲一", A, "C1", "决定救助")],
        columns=["aid_id", "name", "id_number", "case_id", "status"]).assign(
        agency="检察院", applied_on="2022-06-01", decided_on="2022-07-01", paid_on=None, amount=10000.0)
    return DataPool.from_frames(
        {"proc_cases": cases, "proc_parties": parties, "proc_documents": docs, "registries": registries,
         "court_judgments": judgments, "court_parties": cparties, "court_enforcements": enf,
         "social_aid": social, "judicial_aid": aid},
        meta={"county": "yueqing", "county_code": "330382", "reference_date": REF})


@pytest.fixture(scope="module")
def pool():
    return make_pool()


def funnel(res):
    return [(r.step, r.n_in, r.n_out) for r in res.funnel.itertuples()]


# --------------------------------------------------------------------------- model 1
def test_m1_published(pool):
    res = run_model("yueqing.m1", pool)
    # 第一步: cases C1 C2 C3 C4 C7 (C5 wrong charge, C6 wrong stage); their 被害人
    #   P1 P8 P2 P9 P3 P4 P7 = 7 of the 10 procuratorate party rows
    # 第二步 (plain): C3 (调解协议), C4 (未达成调解协议 still contains 调解协议), C7 (不予谅解) out
    #   -> P1 P8 P2 P9 = 4
    # 第三步: A (P1, P9) on 城市低保 2022-01; H only after the reference date; B on no list
    #   -> one person, A, its two records merged
    assert funnel(res) == [("m1_cases", 10, 7), ("m1_exclude_compensated", 7, 4),
                           ("m1_low_income", 4, 1), ("m1_manual", 1, 1)]
    assert res.funnel["detail"][1]["cases_excluded"] == 3
    assert res.funnel["label_zh"][1].startswith("剔除包含“调解协议”")
    assert res.funnel["source"].tolist() == [f"案例二 模型1 第{n}步" for n in "一二三四"]
    c = res.clues.iloc[0]
    assert (c["name"], c["id_number"], c["source"], c["source_ref"]) == ("甲一", A, "proc_parties", "P1")
    assert c["source_refs"] == "P1、P9"
    assert c["matched_registry"] == "城市低保"
    assert c["rule_path"] == "m1_cases > m1_exclude_compensated > m1_low_income > m1_manual"
    assert (c["match"], c["confidence"]) == ("id", 1.0)
    # needs: 城市低保 -> subsistence; C1's document says 住院/治疗 -> medical
    assert c["needs"] == "subsistence,medical"
    assert c["recommended_agencies"] == "网格员、民政局、乡村振兴局、医保局、卫健委"


def test_m1_negation_aware(pool):
    res = run_model("yueqing.m1", pool, negation="aware")
    # 第二步: only C3 (affirmed 已达成调解协议) out -> P1 P8 P2 P9 P4 P7 = 6
    # 第三步 (id): A, D (低保边缘家庭); G's record has a bad check digit -> no exact match
    assert funnel(res)[1:3] == [("m1_exclude_compensated", 7, 6), ("m1_low_income", 6, 2)]
    assert res.clues["name"].tolist() == ["甲一", "丁四"]


def test_m1_aware_fallback(pool):
    res = run_model("yueqing.m1", pool, negation="aware", linkage="fallback")
    # as above, plus G: name 庚七 + birth date 19640707 read from the bad ID = 网格困难群体 G (0.8)
    assert res.clues["name"].tolist() == ["甲一", "丁四", "庚七"]
    g = res.clues.iloc[2]
    assert (g["match"], g["confidence"], g["matched_registry"]) == ("name+birth_date", 0.8, "网格困难群体")


def test_m1_exclude_scope_document(pool):
    # literal reading: C3's settlement document goes, but its 起诉书 (no keyword) still names 丙三
    # -> P3 stays; C4 and C7 have no other document naming their victims -> removed as before.
    # 第三步: 丙三 is on 农村低保 -> second clue after A
    res = run_model("yueqing.m1", pool, exclude_scope="document")
    assert funnel(res)[1:3] == [("m1_exclude_compensated", 7, 5), ("m1_low_income", 5, 2)]
    assert res.funnel["detail"][1]["kept_named_in_other_documents"] == 1
    assert res.clues["name"].tolist() == ["甲一", "丙三"]
    with pytest.raises(ValueError):
        yueqing.m1(pool, exclude_scope="victim")


V = pid("330382", "19860909", "201")
SETTLEMENT = "甲乙双方经协商一致：乙方一次性支付甲方医疗费、误工费共计30000元，甲方收到款项后对乙方的行为表示原谅。"


def settlement_pool(text: str = SETTLEMENT, doc_type: str = "和解协议书") -> DataPool:
    """The hand-built pool plus case C8 (审查起诉 故意伤害罪) whose only document is ``text``;
    its victim P10 辛八 (ID V) is on 城市低保 (2022-12-01). The default text is a 刑事和解协议书
    recording a payment (一次性支付, 收到款项) and forgiveness (原谅) without any of the three
    quoted words (调解协议, 已赔偿, 谅解)."""
    base = make_pool()
    frames = {t: base[t] for t in ("court_judgments", "court_parties", "court_enforcements", "social_aid",
                                   "judicial_aid")}
    add = {"proc_cases": pd.DataFrame([{"case_id": "C8", "business": "刑事检察", "stage": "审查起诉",
                                        "charge": "故意伤害罪", "accepted_on": pd.Timestamp("2022-06-01"),
                                        "county_code": "330382"}]),
           "proc_parties": pd.DataFrame([{"record_id": "P10", "case_id": "C8", "role": "被害人", "name": "辛八",
                                          "id_number": V, "fault": None}]),
           "proc_documents": pd.DataFrame([{"doc_id": "D8", "case_id": "C8", "doc_type": doc_type, "text": text}]),
           "registries": pd.DataFrame([{"record_id": "G99", "registry": "城市低保", "agency": "民政局", "name": "辛八",
                                        "id_number": V, "as_of": pd.Timestamp("2022-12-01")}])}
    for t, extra in add.items():
        extra = extra.reindex(columns=base[t].columns).astype(base[t].dtypes.to_dict())
        frames[t] = pd.concat([base[t], extra], ignore_index=True)
    return DataPool.from_frames(frames, meta=dict(base.meta))


def test_m1_exclusion_content_reads_settlement_content():
    pool = settlement_pool()
    plain = run_model("yueqing.m1", pool)
    content = run_model("yueqing.m1", pool, exclusion="content")
    # 第一步: the 7 victims of before + P10 (C8) = 8 of 11 party rows
    # published 第二步: C3 (调解协议), C4 (未达成调解协议), C7 (不予谅解) out; C8 has none of the three
    #   words → P1 P8 P2 P9 P10 = 5; 第三步: A (城市低保 2022-01) and 辛八 (城市低保 2022-12)
    assert funnel(plain)[:3] == [("m1_cases", 11, 8), ("m1_exclude_compensated", 8, 5), ("m1_low_income", 5, 2)]
    assert plain.clues["name"].tolist() == ["甲一", "辛八"]
    assert "exclusion" not in plain.funnel["detail"][1]      # the published funnel as before
    # content: C8 also out (一次性支付, 收到款项, 原谅); the three quoted words still drop C3, C4, C7
    #   → P1 P8 P2 P9 = 4 → A only
    assert funnel(content)[:3] == [("m1_cases", 11, 8), ("m1_exclude_compensated", 8, 4), ("m1_low_income", 4, 1)]
    assert content.clues["name"].tolist() == ["甲一"]
    d = content.funnel["detail"][1]
    assert d["cases_excluded"] == 4 and d["exclusion"] == "content"
    assert d["documents_by_word"]["原谅"] == 1 and d["documents_by_word"]["一次性支付"] == 1
    assert d["documents_by_word"]["调解协议"] == 2      # D3 and D4, as published
    assert content.params["exclude_words"][:3] == ["调解协议", "已赔偿", "谅解"]


def test_m1_exclusion_content_with_negation_aware():
    pool = settlement_pool()
    # aware (published words): only C3 out → P1 P8 P2 P9 P4 P7 P10 = 7 → A, D, 辛八
    aware = run_model("yueqing.m1", pool, negation="aware")
    assert funnel(aware)[1:3] == [("m1_exclude_compensated", 8, 7), ("m1_low_income", 7, 3)]
    assert aware.clues["name"].tolist() == ["甲一", "丁四", "辛八"]
    # aware + content: C8's 原谅 / 一次性支付 are affirmed → also out → 6 → A, D
    both = run_model("yueqing.m1", pool, negation="aware", exclusion="content")
    assert funnel(both)[1:3] == [("m1_exclude_compensated", 8, 6), ("m1_low_income", 6, 2)]
    assert both.clues["name"].tolist() == ["甲一", "丁四"]
    # a negated content word is not content under aware: 未支付 / 不原谅 keep 辛八, plain content drops him
    neg = settlement_pool("乙方至今未一次性支付赔偿款，甲方表示不原谅乙方。")
    assert "辛八" in set(run_model("yueqing.m1", neg, negation="aware", exclusion="content").clues["name"])
    assert "辛八" not in set(run_model("yueqing.m1", neg, exclusion="content").clues["name"])


@pytest.mark.parametrize("text", ["乙方一次性支付甲方医疗费3万元。", "甲方对乙方的行为表示原谅。", "双方达成和解。"])
def test_m1_each_content_word_alone(text):
    # one content word in C8's only document: published keeps 辛八, content drops him
    pool = settlement_pool(text, doc_type="询问笔录")
    assert "辛八" in set(run_model("yueqing.m1", pool).clues["name"])
    assert "辛八" not in set(run_model("yueqing.m1", pool, exclusion="content").clues["name"])


@pytest.mark.parametrize("word", ["调解协议", "已赔偿", "谅解"])
@pytest.mark.parametrize("exclusion", ["published", "content"])
def test_m1_quoted_words_drop_under_both_readings(word, exclusion):
    pool = settlement_pool(f"被害人称双方{word}。", doc_type="询问笔录")
    assert "辛八" not in set(run_model("yueqing.m1", pool, exclusion=exclusion).clues["name"])


def test_m1_exclusion_errors_and_data():
    with pytest.raises(ValueError, match="exclusion"):
        yueqing.m1(make_pool(), exclusion="contents")
    raw = params.load_params()["model1"]
    assert raw["exclusion"]["value"] == "published"
    entries = raw["content_words"]["value"]
    assert raw["content_words"]["description"] and raw["content_words"]["source"]
    assert all(e["word"] and e["source"] for e in entries)
    words = yueqing.content_words()
    assert len(words) == len(set(words)) >= 10 and not set(words) & {"调解协议", "已赔偿", "谅解"}
    assert yueqing.exclusion_words() == ["调解协议", "已赔偿", "谅解"]
    assert yueqing.exclusion_words("content") == ["调解协议", "已赔偿", "谅解", *words]


def test_m3_passes_exclusion_to_model1():
    # 辛八 has social aid: m3 reads model 1 after 第二步 → published keeps him there, content not
    pool = settlement_pool()
    sa = pool["social_aid"]
    extra = pd.DataFrame([{"record_id": "S9", "name": "辛八", "id_number": V, "aid_type": "临时救助",
                           "agency": "民政局", "granted_on": pd.Timestamp("2022-08-01")}])
    extra = extra.reindex(columns=sa.columns).astype(sa.dtypes.to_dict())
    tables = {t: pool[t] for t in ("proc_cases", "proc_parties", "proc_documents", "registries", "court_judgments",
                                   "court_parties", "court_enforcements", "judicial_aid")}
    tables["social_aid"] = pd.concat([sa, extra], ignore_index=True)
    pool = DataPool.from_frames(tables, meta=dict(pool.meta))
    assert "辛八" in set(run_model("yueqing.m3", pool).clues["name"])
    assert "辛八" not in set(run_model("yueqing.m3", pool, exclusion="content").clues["name"])


def test_m1_snapshots_and_reference(pool):
    # latest: 城市低保's last snapshot up to 2023-01-01 is 2022-12 (X only): A drops out
    assert len(run_model("yueqing.m1", pool, snapshots="latest").clues) == 0
    # a later reference date lets H's 2023-06 snapshot count
    assert run_model("yueqing.m1", pool, reference_date="2023-12-31").clues["name"].tolist() == ["甲一", "H某"]


def test_m1_parameter_errors(pool):
    with pytest.raises(TypeError):
        yueqing.m1(pool, county_code="330382")
    with pytest.raises(ValueError):
        yueqing.m1(pool, negation="maybe")
    with pytest.raises(ValueError):
        yueqing.m1(pool, snapshots="all")


# --------------------------------------------------------------------------- model 2
def test_m2_published(pool):
    res = run_model("yueqing.m2", pool)
    # 第一步: J1 (刑事 故意伤害罪), J2 (民事 机动车交通事故责任纠纷); victims R1 R2 R3 (R4 被告, R7 被告人 not)
    # 第二步: E1 E3 E4 E5 closed 终结(本次)执行 of 5 enforcement cases
    # 第三步: R1 (A = E1's applicant); R2's E2 was 执行完毕; R3's E3 carries L's ID with a bad digit
    # 第四步: A on 城市低保
    assert funnel(res) == [("m2_judgment_victims", 7, 3), ("m2_closed_enforcements", 5, 4),
                           ("m2_intersect", 3, 1), ("m2_low_income", 1, 1), ("m2_manual", 1, 1)]
    c = res.clues.iloc[0]
    assert (c["name"], c["source"], c["source_ref"], c["matched_enforcement_id"]) == ("甲一", "court_parties", "R1", "E1")
    assert c["rule_path"] == "m2_judgment_victims > m2_intersect > m2_low_income > m2_manual"
    assert res.funnel["detail"][1]["by_closure"] == {"终结本次执行": 2, "终结执行": 2}


def test_m2_fallback_keeps_weakest_link(pool):
    res = run_model("yueqing.m2", pool, linkage="fallback")
    # 第三步 adds R3 (L): name + birth date from E3's bad ID (0.8); 第四步 L on 农村低保 exactly,
    # but the clue keeps the weaker link of its chain
    assert funnel(res)[2:4] == [("m2_intersect", 3, 2), ("m2_low_income", 2, 2)]
    l_ = res.clues.set_index("name").loc["L某"]
    assert (l_["match"], l_["confidence"], l_["matched_registry"]) == ("name+birth_date", 0.8, "农村低保")


def test_m2_enforcement_step_is_needed(pool):
    # counter-check: with 执行完毕 counted as closed, K (E2) would pass 第三步 (but is on no list)
    res = run_model("yueqing.m2", pool, closures=["终结执行", "终结本次执行", "执行完毕"])
    assert funnel(res)[2] == ("m2_intersect", 3, 2)


# --------------------------------------------------------------------------- model 3
def test_m3_published(pool):
    res = run_model("yueqing.m3", pool)
    # uncompensated: model 1 after 第二步 (P1 P8 P2 P9) + model 2 after 第三步 (R1) = 5 rows
    # ∩ social aid up to 2023-01-01 (A, B, D; L's is later): P1 P9 R1 (A), P2 (B) -> A, B
    assert funnel(res) == [("m3_social_aid", 5, 2), ("m3_manual", 2, 2)]
    c = res.clues.set_index("name")
    assert c.loc["甲一", "via"] == "模型1、模型2"
    assert c.loc["甲一", "source_refs"] == "P1、P9、R1"
    assert c.loc["甲一", "rule_path"] == "m1_cases > m1_exclude_compensated > m3_social_aid[模型1、模型2] > m3_manual"
    assert c.loc["乙二", "rule_path"] == "m1_cases > m1_exclude_compensated > m3_social_aid[模型1] > m3_manual"
    assert c.loc["乙二", "matched_aid_type"] == "低保"
    assert list(res.lists["m1_funnel"]["n_out"]) == [7, 4, 1, 1]


def test_m3_exclude_scope_document(pool):
    # model 1 keeps P3 (丙三, named in C3's 起诉书) too; 丙三 had no social aid -> still A, B
    res = run_model("yueqing.m3", pool, exclude_scope="document")
    assert funnel(res)[0] == ("m3_social_aid", 6, 2)


def test_m3_negation_aware(pool):
    # aware: model 1 also keeps P4 (D) and P7 (G); D had 医疗救助 -> third clue
    res = run_model("yueqing.m3", pool, negation="aware")
    assert funnel(res)[0] == ("m3_social_aid", 7, 3)
    assert sorted(res.clues["name"]) == sorted(["甲一", "乙二", "丁四"])


# --------------------------------------------------------------------------- model 4
def test_m4_published(pool):
    res = run_model("yueqing.m4", pool)
    # 第一步: 5 决定救助 records of 6 -> 4 persons (T twice): Q R T A
    # 第二步: 3 social-aid records up to the reference date (of 4)
    # 第三步: A already has social aid -> Q R T
    # 第五步: Q local by ID; R local by the document (户籍地乐清, same clause as R某); T not local
    assert funnel(res) == [("m4_judicial_aid", 6, 4), ("m4_social_aid", 4, 3), ("m4_difference", 4, 3),
                           ("m4_manual", 3, 3), ("m4_local_split", 3, 3)]
    assert res.params["target"] == "social"
    c = res.clues.set_index("name")
    assert c["local"].dtype == bool
    assert c["local"].to_dict() == {"Q某": True, "R某": True, "T某": False}
    assert c["local_signal"].to_dict() == {"Q某": "身份证号", "R某": "文书", "T某": ""}
    assert c.loc["T某", "source_refs"] == "A3、A4"
    assert c.loc["Q某", "rule_path"] == "m4_judicial_aid > m4_difference > m4_manual > m4_local_split[本地]"
    assert c.loc["T某", "rule_path"].endswith("m4_local_split[外地]")
    # measures: Q's case C1 mentions 住院治疗 -> medical; R born 2010 -> minor: education + child;
    # T on 持证残疾人 -> disability, and non-local -> 户籍地检察院 (seed 003 transfer rule)
    assert c.loc["Q某", "recommended_agencies"] == "社会大救助服务中心、医保局、卫健委"
    assert c.loc["R某", "needs"] == "education,child"
    # agencies in the order they first appear in data/needs.yaml (民政局 is listed under subsistence first)
    assert c.loc["R某", "recommended_agencies"] == "社会大救助服务中心、民政局、教育局、妇联"
    assert c.loc["T某", "recommended_agencies"] == "社会大救助服务中心、残联、户籍地检察院"
    assert c.loc["T某", "measures"] == "残疾人帮扶"


def test_m4_local_variants(pool):
    # without the text signal R is only judged by the ID prefix (110105): not local
    res = run_model("yueqing.m4", pool, text_signal=False)
    assert res.clues.set_index("name")["local"].to_dict() == {"Q某": True, "R某": False, "T某": False}
    # another county code: R local by ID and text, Q (330382) no longer
    res = run_model("yueqing.m4", pool, county_code="110105")
    c = res.clues.set_index("name")
    assert c["local"].to_dict() == {"Q某": False, "R某": True, "T某": False}
    assert c.loc["R某", "local_signal"] == "身份证号+文书"


def test_m4_default_county_code_from_meta():
    p = make_pool()
    p.meta["county_code"] = "370000"
    c = run_model("yueqing.m4", p).clues.set_index("name")
    assert c.loc["T某", "local"] and not c.loc["Q某", "local"]
    # "" (a notebook's empty parameter) also means the pool's county; CLI strings for booleans
    c = run_model("yueqing.m4", p, county_code="", text_signal="False").clues.set_index("name")
    assert c["local"].to_dict() == {"Q某": False, "R某": False, "T某": True}


def test_m4_text_markers_follow_the_county_name():
    # the markers are templates: 户籍地{county}; for a pool of 单县 "户籍地乐清" is no signal
    p = make_pool()
    p.meta["county_name"] = "乐清市"
    res = run_model("yueqing.m4", p)
    assert "户籍地乐清" in res.params["local_text_markers"]
    assert res.clues.set_index("name").loc["R某", "local_by_text"]
    p.meta["county_name"] = "单县"
    res = run_model("yueqing.m4", p)
    assert "户籍地单县" in res.params["local_text_markers"]
    assert not res.clues.set_index("name").loc["R某", "local"]


def test_empty_pool_runs_every_model():
    empty = DataPool.from_frames({})
    for m in ("m1", "m2", "m3", "m4"):
        res = run_model(f"yueqing.{m}", empty)
        assert len(res.clues) == 0 and (res.funnel["n_out"] == 0).all()


@pytest.mark.parametrize("linkage", ["id", "id+name", "fallback"])
def test_registry_prefilter_changes_nothing(pool, linkage):
    # registry_rows(like=...) keeps only entries that could match; the join result is the same
    from jiuzhu_methods.core import linkage as lk
    left = pool["proc_parties"]
    regs = ["城市低保", "农村低保", "低保边缘家庭", "网格困难群体"]
    full = registries.registry_rows(pool, regs)
    small = registries.registry_rows(pool, regs, like=left, linkage=linkage)
    assert len(small) < len(full)
    a = lk.semi_join(left, full, linkage=linkage, collect="registry")
    b = lk.semi_join(left, small, linkage=linkage, collect="registry")
    pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------- speed rewrites = the plain code
def _registry_rows_reference(pool, registries, *, snapshots="any", reference=None, like=None, linkage="id"):
    """registry_rows written plainly: every rule a mask over the whole table, keys row by row."""
    from jiuzhu_methods.core import linkage as lk
    reg = pool["registries"]
    kreg = lk.keys(reg, phone_col=None, address_col=None)
    keep = reg["registry"].isin(registries).to_numpy().copy()
    if reference is not None:
        keep = keep & (reg["as_of"] <= pd.Timestamp(reference)).to_numpy()
    if snapshots == "latest" and keep.any():
        last = reg.loc[keep].groupby("registry")["as_of"].max()
        for r, d in last.items():
            keep = keep & ~((reg["registry"] == r) & (reg["as_of"] != d)).to_numpy()
    if like is not None:
        k = lk.keys(like, phone_col=None, address_col=None)
        cand = kreg["_id"].isin(k["_id"].dropna()).to_numpy()
        if linkage == "fallback":
            cand = cand | kreg["_name"].isin(k["_name"].dropna()).to_numpy()
        keep = keep & cand
    out = reg.loc[keep].sort_values("as_of", kind="stable")
    return out.drop_duplicates(["registry", "name", "id_number", "address", "phone"]).sort_index()


OLD18 = pid("330382", "19700101", "001")
OLD15 = OLD18[:6] + OLD18[8:17]   # the same person's 15-digit ID


def _snapshot_pool() -> DataPool:
    # the hand-built registries in three monthly snapshots, with other spellings of the same
    # IDs (spaces, lower-case x, 15 digits), rows without an ID and a registry's own later month
    base = make_pool()
    reg = base["registries"]
    spaced = reg.assign(id_number=reg["id_number"].str.slice(0, 6) + " " + reg["id_number"].str.slice(6),
                        as_of=pd.Timestamp("2022-11-01"))
    lower = reg.assign(id_number=reg["id_number"].str.lower(), as_of=pd.Timestamp("2022-10-01"))
    no_id = reg.assign(id_number=None, as_of=pd.Timestamp("2022-09-01"))
    old = pd.DataFrame([("城市低保", "老十五", OLD15, pd.Timestamp("2022-08-01")),
                        ("农村低保", "甲一", A, pd.Timestamp("2023-02-01"))],
                       columns=["registry", "name", "id_number", "as_of"])
    regs = pd.concat([reg, spaced, lower, no_id, old], ignore_index=True)
    regs["record_id"] = [f"G{i}" for i in range(len(regs))]
    frames = {t: base[t] for t in ("proc_cases", "proc_parties", "proc_documents", "court_judgments",
                                   "court_parties", "court_enforcements", "social_aid", "judicial_aid")}
    frames["registries"] = regs
    return DataPool.from_frames(frames, meta=dict(base.meta))


@pytest.mark.parametrize("snapshots", ["any", "latest"])
@pytest.mark.parametrize("reference", [None, "2023-01-01", "2022-10-15"])
@pytest.mark.parametrize("linkage", [None, "id", "id+name", "fallback"])
def test_registry_rows_equal_the_plain_masks(snapshots, reference, linkage):
    # the index (codes of distinct raw values, candidates first) selects exactly the rows of
    # the plain full-table masks, for every snapshot rule, reference date and linkage
    pool = _snapshot_pool()
    like = None
    if linkage is not None:
        like = pd.concat([pool["proc_parties"][["name", "id_number"]],
                          pd.DataFrame({"name": ["老十五", "庚七"], "id_number": [OLD18, None]})],
                         ignore_index=True)
    regs = ["城市低保", "农村低保", "低保边缘家庭", "网格困难群体"]
    got = registries.registry_rows(pool, regs, snapshots=snapshots, reference=reference, like=like,
                                linkage=linkage or "id")
    want = _registry_rows_reference(pool, regs, snapshots=snapshots, reference=reference, like=like,
                                    linkage=linkage or "id")
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want)


def test_registry_rows_follow_the_table():
    # the keys come from the table's own column index: another pool, or a column replaced in
    # place, is read afresh (never an index of an earlier table)
    p1, p2 = make_pool(), _snapshot_pool()
    regs = ["城市低保"]
    assert len(registries.registry_rows(p1, regs)) == 3
    assert len(registries.registry_rows(p2, regs)) == len(_registry_rows_reference(p2, regs)) > 3
    like = p2["proc_parties"][["name", "id_number"]]
    before = registries.registry_rows(p2, regs, like=like)
    reg = p2["registries"]
    reg["id_number"] = reg["id_number"].where(reg["name"] != before["name"].iloc[0], None)
    after = registries.registry_rows(p2, regs, like=like)
    assert 0 < len(after) < len(before)
    pd.testing.assert_frame_equal(after, _registry_rows_reference(p2, regs, like=like))


def test_key_in_compares_linkage_keys():
    # " 330382197001010011 " and its 15-digit form share the usable ID; "12345" has none;
    # names compare without spaces and middle dots
    s = pd.Series([OLD18, " " + OLD18.lower() + " ", OLD15, "12345", None], dtype="str")
    assert registries.key_in(s, "_id", pd.Series([OLD18])).tolist() == [True, True, True, False, False]
    assert registries.key_in(s, "_id", pd.Series([], dtype="str")).tolist() == [False] * 5
    names = pd.Series(["张 三", "阿依·古丽", None, "李四"], dtype="str")
    assert registries.key_in(names, "_name", pd.Series(["张三", "阿依古丽"])).tolist() == [True, True, False, False]


def test_first_entries_keeps_each_entry_earliest_snapshot():
    # rows 0, 1 and 4 are one entry (4 has no date: sorted last); 2 differs by address, 3 by
    # registry; the missing phones are equal
    reg = pd.DataFrame({"registry": ["城市低保"] * 3 + ["农村低保", "城市低保"], "name": ["张三"] * 5,
                        "id_number": [OLD18] * 5, "address": ["甲", "甲", "乙", "甲", "甲"],
                        "phone": pd.Series([None] * 5, dtype="str"),
                        "as_of": pd.to_datetime(["2022-02-01", "2022-01-01", "2022-01-01", "2022-03-01", None])})
    assert registries.first_entries(reg, np.arange(5)).tolist() == [1, 2, 3]
    assert registries.first_entries(reg, np.array([0, 3, 4])).tolist() == [0, 3]


def test_person_key_by_hand():
    # a valid ID in two spellings is one person; an ID with a wrong check digit still gives
    # the birth date (name + birth date); no ID at all: the row itself
    bad = OLD18[:-1] + ("1" if OLD18[-1] != "1" else "2")
    df = pd.DataFrame({"name": ["张三", "张 三", "李 四", "王五"],
                       "id_number": [OLD18, OLD18[:6] + " " + OLD18[6:].lower(), bad, None]}, index=[5, 6, 7, 8])
    assert persons.person_key(df).tolist() == [OLD18, OLD18, "~李四|19700101", "#3"]
    assert persons.person_key(df.drop(columns="id_number")).tolist() == ["#0", "#1", "#2", "#3"]


def _join_by_reference(keys, values):
    d = pd.DataFrame({"k": list(keys), "v": pd.Series(values).astype("str").to_numpy()}).dropna()
    d = d.drop_duplicates()
    multi = d["k"].duplicated(keep=False).to_numpy()
    single = d.loc[~multi].set_index("k")["v"]
    joined = d.loc[multi].groupby("k", sort=False)["v"].agg("、".join)
    return pd.concat([single, joined]) if multi.any() else single


@pytest.mark.parametrize("n", [0, 1, 7, 500])
def test_join_by_equals_the_groupby_join(n):
    rng = np.random.default_rng(n)
    keys = [f"p{k}" for k in rng.integers(0, max(n // 3, 1), n)]
    values = pd.Series(rng.choice(["城市低保", "农村低保", "孤儿", None], n), dtype="str")
    got, want = core_values.join_by(keys, values), _join_by_reference(keys, values)
    assert got.index.tolist() == want.index.tolist()
    assert got.astype("str").tolist() == want.astype("str").tolist()
    # e.g. first-appearance order within a key, distinct values only
    assert core_values.join_by(["a", "b", "a", "a"], ["乙", "甲", "甲", "乙"]).to_dict() == {"b": "甲", "a": "乙、甲"}


def test_needs_from_text_per_document_equals_the_concatenated_case_text(pool):
    # a need keyword found in any single document of a case = found in the case's joined text
    from jiuzhu_methods.core import keywords
    docs = pool["proc_documents"]
    lib = yueqing._v("needs", "from_text")
    tags = keywords.tag_categories(keywords.texts_by(docs), lib)
    frame = pd.DataFrame({"name": None, "id_number": None, "case_id": sorted(docs["case_id"].unique())},
                         dtype="str")
    got = yueqing.infer_needs(frame, pool)["needs"].tolist()
    want = [",".join(n for n in params.needs_table() if n in lib and tags.loc[c, n]) or "subsistence"
            for c in frame["case_id"]]
    assert got == want and "medical" in got[0]   # C1: 住院治疗


def test_isin_str_values_are_the_object_reading():
    # str values (Series with a missing value and repeats, Index, the array of .unique()) are
    # used as their Arrow array; missing never matches either way, as with a list of the values
    s = pd.Series(["a", None, "b", "c", "甲"], dtype="str", index=[5, 6, 7, 8, 9])
    vals = pd.Series(["甲", None, "a", "a", "z"], dtype="str")
    expected = [True, False, False, False, True]
    for v in (vals, pd.Index(vals), vals.unique(), list(vals), vals.to_numpy(dtype=object)):
        got = core_values.isin(s, v)
        assert got.tolist() == expected and list(got.index) == [5, 6, 7, 8, 9] and got.dtype == bool
    assert not core_values.isin(s, pd.Series([None], dtype="str")).any()


def test_join_by_integer_keys_is_the_group_join():
    # integer keys go by codes (_join_by_codes): distinct values per key in order of first
    # appearance, missing values dropped, keys with one value first — as a plain group join
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, 500)
    values = pd.Series(rng.choice(["甲", "乙", "b", "a", None], 500), dtype="str")
    got = core_values.join_by(keys, values)
    d = pd.DataFrame({"k": keys, "v": values}).dropna().drop_duplicates()
    joined = d.groupby("k", sort=False)["v"].agg("、".join)
    size = d.groupby("k", sort=False).size()
    expected = pd.concat([joined[size == 1], joined[size > 1]])
    assert got.tolist() == expected.tolist() and got.index.tolist() == expected.index.tolist()
    assert got.dtype == "str" and got.index.dtype == keys.dtype and got.index.name == "k" and got.name == "v"
    # the same through the general path (object keys)
    general = core_values.join_by(keys.astype(object), values)
    assert general.tolist() == got.tolist() and general.index.tolist() == got.index.tolist()
    assert len(core_values.join_by(np.array([], dtype=np.int64), pd.Series([], dtype="str"))) == 0

