"""Basin maps: which minimum an optimizer reaches from every start point of a grid.

One batched ``optim.sweep`` per optimizer (no Python loop over starts); the final points of all
optimizers are then classified together, so a minimum has the same number (and colour) in every
panel. Known minima (global, then local) come from the surface; stationary end points near no
known minimum are clustered and named by their position, so custom formulas and surfaces with
unlisted local minima still get a map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import optim
from landscapes import Surface

#: Codes for the outcomes that are not an attractor (attractors are numbered 0, 1, ...).
NOT_CONVERGED, DIVERGED, UNDEFINED = -1, -2, -3
OUTCOME_NAMES = {NOT_CONVERGED: "not converged", DIVERGED: "diverged", UNDEFINED: "undefined here"}
#: At most this many attractors get their own colour; rarer found ones are merged into "other".
MAX_ATTRACTORS = 10


def _fmt(value: float) -> str:
    return "0" if abs(value) < 1e-9 else f"{value:.3g}"


@dataclass(frozen=True)
class Attractor:
    """A point runs end at: a listed minimum, or a stationary point found by clustering end points."""

    point: tuple[float, float]
    kind: str  # "global", "local", "found minimum", "stationary" (a saddle or maximum), "other minima"
    number: int  # 1-based, as shown on the map and in the legend

    @property
    def label(self) -> str:
        where = "" if self.kind == "other minima" else f" ({_fmt(self.point[0])}, {_fmt(self.point[1])})"
        name = {"global": "min", "local": "local min", "found minimum": "min", "stationary": "stationary pt"}
        return f"{self.number}: {name.get(self.kind, self.kind)}{where}"


@dataclass(frozen=True)
class StartGrid:
    """An n x n grid of start points over the plotting domain; points in row-major order (rows along y)."""

    xs: np.ndarray
    ys: np.ndarray

    @classmethod
    def over(cls, surface: Surface, n: int) -> StartGrid:
        (x0, x1), (y0, y1) = surface.domain
        return cls(np.linspace(x0, x1, n), np.linspace(y0, y1, n))

    @property
    def points(self) -> np.ndarray:
        gx, gy = np.meshgrid(self.xs, self.ys)
        return np.stack([gx.ravel(), gy.ravel()], -1)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys), len(self.xs)


@dataclass(frozen=True)
class Endpoints:
    """Where each start's run ended: final points (B, 2), diverged (B,) and defined (B,) flags."""

    final_xy: np.ndarray
    diverged: np.ndarray
    defined: np.ndarray


def defined_starts(surface: Surface, points: np.ndarray) -> np.ndarray:
    """Which start points have a finite value and gradient (custom formulas may be undefined somewhere)."""
    with np.errstate(all="ignore"):
        value, grad = surface.value_and_grad_xy(points[:, 0], points[:, 1])
        return np.isfinite(value) & np.isfinite(grad).all(0)


def run_endpoints(
    optimizer: str,
    surface: Surface,
    grid: StartGrid,
    steps: int,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
    schedule: optim.Schedule | None = None,
    **hp: Any,
) -> Endpoints:
    """One batched sweep from every defined start of ``grid`` (every run follows ``schedule``). Raises
    ValueError like ``optim.sweep``."""
    points = grid.points
    defined = defined_starts(surface, points)
    final_xy = points.copy()
    diverged = np.zeros(len(points), dtype=bool)
    if defined.any():
        result = optim.sweep(
            optimizer, surface, start=points[defined], steps=steps, convention=convention, noise=noise, seed=seed,
            schedule=schedule, **hp,
        )  # fmt: skip
        final_xy[defined] = result.final_xy
        diverged[defined] = result.diverged_at >= 0
    return Endpoints(final_xy, diverged, defined)


