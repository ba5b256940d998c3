"""关键词规则 — keyword rules on document text.

The published models test document text for keywords as plain substrings (案例二 模型1
第二步 剔除包含"调解协议""已赔偿""谅解"等内容的文书; 案例三's 62-word library; 案例五's four
categories). :func:`contains_any` does exactly that with ``negation="plain"`` (the default).

``negation="aware"`` is a named variant that reads each occurrence of a keyword in its scope
(:func:`read_occurrences`) and counts only the *affirmed* ones: 未达成调解协议, 不予谅解, 拒绝谅解,
调解协议未达成 are negated; 无条件谅解, 已赔偿未成年被害人, 不仅已赔偿, 不是不谅解 are affirmed (a word
that merely contains a cue character is no negation; two adjacent cues cancel); 如赔偿到位则予以谅解
(a condition), 问：你是否谅解对方？ (a question), 辩称其已赔偿 (a contested claim) and 有赔偿意愿 (a
wish) assert nothing (``none``). A text hits when at least one occurrence is affirmed. The
rules — cue lists, exception words, markers, scope limits — are data in ``data/negation.yaml``
(:func:`negation_rules`, :func:`negation_rule_table`); how they combine is in ``docs/negation.md``,
and their accuracy on a labelled sentence set in :mod:`jiuzhu_methods.evaluation.negation_eval`.

Vectorised: :func:`keyword_counts` is the definition (per word, ``str.count`` of the occurrences,
or under ``"aware"`` the affirmed ones, read once per distinct text). :func:`keyword_hits` (used
by :func:`contains_any`, :func:`matched_words`, :func:`tag_categories` and the models) gives the
same answers for many words and many texts at once, reading distinct clauses (``"plain"``) or
distinct sentences (``"aware"``) instead of texts: the texts are cut at the breaks (found in
their UTF-8 bytes with numpy, no copy), the distinct pieces holding any word are found with one
RE2 alternation, and the words of those pieces by hierarchical alternation (halves of the word
list, tested only on the pieces that hit the whole); under ``"aware"`` the sentences holding a
word that contain no cue or marker at all are affirmed at once (one RE2 alternation), the
others are read by :func:`read_occurrences`'s rules (a Python loop per distinct sentence and word).

Examples
--------
>>> import pandas as pd
>>> t = pd.Series(["双方已达成调解协议", "双方未达成调解协议", "被害人表示不予谅解", "被害人无条件谅解"])
>>> contains_any(t, ["调解协议", "谅解"]).tolist()
[True, True, True, True]
>>> contains_any(t, ["调解协议", "谅解"], negation="aware").tolist()
[True, False, False, True]
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import linkage, yaml_io
from .identity import as_arrow as _as_arrow
from .identity import str_series

NEGATIONS = ("plain", "aware")
#: what :func:`read_occurrences` says of one occurrence of a keyword
READINGS = ("affirmed", "negated", "none")
#: up to this many distinct words, :func:`keyword_hits` without ``groups`` under ``"plain"``
#: searches the whole texts once per word instead of cutting them into clauses
FEW_WORDS = 4
#: text columns with at least this many rows keep their cut into distinct pieces (:func:`text_pieces`)
CACHE_MIN_TEXTS = 10_000
_PIECES: dict = {}
#: the rules of ``data/negation.yaml`` that are token lists, and the role each gives its tokens
#: (``None``: the token only swallows the characters it covers — an exception word)
_TOKEN_LISTS = {"before": "before", "after": "after", "not_cues": None, "scope_breaks": "scope",
                "conditionals": "conditional", "not_conditionals": None, "questions": "question",
                "questions_after": "question_after", "claims": "claim", "modifiers_after": "modifier"}
#: stands for the keyword's own occurrences while the tokens around them are read (a private-use
#: character: no cue, marker or break contains it)
_PAD = "\ue000"


def _raw_rules() -> dict:
    text = resources.files("jiuzhu_methods").joinpath("data/negation.yaml").read_text("utf-8")
    return yaml_io.safe_load(text)


@lru_cache(maxsize=1)
def negation_rules() -> dict:
    """The values of ``data/negation.yaml`` (``{rule: value}``): breaks, scope limits, cue lists,
    exception words and markers of the ``"aware"`` reader (see :func:`negation_rule_table`)."""
    raw = _raw_rules()
    out = {}
    for k, v in raw.items():
        if k in ("description", "source"):
            continue
        if not isinstance(v, dict) or "value" not in v or "source" not in v or "description" not in v:
            raise ValueError(f"data/negation.yaml: entry {k!r} must be {{value, description, source}}")
        out[k] = v["value"]
    return out


def negation_rule_table() -> pd.DataFrame:
    """The rules of the ``"aware"`` reader as a table: ``rule, value, description, source``
    (lists joined with "、"; the breaks shown with ``\\n`` for the newline)."""
    rows = []
    for k, v in _raw_rules().items():
        if k in ("description", "source"):
            continue
        val = v["value"]
        shown = "、".join(map(str, val)) if isinstance(val, list) else str(val).replace("\n", "\\n")
        rows.append({"rule": k, "value": shown, "description": " ".join(str(v["description"]).split()),
                     "source": " ".join(str(v["source"]).split())})
    return pd.DataFrame(rows)


def check_negation(negation: str) -> None:
    if negation not in NEGATIONS:
        raise ValueError(f"negation must be one of {NEGATIONS}, not {negation!r}")


def _not_in(chars: str) -> str:
    """A regular-expression class of every character but ``chars`` (the newline written ``\\n``)."""
    return "[^" + "".join("\\n" if c == "\n" else re.escape(c) for c in chars) + "]"


class _Reader:
    """The compiled rules of ``data/negation.yaml``: one token alternation (every cue, exception
    word, marker and break, longest first) and each token's roles."""

    def __init__(self, rules: dict):
        self.window = int(rules["window"])
        self.window_after = int(rules["window_after"])
        self.double_gap = int(rules["double_gap"])
        clause, sentence = str(rules["clause_breaks"]), str(rules["sentence_breaks"])
        self.question_ends = frozenset(str(rules["question_ends"]))
        if "\n" not in sentence or not set(sentence) <= set(clause) or not self.question_ends <= set(sentence):
            raise ValueError("data/negation.yaml: sentence_breaks must hold the newline and be clause_breaks, "
                             "and question_ends must be sentence_breaks")
        roles: dict[str, set] = {}
        for key, role in _TOKEN_LISTS.items():
            for tok in rules[key]:
                tok = str(tok)
                if not tok or any(c in clause for c in tok):
                    raise ValueError(f"data/negation.yaml: {key} token {tok!r} is empty or holds a clause break")
                roles.setdefault(tok, set())
                if role:
                    roles[tok].add(role)
        before = [str(t) for t in rules["before"]]
        for tok in rules["after"]:  # 未达成 / 不成 / 无效 begin with a cue: they negate a keyword after them too
            if any(str(tok).startswith(b) for b in before):
                roles[str(tok)].add("before")
        for ch in clause:
            roles[ch] = {"clause", "sentence"} if ch in sentence else {"clause"}
        self.roles = {t: frozenset(r) for t, r in roles.items()}
        self.pattern = re.compile("|".join(re.escape(t) for t in sorted(self.roles, key=len, reverse=True)))
        # after the keyword the text is read again without the cues that only act before one, so
        # that 均未 / 仍未 do not swallow the 未 of 未达成 (调解协议均未达成)
        fwd = [t for t, r in self.roles.items() if r != {"before"}]
        self.after_pattern = re.compile("|".join(re.escape(t) for t in sorted(fwd, key=len, reverse=True)))
        self.clause_breaks, self.sentence_breaks = clause, sentence
        self.need_words = frozenset(str(w) for w in rules["need_words"])
        # the tokens that can make an occurrence not affirmed: within its clause (cues, question
        # markers and particles, modifiers) or anywhere before it in its sentence (conditionals, claims)
        near = {"before", "after", "question", "question_after", "modifier"}
        self.clause_triggers = sorted((t for t, r in self.roles.items() if r & near), key=len, reverse=True)
        self.sentence_triggers = sorted((t for t, r in self.roles.items() if r & {"conditional", "claim"}),
                                        key=len, reverse=True)

    def prefilter(self, word: str) -> str:
        """An RE2 pattern that matches every sentence in which some occurrence of ``word`` may be
        read other than affirmed: a clause trigger in the same clause before or after it, a
        conditional or claim before it in the sentence, or a question mark after it. (After the
        keyword is blanked out, every token lies wholly before or after an occurrence, so this
        is a superset; the sentences it misses are affirmed without reading them.)"""
        w = re.escape(word)
        t = "|".join(re.escape(x) for x in self.clause_triggers)
        c = "|".join(re.escape(x) for x in self.sentence_triggers)
        nb, ns = _not_in(self.clause_breaks), _not_in(self.sentence_breaks)
        q = "[" + "".join(re.escape(x) for x in sorted(self.question_ends)) + "]"
        alts = [f"(?:{t}){nb}*{w}", f"{w}{nb}*(?:{t})", f"{w}{ns}*{q}"] + ([f"(?:{c}){ns}*{w}"] if c else [])
        return "|".join(alts)

    def read(self, text: str, word: str) -> list[dict]:
        """Each occurrence of ``word`` in ``text`` (non-overlapping, left to right, as ``str.count``)
        with its reading; see :func:`read_occurrences`."""
        if not word:  # the empty word is everywhere (str.count), and nothing can negate it
            return [{"start": i, "end": i, "reading": "affirmed", "reason": "", "cues": ""} for i in range(len(text) + 1)]
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(word), text)]
        if not spans:
            return []
        if word in self.need_words:   # a negation of the act on a need states the need
            return [{"start": s, "end": e, "reading": "affirmed", "reason": "need word", "cues": ""} for s, e in spans]
        parts, last = [], 0
        for s, e in spans:
            parts += [text[last:s], _PAD * (e - s)]
            last = e
        masked = "".join(parts) + text[last:]
        toks = [(m.start(), m.end(), self.roles[m.group()], m.group()) for m in self.pattern.finditer(masked)]
        starts = [t[0] for t in toks]
        ftoks = [(m.start(), m.end(), self.roles[m.group()], m.group()) for m in self.after_pattern.finditer(masked)]
        fstarts = [t[0] for t in ftoks]
        out = []
        for k, (s, e) in enumerate(spans):
            i = bisect_left(starts, s)   # toks[:i] end at or before s (no token covers the blanked keyword)
            prev = spans[k - 1][1] if k else -1
            nxt = spans[k + 1][0] if k + 1 < len(spans) else len(masked)
            reason, chain, cut = "", [], False
            for a, b, r, tok in reversed(toks[:i]):          # backwards to the sentence start or a scope break
                if "sentence" in r or "scope" in r:
                    break
                if "clause" in r or a < prev:                   # cues and questions stay in the clause,
                    cut = True                                  # and before an earlier occurrence they are spent
                if "conditional" in r or "claim" in r:
                    reason = reason or ("conditional" if "conditional" in r else "claim")
                if not cut and "question" in r:
                    reason = reason or "question"
                if not cut and "before" in r:
                    chain.append((a, b, tok))
            n, cues = 0, []
            if chain and s - chain[0][1] <= self.window:
                n, cues = 1, [chain[0][2]]
                for (a0, _, _), (_, b1, t1) in zip(chain, chain[1:]):
                    if a0 - b1 > self.double_gap:
                        break
                    n += 1
                    cues.insert(0, t1)
            after, stop = 0, False
            for a, b, r, tok in ftoks[bisect_left(fstarts, e):]:   # forwards to the end of the clause (sentence, for "？")
                if "sentence" in r:
                    if tok in self.question_ends:
                        reason = reason or "question"
                    break
                if "clause" in r or "scope" in r or a >= nxt:
                    stop = True
                if stop:
                    continue
                if "modifier" in r and a - e <= 1:
                    reason = reason or "modifier"
                if "question_after" in r:
                    reason = reason or "question"
                if "after" in r and not after and a - e <= self.window_after:
                    after, cues = 1, cues + [tok]
            if reason:
                rd = "none"
            else:
                rd = "negated" if (n + after) % 2 else "affirmed"
                reason = ("double negation" if n + after >= 2 else "negation") if n + after else ""
            out.append({"start": s, "end": e, "reading": rd, "reason": reason, "cues": "、".join(cues)})
        return out

    def affirmed(self, text: str, word: str) -> int:
        """How many occurrences of ``word`` in ``text`` are affirmed."""
        return sum(o["reading"] == "affirmed" for o in self.read(text, word))


