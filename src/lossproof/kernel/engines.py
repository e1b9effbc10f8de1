r"""Two engines that decide sign questions on a box, sharing no code.

A question is: does ``expr rel 0`` hold at every point of a box (each symbol in
an interval) that satisfies some hypotheses (``h rel 0``)? ``expr`` and the
hypotheses are rational functions; log atoms have already been replaced by
symbols constrained through named lemmas (see :mod:`lossproof.kernel.steps`).

* :class:`SignEngine` is lossproof's own reasoning on SymPy expressions: signs
  of symbols from their intervals, of sums, products, quotients and powers of
  terms of known sign, of linear functions of one variable from their values at
  the ends, convex combinations ``w1 a1 + w2 a2`` with ``w1 + w2`` a positive
  constant, and the substitution of an upper bound for an atom that enters with
  a non-positive coefficient. It refutes by exact evaluation at rational points.
* :class:`Z3Engine` clears denominators (after proving their sign) and asks Z3's
  nonlinear real arithmetic, a complete decision procedure for polynomial
  inequalities, whether the negation is satisfiable.

>>> from sympy import Interval, Symbol
>>> s = Symbol("s")
>>> q = Question(s * (1 - s), ">", ((s, Interval.open(0, 1)),))
>>> SignEngine().decide(q).status, Z3Engine().decide(q).status
('proved', 'proved')
>>> bad = Question(s * (1 - s) - sympy.Rational(1, 4), ">", ((s, Interval.open(0, 1)),))
>>> Z3Engine().decide(bad).counterexample
{s: 1/2}
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import sympy
import z3
from sympy import Add, Interval, Mul, Rational, Symbol, oo

from ..identity import lowest_terms
from ..settings import DEFAULT, current
from .claim import Assumption

# Z3 catches SIGINT during a query by default (its "ctrl_c"): the first Ctrl-C then only
# cancels that query (an "unknown" verdict) and never reaches lossproof.interrupt, while
# the forked workers, back on the default action, die of it: `lossproof prove bce` said
# "a worker process ended abruptly" (exit 1) instead of "interrupted" (exit 130).
z3.set_param("ctrl_c", False)

__all__ = ["Question", "Assumption", "Outcome", "SignEngine", "Z3Engine", "RELATIONS", "holds"]

#: The relations a question or hypothesis may use (``expr rel 0``).
RELATIONS = (">", ">=", "<", "<=", "!=", "==")
#: Z3 gets this long per query before its answer counts as unknown.
Z3_TIMEOUT_MS = DEFAULT.z3_timeout_ms

_POS, _ZERO, _NEG = 1, 0, -1
_ANY = frozenset({_NEG, _ZERO, _POS})


@dataclass(frozen=True)
class Question:
    """Does ``expr rel 0`` hold on the box under the hypotheses?"""

    expr: sympy.Expr
    rel: str
    box: tuple[tuple[Symbol, Interval], ...]
    hypotheses: tuple[Assumption, ...] = ()
    #: Atoms bounded above: ``atom <= bound`` (or ``<`` when strict), from lemmas.
    upper_bounds: tuple[tuple[Symbol, sympy.Expr, bool], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """An engine's answer: proved, refuted (with a point of the box) or unknown (with why)."""

    status: str
    counterexample: Mapping[Symbol, Rational] | None = None
    reason: str = ""
    detail: tuple[str, ...] = field(default=())


_TESTS = {
    ">": lambda v: v > 0,
    ">=": lambda v: v >= 0,
    "<": lambda v: v < 0,
    "<=": lambda v: v <= 0,
    "!=": lambda v: v != 0,
    "==": lambda v: v == 0,
}


def holds(value: sympy.Expr, rel: str) -> bool:
    """Whether the number ``value`` satisfies ``value rel 0``.

    >>> holds(sympy.Rational(1, 3), ">"), holds(0, "<")
    (True, False)
    """
    return bool(_TESTS[rel](value))


_ALLOWED = {">": {_POS}, ">=": {_POS, _ZERO}, "<": {_NEG}, "<=": {_NEG, _ZERO}, "!=": {_NEG, _POS}, "==": {_ZERO}}


# ---------------------------------------------------------------- SymPy-side engine


@lru_cache(maxsize=4096)  # pure; the same few intervals are asked about in every question
def _interval_sign(iv: Interval) -> frozenset[int]:
    out = set()
    if iv.start < 0:
        out.add(_NEG)
    if iv.end > 0:
        out.add(_POS)
    # 0 is in the interval: its ends compared with 0 directly (Interval.contains is slow).
    if not isinstance(iv, Interval):  # a single point or the empty set
        if iv.contains(0) is sympy.true:
            out.add(_ZERO)
    elif (iv.start < 0 or (iv.start == 0 and not iv.left_open)) and (iv.end > 0 or (iv.end == 0 and not iv.right_open)):
        out.add(_ZERO)
    return frozenset(out)


