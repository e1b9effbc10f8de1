"""Output: every format lossproof writes, one module per format, formatting only.

- :mod:`~lossproof.render.text`: the terminal (reports, claims with their steps, the
  comparison table fitted to the terminal's width);
- :mod:`~lossproof.render.json`: the objects of ``--format json``;
- :mod:`~lossproof.render.latex`: math, claims, tables and whole articles;
- :mod:`~lossproof.render.markdown`: the same for GitHub;
- :mod:`~lossproof.render.visitor`: the one visitor they share (``render_<Class>``);
- :mod:`~lossproof.render.files`: ``lossproof render [--check]``, the generated files.

The package is named after the layer (the design's ``render/``) and the command that
writes its output; the statements of claims, one printer per format, stay in
:mod:`lossproof.statement`, from which ``lossproof check`` regenerates a certificate's.
Nothing here proves: each function takes results computed elsewhere, except that the
documents ask :mod:`lossproof.derivation` for their step-by-step chains (cached per
process) and the softmax documents read its Hessian in ``s`` (which belongs with the
softmax model). Names load on first use, so that a command pays only for the formats
it writes.

>>> from lossproof.render import interval_text
>>> from sympy import Interval
>>> interval_text(Interval(0, 1))
'[0, 1]'
"""

from __future__ import annotations

import importlib

#: Public name -> the module of this package that defines it.
_NAMES = {
    "interval_text": "text",
    "loss_header": "text",
    "derivatives_text": "text",
    "claim_summary_line": "text",
    "claims_text": "text",
    "table_text": "text",
    "text_width": "text",
    "softmax_text": "text",
    "TEXT": "text",
    "derivatives_json": "json",
    "claims_json": "json",
    "table_json": "json",
    "softmax_json": "json",
    "JSON": "json",
    "derivatives_latex": "latex",
    "equation_label": "latex",
    "claims_latex": "latex",
    "table_latex": "latex",
    "standalone_latex": "latex",
    "derivations_latex": "latex",
    "softmax_latex": "latex",
    "softmax_gradient_latex": "latex",
    "LATEX": "latex",
    "softmax_markdown": "markdown",
    "table_markdown": "markdown",
    "MARKDOWN": "markdown",
    "Renderer": "visitor",
}


def __getattr__(name: str) -> object:
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_NAMES)
