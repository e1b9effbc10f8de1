"""The audit: its truth is exact, its sweep deterministic and complete, and it can fail."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lossproof.audit import DTYPES, TORCH_INSTALL, Truth, audit, get_target, render_report
from lossproof.audit.run import truths
from lossproof.audit.sweep import Region, logits, probabilities, sweep
from lossproof.audit.truth import ulps, ulps_by_definition
from lossproof.cli import main
from lossproof.errors import InputError
from lossproof.losses import get_loss

from .conftest import require

BCE = get_loss("bce")
F64, F32 = DTYPES["float64"], DTYPES["float32"]


def _torch_or_skip() -> object:
    require("torch")
    import torch

    return torch


def _region(y: float, xs: list[float], dtype: str = "float64") -> list[Region]:
    dt = DTYPES[dtype].np
    return [Region("probe", np.full(len(xs), y, dtype=dt), np.array(xs, dtype=dt))]


# --- the truth, against formulas written independently with mpmath --------------------

def test_truth_of_bce_loss_in_both_tails_matches_softplus() -> None:
    t = Truth.of(BCE, "loss")
    with mpmath.workdps(80):
        for y_float, zv in [(0.0, -50.0), (0.0, -700.0), (1.0, 50.0), (1.0, 700.0), (0.3, 40.0)]:
            yv = mpmath.mpf(y_float)  # the exact binary value, as the truth takes it
            want = yv * mpmath.log1p(mpmath.exp(-zv)) + (1 - yv) * mpmath.log1p(mpmath.exp(zv))
            assert abs(t(y_float, zv) - want) <= abs(want) * mpmath.mpf(10) ** -60


def test_truth_at_huge_logits_uses_the_complement_form() -> None:
    # 1 - sigmoid(1e300) is e^-1e300, far below any working precision: only the complement
    # form log(sigmoid(-z)) = -z - log1p(e^-z) gives the soft-label loss 0.7 z there.
    t = Truth.of(BCE, "loss")
    assert t(0.3, 1e300) == pytest.approx(0.7e300, rel=1e-15)
    assert t(0.3, -1e300) == pytest.approx(0.3e300, rel=1e-15)


def test_truth_of_grad_p_near_zero_has_the_bits_log1p_needs() -> None:
    # focal, y = 0: dL/dp = -2p log(1 - p) + p^2/(1 - p) = 3 p^2 (1 + O(p)) at p = 2^-511;
    # a fixed 60 digits rounds 1 - p to 1 and finds p^2.
    p = 2.0**-511
    got = Truth.of(get_loss("focal"), "grad_p")(0.0, p)
    assert got == pytest.approx(3 * p * p, rel=1e-12)


def test_truth_is_none_exactly_at_a_kink() -> None:
    assert Truth.of(get_loss("mae"), "grad_p")(0.5, 0.5) is None
    assert Truth.of(get_loss("mae"), "grad_p")(0.5, 0.25) == -1


def test_ulps_counts_units_in_the_last_place_of_the_truth() -> None:
    one = mpmath.mpf(1)
    assert ulps(1.0, one, 53, -1022) == 0
    assert ulps(float(np.nextafter(1.0, 2.0)), one, 53, -1022) == 1
    assert ulps(1.0 - 2.0**-53, one, 53, -1022) == 0.5
    assert ulps(float("nan"), one, 53, -1022) == math.inf
    assert ulps(0.0, mpmath.mpf(2.0**-1074), 53, -1022) == 1  # subnormal spacing below the normals


@settings(max_examples=25, deadline=None)
@given(st.floats(-40, 40), st.sampled_from([0.0, 1.0, 0.25]))
def test_truth_agrees_with_plain_mpmath_where_nothing_cancels(zv: float, yv: float) -> None:
    with mpmath.workdps(100):
        s = 1 / (1 + mpmath.exp(-mpmath.mpf(zv)))
        want = s - yv
    got = Truth.of(BCE, "grad_z")(yv, zv)
    if want != 0:
        assert abs(got - want) <= abs(want) * mpmath.mpf(2) ** -69


# --- the ball path of the truth, against the mpmath path and exact values ------------

#: Cancellation-heavy inputs of each kind: huge and tiny logits (1 - sigmoid(z) and
#: sigmoid(z) - 1/2 cancel), both hard labels and labels 2^-20 from either end,
#: predictions 2^-k from 0 and 1 (log(1 - p)), and the floats next to the zero of grad_z
#: at y = 0.25 (z = -log 3), where sigmoid(z) - y keeps only the bits the two do not share.
_HARD_Z = (-1e300, -2.0**600, -900.5, -745.0, -40.0, -2.0**-1074, 0.0, 2.0**-60, 36.5, 745.0, 900.5, 1e300)
_LABELS = (0.0, 1.0, 0.25, 2.0**-20, 1 - 2.0**-20)
_HARD_P = (2.0**-1074, 2.0**-511, 2.0**-53, 1e-5, 0.25, 0.5, 0.75, 1 - 2.0**-20, 1 - 2.0**-53)
_NEAR_ZERO = tuple(float(v) for v in [-math.log(3) + k * 2.0**-52 for k in range(-3, 4)])


def _points(var: str) -> list[tuple[float, float]]:
    xs = _HARD_P if var == "p" else _HARD_Z + _NEAR_ZERO
    return [(yv, xv) for yv in _LABELS for xv in xs]


def _close(a: mpmath.mpf | None, b: mpmath.mpf | None, bits: int) -> bool:
    from lossproof.audit.truth import NEGLIGIBLE

    if a is None or b is None:
        return a is b
    if abs(a) < NEGLIGIBLE and abs(b) < NEGLIGIBLE:
        return True
    return bool(abs(a - b) <= abs(b) * mpmath.ldexp(1, -bits))


def _at_high_precision(t: Truth, yv: float, xv: float, bits: int = 2000) -> mpmath.mpf:
    """One evaluation of the mpmath form at ``bits``: beyond any cancellation of these points."""
    f = t._complement if (t.var.name == "z" and xv > 0) else t._direct
    with mpmath.workprec(bits):
        return f(mpmath.mpf(yv), mpmath.mpf(xv))


@pytest.mark.parametrize("name", ["bce", "mse", "mae", "logcosh", "bce_pos_weight", "bce_label_smoothing", "focal", "poisson"])
def test_truth_by_ball_agrees_with_mpmath_at_high_precision_at_cancelling_points(name: str) -> None:
    # Against one evaluation at 2000 bits, not the two agreeing ones: those share the
    # cancellation of sigmoid(z) - 1/2 at z = 2^-1074, and agree on a false 0.
    from lossproof.audit.truth import AGREE_BITS, QUANTITIES, UNDECIDED

    loss = get_loss(name)
    for q in QUANTITIES:
        if QUANTITIES[q] == "z" and loss.link is None:
            continue
        t = Truth.of(loss, q)
        for yv, xv in _points("p" if q == "grad_p" else "z"):
            got = t(yv, xv)
            assert got is not UNDECIDED, f"{name} {q} at y = {yv!r}, x = {xv!r}: no ball decided"
            want = None if got is None else _at_high_precision(t, yv, xv)
            assert _close(got, want, AGREE_BITS), f"{name} {q} at y = {yv!r}, x = {xv!r}: ball {got}, mpmath {want}"


def _decides(t: Truth, yv: float, xv: float) -> mpmath.mpf | None:
    """The ball's own answer at (y, x), or None where the mpmath path would decide."""
    from lossproof.audit.truth import _ball_at, _decided

    f = t._ball_complement if (t.var.name == "z" and xv > 0) else t._ball_direct
    assert f is not None
    ball = _ball_at(f, yv, xv, t._bits(xv) + 64)
    return None if ball is None else _decided(ball)


