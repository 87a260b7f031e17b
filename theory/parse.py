"""A restricted parser for expression text: never ``eval``/``sympify`` on user input.

Python's :mod:`ast` only parses (it executes nothing); the tree is then walked with a
whitelist of node types, names and functions, and built into sympy objects directly.
"""

from __future__ import annotations

import ast
import math

import sympy as sp

from .errors import UnsafeExpressionError

__all__ = ["parse_expression", "FUNCTIONS"]

#: the number of arguments each function takes (None: two or more, for Max/Min)
ARITY = {"Max": None, "max": None, "Min": None, "min": None}


def _relu(u):
    """Max(0, u). For u affine in one real variable with a nonzero slope (the common case:
    a unit relu(w x + b)) nothing can simplify, so sympy's Max evaluation (which compares
    the arguments, 2.5 ms each) is skipped; the result is the same expression (Max's
    arguments are a set) and compares equal to the evaluated one."""
    free = u.free_symbols
    if len(free) == 1:
        (v,) = free
        slope = u.diff(v)
        if v.is_real and slope.is_number and slope.is_nonzero:  # u = slope·v + constant
            return sp.Max(0, u, evaluate=False)
    return sp.Max(0, u)


#: function names accepted in expression text, and what they build
FUNCTIONS = {
    "Max": sp.Max, "max": sp.Max, "Min": sp.Min, "min": sp.Min, "Abs": sp.Abs, "abs": sp.Abs,
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "sinh": sp.sinh,
    "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "erf": sp.erf,
    "Heaviside": sp.Heaviside, "sign": sp.sign,
    "relu": _relu, "softplus": lambda u: sp.log(1 + sp.exp(u)),
    "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
}
_CONSTANTS = {"pi": sp.pi, "E": sp.E, "e": sp.E}
#: longest accepted text (a sum of a thousand relu units is about 25,000 characters)
_MAX_LEN = 100_000
#: deepest accepted nesting of calls, powers, products and quotients (sums and differences
#: of any length are flattened, so they do not count)
_MAX_DEPTH = 100
_MAX_EXPONENT = 64


def parse_expression(text: str, variable: str = "x") -> tuple[sp.Expr, sp.Symbol]:
    """Parse ``text`` (e.g. ``"relu(x) - 2*relu(x - 1)"``) into (expr, x) with x a real symbol.

    Accepted: numbers, the variable, ``pi``/``E``, + - * / ** and unary minus, and calls of
    :data:`FUNCTIONS`. Anything else (attributes, subscripts, other names, keywords, huge
    literal exponents) raises :class:`~theory.errors.UnsafeExpressionError`.

    >>> parse_expression("Max(0, x) + 2**-1")[0]
    Max(0, x) + 1/2
    """
    if not isinstance(text, str):
        raise UnsafeExpressionError("expression text must be a string")
    if len(text) > _MAX_LEN:
        raise UnsafeExpressionError(f"expression longer than {_MAX_LEN} characters")
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpressionError(f"not a valid expression: {exc.msg}") from None
    x = sp.Symbol(variable, real=True)

    def build(node, depth=0):
        if depth > _MAX_DEPTH:
            raise UnsafeExpressionError(f"expression nested deeper than {_MAX_DEPTH} levels")
        if isinstance(node, ast.Expression):
            return build(node.body, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            # a sum of n terms is a left spine of n BinOps: walked iteratively and added in
            # one sp.Add (no recursion per term, no quadratic re-canonicalization)
            terms = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                right = build(node.right, depth + 1)
                terms.append(right if isinstance(node.op, ast.Add) else -right)
                node = node.left
            terms.append(build(node, depth + 1))
            out = sp.Add(*reversed(terms))
            if out.has(sp.zoo, sp.nan):
                raise UnsafeExpressionError("the expression divides by zero")
            return out
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise UnsafeExpressionError(f"the number {node.value!r} is not finite")
            if isinstance(node.value, int) and abs(node.value) > 10**100:
                raise UnsafeExpressionError("integer literal too large")
            return sp.Integer(node.value) if isinstance(node.value, int) else \
                sp.Rational(repr(node.value))
        if isinstance(node, ast.Name):
            if node.id == variable:
                return x
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            raise UnsafeExpressionError(f"unknown name {node.id!r} (the variable is {variable!r})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = build(node.operand, depth + 1)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                   ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
                   ast.Pow: lambda a, b: a**b}
            op = ops.get(type(node.op))
            if op is None:
                raise UnsafeExpressionError(f"operator {type(node.op).__name__} not allowed")
            a, b = build(node.left, depth + 1), build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow) and b.is_number and abs(b) > _MAX_EXPONENT:
                raise UnsafeExpressionError(f"exponent {b} too large (limit {_MAX_EXPONENT})")
            try:
                out = op(a, b)
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise UnsafeExpressionError(f"cannot evaluate the expression: {exc}") from None
            if out.has(sp.zoo, sp.nan):
                raise UnsafeExpressionError("the expression divides by zero")
            return out
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name = node.func.id
            fn = FUNCTIONS.get(name)
            if fn is None:
                raise UnsafeExpressionError(f"function {name!r} not allowed; allowed: "
                                            f"{sorted(FUNCTIONS)}")
            n = len(node.args)
            want = ARITY.get(name, 1)
            if (want is None and n < 2) or (want is not None and n != want):
                need = "at least 2 arguments" if want is None else f"{want} argument"
                raise UnsafeExpressionError(f"{name} takes {need}, got {n}")
            args = [build(a, depth + 1) for a in node.args]  # their errors are final
            try:
                return fn(*args)
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise UnsafeExpressionError(f"cannot build {name}(...): {exc}") from None
        raise UnsafeExpressionError(f"{type(node).__name__} is not allowed in expressions")

    return build(tree), x
