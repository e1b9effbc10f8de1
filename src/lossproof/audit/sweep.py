"""The deterministic inputs of an audit: every binade of the dtype, both tails, hard and soft labels.

An input set is a list of :class:`Region` values, each a named block of ``(y, x)`` pairs
where ``x`` is the logit ``z`` (loss, grad_z) or the prediction ``p`` (grad_p). Nothing
here is random: the same dtype and quantity give the same points, in the same order, on
every machine, so that committed audits regenerate byte for byte.

>>> regions = sweep("grad_z", DTYPES["float32"])
>>> [r.name for r in regions][:3]
['y = 0, z < -17', 'y = 0, |z| <= 17', 'y = 0, z > 17']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DType", "DTYPES", "Region", "sweep", "HARD_LABELS", "SOFT_LABELS"]


@dataclass(frozen=True)
class DType:
    """A binary floating-point format.

    Attributes:
        name: ``"float64"`` or ``"float32"``.
        np: the NumPy scalar type.
        mant: significand bits, the hidden bit included (53, 24).
        emin: exponent of the smallest normal number (2^emin).
        emax: exponent of the largest binade.
        saturation: where sigmoid(z) rounds to 1 in this format (about (mant) ln 2), the
            edge between the middle of the logit range and its tails.
    """

    name: str
    np: type
    mant: int
    emin: int
    emax: int
    saturation: int

    @property
    def tiny(self) -> float:
        """The smallest normal number."""
        return float(np.finfo(self.np).tiny)

    @property
    def max(self) -> float:
        """The largest finite number."""
        return float(np.finfo(self.np).max)


DTYPES = {
    "float64": DType("float64", np.float64, 53, -1022, 1023, 36),
    "float32": DType("float32", np.float32, 24, -126, 127, 17),
}

#: Hard labels: here the tails of a logit quantity never cancel, so every correct formula
#: can be exact to a few ulps.
HARD_LABELS = (0.0, 1.0)
#: Soft labels (as each dtype rounds them; the truth uses the rounded, exact value): the
#: middle, quarters, the common 0.1/0.9, and labels 2^-20 from either end.
SOFT_LABELS = (0.5, 0.25, 0.75, 0.1, 0.9, 2.0**-20, 1 - 2.0**-20)
#: Significands sampled in every binade (1 and two that are not short binary fractions);
#: binades below 2^-30 get only 1, as every quantity is flat there.
_MANTISSAS = (1.0, 1.2360679774997896, 1.7071067811865475)
_FLAT = -30


@dataclass(frozen=True)
class Region:
    """A named block of inputs: labels ``y`` and inputs ``x``, arrays of one dtype."""

    name: str
    y: np.ndarray
    x: np.ndarray


def _binades(dt: DType, lo_exp: int, hi_exp: int, mantissas: tuple[float, ...], flat_step: int = 1) -> list[float]:
    out = []
    for e in range(lo_exp, hi_exp + 1):
        if e < _FLAT and (e - lo_exp) % flat_step:
            continue
        for m in mantissas if e >= _FLAT else mantissas[:1]:
            v = dt.np(np.ldexp(m, e))
            if np.isfinite(v) and v != 0:
                out.append(float(v))
    return out


def logits(dt: DType, thin: bool = False) -> np.ndarray:
    """Logits covering the dtype: each binade from the smallest subnormal to the largest,
    both signs, and a grid of step 1/8 over the middle. ``thin``: one significand a binade,
    and every 8th binade below 2^-30 (where every quantity is flat)."""
    mant = _MANTISSAS[1:2] if thin else _MANTISSAS
    pos = _binades(dt, dt.emin - dt.mant + 1, dt.emax, mant, 8 if thin else 1)
    grid = np.arange(-2 * dt.saturation, 2 * dt.saturation + 0.0625, 0.125).tolist()
    vals = sorted({*pos, *(-v for v in pos), *grid, 0.0})
    return np.array(vals, dtype=dt.np)


def probabilities(dt: DType) -> np.ndarray:
    """Predictions in (0, 1): every binade near 0, the values 1 - m 2^-k near 1, and a grid."""
    near0 = _binades(dt, dt.emin - dt.mant + 1, -2, _MANTISSAS)
    near1 = [float(dt.np(1 - np.ldexp(m, -k))) for k in range(2, dt.mant + 1) for m in _MANTISSAS]
    grid = (np.arange(1, 64) / 64).tolist()
    vals = sorted({v for v in (*near0, *near1, *grid) if 0 < v < 1})
    return np.array(vals, dtype=dt.np)


def _split(name: str, y: float, x: np.ndarray, edges: tuple[float, float], var: str, dt: DType) -> list[Region]:
    lo, hi = edges
    if var == "z":
        labels = (f"{var} < {lo:g}", f"|{var}| <= {hi:g}", f"{var} > {hi:g}")
    else:
        labels = ("p < 2^-8", "2^-8 <= p <= 1 - 2^-8", "p > 1 - 2^-8")
    masks = (x < lo, (x >= lo) & (x <= hi), x > hi)
    return [Region(f"{name}, {lab}", np.full(int(m.sum()), y, dtype=dt.np), x[m]) for lab, m in zip(labels, masks)]


def sweep(quantity: str, dt: DType) -> list[Region]:
    """The deterministic regions of an audit of ``quantity`` ("loss", "grad_p", "grad_z") in ``dt``.

    Hard labels meet every input; soft labels meet one significand a binade (the soft
    labels are seven, and each logit is evaluated under each of them).
    """
    if quantity == "grad_p":
        x_hard = x_soft = probabilities(dt)
        var, edges = "p", (2.0**-8, 1 - 2.0**-8)
    else:
        x_hard, x_soft = logits(dt), logits(dt, thin=True)
        var, edges = "z", (-float(dt.saturation), float(dt.saturation))
    regions: list[Region] = []
    for y in HARD_LABELS:
        regions += _split(f"y = {y:g}", y, x_hard, edges, var, dt)
    soft = [_split("soft y", float(dt.np(y)), x_soft, edges, var, dt) for y in SOFT_LABELS]
    for parts in zip(*soft):
        regions.append(Region(parts[0].name, np.concatenate([r.y for r in parts]), np.concatenate([r.x for r in parts])))
    return regions
