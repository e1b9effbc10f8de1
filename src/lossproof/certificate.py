"""Certificates: claims written to JSON, and read back and re-checked from the file alone.

A certificate holds a claim's parts and steps with every expression as text.
Reading one uses the whitelist parser (:mod:`lossproof.parse`), never ``eval`` or
``sympify``, and re-checks it with the engines: nothing in the file is trusted,
and nothing about the loss it came from is needed.

>>> from lossproof.losses import get_loss
>>> from lossproof.claims import claims_for
>>> claim = claims_for(get_loss("bce"))[0]
>>> claim_from_dict(claim_to_dict(claim)) == claim
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sympy
from sympy import Interval, Symbol, oo

from .engines import RELATIONS, Hypothesis
from .errors import CertificateError, InputError
from .notation import to_text
from .parse import parse_expression
from .proof import (
    LEMMAS,
    RULES,
    Claim,
    ClaimResult,
    Derivative,
    Domain,
    Identity,
    LemmaUse,
    Limit,
    Part,
    Roots,
    Sign,
    Step,
    check_claim,
)

__all__ = ["FORMAT", "claim_to_dict", "claim_from_dict", "step_to_dict", "read_certificate", "check_certificate"]

#: The format tag every certificate carries; a reader refuses any other.
FORMAT = "lossproof-certificate/1"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
_MAX_FILE_BYTES = 1_000_000
#: Longest expression in a certificate (a Hessian's quadratic form runs to a few thousand).
_MAX_EXPRESSION = 20_000


def _interval_text(iv: Interval) -> str:
    left = "(" if iv.left_open else "["
    right = ")" if iv.right_open else "]"
    return f"{left}{iv.start}, {iv.end}{right}"


def _domain_dict(d: Domain) -> dict[str, Any]:
    return {
        "intervals": [[str(s), _interval_text(iv)] for s, iv in d.intervals],
        "hypotheses": [[to_text(h.expr), h.rel] for h in d.hypotheses],
    }


def step_to_dict(step: Step) -> dict[str, Any]:
    """One step as JSON-ready data: its kind, expressions as text, domain and rule."""
    common = {"rule": step.rule, "domain": _domain_dict(step.domain)}
    if isinstance(step, Derivative):
        return {"kind": "derivative", "function": to_text(step.function), "var": str(step.var), "order": step.order, "result": to_text(step.result), **common}
    if isinstance(step, Identity):
        return {"kind": "identity", "lhs": to_text(step.lhs), "rhs": to_text(step.rhs), **common}
    if isinstance(step, Sign):
        lemmas = [[u.name, to_text(u.arg)] for u in step.lemmas]
        return {"kind": "sign", "expr": to_text(step.expr), "rel": step.rel, "lemmas": lemmas, **common}
    if isinstance(step, Roots):
        return {"kind": "roots", "expr": to_text(step.expr), "var": str(step.var), "roots": [to_text(r) for r in step.roots], **common}
    if isinstance(step, Limit):
        return {"kind": "limit", "expr": to_text(step.expr), "var": str(step.var), "point": to_text(step.point), "direction": step.direction, "value": to_text(step.value), **common}
    raise TypeError(f"not a step: {step!r}")


def claim_to_dict(claim: Claim) -> dict[str, Any]:
    """A claim as a certificate (JSON-ready data)."""
    names = sorted({str(s) for part in claim.parts for s, _ in part.domain.intervals} | {str(s) for part in claim.parts for st in part.steps for s, _ in st.domain.intervals})
    return {
        "format": FORMAT,
        "id": claim.id,
        "statement": claim.statement,
        "variables": names,
        "parts": [
            {
                "statement": part.statement,
                "rule": part.rule,
                "subject": [to_text(e) for e in part.subject],
                "domain": _domain_dict(part.domain),
                "steps": [step_to_dict(s) for s in part.steps],
            }
            for part in claim.parts
        ],
    }


class _Reader:
    def __init__(self, variables: Mapping[str, Symbol]) -> None:
        self.variables = variables

    def expr(self, value: Any, where: str) -> sympy.Expr:
        if value in ("oo", "-oo"):
            return oo if value == "oo" else -oo
        if not isinstance(value, str):
            raise CertificateError(f"{where}: expected an expression as text, got {value!r}")
        try:
            return parse_expression(value, self.variables, max_length=_MAX_EXPRESSION)
        except InputError as exc:
            raise CertificateError(f"{where}: {exc}") from None

    def var(self, value: Any, where: str) -> Symbol:
        if value not in self.variables:
            raise CertificateError(f"{where}: {value!r} is not a declared variable")
        return self.variables[value]

    def interval(self, text: Any, where: str) -> Interval:
        m = re.fullmatch(r"([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])", text) if isinstance(text, str) else None
        if not m:
            raise CertificateError(f"{where}: {text!r} is not an interval like [0, 1] or (0, oo)")
        lo, hi = self.expr(m.group(2), where), self.expr(m.group(3), where)
        if not (lo.is_number or lo.is_infinite) or not (hi.is_number or hi.is_infinite) or not lo < hi:
            raise CertificateError(f"{where}: {text!r} is not a nonempty interval of numbers")
        return Interval(lo, hi, m.group(1) == "(", m.group(4) == ")")

    def rel(self, value: Any, where: str) -> str:
        if value not in RELATIONS:
            raise CertificateError(f"{where}: relation {value!r} is not one of {', '.join(RELATIONS)}")
        return str(value)

    def domain(self, data: Any, where: str) -> Domain:
        data = _mapping(data, where)
        intervals = tuple((self.var(v, where), self.interval(i, where)) for v, i in _pairs(data.get("intervals"), where))
        hyps = tuple(Hypothesis(self.expr(e, where), self.rel(r, where)) for e, r in _pairs(data.get("hypotheses", []), where))
        return Domain(intervals, hyps)

    def step(self, data: Any, where: str) -> Step:
        data = _mapping(data, where)
        kind = data.get("kind")
        dom = self.domain(data.get("domain"), where)
        rule = str(data.get("rule", ""))
        e = self.expr
        if kind == "derivative":
            order = data.get("order")
            if order not in (1, 2):
                raise CertificateError(f"{where}: derivative order {order!r} is not 1 or 2")
            return Derivative(e(data.get("function"), where), self.var(data.get("var"), where), order, e(data.get("result"), where), dom, rule)
        if kind == "identity":
            return Identity(e(data.get("lhs"), where), e(data.get("rhs"), where), dom, rule)
        if kind == "sign":
            lemmas = []
            for name, arg in _pairs(data.get("lemmas", []), where):
                if name not in LEMMAS:
                    raise CertificateError(f"{where}: unknown lemma {name!r}")
                lemmas.append(LemmaUse(name, e(arg, where)))
            return Sign(e(data.get("expr"), where), self.rel(data.get("rel"), where), dom, tuple(lemmas), rule)
        if kind == "roots":
            roots = data.get("roots")
            if not isinstance(roots, list):
                raise CertificateError(f"{where}: roots must be a list")
            return Roots(e(data.get("expr"), where), self.var(data.get("var"), where), tuple(e(r, where) for r in roots), dom, rule)
        if kind == "limit":
            direction = data.get("direction")
            if direction not in ("+", "-"):
                raise CertificateError(f"{where}: direction {direction!r} is not + or -")
            return Limit(e(data.get("expr"), where), self.var(data.get("var"), where), e(data.get("point"), where), direction, e(data.get("value"), where), dom, rule)
        raise CertificateError(f"{where}: unknown step kind {kind!r}")


def _mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise CertificateError(f"{where}: expected an object, got {type(data).__name__}")
    return data


def _pairs(data: Any, where: str) -> list[tuple[Any, Any]]:
    if not isinstance(data, list) or not all(isinstance(x, list) and len(x) == 2 for x in data):
        raise CertificateError(f"{where}: expected a list of pairs")
    return [(a, b) for a, b in data]


def claim_from_dict(data: Any, where: str = "certificate") -> Claim:
    """Rebuild a claim from certificate data, parsing every expression with the whitelist parser.

    Raises:
        CertificateError: the data is not a well-formed certificate.
    """
    data = _mapping(data, where)
    if data.get("format") != FORMAT:
        raise CertificateError(f"{where}: format {data.get('format')!r} is not {FORMAT!r}")
    names = data.get("variables")
    if not isinstance(names, list) or not all(isinstance(n, str) and _NAME.match(n) for n in names):
        raise CertificateError(f"{where}: variables must be a list of short identifiers")
    reader = _Reader({n: Symbol(n) for n in names})
    parts = []
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise CertificateError(f"{where}: a certificate needs a nonempty list of parts")
    for i, part in enumerate(raw_parts, 1):
        at = f"{where}: part {i}"
        part = _mapping(part, at)
        if part.get("rule") not in RULES:
            raise CertificateError(f"{at}: unknown rule {part.get('rule')!r}")
        subject = part.get("subject")
        steps = part.get("steps")
        if not isinstance(subject, list) or not isinstance(steps, list):
            raise CertificateError(f"{at}: subject and steps must be lists")
        parts.append(
            Part(
                str(part.get("statement", "")),
                str(part["rule"]),
                tuple(reader.expr(s, at) if s not in names else reader.var(s, at) for s in subject),
                reader.domain(part.get("domain"), at),
                tuple(reader.step(s, f"{at}, step {j}") for j, s in enumerate(steps, 1)),
            )
        )
    return Claim(str(data.get("id", "")), str(data.get("statement", "")), tuple(parts))


def read_certificate(path: Path) -> Claim:
    """Read a certificate file.

    Raises:
        CertificateError: unreadable, too large, not JSON, or malformed.
    """
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise CertificateError(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CertificateError(f"{path}: not JSON: {exc}") from None
    return claim_from_dict(data, str(path))


def check_certificate(path: Path) -> ClaimResult:
    """Read a certificate and re-check it with both engines."""
    return check_claim(read_certificate(path))
