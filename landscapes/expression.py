"""Custom surfaces typed by the user, e.g. ``x**2 + 100*y**2`` or ``sin(x)*cos(y)``.

Nothing in the user's text is ever run by Python: ``ast.parse`` only builds a syntax tree, every node
is checked against a whitelist and translated to SymPy by this module, and ``sympy.lambdify`` then
compiles the SymPy expression built here (whose only names are x, y and whitelisted functions).
"""

from __future__ import annotations

import ast
import inspect
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter

from .base import Surface

#: Limits on what a user may type (each keeps parsing and symbolic work small and fast).
MAX_LENGTH = 300
MAX_NODES = 200
MAX_DEPTH = 30
MAX_EXPONENT = 10
MAX_POWER_NESTING = 3
MAX_LITERAL = 1e12
MAX_LITERAL_CHARS = 40
#: Domains: each side's width and every coordinate must lie within these.
MIN_WIDTH, MAX_WIDTH, MAX_COORDINATE = 1e-6, 1e6, 1e6
#: The minimum of a custom surface is estimated on a GRID x GRID grid of its domain, then polished from the
#: POLISHED lowest local minima of the grid by NEWTON_STEPS damped Newton steps that stay inside the domain.
GRID = 201
POLISHED, NEWTON_STEPS = 8, 60

X, Y = sympy.symbols("x y", real=True)
_CONSTANTS = {"pi": sympy.pi, "e": sympy.E}
#: Canonical name -> (SymPy function, NumPy function used to check constant arguments).
_FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sin": (sympy.sin, np.sin),
    "cos": (sympy.cos, np.cos),
    "tan": (sympy.tan, np.tan),
    "exp": (sympy.exp, np.exp),
    "log": (sympy.log, np.log),
    "sqrt": (sympy.sqrt, np.sqrt),
    "abs": (sympy.Abs, np.abs),
    "sinh": (sympy.sinh, np.sinh),
    "cosh": (sympy.cosh, np.cosh),
    "tanh": (sympy.tanh, np.tanh),
    "asin": (sympy.asin, np.arcsin),
    "acos": (sympy.acos, np.arccos),
    "atan": (sympy.atan, np.arctan),
}
# The shorter spelling is canonical, so the canonical text is never longer than what was typed.
_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}
_FUNCTION_LIST = ", ".join([*_FUNCTIONS, *_ALIASES])
# Placeholder for a column in messages: user text cannot contain it (control characters are rejected).
_COL = "\x00"

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_OPERATIONS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "**": 4, "atom": 5}
_OTHER_OPERATORS = {
    ast.BitXor: "'^' is not a power in Python: write x**2 for x squared",
    ast.Mod: "'%' is not allowed: use + - * / **",
    ast.FloorDiv: "'//' is not allowed: use / for division",
    ast.MatMult: "'@' is not allowed: use * for multiplication",
    ast.LShift: "'<<' is not allowed: use + - * / **",
    ast.RShift: "'>>' is not allowed: use + - * / **",
    ast.BitOr: "'|' is not allowed: use + - * / **",
    ast.BitAnd: "'&' is not allowed: use + - * / **",
    ast.Not: "'not' is not allowed",
    ast.Invert: "'~' is not allowed",
}
_NODE_NAMES = {
    ast.Attribute: "attribute access with '.'",
    ast.Subscript: "indexing with [...]",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "'if ... else'",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' unpacking",
    ast.Tuple: "tuples (a comma outside a function call)",
    ast.List: "lists",
    ast.Set: "sets",
    ast.Dict: "dictionaries",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class ExpressionError(ValueError):
    """A rejected expression; ``column`` (1-based) points at the problem when there is one."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class ParsedExpression:
    """A validated expression: its syntax tree, canonical text (for URLs) and SymPy form."""

    tree: ast.Expression
    canonical: str
    expr: sympy.Expr


@dataclass(frozen=True, eq=False)
class ExpressionSurface(Surface):
    """A surface built by ``from_expression``; ``expression`` is the canonical text."""

    expression: str = ""
    #: True when ``min_value``/``minima`` are the lowest grid point, not a known global minimum.
    min_is_estimate: bool = True

    @property
    def cache_key(self) -> tuple:
        """A hashable key: equal keys give identical surfaces."""
        return ("custom", self.expression, self.domain, self.start)


def is_estimated_minimum(surface: Surface) -> bool:
    """Whether the surface's ``min_value`` is only an estimate (custom surfaces)."""
    return bool(getattr(surface, "min_is_estimate", False))


# ----------------------------------------------------------------------------- parsing


def _check_characters(text: str) -> None:
    for i, char in enumerate(text):
        if not (char.isascii() and char.isprintable()):
            shown = repr(char) if char.isascii() else f"'{char}' (U+{ord(char):04X})"
            raise ExpressionError(
                f"Only printable ASCII characters are allowed; found {shown} at column {i + 1}", i + 1
            )


def _check_size(tree: ast.Expression, lead: int) -> None:
    """Node count and nesting depth, checked without recursion before anything else walks the tree."""
    count, stack = 0, [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"The expression is too large (more than {MAX_NODES} parts); please simplify it")
        if depth > MAX_DEPTH:
            column = getattr(node, "col_offset", 0) + lead + 1
            raise ExpressionError(
                f"The expression is nested too deeply at column {column} (at most {MAX_DEPTH} levels)", column
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))


