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
- a value is enclosed in an arb ball (python-flint's rigorous interval arithmetic, the
  kernel's interval engine's too; :func:`_compile_ball`) at that precision plus 64 bits,
  and returned only where a ball proves it: within ``2^-BALL_BITS = 2^-133`` relative of
  the exact value and on the exact value's side of every power of two (the side fixes
  the ulp), or exactly. The radius is a proof, where a second evaluation is not: every
  rounding of every operation is accounted for in it, with nothing assumed. In order:

  1. the first ball (:func:`_decided`): tight and holding no power of two, exact (radius
     0: ``sigmoid(0) = 1/2``), or wholly below :data:`NEGLIGIBLE`;
  2. a rational quantity (``grad_p`` of bce) is evaluated exactly (:func:`_rational`):
     ``-1/p`` at ``p = 2^-1074`` is ``-2^1074``, which no ball of a division proves;
  3. at ``|z| >= 64`` the limit at ``t = e^-|z| = 0`` and the sign of the derivative in
     ``t`` (:func:`_far`): ``sigmoid(z) - 1`` at ``z = -1e300`` is above -1, which no
     precision reaches;
  4. the precision doubled up to :data:`BALL_MAX_BITS` until a ball decides:
     ``sigmoid(z) - 1/2`` at ``z = 2^-300`` is ``z/4``, not 0;
  5. else :data:`UNDECIDED`: the point is not measured, and counted as such.

  The value the mpmath path gives (:meth:`Truth.by_mpmath`: two evaluations at two
  precisions that agree to :data:`AGREE_BITS` bits beyond float64's, the truth before the
  ball) is kept wherever the deciding ball proves it, so that the audits print what they
  printed where it was right. Where it was not (two evaluations that share a cancellation
  agree on a false zero, or on a value in the wrong binade), the ball's value replaces it.
  An expression the ball compiler cannot enclose (a function it does not know) is left to
  the mpmath path's agreement: evidence, not proof (no catalog loss has one).

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
from typing import Any

import mpmath
import sympy
from flint import arb, ctx, fmpq
from mpmath.libmp import fone as _fone
from mpmath.libmp import from_float as _from_float
from mpmath.libmp import fzero as _fzero
from mpmath.libmp import mpf_abs as _mpf_abs
from mpmath.libmp import mpf_div as _mpf_div
from mpmath.libmp import mpf_frexp as _mpf_frexp
from mpmath.libmp import mpf_pos as _mpf_pos
from mpmath.libmp import mpf_shift as _mpf_shift
from mpmath.libmp import mpf_sub as _mpf_sub
from mpmath.libmp import to_float as _to_float

from ..derive import derive, kinks
from ..errors import IdentityError, InputError
from ..identity import check_identity
from ..losses import Loss, p, y, z
from ..sigmoid import sigmoid
from .names import QUANTITIES

__all__ = ["QUANTITIES", "Truth", "quantity_expr", "ulps", "ulps_by_definition", "BASE_BITS", "MAX_BITS", "AGREE_BITS", "BALL_BITS", "BALL_MAX_BITS", "UNDECIDED"]

#: 60 decimal digits, the floor the brief and the identity check use (200 bits > 3 x 53).
BASE_BITS = 200
#: Cancellation in sigmoid(z) - 1 costs |z| log2(e) bits, but what it leaves is of the
#: size e^-|z|: beyond |z| ~ 800 that is below float64's smallest subnormal (2^-1074), a
#: result no verdict uses. So the precision stops growing at BASE_BITS + 1200.
MAX_BITS = BASE_BITS + 1200
#: Results below this are "below every dtype's range" (float64 subnormals end at 2^-1074):
#: two evaluations that both land there agree, whatever their digits.
NEGLIGIBLE = mpmath.ldexp(1, -1200)
_NEG = arb(2) ** -1200  # the same, as an exact arb (a power of two is exact at any precision)
#: Two evaluations must agree to this many bits beyond the dtype's 53 (float64): the truth's
#: own error is then below 2^-16 ulp, invisible in a verdict measured in ulps.
AGREE_BITS = 53 + 16
#: The ball must be this tight (relative radius below 2^-BALL_BITS) for its midpoint to be
#: the truth. AGREE_BITS would do for soundness (the radius is a proof, so the midpoint is
#: within 2^-16 ulp); 64 bits more make the ball as exact as the mpmath path's second
#: evaluation at the same precision, so that where the ball decides, both paths print the
#: same figures. A ball that holds a power of two decides nothing (unless exact): the ulp
#: of a truth next to 2^k depends on which side of 2^k it lies, which no midpoint settles
#: while the ball holds 2^k.
BALL_BITS = AGREE_BITS + 64
#: When the first ball is this tight but undecided (it holds a power of two), the
#: cancellation costs so few bits that the first of the mpmath path's two evaluations, 64
#: bits less precise, still has the 69 its agreement test asks for: the path would return
#: its second evaluation, so that one alone is the candidate. It is returned only once a
#: ball proves it (whatever the first would have said).
_SECOND_ONLY_BITS = BALL_BITS + 64
#: Where the first ball does not decide, its precision doubles up to this. sigmoid(z) - 1/2
#: at the smallest subnormal z = 2^-1074 is z/4 - z^3/48: about 1100 bits for the ball to
#: reach 2^-133 of it, and 3 x 1074 to tell it from the power of two 2^-1076 beside it.
BALL_MAX_BITS = 1 << 13
#: An exponential e^u with u below -_TINY_ARG is read as a small variable t in (0, e^u]
#: by :func:`_far`, which bounds the truth's distance from its value at t = 0.
_TINY_ARG = 64
#: _far's representative of a truth just inside a power of two c: c (1 - 2^-_INSIDE), so
#: close to c that |c - it| in ulps is below the smallest float (as the truth's is, or
#: within 2^-BALL_BITS of it).
_INSIDE = 2048
_LOG2E = 1.4426950408889634
#: Beyond |z| = 900 a cancellation leaves at most e^-900 < 2^-1298, NEGLIGIBLE: the complement
#: form keeps every other term exact, so the base precision suffices for the value (and
#: exp(-1e300) at 1400 bits would cost 12 ms a call for nothing); on which side of a power
#: of two it lies is _far's to prove.
_FAR = 900.0


