"""Losses side by side: one row per loss, every cell read off a checked claim.

The question this answers is the one people bring to BCE: MSE, log-cosh and BCE all
have their minimum at p = y, so why BCE? Because of what the table shows in the
logit: convexity, and a gradient that does not vanish when the prediction is
confidently wrong. No cell is typed in; each names the claim it comes from, and a
claim that is neither proved nor refuted shows as unknown.

>>> [c.key for c in COLUMNS][:3]
['gradient_p', 'gradient_z', 'minimiser']
"""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import sympy

from .claims import prove
from .derive import derive
from .losses import Loss
from .notation import latex_text, to_latex, to_text
from .kernel import ClaimResult, binary_entropy

__all__ = ["Cell", "Row", "Column", "COLUMNS", "DEFAULT", "compare", "table_text", "text_width", "table_markdown", "table_latex", "table_json"]

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
    if r is None or main is None or main.subject.point is None:
        return Cell("none found", r"\text{none found}", r.claim.id if r else None, r.status if r else "unknown")
    point = main.subject.point
    return Cell(f"p = {to_text(point)}", f"p = {to_latex(point)}", r.claim.id, r.status)


def _min_value(loss: Loss, results: Sequence[ClaimResult]) -> Cell:
    r = _find(results, f"min_value_{loss.name}")
    if r is None or not r.claim.parts:
        return Cell("none found", r"\text{none found}", r.claim.id if r else None, r.status if r else "unknown")
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


