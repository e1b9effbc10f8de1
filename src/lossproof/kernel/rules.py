r"""The rules: how a part's conclusion follows from its steps.

Each :class:`Rule` is one value: its name (Lean Mathlib style, conclusion first),
the rule in words, the relation every sign premise must have, and a premise
checker that verifies the part's steps are exactly the premises the rule needs,
about the part's own subject and domain, and returns the obligations the kernel
adds itself (a root inside the interval). The hypotheses a part's domain may carry
are the rule's to admit: anything else is a problem, so a hypothesis can never
restate the conclusion and narrow the domain.

>>> RULES["strictConvexOn_of_deriv2_pos"].words
'a positive second derivative on an interval gives strict convexity'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy
from sympy import Interval, Symbol, oo

from ..identity import check_identity
from ..sigmoid import sigmoid
from .calculus import conditions, smooth_diff
from .claim import Derivative, Domain, Assumption, Identity, Limit, Part, Roots, Sign, Step
from .steps import sigmoid_value

__all__ = ["Rule", "RULES", "same", "linear_hole"]


def same(a: sympy.Expr, b: sympy.Expr) -> bool:
    """``a`` and ``b`` are the same expression: equal as trees, or as rational functions of their atoms."""
    if a == b:
        return True
    try:
        return sympy.cancel(a - b) == 0
    except (sympy.PolynomialError, TypeError, ValueError):
        return False


def linear_hole(u: sympy.Expr, var: Symbol) -> sympy.Expr | None:
    """The one point where ``u = 0`` in ``var``, when that is a single point; else None.

    ``u`` must be linear in ``var`` with a nonzero numeric slope, or linear in
    ``sigmoid(var)`` (an increasing bijection onto (0, 1)) with ``var`` nowhere else.

    >>> from sympy import Symbol
    >>> y, z = Symbol("y"), Symbol("z")
    >>> linear_hole(y - sigmoid(z), z)
    log(y/(1 - y))
    """
    s = sympy.Dummy("s")
    in_s = u.xreplace({sigmoid(var): s})
    if not in_s.has(var) and in_s.has(s):
        root = _linear_root(in_s, s)
        return None if root is None else sympy.log(root / (1 - root))
    return _linear_root(u, var)


def _linear_root(u: sympy.Expr, var: Symbol) -> sympy.Expr | None:
    if not u.has(var) or not u.is_polynomial(var) or sympy.degree(u, var) != 1:
        return None
    slope = sympy.diff(u, var)
    if not slope.is_number or slope == 0:
        return None
    return sympy.cancel(var - u / slope)


@dataclass(frozen=True)
class Rule:
    """A conclusion rule: its name, its words, and what its premises must be.

    Attributes:
        name: Mathlib-style name, the reference in certificates and documents.
        words: the rule as a sentence, for documents.
        relations: the relation each sign premise must have, in order (``"<|>"``: either).
        admits: the hypotheses a part's domain may carry: ``"none"``; ``"holes"``
            (``u != 0`` leaving out single points of the variable: kinks); ``"own"`` (the
            premise check names them exactly); ``"kind"`` (the claim's kind names them).
        premises: (part, rule) -> (problems, obligations): what is wrong with the steps,
            and the sign steps the kernel adds and checks itself.
    """

    name: str
    words: str
    relations: tuple[str, ...]
    admits: str
    premises: Callable[[Part, Rule], tuple[list[str], list[Sign]]]

    def check(self, part: Part) -> tuple[list[str], list[Sign]]:
        """The problems with ``part`` under this rule, and the kernel's own obligations."""
        problems, obligations = self.premises(part, self)
        if part.subject.bracket is not None and self.name != "isMinOn_of_deriv_sign_change_in_bracket":
            # Only the bracket rule checks a bracket: on any other part it would be an
            # unchecked label that documents and tables might show as proved.
            problems = [f"a part by {self.name} names no bracket"] + problems
        var = part.subject.var
        if self.admits == "holes" and var is not None:
            problems = _holes_only(part, var) + problems
        elif self.admits == "none":
            problems = _no_hypotheses(part) + problems
        return problems, obligations

    def allows(self, index: int, rel: str) -> bool:
        """Whether the ``index``-th sign premise may have the relation ``rel``."""
        return rel in self.relations[index].split("|")


def _on_part_domain(part: Part, steps: tuple[Step, ...]) -> list[str]:
    return ["a step is stated on another domain than the part"] if any(s.domain != part.domain for s in steps) else []


def _holes_only(part: Part, var: Symbol) -> list[str]:
    """Hypotheses ``u != 0`` that leave out single points of ``var`` (kinks); nothing else."""
    out = []
    for h in part.domain.hypotheses:
        if h.rel != "!=" or linear_hole(h.expr, var) is None:
            out.append(f"hypothesis {h.expr} {h.rel} 0 is not admitted by {part.rule}")
    return out


def _no_hypotheses(part: Part) -> list[str]:
    return [f"hypothesis {h.expr} {h.rel} 0 is not admitted by {part.rule}" for h in part.domain.hypotheses]


def _derivative_of(step: Step, f: sympy.Expr, var: Symbol, order: int) -> bool:
    return isinstance(step, Derivative) and same(step.function, f) and step.var == var and step.order == order


def _membership(point: sympy.Expr, part: Part, var: Symbol) -> list[Sign]:
    """The point lies in var's interval: sign steps over the other variables."""
    iv = part.domain.box().get(var)
    rest = Domain(tuple((s, i) for s, i in part.domain.intervals if s != var))
    out = []
    if iv is None:
        return out
    if iv.start != -oo:
        out.append(Sign(point - iv.start, ">" if iv.left_open else ">=", rest, rule="the point is inside the interval"))
    if iv.end != oo:
        out.append(Sign(iv.end - point, ">" if iv.right_open else ">=", rest, rule="the point is inside the interval"))
    return out


def _convex(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    f, var = part.subject.function, part.subject.var
    st = part.steps
    if var is None or len(st) != 2 or not isinstance(st[1], Sign):
        return ["needs the second derivative and its sign"], []
    d, s = st
    out = _on_part_domain(part, st)
    if not _derivative_of(d, f, var, 2):
        out.append("the derivative is not the second derivative of the subject")
    elif not (s.expr == d.result and rule.allows(0, s.rel) and not s.lemmas):
        out.append(f"the sign step is not 'second derivative {rule.relations[0]} 0'")
    return out, []


def _convex_off_finite(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # f'' >= 0 on the interval and f'' > 0 but at finitely many points: f' is strictly
    # increasing, so f is strictly convex ((p - y)^4 at p = y).
    f, var = part.subject.function, part.subject.var
    st = part.steps
    if var is None or [type(s) for s in st] != [Derivative, Sign, Sign]:
        return ["needs the second derivative, its sign, and its strict sign off finitely many points"], []
    d, nonneg, pos = st
    out: list[str] = []
    if not _derivative_of(d, f, var, 2) or d.domain != part.domain:
        out.append("the derivative is not the second derivative of the subject")
        return out, []
    if not (nonneg.expr == d.result and rule.allows(0, nonneg.rel) and nonneg.domain == part.domain and not nonneg.lemmas):
        out.append("the second step is not 'second derivative >= 0' on the part's domain")
    extra = [h for h in pos.domain.hypotheses if h not in part.domain.hypotheses]
    if not (pos.expr == d.result and rule.allows(1, pos.rel) and pos.domain.intervals == part.domain.intervals and not pos.lemmas):
        out.append("the third step is not 'second derivative > 0'")
    for h in extra:
        if h.rel != "!=" or linear_hole(h.expr, var) is None:
            out.append(f"the third step leaves out {h.expr} {h.rel} 0, not a single point")
    return out, []


def _minimum(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    f, var, point = part.subject.function, part.subject.var, part.subject.point
    st = part.steps
    if var is None or point is None or [type(s) for s in st] != [Derivative, Roots, Derivative, Sign]:
        return ["needs the first derivative, its roots, the second derivative and its sign"], []
    d1, roots, d2, s = st
    out = _on_part_domain(part, st)
    if not _derivative_of(d1, f, var, 1):
        out.append("the first step is not the first derivative of the subject")
    if not (roots.expr == d1.result and roots.var == var and len(roots.roots) == 1 and same(roots.roots[0], point)):
        out.append("the roots step does not say the derivative vanishes only at the minimiser")
    if not (_derivative_of(d2, f, var, 2) and s.expr == d2.result and rule.allows(0, s.rel) and not s.lemmas):
        out.append("the convexity steps are not 'second derivative > 0'")
    # The Roots step proves the root inside the interval; the kernel asks again, as a
    # premise of its own, so that the rule does not rest on the step's internals.
    return out, _membership(point, part, var)


def _sign_change(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # f continuous (the claim's definedness obligation), f' < 0 before the point and
    # > 0 after it, the point inside the interval: the point is the unique minimiser.
    # "Before" is t - t0 < 0 for t the variable or, through the increasing sigmoid, sigmoid(variable).
    f, var, point = part.subject.function, part.subject.var, part.subject.point
    st = part.steps
    if var is None or point is None or [type(s) for s in st] != [Derivative, Sign, Sign]:
        return ["needs the first derivative and its sign on each side of the point"], []
    d, below, above = st
    out: list[str] = []
    if not _derivative_of(d, f, var, 1) or d.domain != part.domain:
        out.append("the first step is not the first derivative of the subject on the part's domain")
    sides = [(var, point), (sigmoid(var), sigmoid_value(point))]
    for i, (step, rel) in enumerate(((below, "<"), (above, ">"))):
        extra = [h for h in step.domain.hypotheses if h not in part.domain.hypotheses]
        if not (step.expr == d.result and rule.allows(i, step.rel) and step.domain.intervals == part.domain.intervals and len(extra) == 1 and not step.lemmas):
            out.append(f"the {'first' if rel == '<' else 'second'} sign step is not 'f' {rel} 0' on one side")
            continue
        (h,) = extra
        if len(step.domain.hypotheses) != len(part.domain.hypotheses) + 1:
            out.append("a sign step drops a hypothesis of the part")
        if h.rel != rel or not any(same(h.expr, t - t0) for t, t0 in sides):
            out.append(f"the side hypothesis {h.expr} {h.rel} 0 does not compare the variable with the point")
    return out, _membership(point, part, var)


def _bracket(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # A minimiser without a closed form. f' = m g with m > 0 (m = 1 in p; sigmoid'(z) in
    # z), g' > 0 on the whole interval, g(a) < 0 < g(b), a and b inside the interval:
    # g is continuous and strictly increasing, so it has exactly one zero r, and a < r < b;
    # f' has g's sign, so f falls before r and rises after it: r is the unique minimiser.
    # (a < b needs no step: g(a) < g(b) and g increasing.)
    f, var, bracket = part.subject.function, part.subject.var, part.subject.bracket
    st = part.steps
    kinds = [type(s) for s in st]
    tail = [Derivative, Sign, Identity, Sign, Identity, Sign]
    if var is None or bracket is None or kinds not in ([Derivative] + tail, [Derivative, Identity, Sign] + tail):
        return ["needs the first derivative, its factor (if any), the factor's derivative and sign, and the factor at both ends of the bracket"], []
    s = part.subject
    if s.point is not None or s.value is not None or s.direction is not None or s.vars or s.rel is not None:
        # The rule proves no point, value or sign: a field it does not check would be
        # read as proved by whatever shows the part (a minimiser p = point in a table).
        return ["a bracketed minimiser names only its function, its variable and its bracket"], []
    d1 = st[0]
    out: list[str] = []
    if not _derivative_of(d1, f, var, 1):
        out.append("the first step is not the first derivative of the subject")
    if len(st) == 9:
        factor, m = st[1], st[2]
        g = st[3].function
        if not (isinstance(factor, Identity) and isinstance(m, Sign) and factor.lhs == d1.result and same(factor.rhs, m.expr * g)):
            out.append("the factor step is not 'f' = m g' for the sign step's m and the next derivative's g")
        elif not (m.rel == ">" and not m.lemmas):
            out.append("the factor's sign step is not 'm > 0'")
        rest = st[3:]
    else:
        rest = st[1:]
        if not same(rest[0].function, d1.result):
            out.append("without a factor, the increasing function must be the first derivative itself")
    dg, gpos, at_a, sign_a, at_b, sign_b = rest
    g = dg.function
    if not (isinstance(dg, Derivative) and dg.var == var and dg.order == 1 and gpos.expr == dg.result and rule.allows(0, gpos.rel) and not gpos.lemmas):
        out.append("the steps do not say g' > 0")
    if any(s.domain != part.domain for s in st[: len(st) - 4]):
        out.append("a step is stated on another domain than the part")
    ends = part.domain.without(var)
    others = set(ends.box())
    for end, at, sign, i in ((bracket[0], at_a, sign_a, 1), (bracket[1], at_b, sign_b, 2)):
        if end.has(var):
            out.append(f"the bracket end {end} depends on {var}")
            continue
        if not end.free_symbols <= others:
            # A symbol with no interval (y in a case part for y = 0) is not bound by the
            # steps' domain: a sign engine may read it as any real number, or fail.
            out.append(f"the bracket end {end} uses a symbol that has no interval in the part's domain")
            continue
        if end.has(oo, -oo, sympy.zoo, sympy.nan):
            # An end must be a point of the interval: g at an infinite end is SymPy's
            # substitution, not a limit, and says nothing about g near that end.
            out.append(f"the bracket end {end} is not a finite number")
            continue
        if not (same(at.lhs, g.subs(var, end)) and at.domain == ends and sign.domain == ends and sign.expr == at.rhs and rule.allows(i, sign.rel) and not sign.lemmas):
            out.append(f"the steps at {var} = {end} are not 'g at the bracket end {rule.relations[i]} 0' on the other variables' domain")
    obligations = _membership(bracket[0], part, var) + _membership(bracket[1], part, var)
    # The ends must be real numbers for every value of the other variables (a logit
    # log(a/(1 - a)) needs 0 < a < 1): the kernel proves where they are defined.
    for end in bracket:
        found = conditions(end)
        if found.unsupported or found.kinks:
            out.append(f"the bracket end {end} is not a smooth expression the kernel reads")
        obligations += [Sign(h.expr, h.rel, ends, rule="the bracket end is defined") for h in found.defined]
    return out, obligations


def _kink(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # At a kink: the one-sided derivatives of the subject, and right - left >= 0.
    f, var, point = part.subject.function, part.subject.var, part.subject.point
    st = part.steps
    if var is None or point is None or [type(s) for s in st] != [Limit, Limit, Sign]:
        return ["needs the left and right derivatives at the kink and their difference's sign"], []
    left, right, jump = st
    out: list[str] = []
    if var in part.domain.box():
        out.append("the kink part's domain must leave out the variable")
    t = left.var
    d1 = smooth_diff(f, var, 1)
    for lim, direction in ((left, "-"), (right, "+")):
        if not (lim.var == t and t not in part.domain.box() and t != var and lim.point == 0 and lim.direction == direction):
            out.append(f"the {'left' if direction == '-' else 'right'} limit is not taken at the kink")
            continue
        near = dict(lim.domain.intervals)
        if near.get(t) != Interval.open(-1, 1) or {s: i for s, i in near.items() if s != t} != part.domain.box() or lim.domain.hypotheses:
            out.append("a one-sided limit is taken on another domain")
        elif not check_identity(lim.expr, d1.subs(var, point + t), near).holds:
            out.append("a limit is not of the subject's derivative near the kink")
    if not (rule.allows(0, jump.rel) and jump.domain == part.domain and same(jump.expr, right.value - left.value) and not jump.lemmas):
        out.append("the last step is not 'right derivative - left derivative >= 0'")
    # A kink outside the interval changes nothing there: no membership is needed.
    return out, []


def _hessian(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # v^T H v for H the Hessian of the subject in its logits z1..zK (directions v1..vK),
    # computed here from the subject (hessian_form), must be 1/2 sum_{i,j <= K} T(s_i, s_j,
    # v_i, v_j) for T the identity's left side, s = softmax(z). The steps say, for every
    # K at once (they name no K): T(i, j) = R(i, j) + R(j, i), so the sum is 2 sum R;
    # R >= 0 on s_i, s_j in (0, 1) (the range of softmax), so every term is; and, for
    # strict, R(i, i) > 0 where v_i != 0, so a direction v != 0 has one positive term.
    from .hessian_form import PATTERN, FormError, diagonal_pattern, form_equals_pair_sum, swap_pattern

    strict = rule.name.startswith("strict")
    f, zs = part.subject.function, part.subject.vars
    st = part.steps
    shape = [Identity, Sign, Sign] if strict else [Identity, Sign]
    if not zs or [type(s) for s in st] != shape:
        what = ", and its diagonal term's strict sign" if strict else ""
        return [f"needs the pattern identity T(i, j) = R(i, j) + R(j, i), then the sign of R{what}"], []
    ident, sign = st[0], st[1]
    k = len(zs)
    if k < 2:
        # s_i = e^(z_i) / sum_j e^(z_j) lies in (0, 1), the pattern steps' box, only when
        # another logit is in the sum: at K = 1, s_1 = 1 is outside it.
        return ["a Hessian form by index pattern needs at least two logits"], []
    vs = [Symbol(f"v{i}") for i in range(1, k + 1)]
    nonzero = Assumption(sympy.Add(*(v**2 for v in vs)), ">")
    out = []
    wanted = (nonzero,) if strict else ()
    if part.domain.hypotheses != wanted:
        out.append("the part's hypotheses are not " + ("'v != 0'" if strict else "none"))
    box = part.domain.box()
    if any(box.get(x) != Interval(-oo, oo) for x in (*zs, *vs)):
        out.append("the logits and directions do not range over all of R")
    si, sj, vi, vj = PATTERN
    pair = Domain(((si, Interval.open(0, 1)), (sj, Interval.open(0, 1)), (vi, Interval(-oo, oo)), (vj, Interval(-oo, oo))))
    if ident.domain != pair or sign.domain != pair:
        out.append("the pattern steps are not stated on s_i, s_j in (0, 1), v_i, v_j in R")
    r = sign.expr
    if not same(ident.rhs, r + swap_pattern(r)):
        out.append("the identity's right side is not R(i, j) + R(j, i) for R the sign step's expression")
    if not rule.allows(0, sign.rel) or sign.lemmas:
        out.append("the sign step is not 'R(i, j) >= 0'")
    if strict:
        diag = st[2]
        one = Domain(((si, Interval.open(0, 1)), (vi, Interval(-oo, oo))), (Assumption(vi**2, ">"),))
        if not (same(diag.expr, diagonal_pattern(r)) and rule.allows(1, diag.rel) and diag.domain == one and not diag.lemmas):
            out.append("the last step is not 'R(i, i) > 0 where v_i != 0'")
    try:
        if not form_equals_pair_sum(f, zs, vs, ident.lhs / 2):
            out.append("v^T H v for the subject's Hessian is not 1/2 the sum over i, j of the identity's left side")
    except FormError as exc:
        out.append(f"v^T H v of the subject could not be computed: {exc}")
    return out, []


def _single(kind: type, fields: Mapping[str, str]) -> Callable[[Part, Rule], tuple[list[str], list[Sign]]]:
    def check(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
        if len(part.steps) != 1 or not isinstance(part.steps[0], kind):
            return [f"needs exactly one {kind.__name__} step"], []
        step = part.steps[0]
        out = _on_part_domain(part, part.steps)
        for step_field, subject_field in fields.items():
            a, b = getattr(step, step_field), getattr(part.subject, subject_field)
            if not (same(a, b) if isinstance(a, sympy.Basic) and isinstance(b, sympy.Basic) else a == b):
                out.append(f"the {kind.__name__} step's {step_field} is not the part's {subject_field}")
        return out, []

    return check


def _deriv_limit(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    # The limit of the subject's first derivative: a derivative step, then its limit.
    f, var = part.subject.function, part.subject.var
    st = part.steps
    if var is None or [type(s) for s in st] != [Derivative, Limit]:
        return ["needs the first derivative and its limit"], []
    d, lim = st
    out = _on_part_domain(part, st)
    if not _derivative_of(d, f, var, 1):
        out.append("the first step is not the first derivative of the subject")
    s = part.subject
    if not (lim.expr == d.result and lim.var == var and lim.point == s.point and lim.direction == s.direction and same(lim.value, s.value)):
        out.append("the limit is not of the derivative at the part's point")
    return out, []


def _monotone(part: Part, rule: Rule) -> tuple[list[str], list[Sign]]:
    f, var = part.subject.function, part.subject.var
    st = part.steps
    if var is None or len(st) != 2 or not isinstance(st[1], Sign):
        return ["needs the first derivative and its strict sign"], []
    d, s = st
    out = _on_part_domain(part, st)
    if not (_derivative_of(d, f, var, 1) and s.expr == d.result and rule.allows(0, s.rel) and not s.lemmas):
        out.append(f"the steps do not say the first derivative is {rule.relations[0].replace('|', ' 0 or ')} 0")
    iv = part.domain.box().get(var)
    if iv is None or not (iv.left_open and iv.right_open):
        out.append("a strictly monotone function has no minimiser only on an open interval")
    return out, []


#: Every rule, by name: its words, the relation of each sign premise, the hypotheses it admits.
RULES: Mapping[str, Rule] = {
    r.name: r
    for r in (
        Rule("strictConvexOn_of_deriv2_pos", "a positive second derivative on an interval gives strict convexity", (">",), "holes", _convex),
        Rule("convexOn_of_deriv2_nonneg", "a non-negative second derivative on an interval gives convexity", (">=",), "holes", _convex),
        Rule(
            "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite",
            "a second derivative that is non-negative, and positive but at finitely many points, gives strict convexity",
            (">=", ">"),
            "holes",
            _convex_off_finite,
        ),
        Rule(
            "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
            "the only zero of the derivative of a strictly convex function is its unique minimiser",
            (">",),
            "none",
            _minimum,
        ),
        Rule(
            "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt",
            "a continuous function that falls before a point and rises after it has its unique minimum there",
            ("<", ">"),
            "holes",
            _sign_change,
        ),
        Rule(
            "isMinOn_of_deriv_sign_change_in_bracket",
            "a derivative that has the sign of a strictly increasing function, negative at one end of a bracket and positive at the other, gives exactly one minimiser, inside the bracket",
            (">", "<", ">"),
            "none",
            _bracket,
        ),
        Rule("convexAt_kink_of_deriv_le", "at a kink, a slope that does not fall keeps a continuous function convex", (">=",), "none", _kink),
        Rule("convexOn_of_hessian_form_nonneg", "a positive semi-definite Hessian gives convexity", (">=",), "own", _hessian),
        Rule("strictConvexOn_of_hessian_form_pos", "a positive definite Hessian gives strict convexity", (">=", ">"), "own", _hessian),
        Rule("not_isMinOn_of_strictMonoOn", "a strictly monotone function has no minimiser on an open interval", ("<|>",), "holes", _monotone),
        Rule("strictMonoOn_of_deriv_pos", "a positive derivative gives a strictly increasing function", (">",), "holes", _monotone),
        Rule("eq_of_identity", "the two sides are equal", (), "none", _single(Identity, {"lhs": "function", "rhs": "value"})),
        # A sign part may carry hypotheses: the claim's kind says which (KL > 0 where p != y).
        Rule("sign_of_sign", "the sign holds everywhere on the domain", (), "kind", _single(Sign, {"expr": "function", "rel": "rel"})),
        Rule("tendsto_of_limit", "the limit", (), "none", _single(Limit, {"expr": "function", "var": "var", "point": "point", "direction": "direction", "value": "value"})),
        Rule("tendsto_deriv_of_limit", "the limit of the derivative", (), "none", _deriv_limit),
    )
}
