"""A function run in a forked child process, its value read back through a pipe.

A catalog loss's claims take a quarter of a second per share: a ``ProcessPoolExecutor``
costs 10 to 15 ms of that before its worker runs and after it is done (its manager
thread, its queues, the join at shutdown), and 5 ms more to import. A fork and a pipe
cost 4 ms. The child inherits everything the parent imported and built, computes,
writes its pickled value (or its exception) to the pipe, and ends with ``os._exit``:
no interpreter shutdown, no exit hooks, nothing of the parent's flushed twice.

Ctrl-C reaches the child too (the whole process group); :mod:`lossproof.interrupt`
resets its handling in every forked child and kills descendants from the parent.

>>> import os
>>> Forked(os.getpid).result() != os.getpid()
True
>>> Forked(divmod, 7, 2).result()
(3, 1)
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .errors import LossproofError

__all__ = ["Forked", "WorkerError"]

T = TypeVar("T")


class WorkerError(LossproofError):
    """A forked child ended without handing back a value or an exception."""


class Forked(Generic[T]):
    """``function(*args)`` started in a forked child; :meth:`result` waits for its value."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            code = 0
            try:
                try:
                    payload = pickle.dumps((True, function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                    payload = _pickled_failure(exc)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            except BaseException:  # noqa: BLE001 - the pipe is gone (the parent ended): nothing to tell
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The child's value; its exception is raised here.

        Raises:
            WorkerError: the child ended without a value (killed, or out of memory).
        """
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        if not data:
            raise WorkerError(f"a proof worker ended without a result ({_how(status)})")
        ok, value = pickle.loads(data)  # noqa: S301 - our own child's bytes, never a file's
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]


def _pickled_failure(exc: BaseException) -> bytes:
    try:
        payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)  # noqa: S301 - an exception class whose arguments do not round-trip fails here, not in the parent
        return payload
    except Exception:  # noqa: BLE001 - an exception that does not pickle: its text does
        return pickle.dumps((False, WorkerError(f"{type(exc).__name__}: {exc}")))


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"
