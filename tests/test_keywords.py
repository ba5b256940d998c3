import pandas as pd
import pytest

from jiuzhu_methods.core import keywords as K

TEXTS = pd.Series([
    "双方已达成调解协议，被告人已赔偿被害人经济损失。",   # 0 settled: both readings hit
    "双方未达成调解协议，被害人不予谅解。",               # 1 negated twice: plain hits, aware does not
    "经调解，调解协议未达成。",                           # 2 negation after the keyword
    "被害人家属拒绝谅解，但在另一次询问中表示谅解。",     # 3 one negated, one affirmed → aware hits
    "被害人重伤二级，至今未赔偿。",                       # 4 "已赔偿" absent; "未赔偿" is not "已赔偿"
    None,                                                  # 5 no text
])
WORDS = ["调解协议", "已赔偿", "谅解"]


def test_plain_is_substring():
    assert K.contains_any(TEXTS, WORDS).tolist() == [True, True, True, True, False, False]


def test_aware_recognises_negation():
    assert K.contains_any(TEXTS, WORDS, negation="aware").tolist() == [True, False, False, True, False, False]


def test_negation_stops_at_clause_break():
    t = pd.Series(["被告人未到庭。双方达成调解协议"])
    assert K.contains_any(t, ["调解协议"], negation="aware").tolist() == [True]


def test_matched_words_and_categories():
    assert K.matched_words(TEXTS, WORDS).tolist()[:2] == ["调解协议、已赔偿", "调解协议、谅解"]
    cats = K.tag_categories(TEXTS, {"和解": ["调解协议", "谅解"], "伤情": ["重伤"]})
    assert cats["伤情"].tolist() == [False, False, False, False, True, False]
    assert cats["伤情_words"].iloc[4] == "重伤"


def test_unknown_negation():
    with pytest.raises(ValueError):
        K.contains_any(TEXTS, WORDS, negation="smart")


def test_texts_by_case():
    docs = pd.DataFrame({"case_id": ["B", "A", "B"], "text": ["x", "y", "z"]})
    assert K.texts_by(docs).to_dict() == {"A": "y", "B": "x\nz"}


# keyword_hits: the counts taken once per distinct clause must give exactly what keyword_counts
# gives on the whole (joined) texts, for both readings.
def _reference(texts, words, negation):
    return pd.DataFrame({w: K.keyword_counts(texts, w, negation=negation) > 0 for w in dict.fromkeys(words)},
                        index=texts.index)


@pytest.mark.parametrize("negation", K.NEGATIONS)
def test_keyword_hits_equal_keyword_counts(negation):
    t = pd.concat([TEXTS, pd.Series(["谅解谅解，不予谅解", "调解协议未达成；调解协议", "", "已赔偿已赔偿"])],
                  ignore_index=True)
    words = WORDS + ["谅解", "赔偿"]          # a repeated word counts once, in first-appearance order
    got = K.keyword_hits(t, words, negation=negation)
    assert list(got.columns) == ["调解协议", "已赔偿", "谅解", "赔偿"]
    pd.testing.assert_frame_equal(got, _reference(t, words, negation))


@pytest.mark.parametrize("negation", K.NEGATIONS)
def test_keyword_hits_by_group_reads_the_joined_documents(negation):
    # case A: "拒绝" ends one document and "谅解" starts the next — the newline joining them is a
    # clause break, so under "aware" the 谅解 is not negated; case B: only a negated 谅解;
    # the document without a case (None) is ignored.
    docs = pd.DataFrame({"case_id": ["B", "A", "A", None, "B"],
                         "text": ["被害人不予谅解", "家属拒绝", "谅解", "已赔偿", None]})
    got = K.keyword_hits(docs["text"], ["谅解", "已赔偿"], negation=negation, groups=docs["case_id"])
    joined = K.texts_by(docs.dropna(subset=["case_id"]))
    assert list(got.index) == ["A", "B"]
    pd.testing.assert_frame_equal(got, _reference(joined, ["谅解", "已赔偿"], negation), check_names=False)
    assert got["谅解"].tolist() == ([True, True] if negation == "plain" else [True, False])
    assert not got["已赔偿"].any()


