"""The sign engines, re-exported from :mod:`lossproof.kernel.engines` (the trusted part)."""

from .kernel.engines import *  # noqa: F401,F403
from .kernel.engines import __all__  # noqa: F401
