"""Benchmark: a cold `lossproof prove bce` against a cold `python -c "import sympy, z3"`.

The issue's budget is a ratio, not seconds: proving all BCE claims in a fresh process
may take at most 2x as long as importing the two libraries it stands on (issue 12), measured on
the same machine in the same run. Runs alternate so that load on the machine hits
both alike; the medians are compared.

    python benchmarks/prove_vs_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

BUDGET = 2.0


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # no load average on this platform
        return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = shutil.which("lossproof")
    prove = [exe, "prove", "bce"] if exe else [sys.executable, "-m", "lossproof", "prove", "bce"]
    baseline = [sys.executable, "-c", "import sympy, z3"]
    load_before = _load()
    _time(baseline), _time(prove)  # warm the file cache: cold process, not cold disk
    base_t, prove_t = [], []
    for _ in range(args.runs):
        base_t.append(_time(baseline))
        prove_t.append(_time(prove))
    b, p = statistics.median(base_t), statistics.median(prove_t)
    ratio = p / b
    # The ratio moves with the machine's load (prove forks workers only onto idle
    # cores): the figure is printed with the load it was measured under.
    print(f"load average (1 min) before and after: {load_before:.1f}, {_load():.1f} on {os.cpu_count()} cores")
    print(f"import sympy, z3: median {b:.3f} s over {args.runs} runs")
    print(f"lossproof prove bce: median {p:.3f} s over {args.runs} runs")
    print(f"ratio: {ratio:.2f} (budget {BUDGET:.1f})")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
