r"""Refutations: a point that contradicts the claim's own statement.

A failed premise is not a refutation: a second derivative that vanishes at one
point does not make ``(p - y)**4`` less strictly convex. So a claim is refuted
only by a counterexample to what it says, inside its own domain, confirmed on the
original function at 60 digits with a margin (or exactly, where the values are
rational):

* convexity: two points ``a``, ``b`` and the weight ``t = 1/2`` where the chord lies
  below the function (for strict convexity: not above it);
* a minimiser: a target for which the named point lies outside the interval, or a
  point with a value no larger;
* a minimum value: a point with a lower value;
* an identity or a sign that *is* the claim: a step's confirmed counterexample.

The search is a grid around the places where things go wrong (the points where a
premise failed, kinks and jumps); finding nothing leaves the claim unknown.

>>> from sympy import Symbol, Interval, Abs
>>> from lossproof.kernel.claim import Claim, Domain, Subject
>>> p = Symbol("p")
>>> c = Claim("strictConvexOn", "custom", "p", Subject(Abs(p - Rational(1, 2)), p), Domain(((p, Interval.open(0, 1)),)), ())
>>> refute(c, ()).reason
'L(t a + (1 - t) b) - (t L(a) + (1 - t) L(b)) = 0 at t = 1/2, which is >= 0: the function is not below the chord'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

import mpmath
import sympy
from sympy import Interval, Rational, Symbol, oo

from ..compiled import mp_callable
from ..settings import current
from .calculus import conditions
from .claim import Claim, Counterexample, Domain, StepResult
from .kinds import MIN_RULES, KINDS, interior
from .rules import linear_hole
from .steps import confirm, inside

__all__ = ["refute"]

#: Chord half-widths, as fractions of the interval's scale.
_WIDTHS = (Rational(1, 4), Rational(1, 16), Rational(1, 64), Rational(1, 512))
#: A candidate must beat this at 30 digits before it is confirmed at 60.
_SCREEN = mpmath.mpf("1e-25")


def _values(iv: Interval) -> list[Rational]:
    """A few values of an interval: its closed ends, and points spread inside."""
    lo, hi = iv.start, iv.end
    if lo == -oo and hi == oo:
        return [Rational(k) for k in (-3, -1, 0, 1, 3)]
    if hi == oo:
        return [lo + d for d in (Rational(1, 2), Rational(1), Rational(3))] + ([lo] if not iv.left_open else [])
    if lo == -oo:
        return [hi - d for d in (Rational(1, 2), Rational(1), Rational(3))] + ([hi] if not iv.right_open else [])
    inner = [lo + (hi - lo) * Rational(k, 8) for k in (1, 2, 3, 4, 5, 6, 7)] + [lo + (hi - lo) * Rational(1, 3)]
    return ([lo] if not iv.left_open else []) + inner + ([hi] if not iv.right_open else [])


def _grid(iv: Interval) -> list[Rational]:
    lo, hi = iv.start, iv.end
    if lo == -oo or hi == oo:
        base = [Rational(k) for k in (-24, -12, -6, -3, -2, -1, 0, 1, 2, 3, 6, 12, 24)]
        return [x for x in base if iv.contains(x) is sympy.true]
    return [lo + (hi - lo) * Rational(k, 32) for k in range(1, 32)]


def _combos(claim: Claim, keep: Sequence[Symbol]) -> Iterator[dict[Symbol, Rational]]:
    others = [(s, _values(iv)) for s, iv in claim.domain.intervals if s not in keep]
    for n, combo in enumerate(itertools.product(*(vals for _, vals in others))):
        if n >= current().refute_combos:
            return
        yield {s: v for (s, _), v in zip(others, combo)}


def _mp(expr: sympy.Expr, args: Sequence[Symbol]):  # noqa: ANN202 - an mpmath callable
    return mp_callable(expr, args)


def _mpf(x: sympy.Expr) -> mpmath.mpf:
    if x.is_Rational:
        return mpmath.mpf(int(x.p)) / int(x.q)
    return mpmath.mpf(sympy.N(x, 40))


def _screen(fn, *xs: sympy.Expr) -> mpmath.mpf | None:  # noqa: ANN001
    # A quick look at 30 digits; a candidate is then confirmed exactly or at 60.
    try:
        with mpmath.workdps(30):
            v = fn(*(_mpf(x) for x in xs))
            if isinstance(v, (int, float)):  # a constant compiles to a plain number
                v = mpmath.mpf(v)
            return v if isinstance(v, mpmath.mpf) else None
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        return None


def _special(claim: Claim, var: Symbol, fixed: Mapping[Symbol, Rational], seeds: Sequence[Mapping[str, str]]) -> list[sympy.Expr]:
    """Where convexity is likely to fail: kinks and jumps, and where a premise failed."""
    f = claim.subject.function
    out = []
    for atom in f.atoms(sympy.Abs, sympy.sign):
        r = linear_hole(atom.args[0], var)
        if r is not None:
            out.append(r.xreplace(fixed))
    for seed in seeds:
        value = seed.get(str(var))
        if value is not None:
            try:
                out.append(Rational(value))  # a rational literal; anything else is no seed
            except (TypeError, ValueError):
                continue
    return [x for x in out if x is not None and x.is_number and x.is_real]


def _defined(claim: Claim) -> Domain:
    """The claim's domain with where the function (as written) is defined: a
    counterexample uses only points where the loss is a real number."""
    return Domain(claim.domain.intervals, claim.domain.hypotheses + conditions(claim.subject.function).defined + tuple(claim.conditions))


def _chord(claim: Claim, seeds: Sequence[Mapping[str, str]]) -> Counterexample | None:
    f, var = claim.subject.function, claim.subject.var
    assert var is not None
    defined = _defined(claim)
    iv = claim.domain.box()[var]
    strict = claim.kind == "strictConvexOn"
    others = [s for s, _ in claim.domain.intervals if s != var]
    fn = _mp(f, [*others, var])
    scale = (iv.end - iv.start) if iv.start != -oo and iv.end != oo else Rational(4)
    for fixed in _combos(claim, [var]):
        args = [fixed[s] for s in others]
        centres = [(x, h * scale) for x in _grid(iv) for h in _WIDTHS[:2]]
        for sp in _special(claim, var, fixed, seeds):
            centres += [(sp + sgn * h * scale, h * scale) for h in _WIDTHS for sgn in (-1, 0, 1)]
        for x0, h in centres:
            a, b = x0 - h, x0 + h
            if not all(iv.contains(v) is sympy.true for v in (a, b)):
                continue
            fa, fb, fm = (_screen(fn, *args, v) for v in (a, b, x0))
            if fa is None or fb is None or fm is None:
                continue
            gap = (fa + fb) / 2 - fm  # >= 0 (> 0) for a convex (strictly convex) function
            if gap > (_SCREEN if strict else -_SCREEN):
                continue
            point = {**fixed, var: x0}
            if not all(inside({**fixed, var: v}, defined) for v in (a, b, x0)):
                continue
            value = (f.xreplace({**fixed, var: a}) + f.xreplace({**fixed, var: b})) / 2 - f.xreplace(point)
            rel = ">" if strict else ">="
            if confirm(value, rel, {}):
                shown = value if value.is_Rational else sympy.N(value, 20)
                words = "which is >= 0: the function is not below the chord" if strict else "which is > 0: the function lies above the chord"
                cx = {**{str(k): str(v) for k, v in fixed.items()}, "a": str(a), "b": str(b), "t": "1/2"}
                return Counterexample(cx, f"L(t a + (1 - t) b) - (t L(a) + (1 - t) L(b)) = {-shown} at t = 1/2, {words}")
    return None


def _lower_value(claim: Claim, point_of: sympy.Expr, inner: bool, what: str, strict: bool) -> Counterexample | None:
    """A target and a point where the function is below its value at ``point_of`` (or equal, if ``strict``)."""
    f, var = claim.subject.function, claim.subject.var
    assert var is not None
    box = claim.domain.box()
    iv = box[var]
    y = claim.subject.vars[0]
    defined = _defined(claim)
    domain = dict(box)
    if inner:
        domain[y] = interior(box[y])
    others = [s for s in domain if s != var]
    fn = _mp(f, [*others, var])
    value_fn = _mp(point_of, others) if what != "minimiser" else None
    # Where a point of the search must lie: the claim's domain (the target's interior, for a
    # minimiser) and where the loss is defined.
    around = Domain(tuple((s, i) for s, i in defined.intervals if s != y) + ((y, domain[y]),), defined.hypotheses)
    for fixed in itertools.islice(itertools.product(*(_values(domain[s]) for s in others)), current().refute_combos):
        values = dict(zip(others, fixed))
        if not all(domain[s].contains(v) is sympy.true for s, v in values.items()):
            continue
        r0 = point_of.xreplace(values)
        if not r0.is_number:
            continue
        target = None
        if what == "minimiser":
            placed = iv.contains(r0)
            if placed is sympy.false:
                cx = {**{str(k): str(v) for k, v in values.items()}, str(var): str(r0)}
                return Counterexample(cx, f"the named minimiser {var} = {r0} lies outside {iv}")
            if placed is not sympy.true or not inside({**values, var: r0}, Domain(((var, iv),), defined.hypotheses)):
                continue
            target = r0
        base = _screen(fn, *fixed, target) if target is not None else _screen(value_fn, *fixed)
        if base is None:
            continue
        reference = f.xreplace({**values, var: target}) if target is not None else r0
        for x in _grid(iv):
            if target is not None and x == target:
                continue
            fx = _screen(fn, *fixed, x)
            if fx is None or fx - base > _SCREEN or not inside({**values, var: x}, around):
                continue
            value = f.xreplace({**values, var: x}) - reference
            if confirm(value, ">" if strict else ">=", {}):
                cx = {**{str(k): str(v) for k, v in values.items()}, str(var): str(x)}
                return Counterexample(cx, f"L at {var} = {x} is {sympy.N(value, 15)} from the claimed {'minimum' if what == 'minimiser' else 'minimum value'}")
    return None


def _direction_chord(claim: Claim, seeds: Sequence[Mapping[str, str]]) -> Counterexample | None:
    """Strict convexity in several logits fails along a direction where the function is
    affine: the chord from z = 0 to z = v and the midpoint value are equal, which the
    identity check proves (SymPy and 60-digit evaluation), or the midpoint lies above."""
    from ..identity import check_identity

    f, zs = claim.subject.function, claim.subject.vars
    for seed in seeds:
        # A step about one class index (v_i: the diagonal term of a pair sum) proposes
        # the direction that moves every logit alike, v = (c, ..., c) with c the sign of
        # its v_i; like any seed, only a candidate, confirmed below.
        if "v_i" in seed:
            c = "-1" if str(seed["v_i"]).startswith("-") else "1"
            seed = {f"v{i}": c for i in range(1, len(zs) + 1)}
        try:
            v = [Rational(seed[f"v{i}"]) for i in range(1, len(zs) + 1)]
        except (KeyError, TypeError, ValueError):
            continue
        if all(x == 0 for x in v):
            continue
        fixed = next(_combos(claim, zs), {})
        at = lambda t: f.xreplace({**fixed, **{zk: t * vk for zk, vk in zip(zs, v)}})  # noqa: E731
        gap = (at(0) + at(1)) / 2 - at(Rational(1, 2))  # > 0 for a strictly convex function
        same = check_identity(gap, sympy.Integer(0), {})
        valid = all(c.is_number and confirm(c, "<=", {}) for c in same.side_conditions)  # each > 0, confirmed
        if confirm(gap, ">", {}) or (same.holds and valid):
            cx = {**{str(k): str(val) for k, val in fixed.items()}, **{f"v{i}": str(x) for i, x in enumerate(v, 1)}, "a": "0", "b": "v", "t": "1/2"}
            return Counterexample(cx, "along z = t v the function is affine: the chord from z = 0 to z = v is not above it")
    return None


def refute(claim: Claim, results: Sequence[StepResult], structure_ok: bool = True) -> Counterexample | None:
    """A confirmed counterexample to the claim's own statement, or None.

    ``results`` are the claim's step results, whose counterexamples seed the search.
    ``structure_ok`` says whether the parts match the claim (only then do the parts'
    points belong to its statement).
    """
    if claim.kind not in KINDS:
        return None
    seeds = [r.counterexample for r in results if r.counterexample]
    s = claim.subject
    if claim.kind in ("strictConvexOn", "convexOn") and s.var is not None and s.var in claim.domain.box() and not claim.domain.hypotheses:
        return _chord(claim, seeds)
    if claim.kind == "strictConvexOn" and s.var is None and s.vars and not claim.domain.hypotheses:
        return _direction_chord(claim, seeds)
    if not structure_ok:
        return None
    if claim.kind == "isMinOn":
        main = next((q for q in claim.parts if not q.case and q.rule in MIN_RULES), None)
        if main is not None and main.subject.point is not None:
            return _lower_value(claim, main.subject.point, True, "minimiser", True)
    if claim.kind == "min_value" and s.value is not None:
        return _lower_value(claim, s.value, False, "value", False)
    if claim.kind in ("kl_bernoulli_nonneg", "sub_entropy_eq_kl", "gradient"):
        # Each part's statement is a step's statement on a domain the kind checked.
        for r in results:
            if r.status == "refuted" and r.counterexample:
                return Counterexample(dict(r.counterexample), f"violates {r.step.rule}")
    return None
