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
from lossproof.kernel import RULES, Claim, Derivative, Domain, Identity, Sign, Subject, check_claim
from lossproof.kernel.claim import Part, Roots
from lossproof.losses import custom_loss, get_loss
from lossproof.sigmoid import sigmoid

from .adversarial.forgeries import FORGERIES
from .adversarial.typed import BRACKET

y, p, z = Symbol("y"), Symbol("p"), Symbol("z")
FOCAL = get_loss("focal")


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


# ---------------------------------------------------------------------------------
# Hand-built brackets on polynomials: every premise of the rule and every check of the
# min_value kind is changed, one at a time, from a proved claim. Each attack keeps the
# other premises true, so the one check under attack is the only thing that stops it
# (tools/mutate.py disables each check in turn and needs a test here to fail). Most
# forged claims are false, as their comments show by hand; a few are true and test
# that the rule insists on its premises' form. Polynomials keep each check well under
# a second.


RULE = "isMinOn_of_deriv_sign_change_in_bracket"
HALF = Rational(1, 2)
YS = Domain(((y, Interval.open(0, 1)),))
PY = Domain(((y, Interval.open(0, 1)), (p, Interval.open(0, 1))))
F0 = (p - y) ** 2 + 1  # minimiser y, inside (y/2, y/2 + 1/2); minimum 1 > 0
CAP = 2 - (p - y) ** 2  # a maximum at p = y: no minimiser on (0, 1) at all


def _part(
    f: sympy.Expr,
    g: sympy.Expr,
    bracket: tuple,
    *,
    m: sympy.Expr | None = None,
    dom: Domain = PY,
    rels: tuple[str, str, str] = (">", "<", ">"),
    **replace: object,
) -> Part:
    """The bracket part for f' = m g (or g = f' without m); ``s<i>=step`` replaces step i."""
    d1 = sympy.diff(f, p)
    head: tuple = (Derivative(f, p, 1, d1, dom),)
    if m is not None:
        head += (Identity(d1, m * g, dom), Sign(m, ">", dom))
    dg = sympy.diff(g, p)
    ends = dom.without(p)
    ga, gb = (sympy.expand(g.subs(p, e)) for e in bracket)
    tail = (
        Derivative(g, p, 1, dg, dom),
        Sign(dg, rels[0], dom),
        Identity(g.subs(p, bracket[0]), ga, ends),
        Sign(ga, rels[1], ends),
        Identity(g.subs(p, bracket[1]), gb, ends),
        Sign(gb, rels[2], ends),
    )
    part = Part(RULE, Subject(f, p, bracket=tuple(bracket)), dom, head + tail)
    return _steps(part, **replace) if replace else part


def _positive(f: sympy.Expr, part: Part, *, sign: Part | None = None, dom: Domain = PY, **subject: object) -> Claim:
    """min_value without a closed form: the bracket part, then 'f > 0' on the domain."""
    if sign is None:
        sign = Part("sign_of_sign", Subject(f, rel=">"), dom, (Sign(f, ">", dom),))
    fields = {"rel": ">", "bracket": part.subject.bracket, **subject}
    return Claim("min_value", "custom", None, Subject(f, p, vars=(y,), **fields), dom, (part, sign))


def _refused(claim: Claim, words: str) -> None:
    result = check_claim(claim)
    assert result.status != "proved"
    assert words in " ".join(result.problems), result.problems


def _with_subject(part: Part, **fields: object) -> Part:
    return dataclasses.replace(part, subject=dataclasses.replace(part.subject, **fields))


BASE7 = _part(F0, 2 * (p - y), (y / 2, y / 2 + HALF))
BASE9 = _part(F0, p - y, (y / 2, y / 2 + HALF), m=sympy.Integer(2))


@pytest.mark.parametrize("part", [BASE7, BASE9], ids=["g = f'", "f' = 2 g"])
def test_the_hand_built_brackets_are_proved(part: Part) -> None:
    result = check_claim(_positive(F0, part))
    assert result.status == "proved", result.problems


