r"""Numerically stable forms of a loss and its gradients, each rewrite checked equal to the derivation.

The derived expression (the truth the audit uses) is rewritten for floating point in a
few moves, and every move is checked by :func:`lossproof.identity.check_identity` before
any code is emitted:

1. ``log(sigmoid(z)) = -softplus(-z)`` and ``log(1 - sigmoid(z)) = -softplus(z)``, where
   ``softplus(u) = max(u, 0) + log1p(exp(-|u|))`` (exp of a non-positive argument only);
2. a branch on the sign of ``z`` (and, where it helps, a third for ``|z| <= 1``, written in
   ``d = sigmoid(z) - 1/2 = tanh(z/2)/2``: see :func:`_linear_sums`): with ``e = exp(-|z|)`` both ``s = sigmoid(z)`` and
   ``c = 1 - sigmoid(z)`` are computed without cancellation (``1/(1 + e)`` and
   ``e/(1 + e)``, one for each); every sum ``a + b s`` in the expression is then written
   ``-b c`` when ``a + b = 0``, ``b s`` when ``a = 0``, and otherwise, for ``z >= 0``,
   ``(a + b) - b c`` (so that ``sigmoid(z) - 1`` at ``y = 1`` is ``-c``, exact) or, for
   ``z < 0``, ``a + b s`` (where ``s <= 1/2``), or ``(a + b/2) + b d`` at the center. Such a
   sum vanishes at a soft label where ``sigmoid(z) = -a/b``, an irrational logit, and next
   to it the result is far smaller than its terms: it is a :class:`pair_sum`, which the
   NumPy and C code computes in pairs of long doubles (about 128 bits) from ``s``, ``c``,
   ``d`` as pairs, so that the 64 bits of a long double are left after the cancellation;
3. ``log(cosh(u)) = log1p(2 sinh(u/2)^2)`` (no ``1 + tiny`` rounded to 1);
4. in ``p``: ``log(1 - p) = log1p(-p)``;
5. in ``p``, a rational quantity (BCE's family) is written ``N/D`` over a common denominator,
   with the numerator ``N``, a polynomial of degree at most 2 in ``p`` and ``y`` with small
   integer coefficients, summed exactly (:class:`exact_sum`). ``N`` vanishes where the
   gradient does (``p = 3y/(1 + 2y)`` for pos_weight), and the naive sum of fractions
   cancels there catastrophically; ``N`` of floating-point inputs is a dyadic rational that
   an error-free sum computes exactly, so one rounding of ``N/D`` is left;
6. a gradient that is a sum of terms with logarithms (focal's, in p and in z), whose zero at a
   soft label is where those terms cancel, is computed wholly in pairs of long doubles
   (:attr:`StableForm.pairs`): logarithms by a Newton step on the pair exponential.

>>> from lossproof.losses import get_loss
>>> form = stable_form(get_loss("bce"), "grad_z")
>>> form.branches
((Abs(z) <= 1, pair_sum(1 - 2*y, 2, d, 2)), (z >= 0, pair_sum(1 - y, -1, c, 1)), (z < 0, pair_sum(-y, 1, s, 1)))
>>> all(r.holds for r in form.rewrites)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Add, Function, Interval, Symbol, exp, log
from sympy.codegen.cfunctions import log1p

from ..errors import IdentityError
from ..identity import check_identity
from ..losses import Loss, p, y, z
from ..sigmoid import sigmoid
from ..audit.truth import quantity_expr

__all__ = ["softplus", "exact_sum", "pair_sum", "S", "C", "D", "Rewrite", "StableForm", "stable_form", "PRIMITIVES"]

#: Placeholders of the emitted code: s = sigmoid(z), c = 1 - sigmoid(z) = sigmoid(-z),
#: d = sigmoid(z) - 1/2 = tanh(z/2)/2.
S = Symbol("s")
C = Symbol("c")
D = Symbol("d")
#: In the center polynomial: L = (softplus(z) + softplus(-z))/2 = log(2 cosh(z/2)), and the
#: logit as it enters through softplus(z) - softplus(-z) = z (printed as z).
L = Symbol("L")
Z = Symbol("z_")
_CENTER = Interval.open(-1, 1)
#: Domains of the checks: y in [0, 1], the logit on each side of 0 (a window, as the
#: identity check samples unbounded intervals on one), p in (0, 1).
_Y = Interval(0, 1)
_POS = Interval(0, 20)
_NEG = Interval.open(-20, 0)


class softplus(Function):  # noqa: N801 - lower case, like SymPy's functions
    r""":math:`\log(1 + e^u)`, computed as ``max(u, 0) + log1p(exp(-|u|))``."""

    nargs = 1

    def _eval_rewrite_as_exp(self, arg: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return log(1 + exp(arg))

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sigmoid(self.args[0])


class exact_sum(Function):  # noqa: N801 - lower case, like SymPy's functions
    r"""The sum of its arguments, computed exactly and rounded once.

    Each argument is a monomial ``k``, ``k u`` or ``k u v`` (``k`` an integer of at most 11
    bits, ``u``, ``v`` inputs): ``k u`` is exact in the working precision, and ``k u v`` is
    split into its rounded product and that product's exact error (Dekker's two-product). The
    terms are summed into a nonoverlapping expansion with Knuth's two-sum (Shewchuk's
    grow-expansion), which is exact, and the expansion is added up from its smallest part.
    Printed as a call of the emitted code's ``_exact_sum``; for the identity check it is
    an ordinary sum.
    """

    @classmethod
    def eval(cls, *args: sympy.Expr) -> None:
        return None


class pair_sum(Function):  # noqa: N801 - lower case, like SymPy's functions
    r"""``(A + B v)/q``, with ``v`` one of s, c, d: a sum that vanishes inside the range.

    ``A`` and ``B`` are polynomials in y with integer coefficients (exact, as in
    :class:`exact_sum`) and ``q`` a positive integer. At a soft label ``A + B v`` is 0 where
    ``v = -A/B``, an irrational logit, and next to it the sum is far smaller than its terms:
    the NumPy and C code computes ``v`` (from ``exp(-|z|)`` and ``expm1``) and the sum in
    pairs of long doubles (about 128 bits), so that what is left after the cancellation still
    has 64. PyTorch and JAX print it as the plain sum.
    """

    nargs = 4

    @classmethod
    def eval(cls, *args: sympy.Expr) -> None:
        return None


#: The widest integer coefficient exact_sum takes: k u stays exact in a 64-bit significand.
_COEFF_BITS = 11


@dataclass(frozen=True)
class Rewrite:
    """One checked rewrite: what it is, the two sides, where, and whether it holds."""

    name: str
    before: sympy.Expr
    after: sympy.Expr
    holds: bool


def _check(name: str, before: sympy.Expr, after: sympy.Expr, domain: dict, via_exp: bool = False) -> Rewrite:
    b = before.rewrite(exp).rewrite(log)
    a = after.rewrite(exp).rewrite(log)
    if via_exp:
        # exp is injective on the reals: equal exponentials are equal logarithms, and
        # SymPy decides e^(z + log(1 + e^-z)) = 1 + e^z where it cannot the logs.
        b, a = exp(b), exp(a)
    ok = check_identity(b, a, domain).holds
    return Rewrite(name, before, after, ok)


@lru_cache(maxsize=1)
def _primitives() -> tuple[Rewrite, ...]:
    u = Symbol("u")
    return (
        _check("sigmoid, z >= 0", sigmoid(z), 1 / (1 + exp(-z)), {z: _POS}),
        _check("sigmoid, z < 0", sigmoid(z), exp(z) / (1 + exp(z)), {z: _NEG}),
        _check("1 - sigmoid, z >= 0", 1 - sigmoid(z), exp(-z) / (1 + exp(-z)), {z: _POS}),
        _check("1 - sigmoid, z < 0", 1 - sigmoid(z), 1 / (1 + exp(z)), {z: _NEG}),
        _check("softplus, u >= 0", softplus(u), u + log1p(exp(-u)), {u: _POS}, via_exp=True),
        _check("softplus, u < 0", softplus(u), log1p(exp(u)), {u: _NEG}),
        _check("sigmoid - 1/2", sigmoid(z) - sympy.Rational(1, 2), sympy.tanh(z / 2) / 2, {z: _CENTER}),
        _check("log sigmoid", log(sigmoid(z)), -softplus(-z), {z: Interval(-20, 20)}),
        _check("log(1 - sigmoid)", log(1 - sigmoid(z)), -softplus(z), {z: Interval(-20, 20)}, via_exp=True),
        _check("log cosh", log(sympy.cosh(u)), log1p(2 * sympy.sinh(u / 2) ** 2), {u: Interval(-1, 1)}),
        _check("log(1 - p)", log(1 - p), log1p(-p), {p: Interval.open(0, 1)}),
    )


#: The primitive identities the emitted code relies on, each checked (``.holds``).
PRIMITIVES = property(lambda self: _primitives())


@dataclass(frozen=True)
class StableForm:
    """A quantity's stable form.

    Attributes:
        loss, quantity: what it computes.
        var: its input besides ``y`` (``z`` or ``p``).
        truth: the derived expression.
        branches: ``(condition, expression)`` pairs in ``y``, ``s``, ``c``,
            ``softplus(z)``, ``softplus(-z)`` (z quantities) or ``y``, ``p`` (grad_p).
        rewrites: every rewrite, checked; ``holds`` of each is true or the form is not built.
        pairs: the whole of each branch is computed in pairs of long doubles (NumPy and C): a
            gradient that is a sum of logarithmic terms (focal's), whose zero at a soft label is
            where those terms cancel. False where the form does not need it or cannot (a
            ``sign``, ``tanh``, or a sum already written as an exact or pair sum).
    """

    loss: str
    quantity: str
    var: Symbol
    truth: sympy.Expr
    branches: tuple[tuple[sympy.Expr, sympy.Expr], ...]
    rewrites: tuple[Rewrite, ...]
    pairs: bool = False


def _softplus_logs(expr: sympy.Expr) -> sympy.Expr:
    expr = expr.replace(lambda a: a == log(1 - sigmoid(z)), lambda a: -softplus(z))
    expr = expr.replace(lambda a: isinstance(a, log) and a.args[0] == sigmoid(z), lambda a: -softplus(-z))
    return expr


def _log_cosh(expr: sympy.Expr) -> sympy.Expr:
    return expr.replace(
        lambda a: isinstance(a, log) and isinstance(a.args[0], sympy.cosh),
        # u/2 kept as one product: SymPy would distribute it over u's terms, and (c + (y - 1))/2
        # must not become c/2 + y/2 - 1/2, which cancels at y = 1.
        lambda a: log1p(2 * sympy.sinh(sympy.Mul(sympy.Rational(1, 2), a.args[0].args[0], evaluate=False)) ** 2),
    )


def _linear_sums(expr: sympy.Expr, mode: str) -> sympy.Expr:
    """Rewrite every sum a + b s (a, b free of s and c) as step 2 of the module says.

    ``mode`` is the branch: "pos" (z >= 0), "neg" (z < 0) or "center" (|z| <= 1, where
    s = 1/2 + d with d = tanh(z/2)/2 exact, and a + b s is (a + b/2) + b d: at a label that
    puts the zero at z = 0, such as y = 1/2 for sigma(z) - y, a + b/2 is exactly 0).
    """
    if expr.is_Atom:
        return expr
    args = [_linear_sums(a, mode) for a in expr.args]
    node = expr.func(*args)
    if not isinstance(node, Add) or not node.has(S):
        return node
    poly = sympy.Poly(node, S) if node.is_polynomial(S) else None
    if poly is None or poly.degree() != 1 or any(c.has(C) for c in poly.all_coeffs()):
        return node
    b, a = poly.all_coeffs()
    total = sympy.factor(a + b)
    if total == 0:
        return -b * C
    if mode == "center":
        half = sympy.factor(a + b / 2)
        return b * D if half == 0 else _pair_sum(half, b, D)
    if mode == "pos" and a != 0:
        return _pair_sum(total, -b, C)
    return _pair_sum(a, b, S) if a != 0 else b * S


def _pair_sum(a: sympy.Expr, b: sympy.Expr, v: sympy.Symbol) -> sympy.Expr:
    """``a + b v`` as a :class:`pair_sum` where ``a`` and ``b`` are polynomials in y that it
    takes (else as the plain sum, computed in the working precision)."""
    polys = [sympy.Poly(e, y) if e.is_polynomial(y) else None for e in (a, b)]
    if any(q is None or q.degree() > 2 or not all(c.is_Rational for c in q.coeffs()) for q in polys):
        return Add(a, b * v, evaluate=False)
    scale = sympy.ilcm(*[sympy.Rational(c).q for q in polys for c in q.coeffs()])
    num_a, num_b = sympy.expand(a * scale), sympy.expand(b * scale)
    if any(abs(int(c)).bit_length() > _COEFF_BITS for e in (num_a, num_b) for c in sympy.Poly(e, y).coeffs()):
        return Add(a, b * v, evaluate=False)
    return pair_sum(num_a, num_b, v, sympy.Integer(scale))


def _branch(expr: sympy.Expr, mode: str, crosses_zero: bool = False) -> sympy.Expr:
    named = expr.xreplace({sigmoid(z): S})
    out = _log_cosh(_linear_sums(named, mode))
    if crosses_zero and mode == "center" and out.is_Add and out.has(S, C) and expr.is_polynomial(sigmoid(z), softplus(z), softplus(-z)):
        return _center_polynomial(expr)
    return out


def _center_polynomial(expr: sympy.Expr) -> sympy.Expr:
    """A sum of terms in s, c and softplus (focal's gradient) around z = 0, as a polynomial.

    With s = 1/2 + d, c = 1/2 - d, softplus(z) = L + z/2 and softplus(-z) = L - z/2 (L the
    mean of the two), the sum is expanded in d and z with each coefficient factored: the
    constant term carries the factor that vanishes at the label whose zero is z = 0
    (2y - 1 for focal), and every other term is small with d and z, so nothing cancels there.
    """
    e = expr.xreplace({sigmoid(z): sympy.Rational(1, 2) + D})
    e = e.xreplace({softplus(z): L + Z / 2, softplus(-z): L - Z / 2})
    poly = sympy.Poly(sympy.expand(e), D, Z)
    terms = [sympy.factor(coeff) * D**i * Z**j for (i, j), coeff in sorted(poly.terms())]
    return Add(*terms, evaluate=False)


def _exact_fraction(expr: sympy.Expr) -> sympy.Expr | None:
    """``expr``, a rational function of p and y, as exact_sum(numerator)/denominator, or None.

    None where ``expr`` is not rational, its numerator has a monomial of degree above 2, a
    coefficient wider than :data:`_COEFF_BITS` bits, or nothing to gain (a single term).
    """
    if not expr.is_rational_function(p, y):
        return None
    num, den = sympy.fraction(sympy.together(expr))
    poly = sympy.Poly(sympy.expand(num), p, y)
    # integer coefficients: the rational ones (9/10 of label smoothing) times their lcm
    scale = sympy.ilcm(*[sympy.Rational(c).q for c in poly.coeffs()])
    poly = poly * scale
    den = sympy.factor(den * scale)
    terms = []
    for (i, j), k in poly.terms():
        if i + j > 2 or not k.is_Integer or abs(int(k)).bit_length() > _COEFF_BITS:
            return None
        terms.append(sympy.Mul(k, p**i, y**j))
    if len(terms) < 2:
        return None
    return exact_sum(*terms) / den


def _back(expr: sympy.Expr) -> sympy.Expr:
    """The branch form read back through the primitive identities (each checked on its
    own), so that what is left to check against the truth is the algebra of the branch."""
    expr = expr.replace(lambda a: isinstance(a, pair_sum), lambda a: (a.args[0] + a.args[1] * a.args[2]) / a.args[3])
    # z_ and L of the center polynomial stand for softplus(z) -/+ softplus(-z) (a difference
    # and a mean): read back so, the check sees one function of sigmoid(z), not two variables.
    back = expr.xreplace({Z: softplus(z) - softplus(-z), L: (softplus(z) + softplus(-z)) / 2})
    back = back.xreplace({softplus(-z): -log(sigmoid(z)), softplus(z): -log(1 - sigmoid(z))})
    back = back.replace(
        lambda a: isinstance(a, log1p) and isinstance(a.args[0], Add),
        lambda a: log(1 + a.args[0]) if not _is_cosh_form(a.args[0]) else log(sympy.cosh(_cosh_arg(a.args[0]))),
    )
    return back.xreplace({S: sigmoid(z), C: 1 - sigmoid(z), D: sigmoid(z) - sympy.Rational(1, 2)})


def _is_cosh_form(arg: sympy.Expr) -> bool:
    return _cosh_arg(arg) is not None


def _cosh_arg(arg: sympy.Expr) -> sympy.Expr | None:
    # 2 sinh(u/2)**2, as _log_cosh writes it
    sinhs = [a for a in arg.atoms(sympy.sinh)]
    if len(sinhs) == 1 and sympy.simplify(arg - 2 * sinhs[0] ** 2) == 0:
        return 2 * sinhs[0].args[0]
    return None


@lru_cache(maxsize=64)
def stable_form(loss: Loss, quantity: str) -> StableForm:
    """The stable form of ``quantity`` ("loss", "grad_p", "grad_z") of ``loss``.

    Raises:
        InputError: as :func:`lossproof.audit.truth.quantity_expr`.
        IdentityError: a rewrite did not check (a bug: nothing is emitted).
    """
    truth, var = quantity_expr(loss, quantity)
    rewrites = list(_primitives())
    if var == p:
        exact = _exact_fraction(truth)
        if exact is not None:
            form = exact
            back = exact.replace(lambda a: isinstance(a, exact_sum), lambda a: Add(*a.args))
            rewrites.append(_check(f"{quantity}: exact numerator over a common denominator", truth, back, {y: _Y, p: Interval.open(0, 1)}))
        else:
            form = _log_cosh(truth.replace(lambda a: a == log(1 - p), lambda a: log1p(-p)))
            rewrites.append(_check(f"{quantity}: log1p form", truth, form, {y: _Y, p: Interval.open(0, 1)}))
        branches = ((sympy.true, form),)
    else:
        soft = _softplus_logs(truth)
        branches = []
        for cond, mode, dom in ((sympy.Abs(z) <= 1, "center", _CENTER), (z >= 0, "pos", _POS), (z < 0, "neg", _NEG)):
            # a gradient in z crosses 0 where the loss has its minimum; the loss does not
            br = _branch(soft, mode, crosses_zero=quantity == "grad_z")
            if mode == "center" and not br.has(D):
                continue  # nothing to gain at the center: the sign branches cover it
            rewrites.append(_check(f"{quantity}: branch {cond}", truth, _back(br), {y: _Y, z: dom}))
            branches.append((cond, br))
        branches = tuple(branches)
    bad = [r for r in rewrites if not r.holds]
    if bad:
        raise IdentityError(f"rewrite {bad[0].name!r} of {loss.name} {quantity} does not check: {bad[0].after}")
    pairs = quantity != "loss" and all(_pairable(e) for _, e in branches)
    return StableForm(loss.name, quantity, var, truth, branches, tuple(rewrites), pairs)


#: What an expression computed in pairs may hold: sums, products, integer powers, numbers,
#: the inputs and placeholders, log, log1p and softplus.
_PAIRABLE = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Number, sympy.Symbol, log, log1p, softplus)


def _pairable(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is a sum that may cancel and that pairs can compute (see StableForm)."""
    if not isinstance(expr, Add) or expr.has(exact_sum, pair_sum):
        return False
    for node in sympy.preorder_traversal(expr):
        if not isinstance(node, _PAIRABLE):
            return False
        if isinstance(node, sympy.Pow) and not node.exp.is_Integer:
            return False
    return True
