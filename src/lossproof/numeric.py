r"""Finite differences that check derivatives, in float64 and in mpmath.

Two independent numerical views of a derivative of :math:`f`:

* **float64 central differences**, with the step and the tolerance derived
  from the error analysis of the formula, never tuned:

  .. math::

     D_1 = \frac{f(x+h) - f(x-h)}{2h}, \quad
     |D_1 - f'(x)| \le \frac{h^2}{6} M_3 + \frac{|e_+| + |e_-|}{2h}

     D_2 = \frac{f(x+h) - 2 f(x) + f(x-h)}{h^2}, \quad
     |D_2 - f''(x)| \le \frac{h^2}{12} M_4 + \frac{|e_+| + 2|e_0| + |e_-|}{h^2}

  where :math:`M_k` bounds :math:`|f^{(k)}|` on :math:`[x-h, x+h]` and
  :math:`e` are the rounding errors of the float64 evaluations of :math:`f`.
  The step minimising the bound is :math:`h \approx \ell\, u^{1/3}` (first
  derivative) or :math:`\ell\, u^{1/4}` (second), with :math:`u = 2^{-53}` and
  :math:`\ell` the length over which :math:`f` varies (the distance to the
  singularity at p = 0 or 1; 1 for the logit). :math:`M_k` is measured with
  mpmath's own differentiation at the three points, and the :math:`e` are
  measured against a 50-digit evaluation: the tolerance is an error bound for
  this evaluation, not a guess.

* **mpmath central differences** at a working precision raised until two
  precisions agree, compared with the derivative evaluated at the same
  precision: the values must agree to :data:`MP_REL_TOL` relative. This reaches
  where float64 cannot: p within 1e-12 of 0 or 1, |z| up to 700.

>>> import math
>>> check_float64(math.sin, mpmath.sin, mpmath.cos, 0.5, 1, 1.0).ok
True
>>> check_mpmath(mpmath.sin, mpmath.cos, "0.5", 1, "1").ok
True
>>> check_mpmath(mpmath.sin, mpmath.sin, "0.5", 1, "1").ok
False
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import sympy


__all__ = [
    "UNIT_ROUNDOFF",
    "MP_REL_TOL",
    "FloatCheck",
    "MpCheck",
    "fd_step",
    "check_float64",
    "check_mpmath",
    "float_function",
    "mp_function",
    "mp_sigmoid",
    "modules",
]

#: Unit roundoff of float64.
UNIT_ROUNDOFF = 2.0**-53
#: Agreement the mpmath check demands (the design's 1e-30 relative).
MP_REL_TOL = mpmath.mpf("1e-30")
#: M_k is sampled at x - h, x, x + h; with h <= l * u**(1/4) ~ 1.2e-4 * l, a pole
#: term 1/(x - a)**k (k <= 6) varies by under 0.2 % over the step, so doubling
#: the sampled maximum bounds |f^(k)| on the whole interval.
_MK_SAFETY = 2.0
#: Rounding of the final subtraction and division of the difference quotient,
#: a few units in the last place of the result.
_QUOTIENT_ULPS = 4.0
#: Digits used to measure the float64 evaluation error and M_k.
_REFERENCE_DPS = 50
#: The mpmath check starts at this many digits and doubles up to the maximum.
_MP_START_DPS, _MP_MAX_DPS = 80, 5120


@dataclass(frozen=True)
class FloatCheck:
    """A float64 finite difference against a derivative's value."""

    x: float
    h: float
    estimate: float
    derivative: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """The difference is within the derived error bound."""
        return abs(self.estimate - self.derivative) <= self.tolerance


@dataclass(frozen=True)
class MpCheck:
    """An mpmath finite difference against a derivative's value."""

    x: Any
    dps: int
    estimate: Any
    derivative: Any
    magnitude: Any = 0

    @property
    def relative_error(self) -> Any:
        """|estimate - derivative| relative to the larger of the two and ``magnitude``."""
        scale = max(abs(self.estimate), abs(self.derivative), abs(self.magnitude))
        return mpmath.mpf(0) if scale == 0 else abs(self.estimate - self.derivative) / scale

    @property
    def ok(self) -> bool:
        """The two agree to :data:`MP_REL_TOL` relative."""
        return bool(self.relative_error <= MP_REL_TOL)


