"""Plain text for a terminal: reports of derivatives and claims, and the comparison table.

Rendering only formats what :mod:`lossproof.derive`, :mod:`lossproof.claims` and
:mod:`lossproof.compare` computed and checked; it never computes a result of its own.

>>> from lossproof.losses import get_loss
>>> from lossproof.derive import derive
>>> print(derivatives_text(get_loss("bce"), [derive(get_loss("bce"), "z", 1)]))
∂BCE/∂z = σ(z) - y
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

import sympy
from sympy import Interval, Symbol

from ..derive import Derived
from ..losses import Loss
from ..kernel import ClaimResult, Derivative, Domain, Identity, Limit, Roots, Sign, Step
from ..statement import claim_statement, part_statement
from ..notation import derivative_text, interval_text as _interval, pretty_baseline, to_pretty, to_text
from .visitor import Renderer, engines_words, operator_of

if TYPE_CHECKING:
    from ..compare import Cell, Row
    from ..softmax import SoftmaxCE, SoftmaxDerivatives

__all__ = [
    "interval_text",
    "loss_header",
    "derivatives_text",
    "claim_summary_line",
    "claims_text",
    "interval_cost_line",
    "table_text",
    "text_width",
    "softmax_text",
    "LEGEND",
    "TextRenderer",
    "TEXT",
]


def interval_text(interval: Interval, unicode: bool = True) -> str:
    """``[0, 1]``, ``(0, 1)`` or ``ℝ`` (``R`` in ASCII): :func:`lossproof.notation.interval_text`.

    >>> interval_text(Interval.open(0, 1))
    '(0, 1)'
    """
    return _interval(interval, "unicode" if unicode else "text")


def _pretty_equation(name: str, expr: sympy.Expr, unicode: bool) -> str:
    lines = to_pretty(expr, unicode).splitlines()
    # Put the name on the line of the fraction bar (SymPy's baseline) of a tall expression.
    width = max(len(line) for line in lines)
    base = pretty_baseline(expr, unicode)
    pad = " " * (len(name) + 3)
    out = []
    for i, line in enumerate(lines):
        prefix = f"{name} = " if i == base else pad
        out.append((prefix + line.ljust(width)).rstrip())
    return "\n".join(out)


def loss_header(loss: Loss, unicode: bool = True) -> str:
    """Name, formula and domain of ``loss``, for the top of a report."""
    mem = "∈" if unicode else "in"
    domain = ", ".join(f"{s} {mem} {interval_text(i, unicode)}" for s, i in loss.domain)
    lines = [
        f"{loss.title} ({loss.name})",
        _pretty_equation(f"{loss.operator}(y, p)", loss.expr, unicode),
        f"domain: {domain}",
    ]
    if loss.link is not None:
        link = to_pretty(sympy.Eq(Symbol("p"), loss.link.expr, evaluate=False), unicode)
        var = loss.link.var
        lines.append(f"link: {link}, {var} {mem} {interval_text(loss.link.var_domain, unicode)}")
    lines.extend(loss.notes)
    return "\n".join(lines)


def derivatives_text(loss: Loss, derivs: Sequence[Derived], unicode: bool = True) -> str:
    """Each derivative as a pretty-printed equation, separated by blank lines."""
    return "\n\n".join(_derivative_block(loss.operator, d, unicode) for d in derivs)


def _derivative_block(operator: str, d: Derived, unicode: bool) -> str:
    block = _pretty_equation(derivative_text(operator, d.wrt, d.order, unicode), d.canonical, unicode)
    if d.undefined_where:
        ne = "≠" if unicode else "!="
        block += "\n    where " + ", ".join(f"{to_text(u)} {ne} 0" for u in d.undefined_where) + " (not differentiable there)"
    return block


# ---------------------------------------------------------------- proofs


def _step_line(step: Step) -> str:
    return str(TEXT.render(step))


def _domain_line(domain: Domain, unicode: bool) -> str:
    mem = "∈" if unicode else "in"
    parts = [f"{s} {mem} {interval_text(i, unicode)}" for s, i in domain.intervals]
    parts += [f"{to_text(h.expr)} {h.rel} 0" for h in domain.hypotheses]
    return ", ".join(parts) if parts else "no variables"


def claim_summary_line(result: ClaimResult, unicode: bool = True) -> str:
    """One line: mark, id, status and what each engine said."""
    mark = {"proved": "✓", "refuted": "✗", "unknown": "?"} if unicode else {"proved": "+", "refuted": "x", "unknown": "?"}
    r = result
    return f"{mark[r.status]} {r.claim.id:<34} {r.status:<8} ({engines_words(r.engines)})"


def interval_cost_line(result: ClaimResult) -> str:
    """``interval arithmetic: N boxes, T s`` for a claim the interval engine helped decide, else ``""``."""
    cost = result.interval_cost()
    return "" if cost is None else f"interval arithmetic: {cost[0]} boxes, {cost[1]:.2f} s"


def claims_text(results: Sequence[ClaimResult], unicode: bool = True, steps: bool = True) -> str:
    """Each claim: its verdict, statement, and (with ``steps``) its parts and checked steps."""
    blocks = []
    for r in results:
        lines = [claim_summary_line(r, unicode)]
        if steps:
            lines.append(f"    {claim_statement(r.claim)}")
            cost = interval_cost_line(r)
            if cost:
                lines.append(f"    {cost}")
            if r.counterexample:
                lines.append(f"    counterexample: {r.counterexample}")
            for part, step_results in r.by_part():
                lines.append(f"    - {part_statement(part)}")
                lines.append(f"      by {part.rule}, on {_domain_line(part.domain, unicode)}")
                for sr in step_results:
                    lines.append(f"        {sr.status:<8} {sr.step.rule}: {_step_line(sr.step)}")
                    if sr.reason:
                        lines.append(f"                 ({sr.reason})")
                    if sr.counterexample:
                        lines.append(f"                 counterexample: {sr.counterexample}")
            for ob in r.obligations:
                lines.append(f"    {ob.status:<8} kernel obligation, {ob.step.rule}: {_step_line(ob.step)}")
            for problem in r.problems:
                lines.append(f"    problem: {problem}")
        blocks.append("\n".join(lines))
    text = ("\n\n" if steps else "\n").join(blocks)
    return text if unicode else text.replace("·", ".")


# ---------------------------------------------------------------- comparisons


def _mark(cell: Cell) -> str:
    return {"proved": "", "refuted": "", "n/a": "", "unknown": " ?"}.get(cell.status, " ?")


def text_width(stream: TextIO) -> int | None:
    """The width ``compare``'s text table must fit: ``COLUMNS`` when set, else the terminal's.

    Output that is not a terminal (a pipe, a file) gets no limit unless ``COLUMNS`` says
    so, so that a table written to a file stays one table.

    >>> import io, os
    >>> os.environ.get("COLUMNS") is not None or text_width(io.StringIO()) is None
    True
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: no terminal
        is_terminal = False
    return shutil.get_terminal_size().columns if is_terminal else None


