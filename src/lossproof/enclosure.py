r"""A minimiser without a closed form, enclosed for one target value.

Where the gradient has no closed-form root (focal loss with soft targets), the kernel
proves that the minimiser exists, is unique and lies in a bracket such as
:math:`(y/2, (1 + y)/2)`. For a given target this module narrows that to an interval of
width at most ``width`` (1e-12 by default): mpmath finds the root, two rationals are put
around it, and the kernel's bracket rule proves, with the same steps and engines as for
the claim, that the minimiser lies between them. Nothing here is taken from the
numerical root but where to look: an enclosure that is not proved says so.

>>> from sympy import Rational
>>> from lossproof.losses import get_loss
>>> e = minimiser_enclosure(get_loss("focal"), Rational(3, 10))
>>> e.status, float(e.high - e.low) <= 1e-12, round(float(e.low), 4)
('proved', True, 0.4215)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mpmath
import sympy
from sympy import Rational

from .claims import _bracket_part, _claim_domain, _in_var, gradient_root
from .derive import canonical_form, derive
from .errors import InputError
from .kernel import PROVED, UNKNOWN, ClaimResult, Part, check_step
from .kernel.claim import Status
from .kernel.rules import RULES
from .losses import Loss, y
from .settings import on_change

__all__ = ["Enclosure", "minimiser_enclosure", "remember", "enclosures_for", "decimal", "DEFAULT_WIDTH", "DOCUMENT_TARGETS"]

#: The widest enclosure returned: the issue's bound, and far below any plot's resolution.
DEFAULT_WIDTH = Rational(1, 10**12)


@dataclass(frozen=True)
class Enclosure:
    """``low < minimiser < high`` in p for ``y = target``, with the kernel's verdict.

    Attributes:
        target: the value of y.
        low, high: rational ends; ``high - low`` is at most the width asked for.
        status: ``proved`` when the kernel proved the bracket part, else ``unknown``.
        part: the checked part (rule ``isMinOn_of_deriv_sign_change_in_bracket``).
        reasons: why it is not proved, if it is not.
    """

    target: Rational
    low: Rational
    high: Rational
    status: Status
    part: Part | None
    reasons: tuple[str, ...] = ()

    @property
    def midpoint(self) -> Rational:
        return (self.low + self.high) / 2

    def contains(self, value: Rational) -> bool:
        return bool(self.low < value < self.high)


def _root(gp: sympy.Expr, width: Rational) -> tuple[Rational, Rational] | None:
    root = gradient_root(gp)
    if root is None:
        return None
    # Rationals on a grid of a tenth of the width, two steps either side of the root.
    digits = math.ceil(-math.log10(float(width))) + 1
    scale = 10**digits
    k = int(mpmath.floor(root * scale))
    low, high = Rational(k - 2, scale), Rational(k + 3, scale)
    return (low, high) if high - low <= width else None


#: Enclosures made in this process, or in a worker of the same run and handed over with
#: :func:`remember`: the documents and the comparison ask for the same one (focal at
#: y = 3/10). Emptied when other settings come into force; nothing outlives the process.
_MADE: dict[tuple[Loss, Rational, Rational], Enclosure] = {}


def minimiser_enclosure(loss: Loss, target: Rational, width: Rational = DEFAULT_WIDTH) -> Enclosure:
    """The minimiser of ``loss`` over p for ``y = target``, enclosed and proved (see the module doc).

    Raises:
        InputError: the target is not strictly inside (0, 1), or the width is not positive.
    """
    target, width = Rational(target), Rational(width)
    if not 0 < target < 1:
        raise InputError(f"target {target}: choose y strictly between 0 and 1")
    if width <= 0:
        raise InputError(f"width {width}: must be positive")
    key = (loss, target, width)
    if key not in _MADE:
        _MADE[key] = _enclose(loss, target, width)
    return _MADE[key]


def remember(loss: Loss, enclosures: Sequence[Enclosure], width: Rational = DEFAULT_WIDTH) -> None:
    """Take the enclosures of ``loss`` that a forked worker of this run made (at ``width``),
    so that this process does not make them again."""
    for e in enclosures:
        _MADE.setdefault((loss, e.target, Rational(width)), e)


on_change(_MADE.clear)


def _enclose(loss: Loss, target: Rational, width: Rational) -> Enclosure:
    case = ((y, target),)
    f, var, _ = _in_var(loss, "p")
    dom = _claim_domain(loss, "p").without(y)
    gp = derive(loss, "p", 1).canonical.subs(case)
    ends = _root(gp, width)
    if ends is None:
        return Enclosure(target, Rational(0), Rational(1), UNKNOWN, None, ("no single sign change of the gradient was found",))
    d1 = canonical_form(gp, dom.box(), var)
    part = _bracket_part(loss, "p", f.subs(case), var, d1, dom, case, candidates=[ends])
    if part is None:
        return Enclosure(target, *ends, UNKNOWN, None, ("the gradient's signs at the ends did not screen",))
    problems, obligations = RULES[part.rule].check(part)
    results = [check_step(s) for s in part.steps + tuple(obligations)]
    reasons = tuple(problems) + tuple(f"{r.step.rule}: {r.reason or r.status}" for r in results if r.status != PROVED)
    return Enclosure(target, *ends, PROVED if not reasons else UNKNOWN, part, reasons)


#: Targets at which documents enclose a minimiser that has no closed form.
DOCUMENT_TARGETS = tuple(Rational(k, 10) for k in (1, 3, 5, 7, 9))


def enclosures_for(loss: Loss, results: Sequence[ClaimResult], targets: Sequence[Rational] = DOCUMENT_TARGETS) -> tuple[Enclosure, ...]:
    """Enclosures at ``targets`` when the proved minimiser claim in p has no closed form; else ().

    >>> from lossproof.claims import prove
    >>> from lossproof.losses import get_loss
    >>> enclosures_for(get_loss("bce"), prove(get_loss("bce"), ["isMinOn_bce_p"], workers=1))
    ()
    """
    claim = next((r for r in results if r.claim.id == f"isMinOn_{loss.name}_p" and r.status == PROVED), None)
    if claim is None or not any(q.subject.bracket is not None and not q.case for q in claim.claim.parts):
        return ()
    return tuple(minimiser_enclosure(loss, t) for t in targets)


def decimal(r: Rational) -> str:
    """An enclosure's end as an exact decimal (its denominator is a power of 10).

    >>> decimal(Rational(4215, 10**4)), decimal(Rational(1, 8)), decimal(Rational(1, 3))
    ('0.4215', '0.125', '1/3')
    """
    digits = next((d for d in range(41) if 10**d % r.q == 0), None)
    if digits is None:
        return str(r)  # not a decimal fraction: the exact rational
    sign = "-" if r < 0 else ""
    whole, frac = divmod(abs(r.p) * (10**digits // r.q), 10**digits)
    return f"{sign}{whole}." + str(frac).rjust(digits, "0") if digits else f"{sign}{whole}"