def test_keyword_hits_word_with_a_clause_break_is_read_on_whole_texts():
    # "谅解。" contains a clause break: the texts cannot be cut, the whole texts are read
    t = pd.Series(["表示谅解。", "表示谅解", "谅解，"])
    assert K.keyword_hits(t, ["谅解。"])["谅解。"].tolist() == [True, False, False]
    g = K.keyword_hits(t, ["谅解。"], groups=["x", "y", "y"])
    assert g["谅解。"].to_dict() == {"x": True, "y": False}


def test_join_hits_and_matched_words_order():
    hits = pd.DataFrame({"a": [True, False, True], "b": [True, False, False]})
    assert K.join_hits(hits, ["b", "a", "b"]).tolist() == ["b、a", "", "a"]
    t = pd.Series(["甲乙", None, "乙"], index=[5, 3, 9])
    m = K.matched_words(t, ["乙", "甲", "乙"])
    assert m.tolist() == ["乙、甲", "", "乙"] and list(m.index) == [5, 3, 9]
    assert K.contains_any(t, []).tolist() == [False, False, False]


# ---- keyword_hits internals: clause cutting, hierarchical alternation, negation, fallbacks ----
import numpy as np
import pyarrow as pa
from hypothesis import given, settings, strategies as st

BREAKS = K.negation_rules()["clause_breaks"]


def test_break_ends_are_byte_positions_after_each_break():
    # 甲(3 bytes) ，(3) 乙(3) 。(3) \n(1) 丙(3) ,(1) 1(1): the breaks end at bytes 6, 12, 13, 17;
    # the digit "1" (0x31, an ASCII byte below "?") is a candidate but no break
    data = np.frombuffer("甲，乙。\n丙,1".encode(), dtype=np.uint8)
    assert K._break_ends(data, BREAKS).tolist() == [6, 12, 13, 17]
    # a break's lead byte at the very end, its sequence cut short, is no break: "，" = EF BC 8C
    cut = np.frombuffer("甲".encode() + b"\xef\xbc", dtype=np.uint8)
    assert K._break_ends(cut, BREAKS).tolist() == []
    # 丸 = E4 B8 B8: reading past the end of E4 B8 would repeat its last byte and match
    cut = np.frombuffer("甲".encode() + b"\xe4\xb8", dtype=np.uint8)
    assert K._break_ends(cut, "丸\n").tolist() == []
    assert K._break_ends(np.frombuffer("甲丸".encode(), dtype=np.uint8), "丸\n").tolist() == [6]


def test_clauses_keep_their_break_and_know_their_text():
    # texts 1..3 of a sliced array (offset 1): "甲，乙" → "甲，" "乙"; "" → ""; "丙。" → "丙。" ""
    arr = pa.array(["x。y", "甲，乙", "", "丙。"], type=pa.large_string()).slice(1)
    parts, owner = K._clauses(arr, BREAKS)
    assert parts.to_pylist() == ["甲，", "乙", "", "丙。", ""]
    assert owner.tolist() == [0, 0, 1, 2, 2]


def test_arrow_text_of_a_chunked_series():
    s = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([["a", None], ["b"]], type=pa.large_string())))
    assert K._arrow_text(s).to_pylist() == ["a", "", "b"]
    assert K.keyword_hits(s, ["b"])["b"].tolist() == [False, False, True]


def test_rows_by_word_hierarchical_alternation(monkeypatch):
    strings = pa.array(["甲乙", "乙", "丙甲", "丁", "戊丁甲"])
    words = ["甲", "乙", "丙", "丁", "戊"]
    want = [[0, 2, 4], [0, 1], [2], [3, 4], [4]]
    got = K._rows_by_word(strings, words)
    assert [sorted(r.tolist()) for r in got] == want
    # not sure that every row holds a word: a row holding none ("己") is in no list
    got = K._rows_by_word(pa.array(["甲乙", "己", "丙甲", "丁", "戊丁甲"]), words, sure=False)
    assert [sorted(r.tolist()) for r in got] == [[0, 2, 4], [0], [2], [3, 4], [4]]
    # RE2 refusing every alternation: the single-word tests alone give the same lists
    monkeypatch.setattr(K, "_any_word", lambda strings, words: None)
    assert [sorted(r.tolist()) for r in K._rows_by_word(strings, words)] == want
    assert [sorted(r.tolist()) for r in K._rows_by_word(pa.array(["己", "乙"]), words, sure=False)] == [[], [1], [], [], []]


