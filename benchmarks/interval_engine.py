"""Benchmark: the interval sign engine on the catalog's second derivatives, and against Z3.

Part 1: for every catalog loss, the claims ``d2/dp2 > 0`` and ``>= 0`` (on its domain) and
``d2/dz2 > 0`` and ``>= 0`` (through p = sigmoid(z), z in R; off the kink for mae): the
verdict, the boxes evaluated, the boxes in the cover, the seconds to decide, the seconds
the independent re-check (mpmath.iv) takes, and the seconds arb takes to replay the cover
with no search (what `lossproof check` does with a certificate's cover, with the re-check).

Part 2: polynomial questions (sigmoid(z) named s in (0, 1) for Z3, as the polynomial path
does) decided by the engine and by Z3 (nlsat) in the same run; the ratio is the engine's
median time over Z3's. Runs alternate, so that load on the machine hits both alike.

    python benchmarks/interval_engine.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import sympy
from sympy import DiracDelta, Interval, Rational, S, diff

from lossproof import get_loss
from lossproof.kernel.box_check import recheck
from lossproof.kernel.branch_bound import decide, replay
from lossproof.sigmoid import sigmoid

P, Y, Z, S_ = sympy.symbols("p y z s", real=True)
CATALOG = ("bce", "mse", "mae", "logcosh", "bce_pos_weight", "bce_label_smoothing", "focal",
           "poisson")


def _catalog_claims() -> list[tuple[str, sympy.Expr, dict]]:
    claims = []
    for name in CATALOG:
        loss = get_loss(name)
        # Real symbols, so that SymPy differentiates Abs to sign (DiracDelta at the kink,
        # which is 0 off it: the claims are about the derivative where it exists).
        sym = {s: {"p": P, "y": Y}[s.name] for s, _ in loss.domain}
        expr = loss.expr.xreplace(sym)
        dom = {sym[s]: i for s, i in loss.domain}
        d2p = diff(expr, P, 2).replace(DiracDelta, lambda *a: 0)
        claims.append((f"d2p {name}", d2p, dom))
        if loss.link is not None:
            d2z = diff(expr.subs(P, sigmoid(Z)), Z, 2).replace(DiracDelta, lambda *a: 0)
            zdom = {s: i for s, i in dom.items() if s != P} | {Z: S.Reals}
            claims.append((f"d2z {name}", d2z, zdom))
    return claims


def _polynomial_claims() -> list[tuple[str, sympy.Expr, dict]]:
    third = Rational(1, 3)
    sig = sigmoid(Z)
    yz = {Y: Interval(0, 1), Z: S.Reals}
    return [
        ("bce d2z = s(1-s) > 0",
         diff(-Y * sympy.log(sig) - (1 - Y) * sympy.log(1 - sig), Z, 2), yz),
        ("mse d2z > 0", diff((Y - sig) ** 2, Z, 2), yz),
        ("expand((p-1/3)^2) + 1e-9 > 0", sympy.expand((P - third) ** 2) + Rational(1, 10**9),
         {P: Interval.open(0, 1)}),
        ("(p-1/3)^2 - 1e-12 > 0", (P - third) ** 2 - Rational(1, 10**12), {P: Interval.open(0, 1)}),
        ("p(1-p)(1-2p)^2 + 1e-6 > 0", P * (1 - P) * (1 - 2 * P) ** 2 + Rational(1, 10**6),
         {P: Interval.open(0, 1)}),
        ("y p^2 + (1-y)(1-p)^2 - p(1-p)/4 > 0",
         Y * P**2 + (1 - Y) * (1 - P) ** 2 - P * (1 - P) / 4,
         {P: Interval.open(0, 1), Y: Interval(0, 1)}),
    ]


def _z3_question(expr: sympy.Expr, dom: dict) -> str:
    """Z3 on the same question: is there a point of the domain where expr <= 0?"""
    import z3

    names: dict[sympy.Symbol, z3.ArithRef] = {}
    expr = expr.xreplace({sigmoid(Z): S_}) if Z in dom else expr
    dom = {(S_ if s == Z else s): (Interval.open(0, 1) if s == Z else i) for s, i in dom.items()}

    def conv(e: sympy.Expr) -> z3.ArithRef:
        if e.is_Symbol:
            return names.setdefault(e, z3.Real(e.name))
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e.is_Add:
            return z3.Sum([conv(a) for a in e.args])
        if e.is_Mul:
            return z3.Product([conv(a) for a in e.args])
        if e.is_Pow and e.args[1].is_Integer:
            base, n = conv(e.args[0]), int(e.args[1])
            return base**n if n >= 0 else 1 / base ** (-n)
        raise ValueError(f"not polynomial for Z3: {e}")

    solver = z3.SolverFor("QF_NRA")
    solver.add(conv(expr) <= 0)
    for s, i in dom.items():
        v = conv(s)
        solver.add(v > conv(i.start) if i.left_open else v >= conv(i.start))
        if i.end != sympy.oo:
            solver.add(v < conv(i.end) if i.right_open else v <= conv(i.end))
    verdict = solver.check()
    if verdict == z3.unsat:
        return "proved"
    return "refuted" if verdict == z3.sat else "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print("Part 1: catalog second derivatives")
    print(f"{'claim':34} {'verdict':8} {'boxes':>6} {'cover':>6} {'decide s':>9} {'recheck s':>9} {'replay s':>9}")
    total = 0.0
    rows = [(f"{base} {rel} 0", expr, rel, dom)
            for base, expr, dom in _catalog_claims() for rel in (">", ">=")]
    for label, expr, rel, dom in rows:  # > 0: strictConvexOn, >= 0: convexOn
        v = decide(expr, rel, dom)
        total += v.seconds
        if v.status == "proved":
            t0 = time.perf_counter()
            ok, _ = recheck(expr, rel, dom, v.cover)
            check = f"{time.perf_counter() - t0:9.3f}" + ("" if ok else " FAILED")
            t0 = time.perf_counter()
            ok, _ = replay(expr, rel, dom, v.cover)
            check += f" {time.perf_counter() - t0:9.3f}" + ("" if ok else " FAILED")
        else:
            check = f"{'-':>9} {'-':>9}"
        extra = f"  at {dict(v.counterexample)}" if v.counterexample else ""
        print(f"{label:34} {v.status:8} {v.boxes:6d} {len(v.cover):6d} {v.seconds:9.3f} {check}"
              f"{extra}")
    print(f"total decide time: {total:.2f} s")

    print("\nPart 2: polynomial questions, the engine against Z3 (median of "
          f"{args.runs} alternating runs)")
    print(f"{'claim':40} {'engine':8} {'boxes':>6} {'engine s':>9} {'z3':8} {'z3 s':>8} "
          f"{'ratio':>7}")
    ratios = []
    for label, expr, dom in _polynomial_claims():
        e_t, z_t = [], []
        for _ in range(args.runs):
            v = decide(expr, ">", dom)
            e_t.append(v.seconds)
            t0 = time.perf_counter()
            zv = _z3_question(expr, dom)
            z_t.append(time.perf_counter() - t0)
        e, zt = statistics.median(e_t), statistics.median(z_t)
        ratios.append(e / zt)
        agree = "" if zv == v.status else "  DISAGREE"
        print(f"{label:40} {v.status:8} {v.boxes:6d} {e:9.3f} {zv:8} {zt:8.3f} {e / zt:7.1f}"
              f"{agree}")
    print(f"geometric mean ratio engine/z3: {statistics.geometric_mean(ratios):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
