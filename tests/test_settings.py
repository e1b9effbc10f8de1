"""One settings value: its defaults are what the code uses, and other settings take effect."""

from __future__ import annotations

import dataclasses

import pytest
from sympy import Interval, Symbol

from lossproof.errors import InputError
from lossproof.identity import check_identity
from lossproof.kernel.engines import Z3Engine
from lossproof.settings import DEFAULT, Settings, current, using
from lossproof.timeout import COMMAND_LIMIT_SECONDS, USER_LIMIT_SECONDS

p = Symbol("p")


def test_the_default_is_in_force_and_is_what_the_old_names_say() -> None:
    assert current() is DEFAULT
    assert (USER_LIMIT_SECONDS, COMMAND_LIMIT_SECONDS) == (DEFAULT.user_limit_seconds, DEFAULT.command_limit_seconds)
    assert Z3Engine().timeout_ms == DEFAULT.z3_timeout_ms


def test_other_settings_reach_the_engines_and_the_identity_check() -> None:
    with using(Settings(z3_timeout_ms=1234, identity_points=2)):
        assert Z3Engine().timeout_ms == 1234
        assert check_identity(p * (1 - p), p - p**2, {p: Interval.open(0, 1)}).points == 2
    assert Z3Engine().timeout_ms == DEFAULT.z3_timeout_ms  # the block's settings end with it
    assert check_identity(p * (1 - p), p - p**2, {p: Interval.open(0, 1)}).points == DEFAULT.identity_points


def test_settings_are_frozen_and_validated() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.z3_timeout_ms = 1  # type: ignore[misc]
    for bad in ({"sign_samples": 0}, {"confirm_margin": 0.0}, {"z3_timeout_ms": "10"}, {"sign_seed": -1}):
        with pytest.raises(InputError, match=next(iter(bad))):
            Settings(**bad)


def test_prove_and_check_take_settings() -> None:
    from lossproof.kernel import check_claim
    from lossproof.losses import get_loss
    from lossproof.softmax import SoftmaxCE

    few = Settings(sign_samples=2, refute_combos=2)
    results = get_loss("mse").prove(["strictConvexOn_mse_p"], settings=few)
    assert [r.status for r in results] == ["proved"]
    convex = SoftmaxCE(2).prove(["convexOn_softmax_ce_z"], settings=few)[0]
    assert convex.status == "proved"
    assert check_claim(convex.claim, few).status == "proved"
