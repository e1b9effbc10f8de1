"""Adversarial review of the mpmath compiler (lossproof.compiled, h-adv4): what it returns
must be what ``sympy.lambdify(..., modules=[namespace, "mpmath"])`` returns, or an error
where lambdify's code has none to give; a value for something lambdify cannot evaluate
could let the identity check's numeric side accept a false identity.
"""

from __future__ import annotations

import os

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Function, Integer, Interval, Rational, Symbol

from lossproof import compiled
from lossproof.compiled import MP_FUNCTIONS, mp_callable
from lossproof.identity import check_identity, mp_compiled
from lossproof.timeout import TimeLimitExceeded
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
    assert not isinstance(_outcome(lambda: sympy.lambdify((p,), applied, modules=["mpmath"]), (mpmath.mpf(2),)), (mpmath.mpf, mpmath.mpc))
    value = _outcome(lambda: mp_callable(applied, (p,)), (mpmath.mpf(2),))
    assert not isinstance(value, (mpmath.mpf, mpmath.mpc, int, float)), value


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


#: Names that are code: lambdify writes a name it prints into the source it runs.
HOSTILE = "__import__('os').getpid()"


@pytest.mark.parametrize(
    "expr",
    [
        sympy.Piecewise((Symbol(HOSTILE), p > 0), (0, True)),  # a symbol that is not an argument
        sympy.Piecewise((Function(HOSTILE + " + abs")(p), p > 0), (0, True)),  # an undefined function
        sympy.Heaviside(p) * Symbol(HOSTILE),
    ],
    ids=["symbol", "function", "heaviside"],
)
def test_no_name_reaches_lambdifys_source_either(expr: sympy.Expr) -> None:
    # Found by the review: the fallback handed the expression to lambdify as it was, and
    # lambdify prints a free symbol that is not an argument, and an undefined function, by
    # its name: the first case returned this process's id, the second the id + 1.
    # Piecewise and Heaviside are nodes the compiler leaves to lambdify.
    value = _outcome(lambda: mp_callable(expr, (p,)), (mpmath.mpf(1),))
    assert value != os.getpid()
    assert not isinstance(value, (mpmath.mpf, mpmath.mpc, int, float)), value


def test_a_hostile_argument_name_in_lambdifys_code_is_just_an_argument() -> None:
    h = Symbol(HOSTILE)
    assert mp_callable(sympy.Piecewise((2 * h, h > 0), (0, True)), (h,))(mpmath.mpf(3)) == 6


def test_an_undefined_function_named_like_a_known_one_keeps_lambdifys_meaning() -> None:
    # lambdify looks an undefined function up by name in the namespace: sigmoid is sigmoid.
    f = mp_callable(sympy.Piecewise((Function("sigmoid")(p), p > 0), (0, True)), (p,))
    with mpmath.workdps(30):
        assert mpmath.almosteq(f(mpmath.mpf(1)), 1 / (1 + mpmath.exp(-1)), 1e-25)


@pytest.mark.parametrize("limit", [MemoryError(), TimeLimitExceeded("the caller's limit")])
def test_a_limit_raised_while_compiling_is_never_swallowed(monkeypatch: pytest.MonkeyPatch, limit: BaseException) -> None:
    # The callers' time limit is one SIGALRM raising TimeLimitExceeded wherever the code is:
    # caught as a printer failure, the check would run on past it (in evalf).
    def raising(*args: object, **kwargs: object) -> None:
        raise limit

    monkeypatch.setattr(compiled, "compile", raising, raising=False)  # the builtin, seen from the module
    with pytest.raises(type(limit)):
        mp_callable(p + 1, (p,))
    mp_compiled.cache_clear()
    with pytest.raises(type(limit)):
        mp_compiled(p + 2, (p,))
    monkeypatch.undo()
    monkeypatch.setitem(compiled._EMITTERS, sympy.Add, raising)  # while writing the source
    with pytest.raises(type(limit)):
        mp_callable(p + 3, (p,))
