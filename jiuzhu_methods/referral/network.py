"""转介网络 — do each person's needs reach an agency that serves them?

The published cases all end in 推送/移送: clues are pushed from the procuratorate to the
agencies each county signed a channel with ("1+20+N" in 灌云, "1+1+N" in 乐清, 浙政钉 in 磐安,
joint aid in 单县 and 魏都). This module links persons, cases and agencies in one networkx
graph and measures, for every person with needs, whether each need is referred to an agency
that serves it through a channel that exists (referral coverage), where the chain breaks,
and which channel or service to add next.

Data (``jiuzhu_methods/data/referral/``): ``<county>.yaml`` holds the channels the county
signed and the services each agency provides (need → agencies), quoting the seed or marked
``assumption``; ``common.yaml`` the agency-name aliases, social-aid types → needs and the rule
for non-local persons (seed ``003``); ``letter_template.yaml`` the 社会救助建议函.

The chain of one need of one person, and its stage (first break wins):

``no_clue``       no model produced a clue for the person;
``no_referral``   a clue, but it recommends no agency at all;
``wrong_agency``  referred, but to no agency that serves this need;
``no_channel``    referred to a serving agency, but the county has no channel to it;
``no_feedback``   referred through a channel, but no social aid for this need is recorded;
``transfer_home`` non-local person referred to a serving agency: the case goes to the
                  procuratorate of the home county (seed 003), which coordinates the aid;
``aided``         referred through a channel and social aid for this need is recorded.

A need is *covered* in the last three stages. Persons are keyed by their normalised valid ID
(``identify="id"``); on synthetic pools ``identify="truth"`` keys every record by the hidden
``person_id`` through ``truth_links`` (diagnostics only — models never see it).

Examples
--------
>>> from jiuzhu_methods import network as rn
>>> cfg = rn.load_county("weidu")
>>> sorted(cfg.reachable())[:3]
['人社局', '卫健委', '妇联']
>>> net = rn.build_network(pool, clues, cfg)                   # doctest: +SKIP
>>> rn.coverage_by(net, "need")                                # doctest: +SKIP
>>> rn.what_if(net).head()                                     # doctest: +SKIP
"""
from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..core import identity, yaml_io
from .. import privacy

DATA_DIR = Path(__file__).parent.parent / "data" / "referral"
NEEDS_FILE = Path(__file__).parent.parent / "data" / "needs.yaml"
COUNTIES = ["guanyun", "yueqing", "panan", "shanxian", "weidu"]

#: the stages of a need's chain, in order (see module doc)
STAGES = ["no_clue", "no_referral", "wrong_agency", "no_channel", "no_feedback", "transfer_home", "aided"]
STAGE_ZH = {
    "no_clue": "未形成线索", "no_referral": "线索未推送", "wrong_agency": "推送单位不对口",
    "no_channel": "无联络渠道", "no_feedback": "已推送未见救助", "transfer_home": "移送户籍地",
    "aided": "已获社会救助",
}
COVERED_STAGES = {"no_feedback", "transfer_home", "aided"}
_SPLIT = re.compile(r"[、,，;；/|\s]+")


# =========================================================================== configuration
@lru_cache(maxsize=None)
def _yaml(path: str) -> dict:
    return yaml_io.safe_load(Path(path).read_text(encoding="utf-8"))


def needs_catalogue() -> dict[str, dict]:
    """``data/needs.yaml``: need → {label, agencies, source} (shared, read only)."""
    return copy.deepcopy(_yaml(str(NEEDS_FILE))["needs"])


def common() -> dict:
    """``data/referral/common.yaml`` (hub, aliases, aid types, non-local rule)."""
    return copy.deepcopy(_yaml(str(DATA_DIR / "common.yaml")))


@dataclass(frozen=True)
class ReferralConfig:
    """One county's referral setting: channels (hub → agency, agency → agency) and services
    (need → agency). Immutable; :meth:`with_channel` etc. return modified copies (what-if)."""

    county: str
    county_name: str
    procuratorate: str
    county_code: str
    mechanism: str
    hub: str
    channels: pd.DataFrame   # from, to, via, status, source
    services: pd.DataFrame   # need, agency, status, source
    aliases: dict[str, str] = field(default_factory=dict)
    aid_types: dict[str, str] = field(default_factory=dict)
    need_labels: dict[str, str] = field(default_factory=dict)
    transfer_agencies: frozenset = frozenset()

    # -- reading ------------------------------------------------------------------------
    def agency(self, name: object) -> str | None:
        """Canonical agency name: the county's own name prefix removed (``乐清市民政局`` →
        ``民政局``), aliases applied; ``None`` for blanks."""
        if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
            return None
        s = str(name).strip()
        for pre in self._prefixes():
            if s.startswith(pre) and len(s) > len(pre):
                s = s[len(pre):]
                break
        return self.aliases.get(s, s) or None

    def _prefixes(self) -> list[str]:
        n = self.county_name or ""
        out = [n]
        if "市" in n[:-1]:
            out.append(n.split("市", 1)[1])  # 许昌市魏都区 → 魏都区
        return sorted({p for p in out if p}, key=len, reverse=True)

    def agency_series(self, s: pd.Series) -> pd.Series:
        """:meth:`agency` over a column (once per distinct value)."""
        m = {u: self.agency(u) for u in pd.unique(s.dropna())}
        return s.map(m).astype("str")

    def channel_graph(self) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_node(self.hub)
        g.add_edges_from(zip(self.channels["from"], self.channels["to"]))
        return g

    def reachable(self) -> set[str]:
        """Agencies a referral from the procuratorate reaches through channels (any number of hops)."""
        return set(nx.descendants(self.channel_graph(), self.hub))

    def serve_pairs(self) -> set[tuple[str, str]]:
        return set(zip(self.services["need"], self.services["agency"]))

    def serving(self, need: str) -> list[str]:
        return self.services.loc[self.services["need"] == need, "agency"].tolist()

    def agencies(self) -> list[str]:
        return sorted(set(self.channels["to"]) | set(self.services["agency"]))

    # -- what-if copies -----------------------------------------------------------------
    def with_channel(self, agency: str, *, frm: str | None = None, via: str = "", source: str = "what-if") -> "ReferralConfig":
        row = pd.DataFrame({"from": [frm or self.hub], "to": [agency], "via": [via], "status": ["what-if"],
                            "source": [source]})
        return replace(self, channels=pd.concat([self.channels, row], ignore_index=True))

    def without_channel(self, agency: str) -> "ReferralConfig":
        return replace(self, channels=self.channels[self.channels["to"] != agency].reset_index(drop=True))

    def with_service(self, need: str, agency: str, *, source: str = "what-if") -> "ReferralConfig":
        row = pd.DataFrame({"need": [need], "agency": [agency], "status": ["what-if"], "source": [source]})
        return replace(self, services=pd.concat([self.services, row], ignore_index=True))

    def without_service(self, need: str, agency: str) -> "ReferralConfig":
        keep = ~((self.services["need"] == need) & (self.services["agency"] == agency))
        return replace(self, services=self.services[keep].reset_index(drop=True))

    def channel_table(self) -> pd.DataFrame:
        """Channels with their sources (for display)."""
        return self.channels.rename(columns={"from": "从", "to": "到", "via": "途径", "status": "依据类型",
                                             "source": "出处"})

    def service_table(self) -> pd.DataFrame:
        t = self.services.copy()
        t.insert(1, "need_zh", t["need"].map(self.need_labels).fillna(t["need"]))
        t["channel"] = t["agency"].isin(self.reachable())
        return t


def load_county(county: str, path: str | Path | None = None) -> ReferralConfig:
    """The referral configuration of ``county`` (``guanyun`` … ``weidu``) or of a YAML file.

    Needs a county file does not list take their agencies from ``data/needs.yaml`` (status
    ``needs.yaml``)."""
    p = Path(path) if path else DATA_DIR / f"{county}.yaml"
    if not p.exists():
        raise KeyError(f"no referral data for {county!r}; counties are: {', '.join(COUNTIES)}")
    d = _yaml(str(p))
    com = common()
    hub = com["hub"]["name"]
    aliases = dict(com["aliases"]["map"])
    ch = pd.DataFrame([{"from": aliases.get(c.get("from", hub), c.get("from", hub)),
                        "to": aliases.get(c["to"], c["to"]), "via": c.get("via", ""),
                        "status": c.get("status", "assumption"), "source": str(c.get("source", ""))}
                       for c in d.get("channels", [])], columns=["from", "to", "via", "status", "source"])
    cat = needs_catalogue()
    rows = []
    for need, s in (d.get("services") or {}).items():
        for a in s["agencies"]:
            rows.append({"need": need, "agency": aliases.get(a, a), "status": s.get("status", "assumption"),
                         "source": str(s.get("source", ""))})
    listed = {r["need"] for r in rows}
    for need, s in cat.items():
        if need not in listed:
            for a in s["agencies"]:
                rows.append({"need": need, "agency": a, "status": "needs.yaml", "source": str(s.get("source", ""))})
    sv = pd.DataFrame(rows, columns=["need", "agency", "status", "source"]).drop_duplicates(["need", "agency"])
    labels = {k: v.get("label", k) for k, v in cat.items()}
    labels.update({"housing": "住房救助", "legal": "法律援助"})
    return ReferralConfig(county=d["county"], county_name=d.get("county_name", county),
                          procuratorate=d.get("procuratorate", hub), county_code=str(d.get("county_code", "")),
                          mechanism=d.get("mechanism", ""), hub=hub, channels=ch.reset_index(drop=True),
                          services=sv.reset_index(drop=True), aliases=aliases,
                          aid_types=dict(com["aid_types"]["map"]), need_labels=labels,
                          transfer_agencies=frozenset(com.get("transfer_agencies", {}).get("names", [])))


# =========================================================================== persons
def _split_list(s: pd.Series) -> pd.Series:
    """``"a、b"`` → ``["a", "b"]`` per row (empty list for blanks)."""
    return s.astype("object").where(s.notna(), "").map(lambda v: [x for x in _SPLIT.split(str(v)) if x])


def _resolve_identify(pool, identify: str) -> str:
    if identify not in ("auto", "id", "truth"):
        raise ValueError(f"identify must be 'auto', 'id' or 'truth', not {identify!r}")
    has = bool(getattr(pool, "truth", None)) and "truth_links" in pool.truth
    if identify == "auto":
        return "truth" if has else "id"
    if identify == "truth" and not has:
        raise ValueError("identify='truth' needs a synthetic pool with truth_links")
    return identify


