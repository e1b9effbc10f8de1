r"""How lossproof typesets an expression: LaTeX, Unicode and plain text.

SymPy's printers are used with two changes that a careful author would make by
hand: the terms of a sum are ordered positive before negative and simple before
complex (:math:`\sigma(z) - y`, not :math:`-y + \sigma(z)`), and the sigmoid
is printed as :math:`\sigma` standing before the factors that contain it
(:math:`\sigma(z)\left(1 - \sigma(z)\right)`).

>>> from sympy import Symbol
>>> from lossproof.sigmoid import sigmoid
>>> y, z = Symbol("y"), Symbol("z")
>>> to_latex(sigmoid(z) * (1 - sigmoid(z)))
'\\sigma(z) (1 - \\sigma(z))'
>>> to_text(-y + sigmoid(z))
'sigmoid(z) - y'
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import sympy
from sympy import Symbol, count_ops
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.pretty_symbology import pretty_use_unicode
from sympy.printing.str import StrPrinter

from .sigmoid import sigmoid

__all__ = ["interval_text", "equation_label_for", "latex_text", "to_latex", "to_pretty", "pretty_baseline", "to_text", "derivative_latex", "derivative_operator_latex", "operator_latex", "derivative_text"]


def _term_key(term: sympy.Expr) -> tuple[bool, int]:
    return (term.could_extract_minus_sign(), count_ops(term))


class _Ordered:
    """Mixin: order the terms of a sum positive first, then by growing size."""

    def _as_ordered_terms(self, expr: sympy.Expr, order: Any = None) -> list[sympy.Expr]:
        if (order or self._settings.get("order")) == "none":  # type: ignore[attr-defined]
            return list(expr.args)  # a derivation step shows its terms as written
        terms = list(super()._as_ordered_terms(expr, order=order))  # type: ignore[misc]
        return sorted(terms, key=_term_key)  # sorted is stable: SymPy's order breaks ties


class _Latex(_Ordered, LatexPrinter):
    def _print_log(self, expr: sympy.Expr, exp: Any = None) -> str:
        tex = rf"\log\left({self._print(expr.args[0])}\right)"
        return tex if exp is None else rf"\log^{{{exp}}}\left({self._print(expr.args[0])}\right)"


class _Pretty(_Ordered, PrettyPrinter):
    pass


class _Str(_Ordered, StrPrinter):
    def _print_Abs(self, expr: sympy.Expr) -> str:
        # "abs" is what lossproof's parser and sympify both read back.
        return f"abs({self._print(expr.args[0])})"


def _printable_sigmoids(expr: sympy.Expr, fmt: str) -> sympy.Expr:
    # A symbol named like the printed call sorts before compound factors in a
    # product, which puts sigma(z) first; printing is the only use of this.
    def name(a: sigmoid) -> Symbol:
        arg = a.args[0]
        return Symbol(fmt.format(_Latex().doprint(arg) if "sigma" in fmt else str(arg)))

    simple = {a: name(a) for a in expr.atoms(sigmoid) if a.args[0].is_Atom}
    return expr.xreplace(simple)


_INNERMOST_LEFT = re.compile(r"\\left\(((?:(?!\\left\(|\\right\)).)*)\\right\)")


def _plain_parentheses(tex: str) -> str:
    # \left( \right) only where the content is tall (a fraction); flat content gets
    # plain parentheses, as in a hand-set formula. Innermost pairs first, so an
    # outer pair sees its content after the inner ones were settled.
    def repl(m: re.Match[str]) -> str:
        inner = m.group(1)
        if "\\frac" in inner or "\\left" in inner:
            return "\\left\x00" + inner + "\\right\x01"
        return "(" + inner + ")"

    previous = None
    while previous != tex:
        previous, tex = tex, _INNERMOST_LEFT.sub(repl, tex)
    return tex.replace("\\left\x00", "\\left(").replace("\\right\x01", "\\right)")


def to_latex(expr: sympy.Expr, as_written: bool = False, breakable: bool = False) -> str:
    """LaTeX for ``expr``: natural log as ``\\log``, ``\\sigma`` for the sigmoid.

    ``as_written`` keeps the order of terms and factors of an unevaluated expression
    (a derivation step), instead of lossproof's positive-first order. ``breakable`` lets a
    line break between the factors of a product (``\\allowbreak``), for a formula in running
    text that is longer than a line.
    """
    # A long numerator over a short denominator is set as 1/den times (num): a \frac cannot
    # break across lines, a product in plain parentheses can.
    settings = {"mul_symbol": r" \allowbreak ", "long_frac_ratio": 3} if breakable else {}
    if as_written:  # xreplace would evaluate the written form: print it as it stands
        tex = _plain_parentheses(_Latex({"order": "none", **settings}).doprint(expr))
    else:
        tex = _plain_parentheses(_Latex(settings).doprint(_printable_sigmoids(expr, r"\sigma({})")))
    # \left( ... \right) is one box TeX cannot break; \bigl( ... \bigr) are two symbols.
    return tex.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)") if breakable else tex


def to_pretty(expr: sympy.Expr, unicode: bool = True) -> str:
    """A two-dimensional rendering for the terminal (Unicode, or ASCII art)."""
    fmt = "σ({})" if unicode else "sigmoid({})"
    # SymPy's pretty forms read a global switch while they are built, as sympy.pretty does.
    previous = pretty_use_unicode(unicode)
    try:
        return _Pretty({"use_unicode": unicode}).doprint(_printable_sigmoids(expr, fmt))
    finally:
        pretty_use_unicode(previous)


def pretty_baseline(expr: sympy.Expr, unicode: bool = True) -> int:
    """The line of :func:`to_pretty`'s output that holds the fraction bar (or the only line)."""
    fmt = "σ({})" if unicode else "sigmoid({})"
    previous = pretty_use_unicode(unicode)
    try:
        return int(_Pretty({"use_unicode": unicode})._print(_printable_sigmoids(expr, fmt)).baseline)
    finally:
        pretty_use_unicode(previous)