def _hessian(surface: Surface, x: np.ndarray, y: np.ndarray, h: float) -> tuple[np.ndarray, ...]:
    """f_xx, f_xy, f_yy: exact when the surface has them, else central differences of the gradient."""
    if surface.hessian_xy is not None:
        return tuple(surface.hessian_xy(x, y))
    gx_plus, gx_minus = surface.grad_xy(x + h, y), surface.grad_xy(x - h, y)
    gy_plus, gy_minus = surface.grad_xy(x, y + h), surface.grad_xy(x, y - h)
    hxx = (gx_plus[0] - gx_minus[0]) / (2 * h)
    hyy = (gy_plus[1] - gy_minus[1]) / (2 * h)
    hxy = 0.5 * ((gx_plus[1] - gx_minus[1]) + (gy_plus[0] - gy_minus[0])) / (2 * h)
    return hxx, hxy, hyy


def newton_offsets(surface: Surface, xy: np.ndarray, h: float) -> np.ndarray:
    """H^-1 grad at points (P, 2): how far (and which way) the nearby stationary point lies (NaN if singular)."""
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(all="ignore"):
        gx, gy = surface.grad_xy(x, y)
        hxx, hxy, hyy = (np.broadcast_to(v, x.shape) for v in _hessian(surface, x, y, h))
        det = hxx * hyy - hxy * hxy
        scale = np.maximum(np.abs(hxx) + np.abs(hyy), 1e-300)
        singular = np.abs(det) <= 1e-12 * scale * scale
        step = np.stack([(hyy * gx - hxy * gy) / det, (hxx * gy - hxy * gx) / det], -1)
    step[singular] = np.nan
    zero = (gx == 0) & (gy == 0)
    step[zero] = 0.0
    return step


def _is_minimum(surface: Surface, point: np.ndarray, h: float) -> bool:
    """No lower value on a small ring around ``point`` (works without a Hessian)."""
    angles = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
    ring = point + h * np.stack([np.cos(angles), np.sin(angles)], -1)
    with np.errstate(all="ignore"):
        here, around = surface.value(point), surface.value(ring)
    return bool(np.isfinite(here) and np.all(~np.isfinite(around) | (around >= here)))


