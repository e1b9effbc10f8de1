"""Inputs next to the zeros of a quantity at soft labels: where fixed-precision code is weakest.

At a soft label a quantity may vanish inside the range: ``sigmoid(z) - y`` at
``z = logit(y)``, pos_weight's ``grad_p`` at ``p = 3y/(1 + 2y)``. Next to such a zero the
true value is far smaller than the terms that make it up, so a formula that computes those
terms, however accurately, then subtracts them, loses every bit they share. A grid of step
1/8 passes such a point at a distance where nothing shows; these regions go to it.

For each soft label of the sweep, the truth is evaluated on a coarse grid; a sign change or a
local minimum of its magnitude brackets a zero, which is narrowed over the floats of the dtype
(by their order, not their value) to the float next to it (a minimum that is not a zero, where
the magnitude stays above 2^-(mant/2) of its neighbours', is left out); the
region holds those floats, a few ulps either side, and a ladder of distances ``2^-j``
relative (j = 2, 3, ... up to the dtype's precision). Nothing is random: same dtype, same
quantity, same points.

>>> from lossproof.losses import get_loss
>>> from lossproof.audit.truth import Truth
>>> from lossproof.audit.sweep import DTYPES
>>> rs = zero_regions(Truth.of(get_loss("bce"), "grad_z", 24), DTYPES["float32"], "grad_z", labels=(0.25,))
>>> rs[0].name, float(rs[0].x[len(rs[0].x) // 2])  # logit(1/4) = -log 3 = -1.0986...
('soft y, next to a zero', -1.0986123085021973)
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .sweep import SOFT_LABELS, DType, Region
from .truth import UNDECIDED, Truth

__all__ = ["zero_regions", "ULPS_AROUND", "ZERO_REGION"]

#: The name of the region, as reports show it.
ZERO_REGION = "soft y, next to a zero"

#: Floats taken on each side of a zero, one ulp apart: the nearest inputs to it.
ULPS_AROUND = 4
#: The coarse grid that brackets zeros: logits in steps of 1/2 over the middle of the range
#: (a soft label's zero in z lies where sigmoid(z) is neither 0 nor 1 in the dtype), and
#: predictions on a grid of 1/64 with a geometric ladder towards both ends.
_Z_GRID = tuple(k / 2 for k in range(-80, 81))
_P_LADDER = 60


def _p_grid(dt: DType) -> list[float]:
    ends = [2.0**-k for k in range(7, _P_LADDER)] + [1 - 2.0**-k for k in range(7, min(_P_LADDER, dt.mant))]
    return sorted({float(dt.np(v)) for v in [*(k / 64 for k in range(1, 64)), *ends] if 0 < float(dt.np(v)) < 1})


def _ints(dt: DType) -> tuple[type, type]:
    return (np.int64, np.float64) if dt.name == "float64" else (np.int32, np.float32)


def _ordinal(x: float, dt: DType) -> int:
    """The position of ``x`` among the floats of ``dt`` (adjacent floats differ by 1)."""
    it, ft = _ints(dt)
    b = int(np.array([x], ft).view(it)[0])
    return b if b >= 0 else -(b & ((1 << (8 * np.dtype(it).itemsize - 1)) - 1))


def _from_ordinal(k: int, dt: DType) -> float:
    it, ft = _ints(dt)
    bits = 8 * np.dtype(it).itemsize
    raw = k if k >= 0 else (-k) | (1 << (bits - 1))
    if raw >= 1 << (bits - 1):
        raw -= 1 << bits  # as a signed integer of that width
    return float(np.array([raw], it).view(ft)[0])


def _magnitude(truth: Truth, yv: float, x: float) -> mpmath.mpf:
    # exact, not a float: next to z = 0 at y = 1/2 the truth is z/4, which for the smallest
    # subnormals z rounds to the float 0 and would make a plateau of ties for the search
    t = truth(yv, x)
    if t is UNDECIDED:
        return mpmath.inf  # unknown: never taken for a minimum
    return mpmath.mpf(0) if t is None else abs(t)  # None: exactly at a kink, where |...| is 0


def _signed(truth: Truth, yv: float, x: float) -> int:
    t = truth(yv, x)
    if t is UNDECIDED:
        return 0  # unknown: the bisection stops there, and the region is centred on it
    return 0 if t is None or t == 0 else (1 if t > 0 else -1)


def _narrow(truth: Truth, yv: float, lo: int, hi: int, dt: DType, sign_change: bool) -> int:
    """The ordinal next to the zero (sign change: bisection) or minimum (golden section) in [lo, hi]."""
    x = lambda k: _from_ordinal(k, dt)  # noqa: E731 - a local shorthand
    if sign_change:
        s_lo = _signed(truth, yv, x(lo))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            s = _signed(truth, yv, x(mid))
            if s == 0:
                return mid
            lo, hi, s_lo = (mid, hi, s) if s == s_lo else (lo, mid, s_lo)
        return lo
    while hi - lo > 2:
        a, b = lo + (hi - lo) // 3, hi - (hi - lo) // 3
        if _magnitude(truth, yv, x(a)) <= _magnitude(truth, yv, x(b)):
            hi = b
        else:
            lo = a
    return min(range(lo, hi + 1), key=lambda k: _magnitude(truth, yv, x(k)))


def _around(k: int, dt: DType, lo: float, hi: float) -> list[float]:
    center = _from_ordinal(k, dt)
    out = {_from_ordinal(k + d, dt) for d in range(-ULPS_AROUND, ULPS_AROUND + 1)}
    for j in range(2, dt.mant + 1):
        step = abs(center) * 2.0**-j if center != 0 else 2.0**-j
        out |= {float(dt.np(center + step)), float(dt.np(center - step))}
    return sorted(v for v in out if lo < v < hi and math.isfinite(v))


def zero_regions(truth: Truth, dt: DType, quantity: str, labels: tuple[float, ...] = SOFT_LABELS) -> list[Region]:
    """One region of inputs next to every zero (or local minimum) of ``truth`` at ``labels``."""
    grid = _p_grid(dt) if quantity == "grad_p" else [float(dt.np(v)) for v in _Z_GRID]
    lo_end, hi_end = (0.0, 1.0) if quantity == "grad_p" else (-math.inf, math.inf)
    pairs: set[tuple[float, float]] = set()
    for label in labels:
        yv = float(dt.np(label))
        values = [truth(yv, x) for x in grid]
        for i in range(1, len(grid) - 1):
            # an undecided value (no ball proved it) is neither a zero nor a minimum
            a, b, c = (math.inf if v is UNDECIDED else abs(v) if v is not None else 0 for v in values[i - 1 : i + 2])
            known = all(v is not None and v is not UNDECIDED for v in values[i : i + 2])
            change = known and values[i] * values[i + 1] < 0
            if change:
                k = _narrow(truth, yv, _ordinal(grid[i], dt), _ordinal(grid[i + 1], dt), dt, True)
            elif b <= a and b < c:
                k = _narrow(truth, yv, _ordinal(grid[i - 1], dt), _ordinal(grid[i + 1], dt), dt, False)
                # a zero without a sign change (|sigmoid(z) - y|): what is left next to it is
                # far below its neighbours; a positive minimum, or the flat tail, is not one
                if _magnitude(truth, yv, _from_ordinal(k, dt)) > max(a, c) * 2.0 ** -(dt.mant // 2):
                    continue
            else:
                continue
            pairs |= {(yv, x) for x in _around(k, dt, lo_end, hi_end)}
    if not pairs:
        return []
    ys, xs = zip(*sorted(pairs))
    return [Region(ZERO_REGION, np.array(ys, dtype=dt.np), np.array(xs, dtype=dt.np))]
