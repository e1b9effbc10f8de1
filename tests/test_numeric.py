"""lossproof.numeric: finite-difference checks in float64 and mpmath, which must be able to fail."""

from __future__ import annotations

import mpmath
import sympy
from sympy import Symbol, log

from lossproof.numeric import check_float64, check_mpmath, float_function, fd_step, mp_function, mp_sigmoid
from lossproof.sigmoid import sigmoid

x = Symbol("x")
F = -log(x) - log(1 - x)  # BCE at y = 1/2, up to a factor
D1 = sympy.diff(F, x)


def test_the_right_derivative_passes_in_float64_and_mpmath() -> None:
    f, f_mp, d_mp = float_function(F, x), mp_function(F, x), mp_function(D1, x)
    assert check_float64(f, f_mp, d_mp, 0.3, 1, 0.3).ok
    assert check_mpmath(f_mp, d_mp, 0.3, 1, 0.3).ok


def test_a_wrong_derivative_fails_both() -> None:
    f, f_mp = float_function(F, x), mp_function(F, x)
    wrong = mp_function(D1 * (1 + sympy.Rational(1, 10**6)), x)  # off by one part in a million
    assert not check_mpmath(f_mp, wrong, 0.3, 1, 0.3).ok
    assert not check_float64(f, f_mp, mp_function(D1 + 1, x), 0.3, 1, 0.3).ok


def test_the_fd_step_shrinks_with_the_scale_and_grows_with_the_order() -> None:
    assert fd_step(1, 1e-3) < fd_step(1, 1.0)
    assert fd_step(2, 1.0) > fd_step(1, 1.0)


def test_mp_sigmoid_is_accurate_in_both_tails() -> None:
    with mpmath.workdps(50):
        for t in (-800, -30, 0, 30, 800):
            exact = 1 / (1 + mpmath.exp(-mpmath.mpf(t)))
            assert abs(mp_sigmoid(mpmath.mpf(t)) - exact) <= abs(exact) * mpmath.mpf(10) ** -45


def test_functions_of_sigmoid_evaluate_with_the_sigmoid_of_the_backend() -> None:
    g = mp_function(sigmoid(x) * (1 - sigmoid(x)), x)
    with mpmath.workdps(30):
        assert abs(g(mpmath.mpf(0)) - mpmath.mpf(1) / 4) < mpmath.mpf(10) ** -25
