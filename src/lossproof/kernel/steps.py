r"""Checking one step with two sides that share no code.

========== ======================================= ===========================
step       SymPy side                              independent side
========== ======================================= ===========================
Derivative ``diff`` then the identity check        mpmath finite differences
Identity   ``cancel`` / ``simplify``               exact / 60-digit evaluation
Sign       :class:`~.engines.SignEngine`            :class:`~.engines.Z3Engine`, and
                                                   60-digit sampling (never a proof;
                                                   a contradiction makes it unknown)
Roots      ``solve`` + sign of the denominator     Z3: no other root, root in domain
Limit      ``limit``                               mpmath along a sequence
========== ======================================= ===========================

A step is proved only when both sides prove it (:func:`combine`); refuted when a
counterexample inside the step's own domain is confirmed on the original
expression; otherwise unknown with the reason. A derivative step also proves that
its function is real and smooth on its domain (:mod:`.calculus`). Steps are
dispatched once, by class name (:class:`StepVisitor`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import mpmath
import sympy
from sympy.core.evalf import PrecisionExhausted
from sympy import Dummy, Interval, Rational, Symbol, log, oo

from ..compiled import mp_callable
from ..identity import check_identity, mp_compiled, name_sigmoids, sample_points
from ..numeric import check_mpmath, mp_function
from ..sigmoid import sigmoid
from ..settings import DEFAULT, current
from ..timeout import ResourceLimitExceeded
from .calculus import conditions, smooth_diff
from .claim import PROVED, REFUTED, UNKNOWN, Cover, Derivative, Domain, Assumption, Identity, Limit, Roots, Sign, Status, Step, StepResult
from .engines import Question, SignEngine, Z3Engine
from .lemmas import LEMMAS, T, lemma_status

__all__ = ["StepVisitor", "check_step", "combine", "confirm", "inside", "real_roots", "root_inside", "sigmoid_value", "sympy_limit", "SIGN_SAMPLES", "stored_covers", "cover_key"]

#: Points at which the numeric side of a sign step samples the original expression.
SIGN_SAMPLES = DEFAULT.sign_samples
#: Digits of every confirmation; a value counts as on the wrong side only beyond
#: CONFIRM_MARGIN (an exact 0 is decided exactly, never from a float).
CONFIRM_DIGITS = 60
CONFIRM_MARGIN = sympy.Float(repr(DEFAULT.confirm_margin), CONFIRM_DIGITS)


class StepVisitor:
    """Dispatch on a step's class: ``visit(step)`` calls ``visit_<ClassName>(step)``.

    The checker, the certificate codec and the renderers each subclass it, so that a
    new kind of step is one new method in each, not another ``isinstance`` chain.
    """

    def visit(self, step: Step, *args: Any) -> Any:
        method = getattr(self, f"visit_{type(step).__name__}", None)
        if method is None:
            raise TypeError(f"not a step: {step!r}")
        return method(step, *args)


def combine(a: str, b: str) -> Status:
    """Two sides' verdicts as one: proved only if both prove; a contradiction is unknown."""
    if a == b and a in (PROVED, REFUTED, UNKNOWN):
        return Status(a)
    if REFUTED in (a, b) and PROVED in (a, b):
        return UNKNOWN  # the engines contradict each other: never settled silently
    return REFUTED if REFUTED in (a, b) else UNKNOWN


def _exact(value: sympy.Expr | int) -> sympy.Expr | None:
    """``value`` as an exact rational, when SymPy evaluated it to one (or it is a Python int)."""
    if isinstance(value, int):
        return sympy.Integer(value)
    return value if value.is_Rational else None


def confirm(expr: sympy.Expr, rel: str, point: Mapping[Symbol, sympy.Expr]) -> bool:
    """Whether ``expr rel 0`` is violated at ``point``, confirmed at high precision.

    An exact value is compared exactly. Otherwise the value at 60 digits must lie on
    the wrong side by more than :data:`CONFIRM_MARGIN`: a true ``> 0`` whose value is
    a tiny positive number is never "confirmed" violated, and an equality that only
    looks like one at 60 digits never violates ``!=``.

    >>> p = Symbol("p")
    >>> confirm(p - Rational(1, 2), ">", {p: Rational(1, 2)}), confirm(p + Rational(1, 10**45), ">", {p: 0})
    (True, False)
    """
    value = expr.xreplace(dict(point))
    exact = _exact(value)
    if exact is not None:
        return not _holds(exact, rel)
    approx = _approx(value)
    if approx is None or not isinstance(approx, sympy.Basic) or not approx.is_number or approx.has(sympy.nan, sympy.zoo) or not approx.is_finite or approx.is_extended_real is False:
        return False
    if rel in (">", ">="):
        return bool(approx < -CONFIRM_MARGIN)
    if rel in ("<", "<="):
        return bool(approx > CONFIRM_MARGIN)
    if rel == "==":
        return bool(abs(approx) > CONFIRM_MARGIN)
    return False  # "!=": a zero is shown only by an exact value


