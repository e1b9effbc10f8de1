r"""LaTeX: derivatives, claims, comparison tables and documents (snippets and standalone articles).

Everything rendered here was computed and checked elsewhere: derivation chains by
:mod:`lossproof.derivation`, claims by :mod:`lossproof.kernel`. Notation is stated
once in each document: natural log, :math:`\sigma` for the sigmoid, fractions
rather than negative powers, ``\left( \right)`` only around tall content.

A claim's part is typeset by a method named after its rule (``_part_<rule>``),
as SymPy's printers dispatch on the class name: a new rule is one new method.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy

from .. import __name__ as _package
from ..derivation import Chain, derivation, stationary
from ..derive import Derived
from ..losses import Loss
from ..losses import y as y_symbol
from ..errors import LossproofError
from ..notation import derivative_latex, derivative_operator_latex, operator_latex, equation_label_for, interval_text, latex_text, to_latex
from ..parse import parse_expression
from ..kernel import RULES, Claim, ClaimResult, Derivative, Domain, Identity, Limit, Part, Roots, Sign, Step
from ..statement import claim_statement, part_statement
from .visitor import Renderer, engines_words, operator_of

if TYPE_CHECKING:
    from ..compare import Row
    from ..enclosure import Enclosure
    from ..softmax import SoftmaxCE

__all__ = [
    "chain_latex",
    "derivations_latex",
    "standalone_latex",
    "softmax_latex",
    "softmax_gradient_latex",
    "derivatives_latex",
    "equation_label",
    "claims_latex",
    "claim_line_latex",
    "table_array_latex",
    "table_latex",
    "LatexRenderer",
    "LATEX",
    "ClaimWriter",
    "PROOF_MACROS",
    "THEOREM_STYLE",
    "RULE_WORDS",
    "rule_words",
    "claim_statement_latex",
    "part_case_latex",
    "part_statement_latex",
    "counterexample_latex",
    "claim_block_latex",
]

#: Longest formula typeset inline in a proof step, in LaTeX characters.
_LONGEST = 400
_REL = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq", "!=": r"\neq", "==": "="}
_ENGINE_NAMES = {"sympy": "SymPy-side rules", "z3": "Z3", "numeric": "numeric check"}


def _m(expr: sympy.Expr) -> str:
    return to_latex(expr)


#: Longest formula of a proof step set without break points between the factors of its
#: products, in LaTeX characters; a longer one may break there (a step's formula is running text).
_UNBROKEN = 100


def _mb(expr: sympy.Expr) -> str:
    tex = to_latex(expr)
    return to_latex(expr, breakable=True) if len(tex) > _UNBROKEN else tex


def _ident(name: str) -> str:
    """An identifier for ``\\texttt``, allowed to break after its underscores."""
    return latex_text(name).replace(r"\_", r"\_\allowbreak{}")


def _chain_lines(chain: Chain) -> tuple[str, list[tuple[sympy.Expr, str, str]]]:
    """The left-hand side, and (expression, what follows it, rule) for every line of the chain."""
    if chain.kind == "stationary":
        lhs = derivative_latex(chain.operator, chain.wrt, 1) + " = 0"
        lines = [(chain.start, " = 0", "")]
        for step in chain.steps:
            lines.append((step.expr, "" if isinstance(step.expr, sympy.Equality) else " = 0", step.rule))
        return lhs, lines
    lhs = derivative_latex(chain.operator, chain.wrt, chain.order)
    return lhs, [(chain.start, "", "")] + [(step.expr, "", step.rule) for step in chain.steps]


#: Commands that take no width of their own; any other command (\sigma, \log) is about a letter.
_SILENT = re.compile(r"\\(?:left|right|displaystyle|operatorname|quad|,|mathbb)(?![a-zA-Z])|[{}^_\s]")
#: Operators set in upright letters, as wide as their names.
_NAMED = re.compile(r"\\(log|exp|tanh|cosh|sinh|sin|cos|lim|min|max)(?![a-zA-Z])")
#: Binary operators and relations (a leading sign is spaced less, but about alike).
_SPACED = re.compile(r"[-+=<>]|\\(?:leq|geq|neq|iff|to)(?![a-zA-Z])")
#: Widest line of a derivation in an article, in letters: past it a sum is broken between
#: its terms, and a single term still wider is set as a paragraph.
_WIDEST = 31


def _group(tex: str, start: int) -> int:
    """The index just past the brace group that opens at ``tex[start]``."""
    depth = 0
    for i in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth == 0:
            return i + 1
    return len(tex)


def _width(tex: str) -> int:
    r"""About how many letters wide ``tex`` is set: a ``\frac`` is as wide as its wider part.

    >>> _width(r"\frac{p - y}{p (1 - p)} + \sigma(z)")
    13
    """
    k = tex.find(r"\frac{")
    if k < 0:
        plain = _SILENT.sub("", tex)
        # A named operator is set as its letters (log, tanh); a binary operator or a
        # relation takes about a letter of space on either side.
        plain = _NAMED.sub(lambda m: m.group(1), plain)
        return len(re.sub(r"\\[a-zA-Z]+", "x", plain)) + len(_SPACED.findall(plain))
    num_end = _group(tex, k + 5)
    den_end = _group(tex, num_end)
    parts = max(_width(tex[k + 6 : num_end - 1]), _width(tex[num_end + 1 : den_end - 1]))
    return _width(tex[:k]) + parts + _width(tex[den_end:])


def _factors_latex(factors: Sequence[sympy.Expr]) -> str:
    if not factors:
        return ""
    if list(factors) == [sympy.S.NegativeOne]:
        return "- "
    if len(factors) == 1 and isinstance(factors[0], sympy.Add):
        return f"({to_latex(factors[0], as_written=True)}) "
    return to_latex(sympy.Mul(*factors, evaluate=False), as_written=True) + " "


def _long_sum(expr: sympy.Expr) -> tuple[str, sympy.Expr | None, str]:
    """The sum a long line can be broken in: the expression itself, the argument of a first
    derivative, or the widest sum among the factors of a product (not a fraction); with
    what is written before and after it."""
    if isinstance(expr, sympy.Add):
        return "", expr, ""
    if isinstance(expr, sympy.Derivative) and len(expr.variables) == 1 and isinstance(expr.expr, sympy.Add):
        op = derivative_operator_latex(str(expr.variables[0]), 1, len(expr.expr.free_symbols) > 1)
        return op + " ", expr.expr, ""
    if isinstance(expr, sympy.Mul) and not any(a.is_Pow and a.exp.is_negative for a in expr.args):
        sums = [i for i, a in enumerate(expr.args) if isinstance(a, sympy.Add)]
        if sums:
            k = max(sums, key=lambda i: _width(to_latex(expr.args[i], as_written=True)))
            rest = expr.args[k + 1 :]
            return _factors_latex(expr.args[:k]), expr.args[k], (" " + _factors_latex(rest).strip()) if rest else ""
    return "", None, ""


def _broken(expr: sympy.Expr, suffix: str) -> list[str]:
    """A written expression as lines for an article: a sum broken between terms (each term
    printed as written, with its sign), a line still too wide set as a paragraph."""
    whole = to_latex(expr, as_written=True)
    before, inner, after = _long_sum(expr)
    if inner is None or _width(whole) <= _WIDEST:
        pieces = [whole]
    else:
        terms = [to_latex(t, as_written=True) for t in inner.args]
        pieces = [terms[0]] + [t if t.startswith("-") else "+ " + t for t in terms[1:]]
        if inner is not expr:  # the sum inside a product or a derivative, in sized parentheses
            pieces[0] = rf"{before}\biggl({pieces[0]}"
            pieces[-1] += rf"\biggr){after}"
    pieces[-1] += suffix
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if _width(lines[-1] + piece) > _WIDEST:
            lines.append(piece)
        else:
            lines[-1] += " " + piece
    # A paragraph breaks only between terms: one fraction stays as it is (in a paragraph
    # narrower than itself it would run into the rule beside it).
    return [rf"\parbox[t]{{0.45\linewidth}}{{\raggedright $\displaystyle {line}$}}" if _width(line) > _WIDEST + 4 and not _one_fraction(line) else line for line in lines]


def _one_fraction(tex: str) -> bool:
    r"""Whether ``tex`` is a single ``\frac{..}{..}`` (with a sign, or `` = 0`` after it).

    >>> _one_fraction(r"- \frac{a + b}{c} = 0"), _one_fraction(r"\frac{a}{c} + b")
    (True, False)
    """
    body = tex.lstrip("- ").removesuffix(" = 0")
    if not body.startswith(r"\frac{"):
        return False
    return _group(body, _group(body, 5)) == len(body)


def _label(chain: Chain, loss_name: str) -> str:
    if chain.kind == "stationary":
        return f"eq:{loss_name}-stationary"
    return equation_label_for(loss_name, chain.wrt, chain.order)


def _aligned_rows(chain: Chain, indent: str, label: str | None, wrap: bool = False) -> list[str]:
    lhs, lines = _chain_lines(chain)
    relation = r"\iff" if chain.kind == "stationary" else "="
    rows = []
    for i, (expr, suffix, rule) in enumerate(lines):
        head = f"{indent}{lhs}\n{indent * 2}&{relation} " if i == 0 and indent else (f"{lhs} &{relation} " if i == 0 else f"{indent * 2}&{relation} ")
        shown = _broken(expr, suffix) if wrap else [to_latex(expr, as_written=True) + suffix]
        note = rf" && \text{{{latex_text(rule)}}}" if rule else ""
        if wrap and rule:  # an article's rule column has a width; its text wraps inside it
            note = rf" && \parbox[t]{{8em}}{{\raggedright\small {latex_text(rule)}}}"
        cells = [(head if j == 0 else f"{indent * 2}&\\quad ", text, note if j == 0 else "") for j, text in enumerate(shown)]
        if wrap and _width(shown[0]) > _WIDEST + 4 and _one_fraction(shown[0]):
            # A fraction wider than the column takes no width in it (so it does not push the
            # rules off the page), and its rule goes to the row below, clear of it.
            cells[0] = (cells[0][0], rf"\rlap{{$\displaystyle {shown[0]}$}}", "")
            cells.insert(1, (f"{indent * 2}&", "", note))
        for j, (start, text, remark) in enumerate(cells):
            last = i == len(lines) - 1 and j == len(cells) - 1
            tail = "" if label is None else (rf" \label{{{label}}}" if last else r" \notag")
            rows.append(f"{start}{text}{remark}{tail}")
    return rows


def chain_latex(chain: Chain, wrap: bool = False) -> str:
    r"""One chain as an amsmath ``align`` with a rule per line and a ``\label`` on the result.

    ``wrap`` sets a line too long for the page as a paragraph (``\parbox``), for an article;
    snippets to paste leave the layout to their reader.
    """
    rows = _aligned_rows(chain, "  ", _label(chain, chain.loss), wrap)
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


def _chains(loss: Loss) -> list[Chain]:
    out = [derivation(loss, "p", 1), derivation(loss, "p", 2)]
    if loss.link is not None:
        out += [derivation(loss, "z", 1), derivation(loss, "z", 2)]
    out.append(stationary(loss))
    return out


def derivations_latex(loss: Loss) -> str:
    """Every derivation of ``loss`` as ``align`` snippets, ready to paste into a document."""
    return "\n\n".join(chain_latex(c) for c in _chains(loss))


# ---------------------------------------------------------------- claims
#
# Every use of a claim's or a part's statement text, a part's case and a rule's name goes
# through the four functions below, so that generating them from typed data changes only
# these bodies.

#: Each rule of :data:`lossproof.kernel.RULES` in words, for the reader; the Mathlib-style name
#: is printed beside it as a reference.
RULE_WORDS = {
    "strictConvexOn_of_deriv2_nonneg_of_pos_off_finite": "a second derivative that is nonnegative, and positive but at finitely many points, gives strict convexity",
    "tendsto_deriv_of_limit": "the limit of the derivative, computed by SymPy and confirmed numerically",
    "strictConvexOn_of_deriv2_pos": "a positive second derivative on an interval gives strict convexity",
    "convexOn_of_deriv2_nonneg": "a nonnegative second derivative on an interval gives convexity",
    "convexAt_kink_of_deriv_le": "at a kink the function stays convex when its slope does not fall "
    "(right derivative at least the left one)",
    "convexOn_of_hessian_form_nonneg": "a Hessian whose quadratic form is nonnegative gives convexity",
    "strictConvexOn_of_hessian_form_pos": "a Hessian whose quadratic form is positive in every direction "
    "gives strict convexity",
    "isMinOn_of_deriv_eq_zero_of_strictConvexOn": "the one stationary point of a strictly convex function "
    "is its unique global minimiser",
    "isMinOn_of_deriv_neg_of_lt_of_pos_of_gt": "a point where the derivative goes from negative to positive "
    "is the unique minimiser",
    "isMinOn_of_deriv_sign_change_in_bracket": "a derivative with the sign of a strictly increasing function, "
    "negative at one end of a bracket and positive at the other, gives exactly one minimiser, inside the bracket",
    "not_isMinOn_of_strictMonoOn": "a derivative of strict sign makes the function strictly monotone, "
    "so it has no minimiser on an open interval",
    "strictMonoOn_of_deriv_pos": "a positive derivative makes the function strictly increasing",
    "eq_of_identity": "an identity, checked on the domain",
    "sign_of_sign": "a sign, checked on the domain",
    "tendsto_of_limit": "a limit, computed by SymPy and confirmed numerically",
}


def rule_words(rule_name: str) -> str:
    """The rule in words, for the reader (the Mathlib-style name is kept as a reference).

    >>> rule_words("strictConvexOn_of_deriv2_pos")
    'a positive second derivative on an interval gives strict convexity'
    """
    rule = RULES.get(rule_name)
    return RULE_WORDS.get(rule_name) or (rule.words if rule else "the rule " + rule_name.replace("_", " "))


def claim_statement_latex(claim: Claim) -> str:
    """The claim's statement as LaTeX text (math in ``$...$``), generated from its structure."""
    return claim_statement(claim, "latex")


