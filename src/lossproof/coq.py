r"""Claims as Coq theorems: generated ``.v`` files, checked by Coq's kernel.

For each claim whose parts use rules this module knows, :func:`coq_file` writes a
Coq file: one theorem per part, its statement generated from the part's
structure (rule, function, variable, domain, minimiser, value), never from its
prose, and its proof the rule lemma of ``coq/Rules.v`` applied to step proofs
generated from the claim's steps:

=========================  =====================================================
step                       Coq proof
=========================  =====================================================
Derivative                 ``auto_derive`` (Coquelicot), then ``field``
Sign, polynomial           ``nra`` on the numerator (split at the box's middle)
Sign, with log lemmas      the lemma instances of ``LossProof.Rules``, then ``nra``
Roots                      ``field`` after ``sigmoid_ln``
Limit                      continuity (``auto_derive``) and the sigmoid's limits
=========================  =====================================================

Terms are printed by :mod:`lossproof.coqterm`; :mod:`lossproof.coqcheck` compiles
the files with ``coqc``. All reads of lossproof's claim structure are in the
adapter section below, so that a change of the claim types touches only it.

>>> import sympy
>>> y, p = sympy.symbols("y p")
>>> _apply(-y*sympy.log(p) - (1 - y)*sympy.log(1 - p), p, "t * a")
('bce y (t * a)', None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy
from sympy import Interval, Symbol, oo

from .coqcheck import (
    COQ_INSTALL,
    STANDARD_AXIOMS,
    CoqReport,
    check_coq,
    compile_against,
    forbidden_words,
    parse_assumptions,
    report_text,
)
from .coqterm import CoqError, coq_term, is_atomic
from .sigmoid import sigmoid

__all__ = [
    "CoqError",
    "CoqReport",
    "COQ_INSTALL",
    "COQ_LOSSES",
    "STANDARD_AXIOMS",
    "check_coq",
    "compile_against",
    "coq_file",
    "coq_files",
    "coq_files_for",
    "coq_term",
    "forbidden_words",
    "parse_assumptions",
    "report_text",
]


# ====================================================================== adapter
# Every read of lossproof's claim, part and step types is in this section.


@dataclass(frozen=True)
class PartView:
    """What a Coq theorem needs to know about one part of a claim, by name.

    ``function`` of ``var`` is what the conclusion is about; ``minimiser`` the point of
    an isMinOn part; ``lhs``/``rhs`` the sides of an identity (``lhs`` alone: the value
    a sign part is about).
    """

    rule: str
    function: sympy.Expr | None
    var: Symbol | None
    minimiser: sympy.Expr | None
    lhs: sympy.Expr | None
    rhs: sympy.Expr | None
    box: tuple[tuple[Symbol, Interval], ...]
    hypotheses: tuple[tuple[sympy.Expr, str], ...]
    derivatives: Mapping[int, sympy.Expr]  # order -> result
    # (expr, rel, lemma uses, the step's own hypotheses beyond the part's)
    signs: tuple[tuple[sympy.Expr, str, tuple[tuple[str, sympy.Expr], ...], tuple[tuple[sympy.Expr, str], ...]], ...]
    limits: tuple[tuple[sympy.Expr, Symbol, sympy.Expr, str, sympy.Expr], ...]


def _claim_id(claim: object) -> str:
    return str(claim.id)  # type: ignore[attr-defined]


def _states_min_value(claim_id: str) -> bool:
    """The claim names a minimum value (its first identity is the value at a minimiser)."""
    return claim_id.startswith("min_value")


def _subject(part: object) -> dict[str, sympy.Expr | None]:
    """The part's typed subject, by the names the theorems below use."""
    rule, s = part.rule, part.subject  # type: ignore[attr-defined]
    out: dict[str, sympy.Expr | None] = dict(function=None, var=None, minimiser=None, lhs=None, rhs=None)
    if rule == "eq_of_identity":
        out.update(lhs=s.function, rhs=s.value)
    elif rule == "sign_of_sign":
        out.update(lhs=s.function)
    else:
        out.update(function=s.function, var=s.var)
        if rule.startswith("isMinOn_"):
            out.update(minimiser=s.point)
    return out


def _part_views(claim: object) -> list[PartView]:
    views = []
    for part in claim.parts:  # type: ignore[attr-defined]
        if _states_min_value(_claim_id(claim)) and part.rule == "isMinOn_of_deriv_eq_zero_of_strictConvexOn":
            continue  # the minimiser is its own theorem (isMinOn_*); min_value cites it
        # Any other minimiser part (a bracket: no closed form) stays, and _theorems refuses
        # it: a file that proved only the rest would be taken for the whole claim.
        derivs: dict[int, sympy.Expr] = {}
        signs, limits = [], []
        for step in part.steps:
            kind = type(step).__name__
            if kind == "Derivative":
                derivs[step.order] = step.result
            elif kind == "Sign":
                own = tuple((h.expr, h.rel) for h in step.domain.hypotheses if h not in part.domain.hypotheses)
                signs.append((step.expr, step.rel, tuple((u.name, u.arg) for u in step.lemmas), own))
            elif kind == "Limit":
                limits.append((step.expr, step.var, step.point, step.direction, step.value))
        rule, subject = part.rule, _subject(part)
        if rule == "tendsto_deriv_of_limit":
            # The limit of the derivative: the theorem is about the derivative's limit.
            rule, subject = "tendsto_of_limit", {**subject, "function": derivs.get(1)}
            derivs = {}
        views.append(
            PartView(
                rule=rule,
                **subject,
                box=tuple(part.domain.intervals),
                hypotheses=tuple((h.expr, h.rel) for h in part.domain.hypotheses),
                derivatives=derivs,
                signs=tuple(signs),
                limits=tuple(limits),
            )
        )
    return views


