"""The renderers (lossproof.render): one visitor, one module per format, exact strings."""

from __future__ import annotations

import pytest
from sympy import Interval, Rational, oo

from lossproof.claims import prove
from lossproof.derive import derive
from lossproof.losses import get_loss
from lossproof.notation import interval_text
from lossproof.render.json import JSON, derivatives_json
from lossproof.render.latex import LATEX, derivatives_latex
from lossproof.render.markdown import MARKDOWN
from lossproof.render.text import TEXT, derivatives_text
from lossproof.render.visitor import method_name

BCE = get_loss("bce")


@pytest.fixture(scope="module")
def convex_p():
    return prove(BCE, ["strictConvexOn_bce_p"])[0]


# ---------------------------------------------------------------- the visitor


def test_a_result_class_names_its_method() -> None:
    from lossproof.compare import Comparison
    from lossproof.derive import Derived
    from lossproof.kernel import ClaimResult, Derivative, Identity

    assert [method_name(c) for c in (Derived, Derivative, Identity, ClaimResult, Comparison)] == [
        "render_Derived",  # not render_Derivative: that is the kernel's step
        "render_Derivative",
        "render_Identity",
        "render_ClaimResult",
        "render_Comparison",
    ]


def test_every_format_renders_every_result(convex_p) -> None:
    from lossproof.compare import compare

    d = derive(BCE, "p", 1)
    rows = compare([BCE])
    for renderer in (TEXT, JSON, LATEX, MARKDOWN):
        for node in (d, convex_p, rows):
            assert renderer.render(node), (type(renderer).__name__, type(node).__name__)


def test_a_renderer_refuses_what_it_has_no_method_for() -> None:
    with pytest.raises(TypeError, match="TextRenderer cannot render a float"):
        TEXT.render(1.5)


# ---------------------------------------------------------------- one interval formatter


@pytest.mark.parametrize(
    ("interval", "fmt", "shown"),
    [
        (Interval(0, 1), "text", "[0, 1]"),
        (Interval.open(0, 1), "unicode", "(0, 1)"),
        (Interval(-oo, oo), "text", "R"),
        (Interval(-oo, oo), "unicode", "ℝ"),
        (Interval(-oo, oo), "latex", r"\mathbb{R}"),
        (Interval.Lopen(0, oo), "text", "(0, oo)"),
        (Interval.Lopen(0, oo), "latex", r"(0, \infty)"),
        (Interval.Ropen(Rational(1, 2), 1), "latex", r"[\frac{1}{2}, 1)"),
    ],
)
def test_interval_text(interval: Interval, fmt: str, shown: str) -> None:
    assert interval_text(interval, fmt) == shown


def test_interval_text_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'html'"):
        interval_text(Interval(0, 1), "html")


# ---------------------------------------------------------------- text


def test_text_derivative() -> None:
    assert TEXT.render(derive(BCE, "z", 1)) == "∂BCE/∂z = σ(z) - y"
    assert TEXT.render(derive(BCE, "z", 1), unicode=False) == derivatives_text(BCE, [derive(BCE, "z", 1)], False)


def test_text_steps_one_line_each(convex_p) -> None:
    lines = [TEXT.render(sr.step) for sr in convex_p.steps]
    assert lines == [
        "d^2/dp^2 [-y*log(p) - (1 - y)*log(1 - p)] = y/p**2 + (1 - y)/(1 - p)**2",
        "y/p**2 + (1 - y)/(1 - p)**2 > 0",
    ]


def test_text_claim_is_what_prove_prints(convex_p) -> None:
    text = TEXT.render(convex_p)
    assert text.splitlines()[0] == "✓ strictConvexOn_bce_p               proved   (sympy: proved, z3: proved, numeric: sampled)"
    assert "    proved   kernel obligation, where the loss is defined: p > 0" in text


# ---------------------------------------------------------------- JSON


def test_json_derivative_is_the_contract_s_item() -> None:
    d = derive(BCE, "z", 1)
    assert JSON.render(d) == {"wrt": "z", "order": 1, "expr": "sigmoid(z) - y", "latex": r"\sigma(z) - y"}
    assert derivatives_json(BCE, [d])["derivatives"] == [JSON.render(d)]


