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

__all__ = ["main"]

#: 128 + SIGINT, what a shell reports for a command ended by Ctrl-C (as lossproof.interrupt).
_EXIT_INTERRUPTED = 130


def _interrupted(signum: int, frame: FrameType | None) -> None:
    try:
        os.write(2, b"lossproof: interrupted\n")
    finally:
        os._exit(_EXIT_INTERRUPTED)


def main() -> int:
    """Install the early Ctrl-C handling, then run the command line."""
    # Kept to the end of the process: cli.main's own handling replaces it while the
    # command runs and puts it back after, for the interpreter's shutdown.
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main as cli_main  # the heavy imports

    return cli_main()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