def _loss_claims(loss: object) -> list[tuple[object, str]]:
    """The claims lossproof builds about ``loss``, with their verdicts."""
    from .claims import prove

    return [(r.claim, r.status) for r in prove(loss)]  # type: ignore[arg-type]


# ====================================================================== definitions

_y, _p = Symbol("y"), Symbol("p")

#: The functions of LossProof.Defs a statement is written with, when the claim's
#: function is one of them: (Coq name, parameters, argument, SymPy body).
DEFINITIONS: tuple[tuple[str, tuple[Symbol, ...], Symbol, sympy.Expr], ...] = (
    ("bce", (_y,), _p, -_y * sympy.log(_p) - (1 - _y) * sympy.log(1 - _p)),
    ("binEntropy", (), _y, -_y * sympy.log(_y) - (1 - _y) * sympy.log(1 - _y)),
    ("klBernoulli", (_y,), _p, -_y * sympy.log(_p / _y) - (1 - _y) * sympy.log((1 - _p) / (1 - _y))),
)


def _apply(fn: sympy.Expr, var: Symbol, arg: str) -> tuple[str, str | None]:
    """``fn`` at the Coq term ``arg``, written with a definition of LossProof.Defs when it is one.

    Returns the term and, when a parameter was fixed to a number (an end case), a
    suffix naming it (``"y_eq_0"``).
    """
    wrapped = arg if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_']*|[0-9]+", arg) else f"({arg})"
    for name, params, x, body in DEFINITIONS:
        for inner, inner_text in ((var, wrapped), (sigmoid(var), f"(sigmoid {wrapped})")):
            choices: list[list[tuple[Symbol, sympy.Expr]]] = [[]]
            for q in params:
                values = [q] if fn.has(q) else [sympy.Integer(0), sympy.Integer(1)]
                choices = [c + [(q, v)] for c in choices for v in values]
            for choice in choices:
                candidate = body.xreplace(dict(choice)).xreplace({x: inner})
                if candidate == fn or sympy.expand(candidate - fn) == 0:
                    fixed = [(q, v) for q, v in choice if q != v]
                    args = " ".join(coq_term(v) if v == q else coq_term(v) for q, v in choice)
                    text = " ".join(t for t in (name, args, inner_text) if t)
                    suffix = "_".join(f"{q}_eq_{v}" for q, v in fixed) or None
                    return text, suffix
    text = coq_term(fn, {var: arg})
    # a statement multiplies it (t * F a): keep it one term
    return (text if is_atomic(text) else f"({text})"), None


# ====================================================================== domains


def _interval_text(var: str, iv: Interval) -> str | None:
    """``lo < v < hi`` for an interval, or None for the whole line."""
    lo, hi = iv.start, iv.end
    left = None if lo == -oo else (coq_term(lo), "<" if iv.left_open else "<=")
    right = None if hi == oo else (coq_term(hi), "<" if iv.right_open else "<=")
    if left and right:
        return f"{left[0]} {left[1]} {var} {right[1]} {right[0]}"
    if left:
        return f"{left[0]} {left[1]} {var}"
    if right:
        return f"{var} {right[1]} {right[0]}"
    return None


def _domain_fun(var: Symbol, iv: Interval) -> str:
    text = _interval_text("x", iv)
    return f"(fun x => {text})" if text else "(fun _ => True)"


def _is_interval(iv: Interval) -> str:
    lo, hi = iv.start, iv.end
    if lo == -oo and hi == oo:
        return "is_interval_univ"
    if not (iv.left_open or lo == -oo) or not (iv.right_open or hi == oo):
        return "ltac:(intros ? ? ? ? ? ?; lra)"
    if hi == oo:
        return f"(is_interval_Ioi {coq_term(lo)})"
    if lo == -oo:
        return f"(is_interval_Iio {coq_term(hi)})"
    return f"(is_interval_Ioo {coq_term(lo)} {coq_term(hi)})"


_REL = {">": "<", ">=": "<=", "<": "<", "<=": "<=", "!=": "<>"}


def _sign_text(expr: sympy.Expr, rel: str) -> str:
    body = coq_term(expr)
    if rel in (">", ">="):
        return f"0 {_REL[rel]} {body}"
    if rel == "!=":
        return f"{body} <> 0"
    return f"{body} {_REL[rel]} 0"


