"""``docs/example.ipynb``: lossproof's API in a Jupyter notebook, written by ``lossproof render``.

The notebook is stored without outputs (they are what running it prints, and the tests
run it with nbclient); its cells are the list below, so that it is generated like every
other file in ``docs/`` and ``render --check`` keeps it current. In a notebook a
derivative, a claim's result and a comparison show as rendered math and tables through
their ``_repr_latex_`` and ``_repr_markdown_`` methods, which call the renderers of
:mod:`lossproof.render`.

>>> import json
>>> cells = json.loads(example_notebook())["cells"]
>>> cells[1]["cell_type"], cells[1]["source"][0]
('code', 'from lossproof import derive, get_loss, prove\\n')
"""

from __future__ import annotations

import json

__all__ = ["NOTEBOOK", "CELLS", "example_notebook"]

#: Where the notebook goes, relative to the repository's root.
NOTEBOOK = "docs/example.ipynb"

#: (kind, source) of each cell, in order.
CELLS: tuple[tuple[str, str], ...] = (
    (
        "markdown",
        "# lossproof in a notebook\n"
        "\n"
        "*Written by `lossproof render`; do not edit.* A derivative, a claim's result and a comparison "
        "display as rendered math and tables. Every value below is computed and checked when the cell runs.",
    ),
    ("code", "from lossproof import derive, get_loss, prove\nfrom lossproof.compare import compare"),
    ("markdown", "The gradient of binary cross-entropy in the logit, in canonical form (checked equal to SymPy's derivative):"),
    ("code", 'bce = get_loss("bce")\nderive(bce, "z", 1)'),
    ("markdown", "A claim about it, proved by two engines that share no code, with its parts:"),
    ("code", 'prove(bce, ["strictConvexOn_bce_z"])[0]'),
    ("markdown", "BCE beside MSE: every cell is read off a checked claim."),
    ("code", 'compare([bce, get_loss("mse")])'),
)


def _lines(source: str) -> list[str]:
    # The notebook format stores a cell's source as lines that keep their newlines.
    return source.splitlines(keepends=True)


def example_notebook() -> str:
    """The notebook as nbformat 4 JSON, without outputs or execution counts (deterministic)."""
    cells = []
    for number, (kind, source) in enumerate(CELLS, 1):
        # nbformat 4.5 wants an id per cell; a fixed one keeps the file the same every time.
        cell: dict[str, object] = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": _lines(source)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
