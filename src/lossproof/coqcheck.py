"""Compiling lossproof's Coq project with ``coqc`` and reading what each theorem rests on.

:func:`check_coq` compiles ``coq/`` and the generated ``proofs/**/*.v`` in a
temporary copy and asks Coq (``Print Assumptions``, not a grep) for the axioms of
every theorem: only the standard axioms of Coq's real numbers may appear.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .coqterm import CoqError
from .errors import InputError

__all__ = [
    "COQ_INSTALL",
    "STANDARD_AXIOMS",
    "FORBIDDEN",
    "CoqReport",
    "check_coq",
    "compile_against",
    "forbidden_words",
    "parse_assumptions",
    "report_text",
]

#: How to get Coq and the two libraries the proofs use (Debian/Ubuntu).
COQ_INSTALL = "apt-get install -y coq libcoq-coquelicot libcoq-interval"

#: The axioms Coq's standard real numbers (and Coquelicot, built on them) rest on.
#: Anything else in ``Print Assumptions`` would be an assumption of lossproof's own.
STANDARD_AXIOMS = frozenset(
    {
        "ClassicalDedekindReals.sig_forall_dec",
        "ClassicalDedekindReals.sig_not_dec",
        "FunctionalExtensionality.functional_extensionality_dep",
        "Classical_Prop.classic",
    }
)

#: Seconds one ``coqc`` run may take (the slowest generated file compiles in about 3 s).
COQC_TIMEOUT_SECONDS = 300


#: Words that would leave a proof unfinished or assume something: none may appear in a .v file.
FORBIDDEN = ("Admitted", "admit", "Axiom", "Axioms", "Parameter", "Parameters", "Conjecture", "Hypothesis", "Variable")

_REQUIRE = re.compile(r"From LossProof\.Proofs\.(\w+) Require(?: Import)?\s+([\w\s]+?)\.", re.S)
_THEOREM = re.compile(r"^Theorem (\w+)\s*:", re.M)


@dataclass(frozen=True)
class CoqReport:
    """What coqc checked: each theorem (file, name), and the axioms they rest on together."""

    theorems: tuple[tuple[str, str], ...]
    axioms: tuple[str, ...]
    seconds: float
    coqc_version: str

    @property
    def foreign_axioms(self) -> tuple[str, ...]:
        """Axioms beyond the standard ones of Coq's real numbers (lossproof may have none)."""
        return tuple(a for a in self.axioms if a not in STANDARD_AXIOMS)

    @property
    def ok(self) -> bool:
        return not self.foreign_axioms


def _project_paths(root: Path) -> list[tuple[str, str]]:
    """The ``-Q dir name`` pairs of ``root/_CoqProject``."""
    project = root / "_CoqProject"
    if not project.is_file():
        raise InputError(f"{str(root)!r}: no _CoqProject there (give the repository root)")
    pairs = []
    for line in project.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] in ("-Q", "-R") and re.fullmatch(r"\w[\w/-]*", parts[1]) \
                and re.fullmatch(r"[A-Za-z][\w.]*", parts[2]):
            pairs.append((parts[1], parts[2]))  # a folder inside the root: no "..", nothing absolute
        elif parts:
            raise InputError(f"{str(project)!r}: cannot read the line {line!r} (only -Q DIR NAME, DIR inside the root)")
    if "proofs" not in dict(pairs):
        raise InputError(f"{str(project)!r}: no -Q proofs NAME line (where the generated proofs are)")
    return pairs


def forbidden_words(text: str) -> list[str]:
    """The words of :data:`FORBIDDEN` in a Coq source, as whole words.

    >>> forbidden_words("Lemma x : True. Proof. admit. Qed.")
    ['admit']
    """
    return [w for w in FORBIDDEN if re.search(rf"(?<![\w.]){w}(?![\w])", text)]


def _order(files: Mapping[str, str]) -> list[list[str]]:
    """Generated files in waves: each file after the generated files it imports."""
    deps: dict[str, set[str]] = {}
    for name, text in files.items():
        needed = set()
        for folder, mods in _REQUIRE.findall(text):
            needed |= {f"proofs/{folder}/{m}.v" for m in mods.split()}
        deps[name] = needed & set(files)
    waves, done = [], set()
    while len(done) < len(files):
        wave = sorted(n for n in files if n not in done and deps[n] <= done)
        if not wave:
            raise CoqError(f"generated Coq files import each other in a cycle: {sorted(set(files) - done)}")
        waves.append(wave)
        done |= set(wave)
    return waves