class _Undecided:
    """The type of :data:`UNDECIDED` (one instance; pickled by name, so it survives the workers)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDECIDED"

    def __reduce__(self) -> str:
        return "UNDECIDED"


#: What a :class:`Truth` returns where no ball proves a value (not a number: the point is
#: not measured, and the audit counts it as undecided).
UNDECIDED = _Undecided()


def _mp_sigmoid(u: mpmath.mpf) -> mpmath.mpf:
    # 1/(1 + e^-u) is relatively exact in mpmath at any u: its exponent range is unbounded.
    # A sweep asks for the same z under many labels y: cached per value and precision.
    return _sigmoid_cached(u._mpf_, mpmath.mp.prec)


@lru_cache(maxsize=1 << 16)
def _sigmoid_cached(u: tuple, prec: int) -> mpmath.mpf:
    # Keyed by mpmath's raw (sign, man, exp, bc), not by the mpf: an mpf hashes as its value
    # does, modulo 2^61 - 1, so the sweep's m 2^k for k and k + 61 collide, and each probe
    # of a collision chain is an mpf comparison in Python.
    with mpmath.workprec(prec):
        return 1 / (1 + mpmath.exp(-mpmath.mp.make_mpf(u)))


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
    """The exact value of one quantity, as a callable ``truth(y, x) -> mpf | None | UNDECIDED``.

    ``None`` where the quantity does not exist (exactly at a kink, such as ``p = y`` for
    the absolute error); :data:`UNDECIDED` where no ball proves a value. ``mant`` is the dtype's significand bits (53 or 24).
    """

    expr: sympy.Expr
    var: sympy.Symbol
    mant: int
    _direct: Callable[..., mpmath.mpf]
    _complement: Callable[..., mpmath.mpf]
    _kinks: tuple[Callable[..., mpmath.mpf], ...]
    _ball_direct: Callable[[float, float], arb] | None = None
    _ball_complement: Callable[[float, float], arb] | None = None
    _exact: Callable[[float, float], fmpq] | None = None

    @staticmethod
    def of(loss: Loss, quantity: str, mant: int = 53) -> Truth:
        """The truth of ``quantity`` for ``loss``, for a dtype of ``mant`` significand bits."""
        expr, var = quantity_expr(loss, quantity)
        # Kinks are where the loss itself is not differentiable (|y - p| at p = y): read off
        # the loss, as the derivative sign(p - y) no longer shows them.
        source = loss.in_var("p" if var == p or loss.link is None else "z").function
        return _truth(expr, var, mant, kinks(source))

    def __call__(self, yv: float, xv: float) -> mpmath.mpf | None | _Undecided:
        """The truth at ``(yv, xv)``: None at a kink, :data:`UNDECIDED` where no ball settles it."""
        bits = self._bits(xv)
        if self._kinks and self._at_any_kink(yv, xv, bits):
            return None
        complement = self.var == z and xv > 0
        f = self._ball_complement if complement else self._ball_direct
        if f is None:
            # Nothing encloses this expression (a function the ball compiler does not know):
            # the mpmath path's agreement is all there is, evidence and not proof.
            return self._mpmath(yv, xv, bits, complement)
        yv, xv = float(yv), float(xv)
        prec = bits + 64
        ball = _ball_at(f, yv, xv, prec)
        if ball is not None:
            value = _decided(ball)
            if value is not None:
                return value
        # The first ball does not decide. The value the mpmath path gives (what the audits
        # printed before the ball) is the candidate: returned only where a ball proves it
        # within 2^-BALL_BITS of the truth and in the truth's binade; else the ball's own.
        tight = ball is not None and ball.rel_accuracy_bits() >= _SECOND_ONLY_BITS
        memo: list[mpmath.mpf] = []

        def cand() -> mpmath.mpf:  # computed only where a ball decides and might prove it
            if not memo:
                if tight:
                    fm = self._complement if complement else self._direct
                    with mpmath.workprec(bits + 64):
                        memo.append(fm(mpmath.mpf(yv), mpmath.mpf(xv)))
                else:
                    memo.append(self._mpmath(yv, xv, bits, complement))
            return memo[0]

        if self._exact is not None:
            value = _rational(self._exact, yv, xv, prec, cand)
            if value is not None:
                return value
        if self.var == z and abs(xv) >= _TINY_ARG:
            value = _far(f, yv, xv, prec, cand)
            if value is not None:
                return value
        while prec < BALL_MAX_BITS:
            prec = min(2 * prec, BALL_MAX_BITS)
            ball = _ball_at(f, yv, xv, prec)
            if ball is None:
                break
            if _decided(ball) is not None:
                return _settle(cand, ball, prec)
        return UNDECIDED

    def by_mpmath(self, yv: float, xv: float) -> mpmath.mpf | None:
        """The truth by two mpmath evaluations that agree (no ball): the reference the ball is tested against.

        >>> from lossproof.losses import get_loss
        >>> t = Truth.of(get_loss("bce"), "grad_z")
        >>> t.by_mpmath(1.0, 40.0) == t(1.0, 40.0)
        True
        """
        bits = self._bits(xv)
        if self._kinks and self._at_any_kink(yv, xv, bits):
            return None
        return self._mpmath(yv, xv, bits, self.var == z and xv > 0)

    def _bits(self, xv: float) -> int:
        bits = BASE_BITS
        if self.var == z and abs(float(xv)) <= _FAR:
            bits += int(abs(float(xv)) * _LOG2E) + 1
        else:
            # log(1 - p) at p = 2^-k needs k more bits, or 1 - p rounds to 1 at both
            # precisions alike and the agreement check cannot see it.
            bits += 64 + max(0, -math.frexp(float(xv))[1])
        return bits

    def _at_any_kink(self, yv: float, xv: float, bits: int) -> bool:
        ym, xm = mpmath.mpf(float(yv)), mpmath.mpf(float(xv))
        return any(self._at_kink(k, ym, xm, bits) for k in self._kinks)

    def _mpmath(self, yv: float, xv: float, bits: int, complement: bool) -> mpmath.mpf:
        ym, xm = mpmath.mpf(float(yv)), mpmath.mpf(float(xv))  # exact: a float is a binary fraction
        f = self._complement if complement else self._direct
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
    def at(raw: tuple, prec: int) -> tuple[mpmath.mpf, ...]:
        return tuple(coeffs(mpmath.mp.make_mpf(raw)))  # by the raw value: see _sigmoid_cached

    def f(ym: mpmath.mpf, xm: mpmath.mpf) -> mpmath.mpf:
        acc = mpmath.mpf(0)
        for c in at(xm._mpf_, mpmath.mp.prec):
            acc = acc * ym + c
        return acc

    return f


class _NoBall(Exception):
    """The expression uses something :func:`_ball_of` does not enclose (the mpmath path takes it)."""


_Ball = Callable[[tuple[arb, ...]], arb]


def _logsigmoid(u: arb) -> arb:
    # log(sigmoid(u)) = -log1p(e^-u) = u - log1p(e^u), both for every real u: the first
    # for u >= 0 and the second for u < 0 keep e^(...) <= 1, so neither overflows arb's
    # exp (which gives up near |u| = 2^512) nor loses bits to 1 + e^u rounding to 1.
    return -(-u).exp().log1p() if u.mid() >= 0 else u - u.exp().log1p()


def _sigmoid_ball(u: arb) -> arb:
    # 1/(1 + e^-u) = e^u/(1 + e^u): whichever keeps the exponential <= 1.
    if u.mid() >= 0:
        return 1 / (1 + (-u).exp())
    e = u.exp()
    return e / (1 + e)


_BALL_FUNCS: dict[type, Callable[[arb], arb]] = {
    sympy.log: lambda u: u.log(),
    sympy.exp: lambda u: u.exp(),
    sigmoid: _sigmoid_ball,
    sympy.tanh: lambda u: u.tanh(),
    sympy.cosh: lambda u: u.cosh(),
    sympy.sinh: lambda u: u.sinh(),
    sympy.Abs: abs,
    sympy.sign: lambda u: u.sgn(),  # a ball around 0 gives [-1, 1]: too wide, so mpmath decides
}


def _folded(parts: list[Callable[[tuple], Any]], add: bool) -> Callable[[tuple], Any]:
    """The sum (or product) of compiled parts, left to right, in whatever arithmetic the
    parts return (arb balls, exact fmpq): shared by the ball and the exact compilers."""

    def combine(v: tuple) -> Any:
        acc = parts[0](v)
        for g in parts[1:]:
            acc = acc + g(v) if add else acc * g(v)
        return acc

    return combine


def _ball_of(e: sympy.Expr, args: tuple[sympy.Symbol, ...]) -> _Ball:
    """``e`` as a function of a tuple of arb balls (one per symbol of ``args``).

    Each node becomes the same arb operation, which encloses its exact result: the final
    ball encloses the exact value of ``e``. Two nodes are read through identities exact
    for every real ``u`` (so the enclosure still holds): ``log(sigmoid(u))`` and
    ``log(1 - sigmoid(u)) = log(sigmoid(-u))`` as one log-sigmoid, which stays finite and
    relatively tight where ``sigmoid(u)`` or ``1 - sigmoid(u)`` is far below any precision.

    Raises:
        _NoBall: a function, constant or power it does not enclose (Float constants too:
            the mpmath path reads them as lambdify does).
    """
    if e in args:
        i = args.index(e)
        return lambda v: v[i]
    if e.is_Rational:
        q = fmpq(int(e.p), int(e.q))
        # A ball: rounded at the working precision, the rounding in the radius (an integer
        # is exact). For _far's _Dual numbers the exact rational, so that sigmoid(z) - 9/20
        # - 1/20 at sigmoid(z) = 0 is exactly -1/2, a power of two whose side matters.
        return lambda v: q if isinstance(v[0], _Dual) else arb(q)
    if e is sympy.pi:
        return lambda v: arb.pi()
    if e is sympy.E:
        return lambda v: arb(1).exp()
    if e.is_Add or e.is_Mul:
        return _folded([_ball_of(a, args) for a in e.args], e.is_Add)
    if e.is_Pow:
        base, ex = _ball_of(e.base, args), e.exp
        if ex.is_Integer:
            n = int(ex)
            return (lambda v: base(v) ** n) if n >= 0 else (lambda v: 1 / base(v) ** -n)
        if ex == sympy.Rational(1, 2):
            return lambda v: base(v).sqrt()
        if ex == sympy.Rational(-1, 2):
            return lambda v: base(v).rsqrt()
        raise _NoBall(f"power {e}")
    if isinstance(e, sympy.log) and len(e.args) == 1:
        inner = e.args[0]
        for u, sgn in ((inner, 1), (1 - inner, -1)):
            if isinstance(u, sigmoid):
                arg = _ball_of(u.args[0], args)
                return (lambda v: _logsigmoid(arg(v))) if sgn > 0 else (lambda v: _logsigmoid(-arg(v)))
    fn = _BALL_FUNCS.get(type(e)) if len(e.args) == 1 else None
    if fn is None:
        raise _NoBall(f"{type(e).__name__} in {e}")
    arg = _ball_of(e.args[0], args)
    return lambda v: fn(arg(v))


def _compile_ball(expr: sympy.Expr, var: sympy.Symbol) -> Callable[[float, float], arb] | None:
    """``expr`` as an arb function of the floats (y, var), or None where it cannot be enclosed.

    Polynomials in y get their coefficients computed once per input and precision, and
    summed in y by Horner, as in :func:`_compile` (in ball arithmetic the sum's
    cancellation shows in the radius).
    """
    poly = expr.as_poly(y) if expr.has(y) else None
    try:
        if poly is None or any(c.has(y) for c in poly.all_coeffs()):
            whole = _ball_of(expr, (y, var))

            def single(yv: float, xv: float) -> arb:
                return whole((arb(yv), arb(xv)))

            single.generic = lambda yb, xb: whole((yb, xb))  # type: ignore[attr-defined]
            return single
        parts = [_ball_of(c, (var,)) for c in poly.all_coeffs()]
    except _NoBall:
        return None

    def generic(yb: Any, xb: Any) -> Any:
        # the same Horner sum, uncached, on any numbers the closures take (_Dual for _far)
        first, *rest = (c((xb,)) for c in parts)
        acc = first
        for c in rest:
            acc = acc * yb + c
        return acc

    @lru_cache(maxsize=1 << 16)
    def at(xv: float, prec: int) -> tuple[arb, ...]:
        xb = (arb(xv),)
        return tuple(c(xb) for c in parts)

    def f(yv: float, xv: float) -> arb:
        yb = arb(yv)
        first, *rest = at(xv, ctx.prec)
        acc = first
        for c in rest:
            acc = acc * yb + c
        return acc

    @lru_cache(maxsize=1 << 14)
    def duals(xv: float, prec: int, at_zero: bool) -> tuple[tuple[_Dual, ...], _Frame]:
        # _far's coefficients, per input and precision as at() (the caller sets ctx.prec)
        fr = _Frame(fmpq(0) if at_zero else None)
        xd = _Dual(fmpq(*xv.as_integer_ratio()), fmpq(0), fr)
        return tuple(c((xd,)) for c in parts), fr

    f.generic = generic  # type: ignore[attr-defined]
    f.duals = duals  # type: ignore[attr-defined]
    return f


def _ball_at(f: Callable[[float, float], arb], yv: float, xv: float, prec: int) -> arb | None:
    """``f``'s ball at ``(yv, xv)`` in arb at ``prec`` bits, or None where it is not finite."""
    old = ctx.prec
    ctx.prec = prec
    try:
        ball = f(yv, xv)
    except (ArithmeticError, ValueError):
        return None
    finally:
        ctx.prec = old
    return ball if ball.is_finite() else None