def test_ball_decides_bce_with_the_exact_softplus_value_in_both_tails() -> None:
    # L(y, z) = y softplus(-z) + (1 - y) softplus(z), softplus(u) = log1p(e^u): written out
    # here, at 2000 bits (|z| <= 900.5 cancels at most 1300), apart from the ball's compiler.
    from lossproof.audit.truth import BALL_BITS

    t = Truth.of(BCE, "loss")
    decided = 0
    for yv in _LABELS:
        for zv in [v for v in _HARD_Z if abs(v) <= 1000] + list(_NEAR_ZERO):
            got = _decides(t, yv, zv)
            if got is None:
                continue
            decided += 1
            with mpmath.workprec(2000):
                y_, z_ = mpmath.mpf(yv), mpmath.mpf(zv)
                want = y_ * mpmath.log1p(mpmath.exp(-z_)) + (1 - y_) * mpmath.log1p(mpmath.exp(z_))
                assert _close(got, want, BALL_BITS), f"y = {yv!r}, z = {zv!r}: ball {got}, exact {want}"
    assert decided >= 60  # the ball, not the fallback, decided nearly all of these


def test_ball_decides_grad_z_next_to_its_zero_and_grad_p_at_powers_of_two() -> None:
    from lossproof.audit.truth import BALL_BITS

    gz, gp = Truth.of(BCE, "grad_z"), Truth.of(BCE, "grad_p")
    with mpmath.workprec(2000):
        for zv in _NEAR_ZERO:  # sigmoid(z) - 1/4 = 1/(1 + e^-z) - 1/4, about 2^-54 here
            got = _decides(gz, 0.25, zv)
            want = 1 / (1 + mpmath.exp(-mpmath.mpf(zv))) - mpmath.mpf(0.25)
            assert got is not None and _close(got, want, BALL_BITS)
        for pv in (2.0**-1074, 2.0**-53, 1e-5, 1 - 2.0**-20, 1 - 2.0**-53):
            for yv in (0.25, 2.0**-20):
                got = _decides(gp, yv, pv)
                p_, y_ = mpmath.mpf(pv), mpmath.mpf(yv)
                want = (p_ - y_) / (p_ * (1 - p_))
                assert got is not None and _close(got, want, BALL_BITS), (pv, yv, got, want)


