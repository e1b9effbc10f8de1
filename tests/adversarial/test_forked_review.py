"""Adversarial review of the forked child (lossproof.forked, h-adv4): whatever the child
does (a value too big for the pipe, one that does not rebuild, sys.exit, a death half-way
through its write), the parent gets its value, its exception, or one WorkerError; and no
child outlives a parent that stopped waiting for it, nor leaves a descriptor behind.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from lossproof import claims
from lossproof.forked import Forked, WorkerError
from lossproof.losses import get_loss
from lossproof.timeout import MemoryLimitExceeded, ResourceLimitExceeded, TimeLimitExceeded

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc/self/fd"), reason="needs os.fork and Linux /proc")


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every pipe the test's thread made is closed at its end, every child it forked
    reaped. (Only those: other threads of the test run start processes meanwhile.)"""
    pipes: list[tuple[int, str]] = []
    pids: list[int] = []
    pipe, fork = os.pipe, os.fork

    def recorded_pipe() -> tuple[int, int]:
        fds = pipe()
        if threading.current_thread() is threading.main_thread():
            pipes.extend((fd, os.readlink(f"/proc/self/fd/{fd}")) for fd in fds)
        return fds

    def recorded_fork() -> int:
        pid = fork()
        if pid and threading.current_thread() is threading.main_thread():
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "pipe", recorded_pipe)
    monkeypatch.setattr(os, "fork", recorded_fork)
    yield
    monkeypatch.undo()
    unreaped = []
    for pid in pids:
        try:
            if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            unreaped.append(pid)  # running, or a zombie nobody had reaped
        except ChildProcessError:  # reaped, as it should be
            pass
    assert not unreaped, "a forked child outlived the test"
    still_open = []
    for fd, target in pipes:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                still_open.append(fd)
        except OSError:  # closed
            pass
    assert not still_open, "a pipe was left open"


def _raise(exc: BaseException) -> None:
    raise exc


class _NoRebuild:
    """Pickles, but its reconstructor fails in the parent."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_refuse, ())


def _refuse() -> None:
    raise TypeError("not here")


def _no_rebuild() -> _NoRebuild:
    return _NoRebuild()


class _Mute(Exception):
    """An exception that neither pickles (a lambda in its args) nor says what it is."""

    def __init__(self) -> None:
        super().__init__(lambda: None)

    def __str__(self) -> str:
        raise RuntimeError("no text")


def _big_then_killed() -> bytes:
    # Dies by SIGALRM's default action while blocked writing past the pipe's buffer.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    return b"x" * (4 << 20)


def test_a_value_larger_than_the_pipe_comes_back(clean: None) -> None:
    value = os.urandom(3 << 20)  # 3 MiB: the child blocks until the parent reads
    assert Forked(bytes, value).result() == value


def test_a_value_that_does_not_pickle_comes_back_as_the_childs_exception(clean: None) -> None:
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        Forked(lambda: (lambda: None)).result()


def test_a_value_that_does_not_rebuild_is_a_worker_error(clean: None) -> None:
    # Found by the review: the parent's pickle.loads raised the reconstructor's TypeError,
    # which reads as a failure of the parent's own code.
    with pytest.raises(WorkerError, match="did not unpickle"):
        Forked(_no_rebuild).result()


@pytest.mark.parametrize("exc", [TimeLimitExceeded("claim x: 5 s"), MemoryLimitExceeded("claim x")])
def test_a_resource_limit_comes_back_with_its_reason(clean: None, exc: ResourceLimitExceeded) -> None:
    with pytest.raises(ResourceLimitExceeded) as caught:
        Forked(_raise, exc).result()
    assert type(caught.value) is type(exc) and caught.value.reason == exc.reason and str(caught.value) == str(exc)


@pytest.mark.parametrize("exc", [SystemExit(0), SystemExit(3), KeyboardInterrupt()])
def test_an_exit_in_the_child_is_a_worker_error_not_the_parents_exit(clean: None, exc: BaseException) -> None:
    # Found by the review: a SystemExit(0) raised in a share was raised again in the parent:
    # `lossproof prove` ended with status 0 and printed no verdict.
    with pytest.raises(WorkerError, match=type(exc).__name__):
        Forked(_raise, exc).result()


def test_an_exception_without_text_or_pickle_is_named(clean: None) -> None:
    with pytest.raises(WorkerError, match="_Mute"):
        Forked(_raise, _Mute()).result()


def test_a_child_killed_half_way_through_its_value_is_a_worker_error(clean: None) -> None:
    # Found by the review: 64 KiB of a 4 MiB value reached the parent, and pickle.loads
    # raised UnpicklingError (truncated) instead of WorkerError.
    child = Forked(_big_then_killed)
    time.sleep(0.6)  # not reading: the child blocks on the full pipe, then dies
    with pytest.raises(WorkerError, match="killed by signal"):
        child.result()


def _on_alarm(signum: int, frame: object) -> None:
    raise TimeLimitExceeded("the parent's limit")


def test_a_parent_interrupted_while_it_waits_kills_the_child(clean: None) -> None:
    # Found by the review: a time limit raised in the parent's read left the child
    # computing on, unreaped (the fixture sees it).
    child = Forked(time.sleep, 30)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        started = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            child.result()
        assert time.monotonic() - started < 10
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(WorkerError, match="asked for twice"):
        child.result()


def test_a_failed_fork_leaves_no_pipe(clean: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(BlockingIOError):
        Forked(int)


def test_a_failing_share_in_the_parent_leaves_no_child_behind(clean: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found by the review: _prove forked the other shares, then its own share raised, and
    # the children were never reaped nor their pipes closed (in render, or a test run).
    parent = os.getpid()

    def share(jobs):  # noqa: ANN001, ANN202 - claims' own signature
        if os.getpid() == parent:
            raise RuntimeError("the parent's share failed")
        time.sleep(30)
        return []

    monkeypatch.setattr(claims, "_build_and_check_all", share)
    monkeypatch.setattr(claims, "_free_cores", lambda jobs: 2)
    claims._prove.cache_clear()
    loss = get_loss("bce")
    try:
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="the parent's share failed"):
            claims._prove(loss, tuple(claims.claim_ids(loss)), tuple(claims.claim_ids(loss)), None)
        assert time.monotonic() - started < 10
    finally:
        claims._prove.cache_clear()


def test_stdout_buffered_in_the_parent_is_not_written_twice(capfd: pytest.CaptureFixture[str]) -> None:
    # The child ends by os._exit: what the parent had buffered is written once, by it.
    print("once", end="", file=sys.stdout)
    assert Forked(int, "7").result() == 7
    sys.stdout.flush()
    assert capfd.readouterr().out == "once"


def test_ctrl_c_during_a_z3_query_reaches_python() -> None:
    # Found by the review: with Z3's default "ctrl_c", a SIGINT during a query cancelled the
    # query and was never seen by Python's handler; under `lossproof prove bce` a Ctrl-C at
    # the terminal then killed the forked workers but not the parent, which reported "a
    # worker process ended abruptly" (13 runs in 40). lossproof's Z3 engine turns it off.
    import z3

    import lossproof.kernel.engines  # noqa: F401 - the module that configures Z3

    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        x, y, w = z3.Ints("x y w")
        solver = z3.Solver()
        solver.set("timeout", 800)
        solver.add(x > 0, y > 0, w > 0, x**3 + y**3 == w**3)  # Fermat: Z3 runs to its timeout
        timer = threading.Timer(0.2, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
        timer.start()
        try:
            solver.check()
        finally:
            timer.join()
        time.sleep(0.05)  # the handler runs at the next bytecode of the main thread
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [signal.SIGINT]