def test_affirmed_counts_only_where_a_negation_may_apply():
    # row 0 no cue at all → affirmed; row 1 "不予谅解" → 1 occurrence, 1 negated → not;
    # row 2 "不予谅解又谅解" → 2 occurrences, 1 negated → affirmed; row 3 holds no 谅解 (not asked)
    strings = pa.array(["表示谅解", "不予谅解", "不予谅解又谅解", "其他"])
    assert K._affirmed(strings, np.array([0, 1, 2]), "谅解").tolist() == [0, 2]


def test_texts_to_split_reads_only_hit_texts_when_few_hit(monkeypatch):
    monkeypatch.setattr(K, "FEW_WORDS", 0)    # the clause path, not the per-word search of a few words
    seen = []
    real = K._clauses
    monkeypatch.setattr(K, "_clauses", lambda arr, brk: seen.append(arr.to_pylist()) or real(arr, brk))
    few = pd.Series(["无关", "也无关", "被害人谅解", "再无关"])      # 1 of 4 texts hits
    assert K.keyword_hits(few, ["谅解"])["谅解"].tolist() == [False, False, True, False]
    many = pd.Series(["谅解", "也谅解", "无关"])                      # 2 of 3 hit: all are cut
    assert K.keyword_hits(many, ["谅解"])["谅解"].tolist() == [True, True, False]
    assert seen == [["被害人谅解"], ["谅解", "也谅解", "无关"]]


def test_keyword_hits_when_re2_refuses_the_alternation(monkeypatch):
    monkeypatch.setattr(K, "_any_word", lambda strings, words: None)
    monkeypatch.setattr(K, "FEW_WORDS", 0)
    t = pd.concat([TEXTS, pd.Series(["谅解谅解，不予谅解", "调解协议未达成；调解协议"])], ignore_index=True)
    for negation in K.NEGATIONS:
        pd.testing.assert_frame_equal(K.keyword_hits(t, WORDS, negation=negation), _reference(t, WORDS, negation))


def test_keyword_hits_groups_as_str_series_or_list():
    docs = pd.DataFrame({"case_id": pd.Series(["B", "A", None, "B"], dtype="str"),
                         "text": ["谅解", "无", "谅解", "不予谅解"]})
    a = K.keyword_hits(docs["text"], ["谅解"], groups=docs["case_id"])
    b = K.keyword_hits(docs["text"], ["谅解"], groups=list(docs["case_id"]))
    pd.testing.assert_frame_equal(a, b)
    assert a["谅解"].to_dict() == {"A": False, "B": True}


# randomised: keyword_hits equals the per-word definition keyword_counts(...) > 0
_CHARS = "甲乙谅解未不拒绝达成"
_texts = st.lists(st.one_of(st.none(), st.text(alphabet=_CHARS + "，。；,\n", max_size=24)), min_size=1, max_size=12)
_words = st.lists(st.text(alphabet=_CHARS, min_size=0, max_size=3), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(texts=_texts, words=_words, negation=st.sampled_from(K.NEGATIONS))
def test_keyword_hits_property_per_text(texts, words, negation):
    t = pd.Series(texts, dtype="str", index=np.arange(len(texts)) * 3)
    pd.testing.assert_frame_equal(K.keyword_hits(t, words, negation=negation), _reference(t, words, negation))


@settings(max_examples=150, deadline=None)
@given(texts=_texts, words=_words, negation=st.sampled_from(K.NEGATIONS), data=st.data())
def test_keyword_hits_property_by_group(texts, words, negation, data):
    labels = data.draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=len(texts), max_size=len(texts)))
    docs = pd.DataFrame({"case_id": pd.Series(labels, dtype="str"), "text": pd.Series(texts, dtype="str")})
    got = K.keyword_hits(docs["text"], words, negation=negation, groups=docs["case_id"])
    joined = K.texts_by(docs.dropna(subset=["case_id"]))
    want = _reference(joined, words, negation)
    assert list(got.index) == list(want.index)
    np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
    assert list(got.columns) == list(want.columns)


