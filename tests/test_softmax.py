"""Softmax cross-entropy: convex, not strictly, with the null direction found by the engines."""

from __future__ import annotations

import json
import time

import pytest
import sympy

from lossproof.certificate import claim_from_dict, claim_to_dict
from lossproof.cli import main
from lossproof.errors import InputError
from lossproof.proof import check_claim
from lossproof.kernel.hessian_form import PATTERN, FormError, form_equals_pair_sum, second_directional
from lossproof.softmax import SQUARES_PATTERN, SoftmaxCE, prove_softmax, softmax_claims


@pytest.fixture(scope="module")
def results():
    return {r.claim.id: r for r in prove_softmax(3)}


def test_convex_by_an_exact_sum_of_squares(results) -> None:
    assert results["convexOn_softmax_ce_z"].status == "proved"
    assert results["convexOn_softmax_ce_z"].engines["z3"] == "proved"
    assert results["gradient_softmax_ce_z"].status == "proved"


def test_not_strictly_convex_along_the_all_ones_direction(results) -> None:
    strict = results["strictConvexOn_softmax_ce_z"]
    assert strict.status == "refuted"
    v = [sympy.Rational(strict.counterexample[f"v{k}"]) for k in (1, 2, 3)]
    assert v[0] == v[1] == v[2] != 0  # the direction that shifts every logit alike


def test_the_hessian_is_read_from_the_loss_not_the_certificate(results) -> None:
    # Swap the quadratic form for another one: the rule's shape check refuses it.
    data = claim_to_dict(results["convexOn_softmax_ce_z"].claim)
    data["parts"][0]["steps"][0]["lhs"] = "v1**2 + v2**2 + v3**2"
    result = check_claim(claim_from_dict(data))
    assert result.status != "proved" and "v^T H v" in result.problems[0]


def test_the_gradient_is_softmax_minus_target_on_the_simplex() -> None:
    loss = SoftmaxCE(2)
    s1 = sympy.exp(loss.z[0]) / (sympy.exp(loss.z[0]) + sympy.exp(loss.z[1]))
    assert sympy.simplify(loss.gradient()[0] - (s1 - loss.y[0])) == 0


def test_classes_out_of_range_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="--classes 1"):
        SoftmaxCE(1)
    with pytest.raises(InputError, match="--classes 257"):
        SoftmaxCE(257)
    assert main(["prove", "softmax_ce", "--classes", "257"]) == 2
    err = capsys.readouterr().err
    assert "choose K from 2 to 256" in err and err.count("\n") == 1
    assert main(["prove", "softmax_ce", "--classes", "1"]) == 2
    assert "--classes 1" in capsys.readouterr().err


def test_derive_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "softmax_ce", "--classes", "2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["classes"] == 2 and len(data["gradient"]) == 2 and len(data["hessian"]) == 2
    h = sympy.sympify(data["hessian"][0][1])  # our own output, read back
    z1, z2 = sympy.symbols("z1 z2")
    assert sympy.simplify(h + sympy.exp(z1 + z2) / (sympy.exp(z1) + sympy.exp(z2)) ** 2) == 0


def test_claims_for_two_classes_too() -> None:
    assert [c.id for c in softmax_claims(SoftmaxCE(2))] == ["gradient_softmax_ce_z", "convexOn_softmax_ce_z", "strictConvexOn_softmax_ce_z"]


# ---------------------------------------------------------------- at scale, and for every K


def _convex_dict(k: int) -> dict:
    claim = next(c for c in softmax_claims(SoftmaxCE(k)) if c.id == "convexOn_softmax_ce_z")
    return claim_to_dict(claim)


def test_the_pattern_steps_name_no_k() -> None:
    # The every-K argument is the same data for every K: only the subject and its domain change.
    small, large = _convex_dict(2), _convex_dict(7)
    assert small["parts"][0]["steps"] == large["parts"][0]["steps"]


def test_form_at_64_classes_by_index_pattern() -> None:
    loss = SoftmaxCE(64)
    si, sj, vi, vj = PATTERN
    start = time.perf_counter()
    assert form_equals_pair_sum(loss.function, loss.z, loss.v, SQUARES_PATTERN)
    assert not form_equals_pair_sum(loss.function, loss.z, loss.v, SQUARES_PATTERN + si * sj * vi * vj / 10**9)
    assert time.perf_counter() - start < 5  # plain expansion: 62 s at K = 64


