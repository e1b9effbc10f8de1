"""The limits behind "nothing breaks": time, memory, atomic writes, safe JSON, the parser's sizes, the CLI's options.

In-process and fast; tests/test_hostile.py runs the program itself on hostile input.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from lossproof.atomic import write_atomic
from lossproof.cli import main
from lossproof.errors import CertificateError, InputError
from lossproof.parse import MAX_DEGREE, degree_bound, parse_expression
from lossproof.safejson import MAX_INTEGER_DIGITS, load_json_file
from lossproof.timeout import MemoryLimitExceeded, TimeLimitExceeded, command_deadline, seconds_left, time_limit

from sympy import Symbol

P, Y = Symbol("p"), Symbol("y")
NAMES = {"p": P, "y": Y}


# ---------------------------------------------------------------- time and memory


def _work(seconds: float) -> None:
    """Busy for ``seconds`` of CPU time (what a limit counts), or 60 s by the clock at most."""
    end, give_up = time.process_time() + seconds, time.monotonic() + 60
    while time.process_time() < end and time.monotonic() < give_up:
        pass


def test_an_inner_limit_does_not_cancel_the_outer_one() -> None:
    start = time.process_time()
    with pytest.raises(TimeLimitExceeded, match="time limit of 0.3 s"):
        with time_limit(0.3):
            with time_limit(5):
                pass  # the inner block ends well within its limit...
            _work(3)  # ...and the outer limit still fires
    assert time.process_time() - start < 1.5


def test_a_limit_counts_cpu_time_not_waiting() -> None:
    # A claim's verdict must not depend on how busy the machine is: waiting is not work.
    with time_limit(0.2):
        time.sleep(0.4)
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            _work(3)


def test_the_command_deadline_caps_every_limit_inside_it() -> None:
    with command_deadline(0.2):
        assert 0 < (seconds_left() or 0) <= 0.2
        time.sleep(0.25)
        start = time.monotonic()
        with pytest.raises(TimeLimitExceeded, match="the command's time limit"):
            with time_limit(20):  # the deadline has passed: at once
                time.sleep(2)
        assert time.monotonic() - start < 0.5
    assert seconds_left() is None


def test_memory_past_the_cap_is_a_memory_limit_and_the_cap_is_lifted_after() -> None:
    # The cap is the process's: other threads of this test run allocate meanwhile, so the
    # cap leaves them room. A claim at its cap runs in a subprocess (tests/test_hostile.py).
    with pytest.raises(MemoryLimitExceeded, match="memory limit of 256 MB"):
        with time_limit(10, memory=256 << 20):
            bytearray(1 << 30)
    assert len(bytearray(512 << 20)) == 512 << 20  # no cap left behind


# ---------------------------------------------------------------- atomic writes


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.tex"
    write_atomic(target, "old\n")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", full)
    with pytest.raises(InputError, match="No space left on device"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.tex"]


def test_a_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "doc.tex"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n" and target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("{tmp}/", "names a folder"),
        ("{tmp}", "is a folder"),
        ("/dev/null", "not a regular file"),
        ("{tmp}/missing/x.tex", "does not exist"),
        ("{tmp}/" + "n" * 300, "File name too long"),
    ],
)
def test_outputs_that_cannot_be_files_are_refused_before_any_work(
    output: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["latex", "-o", output.format(tmp=tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- safe JSON


def _json_file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "c.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested 100000 deep"),
        ('{"a": ' + "9" * 5000 + "}", "integer of 5000 digits"),
        ('{"a": 1, "b": {"c": 2, "c": 3}}', "key 'c' appears twice"),
        ("[NaN]", "NaN is not a JSON number"),
        ("[Infinity]", "Infinity is not a JSON number"),
        ("{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        ("[" + "1," * 600_000 + "1]", "larger than 1000000 bytes"),
    ],
)
def test_hostile_json_is_one_line_naming_the_file(tmp_path: Path, text: str | bytes, message: str) -> None:
    with pytest.raises(CertificateError) as info:
        load_json_file(_json_file(tmp_path, text), max_bytes=1_000_000, max_depth=20)
    assert message in str(info.value) and str(tmp_path / "c.json") in str(info.value)
    assert "\n" not in str(info.value)


def test_json_within_the_limits_reads_exactly(tmp_path: Path) -> None:
    data = {"a": [1, -2, 3.5, None, True], "b": {"c": "[[[{{{"}, "n": int("9" * MAX_INTEGER_DIGITS)}
    assert load_json_file(_json_file(tmp_path, json.dumps(data)), max_bytes=10_000, max_depth=3) == data


def test_depth_counts_brackets_not_inside_strings(tmp_path: Path) -> None:
    path = _json_file(tmp_path, "[[[1]]]")
    assert load_json_file(path, max_bytes=100, max_depth=3) == [[[1]]]
    with pytest.raises(CertificateError, match="nested 3 deep"):
        load_json_file(path, max_bytes=100, max_depth=2)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(CertificateError, match="not a regular file"):
        load_json_file(fifo, max_bytes=100, max_depth=5)
    assert time.monotonic() - start < 1


def test_a_link_to_a_regular_file_is_read(tmp_path: Path) -> None:
    target = _json_file(tmp_path, "[1]")
    (tmp_path / "link.json").symlink_to(target)
    assert load_json_file(tmp_path / "link.json", max_bytes=100, max_depth=5) == [1]


# ---------------------------------------------------------------- the parser's sizes


@pytest.mark.parametrize(
    ("text", "degree"),
    [("((p+y)**64+1)**64", 4096), ("(p**2)**2*y", 5), ("exp(p**3)", 3), ("p**gamma", 3), ("log(p)", 1), ("1 + 2", 0)],
)
def test_degree_bound(text: str, degree: int) -> None:
    gamma = Symbol("gamma")
    expr = parse_expression(text, {**NAMES, "gamma": gamma}) if degree <= MAX_DEGREE else None
    if expr is None:
        with pytest.raises(InputError, match=f"degree {degree}, more than {MAX_DEGREE}"):
            parse_expression(text, NAMES)
    else:
        assert degree_bound(expr) == degree


@pytest.mark.parametrize(
    ("text", "name"),
    [("ｐ*y", "FULLWIDTH LATIN SMALL LETTER P"), ("𝐥𝐨𝐠(p)", "MATHEMATICAL BOLD SMALL L"), ("p\u00a0+ y", "NO-BREAK SPACE"), ("p·y", "MIDDLE DOT")],
)
def test_lookalike_characters_are_refused_not_folded(text: str, name: str) -> None:
    with pytest.raises(InputError, match=name):
        parse_expression(text, NAMES)


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["derive", "bce", "--link", "identity"], "--link identity applies only to --loss EXPR"),
        (["prove", "mse", "--classes", "4"], "--classes 4 applies only to softmax_ce, not to 'mse'"),
        (["latex", "--loss", "p*y", "--classes", "3"], "not to --loss EXPR"),
        (["derive", "softmax_ce", "--wrt", "z"], "--wrt and --order do not apply to softmax_ce"),
        (["render", "--root", ""], "--root ''"),
        (["prove", "--time-limit", "-1"], "give seconds above 0"),
        (["check", "x.json", "--time-limit", "inf"], "give seconds above 0"),
    ],
)
def test_options_that_do_not_apply_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # were `render --root ''` taken for '.', it would write here, not in the repository
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and message in err


def test_a_leading_minus_is_an_expression(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "--loss", "-log(p)", "--link", "identity", "--order", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["derivatives"][0]["expr"] == "-1/p"
    # An option after --loss is still an option: the missing value is reported as such.
    assert main(["derive", "--loss", "--link", "identity"]) == 2
    assert "expected one argument" in capsys.readouterr().err


def test_softmax_takes_classes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "softmax_ce", "--classes", "2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == 2


def test_results_a_deadline_cut_short_are_not_kept_for_the_next_call() -> None:
    # Found by the review of the forked shares: prove's memo kept a deadline's "unknown"
    # and answered the next call, made without a deadline, with it.
    from lossproof.claims import _prove, prove
    from lossproof.losses import get_loss

    _prove.cache_clear()
    with command_deadline(0):  # passed before the claim starts: cut short whatever is cached
        cut = prove(get_loss("bce"), ["isMinOn_bce_p"], workers=1)
    assert [r.status for r in cut] == ["unknown"]
    assert [r.status for r in prove(get_loss("bce"), ["isMinOn_bce_p"], workers=1)] == ["proved"]


def test_a_claim_cut_short_before_it_was_built_is_still_stated(capsys: pytest.CaptureFixture[str]) -> None:
    # A claim the time limit stopped before it was built is reported from a placeholder,
    # whose statement is written from its subject: KL's needs the target (an IndexError,
    # with its traceback, for --time-limit 0.05).
    from lossproof.claims import _prove

    _prove.cache_clear()
    assert main(["prove", "bce", "--claim", "bce_sub_entropy_eq_kl", "--time-limit", "1e-9"]) == 1
    out, err = capsys.readouterr()
    assert "bce_sub_entropy_eq_kl" in out and "unknown" in out and "H(y)" in out
    assert "Traceback" not in err