@settings(max_examples=150, deadline=None)
@given(texts=_texts, words=_words, negation=st.sampled_from(K.NEGATIONS), data=st.data())
def test_keyword_hits_of_some_rows_equal_those_rows_read_alone(texts, words, negation, data):
    # rows=: the same frame as reading text.iloc[rows] (and groups.iloc[rows]), whether the
    # column's cut is kept (CACHE_MIN_TEXTS 0: every Arrow column) or not (the rows read alone)
    t = pd.Series(texts, dtype="str", index=np.arange(len(texts)) * 3)
    rows = np.array(data.draw(st.permutations(range(len(texts))))[:data.draw(st.integers(0, len(texts)))], dtype=np.int64)
    labels = pd.Series(data.draw(st.lists(st.sampled_from(["a", "b", None]), min_size=len(texts), max_size=len(texts))),
                       dtype="str", index=t.index)
    want = K.keyword_hits(t.iloc[rows], words, negation=negation)
    want_g = K.keyword_hits(t.iloc[rows], words, negation=negation, groups=labels.iloc[rows])
    for min_texts in (0, 10_000):
        K.CACHE_MIN_TEXTS = min_texts
        try:
            pd.testing.assert_frame_equal(K.keyword_hits(t, words, negation=negation, rows=rows), want)
            pd.testing.assert_frame_equal(K.keyword_hits(t, words, negation=negation, groups=labels, rows=rows), want_g)
        finally:
            K.CACHE_MIN_TEXTS = 10_000


def test_a_long_columns_cut_is_kept_and_read_by_later_calls(monkeypatch):
    # a pool's text column is cut once per break set, however many subsets are read from it
    monkeypatch.setattr(K, "CACHE_MIN_TEXTS", 3)
    monkeypatch.setattr(K, "FEW_WORDS", 0)       # the clause path even for three plain words
    t = pd.concat([TEXTS, pd.Series(["被害人表示谅解", "不予谅解"], index=[6, 7])]).astype("str")
    calls = []
    real = K._clauses
    monkeypatch.setattr(K, "_clauses", lambda arr, brk: calls.append(brk) or real(arr, brk))
    a = K.keyword_hits(t, WORDS, rows=np.array([1, 6]))
    b = K.keyword_hits(t, WORDS, rows=np.array([7, 0, 3]))
    c = K.keyword_hits(t, WORDS, negation="aware", rows=np.array([7, 6]))
    assert len(calls) == 2          # one cut at the clause breaks, one at the sentence breaks
    assert a["谅解"].tolist() == [True, True] and list(a.index) == [1, 6]
    assert b.to_dict("list") == {"调解协议": [False, True, False], "已赔偿": [False, True, False], "谅解": [True, False, True]}
    assert c["谅解"].tolist() == [False, True]     # 不予谅解 negated, 表示谅解 affirmed
    assert K.text_pieces(t.iloc[:2], "，") is None    # a short column is not kept


@pytest.mark.parametrize("few", [0, 4, 10])
def test_keyword_hits_few_plain_words_per_word_search(monkeypatch, few):
    # up to FEW_WORDS plain words without groups: one literal search per word (regex characters
    # taken literally); the same frame as the clause path and as keyword_counts, either way
    monkeypatch.setattr(K, "FEW_WORDS", few)
    t = pd.concat([TEXTS, pd.Series(["a.b（x）", "axb", "", "谅解*"], index=[10, 11, 12, 13])])
    for words in (WORDS, ["a.b", "（x）", "谅解*", "谅解"], ["谅解"]):
        got = K.keyword_hits(t, words)
        pd.testing.assert_frame_equal(got, _reference(t, words, "plain"))
    assert K.keyword_hits(t, ["a.b"])["a.b"].tolist() == [False] * 6 + [True, False, False, False]
    # with groups, or under "aware", the clause path is kept
    calls = []
    real = K._clauses
    monkeypatch.setattr(K, "_clauses", lambda arr, brk: calls.append(1) or real(arr, brk))
    K.keyword_hits(t, ["谅解"], negation="aware")
    K.keyword_hits(t, ["谅解"], groups=pd.Series(["g"] * len(t), index=t.index))
    K.keyword_hits(t, ["谅解"])
    assert len(calls) == (3 if few == 0 else 2)


