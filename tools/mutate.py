#!/usr/bin/env python3
r"""Mutation check of the trusted kernel (src/lossproof/kernel/): every mutant must make a test fail.

Each mutant is one line of the kernel, found by its exact text and replaced: a
comparison flipped or loosened, a premise check dropped, an engine-agreement rule
weakened, a numeric side or a confirmation switched off, a definedness obligation
skipped, Z3's answer misread, the sign engine's interval sign wrong. The list is
curated by hand (:data:`MUTANTS`): each entry says what the mutant breaks, so a
survivor reads as "the tests do not guard X".

For each mutant the repository (without .git and .venv) is copied to a temporary
directory, the line is replaced there, and the kernel's tests run against the copy
(``PYTHONPATH`` puts the copy's ``src`` first; the clone itself is never edited).
A mutant is *killed* when a test fails, *survived* when all pass, *timeout* when
the run exceeds :data:`TIMEOUT_S` (not counted as killed: a slow kernel is a finding
of its own), *error* when pytest cannot even collect (a broken mutant, to fix here).

Usage::

    python tools/mutate.py            # all mutants, 2 at a time; exit 1 unless all are killed
    python tools/mutate.py --list     # the mutants, without running anything
    python tools/mutate.py --only steps.combine.one-sided --jobs 1

A mutant whose original text is not found exactly once is an error (exit 2): the
kernel changed under it, and its text must be brought up to date.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = Path("src/lossproof/kernel")
#: The tests a mutant must fail: the kernel's own tests first (fast, stop at the first failure).
TESTS = (
    "tests/test_kernel.py",
    "tests/test_kernel_engines.py",
    "tests/test_kernel_rules.py",
    "tests/test_proof.py",
    "tests/test_softmax.py",  # the attacks on the Hessian rule and its Taylor arithmetic
    "src/lossproof/kernel",  # its doctests (refute's chord example among them)
    "tests/test_kernel_bracket.py",  # the attacks on the bracket rule and on min_value without a closed form
)
#: The bracket rule's attacks, run first for its mutants and those of min_value without a closed form.
_BRACKET = ("tests/test_kernel_bracket.py",)
#: The identity check's own tests, run first for its mutants.
_IDENTITY = ("tests/test_identity.py",)
#: The adversarial review's findings, run first for the mutants of their fixes.
_REVIEW = ("tests/adversarial/test_identity_review.py",)
#: The mpmath compiler's own tests, run first for its mutants.
_COMPILED = ("tests/test_compiled.py",)
#: A run longer than this is a timeout: each run takes 5-25 s on an idle 2-core machine.
TIMEOUT_S = 150
#: Not copied into a mutant's tree.
SKIP = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info", ".mypy_cache")


@dataclass(frozen=True)
class Mutant:
    """One line of the kernel replaced.

    Attributes:
        id: ``<module>.<function>.<what>``, unique.
        file: the module, relative to the kernel package (``../identity.py`` for the
            identity check beside it, which the kernel's steps call).
        original: the exact text replaced (a part of one line, unique in the file,
            or unique after the first occurrence of ``after``).
        replacement: what it is replaced by.
        breaks: what goes wrong when the mutant is applied.
        after: an anchor text, for an original that occurs more than once.
        first: tests run before :data:`TESTS` (the attacks aimed at this mutant's
            rule), so that a killed mutant stops early.
    """

    id: str
    file: str
    original: str
    replacement: str
    breaks: str
    after: str = ""
    first: tuple[str, ...] = ()


M = Mutant
#: The mutants, grouped by kind. Each must be killed.
MUTANTS: tuple[Mutant, ...] = (
    # ---- engine agreement (steps.combine and its uses)
    M("steps.combine.one-sided", "steps.py", "return REFUTED if REFUTED in (a, b) else UNKNOWN", "return PROVED if PROVED in (a, b) else (REFUTED if REFUTED in (a, b) else UNKNOWN)",
      "one side proved and the other unknown counts as proved"),
    M("steps.combine.first-side", "steps.py", "if a == b and a in (PROVED, REFUTED, UNKNOWN):", "if a in (PROVED, REFUTED, UNKNOWN):",
      "the first side alone decides"),
    M("steps.combine.contradiction", "steps.py", "if REFUTED in (a, b) and PROVED in (a, b):", "if False:",
      "engines that contradict each other give refuted"),
    M("steps.sign.lemma-sides", "steps.py", "if side.status != PROVED and status == PROVED:", "if False:",
      "a lemma's hypotheses (t > 0, t < 1) need not be proved"),
    M("steps.sign.lemma-proved", "steps.py", "if lemma_status(use.name) != PROVED:", "if False:",
      "a sign step may use a lemma that is not proved"),
    M("steps.sign.lemma-needs", "steps.py", "sides.append(Sign(template.subs(T, use.arg), rel, step.domain, rule=f\"hypothesis of {use.name}\"))", "pass",
      "a lemma's hypotheses are never even asked"),
    M("steps.roots.sides", "steps.py", "if status == REFUTED or (status == PROVED and not all(s.status == PROVED for s in subs)):", "if status == REFUTED:",
      "a roots step is proved with its roots outside the interval or its denominator unchecked"),
    M("steps.roots.sympy-side", "steps.py", "same = len(solved) == len(roots) and all(any(sympy.simplify(a - b) == 0 for b in roots) for a in solved)", "same = True",
      "a roots step answered proved on SymPy's side without solving"),
    M("steps.roots.z3-unknown", "steps.py", "z3_status = PROVED if z3o == PROVED else REFUTED if z3o == REFUTED else UNKNOWN", "z3_status = REFUTED if z3o == REFUTED else PROVED",
      "Z3's unknown on a roots step read as proved"),
    M("steps.roots.z3-skipped", "steps.py", "        z3_status = UNKNOWN", "        z3_status = PROVED",
      "a roots step Z3 cannot pose counts as proved on Z3's side"),
    # ---- numeric sides
    M("steps.derivative.fd-ignored", "steps.py", "            fd_ok = False", "            fd_ok = True",
      "the finite differences of a derivative step are ignored"),
    M("steps.derivative.fd-not-required", "steps.py", "status = PROVED if ident.status == PROVED and fd_ok else", "status = PROVED if ident.status == PROVED else",
      "a derivative step is proved whatever the finite differences say"),
    M("steps.derivative.smoothness", "steps.py", "    if problem:", "    if False:",
      "a derivative step is proved for a function that is not real and smooth on its domain", after="def _check_derivative"),
    M("steps.identity.numeric-ignored", "steps.py", "if check.holds and symbolic:", "if symbolic:",
      "an identity is proved by SymPy alone, its 60-digit evaluation ignored"),
    M("steps.identity.log-sides", "steps.py", "symbolic = check.symbolic and all(s.status == PROVED for s in sides)", "symbolic = check.symbolic",
      "an identity that merges logs is proved without its arguments shown positive"),
    M("steps.limit.numeric-ignored", "steps.py", "            numeric = UNKNOWN", "            pass",
      "the mpmath sequence of a limit step is ignored"),
    M("steps.limit.sympy-ignored", "steps.py", "own = PROVED if sympy.simplify(computed - step.value) == 0 else REFUTED", "own = PROVED",
      "SymPy's limit is not compared with the claimed value"),
    M("steps.sign.numeric-refutes", "steps.py", "        if confirm(step.expr, step.rel, pt):", "        if False:",
      "the 60-digit sampling of a sign step never finds a violation"),
    M("steps.sign.numeric-outweighs", "steps.py", "    if bad_point is not None:", "    if False:",
      "a violation sampled in the domain does not outweigh the engines' proof"),
    M("steps.sign.numeric-inside", "steps.py", "        if not inside(pt, step.domain):", "        if False:",
      "sign sampling uses points that break the step's hypotheses"),
    # ---- confirmations
    M("steps.confirm.exact", "steps.py", "        return not _holds(exact, rel)", "        return True",
      "every exact point counts as a violation"),
    M("steps.confirm.margin-gt", "steps.py", "return bool(approx < -CONFIRM_MARGIN)", "return bool(approx < CONFIRM_MARGIN)",
      "a tiny positive value confirms a violation of > 0"),
    M("steps.confirm.margin-lt", "steps.py", "return bool(approx > CONFIRM_MARGIN)", "return bool(approx > -CONFIRM_MARGIN)",
      "a tiny negative value confirms a violation of < 0"),
    M("steps.confirm.margin-eq", "steps.py", "return bool(abs(approx) > CONFIRM_MARGIN)", "return bool(abs(approx) >= 0)",
      "a zero at 60 digits confirms that an equality fails"),
    M("steps.holds.gt", "steps.py", "{\">\": value > 0, \">=\"", "{\">\": value >= 0, \">=\"",
      "an exact 0 satisfies > 0 (in confirm and inside)"),
    M("steps.inside.interval", "steps.py", "if var not in point or iv.contains(point[var]) is not sympy.true:", "if var not in point:",
      "a point outside an interval counts as inside (refutations outside the domain)"),
    M("steps.inside.exact-hypothesis", "steps.py", "            if not _holds(exact, h.rel):", "            if False:",
      "an exact point that breaks a hypothesis counts as inside"),
    M("steps.inside.approx-hypothesis", "steps.py", "        if not ok:", "        if False:",
      "an irrational point that breaks a hypothesis counts as inside"),
    M("steps.sign.refutation-confirmed", "steps.py", " or not confirm(step.expr, step.rel, original):", ":",
      "an engine's counterexample to a sign step is not confirmed on the original expression"),
    M("steps.sign.refutation-inside", "steps.py", " or not inside(original, step.domain) or", " or",
      "an engine's counterexample to a sign step may lie outside its domain"),
    M("steps.identity.refutation-inside", "steps.py", "if inside(pt, domain) and confirm(lhs - rhs, \"==\", pt):", "if confirm(lhs - rhs, \"==\", pt):",
      "an identity is refuted at a point outside its domain"),
    M("refute.chord.confirm", "refute.py", "            if confirm(value, rel, {}):", "            if True:",
      "a chord is reported from the 30-digit screen, never confirmed"),
    M("refute.chord.defined", "refute.py", "if not all(inside({**fixed, var: v}, defined) for v in (a, b, x0)):", "if False:",
      "a chord may use points where the loss (as written) is not defined"),
    M("refute.defined.conditions", "refute.py", "+ conditions(claim.subject.function).defined + tuple(claim.conditions))", "+ conditions(claim.subject.function).defined)",
      "the conditions collected before simplification (sqrt(u)**2) are forgotten by refutations"),
    M("refute.lower.confirm", "refute.py", "            if confirm(value, \">\" if strict else \">=\", {}):", "            if True:",
      "a lower value is reported from the 30-digit screen, never confirmed"),
    M("refute.lower.defined", "refute.py", " or not inside({**values, var: x}, around):", ":",
      "a lower value may be taken where the loss is not defined"),
    M("refute.direction.confirm", "refute.py", "if confirm(gap, \">\", {}) or (same.holds and valid):", "if True:",
      "a direction is reported as affine without the gap confirmed"),
    M("refute.structure", "refute.py", "    if not structure_ok:", "    if False:",
      "a minimiser from parts that do not match the claim is used to refute it"),
    M("check.structure-for-refute", "check.py", "structure_ok = structure_ok and not problems", "structure_ok = True",
      "a claim whose parts do not fit their rules is refuted through those parts"),
    # ---- definedness obligations
    M("check.definedness.skipped", "check.py", "if claim.kind not in KINDS or claim.kind.startswith(\"log_\"):", "if True:",
      "no obligation that the loss is real and defined on the domain"),
    M("check.definedness.claim-conditions", "check.py", "wanted = list(found.defined) + [h for h in claim.conditions if h not in found.defined]", "wanted = list(found.defined)",
      "the conditions the parser collected before simplification are not proved"),
    M("check.definedness.unsupported", "check.py", "problems = [f\"the function uses {name}, which the kernel cannot reason about\" for name in found.unsupported]", "problems = []",
      "a loss with Heaviside, Min, ... is proved"),
    M("check.obligation.unknown", "check.py", "        if r.status != PROVED:", "        if r.status == REFUTED:",
      "an obligation (defined, point inside) that is only unknown is accepted"),
    M("check.proved.problems", "check.py", "if not problems and results and all(r.status == PROVED for r in results):", "if results and all(r.status == PROVED for r in results):",
      "a claim with problems (structure, obligations) is proved"),
    M("check.proved.all-steps", "check.py", "if not problems and results and all(r.status == PROVED for r in results):", "if not problems and results and any(r.status == PROVED for r in results):",
      "one proved step is enough"),
    M("calculus.log", "calculus.py", "        return [Assumption(node.args[0], \">\")]", "        return []",
      "log(u) needs no u > 0"),
    M("calculus.sign", "calculus.py", "        return [Assumption(node.args[0], \"!=\")]", "        return []",
      "sign(u) needs no u != 0: a jump is smoothed over"),
    M("calculus.pow-base", "calculus.py", "if base.is_number and base.is_positive:", "if base.is_number:",
      "(-2)**p counts as defined"),
    M("calculus.pow-negative", "calculus.py", "return [Assumption(base, \"!=\")] if exp < 0 else []", "return []",
      "1/u needs no u != 0"),
    M("calculus.pow-fractional", "calculus.py", "        return [Assumption(base, \">\")]", "        return []",
      "sqrt(u) needs no u > 0", after="if exp.is_Integer:"),
    M("calculus.supported", "calculus.py", "return isinstance(node, (sympy.log, sympy.sign, sympy.Abs)) or isinstance(node, SMOOTH_FUNCTIONS)", "return True",
      "Heaviside, Min, DiracDelta, ... count as supported"),
    M("calculus.complex", "calculus.py", "if node in (sympy.zoo, sympy.nan, sympy.I) or (node.is_number and node.is_extended_real is False):", "if False:",
      "a complex constant counts as real"),
    M("calculus.kinks", "calculus.py", "            kink_args.add(node.args[0])", "            pass",
      "|u| is not listed as a kink"),
    M("steps.smooth.kinks", "steps.py", "if (u, \"!=\") not in holes and (-u, \"!=\") not in holes:", "if False:",
      "a derivative is proved across a kink the domain does not leave out"),
    M("steps.smooth.defined", "steps.py", "            return f\"not shown defined and smooth: {h.expr} {h.rel} 0 is {side.status} on the domain\"", "            pass",
      "a derivative step is proved where the function is not shown defined"),
    M("steps.smooth.unsupported", "steps.py", "    if c.unsupported:", "    if False:",
      "a derivative step is proved for a function with unsupported parts"),
    # ---- premise checks: rules.py
    M("rules.convex.rel", "rules.py", "elif not (s.expr == d.result and rule.allows(0, s.rel) and not s.lemmas):", "elif not (s.expr == d.result and not s.lemmas):",
      ">= accepted where strictConvexOn_of_deriv2_pos needs >"),
    M("rules.convex.expr", "rules.py", "elif not (s.expr == d.result and rule.allows(0, s.rel) and not s.lemmas):", "elif not (rule.allows(0, s.rel) and not s.lemmas):",
      "the sign step may be about another expression than the second derivative"),
    M("rules.convex.derivative", "rules.py", "    if not _derivative_of(d, f, var, 2):", "    if False:",
      "the derivative step may be of another function or order", after="def _convex(part"),
    M("rules.derivative-of.order", "rules.py", "and step.var == var and step.order == order", "and step.var == var",
      "a first derivative passes for the second"),
    M("rules.derivative-of.function", "rules.py", "return isinstance(step, Derivative) and same(step.function, f) and", "return isinstance(step, Derivative) and",
      "a derivative of another function passes"),
    M("rules.on-part-domain", "rules.py", "return [\"a step is stated on another domain than the part\"] if any(s.domain != part.domain for s in steps) else []", "return []",
      "a step may be stated on a smaller domain than its part"),
    M("rules.holes.rel", "rules.py", "        if h.rel != \"!=\" or linear_hole(h.expr, var) is None:", "        if linear_hole(h.expr, var) is None:",
      "a hypothesis p - 1/2 > 0 narrows a convexity part to half its domain", after="def _holes_only"),
    M("rules.holes.single-point", "rules.py", "        if h.rel != \"!=\" or linear_hole(h.expr, var) is None:", "        if h.rel != \"!=\":",
      "a hypothesis u != 0 that leaves out more than a point is admitted", after="def _holes_only"),
    M("rules.no-hypotheses", "rules.py", "return [f\"hypothesis {h.expr} {h.rel} 0 is not admitted by {part.rule}\" for h in part.domain.hypotheses]", "return []",
      "rules that admit no hypothesis accept any"),
    M("rules.membership.open", "rules.py", "out.append(Sign(point - iv.start, \">\" if iv.left_open else \">=\", rest", "out.append(Sign(point - iv.start, \">=\", rest",
      "a minimiser on the open end of the interval counts as inside"),
    M("rules.membership.upper", "rules.py", "    if iv.end != oo:", "    if False:",
      "a minimiser above the interval counts as inside", after="def _membership"),
    M("rules.off-finite.nonneg-rel", "rules.py", "rule.allows(0, nonneg.rel) and ", "",
      "the 'f'' >= 0' premise may have any relation"),
    M("rules.off-finite.pos-rel", "rules.py", "rule.allows(1, pos.rel) and ", "",
      "the 'f'' > 0 off finitely many points' premise may have any relation"),
    M("rules.off-finite.pos-domain", "rules.py", "and pos.domain.intervals == part.domain.intervals and not pos.lemmas", "and not pos.lemmas",
      "the strict premise may hold on a smaller interval only"),
    M("rules.off-finite.points", "rules.py", "        if h.rel != \"!=\" or linear_hole(h.expr, var) is None:", "        if False:",
      "the strict premise may leave out more than finitely many points", after="for h in extra:"),
    M("rules.minimum.roots-expr", "rules.py", "if not (roots.expr == d1.result and roots.var == var", "if not (roots.var == var",
      "the roots step may be of another expression than the first derivative"),
    M("rules.minimum.roots-point", "rules.py", "and len(roots.roots) == 1 and same(roots.roots[0], point)):", "and len(roots.roots) == 1):",
      "the root need not be the named minimiser"),
    M("rules.minimum.rel", "rules.py", "and s.expr == d2.result and rule.allows(0, s.rel) and not s.lemmas):", "and s.expr == d2.result and not s.lemmas):",
      "the minimiser's convexity premise may be >= 0"),
    M("rules.minimum.membership", "rules.py", "    return out, _membership(point, part, var)", "    return out, []",
      "the minimiser need not lie inside the interval", after="def _minimum"),
    M("rules.sign-change.rel", "rules.py", "if not (step.expr == d.result and rule.allows(i, step.rel) and", "if not (step.expr == d.result and",
      "the falling/rising premises may have any relation"),
    M("rules.sign-change.side", "rules.py", "if h.rel != rel or not any(same(h.expr, t - t0) for t, t0 in sides):", "if not any(same(h.expr, t - t0) for t, t0 in sides):",
      "'before the point' may be written as after it"),
    M("rules.sign-change.point", "rules.py", "if h.rel != rel or not any(same(h.expr, t - t0) for t, t0 in sides):", "if h.rel != rel:",
      "the side hypotheses may compare the variable with another point"),
    M("rules.sign-change.membership", "rules.py", "    return out, _membership(point, part, var)", "    return out, []",
      "a sign-change minimiser need not lie inside the interval", after="def _sign_change"),
    M("rules.kink.rel", "rules.py", "if not (rule.allows(0, jump.rel) and jump.domain", "if not (jump.domain",
      "a concave kink (right slope below the left) is accepted"),
    M("rules.kink.jump-expr", "rules.py", "and same(jump.expr, right.value - left.value) and not jump.lemmas):", "and not jump.lemmas):",
      "the kink's sign step may be about anything"),
    M("rules.kink.direction", "rules.py", "and lim.point == 0 and lim.direction == direction):", "and lim.point == 0):",
      "the left and right limits may be taken from the same side"),
    M("rules.kink.derivative", "rules.py", "elif not check_identity(lim.expr, d1.subs(var, point + t), near).holds:", "elif False:",
      "a one-sided limit may be of another expression than the derivative"),
    M("rules.hessian.form", "rules.py", "if not form_equals_pair_sum(f, zs, vs, ident.lhs / 2):", "if False:",
      "the pattern need not sum to the subject's v^T H v"),
    M("rules.hessian.rel", "rules.py", "if not rule.allows(0, sign.rel) or sign.lemmas:", "if sign.lemmas:",
      "a semi-definite form gives strict convexity"),
    M("rules.hessian.rhs", "rules.py", "if not same(ident.rhs, r + swap_pattern(r)):", "if False:",
      "the sign step need not be about the identity's right side"),
    M("rules.hessian.two-logits", "rules.py", "    if k < 2:", "    if False:",
      "at K = 1 the softmax value 1 lies outside the pattern box (a linear loss 'strictly convex')"),
    M("rules.hessian.pattern-domain", "rules.py", "if ident.domain != pair or sign.domain != pair:", "if False:",
      "the pattern's sign may be proved on a narrower box than the range of softmax"),
    M("rules.hessian.diagonal", "rules.py", "if not (same(diag.expr, diagonal_pattern(r)) and rule.allows(1, diag.rel) and diag.domain == one and not diag.lemmas):", "if False:",
      "strict convexity from a positive step about another term than R(i, i)"),
    M("hessian_form.log", "hessian_form.py", "c2 = self._add(self._mul(a.c2, r), self._scale(self._mul(c1, c1), sympy.Rational(-1, 2)))",
      "c2 = self._add(self._mul(a.c2, r), self._scale(self._mul(c1, c1), sympy.Rational(1, 2)))",
      "the second Taylor coefficient of log has the wrong sign"),
    M("hessian_form.exp", "hessian_form.py", "self._scale(self.field.mul(u, self.field.mul(v, v)), sympy.Rational(1, 2)))",
      "self._scale(self.field.mul(u, self.field.mul(v, v)), sympy.Rational(1, 1)))",
      "the second Taylor coefficient of exp is twice what it is"),
    M("rules.hessian.hypotheses", "rules.py", "    if part.domain.hypotheses != wanted:", "    if False:",
      "a Hessian part may assume the form is positive"),
    M("rules.single.fields", "rules.py", "if not (same(a, b) if isinstance(a, sympy.Basic) and isinstance(b, sympy.Basic) else a == b):", "if False:",
      "a single-step part may be about something else than its step"),
    M("rules.deriv-limit.value", "rules.py", "and lim.direction == s.direction and same(lim.value, s.value)):", "and lim.direction == s.direction):",
      "the limit of the derivative may be another value than the part's"),
    M("rules.monotone.rel", "rules.py", "and s.expr == d.result and rule.allows(0, s.rel) and not s.lemmas):", "and s.expr == d.result and not s.lemmas):",
      "strictMonoOn_of_deriv_pos accepted for a negative derivative"),
    M("rules.monotone.open", "rules.py", "if iv is None or not (iv.left_open and iv.right_open):", "if iv is None:",
      "'no minimiser' on an interval with a closed end"),
    # ---- the rule table: relations and admitted hypotheses (Rule.check, Rule.allows)
    M("rules.allows", "rules.py", "return rel in self.relations[index].split(\"|\")", "return True",
      "every sign premise may have any relation"),
    M("rules.table.strict-convex", "rules.py", "gives strict convexity\", (\">\",), \"holes\", _convex)", "gives strict convexity\", (\">|>=\",), \"holes\", _convex)",
      ">= accepted where strictConvexOn_of_deriv2_pos needs > (MAE strictly convex)"),
    M("rules.table.off-finite", "rules.py", "            (\">=\", \">\"),", "            (\">=\", \">=\"),",
      "the strict premise off finitely many points may be >= 0"),
    M("rules.table.kink", "rules.py", "keeps a continuous function convex\", (\">=\",), \"none\", _kink)", "keeps a continuous function convex\", (\"<=|>=\",), \"none\", _kink)",
      "a concave kink is admitted by the rule's relation"),
    M("rules.table.mono", "rules.py", "gives a strictly increasing function\", (\">\",), \"holes\", _monotone)", "gives a strictly increasing function\", (\"<|>\",), \"holes\", _monotone)",
      "strictMonoOn_of_deriv_pos accepted for a negative derivative, by the table"),
    M("rules.table.minimum-admits", "rules.py", "            \"none\",", "            \"holes\",",
      "the convex-minimiser rule admits holes", after="the only zero of the derivative"),
    M("rules.check.holes", "rules.py", "            problems = _holes_only(part, var) + problems", "            pass",
      "rules that admit holes admit any hypothesis"),
    M("rules.check.none", "rules.py", "            problems = _no_hypotheses(part) + problems", "            pass",
      "rules that admit no hypothesis admit any"),
    # ---- premise checks: kinds.py
    M("kinds.about.function", "kinds.py", "    if not same(s.function, f):", "    if False:",
      "a part about another function establishes the claim"),
    M("kinds.about.var", "kinds.py", "    if s.var != var:", "    if False:",
      "a part about another variable establishes the claim"),
    M("kinds.claim-hypotheses", "kinds.py", "out = [f\"the claim's domain may not assume {h.expr} {h.rel} 0\" for h in claim.domain.hypotheses]", "out = []",
      "a claim may narrow its own domain by a hypothesis"),
    M("kinds.convexity.others", "kinds.py", "    if others:", "    if False:",
      "parts by unrelated rules ride along in a convexity claim"),
    M("kinds.convexity.intervals", "kinds.py", "if piece.case or piece.domain.intervals != claim.domain.intervals:", "if piece.case:",
      "the convexity part may be on a smaller interval"),
    M("kinds.convexity.hole-unmatched", "kinds.py", "            out.append(f\"the hole at {var} = {r} has no kink part\")", "            pass",
      "a hole in the domain need not be closed by a kink part"),
    M("kinds.convexity.kink-domain", "kinds.py", "if q.case or q.domain != claim.domain.without(var):", "if q.case:",
      "a kink part may be on a smaller domain"),
    M("kinds.minimiser.main-rule", "kinds.py", "if len(main) != 1 or main[0].rule not in MIN_RULES:", "if len(main) != 1:",
      "the main part of an isMinOn claim may be by any rule"),
    M("kinds.minimiser.intervals", "kinds.py", "    if m.domain.intervals != inner:", "    if False:",
      "the minimiser part may be on a smaller interval"),
    M("kinds.minimiser.end-covered", "kinds.py", "            out.append(f\"nothing is proved for {y} = {e}\")", "            pass",
      "an end of the target range needs no part"),
    M("kinds.minimiser.end-rule", "kinds.py", "        elif q.rule not in MIN_RULES + (\"not_isMinOn_of_strictMonoOn\",):", "        elif False:",
      "an end of the target range may be covered by any rule"),
    M("kinds.minimiser.end-limit", "kinds.py", "and q.case[0][1] == e and q.rule != \"tendsto_of_limit\" for q in claim.parts):", "and q.case[0][1] == e for q in claim.parts):",
      "a limit alone covers an end of the target range"),
    M("kinds.min-value.point", "kinds.py", "or m.domain.intervals != claim.domain.intervals or not same(m.subject.point, s.point):", "or m.domain.intervals != claim.domain.intervals:",
      "the minimum value may be at another point than the proved minimiser"),
    M("kinds.min-value.identity", "kinds.py", "or not same(v.subject.function, f.subs(var, s.point)) or not same(v.subject.value, s.value):", "or not same(v.subject.value, s.value):",
      "the value identity may be about another expression than L at the minimiser"),
    M("kinds.saturation.limits", "kinds.py", "    if got != wanted or len(claim.parts) != 2:", "    if len(claim.parts) != 2:",
      "the saturation limits may be any two limits"),
    M("kinds.sub-entropy.kl", "kinds.py", "or not same(q.subject.value, kl_bernoulli(y, var)):", ":",
      "L - H(y) may equal anything"),
    M("kinds.kl.rel", "kinds.py", " or (rel and q.subject.rel != rel):", ":",
      "KL >= 0 and KL > 0 parts may have any relation"),
    M("kinds.gradient.diff", "kinds.py", " or not same(q.subject.function, sympy.diff(f, zk)):", ":",
      "a gradient part may be about anything"),
    M("kinds.lemma", "kinds.py", "return [] if own == claim else [\"not the kernel's statement and proof of this lemma\"]", "return []",
      "a lemma claim may be any claim"),
    # ---- the sign engine's and Z3's answers
    M("engines.interval.zero", "engines.py", "elif (iv.start < 0 or (iv.start == 0 and not iv.left_open)) and (iv.end > 0 or (iv.end == 0 and not iv.right_open)):", "elif iv.start < 0 < iv.end:",
      "a closed interval's zero at an end is dropped by the sign engine"),
    M("engines.interval.neg", "engines.py", "    if iv.start < 0:", "    if iv.start < -1:",
      "an interval reaching below 0 only a little has no negative values"),
    M("engines.add.strict", "engines.py", "return frozenset({same}) if any(s == {same} for s in signs) else frozenset({same, _ZERO})", "return frozenset({same})",
      "a sum of non-negative terms is positive"),
    M("engines.decide.allowed", "engines.py", "if sign and sign <= _ALLOWED[rel] and strict_ok:", "if sign and strict_ok:",
      "any sign proves any relation"),
    M("engines.bound.coefficient", "engines.py", "if rel in (\">\", \">=\") and csign <= {_NEG, _ZERO}:", "if rel in (\">\", \">=\"):",
      "an upper bound is substituted where the atom enters with a positive coefficient"),
    M("engines.bound.strict", "engines.py", "if rel == \">\" and strict and csign == {_NEG}:", "if rel == \">\" and csign == {_NEG}:",
      "a non-strict bound is used as a strict one"),
    M("engines.pow.division", "engines.py", "if e.exp < 0 and _ZERO in base:", "if False:",
      "1/u has a sign where u may be 0"),
    M("engines.pow.even", "engines.py", "frozenset({_POS} if _ZERO not in base else {_POS, _ZERO})", "frozenset({_POS})",
      "an even power of a term that may vanish is positive"),
    M("engines.linear.openness", "engines.py", "return _interval_sign(Interval(b, a, iv.right_open, iv.left_open))", "return _interval_sign(Interval(b, a, True, True))",
      "a decreasing linear function loses the zero at a closed end"),
    M("engines.convex.total", "engines.py", "return frozenset({_POS}) if total.is_Number and total > 0 else None", "return frozenset({_POS})",
      "any sum of weighted positive terms is positive, whatever the weights sum to"),
    M("engines.facts.flipped", "engines.py", "from_facts = from_facts & frozenset(-x for x in flipped)", "from_facts = from_facts & flipped",
      "a hypothesis about -e is read as one about e"),
    M("engines.counterexample.hypotheses", "engines.py", "if not all(_value_holds(h.expr, h.rel, point) for h in q.hypotheses):", "if False:",
      "the sign engine refutes at points that break the hypotheses"),
    M("engines.z3.unknown", "engines.py", "        if answer == \"unsat\":", "        if answer in (\"unsat\", \"unknown\"):",
      "Z3's unknown read as unsat", after="goal = self._clear(q.expr"),
    M("engines.z3.closed-start", "engines.py", "out.append(v > _z3_num(iv.start) if iv.left_open else v >= _z3_num(iv.start))", "out.append(v > _z3_num(iv.start))",
      "Z3 drops a closed interval's lower end"),
    M("engines.z3.closed-end", "engines.py", "out.append(v < _z3_num(iv.end) if iv.right_open else v <= _z3_num(iv.end))", "out.append(v < _z3_num(iv.end))",
      "Z3 drops a closed interval's upper end"),
    M("engines.z3.denominator-flip", "engines.py", "return _relate(_to_z3(num, env), _flip(rel) if sign < 0 else rel)", "return _relate(_to_z3(num, env), rel)",
      "a negative denominator is cleared without flipping the relation"),
    M("engines.z3.strict-bound", "engines.py", "cleared = self._clear(atom - bound, \"<\" if strict else \"<=\", env, base, context)", "cleared = self._clear(atom - bound, \"<\", env, base, context)",
      "Z3 uses a non-strict lemma bound as a strict one"),
    M("engines.z3.power", "engines.py", "for _ in range(int(e.exp) - 1):", "for _ in range(int(e.exp) - 2):",
      "u**3 is sent to Z3 as u**2"),
    M("engines.tests.gt", "engines.py", "    \">\": lambda v: v > 0,", "    \">\": lambda v: v >= 0,",
      "> 0 is tested (and sent to Z3) as >= 0"),
    # ---- lemmas
    M("lemmas.log-neg.needs", "lemmas.py", "Lemma(\"log_neg\", ((\">\", T), (\"<\", T - 1)),", "Lemma(\"log_neg\", ((\">\", T),),",
      "log t < 0 is used without t < 1"),
    M("lemmas.log-lt.needs", "lemmas.py", "((\">\", T), (\"!=\", T - 1)), T - 1, True)", "((\">\", T),), T - 1, True)",
      "log t < t - 1 is used at t = 1"),
    # ---- the bracket rule (rules._bracket) and min_value without a closed form (kinds._positive_min)
    M('rules.bracket.no-bracket', 'rules.py', 'if var is None or bracket is None or kinds not in', 'if var is None or kinds not in',
      'a part without a bracket is read as one', after='def _bracket', first=_BRACKET),
    M('rules.bracket.shape', 'rules.py', 'kinds not in ([Derivative] + tail, [Derivative, Identity, Sign] + tail)', 'False',
      "steps of another shape are read as the rule's premises", after='def _bracket', first=_BRACKET),
    M('rules.bracket.extra-fields', 'rules.py', 'if s.point is not None or s.value is not None or s.direction is not None or s.vars or s.rel is not None:', 'if False:',
      'a bracket part carries a point or value that nothing checks', after='def _bracket', first=_BRACKET),
    M('rules.bracket.first-derivative', 'rules.py', 'if not _derivative_of(d1, f, var, 1):', 'if False:',
      'the steps may be about another function than the subject', after='def _bracket', first=_BRACKET),
    M('rules.bracket.factor-lhs', 'rules.py', 'factor.lhs == d1.result and same(factor.rhs, m.expr * g)', 'same(factor.rhs, m.expr * g)',
      "the factor identity may be about another derivative than f'", after='def _bracket', first=_BRACKET),
    M('rules.bracket.factor-rhs', 'rules.py', 'and same(factor.rhs, m.expr * g))', 'and True)',
      "the factor identity need not say f' = m g", after='def _bracket', first=_BRACKET),
    M('rules.bracket.factor-sign', 'rules.py', 'elif not (m.rel == ">" and not m.lemmas):', 'elif False:',
      'a negative factor m < 0 turns the minimum into a maximum', after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-is-gradient', 'rules.py', 'if not same(rest[0].function, d1.result):', 'if False:',
      "without a factor, g need not be f'", after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-var', 'rules.py', 'dg.var == var and dg.order == 1', 'dg.order == 1',
      "g' may be taken in the target instead of the variable", after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-order', 'rules.py', 'dg.order == 1 and gpos.expr', 'gpos.expr',
      "g'' > 0 passes for g' > 0", after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-sign-expr', 'rules.py', 'gpos.expr == dg.result and rule.allows(0, gpos.rel)', 'rule.allows(0, gpos.rel)',
      "the sign step need not be about g'", after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-sign-rel', 'rules.py', 'rule.allows(0, gpos.rel) and not gpos.lemmas', 'not gpos.lemmas',
      "g' < 0 passes for g' > 0", after='def _bracket', first=_BRACKET),
    M('rules.bracket.g-sign-weak', 'rules.py', '(">", "<", ">"),', '(">|>=", "<", ">"),',
      "g' >= 0 passes for g' > 0", after='def _kink', first=_BRACKET),
    M('rules.bracket.domains', 'rules.py', 'if any(s.domain != part.domain for s in st[: len(st) - 4]):', 'if False:',
      'the derivative and sign steps may be on a narrower domain', after='def _bracket', first=_BRACKET),
    M('rules.bracket.domains-slice', 'rules.py', 'st[: len(st) - 4]', 'st[: len(st) - 5]',
      "the sign of g' may be on a narrower domain", after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-has-var', 'rules.py', 'if end.has(var):', 'if False:',
      'a bracket end may depend on the variable', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-symbols', 'rules.py', 'if not end.free_symbols <= others:', 'if False:',
      "a bracket end may use a symbol no step's domain binds", after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-finite', 'rules.py', 'if end.has(oo, -oo, sympy.zoo, sympy.nan):', 'if False:',
      "a bracket end may be infinite (g there is SymPy's substitution, not a limit)", after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-point', 'rules.py', 'same(at.lhs, g.subs(var, end)) and ', '',
      'the end steps may be about g at another point', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-identity-domain', 'rules.py', 'at.domain == ends and sign.domain', 'sign.domain',
      'the end identity may hold on part of the target range only', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-sign-domain', 'rules.py', 'sign.domain == ends and sign.expr', 'sign.expr',
      'the sign at an end may hold on part of the target range only', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-sign-expr', 'rules.py', 'sign.expr == at.rhs and rule.allows(i, sign.rel)', 'rule.allows(i, sign.rel)',
      'the sign at an end may be about another expression', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-sign-rel', 'rules.py', 'rule.allows(i, sign.rel) and not sign.lemmas', 'not sign.lemmas',
      'the signs at the ends may be swapped (an empty bracket)', after='def _bracket', first=_BRACKET),
    M('rules.bracket.left-inside', 'rules.py', 'obligations = _membership(bracket[0], part, var) + _membership(bracket[1], part, var)', 'obligations = _membership(bracket[1], part, var)',
      'the left end need not be inside the interval', after='def _bracket', first=_BRACKET),
    M('rules.bracket.right-inside', 'rules.py', 'obligations = _membership(bracket[0], part, var) + _membership(bracket[1], part, var)', 'obligations = _membership(bracket[0], part, var)',
      'the right end need not be inside the interval', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-smooth', 'rules.py', 'if found.unsupported or found.kinks:', 'if False:',
      'a bracket end may have a kink or a function the kernel cannot read', after='def _bracket', first=_BRACKET),
    M('rules.bracket.end-defined', 'rules.py', 'obligations += [Sign(h.expr, h.rel, ends, rule="the bracket end is defined") for h in found.defined]', 'pass',
      'a bracket end may be undefined for some targets (0/0, a logit at y = 0)', after='def _bracket', first=_BRACKET),
    M('kinds.positive-min.dispatch', 'kinds.py', '    if s.bracket is not None:', '    if False:',
      'a min_value claim with a bracket is read by the closed-form check, its bracket unchecked', after='def _min_value', first=_BRACKET),
    M('kinds.positive-min.rel', 'kinds.py', 'if s.rel != ">" or len(claim.parts) != 2:', 'if len(claim.parts) != 2:',
      "the claim may say another relation than 'minimum > 0'", after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.two-parts', 'kinds.py', 'if s.rel != ">" or len(claim.parts) != 2:', 'if s.rel != ">":',
      'a claim with a third part is read', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.no-point', 'kinds.py', 'if s.var is None or _target(claim) is None or s.point is not None or s.value is not None or s.direction is not None:', 'if False:',
      'the claim may name a minimiser or value that nothing checks', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.bracket-rule', 'kinds.py', 'if m.rule != "isMinOn_of_deriv_sign_change_in_bracket" or m.case', 'if m.case',
      'a closed-form minimiser part with a bracket label proves the bracket', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.case', 'kinds.py', 'or m.case or m.domain != claim.domain', 'or m.domain != claim.domain',
      'the minimiser part may be for one target only', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.domain', 'kinds.py', 'or m.domain != claim.domain or m.subject.bracket', 'or m.subject.bracket',
      'the minimiser part may be proved on part of the targets', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.same-bracket', 'kinds.py', 'or m.subject.bracket != s.bracket:', ':',
      "the claim's bracket need not be the part's", after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.about', 'kinds.py', 'out += _about(m, s.function, s.var, m.rule)', 'pass',
      'the minimiser part may be about another function', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.sign-rule', 'kinds.py', 'if sign.rule != "sign_of_sign" or ', 'if ',
      "the second part may be any rule (strict convexity) with a '>' label", after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.sign-domain', 'kinds.py', 'or sign.domain != claim.domain or not same(sign.subject.function', 'or not same(sign.subject.function',
      'the function may be > 0 on part of the targets only', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.sign-function', 'kinds.py', 'or not same(sign.subject.function, s.function) or sign.subject.rel', 'or sign.subject.rel',
      'the sign part may be about another function', after='def _positive_min', first=_BRACKET),
    M('kinds.positive-min.sign-rel', 'kinds.py', 'sign.subject.rel != ">":', 'False:',
      "'function >= 0' passes for a minimum > 0", after='def _positive_min', first=_BRACKET),
    # ---- a bracket is the bracket rule's alone (found in the review after the adversarial one)
    M('rules.check.bracket-elsewhere', 'rules.py', 'if part.subject.bracket is not None and self.name != "isMinOn_of_deriv_sign_change_in_bracket":', 'if False:',
      'a part by another rule may carry an unchecked bracket, shown as proved', first=_BRACKET),
    M('kinds.check.bracket-on-claim', 'kinds.py', 'if claim.subject.bracket is not None and claim.kind != "min_value":', 'if False:',
      'an isMinOn (or any) claim may carry an unchecked bracket of its own', first=_BRACKET),
    # ---- evalf taken at its word (found by the adversarial review of the identity check)
    M("steps.confirm.strict-evalf", "steps.py", "return sympy.N(value, CONFIRM_DIGITS, strict=True)", "return sympy.N(value, CONFIRM_DIGITS)",
      "a value evalf cannot resolve (0.e-33 for 4e-357) confirms a violation: a true identity refuted", first=_REVIEW),
    M("check.refute.limit-swallowed", "check.py", "except (ResourceLimitExceeded, MemoryError):", "except (MemoryError,):",
      "a time limit inside the counterexample search is swallowed and the claim runs on past it", after="cx = refute(claim, results, structure_ok)", first=_REVIEW),
    # ---- the identity check the kernel's identity and derivative steps stand on
    # (lossproof/identity.py, beside the kernel package)
    M("identity.cancels.any", "../identity.py", "return bool(lowest_terms(expr)[0] == 0)", "return True",
      "a difference that is a rational function of its atoms is taken for 0 without being 0", first=_IDENTITY),
    M("identity.numeric.tolerance", "../identity.py", "    return bool(abs(a - b) <= _MP_TOL * max(scale, 1))", "    return True",
      "the numeric side of an identity with log or exp never sees a difference", first=_IDENTITY),
    M("identity.numeric.undefined", "../identity.py", "            return False  # undefined at the point, as evalf's zoo or nan", "            return True",
      "two sides undefined at a point (a pole, a log of 0) count as equal there", first=_IDENTITY),
    M("identity.numeric.pole", "../identity.py", "        return False  # a pole at the point: not equal there", "        return True",
      "a side with a pole at the point counts as equal there", first=_IDENTITY),
    M("identity.numeric.zeros-settle", "../identity.py", "return _close(low, high, scale) and not (low == 0 and high == 0)", "return _close(low, high, scale)",
      "a side lost to cancellation (0 at 80 and 160 digits) counts as settled: a true identity's numeric side says not equal", first=_IDENTITY),
    M("identity.numeric.no-doubling", "../identity.py", "        while dps < _MP_MAX_DPS:", "        while False:",
      "a difference at 80 digits is taken as real, however much of a side cancellation lost", first=_IDENTITY),
    # ---- the mpmath compiler the kernel's numeric sides evaluate through
    # (lossproof/compiled.py, beside the kernel package)
    M("compiled.add.sign", "../compiled.py", 'return "(" + " + ".join(plus) + "".join(f" - {m}" for m in minus) + ")"', 'return "(" + " - ".join(plus) + "".join(f" - {m}" for m in minus) + ")"',
      "a sum evaluates as a difference: numeric sides see differences that are not there", first=_COMPILED),
    M("compiled.add.negated-first", "../compiled.py", "            if coeff.is_negative:", "            if False:",
      "a negative term is multiplied by -1 (and so rounded) before it is added: 1 - sigmoid(700) is 0", first=_COMPILED),
    M("compiled.rational.flipped", "../compiled.py", 'return f"(_mpf({self._int(e.p)})/{self._int(e.q)})"', 'return f"(_mpf({self._int(e.q)})/{self._int(e.p)})"',
      "a rational constant evaluates as its reciprocal", first=_COMPILED),
    M("compiled.mul.denominator", "../compiled.py", "den.append(self._power(a.base, -a.exp))", "num.append(self._power(a.base, -a.exp))",
      "a negative power evaluates as a positive one", first=_COMPILED),
    M("compiled.pow.half", "../compiled.py", 'return f"(1 / _f_sqrt({self.emit(base)}))"', 'return f"_f_sqrt({self.emit(base)})"',
      "u**(-1/2) evaluates as sqrt(u)", first=_COMPILED),
    M("compiled.function.abs", "../compiled.py", '"Abs": mpmath.fabs,', '"Abs": mpmath.sign,',
      "|u| evaluates as sign(u)", first=_COMPILED),
    M("compiled.symbol.free", "../compiled.py", "if e not in self.names:", "if False:",
      "a symbol that is not an argument is looked up anyway (a KeyError, or another's value)", first=_COMPILED),
)


def locate(text: str, m: Mutant) -> int:
    """Where ``m.original`` starts in ``text``; raises ValueError unless it is found exactly once."""
    start = 0
    if m.after:
        start = text.find(m.after)
        if start < 0:
            raise ValueError(f"{m.id}: anchor {m.after!r} not found in {m.file}")
    at = text.find(m.original, start)
    if at < 0:
        raise ValueError(f"{m.id}: original text not found in {m.file}: {m.original!r}")
    if not m.after and text.find(m.original, at + 1) >= 0:
        raise ValueError(f"{m.id}: original text occurs more than once in {m.file}: {m.original!r}")
    if "\n" in m.original:
        raise ValueError(f"{m.id}: a mutant replaces text within one line")
    return at


def mutated(m: Mutant, root: Path = ROOT) -> str:
    """The mutant's module text."""
    text = (root / KERNEL / m.file).read_text()
    at = locate(text, m)
    return text[:at] + m.replacement + text[at + len(m.original) :]


def run(m: Mutant | None, timeout: float = TIMEOUT_S) -> tuple[str, float, str]:
    """Run the tests against a copy of the tree with ``m`` applied (the tree as is for None)."""
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lossproof-mutant-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=SKIP)
        if m is not None:
            (tree / KERNEL / m.file).write_text(mutated(m))
        env = {**os.environ, "PYTHONPATH": str(tree / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
        # The copy's own package must be the one imported: say so, or the run means nothing.
        probe = subprocess.run([sys.executable, "-c", "import lossproof; print(lossproof.__file__)"], cwd=tree, env=env, capture_output=True, text=True)
        if not probe.stdout.strip().startswith(str(tree)):
            return "error", time.monotonic() - t0, f"imported {probe.stdout.strip() or probe.stderr.strip()} instead of the copy"
        first = m.first if m is not None else ()
        tests = [*first, *(x for x in TESTS if x not in first)]
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "--doctest-modules", *tests]
        try:
            done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - t0, ""
    out = done.stdout.strip().splitlines()
    failed = next((line for line in out if line.startswith(("FAILED", "ERROR"))), out[-1] if out else "")
    status = {0: "survived", 1: "killed"}.get(done.returncode, "error")
    return status, time.monotonic() - t0, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="run only this mutant (repeatable; a prefix selects a group)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the check that the unmutated tree passes")
    args = parser.parse_args(argv)
    ids = [m.id for m in MUTANTS]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        print(f"duplicate mutant ids: {sorted(dupes)}", file=sys.stderr)
        return 2
    chosen = [m for m in MUTANTS if not args.only or any(m.id == o or m.id.startswith(o + ".") for o in args.only)]
    if not chosen:
        print(f"no mutant matches --only {args.only}", file=sys.stderr)
        return 2
    problems = []
    for m in chosen:
        try:
            mutated(m)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.list:
        for m in chosen:
            print(f"{m.id:40} {m.file:12} {m.breaks}")
        print(f"{len(chosen)} mutants")
        return 0
    t0 = time.monotonic()
    if not args.no_baseline:
        status, secs, detail = run(None)
        if status != "survived":
            print(f"the unmutated tree does not pass its tests ({status}, {secs:.0f} s): {detail}", file=sys.stderr)
            return 2
        print(f"baseline: the unmutated tree passes ({secs:.0f} s)")
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = []
        for m, (status, secs, detail) in zip(chosen, pool.map(run, chosen)):
            results.append((m, status))
            print(f"{status:9} {secs:5.0f}s  {m.id:40} {detail if status != 'killed' else detail[:90]}", flush=True)
    killed = sum(1 for _, s in results if s == "killed")
    print(f"\n{killed}/{len(results)} mutants killed ({100 * killed / len(results):.1f}%) in {time.monotonic() - t0:.0f} s")
    for m, s in results:
        if s != "killed":
            print(f"  {s}: {m.id} ({m.file}): {m.breaks}")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