def fd_step(order: int, length: float) -> float:
    """The step that balances truncation and rounding: ``length * u**(1/(order + 2))``."""
    return length * UNIT_ROUNDOFF ** (1.0 / (order + 2))


def _mp_at(f: Callable[[Any], Any], x: Any, dps: int) -> Any:
    with mpmath.workdps(dps):
        return f(mpmath.mpf(x))


def check_float64(
    f: Callable[[float], float],
    f_mp: Callable[[Any], Any],
    derivative_mp: Callable[[Any], Any],
    x: float,
    order: int,
    length: float,
) -> FloatCheck:
    """Compare a float64 central difference of ``f`` with ``derivative_mp`` at ``x``.

    ``x`` is first moved by at most ``h/2`` onto the grid of multiples of ``h`` (a
    power of two), so that the three points are exact; the check reports that point.

    Args:
        f: the function in float64.
        f_mp: the same function in mpmath, to measure rounding and M_k.
        derivative_mp: the derivative under test, evaluated in mpmath at the exact ``x``.
        x: the point.
        order: 1 or 2.
        length: the scale over which ``f`` varies near ``x`` (see the module doc).
    """
    # h a power of two and x moved onto the grid of multiples of h: then x - h, x
    # and x + h are exact float64 numbers, symmetric about x, as the formula assumes.
    h = math.ldexp(1.0, round(math.log2(fd_step(order, length))))
    x = round(x / h) * h
    xs = (x - h, x, x + h)
    values = [f(t) for t in xs]
    with mpmath.workdps(_REFERENCE_DPS):
        refs = [f_mp(mpmath.mpf(t)) for t in xs]
        errors = [abs(mpmath.mpf(v) - r) for v, r in zip(values, refs)]
        k = order + 2
        m_k = _MK_SAFETY * max(abs(mpmath.diff(f_mp, mpmath.mpf(t), k)) for t in xs)
        exact = derivative_mp(mpmath.mpf(x))
    if order == 1:
        estimate = (values[2] - values[0]) / (2 * h)
        truncation = h**2 / 6 * m_k
        rounding = (errors[0] + errors[2]) / (2 * h)
    else:
        estimate = (values[2] - 2 * values[1] + values[0]) / h**2
        truncation = h**2 / 12 * m_k
        rounding = (errors[0] + 2 * errors[1] + errors[2]) / h**2
    tolerance = float(truncation + rounding) + _QUOTIENT_ULPS * UNIT_ROUNDOFF * abs(estimate)
    return FloatCheck(x, h, estimate, float(exact), tolerance)


