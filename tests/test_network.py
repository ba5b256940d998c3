"""Referral network on a hand-built pool (county code 320723, a test configuration).

Configuration (written to a YAML file, loaded like a county's):
  channels  检察院 → 民政局, 检察院 → 教育局, 检察院 → 残联
  services  subsistence: 民政局 · medical: 医保局 · education: 教育局 · employment: 人社局 ·
            psychological: 妇联

Persons (A–D, F local 320723…; E non-local 330382…), their needs, clues and aid:

  person needs                  clue (model)   recommended     stage per need
  A      subsistence, education m1             民政局、教育局    subsistence: aided (低保 recorded) · education: no_feedback
  B      medical, subsistence   m1             医保局、民政局    medical: no_channel (no 医保局 channel) · subsistence: no_feedback
  C      employment             m2             (none)          employment: no_referral
  D      psychological          —              —               psychological: no_clue (D not eligible)
  E      subsistence            m2             民政局           subsistence: transfer_home (non-local, seed 003)
  F      education              m2             民政局           education: wrong_agency (民政局 does not serve education)

Hand count: 8 needs; covered = A-subsistence, A-education, B-subsistence, E-subsistence = 4 → 0.5.
  by need: subsistence 3/3, education 1/2, medical 0/1, employment 0/1, psychological 0/1.
  by model: m1 covers A-sub, A-edu, B-sub = 3/8; m2 covers E-sub = 1/8.
  by agency: 民政局 serves 3 needs (A, B, E subsistence), referred 3, covers 3;
             教育局 serves 2 (A, F education), referred 1 (A), covers 1; 医保局 serves 1, referred 1, covers 0.
Removing the 民政局 channel: A-subsistence and B-subsistence become no_channel (E is transferred
  home, not affected) → coverage 2/8, changed persons exactly {A, B}.
What-if: channel → 医保局 gains 1 (B medical); 民政局 serving education gains 1 (F, referred to
  民政局); 民政局 serving medical gains 1 (B is referred to 民政局 too); every other change gains 0.
  Ties are ranked channel before service, then by agency and need → 医保局 channel, 民政局
  education, 民政局 medical.
Aid: A has two 决定救助 judicial-aid decisions (aid given twice); B one 决定救助 + one 不予救助.
  A's subsistence is answered by 低保 (民政局) and 临时救助 (乡村振兴局): overlapping aid.
Unreached (eligible, a need not covered): B (no_channel), C (no_referral), F (wrong_agency);
  D is not eligible.
"""
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from jiuzhu_methods import DataPool
from jiuzhu_methods.core import identity
from jiuzhu_methods.referral import network as rn

HERE = "320723"
IDS = identity.make_ids(np.array([HERE] * 4 + ["330382", HERE]),
                        np.array(["1970-01-01", "1975-05-05", "1980-03-03", "1985-07-07", "1990-09-09", "1995-02-02"],
                                 dtype="datetime64[D]"), np.arange(11, 17))
A, B, C, D, E, F = IDS
NAMES = dict(zip(IDS, ["张大山", "李小红", "王建国", "赵美丽", "钱多多", "孙悟空"]))


def config(tmp_path: Path):
    d = {"county": "testland", "county_name": "测试县", "procuratorate": "测试县人民检察院", "county_code": HERE,
         "mechanism": "《测试衔接机制》",
         "channels": [{"to": "民政局", "status": "seed"}, {"to": "教育局", "status": "seed"}, {"to": "残联", "status": "seed"}],
         "services": {"subsistence": {"agencies": ["民政局"]}, "medical": {"agencies": ["医保局"]},
                      "education": {"agencies": ["教育局"]}, "employment": {"agencies": ["人社局"]},
                      "psychological": {"agencies": ["妇联"]}}}
    p = tmp_path / "testland.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return rn.load_county("testland", p)


