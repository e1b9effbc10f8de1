"""lossproof: derive, prove and typeset facts about machine-learning loss functions.

>>> from lossproof import get_loss, derive, prove
>>> derive(get_loss("bce"), "p", 1).canonical
(p - y)/(p*(1 - p))
>>> [r.status for r in prove(get_loss("mse"), ["strictConvexOn_mse_z"], workers=1)]
['refuted', 'refuted']
"""

import sys as _sys
import types as _types

# Every name loads on first use (PEP 562): `import lossproof` imports no SymPy, so that
# the `lossproof` program installs its Ctrl-C handling before any heavy import
# (lossproof.start), and a cold command pays only for what it uses.
_LAZY = {
    "ORDERS": "derive",
    "WRT": "derive",
    "Derivative": "derive",
    "canonical_form": "derive",
    "derivatives": "derive",
    "derive": "derive",
    "CertificateError": "errors",
    "IdentityError": "errors",
    "InputError": "errors",
    "LossproofError": "errors",
    "IdentityCheck": "identity",
    "check_identity": "identity",
    "CATALOG": "losses",
    "SIGMOID": "losses",
    "Link": "losses",
    "Loss": "losses",
    "get_loss": "losses",
    "get_model": "losses",
    "loss_names": "losses",
    "custom_loss": "losses",
    "LossModel": "model",
    "Settings": "settings",
    "sigmoid": "sigmoid",
    "Claim": "proof",
    "ClaimResult": "proof",
    "check_claim": "proof",
    "prove": "claims",
    "claims_for": "claims",
    "claim_ids": "claims",
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


class _Facade(_types.ModuleType):
    """The package, whose names are the facade's even where a submodule has the same name.

    Importing the submodule ``lossproof.derive`` makes the import system set the
    package's attribute ``derive`` to that module; the facade's ``derive`` is the
    function, so a submodule never takes a facade name (it stays in ``sys.modules``).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _LAZY and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Facade

__all__ = sorted(_LAZY)
__version__ = "0.1.0"
