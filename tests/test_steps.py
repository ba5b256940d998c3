import pandas as pd
import pytest

from jiuzhu_methods.core.steps import CLUE_COLUMNS, Context, Pipeline, Step, finalize_clues


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


def test_rule_path_with_missing_tags_existing_paths_and_no_rows():
    def tag(df, ctx):
        return df.assign(path_tag=pd.Series(["组1", None, "", float("nan")][:len(df)], index=df.index, dtype="object"))

    p = Pipeline("demo", [Step("g", "groups", "分组", "示例 第一步", tag), Step("m", "manual", "人工核查", "示例 第二步", _manual)])
    start = pd.DataFrame({"x": [1, 2, 3, 4], "rule_path": ["a", None, "", "b > c"]}, index=[9, 7, 5, 3])
    frame, _funnel, ctx = p.run(start, Context(pool=None))
    # by hand: a row's path grows by "g[tag]" (bare "g" without a tag), then "m"; an empty or
    # missing path starts afresh; the index is kept and path_tag is gone
    assert frame["rule_path"].tolist() == ["a > g[组1] > m", "g > m", "g > m", "b > c > g > m"]
    assert frame.index.tolist() == [9, 7, 5, 3] and "path_tag" not in frame.columns
    assert frame["rule_path"].dtype == "str"
    assert start["rule_path"].fillna("?").tolist() == ["a", "?", "", "b > c"]   # the caller's frame is untouched
    assert ctx.results["g"]["rule_path"].tolist()[0] == "a > g[组1]"      # nor what an earlier step left
    empty, funnel, _ = p.run(start.iloc[:0], Context(pool=None))
    assert len(empty) == 0 and funnel["n_out"].tolist() == [0, 0]


def test_the_example_model_of_developing_runs_and_is_right():
    # docs/DEVELOPING.md shows a whole model built from core blocks (victims ∩ 低保 lists); run
    # its code on a small synthetic county and check its clues against a plain pandas reading:
    # the 被害人 whose usable ID is the usable ID of some 城市低保/农村低保 row, any snapshot
    import pathlib
    import re

    from jiuzhu_methods.core import identity
    from jiuzhu_methods.synth import generate

    text = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "DEVELOPING.md").read_text("utf-8")
    code = re.search(r"## The map.*?```python\n(.*?)```", text, re.S).group(1)
    ns: dict = {}
    exec(compile(code, "DEVELOPING.md", "exec"), ns)
    pool = generate("panan", scale=0.01, seed=3)
    res = ns["screen"](pool)
    assert list(res.funnel["step"]) == ["victims", "on_dibao"]
    p = pool["proc_parties"]
    v = p[p["role"] == "被害人"]
    reg = pool["registries"]
    listed = set(identity.usable_ids(reg.loc[reg["registry"].isin(["城市低保", "农村低保"]), "id_number"]).dropna())
    want = set(v.loc[identity.usable_ids(v["id_number"]).isin(listed).to_numpy(), "record_id"])
    assert res.funnel["n_out"].tolist() == [len(v), len(want)]
    assert set(res.clues["source_ref"]) == want and len(want) > 0
    assert res.clues["clue_id"].iloc[0] == "example.screen-00001"
