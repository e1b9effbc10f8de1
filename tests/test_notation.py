"""lossproof.notation: one printer per format, and text that reads back as the same expression."""

from __future__ import annotations

import sympy
from sympy import Interval, Rational, log, oo

from lossproof.losses import CATALOG, p, y, z
from lossproof.notation import interval_text, latex_text, operator_latex, to_latex, to_text
from lossproof.parse import parse_expression
from lossproof.sigmoid import sigmoid


def test_text_reads_back_as_the_same_expression() -> None:
    for loss in CATALOG.values():
        for expr in (loss.expr, loss.in_var("z").function if loss.link else loss.expr):
            names = {str(s): s for s in expr.free_symbols}
            assert sympy.simplify(parse_expression(to_text(expr), names) - expr) == 0


def test_sigmoid_is_sigma_in_latex_and_sigmoid_in_text() -> None:
    e = log(sigmoid(z))
    assert r"\sigma(z)" in to_latex(e) and to_text(e) == "log(sigmoid(z))"


def test_intervals_in_each_format() -> None:
    assert interval_text(Interval.Lopen(0, 1)) == "(0, 1]"
    assert interval_text(Interval(-oo, oo), "unicode") == "ℝ"
    assert interval_text(Interval.open(0, oo), "latex") == r"(0, \infty)"
    assert interval_text(Interval(0, Rational(1, 2)), "latex") == r"[0, \frac{1}{2}]"


def test_latex_text_escapes_what_latex_would_read() -> None:
    out = latex_text("isMinOn_bce_p & 50% of {x}")
    assert r"\_" in out and r"\&" in out and r"\%" in out and r"\{" in out


def test_operators_are_upright() -> None:
    assert operator_latex("BCE") == r"\operatorname{BCE}"
    assert to_latex(p - y) in ("p - y", "- y + p")
