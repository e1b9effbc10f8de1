"""The command line: output formats, the JSON contract and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy

from lossproof import derive, get_loss
from lossproof.cli import main
from lossproof.sigmoid import sigmoid


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract_reads_back_with_sympify(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["derive", "bce", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["loss"] == "bce"
    assert set(data) == {"loss", "expression", "derivatives"}
    bce = get_loss("bce")
    names = {"sigmoid": sigmoid}
    assert sympy.sympify(data["expression"], locals=names) == bce.expr
    got = {(d["wrt"], d["order"]) for d in data["derivatives"]}
    assert got == {("p", 1), ("p", 2), ("z", 1), ("z", 2)}
    for d in data["derivatives"]:
        assert set(d) == {"wrt", "order", "expr", "latex"}
        # The contract: text that sympify reads back to the derived expression.
        back = sympy.sympify(d["expr"], locals=names)
        assert sympy.simplify(back - derive(bce, d["wrt"], d["order"]).canonical) == 0


def test_filters_select_one_derivative(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["derive", "--wrt", "z", "--order", "2", "--format", "json"], capsys)
    assert code == 0
    assert [(d["wrt"], d["order"]) for d in json.loads(out)["derivatives"]] == [("z", 2)]


def test_latex_is_an_align_snippet(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["derive", "--format", "latex", "--wrt", "p", "--order", "1"], capsys)
    assert code == 0
    assert out == (
        "\\begin{align}\n"
        "  \\frac{\\partial \\operatorname{BCE}}{\\partial p} &= \\frac{p - y}{p (1 - p)}"
        " \\label{eq:bce-dp}\n"
        "\\end{align}\n"
    )


def test_main_job_reports_the_four_derivatives(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--ascii"], capsys)
    assert code == 0
    assert "Binary cross-entropy (bce)" in out
    for label in ("dBCE/dp", "d2BCE/dp2", "dBCE/dz", "d2BCE/dz2"):
        assert label in out
    assert "dBCE/dz = sigmoid(z) - y" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["derive", "hinge"], "unknown loss 'hinge': known losses are bce"),
        (["derive", "--order", "3"], "invalid choice: 3"),
        (["derive", "--wrt", "q"], "invalid choice: 'q'"),
        (["derive", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["--nonsense"], "unrecognized arguments: --nonsense"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_console_script_exit_status() -> None:
    # The installed entry point, as a user runs it: argparse errors exit 2 too.
    proc = subprocess.run(
        [sys.executable, "-m", "lossproof", "derive", "--order", "7"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "invalid choice: 7" in proc.stderr


def test_prove_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["prove", "bce", "--claim", "strictConvexOn_bce_z", "--claim", "min_value_bce", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["loss"] == "bce"
    assert [c["id"] for c in data["claims"]] == ["strictConvexOn_bce_z", "min_value_bce"]
    for claim in data["claims"]:
        assert {"id", "statement", "status", "engines", "counterexample", "steps"} <= set(claim)
        assert claim["status"] == "proved"
        assert claim["engines"]["sympy"] == "proved" and claim["engines"]["z3"] == "proved"
        assert claim["counterexample"] is None
        assert claim["steps"] and all(s["status"] == "proved" for s in claim["steps"])


def test_prove_text_and_latex(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--ascii", "prove", "--claim", "isMinOn_bce_p"], capsys)
    assert code == 0
    assert out.startswith("+ isMinOn_bce_p")
    assert "p = y is the unique minimiser of -y*log(p) - (1 - y)*log(1 - p) over p in (0, 1), for y in (0, 1)" in out
    code, out, _ = run(["prove", "--claim", "isMinOn_bce_p", "--format", "latex"], capsys)
    assert code == 0 and out.startswith(r"\paragraph{\texttt{isMinOn\_bce\_p}} \emph{proved}")


def test_prove_unknown_claim_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["prove", "--claim", "isMinOn_mse_p"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unknown claim 'isMinOn_mse_p' for bce" in err


def test_check_of_a_missing_path_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "no/such/file.json"], capsys)
    assert code == 2 and "'no/such/file.json' is neither a file nor a folder" in err
