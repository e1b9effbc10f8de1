"""lossproof.identity: an identity holds only when SymPy and 60-digit evaluation both say so."""

from __future__ import annotations

import pytest
import sympy
from sympy import Interval, Rational, Symbol, exp, log

from lossproof.identity import check_identity, name_sigmoids, sample_points
from lossproof.sigmoid import sigmoid

p, y, z = Symbol("p"), Symbol("y"), Symbol("z")
UNIT = {p: Interval.open(0, 1), y: Interval(0, 1)}


def test_a_true_identity_holds_on_both_sides() -> None:
    check = check_identity((p - y) ** 2, p**2 - 2 * p * y + y**2, UNIT)
    assert check.symbolic and check.numeric and check.holds and check.points > 0


def test_a_false_identity_fails_both_sides() -> None:
    check = check_identity((p - y) ** 2, p**2 + y**2, UNIT)
    assert not check.holds and not check.symbolic and not check.numeric


def test_a_difference_below_float_precision_is_not_equality() -> None:
    # 1e-30 is far below what float64 sees; 60-digit evaluation and SymPy see it.
    assert not check_identity(p + Rational(1, 10**30), p, UNIT).holds


def test_log_rules_are_side_conditions_not_silent_assumptions() -> None:
    # log(p*y) = log(p) + log(y) needs p, y > 0: on y in [0, 1] the check names the condition.
    check = check_identity(log(p * (1 - p)), log(p) + log(1 - p), UNIT)
    assert check.holds


def test_sigmoid_identities_are_checked_through_its_definition() -> None:
    assert check_identity(sigmoid(z) * (1 - sigmoid(z)), exp(-z) / (1 + exp(-z)) ** 2, {z: Interval(-sympy.oo, sympy.oo)}).holds
    assert not check_identity(sigmoid(z), 1 - sigmoid(z), {z: Interval(-sympy.oo, sympy.oo)}).holds


def test_every_free_symbol_needs_an_interval() -> None:
    with pytest.raises(ValueError, match="no domain given for y"):
        check_identity(p + y, y + p, {p: Interval.open(0, 1)})


def test_sample_points_lie_inside_their_intervals_and_are_reproducible() -> None:
    box = {p: Interval.open(0, 1), z: Interval(-sympy.oo, sympy.oo), y: Interval(0, 1)}
    first, again = sample_points(box, 20, seed=3), sample_points(box, 20, seed=3)
    assert first == again and len(first) == 20
    for point in first:
        assert all(box[s].contains(v) is sympy.true and v.is_Rational for s, v in point.items())


def test_name_sigmoids_names_each_sigmoid_once() -> None:
    plain, names = name_sigmoids(sigmoid(z) ** 2 + log(1 - sigmoid(z)))
    assert set(names) == {sigmoid(z)} and not plain.has(sigmoid)


def test_logs_that_do_not_cancel_are_not_an_identity() -> None:
    # The cheap path (a rational function of log atoms that cancels) must not accept a
    # difference that is not 0: log(p) + 1 is not log(p).
    check = check_identity(log(p) + 1, log(p), UNIT)
    assert not check.symbolic and not check.holds
    assert check_identity(log(p) * (1 - p) / (1 - p), log(p), UNIT).holds


def test_the_numeric_side_sees_a_tiny_difference_between_transcendental_sides() -> None:
    # Evaluated by mpmath at 80 digits: 1e-40 is far above the 1e-45 tolerance, and
    # the symbolic side must not be what catches it.
    from lossproof.identity import mp_compiled, _numeric_zero

    point = {p: Rational(3, 7), y: Rational(2, 5)}
    assert mp_compiled(log(p) * y, (p, y)) is not None  # the compiled path, not evalf
    assert not _numeric_zero(log(p) + Rational(1, 10**40), log(p), point)
    assert _numeric_zero(exp(log(p)) * y, p * y, point)
    assert _numeric_zero(sigmoid(log(p / (1 - p))), p, point)


