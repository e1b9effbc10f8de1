r"""Facts about ``log`` that sign steps may use, each itself a claim checked by the kernel.

A :class:`~lossproof.kernel.claim.LemmaUse` in a sign step replaces ``log(arg)`` by a
fresh symbol bounded as the lemma says, after the lemma's own hypotheses are proved
at ``arg``. A lemma is used only once it is proved (:func:`lemma_status`).

>>> sorted(LEMMAS)
['log_le_sub_one_of_pos', 'log_lt_sub_one_of_pos_of_ne_one', 'log_neg']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Interval, Symbol, log, oo

from .claim import UNKNOWN, Claim, Derivative, Domain, Identity, Part, Roots, Sign, Status, Subject

__all__ = ["Lemma", "LEMMAS", "lemma_claims", "lemma_status", "T"]

#: The lemmas' variable.
T = Symbol("t")


@dataclass(frozen=True)
class Lemma:
    """``log(t)`` bounded above by ``bound(t)`` (strictly if ``strict``), for t meeting ``needs``."""

    name: str
    needs: tuple[tuple[str, sympy.Expr], ...]  # (rel, expression in t): expression rel 0
    bound: sympy.Expr
    strict: bool


#: The facts about log that proofs may use, each proved as a claim by :func:`lemma_claims`.
LEMMAS: Mapping[str, Lemma] = {
    lem.name: lem
    for lem in (
        Lemma("log_le_sub_one_of_pos", ((">", T),), T - 1, False),
        Lemma("log_lt_sub_one_of_pos_of_ne_one", ((">", T), ("!=", T - 1)), T - 1, True),
        Lemma("log_neg", ((">", T), ("<", T - 1)), sympy.Integer(0), True),
    )
}


def lemma_claims() -> list[Claim]:
    """Each lemma of :data:`LEMMAS` as a claim, proved by the same engines as the rest.

    ``t - 1 - log t`` has derivative ``(t - 1)/t``, which vanishes only at t = 1, and
    second derivative ``1/t**2 > 0``: its unique minimum is at t = 1, where it is 0.
    That gives ``log t <= t - 1``, strictly for t != 1. ``log`` has derivative
    ``1/t > 0`` and ``log 1 = 0``, so ``log t < 0`` on (0, 1).
    """
    pos = Domain(((T, Interval.open(0, oo)),))
    gap = T - 1 - log(T)
    d1, d2 = sympy.cancel(sympy.diff(gap, T)), sympy.diff(gap, T, 2)
    one = sympy.Integer(1)
    gap_min = Part(
        "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
        Subject(gap, T, point=one),
        pos,
        (Derivative(gap, T, 1, d1, pos), Roots(d1, T, (one,), pos), Derivative(gap, T, 2, d2, pos), Sign(d2, ">", pos)),
    )
    nowhere = Domain(())
    at_one = gap.subs(T, 1)
    gap_at_one = Part("eq_of_identity", Subject(at_one, value=sympy.Integer(0)), nowhere, (Identity(at_one, sympy.Integer(0), nowhere),))
    mono = Part(
        "strictMonoOn_of_deriv_pos",
        Subject(log(T), T),
        pos,
        (Derivative(log(T), T, 1, 1 / T, pos), Sign(1 / T, ">", pos)),
    )
    log_one = log(one)
    log_at_one = Part("eq_of_identity", Subject(log_one, value=sympy.Integer(0)), nowhere, (Identity(log_one, sympy.Integer(0), nowhere),))
    return [
        Claim("log_le_sub_one_of_pos", "log_le_sub_one_of_pos", None, Subject(log(T), T), pos, (gap_min, gap_at_one)),
        Claim("log_lt_sub_one_of_pos_of_ne_one", "log_lt_sub_one_of_pos_of_ne_one", None, Subject(log(T), T), pos, (gap_min, gap_at_one)),
        Claim("log_neg", "log_neg", None, Subject(log(T), T), Domain(((T, Interval.open(0, 1)),)), (mono, log_at_one)),
    ]


@lru_cache(maxsize=None)
def lemma_status(name: str) -> Status:
    """Whether the lemma ``name`` is proved (checked once per process)."""
    from .check import check_claim  # a lemma is a claim like any other

    for claim in lemma_claims():
        if claim.kind == name:
            return check_claim(claim).status
    return UNKNOWN

