"""The files lossproof generates into the repository, and which of them are stale.

``proofs/<loss>/<claim-id>.json`` holds a certificate per proved claim,
``proofs/lemmas/<id>.json`` one per lemma about log, and ``derivations/<loss>.md``
and ``derivations/<loss>.tex`` the derivations and claims. What is on disk must equal
what the code generates: ``lossproof render --check`` says so in CI.

The pictures in ``docs/`` need optional tools (:data:`PICTURES`); without them the
rest is still written and checked, and the check names the pictures it left out.
Files are written whole or not at all (:func:`lossproof.atomic.write_atomic`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from .atomic import write_atomic
from .errors import InputError

from .certificate import claim_to_dict
from .claims import prove
from .document import markdown, softmax_latex, softmax_markdown, standalone_latex
from .losses import CATALOG
from .compare import DEFAULT
from .picture import first_page_png
from .plot import plot_bytes
from .kernel import lemma_claims
from .softmax import SoftmaxCE, prove_softmax

__all__ = ["generated_files", "paper_files", "stale_files", "check_files", "write_files", "audit_files", "audits_note", "GENERATED_DIRS", "PICTURED", "PICTURES", "AUDITS"]

#: The folders whose contents are generated (files there that the code does not make are stale).
GENERATED_DIRS = ("proofs", "derivations", "docs")
#: The losses whose standalone document has its first page in docs/ (the README shows it).
PICTURED = ("bce",)
#: Each picture in docs/ and what it needs, with the command that installs it.
PICTURES: Mapping[str, str] = {
    **{f"docs/{name}.png": "pdflatex and pdftoppm (apt-get install texlive-latex-base poppler-utils)" for name in PICTURED},
    "docs/compare.svg": "matplotlib (pip install -e '.[plots]')",
    "docs/compare.pdf": "matplotlib (pip install -e '.[plots]')",
    "docs/why-bce.png": "pdflatex, pdftoppm and matplotlib (apt-get install texlive-latex-base poppler-utils; pip install -e '.[plots]')",
}
#: Hand-written files that live in generated folders.
_KEEP = {"README.md"}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=4)
def generated_files(pictures: bool | tuple[str, ...] = True, names: tuple[str, ...] | None = None) -> dict[str, str | bytes]:
    """Every generated file: path relative to the repository root -> content.

    With ``pictures``, also ``docs/<loss>.png``, the first page of the standalone
    document (needs pdflatex and pdftoppm; see :mod:`lossproof.picture`), and
    ``docs/compare.svg`` (needs matplotlib; see :mod:`lossproof.plot`). Cached per
    process: the content is a function of the code alone. Do not mutate the result.
    ``pictures`` may also name the pictures of :data:`PICTURES` to make (those whose
    tools are installed). ``names`` limits the losses (the lemmas are always included).
    """
    wanted = set(PICTURES) if pictures is True else set(pictures or ())
    files: dict[str, str | bytes] = {}
    for loss in CATALOG.values():
        if names is not None and loss.name not in names:
            continue
        results = prove(loss)
        for r in results:
            # A certificate certifies a proof: refuted and unknown claims are reported in
            # derivations/ (and by `lossproof prove`), not certified.
            if r.status == "proved":
                files[f"proofs/{loss.name}/{r.claim.id}.json"] = _json(claim_to_dict(r.claim))
        files.update(_coq_files(loss, results))
        files[f"derivations/{loss.name}.md"] = markdown(loss, results)
        files[f"derivations/{loss.name}.tex"] = tex = standalone_latex(loss, results)
        if f"docs/{loss.name}.png" in wanted:
            files[f"docs/{loss.name}.png"] = first_page_png(tex)
    if "docs/compare.svg" in wanted and names is None:
        # The comparison figure the README shows (matplotlib, the optional extra).
        files["docs/compare.svg"] = plot_bytes([CATALOG[n] for n in DEFAULT], "svg")
    if names is None:
        files.update(paper_files(wanted))
    if names is None:
        # Softmax cross-entropy, K = 3 (the CLI's default): certificates of its proved claims.
        softmax_results = prove_softmax(3)
        for r in softmax_results:
            if r.status == "proved":
                files[f"proofs/softmax_ce/{r.claim.id}.json"] = _json(claim_to_dict(r.claim))
        files["derivations/softmax_ce.md"] = softmax_markdown(SoftmaxCE(3), softmax_results)
        files["derivations/softmax_ce.tex"] = softmax_latex(SoftmaxCE(3), softmax_results)
    for claim in lemma_claims():
        files[f"proofs/lemmas/{claim.id}.json"] = _json(claim_to_dict(claim))
    if names is None:
        files.update(audit_files())
    return files


def paper_files(wanted: set[str] | frozenset[str] = frozenset(PICTURES)) -> dict[str, str | bytes]:
    """``docs/why-bce.tex`` (the article "Why binary cross-entropy?" on the compare losses),
    and of ``docs/compare.pdf`` (its figure, matplotlib) and ``docs/why-bce.png`` (its first
    page, pdflatex and pdftoppm), which the README shows, those in ``wanted``."""
    from .paper import paper_latex, paper_losses

    losses = paper_losses([CATALOG[n] for n in DEFAULT])
    tex = paper_latex(losses, figure="compare.pdf")  # beside the article in docs/
    out: dict[str, str | bytes] = {"docs/why-bce.tex": tex}
    if "docs/compare.pdf" in wanted or "docs/why-bce.png" in wanted:
        figure = plot_bytes(losses, "pdf")
        if "docs/compare.pdf" in wanted:
            out["docs/compare.pdf"] = figure
        if "docs/why-bce.png" in wanted:
            out["docs/why-bce.png"] = first_page_png(tex, {"compare.pdf": figure})
    return out


#: Where the audits of PyTorch's BCE go (generated where PyTorch is installed).
AUDITS = "docs/audits"


def audit_files() -> dict[str, str]:
    """``docs/audits/<target>.md``: PyTorch's two BCEs audited in float64 and float32.

    Empty where PyTorch is not installed (see :func:`audits_note`). The Hypothesis search
    is left out: its examples depend on Hypothesis's version, the sweep on nothing.
    """
    try:
        import torch  # noqa: F401 - only whether it is there
    except ImportError:
        return {}
    from .audit import audit, get_target, render_report
    from .losses import get_loss

    bce = get_loss("bce")
    out = {}
    for name in ("torch.bce_with_logits", "torch.bce_sigmoid"):
        target = get_target(name, bce)
        parts = [
            f"# Audit of `{name}` ({target.version})\n",
            "Written by `lossproof render` (do not edit). Each table is the deterministic sweep of",
            f"`lossproof audit {name} --quantity Q --dtype D --search 0`: the worst error per region",
            "against lossproof's derivation evaluated with mpmath at the exact binary value of each input.\n",
        ]
        for dtype in ("float64", "float32"):
            for q in target.quantities:
                parts.append(render_report(audit(target, bce, q, dtype, search_examples=0), "markdown"))
        out[f"{AUDITS}/{name.replace('.', '_')}.md"] = "\n".join(parts)
    return out


def audits_note(root: Path, files: Mapping[str, str | bytes]) -> str:
    """What ``render`` could not write or check in docs/audits/, and why ("" if nothing)."""
    if any(k.startswith(AUDITS + "/") for k in files):
        return ""
    folder = root / AUDITS
    present = sorted(p.relative_to(root).as_posix() for p in folder.glob("*.md")) if folder.is_dir() else []
    what = ", ".join(present) if present else AUDITS + "/"
    return f"not checked: {what} (PyTorch is not installed: pip install -e '.[torch]')"


def _coq_files(loss: object, results: list) -> dict[str, str]:
    """``proofs/<loss>/<claim-id>.v``: the proved claims Coq can state, as Coq theorems (see :mod:`lossproof.coq`)."""
    from .coq import coq_files_for

    return coq_files_for(loss, [r.claim for r in results if r.status == "proved"])


def stale_files(root: Path, files: Mapping[str, str | bytes], with_extra: bool = True) -> list[str]:
    """Generated files missing or different under ``root``, and (``with_extra``) files there the code does not make."""
    out = []
    for name, content in files.items():
        path = root / name
        data = content.encode("utf-8") if isinstance(content, str) else content
        if not path.is_file() or path.read_bytes() != data:
            out.append(name)
    if with_extra:
        for folder in GENERATED_DIRS:
            for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
                name = path.relative_to(root).as_posix()
                if name in PICTURES and name not in files:
                    continue  # a picture not made this time (its tools are missing): not stray
                if name.startswith(AUDITS + "/") and not any(k.startswith(AUDITS + "/") for k in files):
                    continue  # no PyTorch here: audits_note says what was not checked
                if path.is_file() and path.name not in _KEEP and name not in files:
                    out.append(name)
    return sorted(out)


def check_files(root: Path, files: Mapping[str, str | bytes], out: TextIO, pictures_unchecked: Collection[str] = ()) -> int:
    """``render --check``: name each stale file; 0 when all that could be checked is current, else 1.

    ``pictures_unchecked`` are the pictures whose tools are missing: named, not failed.
    """
    stale = stale_files(root, files, with_extra=True)
    for name in stale:
        out.write(f"differs from the code: {name}\n")
    for name in pictures_unchecked:
        out.write(f"not checked: {name} (needs {PICTURES[name]})\n")
    if stale:
        out.write("run `lossproof render` and commit the result\n")
        return 1
    out.write(f"{len(files)} generated files are current\n")
    return 0


def write_files(root: Path, files: Mapping[str, str | bytes], out: TextIO) -> None:
    """``render``: write each stale file whole (temporary file, then rename) and remove stray ones.

    Raises:
        InputError: a file cannot be written or removed (one line naming it).
    """
    for name in stale_files(root, files, with_extra=True):
        path = root / name
        if name in files:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot make the folder {str(path.parent)!r}: {exc.strerror}") from None
            write_atomic(path, files[name])
            out.write(f"wrote {name}\n")
        else:
            try:
                path.unlink()
            except OSError as exc:
                raise InputError(f"cannot remove {str(path)!r}: {exc.strerror}") from None
            out.write(f"removed {name}\n")
