"""lossproof: derive, prove and typeset facts about machine-learning loss functions.

>>> from lossproof import get_loss, derive, prove
>>> derive(get_loss("bce"), "p", 1).canonical
(p - y)/(p*(1 - p))
>>> [r.status for r in prove(get_loss("mse"), ["strictConvexOn_mse_z"], workers=1)]
['refuted', 'refuted']
"""

from .derive import ORDERS as ORDERS
from .derive import WRT as WRT
from .derive import Derivative as Derivative
from .derive import canonical_form as canonical_form
from .derive import derivatives as derivatives
from .derive import derive as derive
from .errors import CertificateError as CertificateError
from .errors import IdentityError as IdentityError
from .errors import InputError as InputError
from .errors import LossproofError as LossproofError
from .identity import IdentityCheck as IdentityCheck
from .identity import check_identity as check_identity
from .losses import CATALOG as CATALOG
from .losses import SIGMOID as SIGMOID
from .losses import Link as Link
from .losses import Loss as Loss
from .losses import get_loss as get_loss
from .losses import loss_names as loss_names
from .sigmoid import sigmoid as sigmoid

# The heavier parts (proofs, documents, comparison, plots) load on first use, so that
# `import lossproof` and a cold `lossproof derive` stay quick (PEP 562).
_LAZY = {
    "Claim": "proof",
    "ClaimResult": "proof",
    "check_claim": "proof",
    "prove": "claims",
    "claims_for": "claims",
    "claim_ids": "claims",
    "custom_loss": "losses",
    "parse_expression": "parse",
    "read_certificate": "certificate",
    "check_certificate": "certificate",
    "derivation": "derivation",
    "stationary": "derivation",
    "standalone_latex": "render.latex",
    "markdown": "render.markdown",
    "compare": "compare",
    "SoftmaxCE": "softmax",
    "prove_softmax": "softmax",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        # Importing a submodule binds its name here (lossproof.compare, the module): put the
        # function back, or `from lossproof import compare` would give the module.
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lossproof' has no attribute {name!r}")


__all__ = [
    *sorted(_LAZY),
    "CATALOG",
    "ORDERS",
    "SIGMOID",
    "WRT",
    "CertificateError",
    "Derivative",
    "IdentityCheck",
    "IdentityError",
    "InputError",
    "Link",
    "Loss",
    "LossproofError",
    "canonical_form",
    "check_identity",
    "derivatives",
    "derive",
    "get_loss",
    "loss_names",
    "sigmoid",
]
__version__ = "0.1.0"