def _approx(value: sympy.Expr) -> sympy.Expr | None:
    """``value`` to :data:`CONFIRM_DIGITS` correct digits, or None where SymPy cannot reach
    them: evalf would otherwise return a value of a bit or two (``0.e-33`` for
    1 - tanh(411)^2, which is 4e-357), and a true identity was once "confirmed" violated.

    >>> _approx(1 - sympy.tanh(Rational(395000, 961)) ** 2) is None
    True
    """
    try:
        return sympy.N(value, CONFIRM_DIGITS, strict=True)
    except PrecisionExhausted:
        return None


def _holds(value: sympy.Expr, rel: str) -> bool:
    return bool({">": value > 0, ">=": value >= 0, "<": value < 0, "<=": value <= 0, "!=": value != 0, "==": value == 0}[rel])


def inside(point: Mapping[Symbol, sympy.Expr], domain: Domain) -> bool:
    """Whether ``point`` lies in ``domain``: every interval exactly, every hypothesis confirmed."""
    for var, iv in domain.intervals:
        if var not in point or iv.contains(point[var]) is not sympy.true:
            return False
    for h in domain.hypotheses:
        value = h.expr.xreplace(dict(point))
        exact = _exact(value)
        if exact is not None:
            if not _holds(exact, h.rel):
                return False
            continue
        approx = _approx(value)
        if approx is None or not approx.is_number or approx.is_extended_real is False:
            return False
        ok = {">": approx > CONFIRM_MARGIN, ">=": approx > CONFIRM_MARGIN, "<": approx < -CONFIRM_MARGIN,
              "<=": approx < -CONFIRM_MARGIN, "!=": abs(approx) > CONFIRM_MARGIN, "==": False}[h.rel]
        if not ok:
            return False
    return True


def _text_point(point: Mapping[Symbol, sympy.Expr]) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


# ---------------------------------------------------------------- sign steps


def _sigmoid_symbols(expr: sympy.Expr, domain: Domain) -> tuple[sympy.Expr, Domain, dict[Symbol, sympy.Expr], bool]:
    """Name every sigmoid(u) as a variable ``s``; return the map back and whether it is exact.

    Where ``u`` is a variable that enters only through ``sigmoid(u)``, ``s`` ranges over
    sigma of u's interval, an exact change of variables (sigma is an increasing bijection),
    and u leaves the box. Otherwise u keeps its interval and ``s`` gets an interval that
    contains sigma of every value of u: a proof stays valid, but a point of the new box
    need not be a point of the old domain, so such a question may prove, never refute.
    """
    plain, names = name_sigmoids(expr)
    hyps = tuple(Assumption(h.expr.xreplace(names), h.rel) for h in domain.hypotheses)
    box = dict(domain.intervals)
    exact, drop = True, set()
    for atom, s in names.items():
        u = atom.args[0]
        if u.is_Symbol and u in box:
            box[s], image_exact = _sigmoid_image(box[u])
            alone = not plain.has(u) and not any(h.expr.has(u) for h in hyps)
            if alone:
                drop.add(u)
            exact = exact and image_exact and alone
        else:
            box[s], exact = Interval.open(0, 1), False
    for u in drop:
        del box[u]
    intervals = tuple(sorted(box.items(), key=lambda kv: str(kv[0])))
    return plain, Domain(intervals, hyps), {n: a for a, n in names.items()}, exact


def _sigmoid_image(iv: Interval) -> tuple[Interval, bool]:
    """sigma of the interval ``iv``, and whether that is exact (else the result contains it)."""
    step = Rational(1, 10**30)

    def end(x: sympy.Expr, up: bool) -> tuple[Rational, bool]:
        if x == -oo:
            return Rational(0), True
        if x == oo:
            return Rational(1), True
        if x == 0:
            return Rational(1, 2), True
        # An irrational end: the nearest rational on the outside, so the box contains the image.
        scaled = sympy.N(sigmoid(x).rewrite(sympy.exp), 50) / step
        return (sympy.ceiling(scaled) if up else sympy.floor(scaled)) * step, False

    (lo, lo_exact), (hi, hi_exact) = end(iv.start, False), end(iv.end, True)
    left_open = iv.left_open if lo_exact else False
    right_open = iv.right_open if hi_exact else False
    return Interval(lo, hi, left_open, right_open), lo_exact and hi_exact


