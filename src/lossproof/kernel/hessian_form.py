r"""The quadratic form of a Hessian in K logits, checked against a sum over index pairs.

For a loss :math:`f(z_1, \dots, z_K)` and a direction :math:`v`, the kernel computes

.. math::

   v^\top H v = \frac{d^2}{dt^2} f(z + t v) \Big|_{t=0}

from the loss itself, by second-order Taylor arithmetic (a jet :math:`c_0 + c_1 t + c_2 t^2`
for every node of the expression, so :math:`v^\top H v = 2 c_2`): linear in the size of
the expression, where SymPy's ``hessian`` builds K^2 entries (62 s at K = 64). Values are
rational functions of :math:`u_k = e^{z_k}`, the directions and the other variables, held
as python-flint polynomials over Q with factored denominators (no gcd is ever taken, so
equality is decided by cross-multiplying).

A *pattern* is a polynomial in :math:`s_i, s_j, v_i, v_j`; its pair sum at K is
:math:`\sum_{i=1}^K \sum_{j=1}^K T(s_i, s_j, v_i, v_j)` with :math:`s_k = u_k / \sum_l u_l`
(softmax). Each monomial :math:`s_i^a v_i^b s_j^c v_j^d` sums to a product of two power
sums, :math:`(\sum_k u_k^a v_k^b)(\sum_k u_k^c v_k^d) / S^{a+c}`, so a pair sum costs K^2
terms and never K^2 symbolic expressions.

>>> from sympy import Add, Rational, Symbol, exp, log
>>> z, v = [Symbol(f"z{k}") for k in (1, 2, 3)], [Symbol(f"v{k}") for k in (1, 2, 3)]
>>> lse = log(Add(*map(exp, z)))
>>> si, sj, vi, vj = PATTERN
>>> form_equals_pair_sum(lse, z, v, Rational(1, 2) * si * sj * (vi - vj) ** 2)
True
>>> form_equals_pair_sum(lse, z, v, si * sj * (vi - vj) ** 2)
False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Symbol

__all__ = ["PATTERN", "FormError", "second_directional", "form_equals_pair_sum", "swap_pattern", "diagonal_pattern"]

#: The pattern variables: the softmax values and directions of two class indices i and j.
PATTERN: tuple[Symbol, Symbol, Symbol, Symbol] = (Symbol("s_i"), Symbol("s_j"), Symbol("v_i"), Symbol("v_j"))


#: Integer powers are multiplied out; a loss has small ones, a forged certificate may not.
_MAX_POWER = 64


class FormError(ValueError):
    """The expression is outside what the Taylor arithmetic handles (the rule then fails)."""


def swap_pattern(t: sympy.Expr) -> sympy.Expr:
    """``t`` with the indices i and j exchanged."""
    si, sj, vi, vj = PATTERN
    return t.xreplace({si: sj, sj: si, vi: vj, vj: vi})


def diagonal_pattern(t: sympy.Expr) -> sympy.Expr:
    """``t`` at i = j (the diagonal terms of the pair sum)."""
    si, sj, vi, vj = PATTERN
    return t.xreplace({sj: si, vj: vi})


class _Opaque:
    """A value that is not a rational function of the generators (log z, z itself)."""

    def __repr__(self) -> str:
        return "OPAQUE"


_OPAQUE = _Opaque()


class _Field:
    """Rational functions ``num / prod(factor ** e)`` over Q[generators].

    Denominators stay factored (a factor is registered once and compared by equality),
    so sums bring fractions to a common multiple without any gcd.
    """

    def __init__(self, names: Sequence[str]) -> None:
        import flint  # a C library: loaded when a Hessian form is checked, not at start-up

        self.flint = flint
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(names), "lex")
        self.factors: list[Any] = []

    def const(self, q: sympy.Rational | int) -> tuple[Any, tuple[tuple[int, int], ...]]:
        q = sympy.Rational(q)
        return self.ctx.constant(self.flint.fmpq(int(q.p), int(q.q))), ()

    def gen(self, index: int) -> tuple[Any, tuple[tuple[int, int], ...]]:
        return self.ctx.gen(index), ()

    def _factor(self, p: Any) -> int:
        for i, q in enumerate(self.factors):
            if q == p:
                return i
        self.factors.append(p)
        return len(self.factors) - 1

    def _expand_den(self, den: dict[int, int]) -> Any:
        out = self.ctx.constant(1)
        for i, e in den.items():
            out = out * self.factors[i] ** e
        return out

    def add(self, a: Any, b: Any) -> Any:
        (na, da), (nb, db) = a, b
        da_, db_ = dict(da), dict(db)
        common = {i: max(da_.get(i, 0), db_.get(i, 0)) for i in {*da_, *db_}}
        fa = self._expand_den({i: e - da_.get(i, 0) for i, e in common.items() if e > da_.get(i, 0)})
        fb = self._expand_den({i: e - db_.get(i, 0) for i, e in common.items() if e > db_.get(i, 0)})
        return na * fa + nb * fb, tuple(sorted(common.items()))

    def mul(self, a: Any, b: Any) -> Any:
        (na, da), (nb, db) = a, b
        den = dict(da)
        for i, e in db:
            den[i] = den.get(i, 0) + e
        return na * nb, tuple(sorted(den.items()))

    def inv(self, a: Any) -> Any:
        num, den = a
        if num.is_zero():
            raise FormError("division by zero")
        top = self._expand_den(dict(den))
        if num.is_constant():
            return top * (1 / num.leading_coefficient()), ()
        return top, ((self._factor(num), 1),)

    def equal(self, a: Any, b: Any) -> bool:
        diff = self.add(a, (-b[0], b[1]))
        return bool(diff[0].is_zero())


@dataclass
class _Jet:
    """Taylor coefficients c0 + c1 t + c2 t^2; None is an exact zero, _OPAQUE a value outside the field."""

    c0: Any
    c1: Any
    c2: Any


class _Taylor:
    def __init__(self, field: _Field, zs: Sequence[Symbol], index: dict[Symbol, int], k: int) -> None:
        self.field, self.zs, self.index, self.k = field, {z: i for i, z in enumerate(zs)}, index, k
        self.memo: dict[sympy.Expr, _Jet] = {}

    # Arithmetic on coefficients: None is zero (absorbs even an opaque value), opaque spreads.
    def _add(self, a: Any, b: Any) -> Any:
        if a is None:
            return b
        if b is None:
            return a
        if a is _OPAQUE or b is _OPAQUE:
            return _OPAQUE
        return self.field.add(a, b)

    def _mul(self, a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        if a is _OPAQUE or b is _OPAQUE:
            return _OPAQUE
        return self.field.mul(a, b)

    def _scale(self, a: Any, q: sympy.Rational) -> Any:
        return self._mul(a, self.field.const(q))

    def _inv(self, a: Any) -> Any:
        if a is None:
            raise FormError("division by zero")
        return _OPAQUE if a is _OPAQUE else self.field.inv(a)

    def jet(self, e: sympy.Expr) -> _Jet:
        if e not in self.memo:
            self.memo[e] = self._jet(e)
        return self.memo[e]

    def _jet(self, e: sympy.Expr) -> _Jet:
        if e.is_Rational:
            return _Jet(self.field.const(e), None, None)
        if e.is_Symbol:
            if e in self.zs:  # z_k + t v_k
                return _Jet(_OPAQUE, self.field.gen(self.k + self.zs[e]), None)
            if e in self.index:
                return _Jet(self.field.gen(self.index[e]), None, None)
            raise FormError(f"unexpected variable {e}")
        if e.is_Add:
            out = _Jet(None, None, None)
            for a in e.args:
                j = self.jet(a)
                out = _Jet(self._add(out.c0, j.c0), self._add(out.c1, j.c1), self._add(out.c2, j.c2))
            return out
        if e.is_Mul:
            out = _Jet(self.field.const(1), None, None)
            for a in e.args:
                out = self._times(out, self.jet(a))
            return out
        if e.is_Pow and e.exp.is_Integer:
            n = int(e.exp)
            if abs(n) > _MAX_POWER:
                raise FormError(f"the power {n} is too large")
            base = self.jet(e.base)
            if n < 0:
                base, n = self._reciprocal(base), -n
            out = _Jet(self.field.const(1), None, None)
            for _ in range(n):
                out = self._times(out, base)
            return out
        if isinstance(e, sympy.exp) and e.args[0] in self.zs:
            # e^(z_k + t v_k) = u_k (1 + v_k t + v_k^2 t^2 / 2 + ...)
            i = self.zs[e.args[0]]
            u, v = self.field.gen(i), self.field.gen(self.k + i)
            return _Jet(u, self.field.mul(u, v), self._scale(self.field.mul(u, self.field.mul(v, v)), sympy.Rational(1, 2)))
        if isinstance(e, sympy.log):
            a = self.jet(e.args[0])
            # log(a0 + a1 t + a2 t^2) = log a0 + (a1/a0) t + (a2/a0 - a1^2 / (2 a0^2)) t^2
            r = self._inv(a.c0)
            c1 = self._mul(a.c1, r)
            c2 = self._add(self._mul(a.c2, r), self._scale(self._mul(c1, c1), sympy.Rational(-1, 2)))
            return _Jet(_OPAQUE, c1, c2)
        raise FormError(f"not handled in a Hessian form: {type(e).__name__}")

    def _times(self, a: _Jet, b: _Jet) -> _Jet:
        c0 = self._mul(a.c0, b.c0)
        c1 = self._add(self._mul(a.c0, b.c1), self._mul(a.c1, b.c0))
        c2 = self._add(self._add(self._mul(a.c0, b.c2), self._mul(a.c1, b.c1)), self._mul(a.c2, b.c0))
        return _Jet(c0, c1, c2)

    def _reciprocal(self, a: _Jet) -> _Jet:
        # 1/(a0 + a1 t + a2 t^2) = 1/a0 - (a1/a0^2) t + (a1^2/a0^3 - a2/a0^2) t^2
        r = self._inv(a.c0)
        r2 = self._mul(r, r)
        c1 = self._scale(self._mul(a.c1, r2), sympy.Integer(-1))
        c2 = self._add(self._mul(self._mul(a.c1, a.c1), self._mul(r2, r)), self._scale(self._mul(a.c2, r2), sympy.Integer(-1)))
        return _Jet(r, c1, c2)


def _setup(f: sympy.Expr, zs: Sequence[Symbol], vs: Sequence[Symbol]) -> tuple[_Field, _Taylor]:
    k = len(zs)
    others = sorted(f.free_symbols - set(zs) - set(vs), key=str)
    names = [f"u{i}" for i in range(1, k + 1)] + [f"v{i}" for i in range(1, k + 1)] + [f"w{i}" for i in range(len(others))]
    field = _Field(names)
    index = {s: 2 * k + i for i, s in enumerate(others)}
    return field, _Taylor(field, zs, index, k)


def second_directional(f: sympy.Expr, zs: Sequence[Symbol], vs: Sequence[Symbol]) -> tuple[_Field, Any]:
    """``(field, Q)``: Q is v^T H v of ``f`` in ``zs`` along ``vs``, a rational function of
    u_k = exp(z_k), the directions and the other variables. Raises :class:`FormError`
    where ``f`` is outside the arithmetic (an ``exp`` of anything but one logit, a float,
    a non-integer power) or v^T H v is not such a rational function."""
    if len(zs) != len(vs) or len(set(zs)) != len(zs):
        raise FormError("one direction per logit")
    if f.has(sympy.Float):
        raise FormError("a floating-point number in the loss")
    f = sympy.expand(f)  # y_k (z_k - log S) becomes y_k z_k - y_k log S: the y's then cancel
    field, taylor = _setup(f, zs, vs)
    c2 = taylor.jet(f).c2
    if c2 is _OPAQUE:
        raise FormError("v^T H v is not a rational function of exp(z_k)")
    q = field.const(0) if c2 is None else c2
    return field, field.mul(q, field.const(2))


def _pair_sum(field: _Field, k: int, pattern: sympy.Expr) -> Any:
    si, sj, vi, vj = PATTERN
    if pattern.free_symbols - set(PATTERN):
        raise FormError("the pattern has variables other than s_i, s_j, v_i, v_j")
    try:
        poly = sympy.Poly(pattern, si, vi, sj, vj, domain="QQ")
    except (sympy.PolynomialError, sympy.polys.polyerrors.CoercionFailed) as exc:
        raise FormError("the pattern is not a polynomial with rational coefficients") from exc
    ctx = field.ctx
    us, ws = ctx.gens()[:k], ctx.gens()[k : 2 * k]
    total = ctx.constant(0)
    for u in us:
        total += u
    power_sums: dict[tuple[int, int], Any] = {}

    def power_sum(a: int, b: int) -> Any:
        if (a, b) not in power_sums:
            acc = ctx.constant(0)
            for u, w in zip(us, ws):
                acc += u**a * w**b
            power_sums[(a, b)] = acc
        return power_sums[(a, b)]

    out = field.const(0)
    s = (total, ())
    inv_s = field.inv(s)
    for (a, b, c, d), coeff in poly.terms():
        num = power_sum(a, b) * power_sum(c, d) * field.flint.fmpq(int(coeff.p), int(coeff.q))
        term = (num, ())
        for _ in range(a + c):
            term = field.mul(term, inv_s)
        out = field.add(out, term)
    return out


def form_equals_pair_sum(f: sympy.Expr, zs: Sequence[Symbol], vs: Sequence[Symbol], pattern: sympy.Expr) -> bool:
    r"""Whether :math:`v^\top H v` of ``f`` equals :math:`\sum_{i,j \le K} T(s_i, s_j, v_i, v_j)`
    exactly, for T = ``pattern``, s = softmax(z) and K = ``len(zs)``.

    Raises :class:`FormError` where either side is outside the arithmetic.
    """
    field, q = second_directional(f, zs, vs)
    return field.equal(q, _pair_sum(field, len(zs), pattern))
