"""Truth evaluations per second: lossproof's audit truth (ball, then mpmath) against the mpmath path alone and plain mpmath.

Measured in one run, on the same points, in CPU seconds of this process (the machine may
be shared, so wall time would measure the neighbours too):

- plain mpmath, what one would write first: ``sympy.lambdify`` of the same derived
  expression, evaluated once per point at 60 digits. It is also wrong where the
  expression cancels (``1 - sigmoid(z)`` at z = 50 is 0 at 60 digits), so the script counts
  the points where it differs from the truth by more than 1/1000 ulp of float64;
- the mpmath path alone (:meth:`Truth.by_mpmath`, the truth before the ball came first):
  two evaluations that must agree, the precision doubling until they do;
- the truth as audits take it (:meth:`Truth.__call__`): an arb ball first, and every value
  proved by a ball; the ratio to the line before is the ball's gain. The two are
  compared at every point: where the mpmath path gave a false zero or a value in the
  wrong binade they are counted, and elsewhere they must agree to 2^-69 (AGREE_BITS);
- the same with the audit's forked workers (wall time, as that is what workers change);
- the bookkeeping of an audit, ``ulps`` of a float one ulp off at every point: with
  mpmath's raw functions (now) against the same formula on mpf objects (before).

    python benchmarks/audit_truth.py [--loss bce] [--quantity loss] [--points 20000]
    python benchmarks/audit_truth.py --jobs   # CPU of render's two audit jobs (needs PyTorch)

``--jobs`` runs ``render``'s audit jobs (docs/audits/, float64 and float32) each in a worker
of a fork-context process pool, as ``render`` does, and prints the CPU seconds of each: the
worker's and those of every process it waited for.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import mpmath
import sympy

from lossproof.audit import DTYPES, Truth
from lossproof.audit.run import truths
from lossproof.audit.sweep import sweep
from lossproof.audit.truth import AGREE_BITS, NEGLIGIBLE, UNDECIDED, _sigmoid_cached, quantity_expr, ulps, ulps_by_definition
from lossproof.losses import get_loss, y


def _cpu(fn, *args):  # noqa: ANN001, ANN202 - a timing helper
    t0 = time.process_time()
    out = fn(*args)
    return out, time.process_time() - t0


def audit_jobs() -> None:
    """Print the CPU seconds of each of render's audit jobs, run as render runs them."""
    import multiprocessing
    import resource
    from concurrent.futures import ProcessPoolExecutor

    from lossproof.render import files

    def children() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    targets = files._audit_targets()  # imports PyTorch here, before the fork, as render does
    if not targets:
        raise SystemExit("PyTorch is not installed: pip install -e '.[torch]'")
    total = 0.0
    for dtype in files._AUDIT_DTYPES:
        before = children()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            pool.submit(files._audit_job, targets, dtype).result()
        cpu = children() - before
        total += cpu
        print(f"audit job {dtype}: {cpu:.2f} s CPU")
    print(f"audit jobs together: {total:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loss", default="bce")
    parser.add_argument("--quantity", default="loss", choices=("loss", "grad_p", "grad_z"))
    parser.add_argument("--points", type=int, default=20000, help="first N points of the float64 sweep")
    parser.add_argument("--jobs", action="store_true", help="CPU of render's audit jobs instead")
    args = parser.parse_args()
    if args.jobs:
        audit_jobs()
        return

    loss = get_loss(args.loss)
    dt = DTYPES["float64"]
    pairs = [(yv, xv) for r in sweep(args.quantity, dt) for yv, xv in zip(r.y.tolist(), r.x.tolist())]
    # every k-th point, so that all regions are represented
    step = max(1, len(pairs) // args.points)
    pairs = pairs[::step][: args.points]

    expr, var = quantity_expr(loss, args.quantity)
    plain = sympy.lambdify((y, var), expr, modules=[{"sigmoid": lambda u: 1 / (1 + mpmath.exp(-u))}, "mpmath"])

    def run_plain() -> list:
        with mpmath.workdps(60):
            out = []
            for yv, xv in pairs:
                try:
                    out.append(plain(mpmath.mpf(yv), mpmath.mpf(xv)))
                except (ValueError, ZeroDivisionError):
                    out.append(mpmath.nan)
            return out

    plain_values, t_plain = _cpu(run_plain)

    # Each path gets its own Truth (another mant: another cache entry, no warm
    # coefficients) and a cold sigmoid cache: nothing computed by one serves the other.
    before = Truth.of(loss, args.quantity, 53)
    _sigmoid_cached.cache_clear()
    mp_values, t_mp = _cpu(lambda: [before.by_mpmath(yv, xv) for yv, xv in pairs])

    after = Truth.of(loss, args.quantity, 52)
    _sigmoid_cached.cache_clear()
    serial, t_serial = _cpu(lambda: [after(yv, xv) for yv, xv in pairs])

    fresh = Truth.of(loss, args.quantity, 51)
    _sigmoid_cached.cache_clear()
    w0 = time.perf_counter()
    parallel = truths(fresh, pairs)
    t_parallel = time.perf_counter() - w0

    decided = [t if t is not UNDECIDED else None for t in serial]
    measured = [(float(t) * (1 + 2.0**-52), t) for t in decided if t is not None and t != 0 and abs(t) < 1e300]
    _, t_ulps_mpf = _cpu(lambda: [ulps_by_definition(g, t, 53, -1022) for g, t in measured])
    _, t_ulps_raw = _cpu(lambda: [ulps(g, t, 53, -1022) for g, t in measured])

    wrong = sum(
        1 for p, t in zip(plain_values, decided)
        if t is not None and t != 0 and (not mpmath.isfinite(p) or ulps(float(p), t, 53, -1022) > 1e-3)
    )
    # Where the two paths differ: the mpmath path's value is wrong there when it is 0 and the
    # truth is not (two evaluations that agree on a false zero) or it lies in another binade
    # (the ulp is then wrong by a factor of two); anywhere else they must agree to 2^-69.
    false_zero = wrong_binade = apart = undecided = 0
    for a, b in zip(serial, mp_values):
        if a is UNDECIDED:
            undecided += 1
        elif (a is None) != (b is None):
            apart += 1
        elif a is None or (abs(a) < NEGLIGIBLE and abs(b) < NEGLIGIBLE):
            continue
        elif b == 0 and a != 0:
            false_zero += 1
        elif a != 0 and mpmath.frexp(a)[1] != mpmath.frexp(b)[1]:
            wrong_binade += 1
        elif abs(a - b) > abs(b) * mpmath.ldexp(1, -AGREE_BITS):
            apart += 1
    n = len(pairs)
    print(f"{args.loss} {args.quantity}, {n} points of the float64 sweep (CPU seconds of this process)")
    print(f"plain mpmath (lambdify, 60 digits, once):          {n / t_plain:9.0f} evaluations/s")
    print(f"mpmath path alone (two agreeing, before the ball): {n / t_mp:9.0f} evaluations/s")
    print(f"lossproof truth (ball first), one process:         {n / t_serial:9.0f} evaluations/s")
    print(f"ball first / mpmath path alone:                    {t_mp / t_serial:9.2f} x the evaluations/s")
    print(f"lossproof truth, forked workers (wall):            {n / t_parallel:9.0f} evaluations/s ({os.cpu_count()} cores)")
    print(f"ulps bookkeeping, raw functions / mpf objects:     {t_ulps_mpf / t_ulps_raw:9.2f} x ({len(measured)} values)")
    print(f"plain mpmath off by more than 1/1000 ulp (or not finite) at {wrong} of {n} points")
    print(f"mpmath path alone wrong: a false zero at {false_zero}, the wrong binade at {wrong_binade} of {n} points")
    print(f"ball first and mpmath path alone apart by more than 2^-{AGREE_BITS} elsewhere: {apart}; undecided: {undecided}")
    assert serial == parallel
    assert apart == 0


if __name__ == "__main__":
    main()
