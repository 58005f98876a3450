"""The built-in surfaces: formulas, exact derivatives, minima and a start point that tells a story.

Formulas and minima follow ``shared/reference/landscapes.md``. Every derivative is written out by
hand; tests check it against central differences and the minima for stationarity.
"""

from __future__ import annotations

import math

import numpy as np

from .base import Param, Surface, SurfaceSpec, stack2, stacked


def _zeros_like(x: np.ndarray) -> np.ndarray:
    return np.zeros(np.shape(x))


def _full_like(x: np.ndarray, value: float) -> np.ndarray:
    return np.full(np.shape(x), value)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    def value(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def grad(x, y):
        r = y - x * x
        # Written in this order on purpose: the framework reference trajectories use it.
        return (-2.0 * (a - x) - (4.0 * b) * x * r, (2.0 * b) * r)

    def fused(x, y):
        r = y - x * x
        d = a - x
        return d**2 + b * r**2, stack2(-2.0 * d - (4.0 * b) * x * r, (2.0 * b) * r)

    def hessian(x, y):
        return np.stack([2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, _full_like(x, 2.0 * b)])

    return Surface(
        name="rosenbrock",
        label="Rosenbrock valley",
        latex=rf"f(x,y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
        params={"a": a, "b": b},
        domain=((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0))),
        start=(-1.2, 1.0),
        story="A narrow curved valley: easy to reach, slow to follow to the minimum.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[a, a * a]]),
        min_value=0.0,
        fused_xy=fused,
    )


def bowl(condition: float = 100.0, angle: float = 0.0) -> Surface:
    """½(u² + κ v²) with (u, v) the point rotated by ``angle`` degrees."""
    theta = math.radians(angle)
    c, s = math.cos(theta), math.sin(theta)
    kappa = condition

    def value(x, y):
        u = c * x + s * y
        v = c * y - s * x
        return 0.5 * (u * u + kappa * (v * v))

    def grad(x, y):
        u = c * x + s * y
        kv = kappa * (c * y - s * x)
        return (c * u - s * kv, s * u + c * kv)

    hxx = c * c + kappa * s * s
    hxy = c * s * (1.0 - kappa)
    hyy = s * s + kappa * c * c

    def hessian(x, y):
        return np.stack([_full_like(x, hxx), _full_like(x, hxy), _full_like(x, hyy)])

    rotated = rf"\ \text{{rotated by }} {angle:g}^\circ" if angle else ""
    return Surface(
        name="bowl",
        label="Ill-conditioned bowl",
        latex=rf"f(x,y) = \tfrac12\,(x^2 + {kappa:g}\,y^2){rotated}",
        params={"condition": condition, "angle": angle},
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-1.8, 1.2),
        story="One steep and one shallow direction: a single learning rate cannot suit both.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[0.0, 0.0]]),
        min_value=0.0,
    )


def saddle() -> Surface:
    def value(x, y):
        return x * x - y * y

    def grad(x, y):
        return (2.0 * x, -2.0 * y)

    def hessian(x, y):
        return np.stack([_full_like(x, 2.0), _zeros_like(x), _full_like(x, -2.0)])

    return Surface(
        name="saddle",
        label="Saddle",
        latex=r"f(x,y) = x^2 - y^2",
        params={},
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(1.5, 1e-3),
        story="Downhill along y, uphill along x: how fast does each optimizer escape the flat middle?",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
    )


def monkey_saddle() -> Surface:
    def value(x, y):
        return x**3 - 3.0 * x * (y * y)

    def grad(x, y):
        return (3.0 * (x * x) - 3.0 * (y * y), -6.0 * x * y)

    def hessian(x, y):
        return np.stack([6.0 * x, -6.0 * y, -6.0 * x])

    return Surface(
        name="monkey_saddle",
        label="Monkey saddle",
        latex=r"f(x,y) = x^3 - 3xy^2",
        params={},
        domain=((-1.5, 1.5), (-1.5, 1.5)),
        start=(0.3, 0.05),
        story="A flat saddle with three valleys: the gradient vanishes to second order at the centre.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
    )


