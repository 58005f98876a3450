"""2-D loss surfaces with exact gradients: ``names()`` lists them, ``get(name, **params)`` builds one."""

from __future__ import annotations

from . import custom as _custom
from .base import DIVERGENCE_REACH, Param, Surface, SurfaceSpec, TextParam
from .custom import CUSTOM, EXAMPLES
from .expression import ExpressionError, from_expression, is_estimated_minimum
from .surfaces import SPECS

__all__ = [
    "CUSTOM",
    "DIVERGENCE_REACH",
    "EXAMPLES",
    "ExpressionError",
    "Param",
    "Surface",
    "SurfaceSpec",
    "TextParam",
    "from_expression",
    "get",
    "is_estimated_minimum",
    "names",
    "spec",
]

_BUILT_IN: dict[str, SurfaceSpec] = {s.name: s for s in SPECS}
_REGISTRY: dict[str, SurfaceSpec] = _BUILT_IN | {CUSTOM: _custom.SPEC}


def names(custom: bool = False) -> list[str]:
    """Names of the built-in surfaces, in display order; ``custom=True`` appends "custom" (a typed formula,
    built with ``get("custom", expr=..., xmin=..., xmax=..., ymin=..., ymax=...)``)."""
    return list(_REGISTRY if custom else _BUILT_IN)


def spec(name: str) -> SurfaceSpec:
    """The registry entry (label, typed parameters) of a surface."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; known surfaces: {', '.join(_REGISTRY)}") from None


def get(name: str | Surface, **params: float | str) -> Surface:
    """Build surface ``name`` with ``params`` (validated against their ranges); a Surface passes through.

    ``get("custom", expr="sin(x)*cos(y)", xmin=-4, xmax=4, ymin=-4, ymax=4)`` builds a typed formula; a formula
    that cannot be used raises ExpressionError (a ValueError) with the message and ``column``."""
    if isinstance(name, Surface):
        if params:
            raise ValueError("parameters can only be given with a surface name")
        return name
    entry = spec(name)
    known = {p.name: p for p in entry.params}
    unknown = set(params) - set(known)
    if unknown:
        allowed = ", ".join(known) or "none"
        raise ValueError(f"unknown parameter(s) {', '.join(sorted(unknown))} for {name}; allowed: {allowed}")
    values = {p.name: p.validate(params[p.name]) if p.name in params else p.default for p in entry.params}
    return entry.build(**values)
