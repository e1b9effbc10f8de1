"""Plots of losses and their logit gradients (optional: ``pip install -e '.[plots]'``).

Two rows: the loss against p for several targets, with the minimum marked where the
proved minimiser claim puts it; and the gradient in the logit for y = 1, where a
curve that flattens to 0 as z -> -oo is a loss that saturates when confidently wrong.
Curves are evaluated with mpmath from the derived expressions, not re-derived here.
SVG output is deterministic (fixed hash salt, no date), so ``docs/`` can be checked.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import mpmath
import sympy

from .claims import prove
from .kernel import ClaimResult
from .derive import derive
from .errors import InputError
from .losses import Loss, p, y
from .numeric import modules

__all__ = ["FORMATS", "TARGETS", "plot_bytes", "matplotlib_missing"]

#: File types a plot can be written as.
FORMATS = ("svg", "png", "pdf")
#: The targets drawn in the loss panels.
TARGETS = (0.1, 0.5, 0.9)


def matplotlib_missing() -> bool:
    """Whether the optional matplotlib is absent."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return False


def _minimiser(loss: Loss, target: float, results: Sequence[ClaimResult] | None = None) -> float | None:
    result = next((r for r in (prove(loss) if results is None else results) if r.claim.id == f"isMinOn_{loss.name}_p"), None)
    if result is None or result.status != "proved" or not result.claim.parts:
        return None  # only a proved minimiser is marked
    part = next((q for q in result.claim.parts if not q.case), None)
    if part is None or part.subject.point is None:
        return None
    point = part.subject.point.subs(y, sympy.Rational(str(target)))
    return float(point) if point.is_number else None


def plot_bytes(losses: Sequence[Loss], fmt: str, proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> bytes:
    """The figure for ``losses`` as ``fmt`` bytes.

    ``proved`` maps a loss's name to its claims' results where they are known already
    (``lossproof render`` proves every loss once); the others are proved here.

    Raises:
        InputError: an unknown format, or matplotlib (the optional extra) is not installed.
    """
    return plot_formats(losses, (fmt,), proved)[fmt]


def plot_formats(losses: Sequence[Loss], fmts: Sequence[str], proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> dict[str, bytes]:
    """The figure for ``losses`` drawn once and saved in each of ``fmts``: format -> bytes.

    Raises:
        InputError: an unknown format, or matplotlib (the optional extra) is not installed.
    """
    for fmt in fmts:
        if fmt not in FORMATS:
            raise InputError(f"cannot write a plot as {fmt!r}: choose {', '.join(FORMATS)}")
    if matplotlib_missing():
        raise InputError("plots need matplotlib, the optional extra: pip install -e '.[plots]'")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "lossproof"
    fig, axes = plt.subplots(2, len(losses), figsize=(3.2 * len(losses), 6), squeeze=False)
    xs = [i / 200 for i in range(2, 199)]
    zs = [-8 + 16 * i / 200 for i in range(201)]
    for col, loss in enumerate(losses):
        ax = axes[0][col]
        f = sympy.lambdify((y, p), loss.expr, modules=modules("mpmath"))
        results = proved[loss.name] if proved is not None and loss.name in proved else prove(loss)
        for target in TARGETS:
            line = ax.plot(xs, [float(f(target, x)) for x in xs], label=f"y = {target}")[0]
            best = _minimiser(loss, target, results)
            if best is not None and 0 < best < 1:
                ax.plot([best], [float(f(target, best))], "o", color=line.get_color())
        ax.set_title(loss.operator)
        ax.set_xlabel("p")
        ax.legend(fontsize=7)
        grad = axes[1][col]
        if loss.link is None:
            grad.set_axis_off()
            continue
        g = sympy.lambdify(loss.link.var, derive(loss, "z", 1).canonical.subs(y, 1), modules=modules("mpmath"))
        with mpmath.workdps(30):
            grad.plot(zs, [float(g(mpmath.mpf(v))) for v in zs])
        grad.axhline(0, color="grey", linewidth=0.5)
        grad.set_xlabel("z (y = 1)")
        grad.set_title(f"d{loss.operator}/dz", fontsize=9)
    fig.tight_layout()
    out = {}
    for fmt in fmts:
        buffer = io.BytesIO()
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else {"CreationDate": None, "Creator": None, "Producer": None})
        fig.savefig(buffer, format=fmt, metadata=metadata)
        out[fmt] = buffer.getvalue()
    plt.close(fig)
    return out
