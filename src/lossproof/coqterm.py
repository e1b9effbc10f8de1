r"""SymPy expressions as Coq terms of type ``R``, for :mod:`lossproof.coq`.

One method per SymPy node class (``_print_Add``, ``_print_log``), as SymPy's own
printers do; a node Coq's reals have no term for is a :class:`CoqError`.

>>> import sympy
>>> y, p = sympy.symbols("y p")
>>> coq_term(-y*sympy.log(p) - (1 - y)*sympy.log(1 - p))
'- y * ln p - (1 - y) * ln (1 - p)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy
from sympy import Symbol

from .errors import LossproofError

__all__ = ["CoqError", "coq_term", "is_atomic"]


class CoqError(LossproofError):
    """A claim Coq cannot state yet, coqc missing, or a Coq file that did not compile."""




class _CoqPrinter:
    """SymPy expressions as Coq terms of type R, one method per node class.

    Division is printed as one quotient of products, so ``(p - y)/(p*(1 - p))``
    reads ``(p - y) / (p * (1 - p))`` as a person writes it; natural powers use
    Coq's ``pow`` (``x ^ 2``, a nat exponent).
    """

    def __init__(self, names: Mapping[sympy.Basic, str] | None = None) -> None:
        self.names = dict(names or {})

    def term(self, expr: sympy.Basic) -> str:
        if expr in self.names:
            text = self.names[expr]
            # a name stands for a whole term: never let the context's operators split it
            return text if is_atomic(text) else f"({text})"
        method = getattr(self, f"_print_{type(expr).__name__}", None)
        if method is None:
            for cls in type(expr).__mro__:
                method = getattr(self, f"_print_{cls.__name__}", None)
                if method is not None:
                    break
        if method is None:
            raise CoqError(f"no Coq term for {type(expr).__name__}: {expr}")
        return method(expr)

    def atom(self, expr: sympy.Basic) -> str:
        """The term, in parentheses unless it is a name, a natural number or an application."""
        text = self.term(expr)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_']*|[0-9]+", text) or (
            text.startswith("(") and _balanced_outer(text)
        ):
            return text
        return f"({text})"

    def _print_Symbol(self, expr: Symbol) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expr.name):
            raise CoqError(f"no Coq name for the symbol {expr.name!r}")
        return expr.name

    def _print_Integer(self, expr: sympy.Integer) -> str:
        return str(expr) if expr >= 0 else f"- {-expr}"

    def _print_Rational(self, expr: sympy.Rational) -> str:
        sign = "- " if expr < 0 else ""
        return f"{sign}{abs(expr.p)} / {expr.q}"

    def _print_Add(self, expr: sympy.Add) -> str:
        out = ""
        # positive terms first, as a person writes sigma(z) - y (SymPy orders -y + sigma(z))
        terms = sorted(expr.as_ordered_terms(), key=lambda t: bool(t.could_extract_minus_sign()))
        for i, term in enumerate(terms):
            # Coq's - and + are left-associative at one level, and a product binds tighter:
            # a - b * c needs no brackets, and a term is never itself a sum
            if i == 0:
                out = self.term(term)
            elif term.could_extract_minus_sign():
                out += " - " + self.term(-term)
            else:
                out += " + " + self.term(term)
        return out

    def _print_Mul(self, expr: sympy.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_negative:
            return "- " + self._product(-expr)
        return self._product(expr)

    def _product(self, expr: sympy.Expr) -> str:
        num, den = [], []
        for factor in sympy.Mul.make_args(expr):
            base, exp = factor.as_base_exp()
            if factor.is_Rational and not factor.is_Integer:
                if factor.p != 1:
                    num.append(sympy.Integer(factor.p))
                den.append(sympy.Integer(factor.q))
            elif exp.is_Integer and exp < 0:
                den.append(base ** (-exp))
            else:
                num.append(factor)
        top = " * ".join(self._factor(f) for f in num) if num else "1"
        if not den:
            return top
        bottom = self._factor(den[0]) if len(den) == 1 else "(" + " * ".join(self._factor(f) for f in den) + ")"
        return f"{top} / {bottom}"

    def _factor(self, expr: sympy.Expr) -> str:
        if isinstance(expr, (sympy.Add, sympy.Mul)) or (expr.is_Number and expr < 0) or (
            expr.is_Rational and not expr.is_Integer
        ):
            return f"({self.term(expr)})"
        return self.term(expr)

    def _print_Pow(self, expr: sympy.Pow) -> str:
        base, exp = expr.as_base_exp()
        if exp.is_Integer and exp > 0:
            return f"{self.atom(base)} ^ {exp}"
        if exp.is_Integer and exp < 0:
            return f"/ {self.atom(base ** (-exp))}"
        if exp == sympy.Rational(1, 2):
            return f"sqrt {self.atom(base)}"
        raise CoqError(f"no Coq term for the power {expr} (exponent not an integer)")

    def _print_log(self, expr: sympy.Expr) -> str:
        return f"ln {self.atom(expr.args[0])}"

    def _print_exp(self, expr: sympy.Expr) -> str:
        return f"exp {self.atom(expr.args[0])}"

    def _print_sigmoid(self, expr: sympy.Expr) -> str:
        return f"sigmoid {self.atom(expr.args[0])}"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"Rabs {self.atom(expr.args[0])}"


def is_atomic(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_']*|[0-9]+", text)) or (
        text.startswith("(") and _balanced_outer(text))


def _balanced_outer(text: str) -> bool:
    """``text`` is one parenthesised group: its first bracket closes at its last character."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i == len(text) - 1
    return False


def coq_term(expr: sympy.Basic, names: Mapping[sympy.Basic, str] | None = None) -> str:
    """``expr`` as a Coq term of type ``R`` (Coq's reals, with ``LossProof.Defs.sigmoid``).

    ``names`` prints given subexpressions as given text.

    >>> from sympy import symbols, log
    >>> p, y = symbols("p y")
    >>> coq_term((p - y)/(p*(1 - p)))
    '(p - y) / (p * (1 - p))'
    >>> from lossproof.sigmoid import sigmoid
    >>> coq_term(sigmoid(p)*(1 - sigmoid(p)))
    '(1 - sigmoid p) * sigmoid p'

    Raises:
        CoqError: a node Coq's reals have no term for (a fractional power, an unknown function).
    """
    return _CoqPrinter(names).term(sympy.sympify(expr))
