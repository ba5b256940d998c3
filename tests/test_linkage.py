"""Record linkage on hand-built tables.

left                                 right
 0 张三 33038219800101007X (valid)     0 张三 33038219800101007x   (same ID, lower-case x)
 1 李四 missing                         1 李四 phone 13800000001
 2 王五 330382198001010071 (bad check)  2 王五 33038219800101007X    (valid ID of 张三! same birth date)
 3 赵六 missing, phone 138-0000-0002    3 赵六 phone 13800000002
 4 钱七 11010519491231002X              4 钱七 110105194912310021  (both unusable? right bad check)

id:        (0,0) and (0,2): 张三's valid ID equals right 0 and right 2 → two exact pairs.
           Nothing else: left 2, left 4 have no usable ID on one side.
id+name:   (0,0) only: right 2 has 张三's ID under the name 王五.
fallback:  exact pairs + (2,2) name+birth_date (王五, 19800101, left has no usable ID),
           (3,3) name+phone; (1,1) no: left 1 has no phone; (4,4) name+birth_date 19491231
           (right 4 has no usable ID).
"""
import pandas as pd
import pytest

from jiuzhu_methods import linkage as L

LEFT = pd.DataFrame({
    "name": ["张三", "李四", "王五", "赵六", "钱七"],
    "id_number": ["33038219800101007X", None, "330382198001010071", None, "11010519491231002X"],
    "phone": [None, None, None, "138-0000-0002", None],
})
RIGHT = pd.DataFrame({
    "name": ["张三", "李四", "王五", "赵六", "钱七"],
    "id_number": ["33038219800101007x", None, "33038219800101007X", None, "110105194912310021"],
    "phone": [None, "13800000001", None, "13800000002", None],
})


def pairs(linkage):
    return [tuple(r) for r in L.link(LEFT, RIGHT, linkage=linkage)[["left", "right", "match"]].values.tolist()]


def test_exact_id():
    assert pairs("id") == [(0, 0, "id"), (0, 2, "id")]


def test_id_and_name():
    assert pairs("id+name") == [(0, 0, "id+name")]


def test_fallback_lower_confidence_never_exact():
    got = L.link(LEFT, RIGHT, linkage="fallback")
    assert [tuple(r) for r in got[["left", "right", "match"]].values.tolist()] == [
        (0, 0, "id"), (0, 2, "id"), (2, 2, "name+birth_date"), (3, 3, "name+phone"), (4, 4, "name+birth_date")]
    assert got.loc[got["match"] != "id", "confidence"].max() < 1.0


def test_semi_and_anti_join_partition_left():
    semi = L.semi_join(LEFT, RIGHT, linkage="fallback", collect="name")
    anti = L.anti_join(LEFT, RIGHT, linkage="fallback")
    assert semi.index.tolist() == [0, 2, 3, 4]
    assert anti.index.tolist() == [1]
    assert semi.loc[0, "matched_name"] == "张三、王五"
    assert semi.loc[2, "match"] == "name+birth_date"
    assert L.semi_join(LEFT, RIGHT).index.tolist() == [0]


def test_renamed_columns():
    enf = pd.DataFrame({"applicant_name": ["张三"], "applicant_id_number": ["330382800101007"]})
    got = L.semi_join(LEFT, enf, right_cols={"id_col": "applicant_id_number", "name_col": "applicant_name"})
    assert got.index.tolist() == [0]      # the 15-digit ID upgrades to 张三's 18-digit one


def test_unknown_linkage():
    with pytest.raises(ValueError, match="linkage must be one of"):
        L.link(LEFT, RIGHT, linkage="fuzzy")


def test_dedupe_persons():
    df = pd.DataFrame({"name": ["张三", "张三", "李四", "李四", "王五"],
                       "id_number": ["33038219800101007X", "33038219800101007x", None, None, "330382198001010071"]})
    # rows 0/1 same ID; 李四 twice without any ID → kept both (never merged on the name alone)
    assert L.dedupe_persons(df).index.tolist() == [0, 2, 3, 4]


def test_evaluate_linkage():
    got = L.link(LEFT, RIGHT, linkage="fallback")
    # truth: left i and right i are the same person, except right 2 who is 王五 too (typo on the left)
    lp = pd.Series(["P0", "P1", "P2", "P3", "P4"])
    rp = pd.Series(["P0", "P1", "P2", "P3", "P4"])
    ev = L.evaluate_linkage(got, lp, rp)
    # found 5 pairs; true among them: (0,0), (2,2), (3,3), (4,4) = 4 → precision 4/5; recall 4/5 (missed (1,1))
    assert ev["precision"] == pytest.approx(0.8)
    assert ev["recall"] == pytest.approx(0.8)
    assert ev["by_match"]["id"]["precision"] == pytest.approx(0.5)
