"""Local curvature at an iterate: Hessian eigenvalues, condition number, the curvature ellipse, and
the step-size limits of gradient descent on the local quadratic model. Pure NumPy.

Near a point p, f(p + d) ≈ f(p) + gᵀd + ½ dᵀHd. Plain gradient descent with step size lr on that
quadratic contracts along an eigenvector of H with eigenvalue λ > 0 iff lr·λ < 2, so the whole step is
stable iff lr < 2/λ_max. A per-axis step size α = (α_x, α_y) held fixed (θ ← θ − α ⊙ ∇f) contracts
every positive-curvature direction iff the largest eigenvalue of D^½ H D^½ (D = diag(α)) is below 2:
the iteration matrix I − DH is similar to I − D^½HD^½.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Eigenvalues below this (relative to the largest |λ|, or absolutely) count as zero curvature.
RELATIVE_ZERO = 1e-9
ABSOLUTE_ZERO = 1e-12

#: The stability limit of lr·λ_max for a constant step size (see ``step_limit``).
Limit = float | None


@dataclass(frozen=True)
class Curvature:
    """The Hessian at a point and its eigen-decomposition (eigenvalues ascending)."""

    hessian: np.ndarray  # (2, 2), symmetric
    eigenvalues: np.ndarray  # (2,), λ_min <= λ_max
    eigenvectors: np.ndarray  # (2, 2), column i belongs to eigenvalues[i]

    @property
    def lam_min(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def lam_max(self) -> float:
        return float(self.eigenvalues[1])

    def _zero(self) -> float:
        return max(ABSOLUTE_ZERO, RELATIVE_ZERO * float(np.max(np.abs(self.eigenvalues))))

    @property
    def kind(self) -> str:
        """'flat', 'minimum' (both λ > 0), 'maximum' (both < 0), 'saddle' (signs differ) or
        'degenerate' (one λ is zero, the other not)."""
        zero = self._zero()
        if np.all(np.abs(self.eigenvalues) <= ABSOLUTE_ZERO):
            return "flat"
        small = np.abs(self.eigenvalues) <= zero
        if small.any():
            return "degenerate"
        if self.lam_min > 0:
            return "minimum"
        if self.lam_max < 0:
            return "maximum"
        return "saddle"

    @property
    def condition(self) -> float:
        """|λ|_max / |λ|_min (inf when one eigenvalue is zero, nan when both are)."""
        mags = np.sort(np.abs(self.eigenvalues))
        if mags[1] <= ABSOLUTE_ZERO:
            return math.nan
        if mags[0] <= self._zero():
            return math.inf
        return float(mags[1] / mags[0])

    def describe(self) -> str:
        """The local condition number in words a student can read."""
        kind = self.kind
        if kind == "flat":
            return "flat (no curvature)"
        if kind == "degenerate":
            return "∞ (flat along one direction)"
        text = f"{self.condition:.3g}"
        if kind == "saddle":
            return "indefinite (saddle)"
        if kind == "maximum":
            return f"{text} (both λ < 0)"
        return text


def curvature(hessian: np.ndarray) -> Curvature:
    """Eigen-decomposition of a symmetric 2x2 Hessian (non-finite entries raise ValueError)."""
    h = np.asarray(hessian, dtype=float)
    if h.shape != (2, 2) or not np.isfinite(h).all():
        raise ValueError("the Hessian must be a finite 2x2 matrix")
    h = (h + h.T) / 2
    values, vectors = np.linalg.eigh(h)
    vectors = vectors * np.where(vectors[0] < 0, -1.0, 1.0)  # a fixed sign: x component >= 0
    return Curvature(h, values, vectors)


def curvature_at(surface, xy) -> Curvature:
    """The curvature of ``surface`` (a ``landscapes.Surface``) at the point ``xy``."""
    with np.errstate(all="ignore"):
        return curvature(surface.hessian(np.asarray(xy, dtype=float)))


def gd_limit(lam_max: float) -> float:
    """Plain gradient descent's stability limit 2/λ_max (inf when there is no positive curvature)."""
    return 2.0 / lam_max if lam_max > 0 else math.inf


