"""The paper "Why binary cross-entropy?": built from checked results only, and it compiles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lossproof.cli import main
from lossproof.losses import get_loss
from lossproof.paper import TITLE, paper_latex, paper_losses
from lossproof.plot import matplotlib_missing

from .latex import WRONG_GLYPHS, compile_text, require_tools

ROOT = Path(__file__).resolve().parent.parent
MSE = get_loss("mse")


@pytest.fixture(scope="module")
def article() -> str:
    # BCE beside MSE: the two losses of the seed question, quick to prove.
    return paper_latex([MSE], figure="figure.pdf")


def test_bce_comes_first_and_each_loss_once() -> None:
    assert [loss.name for loss in paper_losses([MSE, get_loss("bce"), MSE])] == ["bce", "mse"]


def test_the_article_has_the_table_the_figure_and_a_proof_behind_every_cell(article: str) -> None:
    assert rf"\title{{{TITLE}}}" in article
    assert r"\includegraphics[width=\linewidth]{figure.pdf}" in article
    assert r"\label{tab:compare}" in article
    cited = {line.split(r"\ref{claim:")[1].split("}")[0] for line in article.splitlines() if r"\ref{claim:" in line}
    labelled = {line.split(r"\label{claim:")[1].split("}")[0] for line in article.splitlines() if r"\label{claim:" in line}
    assert cited <= labelled  # every cited claim is stated, with its proof, in the article
    assert {"strictConvexOn_bce_z", "convexOn_mse_z", "tendsto_deriv_mse_z_of_confidently_wrong"} <= labelled


def test_the_answer_is_read_off_the_verdicts(article: str) -> None:
    # MSE's convexity in the logit is refuted with a counterexample; BCE's is proved.
    assert r"no: $y = 0$, $a = 0$, $b = 2$, $t = \frac{1}{2}$" in article  # the chord below MSE in z
    assert r"\begin{claim}[\texttt{convexOn\_\allowbreak{}mse\_\allowbreak{}z}]" in article
    assert r"\begin{theorem}[\texttt{strictConvexOn\_\allowbreak{}bce\_\allowbreak{}z}]" in article
    assert r"only $\operatorname{BCE}$ is proved both convex in the logit and free of saturation" in article


def test_an_unproved_verdict_is_never_stated_as_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were BCE's convexity in z not proved, the article would say it is open, not conclude."""
    import lossproof.paper as paper

    real = paper.compare

    def weakened(losses, proved=None):
        rows = real(losses, proved)
        cell = rows[0].cells["convex_z"]
        rows[0].cells["convex_z"] = replace(cell, status="unknown")
        return rows

    monkeypatch.setattr(paper, "compare", weakened)
    text = paper.paper_latex([MSE])
    assert "proved both convex in the logit" not in text
    assert r"For $\operatorname{BCE}$ the question is open here" in text
    assert r"\includegraphics" not in text  # no figure file given: left out, and it says so


def test_paper_command_writes_the_article_and_its_figure(tmp_path: Path) -> None:
    out = tmp_path / "why.tex"
    assert main(["paper", "mse", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert TITLE in text
    if matplotlib_missing():
        assert r"\includegraphics" not in text
    else:
        assert r"\includegraphics[width=\linewidth]{why-figure.pdf}" in text
        assert (tmp_path / "why-figure.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["paper", "hinge"], "unknown loss 'hinge'"),
        (["paper", "softmax_ce"], "softmax_ce has K logits"),
        (["paper", "mse", "-o", "/nonexistent/folder/why.tex"], "does not exist"),
    ],
)
def test_paper_bad_input_is_one_line_and_status_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_committed_paper_compiles_with_its_figure_and_table(tmp_path: Path) -> None:
    require_tools()
    tex = ROOT / "docs" / "why-bce.tex"
    assert (ROOT / "docs" / "compare.pdf").is_file()  # the figure it includes, beside it
    text = compile_text(tex, tmp_path, passes=2)
    assert TITLE in text
    assert "Figure 1:" in text and "Table 1:" in text
    assert not any(glyph in text for glyph in WRONG_GLYPHS)
    assert "??" not in text  # every claim a cell cites is in the article
