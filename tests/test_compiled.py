"""The mpmath compiler (lossproof.compiled) against SymPy's own evaluation.

The kernel's numeric sides (the identity check, the sign sampler, the derivative
check's finite differences, the refuter) evaluate through it, so a wrong value here
could turn into a wrong "refuted": every node it compiles is checked against evalf at
50 digits, on random trees of the nodes lossproof's losses are made of.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st
from sympy import Abs, Float, Integer, Piecewise, Rational, Symbol, cosh, exp, log, sign, sinh, sqrt, tanh

from lossproof.compiled import MP_FUNCTIONS, mp_callable
from lossproof.identity import TooWide, mp_compiled
from lossproof.sigmoid import sigmoid

y, p, z = Symbol("y"), Symbol("p"), Symbol("z")
ARGS = (y, p, z)
#: A point inside every function's domain below (p in (0, 1) keeps the logs real).
POINT = {y: Rational(2, 7), p: Rational(3, 11), z: Rational(-5, 4)}
DIGITS = 50
#: 50 working digits, rounding along a few dozen operations: agreement to 40 digits.
TOLERANCE = mpmath.mpf(10) ** -40

leaves = st.one_of(
    st.sampled_from([y, p, z, sympy.pi, sympy.E]),
    st.integers(-7, 7).map(Integer),
    st.builds(Rational, st.integers(-9, 9), st.integers(1, 9)),
    st.sampled_from(["0.1", "2.5", "-1e-3"]).map(lambda t: Float(t, DIGITS)),
)
unary = [log, exp, sigmoid, tanh, cosh, sinh, Abs, sign, sqrt, lambda u: 1 / u, lambda u: u**3, lambda u: u ** Rational(-1, 2)]


def _applied(inner: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    """One node over ``inner``: a function of it, or a sum, product or difference."""
    return st.one_of(
        st.builds(lambda f, u: f(u), st.sampled_from(unary), inner),
        st.builds(lambda a, b: a + b, inner, inner),
        st.builds(lambda a, b: a * b, inner, inner),
        st.builds(lambda a, b: a - b, inner, inner),
    )


#: Trees with at least one node above the leaves (a bare leaf tests little).
expressions = _applied(st.recursive(leaves, _applied, max_leaves=10))


def _mp(x: Rational) -> mpmath.mpf:
    return mpmath.mpf(int(x.p)) / int(x.q)


def _reference(expr: sympy.Expr) -> mpmath.mpf | None:
    """evalf at the point, or None where the expression is not a finite real number there
    (to be called at DIGITS working digits: the conversion rounds to them)."""
    value = expr.xreplace(POINT).evalf(DIGITS)
    if not value.is_number or not value.is_real or not value.is_finite:
        return None
    return mpmath.mpf(value)


@given(expressions)
@example(-y * log(sigmoid(z)) - (1 - y) * log(1 - sigmoid(z)))  # BCE in the logit
@example(y / p**2 + (1 - y) / (1 - p) ** 2)  # its second derivative in p
@example(Rational(-1, 2) * p / y)  # a rational coefficient split into numerator and denominator
@example(sympy.Pow(Integer(2), -1, evaluate=False) * p)  # an integer base to a negative power
@example(2**z + sqrt(2) * Float("0.1", DIGITS))
def test_compiled_values_agree_with_evalf(expr: sympy.Expr) -> None:
    with mpmath.workdps(DIGITS):
        expected = _reference(expr)
        if expected is None or abs(expected) > mpmath.mpf(10) ** 30:
            return  # not a finite real at the point: nothing to compare (the poles are below)
        got = mp_callable(expr, ARGS)(*(_mp(POINT[a]) for a in ARGS))
        assert isinstance(got, (mpmath.mpf, int)), (expr, got)
        assert abs(got - expected) <= TOLERANCE * max(1, abs(expected)), (expr, got, expected)


#: Each function the compiler calls, by its name there, as SymPy builds it.
SYMPY_FUNCTIONS = {
    "sigmoid": sigmoid, "log": log, "exp": exp, "sqrt": sqrt, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "asinh": sympy.asinh,
    "atan": sympy.atan, "erf": sympy.erf, "sign": sign, "Abs": Abs,
}


@pytest.mark.parametrize("name", sorted(MP_FUNCTIONS))
def test_every_function_is_the_one_sympy_means(name: str) -> None:
    function = SYMPY_FUNCTIONS[name]
    # Arguments of both signs (p - y < 0 < y at the point), and one over 1.
    for expr in (function(p - y), function(y), 3 * function(y + p + 1)):
        with mpmath.workdps(DIGITS):
            expected = _reference(expr)
            if expected is None:
                continue  # log or sqrt of a negative number: not a real value
            got = mp_callable(expr, ARGS)(*(_mp(POINT[a]) for a in ARGS))
            assert abs(got - expected) <= TOLERANCE * max(1, abs(expected)), (expr, got, expected)


def test_constants_are_read_at_the_callers_precision() -> None:
    with mpmath.workdps(DIGITS):
        assert mp_callable(sympy.pi + 0 * p, ARGS)(0, 0, 0) == +mpmath.pi
        assert mp_callable(sympy.E * p, ARGS)(0, 1, 0) == +mpmath.e
        assert mp_callable(-sympy.oo + 0 * p, ARGS)(0, 0, 0) == -mpmath.inf
        assert mp_callable(sympy.oo + 0 * p, ARGS)(0, 0, 0) == mpmath.inf
        assert mpmath.isnan(mp_callable(sympy.nan + 0 * p, ARGS)(0, 0, 0))


def test_a_pole_raises_zero_division_as_lambdify_code_does() -> None:
    # The identity check reads ZeroDivisionError as "not equal here" (a pole at the point).
    for expr in (1 / (p - y), y / (p - Rational(1, 2)), (p - y) ** -2, 3 * z / (p - y), (p - y) ** Rational(-1, 2)):
        f = mp_callable(expr, ARGS)
        with pytest.raises(ZeroDivisionError):
            f(mpmath.mpf(1) / 2, mpmath.mpf(1) / 2, mpmath.mpf(0))


def test_floats_keep_their_exact_binary_value_at_the_callers_precision() -> None:
    tenth = Float("0.1", 60)
    with mpmath.workdps(60):
        assert mp_callable(tenth * p, ARGS)(0, 1, 0) == mpmath.mpf("0.1")
    with mpmath.workdps(15):
        assert mp_callable(Rational(1, 3) + 0 * p, ARGS)(0, 1, 0) == mpmath.mpf(1) / 3


def test_nodes_it_does_not_compile_go_to_lambdify_with_the_same_functions() -> None:
    pw = Piecewise((p, p > Rational(1, 2)), (y, True))
    f = mp_callable(pw, ARGS)
    assert f(mpmath.mpf(1) / 4, mpmath.mpf(3) / 4, 0) == mpmath.mpf(3) / 4
    assert f(mpmath.mpf(1) / 4, mpmath.mpf(1) / 3, 0) == mpmath.mpf(1) / 4
    # A symbol that is not an argument: lambdify's code, which returns a SymPy
    # expression in it (the identity check then leaves the point to evalf).
    assert not isinstance(mp_callable(p + Symbol("w"), ARGS)(0, 1, 0), mpmath.mpf)
    # Nested past Python's parser (200 parentheses): handed to lambdify, whose code is
    # as deep; the identity check's compiler then says "no function", never a wrong one.
    deep, expected = p, mpmath.mpf(1) / 2
    for _ in range(150):
        deep, expected = (deep + 1) * p, (expected + 1) / 2
    f = mp_compiled(deep, (p,))
    assert f is None or abs(f(mpmath.mpf(1) / 2) - expected) < 1e-12


def test_a_callers_functions_replace_mpmaths() -> None:
    # The identity check's exp declines huge arguments (TooWide) so that evalf decides.
    f = mp_compiled(exp(exp(z)) - 1, (z,))
    assert f is not None and f(mpmath.mpf(3)) > 0
    with pytest.raises(TooWide):
        f(mpmath.mpf(300))  # exp(300) > 10**100, the bound
    assert mp_callable(exp(exp(z)), (z,))(mpmath.mpf(300)) > 0  # mpmath's own exp: no bound


def test_no_name_from_the_expression_reaches_the_source() -> None:
    # Symbols become positional names; a symbol named like code is just an argument.
    hostile = Symbol("__import__('os').system('false')")
    f = mp_callable(hostile * 2 + 1, (hostile,))
    assert f(mpmath.mpf(3)) == 7


def test_a_negative_term_is_subtracted_not_rounded_by_a_product_first() -> None:
    # numeric.mp_sigmoid returns sigmoid(700) with 300 digits more, so that 1 - sigmoid(700)
    # is exact; written 1 + (-1)*sigmoid(700), the product rounded it to the working
    # digits first and the difference was 0 (found reading the change over: BCE's second
    # derivative in z, (1 - sigmoid(z)) sigmoid(z), was 0 at z = 700).
    with mpmath.workdps(50):
        exact = mpmath.exp(-700) / (1 + mpmath.exp(-700))
        for expr in (1 - sigmoid(z), 3 - 2 * sigmoid(z) - 2 + sigmoid(z)):
            got = mp_callable(expr, ARGS)(0, 0, mpmath.mpf(700))
            assert abs(got - exact) <= TOLERANCE * exact, (expr, got)
        assert mp_callable(-sigmoid(z) - z, ARGS)(0, 0, mpmath.mpf(700)) == -701  # all negative
