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
import signal
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
        try:
            pid = os.fork()
        except BaseException:  # no child (EAGAIN, ENOMEM): no pipe left open either
            os.close(read)
            os.close(write)
            raise
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
        self._pid: int | None = pid
        self._read: int | None = read

    def result(self) -> T:
        """The child's value; its exception is raised here.

        Interrupted while it waits (a time limit, Ctrl-C as ``KeyboardInterrupt``), it
        kills the child before the interruption goes on: no child outlives the wait.

        Raises:
            WorkerError: the child ended without a value (killed, out of memory, an
                exit of its own, or a value cut short).
        """
        if self._pid is None or self._read is None:
            raise WorkerError("a proof worker's result was asked for twice, or after it was cancelled")
        try:
            with os.fdopen(self._read, "rb") as pipe:
                self._read = None  # closed by the with block, however it ends
                data = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
        except BaseException:
            self.cancel()
            raise
        # A child that did not end by os._exit(0) may have written part of a value (killed
        # while the parent had not read past the pipe's 64 KiB): never unpickled.
        if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise WorkerError(f"a proof worker ended without a result ({_how(status)})")
        try:
            ok, value = pickle.loads(data)  # noqa: S301 - our own child's bytes, never a file's
        except Exception as exc:  # a value that pickled in the child but does not rebuild here
            raise WorkerError(f"a proof worker's result did not unpickle ({type(exc).__name__}: {exc})") from None
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Kill the child if it still runs, reap it and close the pipe (nothing if done).

        For a parent that will not ask for the result (an earlier share failed): without
        it the child would compute on, unreaped, its pipe open in every later child.
        """
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:  # already ended (and not yet reaped: a zombie)
                pass
            os.waitpid(pid, 0)


def _pickled_failure(exc: BaseException) -> bytes:
    if not isinstance(exc, Exception):
        # SystemExit, KeyboardInterrupt, GeneratorExit: raised again in the parent they
        # would end it (a sys.exit(0) in a share: exit status 0 and no verdicts) or read
        # as its own Ctrl-C; the child ended without a value.
        return pickle.dumps((False, WorkerError(f"a proof worker ended without a result ({type(exc).__name__}{_text(exc)})")))
    try:
        payload = pickle.dumps((False, exc), protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(payload)  # noqa: S301 - an exception class whose arguments do not round-trip fails here, not in the parent
        return payload
    except Exception:  # noqa: BLE001 - an exception that does not pickle: its text does
        return pickle.dumps((False, WorkerError(f"{type(exc).__name__}{_text(exc)}")))


def _text(exc: BaseException) -> str:
    """``": "`` and the exception's text, if it has one that can be read."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a __str__ that fails: the class name is all there is
        return ""
    return f": {text}" if text else ""


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}"
