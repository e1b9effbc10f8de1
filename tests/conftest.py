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
    # 5x the everyday count, derandomized; 300 keeps CI's everyday pass under its minute on
    # 2 cores (at 500 it took 59 to 63 s), the extended sweeps being in the slow tier.
    max_examples=300,
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
    "pdftotext": (_program("pdftotext"), "apt-get install poppler-utils"),
    "matplotlib": (_module("matplotlib"), "pip install -e '.[plots]'"),
    "torch": (_module("torch"), "pip install -e '.[torch]'"),
    "coqc": (_program("coqc"), "apt-get install coq libcoq-coquelicot libcoq-interval"),
    "cc": (lambda: shutil.which("cc") is not None or shutil.which("gcc") is not None, "apt-get install gcc"),
    # Running docs/example.ipynb: nbclient drives an IPython kernel (ipykernel), nbformat reads it.
    "nbclient": (lambda: all(importlib.util.find_spec(m) is not None for m in ("nbclient", "nbformat", "ipykernel")), "pip install -e '.[notebook]'"),
}


def require(*tools: str) -> None:
    """Skip the running test (fail it under LOSSPROOF_REQUIRE_TOOLS=1) unless ``tools`` are installed.

    The imperative form of ``@pytest.mark.needs(...)``, for fixtures and helpers.
    """
    for tool in tools:
        present, install = OPTIONAL_TOOLS[tool]
        if present():
            continue
        if REQUIRE_TOOLS:
            pytest.fail(f"{tool} is missing and LOSSPROOF_REQUIRE_TOOLS=1 requires it: {install}", pytrace=False)
        pytest.skip(f"{tool} not installed ({install})")


