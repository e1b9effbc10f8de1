"""Reports of a loss's derivatives: terminal text, JSON and LaTeX snippets.

Rendering only formats what :mod:`lossproof.derive` computed and checked; it
never computes a result of its own.

>>> from lossproof.losses import get_loss
>>> from lossproof.derive import derive
>>> print(derivatives_latex(get_loss("bce"), [derive(get_loss("bce"), "z", 1)]))
\\begin{align}
  \\frac{\\partial \\operatorname{BCE}}{\\partial z} &= \\sigma(z) - y \\label{eq:bce-dz}
\\end{align}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy
from sympy import Interval, Symbol, oo

from .certificate import step_to_dict
from .derive import Derivative
from .losses import Loss
from .kernel import ClaimResult, Domain, Identity, Limit, Roots, Sign, Step, StepVisitor
from .kernel import Derivative as DerivativeStep
from .statement import claim_statement, part_statement
from .notation import (
    equation_label_for,
    derivative_latex,
    derivative_text,
    pretty_baseline,
    to_latex,
    to_pretty,
    to_text,
)

__all__ = [
    "interval_text",
    "loss_header",
    "derivatives_text",
    "derivatives_json",
    "derivatives_latex",
    "equation_label",
    "claim_summary_line",
    "claims_text",
    "claims_json",
]


def interval_text(interval: Interval, unicode: bool = True) -> str:
    """``[0, 1]``, ``(0, 1)`` or ``ℝ`` (``R`` in ASCII)."""
    if interval.start == -oo and interval.end == oo:
        return "ℝ" if unicode else "R"
    left = "(" if interval.left_open else "["
    right = ")" if interval.right_open else "]"
    return f"{left}{interval.start}, {interval.end}{right}"


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


def derivatives_text(loss: Loss, derivs: Sequence[Derivative], unicode: bool = True) -> str:
    """Each derivative as a pretty-printed equation, separated by blank lines."""
    blocks = []
    for d in derivs:
        block = _pretty_equation(derivative_text(loss.operator, d.wrt, d.order, unicode), d.canonical, unicode)
        if d.undefined_where:
            ne = "≠" if unicode else "!="
            block += "\n    where " + ", ".join(f"{to_text(u)} {ne} 0" for u in d.undefined_where) + " (not differentiable there)"
        blocks.append(block)
    return "\n\n".join(blocks)


def derivatives_json(loss: Loss, derivs: Sequence[Derivative]) -> dict[str, Any]:
    """The JSON object of ``lossproof derive --format json`` (see the README's contract)."""
    return {
        "loss": loss.name,
        "expression": to_text(loss.expr),
        "derivatives": [
            {"wrt": d.wrt, "order": d.order, "expr": to_text(d.canonical), "latex": to_latex(d.canonical)}
            | ({"undefined_where": [f"{to_text(u)} = 0" for u in d.undefined_where]} if d.undefined_where else {})
            for d in derivs
        ],
    }


def equation_label(loss: Loss, wrt: str, order: int) -> str:
    """The ``\\label`` of a derivative, e.g. ``eq:bce-d2p``."""
    return equation_label_for(loss.name, wrt, order)


def derivatives_latex(loss: Loss, derivs: Sequence[Derivative]) -> str:
    """An amsmath ``align`` environment, one labelled line per derivative."""
    rows = [
        f"  {derivative_latex(loss.operator, d.wrt, d.order)} &= {to_latex(d.canonical)}"
        f" \\label{{{equation_label(loss, d.wrt, d.order)}}}"
        for d in derivs
    ]
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


# ---------------------------------------------------------------- proofs


class _StepLine(StepVisitor):
    """A step on one line of plain text."""

    def visit_Derivative(self, step: DerivativeStep) -> str:  # noqa: N802 - named after the step class
        sup = "" if step.order == 1 else f"^{step.order}"
        return f"d{sup}/d{step.var}{sup} [{to_text(step.function)}] = {to_text(step.result)}"

    def visit_Identity(self, step: Identity) -> str:  # noqa: N802
        return f"{to_text(step.lhs)} = {to_text(step.rhs)}"

    def visit_Sign(self, step: Sign) -> str:  # noqa: N802
        using = f"  using {', '.join(f'{u.name}({to_text(u.arg)})' for u in step.lemmas)}" if step.lemmas else ""
        return f"{to_text(step.expr)} {step.rel} 0{using}"

    def visit_Roots(self, step: Roots) -> str:  # noqa: N802
        return f"{to_text(step.expr)} = 0  <=>  {step.var} in {{{', '.join(map(to_text, step.roots))}}}"

    def visit_Limit(self, step: Limit) -> str:  # noqa: N802
        point = str(step.point) if step.point.is_infinite else f"{step.point}{step.direction}"
        return f"{to_text(step.expr)} -> {to_text(step.value)} as {step.var} -> {point}"


_STEP_LINE = _StepLine()


def _step_line(step: Step) -> str:
    return str(_STEP_LINE.visit(step))


def _domain_line(domain: Domain, unicode: bool) -> str:
    mem = "∈" if unicode else "in"
    parts = [f"{s} {mem} {interval_text(i, unicode)}" for s, i in domain.intervals]
    parts += [f"{to_text(h.expr)} {h.rel} 0" for h in domain.hypotheses]
    return ", ".join(parts) if parts else "no variables"


def _engines_text(engines: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in engines.items())


def claim_summary_line(result: ClaimResult, unicode: bool = True) -> str:
    """One line: mark, id, status and what each engine said."""
    mark = {"proved": "✓", "refuted": "✗", "unknown": "?"} if unicode else {"proved": "+", "refuted": "x", "unknown": "?"}
    r = result
    return f"{mark[r.status]} {r.claim.id:<34} {r.status:<8} ({_engines_text(dict(r.engines))})"


def claims_text(results: Sequence[ClaimResult], unicode: bool = True, steps: bool = True) -> str:
    """Each claim: its verdict, statement, and (with ``steps``) its parts and checked steps."""
    blocks = []
    for r in results:
        lines = [claim_summary_line(r, unicode)]
        if steps:
            lines.append(f"    {claim_statement(r.claim)}")
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


def claims_json(loss_name: str, results: Sequence[ClaimResult]) -> dict[str, Any]:
    """The JSON object of ``lossproof prove --format json`` (see the README's contract)."""
    claims = []
    for r in results:
        steps = []
        for i, (part, step_results) in enumerate(r.by_part(), 1):
            for sr in step_results:
                steps.append({"part": i, "part_statement": part_statement(part), "part_rule": part.rule, **step_to_dict(sr.step), "status": sr.status, "engines": dict(sr.engines), "counterexample": sr.counterexample, "reason": sr.reason})
        claims.append(
            {
                "id": r.claim.id,
                "statement": claim_statement(r.claim),
                "status": r.status,
                "engines": dict(r.engines),
                "counterexample": r.counterexample,
                "problems": list(r.problems),
                "steps": steps,
            }
        )
    return {"loss": loss_name, "claims": claims}


def claims_latex(results: Sequence[ClaimResult]) -> str:
    """Each claim as a LaTeX paragraph: id, verdict, statement (amsmath only)."""
    rows = []
    for r in results:
        ident = r.claim.id.replace("_", r"\_")
        rows.append(rf"\paragraph{{\texttt{{{ident}}}}} \emph{{{r.status}}} ({_engines_text(dict(r.engines))}). {claim_statement(r.claim, 'latex')}")
    return "\n\n".join(rows)