def pool():
    parties = pd.DataFrame({"record_id": [f"R{i}" for i in range(6)], "case_id": [f"K{i}" for i in range(6)],
                            "role": ["被害人"] * 6, "name": [NAMES[x] for x in IDS], "id_number": list(IDS),
                            "fault": [None] * 6})
    cases = pd.DataFrame({"case_id": [f"K{i}" for i in range(6)], "business": ["刑事检察"] * 6, "stage": ["审查起诉"] * 6,
                          "charge": ["故意伤害罪"] * 6, "accepted_on": ["2022-01-01"] * 6, "county_code": [HERE] * 6})
    ja = pd.DataFrame({"aid_id": ["J1", "J2", "J3", "J4"], "name": [NAMES[A], NAMES[A], NAMES[B], NAMES[B]],
                       "id_number": [A, A, B, B], "agency": ["检察院", "法院", "检察院", "检察院"],
                       "case_id": ["K0", "K0", "K1", "K1"], "applied_on": ["2022-02-01"] * 4,
                       "decided_on": ["2022-03-01", "2022-06-01", "2022-03-01", None],
                       "paid_on": [None] * 4, "status": ["决定救助", "决定救助", "决定救助", "不予救助"],
                       "amount": [20000.0, 15000.0, 10000.0, None]})
    sa = pd.DataFrame({"record_id": ["S1", "S2"], "name": [NAMES[A]] * 2, "id_number": [A, A],
                       "aid_type": ["低保", "临时救助"], "agency": ["民政局", "乡村振兴局"],
                       "granted_on": ["2022-05-01", "2022-05-10"]})
    reg = pd.DataFrame({"record_id": ["G1", "G2"], "registry": ["农村低保", "持证残疾人"], "agency": ["民政局", "残联"],
                        "name": [NAMES[A], NAMES[B]], "id_number": [A, B], "detail": [None, "二级"],
                        "address": [None, None], "phone": [None, None], "as_of": ["2022-01-01"] * 2})
    return DataPool.from_frames({"proc_parties": parties, "proc_cases": cases, "judicial_aid": ja, "social_aid": sa,
                                 "registries": reg}, meta={"county": "testland"})


NEEDS = pd.DataFrame({"id_number": [A, B, C, D, E, F],
                      "need": ["subsistence,education", "medical,subsistence", "employment", "psychological",
                               "subsistence", "education"],
                      "judicial_aid_eligible": [True, True, True, False, True, True],
                      "social_aid_eligible": [True, True, False, False, True, True]})


def clues():
    who = [A, B, C, E, F]
    return pd.DataFrame({"clue_id": ["m1-1", "m1-2", "m2-1", "m2-2", "m2-3"], "model": ["m1", "m1", "m2", "m2", "m2"],
                         "name": [NAMES[x] for x in who], "id_number": who, "source": ["proc_parties"] * 5,
                         "source_ref": ["R0", "R1", "R2", "R4", "R5"],
                         "recommended_agencies": ["民政局、教育局", "医保局、民政局", "", "民政局", "民政局"]})


@pytest.fixture
def net(tmp_path):
    return rn.build_network(pool(), clues(), config(tmp_path), needs=NEEDS, identify="id")


def stages(n):
    a = n.assessment
    return dict(zip(zip(a["person"], a["need"]), a["stage"]))


def test_stages_match_hand_count(net):
    assert stages(net) == {
        (A, "subsistence"): "aided", (A, "education"): "no_feedback",
        (B, "medical"): "no_channel", (B, "subsistence"): "no_feedback",
        (C, "employment"): "no_referral", (D, "psychological"): "no_clue",
        (E, "subsistence"): "transfer_home", (F, "education"): "wrong_agency"}


def test_coverage_by_need_total_model_agency(net):
    t = rn.coverage_by(net, "total")
    assert (int(t["needs"][0]), int(t["covered"][0]), float(t["coverage"][0])) == (8, 4, 0.5)
    n = rn.coverage_by(net, "need").set_index("need")
    assert n["covered"].to_dict() == {"education": 1, "employment": 0, "medical": 0, "psychological": 0, "subsistence": 3}
    assert n["needs"].to_dict() == {"education": 2, "employment": 1, "medical": 1, "psychological": 1, "subsistence": 3}
    assert n.loc["education", "coverage"] == 0.5 and n.loc["subsistence", "coverage"] == 1.0
    m = rn.coverage_by(net, "model").set_index("model")
    assert m.loc["m1", "covered"] == 3 and m.loc["m2", "covered"] == 1 and m.loc["m1", "needs"] == 8
    g = rn.coverage_by(net, "agency").set_index("agency")
    assert g.loc["民政局", ["needs_served", "referred", "covered"]].tolist() == [3, 3, 3]
    assert g.loc["教育局", ["needs_served", "referred", "covered"]].tolist() == [2, 1, 1]
    assert g.loc["医保局", ["needs_served", "referred", "covered"]].tolist() == [1, 1, 0]
    assert not g.loc["医保局", "channel"]


