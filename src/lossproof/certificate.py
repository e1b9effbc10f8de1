"""Certificates: claims written to JSON, and read back and re-checked from the file alone.

A certificate holds a claim's typed structure (kind, subject, domain, parts, steps)
with every expression as text, plus the id and statements generated from that
structure, for a reader. Reading one uses the whitelist parser
(:mod:`lossproof.parse`), never ``eval`` or ``sympify``, refuses unknown fields,
duplicate keys and variable names that shadow a constant or a function; checking
one regenerates the id and every statement from the structure and compares them
with the file (any difference fails, naming the field), then re-checks the claim
with the kernel. Nothing in the file is trusted.

>>> from lossproof.losses import get_loss
>>> from lossproof.claims import claims_for
>>> claim = claims_for(get_loss("bce"))[0]
>>> claim_from_dict(claim_to_dict(claim)) == claim
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy
from sympy import Interval, Symbol, oo

from .errors import CertificateError, InputError
from .kernel import (
    LEMMAS,
    RELATIONS,
    RULES,
    Claim,
    ClaimResult,
    Derivative,
    Domain,
    Assumption,
    Identity,
    LemmaUse,
    Limit,
    Part,
    Roots,
    Sign,
    Step,
    StepVisitor,
    Subject,
    check_claim,
)
from .kernel.claim import Cover
from .kernel.kinds import KINDS
from .kernel.steps import cover_key, stored_covers
from .notation import to_text
from .parse import CONSTANTS, FUNCTIONS, parse_expression
from .safejson import load_json_file
from .statement import claim_statement, part_statement
from .timeout import USER_LIMIT_SECONDS, TimeLimitExceeded, time_limit

if TYPE_CHECKING:  # the interval engine loads when a cover is read or written, not with every command
    from .kernel.branch_bound import Box

__all__ = ["FORMAT", "READABLE", "MAX_COVER_BOXES", "claim_to_dict", "covers_of", "interval_cost", "read_covers", "claim_from_dict", "step_to_dict", "read_certificate", "check_certificate", "Checked", "safe_statement"]

#: The format tag a certificate is written with: 3 adds the interval covers ("covers").
FORMAT = "lossproof-certificate/3"
#: Tags a reader accepts: a format-2 file has no covers, and its sign steps are searched
#: for again, as before.
READABLE = ("lossproof-certificate/2", FORMAT)
#: Most boxes (faces included) all the covers of one certificate may have.
MAX_COVER_BOXES = 20_000
#: Longest number in a cover, in characters (the prover's run to about 80).
_MAX_NUMBER = 400
_MAX_FILE_BYTES = 1_000_000
#: Longest expression in a certificate (a Hessian's quadratic form runs to a few thousand).
_MAX_EXPRESSION = 20_000
#: Deepest nesting of JSON accepted (a certificate needs 6).
_MAX_JSON_DEPTH = 20
#: Seconds to re-check one certificate; past it, the claim is unknown.
CHECK_LIMIT_SECONDS = USER_LIMIT_SECONDS
#: Names a variable may not take: they would shadow a constant or a function.
RESERVED = frozenset(CONSTANTS) | frozenset(FUNCTIONS) | {"oo", "inf", "nan", "zoo", "I", "S", "N", "O", "Q"}


def _interval_text(iv: Interval) -> str:
    left = "(" if iv.left_open else "["
    right = ")" if iv.right_open else "]"
    return f"{left}{iv.start}, {iv.end}{right}"


def _domain_dict(d: Domain) -> dict[str, Any]:
    return {
        "intervals": [[str(s), _interval_text(iv)] for s, iv in d.intervals],
        "hypotheses": [[to_text(h.expr), h.rel] for h in d.hypotheses],
    }


def _subject_dict(s: Subject) -> dict[str, Any]:
    out: dict[str, Any] = {"function": to_text(s.function)}
    for name in ("var", "point", "value"):
        value = getattr(s, name)
        if value is not None:
            out[name] = str(value) if name == "var" else to_text(value)
    if s.direction is not None:
        out["direction"] = s.direction
    if s.vars:
        out["vars"] = [str(v) for v in s.vars]
    if s.rel is not None:
        out["rel"] = s.rel
    if s.bracket is not None:
        out["bracket"] = [to_text(e) for e in s.bracket]
    return out


class _Writer(StepVisitor):
    def visit_Derivative(self, step: Derivative) -> dict[str, Any]:  # noqa: N802 - named after the step class
        return {"kind": "derivative", "function": to_text(step.function), "var": str(step.var), "order": step.order, "result": to_text(step.result)}

    def visit_Identity(self, step: Identity) -> dict[str, Any]:  # noqa: N802
        return {"kind": "identity", "lhs": to_text(step.lhs), "rhs": to_text(step.rhs)}

    def visit_Sign(self, step: Sign) -> dict[str, Any]:  # noqa: N802
        return {"kind": "sign", "expr": to_text(step.expr), "rel": step.rel, "lemmas": [[u.name, to_text(u.arg)] for u in step.lemmas]}

    def visit_Roots(self, step: Roots) -> dict[str, Any]:  # noqa: N802
        return {"kind": "roots", "expr": to_text(step.expr), "var": str(step.var), "roots": [to_text(r) for r in step.roots]}

    def visit_Limit(self, step: Limit) -> dict[str, Any]:  # noqa: N802
        return {"kind": "limit", "expr": to_text(step.expr), "var": str(step.var), "point": to_text(step.point), "direction": step.direction, "value": to_text(step.value)}


_WRITER = _Writer()


def step_to_dict(step: Step) -> dict[str, Any]:
    """One step as JSON-ready data: its kind, expressions as text, domain and rule."""
    return {**_WRITER.visit(step), "rule": step.rule, "domain": _domain_dict(step.domain)}


def _variables(claim: Claim) -> list[str]:
    names: set[str] = {str(s) for s, _ in claim.domain.intervals}
    for part in claim.parts:
        names |= {str(s) for s, _ in part.domain.intervals}
        for st in part.steps:
            names |= {str(s) for s, _ in st.domain.intervals}
    return sorted(names)


def _ends(lo_open: bool, hi_open: bool) -> str:
    return ("(" if lo_open else "[") + (")" if hi_open else "]")


def _box_dict(box: Box) -> dict[str, Any]:
    out: dict[str, Any] = {
        "at": [[str(s.lo), str(s.hi), _ends(s.lo_open, s.hi_open)] for _, s in box.spans],
        "by": box.method,
        "enc": [str(box.enclosure.lo), str(box.enclosure.hi), _ends(box.enclosure.lo_open, box.enclosure.hi_open)],
    }
    if box.form != "given":
        out["form"] = box.form
    if box.pivot is not None:
        out["pivot"] = str(box.pivot)
    if box.face:
        out["face"] = [_box_dict(b) for b in box.face]
    return out


def _cover_dict(cover: Cover) -> dict[str, Any]:
    from .kernel.branch_bound import chart_of

    charts = []
    for sym, iv in cover.box:
        chart, anchor = chart_of(sym, iv)
        charts.append([str(sym), chart, str(anchor)])
    return {
        "expr": to_text(cover.expr),
        "rel": cover.rel,
        "box": [[str(s), _interval_text(iv)] for s, iv in cover.box],
        "charts": charts,
        "boxes": [_box_dict(b) for b in cover.boxes],
    }


def covers_of(result: ClaimResult | None) -> list[Cover]:
    """The interval covers that proved steps of ``result`` (its obligations too), once each."""
    return [] if result is None else result.covers()


def interval_cost(result: ClaimResult | None) -> tuple[int, float] | None:
    """What interval arithmetic spent on ``result``: boxes evaluated and seconds, summed
    over its covers; None when no step of it was decided by intervals.

    >>> interval_cost(None) is None
    True
    """
    return None if result is None else result.interval_cost()


def claim_to_dict(claim: Claim, result: ClaimResult | None = None) -> dict[str, Any]:
    """A claim as a certificate (JSON-ready data); id and statements are generated.

    With the claim's ``result``, the box covers that proved its interval-decided sign
    steps are written too (``covers``), so that a check replays them without a search.
    """
    out = {
        "format": FORMAT,
        "id": claim.id,
        "statement": claim_statement(claim),
        "kind": claim.kind,
        "name": claim.name,
        "wrt": claim.wrt,
        "operator": claim.operator,
        "subject": _subject_dict(claim.subject),
        "domain": _domain_dict(claim.domain),
        "conditions": [[to_text(h.expr), h.rel] for h in claim.conditions],
        "variables": _variables(claim),
        "parts": [
            {
                "statement": part_statement(part),
                "rule": part.rule,
                "case": [[str(s), to_text(v)] for s, v in part.case],
                "subject": _subject_dict(part.subject),
                "domain": _domain_dict(part.domain),
                "steps": [step_to_dict(s) for s in part.steps],
            }
            for part in claim.parts
        ],
    }
    covers = covers_of(result)
    if covers:
        out["covers"] = [_cover_dict(c) for c in covers]
    return out


# ---------------------------------------------------------------- reading


def _fields(data: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise CertificateError(f"{where}: expected an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        raise CertificateError(f"{where}: unknown field {unknown[0]!r}")
    missing = [k for k in required if k not in data]
    if missing:
        raise CertificateError(f"{where}: missing field {missing[0]!r}")
    return data


def _list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise CertificateError(f"{where}: expected a list, got {type(data).__name__}")
    return data


def _pairs(data: Any, where: str) -> list[tuple[Any, Any]]:
    items = _list(data, where)
    if not all(isinstance(x, list) and len(x) == 2 for x in items):
        raise CertificateError(f"{where}: expected a list of pairs")
    return [(a, b) for a, b in items]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise CertificateError(f"{where}: expected text, got {type(value).__name__}")
    return value


class _Reader:
    def __init__(self, variables: Mapping[str, Symbol]) -> None:
        self.variables = variables

    def expr(self, value: Any, where: str) -> sympy.Expr:
        text = _text(value, where)
        if text in ("oo", "-oo"):
            return oo if text == "oo" else -oo
        try:
            return parse_expression(text, self.variables, max_length=_MAX_EXPRESSION)
        except InputError as exc:
            raise CertificateError(f"{where}: {exc}") from None

    def var(self, value: Any, where: str) -> Symbol:
        if not isinstance(value, str) or value not in self.variables:
            raise CertificateError(f"{where}: {value!r} is not a declared variable")
        return self.variables[value]

    def interval(self, value: Any, where: str) -> Interval:
        # Read by hand, not by a regular expression: no backtracking, linear in the text.
        text = _text(value, where).strip()
        if len(text) > 200 or len(text) < 5 or text[0] not in "[(" or text[-1] not in "])" or text.count(",") != 1:
            raise CertificateError(f"{where}: {text[:40]!r} is not an interval like [0, 1] or (0, oo)")
        lo_text, hi_text = text[1:-1].split(",")
        lo, hi = self.expr(lo_text.strip(), where), self.expr(hi_text.strip(), where)
        if lo.free_symbols or hi.free_symbols or not (lo.is_number and hi.is_number) or not bool(lo < hi):
            raise CertificateError(f"{where}: {text!r} is not a nonempty interval of numbers")
        return Interval(lo, hi, text[0] == "(", text[-1] == ")")

    def rel(self, value: Any, where: str) -> str:
        if value not in RELATIONS:
            raise CertificateError(f"{where}: relation {value!r} is not one of {', '.join(RELATIONS)}")
        return str(value)

    def domain(self, data: Any, where: str) -> Domain:
        data = _fields(data, where, ("intervals", "hypotheses"))
        intervals = tuple((self.var(v, where), self.interval(i, where)) for v, i in _pairs(data["intervals"], where))
        if len({s for s, _ in intervals}) != len(intervals):
            raise CertificateError(f"{where}: a variable has two intervals")
        hyps = tuple(Assumption(self.expr(e, where), self.rel(r, where)) for e, r in _pairs(data["hypotheses"], where))
        return Domain(intervals, hyps)

    def subject(self, data: Any, where: str) -> Subject:
        data = _fields(data, where, ("function",), ("var", "point", "value", "direction", "vars", "rel", "bracket"))
        direction = data.get("direction")
        if direction not in (None, "+", "-"):
            raise CertificateError(f"{where}: direction {direction!r} is not + or -")
        bracket = None
        if "bracket" in data:
            ends = _list(data["bracket"], where)
            if len(ends) != 2:
                raise CertificateError(f"{where}: a bracket has two ends, not {len(ends)}")
            bracket = (self.expr(ends[0], where), self.expr(ends[1], where))
        return Subject(
            self.expr(data["function"], where),
            self.var(data["var"], where) if "var" in data else None,
            self.expr(data["point"], where) if "point" in data else None,
            self.expr(data["value"], where) if "value" in data else None,
            direction,
            tuple(self.var(v, where) for v in _list(data.get("vars", []), where)),
            self.rel(data["rel"], where) if "rel" in data else None,
            bracket,
        )

    def step(self, data: Any, where: str) -> Step:
        if not isinstance(data, dict):
            raise CertificateError(f"{where}: expected an object, got {type(data).__name__}")
        kind = data.get("kind")
        fields = _STEP_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise CertificateError(f"{where}: unknown step kind {kind!r}")
        data = _fields(data, where, ("kind", "rule", "domain") + fields)
        dom = self.domain(data["domain"], where)
        rule = _text(data["rule"], where)
        e = self.expr
        if kind == "derivative":
            order = data["order"]
            if order not in (1, 2) or isinstance(order, bool):
                raise CertificateError(f"{where}: derivative order {order!r} is not 1 or 2")
            return Derivative(e(data["function"], where), self.var(data["var"], where), order, e(data["result"], where), dom, rule)
        if kind == "identity":
            return Identity(e(data["lhs"], where), e(data["rhs"], where), dom, rule)
        if kind == "sign":
            lemmas = []
            for name, arg in _pairs(data["lemmas"], where):
                if name not in LEMMAS:
                    raise CertificateError(f"{where}: unknown lemma {name!r}")
                lemmas.append(LemmaUse(name, e(arg, where)))
            return Sign(e(data["expr"], where), self.rel(data["rel"], where), dom, tuple(lemmas), rule)
        if kind == "roots":
            roots = _list(data["roots"], where)
            return Roots(e(data["expr"], where), self.var(data["var"], where), tuple(e(r, where) for r in roots), dom, rule)
        direction = data["direction"]
        if direction not in ("+", "-"):
            raise CertificateError(f"{where}: direction {direction!r} is not + or -")
        return Limit(e(data["expr"], where), self.var(data["var"], where), e(data["point"], where), direction, e(data["value"], where), dom, rule)


_STEP_FIELDS: Mapping[str, tuple[str, ...]] = {
    "derivative": ("function", "var", "order", "result"),
    "identity": ("lhs", "rhs"),
    "sign": ("expr", "rel", "lemmas"),
    "roots": ("expr", "var", "roots"),
    "limit": ("expr", "var", "point", "direction", "value"),
}
_TOP = ("format", "id", "statement", "kind", "name", "wrt", "operator", "subject", "domain", "conditions", "variables", "parts")
_COVER = ("expr", "rel", "box", "charts", "boxes")
_BOX = ("at", "by", "enc")
_BOX_OPTIONAL = ("form", "pivot", "face")


def _number(value: Any, where: str, infinite: bool = False) -> sympy.Expr:
    """A rational written ``-12/7`` (or ``oo``/``-oo`` where ``infinite``), read by hand."""
    text = _text(value, where)
    if infinite and text in ("oo", "-oo"):
        return oo if text == "oo" else -oo
    body = text[1:] if text.startswith("-") else text
    num, slash, den = body.partition("/")
    if not (0 < len(text) <= _MAX_NUMBER and num.isdigit() and num.isascii() and (not slash or (den.isdigit() and den.isascii()))):
        raise CertificateError(f"{where}: {text[:40]!r} is not a rational number of at most {_MAX_NUMBER} characters")
    if slash and int(den) == 0:
        raise CertificateError(f"{where}: {text[:40]!r} divides by zero")
    q = sympy.Rational(int(num), int(den) if slash else 1)
    return -q if text.startswith("-") else q


def _end_flags(value: Any, where: str) -> tuple[bool, bool]:
    if value not in ("[]", "[)", "(]", "()"):
        raise CertificateError(f"{where}: ends {value!r} are not one of [] [) (] ()")
    return value[0] == "(", value[1] == ")"


class _CoverReader:
    """Reads one certificate's covers, counting every box against :data:`MAX_COVER_BOXES`."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader
        self.count = 0

    def cover(self, data: Any, where: str) -> tuple[tuple[Any, ...], tuple[Box, ...]]:
        data = _fields(data, where, _COVER)
        r = self.reader
        expr, rel = r.expr(data["expr"], where), r.rel(data["rel"], where)
        box = tuple((r.var(v, where), r.interval(i, where)) for v, i in _pairs(data["box"], where))
        symbols = [s for s, _ in sorted(box, key=lambda item: item[0].name)]
        if len(set(symbols)) != len(symbols) or not symbols:
            raise CertificateError(f"{where}: the box names a variable twice, or none")
        charts = {}
        for item in _list(data["charts"], where):
            if not (isinstance(item, list) and len(item) == 3):
                raise CertificateError(f"{where}: a chart is [variable, chart, anchor]")
            if item[1] not in ("identity", "logistic", "ray_up", "ray_down"):
                raise CertificateError(f"{where}: unknown chart {item[1]!r}")
            charts[r.var(item[0], where)] = (item[1], _number(item[2], where))
        if set(charts) != set(symbols):
            raise CertificateError(f"{where}: the charts do not name the box's variables")
        spans = [(s, charts[s]) for s in symbols]
        boxes = self.boxes(data["boxes"], where, spans, 0)
        return cover_key(expr, rel, dict(box)), boxes

    def boxes(self, data: Any, where: str, spans: Sequence[tuple[Symbol, tuple[str, sympy.Expr]]], depth: int) -> tuple[Box, ...]:
        if depth > len(spans):
            raise CertificateError(f"{where}: faces nested deeper than the dimension")
        out = []
        for raw in _list(data, where):
            self.count += 1
            if self.count > MAX_COVER_BOXES:
                raise CertificateError(f"{where}: more than {MAX_COVER_BOXES} boxes")
            out.append(self.box(raw, f"{where}, box {self.count}", spans, depth))
        return tuple(out)

    def box(self, data: Any, where: str, spans: Sequence[tuple[Symbol, tuple[str, sympy.Expr]]], depth: int) -> Box:
        from .kernel.branch_bound import Box, Enclosure, Span

        data = _fields(data, where, _BOX, _BOX_OPTIONAL)
        at = _list(data["at"], where)
        if len(at) != len(spans) or not all(isinstance(a, list) and len(a) == 3 for a in at):
            raise CertificateError(f"{where}: 'at' needs [lo, hi, ends] for each of {len(spans)} variables")
        box_spans = []
        for (sym, (chart, anchor)), (lo, hi, ends) in zip(spans, at):
            lo_open, hi_open = _end_flags(ends, where)
            box_spans.append((sym, Span(_number(lo, where), _number(hi, where), lo_open, hi_open, chart, anchor)))
        enc = _list(data["enc"], where)
        if len(enc) != 3:
            raise CertificateError(f"{where}: 'enc' is [lo, hi, ends]")
        lo_open, hi_open = _end_flags(enc[2], where)
        enclosure = Enclosure(_number(enc[0], where, True), _number(enc[1], where, True), lo_open, hi_open)
        method, form = data["by"], data.get("form", "given")
        if method not in ("enclosure", "mean_value", "monotone") or form not in ("given", "factored"):
            raise CertificateError(f"{where}: unknown method {method!r} or form {form!r}")
        pivot = self.reader.var(data["pivot"], where) if "pivot" in data else None
        face = self.boxes(data.get("face", []), where, spans, depth + 1)
        return Box(tuple(box_spans), method, enclosure, pivot, face, form)


