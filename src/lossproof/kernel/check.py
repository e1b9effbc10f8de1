r"""Checking a claim: its kind's structure, every part's rule, every step, and the
kernel's own obligations; then, if it is not proved, a search for a refutation.

A claim is proved only when its parts establish its kind's meaning
(:mod:`.kinds`), each part's steps are exactly its rule's premises (:mod:`.rules`),
every step is proved by both of its sides (:mod:`.steps`), and the obligations the
kernel adds itself hold: the function is real and smooth (or has only listed kinks)
on the claim's domain, before any calculus rule is used, and a point named inside an
interval is proved inside it. A claim is refuted only by a confirmed counterexample
to its own statement (:mod:`.refute`); anything else is unknown, with the reasons.
"""

from __future__ import annotations

from .calculus import conditions
from .claim import PROVED, REFUTED, UNKNOWN, Claim, ClaimResult, Sign, StepResult
from .kinds import KINDS
from .refute import refute
from .rules import RULES
from .steps import check_step
from ..settings import Settings, on_change, using
from ..timeout import ResourceLimitExceeded

__all__ = ["check_claim"]

#: The engines a claim reports, in order.
ENGINES = ("sympy", "z3", "arb", "mpmath.iv", "numeric")


def _definedness(claim: Claim) -> tuple[list[Sign], list[str]]:
    """The function is real and smooth, but for listed kinks, on the claim's domain."""
    if claim.kind not in KINDS or claim.kind.startswith("log_"):
        return [], []  # a lemma is the kernel's own, about log on t > 0
    found = conditions(claim.subject.function)
    problems = [f"the function uses {name}, which the kernel cannot reason about" for name in found.unsupported]
    wanted = list(found.defined) + [h for h in claim.conditions if h not in found.defined]
    steps = [Sign(h.expr, h.rel, claim.domain, rule="where the loss is defined") for h in wanted]
    return steps, problems


def _engines(results: list[StepResult]) -> dict[str, str]:
    # Each engine's word for the claim: the first of its steps that is not proved, else
    # proved. The numeric side of a sign step samples: never more than "sampled".
    out: dict[str, str] = {}
    for r in results:
        for name, status in r.engines.items():
            prev = out.get(name, PROVED)
            if prev == PROVED or (prev == "sampled" and status not in (PROVED, "sampled")):
                out[name] = str(status)
    out.setdefault("z3", "not used")
    return {k: out[k] for k in ENGINES if k in out}


def check_claim(claim: Claim, settings: Settings | None = None) -> ClaimResult:
    """Check a claim (see the module doc) under ``settings`` (default: those in force);
    a structure the checks cannot read is unknown."""
    try:
        with using(settings):
            return _check_claim(claim)
    except (ResourceLimitExceeded, MemoryError):
        raise  # the caller's limit (time or memory), not this claim's failure
    except Exception as exc:  # noqa: BLE001 - a forged structure may break any assumption
        reason = f"the claim could not be checked: {type(exc).__name__}: {str(exc)[:120]}"
        return ClaimResult(claim, UNKNOWN, {"sympy": UNKNOWN, "z3": UNKNOWN}, (), None, (reason,))


def _check_claim(claim: Claim) -> ClaimResult:
    problems: list[str] = []
    kind = KINDS.get(claim.kind)
    if kind is None:
        problems.append(f"unknown kind of claim {claim.kind!r}")
    elif not claim.parts:
        problems.append("nothing to check: no part was built (no closed-form minimiser, or nothing to claim)")
    else:
        problems += kind.check(claim)
    structure_ok = not problems
    results: list[StepResult] = []
    obligations: list[Sign] = []
    for part in claim.parts:
        rule = RULES.get(part.rule)
        if rule is None:
            problems.append(f"unknown rule {part.rule!r}")
        else:
            wrong, needed = rule.check(part)
            problems += [f"{part.rule}: {p}" for p in wrong]
            obligations += needed
        results += [check_step(step) for step in part.steps]
    structure_ok = structure_ok and not problems
    defined, undefined = _definedness(claim)
    problems += undefined
    obligation_results = [check_step(s) for s in defined + obligations]
    for r in obligation_results:
        if r.status != PROVED:
            problems.append(f"{r.step.rule}: {r.step.expr} {r.step.rel} 0 is {r.status}" + (f" ({r.reason})" if r.reason else ""))
    engines = _engines(results + obligation_results)
    if not problems and results and all(r.status == PROVED for r in results):
        return ClaimResult(claim, PROVED, engines, tuple(results), None, (), tuple(obligation_results))
    try:
        cx = refute(claim, results, structure_ok)
    except (ResourceLimitExceeded, MemoryError):
        raise  # a limit is the caller's to report, and fires once: never swallowed here
    except Exception as exc:  # noqa: BLE001 - SymPy/mpmath on a strange expression: no refutation
        cx = None
        problems.append(f"no counterexample search: {type(exc).__name__}: {str(exc)[:120]}")
    if cx is not None:
        return ClaimResult(claim, REFUTED, engines, tuple(results), dict(cx.point), tuple(problems) + (cx.reason,), tuple(obligation_results))
    failed = [f"step not proved ({r.step.rule}): {r.reason or r.status}" for r in results if r.status != PROVED]
    return ClaimResult(claim, UNKNOWN, engines, tuple(results), None, tuple(problems + failed), tuple(obligation_results))


# A step's verdict is cached per step: another sample count or time-out may change it.
on_change(check_step.cache_clear)
