r"""Re-check a box cover from :mod:`branch_bound` with a second interval implementation.

This module shares no code with ``branch_bound``: it reads a cover by its attributes
(``spans``, ``method``, ``enclosure``, ``pivot``, ``face``, ``form``), rebuilds the charts
from the domain, and re-evaluates every box with ``mpmath.iv`` (MPFR-style outward-rounded
intervals of mpmath) at :data:`PRECISION_BITS`, under the same rules, written again:

* an interval has an open or closed flag at each end (open: the bound is not attained;
  infinite ends are open); functions act through their monotonicity at the endpoints;
  0·∞ counts as 0; a partial operation that may be undefined at a point the box contains
  makes the box fail;
* charts: ``logistic`` is ``v = log(t) - log(1 - t)``, ``sigmoid(v) = t``,
  ``sigmoid(-v) = 1 - t``, ``exp(k v + c) = exp(c) (t/(1-t))**k`` for rational ``k``
  (``cosh``, ``sinh``, ``tanh`` of such an argument first written with ``exp``);
  ``ray_up`` is ``v = a + t/(1-t)``, ``ray_down`` is ``v = b - t/(1-t)``;
* methods: ``enclosure`` (of the ``given`` charted expression, or of its ``factored`` form
  ``factor(cancel(together(.)))``, which counts only where the given form is defined),
  ``mean_value`` at the box's midpoint, ``monotone`` (a sign of ``∂E/∂pivot``, given or
  factored, and a face cover at the end it points to, which must belong to the box).

For each box: the recorded enclosure is on the right side of the relation, the recomputed
one is too, the two meet, and an enclosure of E at the box's midpoint meets the recorded
one (a nudged enclosure that no value of E reaches is caught). The boxes must lie in the
domain and their union must be the domain, ends included as the domain includes them.

>>> import sympy
>>> from lossproof.kernel.branch_bound import decide
>>> p = sympy.Symbol("p")
>>> dom = {p: sympy.Interval.open(0, 1)}
>>> v = decide(p * (1 - p), ">", dom)
>>> recheck(p * (1 - p), ">", dom, v.cover)
(True, 'ok: 1 boxes')
>>> recheck(p * (1 - p), ">", dom, ())
(False, 'not covered: p = 0..1 (open cell)')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy
from mpmath import iv

from lossproof.errors import InputError
from lossproof.sigmoid import sigmoid

__all__ = ["recheck", "PRECISION_BITS"]

#: Working precision of mpmath.iv: above branch_bound's 128 bits, so that an enclosure
#: that arb found on the right side is not lost to this side's rounding.
PRECISION_BITS = 160
#: Most boxes (faces included) a cover may have; a larger one is refused, not checked.
MAX_BOXES = 200_000
#: Most bits in a numerator or denominator of a cover's number (the prover's are far fewer).
MAX_BITS = 4096
#: Largest expression handed to factor(), as the prover does.
FACTOR_MAX_OPS = 600

_INF = math.inf


class _Fail(Exception):
    """The cover does not re-check; the message says why."""


class _NotDefined(Exception):
    """An operation may be undefined at a point of the box."""


# --------------------------------------------------------------------------- endpoints
# An endpoint is a degenerate mpmath.iv interval (an exact binary number) or ±inf (float).


def _inf(x: Any) -> bool:
    return isinstance(x, float)


def _sign(x: Any) -> int:
    if _inf(x):
        return 1 if x > 0 else -1
    if x > 0:
        return 1
    return -1 if x < 0 else 0


def _less(x: Any, y: Any) -> bool:
    if _inf(x) and _inf(y):
        return x < y
    if _inf(x):
        return x < 0
    if _inf(y):
        return y > 0
    return bool(x < y)


def _same(x: Any, y: Any) -> bool:
    if _inf(x) or _inf(y):
        return _inf(x) and _inf(y) and x == y
    return bool(x == y)


def _lower(v: Any) -> Any:
    lo = v.a
    return -_INF if lo == iv.mpf("-inf") or not _finite(lo) else lo


def _upper(v: Any) -> Any:
    hi = v.b
    return _INF if hi == iv.mpf("inf") or not _finite(hi) else hi


def _finite(x: Any) -> bool:
    # An ivmpf is finite when it is strictly between -inf and inf.
    return bool(x > iv.mpf("-inf")) and bool(x < iv.mpf("inf"))


class _Range:
    """[lo, hi] with open flags; the same rules as the prover's, written again."""

    __slots__ = ("lo", "hi", "lo_open", "hi_open")

    def __init__(self, lo: Any, hi: Any, lo_open: bool, hi_open: bool) -> None:
        self.lo, self.hi = lo, hi
        self.lo_open = bool(lo_open) or _inf(lo)
        self.hi_open = bool(hi_open) or _inf(hi)

    def has_zero(self) -> bool:
        a, b = _sign(self.lo), _sign(self.hi)
        return (a < 0 < b) or (a == 0 and not self.lo_open) or (b == 0 and not self.hi_open)