@pytest.mark.parametrize("top", [1, 7, 1 << 16, (1 << 16) + 1, 300_000, (1 << 32) + 5])
def test_stable_order_is_the_stable_argsort(top):
    import numpy as np
    rng = np.random.default_rng(top % 1000)
    p = rng.integers(0, top, 5000).astype(np.int64)
    p[:50] = top - 1            # the largest code and many ties
    p[50:100] = 0
    assert (K._stable_order(p, top) == np.argsort(p, kind="stable")).all()
    assert K._stable_order(p[:0], top).tolist() == []


# ---- the negation-aware reader (issue 15 item 5): scope, exception words, markers ----------------
# Each pair (sentence, keyword) is read through the public functions: contains_any(..., "aware")
# and keyword_hits(..., "aware") must say True exactly for the affirmed ones; plain says True for all.
AFFIRMED = [
    ("被害人对犯罪嫌疑人无条件谅解", "谅解"),          # 无条件: a word, not the negation 无
    ("犯罪嫌疑人已赔偿未成年被害人医疗费", "已赔偿"),  # 未成年 after the keyword is no 未成 cue
    ("被告人不仅已赔偿被害人损失，还赔礼道歉", "已赔偿"),  # 不仅 is no 不
    ("无论法院如何判决，本人都谅解被告人", "谅解"),    # 无论, 如何
    ("被害人不是不谅解，只希望对方悔过", "谅解"),       # double negation: 不是 + 不
    ("被告人并非未赔偿，而是赔偿数额有争议", "赔偿"),   # 并非 + 未; the second 赔偿 is an amount
    ("虽达成调解协议，但至今未履行", "调解协议"),       # contrast: the agreement was reached
    ("被告人已赔偿部分医药费，其余款项尚未支付", "已赔偿"),  # partially performed
    ("经抢救无效死亡", "死亡"),                         # 无效 is no negation of 死亡
    ("被害人尚未成年", "未成年"),                       # 尚未 overlaps the keyword: no cue for it
    ("被告人并无赔偿能力", "无赔偿能力"),               # 并无 overlaps the keyword
    ("被害人家庭经济困难，无力承担医疗费用", "医疗费"),  # a need word: the negation states the need
    ("不予谅解又谅解", "谅解"),                         # the second occurrence is not in the cue's scope
]
NEGATED = [
    ("双方未达成调解协议", "调解协议"),
    ("被害人表示不予谅解", "谅解"),
    ("被害人家属拒绝谅解", "谅解"),
    ("经调解，调解协议未达成", "调解协议"),             # cue after the keyword
    ("谅解书未签", "谅解"),
    ("调解协议均未达成", "调解协议"),                   # 均未 does not swallow the 未 of 未达成
    ("犯罪嫌疑人未取得被害人谅解", "谅解"),             # 5 characters between cue and keyword
    ("被告人至今未与被害人达成调解协议", "调解协议"),   # 6 = the window
    ("赔偿款至今未支付", "赔偿"),
    ("被告人未赔偿也未取得谅解", "谅解"),               # 也未 governs 谅解 (the first 未 is about 赔偿)
    ("被害人不是未成年人", "未成年"),                   # a cue before a keyword that holds one
]
NONE = [
    ("如赔偿到位则予以谅解", "谅解"),                   # conditional
    ("如果对方赔偿到位，我可以谅解他", "谅解"),         # the condition spans the comma
    ("问：你是否谅解对方？", "谅解"),                   # question
    ("问：对方赔偿了吗", "赔偿"),                       # question particle
    ("犯罪嫌疑人辩称其已赔偿部分医药费", "已赔偿"),     # contested claim
    ("被告人虽有赔偿意愿", "赔偿"),                     # modifier: the wish, not the act
]


@pytest.mark.parametrize("text,word,want", [(t, w, True) for t, w in AFFIRMED] + [(t, w, False) for t, w in NEGATED + NONE])
def test_aware_reads_scope(text, word, want):
    s = pd.Series([text, "无关的一句话"])
    assert K.contains_any(s, [word], negation="aware").tolist() == [want, False]
    assert K.keyword_hits(s, [word], negation="aware")[word].tolist() == [want, False]
    assert K.keyword_hits(s, [word, "无关"], negation="aware", groups=pd.Series(["g", "h"]))[word].tolist() == [want, False]
    assert K.contains_any(s, [word]).tolist() == [True, False]          # plain: a substring