def part_case_latex(part: Part) -> str:
    r"""The case a part proves, as LaTeX math (``y = 0``), from its typed case, or ``""``
    when the part holds on its whole domain without a case."""
    return ", ".join(f"{s} = {to_latex(v)}" for s, v in part.case)


def part_statement_latex(part: Part) -> str:
    """What a part concludes, as LaTeX text: from its rule and subject where a method
    knows the rule (:class:`ClaimWriter`), else the generated statement."""
    return ClaimWriter().part(part)


def _domain_latex(domain: Domain, skip: frozenset[str] = frozenset()) -> str:
    parts = []
    for s, iv in domain.intervals:
        if str(s) in skip:
            continue
        parts.append(rf"{s} \in {interval_text(iv, 'latex')}")
    parts += [f"{_m(h.expr)} {_REL[h.rel]} 0" for h in domain.hypotheses]
    return ", ".join(parts)


def _for_case(part: Part) -> str:
    case = part_case_latex(part)
    return rf"For ${case}$: " if case and "=" in case else ""


def _verdict(status: str, engines: dict[str, str]) -> str:
    by = [_ENGINE_NAMES.get(k, k) for k, v in engines.items() if v == "proved"]
    return rf"\emph{{{status}}}" + (f" by {' and '.join(by)}" if by and status == "proved" else "")


