r"""The kernel's data: claims, parts and steps as frozen, typed values.

A :class:`Claim` says one thing of one kind (``strictConvexOn``, ``isMinOn``, ...)
about one function of one variable on one domain; that is all of its meaning.
Its id and its statement in every format are generated from these fields
(:mod:`lossproof.statement`), never stored as prose. A claim is established by
:class:`Part`\ s, each a conclusion drawn by a named rule from :data:`Step`\ s;
:func:`lossproof.kernel.check_claim` decides whether the parts establish the
claim and whether every step holds.

>>> from sympy import Interval, Symbol
>>> t = Symbol("t")
>>> Domain(((t, Interval.open(0, 1)),)).box()
{t: Interval.open(0, 1)}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union

import sympy
from sympy import Interval, Symbol

__all__ = [
    "Status",
    "PROVED",
    "REFUTED",
    "UNKNOWN",
    "Assumption",
    "Domain",
    "LemmaUse",
    "Derivative",
    "Identity",
    "Sign",
    "Roots",
    "Limit",
    "Step",
    "Subject",
    "Part",
    "Claim",
    "StepResult",
    "Cover",
    "ClaimResult",
    "Counterexample",
]


class Status(str, Enum):
    """A verdict. A ``str`` so that JSON and comparisons with text keep working."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return repr(self.value)  # reads as the plain text it compares equal to


PROVED, REFUTED, UNKNOWN = Status.PROVED, Status.REFUTED, Status.UNKNOWN


@dataclass(frozen=True)
class Assumption:
    """A hypothesis ``expr rel 0``."""

    expr: sympy.Expr
    rel: str


@dataclass(frozen=True)
class Domain:
    """Each variable in an interval, plus hypotheses ``expr rel 0``."""

    intervals: tuple[tuple[Symbol, Interval], ...]
    hypotheses: tuple[Assumption, ...] = ()

    def box(self) -> dict[Symbol, Interval]:
        return dict(self.intervals)

    def without(self, var: Symbol) -> Domain:
        """The domain with ``var``'s interval left out (the hypotheses kept)."""
        return Domain(tuple((s, iv) for s, iv in self.intervals if s != var), self.hypotheses)


@dataclass(frozen=True)
class LemmaUse:
    """Use lemma ``name`` at the argument ``arg``: it bounds ``log(arg)``."""

    name: str
    arg: sympy.Expr


@dataclass(frozen=True)
class Derivative:
    """``d^order function / d var^order == result`` on the domain."""

    function: sympy.Expr
    var: Symbol
    order: int
    result: sympy.Expr
    domain: Domain
    rule: str = "derivative"


@dataclass(frozen=True)
class Identity:
    """``lhs == rhs`` on the domain."""

    lhs: sympy.Expr
    rhs: sympy.Expr
    domain: Domain
    rule: str = "algebra"


@dataclass(frozen=True)
class Sign:
    """``expr rel 0`` everywhere on the domain."""

    expr: sympy.Expr
    rel: str
    domain: Domain
    lemmas: tuple[LemmaUse, ...] = ()
    rule: str = "sign"


@dataclass(frozen=True)
class Roots:
    """On the domain, ``expr == 0`` exactly when ``var`` is one of ``roots``."""

    expr: sympy.Expr
    var: Symbol
    roots: tuple[sympy.Expr, ...]
    domain: Domain
    rule: str = "solve"


@dataclass(frozen=True)
class Limit:
    """``expr -> value`` as ``var -> point`` from ``direction`` (``"+"`` or ``"-"``)."""

    expr: sympy.Expr
    var: Symbol
    point: sympy.Expr
    direction: str
    value: sympy.Expr
    domain: Domain
    rule: str = "limit"


Step = Union[Derivative, Identity, Sign, Roots, Limit]


@dataclass(frozen=True)
class Subject:
    """What a claim or a part is about, by name; which fields a rule reads is the rule's.

    Attributes:
        function: the function (the loss, with its link applied for z), or an identity's
            left side, or the expression whose sign is claimed.
        var: the variable it is a function of.
        point: the minimiser, the kink, or the point a limit is taken at.
        value: a limit's value, an identity's right side, or a minimum value.
        direction: ``"+"`` or ``"-"`` for a one-sided limit.
        vars: several variables (the logits of a Hessian form).
        rel: the relation of a sign claim, ``function rel 0``.
        bracket: ``(a, b)``, in the variable's own coordinate: a minimiser without a
            closed form lies strictly between them.
    """

    function: sympy.Expr
    var: Symbol | None = None
    point: sympy.Expr | None = None
    value: sympy.Expr | None = None
    direction: str | None = None
    vars: tuple[Symbol, ...] = ()
    rel: str | None = None
    bracket: tuple[sympy.Expr, sympy.Expr] | None = None