def test_aware_readings_and_reasons():
    # the three readings and why (read_occurrences is what docs/negation.md shows)
    assert K.reading("双方未达成调解协议", "调解协议") == "negated"
    assert K.reading("如赔偿到位则予以谅解", "谅解") == "none"
    assert K.reading("被害人无条件谅解", "谅解") == "affirmed"
    assert K.reading("被害人表示谅解", "调解协议") == "absent"
    # 询问笔录: the question asserts nothing, the answer refuses → negated, not affirmed
    r = K.read_occurrences("问：你是否谅解对方？答：我不谅解。", "谅解")
    assert r[["reading", "reason", "cues"]].values.tolist() == [["none", "question", ""], ["negated", "negation", "不"]]
    assert K.read_occurrences("被害人不是不谅解", "谅解")["reason"].tolist() == ["double negation"]
    assert K.read_occurrences("被害人不是不谅解", "谅解")["cues"].tolist() == ["不是、不"]
    # the condition ends at the full stop: the second sentence is a fact
    assert K.read_occurrences("如赔偿到位则予以谅解。被害人表示谅解", "谅解")["reading"].tolist() == ["none", "affirmed"]
    # ... and at a scope break (但) within the sentence
    assert K.read_occurrences("如赔偿到位则予以谅解，但被告人未赔偿，被害人仍谅解", "谅解")["reading"].tolist() == \
        ["none", "affirmed"]


def test_aware_window_is_a_scope_limit(monkeypatch):
    # "被告人未能取得被害人家属的谅解": 8 characters between 未能 and 谅解 — beyond the window of 6 the
    # cue is taken to govern another verb (affirmed, a known miss); a window of 8 reaches it
    text = "被告人未能取得被害人家属的谅解"
    assert K.reading(text, "谅解") == "affirmed"
    rules = {**K.negation_rules(), "window": 8}
    monkeypatch.setattr(K, "_reader", lambda: K._Reader(rules))
    assert K.reading(text, "谅解") == "negated"


def test_aware_keyword_counts_counts_affirmed_occurrences():
    t = pd.Series(["谅解，不予谅解，无条件谅解", "如谅解则谅解", None, "谅解"])
    # 3 occurrences, one negated → 2; a condition covers both → 0; no text → 0; one affirmed → 1
    assert K.keyword_counts(t, "谅解", negation="aware").tolist() == [2, 0, 0, 1]
    assert K.keyword_counts(t, "谅解").tolist() == [3, 2, 0, 1]


def test_negation_rules_are_data_with_sources():
    table = K.negation_rule_table()
    assert {"window", "before", "after", "not_cues", "scope_breaks", "conditionals", "questions", "claims",
            "modifiers_after", "need_words", "double_gap", "window_after"} <= set(table["rule"])
    assert (table["description"].str.len() > 10).all() and (table["source"].str.len() > 3).all()
    assert K.negation_rules()["window"] == 6
    # the exception words the issue names are there
    assert {"未成年", "无条件", "不仅", "无论", "不但", "未来", "无偿"} <= set(K.negation_rules()["not_cues"])


def test_bad_rules_are_a_clear_error():
    with pytest.raises(ValueError, match="clause break"):
        K._Reader({**K.negation_rules(), "before": ["未，"]})
    with pytest.raises(ValueError, match="sentence_breaks"):
        K._Reader({**K.negation_rules(), "sentence_breaks": "。"})


# randomised over the characters of cues, markers and exception words: keyword_hits (sentences,
# RE2 prefilter) equals keyword_counts (the reader on whole texts) under "aware"
_RICH = "谅解未不是否如果若无条件成年但又辩称吗达协议"


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(alphabet=_RICH + "，。？\n", max_size=30)), min_size=1, max_size=10),
       words=st.lists(st.text(alphabet=_RICH, min_size=1, max_size=3), min_size=1, max_size=6))
