"""End to end (issue #16): an export folder keyed by ID numbers goes through every writer of
the package, and no file written holds a raw ID number, name or phone number of the input.

The folder is built from a small synthetic county (磐安, scale 0.01, generated here) the way a
pilot's exports often look: party and registry rows keyed by the person's ID number —
``P<id>`` (proc_parties), the bare ID (court_parties), ``DB-<id>-<yyyymm>`` (registries),
``<id in lower case>SA`` (social_aid), ``信访<id in full-width digits>`` (petitions),
``JZ<15-digit id>`` (judicial_aid) — written as CSV and .xlsx, plus three rows whose fields
shifted: a name in the 诉讼地位 column and an ID in the name column, an ID number and a phone
in a registry's 类别明细, a name in its 数据来源单位. Then:

1. ``jiuzhu validate`` (the CLI: its ledger files and its standard output, kept in a file);
2. every model on the loaded pool, its clues, funnel and lists exported with
   ``privacy.to_excel`` / ``to_csv``;
3. ``jiuzhu run`` of notebooks 03 and 06 on the loaded pool (``--pools DIR``: a folder of real
   data is used as it is);
4. the referral network's lists and letters (``network.write_referral_lists``,
   ``write_letters``);
5. ``jiuzhu pseudonymise`` of the loaded pool.

Every file written (xlsx cells and all) is scanned with ``privacy.scan`` for the input's ID
numbers (every spelling, valid or not, besides the scanner's own near-valid rule), names
and phone numbers. The pseudonymised pool
is scanned for ID numbers only: it keeps names and phones by design (docs/real-data.md).
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiuzhu_methods import DataPool, privacy
from jiuzhu_methods.core import identity
from jiuzhu_methods.io import schema

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]

COUNTY, SCALE, SEED = "panan", 0.01, 7
KEY = "a-pilot-key-of-sufficient-length-0042"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _keyed(df: pd.DataFrame, col: str, ids: pd.Series, make) -> pd.DataFrame:
    """``df`` with ``col`` replaced by ``make(valid id)`` where the row has a valid ID and the
    new key is unique in the table (other rows keep their key)."""
    v = identity.usable_ids(ids)
    new = v.map(lambda x: None if x is None or pd.isna(x) else make(x))
    new = new.where(~new.duplicated(keep=False))
    out = df.copy()
    out[col] = new.where(new.notna(), df[col]).astype("str")
    return out


def _export_folder(pool: DataPool, folder: Path) -> dict:
    """Write the pool's contract tables as a pilot's export folder keyed by ID numbers; returns
    what the test searches for: the input's ID numbers, names and phones."""
    t = {n: pool[n].copy() for n in schema.CONTRACT_TABLES}
    t["proc_parties"] = _keyed(t["proc_parties"], "record_id", t["proc_parties"]["id_number"], lambda x: "P" + x)
    t["court_parties"] = _keyed(t["court_parties"], "record_id", t["court_parties"]["id_number"], lambda x: x)
    reg = t["registries"]
    month = pd.to_datetime(reg["as_of"]).dt.strftime("%Y%m")
    t["registries"] = reg = reg.copy()
    uid = identity.usable_ids(reg["id_number"])
    dbkey = ("DB-" + uid + "-" + month).where(uid.notna())
    dbkey = dbkey.where(~dbkey.duplicated(keep=False))
    t["registries"]["record_id"] = dbkey.where(dbkey.notna(), pool["registries"]["record_id"]).astype("str")
    t["social_aid"] = _keyed(t["social_aid"], "record_id", t["social_aid"]["id_number"], lambda x: x.lower() + "SA")
    t["petitions"] = _keyed(t["petitions"], "petition_id", t["petitions"]["id_number"],
                            lambda x: "信访" + x.translate(FULL_WIDTH))
    t["judicial_aid"] = _keyed(t["judicial_aid"], "aid_id", t["judicial_aid"]["id_number"],
                               lambda x: "JZ" + x[:6] + x[8:17] if x[6:8] == "19" else "JZ" + x)
    # fields shifted in three rows
    pp = t["proc_parties"]
    i = pp.index[pp["id_number"].notna()][0]
    shifted_name, shifted_id = pp.at[i, "name"], pp.at[i, "id_number"]
    pp.loc[i, ["role", "name", "id_number"]] = [shifted_name, shifted_id, None]
    rg = t["registries"]
    j = rg.index[rg["id_number"].notna() & rg["phone"].notna()][0]
    rg.at[j, "detail"] = f"{rg.at[j, 'id_number']} 电话{rg.at[j, 'phone']}"
    rg.at[j, "agency"] = rg.at[j, "name"]
    # the files: CSV (Chinese headers for petitions), registries, judicial aid and documents as .xlsx
    folder.mkdir(parents=True)
    for name, df in t.items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m-%d")
        if name == "petitions":
            labels = {c: spec.label for c, spec in schema.spec(name).columns.items()}
            df.rename(columns=labels).to_csv(folder / "信访.csv", index=False, encoding="utf-8-sig")
        elif name in ("registries", "judicial_aid", "proc_documents"):
            df.astype("object").to_excel(folder / f"{name}.xlsx", index=False, engine="openpyxl")
        else:
            df.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    (folder / "meta.json").write_text(json.dumps({"county": COUNTY, "county_name": "磐安县"}, ensure_ascii=False),
                                      encoding="utf-8")
    ids = set()
    for name, df in pool.tables.items():
        for c in privacy.id_columns(df):
            ids |= {identity.normalise(v) for v in df[c].dropna().astype("str")}
    return {"ids": {x for x in ids if x and len(x) >= 15}, "names": _names(pool),
            "phones": set(privacy.pool_phones(pool)), "shifted": (shifted_name, shifted_id)}