def beale() -> Surface:
    def terms(x, y):
        y2 = y * y
        y3 = y2 * y
        return 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3, y2, y3

    def value(x, y):
        t1, t2, t3, _, _ = terms(x, y)
        return t1 * t1 + t2 * t2 + t3 * t3

    def grad(x, y):
        t1, t2, t3, y2, y3 = terms(x, y)
        gx = 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y2 - 1.0) + 2.0 * t3 * (y3 - 1.0)
        gy = 2.0 * t1 * x + 4.0 * t2 * x * y + 6.0 * t3 * x * y2
        return (gx, gy)

    def hessian(x, y):
        t1, t2, t3, y2, y3 = terms(x, y)
        a1, a2, a3 = y - 1.0, y2 - 1.0, y3 - 1.0  # d t_i / dx
        b1, b2, b3 = x, 2.0 * x * y, 3.0 * x * y2  # d t_i / dy
        hxx = 2.0 * (a1 * a1 + a2 * a2 + a3 * a3)
        hxy = 2.0 * (a1 * b1 + a2 * b2 + a3 * b3) + 2.0 * t1 + 4.0 * t2 * y + 6.0 * t3 * y2
        hyy = 2.0 * (b1 * b1 + b2 * b2 + b3 * b3) + 4.0 * t2 * x + 12.0 * t3 * x * y
        return np.stack([hxx, hxy, hyy])

    return Surface(
        name="beale",
        label="Beale",
        latex=r"f(x,y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        params={},
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.0),
        story="Flat plateaus next to very steep walls: gradients range over many orders of magnitude.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[3.0, 0.5]]),
        min_value=0.0,
    )


_HIMMELBLAU_MINIMA = np.array(
    [
        [3.0, 2.0],
        [-2.805118086953, 3.131312518251],
        [-3.779310253378, -3.283185991286],
        [3.584428340330, -1.848126526964],
    ]
)


def himmelblau() -> Surface:
    def value(x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def grad(x, y):
        p = x * x + y - 11.0
        q = x + y * y - 7.0
        return (4.0 * x * p + 2.0 * q, 2.0 * p + 4.0 * y * q)

    def hessian(x, y):
        p = x * x + y - 11.0
        q = x + y * y - 7.0
        return np.stack([4.0 * p + 8.0 * x * x + 2.0, 4.0 * x + 4.0 * y, 2.0 + 4.0 * q + 8.0 * y * y])

    return Surface(
        name="himmelblau",
        label="Himmelblau",
        latex=r"f(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        params={},
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(0.0, 0.0),
        story="Four equally good minima: which basin an optimizer ends in depends on its path.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=_HIMMELBLAU_MINIMA,
        min_value=0.0,
    )


def rastrigin(A: float = 10.0) -> Surface:  # noqa: N803 - the literature's name
    two_pi = 2.0 * math.pi

    def value(x, y):
        return 2.0 * A + (x * x - A * np.cos(two_pi * x)) + (y * y - A * np.cos(two_pi * y))

    def grad(x, y):
        return (2.0 * x + two_pi * A * np.sin(two_pi * x), 2.0 * y + two_pi * A * np.sin(two_pi * y))

    def hessian(x, y):
        k = two_pi * two_pi * A
        return np.stack([2.0 + k * np.cos(two_pi * x), _zeros_like(x), 2.0 + k * np.cos(two_pi * y)])

    return Surface(
        name="rastrigin",
        label="Rastrigin",
        latex=rf"f(x,y) = {2 * A:g} + \sum_{{i}} \left(x_i^2 - {A:g}\cos 2\pi x_i\right)",
        params={"A": A},
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.5, -2.5),
        story="A bowl covered in ripples: gradient methods get stuck in the nearest dimple.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[0.0, 0.0]]),
        min_value=0.0,
    )


