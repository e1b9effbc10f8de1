"""MAE: not differentiable at p = y, and lossproof does not pretend it is."""

from __future__ import annotations

import dataclasses

import json

import pytest
import sympy

from lossproof.claims import build_claim, prove
from lossproof.cli import main
from lossproof.derive import derive
from lossproof.losses import get_loss, p, y
from lossproof.kernel import check_claim

MAE = get_loss("mae")


def test_derivatives_hold_off_the_kink_and_say_so() -> None:
    d1, d2 = derive(MAE, "p", 1), derive(MAE, "p", 2)
    assert d1.canonical == sympy.sign(p - y) and d2.canonical == 0
    assert d1.undefined_where == d2.undefined_where == (p - y,)


def test_json_reports_where_the_derivative_is_undefined(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "mae", "--wrt", "p", "--order", "1", "--format", "json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["derivatives"]
    assert entry["expr"] == "sign(p - y)" and entry["undefined_where"] == ["p - y = 0"]


@pytest.fixture(scope="module")
def results():
    # The claims in p only: those in z (sign of sigmoid(z) - y) take long and end unknown.
    return {r.claim.id: r for r in prove(MAE, ["strictConvexOn_mae_p", "isMinOn_mae_p"])}


def test_convex_but_not_strictly_with_the_kink_checked(results) -> None:
    assert results["strictConvexOn_mae_p"].status == "refuted"
    convex = results["convexOn_mae_p"]
    assert convex.status == "proved"
    kink = [part for part in convex.claim.parts if part.rule == "convexAt_kink_of_deriv_le"]
    assert len(kink) == 1
    left, right = (step.value for step in kink[0].steps[:2])
    assert (left, right) == (-1, 1)  # the subdifferential at the kink is [-1, 1]


def test_dropping_the_kink_part_is_a_problem(results) -> None:
    claim = results["convexOn_mae_p"].claim
    smooth_only = dataclasses.replace(claim, parts=claim.parts[:1])
    result = check_claim(smooth_only)
    assert result.status != "proved" and any("no kink part" in p for p in result.problems)


def test_the_minimiser_is_the_kink(results) -> None:
    result = results["isMinOn_mae_p"]
    assert result.status == "proved"
    assert result.claim.parts[0].subject.point == y
    assert result.claim.parts[0].rule == "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt"


def test_a_concave_kink_is_refuted() -> None:
    # -|p - y| + 2: off the kink d2 = 0 >= 0, but the slope falls at p = y.
    from lossproof.losses import custom_loss

    claim = build_claim(custom_loss("2 - abs(p - y)", "identity"), "convexOn_custom_p")
    result = check_claim(claim)
    assert result.status == "refuted"
