"""Audits of loss implementations against lossproof's derived truth, in ulps.

Loaded lazily (PEP 562): the command line imports this package to list its options,
and NumPy loads only when an audit runs.

>>> from lossproof.audit import audit, get_target
>>> from lossproof.losses import get_loss
>>> bce = get_loss("bce")
>>> r = audit(get_target("lossproof.generated", bce), bce, "grad_z", "float32", labels="hard", stride=8, search_examples=0)
>>> r.passed
True
"""

from .names import BUILTIN_TARGETS as BUILTIN_TARGETS
from .names import FORMATS as FORMATS
from .names import LABELS as LABELS
from .names import QUANTITIES as QUANTITIES
from .names import TORCH_INSTALL as TORCH_INSTALL

_LAZY = {
    "Target": "adapters",
    "get_target": "adapters",
    "render_report": "report",
    "plot_errors": "report",
    "DEFAULT_MAX_ULP": "run",
    "AuditResult": "run",
    "Point": "run",
    "RegionResult": "run",
    "audit": "run",
    "DTYPES": "sweep",
    "Truth": "truth",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'lossproof.audit' has no attribute {name!r}")


__all__ = ["BUILTIN_TARGETS", "FORMATS", "LABELS", "QUANTITIES", "TORCH_INSTALL", *sorted(_LAZY)]