def test_json_claim(convex_p) -> None:
    data = JSON.render(convex_p)
    assert (data["id"], data["status"], data["counterexample"]) == ("strictConvexOn_bce_p", "proved", None)
    assert [s["kind"] for s in data["steps"]] == ["derivative", "sign"]


# ---------------------------------------------------------------- LaTeX and Markdown


def test_latex_derivative() -> None:
    d = derive(BCE, "p", 2)
    assert LATEX.render(d) == r"$\displaystyle \frac{\partial^{2} \operatorname{BCE}}{\partial p^{2}} = \frac{y}{p^{2}} + \frac{1 - y}{(1 - p)^{2}}$"
    assert derivatives_latex(BCE, [d]).splitlines()[1].endswith(r"\label{eq:bce-d2p}")


def test_markdown_derivative() -> None:
    assert MARKDOWN.render(derive(BCE, "z", 2)) == r"$$\frac{\partial^{2} \operatorname{BCE}}{\partial z^{2}} = \sigma(z) (1 - \sigma(z))$$"


def test_latex_claim_is_inline_math_only(convex_p) -> None:
    tex = LATEX.render(convex_p)
    assert tex.startswith(r"$\mathtt{strictConvexOn\_bce\_p}$: proved (sympy: proved, z3: proved, numeric: sampled). ")
    assert tex.count("$") % 2 == 0


def test_softmax_formats() -> None:
    from lossproof.render.json import softmax_json
    from lossproof.render.latex import softmax_gradient_latex
    from lossproof.render.text import softmax_text
    from lossproof.softmax import SoftmaxCE

    loss = SoftmaxCE(2)
    derivs = loss.derivatives()
    assert softmax_text(loss, derivs).splitlines()[2] == "Hessian = diag(s) - s s^T, s = softmax(z):"
    assert softmax_json(loss, derivs)["classes"] == 2
    # Past the printed sizes the Hessian is its two patterns, not K^2 entries.
    big = SoftmaxCE(64)
    text = softmax_text(big, big.derivatives())
    assert "H_ii = " in text and "i, j = 1..64" in text and "hessian" not in softmax_json(big, big.derivatives())
    assert softmax_gradient_latex(loss).startswith("\\begin{align}\n  \\frac{\\partial L}{\\partial z_{1}} &= ")


def test_latex_steps_are_display_math(convex_p) -> None:
    # y appears beside p, so the derivative in p is a partial one.
    assert [LATEX.render(sr.step) for sr in convex_p.steps] == [
        r"$\displaystyle \frac{\partial^{2}}{\partial p^{2}} \left[- y \log(p) - (1 - y) \log(1 - p)\right] = \frac{y}{p^{2}} + \frac{1 - y}{(1 - p)^{2}}$",
        r"$\displaystyle \frac{y}{p^{2}} + \frac{1 - y}{(1 - p)^{2}} > 0$",
    ]


def test_the_derivative_of_a_sum_in_a_limit_statement_keeps_its_parentheses() -> None:
    # "d/dz - a - b" would be read as (d/dz)(-a) - b: the statement brackets the whole sum.
    from lossproof.claims import build_claim
    from lossproof.losses import get_loss
    from lossproof.render.latex import ClaimWriter

    claim = build_claim(get_loss("bce_label_smoothing"), "tendsto_deriv_bce_label_smoothing_z_of_confidently_wrong")
    for part in claim.parts:
        text = ClaimWriter().part(part)
        assert r"\frac{d}{dz} \left(- \frac{" in text, text


def test_theorem_statements_start_below_their_heading() -> None:
    # A claim's id is a long unbreakable word: after it a formula would overrun the line.
    from lossproof.render.latex import THEOREM_STYLE, standalone_latex
    from lossproof.losses import get_loss

    assert r"{\newline}" in THEOREM_STYLE
    tex = standalone_latex(get_loss("mse"), get_loss("mse").prove())
    assert THEOREM_STYLE in tex and tex.index(THEOREM_STYLE) < tex.index(r"\newtheorem{theorem}")
