"""A minimiser without a closed form: the bracket rule, and attacks on it.

Focal loss (gamma = 2) with soft targets has no closed-form minimiser. The kernel
proves that it has exactly one, between y/2 and (1 + y)/2 (in p; their logits in z),
and a claim that names y as the minimiser is refuted with a point. Every forgery below
changes one thing about a proved part and must not be proved.
"""

from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy
from sympy import Interval, Rational, Symbol, log

from lossproof import claims as C
from lossproof.certificate import claim_from_dict, claim_to_dict
from lossproof.derive import derive
from lossproof.kernel import Claim, Derivative, Domain, Identity, Sign, Subject, check_claim
from lossproof.losses import custom_loss, get_loss
from lossproof.sigmoid import sigmoid

y, p, z = Symbol("y"), Symbol("p"), Symbol("z")
FOCAL = get_loss("focal")


@pytest.fixture(scope="module")
def focal_min_p() -> Claim:
    return C.build_claim(FOCAL, "isMinOn_focal_p")


def _main(claim: Claim):
    return next(q for q in claim.parts if not q.case)


def _with_main(claim: Claim, part) -> Claim:
    parts = tuple(part if not q.case else q for q in claim.parts)
    return dataclasses.replace(claim, parts=parts)


def _steps(part, **replace):
    steps = list(part.steps)
    for i, step in replace.items():
        steps[int(i[1:])] = step
    return dataclasses.replace(part, steps=tuple(steps))


@pytest.mark.parametrize("claim_id", ["isMinOn_focal_p", "isMinOn_focal_z", "min_value_focal"])
def test_focal_minimiser_claims_are_proved(claim_id: str) -> None:
    claim = C.build_claim(FOCAL, claim_id)
    result = check_claim(claim)
    assert result.status == "proved", result.problems
    assert any(q.rule == "isMinOn_of_deriv_sign_change_in_bracket" for q in claim.parts)
    # The ends of the target range keep their own parts: y = 0 and y = 1 have no minimiser.
    if claim_id.startswith("isMinOn"):
        assert {q.case[0][1] for q in claim.parts if q.case} == {0, 1}


@pytest.mark.parametrize("wrt", ["p", "z"])
def test_naming_y_as_the_focal_minimiser_is_refuted_with_a_point(wrt: str) -> None:
    f, var, conds = C._in_var(FOCAL, wrt)
    inner = C._claim_domain(FOCAL, wrt, y=Interval.open(0, 1))
    d1, d2 = derive(FOCAL, wrt, 1).canonical, derive(FOCAL, wrt, 2).canonical
    point = y if wrt == "p" else log(y / (1 - y))
    part = C._minimiser_part(f, var, d1, d2, point, inner, wrt)
    claim = Claim("isMinOn", "focal", wrt, Subject(f, var, vars=(y,)), inner, (part,), "FL", conds)
    result = check_claim(claim)
    assert result.status == "refuted"
    # The counterexample is a point whose loss is below the loss at p = y, confirmed here again.
    cx = {Symbol(k): Rational(v) for k, v in result.counterexample.items()}
    at_y = f.xreplace({y: cx[y], var: point.xreplace({y: cx[y]})})
    assert sympy.N(f.xreplace(cx) - at_y, 30) < 0


def test_the_bracket_contains_the_numerical_minimiser() -> None:
    # Independent of the kernel: mpmath's root of the gradient at y = 0.3 is near 0.4215.
    d1 = sympy.lambdify((y, p), derive(FOCAL, "p", 1).canonical, "mpmath")
    root = mpmath.findroot(lambda t: d1(mpmath.mpf("0.3"), t), (0.2, 0.6), solver="bisect")
    assert 0.15 < root < 0.65 and abs(root - 0.3) > 0.1
    assert abs(root - mpmath.mpf("0.4215")) < 1e-3


@pytest.mark.parametrize("claim_id", ["isMinOn_focal_p", "isMinOn_focal_z"])
def test_a_bracket_survives_a_certificate_round_trip(claim_id: str) -> None:
    # Printed and read back, the expressions may take another (equal) form: the kernel
    # still proves the claim from the file alone, with the same bracket.
    claim = C.build_claim(FOCAL, claim_id)
    back = claim_from_dict(claim_to_dict(claim))
    assert _main(back).subject.bracket == _main(claim).subject.bracket
    assert check_claim(back).status == "proved"


def _not_proved(claim: Claim) -> str:
    result = check_claim(claim)
    assert result.status != "proved"
    return " ".join(result.problems)


def test_swapped_bracket_ends_are_not_proved(focal_min_p: Claim) -> None:
    m = _main(focal_min_p)
    a, b = m.subject.bracket
    forged = dataclasses.replace(m, subject=dataclasses.replace(m.subject, bracket=(b, a)))
    assert "bracket end" in _not_proved(_with_main(focal_min_p, forged))


def test_a_bracket_that_misses_the_minimiser_is_not_proved(focal_min_p: Claim) -> None:
    # (y/8, y/4) lies left of the minimiser: the gradient is negative at both ends.
    loss = FOCAL
    gp = derive(loss, "p", 1).canonical
    m = _main(focal_min_p)
    ydom = m.domain.without(p)
    ga, gb = sympy.simplify(gp.subs(p, y / 8)), sympy.simplify(gp.subs(p, y / 4))
    forged = dataclasses.replace(m, subject=dataclasses.replace(m.subject, bracket=(y / 8, y / 4)))
    forged = _steps(
        forged,
        s3=Identity(gp.subs(p, y / 8), ga, ydom, rule="at the left end of the bracket"),
        s4=Sign(ga, "<", ydom, rule="negative at the left end"),
        s5=Identity(gp.subs(p, y / 4), gb, ydom, rule="at the right end of the bracket"),
        s6=Sign(gb, ">", ydom, rule="positive at the right end"),
    )
    _not_proved(_with_main(focal_min_p, forged))


