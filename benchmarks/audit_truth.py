"""Truth evaluations per second: lossproof's audit truth against plain mpmath on a lambdified expression.

The plain baseline is what one would write first: ``sympy.lambdify`` of the same derived
expression to mpmath, evaluated once per point at 60 digits. It is also wrong where the
expression cancels (``1 - sigmoid(z)`` at z = 50 is 0 at 60 digits), so the script counts
the points where the two differ by more than 1/1000 ulp of float64 too.

    python benchmarks/audit_truth.py [--loss bce] [--quantity loss] [--points 20000]
"""

from __future__ import annotations

import argparse
import os
import time

import mpmath
import sympy

from lossproof.audit import DTYPES, Truth
from lossproof.audit.run import truths
from lossproof.audit.sweep import sweep
from lossproof.audit.truth import _sigmoid_cached, quantity_expr, ulps
from lossproof.losses import get_loss, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loss", default="bce")
    parser.add_argument("--quantity", default="loss", choices=("loss", "grad_p", "grad_z"))
    parser.add_argument("--points", type=int, default=20000, help="first N points of the float64 sweep")
    args = parser.parse_args()

    loss = get_loss(args.loss)
    dt = DTYPES["float64"]
    pairs = [(yv, xv) for r in sweep(args.quantity, dt) for yv, xv in zip(r.y.tolist(), r.x.tolist())]
    # every k-th point, so that all regions are represented
    step = max(1, len(pairs) // args.points)
    pairs = pairs[::step][: args.points]

    expr, var = quantity_expr(loss, args.quantity)
    plain = sympy.lambdify((y, var), expr, modules=[{"sigmoid": lambda u: 1 / (1 + mpmath.exp(-u))}, "mpmath"])
    t0 = time.perf_counter()
    with mpmath.workdps(60):
        plain_values = []
        for yv, xv in pairs:
            try:
                plain_values.append(plain(mpmath.mpf(yv), mpmath.mpf(xv)))
            except (ValueError, ZeroDivisionError):
                plain_values.append(mpmath.nan)
    t_plain = time.perf_counter() - t0

    truth = Truth.of(loss, args.quantity)
    _sigmoid_cached.cache_clear()
    t0 = time.perf_counter()
    serial = [truth(yv, xv) for yv, xv in pairs]
    t_serial = time.perf_counter() - t0

    fresh = Truth.of(loss, args.quantity, 52)  # another cache entry: no warm coefficients
    _sigmoid_cached.cache_clear()
    t0 = time.perf_counter()
    parallel = truths(fresh, pairs)
    t_parallel = time.perf_counter() - t0

    wrong = sum(
        1 for p, t in zip(plain_values, serial)
        if t is not None and t != 0 and (not mpmath.isfinite(p) or ulps(float(p), t, 53, -1022) > 1e-3)
    )
    n = len(pairs)
    print(f"{args.loss} {args.quantity}, {n} points of the float64 sweep")
    print(f"plain mpmath (lambdify, 60 digits, once):      {n / t_plain:9.0f} evaluations/s")
    print(f"lossproof truth, one process:                  {n / t_serial:9.0f} evaluations/s")
    print(f"lossproof truth, forked workers (audit's way): {n / t_parallel:9.0f} evaluations/s ({os.cpu_count()} cores)")
    print(f"plain mpmath off by more than 1/1000 ulp (or not finite) at {wrong} of {n} points")
    assert serial == parallel


if __name__ == "__main__":
    main()
