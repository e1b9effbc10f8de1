"""Compile a LaTeX file with pdflatex and read it back with pdftotext, for the document tests.

The tools are optional (Debian: texlive-latex-base, poppler-utils): a test that needs them is
skipped with that reason, except under LOSSPROOF_REQUIRE_TOOLS=1 (.ci/run's full run), where
their absence is a failure (tests/conftest.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .conftest import require

#: Glyphs that a text-mode relation prints as in the OT1 font encoding: > < and |.
WRONG_GLYPHS = ("¿", "¡", "—")
#: How pdftotext writes what LaTeX's math prints, to compare with plain text.
_READ_BACK = {"̸=": "≠", "−": "-", "\u00a0": " "}


def require_tools() -> None:
    """Skip (fail under LOSSPROOF_REQUIRE_TOOLS=1) unless pdflatex and pdftotext are installed."""
    require("pdflatex", "pdftotext")


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
