"""report helpers: masking for display, funnel tables, amount bands, counts, summaries."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods.core import identity
from jiuzhu_methods.reporting import report

IDS = [str(x) for x in identity.make_ids(np.array(["330382", "320723"]),
                                         np.array(["1980-01-02", "1991-12-31"], dtype="datetime64[D]"),
                                         np.array([11, 22]))]


def test_mask_frame_masks_identities_and_drops_free_text():
    df = pd.DataFrame({
        "name": ["张三", "欧阳小明"],
        "id_number": [IDS[0], None],
        "applicant_name": ["李四", None],
        "respondent_id_number": [f" {IDS[1].lower()} ", ""],
        "note": [f"身份证 {IDS[1]} 已核", "无"],
        "text": ["被害人张三……", "x"],
        "address": ["某村", "某街"],
        "phone": ["13800000000", None],
        "n": [1, 2],
    })
    before = df.copy()
    out = report.mask_frame(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert list(out.columns) == ["name", "id_number", "applicant_name", "respondent_id_number", "note", "n"]
    assert list(out["name"]) == ["张*", "欧***"]
    assert out.loc[0, "id_number"] == IDS[0][:4] + "*" * 10 + IDS[0][-4:]
    assert pd.isna(out.loc[1, "id_number"])
    assert out.loc[0, "applicant_name"] == "李*"
    assert out.loc[0, "respondent_id_number"] == identity.mask(IDS[1])  # normalised, then masked
    assert out.loc[0, "note"] == f"身份证 {identity.mask(IDS[1])} 已核"
    assert out.loc[1, "note"] == "无"
    blob = out.to_string()
    assert IDS[0] not in blob and IDS[1] not in blob


def test_mask_frame_on_empty_and_all_missing_columns():
    empty = pd.DataFrame({"id_number": pd.Series([], dtype="str"), "name": pd.Series([], dtype="str")})
    assert len(report.mask_frame(empty)) == 0
    missing = pd.DataFrame({"id_number": [None, None], "name": ["王五", None]})
    out = report.mask_frame(missing)
    assert out["id_number"].isna().all() and out.loc[0, "name"] == "王*"


def test_show_clues_contract_columns_first_and_masked():
    clues = pd.DataFrame({"clue_id": ["m-1"], "model": ["m"], "name": ["赵六"], "id_number": [IDS[0]],
                          "source": ["proc_parties"], "source_ref": ["R1"], "rule_path": ["a > b"],
                          "grade": ["红"], **{f"x{i}": [i] for i in range(12)}})
    out = report.show_clues(clues, max_extra=3)
    assert list(out.columns) == ["clue_id", "name", "id_number", "rule_path", "grade", "x0", "x1"]
    assert out.loc[0, "name"] == "赵*" and "*" in out.loc[0, "id_number"]


def test_funnel_table_and_counts():
    funnel = pd.DataFrame({"order": [2, 1], "step": ["b", "a"], "label": ["B", "A"], "label_zh": ["乙", "甲"],
                           "source": ["s2", "s1"], "n_in": [10, 0], "n_out": [4, 10], "detail": [{}, {}]})
    t = report.funnel_table(funnel)
    assert list(t["序号"]) == [1, 2] and list(t["步骤（原文） step as published"]) == ["甲", "乙"]
    # removed = in − out, never negative (a first step reads 0 and outputs 10)
    assert list(t["剔除 removed"]) == [0, 6]
    assert report.funnel_counts(funnel) == [10, 4]


def test_counts_split_order_and_absent_column():
    df = pd.DataFrame({"agencies": ["民政局、妇联", "民政局", ""], "grade": ["黄", "红", "黄"]})
    c = report.counts(df, "agencies", split="、")
    assert dict(zip(c["agencies"], c["数量 n"])) == {"民政局": 2, "妇联": 1}
    g = report.counts(df, "grade", order=["红", "橙", "黄"])
    assert list(g["grade"]) == ["红", "橙", "黄"] and list(g["数量 n"]) == [1, 0, 2]
    assert len(report.counts(df, "nope")) == 0


def test_amount_bands_by_hand():
    # class A: 100, 120, 200 → median 120, band 84–156: 100 and 120 inside, 200 outside (2/3)
    # class B: 50 → median 50, band 35–65, inside (1/1)
    df = pd.DataFrame({"class": ["A", "A", "A", "B"], "amount": [100.0, 120.0, 200.0, 50.0]})
    b = report.amount_bands(df, by="class", amount="amount").set_index("class")
    assert b.loc["A", "center"] == 120 and b.loc["A", "low"] == 84 and b.loc["A", "high"] == 156
    assert b.loc["A", "within"] == 2 and b.loc["A", "within_share"] == pytest.approx(0.667)
    assert b.loc["B", "within"] == 1 and b.loc["B", "n"] == 1
    mean = report.amount_bands(df, by="class", amount="amount", center="mean").set_index("class")
    assert mean.loc["A", "center"] == pytest.approx(140)
    assert len(report.amount_bands(None, by="class", amount="amount")) == 0


def test_run_passes_only_the_parameters_a_model_accepts(monkeypatch):
    seen = {}

    def fake_model(pool, *, linkage="id"):
        seen.update(linkage=linkage)
        return "result"

    monkeypatch.setattr("jiuzhu_methods.registry.get_model", lambda name: fake_model)
    assert report.run("yueqing.m4", None, linkage="fallback", negation="aware", county_code="") == "result"
    assert seen == {"linkage": "fallback"}


def test_write_summary(tmp_path):
    p = report.write_summary(tmp_path, "09_x", title="t", county="panan",
                             runs={"a.b": {"clues": 3, "precision": 0.5, "recall": 0.25}, "c.d": {"clues": 0}},
                             n_persons=np.int64(7))
    s = json.loads(p.read_text(encoding="utf-8"))
    assert p.name == "09_x.summary.json"
    assert s["clues"] == 3 and s["precision"] == 0.5 and s["n_persons"] == 7
    assert s["line"] == "a.b: 3 clues, P 0.50, R 0.25; c.d: 0 clues; persons 7"


def test_path_tags_for_groups_and_collisions():
    clues = pd.DataFrame({"rule_path": ["base > collisions[碰撞一] > reverse", "base > collisions[碰撞三] > x[碰撞一]",
                                        "base > collisions[碰撞二] > reverse"]})
    c = report.collision_counts(clues).set_index("碰撞 collision")["数量 n"].to_dict()
    assert c == {"碰撞一": 2, "碰撞二": 1, "碰撞三": 1}


def test_mask_frame_is_privacy_s_and_masks_id_keys_and_meta():
    """report.mask_frame is privacy.mask_frame for display (hidden columns dropped): a record
    key holding an ID (P<id>, issue #16) shows the ID masked; the meta table masks what a loaded
    export's notes and out-of-vocabulary values quote."""
    from jiuzhu_methods import DataPool, privacy

    df = pd.DataFrame({"record_id": ["P" + IDS[0]], "source_ref": [IDS[1] + "SA"], "text": ["x"], "name": ["张三"]})
    out = report.mask_frame(df)
    pd.testing.assert_frame_equal(out, privacy.mask_frame(df, drop_hidden=True))
    assert out.values.tolist() == [["P" + identity.mask(IDS[0]), identity.mask(IDS[1]) + "SA", "张*"]]
    pool = DataPool.from_frames({}, meta={"vocabulary": [{"table": "proc_parties", "column": "role", "label": "诉讼地位",
                                                          "value": "张雪", "count": 1}],
                                          "load": {"notes": [f"{IDS[0]}.csv: not a data file, skipped"]}})
    shown = report.meta_table(pool).to_string()
    assert "张雪" not in shown and "'张*'" in shown and IDS[0] not in shown and identity.mask(IDS[0]) in shown
