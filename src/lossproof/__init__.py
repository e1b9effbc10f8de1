"""lossproof: derive, prove and typeset facts about machine-learning loss functions.

>>> from lossproof import get_loss, derive
>>> derive(get_loss("bce"), "p", 1).canonical
(p - y)/(p*(1 - p))
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

__all__ = [
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
