r"""Step-by-step derivations, as a careful person writes them by hand, each step checked.

A :class:`Chain` is a start and a list of :class:`ChainStep`\ s; each step is an
expression shown as written (SymPy's unevaluated forms: ``d/dp log(p)`` stays
a derivative, ``-y + yp + p - yp`` keeps its terms) and the rule that produced
it. The steps are lossproof's own: the sum rule, the derivative of log, the
chain rule through the sigmoid, a common denominator, expansion, cancellation.
Before a chain is returned, every step is checked equal to the one before with
:func:`~lossproof.identity.check_identity` (its value, once the written form is
evaluated), so the last step equals SymPy's ``diff`` of the loss.

An equation chain (``dBCE/dp = 0 => ... => p = y``) is checked the same way,
except that a step may multiply both sides by a factor, which must be proved
nonzero on the domain by both engines, and the last step is a solved equation,
checked as a :class:`~lossproof.kernel.Roots` step.

>>> from lossproof.losses import get_loss
>>> chain = derivation(get_loss("bce"), "p", 1)
>>> [step.rule for step in chain.steps]
['sum rule, constant factor', 'derivative of log, chain rule', 'simplify', 'common denominator', 'expand', 'cancel']
>>> value_of(chain.steps[-1].expr)
(p - y)/(p*(1 - p))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Add, Derivative, Interval, Mul, Pow, S, Symbol, exp, log

from .derive import canonical_form, derive, smooth_diff
from .errors import IdentityError
from .identity import check_identity, sample_points
from .notation import to_latex
from .settings import current
from .losses import Loss, p, y
from .proof import Domain, Roots, Sign, check_step
from .sigmoid import sigmoid

__all__ = ["ChainStep", "Chain", "derivation", "stationary", "value_of", "written"]


@dataclass(frozen=True)
class ChainStep:
    """One line of a derivation: the expression as written, and the rule that gives it.

    For an equation chain ``expr`` is the left-hand side of ``expr = 0`` (or, in the
    last step, the solved equation ``var = value`` as ``sympy.Eq``), and ``factor`` is
    what both sides were multiplied by (1 when nothing was).
    """

    expr: sympy.Expr
    rule: str
    factor: sympy.Expr = S.One


@dataclass(frozen=True)
class Chain:
    """A checked derivation of ``d^order loss / d wrt^order`` (kind ``"derivative"``) or of
    the stationary point (kind ``"stationary"``)."""

    loss: str
    operator: str
    wrt: str
    order: int
    kind: str
    start: sympy.Expr
    steps: tuple[ChainStep, ...]


def value_of(expr: sympy.Expr) -> sympy.Expr:
    """The value of a written form: derivatives carried out, sums and products evaluated.

    A derivative of ``|u|`` is carried out off its kink (:func:`~lossproof.derive.smooth_diff`).
    """
    def carry_out(e: sympy.Expr) -> sympy.Expr:
        return smooth_diff(e.expr, e.variables[0], len(e.variables))

    return expr.replace(lambda e: isinstance(e, Derivative), carry_out).doit()


SIGMOID_RULE = r"$\sigma' = \sigma (1 - \sigma)$"


def _factor_key(f: sympy.Expr) -> int:
    # Numbers, symbols, sums of symbols, calls, sums with calls:
    # "(1 - y) log(1 - p)", "p (1 - p)", "σ(z) (1 - σ(z))".
    base = f.base if f.is_Pow else f
    calls = bool(base.atoms(sympy.Function))
    if f.is_Number:
        return 0
    if base.is_Symbol:
        return 1
    if base.is_Add:
        return 4 if calls else 2
    return 3


def written(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as a careful author writes it, frozen unevaluated: positive terms first,
    then by size; in a product, numbers, then symbols and calls, then sums.

    >>> from sympy import Symbol
    >>> from lossproof.sigmoid import sigmoid
    >>> from lossproof.notation import to_latex
    >>> s = sigmoid(Symbol("z"))
    >>> print(to_latex(written((1 - s) * s), as_written=True))
    \\sigma(z) (1 - \\sigma(z))
    """
    if expr.is_Atom:
        return expr
    args = [written(a) for a in expr.args]
    if expr.is_Add:
        return Add(*sorted(args, key=lambda t: (t.could_extract_minus_sign(), sympy.count_ops(t))), evaluate=False)
    if expr.is_Mul:
        num, den = sympy.fraction(expr)
        if num.could_extract_minus_sign() and num.is_Mul:
            return _neg(written(-expr))
        if den != 1:
            return Mul(written(num), Pow(written(den), -1, evaluate=False), evaluate=False)
        return Mul(*sorted(args, key=_factor_key), evaluate=False)
    if expr.is_Pow:
        return Pow(args[0], args[1], evaluate=False)
    return expr