def _exact(q: Fraction) -> Any:
    return iv.mpf(q.numerator) / iv.mpf(q.denominator)


def _point(q: Fraction) -> _Range:
    v = _exact(q)
    return _Range(_lower(v), _upper(v), False, False)


def _plus(a: _Range, b: _Range) -> _Range:
    lo = -_INF if _inf(a.lo) or _inf(b.lo) else _lower(a.lo + b.lo)
    hi = _INF if _inf(a.hi) or _inf(b.hi) else _upper(a.hi + b.hi)
    return _Range(lo, hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def _minus(a: _Range) -> _Range:
    return _Range(-a.hi, -a.lo, a.hi_open, a.lo_open)


def _times(a: _Range, b: _Range) -> _Range:
    prods = []
    for x, xo in ((a.lo, a.lo_open), (a.hi, a.hi_open)):
        for y, yo in ((b.lo, b.lo_open), (b.hi, b.hi_open)):
            if _sign(x) == 0 or _sign(y) == 0:
                low = high = iv.mpf(0).a
                exact = True
            elif _inf(x) or _inf(y):
                low = high = _INF if _sign(x) * _sign(y) > 0 else -_INF
                exact = True
            else:
                v = x * y
                low, high, exact = _lower(v), _upper(v), v.delta == 0
            prods.append((low, high, exact and not xo and not yo))
    lo = min((c[0] for c in prods), key=_Key)
    hi = max((c[1] for c in prods), key=_Key)
    zero = a.has_zero() or b.has_zero()
    lo_hit = any(c[2] and _same(c[0], lo) for c in prods) or (_sign(lo) == 0 and zero)
    hi_hit = any(c[2] and _same(c[1], hi) for c in prods) or (_sign(hi) == 0 and zero)
    return _Range(lo, hi, not lo_hit, not hi_hit)


class _Key:
    """Sort key over endpoints (finite ivmpf or ±inf)."""

    def __init__(self, x: Any) -> None:
        self.x = x

    def __lt__(self, other: _Key) -> bool:
        return _less(self.x, other.x)


def _inverse(a: _Range) -> _Range:
    s, t = _sign(a.lo), _sign(a.hi)
    if s > 0 or (s == 0 and a.lo_open and t > 0):
        lo = iv.mpf(0).a if _inf(a.hi) else _lower(1 / a.hi)
        hi = _INF if s == 0 else _upper(1 / a.lo)
        return _Range(lo, hi, a.hi_open, a.lo_open)
    if t < 0 or (t == 0 and a.hi_open and s < 0):
        return _minus(_inverse(_minus(a)))
    raise _NotDefined("division by an interval that contains 0")


def _mono(a: _Range, f: Any, lim_lo: Any, lim_hi: Any) -> _Range:
    def at(x: Any, low: bool) -> Any:
        if _inf(x):
            return lim_hi if x > 0 else lim_lo
        v = f(x)
        return _lower(v) if low else _upper(v)

    return _Range(at(a.lo, True), at(a.hi, False), a.lo_open, a.hi_open)


def _symmetric(a: _Range, f: Any, bottom: Any) -> _Range:
    if _sign(a.lo) >= 0:
        return _mono(a, f, _INF, _INF)
    if _sign(a.hi) <= 0:
        return _mono(_minus(a), f, _INF, _INF)
    left = _mono(_Range(a.lo, a.lo, a.lo_open, a.lo_open), lambda x: f(-x), _INF, _INF)
    right = _mono(_Range(a.hi, a.hi, a.hi_open, a.hi_open), f, _INF, _INF)
    if _less(left.hi, right.hi):
        return _Range(bottom, right.hi, False, a.hi_open)
    if _less(right.hi, left.hi):
        return _Range(bottom, left.hi, False, a.lo_open)
    return _Range(bottom, right.hi, False, a.lo_open and a.hi_open)


def _e(x: Any) -> Any:
    return iv.exp(x)


def _cosh(x: Any) -> Any:
    return (iv.exp(x) + iv.exp(-x)) / 2


def _sinh(x: Any) -> Any:
    return (iv.exp(x) - iv.exp(-x)) / 2


def _tanh(x: Any) -> Any:
    return 1 - 2 / (iv.exp(2 * x) + 1)


def _logistic(x: Any) -> Any:
    return 1 / (1 + iv.exp(-x))


def _ln(a: _Range) -> _Range:
    s = _sign(a.lo)
    if s > 0:
        return _mono(a, iv.log, -_INF, _INF)
    if s == 0 and a.lo_open and _sign(a.hi) > 0:
        top = _INF if _inf(a.hi) else _upper(iv.log(a.hi))
        return _Range(-_INF, top, True, a.hi_open)
    raise _NotDefined("log of an interval that reaches 0 or below")


def _power(a: _Range, n: sympy.Rational) -> _Range:
    if n < 0:
        return _inverse(_power(a, -n))
    if n == 0:
        return _point(Fraction(1))
    if n.is_Integer:
        k = int(n)
        f = lambda x: x**k  # noqa: E731 - a one-line point function
        if k % 2:
            return _mono(a, f, -_INF, _INF)
        return _symmetric(a, f, iv.mpf(0).a)
    if _sign(a.lo) < 0:
        raise _NotDefined("a fractional power of an interval that reaches below 0")
    r = iv.mpf(int(n.p)) / iv.mpf(int(n.q))
    return _mono(a, lambda x: iv.mpf(0) if x == 0 else iv.exp(r * iv.log(x)), 0.0, _INF)


def _signum(a: _Range) -> _Range:
    if _sign(a.lo) > 0 or (_sign(a.lo) == 0 and a.lo_open):
        return _point(Fraction(1))
    if _sign(a.hi) < 0 or (_sign(a.hi) == 0 and a.hi_open):
        return _point(Fraction(-1))
    return _Range(iv.mpf(-1).a, iv.mpf(1).a, False, False)


def _evaluate(e: sympy.Expr, env: Mapping[sympy.Symbol, _Range], memo: dict) -> _Range:
    """Interval of ``e`` by recursion on the tree (no compilation, unlike the prover)."""
    if e in memo:
        return memo[e]
    if e.is_Symbol:
        r = env[e]
    elif e.is_Rational:
        r = _point(Fraction(int(e.p), int(e.q)))
    elif e.is_Float:
        exact = sympy.Rational(e)  # the Float's own binary value
        r = _point(Fraction(int(exact.p), int(exact.q)))
    elif e is sympy.pi:
        v = iv.pi
        r = _Range(_lower(v), _upper(v), False, False)
    elif e is sympy.E:
        v = iv.exp(1)
        r = _Range(_lower(v), _upper(v), False, False)
    elif e.is_Add:
        r = _evaluate(e.args[0], env, memo)
        for a in e.args[1:]:
            r = _plus(r, _evaluate(a, env, memo))
    elif e.is_Mul:
        r = _evaluate(e.args[0], env, memo)
        for a in e.args[1:]:
            r = _times(r, _evaluate(a, env, memo))
    elif e.is_Pow and e.args[0] is sympy.E:
        r = _mono(_evaluate(e.args[1], env, memo), _e, iv.mpf(0).a, _INF)
    elif e.is_Pow and e.args[1].is_Rational:
        r = _power(_evaluate(e.args[0], env, memo), e.args[1])
    elif e.is_Pow and e.args[1].free_symbols:
        # base**ex with a variable exponent is exp(ex log(base)), real where base > 0.
        product = _times(_evaluate(e.args[1], env, memo), _ln(_evaluate(e.args[0], env, memo)))
        r = _mono(product, _e, iv.mpf(0).a, _INF)
    elif len(e.args) == 1 and e.func in _UNARY:
        r = _UNARY[e.func](_evaluate(e.args[0], env, memo))
    else:
        raise _Fail(f"cannot evaluate {e.func.__name__}")
    memo[e] = r
    return r


_UNARY: dict[Any, Any] = {
    sympy.exp: lambda a: _mono(a, _e, iv.mpf(0).a, _INF),
    sympy.log: _ln,
    sympy.tanh: lambda a: _mono(a, _tanh, iv.mpf(-1).a, iv.mpf(1).a),
    sympy.sinh: lambda a: _mono(a, _sinh, -_INF, _INF),
    sympy.cosh: lambda a: _symmetric(a, _cosh, iv.mpf(1).a),
    sympy.Abs: lambda a: _symmetric(a, lambda x: x, iv.mpf(0).a),
    sympy.sign: _signum,
    sigmoid: lambda a: _mono(a, _logistic, iv.mpf(0).a, iv.mpf(1).a),
}


# --------------------------------------------------------------------------- charts


def _chart_of(symbol: sympy.Symbol, s: sympy.Set) -> tuple[str, Fraction, Fraction, bool, bool,
                                                            sympy.Rational]:
    """(chart, lo, hi, lo_open, hi_open, anchor) of a domain, in chart coordinates."""
    if isinstance(s, sympy.FiniteSet) and len(s) == 1 and s.args[0].is_Rational:
        q = Fraction(int(s.args[0].p), int(s.args[0].q))
        return "identity", q, q, False, False, sympy.Integer(0)
    if not isinstance(s, sympy.Interval):
        raise InputError(f"domain {s} of {symbol} is not an Interval")
    a, b = s.start, s.end
    if a == -sympy.oo and b == sympy.oo:
        return "logistic", Fraction(0), Fraction(1), True, True, sympy.Integer(0)
    if b == sympy.oo:
        return "ray_up", Fraction(0), Fraction(1), bool(s.left_open), True, a
    if a == -sympy.oo:
        return "ray_down", Fraction(0), Fraction(1), bool(s.right_open), True, b
    if not (a.is_Rational and b.is_Rational):
        raise InputError(f"domain {s} of {symbol} does not have rational ends")
    return ("identity", Fraction(int(a.p), int(a.q)), Fraction(int(b.p), int(b.q)),
            bool(s.left_open), bool(s.right_open), sympy.Integer(0))


def _to_chart(expr: sympy.Expr, v: sympy.Symbol, chart: str, anchor: sympy.Rational
              ) -> sympy.Expr:
    if chart == "identity":
        return expr
    u = sympy.Dummy("u")
    body = expr.xreplace({v: u})
    if chart == "ray_up":
        return body.xreplace({u: anchor + v / (1 - v)})
    if chart == "ray_down":
        return body.xreplace({u: anchor - v / (1 - v)})

    def walk(e: sympy.Expr) -> sympy.Expr:
        if not e.has(u):
            return e
        if e == u:
            return sympy.log(v) - sympy.log(1 - v)
        if e.func is sigmoid and e.args[0] == u:
            return v
        if e.func is sigmoid and e.args[0] == -u:
            return 1 - v
        if e.func in (sympy.exp, sympy.cosh, sympy.sinh, sympy.tanh):
            k = sympy.diff(e.args[0], u)
            c = sympy.expand(e.args[0] - k * u)
            if k.is_Rational and u not in c.free_symbols:
                if e.func is not sympy.exp:
                    return walk(e.rewrite(sympy.exp))
                return sympy.exp(c) * (v / (1 - v)) ** k
        return e.func(*map(walk, e.args))

    return walk(body)


# --------------------------------------------------------------------------- coverage


_Side = tuple[Fraction, Fraction, bool, bool]


def _q(x: Any, what: str) -> Fraction:
    if not isinstance(x, (int, sympy.Rational)):
        raise _Fail(f"{what} {x!r} is not a rational number")
    x = sympy.Rational(x)
    if max(abs(int(x.p)), int(x.q)).bit_length() > MAX_BITS:
        raise _Fail(f"{what} has more than {MAX_BITS} bits")
    return Fraction(int(x.p), int(x.q))


def _inside(side: _Side, region: _Side) -> bool:
    lo, hi, lo_o, hi_o = side
    a, b, a_o, b_o = region
    if lo > hi or (lo == hi and (lo_o or hi_o)):
        return False
    if lo < a or (lo == a and a_o and not lo_o):
        return False
    return not (hi > b or (hi == b and b_o and not hi_o))


def _holds_point(side: _Side, x: Fraction) -> bool:
    lo, hi, lo_o, hi_o = side
    return lo < x < hi or (x == lo and not lo_o) or (x == hi and not hi_o)


def _uncovered(region: Sequence[_Side], sides: list[Sequence[_Side]],
               names: Sequence[str]) -> str | None:
    """A cell of ``region`` that no box holds (as text), or None when covered."""
    if not region:
        return None if sides else "an empty cover"
    a, b, a_o, b_o = region[0]
    cuts = sorted({a, b} | {s[0][k] for s in sides for k in (0, 1) if a <= s[0][k] <= b})
    cells: list[tuple[str, Fraction, Fraction]] = []
    for i, x in enumerate(cuts):
        if not ((x == a and a_o) or (x == b and b_o)):
            cells.append(("point", x, x))
        if i + 1 < len(cuts):
            cells.append(("open", x, cuts[i + 1]))
    for kind, x, y in cells:
        if kind == "point":
            sub = [s[1:] for s in sides if _holds_point(s[0], x)]
        else:
            sub = [s[1:] for s in sides if s[0][0] <= x and y <= s[0][1]]
        if not sub:
            where = f"{names[0]} = {x}" if kind == "point" else f"{names[0]} = {x}..{y} (open cell)"
            return where
        left = _uncovered(region[1:], sub, names[1:])
        if left is not None:
            return f"{names[0]} = {x}{'' if kind == 'point' else f'..{y}'}, {left}"
    return None


# --------------------------------------------------------------------------- the check


class _Checker:
    def __init__(self, expr: sympy.Expr, rel: str, box: Mapping[sympy.Symbol, sympy.Set]) -> None:
        if rel not in (">", ">=", "!=", "<", "<="):
            raise InputError(f"relation {rel!r} is not one of >, >=, !=, <, <=")
        self.rel = {"<": ">", "<=": ">="}.get(rel, rel)
        signed = -expr if rel in ("<", "<=") else expr
        self.names = tuple(sorted(box, key=lambda s: s.name))
        self.charts = {v: _chart_of(v, box[v]) for v in self.names}
        # Fresh real coordinates: no assumption on a variable may reach SymPy's rewriting.
        self.coord = {v: sympy.Dummy(v.name, real=True) for v in self.names}
        signed = signed.xreplace(self.coord)
        for v in self.names:
            chart, _, _, _, _, anchor = self.charts[v]
            signed = _to_chart(signed, self.coord[v], chart, anchor)
        self.given = signed
        self._factored: sympy.Expr | None | bool = False
        self._grad: dict[sympy.Symbol, sympy.Expr] = {}
        self.count = 0

    def factored(self) -> sympy.Expr:
        if self._factored is False:
            if sympy.count_ops(self.given) > FACTOR_MAX_OPS:
                self._factored = None
            else:
                self._factored = sympy.factor(sympy.cancel(sympy.together(self.given)))
        if self._factored is None:
            raise _Fail("the factored form is too large to rebuild")
        return self._factored  # type: ignore[return-value]

    def factored_grad(self, v: sympy.Symbol) -> sympy.Expr:
        g = self.grad(v)
        if sympy.count_ops(g) > FACTOR_MAX_OPS:
            raise _Fail("a factored slope is too large to rebuild")
        return sympy.factor(sympy.cancel(sympy.together(g)))

    def grad(self, v: sympy.Symbol) -> sympy.Expr:
        if v not in self._grad:
            self._grad[v] = sympy.diff(self.given, self.coord[v])
        return self._grad[v]

    def right_side(self, r: _Range) -> bool:
        a, b = _sign(r.lo), _sign(r.hi)
        pos = a > 0 or (a == 0 and r.lo_open)
        if self.rel == ">":
            return pos
        if self.rel == ">=":
            return a >= 0
        return pos or b < 0 or (b == 0 and r.hi_open)

    def sides(self, box: Any) -> tuple[_Side, ...]:
        spans = dict(box.spans)
        if set(spans) != set(self.names):
            raise _Fail(f"box variables {sorted(map(str, spans))} are not the domain's")
        out = []
        for v in self.names:
            s = spans[v]
            chart, _, _, _, _, anchor = self.charts[v]
            if s.chart != chart or (chart != "identity" and s.anchor != anchor):
                raise _Fail(f"box chart {s.chart} of {v} is not the domain's {chart}")
            out.append((_q(s.lo, "span end"), _q(s.hi, "span end"), bool(s.lo_open),
                        bool(s.hi_open)))
        return tuple(out)

    def env(self, sides: Sequence[_Side]) -> dict[sympy.Symbol, _Range]:
        env = {}
        for v, (lo, hi, lo_o, hi_o) in zip(self.names, sides):
            a, b = _exact(lo), _exact(hi)
            env[self.coord[v]] = _Range(_lower(a), _upper(b), lo_o, hi_o)
        return env

    def value(self, e: sympy.Expr, sides: Sequence[_Side]) -> _Range:
        try:
            return _evaluate(e, self.env(sides), {})
        except _NotDefined as exc:
            raise _Fail(f"{exc} on {self.show(sides)}") from None

    def show(self, sides: Sequence[_Side]) -> str:
        return ", ".join(f"{v} in {'(' if lo_o else '['}{lo}, {hi}{')' if hi_o else ']'}"
                         for v, (lo, hi, lo_o, hi_o) in zip(self.names, sides))

    def recorded(self, box: Any) -> _Range:
        enc = box.enclosure

        def end(x: Any, sign: int) -> Any:
            if x in (sympy.oo, -sympy.oo):
                return _INF if x == sympy.oo else -_INF
            q = _q(x, "enclosure end")
            v = _exact(q)
            return _lower(v) if sign < 0 else _upper(v)

        return _Range(end(enc.lo, -1), end(enc.hi, 1), bool(enc.lo_open), bool(enc.hi_open))

    def check_cover(self, cover: Sequence[Any], region: Sequence[_Side], depth: int) -> None:
        all_sides = []
        for box in cover:
            self.count += 1
            if self.count > MAX_BOXES:
                raise _Fail(f"more than {MAX_BOXES} boxes")
            sides = self.sides(box)
            for v, side, reg in zip(self.names, sides, region):
                if not _inside(side, reg):
                    raise _Fail(f"box {self.show(sides)} is not inside the domain at {v}")
            self.check_box(box, sides, depth)
            all_sides.append(sides)
        hole = _uncovered(region, all_sides, [str(v) for v in self.names])
        if hole is not None:
            raise _Fail(f"not covered: {hole}")

    def check_box(self, box: Any, sides: tuple[_Side, ...], depth: int) -> None:
        mine = self.recorded(box)
        where = self.show(sides)
        given = self.value(self.given, sides)  # fails unless defined on the whole box
        if box.method == "monotone":
            self.check_monotone(box, sides, mine, depth)
            return
        if box.method == "enclosure":
            if box.form == "given":
                again = given
            elif box.form == "factored":
                again = self.value(self.factored(), sides)
            else:
                raise _Fail(f"unknown form {box.form!r}")
        elif box.method == "mean_value":
            if box.form != "given":
                raise _Fail(f"mean value on form {box.form!r}")
            again = self.mean_value(sides)
        else:
            raise _Fail(f"unknown method {box.method!r}")
        if not self.right_side(mine):
            raise _Fail(f"recorded enclosure on {where} is not on the side of {self.rel} 0")
        if not self.right_side(again):
            raise _Fail(f"recomputed enclosure on {where} is not on the side of {self.rel} 0")
        if not _meet(mine, again):
            raise _Fail(f"recorded enclosure on {where} misses the recomputed one")
        mid = [((lo + hi) / 2,) * 2 + (False, False) for lo, hi, _, _ in sides]
        at_mid = self.value(self.given, mid)
        if not _meet(mine, at_mid):
            raise _Fail(f"recorded enclosure on {where} misses the value at the midpoint")

    def mean_value(self, sides: Sequence[_Side]) -> _Range:
        mid = [(lo + hi) / 2 for lo, hi, _, _ in sides]
        total = self.value(self.given, [(m, m, False, False) for m in mid])
        for v, (lo, hi, _, _), m in zip(self.names, sides, mid):
            if lo == hi:
                continue
            slope = self.value(self.grad(v), sides)
            d = _Range(_lower(_exact(lo - m)), _upper(_exact(hi - m)), False, False)
            total = _plus(total, _times(slope, d))
        return _Range(total.lo, total.hi, False, False)

    def check_monotone(self, box: Any, sides: tuple[_Side, ...], mine: _Range,
                       depth: int) -> None:
        if box.pivot not in self.names:
            raise _Fail(f"pivot {box.pivot} is not a variable")
        if depth >= len(self.names):
            raise _Fail("faces nested deeper than the dimension")
        k = self.names.index(box.pivot)
        lo, hi, lo_o, hi_o = sides[k]
        slope = self.value(self.grad(box.pivot), sides)  # fails unless defined on the box
        if box.form == "factored":
            slope = self.value(self.factored_grad(box.pivot), sides)
        elif box.form != "given":
            raise _Fail(f"monotone on form {box.form!r}")
        if not _meet(mine, slope):
            raise _Fail(f"recorded slope on {self.show(sides)} misses the recomputed one")
        if _sign(slope.lo) >= 0 and _sign(mine.lo) >= 0 and not lo_o:
            end = lo
        elif _sign(slope.hi) <= 0 and _sign(mine.hi) <= 0 and not hi_o:
            end = hi
        else:
            raise _Fail(f"no sign of d/d{box.pivot} towards a closed end on {self.show(sides)}")
        face = list(sides)
        face[k] = (end, end, False, False)
        self.check_cover(box.face, face, depth + 1)


def _meet(a: _Range, b: _Range) -> bool:
    return not (_less(a.hi, b.lo) or _less(b.hi, a.lo))


def recheck(
    expr: sympy.Expr,
    rel: str,
    box: Mapping[sympy.Symbol, sympy.Set],
    cover: Sequence[Any],
) -> tuple[bool, str]:
    """Re-check that ``cover`` proves ``expr rel 0`` on ``box``.

    Args:
        expr: the expression, as given to ``branch_bound.decide``.
        rel: ``>``, ``>=``, ``!=``, ``<`` or ``<=``.
        box: the domain, one Interval (or one-point FiniteSet) per symbol.
        cover: the boxes of a ``proved`` verdict.

    Returns:
        ``(True, "ok: N boxes")`` or ``(False, reason)``.

    Raises:
        InputError: ``rel`` unknown or a domain that is not a rational interval.
    """
    if not isinstance(expr, sympy.Expr):
        # Text is never parsed here (no sympify): the caller passes an expression.
        raise InputError(f"expression {expr!r} is not a SymPy expression")
    checker = _Checker(expr, rel, box)
    region = [checker.charts[v][1:5] for v in checker.names]
    old = iv.prec
    iv.prec = PRECISION_BITS
    try:
        checker.check_cover(cover, region, 0)
    except _Fail as exc:
        return False, str(exc)
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        return False, f"malformed cover: {exc}"
    finally:
        iv.prec = old
    return True, f"ok: {checker.count} boxes"
