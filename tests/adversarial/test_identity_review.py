"""Adversarial review of the identity check's mpmath side and sparse field (h-adv3): the
findings that live outside identity.py and engines.py, as tests of the promise.

A true identity must never be refuted: cosh(1000 p)^2 (1 - tanh(1000 p)^2) = 1 on (0, 1).
"""

from __future__ import annotations

import sympy
from sympy import Interval, Rational, cosh, tanh

from lossproof.kernel.claim import Domain, Identity
from lossproof.kernel.steps import check_step, confirm
from lossproof.losses import p

LHS = cosh(1000 * p) ** 2 * (1 - tanh(1000 * p) ** 2)  # = 1 everywhere
UNIT = Domain(((p, Interval.open(0, 1)),))

# Found by the review: kernel/steps.confirm took sympy.N(value, 60) at its word, and at
# p = 395/961 evalf cannot tell 1 - tanh(395000/961)**2 (4e-357) from 0 within its default
# precision: it returned 0.e-33, a Float of 1 bit above CONFIRM_MARGIN, and the true identity
# was "confirmed" violated there (before today's changes too). evalf is now strict: a value
# it cannot resolve confirms nothing.


def test_a_value_evalf_cannot_resolve_is_not_a_confirmed_violation() -> None:
    assert not confirm(LHS - 1, "==", {p: Rational(395, 961)})


def test_a_true_identity_with_cancellation_past_60_digits_is_not_refuted() -> None:
    assert check_step(Identity(LHS, sympy.Integer(1), UNIT)).status != "refuted"


def test_the_same_identity_with_a_smaller_argument_is_proved() -> None:
    # 1 - tanh(u)^2 within reach of 80 digits (u < 10): both sides see the identity.
    small = cosh(p) ** 2 * (1 - tanh(p) ** 2)
    assert check_step(Identity(small, sympy.Integer(1), UNIT)).status == "proved"


def test_a_hypothesis_evalf_cannot_resolve_does_not_place_a_point_inside() -> None:
    # A point is inside a domain only where each hypothesis is confirmed: a value evalf
    # cannot resolve (it would read 0.e-33 as "!= 0") places nothing.
    from lossproof.kernel.claim import Assumption
    from lossproof.kernel.steps import inside

    holed = Domain(((p, Interval.open(0, 1)),), (Assumption(1 - tanh(1000 * p) ** 2, "!="),))
    assert not inside({p: Rational(395, 961)}, holed)
    assert inside({p: Rational(1, 1000)}, holed)


def test_a_time_limit_inside_the_counterexample_search_is_not_swallowed(monkeypatch) -> None:  # noqa: ANN001
    # check_claim's search for a counterexample caught every exception: a time limit raised
    # there (it fires once) was lost, and the claim ran on past it.
    import pytest

    from lossproof.claims import build_claim
    from lossproof.kernel import check as check_module
    from lossproof.losses import get_loss
    from lossproof.timeout import ResourceLimitExceeded

    def out_of_time(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ResourceLimitExceeded("time", "the claim's time limit of 1 s was reached")

    monkeypatch.setattr(check_module, "refute", out_of_time)
    claim = build_claim(get_loss("mse"), "convexOn_mse_z")  # refuted: the search runs
    with pytest.raises(ResourceLimitExceeded):
        check_module.check_claim(claim)


def test_sampling_a_sign_step_leaves_huge_sigmoid_arguments_to_evalf() -> None:
    # The sign step's sampler compiled its own mpmath code, whose sigmoid carries |u|/ln 10
    # extra digits: sigmoid(exp(z)) on (13, 14) (u up to 1.2e6) ran for minutes. It now
    # shares the identity check's compiled code, which leaves such a point to evalf.
    from sympy import Symbol, exp

    from lossproof.kernel.claim import Sign
    from lossproof.sigmoid import sigmoid
    from lossproof.timeout import time_limit

    z = Symbol("z")
    with time_limit(20):  # a guard against the hang, not a speed test: it takes milliseconds
        result = check_step(Sign(sigmoid(exp(z)), ">", Domain(((z, Interval.open(13, 14)),))))
    assert result.status != "refuted"
