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

from .derive import Derivative
from .losses import Loss
from .notation import (
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
    blocks = [
        _pretty_equation(derivative_text(loss.operator, d.wrt, d.order, unicode), d.canonical, unicode)
        for d in derivs
    ]
    return "\n\n".join(blocks)


def derivatives_json(loss: Loss, derivs: Sequence[Derivative]) -> dict[str, Any]:
    """The JSON object of ``lossproof derive --format json`` (see the README's contract)."""
    return {
        "loss": loss.name,
        "expression": to_text(loss.expr),
        "derivatives": [
            {"wrt": d.wrt, "order": d.order, "expr": to_text(d.canonical), "latex": to_latex(d.canonical)}
            for d in derivs
        ],
    }


def equation_label(loss: Loss, wrt: str, order: int) -> str:
    """The ``\\label`` of a derivative, e.g. ``eq:bce-d2p``."""
    return f"eq:{loss.name}-d{'' if order == 1 else order}{wrt}"


def derivatives_latex(loss: Loss, derivs: Sequence[Derivative]) -> str:
    """An amsmath ``align`` environment, one labelled line per derivative."""
    rows = [
        f"  {derivative_latex(loss.operator, d.wrt, d.order)} &= {to_latex(d.canonical)}"
        f" \\label{{{equation_label(loss, d.wrt, d.order)}}}"
        for d in derivs
    ]
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"