def _hypothesis_text(expr: sympy.Expr, rel: str) -> str:
    # p - y != 0 reads p <> y, as a person writes it
    if isinstance(expr, sympy.Add) and len(expr.args) == 2 and rel == "!=":
        a, b = expr.as_ordered_terms()
        if b.could_extract_minus_sign():
            return f"{coq_term(a)} <> {coq_term(-b)}"
    return _sign_text(expr, rel)


# ====================================================================== step proofs

_UNFOLD = "unfold " + ", ".join(name for name, *_ in DEFINITIONS) + ", sigmoid in *"


def _sigmoid_args(*exprs: sympy.Expr) -> list[sympy.Expr]:
    found: set[sympy.Expr] = set()
    for e in exprs:
        found |= {s.args[0] for s in sympy.sympify(e).atoms(sigmoid)}
    return sorted(found, key=sympy.default_sort_key)


def _facts(*exprs: sympy.Expr) -> str:
    """Bounds of every sigmoid in ``exprs``: the facts side conditions and signs rest on."""
    out = []
    for arg in _sigmoid_args(*exprs):
        a = coq_term(arg)
        out.append(f"pose proof (sigmoid_bounds ({a})); pose proof (exp_pos (- ({a})))")
    return ". ".join(out) + "." if out else ""


def _derive_proof(fn: sympy.Expr, result: sympy.Expr) -> str:
    """``is_derive`` by Coquelicot's ``auto_derive``; the result by ``field``."""
    facts = _facts(fn, result)
    return f"{facts} {_UNFOLD}. auto_derive; [lp_side | field; lp_side].".strip()


def _numerator_tactic(box: Sequence[tuple[Symbol, Interval]], expr: sympy.Expr) -> str:
    """``nra``, or ``nra`` on both halves of one variable's interval (one try per variable).

    First, as hints nra cannot find by itself (it multiplies only pairs of facts): each
    term of the sum that is a product of nonnegative factors is nonnegative, and each
    even power of a nonzero base is positive.
    """
    hints = []
    for term in sympy.Add.make_args(expr):
        hints.append(f"try assert (0 <= {coq_term(term)}) by (repeat (apply Rmult_le_pos || apply pow_le); lra)")
    for term in sympy.Add.make_args(expr):
        factors = [f for f in sympy.Mul.make_args(term) if not f.is_Number]
        if len(factors) >= 3:
            for i in range(len(factors)):
                for j in range(i + 1, len(factors)):
                    pair = coq_term(factors[i] * factors[j])
                    hints.append(f"try assert (0 < {pair}) by nra")
    for power in sorted(expr.atoms(sympy.Pow), key=sympy.default_sort_key):
        base, exp = power.as_base_exp()
        if exp.is_Integer and exp > 0 and exp % 2 == 0:
            hints.append(f"try assert (0 < {coq_term(power)}) by (apply pow_lt; lra)")
    tries = ["lp_pos", "nra"]
    for var, iv in box:
        if expr.has(var) and iv.start.is_finite and iv.end.is_finite:
            mid = coq_term((iv.start + iv.end) / 2)
            tries.append(f"(destruct (Rle_lt_dec {var.name} ({mid})); nra)")
    for arg in _sigmoid_args(expr):
        tries.append(f"(destruct (Rle_lt_dec (sigmoid ({coq_term(arg)})) (1 / 2)); nra)")
    return "".join(f"{h}; " for h in hints) + "first [" + " | ".join(tries) + "]"


def _sign_proof(expr: sympy.Expr, rel: str, box: Sequence[tuple[Symbol, Interval]],
                lemmas: Sequence[tuple[str, sympy.Expr]] = ()) -> str:
    """``0 < expr`` (or ``<=``, ``< 0``): the lemmas' instances, then the numerator by ``nra``."""
    if not lemmas and expr.has(sympy.log, sympy.exp, sympy.tanh, sympy.cosh, sympy.sinh):
        # Decided by lossproof's interval engine: Coq would need the `interval` tactic,
        # which this generator does not emit yet, so the claim is not exported.
        raise CoqError(f"a transcendental sign ({sympy.count_ops(expr)} operations) needs Coq's interval tactic")
    facts = _facts(expr)
    if lemmas:
        uses = []
        for i, (name, arg) in enumerate(lemmas):
            a = coq_term(arg)
            stmt = {"log_neg": f"ln ({a}) < 0", "log_le_sub_one_of_pos": f"ln ({a}) <= {a} - 1",
                    "log_lt_sub_one_of_pos_of_ne_one": f"ln ({a}) < {a} - 1"}.get(name)
            if stmt is None:
                raise CoqError(f"no Coq lemma {name!r}")
            uses.append(f"assert (HL{i} : {stmt}) by (apply {name}; lp_pos)")
        body = "; ".join(uses) + "; nra"
        gibbs = "first [apply gibbs_bernoulli_strict; lp_side | apply gibbs_bernoulli; lp_side | (" + body + ")]."
        return f"{facts} {gibbs}".strip()
    target = -expr if rel in ("<", "<=") else expr
    num, den = sympy.fraction(sympy.together(target))
    flip = "" if rel in (">", ">=") else f"cut (0 {_REL[{'<': '>', '<=': '>='}[rel]]} - ({coq_term(expr)})); [lra|]. "
    if den == 1:
        return f"{facts} {flip}{_numerator_tactic(box, num)}.".strip()
    whole = f"({coq_term(num)}) / ({coq_term(den)})"
    lhs = coq_term(target)
    lhs = f"- ({coq_term(expr)})" if flip else lhs
    den_tac = "first [lp_pos | nra]"
    if rel in (">", "<"):
        tail = f"apply Rdiv_lt_0_compat; [{_numerator_tactic(box, num)} | {den_tac}]"
    else:
        tail = (f"unfold Rdiv; apply Rmult_le_pos; [{_numerator_tactic(box, num)} | "
                f"left; apply Rinv_0_lt_compat; {den_tac}]")
    return f"{facts} {flip}replace ({lhs}) with ({whole}) by (field; lp_side). {tail}.".strip()


