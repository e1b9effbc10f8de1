"""Proofs: the BCE claims, false claims refuted with confirmed counterexamples, engines that disagree."""

from __future__ import annotations

import dataclasses

import pytest
import sympy
from sympy import Interval, Rational, log, oo

from lossproof.claims import build_claim, claim_ids, claims_for, prove
from lossproof.engines import Outcome, Question, SignEngine, Z3Engine
from lossproof.errors import InputError
from lossproof.losses import get_loss, p, y, z
from lossproof.proof import (
    Domain,
    Identity,
    Limit,
    Part,
    Claim,
    Roots,
    Sign,
    check_claim,
    check_step,
    lemma_claims,
)
from lossproof.sigmoid import sigmoid

BCE = get_loss("bce")
S = sigmoid(z)
Z_LINE = Domain(((z, Interval(-oo, oo)),))
BOX = Domain(((y, Interval(0, 1)), (p, Interval.open(0, 1))))

CLAIM_IDS = [
    "strictConvexOn_bce_p",
    "strictConvexOn_bce_z",
    "isMinOn_bce_p",
    "isMinOn_bce_z",
    "min_value_bce",
    "tendsto_deriv_bce_z_of_confidently_wrong",
    "bce_sub_entropy_eq_kl",
    "kl_bernoulli_nonneg",
]


def test_the_claim_ids_are_the_interface() -> None:
    assert claim_ids(BCE) == CLAIM_IDS


@pytest.fixture(scope="module")
def bce_results():
    return {r.claim.id: r for r in prove(BCE, workers=1)}


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_every_bce_claim_is_proved_by_both_engines(bce_results, claim_id: str) -> None:
    result = bce_results[claim_id]
    assert result.status == "proved", result
    assert result.engines["sympy"] == "proved"
    assert result.engines["z3"] in ("proved", "not used")
    assert not result.problems


def test_z3_takes_part_in_every_claim_with_an_inequality(bce_results) -> None:
    for claim_id, result in bce_results.items():
        if any(isinstance(s, (Sign, Roots)) for part in result.claim.parts for s in part.steps):
            assert result.engines["z3"] == "proved", claim_id


def test_parallel_and_serial_proofs_agree(bce_results) -> None:
    parallel = prove(BCE, workers=2)
    assert [(r.claim, r.status) for r in parallel] == [(bce_results[i].claim, bce_results[i].status) for i in CLAIM_IDS]


def test_the_minimiser_is_derived_not_declared() -> None:
    claim = build_claim(BCE, "isMinOn_bce_p")
    assert claim.parts[0].subject.point == y
    claim_z = build_claim(BCE, "isMinOn_bce_z")
    assert claim_z.parts[0].subject.point == log(y / (1 - y))
    # the ends of the target range: no minimiser inside, infimum 0 approached
    rules = [part.rule for part in claim.parts]
    assert rules == [
        "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
        "not_isMinOn_of_strictMonoOn",
        "tendsto_of_limit",
        "not_isMinOn_of_strictMonoOn",
        "tendsto_of_limit",
    ]
    assert [part.subject.value for part in claim.parts if part.rule == "tendsto_of_limit"] == [0, 0]
    assert [part.case for part in claim.parts[1:]] == [((y, 0),)] * 2 + [((y, 1),)] * 2


def test_min_value_is_the_binary_entropy_not_zero() -> None:
    claim = build_claim(BCE, "min_value_bce")
    assert claim.subject.value == -y * log(y) - (1 - y) * log(1 - y)
    assert claim.parts[0].rule == "isMinOn_of_deriv_eq_zero_of_strictConvexOn"  # the value rests on the minimiser
    assert claim.parts[2].steps[0].rel == ">"


def test_unknown_claim_id_is_bad_input() -> None:
    with pytest.raises(InputError, match="unknown claim 'nope'"):
        prove(BCE, ["nope"])


def test_lemmas_about_log_are_proved() -> None:
    for claim in lemma_claims():
        assert check_claim(claim).status == "proved", claim.id


# ---- false claims: refuted, with a counterexample in the original variables


def test_sigmoid_derivative_above_a_quarter_is_refuted() -> None:
    result = check_step(Sign(S * (1 - S) - Rational(1, 4), ">", Z_LINE))
    assert result.status == "refuted"
    assert (result.engines["sympy"], result.engines["z3"]) == ("refuted", "refuted")
    point = sympy.sympify(result.counterexample["z"])  # our own output, read back
    assert (S * (1 - S)).subs(z, point).rewrite(sympy.exp).evalf(50) <= Rational(1, 4)


