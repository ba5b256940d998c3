"""报告运行器 — ``jiuzhu run``: every notebook on every county, executed and exported.

For each county: generate its synthetic pool into ``<pools>/<county>`` (or reuse the folder
when its ``meta.json`` has the same scale and seed); then each notebook × county runs with
papermill in a pool of ``--jobs`` worker processes, with a progress bar. Per run, under
``<out>/<county>/``:

- ``<notebook>.ipynb`` — the executed notebook (outputs included);
- ``<notebook>.html`` — the same without code cells (nbconvert's ``--no-input``);
- ``<notebook>.summary.json`` — the one-line summary the notebook writes itself through
  :func:`jiuzhu_methods.reporting.report.write_summary` (clues, precision, recall, workload …).

**Notebooks across all counties.** A notebook whose metadata says
``{"jiuzhu": {"scope": "all"}}`` (e.g. ``08_compare_models``, which compares every model on
every county) runs **once** per ``jiuzhu run``, not once per county: with ``county="all"``
(or the comma-separated counties when ``--counties`` names a subset), ``data_dir`` = the pools
folder (``<pools>``, holding ``<pools>/<county>``) and ``out_dir`` = ``<out>/all/``. It is
submitted first (it is usually the longest) and listed on the index page as 全部县 (all).

``<out>/index.html`` links every report with its summary line; the kernels' own messages go
to ``<out>/runner.log``. A failed notebook does not
stop the others: its (partial) notebook and HTML are still written, the index marks it, the
runner lists the failures with their error and returns a non-zero exit code.

Parameters reach the notebooks as a Python dict through papermill's API, never through
``-p`` command-line parsing, so ``"330382"`` stays a string. ``--param key=value`` adds or
overrides a parameter, always as a string.

Examples
--------
    jiuzhu run --counties panan --notebooks 03_panan --scale 0.005 --jobs 1 --out /tmp/r
"""
from __future__ import annotations

import argparse
import datetime as _dt
import html
import json
import multiprocessing
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COUNTIES = ["guanyun", "yueqing", "panan", "shanxian", "weidu"]
COUNTY_NAMES = {"guanyun": "灌云", "yueqing": "乐清", "panan": "磐安", "shanxian": "单县", "weidu": "魏都",
                "all": "全部县 all counties"}
#: the pseudo-county of notebooks with ``{"jiuzhu": {"scope": "all"}}`` metadata (run once, into ``<out>/all``)
ALL = "all"
#: the default scale of ``jiuzhu run`` (and ``make reports``): small enough for a few minutes on 2 cores
DEFAULT_SCALE = 0.02
DEFAULT_SEED = 7


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the source tree (an editable install), else ``./notebooks``."""
    here = Path(__file__).resolve().parents[2] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


def list_notebooks(directory: str | Path | None = None) -> list[Path]:
    """The report notebooks (``NN_name.ipynb``), in order; ``_``-prefixed files are skipped."""
    d = Path(directory) if directory else notebooks_dir()
    return sorted(p for p in d.glob("*.ipynb") if not p.name.startswith(("_", ".")) and ".ipynb_checkpoints" not in p.parts)


def resolve_notebooks(names: list[str] | None, directory: str | Path | None = None) -> list[Path]:
    """Notebook paths from names like ``03_panan``, ``03``, ``panan`` or a path."""
    allnb = list_notebooks(directory)
    if not names:
        return allnb
    out = []
    for n in names:
        p = Path(n)
        if p.suffix == ".ipynb" and p.is_file():
            out.append(p.resolve())
            continue
        hits = [q for q in allnb if q.stem == n or q.stem.split("_", 1)[0] == n or q.stem.split("_", 1)[-1] == n]
        if not hits:
            raise SystemExit(f"jiuzhu run: no notebook named {n!r}; notebooks: {', '.join(q.stem for q in allnb)}")
        out.extend(hits)
    return list(dict.fromkeys(out))


def notebook_scope(path: str | Path) -> str:
    """``"all"`` when the notebook's metadata is ``{"jiuzhu": {"scope": "all"}}`` (it compares
    the counties itself and runs once per ``jiuzhu run``), else ``"county"`` (once per county)."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # unreadable: run it per county and let papermill report the error
        return "county"
    scope = ((nb.metadata.get("jiuzhu") or {}).get("scope") or "county")
    return ALL if scope == ALL else "county"