#: (SymPy expression or None in the checking pass, canonical text, precedence of its outermost operator)
_Built = tuple[sympy.Expr | None, str, int]


class _Builder:
    """Checks each node against the whitelist and returns (SymPy expression, canonical text, precedence).

    With ``symbolic=False`` it only checks and returns None for the expression: that pass rejects any
    text outside the whitelist in well under a millisecond, before SymPy does any work.
    """

    def __init__(self, text: str, lead: int, symbolic: bool):
        self.text = text
        self.lead = lead
        self.symbolic = symbolic

    def column(self, node: ast.AST) -> int:
        return getattr(node, "col_offset", 0) + self.lead + 1

    def fail(self, node: ast.AST, message: str) -> None:
        """Raise with ``_COL`` in ``message`` replaced by the node's column (never str.format on user text)."""
        column = self.column(node)
        raise ExpressionError(message.replace(_COL, str(column)), column)

    def segment(self, node: ast.AST) -> str:
        source = ast.get_source_segment(self.text, node) or ""
        return source if len(source) <= 30 else source[:27] + "..."

    def build(self, node: ast.expr, powers: int = 0) -> _Built:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, powers)
        if isinstance(node, ast.BinOp):
            return self.binary(node, powers)
        if isinstance(node, ast.Call):
            return self.call(node, powers)
        what = _NODE_NAMES.get(type(node), f"'{type(node).__name__}'")
        self.fail(node, f"Not allowed at column {_COL}: {what} (found '{self.segment(node)}')")
        raise AssertionError  # unreachable: fail raises

    def number(self, node: ast.Constant) -> _Built:
        value = node.value
        if isinstance(value, str | bytes):
            self.fail(node, f"Text in quotes at column {_COL} is not allowed: only numbers, x, y, pi, e and functions")
        if isinstance(value, bool) or value is None or value is Ellipsis:
            self.fail(node, f"'{self.segment(node)}' at column {_COL} is not allowed: use numbers, x and y")
        if isinstance(value, complex):
            self.fail(node, f"Complex numbers (like 1j) at column {_COL} are not allowed")
        source = (ast.get_source_segment(self.text, node) or "").replace("_", "").lower()
        if len(source) > MAX_LITERAL_CHARS or not math.isfinite(value) or abs(value) > MAX_LITERAL:
            self.fail(
                node,
                f"The number at column {_COL} is too large or too long "
                f"(at most {MAX_LITERAL:.0e} in size and {MAX_LITERAL_CHARS} characters)",
            )
        expr = self.combine(node, lambda: sympy.Integer(value) if isinstance(value, int) else sympy.Float(value))
        return expr, source, _PRECEDENCE["atom"]

    def name(self, node: ast.Name) -> _Built:
        name = node.id
        if name in ("x", "y"):
            return (X if name == "x" else Y), name, _PRECEDENCE["atom"]
        if name in _CONSTANTS:
            return _CONSTANTS[name], name, _PRECEDENCE["atom"]
        if name in _FUNCTIONS or name in _ALIASES:
            self.fail(node, f"'{name}' at column {_COL} is a function: call it like {name}(x)")
        self.fail(node, f"Unknown name '{name}' at column {_COL}: use x, y, pi, e or a function like sin(x)")
        raise AssertionError

    def unary(self, node: ast.UnaryOp, powers: int) -> _Built:
        if type(node.op) not in _UNARY:
            self.fail(node, f"{_OTHER_OPERATORS[type(node.op)]} (column {_COL})")
        operand, text, precedence = self.build(node.operand, powers)
        if isinstance(node.op, ast.UAdd):  # +a is a; dropping it keeps the canonical text short
            return operand, text, precedence
        if precedence < _PRECEDENCE["unary"]:
            text = f"({text})"
        return self.combine(node, lambda: -operand), f"-{text}", _PRECEDENCE["unary"]

    def binary(self, node: ast.BinOp, powers: int) -> _Built:
        symbol = _BINARY.get(type(node.op))
        if symbol is None:
            column = self.operator_column(node)
            raise ExpressionError(f"{_OTHER_OPERATORS[type(node.op)]} (column {column})", column)
        if symbol == "**":
            powers += 1
            if powers > MAX_POWER_NESTING:
                self.fail(node, f"Powers are nested too deeply at column {_COL} (at most {MAX_POWER_NESTING})")
            self.check_exponent(node.right)
        left, left_text, left_prec = self.build(node.left, powers)
        right, right_text, right_prec = self.build(node.right, powers)
        precedence = _PRECEDENCE[symbol]
        if symbol == "**":
            # Python binds ** to the right and lets a unary minus start the exponent: x**-1.
            left_text = f"({left_text})" if left_prec <= precedence else left_text
            right_text = f"({right_text})" if right_prec < _PRECEDENCE["unary"] else right_text
        else:
            left_text = f"({left_text})" if left_prec < precedence else left_text
            right_text = f"({right_text})" if right_prec <= precedence else right_text
        if self.symbolic and symbol == "/" and right == 0:
            self.fail(node.right, f"Division by zero at column {_COL}")
        expr = self.combine(node, lambda: _OPERATIONS[symbol](left, right))
        return expr, f"{left_text}{symbol}{right_text}", precedence

    def operator_column(self, node: ast.BinOp) -> int:
        i = node.left.end_col_offset or 0
        while i < len(self.text) and self.text[i] in " )":
            i += 1
        return i + self.lead + 1

    def check_exponent(self, node: ast.expr) -> None:
        """Exponents are constant numbers (2, -1, 0.5 or a fraction like 1/3) no larger than MAX_EXPONENT."""
        value = _exponent_value(node)
        if value is None:
            if any(isinstance(n, ast.Name) and n.id in ("x", "y") for n in ast.walk(node)):
                hint = "use exp(...) for powers of e, and exp(y*log(x)) for x to the power y"
            else:
                hint = "write a plain number such as 2, -1, 0.5 or 1/3, not a calculation"
            self.fail(node, f"The exponent at column {_COL} must be a constant number: {hint}")
        elif not math.isfinite(value) or abs(value) > MAX_EXPONENT:
            self.fail(node, f"The exponent at column {_COL} is too large (at most {MAX_EXPONENT} in size)")

    def call(self, node: ast.Call, powers: int) -> _Built:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                self.fail(func, f"Attribute access ('.{func.attr}') at column {_COL} is not allowed")
            self.fail(func, f"Only named functions like sin(x) can be called (column {_COL})")
        name = _ALIASES.get(func.id, func.id)
        if name not in _FUNCTIONS:
            if func.id in ("x", "y") or func.id in _CONSTANTS:
                self.fail(func, f"'{func.id}' at column {_COL} is not a function: write {func.id}*(...)")
            self.fail(func, f"Unknown function '{func.id}' at column {_COL}; allowed: {_FUNCTION_LIST}")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(node, f"{func.id}(...) at column {_COL} takes exactly one argument, like {func.id}(x)")
        argument, text, _ = self.build(node.args[0], powers)
        sympy_function, numpy_function = _FUNCTIONS[name]
        if self.symbolic and not argument.free_symbols:
            # Check on floats first: SymPy evaluates functions of floats eagerly and with unlimited
            # range, so exp(exp(exp(30.0))) would never finish.
            with np.errstate(all="ignore"):
                result = numpy_function(_to_float(argument))
            if not np.isfinite(result):
                self.fail(node, f"{func.id}(...) at column {_COL} is undefined or too large for its argument")
        return self.combine(node, lambda: sympy_function(argument)), f"{name}({text})", _PRECEDENCE["atom"]

    def combine(self, node: ast.AST, make: Callable[[], sympy.Expr]) -> sympy.Expr | None:
        """``make()`` in the symbolic pass, checked: constant parts must be finite real numbers
        (1/0, log(-1) and 1e300**2 are rejected here)."""
        if not self.symbolic:
            return None
        expr = make()
        if not expr.free_symbols and not math.isfinite(_to_float(expr)):
            self.fail(
                node,
                f"'{self.segment(node)}' at column {_COL} is undefined or too large "
                "(division by zero, log or sqrt of a negative number, or overflow)",
            )
        return expr


