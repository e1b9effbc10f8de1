"""Run the whole adversarial corpus with timings: ``python -m tests.adversarial [fast|slow|forgeries]``.

Prints one line per forgery and typed-in row: what lossproof answered, whether that keeps
the promise, and how long it took. Known holes (``HOLES``) are shown as such. Exits 1 if a
row that is not a known hole breaks the promise (a false claim proved, a true one refuted,
a forged certificate accepted, or a traceback).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from .forgeries import FORGERIES, HOLES
from .typed import FAST, SLOW
from .typed import HOLES as TYPED_HOLES


def _forgeries(folder: Path) -> int:
    from tests.test_adversarial import check_forgery

    bad = 0
    for name, build in FORGERIES.items():
        start = time.perf_counter()
        try:
            forgery = build()
            status, reasons, statement = check_forgery(forgery, folder / f"{name}.json")
            honest = status == "proved" and forgery.honest is not None and forgery.honest(statement)
        except Exception as exc:  # noqa: BLE001 - a traceback is a finding, reported as such
            status, reasons, honest = "traceback", [f"{type(exc).__name__}: {exc}"], False
        broken = status == "traceback" or (status == "proved" and not honest)
        tag = "HOLE (known)" if name in HOLES else ("BROKEN" if broken else "ok")
        bad += broken and name not in HOLES
        print(f"{time.perf_counter() - start:6.1f}s  {tag:12} {status:9} {name}: {(reasons or [''])[0][:110]}")
    return bad


def _typed(rows: list, offset: int) -> int:
    from lossproof.claims import prove
    from lossproof.losses import custom_loss

    bad = 0
    for i, (expr, link, claim_id, truth, _) in enumerate(rows):
        start = time.perf_counter()
        status = str(prove(custom_loss(expr, link), [claim_id], workers=1)[0].status)
        broken = status == ("refuted" if truth else "proved")
        tag = "HOLE (known)" if offset + i in TYPED_HOLES else ("BROKEN" if broken else "ok")
        bad += broken and offset + i not in TYPED_HOLES
        print(f"{time.perf_counter() - start:6.1f}s  {tag:12} {status:9} {'true ' if truth else 'false'} {claim_id} [{link}] {expr}")
    return bad


def main(argv: list[str]) -> int:
    which = set(argv) or {"forgeries", "fast", "slow"}
    bad = 0
    if "forgeries" in which:
        with tempfile.TemporaryDirectory() as tmp:
            bad += _forgeries(Path(tmp))
    if "fast" in which:
        bad += _typed(FAST, 0)
    if "slow" in which:
        bad += _typed(SLOW, len(FAST))
    print(f"{bad} broken (known holes not counted)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