_FIELD_PRIORITY = {"person": 0, "applicant": 1, "party": 2}


def _truth_link_map(pool, table: str | None = None, fields: tuple[str, ...] | None = None) -> pd.DataFrame:
    """truth_links as (source, source_ref) → person_id, one row per record (preferring the
    ``person``/``applicant`` field group when a record carries several persons)."""
    tl = pool.truth["truth_links"]
    if table is not None:
        tl = tl[tl["source"] == table]
    if fields is not None:
        sub = tl[tl["field"].isin(fields)]
        if len(sub) or not len(tl):
            tl = sub
    pr = tl["field"].map(_FIELD_PRIORITY).fillna(9)
    tl = tl.assign(_p=pr.to_numpy()).sort_values(["source", "source_ref", "_p"], kind="stable")
    return tl.drop_duplicates(["source", "source_ref"])[["source", "source_ref", "person_id"]]


def _truth_id_map(pool) -> pd.Series:
    """valid normalised ID → truth person_id."""
    tp = pool.truth.get("truth_persons")
    if tp is None or not len(tp):
        return pd.Series(dtype="str")
    ids = identity.usable_ids(tp["id_number"])
    m = pd.Series(tp["person_id"].to_numpy(), index=ids.to_numpy())
    return m[m.index.notna()].groupby(level=0).first()


def person_keys(pool, table: str, frame: pd.DataFrame, *, ref_col: str, id_col: str = "id_number",
                identify: str = "auto", fields: tuple[str, ...] | None = None) -> pd.Series:
    """The person key of every row of ``frame`` (rows of contract table ``table``).

    ``identify="id"``: the normalised valid ID (missing when invalid). ``"truth"``: the
    truth ``person_id`` of the record through ``truth_links`` (falling back to the valid ID
    looked up in ``truth_persons``).
    """
    mode = _resolve_identify(pool, identify)
    ids = identity.usable_ids(frame[id_col]) if id_col in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="str")
    if mode == "id":
        return ids.astype("str")
    lm = _truth_link_map(pool, table, fields)
    ref = frame[ref_col].astype("str")
    via_link = ref.map(pd.Series(lm["person_id"].to_numpy(), index=lm["source_ref"].astype("str").to_numpy()))
    via_id = ids.map(_truth_id_map(pool))
    return via_link.where(via_link.notna(), via_id).astype("str")


def clue_keys(pool, clues: pd.DataFrame, *, identify: str = "auto") -> pd.Series:
    """The person key of every clue (``source``/``source_ref`` → truth_links on synthetic pools)."""
    mode = _resolve_identify(pool, identify)
    ids = identity.usable_ids(clues["id_number"]) if len(clues) else pd.Series([], dtype="str")
    if mode == "id" or not len(clues):
        return ids.astype("str")
    lm = _truth_link_map(pool)
    key = clues["source"].astype("str") + "\x1f" + clues["source_ref"].astype("str")
    lk = pd.Series(lm["person_id"].to_numpy(), index=(lm["source"].astype("str") + "\x1f" + lm["source_ref"].astype("str")).to_numpy())
    via_link = key.map(lk)
    via_id = ids.map(_truth_id_map(pool))
    return via_link.where(via_link.notna(), via_id).astype("str")


def person_needs(pool, cfg: ReferralConfig, *, identify: str = "auto", needs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (person, need): ``person, need, judicial_aid_eligible, social_aid_eligible``.

    ``needs`` (real data: verified needs) has ``id_number`` (or ``person``) and ``need`` (one
    need or a comma list). Without it, a synthetic pool's ``truth_victims`` gives the needs.
    """
    cols = ["person", "need", "judicial_aid_eligible", "social_aid_eligible"]
    mode = _resolve_identify(pool, identify) if needs is None else identify
    if needs is not None:
        nd = needs.copy()
        if "person" not in nd.columns:
            nd["person"] = identity.usable_ids(nd["id_number"]).astype("str")
        for c in ("judicial_aid_eligible", "social_aid_eligible"):
            if c not in nd.columns:
                nd[c] = True
    else:
        tv = pool.truth.get("truth_victims") if getattr(pool, "truth", None) else None
        if tv is None:
            return pd.DataFrame(columns=cols)
        nd = tv[["person_id", "needs", "judicial_aid_eligible", "social_aid_eligible"]].rename(
            columns={"person_id": "person", "needs": "need"})
        if mode == "id":
            tp = pool.truth["truth_persons"]
            m = pd.Series(identity.usable_ids(tp["id_number"]).to_numpy(), index=tp["person_id"].to_numpy())
            nd["person"] = nd["person"].map(m)
    nd = nd[nd["person"].notna()].copy()
    nd["need"] = _split_list(nd["need"])
    nd = nd.explode("need")
    nd = nd[nd["need"].notna() & (nd["need"].astype("str") != "")]
    nd["need"] = nd["need"].astype("str").str.strip()
    out = nd.groupby(["person", "need"], as_index=False, sort=True).agg(
        judicial_aid_eligible=("judicial_aid_eligible", "max"), social_aid_eligible=("social_aid_eligible", "max"))
    for c in ("judicial_aid_eligible", "social_aid_eligible"):
        out[c] = out[c].fillna(False).astype(bool)
    out["person"] = out["person"].astype("str")
    return out[cols].reset_index(drop=True)


def _persons_table(pool, cfg: ReferralConfig, mode: str, keys: pd.Series, clues: pd.DataFrame) -> pd.DataFrame:
    """person → display name, id_number, local, home_code (for every key)."""
    keys = pd.Series(pd.unique(keys.dropna().astype("str")), dtype="str")
    df = pd.DataFrame({"person": keys})
    name = pd.Series(dtype="str")
    idn = pd.Series(dtype="str")
    if len(clues):
        c = clues[clues["person"].notna()].drop_duplicates("person")
        name = pd.Series(c["name"].astype("str").to_numpy(), index=c["person"].to_numpy())
        idn = pd.Series(identity.normalise_series(c["id_number"]).to_numpy(), index=c["person"].to_numpy())
    truth_local = None
    if mode == "truth" and "truth_persons" in pool.truth:
        tp = pool.truth["truth_persons"].drop_duplicates("person_id")
        tname = pd.Series(tp["name"].astype("str").to_numpy(), index=tp["person_id"].to_numpy())
        tid = pd.Series(tp["id_number"].astype("str").to_numpy(), index=tp["person_id"].to_numpy())
        name = name.combine_first(tname) if len(name) else tname
        idn = idn.where(idn.notna()).combine_first(tid) if len(idn) else tid
        if "local" in tp.columns:
            truth_local = pd.Series(tp["local"].astype(bool).to_numpy(), index=tp["person_id"].to_numpy())
    if mode == "id":  # names of persons without a clue: from any record carrying their valid ID
        recs = [(t, "id_number", "name") for t in ("proc_parties", "court_parties", "petitions", "judicial_aid",
                                                   "social_aid", "registries")] + \
               [("court_enforcements", "applicant_id_number", "applicant_name")]
        parts = [pd.DataFrame({"id": identity.usable_ids(pool[t][i]).to_numpy(), "name": pool[t][n].astype("str").to_numpy()})
                 for t, i, n in recs if len(pool[t])]
        if parts:
            allnames = pd.concat(parts, ignore_index=True).dropna().drop_duplicates("id")
            other = pd.Series(allnames["name"].to_numpy(), index=allnames["id"].to_numpy())
            name = name.combine_first(other) if len(name) else other
    df["name"] = df["person"].map(name).astype("str")
    if mode == "id":
        df["id_number"] = df["person"]
    else:
        df["id_number"] = df["person"].map(idn).astype("str")
    df["home_code"] = df["id_number"].str.slice(0, 6)
    by_prefix = (df["home_code"] == cfg.county_code) | df["home_code"].isna()
    if truth_local is not None:
        df["local"] = df["person"].map(truth_local).fillna(by_prefix).astype(bool)
    else:
        df["local"] = by_prefix.astype(bool)
    return df


# =========================================================================== referrals and aid
def referrals_from_clues(clues: pd.DataFrame, cfg: ReferralConfig) -> pd.DataFrame:
    """One row per (clue, recommended agency); clues without an agency are left out."""
    cols = ["clue_id", "model", "person", "name", "id_number", "source", "source_ref", "agency"]
    if not len(clues):
        return pd.DataFrame(columns=cols)
    r = clues[["clue_id", "model", "person", "name", "id_number", "source", "source_ref"]].copy()
    r["agency"] = _split_list(clues["recommended_agencies"] if "recommended_agencies" in clues.columns
                              else pd.Series("", index=clues.index))
    r = r.explode("agency")
    r = r[r["agency"].notna()]
    r["agency"] = cfg.agency_series(r["agency"])
    return r[cols].drop_duplicates(["clue_id", "agency"]).reset_index(drop=True)


def referrals_on_needs(clues: pd.DataFrame, needs: pd.DataFrame, cfg: ReferralConfig) -> pd.DataFrame:
    """Policy ``"needs"``: every clue is referred to every agency that serves one of its
    person's (verified) needs — what the pilot team would do after checking the needs."""
    cols = ["clue_id", "model", "person", "name", "id_number", "source", "source_ref", "agency"]
    if not len(clues) or not len(needs):
        return pd.DataFrame(columns=cols)
    m = clues[cols[:-1]].merge(needs[["person", "need"]], on="person").merge(cfg.services[["need", "agency"]], on="need")
    return m[cols].drop_duplicates(["clue_id", "agency"]).reset_index(drop=True)


def social_aid_needs(pool, cfg: ReferralConfig, *, identify: str = "auto") -> pd.DataFrame:
    """Recorded social aid as (person, need, agency, aid_type, granted_on, record_id)."""
    sa = pool["social_aid"]
    if not len(sa):
        return pd.DataFrame(columns=["person", "need", "agency", "aid_type", "granted_on", "record_id"])
    out = pd.DataFrame({"person": person_keys(pool, "social_aid", sa, ref_col="record_id", identify=identify).to_numpy(),
                        "aid_type": sa["aid_type"].astype("str").to_numpy(),
                        "agency": cfg.agency_series(sa["agency"]).to_numpy(),
                        "granted_on": sa["granted_on"].to_numpy(), "record_id": sa["record_id"].astype("str").to_numpy()})
    out["need"] = out["aid_type"].map(cfg.aid_types)
    return out[out["person"].notna()].reset_index(drop=True)


# =========================================================================== assessment
def assess(needs: pd.DataFrame, referrals: pd.DataFrame, cfg: ReferralConfig, *, clue_persons=None,
           aided: pd.DataFrame | None = None, local: pd.Series | None = None,
           nonlocal_policy: str = "transfer") -> pd.DataFrame:
    """The chain stage of every (person, need). Pure and vectorised (used by the what-if).

    ``needs``: person, need (+ eligibility). ``referrals``: person, agency (+ model).
    ``clue_persons``: persons with any clue (default: persons in ``referrals``).
    ``aided``: person, need pairs with recorded social aid. ``local``: person → bool.
    Returns ``needs`` with ``stage``, ``covered`` and ``via`` (agencies that cover the need).
    """
    if nonlocal_policy not in ("transfer", "local"):
        raise ValueError("nonlocal_policy must be 'transfer' or 'local'")
    nd = needs.reset_index(drop=True).copy()
    if not len(nd):
        return nd.assign(local=pd.Series(dtype=bool), stage=pd.Series(dtype="str"), covered=pd.Series(dtype=bool),
                         via=pd.Series(dtype="str"))
    cp = set(referrals["person"].dropna()) if clue_persons is None else set(pd.Series(list(clue_persons)).dropna())
    reach = cfg.reachable()
    serve = pd.DataFrame(list(cfg.serve_pairs()), columns=["need", "agency"]).assign(_serves=True)
    r = referrals[["person", "agency"]].dropna().drop_duplicates()
    m = nd[["person", "need"]].reset_index().merge(r, on="person", how="left")
    m = m.merge(serve, on=["need", "agency"], how="left")
    m["_serves"] = m["_serves"].fillna(False).astype(bool)
    loc = (nd["person"].map(local) if local is not None else pd.Series(True, index=nd.index)).fillna(True).astype(bool)
    m["_local"] = m["index"].map(loc).astype(bool)
    m["_chan"] = m["agency"].isin(reach)
    transfer = (~m["_local"]) & (nonlocal_policy == "transfer")
    # a non-local person's case transferred to the home procuratorate reaches every need (seed 003)
    m["_serves"] = m["_serves"] | (transfer & m["agency"].isin(cfg.transfer_agencies))
    m["_ok"] = m["_serves"] & (m["_chan"] | transfer)
    g = m.groupby("index")
    any_ref = g["agency"].count() > 0
    any_serve = g["_serves"].any()
    any_ok = g["_ok"].any()
    ok = m[m["_ok"]]
    via = ok.groupby("index")["agency"].agg(lambda s: "、".join(sorted(set(s))))
    idx = nd.index
    has_clue = nd["person"].isin(cp).to_numpy()
    any_ref = any_ref.reindex(idx, fill_value=False).to_numpy()
    any_serve = any_serve.reindex(idx, fill_value=False).to_numpy()
    any_ok = any_ok.reindex(idx, fill_value=False).to_numpy()
    if aided is not None and len(aided):
        ap = aided[["person", "need"]].dropna().drop_duplicates().assign(_aided=True)
        is_aided = nd[["person", "need"]].merge(ap, on=["person", "need"], how="left")["_aided"].fillna(False).astype(bool).to_numpy()
    else:
        is_aided = np.zeros(len(nd), dtype=bool)
    nonloc = (~loc).to_numpy() & (nonlocal_policy == "transfer")
    stage = np.select(
        [~has_clue, ~any_ref, ~any_serve, ~any_ok, is_aided, nonloc],
        ["no_clue", "no_referral", "wrong_agency", "no_channel", "aided", "transfer_home"], default="no_feedback")
    nd["local"] = loc.to_numpy()
    nd["stage"] = pd.Series(stage, index=idx, dtype="str")
    nd["covered"] = nd["stage"].isin(COVERED_STAGES)
    nd["via"] = via.reindex(idx).fillna("").astype("str")
    return nd


# =========================================================================== the network
@dataclass
class ReferralNetwork:
    """Everything the diagnostics read. Build it with :func:`build_network`."""

    cfg: ReferralConfig
    identify: str
    policy: str
    nonlocal_policy: str
    clues: pd.DataFrame          # the clues, with ``person``
    referrals: pd.DataFrame      # clue × agency, with ``person``
    needs: pd.DataFrame          # person × need
    persons: pd.DataFrame        # person → name, id_number, home_code, local
    social_aid: pd.DataFrame     # person × need × agency
    judicial_aid: pd.DataFrame   # person × aid_id …
    assessment: pd.DataFrame     # person × need with stage/covered/via
    graph: nx.MultiDiGraph | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def local(self) -> pd.Series:
        return pd.Series(self.persons["local"].to_numpy(), index=self.persons["person"].to_numpy())

    def reassess(self, cfg: ReferralConfig | None = None, referrals: pd.DataFrame | None = None,
                 clue_persons=None) -> pd.DataFrame:
        """:func:`assess` with another configuration or referral set (the rest unchanged)."""
        refs = self.referrals if referrals is None else referrals
        cp = set(self.clues["person"].dropna()) if clue_persons is None else clue_persons
        return assess(self.needs, refs, cfg or self.cfg, clue_persons=cp, aided=self.social_aid,
                      local=self.local, nonlocal_policy=self.nonlocal_policy)

    def __repr__(self) -> str:
        cov = self.assessment["covered"].mean() if len(self.assessment) else float("nan")
        return (f"ReferralNetwork({self.cfg.county}: {len(self.clues)} clues, {len(self.referrals)} referrals, "
                f"{self.assessment['person'].nunique() if len(self.assessment) else 0} persons with needs, "
                f"coverage {cov:.2f})")


def county_models(county: str) -> list[str]:
    """The clue-producing models of a county (``guanyun.amount`` computes amounts, not clues)."""
    from ..registry import MODELS

    return [m for m in MODELS if m.split(".")[0] == county and m != "guanyun.amount"]


def collect_clues(pool, models: list[str] | None = None, *, county: str | None = None, **params: Any) -> pd.DataFrame:
    """Run ``models`` (default: the county's own) and stack their clues. A model that is not
    available or fails is skipped with a warning (listed in ``.attrs["skipped"]``)."""
    county = county or (pool.meta.get("county") if getattr(pool, "meta", None) else None)
    models = list(models) if models is not None else county_models(str(county))
    frames, skipped = [], {}
    for name in models:
        try:
            try:
                from ..reporting.report import run as _run
            except ImportError:  # pragma: no cover
                from ..registry import run_model as _run
            res = _run(name, pool, **params)
            c = res.clues.copy()
            c["model"] = name
            frames.append(c)
        except Exception as exc:  # a missing or failing model leaves the network without its clues
            skipped[name] = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"model {name} skipped: {skipped[name]}", stacklevel=2)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["clue_id", "model", "name", "id_number", "source", "source_ref", "recommended_agencies"])
    out.attrs["skipped"] = skipped
    return out


