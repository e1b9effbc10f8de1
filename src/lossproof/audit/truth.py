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
- a value is first enclosed in an arb ball (python-flint's rigorous interval arithmetic,
  the kernel's interval engine's too; :func:`_compile_ball`) at that precision plus 64
  bits, and the ball's midpoint is the truth when the ball's radius is below
  ``2^-BALL_BITS = 2^-133`` of it, or the whole ball lies below :data:`NEGLIGIBLE`. The
  radius is a proof, where a second evaluation is not: every rounding of every operation
  is accounted for in it, so the exact value lies within ``2^-133`` relative of the
  midpoint, ``2^-80`` ulp of even float64, with nothing assumed;
- otherwise (a function the ball compiler does not enclose, a ball that cancellation left
  too wide, or one that holds a power of two, where the ulp depends on which side the
  truth lies) the value is computed with mpmath twice, at two precisions, and accepted
  only when they agree to :data:`AGREE_BITS` bits beyond float64's precision (else the
  precision doubles): :meth:`Truth.by_mpmath`, the truth as it was before the ball, and
  where the ball is tight enough to vouch for the first of the two evaluations, the second
  alone, proved by the ball. Agreement is evidence, not proof: two evaluations can share
  a cancellation (``sigmoid(z) - 1/2`` at ``z = 2^-300`` is 0 at both precisions); the
  ball comes first for that reason, and leaves to mpmath only what it cannot settle, so
  that the audits print what they printed before.

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

__all__ = ["QUANTITIES", "Truth", "quantity_expr", "BASE_BITS", "MAX_BITS", "AGREE_BITS", "BALL_BITS"]

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
#: same figures, and where it does not (heavy cancellation), the mpmath path decides, as
#: it always has. A ball that holds a power of two is left to the mpmath path too: the ulp
#: of a truth next to 2^k depends on which side of 2^k it lies, which no midpoint settles
#: while the ball holds 2^k (and a truth such as -1/p = -2^127 is one that mpmath
#: computes exactly, a ball only to within its radius).
BALL_BITS = AGREE_BITS + 64
#: Next to a power of two the mpmath path decides, but when the ball is this tight, the
#: cancellation costs so few bits that the first of that path's two evaluations, 64 bits
#: less precise, still has the 69 its agreement test asks for: the path would return its
#: second evaluation, so that one alone is computed. It is returned only once the ball
#: proves it within 2^-BALL_BITS of the truth (whatever the first would have said).
_SECOND_ONLY_BITS = BALL_BITS + 64
_LOG2E = 1.4426950408889634
#: Beyond |z| = 900 a cancellation leaves at most e^-900 < 2^-1298, NEGLIGIBLE: the complement
#: form keeps every other term exact, so the base precision suffices (and exp(-1e300) at
#: 1400 bits would cost 12 ms a call for nothing).
_FAR = 900.0


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
    _ball_direct: Callable[[float, float], arb] | None = None
    _ball_complement: Callable[[float, float], arb] | None = None

    @staticmethod
    def of(loss: Loss, quantity: str, mant: int = 53) -> Truth:
        """The truth of ``quantity`` for ``loss``, for a dtype of ``mant`` significand bits."""
        expr, var = quantity_expr(loss, quantity)
        # Kinks are where the loss itself is not differentiable (|y - p| at p = y): read off
        # the loss, as the derivative sign(p - y) no longer shows them.
        source = loss.in_var("p" if var == p or loss.link is None else "z").function
        return _truth(expr, var, mant, kinks(source))

    def __call__(self, yv: float, xv: float) -> mpmath.mpf | None:
        bits = self._bits(xv)
        if self._kinks and self._at_any_kink(yv, xv, bits):
            return None
        complement = self.var == z and xv > 0
        f = self._ball_complement if complement else self._ball_direct
        if f is not None:
            ball = _ball_at(f, float(yv), float(xv), bits + 64)
            if ball is not None:
                value = _decided(ball)
                if value is not None:
                    return value
                if ball.rel_accuracy_bits() >= _SECOND_ONLY_BITS:
                    # Next to a power of two: the mpmath path's value, which the ball
                    # proves exact (see _SECOND_ONLY_BITS), from its second evaluation alone.
                    fm = self._complement if complement else self._direct
                    with mpmath.workprec(bits + 64):
                        b = fm(mpmath.mpf(float(yv)), mpmath.mpf(float(xv)))
                    if _within(b, ball, bits + 128):
                        return b
        return self._mpmath(yv, xv, bits, complement)

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
    if e.is_Integer:
        n = int(e)
        return lambda v: arb(n)  # exact: arb keeps an integer of any size
    if e.is_Rational:
        q = fmpq(int(e.p), int(e.q))
        return lambda v: arb(q)  # rounded at the working precision, the rounding in the radius
    if e is sympy.pi:
        return lambda v: arb.pi()
    if e is sympy.E:
        return lambda v: arb(1).exp()
    if e.is_Add or e.is_Mul:
        parts = [_ball_of(a, args) for a in e.args]
        add = e.is_Add

        def combine(v: tuple[arb, ...]) -> arb:
            acc = parts[0](v)
            for g in parts[1:]:
                acc = acc + g(v) if add else acc * g(v)
            return acc

        return combine
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
            return lambda yv, xv: whole((arb(yv), arb(xv)))
        parts = [_ball_of(c, (var,)) for c in poly.all_coeffs()]
    except _NoBall:
        return None

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

    - a ball whose radius is below ``2^-BALL_BITS`` of its midpoint (``rel_accuracy_bits``
      is a rigorous lower bound on ``-log2(radius / |midpoint|)``) and that holds no
      power of two;
    - a ball that lies wholly within ``(-NEGLIGIBLE, NEGLIGIBLE)``: below every dtype's
      range, where only that matters.
    """
    mid, rad = ball.mid(), ball.rad()
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
        d = arb((-man if sign else man, exp)) - ball  # exact b; encloses b - truth, rigorously
        return bool((abs(d.mid()) + d.rad()) * 2**BALL_BITS < abs(ball.mid()) - ball.rad())
    finally:
        ctx.prec = old


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
    return Truth(expr, var, mant, direct, comp, ks, ball_direct, ball_comp)


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
