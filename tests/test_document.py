"""Documents: step-by-step derivations, LaTeX that parses back and compiles, Markdown."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

from lossproof.derivation import derivation, stationary, value_of
from lossproof.derive import derive
from lossproof.render.latex import derivations_latex, standalone_latex
from lossproof.render.markdown import markdown
from lossproof.claims import prove
from lossproof.errors import IdentityError
from lossproof.losses import get_loss, p, y, z
from lossproof.notation import latex_text, to_latex
from lossproof.sigmoid import sigmoid

from .latex import WRONG_GLYPHS, compile_text, require_tools

BCE = get_loss("bce")
CASES = [("p", 1), ("p", 2), ("z", 1), ("z", 2)]


@pytest.mark.parametrize(("wrt", "order"), CASES)
def test_the_last_step_is_sympys_derivative(wrt: str, order: int) -> None:
    chain = derivation(BCE, wrt, order)
    var = p if wrt == "p" else z
    expr = BCE.expr if wrt == "p" else BCE.link.apply(BCE.expr)
    last = value_of(chain.steps[-1].expr)
    assert sympy.simplify((last - sympy.diff(expr, var, order)).rewrite(sympy.exp)) == 0
    assert last == derive(BCE, wrt, order).canonical


def test_the_first_derivative_reads_like_a_textbook() -> None:
    rules = [s.rule for s in derivation(BCE, "p", 1).steps]
    assert rules == ["sum rule, constant factor", "derivative of log, chain rule", "simplify", "common denominator", "expand", "cancel"]
    lines = [to_latex(s.expr, as_written=True) for s in derivation(BCE, "p", 1).steps]
    assert lines[2] == r"- \frac{y}{p} + \frac{1 - y}{1 - p}"
    assert lines[4] == r"\frac{- y + p y + p - p y}{p (1 - p)}"


def test_the_stationary_point_chain_ends_in_p_equals_y() -> None:
    chain = stationary(BCE)
    assert [s.rule for s in chain.steps] == ["multiply by $p (1 - p) > 0$", "expand", "collect", "solve"]
    assert chain.steps[-1].expr == sympy.Eq(p, y)
    assert to_latex(chain.steps[0].expr, as_written=True) == r"- y (1 - p) + (1 - y) p"


def test_a_wrong_step_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("lossproof.derivation")
    original = module._rule_derivative

    def wrong(f, var):  # the derivative of log(1 - p) without the chain rule's -1
        d, rule = original(f, var)
        return (sympy.Pow(f.args[0], -1) if isinstance(f, sympy.log) else d), rule

    monkeypatch.setattr(module, "_rule_derivative", wrong)
    module.derivation.cache_clear()
    try:
        with pytest.raises(IdentityError, match="derivative of log"):
            module.derivation(BCE, "p", 1)
    finally:
        module.derivation.cache_clear()


# ---- every math fragment parses back (SymPy's lark LaTeX parser), where the parser can


def _fragments() -> list[tuple[str, sympy.Expr]]:
    out = [(to_latex(derive(BCE, w, o).canonical), derive(BCE, w, o).canonical) for w, o in CASES]
    for w, o in CASES:
        out += [(to_latex(s.expr, as_written=True), value_of(s.expr)) for s in derivation(BCE, w, o).steps]
    out += [(to_latex(s.expr, as_written=True), value_of(s.expr)) for s in stationary(BCE).steps[:-1]]
    return out


def _readings(tex: str) -> list[sympy.Expr]:
    from lark import Tree
    from sympy.parsing.latex import parse_latex

    parsed = parse_latex(tex, backend="lark")
    # LaTeX is ambiguous ("p (1 - p)" may be a call); the parser returns every reading.
    return [a for a in (parsed.children if isinstance(parsed, Tree) else [parsed]) if isinstance(a, sympy.Expr)]


S = sympy.Symbol("s")


def test_fragments_parse_back_to_their_source() -> None:
    pytest.importorskip("lark")
    read, unsupported = 0, []
    for tex, source in _fragments():
        if r"\frac{d}{d" in tex:  # lark has no derivative operator: not a construct it supports
            unsupported.append(tex)
            continue
        # sigma(z) is a name lossproof gives; to the parser it is a plain symbol.
        plain, expected = tex.replace(r"\sigma(z)", "s"), source.xreplace({sigmoid(z): S})
        try:
            readings = _readings(plain)
        except Exception:  # noqa: BLE001 - the parser's own errors: a construct it lacks
            unsupported.append(tex)
            continue
        assert any(sympy.simplify(r - expected) == 0 for r in readings), f"{tex} read as {readings}, not {expected}"
        read += 1
    # The canonical forms and most lines are read; the rest are constructs the parser lacks.
    assert read >= 12, (read, unsupported)


@pytest.mark.xfail(strict=True, reason=r"lark's grammar reads \log greedily: '\log(p) - x' as log(p - x)")
def test_the_loss_itself_parses_back() -> None:
    pytest.importorskip("lark")
    assert any(sympy.simplify(r - BCE.expr) == 0 for r in _readings(to_latex(BCE.expr)))


# ---- the documents


def test_snippets_are_align_environments_with_labels_and_rules() -> None:
    text = derivations_latex(BCE)
    assert text.count(r"\begin{align}") == 5 == text.count(r"\end{align}")
    for label in ("eq:bce-dp", "eq:bce-d2p", "eq:bce-dz", "eq:bce-d2z", "eq:bce-stationary"):
        assert rf"\label{{{label}}}" in text
    assert r"&& \text{common denominator}" in text


@pytest.fixture(scope="module")
def results():
    return prove(BCE, workers=1)


def test_standalone_uses_only_the_allowed_packages(results) -> None:
    text = standalone_latex(BCE, results)
    packages = {line for line in text.splitlines() if line.startswith(r"\usepackage")}
    assert packages == {r"\usepackage{amsmath,amssymb,amsthm}"}
    assert text.count(r"\begin{theorem}") == 8


def _softmax_document() -> str:
    from lossproof.render.latex import softmax_latex
    from lossproof.softmax import SoftmaxCE, prove_softmax

    return softmax_latex(SoftmaxCE(3), prove_softmax(3))


@pytest.mark.needs("pdflatex")
@pytest.mark.parametrize("which", ["bce", "softmax_ce"])
def test_standalone_compiles_with_pdflatex(results, tmp_path: Path, which: str) -> None:
    text = standalone_latex(BCE, results) if which == "bce" else _softmax_document()
    (tmp_path / "bce.tex").write_text(text, encoding="utf-8")
    for _ in range(2):  # twice, so that references settle
        proc = subprocess.run(
            ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "bce.tex"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 0, proc.stdout[-3000:]
    log = (tmp_path / "bce.log").read_text(encoding="utf-8", errors="replace")
    assert "Undefined control sequence" not in log
    assert "LaTeX Error" not in log
    assert (tmp_path / "bce.pdf").stat().st_size > 10_000


def test_markdown_has_math_blocks_and_links_to_certificates(results) -> None:
    text = markdown(BCE, results)
    assert text.count("$$\n\\begin{aligned}") == 5
    assert "[`isMinOn_bce_p`](../proofs/bce/isMinOn_bce_p.json)" in text
    assert "\\label" not in text  # GitHub's math has no cross references


# ---- text prints as written, derivatives as a mathematician writes them, proofs laid out


@pytest.mark.parametrize(
    ("plain", "latex"),
    [
        ("second derivative > 0", r"second derivative $>$ 0"),
        ("gradient < 0 before the point", r"gradient $<$ 0 before the point"),
        ("KL >= 0, <= 1, != 2", r"KL $\geq$ 0, $\leq$ 1, $\neq$ 2"),
        ("|u| and x || y", r"$|$u$|$ and x $\|$ y"),
        ("z -> -oo; z -> +oo, not zoo", r"z $\to$ $-\infty$; z $\to$ $+\infty$, not zoo"),
        ("v^T H v, a_b {c} ~", r"v$^{T}$ H v, a\_b \{c\} \textasciitilde{}"),
        ("keeps $x > 0$ as math", r"keeps $x > 0$ as math"),
    ],
)
def test_text_relations_go_to_math_mode(plain: str, latex: str) -> None:
    # Text-mode > < | print as ¿ ¡ — in the OT1 encoding that texlive-latex-base's fonts use.
    assert latex_text(plain) == latex


def test_derivative_steps_read_d_dp_or_partial_by_the_functions_variables() -> None:
    from lossproof.render.latex import ClaimWriter
    from lossproof.proof import Derivative, Domain

    dom = Domain(((p, sympy.Interval.open(0, 1)),))
    writer = ClaimWriter()
    one = writer.formula(Derivative(p**2, p, 1, 2 * p, dom))
    two = writer.formula(Derivative((y - p) ** 2, p, 2, sympy.Integer(2), dom))
    assert r"\frac{d}{dp} \left[p^{2}\right]" in one
    assert r"\frac{\partial^{2}}{\partial p^{2}}" in two  # y varies too: a partial derivative
    assert "d^{1}" not in one + two and "{1}}" not in one + two


def test_every_rule_has_words() -> None:
    from lossproof.render.latex import RULE_WORDS
    from lossproof.proof import RULES

    assert set(RULES) <= set(RULE_WORDS)


def test_proof_parts_are_headed_by_case_and_rule_in_words(results) -> None:
    from lossproof.render.latex import rule_words

    text = standalone_latex(BCE, results)
    assert r"\emph{Case $y = 0$}, for $p \in (0, 1)$. Rule: " + rule_words("not_isMinOn_of_strictMonoOn") in text
    assert r"\emph{For $y \in (0, 1), p \in (0, 1)$}" in text  # the interior: its domain, no case
    assert r"\texttt{not\_\allowbreak{}isMinOn" in text  # the Mathlib name, kept as a reference
    # Steps: number, formula, justification in their own column; none ends in a bracketed note.
    assert text.count(r"\lpstep{(") == sum(len(r.steps) for r in results)
    assert r"\hfill [" not in text


def _plain_relations(rule: str) -> str:
    for a, b in ((">=", "≥"), ("<=", "≤"), ("!=", "≠"), ("->", "→"), ("^", "")):  # "s^T" prints as a superscript
        rule = rule.replace(a, b)
    return rule


ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted((ROOT / "derivations").glob("*.tex")) + sorted((ROOT / "docs").glob("*.tex"))
#: A relation that latex_text put in math mode, with the word before it: "derivative $>$ 0".
_TEXT_RELATION = re.compile(r"(\w+) \$(>|<|\\geq|\\leq|\\neq)\$ (\w+)")
_GLYPH = {">": ">", "<": "<", r"\geq": "≥", r"\leq": "≤", r"\neq": "≠"}


def test_every_committed_article_compiles_and_prints_as_written(tmp_path: Path) -> None:
    """Each .tex under derivations/ and docs/ compiles (pdflatex -halt-on-error) and its text,
    read back by pdftotext, has no wrong glyph, no d¹, and every relation of the step texts."""
    require_tools()
    assert len(ARTICLES) >= 10  # nine articles and the paper
    for tex_file in ARTICLES:
        source = tex_file.read_text(encoding="utf-8")
        text = compile_text(tex_file, tmp_path, passes=2 if r"\ref{" in source else 1)
        name = tex_file.relative_to(ROOT)
        for glyph in WRONG_GLYPHS:
            assert glyph not in text, f"{name} prints {glyph!r}: {text[max(0, text.find(glyph) - 80):text.find(glyph) + 40]!r}"
        assert "d¹" not in text and "d1/dp1" not in text, name
        assert "??" not in text, f"{name} has an unresolved reference"
        for before, rel, after in _TEXT_RELATION.findall(source):
            assert f"{before} {_GLYPH[rel]} {after}" in text, f"{name}: '{before} {rel} {after}' does not survive"
        # The step texts of every proved claim, from its certificate (data, not the .tex).
        for cert in sorted((ROOT / "proofs" / tex_file.stem).glob("*.json")):
            for part in json.loads(cert.read_text(encoding="utf-8"))["parts"]:
                for step in part["steps"]:
                    rule = step["rule"]
                    if "$" not in rule and re.search(r"[<>=|]", rule):
                        assert _plain_relations(rule) in text, f"{name}: step text {rule!r} does not survive"