def test_second_derivative_above_four_is_refuted() -> None:
    d2 = y / p**2 + (1 - y) / (1 - p) ** 2
    result = check_step(Sign(d2 - 4, ">", BOX))
    assert result.status == "refuted"
    point = {sympy.Symbol(k): sympy.Rational(v) for k, v in result.counterexample.items()}
    assert d2.subs(point) <= 4


def test_counterexample_in_s_maps_back_to_the_logit() -> None:
    # sigmoid(z) > 3/4 fails where s = 3/4 or below; s = 3/4 is z = log 3.
    result = check_step(Sign(S - Rational(3, 4), ">", Z_LINE))
    assert result.status == "refuted"
    value = sympy.sympify(result.counterexample["z"])
    assert sigmoid(value).rewrite(sympy.exp).evalf(30) <= Rational(3, 4)


def test_a_false_identity_is_refuted_with_a_point() -> None:
    result = check_step(Identity(-y * log(p), -log(p), BOX))
    assert result.status == "refuted" and result.counterexample


def test_a_false_limit_is_not_proved() -> None:
    result = check_step(Limit(-log(p), p, sympy.Integer(0), "+", sympy.Integer(0), Domain(((p, Interval.open(0, 1)),))))
    assert result.status != "proved"


def test_a_claim_whose_steps_do_not_fit_its_rule_is_not_proved() -> None:
    good = build_claim(BCE, "strictConvexOn_bce_p")
    part = good.parts[0]
    swapped = dataclasses.replace(part, steps=part.steps[::-1])
    result = check_claim(dataclasses.replace(good, parts=(swapped,)))
    assert result.status != "proved" and result.problems


# ---- the engines decide alone, and a disagreement is never settled silently


def test_engines_disagreeing_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Z3Engine, "decide", lambda self, q: Outcome("refuted", {sympy.Symbol("s"): Rational(1, 2)}))
    result = check_step(Sign(S * (1 - S), ">", Z_LINE))
    assert result.status == "unknown"
    assert (result.engines["sympy"], result.engines["z3"], result.engines["numeric"]) == ("proved", "refuted", "sampled")


def test_the_sign_engine_alone_proves_and_refutes() -> None:
    s = sympy.Symbol("s")
    box = ((s, Interval.open(0, 1)),)
    assert SignEngine().decide(Question(s * (1 - s), ">", box)).status == "proved"
    assert SignEngine().decide(Question(s - Rational(1, 2), ">", box)).status == "refuted"
    assert Z3Engine().decide(Question(s - Rational(1, 2), ">", box)).status == "refuted"


def test_z3_answers_unknown_rather_than_hang() -> None:
    s = sympy.Symbol("s")
    q = Question(s**2 + 1, ">", ((s, Interval(-oo, oo)),))
    assert Z3Engine(timeout_ms=1).decide(q).status in ("proved", "unknown")


def test_claims_for_builds_every_claim() -> None:
    assert [c.id for c in claims_for(BCE)] == CLAIM_IDS


def test_a_constant_minimum_value_that_is_too_high_is_refuted() -> None:
    # (p - y)**2 - 1 has minimum -1, not 0: a constant claimed value is screened too.
    from sympy import Integer

    from lossproof.kernel import Claim, Domain, Subject
    from lossproof.kernel.refute import refute

    claim = Claim("min_value", "custom", None, Subject((p - y) ** 2 - 1, p, point=y, value=Integer(0), vars=(y,)),
                  Domain(((y, Interval.open(0, 1)), (p, Interval.open(0, 1)))), (), "L")
    cx = refute(claim, (), True)
    assert cx is not None and sympy.Rational(cx.point["p"]) != sympy.Rational(cx.point["y"])


def test_closed_form_roots_are_sought_factor_by_factor() -> None:
    # The builder passes over a factor mixing p and log(p) (no closed-form root but a
    # LambertW), yet keeps the polynomial factor's root and an invertible factor's.
    from lossproof.claims import _closed_roots

    mixed = 2 * p * log(p) + p - 1
    assert _closed_roots(mixed, p) == []
    assert _closed_roots((p - y) * mixed, p) == [y]
    assert _closed_roots(sympy.tanh(p - y), p) == [y]
    assert _closed_roots(log(p) - log(1 - p) - log(y), p) != []