#: Functions replaced in a sign question by a fresh variable in their range: sound for a
#: proof (the claim holds for every value in the range), never a refutation.
_RANGES = {sympy.exp: Interval.open(0, oo), sympy.cosh: Interval(1, oo)}
#: Odd increasing functions written as ``u * k``: tanh(u) = u k with k = tanh(u)/u in (0, 1]
#: (any k at u = 0), sinh(u) = u k with k >= 1. This keeps the sign of u, which a range alone loses.
_SLOPES = {sympy.tanh: Interval.Lopen(0, 1), sympy.sinh: Interval(1, oo)}


def _bounded_atoms(expr: sympy.Expr, domain: Domain) -> tuple[sympy.Expr, Domain, bool]:
    atoms = sorted((a for a in expr.atoms(sympy.Function) if type(a) in _RANGES or type(a) in _SLOPES), key=sympy.default_sort_key)
    if not atoms:
        return expr, domain, False
    names: dict[sympy.Expr, sympy.Expr] = {}
    box = list(domain.intervals)
    for i, a in enumerate(atoms):
        k = Dummy(f"{type(a).__name__}{i}")
        if type(a) in _SLOPES:
            names[a], iv = a.args[0] * k, _SLOPES[type(a)]
        else:
            names[a], iv = k, _RANGES[type(a)]
        box.append((k, iv))
    hyps = tuple(Assumption(h.expr.xreplace(names), h.rel) for h in domain.hypotheses)
    return expr.xreplace(names), Domain(tuple(box), hyps), True


def _to_original(point: Mapping[Symbol, Rational], names: Mapping[Symbol, sympy.Expr]) -> dict[Symbol, sympy.Expr]:
    # s = sigmoid(u) maps back to u = log(s / (1 - s)).
    out: dict[Symbol, sympy.Expr] = {}
    for sym, value in point.items():
        if sym in names:
            out[names[sym].args[0]] = log(value / (1 - value))
        else:
            out[sym] = value
    return out


def _reduce_lemmas(step: Sign) -> tuple[sympy.Expr, Domain, list[tuple[Symbol, sympy.Expr, bool]], list[Sign], str | None]:
    expr = step.expr
    box = list(step.domain.intervals)
    bounds: list[tuple[Symbol, sympy.Expr, bool]] = []
    sides: list[Sign] = []
    for i, use in enumerate(step.lemmas):
        lemma = LEMMAS.get(use.name)
        if lemma is None:
            return expr, step.domain, bounds, sides, f"unknown lemma {use.name!r}"
        if lemma_status(use.name) != PROVED:
            return expr, step.domain, bounds, sides, f"lemma {use.name} is not proved"
        atom = Dummy(f"L{i}")
        expr = expr.xreplace({log(use.arg): atom})
        for rel, template in lemma.needs:
            sides.append(Sign(template.subs(T, use.arg), rel, step.domain, rule=f"hypothesis of {use.name}"))
        bound = lemma.bound.subs(T, use.arg)
        if bound == 0:
            box.append((atom, Interval.open(-oo, 0) if lemma.strict else Interval(-oo, 0)))
        else:
            bounds.append((atom, bound, lemma.strict))
    return expr, Domain(tuple(box), step.domain.hypotheses), bounds, sides, None


def _screen_ok(fn, args: tuple[Symbol, ...], pt: Mapping[Symbol, Rational], rel: str) -> bool:  # noqa: ANN001
    """A quick look at 30 digits: clearly on the right side, so no confirmation is needed."""
    try:
        with mpmath.workdps(30):
            v = fn(*(mpmath.mpf(int(pt[a].p)) / int(pt[a].q) for a in args))
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        return False
    if isinstance(v, int) and not isinstance(v, bool):
        v = mpmath.mpf(v)  # a constant (a denominator 1) compiles to a Python int: exact
    if not isinstance(v, mpmath.mpf):
        return False
    tiny = mpmath.mpf("1e-20")
    return bool({">": v > tiny, ">=": v > tiny, "<": v < -tiny, "<=": v < -tiny, "!=": abs(v) > tiny, "==": False}[rel])


