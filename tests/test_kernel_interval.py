"""The interval engine inside the kernel: where it decides, and that its second side counts.

A sign step the polynomial path leaves undecided goes to branch and bound in arb balls;
it is proved only when mpmath.iv re-checks the cover, and refuted only at a point of the
step's own domain that is confirmed at 60 digits. Each test makes one side lie or fail
and checks that the verdict does not survive it.
"""

from __future__ import annotations

import sympy
from sympy import Interval, Rational, Symbol, log

from lossproof.kernel import Domain, Assumption, Sign, check_step
from lossproof.kernel import branch_bound, box_check, steps

p, y = Symbol("p"), Symbol("y")
BOX = Domain(((y, Interval(0, 1)), (p, Interval.open(0, 1))))
# Focal (gamma = 2) d2/dp2 is a sum with logs: not polynomial after lemmas, so the
# polynomial path cannot decide it; the interval engine can.
FOCAL = -y * (1 - p) ** 2 * log(p) - (1 - y) * p**2 * log(1 - p)
FOCAL_D2 = sympy.diff(FOCAL, p, 2)


def _fresh(step: Sign) -> Sign:
    # check_step caches by step: a rule name no other test uses keeps each check fresh.
    return Sign(step.expr, step.rel, step.domain, step.lemmas, rule=f"test {id(step)}")


def test_a_transcendental_sign_is_proved_by_both_interval_sides() -> None:
    result = check_step(_fresh(Sign(FOCAL_D2, ">", BOX)))
    assert result.status == "proved"
    assert (result.engines["arb"], result.engines["mpmath.iv"]) == ("proved", "proved")


def test_a_cover_that_does_not_recheck_proves_nothing(monkeypatch) -> None:
    monkeypatch.setattr(box_check, "recheck", lambda *a, **k: (False, "forged cover"))
    result = check_step(_fresh(Sign(FOCAL_D2, ">", BOX)))
    assert result.status == "unknown" and "forged cover" in result.reason


def test_a_refutation_outside_the_domain_is_not_one(monkeypatch) -> None:
    # The engine "finds" a point with p = 2, outside (0, 1): no refutation.
    fake = branch_bound.Verdict("refuted", (), {y: Rational(1, 2), p: Rational(2)}, "forged", 1, 0.0)
    monkeypatch.setattr(branch_bound, "decide", lambda *a, **k: fake)
    result = check_step(_fresh(Sign(FOCAL_D2 - 1000, ">", BOX)))
    assert result.status != "refuted" or result.counterexample != {"p": "2", "y": "1/2"}


def test_a_refutation_is_confirmed_on_the_expression(monkeypatch) -> None:
    # A point inside the domain where the expression is in fact positive: not confirmed.
    fake = branch_bound.Verdict("refuted", (), {y: Rational(1, 2), p: Rational(1, 2)}, "forged", 1, 0.0)
    monkeypatch.setattr(branch_bound, "decide", lambda *a, **k: fake)
    monkeypatch.setattr(steps, "_numeric_sign", lambda step: ("sampled", None))
    result = check_step(_fresh(Sign(FOCAL_D2, ">", BOX)))
    assert result.status == "unknown"


def test_hypotheses_are_never_dropped_from_a_refutation() -> None:
    # tanh(p - y) < 0 holds where p < y; on the whole box it fails, but only outside the
    # hypothesis: a point there is no counterexample to the step.
    below = Domain(BOX.intervals, (Assumption(p - y, "<"),))
    result = check_step(_fresh(Sign(sympy.exp(p - y) - 1, "<", below)))
    assert result.status != "refuted"


def test_a_contradiction_between_the_first_two_sides_is_not_settled_by_the_third(monkeypatch) -> None:
    from lossproof.kernel.engines import Outcome, Z3Engine

    monkeypatch.setattr(Z3Engine, "decide", lambda self, q: Outcome("refuted", {p: Rational(1, 2)}))
    called = []
    monkeypatch.setattr(branch_bound, "decide", lambda *a, **k: called.append(1))
    result = check_step(_fresh(Sign(p * (1 - p), ">", BOX)))
    assert result.status == "unknown" and not called
