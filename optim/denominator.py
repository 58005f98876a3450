"""Who dominates an adaptive denominator, eps or the accumulator? Per step and axis, for one or many runs.

Each rule combines a second-moment accumulator a with eps in one of two ways:

- ``outside``: ``sqrt(a) + eps`` (PyTorch's RMSProp and Adagrad, every Adam and Nadam). The terms are
  ``sqrt(a)`` and ``eps``.
- ``inside``: ``sqrt(a + eps)`` (Keras/Optax/TF1 RMSProp, Keras/Optax Adagrad, Adadelta's denominator).
  The terms are ``a`` and ``eps``.

Either way eps dominates where its term is the larger one. ``a`` is exactly what the rule puts under the
root: ``v - ḡ²`` for centered RMSProp, the bias-corrected ``v̂`` where the rule corrects before adding eps
(PyTorch/Optax Adam, every Nadam), the raw ``v`` where it does not (Keras/TF1 Adam), AMSGrad's maximum.
The run is replayed from its recorded iterates with the same gradients, noise and update arithmetic as
``run`` (one loop over steps, batched over runs), so the numbers are those behind the drawn trajectory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

import landscapes

from ._ops import power, sqrt
from .base import Optimizer
from .registry import get
from .replay import replay
from .runner import Trajectory, _expand, _make_noise, _resolve, run_many

Placement = Literal["outside", "inside"]
#: state after a step, hyperparameters, form -> the accumulator term (2, B)
Reader = Callable[[Any, dict[str, Any], Any], np.ndarray]


@dataclass(frozen=True)
class DenominatorTerms:
    """The two terms of a denominator per step and axis: shape (steps, 2), or (steps, B, 2) when batched.

    ``accumulator`` is ``sqrt(a)`` when eps is added outside the root, ``a`` when inside; NaN from the
    step a run diverged on. ``eps`` is eps broadcast to the same shape."""

    accumulator: np.ndarray
    eps: np.ndarray
    placement: Placement
    symbol: str  # what the accumulator term is, in plain text: "√v", "√v̂", "v − ḡ²", "s", ...

    @property
    def eps_dominates(self) -> np.ndarray:
        """True where eps is the larger term of the denominator (False after divergence)."""
        with np.errstate(invalid="ignore"):
            return self.eps > self.accumulator

    def denominator(self) -> np.ndarray:
        """The denominator as the rule forms it: ``sqrt(a) + eps`` or ``sqrt(a + eps)``."""
        with np.errstate(all="ignore"):
            if self.placement == "outside":
                return self.accumulator + self.eps
            return np.sqrt(self.accumulator + self.eps)


def _rmsprop(state, hp, form) -> np.ndarray:
    a = state.mean_sq - state.mean_grad * state.mean_grad if hp["centered"] else state.mean_sq
    return sqrt(a) if form.eps == "outside" else a


def _adagrad(state, hp, form) -> np.ndarray:
    return sqrt(state.sum_sq) if form.eps == "outside" else state.sum_sq


def _adam(state, hp, form) -> np.ndarray:
    t, b2, amsgrad = state.count, hp["beta2"], hp["amsgrad"]
    v = state.v_max if amsgrad else state.v
    if form.order == "torch":  # sqrt(v) / sqrt(1 - b2^t), as the rule divides
        bc2 = 1.0 - power(b2, t)
        return sqrt(v) / sqrt(bc2)
    if form.order == "optax" and not amsgrad:  # optax's v_max already holds the corrected maximum
        return sqrt(state.v / (1.0 - power(b2, t)))
    return sqrt(v)  # Keras / TF1: eps meets the uncorrected root


def _nadam(state, hp, form) -> np.ndarray:
    return sqrt(state.v / (1.0 - power(hp["beta2"], state.count)))


def _adadelta(state, hp, form) -> np.ndarray:
    return state.mean_sq_grad


def _reader(opt: Optimizer, form: Any, hp: dict[str, Any]) -> tuple[Reader, Placement, str] | None:
    """How to read the accumulator term of ``opt`` in this form; None if its rule has no eps denominator."""
    if opt.name == "rmsprop":
        centered = bool(hp["centered"])
        if form.eps == "outside":
            return _rmsprop, "outside", "√(v − ḡ²)" if centered else "√v"
        return _rmsprop, "inside", "v − ḡ²" if centered else "v"
    if opt.name == "adagrad":
        if form.eps == "none":
            return None
        return _adagrad, form.eps, "√s" if form.eps == "outside" else "s"
    if opt.name == "adam":
        corrected = form.eps == "corrected"
        return _adam, "outside", ("√v̂" if corrected else "√v") + (" (max)" if hp["amsgrad"] else "")
    if opt.name == "nadam":
        return _nadam, "outside", "√v̂"
    if opt.name == "adadelta":
        return _adadelta, "inside", "v"
    return None


def has_eps_denominator(optimizer: str | Optimizer, convention: str) -> bool:
    """True if ``optimizer``'s rule in ``convention`` adds eps to a denominator (not SGD, momentum, TF1 Adagrad)."""
    opt = optimizer if isinstance(optimizer, Optimizer) else get(optimizer)
    if not opt.supports(convention):
        return False
    _, form, values = _resolve(opt, convention, {})
    return _reader(opt, form, values) is not None


