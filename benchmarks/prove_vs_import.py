"""Benchmark: a cold `lossproof prove bce` against a cold `python -c "import sympy, z3"`.

The issue's budget is a ratio, not seconds: proving all BCE claims in a fresh process
may take at most 2x as long as importing the two libraries it stands on (issue 12), measured on
the same machine in the same run. Runs alternate so that load on the machine hits
both alike; the medians are compared.

    python benchmarks/prove_vs_import.py [--runs N]

lossproof's modules are compiled to bytecode first, as a first run does on a user's machine
(see :func:`compile_bytecode`).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

BUDGET = 2.0


def _time(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # no load average on this platform
        return float("nan")


@dataclass(frozen=True)
class Measurement:
    """One benchmark's figures from one run: the ratio is what the budget bounds."""

    name: str
    baseline_s: float
    command_s: float
    ratio: float
    budget: float
    load: tuple[float, float]

    @property
    def met(self) -> bool:
        return self.ratio <= self.budget


def compile_bytecode() -> None:
    """Compile lossproof's modules to bytecode, as the first run of lossproof does on a
    user's machine (and as pip did for SymPy's and Z3's when it installed them).

    The baseline's imports read bytecode pip wrote; lossproof, installed editable, gets
    its bytecode when Python first imports it. Where PYTHONDONTWRITEBYTECODE is set (as
    on this project's machine) Python never writes it, and every run would compile
    lossproof's 30 modules from source, 60 ms that a user's second run does not pay:
    the benchmark compares bytecode with bytecode.
    """
    spec = importlib.util.find_spec("lossproof")  # found, not imported: this process stays light
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(os.path.dirname(spec.origin), quiet=1)


#: Both commands with mpmath's pure-Python backend: gmpy2, a dependency, is then not
#: imported at all (30 ms of the baseline's import and of lossproof's alike).
WITHOUT_GMPY = {"MPMATH_NOGMPY": "1"}


def measure(runs: int = 7, env: dict[str, str] | None = None) -> Measurement:
    """Cold ``lossproof prove bce`` against cold ``import sympy, z3``, alternating, medians
    (both with ``env`` added to the environment)."""
    exe = shutil.which("lossproof")
    prove = [exe, "prove", "bce"] if exe else [sys.executable, "-m", "lossproof", "prove", "bce"]
    baseline = [sys.executable, "-c", "import sympy, z3"]
    full = {**os.environ, **env} if env else None
    compile_bytecode()
    load_before = _load()
    _time(baseline, full), _time(prove, full)  # warm the file cache: cold process, not cold disk
    base_t, prove_t = [], []
    for _ in range(runs):
        base_t.append(_time(baseline, full))
        prove_t.append(_time(prove, full))
    b, p = statistics.median(base_t), statistics.median(prove_t)
    name = "cold `lossproof prove bce` / cold `import sympy, z3`"
    if env:
        name += ", both with " + " ".join(f"{k}={v}" for k, v in env.items())
    return Measurement(name, b, p, p / b, BUDGET, (load_before, _load()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--without-gmpy", action="store_true", help="both commands with MPMATH_NOGMPY=1")
    args = parser.parse_args()
    m = measure(args.runs, WITHOUT_GMPY if args.without_gmpy else None)
    # The ratio moves with the machine's load (prove forks workers only onto idle
    # cores): the figure is printed with the load it was measured under.
    print(f"load average (1 min) before and after: {m.load[0]:.1f}, {m.load[1]:.1f} on {os.cpu_count()} cores")
    print(f"import sympy, z3: median {m.baseline_s:.3f} s over {args.runs} runs")
    print(f"lossproof prove bce: median {m.command_s:.3f} s over {args.runs} runs")
    print(f"ratio: {m.ratio:.2f} (budget {m.budget:.1f})")
    return 0 if m.met else 1


if __name__ == "__main__":
    sys.exit(main())