def _to_float(expr: sympy.Expr) -> float:
    try:
        return float(expr)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return math.nan


def _exponent_value(node: ast.expr) -> float | None:
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        inner = _exponent_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Div)
        and all(isinstance(n, ast.Constant) and type(n.value) is int for n in (node.left, node.right))
    ):
        return node.left.value / node.right.value if node.right.value else math.inf
    return None


def _syntax_message(error: SyntaxError) -> str:
    message = error.msg
    if "forgot a comma" in message or "decimal literal" in message:
        message = "missing operator (write products with *, e.g. 2*x or x*y)"
    elif message == "invalid syntax":
        message = "this is not a formula in x and y (use numbers, x, y, + - * / ** and functions like sin(x))"
    return message


def parse(text: str) -> ParsedExpression:
    """Validate ``text`` against the whitelist; raises ExpressionError (a ValueError) saying where and why."""
    if not isinstance(text, str):
        raise ExpressionError(f"The expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The expression is too long ({len(text)} characters; at most {MAX_LENGTH})")
    _check_characters(text)
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("Type an expression in x and y, for example x**2 + 100*y**2")
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        if not error.offset and error.msg == "invalid syntax":  # Python reports no place when the text ends early
            column = len(stripped) + lead + 1
            raise ExpressionError(
                f"The expression ends too early at column {column}: something is missing after the last part",
                column,
            ) from None
        column = (error.offset or 1) + lead
        raise ExpressionError(
            f"Could not read the expression at column {column}: {_syntax_message(error)}", column
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("Could not read the expression: it is too complex") from None
    _check_size(tree, lead)
    _Builder(stripped, lead, symbolic=False).build(tree.body)
    expr, canonical, _ = _Builder(stripped, lead, symbolic=True).build(tree.body)
    return ParsedExpression(tree, canonical, expr)


# ----------------------------------------------------------------------------- surface


def _check_domain(domain: object) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x0, x1), (y0, y1) = domain  # type: ignore[misc]
        box = ((float(x0), float(x1)), (float(y0), float(y1)))
    except (TypeError, ValueError):
        raise ValueError(f"domain must be ((x_low, x_high), (y_low, y_high)), got {domain!r}") from None
    for axis, (low, high) in zip("xy", box, strict=True):
        if not (math.isfinite(low) and math.isfinite(high) and max(abs(low), abs(high)) <= MAX_COORDINATE):
            raise ValueError(f"the {axis} range must be finite numbers within ±{MAX_COORDINATE:g}, got {low}, {high}")
        if not MIN_WIDTH <= high - low <= MAX_WIDTH:
            raise ValueError(
                f"the {axis} range must go from low to high with a width between {MIN_WIDTH:g} and {MAX_WIDTH:g}, "
                f"got [{low:g}, {high:g}]"
            )
    return box