def _decided(ball: arb) -> mpmath.mpf | None:
    """The ball's midpoint, when the ball decides the truth; else None.

    The ball is evaluated at the precision of the mpmath path's second evaluation.
    Accepted (see :data:`BALL_BITS` for why these, and why no more):

    - an exact ball (radius 0: every operation was exact), whatever its midpoint;
    - a ball whose radius is below ``2^-BALL_BITS`` of its midpoint (``rel_accuracy_bits``
      is a rigorous lower bound on ``-log2(radius / |midpoint|)``) and that holds no
      power of two;
    - a ball that lies wholly within ``(-NEGLIGIBLE, NEGLIGIBLE)``: below every dtype's
      range, where only that matters.
    """
    mid, rad = ball.mid(), ball.rad()
    if rad == 0:
        return _mpf_of(mid)  # an exact ball: the exact value, a power of two or 0 included
    if ball.rel_accuracy_bits() >= BALL_BITS:
        m, e = mid.man_exp()
        r, re = rad.man_exp()
        if not _holds_power_of_two(int(m), int(e), int(r), int(re)):
            return _mpf_of(mid)
    elif abs(mid) + rad < _NEG:
        return _mpf_of(mid)
    return None


def _within(b: mpmath.mpf, ball: arb, prec: int) -> bool:
    """Whether ``b`` is proved within ``2^-BALL_BITS`` relative of every point of ``ball``.

    >>> ball = arb((1, -2))  # exactly 1/4
    >>> _within(mpmath.mpf(0.25), ball, 300), _within(mpmath.mpf(0.25 + 2.0**-50), ball, 300)
    (True, False)
    """
    sign, man, exp, _ = b._mpf_
    if not man:
        return False  # zero, or mpmath's inf or nan
    old = ctx.prec
    ctx.prec = prec  # below it, arb would round b - ball, and the rounding widens the radius
    try:
        # int(): with gmpy2 installed, mpmath's mantissa is an mpz, which arb does not take.
        d = arb((int(-man if sign else man), int(exp))) - ball  # exact b; encloses b - truth, rigorously
        return bool((abs(d.mid()) + d.rad()) * 2**BALL_BITS < abs(ball.mid()) - ball.rad())
    finally:
        ctx.prec = old


