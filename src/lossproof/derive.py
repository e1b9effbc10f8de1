r"""Derivatives of a loss, computed by SymPy and brought to a canonical form.

The canonical form is chosen, not typed in: among a few equivalent shapes of
the derived expression (one fraction over factored numerator and denominator;
a sum of partial fractions; the terms as SymPy's ``diff`` returns them), each
with its factors *oriented* to be positive on the domain (``1 - p`` rather
than ``p - 1`` when ``p < 1``), the one with the fewest operations wins.
``sigmoid(z)`` is treated as a variable ``s`` in (0, 1) while this happens,
which is what turns SymPy's ``(-y + (1 - y) e^z)/(e^z + 1)`` into
:math:`\sigma(z) - y`. tanh and cosh are likewise taken as variables (sinh as
tanh times cosh), so that a hyperbolic derivative gets the same shapes; other
functions (log) are left to SymPy's ``simplify``. Every canonical form is checked
equal to the raw derivative (:func:`~lossproof.identity.check_identity`) before it
is returned.

>>> from lossproof.losses import get_loss
>>> bce = get_loss("bce")
>>> derive(bce, "p", 1).canonical
(p - y)/(p*(1 - p))
>>> derive(bce, "z", 1).canonical
-y + sigmoid(z)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Add, Dummy, Interval, Mul, Poly, Rational, Symbol, apart, cancel, count_ops

from .errors import IdentityError, InputError
from .identity import check_identity, name_sigmoids, sample_points
from .losses import Loss
from .settings import Settings, current, on_change, using
from .sigmoid import sigmoid
from .kernel.calculus import kinks, smooth_diff

__all__ = ["Derived", "derive", "derivatives", "canonical_form", "kinks", "smooth_diff", "WRT", "ORDERS"]

#: The variables a derivative can be taken with respect to.
WRT = ("p", "z")
#: The orders of derivative lossproof derives.
ORDERS = (1, 2)
#: Sample points used to decide a factor's sign on the domain (orientation is
#: cosmetic: a wrong call costs beauty, never truth, since the result is checked).
_ORIENT_POINTS = 7


@dataclass(frozen=True)
class Derived:
    """One derivative of a loss.

    Attributes:
        loss: the loss's name.
        wrt: ``"p"`` or ``"z"``.
        order: 1 or 2.
        raw: what ``sympy.diff`` returned (:func:`smooth_diff` where there are kinks).
        canonical: the canonical form, checked equal to ``raw``.
        undefined_where: expressions ``u``; the derivative does not exist where ``u = 0``.
    """

    loss: str
    wrt: str
    order: int
    raw: sympy.Expr
    canonical: sympy.Expr
    undefined_where: tuple[sympy.Expr, ...] = ()

    # Shown as math in a notebook; the renderers load only when a notebook asks.
    def _repr_latex_(self) -> str:
        from .render.latex import LATEX

        return str(LATEX.render(self))

    def _repr_markdown_(self) -> str:
        from .render.markdown import MARKDOWN

        return str(MARKDOWN.render(self))


def _orient(
    factor: sympy.Expr, main: Symbol, points: Sequence[Mapping[Symbol, Rational]]
) -> tuple[int, sympy.Expr]:
    """Return ``(sign, g)`` with ``factor == sign * g`` and ``g`` positive where it can be."""
    values = [factor.xreplace(pt) for pt in points]
    if values and all(v.is_positive for v in values):
        return 1, factor
    if values and all(v.is_negative for v in values):
        return -1, -factor
    # No fixed sign on the domain: make the leading coefficient in the main variable
    # positive, so that dBCE/dp reads (p - y)/..., positive exactly when p > y.
    if factor.has(main):
        lc = Poly(factor, main).LC()
        if lc.is_number and lc.is_negative:
            return -1, -factor
    elif factor.could_extract_minus_sign():
        return -1, -factor
    return 1, factor


def _oriented_fraction(
    expr: sympy.Expr, main: Symbol, points: Sequence[Mapping[Symbol, Rational]]
) -> sympy.Expr:
    num, den = sympy.fraction(cancel(sympy.together(expr)))
    coeff_n, factors_n = sympy.factor_list(num)
    coeff_d, factors_d = sympy.factor_list(den)
    coeff = Rational(coeff_n) / Rational(coeff_d)
    parts = []
    for factors, sign_power in ((factors_n, 1), (factors_d, -1)):
        for f, k in factors:
            sign, g = _orient(f, main, points)
            coeff *= sign**k
            parts.append(g ** (k * sign_power))
    return coeff * Mul(*parts)


def _rational_candidates(plain: sympy.Expr, main: Symbol, points: Sequence[Mapping[Symbol, Rational]]) -> list[sympy.Expr]:
    """The shapes of a rational function: one oriented fraction, partial fractions in
    ``main``, and its own terms each oriented."""
    oriented: dict[sympy.Expr, sympy.Expr] = {}

    def orient(e: sympy.Expr) -> sympy.Expr:
        # The partial fractions and the expression's own terms are often the same terms
        # (BCE's derivatives in p): each is brought to its oriented fraction once.
        if e not in oriented:
            oriented[e] = _oriented_fraction(e, main, points)
        return oriented[e]

    candidates = [orient(plain)]
    if main in plain.free_symbols and not _in_partial_fractions(plain, main):
        candidates.append(Add(*(orient(t) for t in Add.make_args(apart(cancel(plain), main)))))
    candidates.append(Add(*(orient(t) for t in Add.make_args(plain))))
    return candidates


def _in_partial_fractions(plain: sympy.Expr, main: Symbol) -> bool:
    """Whether ``plain`` is already its own partial fractions in ``main``: at most one term
    free of ``main``, the others each a factor free of it over a power of a linear
    polynomial in it, no two over the same power of the same (or a proportional) one.

    Partial fractions are unique, so SymPy's ``apart`` (which solves for undetermined
    coefficients: a quarter of BCE's derivatives in p) would give these terms back.

    >>> from sympy import Symbol
    >>> p, y = Symbol("p"), Symbol("y")
    >>> _in_partial_fractions(y / p**2 + (1 - y) / (1 - p) ** 2, p)
    True
    >>> _in_partial_fractions(y / p + 2 / (3 * p), p), _in_partial_fractions(1 / (p * (1 - p)), p)
    (False, False)
    """
    seen: set[object] = set()
    for term in Add.make_args(plain):
        if not term.has(main):
            key: object = "free of main"
        else:
            num, den = sympy.fraction(term)
            base, k = den.as_independent(main, as_Add=False)[1].as_base_exp()
            if num.has(main) or not (k.is_Integer and k > 0) or not base.is_polynomial(main):
                return False
            poly = Poly(base, main)
            if poly.degree() != 1:
                return False
            key = (sympy.expand(base / poly.LC()), k)  # p - 1 for 1 - p and for 2 p - 2 alike
        if key in seen:
            return False
        seen.add(key)
    return True


_HYPERBOLIC = (sympy.tanh, sympy.sinh, sympy.cosh)
#: Operations up to which a hyperbolic expression is also given to SymPy's simplify.
_SHORT = 12


def _over_hyperbolic_atoms(plain: sympy.Expr) -> tuple[sympy.Expr, dict[Symbol, sympy.Expr]] | None:
    """``plain`` as a rational function of fresh symbols standing for its tanh and cosh
    atoms (sinh(u) = tanh(u) cosh(u)), with the map back; None when it has no hyperbolic
    atom or other functions remain."""
    if not plain.has(*_HYPERBOLIC):
        return None
    written = plain.replace(sympy.sinh, lambda u: sympy.tanh(u) * sympy.cosh(u))
    atoms = sorted(written.atoms(sympy.Function), key=sympy.default_sort_key)
    if not all(isinstance(a, _HYPERBOLIC) for a in atoms):
        return None
    names = {a: Dummy(f"h{i}") for i, a in enumerate(atoms)}
    rational = written.xreplace(names)
    if not all(rational.is_rational_function(v) for v in rational.free_symbols):
        return None
    return rational, {v: k for k, v in names.items()}


def canonical_form(
    expr: sympy.Expr, domain: Mapping[Symbol, Interval], main: Symbol
) -> sympy.Expr:
    """Bring ``expr`` to lossproof's canonical form on ``domain``.

    Args:
        expr: a derivative (or any expression) in the domain's symbols.
        domain: interval of every free symbol; ``sigmoid(u)`` counts as a value in (0, 1).
        main: the variable the expression is read as a function of (``p`` or ``z``).

    Returns:
        An expression checked equal to ``expr`` on the domain.

    Raises:
        IdentityError: the chosen form did not check equal to ``expr`` (a bug).

    >>> from sympy import Interval, Symbol
    >>> s = Symbol("s")
    >>> canonical_form(s - s**2, {s: Interval.open(0, 1)}, s)
    s*(1 - s)
    """
    plain, names = name_sigmoids(expr)
    local = dict(domain)
    for name in names.values():
        local[name] = Interval.open(0, 1)
    # The main variable of a derivative in z is sigmoid(z) once named.
    main_plain = names.get(sigmoid(main), main)
    points = sample_points(local, _ORIENT_POINTS, seed=current().orient_seed)
    free = plain.free_symbols
    candidates: list[sympy.Expr]
    if all(plain.is_rational_function(s) for s in free) and not plain.atoms(sympy.Function):
        candidates = _rational_candidates(plain, main_plain, points)
    elif (over := _over_hyperbolic_atoms(plain)) is not None:
        # SymPy's simplify on tanh, sinh and cosh spends most of a second in its
        # hyperbolic rewriting (log-cosh's second derivative in z); with sinh(u) written
        # as tanh(u) cosh(u) and each of them taken as a variable, the expression is a
        # rational function, whose shapes are found in milliseconds, and no longer.
        rational, atoms = over
        # Orientation reads each factor's sign at the points: the atoms' values go with them.
        valued = [{**pt, **{v: a.xreplace(pt) for v, a in atoms.items()}} for pt in points]
        candidates = [plain] + [c.xreplace(atoms) for c in _rational_candidates(rational, main_plain, valued)]
        if count_ops(plain) <= _SHORT:
            # Short, it is simplify's to find sech^2 for 1 - tanh^2, in a tenth of a second.
            candidates.insert(1, sympy.simplify(plain))
    else:
        candidates = [plain, sympy.simplify(plain)]
        # A Piecewise that SymPy brings in (sign(u) as u/|u| away from u = 0) is no
        # simpler to read than the sign, and its identity check takes seconds of
        # simplify before it fails: the candidate is dropped unchecked (a candidate
        # left out only costs a shorter form, never soundness).
        if not plain.has(sympy.Piecewise):
            candidates = [c for c in candidates if not c.has(sympy.Piecewise)]
    ranked = [c for _, c in sorted(enumerate(candidates), key=lambda ic: (count_ops(ic[1]), ic[0]))]
    # The shortest form that checks equal wins; SymPy's simplify may return a form the
    # symbolic check cannot confirm (a Piecewise), and that form is then passed over.
    # The raw derivative itself is the last resort, so some form always checks.
    checks = []
    for candidate in ranked + [plain]:
        result = candidate.xreplace({v: k for k, v in names.items()})
        check = check_identity(result, expr, domain)
        if check.holds:
            return result
        checks.append(check)
        if not check.numeric:
            break  # a form that is numerically different is a bug, not a hard case
    raise IdentityError(f"canonical form {result} does not equal {expr}: {checks[-1]}")


@lru_cache(maxsize=256)
def derive(loss: Loss, wrt: str, order: int) -> Derived:
    """Differentiate ``loss`` with SymPy and return the checked canonical form.

    Args:
        loss: the loss.
        wrt: ``"p"`` for the prediction, ``"z"`` for the logit through the loss's link.
        order: 1 or 2.

    Raises:
        InputError: ``wrt`` or ``order`` is not one lossproof derives, or the loss has no link.

    Results are cached per process (a Loss is immutable): claims, documents and
    reports ask for the same derivatives many times.

    >>> from lossproof.losses import get_loss
    >>> derive(get_loss("bce"), "z", 2).canonical
    (1 - sigmoid(z))*sigmoid(z)
    """
    if wrt not in WRT:
        raise InputError(f"cannot differentiate with respect to {wrt!r}: choose p or z")
    if order not in ORDERS:
        raise InputError(f"derivative order {order!r} is not supported: choose 1 or 2")
    form = loss.in_var(wrt)
    expr, var, domain = form.function, form.var, form.domain
    raw = smooth_diff(expr, var, order)
    return Derived(loss.name, wrt, order, raw, canonical_form(raw, domain, var), kinks(expr))


def derivatives(
    loss: Loss, wrt: Sequence[str] = WRT, orders: Sequence[int] = ORDERS, settings: Settings | None = None
) -> list[Derived]:
    """All derivatives of ``loss`` for the given variables and orders, p before z
    (under ``settings``, or those in force)."""
    with using(settings):
        return [derive(loss, w, n) for w in wrt for n in orders]


on_change(derive.cache_clear)  # its checks sample with the settings' counts