def _numeric_sign(step: Sign) -> tuple[str, dict[Symbol, sympy.Expr] | None]:
    """Sample the original expression at 60 digits: ``"sampled"`` or a confirmed violation.

    Never a proof; a violation confirmed inside the step's domain refutes the step. Each
    point is first screened at 30 digits; only a point that is not clearly on the right
    side is checked against the domain and confirmed.
    """
    pts = sample_points(step.domain.box(), current().sign_samples, seed=current().sign_seed) if step.domain.intervals else [{}]
    args = tuple(sorted(step.expr.free_symbols, key=str))
    fn = mp_compiled(step.expr, args) if all(a in step.domain.box() for a in args) else None
    for pt in pts:
        if fn is not None and _screen_ok(fn, args, pt, step.rel):
            continue
        if not inside(pt, step.domain):
            continue
        if confirm(step.expr, step.rel, pt):
            return REFUTED, dict(pt)
    return "sampled", None


#: Budget of the interval engine for one sign step.
INTERVAL_SECONDS = DEFAULT.interval_seconds
INTERVAL_BOXES = DEFAULT.interval_boxes


#: Covers a certificate supplies, by (expr, rel, box); see :func:`stored_covers`.
_STORED: contextvars.ContextVar[Mapping[tuple[Any, ...], tuple[Any, ...]] | None] = contextvars.ContextVar("lossproof_stored_covers", default=None)


def cover_key(expr: sympy.Expr, rel: str, box: Mapping[Symbol, Any]) -> tuple[Any, ...]:
    """What a stored cover is looked up by: the step's expression, relation and box."""
    return (expr, rel, tuple(sorted(box.items(), key=lambda item: item[0].name)))


@contextlib.contextmanager
def stored_covers(covers: Mapping[tuple[Any, ...], tuple[Any, ...]]) -> Iterator[None]:
    """Within the block, a sign step with a cover in ``covers`` (by :func:`cover_key`) is
    decided by replaying that cover on both interval sides, not by a search.

    With covers, the step checks cached outside the block are dropped on entering and
    leaving it: a verdict found with one certificate's covers must not answer for another,
    and a step searched for before must not stand in for a cover that was not checked.
    Without covers nothing is dropped, so certificates that cite the same steps share them.
    """
    if covers:
        check_step.cache_clear()
    token = _STORED.set(dict(covers))
    try:
        yield
    finally:
        _STORED.reset(token)
        if covers:
            check_step.cache_clear()


