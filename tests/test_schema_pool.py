import pandas as pd
import pytest

from jiuzhu_methods import DataPool
from jiuzhu_methods.io import schema


def _case(**kw):
    row = {"case_id": "C1", "business": "刑事检察", "stage": "审查起诉", "charge": "故意伤害罪",
           "accepted_on": "2022-03-01", "county_code": "330382"}
    row.update(kw)
    return pd.DataFrame([row])


def test_contract_tables_and_labels():
    # every table of shared/spec/data-pool.md, with its columns in contract order
    assert schema.CONTRACT_TABLES == ["proc_cases", "proc_parties", "proc_documents", "petitions", "judicial_aid",
                                      "court_judgments", "court_parties", "court_enforcements", "registries",
                                      "social_aid"]
    assert schema.TABLES["court_enforcements"].column_names == [
        "enforcement_id", "judgment_id", "applicant_name", "applicant_id_number", "respondent_name",
        "respondent_id_number", "closure", "amount_due", "amount_paid", "filed_on", "closed_on"]
    assert schema.TABLES["registries"].columns["registry"].vocabulary[-1] == "网格困难群体"
    assert len(schema.TABLES["registries"].columns["registry"].vocabulary) == 19
    assert schema.header_map("proc_parties")["诉讼地位"] == "role"
    assert schema.table_by_label()["执行案件"] == "court_enforcements"


def test_from_frames_fills_absent_tables_and_coerces():
    pool = DataPool.from_frames({"proc_cases": _case()})
    assert len(pool["proc_cases"]) == 1
    assert pool["proc_cases"]["accepted_on"].dtype == "datetime64[us]"
    assert str(pool["proc_cases"]["case_id"].dtype) == "str"
    for name in schema.CONTRACT_TABLES:
        assert list(pool[name].columns)[: len(schema.TABLES[name].columns)] == schema.TABLES[name].column_names
    assert len(pool["registries"]) == 0
    assert set(pool) == set(schema.CONTRACT_TABLES)


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match=r"county_code \(承办院区划代码\)"):
        DataPool.from_frames({"proc_cases": _case().drop(columns="county_code")})


def test_unknown_table_is_an_error():
    with pytest.raises(KeyError, match="unknown table"):
        DataPool.from_frames({"cases": _case()})
    with pytest.raises(KeyError, match="unknown table"):
        DataPool.from_frames({})["nonsense"]


def test_truth_not_mixed_into_contract_tables():
    truth = pd.DataFrame({"source": ["proc_parties"], "source_ref": ["R1"], "field": ["person"], "person_id": ["P1"]})
    pool = DataPool.from_frames({"proc_cases": _case(), "truth_links": truth})
    assert "truth_links" not in list(pool)
    assert pool.truth["truth_links"]["person_id"].tolist() == ["P1"]
    assert pool["truth_links"] is pool.truth["truth_links"]
    with pytest.raises(KeyError, match="only synthetic pools"):
        DataPool.from_frames({})["truth_victims"]


def test_parquet_round_trip(tmp_path):
    truth = pd.DataFrame({"source": ["proc_parties"], "source_ref": ["R1"], "field": ["person"], "person_id": ["P1"]})
    parties = pd.DataFrame({"record_id": ["R1", "R2"], "case_id": ["C1", "C1"], "role": ["被害人", "犯罪嫌疑人"],
                            "name": ["张三", "李四"], "id_number": ["33038219800101007x", None],
                            "fault": [None, None]})
    pool = DataPool.from_frames({"proc_cases": _case(), "proc_parties": parties, "truth_links": truth},
                                meta={"county": "yueqing", "seed": 7})
    pool.write(tmp_path / "p")
    assert (tmp_path / "p" / "truth" / "truth_links.parquet").exists()
    assert not (tmp_path / "p" / "truth_links.parquet").exists()
    back = DataPool.read(tmp_path / "p")
    for name in schema.CONTRACT_TABLES:
        pd.testing.assert_frame_equal(back[name], pool[name])
    pd.testing.assert_frame_equal(back.truth["truth_links"], truth.astype("str"))
    assert back.meta["county"] == "yueqing" and back.meta["contract_version"] == 1
    # raw ID kept as it arrived (normalisation is the models' business, never a silent change)
    assert back["proc_parties"]["id_number"].iloc[0] == "33038219800101007x"
    # without truth
    assert not DataPool.read(tmp_path / "p", truth=False).has_truth
    # byte-identical when written twice
    pool.write(tmp_path / "q")
    for f in (tmp_path / "p").rglob("*.parquet"):
        assert f.read_bytes() == (tmp_path / "q" / f.relative_to(tmp_path / "p")).read_bytes()