def _neg(e: sympy.Expr) -> sympy.Expr:
    return Mul(S.NegativeOne, e, evaluate=False)


def _is_nonpositive(c: sympy.Expr, domain: Mapping[Symbol, Interval]) -> bool:
    # Orientation is cosmetic (every step is checked), so sample points decide it.
    values = [c.xreplace(pt) for pt in sample_points(domain, 5, seed=current().derivation_seed)]
    return all(v.is_number and v <= 0 for v in values) and any(v < 0 for v in values)


def _signed(coeff: sympy.Expr, body: sympy.Expr, domain: Mapping[Symbol, Interval]) -> sympy.Expr:
    """``coeff * body`` as written: "- (1 - y) d/dp log(1 - p)", not "(y - 1) d/dp log(1 - p)"."""
    if coeff == 1:
        return body
    if coeff == -1:
        return _neg(body)
    if body == 1:
        return _neg(written(-coeff)) if _is_nonpositive(coeff, domain) else written(coeff)
    if _is_nonpositive(coeff, domain):
        return _neg(Mul(written(-coeff), body, evaluate=False))
    return Mul(written(coeff), body, evaluate=False)


def _rule_derivative(f: sympy.Expr, var: Symbol) -> tuple[sympy.Expr, str]:
    """The derivative of one factor, written as the rule gives it (not yet simplified)."""
    if isinstance(f, log):
        u = f.args[0]
        du = sympy.diff(u, var)
        if du == 1:
            return Pow(u, -1), "derivative of log"
        return Mul(Pow(u, -1), du, evaluate=False), "derivative of log, chain rule"
    if f.is_Pow and f.exp == -1:
        # (1/u)' = -u'/u^2, the chain rule applied at once: -1/p^2, +1/(1 - p)^2.
        u = f.base
        du = sympy.diff(u, var)
        inverse_square = Pow(Pow(u, 2, evaluate=False), -1, evaluate=False)
        shown = inverse_square if -du == 1 else _neg(inverse_square) if du == 1 else Mul(-du, inverse_square, evaluate=False)
        return shown, "$(1/u)' = -u'/u^2$"
    if f.is_Pow and not f.exp.has(var):
        u, k = f.base, f.exp
        du = sympy.diff(u, var)
        body = Mul(k, Pow(u, k - 1), evaluate=False)
        return (body if du == 1 else Mul(body, du, evaluate=False)), "power rule"
    if isinstance(f, exp):
        du = sympy.diff(f.args[0], var)
        return (f if du == 1 else Mul(f, du, evaluate=False)), "derivative of exp"
    if isinstance(f, sympy.sign):
        return S.Zero, f"$\\operatorname{{sign}}'(u) = 0$ for ${to_latex(f.args[0])} \\neq 0$"
    if isinstance(f, sympy.Abs):
        # |u|' = sign(u) u', only where u != 0: the derivation says so in its rule.
        u = f.args[0]
        du = sympy.diff(u, var)
        return (sympy.sign(u) if du == 1 else Mul(sympy.sign(u), du, evaluate=False)), f"$|u|' = \\operatorname{{sign}}(u)\\, u'$ for ${to_latex(u)} \\neq 0$"
    if isinstance(f, sigmoid):
        return Mul(f, 1 - f, evaluate=False), SIGMOID_RULE
    if f == var:
        return S.One, "derivative of the variable"
    if len(f.args) == 1 and f.args[0].has(var):
        u = Symbol("u")
        outer = sympy.diff(f.func(u), u).subs(u, f.args[0])
        inner = sympy.diff(f.args[0], var)
        # An inner derivative of 1 is not written: "(1 - tanh^2(p - y))", not "(...) 1".
        return (outer if inner == 1 else Mul(outer, inner, evaluate=False)), "chain rule"
    return sympy.diff(f, var), "differentiate"