@pytest.mark.parametrize("field, value", [("point", y / 3), ("value", sympy.Integer(1)), ("direction", "+"), ("vars", (y,)), ("rel", ">")])
def test_a_bracket_part_that_names_a_point_or_value_is_refused(field: str, value: object) -> None:
    # The rule proves a minimiser in the bracket, never p = y/3 (the minimiser is y):
    # a table that shows a proved part's point would print a lie.
    _refused(_positive(F0, _with_subject(BASE7, **{field: value})), "names only its function")


def test_steps_about_another_function_are_refused() -> None:
    # The steps prove F0's minimiser; the part and the claim are about F0 + p, whose
    # minimiser y - 1/2 is outside (0, 1) for y < 1/2.
    f1 = F0 + p
    part = _with_subject(BASE7, function=f1)
    _refused(_positive(f1, part), "first derivative of the subject")


def test_a_factor_identity_about_another_derivative_is_refused() -> None:
    # CAP' = -2(p - y); the identity says 2(p - y) = 2 (p - y), true and about nothing.
    d1 = sympy.diff(CAP, p)
    part = _part(CAP, p - y, (y / 2, y / 2 + HALF), m=sympy.Integer(2), s1=Identity(2 * p - 2 * y + 0 * d1, 2 * (p - y), PY))
    _refused(_positive(CAP, part), "the factor step")


def test_a_factor_identity_that_is_not_m_times_g_is_refused() -> None:
    d1 = sympy.diff(CAP, p)
    part = _part(CAP, p - y, (y / 2, y / 2 + HALF), m=sympy.Integer(2), s1=Identity(d1, d1, PY))
    _refused(_positive(CAP, part), "the factor step")


def test_a_negative_factor_with_its_true_sign_is_refused() -> None:
    # CAP' = (-2)(p - y): -2 < 0 is true, and flips the minimum into a maximum.
    d1 = sympy.diff(CAP, p)
    part = _part(CAP, p - y, (y / 2, y / 2 + HALF), m=sympy.Integer(-2), s1=Identity(d1, -2 * (p - y), PY), s2=Sign(sympy.Integer(-2), "<", PY))
    _refused(_positive(CAP, part), "'m > 0'")


def test_an_increasing_function_other_than_the_gradient_is_refused() -> None:
    _refused(_positive(CAP, _part(CAP, p - y, (y / 2, y / 2 + HALF))), "first derivative itself")


# CAP' = 2y - 2p falls in p: at p = y/2 + 1/2 it is y - 1 < 0, at p = y/2 it is y > 0.
DOWN = (y / 2 + HALF, y / 2)


def test_a_derivative_in_the_target_instead_of_the_variable_is_refused() -> None:
    g = sympy.diff(CAP, p)
    part = _part(CAP, g, DOWN, s1=Derivative(g, y, 1, sympy.Integer(2), PY), s2=Sign(sympy.Integer(2), ">", PY))
    _refused(_positive(CAP, part), "g' > 0")


def test_a_positive_second_derivative_of_g_is_refused() -> None:
    # f' = g = (p - 2)**2 - 9/4 falls on (0, 1) (zero at 1/2, a maximum of f there) but
    # is convex: g'' = 2 > 0. f = (p - 2)**3/3 - 9p/4 + 5 > 2 on (0, 1).
    f = (p - 2) ** 3 / 3 - Rational(9, 4) * p + 5
    g = sympy.diff(f, p)
    bracket = (Rational(3, 4), Rational(1, 4))
    part = _part(f, g, bracket, s1=Derivative(g, p, 2, sympy.Integer(2), PY), s2=Sign(sympy.Integer(2), ">", PY))
    _refused(_positive(f, part), "g' > 0")


def test_a_sign_step_about_another_expression_than_g_prime_is_refused() -> None:
    part = _part(CAP, sympy.diff(CAP, p), DOWN, s2=Sign(sympy.Integer(2), ">", PY))
    _refused(_positive(CAP, part), "g' > 0")


