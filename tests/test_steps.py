import pandas as pd
import pytest

from jiuzhu_methods.steps import CLUE_COLUMNS, Context, Pipeline, Step, finalize_clues


def _drop_odd(df, ctx):
    return df[df["x"] % 2 == 0], {"removed": int((df["x"] % 2 == 1).sum())}


def _tag(df, ctx):
    return df.assign(path_tag=["a" if x < 3 else "" for x in df["x"]])


def _manual(df, ctx):
    return df


def test_funnel_and_rule_path():
    p = Pipeline("demo", [
        Step("even", "keep even", "保留偶数", "示例 第一步", _drop_odd),
        Step("tag", "tag small", "标记", "示例 第二步", _tag),
        Step("check", "manual", "人工核查", "示例 第三步", _manual, manual=True),
    ])
    frame, funnel, ctx = p.run(pd.DataFrame({"x": [1, 2, 3, 4, 6]}), Context(pool=None))
    # 5 rows in; 1, 3 removed → 3; tag keeps 3; manual keeps 3
    assert funnel["n_in"].tolist() == [5, 3, 3]
    assert funnel["n_out"].tolist() == [3, 3, 3]
    assert funnel["detail"].iloc[0] == {"removed": 2}
    assert funnel["label_zh"].tolist() == ["保留偶数", "标记", "人工核查"]
    assert frame["rule_path"].tolist() == ["even > tag[a] > check", "even > tag > check", "even > tag > check"]
    assert set(ctx.results) == {"even", "tag", "check"}
    assert p.describe()["source"].tolist() == ["示例 第一步", "示例 第二步", "示例 第三步"]


def test_duplicate_step_names_rejected():
    s = Step("a", "a", "甲", "x", _manual)
    with pytest.raises(ValueError):
        Pipeline("demo", [s, s])


def test_finalize_clues():
    df = pd.DataFrame({"name": ["张三"], "id_number": ["X"], "record_id": ["R9"], "rule_path": ["a > b"], "grade": ["红"]})
    c = finalize_clues(df, "demo.m", source="proc_parties", source_ref="record_id")
    assert list(c.columns[: len(CLUE_COLUMNS)]) == CLUE_COLUMNS
    assert c.loc[0, "clue_id"] == "demo.m-00001"
    assert c.loc[0, "source_ref"] == "R9" and c.loc[0, "source"] == "proc_parties"
    assert c.loc[0, "match"] == "id" and c.loc[0, "confidence"] == 1.0
    assert "grade" in c.columns