def _exact_of(e: sympy.Expr, args: tuple[sympy.Symbol, ...]) -> Callable[[tuple[fmpq, ...]], fmpq]:
    """``e``, a rational function, as a function of exact rationals (one per symbol of ``args``).

    Raises:
        _NoBall: anything but symbols, rationals, sums, products and integer powers.
    """
    if e in args:
        i = args.index(e)
        return lambda v: v[i]
    if e.is_Rational:
        q = fmpq(int(e.p), int(e.q))
        return lambda v: q
    if e.is_Add or e.is_Mul:
        return _folded([_exact_of(a, args) for a in e.args], e.is_Add)
    if e.is_Pow and e.exp.is_Integer:
        base, n = _exact_of(e.base, args), int(e.exp)
        return lambda v: base(v) ** n
    raise _NoBall(f"{type(e).__name__} in {e}: not rational")


def _compile_exact(expr: sympy.Expr, var: sympy.Symbol) -> Callable[[float, float], fmpq] | None:
    """``expr`` as an exact function of the floats (y, var) where it is rational in them, else None.

    >>> f = _compile_exact((p - y) / (p * (1 - p)), p)
    >>> f(1.0, 0.25)  # -3/4 over 3/16: exactly -4, which no ball of a division proves
    -4
    """
    try:
        g = _exact_of(expr, (y, var))
    except _NoBall:
        return None
    return lambda yv, xv: g((fmpq(*float(yv).as_integer_ratio()), fmpq(*float(xv).as_integer_ratio())))