def step_curvature(hessian: np.ndarray, alpha: np.ndarray) -> float:
    """The largest eigenvalue of D^½ H D^½ with D = diag(alpha): for α = (lr, lr) it is lr·λ_max.

    A step θ ← θ − α ⊙ ∇f with α held fixed contracts every positive-curvature direction of the
    quadratic model iff this is below 2 (below ``limit`` with momentum, see ``step_limit``)."""
    root = np.sqrt(np.asarray(alpha, dtype=float))
    scaled = np.asarray(hessian, dtype=float) * np.outer(root, root)
    return float(np.linalg.eigvalsh((scaled + scaled.T) / 2)[-1])


def step_limit(kind: str, momentum: float = 0.0) -> Limit:
    """The bound on lr·λ for a constant step size on a quadratic, by update rule.

    ``kind``: 'gradient' (θ ← θ − α ⊙ g: 2), 'heavy-ball' (2(1+μ)), 'nesterov' (2(1+μ)/(1+2μ)),
    anything else (an update that follows a moving average with adaptive scaling): None, no exact limit."""
    if kind == "gradient":
        return 2.0
    if kind == "heavy-ball":
        return 2.0 * (1.0 + momentum)
    if kind == "nesterov":
        return 2.0 * (1.0 + momentum) / (1.0 + 2.0 * momentum)
    return None


@dataclass(frozen=True)
class Shape:
    """Curves to draw around an iterate: the level set of the local quadratic model (an ellipse, or
    four hyperbola branches at a saddle) and the two principal axes, as (n, 2) arrays with NaN gaps."""

    level_set: np.ndarray
    axes: np.ndarray
    closed: bool  # True: an ellipse; False: hyperbolas (draw dashed)


def level_set(center, c: Curvature, size: float, points: int = 73) -> Shape | None:
    """The curve ½ dᵀHd = const around ``center``, scaled so its longest semi-axis is ``size``.

    Semi-axes lie along the eigenvectors with lengths ∝ 1/sqrt|λ|. None when the point is flat."""
    kind = c.kind
    if kind == "flat":
        return None
    mags = np.abs(c.eigenvalues)
    semi = size * np.sqrt(mags.min() / mags)  # the smallest |λ| gets the longest axis
    center = np.asarray(center, dtype=float)
    e0, e1 = c.eigenvectors[:, 0], c.eigenvectors[:, 1]
    gap = np.full((1, 2), np.nan)
    axes = np.concatenate([center + np.outer([-1, 1], semi[0] * e0), gap, center + np.outer([-1, 1], semi[1] * e1)])
    if kind != "saddle":
        t = np.linspace(0.0, 2 * np.pi, points)
        curve = center + np.outer(semi[0] * np.cos(t), e0) + np.outer(semi[1] * np.sin(t), e1)
        return Shape(curve, axes, closed=True)
    # Saddle: λ_0 < 0 < λ_1. q = +const crosses e1 (positive curvature), q = -const crosses e0.
    t = np.linspace(-0.9, 0.9, points // 2)
    branches = []
    for sign in (-1.0, 1.0):
        branches.append(center + np.outer(sign * semi[1] * np.cosh(t), e1) + np.outer(semi[0] * np.sinh(t), e0))
        branches.append(center + np.outer(sign * semi[0] * np.cosh(t), e0) + np.outer(semi[1] * np.sinh(t), e1))
    curve = np.concatenate([part for b in branches for part in (b, gap)][:-1])
    return Shape(curve, axes, closed=False)


def update_kind(optimizer: str, hp: dict) -> tuple[str, float]:
    """How an optimizer's step uses its effective lr α, for ``step_limit``: (kind, momentum).

    'gradient': the step is −α ⊙ g (SGD, Adagrad, Adadelta, RMSProp without momentum);
    'heavy-ball' / 'nesterov': −lr times a momentum buffer of gradients; 'averaged': Adam, Nadam and
    RMSProp with momentum, whose steps follow a moving average of scaled gradients (no exact limit)."""
    momentum = float(hp.get("momentum", 0.0) or 0.0)
    if optimizer in ("sgd", "adagrad", "adadelta") or (optimizer == "rmsprop" and momentum == 0.0):
        return "gradient", 0.0
    if optimizer in ("momentum", "nesterov"):
        if momentum == 0.0:
            return "gradient", 0.0
        return ("nesterov" if optimizer == "nesterov" or hp.get("nesterov") else "heavy-ball"), momentum
    return "averaged", momentum
