"""Certificates: round trip, re-check from the files alone, and tampering that must fail."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from lossproof.certificate import check_certificate, claim_from_dict, claim_to_dict, read_certificate
from lossproof.claims import claims_for
from lossproof.cli import main
from lossproof.errors import CertificateError
from lossproof.render.files import generated_files, stale_files
from lossproof.picture import tools_missing
from lossproof.losses import get_loss
from lossproof.proof import check_claim, lemma_claims

ROOT = Path(__file__).resolve().parent.parent
PROOFS = ROOT / "proofs"


def test_every_claim_round_trips_exactly() -> None:
    for claim in claims_for(get_loss("bce")) + lemma_claims():
        assert claim_from_dict(json.loads(json.dumps(claim_to_dict(claim)))) == claim


def test_committed_bce_files_are_what_the_code_generates() -> None:
    # BCE's part of `lossproof render --check` (CI runs the whole of it after the tests).
    files = generated_files(pictures=not tools_missing(), names=("bce",))
    assert stale_files(ROOT, files, with_extra=False) == []


# BCE's, the lemmas' and one of each other kind of rule; `.ci/run` re-checks every
# committed certificate with `lossproof check proofs/` after the tests.
_SAMPLE = sorted(PROOFS.glob("bce/*.json")) + sorted(PROOFS.glob("lemmas/*.json")) + [
    PROOFS / "mae" / "convexOn_mae_p.json",
    PROOFS / "poisson" / "convexOn_poisson_p.json",
    PROOFS / "softmax_ce" / "convexOn_softmax_ce_z.json",
]


@pytest.mark.parametrize("path", _SAMPLE, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_committed_certificates_recheck(path: Path) -> None:
    assert check_certificate(path).status == "proved"


def _load(name: str) -> dict:
    return json.loads((PROOFS / "bce" / name).read_text(encoding="utf-8"))


def _recheck(data: dict, tmp_path: Path) -> str:
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return check_certificate(path).status


def test_flipping_a_sign_fails(tmp_path: Path) -> None:
    data = _load("strictConvexOn_bce_p.json")
    data["parts"][0]["steps"][1]["rel"] = "<"
    assert _recheck(data, tmp_path) != "proved"


def test_flipping_a_sign_inside_an_expression_fails(tmp_path: Path) -> None:
    data = _load("strictConvexOn_bce_p.json")
    for step in data["parts"][0]["steps"]:
        for key in ("result", "expr"):
            if key in step:
                step[key] = step[key].replace("y/p**2 + ", "-y/p**2 + ")
    assert _recheck(data, tmp_path) != "proved"


def test_dropping_a_step_fails(tmp_path: Path) -> None:
    data = _load("isMinOn_bce_p.json")
    del data["parts"][0]["steps"][1]  # the roots step: p = y is the only stationary point
    assert _recheck(data, tmp_path) != "proved"


def test_weakening_an_assumption_fails(tmp_path: Path) -> None:
    # y in [0, 1] widened to [0, 2] everywhere: the second derivative can then be negative.
    data = _load("strictConvexOn_bce_p.json")
    text = json.dumps(data).replace('"[0, 1]"', '"[0, 2]"')
    assert _recheck(json.loads(text), tmp_path) == "refuted"


def test_weakening_only_the_conclusion_domain_fails(tmp_path: Path) -> None:
    data = _load("strictConvexOn_bce_p.json")
    data["parts"][0]["domain"]["intervals"][1][1] = "[0, 1]"  # p in the closed interval
    assert _recheck(data, tmp_path) != "proved"


def test_dropping_a_lemma_hypothesis_is_not_proved(tmp_path: Path) -> None:
    data = _load("kl_bernoulli_nonneg.json")
    data["parts"][1]["domain"]["hypotheses"] = []
    for step in data["parts"][1]["steps"]:
        step["domain"]["hypotheses"] = []
    assert _recheck(data, tmp_path) != "proved"


def test_the_untampered_copy_still_checks(tmp_path: Path) -> None:
    # The control for the tests above: the same path through a temporary file proves.
    assert _recheck(_load("isMinOn_bce_p.json"), tmp_path) == "proved"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other/9"), "format"),
        (lambda d: d["parts"][0]["steps"][0].update(function="__import__('os').system('true')"), r"call of \"__import__\('os'\).system\" is not allowed"),
        (lambda d: d["parts"][0]["steps"][0].update(kind="magic"), "unknown step kind"),
        (lambda d: d["parts"][0].update(rule="trust_me"), "unknown rule"),
        (lambda d: d["parts"][0]["domain"].update(intervals=[["y", "[1, 0]"]]), "not a nonempty interval"),
        (lambda d: d.update(variables=["y", "p; rm -rf"]), "short identifier"),
    ],
)
def test_malformed_certificates_are_refused(tmp_path: Path, mutate, message: str) -> None:
    data = copy.deepcopy(_load("strictConvexOn_bce_p.json"))
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CertificateError, match=message):
        read_certificate(path)


def test_check_command_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(PROOFS / "bce" / "min_value_bce.json")]) == 0
    bad = _load("strictConvexOn_bce_p.json")
    bad["parts"][0]["steps"][1]["rel"] = "<"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    assert main(["check", str(tmp_path / "junk.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not JSON" in err


def test_render_writes_and_check_names_stale_and_stray_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"proofs/bce/a.json": "{}\n", "derivations/bce.md": "# x\n", "docs/bce.png": b"\x89PNG"}
    monkeypatch.setattr("lossproof.render.files.generated_files", lambda pictures=True: dict(files))
    monkeypatch.setattr("lossproof.picture.tools_missing", lambda: [])
    assert main(["render", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "docs" / "bce.png").read_bytes() == b"\x89PNG"
    assert main(["render", "--check", "--root", str(tmp_path)]) == 0
    (tmp_path / "derivations" / "bce.md").write_text("# edited by hand\n", encoding="utf-8")
    (tmp_path / "proofs" / "bce" / "stray.json").write_text("{}", encoding="utf-8")
    capsys.readouterr()
    assert main(["render", "--check", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "derivations/bce.md" in out and "proofs/bce/stray.json" in out
    assert main(["render", "--root", str(tmp_path)]) == 0  # writes back, removes the stray
    assert not (tmp_path / "proofs" / "bce" / "stray.json").exists()


def test_check_from_the_files_alone_needs_no_loss(tmp_path: Path) -> None:
    # A certificate is checked by what it says: a claim about a loss not in the catalog works too.
    claim = claims_for(get_loss("bce"))[0]
    data = claim_to_dict(claim)
    assert check_claim(claim_from_dict(data)).status == "proved"


# ---- meaning bound to what was checked (issue: a sound kernel)


def _write(tmp_path: Path, data: dict, name: str = "forged.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _check_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", str(path)])
    return code, capsys.readouterr().out


def test_check_prints_the_statement_and_domain_it_verified(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check_cli(PROOFS / "bce" / "strictConvexOn_bce_p.json", capsys)
    assert code == 0
    assert "strictConvexOn_bce_p: BCE(y, p) = -y*log(p) - (1 - y)*log(1 - p) is strictly convex in p on (0, 1), for y in [0, 1]." in out
    assert "domain: y in [0, 1], p in (0, 1)" in out


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: d.update(id="strictConvexOn_mse_p"), "'id'"),
        (lambda d: d.update(statement=d["statement"].replace("[0, 1]", "[0, 2]")), "'statement'"),
        (lambda d: d["parts"][0].update(statement="BCE is convex everywhere"), "'parts[1].statement'"),
    ],
)
def test_edited_text_fails_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, field: str) -> None:
    data = _load("strictConvexOn_bce_p.json")
    edit(data)
    code, out = _check_cli(_write(tmp_path, data), capsys)
    assert code == 1 and f"field {field}" in out


def _forge(claim, tmp_path: Path) -> str:
    return check_certificate(_write(tmp_path, claim_to_dict(claim))).status


def _with_hypothesis(part, h):
    # The hypothesis on the part's domain and on each of its steps' domains.
    dom = dataclasses.replace(part.domain, hypotheses=part.domain.hypotheses + (h,))
    steps = tuple(dataclasses.replace(s, domain=dataclasses.replace(s.domain, hypotheses=s.domain.hypotheses + (h,))) for s in part.steps)
    return dataclasses.replace(part, domain=dom, steps=steps)


def test_a_hypothesis_that_restates_the_conclusion_is_refused(tmp_path: Path) -> None:
    # MSE is not convex in z: "d2 > 0" as a hypothesis would narrow the domain to where it is.
    from lossproof.claims import build_claim
    from lossproof.kernel import Hypothesis

    claim = build_claim(get_loss("mse"), "strictConvexOn_mse_z")
    d2 = claim.parts[0].steps[0].result
    forged = dataclasses.replace(claim, parts=(_with_hypothesis(claim.parts[0], Hypothesis(d2, ">")),))
    assert _forge(forged, tmp_path) != "proved"
    result = check_claim(forged)
    assert any("not admitted" in p for p in result.problems)


def test_softmax_strict_convexity_with_a_positive_form_assumed_is_refused(tmp_path: Path) -> None:
    from lossproof.kernel import Hypothesis
    from lossproof.softmax import SoftmaxCE, softmax_claims

    strict = softmax_claims(SoftmaxCE(3))[2]
    part = strict.parts[0]
    form = part.steps[1].expr
    sign = dataclasses.replace(part.steps[1], domain=dataclasses.replace(part.steps[1].domain, hypotheses=part.steps[1].domain.hypotheses + (Hypothesis(form, ">"),)))
    forged = dataclasses.replace(strict, parts=(dataclasses.replace(part, steps=(part.steps[0], sign)),))
    assert _forge(forged, tmp_path) != "proved"


def test_a_hole_without_its_kink_part_and_a_doubled_kink_part_are_refused() -> None:
    from lossproof.claims import build_claim
    from lossproof.losses import custom_loss

    claim = build_claim(custom_loss("abs(p - y) + abs(p - 1/2)", "identity"), "convexOn_custom_p")
    smooth, *kinks = claim.parts
    assert len(kinks) == 2 and check_claim(claim).status == "proved"
    for parts in ((smooth, kinks[0]), (smooth, kinks[0], kinks[0])):
        result = check_claim(dataclasses.replace(claim, parts=parts))
        assert result.status != "proved" and any("no kink part" in p for p in result.problems)


def test_monotonicity_in_the_wrong_direction_is_refused() -> None:
    from lossproof.claims import build_claim

    claim = build_claim(get_loss("bce"), "isMinOn_bce_p")
    down = next(q for q in claim.parts if q.rule == "not_isMinOn_of_strictMonoOn" and q.steps[1].rel == "<")
    lying = dataclasses.replace(down, rule="strictMonoOn_of_deriv_pos")
    result = check_claim(dataclasses.replace(claim, parts=tuple(lying if q is down else q for q in claim.parts)))
    assert result.status != "proved"


@pytest.mark.parametrize("name", ["E", "pi", "log", "sqrt", "oo"])
def test_a_variable_that_shadows_a_constant_or_function_is_bad_input(tmp_path: Path, name: str) -> None:
    data = _load("strictConvexOn_bce_p.json")
    data["variables"] = data["variables"] + [name]
    with pytest.raises(CertificateError, match="shadow"):
        read_certificate(_write(tmp_path, data))


def test_duplicate_keys_unknown_fields_deep_nesting_and_huge_numbers_are_bad_input(tmp_path: Path) -> None:
    text = (PROOFS / "bce" / "strictConvexOn_bce_p.json").read_text(encoding="utf-8")
    cases = {
        "appears twice": text.replace('"kind": "strictConvexOn",', '"kind": "strictConvexOn", "kind": "convexOn",', 1),
        "unknown field": text.replace('"kind":', '"note": "trust me", "kind":', 1),
        "nested": "[" * 100_000 + "]" * 100_000,
        "digits": '{"format": ' + "9" * 5000 + "}",
    }
    for what, body in cases.items():
        path = tmp_path / "bad.json"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(CertificateError, match=what):
            read_certificate(path)


def test_an_interval_full_of_spaces_is_refused_at_once(tmp_path: Path) -> None:
    data = _load("strictConvexOn_bce_p.json")
    data["domain"]["intervals"][0][1] = "[" + " " * 6000 + "0, 1]"
    with pytest.raises(CertificateError, match="not an interval"):
        read_certificate(_write(tmp_path, data))


def test_a_fifo_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    os.mkfifo(tmp_path / "trap.json")
    (tmp_path / "good.json").write_text((PROOFS / "bce" / "strictConvexOn_bce_p.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 2  # the FIFO is refused at once, never opened
    with pytest.raises(CertificateError, match="not a regular file"):
        read_certificate(tmp_path / "trap.json")
