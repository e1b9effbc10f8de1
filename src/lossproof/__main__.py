"""``python -m lossproof``: the same as the ``lossproof`` command."""

from .start import main

main()
