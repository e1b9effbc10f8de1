"""Audits of loss implementations against lossproof's derived truth, in ulps.

>>> from lossproof.losses import get_loss
>>> bce = get_loss("bce")
>>> r = audit(get_target("lossproof.generated", bce), bce, "grad_z", "float32", labels="hard", stride=8, search_examples=0)
>>> r.passed
True
"""

from .adapters import BUILTIN_TARGETS as BUILTIN_TARGETS
from .adapters import TORCH_INSTALL as TORCH_INSTALL
from .adapters import Target as Target
from .adapters import get_target as get_target
from .report import render_report as render_report
from .report import FORMATS as FORMATS
from .run import DEFAULT_MAX_ULP as DEFAULT_MAX_ULP
from .run import LABELS as LABELS
from .run import AuditResult as AuditResult
from .run import Point as Point
from .run import RegionResult as RegionResult
from .run import audit as audit
from .sweep import DTYPES as DTYPES
from .truth import QUANTITIES as QUANTITIES
from .truth import Truth as Truth

__all__ = [
    "BUILTIN_TARGETS", "DEFAULT_MAX_ULP", "DTYPES", "FORMATS", "LABELS", "QUANTITIES", "TORCH_INSTALL",
    "AuditResult", "Point", "RegionResult", "Target", "Truth", "audit", "get_target", "render_report",
]
