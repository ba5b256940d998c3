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
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("path")
    ap.add_argument("--county", default="yueqing")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--variants", action="store_true", help="every linkage and negation reading")
    args = ap.parse_args(argv)

    from jiuzhu_methods.synth import generate

    pool = generate(args.county, scale=args.scale, seed=args.seed)
    t = time.perf_counter()
    got = outputs(pool, args.variants)
    print(f"{len(got)} runs in {time.perf_counter() - t:.1f} s")
    if args.mode == "save":
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