def build_network(pool, clues: pd.DataFrame, cfg: ReferralConfig | str | None = None, *,
                  needs: pd.DataFrame | None = None, identify: str = "auto", policy: str = "recommended",
                  nonlocal_policy: str = "transfer", graph: bool = True) -> ReferralNetwork:
    """Link persons, cases and agencies and assess every need.

    ``clues``: stacked model clues (:func:`collect_clues`). ``cfg``: a :class:`ReferralConfig`
    or county name (default ``pool.meta["county"]``). ``needs``: verified needs (real data);
    default the truth on synthetic pools. ``policy``: ``"recommended"`` (referred-to edges are
    the clues' ``recommended_agencies``, as the models push) or ``"needs"`` (each clue referred
    to every agency serving its person's needs). ``nonlocal_policy``: ``"transfer"`` (seed
    003: non-local persons go to the home county's procuratorate) or ``"local"``.
    ``graph=False`` skips the networkx graph (tables only).
    """
    if policy not in ("recommended", "needs"):
        raise ValueError("policy must be 'recommended' or 'needs'")
    if cfg is None or isinstance(cfg, str):
        cfg = load_county(cfg or str(pool.meta.get("county")))
    mode = _resolve_identify(pool, identify) if needs is None else ("id" if identify == "auto" else identify)
    clues = clues.reset_index(drop=True).copy()
    for c in ("clue_id", "model", "name", "id_number", "source", "source_ref"):
        if c not in clues.columns:
            clues[c] = pd.Series([None] * len(clues), dtype="object")
    clues["person"] = clue_keys(pool, clues, identify=mode).to_numpy() if len(clues) else pd.Series([], dtype="str")
    nd = person_needs(pool, cfg, identify=mode, needs=needs)
    refs = referrals_from_clues(clues, cfg) if policy == "recommended" else referrals_on_needs(clues, nd, cfg)
    sa = social_aid_needs(pool, cfg, identify=mode)
    ja = pool["judicial_aid"]
    jad = pd.DataFrame({"person": person_keys(pool, "judicial_aid", ja, ref_col="aid_id", identify=mode).to_numpy(),
                        "aid_id": ja["aid_id"].astype("str").to_numpy(), "agency": ja["agency"].astype("str").to_numpy(),
                        "status": ja["status"].astype("str").to_numpy(), "amount": ja["amount"].to_numpy(),
                        "decided_on": ja["decided_on"].to_numpy(), "case_id": ja["case_id"].to_numpy()})
    keys = pd.concat([nd["person"], clues["person"], sa["person"], jad["person"]], ignore_index=True)
    persons = _persons_table(pool, cfg, mode, keys, clues)
    local = pd.Series(persons["local"].to_numpy(), index=persons["person"].to_numpy())
    a = assess(nd, refs, cfg, clue_persons=set(clues["person"].dropna()), aided=sa, local=local,
               nonlocal_policy=nonlocal_policy)
    net = ReferralNetwork(cfg=cfg, identify=mode, policy=policy, nonlocal_policy=nonlocal_policy, clues=clues,
                          referrals=refs, needs=nd, persons=persons, social_aid=sa, judicial_aid=jad, assessment=a,
                          meta={"skipped_models": dict(clues.attrs.get("skipped", {})),
                                "unidentified_clues": int(clues["person"].isna().sum()),
                                "needs_source": "verified" if needs is not None else "truth",
                                "reference_date": str(getattr(pool, "meta", {}).get("reference_date") or ""),
                                # rows of the record keys that hold an ID (real exports): what
                                # the masked lists and letters show instead of the key
                                "record_keys": privacy.record_keys(
                                    pool, sorted(set(clues["source"].dropna().astype("str")) | {"judicial_aid"}))})
    if graph:
        net.graph = build_graph(pool, net)
    return net