def read_covers(data: Any, where: str = "certificate") -> dict[tuple[Any, ...], tuple[Box, ...]]:
    """The covers in certificate data, by :func:`lossproof.kernel.steps.cover_key`; none in format 2.

    Every number is read by hand (digits, one ``/``): no NaN, no infinity but an
    enclosure's ``oo``, none longer than 400 characters; at most
    :data:`MAX_COVER_BOXES` boxes in all. Only the form is checked here: whether a cover
    proves anything is the kernel's question (:func:`lossproof.kernel.steps.stored_covers`).

    Raises:
        CertificateError: a malformed cover, one line naming where.
    """
    if not isinstance(data, dict) or "covers" not in data:
        return {}
    names = data.get("variables")
    names = names if isinstance(names, list) and all(isinstance(n, str) for n in names) else []
    reader = _CoverReader(_Reader({n: Symbol(n) for n in names}))
    out: dict[tuple[Any, ...], tuple[Box, ...]] = {}
    for i, raw in enumerate(_list(data["covers"], f"{where}: covers"), 1):
        key, boxes = reader.cover(raw, f"{where}: cover {i}")
        if key in out:
            raise CertificateError(f"{where}: cover {i} repeats an earlier cover's step")
        out[key] = boxes
    return out
_PART = ("statement", "rule", "case", "subject", "domain", "steps")


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isidentifier() or len(value) > 40:
        raise CertificateError(f"{where}: {value!r} is not a short identifier")
    return value


