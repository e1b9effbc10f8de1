"""Writing a file whole or not at all: a temporary file in the same folder, then a rename.

An interrupted or failed write (a full disk, Ctrl-C, a name the system refuses)
leaves the target as it was, never half-written: the data goes to a temporary
file beside it, which replaces the target only once complete (``os.replace`` is
atomic within one file system). Every failure is an :class:`InputError` of one
line that names the path, so the CLI reports it with exit status 2.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", "hello\\n")
>>> (folder / "a.txt").read_text()
'hello\\n'
>>> write_atomic(str(folder) + "/", "x")
Traceback (most recent call last):
lossproof.errors.InputError: ... names a folder (it ends in '/'): give a file name
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import InputError

__all__ = ["write_atomic", "check_output_path", "remove_pending"]

# Temporary files being written now: removed by remove_pending() when the command is
# interrupted, since os._exit skips every `finally`.
_PENDING: set[str] = set()
#: Longest path shown in a message: a name over the system's limit may be thousands long.
_SHOWN = 80


def _shown(path: str) -> str:
    return repr(path if len(path) <= _SHOWN else path[: _SHOWN - 3] + "...")


def check_output_path(text: str) -> Path:
    """The path to write for ``-o TEXT``, refused at once if it cannot be a file to write.

    Raises:
        InputError: TEXT is empty, ends in a slash, names a folder or a non-regular file
            (a device such as /dev/full, a FIFO), or its folder does not exist.
    """
    if not text:
        raise InputError("-o '': give a file name")
    if text.endswith(("/", os.sep)):
        raise InputError(f"-o {_shown(text)} names a folder (it ends in '/'): give a file name")
    path = Path(text)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:  # a name too long, a loop of links, a component that is a file
        raise InputError(f"-o {_shown(text)}: cannot write there: {exc.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"-o {_shown(text)} is a folder: give a file name")
        if not stat.S_ISREG(info.st_mode):
            # Renaming over a device or a FIFO would replace it (as root, /dev/full itself).
            raise InputError(f"-o {_shown(text)} is not a regular file: leave out -o to write to stdout")
    if not path.parent.is_dir():
        raise InputError(f"-o {_shown(text)}: the folder {_shown(str(path.parent))} does not exist")
    return path


def write_atomic(path: Path | str, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole, or leave ``path`` as it was.

    Raises:
        InputError: one line naming the path and the system's reason (no space left,
            permission denied, file name too long, ...).
    """
    target = check_output_path(str(path))
    content = data.encode("utf-8") if isinstance(data, str) else data
    tmp = None
    try:
        # A short fixed prefix, so that a target name near NAME_MAX still gets a temp name.
        fd, tmp = tempfile.mkstemp(prefix=".lossproof-", suffix=".tmp", dir=target.parent)
        _PENDING.add(tmp)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            try:
                mode = stat.S_IMODE(os.stat(target).st_mode)
            except OSError:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask  # what open() would have given a new file
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, target)
        _PENDING.discard(tmp)
        tmp = None
    except OSError as exc:
        raise InputError(f"cannot write {_shown(str(path))}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            _PENDING.discard(tmp)
            try:
                os.unlink(tmp)
            except OSError:
                pass


def remove_pending() -> None:
    """Remove the temporary files of writes in progress (for an interrupted command)."""
    for tmp in list(_PENDING):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _PENDING.discard(tmp)