def _rational(f: Callable[[float, float], fmpq], yv: float, xv: float, prec: int, cand: Callable[[], mpmath.mpf]) -> mpmath.mpf | None:
    """The truth of a rational quantity from its exact value: exact where it is a binary fraction.

    Any other rational is no power of two and not 0, so a ball of it decides at some
    precision; doubled until it does.
    """
    try:
        q = f(yv, xv)
    except ZeroDivisionError:
        return None
    den = int(q.q)
    if den & (den - 1) == 0:  # a power of two: q is a binary fraction, an exact mpf
        return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(q.p), -(den.bit_length() - 1)))
    old = ctx.prec
    try:
        while True:
            ctx.prec = prec
            ball = arb(q)
            if _decided(ball) is not None:
                return _settle(cand, ball, prec)
            prec *= 2
    finally:
        ctx.prec = old


def _binade(v: mpmath.mpf) -> tuple[int, int]:
    """Sign and exponent of a nonzero finite ``v``: two values share them iff they share a binade."""
    sign, man, exp, bc = v._mpf_
    return int(sign), int(exp) + int(bc)


def _settle(cand: Callable[[], mpmath.mpf], ball: arb, prec: int) -> mpmath.mpf:
    """The value of a ball that decides (:func:`_decided`): ``cand`` where the ball proves it, else its own.

    ``cand()`` (the mpmath path's value) is returned when the ball proves it within
    ``2^-BALL_BITS`` of the truth and in the truth's binade (the ball holds no power of two,
    so its midpoint's binade is the truth's): the value the audits printed before the ball,
    wherever it was right. A ball below :data:`NEGLIGIBLE` gives its midpoint: below every
    dtype's range, a value no audit measures or prints.

    >>> ball = arb(-1) + arb(2) ** -1500  # -1 + 2^-1500 at 53 bits: holds -1, decides nothing
    >>> _decided(ball) is None
    True
    """
    mid = _decided(ball)
    assert mid is not None, "only a ball that decides is settled"
    if ball.rad() == 0:
        return mid
    if abs(ball.mid()) + ball.rad() < _NEG:
        return mid  # below every dtype's range: only that is promised, so not worth an mpmath evaluation
    c = cand()
    ok = isinstance(c, mpmath.mpf) and mpmath.isfinite(c)
    if ok and c != 0 and _binade(c) == _binade(mid) and _within(c, ball, prec + 128):
        return c
    return mid