def test_removing_one_channel_lowers_coverage_exactly_for_those_who_needed_it(net, tmp_path):
    before = net.assessment
    after = net.reassess(net.cfg.without_channel("民政局"))
    lost = before["covered"] & ~after["covered"]
    assert set(before.loc[lost, "person"]) == {A, B}
    assert set(before.loc[lost, "need"]) == {"subsistence"}
    assert int(after["covered"].sum()) == 2
    assert (after["covered"] <= before["covered"]).all()
    # the same through a rebuilt network from a configuration without that channel
    rebuilt = rn.build_network(pool(), clues(), config(tmp_path).without_channel("民政局"), needs=NEEDS, identify="id",
                               graph=False)
    assert rebuilt.assessment["covered"].sum() == 2
    # the non-local person stays covered under policy "local" only if a channel exists
    loc = rn.build_network(pool(), clues(), config(tmp_path).without_channel("民政局"), needs=NEEDS, identify="id",
                           nonlocal_policy="local", graph=False)
    assert stages(loc)[(E, "subsistence")] == "no_channel"


def test_what_if_ranking(net):
    # default: only services some pilot county has (民政局 serving education/medical is not one)
    w = rn.what_if(net)
    top = w.iloc[0]
    assert (top["change"], top["agency"], top["needs_gained"]) == ("channel", "医保局", 1)
    assert w["needs_gained"].iloc[1:].eq(0).all()
    assert w.loc[0, "coverage_after"] == pytest.approx(5 / 8)
    assert not ((w["agency"] == "民政局") & (w["need"] == "education")).any()
    # every pair: 民政局 serving education gains F, serving medical gains B
    w = rn.what_if(net, services="any")
    got = [tuple(r) for r in w[["change", "agency", "need", "needs_gained"]].head(3).values.tolist()]
    assert got == [("channel", "医保局", "", 1), ("service", "民政局", "education", 1), ("service", "民政局", "medical", 1)]
    assert w["needs_gained"].iloc[3:].eq(0).all()


def test_what_if_when_referring_on_needs(net):
    """policy="needs": clue persons go to every serving agency. Baseline covered: A-sub (aided),
    A-edu, B-sub, E-sub (transfer), F-edu (教育局) = 5; B-medical (医保局) and C-employment (人社局)
    lack a channel → each of those two channels gains 1; 妇联 gains 0 (D has no clue)."""
    w = rn.what_if(net, policy="needs")
    assert w.loc[0, "coverage_before"] == pytest.approx(5 / 8)
    top2 = {tuple(r) for r in w[["change", "agency", "needs_gained"]].head(2).values.tolist()}
    assert top2 == {("channel", "医保局", 1), ("channel", "人社局", 1)}
    assert w["needs_gained"].iloc[2:].eq(0).all()


def test_chain_breaks_and_unreached(net):
    cb = rn.chain_breaks(net).set_index("stage")["needs"].to_dict()
    assert cb == {"no_clue": 1, "no_referral": 1, "wrong_agency": 1, "no_channel": 1, "no_feedback": 2,
                  "transfer_home": 1, "aided": 1}
    u = rn.unreached(net, masked=False).set_index("person")
    assert set(u.index) == {B, C, F}
    assert u.loc[B, "break"] == "no_channel" and u.loc[C, "break"] == "no_referral"
    assert u.loc[F, "break"] == "wrong_agency"


def test_duplicate_aid_and_nonlocal(net):
    twice = rn.judicial_aid_twice(net, masked=False)
    assert twice["person"].tolist() == [A] and twice["decisions"].tolist() == [2]
    assert twice["total_amount"].tolist() == [35000.0]
    ov = rn.overlapping_aid(net, masked=False)
    assert ov[["person", "need", "n_agencies"]].values.tolist() == [[A, "subsistence", 2]]
    assert bool(ov["judicial_aid"][0])
    nl = rn.nonlocal_referrals(net, masked=False)
    assert nl["person"].tolist() == [E] and nl["home_code"].tolist() == ["330382"]
    assert "乐清" in nl["route"][0]