def _replayed(step: Sign, numeric: str, box: Mapping[Symbol, Interval], boxes: tuple[Any, ...]) -> StepResult:
    """A stored cover checked by both sides, no search: arb replays every box, mpmath.iv
    re-evaluates every box and checks that the boxes cover the kernel's own charts of
    the domain. Anything short of both is unknown, never a proof from the file."""
    from .box_check import recheck
    from .branch_bound import replay

    started = time.monotonic()
    limits = current()
    try:
        arb_ok, arb_why = replay(step.expr, step.rel, box, boxes, max_boxes=limits.interval_boxes, time_limit=limits.interval_seconds)
        iv_ok, iv_why = recheck(step.expr, step.rel, box, boxes) if arb_ok else (False, "not run")
    except (ResourceLimitExceeded, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - the cover is input: whatever it does, unknown
        arb_ok, arb_why, iv_ok, iv_why = False, f"{type(exc).__name__}: {str(exc)[:120]}", False, "not run"
    seconds = time.monotonic() - started
    engines = {"arb": PROVED if arb_ok else UNKNOWN, "mpmath.iv": PROVED if iv_ok else UNKNOWN, "numeric": numeric}
    if arb_ok and iv_ok:
        cover = Cover(step.expr, step.rel, cover_key(step.expr, step.rel, box)[2], tuple(boxes), _count(boxes), seconds)
        reason = f"the certificate's cover re-checked by arb and mpmath.iv, no search ({cover.evaluated} boxes, {seconds:.2f} s)"
        return StepResult(step, PROVED, engines, reason=reason, covers=(cover,))
    why = arb_why if not arb_ok else iv_why
    side = "arb" if not arb_ok else "mpmath.iv"
    return StepResult(step, UNKNOWN, engines, reason=f"the certificate's cover is rejected by {side}: {why}")


def _count(boxes: Any) -> int:
    """Boxes in a cover, faces included."""
    return sum(1 + _count(b.face) for b in boxes)


def _interval_sign(step: Sign, numeric: str) -> StepResult | None:
    """Branch and bound in arb balls, its cover re-checked by mpmath.iv (no shared code).

    Used where the polynomial path leaves a sign step undecided: on the original
    expression, logs and exponentials included, over the domain's box. Hypotheses are
    left out, so a proof holds on a larger set (sound); a counterexample must still lie
    in the step's own domain and be confirmed at 60 digits. None where it does not apply.
    Where a certificate supplies a cover (:func:`stored_covers`), it is replayed instead
    of searched for; a proof carries its cover in ``StepResult.covers``.
    """
    from .box_check import recheck
    from .branch_bound import decide

    box = step.domain.box()
    if step.rel == "==" or step.expr.free_symbols - set(box):
        return None
    stored = _STORED.get()
    if stored is not None:
        given = stored.get(cover_key(step.expr, step.rel, box))
        if given is not None:
            return _replayed(step, numeric, box, given)
    try:
        verdict = decide(step.expr, step.rel, box, max_boxes=current().interval_boxes, time_limit=current().interval_seconds)
    except (ResourceLimitExceeded, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - an expression outside the engine's functions
        return StepResult(step, UNKNOWN, {"arb": UNKNOWN, "mpmath.iv": UNKNOWN, "numeric": numeric}, reason=f"interval engine: {str(exc)[:120]}")
    cost = f"{verdict.boxes} boxes, {verdict.seconds:.2f} s"
    if verdict.status == "proved":
        ok, why = recheck(step.expr, step.rel, box, verdict.cover)
        engines = {"arb": PROVED, "mpmath.iv": PROVED if ok else UNKNOWN, "numeric": numeric}
        if ok:
            cover = Cover(step.expr, step.rel, cover_key(step.expr, step.rel, box)[2], verdict.cover, verdict.boxes, verdict.seconds)
            return StepResult(step, PROVED, engines, reason=f"decided by interval arithmetic ({cost}; cover of {len(verdict.cover)} boxes re-checked)", covers=(cover,))
        return StepResult(step, UNKNOWN, engines, reason=f"the cover did not re-check: {why}")
    if verdict.status == "refuted" and verdict.counterexample:
        point = dict(verdict.counterexample)
        if inside(point, step.domain) and confirm(step.expr, step.rel, point):
            return StepResult(step, REFUTED, {"arb": REFUTED, "mpmath.iv": "not used", "numeric": numeric}, _text_point(point), f"interval arithmetic ({cost})")
    return StepResult(step, UNKNOWN, {"arb": UNKNOWN, "mpmath.iv": "not used", "numeric": numeric}, reason=f"interval engine: {verdict.reason} ({cost})")


def _check_sign(step: Sign) -> StepResult:
    numeric, bad_point = _numeric_sign(step)
    result = _decide_sign(step, numeric)
    sides = {result.engines.get("sympy"), result.engines.get("z3")}
    contradiction = PROVED in sides and REFUTED in sides  # a bug somewhere: never settled by a third
    if result.status == UNKNOWN and bad_point is None and not contradiction:
        decided = _interval_sign(step, numeric)
        if decided is not None and decided.status != UNKNOWN:
            result = decided
        elif decided is not None:  # both paths undecided: say why, each
            engines = {**result.engines, "arb": decided.engines["arb"], "mpmath.iv": decided.engines["mpmath.iv"]}
            result = StepResult(step, UNKNOWN, engines, None, f"{result.reason}; {decided.reason}")
    if bad_point is not None:
        # A violation confirmed at a point of the domain outweighs any proof: the step is false.
        return StepResult(step, REFUTED, dict(result.engines), _text_point(bad_point), "a sample point of the domain violates it")
    return result


def _decide_sign(step: Sign, numeric: str) -> StepResult:
    expr, domain, bounds, sides, problem = _reduce_lemmas(step)
    if problem:
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN, "numeric": numeric}, reason=problem)
    side_results = [_check_sign(s) for s in sides]
    # sign(u) is 1 where u > 0 and -1 where u < 0: where both engines prove one of
    # those on the domain, the atom is that constant.
    for atom in sorted(expr.atoms(sympy.sign), key=sympy.default_sort_key):
        for rel, value in ((">", 1), ("<", -1)):
            side = _check_sign(Sign(atom.args[0], rel, domain, rule=f"sign_of_{'pos' if value > 0 else 'neg'}"))
            if side.status == PROVED:
                expr = expr.xreplace({atom: sympy.Integer(value)})
                break
    plain, sdomain, names, exact = _sigmoid_symbols(expr, domain)
    plain, sdomain, relaxed = _bounded_atoms(plain, sdomain)
    exact = exact and not relaxed
    rest = plain.atoms(sympy.Function) | {a for a in plain.atoms(sympy.Pow) if not a.exp.is_Integer}
    if rest or plain.has(sympy.E, sympy.pi):
        shown = sorted(map(str, rest)) or ["a transcendental constant"]
        reason = "not polynomial after reduction: " + ", ".join(shown)
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN, "numeric": numeric}, reason=reason)
    q = Question(plain, step.rel, sdomain.intervals, sdomain.hypotheses, tuple(bounds))
    own, z3o = SignEngine().decide(q), Z3Engine().decide(q)
    engines = {"sympy": str(own.status), "z3": str(z3o.status), "numeric": numeric}
    status = combine(own.status, z3o.status)
    for side in side_results:
        if side.status != PROVED and status == PROVED:
            status = UNKNOWN
            engines = {k: (UNKNOWN if v == PROVED else v) for k, v in engines.items()}
    counterexample = None
    reason = "; ".join(r for r in (own.reason, z3o.reason) if r)
    if status == REFUTED:
        point = (z3o if z3o.status == REFUTED else own).counterexample or {}
        original = _to_original(point, names)
        # A refutation must be a point of the step's own domain, where the original
        # expression is confirmed on the wrong side: a point of a relaxed question
        # (logs bounded by lemmas, an enclosing interval for a sigmoid) is not one.
        if step.lemmas or not exact or not inside(original, step.domain) or not confirm(step.expr, step.rel, original):
            status, reason = UNKNOWN, f"counterexample {_text_point(original)} not confirmed in the domain"
        else:
            counterexample = _text_point(original)
    if status == PROVED:
        reason = ""
    return StepResult(step, status, engines, counterexample, reason)