def build_graph(pool, net: ReferralNetwork) -> nx.MultiDiGraph:
    """The person–case–agency graph (a :class:`networkx.MultiDiGraph`, edge key = kind).

    Nodes (``type``): ``agency`` (``A:<name>``; the procuratorate is ``A:检察院``, ``hub``),
    ``person`` (``P:<key>``, masked ``label``, ``needs``, ``local``), ``case`` (``C:`` 检察案件,
    ``J:`` 判决, ``E:`` 执行案件, ``Q:`` 信访), ``registry`` (``G:<名单>``).
    Edges (key): ``party_of`` person → case; ``registered_in`` person → registry and
    ``kept_by`` registry → agency; ``judicial_aid`` / ``social_aid`` person → agency
    (aided-by); ``referral`` person → agency (``models``, ``clue_ids``, ``n``);
    ``channel`` agency → agency (``via``, ``status``).
    """
    cfg, mode = net.cfg, net.identify
    g = nx.MultiDiGraph(county=cfg.county, hub=f"A:{cfg.hub}", identify=mode)
    agencies = set(cfg.agencies()) | set(net.referrals["agency"]) | set(net.social_aid["agency"].dropna()) \
        | set(net.judicial_aid["agency"].dropna()) | set(pool["registries"]["agency"].dropna().astype("str"))
    reach = cfg.reachable()
    g.add_node(f"A:{cfg.hub}", type="agency", label=cfg.hub, hub=True, channel=True)
    g.add_nodes_from((f"A:{a}", {"type": "agency", "label": a, "hub": a == cfg.hub, "channel": a in reach})
                     for a in sorted(agencies) if a != cfg.hub)
    # persons (masked labels)
    p = net.persons
    lab = (identity.mask_name_series(p["name"]).fillna("?") + " " + privacy.mask_id_series(p["id_number"]).fillna("")).str.strip()
    needs = net.needs.groupby("person")["need"].agg(list)
    g.add_nodes_from((f"P:{k}", {"type": "person", "label": l, "local": bool(lo), "needs": needs.get(k, [])})
                     for k, l, lo in zip(p["person"], lab, p["local"]))
    # channels
    g.add_edges_from((f"A:{f}", f"A:{t}", "channel", {"kind": "channel", "via": v, "status": s})
                     for f, t, v, s in zip(cfg.channels["from"], cfg.channels["to"], cfg.channels["via"], cfg.channels["status"]))
    # referrals
    r = net.referrals[net.referrals["person"].notna()]
    if len(r):
        agg = r.groupby(["person", "agency"]).agg(models=("model", lambda s: sorted(set(s))),
                                                   clue_ids=("clue_id", list), n=("clue_id", "size")).reset_index()
        g.add_edges_from((f"P:{pp}", f"A:{a}", "referral", {"kind": "referral", "models": m, "clue_ids": c, "n": int(n)})
                         for pp, a, m, c, n in zip(agg["person"], agg["agency"], agg["models"], agg["clue_ids"], agg["n"]))
    # aided-by
    sa = net.social_aid
    if len(sa):
        agg = sa.groupby(["person", "agency"]).agg(aid_types=("aid_type", lambda s: sorted(set(s))), n=("record_id", "size")).reset_index()
        g.add_edges_from((f"P:{pp}", f"A:{a}", "social_aid", {"kind": "social_aid", "aid_types": t, "n": int(n)})
                         for pp, a, t, n in zip(agg["person"], agg["agency"], agg["aid_types"], agg["n"]))
    ja = net.judicial_aid[net.judicial_aid["person"].notna()]
    if len(ja):
        agg = ja.groupby(["person", "agency"]).agg(statuses=("status", lambda s: sorted(set(s))), n=("aid_id", "size")).reset_index()
        g.add_edges_from((f"P:{pp}", f"A:{a}", "judicial_aid", {"kind": "judicial_aid", "statuses": s, "n": int(n)})
                         for pp, a, s, n in zip(agg["person"], agg["agency"], agg["statuses"], agg["n"]))
    # party-of
    parts = []
    pp = pool["proc_parties"]
    if len(pp):
        parts.append(pd.DataFrame({"person": person_keys(pool, "proc_parties", pp, ref_col="record_id", identify=mode).to_numpy(),
                                   "case": ("C:" + pp["case_id"].astype("str")).to_numpy(), "role": pp["role"].astype("str").to_numpy()}))
    cp = pool["court_parties"]
    if len(cp):
        parts.append(pd.DataFrame({"person": person_keys(pool, "court_parties", cp, ref_col="record_id", identify=mode).to_numpy(),
                                   "case": ("J:" + cp["judgment_id"].astype("str")).to_numpy(), "role": cp["role"].astype("str").to_numpy()}))
    ce = pool["court_enforcements"]
    if len(ce):
        for fld, idc, role in (("applicant", "applicant_id_number", "申请执行人"), ("respondent", "respondent_id_number", "被执行人")):
            parts.append(pd.DataFrame({"person": person_keys(pool, "court_enforcements", ce, ref_col="enforcement_id", id_col=idc,
                                                             identify=mode, fields=(fld,)).to_numpy(),
                                       "case": ("E:" + ce["enforcement_id"].astype("str")).to_numpy(), "role": role}))
    pt = pool["petitions"]
    if len(pt):
        parts.append(pd.DataFrame({"person": person_keys(pool, "petitions", pt, ref_col="petition_id", identify=mode).to_numpy(),
                                   "case": ("Q:" + pt["petition_id"].astype("str")).to_numpy(), "role": "信访人"}))
    if parts:
        pe = pd.concat(parts, ignore_index=True)
        pe = pe[pe["person"].notna()].drop_duplicates(["person", "case"])
        known = set(p["person"])
        new = sorted(set(pe["person"]) - known)
        g.add_nodes_from((f"P:{k}", {"type": "person", "label": "", "local": True, "needs": []}) for k in new)
        g.add_nodes_from((c, {"type": "case", "label": c}) for c in pe["case"].unique())
        g.add_edges_from((f"P:{a}", c, "party_of", {"kind": "party_of", "role": ro})
                         for a, c, ro in zip(pe["person"], pe["case"], pe["role"]))
    # registered-in
    rg = pool["registries"]
    if len(rg):
        rk = pd.DataFrame({"person": person_keys(pool, "registries", rg, ref_col="record_id", identify=mode).to_numpy(),
                           "registry": rg["registry"].astype("str").to_numpy(), "agency": rg["agency"].astype("str").to_numpy()})
        rk = rk[rk["person"].notna()].drop_duplicates(["person", "registry"])
        new = sorted(set(rk["person"]) - set(n[2:] for n in g.nodes if n.startswith("P:")))
        g.add_nodes_from((f"P:{k}", {"type": "person", "label": "", "local": True, "needs": []}) for k in new)
        regs = rk.drop_duplicates("registry")
        g.add_nodes_from((f"G:{x}", {"type": "registry", "label": x}) for x in regs["registry"])
        g.add_edges_from((f"G:{x}", f"A:{a}", "kept_by", {"kind": "kept_by"}) for x, a in zip(regs["registry"], regs["agency"]))
        g.add_edges_from((f"P:{a}", f"G:{x}", "registered_in", {"kind": "registered_in"}) for a, x in zip(rk["person"], rk["registry"]))
    return g


# =========================================================================== diagnostics
def _share(num, den):
    return np.where(np.asarray(den) > 0, np.asarray(num, dtype=float) / np.maximum(np.asarray(den, dtype=float), 1), np.nan)


def coverage_by(net: ReferralNetwork, by: str = "need") -> pd.DataFrame:
    """Referral coverage: the share of needs referred to an agency that serves them (through a
    channel, or by transfer to the home county).

    ``by="need"``: per need, with the count of every chain stage. ``by="model"``: per model,
    counting only that model's clues and referrals (denominator: all needs). ``by="agency"``:
    per agency, the needs it serves (``needs_served``), how many of those were referred to it
    and how many it covers. ``by="local"`` splits local and non-local persons. ``by="total"``.
    """
    a = net.assessment
    lab = net.cfg.need_labels
    if by in ("need", "local", "total"):
        key = {"need": ["need"], "local": ["local"], "total": []}[by]
        if not len(a):
            return pd.DataFrame(columns=key + ["needs", "covered", "coverage"] + STAGES)
        grp = a.assign(_all="all").groupby(key or ["_all"])
        out = grp.agg(persons=("person", "nunique"), needs=("stage", "size"), covered=("covered", "sum")).reset_index()
        st = a.assign(_all="all").pivot_table(index=key or ["_all"], columns="stage", values="person", aggfunc="size", fill_value=0)
        st = st.reindex(columns=STAGES, fill_value=0).reset_index()
        out = out.merge(st, on=key or ["_all"])
        out["coverage"] = _share(out["covered"], out["needs"])
        if by == "need":
            out.insert(1, "need_zh", out["need"].map(lab).fillna(out["need"]))
        out = out.drop(columns=["_all"], errors="ignore")
        return out
    if by == "model":
        rows = []
        total = len(a)
        for m in sorted(net.clues["model"].dropna().unique()):
            cm = net.clues[net.clues["model"] == m]
            rm = net.referrals[net.referrals["model"] == m]
            am = net.reassess(referrals=rm, clue_persons=set(cm["person"].dropna()))
            rows.append({"model": m, "clues": len(cm), "referrals": len(rm),
                         "persons_with_needs_found": int(am.loc[am["stage"] != "no_clue", "person"].nunique()),
                         "needs": total, "covered": int(am["covered"].sum())})
        rows.append({"model": "全部模型 (all)", "clues": len(net.clues), "referrals": len(net.referrals),
                     "persons_with_needs_found": int(a.loc[a["stage"] != "no_clue", "person"].nunique()) if total else 0,
                     "needs": total, "covered": int(a["covered"].sum()) if total else 0})
        out = pd.DataFrame(rows)
        out["coverage"] = _share(out["covered"], out["needs"])
        return out
    if by == "agency":
        cfg = net.cfg
        reach = cfg.reachable()
        sv = cfg.services[["need", "agency"]]
        pn = a[["person", "need", "local"]].merge(sv, on="need")
        refs = net.referrals[["person", "agency"]].drop_duplicates().assign(_ref=True)
        pn = pn.merge(refs, on=["person", "agency"], how="left")
        pn["_ref"] = pn["_ref"].fillna(False).astype(bool)
        pn["_cov"] = pn["_ref"] & (pn["agency"].isin(reach) | ((~pn["local"]) & (net.nonlocal_policy == "transfer")))
        out = pn.groupby("agency").agg(needs_served=("need", "size"), referred=("_ref", "sum"), covered=("_cov", "sum")).reset_index()
        allr = net.referrals.groupby("agency").agg(referrals=("clue_id", "size"), persons=("person", "nunique")).reset_index()
        out = out.merge(allr, on="agency", how="outer").fillna({"needs_served": 0, "referred": 0, "covered": 0,
                                                                 "referrals": 0, "persons": 0})
        for c in ("needs_served", "referred", "covered", "referrals", "persons"):
            out[c] = out[c].astype(int)
        out["serves"] = out["agency"].map(sv.groupby("agency")["need"].agg(lambda s: "、".join(lab.get(x, x) for x in s))).fillna("")
        out["channel"] = out["agency"].isin(reach)
        out["coverage"] = _share(out["covered"], out["needs_served"])
        return out.sort_values(["covered", "referrals"], ascending=False).reset_index(drop=True)
    raise ValueError("by must be 'need', 'model', 'agency', 'local' or 'total'")