def test_graph_edges(net):
    g = net.graph
    assert g.has_edge(f"P:{A}", "A:民政局", key="referral") and g.has_edge(f"P:{A}", "A:民政局", key="social_aid")
    assert g.has_edge("A:检察院", "A:民政局", key="channel") and not g.has_edge("A:检察院", "A:医保局")
    assert g.has_edge(f"P:{A}", "C:K0", key="party_of") and g.has_edge(f"P:{B}", "G:持证残疾人", key="registered_in")
    assert g.has_edge(f"P:{A}", "A:法院", key="judicial_aid")
    assert g.nodes[f"P:{A}"]["label"].startswith("张** 3207**********")
    assert A not in g.nodes[f"P:{A}"]["label"] and NAMES[A] not in g.nodes[f"P:{A}"]["label"]
    ag = rn.agency_graph(net)
    assert ag["检察院"]["民政局"]["referrals"] == 4 and ag["检察院"]["医保局"]["channel"] is False


def _all_text(obj) -> str:
    if isinstance(obj, dict):
        return "\n".join(_all_text(v) for v in obj.values())
    return obj.astype(str).to_csv()


def test_lists_and_letters_masked_unless_asked(net, tmp_path):
    lists = rn.referral_lists(net)
    assert set(lists) == {"民政局", "教育局", "医保局"}
    assert len(lists["民政局"]) == 4  # A, B, E, F
    letters = rn.draft_letters(net)
    assert len(letters) == 6  # A×民政局, A×教育局, B×医保局, B×民政局, E×民政局, F×民政局
    text = _all_text(lists) + _all_text(letters)
    for x in IDS:
        assert x not in text and NAMES[x] not in text
    e = letters[letters["text"].str.contains("户籍地")]
    assert len(e) == 1 and "乐清" in e["text"].iloc[0]
    assert "____年__月__日" in letters["text"].iloc[0]  # never today's date
    raw = rn.draft_letters(net, masked=False)
    assert A in _all_text(raw) and NAMES[A] in _all_text(raw)
    # files
    paths = rn.write_referral_lists(net, tmp_path / "lists")
    assert len(paths) == 3
    for p in paths:
        wb = openpyxl.load_workbook(p)
        cells = [str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None]
        assert not any(x in c for x in IDS for c in cells) and not any(NAMES[x] in c for x in IDS for c in cells)
    lp = rn.write_letters(letters, tmp_path / "letters", county="testland")
    assert all(A not in p.read_text("utf-8") for p in lp)


def test_formula_cells_neutralised(net, tmp_path):
    cl = clues()
    cl.loc[0, "name"] = "=HYPERLINK(\"http://x\")"
    n2 = rn.build_network(pool(), cl, net.cfg, needs=NEEDS, identify="id", graph=False)
    paths = rn.write_referral_lists(n2, tmp_path / "raw", masked=False)
    wb = openpyxl.load_workbook([p for p in paths if "民政局" in p.name][0])
    vals = [c.value for row in wb.active.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\")" in vals
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)
    assert rn.neutralise(pd.DataFrame({"x": ["+1", "ok", "@a", "-2"]}))["x"].tolist() == ["'+1", "ok", "'@a", "'-2"]


def test_truth_identification_follows_links(tmp_path):
    """On a synthetic pool the truth keys records by person_id through truth_links: a clue whose
    ID is garbled still reaches its person; with identify="id" it does not (F → no_clue)."""
    p = pool()
    pids = [f"P{i}" for i in range(6)]
    tp = pd.DataFrame({"person_id": pids, "name": [NAMES[x] for x in IDS], "id_number": list(IDS),
                       "sex": ["男"] * 6, "birth_date": ["1970-01-01"] * 6, "household_id": pids,
                       "local": [True, True, True, True, False, True], "address": [""] * 6, "phone": [""] * 6,
                       "hardship": [2] * 6})
    tl = pd.DataFrame({"source": ["proc_parties"] * 6 + ["social_aid"] * 2 + ["judicial_aid"] * 4 + ["registries"] * 2,
                       "source_ref": [f"R{i}" for i in range(6)] + ["S1", "S2", "J1", "J2", "J3", "J4", "G1", "G2"],
                       "field": ["person"] * 14, "person_id": pids + ["P0", "P0", "P0", "P0", "P1", "P1", "P0", "P1"]})
    tv = pd.DataFrame({"victim_id": pids, "person_id": pids, "case_id": [f"K{i}" for i in range(6)],
                       "judgment_id": [None] * 6, "harm": ["伤害"] * 6, "harmed_on": ["2021-01-01"] * 6,
                       "compensated": [False] * 6, "settled": [False] * 6, "hardship": [2] * 6, "aided_before": [False] * 6,
                       "judicial_aid_eligible": NEEDS["judicial_aid_eligible"].tolist(),
                       "social_aid_eligible": NEEDS["social_aid_eligible"].tolist(), "needs": NEEDS["need"].tolist()})
    p = p.replace(truth_persons=tp, truth_links=tl, truth_victims=tv)
    cl = clues()
    cl.loc[4, "id_number"] = "32072319950202001"  # F's ID with its last digit lost
    cfg = config(tmp_path)
    t = rn.build_network(p, cl, cfg)  # identify="auto" → truth
    assert t.identify == "truth"
    assert dict(zip(zip(t.assessment["person"], t.assessment["need"]), t.assessment["stage"]))[("P5", "education")] == "wrong_agency"
    assert int(t.assessment["covered"].sum()) == 4
    i = rn.build_network(p, cl, cfg, identify="id")
    assert stages(i)[(F, "education")] == "no_clue"


