"""Notes on what happened: events a student can see in a view's runs, each explained in words and numbers.

Pure NumPy, no Streamlit or Plotly. One function per kind of event; each reads the runs of one view
(``RunRecord``: what ``optim.run`` returned, plus the noise and seed it ran with) and returns its notes.
``detect`` runs them all and orders the notes by step. A note names the optimizer, the step and the cause
in numbers, links the lesson that explains it (a slug of ``views/lessons/content.py``), and carries its
numbers in ``Event.numbers`` so tests can check them. Texts are plain: no Markdown or LaTeX syntax (the
page may render them as Markdown; "∗" stands for the star of f∗).

Steps follow the charts: an iterate index for the loss and the path (``diverged_at`` is the first bad
iterate), an update index for per-update quantities (update k moves iterate k to k + 1). Nothing here
raises or warns on any run ``optim.run`` can return: a detector that cannot read a run stays silent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import landscapes
import optim
from analysis.curvature import gd_limit, step_curvature, step_limit, update_kind
from analysis.runs import last_index, steps_to
from optim.denominator import DenominatorTerms, denominator_terms

#: Gaps f − f∗ below this are drawn at it on the loss chart (as ``viz.curves.LOSS_FLOOR``): no event below it.
VISIBLE_FLOOR = 1e-16
#: A bounce: the loss rises at least this many times above its best so far.
BOUNCE = 100.0
#: A first step at least this many times the learning rate counts as large (RMSProp at rho = 0.9: 3.16).
LARGE_FIRST_STEP = 3.0
#: ... and at least this fraction of the domain's smaller width, so that it can be seen on the contour.
VISIBLE_STEP = 0.05
#: Oscillation: at least this share of consecutive steps along an axis flip sign, over at least MIN_FLIPS pairs.
ALTERNATING, MIN_FLIPS = 0.9, 10
#: Oscillation decays "slowly" when each step is at least this fraction of the previous one (lr·λ ≥ 1.5).
SLOW_DECAY = 0.5
#: A run has left a saddle once it is this far (as a fraction of the domain's smaller half-width) from it.
ESCAPE = 0.25
#: The lesson for each kind of event, where it does not depend on the run (see ``views/lessons/content.py``).
LESSONS = {
    "divergence": "sgd-dilemma",
    "unbounded": "saddle",
    "hovering": "honest-limit",
    "overshoot": "adam",
    "eps": "eps",
    "first_step": "first-steps",
    "oscillation": "sgd-dilemma",
    "stall": "adagrad-vs-rmsprop",
    "saddle": "saddle",
    "first_to_tol": "rmsprop-idea",
}
_ORDER = {kind: i for i, kind in enumerate(LESSONS)}
_SGD_FAMILY = ("sgd", "momentum", "nesterov")
_AXES = ("x", "y")


@dataclass(frozen=True)
class RunRecord:
    """One optimizer's run as the detectors read it: how it was run and what ``optim.run`` returned."""

    optimizer: str  # registry name
    hp: Mapping[str, Any]  # its hyperparameters (missing ones take the optimizer's defaults)
    convention: str
    xy: np.ndarray  # (steps+1, 2)
    loss: np.ndarray  # (steps+1,)
    effective_lr: np.ndarray  # (steps, 2)
    diverged_at: int | None
    schedule: optim.Schedule | None = None
    noise: float = 0.0
    seed: int = 0

    @classmethod
    def of(cls, traj: optim.Trajectory, noise: float = 0.0, seed: int = 0) -> RunRecord:
        """The record of a single-run Trajectory (pass the noise and seed it ran with)."""
        return cls(
            traj.optimizer,
            dict(traj.hp),
            traj.convention,
            traj.xy,
            traj.loss,
            traj.effective_lr,
            traj.diverged_at,
            traj.schedule,
            noise,
            seed,
        )

    @property
    def label(self) -> str:
        return optim.get(self.optimizer).label

    @property
    def last(self) -> int:
        """The last good iterate."""
        return last_index(self)

    @property
    def steps(self) -> int:
        return len(self.effective_lr)

    def values(self) -> dict[str, Any]:
        """The hyperparameters as the core ran them (defaults filled in, options pinned by the entry)."""
        opt = optim.get(self.optimizer)
        names = {p.name for p in opt.hyperparams}
        return opt.validate({k: v for k, v in self.hp.items() if k in names}, self.convention)

    def lrs(self) -> np.ndarray:
        """The learning rate of each update, the schedule applied, shape (steps,)."""
        factors = np.ones(self.steps) if self.schedule is None else self.schedule.factors(self.steps)
        return float(self.values()["lr"]) * factors


