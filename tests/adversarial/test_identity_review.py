"""Adversarial review of the identity check's mpmath side and sparse field (h-adv3): the
findings that live outside identity.py and engines.py, as tests of the promise.

A true identity must never be refuted: cosh(1000 p)^2 (1 - tanh(1000 p)^2) = 1 on (0, 1).
"""

from __future__ import annotations

import pytest
import sympy
from sympy import Interval, Rational, cosh, tanh

from lossproof.kernel.claim import Domain, Identity
from lossproof.kernel.steps import check_step, confirm
from lossproof.losses import p

LHS = cosh(1000 * p) ** 2 * (1 - tanh(1000 * p) ** 2)  # = 1 everywhere
UNIT = Domain(((p, Interval.open(0, 1)),))

WHY = (
    "kernel/steps.confirm takes sympy.N(value, 60) at its word: at p = 395/961, "
    "1 - tanh(395000/961)**2 (4e-357) cannot be told from 0 within evalf's default maxn, "
    "and N returns 0.e-33, a Float of 1 bit whose absolute value exceeds CONFIRM_MARGIN "
    "(1e-40): the true identity is 'confirmed' violated there. Fix (steps.py): "
    "sympy.N(value, CONFIRM_DIGITS, strict=True), PrecisionExhausted meaning not confirmed. "
    "Same at e4816ca, before the mpmath side."
)


@pytest.mark.xfail(strict=True, reason=WHY)
def test_a_value_evalf_cannot_resolve_is_not_a_confirmed_violation() -> None:
    assert not confirm(LHS - 1, "==", {p: Rational(395, 961)})


@pytest.mark.xfail(strict=True, reason=WHY)
def test_a_true_identity_with_cancellation_past_60_digits_is_not_refuted() -> None:
    assert check_step(Identity(LHS, sympy.Integer(1), UNIT)).status != "refuted"


def test_the_same_identity_with_a_smaller_argument_is_proved() -> None:
    # 1 - tanh(u)^2 within reach of 80 digits (u < 10): both sides see the identity.
    small = cosh(p) ** 2 * (1 - tanh(p) ** 2)
    assert check_step(Identity(small, sympy.Integer(1), UNIT)).status == "proved"