# ---------------------------------------------------------------- other steps


def _smooth_on(function: sympy.Expr, domain: Domain) -> str | None:
    """Why ``function`` is not shown real and smooth on ``domain``, or None when it is."""
    c = conditions(function)
    if c.unsupported:
        return "not handled: " + ", ".join(c.unsupported)
    holes = {(h.expr, h.rel) for h in domain.hypotheses}
    for u in c.kinks:
        if (u, "!=") not in holes and (-u, "!=") not in holes:
            side = _check_sign(Sign(u, "!=", domain, rule="off the kink"))
            if side.status != PROVED:
                return f"|{u}| has a kink where {u} = 0, which the domain does not leave out"
    for h in c.defined:
        side = _check_sign(Sign(h.expr, h.rel, domain, rule="defined"))
        if side.status != PROVED:
            return f"not shown defined and smooth: {h.expr} {h.rel} 0 is {side.status} on the domain"
    return None


def _check_identity(lhs: sympy.Expr, rhs: sympy.Expr, domain: Domain, step: Step) -> StepResult:
    check = check_identity(lhs, rhs, domain.box())
    sides = [_check_sign(Sign(a, ">", domain, rule="log argument positive")) for a in check.side_conditions]
    symbolic = check.symbolic and all(s.status == PROVED for s in sides)
    engines = {"sympy": PROVED if symbolic else UNKNOWN, "numeric": PROVED if check.numeric else REFUTED}
    if check.holds and symbolic:
        return StepResult(step, PROVED, engines)
    if not check.numeric:
        # Find the point that failed and report it as the counterexample.
        for pt in sample_points(domain.box(), check.points):
            if inside(pt, domain) and confirm(lhs - rhs, "==", pt):
                return StepResult(step, REFUTED, engines, _text_point(pt), "the two sides differ")
    return StepResult(step, UNKNOWN, engines, reason="SymPy could not reduce the difference to 0")


def _check_derivative(step: Derivative) -> StepResult:
    problem = _smooth_on(step.function, step.domain)
    if problem:
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "numeric": UNKNOWN}, reason=problem)
    raw = smooth_diff(step.function, step.var, step.order)
    ident = _check_identity(raw, step.result, step.domain, step)
    # The independent side: mpmath finite differences of the function at sample points.
    # Each expression is compiled once, with the other variables as leading arguments.
    others = [s for s, _ in step.domain.intervals if s != step.var]
    args = (*others, step.var)
    raw_terms = sympy.Add(*(abs(t) for t in sympy.Add.make_args(raw)))
    f_all, d_all, size_all = (mp_callable(e, args) for e in (step.function, step.result, raw_terms))
    iv = step.domain.box()[step.var]
    fd_ok = True
    for pt in sample_points(step.domain.box(), current().derivative_points, seed=current().derivative_seed):
        fixed = [mpmath.mpf(pt[s].p) / pt[s].q for s in others]
        f, d, size = (functools.partial(g, *fixed) for g in (f_all, d_all, size_all))
        length = min(pt[step.var] - iv.start, iv.end - pt[step.var], 1)
        x = mpmath.mpf(pt[step.var].p) / pt[step.var].q
        if not check_mpmath(f, d, x, step.order, mpmath.mpf(float(length)), size).ok:
            fd_ok = False
    engines = {"sympy": ident.engines["sympy"], "numeric": PROVED if (fd_ok and ident.engines["numeric"] == PROVED) else REFUTED}
    status = PROVED if ident.status == PROVED and fd_ok else (REFUTED if not fd_ok or ident.status == REFUTED else UNKNOWN)
    return StepResult(step, status, engines, ident.counterexample, ident.reason)


