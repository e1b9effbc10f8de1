"""The ``lossproof`` command: a thin argparse layer over the public API.

Exit status: 0 when everything asked for holds, 1 when something is refuted or
unknown, 2 for bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys

import sympy
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from .claims import prove
from .derive import ORDERS, WRT, derivatives
from .errors import CertificateError, InputError, LossproofError
from .losses import LINKS, Loss, custom_loss, get_loss
from .notation import to_latex, to_text
from .timeout import USER_LIMIT_SECONDS, TimeLimitExceeded, time_limit
from .proof import check_claim
from .render import (
    claim_summary_line,
    claims_json,
    claims_latex,
    claims_text,
    derivatives_json,
    derivatives_latex,
    derivatives_text,
    loss_header,
)

if TYPE_CHECKING:  # the softmax module loads only for its commands
    from .softmax import SoftmaxCE

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _unicode(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return encoding in {"utf8", "utf16", "utf32"}


def _custom_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--loss", dest="expr", metavar="EXPR",
        help="your own loss in y and p (parameters w, gamma, epsilon allowed), e.g. \"-(y*log(p) + (1-y)*log(1-p))\"",
    )
    parser.add_argument("--link", choices=tuple(LINKS), default="sigmoid", help="link of a --loss (default sigmoid)")


def _loss(args: argparse.Namespace) -> Loss:
    if getattr(args, "expr", None) is None:
        return get_loss(args.loss)
    if args.loss != "bce":
        raise InputError(f"give a catalog LOSS ({args.loss!r}) or --loss EXPR, not both")
    return custom_loss(args.expr, args.link)


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
    derive.add_argument("--classes", type=int, default=3, metavar="K", help="classes of softmax_ce (default 3)")
    _custom_options(derive)

    prove = sub.add_parser("prove", help="prove the claims about a loss with two engines")
    prove.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    prove.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    prove.add_argument("--format", choices=("text", "json", "latex"), default="text")
    prove.add_argument("--classes", type=int, default=3, metavar="K", help="classes of softmax_ce (default 3)")
    _custom_options(prove)

    latex = sub.add_parser("latex", help="derivations as amsmath snippets, or a standalone article")
    latex.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    latex.add_argument("--standalone", action="store_true", help="a complete article that compiles with pdflatex")
    latex.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    latex.add_argument("--classes", type=int, default=3, metavar="K", help="classes of softmax_ce (default 3)")
    _custom_options(latex)

    markdown = sub.add_parser("markdown", help="derivations and claims as GitHub Markdown")
    markdown.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    markdown.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    markdown.add_argument("--classes", type=int, default=3, metavar="K", help="classes of softmax_ce (default 3)")
    _custom_options(markdown)

    comp = sub.add_parser("compare", help="losses side by side, every cell from a checked claim")
    comp.add_argument("losses", nargs="*", metavar="LOSS", help="catalog names (default: bce mse mae logcosh focal)")
    comp.add_argument("--format", choices=("text", "markdown", "latex", "json"), default="text")

    plot = sub.add_parser("plot", help="the losses against p and their logit gradients (needs matplotlib)")
    plot.add_argument("losses", nargs="*", metavar="LOSS", help="catalog names (default: bce mse mae logcosh focal)")
    plot.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.svg, FILE.png or FILE.pdf")

    render = sub.add_parser("render", help="write proofs/ (and derivations/) from the code")
    render.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file differs")
    render.add_argument("--root", default=".", metavar="DIR", help="the repository root (default .)")

    check = sub.add_parser("check", help="re-check certificate files from the files alone")
    check.add_argument("paths", nargs="*", metavar="PATH", help="certificate files or folders of them")
    check.add_argument("--coq", nargs="?", const=".", metavar="ROOT",
                       help="compile the Coq project at ROOT (default .) with coqc and report each theorem")
    return parser


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    loss = get_loss("bce")
    unicode = _unicode(out) and not args.ascii
    out.write(loss_header(loss, unicode) + "\n\n")
    out.write("Derivatives (SymPy; each canonical form checked equal to the raw derivative)\n\n")
    out.write(derivatives_text(loss, derivatives(loss), unicode) + "\n\n")
    out.write("Claims (proved = SymPy-side reasoning and Z3 agree; `lossproof prove` shows the steps)\n\n")
    results = prove(loss)
    out.write("\n".join(claim_summary_line(r, unicode) for r in results) + "\n")
    return EXIT_OK if all(r.status == "proved" for r in results) else EXIT_FAILED


def _softmax_gradient_latex(loss: SoftmaxCE) -> str:
    rows = [rf"  \frac{{\partial L}}{{\partial z_{{{k + 1}}}}} &= {to_latex(g)}" for k, g in enumerate(loss.gradient())]
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


def _cmd_derive_softmax(args: argparse.Namespace, out: TextIO) -> int:
    from .softmax import SoftmaxCE

    loss = SoftmaxCE(args.classes)
    gradient = loss.gradient()
    hessian = sympy.hessian(loss.on_simplex(loss.expr), loss.z)
    if args.format == "json":
        data = {
            "loss": "softmax_ce",
            "classes": loss.classes,
            "expression": to_text(loss.expr),
            "gradient": [to_text(g) for g in gradient],
            "hessian": [[to_text(hessian[i, j]) for j in range(loss.classes)] for i in range(loss.classes)],
        }
        out.write(json.dumps(data, indent=2) + "\n")
    elif args.format == "latex":
        out.write(_softmax_gradient_latex(loss) + "\n")
    else:
        for k, g in enumerate(gradient, 1):
            out.write(f"dL/dz{k} = {to_text(g)}\n")
        out.write("Hessian = diag(s) - s s^T, s = softmax(z):\n")
        for i in range(loss.classes):
            out.write("  [" + ", ".join(to_text(sympy.factor(hessian[i, j])) for j in range(loss.classes)) + "]\n")
    return EXIT_OK


def _cmd_derive(args: argparse.Namespace, out: TextIO) -> int:
    if _softmax_requested(args):
        return _cmd_derive_softmax(args, out)
    loss = _loss(args)
    wrt = (args.wrt,) if args.wrt else (WRT if loss.link is not None else ("p",))
    orders = (args.order,) if args.order else ORDERS
    with time_limit(USER_LIMIT_SECONDS if loss.name == "custom" else None):
        derivs = derivatives(loss, wrt, orders)
    if args.format == "json":
        out.write(json.dumps(derivatives_json(loss, derivs), indent=2) + "\n")
    elif args.format == "latex":
        out.write(derivatives_latex(loss, derivs) + "\n")
    else:
        unicode = _unicode(out) and not args.ascii
        out.write(derivatives_text(loss, derivs, unicode) + "\n")
    return EXIT_OK


def _cmd_prove(args: argparse.Namespace, out: TextIO) -> int:
    if _softmax_requested(args):
        from .softmax import SoftmaxCE, softmax_claims

        claims = softmax_claims(SoftmaxCE(args.classes))
        known = [c.id for c in claims]
        for claim_id in args.claim or ():
            if claim_id not in known:
                raise InputError(f"unknown claim {claim_id!r} for softmax_ce: known claims are {', '.join(known)}")
        results = [check_claim(c) for c in claims if not args.claim or c.id in args.claim]
        name = "softmax_ce"
    else:
        loss = _loss(args)
        results = prove(loss, args.claim)
        name = loss.name
    if args.format == "json":
        out.write(json.dumps(claims_json(name, results), indent=2) + "\n")
    elif args.format == "latex":
        out.write(claims_latex(results) + "\n")
    else:
        out.write(claims_text(results, _unicode(out) and not args.ascii) + "\n")
    return EXIT_OK if all(r.status == "proved" for r in results) else EXIT_FAILED


def _cmd_render(args: argparse.Namespace, out: TextIO) -> int:
    from .generated import generated_files, stale_files
    from .picture import tools_missing
    from .plot import matplotlib_missing

    root = Path(args.root)
    if not root.is_dir():
        raise InputError(f"--root {args.root!r} is not a folder")
    missing = tools_missing() + (["matplotlib (pip install -e '.[plots]')"] if matplotlib_missing() else [])
    if missing:
        # Pictures need TeX; everything else is still written or checked.
        out.write(f"skipped docs/ pictures: {', '.join(missing)} not installed\n")
    files = generated_files(pictures=not missing)
    stale = stale_files(root, files, with_extra=True)
    if args.check:
        for name in stale:
            out.write(f"differs from the code: {name}\n")
        if stale:
            out.write("run `lossproof render` and commit the result\n")
            return EXIT_FAILED
        if missing:
            out.write("cannot check the pictures without those tools\n")
            return EXIT_FAILED
        out.write(f"{len(files)} generated files are current\n")
        return EXIT_OK
    for name in stale:
        path = root / name
        if name in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            content = files[name]
            path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
            out.write(f"wrote {name}\n")
        else:
            path.unlink()
            out.write(f"removed {name}\n")
    return EXIT_OK


def _cmd_coq(root: str, out: TextIO) -> int:
    from .coq import CoqError, check_coq, report_text

    if not Path(root).is_dir():
        raise InputError(f"--coq {root!r} is not a folder")
    try:
        report = check_coq(root)
    except CoqError as exc:
        sys.stderr.write(f"lossproof: coq: {exc}\n")
        return EXIT_FAILED
    out.write(report_text(report))
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .certificate import read_certificate

    if args.coq is not None:
        status = _cmd_coq(args.coq, out)
        if not args.paths or status != EXIT_OK:
            return status
    elif not args.paths:
        raise InputError("nothing to check: give certificate PATHs, or --coq")
    paths: list[Path] = []
    for text in args.paths:
        path = Path(text)
        if path.is_dir():
            paths += sorted(path.rglob("*.json"))
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(f"{text!r} is neither a file nor a folder")
    if not paths:
        raise InputError(f"no certificate (*.json) under {' '.join(args.paths)}")
    claims = [(p, read_certificate(p)) for p in paths]  # every file parses before any is checked
    failed = 0
    for path, claim in claims:
        result = check_claim(claim)
        failed += result.status != "proved"
        line = f"{result.status:<8} {path}"
        if result.problems:
            line += "  (" + "; ".join(result.problems) + ")"
        out.write(line + "\n")
    return EXIT_OK if failed == 0 else EXIT_FAILED


def _emit(text: str, output: str | None, out: TextIO) -> None:
    if output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return
    path = Path(output)
    if path.is_dir() or not path.parent.is_dir():
        raise InputError(f"-o {output!r}: not a file in an existing folder")
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def _softmax_requested(args: argparse.Namespace) -> bool:
    return bool(args.loss == "softmax_ce" and getattr(args, "expr", None) is None)


def _cmd_latex(args: argparse.Namespace, out: TextIO) -> int:
    from .document import derivations_latex, softmax_latex, standalone_latex

    if _softmax_requested(args):
        from .softmax import SoftmaxCE, prove_softmax

        loss = SoftmaxCE(args.classes)
        if args.standalone:
            _emit(softmax_latex(loss, prove_softmax(args.classes)), args.output, out)
        else:
            _emit(_softmax_gradient_latex(loss), args.output, out)
        return EXIT_OK

    loss = _loss(args)
    with time_limit(USER_LIMIT_SECONDS if loss.name == "custom" else None):
        text = standalone_latex(loss, prove(loss)) if args.standalone else derivations_latex(loss)
    _emit(text, args.output, out)
    return EXIT_OK


def _cmd_markdown(args: argparse.Namespace, out: TextIO) -> int:
    from .document import markdown, softmax_markdown

    if _softmax_requested(args):
        from .softmax import SoftmaxCE, prove_softmax

        _emit(softmax_markdown(SoftmaxCE(args.classes), prove_softmax(args.classes)), args.output, out)
        return EXIT_OK

    loss = _loss(args)
    with time_limit(USER_LIMIT_SECONDS if loss.name == "custom" else None):
        text = markdown(loss, prove(loss))
    _emit(text, args.output, out)
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from .compare import DEFAULT, compare, table_json, table_latex, table_markdown, table_text

    losses = [get_loss(name) for name in (args.losses or DEFAULT)]
    rows = compare(losses)
    if args.format == "json":
        out.write(json.dumps(table_json(rows), indent=2) + "\n")
    elif args.format == "markdown":
        out.write(table_markdown(rows) + "\n")
    elif args.format == "latex":
        out.write(table_latex(rows) + "\n")
    else:
        out.write(table_text(rows) + "\n")
        out.write("(? = the claim behind the cell is neither proved nor refuted; `lossproof prove LOSS` says why)\n")
    return EXIT_OK


# Commands import what only they need when they run: a cold `lossproof prove` should not
# pay for the document, picture and comparison modules (benchmarks/prove_vs_import.py).
def _cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    from .compare import DEFAULT
    from .plot import plot_bytes

    losses = [get_loss(name) for name in (args.losses or DEFAULT)]
    path = Path(args.output)
    fmt = path.suffix.lstrip(".").lower()
    if path.is_dir() or not path.parent.is_dir():
        raise InputError(f"-o {args.output!r}: not a file in an existing folder")
    path.write_bytes(plot_bytes(losses, fmt))
    out.write(f"wrote {path}\n")
    return EXIT_OK


_COMMANDS = {None: _cmd_report, "derive": _cmd_derive, "prove": _cmd_prove, "render": _cmd_render,
    "latex": _cmd_latex,
    "markdown": _cmd_markdown,
    "compare": _cmd_compare,
    "plot": _cmd_plot, "check": _cmd_check}


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
    except (InputError, CertificateError) as exc:
        sys.stderr.write(f"lossproof: error: {exc}\n")
        return EXIT_BAD_INPUT
    except TimeLimitExceeded as exc:
        sys.stderr.write(f"lossproof: {exc}: the expression is too hard for the symbolic engines\n")
        return EXIT_FAILED
    except LossproofError as exc:
        # A check inside lossproof failed: report it plainly, as a failure, not bad input.
        sys.stderr.write(f"lossproof: internal check failed: {exc}\n")
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
