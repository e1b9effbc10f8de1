"""Ctrl-C at any moment of a command's start: one line and exit status 130, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def _seconds(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def test_import_lossproof_loads_no_sympy() -> None:
    # The early handler is installed right after `import lossproof`: that must stay light.
    code = "import sys, lossproof.start; print('sympy' in sys.modules, 'z3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]


def test_the_facade_keeps_its_function_names() -> None:
    import importlib

    import lossproof

    module = importlib.import_module("lossproof.derive")
    assert lossproof.derive is module.derive and callable(lossproof.derive)


@pytest.mark.parametrize("extra", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_ctrl_c_during_start_up_is_one_line(extra: float) -> None:
    # The handler is in place once `python -m lossproof` has imported lossproof.start: each
    # delay is past that moment (measured here, so a loaded machine waits longer) and
    # lands somewhere in the imports of SymPy, Z3 and the kernel, or in the proofs.
    ready = _seconds([sys.executable, "-c", "import lossproof.start"])
    proc = subprocess.Popen([sys.executable, "-m", "lossproof", "prove", "bce"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.5 * ready + extra)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the command finished before the signal")  # a fast machine: nothing to interrupt
    assert proc.returncode == 130, err
    assert err == "lossproof: interrupted\n"
    assert "Traceback" not in err and os.linesep not in err[:-1]


def test_the_program_ends_with_its_ctrl_c_handler_still_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # The interpreter's shutdown resets SIGINT to the default: a Ctrl-C there killed the
    # process without its line (exit -2). The program ends by os._exit instead, its
    # output flushed, with its own handler in place to the last moment.
    import lossproof.cli
    import lossproof.start as start

    seen: list[tuple[int, object]] = []

    class _Ended(Exception):
        pass

    def fake_exit(code: int) -> None:
        seen.append((code, signal.getsignal(signal.SIGINT)))
        raise _Ended

    previous = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(lossproof.cli, "main", lambda: 3)
    monkeypatch.setattr(start.os, "_exit", fake_exit)
    try:
        with pytest.raises(_Ended):
            start.main()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [(3, start._interrupted)]