#: Integer powers up to this size are written as products (see ``_Printer``).
MAX_PRODUCT = 16
#: Calls whose NumPy results are exact, or correctly rounded (so equal for floats and arrays of any length).
_EXACT_CALLS = {"sqrt", "abs", "sign"}


class _Printer(NumPyPrinter):
    """NumPy code without the ``**`` operator, so that the same code gives the same numbers on arrays
    and on Python floats: integer powers become products (``x**3`` -> ``(x)*(x)*(x)``; NumPy squares an
    array but Python calls ``pow``), square roots ``sqrt`` (correctly rounded everywhere), and other
    powers ``numpy.power``."""

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:  # noqa: N802 (SymPy's name)
        base, exp = self._print(expr.base), expr.exp
        if exp.is_Integer and 0 < abs(int(exp)) <= MAX_PRODUCT:
            product = "*".join([f"({base})"] * abs(int(exp)))
            return f"({product})" if exp > 0 else f"(1/({product}))"  # a Pow prints as one operand
        if exp in (sympy.S.Half, -sympy.S.Half):
            root = f"{self._module_format('numpy.sqrt')}({base})"
            return root if exp > 0 else f"(1/{root})"
        return f"{self._module_format('numpy.power')}({base}, {self._print(exp)})"


def _float_safe(function: Callable) -> bool:
    """Whether the code lambdify wrote (with ``_Printer``) gives, on Python floats, exactly what it gives
    on arrays: arithmetic, square roots and exact functions only. NumPy's vectorised sin, exp, log and
    power may differ from its scalar path in the last bit. The generated code is read, not the SymPy
    expressions: common-subexpression elimination can create powers they do not have (sqrt(u) * u)."""
    source = inspect.getsource(function)
    calls = {name.rsplit(".", 1)[-1] for name in re.findall(r"([A-Za-z_][\w.]*)\(", source)}
    return calls - {function.__name__} <= _EXACT_CALLS