def compare(losses: Sequence[Loss], proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> list[Row]:
    """Prove every claim about each loss and read the table's cells off the results.

    ``proved`` maps a loss's name to its claims' results where they are known already
    (``lossproof render`` proves every loss once); the others are proved here.
    """
    rows = []
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


def _mark(cell: Cell) -> str:
    return {"proved": "", "refuted": "", "n/a": "", "unknown": " ?"}.get(cell.status, " ?")


def text_width(stream: TextIO) -> int | None:
    """The width ``compare``'s text table must fit: ``COLUMNS`` when set, else the terminal's.

    Output that is not a terminal (a pipe, a file) gets no limit unless ``COLUMNS`` says
    so, so that a table written to a file stays one table.

    >>> import io, os
    >>> os.environ.get("COLUMNS") is not None or text_width(io.StringIO()) is None
    True
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: no terminal
        is_terminal = False
    return shutil.get_terminal_size().columns if is_terminal else None


#: What the text table's marks mean, printed under it by ``lossproof compare``.
LEGEND = "(? = the claim behind the cell is neither proved nor refuted; `lossproof prove LOSS` says why)"


def table_text(rows: Sequence[Row], width: int | None = None, legend: bool = False) -> str:
    """A plain-text table; '?' marks a cell whose claim is neither proved nor refuted.

    When the table is wider than ``width`` (None: no limit) each loss is printed as a
    block of ``title  value`` lines instead, values wrapped to fit: no line is longer
    than ``width`` unless a single word of a value is. ``legend`` adds :data:`LEGEND`
    under it (wrapped to ``width`` too).

    >>> from lossproof.losses import get_loss
    >>> cells = {c.key: Cell("a + b*c " * 4, "", None, "n/a") for c in COLUMNS}
    >>> print("\\n".join(table_text([Row(get_loss("mse"), cells)], width=60).splitlines()[:3]))
    mse
      gradient in p                     a + b*c a + b*c a + b*c
                                        a + b*c
    """
    header = ["loss"] + [c.title for c in COLUMNS]
    body = [[r.loss.name] + [r.cells[c.key].text + _mark(r.cells[c.key]) for c in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() for line in [header] + body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if width is None or max(len(line) for line in lines) <= width:
        table = "\n".join(lines)
    else:
        table = "\n\n".join(_stacked(r.loss.name, line[1:], width) for r, line in zip(rows, body))
    if not legend:
        return table
    return table + "\n" + (LEGEND if width is None else "\n".join(textwrap.wrap(LEGEND, max(width, 1))))


#: Below this many characters beside the titles, values go on lines of their own.
_MIN_VALUE_ROOM = 24


def _stacked(name: str, values: Sequence[str], width: int) -> str:
    """One loss as a block: its name, then a ``title  value`` line per column, wrapped."""
    titles = [c.title for c in COLUMNS]
    indent = 2 + max(len(t) for t in titles) + 2
    lines = [name]
    for title, value in zip(titles, values):
        if width - indent >= _MIN_VALUE_ROOM:
            wrapped = _wrap(value, width - indent)
            lines.append(("  " + title.ljust(indent - 4) + "  " + wrapped[0]).rstrip())
            lines += [" " * indent + more for more in wrapped[1:]]
        else:  # too narrow for two columns: the value under its title
            lines += ["  " + part for part in _wrap(title, max(width - 2, 1))]
            lines += ["    " + more for more in _wrap(value, max(width - 4, 1))]
    return "\n".join(lines)


def _wrap(value: str, room: int) -> list[str]:
    """``value`` in lines of at most ``room`` characters where it can be.

    Lines break between top-level terms (spaces outside parentheses) first, then after a
    top-level factor (``*``), and inside a parenthesis only where a factor alone is too
    long; never inside a name or a number.
    """
    lines: list[str] = []
    for chunk in _top_level(value, " "):
        if lines and len(lines[-1]) + 1 + len(chunk) <= room:
            lines[-1] += " " + chunk
            continue
        lines.append("")
        for factor in _top_level(chunk, "*") if len(chunk) > room else [chunk]:
            if len(factor) > room:
                pieces = textwrap.wrap(factor, room, break_long_words=False, break_on_hyphens=False)
                lines[-1] += pieces[0]
                lines += pieces[1:]
            elif len(lines[-1]) + len(factor) <= room or not lines[-1]:
                lines[-1] += factor
            else:
                lines.append(factor)
    return lines or [""]


def _top_level(value: str, at: str) -> list[str]:
    """``value`` cut at each ``at`` outside parentheses: a space is dropped, a ``*`` kept
    at the end of its piece (``**``, a power, is never cut)."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(value):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char != at or depth != 0:
            continue
        if at == "*" and ("*" in (value[i - 1 : i], value[i + 1 : i + 2])):
            continue
        end = i if at == " " else i + 1
        pieces.append(value[start:end])
        start = i + 1
    pieces.append(value[start:])
    return [piece for piece in pieces if piece]


def table_markdown(rows: Sequence[Row], proofs: str = "proofs") -> str:
    """A GitHub table; each cell links to the certificate of its claim where there is one."""
    lines = ["| loss | " + " | ".join(c.title for c in COLUMNS) + " |", "|" + " --- |" * (len(COLUMNS) + 1)]
    for r in rows:
        cells = []
        for c in COLUMNS:
            cell = r.cells[c.key]
            words = cell.latex.startswith(r"\text")  # a verdict in words reads better as text
            shown = "n/a" if cell.status == "n/a" else cell.text if words else f"${cell.latex}$"
            if cell.claim and cell.status == "proved":
                shown += f" [✓]({proofs}/{r.loss.name}/{cell.claim}.json)"
            elif cell.claim:
                shown += f" ({cell.status}: `{cell.claim}`)"
            cells.append(shown.replace("|", r"\|"))
        lines.append(f"| {r.loss.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table_latex(rows: Sequence[Row]) -> str:
    """A LaTeX ``tabular`` (amsmath only), one row per loss."""
    spec = "l" + "l" * len(COLUMNS)
    out = [rf"\begin{{tabular}}{{{spec}}}", r"\hline", "loss & " + " & ".join(c.title for c in COLUMNS) + r" \\", r"\hline"]
    for r in rows:
        cells = [(f"${r.cells[c.key].latex}$" if r.cells[c.key].status != "n/a" else "n/a") for c in COLUMNS]
        out.append(rf"\texttt{{{latex_text(r.loss.name)}}} & " + " & ".join(cells) + r" \\")
    out += [r"\hline", r"\end{tabular}"]
    return "\n".join(out)


def table_json(rows: Sequence[Row]) -> dict[str, Any]:
    """``{"columns": [...], "rows": [{"loss", "cells": {KEY: {"text", "latex", "claim", "status"}}}]}``."""
    return {
        "columns": [{"key": c.key, "title": c.title} for c in COLUMNS],
        "rows": [
            {"loss": r.loss.name, "cells": {k: {"text": v.text, "latex": v.latex, "claim": v.claim, "status": v.status} for k, v in r.cells.items()}}
            for r in rows
        ],
    }
