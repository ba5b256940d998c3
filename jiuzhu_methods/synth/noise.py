"""身份噪声 — identity noise applied to source records, configured in ``synthetic/noise.yaml``.

:func:`noisy_ids` and :func:`noisy_names` take the true values of one source table and return
what that source system would export, plus the kind of noise applied to each record (kept in
``truth_links.id_noise`` / ``truth_links.name_noise`` for evaluation).
"""
from __future__ import annotations

import numpy as np

from .profiles import load_noise

ID_KINDS = ("missing", "fifteen", "fullwidth", "typo", "spaces")
_FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def noisy_ids(rng: np.random.Generator, ids: np.ndarray, table: str,
              noise: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """IDs as exported by ``table`` (object array, ``None`` = missing) and the noise kind per row.

    ``noise`` is the whole noise configuration (default: ``synthetic/noise.yaml``)."""
    cfg = (noise or load_noise())["id_noise"][table]
    n = len(ids)
    out = np.asarray(ids, dtype=object).copy()
    kind = np.full(n, "", dtype=object)
    u = rng.random(n)
    edges = np.cumsum([cfg.get(k, 0.0) for k in ID_KINDS])
    pick = np.searchsorted(edges, u, side="right")  # index into ID_KINDS, len = none
    aux = rng.integers(0, 1 << 30, size=n)
    for ki, k in enumerate(ID_KINDS):
        idx = np.flatnonzero(pick == ki)
        if not len(idx):
            continue
        if k == "missing":
            out[idx] = None
            kind[idx] = k
            continue
        for i in idx:
            s = out[i]
            if s is None:
                continue
            a = int(aux[i])
            if k == "fifteen":
                if s[6:8] != "19":
                    continue  # only 20th-century births had first-generation cards
                out[i] = s[:6] + s[8:17]
            elif k == "fullwidth":
                out[i] = s.translate(_FW)
            elif k == "typo":
                pos = a % 17
                d = (int(s[pos]) + 1 + (a >> 5) % 9) % 10
                out[i] = s[:pos] + str(d) + s[pos + 1:]
            elif k == "spaces":
                v = a % 3
                out[i] = (" " + s + " ") if v == 0 else (s[:6] + " " + s[6:14] + " " + s[14:] if v == 1 else s + "  ")
            kind[i] = k
    # lower-case x: applies to IDs ending in X that received no other noise
    lx = cfg.get("lower_x", 0.0)
    if lx:
        endx = np.array([isinstance(s, str) and s.endswith("X") for s in out]) & (kind == "")
        sel = np.flatnonzero(endx & (rng.random(n) < lx))
        for i in sel:
            out[i] = out[i][:-1] + "x"
        kind[sel] = "lower_x"
    return out, kind


def noisy_names(rng: np.random.Generator, names: np.ndarray, table: str,
                noise: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Names as exported by ``table`` (one variant character for a share of records)."""
    cfg = (noise or load_noise())["name_noise"]
    rate = float(cfg["rates"][table])
    kinds = list(cfg["kinds"])
    p = np.array([cfg["kinds"][k] for k in kinds], dtype=float)
    n = len(names)
    out = np.asarray(names, dtype=object).copy()
    kind = np.full(n, "", dtype=object)
    sel = np.flatnonzero(rng.random(n) < rate)
    choice = rng.choice(len(kinds), size=len(sel), p=p / p.sum())
    maps = {k: cfg[k] for k in kinds}
    for i, c in zip(sel, choice):
        m = maps[kinds[c]]
        s = out[i]
        for j, ch in enumerate(s):
            if ch in m:
                out[i] = s[:j] + m[ch] + s[j + 1:]
                kind[i] = kinds[c]
                break
    return out, kind


def merge_noise(base: dict, over: dict | None) -> dict:
    """``base`` (a noise configuration) with ``over`` merged in, two levels deep: e.g.
    ``{"id_noise": {"registries": {"missing": 0.2}}}`` changes one rate and keeps the others."""
    import copy

    out = copy.deepcopy(base)
    for k, v in (over or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            for k2, v2 in v.items():
                if isinstance(v2, dict) and isinstance(out[k].get(k2), dict):
                    out[k][k2] = {**out[k][k2], **v2}
                else:
                    out[k][k2] = v2
        else:
            out[k] = v
    return out


def scaled_id_noise(rate: float, base: dict | None = None) -> dict:
    """A noise override that sets, for every source table, the share of records whose ID
    is damaged (missing, 15-digit, full-width, typo, padded) to ``rate``, keeping each
    table's mix of kinds (tables with no damage get the mix of ``proc_parties``);
    ``lower_x`` (harmless spelling) is left as it is. ``rate=0`` gives clean IDs.

    >>> o = scaled_id_noise(0.1)
    >>> round(sum(o["id_noise"]["petitions"][k] for k in ID_KINDS), 6)
    0.1
    """
    if not 0 <= rate <= 1:
        raise ValueError("rate must be between 0 and 1")
    base = base or load_noise()
    ref = base["id_noise"]["proc_parties"]
    out = {}
    for table, cfg in base["id_noise"].items():
        mix = cfg if sum(cfg.get(k, 0.0) for k in ID_KINDS) > 0 else ref
        tot = sum(mix.get(k, 0.0) for k in ID_KINDS)
        out[table] = {k: rate * mix.get(k, 0.0) / tot for k in ID_KINDS}
    return {"id_noise": out}