def test_a_bracket_end_outside_the_interval_is_not_proved(focal_min_p: Claim) -> None:
    # Around the whole real line the gradient's signs at the ends say nothing about (0, 1).
    gp = derive(FOCAL, "p", 1).canonical
    m = _main(focal_min_p)
    ydom = m.domain.without(p)
    a = y / 2 - 1
    forged = dataclasses.replace(m, subject=dataclasses.replace(m.subject, bracket=(a, m.subject.bracket[1])))
    forged = _steps(forged, s3=Identity(gp.subs(p, a), gp.subs(p, a), ydom, rule="at the left end of the bracket"), s4=Sign(gp.subs(p, a), "<", ydom))
    _not_proved(_with_main(focal_min_p, forged))


def test_a_bracket_that_depends_on_the_variable_is_refused(focal_min_p: Claim) -> None:
    m = _main(focal_min_p)
    forged = dataclasses.replace(m, subject=dataclasses.replace(m.subject, bracket=(p / 2, m.subject.bracket[1])))
    assert "depends on p" in _not_proved(_with_main(focal_min_p, forged))


def test_an_increasing_function_that_is_not_the_gradient_is_refused(focal_min_p: Claim) -> None:
    # Without a factor, g must be f' itself: here g = p - 1/2, increasing, with the right
    # signs at the ends for y near 1/2 only, and nothing to do with focal loss.
    m = _main(focal_min_p)
    g = p - Rational(1, 2)
    forged = _steps(m, s1=Derivative(g, p, 1, sympy.Integer(1), m.domain), s2=Sign(sympy.Integer(1), ">", m.domain))
    assert "first derivative itself" in _not_proved(_with_main(focal_min_p, forged))


def test_a_negative_factor_is_refused() -> None:
    claim = C.build_claim(FOCAL, "isMinOn_focal_z")
    m = _main(claim)
    d1, factor, m_sign = m.steps[:3]
    s = sigmoid(z)
    g = m.steps[3].function
    # f' = (-m)(-g): -g is decreasing, so the forger also flips what "increasing" means.
    forged = _steps(
        m,
        s1=Identity(d1.result, (-s * (1 - s)) * (-g), m.domain),
        s2=Sign(-s * (1 - s), ">", m.domain),
    )
    _not_proved(_with_main(claim, forged))


def test_a_step_on_a_narrower_domain_is_refused(focal_min_p: Claim) -> None:
    m = _main(focal_min_p)
    narrow = Domain(((y, Interval.open(0, 1)), (p, Interval.open(0, Rational(1, 2)))))
    dg = m.steps[1]
    forged = _steps(m, s2=Sign(dg.result, ">", narrow))
    assert "another domain" in _not_proved(_with_main(focal_min_p, forged))


def test_a_min_value_bracket_that_differs_from_its_part_is_refused() -> None:
    claim = C.build_claim(FOCAL, "min_value_focal")
    forged = dataclasses.replace(claim, subject=dataclasses.replace(claim.subject, bracket=(y / 4, y / 2 + Rational(1, 2))))
    assert "bracketed minimiser" in _not_proved(forged)


def test_a_typed_in_loss_without_a_closed_form_gets_a_bracket() -> None:
    # BCE plus exp(p): the gradient's root has no closed form. At y = 1 the minimiser of
    # exp(p) - log(p) is the omega constant W(1) = 0.567143..., bracketed at that end too.
    loss = custom_loss("-y*log(p) - (1 - y)*log(1 - p) + exp(p)")
    claim = C.build_claim(loss, "isMinOn_custom_p")
    brackets = {q.case: q.subject.bracket for q in claim.parts if q.rule == "isMinOn_of_deriv_sign_change_in_bracket"}
    assert set(brackets) == {(), ((y, 1),)}
    low, high = brackets[((y, 1),)]
    assert low < mpmath.lambertw(1).real < high
    assert check_claim(claim).status == "proved"


def test_a_minimiser_is_enclosed_to_1e_12_and_proved() -> None:
    from lossproof.enclosure import minimiser_enclosure

    enclosure = minimiser_enclosure(FOCAL, Rational(3, 10))
    assert enclosure.status == "proved", enclosure.reasons
    assert 0 < enclosure.high - enclosure.low <= Rational(1, 10**12)
    # Independently of the kernel: the gradient changes sign inside, at 50 digits.
    d1 = sympy.lambdify((y, p), derive(FOCAL, "p", 1).canonical, "mpmath")
    with mpmath.workdps(50):
        t = mpmath.mpf(3) / 10
        assert d1(t, mpmath.mpf(enclosure.low.p) / enclosure.low.q) < 0 < d1(t, mpmath.mpf(enclosure.high.p) / enclosure.high.q)
    # At y = 1/2 focal loss is symmetric about p = 1/2: there the minimiser is y.
    half = minimiser_enclosure(FOCAL, Rational(1, 2))
    assert half.low < Rational(1, 2) < half.high


def test_coq_does_not_export_a_claim_whose_bracket_it_cannot_state() -> None:
    # Coq has no bracket rule yet: a file proving only "FL > 0" would be taken for the
    # whole min_value claim, so neither claim is exported.
    from lossproof.coq import coq_files_for

    claims = [C.build_claim(FOCAL, "min_value_focal"), C.build_claim(FOCAL, "isMinOn_focal_p")]
    assert coq_files_for(FOCAL, claims) == {}