def _all_county(counties: list[str]) -> str:
    """The ``county`` parameter of a scope-all notebook: ``"all"`` for the five counties, else the list."""
    cs = [c for c in counties if c != ALL]
    return ALL if not cs or set(cs) == set(COUNTIES) else ",".join(cs)


# --------------------------------------------------------------------------- pools
def pool_matches(folder: Path, *, county: str, scale: float, seed: int) -> bool:
    """True when ``folder`` holds a pool written for this county, scale and seed."""
    meta = folder / "meta.json"
    if not meta.is_file():
        return False
    try:
        m = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    same_county = m.get("county") in (None, county) or m.get("county_key") == county
    try:
        return same_county and abs(float(m.get("scale")) - float(scale)) < 1e-12 and int(m.get("seed")) == int(seed)
    except (TypeError, ValueError):
        return False


def holds_real_data(folder: str | Path) -> bool:
    """True when ``folder`` holds data that the generator did not write: a folder of exports, or
    a pool written by ``jiuzhu validate --pool-out`` / ``DataPool.write`` whose ``meta.json``
    has no ``scale`` and ``seed`` (every synthetic pool has both). Such a folder is read as it
    is and never overwritten."""
    folder = Path(folder)
    if not folder.is_dir() or not any(p.is_file() and not p.name.startswith(".") for p in folder.iterdir()):
        return False
    meta = folder / "meta.json"
    if meta.is_file():
        try:
            m = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return True
        return not (isinstance(m, dict) and "scale" in m and "seed" in m)
    return True


def ensure_pool(county: str, folder: str | Path, *, scale: float, seed: int) -> tuple[str, bool]:
    """Generate the county's pool into ``folder`` unless a matching one is there.

    Returns ``(folder, generated)``. Used by the runner and by the notebooks (through
    :func:`jiuzhu_methods.reporting.report.load_pool`) so that a notebook also runs on its own. A folder
    holding real data (:func:`holds_real_data`: exports, or a loaded pool) is used as it is,
    whatever ``scale`` and ``seed`` say: that is how ``jiuzhu run --pools DIR`` runs the
    notebooks on a pilot's data (``DIR/<county>``).
    """
    folder = Path(folder)
    if pool_matches(folder, county=county, scale=scale, seed=seed) or holds_real_data(folder):
        return str(folder), False
    from ..synth import generate

    pool = generate(county, scale=scale, seed=seed)
    pool.write(folder)
    return str(folder), True


