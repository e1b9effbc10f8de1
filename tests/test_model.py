"""One model protocol: scalar, typed-in and softmax losses answer the same questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sympy import Interval, Symbol, oo

from lossproof.errors import InputError
from lossproof.losses import custom_loss, get_loss, get_model
from lossproof.model import InVar, LossModel
from lossproof.softmax import SoftmaxCE

SRC = Path(__file__).resolve().parent.parent / "src" / "lossproof"


@pytest.mark.parametrize("model", [get_loss("bce"), get_loss("poisson"), custom_loss("(p - y)**2", "identity"), SoftmaxCE(3)], ids=str)
def test_every_loss_is_a_model(model: LossModel) -> None:
    assert isinstance(model, LossModel)
    assert model.claim_ids() and all(model.name in cid or "kl_bernoulli" in cid for cid in model.claim_ids())
    for wrt in model.wrts:
        form = model.in_var(wrt)
        assert isinstance(form, InVar)
        assert form.function.free_symbols <= set(form.domain), "every variable of the function has its interval"
        assert set(form.vars) <= set(form.domain)


def test_in_var_is_the_one_place_p_or_z_is_chosen() -> None:
    bce = get_loss("bce")
    z, y = Symbol("z"), Symbol("y")
    assert bce.in_var("z").var == z and bce.in_var("z").domain == {y: Interval(0, 1), z: Interval(-oo, oo)}
    with pytest.raises(InputError, match="no link"):
        get_loss("poisson").in_var("z")
    with pytest.raises(InputError, match="choose p or z"):
        bce.in_var("q")
    with pytest.raises(InputError, match="K logits z"):
        SoftmaxCE(3).in_var("p")
    with pytest.raises(ValueError, match="no single variable"):
        _ = SoftmaxCE(3).in_var("z").var


def test_typed_in_losses_are_user_supplied_by_a_property_not_a_name() -> None:
    assert custom_loss("p*y").user_supplied and not get_loss("bce").user_supplied and not SoftmaxCE(2).user_supplied


def test_get_model_resolves_every_shape() -> None:
    assert get_model("mse") is get_loss("mse")
    assert get_model("softmax_ce", classes=5) == SoftmaxCE(5)
    with pytest.raises(InputError, match="--classes 4 applies only to softmax_ce, not to 'mse'"):
        get_model("mse", classes=4)


def test_the_cli_and_claims_do_not_branch_on_a_loss_name() -> None:
    cli, claims = (SRC / "cli.py").read_text(), (SRC / "claims.py").read_text()
    for text in (cli, claims):
        assert 'name == "custom"' not in text and '!= "custom"' not in text
    assert "_softmax_requested" not in cli and '"softmax_ce"' not in cli
