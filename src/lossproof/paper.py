r"""The seed question as a paper: "Why binary cross-entropy?", answered from checked results only.

The article puts binary cross-entropy beside other losses of a prediction
:math:`p = \sigma(z)`: the table of :func:`lossproof.compare.compare`, the figure of
:mod:`lossproof.plot` (included with graphicx) and, for every cell, the claim behind it
with its checked proof, its counterexample, or the step that could not be settled. The
prose that draws the conclusion is generated from the verdicts: a sentence says a loss is
convex, or does not saturate, only when the claim behind it is proved.

>>> from lossproof.losses import get_loss
>>> [loss.name for loss in paper_losses([get_loss("mse"), get_loss("bce"), get_loss("mse")])]
['bce', 'mse']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import sympy

from . import __name__ as _package
from .claims import prove
from .compare import Cell, Row, compare
from .render.latex import PROOF_MACROS, THEOREM_STYLE, ClaimWriter, claim_block_latex, counterexample_latex
from .losses import Loss, get_loss
from .notation import interval_text, latex_text, operator_latex, to_latex
from .proof import ClaimResult

__all__ = ["TITLE", "VERDICTS", "paper_losses", "paper_latex", "figure_name"]

#: The article's title: the question it answers.
TITLE = "Why binary cross-entropy?"
#: The table's rows: the compare columns that hold a verdict (the gradients are displayed
#: with the losses, as formulas too wide for a table cell).
VERDICTS = (
    ("minimiser", "minimiser in $p$"),
    ("min_value", "minimum value"),
    ("convex_p", "convex in $p$"),
    ("convex_z", r"convex in the logit $z$"),
    ("saturates", "logit gradient saturates when confidently wrong"),
)
#: Longest formula shown as a display, in LaTeX characters; a longer one is set as a
#: paragraph that may break at its top-level operators, rather than run off the page.
_DISPLAY = 110


def paper_losses(losses: Sequence[Loss]) -> list[Loss]:
    """The losses of the article: binary cross-entropy first, then the others, each once."""
    out = [get_loss("bce")]
    for loss in losses:
        if loss.name not in {o.name for o in out}:
            out.append(loss)
    return out


def figure_name(output: str) -> str:
    """The figure's file beside the article ``output`` (``why.tex`` -> ``why-figure.pdf``).

    >>> figure_name("out/why.tex")
    'why-figure.pdf'
    """
    return Path(output).stem + "-figure.pdf"


def _ref(claim: str | None) -> str:
    return rf"~[\ref{{{_label(claim)}}}]" if claim else ""


def _label(claim_id: str) -> str:
    return f"claim:{claim_id}"


def _row(lhs: str, rhs: str, note: str = "") -> str:
    """One line of an ``align*``: a right side too long to display is set as a paragraph that
    may break at its top-level operators, rather than run off the page."""
    if len(rhs) > _DISPLAY:
        rhs = rf"\parbox[t]{{0.7\linewidth}}{{\raggedright $\displaystyle {rhs}$}}"
    return rf"{lhs} &= {rhs}" + (rf" && \text{{{note}}}" if note else "")


def _verdict_cell(cell: Cell, result: ClaimResult | None) -> str:
    """A table cell: the verdict in words, the counterexample of a refuted claim, the reference."""
    if cell.status == "n/a":
        return "n/a"
    if cell.status == "unknown":
        return r"\emph{open}" + _ref(cell.claim)
    if cell.status == "refuted" and result is not None and result.counterexample:
        point = ", ".join(f"${counterexample_latex(k, v)}$" for k, v in result.counterexample.items())
        return rf"no: {point}" + _ref(cell.claim)
    words = re.match(r"\\text\{([^}]*)\}\s*(.*)", cell.latex)
    if words:  # a verdict in words, then its math: "no ($\to -1, 1$)"
        rest = words.group(2).strip()
        return words.group(1) + (f" ${rest}$" if rest else "") + _ref(cell.claim)
    return f"${cell.latex}$" + _ref(cell.claim)


def _table(rows: Sequence[Row], results: dict[str, ClaimResult]) -> str:
    size = r"\small" if len(rows) <= 5 else r"\footnotesize"
    width = f"{0.75 / len(rows):.3f}"  # with the first column and 3pt gaps, within the line
    ragged = r">{\raggedright\arraybackslash}"  # the array package's: ragged cells, rows still end with \\
    spec = rf"@{{}}{ragged}p{{0.16\linewidth}}" + "".join(rf"{ragged}p{{{width}\linewidth}}" for _ in rows) + "@{}"
    out = [r"\begin{table}[ht]", r"\centering", size, r"\setlength{\tabcolsep}{3pt}", rf"\begin{{tabular}}{{{spec}}}", r"\hline"]
    out.append(" & " + " & ".join(rf"${operator_latex(r.loss.operator)}$" for r in rows) + r" \\")
    out.append(r"\hline")
    for key, title in VERDICTS:
        cells = [_verdict_cell(r.cells[key], results.get(r.cells[key].claim or "")) for r in rows]
        out.append(rf"{title} & " + " & ".join(cells) + r" \\[2pt]")
    out += [
        r"\hline",
        r"\end{tabular}",
        r"\caption{The losses side by side. Every cell is read off the claim whose number it gives, "
        r"checked step by step in Section~\ref{sec:proofs}; \emph{open} marks a claim neither proved nor refuted, "
        r"\emph{no} a claim refuted by the counterexample shown.}",
        r"\label{tab:compare}",
        r"\end{table}",
    ]
    return "\n".join(out)


def _names(losses: Sequence[Loss]) -> str:
    shown = [rf"${operator_latex(loss.operator)}$" for loss in losses]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _refs(rows: Sequence[Row], key: str) -> str:
    """"claim 5" or "claims 1, 7 and 13": the claims behind a column's cells in ``rows``."""
    refs = [rf"\ref{{{_label(c)}}}" for c in (r.cells[key].claim for r in rows) if c]
    if len(refs) == 1:
        return f"claim~{refs[0]}"
    return "claims~" + ", ".join(refs[:-1]) + " and " + refs[-1]


