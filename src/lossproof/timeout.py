"""A time limit for symbolic work on expressions a user typed.

SymPy is pure Python, so a ``SIGALRM`` timer can interrupt any of its loops;
the limit raises :class:`TimeLimitExceeded` in the process that set it. Timers
only work in a process's main thread on POSIX; elsewhere the limit is not
enforced and the work runs to its end (Z3 queries carry their own timeout).

>>> with time_limit(5):
...     1 + 1
2
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import LossproofError

__all__ = ["TimeLimitExceeded", "time_limit", "USER_LIMIT_SECONDS"]

#: Seconds allowed for one derivation or one claim about a user's loss.
USER_LIMIT_SECONDS = 20.0


class TimeLimitExceeded(LossproofError):
    """The symbolic work took longer than its limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` if the block runs longer than ``seconds`` (None: no limit)."""
    usable = seconds is not None and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded(f"time limit of {seconds:g} s exceeded")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
