"""Stable code for a loss and its gradients, derived from lossproof's forms and checked.

>>> from lossproof.losses import get_loss
>>> m = numpy_module(get_loss("bce"))
>>> float(m.loss(0.0, -50.0))
1.9287498479639178e-22
"""

from .emit import TARGETS as TARGETS
from .emit import emit as emit
from .emit import numpy_module as numpy_module
from .emit import quantities_of as quantities_of
from .forms import Rewrite as Rewrite
from .forms import StableForm as StableForm
from .forms import softplus as softplus
from .forms import stable_form as stable_form

__all__ = ["TARGETS", "Rewrite", "StableForm", "emit", "numpy_module", "quantities_of", "softplus", "stable_form"]
