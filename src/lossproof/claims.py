r"""The standard claims about a loss, built from its definition and derivatives.

Nothing here knows which loss it is given: the minimiser is what SymPy solves
the gradient's numerator for, the behaviour at the ends of the target range is
read off the gradient's sign there, the minimum value is the loss at the
minimiser. Whether each claim then holds is for :func:`lossproof.proof.check_claim`
to find out. Claim ids follow Lean Mathlib: ``strictConvexOn_bce_p``,
``isMinOn_bce_p``, ``min_value_bce``.

>>> from lossproof.losses import get_loss
>>> [c.id for c in standard_claims(get_loss("bce"))][:3]
['strictConvexOn_bce_p', 'strictConvexOn_bce_z', 'isMinOn_bce_p']
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

import mpmath
import sympy
from sympy import Interval, Symbol, log, oo

from .derive import canonical_form, derive, kinks
from .losses import Loss, p, y
from .errors import InputError
from .timeout import USER_LIMIT_SECONDS, ResourceLimitExceeded, time_limit
from .identity import check_identity, sample_points
from .numeric import modules
from .proof import _sigmoid_value, check_step, real_roots, root_inside
from .proof import Claim, ClaimResult, Derivative, Domain, Identity, LemmaUse, Limit, Part, Roots, Sign, sympy_limit, check_claim
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


def binary_entropy(t: sympy.Expr) -> sympy.Expr:
    r"""The binary entropy :math:`H(t) = -t \log t - (1 - t) \log(1 - t)` (a definition)."""
    return -t * log(t) - (1 - t) * log(1 - t)


def kl_bernoulli(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    r""":math:`\mathrm{KL}(\mathrm{Bern}(a) \| \mathrm{Bern}(b)) = -a \log(b/a) - (1-a) \log((1-b)/(1-a))`."""
    return -a * log(b / a) - (1 - a) * log((1 - b) / (1 - a))


def _interior(iv: Interval) -> Interval:
    return Interval.open(iv.start, iv.end)


def _off_kinks(expr: sympy.Expr) -> tuple[Hypothesis_, ...]:
    # A loss with |u| is differentiable only where u != 0: every claim about its
    # derivatives says so in its domain, and the kinks get claims of their own.
    return tuple(Hypothesis_(u, "!=") for u in kinks(expr))


def _domain(loss: Loss, **replace: Interval) -> Domain:
    box = [(s, replace.get(str(s), iv)) for s, iv in loss.domain]
    return Domain(tuple(box), _off_kinks(loss.expr))


def _z_domain(loss: Loss, **replace: Interval) -> Domain:
    box = [(s, replace.get(str(s), iv)) for s, iv in loss.linked_domain().items()]
    expr = loss.link.apply(loss.expr) if loss.link is not None else loss.expr
    return Domain(tuple(box), _off_kinks(expr))


def _second(loss: Loss, wrt: str) -> tuple[sympy.Expr, Symbol, Domain, sympy.Expr]:
    if wrt == "p":
        f, var, dom = loss.expr, p, _domain(loss)
    else:
        assert loss.link is not None
        f, var, dom = loss.link.apply(loss.expr), loss.link.var, _z_domain(loss)
    return f, var, dom, derive(loss, wrt, 2).canonical


def _kink_parts(loss: Loss, wrt: str, f: sympy.Expr, var: Symbol, dom: Domain) -> list[Part]:
    """At each kink u = 0 (solved for the variable), the derivative may only jump up."""
    parts = []
    d1 = derive(loss, wrt, 1).canonical
    t = Symbol("t")
    rest = Domain(tuple((s, iv) for s, iv in dom.intervals if s != var))
    for u in kinks(f):
        for point in real_roots(u, var):
            shifted = d1.subs(var, point + t)
            left = sympy_limit(shifted, t, sympy.Integer(0), "-")
            right = sympy_limit(shifted, t, sympy.Integer(0), "+")
            near = Domain(((t, Interval.open(-1, 1)),) + rest.intervals)
            parts.append(
                Part(
                    f"at {var} = {point} the one-sided derivatives are {left} and {right}, the subdifferential is "
                    f"[{left}, {right}]: the slope does not fall",
                    "convexAt_kink_of_deriv_le",
                    (f, var, point),
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
    f, var, dom, d2 = _second(loss, wrt)
    rel, rule, word = (">", "strictConvexOn_of_deriv2_pos", "strictly convex") if strict else (">=", "convexOn_of_deriv2_nonneg", "convex")
    part = Part(
        f"{loss.operator}(y, ·) is {word} in {var} on its domain, for every y",
        rule,
        (f, var),
        dom,
        (Derivative(f, var, 2, d2, dom), Sign(d2, rel, dom, rule=f"second derivative {rel} 0")),
    )
    prefix = "strictConvexOn" if strict else "convexOn"
    # Off the kinks d2 >= 0 is not enough: at a kink the slope must not fall.
    extra = tuple(_kink_parts(loss, wrt, f, var, dom)) if not strict and kinks(f) else ()
    return Claim(
        f"{prefix}_{loss.name}_{wrt}",
        f"For every y in the target range, {loss.operator}(y, ·) is {word} in {var}.",
        (part,) + extra,
    )


def _inside(r: sympy.Expr, iv: Interval, domain: Domain) -> bool:
    # Which roots lie inside the variable's interval is decided at sample points;
    # the Roots step then proves it for the whole domain.
    return root_inside(r, iv, domain, seed=11)


def _stationary(loss: Loss, wrt: str) -> tuple[sympy.Expr, Symbol, sympy.Expr, list[sympy.Expr]]:
    d1 = derive(loss, wrt, 1).canonical
    inner = _interior_domain(loss, wrt)
    if wrt == "p":
        f, var = loss.expr, p
    else:
        assert loss.link is not None
        f, var = loss.link.apply(loss.expr), loss.link.var
    return f, var, d1, _roots_inside(d1, var, wrt, inner, loss.domain_map[p])


def _roots_inside(d1: sympy.Expr, var: Symbol, wrt: str, dom: Domain, iv: Interval) -> list[sympy.Expr]:
    """Roots of the gradient's numerator inside the domain; in z, solved in s = sigmoid(z)
    (a bijection onto (0, 1)) and mapped back to the logit log(s / (1 - s))."""
    if wrt == "p":
        num = sympy.fraction(sympy.cancel(sympy.together(d1)))[0]
        return [r for r in real_roots(num, var) if _inside(r, iv, dom)]
    s = Symbol("s")
    num = sympy.fraction(sympy.cancel(sympy.together(d1.xreplace({sigmoid(var): s}))))[0]
    return [log(r / (1 - r)) for r in real_roots(num, s) if _inside(r, Interval.open(0, 1), dom)]


def _minimiser_part(
    statement: str, f: sympy.Expr, var: Symbol, d1: sympy.Expr, d2: sympy.Expr, r: sympy.Expr, dom: Domain, wrt: str
) -> Part:
    """p = r (or z = r) is the unique minimiser: by strict convexity where the second
    derivative is proved positive, else by the gradient's sign on each side of r."""
    if check_step(Sign(d2, ">", dom, rule="second derivative positive")).status == "proved":
        return Part(
            statement,
            "isMinOn_of_deriv_eq_zero_of_strictConvexOn",
            (f, var, r),
            dom,
            (
                Derivative(f, var, 1, d1, dom),
                Roots(d1, var, (r,), dom, rule="numerator of the gradient vanishes"),
                Derivative(f, var, 2, d2, dom),
                Sign(d2, ">", dom, rule="second derivative positive"),
            ),
        )
    t, t0 = (var, r) if wrt == "p" else (sigmoid(var), _sigmoid_value(r))
    below = Domain(dom.intervals, dom.hypotheses + (Hypothesis_(t - t0, "<"),))
    above = Domain(dom.intervals, dom.hypotheses + (Hypothesis_(t - t0, ">"),))
    return Part(
        statement,
        "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt",
        (f, var, r),
        dom,
        (
            Derivative(f, var, 1, d1, dom),
            Sign(d1, "<", below, rule="gradient < 0 before the point"),
            Sign(d1, ">", above, rule="gradient > 0 after the point"),
        ),
    )