#: Tests that run in CI's second pass (`python -m pytest -m slow`), not in the everyday
#: suite, which stays under a minute on 2 cores: extended sweeps (the adversarial corpus's
#: longer rows, every emitted-code audit), programs run to their limits (interrupts, full
#: disks, time limits) and whole-document compiles. Each still runs in CI on every change.
SLOW = (
    "tests/test_cover.py::test_a_forged_cover_is_never_proved[z's",  # 3 s: the logistic chart's claim refuted by search
    "tests/test_adversarial.py::test_more_typed_claims",
    "tests/test_adversarial.py::test_more_forgeries_are_refused",
    "tests/test_coq.py::test_other_losses_are_exported_where_the_tactics_reach",
    "tests/test_codegen.py::test_emitted_numpy_is_within_2_ulp_at_hard_labels",
    "tests/test_codegen.py::test_emitted_c_is_within_2_ulp_at_hard_labels",
    "tests/test_codegen.py::test_every_rewrite_is_checked_equal_to_the_derivation",
    "tests/test_hostile.py::test_an_expensive_certificate_stops_at_the_time_limit",
    "tests/test_hostile.py::test_ctrl_c_",
    "tests/test_hostile.py::test_large_stdout_on_a_full_disk_is_one_line",
    "tests/test_hostile.py::test_stdout_on_a_full_disk_is_one_line",
    "tests/test_document.py::test_every_committed_article_compiles_and_prints_as_written",
    "tests/test_document.py::test_standalone_compiles_with_pdflatex",
    "tests/test_audit.py::test_cli_",
    "tests/test_audit.py::test_parallel_truths_equal_serial_ones",
    "tests/test_audit.py::test_search_climbs_and_is_reproducible",
    # 8 s: log-cosh's truth against one evaluation at 2000 bits (the other losses stay fast)
    "tests/test_audit.py::test_truth_by_ball_agrees_with_mpmath_at_high_precision_at_cancelling_points[logcosh]",
    "tests/test_kernel_bracket.py::test_a_hole_at_the_probe_point_does_not_break_the_claim",  # 2.3 s: builds whole claims
    "tests/test_codegen.py::test_naive_lambdify_of_the_same_expression_fails_the_same_audit",
    "tests/test_codegen.py::test_grad_p_is_within_2_ulp_next_to_its_zero",
    "tests/test_codegen.py::test_emitted_c_grad_p_is_within_2_ulp_next_to_its_zero",
    "tests/test_codegen.py::test_emitted_jax_",
    "tests/test_codegen.py::test_next_to_an_irrational_zero_the_pairs_keep_2_ulp[mse]",
    "tests/test_codegen.py::test_next_to_an_irrational_zero_the_pairs_keep_2_ulp[logcosh]",
    "tests/test_codegen.py::test_emitted_numpy_is_within_2_ulp_next_to_the_zeros_in_z",
    "tests/test_codegen.py::test_emitted_c_is_within_2_ulp_next_to_the_zeros_in_z",
    # The bracket rule: the z claim, round trips, and attacks that build whole claims.
    "tests/test_kernel_bracket.py::test_focal_minimiser_claims_are_proved[isMinOn_focal_z]",
    "tests/test_kernel_bracket.py::test_a_bracket_survives_a_certificate_round_trip",
    "tests/test_kernel_bracket.py::test_coq_does_not_export_a_claim_whose_bracket_it_cannot_state",
    "tests/test_kernel_bracket.py::test_a_negative_factor_is_refused",
    "tests/test_kernel_bracket.py::test_a_bracket_end_outside_the_interval_is_not_proved",
    "tests/test_kernel_bracket.py::test_a_typed_in_loss_without_a_closed_form_gets_a_bracket",
    "tests/test_kernel_bracket.py::test_a_min_value_bracket_that_differs_from_its_part_is_refused",
    # Seconds each in the everyday suite, which has to stay under a minute on 2 cores.
    "tests/test_cover.py::test_a_million_boxes_are_refused_in_one_line_and_fast",
    "tests/test_document.py::test_fragments_parse_back_to_their_source",
    "tests/test_kernel_bracket.py::test_focal_minimiser_claims_are_proved[min_value_focal]",
    "tests/test_adversarial.py::test_forgery_is_refused[kink_limits_swapped]",
    "tests/test_cli.py::test_console_script_exit_status",
    # CI also re-checks every committed file with `render --check` and `check proofs/`.
    "tests/test_certificate.py::test_committed_certificates_recheck",
    "tests/test_certificate.py::test_committed_bce_files_are_what_the_code_generates",
    "tests/test_certificate.py::test_a_hole_without_its_kink_part_and_a_doubled_kink_part_are_refused",
    "tests/test_certificate.py::test_flipping_a_sign_inside_an_expression_fails",
    "tests/test_branch_bound.py::test_polynomial_verdicts_agree_with_z3",
    "tests/test_branch_bound.py::test_both_implementations_enclose_the_value_at_a_point_of_the_box",
    "tests/test_coq.py::test_printed_term_has_sympy_s_value",
    "tests/test_hostile.py::test_hostile_certificates_are_one_line",
    "tests/test_softmax.py::test_convex_at_256_classes_under_ten_seconds",
    "tests/test_start.py::test_ctrl_c_during_start_up_is_one_line",
    "tests/test_testing.py::test_the_readme_pytest_file_fails_with_the_message_the_readme_shows",
    "tests/test_paper.py::test_paper_command_writes_the_article_and_its_figure",
    "tests/test_paper.py::test_the_committed_paper_compiles_with_its_figure_and_table",
    "tests/test_codegen.py::test_emitted_code_at_soft_labels_where_nothing_crosses_zero",
    "tests/test_plot.py::test_svg_is_deterministic",
    "tests/test_limits.py::test_a_limit_counts_cpu_time_not_waiting",
    "tests/test_branch_bound.py::test_an_end_decided_only_in_the_limit_is_left_unknown_with_its_region",
    # Programs with a long start: coqc building the Coq project, PyTorch's import.
    "tests/test_coq.py::test_coq_checks_every_generated_theorem",
    "tests/test_coq.py::test_print_assumptions_lists_only_the_standard_axioms_of_coq_reals",
    "tests/test_coq.py::test_a_users_file_proves_the_issue_s_statements_by_exact",
    "tests/test_coq.py::test_exact_fails_for_a_statement_lossproof_did_not_prove",
    "tests/test_coq.py::test_an_admitted_proof_is_refused_before_coqc",
    "tests/test_audit.py::test_torch_",
    # An IPython kernel's start, then the notebook's proofs and comparison.
    "tests/test_notebook.py::test_the_example_notebook_runs_and_shows_math",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs in CI's second pass (python -m pytest -m slow), not in the everyday suite")
    config.addinivalue_line(
        "markers",
        "needs(*tools): the test needs these optional tools (skipped without them, "
        "failed without them under LOSSPROOF_REQUIRE_TOOLS=1)",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers(name="needs"):
        require(*marker.args)


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