def test_first_ball_decides_exact_values_and_leaves_wide_balls() -> None:
    # sigmoid(0) - 0 = 1/2 exactly: an exact ball (radius 0), decided although a power of
    # two; -1/p = -2^1074 at y = 1, p = 2^-1074: a division, not exact in a ball, so the
    # exact rational value decides it; sigmoid(z) - 1/2 at z = 2^-1074 cancels far beyond
    # the first ball's precision: not the first ball's.
    gz, gp = Truth.of(BCE, "grad_z"), Truth.of(BCE, "grad_p")
    assert _decides(gz, 0.0, 0.0) == mpmath.mpf(0.5) and gz(0.0, 0.0) == mpmath.mpf(0.5)
    assert gz(1.0, 0.0) == -mpmath.mpf(0.5)
    assert _decides(gp, 1.0, 2.0**-1074) is None and gp(1.0, 2.0**-1074) == -(mpmath.mpf(2) ** 1074)
    assert _decides(gz, 0.5, 2.0**-1074) is None


def test_exact_rational_quantities_are_exact_at_powers_of_two() -> None:
    # (p - y)/(p (1 - p)) at y = 1, p = 1/4 is -4, pos_weight's (1 - y)/(1 - p) - 3y/p at
    # y = 1/4, p = 3/4 is 2: no ball of a division proves a power of two, the rationals do
    gp, pw = Truth.of(BCE, "grad_p"), Truth.of(get_loss("bce_pos_weight"), "grad_p")
    assert gp(1.0, 0.25) == -4 and pw(0.25, 0.75) == 2 and pw(0.25, 0.25) == -2
    third = gp(1.0, 0.75)  # -4/3: not a binary fraction, so a ball of it decides
    with mpmath.workprec(300):
        assert third is not None and abs(third + mpmath.mpf(4) / 3) < mpmath.ldexp(1, -133)


def test_soft_label_grad_z_at_tiny_logits_is_z_over_4_not_a_false_zero() -> None:
    # sigmoid(z) - 1/2 = tanh(z/2)/2, which does not cancel: at z = 2^-300 about 2^-302,
    # which two evaluations at 264 and 328 bits both round to 0 (and then "agree"). Just
    # below 2^-302 (z/4 - z^3/48): in the binade below, which the ulp depends on.
    gz = Truth.of(BCE, "grad_z")
    for k in (300, 600, 1074):
        zv = 2.0**-k
        assert gz.by_mpmath(0.5, zv) == 0  # the old path's false zero, which this test is about
        got = gz(0.5, zv)
        with mpmath.workprec(3 * k + 200):
            want = mpmath.tanh(mpmath.mpf(zv) / 2) / 2
            assert got != 0 and abs(got - want) <= abs(want) * mpmath.ldexp(1, -133), (k, got, want)
        assert mpmath.frexp(got)[1] == mpmath.frexp(want)[1] == -k - 2, k  # in [2^-(k+3), 2^-(k+2))
        mirror = gz(0.5, -zv)  # the direct form, where z > 0 took the complement: -got, to 2^-133
        with mpmath.workprec(3 * k + 200):
            assert abs(mirror + got) <= abs(got) * mpmath.ldexp(1, -133), (k, mirror)
    # and where the old path rounded 1/2 - 2^-1076 to 1/2, at y = 0: below 1/2
    below = gz(0.0, -(2.0**-1074))
    assert below < 0.5 and mpmath.frexp(below)[1] == -1


