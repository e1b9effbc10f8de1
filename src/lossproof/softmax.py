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

from dataclasses import dataclass
from functools import cached_property

import sympy
from sympy import Add, Interval, Rational, Symbol, exp, log, oo

from .errors import InputError
from .notation import to_text
from .kernel import Claim, ClaimResult, Domain, Hypothesis, Identity, Part, Sign, Subject, check_claim

__all__ = ["SoftmaxCE", "MIN_CLASSES", "MAX_CLASSES", "softmax_claims", "prove_softmax"]

#: K may range over these; past MAX_CLASSES the symbolic Hessian grows as K^2.
MIN_CLASSES, MAX_CLASSES = 2, 6


@dataclass(frozen=True)
class SoftmaxCE:
    """The loss for ``classes`` classes, with its symbols."""

    classes: int

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

    def on_simplex(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with the last target written as 1 minus the others (sum y = 1)."""
        return expr.subs(self.y[-1], 1 - Add(*self.y[:-1]))

    def gradient(self) -> list[sympy.Expr]:
        """dL/dz_k, derived by SymPy and simplified on the simplex to softmax_k - y_k."""
        raw = [self.on_simplex(sympy.diff(self.expr, zk)) for zk in self.z]
        target = [sk - yk for sk, yk in zip(self.softmax(), self.y)]
        out = []
        for r, t in zip(raw, target):
            t = self.on_simplex(t)
            out.append(t if sympy.simplify(r - t) == 0 else r)
        return out

    def hessian(self) -> sympy.Matrix:
        return sympy.hessian(self.expr, self.z)

    def domain_z(self) -> Domain:
        # Targets strictly inside the simplex for sampling: y_k in (0, 1/K), the last one
        # then 1 - (the others) in (1/K, 1). Logits over the whole line.
        box = tuple((yk, Interval.open(0, Rational(1, self.classes))) for yk in self.y[:-1])
        box += tuple((zk, Interval(-oo, oo)) for zk in self.z) + tuple((vk, Interval(-oo, oo)) for vk in self.v)
        return Domain(box)

    def domain_s(self, hypotheses: tuple[Hypothesis, ...] = ()) -> Domain:
        # softmax maps onto the open simplex: s_k in (0, 1) and s_K = 1 - (the others) > 0.
        box = tuple((sk, Interval.open(0, 1)) for sk in self.s[:-1]) + tuple((vk, Interval(-oo, oo)) for vk in self.v)
        return Domain(box, (Hypothesis(1 - Add(*self.s[:-1]), ">"),) + hypotheses)

    def sum_of_squares(self, weights: tuple[sympy.Expr, ...]) -> sympy.Expr:
        k = self.classes
        return Rational(1, 2) * Add(*(weights[i] * weights[j] * (self.v[i] - self.v[j]) ** 2 for i in range(k) for j in range(k)))


def _quadratic_form(loss: SoftmaxCE) -> sympy.Expr:
    h = sympy.hessian(loss.on_simplex(loss.expr), loss.z)
    v = sympy.Matrix(loss.v)
    return (v.T * h * v)[0, 0]


def softmax_claims(loss: SoftmaxCE) -> list[Claim]:
    """The claims about softmax cross-entropy with ``loss.classes`` classes."""
    k = loss.classes
    s_last = 1 - Add(*loss.s[:-1])
    s_all = loss.s[:-1] + (s_last,)
    sos_s = loss.sum_of_squares(s_all)
    sos_z = loss.sum_of_squares(loss.softmax())
    q = _quadratic_form(loss)
    dz, ds = loss.domain_z(), loss.domain_s()
    # The loss on the simplex (y_K = 1 - the others): its Hessian is that of log-sum-exp.
    f = loss.on_simplex(loss.expr)
    subject = Subject(f, vars=tuple(loss.z))
    plain = Domain(tuple((s, iv) for s, iv in dz.intervals if s not in loss.v))
    convex = Claim(
        "convexOn",
        "softmax_ce",
        "z",
        subject,
        plain,
        (
            Part(
                "convexOn_of_hessian_form_nonneg",
                subject,
                dz,
                (
                    Identity(q, sos_z, dz, rule="H = diag(s) - s s^T, and sum s = 1"),
                    Sign(sos_s, ">=", ds, rule="a sum of nonnegative weights times squares"),
                ),
            ),
        ),
        "L",
    )
    nonzero = Hypothesis(Add(*(vk**2 for vk in loss.v)), ">")
    dz_ne = Domain(dz.intervals, (nonzero,))
    strict = Claim(
        "strictConvexOn",
        "softmax_ce",
        "z",
        subject,
        plain,
        (
            Part(
                "strictConvexOn_of_hessian_form_pos",
                subject,
                dz_ne,
                (
                    Identity(q, sos_z, dz_ne, rule="H = diag(s) - s s^T, and sum s = 1"),
                    Sign(sos_s, ">", loss.domain_s((nonzero,)), rule="positive for v != 0"),
                ),
            ),
        ),
        "L",
    )
    gradient = Claim(
        "gradient",
        "softmax_ce",
        "z",
        subject,
        plain,
        tuple(
            Part(
                "eq_of_identity",
                Subject(loss.on_simplex(sympy.diff(loss.expr, loss.z[i])), value=g),
                plain,
                (Identity(loss.on_simplex(sympy.diff(loss.expr, loss.z[i])), g, plain, rule="derivative of log-sum-exp"),),
            )
            for i, g in enumerate(loss.gradient())
        ),
        "L",
    )
    return [gradient, convex, strict]


def prove_softmax(classes: int) -> list[ClaimResult]:
    """Build and check the softmax cross-entropy claims for ``classes`` classes."""
    return [check_claim(c) for c in softmax_claims(SoftmaxCE(classes))]
