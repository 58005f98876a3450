"""The "custom" registry entry: a surface typed as a formula, with its plotting domain as parameters.

``landscapes.get("custom", expr="x**2 + 100*y**2", xmin=-2, xmax=2, ymin=-2, ymax=2)`` builds it; the
surface's ``params`` hold the canonical text, so equal formulas give equal scenarios, cache keys and URLs.
Building is cached (bounded): SymPy's differentiation and compilation take tens of milliseconds.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

from .base import Param, SurfaceSpec, TextParam
from .expression import MAX_COORDINATE, MAX_LENGTH, ExpressionError, ExpressionSurface, from_expression

CUSTOM = "custom"
DEFAULT_EXPRESSION = "x**2 + 10*y**2"
DOMAIN_PARAMS = ("xmin", "xmax", "ymin", "ymax")


class Example(NamedTuple):
    """A formula offered next to the input box, with a domain that shows it well."""

    expr: str
    domain: tuple[tuple[float, float], tuple[float, float]]
    note: str


EXAMPLES = (
    Example("x**2 + 10*y**2", ((-2.0, 2.0), (-2.0, 2.0)), "an elongated bowl: one steep, one shallow direction"),
    Example("x**2 + 100*y**2", ((-2.0, 2.0), (-2.0, 2.0)), "100 times steeper in y: SGD needs lr < 0.01"),
    Example("sin(x)*cos(y)", ((-4.0, 4.0), (-4.0, 4.0)), "an egg crate of minima, maxima and saddles"),
    Example("(1-x)**2 + 100*(y-x**2)**2", ((-2.0, 2.0), (-1.0, 3.0)), "Rosenbrock's curved valley"),
    Example("x**4 - 2*x**2 + y**2", ((-2.0, 2.0), (-2.0, 2.0)), "two minima: which one is reached?"),
    Example("log(1 + x**2 + 10*y**2)", ((-3.0, 3.0), (-3.0, 3.0)), "gradients vanish far away"),
    Example("abs(x) + 0.1*y**2", ((-2.0, 2.0), (-2.0, 2.0)), "a kink: the gradient never shrinks"),
)


def _coordinate(name: str, label: str, default: float) -> Param:
    return Param(name, label, default, -MAX_COORDINATE, MAX_COORDINATE, f"{label} of the plotted region.")


SPEC = SurfaceSpec(
    name=CUSTOM,
    label="Custom formula…",
    params=(
        TextParam("expr", "f(x, y)", DEFAULT_EXPRESSION, "The formula in x and y.", MAX_LENGTH),
        _coordinate("xmin", "x min", -2.0),
        _coordinate("xmax", "x max", 2.0),
        _coordinate("ymin", "y min", -2.0),
        _coordinate("ymax", "y max", 2.0),
    ),
    build=lambda **values: build(**values),
)


class _Failure(NamedTuple):
    """A cached rejection (only its text, never the exception object and its traceback)."""

    message: str
    column: int | None
    in_expression: bool


@functools.lru_cache(maxsize=64)
def _cached(expr: str, domain: tuple[tuple[float, float], tuple[float, float]]) -> ExpressionSurface | _Failure:
    try:
        surface = from_expression(expr, domain)
    except ExpressionError as error:
        return _Failure(str(error), error.column, True)
    except ValueError as error:
        return _Failure(str(error), None, False)
    params = {"expr": surface.expression} | dict(
        zip(DOMAIN_PARAMS, (*surface.domain[0], *surface.domain[1]), strict=True)
    )
    return dataclasses.replace(surface, params=params)


def build(
    expr: str = DEFAULT_EXPRESSION, xmin: float = -2.0, xmax: float = 2.0, ymin: float = -2.0, ymax: float = 2.0
) -> ExpressionSurface:
    """The surface of ``expr`` plotted over [xmin, xmax] x [ymin, ymax]; raises ValueError (ExpressionError for
    the formula, with its ``column``) saying what is wrong."""
    result = _cached(expr, ((float(xmin), float(xmax)), (float(ymin), float(ymax))))
    if isinstance(result, _Failure):
        if result.in_expression:
            raise ExpressionError(result.message, result.column)
        raise ValueError(result.message)
    return result
