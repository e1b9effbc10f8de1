"""Losses side by side: one row per loss, every cell read off a checked claim.

The question this answers is the one people bring to BCE: MSE, log-cosh and BCE all
have their minimum at p = y, so why BCE? Because of what the table shows in the
logit: convexity, and a gradient that does not vanish when the prediction is
confidently wrong. No cell is typed in; each names the claim it comes from, and a
claim that is neither proved nor refuted shows as unknown. The table is written by
:mod:`lossproof.render` (``table_text``, ``table_markdown``, ``table_latex``, ``table_json``).

>>> [c.key for c in COLUMNS][:3]
['gradient_p', 'gradient_z', 'minimiser']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from .claims import prove
from .derive import derive
from .losses import Loss
from .notation import latex_text, to_latex, to_text
from .kernel import ClaimResult, binary_entropy

__all__ = ["Cell", "Row", "Column", "COLUMNS", "DEFAULT", "Comparison", "compare"]

#: The losses `lossproof compare` shows when none are named.
DEFAULT = ("bce", "mse", "mae", "logcosh", "focal")


@dataclass(frozen=True)
class Cell:
    """One cell: what it says, as text and LaTeX, and the claim it comes from (with its status)."""

    text: str
    latex: str
    claim: str | None
    status: str


@dataclass(frozen=True)
class Column:
    key: str
    title: str


COLUMNS = (
    Column("gradient_p", "gradient in p"),
    Column("gradient_z", "gradient in z"),
    Column("minimiser", "minimiser"),
    Column("min_value", "minimum value"),
    Column("convex_p", "convex in p"),
    Column("convex_z", "convex in z"),
    Column("saturates", "saturates when confidently wrong"),
)


@dataclass(frozen=True)
class Row:
    loss: Loss
    cells: dict[str, Cell]


def _find(results: Sequence[ClaimResult], claim_id: str) -> ClaimResult | None:
    return next((r for r in results if r.claim.id == claim_id), None)


def _none() -> Cell:
    return Cell("n/a", r"\text{n/a}", None, "n/a")


def _gradient(loss: Loss, results: Sequence[ClaimResult], wrt: str) -> Cell:
    if wrt == "z" and loss.link is None:
        return _none()
    # The gradient is the one the minimiser claim cites (its first step), checked there.
    r = _find(results, f"isMinOn_{loss.name}_{wrt}")
    d = derive(loss, wrt, 1)
    g = d.canonical
    # Where the loss has a kink the gradient holds off it, and the cell says so.
    off = "".join(f" ({to_text(u)} != 0)" for u in d.undefined_where)
    off_tex = "".join(rf" \quad ({to_latex(u)} \neq 0)" for u in d.undefined_where)
    return Cell(to_text(g) + off, to_latex(g) + off_tex, r.claim.id if r else None, r.status if r else "unknown")


def _minimiser(loss: Loss, results: Sequence[ClaimResult]) -> Cell:
    r = _find(results, f"isMinOn_{loss.name}_p")
    main = next((q for q in r.claim.parts if not q.case), None) if r is not None else None
    if r is not None and main is not None and main.subject.bracket is not None:
        return _bracketed(loss, r, main.subject.bracket)
    if r is None or main is None or main.subject.point is None:
        return Cell("none found", r"\text{none found}", r.claim.id if r else None, r.status if r else "unknown")
    point = main.subject.point
    return Cell(f"p = {to_text(point)}", f"p = {to_latex(point)}", r.claim.id, r.status)


#: The target at which a minimiser without a closed form is shown, enclosed and proved.
SAMPLE_TARGET = sympy.Rational(3, 10)


def _bracketed(loss: Loss, r: ClaimResult, bracket: tuple[sympy.Expr, sympy.Expr]) -> Cell:
    # No closed form: the proved bracket, and the minimiser at one target, enclosed to
    # 1e-12 by the kernel (shown to 6 decimals; shown only if that enclosure is proved).
    from .enclosure import minimiser_enclosure

    a, b = bracket
    text, tex = f"no closed form; p in ({to_text(a)}, {to_text(b)})", rf"\text{{no closed form; }} p \in ({to_latex(a)}, {to_latex(b)})"
    e = minimiser_enclosure(loss, SAMPLE_TARGET)
    if e.status == "proved":
        shown = f"{float(e.midpoint):.6f}"
        text += f"; p = {shown}... at y = {SAMPLE_TARGET}"
        tex += rf"; p = {shown}\ldots \text{{ at }} y = {to_latex(SAMPLE_TARGET)}"
        status = r.status
    else:
        status = "unknown" if r.status == "proved" else r.status
    return Cell(text, tex, r.claim.id, status)


def _min_value(loss: Loss, results: Sequence[ClaimResult]) -> Cell:
    r = _find(results, f"min_value_{loss.name}")
    if r is None or not r.claim.parts:
        return Cell("none found", r"\text{none found}", r.claim.id if r else None, r.status if r else "unknown")
    if r.claim.subject.value is None and r.claim.subject.rel == ">":
        return Cell("> 0, no closed form", r"> 0 \text{ (no closed form)}", r.claim.id, r.status)
    value = r.claim.subject.value
    named = "H(y)" if value == binary_entropy(sympy.Symbol("y")) else to_text(value)
    tex = "H(y)" if named == "H(y)" else to_latex(value)
    return Cell(named, tex, r.claim.id, r.status)


def _convex(loss: Loss, results: Sequence[ClaimResult], wrt: str) -> Cell:
    if wrt == "z" and loss.link is None:
        return _none()
    strict = _find(results, f"strictConvexOn_{loss.name}_{wrt}")
    plain = _find(results, f"convexOn_{loss.name}_{wrt}")
    if strict is not None and strict.status == "proved":
        return Cell("strictly", r"\text{strictly}", strict.claim.id, "proved")
    if plain is not None and plain.status == "proved":
        return Cell("yes, not strictly", r"\text{yes, not strictly}", plain.claim.id, "proved")
    decisive = plain if plain is not None else strict
    if decisive is not None and decisive.status == "refuted":
        cx = dict(decisive.counterexample or {})
        # A chord below the function: the target (and parameters), then the chord's ends.
        chord = f"chord {cx.pop('a')}..{cx.pop('b')}" if "a" in cx and "b" in cx else ""
        cx.pop("t", None)
        where = ", ".join([f"{k} = {v}" for k, v in cx.items()] + ([chord] if chord else []))
        return Cell(f"no ({where})", rf"\text{{no}} ({latex_text(where)})", decisive.claim.id, "refuted")
    return Cell("unknown", r"\text{unknown}", decisive.claim.id if decisive else None, "unknown")


def _saturates(loss: Loss, results: Sequence[ClaimResult]) -> Cell:
    if loss.link is None:
        return _none()
    r = _find(results, f"tendsto_deriv_{loss.name}_z_of_confidently_wrong")
    if r is None or r.status != "proved":
        return Cell("unknown", r"\text{unknown}", r.claim.id if r else None, r.status if r else "unknown")
    limits = [part.subject.value for part in r.claim.parts]
    saturates = all(v == 0 for v in limits)
    shown = ", ".join(to_text(v) for v in limits)
    word = "yes" if saturates else "no"
    return Cell(f"{word} (-> {shown})", rf"\text{{{word}}} (\to {', '.join(to_latex(v) for v in limits)})", r.claim.id, "proved")


class Comparison(list[Row]):
    """The rows of a comparison: a list, which a notebook shows as a table.

    ``_repr_latex_`` and ``_repr_markdown_`` delegate to :mod:`lossproof.render`.
    """

    def _repr_latex_(self) -> str:
        from .render.latex import LATEX

        return str(LATEX.render(self))

    def _repr_markdown_(self) -> str:
        from .render.markdown import MARKDOWN

        return str(MARKDOWN.render(self))


def compare(losses: Sequence[Loss], proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> Comparison:
    """Prove every claim about each loss and read the table's cells off the results.

    ``proved`` maps a loss's name to its claims' results where they are known already
    (``lossproof render`` proves every loss once); the others are proved here.
    """
    rows = Comparison()
    for loss in losses:
        results = proved[loss.name] if proved is not None and loss.name in proved else prove(loss)
        cells = {
            "gradient_p": _gradient(loss, results, "p"),
            "gradient_z": _gradient(loss, results, "z"),
            "minimiser": _minimiser(loss, results),
            "min_value": _min_value(loss, results),
            "convex_p": _convex(loss, results, "p"),
            "convex_z": _convex(loss, results, "z"),
            "saturates": _saturates(loss, results),
        }
        rows.append(Row(loss, cells))
    return rows