def test_a_decreasing_g_is_refused() -> None:
    part = _part(CAP, sympy.diff(CAP, p), DOWN, rels=("<", "<", ">"))
    _refused(_positive(CAP, part), "g' > 0")


def test_g_increasing_on_part_of_the_interval_only_is_refused() -> None:
    # f' = g = (p - 1/2)**2 - 1/36 rises only on (1/2, 1); it is > 0 on (0, 1/3), so f
    # falls to its infimum 1 - 1/24 as p -> 0, below f(2/3) = 1 - 11/648: no minimum.
    f = (p - HALF) ** 3 / 3 - p / 36 + 1
    g = sympy.diff(f, p)
    narrow = Domain(((y, Interval.open(0, 1)), (p, Interval.open(HALF, 1))))
    part = _part(f, g, (HALF, Rational(5, 6)), s2=Sign(sympy.diff(g, p), ">", narrow))
    _refused(_positive(f, part), "another domain")


def test_the_gradient_at_another_point_than_the_bracket_end_is_refused() -> None:
    # (y/8, y/4) misses the minimiser y; the right end's steps are about p = y/2 + 1/2.
    g = 2 * (p - y)
    part = _part(F0, g, (y / 8, y / 4), s5=Identity(g.subs(p, y / 2 + HALF), 1 - y, YS), s6=Sign(1 - y, ">", YS))
    _refused(_positive(F0, part), "at p = y/4")


def test_an_end_identity_on_part_of_the_target_range_is_refused() -> None:
    # True, but the premise is on y in (0, 1/2) only: the rule takes it on the whole range.
    g = 2 * (p - y)
    low = Domain(((y, Interval.open(0, HALF)),))
    part = _part(F0, g, (y / 2, y / 2 + HALF), s5=Identity(g.subs(p, y / 2 + HALF), 1 - y, low))
    _refused(_positive(F0, part), "at p = y/2 + 1/2")


def test_an_end_sign_on_part_of_the_target_range_is_refused() -> None:
    # g(1/2) = 1 - 2y > 0 only for y < 1/2: for y = 3/4 the minimiser 3/4 is not in (3/8, 1/2).
    low = Domain(((y, Interval.open(0, HALF)),))
    part = _part(F0, 2 * (p - y), (y / 2, HALF), s6=Sign(1 - 2 * y, ">", low))
    _refused(_positive(F0, part), "at p = 1/2")


def test_an_end_sign_about_another_expression_is_refused() -> None:
    part = _part(F0, 2 * (p - y), (y / 2, HALF), s6=Sign(sympy.Integer(1), ">", YS))
    _refused(_positive(F0, part), "at p = 1/2")


def test_ends_with_the_signs_swapped_are_refused() -> None:
    # (y/2 + 1/2, y/2) is empty: g > 0 at its left end and < 0 at its right end.
    part = _part(F0, 2 * (p - y), (y / 2 + HALF, y / 2), rels=(">", ">", "<"))
    _refused(_positive(F0, part), "bracket end")


@pytest.mark.parametrize(
    "f, bracket",
    [((p - 2) ** 2 + 1, (HALF, Rational(3))), ((p + 1) ** 2 + 1, (Rational(-2), HALF))],
    ids=["right end outside", "left end outside"],
)
def test_a_bracket_end_outside_the_interval_leaves_an_obligation_unproved(f: sympy.Expr, bracket: tuple) -> None:
    # The zero of g is 2 (or -1), outside (0, 1): f is monotone there, with no minimiser.
    _refused(_positive(f, _part(f, sympy.diff(f, p), bracket)), "the point is inside the interval")


def test_a_bracket_end_that_depends_on_the_variable_is_refused() -> None:
    # (p/2, ...) is not an interval of p: g(p/2) = p - 2y says nothing about a point.
    g = 2 * (p - y)
    part = _part(F0, g, (y / 2, y / 2 + HALF), s3=Identity(g.subs(p, p / 2), p - 2 * y, PY), s4=Sign(p - 2 * y, "<", YS))
    _refused(_positive(F0, _with_subject(part, bracket=(p / 2, y / 2 + HALF))), "depends on p")


