r"""Claim kinds: what each kind of claim means, and which parts establish it.

A claim's meaning is its kind, its subject and its domain. For each kind this
module says how the id is formed and checks that the parts establish exactly that
meaning: every part is about the claim's own function (with a case's values
substituted), on the claim's own domain, and together they cover it (a hole in a
domain is matched one-to-one with the kink part that closes it; each end of the
target range has its case). A part that proves something else, or a hypothesis
that narrows the domain, is a problem, and the claim is not proved.

>>> sorted(KINDS)[:3]
['convexOn', 'gradient', 'isMinOn']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy
from sympy import Interval, Symbol, log

from .claim import Claim, Domain, Assumption, Part
from .rules import linear_hole, same

__all__ = ["Kind", "KINDS", "claim_id", "binary_entropy", "kl_bernoulli", "MIN_RULES", "interior"]

#: Rules that conclude "the point is the unique minimiser".
MIN_RULES = ("isMinOn_of_deriv_eq_zero_of_strictConvexOn", "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt", "isMinOn_of_deriv_sign_change_in_bracket")
_STRICT = ("strictConvexOn_of_deriv2_pos", "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite")
_SMOOTH = {"strictConvexOn": _STRICT, "convexOn": _STRICT + ("convexOn_of_deriv2_nonneg",)}
_HESSIAN = {"strictConvexOn": ("strictConvexOn_of_hessian_form_pos",), "convexOn": ("strictConvexOn_of_hessian_form_pos", "convexOn_of_hessian_form_nonneg")}


def binary_entropy(t: sympy.Expr) -> sympy.Expr:
    r"""The binary entropy :math:`H(t) = -t \log t - (1 - t) \log(1 - t)` (a definition)."""
    return -t * log(t) - (1 - t) * log(1 - t)


def kl_bernoulli(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    r""":math:`\mathrm{KL}(\mathrm{Bern}(a) \| \mathrm{Bern}(b)) = -a \log(b/a) - (1-a) \log((1-b)/(1-a))`."""
    return -a * log(b / a) - (1 - a) * log((1 - b) / (1 - a))


def interior(iv: Interval) -> Interval:
    return Interval.open(iv.start, iv.end)


@dataclass(frozen=True)
class Kind:
    """A kind of claim: how its id is formed and what establishes it."""

    name: str
    id_format: str
    check: Callable[[Claim], list[str]]


def claim_id(claim: Claim) -> str:
    """The id, generated from the kind, the loss's name and the variable.

    >>> from sympy import Symbol
    >>> from lossproof.kernel.claim import Subject
    >>> claim_id(Claim("strictConvexOn", "bce", "p", Subject(Symbol("p")), Domain(()), ()))
    'strictConvexOn_bce_p'
    """
    kind = KINDS.get(claim.kind)
    if kind is None:
        return f"{claim.kind}_{claim.name}"
    return kind.id_format.format(name=claim.name, wrt=claim.wrt)


def _target(claim: Claim) -> Symbol | None:
    return claim.subject.vars[0] if len(claim.subject.vars) == 1 else None


def _about(part: Part, f: sympy.Expr, var: Symbol | None, where: str) -> list[str]:
    s = part.subject
    out = []
    if not same(s.function, f):
        out.append(f"{where}: the part is about {s.function}, not the claim's function {f}")
    if s.var != var:
        out.append(f"{where}: the part's variable is {s.var}, not {var}")
    return out


def _with_interval(domain: Domain, var: Symbol, iv: Interval) -> tuple:
    return tuple((s, iv if s == var else i) for s, i in domain.intervals)


def _no_claim_hypotheses(claim: Claim) -> list[str]:
    out = [f"the claim's domain may not assume {h.expr} {h.rel} 0" for h in claim.domain.hypotheses]
    # The variable in the id is the claim's own: a proof in p is never filed under z.
    var = claim.subject.var
    if claim.wrt is not None and var is not None and claim.wrt != str(var):
        out.append(f"the id says {claim.wrt!r} but the claim is about {var}")
    for s in (var, *claim.subject.vars):
        if s is not None and s not in claim.domain.box():
            out.append(f"{s} has no interval in the claim's domain")
    if claim.subject.bracket is not None and claim.kind != "min_value":
        out.append(f"a {claim.kind} claim names no bracket (its parts do)")
    return out


def _convexity(claim: Claim) -> list[str]:
    f, var = claim.subject.function, claim.subject.var
    if claim.subject.vars and var is None:
        return _hessian_convexity(claim)
    out = _no_claim_hypotheses(claim)
    smooth = [q for q in claim.parts if q.rule in _SMOOTH[claim.kind]]
    kinks = [q for q in claim.parts if q.rule == "convexAt_kink_of_deriv_le"]
    others = [q for q in claim.parts if q not in smooth and q not in kinks]
    if len(smooth) != 1:
        return out + [f"needs exactly one part by {' or '.join(_SMOOTH[claim.kind])}, has {len(smooth)}"]
    if others:
        out.append(f"parts by {', '.join(q.rule for q in others)} do not belong to a {claim.kind} claim")
    (piece,) = smooth
    out += _about(piece, f, var, piece.rule)
    if piece.case or piece.domain.intervals != claim.domain.intervals:
        out.append(f"{piece.rule}: the part's intervals are not the claim's")
    # Every hole u != 0 leaves out one point; each is closed by exactly one kink part there.
    holes = [linear_hole(h.expr, var) for h in piece.domain.hypotheses]
    if any(r is None for r in holes):
        out.append(f"{piece.rule}: the domain leaves out more than single points")
        return out
    matched: set[int] = set()  # by position: an exact duplicate of a kink part is a second part
    for r in holes:
        at = [i for i, q in enumerate(kinks) if q.subject.point is not None and same(q.subject.point, r) and i not in matched]
        if not at:
            out.append(f"the hole at {var} = {r} has no kink part")
            continue
        matched.add(at[0])
    for i, q in enumerate(kinks):
        if i not in matched:
            out.append(f"the kink part at {var} = {q.subject.point} closes no hole")
        out += _about(q, f, var, q.rule)
        if q.case or q.domain != claim.domain.without(var):
            out.append(f"{q.rule}: the part's domain is not the claim's without {var}")
    return out


def _hessian_convexity(claim: Claim) -> list[str]:
    out = _no_claim_hypotheses(claim)
    if len(claim.parts) != 1 or claim.parts[0].rule not in _HESSIAN[claim.kind]:
        return out + [f"needs exactly one part by {' or '.join(_HESSIAN[claim.kind])}"]
    (part,) = claim.parts
    if not same(part.subject.function, claim.subject.function) or part.subject.vars != claim.subject.vars:
        out.append("the part is not about the claim's function and logits")
    directions = {Symbol(f"v{i}") for i in range(1, len(claim.subject.vars) + 1)}
    if tuple((s, i) for s, i in part.domain.intervals if s not in directions) != claim.domain.intervals:
        out.append("the part's intervals are not the claim's")
    return out


def _minimiser(claim: Claim) -> list[str]:
    f, var, y = claim.subject.function, claim.subject.var, _target(claim)
    out = _no_claim_hypotheses(claim)
    box = claim.domain.box()
    if var is None or y is None or y not in box or var not in box:
        return out + ["an isMinOn claim names its variable and its target"]
    ys = box[y]
    inner = _with_interval(claim.domain, y, interior(ys))
    main = [q for q in claim.parts if not q.case]
    if len(main) != 1 or main[0].rule not in MIN_RULES:
        return out + ["no minimiser was found for the interior of the target range, so nothing is claimed"]
    (m,) = main
    out += _about(m, f, var, m.rule)
    if m.domain.intervals != inner:
        out.append(f"{m.rule}: the part's intervals are not the claim's with the target's ends left out")
    ends = [e for e, closed in ((ys.start, not ys.left_open), (ys.end, not ys.right_open)) if closed]
    for q in claim.parts:
        if not q.case:
            continue
        if len(q.case) != 1 or q.case[0][0] != y or not any(q.case[0][1] == e for e in ends):
            out.append(f"{q.rule}: the case {q.case} is not an end of the target range")
            continue
        e = q.case[0][1]
        out += _about(q, f.subs(y, e), var, f"{q.rule} for {y} = {e}")
        if q.domain.intervals != claim.domain.without(y).intervals:
            out.append(f"{q.rule} for {y} = {e}: the part's intervals are not the claim's without {y}")
        if q.rule == "tendsto_of_limit":
            iv = box[var]
            if (q.subject.point, q.subject.direction) not in ((iv.start, "+"), (iv.end, "-")):
                out.append(f"tendsto_of_limit for {y} = {e}: the limit is not taken at an end of {var}'s interval")
        elif q.rule not in MIN_RULES + ("not_isMinOn_of_strictMonoOn",):
            out.append(f"{q.rule} does not belong to an isMinOn claim")
    for e in ends:
        if not any(q.case and q.case[0][1] == e and q.rule != "tendsto_of_limit" for q in claim.parts):
            out.append(f"nothing is proved for {y} = {e}")
    return out


def _min_value(claim: Claim) -> list[str]:
    s = claim.subject
    f, var, y = s.function, s.var, _target(claim)
    out = _no_claim_hypotheses(claim)
    if s.bracket is not None:
        return out + _positive_min(claim)
    if var is None or s.point is None or s.value is None or y is None:
        return out + ["a min_value claim names its variable, its target, the minimiser and the value"]
    mins = [q for q in claim.parts if q.rule in MIN_RULES]
    values = [q for q in claim.parts if q.rule == "eq_of_identity"]
    signs = [q for q in claim.parts if q.rule == "sign_of_sign"]
    if len(mins) != 1 or len(values) != 1 or len(signs) > 1 or len(claim.parts) != 2 + len(signs):
        return out + ["needs the minimiser part, the value identity, and at most the value's sign"]
    (m,), (v,) = mins, values
    out += _about(m, f, var, m.rule)
    if m.case or m.domain.intervals != claim.domain.intervals or not same(m.subject.point, s.point):
        out.append(f"{m.rule}: not the claim's minimiser on the claim's domain")
    rest = claim.domain.without(var)
    if v.domain != rest or not same(v.subject.function, f.subs(var, s.point)) or not same(v.subject.value, s.value):
        out.append("the value identity is not 'the function at the minimiser = the value' on the target range")
    for q in signs:
        if q.domain != rest or not same(q.subject.function, s.value) or q.subject.rel != ">":
            out.append("the sign part is not 'the value > 0' on the target range")
    return out


def _positive_min(claim: Claim) -> list[str]:
    # No closed form: the minimum is attained at exactly one point of the bracket (the
    # minimiser part), and it is > 0 because the function is > 0 on the whole domain.
    s = claim.subject
    if s.rel != ">" or len(claim.parts) != 2:
        return ["without a closed form, needs the bracketed minimiser and 'the function > 0', and claims the minimum > 0"]
    if s.var is None or _target(claim) is None or s.point is not None or s.value is not None or s.direction is not None:
        # A bracket claims no minimiser and no value: a point or value here would be shown
        # as proved (a minimum value claim is read by its value) though nothing checks it.
        return ["a min_value claim with a bracket names its variable and its target, and no minimiser, value or direction"]
    m, sign = claim.parts
    out = []
    if m.rule != "isMinOn_of_deriv_sign_change_in_bracket" or m.case or m.domain != claim.domain or m.subject.bracket != s.bracket:
        out.append("the first part is not the bracketed minimiser on the claim's domain")
    out += _about(m, s.function, s.var, m.rule)
    if sign.rule != "sign_of_sign" or sign.domain != claim.domain or not same(sign.subject.function, s.function) or sign.subject.rel != ">":
        out.append("the second part is not 'the function > 0' on the claim's domain")
    return out


def _saturation(claim: Claim) -> list[str]:
    f, var, y = claim.subject.function, claim.subject.var, _target(claim)
    out = _no_claim_hypotheses(claim)
    if var is None or y is None:
        return out + ["names its variable and its target"]
    wanted = {(sympy.Integer(1), -sympy.oo, "+"), (sympy.Integer(0), sympy.oo, "-")}
    got = set()
    for q in claim.parts:
        if q.rule != "tendsto_deriv_of_limit" or len(q.case) != 1 or q.case[0][0] != y:
            out.append(f"{q.rule}: not a limit of the derivative for a fixed target")
            continue
        e = q.case[0][1]
        got.add((e, q.subject.point, q.subject.direction))
        out += _about(q, f.subs(y, e), var, f"{q.rule} for {y} = {e}")
        if q.domain != claim.domain.without(y):
            out.append(f"{q.rule}: the part's domain is not the claim's without {y}")
    if got != wanted or len(claim.parts) != 2:
        out.append("needs the limits for y = 1 as z -> -oo and for y = 0 as z -> +oo, once each")
    return out


def _sub_entropy(claim: Claim) -> list[str]:
    f, var, y = claim.subject.function, claim.subject.var, _target(claim)
    out = _no_claim_hypotheses(claim)
    if var is None or y is None or len(claim.parts) != 1 or claim.parts[0].rule != "eq_of_identity":
        return out + ["needs one identity part"]
    (q,) = claim.parts
    if q.domain != claim.domain or not same(q.subject.function, f - binary_entropy(y)) or not same(q.subject.value, kl_bernoulli(y, var)):
        out.append("the identity is not L(y, p) - H(y) = KL(Bern(y) || Bern(p)) on the claim's domain")
    return out


def _kl_nonneg(claim: Claim) -> list[str]:
    var, y = claim.subject.var, _target(claim)
    out = _no_claim_hypotheses(claim)
    if var is None or y is None or not same(claim.subject.function, kl_bernoulli(y, var)):
        return out + ["the claim is not about KL(Bern(y) || Bern(p))"]
    kl = claim.subject.function
    ne = Domain(claim.domain.intervals, (Assumption(var - y, "!="),))
    wanted = [
        ("sign_of_sign", kl, ">=", claim.domain),
        ("sign_of_sign", kl, ">", ne),
        ("eq_of_identity", kl.subs(var, y), None, claim.domain.without(var)),
    ]
    if len(claim.parts) != 3:
        return out + ["needs KL >= 0, KL > 0 where p != y, and KL = 0 at p = y"]
    for q, (rule, fn, rel, dom) in zip(claim.parts, wanted):
        if q.rule != rule or not same(q.subject.function, fn) or q.domain != dom or (rel and q.subject.rel != rel):
            out.append(f"{q.rule}: not the part the claim needs ({rule} on its domain)")
        if rule == "eq_of_identity" and q.subject.value != 0:
            out.append("the equality part is not KL = 0")
    return out


def _gradient(claim: Claim) -> list[str]:
    f, zs = claim.subject.function, claim.subject.vars
    out = _no_claim_hypotheses(claim)
    if len(claim.parts) != len(zs) or not zs:
        return out + ["needs one identity per logit"]
    for q, zk in zip(claim.parts, zs):
        if q.rule != "eq_of_identity" or q.domain != claim.domain or not same(q.subject.function, sympy.diff(f, zk)):
            out.append(f"the part for {zk} is not 'dL/d{zk} = ...' on the claim's domain")
    return out


def _lemma(claim: Claim) -> list[str]:
    from .lemmas import lemma_claims  # the kernel's own statement of each lemma

    own = next((c for c in lemma_claims() if c.kind == claim.kind), None)
    return [] if own == claim else ["not the kernel's statement and proof of this lemma"]


#: Every kind of claim, by name.
KINDS: Mapping[str, Kind] = {
    k.name: k
    for k in (
        Kind("strictConvexOn", "strictConvexOn_{name}_{wrt}", _convexity),
        Kind("convexOn", "convexOn_{name}_{wrt}", _convexity),
        Kind("isMinOn", "isMinOn_{name}_{wrt}", _minimiser),
        Kind("min_value", "min_value_{name}", _min_value),
        Kind("tendsto_deriv_of_confidently_wrong", "tendsto_deriv_{name}_{wrt}_of_confidently_wrong", _saturation),
        Kind("sub_entropy_eq_kl", "{name}_sub_entropy_eq_kl", _sub_entropy),
        Kind("kl_bernoulli_nonneg", "kl_bernoulli_nonneg", _kl_nonneg),
        Kind("gradient", "gradient_{name}_{wrt}", _gradient),
        Kind("log_le_sub_one_of_pos", "log_le_sub_one_of_pos", _lemma),
        Kind("log_lt_sub_one_of_pos_of_ne_one", "log_lt_sub_one_of_pos_of_ne_one", _lemma),
        Kind("log_neg", "log_neg", _lemma),
    )
}