def test_county_data_quote_seeds_or_say_assumption():
    for c in rn.COUNTIES:
        cfg = rn.load_county(c)
        assert len(cfg.channels) >= 3, c
        assert cfg.channels["status"].isin(["seed", "assumption"]).all(), c
        assert (cfg.channels["source"].str.len() > 0).all(), c
        assert set(cfg.services["need"]) >= {"medical", "education", "employment", "psychological", "subsistence"}
    g = rn.load_county("guanyun")
    assert len(g.channels) == 8  # "建立起8条沟通联络渠道"
    assert set(g.channels.loc[g.channels["status"] == "seed", "to"]) == {"乡村振兴局", "民政局", "残联", "总工会", "妇联", "医保局", "司法局"}
    assert set(rn.load_county("shanxian").channels["to"]) == {"民政局", "乡村振兴局", "残联"}
    assert {"卫健委", "妇联", "教育局", "人社局", "检察院未检工作室"} <= set(rn.load_county("weidu").channels["to"])
    tpl = rn.letter_template()
    assert "社会救助建议函" in tpl["text"] and "{id_number}" in tpl["text"]


def test_transfer_to_home_procuratorate_covers_a_non_local_need(tmp_path):
    """E (non-local) referred only to 户籍地检察院 (yueqing model 4's wording): under the seed-003
    transfer rule the need is covered (transfer_home); a local person referred there is not
    (F → wrong_agency); with nonlocal_policy="local" E is wrong_agency too."""
    cl = clues()
    cl.loc[3, "recommended_agencies"] = "户籍地检察院"
    cl.loc[4, "recommended_agencies"] = "户籍地检察院"
    n = rn.build_network(pool(), cl, config(tmp_path), needs=NEEDS, identify="id", graph=False)
    assert stages(n)[(E, "subsistence")] == "transfer_home"
    assert stages(n)[(F, "education")] == "wrong_agency"
    n2 = rn.build_network(pool(), cl, config(tmp_path), needs=NEEDS, identify="id", graph=False, nonlocal_policy="local")
    assert stages(n2)[(E, "subsistence")] == "wrong_agency"
    assert "户籍地检察院" not in set(rn.what_if(n)["agency"])


def test_agency_to_agency_channel_reaches_and_breaks_downstream(tmp_path):
    """民政局 → 医保局 (a platform relay like 乐清's 社会大救助平台): B's medical need is now covered
    (5/8). Removing the 检察院 → 民政局 channel cuts 民政局 and 医保局: A-sub, B-sub and B-medical
    are lost (2/8), exactly those three needs."""
    cfg = config(tmp_path).with_channel("医保局", frm="民政局")
    assert "医保局" in cfg.reachable()
    n = rn.build_network(pool(), clues(), cfg, needs=NEEDS, identify="id")
    assert stages(n)[(B, "medical")] == "no_feedback" and int(n.assessment["covered"].sum()) == 5
    after = n.reassess(cfg.without_channel("民政局"))
    lost = n.assessment["covered"] & ~after["covered"]
    assert sorted(zip(n.assessment.loc[lost, "person"], n.assessment.loc[lost, "need"])) == sorted(
        [(A, "subsistence"), (B, "subsistence"), (B, "medical")])
    load = rn.agency_load(n).set_index("agency")
    assert load.loc["民政局", "sole"] == 3  # A-sub, B-sub and (through the relay) B-medical