def test_keyword_hits_property_aware_rich_alphabet(texts, words):
    t = pd.Series(texts, dtype="str")
    pd.testing.assert_frame_equal(K.keyword_hits(t, words, negation="aware"), _reference(t, words, "aware"))


# ---- the labelled sentence set (data/negation_sentences.yaml) and the accuracy table --------------
from jiuzhu_methods.evaluation import negation_eval as E  # noqa: E402


def test_labelled_sentence_set_is_large_and_varied():
    s = E.load_sentences()
    assert len(s) >= 200
    assert {"affirmed", "negated", "negated-after", "double-negated", "contrast", "conditional", "partially-performed",
            "cue-inside-word", "question", "claim"} <= set(s["kind"])
    assert {"调解协议", "已赔偿", "谅解", "和解", "赔偿"} <= set(s["keyword"])
    assert set(s["origin"]) == {"generator template", "hand-written"}
    assert set(s["label"]) == set(E.LABELS)
    # 磐安 / 魏都 library words are in it too
    from jiuzhu_methods.models import panan, weidu
    lib = {w for c in panan.keyword_library().values() for g in c.values() for w in g}
    lib |= {w for ws in weidu.keyword_library().values() for w in ws}
    assert len(set(s["keyword"]) & lib) >= 15


def test_reader_accuracy_table(capsys):
    acc = E.reader_accuracy()
    with capsys.disabled():          # the table, visible in `pytest -s` and `-rA` output
        print("\nnegation readers on the labelled sentences (data/negation_sentences.yaml)\n")
        print(E.accuracy_markdown(acc))
        print()
        print(E.accuracy_markdown(E.reader_accuracy(by="label")))
    print(E.accuracy_markdown(acc))  # captured as well, so that -rA shows it
    overall = acc.set_index("kind").loc["overall"]
    assert overall["aware_accuracy"] > overall["plain_accuracy"]
    assert overall["aware_wrong_where_plain_right"] == 0
    by_label = E.reader_accuracy(by="label").set_index("label")
    # plain is right on every affirmation (it counts every occurrence); aware must be too
    assert by_label.loc["affirmed", "plain_accuracy"] == 1.0
    assert by_label.loc["affirmed", "aware_accuracy"] == 1.0
    # per kind: aware is at least as good as plain everywhere, and strictly better where plain fails
    per = acc.set_index("kind").drop(index="overall")
    assert (per["aware_accuracy"] >= per["plain_accuracy"]).all()
    for kind in ("negated", "negated-after", "conditional", "question", "contrast"):
        assert per.loc[kind, "aware_accuracy"] > per.loc[kind, "plain_accuracy"], kind


def test_reader_accuracy_on_a_small_hand_set():
    # 3 rows: plain right on the affirmed one only (1/3); aware right on all three (3/3)
    s = pd.DataFrame({"sentence": ["被害人无条件谅解", "被害人不予谅解", "如赔偿到位则谅解"],
                      "keyword": ["谅解"] * 3, "label": ["affirmed", "negated", "none"],
                      "kind": ["cue-inside-word", "negated", "conditional"], "origin": ["hand-written"] * 3,
                      "note": [""] * 3})
    acc = E.reader_accuracy(s).set_index("kind")
    assert acc.loc["overall", ["n", "plain_correct", "aware_correct"]].tolist() == [3, 1, 3]
    assert acc.loc["negated", "plain_accuracy"] == 0.0 and acc.loc["negated", "aware_accuracy"] == 1.0
    assert E.reader_errors(s, negation="plain")["label"].tolist() == ["negated", "none"]
    with pytest.raises(ValueError):
        E.reader_accuracy(s, by="colour")


def test_bad_sentence_file_is_a_clear_error(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("sentences:\n  - {sentence: 被害人谅解, keyword: 调解协议, label: affirmed, kind: x, origin: hand-written}\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match="does not occur"):
        E.load_sentences(p)
    p.write_text("sentences:\n  - {sentence: 被害人谅解, keyword: 谅解, label: maybe, kind: x, origin: hand-written}\n",
                 encoding="utf-8")
    with pytest.raises(ValueError, match="label"):
        E.load_sentences(p)
    p.write_text("other: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sentences"):
        E.load_sentences(p)