@lru_cache(maxsize=1)
def _reader() -> _Reader:
    return _Reader(negation_rules())


def keyword_counts(text: pd.Series, word: str, *, negation: str = "plain") -> pd.Series:
    """Occurrences of ``word`` in each text that count under ``negation``: all of them
    (``str.count``) under ``"plain"``, the affirmed ones (:func:`read_occurrences`) under
    ``"aware"`` — read once per distinct text. The definition :func:`keyword_hits` equals."""
    check_negation(negation)
    t = text.astype("str").fillna("")
    n = t.str.count(re.escape(word))
    if negation == "aware":
        rd = _reader()
        distinct = pd.unique(t.to_numpy(dtype=object))
        n = t.map({v: rd.affirmed(v, word) for v in distinct})
    return n.astype("int64")


def read_occurrences(text: str, word: str) -> pd.DataFrame:
    """How the ``"aware"`` reader reads each occurrence of ``word`` in ``text``: one row per
    occurrence (non-overlapping, left to right), ``start, end, reading, reason, cues``.

    ``reading`` is ``affirmed`` (it counts), ``negated`` or ``none`` (asserts nothing).
    The rules (``data/negation.yaml``, in this order):

    0. a need word (``need_words``: 医疗费, 赡养 …) is always ``affirmed`` (无力承担医疗费用 states the need);
    1. the keyword's own occurrences are blanked out, then the text is read as tokens — cues,
       exception words, markers, breaks — leftmost-longest (so 未成年 / 无条件 / 不仅 swallow the
       cue character they contain, and a cue inside the keyword, 未赔偿, is none of its cues);
    2. ``none`` when, before it in its sentence (up to a scope break 但/却/又 …), a conditional
       (如/如果/若/待 …) or a contested claim (辩称 …) stands; when a question marker (是否, 有没有 …)
       stands before it in its clause or a question particle (吗, 与否) after it; when its sentence
       ends with a question mark; or when a modifier (意愿, 能力, 请求 …) follows it at once;
    3. otherwise the negation cues in its scope are counted: the nearest cue before it in its
       clause (not before an earlier occurrence of the word, not across a scope break) within
       ``window`` characters, with each cue at most ``double_gap`` characters before the previous
       one (不是不, 并非未), plus one cue after it (未达成, 不成, 破裂 …) within ``window_after``;
       an odd count is ``negated``, an even one (0, or a double negation) ``affirmed``.

    >>> read_occurrences("双方未达成调解协议，被害人无条件谅解", "谅解")[["reading", "reason"]].to_dict("records")
    [{'reading': 'affirmed', 'reason': ''}]
    >>> read_occurrences("如赔偿到位则予以谅解。被害人不是不谅解", "谅解")["reading"].tolist()
    ['none', 'affirmed']
    """
    rows = _reader().read("" if text is None else str(text), str(word))
    return pd.DataFrame(rows, columns=["start", "end", "reading", "reason", "cues"])


