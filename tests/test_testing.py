"""lossproof.testing: the strategies draw what they say, and assert_matches names the worst input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from lossproof.codegen import numpy_module
from lossproof.errors import InputError
from lossproof.losses import get_loss
from lossproof.testing import assert_matches, logits, probabilities, soft_labels


@settings(max_examples=50, deadline=None)
@given(probabilities("float32"), soft_labels("float32"), logits("float32"))
def test_strategies_stay_in_their_ranges_and_dtype(p: float, y: float, z: float) -> None:
    assert 0 < p < 1 and 0 <= y <= 1 and math.isfinite(z)
    for v in (p, y, z):
        assert float(np.float32(v)) == v  # representable in float32


def test_strategies_refuse_an_unknown_dtype() -> None:
    with pytest.raises(InputError, match="float16"):
        logits("float16")


def naive_focal(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """A focal loss (gamma = 2) as often written: sigmoid first, then the logs."""
    p = 1 / (1 + np.exp(-z))
    return -y * (1 - p) ** 2 * np.log(p) - (1 - y) * p**2 * np.log(1 - p)


def test_assert_matches_fails_a_naive_focal_loss_naming_the_input() -> None:
    with pytest.raises(AssertionError) as info:
        assert_matches(naive_focal, loss="focal", quantity="loss", dtype="float64", labels="hard", search_examples=0)
    first = str(info.value).splitlines()[0]
    assert first.startswith("naive_focal: focal loss in float64 is off by")
    assert "at y=" in first and "z=" in first and "true value" in first


def test_assert_matches_passes_lossproofs_emitted_code() -> None:
    m = numpy_module(get_loss("focal"))
    result = assert_matches(m.grad_z, loss="focal", quantity="grad_z", dtype="float32", max_ulp=2, labels="hard", search_examples=20)
    assert result.passed and result.worst.ulps <= 2


def test_assert_matches_calls_a_scalar_function_point_by_point() -> None:
    def grad_p(y: float, p: float) -> float:
        return (p - y) / (p * (1 - p))

    assert_matches(grad_p, loss="bce", quantity="grad_p", dtype="float64", labels="hard", search_examples=10)


def test_assert_matches_reports_nan() -> None:
    def bad(y: np.ndarray, z: np.ndarray) -> np.ndarray:
        return np.full_like(z, np.nan)

    with pytest.raises(AssertionError, match="off by inf ulp"):
        assert_matches(bad, loss="bce", quantity="loss", dtype="float32", labels="hard", search_examples=0)


def test_the_readme_pytest_file_fails_with_the_message_the_readme_shows() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Checking your own loss in CI", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)\n```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 11  # the "ten-line" file, blank lines aside
    namespace: dict = {}
    exec(compile(code, "<README test file>", "exec"), namespace)  # noqa: S102 - our README
    with pytest.raises(AssertionError) as info:
        namespace["test_my_focal_loss"]()
    assert f"AssertionError: {str(info.value).splitlines()[0]}" == shown
