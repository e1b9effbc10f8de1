"""Run every budgeted benchmark in one run and print their table (Markdown).

Each figure is a ratio against a cold ``python -c "import sympy, z3"`` measured in the
same run, alternating with the command, so that the machine's load hits both alike
(issue 12): a ratio, not seconds, is what the budget bounds.

    python benchmarks/run_all.py [--runs N]

Exit status 1 when a budget is not met. The README's Performance table is this
command's output.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # the benchmark scripts are modules here

import prove_vs_import  # noqa: E402 - after the path
import render_check  # noqa: E402


def table(rows: list[prove_vs_import.Measurement]) -> str:
    out = [
        "| benchmark | import (s) | command (s) | ratio | budget | met | load before, after |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in rows:
        out.append(
            f"| {m.name} | {m.baseline_s:.3f} | {m.command_s:.2f} | {m.ratio:.2f} | {m.budget:g} | "
            f"{'yes' if m.met else 'no'} | {m.load[0]:.1f}, {m.load[1]:.1f} on {os.cpu_count()} cores |"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    args = parser.parse_args()
    runs = max(args.runs, 3) * 2
    rows = [
        prove_vs_import.measure(runs),
        # The same with mpmath's own backend: gmpy2's import is then in neither command.
        prove_vs_import.measure(runs, prove_vs_import.WITHOUT_GMPY),
        render_check.measure(args.runs),
    ]
    print(table(rows))
    return 0 if all(m.met for m in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
