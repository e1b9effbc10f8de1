"""A function run in a forked child (lossproof.forked), and what the command says when one dies."""

from __future__ import annotations

import os
import signal

import pytest

from lossproof import claims
from lossproof.cli import main
from lossproof.errors import InputError
from lossproof.forked import Forked, WorkerError

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class _Unpicklable(Exception):
    def __init__(self, a: int, b: int) -> None:  # two arguments: pickle rebuilds it with one
        super().__init__(f"{a} and {b}")


def _raise(exc: BaseException) -> None:
    raise exc


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_childs_value_and_its_exception_come_back() -> None:
    assert Forked(sorted, [3, 1, 2]).result() == [1, 2, 3]
    with pytest.raises(InputError, match="bad value"):
        Forked(_raise, InputError("bad value")).result()
    # One that pickle cannot rebuild comes back as its text.
    with pytest.raises(WorkerError, match="_Unpicklable: 1 and 2"):
        Forked(_raise, _Unpicklable(1, 2)).result()


def test_a_child_that_dies_is_a_worker_error() -> None:
    with pytest.raises(WorkerError, match="killed by signal 9"):
        Forked(_die).result()
    with pytest.raises(WorkerError, match="exit status 3"):
        Forked(os._exit, 3).result()


def test_the_command_says_so_in_one_line_when_a_proof_worker_dies(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    parent = os.getpid()
    share = claims._build_and_check_all

    def dies_in_the_child(jobs):  # noqa: ANN001, ANN202 - claims' own signature
        if os.getpid() != parent:
            _die()
        return share(jobs)

    monkeypatch.setattr(claims, "_build_and_check_all", dies_in_the_child)
    monkeypatch.setattr(claims, "_free_cores", lambda jobs: 2)
    claims._prove.cache_clear()
    try:
        assert main(["prove", "bce"]) == 1
    finally:
        claims._prove.cache_clear()  # no result of this run is kept for the next tests
    err = capsys.readouterr().err
    assert err == "lossproof: a worker process ended abruptly (killed, or out of memory); no verdicts\n"
