"""关键词规则 — keyword rules on document text.

The published models test document text for keywords as plain substrings (案例二 模型1
第二步 剔除包含"调解协议""已赔偿""谅解"等内容的文书; 案例三's 62-word library; 案例五's four
categories). :func:`contains_any` does exactly that with ``negation="plain"`` (the default).

``negation="aware"`` is a named variant: an occurrence counts only when it is not negated
within its clause, by a cue before it (未达成调解协议, 不予谅解, 拒绝谅解) or after it
(调解协议未达成). Cues live in ``data/negation.yaml``. A text hits when at least one
occurrence of a keyword is affirmed.

Vectorised: per keyword, ``str.count`` of all occurrences minus ``str.count`` of negated ones
(:func:`keyword_counts`, the definition). :func:`keyword_hits` (used by :func:`contains_any`,
:func:`matched_words`, :func:`tag_categories` and the models) gives the same answers for many
words and many texts at once, reading distinct clauses instead of texts: the texts are cut at
the clause breaks (found in their UTF-8 bytes with numpy, no copy), the distinct clauses holding
any word are found with one RE2 alternation, and the words of those clauses by hierarchical
alternation (halves of the word list, tested only on the clauses that hit the whole); under
``"aware"`` the occurrences are counted only on the clauses holding the word where the negated
pattern matches.

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

from . import yaml_io
from .identity import _arrow as _as_arrow
from .identity import _str_series

NEGATIONS = ("plain", "aware")
#: up to this many distinct words, :func:`keyword_hits` without ``groups`` under ``"plain"``
#: searches the whole texts once per word instead of cutting them into clauses
FEW_WORDS = 4


@lru_cache(maxsize=1)
def negation_rules() -> dict:
    text = resources.files("jiuzhu_methods").joinpath("data/negation.yaml").read_text("utf-8")
    return yaml_io.safe_load(text)


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


def _arrow_text(text: pd.Series) -> pa.Array:
    """The texts as one Arrow ``large_string`` array (missing → ""), without copying the
    characters when the Series holds them in one chunk (:func:`identity._arrow`)."""
    arr = _as_arrow(text.astype("str").fillna(""))
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def _break_ends(data: np.ndarray, brk: str) -> np.ndarray:
    """The sorted positions in the UTF-8 bytes ``data`` just after each break character.

    One pass marks the bytes that may start a break character (its first byte; the ASCII
    breaks at once as ``byte <= the largest``), then the first bytes of each candidate, read
    as one big-endian number, are compared with each break's. UTF-8 is self-synchronising, so
    a matched sequence is that character and not part of another one."""
    seqs = [ch.encode("utf-8") for ch in dict.fromkeys(brk)]
    ascii_leads = [s[0] for s in seqs if s[0] < 0x80]
    mask = data <= max(ascii_leads) if ascii_leads else np.zeros(len(data), dtype=bool)
    for lead in sorted({s[0] for s in seqs if s[0] >= 0x80}):
        mask |= data == lead
    cand = np.flatnonzero(mask)
    codes: dict[int, list[int]] = {}
    for s in seqs:
        codes.setdefault(len(s), []).append(int.from_bytes(s, "big"))
    key = np.zeros(len(cand), dtype=np.uint32)    # the candidate's first k+1 bytes, big-endian
    size = np.zeros(len(cand), dtype=np.uint8)    # the byte length of the break it starts, or 0
    for k in range(max(codes)):
        key <<= 8
        key |= data.take(np.minimum(cand + k, len(data) - 1))
        if k + 1 in codes:
            m = np.zeros(len(cand), dtype=bool)
            for code in codes[k + 1]:
                m |= key == code
            m &= cand < len(data) - k                 # the whole sequence lies in the data
            size[m] = k + 1
    sel = size > 0
    return cand[sel] + size[sel]


def _clauses(arr: pa.Array, brk: str) -> tuple[pa.Array, np.ndarray]:
    """The texts cut after each break character, as one ``large_string`` array over the same
    character buffer (no copy), and the text each clause comes from.

    A clause keeps its closing break character ("甲，" "乙"): no keyword or cue contains one
    and the negation gap stops at it, so the counts are those of the clause without it. Every
    text has at least one clause (its first, possibly empty), in text order."""
    n = len(arr)
    _, obuf, dbuf = arr.buffers()[:3]
    off = np.frombuffer(obuf, dtype=np.int64)[arr.offset:arr.offset + n + 1]
    if dbuf is None:  # pragma: no cover - Arrow always allocates the (possibly empty) data buffer
        dbuf = pa.py_buffer(b"")
    lo, hi = int(off[0]), int(off[-1])
    ends = _break_ends(np.frombuffer(dbuf, dtype=np.uint8)[lo:hi], brk) + lo
    # the breaks of text i: those whose last byte lies in [off[i], off[i+1])
    per = np.diff(np.searchsorted(ends - 1, off, side="left"))
    owner_b = np.repeat(np.arange(n, dtype=np.int64), per)
    nb = len(ends)
    pos_t = np.arange(n, dtype=np.int64) + (np.cumsum(per) - per)  # text i's first clause
    pos_b = owner_b + 1 + np.arange(nb, dtype=np.int64)             # the clause after break k
    starts = np.empty(n + nb + 1, dtype=np.int64)
    starts[pos_t], starts[pos_b], starts[-1] = off[:-1], ends, hi
    owner = np.empty(n + nb, dtype=np.int64)
    owner[pos_t], owner[pos_b] = np.arange(n, dtype=np.int64), owner_b
    return pa.LargeStringArray.from_buffers(n + nb, pa.py_buffer(starts), dbuf), owner


def _any_word(strings: pa.Array, words: list[str]) -> np.ndarray | None:
    """Which strings hold at least one of ``words`` (one RE2 alternation), or ``None`` when RE2
    refuses the alternation (then every string may hold one)."""
    try:
        return np.asarray(pc.match_substring_regex(strings, "|".join(re.escape(w) for w in words)), dtype=bool)
    except pa.ArrowException:
        return None


def _texts_to_split(arr: pa.Array, rows: np.ndarray, words: list[str], sample: int = 1000) -> np.ndarray:
    """The rows of ``arr`` (among ``rows``) worth cutting into clauses: all of them, or — when
    fewer than half of an evenly spaced sample of ``sample`` texts hold a word — those that
    hold one (one alternation over the whole texts, which stops at a text's first match, is
    then cheaper than cutting and hashing every text)."""
    probe = _any_word(arr.take(pa.array(rows[::max(1, len(rows) // sample)])), words)
    if probe is None or not len(probe) or probe.mean() >= 0.5:
        return rows
    hit = _any_word(arr.take(pa.array(rows)) if len(rows) < len(arr) else arr, words)
    return rows if hit is None else rows[hit]  # pragma: no cover - (None) the probe showed RE2 takes it


def _rows_by_word(strings: pa.Array, words: list[str], sure: bool = True) -> list[np.ndarray]:
    """For each word, the rows of ``strings`` holding it; ``sure``: every row holds at least one.

    Hierarchical alternation: the words are halved; the first half's alternation is tested on
    the rows holding a word of the whole; the rows that miss it hold a word of the second half,
    so the second half's alternation is tested only on the rows that hit the first; and so on
    down to single words (a plain substring test). A string holding one of W words is read
    about 1.5·log2(W) times instead of W. When RE2 refuses an alternation, its rows are
    carried down unsure and tested again below (single words always are)."""
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(words)

    def test(rows: np.ndarray, a: int, b: int) -> np.ndarray | None:
        sub = strings.take(pa.array(rows))
        return np.asarray(pc.match_substring(sub, words[a]), dtype=bool) if b - a == 1 else _any_word(sub, words[a:b])

    # (first word, end, rows, sure): sure = every row holds a word of words[first:end]
    stack = [(0, len(words), np.arange(len(strings), dtype=np.int64), sure)]
    while stack:
        lo, hi, rows, sure = stack.pop()
        if hi - lo == 1:
            out[lo] = rows if sure else rows[test(rows, lo, hi)]
            continue
        mid = (lo + hi) // 2
        left = test(rows, lo, mid)
        if left is None:
            stack.append((lo, mid, rows, False))
            hit, known = rows, rows[:0]
        else:
            hit = rows[left]
            stack.append((lo, mid, hit, True))
            known = rows[~left] if sure else rows[:0]   # a word of the second half, untested
        tested = hit if sure else rows
        right = test(tested, mid, hi) if len(tested) else np.zeros(0, dtype=bool)
        stack.append((mid, hi, np.concatenate([known, tested if right is None else tested[right]]), right is not None))
    return out


def _affirmed(strings: pa.Array, rows: np.ndarray, word: str) -> np.ndarray:
    """The rows (of ``strings``, each holding ``word``) where an occurrence is not negated:
    more occurrences than negated occurrences (``str.count`` as :func:`keyword_counts`).

    Negated occurrences are disjoint matches each holding an occurrence, so they never
    outnumber the occurrences: a text's count is positive exactly when one of its clauses'
    is, and a clause without any negated-pattern match is affirmed without counting."""
    pat = _negated_pattern(word, negation_rules())
    sub = strings.take(pa.array(rows))
    neg = np.asarray(pc.match_substring_regex(sub, pat), dtype=bool)
    if not neg.any():
        return rows
    s = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([sub.filter(pa.array(neg))]))).astype("str")
    keep = s.str.count(re.escape(word)).to_numpy(dtype=np.int64) > s.str.count(pat).to_numpy(dtype=np.int64)
    ok = ~neg
    ok[np.flatnonzero(neg)[keep]] = True
    return rows[ok]


def _stable_order(p: np.ndarray, top: int) -> np.ndarray:
    """``np.argsort(p, kind="stable")`` of non-negative integers below ``top``: as ``uint16``
    keys (numpy's stable sort of 16-bit integers is a radix sort, several times faster than the
    merge sort of int64), in two passes (low, then high 16 bits: an LSD radix sort) below 2³²."""
    if top <= 1 << 16:
        return np.argsort(p.astype(np.uint16), kind="stable")
    if top <= 1 << 32:
        low = np.argsort((p & 0xFFFF).astype(np.uint16), kind="stable")
        return low[np.argsort((p[low] >> 16).astype(np.uint16), kind="stable")]
    return np.argsort(p, kind="stable")


def keyword_hits(text: pd.Series, words: list[str], *, negation: str = "plain", groups=None) -> pd.DataFrame:
    """One boolean column per distinct word (first-appearance order): the text has an occurrence
    that counts under ``negation`` — exactly ``keyword_counts(text, w, negation=negation) > 0``.

    Without ``groups``: one row per text (``text.index``). With ``groups`` (labels aligned with
    ``text``; a missing label drops the text): one row per label, sorted, where the text of a
    label is its texts joined with a newline (as :func:`texts_by`), without building that join.

    Vectorised over distinct clauses instead of texts. The texts (with a label) are cut after
    each clause break of ``data/negation.yaml`` (:func:`_clauses`; when a word or cue contains
    a break character, :func:`_clause_breaks`, the whole texts are counted instead); when few
    texts hold a word, only those are cut (:func:`_texts_to_split`). The distinct clauses
    holding any word are found with one alternation, the words of each with hierarchical
    alternation (:func:`_rows_by_word`); under ``"aware"`` a clause holding a word counts when
    it has more occurrences than negated occurrences (:func:`_affirmed`). A text or label has a
    word when one of its clauses has it: the clause counts are never negative and add up to the
    text's, since no occurrence or negated occurrence spans a break. A few words (at most
    :data:`FEW_WORDS`) under ``"plain"`` without ``groups`` are searched in the whole texts
    instead, one RE2 literal search per word (cheaper than cutting for so few words).

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
        # a "str" Series is factorised as it is (Arrow hashing); anything else as Python objects
        fast = isinstance(groups, pd.Series) and str(groups.dtype) == "str"
        codes, uniques = pd.factorize(groups if fast else pd.Series(np.asarray(groups, dtype=object)), sort=True)
        codes = np.asarray(codes, dtype=np.int64)
        index = pd.Index(uniques)
    n = len(index)
    if not words or n == 0:
        return pd.DataFrame({w: np.zeros(n, dtype=bool) for w in words}, index=index)
    if negation == "plain" and groups is None and len(words) <= FEW_WORDS:
        # a few plain words, one row per text: a text has a word when it holds it (count > 0),
        # one RE2 literal search per word over the texts beats cutting and hashing clauses
        arr = _arrow_text(text)
        return pd.DataFrame({w: np.asarray(pc.match_substring_regex(arr, re.escape(w)), dtype=bool) for w in words},
                            index=index)
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
    arr = _arrow_text(text)
    read = _texts_to_split(arr, np.flatnonzero(codes >= 0), words)
    parts, owner = _clauses(arr if len(read) == len(arr) else arr.take(pa.array(read)), brk)
    owner = read[owner]
    enc = pc.dictionary_encode(parts)
    uniq, cid = enc.dictionary, np.asarray(enc.indices, dtype=np.int64)
    # the distinct clauses holding any word at all (one RE2 alternation)
    anyhit = _any_word(uniq, words)
    cand = np.arange(len(uniq), dtype=np.int64) if anyhit is None else np.flatnonzero(anyhit)
    # the words of each candidate clause (hierarchical alternation), affirmed ones under "aware"
    C = uniq.take(pa.array(cand))
    rows = _rows_by_word(C, words, sure=anyhit is not None)
    if negation == "aware":
        rows = [_affirmed(C, r, w) if len(r) else r for r, w in zip(rows, words)]
    # (label, candidate) pairs, grouped by candidate: a word's labels are those of its clauses
    pos = np.full(len(uniq), -1, dtype=np.int64)
    pos[cand] = np.arange(len(cand), dtype=np.int64)
    p = pos[cid]
    grp = codes[owner]
    keep = (p >= 0) & (grp >= 0)
    p, grp = p[keep], grp[keep]
    order = _stable_order(p, len(cand))
    grp = grp[order]
    cnt = np.bincount(p, minlength=len(cand))
    first = np.cumsum(cnt) - cnt
    r = np.concatenate(rows)
    wid = np.repeat(np.arange(len(words), dtype=np.int64), [len(x) for x in rows])
    lens = cnt[r]
    tot = int(lens.sum())
    at = np.repeat(first[r] - (np.cumsum(lens) - lens), lens) + np.arange(tot, dtype=np.int64)
    hit = np.zeros((n, len(words)), dtype=bool)
    hit[grp[at], np.repeat(wid, lens)] = True
    return pd.DataFrame({w: hit[:, j] for j, w in enumerate(words)}, index=index)


def _joined_true(m: np.ndarray, names: list[str], sep: str) -> pa.Array:
    """Per row of the boolean matrix ``m`` (rows × names), the names of its true cells joined with
    ``sep`` in column order, as an Arrow ``large_string`` array: one ``nonzero`` (row-major, so
    sorted by row then column), the names taken by Arrow (no Python string per hit) and one
    ``binary_join`` over the hits only."""
    rows, cols = np.nonzero(m)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=m.shape[0]))]).astype(np.int64)
    vals = pa.array(list(names), type=pa.large_string()).take(pa.array(cols, type=pa.int64()))
    return pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), vals), pa.scalar(sep, pa.large_string()))


def join_hits(hits: pd.DataFrame, names: list[str], sep: str = "、") -> pd.Series:
    """Per row, the ``names`` whose column in ``hits`` is true, joined with ``sep`` in the order
    of ``names`` (each name once); "" when none. Vectorised (:func:`_joined_true`), not per row."""
    names = list(dict.fromkeys(names))
    m = np.column_stack([hits[nm].to_numpy(dtype=bool) for nm in names]) if names else np.zeros((len(hits), 0), bool)
    return _str_series(_joined_true(m, names, sep), hits.index)


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