def _eq_proof() -> str:
    return (f"rewrite ?sigmoid_ln, ?sigmoid_opp_ln by lp_pos; {_UNFOLD}; rewrite ?ln_div by lp_pos; "
            "first [reflexivity | ring | field; lp_side | lp_ln_eq; ring]")


# ====================================================================== theorems


@dataclass(frozen=True)
class _Theorem:
    name: str
    statement: str
    proof: str

    def text(self) -> str:
        return f"Theorem {self.name} :\n  {self.statement}.\nProof.\n{self.proof}\nQed.\n"


def _params(view: PartView, var: Symbol | None) -> tuple[list[str], list[str]]:
    names, hyps = [], []
    for sym, iv in view.box:
        if sym == var:
            continue
        names.append(sym.name)
        text = _interval_text(sym.name, iv)
        if text:
            hyps.append(text)
    return names, hyps


def _box_of(view: PartView, var: Symbol) -> Interval:
    return dict(view.box)[var]


def _forall(names: Sequence[str], hyps: Sequence[str], body: str) -> str:
    head = f"forall {' '.join(names)}, " if names else ""
    return head + "".join(f"{h} -> " for h in hyps) + body


def _strict_convex(name: str, view: PartView) -> _Theorem:
    fn, var = view.function, view.var
    iv = _box_of(view, var)
    d1 = sympy.diff(fn, var)  # Coq checks it: auto_derive proves F' and field the form
    d2 = view.derivatives[2]
    names, hyps = _params(view, var)
    dom = _interval_text("{}", iv)
    dhyps = [dom.format("a"), dom.format("b")] if dom else []
    body = (f"{_apply(fn, var, 't * a + (1 - t) * b')[0]} < "
            f"t * {_apply(fn, var, 'a')[0]} + (1 - t) * {_apply(fn, var, 'b')[0]}")
    stmt = _forall(names + ["a", "b", "t"], hyps + dhyps + ["a <> b", "0 < t < 1"], body)
    hnames = [f"Hp{i}" for i in range(len(hyps))]
    da = ["Ha", "Hb"] if dom else ["I", "I"]
    intro = " ".join(names + ["a", "b", "t"] + hnames + (["Ha", "Hb"] if dom else []) + ["Hab", "Ht"])
    v = var.name
    proof = f"""  intros {intro}.
  refine (strictConvexOn_of_deriv2_pos {_domain_fun(var, iv)} (fun {v} => {_apply(fn, var, v)[0]})
    (fun {v} => {coq_term(d1)}) (fun {v} => {coq_term(d2)})
    {_is_interval(iv)} _ _ _ a b t {da[0]} {da[1]} Hab Ht).
  - intros {v} H{v}. {_derive_proof(fn, d1)}
  - intros {v} H{v}. {_derive_proof(d1, d2)}
  - intros {v} H{v}. {_sign_proof(d2, '>', view.box)}"""
    return _Theorem(name, stmt, proof)


def _convex(name: str, view: PartView) -> _Theorem:
    """``ConvexOn`` in chord form, from a nonnegative second derivative."""
    fn, var = view.function, view.var
    if view.hypotheses:
        raise CoqError(f"{name}: convexity away from a kink has no Coq rule yet")
    iv = _box_of(view, var)
    d1 = sympy.diff(fn, var)
    d2 = view.derivatives[2]
    names, hyps = _params(view, var)
    dom = _interval_text("{}", iv)
    dhyps = [dom.format("a"), dom.format("b")] if dom else []
    body = (f"{_apply(fn, var, 't * a + (1 - t) * b')[0]} <= "
            f"t * {_apply(fn, var, 'a')[0]} + (1 - t) * {_apply(fn, var, 'b')[0]}")
    stmt = _forall(names + ["a", "b", "t"], hyps + dhyps + ["0 <= t <= 1"], body)
    hnames = [f"Hp{i}" for i in range(len(hyps))]
    da = ["Ha", "Hb"] if dom else ["I", "I"]
    intro = " ".join(names + ["a", "b", "t"] + hnames + (["Ha", "Hb"] if dom else []) + ["Ht"])
    v = var.name
    proof = f"""  intros {intro}.
  refine (convexOn_of_deriv2_nonneg {_domain_fun(var, iv)} (fun {v} => {_apply(fn, var, v)[0]})
    (fun {v} => {coq_term(d1)}) (fun {v} => {coq_term(d2)})
    {_is_interval(iv)} _ _ _ a b t {da[0]} {da[1]} Ht).
  - intros {v} H{v}. {_derive_proof(fn, d1)}
  - intros {v} H{v}. {_derive_proof(d1, d2)}
  - intros {v} H{v}. {_sign_proof(d2, '>=', view.box)}"""
    return _Theorem(name, stmt, proof)