def test_a_bracket_end_with_a_kink_is_refused() -> None:
    part = _part(F0, 2 * (p - y), (sympy.Abs(y) / 2, y / 2 + HALF))
    _refused(_positive(F0, part), "not a smooth expression")


def test_a_bracket_end_undefined_at_one_target_is_refused() -> None:
    # (y**2 - y/2)/(2y - 1) is y/2 but at y = 1/2, where it is 0/0.
    a = (y**2 - y / 2) / (2 * y - 1)
    part = _part(F0, 2 * (p - y), (a, y / 2 + HALF), s3=Identity(2 * (a - y), -y, YS), s4=Sign(-y, "<", YS))
    _refused(_positive(F0, part), "the bracket end is defined")


def test_a_bracket_end_in_a_symbol_without_an_interval_is_refused() -> None:
    # In the part for the target y = 0 (y substituted, so y has no interval), an end
    # y/2 names a symbol no step binds.
    f = p**2 + 1
    dom = Domain(((p, Interval.open(0, 1)),))
    part = _part(f, 2 * p, (y / 2 - 1, HALF), dom=dom)
    problems, _ = RULES[RULE].check(dataclasses.replace(part, case=((y, sympy.Integer(0)),)))
    assert any("no interval" in q for q in problems), problems


def test_an_infinite_bracket_end_is_refused() -> None:
    # z in R: g = e**z - 2 at z = -oo is SymPy's -2, not a limit the rule may use.
    zdom = Domain(((y, Interval.open(0, 1)), (z, Interval(-sympy.oo, sympy.oo))))
    f = sympy.exp(z) - 2 * z
    g = sympy.exp(z) - 2
    ends = zdom.without(z)
    steps = (
        Derivative(f, z, 1, g, zdom),
        Derivative(g, z, 1, sympy.exp(z), zdom),
        Sign(sympy.exp(z), ">", zdom),
        Identity(g.subs(z, -sympy.oo), sympy.Integer(-2), ends),
        Sign(sympy.Integer(-2), "<", ends),
        Identity(g.subs(z, 1), sympy.E - 2, ends),
        Sign(sympy.E - 2, ">", ends),
    )
    part = Part(RULE, Subject(f, z, bracket=(-sympy.oo, sympy.Integer(1))), zdom, steps)
    problems, _ = RULES[RULE].check(part)
    assert any("not a finite number" in q for q in problems), problems


# ---- the min_value kind without a closed form (kinds._positive_min)


def test_a_positive_min_that_claims_another_relation_is_refused() -> None:
    _refused(_positive(F0, BASE7, rel=">="), "needs the bracketed minimiser")


def test_a_positive_min_with_a_third_part_is_refused() -> None:
    claim = _positive(F0, BASE7)
    claim = dataclasses.replace(claim, parts=claim.parts + (claim.parts[1],))
    _refused(claim, "needs the bracketed minimiser")


@pytest.mark.parametrize("field, value", [("point", y), ("value", sympy.Integer(1)), ("direction", "+")])
def test_a_positive_min_that_names_a_minimiser_or_value_is_refused(field: str, value: object) -> None:
    # Nothing checks a point or value here (the minimiser of F0 is y, its value 1): a
    # reader of the claim's value would take it as proved.
    _refused(_positive(F0, BASE7, **{field: value}), "no minimiser, value or direction")


def test_a_closed_form_minimiser_with_a_bracket_label_is_refused() -> None:
    # The part proves p = y is F0's minimiser; the claim says it lies in (y/8, y/4).
    d1, d2 = sympy.diff(F0, p), sympy.diff(F0, p, 2)
    steps = (Derivative(F0, p, 1, d1, PY), Roots(d1, p, (y,), PY), Derivative(F0, p, 2, d2, PY), Sign(d2, ">", PY))
    part = Part("isMinOn_of_deriv_eq_zero_of_strictConvexOn", Subject(F0, p, point=y, bracket=(y / 8, y / 4)), PY, steps)
    _refused(_positive(F0, part), "not the bracketed minimiser")


