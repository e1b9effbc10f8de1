"""The kernel's rules and claim kinds: each forged part or claim names what is wrong.

Every case starts from a part or claim the code builds (BCE, MAE, a quartic, softmax
cross-entropy, the log lemmas), checks that it has no problem, then changes one thing
(a relation, an expression, a point, a domain, a rule name, a hypothesis) and checks
that the rule's premises or the kind's check report it. Both directions are asserted,
so a check that rejected everything would fail here too. tools/mutate.py checks that
each case fails when its line of rules.py or kinds.py is broken.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache

import pytest
import sympy
from sympy import Interval, Rational, Symbol, oo

from lossproof.claims import build_claim
from lossproof.kernel.claim import Claim, Domain, Assumption, Part, Sign, Subject
from lossproof.kernel.kinds import KINDS
from lossproof.kernel.lemmas import lemma_claims
from lossproof.kernel.rules import RULES
from lossproof.losses import custom_loss, get_loss, p, y
from lossproof.softmax import SoftmaxCE, softmax_claims

HALF = Rational(1, 2)
replace = dataclasses.replace


@lru_cache(maxsize=None)
def claim(source: str, claim_id: str) -> Claim:
    if source == "bce":
        return build_claim(get_loss("bce"), claim_id)
    if source == "softmax":
        return next(c for c in softmax_claims(SoftmaxCE(2)) if c.kind == claim_id)
    if source == "lemma":
        return next(c for c in lemma_claims() if c.kind == claim_id)
    texts = {"mae": "abs(p - y)", "quartic": "(p - y)**4"}
    return build_claim(custom_loss(texts[source], "identity"), claim_id)


def part(source: str, claim_id: str, index: int) -> Part:
    return claim(source, claim_id).parts[index]


def premises(q: Part) -> list[str]:
    return RULES[q.rule].check(q)[0]


def step(q: Part, i: int, **changes: object) -> Part:
    """The part with its i-th step changed."""
    st = list(q.steps)
    st[i] = replace(st[i], **changes)
    return replace(q, steps=tuple(st))


def on(q: Part, domain: Domain) -> Part:
    """The part and all of its steps moved to another domain."""
    return replace(q, domain=domain, steps=tuple(replace(s, domain=domain) for s in q.steps))


def assuming(q: Part, *hyps: Assumption) -> Part:
    return on(q, Domain(q.domain.intervals, q.domain.hypotheses + hyps))


def with_interval(domain: Domain, var: Symbol, iv: Interval) -> Domain:
    return Domain(tuple((s, iv if s == var else i) for s, i in domain.intervals), domain.hypotheses)


def side(q: Part, i: int, h: Assumption) -> Part:
    """A sign-change part whose i-th step has ``h`` as its side hypothesis."""
    d = q.steps[i].domain
    return step(q, i, domain=Domain(d.intervals, q.domain.hypotheses + (h,)))


SMOOTH = ("bce", "strictConvexOn_bce_p", 0)
MINIMUM = ("bce", "isMinOn_bce_p", 0)
MONO_AT_0 = ("bce", "isMinOn_bce_p", 1)
VALUE = ("bce", "min_value_bce", 1)
SATURATION = ("bce", "tendsto_deriv_bce_z_of_confidently_wrong", 0)
OFF_FINITE = ("quartic", "strictConvexOn_custom_p", 0)
SIGN_CHANGE = ("mae", "isMinOn_custom_p", 0)
KINK = ("mae", "strictConvexOn_custom_p", 1)
HESSIAN = ("softmax", "convexOn", 0)
MONO = ("lemma", "log_neg", 0)

#: (where the honest part comes from, how it is forged). The forged part must have a problem.
RULE_CASES: dict[str, tuple[tuple[str, str, int], Callable[[Part], Part]]] = {
    "convex: >= where > is needed": (SMOOTH, lambda q: step(q, 1, rel=">=")),
    "convex: the sign of another expression": (SMOOTH, lambda q: step(q, 1, expr=q.steps[1].expr + 1)),
    "convex: a first derivative for the second": (SMOOTH, lambda q: step(q, 0, order=1)),
    "convex: the derivative of another function": (SMOOTH, lambda q: step(q, 0, function=p**2)),
    "convex: a step on a smaller domain": (SMOOTH, lambda q: step(q, 1, domain=with_interval(q.domain, p, Interval.open(HALF, 1)))),
    "convex: a hypothesis that halves the domain": (SMOOTH, lambda q: assuming(q, Assumption(p - HALF, ">"))),
    "convex: a hole that is a whole line": (SMOOTH, lambda q: assuming(q, Assumption(y * (p - HALF), "!="))),
    "off finite: the non-negative premise as <=": (OFF_FINITE, lambda q: step(q, 1, rel="<=")),
    "off finite: the strict premise as >=": (OFF_FINITE, lambda q: step(q, 2, rel=">=")),
    "off finite: the strict premise on half the interval": (
        OFF_FINITE, lambda q: step(q, 2, domain=with_interval(q.steps[2].domain, p, Interval.open(HALF, 1)))),
    "off finite: the strict premise off half the interval": (
        OFF_FINITE, lambda q: step(q, 2, domain=Domain(q.steps[2].domain.intervals, q.steps[2].domain.hypotheses + (Assumption(p - HALF, ">"),)))),
    "minimum: a hypothesis": (MINIMUM, lambda q: assuming(q, Assumption(p - Rational(1, 4), ">"))),
    "minimum: a hole": (MINIMUM, lambda q: assuming(q, Assumption(p - Rational(1, 4), "!="))),
    "minimum: the roots of another expression": (MINIMUM, lambda q: step(q, 1, expr=q.steps[1].expr + 1)),
    "minimum: a root that is not the minimiser": (MINIMUM, lambda q: step(q, 1, roots=(y / 2,))),
    "minimum: >= where > is needed": (MINIMUM, lambda q: step(q, 3, rel=">=")),
    "sign change: falling as rising": (SIGN_CHANGE, lambda q: step(q, 1, rel=">")),
    "sign change: 'before' written as after": (SIGN_CHANGE, lambda q: side(q, 1, Assumption(p - y, ">"))),
    "sign change: before another point": (SIGN_CHANGE, lambda q: side(q, 1, Assumption(p - y / 2, "<"))),
    "kink: a slope that falls": (KINK, lambda q: step(q, 2, rel="<=")),
    "kink: the sign of another expression": (KINK, lambda q: step(q, 2, expr=q.steps[2].expr + 5)),
    "kink: the left limit taken from the right": (KINK, lambda q: step(q, 0, direction="+")),
    "kink: a limit of another expression": (KINK, lambda q: step(q, 0, expr=q.steps[0].expr + 1)),
    "hessian: not v^T H v": (HESSIAN, lambda q: step(q, 0, lhs=2 * q.steps[0].lhs)),
    "hessian: the sign as <=": (HESSIAN, lambda q: step(q, 1, rel="<=")),
    "hessian: the sign of another form": (HESSIAN, lambda q: step(q, 1, expr=q.steps[1].expr + 1)),
    "hessian: assuming the directions nonzero": (
        HESSIAN, lambda q: replace(step(q, 0, domain=Domain(q.domain.intervals, (Assumption(Symbol("v1") ** 2 + Symbol("v2") ** 2, ">"),))),
                                   domain=Domain(q.domain.intervals, (Assumption(Symbol("v1") ** 2 + Symbol("v2") ** 2, ">"),)))),
    "identity: another value than the step's": (VALUE, lambda q: replace(q, subject=replace(q.subject, value=q.subject.value + 1))),
    "limit of the derivative: another value": (SATURATION, lambda q: replace(q, subject=replace(q.subject, value=sympy.Integer(5)))),
    "monotone: a negative derivative": (MONO, lambda q: step(q, 1, rel="<")),
    "monotone: no minimiser on a half-closed interval": (MONO_AT_0, lambda q: on(q, with_interval(q.domain, p, Interval.Ropen(0, 1)))),
}


@pytest.mark.parametrize("case", list(RULE_CASES))
def test_a_forged_part_breaks_its_rule(case: str) -> None:
    where, forge = RULE_CASES[case]
    honest = part(*where)
    assert premises(honest) == [], premises(honest)
    assert premises(forge(honest)) != []


@pytest.mark.parametrize("where", [MINIMUM, SIGN_CHANGE], ids=["isMinOn by convexity", "isMinOn by a sign change"])
def test_a_minimiser_must_lie_strictly_inside_an_open_interval(where: tuple[str, str, int]) -> None:
    honest = part(*where)
    _, obligations = RULES[honest.rule].check(honest)
    assert [(o.expr, o.rel) for o in obligations] == [(y, ">"), (1 - y, ">")]
    closed = on(honest, with_interval(honest.domain, p, Interval(0, 1)))
    assert [o.rel for o in RULES[closed.rule].check(closed)[1]] == [">=", ">="]


# ---- claim kinds


def kind_problems(c: Claim) -> list[str]:
    return KINDS[c.kind].check(c)


def parts(c: Claim, i: int, q: Part) -> Claim:
    ps = list(c.parts)
    ps[i] = q
    return replace(c, parts=tuple(ps))


def about(q: Part, **changes: object) -> Part:
    return replace(q, subject=replace(q.subject, **changes))


def _min_value_elsewhere(c: Claim) -> Claim:
    # The minimiser part says y; the claim's point is y/2, and its value identity is consistent with y/2.
    point = y / 2
    m, v, *rest = c.parts
    v2 = about(v, function=c.subject.function.subs(p, point))
    return replace(c, subject=replace(c.subject, point=point), parts=(m, v2, *rest))


EXTRA = Part("sign_of_sign", Subject(p, rel=">"), Domain(((p, Interval.open(0, 1)),)), (Sign(p, ">", Domain(((p, Interval.open(0, 1)),))),))

KIND_CASES: dict[str, tuple[tuple[str, str], Callable[[Claim], Claim]]] = {
    "a part about another function": (("bce", "strictConvexOn_bce_p"), lambda c: parts(c, 0, about(c.parts[0], function=p**2))),
    "a part about another variable": (("bce", "strictConvexOn_bce_p"), lambda c: parts(c, 0, about(c.parts[0], var=y))),
    "a claim that assumes a hypothesis": (
        ("bce", "strictConvexOn_bce_p"), lambda c: replace(c, domain=Domain(c.domain.intervals, (Assumption(p - HALF, ">"),)))),
    "a part by an unrelated rule": (("bce", "strictConvexOn_bce_p"), lambda c: replace(c, parts=c.parts + (EXTRA,))),
    "convexity on a smaller interval": (
        ("bce", "strictConvexOn_bce_p"), lambda c: parts(c, 0, replace(c.parts[0], domain=with_interval(c.parts[0].domain, p, Interval.open(HALF, 1))))),
    "a hole without its kink part": (("mae", "strictConvexOn_custom_p"), lambda c: replace(c, parts=c.parts[:1])),
    "a kink part on a smaller domain": (
        ("mae", "strictConvexOn_custom_p"), lambda c: parts(c, 1, replace(c.parts[1], domain=with_interval(c.parts[1].domain, y, Interval(0, HALF))))),
    "a minimiser by another rule": (("bce", "isMinOn_bce_p"), lambda c: parts(c, 0, replace(c.parts[0], rule="eq_of_identity"))),
    "a minimiser on the closed target range": (
        ("bce", "isMinOn_bce_p"), lambda c: parts(c, 0, replace(c.parts[0], domain=Domain(c.domain.intervals, c.parts[0].domain.hypotheses)))),
    "an end of the target range with no part": (("bce", "isMinOn_bce_p"), lambda c: replace(c, parts=(c.parts[0],) + c.parts[3:])),
    "an end covered by an unrelated rule": (("bce", "isMinOn_bce_p"), lambda c: parts(c, 1, replace(c.parts[1], rule="sign_of_sign"))),
    "an end covered by a limit alone": (("bce", "isMinOn_bce_p"), lambda c: replace(c, parts=(c.parts[0], c.parts[2]) + c.parts[3:])),
    "a minimum value at another point": (("bce", "min_value_bce"), _min_value_elsewhere),
    "a value identity about another expression": (("bce", "min_value_bce"), lambda c: parts(c, 1, about(c.parts[1], function=c.parts[1].subject.function + 1))),
    "a saturation limit from the wrong side": (
        ("bce", "tendsto_deriv_bce_z_of_confidently_wrong"), lambda c: parts(c, 0, about(c.parts[0], direction="-" if c.parts[0].subject.direction == "+" else "+"))),
    "L - H equal to something else than KL": (("bce", "bce_sub_entropy_eq_kl"), lambda c: parts(c, 0, about(c.parts[0], value=c.parts[0].subject.value + 1))),
    "KL <= 0 for KL >= 0": (("bce", "kl_bernoulli_nonneg"), lambda c: parts(c, 0, about(c.parts[0], rel="<="))),
    "a gradient part about something else": (("softmax", "gradient"), lambda c: parts(c, 0, about(c.parts[0], function=c.parts[0].subject.function + 1))),
    "a lemma on another domain": (("lemma", "log_neg"), lambda c: replace(c, domain=Domain(((Symbol("t"), Interval.open(0, oo)),)))),
}


@pytest.mark.parametrize("case", list(KIND_CASES))
def test_a_forged_claim_breaks_its_kind(case: str) -> None:
    (source, claim_id), forge = KIND_CASES[case]
    honest = claim(source, claim_id)
    assert kind_problems(honest) == [], kind_problems(honest)
    assert kind_problems(forge(honest)) != []