#: What the text table's marks mean, printed under it by ``lossproof compare``.
LEGEND = "(? = the claim behind the cell is neither proved nor refuted; `lossproof prove LOSS` says why)"


def table_text(rows: Sequence[Row], width: int | None = None, legend: bool = False) -> str:
    """A plain-text table; '?' marks a cell whose claim is neither proved nor refuted.

    When the table is wider than ``width`` (None: no limit) each loss is printed as a
    block of ``title  value`` lines instead, values wrapped to fit: no line is longer
    than ``width`` unless a single word of a value is. ``legend`` adds :data:`LEGEND`
    under it (wrapped to ``width`` too).

    >>> from lossproof.losses import get_loss
    >>> from lossproof.compare import COLUMNS, Cell, Row
    >>> cells = {c.key: Cell("a + b*c " * 4, "", None, "n/a") for c in COLUMNS}
    >>> print("\\n".join(table_text([Row(get_loss("mse"), cells)], width=60).splitlines()[:3]))
    mse
      gradient in p                     a + b*c a + b*c a + b*c
                                        a + b*c
    """
    from ..compare import COLUMNS  # here, not above: a claim's display should not load the comparison
    header = ["loss"] + [c.title for c in COLUMNS]
    body = [[r.loss.name] + [r.cells[c.key].text + _mark(r.cells[c.key]) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if width is None or max(len(line) for line in lines) <= width:
        table = "\n".join(lines)
    else:
        table = "\n\n".join(_stacked(r.loss.name, line[1:], width) for r, line in zip(rows, body))
    if not legend:
        return table
    return table + "\n" + (LEGEND if width is None else "\n".join(textwrap.wrap(LEGEND, max(width, 1))))


#: Below this many characters beside the titles, values go on lines of their own.
_MIN_VALUE_ROOM = 24


def _stacked(name: str, values: Sequence[str], width: int) -> str:
    """One loss as a block: its name, then a ``title  value`` line per column, wrapped."""
    from ..compare import COLUMNS  # here, not above: a claim's display should not load the comparison
    titles = [c.title for c in COLUMNS]
    indent = 2 + max(len(t) for t in titles) + 2
    lines = [name]
    for title, value in zip(titles, values):
        if width - indent >= _MIN_VALUE_ROOM:
            wrapped = _wrap(value, width - indent)
            lines.append(("  " + title.ljust(indent - 4) + "  " + wrapped[0]).rstrip())
            lines += [" " * indent + more for more in wrapped[1:]]
        else:  # too narrow for two columns: the value under its title
            lines += ["  " + part for part in _wrap(title, max(width - 2, 1))]
            lines += ["    " + more for more in _wrap(value, max(width - 4, 1))]
    return "\n".join(lines)


def _wrap(value: str, room: int) -> list[str]:
    """``value`` in lines of at most ``room`` characters where it can be.

    Lines break between top-level terms (spaces outside parentheses) first, then after a
    top-level factor (``*``), and inside a parenthesis only where a factor alone is too
    long; never inside a name or a number.
    """
    lines: list[str] = []
    for chunk in _top_level(value, " "):
        if lines and len(lines[-1]) + 1 + len(chunk) <= room:
            lines[-1] += " " + chunk
            continue
        lines.append("")
        for factor in _top_level(chunk, "*") if len(chunk) > room else [chunk]:
            if len(factor) > room:
                pieces = textwrap.wrap(factor, room, break_long_words=False, break_on_hyphens=False)
                lines[-1] += pieces[0]
                lines += pieces[1:]
            elif len(lines[-1]) + len(factor) <= room or not lines[-1]:
                lines[-1] += factor
            else:
                lines.append(factor)
    return lines or [""]


def _top_level(value: str, at: str) -> list[str]:
    """``value`` cut at each ``at`` outside parentheses: a space is dropped, a ``*`` kept
    at the end of its piece (``**``, a power, is never cut)."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(value):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char != at or depth != 0:
            continue
        if at == "*" and ("*" in (value[i - 1 : i], value[i + 1 : i + 2])):
            continue
        end = i if at == " " else i + 1
        pieces.append(value[start:end])
        start = i + 1
    pieces.append(value[start:])
    return [piece for piece in pieces if piece]


# ---------------------------------------------------------------- softmax cross-entropy


def softmax_text(loss: SoftmaxCE, derivs: SoftmaxDerivatives) -> str:
    """The gradient and Hessian of softmax cross-entropy, one line each (``derive softmax_ce``);
    the Hessian's K^2 entries only for a small K, its two patterns for every K."""
    lines = [f"dL/dz{k} = {to_text(g)}" for k, g in enumerate(derivs.gradient, 1)]
    lines.append("Hessian = diag(s) - s s^T, s = softmax(z):")
    if derivs.matrix_printed:
        hessian = loss.hessian()
        lines += ["  [" + ", ".join(to_text(sympy.factor(hessian[i, j])) for j in range(loss.classes)) + "]" for i in range(loss.classes)]
    else:
        lines.append(f"  H_ii = {to_text(derivs.hessian.diagonal)}, H_ij = {to_text(derivs.hessian.off_diagonal)} (i != j; i, j = 1..{loss.classes})")
    return "\n".join(lines)


# ---------------------------------------------------------------- the visitor


class TextRenderer(Renderer):
    """Results as plain text; a kernel step on one line (the step class names the method)."""

    def render_Derived(self, d: Derived, loss: Loss | None = None, unicode: bool = True) -> str:  # noqa: N802 - named after the class
        return _derivative_block(loss.operator if loss is not None else operator_of(d.loss), d, unicode)

    def render_ClaimResult(self, r: ClaimResult, unicode: bool = True) -> str:  # noqa: N802
        return claims_text([r], unicode)

    def render_Comparison(self, rows: Sequence[Row], width: int | None = None) -> str:  # noqa: N802
        return table_text(rows, width)

    def render_Derivative(self, step: Derivative) -> str:  # noqa: N802
        sup = "" if step.order == 1 else f"^{step.order}"
        return f"d{sup}/d{step.var}{sup} [{to_text(step.function)}] = {to_text(step.result)}"

    def render_Identity(self, step: Identity) -> str:  # noqa: N802
        return f"{to_text(step.lhs)} = {to_text(step.rhs)}"

    def render_Sign(self, step: Sign) -> str:  # noqa: N802
        using = f"  using {', '.join(f'{u.name}({to_text(u.arg)})' for u in step.lemmas)}" if step.lemmas else ""
        return f"{to_text(step.expr)} {step.rel} 0{using}"

    def render_Roots(self, step: Roots) -> str:  # noqa: N802
        return f"{to_text(step.expr)} = 0  <=>  {step.var} in {{{', '.join(map(to_text, step.roots))}}}"

    def render_Limit(self, step: Limit) -> str:  # noqa: N802
        point = str(step.point) if step.point.is_infinite else f"{step.point}{step.direction}"
        return f"{to_text(step.expr)} -> {to_text(step.value)} as {step.var} -> {point}"


#: The one text renderer.
TEXT = TextRenderer()
