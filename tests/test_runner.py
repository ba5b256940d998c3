"""``jiuzhu run``: parameters stay strings, a failing notebook does not stop the others and
makes the exit code non-zero, HTML has no code cells, the index links every run, pools are
reused or generated, and outputs are scanned for unmasked identity numbers.

These tests use tiny throw-away notebooks and a hand-built pool folder, so they do not depend
on the generator or the models (``tests/test_notebooks.py`` runs the real notebooks).
"""
from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool, cli
from jiuzhu_methods.core import identity
from jiuzhu_methods.reporting import report, runner

pytestmark = pytest.mark.notebooks

# A valid identity number built for the tests (330382 乐清, born 1980-01-02, order 011)
VALID_ID = str(identity.make_ids(np.array(["330382"]), np.array(["1980-01-02"], dtype="datetime64[D]"),
                                 np.array([11]))[0])

PARAMS_CELL = 'county = "x"\nseed = 1\nscale = 0.5\ndata_dir = ""\nout_dir = "."\ncounty_code = "000000"'


def _notebook(path: Path, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(PARAMS_CELL)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# test notebook"), p, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


OK_BODY = '''
from jiuzhu_methods import DataPool
from jiuzhu_methods.reporting import report
pool = DataPool.read(data_dir)
kinds = {"county": type(county).__name__, "county_code": type(county_code).__name__, "seed": type(seed).__name__}
zz_marker_in_code = "CODE-ONLY-MARKER"
print("OUTPUT-MARKER", len(pool["proc_parties"]), county_code)
report.write_summary(out_dir, NAME, title="ok", county=county,
                     runs={"demo": {"clues": len(pool["proc_parties"]), "precision": 0.5, "recall": 0.25}}, kinds=kinds)
'''


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Notebooks 01_ok, 02_fail, 03_ok and a hand-built pool for county 'panan' at scale 0.005, seed 3."""
    tmp_path = tmp_path_factory.mktemp("runner")
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    _notebook(nbdir / "01_ok.ipynb", OK_BODY.replace("NAME", '"01_ok"'))
    _notebook(nbdir / "02_fail.ipynb", 'raise ValueError("boom on purpose")')
    _notebook(nbdir / "03_ok.ipynb", OK_BODY.replace("NAME", '"03_ok"'))
    _notebook(nbdir / "_helper.ipynb", "1/0")  # underscore: never run
    pools = tmp_path / "pools"
    pool = DataPool.from_frames({"proc_parties": pd.DataFrame({
        "record_id": ["R1", "R2"], "case_id": ["C1", "C1"], "role": ["被害人", "近亲属"], "name": ["张三", "李四"],
        "id_number": [VALID_ID, None], "fault": [None, None]})},
        meta={"county": "panan", "scale": 0.005, "seed": 3, "county_code": "330727"})
    pool.write(pools / "panan")
    return tmp_path, nbdir, pools


def _run_cli(nbdir, pools, out, *extra) -> int:
    return cli.main(["run", "--counties", "panan", "--notebook-dir", str(nbdir), "--scale", "0.005", "--seed", "3",
                     "--jobs", "2", "--pools", str(pools), "--out", str(out), "--quiet", *extra])


@pytest.fixture(scope="module")
def ran(workspace):
    """One ``jiuzhu run`` over the three notebooks (2 jobs): (out folder, exit code, stderr)."""
    import contextlib
    import io

    tmp, nbdir, pools = workspace
    out = tmp / "reports"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = _run_cli(nbdir, pools, out, "--param", "county_code=330382")
    return out, rc, err.getvalue()


def test_failing_notebook_does_not_stop_the_others(ran):
    out, rc, err = ran
    assert rc != 0
    assert "FAILED panan/02_fail: ValueError: boom on purpose" in err
    # both good notebooks ran to the end (their summaries exist), before and after the failure
    for stem in ("01_ok", "03_ok"):
        s = json.loads((out / "panan" / f"{stem}.summary.json").read_text(encoding="utf-8"))
        assert s["clues"] == 2 and s["precision"] == 0.5
        assert (out / "panan" / f"{stem}.html").is_file() and (out / "panan" / f"{stem}.ipynb").is_file()
    # the failed one still leaves its partial notebook and HTML for diagnosis
    assert (out / "panan" / "02_fail.ipynb").is_file() and (out / "panan" / "02_fail.html").is_file()
    assert not (out / "panan" / "_helper.ipynb").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="panan/01_ok.html"' in index and 'href="panan/03_ok.html"' in index
    assert "FAILED" in index and "boom on purpose" in index
    assert "demo: 2 clues, P 0.50, R 0.25" in index  # the one-line summary per run
    runs = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert sorted((r["notebook"], r["ok"]) for r in runs) == [("01_ok", True), ("02_fail", False), ("03_ok", True)]


def test_string_parameters_stay_strings(ran):
    out, _, _ = ran
    s = json.loads((out / "panan" / "01_ok.summary.json").read_text(encoding="utf-8"))
    # "330382" arrives as the string "330382", not the int 330382; seed stays an int
    assert s["kinds"] == {"county": "str", "county_code": "str", "seed": "int"}
    nb = nbformat.read(str(out / "panan" / "01_ok.ipynb"), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'county_code = "330382"' in injected.source
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "OUTPUT-MARKER 2 330382" in printed


def test_parameters_are_passed_as_a_dict():
    p = runner.notebook_parameters("shanxian", pool_dir=Path("/p/shanxian"), out_dir=Path("/o/shanxian"),
                                   scale=0.005, seed=7, extra={"county_code": "371722"})
    assert p == {"county": "shanxian", "seed": 7, "scale": 0.005, "data_dir": "/p/shanxian",
                 "out_dir": "/o/shanxian", "county_code": "371722"}
    assert runner._parse_params(["county_code=330382", "x=a=b"]) == {"county_code": "330382", "x": "a=b"}


def test_html_has_outputs_but_no_code(ran):
    out, _, _ = ran
    html = (out / "panan" / "01_ok.html").read_text(encoding="utf-8")
    assert "OUTPUT-MARKER" in html
    assert "CODE-ONLY-MARKER" not in html and "zz_marker_in_code" not in html


def test_pool_is_reused_when_it_matches_and_generated_otherwise(tmp_path, monkeypatch):
    calls = []

    def fake_generate(county, *, scale, seed):
        calls.append((county, scale, seed))
        return DataPool.from_frames({}, meta={"county": county, "scale": scale, "seed": seed})

    monkeypatch.setitem(sys.modules, "jiuzhu_methods.synth", types.SimpleNamespace(generate=fake_generate))
    folder = tmp_path / "weidu"
    assert runner.ensure_pool("weidu", folder, scale=0.01, seed=5) == (str(folder), True)
    assert runner.ensure_pool("weidu", folder, scale=0.01, seed=5) == (str(folder), False)  # reused
    assert runner.ensure_pool("weidu", folder, scale=0.02, seed=5)[1] is True              # other scale
    assert runner.ensure_pool("weidu", folder, scale=0.02, seed=6)[1] is True              # other seed
    assert calls == [("weidu", 0.01, 5), ("weidu", 0.02, 5), ("weidu", 0.02, 6)]
    assert not runner.pool_matches(folder, county="panan", scale=0.02, seed=6)


def test_a_leaked_identity_number_fails_the_run(workspace):
    tmp, nbdir, pools = workspace
    leak_dir = tmp / "leak_nbs"
    leak_dir.mkdir()
    _notebook(leak_dir / "04_leak.ipynb", f'print("leaked: {VALID_ID}")')
    out = tmp / "r_leak"
    results, _ = runner.run(["panan"], runner.resolve_notebooks(["04_leak"], leak_dir), scale=0.005, seed=3, jobs=1,
                            out=out, pools=pools, progress=False)
    (r,) = results
    assert not r.ok and "unmasked identity numbers" in r.error
    assert VALID_ID not in r.error  # the report of a leak is masked itself
    assert identity.mask(VALID_ID) in r.error


def test_find_unmasked_ids(tmp_path):
    # masked; an 18-digit number whose digits 11-12 are no month (13) is no ID, whatever its check digit
    (tmp_path / "a.html").write_text(f"<td>{identity.mask(VALID_ID)}</td><td>330382198013020119</td>", encoding="utf-8")
    assert report.find_unmasked_ids(tmp_path) == []
    full_width = VALID_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    (tmp_path / "b.json").write_text(json.dumps({"x": f"证号{full_width}号"}, ensure_ascii=False), encoding="utf-8")
    found = report.find_unmasked_ids(tmp_path)
    assert found == [(str(tmp_path / "b.json"), identity.mask(VALID_ID))]
    # issue #16: a near-valid number (known area 330382, real date 19800102, wrong check digit
    # 9 instead of VALID_ID's) is someone's mistyped ID and counts; so does an ID glued to letters
    (tmp_path / "c.html").write_text("<td>330382198001020119</td><td>P" + VALID_ID + "</td>", encoding="utf-8")
    assert sorted(report.find_unmasked_ids(tmp_path / "c.html")) == sorted(
        [(str(tmp_path / "c.html"), "3303**********0119"), (str(tmp_path / "c.html"), identity.mask(VALID_ID))])


def test_resolve_notebooks(workspace):
    _, nbdir, _ = workspace
    names = [p.stem for p in runner.resolve_notebooks(None, nbdir)]
    assert names == ["01_ok", "02_fail", "03_ok"]
    assert [p.stem for p in runner.resolve_notebooks(["03", "01_ok"], nbdir)] == ["03_ok", "01_ok"]
    with pytest.raises(SystemExit):
        runner.resolve_notebooks(["nope"], nbdir)


def test_summary_line():
    assert runner.summary_line({}) == ""
    assert runner.summary_line({"clues": 3, "precision": 0.5, "recall": 0.25}) == "3 clues · precision 0.50 · recall 0.25"
    assert runner.summary_line({"line": "m1: 1 clues"}) == "m1: 1 clues"


def test_repository_notebooks_are_committed_without_outputs():
    nbs = runner.list_notebooks()
    assert [p.stem for p in nbs][:6] == ["00_synthetic_county", "01_guanyun", "02_yueqing", "03_panan",
                                          "04_shanxian", "05_weidu"]
    for p in nbs:
        nb = nbformat.read(str(p), as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and nb.cells.index(params[0]) <= 3, p.name
        # what `jiuzhu run` passes to every notebook; the model notebooks also take `linkage`
        keys = ("county", "seed", "scale", "data_dir", "out_dir") + (("linkage",) if p.stem[:2] in {"01", "02", "03", "04", "05"} else ())
        for key in keys:
            assert f"\n{key} = " in "\n" + params[0].source, (p.name, key)
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, p.name
                # thin: no function or class definitions in a notebook
                assert "\ndef " not in "\n" + c.source and "\nclass " not in "\n" + c.source, p.name


ALL_BODY = '''
import json, pathlib
pathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)
from jiuzhu_methods.reporting import report
report.write_summary(out_dir, "09_all", title="all counties", county=county, runs={},
                     data_dir=data_dir, out_dir_seen=out_dir, n_counties=len(county.split(",")))
'''


def test_scope_all_notebook_runs_once_into_all(workspace, tmp_path):
    """A notebook with metadata {"jiuzhu": {"scope": "all"}} runs once per `jiuzhu run` (not
    once per county), with county = the counties of the run ("all" for the five), data_dir =
    the pools folder and out_dir = <out>/all; the index lists it."""
    _, _, pools = workspace
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    _notebook(nbdir / "01_ok.ipynb", OK_BODY.replace("NAME", '"01_ok"'))
    p = _notebook(nbdir / "09_all.ipynb", ALL_BODY)
    nb = nbformat.read(str(p), as_version=4)
    nb.metadata["jiuzhu"] = {"scope": "all"}
    nbformat.write(nb, str(p))
    assert runner.notebook_scope(p) == "all" and runner.notebook_scope(nbdir / "01_ok.ipynb") == "county"
    out = tmp_path / "reports"
    results, errors = runner.run(["panan"], runner.resolve_notebooks(None, nbdir), scale=0.005, seed=3, jobs=2,
                                 out=out, pools=pools, progress=False)
    assert not errors
    # 01_ok once for panan, 09_all once as "all" (and never per county)
    assert sorted((r.county, r.notebook) for r in results) == [("all", "09_all"), ("panan", "01_ok")]
    assert all(r.ok for r in results), [r.error for r in results]
    assert not (out / "panan" / "09_all.ipynb").exists()
    s = json.loads((out / "all" / "09_all.summary.json").read_text(encoding="utf-8"))
    assert s["county"] == "panan"  # a subset of counties is passed as their list
    assert Path(s["data_dir"]) == Path(pools).resolve() and Path(s["out_dir_seen"]) == (out / "all").resolve()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="all/09_all.html"' in index and "全部县" in index
    # the five counties together are "all"
    assert runner._all_county(list(runner.COUNTIES)) == "all"
    assert runner._all_county(["weidu", "panan"]) == "weidu,panan"


def test_a_leak_in_any_file_a_run_writes_fails_it(workspace):
    """Issue #16: the runner scans every file a run wrote under its folder (a referral list, a
    letter), not only its notebook — identity numbers and phone numbers alike."""
    tmp, nbdir, pools = workspace
    d = tmp / "extra_nbs"
    d.mkdir()
    _notebook(d / "05_lists.ipynb", "from pathlib import Path\n"
              "p = Path(out_dir) / 'lists'\np.mkdir(parents=True, exist_ok=True)\n"
              # the values are put together at run time: the notebook's own code holds neither
              f"idn = '{VALID_ID[:9]}' + '{VALID_ID[9:]}'\n"
              "(p / 'list.csv').write_text('姓名,来源记录\\n张*,P' + idn + '\\n', encoding='utf-8')\n"
              "(p / 'letter.txt').write_text('联系电话138' + '12345678', encoding='utf-8')\nprint('no leak in the notebook')")
    results, _ = runner.run(["panan"], runner.resolve_notebooks(["05_lists"], d), scale=0.005, seed=3, jobs=1,
                            out=tmp / "r_extra", pools=pools, progress=False)
    (r,) = results
    assert not r.ok
    assert f"unmasked identity numbers in the output: 1 (e.g. {identity.mask(VALID_ID)} in list.csv)" in r.error
    assert "unmasked phone numbers in the output: 1 (e.g. 138****5678 in letter.txt)" in r.error
    assert VALID_ID not in r.error and "13812345678" not in r.error


def test_a_folder_of_real_data_is_used_as_it_is(tmp_path, monkeypatch):
    """A pilot's pool (no scale/seed in its meta.json) or export folder under --pools is read as
    it is and never overwritten by a generated county."""
    calls = []

    def fake_generate(county, *, scale, seed):
        calls.append(county)
        return DataPool.from_frames({}, meta={"county": county, "scale": scale, "seed": seed})

    monkeypatch.setitem(sys.modules, "jiuzhu_methods.synth", types.SimpleNamespace(generate=fake_generate))
    loaded = tmp_path / "panan"
    DataPool.from_frames({"proc_parties": pd.DataFrame({"record_id": ["P1"], "case_id": ["K"], "role": ["被害人"],
                                                        "name": ["张三"], "id_number": [VALID_ID], "fault": [None]})},
                         meta={"county": "panan", "load": {"folder": "x"}}).write(loaded)
    exports = tmp_path / "weidu"
    exports.mkdir()
    (exports / "proc_cases.csv").write_text("case_id\n", encoding="utf-8")
    assert runner.holds_real_data(loaded) and runner.holds_real_data(exports)
    assert runner.ensure_pool("panan", loaded, scale=0.01, seed=5) == (str(loaded), False)
    assert runner.ensure_pool("weidu", exports, scale=0.01, seed=5) == (str(exports), False)
    assert calls == [] and DataPool.read(loaded)["proc_parties"]["id_number"].tolist() == [VALID_ID]
    # a synthetic pool of another scale, or nothing at all, is still (re)generated
    assert not runner.holds_real_data(tmp_path / "none")
    assert runner.ensure_pool("guanyun", tmp_path / "none", scale=0.01, seed=5)[1] is True and calls == ["guanyun"]
