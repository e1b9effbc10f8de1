"""Ending a command at once: on Ctrl-C, or when its time is up however busy it is.

:func:`handle_interrupts` makes Ctrl-C (SIGINT) end the process within moments,
whatever it is doing: one line on stderr, every descendant process (forked proof
workers, pdflatex) killed, the temporary files of unfinished writes removed
(:mod:`lossproof.atomic`), exit status 130. Python's default, a KeyboardInterrupt,
is not enough: it prints a traceback, it waits until the main thread runs Python
again (not while Z3 works), and a ``ProcessPoolExecutor`` then waits for its
workers to finish their claims.

So the signal is handled twice, and the first to act wins: by a Python handler in
the main thread, and by a watcher thread woken through ``signal.set_wakeup_fd``,
which runs even while the main thread is inside a C call that released the GIL.
:func:`stop_after` uses the same ending (with its own line and status) as a
backstop for the command's time limit.

The handling starts when :func:`lossproof.cli.main` does, after Python has imported
lossproof and SymPy with it (about half a second): a Ctrl-C before that is Python's
own KeyboardInterrupt, as for any Python program.

Forked workers go back to the default action for SIGINT (a Ctrl-C at the terminal
reaches the whole process group, and they should just end) and drop the wakeup fd.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .atomic import remove_pending

__all__ = ["handle_interrupts", "stop_after", "EXIT_INTERRUPTED"]

#: 128 + SIGINT, what a shell reports for a command ended by Ctrl-C.
EXIT_INTERRUPTED = 130

_ENDING = threading.Lock()


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first (Linux /proc; elsewhere none)."""
    if not os.path.exists(f"/proc/{pid}/task/{pid}/children"):
        return _descendants_by_scan(pid)
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", "rb") as f:
                    children = [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
            out += children
            todo += children
    return out


def _descendants_by_scan(pid: int) -> list[int]:
    """:func:`_descendants` on a kernel without /proc/PID/task/TID/children: every process's parent."""
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields resume after the last ')'.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _end(line: str, status: int) -> None:
    """Write ``line``, kill every descendant, remove unfinished writes, exit; only once."""
    if not _ENDING.acquire(blocking=False):
        time.sleep(60)  # the other thread is ending the process
        os._exit(status)
    try:
        os.write(2, (line + "\n").encode("utf-8", "replace"))
        # Nothing more may reach the terminal (a worker's death seen by the main thread).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    for pid in _descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    remove_pending()
    os._exit(status)


def _interrupted(signum: int = signal.SIGINT, frame: object = None) -> None:
    _end("lossproof: interrupted", EXIT_INTERRUPTED)


def _watch(fd: int) -> None:
    while True:
        try:
            data = os.read(fd, 512)
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data:  # bytes of every signal with a Python handler (SIGALRM too)
            _interrupted()


def _in_worker() -> None:
    # A forked worker: the parent handles Ctrl-C and kills it; alone, it just ends.
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    except ValueError:  # forked from a thread other than the main one
        pass


_AT_FORK = [False]


@contextmanager
def handle_interrupts() -> Iterator[None]:
    """Within the block, Ctrl-C ends the process: one line, descendants killed, exit 130.

    For the process's own command line only: it replaces the process's SIGINT handling.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous = signal.signal(signal.SIGINT, _interrupted)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    if not _AT_FORK[0] and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_in_worker)
        _AT_FORK[0] = True
    threading.Thread(target=_watch, args=(read,), name="lossproof-interrupt", daemon=True).start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous)
        os.close(write)  # the watcher's read returns b"" and it ends


def stop_after(seconds: float, line: str, status: int) -> None:
    """End the process with ``line`` and ``status`` after ``seconds``, if it has not ended by then.

    A backstop: work past its deadline is normally stopped by :mod:`lossproof.timeout`
    in Python; this also ends work stuck in a C call (a Z3 query runs up to its own 10 s).
    """

    def wait() -> None:
        time.sleep(seconds)
        try:
            sys.stdout.flush()  # what was printed before the deadline still counts
        except (OSError, ValueError):
            pass
        _end(line, status)

    threading.Thread(target=wait, name="lossproof-backstop", daemon=True).start()