def test_far_grad_z_at_y_1_is_above_minus_1_and_measured_against_its_ulp() -> None:
    # sigmoid(z) - 1 = -1 + e^z/(1 + e^z): just above -1, in the binade [1/2, 1) in
    # magnitude, whose float64 ulp is 2^-53. The old path returned -1 beyond |z| = 900
    # (ulp 2^-52): a target returning 0 there showed 2^52 ulp instead of 2^53.
    gz = Truth.of(BCE, "grad_z")
    for zv in (-1000.0, -(2.0**600), -1e300):
        got = gz(1.0, zv)
        assert -1 < got and got + 1 <= mpmath.ldexp(1, -133), zv
        assert mpmath.frexp(got)[1] == 0
        assert ulps(0.0, got, F64.mant, F64.emin) == 2.0**53
        assert ulps(-1.0, got, F64.mant, F64.emin) == 0.0  # e^z ulp, below any float: as -1 was
        mirror = gz(0.0, -zv)  # 1 - sigmoid(-|z|): below 1
        assert mirror < 1 and mpmath.frexp(mirror)[1] == 0
    with mpmath.workprec(3000):  # at z = -1000 a precision reaches it: -1/(1 + e^-1000)
        want = -1 / (1 + mpmath.exp(mpmath.mpf(-1000)))
        assert abs(gz(1.0, -1000.0) - want) <= mpmath.ldexp(1, -133)


def test_far_values_next_to_a_power_of_two_keep_their_side() -> None:
    # bce's loss at z = +/-2^k with a hard label is 2^k + log1p(e^-2^k): above 2^k, so 2^k
    # represents it, and is what the mpmath path gives (the figures printed before); focal's
    # loss at y = 0, z = 1024 is (1 - t)^2 (1024 + log1p(t)), t = e^-1024: below 1024; label
    # smoothing's grad_z at y = 1/2 is -9/20 - 1/20 + sigmoid(z): -1/2 exactly in the limit,
    # which only exact rationals give (9/10 and 1/20 are not binary fractions).
    loss, focal = Truth.of(BCE, "loss"), Truth.of(get_loss("focal"), "loss")
    smooth = Truth.of(get_loss("bce_label_smoothing"), "grad_z")
    for k in (10, 100, 600, 1000):
        for yv, zv in ((0.0, 2.0**k), (1.0, -(2.0**k))):
            got = loss(yv, zv)
            assert got == mpmath.mpf(2) ** k == loss.by_mpmath(yv, zv), (yv, zv)
    below = focal(0.0, 1024.0)
    assert below < 1024 and mpmath.frexp(below)[1] == 10
    for zv in (-1e300, -1024.0):
        got = smooth(0.5, zv)
        assert -0.5 < got and mpmath.frexp(got)[1] == -1, zv


def test_zero_region_at_y_half_is_centred_on_z_0() -> None:
    # sigmoid(z) - 1/2 vanishes at z = 0 exactly; next to it the truth is z/4, below the
    # float 0 for the smallest subnormals, so the search compares exact magnitudes: the
    # region is 0, 4 floats either side and the ladder +/-2^-j (not a plateau of false zeros)
    from lossproof.audit.zeros import zero_regions

    (region,) = zero_regions(Truth.of(BCE, "grad_z"), F64, "grad_z", labels=(0.5,))
    xs = sorted(region.x.tolist())
    assert 0.0 in xs and 2.0**-53 in xs and -(2.0**-2) in xs and 5e-324 in xs and len(xs) == 113


