r"""The loss model: what every loss offers the rest of lossproof, whatever its shape.

A scalar catalog loss (:class:`~lossproof.losses.Loss`), a loss typed in with ``--loss``
(also a ``Loss``) and softmax cross-entropy over K logits
(:class:`~lossproof.softmax.SoftmaxCE`) all implement :class:`LossModel`, so that the
command line and the documents ask a model, never which loss it is.

>>> from lossproof.losses import get_model
>>> bce = get_model("bce")
>>> isinstance(bce, LossModel), bce.in_var("z").var, bce.user_supplied
(True, z, False)
>>> get_model("softmax_ce", classes=4).in_var("z").vars[-1]
z4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import sympy
from sympy import Interval, Symbol

__all__ = ["InVar", "LossModel"]


@dataclass(frozen=True)
class InVar:
    """The loss as a function of one variable (p, or the logit z) or of K logits.

    Attributes:
        function: the loss in that variable (the link applied for z).
        vars: the variable, or the K logits of a vector loss.
        domain: every free symbol's interval (the targets', the parameters', the variable's).
        conditions: where the loss as typed is defined (kernel ``Assumption`` values).
    """

    function: sympy.Expr
    vars: tuple[Symbol, ...]
    domain: Mapping[Symbol, Interval]
    conditions: tuple[Any, ...] = ()

    @property
    def var(self) -> Symbol:
        """The one variable of a scalar loss."""
        if len(self.vars) != 1:
            raise ValueError(f"a loss of {len(self.vars)} variables has no single variable")
        return self.vars[0]


@runtime_checkable
class LossModel(Protocol):
    """What every loss model offers; nothing downstream asks which loss it is.

    Attributes:
        name: identifier used by the CLI, claim ids and file names.
        title: human name.
        user_supplied: typed in by a user, so SymPy may work on it without end: the
            steps that take user input run under ``Settings.user_limit_seconds``.
        wrts: the variables it is differentiated in, ``("p", "z")`` for a linked loss.
    """

    name: str
    title: str

    @property
    def user_supplied(self) -> bool: ...

    @property
    def wrts(self) -> tuple[str, ...]: ...

    def in_var(self, wrt: str) -> InVar:
        """The function, variables and domain for ``wrt`` ("p" or "z")."""
        ...

    def derivatives(self, wrt: Sequence[str] = (), orders: Sequence[int] = ()) -> Any:
        """Its derivatives (all, or in ``wrt`` of ``orders``), each checked when derived."""
        ...

    def claim_ids(self) -> list[str]:
        """The ids of the claims lossproof makes about it, in order."""
        ...

    def prove(self, ids: Sequence[str] | None = None, settings: Any = None) -> list[Any]:
        """Build and check its claims (all, or those in ``ids``) under ``settings``
        (a :class:`~lossproof.settings.Settings`; default: those in force): ``ClaimResult`` values."""
        ...
