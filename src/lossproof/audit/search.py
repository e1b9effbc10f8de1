"""A Hypothesis search for the worst error, on top of the sweep.

The search draws labels (hard and soft) and inputs over the whole dtype and asks
``hypothesis.target()`` to climb towards larger errors in ulps. It is derandomized and keeps
no example database, so an audit is reproducible for a given Hypothesis version.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .run import Point, point_error
from .sweep import DType
from .truth import Truth

__all__ = ["search_worst"]

#: hypothesis.target() wants a finite score; an error of inf ulps (NaN, a wrong zero) is
#: scored at this ceiling, far above any finite error a float could have.
_CEILING = 1e300


def search_worst(
    evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray], truth: Truth, dt: DType, quantity: str, examples: int,
    labels: str = "all",
) -> Point | None:
    """The worst point the search finds in ``examples`` examples, or None if none was measured."""
    from hypothesis import HealthCheck, Phase, given, settings, target
    from hypothesis import strategies as st

    width = 64 if dt.name == "float64" else 32
    hard = st.sampled_from([0.0, 1.0])
    soft = st.floats(0, 1, exclude_min=True, exclude_max=True, width=width)
    ys = {"hard": hard, "soft": soft, "all": st.one_of(hard, soft)}[labels]
    if quantity == "grad_p":
        inputs = st.floats(0, 1, exclude_min=True, exclude_max=True, width=width)
    else:
        inputs = st.floats(allow_nan=False, allow_infinity=False, width=width)
    worst: list[Point] = []

    @settings(
        max_examples=examples, derandomize=True, database=None, deadline=None,
        phases=[Phase.generate, Phase.target], suppress_health_check=list(HealthCheck),
    )
    @given(ys, inputs)
    def probe(yv: float, xv: float) -> None:
        pt = point_error(evaluate, truth, dt, yv, xv)
        if pt is None:
            return
        target(min(pt.ulps, _CEILING) if not math.isnan(pt.ulps) else _CEILING, label="ulps")
        if not worst or pt.ulps > worst[0].ulps:
            worst[:] = [pt]

    probe()
    return worst[0] if worst else None
