"""2-D loss surfaces with exact gradients: ``names()`` lists them, ``get(name, **params)`` builds one."""

from __future__ import annotations

from .base import DIVERGENCE_REACH, Param, Surface, SurfaceSpec
from .expression import from_expression
from .surfaces import SPECS

__all__ = ["DIVERGENCE_REACH", "Param", "Surface", "SurfaceSpec", "from_expression", "get", "names", "spec"]

_REGISTRY: dict[str, SurfaceSpec] = {s.name: s for s in SPECS}


def names() -> list[str]:
    """Names of the built-in surfaces, in display order."""
    return list(_REGISTRY)


def spec(name: str) -> SurfaceSpec:
    """The registry entry (label, typed parameters) of a surface."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown surface {name!r}; known surfaces: {', '.join(_REGISTRY)}") from None


def get(name: str | Surface, **params: float) -> Surface:
    """Build surface ``name`` with ``params`` (validated against their ranges); a Surface passes through."""
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
