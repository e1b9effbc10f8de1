"""Benchmark: `lossproof render --check` (the whole catalog) against `python -c "import sympy, z3"`.

Issue 12's budget is 20 s on 2 cores. Seconds depend on how busy the machine is, so the
budget is kept as a ratio measured in one run: 20 s over the cold import's median on this
project's 2-core machine, idle (0.343 s, see the README's Performance section), is 58.
Runs alternate, each render between imports, so that load hits both alike; the medians
are compared. The CPU seconds of the render (its own and its workers', all of which it
waits for) are printed too: they do not grow with the machine's load as wall time does.

Nothing is cached between runs: each `render --check` is a fresh process that proves
every claim and writes every document again before comparing them with the files.

    python benchmarks/render_check.py [--runs N] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

from prove_vs_import import Measurement, _load, compile_bytecode  # one record type for every benchmark (this folder is on sys.path)

#: 20 s / 0.343 s, the idle import's median on the 2-core machine.
BUDGET = 58.0
#: Cold imports timed around each render: the import is short, so it is sampled more.
IMPORTS_PER_RUN = 3


def _time(cmd: list[str], cwd: str) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the process and its waited-for descendants."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd)
    if done.returncode != 0:  # a check that fails measures nothing: say so and stop
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int = 3, root: str = os.path.join(os.path.dirname(__file__), "..")) -> Measurement:
    """``render --check`` of the whole catalog against cold ``import sympy, z3``, alternating, medians."""
    exe = shutil.which("lossproof")
    render = [exe, "render", "--check"] if exe else [sys.executable, "-m", "lossproof", "render", "--check"]
    baseline = [sys.executable, "-c", "import sympy, z3"]
    compile_bytecode()  # as a user's first run does (prove_vs_import.compile_bytecode)
    load_before = _load()
    _time(baseline, root)  # warm the file cache: cold process, not cold disk
    base_t: list[float] = []
    render_t: list[float] = []
    for _ in range(runs):
        base_t += [_time(baseline, root)[0] for _ in range(IMPORTS_PER_RUN)]
        render_t.append(_time(render, root)[0])
    base_t += [_time(baseline, root)[0] for _ in range(IMPORTS_PER_RUN)]
    b, r = statistics.median(base_t), statistics.median(render_t)
    return Measurement("`lossproof render --check` / cold `import sympy, z3`", b, r, r / b, BUDGET, (load_before, _load()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="renders to time (default 3)")
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."), help="the repository (default: this one)")
    args = parser.parse_args()
    exe = shutil.which("lossproof")
    render = [exe, "render", "--check"] if exe else [sys.executable, "-m", "lossproof", "render", "--check"]
    baseline = [sys.executable, "-c", "import sympy, z3"]
    _time(baseline, args.root)  # warm the file cache: cold process, not cold disk
    base_t: list[float] = []
    render_t: list[float] = []
    render_cpu: list[float] = []
    for _ in range(args.runs):
        base_t += [_time(baseline, args.root)[0] for _ in range(IMPORTS_PER_RUN)]
        wall, cpu = _time(render, args.root)
        render_t.append(wall)
        render_cpu.append(cpu)
    base_t += [_time(baseline, args.root)[0] for _ in range(IMPORTS_PER_RUN)]
    b, r = statistics.median(base_t), statistics.median(render_t)
    ratio = r / b
    print(f"import sympy, z3: median {b:.3f} s over {len(base_t)} runs")
    print(f"lossproof render --check: median {r:.1f} s over {args.runs} runs ({statistics.median(render_cpu):.1f} s of CPU), {os.cpu_count()} cores")
    print(f"ratio: {ratio:.1f} (budget {BUDGET:.0f}: 20 s at the idle import's 0.343 s)")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