class ClaimWriter:
    """Typesets claims: a statement per part (by rule) and a proof listing the checked steps."""

    def part(self, part: Part) -> str:
        method = getattr(self, f"_part_{part.rule}", None)
        if method is None:
            return part_statement(part, "latex")
        return str(method(part))

    def _part_strictConvexOn_of_deriv2_pos(self, part: Part) -> str:  # noqa: N802 - named after the rule
        f, var = part.subject.function, part.subject.var
        word = "strictly convex" if part.rule.startswith("strict") else "convex"
        return rf"$\displaystyle {_m(f)}$ is {word} in ${var}$ for ${_domain_latex(part.domain)}$."

    _part_convexOn_of_deriv2_nonneg = _part_strictConvexOn_of_deriv2_pos
    _part_strictConvexOn_of_deriv2_nonneg_of_pos_off_finite = _part_strictConvexOn_of_deriv2_pos

    def _part_isMinOn_of_deriv_eq_zero_of_strictConvexOn(self, part: Part) -> str:  # noqa: N802
        f, var, r = part.subject.function, part.subject.var, part.subject.point
        case = part_case_latex(part)
        # At an end of the target range y is substituted: the case says which end.
        where = f"{case}, " if case and "=" in case else ""
        return rf"For ${where}{_domain_latex(part.domain)}$, ${var} = {_m(r)}$ is the unique global minimiser of ${_m(f)}$ in ${var}$."

    _part_isMinOn_of_deriv_neg_of_lt_of_pos_of_gt = _part_isMinOn_of_deriv_eq_zero_of_strictConvexOn

    def _part_convexAt_kink_of_deriv_le(self, part: Part) -> str:  # noqa: N802
        f, var, point = part.subject.function, part.subject.var, part.subject.point
        left, right = (s.value if isinstance(s, Limit) else None for s in part.steps[:2])
        slopes = f" are ${_m(left)}$ and ${_m(right)}$ and" if left is not None and right is not None else ""
        return rf"At ${var} = {_m(point)}$ the one-sided derivatives of ${_m(f)}$ in ${var}${slopes} the slope does not fall there."

    def _part_convexOn_of_hessian_form_nonneg(self, part: Part) -> str:  # noqa: N802
        strict = part.rule.startswith("strict")
        where = r"every $v \neq 0$" if strict else "every $v$"
        rel = ">" if strict else r"\geq"
        return rf"With $H$ the Hessian of the loss in the logits, $v^{{T}} H v {rel} 0$ for {where}."

    _part_strictConvexOn_of_hessian_form_pos = _part_convexOn_of_hessian_form_nonneg

    def _part_not_isMinOn_of_strictMonoOn(self, part: Part) -> str:  # noqa: N802
        f, var = part.subject.function, part.subject.var
        sign = part.steps[1]
        way = "increasing" if isinstance(sign, Sign) and sign.rel == ">" else "decreasing"
        return rf"{_for_case(part)}${_m(f)}$ is strictly {way} in ${var}$ on ${_domain_latex(part.domain)}$, so it has no minimiser there."

    _part_strictMonoOn_of_deriv_pos = _part_not_isMinOn_of_strictMonoOn

    def _part_tendsto_of_limit(self, part: Part) -> str:
        f, var, point, value = part.subject.function, part.subject.var, part.subject.point, part.subject.value
        step = part.steps[0]
        side = "" if point.is_infinite else ("^{+}" if isinstance(step, Limit) and step.direction == "+" else "^{-}")
        return rf"{_for_case(part)}$\displaystyle \lim_{{{var} \to {_m(point)}{side}}} {_m(f)} = {_m(value)}$."

    def _part_tendsto_deriv_of_limit(self, part: Part) -> str:  # noqa: N802
        f, var, point, value = part.subject.function, part.subject.var, part.subject.point, part.subject.value
        side = "" if point.is_infinite else ("^{+}" if part.subject.direction == "+" else "^{-}")
        # d/dz of a sum, or of a negated term, needs its parentheses: "d/dz - a - b" is not
        # the derivative of -a - b.
        body = rf"\left({_m(f)}\right)" if f.is_Add or f.could_extract_minus_sign() else _m(f)
        return rf"{_for_case(part)}$\displaystyle \lim_{{{var} \to {_m(point)}{side}}} \frac{{d}}{{d{var}}} {body} = {_m(value)}$."

    def _part_eq_of_identity(self, part: Part) -> str:
        lhs, rhs = part.subject.function, part.subject.value
        where = f" for ${_domain_latex(part.domain)}$" if part.domain.intervals else ""
        return rf"$\displaystyle {_m(lhs)} = {_m(rhs)}${where}."

    def _part_sign_of_sign(self, part: Part) -> str:
        step = part.steps[0]
        assert isinstance(step, Sign)
        return rf"$\displaystyle {_m(step.expr)} {_REL[step.rel]} 0$ for ${_domain_latex(part.domain)}$."

    def formula(self, step: Step) -> str:
        """What a step asserts, as display-style math in ``$...$`` (or text around it)."""
        return str(LATEX.render(step))

    def justification(self, step: Step, status: str, engines: dict[str, str], reason: str = "") -> str:
        """Why a step holds (its rule, the lemmas it uses) and what checked it."""
        using = ""
        if isinstance(step, Sign) and step.lemmas:
            using = ", using " + ", ".join(rf"\texttt{{{_ident(u.name)}}} at $t = {_m(u.arg)}$" for u in step.lemmas)
        why = f"; {latex_text(reason)}" if reason and status != "proved" else ""
        return rf"{latex_text(step.rule)}{using}.\\ {_verdict(status, engines)}{why}."

    def step(self, step: Step, status: str, engines: dict[str, str], number: int = 1, reason: str = "") -> str:
        r"""One proof line: ``\lpstep{number}{formula}{justification}`` (the macro of :data:`PROOF_MACROS`)."""
        return rf"\lpstep{{({number})}}{{{self.formula(step)}}}{{{self.justification(step, status, engines, reason)}}}"


