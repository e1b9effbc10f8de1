r"""The loss model and the catalog of losses.

A :class:`Loss` is a SymPy expression in the target ``y`` and the prediction
``p``, the domain on which its facts are claimed, and an optional link from a
logit ``z`` to ``p``. Everything downstream (derive, prove, render) takes a
``Loss`` and never asks which loss it is: adding a loss is adding one entry to
:data:`CATALOG`.

>>> bce = get_loss("bce")
>>> bce.expr
-y*log(p) - (1 - y)*log(1 - p)
>>> bce.link.apply(bce.expr)
-y*log(sigmoid(z)) - (1 - y)*log(1 - sigmoid(z))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import sympy
from sympy import Abs, Interval, Rational, Symbol, cosh, log, oo

from .errors import InputError
from .model import InVar, LossModel
from .settings import Settings, using
from .sigmoid import sigmoid

if TYPE_CHECKING:
    from .derive import Derived
    from .kernel.claim import ClaimResult

__all__ = ["y", "p", "z", "Link", "SIGMOID", "Loss", "CATALOG", "VECTOR_MODELS", "PARAMETERS", "LINKS", "custom_loss", "get_loss", "get_model", "loss_names"]

# Plain symbols without SymPy assumptions: the domain lives in the Loss and is
# reasoned about by lossproof's engines, never slipped into SymPy as a premise.
# It also makes `sympify(str(expr))` give back exactly the same symbols.
y = Symbol("y")
p = Symbol("p")
z = Symbol("z")


@dataclass(frozen=True)
class Link:
    r"""A link from the logit ``var`` to the prediction: ``p = expr(var)``.

    Attributes:
        name: how the CLI and JSON name it, e.g. ``"sigmoid"``.
        var: the logit symbol.
        expr: the prediction as a function of the logit.
        var_domain: where the logit lives.
        image: the set of values the link takes, on which ``p`` ranges.
    """

    name: str
    var: Symbol
    expr: sympy.Expr
    var_domain: Interval
    image: Interval

    def apply(self, loss_expr: sympy.Expr) -> sympy.Expr:
        """Return ``loss_expr`` with ``p`` replaced by the link."""
        return loss_expr.subs(p, self.expr)


SIGMOID = Link("sigmoid", z, sigmoid(z), Interval(-oo, oo), Interval.open(0, 1))


@dataclass(frozen=True)
class Loss:
    r"""A loss :math:`\ell(y, p)` with its domain and optional link.

    Attributes:
        name: identifier used by the CLI, claim ids and file names (``"bce"``).
        title: human name (``"Binary cross-entropy"``).
        operator: the name typeset as ``\operatorname{...}`` (``"BCE"``).
        expr: the loss as a SymPy expression in ``y`` and ``p``.
        domain: pairs ``(symbol, interval)`` on which claims are made.
        link: the link ``p = link(z)``, or ``None`` for a loss used on ``p`` alone.
    """

    name: str
    title: str
    operator: str
    expr: sympy.Expr
    domain: tuple[tuple[Symbol, Interval], ...]
    link: Link | None = SIGMOID
    notes: tuple[str, ...] = field(default=())
    #: Where the loss as typed is defined (kernel ``Assumption`` values), collected by
    #: the parser before SymPy simplified anything; the kernel proves each of them.
    conditions: tuple = field(default=())
    #: Typed in by a user (``--loss``): SymPy may work on it without end, so the steps
    #: that take it run under the settings' ``user_limit_seconds``.
    user_supplied: bool = False

    @property
    def wrts(self) -> tuple[str, ...]:
        """The variables it is differentiated in: p, and the logit z where it has a link."""
        return ("p", "z") if self.link is not None else ("p",)

    def in_var(self, wrt: str) -> InVar:
        """The loss as a function of ``wrt`` (p, or the link's logit z), with its domain.

        >>> bce = get_loss("bce")
        >>> bce.in_var("z").function
        -y*log(sigmoid(z)) - (1 - y)*log(1 - sigmoid(z))

        Raises:
            InputError: ``wrt`` is neither p nor z, or z for a loss without a link.
        """
        if wrt == "p":
            return InVar(self.expr, (p,), self.domain_map, tuple(self.conditions))
        if wrt != "z":
            raise InputError(f"cannot differentiate with respect to {wrt!r}: choose p or z")
        domain = self.linked_domain()
        link = self.link
        assert link is not None  # linked_domain raised otherwise
        conds = tuple(replace(h, expr=link.apply(h.expr)) for h in self.conditions)
        return InVar(link.apply(self.expr), (link.var,), domain, conds)

    def derivatives(self, wrt: Sequence[str] = (), orders: Sequence[int] = (), settings: Settings | None = None) -> list[Derived]:
        """Its derivatives in ``wrt`` (default: every variable) of ``orders`` (default 1 and 2), p before z."""
        from .derive import ORDERS, derivatives

        return derivatives(self, tuple(wrt) or self.wrts, tuple(orders) or ORDERS, settings)

    def claim_ids(self) -> list[str]:
        """The ids of the claims about this loss, in order."""
        from .claims import claim_ids  # the claim builders load with the kernel

        return claim_ids(self)

    def prove(self, ids: Sequence[str] | None = None, settings: Settings | None = None) -> list[ClaimResult]:
        """Build and check the claims (all, or those in ``ids``), under ``settings`` (default:
        those in force): :func:`lossproof.claims.prove`."""
        from .claims import prove

        with using(settings):
            return prove(self, ids)

    @property
    def domain_map(self) -> Mapping[Symbol, Interval]:
        """The domain as a mapping from symbol to interval."""
        return dict(self.domain)

    def linked_domain(self) -> Mapping[Symbol, Interval]:
        """The domain with ``p`` replaced by the link's variable."""
        if self.link is None:
            raise InputError(f"loss {self.name!r} has no link, so no derivative in a logit")
        out = {s: i for s, i in self.domain if s != p}
        out[self.link.var] = self.link.var_domain
        return out


_UNIT = Interval(0, 1)
_OPEN_UNIT = Interval.open(0, 1)

def _bce(target: sympy.Expr) -> sympy.Expr:
    return -target * log(p) - (1 - target) * log(1 - p)


#: Parameters of catalog losses: fixed at their usual defaults, so that every claim is
#: about one function; a user's own loss (--loss) may keep any of them symbolic.
w = Symbol("w")
eps = Symbol("epsilon")
gamma = Symbol("gamma")
#: pos_weight w > 0 of PyTorch's BCEWithLogitsLoss, here 3 (a positive class 3x rarer).
POS_WEIGHT = Rational(3)
#: Label smoothing epsilon, here 1/10.
SMOOTHING = Rational(1, 10)
#: Focal loss gamma, 2 as in Lin et al. (2017).
FOCAL_GAMMA = 2

def _catalog_bce() -> Loss:
    return Loss(
        name="bce",
        title="Binary cross-entropy",
        operator="BCE",
        expr=_bce(y),
        domain=((y, _UNIT), (p, _OPEN_UNIT)),
        notes=("y in [0, 1] allows soft targets, as for an autoencoder on normalised images.",),
    )


_DOMAIN = ((y, _UNIT), (p, _OPEN_UNIT))


def _catalog_mse() -> Loss:
    return Loss("mse", "Mean squared error", "MSE", (y - p) ** 2, _DOMAIN)


def _catalog_mae() -> Loss:
    return Loss(
        "mae",
        "Mean absolute error",
        "MAE",
        Abs(y - p),
        _DOMAIN,
        notes=("not differentiable at p = y: derivatives hold for p != y; see subdifferential_mae_p.",),
    )


def _catalog_logcosh() -> Loss:
    return Loss("logcosh", "Log-cosh", "LogCosh", log(cosh(p - y)), _DOMAIN)


def _catalog_bce_pos_weight() -> Loss:
    return Loss(
        "bce_pos_weight",
        "Binary cross-entropy with pos_weight",
        "BCE_w",
        -POS_WEIGHT * y * log(p) - (1 - y) * log(1 - p),
        _DOMAIN,
        notes=(f"pos_weight w = {POS_WEIGHT} on the positive term, as PyTorch's BCEWithLogitsLoss(pos_weight=w).",),
    )


def _catalog_bce_label_smoothing() -> Loss:
    return Loss(
        "bce_label_smoothing",
        "Binary cross-entropy with label smoothing",
        "BCE_ls",
        _bce(y * (1 - SMOOTHING) + SMOOTHING / 2),
        _DOMAIN,
        notes=(f"target y(1 - eps) + eps/2 with eps = {SMOOTHING}.",),
    )


def _catalog_focal() -> Loss:
    return Loss(
        "focal",
        "Focal loss",
        "FL",
        -y * (1 - p) ** FOCAL_GAMMA * log(p) - (1 - y) * p**FOCAL_GAMMA * log(1 - p),
        _DOMAIN,
        notes=(f"gamma = {FOCAL_GAMMA} (Lin et al., 2017); gamma = 0 is BCE.",),
    )


def _catalog_poisson() -> Loss:
    return Loss(
        "poisson",
        "Poisson negative log-likelihood",
        "Poisson",
        p - y * log(p),
        ((y, Interval(0, oo)), (p, Interval.open(0, oo))),
        link=None,
        notes=("rate p > 0, count y >= 0; the constant log(y!) is dropped.",),
    )


class _Catalog(Mapping[str, Loss]):
    """The built-in losses by name, each built the first time it is asked for.

    Building all eight costs a cold ``lossproof prove bce`` 20 ms it does not need
    (SymPy's assumptions on log(cosh(p - y)) alone take half of it). A loss is built
    once: the same object every time, since derivatives and proofs are memoised per loss.

    >>> CATALOG["bce"] is CATALOG["bce"]
    True
    """

    def __init__(self, builders: Mapping[str, Callable[[], Loss]]) -> None:
        self._builders = dict(builders)
        self._built: dict[str, Loss] = {}

    def __getitem__(self, name: str) -> Loss:
        if name not in self._built:
            loss = self._builders[name]()  # KeyError for a name not in the catalog
            assert loss.name == name, f"catalog entry {name!r} builds {loss.name!r}"
            self._built[name] = loss
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


#: Every built-in loss by name, in the order the CLI lists them.
CATALOG: Mapping[str, Loss] = _Catalog(
    {
        "bce": _catalog_bce,
        "mse": _catalog_mse,
        "mae": _catalog_mae,
        "logcosh": _catalog_logcosh,
        "bce_pos_weight": _catalog_bce_pos_weight,
        "bce_label_smoothing": _catalog_bce_label_smoothing,
        "focal": _catalog_focal,
        "poisson": _catalog_poisson,
    }
)


#: Parameters a typed-in loss may use, with the interval each is assumed to lie in.
PARAMETERS: Mapping[str, tuple[Symbol, Interval]] = {
    "w": (w, Interval.open(0, oo)),
    "gamma": (gamma, Interval(0, oo)),
    "epsilon": (eps, Interval.open(0, 1)),
}
#: Links a typed-in loss may use: the sigmoid, or none (the loss is used on p directly).
LINKS: Mapping[str, Link | None] = {"sigmoid": SIGMOID, "identity": None}


def custom_loss(text: str, link: str = "sigmoid") -> Loss:
    """A loss typed by a user, parsed by the whitelist parser (never eval or sympify).

    Args:
        text: an expression in ``y`` and ``p`` (and the parameters of :data:`PARAMETERS`).
        link: ``"sigmoid"`` (claims in the logit z too) or ``"identity"`` (p only).

    Raises:
        InputError: the text is not a loss lossproof accepts; one line says why.

    >>> custom_loss("(p - y)**2").expr
    (p - y)**2
    """
    from .parse import parse_with_conditions  # the parser is only needed for typed-in losses

    if link not in LINKS:
        raise InputError(f"unknown link {link!r}: choose {' or '.join(LINKS)}")
    names = {"y": y, "p": p, **{k: v[0] for k, v in PARAMETERS.items()}}
    expr, conditions = parse_with_conditions(text, names)
    if not expr.has(p):
        raise InputError(f"loss {text!r} does not depend on the prediction p")
    written = expr.free_symbols.union(*(h.expr.free_symbols for h in conditions))
    params = tuple(PARAMETERS[str(s)] for s in sorted(written - {y, p}, key=str))
    return Loss("custom", "Custom loss", "L", expr, ((y, _UNIT), (p, _OPEN_UNIT)) + params, link=LINKS[link], conditions=conditions, user_supplied=True)


def loss_names() -> list[str]:
    """The names of the built-in losses.

    >>> loss_names()[:3]
    ['bce', 'mse', 'mae']
    """
    return list(CATALOG)


def get_loss(name: str) -> Loss:
    """Look a loss up in the catalog by name.

    Raises:
        InputError: the name is not in the catalog; the message lists those that are.
    """
    try:
        return CATALOG[name]
    except KeyError:
        if name in VECTOR_MODELS:  # a loss of a vector of logits: derive, prove and documents only
            raise InputError(f"{name} has K logits: use `lossproof derive|prove|latex|markdown {name} [--classes K]`") from None
        known = ", ".join(CATALOG)
        raise InputError(f"unknown loss {name!r}: known losses are {known}") from None




#: Losses of K logits, by name: each is built for its K by get_model (loaded when asked for).
VECTOR_MODELS: Mapping[str, str] = {"softmax_ce": "lossproof.softmax:SoftmaxCE"}
#: K when none is given.
DEFAULT_CLASSES = 3


def get_model(name: str, *, classes: int | None = None) -> LossModel:
    """The loss model named ``name``: a catalog loss, or a loss of K = ``classes`` logits.

    >>> get_model("softmax_ce").classes
    3

    Raises:
        InputError: an unknown name, or ``classes`` for a loss that has no classes.
    """
    if name in VECTOR_MODELS:
        import importlib

        module, cls = VECTOR_MODELS[name].split(":")
        model: LossModel = getattr(importlib.import_module(module), cls)(DEFAULT_CLASSES if classes is None else classes)
        return model
    loss = get_loss(name)
    if classes is not None:
        raise InputError(f"--classes {classes} applies only to {', '.join(VECTOR_MODELS)}, not to {name!r}")
    return loss
