"""关键词规则 — keyword rules on document text.

The published models test document text for keywords as plain substrings (案例二 模型1
第二步 剔除包含"调解协议""已赔偿""谅解"等内容的文书; 案例三's 62-word library; 案例五's four
categories). :func:`contains_any` does exactly that with ``negation="plain"`` (the default).

``negation="aware"`` is a named variant: an occurrence counts only when it is not negated
within its clause, by a cue before it (未达成调解协议, 不予谅解, 拒绝谅解) or after it
(调解协议未达成). Cues live in ``data/negation.yaml``. A text hits when at least one
occurrence of a keyword is affirmed.

Vectorised: per keyword, ``str.count`` of all occurrences minus ``str.count`` of negated ones.

Examples
--------
>>> import pandas as pd
>>> t = pd.Series(["双方已达成调解协议", "双方未达成调解协议", "被害人表示不予谅解"])
>>> contains_any(t, ["调解协议", "谅解"]).tolist()
[True, True, True]
>>> contains_any(t, ["调解协议", "谅解"], negation="aware").tolist()
[True, False, False]
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

NEGATIONS = ("plain", "aware")


@lru_cache(maxsize=1)
def negation_rules() -> dict:
    text = resources.files("jiuzhu_methods").joinpath("data/negation.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _check(negation: str) -> None:
    if negation not in NEGATIONS:
        raise ValueError(f"negation must be one of {NEGATIONS}, not {negation!r}")


def _negated_pattern(word: str, rules: dict) -> str:
    brk = re.escape(rules["clause_breaks"])
    gap = f"[^{brk}]{{0,{int(rules['window'])}}}"
    before = "|".join(re.escape(c) for c in sorted(rules["before"], key=len, reverse=True))
    after = "|".join(re.escape(c) for c in sorted(rules["after"], key=len, reverse=True))
    w = re.escape(word)
    return f"(?:(?:{before}){gap}{w}|{w}{gap}(?:{after}))"


def keyword_counts(text: pd.Series, word: str, *, negation: str = "plain") -> pd.Series:
    """Occurrences of ``word`` in each text that count under ``negation`` (vectorised)."""
    _check(negation)
    t = text.astype("str").fillna("")
    n = t.str.count(re.escape(word))
    if negation == "aware":
        neg = t.str.count(_negated_pattern(word, negation_rules()))
        n = (n - neg).clip(lower=0)
    return n.astype("int64")


def contains_any(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """True where the text contains at least one (affirmed, with ``"aware"``) keyword."""
    hit = pd.Series(False, index=text.index)
    for w in words:
        hit |= keyword_counts(text, w, negation=negation) > 0
    return hit


def matched_words(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """The keywords found in each text, joined with "、" in library order ("" when none)."""
    cols = {w: keyword_counts(text, w, negation=negation) > 0 for w in words}
    if not cols:
        return pd.Series("", index=text.index, dtype="str")
    m = pd.DataFrame(cols, index=text.index)
    return m.apply(lambda r: "、".join(w for w, v in r.items() if v), axis=1).astype("str")


def tag_categories(text: pd.Series, library: dict[str, list[str]], *, negation: str = "plain") -> pd.DataFrame:
    """One boolean column per category (hit any of its words) and ``<category>_words`` listing hits."""
    out = pd.DataFrame(index=text.index)
    for cat, words in library.items():
        w = matched_words(text, list(words), negation=negation)
        out[cat] = w != ""
        out[f"{cat}_words"] = w
    return out


def texts_by(docs: pd.DataFrame, key: str = "case_id", text_col: str = "text") -> pd.Series:
    """All documents of a key concatenated (in input order, separated by a newline)."""
    if docs.empty:
        return pd.Series([], dtype="str", name=text_col)
    return docs.groupby(key, sort=True)[text_col].agg(lambda s: "\n".join(s.dropna().astype(str))).astype("str")


__all__ = ["NEGATIONS", "contains_any", "keyword_counts", "matched_words", "negation_rules", "tag_categories", "texts_by"]