@dataclass(frozen=True)
class Event:
    """One note: what happened to which optimizer at which step, why (in numbers), and where it is explained."""

    kind: str
    optimizer: str
    step: int
    text: str
    lesson: str
    numbers: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Scene:
    """What every detector reads: the view's runs on one surface, and the tolerance on f − f∗."""

    runs: Sequence[RunRecord]
    surface: landscapes.Surface
    tol: float = 1e-6
    terms: Mapping[str, DenominatorTerms | None] = field(default_factory=dict)  # optimizer -> eps terms

    def eps_terms(self, run: RunRecord) -> DenominatorTerms | None:
        if run.optimizer in self.terms:
            return self.terms[run.optimizer]
        hp = {k: v for k, v in run.values().items() if k in {p.name for p in optim.get(run.optimizer).hyperparams}}
        return denominator_terms(
            run.optimizer, self.surface, run.xy, run.convention, run.noise, run.seed, run.diverged_at, **hp
        )


# ----------------------------------------------------------------------------- formatting


def num(value: float, digits: int = 2) -> str:
    """A number for a sentence: ``digits`` significant digits, exponents written 2e-35 and 1.7e33."""
    if not math.isfinite(value):
        return "∞" if value > 0 else ("−∞" if value < 0 else "undefined")
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _point(xy: np.ndarray) -> str:
    return f"({num(float(xy[0]), 3)}, {num(float(xy[1]), 3)})"


def _gap_name(surface: landscapes.Surface) -> str:
    return "f − f̂∗" if landscapes.is_estimated_minimum(surface) else "f − f∗"


# ----------------------------------------------------------------------------- shared readings


def _lam_max(surface: landscapes.Surface, points: np.ndarray) -> np.ndarray | None:
    """λ_max of the Hessian at each point (NaN where it is not finite); None without an exact Hessian."""
    if surface.hessian_xy is None or len(points) == 0:
        return None
    with np.errstate(all="ignore"):
        h = surface.hessian(points)
        finite = np.isfinite(h).all(axis=(-2, -1))
        h = np.where(finite[..., None, None], h, 0.0)
        lam = np.linalg.eigvalsh((h + np.swapaxes(h, -1, -2)) / 2)[..., -1]
    return np.where(finite, lam, np.nan)


def _hessian(surface: landscapes.Surface, point: np.ndarray) -> np.ndarray | None:
    if surface.hessian_xy is None:
        return None
    with np.errstate(all="ignore"):
        h = surface.hessian(point)
    return h if np.isfinite(h).all() else None


def _gaps(run: RunRecord, surface: landscapes.Surface) -> np.ndarray | None:
    """f − f∗ over the good iterates, floored as the loss chart draws it; None without a known minimum."""
    if surface.min_value is None:
        return None
    with np.errstate(all="ignore"):
        return np.maximum(run.loss[: run.last + 1] - surface.min_value, VISIBLE_FLOOR)


def _ran_downhill(run: RunRecord, surface: landscapes.Surface) -> bool:
    """A run that left the region of a surface without a minimum, lower than it started: an escape, not a failure."""
    return (
        run.diverged_at is not None
        and surface.min_value is None
        and bool(np.isfinite(run.loss[run.last]))
        and run.loss[run.last] < run.loss[0]
    )


# ----------------------------------------------------------------------------- detectors


def divergence(scene: Scene) -> list[Event]:
    """A run that diverged, with lr × λmax against its stability limit where that read-out applies (SGD,
    momentum and Nesterov on a surface with an exact Hessian)."""
    events = []
    for run in scene.runs:
        if run.diverged_at is None or _ran_downhill(run, scene.surface):
            continue
        d, last = int(run.diverged_at), run.last
        values = run.values()
        cause = _stability_cause(run, values, scene.surface) if run.optimizer in _SGD_FAMILY else None
        if cause is not None:
            text, numbers = cause
            lesson = LESSONS["divergence"]
        else:
            text, numbers = _growth_cause(run)
            lesson = LESSONS["divergence"] if run.optimizer in _SGD_FAMILY else LESSONS["first_step"]
        events.append(
            Event(
                "divergence",
                run.optimizer,
                d,
                f"{run.label} diverged at step {d}: {text}",
                lesson,
                {"diverged_at": d, "last": last, **numbers},
            )
        )
    return events


def _stability_cause(run: RunRecord, values: dict[str, Any], surface) -> tuple[str, dict] | None:
    """lr × λmax at the iterate where it was largest, if it passed the limit for this update rule."""
    kind, momentum = update_kind(run.optimizer, values)
    limit = step_limit(kind, momentum)
    lam = _lam_max(surface, run.xy[: run.last + 1])
    if limit is None or lam is None or run.steps == 0:
        return None
    lrs = run.lrs()[: run.last + 1]
    product = np.where(np.isfinite(lam[: len(lrs)]), lrs * lam[: len(lrs)], -np.inf)
    if not len(product) or not np.isfinite(product.max()) or product.max() <= limit:
        return None
    j = int(np.argmax(product))
    lr_j, lam_j, p = float(lrs[j]), float(lam[j]), float(product[j])
    if kind == "gradient":
        bound = "the limit 2 for plain gradient descent"
    elif kind == "heavy-ball":
        bound = f"the limit 2(1 + μ) = {num(limit, 3)} for momentum μ = {num(momentum, 3)}"
    else:
        bound = f"the limit 2(1 + μ)/(1 + 2μ) = {num(limit, 3)} for Nesterov momentum μ = {num(momentum, 3)}"
    finite = lam[np.isfinite(lam)]
    where = f" at step {j}" if finite.max() > 1.01 * finite.min() else ""
    text = (
        f"lr × λmax = {num(lr_j, 3)} × {num(lam_j, 3)} = {num(p, 3)}{where} is above {bound}, so each step "
        f"overshoots the steepest direction by more than the last (stable only for lr below "
        f"{num(limit / lam_j, 3)})."
    )
    return text, {"lr": lr_j, "lam_max": lam_j, "product": p, "limit": float(limit), "at": j}


