"""The Surface type shared by every 2-D loss surface, and its typed parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray
#: f(x, y) for arrays x, y of the same shape.
ValueFn = Callable[[Array, Array], Array]
#: (x, y) -> array of shape (2, *x.shape): the gradient stacked on a leading axis.
GradFn = Callable[[Array, Array], Array]
#: (x, y) -> array of shape (3, *x.shape): f_xx, f_xy, f_yy.
HessFn = Callable[[Array, Array], Array]
#: (x, y) -> (f, gradient): both at once, sharing the common subexpressions.
ValueGradFn = Callable[[Array, Array], tuple[Array, Array]]
#: (x, y) -> (df/dx, df/dy) for floats or arrays: the gradient's two components, unstacked.
GradPairFn = Callable[[float, float], tuple[float, float]]

#: How far (in half-widths of the plotting domain, from its centre) an iterate may wander
#: before the run counts as diverged.
DIVERGENCE_REACH = 10.0


@dataclass(frozen=True)
class Param:
    """A typed, bounded parameter of a surface (e.g. the bowl's condition number)."""

    name: str
    label: str
    default: float
    low: float
    high: float
    help: str
    log: bool = False

    def validate(self, value: object) -> float:
        """Return ``value`` as a float inside [low, high], or raise ValueError."""
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {value!r}") from None
        if not np.isfinite(number) or not self.low <= number <= self.high:
            raise ValueError(f"{self.name} must be between {self.low:g} and {self.high:g}, got {value!r}")
        return number


@dataclass(frozen=True)
class TextParam:
    """A text parameter of a surface (a custom surface's formula); its content is checked by the surface's build."""

    name: str
    label: str
    default: str
    help: str
    max_length: int

    def validate(self, value: object) -> str:
        """Return ``value`` if it is text of at most ``max_length`` characters, or raise ValueError."""
        if not isinstance(value, str):
            raise ValueError(f"{self.name} must be text, got {type(value).__name__}")
        if len(value) > self.max_length:
            raise ValueError(f"{self.name} is too long ({len(value)} characters; at most {self.max_length})")
        return value


def stack2(first: Array, second: Array) -> Array:
    """Stack two equally shaped arrays on a new leading axis (cheaper than np.stack for tiny inputs)."""
    first = np.asarray(first, dtype=float)
    out = np.empty((2, *first.shape))
    out[0] = first
    out[1] = second
    return out


def stacked(pair: GradPairFn) -> GradFn:
    """The GradFn of a gradient written as a pair of components."""

    def grad_xy(x: Array, y: Array) -> Array:
        return stack2(*pair(x, y))

    return grad_xy


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface with exact value, gradient and Hessian.

    ``value``/``grad``/``hessian`` take points of shape (..., 2); the ``*_xy`` forms take the two
    coordinates separately (any equal shapes) and put the component axis first, which is the
    layout the optimizer core steps in.
    """

    name: str
    label: str
    latex: str
    params: Mapping[str, float | str]
    domain: tuple[tuple[float, float], tuple[float, float]]
    start: tuple[float, float]
    story: str
    value_xy: ValueFn
    grad_xy: GradFn
    hessian_xy: HessFn | None = None
    #: Global minima, shape (n, 2); empty when the surface is unbounded below.
    minima: Array = field(default_factory=lambda: np.empty((0, 2)))
    #: The global minimum value, or None when there is none.
    min_value: float | None = None
    #: Other local minima worth marking (basin maps, lessons), shape (m, 2).
    local_minima: Array = field(default_factory=lambda: np.empty((0, 2)))
    #: Optional fused value and gradient (sweeps need both every step).
    fused_xy: ValueGradFn | None = None
    #: Optional gradient as a pair of components, also correct for Python floats (IEEE results
    #: equal to ``grad_xy``'s: plain arithmetic, no ``**``): a single run then steps without arrays.
    grad_pair: GradPairFn | None = None

    def value_and_grad_xy(self, x: Array, y: Array) -> tuple[Array, Array]:
        """(f, gradient of shape (2, ...)) at coordinates x, y; equal to the separate calls."""
        if self.fused_xy is not None:
            return self.fused_xy(x, y)
        return self.value_xy(x, y), self.grad_xy(x, y)

    def value(self, xy: Array) -> Array:
        """f at points of shape (..., 2)."""
        xy = np.asarray(xy, dtype=float)
        return self.value_xy(xy[..., 0], xy[..., 1])

    def grad(self, xy: Array) -> Array:
        """Exact gradient at points of shape (..., 2), same shape out."""
        xy = np.asarray(xy, dtype=float)
        return np.moveaxis(self.grad_xy(xy[..., 0], xy[..., 1]), 0, -1)

    def hessian(self, xy: Array) -> Array:
        """Exact Hessian at points of shape (..., 2), shape (..., 2, 2) out."""
        if self.hessian_xy is None:
            raise ValueError(f"the surface {self.name!r} has no exact Hessian")
        xy = np.asarray(xy, dtype=float)
        hxx, hxy, hyy = self.hessian_xy(xy[..., 0], xy[..., 1])
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    @property
    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The box an iterate must stay inside; leaving it counts as divergence."""
        box = []
        for low, high in self.domain:
            centre, half = (low + high) / 2, (high - low) / 2
            box.append((centre - DIVERGENCE_REACH * half, centre + DIVERGENCE_REACH * half))
        return box[0], box[1]

    def grid(self, resolution: int = 121) -> tuple[Array, Array, Array]:
        """xs (n,), ys (n,) over the plotting domain and f on the grid (n, n), rows along y."""
        (x0, x1), (y0, y1) = self.domain
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        with np.errstate(all="ignore"):
            z = self.value_xy(*np.meshgrid(xs, ys))
        return xs, ys, z

    def nearest_minimum_distance(self, xy: Array) -> Array:
        """Distance from points (..., 2) to the nearest global minimum (NaN if there is none)."""
        xy = np.asarray(xy, dtype=float)
        if len(self.minima) == 0:
            return np.full(xy.shape[:-1], np.nan)
        diff = xy[..., None, :] - self.minima
        return np.sqrt((diff**2).sum(-1)).min(-1)


@dataclass(frozen=True)
class SurfaceSpec:
    """A registry entry: the name, its typed parameters and the factory that builds the Surface."""

    name: str
    label: str
    params: tuple[Param | TextParam, ...]
    build: Callable[..., Surface]

    def defaults(self) -> dict[str, float | str]:
        return {p.name: p.default for p in self.params}