@dataclass(frozen=True)
class _StrictMin:
    """What the two theorems of a strict minimum share: the statement ``f x0 < f v`` for
    every ``v <> x0`` of the domain, its introductions, and the function as a Coq term."""

    names: list[str]  # the parameters
    v: str  # the variable's name
    x0t: str  # the minimiser, as a Coq term
    dom: str  # the variable's interval, "" for all reals
    stmt: str
    intro_v: str  # the introductions of the variable, its interval and v <> x0
    intro: str  # every introduction, the parameters first, then the variable's reverted
    D: str  # the domain, as a Coq predicate
    F: str  # the function of the variable
    F1: str  # its derivative


def _strict_min(view: PartView) -> _StrictMin:
    fn, var = view.function, view.var
    iv = _box_of(view, var)
    names, hyps = _params(view, var)
    v, x0t = var.name, coq_term(view.minimiser)
    dom = _interval_text(v, iv)
    body = f"{_apply(fn, var, x0t)[0]} < {_apply(fn, var, v)[0]}"
    stmt = _forall(names + [v], hyps + ([dom] if dom else []) + [f"{v} <> {x0t}"], body)
    # the parameters first: the step lemmas below quantify over the variable themselves
    hnames = [f"Hp{i}" for i in range(len(hyps))]
    intro_v = " ".join([v] + (["Hv"] if dom else []) + ["Hne"])
    intro = " ".join(names + [v] + hnames + (["Hv"] if dom else []) + ["Hne"]) + f". revert {intro_v}"
    D, F = _domain_fun(var, iv), f"(fun {v} => {_apply(fn, var, v)[0]})"
    return _StrictMin(names, v, x0t, dom, stmt, intro_v, intro, D, F, f"(fun {v} => {coq_term(view.derivatives[1])})")


def _is_min(name: str, view: PartView) -> list[_Theorem]:
    fn, var = view.function, view.var
    iv = _box_of(view, var)
    d1, d2 = view.derivatives[1], view.derivatives[2]
    m = _strict_min(view)
    names, v, x0t, dom, stmt, intro_v, intro, D, F, F1 = m.names, m.v, m.x0t, m.dom, m.stmt, m.intro_v, m.intro, m.D, m.F, m.F1
    F2 = f"(fun {v} => {coq_term(d2)})"
    proof = f"""  intros {intro}.
  assert (Hd : forall {v}, {D} {v} -> is_derive {F} {v} ({coq_term(d1)})).
  {{ intros {v} H{v}. {_derive_proof(fn, d1)} }}
  assert (Hdd : forall {v}, {D} {v} -> is_derive {F1} {v} ({coq_term(d2)})).
  {{ intros {v} H{v}. {_derive_proof(d1, d2)} }}
  assert (Hpos : forall {v}, {D} {v} -> 0 < {coq_term(d2)}).
  {{ intros {v} H{v}. {_sign_proof(d2, '>', view.box)} }}
  assert (Hroot : {F1} ({x0t}) = 0).
  {{ cbv beta. {_eq_proof()}. }}
  assert (Hx0 : {D} ({x0t})) by lp_dom.
  assert (Hd0 : is_derive {F} ({x0t}) 0).
  {{ pose proof (Hd ({x0t}) Hx0) as H. cbv beta in H, Hroot. rewrite Hroot in H. exact H. }}
  exact (proj2 (isMinOn_of_deriv_eq_zero_of_strictConvexOn {D} {F} ({x0t}) {_is_interval(iv)}
    (strictConvexOn_of_deriv2_pos {D} {F} {F1} {F2} {_is_interval(iv)} Hd Hdd Hpos)
    Hx0 Hd0) {v} {'Hv' if dom else 'I'} Hne)."""
    proof = proof.replace("  exact (proj2", f"  intros {intro_v}.\n  exact (proj2", 1)
    base = name.split("_", 1)[1] if "_" in name else name
    out = [_Theorem(name, stmt, proof)]
    # The derivatives themselves, as theorems: they hold for every parameter value.
    dstmt = _forall(names + [v], [dom] if dom else [], f"is_derive {F} {v} ({coq_term(d1)})")
    dproof = f"  intros {' '.join(names + [v])}{' Hv' if dom else ''}. {_derive_proof(fn, d1)}"
    out.append(_Theorem(f"deriv_{base}", dstmt, dproof))
    d2stmt = _forall(names + [v], [dom] if dom else [], f"is_derive {F1} {v} ({coq_term(d2)})")
    d2proof = f"  intros {' '.join(names + [v])}{' Hv' if dom else ''}. {_derive_proof(d1, d2)}"
    out.append(_Theorem(f"deriv2_{base}", d2stmt, d2proof))
    return out