def _growth_cause(run: RunRecord) -> tuple[str, dict]:
    """The steps and effective learning rates that led out of the region."""
    last = run.last
    steps = np.abs(np.diff(run.xy[: last + 1], axis=0))
    rates = run.effective_lr[:last]
    biggest = float(steps.max()) if steps.size else 0.0
    top_lr = float(rates.max()) if rates.size else float(run.lrs()[0]) if run.steps else 0.0
    if last == 0:
        text = f"its very first step (learning rate {num(float(run.lrs()[0]), 3)}) left the region it may explore."
    else:
        text = (
            f"its steps grew to {num(biggest, 3)} along an axis (effective lr up to {num(top_lr, 3)}), and the next "
            "one left the region it may explore or reached a point where f is not finite."
        )
    return text, {"largest_step": biggest, "largest_effective_lr": top_lr}


def unbounded(scene: Scene) -> list[Event]:
    """A run that left the region of a surface without a minimum going downhill (an escape, not a divergence)."""
    events = []
    for run in scene.runs:
        if not _ran_downhill(run, scene.surface):
            continue
        d, f0, f1 = int(run.diverged_at), float(run.loss[0]), float(run.loss[run.last])
        text = (
            f"{run.label} ran downhill off the plotted region at step {d}: this surface has no lowest point, and f "
            f"fell from {num(f0, 3)} to {num(f1, 3)} on the way."
        )
        events.append(Event("unbounded", run.optimizer, d, text, LESSONS["unbounded"], {"f_start": f0, "f_last": f1}))
    return events


@dataclass(frozen=True)
class _Bounce:
    """The first time a run's loss rose BOUNCE-fold above its best so far: f − f∗ (floored) over the good iterates,
    the best iterate before the rise, the iterate where the rise passed BOUNCE-fold, the highest one after it."""

    gaps: np.ndarray
    best: int
    rise: int
    peak: int

    @property
    def fold(self) -> float:
        return float(self.gaps[self.peak] / self.gaps[self.best])

    def numbers(self) -> dict[str, float]:
        g = self.gaps
        return {"best": self.best, "best_gap": float(g[self.best]), "rise": self.rise, "peak": self.peak,
                "peak_gap": float(g[self.peak]), "fold": self.fold}  # fmt: skip

    def text(self, gap: str) -> str:
        low = (
            "below " + num(VISIBLE_FLOOR) if self.gaps[self.best] <= VISIBLE_FLOOR else num(float(self.gaps[self.best]))
        )
        text = f"{gap} went from {low} at step {self.best} to {num(float(self.gaps[self.peak]))} at step {self.peak}"
        return text if self.peak == self.rise else text + f" (over {BOUNCE:.0f}-fold by step {self.rise})"


def _bounce(run: RunRecord, surface: landscapes.Surface) -> _Bounce | None:
    """The run's first bounce, or None (no known minimum, diverged, or the loss never rose BOUNCE-fold)."""
    gaps = _gaps(run, surface)
    if gaps is None or run.diverged_at is not None or len(gaps) < 3:
        return None
    best_so_far = np.minimum.accumulate(gaps)
    risen = np.nonzero(gaps >= BOUNCE * best_so_far)[0]
    if not len(risen):
        return None
    rise = int(risen[0])
    best = int(np.argmin(gaps[:rise]))
    peak = rise + int(np.argmax(gaps[rise:]))
    return _Bounce(gaps, best, rise, peak)


def _lr_growth(run: RunRecord, bounce: _Bounce, since: int) -> tuple[int, int, int, float, float] | None:
    """(axis, low step, high step, low, high): the effective lr that grew most between update ``since`` and the
    rise, from its lowest value to its highest after that, if it grew at least 2-fold."""
    rates = run.effective_lr[since : bounce.rise]
    if not len(rates) or not (rates > 0).all():
        return None
    found = None
    for axis in (0, 1):
        low = int(np.argmin(rates[:, axis]))
        high = low + int(np.argmax(rates[low:, axis]))
        growth = rates[high, axis] / rates[low, axis]
        if growth >= 2.0 and (found is None or growth > found[4] / found[3]):
            found = (axis, since + low, since + high, float(rates[low, axis]), float(rates[high, axis]))
    return found