def coverage_from_graph(net: ReferralNetwork) -> pd.DataFrame:
    """Coverage read off the graph itself (a cross-check of :func:`assess`): a need of a person
    is covered when a ``referral`` edge leads from the person to an agency that serves the need
    and a path of ``channel`` edges leads from the procuratorate to that agency — or, for a
    non-local person under the transfer rule, to a serving or transfer agency at all.
    Returns ``person, need, covered``."""
    g = net.graph
    if g is None:
        raise ValueError("this network was built with graph=False")
    cfg = net.cfg
    ch = nx.DiGraph()
    ch.add_node(g.graph["hub"])
    ch.add_edges_from((u, v) for u, v, k in g.edges(keys=True) if k == "channel")
    reach = {n[2:] for n in nx.descendants(ch, g.graph["hub"])}
    serve = cfg.serve_pairs()
    rows = []
    for node, d in g.nodes(data=True):
        if d.get("type") != "person" or not d.get("needs"):
            continue
        refs = {v[2:] for _, v, k in g.out_edges(node, keys=True) if k == "referral"}
        transfer = (not d.get("local", True)) and net.nonlocal_policy == "transfer"
        for need in d["needs"]:
            ok = any(((need, a) in serve or (transfer and a in cfg.transfer_agencies)) and (a in reach or transfer)
                     for a in refs)
            rows.append({"person": node[2:], "need": need, "covered": ok})
    return pd.DataFrame(rows, columns=["person", "need", "covered"])


def chain_breaks(net: ReferralNetwork, *, eligible_only: bool = False) -> pd.DataFrame:
    """How many needs (and persons) stop at each stage of the chain, in order."""
    a = net.assessment
    if eligible_only and len(a):
        a = a[a["judicial_aid_eligible"] | a["social_aid_eligible"]]
    n = a.groupby("stage").agg(needs=("need", "size"), persons=("person", "nunique")).reindex(STAGES, fill_value=0)
    out = n.reset_index().rename(columns={"index": "stage"})
    out.insert(1, "stage_zh", out["stage"].map(STAGE_ZH))
    out["covered"] = out["stage"].isin(COVERED_STAGES)
    out["share"] = _share(out["needs"], out["needs"].sum())
    return out


def unreached(net: ReferralNetwork, *, masked: bool = True) -> pd.DataFrame:
    """Eligible persons (judicial or social aid) with at least one need not covered: which needs,
    and where each chain breaks (the earliest break across the person's needs first)."""
    a = net.assessment
    if not len(a):
        return pd.DataFrame(columns=["person", "name", "id_number", "local", "needs", "uncovered", "break", "stages"])
    e = a[(a["judicial_aid_eligible"] | a["social_aid_eligible"])]
    u = e[~e["covered"]]
    order = {s: i for i, s in enumerate(STAGES)}
    lab = net.cfg.need_labels
    g = u.assign(_o=u["stage"].map(order)).sort_values(["person", "_o", "need"])
    out = g.groupby("person").agg(uncovered=("need", lambda s: "、".join(lab.get(x, x) for x in s)),
                                  brk=("stage", "first"),
                                  stages=("stage", lambda s: "、".join(STAGE_ZH[x] for x in s))).reset_index()
    alln = e.groupby("person")["need"].agg(lambda s: "、".join(lab.get(x, x) for x in s))
    out["needs"] = out["person"].map(alln)
    out = out.merge(net.persons[["person", "name", "id_number", "local"]], on="person", how="left")
    out = out.rename(columns={"brk": "break"})
    out["break_zh"] = out["break"].map(STAGE_ZH)
    out = out[["person", "name", "id_number", "local", "needs", "uncovered", "break", "break_zh", "stages"]]
    return _mask(out, net) if masked else out


def judicial_aid_twice(net: ReferralNetwork, *, masked: bool = True) -> pd.DataFrame:
    """Persons with two or more 决定救助 judicial-aid decisions (seed 003: "仅能进行一次救助")."""
    ja = net.judicial_aid[(net.judicial_aid["status"] == "决定救助") & net.judicial_aid["person"].notna()]
    g = ja.groupby("person").agg(decisions=("aid_id", "size"), aid_ids=("aid_id", lambda s: "、".join(s)),
                                 agencies=("agency", lambda s: "、".join(sorted(set(s)))),
                                 cases=("case_id", lambda s: s.dropna().nunique()),
                                 total_amount=("amount", "sum"), first=("decided_on", "min"), last=("decided_on", "max")).reset_index()
    g = g[g["decisions"] >= 2]
    g = g.merge(net.persons[["person", "name", "id_number"]], on="person", how="left")
    g = g[["person", "name", "id_number", "decisions", "aid_ids", "agencies", "cases", "total_amount", "first", "last"]]
    g = g.sort_values("decisions", ascending=False).reset_index(drop=True)
    return _mask(g, net) if masked else g


def overlapping_aid(net: ReferralNetwork, *, masked: bool = True) -> pd.DataFrame:
    """One need answered by social aid from two or more agencies (possible 重复救助), with
    whether the person also received judicial aid."""
    sa = net.social_aid[net.social_aid["need"].notna()]
    g = sa.groupby(["person", "need"]).agg(records=("record_id", "size"), agencies=("agency", lambda s: "、".join(sorted(set(s)))),
                                           n_agencies=("agency", "nunique"),
                                           aid_types=("aid_type", lambda s: "、".join(sorted(set(s))))).reset_index()
    g = g[g["n_agencies"] >= 2]
    jp = set(net.judicial_aid.loc[net.judicial_aid["status"] == "决定救助", "person"].dropna())
    g["judicial_aid"] = g["person"].isin(jp)
    g.insert(2, "need_zh", g["need"].map(net.cfg.need_labels).fillna(g["need"]))
    g = g.merge(net.persons[["person", "name", "id_number"]], on="person", how="left")
    g = g[["person", "name", "id_number", "need", "need_zh", "records", "n_agencies", "agencies", "aid_types", "judicial_aid"]]
    g = g.sort_values(["n_agencies", "records"], ascending=False).reset_index(drop=True)
    return _mask(g, net) if masked else g


@lru_cache(maxsize=4096)
def _area_name(code: str) -> str:
    if not (code and len(code) == 6 and code.isdigit()):
        return ""
    full = identity.make_ids(np.array([code]), np.array(["1980-01-01"], dtype="datetime64[D]"), np.array([1]))[0]
    info = identity.area(full)
    if not info:
        return ""
    return "".join(info.get(k, "") for k in ("province", "city", "county") if info.get(k))


def nonlocal_referrals(net: ReferralNetwork, *, masked: bool = True) -> pd.DataFrame:
    """Non-local persons with a clue: their referral must go to the procuratorate of the home
    county (户籍地, read from the ID prefix), which coordinates social aid there (seed 003)."""
    c = net.clues[net.clues["person"].notna()]
    p = net.persons[~net.persons["local"]]
    c = c[c["person"].isin(set(p["person"]))]
    if not len(c):
        return pd.DataFrame(columns=["person", "name", "id_number", "home_code", "home_area", "models", "agencies", "needs", "route"])
    refs = net.referrals.groupby("person")["agency"].agg(lambda s: "、".join(sorted(set(s))))
    lab = net.cfg.need_labels
    nd = net.needs.groupby("person")["need"].agg(lambda s: "、".join(lab.get(x, x) for x in s))
    out = c.groupby("person").agg(models=("model", lambda s: "、".join(sorted(set(s))))).reset_index()
    out = out.merge(p[["person", "name", "id_number", "home_code"]], on="person", how="left")
    out["home_area"] = out["home_code"].map(lambda x: _area_name(str(x)) if pd.notna(x) else "").astype("str")
    out["agencies"] = out["person"].map(refs).fillna("").astype("str")
    out["needs"] = out["person"].map(nd).fillna("").astype("str")
    out["route"] = ("移送户籍地检察院（" + out["home_area"].where(out["home_area"] != "", out["home_code"].fillna("未知")) +
                    "）协调当地社会救助职能部门")
    out = out[["person", "name", "id_number", "home_code", "home_area", "models", "agencies", "needs", "route"]]
    return _mask(out, net) if masked else out


def agency_graph(net: ReferralNetwork) -> nx.DiGraph:
    """The agency-level network: the procuratorate, the agencies, and one node per model.
    Edges: model → procuratorate (``clues``), procuratorate/agency → agency channels
    (``channel=True``) and procuratorate → agency referrals (``referrals``; also when there is
    no channel, then ``channel=False``)."""
    cfg = net.cfg
    h = cfg.hub
    g = nx.DiGraph()
    g.add_node(h, type="hub")
    for a in cfg.agencies():
        g.add_node(a, type="agency")
    for f, t, v, s in zip(cfg.channels["from"], cfg.channels["to"], cfg.channels["via"], cfg.channels["status"]):
        g.add_edge(f, t, channel=True, via=v, status=s, referrals=0)
    reach = cfg.reachable()
    rc = net.referrals.groupby("agency").size()
    for a, n in rc.items():
        if not g.has_node(a):
            g.add_node(a, type="agency")
        if g.has_edge(h, a):
            g[h][a]["referrals"] = int(n)
        else:
            # reached through another agency (multi-hop) or not at all
            g.add_edge(h, a, channel=a in reach, via="", status="" if a in reach else "none", referrals=int(n))
    for m, n in net.clues.groupby("model").size().items():
        g.add_node(m, type="model")
        g.add_edge(m, h, channel=True, clues=int(n), referrals=0)
    for n in g.nodes:
        g.nodes[n]["referrals"] = int(rc.get(n, 0))
        g.nodes[n]["channel"] = n == h or n in reach
    return g


