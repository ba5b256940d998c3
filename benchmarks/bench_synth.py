"""Generator speed: persons per second for the largest county (乐清, yueqing) at real size.

Usage: ``python benchmarks/bench_synth.py [--scale 1] [--county yueqing] [--write DIR]``

Prints persons/second of ``jiuzhu_methods.synth.generate`` and, as a machine-independent
yardstick measured in the same run, a plain-numpy baseline: drawing the same number of
18-digit identity numbers with check digits (``identity.make_ids``) plus sorting one float
array per person. The ratio generator/baseline says how many "baseline units" one synthetic
person costs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def baseline(n: int) -> float:
    from jiuzhu_methods.core import identity

    t = time.perf_counter()
    rng = np.random.default_rng(0)
    birth = np.datetime64("1930-01-01") + rng.integers(0, 30000, n).astype("timedelta64[D]")
    identity.make_ids(np.full(n, "330382"), birth, rng.integers(0, 1000, n))
    np.sort(rng.random(n))
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--county", default="yueqing")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", default=None, help="also write the pool (Parquet) to this folder and time it")
    a = ap.parse_args(argv)
    from jiuzhu_methods.synth import generate

    t = time.perf_counter()
    pool = generate(a.county, scale=a.scale, seed=a.seed)
    gen = time.perf_counter() - t
    n = len(pool.truth["truth_persons"])
    rows = sum(len(df) for df in pool.tables.values())
    base = baseline(n)
    print(f"county {a.county}, scale {a.scale}: {n:,} persons, {rows:,} source rows "
          f"({len(pool['registries']):,} registry rows)")
    print(f"generate: {gen:.1f} s = {n / gen:,.0f} persons/s")
    print(f"baseline (numpy IDs + sort, same n): {base:.2f} s = {n / base:,.0f} persons/s")
    print(f"ratio generator/baseline time: {gen / base:.1f}")
    if a.write:
        t = time.perf_counter()
        pool.write(a.write)
        print(f"write Parquet: {time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