#: The proof-step layout: the formula on the left, its justification in a column on the
#: right, top lines aligned; a formula too wide for its column takes the whole line and the
#: justification goes below it, in the same column, so no annotation wraps mid-formula.
PROOF_MACROS = r"""\newsavebox{\lpbox}
\newlength{\lpnote}\setlength{\lpnote}{0.3\textwidth}
\newlength{\lpnum}\setlength{\lpnum}{2em}
\newcommand{\lpstep}[3]{\par\noindent\makebox[\lpnum][l]{#1}%
  \sbox{\lpbox}{#2}%
  \ifdim\wd\lpbox>\dimexpr\linewidth-\lpnum-\lpnote-1em\relax
    \parbox[t]{\dimexpr\linewidth-\lpnum\relax}{\raggedright #2}\par\nopagebreak\smallskip
    \noindent\hspace*{\dimexpr\linewidth-\lpnote\relax}%
  \else
    \parbox[t]{\dimexpr\linewidth-\lpnum-\lpnote-1em\relax}{\raggedright #2}\hspace{1em}%
  \fi
  \parbox[t]{\lpnote}{\raggedright\small #3}\par\medskip}
\newcommand{\lpcase}[1]{\par\medskip\noindent #1\par\smallskip}"""


def _part_header(part: Part) -> str:
    """A proof part's heading: its case, the domain, and the rule in words (name as a reference)."""
    case = part_case_latex(part)
    variable = case.split(" ", 1)[0] if case else ""
    domain = _domain_latex(part.domain, skip=frozenset({variable}) if variable else frozenset())
    # Without a case the part holds on its whole domain, and the domain is what it is about.
    where = rf"\emph{{Case ${case}$}}" + (f", for ${domain}$" if domain else "") if case else rf"\emph{{For ${domain}$}}"
    words = rule_words(part.rule)
    return rf"\lpcase{{{where}. Rule: {words} ({{\small\texttt{{{_ident(part.rule)}}}}}).}}"