def test_the_numeric_side_is_false_at_a_pole_or_outside_the_real_domain() -> None:
    from lossproof.identity import _numeric_zero

    assert not _numeric_zero(log(p - Rational(3, 7)), log(p - Rational(3, 7)) + 1, {p: Rational(3, 7)})
    assert not _numeric_zero(1 / (p - Rational(3, 7)) + log(p), log(p), {p: Rational(3, 7)})
    # log of a negative number is complex: two different complex values are not equal.
    assert not _numeric_zero(log(p - 1), log(1 - p), {p: Rational(1, 3)})


def test_sigmoid_of_an_expression_is_related_to_its_argument() -> None:
    # Named as a variable of its own, sigmoid(log(a)) would be unrelated to a; its form in
    # exp shows a/(1 + a). The bracket in z of a minimiser without a closed form needs it.
    assert check_identity(sigmoid(log(y / (2 - y))), y / 2, {y: Interval.open(0, 1)}).holds
    assert check_identity(sigmoid(-z), 1 - sigmoid(z), {z: Interval(-10, 10)}).holds
    assert not check_identity(sigmoid(-z), sigmoid(z), {z: Interval(-10, 10)}).holds


# ---- adversarial review of the mpmath side and the sparse field (h-adv3)


def test_a_time_or_memory_limit_raised_inside_the_mpmath_side_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The timer fires once: caught as "mpmath failed, try evalf", the check ran on past
    # its limit (log(exp(exp(exp(x)))) = exp(exp(x)) on (19, 20) went 100 s past a 2 s
    # limit before the bound below).
    from lossproof import identity
    from lossproof.timeout import MemoryLimitExceeded, TimeLimitExceeded

    def raises(error: BaseException):  # noqa: ANN202 - a stand-in compiled side
        def f(*args: object) -> object:
            raise error

        return f

    one = [Rational(1, 3)]
    for error in (TimeLimitExceeded("time limit of 1 s exceeded"), MemoryLimitExceeded("cap"), MemoryError()):
        with pytest.raises(type(error)):
            identity._mp_zero(raises(error), raises(error), one)
    assert identity._mp_zero(raises(NameError("x")), raises(NameError("x")), one) is None  # still evalf's
    # The same at compile time, where a swallowed limit would also be cached as "no function".
    monkeypatch.setattr(identity, "mp_callable", lambda *a, **k: raises(TimeLimitExceeded("t"))())
    with pytest.raises(TimeLimitExceeded):
        identity.mp_compiled(log(p) * 17 + y, (p, y))
    monkeypatch.undo()
    assert identity.mp_compiled(log(p) * 17 + y, (p, y)) is not None


@pytest.mark.parametrize(
    ("lhs", "rhs", "window"),
    [
        # mp_sigmoid carries |u| / ln 10 extra digits: 21 s at u = 10**6, and exp(x) is 10**6 at x = 14
        (sigmoid(exp(z)), 1 - sigmoid(-exp(z)), (13, 14)),
        # exp of exp(exp(19)) = 10**(10**8) reduces its argument to 3 * 10**8 bits
        (log(exp(exp(exp(z)))), exp(exp(z)), (19, 20)),
    ],
)
def test_huge_arguments_are_left_to_evalf_not_evaluated_for_minutes(lhs: sympy.Expr, rhs: sympy.Expr, window: tuple[int, int]) -> None:
    from lossproof.timeout import time_limit

    # Before: evalf answered each in 0.05 s; the mpmath side took minutes (past any limit).
    with time_limit(20):
        assert check_identity(lhs, rhs, {z: Interval.open(*window)}).numeric


