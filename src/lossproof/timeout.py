"""Time and memory limits for symbolic work on expressions a user typed.

SymPy is pure Python, so a timer signal can interrupt any of its loops; the limit
raises :class:`TimeLimitExceeded` in the process that set it. Two clocks:

- a block's own limit counts the CPU time of its process (``ITIMER_PROF``, the
  clock of ``time.process_time``; Z3's threads count too), so whether a claim ends
  ``unknown (time limit)`` depends on the work, not on how busy the machine is;
- the whole command's deadline (:func:`command_deadline`) is by the clock
  (``ITIMER_REAL``), since that is what a user waits for. It caps every limit
  inside it, including those of forked workers, which inherit it
  (``time.monotonic`` is one clock for every process of the machine).

Limits nest: the inner one never cancels the outer one. Timers only work in a
process's main thread on POSIX; elsewhere the limit is not enforced and the work
runs to its end (Z3 queries carry their own timeout).

A limited block with a time limit (typed-in work) also gets a memory cap: its
data may grow by :data:`USER_MEMORY_BYTES` at most (``resource.setrlimit(RLIMIT_DATA)``,
which Linux applies to the heap and every private mapping; a forked worker inherits
the cap). Past it, allocation raises ``MemoryError``, which leaves the block as
:class:`MemoryLimitExceeded`. ``RLIMIT_AS`` would also count the stack, and a stack
that cannot grow is a segmentation fault, not an exception.

>>> with time_limit(5):
...     1 + 1
2
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from .errors import LossproofError
from .settings import DEFAULT

__all__ = [
    "ResourceLimitExceeded",
    "TimeLimitExceeded",
    "MemoryLimitExceeded",
    "time_limit",
    "command_deadline",
    "seconds_left",
    "USER_LIMIT_SECONDS",
    "USER_MEMORY_BYTES",
    "COMMAND_LIMIT_SECONDS",
]

#: CPU seconds allowed for one derivation or one claim about a user's loss.
USER_LIMIT_SECONDS = DEFAULT.user_limit_seconds
#: Seconds allowed for a whole command by default (``--time-limit``): 82 to 89 s were
#: seen on hostile typed-in losses with only the per-claim limit.
COMMAND_LIMIT_SECONDS = DEFAULT.command_limit_seconds
#: Bytes of address space typed-in work may add: 1.4 to 2.1 GB were seen before this cap,
#: and the CI machine has 2 cores and a few GB; every honest loss needs far less.
USER_MEMORY_BYTES = 1 << 30

try:  # POSIX only; elsewhere there is no memory cap
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


class ResourceLimitExceeded(LossproofError):
    """Work stopped at one of its limits; :attr:`reason` says which (``time limit``, ``memory limit``)."""

    reason = "limit"


class TimeLimitExceeded(ResourceLimitExceeded):
    """The symbolic work took longer than its limit."""

    reason = "time limit"


class MemoryLimitExceeded(ResourceLimitExceeded):
    """The symbolic work needed more memory than its cap."""

    reason = "memory limit"


# Open limits, innermost last: (clock, deadline on that clock, message). Inherited by forked
# workers, whose timers are not (POSIX resets interval timers in a child), so every entry
# re-arms; a child's CPU clock starts again from zero, so it drops the CPU entries.
_WALL, _CPU = "wall", "cpu"
# getattr: the timers exist on POSIX only (see _usable).
_CLOCKS = {_WALL: (time.monotonic, getattr(signal, "ITIMER_REAL", 0)), _CPU: (time.process_time, getattr(signal, "ITIMER_PROF", 0))}
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGALRM", "SIGPROF") if hasattr(signal, name))
_DEADLINES: list[tuple[str, float, str]] = []
_COMMAND: list[float] = []  # the whole command's deadline, if any
_CAPPED = [False]  # a memory cap is in force (set by the outermost capped block)


def seconds_left() -> float | None:
    """Seconds until the whole command's deadline, or None when there is none.

    >>> seconds_left() is None
    True
    """
    return _COMMAND[-1] - time.monotonic() if _COMMAND else None


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _expire(signum: int, frame: object) -> None:
    now = {clock: read() for clock, (read, _) in _CLOCKS.items()}
    due = [message for clock, deadline, message in _DEADLINES if deadline <= now[clock] + 1e-3]
    if due:
        raise TimeLimitExceeded(due[0])
    _arm()  # woken early (timer granularity): wait for the rest


def _arm() -> None:
    for clock, (read, timer) in _CLOCKS.items():
        deadlines = [deadline for c, deadline, _ in _DEADLINES if c == clock]
        if not deadlines:
            signal.setitimer(timer, 0)
            continue
        # A deadline already past fires at once (setitimer(0) would cancel instead).
        signal.setitimer(timer, max(min(deadlines) - read(), 1e-4))


def _forked() -> None:
    _DEADLINES[:] = [entry for entry in _DEADLINES if entry[0] != _CPU]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def _data_size() -> int | None:
    """Bytes of the process's data (heap and private mappings, not its stack): Linux VmData."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


