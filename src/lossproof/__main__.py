"""``python -m lossproof``: the same as the ``lossproof`` command."""

import sys

from .cli import main

sys.exit(main())