def test_convex_at_256_classes_under_ten_seconds() -> None:
    # Slow tier: about 6 s (the form itself about 3 s).
    claim = next(c for c in softmax_claims(SoftmaxCE(256)) if c.id == "convexOn_softmax_ce_z")
    start = time.perf_counter()
    result = check_claim(claim)
    assert result.status == "proved", result.problems
    assert time.perf_counter() - start < 10


def test_hessian_pattern_for_documents() -> None:
    pattern = SoftmaxCE(256).hessian_pattern()
    si, sj, _, _ = PATTERN
    assert pattern.diagonal == si * (1 - si) and pattern.off_diagonal == -si * sj
    s1, s2 = sympy.symbols("s1 s2")
    assert pattern.entry(1, 2) == -s1 * s2 and pattern.matrix(2)[0, 0] == s1 * (1 - s1)


# ---------------------------------------------------------------- attacks on the Hessian rule


def _forged(data: dict) -> str:
    result = check_claim(claim_from_dict(data))
    assert result.status != "proved"
    return " ".join(result.problems)


def test_a_wrong_hessian_pattern_is_refused() -> None:
    # The identity T = R(i, j) + R(j, i) holds, but T is not the loss's Hessian pattern.
    data = _convex_dict(3)
    data["parts"][0]["steps"][0]["lhs"] = "2*s_i*s_j*(v_i - v_j)**2"
    data["parts"][0]["steps"][0]["rhs"] = "2*s_i*s_j*(v_i - v_j)**2"
    data["parts"][0]["steps"][1]["expr"] = "s_i*s_j*(v_i - v_j)**2"
    assert "v^T H v" in _forged(data)


def test_a_loss_with_another_hessian_is_refused() -> None:
    # Swap the subject for a concave one: the form is computed from it, so the steps no longer fit.
    data = _convex_dict(3)
    bad = data["subject"]["function"] + " - z1**2"
    data["subject"]["function"] = data["parts"][0]["subject"]["function"] = bad
    assert "v^T H v" in _forged(data)


def test_a_wrong_identity_is_refused() -> None:
    data = _convex_dict(3)
    data["parts"][0]["steps"][0]["rhs"] = "s_i*s_j*(v_i - v_j)**2/2"
    assert "R(i, j) + R(j, i)" in _forged(data)


def test_a_sign_on_a_wider_or_other_pattern_is_refused() -> None:
    data = _convex_dict(3)
    data["parts"][0]["steps"][1]["domain"]["intervals"][0][1] = "(0, 1/2)"  # a narrower box proves less
    assert "pattern steps" in _forged(data)
    data = _convex_dict(3)
    data["parts"][0]["steps"][1]["expr"] = "s_i*s_j*v_i**2"
    assert "R(i, j) + R(j, i)" in _forged(data)


def test_forged_pattern_lists_are_refused() -> None:
    data = _convex_dict(3)
    data["parts"][0]["steps"] = data["parts"][0]["steps"][:1]  # the sign step left out
    assert "needs the pattern identity" in _forged(data)
    data = _convex_dict(3)
    data["parts"][0]["steps"][0]["lhs"] = data["parts"][0]["steps"][0]["lhs"] + " + v1"  # a variable outside the pattern
    assert "v^T H v" in _forged(data) or "pattern" in _forged(data)


def test_a_strict_claim_without_its_diagonal_step_is_refused() -> None:
    strict = next(c for c in softmax_claims(SoftmaxCE(3)) if c.id == "strictConvexOn_softmax_ce_z")
    data = claim_to_dict(strict)
    data["parts"][0]["steps"] = data["parts"][0]["steps"][:2]
    assert "diagonal" in _forged(data)


def test_a_loss_outside_the_arithmetic_is_unknown_not_a_crash() -> None:
    z1, z2, v1, v2 = sympy.symbols("z1 z2 v1 v2")
    with pytest.raises(FormError):
        second_directional(sympy.log(sympy.exp(2 * z1) + sympy.exp(z2)), (z1, z2), (v1, v2))
    with pytest.raises(FormError):
        second_directional(sympy.sin(z1) + z2, (z1, z2), (v1, v2))
    # Logits enter through exp(z_k) only: a power of a logit is outside, never misread.
    with pytest.raises(FormError):
        second_directional(z1**2 * z2 + z2, (z1, z2), (v1, v2))
    # ... but a term linear in the logits has no second derivative.
    assert form_equals_pair_sum(3 * z1 - z2 + sympy.log(sympy.exp(z1) + sympy.exp(z2)), (z1, z2), (v1, v2), SQUARES_PATTERN)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_the_form_agrees_with_sympy_hessian(k: int) -> None:
    # The Taylor arithmetic against SymPy's Hessian, at small K where that is cheap.
    loss = SoftmaxCE(k)
    h = sympy.hessian(loss.function, loss.z)
    v = sympy.Matrix(loss.v)
    form = sympy.simplify((v.T * h * v)[0, 0] - loss_form_sum(loss))
    assert form == 0


