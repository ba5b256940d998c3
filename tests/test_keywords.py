import pandas as pd
import pytest

from jiuzhu_methods import keywords as K

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