def test_far_argument_refuses_what_it_cannot_bound() -> None:
    # at z = -70, e^z = 2^-101 is not within 2^-136 of -1: the limit -1 does not represent
    # the truth -1 + 2^-101 to the ball's standard, so _far must decline (or be right)
    from lossproof.audit.truth import _far

    gz = Truth.of(BCE, "grad_z")
    got = _far(gz._ball_direct, 1.0, -70.0, 300, lambda: mpmath.mpf(-1))
    with mpmath.workprec(600):
        want = -1 / (1 + mpmath.exp(mpmath.mpf(-70)))
        assert got is None or abs(got - want) <= abs(want) * mpmath.ldexp(1, -133), got


def test_far_argument_takes_one_small_exponential_only() -> None:
    # sigmoid(z) + sigmoid(2z) - y has two: e^z and e^2z, not one variable t whose
    # derivative is 1, so _far declines, and the precision (1443 bits at z = -1000) decides
    from lossproof.audit.truth import _far, _truth
    from lossproof.losses import y, z
    from lossproof.sigmoid import sigmoid

    t = _truth(sigmoid(z) + sigmoid(2 * z) - y, z, 53)
    assert _far(t._ball_direct, 1.0, -1000.0, 300, lambda: mpmath.mpf(-1)) is None
    got = t(1.0, -1000.0)
    assert -1 < got and mpmath.frexp(got)[1] == 0


def test_far_argument_needs_the_side_proved() -> None:
    # sigmoid(z)^2 - y at y = 1 is -1 + t^2/(1 + t)^2: its slope in t is 0 at t = 0, so the
    # slope's ball holds 0 and proves no side. At z = -1000 the precision decides (above
    # -1); at z = -1e300 nothing does, and the truth says so rather than guess -1.
    from lossproof.audit.truth import UNDECIDED, _truth
    from lossproof.losses import y, z
    from lossproof.sigmoid import sigmoid

    t = _truth(sigmoid(z) ** 2 - y, z, 53)
    got = t(1.0, -1000.0)
    assert got is not UNDECIDED and -1 < got and mpmath.frexp(got)[1] == 0
    assert t(1.0, -1e300) is UNDECIDED


def test_undecided_is_counted_not_measured_and_survives_a_worker() -> None:
    import pickle

    import sympy

    from lossproof.audit.run import _region as region_result
    from lossproof.audit.truth import UNDECIDED, _truth
    from lossproof.losses import z

    # tanh(z)^2 + 1/cosh(z)^2 is 1 at every z: every ball of it holds the power of two 1,
    # and nothing proves the side (the ulp of 1 - 2^-60 is half that of 1 + 2^-60)
    one = _truth(sympy.tanh(z) ** 2 + 1 / sympy.cosh(z) ** 2, z, 53)
    assert one(0.0, 1.5) is UNDECIDED
    assert pickle.loads(pickle.dumps(UNDECIDED)) is UNDECIDED
    reg = _region(0.0, [1.5, 2.5])[0]
    r = region_result(reg, np.array([1.0, 0.0]), [UNDECIDED, mpmath.mpf(2)], F64, None)
    assert (r.undecided, r.measured) == (1, 1) and r.worst is not None and r.worst.x == 2.5


def test_ball_decides_at_huge_logits_where_exp_would_overflow() -> None:
    # exp(1e300) is beyond arb's range: sigmoid and log-sigmoid are read so that only
    # exp(-|z|) is taken, which the ball decides (0.7 z, 0.3 |z|, and e^-1e300, negligible)
    loss, gz = Truth.of(BCE, "loss"), Truth.of(BCE, "grad_z")
    for zv, want in ((1e300, 0.7e300), (-1e300, 0.3e300)):
        got = _decides(loss, 0.3, zv)
        assert got is not None and got == pytest.approx(want, rel=1e-15)
    tiny = _decides(gz, 0.0, -1e300)
    assert tiny is not None and 0 <= tiny < mpmath.ldexp(1, -1200)


def test_ball_compiler_leaves_what_it_cannot_enclose_to_mpmath() -> None:
    import sympy

    from lossproof.audit.truth import _compile_ball, _truth
    from lossproof.losses import y, z

    assert _compile_ball(sympy.Float(0.5) * z, z) is None  # a Float: mpmath reads it as lambdify does
    expr = sympy.erf(z) - y
    t = _truth(expr, z, 53)
    assert t._ball_direct is None
    with mpmath.workdps(50):
        want = mpmath.erf(mpmath.mpf(0.5)) - mpmath.mpf(0.25)
    assert _close(t(0.25, 0.5), want, 100)


