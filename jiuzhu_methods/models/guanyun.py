"""案例一 灌云 — 筛选救助对象 (模型一, :func:`screen`) and 测算救助金额 (模型二, :func:`amount`).

江苏省灌云县人民检察院: "一池一制一标准多循环". The reproduction note (source passage, step →
code table, parameter sources, deviations) is ``docs/models/guanyun.md``; parameters are
``data/models/guanyun.yaml`` and the amount standard ``data/amount/<county>.yaml``.

``screen(pool)`` — 模型一, in the published order:

1. ``case_types`` 五大案件类型: parties (被害人/近亲属, civil 申请人) of the case types, and
   涉法涉诉 petitioners;
2. ``lookup`` 平台检索: each one looked up in the pool's 7 data elements as the lists stand
   when the case is screened (each list's latest snapshot at or before the case date, and its
   later snapshots inside the window; nobody is dropped here: ``in_pool`` says whether they
   were found);
3. ``rule1`` 研判规则一 无法通过诉讼获得有效赔偿, per victim: no 执行完毕 enforcement of the
   award of their own case (:func:`paid_enforcements`), no document speaking for them that
   states compensation or settlement without recording its non-performance
   (:func:`settlement_statements`);
4. ``rule2`` 研判规则二 因案致困: a matched registry or a case fact (death, disability, serious
   injury, lost working capacity);
5. ``rule3`` 研判规则三 其他司法机关未开展司法救助: not in ``judicial_aid`` with 决定救助;
6. ``lock`` 锁定救助对象: one clue per person, recommended agencies.

``result.lists["suggestion_letters"]``: persons not found in the pool who pass rules 1 and 3
(社会救助建议函); ``result.lists["lookup_matches"]``: the registry rows behind every match.

``amount(pool)`` — 模型二 on the screen's clues (the recipients; ``recipients="judicial_aid"``
for past 检察院 决定救助 instead), with a per-clue trace and ``result.lists["follow_up"]``
(接续救助: recipients on a registry in later snapshots).

Published readings are the defaults; variants: ``linkage`` ("id", "id+name", "fallback"),
``negation`` ("plain", "aware"), ``snapshot`` ("window", "latest", "any"), ``settlement``
("content", "doc_type", "keywords"), ``facts`` ("published", "extended"), ``death`` ("all", "relatives").

>>> from jiuzhu_methods import DataPool
>>> r = screen(DataPool.from_frames({}))
>>> list(r.funnel["step"]), len(r.clues)
(['case_types', 'lookup', 'rule1', 'rule2', 'rule3', 'lock'], 0)
"""
from __future__ import annotations

import copy
import weakref

import numpy as np
import pandas as pd

from ..core import amount as amount_mod
from ..core.params import load_params, needs_table, parameter
from ..core import keywords, linkage
from ..core.steps import Context, ModelResult, Pipeline, Step, finalize_clues
from ..core.values import join_flags, join_sorted as _join_sorted  # the name this file's steps call

MODEL_SCREEN = "guanyun.screen"
MODEL_AMOUNT = "guanyun.amount"
#: evaluation target of both models (truth_victims.judicial_aid_eligible)
TARGET = "judicial"
SNAPSHOTS = ("window", "latest", "any")
PERIODS = ("screen", "after", "all")
SETTLEMENTS = ("content", "doc_type", "keywords")
FACTS = ("published", "extended")
RECIPIENTS = ("screen", "judicial_aid")
DEATHS = ("all", "relatives")
POINTS = {"low": 0.0, "mid": 0.5, "high": 1.0}


def params() -> dict:
    """The model parameters (``data/models/guanyun.yaml``, values with description and source) as
    a dict: a copy of the file :func:`jiuzhu_methods.core.params.load_params` reads."""
    return copy.deepcopy(load_params("guanyun"))


def registry_names() -> list[str]:
    """The registries behind the 7 data elements."""
    out: list[str] = []
    for regs in parameter("guanyun", "data_elements").values():
        out += [r for r in regs if r not in out]
    return out


def _element_of() -> dict[str, str]:
    return {r: el for el, regs in parameter("guanyun", "data_elements").items() for r in regs}