def _agency_betweenness(net: ReferralNetwork, *, k: int = 300) -> dict[str, float]:
    """Betweenness of agencies in the undirected person–agency graph (referral, aid and channel
    edges): agencies that bridge many persons to the rest of the network score high. Sampled
    (``k`` pivots, fixed seed) on large graphs."""
    g = nx.Graph()
    hub = net.cfg.hub
    g.add_edges_from(zip(net.cfg.channels["from"], net.cfg.channels["to"]))
    r = net.referrals[net.referrals["person"].notna()][["person", "agency"]].drop_duplicates()
    g.add_edges_from(zip("P:" + r["person"].astype("str"), r["agency"]))
    s = net.social_aid[["person", "agency"]].dropna().drop_duplicates()
    g.add_edges_from(zip("P:" + s["person"].astype("str"), s["agency"]))
    g.add_edges_from((m, hub) for m in net.clues["model"].dropna().unique())
    if g.number_of_nodes() < 3:
        return {}
    kk = min(k, g.number_of_nodes())
    bc = nx.betweenness_centrality(g, k=kk if kk < g.number_of_nodes() else None, seed=0)
    return {n: v for n, v in bc.items() if not str(n).startswith("P:")}


def agency_load(net: ReferralNetwork) -> pd.DataFrame:
    """Referrals per agency and bottlenecks: ``referrals``/``persons`` pushed to it,
    ``covered`` needs it covers, ``sole`` needs only it covers (lost if its channel went),
    betweenness centrality on the agency-level network and degree in the person graph."""
    cov = coverage_by(net, "agency")
    base = int(net.assessment["covered"].sum()) if len(net.assessment) else 0
    sole = {}
    for a in cov["agency"]:
        if a in net.cfg.reachable():
            sole[a] = base - int(net.reassess(net.cfg.without_channel(a))["covered"].sum())
        else:
            sole[a] = 0
    cov["sole"] = cov["agency"].map(sole).fillna(0).astype(int)
    cov["betweenness"] = cov["agency"].map(_agency_betweenness(net)).fillna(0.0)
    if net.graph is not None:
        deg = dict(net.graph.in_degree(["A:" + a for a in cov["agency"] if ("A:" + a) in net.graph]))
        cov["graph_in_degree"] = ("A:" + cov["agency"]).map(deg).fillna(0).astype(int)
    cols = ["agency", "channel", "referrals", "persons", "needs_served", "referred", "covered", "sole", "coverage",
            "betweenness"] + (["graph_in_degree"] if "graph_in_degree" in cov.columns else []) + ["serves"]
    return cov[cols].sort_values(["referrals", "covered"], ascending=False).reset_index(drop=True)


def plausible_services() -> set[tuple[str, str]]:
    """(need, agency) pairs some pilot county's data (or ``needs.yaml``) says exist: the
    services a county could plausibly add (an agency doing in one county what it does in another)."""
    pairs = {(n, a) for n, s in needs_catalogue().items() for a in s["agencies"]}
    for c in COUNTIES:
        pairs |= load_county(c).serve_pairs()
    return pairs


