r"""Signs of transcendental expressions by branch and bound in arb ball arithmetic.

:func:`decide` answers whether :math:`E > 0`, :math:`E \ge 0` or :math:`E \ne 0` holds
at every point of a box domain (``<`` and ``<=`` by negation). A ``proved`` verdict
carries a *cover*: boxes whose union is the domain, each with the enclosure that decided
it, so that :func:`lossproof.kernel.box_check.recheck` can re-evaluate it with a second,
independent interval implementation. A ``refuted`` verdict carries a rational point of
the domain where an arb enclosure of :math:`E` lies on the wrong side (for ``>`` and
``!=``, where the wrong side includes 0, SymPy's exact evaluation to 0 at the rational
point also confirms it: no enclosure of an exact 0 lies strictly below 0). Counterexamples
are searched for by seeded random sampling in chart coordinates, a pattern search from the
best samples, and the midpoints of boxes that do not decide; then rounded to rationals
with small denominators, confirmed, and simplified coordinate by coordinate.

The arithmetic
--------------
Every interval is ``[lo, hi]`` with two flags saying whether each end is *open*: an open
lower end promises ``E > lo`` on the box, a closed one only ``E >= lo``. Infinite ends are
always open. Endpoints are exact binary numbers; each function value at an endpoint is an
arb ball (rigorous, outward rounded) of which only the lower or upper end is kept, and a
function is applied to an interval through its monotonicity (``exp``, ``log``, ``tanh``,
``sigmoid``... at the two ends; ``cosh``, ``Abs`` and even powers with their minimum at 0).
A value is enclosed at every point of the box where the expression is defined; a partial
function whose argument may leave its domain at a point the box *contains* (``log`` of an
interval reaching 0 from a closed end, a division by an interval that contains 0) makes the
box undecided, never proved.

Open and unbounded ends
-----------------------
Boxes are compact in *chart* coordinates. A variable ranging over all of ℝ is written
``v = log(t) - log(1 - t)`` with ``t ∈ (0, 1)`` (so ``sigmoid(v) = t`` and
``exp(k v + c) = exp(c) (t / (1 - t))**k`` exactly for rational ``k``; ``cosh``, ``sinh``
and ``tanh`` of such an argument are first written with ``exp``); a half line ``[a, ∞)`` is ``v = a + t / (1 - t)``
with ``t ∈ [0, 1)`` (and ``(-∞, b]`` mirrored). The domain's open ends stay open ends of the
chart boxes, and that is what closes them: at ``p ∈ (0, w]`` the interval of ``p`` is open
at 0, ``log(p)`` is ``(-∞, log w]``, ``1/p`` is ``[1/w, ∞)``, and a lower bound that is
reached only in the limit (focal's ``d²/dp²`` at ``y = 0``, ``6p + O(p²)`` as ``p → 0``)
comes out as ``0`` *open*, which proves ``> 0`` on the whole end box. Where that is not
enough, two derivative arguments apply:

* **mean value**: ``E(B) ⊆ E(c) + Σ ∂ᵢE(B) (Bᵢ - cᵢ)`` at the box's midpoint ``c``, for the
  dependency problem near a minimum that comes close to 0;
* **monotone**: if ``∂E/∂v ≥ 0`` on the box (``≤ 0``), ``E`` is at least its value on the
  face at the lower (upper) end of ``v``; the face, a box of one dimension less, is decided
  by its own cover. The face must belong to the domain (a closed end or an interior split),
  so an open end is never reduced to its limit this way. The slope may be read off its
  factored form, which turns an ``∞ - ∞`` at an unbounded end (``exp(z) - z``) into a
  product with a sign.

Before all of these, the expression itself is tried in its *factored* form
(``factor(cancel(together(E)))``), which exposes a factor such as ``t (1 - t)`` that
vanishes at an open end and so closes it; a factored form counts only on boxes where the
given form is defined, so a cancelled singularity proves nothing.

Whatever is left undecided when the budget ends is ``unknown``, with the region named.

>>> import sympy
>>> p = sympy.Symbol("p")
>>> v = decide(p * (1 - p), ">", {p: sympy.Interval.open(0, 1)})
>>> v.status, v.boxes > 0
('proved', True)
>>> decide((p - sympy.Rational(1, 3))**2 - sympy.Rational(1, 10**12), ">",
...        {p: sympy.Interval.open(0, 1)}).counterexample
{p: 1/3}
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

import sympy
from flint import arb, ctx, fmpq

from lossproof.errors import InputError
from lossproof.sigmoid import sigmoid

__all__ = [
    "RELATIONS",
    "CHARTS",
    "Span",
    "Enclosure",
    "Box",
    "Verdict",
    "decide",
    "replay",
    "chart_of",
    "chart_expression",
    "factored_form",
]

#: The relations :func:`decide` accepts; ``<`` and ``<=`` are decided as ``-E >`` / ``-E >=``.
RELATIONS = (">", ">=", "!=", "<", "<=")
#: Chart tags of a :class:`Span`: how its coordinate ``t`` maps to the variable.
CHARTS = ("identity", "logistic", "ray_up", "ray_down")

# Tolerances and budgets, with their reasons.
#: Working precision of arb. 128 bits leave room for a margin of 1e-12 on values of order
#: 1e3 after a few dozen operations; the enclosures stay rigorous at any precision.
PRECISION_BITS = 128
#: Random points tried before branch and bound: a cheap first look for a counterexample.
SAMPLES = 160
#: Pattern-search steps that refine the best samples towards a minimum.
REFINE_STEPS = 120
#: Largest face cover a monotone argument may spend before the box is split instead.
FACE_BUDGET = 64
#: Denominators tried when a float counterexample is rounded to a rational point.
DENOMINATORS = (1, 2, 3, 4, 10, 100, 1000, 10**4, 10**6, 10**9, 10**12, 10**15)
#: Largest expression (SymPy count_ops) handed to factor(): factoring is not interruptible.
FACTOR_MAX_OPS = 600
#: Narrowest box that is still split (chart coordinates); below it a box stays undecided.
MIN_WIDTH = Fraction(1, 2**80)
#: |E| below which a float estimate is worth confirming as an exact zero (for !=).
ZERO_HINT = 1e-9
#: Numbers a confirmed counterexample's coordinates are tried at, simplest first.
SIMPLE_VALUES = (0, 1, Fraction(1, 2), -1, 2, Fraction(1, 4), Fraction(3, 4), 10, -10)
#: Seed of the sampler, so a verdict never depends on the run.
SEED = 20261128

_NINF = -math.inf
_PINF = math.inf
Endpoint = Union[arb, float]  # an exact arb, or ±inf as a float


# --------------------------------------------------------------------------- public data


@dataclass(frozen=True)
class Span:
    """The interval of one variable in a box, in chart coordinates.

    ``lo``/``hi`` are exact rationals of the chart coordinate ``t``; ``chart`` says how
    ``t`` maps to the variable (``identity``: ``v = t``; ``logistic``: ``v = log(t/(1-t))``
    on ``(0, 1)``; ``ray_up``: ``v = a + t/(1-t)``; ``ray_down``: ``v = b - t/(1-t)``, with
    ``a``/``b`` in ``anchor``). ``lo_open``/``hi_open`` say the end is not in the box.
    """

    lo: sympy.Rational
    hi: sympy.Rational
    lo_open: bool = False
    hi_open: bool = False
    chart: str = "identity"
    anchor: sympy.Rational = sympy.Integer(0)


@dataclass(frozen=True)
class Enclosure:
    """Rational bounds of an expression on a box: ``lo < E`` if ``lo_open`` else ``lo <= E``.

    ``lo``/``hi`` may be ``-oo``/``oo`` (then open).
    """

    lo: sympy.Expr
    hi: sympy.Expr
    lo_open: bool = False
    hi_open: bool = False


@dataclass(frozen=True)
class Box:
    """One box of a cover and the argument that decided it.

    ``method`` is ``enclosure`` (``enclosure`` bounds E on the box), ``mean_value`` (the
    same, from the mean-value form at the box's midpoint) or ``monotone`` (``enclosure``
    bounds ``∂E/∂pivot``; E is then at least its value on the face ``face`` covers).
    ``form`` says which expression was evaluated: ``given`` (the charted expression, or for
    ``monotone`` its derivative) or ``factored`` (:func:`factored_form` of it; the given
    form must still evaluate without a possibly undefined operation on the box, so a
    cancelled singularity proves nothing).
    """

    spans: tuple[tuple[sympy.Symbol, Span], ...]
    method: str
    enclosure: Enclosure
    pivot: sympy.Symbol | None = None
    face: tuple[Box, ...] = ()
    form: str = "given"

    def span(self, symbol: sympy.Symbol) -> Span:
        """The span of ``symbol`` in this box."""
        return dict(self.spans)[symbol]


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`decide`.

    ``status`` is ``proved`` (with ``cover``), ``refuted`` (with ``counterexample``, a
    rational point of the domain) or ``unknown`` (``reason`` names what is left).
    ``boxes`` counts every box evaluated, ``seconds`` the wall time.
    """

    status: str
    cover: tuple[Box, ...]
    counterexample: Mapping[sympy.Symbol, sympy.Rational] | None
    reason: str
    boxes: int
    seconds: float