def _termwise(expr: sympy.Expr, var: Symbol, domain: Mapping[Symbol, Interval]) -> list[ChainStep]:
    """d/dvar of a sum, term by term: sum rule, each term's rule, simplify."""
    # A written (unevaluated) sum keeps its order of terms; an evaluated one has SymPy's.
    terms = [value_of(t) for t in expr.args] if expr.is_Add else list(Add.make_args(expr))
    parts = [t.as_independent(var, as_Add=False) for t in terms]
    varying = [(c, r) for c, r in parts if r.has(var)]
    constants = len(varying) < len(parts)
    summed = Add(*(_signed(c, Derivative(r, var), domain) for c, r in varying), evaluate=False)
    rules: list[str] = []
    ruled, simple = [], []
    for c, r in varying:
        d, rule = _rule_derivative(r, var)
        rules.append(rule)
        ruled.append(_signed(c, d, domain))
        simple.append(written(canonical_form(c * value_of(d), domain, var)))
    first = "sum rule, constant factor" + ("; constants vanish" if constants else "")
    steps = [ChainStep(_sum(summed), first)]
    atoms = [a for rule in rules for a in rule.split(", ")]
    steps.append(ChainStep(_sum(Add(*ruled, evaluate=False)), ", ".join(sorted(set(atoms), key=atoms.index))))
    steps.append(ChainStep(_sum(Add(*simple, evaluate=False)), "simplify"))
    return steps


def _sum(e: sympy.Expr) -> sympy.Expr:
    return e.args[0] if e.is_Add and len(e.args) == 1 else e


def _over_common_denominator(terms: tuple[sympy.Expr, ...], den: sympy.Expr, domain: Mapping[Symbol, Interval]) -> tuple[sympy.Expr, list[sympy.Expr], list[sympy.Expr]]:
    """Each term n/d as n * (den/d), kept factored; and the numerator expanded monomial by monomial."""
    shown, pieces = [], []
    for t in terms:
        n, d = sympy.fraction(t)
        other = sympy.cancel(den / d)
        shown.append(_signed(n, written(other), domain) if other != 1 else written(n))
        pieces.append(n * other)
    monomials = [m for piece in pieces for m in Add.make_args(sympy.expand(piece))]
    return Add(*shown, evaluate=False), pieces, monomials


def _common_denominator(expr: sympy.Expr, var: Symbol, domain: Mapping[Symbol, Interval]) -> list[ChainStep]:
    """Over one denominator (its factors turned positive), expand the numerator, cancel."""
    final = canonical_form(value_of(expr), domain, var)
    terms = Add.make_args(value_of(expr)) if not expr.is_Add else tuple(value_of(t) for t in expr.args)
    den = sympy.fraction(final)[1]
    if len(terms) < 2 or den == 1:
        return [ChainStep(written(final), "cancel")]
    numerator, pieces, monomials = _over_common_denominator(terms, den, domain)
    den = written(den)
    steps = [ChainStep(Mul(numerator, Pow(den, -1, evaluate=False), evaluate=False), "common denominator")]
    if len(monomials) > len(pieces):
        steps.append(ChainStep(Mul(Add(*monomials, evaluate=False), Pow(den, -1, evaluate=False), evaluate=False), "expand"))
    steps.append(ChainStep(written(final), "cancel"))
    return steps


def _domain(loss: Loss, wrt: str) -> dict[Symbol, Interval]:
    return dict(loss.in_var(wrt).domain)


def _check(chain_steps: list[ChainStep], start: sympy.Expr, domain: Mapping[Symbol, Interval], what: str) -> None:
    previous = value_of(start)
    for step in chain_steps:
        current = value_of(step.expr)
        check = check_identity(current, previous, domain)
        if not check.holds:
            raise IdentityError(f"{what}: step '{step.rule}' gives {current}, which is not {previous}")
        previous = current