def _lambdify(exprs: list[sympy.Expr]) -> Callable:
    return sympy.lambdify((X, Y), exprs, modules="numpy", cse=True, printer=_Printer)


def _pair(exprs: list[sympy.Expr]) -> Callable[[float, float], tuple[float, float]]:
    """The two gradient components at Python floats x, y, exactly as ``_compile``'s arrays hold them.

    Arithmetic-only code runs on the floats themselves (a single run then steps without arrays, see
    ``optim.runner``); code with transcendental functions runs on one-element arrays, NumPy's vector
    path. A division by zero raises ZeroDivisionError on floats: the runner then steps with arrays."""
    function = _lambdify(exprs)
    if _float_safe(function):

        def pair(x: float, y: float) -> tuple[float, float]:
            gx, gy = function(x, y)
            return float(gx), float(gy)

        return pair

    def pair_via_arrays(x: float, y: float) -> tuple[float, float]:
        gx, gy = function(np.array([x]), np.array([y]))
        return float(np.asarray(gx).flat[0]), float(np.asarray(gy).flat[0])

    return pair_via_arrays


def _compile(exprs: list[sympy.Expr]) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Compile SymPy expressions to f(x, y) -> array (len(exprs), *shape) that never raises or warns."""
    function = _lambdify(exprs)

    def evaluate(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        out = np.empty((len(exprs), *np.broadcast_shapes(x.shape, y.shape)))
        with np.errstate(all="ignore"):
            for i, part in enumerate(function(x, y)):
                out[i] = part  # constant parts come back as scalars and broadcast here
        return out

    return evaluate


class _RealAbs(sympy.Function):
    """|u| of a real u. SymPy's Abs allows a complex u and then differentiates via re/im, which NumPy
    cannot compile (e.g. abs(sqrt(x))); here every subexpression is real wherever f is defined."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.sign(self.args[0])


