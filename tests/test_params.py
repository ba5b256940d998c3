"""The one parameter loader (core.params: parameter, values_of, override; issue #17), on real
entries of the parameter files (values quoted from the YAML) and on small literal dicts."""
from __future__ import annotations

import pytest

from jiuzhu_methods.core.params import load_params, override, parameter, values_of


def test_value_entry():
    # guanyun.yaml: lookup_window_months: {value: 6, …}
    assert parameter("guanyun", "lookup_window_months") == 6
    # panan.yaml: supervision: pending_days: {value: 90, …}
    assert parameter("panan", "supervision", "pending_days") == 90


def test_values_entry():
    # guanyun.yaml: disability_grades: {values: {"1-2": "一级|二级|1级|2级", "3-4": "三级|四级|3级|4级"}}
    assert parameter("guanyun", "disability_grades") == {"1-2": "一级|二级|1级|2级", "3-4": "三级|四级|3级|4级"}


def test_missing_path_names_file_and_path():
    with pytest.raises(KeyError) as e:
        parameter("panan", "supervision", "pending_dayz")
    msg = str(e.value)
    assert "data/models/panan.yaml" in msg and "supervision.pending_dayz" in msg and "pending_days" in msg
    with pytest.raises(KeyError, match="data/models/panan.yaml.*nowhere"):
        parameter("panan", "nowhere")
    with pytest.raises(KeyError, match="not a parameter"):
        parameter("panan", "supervision")            # a section, not an entry


def test_values_of_sections():
    P = values_of("panan")
    assert P["supervision"]["pending_days"] == 90
    assert "description" not in P["supervision"] and "source" not in P
    # a section that is itself one parameter (the decision tree) stands for its value
    assert P["decision_tree"] == load_params("panan")["decision_tree"]["value"]
    assert values_of("panan", "supervision") == P["supervision"]
    with pytest.raises(KeyError, match="panan.yaml has no section 'nowhere'"):
        values_of("panan", "nowhere")


def test_values_of_and_parameter_return_copies():
    first = values_of("panan")
    first["supervision"]["pending_days"] = 1
    first["decision_tree"].clear()
    again = values_of("panan")
    assert again["supervision"]["pending_days"] == 90 and again["decision_tree"]
    g = parameter("guanyun", "disability_grades")
    g["1-2"] = "x"
    assert parameter("guanyun", "disability_grades")["1-2"] == "一级|二级|1级|2级"
    assert load_params("guanyun")["disability_grades"]["values"]["1-2"] == "一级|二级|1级|2级"


def test_override_existing_keys():
    p = {"screening": {"roles": ["被害人"], "age": 18}, "cap": 3}
    dotted = override(p, {"screening.roles": ["被害人", "近亲属"], "cap": 5})
    assert dotted == {"screening": {"roles": ["被害人", "近亲属"], "age": 18}, "cap": 5}
    nested = override(p, {"screening": {"age": 16}})
    assert nested == {"screening": {"roles": ["被害人"], "age": 16}, "cap": 3}
    assert p == {"screening": {"roles": ["被害人"], "age": 18}, "cap": 3}   # the input is unchanged
    # on a real file's values: 90 → 30 days
    assert override(values_of("panan"), {"supervision.pending_days": 30})["supervision"]["pending_days"] == 30
    assert values_of("panan")["supervision"]["pending_days"] == 90


def test_override_unknown_key_raises():
    p = {"screening": {"roles": ["被害人"]}, "cap": 3}
    with pytest.raises(KeyError, match="screening.rolez"):
        override(p, {"screening.rolez": []})
    with pytest.raises(KeyError, match="screening.rolez"):
        override(p, {"screening": {"rolez": []}})
    with pytest.raises(KeyError, match="'capp'"):
        override(p, {"capp": 1})
    with pytest.raises(KeyError, match="cap.x"):
        override(p, {"cap.x": 1})                  # below a value there is nothing