def _answer(rows: Sequence[Row]) -> list[str]:
    """The conclusion, sentence by sentence, each from the verdicts it cites."""
    def proved(row: Row, key: str) -> bool:
        return row.cells[key].status == "proved"

    out = []
    at_y = [r for r in rows if proved(r, "minimiser") and r.cells["minimiser"].text == "p = y"]
    if len(at_y) > 1:
        out.append(
            rf"\emph{{The minimiser does not decide.}} {_names([r.loss for r in at_y])} are all minimised exactly at "
            rf"$p = y$ ({_refs(at_y, 'minimiser')}): each recovers the target, so the choice rests on something else."
        )
    convex = [r for r in rows if proved(r, "convex_z") and r.cells["convex_z"].claim]
    not_convex = [r for r in rows if r.cells["convex_z"].status == "refuted"]
    open_convex = [r for r in rows if r.cells["convex_z"].status == "unknown"]
    sentence = r"\emph{Convexity in the logit.} The network outputs the logit $z$ and is trained in it. "
    if convex:
        sentence += rf"{_names([r.loss for r in convex])} {'is' if len(convex) == 1 else 'are'} proved convex in $z$ ({_refs(convex, 'convex_z')}). "
    if not_convex:
        sentence += (
            rf"{_names([r.loss for r in not_convex])} {'is' if len(not_convex) == 1 else 'are'} not: a chord lies below the function "
            rf"at the counterexample of {_refs(not_convex, 'convex_z')}, confirmed at high precision. "
        )
    if open_convex:
        sentence += rf"For {_names([r.loss for r in open_convex])} the question is open here ({_refs(open_convex, 'convex_z')})."
    out.append(sentence.strip())
    keeps = [r for r in rows if proved(r, "saturates") and r.cells["saturates"].text.startswith("no")]
    vanishes = [r for r in rows if proved(r, "saturates") and r.cells["saturates"].text.startswith("yes")]
    sentence = (
        r"\emph{The gradient when the prediction is confidently wrong} ($y = 1$, $z \to -\infty$; $y = 0$, $z \to +\infty$), "
        r"the argument of Goodfellow, Bengio and Courville (\emph{Deep Learning}, Section 6.2.2.2). "
    )
    if keeps:
        sentence += rf"The logit gradient of {_names([r.loss for r in keeps])} tends to a nonzero limit ({_refs(keeps, 'saturates')}): the worse the prediction, the stronger the correction. "
    if vanishes:
        sentence += rf"That of {_names([r.loss for r in vanishes])} tends to $0$ ({_refs(vanishes, 'saturates')}): learning stalls exactly where the model is most wrong."
    out.append(sentence.strip())
    both = [r for r in rows if r in convex and r in keeps]
    if both:
        only = "only " if len(both) == 1 and len(rows) > 1 else ""
        sentence = (
            rf"\emph{{The answer.}} Of the losses compared, {only}{_names([r.loss for r in both])} "
            rf"{'is' if len(both) == 1 else 'are'} proved both convex in the logit and free of saturation."
        )
        if [r.loss.name for r in both] == ["bce"]:
            sentence += r" That, not where the minimum lies, is why binary cross-entropy is the loss for a sigmoid output."
        out.append(sentence)
    return out