def reading(text: str, word: str) -> str:
    """The ``"aware"`` reading of ``word`` in ``text`` as a whole: ``affirmed`` when an occurrence
    is affirmed (the text hits), else ``negated`` when one is negated, else ``none``; ``absent``
    when the word does not occur. (``"plain"`` says ``affirmed`` whenever it occurs.)"""
    r = set(read_occurrences(text, word)["reading"])
    return next((x for x in READINGS if x in r), "absent")


def _clause_breaks(words: list[str], negation: str) -> str | None:
    """The characters a text may be cut at without changing any keyword count, or ``None``.

    ``"plain"``: the clause breaks — an occurrence never spans one, provided no keyword contains
    a break character. ``"aware"``: the sentence breaks — no rule of the reader looks across one
    (:func:`read_occurrences`), provided no keyword contains one (cues and markers never do,
    :class:`_Reader` checks). The newline that joins the documents of a group must be one of them."""
    rules = negation_rules()
    brk = str(rules["sentence_breaks"] if negation == "aware" else rules["clause_breaks"])
    if "\n" not in brk or any(c in w for w in words for c in brk):
        return None
    return brk


def _arrow_text(text: pd.Series) -> pa.Array:
    """The texts as one Arrow ``large_string`` array (missing → ""), without copying the
    characters when the Series holds them in one chunk (:func:`identity.as_arrow`)."""
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


