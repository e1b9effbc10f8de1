r"""The truth an implementation is audited against: lossproof's own expression, evaluated exactly enough.

A quantity is the loss in the logit, its derivative in ``p`` or its derivative in ``z``,
each taken from the derivation (:func:`lossproof.derive.derive`'s canonical form), never
typed in again. It is evaluated with mpmath at the exact binary value of each input, at
:data:`BASE_BITS` bits (60 decimal digits) or more:

- ``sigmoid(z) - 1`` and its kin lose about ``|z| log2(e)`` bits to cancellation, so the
  working precision grows by that much (up to :data:`MAX_BITS`);
- for ``z > 0`` the expression is read with ``sigmoid(z) = 1 - sigmoid(-z)`` (an identity,
  checked by :func:`lossproof.identity.check_identity`), so that ``log(1 - sigmoid(z))``
  becomes ``log(sigmoid(-z))``, exact at any ``z``, even where ``1 - sigmoid(z)`` is far
  below every working precision (``z = 1e300``);
- every value is computed twice, at two precisions, and accepted only when they agree
  to :data:`AGREE_BITS` bits beyond the dtype's precision (else the precision doubles).

>>> from lossproof.losses import get_loss
>>> t = Truth.of(get_loss("bce"), "loss")
>>> mpmath.nstr(t(0.0, -50.0), 6)
'1.92875e-22'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy

from ..derive import derive, kinks
from ..errors import IdentityError, InputError
from ..identity import check_identity
from ..losses import Loss, p, y, z
from ..sigmoid import sigmoid
from .names import QUANTITIES

__all__ = ["QUANTITIES", "Truth", "quantity_expr", "BASE_BITS", "MAX_BITS", "AGREE_BITS"]

#: 60 decimal digits, the floor the brief and the identity check use (200 bits > 3 x 53).
BASE_BITS = 200
#: Cancellation in sigmoid(z) - 1 costs |z| log2(e) bits, but what it leaves is of the
#: size e^-|z|: beyond |z| ~ 800 that is below float64's smallest subnormal (2^-1074), a
#: result no verdict uses. So the precision stops growing at BASE_BITS + 1200.
MAX_BITS = BASE_BITS + 1200
#: Results below this are "below every dtype's range" (float64 subnormals end at 2^-1074):
#: two evaluations that both land there agree, whatever their digits.
NEGLIGIBLE = mpmath.ldexp(1, -1200)
#: Two evaluations must agree to this many bits beyond the dtype's 53 (float64): the truth's
#: own error is then below 2^-16 ulp, invisible in a verdict measured in ulps.
AGREE_BITS = 53 + 16
_LOG2E = 1.4426950408889634
#: Beyond |z| = 900 a cancellation leaves at most e^-900 < 2^-1298, NEGLIGIBLE: the complement
#: form keeps every other term exact, so the base precision suffices (and exp(-1e300) at
#: 1400 bits would cost 12 ms a call for nothing).
_FAR = 900.0


def _mp_sigmoid(u: mpmath.mpf) -> mpmath.mpf:
    # 1/(1 + e^-u) is relatively exact in mpmath at any u: its exponent range is unbounded.
    # A sweep asks for the same z under many labels y: cached per value and precision.
    return _sigmoid_cached(u, mpmath.mp.prec)


@lru_cache(maxsize=1 << 16)
def _sigmoid_cached(u: mpmath.mpf, prec: int) -> mpmath.mpf:
    with mpmath.workprec(prec):
        return 1 / (1 + mpmath.exp(-u))


_MODULES = [{"sigmoid": _mp_sigmoid, "sign": mpmath.sign}, "mpmath"]


def quantity_expr(loss: Loss, quantity: str) -> tuple[sympy.Expr, sympy.Symbol]:
    """The derived expression of ``quantity`` for ``loss`` and its input variable.

    Raises:
        InputError: an unknown quantity, a quantity in ``z`` for a loss without a link, or
            a loss that keeps a parameter symbolic (an audit needs numbers).

    >>> from lossproof.losses import get_loss
    >>> quantity_expr(get_loss("bce"), "grad_z")
    (-y + sigmoid(z), z)
    """
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}: choose {', '.join(QUANTITIES)}")
    if QUANTITIES[quantity] == "z" and loss.link is None:
        raise InputError(f"loss {loss.name!r} has no link, so no {quantity} in a logit: audit grad_p")
    if quantity == "loss":
        expr, var = loss.in_var("z").function, z
    else:
        expr, var = derive(loss, QUANTITIES[quantity], 1).canonical, (p if quantity == "grad_p" else z)
    extra = expr.free_symbols - {y, var}
    if extra:
        names = ", ".join(sorted(map(str, extra)))
        raise InputError(f"loss {loss.name!r} has the parameter {names}: write its value into the loss to audit it")
    return expr, var


def _complement(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with sigmoid(z) read as 1 - sigmoid(-z), checked equal before use."""
    out = expr.xreplace({sigmoid(z): 1 - sigmoid(-z)})
    # The identity check reads each sigmoid(u) as its own variable, so it would see
    # sigmoid(z) and sigmoid(-z) as unrelated: it compares the forms written in exp.
    domain = {y: sympy.Interval(0, 1), z: sympy.Interval(-20, 20)}
    if out != expr and not check_identity(out.rewrite(sympy.exp), expr.rewrite(sympy.exp), domain).holds:
        raise IdentityError(f"complement form {out} does not equal {expr}")
    return out


