"""Reading a JSON file that may be hostile: regular files only, bounded in size, depth and numbers.

:func:`load_json_file` is the one way lossproof reads JSON it did not just write
(certificates). Every problem is a :class:`~lossproof.errors.CertificateError`
of one line that names the file, never a traceback and never a hang:

- only a regular file is opened (a FIFO named ``*.json`` would block ``open`` for
  ever), checked before opening and again on the open descriptor, which is opened
  non-blocking in case the file was swapped in between;
- at most ``max_bytes`` are read, whatever the file claims its size is;
- nesting deeper than ``max_depth`` is refused before the JSON parser runs (CPython's
  parser recurses, and 100,000 brackets end in ``RecursionError``);
- an integer of more than :data:`MAX_INTEGER_DIGITS` digits, ``NaN`` or ``Infinity``
  and a key given twice in one object are refused (``json`` would accept the last two
  silently, and an integer of 5000 digits raises ``ValueError``).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "c.json"
>>> _ = path.write_text('{"a": [1, 2]}')
>>> load_json_file(path, max_bytes=1000, max_depth=4)
{'a': [1, 2]}
>>> _ = path.write_text('{"a": 1, "a": 2}')
>>> load_json_file(path, max_bytes=1000, max_depth=4)
Traceback (most recent call last):
lossproof.errors.CertificateError: .../c.json: key 'a' appears twice in one object
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from .errors import CertificateError

__all__ = ["load_json_file", "MAX_INTEGER_DIGITS"]

#: Longest integer literal accepted: no certificate needs more, and int() of a longer one is slow.
MAX_INTEGER_DIGITS = 1000

# A JSON string (the unrolled form: no nested quantifiers, so matching is linear) or a bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


class _Refused(ValueError):
    """A hook's refusal, turned into CertificateError with the file's name."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"key {key[:40]!r} appears twice in one object")
        out[key] = value
    return out


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"an integer of {len(text.lstrip('-'))} digits (the limit is {MAX_INTEGER_DIGITS})")
    return int(text)


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _depth(text: str) -> int:
    """The deepest nesting of ``text``, brackets inside strings not counted (no recursion)."""
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _read_regular(path: Path, max_bytes: int) -> bytes:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CertificateError(f"{path}: not a regular file")
    if info.st_size > max_bytes:
        raise CertificateError(f"{path}: larger than {max_bytes} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped after the first look
            raise CertificateError(f"{path}: not a regular file")
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise CertificateError(f"{path}: larger than {max_bytes} bytes")
    return data


def load_json_file(path: Path | str, *, max_bytes: int, max_depth: int) -> Any:
    """Read and parse the JSON file at ``path`` within the limits.

    Args:
        path: the file; it must be a regular file (or a link to one).
        max_bytes: the most bytes read; a larger file is refused.
        max_depth: the deepest nesting of arrays and objects accepted.

    Returns:
        The parsed value (dicts, lists, str, int, float, bool, None).

    Raises:
        CertificateError: one line naming the file and what is wrong with it.
    """
    path = Path(path)
    data = _read_regular(path, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CertificateError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    deepest = _depth(text)
    if deepest > max_depth:
        raise CertificateError(f"{path}: JSON nested {deepest} deep (the limit is {max_depth})")
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_int=_integer, parse_constant=_constant)
    except _Refused as exc:
        raise CertificateError(f"{path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CertificateError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a limit of Python's own (int digits, recursion)
        raise CertificateError(f"{path}: not JSON that can be read: {type(exc).__name__}") from None
