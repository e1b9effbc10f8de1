"""The adversarial corpus (tests/adversarial/): lies the kernel must not certify.

* Every forged certificate fails ``check``: it is not proved, and the reason names what is
  wrong (words given with each forgery).
* Every false typed-in claim is not proved; every true one (with awkward features: sigmoid
  of p, quartic minima, exp and cosh, convex kinks, sign times its argument) is not refuted.

Forgeries and rows that lossproof gets wrong today are marked ``xfail(strict=True)`` with
the diagnosis (``HOLES``): the fix flips them, and the strict marker then asks for the mark
to be removed. The default run takes a quick sample; ``HYPOTHESIS_PROFILE=ci`` runs more;
``python -m tests.adversarial`` runs the whole corpus with timings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lossproof.cli import main
from lossproof.errors import CertificateError

from .adversarial.forgeries import FORGERIES, HOLES, Forgery
from .adversarial.typed import FAST, SLOW, Row
from .adversarial.typed import HOLES as TYPED_HOLES

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"

#: Forgeries checked in every run: structural edits that the kernel refuses in well
#: under a second each (MSE and MAE, whose steps are polynomial), and every hole.
QUICK = [
    "edited_id", "edited_statement", "duplicate_key_kind", "unknown_field", "variable_named_E",
    "variable_named_log", "wrong_format", "subject_function_swapped", "part_function_swapped_with_steps",
    "variable_changed", "claim_hypothesis_restates_conclusion", "end_case_not_an_end",
    "monotone_rule_for_lemma", "min_value_without_minimiser", "min_value_point_differs",
    "lemma_unknown_name", "unknown_rule", "minimiser_outside", "kink_limits_swapped",
    "derivative_result_edited", "sign_relation_weakened", "off_finite_infinitely_many",
    *HOLES,
]
#: The rest, under the ci profile (some take seconds: logs, the softmax Hessian).
MORE = ["end_case_dropped", "end_cases_swapped", "monotone_wrong_direction", "limit_at_wrong_end",
        "min_value_of_maximum", "kink_concave", "kink_part_elsewhere", "hole_interval", "minimiser_moved",
        "kink_part_added_to_smooth_claim", "saturation_value_edited", "lemma_edited", "own_claim_mae_strict",
        "bracket_part_names_a_point", "bracket_infinite_ends", "bracket_end_outside_the_interval",
        "bracket_min_value_with_a_value", "bracket_min_value_sign_of_another_function"]
#: Too slow for the suite (3-15 s each): ``python -m tests.adversarial`` runs them.
SWEEP_ONLY = sorted(set(FORGERIES) - set(QUICK) - set(MORE))


def _params(names: list[str]) -> list:
    out = []
    for name in names:
        marks = [pytest.mark.xfail(strict=True, reason=f"HOLE: {HOLES[name]}")] if name in HOLES else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def check_forgery(forgery: Forgery, path: Path) -> tuple[str, list[str], str]:
    """Write the forgery, check it as ``lossproof check`` does: (status, reasons, statement).

    A malformed file is status ``"bad input"`` with the reader's message; any other
    exception propagates (a traceback is a failure of the check, never a verdict).
    The statement is the one ``check`` prints, regenerated from the structure.
    """
    from lossproof.certificate import check_certificate
    from lossproof.statement import claim_statement

    path.write_text(forgery.raw if forgery.raw is not None else json.dumps(forgery.data), encoding="utf-8")
    try:
        checked = check_certificate(path)
    except CertificateError as exc:
        return "bad input", [str(exc)], ""
    problems = list(checked.result.problems) if checked.result is not None else []
    status = checked.status if not checked.ok else "proved"
    return status, list(checked.mismatches) + problems, claim_statement(checked.claim)


def _assert_refused(name: str, tmp_path: Path) -> None:
    forgery = FORGERIES[name]()
    status, reasons, statement = check_forgery(forgery, tmp_path / f"{name}.json")
    if status == "proved" and forgery.honest is not None and forgery.honest(statement):
        return  # a lie in words only, now said honestly: what is printed is what was checked
    assert status != "proved", f"{name}: a forged certificate was accepted, printed as {statement!r}"
    assert reasons, f"{name}: refused without a reason"
    if name not in HOLES and forgery.reason:
        assert any(forgery.reason.lower() in r.lower() for r in reasons), f"{name}: no reason names {forgery.reason!r}: {reasons}"


@pytest.mark.parametrize("name", _params(QUICK))
def test_forgery_is_refused(name: str, tmp_path: Path) -> None:
    _assert_refused(name, tmp_path)


@pytest.mark.skipif(not CI, reason="slower forgeries run with HYPOTHESIS_PROFILE=ci")
@pytest.mark.parametrize("name", _params(MORE))
def test_more_forgeries_are_refused(name: str, tmp_path: Path) -> None:
    _assert_refused(name, tmp_path)


def test_corpus_is_partitioned() -> None:
    """Every forgery is run somewhere, and every hole names a forgery."""
    assert set(QUICK) | set(MORE) | set(SWEEP_ONLY) == set(FORGERIES)
    assert set(HOLES) <= set(FORGERIES)


def test_check_command_names_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """End to end: ``lossproof check`` on a forged file exits 1 and prints why."""
    forgery = FORGERIES["subject_function_swapped"]()
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forgery.data), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "problem:" in out and "not the claim's function" in out


# ---------------------------------------------------------------- typed-in claims

#: Rows run by default: one of each class, quick.
TYPED_QUICK = [0, 2, 10, 21, 23, 27, 29, 32, 39, 41, 44, 46]


def _rows(rows: list[Row], offset: int, picks: list[int] | None = None) -> list:
    out = []
    for i, row in enumerate(rows):
        if picks is not None and i not in picks:
            continue
        expr, link, claim_id, truth, _ = row
        marks = [pytest.mark.xfail(strict=True, reason=f"HOLE: {TYPED_HOLES[offset + i]}")] if offset + i in TYPED_HOLES else []
        out.append(pytest.param(row, marks=marks, id=f"{'true' if truth else 'false'}:{claim_id}:{link}:{expr}"))
    return out


def _assert_row(row: Row) -> None:
    from lossproof.claims import prove
    from lossproof.losses import custom_loss

    expr, link, claim_id, truth, why = row
    result = prove(custom_loss(expr, link), [claim_id], workers=1)[0]
    assert result.claim.id == claim_id
    if truth:
        assert result.status != "refuted", f"a true claim was refuted ({why}): {result.problems}"
    else:
        assert result.status != "proved", f"a false claim was proved ({why})"


@pytest.mark.parametrize("row", _rows(FAST, 0, TYPED_QUICK))
def test_typed_claim(row: Row) -> None:
    _assert_row(row)


@pytest.mark.skipif(not CI, reason="the wider typed-in sweep runs with HYPOTHESIS_PROFILE=ci")
@pytest.mark.parametrize("row", _rows(FAST, 0, [3, 4, 6, 12, 22, 24, 28, 30, 33, 34, 35, 40, 42, 47, 48, 49, 50, 51]))
def test_more_typed_claims(row: Row) -> None:
    _assert_row(row)
