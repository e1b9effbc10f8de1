"""The proof kernel's public names, for code written against the first layout.

Everything here lives in :mod:`lossproof.kernel`, the trusted part; this module
only re-exports it.
"""

from .kernel import *  # noqa: F401,F403
from .kernel import __all__  # noqa: F401
