"""Compile a LaTeX file with pdflatex and read it back with pdftotext, for the document tests.

The tools are optional locally (Debian: texlive-latex-base, poppler-utils): a test that needs
them is skipped with that reason, except in CI, where .ci/run installs them and their absence
is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: Glyphs that a text-mode relation prints as in the OT1 font encoding: > < and |.
WRONG_GLYPHS = ("¿", "¡", "—")
#: How pdftotext writes what LaTeX's math prints, to compare with plain text.
_READ_BACK = {"̸=": "≠", "−": "-", "\u00a0": " "}


def require_tools() -> None:
    """Skip (fail in CI) unless pdflatex and pdftotext are installed."""
    missing = [t for t in ("pdflatex", "pdftotext") if shutil.which(t) is None]
    if not missing:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{', '.join(missing)} missing in CI: .ci/run installs texlive-latex-base and poppler-utils")
    pytest.skip(f"{', '.join(missing)} not installed (apt-get install texlive-latex-base poppler-utils); CI runs this test")


def compile_text(tex_file: Path, out_dir: Path, passes: int = 1) -> str:
    """Compile ``tex_file`` in its own folder (so that figures beside it are found) into
    ``out_dir`` and return the PDF's text in content order, whitespace collapsed."""
    for _ in range(passes):
        proc = subprocess.run(
            ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", f"-output-directory={out_dir}", tex_file.name],
            cwd=tex_file.parent, capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 0, f"{tex_file} does not compile:\n{proc.stdout[-3000:]}"
    pdf = out_dir / (tex_file.stem + ".pdf")
    # -raw: the order TeX wrote the text in, so a step's justification column is not
    # interleaved with the lines of its formula.
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    for a, b in _READ_BACK.items():
        text = text.replace(a, b)
    # A superscript or a column ends a run of text: "s s^T, and" reads back as "s sT , and".
    return re.sub(r" ([,.;:)])", r"\1", re.sub(r"\s+", " ", text))
