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
