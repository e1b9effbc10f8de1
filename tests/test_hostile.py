"""Hostile input to the command line: every case ends in a verdict or one line, in bounded time.

Each case runs the real program in a subprocess (as a user would, so that a traceback,
an interpreter's own error at exit, a hang or a runaway worker shows) and asserts its
exit status, that stderr is exactly one line (and which), a bound on its time and,
where memory is the risk, on the peak memory of the process and its workers. The
default run takes a fast sample (one case of each class); the `ci` Hypothesis profile
(HYPOTHESIS_PROFILE=ci, or CI=true) runs the whole corpus. Cases run several at a time
(one per core), so the time bounds leave room for a loaded machine; they are still far
below the minutes these inputs took before they were bounded.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import PROFILE

ROOT = Path(__file__).resolve().parent.parent
PROOFS = ROOT / "proofs"
FULL = PROFILE == "ci"

#: CPU seconds a refusal may take (the program and its workers): an interpreter start with
#: SymPy and Z3 imported is about 0.5 s. Work that runs away is caught by this bound.
REFUSAL_SECONDS = 10.0
#: Seconds by the clock a case may take beyond its own limit: a hang (which uses no CPU)
#: is caught by this bound. Generous, since the cases run several at a time beside the
#: rest of the suite, on a machine that may be shared (the import alone takes 0.6 s idle).
WALL_SLACK = 45.0
#: Seconds within which Ctrl-C must end a command (the issue's bound).
INTERRUPT_SECONDS = 2.0
#: Peak resident memory of a command and its workers on a capped input, in MB: the cap is
#: 1 GB of growth per process (lossproof.timeout.USER_MEMORY_BYTES) and two workers run.
MEMORY_MB = 1400


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str
    seconds: float  # by the clock
    cpu_seconds: float  # user and system time of the program and its workers
    max_rss_mb: float  # the sum of each process's peak resident memory


def run(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdout: object = None, timeout: float = 120.0, python: Sequence[str] | None = None) -> Run:
    """Run ``lossproof ARGV`` and measure it: time, CPU time and peak memory, its workers' included."""
    command = list(python or [sys.executable, "-m", "lossproof"]) + list(argv)
    start = time.monotonic()
    with open(os.devnull, "rb") as stdin:
        proc = subprocess.Popen(
            command, cwd=cwd, env={**os.environ, **(env or {})}, stdin=stdin,
            stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
        )
    out_err: dict[str, bytes] = {}

    readers = [
        threading.Thread(target=lambda k=k, f=f: out_err.__setitem__(k, f.read()), daemon=True)
        for k, f in (("out", proc.stdout), ("err", proc.stderr)) if f is not None
    ]
    for reader in readers:
        reader.start()
    # Peak memory: each process's VmHWM, read while it runs. (wait4's ru_maxrss would also
    # count the RSS of this test process, which the child had before its exec.)
    peaks: dict[int, int] = {}
    while True:
        pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        for process in [proc.pid, *_live_descendants(proc.pid)]:
            peaks[process] = max(peaks.get(process, 0), _peak_kb(process))
        if time.monotonic() - start > timeout:
            proc.kill()
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    seconds = time.monotonic() - start
    for reader in readers:
        reader.join(10)
    return Run(proc.returncode, out_err.get("out", b"").decode("utf-8", "replace"),
               out_err.get("err", b"").decode("utf-8", "replace"), seconds,
               usage.ru_utime + usage.ru_stime, sum(peaks.values()) / 1024)


def _peak_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def within(result: Run, cpu_seconds: float, limit: float = 0.0) -> None:
    """The run used less than ``cpu_seconds`` of CPU and ended within ``limit`` + WALL_SLACK by the clock."""
    assert result.cpu_seconds < cpu_seconds, f"used {result.cpu_seconds:.1f} s of CPU, bound {cpu_seconds} s"
    assert result.seconds < limit + WALL_SLACK, f"took {result.seconds:.1f} s, bound {limit + WALL_SLACK} s"


