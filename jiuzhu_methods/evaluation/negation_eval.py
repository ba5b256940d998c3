"""否定读法评估 — how often the keyword readers read a labelled Chinese sentence right.

``data/negation_sentences.yaml`` holds sentences from the generator's templates and hand-written
ones in the style of 起诉书, 询问笔录, 和解协议书, 判决书 and 谅解书, each with a keyword and a label:
``affirmed`` (the sentence states what the keyword names), ``negated`` (the keyword lies in the
scope of a negation) or ``none`` (a question, condition, claim, wish …). A reader is right on a
row when it counts the keyword (:func:`jiuzhu_methods.core.keywords.contains_any`) exactly when the
label is ``affirmed`` — the only thing a model does with the answer.

``negation="plain"`` (the published reading) counts every occurrence, so it is right on the
affirmed rows and wrong on all others; ``"aware"`` should be right more often overall and
never wrong on an affirmed row (:func:`reader_accuracy`, tested in ``tests/test_keywords.py``,
the table in ``docs/negation.md``).

>>> acc = reader_accuracy()                                     # doctest: +SKIP
>>> acc.loc[acc["kind"] == "overall", ["n", "plain_accuracy", "aware_accuracy"]]   # doctest: +SKIP
"""
from __future__ import annotations

from importlib import resources

import pandas as pd

from ..core import yaml_io
from ..core.keywords import NEGATIONS, contains_any, reading

LABELS = ("affirmed", "negated", "none")
COLUMNS = ["sentence", "keyword", "label", "kind", "origin", "note"]
ORIGINS = ("generator template", "hand-written")


def load_sentences(path=None) -> pd.DataFrame:
    """The labelled sentences (``data/negation_sentences.yaml``, or the YAML file ``path``): one
    row per sentence and keyword, columns ``sentence, keyword, label, kind, origin, note``.

    A row without a sentence or keyword, with a keyword that does not occur in its sentence, with
    an unknown label or origin, or with a kind the file does not describe is a ``ValueError``
    naming the row."""
    if path is None:
        text = resources.files("jiuzhu_methods").joinpath("data/negation_sentences.yaml").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    raw = yaml_io.safe_load(text) or {}
    rows = raw.get("sentences")
    if not isinstance(rows, list) or not rows:
        raise ValueError("the sentence file has no 'sentences' list")
    kinds = set(raw.get("kinds") or {})
    for i, r in enumerate(rows, 1):
        if not isinstance(r, dict):
            raise ValueError(f"sentence row {i} is not a mapping: {r!r}")
        missing = [c for c in COLUMNS[:5] if not str(r.get(c) or "").strip()]
        if missing:
            raise ValueError(f"sentence row {i} ({r.get('sentence')!r}) lacks {', '.join(missing)}")
        if str(r["keyword"]) not in str(r["sentence"]):
            raise ValueError(f"sentence row {i}: keyword {r['keyword']!r} does not occur in {r['sentence']!r}")
        if r["label"] not in LABELS:
            raise ValueError(f"sentence row {i}: label {r['label']!r} is not one of {LABELS}")
        if r["origin"] not in ORIGINS:
            raise ValueError(f"sentence row {i}: origin {r['origin']!r} is not one of {ORIGINS}")
        if kinds and r["kind"] not in kinds:
            raise ValueError(f"sentence row {i}: kind {r['kind']!r} is not described under 'kinds'")
    df = pd.DataFrame([{c: str(r.get(c) or "") for c in COLUMNS} for r in rows])
    return df.astype("str")


def reader_predictions(sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sentences with what each reader says: ``plain``, ``aware`` (the keyword counts, through
    :func:`~jiuzhu_methods.core.keywords.contains_any`, one call per distinct keyword), ``aware_reading``
    (:func:`~jiuzhu_methods.core.keywords.reading`: affirmed / negated / none), and ``plain_ok``,
    ``aware_ok`` (the reader counts the keyword exactly when the label is affirmed)."""
    s = load_sentences() if sentences is None else sentences.reset_index(drop=True)
    out = s.copy()
    for neg in NEGATIONS:
        hit = pd.Series(False, index=s.index)
        for kw, idx in s.groupby("keyword", sort=False).groups.items():
            hit.loc[idx] = contains_any(s.loc[idx, "sentence"], [kw], negation=neg).to_numpy()
        out[neg] = hit.astype(bool)
        out[f"{neg}_ok"] = out[neg] == (s["label"] == "affirmed")
    out["aware_reading"] = [reading(t, k) for t, k in zip(s["sentence"], s["keyword"])]
    return out


def reader_accuracy(sentences: pd.DataFrame | None = None, by: str = "kind") -> pd.DataFrame:
    """Accuracy of ``"plain"`` and ``"aware"`` on the labelled sentences, per ``by`` (``"kind"``,
    ``"label"``, ``"origin"`` or ``"keyword"``) and overall (last row, ``by`` = ``"overall"``):
    ``n``, ``plain_correct``, ``aware_correct``, ``plain_accuracy``, ``aware_accuracy``,
    ``aware_wrong_where_plain_right`` (rows plain gets right and aware wrong: on affirmed rows this
    must be 0 — aware never loses an affirmation the published reading finds)."""
    if by not in ("kind", "label", "origin", "keyword"):
        raise ValueError(f"by must be kind, label, origin or keyword, not {by!r}")
    p = reader_predictions(sentences)
    p["_lost"] = p["plain_ok"] & ~p["aware_ok"]

    def agg(g: pd.DataFrame) -> dict:
        return {"n": len(g), "plain_correct": int(g["plain_ok"].sum()), "aware_correct": int(g["aware_ok"].sum()),
                "plain_accuracy": round(float(g["plain_ok"].mean()), 3),
                "aware_accuracy": round(float(g["aware_ok"].mean()), 3),
                "aware_wrong_where_plain_right": int(g["_lost"].sum())}

    order = list(dict.fromkeys(p[by]))
    rows = [{by: k, **agg(p[p[by] == k])} for k in order]
    rows.append({by: "overall", **agg(p)})
    return pd.DataFrame(rows)


def reader_errors(sentences: pd.DataFrame | None = None, negation: str = "aware") -> pd.DataFrame:
    """The rows a reader gets wrong (``sentence, keyword, label, kind, <negation>, aware_reading, note``)."""
    if negation not in NEGATIONS:
        raise ValueError(f"negation must be one of {NEGATIONS}, not {negation!r}")
    p = reader_predictions(sentences)
    return p.loc[~p[f"{negation}_ok"], ["sentence", "keyword", "label", "kind", negation, "aware_reading", "note"]] \
        .reset_index(drop=True)


def accuracy_markdown(table: pd.DataFrame) -> str:
    """A :func:`reader_accuracy` table as a Markdown table (accuracies in per cent)."""
    key = table.columns[0]
    lines = [f"| {key} | n | plain | aware | aware wrong where plain right |", "|---|---:|---:|---:|---:|"]
    for _, r in table.iterrows():
        name = f"**{r[key]}**" if r[key] == "overall" else str(r[key])
        lines.append(f"| {name} | {r['n']} | {r['plain_accuracy']:.1%} ({r['plain_correct']}) | "
                     f"{r['aware_accuracy']:.1%} ({r['aware_correct']}) | {r['aware_wrong_where_plain_right']} |")
    return "\n".join(lines)


__all__ = ["COLUMNS", "LABELS", "ORIGINS", "accuracy_markdown", "load_sentences", "reader_accuracy", "reader_errors",
           "reader_predictions"]