def _interior_domain(loss: Loss, wrt: str) -> Domain:
    make = _domain if wrt == "p" else _z_domain
    return make(loss, y=_interior(loss.domain_map[y]))


def _interval_words(iv: Interval) -> str:
    left = "(" if iv.left_open else "["
    right = ")" if iv.right_open else "]"
    return f"{left}{iv.start}, {iv.end}{right}"


def _approach(point: sympy.Expr, direction: str) -> str:
    return str(point) if point.is_infinite else f"{point}{direction}"


def _ends(loss: Loss) -> list[sympy.Expr]:
    iv = loss.domain_map[y]
    return [e for e, is_open in ((iv.start, iv.left_open), (iv.end, iv.right_open)) if not is_open]


def _minimiser(loss: Loss, wrt: str) -> Claim:
    f, var, d1, roots = _stationary(loss, wrt)
    d2 = derive(loss, wrt, 2).canonical
    make = _domain if wrt == "p" else _z_domain
    inner = _interior_domain(loss, wrt)
    yiv = _interior(loss.domain_map[y])
    parts = []
    if len(roots) == 1:
        statement = f"for y in {_interval_words(yiv)}, {var} = {roots[0]} is the unique global minimiser"
        parts.append(_minimiser_part(statement, f, var, d1, d2, roots[0], inner, wrt))
    iv = loss.domain_map[p] if wrt == "p" else loss.linked_domain()[var]
    for end in _ends(loss):
        dom = Domain(tuple((s, i) for s, i in make(loss).intervals if s != y))
        fe, de = f.subs(y, end), canonical_form(d1.subs(y, end), dom.box(), var)
        inside = _roots_inside(de, var, wrt, dom, iv)
        if len(inside) == 1:
            # The minimiser stays inside the domain at this end (label smoothing does that).
            d2e = canonical_form(d2.subs(y, end), dom.box(), var)
            statement = f"for y = {end}, {var} = {inside[0]} is the unique global minimiser"
            parts.append(_minimiser_part(statement, fe, var, de, d2e, inside[0], dom, wrt))
            continue
        # Which way the loss runs, read off the gradient at one interior point; then proved.
        probe = de.subs(var, sympy.Rational(1, 2) if wrt == "p" else 0)
        if probe.free_symbols:  # parameters (w, gamma, ...): read the sign at a sample point
            probe = probe.xreplace(sample_points(dom.box(), 1, seed=17)[0])
        rel = ">" if probe > 0 else "<"
        towards = (iv.start, "+") if rel == ">" else (iv.end, "-")
        parts.append(
            Part(
                f"for y = {end}, {loss.operator} is strictly {'increasing' if rel == '>' else 'decreasing'} in {var}: no minimiser inside the domain",
                "not_isMinOn_of_strictMonoOn",
                (fe, var),
                dom,
                (Derivative(fe, var, 1, de, dom), Sign(de, rel, dom, rule="gradient has a strict sign")),
            )
        )
        value = sympy_limit(fe, var, towards[0], towards[1])
        if value.is_infinite or not value.is_finite:
            continue  # no finite infimum to approach: the monotonicity says it all
        parts.append(
            Part(
                f"for y = {end}, {loss.operator} tends to its infimum {value} as {var} -> {_approach(*towards)}"
                + (f"; with 0 log 0 = 0 this is the value at {var} = {end}" if wrt == "p" else ""),
                "tendsto_of_limit",
                (fe, var, towards[0], value),
                dom,
                (Limit(fe, var, towards[0], towards[1], value, dom),),
            )
        )
    return Claim(
        f"isMinOn_{loss.name}_{wrt}",
        f"The minimiser of {loss.operator}(y, ·) in {var}, and what happens at the ends of the target range.",
        tuple(parts),
    )


