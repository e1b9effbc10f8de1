r"""The standard claims about a loss, built from its definition and derivatives.

Nothing here knows which loss it is given: the minimiser is what SymPy solves
the gradient's numerator for, the behaviour at the ends of the target range is
read off the gradient's sign there, the minimum value is the loss at the
minimiser. Whether each claim then holds is for :func:`lossproof.kernel.check_claim`
to find out. Claim ids follow Lean Mathlib: ``strictConvexOn_bce_p``,
``isMinOn_bce_p``, ``min_value_bce``.

>>> from lossproof.losses import get_loss
>>> [c.id for c in standard_claims(get_loss("bce"))][:3]
['strictConvexOn_bce_p', 'strictConvexOn_bce_z', 'isMinOn_bce_p']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import mpmath
import sympy
from sympy import Dummy, Interval, Symbol, log, oo

from .derive import canonical_form, derive
from .errors import InputError
from .forked import Forked
from .settings import current, on_change
from .timeout import ResourceLimitExceeded, time_limit
from .identity import check_identity, mp_compiled, sample_points
from .kernel import (
    Claim,
    ClaimResult,
    Derivative,
    Domain,
    Assumption,
    Identity,
    LemmaUse,
    Limit,
    Part,
    Roots,
    Sign,
    Subject,
    binary_entropy,
    check_claim,
    check_step,
    kinks,
    kl_bernoulli,
    real_roots,
    root_inside,
    sigmoid_value,
    smooth_diff,
    sympy_limit,
)
from .kernel.kinds import KINDS
from .kernel.rules import linear_hole
from .losses import Loss, p, y
from .sigmoid import sigmoid

__all__ = [
    "standard_claims",
    "claims_for",
    "claim_ids",
    "build_claim",
    "prove",
    "binary_entropy",
    "kl_bernoulli",
    "EXTRA_CLAIMS",
]


def _interior(iv: Interval) -> Interval:
    return Interval.open(iv.start, iv.end)


def _intervals(loss: Loss, **replace: Interval) -> tuple[tuple[Symbol, Interval], ...]:
    return tuple((s, replace.get(str(s), iv)) for s, iv in loss.domain)


def _z_intervals(loss: Loss, **replace: Interval) -> tuple[tuple[Symbol, Interval], ...]:
    return tuple((s, replace.get(str(s), iv)) for s, iv in loss.linked_domain().items())


def _in_var(loss: Loss, wrt: str) -> tuple[sympy.Expr, Symbol, tuple[Assumption, ...]]:
    """The loss as a function of p or of the logit z, and where the loss as typed is defined."""
    form = loss.in_var(wrt)
    return form.function, form.var, form.conditions


def _claim_domain(loss: Loss, wrt: str, **replace: Interval) -> Domain:
    return Domain(_intervals(loss, **replace) if wrt == "p" else _z_intervals(loss, **replace))


def _holes(f: sympy.Expr, var: Symbol) -> tuple[Assumption, ...]:
    # A loss with |u| is differentiable only where u != 0: the smooth parts leave those
    # points out, and a kink part closes each hole.
    return tuple(Assumption(u, "!=") for u in kinks(f) if u.has(var))


def _with_holes(dom: Domain, f: sympy.Expr, var: Symbol) -> Domain:
    return Domain(dom.intervals, _holes(f, var))


def _kink_parts(loss: Loss, wrt: str, f: sympy.Expr, var: Symbol, dom: Domain) -> list[Part]:
    """At each kink u = 0 (solved for the variable), the derivative may only jump up."""
    parts = []
    d1 = derive(loss, wrt, 1).canonical
    t = Symbol("t")
    rest = dom.without(var)
    for u in kinks(f):
        point = linear_hole(u, var)
        if point is None:
            continue
        shifted = d1.subs(var, point + t)
        left = sympy_limit(shifted, t, sympy.Integer(0), "-")
        right = sympy_limit(shifted, t, sympy.Integer(0), "+")
        near = Domain(((t, Interval.open(-1, 1)),) + rest.intervals)
        parts.append(
            Part(
                "convexAt_kink_of_deriv_le",
                Subject(f, var, point=point),
                rest,
                (
                    Limit(shifted, t, sympy.Integer(0), "-", left, near, rule="left derivative"),
                    Limit(shifted, t, sympy.Integer(0), "+", right, near, rule="right derivative"),
                    Sign(right - left, ">=", rest, rule="right minus left derivative"),
                ),
            )
        )
    return parts


def _convexity(loss: Loss, wrt: str, strict: bool = True) -> Claim:
    f, var, conds = _in_var(loss, wrt)
    dom = _claim_domain(loss, wrt)
    d2 = derive(loss, wrt, 2).canonical
    piece_dom = _with_holes(dom, f, var)
    derivative = Derivative(f, var, 2, d2, piece_dom)
    positive = Sign(d2, ">", piece_dom, rule="second derivative > 0")
    if strict or check_step(positive).status == "proved":
        part = Part("strictConvexOn_of_deriv2_pos", Subject(f, var), piece_dom, (derivative, positive))
        if strict and check_step(positive).status != "proved":
            part = _off_finite(f, var, d2, piece_dom, derivative) or part
    else:
        part = Part("convexOn_of_deriv2_nonneg", Subject(f, var), piece_dom, (derivative, Sign(d2, ">=", piece_dom, rule="second derivative >= 0")))
    kink_parts = tuple(_kink_parts(loss, wrt, f, var, dom)) if piece_dom.hypotheses else ()
    return Claim("strictConvexOn" if strict else "convexOn", loss.name, wrt, Subject(f, var), dom, (part,) + kink_parts, loss.operator, conds)


def _off_finite(f: sympy.Expr, var: Symbol, d2: sympy.Expr, dom: Domain, derivative: Derivative) -> Part | None:
    """Strict convexity where the second derivative is >= 0 and vanishes at finitely many points."""
    nonneg = Sign(d2, ">=", dom, rule="second derivative >= 0")
    if check_step(nonneg).status != "proved":
        return None
    num = sympy.fraction(sympy.cancel(sympy.together(d2)))[0]
    roots = real_roots(num, var)
    if not roots:
        return None
    off = Domain(dom.intervals, dom.hypotheses + tuple(Assumption(var - r, "!=") for r in roots))
    return Part(
        "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite",
        Subject(f, var),
        dom,
        (derivative, nonneg, Sign(d2, ">", off, rule="second derivative > 0 off its zeros")),
    )


def _stationary(loss: Loss, wrt: str) -> tuple[sympy.Expr, Symbol, sympy.Expr, list[sympy.Expr]]:
    d1 = derive(loss, wrt, 1).canonical
    f, var, _ = _in_var(loss, wrt)
    inner = _claim_domain(loss, wrt, y=_interior(loss.domain_map[y]))
    return f, var, d1, _roots_inside(d1, var, wrt, inner, loss.domain_map[p])


def _roots_inside(d1: sympy.Expr, var: Symbol, wrt: str, dom: Domain, iv: Interval) -> list[sympy.Expr]:
    """Roots of the gradient's numerator inside the domain; in z, solved in s = sigmoid(z)
    (a bijection onto (0, 1)) and mapped back to the logit log(s / (1 - s)).

    Which roots lie inside is guessed at sample points here (this builds a claim; it
    proves nothing): the kernel proves the root inside the interval, or the claim fails.
    """
    if wrt == "p":
        num = sympy.fraction(sympy.cancel(sympy.together(d1)))[0]
        return [r for r in _closed_roots(num, var) if root_inside(r, iv, dom, seed=11)]
    s = Symbol("s")
    num = sympy.fraction(sympy.cancel(sympy.together(d1.xreplace({sigmoid(var): s}))))[0]
    return [log(r / (1 - r)) for r in _closed_roots(num, s) if root_inside(r, Interval.open(0, 1), dom, seed=11)]


def _closed_roots(num: sympy.Expr, var: Symbol) -> list[sympy.Expr]:
    """The closed-form roots of ``num`` that a claim can name, factor by factor.

    A factor in which ``var`` enters both inside a log or exp and outside it (focal's
    2 p log p + p - 1) has no closed-form root that :func:`real_roots` would keep (at
    best a LambertW), and SymPy's solve spends most of a second finding that out: such
    a factor is passed over, and the minimiser is then bracketed. The kernel proves
    whatever is claimed, and solves for itself.
    """
    try:
        _, factors = sympy.factor_list(num)
    except (sympy.PolynomialError, NotImplementedError, TypeError, ValueError):
        return real_roots(num, var)
    roots: list[sympy.Expr] = []
    for factor, _ in factors:
        if factor.has(var) and not _mixed(factor, var):
            roots += [r for r in real_roots(factor, var) if r not in roots]
    return roots


def _mixed(factor: sympy.Expr, var: Symbol) -> bool:
    atoms = [a for a in factor.atoms(log, sympy.exp) if a.has(var)]
    return bool(atoms) and factor.xreplace({a: Dummy() for a in atoms}).has(var)


def _minimiser_part(f: sympy.Expr, var: Symbol, d1: sympy.Expr, d2: sympy.Expr, r: sympy.Expr, dom: Domain, wrt: str, case: tuple = ()) -> Part:
    """var = r is the unique minimiser: by strict convexity where the second
    derivative is proved positive, else by the gradient's sign on each side of r."""
    holes = _with_holes(dom, f, var)
    roots = Roots(d1, var, (r,), dom, rule="numerator of the gradient vanishes")
    convex = Sign(d2, ">", dom, rule="second derivative positive")
    if not holes.hypotheses and check_step(convex).status == "proved" and check_step(roots).status == "proved":
        return Part(
            "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
            Subject(f, var, point=r),
            dom,
            (
                Derivative(f, var, 1, d1, dom),
                Roots(d1, var, (r,), dom, rule="numerator of the gradient vanishes"),
                Derivative(f, var, 2, d2, dom),
                Sign(d2, ">", dom, rule="second derivative positive"),
            ),
            case,
        )
    t, t0 = (var, r) if wrt == "p" else (sigmoid(var), sigmoid_value(r))
    below = Domain(holes.intervals, holes.hypotheses + (Assumption(t - t0, "<"),))
    above = Domain(holes.intervals, holes.hypotheses + (Assumption(t - t0, ">"),))
    return Part(
        "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt",
        Subject(f, var, point=r),
        holes,
        (
            Derivative(f, var, 1, d1, holes),
            Sign(d1, "<", below, rule="gradient < 0 before the point"),
            Sign(d1, ">", above, rule="gradient > 0 after the point"),
        ),
        case,
    )


