"""The ``lossproof`` command: a thin argparse layer over the public API.

Exit status: 0 when everything asked for holds, 1 when something is refuted or
unknown (or the command's time limit left it unknown), 2 for bad input and for
output that cannot be written (one line on stderr, never a traceback), 130 when
interrupted (Ctrl-C ends the command and its workers at once, leaving no
half-written file).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import NoReturn, TextIO

from .atomic import check_output_path, write_atomic
from .claims import prove
from .derive import ORDERS, WRT, derivatives
from .errors import CertificateError, IdentityError, InputError, LossproofError
from .forked import WorkerError
from .interrupt import handle_interrupts, stop_after
from .losses import LINKS, VECTOR_MODELS, custom_loss, get_loss, get_model
from .model import LossModel
from .settings import DEFAULT, current
from .timeout import (
    ResourceLimitExceeded,
    command_deadline,
    time_limit,
)
from .render.text import claim_summary_line, claims_text, interval_cost_line, derivatives_text, loss_header, softmax_text


__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: Seconds the process may run past the command's time limit before it is ended from
#: outside Python (a claim in a Z3 query stops only when the query returns).
_BACKSTOP_GRACE = 3.0
#: Longest --time-limit accepted (a day): larger values overflow the system's timers.
_MAX_TIME_LIMIT = 86_400.0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("argument --loss: expected one argument"):
            message += " (write an EXPR that starts with '-' as --loss=EXPR, e.g. --loss=-log(p))"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _unicode(stream: TextIO) -> bool:
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return encoding in {"utf8", "utf16", "utf32"}


def _custom_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--loss", dest="expr", metavar="EXPR",
        help="your own loss in y and p (parameters w, gamma, epsilon allowed), e.g. \"-(y*log(p) + (1-y)*log(1-p))\"",
    )
    parser.add_argument("--link", choices=tuple(LINKS), help="link of a --loss (default sigmoid)")
    parser.add_argument(
        "--classes", type=int, metavar="K", help=f"classes of {', '.join(VECTOR_MODELS)} (default 3)"
    )
    _time_option(parser)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and 0 < value <= _MAX_TIME_LIMIT):
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds above 0 and at most {_MAX_TIME_LIMIT:g}")
    return value


def _time_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-limit", type=_seconds, default=DEFAULT.command_limit_seconds, metavar="S",
        help=f"seconds for the whole command (default {DEFAULT.command_limit_seconds:g}); claims left then are unknown",
    )


def _model(args: argparse.Namespace) -> LossModel:
    """The loss model the arguments name: a catalog loss (of K classes, with --classes) or --loss EXPR."""
    classes = getattr(args, "classes", None)
    if getattr(args, "expr", None) is None:
        return get_model(args.loss, classes=classes)
    if args.loss != "bce":
        raise InputError(f"give a catalog LOSS ({args.loss!r}) or --loss EXPR, not both")
    if classes is not None:
        raise InputError(f"--classes {classes} applies only to {', '.join(VECTOR_MODELS)}, not to --loss EXPR")
    return custom_loss(args.expr, args.link or "sigmoid")


def _user_limit(model: LossModel) -> float | None:
    """A typed-in loss's steps run under a time limit: SymPy may work on one without end."""
    return current().user_limit_seconds if model.user_supplied else None


def _refuse_options_that_do_not_apply(args: argparse.Namespace) -> None:
    """Refuse an option the command would otherwise ignore (a user meant something by it)."""
    custom = getattr(args, "expr", None) is not None
    if getattr(args, "link", None) is not None and not custom:
        raise InputError(f"--link {args.link} applies only to --loss EXPR, not to the catalog loss {args.loss!r}")
    if getattr(args, "output", None) is not None:
        check_output_path(args.output)  # before any work, not after it


# What argparse would take for an option: -x, --word, --two-words.
_OPTION_LIKE = re.compile(r"-{1,2}[A-Za-z][A-Za-z-]*")


def _arguments(argv: Sequence[str]) -> list[str]:
    """``--loss -log(p)`` as ``--loss=-log(p)``: argparse takes a value starting with '-' for an option.

    A value that looks like an option (``--loss -p``) is left alone; argparse then says
    the value is missing, and the error says how to write it.

    >>> _arguments(["derive", "--loss", "-log(p)", "--link", "identity"])
    ['derive', '--loss=-log(p)', '--link', 'identity']
    """
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        following = args[i + 1] if i + 1 < len(args) else ""
        if args[i] == "--loss" and following.startswith("-") and not _OPTION_LIKE.fullmatch(following):
            out.append(f"--loss={following}")
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


