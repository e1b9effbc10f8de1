"""The ``lossproof audit`` and ``lossproof codegen`` commands: argument parsing and printing only.

Kept beside the library they call, so that :mod:`lossproof.cli` gains two lines per command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..errors import InputError
from ..losses import CATALOG, Loss, custom_loss

__all__ = ["add_audit_parser", "add_codegen_parser", "run_audit", "run_codegen", "resolve_loss"]

EXIT_OK, EXIT_FAILED = 0, 1


def resolve_loss(text: str) -> Loss:
    """A catalog name, or else a loss typed in y and p (sigmoid link), by the whitelist parser."""
    if text in CATALOG:
        return CATALOG[text]
    return custom_loss(text, "sigmoid")


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    from .names import BUILTIN_TARGETS, DTYPE_NAMES, FORMATS, LABELS, QUANTITIES

    targets = "; ".join(f"{k}: {v}" for k, v in BUILTIN_TARGETS.items())
    p = sub.add_parser(
        "audit",
        help="measure an implementation's error in ulps against the derived truth",
        description="Audit TARGET against lossproof's derivation evaluated with mpmath at the exact "
        f"binary value of each input. Built-in targets: {targets}. Or MODULE:FUNCTION, your own "
        "function f(y, z) (f(y, p) for grad_p) on NumPy arrays: importing MODULE runs its code. "
        "Exit 1 when the worst error is above --max-ulp or a NaN/inf is found.",
    )
    p.add_argument("target", metavar="TARGET", help="a built-in target or MODULE:FUNCTION (importing it runs its code)")
    p.add_argument("--loss", default="bce", metavar="NAME|EXPR", help="catalog name or a loss in y and p (default bce)")
    p.add_argument("--quantity", choices=tuple(QUANTITIES), help="one quantity (default: every one the target computes)")
    p.add_argument("--dtype", choices=DTYPE_NAMES, default="float64")
    p.add_argument("--max-ulp", type=float, default=4.0, metavar="N", help="the bar, in ulps (default 4)")
    p.add_argument("--labels", choices=LABELS, default="all", help="hard (y in {0, 1}), soft, or all (default)")
    p.add_argument("--search", type=int, default=300, metavar="N", help="Hypothesis examples after the sweep (default 300; 0: none)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--plot", metavar="FILE", help="error against the input, per quantity (needs matplotlib)")


def add_codegen_parser(sub: argparse._SubParsersAction) -> None:
    from .names import CODEGEN_TARGETS as TARGETS
    from .names import QUANTITIES

    p = sub.add_parser("codegen", help="the loss and its gradients as stable code (numpy, torch, jax, c)")
    p.add_argument("loss", metavar="LOSS", help="catalog name or a loss in y and p")
    p.add_argument("--target", choices=TARGETS, required=True)
    p.add_argument("--quantity", choices=tuple(QUANTITIES), action="append", help="only this quantity (repeatable)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def run_audit(args: argparse.Namespace, out: TextIO) -> int:
    from . import audit, get_target, render_report

    loss = resolve_loss(args.loss)
    if args.search < 0:
        raise InputError(f"--search {args.search!r} must be >= 0")
    if args.plot is not None:
        path = Path(args.plot)
        if path.is_dir() or not path.parent.is_dir():
            raise InputError(f"--plot {args.plot!r}: not a file in an existing folder")
    target = get_target(args.target, loss)
    quantities = [args.quantity] if args.quantity else list(target.quantities)
    results = [
        audit(target, loss, q, args.dtype, max_ulp=args.max_ulp, search_examples=args.search,
              labels=args.labels, keep_series=args.plot is not None)
        for q in quantities
    ]
    if args.format == "json":
        import json

        texts = [json.loads(render_report(r, "json")) for r in results]
        out.write(json.dumps({"audits": texts}, indent=2) + "\n")
    else:
        out.write("\n".join(render_report(r, args.format) for r in results))
    if args.plot is not None:
        from .report import plot_errors

        plot_errors(results, args.plot)
        out.write(f"wrote {args.plot}\n")
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def run_codegen(args: argparse.Namespace, out: TextIO) -> int:
    from ..codegen import emit

    text = emit(resolve_loss(args.loss), args.target, tuple(args.quantity) if args.quantity else None)
    if args.output is None:
        out.write(text)
        return EXIT_OK
    path = Path(args.output)
    if path.is_dir() or not path.parent.is_dir():
        raise InputError(f"-o {args.output!r}: not a file in an existing folder")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written file
    out.write(f"wrote {path}\n")
    return EXIT_OK
