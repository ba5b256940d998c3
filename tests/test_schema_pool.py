import pandas as pd
import pytest

from jiuzhu_methods import DataPool, schema


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