def booth() -> Surface:
    def value(x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def grad(x, y):
        return (10.0 * x + 8.0 * y - 34.0, 8.0 * x + 10.0 * y - 38.0)

    def hessian(x, y):
        return np.stack([_full_like(x, 10.0), _full_like(x, 8.0), _full_like(x, 10.0)])

    return Surface(
        name="booth",
        label="Booth",
        latex=r"f(x,y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        params={},
        domain=((-10.0, 10.0), (-10.0, 10.0)),
        start=(8.0, -8.0),
        story="A quadratic whose valley runs diagonally: curvature 2 and 18 along the diagonals.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[1.0, 3.0]]),
        min_value=0.0,
    )


_ST_LOW, _ST_HIGH = -2.903534027771, 2.746802770991


def styblinski_tang() -> Surface:
    def value(x, y):
        return 0.5 * ((x**4 - 16.0 * x * x + 5.0 * x) + (y**4 - 16.0 * y * y + 5.0 * y))

    def grad(x, y):
        return (2.0 * (x * x * x) - 16.0 * x + 2.5, 2.0 * (y * y * y) - 16.0 * y + 2.5)

    def hessian(x, y):
        return np.stack([6.0 * x * x - 16.0, _zeros_like(x), 6.0 * y * y - 16.0])

    return Surface(
        name="styblinski_tang",
        label="Styblinski-Tang",
        latex=r"f(x,y) = \tfrac12 \sum_i \left(x_i^4 - 16x_i^2 + 5x_i\right)",
        params={},
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(4.0, 4.0),
        story="One deep and three shallower minima: from (4, 4) plain descent settles in the shallowest.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[_ST_LOW, _ST_LOW]]),
        min_value=-78.33233140754282,
        local_minima=np.array([[_ST_LOW, _ST_HIGH], [_ST_HIGH, _ST_LOW], [_ST_HIGH, _ST_HIGH]]),
    )


def six_hump_camel() -> Surface:
    def value(x, y):
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2

    def grad(x, y):
        x3 = x * x * x
        return (8.0 * x - 8.4 * x3 + 2.0 * (x3 * x * x) + y, x - 8.0 * y + 16.0 * (y * y * y))

    def hessian(x, y):
        return np.stack([8.0 - 25.2 * x * x + 10.0 * x**4, _full_like(x, 1.0), -8.0 + 48.0 * y * y])

    return Surface(
        name="six_hump_camel",
        label="Six-hump camel",
        latex=r"f(x,y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
        params={},
        domain=((-2.0, 2.0), (-1.0, 1.0)),
        start=(-1.5, 0.9),
        story="Two global and four local minima around a saddle at the origin.",
        value_xy=value,
        grad_xy=stacked(grad),
        grad_pair=grad,
        hessian_xy=hessian,
        minima=np.array([[0.0898420131, -0.712656403021], [-0.0898420131, 0.712656403021]]),
        min_value=-1.0316284534899,
        local_minima=np.array(
            [
                [1.703606715, -0.796083569],
                [-1.703606715, 0.796083569],
                [1.607104753, 0.568651455],
                [-1.607104753, -0.568651455],
            ]
        ),
    )


SPECS: tuple[SurfaceSpec, ...] = (
    SurfaceSpec(
        "rosenbrock",
        "Rosenbrock valley",
        (
            Param(
                "a", "a (minimum at (a, a²))", 1.0, -2.0, 2.0, "Where the valley bottoms out: the minimum is (a, a²)."
            ),
            Param("b", "b (valley steepness)", 100.0, 1.0, 1000.0, "How steep the valley walls are.", log=True),
        ),
        rosenbrock,
    ),
    SurfaceSpec(
        "bowl",
        "Ill-conditioned bowl",
        (
            Param(
                "condition",
                "condition number κ",
                100.0,
                1.0,
                1000.0,
                "Ratio of steepest to shallowest curvature.",
                log=True,
            ),
            Param("angle", "rotation (degrees)", 0.0, 0.0, 90.0, "Rotate the bowl; per-axis methods lose their edge."),
        ),
        bowl,
    ),
    SurfaceSpec("saddle", "Saddle", (), saddle),
    SurfaceSpec("monkey_saddle", "Monkey saddle", (), monkey_saddle),
    SurfaceSpec("beale", "Beale", (), beale),
    SurfaceSpec("himmelblau", "Himmelblau", (), himmelblau),
    SurfaceSpec(
        "rastrigin",
        "Rastrigin",
        (Param("A", "ripple height A", 10.0, 0.0, 20.0, "Amplitude of the cosine ripples; 0 gives a plain bowl."),),
        rastrigin,
    ),
    SurfaceSpec("booth", "Booth", (), booth),
    SurfaceSpec("styblinski_tang", "Styblinski-Tang", (), styblinski_tang),
    SurfaceSpec("six_hump_camel", "Six-hump camel", (), six_hump_camel),
)
