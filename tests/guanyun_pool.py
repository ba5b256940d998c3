"""A hand-built 灌云 pool shared by tests/test_guanyun.py and tests/test_evaluate.py.

Persons (valid IDs from identity.make_ids, area 320723):

=====  =====================================================  ==========================================
who    records                                                 expected (published reading)
=====  =====================================================  ==========================================
A      C1 故意伤害罪 被害人 (P1); petition PT3 涉法涉诉         clue (农村低保 2022-04), criminal_injury;
       (2022-06-01); 农村低保 2022-04 and 2023-06;               one clue although two records (the
       enforcement E2 终本 of J1 (C1's judgment);               petition too finds 农村低保 as it stood on
       judicial_aid 不予救助 (does not count);                   2022-06-01: its 2022-04 snapshot);
       D1b "未达成调解协议，被告人未赔偿"                       rule 1 keeps her (no paid award; the
                                                                 document's 调解协议 is contradicted)
B      C2 交通肇事罪 近亲属 (P3), fault 次要责任;                 clue by case fact (死亡), not in pool →
       农村低保 only 2023-06 (after the window)                  also a suggestion letter; follow-up "newly"
C      C3 故意伤害罪 被害人 (P4); 城市低保; 谅解书 in C3          removed by rule 1 (the 谅解书 states
       saying 已获赔偿                                          已获赔偿; doc_type: its type)
D      C4 民事 赡养纠纷 申请人 (P5); 特困人员;                   removed by rule 1 (the award of his own
       applicant of E1 执行完毕 of J4 (C4's judgment)           case enforced in full)
E      C5 诈骗罪 被害人 (P6); 持证残疾人 肢体二级;                removed by rule 3 (aided by 法院)
       judicial_aid 决定救助 法院
F      C6 盗窃罪 被害人 (P7); no list; doc "未构成重伤"          plain: clue by case fact 重伤 (a literal
                                                                 keyword mistake); aware: dropped by rule 2;
                                                                 suggestion letter either way
G      petition PT1 涉法涉诉; 困难妇女 + 持证残疾人 视力二级     clue, petition
H      petition PT2 其他                                        not a candidate
I      C7 故意伤害罪 被害人 (P8) with a one-digit ID typo;       id: not found, no fact → letter only;
       农村低保 under the correct ID                            fallback: clue (name+birth_date, 0.8)
J      C8 故意伤害罪 被害人 (P9); 农村低保 only 2023-06          window: letter only; snapshot="any"
                                                                 or "latest": clue
X      C1 犯罪嫌疑人 (P2)                                       not a candidate
=====  =====================================================  ==========================================
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from jiuzhu_methods import DataPool
from jiuzhu_methods.core import identity

PEOPLE = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "X"]
NAMES = dict(zip(PEOPLE, ["安阿", "白波", "陈晨", "丁冬", "鄂恩", "范方", "高歌", "何禾", "殷一", "金杰", "谢晓"]))


def ids() -> dict[str, str]:
    n = len(PEOPLE)
    births = np.array([f"19{60 + i}-0{1 + i % 9}-1{i % 10}" for i in range(n)], dtype="datetime64[D]")
    out = identity.make_ids(np.array(["320723"] * n), births, np.arange(101, 101 + n))
    return dict(zip(PEOPLE, [str(x) for x in out]))


def typo(idn: str) -> str:
    """Change one digit of the sequence part (positions 15-16), leaving the birth date readable."""
    d = idn[14]
    return idn[:14] + str((int(d) + 1) % 10) + idn[15:]


def build(with_truth: bool = False) -> DataPool:
    I = ids()
    N = NAMES
    cases = pd.DataFrame({
        "case_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
        "business": ["刑事检察", "刑事检察", "刑事检察", "民事检察", "刑事检察", "刑事检察", "刑事检察", "刑事检察"],
        "stage": ["审查起诉", "审查起诉", "审查起诉", "支持起诉", "审查起诉", "审查起诉", "审查起诉", "审查起诉"],
        "charge": ["故意伤害罪", "交通肇事罪", "故意伤害罪", "赡养纠纷", "诈骗罪", "盗窃罪", "故意伤害罪", "故意伤害罪"],
        "accepted_on": ["2022-03-10"] * 8,
        "county_code": ["320723"] * 8,
    })
    parties = pd.DataFrame([
        ("P1", "C1", "被害人", "A", None), ("P2", "C1", "犯罪嫌疑人", "X", None),
        ("P3", "C2", "近亲属", "B", "次要责任"), ("P4", "C3", "被害人", "C", None),
        ("P5", "C4", "申请人", "D", None), ("P6", "C5", "被害人", "E", None),
        ("P7", "C6", "被害人", "F", None), ("P8", "C7", "被害人", "I", None),
        ("P9", "C8", "被害人", "J", None),
    ], columns=["record_id", "case_id", "role", "who", "fault"])
    parties["name"] = parties["who"].map(N)
    parties["id_number"] = parties["who"].map(I)
    parties.loc[parties["who"] == "I", "id_number"] = typo(I["I"])
    docs = pd.DataFrame([
        ("D1", "C1", "起诉书", "被告人谢晓故意伤害被害人安阿，致其轻伤二级。"),
        ("D1b", "C1", "询问笔录", "被害人称双方未达成调解协议，被告人未赔偿。"),
        ("D2", "C2", "起诉意见书", "犯罪嫌疑人驾车撞击行人，致其经抢救无效死亡。"),
        ("D3", "C3", "谅解书", "被害人陈晨已获赔偿，对被告人表示谅解。"),
        ("D6", "C6", "询问笔录", "被害人范方称其手机被盗，经鉴定未构成重伤。"),
        ("D7", "C7", "起诉书", "致被害人殷一轻伤一级。"),
        ("D8", "C8", "起诉书", "致被害人金杰轻伤一级。"),
    ], columns=["doc_id", "case_id", "doc_type", "text"])
    petitions = pd.DataFrame([
        ("PT1", "G", "涉法涉诉", "2022-05-01", "申诉人高歌反映其判决赔偿款至今未执行到位，生活困难。"),
        ("PT2", "H", "其他", "2022-05-01", "反映邻里纠纷。"),
        ("PT3", "A", "涉法涉诉", "2022-06-01", "申诉人安阿反映赔偿未到位。"),
    ], columns=["petition_id", "who", "category", "received_on", "text"])
    petitions["name"] = petitions["who"].map(N)
    petitions["id_number"] = petitions["who"].map(I)
    reg = pd.DataFrame([
        ("R1", "农村低保", "民政局", "A", None, "2022-04-01"),
        ("R2", "农村低保", "民政局", "A", None, "2023-06-01"),
        ("R3", "农村低保", "民政局", "B", None, "2023-06-01"),
        ("R4", "城市低保", "民政局", "C", None, "2022-04-01"),
        ("R5", "特困人员", "民政局", "D", None, "2022-04-01"),
        ("R6", "持证残疾人", "残联", "E", "肢体二级", "2022-04-01"),
        ("R7", "困难妇女", "妇联", "G", None, "2022-06-01"),
        ("R8", "持证残疾人", "残联", "G", "视力二级", "2022-06-01"),
        ("R9", "农村低保", "民政局", "I", None, "2022-04-01"),
        ("R10", "农村低保", "民政局", "J", None, "2023-06-01"),
    ], columns=["record_id", "registry", "agency", "who", "detail", "as_of"])
    reg["name"] = reg["who"].map(N)
    reg["id_number"] = reg["who"].map(I)
    reg["address"] = None
    reg["phone"] = None
    judgments = pd.DataFrame([
        ("J1", "刑事", "故意伤害罪", "2021-12-01", "C1"),
        ("J4", "民事", "赡养纠纷", "2021-12-01", "C4"),
    ], columns=["judgment_id", "kind", "cause", "effective_on", "case_id"])
    enf = pd.DataFrame([
        ("E1", "J4", "D", "X", "执行完毕", 5000.0, 5000.0, "2022-01-01", "2022-02-01"),
        ("E2", "J1", "A", "X", "终结本次执行", 8000.0, 0.0, "2022-01-01", "2022-02-01"),
    ], columns=["enforcement_id", "judgment_id", "app", "resp", "closure", "amount_due", "amount_paid",
                "filed_on", "closed_on"])
    enf["applicant_name"] = enf["app"].map(N)
    enf["applicant_id_number"] = enf["app"].map(I)
    enf["respondent_name"] = enf["resp"].map(N)
    enf["respondent_id_number"] = enf["resp"].map(I)
    aid = pd.DataFrame([
        ("J1", "E", "法院", "C5", "2022-04-01", "2022-05-01", "2022-05-10", "决定救助", 20000.0),
        ("J2", "A", "检察院", "C1", "2022-04-01", "2022-05-01", None, "不予救助", None),
    ], columns=["aid_id", "who", "agency", "case_id", "applied_on", "decided_on", "paid_on", "status", "amount"])
    aid["name"] = aid["who"].map(N)
    aid["id_number"] = aid["who"].map(I)
    frames = {"proc_cases": cases, "proc_parties": parties.drop(columns="who"), "proc_documents": docs,
              "petitions": petitions.drop(columns="who"), "registries": reg.drop(columns="who"),
              "court_judgments": judgments, "court_enforcements": enf.drop(columns=["app", "resp"]),
              "judicial_aid": aid.drop(columns="who")}
    if with_truth:
        frames.update(truth(parties, petitions, reg, enf, aid))
    return DataPool.from_frames(frames, meta={"county": "guanyun"})


def truth(parties, petitions, reg, enf, aid) -> dict[str, pd.DataFrame]:
    """Truth: person_id = the letter. Eligible for judicial aid: A, B, F? no — A, B, G, I, J
    (C settled, D paid, E aided, F suffered only theft without hardship). Social aid: B, F, J."""
    I = ids()
    persons = pd.DataFrame({"person_id": PEOPLE, "name": [NAMES[p] for p in PEOPLE],
                            "id_number": [I[p] for p in PEOPLE], "sex": "男", "birth_date": "1970-01-01",
                            "household_id": PEOPLE, "local": True, "address": "", "phone": "", "hardship": 1})
    links = pd.concat([
        pd.DataFrame({"source": "proc_parties", "source_ref": parties["record_id"], "field": "person",
                      "person_id": parties["who"]}),
        pd.DataFrame({"source": "petitions", "source_ref": petitions["petition_id"], "field": "person",
                      "person_id": petitions["who"]}),
        pd.DataFrame({"source": "registries", "source_ref": reg["record_id"], "field": "person",
                      "person_id": reg["who"]}),
        pd.DataFrame({"source": "court_enforcements", "source_ref": enf["enforcement_id"], "field": "applicant",
                      "person_id": enf["app"]}),
        pd.DataFrame({"source": "court_enforcements", "source_ref": enf["enforcement_id"], "field": "respondent",
                      "person_id": enf["resp"]}),
        pd.DataFrame({"source": "judicial_aid", "source_ref": aid["aid_id"], "field": "person",
                      "person_id": aid["who"]}),
    ], ignore_index=True)
    judicial = {"A", "B", "G", "I", "J"}
    social = {"B", "F", "J"}
    victims = pd.DataFrame({"victim_id": [f"V{p}" for p in "ABCDEFGIJ"], "person_id": list("ABCDEFGIJ"),
                            "case_id": None, "judgment_id": None, "harm": "伤害", "harmed_on": "2022-03-01",
                            "compensated": [p == "D" for p in "ABCDEFGIJ"], "settled": [p == "C" for p in "ABCDEFGIJ"],
                            "hardship": 1, "aided_before": [p == "E" for p in "ABCDEFGIJ"],
                            "judicial_aid_eligible": [p in judicial for p in "ABCDEFGIJ"],
                            "social_aid_eligible": [p in social for p in "ABCDEFGIJ"], "needs": None})
    return {"truth_persons": persons, "truth_links": links, "truth_victims": victims}