def one_line(result: Run) -> str:
    assert "Traceback" not in result.err, result.err[-3000:]
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err[-3000:]
    return result.err


# ---------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Case:
    """A command, the exit status it must end with and what its one line on stderr says."""

    id: str
    argv: tuple[str, ...]
    status: int
    stderr: str | None  # a regular expression the one line matches; None: stderr empty
    seconds: float = REFUSAL_SECONDS  # CPU seconds (see within())
    limit: float = 0.0  # the --time-limit given, if any: the clock's bound is this plus WALL_SLACK
    fast: bool = False  # in the default run's sample
    memory_mb: float | None = None
    stdout: str | None = None  # a regular expression stdout matches
    python: tuple[str, ...] | None = field(default=None)


# The memory cap, lowered so that a test reaches it in seconds: the program itself, with
# its one constant set before it runs.
_CAPPED = (sys.executable, "-c",
           "import sys, lossproof.timeout as t; t.USER_MEMORY_BYTES = 32 << 20; "
           "from lossproof.cli import main; sys.argv[0] = 'lossproof'; sys.exit(main())")
PWNED = os.path.join(tempfile.gettempdir(), f"lossproof-pwned-{os.getpid()}")
_HEAVY = "((p+y)**8+1)**16"  # degree 128, at the limit: minutes of SymPy work, 400 MB in 20 s

