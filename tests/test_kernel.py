"""The kernel's steps, obligations and refutations, each tested from both sides.

A step is proved only when both of its sides prove it, so most tests here make one
side lie (a monkeypatched engine, solver or evaluation) and check that the other side
keeps the step from being proved; each is paired with the honest case that is proved,
so that no test passes merely because nothing is ever proved. Refutations are tested
the other way round: a true statement whose search meets a tempting point (outside the
domain, where the loss is undefined, within the screening margin) is never refuted.
tools/mutate.py checks that each test fails when its line of the kernel is broken.
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy
from sympy import Abs, Interval, Rational, exp, log, oo, sign, sqrt

from lossproof.claims import build_claim
from lossproof.identity import IdentityCheck
from lossproof.kernel import steps
from lossproof.kernel.calculus import conditions
from lossproof.kernel.check import check_claim
from lossproof.kernel.claim import (
    PROVED,
    REFUTED,
    UNKNOWN,
    Claim,
    Derivative,
    Domain,
    Assumption,
    Identity,
    LemmaUse,
    Limit,
    Roots,
    Sign,
    StepResult,
    Subject,
)
from lossproof.kernel.engines import Outcome, SignEngine, Z3Engine
from lossproof.kernel.lemmas import LEMMAS, lemma_status
from lossproof.kernel.refute import refute
from lossproof.kernel.steps import combine, confirm, inside
from lossproof.losses import custom_loss, get_loss, p, y

HALF = Rational(1, 2)
P01 = Domain(((p, Interval.open(0, 1)),))
OPEN_BOX = Domain(((y, Interval.open(0, 1)), (p, Interval.open(0, 1))))
BCE = get_loss("bce")
BCE_D1 = sympy.cancel(sympy.diff(BCE.expr, p))


def check(step) -> StepResult:
    """Check a step without the cache: monkeypatched engines must not leak into other tests."""
    return steps._check_step(step)


@pytest.fixture(autouse=True, scope="module")
def _lemmas_first() -> None:
    # lemma_status is cached per process: settle it before any test stubs an engine.
    for name in LEMMAS:
        assert lemma_status(name) == PROVED


@pytest.fixture
def no_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    # The interval engine (arb, re-checked by mpmath.iv) decides what the polynomial path leaves
    # undecided; these tests are about the polynomial path's own two sides, so it stays out.
    monkeypatch.setattr(steps, "_interval_sign", lambda step, numeric: None)


def _engines_say(monkeypatch: pytest.MonkeyPatch, outcome: Outcome) -> None:
    monkeypatch.setattr(SignEngine, "decide", lambda self, q: outcome)
    monkeypatch.setattr(Z3Engine, "decide", lambda self, q: outcome)


# ---- engine agreement


def test_combine_proves_only_when_both_sides_prove() -> None:
    assert combine(PROVED, PROVED) == PROVED
    for other in (UNKNOWN, "sampled", "not used"):
        assert combine(PROVED, other) == UNKNOWN and combine(other, PROVED) == UNKNOWN
    assert combine(PROVED, REFUTED) == UNKNOWN and combine(REFUTED, PROVED) == UNKNOWN
    assert combine(REFUTED, UNKNOWN) == REFUTED


@pytest.mark.parametrize("silent", [SignEngine, Z3Engine], ids=["sign engine unknown", "z3 unknown"])
def test_one_engine_proving_while_the_other_is_unknown_is_unknown(monkeypatch: pytest.MonkeyPatch, silent: type, no_interval: None) -> None:
    step = Sign(p * (1 - p), ">", P01)
    assert check(step).status == PROVED
    monkeypatch.setattr(silent, "decide", lambda self, q: Outcome("unknown", reason="stub"))
    assert check(step).status == UNKNOWN


# ---- sign steps: the 60-digit sampling side and the confirmation of refutations


def test_sampling_refutes_a_sign_both_engines_wrongly_prove(monkeypatch: pytest.MonkeyPatch) -> None:
    _engines_say(monkeypatch, Outcome("proved"))
    assert check(Sign(p - HALF, ">", P01)).status == REFUTED
    assert check(Sign(p + HALF, ">", P01)).status == PROVED


def test_sampling_skips_points_that_break_the_step_hypotheses() -> None:
    above = Domain(P01.intervals, (Assumption(p - HALF, ">"),))
    assert check(Sign(p - HALF, ">", above)).status == PROVED
    assert check(Sign(p - HALF, ">", P01)).status == REFUTED


def test_an_engine_counterexample_is_confirmed_on_the_original(monkeypatch: pytest.MonkeyPatch, no_interval: None) -> None:
    _engines_say(monkeypatch, Outcome("refuted", {p: Rational(1, 4)}, "stub"))
    assert check(Sign(p, ">", P01)).status == UNKNOWN


def test_an_engine_counterexample_outside_the_domain_refutes_nothing(monkeypatch: pytest.MonkeyPatch, no_interval: None) -> None:
    _engines_say(monkeypatch, Outcome("refuted", {p: Rational(-1)}, "stub"))
    assert check(Sign(p, ">", P01)).status == UNKNOWN


# ---- lemmas: used only once proved, and only where their hypotheses are proved


@pytest.fixture
def no_sampling(monkeypatch: pytest.MonkeyPatch, no_interval: None) -> None:
    # The sampling side (and the interval engine) would refute these false steps on their own:
    # silence them to test the lemma sides.
    monkeypatch.setattr(steps, "_numeric_sign", lambda step: ("sampled", None))


def test_log_neg_is_not_used_outside_zero_one(no_sampling: None) -> None:
    assert check(Sign(-log(p), ">", P01, (LemmaUse("log_neg", p),))).status == PROVED
    assert check(Sign(-log(p + 1), ">", P01, (LemmaUse("log_neg", p + 1),))).status != PROVED


def test_the_strict_log_bound_is_not_used_at_one(no_sampling: None) -> None:
    lemma = "log_lt_sub_one_of_pos_of_ne_one"
    at_one = p + HALF  # t = 1 at p = 1/2: log t = t - 1 there
    assert check(Sign(at_one - 1 - log(at_one), ">", P01, (LemmaUse(lemma, at_one),))).status != PROVED
    off_one = p + 2
    assert check(Sign(off_one - 1 - log(off_one), ">", P01, (LemmaUse(lemma, off_one),))).status == PROVED


def test_a_lemma_that_is_not_proved_is_not_used(monkeypatch: pytest.MonkeyPatch, no_interval: None) -> None:
    step = Sign(-log(p), ">", P01, (LemmaUse("log_neg", p),))
    assert check(step).status == PROVED
    monkeypatch.setattr(steps, "lemma_status", lambda name: UNKNOWN)
    assert check(step).status == UNKNOWN


# ---- confirm and inside


def test_confirm_decides_exact_values_exactly() -> None:
    zero, one = sympy.Integer(0), sympy.Integer(1)
    assert confirm(p - HALF, ">", {p: Rational(1, 4)})
    assert not confirm(p - HALF, ">", {p: one})
    assert confirm(p, ">", {p: zero}) and not confirm(p, ">=", {p: zero})


def test_confirm_needs_the_margin() -> None:
    tiny, at = exp(-110), {p: sympy.Integer(0)}  # about 1.7e-48: below the 1e-40 margin, yet not 0
    assert not confirm(p + tiny, ">", at) and confirm(p - exp(-2), ">", at)
    assert not confirm(p - tiny, "<", at) and confirm(p + exp(-2), "<", at)
    zero = log(2) + log(3) - log(6)  # 0, though SymPy keeps it unevaluated
    assert not confirm(p + zero, "==", at) and confirm(p + log(2), "==", at)
    # evalf resolves exp(-110) to 60 digits: it is the margin, not the precision, that keeps
    # a nonzero value below 1e-40 from confirming that an equality fails
    assert not confirm(p + tiny, "==", at) and not confirm(p - tiny, "==", at)


def test_inside_checks_intervals_and_hypotheses() -> None:
    above = Domain(P01.intervals, (Assumption(p - HALF, ">"),))
    assert inside({p: Rational(3, 4)}, above) and inside({p: log(2)}, above)
    assert not inside({p: sympy.Integer(2)}, P01)
    assert not inside({p: Rational(1, 4)}, above)
    assert not inside({p: log(2) / 2}, above)  # irrational: decided at 60 digits
    assert not inside({p: sympy.Integer(0)}, Domain(((p, Interval(0, 1)),), (Assumption(p, ">"),)))


# ---- derivative steps: finite differences, definedness and smoothness


def test_finite_differences_catch_a_wrong_symbolic_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check(Derivative(p**2, p, 1, 2 * p, P01)).status == PROVED
    monkeypatch.setattr(steps, "smooth_diff", lambda expr, var, order: 3 * p)  # SymPy's side lies
    assert check(Derivative(p**2, p, 1, 3 * p, P01)).status == REFUTED


def test_a_derivative_across_a_pole_is_not_proved() -> None:
    step = Derivative(1 / (p - HALF), p, 1, -1 / (p - HALF) ** 2, P01)
    result = check(step)
    assert result.status == UNKNOWN and "p - 1/2 != 0" in result.reason
    upper = Domain(((p, Interval.open(HALF, 1)),))
    assert check(dataclasses.replace(step, domain=upper)).status == PROVED


def test_a_derivative_across_a_kink_is_not_proved() -> None:
    step = Derivative(Abs(p - HALF), p, 1, sign(p - HALF), P01)
    assert check(step).status == UNKNOWN
    holed = Domain(P01.intervals, (Assumption(p - HALF, "!="),))
    assert check(dataclasses.replace(step, domain=holed)).status == PROVED


def test_a_derivative_of_an_unsupported_function_is_not_proved() -> None:
    result = check(Derivative(sympy.erf(p), p, 1, 2 * exp(-(p**2)) / sqrt(sympy.pi), P01))
    assert result.status == UNKNOWN and "erf" in result.reason


def test_conditions_of_each_construct() -> None:
    def defined(e: sympy.Expr) -> list:
        return [(h.expr, h.rel) for h in conditions(e).defined]

    assert defined(log(-p)) == [(-p, ">")]
    assert defined(sign(p - HALF)) == [(p - HALF, "!=")]
    assert defined(1 / (p - HALF)) == [(p - HALF, "!=")]
    assert defined(sqrt(p - HALF)) == [(p - HALF, ">")]
    assert defined(sympy.Pow(-2, p, evaluate=False)) == [(-2, ">")]
    assert defined(2**p + exp(p)) == []
    assert conditions(Abs(p - y)).kinks == (p - y,)
    assert conditions(sympy.Heaviside(p - HALF)).unsupported == ("Heaviside",)
    assert conditions(p + sympy.I).unsupported == ("I",)
    assert conditions(p + log(p) + sign(p)).unsupported == ()


# ---- identity steps: the 60-digit side, log side conditions, refutations inside the domain


def test_an_identity_sympy_alone_proves_is_not_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "check_identity", lambda lhs, rhs, box: IdentityCheck(True, False, 3))
    assert check(Identity(p, 2 * p, P01)).status == REFUTED
    monkeypatch.setattr(steps, "check_identity", lambda lhs, rhs, box: IdentityCheck(True, True, 3))
    assert check(Identity(p, p, P01)).status == PROVED


def test_an_identity_merging_logs_needs_their_arguments_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "check_identity", lambda lhs, rhs, box: IdentityCheck(True, True, 3, (p - 2,)))
    assert check(Identity(p, p, P01)).status == UNKNOWN
    monkeypatch.setattr(steps, "check_identity", lambda lhs, rhs, box: IdentityCheck(True, True, 3, (p + 2,)))
    assert check(Identity(p, p, P01)).status == PROVED


def test_an_identity_is_refuted_only_inside_its_domain() -> None:
    above = Domain(P01.intervals, (Assumption(p - HALF, ">"),))
    assert check(Identity(Abs(p - HALF), p - HALF, above)).status != REFUTED
    assert check(Identity(Abs(p - HALF), p - HALF, P01)).status == REFUTED


# ---- limit steps: SymPy and the mpmath sequence


def test_a_limit_off_by_a_billionth_is_not_proved() -> None:
    # The mpmath gaps shrink to 1e-9 < 1e-8: only SymPy's exact limit tells them apart.
    step = Limit(p + Rational(1, 10**9), p, sympy.Integer(0), "+", sympy.Integer(0), P01)
    assert check(step).status != PROVED
    assert check(dataclasses.replace(step, value=Rational(1, 10**9))).status == PROVED


def test_the_sequence_catches_a_wrong_sympy_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    step = Limit(-log(p), p, sympy.Integer(0), "+", sympy.Integer(0), P01)  # -log p -> +oo
    monkeypatch.setattr(steps, "sympy_limit", lambda expr, var, point, direction: sympy.Integer(0))
    assert check(step).status != PROVED
    assert check(Limit(p * log(p), p, sympy.Integer(0), "+", sympy.Integer(0), P01)).status == PROVED


# ---- roots steps: both sides, and the roots inside the interval


def test_a_roots_step_claiming_y_over_two_is_not_proved_even_if_z3_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check(Roots(BCE_D1, p, (y,), OPEN_BOX)).status == PROVED
    real = Z3Engine.decide
    # Z3 lies only about the roots question (1 < 0 under the hypotheses); signs stay honest.
    monkeypatch.setattr(Z3Engine, "decide", lambda self, q: Outcome("proved") if q.expr == 1 else real(self, q))
    assert check(Roots(BCE_D1, p, (y / 2,), OPEN_BOX)).status != PROVED


def test_a_roots_step_z3_leaves_unknown_is_not_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    real = Z3Engine.decide
    monkeypatch.setattr(Z3Engine, "decide", lambda self, q: Outcome("unknown") if q.expr == 1 else real(self, q))
    monkeypatch.setattr(steps, "real_roots", lambda num, var: [y / 2])  # SymPy's side lies too
    assert check(Roots(BCE_D1, p, (y / 2,), OPEN_BOX)).status != PROVED


def test_a_roots_step_only_sympy_can_check_is_not_proved() -> None:
    # exp(p) - exp(1/2) is not a polynomial: Z3 cannot pose it, so one side is missing.
    result = check(Roots(exp(p) - exp(HALF), p, (HALF,), P01))
    assert result.status == UNKNOWN and result.engines == {"sympy": PROVED, "z3": UNKNOWN}


def test_a_root_outside_the_interval_is_not_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    # SymPy's side is made to agree that 2 is the root in (0, 1); Z3 proves there is no other.
    monkeypatch.setattr(steps, "real_roots", lambda num, var: [sympy.Integer(2)])
    monkeypatch.setattr(steps, "root_inside", lambda r, iv, domain, seed: True)
    assert check(Roots(p - 2, p, (sympy.Integer(2),), P01)).status != PROVED
    monkeypatch.setattr(steps, "real_roots", lambda num, var: [HALF])
    assert check(Roots(p - HALF, p, (HALF,), P01)).status == PROVED


# ---- claims: obligations and problems


def _convexity(text: str):
    return build_claim(custom_loss(text, "identity"), "strictConvexOn_custom_p")


def test_a_condition_folded_away_by_sympy_is_still_an_obligation() -> None:
    claim = _convexity("(p - y)**2 - sqrt(p - 1/2)**2")  # SymPy folds the sqrt away: p - 1/2 >= 0 is lost
    result = check_claim(claim)
    assert result.status != PROVED
    assert any("where the loss is defined" in problem and "p - 1/2 > 0" in problem for problem in result.problems)
    assert check_claim(_convexity("(p - y)**2 - (p - 1/2)")).status == PROVED


def test_a_loss_not_real_on_the_domain_fails_its_definedness_obligation() -> None:
    result = check_claim(_convexity("(p - y)**2 - log(-p)"))
    assert result.status != PROVED
    assert any("where the loss is defined" in problem for problem in result.problems)


def test_a_gradient_across_a_jump_is_not_proved() -> None:
    # Softmax CE plus Heaviside(z1): SymPy's gradient gains a DiracDelta(z1), and the identity
    # "dL/dz1 = ... + DiracDelta(z1)" checks (the delta is 0 at every sample point). Only the
    # definedness check, which refuses Heaviside, keeps a jump from having a proved gradient.
    from lossproof.softmax import SoftmaxCE, softmax_claims

    honest = next(c for c in softmax_claims(SoftmaxCE(2)) if c.kind == "gradient")
    assert check_claim(honest).status == PROVED
    jump = sympy.Heaviside(honest.subject.vars[0])
    f = honest.subject.function + jump
    forged_parts = []
    for q, zk in zip(honest.parts, honest.subject.vars):
        (identity,) = q.steps
        lhs, rhs = sympy.diff(f, zk), identity.rhs + sympy.diff(jump, zk)
        forged_parts.append(dataclasses.replace(q, subject=dataclasses.replace(q.subject, function=lhs, value=rhs), steps=(dataclasses.replace(identity, lhs=lhs, rhs=rhs),)))
    forged = dataclasses.replace(honest, subject=dataclasses.replace(honest.subject, function=f), parts=tuple(forged_parts))
    result = check_claim(forged)
    assert result.status != PROVED
    assert any("Heaviside" in problem for problem in result.problems)


def test_an_obligation_that_is_only_unknown_is_not_enough(monkeypatch: pytest.MonkeyPatch, no_interval: None) -> None:
    from lossproof.kernel import check as check_module

    monkeypatch.setattr(check_module, "check_step", steps._check_step)  # uncached: the interval engine is off
    claim = _convexity("(p - y)**2")
    assert check_claim(claim).status == PROVED
    # exp(p) - p > 0 is true, but the polynomial engines cannot decide it: an unknown obligation.
    forged = dataclasses.replace(claim, conditions=(Assumption(exp(p) - p, ">"),))
    result = check_claim(forged)
    assert result.status == UNKNOWN and any("is unknown" in problem for problem in result.problems)


def test_every_step_must_be_proved() -> None:
    claim = _convexity("(p - y)**2")
    (part,) = claim.parts
    d, s = part.steps
    wrong = sympy.Integer(1)  # the second derivative is 2: the derivative step is false, its sign true
    forged_part = dataclasses.replace(part, steps=(dataclasses.replace(d, result=wrong), dataclasses.replace(s, expr=wrong)))
    result = check_claim(dataclasses.replace(claim, parts=(forged_part,)))
    assert result.status != PROVED and not [q for q in result.problems if "the sign step" in q]


def test_a_claim_whose_parts_do_not_fit_is_not_refuted_through_them() -> None:
    claim = build_claim(BCE, "isMinOn_bce_p")
    main = claim.parts[0]
    forged = dataclasses.replace(claim, parts=(dataclasses.replace(main, subject=dataclasses.replace(main.subject, point=y / 2)),) + claim.parts[1:])
    result = check_claim(forged)
    assert result.status == UNKNOWN
    assert any("the roots step does not say" in problem for problem in result.problems)


# ---- refutations: a counterexample to the claim itself, confirmed, where the loss is defined


def _convex_claim(f: sympy.Expr, conditions: tuple = ()) -> Claim:
    return Claim("strictConvexOn", "custom", "p", Subject(f, p), P01, (), conditions=conditions)


def test_a_chord_inside_the_screening_margin_is_confirmed_before_it_refutes() -> None:
    # Strictly convex, but its chord gaps are below the 30-digit screen: only the exact check tells.
    assert refute(_convex_claim((p - HALF) ** 2 / 10**30), ()) is None
    assert refute(_convex_claim(-((p - HALF) ** 2) / 10**30), ()) is not None


def test_a_chord_is_taken_only_where_the_loss_is_defined() -> None:
    # As if typed as sqrt(p - 1/2)**6: (p - 1/2)**3 is strictly convex where it is defined.
    written = (Assumption(p - HALF, ">"),)
    assert refute(_convex_claim((p - HALF) ** 3, written), ()) is None
    assert refute(_convex_claim((p - HALF) ** 3), ()) is not None


def test_a_lower_value_inside_the_screening_margin_is_confirmed_before_it_refutes() -> None:
    claim = build_claim(BCE, "isMinOn_bce_p")
    flat = dataclasses.replace(claim, subject=dataclasses.replace(claim.subject, function=(p - y) ** 2 / 10**30))
    assert refute(flat, (), True) is None
    upside_down = dataclasses.replace(claim, subject=dataclasses.replace(claim.subject, function=-((p - y) ** 2) / 10**30))
    assert refute(upside_down, (), True) is not None


def test_a_lower_value_is_taken_only_where_the_loss_is_defined() -> None:
    box = Domain(((y, Interval(0, 1)), (p, Interval.open(0, 1))))
    # "The minimum value is -y": true where sqrt(p - 1/2)**6 = (p - 1/2)**3 is defined (p > 1/2).
    subject = Subject((p - HALF) ** 3, p, point=HALF, value=-y, vars=(y,))
    written = Claim("min_value", "custom", None, subject, box, (), conditions=(Assumption(p - HALF, ">"),))
    assert refute(written, (), True) is None
    assert refute(dataclasses.replace(written, conditions=()), (), True) is not None


def test_a_direction_is_affine_only_when_the_gap_is_confirmed() -> None:
    z1, z2 = sympy.symbols("z1 z2")
    seed = StepResult(Sign(z1, ">", Domain(())), REFUTED, {}, {"v1": "1", "v2": "1"})
    line = Domain(((z1, Interval(-oo, oo)), (z2, Interval(-oo, oo))))
    bowl = Claim("strictConvexOn", "custom", "z", Subject(z1**2 + z2**2, vars=(z1, z2)), line, ())
    assert refute(bowl, (seed,)) is None
    trough = dataclasses.replace(bowl, subject=Subject((z1 - z2) ** 2, vars=(z1, z2)))
    assert refute(trough, (seed,)) is not None


def test_the_sign_screen_reads_a_constant_as_the_exact_number_it_is() -> None:
    # A denominator 1 compiles to the Python int 1: clearly != 0, with no confirmation
    # at each sample point; a boolean (a relation compiled) is never a number.
    from lossproof.kernel.steps import _screen_ok

    assert _screen_ok(lambda: 1, (), {}, "!=") and _screen_ok(lambda: -3, (), {}, "<")
    assert not _screen_ok(lambda: 0, (), {}, "!=") and not _screen_ok(lambda: 1, (), {}, "<")
    assert not _screen_ok(lambda: True, (), {}, "!=")