def what_if(net: ReferralNetwork, *, top: int | None = None, services: str = "plausible",
            policy: str | None = None) -> pd.DataFrame:
    """Coverage gained by one change, ranked by needs gained — which agreement to sign next.

    Candidates: a channel to an agency that has none (and receives referrals or serves a need);
    a service (need, agency) for an agency that receives referrals — ``services="plausible"``
    only pairs that exist in some pilot county's data or ``needs.yaml`` (:func:`plausible_services`),
    ``"any"`` every pair. ``policy``: the referral policy under which to compare (default the
    network's); with ``"needs"`` clues are re-referred on needs for every candidate, so a new
    channel counts for everyone whose need that agency serves.
    """
    if services not in ("plausible", "any"):
        raise ValueError("services must be 'plausible' or 'any'")
    policy = policy or net.policy
    cfg = net.cfg
    cp = set(net.clues["person"].dropna())

    def run(c):
        refs = net.referrals if policy == "recommended" else referrals_on_needs(net.clues, net.needs, c)
        return net.reassess(c, referrals=refs, clue_persons=cp)

    a0 = run(cfg)
    base = int(a0["covered"].sum()) if len(a0) else 0
    total = len(a0)
    reach = cfg.reachable()
    skip = {cfg.hub} | set(cfg.transfer_agencies)
    referred = set(net.referrals["agency"].dropna()) - skip
    cands = [("channel", ag, "", cfg.with_channel(ag))
             for ag in sorted((referred | set(cfg.services["agency"])) - reach - skip)]
    pairs = cfg.serve_pairs()
    allowed = plausible_services() if services == "plausible" else None
    for ag in sorted(referred):
        for need in sorted(set(net.needs["need"])):
            if (need, ag) not in pairs and (allowed is None or (need, ag) in allowed):
                cands.append(("service", ag, need, cfg.with_service(need, ag)))
    rows = []
    for kind, ag, need, c2 in cands:
        a1 = run(c2)
        gained = a1["covered"].to_numpy() & ~a0["covered"].to_numpy()
        rows.append({"change": kind, "agency": ag, "need": need,
                     "need_zh": cfg.need_labels.get(need, need) if need else "",
                     "needs_gained": int(gained.sum()), "persons_gained": int(a0.loc[gained, "person"].nunique()),
                     "coverage_before": base / total if total else np.nan,
                     "coverage_after": int(a1["covered"].sum()) / total if total else np.nan})
    out = pd.DataFrame(rows, columns=["change", "agency", "need", "need_zh", "needs_gained", "persons_gained",
                                      "coverage_before", "coverage_after"])
    out["label"] = np.where(out["change"] == "channel", "渠道：检察院→" + out["agency"].astype("str"),
                            "服务：" + out["agency"].astype("str") + "承担" + out["need_zh"].astype("str"))
    out = out.sort_values(["needs_gained", "persons_gained", "change", "agency"], ascending=[False, False, True, True],
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs["policy"] = policy
    return out.head(top) if top else out


def summary(net: ReferralNetwork) -> dict[str, Any]:
    """Headline figures (JSON-ready) for the notebook and the runner's index."""
    a = net.assessment
    return {"clues": int(len(net.clues)), "referrals": int(len(net.referrals)),
            "persons_with_needs": int(a["person"].nunique()) if len(a) else 0, "needs": int(len(a)),
            "covered": int(a["covered"].sum()) if len(a) else 0,
            "coverage": float(a["covered"].mean()) if len(a) else None,
            "channels": int(len(net.cfg.channels)), "skipped_models": list(net.meta.get("skipped_models", {}))}


# =========================================================================== outputs
def _mask(df: pd.DataFrame, net: ReferralNetwork | None = None) -> pd.DataFrame:
    """A list for an agency or a report: :func:`jiuzhu_methods.privacy.mask_frame` (names, ID
    numbers, person keys that are ID numbers, record keys holding an ID → the row they came
    from, through ``net.meta["record_keys"]``)."""
    keys = (net.meta.get("record_keys") if net is not None else None) or None
    return privacy.mask_frame(df, keys=keys)


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Cells that a spreadsheet would read as formulas (``=``, ``+``, ``-``, ``@``, tab, CR at
    the start) get a leading apostrophe so that they stay text: :func:`jiuzhu_methods.privacy.excel_safe`."""
    return privacy.excel_safe(df)


LIST_COLUMNS = {"seq": "序号", "clue_id": "线索编号", "model": "筛查模型", "name": "姓名", "id_number": "公民身份号码",
                "needs": "需求", "serves": "本单位对口需求", "local": "本地户籍", "route": "办理途径",
                "source": "来源表", "source_ref": "来源记录"}


def referral_lists(net: ReferralNetwork, *, masked: bool = True) -> dict[str, pd.DataFrame]:
    """One list per agency: every person referred to it (one row per person, models joined),
    their needs, whether the agency serves them, and the route (local channel, no channel, or
    transfer to the home county). Identity masked unless ``masked=False``."""
    r = net.referrals[net.referrals["person"].notna()]
    if not len(r):
        return {}
    lab = net.cfg.need_labels
    reach = net.cfg.reachable()
    nd = net.needs.groupby("person")["need"].agg(lambda s: "、".join(lab.get(x, x) for x in s))
    sv = net.cfg.services.groupby("agency")["need"].agg(set)
    g = r.groupby(["agency", "person"]).agg(clue_id=("clue_id", lambda s: "、".join(s)),
                                            model=("model", lambda s: "、".join(sorted(set(s)))),
                                            name=("name", "first"), id_number=("id_number", "first"),
                                            source=("source", "first"), source_ref=("source_ref", "first")).reset_index()
    g["needs"] = g["person"].map(nd).astype("object").fillna("").astype("str")   # object first: an all-missing map is float64
    pneeds = net.needs.groupby("person")["need"].agg(set)
    g["serves"] = [("、".join(lab.get(x, x) for x in sorted(pneeds.get(p, set()) & sv.get(a, set()))))
                   for a, p in zip(g["agency"], g["person"])]
    loc = net.local
    g["local"] = g["person"].map(loc).fillna(True).astype(bool)
    g["route"] = np.where(~g["local"] & (net.nonlocal_policy == "transfer"), "移送户籍地检察院",
                          np.where(g["agency"].isin(reach), "本地联络渠道", "无联络渠道（需另行联系）"))
    out = {}
    for a, sub in g.groupby("agency", sort=True):
        t = sub.drop(columns=["agency", "person"]).reset_index(drop=True)
        t.insert(0, "seq", np.arange(1, len(t) + 1))
        t = _mask(t, net) if masked else t
        t["local"] = np.where(t["local"], "是", "否")
        out[a] = t[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    return out


def _safe_name(s: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", s)


def write_referral_lists(net: ReferralNetwork, out_dir: str | Path, *, masked: bool = True) -> list[Path]:
    """Write one Excel workbook per agency (``<county>_<agency>_转介名单.xlsx``) under
    ``out_dir``. Masked unless ``masked=False`` (then the file name says ``_raw``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for a, t in referral_lists(net, masked=masked).items():
        p = out / f"{net.cfg.county}_{_safe_name(a)}_转介名单{'' if masked else '_raw'}.xlsx"
        # masked above (or raw on request): written as it is, formula-safe
        privacy.to_excel({_safe_name(a)[:31] or "list": t}, p, raw=True)
        paths.append(p)
    return paths


def letter_template(path: str | Path | None = None) -> dict:
    return copy.deepcopy(_yaml(str(Path(path) if path else DATA_DIR / "letter_template.yaml")))


def _abbr(county_name: str) -> str:
    s = county_name.replace("许昌市", "")
    return s[:2] if len(s) > 1 else s


def draft_letters(net: ReferralNetwork, *, masked: bool = True, template: dict | str | Path | None = None,
                  date: str | None = None, year: str | int | None = None) -> pd.DataFrame:
    """Draft 社会救助建议函, one per referral (person × agency), from the template kept as data.

    Identity masked unless ``masked=False``. The needs named are those the clue's model derived
    (a ``needs`` column of the clues) or, when the network was built with verified ``needs``,
    those — never the hidden truth of a synthetic pool; without either, the agency's services
    are named as needs "to be verified". Referrals to the procuratorate's own units (names
    starting with the hub's name, e.g. 检察院未检工作室) get no letter. ``year`` defaults to the
    year of ``pool.meta["reference_date"]``; ``date`` to a blank line (never today's date).
    Returns ``letter_id, agency, person, clue_id, model, text``.
    """
    tpl = template if isinstance(template, dict) else letter_template(template)
    cfg = net.cfg
    r = net.referrals[net.referrals["person"].notna() & ~net.referrals["agency"].astype("str").str.startswith(cfg.hub)]
    cols = ["letter_id", "agency", "person", "clue_id", "model", "text"]
    if not len(r):
        return pd.DataFrame(columns=cols)
    lab = cfg.need_labels
    sv = cfg.services.groupby("agency")["need"].agg(set)
    if net.meta.get("needs_source") == "verified":
        pneeds = net.needs.groupby("person")["need"].agg(set)
    elif "needs" in net.clues.columns:
        cn = net.clues[["person", "needs"]].dropna()
        cn = cn.assign(need=_split_list(cn["needs"])).explode("need").dropna(subset=["need"])
        pneeds = cn.groupby("person")["need"].agg(set)
    else:
        pneeds = pd.Series(dtype=object)
    if year is None and net.meta.get("reference_date"):
        year = str(net.meta["reference_date"])[:4]
    g = r.groupby(["agency", "person"], sort=True).agg(clue_id=("clue_id", lambda s: "、".join(s)),
                                                       model=("model", lambda s: "、".join(sorted(set(s)))),
                                                       name=("name", "first"), id_number=("id_number", "first"),
                                                       source=("source", "first"), source_ref=("source_ref", "first")).reset_index()
    g["local"] = g["person"].map(net.local).fillna(True).astype(bool)
    home = pd.Series(net.persons["home_code"].to_numpy(), index=net.persons["person"].to_numpy())
    g["home_code_"] = g["person"].map(home)
    known = [sorted(pneeds.get(p, set()) & sv.get(a, set())) for a, p in zip(g["agency"], g["person"])]
    g["needs_known_"] = [bool(k) for k in known]
    g["needs_list_"] = [k or sorted(sv.get(a, set())) for k, a in zip(known, g["agency"])]
    g["case_ref_"] = g["source"].astype("str") + ":" + g["source_ref"].astype("str")
    if masked:  # names, IDs, ID-like person keys (identify="id"), record keys holding an ID
        keys = net.meta.get("record_keys") or None
        g["case_ref_"] = [_case_ref(s, r, keys) for s, r in zip(g["source"], g["source_ref"])]
        g = _mask(g, net)
    measures = tpl.get("measures", {})
    yr = str(year) if year else "____"
    abbr = _abbr(cfg.county_name)
    texts, ids = [], []
    for i, row in enumerate(g.itertuples(index=False), start=1):
        needs = row.needs_list_
        note = ""
        if not row.local and net.nonlocal_policy == "transfer":
            area = _area_name(str(row.home_code_)) if isinstance(row.home_code_, str) else ""
            note = (f"鉴于其户籍地为{area or '外地'}，本函同时抄送其户籍地（社会救助申请地）人民检察院，"
                    "由其协调当地社会救助职能部门。")
        fields = {"number": f"{abbr}检社救建〔{yr}〕{i}号", "agency": row.agency, "procuratorate": cfg.procuratorate,
                  "mechanism": cfg.mechanism or "司法救助与社会救助衔接机制", "name": row.name or "",
                  "id_number": row.id_number or "", "case_ref": row.case_ref_,
                  "model": row.model,
                  "needs_zh": ("、".join(lab.get(x, x) for x in needs) or "生活困难") + ("" if row.needs_known_ else "（待核实）"),
                  "measures": "；".join(measures.get(x, lab.get(x, x)) for x in needs) or "社会救助",
                  "nonlocal_note": note, "date": date or "____年__月__日"}
        texts.append(tpl["text"].format_map(fields))
        ids.append(f"{cfg.county}-L{i:05d}")
    g["letter_id"] = ids
    g["text"] = texts
    return g[cols].reset_index(drop=True)


def _case_ref(source: Any, ref: Any, keys) -> str:
    """线索来源 of a masked letter: ``table:key``, or — a key holding an ID — the row it came from
    (``当事人.csv 第12行``, ``proc_parties 第11条``; ``table:`` + the key with its ID masked
    when the row is unknown)."""
    label = keys.label(ref, source) if keys is not None else None
    return label if label is not None else f"{source}:{privacy.record_key(ref, source, keys)}"


def write_letters(letters: pd.DataFrame, out_dir: str | Path, *, county: str = "", masked: bool = True) -> list[Path]:
    """Write the letters as UTF-8 text, one file per agency (letters separated by a rule).
    ``masked=True`` (default) passes every letter through :func:`jiuzhu_methods.privacy.mask_text`
    once more (ID numbers and phones anywhere in the text)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for a, sub in letters.groupby("agency", sort=True):
        p = out / f"{county + '_' if county else ''}{_safe_name(a)}_社会救助建议函{'' if masked else '_raw'}.txt"
        texts = [privacy.mask_text(x) for x in sub["text"]] if masked else list(sub["text"])
        p.write_text(("\n" + "—" * 30 + "\n\n").join(texts), encoding="utf-8")
        paths.append(p)
    return paths


# =========================================================================== charts
def _plt():
    import matplotlib.pyplot as plt

    try:
        from ..reporting import plotting

        plotting.setup_fonts()
        lab, zh = plotting.label, plotting.zh_en
    except Exception:  # pragma: no cover - plotting is optional
        lab = (lambda v, english=None: str(v))
        zh = (lambda z, e: z)
    return plt, lab, zh


_STAGE_EN = {"no_clue": "no clue", "no_referral": "clue, no referral", "wrong_agency": "wrong agency",
             "no_channel": "no channel", "no_feedback": "referred, no aid yet", "transfer_home": "to home county",
             "aided": "aided"}
_STAGE_COLOURS = {"no_clue": "#bdbdbd", "no_referral": "#e6550d", "wrong_agency": "#fd8d3c", "no_channel": "#c0392b",
                  "no_feedback": "#9ecae1", "transfer_home": "#6baed6", "aided": "#2171b5"}
_AGENCY_EN = {"检察院": "procuratorate", "民政局": "civil affairs", "乡村振兴局": "rural revitalisation", "残联": "disabled fed.",
              "总工会": "trade union", "妇联": "women's fed.", "医保局": "medical insurance", "司法局": "justice bureau",
              "教育局": "education", "人社局": "human resources", "卫健委": "health commission", "慈善总会": "charity",
              "红十字会": "Red Cross", "住建局": "housing", "网格员": "grid workers", "街道办事处": "sub-district office",
              "检察院未检工作室": "juvenile prosecution unit", "公安机关": "police", "法院": "court",
              "退役军人事务局": "veterans", "大数据局": "big data bureau", "基层治理四平台": "grid platform"}


def _alab(lab, a: str) -> str:
    return lab(a, _AGENCY_EN.get(a))


def plot_agency_network(net: ReferralNetwork, *, ax=None, title: str | None = None):
    """Agency-level network. Centre: the procuratorate; around it the agencies; left: the models
    feeding clues. Edge width = referrals; solid green = referral over a signed channel, dashed red
    = referrals to an agency with no channel, thin grey = channel without referrals; node size =
    referrals received. Read it: thick red dashes are the agreements to sign next."""
    plt, lab, zh = _plt()
    g = agency_graph(net)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 7))
    else:
        fig = ax.figure
    h = net.cfg.hub
    ags = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "agency")
    models = sorted(n for n, d in g.nodes(data=True) if d.get("type") == "model")
    pos = {h: (0.0, 0.0)}
    # agencies on an arc that leaves the left side free for the models
    span = np.linspace(-5 * np.pi / 6, 5 * np.pi / 6, max(len(ags), 2))
    for i, a in enumerate(ags):
        t = span[i] if len(ags) > 1 else 0.0
        pos[a] = (np.cos(t) * 1.1, np.sin(t) * 1.1)
    for i, m in enumerate(models):
        pos[m] = (-1.9, (i - (len(models) - 1) / 2) * 0.4)
    mx = max([d.get("referrals", 0) for _, _, d in g.edges(data=True)] + [1])
    for u, v, d in g.edges(data=True):
        n = d.get("referrals", 0) or d.get("clues", 0)
        w = 0.6 + 7.0 * (n / mx)
        if g.nodes[u].get("type") == "model":
            style, col = "-", "#7f7f7f"
        elif d.get("channel") and n:
            style, col = "-", "#2ca25f"
        elif d.get("channel"):
            style, col, w = "-", "#cccccc", 0.8
        else:
            style, col = "--", "#c0392b"
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", lw=w, ls=style, color=col, shrinkA=12, shrinkB=12, alpha=0.85))
        if n:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(n), fontsize=7, color=col, ha="center", va="center",
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    rmax = max([g.nodes[a].get("referrals", 0) for a in ags] + [1])
    for node, (x, y) in pos.items():
        d = g.nodes[node]
        t = d.get("type")
        size = 900 if t == "hub" else 250 + 1200 * d.get("referrals", 0) / rmax if t == "agency" else 200
        col = "#08519c" if t == "hub" else ("#74c476" if d.get("channel") else "#fcbba1") if t == "agency" else "#dadaeb"
        ax.scatter([x], [y], s=size, c=col, edgecolors="#333333", linewidths=0.6, zorder=3)
        txt = _alab(lab, net.cfg.procuratorate if t == "hub" else node) if t != "model" else node
        ax.text(x, y - 0.13, txt, fontsize=8, ha="center", va="top", zorder=4)
    ax.set_title(title or zh(f"{net.cfg.county_name} 转介网络：线宽 = 推送人次（绿实线 = 有联络渠道，红虚线 = 无渠道）",
                             f"{net.cfg.county}: referral network (width = referrals; green = channel, red dashed = none)"),
                 fontsize=10)
    ax.set_axis_off()
    ax.margins(0.12)
    fig.tight_layout()
    return fig


def sample_persons(net: ReferralNetwork, n: int = 6, *, seed: int = 0) -> list[str]:
    """A few persons with needs, one per chain stage where possible (for the subgraph drawing)."""
    a = net.assessment
    if not len(a):
        return []
    rng = np.random.default_rng(seed)
    picks: list[str] = []
    for st in STAGES:
        cand = sorted(set(a.loc[a["stage"] == st, "person"]) - set(picks))
        if cand:
            picks.append(cand[int(rng.integers(len(cand)))])
        if len(picks) >= n:
            break
    rest = sorted(set(a["person"]) - set(picks))
    while len(picks) < n and rest:
        picks.append(rest.pop(int(rng.integers(len(rest)))))
    return picks


def person_subgraph(net: ReferralNetwork, persons: list[str] | None = None, *, n: int = 6, seed: int = 0,
                    kinds: tuple[str, ...] = ("party_of", "referral", "social_aid", "judicial_aid", "registered_in")) -> nx.MultiDiGraph:
    """The persons' neighbourhood in the full graph (their cases, registries, referrals, aid) plus
    the channels of the agencies touched. Labels are masked."""
    if net.graph is None:
        raise ValueError("this network was built with graph=False")
    g = net.graph
    persons = persons or sample_persons(net, n, seed=seed)
    nodes = {f"P:{p}" for p in persons if f"P:{p}" in g}
    edges = [(u, v, k) for u in list(nodes) for _, v, k in g.out_edges(u, keys=True) if k in kinds]
    keep = nodes | {v for _, v, _ in edges} | {g.graph["hub"]}
    sub = nx.MultiDiGraph(g.subgraph(keep).edge_subgraph(edges + [(u, v, k) for u, v, k in g.edges(keys=True)
                                                                   if k == "channel" and u in keep and v in keep]))
    for nd in keep:
        if nd not in sub:
            sub.add_node(nd, **g.nodes[nd])
    sub.graph.update(g.graph)
    return sub


def plot_person_subgraph(net: ReferralNetwork, sub: nx.MultiDiGraph | None = None, *, ax=None, title: str | None = None, seed: int = 0):
    """A sample of persons (masked) with their cases, registries, referrals and aid. Person colour
    = the worst stage among their needs; edge colour = kind (blue referral, green social aid,
    purple judicial aid, grey party-of/registry, black channel)."""
    plt, lab, zh = _plt()
    sub = sub if sub is not None else person_subgraph(net, seed=seed)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 7))
    else:
        fig = ax.figure
    # layered layout: cases and registries | persons | agencies | the procuratorate
    col = {"case": 0.0, "registry": 0.0, "person": 1.0, "agency": 2.0}
    layers: dict[float, list[str]] = {}
    for nd, d in sub.nodes(data=True):
        x = 3.0 if d.get("hub") else col.get(d.get("type"), 0.0)
        layers.setdefault(x, []).append(nd)
    pos = {}
    for x, nodes in layers.items():
        nodes = sorted(nodes, key=lambda v: (sub.nodes[v].get("type", ""), str(v)))
        ys = np.linspace(1, 0, len(nodes)) if len(nodes) > 1 else [0.5]
        pos.update({v: (x, y) for v, y in zip(nodes, ys)})
    order = {s: i for i, s in enumerate(STAGES)}
    worst = net.assessment.assign(_o=net.assessment["stage"].map(order)).sort_values("_o").groupby("person")["stage"].first()
    ecol = {"referral": "#3182bd", "social_aid": "#31a354", "judicial_aid": "#756bb1", "party_of": "#bdbdbd",
            "registered_in": "#d9d9d9", "channel": "#252525", "kept_by": "#d9d9d9"}
    for u, v, k in sub.edges(keys=True):
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.plot([x0, x1], [y0, y1], color=ecol.get(k, "#999999"), lw=2.0 if k in ("referral", "social_aid", "judicial_aid") else 0.8,
                ls="--" if k == "channel" else "-", zorder=1)
    for nd, d in sub.nodes(data=True):
        x, y = pos[nd]
        t = d.get("type")
        if t == "person":
            st = worst.get(nd[2:], None)
            col = _STAGE_COLOURS.get(st, "#ffffff")
            ax.scatter([x], [y], s=260, c=col, edgecolors="#333333", zorder=3, marker="o")
            text = d.get("label", "") or "?"
        elif t == "agency":
            ax.scatter([x], [y], s=320, c="#08519c" if d.get("hub") else ("#74c476" if d.get("channel") else "#fcbba1"),
                       edgecolors="#333333", zorder=3, marker="s")
            text = _alab(lab, d.get("label", nd[2:]))
            ax.text(x + 0.06, y, text, fontsize=7, ha="left", va="center", zorder=4)
            continue
        elif t == "registry":
            ax.scatter([x], [y], s=140, c="#fee391", edgecolors="#333333", zorder=3, marker="D")
            text = lab(d.get("label", nd[2:]))
        else:
            ax.scatter([x], [y], s=90, c="#f0f0f0", edgecolors="#666666", zorder=3, marker="^")
            text = str(privacy.record_key(nd[2:]))  # a case key holding an ID is masked
            text = text if len(text) < 22 else text[:20] + "…"
        ax.text(x, y - 0.025, text, fontsize=7, ha="center", va="top", zorder=4)
    from matplotlib.lines import Line2D

    handles = [Line2D([0], [0], color=c, lw=2, label=lab(k.replace("_", " "))) for k, c in ecol.items()
               if k in {kk for _, _, kk in sub.edges(keys=True)}]
    handles += [Line2D([0], [0], marker="o", ls="", markerfacecolor=_STAGE_COLOURS[s], markeredgecolor="#333",
                       label=zh(STAGE_ZH[s], _STAGE_EN[s])) for s in STAGES if s in set(worst.reindex([n[2:] for n in sub if n.startswith("P:")]).dropna())]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(title or zh("人员层面子图（脱敏）：案件、名单、推送与救助", "Person-level sample (masked): cases, registries, referrals, aid"),
                 fontsize=10)
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def plot_coverage(by_need: pd.DataFrame, *, ax=None, title: str | None = None):
    """Stacked bars per need: how many needs stop at each stage. Blue shades are covered
    (referred to a serving agency); grey, orange and red are breaks. Read it: the longest
    non-blue segment is where to work first."""
    plt, lab, zh = _plt()
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.6 * max(len(by_need), 2) + 1.5))
    else:
        fig = ax.figure
    names = [lab(z, n) for z, n in zip(by_need.get("need_zh", by_need["need"]), by_need["need"])]
    left = np.zeros(len(by_need))
    for st in STAGES:
        v = by_need[st].to_numpy(dtype=float) if st in by_need.columns else np.zeros(len(by_need))
        ax.barh(names, v, left=left, color=_STAGE_COLOURS[st], label=zh(STAGE_ZH[st], _STAGE_EN[st]), edgecolor="white")
        left += v
    for i, (c, n) in enumerate(zip(by_need["coverage"], by_need["needs"])):
        ax.text(left[i], i, f"  {0 if pd.isna(c) else c:.0%}", va="center", fontsize=8)
    ax.set_xlabel(zh("需求数（人×需求）", "needs (person × need)"))
    ax.set_title(title or zh("各类需求的转介覆盖率（蓝色 = 已推送至对口单位）", "Referral coverage by need (blue = reached a serving agency)"),
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_what_if(table: pd.DataFrame, *, top: int = 10, ax=None, title: str | None = None):
    """Horizontal bars: needs newly covered by each one-step change (a channel or a service),
    best first. Read it: the top bar is the agreement that helps the most people."""
    plt, lab, zh = _plt()
    t = table.head(top)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(t), 2) + 1.5))
    else:
        fig = ax.figure
    names = [lab(l, (f"channel -> {_AGENCY_EN.get(a, a)}" if c == "channel" else f"{_AGENCY_EN.get(a, a)} serves {n}"))
             for l, c, a, n in zip(t["label"], t["change"], t["agency"], t["need"])]
    ax.barh(names, t["needs_gained"], color=np.where(t["change"] == "channel", "#2ca25f", "#3182bd"))
    if not len(t) or int(t["needs_gained"].max()) == 0:
        ax.text(0.5, 0.5, zh("没有任何单项改变能提高覆盖率", "no single change raises coverage"), transform=ax.transAxes,
                ha="center", va="center", fontsize=10, color="#c0392b")
        ax.set_xlim(0, 1)
    for i, v in enumerate(t["needs_gained"]):
        ax.text(v, i, f" {v}", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(zh("新增覆盖的需求数", "needs newly covered"))
    ax.set_title(title or zh("假如增加一条渠道或一项服务：覆盖率增益排名", "What-if: coverage gained by one more channel or service"),
                 fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


__all__ = [
    "COUNTIES", "STAGES", "STAGE_ZH", "ReferralConfig", "ReferralNetwork", "agency_graph", "agency_load", "assess",
    "build_graph", "build_network", "chain_breaks", "coverage_from_graph", "clue_keys", "collect_clues", "county_models", "coverage_by",
    "draft_letters", "judicial_aid_twice", "letter_template", "load_county", "needs_catalogue", "neutralise",
    "nonlocal_referrals", "overlapping_aid", "plausible_services", "person_keys", "person_needs", "person_subgraph", "plot_agency_network",
    "plot_coverage", "plot_person_subgraph", "plot_what_if", "referral_lists", "referrals_from_clues",
    "referrals_on_needs", "sample_persons", "social_aid_needs", "summary", "unreached", "what_if",
    "write_letters", "write_referral_lists",
]
