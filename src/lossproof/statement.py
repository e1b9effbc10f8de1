r"""What a claim says, in words: generated from its typed structure, one format at a time.

A claim's statement is never stored as prose. It is written here from the claim's
kind, subject and domain, and from its parts' rules, subjects, cases and domains,
which are exactly what the kernel checked; ``lossproof check`` regenerates it from a
certificate and compares it with the text in the file. One printer per format
(``text``, ``latex``, ``markdown``) supplies the notation; the sentences are shared.

>>> from lossproof.losses import get_loss
>>> from lossproof.claims import build_claim
>>> claim_statement(build_claim(get_loss("bce"), "strictConvexOn_bce_p"))
'BCE(y, p) = -y*log(p) - (1 - y)*log(1 - p) is strictly convex in p on (0, 1), for y in [0, 1].'
>>> part_case(build_claim(get_loss("bce"), "isMinOn_bce_p").parts[1])
'y = 0'
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import Interval, Symbol

from .kernel import Claim, Domain, Limit, Part, Sign
from .notation import interval_text, to_latex, to_text
from .sigmoid import sigmoid

__all__ = ["claim_statement", "part_statement", "part_case", "domain_words", "FORMATS"]

#: The formats a statement is written in.
FORMATS = ("text", "latex", "markdown")


class _Printer:
    """Plain text (ASCII, the form certificates store)."""

    def m(self, e: sympy.Expr) -> str:
        return to_text(e)

    def rel(self, rel: str) -> str:
        return rel

    def elem(self) -> str:
        return "in"

    def reals(self) -> str:
        return "R"

    def to(self) -> str:
        return "->"

    def math(self, s: str) -> str:
        return s

    def inf(self, e: sympy.Expr) -> str:
        return {sympy.oo: "oo", -sympy.oo: "-oo"}.get(e, self.m(e))

    def op(self, name: str, *args: str) -> str:
        return f"{name}({', '.join(args)})"

    def deriv(self, name: str, var: Symbol) -> str:
        return f"d{name}/d{var}"

    def kl(self, a: object, b: object) -> str:
        return f"KL(Bern({a}) || Bern({b}))"


class _Latex(_Printer):
    def m(self, e: sympy.Expr) -> str:
        return to_latex(e)

    def rel(self, rel: str) -> str:
        return {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq", "!=": r"\neq", "==": "="}[rel]

    def elem(self) -> str:
        return r"\in"

    def reals(self) -> str:
        return r"\mathbb{R}"

    def to(self) -> str:
        return r"\to"

    def math(self, s: str) -> str:
        return f"${s}$"

    def inf(self, e: sympy.Expr) -> str:
        return {sympy.oo: r"\infty", -sympy.oo: r"-\infty"}.get(e, self.m(e))

    def op(self, name: str, *args: str) -> str:
        shown = name if len(name) == 1 else rf"\operatorname{{{name}}}"
        return rf"{shown}({', '.join(args)})"

    def deriv(self, name: str, var: Symbol) -> str:
        shown = name if len(name) == 1 else rf"\operatorname{{{name}}}"
        return rf"\partial {shown}/\partial {var}"

    def kl(self, a: object, b: object) -> str:
        return rf"$\mathrm{{KL}}(\mathrm{{Bern}}({a}) \,\|\, \mathrm{{Bern}}({b}))$"


_PRINTERS: dict[str, _Printer] = {"text": _Printer(), "latex": _Latex(), "markdown": _Latex()}


def _printer(fmt: str) -> _Printer:
    if fmt not in _PRINTERS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return _PRINTERS[fmt]


def _interval(iv: Interval, pr: _Printer) -> str:
    return interval_text(iv, "latex" if isinstance(pr, _Latex) else "text")


def domain_words(domain: Domain, fmt: str = "text") -> str:
    """The domain as it is checked: every interval and hypothesis, e.g. ``y in [0, 1], p in (0, 1)``."""
    pr = _printer(fmt)
    items = [pr.math(f"{s} {pr.elem()} {_interval(iv, pr)}") for s, iv in domain.intervals]
    items += [pr.math(f"{pr.m(h.expr)} {pr.rel(h.rel)} 0") for h in domain.hypotheses]
    return ", ".join(items) if items else "everywhere"


def _others(domain: Domain, var: Symbol | None, pr: _Printer) -> str:
    rest = Domain(tuple((s, i) for s, i in domain.intervals if s != var), domain.hypotheses)
    return "" if not rest.intervals and not rest.hypotheses else f", for {domain_words(rest, _fmt(pr))}"


def _fmt(pr: _Printer) -> str:
    return next(k for k, v in _PRINTERS.items() if v is pr)


def _name(claim: Claim, pr: _Printer, var: Symbol | None = None) -> str:
    """The loss named and written out: ``BCE(y, p) = -y*log(p) - ...``.

    The function itself is printed, so a statement says what was proved whatever the
    name: the name and the operator are labels, the function is the claim.
    """
    v = var if var is not None else claim.subject.var
    if v is None:
        return pr.op(claim.operator, "y")
    target = claim.subject.vars[0] if claim.subject.vars else Symbol("y")
    shown = pr.m(sigmoid(v)) if claim.wrt == "z" else str(v)
    return f"{pr.op(claim.operator, str(target), shown)} = {pr.m(claim.subject.function)}"


def part_case(part: Part, fmt: str = "text") -> str:
    """The case a part is about, e.g. ``y = 0``; empty for the general case."""
    pr = _printer(fmt)
    return ", ".join(pr.math(f"{s} = {pr.m(v)}") for s, v in part.case)


def _fn(part: Part, pr: _Printer) -> str:
    return pr.math(pr.m(part.subject.function))


def _part_body(part: Part, pr: _Printer) -> str:
    s = part.subject
    var = s.var
    iv = part.domain.box().get(var) if var is not None else None
    on = f" on {pr.math(_interval(iv, pr))}" if iv is not None else ""
    rule = part.rule
    if rule in ("strictConvexOn_of_deriv2_pos", "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite"):
        return f"{_fn(part, pr)} is strictly convex in {pr.math(str(var))}{on}{_others(part.domain, var, pr)}"
    if rule == "convexOn_of_deriv2_nonneg":
        return f"{_fn(part, pr)} is convex in {pr.math(str(var))}{on}{_others(part.domain, var, pr)}"
    if rule in ("isMinOn_of_deriv_eq_zero_of_strictConvexOn", "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt"):
        point = pr.math(f"{var} = {pr.m(s.point)}")
        within = f" in {pr.math(_interval(iv, pr))}" if iv is not None else ""
        return f"{point} is the unique minimiser of {_fn(part, pr)} over {pr.math(str(var))}{within}{_others(part.domain, var, pr)}"
    if rule == "isMinOn_of_deriv_sign_change_in_bracket" and s.bracket is not None:
        within = f" over {pr.math(str(var))} in {pr.math(_interval(iv, pr))}" if iv is not None else ""
        ends = pr.math(f"({pr.m(s.bracket[0])}, {pr.m(s.bracket[1])})")
        return f"{_fn(part, pr)} has exactly one minimiser{within}, with no closed form: it lies in {ends}{_others(part.domain, var, pr)}"
    if rule in ("not_isMinOn_of_strictMonoOn", "strictMonoOn_of_deriv_pos"):
        sign = part.steps[1] if len(part.steps) > 1 else None
        way = "increasing" if isinstance(sign, Sign) and sign.rel == ">" else "decreasing"
        tail = ", so it has no minimiser there" if rule.startswith("not_") else ""
        return f"{_fn(part, pr)} is strictly {way} in {pr.math(str(var))}{on}{tail}{_others(part.domain, var, pr)}"
    if rule == "convexAt_kink_of_deriv_le":
        limits = [st.value for st in part.steps if isinstance(st, Limit)]
        slopes = " and ".join(pr.math(pr.m(v)) for v in limits)
        return f"at its kink {pr.math(f'{var} = {pr.m(s.point)}')} the slope of {_fn(part, pr)} does not fall (one-sided derivatives {slopes}){_others(part.domain, var, pr)}"
    if rule in ("convexOn_of_hessian_form_nonneg", "strictConvexOn_of_hessian_form_pos"):
        zs = ", ".join(map(str, s.vars))
        word = "positive for every direction v != 0" if rule.startswith("strict") else "non-negative for every direction v"
        return f"the Hessian of {_fn(part, pr)} in ({zs}) has a quadratic form {word}"
    if rule == "eq_of_identity":
        where = "" if not part.domain.intervals else f" for {domain_words(part.domain, _fmt(pr))}"
        return f"{pr.math(f'{pr.m(s.function)} = {pr.m(s.value)}')}{where}"
    if rule == "sign_of_sign":
        relation = pr.rel(s.rel or "==")
        return f"{pr.math(f'{pr.m(s.function)} {relation} 0')} for {domain_words(part.domain, _fmt(pr))}"
    if rule in ("tendsto_of_limit", "tendsto_deriv_of_limit"):
        side = "" if s.point is None or s.point.is_infinite else s.direction or ""
        what = pr.deriv("L", var) if rule == "tendsto_deriv_of_limit" else pr.m(s.function)
        return f"{pr.math(f'{what} {pr.to()} {pr.m(s.value)}')} as {pr.math(f'{var} {pr.to()} {pr.inf(s.point)}{side}')}"
    return f"{rule} of {_fn(part, pr)}"


def part_statement(part: Part, fmt: str = "text") -> str:
    """One part's conclusion in words, with its case first (``for y = 0, ...``)."""
    pr = _printer(fmt)
    body = _part_body(part, pr)
    case = part_case(part, fmt)
    return f"for {case}, {body}" if case else body


