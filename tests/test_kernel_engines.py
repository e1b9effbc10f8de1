"""The kernel's two sign engines, each alone: a question that is false (or not decided) at the
edge of its box is never proved, and the same kind of question one step inside is.

Each false case sits where a careless engine goes wrong: a closed end's zero, a sum of
terms that may all vanish, a division by a term that may be zero, a hypothesis read
with the wrong sign, a lemma bound used with the wrong strictness, Z3's "unknown".
tools/mutate.py checks that each of these tests fails when its line of the engine is broken.
"""

from __future__ import annotations

import pytest
import sympy
from sympy import Interval, Rational, oo

from lossproof.kernel.claim import Assumption
from lossproof.kernel.engines import Question, SignEngine, Z3Engine, holds

s, t, a = sympy.symbols("s t a")
UNIT = Interval.open(0, 1)
CLOSED = Interval(0, 1)
LINE = Interval(-oo, oo)
HALF = Rational(1, 2)


def sign_engine(q: Question) -> str:
    return SignEngine().decide(q).status


def z3(q: Question) -> str:
    return Z3Engine().decide(q).status


# ---- the sign engine: interval signs, sums, powers, linear functions, weights


def test_a_closed_end_keeps_its_zero() -> None:
    assert sign_engine(Question(s, ">", ((s, CLOSED),))) != "proved"
    assert sign_engine(Question(s, ">", ((s, Interval.Lopen(0, 1)),))) == "proved"


def test_an_interval_a_little_below_zero_has_negative_values() -> None:
    q = Question(s, ">=", ((s, Interval.open(-HALF, 1)),))
    assert sign_engine(q) == "refuted"
    assert sign_engine(Question(s, ">=", ((s, CLOSED),))) == "proved"


def test_a_sum_of_squares_may_vanish() -> None:
    box = ((s, LINE), (t, LINE))
    assert sign_engine(Question(s**2 + t**2, ">", box)) != "proved"
    assert sign_engine(Question(s**2 + t**2, ">=", box)) == "proved"
    assert sign_engine(Question(s**2 + t**2 + 1, ">", box)) == "proved"


def test_a_relation_is_proved_only_by_a_sign_it_allows() -> None:
    assert sign_engine(Question(s - HALF, ">", ((s, UNIT),))) == "refuted"
    assert sign_engine(Question(s - 2, "<", ((s, UNIT),))) == "proved"


def test_an_even_power_of_a_term_that_may_vanish_is_only_non_negative() -> None:
    assert sign_engine(Question(s**2, ">", ((s, Interval(-1, 1)),))) != "proved"
    assert sign_engine(Question(s**2, ">", ((s, UNIT),))) == "proved"


def test_no_sign_for_a_division_by_a_term_that_may_be_zero() -> None:
    assert sign_engine(Question(1 / s, ">", ((s, CLOSED),))) != "proved"
    assert sign_engine(Question(1 / s, ">", ((s, UNIT),))) == "proved"


def test_a_decreasing_linear_function_keeps_the_zero_at_a_closed_end() -> None:
    assert sign_engine(Question(1 - s, ">", ((s, Interval.Lopen(0, 1)),))) != "proved"
    assert sign_engine(Question(1 - s, ">", ((s, Interval.Ropen(0, 1)),))) == "proved"


def test_weights_that_may_all_vanish_give_no_positive_sum() -> None:
    box = ((s, CLOSED), (t, CLOSED))
    assert sign_engine(Question(s + t, ">", box)) != "proved"
    # s a + (1 - s) b with a, b > 0: weights summing to 1, a convex combination.
    pos = ((s, CLOSED), (t, UNIT), (a, UNIT))
    assert sign_engine(Question(s * t + (1 - s) * a, ">", pos)) == "proved"


def test_a_hypothesis_about_minus_e_is_read_with_its_sign() -> None:
    q = Question(HALF - s, ">", ((s, UNIT),), (Assumption(s - HALF, ">"),))
    assert sign_engine(q) != "proved"
    assert sign_engine(Question(HALF - s, "<", ((s, UNIT),), (Assumption(s - HALF, ">"),))) == "proved"


def test_the_sign_engine_refutes_only_at_points_that_meet_the_hypotheses() -> None:
    # s**2 > 1/4 holds wherever s > 1/2; the sign rules cannot see it, Z3 proves it.
    q = Question(s**2 - Rational(1, 4), ">", ((s, UNIT),), (Assumption(s - HALF, ">"),))
    assert sign_engine(q) == "unknown"
    assert z3(q) == "proved"
    assert sign_engine(Question(s**2 - Rational(1, 4), ">", ((s, UNIT),))) == "refuted"