def real_roots(num: sympy.Expr, var: Symbol) -> list[sympy.Expr]:
    """The real closed-form roots of ``num = 0`` in ``var``, free of ``var``.

    Solved over real symbols, so that log(exp(y)) is y and complex roots show as such
    (and are dropped). sign(u) = 0 exactly where u = 0: at a kink, 0 is in the
    subdifferential. Where SymPy cannot solve (logs in a gradient), there is no root.
    """
    real = {s: sympy.Dummy(s.name, real=True) for s in num.free_symbols}
    back = {v: k for k, v in real.items()}
    num = num.replace(sympy.sign, lambda u: u)
    try:
        roots = [r.xreplace(back) for r in sympy.solve(num.xreplace(real), real[var])]
    except (NotImplementedError, TypeError, ValueError, KeyError):
        return []
    return [r for r in roots if not r.has(var, sympy.I) and not r.atoms(sympy.Function) - r.atoms(log)]


def root_inside(r: sympy.Expr, iv: Interval, domain: Domain, seed: int) -> bool:
    """Whether the root ``r`` lies in ``iv`` at sample points of ``domain`` (its other variables)."""
    if r.free_symbols - set(domain.box()):
        return False
    points = sample_points(domain.box(), current().root_points, seed=seed) if domain.intervals else [{}]
    values = [r.xreplace(pt) for pt in points]
    return all(v.is_number and v.is_real and iv.contains(v) is sympy.true for v in values)


def sigmoid_value(r: sympy.Expr) -> sympy.Expr:
    # sigmoid(log(a)) = a/(1 + a): SymPy folds exp(-log(a)) itself, cancel does the rest.
    value = sympy.cancel(sigmoid(r).rewrite(sympy.exp))
    return value if not value.has(sympy.exp, log) else sympy.simplify(value)


def _check_roots(step: Roots) -> StepResult:
    # Work with sigmoid(z) named s: a root z0 of f(sigmoid(z)) is sigmoid(z0) for s.
    expr, sdomain, names, exact = _sigmoid_symbols(step.expr, step.domain)
    if not exact:
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN}, reason="the variable enters other than through sigmoid")
    var = step.var
    roots = list(step.roots)
    for n, atom in names.items():
        if atom.args[0] == step.var:
            var = n
            roots = [sigmoid_value(r) for r in roots]
    num, den = sympy.fraction(sympy.cancel(sympy.together(expr)))
    den_step = Sign(den, "!=", sdomain, rule="denominator nonzero")
    den_res = _check_sign(den_step)
    iv = sdomain.box()[var]
    others = Domain(tuple((s, i) for s, i in sdomain.intervals if s != var), sdomain.hypotheses)
    members = []
    for r in roots:
        if iv.start != -oo:
            members.append(_check_sign(Sign(r - iv.start, ">" if iv.left_open else ">=", others)))
        if iv.end != oo:
            members.append(_check_sign(Sign(iv.end - r, ">" if iv.right_open else ">=", others)))
    # SymPy side: solve the numerator over the reals and keep the roots inside the
    # variable's interval (decided at sample points of the other variables), then
    # compare with the claimed roots. A root SymPy cannot place leaves this unknown.
    solved = [r for r in real_roots(num, var) if root_inside(r, iv, others, seed=current().roots_seed)]
    same = len(solved) == len(roots) and all(any(sympy.simplify(a - b) == 0 for b in roots) for a in solved)
    own = PROVED if same else UNKNOWN
    # Z3 side: no point of the domain where num = 0 and var differs from every root.
    hyps = sdomain.hypotheses + (Assumption(num, "=="),) + tuple(Assumption(var - r, "!=") for r in roots)
    rational = all(r.is_rational_function(*r.free_symbols) if r.free_symbols else r.is_Rational for r in roots)
    if rational and num.is_polynomial(*num.free_symbols):
        q = Question(sympy.Integer(1), "<", sdomain.intervals, hyps)  # 1 < 0 holds iff hyps are contradictory
        z3o = Z3Engine().decide(q).status
        z3_status = PROVED if z3o == PROVED else REFUTED if z3o == REFUTED else UNKNOWN
    else:
        z3_status = UNKNOWN
    subs = [den_res] + members
    engines = {"sympy": own, "z3": z3_status}
    status = combine(own, z3_status)
    if status == REFUTED or (status == PROVED and not all(s.status == PROVED for s in subs)):
        status = UNKNOWN  # a roots step carries no confirmed point: never refuted
    reason = "" if status == PROVED else f"roots found by SymPy: {solved}"
    return StepResult(step, status, engines, reason=reason)


