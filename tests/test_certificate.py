"""Certificates: round trip, re-check from the files alone, and tampering that must fail."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from lossproof.certificate import check_certificate, claim_from_dict, claim_to_dict, read_certificate
from lossproof.claims import claims_for
from lossproof.cli import main
from lossproof.errors import CertificateError
from lossproof.generated import generated_files, stale_files
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
    monkeypatch.setattr("lossproof.generated.generated_files", lambda pictures=True: dict(files))
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