class _RealSign(sympy.Function):
    """sign(u) of a real u: its derivative is zero wherever it exists."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


def _diff(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    real = expr.replace(sympy.Abs, _RealAbs).replace(sympy.sign, _RealSign)
    return sympy.diff(real, variable).replace(_RealAbs, sympy.Abs).replace(_RealSign, sympy.sign)


def _compilable(expr: sympy.Expr) -> sympy.Expr:
    """Reject what NumPy cannot evaluate as a real function: complex or infinite parts, huge coefficients."""
    if expr.has(sympy.I, sympy.zoo, sympy.oo, sympy.nan) or expr.has(-sympy.oo):
        raise ExpressionError("The expression is undefined or complex-valued everywhere")
    if expr.has(sympy.Derivative):
        raise ExpressionError("The expression could not be differentiated exactly; please rewrite it")
    if any(not math.isfinite(_to_float(number)) for number in expr.atoms(sympy.Number)):
        raise ExpressionError("A coefficient of the expression or of its derivatives is too large")
    return expr


def _default_start(value_grad: Callable, box: tuple) -> tuple[float, float]:
    """80% of the way towards a corner where f is defined and not flat; else any defined grid point."""
    (x0, x1), (y0, y1) = box
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    corners = [(-0.8, 0.8), (0.8, 0.8), (0.8, -0.8), (-0.8, -0.8), (-0.5, 0.3), (0.3, 0.5)]
    fx, fy = np.meshgrid(np.linspace(-0.95, 0.95, 39), np.linspace(-0.95, 0.95, 39))
    fractions = np.concatenate([np.array(corners), np.column_stack([fx.ravel(), fy.ravel()])])
    px, py = cx + hx * fractions[:, 0], cy + hy * fractions[:, 1]
    out = value_grad(px, py)
    defined = np.isfinite(out).all(0)
    moving = defined & (np.abs(out[1:]).max(0) > 1e-12)
    candidates = np.flatnonzero(moving) if moving.any() else np.flatnonzero(defined)
    if not len(candidates):
        raise ValueError("the expression is undefined everywhere in the domain")
    return float(px[candidates[0]]), float(py[candidates[0]])


def _grid_minima(z: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices of up to ``count`` lowest grid points that are no higher than any of their 8 neighbours,
    and how much f rises from each to its highest (finite) neighbour."""
    finite = np.isfinite(z)
    rows, cols = z.shape
    padded_low = np.pad(np.where(finite, z, np.inf), 1, constant_values=np.inf)
    padded_high = np.pad(np.where(finite, z, -np.inf), 1, constant_values=-np.inf)
    local, highest = finite.copy(), np.full(z.shape, -np.inf)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                window = (slice(1 + dy, 1 + dy + rows), slice(1 + dx, 1 + dx + cols))
                local &= z <= padded_low[window]
                highest = np.maximum(highest, padded_high[window])
    candidates = np.flatnonzero(local)
    seeds = candidates[np.argsort(z.ravel()[candidates], kind="stable")[:count]]
    return seeds, (highest - np.where(finite, z, 0.0)).ravel()[seeds]


def _descend(value: Callable, xy: np.ndarray, f: np.ndarray, step: np.ndarray, box: tuple, active: np.ndarray):
    """One backtracking step for the ``active`` points: the first of step, step/2, ... (40 halvings) that stays
    in ``box`` (clipped) and lowers f. Updates ``xy`` and ``f`` in place; returns which points moved."""
    (x0, x1), (y0, y1) = box
    low, high = np.array([x0, y0]), np.array([x1, y1])
    step = np.where(np.isfinite(step), step, 0.0)
    moved, scale = np.zeros(len(xy), bool), np.ones(len(xy))
    for _ in range(40):
        trial = np.clip(xy + step * scale[:, None], low, high)
        f_trial = value(trial[:, 0], trial[:, 1])
        better = active & ~moved & np.isfinite(f_trial) & (f_trial < f)
        xy[better], f[better] = trial[better], f_trial[better]
        moved |= better
        scale /= 2
        if (moved | ~active).all():
            break
    return moved


