r"""Documents: derivations and claims as LaTeX (snippets and a standalone article) and Markdown.

Everything rendered here was computed and checked elsewhere: derivation chains by
:mod:`lossproof.derivation`, claims by :mod:`lossproof.proof`. Notation is stated
once in each document: natural log, :math:`\sigma` for the sigmoid, fractions
rather than negative powers, ``\left( \right)`` only around tall content.

A claim's part is typeset by a method named after its rule (``_part_<rule>``),
as SymPy's printers dispatch on the class name: a new rule is one new method.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from . import __name__ as _package
from .derivation import Chain, derivation, stationary
from .losses import Loss
from .notation import derivative_latex, equation_label_for, latex_text, to_latex
from .kernel import ClaimResult, Derivative, Domain, Identity, Limit, Part, Roots, Sign, Step
from .statement import claim_statement, part_case, part_statement
from .softmax import SoftmaxCE

__all__ = ["chain_latex", "derivations_latex", "standalone_latex", "markdown", "softmax_latex", "softmax_markdown", "ClaimWriter"]

#: Longest formula typeset inline in a proof step, in LaTeX characters.
_LONGEST = 400
_REL = {">": ">", ">=": r"\geq", "<": "<", "<=": r"\leq", "!=": r"\neq", "==": "="}
_ENGINE_NAMES = {"sympy": "SymPy-side rules", "z3": "Z3", "numeric": "numeric check"}


def _m(expr: sympy.Expr) -> str:
    return to_latex(expr)


def _ident(name: str) -> str:
    """An identifier for ``\\texttt``, allowed to break after its underscores."""
    return latex_text(name).replace(r"\_", r"\_\allowbreak{}")


def _chain_lines(chain: Chain) -> tuple[str, list[tuple[str, str]]]:
    """The left-hand side, and (expression, rule) for every line of the chain."""
    if chain.kind == "stationary":
        lhs = derivative_latex(chain.operator, chain.wrt, 1) + " = 0"
        lines = [(to_latex(chain.start, as_written=True) + " = 0", "")]
        for step in chain.steps:
            shown = to_latex(step.expr, as_written=True)
            lines.append((shown if isinstance(step.expr, sympy.Equality) else shown + " = 0", step.rule))
        return lhs, lines
    lhs = derivative_latex(chain.operator, chain.wrt, chain.order)
    lines = [(to_latex(chain.start, as_written=True), "")]
    lines += [(to_latex(step.expr, as_written=True), step.rule) for step in chain.steps]
    return lhs, lines


def _label(chain: Chain, loss_name: str) -> str:
    if chain.kind == "stationary":
        return f"eq:{loss_name}-stationary"
    return equation_label_for(loss_name, chain.wrt, chain.order)


def _aligned_rows(chain: Chain, indent: str, label: str | None) -> list[str]:
    lhs, lines = _chain_lines(chain)
    relation = r"\iff" if chain.kind == "stationary" else "="
    rows = []
    for i, (expr, rule) in enumerate(lines):
        head = f"{indent}{lhs}\n{indent * 2}&{relation} " if i == 0 and indent else (f"{lhs} &{relation} " if i == 0 else f"{indent * 2}&{relation} ")
        note = rf" && \text{{{latex_text(rule)}}}" if rule else ""
        tail = ""
        if label is not None:
            tail = rf" \label{{{label}}}" if i == len(lines) - 1 else r" \notag"
        rows.append(f"{head}{expr}{note}{tail}")
    return rows


def chain_latex(chain: Chain) -> str:
    r"""One chain as an amsmath ``align`` with a rule per line and a ``\label`` on the result."""
    rows = _aligned_rows(chain, "  ", _label(chain, chain.loss))
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


def _domain_latex(domain: Domain) -> str:
    parts = []
    for s, iv in domain.intervals:
        if iv.start == -sympy.oo and iv.end == sympy.oo:
            parts.append(rf"{s} \in \mathbb{{R}}")
        else:
            left = "(" if iv.left_open else "["
            right = ")" if iv.right_open else "]"
            parts.append(rf"{s} \in {left}{_m(iv.start)}, {_m(iv.end)}{right}")
    parts += [f"{_m(h.expr)} {_REL[h.rel]} 0" for h in domain.hypotheses]
    return ", ".join(parts)


def _case(part: Part) -> str:
    # A part about one end of the target range says which: its typed case, not prose.
    case = part_case(part, "latex")
    return f"For {case}: " if case else ""


class ClaimWriter:
    """Typesets claims: a statement per part (by rule) and a proof listing the checked steps."""

    def part(self, part: Part) -> str:
        method = getattr(self, f"_part_{part.rule}", None)
        if method is None:
            return part_statement(part, "latex")
        return str(method(part))

    def _part_strictConvexOn_of_deriv2_pos(self, part: Part) -> str:  # noqa: N802 - named after the rule
        f, var = part.subject.function, part.subject.var
        return rf"$\displaystyle {_m(f)}$ is strictly convex in ${var}$ for ${_domain_latex(part.domain)}$."

    def _part_isMinOn_of_deriv_eq_zero_of_strictConvexOn(self, part: Part) -> str:  # noqa: N802
        f, var, r = part.subject.function, part.subject.var, part.subject.point
        return rf"For ${_domain_latex(part.domain)}$, ${var} = {_m(r)}$ is the unique global minimiser of ${_m(f)}$ in ${var}$."

    def _part_not_isMinOn_of_strictMonoOn(self, part: Part) -> str:  # noqa: N802
        f, var = part.subject.function, part.subject.var
        sign = part.steps[1]
        way = "increasing" if isinstance(sign, Sign) and sign.rel == ">" else "decreasing"
        return rf"{_case(part)}${_m(f)}$ is strictly {way} in ${var}$ on ${_domain_latex(part.domain)}$, so it has no minimiser there."

    _part_strictMonoOn_of_deriv_pos = _part_not_isMinOn_of_strictMonoOn

    def _part_tendsto_of_limit(self, part: Part) -> str:
        f, var, point, value = part.subject.function, part.subject.var, part.subject.point, part.subject.value
        step = part.steps[0]
        side = "" if point.is_infinite else ("^{+}" if isinstance(step, Limit) and step.direction == "+" else "^{-}")
        return rf"{_case(part)}$\displaystyle \lim_{{{var} \to {_m(point)}{side}}} {_m(f)} = {_m(value)}$."

    def _part_eq_of_identity(self, part: Part) -> str:
        lhs, rhs = part.subject.function, part.subject.value
        where = f" for ${_domain_latex(part.domain)}$" if part.domain.intervals else ""
        return rf"$\displaystyle {_m(lhs)} = {_m(rhs)}${where}."

    def _part_sign_of_sign(self, part: Part) -> str:
        step = part.steps[0]
        assert isinstance(step, Sign)
        return rf"$\displaystyle {_m(step.expr)} {_REL[step.rel]} 0$ for ${_domain_latex(part.domain)}$."

    def step(self, step: Step, status: str, engines: dict[str, str]) -> str:
        by = ", ".join(_ENGINE_NAMES.get(k, k) for k, v in engines.items() if v == "proved")
        verdict = rf"\emph{{{status}}}" + (f" ({by})" if by else "")
        if isinstance(step, Identity) and len(_m(step.lhs)) > _LONGEST:
            # A Hessian's quadratic form runs to pages; the certificate holds it in full.
            body = rf"(the left side in the certificate, {len(sympy.Add.make_args(sympy.expand(step.lhs)))} terms) $= {_m(step.rhs)}$"
        elif isinstance(step, Derivative):
            body = rf"$\frac{{d^{{{step.order}}}}}{{d{step.var}^{{{step.order}}}}} \left[{_m(step.function)}\right] = {_m(step.result)}$"
        elif isinstance(step, Identity):
            body = rf"${_m(step.lhs)} = {_m(step.rhs)}$"
        elif isinstance(step, Sign):
            using = ", using " + ", ".join(rf"\texttt{{{_ident(u.name)}}} at $t = {_m(u.arg)}$" for u in step.lemmas) if step.lemmas else ""
            body = rf"${_m(step.expr)} {_REL[step.rel]} 0${using}"
        elif isinstance(step, Roots):
            body = rf"${_m(step.expr)} = 0 \iff {step.var} = {', '.join(_m(r) for r in step.roots)}$"
        else:
            assert isinstance(step, Limit)
            body = rf"$\lim_{{{step.var} \to {_m(step.point)}}} {_m(step.expr)} = {_m(step.value)}$"
        return rf"{body} \hfill [{latex_text(step.rule)}; {verdict}]"


def _claim_block(result: ClaimResult, writer: ClaimWriter) -> str:
    env = "theorem" if result.status == "proved" else "claim"
    ident = latex_text(result.claim.id)
    lines = [rf"\begin{{{env}}}[\texttt{{{ident}}}]"]
    if not result.claim.parts:
        lines.append(claim_statement(result.claim, "latex"))
    elif len(result.claim.parts) > 1:
        lines.append(claim_statement(result.claim, "latex"))
        lines.append(r"\begin{enumerate}")
        lines += [rf"  \item {writer.part(part)}" for part in result.claim.parts]
        lines.append(r"\end{enumerate}")
    else:
        lines.append(writer.part(result.claim.parts[0]))
    lines.append(rf"\end{{{env}}}")
    if not result.claim.parts:
        return "\n".join(lines)
    lines.append(r"\begin{proof}")
    for part, step_results in result.by_part():
        lines.append(rf"By \texttt{{{_ident(part.rule)}}}, on ${_domain_latex(part.domain)}$:")
        lines.append(r"\begin{enumerate}")
        for sr in step_results:
            lines.append(rf"  \item {writer.step(sr.step, sr.status, dict(sr.engines))}")
        lines.append(r"\end{enumerate}")
    lines.append(r"\end{proof}")
    return "\n".join(lines)


def _summary_table(results: Sequence[ClaimResult]) -> str:
    rows = [r"\begin{tabular}{lllll}", r"\hline", r"claim & status & SymPy side & Z3 & numeric \\", r"\hline"]
    for r in results:
        cells = [r.engines.get(k, "not used") for k in ("sympy", "z3", "numeric")]
        rows.append(rf"\texttt{{{latex_text(r.claim.id)}}} & {r.status} & {' & '.join(cells)} \\")
    rows += [r"\hline", r"\end{tabular}"]
    return "\n".join(rows)


def _notation(loss: Loss) -> str:
    link = ""
    if loss.link is not None:
        link = rf" The prediction is the sigmoid of a logit: $p = \sigma(z) = 1/(1 + e^{{-z}})$, $z \in \mathbb{{R}}$."
    return (
        rf"Throughout, $\log$ is the natural logarithm.{link} "
        rf"The loss is defined for ${_domain_latex(Domain(loss.domain))}$."
    )


def _preamble(title: str) -> list[str]:
    return [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        r"\newtheorem{theorem}{Theorem}",
        r"\emergencystretch=3em  % long inline formulas: stretch the line rather than overrun it",
        r"\newtheorem{claim}{Claim}",
        rf"\title{{{latex_text(title)}}}",
        rf"\author{{Generated by {_package}; every step checked}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]


def standalone_latex(loss: Loss, results: Sequence[ClaimResult]) -> str:
    """A complete article (amsmath, amssymb, amsthm only) that compiles with pdflatex."""
    writer = ClaimWriter()
    body = _preamble(f"{loss.title}: derivatives, minimiser and convexity") + [
        r"\section{The loss}",
        rf"\[ \operatorname{{{loss.operator}}}(y, p) = {_m(loss.expr)} \]",
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
                r"For $y \in (0, 1)$, setting the gradient to zero and solving; each multiplier is "
                r"proved positive on the domain, so every line is equivalent to the one before."
            )
        body.append(chain_latex(chain))
    body.append(r"\section{Claims}")
    body.append(
        "Each claim below was checked step by step. A step is proved when both of its engines "
        "prove it: the SymPy side (lossproof's own sign rules, or SymPy's algebra) and an "
        "independent one (the Z3 SMT solver for inequalities, exact or 50-digit evaluation "
        "for identities, finite differences for derivatives)."
    )
    body += [_claim_block(r, writer) for r in results]
    body += [r"\section{Summary}", r"\begin{center}", _summary_table(results), r"\end{center}", r"\end{document}"]
    return "\n\n".join(body) + "\n"


# ---------------------------------------------------------------- Markdown


def _md_chain(chain: Chain) -> str:
    # GitHub's math has no \label and no align: an aligned block in $$.
    rows = _aligned_rows(chain, "", None)
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def _md_inline(text: str) -> str:
    # Our part statements are LaTeX text with $...$ math; \displaystyle is noise inline.
    return text.replace(r"\displaystyle ", "")


def markdown(loss: Loss, results: Sequence[ClaimResult]) -> str:
    """The derivations and claims as GitHub Markdown (math in ``$$`` blocks and ``$...$``)."""
    out = [
        f"# {loss.title} ({loss.name})",
        "",
        f"*Generated by `lossproof render`; do not edit. Every line below was checked before it was written.*",
        "",
        "$$",
        rf"\operatorname{{{loss.operator}}}(y, p) = {_m(loss.expr)}",
        "$$",
        "",
        _notation(loss),
        "",
        "## Derivatives",
        "",
        "Each line follows from the one before by the rule on its right, and was checked equal to it.",
        "",
    ]
    for chain in _chains(loss):
        if chain.kind == "stationary":
            out += ["## The stationary point", "", r"For $y \in (0, 1)$; each multiplier is proved positive, so every line is equivalent to the one before.", ""]
        out += [_md_chain(chain), ""]
    return "\n".join(out + _md_claims(loss.name, results))


def _md_claims(name: str, results: Sequence[ClaimResult]) -> list[str]:
    writer = ClaimWriter()
    out = ["## Claims", "", "| claim | status | engines |", "| --- | --- | --- |"]
    for r in results:
        engines = ", ".join(f"{_ENGINE_NAMES.get(k, k)}: {v}" for k, v in r.engines.items())
        # Only proved claims have a certificate to link to.
        shown = f"[`{r.claim.id}`](../proofs/{name}/{r.claim.id}.json)" if r.status == "proved" else f"`{r.claim.id}`"
        out.append(f"| {shown} | {r.status} | {engines} |")
    out.append("")
    for r in results:
        out += [f"### `{r.claim.id}`: {r.status}", "", claim_statement(r.claim, "markdown"), ""]
        out += [f"- {_md_inline(writer.part(part))}" for part in r.claim.parts]
        if r.counterexample:
            out.append(f"- counterexample: {', '.join(f'{k} = {v}' for k, v in r.counterexample.items())}")
        out.append("")
    return out



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
    body += [_claim_block(r, writer) for r in results]
    body += [r"\section{Summary}", r"\begin{center}", _summary_table(results), r"\end{center}", r"\end{document}"]
    return "\n\n".join(body) + "\n"


def softmax_markdown(loss: SoftmaxCE, results: Sequence[ClaimResult]) -> str:
    """The same for GitHub."""
    definition, gradient, hessian = _softmax_math(loss)
    out = [
        f"# Softmax cross-entropy (softmax_ce), K = {loss.classes}",
        "",
        "*Generated by `lossproof render`; do not edit.*",
        "",
        "$$",
        definition,
        "$$",
        "",
        _softmax_notation(loss),
        "",
        "## Gradient and Hessian",
        "",
        "$$\n\\begin{aligned}\n" + " \\\\\n".join(gradient) + "\n\\end{aligned}\n$$",
        "",
        "$$\n\\begin{aligned}\n" + " \\\\\n".join(hessian) + "\n\\end{aligned}\n$$",
        "",
    ]
    return "\n".join(out + _md_claims("softmax_ce", results))
