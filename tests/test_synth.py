"""Synthetic counties: determinism, contract, truth coverage, story invariants, noise, names, scale."""
from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods.core import identity
from jiuzhu_methods.io import schema
from jiuzhu_methods.synth import COUNTIES, generate, load_profile
from jiuzhu_methods.synth.noise import noisy_ids
from jiuzhu_methods.synth.profiles import load_noise, package_yaml, raw_profile
from jiuzhu_methods.synth.registries import POVERTY_LISTS

SMALL = 0.005

PERSON_TABLES = {  # table -> (key, [(field, name column, id column)])
    "proc_parties": ("record_id", [("person", "name", "id_number")]),
    "petitions": ("petition_id", [("person", "name", "id_number")]),
    "judicial_aid": ("aid_id", [("person", "name", "id_number")]),
    "court_parties": ("record_id", [("person", "name", "id_number")]),
    "registries": ("record_id", [("person", "name", "id_number")]),
    "social_aid": ("record_id", [("person", "name", "id_number")]),
    "court_enforcements": ("enforcement_id", [("applicant", "applicant_name", "applicant_id_number"),
                                              ("respondent", "respondent_name", "respondent_id_number")]),
}


@pytest.fixture(scope="module", params=COUNTIES)
def small(request):
    return generate(request.param, scale=SMALL, seed=3)


@pytest.fixture(scope="module")
def yq():
    """乐清 at the default demo scale (the one notebooks use)."""
    return generate("yueqing", scale=0.02, seed=7)


def _person_of(pool, table, field="person"):
    tl = pool.truth["truth_links"]
    return tl[(tl["source"] == table) & (tl["field"] == field)].set_index("source_ref")["person_id"]