def _pool_task(county: str, folder: str, scale: float, seed: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        _, generated = ensure_pool(county, folder, scale=scale, seed=seed)
        return {"county": county, "ok": True, "generated": generated, "seconds": time.perf_counter() - t0}
    except Exception as exc:  # reported, the county's notebooks are then skipped
        return {"county": county, "ok": False, "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(), "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- notebooks
@dataclass
class RunResult:
    """One notebook × county run."""

    county: str
    notebook: str
    ok: bool
    seconds: float = 0.0
    error: str = ""
    ipynb: str = ""
    html: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    #: wall-clock start and end (epoch seconds): files written in between belong to the run
    started: float = 0.0
    finished: float = 0.0


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the kernel's exception
        cell = getattr(exc, "exec_count", None)
        where = f" (cell {cell})" if cell is not None else ""
        return f"{ename}: {getattr(exc, 'evalue', '')}{where}"
    return f"{type(exc).__name__}: {exc}"


def export_html(ipynb: str | Path, out: str | Path) -> Path:
    """Export an executed notebook to HTML without code cells (``nbconvert --no-input``)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    Path(out).write_text(body, encoding="utf-8")
    return Path(out)


def run_notebook(notebook: str | Path, out_dir: str | Path, parameters: dict[str, Any], *,
                 kernel_name: str | None = None, timeout: int | None = None) -> RunResult:
    """Execute one notebook with ``parameters`` (a dict, passed as is) into ``out_dir``.

    Writes ``<stem>.ipynb`` and ``<stem>.html``; never raises for a failing notebook (the
    result says ``ok=False`` with the error). Reads ``<stem>.summary.json`` when the
    notebook wrote one.
    """
    import papermill as pm

    nb = Path(notebook)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ipynb, htmlf, summ = out / f"{nb.stem}.ipynb", out / f"{nb.stem}.html", out / f"{nb.stem}.summary.json"
    if summ.exists():
        summ.unlink()  # never report a stale summary
    res = RunResult(county=str(parameters.get("county", "")), notebook=nb.stem, ok=True,
                    ipynb=str(ipynb), html=str(htmlf))
    t0 = time.perf_counter()
    res.started = time.time()
    try:
        pm.execute_notebook(str(nb), str(ipynb), parameters=dict(parameters), kernel_name=kernel_name,
                            cwd=str(out), progress_bar=False, log_output=False, execution_timeout=timeout)
    except Exception as exc:  # a failing notebook is a result, not a crash
        res.ok = False
        res.error = _error_text(exc)
    try:
        if ipynb.exists():
            export_html(ipynb, htmlf)
        else:
            res.html = ""
    except Exception as exc:
        res.ok = False
        res.error = (res.error + "; " if res.error else "") + f"HTML export failed: {type(exc).__name__}: {exc}"
    if summ.exists():
        try:
            res.summary = json.loads(summ.read_text(encoding="utf-8"))
        except ValueError:
            pass
    res.seconds = time.perf_counter() - t0
    res.finished = time.time()
    return res


def _quiet_worker(log_path: str) -> None:
    """Send a worker's (and its kernels') stderr to ``log_path``: the Jupyter kernels' start-up
    chatter would otherwise bury the progress bar. Errors still reach the results."""
    import os

    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    except OSError:
        pass


def _nb_task(notebook: str, out_dir: str, parameters: dict[str, Any], kernel_name: str | None,
             timeout: int | None) -> dict[str, Any]:
    try:
        return asdict(run_notebook(notebook, out_dir, parameters, kernel_name=kernel_name, timeout=timeout))
    except Exception as exc:  # pragma: no cover - run_notebook already catches
        return asdict(RunResult(county=str(parameters.get("county")), notebook=Path(notebook).stem, ok=False,
                                error=_error_text(exc)))


def notebook_parameters(county: str, *, pool_dir: Path, out_dir: Path, scale: float, seed: int,
                        extra: dict[str, str] | None = None) -> dict[str, Any]:
    """The parameters every notebook receives (its ``parameters`` cell names them)."""
    params: dict[str, Any] = {"county": str(county), "seed": int(seed), "scale": float(scale),
                              "data_dir": str(pool_dir), "out_dir": str(out_dir)}
    params.update(extra or {})
    return params


# --------------------------------------------------------------------------- index page
def summary_line(summary: dict[str, Any]) -> str:
    """``"37 clues · precision 0.81 · recall 0.64"`` from a notebook's summary (empty if none)."""
    if not summary:
        return ""
    if summary.get("line"):
        return str(summary["line"])
    parts = []
    if summary.get("clues") is not None:
        parts.append(f"{summary['clues']} clues")
    for k in ("precision", "recall"):
        v = summary.get(k)
        if v is not None:
            parts.append(f"{k} {float(v):.2f}")
    return " · ".join(parts)


def write_index(out: str | Path, results: list[RunResult], *, scale: float, seed: int,
                pool_errors: dict[str, str] | None = None) -> Path:
    """``<out>/index.html``: one table row per run with links, status and summary line."""
    out = Path(out)
    esc = html.escape
    rows = []
    for r in sorted(results, key=lambda r: (COUNTIES.index(r.county) if r.county in COUNTIES else 99, r.county, r.notebook)):
        def rel(p: str) -> str:
            try:
                return Path(p).resolve().relative_to(out.resolve()).as_posix()
            except ValueError:
                return Path(p).as_posix()

        links = []
        if r.html and Path(r.html).exists():
            links.append(f'<a href="{esc(rel(r.html))}">HTML</a>')
        if r.ipynb and Path(r.ipynb).exists():
            links.append(f'<a href="{esc(rel(r.ipynb))}">ipynb</a>')
        title = r.summary.get("title") if r.summary else None
        status = "ok" if r.ok else f'<span class="fail">FAILED</span> {esc(r.error)}'
        rows.append(
            f"<tr><td>{esc(COUNTY_NAMES.get(r.county, r.county))} ({esc(r.county)})</td>"
            f"<td>{esc(r.notebook)}{'<br><small>' + esc(str(title)) + '</small>' if title else ''}</td>"
            f"<td>{' · '.join(links)}</td><td>{esc(summary_line(r.summary))}</td>"
            f"<td>{status}</td><td>{r.seconds:.0f}s</td></tr>")
    perr = "".join(f"<li>{esc(c)}: {esc(e)}</li>" for c, e in (pool_errors or {}).items())
    n_fail = sum(not r.ok for r in results)
    doc = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>大数据赋能类案司法救助 — 复现报告</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:75em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}th{{background:#eee}}.fail{{color:#b00;font-weight:bold}}</style>
</head><body>
<h1>大数据赋能类案司法救助 — 复现报告 / reproduction reports</h1>
<p>Synthetic counties at scale {scale:g}, seed {seed}. {len(results)} runs, {n_fail} failed.
Identities in every report are masked. Precision and recall are measured against the synthetic
pools' hidden truth. 所有报告中的身份信息均已脱敏。</p>
{'<h2>Pool generation failed</h2><ul>' + perr + '</ul>' if perr else ''}
<table><tr><th>县 county</th><th>notebook</th><th>report</th><th>summary</th><th>status</th><th>time</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    out.mkdir(parents=True, exist_ok=True)
    p = out / "index.html"
    p.write_text(doc, encoding="utf-8")
    (out / "index.json").write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1,
                                               default=str) + "\n", encoding="utf-8")
    return p