@lru_cache(maxsize=256)
def sympy_limit(expr: sympy.Expr, var: Symbol, point: sympy.Expr, direction: str) -> sympy.Expr:
    """SymPy's limit, cached (it is slow).

    Where ``var`` enters only through ``sigmoid(var)`` and tends to +-oo, the limit is
    taken in s = sigmoid(var) as s -> 1- or 0+ instead: sigmoid is a continuous
    increasing bijection of R onto (0, 1), and rational functions and logs of s are
    far easier for SymPy than exponentials. Otherwise the sigmoid is rewritten to exp.
    """
    s = Dummy("s")
    in_s = expr.xreplace({sigmoid(var): s})
    if point.is_infinite and not in_s.has(var):
        return sympy.limit(in_s, s, 1 if point > 0 else 0, "-" if point > 0 else "+")
    return sympy.limit(expr.rewrite(sympy.exp), var, point, direction)


def _check_limit(step: Limit) -> StepResult:
    computed = sympy_limit(step.expr, step.var, step.point, step.direction)
    own = PROVED if sympy.simplify(computed - step.value) == 0 else REFUTED
    # mpmath along a sequence tending to the point: the gaps to the claimed limit must
    # shrink at every term and end below 1e-8. Numbers cannot refute a limit, so a
    # sequence that does not settle leaves the numeric side unknown.
    sign = 1 if step.direction == "+" else -1
    if not step.value.is_finite:
        return StepResult(step, UNKNOWN, {"sympy": own, "numeric": UNKNOWN}, reason="an infinite limit is not checked numerically")
    # Other variables (a target y, parameters) are fixed at sample points of their intervals.
    rest = {s: iv for s, iv in step.domain.intervals if s != step.var}
    points = sample_points(rest, current().limit_points, seed=current().limit_seed) if rest else [{}]
    gaps: list[mpmath.mpf] = []
    numeric = PROVED
    for pt in points:
        f = mp_function(step.expr.xreplace(pt), step.var)
        with mpmath.workdps(60):
            if step.point.is_infinite:
                xs = [mpmath.mpf(-sign) * mpmath.mpf(10) ** k for k in (1, 2, 3)]
            else:
                x0 = mpmath.mpf(sympy.N(step.point.xreplace(pt), 60))
                xs = [x0 + sign * mpmath.mpf(10) ** -k for k in (10, 20, 40)]
            target = mpmath.mpf(sympy.N(step.value.xreplace(pt), 60))
            gaps = [abs(f(x) - target) for x in xs]
        settled = all(b < a for a, b in zip(gaps, gaps[1:])) or gaps[-1] == 0
        if not (settled and gaps[-1] < mpmath.mpf(current().limit_tolerance)):
            numeric = UNKNOWN
    # Neither side confirms a different limit at a point: a limit step is never refuted.
    status = UNKNOWN if combine(own, numeric) == REFUTED else combine(own, numeric)
    reason = "" if status == PROVED else f"SymPy's limit is {computed}; mpmath gaps {[mpmath.nstr(g, 3) for g in gaps]}"
    return StepResult(step, status, {"sympy": own, "numeric": numeric}, reason=reason)


@lru_cache(maxsize=1024)
def check_step(step: Step) -> StepResult:
    """Check one step with both of its engines; a failure of the tools is ``unknown``.

    A step is immutable and its check deterministic, so a step that several claims
    cite (the second derivative's sign: convexity and the minimiser) is checked once.
    """
    try:
        return _check_step(step)
    except (ResourceLimitExceeded, MemoryError):
        raise  # the caller's limit (time or memory), not this step's failure
    except Exception as exc:  # noqa: BLE001 - SymPy and Z3 raise many kinds on what they cannot handle
        # SymPy or Z3 could not handle this expression: no verdict, and the reason says so.
        engines = {"sympy": UNKNOWN, "z3": UNKNOWN}
        return StepResult(step, UNKNOWN, engines, reason=f"could not be decided: {type(exc).__name__}: {str(exc)[:120]}")




class _Checker(StepVisitor):
    visit_Derivative = staticmethod(_check_derivative)
    visit_Roots = staticmethod(_check_roots)
    visit_Limit = staticmethod(_check_limit)
    visit_Sign = staticmethod(_check_sign)

    @staticmethod
    def visit_Identity(step: Identity) -> StepResult:
        return _check_identity(step.lhs, step.rhs, step.domain, step)


_CHECKER = _Checker()


def _check_step(step: Step) -> StepResult:
    return _CHECKER.visit(step)