def claim_block_latex(result: ClaimResult, writer: ClaimWriter, label: str | None = None) -> str:
    r"""A claim as a theorem (proved) or a claim (refuted, unknown) with its parts, then its
    checked steps part by part; ``label`` puts a ``\label`` on it."""
    env = "theorem" if result.status == "proved" else "claim"
    ident = _ident(result.claim.id)  # a long id in the heading breaks after an underscore
    tail = rf"\label{{{label}}}" if label else ""
    lines = [rf"\begin{{{env}}}[\texttt{{{ident}}}]{tail}"]
    if not result.claim.parts:
        lines.append(claim_statement_latex(result.claim) + " No closed form was found, so nothing is claimed.")
    elif len(result.claim.parts) > 1:
        lines.append(claim_statement_latex(result.claim))
        lines.append(r"\begin{enumerate}")
        lines += [rf"  \item {part_statement_latex(part)}" for part in result.claim.parts]
        lines.append(r"\end{enumerate}")
    else:
        lines.append(part_statement_latex(result.claim.parts[0]))
    lines.append(rf"\end{{{env}}}")
    if not result.claim.parts:
        return "\n".join(lines)
    if result.status == "refuted" and result.counterexample:
        point = ", ".join(f"${counterexample_latex(k, v)}$" for k, v in result.counterexample.items())
        lines.append(rf"\noindent\textbf{{Refuted.}} A counterexample, confirmed at high precision on the loss itself: {point}.")
    lines.append(r"\begin{proof}[Checked steps]" if result.status == "proved" else r"\begin{proof}[Steps, as far as they were settled]")
    number = 0
    for part, step_results in result.by_part():
        lines.append(_part_header(part))
        for sr in step_results:
            number += 1
            lines.append(writer.step(sr.step, sr.status, dict(sr.engines), number, sr.reason))
    lines.append(r"\end{proof}")
    return "\n".join(lines)


def counterexample_latex(name: str, value: str) -> str:
    r"""A counterexample's coordinate as LaTeX math, its value read by lossproof's whitelist parser.

    >>> counterexample_latex("z", "log(3)")
    'z = \\log(3)'
    """
    try:
        shown = to_latex(parse_expression(value, {}))
    except LossproofError:  # not an expression the parser reads: show it as text
        shown = rf"\text{{{latex_text(value)}}}"
    return f"{name} = {shown}"


_MARKS = {"proved": r"\checkmark", "refuted": r"$\times$", "unknown": "?", "not used": "--"}


def _summary_table(results: Sequence[ClaimResult]) -> str:
    rows = [r"{\small", r"\begin{tabular}{p{0.45\linewidth}lccc}", r"\hline", r"claim & status & SymPy side & Z3 & numeric \\", r"\hline"]
    for r in results:
        cells = [_MARKS.get(r.engines.get(k, "not used"), "?") for k in ("sympy", "z3", "numeric")]
        rows.append(rf"\raggedright\texttt{{{_ident(r.claim.id)}}} & {r.status} & {' & '.join(cells)} \\")
    # The legend is the table's last row, so that it never lands on a page of its own.
    rows += [r"\hline", r"\multicolumn{5}{l}{\checkmark{} proved, $\times$ refuted, ? unknown, -- not used}", r"\end{tabular}}"]
    return "\n".join(rows)