# ----------------------------------------------------------------------------- reproducibility
def test_same_seed_gives_byte_identical_parquet(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate("panan", scale=SMALL, seed=11).write(a)
    generate("panan", scale=SMALL, seed=11).write(b)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == len(schema.TABLES) + 1  # every table + meta.json
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_another_pool():
    a = generate("panan", scale=SMALL, seed=1)
    b = generate("panan", scale=SMALL, seed=2)
    assert not a.truth["truth_persons"]["id_number"].equals(b.truth["truth_persons"]["id_number"])


# ----------------------------------------------------------------------------- contract
def test_every_contract_table_and_column_with_contract_vocabulary(small):
    for name in schema.TABLES:
        df = small[name]
        spec = schema.TABLES[name]
        assert list(df.columns[: len(spec.columns)]) == spec.column_names, name
        for col in spec.columns.values():
            assert str(df[col.name].dtype) == str(pd.Series([], dtype=col.dtype).dtype), (name, col.name)
            if col.required:
                assert df[col.name].notna().all(), (name, col.name)
        assert schema.vocabulary_report(name, df).empty, schema.vocabulary_report(name, df)
        assert not df.duplicated(list(spec.key)).any(), name
    schema.validate_table("proc_parties", small["proc_parties"])


def test_every_contract_table_is_non_empty_at_demo_scale(yq):
    for name in schema.TABLES:
        assert len(yq[name]) > 0, name
    # every vocabulary value the models rely on occurs
    assert set(yq["proc_parties"]["role"]) == set(schema.TABLES["proc_parties"].columns["role"].vocabulary)
    assert set(yq["court_enforcements"]["closure"]) == {"执行完毕", "终结执行", "终结本次执行", "未结"}
    assert set(yq["judicial_aid"]["status"]) == {"已受理", "决定救助", "不予救助", "不予受理"}
    assert set(yq["petitions"]["category"]) == {"涉法涉诉", "其他"}
    assert {"刑事检察", "未成年人检察", "民事检察", "行政检察"} <= set(yq["proc_cases"]["business"])
    assert {"支持起诉", "执行监督", "行政裁判结果监督", "行政非诉执行监督", "审查逮捕", "审查起诉"} <= set(yq["proc_cases"]["stage"])
    assert {"故意伤害罪", "交通肇事罪", "故意杀人罪", "诈骗罪", "机动车交通事故责任纠纷", "赡养纠纷", "抚养纠纷"} <= set(yq["proc_cases"]["charge"]) | set(yq["court_judgments"]["cause"])
    assert set(yq["proc_documents"]["doc_type"]) >= {"起诉意见书", "询问笔录", "讯问笔录", "鉴定意见书", "道路交通事故认定书",
                                                     "和解协议书", "谅解书", "刑事判决书"}


def test_meta(small):
    m = small.meta
    for k in ("county", "county_name", "county_code", "seed", "scale", "start_date", "end_date", "reference_date",
              "avg_monthly_wage"):
        assert k in m, k
    assert m["end_date"] > m["start_date"]
    months = (pd.Timestamp(m["end_date"]).to_period("M") - pd.Timestamp(m["start_date"]).to_period("M")).n + 1
    assert months >= 24


def test_dates_inside_the_period(small):
    lo, hi = pd.Timestamp(small.meta["start_date"]), pd.Timestamp(small.meta["end_date"])
    for name in schema.CONTRACT_TABLES:
        for col in schema.TABLES[name].columns.values():
            if col.type == "date":
                s = small[name][col.name].dropna()
                assert ((s >= lo) & (s <= hi)).all(), (name, col.name)


# ----------------------------------------------------------------------------- truth
def test_truth_links_cover_every_person_bearing_record(small):
    tl = small.truth["truth_links"]
    assert not tl.duplicated(["source", "source_ref", "field"]).any()
    persons = set(small.truth["truth_persons"]["person_id"])
    assert set(tl["person_id"]) <= persons
    for table, (key, fields) in PERSON_TABLES.items():
        for field, _, _ in fields:
            refs = set(tl.loc[(tl["source"] == table) & (tl["field"] == field), "source_ref"])
            assert refs == set(small[table][key]), (table, field)


def test_truth_names_and_ids_match_records_without_noise(small):
    tl = small.truth["truth_links"]
    tp = small.truth["truth_persons"].set_index("person_id")
    for table, (key, fields) in PERSON_TABLES.items():
        for field, ncol, icol in fields:
            link = tl[(tl["source"] == table) & (tl["field"] == field)].set_index("source_ref")
            df = small[table].set_index(key)
            link = link.loc[df.index]
            clean = (link["id_noise"] == "").to_numpy()
            true_ids = tp.loc[link["person_id"], "id_number"].to_numpy()
            assert (df[icol].to_numpy()[clean] == true_ids[clean]).all(), table
            cleann = (link["name_noise"] == "").to_numpy()
            assert (df[ncol].to_numpy()[cleann] == tp.loc[link["person_id"], "name"].to_numpy()[cleann]).all(), table


def test_population_identity(small):
    tp = small.truth["truth_persons"]
    assert (identity.check_series(tp["id_number"]) == "").all()
    assert tp["id_number"].is_unique
    code = small.meta["county_code"]
    local = tp["local"].to_numpy()
    assert tp.loc[local, "id_number"].str.startswith(code).all()
    assert not tp.loc[~local, "id_number"].str.startswith(code).any()
    assert identity.sex_series(tp["id_number"]).equals(tp["sex"].rename(None).astype("str")) or \
        (identity.sex_series(tp["id_number"]).to_numpy() == tp["sex"].to_numpy()).all()


# ----------------------------------------------------------------------------- story invariants
def test_compensated_victims_have_no_unpaid_termination(small):
    tv = small.truth["truth_victims"]
    enf = small["court_enforcements"]
    app = _person_of(small, "court_enforcements", "applicant")
    e = enf.assign(person_id=enf["enforcement_id"].map(app))
    # (an enforcement without a judgment is no award: some creditors of plain debts are victims
    # too, and pandas would pair a missing judgment_id with a missing one)
    comp = tv[tv["compensated"]].dropna(subset=["judgment_id"])
    m = comp.merge(e.dropna(subset=["judgment_id"]), on=["person_id", "judgment_id"], how="inner")
    bad = m[m["closure"].isin(["终结本次执行", "终结执行", "未结"]) | (m["amount_paid"] < m["amount_due"])]
    assert bad.empty, bad
    # and the victim's own enforcement is the one named in the truth
    own = tv.dropna(subset=["enforcement_id"]).merge(e, on="enforcement_id", suffixes=("", "_e"))
    assert (own["person_id"] == own["person_id_e"]).all()
    assert not (own["compensated"] & (own["closure"] == "终结本次执行")).any()


def test_eligibility_follows_the_conditions(small):
    tv = small.truth["truth_victims"]
    rules = package_yaml("eligibility.yaml")["judicial_aid"]
    e = tv[tv["judicial_aid_eligible"]]
    assert (~e["compensated"]).all()
    assert (e["hardship"] >= rules["minimum_hardship"]["value"]).all()
    assert (~e["aided_before"]).all()
    assert e["qualifying_harm"].all() and e["no_effective_compensation"].all()
    assert e["harm"].isin(rules["qualifying_harm"]["value"]).all()
    assert not e["fault"].isin(rules["excluded_fault"]["value"]).any()
    # the converse: every party meeting all conditions is eligible
    meets = (~tv["compensated"] & (tv["hardship"] >= 2) & ~tv["aided_before"] & tv["qualifying_harm"]
             & tv["no_effective_compensation"] & ~tv["fault"].isin(rules["excluded_fault"]["value"]))
    assert (meets == tv["judicial_aid_eligible"]).all()
    assert (tv.loc[tv["compensated"], "hardship"] == 0).all()


def test_aided_before_means_a_decided_aid_record(small):
    tv = small.truth["truth_victims"]
    ja = small["judicial_aid"]
    who = ja["aid_id"].map(_person_of(small, "judicial_aid"))
    decided = set(who[ja["status"] == "决定救助"])
    assert set(tv.loc[tv["aided_before"], "person_id"]) == decided & set(tv["person_id"]) or \
        set(tv.loc[tv["aided_before"], "person_id"]) <= decided
    assert decided <= set(tv.loc[tv["aided_before"], "person_id"])
    paid = ja[ja["status"] == "决定救助"]
    assert paid["amount"].notna().all() and paid["paid_on"].notna().all()
    assert (paid["amount"] <= 36 * small.meta["avg_monthly_wage"]).all()
    assert ja.loc[ja["status"] == "已受理", "decided_on"].isna().all()


def test_registry_rows_belong_to_persons_in_hardship_or_on_that_list(small):
    reg = small["registries"]
    tp = small.truth["truth_persons"].set_index("person_id")
    who = reg["record_id"].map(_person_of(small, "registries"))
    pov = reg["registry"].isin(POVERTY_LISTS).to_numpy()
    assert (tp.loc[who[pov], "hardship"].to_numpy() >= 1).all()
    dis = (reg["registry"] == "持证残疾人").to_numpy()
    tv = small.truth["truth_victims"]
    disabled = set(tp.index[tp["disability"].notna()]) | set(tv.loc[tv["severity"] == "伤残", "person_id"])
    assert who[dis].isin(disabled).all()
    # registries are monthly snapshots: first days of months
    assert (reg["as_of"].dt.day == 1).all()


def test_registry_coverage_rates_in_profile_range():
    pool = generate("guanyun", scale=0.01, seed=5)
    reg = pool["registries"]
    n = len(pool.truth["truth_persons"])
    last = reg[reg["as_of"] == reg["as_of"].max()]
    share = last.groupby("registry").size() / n
    assert 0.02 <= share.get("城市低保", 0) + share.get("农村低保", 0) <= 0.04
    assert 0.022 <= share["持证残疾人"] <= 0.032
    assert 0.035 <= share["低收入人口"] <= 0.06


def test_grid_lists_often_lack_ids_and_carry_address_or_phone(yq):
    reg = yq["registries"]
    grid = reg[reg["registry"] == "网格困难群体"]
    other = reg[reg["registry"] != "网格困难群体"]
    assert grid["id_number"].isna().mean() > 0.4
    assert other["id_number"].isna().mean() < 0.05
    assert grid["address"].notna().all()


def test_story_has_the_published_patterns(yq):
    tv = yq.truth["truth_victims"]
    # homicide families, elderly fraud victims, women victims, unpaid support
    assert ((tv["charge"] == "故意杀人罪") & tv["relative"]).any()
    tp = yq.truth["truth_persons"].set_index("person_id")
    fraud = tv[tv["charge"] == "诈骗罪"]
    age = (fraud["harmed_on"] - tp.loc[fraud["person_id"], "birth_date"].to_numpy()).dt.days / 365.25
    assert (age >= 60).mean() > 0.5
    assert (tv["harm"] == "追索扶养费").any()
    assert ((tv["charge"] == "强奸罪") & (tp.loc[tv["person_id"], "sex"].to_numpy() == "女")).any()
    # settled but not compensated exists (the literal 谅解 rule then misses a victim)
    assert (tv["settled"] & ~tv["compensated"]).any()
    # criminal suspects who are enforcement respondents (魏都 collision c)
    pp = yq["proc_parties"]
    sus = set(pp.loc[pp["role"] == "犯罪嫌疑人", "record_id"].map(_person_of(yq, "proc_parties")))
    resp = yq["court_enforcements"]["enforcement_id"].map(_person_of(yq, "court_enforcements", "respondent"))
    assert resp.isin(sus).sum() > 5
    # suspects on low-income lists (false clues for role-blind rules)
    reg_people = set(yq["registries"]["record_id"].map(_person_of(yq, "registries")))
    assert len(sus & reg_people) > 0
    # same name, different person, between registries and victims
    names = yq.truth["truth_persons"].groupby("name")["person_id"].nunique()
    assert (names > 1).sum() > 1000
    # terminated enforcement without the full property investigation is visible in the note
    enf = yq["court_enforcements"]
    assert (enf["closure"] == "终结本次执行").any() and enf["note"].str.contains("未发现可供执行财产").any()


def test_documents_mislead_literal_keyword_rules(yq):
    from jiuzhu_methods.core.keywords import contains_any

    docs = yq["proc_documents"]
    words = ["调解协议", "已赔偿", "谅解"]
    plain = contains_any(docs["text"], words)
    aware = contains_any(docs["text"], words, negation="aware")
    assert (plain & ~aware).sum() > 10  # negated phrasings: 未达成调解协议, 不予谅解
    tv = yq.truth["truth_victims"]
    pc = yq["proc_cases"]
    crim = pc[pc["charge"].isin(["故意伤害罪", "交通肇事罪"])]
    hit_cases = set(docs.loc[plain, "case_id"])
    unpaid = tv[~tv["compensated"] & tv["case_id"].isin(crim["case_id"])]
    # some uncompensated victims are removed by the literal rule, some are kept
    assert unpaid["case_id"].isin(hit_cases).any() and (~unpaid["case_id"].isin(hit_cases)).any()
    assert docs["text"].str.contains("丧失劳动能力").any() and docs["text"].str.contains("死亡").any()
    tr = docs[docs["doc_type"] == "道路交通事故认定书"]
    assert tr["text"].str.contains("责任").all()


def test_yueqing_m1_reading_finds_true_and_false_clues(yq):
    """The published 模型1 by hand: 故意伤害/交通肇事 victims, literal keyword filter, low-income lists."""
    from jiuzhu_methods.core.keywords import contains_any

    pc, pp, docs, reg = yq["proc_cases"], yq["proc_parties"], yq["proc_documents"], yq["registries"]
    cases = pc[pc["stage"].isin(["审查逮捕", "审查起诉"]) & pc["charge"].isin(["故意伤害罪", "交通肇事罪"])]
    v = pp[pp["case_id"].isin(cases["case_id"]) & (pp["role"] == "被害人")]
    bad = set(docs.loc[contains_any(docs["text"], ["调解协议", "已赔偿", "谅解"]), "case_id"])
    v = v[~v["case_id"].isin(bad)]
    low = set(identity.usable_ids(reg.loc[reg["registry"].isin(["城市低保", "农村低保", "低保边缘家庭", "网格困难群体"]),
                                          "id_number"]).dropna())
    clues = v[identity.usable_ids(v["id_number"]).isin(low)]
    who = clues["record_id"].map(_person_of(yq, "proc_parties"))
    tv = yq.truth["truth_victims"]
    eligible = set(tv.loc[tv["judicial_aid_eligible"], "person_id"])
    assert who.isin(eligible).any() and (~who.isin(eligible)).any()


def test_traffic_victims_carry_fault(yq):
    pp, pc = yq["proc_parties"], yq["proc_cases"]
    tr = pp[pp["case_id"].isin(pc.loc[pc["charge"] == "交通肇事罪", "case_id"]) & (pp["role"] == "被害人")]
    assert tr["fault"].notna().all()
    assert pp.loc[pp["role"] != "被害人", "fault"].isna().all()


# ----------------------------------------------------------------------------- noise and names
def test_noise_rates_close_to_configured(yq):
    cfg = load_noise()["id_noise"]
    tl = yq.truth["truth_links"]
    reg = yq["registries"].set_index("record_id")
    for source, cfgkey in (("registries", "registries"), ("court_enforcements", "court_enforcements"),
                           ("proc_parties", "proc_parties")):
        link = tl[tl["source"] == source]
        if source == "registries":
            grid = reg.loc[link["source_ref"], "registry"].to_numpy() == "网格困难群体"
            link = link[~grid]
        n = len(link)
        for kind in ("missing", "typo", "spaces"):
            p = cfg[cfgkey][kind]
            obs = (link["id_noise"] == kind).mean()
            assert abs(obs - p) <= 4 * np.sqrt(p * (1 - p) / n) + 0.01 * (source == "registries") + 1e-9, (source, kind, obs, p)


def test_noisy_ids_normalise_back_or_fail_the_check():
    rng = np.random.default_rng(0)
    ids = identity.make_ids(np.array(["330382"] * 4000), np.array(["1975-03-09"] * 2000 + ["1990-12-31"] * 2000,
                                                                  dtype="datetime64[D]"), np.arange(4000) % 1000)
    out, kind = noisy_ids(rng, ids, "registries_grid")
    s = pd.Series(out, dtype="str")
    norm = identity.normalise_series(s)
    for k in ("fifteen", "fullwidth", "spaces", "lower_x", ""):
        sel = kind == k
        if sel.any():
            assert (norm[sel].to_numpy() == ids[sel]).all(), k
    typo = kind == "typo"
    assert typo.any() and (identity.check_series(s[typo]) == "checksum").all()
    assert s[kind == "missing"].isna().all()
    assert s[kind == "lower_x"].str.endswith("x").all()
    assert s[kind == "fifteen"].str.len().eq(15).all()


def test_name_model_gives_realistic_same_name_rates():
    from jiuzhu_methods.synth.names import make_names

    rng = np.random.default_rng(1)
    n = 100_000
    names = make_names(rng, rng.random(n) < 0.5, rng.integers(1930, 2020, n), np.arange(n) // 3)
    lo, hi = package_yaml("names.yaml")["target_distinct_per_100k"]["value"]
    assert lo <= len(set(names)) <= hi
    counts = pd.Series(names).value_counts()
    assert counts.index[0] in {"张伟", "王伟", "李伟", "王芳", "李芳", "张芳", "刘伟"}


def test_name_variants_appear(yq):
    tl = yq.truth["truth_links"]
    kinds = set(tl["name_noise"])
    assert {"homophone", "traditional"} <= kinds


# ----------------------------------------------------------------------------- scale, profiles, dictionary
def test_scale_is_proportional():
    a = generate("weidu", scale=0.01, seed=4)
    b = generate("weidu", scale=0.02, seed=4)
    ra = len(b.truth["truth_persons"]) / len(a.truth["truth_persons"])
    assert ra == pytest.approx(2, rel=0.01)
    for t in ("registries", "proc_parties", "court_enforcements"):
        assert len(b[t]) / len(a[t]) == pytest.approx(2, rel=0.3), t
    assert len(b.truth["truth_victims"]) / len(a.truth["truth_victims"]) == pytest.approx(2, rel=0.35)


@pytest.mark.parametrize("county", COUNTIES)
def test_profiles_have_a_source_for_every_number(county):
    raw = raw_profile(county)
    for k, v in raw.items():
        assert {"value", "source"} <= set(v), k
        assert str(v["source"]).strip(), k
    p = load_profile(county)
    assert p["months"] >= 24 and p["county"] == county
    pd.Timestamp(p["start_date"])  # a fixed date in the profile, never today


def test_unknown_county_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown county"):
        generate("atlantis", scale=0.01)


def test_committed_dictionary_is_up_to_date(tmp_path):
    from jiuzhu_methods.synth.dictionary import write_dictionary
    from jiuzhu_methods.synth.profiles import synthetic_dir

    paths = write_dictionary(tmp_path)
    committed = synthetic_dir() / "dictionary"
    for p in paths:
        c = committed / p.name
        assert c.exists(), f"missing {c}; regenerate with write_dictionary('synthetic/dictionary')"
        assert c.read_text("utf-8") == p.read_text("utf-8"), f"{c} is stale; regenerate it"


def test_social_aid_truth_follows_hardship_after_aid(yq):
    tv = yq.truth["truth_victims"]
    tp = yq.truth["truth_persons"].set_index("person_id")
    assert (tv["social_aid_eligible"] == (tp.loc[tv["person_id"], "hardship"].to_numpy() >= 2)).all()
    aided = tv[tv["aided_before"]]
    # after judicial aid some households still need social aid (模型4 true clues), some do not
    assert aided["social_aid_eligible"].any() and (~aided["social_aid_eligible"]).any()


def test_overrides_change_one_run_and_are_recorded():
    from jiuzhu_methods.synth.noise import scaled_id_noise

    base = generate("panan", scale=0.01, seed=3)
    over = generate("panan", scale=0.01, seed=3, overrides={"noise": scaled_id_noise(0.0),
                                                             "registries": {"poor_share": 0.11}})
    assert "overrides" not in base.meta
    assert set(over.meta["overrides"]) == {"noise", "registries"}
    # clean IDs: no record carries ID damage (lower-case x is a spelling, not damage)
    kinds = set(over.truth["truth_links"]["id_noise"].fillna(""))
    assert kinds <= {"", "lower_x"}
    assert kinds != set(base.truth["truth_links"]["id_noise"].fillna(""))
    # poor_share doubled (0.055 → 0.11): clearly more persons on 低保-type lists
    def dibao(p):
        r = p["registries"]
        return r.loc[r["registry"].isin(["城市低保", "农村低保"]), "id_number"].nunique()
    assert dibao(over) > 1.5 * dibao(base)
    # the profile itself is untouched
    assert generate("panan", scale=0.01, seed=3)["registries"].equals(base["registries"])
    with pytest.raises(KeyError, match="unknown profile key"):
        generate("panan", scale=0.01, seed=3, overrides={"registry_coverage_typo": 1})


def test_scaled_id_noise_sets_the_damaged_share():
    from jiuzhu_methods.synth.noise import ID_KINDS, scaled_id_noise

    o = scaled_id_noise(0.1)["id_noise"]
    # proc_parties mix 0.04/0.01/0.01/0.01/0.02 (sum 0.09) scaled to 0.1: missing 0.04/0.09*0.1
    assert o["proc_parties"]["missing"] == pytest.approx(0.04 / 0.09 * 0.1)
    assert all(sum(c[k] for k in ID_KINDS) == pytest.approx(0.1) for c in o.values())
    with pytest.raises(ValueError):
        scaled_id_noise(1.5)


# ----------------------------------------------------------------------------- settlement per victim (issue 15)
@pytest.fixture(scope="module")
def gy():
    """灌云 at the demo scale: multi-victim cases (fraud) with settlements."""
    return generate("guanyun", scale=0.02, seed=7)


def _victims_of_cases(pool):
    """Direct victims (被害人 rows) of criminal cases with their truth row (person, case)."""
    pp = pool["proc_parties"]
    v = pp[pp["role"] == "被害人"].copy()
    v["person_id"] = v["record_id"].map(_person_of(pool, "proc_parties")).to_numpy()
    tv = pool.truth["truth_victims"].drop_duplicates(["person_id", "case_id"])
    return v.merge(tv[["person_id", "case_id", "settled", "compensated"]], on=["person_id", "case_id"], how="left")


def test_settlement_is_per_victim(gy):
    # some case has a settled and an unsettled victim side by side (the offender settled with one)
    v = _victims_of_cases(gy).dropna(subset=["settled"])
    mixed = v.groupby("case_id")["settled"].agg(lambda s: s.astype(bool).nunique())
    assert (mixed == 2).any()
    # a settled victim's own 和解协议书 names him; an unsettled victim of the same case is named in none
    docs = gy["proc_documents"]
    settle_docs = docs[docs["doc_type"] == "和解协议书"]
    for case_id in mixed[mixed == 2].index[:20]:
        texts = settle_docs.loc[settle_docs["case_id"] == case_id, "text"]
        names = gy.truth["truth_persons"].set_index("person_id")["name"]
        for _, r in v[v["case_id"] == case_id].iterrows():
            named = texts.str.contains(names[r["person_id"]], regex=False).any()
            assert named == bool(r["settled"]), (case_id, r["person_id"])


def test_unpaid_settlements_say_so_in_words(gy):
    # each settled victim's 和解协议书 says whether it was paid: the unpaid ones record non-performance
    # (the words of 研判规则一's reading), the paid ones do not
    from jiuzhu_methods.core.keywords import contains_any
    from jiuzhu_methods.models import guanyun

    nonperf = guanyun.params()["compensation"]["non_performance"]["value"]
    v = _victims_of_cases(gy).dropna(subset=["settled"])
    v = v[v["settled"].astype(bool)]
    names = gy.truth["truth_persons"].set_index("person_id")["name"]
    docs = gy["proc_documents"]
    sd = docs[docs["doc_type"] == "和解协议书"]
    seen = {True: 0, False: 0}
    for _, r in v.iterrows():
        own = sd[(sd["case_id"] == r["case_id"]) & sd["text"].str.contains(names[r["person_id"]], regex=False)]
        if own.empty:
            continue
        paid = bool(r["compensated"])
        assert contains_any(own["text"], nonperf).any() != paid, (r["case_id"], paid)
        seen[paid] += 1
    assert seen[True] > 0 and seen[False] > 0


def test_published_rule1_reading_agrees_with_the_truth(gy):
    # guanyun rule 1 (settlement="content", the default) on the generated documents: of the victims it
    # removes by settlement, nearly all are truly compensated; most truly settled-and-paid victims go
    from jiuzhu_methods.models import guanyun

    cand = guanyun._candidates(gy)
    cand = cand[cand["source"] == "proc_parties"]
    s = guanyun.settlement_statements(cand, gy)
    cand = cand.assign(person_id=cand["source_ref"].map(_person_of(gy, "proc_parties")).to_numpy())
    tv = gy.truth["truth_victims"].drop_duplicates(["person_id", "case_id"])
    m = cand.join(s.rename(columns={"settled": "read_settled"})).merge(
        tv[["person_id", "case_id", "settled", "compensated"]], on=["person_id", "case_id"])
    removed = m[m["read_settled"].astype(bool)]
    assert len(removed) > 20
    assert removed["compensated"].astype(bool).mean() >= 0.95
    paid = m[m["settled"].astype(bool) & m["compensated"].astype(bool)]
    assert paid["read_settled"].astype(bool).mean() >= 0.8


def test_some_victims_collect_unrelated_debts(gy):
    # a share of plain debt enforcements (no judgment) have a harmed party as creditor, some paid in full
    enf = gy["court_enforcements"]
    debt = enf[enf["judgment_id"].isna()]
    app = debt["enforcement_id"].map(_person_of(gy, "court_enforcements", "applicant"))
    harmed = set(gy.truth["truth_victims"]["person_id"])
    by_victim = debt[app.isin(harmed).to_numpy()]
    assert len(by_victim) > 0 and (by_victim["closure"] == "执行完毕").any()
    # victims' own awards name their judgment, which names the case when it passed the procuratorate
    own = enf[enf["judgment_id"].notna()]
    assert own["judgment_id"].isin(gy["court_judgments"]["judgment_id"]).all()
