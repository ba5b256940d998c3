"""姓名模型 — vectorised Chinese names with realistic same-name rates.

Surnames: Faker zh_CN's 399 weighted surnames (its word list, sampled with numpy).
Given names: 1–2 characters from sex-specific character lists with Zipf weights
(``names.yaml``); the share of one-character names depends on the birth cohort.
"""
from __future__ import annotations

import numpy as np

from .profiles import package_yaml


def _chars(text: str) -> np.ndarray:
    seen: dict[str, None] = {}
    for ch in text:
        if not ch.isspace():
            seen.setdefault(ch, None)
    return np.array(list(seen), dtype="<U1")


def _zipf(n: int, a: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** a
    return w / w.sum()


def surnames() -> tuple[np.ndarray, np.ndarray]:
    from faker.providers.person.zh_CN import Provider

    names = np.array(list(Provider.last_names.keys()))
    w = np.array(list(Provider.last_names.values()), dtype=float)
    return names, w / w.sum()


def given_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    cfg = package_yaml("names.yaml")
    a = float(cfg["zipf_exponent"]["value"])
    shares = cfg["single_char_share"]["value"]
    n = len(male)
    out = np.empty(n, dtype="<U2")
    single_p = np.where(birth_year < 1960, shares["before_1960"],
                        np.where(birth_year < 1990, shares["1960_1989"], shares["1990_on"]))
    single = rng.random(n) < single_p
    for is_male, key in ((True, "male"), (False, "female")):
        pool = _chars(cfg[key])
        # list order is frequency rank (the lists start with the commonest characters)
        p = _zipf(len(pool), a)
        idx = np.flatnonzero(male == is_male)
        c1 = pool[rng.choice(len(pool), size=len(idx), p=p)]
        c2 = pool[rng.choice(len(pool), size=len(idx), p=p)]
        two = np.char.add(c1, c2)
        out[idx] = np.where(single[idx], c1, two)
    return out


def make_names(rng: np.random.Generator, male: np.ndarray, birth_year: np.ndarray,
               household: np.ndarray) -> np.ndarray:
    """Full names; members of one household mostly share its surname."""
    cfg = package_yaml("names.yaml")
    sn, sw = surnames()
    n_h = int(household.max()) + 1 if len(household) else 0
    hh_surname = sn[rng.choice(len(sn), size=n_h, p=sw)]
    own = sn[rng.choice(len(sn), size=len(male), p=sw)]
    keep = rng.random(len(male)) < float(cfg["household_surname_share"]["value"])
    surname = np.where(keep, hh_surname[household], own)
    return np.char.add(surname.astype("<U2"), given_names(rng, male, birth_year))
