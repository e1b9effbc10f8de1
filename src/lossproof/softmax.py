r"""Softmax cross-entropy over K classes: a loss of a vector of logits.

.. math::

   L(y, z) = -\sum_k y_k \log \operatorname{softmax}(z)_k, \qquad
   s = \operatorname{softmax}(z),\; s_k = e^{z_k} / \textstyle\sum_j e^{z_j},

with y in the probability simplex (soft labels allowed). SymPy derives the gradient
:math:`s - y` and the Hessian :math:`\operatorname{diag}(s) - s s^\top`; the claims:

* ``convexOn_softmax_ce_z``: :math:`v^\top H v = \tfrac12 \sum_i \sum_j s_i s_j (v_i - v_j)^2 \ge 0`,
  an exact identity (checked by SymPy and at random points) and a sign proved by both engines;
* ``strictConvexOn_softmax_ce_z``: refuted, with the null direction :math:`v = (1, \dots, 1)`
  found by the engines (:math:`H \mathbf 1 = s - s \sum_j s_j = 0`);
* ``gradient_softmax_ce_z``: :math:`\partial L / \partial z_k = s_k - y_k` when :math:`\sum y = 1`.

The Hessian's quadratic form is computed from the loss by the rule's shape check, so a
certificate cannot swap in another matrix. Vector losses have no derivation documents yet.

>>> loss = SoftmaxCE(3)
>>> [to_text(g) for g in loss.gradient()][:1]
['exp(z1)/(exp(z1) + exp(z2) + exp(z3)) - y1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import sympy
from sympy import Add, Interval, Rational, Symbol, exp, log, oo

from .errors import InputError
from .identity import check_identity
from .notation import to_text  # noqa: F401 - the module doctest prints with it
from .kernel import Claim, ClaimResult, Domain, Assumption, Identity, Part, Sign, Subject, check_claim
from .kernel.hessian_form import PATTERN, diagonal_pattern, swap_pattern
from .model import InVar
from .settings import Settings
from .timeout import ResourceLimitExceeded, time_limit

__all__ = ["SoftmaxCE", "SoftmaxDerivatives", "HessianPattern", "CLAIM_IDS", "MATRIX_CLASSES", "MIN_CLASSES", "MAX_CLASSES", "softmax_claims", "prove_softmax", "pattern_domain"]

#: K may range over these. The Hessian form is checked by index pattern (K^2 terms of
#: flint polynomials, about 3 s at K = 256); the gradient claim has K identities.
MIN_CLASSES, MAX_CLASSES = 2, 256


#: The claims, in order; each is built only when asked for (K identities for the gradient).
CLAIM_IDS = ("gradient_softmax_ce_z", "convexOn_softmax_ce_z", "strictConvexOn_softmax_ce_z")


@dataclass(frozen=True)
class SoftmaxCE:
    """The loss for ``classes`` classes, with its symbols: a :class:`~lossproof.model.LossModel`."""

    classes: int
    name: ClassVar[str] = "softmax_ce"
    title: ClassVar[str] = "Softmax cross-entropy"
    #: Derivatives in the logits only: the gradient and the Hessian in z.
    wrts: ClassVar[tuple[str, ...]] = ("z",)
    #: A catalog loss, not typed in: no user time limit on SymPy's work.
    user_supplied: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not MIN_CLASSES <= self.classes <= MAX_CLASSES:
            raise InputError(f"--classes {self.classes}: choose K from {MIN_CLASSES} to {MAX_CLASSES}")

    @cached_property
    def z(self) -> tuple[Symbol, ...]:
        return tuple(Symbol(f"z{k}") for k in range(1, self.classes + 1))

    @cached_property
    def y(self) -> tuple[Symbol, ...]:
        return tuple(Symbol(f"y{k}") for k in range(1, self.classes + 1))

    @cached_property
    def s(self) -> tuple[Symbol, ...]:
        return tuple(Symbol(f"s{k}") for k in range(1, self.classes + 1))

    @cached_property
    def v(self) -> tuple[Symbol, ...]:
        return tuple(Symbol(f"v{k}") for k in range(1, self.classes + 1))

    def softmax(self) -> tuple[sympy.Expr, ...]:
        total = Add(*(exp(zk) for zk in self.z))
        return tuple(exp(zk) / total for zk in self.z)

    @property
    def expr(self) -> sympy.Expr:
        """The loss, with log-sum-exp written out (SymPy keeps log(softmax) as it is)."""
        lse = log(Add(*(exp(zk) for zk in self.z)))
        return -Add(*(yk * (zk - lse) for yk, zk in zip(self.y, self.z)))

    def in_var(self, wrt: str) -> InVar:
        """The loss on the simplex as a function of the K logits, with its domain.

        >>> SoftmaxCE(2).in_var("z").function
        -y1*z1 + y1*z2 - z2 + log(exp(z1) + exp(z2))

        Raises:
            InputError: ``wrt`` is not z (there is no single prediction p).
        """
        if wrt != "z":
            raise InputError(f"{self.name} is a function of the K logits z: no derivative in {wrt!r}")
        box = {s: iv for s, iv in self.domain_z().intervals if s not in self.v}
        return InVar(self.function, self.z, box)

    def claim_ids(self) -> list[str]:
        """The ids of the claims, in order."""
        return list(CLAIM_IDS)

    def prove(self, ids: Sequence[str] | None = None, settings: Settings | None = None) -> list[ClaimResult]:
        """Build and check the claims (all, or those in ``ids``), in order, under ``settings``.

        Raises:
            InputError: an id names no claim about softmax cross-entropy.
        """
        for claim_id in ids or ():
            if claim_id not in CLAIM_IDS:
                raise InputError(f"unknown claim {claim_id!r} for {self.name}: known claims are {', '.join(CLAIM_IDS)}")
        wanted = [cid for cid in CLAIM_IDS if not ids or cid in ids]
        # Cheapest first, so that the command's deadline leaves the K gradient identities
        # (minutes at K = 256) unknown rather than the Hessian claims (seconds); the
        # results come back in the order of CLAIM_IDS.
        results = {cid: self._prove_one(cid, settings) for cid in sorted(wanted, key=lambda cid: cid == CLAIM_IDS[0])}
        return [results[cid] for cid in wanted]

    def _prove_one(self, claim_id: str, settings: Settings | None) -> ClaimResult:
        try:
            with time_limit(None):  # the command's deadline, if any
                (claim,) = softmax_claims(self, [claim_id])
                return check_claim(claim, settings)
        except ResourceLimitExceeded as exc:
            kind = claim_id.removesuffix(f"_{self.name}_z")
            empty = Claim(kind, self.name, "z", Subject(self.function, vars=self.z), Domain(tuple(self.in_var("z").domain.items())), (), "L")
            return ClaimResult(empty, "unknown", {"sympy": "unknown", "z3": "unknown"}, (), None, (f"unknown ({exc.reason}): {exc}",))

    def derivatives(self, wrt: Sequence[str] = (), orders: Sequence[int] = ()) -> SoftmaxDerivatives:
        """The gradient, and the Hessian by index pattern (its K^2 entries only for small K).

        Raises:
            InputError: a variable or an order is asked for: the derivatives are the
                gradient and the Hessian in z, all or nothing.
        """
        if wrt or orders:
            raise InputError(f"--wrt and --order do not apply to {self.name}: its derivatives are the gradient and Hessian in z")
        return SoftmaxDerivatives(self, tuple(self.gradient()), self.hessian_pattern())

    def on_simplex(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with the last target written as 1 minus the others (sum y = 1)."""
        return expr.subs(self.y[-1], 1 - Add(*self.y[:-1]))

    @cached_property
    def function(self) -> sympy.Expr:
        """The loss on the simplex, multiplied out: -sum_k y_k z_k + log(sum_k exp(z_k)).

        The claims' subject: the y_k log-sum-exp terms cancel, so a derivative in one
        logit is one quotient (ten times faster for SymPy at K = 256 than the nested form).
        """
        return sympy.expand(self.on_simplex(self.expr))

    def gradient(self) -> list[sympy.Expr]:
        """dL/dz_k on the simplex, written softmax_k - y_k (the kernel checks each against
        SymPy's derivative of :attr:`function`).

        >>> to_text(SoftmaxCE(2).gradient()[1])
        'y1 + exp(z2)/(exp(z1) + exp(z2)) - 1'
        """
        return [self.on_simplex(sk - yk) for sk, yk in zip(self.softmax(), self.y)]

    def hessian(self) -> sympy.Matrix:
        """The K x K Hessian in z of the loss on the simplex, as SymPy derives it (K^2 entries: for small K only)."""
        return sympy.hessian(self.function, self.z)

    def hessian_pattern(self) -> HessianPattern:
        """The Hessian by index pattern, each entry formula checked on the loss.

        SymPy derives d^2 L / dz_1^2 and d^2 L / dz_1 dz_2 and each must equal its formula
        in s = softmax(z); the loss is symmetric under permuting the classes, so every
        diagonal entry is the first and every other entry the second, with indices renamed.

        >>> SoftmaxCE(256).hessian_pattern().off_diagonal
        -s_i*s_j
        """
        si, sj = PATTERN[0], PATTERN[1]
        soft = self.softmax()
        back = {si: soft[0], sj: soft[1]}
        pattern = HessianPattern(si * (1 - si), -si * sj)
        lse = log(Add(*(exp(zk) for zk in self.z)))  # the loss less a part linear in z
        for entry, formula in ((sympy.diff(lse, self.z[0], 2), pattern.diagonal), (sympy.diff(lse, self.z[0], self.z[1]), pattern.off_diagonal)):
            if not check_identity(entry, formula.xreplace(back), {zk: Interval(-oo, oo) for zk in self.z}).symbolic:
                raise AssertionError(f"the Hessian entry {entry} is not {formula}")  # a bug in lossproof
        return pattern

    def domain_z(self) -> Domain:
        # Targets strictly inside the simplex for sampling: y_k in (0, 1/K), the last one
        # then 1 - (the others) in (1/K, 1). Logits over the whole line.
        box = tuple((yk, Interval.open(0, Rational(1, self.classes))) for yk in self.y[:-1])
        box += tuple((zk, Interval(-oo, oo)) for zk in self.z) + tuple((vk, Interval(-oo, oo)) for vk in self.v)
        return Domain(box)