def denominator_terms(
    optimizer: str | Optimizer,
    landscape: str | landscapes.Surface,
    xy: np.ndarray,
    convention: str = "pytorch",
    noise: float | np.ndarray = 0.0,
    seed: int | np.ndarray = 0,
    diverged_at: int | np.ndarray | None = None,
    **hp: Any,
) -> DenominatorTerms | None:
    """The denominator's terms along a recorded run (``xy`` of shape (steps+1, 2) or (steps+1, B, 2), as
    ``run`` returned it with these arguments). None for rules without an eps denominator."""
    opt, form, values = _resolve(optimizer, convention, hp)
    found = _reader(opt, form, values)
    if found is None:
        return None
    read, placement, symbol = found
    surface = landscapes.get(landscape)
    points = np.asarray(xy, dtype=float)
    single = points.ndim == 2
    if single:
        points = points[:, None, :]
    steps, batch = points.shape[0] - 1, points.shape[1]
    values = _expand(values, batch)
    source = _make_noise(noise, seed, steps, batch)
    out, _ = replay(opt, form, values, surface, points, _one(read), source)
    return _terms(out[:, 0], values, diverged_at, single, placement, symbol)


def _one(read: Callable) -> Callable:
    """``read`` as a replay reader (a sequence of the values to record)."""
    return lambda state, hp, form: (read(state, hp, form),)


def _terms(
    out: np.ndarray, values: dict[str, Any], diverged_at, single: bool, placement: str, symbol: str
) -> DenominatorTerms:
    """The terms from the accumulator term read after each update, ``out`` of shape (steps, 2, B)."""
    steps, batch = out.shape[0], out.shape[2]
    accumulator = out.transpose(0, 2, 1)
    stopped = np.broadcast_to(-1 if diverged_at is None else np.asarray(diverged_at), (batch,))
    last_good = np.where(stopped >= 0, stopped - 1, steps)
    gone = np.arange(steps)[:, None] >= last_good  # steps the run did not take, as effective_lr is zeroed
    accumulator = np.where(gone[..., None] | ~np.isfinite(accumulator), np.nan, accumulator)
    eps = np.broadcast_to(np.asarray(values["eps"], dtype=float)[..., None], (batch, 1))
    eps = np.broadcast_to(eps, accumulator.shape)
    if single:
        accumulator, eps = accumulator[:, 0], eps[:, 0]
    return DenominatorTerms(np.ascontiguousarray(accumulator), eps, placement, symbol)


def run_with_terms(
    optimizer: str | Optimizer,
    landscape: str | landscapes.Surface,
    start: object = None,
    steps: int = 200,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
    schedule: Any = None,
    **hp: Any,
) -> tuple[Trajectory, DenominatorTerms | None]:
    """``run`` (one run) and its ``denominator_terms``, read while the run steps when it steps in Python floats
    (the same numbers as replaying it afterwards, at a fraction of the cost), else replayed."""
    opt, form, values = _resolve(optimizer, convention, hp)
    found = _reader(opt, form, values)
    read = None if found is None else _one(found[0])
    traj = run_many([(opt, hp)], landscape, start, steps, convention, noise, seed, schedule, read=read)[0]
    if found is None:
        return traj, None
    if traj.read is None or np.ndim(traj.xy) != 2:
        return traj, denominator_terms(opt, landscape, traj.xy, convention, noise, seed, traj.diverged_at, **hp)
    values = _expand(values, 1)
    return traj, _terms(traj.read[:, 0][..., None], values, traj.diverged_at, True, found[1], found[2])


def trajectory_terms(
    traj: Trajectory, landscape: str | landscapes.Surface, noise: float | np.ndarray = 0.0, seed: int | np.ndarray = 0
) -> DenominatorTerms | None:
    """``denominator_terms`` of a Trajectory from ``run`` (pass the run's ``noise`` and ``seed``)."""
    opt = get(traj.optimizer)
    hp = {p.name: traj.hp[p.name] for p in opt.hyperparams if p.name in traj.hp}
    return denominator_terms(opt, landscape, traj.xy, traj.convention, noise, seed, traj.diverged_at, **hp)
