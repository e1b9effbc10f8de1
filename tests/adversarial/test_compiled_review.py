"""Adversarial review of the mpmath compiler (lossproof.compiled, h-adv4): what it returns
must be what ``sympy.lambdify(..., modules=[namespace, "mpmath"])`` returns, or an error
where lambdify's code has none to give; a value for something lambdify cannot evaluate
could let the identity check's numeric side accept a false identity.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Function, Integer, Interval, Rational, Symbol

from lossproof.compiled import MP_FUNCTIONS, mp_callable
from lossproof.identity import check_identity, mp_compiled
from tests.test_compiled import ARGS, expressions

p = Symbol("p")


def _outcome(make, values: tuple[mpmath.mpf, ...]) -> object:  # noqa: ANN001 - a callable's maker
    """The value at 50 digits, or the class of the exception on the way to it."""
    try:
        with mpmath.workdps(50):
            return make()(*values)
    except Exception as exc:  # noqa: BLE001 - the outcome compared is the exception's class
        return type(exc)


@pytest.mark.parametrize("name", ["Add", "Mul", "Pow", "Float", "Symbol", "Dummy"])
def test_an_undefined_function_named_like_a_node_is_not_that_node(name: str) -> None:
    # Found by the review: the writer dispatched on the node's class *name*, so that an
    # undefined function Function("Add")(p, 1) compiled to p + 1 (and Function("Float")(p)
    # raised AttributeError); lambdify's code has no value for it (NameError).
    applied = Function(name)(p, Integer(1))
    compiled = _outcome(lambda: mp_callable(applied, (p,)), (mpmath.mpf(2),))
    assert not isinstance(compiled, (mpmath.mpf, mpmath.mpc)), compiled
    assert compiled == _outcome(lambda: sympy.lambdify((p,), applied, modules=["mpmath"]), (mpmath.mpf(2),))


def test_the_identity_check_does_not_take_an_undefined_add_for_a_sum() -> None:
    # The numeric side of Add(p, 1) = p + 1: an undefined function has no value anywhere.
    check = check_identity(Function("Add")(p, Integer(1)), p + 1, {p: Interval.open(0, 1)})
    assert not check.numeric


def test_integers_longer_than_python_prints_are_compiled() -> None:
    # Python refuses str() of an int past 4300 digits (ValueError): such an integer goes
    # into the namespace instead of the source, so the refuter and the derivative check,
    # which call mp_callable directly, get a function rather than an exception.
    big = Integer(10) ** 5000
    for expr in (big * p, Rational(1, 3) * big * p, p / big, p + Rational(big, 7)):
        with mpmath.workdps(60):
            got = mp_callable(expr, (p,))(mpmath.mpf(3) / 2)
            want = mpmath.mpf(sympy.N(expr.xreplace({p: Rational(3, 2)}), 60))
            assert abs(got - want) <= abs(want) * mpmath.mpf(10) ** -50


def test_an_argument_given_twice_is_no_function() -> None:
    # {p: "_1"} kept one name for the two positions: a function of one argument where the
    # caller passes two. lambdify refuses duplicate arguments; so does the compiler now.
    assert mp_compiled(p, (p, p)) is None


#: Points on the poles and kinks of the random trees (y = 0, p = 0) and off them.
POINTS = [(mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(-5) / 4), (mpmath.mpf(2) / 7, mpmath.mpf(0), mpmath.mpf(0)), (mpmath.mpf(-1), mpmath.mpf(3) / 11, mpmath.mpf(1))]


@settings(max_examples=60, deadline=None)
@given(expressions, st.sampled_from(POINTS))
def test_same_outcome_as_lambdify_at_poles_and_kinks(expr: sympy.Expr, point: tuple[mpmath.mpf, ...]) -> None:
    # The identity check reads ZeroDivisionError as "undefined here" and an infinity or nan
    # as "not equal here": where lambdify's code raises, the compiled code raises the same,
    # and where it returns a number, the same number. (Both raise ValueError for
    # sigmoid(log(0)): numeric.mp_sigmoid declines an infinite argument.)
    compiled = _outcome(lambda: mp_callable(expr, ARGS), point)
    reference = _outcome(lambda: sympy.lambdify(ARGS, expr, modules=[dict(MP_FUNCTIONS), "mpmath"]), point)
    if isinstance(reference, type) or isinstance(compiled, type):
        assert compiled == reference, (expr, point)
        return
    a, b = mpmath.mpmathify(compiled), mpmath.mpmathify(reference)
    if mpmath.isnan(a) or mpmath.isnan(b) or mpmath.isinf(a) or mpmath.isinf(b):
        assert str(a) == str(b), (expr, point)
        return
    with mpmath.workdps(50):
        assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(abs(a), abs(b), 1), (expr, point)