def _triggered(strings: pa.Array, word: str) -> np.ndarray:
    """Which strings (sentences holding ``word``) need reading: :meth:`_Reader.prefilter` (one
    RE2 search); the others read every occurrence as affirmed. All, if RE2 refuses the pattern."""
    try:
        return np.asarray(pc.match_substring_regex(strings, _reader().prefilter(word)), dtype=bool)
    except pa.ArrowException:  # pragma: no cover - RE2 takes the patterns of the data file
        return np.ones(len(strings), dtype=bool)


def _affirmed(strings: pa.Array, rows: np.ndarray, word: str) -> np.ndarray:
    """The rows (of ``strings``, distinct sentences each holding ``word``) with an affirmed
    occurrence: at once those in which nothing can negate it (:func:`_triggered`), the others by
    the reader's rules (:meth:`_Reader.affirmed`, one call per distinct sentence)."""
    if not word or not len(rows) or word in _reader().need_words:
        return rows
    sub = strings.take(pa.array(rows))
    trig = _triggered(sub, word)
    if not trig.any():
        return rows
    rd = _reader()
    texts = sub.filter(pa.array(trig)).to_pylist()
    keep = np.fromiter((rd.affirmed(s, word) > 0 for s in texts), dtype=bool, count=len(texts))
    ok = ~trig
    ok[np.flatnonzero(trig)[keep]] = True
    return rows[ok]


