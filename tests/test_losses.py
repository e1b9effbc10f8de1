"""lossproof.losses: the catalog, typed-in losses, and the loss in p or in its logit."""

from __future__ import annotations

import pytest
import sympy
from sympy import Interval, oo

from lossproof.errors import InputError
from lossproof.losses import CATALOG, LINKS, custom_loss, get_loss, loss_names, p, y, z
from lossproof.sigmoid import sigmoid


def test_every_catalog_loss_names_its_domain_and_operator() -> None:
    for name, loss in CATALOG.items():
        assert loss.name == name and loss.operator and loss.title
        assert y in loss.domain_map and p in loss.domain_map
        assert loss.expr.free_symbols <= set(loss.domain_map)


def test_in_var_applies_the_link_and_carries_the_conditions() -> None:
    bce = get_loss("bce")
    in_p, in_z = bce.in_var("p"), bce.in_var("z")
    assert in_p.function == bce.expr and in_p.vars == (p,)
    assert in_z.function == bce.expr.subs(p, sigmoid(z)) and in_z.vars == (z,)
    assert in_z.domain[z] == Interval(-oo, oo)
    with pytest.raises(InputError, match="choose p or z"):
        bce.in_var("q")


def test_a_loss_without_a_link_has_no_logit() -> None:
    poisson = get_loss("poisson")
    assert poisson.link is None
    with pytest.raises(InputError):
        poisson.in_var("z")


def test_unknown_names_are_one_clear_error() -> None:
    with pytest.raises(InputError, match="unknown loss 'hinge': known losses are " + ", ".join(loss_names())):
        get_loss("hinge")


def test_typed_in_losses_are_parsed_never_evaluated() -> None:
    loss = custom_loss("(p - y)**2")
    assert loss.expr == (p - y) ** 2 and loss.user_supplied and loss.link is LINKS["sigmoid"]
    for text in ("__import__('os')", "p.__class__", "lambda: 1", "exec('1')"):
        with pytest.raises(InputError):
            custom_loss(text)


def test_definedness_conditions_are_recorded_before_simplification() -> None:
    # sqrt(p - 1/2)**2 folds to p - 1/2; the condition p - 1/2 > 0 survives the folding.
    loss = custom_loss("sqrt(p - 1/2)**2")
    assert any(sympy.simplify(h.expr - (p - sympy.Rational(1, 2))) == 0 and h.rel == ">" for h in loss.conditions)