def test_ball_proof_check_refuses_a_value_outside_the_ball() -> None:
    from flint import arb

    from lossproof.audit.truth import _within

    third = arb(1) / 3  # at 53 bits: too wide for 2^-133
    assert not _within(mpmath.mpf(1) / 3, third, 300)
    exact = arb((3, -4))  # 3/16 exactly
    assert _within(mpmath.mpf(3) / 16, exact, 300)
    assert not _within(mpmath.mpf(3) / 16 * (1 + mpmath.mpf(2) ** -52), exact, 300)
    assert not _within(mpmath.mpf(0), exact, 300)


# --- the bookkeeping, against its definition in mpmath ----------------------------------



@settings(max_examples=300, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0),
    st.integers(-4, 4),
    st.integers(0, 200),
    st.sampled_from(["float64", "float32"]),
)
@example(1.0, 0, 0, "float64")  # truth just above 1, got 1: a difference far below got
@example(1.0, -1, 0, "float64")  # got one below 1: the binade edge
@example(5e-324, 1, 10, "float64")  # subnormal spacing
@example(1e308, 3, 100, "float32")  # beyond the dtype: still a number of ulps
def test_ulps_is_its_definition(t0: float, k: int, j: int, dtype: str) -> None:
    # got: a few floats from t0; the truth: t0 and bits far beyond a float's, so that the
    # difference needs rounding to the context's 53 bits
    got = t0
    with np.errstate(over="ignore"):  # past the largest float is inf, infinitely far
        for _ in range(abs(k)):
            got = float(np.nextafter(got, math.copysign(math.inf, k)))
    with mpmath.workprec(300):  # pi's 300 bits: a difference that must be rounded
        truth = mpmath.mpf(t0) * (1 + mpmath.pi * mpmath.ldexp(1, -54 - j))
    dt = DTYPES[dtype]
    assert ulps(got, truth, dt.mant, dt.emin) == ulps_by_definition(got, truth, dt.mant, dt.emin)
    assert ulps(math.nan, truth, dt.mant, dt.emin) == math.inf


def test_classify_is_its_definition_at_the_edges_of_each_dtype() -> None:
    from lossproof.audit.run import _classify

    def by_definition(dt, t):
        if not mpmath.isfinite(t):
            return "infinite"
        return "overflow" if abs(t) > dt.max else ("below" if abs(t) < dt.tiny else "normal")

    for dt in (F64, F32):
        tiny, big = mpmath.mpf(dt.tiny), mpmath.mpf(dt.max)
        eps = mpmath.ldexp(1, -300)
        values = [tiny, tiny * (1 - eps), tiny * (1 + eps), big, big * (1 + eps), big * (1 - eps),
                  mpmath.mpf(0), mpmath.inf, -mpmath.inf, mpmath.nan, mpmath.mpf(1), mpmath.ldexp(1, dt.emax + 1)]
        for v in values + [-v for v in values]:
            assert _classify(dt, v) == by_definition(dt, v), (dt.name, v)


