"""The files lossproof generates into the repository, and which of them are stale.

``proofs/<loss>/<claim-id>.json`` holds a certificate per claim and
``proofs/lemmas/<id>.json`` one per lemma about log. What is on disk must equal
what the code generates: ``lossproof render --check`` says so in CI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .certificate import claim_to_dict
from .claims import claims_for
from .losses import CATALOG
from .proof import lemma_claims

__all__ = ["generated_files", "stale_files", "GENERATED_DIRS"]

#: The folders whose contents are generated (files there that the code does not make are stale).
GENERATED_DIRS = ("proofs",)
#: Hand-written files that live in generated folders.
_KEEP = {"README.md"}


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def generated_files() -> dict[str, str]:
    """Every generated file: path relative to the repository root -> content."""
    files: dict[str, str] = {}
    for loss in CATALOG.values():
        for claim in claims_for(loss):
            files[f"proofs/{loss.name}/{claim.id}.json"] = _json(claim_to_dict(claim))
    for claim in lemma_claims():
        files[f"proofs/lemmas/{claim.id}.json"] = _json(claim_to_dict(claim))
    return files


def stale_files(root: Path, files: Mapping[str, str], with_extra: bool = True) -> list[str]:
    """Generated files missing or different under ``root``, and (``with_extra``) files there the code does not make."""
    out = []
    for name, content in files.items():
        path = root / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            out.append(name)
    if with_extra:
        for folder in GENERATED_DIRS:
            for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
                name = path.relative_to(root).as_posix()
                if path.is_file() and path.name not in _KEEP and name not in files:
                    out.append(name)
    return sorted(out)