def test_pandera_validation_and_vocabulary_report():
    df = schema.coerce("proc_cases", pd.concat([_case(), _case(case_id="C2", stage="侦查")]))
    rep = schema.vocabulary_report("proc_cases", df)
    assert rep[["column", "value", "count"]].values.tolist() == [["stage", "侦查", 1]]
    import pandera.errors

    with pytest.raises(pandera.errors.SchemaErrors):
        schema.validate_table("proc_cases", df)
    schema.validate_table("proc_cases", df.iloc[:1])
    with pytest.raises(pandera.errors.SchemaErrors):  # duplicate key
        schema.validate_table("proc_cases", pd.concat([df.iloc[:1], df.iloc[:1]]))


def test_data_dictionary_covers_every_column():
    dd = schema.data_dictionary()
    assert len(dd) == sum(len(t.columns) for t in schema.TABLES.values())
    assert dd.loc[(dd.table == "proc_parties") & (dd.column == "role"), "label"].item() == "诉讼地位"


# --------------------------------------------------------------------------- header aliases (issue #16)
ISSUE_ID_SPELLINGS = ["身份证号码", "身份证号", "公民身份号码", "证件号码"]


def test_issue_id_spellings_map_to_the_id_column_of_every_table_with_one():
    for t in schema.CONTRACT_TABLES:
        lookup = schema.header_lookup(t)
        if "id_number" in schema.TABLES[t].columns:
            for h in ISSUE_ID_SPELLINGS:
                assert lookup[schema.normalise_header(h)][0] == "id_number", (t, h)
    # court_enforcements has two ID columns: the bare spelling names neither, the prefixed ones do
    lookup = schema.header_lookup("court_enforcements")
    assert schema.normalise_header("身份证号码") not in lookup
    assert lookup[schema.normalise_header("申请执行人身份证号码")] == ("applicant_id_number", 1)
    assert lookup[schema.normalise_header("被执行人证件号码")] == ("respondent_id_number", 1)
    assert lookup[schema.normalise_header("被执行人身份证号")] == ("respondent_id_number", 0)   # the label itself


def test_every_contract_column_has_aliases_and_none_is_ambiguous():
    for t in schema.CONTRACT_TABLES:
        lookup = schema.header_lookup(t)             # raises if a spelling named two columns
        for name, col in schema.TABLES[t].columns.items():
            assert col.aliases, (t, name)            # "the other usual spellings of every contract column"
            assert lookup[schema.normalise_header(name)] == (name, 0)
            assert lookup[schema.normalise_header(col.label)] == (name, 0)
            for a in col.aliases:
                assert lookup[schema.normalise_header(a)] == (name, 1), (t, name, a)
            assert name not in col.aliases and col.label not in col.aliases


def test_alias_groups_expand_by_script():
    groups = {"g": {"zh": ["号码"], "en": ["no"]}}
    assert schema._expand_aliases(["{g}", "申请人{g}", "applicant_{g}", "其他"], groups, ("x", "y")) == \
        ("号码", "no", "申请人号码", "applicant_no", "其他")
    assert schema._expand_aliases(["{g}"], groups, ("no", "号码")) == ()     # own name and label left out
    with pytest.raises(ValueError, match="names no header_aliases group"):
        schema._expand_aliases(["{nothing}"], groups, ("x", "y"))
    with pytest.raises(ValueError, match="not text"):
        schema._expand_aliases([False], groups, ("x", "y"))     # YAML's `no` unquoted


def test_normalise_header_strips_invisible_characters_spaces_and_case():
    assert schema.normalise_header("\ufeff身份证\u200b号码 ") == "身份证号码"
    assert schema.normalise_header("ID-Number") == schema.normalise_header("id_number") == "idnumber"
    assert schema.normalise_header("ｃａｓｅ＿ｉｄ") == "caseid"                      # full-width (NFKC)
    assert schema.normalise_header("案件\u2060编号\u200d") == "案件编号"
    assert schema.normalise_header("救助金额（元）", remark=True) == "救助金额"
    assert schema.normalise_header("*信访人姓名", remark=True) == "信访人姓名"
    assert schema.normalise_header("救助金额（元）") == "救助金额(元)"             # kept without remark=True
    assert {"序号", "no"} <= schema.ROW_NUMBER_HEADERS


def test_docs_list_the_header_aliases_as_the_schema_has_them():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "real-data.md").read_text("utf-8")
    start, end = "<!-- aliases:start -->\n", "<!-- aliases:end -->"
    assert start in text and end in text
    section = text.split(start, 1)[1].split(end, 1)[0]
    assert section.strip() == schema.alias_markdown().strip(), \
        "regenerate the section with schema.alias_markdown()"
    dd = schema.data_dictionary("proc_parties")
    assert "证件号码" in dd.loc[dd["column"] == "id_number", "aliases"].item()


def test_consistency_checks_are_data():
    c = schema.CONSISTENCY
    assert ("court_enforcements", "filed_on", "closed_on") in c["date_order"]
    assert ("court_enforcements", "amount_paid", "amount_due") in c["amount_order"]
    assert c["non_negative"] and c["future_dates"]
    assert schema.TABLES["registries"].columns["as_of"].precision == "month"
    assert schema.TABLES["proc_cases"].columns["accepted_on"].precision == "day"