def claim_from_dict(data: Any, where: str = "certificate") -> Claim:
    """Rebuild a claim from certificate data, parsing every expression with the whitelist parser.

    The id and statements in the data are not read here: :func:`mismatches` compares them.

    Raises:
        CertificateError: the data is not a well-formed certificate.
    """
    data = _fields(data, where, _TOP, ("covers",) if isinstance(data, dict) and data.get("format") == FORMAT else ())
    if data["format"] not in READABLE:
        raise CertificateError(f"{where}: format {data['format']!r} is not one of {', '.join(map(repr, READABLE))}")
    names = _list(data["variables"], f"{where}: variables")
    for n in names:
        _name(n, f"{where}: variables")
        if n in RESERVED:
            raise CertificateError(f"{where}: variable name {n!r} would shadow a constant or function")
    if len(set(names)) != len(names):
        raise CertificateError(f"{where}: a variable is declared twice")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise CertificateError(f"{where}: unknown kind of claim {kind!r}")
    wrt = data["wrt"]
    if wrt not in (None, "p", "z"):
        raise CertificateError(f"{where}: wrt {wrt!r} is not p, z or null")
    reader = _Reader({n: Symbol(n) for n in names})
    parts = []
    for i, raw in enumerate(_list(data["parts"], f"{where}: parts"), 1):
        at = f"{where}: part {i}"
        part = _fields(raw, at, _PART)
        if part["rule"] not in RULES:
            raise CertificateError(f"{at}: unknown rule {part['rule']!r}")
        _text(part["statement"], at)
        case = tuple((reader.var(v, at), reader.expr(e, at)) for v, e in _pairs(part["case"], at))
        steps = _list(part["steps"], f"{at}: steps")
        parts.append(
            Part(
                str(part["rule"]),
                reader.subject(part["subject"], at),
                reader.domain(part["domain"], at),
                tuple(reader.step(s, f"{at}, step {j}") for j, s in enumerate(steps, 1)),
                case,
            )
        )
    conditions = tuple(Assumption(reader.expr(e, where), reader.rel(r, where)) for e, r in _pairs(data["conditions"], f"{where}: conditions"))
    _text(data["id"], where), _text(data["statement"], where)
    return Claim(
        kind,
        _name(data["name"], f"{where}: name"),
        wrt,
        reader.subject(data["subject"], f"{where}: subject"),
        reader.domain(data["domain"], f"{where}: domain"),
        tuple(parts),
        _name(data["operator"], f"{where}: operator"),
        conditions,
    )