def _sign_change(name: str, view: PartView) -> _Theorem:
    """The unique minimiser from the derivative's sign: negative before it, positive after."""
    fn, var, x0 = view.function, view.var, view.minimiser
    iv = _box_of(view, var)
    d1 = view.derivatives[1]
    m = _strict_min(view)
    v, x0t, dom, stmt, intro_v, intro, D, F, F1 = m.v, m.x0t, m.dom, m.stmt, m.intro_v, m.intro, m.D, m.F, m.F1
    side: dict[str, str] = {}
    for expr, rel, _lemmas, own in view.signs:
        if len(own) != 1 or rel not in ("<", ">"):
            raise CoqError(f"{name}: a sign step without one hypothesis saying on which side it is")
        (h_expr, h_rel), = own
        order = "<" if rel == "<" else ">"
        hyp = _sign_text(h_expr, h_rel)
        # the step's hypothesis (p - y < 0, or sigma(z) - y < 0) from v < x0: directly, or
        # through the sigmoid's monotonicity and its value at the minimiser
        sig_x0 = sympy.simplify(sigmoid(x0).rewrite(sympy.exp))
        through = ""
        if h_expr.has(sigmoid(var)):
            cmp = f"sigmoid {v} < sigmoid ({x0t})" if order == "<" else f"sigmoid ({x0t}) < sigmoid {v}"
            pair = f"{v} ({x0t})" if order == "<" else f"({x0t}) {v}"
            through = (f"assert (Hs : {cmp}) by (apply (sigmoid_strictMono {pair}); lra). "
                       f"assert (E : sigmoid ({x0t}) = {coq_term(sig_x0)}) by {_eq_proof_bracketed()}. "
                       f"rewrite E in Hs. ")
        lt = f"{v} < {x0t}" if order == "<" else f"{x0t} < {v}"
        side[order] = (f"forall {v}, {D} {v} -> {lt} -> {_sign_text(expr, rel)}",
                       f"intros {v} H{v} Hlt. {through}assert (Hh : {hyp}) by lra. "
                       f"{_sign_proof(expr, rel, view.box)}")
    if set(side) != {"<", ">"}:
        raise CoqError(f"{name}: the derivative's sign on both sides of the minimiser is needed")
    proof = f"""  intros {intro}.
  assert (Hd : forall {v}, {D} {v} -> is_derive {F} {v} ({coq_term(d1)})).
  {{ intros {v} H{v}. {_derive_proof(fn, d1)} }}
  assert (Hneg : {side['<'][0]}).
  {{ {side['<'][1]} }}
  assert (Hpos : {side['>'][0]}).
  {{ {side['>'][1]} }}
  assert (Hx0 : {D} ({x0t})) by lp_dom.
  intros {intro_v}.
  exact (proj2 (isMinOn_of_deriv_neg_of_lt_of_pos_of_gt {D} {F} {F1} ({x0t}) {_is_interval(iv)}
    Hd Hx0 Hneg Hpos) {v} {'Hv' if dom else 'I'} Hne)."""
    return _Theorem(name, stmt, proof)


def _eq_proof_bracketed() -> str:
    return f"({_eq_proof()})"


def _open_end(iv: Interval, side: str) -> str:
    lo, hi = iv.start, iv.end
    if lo == -oo and hi == oo:
        return f"exact (open_{side}_univ x Hx)"
    if hi == oo and iv.left_open:
        return f"exact (open_{side}_Ioi _ x Hx)"
    if iv.left_open and iv.right_open:
        return f"exact (open_{side}_Ioo _ _ x Hx)"
    raise CoqError(f"no Coq lemma for an open end of {iv}")


def _no_min(name: str, view: PartView) -> _Theorem:
    fn, var = view.function, view.var
    iv = _box_of(view, var)
    (expr, rel, _lemmas, _own), = view.signs
    d1 = view.derivatives[1]
    v = var.name
    D = _domain_fun(var, iv)
    F = f"(fun {v} => {_apply(fn, var, v)[0]})"
    mono, side = ("strictMonoOn_of_deriv_pos", "left") if rel == ">" else ("strictAntiOn_of_deriv_neg", "right")
    rule = "not_isMinOn_of_strictMonoOn" if rel == ">" else "not_isMinOn_of_strictAntiOn"
    proof = f"""  apply ({rule} {D} {F}).
  - intros x Hx. {_open_end(iv, side)}.
  - apply ({mono} {D} {F} (fun {v} => {coq_term(d1)}) {_is_interval(iv)}).
    + intros {v} H{v}. {_derive_proof(fn, d1)}
    + intros {v} H{v}. {_sign_proof(d1, rel, view.box)}"""
    return _Theorem(name, f"NoMinOn {D} {F}", proof)