def _log_lemmas(expr: sympy.Expr, name: str) -> tuple[LemmaUse, ...]:
    return tuple(LemmaUse(name, a.args[0]) for a in sorted(expr.atoms(log), key=sympy.default_sort_key))


def _min_value(loss: Loss) -> Claim:
    _, _, _, roots = _stationary(loss, "p")
    only_y = Domain(tuple((s, iv) for s, iv in _interior_domain(loss, "p").intervals if s != p))
    parts = []
    if len(roots) == 1:
        value = loss.expr.subs(p, roots[0])
        entropy = binary_entropy(y)
        # Name the value H(y) when it is the binary entropy (the step below checks it).
        named = entropy if check_identity(value, entropy, only_y.box()).holds else value
        parts.append(
            Part(
                f"the minimum value is {loss.operator}(y, {roots[0]}) = {named}",
                "eq_of_identity",
                (loss.expr.subs(p, roots[0]), named),
                only_y,
                (Identity(loss.expr.subs(p, roots[0]), named, only_y, rule="substitute the minimiser"),),
            )
        )
        samples = [named.xreplace(pt) for pt in sample_points(only_y.box(), 6, seed=5)]
        if named != 0 and all(v.is_number and sympy.N(v, 30) > 0 for v in samples):
            parts.append(
                Part(
                    f"which is > 0 for y in {_interval_words(_interior(loss.domain_map[y]))}: the minimum is not 0",
                    "sign_of_sign",
                    (named,),
                    only_y,
                    (Sign(named, ">", only_y, _log_lemmas(named, "log_neg"), rule="$\\log t < 0$ on $(0, 1)$"),),
                )
            )
    return Claim(
        f"min_value_{loss.name}",
        f"The minimum value of {loss.operator}(y, ·) over the domain, and its sign.",
        tuple(parts),
    )