def mismatches(claim: Claim, data: Mapping[str, Any]) -> list[str]:
    """Fields whose text is not what the claim's structure generates, each named."""
    try:
        return _mismatches(claim, data)
    except Exception as exc:  # noqa: BLE001 - a structure no statement can be written for
        return [f"the structure describes no statement lossproof can write ({type(exc).__name__})"]


def safe_statement(claim: Claim) -> str:
    """The claim's statement, or why none can be written for this structure."""
    try:
        return claim_statement(claim)
    except Exception as exc:  # noqa: BLE001
        return f"(no statement: {type(exc).__name__})"


def _catalog(claim: Claim) -> list[str]:
    """A claim filed under a catalog loss's name is about that loss: its function and operator."""
    from .kernel.rules import same
    from .losses import CATALOG

    loss = CATALOG.get(claim.name)
    if loss is None or claim.kind in ("kl_bernoulli_nonneg",) or claim.kind not in KINDS:
        return []
    out = []
    if claim.operator != loss.operator:
        out.append(f"field 'operator' is {claim.operator!r}, but {claim.name} is {loss.operator!r}")
    wanted = loss.in_var("z" if claim.wrt == "z" and loss.link is not None else "p").function
    if claim.subject.var is not None and not same(claim.subject.function, wanted):
        out.append(f"field 'name': the claim is about {to_text(claim.subject.function)}, which is not the loss {claim.name}")
    return out