class TextPieces:
    """A text column cut after each break character (:func:`_clauses`): its distinct pieces
    (``uniq``, an Arrow array), the distinct piece of every piece (``cid``) and the text each
    piece comes from (``owner``, non-decreasing; every text has at least one piece)."""

    def __init__(self, arr: pa.Array, brk: str) -> None:
        parts, self.owner = _clauses(arr, brk)
        enc = pc.dictionary_encode(parts)
        self.uniq, self.cid = enc.dictionary, np.asarray(enc.indices, dtype=np.int64)


def text_pieces(text: pd.Series, brk: str) -> TextPieces | None:
    """The :class:`TextPieces` of a pool's text column (``proc_documents.text``) at the breaks
    ``brk``, kept for as long as the column's Arrow array lives (:func:`linkage.kept`), so that
    the models reading subsets of one column (灌云's case files, 磐安's, 乐清's) cut and hash its
    texts once; ``None`` for a column that is short (below :data:`CACHE_MIN_TEXTS`) or not
    Arrow-backed (then the caller cuts what it reads). An Arrow array never changes, so an entry
    is never stale."""
    arr = getattr(text.array, "_pa_array", None)
    if len(text) < CACHE_MIN_TEXTS or not isinstance(arr, pa.ChunkedArray):
        return None
    by_break = linkage.kept(_PIECES, arr, dict)
    if brk not in by_break:
        by_break[brk] = TextPieces(_arrow_text(text), brk)
    return by_break[brk]


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


