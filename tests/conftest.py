"""Hypothesis profiles, and the optional tools some tests need.

Profiles: `ci` is derandomized (never flaky) and thorough; `dev` is quick. `ci` is the
default when the environment says CI=true (as .ci/run runs); HYPOTHESIS_PROFILE or
--hypothesis-profile choose explicitly. Neither keeps a database of examples in the
repository, so two runs of the suite at once on one machine share no file.

Optional tools: a test marked ``@pytest.mark.needs("pdflatex")`` is skipped, with the
tool's name and install command as the reason, when the tool is missing, and runs when
it is present. With LOSSPROOF_REQUIRE_TOOLS=1 (which .ci/run sets for its second, full
run only) a missing tool fails the test instead: that run must have every tool.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=500,
    derandomize=True,
    deadline=None,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=60, deadline=None, database=None)
_TRUE = {"1", "true", "yes"}
_default = "ci" if os.environ.get("CI", "").lower() in _TRUE else "dev"
#: The profile in force: `ci` also runs the whole hostile-input corpus (tests/test_hostile.py).
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", _default)
settings.load_profile(PROFILE)

#: Set by .ci/run for its full run: every optional tool must be there.
REQUIRE_TOOLS = os.environ.get("LOSSPROOF_REQUIRE_TOOLS", "").lower() in _TRUE


def _program(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


def _module(name: str) -> Callable[[], bool]:
    return lambda: importlib.util.find_spec(name) is not None


#: Each optional tool: how to tell it is installed, and the command that installs it.
OPTIONAL_TOOLS: dict[str, tuple[Callable[[], bool], str]] = {
    "pdflatex": (_program("pdflatex"), "apt-get install texlive-latex-base"),
    "pdftoppm": (_program("pdftoppm"), "apt-get install poppler-utils"),
    "matplotlib": (_module("matplotlib"), "pip install -e '.[plots]'"),
    "torch": (_module("torch"), "pip install torch"),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs(*tools): the test needs these optional tools (skipped without them, "
        "failed without them under LOSSPROOF_REQUIRE_TOOLS=1)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers(name="needs"):
        for tool in marker.args:
            present, install = OPTIONAL_TOOLS[tool]
            if present():
                continue
            if REQUIRE_TOOLS:
                pytest.fail(f"{tool} is missing and LOSSPROOF_REQUIRE_TOOLS=1 requires it: {install}", pytrace=False)
            pytest.skip(f"{tool} not installed ({install})")


def pytest_collection_finish(session: pytest.Session) -> None:
    # The hostile-input corpus runs programs in subprocesses: start the collected cases
    # now, beside the rest of the suite (tests/test_hostile.py).
    by_module: dict[object, list[object]] = {}
    for item in session.items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        start = getattr(getattr(item, "module", None), "start", None)
        if case is not None and callable(start):
            by_module.setdefault(start, []).append(case)
    for start, cases in by_module.items():
        start(cases)