class _Frame:
    """What the :class:`_Dual` numbers of one evaluation share: the small variable ``t``.

    ``t`` is the value every small exponential takes (exactly 0, or None: the hull of 0 and
    the exponential's ball, kept in ``hull``); ``arg`` is the exponent it was taken of.
    """

    __slots__ = ("t", "arg", "hull")

    def __init__(self, t: arb | None) -> None:
        self.t, self.arg, self.hull = t, None, None


def _arb(x: arb | fmpq) -> arb:
    return x if isinstance(x, arb) else arb(x)


def _exact(x: arb | fmpq) -> bool:
    return isinstance(x, fmpq) or x.rad() == 0


_Q0, _Q1 = fmpq(0), fmpq(1)


class _Dual:
    """A value ``v`` and its derivative ``d`` in ``t`` (first-order forward mode), each a ball or exact.

    The ball compiler's closures take these as they take arb balls. ``v`` and ``d`` are exact
    rationals (fmpq) while every operation so far was rational, balls from the first that
    is not: ``exp(u)`` with ``u`` below ``-_TINY_ARG`` becomes ``t`` itself (derivative 1),
    ``exp(0)``, ``log(1)`` and ``log1p(0)`` stay exact, and every other operation carries
    its derivative by the chain rule, in ball arithmetic.
    """

    __slots__ = ("v", "d", "fr")

    def __init__(self, v: arb | fmpq, d: arb | fmpq, fr: _Frame) -> None:
        self.v, self.d, self.fr = v, d, fr

    def _lift(self, o: Any) -> _Dual:
        if isinstance(o, _Dual):
            return o
        return _Dual(o if isinstance(o, (arb, fmpq)) else fmpq(o), _Q0, self.fr)

    def __add__(self, o: Any) -> _Dual:
        o = self._lift(o)
        return _Dual(self.v + o.v, self.d + o.d, self.fr)

    __radd__ = __add__

    def __neg__(self) -> _Dual:
        return _Dual(-self.v, -self.d, self.fr)

    def __sub__(self, o: Any) -> _Dual:
        return self + (-self._lift(o))

    def __rsub__(self, o: Any) -> _Dual:
        return self._lift(o) + (-self)

    def __mul__(self, o: Any) -> _Dual:
        o = self._lift(o)
        return _Dual(self.v * o.v, self.d * o.v + self.v * o.d, self.fr)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> _Dual:
        o = self._lift(o)
        q = self.v / o.v
        return _Dual(q, (self.d - q * o.d) / o.v, self.fr)

    def __rtruediv__(self, o: Any) -> _Dual:
        return self._lift(o) / self

    def __pow__(self, n: int) -> _Dual:
        if n == 0:
            return _Dual(_Q1, _Q0, self.fr)
        return _Dual(self.v**n, n * self.v ** (n - 1) * self.d, self.fr)

    def __abs__(self) -> _Dual:
        if isinstance(self.v, fmpq) and self.v != 0:
            return _Dual(abs(self.v), self.d if self.v > 0 else -self.d, self.fr)
        v = _arb(self.v)
        return _Dual(abs(v), v.sgn() * self.d, self.fr)  # [-1, 1] d where v holds 0

    def mid(self) -> arb | fmpq:
        return self.v if isinstance(self.v, fmpq) else self.v.mid()

    def is_finite(self) -> bool:
        return all(isinstance(x, fmpq) or x.is_finite() for x in (self.v, self.d))

    def exp(self) -> _Dual:
        v, fr = self.v, self.fr
        if self.d == 0 and _exact(v) and v < -_TINY_ARG:
            if fr.arg is None:
                fr.arg = v
            elif not fr.arg == v:
                raise _NoBall("small exponentials of two arguments: not one variable t")
            if fr.t is not None:
                return _Dual(fr.t, _Q1, fr)
            if fr.hull is None:
                fr.hull = _arb(v).exp().union(arb(0))
            return _Dual(fr.hull, _Q1, fr)
        if isinstance(v, fmpq) and v == 0:
            return _Dual(_Q1, self.d, fr)
        e = _arb(v).exp()
        return _Dual(e, e * self.d, fr)

    def log(self) -> _Dual:
        v = self.v
        return _Dual(_Q0 if isinstance(v, fmpq) and v == 1 else _arb(v).log(), self.d / v, self.fr)

    def log1p(self) -> _Dual:
        v = self.v
        return _Dual(_Q0 if isinstance(v, fmpq) and v == 0 else _arb(v).log1p(), self.d / (1 + v), self.fr)

    def sqrt(self) -> _Dual:
        s = _arb(self.v).sqrt()
        return _Dual(s, self.d / (2 * s), self.fr)

    def rsqrt(self) -> _Dual:
        r = _arb(self.v).rsqrt()
        return _Dual(r, -self.d * r**3 / 2, self.fr)

    def tanh(self) -> _Dual:
        th = _arb(self.v).tanh()
        return _Dual(th, self.d * (1 - th * th), self.fr)

    def cosh(self) -> _Dual:
        v = _arb(self.v)
        return _Dual(v.cosh(), self.d * v.sinh(), self.fr)

    def sinh(self) -> _Dual:
        v = _arb(self.v)
        return _Dual(v.sinh(), self.d * v.cosh(), self.fr)

    def sgn(self) -> _Dual:
        v = self.v
        if isinstance(v, fmpq):
            return _Dual(fmpq((v > 0) - (v < 0)), _Q0, self.fr)
        if not (v > 0 or v < 0):
            raise _NoBall("sign of a ball that holds 0")
        return _Dual(v.sgn(), _Q0, self.fr)