@contextmanager
def _memory_cap(limit: int | None) -> Iterator[None]:
    if limit is None:
        yield
        return
    try:
        # A cap already in force (an outer block's, or the parent's in a forked worker) stays.
        with _set_cap(limit) if not _CAPPED[0] else nullcontext():
            yield
    except MemoryError:
        raise MemoryLimitExceeded(f"memory limit of {_size(limit)} exceeded") from None
    except SystemError as exc:
        # CPython reports an allocation that failed inside C code as "returned NULL
        # without setting an exception": under a cap, that is the cap.
        if "NULL" not in str(exc):
            raise
        raise MemoryLimitExceeded(f"memory limit of {_size(limit)} exceeded") from None


def _size(count: int) -> str:
    return f"{count / 2**30:g} GB" if count >= 2**30 else f"{count / 2**20:g} MB"


def _before_cap() -> None:
    # Z3's Python API does not check that its context was made: a context first made
    # under an exhausted cap is a segmentation fault. So it is made before the cap.
    try:
        import z3
    except ImportError:  # pragma: no cover - z3-solver is a dependency
        return
    z3.main_ctx()


@contextmanager
def _set_cap(limit: int) -> Iterator[None]:
    now = _data_size()
    if resource is None or now is None:
        yield
        return
    _before_cap()
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = now + limit if hard == resource.RLIM_INFINITY else min(now + limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield  # a tighter cap is already in force
        return
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    _CAPPED[0] = True
    try:
        yield
    finally:
        _CAPPED[0] = False
        # Raising a soft limit back up to the hard one needs no privilege.
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


@contextmanager
def time_limit(seconds: float | None, memory: int | None = None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` if the block runs past ``seconds`` or the command's deadline.

    Args:
        seconds: the block's own limit, in CPU seconds of this process; None: only the
            command's deadline, if any.
        memory: bytes the block's address space may grow by; by default
            :data:`USER_MEMORY_BYTES` when ``seconds`` is given (typed-in work), else none.

    Raises:
        TimeLimitExceeded: a limit passed (at once, if the command's deadline already has).
        MemoryLimitExceeded: the block ran out of its memory.
    """
    if memory is None and seconds is not None:
        memory = USER_MEMORY_BYTES
    with _memory_cap(memory):
        if not _usable() or (seconds is None and not _COMMAND):
            yield
            return
        entries = []
        if seconds is not None:
            entries.append((_CPU, time.process_time() + seconds, f"time limit of {seconds:g} s exceeded"))
        if _COMMAND:
            entries.append((_WALL, _COMMAND[-1], "the command's time limit was reached"))
        previous = [signal.signal(signum, _expire) for signum in _SIGNALS]
        _DEADLINES.extend(entries)
        try:
            _arm()
            yield
        finally:
            for entry in entries:
                if entry in _DEADLINES:  # a forked child dropped its CPU entries
                    _DEADLINES.remove(entry)
            _arm()
            if not _DEADLINES:
                for signum, handler in zip(_SIGNALS, previous):
                    signal.signal(signum, handler)


@contextmanager
def command_deadline(seconds: float | None) -> Iterator[None]:
    """Set the whole command's deadline, ``seconds`` from now (None: no deadline).

    Every :func:`time_limit` inside (and in workers forked inside) stops at it.

    >>> with command_deadline(60):
    ...     0 < seconds_left() <= 60
    True
    """
    if seconds is None:
        yield
        return
    _COMMAND.append(time.monotonic() + seconds)
    try:
        yield
    finally:
        _COMMAND.pop()
