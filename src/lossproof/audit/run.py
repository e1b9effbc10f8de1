"""Running an audit: the sweep, the Hypothesis search, the worst error per region, the verdict.

>>> from lossproof.losses import get_loss
>>> from lossproof.audit.adapters import get_target
>>> r = audit(get_target("numpy.naive", get_loss("bce")), get_loss("bce"), "grad_z", "float32", stride=8, search_examples=0)
>>> r.passed, r.worst.ulps > 1e6
(False, True)
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import numpy as np
from mpmath.libmp import from_float as _from_float
from mpmath.libmp import fzero as _fzero
from mpmath.libmp import mpf_cmp as _mpf_cmp

from ..errors import InputError
from ..losses import Loss
from .adapters import Target
from .sweep import DTYPES, DType, Region, sweep
from .names import LABELS, QUANTITIES
from .truth import UNDECIDED, Truth, ulps
from .zeros import ZERO_REGION

__all__ = ["Point", "RegionResult", "AuditResult", "audit", "DEFAULT_MAX_ULP", "DEFAULT_SEARCH", "LABELS"]

#: The CLI's default bar: 4 ulps leaves a correctly rounded library function and two
#: roundings of room, and no tail failure (errors of 10^16 ulps) anywhere near it.
DEFAULT_MAX_ULP = 4.0
#: Examples of the Hypothesis search after the sweep.
DEFAULT_SEARCH = 300


@dataclass(frozen=True)
class Point:
    """One evaluated input: the label, the input, the exact value, what the target returned."""

    y: float
    x: float
    truth: mpmath.mpf
    got: float
    ulps: float

    @property
    def rel(self) -> float:
        """Relative error |got - truth| / |truth| (inf for NaN, inf, or a wrong zero)."""
        if not math.isfinite(self.got) or self.truth == 0:
            return math.inf if self.got != self.truth else 0.0
        return float(abs(mpmath.mpf(self.got) - self.truth) / abs(self.truth))


@dataclass(frozen=True)
class RegionResult:
    """The outcome on one region.

    Attributes:
        name: e.g. ``"y = 0, z < -36"``.
        points: inputs evaluated.
        measured: inputs whose true value is a normal number of the dtype (the verdict's).
        at_kink: inputs where the quantity does not exist (exactly at a kink).
        undecided: inputs where no ball proved the truth (:data:`~lossproof.audit.truth.UNDECIDED`):
            not measured, whatever the target returned.
        nan, inf: NaN and infinite results where the true value is finite.
        worst: the measured point of largest error, or None if nothing was measured.
    """

    name: str
    points: int
    measured: int
    at_kink: int
    nan: int
    inf: int
    worst: Point | None
    undecided: int = 0


@dataclass(frozen=True)
class AuditResult:
    """An audit of one quantity of one target against lossproof's truth."""

    target: str
    version: str
    loss: str
    quantity: str
    dtype: str
    max_ulp: float
    regions: tuple[RegionResult, ...]
    search: Point | None = None
    search_examples: int = 0
    series: tuple[tuple[float, float, float], ...] = field(default=(), repr=False)

    @property
    def worst(self) -> Point | None:
        """The worst point of the sweep and the search together."""
        pts = [r.worst for r in self.regions if r.worst is not None]
        if self.search is not None:
            pts.append(self.search)
        return max(pts, key=lambda q: q.ulps, default=None)

    @property
    def nonfinite(self) -> int:
        """NaN and infinite results where the truth is finite."""
        return sum(r.nan + r.inf for r in self.regions)

    @property
    def undecided(self) -> int:
        """Points of the sweep where no ball proved the truth (not measured)."""
        return sum(r.undecided for r in self.regions)

    @property
    def failed(self) -> bool:
        """A point above ``max_ulp``, or NaN or infinity where the truth is finite."""
        w = self.worst
        return self.nonfinite > 0 or (w is not None and w.ulps > self.max_ulp)

    @property
    def passed(self) -> bool:
        """Not failed, and every point of the sweep measured: a point whose truth no ball
        proved (:attr:`undecided`) leaves the audit unsettled, never passed."""
        return not self.failed and self.undecided == 0


def _classify(dt: DType, t: mpmath.mpf) -> str:
    """Where ``t`` falls for ``dt``: "infinite", "overflow", "below" (its normal range) or "normal".

    Exact comparisons of mpmath's raw ``(sign, man, exp, bc)`` with the dtype's bounds: the
    same answers as ``abs(t) > dt.max`` and ``abs(t) < dt.tiny``, without building mpf values.

    >>> _classify(DTYPES["float32"], mpmath.mpf(2) ** -127), _classify(DTYPES["float64"], mpmath.mpf(2) ** -127)
    ('below', 'normal')
    """
    sign, man, exp, bc = v = t._mpf_
    if not man and v != _fzero:
        return "infinite"  # mpmath's inf, -inf and nan have no mantissa and a special exponent
    top, low = _BOUNDS[dt.name]
    a = (0, man, exp, bc)
    if _mpf_cmp(a, top) > 0:
        return "overflow"
    if _mpf_cmp(a, low) < 0:
        return "below"
    return "normal"


#: (largest finite, smallest normal) of each dtype, as exact mpmath values.
_BOUNDS = {name: (_from_float(dt.max), _from_float(dt.tiny)) for name, dt in DTYPES.items()}


#: Below this many points the truths are evaluated in this process; above, in one forked
#: worker per core (the truth evaluations are nearly all of an audit's time).
_PARALLEL_MIN = 2000
_WORK: list[Truth] = []


def _truth_chunk(pairs: list[tuple[float, float]]) -> list[mpmath.mpf | None]:
    truth = _WORK[0]
    return [truth(yv, xv) for yv, xv in pairs]


def truths(truth: Truth, pairs: list[tuple[float, float]]) -> list[mpmath.mpf | None]:
    """``truth`` at every pair, in forked workers when there are many (same values, same order).

    Serial inside a worker process already (``lossproof render`` runs the audits in its
    own pool, one job per core): forking more workers there only competes for the same
    cores, and sending every value back by pickle cost more CPU than it saved (the float64
    audit job: 5.8 s of CPU with workers, 4.2 s serial).
    """
    workers = min(os.cpu_count() or 1, 8)
    # JAX runs threads of its own, and a fork beside them may deadlock (JAX warns so): serial then
    jax_loaded = "jax" in sys.modules
    in_worker = multiprocessing.parent_process() is not None
    if (
        len(pairs) < _PARALLEL_MIN or workers < 2 or jax_loaded or in_worker
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _truth_serial(truth, pairs)
    # By input, then label: the labels of one input land in one worker, which computes the
    # input's coefficients once (see truth._compile).
    order = sorted(range(len(pairs)), key=lambda i: (pairs[i][1], pairs[i][0]))
    ordered = [pairs[i] for i in order]
    size = -(-len(ordered) // (4 * workers))
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    _WORK[:] = [truth]  # inherited by the forked workers: a Truth holds lambdified code, not picklable
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            values = [t for part in pool.map(_truth_chunk, chunks) for t in part]
    finally:
        _WORK.clear()
    out: list[mpmath.mpf | None] = [None] * len(pairs)
    for i, v in zip(order, values):
        out[i] = v
    return out


def _truth_serial(truth: Truth, pairs: list[tuple[float, float]]) -> list[mpmath.mpf | None]:
    return [truth(yv, xv) for yv, xv in pairs]


def _region(region: Region, got: np.ndarray, exact: list[mpmath.mpf | None], dt: DType, series: list | None) -> RegionResult:
    worst: Point | None = None
    measured = kink = nan = inf = undecided = 0
    for yv, xv, g, t in zip(region.y.tolist(), region.x.tolist(), got.tolist(), exact):
        if t is None:
            kink += 1
            continue
        if t is UNDECIDED:
            undecided += 1
            continue
        cls = _classify(dt, t)
        if cls in ("infinite", "overflow"):
            continue  # no finite answer to compare with
        if math.isnan(g):
            nan += 1
        elif math.isinf(g):
            inf += 1
        if cls != "normal":
            continue
        measured += 1
        e = ulps(g, t, dt.mant, dt.emin)
        if series is not None:
            series.append((yv, xv, e))
        if worst is None or e > worst.ulps:
            worst = Point(yv, xv, t, g, e)
    return RegionResult(region.name, len(region.x), measured, kink, nan, inf, worst, undecided)


def audit(
    target: Target,
    loss: Loss,
    quantity: str,
    dtype: str = "float64",
    *,
    max_ulp: float = DEFAULT_MAX_ULP,
    search_examples: int = DEFAULT_SEARCH,
    keep_series: bool = False,
    regions: list[Region] | None = None,
    labels: str = "all",
    stride: int = 1,
    truths_known: dict[tuple[str, str, str, int], list[mpmath.mpf | None]] | None = None,
) -> AuditResult:
    """Audit ``target``'s ``quantity`` of ``loss`` in ``dtype`` against the derived truth.

    Args:
        target: the implementation (:func:`~lossproof.audit.adapters.get_target`).
        loss: the loss whose derivation is the truth.
        quantity: ``"loss"`` (in the logit), ``"grad_p"`` or ``"grad_z"``.
        dtype: ``"float64"`` or ``"float32"``.
        max_ulp: the verdict's bar.
        search_examples: examples of the Hypothesis search (0: the sweep alone).
        keep_series: keep every measured (y, x, ulps) for a plot.
        regions: inputs to use instead of the full sweep (tests use small ones).
        labels: ``"all"``, ``"hard"`` (y in {0, 1}) or ``"soft"``: which regions of the sweep.
        stride: keep every ``stride``-th input of each region (1: the whole sweep).
        truths_known: a dict that one caller passes to the audits of several targets
            of the same loss, so that the truth at the sweep's points (the same for
            every target) is computed once: filled here, read by the next audit.

    Raises:
        InputError: an unknown quantity or dtype, or one the target does not compute.
    """
    if dtype not in DTYPES:
        raise InputError(f"unknown dtype {dtype!r}: choose {', '.join(DTYPES)}")
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}: choose {', '.join(QUANTITIES)}")
    if not (max_ulp >= 0 and math.isfinite(max_ulp)):
        raise InputError(f"--max-ulp {max_ulp!r} must be a finite number >= 0")
    dt = DTYPES[dtype]
    truth = Truth.of(loss, quantity, dt.mant)
    if quantity not in target.quantities:
        raise InputError(f"target {target.name!r} does not compute {quantity}: it computes {', '.join(target.quantities)}")
    if labels not in LABELS:
        raise InputError(f"unknown labels {labels!r}: choose {', '.join(LABELS)}")
    if stride < 1:
        raise InputError(f"stride {stride!r} must be >= 1")
    series: list | None = [] if keep_series else None
    results = []
    chosen = regions if regions is not None else sweep(quantity, dt)
    if regions is None and labels != "hard":
        # the inputs next to each soft label's zeros, where fixed precision is weakest
        from .zeros import zero_regions

        chosen = chosen + zero_regions(truth, dt, quantity)
    chosen = [
        # the zero regions are few points, each chosen: kept whole
        Region(r.name, r.y[::stride], r.x[::stride]) if r.name != ZERO_REGION else r
        for r in chosen
        if labels == "all" or (labels == "soft") == r.name.startswith("soft")
    ]
    pairs = [(yv, xv) for r in chosen for yv, xv in zip(r.y.tolist(), r.x.tolist())]
    key = (quantity, dtype, labels, stride)
    if truths_known is not None and regions is None and key in truths_known:
        exact = truths_known[key]
    else:
        exact = truths(truth, pairs)
        if truths_known is not None and regions is None:
            truths_known[key] = exact
    start = 0
    for region in chosen:
        got = target(quantity, region.y, region.x)
        n = len(region.x)
        results.append(_region(region, got, exact[start : start + n], dt, series))
        start += n
    found = None
    if search_examples > 0:
        from .search import search_worst

        found = search_worst(lambda yv, xv: target(quantity, yv, xv), truth, dt, quantity, search_examples, labels)
    return AuditResult(
        target.name, target.version, loss.name, quantity, dtype, float(max_ulp), tuple(results),
        found, search_examples, tuple(series or ()),
    )


def point_error(evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray], truth: Truth, dt: DType, yv: float, xv: float) -> Point | None:
    """The error at one input, or None where the truth is not a normal number of ``dt``."""
    got = float(evaluate(np.array([yv], dtype=dt.np), np.array([xv], dtype=dt.np))[0])
    t = truth(yv, xv)
    if t is None or t is UNDECIDED or _classify(dt, t) != "normal":
        return None
    return Point(yv, xv, t, got, ulps(got, t, dt.mant, dt.emin))