@lru_cache(maxsize=4096)
def to_text(expr: sympy.Expr) -> str:
    """One line that ``sympy.sympify`` reads back, with ``sigmoid`` as the one extra name.

    Memoised: a claim's report prints the same few expressions in many steps (31
    distinct among 188 for BCE's), and SymPy's printer with its term ordering is most
    of the report's time. Expressions are immutable and SymPy (1.13 on) compares them
    structurally, so equal keys print alike: ``1`` and ``1.0`` are different keys.

    >>> from sympy import Float, Integer
    >>> to_text(Integer(1)), to_text(Float(1))
    ('1', '1.00000000000000')
    """
    return _Str().doprint(expr)


#: Plain text -> LaTeX that prints as written in the default (OT1) font encoding, where a
#: text-mode ``>``, ``<`` and ``|`` would print as the wrong glyphs (inverted ``¿``, ``¡``,
#: an em dash). texlive-latex-base has no T1 fonts but the bitmap ones, so relations go to math
#: mode instead of changing the encoding. Longest tokens first: ``>=`` before ``>``.
_TEXT_TOKENS = {
    "->": r"$\to$", ">=": r"$\geq$", "<=": r"$\leq$", "!=": r"$\neq$", "||": r"$\|$",
    ">": "$>$", "<": "$<$", "|": "$|$", "·": r"$\cdot$", "∈": r"$\in$", "→": r"$\to$",
    "\\": r"\textbackslash{}", "_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#", "^": r"\^{}",
    "~": r"\textasciitilde{}", "{": r"\{", "}": r"\}",
}
_TEXT_PATTERN = re.compile(
    # infinity written as SymPy prints it ("z -> -oo"), and a power or transpose ("v^T")
    r"(?<![\w.])([+-]?)oo(?!\w)|(?<=\w)\^(\w+)|"
    + "|".join(re.escape(t) for t in sorted(_TEXT_TOKENS, key=len, reverse=True))
)


def _text_token(m: re.Match[str]) -> str:
    if m.group(0).endswith("oo") and m.group(2) is None:
        return rf"${m.group(1)}\infty$"
    if m.group(2) is not None:
        return f"$^{{{m.group(2)}}}$"
    return _TEXT_TOKENS[m.group(0)]


def latex_text(s: str) -> str:
    r"""Plain text for LaTeX: escape the specials, keep ``$...$`` math as it is.

    Relations become math, so they print as written in any font encoding.

    >>> print(latex_text("KL >= 0 for p_1, and $\\sigma$"))
    KL $\geq$ 0 for p\_1, and $\sigma$
    >>> print(latex_text("gradient < 0 before the point, |u| > 0 as z -> -oo"))
    gradient $<$ 0 before the point, $|$u$|$ $>$ 0 as z $\to$ $-\infty$
    """
    parts = s.split("$")
    for i in range(0, len(parts), 2):  # the even pieces are outside math
        parts[i] = _TEXT_PATTERN.sub(_text_token, parts[i])
    return "$".join(parts)


