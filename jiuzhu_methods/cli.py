"""命令行 — the ``jiuzhu`` console script (also ``python -m jiuzhu_methods``)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_synth(args: argparse.Namespace) -> int:
    from .synth import generate

    pool = generate(args.county, scale=args.scale, seed=args.seed)
    out = Path(args.out)
    pool.write(out)
    if not args.quiet:
        print(f"{args.county}: scale {args.scale}, seed {args.seed} -> {out}")
        print(pool.summary().to_string(index=False))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from . import MODELS

    for m in MODELS:
        print(m)
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    from . import DataPool, run_model
    from .evaluation.evaluate import evaluate

    pool = DataPool.read(args.pool)
    params = dict(kv.split("=", 1) for kv in args.param)
    res = run_model(args.model, pool, **params)
    print(res.funnel[["order", "label_zh", "source", "n_in", "n_out"]].to_string(index=False))
    if pool.has_truth:
        print(evaluate(res, pool))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jiuzhu", description="大数据赋能类案司法救助 — reproducible methods")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="generate a synthetic county data pool (Parquet) with hidden truth")
    s.add_argument("--county", required=True, help="guanyun, yueqing, panan, shanxian or weidu")
    s.add_argument("--scale", type=float, default=0.02, help="fraction of the real population (1 = real size)")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", required=True, help="output folder")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=_cmd_synth)

    m = sub.add_parser("models", help="list the published models")
    m.set_defaults(func=_cmd_models)

    r = sub.add_parser("screen", help="run one model on a pool folder and print its funnel")
    r.add_argument("model")
    r.add_argument("pool", help="pool folder (from jiuzhu synth)")
    r.add_argument("--param", "-p", action="append", default=[], help="key=value model parameter")
    r.set_defaults(func=_cmd_screen)

    for hook in _EXTRA_COMMANDS:
        hook(sub)
    return p


#: other modules add sub-commands here (e.g. the notebook runner's ``run``)
_EXTRA_COMMANDS: list = []


def _load_extra() -> None:
    import importlib

    for mod in ("jiuzhu_methods.reporting.runner", "jiuzhu_methods.io.loaders", "jiuzhu_methods.training", "jiuzhu_methods.evaluation.calibrate"):
        try:
            m = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
            continue
        if hasattr(m, "add_commands") and m.add_commands not in _EXTRA_COMMANDS:
            _EXTRA_COMMANDS.append(m.add_commands)


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; a problem with the input (a folder that cannot be loaded, a path
    that does not exist) is one line on stdout and exit code 2, never a traceback."""
    _load_extra()
    args = build_parser().parse_args(argv)
    from .io.loaders import LoadError

    try:
        return int(args.func(args) or 0)
    except LoadError as exc:
        print(str(exc))
        return 2
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
        print(f"error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
