"""Same outputs before and after a change: save the nine models' results, then compare.

Usage::

    python benchmarks/compare_outputs.py save  OUT.pkl [--county yueqing] [--scale 1] [--seed 7] [--variants]
    python benchmarks/compare_outputs.py check OUT.pkl [same options]

``save`` runs every model of :data:`jiuzhu_methods.MODELS` on a generated county and pickles
each result's clues, funnel and lists; ``check`` runs them again and compares, frame by frame
(values, dtypes, index), printing ``ALL SAME`` or what differs, and exits 1 on a difference.
``--variants`` adds every linkage (id, id+name, fallback) and, where a model takes it, both
negation readings. A speed change must leave everything the same: save on the old commit,
check on the new one (the pickle is a local file, never committed).

A rule change is meant to change clues; then say which and why::

    python benchmarks/compare_outputs.py trace OLD.pkl --pool DIR     # on the old commit
    python benchmarks/compare_outputs.py trace NEW.pkl --pool DIR     # on the new commit
    python benchmarks/compare_outputs.py explain OLD.pkl NEW.pkl

``--pool DIR`` reads a saved pool (``jiuzhu synth … --out DIR``) instead of generating one, so that
both commits read the same data even when the generator changed between them. ``trace`` records,
for every run, which candidate rows survived each published step (rows keyed by their
``source``/``source_ref``, else ``record_id``, else name + ID), and ``explain`` lists, per run,
the clues gained and lost and, for each, the step that dropped it in the other run — the step
whose reading changed (IDs and names masked). To run the old commit's package with this
script, put its checkout first on ``PYTHONPATH``.
"""
from __future__ import annotations

import argparse
import inspect
import pickle
import sys
import time

import pandas as pd


def runs(variants: bool):
    """(model, parameters) pairs: the defaults, or every linkage × negation."""
    from jiuzhu_methods import MODELS
    from jiuzhu_methods.registry import get_model

    for name in MODELS:
        if not variants:
            yield name, {}
            continue
        takes = inspect.signature(get_model(name)).parameters
        for lk in ("id", "id+name", "fallback"):
            for neg in (("plain", "aware") if "negation" in takes else (None,)):
                yield name, {"linkage": lk, **({"negation": neg} if neg else {})}


def outputs(pool, variants: bool) -> dict:
    from jiuzhu_methods import run_model

    out = {}
    for name, params in runs(variants):
        r = run_model(name, pool, **params)
        out[(name, tuple(sorted(params.items())))] = (r.clues, r.funnel, dict(r.lists or {}))
    return out


def _row_keys(frame: pd.DataFrame) -> pd.Series:
    """A key per candidate row that stays the same across commits: the record the row came
    from (``source`` + ``source_ref``), else its ``record_id``, else name + ID number."""
    if frame is None or len(frame) == 0:
        return pd.Series([], dtype="object")
    cols = frame.columns
    if "source" in cols and "source_ref" in cols:
        return frame["source"].astype("str").fillna("") + ":" + frame["source_ref"].astype("str").fillna("")
    if "record_id" in cols:
        return "record:" + frame["record_id"].astype("str").fillna("")
    name = frame["name"].astype("str").fillna("") if "name" in cols else ""
    ids = frame["id_number"].astype("str").fillna("") if "id_number" in cols else ""
    return "person:" + name + "/" + ids


def traced_outputs(pool, variants: bool) -> dict:
    """For every run: its clues (keys, rule path, name, ID) and, step by step, the set of row
    keys that survived (recorded by wrapping :meth:`Pipeline.run` for the length of the run)."""
    from jiuzhu_methods import run_model
    from jiuzhu_methods.core import steps

    out, trace = {}, []
    original = steps.Pipeline.run

    def run(self, frame, ctx):
        res = original(self, frame, ctx)
        kept = [(s.name, _row_keys(ctx.results.get(s.name))) for s in self.steps]
        trace.append((self.model, kept))
        return res

    steps.Pipeline.run = run
    try:
        for name, params in runs(variants):
            trace.clear()
            r = run_model(name, pool, **params)
            own = ([t for t in trace if t[0] == name] or trace[-1:] or [(name, [])])[-1][1]
            c = r.clues
            # the clues are the last step's rows in order (finalize_clues): their keys are taken
            # from it when the lengths agree, so that clue and step keys are spelled alike
            keys = own[-1][1] if own and len(own[-1][1]) == len(c) else _row_keys(c)
            clues = pd.DataFrame({"key": keys.to_numpy(), "rule_path": c["rule_path"].astype("str").to_numpy(),
                                  "name": c["name"].astype("str").to_numpy(),
                                  "id_number": c["id_number"].astype("str").to_numpy()})
            out[(name, tuple(sorted(params.items())))] = {
                "clues": clues, "steps": [(s, set(k)) for s, k in own],
                "funnel": r.funnel[["step", "n_in", "n_out"]].copy()}
    finally:
        steps.Pipeline.run = original
    return out