def test_a_positive_min_whose_minimiser_part_has_a_case_is_refused() -> None:
    _refused(_positive(F0, dataclasses.replace(BASE7, case=((y, HALF),))), "not the bracketed minimiser")


def test_a_positive_min_whose_bracket_is_proved_on_part_of_the_targets_is_refused() -> None:
    # (1/8, 1/2) holds the minimiser y only for y in (1/8, 1/2); for y = 3/4 it does not.
    mid = Domain(((y, Interval.open(Rational(1, 4), HALF)), (p, Interval.open(0, 1))))
    part = _part(F0, 2 * (p - y), (Rational(1, 8), HALF), dom=mid)
    _refused(_positive(F0, part), "not the bracketed minimiser")


def test_a_positive_min_whose_bracket_differs_from_the_part_is_refused() -> None:
    _refused(_positive(F0, BASE7, bracket=(y / 4, y / 2 + HALF)), "not the bracketed minimiser")


def test_a_positive_min_whose_minimiser_is_of_another_function_is_refused() -> None:
    # (p - y/4)**2 + 1 has its minimiser y/4 in (y/8, y/2); F0's is y, outside.
    h = (p - y / 4) ** 2 + 1
    _refused(_positive(F0, _part(h, 2 * (p - y / 4), (y / 8, y / 2))), "the part is about")


def test_a_positive_min_whose_sign_part_is_convexity_is_refused() -> None:
    # (p - y)**2 - 1 is strictly convex, and its minimum is -1 < 0.
    f = F0 - 2
    convex = Part("strictConvexOn_of_deriv2_pos", Subject(f, p, rel=">"), PY, (Derivative(f, p, 2, sympy.Integer(2), PY), Sign(sympy.Integer(2), ">", PY)))
    _refused(_positive(f, _part(f, 2 * (p - y), (y / 2, y / 2 + HALF)), sign=convex), "the function > 0")


def test_a_positive_min_whose_sign_is_on_part_of_the_targets_is_refused() -> None:
    # (p - y)**2 + y - 1/2 > 0 only for y > 1/2: at y = 1/4 its minimum is -1/4.
    f = (p - y) ** 2 + y - HALF
    high = Domain(((y, Interval.open(HALF, 1)), (p, Interval.open(0, 1))))
    sign = Part("sign_of_sign", Subject(f, rel=">"), high, (Sign(f, ">", high),))
    _refused(_positive(f, _part(f, 2 * (p - y), (y / 2, y / 2 + HALF)), sign=sign), "the function > 0")


def test_a_positive_min_whose_sign_is_about_another_function_is_refused() -> None:
    # (p - y)**2 - 1/2 has minimum -1/2; the sign part is about that plus 1.
    f = F0 - Rational(3, 2)
    sign = Part("sign_of_sign", Subject(f + 1, rel=">"), PY, (Sign(f + 1, ">", PY),))
    _refused(_positive(f, _part(f, 2 * (p - y), (y / 2, y / 2 + HALF)), sign=sign), "the function > 0")


def test_a_positive_min_from_a_non_negative_function_is_refused() -> None:
    # (p - y)**2 >= 0 is true, and its minimum is 0, not > 0.
    f = F0 - 1
    sign = Part("sign_of_sign", Subject(f, rel=">="), PY, (Sign(f, ">=", PY),))
    _refused(_positive(f, _part(f, 2 * (p - y), (y / 2, y / 2 + HALF)), sign=sign), "the function > 0")


def test_a_part_without_a_bracket_is_refused() -> None:
    _refused(_positive(F0, _with_subject(BASE7, bracket=None), bracket=BASE7.subject.bracket), "needs the first derivative")


def test_a_part_without_its_last_sign_step_is_refused() -> None:
    _refused(_positive(F0, dataclasses.replace(BASE7, steps=BASE7.steps[:-1])), "needs the first derivative")