#: Brackets tried for a minimiser without a closed form, in p: (t y, t y + 1 - t) for
#: each t. Which one fits is read off sample targets here; the kernel proves it.
BRACKET_WEIGHTS = (sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(1, 8))
#: Width of the bracket put around a root found numerically (one target value): short
#: decimals, read at a glance.
_BRACKET_WIDTH = sympy.Rational(1, 1000)


def _family() -> list[tuple[sympy.Expr, sympy.Expr]]:
    return [(t * y, t * y + 1 - t) for t in BRACKET_WEIGHTS]


def gradient_root(gp: sympy.Expr) -> mpmath.mpf | None:
    """The one sign change from - to + of a gradient in p alone on (0, 1), to 35 digits.

    Found on a grid of 255 points and refined by bisection at 40 digits; None where there
    is not exactly one, or where the gradient cannot be evaluated. This only says where to
    look: the kernel proves any bracket built from it.
    """
    if gp.free_symbols != {p}:
        return None
    fn = mp_compiled(gp, (p,))
    if fn is None:
        return None  # not compiled (a node mpmath has no function for): no guess
    try:
        with mpmath.workdps(40):
            grid = [mpmath.mpf(k) / 256 for k in range(1, 256)]
            values = [fn(t) for t in grid]
            changes = [i for i in range(len(grid) - 1) if values[i] < 0 < values[i + 1]]
            if len(changes) != 1:
                return None
            i = changes[0]
            return mpmath.findroot(fn, (grid[i], grid[i + 1]), solver="bisect", tol=mpmath.mpf(10) ** -35)
    except (ValueError, ZeroDivisionError, TypeError, ArithmeticError):
        return None


