"""``python -m lossproof``: the same as the ``lossproof`` command."""

import sys

from .start import main

sys.exit(main())
