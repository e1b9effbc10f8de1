"""Softmax cross-entropy: convex, not strictly, with the null direction found by the engines."""

from __future__ import annotations

import json

import pytest
import sympy

from lossproof.certificate import claim_from_dict, claim_to_dict
from lossproof.cli import main
from lossproof.errors import InputError
from lossproof.proof import check_claim
from lossproof.softmax import SoftmaxCE, prove_softmax, softmax_claims


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
    assert main(["prove", "softmax_ce", "--classes", "40"]) == 2
    assert "choose K from 2 to 6" in capsys.readouterr().err


def test_derive_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "softmax_ce", "--classes", "2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["classes"] == 2 and len(data["gradient"]) == 2 and len(data["hessian"]) == 2
    h = sympy.sympify(data["hessian"][0][1])  # our own output, read back
    z1, z2 = sympy.symbols("z1 z2")
    assert sympy.simplify(h + sympy.exp(z1 + z2) / (sympy.exp(z1) + sympy.exp(z2)) ** 2) == 0


def test_claims_for_two_classes_too() -> None:
    assert [c.id for c in softmax_claims(SoftmaxCE(2))] == ["gradient_softmax_ce_z", "convexOn_softmax_ce_z", "strictConvexOn_softmax_ce_z"]
