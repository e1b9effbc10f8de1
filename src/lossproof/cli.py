"""The ``lossproof`` command: a thin argparse layer over the public API.

Exit status: 0 when everything asked for holds, 1 when something is refuted or
unknown, 2 for bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from .derive import ORDERS, WRT, derivatives
from .errors import InputError, LossproofError
from .losses import get_loss
from .render import derivatives_json, derivatives_latex, derivatives_text, loss_header

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _unicode(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return encoding in {"utf8", "utf16", "utf32"}


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="lossproof",
        description="Derive, prove and typeset facts about loss functions. "
        "With no command: a report on binary cross-entropy.",
    )
    parser.add_argument("--ascii", action="store_true", help="ASCII output instead of Unicode")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    derive = sub.add_parser("derive", help="first and second derivatives in p and in the logit z")
    derive.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    derive.add_argument("--wrt", choices=WRT, help="only the derivatives in this variable")
    derive.add_argument("--order", type=int, choices=ORDERS, help="only the derivatives of this order")
    derive.add_argument("--format", choices=("text", "latex", "json"), default="text")
    return parser


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    loss = get_loss("bce")
    unicode = _unicode(out) and not args.ascii
    out.write(loss_header(loss, unicode) + "\n\n")
    out.write("Derivatives (SymPy; each canonical form checked equal to the raw derivative)\n\n")
    out.write(derivatives_text(loss, derivatives(loss), unicode) + "\n")
    return EXIT_OK


def _cmd_derive(args: argparse.Namespace, out: TextIO) -> int:
    loss = get_loss(args.loss)
    wrt = (args.wrt,) if args.wrt else WRT
    orders = (args.order,) if args.order else ORDERS
    derivs = derivatives(loss, wrt, orders)
    if args.format == "json":
        out.write(json.dumps(derivatives_json(loss, derivs), indent=2) + "\n")
    elif args.format == "latex":
        out.write(derivatives_latex(loss, derivs) + "\n")
    else:
        unicode = _unicode(out) and not args.ascii
        out.write(derivatives_text(loss, derivs, unicode) + "\n")
    return EXIT_OK


_COMMANDS = {None: _cmd_report, "derive": _cmd_derive}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    >>> main(["derive", "nosuchloss"])
    2
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed as one line
        return int(exc.code or 0)
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except InputError as exc:
        sys.stderr.write(f"lossproof: error: {exc}\n")
        return EXIT_BAD_INPUT
    except LossproofError as exc:
        # A check inside lossproof failed: report it plainly, as a failure, not bad input.
        sys.stderr.write(f"lossproof: internal check failed: {exc}\n")
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
