"""人口 — the simulated population of a county (struct of numpy arrays)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import identity
from .names import make_names

DAY = np.timedelta64(1, "D")


@dataclass
class Population:
    n: int
    person_id: np.ndarray
    male: np.ndarray
    birth: np.ndarray          # datetime64[D]
    age: np.ndarray            # years at the start date (float)
    household: np.ndarray      # int
    hh_size: np.ndarray        # size of the person's household
    local: np.ndarray
    id_number: np.ndarray
    name: np.ndarray
    address: np.ndarray
    phone: np.ndarray
    urban: np.ndarray          # household in an urban neighbourhood
    poor: np.ndarray           # baseline hardship of the household, 0–3
    disability: np.ndarray     # 0 none, 1–4 grade (一级…四级)

    def age_at(self, when: np.ndarray, who: np.ndarray) -> np.ndarray:
        return (np.asarray(when, dtype="datetime64[D]") - self.birth[who]) / DAY / 365.25


def _digits(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.char.zfill(rng.integers(0, 10 ** k, size=n).astype(str), k)


def nonlocal_codes(county_code: str) -> np.ndarray:
    codes = sorted(c for c in identity.known_area_codes() if not c.endswith("00") and c != county_code
                   and c[:2] not in ("71", "81", "82"))
    return np.array(codes)


def build_population(rng: np.random.Generator, prof: dict, n: int) -> Population:
    start = np.datetime64(prof["start_date"], "D")
    code = str(prof["county_code"])
    # households
    sizes = np.array([int(k) for k in prof["household_sizes"]])
    sp = np.array(list(prof["household_sizes"].values()), dtype=float)
    hs = rng.choice(sizes, size=n // 2 + 8, p=sp / sp.sum())
    household = np.repeat(np.arange(len(hs)), hs)[:n]
    n_h = int(household[-1]) + 1 if n else 0
    hh_size = np.bincount(household, minlength=n_h)[household] if n else np.zeros(0, int)
    # ages and sexes
    bands = [tuple(int(x) for x in k.split("-")) for k in prof["age_shares"]]
    bp = np.array(list(prof["age_shares"].values()), dtype=float)
    b = rng.choice(len(bands), size=n, p=bp / bp.sum())
    lo = np.array([x[0] for x in bands])[b]
    hi = np.array([x[1] for x in bands])[b]
    age = lo + rng.random(n) * (hi + 1 - lo)
    birth = start - (age * 365.25).astype("int64") * DAY
    male = rng.random(n) < 0.51
    # household-level attributes
    urban_h = rng.random(n_h) < float(prof["urban_share"])
    reg = prof["registries"]
    p_poor = float(reg["poor_share"]) * np.where(urban_h, 0.75, 1.2)
    poor_h = np.where(rng.random(n_h) < p_poor, rng.choice([1, 2, 3], size=n_h, p=[0.5, 0.35, 0.15]), 0)
    local_h = rng.random(n_h) >= float(prof["nonlocal_share"])
    codes = nonlocal_codes(code)
    area_h = np.where(local_h, code, codes[rng.integers(0, len(codes), size=n_h)])
    urban, poor, local = urban_h[household], poor_h[household], local_h[household]
    area = area_h[household]
    # disability, more frequent with age and in poor households
    p_dis = float(reg["disability_share"]) * np.clip(age / 45.0, 0.3, 2.2) * np.where(poor > 0, 1.6, 0.95)
    disability = np.where(rng.random(n) < p_dis, rng.choice([1, 2, 3, 4], size=n, p=[0.1, 0.2, 0.3, 0.4]), 0)
    # identity numbers: order code odd for men
    # order codes: odd for men, unique within (area, birth date, sex)
    key = (area.astype(np.int64) * 100_000 + (birth - np.datetime64("1900-01-01")).astype(np.int64)) * 2 + male
    o = np.lexsort((rng.random(n), key))
    ks = key[o]
    first = np.r_[True, ks[1:] != ks[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[o] = np.arange(n) - grp_start
    off = rng.integers(0, 500, size=n)
    off_g = np.empty(n, dtype=np.int64)
    off_g[o] = off[o][grp_start]
    order = ((off_g + rank) % 500) * 2 + male.astype(int)
    id_number = identity.make_ids(area, birth, order)
    name = make_names(rng, male, birth.astype("datetime64[Y]").astype(int) + 1970, household)
    # addresses (per household) and phones
    towns = np.array(prof["towns"])
    from .profiles import package_yaml

    chars = np.array(list(dict.fromkeys(package_yaml("names.yaml")["male"].replace("\n", "").replace(" ", ""))))[:120]
    town_h = towns[rng.integers(0, len(towns), size=n_h)]
    vill = np.char.add(chars[rng.integers(0, len(chars), size=n_h)], chars[rng.integers(0, len(chars), size=n_h)])
    vill = np.char.add(vill, np.where(urban_h, "社区", "村"))
    num = rng.integers(1, 300, size=n_h).astype(str)
    addr_h = np.char.add(np.char.add(np.char.add(town_h, vill), num), "号")
    address = addr_h[household]
    second = np.array(["3", "5", "7", "8", "9"])[rng.integers(0, 5, size=n)]
    phone = np.char.add(np.char.add("1", second), _digits(rng, n, 9))
    person_id = np.char.add("P", np.char.zfill(np.arange(n).astype(str), 7))
    return Population(n, person_id, male, birth, age, household, hh_size, local, id_number, name, address,
                      phone, urban, poor, disability)
