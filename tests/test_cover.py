"""Box covers in certificates: `lossproof check` replays them in arb and mpmath.iv, no search.

A sign step the interval engine proved carries its cover into the certificate. At check
time the kernel recomputes the charts from the step's domain, replays every box in arb
(``branch_bound.replay``) and re-checks every box and the union in mpmath.iv
(``box_check.recheck``); the step is proved only when both accept. Each forgery below
edits a cover and must never be proved: it is unknown with the side's reason, or the
file is refused in one line.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import sympy
from sympy import Interval, Symbol, log

from lossproof.certificate import FORMAT, MAX_COVER_BOXES, check_certificate, claim_from_dict, read_certificate, read_covers
from lossproof.cli import main
from lossproof.errors import CertificateError
from lossproof.kernel import Domain, Sign, check_step
from lossproof.kernel import box_check, branch_bound
from lossproof.kernel.steps import cover_key, stored_covers

PROOFS = Path(__file__).resolve().parent.parent / "proofs"
#: Focal (gamma = 2) in p: one cover of 4 boxes in two variables (p, y).
FOCAL_P = PROOFS / "focal" / "strictConvexOn_focal_p.json"
#: Focal in z: z over all of R, so its boxes are in the logistic chart.
FOCAL_Z = PROOFS / "focal" / "isMinOn_focal_z.json"

p, y, z = Symbol("p"), Symbol("y"), Symbol("z")
BOX = Domain(((y, Interval(0, 1)), (p, Interval.open(0, 1))))
FOCAL_D2 = sympy.diff(-y * (1 - p) ** 2 * log(p) - (1 - y) * p**2 * log(1 - p), p, 2)


def _fresh(step: Sign) -> Sign:
    # check_step caches by step: a rule name no other test uses keeps each check fresh.
    return Sign(step.expr, step.rel, step.domain, step.lemmas, rule=f"test {id(step)}")


def _data(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _check(tmp_path: Path, data: dict[str, Any]) -> tuple[str, str]:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    checked = check_certificate(path)
    problems = " ".join(checked.mismatches + (checked.result.problems if checked.result else ()))
    return checked.status, problems


# ---------------------------------------------------------------- the honest path


def test_a_committed_cover_is_replayed_by_both_sides_without_a_search(monkeypatch) -> None:
    def no_search(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a stored cover must not be searched for again")

    monkeypatch.setattr(branch_bound, "decide", no_search)
    data = _data(FOCAL_P)
    assert data["format"] == FORMAT and len(data["covers"]) == 1
    checked = check_certificate(FOCAL_P)
    assert checked.status == "proved"
    replayed = [r for r in checked.result.steps if r.covers]
    assert replayed and all("no search" in r.reason for r in replayed)
    assert all((r.engines["arb"], r.engines["mpmath.iv"]) == ("proved", "proved") for r in replayed)


def test_a_certificate_without_covers_is_searched_again(tmp_path: Path) -> None:
    data = _data(FOCAL_P)
    del data["covers"]
    assert _check(tmp_path, data)[0] == "proved"


def test_format_2_is_read_and_searched_again(tmp_path: Path) -> None:
    data = _data(FOCAL_P)
    del data["covers"]
    data["format"] = "lossproof-certificate/2"
    assert _check(tmp_path, data)[0] == "proved"


def test_format_2_may_not_carry_covers(tmp_path: Path) -> None:
    data = _data(FOCAL_P)
    data["format"] = "lossproof-certificate/2"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CertificateError, match="unknown field 'covers'"):
        read_certificate(path)


# ---------------------------------------------------------------- both sides must speak


def test_the_step_is_unknown_when_arb_rejects_the_cover(monkeypatch) -> None:
    cover = branch_bound.decide(FOCAL_D2, ">", BOX.box()).cover
    monkeypatch.setattr(branch_bound, "replay", lambda *a, **k: (False, "arb says no"))
    with stored_covers({cover_key(FOCAL_D2, ">", BOX.box()): cover}):
        result = check_step(_fresh(Sign(FOCAL_D2, ">", BOX)))
    assert result.status == "unknown" and "rejected by arb: arb says no" in result.reason


def test_the_step_is_unknown_when_mpmath_rejects_the_cover(monkeypatch) -> None:
    cover = branch_bound.decide(FOCAL_D2, ">", BOX.box()).cover
    monkeypatch.setattr(box_check, "recheck", lambda *a, **k: (False, "mpmath says no"))
    with stored_covers({cover_key(FOCAL_D2, ">", BOX.box()): cover}):
        result = check_step(_fresh(Sign(FOCAL_D2, ">", BOX)))
    assert result.status == "unknown" and "rejected by mpmath.iv: mpmath says no" in result.reason


def test_a_verdict_found_with_covers_does_not_outlive_them() -> None:
    step = _fresh(Sign(FOCAL_D2, ">", BOX))
    with stored_covers({cover_key(FOCAL_D2, ">", BOX.box()): ()}):
        assert check_step(step).status == "unknown"  # an empty cover covers nothing
    assert check_step(step).status == "proved"  # searched again, outside the block


# ---------------------------------------------------------------- forged covers


def _first_boxes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["covers"][0]["boxes"]


def _removed(data: dict[str, Any]) -> None:
    _first_boxes(data).pop()


def _widened(data: dict[str, Any]) -> None:
    box = next(b for b in _first_boxes(data) if b["at"][0][1] == "1")
    box["at"][0][1] = "2"  # p up to 2: beyond (0, 1), where log(1 - p) is not real


def _enclosure_edited(data: dict[str, Any]) -> None:
    for box in _first_boxes(data):
        box["enc"] = ["1000000", "oo", "[)"]  # on the right side, but no value of E is there


def _overlap_with_a_gap(data: dict[str, Any]) -> None:
    boxes = _first_boxes(data)
    boxes[-1] = copy.deepcopy(boxes[0])  # one box twice, another's place left open


def _chart_edited(data: dict[str, Any]) -> None:
    data["covers"][0]["charts"][0][1] = "logistic"  # p's boxes read in another chart


def _box_moved_to_another_chart(data: dict[str, Any]) -> None:
    for cover in data["covers"]:
        for chart in cover["charts"]:
            if chart[1] == "logistic":
                chart[1] = "identity"  # z's boxes (0, 1) as if z itself ranged over (0, 1)


FORGED = {
    "a box removed": (FOCAL_P, _removed, "missing"),
    "a box widened beyond the domain": (FOCAL_P, _widened, "domain"),
    "an enclosure edited": (FOCAL_P, _enclosure_edited, "misses"),
    "boxes overlapping with a gap elsewhere": (FOCAL_P, _overlap_with_a_gap, "not covered"),
    "p's chart edited": (FOCAL_P, _chart_edited, "chart"),
    "z's boxes in the identity chart": (FOCAL_Z, _box_moved_to_another_chart, "chart"),
}


def _covered_steps(data: dict[str, Any]) -> list[Sign]:
    """The certificate's sign steps that a cover in it is for (found by the kernel's key)."""
    claim, covers = claim_from_dict(data), read_covers(data)
    steps = [st for part in claim.parts for st in part.steps if isinstance(st, Sign)]
    return [st for st in steps if cover_key(st.expr, st.rel, st.domain.box()) in covers]


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_cover_is_never_proved(name: str) -> None:
    # Step by step, as check_certificate hands the covers to the kernel (the whole file
    # through `lossproof check`: test_the_cli_says_what_is_wrong_with_a_forged_cover).
    path, edit, words = FORGED[name]
    data = _data(path)
    edit(data)
    steps = _covered_steps(data)
    assert steps, name
    honest, forged = read_covers(_data(path)), read_covers(data)
    with stored_covers(forged):
        results = [check_step(_fresh(st)) for st in steps]
    for st, r in zip(steps, results):
        key = cover_key(st.expr, st.rel, st.domain.box())
        assert r.status != "proved" or forged[key] == honest.get(key), f"{name}: proved from an edited cover"
    assert any(r.status == "unknown" and "cover is rejected" in r.reason and words in r.reason for r in results), [r.reason for r in results]


@pytest.mark.parametrize(
    ("where", "value", "words"),
    [
        ("at", "nan", "not a rational"),
        ("at", "inf", "not a rational"),
        ("at", "1e400", "not a rational"),
        ("at", "0x10", "not a rational"),
        ("at", "1/0", "divides by zero"),
        ("at", "9" * 1000, "at most 400 characters"),
        ("enc", "NaN", "not a rational"),
        ("enc", "Infinity", "not a rational"),
    ],
)
def test_a_number_that_is_not_a_short_rational_is_one_line(where: str, value: str, words: str) -> None:
    data = _data(FOCAL_P)
    box = _first_boxes(data)[0]
    (box["at"][0] if where == "at" else box["enc"])[0] = value
    with pytest.raises(CertificateError, match=words) as info:
        read_covers(data, "forged.json")
    assert "\n" not in str(info.value)


def test_a_million_boxes_are_refused_in_one_line_and_fast() -> None:
    data = _data(FOCAL_P)
    box = _first_boxes(data)[0]
    data["covers"][0]["boxes"] = [box] * 10**6
    start = time.monotonic()
    with pytest.raises(CertificateError, match=f"more than {MAX_COVER_BOXES} boxes"):
        read_covers(data, "forged.json")
    assert time.monotonic() - start < 10


def test_the_cli_says_what_is_wrong_with_a_forged_cover(tmp_path: Path, capsys) -> None:
    data = _data(FOCAL_P)
    _removed(data)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("unknown") and "volumes do not add up" in out


def test_a_cover_for_another_step_is_not_used(tmp_path: Path) -> None:
    data = _data(FOCAL_P)
    data["covers"][0]["rel"] = ">="  # a cover of another step: ignored, the step searched
    assert _check(tmp_path, data)[0] == "proved"


# ---------------------------------------------------------------- proof cost


def test_check_reports_the_interval_cost_in_text_and_json(capsys) -> None:
    assert main(["check", str(FOCAL_P)]) == 0
    text = capsys.readouterr().out
    assert "interval arithmetic: 4 boxes," in text  # the committed cover has 4 boxes
    assert main(["check", "--format", "json", str(FOCAL_P), str(PROOFS / "bce" / "strictConvexOn_bce_p.json")]) == 0
    focal, bce = json.loads(capsys.readouterr().out)["certificates"]
    assert focal["status"] == "proved" and focal["interval"]["boxes"] == len(_first_boxes(_data(FOCAL_P)))
    assert focal["interval"]["seconds"] >= 0 and bce["interval"] is None


def test_prove_reports_the_interval_cost_per_claim(capsys) -> None:
    assert main(["prove", "focal", "--claim", "strictConvexOn_focal_p", "--format", "json"]) == 0
    (claim,) = json.loads(capsys.readouterr().out)["claims"]
    assert claim["interval"]["boxes"] >= len(_first_boxes(_data(FOCAL_P)))


def test_a_cover_of_repeated_boxes_is_rejected_before_any_arithmetic() -> None:
    data = _data(FOCAL_P)
    data["covers"][0]["boxes"] = [_first_boxes(data)[0]] * 5000
    (step,) = _covered_steps(data)
    start = time.monotonic()
    with stored_covers(read_covers(data)):
        result = check_step(_fresh(step))
    assert result.status == "unknown" and "volumes do not add up" in result.reason
    assert time.monotonic() - start < 10  # evaluating 5,000 boxes on both sides takes most of a minute