def keyword_hits(text: pd.Series, words: list[str], *, negation: str = "plain", groups=None,
                 rows: np.ndarray | None = None) -> pd.DataFrame:
    """One boolean column per distinct word (first-appearance order): the text has an occurrence
    that counts under ``negation`` — exactly ``keyword_counts(text, w, negation=negation) > 0``.

    Without ``groups``: one row per text (``text.index``). With ``groups`` (labels aligned with
    ``text``; a missing label drops the text): one row per label, sorted, where the text of a
    label is its texts joined with a newline (as :func:`texts_by`), without building that join.

    Vectorised over distinct pieces instead of texts. The texts (with a label) are cut after
    each clause break (``"plain"``) or sentence break (``"aware"``) of ``data/negation.yaml``
    (:func:`_clauses`; when a word contains such a break character, :func:`_clause_breaks`, the
    whole texts are counted instead); when few texts hold a word, only those are cut
    (:func:`_texts_to_split`). The distinct pieces holding any word are found with one
    alternation, the words of each with hierarchical alternation (:func:`_rows_by_word`); under
    ``"aware"`` a sentence holding a word counts when one of its occurrences is affirmed
    (:func:`_affirmed`). A text or label has a word when one of its pieces has it: no occurrence
    spans a break, and no rule of the reader looks across a sentence break. A few words (at
    most :data:`FEW_WORDS`) under ``"plain"`` without ``groups`` are searched in the whole texts
    instead, one RE2 literal search per word (cheaper than cutting for so few words).

    ``rows`` (positions in ``text``): read only those texts — the same as
    ``keyword_hits(text.iloc[rows], …, groups=groups.iloc[rows])``, but a pool's long text column
    is then cut once for all the models that read parts of it (:func:`text_pieces`). Without
    ``groups`` the rows are those of ``rows``, in that order.

    >>> t = pd.Series(["双方未达成调解协议。被害人表示谅解", "不予谅解"])
    >>> keyword_hits(t, ["调解协议", "谅解"], negation="aware").to_dict("list")
    {'调解协议': [False, False], '谅解': [True, False]}
    >>> keyword_hits(t, ["谅解"], groups=pd.Series(["B", "B"])).to_dict("index")
    {'B': {'谅解': True}}
    """
    check_negation(negation)
    words = list(dict.fromkeys(words))
    brk = _clause_breaks(words, negation)
    few = negation == "plain" and groups is None and len(words) <= FEW_WORDS
    pieces = text_pieces(text, brk) if words and brk is not None and not few else None
    if rows is not None and pieces is None:   # nothing kept to read from: read the rows' texts
        rows = np.asarray(rows, dtype=np.int64)
        text = text.iloc[rows]
        if groups is not None:
            groups = groups.iloc[rows] if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object)[rows]
        rows = None
    if groups is None:
        if rows is None:
            codes = np.arange(len(text), dtype=np.int64)
            index = text.index
        else:
            rows = np.asarray(rows, dtype=np.int64)
            codes = np.full(len(text), -1, dtype=np.int64)
            codes[rows] = np.arange(len(rows), dtype=np.int64)
            index = text.index[rows]
    else:
        # a "str" Series is factorised as it is (Arrow hashing); anything else as Python objects
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            groups = groups.iloc[rows] if isinstance(groups, pd.Series) else np.asarray(groups, dtype=object)[rows]
        fast = isinstance(groups, pd.Series) and str(groups.dtype) == "str"
        codes, uniques = pd.factorize(groups if fast else pd.Series(np.asarray(groups, dtype=object)), sort=True)
        codes = np.asarray(codes, dtype=np.int64)
        if rows is not None:
            full = np.full(len(text), -1, dtype=np.int64)
            full[rows] = codes
            codes = full
        index = pd.Index(uniques)
    n = len(index)
    if not words or n == 0:
        return pd.DataFrame({w: np.zeros(n, dtype=bool) for w in words}, index=index)
    if few:
        # a few plain words, one row per text: a text has a word when it holds it (count > 0),
        # one RE2 literal search per word over the texts beats cutting and hashing clauses
        arr = _arrow_text(text)
        return pd.DataFrame({w: np.asarray(pc.match_substring_regex(arr, re.escape(w)), dtype=bool) for w in words},
                            index=index)
    if brk is None:  # a word or cue contains a break character: count on the whole texts
        if groups is None:
            whole = text
        else:
            keep = codes >= 0
            d = pd.DataFrame({"_g": codes[keep], "_t": text.astype("str").fillna("").to_numpy()[keep]})
            whole = texts_by(d, "_g", "_t").reindex(range(n)).fillna("")
        return pd.DataFrame({w: (keyword_counts(whole, w, negation=negation) > 0).to_numpy() for w in words},
                            index=index)
    if pieces is not None:
        # the column's kept cut: the pieces of the texts read (those with a code)
        uniq, cid, owner = pieces.uniq, pieces.cid, pieces.owner
        if (codes < 0).any():
            sel = codes[owner] >= 0
            cid, owner = cid[sel], owner[sel]
            # only the distinct pieces of the texts read are searched (and, under "aware", read)
            present = np.zeros(len(uniq), dtype=bool)
            present[cid] = True
            at = np.flatnonzero(present)
            uniq, cid = uniq.take(pa.array(at)), (np.cumsum(present) - 1)[cid]
    else:
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


def joined_true(m: np.ndarray, names: list[str], sep: str) -> pa.Array:
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
    of ``names`` (each name once); "" when none. Vectorised (:func:`joined_true`), not per row."""
    names = list(dict.fromkeys(names))
    m = np.column_stack([hits[nm].to_numpy(dtype=bool) for nm in names]) if names else np.zeros((len(hits), 0), bool)
    return str_series(joined_true(m, names, sep), hits.index)


def contains_any(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """True where the text contains at least one (affirmed, with ``"aware"``) keyword."""
    check_negation(negation)
    if not len(words):
        return pd.Series(False, index=text.index)
    return pd.Series(keyword_hits(text, words, negation=negation).to_numpy().any(axis=1), index=text.index)


def matched_words(text: pd.Series, words: list[str], *, negation: str = "plain") -> pd.Series:
    """The keywords found in each text, joined with "、" in library order ("" when none)."""
    check_negation(negation)
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


__all__ = ["CACHE_MIN_TEXTS", "NEGATIONS", "READINGS", "TextPieces", "check_negation", "text_pieces", "contains_any", "join_hits", "keyword_counts", "keyword_hits", "matched_words",
           "joined_true", "negation_rule_table", "negation_rules", "read_occurrences", "reading", "tag_categories", "texts_by"]