def test_agency_names_lose_the_county_prefix_and_aliases_apply():
    cfg = rn.load_county("weidu")
    assert cfg.agency("许昌市魏都区民政局") == "民政局" and cfg.agency("魏都区教育局") == "教育局"
    assert cfg.agency("民政部门") == "民政局" and cfg.agency("未检工作室") == "检察院未检工作室"
    assert rn.load_county("yueqing").agency("乐清市医保局") == "医保局"
    assert cfg.agency_series(pd.Series(["许昌市魏都区医保局", None])).tolist()[0] == "医保局"


def test_empty_pool_without_truth_gives_empty_tables_not_errors(tmp_path):
    """Real data before any model ran: no clues, no needs → every table empty, charts draw."""
    import matplotlib

    matplotlib.use("Agg")
    p = DataPool.from_frames({}, meta={"county": "panan"})
    n = rn.build_network(p, rn.collect_clues(p, models=[]), "panan")
    assert n.identify == "id" and len(n.assessment) == 0
    assert rn.summary(n)["coverage"] is None and len(rn.coverage_by(n, "need")) == 0
    assert len(rn.unreached(n)) == 0 and len(rn.draft_letters(n)) == 0 and rn.referral_lists(n) == {}
    assert rn.what_if(n)["needs_gained"].eq(0).all()
    rn.plot_agency_network(n); rn.plot_coverage(rn.coverage_by(n, "need")); rn.plot_what_if(rn.what_if(n))


def test_graph_paths_agree_with_the_tables(net, tmp_path):
    """Coverage read off the graph (referral edge to a serving agency + channel path from 检察院)
    equals the table assessment: on the base pool (4 of 8) and with the 民政局 → 医保局 relay (5 of 8)."""
    def compare(n):
        g = rn.coverage_from_graph(n).sort_values(["person", "need"]).reset_index(drop=True)
        t = n.assessment[["person", "need", "covered"]].sort_values(["person", "need"]).reset_index(drop=True)
        assert g.equals(t.astype({"covered": bool}))
        return int(g["covered"].sum())

    assert compare(net) == 4
    relay = config(tmp_path).with_channel("医保局", frm="民政局")
    assert compare(rn.build_network(pool(), clues(), relay, needs=NEEDS, identify="id")) == 5


def test_id_keyed_records_show_their_row_in_lists_and_letters(tmp_path):
    """Issue #16: parties keyed by the person's ID (P<id>) never show the ID in a list's
    来源记录 or a letter's 线索来源: the row of the pool's table instead (R0 → P<A> is record 1
    of proc_parties, R1 → P<B> record 2); with masked=False the key as it is."""
    p = pool()
    parties = p["proc_parties"].copy()
    parties["record_id"] = ["P" + x for x in IDS]
    p = p.replace(proc_parties=parties)
    cl = clues()
    cl["source_ref"] = ["P" + x for x in [A, B, C, E, F]]
    n = rn.build_network(p, cl, config(tmp_path), needs=NEEDS, identify="id")
    lists = rn.referral_lists(n)
    mz = lists["民政局"].set_index("线索编号")
    assert mz.loc["m1-1", "来源记录"] == "proc_parties 第1条" and mz.loc["m1-2", "来源记录"] == "proc_parties 第2条"
    letters = rn.draft_letters(n)
    first = letters[letters["clue_id"] == "m1-1"]["text"].iloc[0]
    assert "线索来源：proc_parties 第1条" in first
    blob = _all_text(lists) + _all_text(letters)
    assert not any(x in blob for x in IDS)
    raw = rn.referral_lists(n, masked=False)["民政局"].set_index("线索编号")
    assert raw.loc["m1-1", "来源记录"] == "P" + A
    # the files: no raw ID anywhere (the scanner reads the xlsx cells)
    from jiuzhu_methods import privacy

    rn.write_referral_lists(n, tmp_path / "lists")
    rn.write_letters(letters, tmp_path / "letters", county="testland")
    assert privacy.scan(tmp_path / "lists", tmp_path / "letters", ids=list(IDS), names=list(NAMES.values())).empty
