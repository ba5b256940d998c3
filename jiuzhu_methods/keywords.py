"""关键词规则 — keyword rules on document text.

The published models test document text for keywords as plain substrings (案例二 模型1
第二步 剔除包含"调解协议""已赔偿""谅解"等内容的文书; 案例三's 62-word library; 案例五's four
categories). :func:`contains_any` does exactly that with ``negation="plain"`` (the default).

``negation="aware"`` is a named variant: an occurrence counts only when it is not negated
within its clause, by a cue before it (未达成调解协议, 不予谅解, 拒绝谅解) or after it
(调解协议未达成). Cues live in ``data/negation.yaml``. A text hits when at least one
occurrence of a keyword is affirmed.

Vectorised: per keyword, ``str.count`` of all occurrences minus ``str.count`` of negated ones.
:func:`keyword_hits` (used by :func:`contains_any`, :func:`matched_words`, :func:`tag_categories`
and the models) gives the same answers for many words and many texts at once: the counts are
taken once per distinct clause (texts cut at the clause breaks), not once per text.

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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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


def _arrow_text(text: pd.Series) -> pa.Array:
    """The texts as one Arrow string array (missing → "")."""
    t = text.astype("str").fillna("")
    arr = getattr(t.array, "_pa_array", None)
    if arr is None:  # pragma: no cover - "str" is Arrow-backed in pandas 3
        arr = pa.array(t.to_numpy(dtype=object), type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _clause_breaks(words: list[str], negation: str) -> str | None:
    """The characters a text may be cut at without changing any keyword count, or ``None``.

    An occurrence of a keyword — and, under ``"aware"``, a negated occurrence (cue, at most
    ``window`` non-break characters, keyword) — never spans a clause break, so the counts of a
    text are the sums of the counts of its clauses, provided no keyword or cue contains a break
    character. The newline that joins the documents of a group must be one of them."""
    rules = negation_rules()
    brk = str(rules["clause_breaks"])
    tokens = list(words) + (list(rules["before"]) + list(rules["after"]) if negation == "aware" else [])
    if "\n" not in brk or any(c in tok for tok in tokens for c in brk):
        return None
    return brk


def keyword_hits(text: pd.Series, words: list[str], *, negation: str = "plain", groups=None) -> pd.DataFrame:
    """One boolean column per distinct word (first-appearance order): the text has an occurrence
    that counts under ``negation`` — exactly ``keyword_counts(text, w, negation=negation) > 0``.

    Without ``groups``: one row per text (``text.index``). With ``groups`` (labels aligned with
    ``text``; a missing label drops the text): one row per label, sorted, where the text of a
    label is its texts joined with a newline (as :func:`texts_by`), without building that join.

    Vectorised over distinct clauses instead of texts: the texts are cut at the clause breaks
    of ``data/negation.yaml`` (see :func:`_clause_breaks`; otherwise the whole texts are
    counted), the distinct clauses holding any of the words are found with one alternation,
    and each word is counted on those clauses only (plain: a substring test; aware:
    ``str.count`` of occurrences and of negated occurrences); the counts of a text or label are
    the sums over its clauses.

    >>> t = pd.Series(["双方未达成调解协议。被害人表示谅解", "不予谅解"])
    >>> keyword_hits(t, ["调解协议", "谅解"], negation="aware").to_dict("list")
    {'调解协议': [False, False], '谅解': [True, False]}
    >>> keyword_hits(t, ["谅解"], groups=pd.Series(["B", "B"])).to_dict("index")
    {'B': {'谅解': True}}
    """
    _check(negation)
    words = list(dict.fromkeys(words))
    if groups is None:
        codes = np.arange(len(text), dtype=np.int64)
        index = text.index
    else:
        codes, uniques = pd.factorize(pd.Series(np.asarray(groups, dtype=object)), sort=True)
        codes = np.asarray(codes, dtype=np.int64)
        index = pd.Index(uniques)
    n = len(index)
    if not words or n == 0:
        return pd.DataFrame({w: np.zeros(n, dtype=bool) for w in words}, index=index)
    brk = _clause_breaks(words, negation)
    if brk is None:  # a word or cue contains a break character: count on the whole texts
        if groups is None:
            whole = text
        else:
            keep = codes >= 0
            d = pd.DataFrame({"_g": codes[keep], "_t": text.astype("str").fillna("").to_numpy()[keep]})
            whole = texts_by(d, "_g", "_t").reindex(range(n)).fillna("")
        return pd.DataFrame({w: (keyword_counts(whole, w, negation=negation) > 0).to_numpy() for w in words},
                            index=index)
    # one split at any break character (an RE2 character class)
    cls = "".join("\\n" if c == "\n" else ("\\" + c if c in "\\]^-[" else c) for c in brk)
    parts = pc.split_pattern_regex(_arrow_text(text), f"[{cls}]")
    piece = np.asarray(pc.list_parent_indices(parts), dtype=np.int64)
    enc = pc.dictionary_encode(pc.list_flatten(parts))
    uniq, cid = enc.dictionary, np.asarray(enc.indices, dtype=np.int64)
    # the distinct clauses holding any word at all (one RE2 alternation)
    try:
        anyhit = np.asarray(pc.match_substring_regex(uniq, "|".join(re.escape(w) for w in words)), dtype=bool)
    except pa.ArrowException:  # pragma: no cover - alternation too large for RE2: test every clause
        anyhit = np.ones(len(uniq), dtype=bool)
    cand = np.flatnonzero(anyhit)
    out = {w: np.zeros(n, dtype=bool) for w in words}
    if not len(cand):
        return pd.DataFrame(out, index=index)
    # (label, candidate clause) pairs with their multiplicity
    grp = codes[piece]
    sel = anyhit[cid] & (grp >= 0)
    pos = np.full(len(uniq), -1, dtype=np.int64)
    pos[cand] = np.arange(len(cand), dtype=np.int64)
    m = np.int64(len(cand))
    key, mult = np.unique(grp[sel] * m + pos[cid[sel]], return_counts=True)
    G, U = key // m, key % m
    C_arr = uniq.take(pa.array(cand))
    C = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([C_arr.cast(pa.large_string())]))).astype("str")
    for w in words:
        if negation == "plain":
            net = np.asarray(pc.match_substring(C_arr, w), dtype=np.int64)
        else:  # occurrences minus negated occurrences, each summed over the label's clauses
            net = C.str.count(re.escape(w)).to_numpy(dtype=np.int64, copy=True)
            has = np.flatnonzero(net > 0)
            if len(has):
                net[has] -= C.iloc[has].str.count(_negated_pattern(w, negation_rules())).to_numpy(dtype=np.int64)
        total = np.bincount(G, weights=(net[U] * mult).astype(np.float64), minlength=n)
        out[w] = total > 0
    return pd.DataFrame(out, index=index)


def _join_true(m: np.ndarray, names: list[str], sep: str) -> np.ndarray:
    """Per row of the boolean matrix ``m`` (rows × names), the names of its true cells joined with
    ``sep`` in column order: one ``nonzero`` (row-major, so sorted by row then column) and one
    Arrow ``binary_join`` over the hits only."""
    rows, cols = np.nonzero(m)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m.shape[0]))]).astype(np.int64)
    vals = pa.array(np.asarray(list(names), dtype=object)[cols] if len(names) else np.array([], dtype=object),
                    type=pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar(sep, pa.large_string()))
    return joined.to_numpy(zero_copy_only=False)


def join_hits(hits: pd.DataFrame, names: list[str], sep: str = "、") -> pd.Series:
    """Per row, the ``names`` whose column in ``hits`` is true, joined with ``sep`` in the order
    of ``names`` (each name once); "" when none. Vectorised (:func:`_join_true`), not per row."""
    names = list(dict.fromkeys(names))
    m = np.column_stack([hits[nm].to_numpy(dtype=bool) for nm in names]) if names else np.zeros((len(hits), 0), bool)
    return pd.Series(_join_true(m, names, sep), index=hits.index, dtype="str")


def contains_any(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """True where the text contains at least one (affirmed, with ``"aware"``) keyword."""
    _check(negation)
    if not len(words):
        return pd.Series(False, index=text.index)
    return pd.Series(keyword_hits(text, words, negation=negation).to_numpy().any(axis=1), index=text.index)


def matched_words(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """The keywords found in each text, joined with "、" in library order ("" when none)."""
    _check(negation)
    if not len(words):
        return pd.Series("", index=text.index, dtype="str")
    return join_hits(keyword_hits(text, words, negation=negation), list(words))


def tag_categories(text: pd.Series, library: dict[str, list[str]], *, negation: str = "plain") -> pd.DataFrame:
    """One boolean column per category (hit any of its words) and ``<category>_words`` listing hits."""
    out = pd.DataFrame(index=text.index)
    hits = keyword_hits(text, [w for ws in library.values() for w in ws], negation=negation)
    for cat, words in library.items():
        w = join_hits(hits, list(words)) if len(words) else pd.Series("", index=text.index, dtype="str")
        out[cat] = w != ""
        out[f"{cat}_words"] = w
    return out


def texts_by(docs: pd.DataFrame, key: str = "case_id", text_col: str = "text") -> pd.Series:
    """All documents of a key concatenated (in input order, separated by a newline)."""
    if docs.empty:
        return pd.Series([], dtype="str", name=text_col)
    return docs.groupby(key, sort=True)[text_col].agg(lambda s: "\n".join(s.dropna().astype(str))).astype("str")


__all__ = ["NEGATIONS", "contains_any", "join_hits", "keyword_counts", "keyword_hits", "matched_words", "negation_rules",
           "tag_categories", "texts_by"]
