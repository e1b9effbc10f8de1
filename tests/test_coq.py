"""Claims as Coq theorems: the SymPy -> Coq printer, the generated statements, and coqc's verdict.

The printer and statement tests need no Coq. The rest compile the Coq project once per
test session (about 10 s on 2 idle cores), cached in the temporary folder under a hash of
every Coq source and of coq.py, so a later run with the same sources reuses the result;
they skip, naming the install command, where coqc is missing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sympy import Rational, exp, log, symbols

import lossproof.coq as coq
from lossproof.coq import (
    COQ_INSTALL,
    CoqError,
    CoqReport,
    STANDARD_AXIOMS,
    check_coq,
    compile_against,
    coq_files,
    coq_term,
    forbidden_words,
    parse_assumptions,
)
from lossproof.losses import CATALOG
from lossproof.sigmoid import sigmoid

ROOT = Path(__file__).resolve().parent.parent
y, p, z, t = symbols("y p z t")

needs_coq = pytest.mark.skipif(shutil.which("coqc") is None, reason=f"coqc not installed: {COQ_INSTALL}")


# ---------------------------------------------------------------- the printer: exact strings


def test_print_bce_reads_as_the_definition():
    assert coq_term(-y * log(p) - (1 - y) * log(1 - p)) == "- y * ln p - (1 - y) * ln (1 - p)"


def test_print_quotient_is_one_division_of_products():
    assert coq_term((p - y) / (p * (1 - p))) == "(p - y) / (p * (1 - p))"


def test_print_positive_terms_first():
    assert coq_term(sigmoid(z) - y) == "sigmoid z - y"


def test_print_natural_power_uses_pow():
    assert coq_term(y / p**2) == "y / p ^ 2"


def test_print_negative_power_alone_is_an_inverse():
    assert coq_term(p**-3) == "/ (p ^ 3)"


def test_print_rational_and_negative_integer():
    assert coq_term(Rational(1, 2) * p) == "p / 2"
    assert coq_term(Rational(-3, 2) * p) == "- 3 * p / 2"
    assert coq_term(sympy.Integer(-3)) == "- 3"


def test_print_exp_and_nested_applications():
    assert coq_term(exp(-z)) == "exp (- z)"
    assert coq_term(log(y / (1 - y))) == "ln (y / (1 - y))"


def test_print_names_replace_subterms():
    assert coq_term(log(1 - p), {p: "(t * a)"}) == "ln (1 - (t * a))"


def test_print_a_named_sum_keeps_its_brackets():
    # y - p at p = t * a + (1 - t) * b is y - (t * a + (1 - t) * b), never y - t * a + ...
    assert coq_term((y - p) ** 2, {p: "t * a + (1 - t) * b"}) == "(y - (t * a + (1 - t) * b)) ^ 2"


@pytest.mark.parametrize("expr", [sympy.sqrt(p + 1) * 0 + p ** Rational(1, 3), sympy.sin(p), symbols("p_1'")])
def test_print_refuses_what_coq_reals_lack(expr):
    if expr.is_Symbol and re.fullmatch(r"\w+", expr.name):
        pytest.skip("a valid name")
    with pytest.raises(CoqError):
        coq_term(expr)


def test_printed_terms_agree_with_sympy_numerically():
    # read the Coq text back with a tiny reader of its own (not sympify): same value at a point
    cases = [-y * log(p) - (1 - y) * log(1 - p), (p - y) / (p * (1 - p)), y / p**2 + (1 - y) / (1 - p) ** 2,
             sigmoid(z) * (1 - sigmoid(z)), log(y / (1 - y))]
    env = {"y": 0.3, "p": 0.7, "z": 0.4}
    for expr in cases:
        text = coq_term(expr)
        value = _eval_coq(text, env)
        expected = float(expr.subs({y: 0.3, p: 0.7, z: 0.4}).rewrite(sympy.exp).subs(sigmoid(0.4), 1 / (1 + sympy.exp(-0.4))))
        assert value == pytest.approx(expected, rel=1e-12), text


_leaf = st.sampled_from([y, p, z, sympy.Integer(2), sympy.Integer(3), Rational(1, 2), Rational(-3, 4)])


def _grow(children: st.SearchStrategy[sympy.Expr]) -> st.SearchStrategy[sympy.Expr]:
    return st.one_of(
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] - ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] / (ab[1] ** 2 + 1)),
        st.tuples(children, st.integers(-3, 3)).map(lambda ae: (ae[0] ** 2 + 1) ** ae[1]),
        children.map(lambda a: log(a**2 + 1)),
        children.map(lambda a: sigmoid(a)),
        children.map(lambda a: exp(sigmoid(a))),
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(_leaf, _grow, max_leaves=8))
def test_printed_term_has_sympy_s_value(expr):
    # every bracket the printer leaves out must be one Coq's grammar does not need
    point = {y: Rational(3, 10), p: Rational(7, 10), z: Rational(-2, 5)}
    expected = sympy.N(expr.subs(point).rewrite(sympy.exp), 40)
    assert expected.is_real
    try:
        text = coq_term(expr)
    except CoqError:
        # SymPy may make exp(log(u)/4) a fractional power, which Coq's reals print no term for
        assume(any(not e.exp.is_Integer for e in expr.atoms(sympy.Pow)))
        return
    with mpmath.workdps(40):
        env = {"y": mpmath.mpf(3) / 10, "p": mpmath.mpf(7) / 10, "z": -mpmath.mpf(2) / 5}
        value = _eval_coq(text, env)
        # 40 digits on both sides: a misplaced bracket changes far more than the 30th digit
        assert abs(value - mpmath.mpf(str(expected))) <= mpmath.mpf(10) ** -30 * (1 + abs(value)), text


def _eval_coq(text: str, env: dict[str, object]) -> object:
    """Evaluate a printed Coq R term (the printer's subset) by recursive descent."""
    tokens = re.findall(r"\d+|[A-Za-z_]\w*|[-+*/^()]", text)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def sum_():
        v = product()
        while peek() in ("+", "-"):
            v = v + product() if take() == "+" else v - product()
        return v

    def product():
        v = unary()
        while peek() in ("*", "/"):
            v = v * unary() if take() == "*" else v / unary()
        return v

    def unary():
        if peek() == "-":
            take()
            return -unary()
        if peek() == "/":
            take()
            return 1 / unary()
        return power()

    def power():
        v = app()
        if peek() == "^":
            take()
            v = v ** int(take())
        return v

    funcs = {"ln": mpmath.log, "exp": mpmath.exp, "sqrt": mpmath.sqrt, "sigmoid": lambda u: 1 / (1 + mpmath.exp(-u))}

    def app():
        tok = take()
        if tok in funcs:
            return funcs[tok](app())
        if tok == "(":
            v = sum_()
            assert take() == ")"
            return v
        return mpmath.mpf(tok) if tok.isdigit() else env[tok]

    value = sum_()
    assert pos == len(tokens), text
    return value


# ---------------------------------------------------------------- generated statements

#: The statements issue 14 fixes, as Coq text (whitespace aside).
ISSUE_STATEMENTS = {
    "strictConvexOn_bce_p": "forall y a b t, 0 <= y <= 1 -> 0 < a < 1 -> 0 < b < 1 -> a <> b -> 0 < t < 1 -> bce y (t * a + (1 - t) * b) < t * bce y a + (1 - t) * bce y b",
    "strictConvexOn_bce_z": "forall y a b t, 0 <= y <= 1 -> a <> b -> 0 < t < 1 -> bce y (sigmoid (t * a + (1 - t) * b)) < t * bce y (sigmoid a) + (1 - t) * bce y (sigmoid b)",
    "isMinOn_bce_p": "forall y p, 0 < y < 1 -> 0 < p < 1 -> p <> y -> bce y y < bce y p",
    "isMinOn_bce_z": "forall y z, 0 < y < 1 -> z <> ln (y / (1 - y)) -> bce y (sigmoid (ln (y / (1 - y)))) < bce y (sigmoid z)",
    "min_value_bce": "forall y p, 0 < y < 1 -> 0 < p < 1 -> - y * ln y - (1 - y) * ln (1 - y) <= bce y p",
}


@pytest.fixture(scope="module")
def bce_files() -> dict[str, str]:
    return coq_files([CATALOG["bce"]])


def _statement(text: str, name: str) -> str:
    m = re.search(rf"Theorem {name} :\s*(.*?)\.\nProof\.", text, re.S)
    assert m, f"no theorem {name}"
    return " ".join(m.group(1).split())


@pytest.mark.parametrize("name", sorted(ISSUE_STATEMENTS))
def test_generated_statement_is_the_issue_s(bce_files, name):
    assert _statement(bce_files[f"proofs/bce/{name}.v"], name) == ISSUE_STATEMENTS[name]


def test_derivative_statements(bce_files):
    assert _statement(bce_files["proofs/bce/isMinOn_bce_p.v"], "deriv_bce_p") == (
        "forall y p, 0 < p < 1 -> is_derive (fun p => bce y p) p ((p - y) / (p * (1 - p)))")
    assert _statement(bce_files["proofs/bce/isMinOn_bce_z.v"], "deriv_bce_z") == (
        "forall y z, is_derive (fun z => bce y (sigmoid z)) z (sigmoid z - y)")


def test_end_cases_name_the_fixed_target(bce_files):
    text = bce_files["proofs/bce/isMinOn_bce_p.v"]
    assert _statement(text, "noMinOn_bce_p_of_y_eq_0") == "NoMinOn (fun x => 0 < x < 1) (fun p => bce 0 p)"
    assert _statement(text, "tendsto_bce_p_of_y_eq_1") == "filterlim (fun p => bce 1 p) (at_left (1)) (locally (0))"


def test_statement_follows_the_claim_not_its_prose(bce_files):
    # Change the structure: the minimiser of the isMinOn part. The statement follows it.
    from lossproof.claims import prove

    claim = next(r.claim for r in prove(CATALOG["bce"]) if r.claim.id == "isMinOn_bce_p")
    part = claim.parts[0]
    moved = type(part)(part.statement, part.rule, (part.subject[0], part.subject[1], y / 2), part.domain, part.steps)
    forged = type(claim)(claim.id, claim.statement, (moved,))
    assert "bce y (y / 2) < bce y p" in _statement(coq.coq_file(forged, "bce"), "isMinOn_bce_p")


def test_unknown_rule_is_not_exported():
    from lossproof.claims import prove

    claim = next(r.claim for r in prove(CATALOG["bce"]) if r.claim.id == "strictConvexOn_bce_p")
    part = claim.parts[0]
    odd = type(claim)(claim.id, claim.statement, (type(part)(part.statement, "no_such_rule", part.subject, part.domain, part.steps),))
    with pytest.raises(CoqError, match="no_such_rule"):
        coq.coq_file(odd, "bce")


def test_other_losses_are_exported_where_the_tactics_reach():
    files = coq_files([CATALOG["mse"], CATALOG["focal"]])
    assert "proofs/mse/strictConvexOn_mse_p.v" in files
    # focal's logit gradient has (1 - s)^2 s log s at s -> 0: no continuity there, so not exported
    assert not any(name.startswith("proofs/focal/") for name in files)


def test_rendered_coq_files_are_what_the_code_generates(bce_files):
    for name, text in bce_files.items():
        assert (ROOT / name).read_text(encoding="utf-8") == text, f"{name}: run `lossproof render`"


# ---------------------------------------------------------------- nothing assumed


def _coq_sources(pattern: str = "proofs/**/*.v") -> list[Path]:
    return sorted([*ROOT.glob("coq/*.v"), *ROOT.glob(pattern), *ROOT.glob("tests/coq/*.v")])


def test_no_unfinished_proof_or_assumption_in_any_coq_file():
    sources = _coq_sources()
    assert any(p.name == "Rules.v" for p in sources) and any(p.parent.name == "bce" for p in sources)
    for path in sources:
        assert forbidden_words(path.read_text(encoding="utf-8")) == [], path


def test_forbidden_words_are_found():
    assert forbidden_words("Axiom cheat : False.") == ["Axiom"]
    assert forbidden_words("Lemma a : True. Admitted.") == ["Admitted"]
    assert forbidden_words("Parameter x : R.") == ["Parameter"]
    assert forbidden_words("(* admitted by nobody *) Lemma admit_free : True.") == []


def test_parse_assumptions_reads_multiline_types():
    out = ("Axioms:\nClassicalDedekindReals.sig_forall_dec\n  : forall P : nat -> Prop,\n    (forall n : nat, {P n} + {~ P n}) ->\n"
           "    {n : nat | ~ P n} + {forall n : nat, P n}\nLossProof.Rules.cheat : False\n")
    assert parse_assumptions(out) == ("ClassicalDedekindReals.sig_forall_dec", "LossProof.Rules.cheat")


def test_a_foreign_axiom_fails_the_report():
    report = CoqReport((("proofs/x.v", "x"),), ("Classical_Prop.classic", "LossProof.Rules.cheat"), 0.0, "8.16.1")
    assert not report.ok and report.foreign_axioms == ("LossProof.Rules.cheat",)
    assert "LossProof.Rules.cheat" in coq.report_text(report)


# ---------------------------------------------------------------- coqc


def _cache_key() -> str:
    h = hashlib.sha256()
    import lossproof.coqcheck as coqcheck

    for path in [ROOT / "_CoqProject", Path(coq.__file__), Path(coqcheck.__file__), Path(__file__),
                 *_coq_sources("proofs/bce/*.v")]:
        h.update(path.relative_to(ROOT).as_posix().encode() if path.is_relative_to(ROOT) else path.name.encode())
        h.update(path.read_bytes())
    h.update(subprocess.run(["coqc", "--print-version"], capture_output=True, text=True).stdout.encode())
    return h.hexdigest()[:20]


@pytest.fixture(scope="session")
def coq_build():
    """Build the Coq project and the user's file once (or reuse the build of identical sources).

    Returns (report, build folder, coqc's output for tests/coq/UserCheck.v).
    """
    if shutil.which("coqc") is None:
        pytest.skip(f"coqc not installed: {COQ_INSTALL}")
    build = Path(tempfile.gettempdir()) / f"lossproof-coq-test-{_cache_key()}"
    done = build / "report.json"
    if not done.is_file():
        tmp = Path(tempfile.mkdtemp(prefix="lossproof-coq-build-"))
        # BCE only: the whole project (every loss) is CI's `lossproof check --coq`, which
        # takes about 4 times as long
        report = check_coq(ROOT, build_dir=tmp, losses=("bce",))
        user = compile_against(tmp, ROOT, ROOT / "tests/coq/UserCheck.v")
        (tmp / "report.json").write_text(json.dumps({
            "theorems": report.theorems, "axioms": report.axioms, "seconds": report.seconds,
            "version": report.coqc_version, "user": user}))
        try:
            tmp.rename(build)  # atomic: a half-built folder is never taken for a cache
        except OSError:  # another session got there first with the same sources
            shutil.rmtree(tmp, ignore_errors=True)
    data = json.loads(done.read_text())
    report = CoqReport(tuple(map(tuple, data["theorems"])), tuple(data["axioms"]), data["seconds"], data["version"])
    return report, build, data["user"]


@needs_coq
def test_coq_checks_every_generated_theorem(coq_build):
    report, _, _ = coq_build
    names = {name for _, name in report.theorems}
    assert set(ISSUE_STATEMENTS) | {"deriv_bce_p", "deriv_bce_z", "noMinOn_bce_p_of_y_eq_0",
                                    "noMinOn_bce_z_of_y_eq_1", "tendsto_bce_z_of_y_eq_0"} <= names
    expected = sum(len(re.findall(r"^Theorem ", p.read_text(), re.M)) for p in ROOT.glob("proofs/bce/*.v"))
    assert len(report.theorems) == expected


@needs_coq
def test_print_assumptions_lists_only_the_standard_axioms_of_coq_reals(coq_build):
    report, _, _ = coq_build
    assert report.axioms, "Coq's reals rest on axioms: an empty list means the output was not read"
    assert set(report.axioms) <= STANDARD_AXIOMS, report.foreign_axioms
    assert report.ok


@needs_coq
def test_a_users_file_proves_the_issue_s_statements_by_exact(coq_build):
    _, _, out = coq_build
    axioms = parse_assumptions(out)
    assert axioms and set(axioms) <= STANDARD_AXIOMS, axioms
    # the user's statements are the issue's, to the letter
    text = (ROOT / "tests/coq/UserCheck.v").read_text()
    for name, statement in ISSUE_STATEMENTS.items():
        assert f"Theorem user_{name} : {statement}." in text


@needs_coq
def test_exact_fails_for_a_statement_lossproof_did_not_prove(coq_build, tmp_path):
    # the user's route must be able to fail: the minimiser moved, the same exact
    _, build, _ = coq_build
    source = tmp_path / "Moved.v"
    source.write_text(
        "From Coq Require Import Reals.\nFrom LossProof Require Import Defs.\n"
        "From LossProof.Proofs.bce Require isMinOn_bce_p.\nOpen Scope R_scope.\n"
        "Theorem moved : forall y p, 0 < y < 1 -> 0 < p < 1 -> p <> y / 2 -> bce y (y / 2) < bce y p.\n"
        "Proof. exact isMinOn_bce_p.isMinOn_bce_p. Qed.\n")
    with pytest.raises(CoqError, match="failed"):
        compile_against(build, ROOT, source)


@needs_coq
def test_an_admitted_proof_is_refused_before_coqc(coq_build, tmp_path):
    _, build, _ = coq_build
    source = tmp_path / "Cheat.v"
    source.write_text("From LossProof Require Import Defs.\nTheorem t : forall y, bce y y = 0.\nProof. Admitted.\n")
    with pytest.raises(CoqError, match="Admitted"):
        compile_against(build, ROOT, source)


# ---------------------------------------------------------------- the command line


def test_check_coq_bad_root_is_bad_input(capsys, tmp_path):
    from lossproof.cli import main

    assert main(["check", "--coq", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["check", "--coq", str(tmp_path)]) == 2  # a folder without _CoqProject
    assert "_CoqProject" in capsys.readouterr().err


@pytest.mark.parametrize("line", ["-Q ../outside LossProof", "-Q /etc LossProof", "-arg -w", "-Q coq LossProof"])
def test_check_coq_reads_only_folders_inside_the_root(capsys, tmp_path, line):
    from lossproof.cli import main

    (tmp_path / "_CoqProject").write_text(line + "\n")
    assert main(["check", "--coq", str(tmp_path)]) == 2
    assert "_CoqProject" in capsys.readouterr().err


def test_check_needs_something_to_check(capsys):
    from lossproof.cli import main

    assert main(["check"]) == 2
    assert "--coq" in capsys.readouterr().err


def test_check_coq_without_coqc_names_the_install_command(capsys, monkeypatch):
    from lossproof.cli import main

    import lossproof.coqcheck as coqcheck

    monkeypatch.setattr(coqcheck.shutil, "which", lambda name: None)
    assert main(["check", "--coq", str(ROOT)]) == 1
    assert COQ_INSTALL in capsys.readouterr().err


def test_claim_structure_is_read_only_in_the_adapter():
    # the typed kernel will change claims and parts: only coq.py's adapter section may read them
    source = Path(coq.__file__).read_text(encoding="utf-8")
    after = source.split("# ====================================================================== definitions", 1)[1]
    assert "# ====================================================================== adapter" in source
    for attribute in (".parts", ".steps", ".subject", ".lemmas", ".domain", "part.rule", "step."):
        assert attribute not in after, attribute