#: Up to this K the K x K Hessian is printed entry by entry; past it, by pattern only.
MATRIX_CLASSES = 6


@dataclass(frozen=True)
class SoftmaxDerivatives:
    """The derivatives of softmax cross-entropy with K classes.

    Attributes:
        loss: the loss.
        gradient: dL/dz_k on the simplex, s_k - y_k.
        hessian: the Hessian by pattern; ``hessian.matrix(K)`` for the entries of a small K.
    """

    loss: SoftmaxCE
    gradient: tuple[sympy.Expr, ...]
    hessian: HessianPattern

    @property
    def matrix_printed(self) -> bool:
        """Whether a document prints the K x K entries (K <= MATRIX_CLASSES) or the pattern only."""
        return self.loss.classes <= MATRIX_CLASSES


@dataclass(frozen=True)
class HessianPattern:
    r"""The Hessian :math:`\operatorname{diag}(s) - s s^\top` by index pattern, for every K.

    Attributes:
        diagonal: the entry at i = j, in ``s_i``: :math:`s_i (1 - s_i)`.
        off_diagonal: the entry at i != j, in ``s_i, s_j``: :math:`-s_i s_j`.
    """

    diagonal: sympy.Expr
    off_diagonal: sympy.Expr

    def entry(self, i: int, j: int) -> sympy.Expr:
        """The entry (i, j) in the symbols s1, s2, ... (1-based)."""
        si, sj = PATTERN[0], PATTERN[1]
        if i == j:
            return self.diagonal.xreplace({si: Symbol(f"s{i}")})
        return self.off_diagonal.xreplace({si: Symbol(f"s{i}"), sj: Symbol(f"s{j}")})

    def matrix(self, classes: int) -> sympy.Matrix:
        """The K x K matrix (K^2 entries: for a document with small K)."""
        return sympy.Matrix(classes, classes, lambda i, j: self.entry(i + 1, j + 1))