def _limit(name: str, view: PartView) -> _Theorem:
    (expr, var, point, direction, value), = view.limits
    fn = view.function
    v = var.name
    shown = _apply(fn, var, v)[0]
    plain = coq_term(expr)
    val = coq_term(value)
    ext = ""
    if point.is_finite:
        where = f"(at_{'right' if direction == '+' else 'left'} ({coq_term(point)}))"
        stmt = f"filterlim (fun {v} => {shown}) {where} (locally ({val}))"
        if shown != plain:
            ext = f"  apply (filterlim_ext (fun {v} => {plain})); [intros {v}; {_UNFOLD}; ring |].\n"
        proof = f"""{ext}  apply tendsto_{'right' if direction == '+' else 'left'}_of_continuous.
  - apply (@ex_derive_continuous R_AbsRing R_NormedModule). auto_derive. lp_side.
  - lp_eval."""
        return _Theorem(name, stmt, proof)
    inf = "p_infty" if point == oo else "m_infty"
    stmt = f"is_lim (fun {v} => {shown}) {inf} ({val})"
    s = Symbol("s_")
    sig = sigmoid(var)
    if expr.xreplace({sig: s}).has(var):
        raise CoqError(f"no Coq limit rule for {expr} as {var} -> {point}")
    inner = sympy.Integer(1 if point == oo else 0)
    outer_expr = expr.xreplace({sig: s})
    for fn_at in outer_expr.atoms(sympy.log):
        if not (fn_at.args[0].subs(s, inner)).is_positive:
            # e.g. s log s as s -> 0: not continuous there; Coq needs a limit lemma for it
            raise CoqError(f"no Coq limit rule for {expr}: {fn_at} is not continuous at s = {inner}")
    pattern = re.compile(r"\bsigmoid " + re.escape(v) + r"(?![A-Za-z0-9_'])")
    outer = pattern.sub("s", plain)
    if shown != plain:
        ext = f"  apply (is_lim_ext (fun {v} => {plain})); [intros {v}; {_UNFOLD}; ring |].\n"
    at = "1" if point == oo else "0"
    proof = f"""{ext}  apply (tendsto_comp_of_continuous sigmoid (fun s => {outer}) {inf} {at} ({val})).
  - exact sigmoid_lim_{'p' if point == oo else 'm'}.
  - apply (@ex_derive_continuous R_AbsRing R_NormedModule). auto_derive. lp_side.
  - lp_eval."""
    return _Theorem(name, stmt, proof)


def _sign_part(name: str, view: PartView) -> _Theorem:
    (expr, rel, lemmas, _own), = view.signs
    names, hyps = _params(view, None)
    hyps = hyps + [_hypothesis_text(e, r) for e, r in view.hypotheses]
    stmt = _forall(names, hyps, _sign_text(expr, rel))
    proof = f"  intros {' '.join(names + [f'Hp{i}' for i in range(len(hyps))])}. {_sign_proof(expr, rel, view.box, lemmas)}"
    return _Theorem(name, stmt, proof)


def _identity_part(name: str, view: PartView) -> _Theorem | None:
    lhs, rhs = view.lhs, view.rhs
    if lhs == rhs:
        return None  # a claim's restatement of a value; nothing for Coq to check
    names, hyps = _params(view, None)
    stmt = _forall(names, hyps, f"{coq_term(lhs)} = {coq_term(rhs)}")
    proof = f"  intros {' '.join(names + [f'Hp{i}' for i in range(len(hyps))])}. {_eq_proof()}."
    return _Theorem(name, stmt, proof)


def _min_value(name: str, view: PartView, minimiser: tuple[str, PartView]) -> _Theorem:
    """``value <= F v`` for every v: the value is F at the minimiser of the isMinOn theorem."""
    thm, mview = minimiser
    fn, var, x0 = mview.function, mview.var, mview.minimiser
    value = view.lhs
    iv = _box_of(mview, var)
    names, hyps = _params(mview, var)
    v, x0t = var.name, coq_term(x0)
    dom = _interval_text(v, iv)
    stmt = _forall(names + [v], hyps + ([dom] if dom else []), f"{coq_term(value)} <= {_apply(fn, var, v)[0]}")
    hnames = [f"Hp{i}" for i in range(len(hyps))]
    proof = f"""  intros {' '.join(names + [v] + hnames + (['Hv'] if dom else []))}.
  replace ({coq_term(value)}) with ({_apply(fn, var, x0t)[0]}) by ({_eq_proof()}).
  destruct (Req_dec {v} ({x0t})) as [Heq|Hne].
  - rewrite Heq. right. reflexivity.
  - left. apply {thm}; assumption."""
    return _Theorem(name, stmt, proof)


def _end_suffix(view: PartView) -> str:
    fn, var = view.function, view.var
    return _apply(fn, var, var.name)[1] or ""


def _base(claim_id: str) -> str:
    return claim_id.split("_", 1)[1] if "_" in claim_id else claim_id


