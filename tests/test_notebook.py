"""Jupyter: results display as math and tables, and docs/example.ipynb runs as committed."""

from __future__ import annotations

import json
from pathlib import Path


from lossproof.compare import compare
from lossproof.derive import derive
from lossproof.losses import get_loss
from lossproof.render.notebook import NOTEBOOK, example_notebook
from lossproof.claims import prove

from .conftest import require

ROOT = Path(__file__).resolve().parent.parent
BCE = get_loss("bce")


def test_a_derivative_shows_as_math() -> None:
    d = derive(BCE, "z", 1)
    assert d._repr_latex_() == r"$\displaystyle \frac{\partial \operatorname{BCE}}{\partial z} = \sigma(z) - y$"
    assert d._repr_markdown_() == r"$$\frac{\partial \operatorname{BCE}}{\partial z} = \sigma(z) - y$$"


def test_a_typed_in_loss_s_derivative_is_named_l() -> None:
    from lossproof.losses import custom_loss

    d = derive(custom_loss("(y - p)**2", "identity"), "p", 1)
    # As `lossproof derive --loss EXPR --format latex` names it.
    assert d._repr_latex_() == r"$\displaystyle \frac{\partial \operatorname{L}}{\partial p} = 2 p - 2 y$"


def test_a_claim_result_shows_its_verdict_and_statement() -> None:
    r = prove(BCE, ["strictConvexOn_bce_z"])[0]
    tex = r._repr_latex_()
    # Inline math only: MathJax, which a notebook uses, has no \paragraph or \texttt.
    assert tex.startswith(r"$\mathtt{strictConvexOn\_bce\_z}$: proved (sympy: proved, z3: proved")
    assert r"\paragraph" not in tex and r"\texttt" not in tex
    md = r._repr_markdown_()
    assert md.startswith("### `strictConvexOn_bce_z`: proved\n")
    assert r"is strictly convex in $z$ on $\mathbb{R}$" in md


def test_a_comparison_shows_as_a_table() -> None:
    rows = compare([BCE])
    assert isinstance(rows, list)  # still the list of rows it always was
    tex = rows._repr_latex_()
    assert tex.startswith("$$\\begin{array}{llllllll}\n\\text{loss} & ")
    assert r"\text{bce} & \frac{p - y}{p (1 - p)} & \sigma(z) - y & p = y & H(y)" in tex
    md = rows._repr_markdown_()
    assert md.splitlines()[2].startswith(r"| bce | $\frac{p - y}{p (1 - p)}$ ✓ |")
    assert "](proofs/" not in md  # a notebook need not sit beside the certificates


def test_the_committed_notebook_is_what_render_writes() -> None:
    assert (ROOT / NOTEBOOK).read_text(encoding="utf-8") == example_notebook()


def test_the_example_notebook_runs_and_shows_math() -> None:
    require("nbclient")
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.reads(example_notebook(), as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    shown = [
        output["data"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("output_type") == "execute_result"
    ]
    assert [sorted(k for k in data if k != "text/plain") for data in shown] == [["text/latex", "text/markdown"]] * 3
    derivative, claim, table = shown
    assert derivative["text/latex"] == derive(BCE, "z", 1)._repr_latex_()
    assert claim["text/markdown"].startswith("### `strictConvexOn_bce_z`: proved")
    assert "| mse |" in table["text/markdown"]
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.get("output_type") == "error"]
    assert not errors, json.dumps(errors)[:500]


def test_the_readme_shows_what_a_notebook_receives() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In a notebook\n", 1)[1].split("\n## ", 1)[0]
    latex = section.split("```latex\n", 1)[1].split("\n```", 1)[0]
    claim, table = [block.split("\n```", 1)[0] for block in section.split("```markdown\n")[1:]]
    assert latex == derive(BCE, "z", 1)._repr_latex_()
    assert claim + "\n" == prove(BCE, ["strictConvexOn_bce_z"])[0]._repr_markdown_()
    assert table == compare([BCE, get_loss("mse")])._repr_markdown_()
    # The cells it shows are the notebook's.
    code = "\n".join(block.split("\n```", 1)[0] for block in section.split("```python\n")[1:])
    assert 'derive(bce, "z", 1)' in code and "from lossproof.compare import compare" in code
    assert all(line in example_notebook() for line in ('bce = get_loss(\\"bce\\")', 'prove(bce, [\\"strictConvexOn_bce_z\\"])[0]'))