CASES = [
    # Typed-in losses that made SymPy or mpmath raise: one line, exit 2, at the derive boundary.
    Case("derive-overflow", ("derive", "--loss", "exp(exp(exp(exp(exp(exp(p))))))"), 2, r"SymPy cannot differentiate it \(OverflowError", fast=True),
    Case("derive-abs-log", ("derive", "--loss", "abs(log(p)-y)"), 2, r"SymPy cannot differentiate it \(ValueError"),
    Case("latex-overflow", ("latex", "--loss", "exp(exp(exp(exp(exp(exp(p))))))"), 2, r"SymPy cannot typeset it \(OverflowError"),
    Case("latex-step-does-not-check", ("latex", "--loss", "abs(log(p)-y)"), 2, r"lossproof cannot typeset it: a step did not check"),
    # prove catches the same inputs: its claims end unknown (here at the command's time limit).
    Case("prove-abs-log", ("prove", "--loss", "abs(log(p)-y)", "--time-limit", "1.5"), 1, None, seconds=1.5 + 12, limit=1.5, stdout=r"unknown"),
    # Sizes: refused before anything is built.
    Case("degree-of-powers", ("derive", "--loss", "((p+y)**64+1)**64"), 2, r"degree 4096, more than 128", fast=True),
    Case("degree-of-product", ("prove", "--loss", "p**64*y**64*p"), 2, r"degree 129, more than 128"),
    Case("tower-exponent", ("derive", "--loss", "p**(10**10**10)"), 2, r"larger than 64"),
    Case("long-number", ("derive", "--loss", "1" * 40 + "*p"), 2, r"more than 30 digits"),
    Case("long-text", ("derive", "--loss", "p" + "+p" * 600), 2, r"limit is 1000"),
    Case("deep-nesting", ("derive", "--loss", "(" * 300 + "p" + ")" * 300), 2, r"nested|too deep"),
    # Code, never run.
    Case("injection", ("derive", "--loss", f"__import__('os').system('touch {PWNED}')"), 2, r"is not allowed", fast=True),
    Case("dunder-attribute", ("prove", "--loss", "p.__class__"), 2, r"attribute access"),
    Case("lambda", ("derive", "--loss", "(lambda: p)()"), 2, r"not allowed"),
    # Look-alike characters are refused, not folded to ASCII.
    Case("fullwidth", ("derive", "--loss", "ｐ*y"), 2, r"FULLWIDTH LATIN SMALL LETTER P", fast=True),
    Case("math-bold", ("derive", "--loss", "-y*𝐥𝐨𝐠(p)"), 2, r"MATHEMATICAL BOLD SMALL L"),
    Case("unicode-minus", ("derive", "--loss", "p−y"), 2, r"MINUS SIGN"),
    Case("zero-width-space", ("derive", "--loss", "p\u200b*y"), 2, r"ZERO WIDTH SPACE"),
    # A leading minus is an expression, not an option.
    Case("leading-minus", ("derive", "--loss", "-log(p)", "--link", "identity", "--format", "json"), 0, None, stdout=r'"expr": "-1/p"', fast=True),
    Case("leading-minus-equals", ("derive", "--loss=-log(p)", "--link", "identity"), 0, None),
    # Options that do not apply are refused, not ignored.
    Case("link-on-catalog", ("derive", "bce", "--link", "identity"), 2, r"--link identity applies only to --loss EXPR", fast=True),
    Case("classes-on-scalar", ("derive", "bce", "--classes", "4"), 2, r"--classes 4 applies only to softmax_ce"),
    Case("classes-on-typed-in", ("prove", "--loss", "p*y", "--classes", "4"), 2, r"applies only to softmax_ce, not to --loss EXPR"),
    Case("order-on-softmax", ("derive", "softmax_ce", "--order", "1"), 2, r"--wrt and --order do not apply to softmax_ce"),
    Case("classes-out-of-range", ("derive", "softmax_ce", "--classes", "257"), 2, r"--classes 257"),
    Case("empty-root", ("render", "--root", ""), 2, r"--root ''", fast=True),
    Case("time-limit-zero", ("prove", "--time-limit", "0"), 2, r"give seconds above 0"),
    Case("time-limit-nan", ("prove", "--time-limit", "nan"), 2, r"give seconds above 0"),
    Case("time-limit-huge", ("prove", "--time-limit", "1e300"), 2, r"at most 86400"),
    # Writes that cannot happen: one line, exit 2.
    Case("output-dev-full", ("latex", "-o", "/dev/full"), 2, r"'/dev/full' is not a regular file", fast=True),
    Case("output-proc", ("latex", "-o", "/proc/lossproof.tex"), 2, r"cannot write '/proc/lossproof.tex'"),
    Case("output-sys", ("markdown", "-o", "/sys/lossproof.md"), 2, r"cannot write '/sys/lossproof.md'"),
    Case("output-name-too-long", ("latex", "-o", "/tmp/" + "n" * 300 + ".tex"), 2, r"File name too long"),
    Case("output-missing-folder", ("markdown", "-o", "/nonexistent-lossproof/x.md"), 2, r"does not exist"),
    # Limits: past the command's time limit, claims are unknown and the command ends.
    Case("command-time-limit", ("prove", "--loss", _HEAVY, "--time-limit", "1.5"), 1, None, seconds=1.5 + 12, limit=1.5,
         stdout=r"unknown \(time limit\)", memory_mb=MEMORY_MB, fast=True),
    Case("derive-time-limit", ("derive", "--loss", _HEAVY, "--time-limit", "1.5"), 1, r"time limit", seconds=1.5 + 12, limit=1.5),
    # Memory: past the cap (lowered here to 32 MB), the claim is unknown (memory limit).
    Case("memory-limit-prove", ("prove", "--loss", _HEAVY, "--claim", "strictConvexOn_custom_p"), 1, None, seconds=40,
         stdout=r"unknown \(memory limit\)", memory_mb=400, python=_CAPPED),
    Case("memory-limit-derive", ("derive", "--loss", _HEAVY), 1, r"memory limit of 32 MB exceeded", seconds=40,
         memory_mb=400, python=_CAPPED),
    # Certificates.
    Case("check-missing", ("check", "no/such/file.json"), 2, r"neither a file nor a folder"),
]


def _selected() -> list[Case]:
    return [c for c in CASES if FULL or c.fast]


_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
_STARTED: dict[str, Future[Run]] = {}
_LOCK = threading.Lock()


