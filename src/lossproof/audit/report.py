"""An audit as text, JSON or Markdown, and as a plot of error against the input.

Formatting only: every number comes from an :class:`~lossproof.audit.run.AuditResult`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import mpmath

from ..errors import InputError
from .names import FORMATS
from .run import AuditResult, Point

__all__ = ["render_report", "FORMATS", "plot_errors"]




def _num(v: float) -> str:
    return "inf" if math.isinf(v) else ("nan" if math.isnan(v) else f"{v:.3g}")


def _var(result: AuditResult) -> str:
    return "p" if result.quantity == "grad_p" else "z"


def _point(pt: Point | None, var: str) -> str:
    if pt is None:
        return "-"
    return f"{_num(pt.ulps)} ulp (rel {_num(pt.rel)}) at y = {pt.y!r}, {var} = {pt.x!r}: got {pt.got!r}, true {mpmath.nstr(pt.truth, 17)}"


def _title(r: AuditResult) -> str:
    version = f" ({r.version})" if r.version else ""
    return f"audit of {r.target}{version}: {r.loss} {r.quantity}, {r.dtype}"


def _verdict(r: AuditResult) -> str:
    w = r.worst
    worst = _num(w.ulps) if w else "-"
    word = "FAIL" if r.failed else ("PASS" if r.passed else "UNSETTLED")
    # Points whose truth no ball proved are not measured: said whenever there are any.
    undecided = f", {r.undecided} points whose truth was not decided (not measured)" if r.undecided else ""
    return f"{word}: worst {worst} ulp (bar {_num(r.max_ulp)}), {r.nonfinite} NaN/inf where the truth is finite{undecided}"


def _text(r: AuditResult) -> str:
    var = _var(r)
    lines = [_title(r), ""]
    width = max(len(reg.name) for reg in r.regions) if r.regions else 10
    for reg in r.regions:
        extra = []
        if reg.nan or reg.inf:
            extra.append(f"{reg.nan} NaN, {reg.inf} inf")
        if reg.at_kink:
            extra.append(f"{reg.at_kink} at the kink")
        if reg.undecided:
            extra.append(f"{reg.undecided} undecided")
        note = f" [{'; '.join(extra)}]" if extra else ""
        lines.append(f"{reg.name:<{width}}  {reg.measured:>6} measured  worst {_point(reg.worst, var)}{note}")
    if r.search_examples:
        lines.append(f"{'search':<{width}}  {r.search_examples:>6} examples  worst {_point(r.search, var)}")
    lines += ["", _verdict(r)]
    return "\n".join(lines) + "\n"


def _pt_json(pt: Point | None) -> dict | None:
    if pt is None:
        return None
    return {"y": pt.y, "x": pt.x, "got": _jnum(pt.got), "truth": mpmath.nstr(pt.truth, 25), "ulps": _jnum(pt.ulps), "rel": _jnum(pt.rel)}


def _jnum(v: float) -> float | str:
    return v if math.isfinite(v) else str(v)


def _json(r: AuditResult) -> str:
    data = {
        "target": r.target, "version": r.version, "loss": r.loss, "quantity": r.quantity, "input": _var(r),
        "dtype": r.dtype, "max_ulp": r.max_ulp, "passed": r.passed, "undecided": r.undecided,
        "worst": _pt_json(r.worst),
        "regions": [
            {"name": g.name, "points": g.points, "measured": g.measured, "at_kink": g.at_kink, "nan": g.nan, "inf": g.inf, "undecided": g.undecided, "worst": _pt_json(g.worst)}
            for g in r.regions
        ],
        "search": {"examples": r.search_examples, "worst": _pt_json(r.search)},
    }
    return json.dumps(data, indent=2) + "\n"


def _markdown(r: AuditResult) -> str:
    var = _var(r)
    lines = [
        f"### {r.loss} {r.quantity}, {r.dtype}: {r.target}" + (f" ({r.version})" if r.version else ""),
        "",
        f"| region | measured | NaN | inf | worst ulp | relative error | y | {var} | returned | true value |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for g in r.regions:
        w = g.worst
        cells = ["-"] * 6 if w is None else [_num(w.ulps), _num(w.rel), repr(w.y), repr(w.x), repr(w.got), mpmath.nstr(w.truth, 17)]
        lines.append(f"| {g.name.replace('|', chr(92) + '|')} | {g.measured} | {g.nan} | {g.inf} | " + " | ".join(cells) + " |")
    lines += ["", f"**{_verdict(r)}**", ""]
    return "\n".join(lines)


def render_report(result: AuditResult, fmt: str = "text") -> str:
    """``result`` in ``fmt`` ("text", "json" or "markdown").

    Raises:
        InputError: an unknown format.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: choose {', '.join(FORMATS)}")
    return {"text": _text, "json": _json, "markdown": _markdown}[fmt](result)


def plot_errors(results: Sequence[AuditResult], path: str) -> None:
    """Error in ulps against the input, one panel per audit, one series per label kind (needs matplotlib).

    Raises:
        InputError: matplotlib is missing.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("--plot needs matplotlib: pip install -e '.[plots]'") from None
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 3.2 * len(results)), squeeze=False)
    for ax, result in zip(axes[:, 0], results):
        for label, keep in (("y = 0", lambda v: v == 0), ("y = 1", lambda v: v == 1), ("soft y", lambda v: 0 < v < 1)):
            pts = [(x, e) for yv, x, e in result.series if keep(yv)]
            if pts:
                xs = [math.copysign(math.log10(1 + abs(x)), x) for x, _ in pts]
                es = [math.log10(1 + min(e, 1e300)) for _, e in pts]
                ax.scatter(xs, es, s=3, label=label)
        var = _var(result)
        ax.set_xlabel(f"sign({var}) log10(1 + |{var}|)")
        ax.set_ylabel("log10(1 + ulps)")
        ax.set_title(_title(result), fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