def _mul(a: frozenset[int], b: frozenset[int]) -> frozenset[int]:
    return frozenset(x * y for x in a for y in b)


def _add(signs: Sequence[frozenset[int]]) -> frozenset[int]:
    for same in (_POS, _NEG):
        if all(s <= {same, _ZERO} for s in signs):
            if all(s == {_ZERO} for s in signs):
                return frozenset({_ZERO})
            return frozenset({same}) if any(s == {same} for s in signs) else frozenset({same, _ZERO})
    return _ANY


@lru_cache(maxsize=4096)  # pure: the same factors recur in many questions of one run
def _linear_sign(e: sympy.Expr, v: Symbol, iv: Interval) -> frozenset[int] | None:
    if not e.is_polynomial(v) or sympy.degree(e, v) != 1:
        return None
    if iv.start == -oo or iv.end == oo:
        return None
    a, b = e.subs(v, iv.start), e.subs(v, iv.end)
    if a <= b:
        return _interval_sign(Interval(a, b, iv.left_open, iv.right_open))
    return _interval_sign(Interval(b, a, iv.right_open, iv.left_open))


# The same sub-expressions recur in many questions of one run (every step about a
# derivative has its factors): their rewritings are pure functions, memoised per
# process. The Z3 engine keeps its own memo (the engines share no code).
@lru_cache(maxsize=4096)
def _sign_cancel(e: sympy.Expr) -> sympy.Expr:
    return sympy.cancel(e)


@lru_cache(maxsize=4096)
def _sign_factor(e: sympy.Expr) -> sympy.Expr:
    return sympy.factor(e)


@lru_cache(maxsize=4096)
def _sign_expand(e: sympy.Expr) -> sympy.Expr:
    return sympy.expand(e)