def _claim_convexity(claim: Claim, pr: _Printer) -> str:
    word = "strictly convex" if claim.kind == "strictConvexOn" else "convex"
    s = claim.subject
    if s.var is None:
        zs = ", ".join(map(str, s.vars))
        return f"{pr.op(claim.operator, 'y', 'z')} is {word} in the logits ({zs}){_others(claim.domain, None, pr).replace(', for', ', for', 1)}."
    iv = claim.domain.box()[s.var]
    return f"{pr.math(_name(claim, pr))} is {word} in {pr.math(str(s.var))} on {pr.math(_interval(iv, pr))}{_others(claim.domain, s.var, pr)}."


def _claim_min(claim: Claim, pr: _Printer) -> str:
    s = claim.subject
    iv = claim.domain.box()[s.var]
    head = f"The minimiser of {pr.math(_name(claim, pr))} over {pr.math(str(s.var))} in {pr.math(_interval(iv, pr))}"
    if not claim.parts:
        return head + ": no closed form was found, so nothing is claimed."
    return head + ": " + "; ".join(part_statement(q, _fmt(pr)) for q in claim.parts) + "."


def _claim_min_value(claim: Claim, pr: _Printer) -> str:
    s = claim.subject
    if s.point is None and s.value is None and s.bracket is not None and s.rel == ">":
        iv = claim.domain.box()[s.var]
        return (
            f"The minimum of {pr.math(_name(claim, pr))} over {pr.math(str(s.var))} in {pr.math(_interval(iv, pr))} has no closed form: "
            f"it is attained at exactly one {pr.math(str(s.var))} in {pr.math(f'({pr.m(s.bracket[0])}, {pr.m(s.bracket[1])})')}, "
            f"and it is {pr.math(pr.rel('>') + ' 0')}: the minimum is not 0{_others(claim.domain, s.var, pr)}."
        )
    if s.point is None or s.value is None:
        return f"The minimum value of {pr.math(_name(claim, pr))}: no closed-form minimiser was found, so nothing is claimed."
    iv = claim.domain.box()[s.var]
    positive = any(q.rule == "sign_of_sign" for q in claim.parts)
    tail = f", which is {pr.math(pr.rel('>') + ' 0')}: the minimum is not 0" if positive else ""
    return (
        f"The minimum of {pr.math(_name(claim, pr))} over {pr.math(str(s.var))} in {pr.math(_interval(iv, pr))} is "
        f"{pr.math(pr.m(s.value))}, attained at {pr.math(f'{s.var} = {pr.m(s.point)}')}{tail}{_others(claim.domain, s.var, pr)}."
    )


