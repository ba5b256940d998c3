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