@lru_cache(maxsize=64)
def derivation(loss: Loss, wrt: str, order: int) -> Chain:
    """The step-by-step derivation of a derivative of ``loss``, every step checked.

    Raises:
        IdentityError: a step does not equal the one before (a bug, never silent).
    """
    domain = _domain(loss, wrt)
    d = derive(loss, wrt, order)
    if wrt == "p":
        shown = written(loss.expr) if order == 1 else _simplified_first(loss)
        start = Derivative(shown, p)
        steps = _termwise(shown, p, domain)
        steps += _common_denominator(steps[-1].expr, p, domain)
    else:
        assert loss.link is not None
        zv = loss.link.var
        s = loss.link.expr
        if order == 1:
            outer = written(derive(loss, "p", 1).canonical.subs(p, s))
            start = Derivative(written(loss.in_var("z").function), zv)
            steps = [
                ChainStep(Mul(outer, Derivative(s, zv), evaluate=False), r"chain rule, $p = \sigma(z)$"),
                ChainStep(Mul(outer, written(s * (1 - s)), evaluate=False), SIGMOID_RULE),
            ]
            steps += [ChainStep(written(canonical_form(value_of(steps[-1].expr), domain, zv)), "cancel")]
        else:
            first = derive(loss, "z", 1).canonical
            start = Derivative(written(first), zv)
            steps = _termwise(first, zv, domain)
            steps += _common_denominator(steps[-1].expr, zv, domain)
    # The last line is the canonical form, as `derive` states it.
    if value_of(steps[-1].expr) != d.canonical:
        steps.append(ChainStep(written(d.canonical), "canonical form"))
    steps = _drop_repeats(start, steps)
    _check(steps, start, domain, f"d^{order}{loss.operator}/d{wrt}^{order}")
    return Chain(loss.name, loss.operator, wrt, order, "derivative", start, tuple(steps))


def _simplified_first(loss: Loss) -> sympy.Expr:
    chain = derivation(loss, "p", 1)
    for step in chain.steps:
        if step.rule == "simplify":
            return step.expr
    return derive(loss, "p", 1).canonical


def _drop_repeats(start: sympy.Expr, steps: list[ChainStep]) -> list[ChainStep]:
    # A step that reads the same as the line before adds nothing: keep the first.
    out: list[ChainStep] = []
    last = to_latex(start, as_written=True)
    for step in steps:
        shown = to_latex(step.expr, as_written=True)
        if shown != last:
            out.append(step)
            last = shown
    return out


@lru_cache(maxsize=64)
def stationary(loss: Loss) -> Chain:
    """dLoss/dp = 0 solved step by step for p, with y strictly inside its range.

    Raises:
        IdentityError: a step does not follow from the one before.
    """
    domain = dict(loss.domain_map)
    domain[y] = Interval.open(0, 1)
    first = derivation(loss, "p", 1)
    simple = next((s.expr for s in first.steps if s.rule == "simplify"), first.steps[-1].expr)
    simple_value = value_of(simple)
    final = derive(loss, "p", 1).canonical
    num, den = sympy.fraction(final)
    steps: list[ChainStep] = []
    terms = tuple(value_of(t) for t in simple.args) if simple.is_Add else (simple_value,)
    if den != 1 and len(terms) > 1:
        numerator, pieces, monomials = _over_common_denominator(terms, den, domain)
        steps.append(ChainStep(numerator, f"multiply by ${to_latex(den)} > 0$", den))
        if len(monomials) > len(pieces):
            steps.append(ChainStep(Add(*monomials, evaluate=False), "expand"))
        steps.append(ChainStep(written(num), "collect"))
    try:
        roots = sympy.solve(num, p)
    except NotImplementedError:  # logs in the gradient: no closed-form stationary point
        roots = []
    dom = Domain(tuple(domain.items()))
    for i, step in enumerate(steps):
        previous = value_of(simple if i == 0 else steps[i - 1].expr)
        factor = step.factor
        if not check_identity(value_of(step.expr), sympy.cancel(value_of(previous) * factor), domain).holds:
            raise IdentityError(f"stationary point: step '{step.rule}' does not follow")
        if factor != 1 and check_step(Sign(factor, ">", dom)).status != "proved":
            raise IdentityError(f"stationary point: the factor {factor} is not proved positive")
    if len(roots) == 1 and check_step(Roots(num, p, (roots[0],), dom)).status == "proved":
        steps.append(ChainStep(sympy.Eq(p, roots[0]), "solve"))
    return Chain(loss.name, loss.operator, "p", 1, "stationary", simple, tuple(_drop_repeats(simple, steps)))
