"""The README stays true: its Quick start is what CI runs, its example outputs are today's."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from lossproof.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Quick start has a ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_them() -> None:
    commands = _quick_start()
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv ")  # PEP 668: make and enter a venv first
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci, f"{command!r} is not run by .ci/run"


def _examples() -> list[tuple[str, str]]:
    blocks = re.findall(r"```console\n\$ (.*?)\n(.*?)```", README, re.S)
    return [(cmd, out) for cmd, out in blocks]


@pytest.mark.parametrize(("command", "expected"), _examples(), ids=lambda v: str(v)[:40])
def test_example_output_is_what_the_tool_prints(
    command: str, expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "lossproof"
    monkeypatch.setattr("lossproof.cli._unicode", lambda stream: True)  # README shows a UTF-8 terminal
    monkeypatch.delenv("COLUMNS", raising=False)  # the examples are shown unwrapped, as a pipe gets them
    main(argv[1:])
    out, err = capsys.readouterr()
    assert out + err == expected