def _hovering_cause(run: RunRecord, bounce: _Bounce, surface) -> tuple[tuple, float | None] | None:
    """Why an adaptive run bounced, if its growing effective lr explains it: the growth and, for a rule with an
    exact stability limit (no momentum), α·λ at the largest effective lr, which must then have passed 2.

    Without momentum the effective lr may have grown long before the bounce showed (a run can pass close to
    the minimum after it turned unstable), so the growth is read from the start; with momentum, only between the
    best and the rise (otherwise the swing is the momentum's, see ``overshoot``)."""
    if run.optimizer not in ("rmsprop", "adam", "nadam"):
        return None
    exact = update_kind(run.optimizer, run.values())[0] == "gradient"
    grown = _lr_growth(run, bounce, 0 if exact else bounce.best)
    if grown is None:
        return None
    h = _hessian(surface, run.xy[grown[2]]) if exact else None
    if h is None:
        return grown, None
    product = step_curvature(h, run.effective_lr[grown[2]])
    return (grown, product) if product > 2.0 else None


def hovering(scene: Scene) -> list[Event]:
    """RMSProp, Adam or Nadam climbing back up: the loss rose at least BOUNCE-fold above its best so far because
    the effective learning rate grew as the average of squared gradients decayed."""
    events = []
    for run in scene.runs:
        bounce = _bounce(run, scene.surface)
        cause = None if bounce is None else _hovering_cause(run, bounce, scene.surface)
        if cause is None:
            continue
        (axis, low, top, alpha0, alpha1), product = cause
        numbers = bounce.numbers() | {"axis": axis, "lr_from": alpha0, "lr_to": alpha1, "lr_low": low, "lr_step": top}
        text = (
            f"{run.label} climbed back up after its best: {bounce.text(_gap_name(scene.surface))}, because its "
            f"effective lr along {_AXES[axis]} grew from {num(alpha0, 3)} at step {low} to {num(alpha1, 3)} at step "
            f"{top} as its average of squared gradients decayed"
        )
        if product is not None:
            numbers["alpha_lambda"] = product
            text += f", and α·λ = {num(product, 3)} passed the stability limit 2"
        events.append(Event("hovering", run.optimizer, bounce.rise, text + ".", LESSONS["hovering"], numbers))
    return events


def _momentum(run: RunRecord) -> tuple[str, float] | None:
    """The momentum a run's steps carry, as its rule names it ("μ" or "β₁"), or None."""
    values = run.values()
    if run.optimizer in ("adam", "nadam"):
        return ("β₁", float(values["beta1"])) if values["beta1"] > 0 else None
    if run.optimizer in ("momentum", "nesterov", "rmsprop"):
        return ("μ", float(values["momentum"])) if values.get("momentum", 0.0) > 0 else None
    return None


def overshoot(scene: Scene) -> list[Event]:
    """A run with momentum whose loss rose at least BOUNCE-fold above its best so far without its effective lr
    growing: the momentum carried it past the valley floor (for a growing effective lr, see ``hovering``)."""
    events = []
    for run in scene.runs:
        carried = _momentum(run)
        bounce = None if carried is None else _bounce(run, scene.surface)
        if bounce is None or _hovering_cause(run, bounce, scene.surface) is not None:
            continue
        symbol, value = carried
        numbers = bounce.numbers() | {"momentum": value}
        text = (
            f"{run.label}'s loss swung back up: {bounce.text(_gap_name(scene.surface))}. Its momentum ({symbol} = "
            f"{num(value, 3)}) keeps each step going the way the last ones went, so it runs past the valley floor "
            "and has to turn back"
        )
        after = bounce.gaps[bounce.peak :]
        if len(after) > 1 and after.min() <= bounce.gaps[bounce.peak] / BOUNCE:
            back = bounce.peak + int(np.argmax(after <= bounce.gaps[bounce.peak] / BOUNCE))
            text += f"; by step {back} it is {BOUNCE:.0f} times lower again"
            numbers["back"] = back
        events.append(Event("overshoot", run.optimizer, bounce.rise, text + ".", LESSONS["overshoot"], numbers))
    return events


