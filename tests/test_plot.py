"""Plots: deterministic SVG, minima marked only where a minimiser is proved."""

from __future__ import annotations

import pytest

from lossproof.cli import main
from lossproof.losses import get_loss
from lossproof.plot import plot_bytes


pytestmark = pytest.mark.needs("matplotlib")


def test_svg_is_deterministic() -> None:
    losses = [get_loss("bce"), get_loss("mse")]
    first, second = plot_bytes(losses, "svg"), plot_bytes(losses, "svg")
    assert first == second and first.startswith(b"<?xml")


def test_minima_are_marked_where_proved(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    from dataclasses import replace

    plot = importlib.import_module("lossproof.plot")
    assert plot._minimiser(get_loss("bce"), 0.1) == pytest.approx(0.1)
    assert plot._minimiser(get_loss("poisson"), 0.5) == pytest.approx(0.5)
    # The same claim, had it not been proved: no marker.
    real = plot.prove
    monkeypatch.setattr(plot, "prove", lambda loss: [replace(r, status="unknown") for r in real(loss)])
    assert plot._minimiser(get_loss("bce"), 0.1) is None


def test_plot_command(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "bce", "poisson", "-o", str(tmp_path / "f.png")]) == 0
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")
    assert main(["plot", "bce", "-o", str(tmp_path / "f.gif")]) == 2
    assert "cannot write a plot as 'gif'" in capsys.readouterr().err