def _losses_section(rows: Sequence[Row]) -> list[str]:
    out = [
        r"\section{The losses}",
        r"The target is $y$, the prediction $p = \sigma(z) = 1/(1 + e^{-z})$ for a logit $z \in \mathbb{R}$; "
        r"$\log$ is the natural logarithm. Each loss below is followed by its gradient in $p$ and in $z$, "
        r"derived by SymPy and checked equal to its raw derivative; the number in brackets, here and in the table, is the claim that uses it.",
    ]
    for row in rows:
        loss = row.loss
        domain = ", ".join(rf"{s} \in {_interval(iv)}" for s, iv in loss.domain)
        out.append(rf"\paragraph{{{latex_text(loss.title)} (\texttt{{{latex_text(loss.name)}}}).}} For ${domain}$:")
        lines = [_row(rf"{operator_latex(loss.operator)}(y, p)", to_latex(loss.expr))]
        for key, wrt in (("gradient_p", "p"), ("gradient_z", "z")):
            cell = row.cells[key]
            if cell.status != "n/a":
                lhs = rf"\frac{{\partial {operator_latex(loss.operator)}}}{{\partial {wrt}}}"
                lines.append(_row(lhs, cell.latex, rf"[\ref{{{_label(cell.claim)}}}]" if cell.claim else ""))
        out.append("\\begin{align*}\n  " + " \\\\\n  ".join(lines) + "\n\\end{align*}")
    return out


def _interval(iv: sympy.Interval) -> str:
    return interval_text(iv, "latex")


def _preamble() -> list[str]:
    return [
        r"\documentclass[11pt]{article}",
        r"\usepackage[margin=2.5cm]{geometry}",
        r"\usepackage{amsmath,amssymb,amsthm}",
        r"\usepackage{array,graphicx}",
        THEOREM_STYLE,
        r"\newtheorem{theorem}{Theorem}",
        r"\newtheorem{claim}[theorem]{Claim}  % one numbering: the table cites both",
        PROOF_MACROS,
        rf"\title{{{latex_text(TITLE)}}}",
        rf"\author{{Generated by {_package} from checked results only}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ]


def paper_latex(losses: Sequence[Loss], figure: str | None = None, proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> str:
    """The article as LaTeX (amsmath, amssymb, amsthm, geometry, array, graphicx: all in texlive-latex-base).

    Args:
        losses: the losses to put beside binary cross-entropy (which is always included, first).
        figure: the file name of the figure drawn by ``plot_bytes(paper_losses(losses), "pdf")``,
            relative to the article; ``None`` leaves the figure out and says so.
        proved: a loss's name -> its claims' results, where they are known already
            (``lossproof render`` proves every loss once); the others are proved here.
    """
    chosen = paper_losses(losses)
    known = {loss.name: (proved[loss.name] if proved is not None and loss.name in proved else prove(loss)) for loss in chosen}
    rows = compare(chosen, known)
    results = {r.claim.id: r for loss in chosen for r in known[loss.name]}
    cited = list(dict.fromkeys(c.claim for row in rows for c in row.cells.values() if c.claim))
    body = _preamble()
    body.append(
        r"\begin{abstract}"
        rf" Several losses are minimised where the prediction equals the target; why train a sigmoid output with binary "
        rf"cross-entropy? This note compares {_names(chosen)} by what is proved about them, and only by that: each statement "
        r"is a claim checked step by step by two independent engines, with the proofs and counterexamples included."
        r"\end{abstract}"
    )
    body.append(r"\section{The answer}")
    body += _answer(rows)
    body.append(_table(rows, results))
    if figure is not None:
        body.append(
            r"\begin{figure}[ht]" "\n" r"\centering" "\n"
            rf"\includegraphics[width=\linewidth]{{{figure}}}" "\n"
            r"\caption{Top: each loss against $p$ for $y = 0.1, 0.5, 0.9$, with the minimum marked where a proved claim "
            r"puts it. Bottom: the gradient in the logit for $y = 1$; a curve that flattens to $0$ as $z \to -\infty$ "
            r"belongs to a loss that saturates when the prediction is confidently wrong.}" "\n"
            r"\label{fig:compare}" "\n" r"\end{figure}"
        )
    else:
        body.append(r"(The figure is left out: write the article with \texttt{lossproof paper -o FILE} and the plots extra installed.)")
    body += _losses_section(rows)
    body.append(r"\section{How the results were checked}")
    body.append(
        "A claim is a list of parts, each a conclusion drawn by a named rule (a positive second derivative gives strict "
        "convexity, and so on) from steps. A step is proved only when two sides that share no code both prove it: "
        "SymPy-side rules and the Z3 solver for signs, SymPy and exact or high-precision evaluation for identities, "
        "SymPy and finite differences for derivatives and limits. A claim is refuted only by a counterexample in its own "
        "domain confirmed at high precision on the loss itself; anything else is \\emph{open}."
    )
    body.append(r"\section{The claims and their proofs}\label{sec:proofs}")
    writer = ClaimWriter()
    for loss in chosen:
        own = {r.claim.id for r in known[loss.name]}
        mine = [results[c] for c in cited if c in own]
        if mine:
            body.append(rf"\subsection{{{latex_text(loss.title)}}}")
            body += [claim_block_latex(r, writer, label=_label(r.claim.id)) for r in mine]
    body.append(r"\end{document}")
    return "\n\n".join(body) + "\n"