@dataclass(frozen=True)
class Part:
    """One conclusion, drawn by ``rule`` from ``steps``, about ``subject`` on ``domain``.

    ``case`` fixes variables of the claim's function (``y = 0``): the part is about the
    claim's function with those values substituted, and the kernel checks that it is.
    """

    rule: str
    subject: Subject
    domain: Domain
    steps: tuple[Step, ...]
    case: tuple[tuple[Symbol, sympy.Expr], ...] = ()


@dataclass(frozen=True)
class Claim:
    """A named fact about a loss, in Lean Mathlib style (``strictConvexOn_bce_p``).

    Attributes:
        kind: what is claimed (a key of :data:`lossproof.kernel.kinds.KINDS`).
        name: the loss's name in the id (``bce``, ``custom``), or a lemma's name.
        wrt: ``"p"``, ``"z"`` or ``None``: the variable's name in the id.
        subject: the function and variable the claim is about, with the kind's fields.
        domain: where it is claimed: every variable's interval (and, where the kind
            admits one, its hypothesis).
        parts: the conclusions that establish it.
        operator: how the function is named in statements (``BCE``, ``L``).
        conditions: where the function as written is defined, collected before any
            simplification (``log`` arguments > 0, ...): each must be proved.
    """

    kind: str
    name: str
    wrt: str | None
    subject: Subject
    domain: Domain
    parts: tuple[Part, ...]
    operator: str = "L"
    conditions: tuple[Assumption, ...] = ()

    @property
    def id(self) -> str:
        from .kinds import claim_id  # the id is generated from the kind, in one place

        return claim_id(self)


@dataclass(frozen=True)
class Counterexample:
    """A point that contradicts a claim's own statement, confirmed at high precision.

    Attributes:
        point: the values of the claim's variables (and a chord's ends and weight).
        reason: what it violates, with the confirmed margin.
    """

    point: Mapping[str, str]
    reason: str


@dataclass(frozen=True)
class Cover:
    """Boxes on which interval arithmetic proved ``expr rel 0`` on ``box`` (no hypotheses).

    Attributes:
        expr, rel: the sign step's expression and relation.
        box: the step's domain as boxes see it, ``((symbol, interval), ...)`` by name.
        boxes: the cover (:class:`lossproof.kernel.branch_bound.Box` values).
        evaluated: boxes evaluated to find it (or to replay it), faces included.
        seconds: the wall time that took.
    """

    expr: sympy.Expr
    rel: str
    box: tuple[tuple[Symbol, Interval], ...]
    boxes: tuple[Any, ...]
    evaluated: int
    seconds: float


@dataclass(frozen=True)
class StepResult:
    step: Step
    status: Status
    engines: Mapping[str, str]
    counterexample: Mapping[str, str] | None = None
    reason: str = ""
    #: Interval covers that proved this step (empty unless the interval engine did).
    covers: tuple[Cover, ...] = ()


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    status: Status
    engines: Mapping[str, str]
    steps: tuple[StepResult, ...]
    counterexample: Mapping[str, str] | None = None
    problems: tuple[str, ...] = field(default=())
    #: Steps the kernel added and checked itself: where the function is defined, a
    #: point inside its interval.
    obligations: tuple[StepResult, ...] = field(default=())

    # Shown as math in a notebook: formatting lives outside the kernel and loads only then.
    def _repr_latex_(self) -> str:
        from ..render.latex import LATEX

        return str(LATEX.render(self))

    def _repr_markdown_(self) -> str:
        from ..render.markdown import MARKDOWN

        return str(MARKDOWN.render(self))

    def covers(self) -> list[Cover]:
        """The interval covers that proved steps of this result (its obligations too), once each."""
        seen: dict[tuple[Any, ...], Cover] = {}
        for r in tuple(self.steps) + tuple(self.obligations):
            for c in r.covers:
                seen.setdefault((c.expr, c.rel, c.box), c)
        return list(seen.values())

    def interval_cost(self) -> tuple[int, float] | None:
        """What interval arithmetic spent on this result: boxes evaluated and seconds, summed
        over its covers; None when no step of it was decided by intervals."""
        covers = self.covers()
        if not covers:
            return None
        return sum(c.evaluated for c in covers), sum(c.seconds for c in covers)

    def by_part(self) -> list[tuple[Part, tuple[StepResult, ...]]]:
        """Each part of the claim with the results of its own steps."""
        out, start = [], 0
        for part in self.claim.parts:
            out.append((part, self.steps[start : start + len(part.steps)]))
            start += len(part.steps)
        return out
