"""JSON: the objects of ``--format json`` (see the README's contracts). Formats only.

>>> from lossproof.losses import get_loss
>>> from lossproof.derive import derive
>>> derivatives_json(get_loss("bce"), [derive(get_loss("bce"), "z", 1)])["derivatives"][0]["expr"]
'sigmoid(z) - y'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any


from ..certificate import interval_cost, step_to_dict
from ..derive import Derived
from ..kernel import ClaimResult
from ..losses import Loss
from ..notation import to_latex, to_text
from ..statement import claim_statement, part_statement
from .visitor import Renderer

if TYPE_CHECKING:
    from ..compare import Row
    from ..softmax import SoftmaxCE, SoftmaxDerivatives

__all__ = ["derivatives_json", "claims_json", "table_json", "softmax_json", "JsonRenderer", "JSON"]


def derivatives_json(loss: Loss, derivs: Sequence[Derived]) -> dict[str, Any]:
    """The JSON object of ``lossproof derive --format json`` (see the README's contract)."""
    return {
        "loss": loss.name,
        "expression": to_text(loss.expr),
        "derivatives": derivatives_json_items(derivs),
    }


def derivatives_json_items(derivs: Sequence[Derived]) -> list[dict[str, Any]]:
    """The ``derivatives`` list of :func:`derivatives_json`: one object per derivative."""
    return [
        {"wrt": d.wrt, "order": d.order, "expr": to_text(d.canonical), "latex": to_latex(d.canonical)}
        | ({"undefined_where": [f"{to_text(u)} = 0" for u in d.undefined_where]} if d.undefined_where else {})
        for d in derivs
    ]


def claims_json(loss_name: str, results: Sequence[ClaimResult]) -> dict[str, Any]:
    """The JSON object of ``lossproof prove --format json`` (see the README's contract)."""
    claims = []
    for r in results:
        steps = []
        for i, (part, step_results) in enumerate(r.by_part(), 1):
            for sr in step_results:
                steps.append({"part": i, "part_statement": part_statement(part), "part_rule": part.rule, **step_to_dict(sr.step), "status": sr.status, "engines": dict(sr.engines), "counterexample": sr.counterexample, "reason": sr.reason})
        claims.append(
            {
                "id": r.claim.id,
                "statement": claim_statement(r.claim),
                "status": r.status,
                "engines": dict(r.engines),
                "counterexample": r.counterexample,
                "problems": list(r.problems),
                "steps": steps,
                "interval": _cost(r),
            }
        )
    return {"loss": loss_name, "claims": claims}


def _cost(r: ClaimResult) -> dict[str, Any] | None:
    """Boxes and seconds the interval engine spent on the claim; None where it decided nothing."""
    cost = interval_cost(r)
    return None if cost is None else {"boxes": cost[0], "seconds": round(cost[1], 3)}


def table_json(rows: Sequence[Row]) -> dict[str, Any]:
    """``{"columns": [...], "rows": [{"loss", "cells": {KEY: {"text", "latex", "claim", "status"}}}]}``."""
    from ..compare import COLUMNS  # here, not above: a claim's display should not load the comparison
    return {
        "columns": [{"key": c.key, "title": c.title} for c in COLUMNS],
        "rows": [
            {"loss": r.loss.name, "cells": {k: {"text": v.text, "latex": v.latex, "claim": v.claim, "status": v.status} for k, v in r.cells.items()}}
            for r in rows
        ],
    }


def softmax_json(loss: SoftmaxCE, derivs: SoftmaxDerivatives) -> dict[str, Any]:
    """The JSON object of ``lossproof derive softmax_ce --format json``.

    ``hessian_pattern`` is H = diag(s) - s s^T for every K; the K^2 entries in z only
    where the model prints the matrix (a small K).
    """
    data: dict[str, Any] = {
        "loss": loss.name,
        "classes": loss.classes,
        "expression": to_text(loss.expr),
        "gradient": [to_text(g) for g in derivs.gradient],
        "hessian_pattern": {"diagonal": to_text(derivs.hessian.diagonal), "off_diagonal": to_text(derivs.hessian.off_diagonal), "s": "softmax(z)"},
    }
    if derivs.matrix_printed:
        hessian = loss.hessian()
        data["hessian"] = [[to_text(hessian[i, j]) for j in range(loss.classes)] for i in range(loss.classes)]
    return data


class JsonRenderer(Renderer):
    """Results as JSON-ready dicts: a derivative, a claim's result, a comparison."""

    def render_Derived(self, d: Derived) -> dict[str, Any]:  # noqa: N802 - named after the class
        return derivatives_json_items([d])[0]

    def render_ClaimResult(self, r: ClaimResult) -> dict[str, Any]:  # noqa: N802
        return claims_json(r.claim.name, [r])["claims"][0]

    def render_Comparison(self, rows: Sequence[Row]) -> dict[str, Any]:  # noqa: N802
        return table_json(rows)


#: The one JSON renderer.
JSON = JsonRenderer()