def test_a_non_negative_g_prime_is_refused() -> None:
    # g = (p - 1/2)**3 has g' = 3 (p - 1/2)**2 >= 0: the rule asks for g' > 0 (here g is
    # still strictly increasing, and the claim true: the premise's form is what is tested).
    f = (p - HALF) ** 4 / 4 + 1
    g = (p - HALF) ** 3
    _refused(_positive(f, _part(f, g, (Rational(1, 4), Rational(3, 4)), rels=(">=", "<", ">"))), "g' > 0")


# ---------------------------------------------------------------------------------
# Focal loss, as the builders make it (slower: logs of sigmoids).


@pytest.fixture(scope="module")
def focal_min_p() -> Claim:
    return C.build_claim(FOCAL, "isMinOn_focal_p")


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


# ---------------------------------------------------------------------------------
# The slow tier: typed-in losses without a closed-form minimiser, and forged focal
# certificates checked from their files (a few seconds each).


@pytest.mark.slow
@pytest.mark.parametrize("row", BRACKET, ids=[f"{'true' if r[3] else 'false'}:{r[2]}:{r[1]}:{r[0]}" for r in BRACKET])
def test_typed_in_losses_without_a_closed_form(row) -> None:
    from lossproof.claims import prove

    expr, link, claim_id, truth, why = row
    result = prove(custom_loss(expr, link), [claim_id], workers=1)[0]
    assert result.status != ("refuted" if truth else "proved"), f"{why}: {result.problems}"


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in FORGERIES if n.startswith("bracket_")])
def test_forged_bracket_certificates_are_refused(name: str, tmp_path) -> None:
    from .test_adversarial import check_forgery

    forgery = FORGERIES[name]()
    status, reasons, _ = check_forgery(forgery, tmp_path / f"{name}.json")
    assert status != "proved"
    assert any(forgery.reason.lower() in r.lower() for r in reasons), reasons


def test_a_bracket_label_on_a_closed_form_part_is_refused() -> None:
    # Only the bracket rule checks a bracket: on any other rule's part it would be an
    # unchecked label that the comparison table reads and shows as proved.
    from lossproof.losses import get_loss

    claim = C.build_claim(get_loss("mse"), "isMinOn_mse_p")
    main = _main(claim)
    labelled = dataclasses.replace(main, subject=dataclasses.replace(main.subject, bracket=(y / 3, y / 2)))
    assert "names no bracket" in _not_proved(_with_main(claim, labelled))
    # Nor may the claim itself name one: only min_value claims do.
    forged = dataclasses.replace(claim, subject=dataclasses.replace(claim.subject, bracket=(y / 3, y / 2)))
    assert "names no bracket" in _not_proved(forged)


def test_a_hole_at_the_probe_point_does_not_break_the_claim() -> None:
    # The direction at an end of the target range was read at p = 1/2 only: a loss
    # undefined there crashed the builder. The claim is built and is not proved.
    loss = custom_loss("(p - y)**2 + 1/(1000*(p - 1/2)**2)")
    claim = C.build_claim(loss, "isMinOn_custom_p")
    assert check_claim(claim).status != "proved"


def test_an_enclosure_is_made_once_a_process_and_handed_over_from_a_worker() -> None:
    # The documents (in a worker) and the comparison (in the parent) show focal's
    # enclosure at y = 3/10: the worker's is handed over, not made again.
    from lossproof.enclosure import _MADE, minimiser_enclosure, remember
    from lossproof.settings import DEFAULT, using

    focal = get_loss("focal")
    first = minimiser_enclosure(focal, Rational(3, 10))
    assert minimiser_enclosure(focal, Rational(3, 10)) is first
    _MADE.clear()
    remember(focal, [first])
    assert minimiser_enclosure(focal, Rational(3, 10)) is first
    with using(dataclasses.replace(DEFAULT, sign_samples=DEFAULT.sign_samples + 1)):
        assert minimiser_enclosure(focal, Rational(3, 10)) is not first  # other settings: made anew