def _names(pool: DataPool) -> set[str]:
    """The input's names searched for in the outputs: every name of two characters or more
    (``privacy.pool_names``). Fixed county, scale and seed: no report word happens to be a
    two-character name of this pool (with another seed one might, 安文 of 安文街道 say — then
    that word, not the masking, would need a look)."""
    return set(privacy.pool_names(pool))


@pytest.fixture(scope="module")
def leaks_run(tmp_path_factory):
    synth = pytest.importorskip("jiuzhu_methods.synth")
    from jiuzhu_methods import MODELS, run_model
    from jiuzhu_methods.referral import network as rn
    from jiuzhu_methods.cli import main

    tmp = tmp_path_factory.mktemp("leaks")
    pool = synth.generate(COUNTY, scale=SCALE, seed=SEED)
    exports = tmp / "exports"
    wanted = _export_folder(pool, exports)
    out = tmp / "out"           # everything the package writes (scanned)
    pools = tmp / "pools"       # the loaded pool, raw data (not an output)
    # 1. validate (stdout kept as a file of the outputs)
    out.mkdir()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["validate", str(exports), "--out", str(out / "ledger"), "--pool-out", str(pools / COUNTY),
                   "--show", "1000"])
    (out / "validate_stdout.txt").write_text(buf.getvalue(), encoding="utf-8")
    assert rc == 0, buf.getvalue()[-2000:]
    loaded = DataPool.read(pools / COUNTY)
    assert loaded["proc_parties"]["record_id"].str.startswith("P33").any()  # the keys hold ID numbers
    keys = privacy.record_keys(DataPool.read(exports))                       # with the ledger's rows
    # 2. every model, exported
    clues = []
    for m in MODELS:
        r = run_model(m, loaded)
        frames = {"clues": r.clues, "funnel": r.funnel,
                  **{k: v for k, v in (r.lists or {}).items() if isinstance(v, pd.DataFrame)}}
        privacy.to_excel(frames, out / "models" / f"{m}.xlsx", keys=keys)
        for k, v in frames.items():
            privacy.to_csv(v, out / "models" / f"{m}.{k}.csv", keys=keys)
        clues.append(r.clues.assign(model=m))
    # 3. jiuzhu run, notebooks 03 and 06, on the loaded pool
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc_run = main(["run", "--counties", COUNTY, "--notebooks", "03_panan", "06_referral_network", "--pools",
                       str(pools), "--out", str(out / "reports"), "--jobs", "2", "--quiet"])
    # 4. referral lists and letters
    from_exports = DataPool.read(exports)  # the same data with its ledger: rows as the files number them
    net = rn.build_network(from_exports, rn.collect_clues(from_exports, county=COUNTY), COUNTY)
    lists = rn.write_referral_lists(net, out / "referral")
    letters = rn.draft_letters(net)
    letter_files = rn.write_letters(letters, out / "letters", county=COUNTY)
    # 5. pseudonymise (its folder is scanned on its own)
    (tmp / "key").write_text(KEY + "\n", encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        rc_ps = main(["pseudonymise", str(pools / COUNTY), str(tmp / "pseudo"), "--key-file", str(tmp / "key")])
    return {"out": out, "wanted": wanted, "rc_run": rc_run, "err": err.getvalue(), "loaded": loaded,
            "lists": lists, "letters": letters, "letter_files": letter_files, "rc_ps": rc_ps,
            "pseudo": tmp / "pseudo", "net": net, "clues": pd.concat(clues, ignore_index=True)}


def test_the_run_succeeds_and_writes_what_it_should(leaks_run):
    r = leaks_run
    assert r["rc_run"] == 0, r["err"][-3000:]
    rep = r["out"] / "reports" / COUNTY
    for stem in ("03_panan", "06_referral_network"):
        assert (rep / f"{stem}.html").is_file() and (rep / f"{stem}.summary.json").is_file()
    assert len(r["clues"]) > 0 and r["lists"] and len(r["letters"]) > 0 and r["rc_ps"] == 0
    assert (r["out"] / "ledger" / "ledger.xlsx").is_file()


def test_no_raw_id_name_or_phone_in_any_file_written(leaks_run):
    w = leaks_run["wanted"]
    files = privacy.files_under(leaks_run["out"])
    assert len(files) > 40
    found = privacy.scan(leaks_run["out"], names=w["names"], phones=w["phones"], ids=w["ids"])
    assert found.empty, found.head(20).to_string()


def test_the_scan_would_see_them(leaks_run, tmp_path):
    """The same scan finds the input's values in a raw export (the test can fail)."""
    w = leaks_run["wanted"]
    privacy.to_csv(leaks_run["clues"], tmp_path / "raw.csv", raw=True)
    rn_raw = tmp_path / "raw_lists"
    from jiuzhu_methods.referral import network as rn

    rn.write_referral_lists(leaks_run["net"], rn_raw, masked=False)
    found = privacy.scan(tmp_path, names=w["names"], phones=w["phones"], ids=w["ids"])
    assert {"id", "name"} <= set(found["kind"])
    assert set(found["file"]) >= {str(tmp_path / "raw.csv")}


def test_record_keys_become_rows_in_lists_and_letters(leaks_run):
    from openpyxl import load_workbook

    cells = [str(c.value) for p in leaks_run["lists"] for row in load_workbook(p).active.iter_rows() for c in row
             if c.value is not None]
    # 来源记录 of a party keyed P<id>: the file and row it came from
    assert any(c.startswith("proc_parties.csv 第") for c in cells), cells[:40]
    text = "\n".join(leaks_run["letters"]["text"])
    assert "线索来源：proc_parties.csv 第" in text
    # the notebook ran on the Parquet pool (no ledger): records of its tables
    page = (leaks_run["out"] / "reports" / COUNTY / "06_referral_network.html").read_text(encoding="utf-8")
    assert "proc_parties 第" in page and "条" in page


def test_the_ledger_masks_the_shifted_fields(leaks_run):
    name, idn = leaks_run["wanted"]["shifted"]
    led = pd.read_csv(leaks_run["out"] / "ledger" / "ledger.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    msgs = "\n".join(led["reason"]) + "\n".join(led["warnings"])
    assert identity.mask_name(name) in msgs and name not in msgs
    assert not led["key"].str.contains(r"\d{17}[\dX]", regex=True).any()
    assert "3307" in "".join(led["key"]) and "**********" in "".join(led["key"])  # masked, not dropped
    out = (leaks_run["out"] / "validate_stdout.txt").read_text(encoding="utf-8")
    assert "vocabulary:" in out and name not in out and idn not in out


def test_pseudonymised_pool_holds_no_raw_id(leaks_run):
    pseudo = leaks_run["pseudo"]
    found = privacy.scan(pseudo, ids=leaks_run["wanted"]["ids"])
    assert found[found["kind"] == "id"].empty, found.head(10).to_string()
    back = DataPool.read(pseudo)
    assert back.meta["pseudonymised"] is True
    rid = back["proc_parties"]["record_id"]
    assert rid.str.fullmatch(r"P[0-9a-f]{64}").any()  # P<id> → P<token>: still unique, still a key
    assert rid.is_unique == leaks_run["loaded"]["proc_parties"]["record_id"].is_unique