_MAIN_RULES = {"strictConvexOn_of_deriv2_pos", "isMinOn_of_deriv_eq_zero_of_strictConvexOn"}


def _theorems(claim_id: str, views: Sequence[PartView],
              minimisers: Mapping[str, tuple[str, PartView]]) -> tuple[list[_Theorem], list[str]]:
    """The Coq theorems of one claim, and the generated files they import."""
    out: list[_Theorem] = []
    imports: list[str] = []
    for i, view in enumerate(views):
        default = claim_id if i == 0 else f"{claim_id}_{i + 1}"
        if view.rule == "strictConvexOn_of_deriv2_pos":
            out.append(_strict_convex(default, view))
        elif view.rule == "convexOn_of_deriv2_nonneg":
            out.append(_convex(default, view))
        elif view.rule == "isMinOn_of_deriv_eq_zero_of_strictConvexOn":
            out.extend(_is_min(default, view))
        elif view.rule == "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt":
            out.append(_sign_change(default, view))
        elif view.rule == "not_isMinOn_of_strictMonoOn":
            suffix = _end_suffix(view)
            out.append(_no_min(f"noMinOn_{_base(claim_id)}_of_{suffix}" if suffix else default, view))
        elif view.rule == "tendsto_of_limit":
            suffix = _end_suffix(view)
            out.append(_limit(f"tendsto_{_base(claim_id)}_of_{suffix}" if suffix else default, view))
        elif view.rule == "sign_of_sign":
            out.append(_sign_part(f"{claim_id}_pos" if _states_min_value(claim_id) else default, view))
        elif view.rule == "eq_of_identity":
            if _states_min_value(claim_id) and i == 0:
                found = [m for m in minimisers.values() if _value_of(m[1]) is not None
                         and sympy.simplify(_value_of(m[1]) - view.lhs) == 0]
                if not found:
                    raise CoqError(f"{claim_id}: no minimiser whose value is {view.lhs}")
                out.append(_min_value(claim_id, view, found[0]))
                imports.append(found[0][0])
                continue
            thm = _identity_part(default, view)
            if thm is not None:
                out.append(thm)
        else:
            raise CoqError(f"{claim_id}: no Coq rule for {view.rule!r}")
    return out, imports


def _value_of(view: PartView) -> sympy.Expr | None:
    fn, var, x0 = view.function, view.var, view.minimiser
    return fn.xreplace({var: x0}) if not fn.has(sigmoid) else None


_HEADER = """(* Generated by `lossproof render` from the claim's structure: do not edit.
   Check it with `lossproof check --coq`. *)
From Coq Require Import Reals Lra Psatz.
From Coquelicot Require Import Coquelicot.
From LossProof Require Import Defs Rules.
"""


def coq_file(claim: object, loss_name: str, minimisers: Mapping[str, tuple[str, PartView]] | None = None) -> str:
    """The Coq file proving ``claim``: its theorems, generated from its structure.

    ``minimisers`` maps the theorem names of the loss's isMinOn claims to their parts
    (a min_value claim's statement is the function at one of them).

    Raises:
        CoqError: a part whose rule, function or step has no Coq counterpart here.
    """
    views = _part_views(claim)
    theorems, imports = _theorems(_claim_id(claim), views, minimisers or {})
    head = _HEADER + "".join(f"From LossProof.Proofs.{loss_name} Require Import {m}.\n" for m in imports)
    return head + "Open Scope R_scope.\n\n" + "\n".join(t.text() for t in theorems)


#: The losses whose claims are exported to Coq (their generated files compile; see the README).
COQ_LOSSES = ("bce", "mse", "bce_pos_weight", "bce_label_smoothing", "focal", "poisson", "mae", "logcosh")


def coq_files_for(loss: object, claims: Sequence[object]) -> dict[str, str]:
    """``proofs/<loss>/<claim-id>.v`` for each of ``claims`` (proved claims about ``loss``) Coq can state.

    Only the losses of :data:`COQ_LOSSES` are exported; a claim with a part that has
    no Coq counterpart yet is left out (the README lists which, and why).
    """
    name = str(loss.name)  # type: ignore[attr-defined]
    if name not in COQ_LOSSES:
        return {}
    minimisers = {}
    for claim in claims:
        views = _part_views(claim)
        if views and views[0].rule == "isMinOn_of_deriv_eq_zero_of_strictConvexOn":
            minimisers[_claim_id(claim)] = (_claim_id(claim), views[0])
    files: dict[str, str] = {}
    for claim in claims:
        try:
            files[f"proofs/{name}/{_claim_id(claim)}.v"] = coq_file(claim, name, minimisers)
        except CoqError:
            continue  # not stated in Coq yet
    return files


def coq_files(losses: Iterable[object]) -> dict[str, str]:
    """:func:`coq_files_for` each of ``losses``, proving their claims first."""
    files: dict[str, str] = {}
    for loss in losses:
        files.update(coq_files_for(loss, [c for c, status in _loss_claims(loss) if status == "proved"]))
    return files