def eps_dominance(scene: Scene) -> list[Event]:
    """eps, not the accumulator, is the larger term of an adaptive denominator (first step and axis)."""
    events = []
    for run in scene.runs:
        values = run.values()
        if "eps" not in values or not values["eps"] > 0:
            continue
        try:
            terms = scene.eps_terms(run)
        except ValueError:
            continue
        if terms is None:
            continue
        dominates = terms.eps_dominates
        if not dominates.any():
            continue
        empty = terms.accumulator == 0.0  # nothing accumulated yet: every gradient so far was exactly 0
        meaningful = dominates & ~empty
        marked = meaningful if meaningful.any() else dominates
        first = [int(np.argmax(marked[:, a])) if marked[:, a].any() else math.inf for a in (0, 1)]
        axis = int(np.argmin(first))
        k = int(first[axis])
        eps, acc = float(values["eps"]), float(terms.accumulator[k, axis])
        numbers = {"step": k, "axis": axis, "eps": eps, "accumulator": acc, "share_after": float(dominates[k:].mean())}
        if not meaningful.any():
            rate = float(run.effective_lr[k, axis]) if k < run.last else math.nan
            end = k + int(np.argmin(empty[k:, axis])) - 1 if not empty[k:, axis].all() else len(empty) - 1
            span = f"from step {k} to step {end}" if end > k else f"at step {k}"
            text = (
                f"{run.label}'s denominator along {_AXES[axis]} is eps alone {span}: the gradient along "
                f"{_AXES[axis]} was exactly 0 {'until then' if end > k else 'there'} ({terms.symbol} = 0), so its "
                f"effective lr shows {num(rate, 3)}, but it multiplies a zero gradient: no step."
            )
            numbers |= {"effective_lr": rate, "until": end}
            events.append(Event("eps", run.optimizer, k, text, LESSONS["eps"], numbers))
            continue
        both = all(math.isfinite(f) for f in first)
        along = "along both axes" if both and first[0] == first[1] else f"along {_AXES[axis]}"
        text = (
            f"eps dominates {run.label}'s denominator {along} from step {k}: eps = {num(eps)} is larger than "
            f"{terms.symbol} = {num(acc)} there"
        )
        cap = _eps_cap(run, values, terms)
        if cap is not None:
            text += f", so its effective lr heads for {cap[0]} = {num(cap[1], 3)}"
            numbers["cap"] = cap[1]
        rate = float(run.effective_lr[k, axis]) if k < run.last else math.nan
        if math.isfinite(rate) and rate > 0:
            text += f" (it is {num(rate, 3)} at step {k})"
            numbers["effective_lr"] = rate
        events.append(Event("eps", run.optimizer, k, text + ".", LESSONS["eps"], numbers))
    return events


def _eps_cap(run: RunRecord, values: dict[str, Any], terms: DenominatorTerms) -> tuple[str, float] | None:
    """Where the effective lr goes once eps alone is left in the denominator (constant lr, simple rules)."""
    if run.schedule is not None or run.optimizer not in ("rmsprop", "adagrad", "adam", "nadam"):
        return None
    lr, eps = float(values["lr"]), float(values["eps"])
    if terms.placement == "outside":
        return "lr/eps", lr / eps
    return "lr/√eps", lr / math.sqrt(eps)


def first_step(scene: Scene) -> list[Event]:
    """RMSProp's large first step from its zero-started average; and, in the same view, Adam's bias
    correction keeping its own first step at lr."""
    events = []
    width = min(high - low for low, high in scene.surface.domain)
    for run in scene.runs:
        if run.optimizer == "rmsprop":
            event = _rmsprop_first_step(run)
            if event is not None and event.numbers["length"] >= VISIBLE_STEP * width:
                events.append(event)
    if events:
        events += [e for run in scene.runs if run.optimizer == "adam" for e in [_adam_first_step(run)] if e]
    return events


def _first_ratio(run: RunRecord) -> tuple[np.ndarray, float] | None:
    """The first step's length per axis and the learning rate it used; None if there was no good first step."""
    if run.last < 1 or run.steps == 0:
        return None
    lr0 = float(run.lrs()[0])
    if not lr0 > 0:
        return None
    return np.abs(run.xy[1] - run.xy[0]), lr0


def _rmsprop_first_step(run: RunRecord) -> Event | None:
    found = _first_ratio(run)
    if found is None:
        return None
    length, lr0 = found
    ratio = length / lr0
    if ratio.max() < LARGE_FIRST_STEP:
        return None
    values = run.values()
    rho, centered = float(values["rho"]), bool(values["centered"])
    axis = int(np.argmax(ratio))
    even = ratio.min() >= 0.9 * ratio.max()
    where = "along each axis" if even else f"along {_AXES[axis]}"
    shown = float(length[axis] if not even else length.mean())
    text = f"RMSProp's first step was {num(shown, 3)} {where}, {num(float(ratio.max()), 3)}× its lr of {num(lr0, 3)}: "
    start = optim.get("rmsprop").rule(run.convention).form.initial_mean_square
    numbers = {"length": shown, "ratio": float(ratio.max()), "lr": lr0, "axis": axis}
    if start == 0.0:
        if centered:
            predicted = lr0 / math.sqrt(rho * (1 - rho)) if 0 < rho < 1 else math.inf
            text += "v starts at 0, so v₁ − ḡ₁² = ρ(1 − ρ)g₁² and the first step is lr/√(ρ(1 − ρ))"
        else:
            predicted = lr0 / math.sqrt(1 - rho) if rho < 1 else math.inf
            text += "v starts at 0, so v₁ = (1 − ρ)g₁² and the first step is lr/√(1 − ρ)"
        if math.isfinite(predicted) and abs(shown / predicted - 1) < 0.1:
            text += f" = {num(predicted, 3)} whatever the gradient."
            numbers["predicted"] = predicted
        else:
            text += f", about the same whatever the gradient (eps = {num(float(values['eps']))} aside)."
    else:
        g2 = float(((run.xy[1] - run.xy[0])[axis] / (run.effective_lr[0, axis] or math.nan)) ** 2)
        text += (
            f"TF1 starts v at 1, but the first squared gradient ({num(g2)}) is far larger, so v₁ ≈ (1 − ρ)g₁² "
            "and the first step nears lr/√(1 − ρ)."
        )
        numbers["grad_sq"] = g2
    return Event("first_step", "rmsprop", 0, text, LESSONS["first_step"], numbers)