def _coqc(args: Sequence[str], cwd: Path) -> str:
    try:
        run = subprocess.run(["coqc", *args], cwd=cwd, capture_output=True, text=True, timeout=COQC_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise CoqError(f"coqc {' '.join(args)}: no answer in {COQC_TIMEOUT_SECONDS} s") from exc
    if run.returncode != 0:
        # the error, without Coquelicot's warning about coercion paths that every file prints
        lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
        start = next((i for i, ln in enumerate(lines) if "Error" in ln), 0)
        raise CoqError(f"coqc {args[-1]} failed: " + " ".join(lines[max(0, start - 1):start + 8]))
    return run.stdout


def compile_against(build_dir: Path | str, root: Path | str, source: Path | str) -> str:
    """Compile one more Coq file against a project :func:`check_coq` built in ``build_dir``.

    Returns coqc's output (what ``Print Assumptions`` and ``Check`` print).

    Raises:
        CoqError: the file does not compile, or holds a word of :data:`FORBIDDEN`.
    """
    text = Path(source).read_text(encoding="utf-8")
    bad = forbidden_words(text)
    if bad:
        raise CoqError(f"{source}: {', '.join(bad)} in a proof file")
    target = Path(build_dir) / "extra" / Path(source).name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    flags = [f for folder, logical in _project_paths(Path(root)) for f in ("-Q", folder, logical)]
    return _coqc([*flags, target.relative_to(build_dir).as_posix()], Path(build_dir))


def parse_assumptions(text: str) -> tuple[str, ...]:
    """The axiom names in the output of ``Print Assumptions``.

    >>> parse_assumptions("Axioms:\\nClassical_Prop.classic : forall P : Prop, P \\\\/ ~ P\\n")
    ('Classical_Prop.classic',)
    >>> parse_assumptions("Closed under the global context\\n")
    ()
    """
    if "Closed under the global context" in text:
        return ()
    names, inside = [], False
    for line in text.splitlines():
        if re.fullmatch(r"(Axioms|Opaque constants|Transparent constants|Section Variables):", line.strip()):
            inside = line.strip() == "Axioms:"
            continue
        if inside and line and not line[0].isspace():
            m = re.match(r"([\w.']+)(\s|$)", line)
            if m:
                names.append(m.group(1))
    if not names and "Axioms:" not in text:
        raise CoqError(f"cannot read Print Assumptions output: {text[:200]!r}")
    return tuple(names)


def check_coq(root: Path | str = ".", build_dir: Path | str | None = None, jobs: int | None = None,
              losses: Sequence[str] | None = None) -> CoqReport:
    """Compile ``coq/`` and the generated ``proofs/**/*.v`` with coqc, and read each theorem's axioms.

    The sources are copied to ``build_dir`` (a fresh temporary folder by default), so
    checking writes nothing beside them. Files that import nothing of each other
    compile in parallel (``jobs`` coqc processes, default the number of CPUs).
    ``losses`` limits the generated files to ``proofs/<loss>/`` for those losses.

    Raises:
        CoqError: coqc is missing, a file does not compile, or a file holds a word of
            :data:`FORBIDDEN`.
        InputError: ``root`` is not a repository with a readable ``_CoqProject``.
    """
    if build_dir is None:
        # a fresh folder, removed afterwards: checking leaves nothing behind
        with tempfile.TemporaryDirectory(prefix="lossproof-coq-") as tmp:
            return check_coq(root, tmp, jobs, losses)
    import time

    root = Path(root)
    pairs = _project_paths(root)  # bad input first: it is an error whether or not Coq is installed
    if shutil.which("coqc") is None:
        raise CoqError(f"coqc not found: install Coq with `{COQ_INSTALL}`")
    start = time.perf_counter()
    build = Path(build_dir)
    build.mkdir(parents=True, exist_ok=True)
    flags: list[str] = []
    library: list[str] = []
    generated: dict[str, str] = {}
    for folder, logical in pairs:
        flags += ["-Q", folder, logical]
        for path in sorted((root / folder).rglob("*.v")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            bad = forbidden_words(text)
            if bad:
                raise CoqError(f"{rel}: {', '.join(bad)} in a proof file")
            (build / rel).parent.mkdir(parents=True, exist_ok=True)
            (build / rel).write_text(text, encoding="utf-8")
            if folder == "proofs":
                if losses is None or rel.split("/")[1] in losses:
                    generated[rel] = text
            else:
                library.append(rel)
    # The library is small and each file needs the one before (Defs, then Rules).
    for rel in sorted(library, key=lambda r: (not r.endswith("Defs.v"), r)):
        _coqc([*flags, rel], build)
    workers = jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for wave in _order(generated):
            list(pool.map(lambda rel: _coqc([*flags, rel], build), wave))
    # Ask Coq, not a grep, which axioms the theorems rest on: one Print Assumptions of
    # the tuple of every theorem (each Print Assumptions takes about 2 s, for any number
    # of theorems). A theorem's axioms are among the tuple's, so none goes unchecked.
    logical = dict(pairs)["proofs"]
    theorems: list[tuple[str, str]] = []
    modules, refs = [], []
    for rel, text in sorted(generated.items()):
        module = logical + "." + rel[len("proofs/"):-2].replace("/", ".")
        for name in _THEOREM.findall(text):
            theorems.append((rel, name))
            refs.append(f"{module}.{name}")
        modules.append(module)
    axioms: tuple[str, ...] = ()
    if refs:
        (build / "Assumptions.v").write_text(
            "".join(f"Require {m}.\n" for m in modules)
            + f"Definition lossproof_all := ({', '.join(refs)}).\n"
            + 'Redirect "assumptions" Print Assumptions lossproof_all.\n',
            encoding="utf-8",
        )
        _coqc([*flags, "Assumptions.v"], build)
        axioms = parse_assumptions((build / "assumptions.out").read_text(encoding="utf-8"))
    version = subprocess.run(["coqc", "--print-version"], capture_output=True, text=True).stdout.split()[:1]
    return CoqReport(tuple(theorems), axioms, time.perf_counter() - start, version[0] if version else "?")


def report_text(report: CoqReport) -> str:
    """The report of :func:`check_coq`: one line per theorem, then the axioms."""
    lines = [f"coq      {file}  {name}" for file, name in report.theorems]
    lines.append(
        f"Print Assumptions (all {len(report.theorems)} theorems together): "
        + (", ".join(report.axioms) or "none")
    )
    if report.ok:
        lines.append("only the standard axioms of Coq's real numbers")
    else:
        lines.append("axioms beyond Coq's real numbers: " + ", ".join(report.foreign_axioms))
    lines.append(f"coqc {report.coqc_version}: {len(report.theorems)} theorems checked in {report.seconds:.1f} s")
    return "\n".join(lines) + "\n"