def _dropped_at(steps_: list, key: str) -> str:
    """The first step whose survivors lack ``key``, a row that survived an earlier step;
    ``"<first step> (never a candidate)"`` when no step kept it, ``"kept"`` when all did."""
    seen = False
    for name, keys in steps_:
        if key in keys:
            seen = True
        elif seen:
            return name
    if seen:
        return "kept"
    return f"{steps_[0][0]} (never a candidate)" if steps_ else "never a candidate"


def explain(old: dict, new: dict, *, examples: int = 3) -> list[str]:
    """Lines saying, per run, which clues were gained and lost between ``old`` and ``new`` and
    at which step the other run dropped them (masked IDs and names)."""
    from jiuzhu_methods.core import identity

    lines = []
    for run_key in sorted(set(old) | set(new), key=str):
        a, b = old.get(run_key), new.get(run_key)
        if a is None or b is None:
            lines.append(f"{run_key}: only in {'new' if a is None else 'old'}")
            continue
        ka, kb = set(a["clues"]["key"]), set(b["clues"]["key"])
        gained, lost = sorted(kb - ka), sorted(ka - kb)
        fa = a["funnel"].set_index("step")["n_out"].to_dict()
        fb = b["funnel"].set_index("step")["n_out"].to_dict()
        funnel = "; ".join(f"{s} {fa.get(s, '—')}→{fb.get(s, '—')}" for s in dict.fromkeys([*fa, *fb])
                           if fa.get(s) != fb.get(s))
        lines.append(f"{run_key[0]} {dict(run_key[1]) or ''}: clues {len(ka)} → {len(kb)} "
                     f"(+{len(gained)} −{len(lost)})" + (f"; funnel {funnel}" if funnel else "; funnel same"))
        for label, keys, other, this in (("gained", gained, a, b), ("lost", lost, b, a)):
            if not keys:
                continue
            why = pd.Series([_dropped_at(other["steps"], k) for k in keys]).value_counts()
            lines.append(f"    {label} {len(keys)}: " + ", ".join(
                f"{n} {'dropped at' if label == 'gained' else 'now dropped at'} {s} "
                f"{'before' if label == 'gained' else ''}".rstrip() for s, n in why.items()))
            rows = this["clues"].set_index("key").loc[keys[:examples]]
            for k, r in rows.iterrows():
                nm = identity.mask_name_series(pd.Series([r["name"]])).iloc[0]
                idn = identity.mask_series(pd.Series([r["id_number"]])).iloc[0]
                lines.append(f"      e.g. {nm} {idn} ({k.split(':')[0]}): {r['rule_path']}")
    return lines


def differences(a, b, where=()) -> list[str]:
    """Where ``a`` and ``b`` (nested tuples/dicts of frames, series and plain values) differ."""
    if isinstance(a, pd.DataFrame) or isinstance(a, pd.Series):
        check = pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame) else pd.testing.assert_series_equal
        try:
            check(a, b)
            return []
        except (AssertionError, TypeError) as e:
            return [f"{where}: {str(e).splitlines()[0] if str(e) else type(e).__name__}"]
    if isinstance(a, dict):
        if not isinstance(b, dict) or a.keys() != b.keys():
            return [f"{where}: keys {sorted(map(str, a))} vs {sorted(map(str, b)) if isinstance(b, dict) else b!r}"]
        return [d for k in a for d in differences(a[k], b[k], where + (k,))]
    if isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            return [f"{where}: lengths differ"]
        return [d for k, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, where + (k,))]
    try:
        same = bool(a == b)
    except (ValueError, TypeError):
        same = False
    return [] if same else [f"{where}: {a!r} vs {b!r}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["save", "check", "trace", "explain"])
    ap.add_argument("path")
    ap.add_argument("new", nargs="?", help="explain: the second trace file")
    ap.add_argument("--pool", help="read this saved pool instead of generating one")
    ap.add_argument("--county", default="yueqing")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--variants", action="store_true", help="every linkage and negation reading")
    args = ap.parse_args(argv)

    if args.mode == "explain":
        with open(args.path, "rb") as f, open(args.new, "rb") as g:
            old, new = pickle.load(f), pickle.load(g)
        print("\n".join(explain(old, new)))
        return 0

    from jiuzhu_methods import DataPool
    from jiuzhu_methods.synth import generate

    pool = DataPool.read(args.pool) if args.pool else generate(args.county, scale=args.scale, seed=args.seed)
    t = time.perf_counter()
    got = traced_outputs(pool, args.variants) if args.mode == "trace" else outputs(pool, args.variants)
    print(f"{len(got)} runs in {time.perf_counter() - t:.1f} s")
    if args.mode in ("save", "trace"):
        with open(args.path, "wb") as f:
            pickle.dump(got, f)
        print(f"saved {args.path}")
        return 0
    with open(args.path, "rb") as f:
        saved = pickle.load(f)
    diffs = differences(saved, got)
    for d in diffs[:20]:
        print(d)
    print("ALL SAME" if not diffs else f"DIFFERENCES: {len(diffs)}")
    return 0 if not diffs else 1


if __name__ == "__main__":
    sys.exit(main())