# ---- lemma bounds: an atom a <= bound (or < bound when strict)


def test_an_upper_bound_is_used_only_where_the_atom_enters_with_a_non_positive_coefficient() -> None:
    q = Question(a + 1, ">", ((a, LINE),), (), ((a, sympy.Integer(0), True),))
    assert sign_engine(q) != "proved"
    assert z3(q) == "refuted"
    assert sign_engine(Question(1 - a, ">", ((a, LINE),), (), ((a, sympy.Integer(0), True),))) == "proved"


@pytest.mark.parametrize("decide", [sign_engine, z3], ids=["sign engine", "z3"])
def test_a_non_strict_bound_is_not_used_as_a_strict_one(decide) -> None:
    loose = Question(-a, ">", ((a, LINE),), (), ((a, sympy.Integer(0), False),))
    strict = Question(-a, ">", ((a, LINE),), (), ((a, sympy.Integer(0), True),))
    assert decide(loose) != "proved"
    assert decide(strict) == "proved"


# ---- Z3: its answers, the box it is given, denominators, powers


def test_z3_unknown_is_never_read_as_unsat(monkeypatch: pytest.MonkeyPatch) -> None:
    q = Question(s * (1 - s), ">", ((s, UNIT),))
    assert z3(q) == "proved"
    monkeypatch.setattr(Z3Engine, "_check", lambda self, constraints: ("unknown", None))
    assert z3(q) == "unknown"


@pytest.mark.parametrize("expr", [s, 1 - s], ids=["lower end", "upper end"])
def test_z3_keeps_the_closed_ends_of_the_box(expr: sympy.Expr) -> None:
    assert z3(Question(expr, ">", ((s, CLOSED),))) == "refuted"
    assert z3(Question(expr, ">", ((s, UNIT),))) == "proved"


def test_z3_flips_the_relation_over_a_negative_denominator() -> None:
    assert z3(Question(s / (s - 2), ">", ((s, UNIT),))) == "refuted"
    assert z3(Question(s / (s - 2), "<", ((s, UNIT),))) == "proved"


def test_z3_is_sent_the_power_as_written() -> None:
    assert z3(Question(s**3, ">=", ((s, Interval(-1, 1)),))) == "refuted"
    assert z3(Question(s**3, ">=", ((s, CLOSED),))) == "proved"


def test_zero_is_not_positive() -> None:
    assert not holds(sympy.Integer(0), ">") and holds(sympy.Integer(0), ">=")


# ---- the Z3 engine's fraction from SymPy's sparse field (adversarial review, h-adv3)


@pytest.mark.parametrize(
    ("expr", "rel", "expected"),
    [
        # a denominator negative on the box, whatever sign its leading coefficient has
        (1 / (s - 2), "<", "proved"),
        (1 / (2 - s), "<", "refuted"),
        ((s - 2) / (s - 3), ">", "proved"),
        ((2 - s) / (s - 3), ">", "refuted"),
        (-(s - 2) / ((1 - s) * (s - 3) * (s + 5)), "<", "proved"),  # -(-)/((+)(-)(+)) = -, so < 0
        ((s - 2) / (s - 3) - (s - 1) / (s - 4), ">", "proved"),  # (5 - 2 s) / ((s - 3)(s - 4)): both > 0
        ((s - 1) / (s - 4) - (s - 2) / (s - 3), ">", "refuted"),
        # a rational constant denominator: its sign, not its leading coefficient
        (s / Rational(-3, 7) + t * 0, "<", "proved"),
        # a common factor cancelled by the field is cancelled exactly (num/den equal to expr)
        ((s**2 - 1) / (s - 1) - s, ">", "proved"),
    ],
)
def test_z3_fraction_signs_of_numerator_and_denominator(expr: sympy.Expr, rel: str, expected: str) -> None:
    from lossproof.kernel.engines import _z3_fraction

    num, den = _z3_fraction(expr)
    assert sympy.cancel(num / den - expr) == 0  # num/den is expr, as a rational function
    # The truth on (0, 1), by exact values at points of a fine grid (every case is monotone
    # or has no root there): the engine must agree with it.
    values = [expr.subs({s: Rational(k, 50), t: 0}) for k in range(1, 50)]
    truth = all((v < 0) if rel == "<" else (v > 0) for v in values)
    assert (expected == "proved") == truth
    answer = z3(Question(expr, rel, ((s, UNIT), (t, UNIT))))
    assert answer in (expected, "unknown") and (answer == "proved") == (expected == "proved")