def _notation(loss: Loss) -> str:
    link = ""
    if loss.link is not None:
        link = rf" The prediction is the sigmoid of a logit: $p = \sigma(z) = 1/(1 + e^{{-z}})$, $z \in \mathbb{{R}}$."
    return (
        rf"Throughout, $\log$ is the natural logarithm.{link} "
        rf"The loss is defined for ${_domain_latex(Domain(loss.domain))}$."
    )


#: How theorems and claims are set: the statement starts below its heading, since a
#: claim's id is a long word, after which a formula has no room left; and how lines break.
THEOREM_STYLE = (
    r"\newtheoremstyle{lossproof}{\topsep}{\topsep}{\itshape}{}{\bfseries}{.}{\newline}{}"
    "\n"
    r"\theoremstyle{lossproof}"
    "\n"
    # Long inline formulas and file names: stretch a line rather than overrun it. At 3em
    # a Coq file's name (breakable only after its underscores) still overran by 5pt.
    r"\emergencystretch=6em"
)


def _preamble(title: str) -> list[str]:
    return [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        THEOREM_STYLE,
        r"\newtheorem{theorem}{Theorem}",
        r"\allowdisplaybreaks  % a long derivation may continue on the next page",
        r"\newtheorem{claim}[theorem]{Claim}  % one numbering for proved and unproved claims",
        PROOF_MACROS,
        rf"\title{{{latex_text(title)}}}",
        rf"\author{{Generated by {_package}; every step checked}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]


def coq_checked(loss_name: str, results: Sequence[ClaimResult]) -> dict[str, str]:
    """Claim id -> the generated Coq file that states and proves it (CI compiles each with coqc)."""
    from ..coq import coq_files_for
    from ..losses import CATALOG

    loss = CATALOG.get(loss_name)
    if loss is None:
        return {}
    files = coq_files_for(loss, [r.claim for r in results if r.status == "proved"])
    return {path.rsplit("/", 1)[1][: -len(".v")]: path for path in files}


def _coq_line(claim_id: str, coq: dict[str, str]) -> str:
    if claim_id in coq:
        return (
            r"\noindent\emph{Checked by Coq:} \texttt{" + _ident(coq[claim_id]).replace("/", r"/\allowbreak{}") + r"} states this theorem and proves it "
            r"from the rules of \texttt{LossProof.Rules}; CI compiles it with \texttt{coqc}."
        )
    return r"\noindent\emph{Not yet checked by Coq} (the README says which claims are, and why the rest are not yet)."


def target_interior(loss: Loss) -> str:
    """``$y \\in (a, b)$``: the interior of the loss's own target range (where its minimiser is solved for)."""
    iv = loss.domain_map[y_symbol]
    return rf"$y \in {interval_text(sympy.Interval.open(iv.start, iv.end), 'latex')}$"


def enclosure_offset(e: Enclosure) -> str:
    """``p - y`` for an enclosed minimiser, to 4 decimals, or that the enclosure contains y."""
    if e.contains(e.target):
        return "0 (contains y)"
    return f"{float(e.midpoint - e.target):+.4f}"


def _offset_latex(text: str) -> str:
    return f"${text}$" if text[:1] in "+-" else text.replace("y", "$y$")


def _enclosures_latex(loss: Loss, enclosures: Sequence[Enclosure]) -> list[str]:
    if not enclosures:
        return []
    from ..enclosure import decimal
    rows = [
        rf"  ${to_latex(e.target)}$ & $[{decimal(e.low)},\ {decimal(e.high)}]$ & {_offset_latex(enclosure_offset(e))} & {'yes' if e.status == 'proved' else 'no'} \\"
        for e in enclosures
    ]
    return [
        r"\section{The minimiser, which has no closed form}",
        rf"The gradient has no closed-form root: claim \texttt{{{_ident(f'isMinOn_{loss.name}_p')}}} proves that there is exactly one "
        r"minimiser for each $y \in (0, 1)$, inside a bracket. For these targets it is enclosed in an interval of width at "
        r"most $10^{-12}$, each enclosure proved by the kernel with the same rule (the gradient's sign at both ends, decided "
        r"by interval arithmetic in arb and re-checked in mpmath.iv). The minimiser is not $y$ in general.",
        r"\begin{center}",
        r"\begin{tabular}{llll}",
        r"  $y$ & the minimiser $p$ lies in & $p - y$ & proved \\ \hline",
        *rows,
        r"\end{tabular}",
        r"\end{center}",
    ]


def standalone_latex(loss: Loss, results: Sequence[ClaimResult], enclosures: Sequence[Enclosure] = ()) -> str:
    """A complete article (amsmath, amssymb, amsthm only) that compiles with pdflatex; with
    ``enclosures``, a section on a minimiser that has no closed form."""
    writer = ClaimWriter()
    coq = coq_checked(loss.name, results)
    body = _preamble(f"{loss.title}: derivatives, minimiser and convexity") + [
        r"\section{The loss}",
        rf"\[ {operator_latex(loss.operator)}(y, p) = {_m(loss.expr)} \]",
        _notation(loss),
        r"\section{Derivatives}",
        "Each line follows from the one before by the rule named on its right; every line was "
        "checked equal to the one before (by SymPy and by exact evaluation at random points) "
        "before it was typeset, so the last line of each is SymPy's derivative of the loss.",
    ]
    for chain in _chains(loss):
        if chain.kind == "stationary":
            body.append(r"\section{The stationary point}")
            body.append(
                rf"For {target_interior(loss)}, setting the gradient to zero and solving; each multiplier is "
                r"proved positive on the domain, so every line is equivalent to the one before."
            )
        body.append(chain_latex(chain, wrap=True))
    body += _enclosures_latex(loss, enclosures)
    body.append(r"\section{Claims}")
    body.append(
        "Each claim below was checked step by step. A step is proved when both of its engines "
        "prove it: the SymPy side (lossproof's own sign rules, or SymPy's algebra) and an "
        "independent one (the Z3 SMT solver for inequalities, exact or 50-digit evaluation "
        "for identities, finite differences for derivatives)."
    )
    body += [claim_block_latex(r, writer) + "\n\n" + _coq_line(r.claim.id, coq) for r in results]
    body += [r"\section{Summary}", r"\begin{center}", _summary_table(results), r"\end{center}", r"\end{document}"]
    return "\n\n".join(body) + "\n"


# ---------------------------------------------------------------- softmax cross-entropy


def _hessian_in_s(loss: SoftmaxCE) -> sympy.Matrix:
    # The Hessian SymPy derives, read in s = softmax(z): exp(z_k) -> s_k, sum_k s_k -> 1.
    h = sympy.hessian(loss.on_simplex(loss.expr), loss.z)
    to_s = {zk: sympy.log(sk) for zk, sk in zip(loss.z, loss.s)}  # exp(2 z_k) becomes s_k**2 too
    total = sympy.Add(*loss.s)
    return h.applyfunc(lambda e: sympy.factor(e.subs(to_s)).subs(total, 1))


def _softmax_math(loss: SoftmaxCE) -> tuple[str, list[str], list[str]]:
    k = loss.classes
    definition = rf"L(y, z) = -\sum_{{k=1}}^{{{k}}} y_k \log s_k, \qquad s_k = \frac{{e^{{z_k}}}}{{\sum_{{j=1}}^{{{k}}} e^{{z_j}}}}"
    gradient = [rf"\frac{{\partial L}}{{\partial z_{{{i + 1}}}}} &= {_m(g)}" for i, g in enumerate(loss.gradient())]
    h = _hessian_in_s(loss)
    hessian = [rf"H_{{{i + 1}{j + 1}}} &= {_m(h[i, j])}" for i in range(k) for j in range(i, k)]
    return definition, gradient, hessian


def _softmax_notation(loss: SoftmaxCE) -> str:
    return (
        rf"Targets $y$ lie in the probability simplex ($\sum_k y_k = 1$, so $y_{{{loss.classes}}}$ is one minus the "
        r"others), logits $z \in \mathbb{R}^" + str(loss.classes) + r"$, $\log$ is the natural logarithm. "
        r"The gradient is SymPy's; the Hessian entries are SymPy's, read in $s$ (with $\sum_k s_k = 1$)."
    )


def softmax_latex(loss: SoftmaxCE, results: Sequence[ClaimResult]) -> str:
    """A complete article on softmax cross-entropy with K classes (amsmath, amssymb, amsthm)."""
    writer = ClaimWriter()
    coq: dict[str, str] = {}  # several logits: beyond the one-variable Coq rules so far
    definition, gradient, hessian = _softmax_math(loss)
    body = _preamble(f"Softmax cross-entropy, K = {loss.classes}: gradient and convexity") + [
        r"\section{The loss}",
        rf"\[ {definition} \]",
        _softmax_notation(loss),
        r"\section{Gradient and Hessian}",
        "\\begin{align*}\n  " + " \\\\\n  ".join(gradient) + "\n\\end{align*}",
        "\\begin{align*}\n  " + " \\\\\n  ".join(hessian) + "\n\\end{align*}",
        r"\section{Claims}",
    ]
    body += [claim_block_latex(r, writer) + "\n\n" + _coq_line(r.claim.id, coq) for r in results]
    body += [r"\section{Summary}", r"\begin{center}", _summary_table(results), r"\end{center}", r"\end{document}"]
    return "\n\n".join(body) + "\n"


def softmax_gradient_latex(loss: SoftmaxCE) -> str:
    """The gradient of softmax cross-entropy as an amsmath ``align``, one line per logit."""
    rows = [rf"  \frac{{\partial L}}{{\partial z_{{{k + 1}}}}} &= {to_latex(g)}" for k, g in enumerate(loss.gradient())]
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


# ---------------------------------------------------------------- reports and tables


def equation_label(loss: Loss, wrt: str, order: int) -> str:
    """The ``\\label`` of a derivative, e.g. ``eq:bce-d2p``."""
    return equation_label_for(loss.name, wrt, order)


def derivatives_latex(loss: Loss, derivs: Sequence[Derived]) -> str:
    """An amsmath ``align`` environment, one labelled line per derivative."""
    rows = [
        f"  {derivative_latex(loss.operator, d.wrt, d.order)} &= {to_latex(d.canonical)}"
        f" \\label{{{equation_label(loss, d.wrt, d.order)}}}"
        for d in derivs
    ]
    return "\\begin{align}\n" + " \\\\\n".join(rows) + "\n\\end{align}"


def claims_latex(results: Sequence[ClaimResult]) -> str:
    """Each claim as a LaTeX paragraph: id, verdict, statement (amsmath only)."""
    rows = []
    for r in results:
        ident = r.claim.id.replace("_", r"\_")
        rows.append(rf"\paragraph{{\texttt{{{ident}}}}} \emph{{{r.status}}} ({engines_words(r.engines)}). {claim_statement(r.claim, 'latex')}")
    return "\n\n".join(rows)


def table_latex(rows: Sequence[Row]) -> str:
    """A LaTeX ``tabular`` (amsmath only), one row per loss."""
    from ..compare import COLUMNS  # here, not above: a claim's display should not load the comparison
    spec = "l" + "l" * len(COLUMNS)
    out = [rf"\begin{{tabular}}{{{spec}}}", r"\hline", "loss & " + " & ".join(c.title for c in COLUMNS) + r" \\", r"\hline"]
    for r in rows:
        cells = [(f"${r.cells[c.key].latex}$" if r.cells[c.key].status != "n/a" else "n/a") for c in COLUMNS]
        out.append(rf"\texttt{{{latex_text(r.loss.name)}}} & " + " & ".join(cells) + r" \\")
    out += [r"\hline", r"\end{tabular}"]
    return "\n".join(out)


def claim_line_latex(result: ClaimResult) -> str:
    r"""A claim's verdict and statement in text with inline math only (what MathJax sets, as
    a notebook shows it; no ``\paragraph`` or ``\texttt``, which it does not know)."""
    ident = result.claim.id.replace("_", r"\_")
    return rf"$\mathtt{{{ident}}}$: {result.status} ({engines_words(result.engines)}). {claim_statement(result.claim, 'latex')}"


def table_array_latex(rows: Sequence[Row]) -> str:
    r"""The comparison as one display-math ``array`` (MathJax has no ``tabular``), words in ``\text``."""
    from ..compare import COLUMNS  # here, not above: a claim's display should not load the comparison
    head = [r"\text{loss}"] + [rf"\text{{{latex_text(c.title)}}}" for c in COLUMNS]
    body = [
        [rf"\text{{{latex_text(r.loss.name)}}}"] + [(r.cells[c.key].latex if r.cells[c.key].status != "n/a" else r"\text{n/a}") for c in COLUMNS]
        for r in rows
    ]
    lines = [" & ".join(head) + r" \\ \hline"] + [" & ".join(cells) + r" \\" for cells in body]
    return "$$\\begin{array}{" + "l" * len(head) + "}\n" + "\n".join(lines) + "\n\\end{array}$$"


class LatexRenderer(Renderer):
    """Results as LaTeX math or paragraphs (what a notebook shows for ``_repr_latex_``)."""

    def render_Derived(self, d: Derived, loss: Loss | None = None) -> str:  # noqa: N802 - named after the class
        name = loss.operator if loss is not None else operator_of(d.loss)
        return f"$\\displaystyle {derivative_latex(name, d.wrt, d.order)} = {to_latex(d.canonical)}$"

    def render_ClaimResult(self, r: ClaimResult) -> str:  # noqa: N802
        return claim_line_latex(r)

    def render_Comparison(self, rows: Sequence[Row]) -> str:  # noqa: N802
        return table_array_latex(rows)

    # A kernel step: what it asserts, as display-style math in ``$...$`` (a proof's line).

    def render_Derivative(self, step: Derivative) -> str:  # noqa: N802
        # d/dp for a function of p alone, a partial derivative where others vary too.
        partial = len(step.function.free_symbols) > 1
        op = derivative_operator_latex(str(step.var), step.order, partial)
        function = _mb(step.function)
        # A long function is set between \bigl[ \bigr], which TeX can break inside (\left[ it cannot).
        brackets = (r"\bigl[", r"\bigr]") if "allowbreak" in function else (r"\left[", r"\right]")
        return rf"$\displaystyle {op} {brackets[0]}{function}{brackets[1]} = {_mb(step.result)}$"

    def render_Identity(self, step: Identity) -> str:  # noqa: N802
        if len(_m(step.lhs)) > _LONGEST:
            # A Hessian's quadratic form runs to pages; the certificate holds it in full.
            terms = len(sympy.Add.make_args(sympy.expand(step.lhs)))
            return rf"(the left side in the certificate, {terms} terms) $\displaystyle = {_mb(step.rhs)}$"
        return rf"$\displaystyle {_mb(step.lhs)} = {_mb(step.rhs)}$"

    def render_Sign(self, step: Sign) -> str:  # noqa: N802
        return rf"$\displaystyle {_mb(step.expr)} {_REL[step.rel]} 0$"

    def render_Roots(self, step: Roots) -> str:  # noqa: N802
        return rf"$\displaystyle {_mb(step.expr)} = 0 \iff {step.var} = {', '.join(_mb(r) for r in step.roots)}$"

    def render_Limit(self, step: Limit) -> str:  # noqa: N802
        side = "" if step.point.is_infinite else ("^{+}" if step.direction == "+" else "^{-}")
        return rf"$\displaystyle \lim_{{{step.var} \to {_mb(step.point)}{side}}} {_mb(step.expr)} = {_mb(step.value)}$"


#: The one LaTeX renderer.
LATEX = LatexRenderer()