#: v^T H v = sum_i s_i v_i^2 - sum_{i,j} s_i s_j v_i v_j, and sum_j s_j = 1 makes the
#: first sum a sum over pairs too: v^T H v = sum_{i,j} P(i, j), P the Hessian's pattern.
_SI, _SJ, _VI, _VJ = PATTERN
HESSIAN_FORM_PATTERN = _SI * _SJ * _VI**2 - _SI * _SJ * _VI * _VJ
#: The sum of squares: v^T H v = sum_{i,j} R(i, j) = 1/2 sum_{i,j} s_i s_j (v_i - v_j)^2.
SQUARES_PATTERN = Rational(1, 2) * _SI * _SJ * (_VI - _VJ) ** 2


def pattern_domain() -> Domain:
    """Two class indices: softmax values in (0, 1), directions over R."""
    return Domain(((_SI, Interval.open(0, 1)), (_SJ, Interval.open(0, 1)), (_VI, Interval(-oo, oo)), (_VJ, Interval(-oo, oo))))


def _pattern_steps(strict: bool) -> tuple[Identity | Sign, ...]:
    # The same steps for every K: they name two indices, never K (the kernel links them to
    # the loss at the claim's K, by computing v^T H v from it).
    pair = pattern_domain()
    symmetric = HESSIAN_FORM_PATTERN + swap_pattern(HESSIAN_FORM_PATTERN)
    squares = SQUARES_PATTERN + swap_pattern(SQUARES_PATTERN)
    steps: tuple[Identity | Sign, ...] = (
        Identity(symmetric, squares, pair, rule="H = diag(s) - s s^T, and sum s = 1: v^T H v is the sum over i, j of P(i, j), symmetrised"),
        Sign(SQUARES_PATTERN, ">=", pair, rule="weights in (0, 1) times a square"),
    )
    if strict:
        one = Domain(((_SI, Interval.open(0, 1)), (_VI, Interval(-oo, oo))), (Assumption(_VI**2, ">"),))
        steps += (Sign(diagonal_pattern(SQUARES_PATTERN), ">", one, rule="the diagonal term is positive for a nonzero direction"),)
    return steps