def _mismatches(claim: Claim, data: Mapping[str, Any]) -> list[str]:
    out = _catalog(claim)
    if data.get("id") != claim.id:
        out.append(f"field 'id' is {data.get('id')!r}, but the structure is {claim.id!r}")
    if data.get("statement") != claim_statement(claim):
        out.append(f"field 'statement' differs from what the structure says: {claim_statement(claim)!r}")
    for i, (part, raw) in enumerate(zip(claim.parts, data.get("parts", [])), 1):
        if raw.get("statement") != part_statement(part):
            out.append(f"field 'parts[{i}].statement' differs from what the structure says: {part_statement(part)!r}")
    return out


def load(path: Path) -> Any:
    """The JSON in ``path``: a regular file, bounded in size, depth and numbers; no duplicate keys.

    Raises:
        CertificateError: one line naming the file and what is wrong.
    """
    return load_json_file(path, max_bytes=_MAX_FILE_BYTES, max_depth=_MAX_JSON_DEPTH)


def read_certificate(path: Path) -> Claim:
    """Read a certificate file into a claim (its covers are read, to refuse a malformed one).

    Raises:
        CertificateError: unreadable, too large, not JSON, or malformed.
    """
    data = load(path)
    claim = claim_from_dict(data, str(path))
    read_covers(data, str(path))
    return claim


@dataclass(frozen=True)
class Checked:
    """A certificate re-checked: the claim, the kernel's result, and fields whose text is wrong."""

    path: Path
    claim: Claim
    result: ClaimResult | None
    mismatches: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.result is not None and self.result.status == "proved"

    @property
    def status(self) -> str:
        """``proved`` only when the kernel proves it and every field matches its structure."""
        if self.ok:
            return "proved"
        if self.result is not None and self.result.status != "proved":
            return str(self.result.status)
        return "failed"  # the kernel proves the structure, but the file's text says otherwise


def check_certificate(path: Path) -> Checked:
    """Read a certificate, compare its text with its structure, and re-check it.

    Raises:
        CertificateError: the file is not a well-formed certificate.
    """
    data = load(path)
    claim = claim_from_dict(data, str(path))
    covers = read_covers(data, str(path))
    wrong = tuple(mismatches(claim, data))
    try:
        with time_limit(CHECK_LIMIT_SECONDS), stored_covers(covers):
            result = check_claim(claim)
    except TimeLimitExceeded:
        return Checked(path, claim, None, wrong + (f"unknown (time limit of {CHECK_LIMIT_SECONDS:g} s)",))
    return Checked(path, claim, result, wrong)