def equation_label_for(loss_name: str, wrt: str, order: int) -> str:
    """The ``\\label`` of a derivative, e.g. ``eq:bce-d2p``: snippets and documents agree.

    >>> equation_label_for("bce", "p", 2)
    'eq:bce-d2p'
    """
    return f"eq:{loss_name}-d{'' if order == 1 else order}{wrt}"


def operator_latex(operator: str) -> str:
    r"""A loss's name as a math operator; what follows an underscore is an upright subscript.

    >>> operator_latex("BCE")
    '\\operatorname{BCE}'
    >>> operator_latex("BCE_ls")
    '\\operatorname{BCE}_{\\mathrm{ls}}'
    """
    name, _, sub = operator.partition("_")
    return rf"\operatorname{{{name}}}" + (rf"_{{\mathrm{{{sub}}}}}" if sub else "")


def derivative_latex(operator: str, wrt: str, order: int) -> str:
    r"""The Leibniz symbol, e.g. ``\frac{\partial^{2} \operatorname{BCE}}{\partial p^{2}}``."""
    op = operator_latex(operator)
    if order == 1:
        return rf"\frac{{\partial {op}}}{{\partial {wrt}}}"
    return rf"\frac{{\partial^{{{order}}} {op}}}{{\partial {wrt}^{{{order}}}}}"


def derivative_operator_latex(var: str, order: int, partial: bool) -> str:
    r"""The operator of a derivative as a mathematician writes it: ``d/dp``, ``d^2/dp^2``, or
    with ``\partial`` when the function has several variables.

    >>> derivative_operator_latex("p", 1, partial=False)
    '\\frac{d}{dp}'
    >>> derivative_operator_latex("z", 2, partial=True)
    '\\frac{\\partial^{2}}{\\partial z^{2}}'
    """
    d = r"\partial " if partial else "d"
    if order == 1:
        return rf"\frac{{{d.rstrip()}}}{{{d}{var}}}"
    return rf"\frac{{{d.rstrip()}^{{{order}}}}}{{{d}{var}^{{{order}}}}}"


def derivative_text(operator: str, wrt: str, order: int, unicode: bool = True) -> str:
    """The Leibniz symbol on one line, e.g. ``∂²BCE/∂p²`` (or ``d2BCE/dp2`` in ASCII)."""
    if unicode:
        sup = {1: "", 2: "²"}[order]
        return f"∂{sup}{operator}/∂{wrt}{sup}"
    sup = "" if order == 1 else str(order)
    return f"d{sup}{operator}/d{wrt}{sup}"


#: How each format writes the real line, infinity and the bounds of an interval.
_INTERVAL_STYLES = {
    "text": ("R", "-oo", "oo"),
    "unicode": ("ℝ", "-oo", "oo"),
    "latex": (r"\mathbb{R}", r"-\infty", r"\infty"),
}


def interval_text(interval: sympy.Interval, fmt: str = "text") -> str:
    r"""An interval as ``[0, 1]``, ``(0, oo)`` or the real line as ``R`` (``ℝ``, ``\mathbb{R}``).

    The one interval formatter: reports, statements, documents and the article use it.

    Args:
        interval: a SymPy interval.
        fmt: ``"text"`` (ASCII), ``"unicode"`` or ``"latex"``.

    Raises:
        ValueError: an unknown ``fmt``.

    >>> interval_text(sympy.Interval.Lopen(0, sympy.oo))
    '(0, oo)'
    >>> interval_text(sympy.Interval(-sympy.oo, sympy.oo), "unicode")
    'ℝ'
    >>> interval_text(sympy.Interval.Ropen(sympy.Rational(1, 2), sympy.oo), "latex")
    '[\\frac{1}{2}, \\infty)'
    """
    if fmt not in _INTERVAL_STYLES:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(_INTERVAL_STYLES)}")
    reals, minus_inf, plus_inf = _INTERVAL_STYLES[fmt]
    if interval.start == -sympy.oo and interval.end == sympy.oo:
        return reals
    bound = {-sympy.oo: minus_inf, sympy.oo: plus_inf}
    show = to_latex if fmt == "latex" else str

    def end(e: sympy.Expr) -> str:
        return bound.get(e, show(e))

    left = "(" if interval.left_open else "["
    right = ")" if interval.right_open else "]"
    return f"{left}{end(interval.start)}, {end(interval.end)}{right}"