def _adam_first_step(run: RunRecord) -> Event | None:
    found = _first_ratio(run)
    if found is None:
        return None
    length, lr0 = found
    ratio = length / lr0
    if not (ratio.min() >= 0.5 and ratio.max() <= 1.5):
        return None
    b2 = float(run.values()["beta2"])
    text = (
        f"Adam's first step was {num(float(length.mean()), 3)} along each axis, about its lr of {num(lr0, 3)}: its "
        f"bias correction divides v₁ by 1 − β₂ = {num(1 - b2)}, which undoes the zero start."
    )
    return Event("first_step", "adam", 0, text, LESSONS["first_step"], {"length": float(length.mean()), "lr": lr0})


def oscillation(scene: Scene) -> list[Event]:
    """Plain SGD zig-zagging across a valley: along an axis (or the steepest direction at the start) the step
    flips sign nearly every step, and its size shrinks slowly (lr close to 2/λ) or grows (above it)."""
    events = []
    for run in scene.runs:
        if run.optimizer not in _SGD_FAMILY or run.diverged_at is not None:
            continue
        if update_kind(run.optimizer, run.values())[0] != "gradient":
            continue
        steps = np.diff(run.xy[: run.last + 1], axis=0)
        directions = _directions(scene.surface, run.xy[0])
        found = [(name, _alternation(steps @ vector)) for name, vector in directions]
        found = [(name, f) for name, f in found if f is not None]
        if not found:
            continue
        name, (first, flips, factor) = max(found, key=lambda item: item[1][1])
        numbers = {"start": first, "flips": flips, "factor": factor}
        text = (
            f"{run.label} zig-zags across the valley {name}: its step that way flips sign every step ({flips} flips "
            f"from step {first})"
        )
        if factor < 1:
            text += f" and shrinks only to {num(factor, 2)}× the previous one"
        else:
            text += f" and grows {num(factor, 3)}× per step: it is heading for divergence"
        lam = _lam_max(scene.surface, run.xy[first : first + 1])
        lr = float(run.lrs()[first])
        if lam is not None and np.isfinite(lam[0]) and lam[0] > 0:
            product = lr * float(lam[0])
            numbers |= {"lr": lr, "lam_max": float(lam[0]), "product": product}
            relation = "close to" if product <= 2 else "above"
            text += (
                f", because lr × λmax = {num(lr, 3)} × {num(float(lam[0]), 3)} = {num(product, 3)} is {relation} "
                f"the limit 2 (lr = 2/λmax would be {num(gd_limit(float(lam[0])), 3)})"
            )
        events.append(Event("oscillation", run.optimizer, first, text + ".", LESSONS["oscillation"], numbers))
    return events