def _saturation(loss: Loss) -> Claim:
    """The logit gradient when the prediction is confidently wrong (Deep Learning Book 6.2.2.2).

    y = 1 with z -> -oo, and y = 0 with z -> +oo: the limit of dL/dz, computed by SymPy
    and confirmed along a sequence by mpmath. A limit of 0 means the gradient vanishes
    exactly where the model is most wrong: the loss saturates.
    """
    assert loss.link is not None
    zv = loss.link.var
    d1 = derive(loss, "z", 1).canonical
    dom = Domain(((zv, loss.link.var_domain),))
    parts = []
    for target, point, direction in ((1, -oo, "+"), (0, oo, "-")):
        g = d1.subs(y, target)
        value = sympy_limit(g, zv, point, direction)
        parts.append(
            Part(
                f"for y = {target}, d{loss.operator}/dz -> {value} as z -> {point}",
                "tendsto_of_limit",
                (g, zv, point, value),
                dom,
                (Limit(g, zv, point, direction, value, dom, rule="limit of the logit gradient"),),
            )
        )
    return Claim(
        f"tendsto_deriv_{loss.name}_z_of_confidently_wrong",
        f"The gradient of {loss.operator} in the logit when the prediction is confidently wrong "
        "(y = 1, z -> -oo; y = 0, z -> +oo); a limit of 0 means it saturates.",
        tuple(parts),
    )


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
    inner = _domain(loss, y=Interval.open(0, 1))
    kl = kl_bernoulli(y, p)
    entropy = binary_entropy(y)
    ident = Claim(
        f"{loss.name}_sub_entropy_eq_kl",
        f"{loss.operator}(y, p) - H(y) = KL(Bern(y) || Bern(p)) for y, p in (0, 1).",
        (
            Part(
                "BCE(y, p) - H(y) = -y log(p/y) - (1 - y) log((1 - p)/(1 - y))",
                "eq_of_identity",
                (loss.expr - entropy, kl),
                inner,
                (Identity(loss.expr - entropy, kl, inner, rule="$\\log a - \\log b = \\log(a/b)$"),),
            ),
        ),
    )
    ne = Domain(inner.intervals, (Hypothesis_(p - y, "!="),))
    nonneg = Claim(
        "kl_bernoulli_nonneg",
        "KL(Bern(y) || Bern(p)) >= 0, with equality iff p = y (Gibbs' inequality, from log t <= t - 1).",
        (
            Part(
                "KL >= 0",
                "sign_of_sign",
                (kl,),
                inner,
                (Sign(kl, ">=", inner, _log_lemmas(kl, "log_le_sub_one_of_pos"), rule="$\\log t \\leq t - 1$"),),
            ),
            Part(
                "KL > 0 when p != y",
                "sign_of_sign",
                (kl,),
                ne,
                (Sign(kl, ">", ne, _log_lemmas(kl, "log_lt_sub_one_of_pos_of_ne_one"), rule="$\\log t < t - 1$ for $t \\neq 1$"),),
            ),
            Part(
                "KL = 0 when p = y",
                "eq_of_identity",
                (kl.subs(p, y), sympy.Integer(0)),
                Domain(((y, Interval.open(0, 1)),)),
                (Identity(kl.subs(p, y), sympy.Integer(0), Domain(((y, Interval.open(0, 1)),)), rule="log 1 = 0"),),
            ),
        ),
    )
    return [ident, nonneg]


