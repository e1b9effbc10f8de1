"""``lossproof render [--check]``: the files lossproof generates into the repository, and which are stale.

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
import multiprocessing
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TextIO

from ..atomic import write_atomic
from ..errors import InputError

from ..certificate import claim_to_dict
from ..claims import prove
from ..enclosure import Enclosure, enclosures_for, remember
from ..derive import derive
from ..losses import CATALOG, Loss
from ..compare import DEFAULT
from ..picture import first_page_png
from ..plot import plot_formats
from ..kernel import ClaimResult, lemma_claims
from ..softmax import SoftmaxCE, prove_softmax
from .latex import softmax_latex, standalone_latex
from .markdown import markdown, softmax_markdown
from .notebook import NOTEBOOK, example_notebook

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

    Each loss is proved once, and its documents are written in the same process from
    those results (they share its derivatives and step checks). The losses, softmax
    cross-entropy and the audits are independent jobs, run in forked worker processes
    (one per core): the comparison's losses first, then the audits and the rest, longest
    first; the article and the figures, which need the comparison losses' results, are
    made here meanwhile. Nothing is kept between runs.
    """
    wanted = frozenset(PICTURES) if pictures is True else frozenset(pictures or ())
    whole = names is None
    losses = [loss for loss in CATALOG.values() if whole or loss.name in names]
    # The comparison's losses first (longest first), so that the article and its figure,
    # made here from their results, overlap the audits and the short jobs left.
    ordered = sorted(losses, key=lambda loss: (loss.name not in DEFAULT, -_cost(loss)))
    first = [loss for loss in ordered if loss.name in DEFAULT]
    rest = [loss for loss in ordered if loss.name not in DEFAULT]
    jobs: list[tuple[Callable[..., _JobResult], tuple[object, ...]]] = []
    jobs += [(_loss_job, (loss.name, wanted)) for loss in first]
    audited = _audit_targets() if whole else ()
    if audited:
        jobs += [(_audit_job, (audited, dtype)) for dtype in _AUDIT_DTYPES]
    jobs += [(_loss_job, (loss.name, wanted)) for loss in rest]
    if whole:
        jobs.append((_softmax_job, ()))
    files: dict[str, str | bytes] = {}
    reports: dict[tuple[str, str, str], str] = {}
    proved: dict[str, Sequence[ClaimResult]] = {}
    needed = set(DEFAULT) if whole else set()
    shared_done = not whole

    def gather(result: _JobResult) -> None:
        nonlocal shared_done
        files.update(result.files)
        reports.update(result.reports)
        if result.loss is not None:
            proved[result.loss] = result.results
            remember(CATALOG[result.loss], result.enclosed)  # the comparison shows one of them
        if not shared_done and needed <= set(proved):
            files.update(_shared_files(wanted, proved))  # while the workers go on
            shared_done = True

    if whole:
        # The workers fork from here: derivatives taken now are in each worker's cache too
        # (the comparison and the figures need these; the losses' proofs cite them).
        for name in DEFAULT:
            for wrt in ("p", "z") if CATALOG[name].link is not None else ("p",):
                derive(CATALOG[name], wrt, 1)
    count = min(len(jobs), os.cpu_count() or 1)
    if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for fn, args in jobs:
            gather(fn(*args))
    else:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(fn, *args) for fn, args in jobs]
            for future in as_completed(futures):
                gather(future.result())
    if not shared_done:
        files.update(_shared_files(wanted, proved))
    for claim in lemma_claims():
        files[f"proofs/lemmas/{claim.id}.json"] = _json(claim_to_dict(claim))
    files.update(_audit_pages(audited, reports))
    if whole:
        files[NOTEBOOK] = example_notebook()
    # One order whatever order the jobs finished in: the catalog's, as before.
    return dict(sorted(files.items()))


class _JobResult(NamedTuple):
    """What a job sends back from its worker (a NamedTuple: it pickles as a tuple)."""

    files: dict[str, str | bytes]
    #: Audit reports by (target, dtype, quantity).
    reports: dict[tuple[str, str, str], str]
    #: The loss it proved, if any, and the results.
    loss: str | None = None
    results: tuple[ClaimResult, ...] = ()
    #: The loss's enclosures of its minimiser (none where it has a closed form).
    enclosed: tuple[Enclosure, ...] = ()

#: Rough relative cost of each catalog loss's job (seconds of one core, measured): the
#: longest start first so that the two workers end together. Unlisted losses count 2.
_COSTS = {"focal": 30, "mae": 20, "logcosh": 15, "bce": 4, "mse": 3}


def _cost(loss: Loss) -> int:
    return _COSTS.get(loss.name, 2)


def _loss_job(name: str, wanted: frozenset[str]) -> _JobResult:
    """One catalog loss: its certificates, Coq theorems, derivations and (if wanted) picture."""
    loss = CATALOG[name]
    results = tuple(prove(loss, workers=1))  # this worker is one of the pool already
    files: dict[str, str | bytes] = {}
    for r in results:
        # A certificate certifies a proof: refuted and unknown claims are reported in
        # derivations/ (and by `lossproof prove`), not certified.
        if r.status == "proved":
            files[f"proofs/{loss.name}/{r.claim.id}.json"] = _json(claim_to_dict(r.claim, r))
    files.update(_coq_files(loss, list(results)))
    enclosed = enclosures_for(loss, results)  # () unless the minimiser has no closed form
    files[f"derivations/{loss.name}.md"] = markdown(loss, list(results), enclosed)
    files[f"derivations/{loss.name}.tex"] = tex = standalone_latex(loss, list(results), enclosed)
    if f"docs/{loss.name}.png" in wanted:
        files[f"docs/{loss.name}.png"] = first_page_png(tex)
    return _JobResult(files, {}, loss.name, results, enclosed)


