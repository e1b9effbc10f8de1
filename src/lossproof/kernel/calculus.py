r"""Where a function is defined and smooth: the conditions calculus rules need.

A derivative-based rule says nothing about a function that is not real, not
defined, or not smooth on the domain. :func:`conditions` walks an expression and
collects what must hold for it to be real and smooth there:

* ``log(u)`` needs ``u > 0``; ``u**e`` with ``e`` not an integer needs ``u > 0``
  (``sqrt(u)`` included: at ``u = 0`` its derivative is infinite); ``u**-n``
  needs ``u != 0``;
* ``sign(u)`` jumps where ``u = 0``: it needs ``u != 0`` (a jump is never smoothed
  over; a loss with a jump inside its domain fails this condition);
* ``|u|`` is continuous but has a kink where ``u = 0``: it is listed as a kink,
  which a convexity claim must treat with one-sided derivatives;
* ``exp``, ``cosh``, ``sinh``, ``tanh`` and ``sigmoid`` are smooth everywhere;
  any other function (``Heaviside``, ``Piecewise``, ``Min``, ``DiracDelta``, ...)
  is unsupported, and the claim is unknown with that reason.

The parser collects the same conditions while it builds a typed-in expression,
before SymPy's automatic simplification can fold one away (``sqrt(p - 1/2)**2``).

>>> from sympy import Symbol, log, sqrt, Abs
>>> p, y = Symbol("p"), Symbol("y")
>>> c = conditions(-y * log(p) + Abs(p - y) / (1 - p))
>>> [(str(h.expr), h.rel) for h in c.defined], c.kinks
([('p', '>'), ('1 - p', '!=')], (p - y,))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Dummy, Symbol

from ..sigmoid import sigmoid
from .claim import Assumption

__all__ = ["Conditions", "conditions", "kinks", "smooth_diff", "SMOOTH_FUNCTIONS"]

#: Functions smooth on the whole real line.
SMOOTH_FUNCTIONS = (sympy.exp, sympy.cosh, sympy.sinh, sympy.tanh, sigmoid)


@dataclass(frozen=True)
class Conditions:
    """What an expression needs to be real and smooth, and where it may not be.

    Attributes:
        defined: hypotheses ``u rel 0`` that must hold on the whole domain.
        kinks: arguments ``u`` of ``|u|``: continuous, not differentiable at ``u = 0``.
        unsupported: functions the kernel cannot reason about, by name.
    """

    defined: tuple[Assumption, ...]
    kinks: tuple[sympy.Expr, ...]
    unsupported: tuple[str, ...]


def condition_of(node: sympy.Basic) -> list[Assumption]:
    """The conditions the top of ``node`` adds (not those of its arguments)."""
    if isinstance(node, sympy.log):
        return [Assumption(node.args[0], ">")]
    if isinstance(node, sympy.sign):
        return [Assumption(node.args[0], "!=")]
    if node.is_Pow:
        base, exp = node.args
        if base.is_number and base.is_positive:
            return []  # 2**x, E**x: defined for every real x
        if exp.is_Integer:
            return [Assumption(base, "!=")] if exp < 0 else []
        return [Assumption(base, ">")]
    return []


def _supported(node: sympy.Basic) -> bool:
    if not isinstance(node, sympy.Function):
        return True
    return isinstance(node, (sympy.log, sympy.sign, sympy.Abs)) or isinstance(node, SMOOTH_FUNCTIONS)


def conditions(expr: sympy.Expr) -> Conditions:
    """Collect the definedness and smoothness conditions of ``expr`` (see the module doc)."""
    defined: list[Assumption] = []
    kink_args: set[sympy.Expr] = set()
    unsupported: set[str] = set()
    for node in sympy.preorder_traversal(expr):
        if node in (sympy.zoo, sympy.nan, sympy.I) or (node.is_number and node.is_extended_real is False):
            unsupported.add(str(node))
            continue
        if not _supported(node):
            unsupported.add(type(node).__name__)
        if isinstance(node, sympy.Abs):
            kink_args.add(node.args[0])
        for h in condition_of(node):
            if h not in defined:
                defined.append(h)
    order = sympy.default_sort_key
    return Conditions(
        tuple(sorted(defined, key=lambda h: (order(h.expr), h.rel))),
        tuple(sorted(kink_args, key=order)),
        tuple(sorted(unsupported)),
    )


def kinks(expr: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """Where ``expr`` may fail to be differentiable: the arguments ``u`` of its ``|u|``.

    >>> from sympy import Symbol
    >>> p, y = Symbol("p"), Symbol("y")
    >>> kinks(abs(y - p))
    (p - y,)
    """
    return tuple(sorted({a.args[0] for a in expr.atoms(sympy.Abs)}, key=sympy.default_sort_key))


def smooth_diff(expr: sympy.Expr, var: Symbol, order: int) -> sympy.Expr:
    """SymPy's derivative, valid wherever ``expr`` is differentiable.

    Without ``|u|`` or ``sign(u)`` this is ``sympy.diff``. With them, the symbols are
    taken real (so that ``|u|' = sign(u) u'``) and the point masses ``DiracDelta`` at
    ``u = 0`` are dropped: the result is the derivative where ``u != 0``. Nothing here
    pretends the function is differentiable at ``u = 0``: :func:`conditions` lists those
    points (a kink) or demands that ``u`` never vanishes (a jump).

    >>> from sympy import Symbol
    >>> p, y = Symbol("p"), Symbol("y")
    >>> smooth_diff(abs(y - p), p, 2)
    0
    """
    if not expr.has(sympy.Abs, sympy.sign):
        return sympy.diff(expr, var, order)
    real = {s: Dummy(s.name, real=True) for s in expr.free_symbols}
    back = {v: k for k, v in real.items()}
    result = sympy.diff(expr.xreplace(real), real[var], order)
    return result.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0)).xreplace(back)