def test_the_bounded_mpmath_functions_decline_only_past_their_bound() -> None:
    import mpmath

    from lossproof import identity

    f = identity.mp_compiled(sigmoid(z) + exp(z) + sympy.cosh(z), (z,))
    with mpmath.workdps(30):
        assert abs(f(mpmath.mpf(2)) - (1 / (1 + mpmath.exp(-2)) + mpmath.exp(2) + mpmath.cosh(2))) < mpmath.mpf(10) ** -25
        assert f(mpmath.mpf(10**4)) > 0  # the bound itself still evaluates
        with pytest.raises(identity.TooWide):
            identity.mp_compiled(sigmoid(z), (z,))(mpmath.mpf(10**4 + 1))
        with pytest.raises(identity.TooWide):
            identity.mp_compiled(exp(z), (z,))(mpmath.mpf(10) ** 101)


def test_high_precision_floats_are_not_rounded_away_in_the_field() -> None:
    # A 60-digit Float 1 + 1e-50 against 1: rounded to 53 bits in the field, the difference
    # (y + c) log p - (y + 1) log p would cancel, and 1e-50 is below the numeric tolerance.
    c = sympy.Float("1." + "0" * 49 + "1", 60)
    check = check_identity(log(p) * (y + c), log(p) * (y + 1), {p: Interval.open(1, 2), y: Interval.open(0, 1)})
    assert check.numeric and not check.symbolic and not check.holds


@pytest.mark.parametrize(
    ("lhs", "rhs", "box", "holds"),
    [
        # generators the field takes as independent are related: these must hold
        (exp(2 * p), exp(p) ** 2, {p: Interval.open(0, 1)}, True),
        (exp(-2 * p) * exp(p), 1 / exp(p), {p: Interval.open(0, 1)}, True),
        (sympy.sqrt(p) ** 3, p * sympy.sqrt(p), {p: Interval.open(0, 1)}, True),
        # ... and their false relatives must not
        (log(p**2), 2 * log(p), {p: Interval.open(-2, -1)}, False),  # 2 log|p| against 2 log p = 2 log|p| + 2 pi i
        (sympy.Abs(p), p, {p: Interval.open(-2, -1)}, False),
        (sympy.sqrt(p**2), p, {p: Interval.open(-2, -1)}, False),
        (sympy.sign(p) * p, p, {p: Interval.open(-2, -1)}, False),
        (sigmoid(sigmoid(p)), sigmoid(p), {p: Interval.open(-2, 2)}, False),
        (sigmoid(-sigmoid(p)), 1 - sigmoid(sigmoid(p)), {p: Interval.open(-2, 2)}, True),
        # a difference of 1e-50 at a value near e^23: below the tolerance, so SymPy must catch it
        (exp(sympy.pi + exp(3)) + log(p) / 10**50, exp(sympy.pi + exp(3)), {p: Interval.open(2, 3)}, False),
    ],
)
def test_related_generators_and_their_false_relatives(lhs: sympy.Expr, rhs: sympy.Expr, box: dict, holds: bool) -> None:
    assert check_identity(lhs, rhs, box).holds is holds


def test_cancellation_inside_a_side_does_not_make_equal_sides_differ() -> None:
    # Found by the adversarial review of the mpmath compiler (h-adv4): cosh(z)^2 - sinh(z)^2
    # at z near 300 loses 260 digits, and is exactly 0 at 80 and at 160 of them; the
    # numeric side said "not equal" of a true identity. Its digits are now doubled until
    # both sides settle (two zeros settle nothing), and a real difference still shows.
    from lossproof.kernel import Domain, Identity, check_step

    z = Symbol("z")
    dom = Domain(((z, Interval.open(-300, 300)),))
    lhs = sympy.cosh(z) ** 2 - sympy.sinh(z) ** 2
    true = check_step(Identity(lhs, sympy.Integer(1), dom))
    assert (true.status, true.engines["numeric"]) == ("proved", "proved")
    false = check_step(Identity(lhs, 1 + Rational(1, 10**30), dom))
    assert false.status == "refuted" and false.engines["numeric"] == "refuted"