def _polish(
    value: Callable, fused: Callable, hessian: Callable, points: np.ndarray, rise: np.ndarray, box: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Polish grid minima: from each of ``points`` (n, 2), damped Newton steps with the exact Hessian (or, where
    that does not lower f, a gradient step of a few grid cells), backtracking, clipped to ``box``, so f only
    goes down. A point settles when no step lowers f (by more than rounding): a minimum of the domain, smooth
    or not. The grid cannot hide a minimum deeper than f's ``rise`` from a grid minimum to its neighbours; a
    point that sinks further (towards a singularity, log(x) at x = 0) or never settles keeps its grid value.
    Returns the points and their values, never higher than the grid's."""
    (x0, x1), (y0, y1) = box
    start = points.astype(float)
    xy = start.copy()
    f_start = value(xy[:, 0], xy[:, 1])
    f = f_start.copy()
    reach = np.array([x1 - x0, y1 - y0]) / (GRID - 1) * 4
    settled = np.zeros(len(xy), bool)
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            before = f.copy()
            _, (gx, gy) = fused(xy[:, 0], xy[:, 1])
            hxx, hxy, hyy = hessian(xy[:, 0], xy[:, 1])
            det = hxx * hyy - hxy * hxy
            newton = np.column_stack([-(hyy * gx - hxy * gy) / det, -(hxx * gy - hxy * gx) / det])
            convex = (hxx > 0) & (det > 0)
            moved = _descend(value, xy, f, newton, box, ~settled & convex)
            norm = np.hypot(gx, gy)
            gradient = -np.column_stack([gx, gy]) / np.where(norm > 0, norm, 1.0)[:, None] * reach
            moved |= _descend(value, xy, f, gradient, box, ~settled & ~moved)
            settled |= ~moved | (before - f <= 1e-13 * (1.0 + np.abs(f)))
            if settled.all():
                break
    kept = settled & (f_start - f <= rise * (1 + 1e-9))
    return np.where(kept[:, None], xy, start), np.where(kept, f, f_start)


def _check_start(start: object, value_grad: Callable, box: tuple) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in start)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(f"start must be a point (x, y), got {start!r}") from None
    (x0, x1), (y0, y1) = box
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        raise ValueError(f"start ({x:g}, {y:g}) must lie in the domain x in [{x0:g}, {x1:g}], y in [{y0:g}, {y1:g}]")
    if not np.isfinite(value_grad(np.array(x), np.array(y))).all():
        raise ValueError(f"the expression or its gradient is undefined at the start ({x:g}, {y:g})")
    return x, y


def from_expression(
    text: str,
    domain: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-2.0, 2.0)),
    start: tuple[float, float] | None = None,
) -> ExpressionSurface:
    """A surface for the formula ``text`` in x and y, with exact gradient and Hessian (via SymPy).

    Raises ValueError (an ExpressionError for the text) with a message saying what is wrong and where.
    The minimum is estimated as the lowest point of a GRID x GRID grid over ``domain``, polished by Newton
    steps (``_polish``) from the grid's lowest local minima, so that a run which settles in a minimum of the
    domain does not end below the estimate (f − f̂* >= 0 up to rounding).
    """
    box = _check_domain(domain)
    parsed = parse(text)
    f = _compilable(parsed.expr)
    gradient = [_compilable(_diff(f, v)) for v in (X, Y)]
    hessian = [_compilable(_diff(gradient[i], v)) for i, v in ((0, X), (0, Y), (1, Y))]
    value_fn, grad_fn, hess_fn, fused_fn = (_compile(e) for e in ([f], gradient, hessian, [f, *gradient]))

    def value_xy(x, y):
        return value_fn(x, y)[0]

    def fused_xy(x, y):
        out = fused_fn(x, y)
        return out[0], out[1:]

    xs, ys = np.linspace(*box[0], GRID), np.linspace(*box[1], GRID)
    gx, gy = np.meshgrid(xs, ys)
    z = value_xy(gx, gy)
    finite = np.isfinite(z)
    if not finite.any():
        raise ValueError("the expression is undefined (or infinite) everywhere in the domain")
    seeds, rise = _grid_minima(z, POLISHED)
    seeds_xy = np.column_stack([gx.flat[seeds], gy.flat[seeds]])
    points, values = _polish(value_xy, fused_xy, hess_fn, seeds_xy, rise, box)
    best = int(np.argmin(values))
    start = _default_start(fused_fn, box) if start is None else _check_start(start, fused_fn, box)

    return ExpressionSurface(
        name="custom",
        label=f"Custom: {parsed.canonical}",
        latex=f"f(x,y) = {sympy.latex(f)}",
        params={},
        domain=box,
        start=start,
        story="Your own surface, typed as a formula; its minimum is estimated on a grid and refined by Newton steps.",
        value_xy=value_xy,
        grad_xy=grad_fn,
        hessian_xy=hess_fn,
        minima=points[best : best + 1],
        min_value=float(values[best]),
        fused_xy=fused_xy,
        grad_pair=_pair(gradient),
        expression=parsed.canonical,
    )
