r"""The logistic sigmoid as a named SymPy function.

Keeping :math:`\sigma` named (instead of ``1/(1 + exp(-z))``) is what lets a
derivative in the logit read :math:`\sigma(z) - y`: SymPy differentiates it by
:math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))` and never expands it, and
``rewrite(exp)`` turns it back into exponentials for independent checks.

>>> from sympy import Symbol, diff
>>> z = Symbol("z")
>>> diff(sigmoid(z), z)
(1 - sigmoid(z))*sigmoid(z)
>>> sigmoid(z).rewrite("exp")
1/(1 + exp(-z))
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy import Function, Integer, exp

__all__ = ["sigmoid"]


class sigmoid(Function):  # noqa: N801 - lower case, like SymPy's own functions
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        # Only the exact value at 0 is folded; everything else stays symbolic.
        if arg.is_zero:
            return Integer(1) / 2
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: Any) -> sympy.Expr:
        return 1 / (1 + exp(-arg))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = self.args[0]
        inner = printer._print(arg)
        # \left( \right) only around compound arguments, as a careful author writes it.
        body = rf"\sigma({inner})" if arg.is_Atom else rf"\sigma\left({inner}\right)"
        if exp is not None:
            return rf"{body}^{{{exp}}}"
        return body

    def _pretty(self, printer: Any) -> Any:
        name = "σ" if printer._use_unicode else "sigmoid"
        return printer._print_Function(self, func_name=name)
