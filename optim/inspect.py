"""One step of one run, taken apart: gradient, accumulators before and after, effective learning
rate, update and new position. Replays the run with the same arithmetic as ``run``, so the numbers
are exactly those behind the drawn trajectory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import landscapes

from .base import Optimizer
from .runner import _at_step, _check_steps, _lr_factors, _make_noise, _resolve, _start_points
from .schedules import Schedule, coerce

#: How each piece of optimizer state is named in the inspector (symbols as in the equations).
FIELD_LABELS = {
    "buf": "momentum buffer",
    "sum_sq": "s: sum of g²",
    "mean_sq": "v: moving average of g²",
    "mean_grad": "ḡ: moving average of g",
    "m": "m: first moment",
    "v": "v: second moment",
    "v_max": "v_max (AMSGrad)",
    "mean_sq_grad": "v: moving average of g²",
    "mean_sq_step": "u: moving average of Δ²",
}


@dataclass(frozen=True)
class StepDetail:
    """Step ``step`` moves iterate ``step`` (``xy``) to iterate ``step + 1`` (``xy_next``)."""

    step: int
    xy: np.ndarray  # (2,)
    grad: np.ndarray  # (2,) including gradient noise
    state_before: dict[str, np.ndarray]  # per-axis accumulators, (2,) each
    state_after: dict[str, np.ndarray]
    effective_lr: np.ndarray  # (2,)
    update: np.ndarray  # (2,)
    xy_next: np.ndarray  # (2,)
    count: int  # the optimizer's step counter t after this step (1 for the first step)
    lr: float | None = None  # the learning rate this step used (the base lr times the schedule's factor)


def _per_axis(state: Any) -> dict[str, np.ndarray]:
    fields = state._asdict() if hasattr(state, "_asdict") else {}
    return {k: np.asarray(v)[:, 0].copy() for k, v in fields.items() if np.ndim(v) == 2}


def inspect_step(
    optimizer: str | Optimizer,
    landscape: str | landscapes.Surface,
    start: object = None,
    step: int = 0,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
    schedule: Schedule | str | Mapping[str, Any] | None = None,
    **hp: Any,
) -> StepDetail:
    """Take step ``step`` (0-based) of a single run apart. Same arguments as ``run`` (scalars only)."""
    surface = landscapes.get(landscape)
    step = _check_steps(step)
    points = _start_points(surface, start)
    if len(points) != 1:
        raise ValueError("inspect_step takes a single start point")
    opt, form, values = _resolve(optimizer, convention, hp)
    if any(isinstance(v, np.ndarray) for v in values.values()):
        raise ValueError("inspect_step takes scalar hyperparameters")
    noise_source = _make_noise(noise, seed, step + 1, 1)
    factors = _lr_factors(coerce(schedule), step + 1)
    here = points.T.copy()
    state = opt.init(here, values, form)
    with np.errstate(all="ignore"):
        for k in range(step + 1):
            grads = surface.grad_xy(here[0], here[1])
            if noise_source is not None:
                grads += noise_source.at(k)
            hp_k = values if factors is None else _at_step(values, factors[k])
            update, new_state, scale = opt.update(grads, state, hp_k, form)
            nxt = np.empty_like(here)
            np.add(here, update, out=nxt)
            if k == step:
                return StepDetail(
                    step=step,
                    xy=here[:, 0].copy(),
                    grad=grads[:, 0].copy(),
                    state_before=_per_axis(state),
                    state_after=_per_axis(new_state),
                    effective_lr=np.broadcast_to(scale(), (2, 1))[:, 0].copy(),
                    update=np.asarray(update)[:, 0].copy(),
                    xy_next=nxt[:, 0].copy(),
                    count=int(new_state._asdict().get("count", k + 1)),
                    lr=float(hp_k["lr"]),
                )
            here, state = nxt, new_state
    raise AssertionError("unreachable")


def relevant_fields(detail: StepDetail) -> Mapping[str, str]:
    """State fields worth showing: those that are not zero throughout (an option not in use)."""
    return {
        name: FIELD_LABELS.get(name, name)
        for name in detail.state_after
        if np.any(detail.state_before[name] != 0) or np.any(detail.state_after[name] != 0)
    }