def _softmax_job() -> _JobResult:
    """Softmax cross-entropy, K = 3 (the CLI's default): certificates of its proved claims, documents."""
    results = prove_softmax(3)
    files: dict[str, str | bytes] = {}
    for r in results:
        if r.status == "proved":
            files[f"proofs/softmax_ce/{r.claim.id}.json"] = _json(claim_to_dict(r.claim, r))
    files["derivations/softmax_ce.md"] = softmax_markdown(SoftmaxCE(3), results)
    files["derivations/softmax_ce.tex"] = softmax_latex(SoftmaxCE(3), results)
    return _JobResult(files, {})


def _audit_job(targets: tuple[str, ...], dtype: str) -> _JobResult:
    return _JobResult({}, _audit_reports(targets, dtype))


def _shared_files(wanted: frozenset[str], proved: Mapping[str, Sequence[ClaimResult]]) -> dict[str, str | bytes]:
    """The comparison figure and the article, from the comparison losses' results."""
    return paper_files(wanted, proved)


def paper_files(wanted: set[str] | frozenset[str] = frozenset(PICTURES), proved: Mapping[str, Sequence[ClaimResult]] | None = None) -> dict[str, str | bytes]:
    """``docs/why-bce.tex`` (the article "Why binary cross-entropy?" on the compare losses),
    and of ``docs/compare.svg`` (the README's figure), ``docs/compare.pdf`` (the same figure,
    the article's) and ``docs/why-bce.png`` (its first page, pdflatex and pdftoppm) those in
    ``wanted``. ``proved``: the results already known, by loss name (the others are proved here)."""
    from ..paper import paper_latex, paper_losses

    losses = paper_losses([CATALOG[n] for n in DEFAULT])
    tex = paper_latex(losses, figure="compare.pdf", proved=proved)  # beside the article in docs/
    out: dict[str, str | bytes] = {"docs/why-bce.tex": tex}
    fmts = [fmt for fmt, name in (("svg", "docs/compare.svg"), ("pdf", "docs/compare.pdf")) if name in wanted]
    if "docs/why-bce.png" in wanted and "pdf" not in fmts:
        fmts.append("pdf")
    if fmts:
        # One figure, drawn once: the README's SVG and the article's PDF are the same picture
        # (the article's losses are the comparison's, BCE first).
        figures = plot_formats(losses, fmts, proved)
        if "docs/compare.svg" in wanted:
            out["docs/compare.svg"] = figures["svg"]
        if "docs/compare.pdf" in wanted:
            out["docs/compare.pdf"] = figures["pdf"]
        if "docs/why-bce.png" in wanted:
            out["docs/why-bce.png"] = first_page_png(tex, {"compare.pdf": figures["pdf"]})
    return out


#: Where the audits of PyTorch's BCE go (generated where PyTorch is installed).
AUDITS = "docs/audits"


_AUDITED = ("torch.bce_with_logits", "torch.bce_sigmoid")
_AUDIT_DTYPES = ("float64", "float32")


def _audit_targets() -> tuple[str, ...]:
    """The targets audited into docs/audits/: none where PyTorch is not installed."""
    try:
        import torch  # noqa: F401 - only whether it is there
    except ImportError:
        return ()
    return _AUDITED


def audit_files() -> dict[str, str]:
    """``docs/audits/<target>.md``: PyTorch's two BCEs audited in float64 and float32.

    Empty where PyTorch is not installed (see :func:`audits_note`). The Hypothesis search
    is left out: its examples depend on Hypothesis's version, the sweep on nothing.
    """
    targets = _audit_targets()
    reports: dict[tuple[str, str, str], str] = {}
    for dtype in _AUDIT_DTYPES if targets else ():
        reports.update(_audit_reports(targets, dtype))
    return _audit_pages(targets, reports)


def _audit_reports(names: Sequence[str], dtype: str) -> dict[tuple[str, str, str], str]:
    """(target, dtype, quantity) -> the report in Markdown, for every quantity each target computes.

    The targets are audited side by side, so that the truth at each sweep point, the
    same for every target, is computed once (``truths_known``).
    """
    from ..audit import audit, get_target, render_report

    bce = CATALOG["bce"]
    targets = [get_target(name, bce) for name in names]
    known: dict = {}
    out = {}
    for target in targets:
        for q in target.quantities:
            result = audit(target, bce, q, dtype, search_examples=0, truths_known=known)
            out[(target.name, dtype, q)] = render_report(result, "markdown")
    return out


def _audit_pages(names: Sequence[str], reports: Mapping[tuple[str, str, str], str]) -> dict[str, str]:
    """The pages of docs/audits/ from the reports of :func:`_audit_reports`, in the dtypes' order."""
    from ..audit import get_target

    out = {}
    for name in names:
        target = get_target(name, CATALOG["bce"])
        parts = [
            f"# Audit of `{name}` ({target.version})\n",
            "Written by `lossproof render` (do not edit). Each table is the deterministic sweep of",
            f"`lossproof audit {name} --quantity Q --dtype D --search 0`: the worst error per region",
            "against lossproof's derivation evaluated with mpmath at the exact binary value of each input.\n",
        ]
        parts += [reports[(target.name, dtype, q)] for dtype in _AUDIT_DTYPES for q in target.quantities]
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
    from ..coq import coq_files_for

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