@dataclass(frozen=True)
class Truth:
    """The exact value of one quantity, as a callable ``truth(y, x) -> mpf | None``.

    ``None`` where the quantity does not exist (exactly at a kink, such as ``p = y`` for
    the absolute error). ``mant`` is the dtype's significand bits (53 or 24).
    """

    expr: sympy.Expr
    var: sympy.Symbol
    mant: int
    _direct: Callable[..., mpmath.mpf]
    _complement: Callable[..., mpmath.mpf]
    _kinks: tuple[Callable[..., mpmath.mpf], ...]

    @staticmethod
    def of(loss: Loss, quantity: str, mant: int = 53) -> Truth:
        """The truth of ``quantity`` for ``loss``, for a dtype of ``mant`` significand bits."""
        expr, var = quantity_expr(loss, quantity)
        # Kinks are where the loss itself is not differentiable (|y - p| at p = y): read off
        # the loss, as the derivative sign(p - y) no longer shows them.
        source = loss.in_var("p" if var == p or loss.link is None else "z").function
        return _truth(expr, var, mant, kinks(source))

    def __call__(self, yv: float, xv: float) -> mpmath.mpf | None:
        ym, xm = mpmath.mpf(float(yv)), mpmath.mpf(float(xv))  # exact: a float is a binary fraction
        bits = BASE_BITS
        if self.var == z and abs(float(xv)) <= _FAR:
            bits += int(abs(float(xv)) * _LOG2E) + 1
        else:
            # log(1 - p) at p = 2^-k needs k more bits, or 1 - p rounds to 1 at both
            # precisions alike and the agreement check cannot see it.
            bits += 64 + max(0, -math.frexp(float(xv))[1])
        if any(self._at_kink(k, ym, xm, bits) for k in self._kinks):
            return None
        f = self._complement if (self.var == z and xv > 0) else self._direct
        while True:
            with mpmath.workprec(bits):
                a = f(ym, xm)
            with mpmath.workprec(bits + 64):
                b = f(ym, xm)
            if _agree(a, b) or bits >= MAX_BITS:
                return b  # at its own precision: `+b` would round it to the context's 53 bits
            bits = min(2 * bits, MAX_BITS)

    @staticmethod
    def _at_kink(k: Callable[..., mpmath.mpf], ym: mpmath.mpf, xm: mpmath.mpf, bits: int) -> bool:
        with mpmath.workprec(bits + 64):
            return bool(k(ym, xm) == 0)


def _agree(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
        return False
    if abs(a) < NEGLIGIBLE and abs(b) < NEGLIGIBLE:
        return True
    return bool(abs(a - b) <= abs(b) * mpmath.ldexp(1, -AGREE_BITS))


def _compile(expr: sympy.Expr, var: sympy.Symbol) -> Callable[..., mpmath.mpf]:
    """``expr`` as an mpmath function of (y, var).

    Most quantities are polynomials in y whose coefficients are functions of the input
    alone (BCE's loss is A(z) + y B(z)). A sweep evaluates each input under many labels,
    so the coefficients are computed once per input and precision and the polynomial is
    summed in y at that precision (Horner), a cancellation the agreement check still sees.
    """
    poly = expr.as_poly(y) if expr.has(y) else None
    if poly is None or any(c.has(y) for c in poly.all_coeffs()):
        return sympy.lambdify((y, var), expr, modules=_MODULES)
    coeffs = sympy.lambdify((var,), tuple(poly.all_coeffs()), modules=_MODULES)

    @lru_cache(maxsize=1 << 16)
    def at(xm: mpmath.mpf, prec: int) -> tuple[mpmath.mpf, ...]:
        return tuple(coeffs(xm))

    def f(ym: mpmath.mpf, xm: mpmath.mpf) -> mpmath.mpf:
        acc = mpmath.mpf(0)
        for c in at(xm, mpmath.mp.prec):
            acc = acc * ym + c
        return acc

    return f


@lru_cache(maxsize=64)
def _truth(expr: sympy.Expr, var: sympy.Symbol, mant: int, kink_args: tuple[sympy.Expr, ...] = ()) -> Truth:
    args = (y, var)
    direct = _compile(expr, var)
    comp = _compile(_complement(expr), var) if var == z else direct
    ks = tuple(sympy.lambdify(args, k, modules=_MODULES) for k in kink_args)
    return Truth(expr, var, mant, direct, comp, ks)


def ulps(got: float, truth: mpmath.mpf, mant: int, emin: int) -> float:
    """``|got - truth|`` in units in the last place of ``truth`` in a dtype.

    The ulp of a value in ``[2^e, 2^(e+1))`` is ``2^(e - mant + 1)``; below the normal
    range it is the subnormal spacing ``2^(emin - mant + 1)``. NaN and infinities are
    infinitely far.

    >>> ulps(1.0, mpmath.mpf(1) + mpmath.mpf(2) ** -52, 53, -1022)
    1.0
    """
    if not math.isfinite(got):
        return math.inf
    if truth == 0:
        return 0.0 if got == 0 else math.inf
    _, e = mpmath.frexp(truth)  # truth = m 2^e with m in [0.5, 1)
    ulp = mpmath.ldexp(1, max(int(e) - 1, emin) - mant + 1)
    return float(abs(mpmath.mpf(got) - truth) / ulp)