def _horner(first: _Dual, rest: list[_Dual], yd: _Dual) -> _Dual:
    acc = first
    for c in rest:
        acc = acc * yd + c
    return acc


def _far(f: Callable[[float, float], arb], yv: float, xv: float, prec: int, cand: Callable[[], mpmath.mpf]) -> mpmath.mpf | None:
    r"""The truth where it is a value ``c`` plus what a small exponential adds, or None.

    At a large ``|z|`` every exponential the ball compiler takes is of ``-|z|`` (the forms
    keep them <= 1), so the truth is ``g(t*)`` with ``t* = e^-|z|`` in ``(0, 2^-92)``, and
    ``g(t*) = g(0) + t* g'(xi)`` for some ``xi`` in ``[0, t*]`` (the mean value theorem).
    Two evaluations of the compiled ball on :class:`_Dual` numbers give ``g(0)`` (exactly,
    often: ``-1`` for ``sigmoid(z) - 1``) and a ball holding ``g'`` over ``[0, t*]``:

    - the ball ``g(0) + [0, t*] g'`` encloses the truth: where it decides, it is settled;
    - where ``g(0) = c`` is exactly a power of two and ``g'``'s ball excludes 0, the truth is
      ``c`` moved by ``t* g'(xi)``, which has ``g'``'s sign: away from 0, the truth is in
      ``c``'s binade and ``c`` is within ``2^-(BALL_BITS+3)`` of it; towards 0, it is in the
      binade below, and ``c (1 - 2^-_INSIDE)`` represents it: in that binade, within
      ``2^-BALL_BITS`` of the truth (no finite precision reaches ``-1 + e^-1e300``), and
      close enough to ``c`` that a target returning ``c`` is 0 ulp off, as it is to every
      bit a float has. Either prints as ``c`` does, to the 25 digits a report shows.

    >>> from lossproof.losses import get_loss
    >>> v = Truth.of(get_loss("bce"), "grad_z")(1.0, -1e300)  # -1 + e^-1e300: in (-1, -1/2]
    >>> 0 < v + 1 < mpmath.ldexp(1, -133)
    True
    """
    gen = getattr(f, "generic", None)
    if gen is None:
        return None
    yq, xq = fmpq(*yv.as_integer_ratio()), fmpq(*xv.as_integer_ratio())
    old = ctx.prec
    ctx.prec = prec
    try:
        duals = getattr(f, "duals", None)
        if duals is not None:  # a polynomial in y: coefficients once per input, as for the ball
            (first, *rest), at0 = duals(xv, prec, True)
            if at0.arg is None:
                return None  # no small exponential: nothing for this argument to bound
            g0 = _horner(first, rest, _Dual(yq, fmpq(0), at0))
            (first, *rest), over = duals(xv, prec, False)
            g = _horner(first, rest, _Dual(yq, fmpq(0), over))
        else:
            at0 = _Frame(fmpq(0))
            g0 = gen(_Dual(yq, fmpq(0), at0), _Dual(xq, fmpq(0), at0))
            if at0.arg is None:
                return None
            over = _Frame(None)
            g = gen(_Dual(yq, fmpq(0), over), _Dual(xq, fmpq(0), over))
        if over.hull is None or not (g0.is_finite() and g.is_finite()):
            return None
        c, slope = g0.v, g.d
        dev = over.hull * slope  # holds t* g'(xi): the truth minus g(0)
        whole = _arb(c) + dev if isinstance(c, fmpq) else c + dev
        if whole.is_finite() and _decided(whole) is not None:
            return _settle(cand, whole, prec)
        cm = _power_of_two(c)
        if cm is None or not (slope > 0 or slope < 0):
            return None  # g(0) not exactly a power of two, or the side not proved
        if not abs(dev) < abs(_arb(c)) * arb(2) ** -(BALL_BITS + 3):
            return None
        outward = bool((slope > 0) == (c > 0))
    except (_NoBall, ArithmeticError, ValueError):
        return None
    finally:
        ctx.prec = old
    if outward:
        return cm
    with mpmath.workprec(_INSIDE + 8):
        return cm * (1 - mpmath.ldexp(1, -_INSIDE))  # exact at this precision


