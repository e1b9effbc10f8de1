"""Callables for one loss with the target fixed, shared by the numeric tests.

Each expression is lambdified once, with the target as its first argument, and
bound to a target per example: lambdify is far slower than the evaluations.
"""

from __future__ import annotations

from functools import lru_cache, partial

import mpmath
import sympy

from lossproof import derive, get_loss
from lossproof.losses import p, y
from lossproof.numeric import modules as _modules


@lru_cache(maxsize=None)
def canonical(loss_name: str, wrt: str, order: int) -> sympy.Expr:
    return derive(get_loss(loss_name), wrt, order).canonical


def in_var(loss_name: str, wrt: str) -> tuple[sympy.Expr, sympy.Symbol]:
    loss = get_loss(loss_name)
    if wrt == "p":
        return loss.expr, p
    assert loss.link is not None
    return loss.link.apply(loss.expr), loss.link.var


@lru_cache(maxsize=None)
def _compiled(loss_name: str, wrt: str, order: int):
    expr, var = in_var(loss_name, wrt)
    deriv = canonical(loss_name, wrt, order)
    raw = sympy.diff(expr, var, order)
    size = sum((abs(t) for t in sympy.Add.make_args(raw)), sympy.Integer(0))
    args = (y, var)
    return (
        sympy.lambdify(args, expr, modules=_modules("math")),
        sympy.lambdify(args, expr, modules=_modules("mpmath")),
        sympy.lambdify(args, deriv, modules=_modules("mpmath")),
        sympy.lambdify(args, size, modules=_modules("mpmath")),
    )


def functions(loss_name: str, wrt: str, order: int, target: float):
    """(f float64, f mpmath, derivative mpmath) of the loss in `wrt` at y = target."""
    f, f_mp, d_mp, _ = _compiled(loss_name, wrt, order)
    t = mpmath.mpf(target)  # exact: a float is a binary fraction
    return partial(f, target), partial(f_mp, t), partial(d_mp, t)


def term_magnitude(loss_name: str, wrt: str, order: int, target: float):
    """Sum of |terms| of SymPy's raw derivative: the scale on which cancellation is judged."""
    return partial(_compiled(loss_name, wrt, order)[3], mpmath.mpf(target))


def length(wrt: str, x: float) -> float:
    """The scale over which the loss varies at x: distance to p = 0 or 1, or 1 in z."""
    return min(x, 1 - x) if wrt == "p" else 1.0


def mp_length(wrt: str, x: float):
    with mpmath.workdps(50):
        xm = mpmath.mpf(x)
        return min(xm, 1 - xm) if wrt == "p" else mpmath.mpf(1)
