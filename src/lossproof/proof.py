r"""Proofs as data: claims made of steps, each checked by two engines.

A :class:`Claim` has parts (cases), each a conclusion drawn by a named rule from
a few :data:`Step`\ s. Checking a claim means (1) checking that each part's steps
are the premises its rule needs, about the part's own function and domain, and
(2) checking every step:

========== ======================================= ===========================
step       SymPy side                              independent side
========== ======================================= ===========================
Derivative ``diff`` then the identity check        mpmath finite differences
Identity   ``cancel`` / ``simplify``               exact / 50-digit evaluation
Sign       :class:`~lossproof.engines.SignEngine`  :class:`~lossproof.engines.Z3Engine`
Roots      ``solve`` + sign of the denominator     Z3: no other root, root in domain
Limit      ``limit``                               mpmath along a sequence
========== ======================================= ===========================

A step is proved only when both sides say so; refuted when one side finds a
counterexample that mpmath confirms on the original expression; otherwise
unknown with the reason. Named lemmas about log (:data:`LEMMAS`) enter Sign steps
as constraints on a fresh symbol standing for ``log(t)``; each lemma is itself a
claim proved by the same machinery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import functools
from functools import lru_cache
from typing import Union

import mpmath
import sympy
from sympy import Dummy, Interval, Rational, Symbol, log, oo

from .engines import Hypothesis, Question, SignEngine, Z3Engine
from .timeout import ResourceLimitExceeded
from .derive import smooth_diff
from .identity import check_identity, name_sigmoids, sample_points
from .numeric import check_mpmath, modules, mp_function
from .sigmoid import sigmoid

__all__ = [
    "Domain",
    "LemmaUse",
    "Derivative",
    "Identity",
    "Sign",
    "Roots",
    "Limit",
    "Step",
    "Part",
    "Claim",
    "StepResult",
    "ClaimResult",
    "LEMMAS",
    "RULES",
    "check_claim",
    "check_step",
    "lemma_claims",
    "lemma_status",
]

PROVED, REFUTED, UNKNOWN = "proved", "refuted", "unknown"


@dataclass(frozen=True)
class Domain:
    """Each variable in an interval, plus hypotheses ``expr rel 0``."""

    intervals: tuple[tuple[Symbol, Interval], ...]
    hypotheses: tuple[Hypothesis, ...] = ()

    def box(self) -> dict[Symbol, Interval]:
        return dict(self.intervals)


@dataclass(frozen=True)
class LemmaUse:
    """Use lemma ``name`` at the argument ``arg``: it bounds ``log(arg)``."""

    name: str
    arg: sympy.Expr


@dataclass(frozen=True)
class Derivative:
    """``d^order function / d var^order == result`` on the domain."""

    function: sympy.Expr
    var: Symbol
    order: int
    result: sympy.Expr
    domain: Domain
    rule: str = "derivative"


@dataclass(frozen=True)
class Identity:
    """``lhs == rhs`` on the domain."""

    lhs: sympy.Expr
    rhs: sympy.Expr
    domain: Domain
    rule: str = "algebra"


@dataclass(frozen=True)
class Sign:
    """``expr rel 0`` everywhere on the domain."""

    expr: sympy.Expr
    rel: str
    domain: Domain
    lemmas: tuple[LemmaUse, ...] = ()
    rule: str = "sign"


@dataclass(frozen=True)
class Roots:
    """On the domain, ``expr == 0`` exactly when ``var`` is one of ``roots``."""

    expr: sympy.Expr
    var: Symbol
    roots: tuple[sympy.Expr, ...]
    domain: Domain
    rule: str = "solve"


@dataclass(frozen=True)
class Limit:
    """``expr -> value`` as ``var -> point`` from ``direction`` (``"+"`` or ``"-"``)."""

    expr: sympy.Expr
    var: Symbol
    point: sympy.Expr
    direction: str
    value: sympy.Expr
    domain: Domain
    rule: str = "limit"


Step = Union[Derivative, Identity, Sign, Roots, Limit]


@dataclass(frozen=True)
class Part:
    """One conclusion of a claim, drawn by ``rule`` from ``steps`` on ``domain``.

    ``subject`` is what the conclusion is about: for the convexity and minimiser
    rules the function and its variable (and the minimiser), checked against the steps.
    """

    statement: str
    rule: str
    subject: tuple[sympy.Expr, ...]
    domain: Domain
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Claim:
    """A named fact about a loss, in Lean Mathlib style (``strictConvexOn_bce_p``)."""

    id: str
    statement: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class StepResult:
    step: Step
    status: str
    engines: Mapping[str, str]
    counterexample: Mapping[str, str] | None = None
    reason: str = ""


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    status: str
    engines: Mapping[str, str]
    steps: tuple[StepResult, ...]
    counterexample: Mapping[str, str] | None = None
    problems: tuple[str, ...] = field(default=())

    def by_part(self) -> list[tuple[Part, tuple[StepResult, ...]]]:
        """Each part of the claim with the results of its own steps."""
        out, start = [], 0
        for part in self.claim.parts:
            out.append((part, self.steps[start : start + len(part.steps)]))
            start += len(part.steps)
        return out


# ------------------------------------------------------------------ lemmas about log

t_ = Symbol("t")


@dataclass(frozen=True)
class Lemma:
    """``log(t)`` bounded above by ``bound(t)`` (strictly if ``strict``), for t meeting ``needs``."""

    name: str
    statement: str
    needs: tuple[tuple[str, sympy.Expr], ...]  # (rel, expression in t): expression rel 0
    bound: sympy.Expr
    strict: bool


#: The facts about log that proofs may use, each proved as a claim by :func:`lemma_claims`.
LEMMAS: Mapping[str, Lemma] = {
    lem.name: lem
    for lem in (
        Lemma("log_le_sub_one_of_pos", "log t <= t - 1 for t > 0", ((">", t_),), t_ - 1, False),
        Lemma(
            "log_lt_sub_one_of_pos_of_ne_one",
            "log t < t - 1 for t > 0, t != 1",
            ((">", t_), ("!=", t_ - 1)),
            t_ - 1,
            True,
        ),
        Lemma("log_neg", "log t < 0 for 0 < t < 1", ((">", t_), ("<", t_ - 1)), sympy.Integer(0), True),
    )
}


def lemma_claims() -> list[Claim]:
    """Each lemma of :data:`LEMMAS` as a claim, proved by the same engines as the rest.

    ``t - 1 - log t`` has derivative ``(t - 1)/t``, which vanishes only at t = 1, and
    second derivative ``1/t**2 > 0``: its unique minimum is at t = 1, where it is 0.
    That gives ``log t <= t - 1``, strictly for t != 1. ``log`` has derivative
    ``1/t > 0`` and ``log 1 = 0``, so ``log t < 0`` on (0, 1).
    """
    pos = Domain(((t_, Interval.open(0, oo)),))
    gap = t_ - 1 - log(t_)
    d1, d2 = sympy.cancel(sympy.diff(gap, t_)), sympy.diff(gap, t_, 2)
    gap_min = Part(
        "t - 1 - log t has its unique minimum at t = 1",
        "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
        (gap, t_, sympy.Integer(1)),
        pos,
        (
            Derivative(gap, t_, 1, d1, pos),
            Roots(d1, t_, (sympy.Integer(1),), pos),
            Derivative(gap, t_, 2, d2, pos),
            Sign(d2, ">", pos),
        ),
    )
    one = Domain(())
    gap_at_one = Part("where it is 0", "eq_of_identity", (gap.subs(t_, 1), sympy.Integer(0)), one, (Identity(gap.subs(t_, 1), sympy.Integer(0), one),))
    mono = Part(
        "log is strictly increasing on (0, oo)",
        "strictMonoOn_of_deriv_pos",
        (log(t_), t_),
        pos,
        (Derivative(log(t_), t_, 1, 1 / t_, pos), Sign(1 / t_, ">", pos)),
    )
    log_one = Part("log 1 = 0", "eq_of_identity", (log(sympy.Integer(1)), sympy.Integer(0)), one, (Identity(log(sympy.Integer(1)), sympy.Integer(0), one),))
    return [
        Claim("log_le_sub_one_of_pos", LEMMAS["log_le_sub_one_of_pos"].statement, (gap_min, gap_at_one)),
        Claim("log_lt_sub_one_of_pos_of_ne_one", LEMMAS["log_lt_sub_one_of_pos_of_ne_one"].statement, (gap_min, gap_at_one)),
        Claim("log_neg", LEMMAS["log_neg"].statement, (mono, log_one)),
    ]


@lru_cache(maxsize=None)
def lemma_status(name: str) -> str:
    """Whether the lemma ``name`` is proved (checked once per process)."""
    for claim in lemma_claims():
        if claim.id == name:
            return check_claim(claim).status
    return UNKNOWN


# ------------------------------------------------------------------ checking steps


def _sigmoid_symbols(expr: sympy.Expr, domain: Domain) -> tuple[sympy.Expr, Domain, dict[Symbol, sympy.Expr]]:
    """Name every sigmoid(u) as a variable in (0, 1); return the map back to sigmoid(u)."""
    plain, names = name_sigmoids(expr)
    box = [(v, iv) for v, iv in domain.intervals if not any(a.has(v) for a in names)]
    box += [(n, Interval.open(0, 1)) for n in names.values()]
    hyps = tuple(Hypothesis(h.expr.xreplace(names), h.rel) for h in domain.hypotheses)
    return plain, Domain(tuple(box), hyps), {n: a for a, n in names.items()}


def _to_original(point: Mapping[Symbol, Rational], names: Mapping[Symbol, sympy.Expr]) -> dict[Symbol, sympy.Expr]:
    # s = sigmoid(z) maps back to z = log(s / (1 - s)).
    out: dict[Symbol, sympy.Expr] = {}
    for sym, value in point.items():
        if sym in names:
            out[names[sym].args[0]] = log(value / (1 - value))
        else:
            out[sym] = value
    return out


def _confirm(expr: sympy.Expr, rel: str, point: Mapping[Symbol, sympy.Expr]) -> bool:
    """The counterexample really violates ``expr rel 0``: evaluate with mpmath at 50 digits."""
    value = sympy.N(expr.subs(point), 50)
    if not value.is_number or not value.is_finite or value.has(sympy.nan):
        return False
    # At 50 digits a value of exactly 0 may print as a tiny number: compare with a margin
    # of 10^-40 only on the side where that matters.
    margin = sympy.Float("1e-40")
    if rel in (">", ">="):
        return bool(value < (margin if rel == ">" else -margin))
    if rel in ("<", "<="):
        return bool(value > (-margin if rel == "<" else margin))
    return bool(abs(value) < margin) if rel == "!=" else bool(abs(value) > margin)


def _text_point(point: Mapping[Symbol, sympy.Expr]) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(point.items(), key=lambda kv: str(kv[0]))}


def _combine(a: str, b: str) -> str:
    if a == b:
        return a
    if REFUTED in (a, b) and PROVED in (a, b):
        return UNKNOWN  # the engines contradict each other: never settled silently
    return REFUTED if REFUTED in (a, b) else UNKNOWN


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
            side = template.subs(t_, use.arg)
            sides.append(Sign(side, rel, step.domain, rule=f"hypothesis of {use.name}"))
        bound = lemma.bound.subs(t_, use.arg)
        if bound == 0:
            box.append((atom, Interval.open(-oo, 0) if lemma.strict else Interval(-oo, 0)))
        else:
            bounds.append((atom, bound, lemma.strict))
    return expr, Domain(tuple(box), step.domain.hypotheses), bounds, sides, None


def _check_sign(step: Sign) -> StepResult:
    expr, domain, bounds, sides, problem = _reduce_lemmas(step)
    if problem:
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN}, reason=problem)
    side_results = [_check_sign(s) for s in sides]
    # sign(u) is 1 where u > 0 and -1 where u < 0: where both engines prove one of
    # those on the domain, the atom is that constant (named lemmas sign_of_pos/_neg).
    for atom in sorted(expr.atoms(sympy.sign), key=sympy.default_sort_key):
        for rel, value in ((">", 1), ("<", -1)):
            side = _check_sign(Sign(atom.args[0], rel, domain, rule=f"sign_of_{'pos' if value > 0 else 'neg'}"))
            if side.status == PROVED:
                expr = expr.xreplace({atom: sympy.Integer(value)})
                break
    plain, sdomain, names = _sigmoid_symbols(expr, domain)
    rest = plain.atoms(sympy.Function) | {a for a in plain.atoms(sympy.Pow) if not a.exp.is_Integer}
    if rest:
        reason = "not polynomial after reduction: " + ", ".join(sorted(map(str, rest)))
        return StepResult(step, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN}, reason=reason)
    q = Question(plain, step.rel, sdomain.intervals, sdomain.hypotheses, tuple(bounds))
    own, z3o = SignEngine().decide(q), Z3Engine().decide(q)
    engines = {"sympy": own.status, "z3": z3o.status}
    status = _combine(own.status, z3o.status)
    for side in side_results:
        if side.status != PROVED:
            status = UNKNOWN if status == PROVED else status
            engines = {k: (UNKNOWN if v == PROVED else v) for k, v in engines.items()}
    counterexample = None
    reason = "; ".join(r for r in (own.reason, z3o.reason) if r)
    if status == REFUTED:
        point = (z3o if z3o.status == REFUTED else own).counterexample or {}
        original = _to_original(point, names)
        if step.lemmas or not _confirm(step.expr, step.rel, original):
            status, reason = UNKNOWN, f"counterexample {_text_point(original)} not confirmed by mpmath"
        else:
            counterexample = _text_point(original)
    if status == PROVED:
        reason = ""
    return StepResult(step, status, engines, counterexample, reason)


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
            diff = sympy.N((lhs - rhs).subs(pt), 50)
            if diff.is_number and abs(diff) > sympy.Float("1e-40"):
                return StepResult(step, REFUTED, engines, _text_point(pt), "the two sides differ")
    return StepResult(step, UNKNOWN, engines, reason="SymPy could not reduce the difference to 0")


def _check_derivative(step: Derivative) -> StepResult:
    raw = smooth_diff(step.function, step.var, step.order)
    ident = _check_identity(raw, step.result, step.domain, step)
    # The independent side: mpmath finite differences of the function at sample points.
    # Each expression is compiled once, with the other variables as leading arguments.
    others = [s for s, _ in step.domain.intervals if s != step.var]
    args = (*others, step.var)
    raw_terms = sympy.Add(*(abs(t) for t in sympy.Add.make_args(raw)))
    f_all, d_all, size_all = (sympy.lambdify(args, e, modules=modules("mpmath")) for e in (step.function, step.result, raw_terms))
    iv = step.domain.box()[step.var]
    fd_ok = True
    for pt in sample_points(step.domain.box(), 3, seed=7):
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
    points = sample_points(domain.box(), 5, seed=seed) if domain.intervals else [{}]
    values = [r.xreplace(pt) for pt in points]
    return all(v.is_number and v.is_real and iv.contains(v) is sympy.true for v in values)


def _sigmoid_value(r: sympy.Expr) -> sympy.Expr:
    # sigmoid(log(a)) = a/(1 + a): SymPy folds exp(-log(a)) itself, cancel does the rest.
    value = sympy.cancel(sigmoid(r).rewrite(sympy.exp))
    return value if not value.has(sympy.exp, log) else sympy.simplify(value)


def _check_roots(step: Roots) -> StepResult:
    # Work with sigmoid(z) named s: a root z0 of f(sigmoid(z)) is sigmoid(z0) for s.
    expr, sdomain, names = _sigmoid_symbols(step.expr, step.domain)
    var = step.var
    roots = list(step.roots)
    for n, atom in names.items():
        if atom.args[0] == step.var:
            var = n
            roots = [_sigmoid_value(r) for r in roots]
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
    solved = [r for r in real_roots(num, var) if root_inside(r, iv, others, seed=13)]
    same = len(solved) == len(roots) and all(any(sympy.simplify(a - b) == 0 for b in roots) for a in solved)
    own = PROVED if same else UNKNOWN
    # Z3 side: no point of the domain where num = 0 and var differs from every root.
    hyps = sdomain.hypotheses + (Hypothesis(num, "=="),) + tuple(Hypothesis(var - r, "!=") for r in roots)
    rational = all(r.is_rational_function(*r.free_symbols) if r.free_symbols else r.is_Rational for r in roots)
    if rational and num.is_polynomial(*num.free_symbols):
        q = Question(sympy.Integer(1), "<", sdomain.intervals, hyps)  # 1 < 0 holds iff hyps are contradictory
        z3o = Z3Engine().decide(q).status
        z3_status = PROVED if z3o == PROVED else REFUTED if z3o == REFUTED else UNKNOWN
    else:
        z3_status = UNKNOWN
    subs = [den_res] + members
    engines = {"sympy": own, "z3": z3_status}
    status = _combine(own, z3_status)
    if status == PROVED and not all(s.status == PROVED for s in subs):
        status = UNKNOWN
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
    f = mp_function(step.expr, step.var)
    if not step.value.is_finite:
        return StepResult(step, UNKNOWN, {"sympy": own, "numeric": UNKNOWN}, reason="an infinite limit is not checked numerically")
    with mpmath.workdps(60):
        if step.point.is_infinite:
            xs = [mpmath.mpf(-sign) * mpmath.mpf(10) ** k for k in (1, 2, 3)]
        else:
            x0 = mpmath.mpf(sympy.N(step.point, 60))
            xs = [x0 + sign * mpmath.mpf(10) ** -k for k in (10, 20, 40)]
        target = mpmath.mpf(sympy.N(step.value, 60))
        gaps = [abs(f(x) - target) for x in xs]
    settled = all(b < a for a, b in zip(gaps, gaps[1:])) or gaps[-1] == 0
    numeric = PROVED if settled and gaps[-1] < mpmath.mpf("1e-8") else UNKNOWN
    status = _combine(own, numeric)
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


def _check_step(step: Step) -> StepResult:
    if isinstance(step, Sign):
        return _check_sign(step)
    if isinstance(step, Identity):
        return _check_identity(step.lhs, step.rhs, step.domain, step)
    if isinstance(step, Derivative):
        return _check_derivative(step)
    if isinstance(step, Roots):
        return _check_roots(step)
    if isinstance(step, Limit):
        return _check_limit(step)
    raise TypeError(f"not a step: {step!r}")


# ------------------------------------------------------------------ rules linking steps to conclusions


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    return sympy.simplify(a - b) == 0 if a != b else True


def _shape_convex(part: Part) -> list[str]:
    f, var = part.subject
    st = part.steps
    if len(st) != 2 or not isinstance(st[0], Derivative) or not isinstance(st[1], Sign):
        return ["needs a second derivative and its sign"]
    d, s = st
    out = []
    if not (_same(d.function, f) and d.var == var and d.order == 2):
        out.append("the derivative is not the second derivative of the subject")
    wanted = ">=" if part.rule == "convexOn_of_deriv2_nonneg" else ">"
    if not (s.expr == d.result and s.rel == wanted):
        out.append(f"the sign step is not 'second derivative {wanted} 0'")
    return out


def _shape_min(part: Part) -> list[str]:
    f, var, point = part.subject
    st = part.steps
    kinds = [type(s) for s in st]
    if kinds != [Derivative, Roots, Derivative, Sign]:
        return ["needs the first derivative, its roots, the second derivative and its sign"]
    d1, roots, d2, s = st
    out = []
    if not (_same(d1.function, f) and d1.var == var and d1.order == 1):
        out.append("the first step is not the first derivative of the subject")
    if not (roots.expr == d1.result and roots.var == var and len(roots.roots) == 1 and _same(roots.roots[0], point)):
        out.append("the roots step does not say the derivative vanishes only at the minimiser")
    if not (_same(d2.function, f) and d2.var == var and d2.order == 2 and s.expr == d2.result and s.rel == ">"):
        out.append("the convexity steps are not 'second derivative > 0'")
    return out


def _shape_monotone(part: Part) -> list[str]:
    f, var = part.subject
    st = part.steps
    if len(st) != 2 or not isinstance(st[0], Derivative) or not isinstance(st[1], Sign):
        return ["needs the first derivative and its strict sign"]
    d, s = st
    if not (_same(d.function, f) and d.var == var and d.order == 1 and s.expr == d.result and s.rel in (">", "<")):
        return ["the steps do not say the first derivative has a strict sign"]
    iv = part.domain.box()[var]
    if not (iv.left_open and iv.right_open):
        return ["a strictly monotone function has no minimiser only on an open interval"]
    return []


def _shape_single(kind: type, fields: Sequence[str]) -> object:
    def check(part: Part) -> list[str]:
        if len(part.steps) != 1 or not isinstance(part.steps[0], kind):
            return [f"needs exactly one {kind.__name__} step"]
        step = part.steps[0]
        values = [getattr(step, f) for f in fields]
        if len(values) != len(part.subject) or not all(_same(a, b) if isinstance(a, sympy.Basic) else a == b for a, b in zip(values, part.subject)):
            return [f"the {kind.__name__} step is not about the part's subject"]
        return []

    return check


def _shape_sign_change(part: Part) -> list[str]:
    # f' < 0 before the point and > 0 after it: the point is the unique minimiser. "Before"
    # is t - t0 < 0 for t the variable or, through an increasing link, sigmoid(variable).
    f, var, point = part.subject
    st = part.steps
    if [type(s) for s in st] != [Derivative, Sign, Sign]:
        return ["needs the first derivative and its sign on each side of the point"]
    d, below, above = st
    out = []
    if not (_same(d.function, f) and d.var == var and d.order == 1):
        out.append("the first step is not the first derivative of the subject")
    sides = [(t, point) for t in (var,)] + [(sigmoid(var), _sigmoid_value(point))]
    for step, rel, side_rel in ((below, "<", "<"), (above, ">", ">")):
        extra = set(step.domain.hypotheses) - set(part.domain.hypotheses)
        if not (step.expr == d.result and step.rel == rel and step.domain.intervals == part.domain.intervals and len(extra) == 1):
            out.append(f"the {'first' if rel == '<' else 'second'} sign step is not 'f' {rel} 0' on one side")
            continue
        (h,) = extra
        if h.rel != side_rel or not any(_same(h.expr, t - t0) for t, t0 in sides):
            out.append(f"the side hypothesis {h.expr} {h.rel} 0 does not compare the variable with the point")
    return out


def _shape_kink(part: Part) -> list[str]:
    # At a kink the one-sided derivatives of the subject, and right - left >= 0.
    f, var, point = part.subject
    st = part.steps
    if [type(s) for s in st] != [Limit, Limit, Sign]:
        return ["needs the left and right derivatives at the kink and their difference's sign"]
    left, right, jump = st
    t = left.var
    d1 = smooth_diff(f, var, 1)
    out = []
    for lim, direction in ((left, "-"), (right, "+")):
        if not (lim.var == t and lim.point == 0 and lim.direction == direction):
            out.append(f"the {'left' if direction == '-' else 'right'} limit is not taken at the kink")
        elif not check_identity(lim.expr, d1.subs(var, point + t), {**dict(lim.domain.intervals)}).numeric:
            out.append("a limit is not of the subject's derivative near the kink")
    if not (jump.rel == ">=" and _same(jump.expr, right.value - left.value)):
        out.append("the last step is not 'right derivative - left derivative >= 0'")
    return out


def _shape_hessian_form(part: Part) -> list[str]:
    # v^T H v for H the Hessian of the subject in its logits z1..zK (directions v1..vK),
    # equal to a form in s = softmax(z), whose sign is taken on the open simplex.
    f, *zs = part.subject
    st = part.steps
    if [type(s) for s in st] != [Identity, Sign]:
        return ["needs the quadratic form of the Hessian as an identity, then its sign"]
    ident, sign = st
    k = len(zs)
    vs = [Symbol(f"v{i}") for i in range(1, k + 1)]
    ss = [Symbol(f"s{i}") for i in range(1, k)]
    h = sympy.hessian(f, zs)
    form = (sympy.Matrix(vs).T * h * sympy.Matrix(vs))[0, 0]
    out = []
    if sympy.expand(ident.lhs - form) != 0:
        out.append("the identity's left side is not v^T H v for the subject's Hessian")
    total = sympy.Add(*(sympy.exp(zk) for zk in zs))
    back = {si: sympy.exp(zk) / total for si, zk in zip(ss, zs)}
    domain = {**{zk: Interval(-oo, oo) for zk in zs}, **{vk: Interval(-oo, oo) for vk in vs}}
    if not check_identity(ident.rhs, sign.expr.xreplace(back), domain).numeric:
        out.append("the sign step is not about the identity's right side with s = softmax(z)")
    wanted = ">=" if part.rule == "convexOn_of_hessian_form_nonneg" else ">"
    if sign.rel != wanted:
        out.append(f"the sign step is not '{wanted} 0'")
    box = dict(sign.domain.intervals)
    simplex = Hypothesis(1 - sympy.Add(*ss), ">")
    if any(box.get(si) != Interval.open(0, 1) for si in ss) or simplex not in sign.domain.hypotheses:
        out.append("the sign step is not taken on the whole open simplex")
    extra = set(sign.domain.hypotheses) - {simplex} - set(part.domain.hypotheses)
    if extra:
        out.append("the sign step assumes more than the part")
    return out


#: Rules whose steps add one hypothesis to the part's domain (the shape check verifies it).
_SIDE_HYPOTHESES = {
    "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt",
    "convexAt_kink_of_deriv_le",
    "convexOn_of_hessian_form_nonneg",
    "strictConvexOn_of_hessian_form_pos",
}

#: Conclusion rules: name -> checker of the premises' shape (Mathlib-style names).
RULES = {
    "strictConvexOn_of_deriv2_pos": _shape_convex,
    "convexOn_of_deriv2_nonneg": _shape_convex,
    "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt": _shape_sign_change,
    "convexAt_kink_of_deriv_le": _shape_kink,
    "convexOn_of_hessian_form_nonneg": _shape_hessian_form,
    "strictConvexOn_of_hessian_form_pos": _shape_hessian_form,
    "isMinOn_of_deriv_eq_zero_of_strictConvexOn": _shape_min,
    "not_isMinOn_of_strictMonoOn": _shape_monotone,
    "strictMonoOn_of_deriv_pos": _shape_monotone,
    "eq_of_identity": _shape_single(Identity, ("lhs", "rhs")),
    "sign_of_sign": _shape_single(Sign, ("expr",)),
    "tendsto_of_limit": _shape_single(Limit, ("expr", "var", "point", "value")),
}


def check_claim(claim: Claim) -> ClaimResult:
    """Check a claim: the shape of each part against its rule, and every step."""
    problems: list[str] = []
    results: list[StepResult] = []
    if not claim.parts:
        problems.append("nothing to check: no closed-form minimiser was found, so no part was built")
    for part in claim.parts:
        rule = RULES.get(part.rule)
        if rule is None:
            problems.append(f"unknown rule {part.rule!r}")
            continue
        problems += [f"{part.rule}: {p}" for p in rule(part)]  # type: ignore[operator]
        for step in part.steps:
            if step.domain != part.domain and part.rule not in _SIDE_HYPOTHESES:
                problems.append(f"{part.rule}: a step is stated on another domain than the part")
            results.append(check_step(step))
    # A convexity part stated off kinks (hypotheses u != 0) says nothing at the kinks:
    # the claim must carry a kink part for each, or it is not about an interval at all.
    for part in claim.parts:
        if part.rule in ("convexOn_of_deriv2_nonneg", "strictConvexOn_of_deriv2_pos"):
            holes = [h for h in part.domain.hypotheses if h.rel == "!="]
            kink_parts = [q for q in claim.parts if q.rule == "convexAt_kink_of_deriv_le" and _same(q.subject[0], part.subject[0])]
            if part.rule == "convexOn_of_deriv2_nonneg" and len(kink_parts) < len(holes):
                problems.append(f"{part.rule}: the domain leaves out {len(holes)} kink(s) but the claim checks {len(kink_parts)}")
    statuses = [r.status for r in results]
    status = PROVED if statuses and all(s == PROVED for s in statuses) and not problems else (REFUTED if REFUTED in statuses else UNKNOWN)
    engines: dict[str, str] = {}
    for r in results:
        for name, st in r.engines.items():
            prev = engines.get(name, PROVED)
            engines[name] = prev if prev != PROVED else st
    engines.setdefault("z3", "not used")
    engines = {k: engines[k] for k in ("sympy", "z3", "numeric") if k in engines}
    counterexample = next((r.counterexample for r in results if r.counterexample), None)
    if problems and status == PROVED:
        status = UNKNOWN
    return ClaimResult(claim, status, engines, tuple(results), counterexample, tuple(problems))