# --------------------------------------------------------------------------- endpoints


class _Undefined(Exception):
    """The expression may be undefined at a point of the box."""


class _Unsupported(Exception):
    """The expression uses something this engine does not evaluate."""


def _isinf(x: Endpoint) -> bool:
    return x.__class__ is float


def _down(ball: arb) -> Endpoint:
    return ball.lower() if ball.is_finite() else _NINF


def _up(ball: arb) -> Endpoint:
    return ball.upper() if ball.is_finite() else _PINF


def _lt(a: Endpoint, b: Endpoint) -> bool:
    if _isinf(a) or _isinf(b):
        if _isinf(a) and _isinf(b):
            return a < b
        return a < 0 if _isinf(a) else b > 0
    return bool(a < b)


def _eq(a: Endpoint, b: Endpoint) -> bool:
    if _isinf(a) or _isinf(b):
        return _isinf(a) and _isinf(b) and a == b
    return bool(a == b)


def _sgn(a: Endpoint) -> int:
    if _isinf(a):
        return 1 if a > 0 else -1
    return 1 if a > 0 else (-1 if a < 0 else 0)


def _is_zero(a: Endpoint) -> bool:
    return not _isinf(a) and a.is_zero()


_ZERO = arb(0)
_ONE = arb(1)


class _Iv:
    """``[lo, hi]`` with open/closed ends; see the module docstring."""

    __slots__ = ("lo", "hi", "lo_open", "hi_open")

    def __init__(self, lo: Endpoint, hi: Endpoint, lo_open: bool, hi_open: bool) -> None:
        self.lo, self.hi = lo, hi
        # An infinite end is never attained.
        self.lo_open = lo_open or _isinf(lo)
        self.hi_open = hi_open or _isinf(hi)

    def zero_attained(self) -> bool:
        lo_s, hi_s = _sgn(self.lo), _sgn(self.hi)
        return (
            (lo_s < 0 < hi_s)
            or (lo_s == 0 and not self.lo_open)
            or (hi_s == 0 and not self.hi_open)
        )


def _const(ball: arb) -> _Iv:
    return _Iv(_down(ball), _up(ball), False, False)