def _power_of_two(c: arb | fmpq) -> mpmath.mpf | None:
    """``c`` as an mpf where it is exactly +/- a power of two, else None.

    >>> _power_of_two(fmpq(-1, 2)), _power_of_two(fmpq(3, 4)), _power_of_two(arb(8))
    (mpf('-0.5'), None, mpf('8.0'))
    """
    if isinstance(c, fmpq):
        num, den = int(c.p), int(c.q)
        if abs(num) & (abs(num) - 1) or den & (den - 1) or num == 0:
            return None
        return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(num, -(den.bit_length() - 1)))
    if c.rad() != 0:
        return None
    m, e = c.mid().man_exp()
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(m), int(e))) if abs(int(m)) == 1 else None


def _holds_power_of_two(m: int, e: int, r: int, re: int) -> bool:
    """Whether the ball ``m 2^e +/- r 2^re`` holds a power of two (or its negative).

    >>> _holds_power_of_two(1, 3, 0, 0), _holds_power_of_two((1 << 200) - 1, -200, 1, -300)  # 8; 1 - 2^-200 +/- 2^-300
    (True, False)
    >>> _holds_power_of_two((1 << 200) - 1, -200, 1, -200), _holds_power_of_two(-((1 << 200) + 3), -200, 3, -200)
    (True, True)
    """
    a = abs(m)
    if a == 0:
        return False  # a ball of midpoint 0 that passed the accuracy test is an exact 0
    n = a.bit_length()
    dist = min(a - (1 << (n - 1)), (1 << n) - a)  # to 2^(n-1) and 2^n, in units of 2^e
    return (dist << (e - re)) <= r if e >= re else dist <= (r << (re - e))


def _mpf_of(mid: arb) -> mpmath.mpf:
    # exact: from_man_exp without a precision normalises, never rounds
    m, e = mid.man_exp()
    return mpmath.mp.make_mpf(mpmath.libmp.from_man_exp(int(m), int(e)))


@lru_cache(maxsize=64)
def _truth(expr: sympy.Expr, var: sympy.Symbol, mant: int, kink_args: tuple[sympy.Expr, ...] = ()) -> Truth:
    args = (y, var)
    direct = _compile(expr, var)
    comp_expr = _complement(expr) if var == z else expr
    comp = _compile(comp_expr, var) if var == z else direct
    ks = tuple(sympy.lambdify(args, k, modules=_MODULES) for k in kink_args)
    ball_direct = _compile_ball(expr, var)
    ball_comp = _compile_ball(comp_expr, var) if var == z else ball_direct
    return Truth(expr, var, mant, direct, comp, ks, ball_direct, ball_comp, _compile_exact(expr, var))


def ulps_by_definition(got: float, truth: mpmath.mpf, mant: int, emin: int) -> float:
    """:func:`ulps` as its definition reads, through mpmath's number objects: the
    reference the fast one is tested against and timed against (the same roundings).

    >>> ulps_by_definition(1.0, mpmath.mpf(1) + mpmath.mpf(2) ** -52, 53, -1022)
    1.0
    """
    if not math.isfinite(got):
        return math.inf
    if truth == 0:
        return 0.0 if got == 0 else math.inf
    _, e = mpmath.frexp(truth)
    ulp = mpmath.ldexp(1, max(int(e) - 1, emin) - mant + 1)
    return float(abs(mpmath.mpf(got) - truth) / ulp)


def ulps(got: float, truth: mpmath.mpf, mant: int, emin: int) -> float:
    """``|got - truth|`` in units in the last place of ``truth`` in a dtype.

    The ulp of a value in ``[2^e, 2^(e+1))`` is ``2^(e - mant + 1)``; below the normal
    range it is the subnormal spacing ``2^(emin - mant + 1)``. NaN and infinities are
    infinitely far. The difference is rounded once, to the mpmath context's precision
    (53 bits unless a caller changes it); the rest is exact.

    >>> ulps(1.0, mpmath.mpf(1) + mpmath.mpf(2) ** -52, 53, -1022)
    1.0
    """
    if not math.isfinite(got):
        return math.inf
    t = truth._mpf_ if hasattr(truth, "_mpf_") else mpmath.mpf(truth)._mpf_
    if t == _fzero:
        return 0.0 if got == 0 else math.inf
    # abs(mpf(got) - truth) / ldexp(1, k) with mpmath's own functions, without building
    # the intermediate mpf objects: the same roundings, a quarter of the time.
    prec, rnd = mpmath.mp._prec_rounding
    _, e = _mpf_frexp(t)  # truth = m 2^e with m in [0.5, 1)
    k = max(int(e) - 1, emin) - mant + 1
    diff = _mpf_abs(_mpf_sub(_mpf_pos(_from_float(got), prec, rnd), t, prec, rnd), prec, rnd)
    return _to_float(_mpf_div(diff, _mpf_shift(_fone, k), prec, rnd), rnd=rnd)
