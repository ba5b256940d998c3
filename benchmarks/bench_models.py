"""Model speed: all nine published models on the largest county (乐清, yueqing) at real size.

Usage: ``python benchmarks/bench_models.py [--scale 1] [--county yueqing] [--seed 7]``

For each model, prints its wall time next to a reference measured in the same run: the core
collision written directly as one plain pandas merge — victims in ``proc_parties`` ⋈ every
``registries`` snapshot row on the raw ``id_number`` (no normalisation, no validation, no
funnel). The ratio model/reference says how many "bare joins" one model costs, which stays
comparable across machines and load. CPU seconds of this process are printed beside the wall
time (on a shared machine the wall time also counts the other processes' turns). Target: all
nine together within a few seconds.

The models run one after the other on one pool, as a user runs them: the first to touch a
large column (灌云, the registry IDs) pays for its :func:`jiuzhu_methods.core.linkage.column_index`,
which every later model re-uses (it lives as long as the pool's Arrow arrays).

``guanyun.amount`` is handed the ``guanyun.screen`` result of the same round (``screen=``: its
recipients are the screen's clues, so the screen is not run twice, as in notebook 01); the
amount run alone, screen included, is printed after the table.

``--rounds N`` runs the nine N times on the same pool: the first round is as a user's first run
(cold: it builds the shared index), the later ones are warm; the table then gives each model's
fastest round and the reference is the fastest of 3 merges before and 3 after the models, so
that a burst of load on the shared machine moves the figures less.
"""
from __future__ import annotations

import argparse
import time


def reference(pool) -> float:
    t = time.perf_counter()
    parties = pool["proc_parties"]
    victims = parties[parties["role"] == "被害人"][["record_id", "id_number"]].dropna()
    reg = pool["registries"][["record_id", "id_number", "registry"]].dropna(subset=["id_number"])
    victims.merge(reg, on="id_number", how="inner")
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--county", default="yueqing")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=1, help="run the nine this many times (first = cold)")
    args = ap.parse_args(argv)

    from jiuzhu_methods import MODELS, run_model
    from jiuzhu_methods.synth import generate

    t = time.perf_counter()
    pool = generate(args.county, scale=args.scale, seed=args.seed)
    print(f"generated {args.county} scale {args.scale}: {time.perf_counter() - t:.1f} s; "
          f"{len(pool['registries']):,} registry rows, {len(pool['proc_parties']):,} case parties")
    refs = [reference(pool) for _ in range(3)]
    wall: dict[str, list[float]] = {name: [] for name in MODELS}
    cpu: dict[str, list[float]] = {name: [] for name in MODELS}
    clues = {}
    for r in range(max(1, args.rounds)):
        done = {}
        for name in MODELS:
            t, c = time.perf_counter(), time.process_time()
            done[name] = res = run_model(name, pool, **given(name, done))
            wall[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
            clues[name] = len(res.clues)
        print(f"round {r + 1} ({'cold' if r == 0 else 'warm'}): all nine {sum(w[r] for w in wall.values()):.2f} s wall, "
              f"{sum(c[r] for c in cpu.values()):.2f} s CPU")
    refs += [reference(pool) for _ in range(3)]
    ref = min(refs)
    print(f"reference (plain pandas merge victims ⋈ registries): {ref:.3f} s (fastest of {len(refs)})")
    best = "" if args.rounds <= 1 else " (fastest round)"
    print(f"{'model':18s} {'seconds':>8s} {'cpu s':>8s} {'ratio':>8s} {'clues':>7s}{best}")
    total = cpu_total = 0.0
    for name in MODELS:
        dt, dc = min(wall[name]), min(cpu[name])
        total += dt
        cpu_total += dc
        print(f"{name:18s} {dt:8.2f} {dc:8.2f} {dt / ref:8.1f} {clues[name]:7d}")
    print(f"{'all nine':18s} {total:8.2f} {cpu_total:8.2f} {total / ref:8.1f}")
    t, c = time.perf_counter(), time.process_time()
    run_model("guanyun.amount", pool)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    print(f"(guanyun.amount alone, running the screen itself: {dt:.2f} s, {dc:.2f} s CPU, ratio {dt / ref:.1f})")
    return 0


def given(name: str, done: dict) -> dict:
    """What a model is handed from the models run before it, as a notebook hands it:
    ``guanyun.amount`` the result of ``guanyun.screen`` (its recipients; same output)."""
    if name == "guanyun.amount" and "guanyun.screen" in done:
        return {"screen": done["guanyun.screen"]}
    return {}


if __name__ == "__main__":
    raise SystemExit(main())
