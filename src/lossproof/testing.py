"""Checks for your own loss code in your own CI: Hypothesis strategies and :func:`assert_matches`.

In the spirit of ``torch.autograd.gradcheck`` and ``jax.test_util.check_grads``, but against
the exact value (lossproof's derivation, evaluated with mpmath) and in ulps of the dtype:
gradcheck's defaults (eps 1e-6, atol 1e-5) cannot see a loss that returns 0 where the truth
is 1.9e-22, or a gradient 4% off at z = 36.

>>> import numpy as np
>>> def my_bce_grad(y, z):
...     return 1 / (1 + np.exp(-z)) - y
>>> try:
...     assert_matches(my_bce_grad, loss="bce", quantity="grad_z", dtype="float32", labels="hard", search_examples=0)
... except AssertionError as exc:
...     print(str(exc).splitlines()[0][:44])
my_bce_grad: bce grad_z in float32 is off by
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .audit.adapters import Target, _elementwise
from .audit.report import render_report
from .audit.run import AuditResult, audit
from .audit.sweep import DTYPES
from .audit.truth import QUANTITIES
from .errors import InputError
from .losses import get_loss

__all__ = ["probabilities", "soft_labels", "logits", "assert_matches", "QUICK_STRIDE"]

#: assert_matches uses every QUICK_STRIDE-th point of lossproof's sweep, a sample of every
#: region that keeps a user's CI quick; ``thorough=True`` uses all of it.
QUICK_STRIDE = 8


def _width(dtype: str) -> int:
    if dtype not in DTYPES:
        raise InputError(f"unknown dtype {dtype!r}: choose {', '.join(DTYPES)}")
    return 64 if dtype == "float64" else 32


def probabilities(dtype: str = "float64") -> Any:
    """Predictions p in (0, 1) of ``dtype``, down to the subnormals near 0 and up to 1 - ulp.

    >>> from hypothesis import given
    >>> @given(probabilities("float32"))
    ... def check(p):
    ...     assert 0 < p < 1
    >>> check()
    """
    from hypothesis import strategies as st

    w = _width(dtype)
    return st.one_of(
        st.floats(0, 1, exclude_min=True, exclude_max=True, width=w),
        st.integers(1, 60 if w == 64 else 23).map(lambda k: 1 - 2.0**-k),
        st.integers(1, 1074 if w == 64 else 149).map(lambda k: 2.0**-k),
    )


def soft_labels(dtype: str = "float64") -> Any:
    """Labels y in [0, 1] of ``dtype``, 0 and 1 included (the hard labels are where tails bite)."""
    from hypothesis import strategies as st

    return st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1, width=_width(dtype)))


def logits(dtype: str = "float64") -> Any:
    """Every finite logit z of ``dtype``, with the tails |z| in [20, 800] drawn often."""
    from hypothesis import strategies as st

    w = _width(dtype)
    tails = st.floats(20, 800 if w == 64 else 100, width=w)
    return st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=w), tails, tails.map(lambda v: -v))


def assert_matches(
    fn: Callable[..., Any],
    loss: str = "bce",
    quantity: str = "grad_z",
    dtype: str = "float64",
    max_ulp: float = 4.0,
    *,
    labels: str = "all",
    search_examples: int = 100,
    thorough: bool = False,
) -> AuditResult:
    """Fail unless ``fn`` computes ``quantity`` of the catalog ``loss`` within ``max_ulp`` ulps.

    Args:
        fn: ``fn(y, z)`` for "loss" and "grad_z", ``fn(y, p)`` for "grad_p"; called with NumPy
            arrays of ``dtype`` (a function that only takes scalars is called a point at a time).
        loss: a catalog loss name ("bce", "focal", ...).
        quantity: "loss" (in the logit), "grad_p" or "grad_z".
        dtype: "float64" or "float32".
        max_ulp: the bar, in units in the last place of the true value.
        labels: "all", "hard" (y in {0, 1}) or "soft". Near a zero of the quantity inside the
            range (sigma(z) = y at a soft label) no implementation in the dtype's own precision
            stays within a few ulps; "hard" leaves those out, and says so by its name.
        search_examples: Hypothesis examples after the sweep, steered to larger errors.
        thorough: the whole sweep instead of every QUICK_STRIDE-th point.

    Returns:
        The audit, when it passes.

    Raises:
        AssertionError: the worst input found, what ``fn`` returned there and the true value.
    """
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}: choose {', '.join(QUANTITIES)}")
    name = getattr(fn, "__qualname__", repr(fn))
    target = Target(name, tuple(QUANTITIES), _elementwise(fn))
    result = audit(
        target, get_loss(loss), quantity, dtype, max_ulp=max_ulp, search_examples=search_examples,
        labels=labels, stride=1 if thorough else QUICK_STRIDE,
    )
    if not result.passed:
        w = result.worst
        var = "p" if quantity == "grad_p" else "z"
        if w is not None and w.ulps > max_ulp:
            head = (
                f"{name}: {loss} {quantity} in {dtype} is off by {w.ulps:.3g} ulp (max_ulp={max_ulp:g}) "
                f"at y={w.y!r}, {var}={w.x!r}: returned {w.got!r}, true value {float(w.truth)!r}"
            )
        elif result.nonfinite:
            head = f"{name}: {loss} {quantity} in {dtype} returned NaN or inf where the true value is finite"
        else:
            head = f"{name}: {loss} {quantity} in {dtype}: the true value was not decided at {result.undecided} points, which were not measured"
        raise AssertionError(head + "\n" + render_report(result))
    return result