from .engines import Hypothesis as Hypothesis_  # noqa: E402  (used only by the BCE extras)

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


def _build_and_check(job: tuple[Loss, str]) -> list[ClaimResult]:
    loss, claim_id = job
    # A typed-in loss may make SymPy work forever: its claims run under a time limit.
    limit = USER_LIMIT_SECONDS if loss.name == "custom" else None
    out = []
    fallback = {v: k for k, v in _fallbacks(loss).items()}.get(claim_id)
    for cid in (claim_id, fallback):
        if cid is None:
            continue
        try:
            with time_limit(limit):
                out.append(check_claim(build_claim(loss, cid)))
        except ResourceLimitExceeded as exc:  # time or memory: the reason names which
            empty = Claim(cid, f"{cid} (not built: {exc})", ())
            out.append(ClaimResult(empty, "unknown", {"sympy": "unknown", "z3": "unknown"}, (), None, (f"unknown ({exc.reason}): {exc}",)))
        except _TOOL_ERRORS as exc:
            empty = Claim(cid, f"{cid} (not built)", ())
            reason = f"unknown: the claim could not be built: {type(exc).__name__}: {str(exc)[:160]}"
            out.append(ClaimResult(empty, "unknown", {"sympy": "unknown", "z3": "unknown"}, (), None, (reason,)))
        if out[-1].status == "proved":
            break  # the fallback is stated only where the standard claim is not proved
    return out


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


@lru_cache(maxsize=64)
def _prove(loss: Loss, order: tuple[str, ...], wanted: tuple[str, ...], workers: int | None) -> tuple[ClaimResult, ...]:
    # Cached: a report, a document and a comparison in one process ask for the same proofs.
    jobs = [(loss, claim_id) for claim_id in order]
    count = workers if workers is not None else min(len(jobs), os.cpu_count() or 1)
    if count <= 1 or len(jobs) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        batches = [_build_and_check(job) for job in jobs]
    else:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            batches = list(pool.map(_build_and_check, jobs))
    by_id = {batch[0].claim.id: batch for batch in batches}
    return tuple(r for claim_id in wanted for r in by_id[claim_id])

