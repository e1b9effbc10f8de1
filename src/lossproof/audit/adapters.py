"""Implementations to audit: PyTorch's BCE, a naive NumPy transcription, lossproof's emitted code, yours.

A target is a callable ``target(quantity, y, x) -> array``: ``x`` is the logit ``z`` for
``"loss"`` and ``"grad_z"``, the prediction ``p`` for ``"grad_p"``; ``y`` and ``x`` are
NumPy arrays of one dtype and the result has their shape. Gradients of framework targets
come from the framework's autograd, as a training loop would get them.

>>> from lossproof.losses import get_loss
>>> t = get_target("numpy.naive", get_loss("bce"))
>>> t.quantities
('loss', 'grad_p', 'grad_z')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy

from ..errors import InputError
from ..losses import Loss, y
from .names import BUILTIN_TARGETS, QUANTITIES, TORCH_INSTALL
from .truth import quantity_expr

__all__ = ["Target", "get_target", "BUILTIN_TARGETS", "TORCH_INSTALL"]


Evaluate = Callable[[str, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Target:
    """An implementation under audit.

    Attributes:
        name: as the CLI names it (``"torch.bce_with_logits"``, ``"mymod:focal"``).
        quantities: the quantities it computes.
        evaluate: ``evaluate(quantity, y, x)``, arrays in and out.
        version: the framework's version, where there is one (it goes into reports).
    """

    name: str
    quantities: tuple[str, ...]
    evaluate: Evaluate
    version: str = ""

    def __call__(self, quantity: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        if quantity not in self.quantities:
            raise InputError(f"target {self.name!r} does not compute {quantity}: it computes {', '.join(self.quantities)}")
        with np.errstate(all="ignore"):  # overflow and 0/0 are findings, not warnings
            out = self.evaluate(quantity, yv, xv)
        return np.asarray(out, dtype=xv.dtype).reshape(xv.shape)


def _numpy_naive(loss: Loss) -> Target:
    """The quantity's own expression, lambdified to NumPy as it stands: what a careful
    transcription of the formula computes, with no rewriting for floating point."""
    def naive_sigmoid(u: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-u))

    quantities = tuple(q for q in QUANTITIES if loss.link is not None or q == "grad_p")
    fns = {}
    for q in quantities:
        expr, var = quantity_expr(loss, q)
        fns[q] = sympy.lambdify((y, var), expr, modules=[{"sigmoid": naive_sigmoid}, "numpy"])

    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        return np.broadcast_to(fns[q](yv, xv), xv.shape)

    return Target("numpy.naive", quantities, evaluate)


def _generated(loss: Loss) -> Target:
    from ..codegen import numpy_module

    module = numpy_module(loss)
    quantities = tuple(q for q in QUANTITIES if hasattr(module, q))
    return Target("lossproof.generated", quantities, lambda q, yv, xv: getattr(module, q)(yv, xv))


def _torch() -> object:
    try:
        import torch
    except ImportError:
        raise InputError(f"PyTorch is not installed: {TORCH_INSTALL}") from None
    return torch


_TORCH_LOSSES = ("bce", "bce_pos_weight")


def _torch_target(name: str, loss: Loss) -> Target:
    torch = _torch()
    import torch.nn.functional as F  # noqa: N812 - PyTorch's own spelling

    if loss.name not in _TORCH_LOSSES or (name == "torch.bce_sigmoid" and loss.name != "bce"):
        raise InputError(f"target {name!r} computes binary cross-entropy, not {loss.name!r}")
    pos_weight = 3.0 if loss.name == "bce_pos_weight" else None

    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.array(xv)).requires_grad_(q != "loss")
        t = torch.from_numpy(np.array(yv))
        if name == "torch.bce_with_logits":
            pw = None if pos_weight is None else torch.tensor(pos_weight, dtype=x.dtype)
            out = F.binary_cross_entropy_with_logits(x, t, pos_weight=pw, reduction="none")
        elif q == "grad_p":
            out = F.binary_cross_entropy(x, t, reduction="none")
        else:
            out = F.binary_cross_entropy(torch.sigmoid(x), t, reduction="none")
        if q == "loss":
            return out.detach().numpy()
        # Each output depends on its own input only, so the gradient of the sum is the
        # elementwise derivative: what backward() hands a training loop.
        out.sum().backward()
        return x.grad.numpy()

    quantities = ("loss", "grad_z") if name == "torch.bce_with_logits" else ("loss", "grad_p", "grad_z")
    return Target(name, quantities, evaluate, version=f"PyTorch {torch.__version__}")


def _user_target(spec: str, loss: Loss) -> Target:
    """``module:function``: importing the module runs its code, as ``python -c 'import m'`` would."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError(f"target {spec!r} is not a built-in target or MODULE:FUNCTION")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's module may raise anything while it imports
        raise InputError(f"cannot import module {module_name!r} of target {spec!r}: {type(exc).__name__}: {exc}") from None
    fn = module
    for part in attr.split("."):
        fn = getattr(fn, part, None)
        if fn is None:
            raise InputError(f"module {module_name!r} has no attribute {attr!r} (target {spec!r})")
    if not callable(fn):
        raise InputError(f"target {spec!r} is not callable: it is a {type(fn).__name__}")
    return Target(spec, tuple(QUANTITIES), _elementwise(fn))


def _elementwise(fn: Callable[..., object]) -> Evaluate:
    """Call ``fn(y, x)`` on whole arrays; a function written for scalars gets one call a point."""
    def evaluate(q: str, yv: np.ndarray, xv: np.ndarray) -> np.ndarray:
        try:
            out = np.asarray(fn(yv, xv), dtype=xv.dtype)
            if out.shape == xv.shape:
                return out
        except Exception:  # noqa: BLE001 - a scalar function may refuse arrays in any way
            pass
        return np.array([fn(a, b) for a, b in zip(yv, xv)], dtype=xv.dtype)

    return evaluate


def get_target(spec: str, loss: Loss) -> Target:
    """The implementation named ``spec`` for ``loss``.

    Raises:
        InputError: an unknown target, a module that does not import, a name that is not
            callable, or PyTorch missing for a ``torch.*`` target.
    """
    if spec == "numpy.naive":
        return _numpy_naive(loss)
    if spec == "lossproof.generated":
        return _generated(loss)
    if spec.startswith("torch."):
        if spec not in BUILTIN_TARGETS:
            raise InputError(f"unknown target {spec!r}: built-in targets are {', '.join(BUILTIN_TARGETS)}")
        return _torch_target(spec, loss)
    if ":" not in spec:
        raise InputError(f"unknown target {spec!r}: built-in targets are {', '.join(BUILTIN_TARGETS)}, or MODULE:FUNCTION")
    return _user_target(spec, loss)