@contextmanager
def _typed_in(args: argparse.Namespace, loss: LossModel, what: str) -> Iterator[None]:
    """SymPy's and mpmath's own errors on a typed-in loss are bad input, one line, not a traceback."""
    if not loss.user_supplied:
        yield
        return
    try:
        yield
    except IdentityError as exc:
        # A step lossproof made for this expression did not check: it cannot show the
        # derivation, which is a limit of lossproof on this input, not a verdict.
        detail = " ".join(str(exc).split())[:160]
        raise InputError(f"--loss {_short(args.expr)}: lossproof cannot {what} it: a step did not check ({detail})") from None
    except LossproofError:
        raise
    except RecursionError:
        raise InputError(f"--loss {_short(args.expr)}: nested too deeply for SymPy to {what}") from None
    except Exception as exc:  # noqa: BLE001 - any library error on user input: one line
        detail = " ".join(str(exc).split())[:160]
        raise InputError(f"--loss {_short(args.expr)}: SymPy cannot {what} it ({type(exc).__name__}: {detail})") from None


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


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
    _custom_options(derive)

    prove = sub.add_parser("prove", help="prove the claims about a loss with two engines")
    prove.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    prove.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    prove.add_argument("--format", choices=("text", "json", "latex"), default="text")
    _custom_options(prove)

    latex = sub.add_parser("latex", help="derivations as amsmath snippets, or a standalone article")
    latex.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    latex.add_argument("--standalone", action="store_true", help="a complete article that compiles with pdflatex")
    latex.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _custom_options(latex)

    markdown = sub.add_parser("markdown", help="derivations and claims as GitHub Markdown")
    markdown.add_argument("loss", nargs="?", default="bce", metavar="LOSS", help="catalog name (default bce)")
    markdown.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _custom_options(markdown)

    comp = sub.add_parser("compare", help="losses side by side, every cell from a checked claim")
    comp.add_argument("losses", nargs="*", metavar="LOSS", help="catalog names (default: bce mse mae logcosh focal)")
    comp.add_argument("--format", choices=("text", "markdown", "latex", "json"), default="text")

    plot = sub.add_parser("plot", help="the losses against p and their logit gradients (needs matplotlib)")
    plot.add_argument("losses", nargs="*", metavar="LOSS", help="catalog names (default: bce mse mae logcosh focal)")
    plot.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.svg, FILE.png or FILE.pdf")

    paper = sub.add_parser("paper", help='the article "Why binary cross-entropy?" from checked results (LaTeX)')
    paper.add_argument("losses", nargs="*", metavar="LOSS", help="catalog names beside bce (default: mse mae logcosh focal)")
    paper.add_argument("-o", "--output", metavar="FILE", help="write FILE, and its figure as FILE-figure.pdf when matplotlib is installed")

    render = sub.add_parser("render", help="write proofs/ (and derivations/) from the code")
    render.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file differs")
    render.add_argument("--root", default=".", metavar="DIR", help="the repository root (default .)")

    check = sub.add_parser("check", help="re-check certificate files from the files alone")
    check.add_argument("paths", nargs="*", metavar="PATH", help="certificate files or folders of them")
    check.add_argument("--coq", nargs="?", const=".", metavar="ROOT",
                       help="compile the Coq project at ROOT (default .) with coqc and report each theorem")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="json: one object, each certificate's status, problems and interval cost")
    _time_option(check)

    from .audit.command import add_audit_parser, add_codegen_parser  # audit/: code against the truth
    add_audit_parser(sub)
    add_codegen_parser(sub)
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


def _latex(name: str) -> Callable[..., str]:
    # The LaTeX renderer loads only for the commands that write LaTeX.
    from .render import latex

    return getattr(latex, name)


def _json(name: str) -> Callable[..., object]:
    # The JSON renderer (and the certificate format it shares) loads only for --format json.
    from .render import json as json_output

    return getattr(json_output, name)


