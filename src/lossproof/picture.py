"""Pictures for the README: the first page of the standalone document, as PNG.

pdflatex compiles the document and pdftoppm (poppler) renders page 1. With the
date pinned (``SOURCE_DATE_EPOCH``, ``FORCE_SOURCE_DATE``) both are deterministic
on a given TeX installation, so ``lossproof render --check`` can compare bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import LossproofError

__all__ = ["TOOLS", "tools_missing", "first_page_png"]

#: The external programs a picture needs (Debian: texlive-latex-base, poppler-utils).
TOOLS = ("pdflatex", "pdftoppm")
#: Resolution of the rendered page, in dots per inch.
DPI = 80


def tools_missing() -> list[str]:
    """The programs of :data:`TOOLS` that are not on PATH."""
    return [t for t in TOOLS if shutil.which(t) is None]


def first_page_png(tex: str, files: Mapping[str, bytes] | None = None) -> bytes:
    """Compile ``tex`` and return its first page as PNG bytes; ``files`` (name -> content)
    are written beside it first, such as a figure it includes.

    Raises:
        LossproofError: a tool is missing, or the document does not compile.
    """
    missing = tools_missing()
    if missing:
        raise LossproofError(f"{', '.join(missing)} not found: install texlive-latex-base and poppler-utils")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "doc.tex").write_text(tex, encoding="utf-8")
        for name, data in (files or {}).items():
            (folder / name).write_bytes(data)
        for _ in range(2):  # twice, so that references settle
            proc = subprocess.run(
                ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "doc.tex"],
                cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False,
            )
            if proc.returncode != 0:
                raise LossproofError(f"pdflatex failed: {proc.stdout[-500:]}")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", "doc.pdf", "page"],
            cwd=folder, env=env, capture_output=True, timeout=120, check=True,
        )
        return (folder / "page.png").read_bytes()