def loss_form_sum(loss: SoftmaxCE) -> sympy.Expr:
    s = loss.softmax()
    return sympy.Rational(1, 2) * sympy.Add(*(s[i] * s[j] * (loss.v[i] - loss.v[j]) ** 2 for i in range(loss.classes) for j in range(loss.classes)))


def test_one_logit_is_refused_even_with_consistent_steps() -> None:
    # At K = 1, s_1 = 1 lies outside (0, 1): a pattern positive on the open box but 0 at
    # s = 1 would "prove" the linear log(exp(z1)) strictly convex. The rule needs K >= 2.
    from lossproof.kernel import Claim, Domain, Assumption, Identity, Part, Sign, Subject
    from lossproof.kernel.hessian_form import diagonal_pattern, swap_pattern
    from lossproof.softmax import pattern_domain

    z1, v1 = sympy.symbols("z1 v1")
    si, sj, vi, vj = PATTERN
    f = sympy.log(sympy.exp(z1))
    r = sympy.Rational(1, 2) * (1 - si) * (1 - sj) * (vi**2 + vj**2)
    whole = Domain(((z1, sympy.Interval(-sympy.oo, sympy.oo)),))
    part_domain = Domain(whole.intervals + ((v1, sympy.Interval(-sympy.oo, sympy.oo)),), (Assumption(v1**2, ">"),))
    one = Domain(((si, sympy.Interval.open(0, 1)), (vi, sympy.Interval(-sympy.oo, sympy.oo))), (Assumption(vi**2, ">"),))
    steps = (
        Identity(r + swap_pattern(r), r + swap_pattern(r), pattern_domain()),
        Sign(r, ">=", pattern_domain()),
        Sign(diagonal_pattern(r), ">", one),
    )
    subject = Subject(f, vars=(z1,))
    claim = Claim("strictConvexOn", "softmax_ce", "z", subject, whole, (Part("strictConvexOn_of_hessian_form_pos", subject, part_domain, steps),), "L")
    result = check_claim(claim)
    assert result.status != "proved"
    assert any("two logits" in p for p in result.problems)


def _strict_dict(k: int) -> dict:
    claim = next(c for c in softmax_claims(SoftmaxCE(k)) if c.id == "strictConvexOn_softmax_ce_z")
    return claim_to_dict(claim)


def test_a_true_diagonal_step_about_another_term_is_refused() -> None:
    # s_i v_i^2 > 0 holds, but it is not the diagonal term of R: strict convexity would follow.
    data = _strict_dict(3)
    data["parts"][0]["steps"][2]["expr"] = "s_i*v_i**2"
    assert "R(i, i) > 0" in _forged(data)


def test_a_concave_loss_with_a_non_positive_pattern_is_refused() -> None:
    # -log-sum-exp is concave: T and R negated fit it exactly and R <= 0 holds. Only the
    # relation of the sign step stands between this and "convex".
    data = _convex_dict(3)
    lse = "log(exp(z1) + exp(z2) + exp(z3))"
    data["subject"]["function"] = data["parts"][0]["subject"]["function"] = f"-{lse}"
    step0, step1 = data["parts"][0]["steps"][:2]
    step0["lhs"], step0["rhs"] = f"-({step0['lhs']})", f"-({step0['rhs']})"
    step1["expr"], step1["rel"] = f"-({step1['expr']})", "<="
    assert "'R(i, j) >= 0'" in _forged(data)


def test_part_hypotheses_and_narrowed_directions_are_refused() -> None:
    data = _convex_dict(3)
    data["parts"][0]["domain"]["hypotheses"] = [["z1", ">"]]
    assert "hypotheses are not none" in _forged(data)
    data = _convex_dict(3)
    for pair in data["parts"][0]["domain"]["intervals"]:
        if pair[0] == "v1":
            pair[1] = "(0, oo)"
    assert "do not range over all of R" in _forged(data)


def test_the_commands_deadline_leaves_claims_unknown_not_a_crash() -> None:
    from lossproof.timeout import command_deadline

    with command_deadline(0.001):
        time.sleep(0.01)
        results = SoftmaxCE(3).prove()
    assert [r.claim.id for r in results] == ["gradient_softmax_ce_z", "convexOn_softmax_ce_z", "strictConvexOn_softmax_ce_z"]
    assert all(r.status == "unknown" and "time limit" in r.problems[0] for r in results)