# The output of each model's derivatives, by the model's class (one entry per shape of loss).
_DERIVATIVE_OUTPUT = {
    "Loss": {
        "json": lambda loss, derivs, unicode: json.dumps(_json("derivatives_json")(loss, derivs), indent=2),
        "latex": lambda loss, derivs, unicode: _latex("derivatives_latex")(loss, derivs),
        "text": lambda loss, derivs, unicode: derivatives_text(loss, derivs, unicode),
    },
    "SoftmaxCE": {
        "json": lambda loss, derivs, unicode: json.dumps(_json("softmax_json")(loss, derivs), indent=2),
        "latex": lambda loss, derivs, unicode: _latex("softmax_gradient_latex")(loss),
        "text": lambda loss, derivs, unicode: softmax_text(loss, derivs),
    },
}


def _cmd_derive(args: argparse.Namespace, out: TextIO) -> int:
    loss = _model(args)
    wrt = (args.wrt,) if args.wrt else ()
    orders = (args.order,) if args.order else ()
    with _typed_in(args, loss, "differentiate"), time_limit(_user_limit(loss)):
        derivs = loss.derivatives(wrt, orders)
    unicode = _unicode(out) and not args.ascii
    out.write(_DERIVATIVE_OUTPUT[type(loss).__name__][args.format](loss, derivs, unicode) + "\n")
    return EXIT_OK


def _cmd_prove(args: argparse.Namespace, out: TextIO) -> int:
    loss = _model(args)
    results = loss.prove(args.claim)
    name = loss.name
    if args.format == "json":
        out.write(json.dumps(_json("claims_json")(name, results), indent=2) + "\n")
    elif args.format == "latex":
        from .render.latex import claims_latex

        out.write(claims_latex(results) + "\n")
    else:
        out.write(claims_text(results, _unicode(out) and not args.ascii) + "\n")
    return EXIT_OK if all(r.status == "proved" for r in results) else EXIT_FAILED


def _cmd_render(args: argparse.Namespace, out: TextIO) -> int:
    from .render.files import PICTURES, audits_note, check_files, generated_files, write_files
    from .picture import tools_missing
    from .plot import matplotlib_missing

    if not args.root:
        raise InputError("--root '': give the repository's folder (. for this one)")
    root = Path(args.root)
    if not root.is_dir():
        raise InputError(f"--root {args.root!r} is not a folder")
    # Pictures need TeX or matplotlib; everything else is still written or checked.
    lacking = set(tools_missing()) | ({"matplotlib"} if matplotlib_missing() else set())
    makeable = tuple(name for name, needs in PICTURES.items() if not any(tool in needs for tool in lacking))
    unmade = [name for name in PICTURES if name not in makeable]
    files = generated_files(pictures=makeable)
    note = audits_note(root, files)  # docs/audits/ needs PyTorch: say what was not checked
    if note:
        out.write(note + "\n")
    if args.check:
        return check_files(root, files, out, pictures_unchecked=unmade)
    for name in unmade:
        out.write(f"skipped {name}: needs {PICTURES[name]}\n")
    write_files(root, files, out)
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
    from .certificate import check_certificate, interval_cost, read_certificate, safe_statement
    from .statement import domain_words

    if args.coq is not None and args.format == "json":
        raise InputError("--format json reports certificates only: check --coq separately")
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
            found = sorted(path.rglob("*.json"))
            for p in found:
                if not p.is_file():  # a FIFO would block the read for ever
                    raise InputError(f"{str(p)!r} is not a regular file")
            paths += found
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(f"{text!r} is neither a file nor a folder")
    if not paths:
        raise InputError(f"no certificate (*.json) under {' '.join(args.paths)}")
    # Every file parses before any is checked; a certificate gets a typed-in loss's limits.
    for path in paths:
        try:
            with time_limit(current().user_limit_seconds):
                read_certificate(path)
        except ResourceLimitExceeded as exc:
            raise CertificateError(f"{path}: {exc} while reading it") from None
        except LossproofError:
            raise
        except Exception as exc:  # noqa: BLE001 - the file is input: whatever it does, one line
            detail = " ".join(str(exc).split())[:120]
            raise CertificateError(f"{path}: cannot be read as a certificate ({type(exc).__name__}: {detail})") from None
    failed = 0
    report: list[dict[str, object]] = []  # --format json
    for path in paths:
        try:
            checked = check_certificate(path)
        except ResourceLimitExceeded as exc:
            failed += 1
            if args.format == "json":
                report.append({"path": str(path), "status": "unknown", "problems": [f"{exc.reason}: {exc}"], "interval": None})
            else:
                out.write(f"{'unknown':<8} {path}\n    problem: {exc.reason}: {exc}\n")
            continue
        result = checked.result
        failed += not checked.ok
        if args.format == "json":
            cost = interval_cost(result)
            report.append({"path": str(path), "status": checked.status, "id": checked.claim.id,
                           "statement": safe_statement(checked.claim),
                           "problems": list(checked.mismatches + (result.problems if result is not None and not checked.ok else ())),
                           "interval": None if cost is None else {"boxes": cost[0], "seconds": round(cost[1], 3)}})
            continue
        out.write(f"{checked.status:<8} {path}\n")
        # What was certified, regenerated from the structure that was checked.
        out.write(f"    {checked.claim.id}: {safe_statement(checked.claim)}\n")
        out.write(f"    domain: {domain_words(checked.claim.domain)}\n")
        if result is not None and interval_cost_line(result):
            out.write(f"    {interval_cost_line(result)}\n")
        for problem in checked.mismatches + (result.problems if result is not None and not checked.ok else ()):
            out.write(f"    problem: {problem}\n")
    if args.format == "json":
        out.write(json.dumps({"certificates": report}, indent=2) + "\n")
    return EXIT_OK if failed == 0 else EXIT_FAILED


