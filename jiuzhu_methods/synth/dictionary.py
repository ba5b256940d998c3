"""数据字典 — one Markdown data dictionary per contract table, generated from the schema.

``write_dictionary(directory)`` writes ``<table>.md`` for every table of
:mod:`jiuzhu_methods.io.schema` (contract and truth tables) plus ``README.md``; the committed
copies live in ``synthetic/dictionary/`` and a test checks they are up to date. Regenerate
with ``python -c "from jiuzhu_methods.synth.dictionary import write_dictionary; write_dictionary('synthetic/dictionary')"``.
"""
from __future__ import annotations

from pathlib import Path

from ..io import schema

#: columns the generator adds to contract tables (kept apart from the contract)
EXTRA_COLUMNS = {
    "court_enforcements": {"note": "结案情况说明 (free text, e.g. whether the property investigation was exhausted)"},
    "truth_persons": {
        "baseline_hardship": "困难程度 before any case (0–3)",
        "disability": "残疾等级 一级…四级 or missing",
        "died_on": "死亡日期 (victims who died in a case) or missing",
    },
    "truth_links": {
        "id_noise": "kind of ID noise in the record (missing, fifteen, fullwidth, typo, spaces, lower_x, or empty)",
        "name_noise": "kind of name variant (homophone, lookalike, traditional, or empty)",
    },
    "truth_victims": {
        "charge": "罪名/案由 of the harm event",
        "severity": "轻微伤, 轻伤, 重伤, 伤残, 死亡, 财产, 扶养",
        "injury_grade": "轻微伤/轻伤一级/轻伤二级/重伤一级/重伤二级 or missing",
        "disability_grade": "伤残等级 一级…十级 or missing",
        "relative": "true when the party is harmed through the death of a family member (近亲属)",
        "fault": "过错责任 of the victim in traffic cases",
        "qualifying_harm": "the harm meets the conditions (轻伤 and above, major loss, death, unpaid support)",
        "no_effective_compensation": "not compensated and no realistic prospect through litigation",
        "award": "判决赔偿金额 (yuan) or missing",
        "enforcement_id": "执行案号 of the party's own enforcement case or missing",
        "enforcement_flawed": "终本 closed without the full property investigation",
    },
}


def table_markdown(table: str) -> str:
    t = schema.spec(table)
    dd = schema.data_dictionary(table)
    lines = [f"# `{table}` — {t.label}", ""]
    if t.description:
        lines += [t.description, ""]
    lines += [f"Row key: `{', '.join(t.key)}`." + (" Hidden truth of synthetic pools: models never read it." if t.truth else ""), ""]
    lines += ["| column | 中文 | type | required | values | references | description |",
              "|---|---|---|---|---|---|---|"]
    for r in dd.itertuples(index=False):
        vals = str(r.values).replace("|", "\\|")
        lines.append(f"| `{r.column}`{' (key)' if r.key else ''} | {r.label} | {r.type} | {'yes' if r.required else 'no'} "
                     f"| {vals} | {r.references} | {r.description} |")
    extra = EXTRA_COLUMNS.get(table)
    if extra:
        lines += ["", "Columns added by the synthetic generator (outside the contract):", ""]
        lines += [f"- `{k}`: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def write_dictionary(directory: str | Path) -> list[Path]:
    """Write the data dictionary (one Markdown file per table + README.md); returns the paths."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    index = ["# 数据字典 — data dictionary of the synthetic data pool", "",
             f"Generated from `jiuzhu_methods/data/schema.yaml` (contract version {schema.CONTRACT_VERSION}) by "
             "`jiuzhu_methods.synth.dictionary.write_dictionary`. Do not edit by hand.", ""]
    for name in schema.TABLES:
        p = d / f"{name}.md"
        p.write_text(table_markdown(name), encoding="utf-8")
        paths.append(p)
        index.append(f"- [`{name}`]({name}.md) — {schema.TABLES[name].label}")
    readme = d / "README.md"
    readme.write_text("\n".join(index) + "\n", encoding="utf-8")
    return [readme, *paths]
