r"""Checking that two expressions are equal on a domain, in two independent ways.

1. Symbolically, by SymPy: with every ``sigmoid(u)`` replaced by a fresh symbol,
   a difference that is a rational function is decided exactly by ``cancel``;
   otherwise the difference, rewritten to ``exp`` and with logarithms expanded,
   must simplify to 0. Expanding ``log(a*b)`` needs ``a, b > 0``: those log
   arguments are returned as side conditions for the caller to prove.
2. Numerically: at random rational points inside the domain the difference is
   evaluated exactly (rational functions) or with mpmath at 60 significant
   digits (where log or exp remain), and must vanish.

An identity holds only when both agree.

>>> from sympy import Interval, Symbol
>>> p = Symbol("p")
>>> check_identity(1/p + 1/(1 - p), 1/(p*(1 - p)), {p: Interval.open(0, 1)}).holds
True
>>> check_identity(1/p, 1/(1 - p), {p: Interval.open(0, 1)}).holds
False
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy
from sympy import Dummy, Interval, Rational, Symbol, cancel, expand_log, log, oo, simplify
from sympy.polys.fields import sfield
from sympy.polys.polyerrors import BasePolynomialError

from .compiled import mp_callable
from .numeric import mp_sigmoid
from .settings import current
from .sigmoid import sigmoid
from .timeout import ResourceLimitExceeded

__all__ = ["IdentityCheck", "TooWide", "check_identity", "lowest_terms", "mp_compiled", "name_sigmoids", "sample_points", "NUMERIC_DIGITS"]

#: Digits of the numeric check; the difference must be below 10**-(NUMERIC_DIGITS - 15)
#: relative: 15 digits of head-room for cancellation in a sum of a few dozen terms.
NUMERIC_DIGITS = 60
_NUMERIC_TOL = sympy.Float(10) ** -(NUMERIC_DIGITS - 15)
#: Unbounded intervals are sampled on this finite window.
_WINDOW = 20


@dataclass(frozen=True)
class IdentityCheck:
    """The outcome of :func:`check_identity`.

    Attributes:
        symbolic: SymPy reduced the difference to 0.
        numeric: the difference vanished at every sample point.
        points: how many points were evaluated.
        side_conditions: log arguments that must be positive on the domain for
            the symbolic check to be valid (empty for rational identities).
    """

    symbolic: bool
    numeric: bool
    points: int
    side_conditions: tuple[sympy.Expr, ...] = ()

    @property
    def holds(self) -> bool:
        """Both checks passed."""
        return self.symbolic and self.numeric


def _interior_rational(interval: Interval, rng: random.Random) -> Rational:
    lo = interval.start if interval.start != -oo else -_WINDOW
    hi = interval.end if interval.end != oo else _WINDOW
    lo_f, hi_f = Fraction(str(lo)), Fraction(str(hi))
    # A denominator of 97..997 gives points that are generic (no accidental zeros of
    # low-degree factors) but still exact.
    den = rng.randrange(97, 998)
    k = rng.randrange(1, den)
    return Rational(lo_f + (hi_f - lo_f) * Fraction(k, den))


def sample_points(
    domain: Mapping[Symbol, Interval], count: int, seed: int = 0
) -> list[dict[Symbol, Rational]]:
    """Deterministic random rational points strictly inside ``domain``.

    >>> from sympy import Symbol
    >>> p = Symbol("p")
    >>> pts = sample_points({p: Interval.open(0, 1)}, 3, seed=1)
    >>> len(pts), all(0 < pt[p] < 1 for pt in pts), pts == sample_points({p: Interval.open(0, 1)}, 3, seed=1)
    (3, True, True)
    """
    # Fresh dicts each call (callers may extend a point); the points themselves come
    # from a per-process memo, since one run draws the same points hundreds of times.
    return [dict(pt) for pt in _points(tuple(domain.items()), count, seed)]


@lru_cache(maxsize=512)
def _points(
    items: tuple[tuple[Symbol, Interval], ...], count: int, seed: int
) -> tuple[tuple[tuple[Symbol, Rational], ...], ...]:
    # A pure function of its arguments: the same seed gives the same points in every run.
    rng = random.Random(seed)
    return tuple(tuple((s, _interior_rational(i, rng)) for s, i in items) for _ in range(count))


def name_sigmoids(expr: sympy.Expr) -> tuple[sympy.Expr, dict[sympy.Expr, Symbol]]:
    """``expr`` with every ``sigmoid(u)`` replaced by a fresh symbol, and that naming.

    The one place lossproof turns the sigmoid into a variable in (0, 1): the identity
    check, the canonical form and the proof engines all read sigmoid(z) as such a value.
    """
    atoms = sorted(expr.atoms(sigmoid), key=sympy.default_sort_key)
    names = {a: Dummy(f"s{i}") for i, a in enumerate(atoms)}
    return expr.xreplace(names), names


def _is_rational_function(expr: sympy.Expr) -> bool:
    return all(expr.is_rational_function(s) for s in expr.free_symbols) and not expr.atoms(
        sympy.Function
    )


def lowest_terms(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    """``expr`` as numerator and denominator in lowest terms, ``expr = num/den`` exactly, as
    polynomials in its generators (symbols, and atoms such as logs taken as variables).

    Computed in SymPy's sparse rational function field (on flint's integers): the same as
    ``fraction(cancel(together(expr)))``, which it falls back to where the field cannot
    take the expression, but ``together`` took most of a second on a 500-operation sum of
    fractions that the field reduces in a tenth. The identity check and the Z3 engine
    both clear denominators with it.

    >>> y = Symbol("y")
    >>> lowest_terms(1 / y - 1 / (y + 1))
    (1, y**2 + y)
    """
    try:
        _, value = sfield(expr)
    except (BasePolynomialError, NotImplementedError, TypeError, ValueError, ZeroDivisionError):
        return sympy.fraction(cancel(sympy.together(expr)))
    return value.numer.as_expr(), value.denom.as_expr()


def _cancels(expr: sympy.Expr) -> bool:
    """``expr`` is 0 as a rational function of its generators: then it is 0 wherever it
    is defined.

    >>> y = Symbol("y")
    >>> _cancels(log(y) / (1 - y) - log(y) / (1 - y)), _cancels(1 / y - 1 / (y + 1))
    (True, False)
    """
    try:
        return bool(lowest_terms(expr)[0] == 0)
    except (sympy.PolynomialError, TypeError, ValueError):
        return False


def _symbolic_zero(diff: sympy.Expr) -> tuple[bool, tuple[sympy.Expr, ...]]:
    plain, names = name_sigmoids(diff)
    if _is_rational_function(plain):
        if _cancels(plain):
            return True, ()
        # Named, each sigmoid(u) is a variable of its own: exact where they are unrelated
        # (distinct symbols u), but sigmoid(log(a)) is a/(1 + a) and sigmoid(-z) is
        # 1 - sigmoid(z), which only the form in exp below can see.
        arguments = [a.args[0] for a in names]
        if all(u.is_Symbol for u in arguments):
            return False, ()
    rewritten = diff.rewrite(sympy.exp)
    side = tuple(sorted({a.args[0] for a in rewritten.atoms(log)}, key=sympy.default_sort_key))
    if sympy.expand(rewritten) == 0:
        return True, ()
    # Splitting log(a*b) into log(a) + log(b) is what most log identities need; it is
    # valid where every log argument is positive, which the caller must prove (side).
    expanded = sympy.expand(expand_log(rewritten, force=True))
    if expanded == 0:
        return True, side
    # A rational function of its atoms (logs, signs, |u| taken as independent symbols)
    # that cancels to 0 is 0 wherever it is defined: cheap, and exact, before simplify.
    if _cancels(rewritten):
        return True, ()
    if _cancels(expanded):
        return True, side
    if simplify(rewritten) == 0:
        return True, ()
    return simplify(expanded) == 0, side


def _numeric_zero(lhs: sympy.Expr, rhs: sympy.Expr, point: Mapping[Symbol, Rational]) -> bool:
    if _is_rational_function(lhs) and _is_rational_function(rhs):
        # Exact: a rational function at a rational point is a rational number.
        return _exact_zero(lhs, rhs, point)
    args = tuple(sorted(point, key=str))
    f, g = mp_compiled(lhs, args), mp_compiled(rhs, args)
    if f is not None and g is not None:
        verdict = _mp_zero(f, g, [point[a] for a in args])
        if verdict is not None:
            return verdict
    return _evalf_zero(lhs, rhs, point)


def _exact_zero(lhs: sympy.Expr, rhs: sympy.Expr, point: Mapping[Symbol, Rational]) -> bool:
    exact = lhs.xreplace(point) - rhs.xreplace(point)
    return bool(exact.is_Rational and exact == 0)


@lru_cache(maxsize=1024)
def mp_compiled(expr: sympy.Expr, args: tuple[Symbol, ...]):  # noqa: ANN202 - an mpmath callable or None
    """``expr`` compiled for mpmath once (one run evaluates it at many points), or None
    where it cannot be compiled (SymPy's evalf is then the caller's to use).

    The identity check's numeric side and the sampling of a sign step use it. Its sigmoid,
    exp, cosh and sinh decline arguments too large to evaluate in reasonable time by
    raising a ``ValueError`` (:class:`TooWide`): that point is then evalf's.
    """
    try:
        return mp_callable(expr, args, _MP_NAMESPACE)
    except (ResourceLimitExceeded, MemoryError):
        raise  # a limit of the caller's, never a printer failure (and not to be cached)
    except Exception:  # noqa: BLE001 - any printer failure: fall back to evalf
        return None


#: Largest |u| whose sigmoid(u) the mpmath side evaluates. :func:`numeric.mp_sigmoid`
#: carries |u| / ln 10 extra digits (so that 1 - sigmoid(u) is exact): a few ms at 10**4,
#: 21 s at 10**6, and sigmoid(exp(z)) reaches exp(20) on z's window. Past the bound the
#: point goes to evalf, as every point did before the mpmath side existed.
_MP_SIGMOID_MAX = 10**4


class TooWide(ValueError):
    """An argument of sigmoid, exp, cosh or sinh past its bound: the point is left to evalf."""


def _mp_sigmoid(t: object) -> object:
    """:func:`numeric.mp_sigmoid`, declining arguments past :data:`_MP_SIGMOID_MAX`.

    >>> with mpmath.workdps(20):
    ...     print(mpmath.nstr(_mp_sigmoid(mpmath.mpf(0)), 5))
    0.5
    """
    if abs(t) > _MP_SIGMOID_MAX:  # type: ignore[operator]
        raise TooWide(t)
    return mp_sigmoid(t)


#: Largest |u| whose exp(u) (cosh, sinh) the mpmath side evaluates: exp(u) reduces u
#: modulo log 2 to log2(u) bits more than its precision, 20 ms at u = 10**10000 and
#: without end at exp(exp(20)) = 10**(2*10**8), where exp(exp(exp(z))) leads on z's window.
_MP_EXP_MAX = mpmath.mpf(10) ** 100


def _bounded(function: object) -> object:
    def bounded(t: object) -> object:
        if abs(t) > _MP_EXP_MAX:  # type: ignore[operator]
            raise TooWide(t)
        return function(t)  # type: ignore[operator]

    return bounded


#: The names lambdify's mpmath code looks up before mpmath's own.
_MP_NAMESPACE = {"sigmoid": _mp_sigmoid, **{name: _bounded(getattr(mpmath, name)) for name in ("exp", "cosh", "sinh")}}


#: Working digits of the mpmath evaluation: 20 beyond those the tolerance counts, for
#: the rounding of the point and of each operation along the way.
_MP_DPS = NUMERIC_DIGITS + 20
_MP_TOL = mpmath.mpf(10) ** -(NUMERIC_DIGITS - 15)


#: Most digits the mpmath side climbs to before it leaves a point to evalf.
_MP_MAX_DPS = 8 * _MP_DPS


class _NotANumber(Exception):
    """A side evaluated to a SymPy object or a boolean: not a number at this point."""


def _mp_pair(f, g, values: list[Rational], dps: int) -> tuple[mpmath.mpf, mpmath.mpf]:  # noqa: ANN001
    with mpmath.workdps(dps):
        xs = [mpmath.mpf(int(v.p)) / int(v.q) for v in values]
        a, b = f(*xs), g(*xs)
        if not all(isinstance(v, (mpmath.mpf, mpmath.mpc)) or isinstance(v, (int, float)) for v in (a, b)):
            raise _NotANumber
        return mpmath.mpmathify(a), mpmath.mpmathify(b)


def _undefined(*values: mpmath.mpf) -> bool:
    return any(mpmath.isnan(v) or mpmath.isinf(v) for v in values)


def _close(a: mpmath.mpf, b: mpmath.mpf, scale: mpmath.mpf) -> bool:
    return bool(abs(a - b) <= _MP_TOL * max(scale, 1))


def _settled(low: mpmath.mpf, high: mpmath.mpf, scale: mpmath.mpf) -> bool:
    # Two zeros settle nothing: a difference whose cancellation exceeds the digits is
    # exactly 0 at each of them (cosh(z)^2 - sinh(z)^2 at z = 300, at 80 and 160 digits).
    return _close(low, high, scale) and not (low == 0 and high == 0)


def _mp_zero(f, g, values: list[Rational]) -> bool | None:  # noqa: ANN001 - compiled callables
    """Whether f and g agree at the point to the tolerance, evaluated by mpmath at
    :data:`_MP_DPS` digits; None when the evaluation failed in a way evalf may not.

    "Not equal" is said only of values that stay the same at twice the digits (and are
    not 0 at both): inside a side, cancellation can lose any number of them (cosh(z)^2 -
    sinh(z)^2 at z = 300 loses 260, and two equal sides then differ), so the digits are
    doubled until both sides settle, up to :data:`_MP_MAX_DPS`, after which the point is
    evalf's.
    """
    try:
        dps = _MP_DPS
        a, b = _mp_pair(f, g, values, dps)
        if _undefined(a, b):
            return False  # undefined at the point, as evalf's zoo or nan
        if _close(a, b, max(abs(a), abs(b))):
            return True
        while dps < _MP_MAX_DPS:
            dps *= 2
            a2, b2 = _mp_pair(f, g, values, dps)
            if _undefined(a2, b2):
                return None
            scale = max(abs(a2), abs(b2))
            if _settled(a, a2, scale) and _settled(b, b2, scale):
                return _close(a2, b2, scale)  # both settled: their difference is real
            a, b = a2, b2
        return None
    except _NotANumber:
        return None  # a SymPy object or a boolean came back: not a number here
    except ZeroDivisionError:
        return False  # a pole at the point: not equal there
    except (ResourceLimitExceeded, MemoryError):
        # The caller's time or memory limit (raised once, by a one-shot timer): swallowed
        # here, the check would run on past it in evalf, unbounded.
        raise
    except Exception:  # noqa: BLE001 - NameError, TypeError, TooWide, ...: leave it to evalf
        return None


def _evalf_zero(lhs: sympy.Expr, rhs: sympy.Expr, point: Mapping[Symbol, Rational]) -> bool:
    a = lhs.xreplace(point)
    b = rhs.xreplace(point)
    exact = a - b
    if exact.is_Rational:
        return exact == 0
    av = sympy.N(a, NUMERIC_DIGITS)
    bv = sympy.N(b, NUMERIC_DIGITS)
    if not (av.is_number and bv.is_number) or av.has(sympy.zoo, sympy.nan):
        return False
    scale = max(abs(av), abs(bv), 1)
    return bool(abs(av - bv) <= _NUMERIC_TOL * scale)


def check_identity(
    lhs: sympy.Expr,
    rhs: sympy.Expr,
    domain: Mapping[Symbol, Interval],
    *,
    points: int | None = None,
    seed: int = 0,
) -> IdentityCheck:
    """Check ``lhs == rhs`` for every point of ``domain``, symbolically and numerically.

    Args:
        lhs, rhs: the two sides, SymPy expressions in the domain's symbols.
        domain: each free symbol's interval; symbols missing here are an error.
        points: how many random rational points the numeric check uses (default:
            the settings' ``identity_points``).
        seed: seed of those points, so that a check is reproducible.

    Returns:
        An :class:`IdentityCheck`; ``holds`` is true only if both checks pass.

    Raises:
        ValueError: a free symbol has no interval in ``domain``.
    """
    free = (lhs.free_symbols | rhs.free_symbols) - set(domain)
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise ValueError(f"no domain given for {names}")
    count = current().identity_points if points is None else points
    return _cached_check(lhs, rhs, tuple(sorted(domain.items(), key=lambda kv: str(kv[0]))), count, seed)


@lru_cache(maxsize=1024)
def _cached_check(
    lhs: sympy.Expr, rhs: sympy.Expr, domain_items: tuple[tuple[Symbol, Interval], ...], points: int, seed: int
) -> IdentityCheck:
    # A pure function of its arguments: the same identity is asked for by derive and
    # again by the proof steps that cite the derivative, in one process.
    domain = dict(domain_items)
    symbolic, side = _symbolic_zero(lhs - rhs)
    pts = sample_points(domain, points, seed)
    numeric = all(_numeric_zero(lhs, rhs, pt) for pt in pts)
    return IdentityCheck(symbolic, numeric, len(pts), side)
