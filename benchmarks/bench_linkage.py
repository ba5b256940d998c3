"""Speed of the shared record-linkage primitives on a real-size pool.

Usage: ``python benchmarks/bench_linkage.py POOL_DIR`` (a pool written by ``DataPool.write``,
e.g. ``jiuzhu synth --county yueqing --scale 1 --out POOL_DIR``).

Times :func:`jiuzhu_methods.core.linkage.keys` on ``registries`` and ``proc_parties``, the
vectorised identity functions on ``registries.id_number``, and ``link`` / ``semi_join``
(``collect="registry"``) / ``anti_join`` / ``dedupe_persons`` of the victims in
``proc_parties`` against every ``registries`` snapshot row. Each timing is the best of
``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import time


def best(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pool")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from jiuzhu_methods import DataPool
    from jiuzhu_methods.core import identity
    from jiuzhu_methods.core import linkage as L

    pool = DataPool.read(args.pool)
    reg, parties = pool["registries"], pool["proc_parties"]
    victims = parties[parties["role"] == "被害人"]
    print(f"registries {len(reg):,} rows, proc_parties {len(parties):,}, victims {len(victims):,}")
    cases = {
        "keys(registries)": lambda: L.keys(reg),
        "keys(proc_parties)": lambda: L.keys(parties),
        "normalise_name(registries.name)": lambda: L.normalise_name(reg["name"]),
        "normalise_series(registries.id)": lambda: identity.normalise_series(reg["id_number"]),
        "check_series(registries.id)": lambda: identity.check_series(reg["id_number"]),
        "usable_ids(registries.id)": lambda: identity.usable_ids(reg["id_number"]),
        "mask_series(registries.id)": lambda: identity.mask_series(reg["id_number"]),
        "link(victims, registries)": lambda: L.link(victims, reg),
        "link fallback(victims, registries)": lambda: L.link(victims, reg, linkage="fallback"),
        "semi_join collect(victims, registries)": lambda: L.semi_join(victims, reg, collect="registry"),
        "anti_join(victims, registries)": lambda: L.anti_join(victims, reg),
        "dedupe_persons(registries)": lambda: L.dedupe_persons(reg),
    }
    for name, f in cases.items():
        print(f"{name:40s} {best(f, args.repeat):8.3f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
