"""The one root exception of lossproof and its few kinds.

Every failure that lossproof reports on purpose is a :class:`LossproofError`;
the CLI turns :class:`InputError` into one line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = ["LossproofError", "InputError", "IdentityError", "CertificateError"]


class LossproofError(Exception):
    """Root of every error lossproof raises on purpose."""


class InputError(LossproofError, ValueError):
    """Bad input from a user: an unknown name, a malformed expression or option.

    The message is one line that names the offending value and what is wrong.
    """


class IdentityError(LossproofError):
    """An identity that lossproof relies on did not check (a bug, never user input)."""


class CertificateError(LossproofError):
    """A certificate file is malformed or does not re-check."""