def _month_start(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.start_time.astype("datetime64[us]")


# ------------------------------------------------------------------ step 1: five case types
def _candidates(pool) -> pd.DataFrame:
    """Parties of the five case types (one row per party record), vectorised. ``_party_row`` is
    the row's position in ``proc_parties`` (-1 for a petition): see :func:`_linked`."""
    types = parameter("guanyun", "case_types")
    cases = pool["proc_cases"]
    pp = pool["proc_parties"]
    # only the columns read below (the merge copies every column it is given)
    parties = pp[["name", "id_number", "record_id", "case_id", "role", "fault"]].assign(
        _party_row=np.arange(len(pp), dtype=np.int64)).merge(
        cases[["case_id", "business", "charge", "accepted_on"]], on="case_id", how="inner")
    parts = []
    for order, (key, t) in enumerate(types.items()):
        if t["table"] == "proc_parties":
            m = (parties["business"].isin(t["business"]) & parties["charge"].isin(t["charges"])
                 & parties["role"].isin(t["roles"]))
            p = parties.loc[m]
            parts.append(pd.DataFrame({
                "name": p["name"], "id_number": p["id_number"], "source": "proc_parties",
                "source_ref": p["record_id"], "case_id": p["case_id"], "role": p["role"],
                "charge": p["charge"], "fault": p["fault"], "case_date": p["accepted_on"],
                "case_type": key, "case_type_label": t["label"], "_type_order": order,
                "_party_row": p["_party_row"]}))
        else:  # petitions
            pe = pool["petitions"]
            p = pe.loc[pe["category"].isin(t["categories"])]
            parts.append(pd.DataFrame({
                "name": p["name"], "id_number": p["id_number"], "source": "petitions",
                "source_ref": p["petition_id"], "case_id": pd.Series(None, index=p.index, dtype="str"),
                "role": "信访人", "charge": pd.Series(None, index=p.index, dtype="str"),
                "fault": pd.Series(None, index=p.index, dtype="str"), "case_date": p["received_on"],
                "case_type": key, "case_type_label": t["label"], "_type_order": order, "_party_row": -1}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for c in ("name", "id_number", "source", "source_ref", "case_id", "role", "charge", "fault",
              "case_type", "case_type_label"):
        out[c] = out[c].astype("str")
    out["case_date"] = out["case_date"].astype("datetime64[us]")
    return out


_NO_CONTACT = {"phone_col": None, "address_col": None}


def _linked(frame: pd.DataFrame, right: pd.DataFrame, pool, linkage_mode: str, *, left_cols: dict | None = None,
            right_cols: dict | None = None, on_pp: np.ndarray | None = None) -> np.ndarray:
    """Boolean per row of ``frame``: the row is in at least one pair of ``linkage.link(frame, right,
    linkage=linkage_mode, left_cols=left_cols, right_cols=right_cols)``.

    A row with a ``_party_row`` (a candidate of :func:`_candidates`: name and ID of that row of
    ``proc_parties``, no phone or address) is decided as that row of the pool's table
    (``linkage.linkable(right, proc_parties)``, the pairing rules being symmetric): linkage keeps
    the keys of a pool table, so the candidates' IDs are not normalised again at every step.
    Other rows (petitions, frames without the column) are linked as they are. ``on_pp``: that
    mask over ``proc_parties`` when the caller has it already (:func:`_aided_on_parties`)."""
    hit = np.zeros(len(frame), dtype=bool)
    if frame.empty:
        return hit
    party = (frame["_party_row"].to_numpy(dtype=np.int64) if "_party_row" in frame.columns
             else np.full(len(frame), -1, dtype=np.int64))
    at = np.flatnonzero(party >= 0)
    if len(at):
        if on_pp is None:
            on_pp = _on_parties(right, pool, linkage_mode, right_cols)
        hit[at] = on_pp[party[at]]
    rest = np.flatnonzero(party < 0)
    if len(rest):
        sub = frame.iloc[rest].reset_index(drop=True)
        pairs = linkage.link(sub, right, linkage=linkage_mode, left_cols=left_cols, right_cols=right_cols)
        hit[rest[pairs["left"].to_numpy(dtype=np.intp)]] = True
    return hit


def _on_parties(right: pd.DataFrame, pool, linkage_mode: str, right_cols: dict | None) -> np.ndarray:
    """Boolean per row of ``proc_parties``: the row pairs with some row of ``right`` (its name
    and ID only, as a candidate of :func:`_candidates`)."""
    return linkage.linkable(right, pool["proc_parties"], linkage=linkage_mode, left_cols=right_cols,
                            right_cols=_NO_CONTACT)


def _step_case_types(frame, ctx):
    out = _candidates(ctx.pool)
    out["path_tag"] = out["case_type_label"]
    return out, {"by_case_type": out["case_type_label"].value_counts().to_dict()}


# ------------------------------------------------------------------ step 2: platform lookup
def _registries(pool) -> pd.DataFrame:
    reg = pool["registries"]
    return reg.loc[reg["registry"].isin(registry_names())]


def _grade(detail: pd.Series, rows: np.ndarray) -> pd.Series:
    """"1-2" / "3-4" / "" of the 持证残疾人 类别明细 at positions ``rows`` of ``detail``, decided
    once per distinct text (:func:`linkage.column_index`: the pool's 5.7 M-row column is read once
    per pool)."""
    col = linkage.column_index(detail)
    d = col.values.fillna("")            # the last distinct value is the missing one: reads as ""
    g = pd.Series("", index=d.index, dtype="str")
    for label, pat in reversed(list(parameter("guanyun", "disability_grades").items())):
        g = g.mask(d.str.contains(pat, regex=True), label)
    return pd.Series(g.array.take(col.codes[rows]), dtype="str")


_IDENTITY_COLUMNS = {"id": ["id_number"], "id+name": ["id_number", "name"],
                     "fallback": ["id_number", "name", "phone", "address"]}
def _linkable(frame: pd.DataFrame, right: pd.DataFrame, linkage_mode: str) -> np.ndarray:
    """Boolean mask of the rows of ``right`` that link to some row of ``frame``
    (:func:`linkage.linkable`), so ``link(frame, right[mask])`` gives the same pairs as
    ``link(frame, right)``. On the pool's registries (5.7 M rows at real size) it costs array
    lookups: the identity keys of the table are computed once per pool (``linkage.column_index``)."""
    return linkage.linkable(frame, right, linkage=linkage_mode)


def _lookup_registries(frame: pd.DataFrame, pool, linkage_mode: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The pool's registries and the positions of the rows of :func:`_registries` that can link to
    ``frame`` (see :func:`_linkable`). Positions, not a sub-table: the matches take only the
    columns they read."""
    reg = pool["registries"]
    listed = linkage.isin(reg["registry"], registry_names())
    if frame.empty or not listed.any():
        return reg, np.zeros(0, dtype=np.intp)
    return reg, np.flatnonzero(listed & _linkable(frame, reg, linkage_mode))


_DAY_US = 86_400_000_000          # microseconds in a day (``as_of`` and case dates are datetime64[us])


def _days(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(day numbers, known) of datetime64[us] values: days since 1970-01-01, floor; NaT unknown."""
    v = np.asarray(values, dtype="datetime64[us]")
    known = ~np.isnat(v)
    return np.where(known, v.view(np.int64) // _DAY_US, 0), known


class SnapshotCalendar:
    """每月更新 — which monthly snapshots each registry of the pool has (the platform's lists are
    refreshed once a month, each list by its own agency, so one list may lack a month another has).

    Built from the pool's whole ``registries`` table (every person, not only the matched ones):
    a snapshot of a list exists when some row of that list carries that ``as_of``. ``stood(…)``
    answers "is this snapshot the list as it stood at that date", i.e. the list's latest snapshot
    at or before the date; ``last`` is each list's last snapshot (``snapshot="latest"``).

    Vectorised, and cheap on a table that comes grouped (by month, as exported, or by list): the
    distinct (list, ``as_of``) pairs are read at the starts of the runs of equal (list code,
    ``as_of``) — one comparison pass over the table; the list codes come from the pool's kept
    :func:`linkage.column_index` of ``registry``. A shuffled table (more than a quarter of its
    rows start a run) is read row by row instead: the same pairs. Then a cumulative count of
    snapshots per list and day, so a question costs two array look-ups. At scale 1 (3.7 M rows,
    sorted by month) ≈ 10 ms; shuffled ≈ 80 ms.
    """

    def __init__(self, reg: pd.DataFrame) -> None:
        col = linkage.column_index(reg["registry"])
        listed = np.asarray(col.values.isin(registry_names()).to_numpy(), dtype=bool)   # per distinct list
        #: the list code of each row of the table, and the list names (``codes`` index them)
        self.codes, self.names = col.codes, col.values
        codes = col.codes
        t = np.asarray(reg["as_of"].to_numpy(), dtype="datetime64[us]").view(np.int64)
        if len(t) > 1:
            starts = np.flatnonzero((t[1:] != t[:-1]) | (codes[1:] != codes[:-1])) + 1
            starts = np.r_[0, starts] if len(starts) <= len(t) // 4 else np.arange(len(t))
        else:
            starts = np.arange(len(t))
        code, snap = codes[starts], t[starts]
        snap_day, known = _days(snap.view("datetime64[us]"))
        use = known & listed[code]
        code, day = code[use].astype(np.int64), snap_day[use]
        n_codes = len(col.values)
        if len(day):
            self.day0 = int(day.min())
            width = int(day.max()) - self.day0 + 1
            present = np.bincount(code * width + (day - self.day0), minlength=n_codes * width).reshape(n_codes, width) > 0
        else:
            self.day0, width = 0, 1
            present = np.zeros((n_codes, 1), dtype=bool)
        self.width = width
        #: cum[c, t]: snapshots of list c on days day0 … day0 + t
        self.cum = np.cumsum(present, axis=1, dtype=np.int32)
        has = present.any(axis=1)
        last = width - 1 - np.argmax(present[:, ::-1], axis=1)
        #: the day of each list's last snapshot (a day before any date when the list has none)
        self.last = np.where(has, self.day0 + last, np.int64(-1) << 62)

    def _cum(self, code: np.ndarray, day: np.ndarray) -> np.ndarray:
        t = np.clip(day - self.day0, -1, self.width - 1)
        return np.where(t >= 0, self.cum[code, np.maximum(t, 0)], 0)

    def stood(self, code: np.ndarray, snap_day: np.ndarray, at_day: np.ndarray) -> np.ndarray:
        """Per element: the snapshot of list ``code`` on ``snap_day`` is that list's latest
        snapshot at or before ``at_day`` (it is not after ``at_day`` and no snapshot of the list
        falls between the two)."""
        return (snap_day <= at_day) & (self._cum(code, at_day) == self._cum(code, snap_day))

    def is_last(self, code: np.ndarray, snap_day: np.ndarray) -> np.ndarray:
        """Per element: ``snap_day`` is the last snapshot of list ``code`` in the pool."""
        return snap_day == self.last[code]


def _distinct_rows(df: pd.DataFrame, cols: list[str], rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(code, first)`` of the rows at positions ``rows`` of ``df`` (default all): rows with equal
    raw values in every column of ``cols`` share a code (0, 1, … in order of first appearance);
    ``first[c]`` is the position in ``rows`` of the first row with code ``c``. Built from each
    column's row codes (:func:`linkage.column_index`, kept per pool for the pool's large tables),
    so no string is hashed twice."""
    rows = np.arange(len(df)) if rows is None else rows
    code = np.zeros(len(rows), dtype=np.int64)
    for c in cols:
        col = linkage.column_index(df[c])
        code = pd.factorize(code * len(col.values) + col.codes[rows])[0].astype(np.int64)
    # codes appear in order: code c first occurs where the running maximum first reaches c
    first = np.flatnonzero(np.diff(np.maximum.accumulate(code), prepend=-1) > 0)
    return code, first


def _link_deduplicated(frame: pd.DataFrame, right: pd.DataFrame, linkage_mode: str,
                       rows: np.ndarray | None = None) -> pd.DataFrame:
    """:func:`linkage.link` of ``frame`` to the rows at positions ``rows`` of ``right`` (default
    all), computed once per distinct identity (monthly snapshots repeat the same person 20+
    times) and expanded back to every row.

    Only the identity columns the linkage mode reads take part (ID; + name; + phone, address),
    so the pairs are those of ``linkage.link(frame, right.iloc[rows])`` in the same order (by
    ``left``, then ``right`` label), except that ``right`` holds row *positions* in ``right``.
    """
    rows = np.arange(len(right)) if rows is None else np.asarray(rows, dtype=np.intp)
    empty = pd.DataFrame({"left": frame.index[:0], "right": np.zeros(0, dtype=np.intp),
                          "match": pd.Series([], dtype="str"), "confidence": np.zeros(0)})
    if len(rows) == 0:
        return empty
    cols = [c for c in _IDENTITY_COLUMNS[linkage_mode] if c in right.columns]
    code, first = _distinct_rows(right, cols, rows)
    pairs = linkage.link(frame, right[cols].iloc[rows[first]].reset_index(drop=True), linkage=linkage_mode)
    if pairs.empty:
        return empty
    # every row of each matched identity: rows grouped by code (in position order), one block per pair
    order = np.argsort(code, kind="stable")
    counts = np.bincount(code)
    start = np.cumsum(counts) - counts
    c = pairs["right"].to_numpy()
    k = counts[c]
    pair_of = np.repeat(np.arange(len(pairs)), k)
    at = np.repeat(start[c] - (np.cumsum(k) - k), k) + np.arange(int(k.sum()))
    rpos = rows[order[at]]
    # pairs come sorted by left: sort each left's rows by their label in right (one integer key)
    lab_key = rpos if right.index.is_monotonic_increasing else pd.factorize(right.index.take(rpos), sort=True)[0]
    left = pairs["left"].to_numpy()
    left_run = np.cumsum(np.r_[True, left[1:] != left[:-1]])
    o = np.argsort(left_run[pair_of].astype(np.int64) * (len(right) + 1) + lab_key, kind="stable")
    p = pair_of[o]
    return pd.DataFrame({"left": left[p], "right": rpos[o], "match": pairs["match"].array.take(p),
                         "confidence": pairs["confidence"].to_numpy()[p]})


_MATCH_COLUMNS = ["row", "registry_record_id", "registry", "grade", "as_of", "match", "confidence", "in_window"]


def registry_matches(frame: pd.DataFrame, pool, *, linkage_mode: str = "id", snapshot: str = "window",
                     window_months: int | None = None, period: str = "screen",
                     registry_ids: "pd.Series | None" = None) -> pd.DataFrame:
    """Registry rows matched to each row of ``frame`` (which needs ``name``, ``id_number`` and
    ``case_date``), restricted to the snapshots of ``period``:

    ``period="screen"`` — the lookup of step 2, the platform searched when the case is screened
    (``snapshot``: ``"window"`` = each list as it stood at the case date — its latest snapshot at
    or before that day, :class:`SnapshotCalendar` — and its later snapshots up to case month +
    ``window_months``; ``"latest"`` = each list's last snapshot in the pool; ``"any"``);
    ``period="after"`` — the snapshots after the lookup window (接续救助 re-query);
    ``period="all"`` — every snapshot, with a boolean ``in_window`` (the screen's lookup).

    ``registry_ids`` restricts the search to those ``registries.record_id`` (a shortcut when
    an earlier lookup of the same persons already found every candidate row).

    Returns one row per (frame row, registry row): ``row`` (frame index label),
    ``registry_record_id``, ``registry``, ``grade``, ``as_of``, ``match``, ``confidence``.
    """
    if snapshot not in SNAPSHOTS:
        raise ValueError(f"snapshot must be one of {SNAPSHOTS}, not {snapshot!r}")
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    reg, rows = _lookup_registries(frame, pool, linkage_mode)
    if registry_ids is not None:
        rows = rows[reg["record_id"].take(rows).isin(set(registry_ids)).to_numpy()]
    return _registry_matches(frame, reg, rows, linkage_mode=linkage_mode, snapshot=snapshot,
                             window_months=window_months, period=period)


def _default_positions(df: pd.DataFrame) -> bool:
    """The index labels of ``df`` are its row positions (a pool table's ``RangeIndex``)."""
    i = df.index
    return isinstance(i, pd.RangeIndex) and i.start == 0 and i.step == 1


def _link_listed(frame: pd.DataFrame, reg: pd.DataFrame, linkage_mode: str) -> pd.DataFrame:
    """The pairs of ``linkage.link(frame, reg)`` (``reg`` the pool's whole registry table, its
    labels its positions) whose registry row is one of :func:`_registries`; ``right`` holds row
    positions, in the order of :func:`_link_deduplicated`. One join on the table itself: its keys
    are kept per pool (``linkage.column_index``), so only ``frame``'s keys are computed, once."""
    listed = linkage.isin(reg["registry"], registry_names())
    pairs = linkage.link(frame, reg, linkage=linkage_mode)
    keep = listed[pairs["right"].to_numpy(dtype=np.intp)]
    return pairs if keep.all() else pairs.loc[keep].reset_index(drop=True)


def _registry_matches(frame: pd.DataFrame, reg: pd.DataFrame, rows: np.ndarray | None, *, linkage_mode: str,
                      snapshot: str, window_months: int | None, period: str, labels: bool = False) -> pd.DataFrame:
    """:func:`registry_matches` on registry rows already selected (positions ``rows`` of the
    pool's whole ``reg``: rows of :func:`_registries`, at least every row that links to ``frame``).
    ``rows=None``: every row of :func:`_registries` (``reg`` the pool's table with its positions
    as labels, :func:`_link_listed`). The snapshots each list has are read from the whole ``reg``
    (:class:`SnapshotCalendar`). ``labels=True`` adds ``_right``, the row position in ``reg``."""
    window = int(parameter("guanyun", "lookup_window_months") if window_months is None else window_months)
    if frame.empty or (rows is not None and len(rows) == 0):
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in _MATCH_COLUMNS + ["_right"] * labels})
    pairs = _link_deduplicated(frame, reg, linkage_mode, rows) if rows is not None else \
        _link_listed(frame, reg, linkage_mode)
    if pairs.empty and rows is None:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in _MATCH_COLUMNS + ["_right"] * labels})
    rp = pairs["right"].to_numpy(dtype=np.intp)
    # few distinct registry names: taken through the column's codes, not from the 5.7 M strings
    regcol = linkage.column_index(reg["registry"])
    out = pd.DataFrame({"row": pairs["left"].to_numpy(),
                        "registry_record_id": reg["record_id"].astype("str").array.take(rp),
                        "registry": regcol.values.array.take(regcol.codes[rp]),
                        "grade": _grade(reg["detail"], rp).array, "as_of": reg["as_of"].to_numpy()[rp],
                        "match": pairs["match"].astype("str").array, "confidence": pairs["confidence"].to_numpy()})
    if labels:
        out["_right"] = rp
    # window bounds per frame row, then spread to its matches (frame labels are unique)
    start_f = _month_start(frame["case_date"])
    end_f = (start_f + pd.DateOffset(months=window)).astype("datetime64[us]")
    at = frame.index.get_indexer(out["row"])
    end = end_f.to_numpy()[at]
    as_of = out["as_of"].to_numpy()
    case_day, known = _days(frame["case_date"].to_numpy())
    case_day, known = case_day[at], known[at]
    if snapshot == "window":
        # the lists as they stood at the case date (each list's latest snapshot at or before that
        # day), and the later snapshots up to the end of the window; no case date: every snapshot
        cal = SnapshotCalendar(reg)
        snap_day = _days(as_of)[0]
        code = cal.codes[rp]
        in_window = ~known | cal.stood(code, snap_day, case_day) | ((snap_day > case_day) & (as_of <= end))
    elif snapshot == "latest":
        cal = SnapshotCalendar(reg)
        in_window = cal.is_last(cal.codes[rp], _days(as_of)[0])
    else:
        in_window = np.ones(len(out), dtype=bool)
    out["in_window"] = in_window
    if period == "after":
        keep = known & (as_of > end)
    elif period == "all":
        keep = np.ones(len(out), dtype=bool)
    else:
        keep = in_window
    return out if keep.all() else out.loc[keep].reset_index(drop=True)


def _mapped(s: pd.Series, table: dict) -> pd.Series:
    """``s.map(table)`` (missing where ``table`` has no entry) worked out once per distinct value
    of ``s`` (a handful of registry names over 100k+ matches) and spread back by code."""
    codes, uniq = pd.factorize(s, use_na_sentinel=False)
    looked = pd.Series(np.asarray(uniq, dtype=object)).map(table).astype("str")
    return pd.Series(looked.array.take(codes), index=s.index, dtype="str")


def _step_lookup(frame, ctx):
    reg = ctx.pool["registries"]
    rows = None          # the whole table, linked once (_link_listed)
    if not _default_positions(reg):
        reg, rows = _lookup_registries(frame, ctx.pool, ctx.param("linkage"))
    m_all = _registry_matches(frame, reg, rows, linkage_mode=ctx.param("linkage"),
                              snapshot=ctx.param("snapshot"), window_months=ctx.param("window_months"),
                              period="all")
    # every (candidate row, registry row) pair of every snapshot: 接续救助 re-reads them
    # (a recipient's pairs are those of its candidate row) instead of linking again
    at = frame.index.get_indexer(m_all["row"])
    ctx.results["_lookup_matches"] = m_all.assign(source=frame["source"].astype("str").array.take(at),
                                                  source_ref=frame["source_ref"].astype("str").array.take(at))
    m = m_all.loc[m_all["in_window"].astype(bool), ["row", "registry", "grade", "as_of", "match", "confidence"]]
    out = frame.copy()
    order = registry_names()
    regs = _join_sorted(m["registry"], m["row"], order)
    out["matched_registries"] = regs.reindex(out.index).fillna("").astype("str")
    el = _element_of()
    out["matched_elements"] = _join_sorted(_mapped(m["registry"], el), m["row"], list(parameter("guanyun", "data_elements"))
                                           ).reindex(out.index).fillna("").astype("str")
    g = m.loc[m["grade"] != ""]
    out["disability_grade"] = g.sort_values("grade").drop_duplicates("row").set_index("row")["grade"] \
        .reindex(out.index).fillna("").astype("str")
    out["first_match_on"] = m.groupby("row")["as_of"].min().reindex(out.index).astype("datetime64[us]")
    best = m.sort_values(["row", "confidence"], ascending=[True, False], kind="stable").drop_duplicates("row").set_index("row")
    out["in_pool"] = out.index.isin(best.index)
    out["match"] = best["match"].reindex(out.index).fillna("case_record").astype("str")
    out["confidence"] = best["confidence"].reindex(out.index).fillna(1.0).astype("float64")
    out["path_tag"] = np.where(out["in_pool"], "found", "not_found")
    return out, {"found": int(out["in_pool"].sum()), "not_found": int((~out["in_pool"]).sum()),
                 "by_element": _mapped(m.drop_duplicates(["row", "registry"])["registry"], el).value_counts().to_dict()}


# ------------------------------------------------------------------ step 3: rule 1
def _case_type_causes() -> list[str]:
    """Every 罪名/案由 of the five case types (the causes a petitioner's own award may have)."""
    out: list[str] = []
    for t in parameter("guanyun", "case_types").values():
        out += [c for c in t.get("charges", []) if c not in out]
    return out


def paid_enforcements(frame: pd.DataFrame, pool, *, linkage_mode: str = "id") -> pd.DataFrame:
    """执行完毕 — the rows of ``frame`` whose own award was enforced in full: they are the
    applicant (申请执行人) of an enforcement closed 执行完毕 whose 执行依据 is the judgment of their
    own case. One row per such row of ``frame`` (index: its label), ``enforcement_id`` (the first
    such enforcement) and ``tie``:

    ``"case"``  the judgment carries the row's case number (``court_judgments.case_id``; the
                enforcement names it as ``judgment_id``);
    ``"cause"`` no judgment of the pool carries the row's case number — civil supervision cases
                (the contract ties only criminal judgments to a procuratorate case), criminal
                judgments exported without it, petitions (which name no case) — and the
                judgment's 罪名/案由 is the row's charge (for a petition: one of the five case
                types' causes).

    An enforcement without a judgment, or of a judgment not in ``court_judgments``, never shows
    compensation: nothing says it is the award of this case (an unrelated debt the victim
    collected in full is not 有效赔偿 for his injury).
    """
    closures = parameter("guanyun", "compensation", "enforcement_closures")
    empty = pd.DataFrame({"enforcement_id": pd.Series([], dtype="str"), "tie": pd.Series([], dtype="str")},
                         index=frame.index[:0])
    enf = pool["court_enforcements"]
    enf = enf.loc[enf["closure"].isin(closures) & enf["judgment_id"].notna(),
                  ["enforcement_id", "judgment_id", "applicant_name", "applicant_id_number"]]
    judg = pool["court_judgments"][["judgment_id", "case_id", "cause"]].drop_duplicates("judgment_id")
    enf = enf.merge(judg.rename(columns={"case_id": "_judgment_case"}), on="judgment_id", how="inner")
    if frame.empty or enf.empty:
        return empty
    cols = {"id_col": "applicant_id_number", "name_col": "applicant_name", **_NO_CONTACT}
    # the (row, enforcement) pairs where the row's person is the applicant: one link
    sub = frame[["name", "id_number", "case_id", "charge"]]
    pairs = linkage.link(sub.reset_index(drop=True), enf, linkage=linkage_mode, right_cols=cols)
    if pairs.empty:
        return empty
    left, right = pairs["left"].to_numpy(dtype=np.intp), pairs["right"].to_numpy(dtype=np.intp)
    case = sub["case_id"].to_numpy(dtype=object)[left]
    charge = sub["charge"].to_numpy(dtype=object)[left]
    jcase = enf["_judgment_case"].to_numpy(dtype=object)[right]
    cause = enf["cause"].to_numpy(dtype=object)[right]
    has_case = ~pd.isna(case)
    by_case = has_case & ~pd.isna(jcase) & (jcase == case)
    tied = linkage.isin(sub["case_id"], judg["case_id"].dropna())[left]     # the case has a judgment of its own
    same_cause = np.where(has_case, ~pd.isna(cause) & (cause == charge),
                          pd.Series(cause).isin(_case_type_causes()).to_numpy())
    by_cause = ~by_case & ~tied & same_cause
    ok = by_case | by_cause
    out = pd.DataFrame({"_left": left[ok], "enforcement_id": enf["enforcement_id"].to_numpy(dtype=object)[right[ok]],
                        "tie": np.where(by_case[ok], "case", "cause"), "_rank": np.where(by_case[ok], 0, 1)})
    out = out.sort_values(["_left", "_rank"], kind="stable").drop_duplicates("_left")
    return pd.DataFrame({"enforcement_id": pd.array(out["enforcement_id"], dtype="str"),
                         "tie": pd.array(out["tie"], dtype="str")},
                        index=pd.Index(sub.index.take(out["_left"].to_numpy()))).sort_index()


def _case_victims(pool, cases: pd.Index) -> np.ndarray:
    """受害人数 — the number of victims (``compensation.victim_roles`` rows of ``proc_parties``) of
    each case of ``cases`` (distinct case ids), in that order (0 for a case without one)."""
    roles = parameter("guanyun", "compensation", "victim_roles")
    pp = pool["proc_parties"][["case_id", "role"]]
    pp = pp.loc[linkage.isin(pp["case_id"], cases) & pp["role"].isin(roles).to_numpy()]
    at = cases.get_indexer(pp["case_id"])
    return np.bincount(at[at >= 0], minlength=len(cases))


def _names_in(texts: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Per pair, the name (stripped; missing or empty never) occurs in the text (object arrays
    of ``str``).

    A substring test per (document, party) pair, only for the pairs of several-victim cases among
    the documents that state compensation or non-performance; ``str.__contains__`` mapped over
    the pairs (C speed, no Python frame per pair): no keyword reader answers "does this row's own
    name occur in this row's text"."""
    found = np.fromiter(map(str.__contains__, texts, names), dtype=bool, count=len(names))
    return found & (names != "")


def document_words(pool, cases, words: list[str], *, negation: str = "plain") -> tuple[np.ndarray, pd.DataFrame]:
    """The documents of ``cases`` (positions in ``proc_documents``) and :func:`keywords.keyword_hits`
    of their texts for ``words`` (one row per document, in that order). Rule 1 reads its
    settlement words and rule 2 its case facts from one such pass (a word's column does not
    depend on the other words asked for)."""
    docs = pool["proc_documents"]
    pos = np.flatnonzero(linkage.isin(docs["case_id"], cases))
    # read from the pool's column (its cut into clauses is kept for the other models, keywords.text_pieces)
    hits = keywords.keyword_hits(docs["text"], list(dict.fromkeys(words)), negation=negation, rows=pos)
    return pos, hits.reset_index(drop=True)


def _fact_words(facts: str) -> dict[str, list[str]]:
    """The case-fact word lists of rule 2 under ``facts``."""
    return {k: v["words"] for k, v in parameter("guanyun", "hardship_facts").items()
            if facts == "extended" or v.get("variant") != "extended"}


def _settlement_words() -> tuple[list[str], list[str]]:
    return (list(parameter("guanyun", "compensation", "compensation_stated")),
            list(parameter("guanyun", "compensation", "non_performance")))


def settlement_statements(frame: pd.DataFrame, pool, *, negation: str = "plain",
                          doc_words: tuple[np.ndarray, pd.DataFrame] | None = None) -> pd.DataFrame:
    """有效赔偿 by what the case file says, per victim (``settlement="content"``, the default).

    For each row of ``frame`` with a case, whether the documents *speaking for it* state
    compensation or settlement (``compensation.compensation_stated``) and whether they record
    non-performance (``compensation.non_performance``: 未履行, 分文未得 …), each read with the
    run's ``negation`` (:func:`keywords.keyword_hits`), whatever the document's type.

    A document speaks for a row when the case has one victim (at most one 被害人/申请人 row,
    ``compensation.victim_roles``: every document of the case is about him, and his 近亲属 act
    for him), or — in a case with several victims — when the document names the row's person
    (his name as written in ``proc_parties`` occurs in the text). In a several-victim case a
    document naming no party speaks for none: it does not show which victim was paid.

    Columns ``stated``, ``non_performance`` (bool) and ``settled`` = stated and not
    contradicted: no document speaking for the row records non-performance. ``doc_words``: a
    :func:`document_words` pass over (at least) the documents of ``frame``'s cases with (at
    least) the settlement words and the same ``negation``, when the caller has one.

    Vectorised: (document, row) pairs of the same case by integer codes, one keyword pass, and a
    substring test of the row's name only for the pairs of several-victim cases (:func:`_names_in`).
    """
    stated_w, nonperf_w = _settlement_words()
    n = len(frame)
    stated_any = np.zeros(n, dtype=bool)
    nonperf_any = np.zeros(n, dtype=bool)
    has_case = frame["case_id"].notna().to_numpy()
    if has_case.any():
        rows = np.flatnonzero(has_case)
        rc, cases = pd.factorize(frame["case_id"].take(rows).astype("str"))
        cases = pd.Index(cases)
        pos, hits = doc_words if doc_words is not None else \
            document_words(pool, cases, stated_w + nonperf_w, negation=negation)
        docs = pool["proc_documents"]
        dcase = cases.get_indexer(docs["case_id"].take(pos))
        st = hits[list(dict.fromkeys(stated_w))].to_numpy().any(axis=1) & (dcase >= 0)
        nf = hits[list(dict.fromkeys(nonperf_w))].to_numpy().any(axis=1) & (dcase >= 0)
        rel = np.flatnonzero(st | nf)                      # positions in ``pos``
        # (document, row) pairs of the same case: the rows grouped by case, one block per document
        order = np.argsort(rc, kind="stable")
        counts = np.bincount(rc, minlength=len(cases))
        first = np.cumsum(counts) - counts
        dc = dcase[rel]
        k = counts[dc]
        pair_doc = np.repeat(np.arange(len(rel)), k)      # non-decreasing
        at = np.repeat(first[dc] - (np.cumsum(k) - k), k) + np.arange(int(k.sum()))
        pair_row = order[at]                               # positions in ``rows``
        several = _case_victims(pool, cases)[dc[pair_doc]] > 1
        speaks = ~several
        if several.any():
            # each document's text and each row's name made a Python string once, then paired
            sd = pair_doc[several]
            head = np.flatnonzero(np.r_[True, sd[1:] != sd[:-1]])
            texts = docs["text"].take(pos[rel[sd[head]]]).fillna("").to_numpy(dtype=object)
            sr = pair_row[several]
            names = frame["name"].take(rows).fillna("").astype("str").str.strip().to_numpy(dtype=object)
            speaks[several] = _names_in(texts[np.cumsum(np.r_[True, sd[1:] != sd[:-1]]) - 1], names[sr])
        pr, pd_ = pair_row[speaks], pair_doc[speaks]
        stated_any[rows] = np.bincount(pr[st[rel[pd_]]], minlength=len(rows)) > 0
        nonperf_any[rows] = np.bincount(pr[nf[rel[pd_]]], minlength=len(rows)) > 0
    out = pd.DataFrame({"stated": stated_any, "non_performance": nonperf_any}, index=frame.index)
    out["settled"] = out["stated"] & ~out["non_performance"]
    return out


def compensated_rows(frame: pd.DataFrame, pool, *, linkage_mode: str = "id", settlement: str = "content",
                     negation: str = "plain") -> tuple[pd.Index, pd.Index]:
    """研判规则一 — (rows whose own award was enforced in full, :func:`paid_enforcements`; rows a
    settlement or compensation removes under ``settlement``):

    ``"content"`` (default) — per victim, by what the documents speaking for him say
    (:func:`settlement_statements`); ``"doc_type"`` — a 和解协议书/谅解书 anywhere in his case
    (the earlier reading, case-wide, by type); ``"keywords"`` — a settlement keyword in any
    document of his case (case-wide)."""
    if settlement not in SETTLEMENTS:
        raise ValueError(f"settlement must be one of {SETTLEMENTS}, not {settlement!r}")
    by_enf = paid_enforcements(frame, pool, linkage_mode=linkage_mode).index
    return by_enf, _settled(frame, pool, settlement, negation)[0]


def _settled(frame: pd.DataFrame, pool, settlement: str, negation: str,
             doc_words: tuple[np.ndarray, pd.DataFrame] | None = None) -> tuple[pd.Index, int]:
    """(rows removed by settlement, rows whose stated compensation a non-performance contradicts —
    ``"content"`` only, else 0)."""
    if settlement == "content":
        s = settlement_statements(frame, pool, negation=negation, doc_words=doc_words)
        return frame.index[s["settled"].to_numpy()], int((s["stated"] & s["non_performance"]).sum())
    docs = pool["proc_documents"]
    if settlement == "doc_type":
        settled_cases = docs.loc[docs["doc_type"].isin(parameter("guanyun", "compensation", "settlement_doc_types")), "case_id"]
    else:
        docs = docs.loc[docs["case_id"].isin(set(frame["case_id"].dropna()))]
        hit = keywords.contains_any(docs["text"].fillna("").astype("str"), parameter("guanyun", "compensation", "settlement_keywords"),
                                    negation=negation)
        settled_cases = docs.loc[hit.to_numpy(), "case_id"]
    return frame.index[linkage.isin(frame["case_id"], settled_cases.dropna())], 0


def _step_rule1(frame, ctx):
    enf = paid_enforcements(frame, ctx.pool, linkage_mode=ctx.param("linkage"))
    doc_words = None
    if ctx.param("settlement") == "content":
        # one keyword pass over the candidates' case files: the settlement words here, rule 2's
        # case facts (its rows are a subset of these) read from the same pass
        stated_w, nonperf_w = _settlement_words()
        fact_w = [w for ws in _fact_words(ctx.param("facts")).values() for w in ws]
        doc_words = document_words(ctx.pool, frame["case_id"].dropna(), stated_w + nonperf_w + fact_w,
                                   negation=ctx.param("negation"))
        ctx.results["_doc_words"] = doc_words
    by_settle, contradicted = _settled(frame, ctx.pool, ctx.param("settlement"), ctx.param("negation"), doc_words)
    drop = enf.index.union(by_settle)
    detail = {"removed_enforcement_paid": len(enf), "removed_settlement": len(by_settle),
              "enforcement_tie": {k: int((enf["tie"] == k).sum()) for k in ("case", "cause")}}
    if ctx.param("settlement") == "content":
        detail["kept_settlement_not_performed"] = contradicted
    return frame.loc[~frame.index.isin(drop)], detail


# ------------------------------------------------------------------ step 4: rule 2
def case_facts(frame: pd.DataFrame, pool, *, negation: str = "plain", facts: str = "published",
               death: str = "all", doc_words: tuple[np.ndarray, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Hardship facts (death, disability, serious injury, lost capacity; with ``facts="extended"``
    also poverty words) of each row: its case's documents, or the petition's text. One boolean
    column per fact and ``hardship_facts`` (the fact keys joined with "、"). ``death="relatives"``
    takes the death fact away from 被害人 rows of cases that list a 近亲属. ``doc_words``: a
    :func:`document_words` pass over (at least) the documents of ``frame``'s cases with (at least)
    these fact words and the same ``negation`` (the screen's rule 1 made one), read instead of a
    second pass."""
    if facts not in FACTS:
        raise ValueError(f"facts must be one of {FACTS}, not {facts!r}")
    if death not in DEATHS:
        raise ValueError(f"death must be one of {DEATHS}, not {death!r}")
    lib = _fact_words(facts)
    # per document, then any() per case: the same as testing the concatenated file (a clause never
    # spans two documents) without building one string per case
    if doc_words is None:
        docs = pool["proc_documents"][["case_id", "text"]]      # the columns read below (a row filter copies each)
        docs = docs.loc[linkage.isin(docs["case_id"], frame["case_id"].dropna())]
    else:
        docs = pool["proc_documents"][["case_id"]].take(doc_words[0])
    is_pet = (frame["source"] == "petitions").to_numpy()
    pet = pool["petitions"].set_index("petition_id")["text"]
    pet_text = frame.loc[is_pet, "source_ref"].map(pet).fillna("").astype("str")
    # every word of every fact in one keyword pass (a word's column does not depend on the other
    # words asked for); a fact's hit is any of its words, as keywords.contains_any
    all_words = list(dict.fromkeys(w for words in lib.values() for w in words))
    if doc_words is None:
        doc_words = keywords.keyword_hits(docs["text"].fillna("").astype("str"), all_words, negation=negation)
    else:
        doc_words = doc_words[1]
    pet_words = keywords.keyword_hits(pet_text, all_words, negation=negation) if is_pet.any() else None
    out = pd.DataFrame(index=frame.index)
    # every fact's document hits, any() per case in one groupby, read back by each row's case
    doc_hits = pd.DataFrame({k: doc_words[list(dict.fromkeys(words))].to_numpy().any(axis=1) if len(words)
                             else np.zeros(len(docs), dtype=bool) for k, words in lib.items()}, index=docs.index)
    by_case = doc_hits.groupby(docs["case_id"].to_numpy()).any()
    at = by_case.index.get_indexer(frame["case_id"])      # -1: no case, or no document of it
    for k, words in lib.items():
        hit = pd.Series(np.append(by_case[k].to_numpy(dtype=bool), False)[at], index=frame.index)   # -1 → False
        if is_pet.any():
            hit.loc[is_pet] = pet_words[list(dict.fromkeys(words))].to_numpy().any(axis=1) if len(words) else False
        out[f"fact_{k}"] = hit.astype(bool)
    if death == "relatives" and "fact_death" in out.columns:
        pp = pool["proc_parties"]
        with_relatives = set(pp.loc[pp["role"] == "近亲属", "case_id"])
        victim = (frame["role"] == "被害人") & frame["case_id"].isin(with_relatives)
        out["fact_death"] = out["fact_death"] & ~victim.to_numpy()
    out["hardship_facts"] = join_flags(out, [f"fact_{k}" for k in lib], "、", labels=list(lib))
    return out


def _step_rule2(frame, ctx):
    f = case_facts(frame, ctx.pool, negation=ctx.param("negation"), facts=ctx.param("facts"),
                   death=ctx.param("death"), doc_words=ctx.results.get("_doc_words"))
    ctx.results["_rule2_facts"] = f
    out = frame.join(f)
    has_fact = out["hardship_facts"] != ""
    keep = out["in_pool"] | has_fact
    out["hardship_basis"] = np.select([out["in_pool"] & has_fact, out["in_pool"], has_fact],
                                      ["registry+case_fact", "registry", "case_fact"], "")
    out = out.loc[keep].copy()
    out["path_tag"] = out["hardship_basis"]
    return out, {"by_registry": int(out["in_pool"].sum()), "by_case_fact_only": int((~out["in_pool"]).sum())}


# ------------------------------------------------------------------ step 5: rule 3
def _aided(pool) -> pd.DataFrame:
    ja = pool["judicial_aid"]
    return ja.loc[ja["status"] == "决定救助"]


def _aided_on_parties(ctx) -> np.ndarray:
    """:func:`_on_parties` of the aided persons, once per run (rule 3 and the letters both ask)."""
    if "_aided_on_pp" not in ctx.results:
        ctx.results["_aided_on_pp"] = _on_parties(_aided(ctx.pool), ctx.pool, ctx.param("linkage"), _NO_CONTACT)
    return ctx.results["_aided_on_pp"]


def _step_rule3(frame, ctx):
    # linkage.anti_join(frame, aided), the candidates looked up as proc_parties rows (_linked)
    out = frame.loc[~_linked(frame, _aided(ctx.pool), ctx.pool, ctx.param("linkage"), right_cols=_NO_CONTACT,
                             on_pp=_aided_on_parties(ctx))]
    return out, {"removed_already_aided": len(frame) - len(out)}


# ------------------------------------------------------------------ step 6: lock targets
def agencies_for(frame: pd.DataFrame, *, extra_needs: list[str] | None = None) -> pd.Series:
    """Recommended agencies ("、"-joined) of each row, from its ``matched_registries`` and
    ``hardship_facts`` (and ``extra_needs``); worked out once per distinct pair of those texts
    (a few hundred among thousands of rows) and spread back to the rows."""
    cols = [c for c in ("matched_registries", "hardship_facts") if c in frame.columns]
    if not cols and not extra_needs:
        return pd.Series("", index=frame.index, dtype="str")
    code, first = _distinct_rows(frame, cols)
    d = frame[cols].iloc[first].reset_index(drop=True)
    p = load_params("guanyun")["needs"]  # its registries and facts groups: need rules, not single entries
    reg_needs, fact_needs = p["registries"], p["facts"]
    needs_order = list(needs_table())
    rows = []
    for col, table in (("matched_registries", reg_needs), ("hardship_facts", fact_needs)):
        if col not in cols:
            continue
        ex = d[col].fillna("").astype("str").str.split("、").explode()
        ex = ex[ex != ""]
        n = ex.map(table).dropna().explode().dropna()
        rows.append(n)
    if extra_needs:
        rows.append(pd.Series([extra_needs] * len(d), index=d.index).explode())
    needs = pd.concat(rows)
    ag = needs.map({k: v["agencies"] for k, v in needs_table().items()}).dropna().explode()
    df = pd.DataFrame({"k": ag.index, "v": ag.to_numpy()})
    joined = _join_sorted(df["v"], df["k"], [a for n in needs_order for a in needs_table()[n]["agencies"]])
    return pd.Series(joined.reindex(d.index).fillna("").astype("str").array.take(code), index=frame.index,
                     dtype="str")


def _step_lock(frame, ctx):
    out = frame.sort_values("_type_order", kind="stable")
    out = linkage.dedupe_persons(out)
    out = out.sort_index()
    out["recommended_agencies"] = agencies_for(out)
    return out, {"duplicates_removed": len(frame) - len(out)}


SCREEN_STEPS = [
    Step("case_types", "parties of the five case types", "五大案件类型的被害人及其近亲属或申诉人",
         "案例一 模型一 适用对象", _step_case_types),
    Step("lookup", "look each one up in the platform's data pool (7 data elements)",
         "在司法救助服务乡村振兴实体化工作平台上对被害人信息进行检索", "案例一 模型一 分析方法; 数据要素", _step_lookup),
    Step("rule1", "no effective compensation through litigation", "研判规则一：案件发生后，被害人无法通过诉讼获得有效赔偿",
         "案例一 模型一 研判规则一", _step_rule1),
    Step("rule2", "hardship caused by the case (registry or case fact)", "研判规则二：被害人因案致困，生活面临急迫困难",
         "案例一 模型一 研判规则二", _step_rule2),
    Step("rule3", "no other judicial organ has given aid", "研判规则三：其他司法机关未开展司法救助",
         "案例一 模型一 研判规则三", _step_rule3),
    Step("lock", "lock the aid targets (one clue per person)", "锁定救助对象", "案例一 模型一 分析方法", _step_lock),
]

_CLUE_EXTRA = ["case_type", "case_type_label", "matched_registries", "matched_elements", "in_pool",
               "hardship_basis", "hardship_facts", "disability_grade", "case_id", "role", "charge", "fault",
               "case_date", "first_match_on"]


def _check_common(linkage_mode: str, negation: str, snapshot: str, settlement: str, facts: str = "published",
                  death: str = "all") -> None:
    if facts not in FACTS:
        raise ValueError(f"facts must be one of {FACTS}, not {facts!r}")
    if death not in DEATHS:
        raise ValueError(f"death must be one of {DEATHS}, not {death!r}")
    if linkage_mode not in linkage.LINKAGES:
        raise ValueError(f"linkage must be one of {linkage.LINKAGES}, not {linkage_mode!r}")
    if negation not in keywords.NEGATIONS:
        raise ValueError(f"negation must be one of {keywords.NEGATIONS}, not {negation!r}")
    if snapshot not in SNAPSHOTS:
        raise ValueError(f"snapshot must be one of {SNAPSHOTS}, not {snapshot!r}")
    if settlement not in SETTLEMENTS:
        raise ValueError(f"settlement must be one of {SETTLEMENTS}, not {settlement!r}")


def _suggestion_letters(ctx: Context) -> pd.DataFrame:
    """Persons not found in the pool who pass rules 1 and 3 (社会救助建议函)."""
    r1 = ctx.results["rule1"]
    found = ctx.results["lookup"]
    found = found.loc[found["in_pool"]]
    # not found through any of their records (a person found as a victim but not as a petitioner is found)
    # (linkage.anti_join, the candidates looked up as proc_parties rows: _linked)
    nf = r1.loc[~r1["in_pool"]]
    nf = nf.loc[~_linked(nf, found, ctx.pool, ctx.param("linkage"), left_cols=_NO_CONTACT, right_cols=_NO_CONTACT)]
    nf = nf.loc[~_linked(nf, _aided(ctx.pool), ctx.pool, ctx.param("linkage"), right_cols=_NO_CONTACT,
                         on_pp=_aided_on_parties(ctx))]
    # case_facts is row by row and nf is a subset of rule 2's input (the rule1 frame): its rows'
    # facts were computed there
    nf = nf.join(ctx.results["_rule2_facts"].loc[nf.index])
    nf = linkage.dedupe_persons(nf.sort_values("_type_order", kind="stable")).sort_index()
    nf["recommended_agencies"] = agencies_for(nf, extra_needs=parameter("guanyun", "needs", "suggestion_letter"))
    cols = ["name", "id_number", "source", "source_ref", "case_id", "case_type", "case_type_label", "role",
            "case_date", "hardship_facts", "recommended_agencies"]
    out = nf[cols].reset_index(drop=True)
    out.insert(0, "letter_id", [f"guanyun.letter-{i + 1:05d}" for i in range(len(out))])
    return out


def screen(pool, *, linkage: str = "id", negation: str = "plain", snapshot: str = "window",
           window_months: int | None = None, settlement: str = "content", facts: str = "published",
           death: str = "all") -> ModelResult:
    """案例一 模型一 筛选救助对象 — clues of persons to aid, and the 社会救助建议函 list.

    Parameters
    ----------
    linkage : ``"id"`` (published, exact valid ID), ``"id+name"`` or ``"fallback"`` — used for
        the registry lookup, the enforcement check and the past-aid check.
    negation : ``"plain"`` (published substring reading) or ``"aware"`` for the case-fact
        keywords and the settlement words (compensation stated / non-performance, or the
        ``settlement="keywords"`` list).
    snapshot : registry snapshots searched by the lookup: ``"window"`` (default: the platform
        searched when the case is screened — each list as it stood at the case date, i.e. that
        list's latest snapshot at or before the day, and its later snapshots up to
        ``window_months`` after the case month), ``"latest"`` (each list's last snapshot in the
        pool) or ``"any"`` (every snapshot).
    window_months : lookup window (default ``lookup_window_months`` in the parameter file, 6).
    settlement : rule 1's settlement test: ``"content"`` (default: per victim, a document speaking
        for him states compensation or settlement and none records non-performance, whatever
        their type, :func:`settlement_statements`), ``"doc_type"`` (a 和解协议书/谅解书 anywhere in
        the case removes every party of it) or ``"keywords"`` (a settlement keyword in any
        document of the case, with ``negation``). Rule 1's enforcement test is always the award
        of the row's own case (:func:`paid_enforcements`).
    facts : ``"published"`` (death, disability, serious injury, lost capacity) or ``"extended"``
        (also the case file's poverty words).
    death : ``"all"`` (a death counts for every party of the case) or ``"relatives"`` (only for
        the 近亲属 when the case lists any).

    Returns a :class:`ModelResult`: ``clues`` (one per person, with ``case_type``,
    ``matched_registries``, ``hardship_facts`` …), ``funnel`` and
    ``lists["suggestion_letters"]``.
    """
    _check_common(linkage, negation, snapshot, settlement, facts, death)
    if isinstance(window_months, str):
        window_months = int(window_months)
    p = {"linkage": linkage, "negation": negation, "snapshot": snapshot, "window_months": window_months,
         "settlement": settlement, "facts": facts, "death": death, "target": TARGET}
    res, ctx = _run_screen(pool, p)
    # what amount(pool, screen=res) reads instead of running the screen again
    res.context = _handed_on(res, pool, ctx)
    return res


def _run_screen(pool, p: dict) -> tuple[ModelResult, Context]:
    """:func:`screen` with checked parameters ``p``; also returns the run's context (the amount
    model's 接续救助 reads the lookup's pairs, ``ctx.results["_lookup_matches"]``, and the clues'
    lookup rows, ``ctx.results["lock"].index``)."""
    frame, funnel, ctx = Pipeline(MODEL_SCREEN, SCREEN_STEPS).run(None, Context(pool, p))
    frame = frame.drop(columns=["_type_order", "_party_row"], errors="ignore")
    clues = finalize_clues(frame, MODEL_SCREEN, extra=_CLUE_EXTRA)
    return ModelResult(MODEL_SCREEN, clues, funnel,
                       {"suggestion_letters": _suggestion_letters(ctx), "lookup_matches": _lookup_list(ctx)}, p), ctx


def _handed_on(res: ModelResult, pool, ctx: Context) -> Context:
    """The context a :func:`screen` result carries (``res.context``): the parts of the run that
    :func:`amount` needs besides the result — the pool it ran on (``pool``, a ``weakref.ref``: a
    result must not keep a county alive), the run's parameters, the lookup's pairs of every
    snapshot (``_lookup_matches``) and the lookup row of each clue (``recipient_rows``, 接续救助),
    and the clues as returned (``clues``, weakly, and ``shape``: a result changed afterwards is
    not the screen's output any more)."""
    return Context(weakref.ref(pool), ctx.params,
                   {"_lookup_matches": ctx.results["_lookup_matches"], "recipient_rows": ctx.results["lock"].index,
                    "clues": weakref.ref(res.clues), "shape": (list(res.clues.columns), len(res.clues))})


def _given_screen(screen: ModelResult, pool, p: dict) -> Context:
    """The run's context carried by ``screen`` (``amount(screen=...)``, :func:`_handed_on`), after
    checking that it is the very output of :func:`screen` on ``pool`` with the screen parameters
    ``p`` of the amount."""
    if not isinstance(screen, ModelResult) or screen.model != MODEL_SCREEN:
        raise ValueError(f"screen= takes the result of {MODEL_SCREEN} (a ModelResult), not {screen!r}")
    run = screen.context
    if run is None or run.pool() is not pool:
        raise ValueError(f"screen= takes a result of {MODEL_SCREEN} run in this session on this same pool; "
                         f"run it again (or leave screen= out and the amount runs the screen itself)")
    if run.results["clues"]() is not screen.clues \
            or run.results["shape"] != (list(screen.clues.columns), len(screen.clues)):
        raise ValueError("screen= was changed after the screen returned it (its clues were replaced or "
                         "reshaped); pass the result as guanyun.screen returned it")
    differ = sorted(k for k in p if screen.params.get(k) != p[k])
    if differ:
        shown = ", ".join(f"{k}: screen {screen.params.get(k)!r} vs amount {p[k]!r}" for k in differ)
        raise ValueError(f"screen= was run with other parameters than this amount's ({shown}); "
                         f"pass the same screen parameters to both")
    return run


# ============================================================================ 模型二 amount
def _profile(pool, profile: str | None) -> str:
    if profile is not None:
        return profile
    c = (getattr(pool, "meta", None) or {}).get("county")
    return c if c in amount_mod.PROFILES else "guanyun"


def _in_range(rng, point: str) -> float:
    lo, hi = float(rng[0]), float(rng[1])
    return lo + (hi - lo) * POINTS[point]


def hardship_tier(frame: pd.DataFrame, standard: dict) -> pd.Series:
    """生活困难档次 (1–3) of each row: the highest tier any matched registry, disability grade or
    case fact maps to; ``default_tier`` when none does."""
    h = standard["hardship"]
    tier = pd.Series(int(h["default_tier"]["value"]), index=frame.index, dtype="int64")
    regs = frame["matched_registries"].fillna("").astype("str").str.split("、").explode()
    rt = regs.map(h["registries"]["values"]).dropna()
    if len(rt):
        tier = np.maximum(tier, rt.astype("int64").groupby(level=0).max().reindex(frame.index).fillna(0).astype("int64"))
    dg = frame["disability_grade"].fillna("").astype("str").map(h["disability_grade"]["values"]).fillna(0)
    tier = np.maximum(tier, dg.astype("int64"))
    facts = frame["hardship_facts"].fillna("").astype("str").str.split("、").explode()
    ft = facts.map(h["facts"]["values"]).dropna()
    if len(ft):
        tier = np.maximum(tier, ft.astype("int64").groupby(level=0).max().reindex(frame.index).fillna(0).astype("int64"))
    return pd.Series(tier, index=frame.index, dtype="int64")


def addon_coefficients(frame: pd.DataFrame, standard: dict, *, combine: str | None = None) -> pd.DataFrame:
    """追加系数 per row: ``addon_groups`` (the groups that apply) and ``addon_coef`` (max or sum)."""
    a = standard["addon"]
    combine = combine or a["combine"]["value"]
    if combine not in ("max", "sum"):
        raise ValueError(f"addon combine must be 'max' or 'sum', not {combine!r}")
    point = a["point"]["value"]
    regs = frame["matched_registries"].fillna("").astype("str")
    grade = frame["disability_grade"].fillna("").astype("str")
    coefs, hits = [], pd.DataFrame(index=frame.index)
    for gname, g in a["groups"].items():
        pat = "|".join(g.get("registries", []))
        hit = regs.str.contains(pat, regex=True) if pat else pd.Series(False, index=frame.index)
        hit = (hit | grade.isin(g.get("disability_grades", []))).astype(bool)
        coefs.append(hit.astype("float64") * _in_range(g["range"], point))
        hits[gname] = hit
    out = pd.DataFrame(index=frame.index)
    if coefs:
        c = pd.concat(coefs, axis=1)
        out["addon_coef"] = (c.max(axis=1) if combine == "max" else c.sum(axis=1)).fillna(0.0).astype("float64")
    else:
        out["addon_coef"] = 0.0
    out["addon_groups"] = join_flags(hits, list(hits.columns), "、")
    return out


def _std(ctx) -> dict:
    return ctx.results["_standard"]


def aided_recipients(pool, ctx: Context) -> pd.DataFrame:
    """``recipients="judicial_aid"``: persons with a 检察院 决定救助 record, shaped like screen clues.

    Case type from the linked case's charge (``"unknown"`` without one); role and fault from the
    applicant's own party record in that case; the lookup window starts at the decision month
    (``decided_on``, else ``applied_on``); ``actual_amount`` is the amount paid.
    """
    ja = pool["judicial_aid"]
    ja = ja.loc[(ja["status"] == "决定救助") & (ja["agency"] == "检察院")]
    types = parameter("guanyun", "case_types")
    charge_type = {c: k for k, t in types.items() for c in t.get("charges", [])}
    label = {k: t["label"] for k, t in types.items()}
    charge = ja["case_id"].map(pool["proc_cases"].drop_duplicates("case_id").set_index("case_id")["charge"])
    ctype = charge.map(charge_type).fillna("unknown").astype("str")
    frame = pd.DataFrame({"name": ja["name"], "id_number": ja["id_number"], "source": "judicial_aid",
                          "source_ref": ja["aid_id"], "case_id": ja["case_id"], "charge": charge.astype("str"),
                          "case_date": ja["decided_on"].fillna(ja["applied_on"]).astype("datetime64[us]"),
                          "case_type": ctype, "case_type_label": ctype.map(label).fillna("未知").astype("str"),
                          "actual_amount": ja["amount"]}).reset_index(drop=True)
    pp = pool["proc_parties"]
    pairs = linkage.link(frame, pp, linkage=ctx.param("linkage"), right_cols={"phone_col": None, "address_col": None})
    pairs = pairs.loc[frame.loc[pairs["left"], "case_id"].to_numpy() == pp.loc[pairs["right"], "case_id"].to_numpy()]
    pairs = pairs.drop_duplicates("left")
    frame["role"] = pd.Series(pp.loc[pairs["right"], "role"].to_numpy(), index=pairs["left"].to_numpy()) \
        .reindex(frame.index).astype("str")
    frame["fault"] = pd.Series(pp.loc[pairs["right"], "fault"].to_numpy(), index=pairs["left"].to_numpy()) \
        .reindex(frame.index).astype("str")
    out, _ = _step_lookup(frame, ctx)
    out = out.drop(columns="path_tag")
    out = out.join(case_facts(out, pool, negation=ctx.param("negation"), facts=ctx.param("facts"),
                              death=ctx.param("death")))
    has_fact = out["hardship_facts"] != ""
    out["hardship_basis"] = np.select([out["in_pool"] & has_fact, out["in_pool"], has_fact],
                                      ["registry+case_fact", "registry", "case_fact"], "")
    out = linkage.dedupe_persons(out)
    out["recommended_agencies"] = agencies_for(out)
    ctx.results["_recipient_rows"] = out.index      # the lookup row of each recipient (follow_up)
    return finalize_clues(out, MODEL_SCREEN, extra=_CLUE_EXTRA + ["actual_amount"])


def _lookup_list(ctx) -> pd.DataFrame:
    lm = ctx.results["_lookup_matches"]
    return lm[["source", "source_ref", "registry_record_id", "registry", "grade", "as_of", "in_window", "match",
               "confidence"]].reset_index(drop=True)


def _step_recipients(frame, ctx):
    if ctx.param("recipients") == "judicial_aid":
        clues = aided_recipients(ctx.pool, ctx)
        ctx.results["_screen"] = ModelResult(MODEL_SCREEN, clues, pd.DataFrame(),
                                             {"suggestion_letters": pd.DataFrame(), "lookup_matches": _lookup_list(ctx)})
        return clues, {"decided_by_procuratorate": len(clues)}
    given = ctx.results.get("_given_screen")
    if given is not None:       # amount(screen=result): that run's output, checked in amount
        res, run = given
        lookup_matches, recipient_rows = run.results["_lookup_matches"], run.results["recipient_rows"]
    else:                       # screen(ctx.pool, <the screen's parameters>)
        res, sctx = _run_screen(ctx.pool, _screen_params(ctx.param))
        lookup_matches, recipient_rows = sctx.results["_lookup_matches"], sctx.results["lock"].index
    ctx.results["_screen"] = res
    # for follow_up: the lookup's pairs, and the candidate row (their ``row``) of each clue
    ctx.results["_lookup_matches"] = lookup_matches
    ctx.results["_recipient_rows"] = recipient_rows
    return res.clues.copy(), {"screen_clues": len(res.clues)}


#: the parameters of :func:`screen` that :func:`amount` takes too
_SCREEN_PARAMS = ("linkage", "negation", "snapshot", "window_months", "settlement", "facts", "death")


def _screen_params(param) -> dict:
    """The screen's parameters (``target`` included) among the amount's (``param(name)``)."""
    return {**{k: param(k) for k in _SCREEN_PARAMS}, "target": TARGET}


def _step_base(frame, ctx):
    std = _std(ctx)
    out = frame.copy()
    ct = {k: float(v["value"]) for k, v in std["case_type"]["values"].items()}
    if "unknown" in std["case_type"]:
        ct["unknown"] = float(std["case_type"]["unknown"]["value"])
    out["case_type_coef"] = out["case_type"].map(ct).astype("float64")
    if out["case_type_coef"].isna().any():
        raise ValueError(f"no case-type coefficient for {sorted(set(out.loc[out['case_type_coef'].isna(), 'case_type']))}")
    out["hardship_tier"] = hardship_tier(out, std)
    point = std["hardship"]["point"]["value"]
    tiers = {int(k): _in_range(v["range"], point) for k, v in std["hardship"]["tiers"].items()}
    out["hardship_coef"] = out["hardship_tier"].map(tiers).astype("float64")
    out["benchmark"] = float(ctx.param("benchmark") or std["benchmark"]["value"])
    out["base_amount"] = out["benchmark"] * (out["case_type_coef"] + out["hardship_coef"])
    out["path_tag"] = "tier" + out["hardship_tier"].astype("str")
    return out, {"by_tier": out["hardship_tier"].value_counts().sort_index().to_dict()}


def _step_addon(frame, ctx):
    out = frame.join(addon_coefficients(frame, _std(ctx), combine=ctx.param("addon")))
    out["addon_amount"] = out["benchmark"] * out["addon_coef"]
    return out, {"with_addon": int((out["addon_coef"] > 0).sum())}


def _step_fault(frame, ctx):
    f = _std(ctx)["fault"]
    out = frame.copy()
    out["fault_coef"] = out["fault"].map({k: float(v) for k, v in f["values"].items()}) \
        .fillna(float(f["missing"]["value"])).astype("float64")
    out["uncapped_amount"] = (out["base_amount"] + out["addon_amount"]) * out["fault_coef"]
    return out, {"with_fault_reduction": int((out["fault_coef"] < 1).sum())}


def _formatted(s: pd.Series, spec: str) -> pd.Series:
    """``s.map(spec.format)`` for a float column, formatted once per distinct value (amounts repeat
    per case type × tier class) and spread back by code; equal means bit-equal (-0.0 ≠ 0.0)."""
    bits = s.to_numpy(dtype=np.float64).view(np.int64)
    codes, uniq = pd.factorize(bits)
    text = np.array([spec.format(x) for x in uniq.view(np.float64)], dtype=object)
    return pd.Series(text[codes], index=s.index, dtype="str")


def _step_cap(frame, ctx):
    cap = amount_mod.cap_of(_std(ctx)) if ctx.param("cap") else None
    t = amount_mod.explain_series(frame["benchmark"], frame["case_type_coef"], frame["hardship_coef"],
                                  frame["addon_coef"], frame["fault_coef"], cap)
    out = frame.copy()
    out["cap"] = t["cap"]
    out["capped"] = t["capped"].astype(bool)
    out["amount"] = t["final"].round(2)
    b = _formatted(out["benchmark"], "{:,.0f}")
    out["amount_trace"] = (
        "(" + b + "×(" + out["case_type_coef"].astype("str") + "+" + out["hardship_coef"].astype("str") + ") + "
        + b + "×" + out["addon_coef"].astype("str") + ")×" + out["fault_coef"].astype("str") + " = "
        + _formatted(out["uncapped_amount"], "{:,.2f}")
        + np.where(out["capped"], " > cap " + _formatted(out["cap"], "{:,.0f}") + " → " + _formatted(out["amount"], "{:,.2f}"), "")
    ).astype("str")
    ctx.results["_trace"] = pd.concat([out[["clue_id"]], t], axis=1)
    return out, {"capped": int(out["capped"].sum()), "cap": cap, "total": float(out["amount"].sum())}


def follow_up(frame: pd.DataFrame, pool, *, linkage_mode: str = "id", window_months: int | None = None,
              registry_ids: "pd.Series | None" = None) -> pd.DataFrame:
    """接续救助: recipients on a registry in a snapshot after their lookup window.

    ``status`` is ``"still"`` (found at screening and again later) or ``"newly"`` (not found
    at screening, on a list later); ``later_registries`` the lists, ``new_registries`` those
    not seen at screening, ``last_seen`` the latest snapshot month.
    """
    m = registry_matches(frame, pool, linkage_mode=linkage_mode, window_months=window_months, period="after",
                         registry_ids=registry_ids)
    return _follow_up(frame, m)


def _follow_up(frame: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    """:func:`follow_up` from the ``period="after"`` matches ``m`` of ``frame``."""
    cols = ["clue_id", "name", "id_number", "status", "later_registries", "new_registries", "last_seen",
            "matched_registries", "recommended_agencies"]
    if m.empty:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in cols})
    order = registry_names()
    later = _join_sorted(m["registry"], m["row"], order)
    before = frame["matched_registries"].fillna("").astype("str").str.split("、").explode()
    seen = pd.DataFrame({"row": before.index, "registry": before.to_numpy(), "_seen": True})
    m = m.merge(seen.drop_duplicates(["row", "registry"]), on=["row", "registry"], how="left")
    m["new"] = m["_seen"].isna().to_numpy()
    new = _join_sorted(m.loc[m["new"], "registry"], m.loc[m["new"], "row"], order)
    out = frame.loc[later.index].copy()
    out["later_registries"] = later.reindex(out.index).astype("str")
    out["new_registries"] = new.reindex(out.index).fillna("").astype("str")
    out["last_seen"] = m.groupby("row")["as_of"].max().reindex(out.index).astype("datetime64[us]")
    out["status"] = np.where(out["in_pool"].astype(bool), "still", "newly")
    tmp = out[["new_registries"]].rename(columns={"new_registries": "matched_registries"})
    out["recommended_agencies"] = agencies_for(tmp).where(out["new_registries"] != "", out["recommended_agencies"])
    return out[cols].reset_index(drop=True)


def _after_window(frame: pd.DataFrame, m_all: pd.DataFrame, rows: pd.Index, window_months: int | None) -> pd.DataFrame:
    """The ``period="after"`` matches of ``frame`` (``row``, ``registry``, ``as_of``) read from the
    lookup's matches of every snapshot ``m_all`` (``row``: lookup frame labels): the row at
    position ``k`` of ``frame`` is lookup row ``rows[k]`` (same person record, so the same pairs).
    Ordered as :func:`_registry_matches` orders them (by ``frame`` row, then registry row)."""
    window = int(parameter("guanyun", "lookup_window_months") if window_months is None else window_months)
    k = pd.Index(rows).get_indexer(m_all["row"]) if len(m_all) else np.zeros(0, dtype=np.intp)
    sel = np.flatnonzero(k >= 0)
    sel = sel[np.argsort(k[sel], kind="stable")]           # by recipient; registry order kept within
    start_f = _month_start(frame["case_date"])
    end_f = (start_f + pd.DateOffset(months=window)).astype("datetime64[us]").to_numpy()
    at = k[sel]
    as_of = m_all["as_of"].to_numpy()[sel] if len(sel) else np.zeros(0, dtype="datetime64[us]")
    end = end_f[at]
    keep = ~pd.isna(end) & (as_of > end)
    s = sel[keep]
    return pd.DataFrame({"row": frame.index.take(at[keep]), "registry": m_all["registry"].array.take(s),
                         "as_of": as_of[keep]})


def _step_follow_up(frame, ctx):
    # the screen's lookup linked every candidate to every snapshot: a recipient's later snapshots
    # are read from those pairs (the 5.7 M-row table is not searched again)
    m = _after_window(frame, ctx.results["_lookup_matches"], ctx.results["_recipient_rows"],
                      ctx.param("window_months"))
    fu = _follow_up(frame, m)
    ctx.results["_follow_up"] = fu
    return frame, {"still": int((fu["status"] == "still").sum()), "newly": int((fu["status"] == "newly").sum())}


AMOUNT_STEPS = [
    Step("recipients", "the persons the procuratorate decides to aid (the screen's clues)",
         "检察机关决定开展司法救助的对象", "案例一 模型二 适用对象", _step_recipients),
    Step("base", "base amount = benchmark × (case-type + hardship coefficient)",
         "研判规则一：救助基本金额=救助基准金额×（案件类型系数+生活困难系数）", "案例一 模型二 研判规则一", _step_base),
    Step("addon", "add-on for key groups (k × benchmark)", "研判规则二：救助追加金额的确定", "案例一 模型二 研判规则二", _step_addon),
    Step("fault", "final = (base + add-on) × fault coefficient",
         "研判规则三：过错系数的确定；最终实际救助金额=（基本金额+追加金额）×过错系数", "案例一 模型二 研判规则三; 分析方法", _step_fault),
    Step("cap", "cap at 36 × previous-year local average monthly wage",
         "救助金额以当地上一年度职工月平均工资为基准,一般不超过36个月总额", "seed 003", _step_cap),
    Step("follow_up", "re-query recipients in later monthly snapshots (follow-up aid)",
         "接续救助：通过平台定期对救助对象进行查询，筛查其家庭困难程度有无发生变化", "案例一 类案救助 (二) 接续救助",
         _step_follow_up),
]


def amount(pool, *, linkage: str = "id", negation: str = "plain", snapshot: str = "window",
           window_months: int | None = None, settlement: str = "content", facts: str = "published",
           death: str = "all", recipients: str = "screen", profile: str | None = None,
           benchmark: float | None = None, addon: str | None = None, cap: bool = True,
           overrides: dict | None = None, screen: ModelResult | None = None) -> ModelResult:
    """案例一 模型二 测算救助金额 — an amount for each recipient, with its trace, and 接续救助.

    Recipients are the clues of :func:`screen` (same ``linkage``, ``negation``, ``snapshot``,
    ``window_months``, ``settlement``, ``facts``, ``death``): on a pool the procuratorate's decision is not data,
    so the screen's output stands for 检察机关决定开展司法救助的对象.

    Parameters (besides the screen's)
    ----------
    recipients : ``"screen"`` (default: the screen's clues) or ``"judicial_aid"`` (persons with a
        检察院 决定救助 record — the literal 适用对象 — with ``actual_amount``, to compare the
        standard with what was paid; their lookup window starts at the decision month).
    profile : amount standard ``data/amount/<profile>.yaml``; default the pool's county
        (``pool.meta["county"]``) when it has one, else ``"guanyun"``.
    benchmark : override 救助基准金额 (yuan).
    addon : ``"max"`` (highest applicable group, the file's default) or ``"sum"``.
    cap : apply the 36-month wage cap (seed 003); ``False`` shows the uncapped formula.
    overrides : a dict merged into the standard (a reform), e.g. ``{"fault": {"values": {"同等责任": 0.6}}}``.
    screen : the result of :func:`screen` on this same pool with the same screen parameters
        (``recipients="screen"`` only): its clues are the recipients, so the screen is not run a
        second time. The output is the same as without it; a result from another pool or other
        parameters, or changed after the screen returned it, is a ``ValueError``.

    Clues gain ``case_type_coef``, ``hardship_tier``, ``hardship_coef``, ``addon_groups``,
    ``addon_coef``, ``fault_coef``, ``base_amount``, ``addon_amount``, ``uncapped_amount``,
    ``cap``, ``capped``, ``amount`` and ``amount_trace``. Lists: ``follow_up``,
    ``suggestion_letters`` (from the screen), ``trace`` (every term per clue, from
    :func:`jiuzhu_methods.amount.explain_series`), ``screen_funnel``.
    """
    _check_common(linkage, negation, snapshot, settlement, facts, death)
    if recipients not in RECIPIENTS:
        raise ValueError(f"recipients must be one of {RECIPIENTS}, not {recipients!r}")
    # values from the command line (jiuzhu screen … -p benchmark=5000 -p cap=false) arrive as text
    if isinstance(benchmark, str):
        benchmark = float(benchmark)
    if isinstance(cap, str):
        cap = cap.strip().lower() not in ("false", "0", "no", "off", "")
    if isinstance(window_months, str):
        window_months = int(window_months)
    prof = _profile(pool, profile)
    std = amount_mod.load_standard(prof, overrides)
    if benchmark is not None:
        amount_mod.check_scalar("benchmark", benchmark)
    p = {"linkage": linkage, "negation": negation, "snapshot": snapshot, "window_months": window_months,
         "settlement": settlement, "facts": facts, "death": death, "recipients": recipients, "profile": prof, "benchmark": benchmark, "addon": addon, "cap": cap,
         "overrides": overrides, "target": TARGET}
    ctx = Context(pool, p)
    ctx.results["_standard"] = std
    if screen is not None:
        if recipients != "screen":
            raise ValueError(f'screen= gives the recipients of recipients="screen", not {recipients!r}')
        ctx.results["_given_screen"] = (screen, _given_screen(screen, pool, _screen_params(p.get)))
    frame, funnel, ctx = Pipeline(MODEL_AMOUNT, AMOUNT_STEPS).run(None, ctx)
    screen_res = ctx.results["_screen"]
    clues = frame.copy()
    clues["model"] = MODEL_AMOUNT
    clues["clue_id"] = clues["clue_id"].str.replace(MODEL_SCREEN, MODEL_AMOUNT, regex=False)
    fu = ctx.results["_follow_up"].copy()
    fu["clue_id"] = fu["clue_id"].str.replace(MODEL_SCREEN, MODEL_AMOUNT, regex=False)
    trace = ctx.results["_trace"].copy()
    trace["clue_id"] = trace["clue_id"].str.replace(MODEL_SCREEN, MODEL_AMOUNT, regex=False)
    lists = {"follow_up": fu, "suggestion_letters": screen_res.lists["suggestion_letters"], "trace": trace, "lookup_matches": screen_res.lists["lookup_matches"],
             "screen_funnel": screen_res.funnel}
    return ModelResult(MODEL_AMOUNT, clues.reset_index(drop=True), funnel, lists, p)


__all__ = ["AMOUNT_STEPS", "SCREEN_STEPS", "SnapshotCalendar", "TARGET", "addon_coefficients", "agencies_for", "amount",
           "case_facts", "compensated_rows", "follow_up", "hardship_tier", "paid_enforcements", "params",
           "registry_matches", "registry_names", "screen", "settlement_statements"]