def test_truths_are_serial_inside_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    t = Truth.of(BCE, "loss")
    pairs = [(0.5, float(z)) for z in np.linspace(-30, 30, 2100)]
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())  # as in render's pool

    def no_fork(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was forked inside a worker")

    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    assert truths(t, pairs) == [t(yv, zv) for yv, zv in pairs]


# --- the sweep -----------------------------------------------------------------------

def test_sweep_is_deterministic_and_covers_the_dtype() -> None:
    a, b = sweep("grad_z", F32), sweep("grad_z", F32)
    assert [r.name for r in a] == [r.name for r in b]
    assert all(np.array_equal(r.x, s.x) and np.array_equal(r.y, s.y) for r, s in zip(a, b))
    z = logits(F64)
    assert z.min() < -1e308 and z.max() > 1e308
    assert np.min(np.abs(z[z != 0])) == 2.0**-1074
    p = probabilities(F64)
    assert p.min() == 2.0**-1074 and p.max() == 1 - 2.0**-53 and np.all((p > 0) & (p < 1))
    assert p.dtype == np.float64 and probabilities(F32).dtype == np.float32


# --- the audit fails what is wrong and passes what is right --------------------------

def test_naive_numpy_fails_in_the_tails_and_the_report_names_the_input() -> None:
    r = audit(get_target("numpy.naive", BCE), BCE, "loss", "float64", regions=_region(0.0, [-50.0, 0.5]), search_examples=0)
    assert not r.passed
    w = r.worst
    assert (w.y, w.x, w.got) == (0.0, -50.0, 0.0) and w.rel == 1.0
    text = render_report(r)
    assert "FAIL" in text and "z = -50.0" in text and "1.9287498479639178e-22" in text


def test_naive_fails_and_generated_passes_the_same_sweep() -> None:
    target = get_target("numpy.naive", BCE)
    assert not audit(target, BCE, "grad_z", "float32", labels="hard", stride=4, search_examples=0).passed
    good = get_target("lossproof.generated", BCE)
    assert audit(good, BCE, "grad_z", "float32", labels="hard", stride=4, search_examples=0, max_ulp=2).passed


def test_nan_where_the_truth_is_finite_is_counted_and_fails() -> None:
    target = get_target("numpy.naive", BCE)
    r = audit(target, BCE, "loss", "float64", regions=_region(1.0, [800.0, 1.0]), search_examples=0, max_ulp=1e30)
    assert r.regions[0].nan == 1 and not r.passed


def test_search_climbs_and_is_reproducible() -> None:
    target = get_target("numpy.naive", BCE)
    # 40 examples found the naive error only by luck of the seed; 300 climb to it.
    one = audit(target, BCE, "grad_z", "float32", regions=_region(0.0, [0.0]), search_examples=300)
    two = audit(target, BCE, "grad_z", "float32", regions=_region(0.0, [0.0]), search_examples=300)
    assert one.search is not None and one.search == two.search
    assert one.search.ulps > 4  # the naive sigmoid's 1 - sigmoid(z) is found


def test_parallel_truths_equal_serial_ones() -> None:
    t = Truth.of(BCE, "loss")
    pairs = [(float(y), float(z)) for y in (0.0, 0.5, 1.0) for z in np.linspace(-60, 60, 700)]
    assert truths(t, pairs) == [t(y, z) for y, z in pairs]


def test_bad_arguments_are_input_errors() -> None:
    target = get_target("numpy.naive", BCE)
    with pytest.raises(InputError, match="float16"):
        audit(target, BCE, "loss", "float16")
    with pytest.raises(InputError, match="max-ulp"):
        audit(target, BCE, "loss", max_ulp=float("nan"))
    with pytest.raises(InputError, match="no link"):
        audit(get_target("numpy.naive", get_loss("poisson")), get_loss("poisson"), "grad_z")


# --- PyTorch (optional) ---------------------------------------------------------------

def test_torch_bce_with_logits_loses_the_left_tail_at_y0() -> None:
    _torch_or_skip()
    target = get_target("torch.bce_with_logits", BCE)
    r = audit(target, BCE, "loss", "float64", regions=_region(0.0, [-50.0, -36.0, -100.0]), search_examples=0)
    assert r.regions[0].worst.got == 0.0 and r.regions[0].worst.rel == 1.0
    mirror = audit(target, BCE, "loss", "float64", regions=_region(1.0, [50.0, 36.0, 100.0]), search_examples=0)
    assert mirror.passed  # the implementation is asymmetric: y = 1, z > 0 is right


def test_torch_gradients_come_from_autograd_and_are_checked() -> None:
    _torch_or_skip()
    r = audit(get_target("torch.bce_with_logits", BCE), BCE, "grad_z", "float64", regions=_region(1.0, [50.0, 36.0]), search_examples=0)
    points = {round(r.regions[0].worst.x): r.regions[0].worst}
    assert points[50].got == 0.0
    sig = audit(get_target("torch.bce_sigmoid", BCE), BCE, "grad_z", "float64", regions=_region(1.0, [40.0]), search_examples=0)
    assert sig.worst.rel >= 1.0


def test_torch_targets_say_what_they_compute() -> None:
    _torch_or_skip()
    with pytest.raises(InputError, match="binary cross-entropy"):
        get_target("torch.bce_with_logits", get_loss("focal"))
    with pytest.raises(InputError, match="does not compute grad_p"):
        audit(get_target("torch.bce_with_logits", BCE), BCE, "grad_p")


def test_torch_missing_is_one_line_naming_the_install(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    assert main(["audit", "torch.bce_with_logits"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and TORCH_INSTALL in err


# --- the command ----------------------------------------------------------------------

def test_cli_audit_exit_status_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--quantity", "grad_z", "--dtype", "float32", "--labels", "hard", "--search", "0"]
    assert main(["audit", "numpy.naive", *args]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["audit", "lossproof.generated", *args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["audits"][0]["passed"] is True and data["audits"][0]["quantity"] == "grad_z"
    assert main(["audit", "lossproof.generated", *args, "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### bce grad_z, float32: lossproof.generated")


def test_cli_audits_a_users_function_and_a_typed_in_loss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mylosses.py").write_text(
        "import numpy as np\n"
        "def grad(y, z):\n    return 1 / (1 + np.exp(-z)) - y\n"
        "def scalar(y, z):\n    import math\n    return 1 / (1 + math.exp(-z)) - y if z > -700 else -y\n"
        "NOT_A_FUNCTION = 3\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    base = ["--quantity", "grad_z", "--dtype", "float32", "--labels", "hard", "--search", "0"]
    assert main(["audit", "mylosses:grad", *base]) == 1
    assert main(["audit", "mylosses:scalar", *base]) == 1  # a scalar function is called a point at a time
    assert main(["audit", "mylosses:grad", "--loss", "-(y*log(p) + (1-y)*log(1-p))", *base]) == 1
    capsys.readouterr()
    for bad, words in [
        ("mylosses:NOT_A_FUNCTION", "not callable"),
        ("no_such_module_xyz:f", "cannot import module"),
        ("mylosses:missing", "no attribute"),
        ("torch.nothing", "unknown target"),
    ]:
        assert main(["audit", bad, *base]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_cli_audit_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require("matplotlib")
    out = tmp_path / "err.png"
    args = ["audit", "numpy.naive", "--quantity", "grad_z", "--dtype", "float32", "--labels", "hard", "--search", "0"]
    assert main([*args, "--plot", str(out)]) == 1
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert main([*args, "--plot", str(tmp_path / "no" / "such" / "dir.png")]) == 2


def test_render_skips_and_names_the_audits_it_cannot_check_without_torch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lossproof.render.files import audit_files, audits_note, stale_files

    monkeypatch.setitem(sys.modules, "torch", None)
    assert audit_files() == {}
    (tmp_path / "docs" / "audits").mkdir(parents=True)
    (tmp_path / "docs" / "audits" / "torch_bce_with_logits.md").write_text("# old\n", encoding="utf-8")
    files = {"docs/compare.svg": "<svg/>"}
    (tmp_path / "docs" / "compare.svg").write_text("<svg/>", encoding="utf-8")
    assert stale_files(tmp_path, files) == []  # not stray: just not checkable here
    note = audits_note(tmp_path, files)
    assert "docs/audits/torch_bce_with_logits.md" in note and TORCH_INSTALL in note
    assert audits_note(tmp_path, {"docs/audits/x.md": ""}) == ""


def test_an_audit_with_undecided_points_is_never_passed_and_says_so() -> None:
    # Points whose truth no ball proved are not measured: the verdict is unsettled (exit 1),
    # never PASS, and every report format counts them.
    import json

    from lossproof.audit.report import render_report
    from lossproof.audit.run import AuditResult, RegionResult

    region = RegionResult("soft y", 3, 2, 0, 0, 0, None, 1)
    result = AuditResult("t", "", "bce", "grad_z", "float64", 2.0, (region,))
    assert result.undecided == 1 and not result.failed and not result.passed
    text = render_report(result, "text")
    assert "UNSETTLED" in text and "1 undecided" in text and "PASS" not in text
    assert "1 points whose truth was not decided" in render_report(result, "markdown")
    assert json.loads(render_report(result, "json"))["undecided"] == 1
    settled = AuditResult("t", "", "bce", "grad_z", "float64", 2.0, (RegionResult("soft y", 3, 3, 0, 0, 0, None, 0),))
    assert settled.passed and "PASS" in render_report(settled, "text")
