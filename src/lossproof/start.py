"""Starting the ``lossproof`` program: Ctrl-C is handled from its first moment.

The command line imports SymPy, Z3 and the kernel (about half a second, more on a
loaded machine) before :func:`lossproof.cli.main` installs the full handling of
Ctrl-C (:mod:`lossproof.interrupt`). Until then a Ctrl-C would be Python's
KeyboardInterrupt and print a traceback from whatever import it hit; here it ends the
process with one line and exit status 130. Nothing needs cleaning up yet: no worker,
no file has been started.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import NoReturn

__all__ = ["main"]

#: 128 + SIGINT, what a shell reports for a command ended by Ctrl-C (as lossproof.interrupt).
_EXIT_INTERRUPTED = 130


def _interrupted(signum: int, frame: FrameType | None) -> None:
    try:
        os.write(2, b"lossproof: interrupted\n")
    finally:
        os._exit(_EXIT_INTERRUPTED)


def main() -> NoReturn:
    """Install the early Ctrl-C handling, run the command line, and end the process.

    The process ends with ``os._exit`` once the output is flushed: the interpreter's
    shutdown would spend a tenth of a second or more freeing SymPy's objects one by one
    (memory the system takes back at once), and during that shutdown a Ctrl-C meets no
    handler and kills the process without its line. Nothing is left to it: workers are
    joined and files written (atomically) before the command returns, and lossproof
    registers no exit hooks.
    """
    # Kept to the end of the process: cli.main's own handling replaces it while the
    # command runs and puts it back after.
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main as cli_main  # the heavy imports

    code = cli_main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe: the command has said so already (exit 2)
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