def _cluster(points: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy clustering of points (P, 2), biggest cells first: centres (C, 2) and each point's cluster."""
    cells, inverse, counts = np.unique(np.floor(points / radius).astype(np.int64), axis=0, return_inverse=True,
                                       return_counts=True)  # fmt: skip
    inverse = inverse.ravel()
    sums = np.zeros((len(cells), 2))
    np.add.at(sums, inverse, points)
    means = sums / counts[:, None]
    centres: list[np.ndarray] = []
    cell_cluster = np.empty(len(cells), dtype=np.int64)
    for i in np.argsort(-counts, kind="stable"):  # a loop over occupied cells, not over starts
        if centres:
            distance = np.hypot(*(np.array(centres) - means[i]).T)
            nearest = int(np.argmin(distance))
            if distance[nearest] <= 2.0 * radius:
                cell_cluster[i] = nearest
                continue
        centres.append(means[i])
        cell_cluster[i] = len(centres) - 1
    return np.array(centres).reshape(-1, 2), cell_cluster[inverse]


def classify(
    surface: Surface,
    grid: StartGrid,
    runs: Mapping[str, Endpoints],
    radius: float = 0.02,
) -> tuple[tuple[Attractor, ...], dict[str, np.ndarray]]:
    """Label every start of every run with the attractor it reached, or an outcome code.

    ``radius`` is a fraction of the domain's larger side: a run reached a point when it ended
    within that distance of it. Returns the attractors (numbered from 1) and, per run, an int
    array of the grid's shape holding an attractor index (0-based) or NOT_CONVERGED / DIVERGED /
    UNDEFINED.
    """
    (x0, x1), (y0, y1) = surface.domain
    reach = radius * max(x1 - x0, y1 - y0)
    known = [(np.asarray(p, float), "global") for p in surface.minima]
    known += [(np.asarray(p, float), "local") for p in getattr(surface, "local_minima", np.empty((0, 2)))]
    known_xy = np.array([p for p, _ in known]).reshape(-1, 2)

    labels: dict[str, np.ndarray] = {}
    loose: list[tuple[str, np.ndarray, np.ndarray]] = []  # (run, indices, Newton-polished points) near no known min
    for name, ends in runs.items():
        label = np.full(len(ends.final_xy), NOT_CONVERGED, dtype=np.int64)
        label[ends.diverged] = DIVERGED
        label[~ends.defined] = UNDEFINED
        alive = np.flatnonzero(ends.defined & ~ends.diverged)
        xy = ends.final_xy[alive]
        if len(known_xy):
            distance = np.hypot(*(xy[:, None, :] - known_xy[None]).transpose(2, 0, 1))
            nearest = distance.argmin(1)
            hit = distance[np.arange(len(xy)), nearest] <= reach
            label[alive[hit]] = nearest[hit]
            alive, xy = alive[~hit], xy[~hit]
        # Stationary: Newton's estimate of the nearby stationary point lies within reach. A slow run
        # still crawling along a flat valley floor is not (its Newton step points far along the valley).
        # The polished point must itself be (nearly) stationary, and runs still heading for a listed
        # minimum have not reached it: they stay "not converged".
        offset = newton_offsets(surface, xy, reach * 1e-3)
        polished = xy - offset
        again = newton_offsets(surface, polished, reach * 1e-3)
        near = (np.hypot(*offset.T) <= reach) & (np.hypot(*again.T) <= 0.05 * reach)
        if len(known_xy):
            near &= np.hypot(*(polished[:, None, :] - known_xy[None]).transpose(2, 0, 1)).min(1) > reach
        loose.append((name, alive[near], polished[near]))
        labels[name] = label

    attractors = [Attractor(tuple(float(v) for v in p), kind, i + 1) for i, (p, kind) in enumerate(known)]
    found = np.concatenate([points for _, _, points in loose]) if loose else np.empty((0, 2))
    if len(found):
        centres, member = _cluster(found, reach)
        # Deepest first (like the listed minima), so the ones that matter get their own colour.
        with np.errstate(all="ignore"):
            depth = np.nan_to_num(surface.value(centres), nan=np.inf)
        order = np.argsort(depth, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        centres, member = centres[order], rank[member]
        centres = np.round(centres, max(0, 1 - int(np.floor(np.log10(reach)))))  # no false precision
        room = max(MAX_ATTRACTORS - len(attractors), 1)
        index = np.empty(len(centres), dtype=np.int64)
        other = None
        for c, centre in enumerate(centres):
            if c < room or len(centres) == room + 1:
                kind = "found minimum" if _is_minimum(surface, centre, reach / 2) else "stationary"
                attractors.append(Attractor((float(centre[0]), float(centre[1])), kind, len(attractors) + 1))
                index[c] = len(attractors) - 1
            else:
                if other is None:
                    attractors.append(Attractor((float("nan"), float("nan")), "other minima", len(attractors) + 1))
                    other = len(attractors) - 1
                index[c] = other
        offset = 0
        for name, idx, _ in loose:
            labels[name][idx] = index[member[offset : offset + len(idx)]]
            offset += len(idx)
    return tuple(attractors), {name: label.reshape(grid.shape) for name, label in labels.items()}


def shares(label: np.ndarray, attractors: tuple[Attractor, ...]) -> dict[str, float]:
    """Fraction of starts per outcome name (attractor labels and outcome names), largest first."""
    codes, counts = np.unique(label, return_counts=True)
    names = {a.number - 1: a.label for a in attractors} | OUTCOME_NAMES
    result = {names[int(c)]: n / label.size for c, n in zip(codes, counts, strict=True)}
    return dict(sorted(result.items(), key=lambda item: -item[1]))