def _around_root(gp: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """For a gradient in p alone: a rational bracket of width 1/1000 around its root."""
    root = gradient_root(gp)
    if root is None:
        return []
    low = sympy.Rational(int(mpmath.floor(root / _BRACKET_WIDTH)), 1) * _BRACKET_WIDTH
    return [(low, low + _BRACKET_WIDTH)]


def _bracket_part(
    loss: Loss,
    wrt: str,
    f: sympy.Expr,
    var: Symbol,
    d1: sympy.Expr,
    dom: Domain,
    case: tuple = (),
    candidates: Sequence[tuple[sympy.Expr, sympy.Expr]] | None = None,
) -> Part | None:
    """The unique minimiser lies in a bracket (a, b), when the gradient has no closed-form root.

    In p the gradient is increasing (its derivative is the second derivative); in z it
    is sigmoid'(z) > 0 times the p-gradient at sigmoid(z), which increases with z. The
    gradient's sign at the bracket's ends is taken in its simplified form, linked to the
    plain substitution by an identity step. For a fixed target (``case``) the bracket is
    put around the root found numerically; the kernel proves it all the same.
    """
    box = dom.box()
    if box.get(var) is None or loss.domain_map.get(p) != Interval.open(0, 1):
        return None
    if wrt != "p" and (loss.link is None or loss.link.expr != sigmoid(var)):
        return None  # the factor sigmoid'(z) below is this link's own
    ydom = dom.without(var)
    samples = sample_points(ydom.box(), 6, seed=13) if ydom.intervals else [{}]
    if candidates is None:
        # Where the root is, the plain derivative says as well as the canonical one (this
        # only guides the search): at an end of the target range there is mostly none
        # (BCE at y = 0), and then the canonical form in p is not needed in z at all.
        candidates = _around_root(smooth_diff(loss.expr, p, 1).subs(case)) if case else (_family() if y in box else [])
    if not candidates:
        return None
    gp = derive(loss, "p", 1).canonical.subs(case)
    # A bracket whose signs tend to 0 at an end of the target range leaves the interval
    # engine a sign it can only approach: the first with firm signs there is taken, else
    # the first that fits. Candidates are looked at in order, and no further than that.
    chosen = None
    for a, b in candidates:
        ga, gb = (_simplified(gp.subs(p, e)) for e in (a, b))
        if all(sympy.N(ga.xreplace(pt), 30) < 0 < sympy.N(gb.xreplace(pt), 30) for pt in samples):
            if _firm_at_ends(ga, gb, ydom):
                chosen = (a, b, ga, gb)
                break
            chosen = chosen or (a, b, ga, gb)
    for a, b, ga, gb in [chosen] if chosen else []:
        if wrt == "p":
            g, head, ends = d1, (Derivative(f, var, 1, d1, dom),), (a, b)
        else:
            s = sigmoid(var)
            g = gp.subs(p, s)
            head = (
                Derivative(f, var, 1, d1, dom),
                Identity(d1, s * (1 - s) * g, dom, rule="the gradient in z is the sigmoid's slope times the gradient in p"),
                Sign(s * (1 - s), ">", dom, rule="the sigmoid's slope is positive"),
            )
            ends = (_logit(a), _logit(b))
        dg = canonical_form(sympy.diff(g, var), box, var)
        steps = head + (
            Derivative(g, var, 1, dg, dom),
            Sign(dg, ">", dom, rule="the gradient's sign is that of an increasing function"),
            Identity(g.subs(var, ends[0]), ga, ydom, rule="at the left end of the bracket"),
            Sign(ga, "<", ydom, rule="negative at the left end"),
            Identity(g.subs(var, ends[1]), gb, ydom, rule="at the right end of the bracket"),
            Sign(gb, ">", ydom, rule="positive at the right end"),
        )
        return Part("isMinOn_of_deriv_sign_change_in_bracket", Subject(f, var, bracket=ends), dom, steps, case)
    return None


def _firm_at_ends(ga: sympy.Expr, gb: sympy.Expr, ydom: Domain) -> bool:
    """The signs at the bracket's ends stay away from 0 at the target range's ends (limits)."""
    iv = ydom.box().get(y)
    if iv is None:
        return True
    for g in (ga, gb):
        for end, side in ((iv.start, "+"), (iv.end, "-")):
            try:
                value = sympy_limit(g, y, end, side)
            except Exception:  # noqa: BLE001 - a limit SymPy cannot take: not firm
                return False
            if not value.is_number or value == 0 or value.has(sympy.nan):
                return False
    return True


@lru_cache(maxsize=256)  # in p and in z the bracket's ends are the same expressions
def _simplified(e: sympy.Expr) -> sympy.Expr:
    # SymPy's simplify joins the fractions that 0/0 at an end of the target range would
    # otherwise leave to the interval engine; a number is left as it is (simplify on
    # e**(999/1000) terms can take minutes and gains nothing).
    return sympy.simplify(e) if e.free_symbols else e


def _logit(a: sympy.Expr) -> sympy.Expr:
    # logit(t y) = log(y/(1/t - y)) and logit(t y + 1 - t) = log((y + 1/t - 1)/(1 - y)),
    # written so that SymPy prints them plainly; a number is its own logit.
    num, den = sympy.fraction(sympy.cancel(a / (1 - a)))
    if num.is_number and den.is_number:
        return log(num / den)
    sign = -1 if den.subs(y, 0).is_negative else 1  # 2 - y rather than -(y - 2)
    return log(sympy.expand(sign * num) / sympy.expand(sign * den))


def _ends(loss: Loss) -> list[sympy.Expr]:
    iv = loss.domain_map[y]
    return [e for e, is_open in ((iv.start, iv.left_open), (iv.end, iv.right_open)) if not is_open]


def _minimiser(loss: Loss, wrt: str) -> Claim:
    f, var, d1, roots = _stationary(loss, wrt)
    _, _, conds = _in_var(loss, wrt)
    d2 = derive(loss, wrt, 2).canonical
    claim_dom = _claim_domain(loss, wrt)
    inner = _claim_domain(loss, wrt, y=_interior(loss.domain_map[y]))
    parts = []
    if len(roots) == 1:
        parts.append(_minimiser_part(f, var, d1, d2, roots[0], inner, wrt))
    elif not roots and (bracketed := _bracket_part(loss, wrt, f, var, d1, inner)) is not None:
        parts.append(bracketed)
    iv = loss.domain_map[p] if wrt == "p" else loss.linked_domain()[var]
    for end in _ends(loss):
        dom = claim_dom.without(y)
        case = ((y, end),)
        fe, de = f.subs(y, end), canonical_form(d1.subs(y, end), dom.box(), var)
        inside = _roots_inside(de, var, wrt, dom, iv)
        if len(inside) == 1:
            # The minimiser stays inside the domain at this end (label smoothing does that).
            d2e = canonical_form(d2.subs(y, end), dom.box(), var)
            parts.append(_minimiser_part(fe, var, de, d2e, inside[0], dom, wrt, case))
            continue
        if not inside and (bracketed := _bracket_part(loss, wrt, fe, var, de, dom, case)) is not None:
            parts.append(bracketed)
            continue
        # Which way the loss runs, read off the gradient at one interior point; then proved.
        rel = _probe_sign(de, var, wrt, dom)
        if rel is None:
            continue  # the gradient is nowhere finite at the probes: nothing is claimed for this end
        towards = (iv.start, "+") if rel == ">" else (iv.end, "-")
        holes = _with_holes(dom, fe, var)
        parts.append(
            Part(
                "not_isMinOn_of_strictMonoOn",
                Subject(fe, var),
                holes,
                (Derivative(fe, var, 1, de, holes), Sign(de, rel, holes, rule="gradient has a strict sign")),
                case,
            )
        )
        value = sympy_limit(fe, var, towards[0], towards[1])
        if value.is_infinite or not value.is_finite:
            continue  # no finite infimum to approach: the monotonicity says it all
        parts.append(
            Part(
                "tendsto_of_limit",
                Subject(fe, var, point=towards[0], value=value, direction=towards[1]),
                dom,
                (Limit(fe, var, towards[0], towards[1], value, dom),),
                case,
            )
        )
    return Claim("isMinOn", loss.name, wrt, Subject(f, var, vars=(y,)), claim_dom, tuple(parts), loss.operator, conds)


def _probe_sign(de: sympy.Expr, var: Symbol, wrt: str, dom: Domain) -> str | None:
    """Which way the loss runs at an end of the target range, read off the gradient at the
    first probe point where it is a finite real number (the kernel then proves it)."""
    probes = [sympy.Rational(k, 7) for k in (3, 4, 2, 5, 1, 6)] if wrt == "p" else [sympy.Integer(k) for k in (0, 1, -1, 2, -2)]
    for point in probes:
        value = de.subs(var, point)
        if value.free_symbols:  # parameters (w, gamma, ...): read the sign at a sample point
            value = value.xreplace(sample_points(dom.box(), 1, seed=17)[0])
        value = sympy.N(value, 30)
        if value.is_real and value.is_finite and value != 0:
            return ">" if value > 0 else "<"
    return None


def _log_lemmas(expr: sympy.Expr, name: str) -> tuple[LemmaUse, ...]:
    return tuple(LemmaUse(name, a.args[0]) for a in sorted(expr.atoms(log), key=sympy.default_sort_key))


def _min_value(loss: Loss) -> Claim:
    f, var, d1, roots = _stationary(loss, "p")
    _, _, conds = _in_var(loss, "p")
    inner = _claim_domain(loss, "p", y=_interior(loss.domain_map[y]))
    only_y = inner.without(p)
    if len(roots) != 1:
        bracketed = None if roots else _bracket_part(loss, "p", f, var, d1, inner)
        if bracketed is None:
            return Claim("min_value", loss.name, None, Subject(f, p, vars=(y,)), inner, (), loss.operator, conds)
        # No closed form for the value either: what is claimed is where it is attained
        # and that it is positive (the loss is > 0 everywhere, so its minimum is not 0).
        positive = Part("sign_of_sign", Subject(f, rel=">"), inner, (Sign(f, ">", inner, _log_lemmas(f, "log_neg"), rule="the loss is positive"),))
        subject = Subject(f, p, vars=(y,), rel=">", bracket=bracketed.subject.bracket)
        return Claim("min_value", loss.name, None, subject, inner, (bracketed, positive), loss.operator, conds)
    r = roots[0]
    d2 = derive(loss, "p", 2).canonical
    value = f.subs(p, r)
    # Name the value H(y) when it is the binary entropy (the identity step checks it).
    named = binary_entropy(y) if check_identity(value, binary_entropy(y), only_y.box()).holds else value
    parts = [
        _minimiser_part(f, var, d1, d2, r, inner, "p"),
        Part("eq_of_identity", Subject(value, value=named), only_y, (Identity(value, named, only_y, rule="substitute the minimiser"),)),
    ]
    samples = [named.xreplace(pt) for pt in sample_points(only_y.box(), 6, seed=5)]
    if named != 0 and all(v.is_number and sympy.N(v, 30) > 0 for v in samples):
        parts.append(
            Part(
                "sign_of_sign",
                Subject(named, rel=">"),
                only_y,
                (Sign(named, ">", only_y, _log_lemmas(named, "log_neg"), rule="$\\log t < 0$ on $(0, 1)$"),),
            )
        )
    return Claim("min_value", loss.name, None, Subject(f, p, point=r, value=named, vars=(y,)), inner, tuple(parts), loss.operator, conds)


def _saturation(loss: Loss) -> Claim:
    """The logit gradient when the prediction is confidently wrong (Deep Learning Book 6.2.2.2).

    y = 1 with z -> -oo, and y = 0 with z -> +oo: the limit of dL/dz, computed by SymPy
    and confirmed along a sequence by mpmath. A limit of 0 means the gradient vanishes
    exactly where the model is most wrong: the loss saturates.
    """
    f, zv, conds = _in_var(loss, "z")
    d1 = derive(loss, "z", 1).canonical
    dom = _claim_domain(loss, "z")
    rest = dom.without(y)
    parts = []
    for target, point, direction in ((1, -oo, "+"), (0, oo, "-")):
        g = d1.subs(y, target)
        value = sympy_limit(g, zv, point, direction)
        parts.append(
            Part(
                "tendsto_deriv_of_limit",
                Subject(f.subs(y, target), zv, point=point, value=value, direction=direction),
                rest,
                (
                    Derivative(f.subs(y, target), zv, 1, g, rest),
                    Limit(g, zv, point, direction, value, rest, rule="limit of the logit gradient"),
                ),
                ((y, sympy.Integer(target)),),
            )
        )
    return Claim("tendsto_deriv_of_confidently_wrong", loss.name, "z", Subject(f, zv, vars=(y,)), dom, tuple(parts), loss.operator, conds)


def _fallbacks(loss: Loss) -> dict[str, str]:
    """Claims stated only where a standard one is not proved: id -> the id it stands in for."""
    wrts = ("p", "z") if loss.link is not None else ("p",)
    return {f"convexOn_{loss.name}_{w}": f"strictConvexOn_{loss.name}_{w}" for w in wrts}


def _builders(loss: Loss) -> dict[str, Callable[[], Claim]]:
    out: dict[str, Callable[[], Claim]] = {}
    for wrt in ("p", "z") if loss.link is not None else ("p",):
        out[f"strictConvexOn_{loss.name}_{wrt}"] = lambda wrt=wrt: _convexity(loss, wrt)
        # Where strict convexity is not proved, the weaker claim: is it convex at all?
        out[f"convexOn_{loss.name}_{wrt}"] = lambda wrt=wrt: _convexity(loss, wrt, strict=False)
    out[f"isMinOn_{loss.name}_p"] = lambda: _minimiser(loss, "p")
    if loss.link is not None:
        out[f"isMinOn_{loss.name}_z"] = lambda: _minimiser(loss, "z")
    out[f"min_value_{loss.name}"] = lambda: _min_value(loss)
    if loss.link is not None:
        out[f"tendsto_deriv_{loss.name}_z_of_confidently_wrong"] = lambda: _saturation(loss)
    extra = EXTRA_CLAIMS.get(loss.name)
    for claim_id, build in (extra(loss) if extra else {}).items():
        out[claim_id] = build
    return out


def claim_ids(loss: Loss, fallbacks: bool = False) -> list[str]:
    """The ids of the claims about ``loss``, standard ones first.

    With ``fallbacks``, also the claims stated only where a standard one is not proved
    (``convexOn_*`` where ``strictConvexOn_*`` is not); :func:`prove` adds those itself.
    """
    skip = set() if fallbacks else set(_fallbacks(loss))
    return [cid for cid in _builders(loss) if cid not in skip]


def build_claim(loss: Loss, claim_id: str) -> Claim:
    """Build one claim about ``loss`` by id.

    Raises:
        InputError: no claim of that id; the message lists the ids there are.
    """
    builders = _builders(loss)
    if claim_id not in builders:
        raise InputError(f"unknown claim {claim_id!r} for {loss.name}: known claims are {', '.join(builders)}")
    return builders[claim_id]()


def standard_claims(loss: Loss) -> list[Claim]:
    """The claims every loss gets: convexity in p and z, the minimiser in p and z, the minimum value."""
    extra = EXTRA_CLAIMS.get(loss.name)
    own = set(extra(loss)) if extra else set()
    builders = _builders(loss)
    return [builders[cid]() for cid in claim_ids(loss) if cid not in own]


def _bce_kl(loss: Loss) -> dict[str, Callable[[], Claim]]:
    return {f"{loss.name}_sub_entropy_eq_kl": lambda: _kl_claims(loss)[0], "kl_bernoulli_nonneg": lambda: _kl_claims(loss)[1]}


def _kl_claims(loss: Loss) -> list[Claim]:
    inner = _claim_domain(loss, "p", y=Interval.open(0, 1))
    kl = kl_bernoulli(y, p)
    entropy = binary_entropy(y)
    ident = Claim(
        "sub_entropy_eq_kl",
        loss.name,
        None,
        Subject(loss.expr, p, vars=(y,)),
        inner,
        (Part("eq_of_identity", Subject(loss.expr - entropy, value=kl), inner, (Identity(loss.expr - entropy, kl, inner, rule="$\\log a - \\log b = \\log(a/b)$"),)),),
        loss.operator,
    )
    ne = Domain(inner.intervals, (Assumption(p - y, "!="),))
    at_y = inner.without(p)
    nonneg = Claim(
        "kl_bernoulli_nonneg",
        "bernoulli",
        None,
        Subject(kl, p, vars=(y,)),
        inner,
        (
            Part("sign_of_sign", Subject(kl, rel=">="), inner, (Sign(kl, ">=", inner, _log_lemmas(kl, "log_le_sub_one_of_pos"), rule="$\\log t \\leq t - 1$"),)),
            Part("sign_of_sign", Subject(kl, rel=">"), ne, (Sign(kl, ">", ne, _log_lemmas(kl, "log_lt_sub_one_of_pos_of_ne_one"), rule="$\\log t < t - 1$ for $t \\neq 1$"),)),
            Part("eq_of_identity", Subject(kl.subs(p, y), value=sympy.Integer(0)), at_y, (Identity(kl.subs(p, y), sympy.Integer(0), at_y, rule="log 1 = 0"),)),
        ),
        "KL",
    )
    return [ident, nonneg]


#: Claims beyond the standard ones, by loss name: part of a loss's definition.
EXTRA_CLAIMS: Mapping[str, Callable[[Loss], dict[str, Callable[[], Claim]]]] = {"bce": _bce_kl}


def claims_for(loss: Loss) -> list[Claim]:
    """Every claim lossproof makes about ``loss``: the standard ones, then its own (no fallbacks)."""
    builders = _builders(loss)
    return [builders[cid]() for cid in claim_ids(loss)]


#: SymPy and Z3 raise many kinds of error on expressions they cannot handle (KeyError for
#: a complex infinity, TypeError for an undecidable comparison, ...): the claim is then
#: unknown with that reason, never a crash, since a typed-in loss can be anything.
_TOOL_ERRORS = (Exception,)


def _placeholder(loss: Loss, claim_id: str) -> Claim:
    """A claim with no parts and the id ``claim_id``: what is reported when one could not be
    built (its time ran out first). Its subject names the target as the built claims'
    do, since a statement is written from it.

    >>> from lossproof.losses import get_loss
    >>> _placeholder(get_loss("bce"), "bce_sub_entropy_eq_kl").subject.vars
    (y,)
    """
    subject = Subject(loss.expr, p, vars=(y,) if y in loss.domain_map else ())
    for kind in KINDS.values():
        for wrt in ("p", "z", None):
            if kind.id_format.format(name=loss.name, wrt=wrt) == claim_id:
                return Claim(kind.name, loss.name, wrt, subject, Domain(loss.domain), (), loss.operator)
    return Claim(claim_id, loss.name, None, subject, Domain(loss.domain), (), loss.operator)


class _Batch(NamedTuple):
    """The results for one claim id (the claim, then its fallback where it is not proved),
    and whether a time or memory limit cut any of them short: such a result says "unknown"
    for this run's limits only, and is not kept for the next call."""

    results: list[ClaimResult]
    limited: bool


def _build_and_check(job: tuple[Loss, str]) -> _Batch:
    loss, claim_id = job
    # A typed-in loss may make SymPy work forever: its claims run under a time limit.
    limit = current().user_limit_seconds if loss.user_supplied else None
    out = []
    limited = False
    fallback = {v: k for k, v in _fallbacks(loss).items()}.get(claim_id)
    for cid in (claim_id, fallback):
        if cid is None:
            continue
        try:
            with time_limit(limit):
                out.append(check_claim(build_claim(loss, cid)))
        except ResourceLimitExceeded as exc:  # time or memory: the reason names which
            limited = True
            empty = _placeholder(loss, cid)
            out.append(ClaimResult(empty, "unknown", {"sympy": "unknown", "z3": "unknown"}, (), None, (f"unknown ({exc.reason}): {exc}",)))
        except _TOOL_ERRORS as exc:
            empty = _placeholder(loss, cid)
            reason = f"unknown: the claim could not be built: {type(exc).__name__}: {str(exc)[:160]}"
            out.append(ClaimResult(empty, "unknown", {"sympy": "unknown", "z3": "unknown"}, (), None, (reason,)))
        if out[-1].status == "proved":
            break  # the fallback is stated only where the standard claim is not proved
    return _Batch(out, limited)


def prove(loss: Loss, ids: Sequence[str] | None = None, workers: int | None = None) -> list[ClaimResult]:
    """Build and check the claims about ``loss`` (all, or those in ``ids``), in order.

    Claims are independent, so on a machine with several cores they are built and
    checked in forked processes; the results are those of a serial loop. Where
    ``strictConvexOn_*`` is not proved, ``convexOn_*`` follows it in the results.

    Raises:
        InputError: an id names no claim about ``loss``.
    """
    known = claim_ids(loss, fallbacks=True)
    wanted = list(ids) if ids else claim_ids(loss)
    for claim_id in wanted:
        if claim_id not in known:
            raise InputError(f"unknown claim {claim_id!r} for {loss.name}: known claims are {', '.join(known)}")
    # Minimiser claims first: they cite the most steps, so they are the longest jobs,
    # and claims after them in the same process find those step checks cached.
    # Longest first also balances the workers best.
    order = sorted(wanted, key=lambda cid: not cid.startswith("isMinOn_"))
    return list(_prove(loss, tuple(order), tuple(wanted), workers))


def _free_cores(jobs: int) -> int:
    """How many worker processes pay off for a catalog loss: one per core that other
    processes leave idle.

    A catalog loss's claims take well under a second together, and a forked worker
    repeats the warm-up a process does once (its first derivatives, lambdified
    functions, Z3's context), about a quarter of the work for BCE, so a worker gains
    only where it gets a core of its own. Measured on a 2-core machine with a load
    of 4: two workers took 0.75 s of wall time where one process took 0.55 s.

    >>> 1 <= _free_cores(8) <= max(1, os.cpu_count() or 1)
    True
    """
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # no load average on this platform: assume the cores are free
        busy = 0.0
    # The load average counts this process too (and, in a benchmark or a script, the
    # runs just before it): one unit of it is ours.
    return max(1, min(jobs, cores, int(cores - max(0.0, busy - 1) + 0.5)))


def _wrt_of(loss: Loss, claim_id: str) -> str | None:
    """The variable a claim about ``loss`` is stated in (p or z), read off the claim kinds'
    id formats; None for a claim of the loss's own (KL, entropy)."""
    for kind in KINDS.values():
        for wrt in loss.wrts if "{wrt}" in kind.id_format else ():
            if kind.id_format.format(name=loss.name, wrt=wrt) == claim_id:
                return wrt
    return None


def _shares(loss: Loss, order: Sequence[str], count: int) -> list[list[str]]:
    """The claims dealt into ``count`` shares: those in one variable together (share 0
    takes p, the next z), the others each to the share with the fewest claims.

    >>> from lossproof.losses import get_loss
    >>> _shares(get_loss("bce"), claim_ids(get_loss("bce")), 2)  # doctest: +NORMALIZE_WHITESPACE
    [['strictConvexOn_bce_p', 'isMinOn_bce_p', 'min_value_bce', 'bce_sub_entropy_eq_kl'],
     ['strictConvexOn_bce_z', 'isMinOn_bce_z', 'tendsto_deriv_bce_z_of_confidently_wrong', 'kl_bernoulli_nonneg']]
    """
    shares: list[list[str]] = [[] for _ in range(count)]
    free = []
    for cid in order:
        wrt = _wrt_of(loss, cid)
        if wrt is None:
            free.append(cid)
        else:
            shares[loss.wrts.index(wrt) % count].append(cid)
    for cid in free:
        min(shares, key=len).append(cid)
    return [share for share in shares if share] or [[]]


def _build_and_check_all(jobs: Sequence[tuple[Loss, str]]) -> list[_Batch]:
    return [_build_and_check(job) for job in jobs]


class _Proofs:
    """:func:`_prove_now`, memoised: a report, a document and a comparison in one process
    ask for the same proofs. Only results no limit cut short are kept (a deadline's
    "unknown" would otherwise answer the next call, made without one), and all are
    dropped when other settings come into force (on_change below)."""

    #: Calls remembered, the least recently used forgotten first (as lru_cache did).
    SIZE = 64

    def __init__(self) -> None:
        self._kept: dict[tuple[Any, ...], tuple[ClaimResult, ...]] = {}

    def __call__(self, loss: Loss, order: tuple[str, ...], wanted: tuple[str, ...], workers: int | None) -> tuple[ClaimResult, ...]:
        key = (loss, order, wanted, workers)
        if key in self._kept:
            self._kept[key] = self._kept.pop(key)  # now the most recently used
            return self._kept[key]
        results, limited = _prove_now(loss, order, wanted, workers)
        if not limited:
            if len(self._kept) >= self.SIZE:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = results
        return results

    def cache_clear(self) -> None:
        self._kept.clear()


_prove = _Proofs()


def _prove_now(loss: Loss, order: tuple[str, ...], wanted: tuple[str, ...], workers: int | None) -> tuple[tuple[ClaimResult, ...], bool]:
    """The results for ``wanted``, and whether a limit cut any of them short."""
    jobs = [(loss, claim_id) for claim_id in order]
    if workers is not None:
        count = workers
    elif loss.user_supplied:
        # A typed-in loss's claims may each run to their time limit: against that the
        # warm-up a worker repeats is nothing, and two processes get two shares of a
        # busy machine. One worker per core, whatever the load.
        count = min(len(jobs), os.cpu_count() or 1)
    else:
        count = _free_cores(len(jobs))
    if count <= 1 or len(jobs) <= 1 or not hasattr(os, "fork"):
        batches = [_build_and_check(job) for job in jobs]
    elif loss.user_supplied:
        # Claims that may each run to their time limit: dealt one at a time to whichever
        # worker is free.
        import multiprocessing  # here: a catalog loss's proofs do not need them
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            batches = list(pool.map(_build_and_check, jobs))
    else:
        # A catalog loss's claims are short, and those in one variable cite the same steps
        # (its derivatives, the obligations where the loss is defined): dealt by variable,
        # so that each process checks a step once, and this process takes a share itself
        # rather than wait.
        # Each other share goes to a forked child of its own (lossproof.forked: a pool's
        # threads and queues cost more than a share's claims gain from them).
        shares = _shares(loss, order, count)
        children: list[Forked[list[_Batch]]] = []
        try:
            for share in shares[1:]:
                children.append(Forked(_build_and_check_all, [(loss, cid) for cid in share]))
            batches = _build_and_check_all([(loss, cid) for cid in shares[0]])
            for child in children:
                batches += child.result()
        finally:
            for child in children:  # after a failure, no share computes on unreaped
                child.cancel()
    by_id = {batch.results[0].claim.id: batch.results for batch in batches}
    return tuple(r for claim_id in wanted for r in by_id[claim_id]), any(batch.limited for batch in batches)


on_change(_prove.cache_clear)