def softmax_claims(loss: SoftmaxCE, ids: Sequence[str] | None = None) -> list[Claim]:
    """The claims about softmax cross-entropy with ``loss.classes`` classes (those in ``ids``)."""
    dz = loss.domain_z()
    # The loss on the simplex (y_K = 1 - the others): its Hessian is that of log-sum-exp.
    f = loss.function
    subject = Subject(f, vars=tuple(loss.z))
    plain = Domain(tuple((s, iv) for s, iv in dz.intervals if s not in loss.v))
    convex = Claim(
        "convexOn",
        "softmax_ce",
        "z",
        subject,
        plain,
        (Part("convexOn_of_hessian_form_nonneg", subject, dz, _pattern_steps(False)),),
        "L",
    )
    nonzero = Assumption(Add(*(vk**2 for vk in loss.v)), ">")
    dz_ne = Domain(dz.intervals, (nonzero,))
    strict = Claim(
        "strictConvexOn",
        "softmax_ce",
        "z",
        subject,
        plain,
        (Part("strictConvexOn_of_hessian_form_pos", subject, dz_ne, _pattern_steps(True)),),
        "L",
    )
    gradient = lambda: Claim(  # noqa: E731 - K derivatives: built only when asked for
        "gradient",
        "softmax_ce",
        "z",
        subject,
        plain,
        tuple(
            Part(
                "eq_of_identity",
                Subject(d, value=g),
                plain,
                (Identity(d, g, plain, rule="derivative of log-sum-exp"),),
            )
            for d, g in zip((sympy.diff(f, zk) for zk in loss.z), loss.gradient())
        ),
        "L",
    )
    built = {CLAIM_IDS[0]: gradient, CLAIM_IDS[1]: lambda: convex, CLAIM_IDS[2]: lambda: strict}
    return [built[cid]() for cid in CLAIM_IDS if not ids or cid in ids]


def prove_softmax(classes: int) -> list[ClaimResult]:
    """Build and check the softmax cross-entropy claims for ``classes`` classes."""
    return [check_claim(c) for c in softmax_claims(SoftmaxCE(classes))]
