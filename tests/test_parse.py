"""The whitelist parser: round trips, refusals with a column, and garbage that never runs."""

from __future__ import annotations

import builtins
from pathlib import Path

import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st

from lossproof.cli import main
from lossproof.errors import InputError
from lossproof.losses import custom_loss, p, y
from lossproof.notation import to_text
from lossproof.parse import MAX_DEPTH, MAX_LENGTH, parse_expression

NAMES = {"y": y, "p": p}

# ---- well-formed expressions: parse, print, parse gives the same expression

atoms = st.one_of(st.sampled_from(["y", "p", "1", "2", "3", "0.5", "1/3"]), st.integers(0, 99).map(str))


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})")
    power = st.tuples(children, st.integers(-3, 4)).map(lambda t: f"({t[0]})**{t[1]}")
    call = st.tuples(st.sampled_from(["log", "exp", "sqrt", "abs", "cosh", "tanh", "sigmoid", "softplus"]), children).map(lambda t: f"{t[0]}({t[1]})")
    neg = children.map(lambda c: f"-({c})")
    return st.one_of(binary, power, call, neg)


expressions = st.recursive(atoms, _combine, max_leaves=8)


@given(text=expressions)
@example(text="-(y*log(p) + (1-y)*log(1-p))")
@example(text="(p - y)^2")
def test_round_trip(text: str) -> None:
    try:
        expr = parse_expression(text, NAMES)
    except InputError:
        return  # e.g. a division by a literal zero: refused, which is allowed
    again = parse_expression(to_text(expr), {**NAMES, **{str(s): s for s in expr.free_symbols}})
    assert again == expr or sympy.simplify(again - expr) == 0


# ---- refusals: one line, naming the problem and its column


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("__import__('os').system('true')", "column 1: call of \"__import__('os').system\" is not allowed"),
        ("p.real", "column 1: attribute access '.real'"),
        ("lambda: p", "column 1: Lambda is not allowed"),
        ("'p'", "column 1: str literal 'p' is not a number"),
        ("q + p", "column 1: unknown name 'q'"),
        ("p + q", "column 5: unknown name 'q'"),
        ("p +", "syntax error"),
        ("p**(10**10**10)", "exponent 10000000000 is larger than 64"),
        ("2**(2**(2**(2**(2**2))))", "is larger than 64"),
        ("1e400*p", "outside 1e-30..1e30"),
        ("p if y else p", "IfExp is not allowed"),
        ("[p]", "List is not allowed"),
        ("log(p, 2)", "log takes exactly one argument"),
        ("p / 0", "division by zero"),
        ("p" + "+p" * MAX_LENGTH, f"the limit is {MAX_LENGTH}"),
        ("log(" * (MAX_DEPTH + 5) + "p" + ")" * (MAX_DEPTH + 5), "deeper"),
        ("-" * (MAX_DEPTH + 5) + "p", "deeper"),
        ("", "empty"),
        ("p\ny", "single line"),
    ],
)
def test_refusals(text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        parse_expression(text, NAMES)
    message = str(info.value)
    assert needle in message and "\n" not in message


def test_nothing_is_executed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "ran"
    calls = []
    for name in ("eval", "exec", "compile", "__import__"):
        original = getattr(builtins, name)
        monkeypatch.setattr(builtins, name, lambda *a, _o=original, _n=name, **k: (calls.append(_n), _o(*a, **k))[1])
    with pytest.raises(InputError):
        parse_expression(f"__import__('os').system('touch {marker}')", NAMES)
    monkeypatch.undo()
    assert not marker.exists()
    assert "eval" not in calls and "exec" not in calls


# ---- garbage: lossproof's own error or a result, nothing else, never a hang

garbage = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="yp()+-*/^.,0123456789 elogxsqrtab_'\"[]{}:lambda", max_size=60),
)


@given(text=garbage)
@example(text="()")
@example(text="p**p**p**p")
@example(text="\x00")
@example(text="9" * 40)
def test_garbage_raises_only_input_error(text: str) -> None:
    try:
        parse_expression(text, NAMES)
    except InputError:
        pass


# ---- user losses through the command line


def test_user_loss_convexity_in_z_is_refuted_with_a_checked_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code = main(["prove", "--loss", "(p - y)**2", "--link", "sigmoid", "--claim", "strictConvexOn_custom_z", "--format", "json"])
    assert code == 1
    claim = json.loads(capsys.readouterr().out)["claims"][0]
    assert claim["status"] == "refuted"
    point = claim["counterexample"]
    # A chord below the function at t = 1/2: recomputed here from the loss itself.
    yv, a, b = (sympy.Rational(point[k]) for k in ("y", "a", "b"))
    assert point["t"] == "1/2"
    loss = lambda z: (1 / (1 + sympy.exp(-z)) - yv) ** 2  # noqa: E731
    assert sympy.N(loss((a + b) / 2) - (loss(a) + loss(b)) / 2, 30) > 0


def test_user_loss_of_bce_gives_the_bce_derivatives() -> None:
    from lossproof import derive, get_loss

    user = custom_loss("-(y*log(p) + (1-y)*log(1-p))")
    for wrt in ("p", "z"):
        assert derive(user, wrt, 1).canonical == derive(get_loss("bce"), wrt, 1).canonical


def test_import_attempt_is_refused_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "--loss", "__import__('os').system('true')"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "not allowed" in err


def test_a_loss_and_a_catalog_name_together_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "mse", "--loss", "(p - y)**2"]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_loss_without_p_is_refused() -> None:
    with pytest.raises(InputError, match="does not depend on the prediction p"):
        custom_loss("y**2")


def test_the_time_limit_turns_a_hang_into_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from lossproof.settings import Settings

    claims = importlib.import_module("lossproof.claims")

    def slow(loss, claim_id):  # stands for SymPy working forever on a nasty expression
        while True:  # work: the limit counts CPU time
            pass

    monkeypatch.setattr(claims, "build_claim", slow)
    (result,) = custom_loss("(p - y)**2", "identity").prove(["min_value_custom"], settings=Settings(user_limit_seconds=0.05))
    assert result.status == "unknown"
    assert "time limit" in result.problems[0]


@pytest.mark.parametrize("text", ["w*y*log(p)", "p/y"])
def test_parameters_and_ill_posed_losses_end_in_verdicts_not_tracebacks(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", "--loss", text, "--link", "identity", "--claim", "isMinOn_custom_p"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "" and "isMinOn_custom_p" in out


def test_complex_roots_do_not_refute_a_real_minimiser() -> None:
    # 4p^3 - y has one real root and two complex ones: only the real one counts.
    from lossproof.claims import prove

    (result,) = prove(custom_loss("p**4 - y*p", "identity"), ["isMinOn_custom_p"], workers=1)
    assert result.status != "refuted"