def start(cases: Sequence[Case]) -> None:
    """Start ``cases`` in the background, a core each.

    Called by tests/conftest.py once the session's tests are collected, so the corpus
    runs beside the rest of the suite rather than after it; a case not started by then
    starts when its test asks for it.
    """
    with _LOCK:
        for case in cases:
            if case.id not in _STARTED:
                _STARTED[case.id] = _POOL.submit(run, case.argv, python=case.python, cwd=Path(tempfile.gettempdir()))


def _result(case: Case) -> Run:
    start([case])
    return _STARTED[case.id].result()


@pytest.mark.parametrize("case", _selected(), ids=lambda c: c.id)
def test_hostile_case(case: Case) -> None:
    result = _result(case)
    assert result.status == case.status, (result.status, result.err[-2000:], result.out[-500:])
    if case.stderr is None:
        assert "Traceback" not in result.err and result.err == "", result.err[-2000:]
    else:
        assert re.search(case.stderr, one_line(result)), result.err
    if case.stdout is not None:
        assert re.search(case.stdout, result.out), result.out[-2000:]
    within(result, case.seconds, case.limit)
    if case.memory_mb is not None:
        assert result.max_rss_mb < case.memory_mb, f"peak {result.max_rss_mb:.0f} MB, bound {case.memory_mb} MB"


def test_injection_ran_nothing() -> None:
    # The injection case would have made this file, had it run any code.
    _result(next(c for c in CASES if c.id == "injection"))
    assert not Path(PWNED).exists()


# ---------------------------------------------------------------- cases with files


def test_trailing_slash_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    result = run(["latex", "-o", f"{tmp_path}/new/"])
    assert result.status == 2 and "names a folder" in one_line(result)
    assert list(tmp_path.iterdir()) == []


def test_stdout_on_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        result = run(["derive", "bce"], stdout=full)
    assert result.status == 2
    assert one_line(result) == "lossproof: error: cannot write the output: No space left on device\n"


@pytest.mark.skipif(not FULL, reason="the whole corpus runs under the ci profile")
def test_large_stdout_on_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:  # more than a buffer: the error comes mid-command
        result = run(["prove", "bce", "--format", "json"], stdout=full)
    assert result.status == 2 and "No space left on device" in one_line(result)


def _certificate() -> dict:
    return json.loads((PROOFS / "bce" / "strictConvexOn_bce_p.json").read_text(encoding="utf-8"))


def _hostile_certificates(folder: Path) -> dict[str, str]:
    """Certificate files that once ended in tracebacks or hangs, by name -> what the one line says."""
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "long-integer.json").write_text('{"format": ' + "9" * 5000 + "}")
    data = _certificate()
    data["parts"][0]["domain"]["intervals"][0][0] = {"a": 1}  # a dict where a name is expected
    (folder / "dict-as-name.json").write_text(json.dumps(data))
    data = _certificate()
    data["variables"] = [["y"], "p"]  # a list where a name is expected
    (folder / "list-as-name.json").write_text(json.dumps(data))
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00")
    return {
        "deep.json": r"deep\.json: ",
        "long-integer.json": r"long-integer\.json: ",
        "dict-as-name.json": r"dict-as-name\.json: ",
        "list-as-name.json": r"list-as-name\.json: ",
        "binary.json": r"binary\.json: ",
    }


def test_hostile_certificates_are_one_line(tmp_path: Path) -> None:
    expected = _hostile_certificates(tmp_path)
    names = sorted(expected) if FULL else ["deep.json"]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = dict(zip(names, pool.map(lambda n: run(["check", str(tmp_path / n)]), names)))
    for name, result in results.items():
        assert result.status == 2, (name, result.err)
        assert re.search(expected[name], one_line(result)), result.err
        within(result, REFUSAL_SECONDS)