class SignEngine:
    """lossproof's own sign reasoning on SymPy expressions (see the module doc)."""

    def __init__(self, samples: int = 9) -> None:
        self.samples = samples
        self._memo: dict[sympy.Expr, frozenset[int]] = {}

    def decide(self, q: Question) -> Outcome:
        """Prove ``q`` by sign rules, else look for a counterexample, else unknown."""
        box = dict(q.box)
        facts = {sympy.expand(h.expr): frozenset(_ALLOWED[h.rel]) for h in q.hypotheses}
        self._memo = {}  # signs depend on the box and facts: one memo per question
        expr, rel, strict_ok = q.expr, q.rel, True
        steps: list[str] = []
        # Replace a bounded atom by its bound where it enters with the right sign:
        # expr >= expr[atom := bound] when d expr / d atom <= 0 and atom <= bound.
        for atom, bound, strict in q.upper_bounds:
            coeff = sympy.diff(expr, atom)
            if coeff.has(atom):
                return self._refute_or_unknown(q, f"{atom} does not enter linearly")
            csign = self._sign(sympy.cancel(coeff), box, facts)
            if rel in (">", ">=") and csign <= {_NEG, _ZERO}:
                expr = sympy.cancel(expr.subs(atom, bound))
                steps.append(f"{atom} <= {bound} with coefficient <= 0")
                if rel == ">" and strict and csign == {_NEG}:
                    rel, strict_ok = ">=", True  # expr > expr[bound] >= 0
            else:
                return self._refute_or_unknown(q, f"cannot use the bound on {atom}")
        sign = self._sign(expr, box, facts)
        if sign and sign <= _ALLOWED[rel] and strict_ok:
            return Outcome("proved", detail=tuple(steps) + (f"sign {sorted(sign)}",))
        return self._refute_or_unknown(q, f"sign rules give {sorted(sign)} for {rel} 0")

    # The sign of an expression as the set of signs it can take on the box.
    def _sign(self, e: sympy.Expr, box: Mapping[Symbol, Interval], facts: Mapping[sympy.Expr, frozenset[int]]) -> frozenset[int]:
        if e in self._memo:
            return self._memo[e]
        self._memo[e] = result = self._sign_forms(e, box, facts)
        return result

    def _sign_forms(self, e: sympy.Expr, box: Mapping[Symbol, Interval], facts: Mapping[sympy.Expr, frozenset[int]]) -> frozenset[int]:
        # The same value written three ways; each answer is sound, so keep their intersection.
        best = _ANY
        seen = []
        for make in (lambda: e, lambda: _sign_cancel(e), lambda: _sign_factor(e)):
            form = make()  # lazily: factor is the costliest, and often not needed
            if any(form == f for f in seen):
                continue
            seen.append(form)
            best = best & self._sign_once(form, box, facts)
            if len(best) <= 1:
                break
        return best

    def _sign_once(self, e: sympy.Expr, box: Mapping[Symbol, Interval], facts: Mapping[sympy.Expr, frozenset[int]]) -> frozenset[int]:
        if e.is_Number:
            return frozenset({_POS if e > 0 else _NEG if e < 0 else _ZERO})
        known = facts.get(_sign_expand(e))
        flipped = facts.get(_sign_expand(-e))
        from_facts = _ANY
        if known is not None:
            from_facts = from_facts & known
        if flipped is not None:
            from_facts = from_facts & frozenset(-x for x in flipped)
        if e.is_Symbol:
            return from_facts & (_interval_sign(box[e]) if e in box else _ANY)
        if e.is_Add:
            result = self._linear(e, box)
            if result is None:
                signs = [self._sign(t, box, facts) for t in e.args]
                result = _add(signs)
                if result == {_POS, _ZERO}:
                    result = self._convex(e, box, facts) or result
            return from_facts & result
        if e.is_Mul:
            out = frozenset({_POS})
            for f in e.args:
                out = _mul(out, self._sign(f, box, facts))
            return from_facts & out
        if e.is_Pow and e.exp.is_Integer:
            base = self._sign(e.base, box, facts)
            if e.exp < 0 and _ZERO in base:
                return _ANY  # possibly a division by zero: no sign
            if int(e.exp) % 2 == 0:
                return from_facts & frozenset({_POS} if _ZERO not in base else {_POS, _ZERO})
            return from_facts & (base - {_ZERO} if e.exp < 0 else base)
        return from_facts

    @staticmethod
    def _linear(e: sympy.Expr, box: Mapping[Symbol, Interval]) -> frozenset[int] | None:
        # A linear function of one variable takes the values between its values at the ends.
        free = e.free_symbols
        if len(free) != 1:
            return None
        (v,) = free
        return _linear_sign(e, v, box[v]) if v in box else None


    def _convex(self, e: sympy.Expr, box: Mapping[Symbol, Interval], facts: Mapping[sympy.Expr, frozenset[int]]) -> frozenset[int] | None:
        # sum_i w_i a_i with a_i > 0, w_i >= 0 and sum_i w_i a positive constant is > 0.
        weights = []
        for term in e.args:
            w, a = [], []
            for f in Mul.make_args(term):
                (a if self._sign(f, box, facts) == {_POS} else w).append(f)
            weight = Mul(*w)
            if not self._sign(weight, box, facts) <= {_POS, _ZERO}:
                return None
            weights.append(weight)
        total = sympy.expand(Add(*weights))
        return frozenset({_POS}) if total.is_Number and total > 0 else None

    def _refute_or_unknown(self, q: Question, reason: str) -> Outcome:
        point = self.find_counterexample(q)
        if point is not None:
            return Outcome("refuted", point, "a rational point of the box violates it")
        return Outcome("unknown", None, reason)

    def find_counterexample(self, q: Question) -> dict[Symbol, Rational] | None:
        """Exact evaluation on a grid of rational points, near the ends included."""
        if q.upper_bounds:
            return None  # atoms stand for logs: a point of the box alone is no counterexample
        grids = []
        for sym, iv in q.box:
            lo = iv.start if iv.start != -oo else Rational(-30)
            hi = iv.end if iv.end != oo else Rational(30)
            pts = {lo + (hi - lo) * Rational(k, self.samples - 1) for k in range(self.samples)}
            pts |= {lo + (hi - lo) * Rational(1, 1000), hi - (hi - lo) * Rational(1, 1000)}
            grids.append([(sym, v) for v in sorted(pts) if iv.contains(v) is sympy.true])
        for combo in itertools.product(*grids):
            point = dict(combo)
            if not all(_value_holds(h.expr, h.rel, point) for h in q.hypotheses):
                continue
            value = q.expr.subs(point)
            if value.is_number and value.is_finite and not holds(value, q.rel):
                return point
        return None


def _value_holds(expr: sympy.Expr, rel: str, point: Mapping[Symbol, Rational]) -> bool:
    v = expr.subs(point)
    return bool(v.is_number and v.is_finite and holds(v, rel))


# ---------------------------------------------------------------- Z3 engine


