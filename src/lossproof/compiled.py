r"""SymPy expressions compiled to mpmath functions, in a tenth of lambdify's time.

The identity check, the sign sampler, the derivative check's finite differences and
the refuter each evaluate a few dozen expressions at a few dozen points. SymPy's
``lambdify`` spends about a millisecond per expression in its printer (ordering terms,
building a namespace from all of mpmath), which was a seventh of a cold ``lossproof
prove bce``. This module writes the same Python code straight from the tree of the
few node types lossproof's losses and their derivatives are made of; for anything
else (a Piecewise, a function it does not know) it hands the expression to
``lambdify`` with the same functions, so what a caller gets is never less.

The code is generated from the SymPy tree alone, never from text: arguments are
positional names ``_0, _1, ...``, numbers are printed by Python from their integers,
constants and functions are names this module binds. No symbol's or function's name
reaches the source, nor lambdify's (which prints names: they are replaced first).

>>> from sympy import Rational, Symbol, log
>>> from lossproof.sigmoid import sigmoid
>>> y, z = Symbol("y"), Symbol("z")
>>> f = mp_callable(-y * log(sigmoid(z)) + Rational(1, 3), (y, z))
>>> with mpmath.workdps(30):  # -log(sigmoid(0)) + 1/3 = log 2 + 1/3
...     mpmath.almosteq(f(mpmath.mpf(1), mpmath.mpf(0)), mpmath.log(2) + mpmath.mpf(1) / 3, 1e-29)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath
import sympy
from sympy import Symbol

from sympy.core.function import AppliedUndef

from .numeric import mp_sigmoid

__all__ = ["mp_callable", "MP_FUNCTIONS"]

#: The functions compiled code calls, by SymPy's name for them. A caller's namespace
#: may replace any of them (the identity check bounds exp's argument, for instance).
MP_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "sigmoid": mp_sigmoid,
    "log": mpmath.log,
    "exp": mpmath.exp,
    "sqrt": mpmath.sqrt,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "tanh": mpmath.tanh,
    "asinh": mpmath.asinh,
    "atan": mpmath.atan,
    "erf": mpmath.erf,
    "sign": mpmath.sign,
    "Abs": mpmath.fabs,
}

#: Constants, each read at the caller's working precision (unary plus rounds a lazy
#: mpmath constant to it, as lambdify's code does by using them in arithmetic).
_CONSTANTS: Mapping[type, str] = {
    type(sympy.pi): "(+_pi)",
    type(sympy.E): "(+_e)",
    type(sympy.oo): "_inf",
    type(-sympy.oo): "(-_inf)",
    type(sympy.nan): "_nan",
}


class _Unsupported(Exception):
    """A node this module does not compile: the expression goes to lambdify."""


class _Writer:
    """Python source for an expression, one ``_emit_<Class>`` per kind of node (found by the
    node's class in :data:`_EMITTERS`); floats and long integers go into the namespace."""

    def __init__(self, args: Sequence[Symbol], functions: Mapping[str, Callable[..., Any]]) -> None:
        self.names = {a: f"_{i}" for i, a in enumerate(args)}
        self.functions = functions
        self.namespace: dict[str, Any] = {"_mpf": mpmath.mpf, "_pi": mpmath.pi, "_e": mpmath.e, "_inf": mpmath.inf, "_nan": mpmath.nan}

    def emit(self, e: sympy.Basic) -> str:
        if type(e) in _CONSTANTS:
            return _CONSTANTS[type(e)]
        # By the node's class itself, never its name: Function("Add")(x, 1) is an
        # undefined function named Add, not a sum (it goes to lambdify, as any unknown).
        method = _EMITTERS.get(type(e))
        if method is not None:
            return str(method(self, e))
        if isinstance(e, sympy.Function) and not e.is_Piecewise and not isinstance(e, AppliedUndef):
            return self._function(e)
        if e.is_Integer:  # One, Zero, NegativeOne, Integer
            return f"({self._int(e)})"
        if e.is_Rational:  # Half, Rational
            return f"(_mpf({self._int(e.p)})/{self._int(e.q)})"
        raise _Unsupported(type(e).__name__)

    def _int(self, n: int) -> str:
        # Python prints an int of more than 4300 digits only on request (ValueError):
        # a long one goes into the namespace as the object itself.
        n = int(n)
        if n.bit_length() <= 1000:
            return str(n)
        key = f"_k{len(self.namespace)}"
        self.namespace[key] = n
        return key

    def _emit_Symbol(self, e: Symbol) -> str:
        if e not in self.names:
            raise _Unsupported(f"a symbol that is not an argument: {e}")
        return self.names[e]

    _emit_Dummy = _emit_Symbol

    def _emit_Float(self, e: sympy.Float) -> str:
        # The exact binary value, rounded to the caller's precision when the code runs.
        key = f"_k{len(self.namespace)}"
        self.namespace[key] = e._mpf_
        return f"_mpf({key})"

    def _emit_Add(self, e: sympy.Add) -> str:
        # A negative term is subtracted, never multiplied by -1 first: mpmath rounds a
        # product (and a negation) to the working digits, and numeric.mp_sigmoid returns
        # sigmoid(700) with 300 digits more so that 1 - sigmoid(700) is exact; as
        # 1 + (-1)*sigmoid(700) it was 0 at 50 digits. Positive terms go first.
        plus, minus = [], []
        for a in e.args:
            coeff, rest = a.as_coeff_Mul()
            if coeff.is_negative:
                minus.append(self.emit(sympy.Mul(-coeff, rest)))
            else:
                plus.append(self.emit(a))
        if not plus:  # every term negative: one negation, of the rounded sum
            return "(-(" + " + ".join(minus) + "))"
        return "(" + " + ".join(plus) + "".join(f" - {m}" for m in minus) + ")"

    def _emit_Mul(self, e: sympy.Mul) -> str:
        # Negative integer powers as one division, as lambdify prints them: a zero
        # denominator raises ZeroDivisionError rather than returning an infinity.
        num, den = [], []
        for a in e.args:
            if a.is_Pow and a.exp.is_Integer and a.exp < 0:
                den.append(self._power(a.base, -a.exp))
            elif a.is_Rational and not a.is_Integer:
                num.append(f"_mpf({self._int(a.p)})")
                den.append(f"({self._int(a.q)})")
            else:
                num.append(self.emit(a))
        top = " * ".join(num) if num else "1"
        return f"({top})" if not den else f"(({top}) / ({' * '.join(den)}))"

    def _emit_Pow(self, e: sympy.Pow) -> str:
        base, exp = e.args
        if exp == sympy.S.Half:
            return f"_f_sqrt({self.emit(base)})"
        if exp == -sympy.S.Half:
            return f"(1 / _f_sqrt({self.emit(base)}))"
        if exp.is_Integer and exp < 0:
            return f"(1 / {self._power(base, -exp)})"
        return f"({self.emit(base)} ** {self.emit(exp)})"

    def _power(self, base: sympy.Expr, n: sympy.Integer) -> str:
        # An integer base is made an mpf: in Python, 2 ** -1 would be a float.
        b = f"_mpf({self._int(base)})" if base.is_Integer else self.emit(base)
        return b if n == 1 else f"({b} ** {self._int(n)})"

    def _function(self, e: sympy.Function) -> str:
        name = type(e).__name__
        if name not in self.functions or len(e.args) != 1:
            raise _Unsupported(name)
        self.namespace[f"_f_{name}"] = self.functions[name]
        return f"_f_{name}({self.emit(e.args[0])})"


#: The emitters of :class:`_Writer`, by the exact class of the node they write.
_EMITTERS: Mapping[type, Callable[[_Writer, Any], str]] = {
    sympy.Symbol: _Writer._emit_Symbol,
    sympy.Dummy: _Writer._emit_Dummy,
    sympy.Float: _Writer._emit_Float,
    sympy.Add: _Writer._emit_Add,
    sympy.Mul: _Writer._emit_Mul,
    sympy.Pow: _Writer._emit_Pow,
}


def mp_callable(expr: sympy.Expr, args: Sequence[Symbol], namespace: Mapping[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
    """``expr`` as a Python function of ``args`` (positional) evaluated by mpmath at the
    caller's working precision, as ``sympy.lambdify(args, expr, modules=[namespace, "mpmath"])``.

    Args:
        expr: the expression; its free symbols should be among ``args``.
        args: the symbols, in the order the function takes their values.
        namespace: functions by SymPy name that replace those of :data:`MP_FUNCTIONS`.

    Raises:
        whatever ``sympy.lambdify`` raises for an expression this module hands to it.
    """
    functions = {**MP_FUNCTIONS, **(namespace or {})}
    writer = _Writer(args, functions)
    try:
        if len(writer.names) != len(args):  # a symbol given twice: lambdify's error
            raise _Unsupported("an argument given twice")
        body = writer.emit(expr)
    except (_Unsupported, RecursionError):
        return _lambdified(expr, args, functions)
    writer.namespace["_f_sqrt"] = functions["sqrt"]
    source = f"lambda {', '.join(writer.names.values())}: {body}"
    try:
        code = compile(source, "<lossproof.compiled>", "eval")
    except (SyntaxError, RecursionError):  # nested past Python's parser limits: as lambdify would be
        return _lambdified(expr, args, functions)
    # The source is built from the tree by the methods above alone (see the module's docstring).
    return eval(code, writer.namespace)  # type: ignore[no-any-return]  # noqa: S307


def _lambdified(expr: sympy.Expr, args: Sequence[Symbol], functions: Mapping[str, Callable[..., Any]]) -> Callable[..., Any]:
    """``sympy.lambdify`` of ``expr`` with the same functions, the names it would print
    taken out first: lambdify writes a symbol that is not an argument, and an undefined
    function, by its name into the code it runs (a symbol named ``__import__('os')...``
    ran). Each becomes a Dummy, printed as ``_Dummy_<n>`` (no value here, as before);
    an undefined function keeps its name only if it is one of ``functions``.
    """
    arguments = set(args)
    names = {s: sympy.Dummy() for s in expr.free_symbols if s not in arguments}
    expr = expr.xreplace(names)
    unknown = [f for f in expr.atoms(AppliedUndef) if type(f).__name__ not in functions or not type(f).__name__.isidentifier()]
    if unknown:
        expr = expr.xreplace({f: sympy.Dummy() for f in unknown})
    return sympy.lambdify(tuple(args), expr, modules=[dict(functions), "mpmath"])  # type: ignore[no-any-return]