def test_a_fifo_in_a_folder_does_not_block_check(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(_certificate()))
    os.mkfifo(tmp_path / "fifo.json")
    result = run(["check", str(tmp_path)], timeout=60)
    assert result.status == 2 and "fifo.json' is not a regular file" in one_line(result)
    within(result, REFUSAL_SECONDS)


@pytest.mark.skipif(not FULL, reason="the whole corpus runs under the ci profile")
def test_an_expensive_certificate_stops_at_the_time_limit(tmp_path: Path) -> None:
    data = _certificate()
    step = data["parts"][0]["steps"][0]
    step["function"], step["result"] = _HEAVY, "((p+y)**8+2)**16"
    (tmp_path / "expensive.json").write_text(json.dumps(data))
    result = run(["check", str(tmp_path / "expensive.json"), "--time-limit", "1.5"])
    assert result.status == 1 and result.err == ""
    assert "unknown" in result.out and "time limit" in result.out
    within(result, 1.5 + 12, limit=1.5)


# ---------------------------------------------------------------- interrupts


def _live_descendants(pid: int) -> list[int]:
    """The processes below ``pid`` that have not ended: the program's own walk of the
    process tree (the one its Ctrl-C handling uses), without the zombies."""
    from lossproof.interrupt import _descendants

    return [child for child in _descendants(pid) if _alive(child)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2 :].split()[0] != "Z"


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def interrupt(argv: Sequence[str], *, cwd: Path, wait_for_workers: int) -> tuple[Run, list[int]]:
    """Start the command, wait until it works (its workers too), send SIGINT, measure.

    The program handles Ctrl-C once it has started: Python's imports come first (about
    half a second, longer on a loaded machine), and the handler's watcher thread is the
    program's second thread, which is how the test knows it has started.
    """
    proc = subprocess.Popen([sys.executable, "-m", "lossproof", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and _threads(proc.pid) < 2:
        time.sleep(0.05)
    while time.monotonic() < deadline:
        workers = _live_descendants(proc.pid)
        if len(workers) >= wait_for_workers:
            break
        time.sleep(0.05)
    time.sleep(1.0)  # into the work (the workers into their claims), not just started
    assert proc.poll() is None, "the command ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    seconds = time.monotonic() - sent
    # The workers are killed before the command exits; their ends are seen a moment later.
    end = time.monotonic() + 1
    while time.monotonic() < end and any(_alive(w) for w in workers):
        time.sleep(0.05)
    return Run(proc.returncode, out.decode(), err.decode(), seconds, 0.0, 0.0), [w for w in workers if _alive(w)]


def test_ctrl_c_ends_prove_and_its_workers(tmp_path: Path) -> None:
    result, left = interrupt(["prove", "--loss", _HEAVY], cwd=tmp_path, wait_for_workers=min(2, os.cpu_count() or 1))
    assert result.status == 130
    assert one_line(result) == "lossproof: interrupted\n"
    assert result.seconds < INTERRUPT_SECONDS
    assert left == []


@pytest.mark.skipif(not FULL, reason="the whole corpus runs under the ci profile")
def test_ctrl_c_leaves_no_partial_document(tmp_path: Path) -> None:
    target = tmp_path / "doc.tex"
    result, left = interrupt(["latex", "--standalone", "--loss", _HEAVY, "-o", str(target)], cwd=tmp_path,
                             wait_for_workers=min(2, os.cpu_count() or 1))
    assert result.status == 130 and one_line(result) == "lossproof: interrupted\n"
    assert result.seconds < INTERRUPT_SECONDS
    assert left == []
    assert list(tmp_path.iterdir()) == []  # neither the document nor a temporary file


@pytest.mark.skipif(not FULL, reason="the whole corpus runs under the ci profile")
def test_ctrl_c_ends_a_derivation(tmp_path: Path) -> None:
    result, _ = interrupt(["derive", "--loss", _HEAVY], cwd=tmp_path, wait_for_workers=0)
    assert result.status == 130 and one_line(result) == "lossproof: interrupted\n"
    assert result.seconds < INTERRUPT_SECONDS