def _check_output(output: str) -> Path:
    path = Path(output)
    if path.is_dir() or not path.parent.is_dir():
        raise InputError(f"-o {output!r}: not a file in an existing folder")
    return path


def _emit(text: str, output: str | None, out: TextIO) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        out.write(text)
    else:
        write_atomic(output, text)  # whole or not at all


def _documents() -> dict[str, dict[str, Callable[..., str]]]:
    # Each model's documents, by the model's class (one entry per shape of loss).
    from .render.latex import derivations_latex, softmax_gradient_latex, softmax_latex, standalone_latex
    from .enclosure import enclosures_for
    from .render.markdown import markdown, softmax_markdown

    return {
        "Loss": {
            "standalone": lambda loss, results: standalone_latex(loss, results, enclosures_for(loss, results)),
            "latex": lambda loss, results: derivations_latex(loss),
            "markdown": lambda loss, results: markdown(loss, results, enclosures_for(loss, results)),
        },
        "SoftmaxCE": {"standalone": softmax_latex, "latex": lambda loss, results: softmax_gradient_latex(loss), "markdown": softmax_markdown},
    }


def _cmd_latex(args: argparse.Namespace, out: TextIO) -> int:
    loss = _model(args)
    # Claims carry their own limits (unknown past them); the derivations get a typed-in loss's.
    results = loss.prove() if args.standalone else None
    write = _documents()[type(loss).__name__]["standalone" if args.standalone else "latex"]
    with _typed_in(args, loss, "typeset"), time_limit(_user_limit(loss)):
        text = write(loss, results)
    _emit(text, args.output, out)
    return EXIT_OK


def _cmd_markdown(args: argparse.Namespace, out: TextIO) -> int:
    loss = _model(args)
    results = loss.prove()
    with _typed_in(args, loss, "typeset"), time_limit(_user_limit(loss)):
        text = _documents()[type(loss).__name__]["markdown"](loss, results)
    _emit(text, args.output, out)
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from .compare import DEFAULT, compare
    from .render.json import table_json
    from .render.latex import table_latex
    from .render.markdown import table_markdown
    from .render.text import table_text, text_width

    losses = [get_loss(name) for name in (args.losses or DEFAULT)]
    rows = compare(losses)
    if args.format == "json":
        out.write(json.dumps(table_json(rows), indent=2) + "\n")
    elif args.format == "markdown":
        out.write(table_markdown(rows) + "\n")
    elif args.format == "latex":
        out.write(table_latex(rows) + "\n")
    else:
        out.write(table_text(rows, text_width(out), legend=True) + "\n")
    return EXIT_OK


# Commands import what only they need when they run: a cold `lossproof prove` should not
# pay for the document, picture and comparison modules (benchmarks/prove_vs_import.py).
def _cmd_plot(args: argparse.Namespace, out: TextIO) -> int:
    from .compare import DEFAULT
    from .plot import plot_bytes

    losses = [get_loss(name) for name in (args.losses or DEFAULT)]
    path = check_output_path(args.output)
    write_atomic(path, plot_bytes(losses, path.suffix.lstrip(".").lower()))
    out.write(f"wrote {path}\n")
    return EXIT_OK