class Z3Engine:
    """Z3's nonlinear real arithmetic on the question with denominators cleared."""

    def __init__(self, timeout_ms: int | None = None) -> None:
        self.timeout_ms = current().z3_timeout_ms if timeout_ms is None else timeout_ms

    def decide(self, q: Question) -> Outcome:
        syms = sorted({s for s, _ in q.box} | {a for a, _, _ in q.upper_bounds}, key=str)
        env = {s: _z3_real(str(s)) for s in syms}
        base = [c for s, iv in q.box for c in self._interval(env[s], iv)]
        context: tuple = (q.box,)  # what ``base`` says, in SymPy terms
        for h in q.hypotheses:
            cleared = self._clear(h.expr, h.rel, env, base, context)
            if cleared is None:
                return Outcome("unknown", reason=f"cannot clear the denominator of hypothesis {h.expr}")
            base.append(cleared)
            context += ((h.expr, h.rel),)
        for atom, bound, strict in q.upper_bounds:
            cleared = self._clear(atom - bound, "<" if strict else "<=", env, base, context)
            if cleared is None:
                return Outcome("unknown", reason=f"cannot clear the denominator of the bound on {atom}")
            base.append(cleared)
            context += ((atom, bound, strict),)
        goal = self._clear(q.expr, q.rel, env, base, context)
        if goal is None:
            return Outcome("unknown", reason=f"cannot prove the sign of the denominator of {q.expr}")
        answer, model = self._check(base + [z3.Not(goal)])
        if answer == "unsat":
            return Outcome("proved")
        if answer == "sat":
            point = {s: _z3_value(model, env[s]) for s in syms if s in dict(q.box)}
            return Outcome("refuted", point, "Z3 found a model of the negation")
        return Outcome("unknown", reason=f"Z3 answered {answer} within {self.timeout_ms} ms")

    def _check(self, constraints: list) -> tuple[str, object]:
        solver = z3.SolverFor("QF_NRA")
        solver.set("timeout", self.timeout_ms)
        solver.add(*constraints)
        answer = solver.check()
        return str(answer), (solver.model() if answer == z3.sat else None)

    @staticmethod
    def _interval(v: object, iv: Interval) -> list:
        out = []
        if iv.start != -oo:
            out.append(v > _z3_num(iv.start) if iv.left_open else v >= _z3_num(iv.start))
        if iv.end != oo:
            out.append(v < _z3_num(iv.end) if iv.right_open else v <= _z3_num(iv.end))
        return out

    def _clear(self, expr: sympy.Expr, rel: str, env: Mapping[Symbol, object], base: list, context: tuple = ()) -> object | None:
        num, den = _z3_fraction(expr)
        if den.is_Number:
            return _relate(_to_z3(num * sympy.sign(den), env), rel)
        # The sign of a denominator under the same box and hypotheses (``context``, in
        # SymPy terms) is asked by many questions of one run: Z3 answers it once per process.
        key = (den, context)
        sign = _DEN_SIGNS.get(key) if context else None
        if sign is None:
            zden = _to_z3(den, env)
            sign = 0
            for s in (1, -1):
                answer, _ = self._check(base + [z3.Not(zden > 0 if s > 0 else zden < 0)])
                if answer == "unsat":
                    sign = s
                    break
            if context and sign != 0:
                _DEN_SIGNS[key] = sign
        if sign == 0:
            return None
        return _relate(_to_z3(num, env), _flip(rel) if sign < 0 else rel)


@lru_cache(maxsize=1024)
def _z3_real(name: str) -> object:
    # A Z3 constant is a name in Z3's one context: made once per process.
    return z3.Real(name)


#: (denominator, context) -> its proved sign, 1 or -1; filled within one process only.
_DEN_SIGNS: dict[tuple, int] = {}


@lru_cache(maxsize=4096)
def _z3_fraction(expr: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr]:
    return lowest_terms(expr)


def _flip(rel: str) -> str:
    return {">": "<", ">=": "<=", "<": ">", "<=": ">=", "!=": "!=", "==": "=="}[rel]


def _relate(lhs: object, rel: str) -> object:
    # Z3 expressions overload the comparisons, so the same table serves both.
    return _TESTS[rel](lhs)


def _z3_num(r: sympy.Expr) -> object:
    r = Rational(r)
    return z3.RealVal(f"{r.p}/{r.q}")


def _to_z3(e: sympy.Expr, env: Mapping[Symbol, object]) -> object:
    if e.is_Symbol:
        return env[e]
    if e.is_Rational:
        return _z3_num(e)
    if e.is_Add:
        out = _to_z3(e.args[0], env)
        for a in e.args[1:]:
            out = out + _to_z3(a, env)
        return out
    if e.is_Mul:
        out = _to_z3(e.args[0], env)
        for a in e.args[1:]:
            out = out * _to_z3(a, env)
        return out
    if e.is_Pow and e.exp.is_Integer and e.exp > 0:
        base = _to_z3(e.base, env)
        out = base
        for _ in range(int(e.exp) - 1):
            out = out * base
        return out
    raise ValueError(f"not a polynomial: {e}")


def _z3_value(model: object, var: object) -> Rational:
    v = model.eval(var, model_completion=True)  # type: ignore[attr-defined]
    if isinstance(v, z3.RatNumRef):
        return Rational(v.numerator_as_long(), v.denominator_as_long())
    if isinstance(v, z3.AlgebraicNumRef):
        approx = v.approx(40)
        return Rational(approx.numerator_as_long(), approx.denominator_as_long())
    return Rational(str(v))