# --------------------------------------------------------------------------- command
def run(counties: list[str], notebooks: list[Path], *, scale: float, seed: int, jobs: int, out: str | Path,
        pools: str | Path, extra: dict[str, str] | None = None, kernel_name: str | None = None,
        timeout: int | None = None, progress: bool = True,
        pairs: list[tuple[str, Path]] | None = None) -> tuple[list[RunResult], dict[str, str]]:
    """Pools first, then every notebook × county (or only the given ``(county, notebook)``
    ``pairs``) in ``jobs`` processes. Returns results and pool errors (county → error).

    A scope-all notebook (:func:`notebook_scope`) runs once, as county ``"all"``, over the
    counties of the run (in ``pairs``, give it as ``("all", notebook)``; it then compares the
    other counties of ``pairs``, or all five when there are none).

    Afterwards every file written for a run — its notebook, HTML and summary, and whatever else
    it wrote under its county's output folder (referral lists, letters …) — is scanned for
    unmasked identity numbers and phone numbers (:func:`scan_results`); a run that leaks one fails."""
    from tqdm.auto import tqdm

    out, pools = Path(out).resolve(), Path(pools).resolve()
    jobs = max(1, int(jobs))
    if pairs is not None:
        counties = list(dict.fromkeys(c for c, _ in pairs if c != ALL))
    scopes = {Path(nb): notebook_scope(nb) for nb in ([nb for _, nb in pairs] if pairs is not None else notebooks)}
    ctx = multiprocessing.get_context("spawn")
    pool_errors: dict[str, str] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, max(1, len(counties))), mp_context=ctx) as ex:
        futs = [ex.submit(_pool_task, c, str(pools / c), scale, seed) for c in counties]
        for f in tqdm(as_completed(futs), total=len(futs), desc="pools", unit="county", disable=not progress,
                      file=sys.stderr):
            r = f.result()
            if not r["ok"]:
                pool_errors[r["county"]] = r["error"]
    if pairs is not None:
        tasks = list(dict.fromkeys((ALL, Path(nb)) if scopes[Path(nb)] == ALL else (c, Path(nb))
                                   for c, nb in pairs if c not in pool_errors))
    else:
        tasks = [(ALL, nb) for nb in notebooks if scopes[Path(nb)] == ALL] + \
            [(c, nb) for c in counties if c not in pool_errors for nb in notebooks if scopes[Path(nb)] != ALL]
    tasks.sort(key=lambda t: t[0] != ALL)  # the (long) all-county notebooks first
    ok_counties = [c for c in counties if c not in pool_errors]
    results: list[RunResult] = []
    out.mkdir(parents=True, exist_ok=True)
    log = out / "runner.log"
    log.write_text("", encoding="utf-8")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_quiet_worker,
                             initargs=(str(log),)) as ex:
        futs = {}
        for c, nb in tasks:
            if c == ALL:
                params = notebook_parameters(_all_county(ok_counties), pool_dir=pools, out_dir=out / ALL, scale=scale,
                                             seed=seed, extra=extra)
            else:
                params = notebook_parameters(c, pool_dir=pools / c, out_dir=out / c, scale=scale, seed=seed, extra=extra)
            futs[ex.submit(_nb_task, str(nb), str(out / c), params, kernel_name, timeout)] = (c, nb)
        bar = tqdm(total=len(futs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
        for f in as_completed(futs):
            c, nb = futs[f]
            try:
                r = RunResult(**f.result())
            except Exception as exc:  # a worker died
                r = RunResult(county=c, notebook=nb.stem, ok=False, error=_error_text(exc))
            r.county = c
            results.append(r)
            bar.set_postfix_str(f"{c}/{nb.stem} {'ok' if r.ok else 'FAILED'}")
            bar.update()
        bar.close()
    scan_results(out, results)
    write_index(out, results, scale=scale, seed=seed, pool_errors=pool_errors)
    return results, pool_errors


def _run_files(out: Path, results: list[RunResult]) -> dict[int, list[Path]]:
    """The files each run wrote: its notebook, HTML and summary, plus every other file under
    its county's output folder modified while it ran (a file written while several runs of the
    folder ran belongs to each of them; one written outside every run, to all runs of the folder)."""
    own: dict[int, list[Path]] = {}
    claimed: set[Path] = set()
    for i, r in enumerate(results):
        fs = [Path(p) for p in (r.ipynb, r.html, str(Path(r.ipynb).with_suffix(".summary.json")) if r.ipynb else "")
              if p and Path(p).is_file()]
        own[i] = fs
        claimed |= {f.resolve() for f in fs}
    by_folder: dict[Path, list[int]] = {}
    for i, r in enumerate(results):
        if r.ipynb:
            by_folder.setdefault(Path(r.ipynb).parent.resolve(), []).append(i)
    from ..privacy import files_under

    for folder, idx in by_folder.items():
        for f in files_under(folder):
            if f.resolve() in claimed:
                continue
            t = f.stat().st_mtime
            hit = [i for i in idx if results[i].started - 1 <= t <= results[i].finished + 1] or idx
            for i in hit:
                own[i].append(f)
    return own


def scan_results(out: str | Path, results: list[RunResult]) -> None:
    """Scan every run's files (:func:`_run_files`) with :func:`jiuzhu_methods.privacy.scan`
    and fail the runs whose files hold an unmasked ID number or phone number; the error names
    the masked finding and the file (never the value)."""
    from ..privacy import scan

    for i, fs in _run_files(Path(out), results).items():
        if not fs:
            continue
        found = scan(*fs)
        r = results[i]
        for kind, what in (("id", "identity numbers"), ("phone", "phone numbers"), ("unreadable", "unreadable files")):
            k = found[found["kind"] == kind]
            if len(k):
                r.ok = False
                r.error = (r.error + "; " if r.error else "") + \
                    f"unmasked {what} in the output: {len(k)} (e.g. {k['found'].iloc[0]} in {Path(k['file'].iloc[0]).name})"


def _parse_params(items: list[str]) -> dict[str, str]:
    out = {}
    for kv in items:
        if "=" not in kv:
            raise SystemExit(f"jiuzhu run: --param wants key=value, got {kv!r}")
        k, v = kv.split("=", 1)
        out[k.strip()] = v  # always a string: "330382" stays "330382"
    return out


def _cmd_run(args: argparse.Namespace) -> int:
    counties = args.counties or COUNTIES
    nbs = resolve_notebooks(args.notebooks, args.notebook_dir)
    if not nbs:
        print("jiuzhu run: no notebooks found", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    results, pool_errors = run(counties, nbs, scale=args.scale, seed=args.seed, jobs=args.jobs, out=args.out,
                               pools=args.pools, extra=_parse_params(args.param), kernel_name=args.kernel,
                               timeout=args.timeout, progress=not args.quiet)
    failed = [r for r in results if not r.ok]
    out = Path(args.out)
    print(f"{len(results) - len(failed)}/{len(results)} notebooks ok in {time.perf_counter() - t0:.0f}s "
          f"-> {out / 'index.html'}")
    for c, e in pool_errors.items():
        print(f"FAILED pool {c}: {e}", file=sys.stderr)
    for r in sorted(failed, key=lambda r: (r.county, r.notebook)):
        print(f"FAILED {r.county}/{r.notebook}: {r.error}  (see {r.ipynb})", file=sys.stderr)
    return 1 if failed or pool_errors else 0


def add_commands(subparsers) -> None:
    """Add ``jiuzhu run`` to the CLI (called by :mod:`jiuzhu_methods.cli`)."""
    r = subparsers.add_parser("run", help="run every notebook on every county (papermill) and write reports/",
                              description=__doc__.split("Examples")[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    r.add_argument("--counties", nargs="+", choices=COUNTIES, metavar="COUNTY",
                   help=f"counties to run (default: all: {' '.join(COUNTIES)})")
    r.add_argument("--notebooks", nargs="+", metavar="NB",
                   help="notebooks by name (03_panan, 03 or panan; default: all in notebooks/)")
    r.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                   help=f"fraction of the real population (default {DEFAULT_SCALE}; 1 = real size)")
    r.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    r.add_argument("--jobs", "-j", type=int, default=2, help="notebooks run in parallel (default 2)")
    r.add_argument("--out", default="reports", help="output folder (default reports)")
    r.add_argument("--pools", default="synthetic/pools",
                   help="pool folders <pools>/<county>, generated when absent or for another scale/seed; a folder "
                        "of real data (exports, or a pool written by jiuzhu validate --pool-out) is used as it is")
    r.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                   help="extra notebook parameter, always passed as a string")
    r.add_argument("--notebook-dir", default=None, help="where the notebooks are (default: the repository's notebooks/)")
    r.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the notebook's, python3)")
    r.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: none)")
    r.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_run)


__all__ = ["ALL", "COUNTIES", "RunResult", "notebook_scope", "add_commands", "ensure_pool", "export_html", "list_notebooks",
           "holds_real_data", "notebook_parameters", "run", "run_notebook", "scan_results", "summary_line", "write_index"]