def _claim_saturation(claim: Claim, pr: _Printer) -> str:
    items = [part_statement(q, _fmt(pr)) for q in claim.parts]
    grad = pr.math(pr.deriv(claim.operator, claim.subject.var))
    return f"When the prediction is confidently wrong, the gradient {grad} of {pr.math(_name(claim, pr))}: " + "; ".join(items) + " (a limit of 0 means it saturates)."


def _claim_kl(claim: Claim, pr: _Printer) -> str:
    s = claim.subject
    y, v = s.vars[0], s.var
    kl = pr.math(pr.m(s.function))
    return (
        f"{pr.kl(y, v)} = {kl} is {pr.math(pr.rel('>=') + ' 0')} for {domain_words(claim.domain, _fmt(pr))}, "
        f"and 0 exactly where {pr.math(f'{v} = {y}')} (Gibbs' inequality)."
    )


def _claim_sub_entropy(claim: Claim, pr: _Printer) -> str:
    s = claim.subject
    y, v = s.vars[0], s.var
    return f"{pr.math(_name(claim, pr))}, and {pr.math(pr.op(claim.operator, str(y), str(v)) + f' - H({y})')} = {pr.kl(y, v)} for {domain_words(claim.domain, _fmt(pr))}."


def _claim_gradient(claim: Claim, pr: _Printer) -> str:
    items = [part_statement(q, _fmt(pr)) for q in claim.parts]
    return f"The gradient of {pr.op(claim.operator, 'y', 'z')} in the logits: " + "; ".join(items) + "."


_LEMMAS = {
    "log_le_sub_one_of_pos": ("log(t) <= t - 1 for t > 0", r"\log t \leq t - 1 \text{ for } t > 0"),
    "log_lt_sub_one_of_pos_of_ne_one": ("log(t) < t - 1 for t > 0, t != 1", r"\log t < t - 1 \text{ for } t > 0, t \neq 1"),
    "log_neg": ("log(t) < 0 for 0 < t < 1", r"\log t < 0 \text{ for } 0 < t < 1"),
}

_CLAIMS: dict[str, Callable[[Claim, _Printer], str]] = {
    "strictConvexOn": _claim_convexity,
    "convexOn": _claim_convexity,
    "isMinOn": _claim_min,
    "min_value": _claim_min_value,
    "tendsto_deriv_of_confidently_wrong": _claim_saturation,
    "kl_bernoulli_nonneg": _claim_kl,
    "sub_entropy_eq_kl": _claim_sub_entropy,
    "gradient": _claim_gradient,
}


def claim_statement(claim: Claim, fmt: str = "text") -> str:
    """What the claim says, generated from its structure (see the module doc)."""
    pr = _printer(fmt)
    if claim.kind in _LEMMAS:
        text, tex = _LEMMAS[claim.kind]
        return text + "." if fmt == "text" else f"${tex}$."
    write = _CLAIMS.get(claim.kind)
    if write is None:
        return f"{claim.kind} (a kind of claim lossproof does not know)"
    return write(claim, pr)
