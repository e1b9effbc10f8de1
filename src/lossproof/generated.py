"""The files lossproof generates into the repository, and which of them are stale.

``proofs/<loss>/<claim-id>.json`` holds a certificate per proved claim,
``proofs/lemmas/<id>.json`` one per lemma about log, and ``derivations/<loss>.md``
and ``derivations/<loss>.tex`` the derivations and claims. What is on disk must equal
what the code generates: ``lossproof render --check`` says so in CI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from .certificate import claim_to_dict
from .claims import prove
from .document import markdown, softmax_latex, softmax_markdown, standalone_latex
from .losses import CATALOG
from .compare import DEFAULT
from .picture import first_page_png
from .plot import plot_bytes
from .proof import lemma_claims
from .softmax import SoftmaxCE, prove_softmax

__all__ = ["generated_files", "stale_files", "GENERATED_DIRS", "PICTURED"]

#: The folders whose contents are generated (files there that the code does not make are stale).
GENERATED_DIRS = ("proofs", "derivations", "docs")
#: The losses whose standalone document has its first page in docs/ (the README shows it).
PICTURED = ("bce",)
#: Hand-written files that live in generated folders.
_KEEP = {"README.md"}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@lru_cache(maxsize=4)
def generated_files(pictures: bool = True, names: tuple[str, ...] | None = None) -> dict[str, str | bytes]:
    """Every generated file: path relative to the repository root -> content.

    With ``pictures``, also ``docs/<loss>.png``, the first page of the standalone
    document (needs pdflatex and pdftoppm; see :mod:`lossproof.picture`), and
    ``docs/compare.svg`` (needs matplotlib; see :mod:`lossproof.plot`). Cached per
    process: the content is a function of the code alone. Do not mutate the result.
    ``names`` limits the losses (the lemmas are always included).
    """
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
        if pictures and loss.name in PICTURED:
            files[f"docs/{loss.name}.png"] = first_page_png(tex)
    if pictures and names is None:
        # The comparison figure the README shows (matplotlib, the optional extra).
        files["docs/compare.svg"] = plot_bytes([CATALOG[n] for n in DEFAULT], "svg")
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
    return files


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
                if folder == "docs" and not any(k.startswith("docs/") for k in files):
                    continue  # pictures were not generated this time: nothing to compare
                if path.is_file() and path.name not in _KEEP and name not in files:
                    out.append(name)
    return sorted(out)