def _directions(surface: landscapes.Surface, start: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The axes, and the steepest direction of the Hessian at the start when it is not an axis."""
    found = [("along x", np.array([1.0, 0.0])), ("along y", np.array([0.0, 1.0]))]
    h = _hessian(surface, start)
    if h is not None:
        lam, vectors = np.linalg.eigh((h + h.T) / 2)
        steep = vectors[:, 1] * (1.0 if vectors[0, 1] >= 0 else -1.0)
        if lam[1] > 0 and np.abs(steep).min() > 0.02:
            found.append((f"along its steepest direction ({num(float(steep[0]))}, {num(float(steep[1]))})", steep))
    return found


def _alternation(d: np.ndarray) -> tuple[int, int, float] | None:
    """(first step, sign flips, median shrink factor) of steps ``d`` along one direction if they alternate."""
    scale = float(np.abs(d).max()) if len(d) else 0.0
    if not scale > 0:
        return None
    moving = np.nonzero(np.abs(d) > 1e-12 * scale)[0]
    pairs = moving[:-1][np.diff(moving) == 1]  # consecutive steps that both moved
    if len(pairs) < MIN_FLIPS:
        return None
    flips = np.sign(d[pairs]) != np.sign(d[pairs + 1])
    if flips.mean() < ALTERNATING:
        return None
    factor = float(np.median(np.abs(d[pairs + 1] / d[pairs])[flips]))
    if factor < SLOW_DECAY:
        return None
    return int(pairs[flips][0]), int(flips.sum()), factor


def stall(scene: Scene) -> list[Event]:
    """Adagrad's steps shrinking towards a stall: its sum of squared gradients only grows, and f − f∗ has not even
    halved over the last stretch of the run while still above the tolerance."""
    events = []
    for run in scene.runs:
        if run.optimizer != "adagrad" or run.diverged_at is not None:
            continue
        gaps = _gaps(run, scene.surface)
        last = run.last
        if gaps is None or last < 20 or steps_to(run, scene.surface.min_value, scene.tol) is not None:
            continue
        since = int(np.argmax(gaps[last] >= gaps / 2))  # the earliest iterate f − f∗ has not halved from
        if last - since < max(10, last // 4) or _at_local_minimum(scene.surface, run.xy[last]):
            continue
        rates = run.effective_lr[:last]
        shrink = rates[-1] / np.where(rates[0] > 0, rates[0], np.nan)
        if not np.isfinite(shrink).any():
            continue
        axis = int(np.nanargmin(shrink))
        step_len = float(np.abs(run.xy[last] - run.xy[last - 1])[axis])
        numbers = {
            "since": since,
            "axis": axis,
            "lr_first": float(rates[0, axis]),
            "lr_last": float(rates[-1, axis]),
            "gap_since": float(gaps[since]),
            "gap_last": float(gaps[last]),
            "step_last": step_len,
        }
        gap = _gap_name(scene.surface)
        text = (
            f"Adagrad's steps are shrinking towards a stall: since step {since} {gap} has only gone from "
            f"{num(numbers['gap_since'])} to {num(numbers['gap_last'])}. Its sum of squared gradients only grows, so "
            f"its effective lr along {_AXES[axis]} never recovers: {num(numbers['lr_first'], 3)} at step 0, "
            f"{num(numbers['lr_last'], 3)} at the end, where its steps along {_AXES[axis]} are {num(step_len)} long."
        )
        events.append(Event("stall", "adagrad", since, text, LESSONS["stall"], numbers))
    return events


def _at_local_minimum(surface: landscapes.Surface, point: np.ndarray) -> bool:
    """True if ``point`` sits at a minimum (positive definite Hessian, a Newton step under 1e-6 of the domain)."""
    h = _hessian(surface, point)
    if h is None:
        return False
    with np.errstate(all="ignore"):
        g = surface.grad(point)
        lam = np.linalg.eigvalsh((h + h.T) / 2)
        if not (np.isfinite(g).all() and lam[0] > 0):
            return False
        newton = np.linalg.solve(h, g)
    span = max(high - low for low, high in surface.domain)
    return bool(np.isfinite(newton).all() and np.linalg.norm(newton) < 1e-6 * span)


def saddle(scene: Scene) -> list[Event]:
    """A run that started on (or next to) a saddle's ridge and is still near the saddle point at the end."""
    events = []
    half = min(high - low for low, high in scene.surface.domain) / 2
    for run in scene.runs:
        if run.diverged_at is not None or run.last < 1:
            continue
        found = _saddle_point(scene.surface, run.xy[run.last])
        if found is None:
            continue
        point, lam_min, down = found
        span = max(high - low for low, high in scene.surface.domain)
        point = np.where(np.abs(point) < 1e-9 * span, 0.0, point)  # round-off around an exact 0
        start, end = run.xy[0] - point, run.xy[run.last] - point
        off = (run.xy[: run.last + 1] - point) @ down
        off0, off_end = abs(float(off[0])), abs(float(off[-1]))
        dist0 = float(np.linalg.norm(start))
        if not (dist0 > 0 and off0 <= 0.05 * dist0):
            continue  # did not start on the ridge
        if off_end >= ESCAPE * half or float(np.linalg.norm(end)) >= ESCAPE * half:
            continue  # escaped, or never came close
        last = run.last
        numbers = {"saddle_x": float(point[0]), "saddle_y": float(point[1]), "lam_min": lam_min}
        numbers |= {"offset_start": off0, "offset_end": off_end, "steps": last}
        where = _point(point)
        if np.all(np.abs(off) <= 1e-12 * max(dist0, 1e-300)):
            text = (
                f"{run.label} is stuck at the saddle point {where} after {last} steps: it started exactly on the "
                f"ridge, where the gradient has no component along the way down (curvature {num(lam_min, 3)}), so "
                "nothing pushes it off; a little gradient noise would."
            )
        elif off0 > 0:
            growth = (off_end / off0) ** (1 / last)
            numbers["growth"] = growth
            text = (
                f"{run.label} has not escaped the saddle at {where} by step {last}: its distance from the ridge grew "
                f"only from {num(off0)} to {num(off_end)} (×{num(growth, 3)} per step)."
            )
        else:
            text = (
                f"{run.label} has not escaped the saddle at {where} by step {last}: it started on the ridge, and the "
                f"gradient noise has pushed it only {num(off_end)} off it so far."
            )
        events.append(Event("saddle", run.optimizer, last, text, LESSONS["saddle"], numbers))
    return events


def _saddle_point(surface: landscapes.Surface, near: np.ndarray) -> tuple[np.ndarray, float, np.ndarray] | None:
    """The saddle point Newton's method finds from ``near`` (its point, λ_min and the downhill eigenvector), or
    None when there is none nearby (or no exact Hessian)."""
    if surface.hessian_xy is None:
        return None
    point = np.asarray(near, dtype=float)
    span = max(high - low for low, high in surface.domain)
    with np.errstate(all="ignore"):
        for _ in range(8):
            h, g = surface.hessian(point), surface.grad(point)
            if not (np.isfinite(h).all() and np.isfinite(g).all()) or abs(np.linalg.det(h)) < 1e-12:
                return None
            point = point - np.linalg.solve(h, g)
        h, g = surface.hessian(point), surface.grad(point)
        if not (np.isfinite(h).all() and np.isfinite(g).all() and np.isfinite(point).all()):
            return None
        if np.linalg.norm(point - near) > ESCAPE * span or np.linalg.norm(g) > 1e-9 * max(1.0, span):
            return None
        lam, vectors = np.linalg.eigh((h + h.T) / 2)
    if not (lam[0] < 0 < lam[1]):
        return None
    return point, float(lam[0]), vectors[:, 0]


def first_to_tolerance(scene: Scene) -> list[Event]:
    """Which optimizer first got within the tolerance of the minimum, at which step, and when the others did."""
    runs, surface = scene.runs, scene.surface
    if len(runs) < 2 or surface.min_value is None:
        return []
    reached = [steps_to(run, surface.min_value, scene.tol) for run in runs]
    times = [r for r in reached if r is not None]
    if not times:
        return []
    first = min(times)
    winners = [run for run, r in zip(runs, reached, strict=True) if r == first]
    others = [
        f"{run.label} at step {r}" if r is not None else f"{run.label} not within {run.steps} steps"
        for run, r in zip(runs, reached, strict=True)
        if r != first
    ]
    names = " and ".join(run.label for run in winners)
    both = " both" if len(winners) > 1 else ""
    text = f"{names}{both} got {_gap_name(surface)} below {num(scene.tol)} first, at step {first}"
    text += f"; {', '.join(others)}." if others else "."
    lead = winners[0]
    lesson = LESSONS["first_to_tol"]
    if lead.optimizer in _SGD_FAMILY and any(run.optimizer == "rmsprop" for run in runs):
        lesson = "honest-limit"
    numbers = {
        "step": first,
        **{f"steps.{run.optimizer}": (-1 if r is None else r) for run, r in zip(runs, reached, strict=True)},
    }
    return [Event("first_to_tol", lead.optimizer, first, text, lesson, numbers)]


#: Every detector, in the order their notes are listed when they fall on the same step.
DETECTORS: tuple[Callable[[Scene], list[Event]], ...] = (
    divergence,
    unbounded,
    hovering,
    overshoot,
    eps_dominance,
    first_step,
    oscillation,
    stall,
    saddle,
    first_to_tolerance,
)


#: The detectors that read each run on its own (the others compare the view's runs). Each kind of note comes from
#: one detector, so a view's notes are its runs' own notes and the comparisons' (``in_order``): a page can keep
#: each run's notes while another run of the view changes.
PER_RUN = (divergence, unbounded, hovering, overshoot, eps_dominance, oscillation, stall, saddle)
ACROSS = tuple(d for d in DETECTORS if d not in PER_RUN)


def detect(
    runs: Sequence[RunRecord],
    surface: landscapes.Surface,
    tol: float = 1e-6,
    terms: Mapping[str, DenominatorTerms | None] | None = None,
    detectors: Sequence[Callable[[Scene], list[Event]]] = DETECTORS,
) -> list[Event]:
    """Every note for the view's runs, at most one per (optimizer, kind), ordered by step.

    ``terms`` may hold the denominator terms already computed for the view (by optimizer name); missing ones
    are computed. ``detectors``: only these (``PER_RUN`` or ``ACROSS``)."""
    scene = Scene(tuple(runs), surface, tol, dict(terms or {}))
    seen: set[tuple[str, str]] = set()
    events: list[Event] = []
    with np.errstate(all="ignore"):
        for detector in detectors:
            for event in detector(scene):
                if (event.optimizer, event.kind) not in seen:
                    seen.add((event.optimizer, event.kind))
                    events.append(event)
    return in_order(events, [run.optimizer for run in runs])


def in_order(events: Sequence[Event], optimizers: Sequence[str]) -> list[Event]:
    """Notes in the order a view lists them: by step, then kind, then the optimizer's place in the view."""
    order = {name: i for i, name in enumerate(optimizers)}
    return sorted(events, key=lambda e: (e.step, _ORDER[e.kind], order.get(e.optimizer, 0)))