def _add(a: _Iv, b: _Iv) -> _Iv:
    lo = _NINF if _isinf(a.lo) or _isinf(b.lo) else _down(a.lo + b.lo)
    hi = _PINF if _isinf(a.hi) or _isinf(b.hi) else _up(a.hi + b.hi)
    return _Iv(lo, hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def _neg(a: _Iv) -> _Iv:
    # Negating an exact binary number or an infinity is exact.
    return _Iv(-a.hi, -a.lo, a.hi_open, a.lo_open)


def _corner(x: Endpoint, y: Endpoint) -> tuple[Endpoint, Endpoint, bool]:
    """(lower, upper, exact) of the product of two endpoints; 0·∞ = 0 (sets of reals)."""
    if x.__class__ is not float and y.__class__ is not float:
        b = x * y  # finite: arb's product, exact when it fits (0 times anything is)
        return _down(b), _up(b), b.is_exact()
    if _is_zero(x) or _is_zero(y):
        return _ZERO, _ZERO, True
    if _isinf(x) or _isinf(y):
        v = _PINF if _sgn(x) * _sgn(y) > 0 else _NINF
        return v, v, True
    b = x * y
    return _down(b), _up(b), b.is_exact()


def _mul(a: _Iv, b: _Iv) -> _Iv:
    corners = []
    for x, xo in ((a.lo, a.lo_open), (a.hi, a.hi_open)):
        for y, yo in ((b.lo, b.lo_open), (b.hi, b.hi_open)):
            low, high, exact = _corner(x, y)
            corners.append((low, high, exact and not (xo or yo)))
    lo = corners[0][0]
    hi = corners[0][1]
    for low, high, _ in corners[1:]:
        if _lt(low, lo):
            lo = low
        if _lt(hi, high):
            hi = high
    # A bilinear function on a rectangle takes its extremes at corners, or along a whole
    # edge where one factor is 0: an extreme is attained when an exact, attained corner
    # reaches it, or when it is 0 and 0 is attained by a factor.
    zero = a.zero_attained() or b.zero_attained()
    lo_att = any(c[2] and _eq(c[0], lo) for c in corners) or (_is_zero(lo) and zero)
    hi_att = any(c[2] and _eq(c[1], hi) for c in corners) or (_is_zero(hi) and zero)
    return _Iv(lo, hi, not lo_att, not hi_att)


def _recip(a: _Iv) -> _Iv:
    lo_s, hi_s = _sgn(a.lo), _sgn(a.hi)
    if lo_s > 0 or (lo_s == 0 and a.lo_open and hi_s > 0):
        lo = _ZERO if _isinf(a.hi) else _down(_ONE / a.hi)
        hi = _PINF if lo_s == 0 else _up(_ONE / a.lo)
        return _Iv(lo, hi, a.hi_open, a.lo_open)
    if hi_s < 0 or (hi_s == 0 and a.hi_open and lo_s < 0):
        return _neg(_recip(_neg(a)))
    raise _Undefined("division by an interval that contains 0")


class _Fn:
    """A unary function: arb ball at a finite point, limits at ±∞."""

    def __init__(self, ball: Callable[[arb], arb], at_ninf: Endpoint, at_pinf: Endpoint) -> None:
        self.ball, self.at_ninf, self.at_pinf = ball, at_ninf, at_pinf

    def low(self, x: Endpoint) -> Endpoint:
        if _isinf(x):
            return self.at_pinf if x > 0 else self.at_ninf
        return _down(self.ball(x))

    def high(self, x: Endpoint) -> Endpoint:
        if _isinf(x):
            return self.at_pinf if x > 0 else self.at_ninf
        return _up(self.ball(x))


def _increasing(a: _Iv, f: _Fn) -> _Iv:
    return _Iv(f.low(a.lo), f.high(a.hi), a.lo_open, a.hi_open)


def _even(a: _Iv, f: _Fn, at_zero: arb) -> _Iv:
    """An even function increasing on [0, ∞): cosh, Abs, x**(2k)."""
    if _sgn(a.lo) >= 0:
        return _increasing(a, f)
    if _sgn(a.hi) <= 0:
        return _increasing(_neg(a), f)
    left, right = f.high(a.lo), f.high(a.hi)
    if _lt(left, right):
        hi, hi_open = right, a.hi_open
    elif _lt(right, left):
        hi, hi_open = left, a.lo_open
    else:
        hi, hi_open = right, a.lo_open and a.hi_open
    return _Iv(at_zero, hi, False, hi_open)


def _sigmoid_ball(x: arb) -> arb:
    return _ONE / (_ONE + (-x).exp())


_EXP = _Fn(lambda x: x.exp(), _ZERO, _PINF)
_TANH = _Fn(lambda x: x.tanh(), arb(-1), _ONE)
_SINH = _Fn(lambda x: x.sinh(), _NINF, _PINF)
_COSH = _Fn(lambda x: x.cosh(), _PINF, _PINF)
_ABS = _Fn(lambda x: abs(x), _PINF, _PINF)
_SIGMOID = _Fn(_sigmoid_ball, _ZERO, _ONE)
_LOG = _Fn(lambda x: x.log(), _NINF, _PINF)


def _log(a: _Iv) -> _Iv:
    s = _sgn(a.lo)
    if s > 0:
        return _increasing(a, _LOG)
    if s == 0 and a.lo_open and _sgn(a.hi) > 0:
        return _Iv(_NINF, _LOG.high(a.hi), True, a.hi_open)
    raise _Undefined("log of an interval that reaches 0 or below")


def _rpow(a: _Iv, r: Fraction) -> _Iv:
    """``a ** r`` for a non-integer rational ``r``: real only where ``a >= 0``."""
    if r < 0:
        return _recip(_rpow(a, -r))
    if _sgn(a.lo) < 0:
        raise _Undefined("a fractional power of an interval that reaches below 0")
    e = arb(fmpq(r.numerator, r.denominator))
    f = _Fn(lambda x: _ZERO if x.is_zero() else x**e, _ZERO, _PINF)
    return _increasing(a, f)


def _ipow(a: _Iv, n: int) -> _Iv:
    if n < 0:
        return _recip(_ipow(a, -n))
    if n == 0:
        return _const(_ONE)
    f = _Fn(lambda x: x**n, _NINF if n % 2 else _PINF, _PINF)
    return _even(a, f, _ZERO) if n % 2 == 0 else _increasing(a, f)


def _sign(a: _Iv) -> _Iv:
    lo_s, hi_s = _sgn(a.lo), _sgn(a.hi)
    if lo_s > 0 or (lo_s == 0 and a.lo_open):
        return _const(_ONE)
    if hi_s < 0 or (hi_s == 0 and a.hi_open):
        return _const(arb(-1))
    return _Iv(arb(-1), _ONE, False, False)


# --------------------------------------------------------------------------- compiling


class _Program:
    """An expression compiled to a list of interval operations (shared subexpressions once)."""

    def __init__(self, expr: sympy.Expr, symbols: Sequence[sympy.Symbol]) -> None:
        self.symbols = tuple(symbols)
        self.ops: list[tuple[Callable[..., _Iv], tuple[int, ...]]] = []
        self._index: dict[sympy.Expr, int] = {}
        self.root = self._node(expr)

    def _emit(self, fn: Callable[..., _Iv], args: tuple[int, ...]) -> int:
        self.ops.append((fn, args))
        return len(self.ops) - 1

    def _node(self, e: sympy.Expr) -> int:
        if e in self._index:
            return self._index[e]
        i = self._build(e)
        self._index[e] = i
        return i

    def _fold(self, fn: Callable[[_Iv, _Iv], _Iv], args: Sequence[sympy.Expr]) -> int:
        acc = self._node(args[0])
        for a in args[1:]:
            acc = self._emit(fn, (acc, self._node(a)))
        return acc

    def _build(self, e: sympy.Expr) -> int:
        if e.is_Symbol:
            if e not in self.symbols:
                raise _Unsupported(f"symbol {e} has no interval in the box")
            k = self.symbols.index(e)
            return self._emit(lambda env, k=k: env[k], (-1,))
        if e.is_Rational:
            ball = arb(fmpq(int(e.p), int(e.q)))
            return self._emit(lambda env, b=ball: _const(b), (-1,))
        if e.is_Float:
            # The exact binary value of the Float, not a rounding of it to a double.
            q = sympy.Rational(e)
            ball = arb(fmpq(int(q.p), int(q.q)))
            return self._emit(lambda env, b=ball: _const(b), (-1,))
        if e is sympy.pi:
            return self._emit(lambda env: _const(arb.pi()), (-1,))
        if e is sympy.E:
            return self._emit(lambda env: _const(_ONE.exp()), (-1,))
        if e.is_Add:
            return self._fold(_add, e.args)
        if e.is_Mul:
            return self._fold(_mul, e.args)
        if e.is_Pow:
            base, ex = e.args
            if base is sympy.E:
                return self._emit(lambda a: _increasing(a, _EXP), (self._node(ex),))
            if ex.is_Integer:
                return self._emit(lambda a, n=int(ex): _ipow(a, n), (self._node(base),))
            if ex.is_Rational:
                r = Fraction(int(ex.p), int(ex.q))
                return self._emit(lambda a, r=r: _rpow(a, r), (self._node(base),))
            if ex.is_real is False or not ex.free_symbols:
                raise _Unsupported(f"power with exponent {ex} (only real exponents)")
            # A variable exponent: base**ex = exp(ex * log(base)), real where base > 0.
            b, e = self._node(base), self._node(ex)
            logb = self._emit(_log, (b,))
            return self._emit(lambda a: _increasing(a, _EXP), (self._emit(_mul, (e, logb)),))
        unary: dict[Any, Callable[[_Iv], _Iv]] = {
            sympy.exp: lambda a: _increasing(a, _EXP),
            sympy.log: _log,
            sympy.tanh: lambda a: _increasing(a, _TANH),
            sympy.sinh: lambda a: _increasing(a, _SINH),
            sympy.cosh: lambda a: _even(a, _COSH, _ONE),
            sympy.Abs: lambda a: _even(a, _ABS, _ZERO),
            sympy.sign: _sign,
            sigmoid: lambda a: _increasing(a, _SIGMOID),
        }
        if e.func in unary and len(e.args) == 1:
            return self._emit(unary[e.func], (self._node(e.args[0]),))
        raise _Unsupported(f"{e.func.__name__} is not evaluated by the interval engine")

    def __call__(self, env: Sequence[_Iv]) -> _Iv:
        vals: list[_Iv] = []
        for fn, args in self.ops:
            if args == (-1,):
                vals.append(fn(env))
            else:
                vals.append(fn(*[vals[j] for j in args]))
        return vals[self.root]


# --------------------------------------------------------------------------- charts


def _check_supported(expr: sympy.Expr) -> None:
    # Compiling is the check; symbols are checked later against the box.
    _Program(expr, sorted(expr.free_symbols, key=str))


def chart_expression(
    expr: sympy.Expr, symbol: sympy.Symbol, chart: str, anchor: sympy.Rational
) -> sympy.Expr:
    """``expr`` with ``symbol`` replaced by its chart coordinate (the same name).

    >>> z = sympy.Symbol("z")
    >>> chart_expression(sigmoid(z) * sympy.exp(-z), z, "logistic", sympy.Integer(0))
    1 - z
    """
    t = symbol
    if chart == "identity":
        return expr
    if chart == "ray_up":
        return expr.xreplace({symbol: anchor + t / (1 - t)})
    if chart == "ray_down":
        return expr.xreplace({symbol: anchor - t / (1 - t)})
    ratio = t / (1 - t)
    dummy = sympy.Dummy("v")

    def rewrite(e: sympy.Expr) -> sympy.Expr:
        if not e.has(dummy):
            return e
        if e == dummy:
            return sympy.log(t) - sympy.log(1 - t)
        if isinstance(e, sigmoid) and e.args[0] == dummy:
            return t
        if isinstance(e, sigmoid) and e.args[0] == -dummy:
            return 1 - t
        if e.func in (sympy.exp, sympy.cosh, sympy.sinh, sympy.tanh):
            arg = e.args[0]
            k = arg.diff(dummy)
            rest = sympy.expand(arg - k * dummy)
            if k.is_Rational and not rest.has(dummy):
                if e.func is sympy.exp:
                    return sympy.exp(rest) * ratio**k
                # Hyperbolic functions of the line become rational in t, so that
                # factoring can expose what vanishes at t -> 0 or 1.
                return rewrite(e.rewrite(sympy.exp))
        return e.func(*[rewrite(a) for a in e.args])

    # The chart coordinate reuses the variable's name; a dummy keeps the two apart.
    return rewrite(expr.xreplace({symbol: dummy}))


def factored_form(expr: sympy.Expr) -> sympy.Expr | None:
    """``factor(cancel(together(expr)))``, or None when too large to factor in time.

    Factoring exposes a factor that vanishes at an open end (``t*(1 - t)*...``), which
    interval arithmetic with open ends then closes; it is an identity wherever ``expr`` is
    defined.

    >>> t = sympy.Symbol("t")
    >>> factored_form(t / (1 - t) / (1 + t / (1 - t)) - t**2 / (1 - t)**2 / (1 + t / (1 - t))**2)
    -t*(t - 1)
    """
    if sympy.count_ops(expr) > FACTOR_MAX_OPS or not expr.free_symbols:
        return None  # a constant has no factor to expose, and factoring e**(999/1000) terms can take minutes
    return sympy.factor(sympy.cancel(sympy.together(expr)))


def _domain_span(symbol: sympy.Symbol, s: sympy.Set) -> Span:
    if isinstance(s, sympy.FiniteSet) and len(s) == 1:
        (v,) = s.args
        if not v.is_Rational:
            raise InputError(f"point domain {s} of {symbol} is not rational")
        return Span(v, v)
    if not isinstance(s, sympy.Interval):
        raise InputError(f"domain {s} of {symbol} is not an Interval")
    lo, hi = s.start, s.end
    for end in (lo, hi):
        if not (end.is_Rational or end in (sympy.oo, -sympy.oo)):
            raise InputError(f"end {end} of the domain of {symbol} is not rational or ±oo")
    one, zero = sympy.Integer(1), sympy.Integer(0)
    if lo == -sympy.oo and hi == sympy.oo:
        return Span(zero, one, True, True, "logistic")
    if hi == sympy.oo:
        return Span(zero, one, bool(s.left_open), True, "ray_up", lo)
    if lo == -sympy.oo:
        return Span(zero, one, bool(s.right_open), True, "ray_down", hi)
    if not lo < hi:
        raise InputError(f"domain {s} of {symbol} is empty or a point written as an interval")
    return Span(lo, hi, bool(s.left_open), bool(s.right_open))


def chart_of(symbol: sympy.Symbol, s: sympy.Set) -> tuple[str, sympy.Rational]:
    """The chart this engine uses for ``symbol`` on ``s``, and its anchor.

    >>> chart_of(sympy.Symbol("z"), sympy.S.Reals)
    ('logistic', 0)
    """
    span = _domain_span(symbol, s)
    return span.chart, span.anchor


def _check_assumptions(symbol: sympy.Symbol, s: sympy.Set) -> None:
    """Refuse a symbol whose SymPy assumptions contradict its domain.

    SymPy folds expressions by assumptions as they are built (``Abs(n)`` is ``-n`` for a
    negative ``n``), so a domain that goes beyond them would be decided for another
    expression than the one meant.
    """
    lo, hi = s.inf, s.sup
    zero_in = bool(s.contains(0))
    bad = (
        (symbol.is_positive and (lo < 0 or zero_in))
        or (symbol.is_nonnegative and lo < 0)
        or (symbol.is_negative and (hi > 0 or zero_in))
        or (symbol.is_nonpositive and hi > 0)
        or (symbol.is_zero and s != sympy.FiniteSet(0))
        or symbol.is_real is False
        or (symbol.is_integer and not isinstance(s, sympy.FiniteSet))
    )
    if bad:
        raise InputError(f"the assumptions of {symbol} ({symbol.assumptions0}) contradict "
                         f"its domain {s}")


def _chart_to_var(span: Span, t: float) -> float:
    if span.chart == "identity":
        return t
    if span.chart == "logistic":
        return math.log(t) - math.log1p(-t)
    step = t / (1 - t)
    return float(span.anchor) + step if span.chart == "ray_up" else float(span.anchor) - step


# --------------------------------------------------------------------------- conversions


def _to_rational(x: Endpoint) -> sympy.Expr:
    if _isinf(x):
        return sympy.oo if x > 0 else -sympy.oo
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return sympy.Integer(man) * sympy.Integer(2) ** exp


def _enclosure(iv: _Iv) -> Enclosure:
    return Enclosure(_to_rational(iv.lo), _to_rational(iv.hi), iv.lo_open, iv.hi_open)


def _fraction_iv(lo: Fraction, hi: Fraction, lo_open: bool, hi_open: bool) -> _Iv:
    a = arb(fmpq(lo.numerator, lo.denominator))
    b = a if hi == lo else arb(fmpq(hi.numerator, hi.denominator))
    return _Iv(_down(a), _up(b), lo_open, hi_open)


# Internal box: a tuple of (lo, hi, lo_open, hi_open) per variable, in Fractions.
_Raw = tuple[tuple[Fraction, Fraction, bool, bool], ...]


def _q(r: sympy.Rational) -> Fraction:
    return Fraction(int(r.p), int(r.q))


def _positive(iv: _Iv, rel: str) -> bool:
    """Is the enclosure on the right side of ``rel`` (for the signed expression)?"""
    lo_s = _sgn(iv.lo)
    if rel == ">":
        return lo_s > 0 or (lo_s == 0 and iv.lo_open)
    if rel == ">=":
        return lo_s >= 0
    hi_s = _sgn(iv.hi)
    return lo_s > 0 or (lo_s == 0 and iv.lo_open) or hi_s < 0 or (hi_s == 0 and iv.hi_open)


def _wrong_side(iv: _Iv, rel: str) -> bool:
    """Does a point enclosure show the relation fails there?"""
    if rel == ">":
        return _sgn(iv.hi) <= 0
    if rel == ">=":
        return _sgn(iv.hi) < 0
    return _is_zero(iv.lo) and _is_zero(iv.hi)


# --------------------------------------------------------------------------- the search


class _Budget(Exception):
    pass


class _Refuted(Exception):
    def __init__(self, point: dict[sympy.Symbol, sympy.Rational]) -> None:
        super().__init__()
        self.point = point


class _Search:
    """One decision: the compiled programs, the budget, and branch and bound."""

    def __init__(
        self,
        signed: sympy.Expr,
        rel: str,
        symbols: tuple[sympy.Symbol, ...],
        spans: tuple[Span, ...],
        domain: Mapping[sympy.Symbol, sympy.Set],
        max_boxes: int,
        deadline: float,
    ) -> None:
        self.rel, self.symbols, self.spans = rel, symbols, spans
        self.original_expr = signed
        self.domain = domain
        self.max_boxes, self.deadline = max_boxes, deadline
        self.boxes = 0
        # Chart coordinates are fresh real symbols: an assumption on a variable (positive,
        # negative...) must not reach SymPy's rewriting of a coordinate in [0, 1].
        self.coords = tuple(sympy.Dummy(s.name, real=True) for s in symbols)
        charted = signed.xreplace(dict(zip(symbols, self.coords)))
        for coord, span in zip(self.coords, spans):
            charted = chart_expression(charted, coord, span.chart, span.anchor)
        self.charted = charted
        self.program = _Program(charted, self.coords)
        alt = factored_form(charted)
        try:
            self.factored = None if alt is None or alt == charted else _Program(alt, self.coords)
        except _Unsupported:
            self.factored = None
        self.original = _Program(signed, symbols)
        self._grads: dict[int, _Program | None] = {}
        self._factored_grads: dict[int, _Program | None] = {}

    # -- evaluation
    def env(self, raw: _Raw) -> list[_Iv]:
        return [_fraction_iv(*r) for r in raw]

    def grad(self, k: int) -> _Program | None:
        if k not in self._grads:
            try:
                self._grads[k] = _Program(sympy.diff(self.charted, self.coords[k]), self.coords)
            except _Unsupported:
                self._grads[k] = None
        return self._grads[k]

    def factored_grad(self, k: int) -> _Program | None:
        if k not in self._factored_grads:
            alt = factored_form(sympy.diff(self.charted, self.coords[k]))
            try:
                self._factored_grads[k] = None if alt is None else _Program(alt, self.coords)
            except _Unsupported:
                self._factored_grads[k] = None
        return self._factored_grads[k]

    def at_point(self, program: _Program, point: Sequence[Fraction]) -> _Iv | None:
        try:
            return program([_fraction_iv(q, q, False, False) for q in point])
        except _Undefined:
            return None

    # -- one box
    def try_box(self, raw: _Raw, face_depth: int) -> Box | None:
        env = self.env(raw)
        try:
            enc = self.program(env)
        except _Undefined:
            return None
        if _positive(enc, self.rel):
            return self._box(raw, "enclosure", enc)
        if self.factored is not None:
            try:
                alt = self.factored(env)
            except _Undefined:
                alt = None
            if alt is not None and _positive(alt, self.rel):
                return self._box(raw, "enclosure", alt, form="factored")
        mv = self.mean_value(raw, env)
        if mv is not None and _positive(mv, self.rel):
            return self._box(raw, "mean_value", mv)
        if self.rel != "!=" and face_depth < len(raw):
            return self.monotone(raw, env, face_depth)
        return None

    def _box(self, raw: _Raw, method: str, enc: _Iv, pivot: int | None = None,
             face: tuple[Box, ...] = (), form: str = "given") -> Box:
        spans = tuple(
            (sym, Span(sympy.Rational(lo), sympy.Rational(hi), lo_o, hi_o, s.chart, s.anchor))
            for sym, s, (lo, hi, lo_o, hi_o) in zip(self.symbols, self.spans, raw)
        )
        return Box(spans, method, _enclosure(enc),
                   None if pivot is None else self.symbols[pivot], face, form)

    def mean_value(self, raw: _Raw, env: list[_Iv]) -> _Iv | None:
        mid = [(lo + hi) / 2 for lo, hi, _, _ in raw]
        total = self.at_point(self.program, mid)
        if total is None:
            return None
        for k, (lo, hi, _, _) in enumerate(raw):
            if lo == hi:
                continue
            g = self.grad(k)
            if g is None:
                return None
            try:
                slope = g(env)
            except _Undefined:
                return None
            offset = _fraction_iv(lo - mid[k], hi - mid[k], False, False)
            total = _add(total, _mul(slope, offset))
        return _Iv(total.lo, total.hi, False, False)

    def monotone(self, raw: _Raw, env: list[_Iv], face_depth: int) -> Box | None:
        for k, (lo, hi, lo_open, hi_open) in enumerate(raw):
            if lo == hi:
                continue
            g = self.grad(k)
            if g is None:
                continue
            try:
                slope = g(env)  # the given form must be defined on the box
            except _Undefined:
                continue
            end, form = self._direction(slope, lo, hi, lo_open, hi_open), "given"
            if end is None and self.factored_grad(k) is not None:
                # An inf - inf at an end (exp(z) - z as z -> oo) often factors away.
                try:
                    slope = self.factored_grad(k)(env)  # type: ignore[misc]
                except _Undefined:
                    continue
                end, form = self._direction(slope, lo, hi, lo_open, hi_open), "factored"
            if end is None:
                continue
            face_raw = raw[:k] + ((end, end, False, False),) + raw[k + 1:]
            face = self.cover(face_raw, FACE_BUDGET, face_depth + 1)
            if face is not None:
                return self._box(raw, "monotone", slope, k, tuple(face), form)
        return None

    @staticmethod
    def _direction(slope: _Iv, lo: Fraction, hi: Fraction, lo_open: bool, hi_open: bool
                   ) -> Fraction | None:
        """The closed end E decreases towards, if the slope has a sign."""
        if _sgn(slope.lo) >= 0 and not lo_open:
            return lo
        if _sgn(slope.hi) <= 0 and not hi_open:
            return hi
        return None

    # -- branch and bound
    def cover(self, raw: _Raw, budget: int | None, face_depth: int) -> list[Box] | None:
        """Boxes covering ``raw``; None when a face runs out of its own budget.

        Breadth first, so that the boxes left when the budget ends are the small ones
        around what could not be decided, not a trail of easy siblings.
        """
        queue = deque([raw])
        out: list[Box] = []
        stuck: list[_Raw] = []
        spent = 0
        while queue:
            current = queue.popleft()
            if budget is not None and spent >= budget:
                return None
            if self.boxes >= self.max_boxes or time.monotonic() > self.deadline:
                raise _Budget(stuck + [current] + list(queue))
            self.boxes += 1
            spent += 1
            box = self.try_box(current, face_depth)
            if box is not None:
                out.append(box)
                continue
            self.probe(current)
            if max(hi - lo for lo, hi, _, _ in current) < MIN_WIDTH:
                stuck.append(current)
            else:
                queue.extend(_split(current))
        if stuck:
            if budget is not None:
                return None
            raise _Budget(stuck)
        return out

    def probe(self, raw: _Raw) -> None:
        """A box that did not decide: is its midpoint a counterexample?"""
        mid = [(lo + hi) / 2 for lo, hi, _, _ in raw]
        iv = self.at_point(self.program, mid)
        if iv is not None and _wrong_side(iv, self.rel):
            self.confirm([_chart_to_var(s, float(m)) for s, m in zip(self.spans, mid)],
                         exact=[m if s.chart == "identity" else None
                                for s, m in zip(self.spans, mid)])

    # -- counterexamples
    def value(self, point: Sequence[float]) -> float:
        """Float estimate of the signed expression at a chart point (search only)."""
        try:
            iv = self.program([_fraction_iv(Fraction(x), Fraction(x), False, False)
                               for x in point])
        except (_Undefined, ValueError, OverflowError):
            return math.inf
        if _isinf(iv.lo) or _isinf(iv.hi):
            return math.inf
        v = float((iv.lo + iv.hi) / 2)
        return abs(v) if self.rel == "!=" else v

    def sample(self) -> None:
        rng = random.Random(SEED)
        free = [k for k, s in enumerate(self.spans) if s.lo != s.hi]
        if not free and not self.spans:
            return
        pts = []
        for _ in range(SAMPLES):
            pt = []
            for s in self.spans:
                lo, hi = float(s.lo), float(s.hi)
                pt.append(lo if lo == hi else lo + (hi - lo) * rng.uniform(1e-6, 1 - 1e-6))
            pts.append((self.value(pt), pt))
        pts.sort(key=lambda vp: vp[0])
        for v, pt in pts[:3]:
            if v == math.inf:
                break
            best = self.refine(pt, free)
            if self.value(best) > (ZERO_HINT if self.rel == "!=" else 0.0):
                continue  # the estimate is on the right side: nothing to confirm here
            self.confirm([_chart_to_var(s, x) for s, x in zip(self.spans, best)])

    def refine(self, pt: list[float], free: list[int]) -> list[float]:
        best, fbest = list(pt), self.value(pt)
        steps = {k: (float(self.spans[k].hi) - float(self.spans[k].lo)) / 8 for k in free}
        for _ in range(REFINE_STEPS):
            moved = False
            for k in free:
                lo, hi = float(self.spans[k].lo), float(self.spans[k].hi)
                for d in (steps[k], -steps[k]):
                    trial = list(best)
                    trial[k] = min(max(best[k] + d, lo), hi)
                    if not lo < trial[k] < hi:
                        continue
                    f = self.value(trial)
                    if f < fbest:
                        best, fbest, moved = trial, f, True
                        break
            if not moved:
                steps = {k: s / 2 for k, s in steps.items()}
                if all(s < 1e-15 for s in steps.values()):
                    break
        return best

    def confirm(self, point: Sequence[float], exact: Sequence[Fraction | None] | None = None
                ) -> None:
        """Round a point of the original variables to rationals and confirm it with arb."""
        candidates = []
        if exact is not None and all(e is not None for e in exact):
            candidates.append(list(exact))
        for d in DENOMINATORS:
            candidates.append([Fraction(x).limit_denominator(d) if math.isfinite(x) else None
                               for x in point])
        candidates.append([Fraction(x) if math.isfinite(x) else None for x in point])
        for cand in candidates:
            if any(c is None for c in cand) or not self.inside(cand):
                continue
            if self.rel == "!=":
                pt = {s: sympy.Rational(c.numerator, c.denominator)
                      for s, c in zip(self.symbols, cand)}
                if self.signed_expr_zero(pt):
                    raise _Refuted(pt)
                continue
            iv = self.at_point(self.original, cand)
            if iv is not None and _sgn(iv.lo) <= 0 and self.rel == ">":
                # A value exactly 0 has no enclosure strictly below 0; SymPy's automatic
                # evaluation at a rational point is exact, so it can confirm a 0.
                pt = {s: sympy.Rational(c.numerator, c.denominator)
                      for s, c in zip(self.symbols, cand)}
                if self.signed_expr_zero(pt):
                    raise _Refuted(pt)
            if iv is not None and _wrong_side(iv, self.rel):
                raise _Refuted({s: sympy.Rational(c.numerator, c.denominator)
                                for s, c in zip(self.symbols, cand)})

    def simplest(self, point: dict[sympy.Symbol, sympy.Rational]) -> dict[sympy.Symbol,
                                                                          sympy.Rational]:
        """The point with coordinates replaced by simpler numbers where it stays confirmed."""
        def confirmed(pt: dict[sympy.Symbol, sympy.Rational]) -> bool:
            cand = [_q(pt[s]) for s in self.symbols]
            if not self.inside(cand):
                return False
            iv = self.at_point(self.original, cand)
            if iv is not None and _wrong_side(iv, self.rel):
                return True
            return self.rel != ">=" and (iv is None or _sgn(iv.lo) <= 0) and \
                self.signed_expr_zero(pt)

        out = dict(point)
        for s in self.symbols:
            for simple in SIMPLE_VALUES:
                if sympy.Rational(simple) == out[s]:
                    break
                trial = {**out, s: sympy.Rational(simple)}
                if confirmed(trial):
                    out = trial
                    break
        return out

    def signed_expr_zero(self, pt: Mapping[sympy.Symbol, sympy.Rational]) -> bool:
        # SymPy's automatic evaluation at a rational point is exact arithmetic, unless a
        # Float takes part (then a rounded 0.0 could pass for 0).
        if self.original_expr.has(sympy.Float):
            return False
        return self.original_expr.xreplace(dict(pt)) == 0

    def inside(self, point: Sequence[Fraction]) -> bool:
        """Is the point in the original domain (open ends excluded)?"""
        for sym, q in zip(self.symbols, point):
            dom = self.domain[sym]
            if isinstance(dom, sympy.FiniteSet):
                if sympy.Rational(q.numerator, q.denominator) not in dom.args:
                    return False
                continue
            lo, hi = dom.start, dom.end
            if lo != -sympy.oo and (q < _q(lo) or (q == _q(lo) and dom.left_open)):
                return False
            if hi != sympy.oo and (q > _q(hi) or (q == _q(hi) and dom.right_open)):
                return False
        return True


def _split(raw: _Raw) -> list[_Raw]:
    """Bisect the widest span; both halves keep the midpoint (closed there)."""
    k = max(range(len(raw)), key=lambda i: raw[i][1] - raw[i][0])
    lo, hi, lo_open, hi_open = raw[k]
    mid = (lo + hi) / 2
    left = raw[:k] + ((lo, mid, lo_open, False),) + raw[k + 1:]
    right = raw[:k] + ((mid, hi, False, hi_open),) + raw[k + 1:]
    return [right, left]


def _var_text(span: Span, t: Fraction) -> str:
    if t == 0 or t == 1:
        ray = {"logistic": ("-oo", "oo"), "ray_up": (str(span.anchor), "oo"),
               "ray_down": (str(span.anchor), "-oo")}[span.chart]
        return ray[int(t)]
    return f"{_chart_to_var(span, float(t)):.6g}"


def _describe(raw: _Raw, symbols: Sequence[sympy.Symbol], spans: Sequence[Span]) -> str:
    parts = []
    for sym, s, (lo, hi, lo_o, hi_o) in zip(symbols, spans, raw):
        chart = "" if s.chart == "identity" else (
            f" ({s.chart} chart: {sym} ≈ {_var_text(s, lo)}..{_var_text(s, hi)})")
        parts.append(f"{sym} in {'(' if lo_o else '['}{lo}, {hi}{')' if hi_o else ']'}{chart}")
    return ", ".join(parts)


def _summary(cover: Sequence[Box]) -> str:
    """How the boxes were decided, e.g. ``6 enclosure, 2 mean_value; 6 touch an open end``."""
    counts: dict[str, int] = {}
    ends = 0
    for b in cover:
        kind = b.method if b.form == "given" else f"{b.form} {b.method}"
        counts[kind] = counts.get(kind, 0) + 1
        ends += any(sp.lo_open or sp.hi_open for _, sp in b.spans)
    text = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"{text}; {ends} touch an open end" if ends else text


def _question(expr: sympy.Expr, rel: str, box: Mapping[sympy.Symbol, sympy.Set]) -> tuple[tuple[sympy.Symbol, ...], tuple[Span, ...]]:
    """The variables in name order and their spans, once the question is checked well formed
    (shared by the search and the replay of a cover, so that both refuse the same input)."""
    if rel not in RELATIONS:
        raise InputError(f"relation {rel!r} is not one of {', '.join(RELATIONS)}")
    if not isinstance(expr, sympy.Expr):
        # Text is never parsed here (no sympify): the caller passes an expression.
        raise InputError(f"expression {expr!r} is not a SymPy expression")
    symbols = tuple(sorted(box, key=lambda s: s.name))
    spans = tuple(_domain_span(s, box[s]) for s in symbols)
    for s in symbols:
        _check_assumptions(s, box[s])
    return symbols, spans


def decide(
    expr: sympy.Expr,
    rel: str,
    box: Mapping[sympy.Symbol, sympy.Set],
    *,
    max_boxes: int = 20000,
    time_limit: float = 10.0,
) -> Verdict:
    """Decide ``expr rel 0`` at every point of ``box`` (one Interval per symbol).

    Args:
        expr: built from + - * /, rational powers, log, exp, sqrt, Abs, sign, cosh, sinh,
            tanh, sigmoid and the symbols of ``box``.
        rel: one of :data:`RELATIONS`.
        box: the domain, an ``Interval`` (open, closed, unbounded) or a one-point
            ``FiniteSet`` per symbol.
        max_boxes: most boxes evaluated before giving up (``unknown``).
        time_limit: most seconds before giving up (``unknown``).

    Returns:
        A :class:`Verdict`.

    Raises:
        InputError: ``rel`` unknown, ``expr`` not a SymPy expression, a domain that is
            not a rational interval, or one that a symbol's assumptions contradict.

    >>> x = sympy.Symbol("x")
    >>> decide(sympy.exp(x) - x - 1 + sympy.Rational(1, 1000), ">", {x: sympy.S.Reals}).status
    'proved'
    """
    start = time.monotonic()
    symbols, spans = _question(expr, rel, box)
    signed = -expr if rel in ("<", "<=") else expr
    core = {"<": ">", "<=": ">="}.get(rel, rel)

    def verdict(status: str, reason: str, cover: tuple[Box, ...] = (),
                point: Mapping[sympy.Symbol, sympy.Rational] | None = None,
                boxes: int = 0) -> Verdict:
        return Verdict(status, cover, point, reason, boxes, time.monotonic() - start)

    missing = expr.free_symbols - set(symbols)
    if missing:
        return verdict("unknown", f"no interval for {', '.join(sorted(map(str, missing)))}")
    old = ctx.prec
    ctx.prec = PRECISION_BITS
    try:
        try:
            search = _Search(signed, core, symbols, spans, box, max_boxes,
                             start + time_limit)
        except _Unsupported as exc:
            return verdict("unknown", str(exc))
        raw: _Raw = tuple((_q(s.lo), _q(s.hi), s.lo_open, s.hi_open) for s in spans)
        try:
            search.sample()
            cover = search.cover(raw, None, 0)
        except _Refuted as r:
            return verdict("refuted", "counterexample confirmed by an arb enclosure",
                           point=search.simplest(r.point), boxes=search.boxes)
        except _Budget as b:
            left = b.args[0]
            region = "; ".join(_describe(r, symbols, spans) for r in left[:3])
            more = f" and {len(left) - 3} more" if len(left) > 3 else ""
            if search.boxes >= max_boxes:
                why = "box budget"
            elif time.monotonic() > start + time_limit:
                why = "time limit"
            else:
                why = f"boxes narrower than 2**-{MIN_WIDTH.denominator.bit_length() - 1}"
            return verdict("unknown", f"{why} reached with {len(left)} boxes left: "
                           f"{region}{more}", boxes=search.boxes)
        # The top level has no face budget, so cover is a list here.
        boxes = tuple(cover or [])
        return verdict("proved", f"{len(boxes)} boxes decided {core} 0 ({_summary(boxes)})",
                       cover=boxes, boxes=search.boxes)
    finally:
        ctx.prec = old


# --------------------------------------------------------------------------- a given cover


class _Rejected(Exception):
    """A given cover does not replay; the message says why."""


def _arb_of(x: sympy.Expr, low: bool) -> Endpoint:
    if x == sympy.oo:
        return _PINF
    if x == -sympy.oo:
        return _NINF
    if not isinstance(x, sympy.Rational):
        raise _Rejected(f"enclosure end {x} is not a rational or ±oo")
    ball = arb(fmpq(int(x.p), int(x.q)))
    return _down(ball) if low else _up(ball)


def _meets(enc: Enclosure, iv: _Iv) -> bool:
    """Do the recorded enclosure and a recomputed one share a point (closures)?"""
    lo, hi = _arb_of(enc.lo, True), _arb_of(enc.hi, False)
    return not (_lt(hi, iv.lo) or _lt(iv.hi, lo))


def _within(side: tuple[Fraction, Fraction, bool, bool], region: tuple[Fraction, Fraction, bool, bool]) -> bool:
    lo, hi, lo_o, hi_o = side
    rlo, rhi, rlo_o, rhi_o = region
    if lo > hi or (lo == hi and (lo_o or hi_o)):
        return False
    low_ok = lo > rlo or (lo == rlo and (lo_o or not rlo_o))
    high_ok = hi < rhi or (hi == rhi and (hi_o or not rhi_o))
    return low_ok and high_ok


def replay(
    expr: sympy.Expr,
    rel: str,
    box: Mapping[sympy.Symbol, sympy.Set],
    cover: Sequence[Box],
    *,
    max_boxes: int = 20000,
    time_limit: float = 10.0,
) -> tuple[bool, str]:
    """Evaluate a given ``cover`` of ``expr rel 0`` on ``box`` in arb, with no search.

    The charts are this module's, from ``box`` (a span in another chart is rejected).
    Each box must lie in the domain; its recorded method is evaluated again on it
    (``enclosure`` of the given or factored form, ``mean_value``, ``monotone`` with its
    face cover), the result must be on the right side of ``rel`` and meet the recorded
    enclosure, and so must the value at the box's midpoint (an enclosure is never
    accepted where no value of the expression lies). That the boxes' union is the whole domain is checked by
    :func:`lossproof.kernel.box_check.recheck`, the other side; a step is proved only when
    both accept the cover.

    Returns:
        ``(True, "ok: N boxes")`` or ``(False, reason)``.

    >>> p = sympy.Symbol("p")
    >>> dom = {p: sympy.Interval.open(0, 1)}
    >>> replay(p * (1 - p), ">", dom, decide(p * (1 - p), ">", dom).cover)
    (True, 'ok: 1 boxes')
    """
    start = time.monotonic()
    symbols, spans = _question(expr, rel, box)
    if expr.free_symbols - set(symbols):
        return False, "the expression has a variable without an interval"
    signed = -expr if rel in ("<", "<=") else expr
    core = {"<": ">", "<=": ">="}.get(rel, rel)
    old = ctx.prec
    ctx.prec = PRECISION_BITS
    count = 0
    try:
        try:
            search = _Search(signed, core, symbols, spans, box, max_boxes, start + time_limit)
        except _Unsupported as exc:
            return False, str(exc)

        def raw_of(b: Box) -> _Raw:
            given = dict(b.spans)
            if set(given) != set(symbols) or len(b.spans) != len(symbols):
                raise _Rejected(f"box variables {sorted(map(str, given))} are not the domain's")
            out = []
            for sym, dom in zip(symbols, spans):
                s = given[sym]
                if s.chart != dom.chart or (dom.chart != "identity" and s.anchor != dom.anchor):
                    raise _Rejected(f"box chart {s.chart} of {sym} is not the domain's {dom.chart}")
                if not (isinstance(s.lo, sympy.Rational) and isinstance(s.hi, sympy.Rational)):
                    raise _Rejected(f"span of {sym} is not rational")
                out.append((_q(s.lo), _q(s.hi), bool(s.lo_open), bool(s.hi_open)))
            return tuple(out)

        def volume(raw: _Raw) -> Fraction:
            out = Fraction(1)
            for lo, hi, _, _ in raw:
                out *= (hi - lo) if hi != lo else 1  # a fixed coordinate (a face) counts 1
            return out

        def check(boxes: Sequence[Box], region: _Raw, depth: int) -> None:
            nonlocal count
            if len(boxes) > max_boxes:
                raise _Rejected(f"more than {max_boxes} boxes")
            # Bisection covers tile the region: their volumes add up to its volume. Checked
            # before any evaluation, so a box repeated or removed costs no arithmetic.
            # (That the union is the region is box_check's exact check.)
            if sum((volume(raw_of(b)) for b in boxes), Fraction(0)) != volume(region):
                raise _Rejected("the boxes' volumes do not add up to the domain's: a box missing, repeated or overlapping")
            for b in boxes:
                count += 1
                if count > max_boxes:
                    raise _Rejected(f"more than {max_boxes} boxes")
                if time.monotonic() > start + time_limit:
                    raise _Rejected(f"time limit of {time_limit:g} s")
                raw = raw_of(b)
                where = _describe(raw, symbols, spans)
                if not all(_within(side, reg) for side, reg in zip(raw, region)):
                    raise _Rejected(f"box {where} is not inside the domain")
                env = search.env(raw)
                try:
                    given = search.program(env)  # the given form must be defined on the box
                except _Undefined:
                    raise _Rejected(f"the expression may be undefined on {where}") from None
                if b.method == "monotone":
                    check_monotone(b, raw, env, depth, where)
                    continue
                if b.method == "enclosure" and b.form == "given":
                    again: _Iv | None = given
                elif b.method == "enclosure" and b.form == "factored":
                    if search.factored is None:
                        raise _Rejected("no factored form to evaluate")
                    try:
                        again = search.factored(env)
                    except _Undefined:
                        again = None
                elif b.method == "mean_value" and b.form == "given":
                    again = search.mean_value(raw, env)
                else:
                    raise _Rejected(f"unknown method {b.method!r} on form {b.form!r}")
                if again is None or not _positive(again, core):
                    raise _Rejected(f"arb does not decide {core} 0 on {where}")
                if not _meets(b.enclosure, again):
                    raise _Rejected(f"recorded enclosure on {where} misses arb's")
                # An enclosure unbounded above meets any [big, oo): the value at the
                # midpoint must lie in the recorded one too, or no value of E is there.
                at_mid = search.at_point(search.program, [(lo + hi) / 2 for lo, hi, _, _ in raw])
                if at_mid is None or not _meets(b.enclosure, at_mid):
                    raise _Rejected(f"recorded enclosure on {where} misses arb's value at the midpoint")

        def check_monotone(b: Box, raw: _Raw, env: list[_Iv], depth: int, where: str) -> None:
            if b.pivot not in symbols or depth >= len(symbols) or core == "!=":
                raise _Rejected(f"monotone argument on {where} is not one this engine makes")
            k = symbols.index(b.pivot)
            prog = search.grad(k) if b.form == "given" else search.factored_grad(k) if b.form == "factored" else None
            if prog is None or search.grad(k) is None:
                raise _Rejected(f"no slope in {b.pivot} to evaluate on {where}")
            try:
                search.grad(k)(env)  # type: ignore[misc]  # the given slope must be defined
                slope = prog(env)
            except _Undefined:
                raise _Rejected(f"the slope may be undefined on {where}") from None
            lo, hi, lo_open, hi_open = raw[k]
            end = search._direction(slope, lo, hi, lo_open, hi_open)
            if end is None or lo == hi:
                raise _Rejected(f"no sign of the slope in {b.pivot} towards a closed end on {where}")
            if not _meets(b.enclosure, slope):
                raise _Rejected(f"recorded slope on {where} misses arb's")
            check(b.face, raw[:k] + ((end, end, False, False),) + raw[k + 1:], depth + 1)

        region: _Raw = tuple((_q(s.lo), _q(s.hi), s.lo_open, s.hi_open) for s in spans)
        try:
            check(cover, region, 0)
        except _Rejected as exc:
            return False, str(exc)
        except (AttributeError, TypeError, KeyError, ValueError, ZeroDivisionError) as exc:
            return False, f"malformed cover: {type(exc).__name__}"
        if not cover:
            return False, "empty cover"
        return True, f"ok: {count} boxes"
    finally:
        ctx.prec = old
