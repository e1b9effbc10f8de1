"""A whitelist parser for expressions typed by users or read from certificates.

Text is parsed by Python's ``ast`` module and walked node by node; only numbers,
the allowed variables, ``+ - * / ** ^``, parentheses and a fixed list of
functions are accepted. Nothing is ever evaluated as Python: no ``eval``, no
``sympify``, no ``parse_expr`` (those run Python code, as SymPy's documentation
warns). Sizes are limited before anything is built, so ``p**(10**10**10)`` is
refused at once instead of computed.

>>> from sympy import Symbol
>>> p, y = Symbol("p"), Symbol("y")
>>> parse_expression("-(y*log(p) + (1-y)*log(1-p))", {"p": p, "y": y})
-y*log(p) - (1 - y)*log(1 - p)
>>> parse_expression("__import__('os')", {"p": p})
Traceback (most recent call last):
lossproof.errors.InputError: column 1: unknown name '__import__' (allowed: p; constants: E, pi; functions: abs, cosh, exp, log, sigmoid, sign, softplus, sqrt, tanh)
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy
from sympy import Abs, Integer, Rational, Symbol, cosh, exp, log, sqrt, tanh

from .errors import InputError
from .sigmoid import sigmoid

__all__ = [
    "parse_expression",
    "parse_with_conditions",
    "FUNCTIONS",
    "MAX_LENGTH",
    "MAX_DEPTH",
    "MAX_INTEGER_DIGITS",
    "MAX_EXPONENT",
    "MAX_DEGREE",
]

#: Longest text accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting of the syntax tree accepted.
MAX_DEPTH = 40
#: Most digits in a number literal.
MAX_INTEGER_DIGITS = 30
#: Largest |exponent| of a power (and most digits a numeric power may produce).
MAX_EXPONENT = 64
#: Largest total degree, read off the tree without expanding (see :func:`degree_bound`):
#: each exponent within its limit, ``((p+y)**64+1)**64`` has degree 4096, and SymPy's
#: expansion of it took 1.4 to 2.1 GB. Twice the largest single power stays allowed.
MAX_DEGREE = 128


def _softplus(a: sympy.Expr) -> sympy.Expr:
    return log(1 + exp(a))


#: The functions an expression may call, each with one argument.
FUNCTIONS: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "abs": Abs,
    "cosh": cosh,
    "exp": exp,
    "log": log,
    "sigmoid": sigmoid,
    "sign": sympy.sign,
    "softplus": _softplus,
    "sqrt": sqrt,
    "tanh": tanh,
}

#: Named constants an expression may use (SymPy prints exp(1) as E).
CONSTANTS: Mapping[str, sympy.Expr] = {"E": sympy.E, "pi": sympy.pi}

_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.BitXor)


class _Builder:
    def __init__(self, text: str, variables: Mapping[str, Symbol]) -> None:
        self.text = text
        self.variables = variables
        # Where the expression as written is defined, noted as each node is built:
        # SymPy's automatic simplification may fold a condition away later
        # (sqrt(p - 1/2)**2 becomes p - 1/2), but it was written, so it is kept.
        self.conditions: list = []  # kernel Assumption values

    def note(self, node: sympy.Expr) -> sympy.Expr:
        from .kernel.calculus import condition_of  # the kernel's own reading of a node

        for h in condition_of(node):
            if h not in self.conditions:
                self.conditions.append(h)
        return node

    def fail(self, node: ast.AST, message: str) -> InputError:
        col = getattr(node, "col_offset", 0) + 1
        return InputError(f"column {col}: {message}")

    def allowed(self) -> str:
        names = ", ".join(sorted(self.variables)) or "none"
        return f"allowed: {names}; constants: E, pi; functions: {', '.join(sorted(FUNCTIONS))}"

    def build(self, node: ast.AST, depth: int) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return self.variables[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            raise self.fail(node, f"unknown name {node.id!r} ({self.allowed()})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.build(node.operand, depth + 1)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp) and isinstance(node.op, _BINARY):
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if right.is_zero:
                    raise self.fail(node, "division by zero")
                self.note(sympy.Pow(right, -1, evaluate=False))
                return left / right
            self.note(sympy.Pow(left, right, evaluate=False))
            return self.power(node, left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = type(node).__name__
        if isinstance(node, ast.Attribute):
            what = f"attribute access '.{node.attr}'"
        elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
            what = f"operator {type(getattr(node, 'op', node)).__name__}"
        raise self.fail(node, f"{what} is not allowed in an expression")

    def number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, f"{type(value).__name__} literal {value!r} is not a number")
        source = ast.get_source_segment(self.text, node) or repr(value)
        digits = sum(ch.isdigit() for ch in source)
        if digits > MAX_INTEGER_DIGITS:
            raise self.fail(node, f"number {source[:20]}... has more than {MAX_INTEGER_DIGITS} digits")
        # The decimal text, not the binary float: 0.1 means 1/10.
        exact = Fraction(source.replace("_", "")) if isinstance(value, float) else Fraction(value)
        if exact != 0 and not (Fraction(1, 10**MAX_INTEGER_DIGITS) <= abs(exact) <= 10**MAX_INTEGER_DIGITS):
            raise self.fail(node, f"number {source[:20]} is outside 1e-{MAX_INTEGER_DIGITS}..1e{MAX_INTEGER_DIGITS}")
        return Integer(value) if isinstance(value, int) else Rational(exact)

    def power(self, node: ast.BinOp, base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr:
        if exponent.is_number:
            if not exponent.is_real or abs(exponent) > MAX_EXPONENT:
                raise self.fail(node, f"exponent {_short(exponent)} is larger than {MAX_EXPONENT} in size")
            if base.is_number and base.is_Rational and base != 0:
                size = abs(math.log10(abs(Fraction(int(base.p), int(base.q))))) * float(abs(exponent))
                if size > MAX_EXPONENT:
                    raise self.fail(node, f"power {_short(base)}**{_short(exponent)} has too many digits")
        if base.is_zero and exponent.is_number and exponent.is_negative:
            raise self.fail(node, "division by zero")
        result = base**exponent
        if degree_bound(result) > MAX_DEGREE:
            raise self.fail(node, f"power {_short(result)} has degree {degree_bound(result)}, more than {MAX_DEGREE}")
        return result

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            called = (ast.get_source_segment(self.text, node.func) or "?")[:40]
            raise self.fail(node, f"call of {called!r} is not allowed: only the listed functions, by name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(node, f"unknown name {name!r} ({self.allowed()})")
        if node.keywords or len(node.args) != 1:
            raise self.fail(node, f"{name} takes exactly one argument")
        arg = self.build(node.args[0], depth + 1)
        if name in ("sqrt",):
            self.note(sympy.Pow(arg, sympy.Rational(1, 2), evaluate=False))
        elif name in ("log", "sign"):
            self.note(FUNCTIONS[name](arg, evaluate=False))
        return FUNCTIONS[name](arg)


def degree_bound(expr: sympy.Expr) -> int:
    """An upper bound on the polynomial degree of ``expr`` if it were expanded, without expanding.

    A sum takes the largest degree of its terms, a product the sum, a power with a
    numeric exponent ``e`` the base's times ``ceil(|e|)``; a function keeps its
    argument's (``log(u)`` differentiates to ``u'/u``); a symbolic exponent adds its own.

    >>> from sympy import Symbol
    >>> p, y = Symbol("p"), Symbol("y")
    >>> degree_bound(((p + y)**64 + 1)**64)
    4096
    >>> degree_bound(y*log(p) + (1 - y)*log(1 - p))
    2
    """
    if expr.is_Symbol:
        return 1
    if not expr.free_symbols:
        return 0
    if expr.is_Add:
        return max(degree_bound(a) for a in expr.args)
    if expr.is_Mul:
        return sum(degree_bound(a) for a in expr.args)
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Number:
            return degree_bound(base) * math.ceil(abs(exponent))
        return degree_bound(base) + degree_bound(exponent) + 1
    return max((degree_bound(a) for a in expr.args), default=0)


def _non_ascii(text: str) -> InputError | None:
    # Python folds identifiers by NFKC, so fullwidth 'ｐ' or bold '𝐥𝐨𝐠' would silently
    # read as p and log: a look-alike is refused with its name instead.
    for col, ch in enumerate(text, 1):
        if ord(ch) > 127:
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            folded = unicodedata.normalize("NFKC", ch)
            hint = f"; type {folded!r} instead" if folded.isascii() and folded.isprintable() and folded.strip() else ""
            return InputError(f"column {col}: character {ch!r} ({name}) is not allowed: only ASCII{hint}")
    return None


def _short(expr: sympy.Expr) -> str:
    text = str(expr)
    return text if len(text) <= 20 else text[:17] + "..."


def parse_expression(text: str, variables: Mapping[str, Symbol], max_length: int = MAX_LENGTH) -> sympy.Expr:
    """Parse ``text`` into a SymPy expression, accepting only the whitelist (see :func:`parse_with_conditions`)."""
    return parse_with_conditions(text, variables, max_length)[0]


def parse_with_conditions(
    text: str, variables: Mapping[str, Symbol], max_length: int = MAX_LENGTH
) -> tuple[sympy.Expr, tuple]:
    """Parse ``text`` into a SymPy expression, with the conditions under which it is defined.

    The conditions (``log`` arguments > 0, divisors != 0, ``sqrt`` arguments > 0, ...)
    are collected from the expression as written, before SymPy simplifies anything.

    >>> from sympy import Symbol
    >>> p = Symbol("p")
    >>> expr, conds = parse_with_conditions("sqrt(p - 1/2)**2", {"p": p})
    >>> expr, [(h.expr, h.rel) for h in conds]
    (p - 1/2, [(p - 1/2, '>')])

    Args:
        text: the expression, in Python-like syntax; ``^`` also means power.
        variables: the names allowed and the symbols they stand for.
        max_length: the longest text accepted (certificates, written by lossproof, may
            hold longer expressions than a user types; the file size is bounded too).

    Returns:
        The expression.

    Raises:
        InputError: one line naming the column and what is wrong.
    """
    if not isinstance(text, str):
        raise InputError(f"expression must be text, not {type(text).__name__}")
    if len(text) > max_length:
        raise InputError(f"expression is {len(text)} characters long; the limit is {max_length}")
    if not text.strip():
        raise InputError("expression is empty")
    if "\n" in text or "\r" in text:
        raise InputError("expression must be a single line")
    problem = _non_ascii(text)
    if problem is not None:
        raise problem
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = max(exc.offset or 1, 1)
        raise InputError(f"column {col}: syntax error: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise InputError("expression could not be parsed (too deep or malformed)") from None
    builder = _Builder(text.strip(), variables)
    expr = builder.build(tree.body, 0)
    if degree_bound(expr) > MAX_DEGREE:  # a product of powers, each within the limit
        raise InputError(f"expression has degree {degree_bound(expr)}, more than {MAX_DEGREE}")
    if expr.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise InputError("expression is undefined: it divides by zero or takes log(0)")
    if expr.has(sympy.I):
        raise InputError("expression is not real: it takes log or sqrt of a negative number")
    return expr, tuple(builder.conditions)