def _mp_difference(f: Callable[[Any], Any], x: Any, order: int, length: Any, dps: int) -> Any:
    with mpmath.workdps(dps):
        x = mpmath.mpf(x)
        # Truncation ~ (h/l)^2 and rounding ~ 10^-dps (l/h)^order balance at this step.
        h = mpmath.mpf(length) * mpmath.mpf(10) ** (-(dps // (order + 2)))
        if order == 1:
            return (f(x + h) - f(x - h)) / (2 * h)
        return (f(x + h) - 2 * f(x) + f(x - h)) / h**2


def check_mpmath(
    f: Callable[[Any], Any],
    derivative: Callable[[Any], Any],
    x: Any,
    order: int,
    length: Any,
    magnitude: Callable[[Any], Any] | None = None,
    start_dps: int = 0,
) -> MpCheck:
    """Compare an mpmath central difference of ``f`` with ``derivative`` at ``x``.

    Where a derivative is a sum of terms that cancel (dBCE/dp = (1-y)/(1-p) - y/p
    vanishes at p = y), "relative" must mean relative to the size of those terms:
    ``magnitude`` evaluates the sum of their absolute values. Without it the
    comparison is relative to the values themselves.

    Doubling finds the digits that cancellation needs, but not those that
    absorption needs: with sigmoid(-497) ~ 1e-216, ``1 - sigmoid(z)`` is exactly
    1 at any precision under 216 digits and two such precisions agree on a wrong
    value. ``start_dps`` (at least the default 80) is where the caller puts the
    digits its function needs for that (for a logit z: |z| / ln 10 more).

    The precision doubles until the difference quotient at two successive
    precisions agrees far beyond :data:`MP_REL_TOL` (cancellation in f(x+h) - f(x-h)
    needs many digits when f is large and its derivative tiny, as at z = 700).
    ``derivative`` is evaluated at that precision, so its own cancellation is
    resolved too.
    """
    dps = max(_MP_START_DPS, start_dps)
    previous = _mp_difference(f, x, order, length, dps)
    while dps < _MP_MAX_DPS:
        # Doubling, not a few digits more: at too few digits, absorption (1 - sigmoid(-500)
        # is 1) makes two nearby precisions agree on a wrong, tiny value.
        dps *= 2
        current = _mp_difference(f, x, order, length, dps)
        with mpmath.workdps(dps):
            size = abs(magnitude(mpmath.mpf(x))) if magnitude is not None else 0
            scale = max(abs(current), abs(previous), size)
            # Two zeros prove nothing: at too few digits 1 - sigmoid(700) is 0 and so is
            # every difference of f; only agreeing nonzero values settle the precision.
            both_zero = current == 0 and previous == 0
            settled = not both_zero and abs(current - previous) <= scale * MP_REL_TOL**2
        previous = current
        if settled:
            break
    value = _mp_at(derivative, x, dps)
    size = _mp_at(magnitude, x, dps) if magnitude is not None else mpmath.mpf(0)
    return MpCheck(x, dps, previous, value, size)


def modules(backend: str) -> list[Any]:
    """lambdify's ``modules`` for ``"math"`` (float64) or ``"mpmath"``, with the sigmoid."""
    if backend == "math":
        import math

        def sig(t: float) -> float:
            # Two branches so that exp never overflows.
            if t >= 0:
                return 1.0 / (1.0 + math.exp(-t))
            e = math.exp(t)
            return e / (1.0 + e)

        return [{"sigmoid": sig}, "math"]
    return [{"sigmoid": mp_sigmoid}, "mpmath"]


def mp_sigmoid(t: Any) -> Any:
    """The sigmoid in mpmath, carrying enough digits that ``1 - sigmoid(t)`` is exact.

    sigmoid(t) lies e^-t from 1; computed with about t / ln 10 extra digits, the
    later subtraction 1 - sigmoid(t) (correctly rounded by mpmath) loses nothing,
    as ``log(1 - sigmoid(z))`` in BCE needs at z = 700.

    >>> with mpmath.workdps(20):
    ...     print(mpmath.nstr(1 - mp_sigmoid(mpmath.mpf(700)), 5))
    9.8597e-305
    """
    t = mpmath.mpf(t)
    guard = int(abs(t) / 2.302585) + 10
    with mpmath.extradps(guard):
        return 1 / (1 + mpmath.exp(-t))


@lru_cache(maxsize=512)
def float_function(expr: sympy.Expr, var: sympy.Symbol) -> Callable[[float], float]:
    """``expr`` as a float64 function of ``var`` (other symbols must be substituted)."""
    return sympy.lambdify(var, expr, modules=modules("math"))  # type: ignore[no-any-return]


@lru_cache(maxsize=512)
def mp_function(expr: sympy.Expr, var: sympy.Symbol) -> Callable[[Any], Any]:
    """``expr`` as an mpmath function of ``var``, at the caller's working precision."""
    # lossproof's one compiler for mpmath (the numeric sides use it too); imported here,
    # since it takes this module's sigmoid.
    from .compiled import mp_callable

    return mp_callable(expr, (var,))