def _cmd_paper(args: argparse.Namespace, out: TextIO) -> int:
    from .compare import DEFAULT
    from .paper import figure_name, paper_latex, paper_losses
    from .plot import matplotlib_missing, plot_bytes

    losses = paper_losses([get_loss(name) for name in (args.losses or DEFAULT)])
    if args.output is not None:
        _check_output(args.output)  # before minutes of proving
    figure = figure_name(args.output) if args.output and not matplotlib_missing() else None
    _emit(paper_latex(losses, figure), args.output, out)
    if figure is not None:
        (Path(args.output).parent / figure).write_bytes(plot_bytes(losses, "pdf"))
    return EXIT_OK


_COMMANDS = {None: _cmd_report, "paper": _cmd_paper, "derive": _cmd_derive, "prove": _cmd_prove, "render": _cmd_render,
    "latex": _cmd_latex,
    "markdown": _cmd_markdown,
    "compare": _cmd_compare,
    "plot": _cmd_plot, "check": _cmd_check,
    "audit": lambda args, out: _audit_command().run_audit(args, out),
    "codegen": lambda args, out: _audit_command().run_codegen(args, out)}


def _audit_command() -> ModuleType:
    from .audit import command  # NumPy loads only for these commands

    return command


class _OutputError(InputError):
    """stdout could not be written."""


class _Output:
    """stdout, whose write errors (a full disk, a closed pipe) are one line and exit 2."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None)

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise _OutputError(f"cannot write the output: {exc.strerror or exc}") from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise _OutputError(f"cannot write the output: {exc.strerror or exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    With ``argv`` None (the ``lossproof`` program itself) the process's own handling
    is installed too: Ctrl-C ends the command, its workers and unfinished writes at once
    (exit 130), and a command still running past its time limit is ended from outside.

    >>> main(["derive", "nosuchloss"])
    2
    """
    if argv is None:
        with handle_interrupts():
            code = _main(sys.argv[1:], own_process=True)
        return code
    return _main(argv, own_process=False)


def _main(argv: Sequence[str], own_process: bool) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(_arguments(argv))
    except SystemExit as exc:  # --help, or a usage error already printed as one line
        return int(exc.code or 0)
    out = _Output(sys.stdout)
    seconds = getattr(args, "time_limit", None)
    if own_process and seconds is not None:
        stop_after(seconds + _BACKSTOP_GRACE, f"lossproof: stopped: the command's time limit of {seconds:g} s was reached", EXIT_FAILED)
    try:
        _refuse_options_that_do_not_apply(args)
        # The deadline stops every limited part (claims in the workers too); what is not
        # limited is the project's own work on catalog losses, which ends in time.
        with command_deadline(seconds):
            code = _COMMANDS[args.command](args, out)
        out.flush()
        return code
    except (InputError, CertificateError) as exc:
        sys.stderr.write(f"lossproof: error: {exc}\n")
        if own_process and isinstance(exc, _OutputError):
            _silence_stdout()
        return EXIT_BAD_INPUT
    except ResourceLimitExceeded as exc:
        sys.stderr.write(f"lossproof: {exc}: the expression is too hard for the symbolic engines\n")
        return EXIT_FAILED
    except _ended_abruptly():
        # A worker killed from outside, or by its memory cap inside C code (Z3).
        sys.stderr.write("lossproof: a worker process ended abruptly (killed, or out of memory); no verdicts\n")
        return EXIT_FAILED
    except LossproofError as exc:
        # A check inside lossproof failed: report it plainly, as a failure, not bad input.
        sys.stderr.write(f"lossproof: internal check failed: {exc}\n")
        return EXIT_FAILED


def _ended_abruptly() -> tuple[type[BaseException], ...]:
    """What a worker that died says: a forked child's, or a process pool's. Read only
    when an exception is being handled, so that a command that runs no pool does not
    import one."""
    from concurrent.futures.process import BrokenProcessPool

    return (WorkerError, BrokenProcessPool)


def _silence_stdout() -> None:
    # The interpreter flushes stdout again at exit and would print its own error:
    # what is left in the buffer goes nowhere instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
