"""The guided lessons: short texts, each with one or two presets (views) that open in the Playground.

Pure data, no Streamlit. Every claim a text makes is checked by ``tests/test_lessons.py`` against the
core, with the same scenarios; change a preset or a sentence only together with its test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import optim
from views.common import presets
from views.common.lesson_index import TITLES
from views.common.quiz import Question
from views.common.scenario import Scenario

Chart = Literal["loss", "effective_lr", "step_size"]


@dataclass(frozen=True)
class View:
    """One preset of a lesson: a caption, the scenario, and the chart drawn beside its contour. A ``question`` is
    posed before the lesson is shown (predict, then run); its answer is computed from this scenario's runs. A
    lesson about one knob gives its view a live slider of that hyperparameter (``knob``) of one optimizer
    (``focus``), which moves the paths while it is dragged."""

    caption: str
    scenario: Scenario
    chart: Chart = "loss"
    question: Question | None = None
    knob: str | None = None
    focus: str | None = None


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    text: str  # Markdown; may use $...$ maths
    views: tuple[View, ...]
    equations: tuple[str, ...] = ()  # optimizers whose update rule the lesson shows
    convention: str = "pytorch"  # the convention of those equations


def preset(
    surface: str,
    optimizers: Mapping[str, Mapping[str, Any]],
    *,
    steps: int,
    params: Mapping[str, float] | None = None,
    start: tuple[float, float] | None = None,
    convention: str = "pytorch",
    noise: float = 0.0,
    seed: int = 0,
) -> Scenario:
    """A Playground scenario: ``optimizers`` maps each shown optimizer to its overrides of the preset."""
    base = Scenario.default(surface, params)
    hyperparams = tuple(
        (name, tuple(sorted((presets.default_hp(surface, name) | dict(overrides)).items())))
        for name, overrides in optimizers.items()
    )
    return base.with_changes(
        optimizers=tuple(optimizers),
        hyperparams=hyperparams,
        steps=steps,
        start=base.start if start is None else start,
        convention=convention,
        noise=noise,
        seed=seed,
    )


def _default_eps() -> str:
    parts = []
    for convention, name in optim.CONVENTIONS.items():
        parts.append(f"{optim.get('rmsprop').rule(convention).defaults['eps']:.0e} ({name})")
    return ", ".join(parts).replace("e-0", "e-")


# The surfaces and settings below are the ones the tests run; the numbers in the texts are theirs.

SGD_SMALL = preset("bowl", {"sgd": {"lr": 0.019}}, steps=150)
SGD_LARGE = preset("bowl", {"sgd": {"lr": 0.021}}, steps=150)
RMSPROP_VS_SGD = preset("bowl", {"sgd": {"lr": 0.019}, "rmsprop": {"lr": 0.05, "rho": 0.9}}, steps=150)
ADAGRAD_VS_RMSPROP = preset("rosenbrock", {"adagrad": {"lr": 0.5}, "rmsprop": {"lr": 0.002, "rho": 0.9}}, steps=3000)
RHO_ZERO = preset("bowl", {"rmsprop": {"lr": 0.05, "rho": 0.0}}, steps=150)
RHO_SLOW = preset("bowl", {"rmsprop": {"lr": 0.05, "rho": 0.99}}, steps=150)
EPS_OUTSIDE = preset("bowl", {"rmsprop": {"lr": 0.01, "rho": 0.9, "eps": 1e-3}}, steps=500, params={"condition": 4.0})
EPS_INSIDE = EPS_OUTSIDE.with_changes(convention="keras")
FIRST_STEPS = preset("bowl", {"rmsprop": {"lr": 0.05, "rho": 0.99}, "adam": {"lr": 0.05}}, steps=20)
RMSPROP_PLAIN = preset("rosenbrock", {"rmsprop": {"lr": 0.005, "rho": 0.9}, "adam": {"lr": 0.05}}, steps=1000)
RMSPROP_MOMENTUM = preset(
    "rosenbrock", {"rmsprop": {"lr": 0.005, "rho": 0.9, "momentum": 0.9}, "adam": {"lr": 0.05}}, steps=1000
)
ALIGNED = preset("bowl", {"sgd": {"lr": 0.019}, "rmsprop": {"lr": 0.05, "rho": 0.9}}, steps=150)
ROTATED = preset("bowl", {"sgd": {"lr": 0.019}, "rmsprop": {"lr": 0.05, "rho": 0.9}}, steps=150, params={"angle": 45.0})
NEAR_RIDGE = preset("saddle", {"sgd": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}, steps=40, start=(1.5, 0.001))
ON_RIDGE_NOISY = preset(
    "saddle", {"sgd": {"lr": 0.05}, "rmsprop": {"lr": 0.05}}, steps=150, start=(1.5, 0.0), noise=0.01
)
LONG_RUN = preset(
    "bowl", {"sgd": {"lr": 0.05}, "rmsprop": {"lr": 0.05, "rho": 0.9}}, steps=500, params={"condition": 2.0}
)

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        "sgd-dilemma",
        TITLES["sgd-dilemma"],
        "On the bowl $f = \\tfrac12(x^2 + 100\\,y^2)$ each SGD step multiplies a coordinate's distance from the "
        "minimum by $1 - \\eta\\lambda$, where $\\lambda$ is that axis's curvature. The steep $y$ axis "
        "($\\lambda = 100$) is stable only for $\\eta < 2/100 = 0.02$. At $\\eta = 0.019$ the shallow $x$ axis "
        "($\\lambda = 1$) shrinks by just 1.9% per step: after 150 steps $x$ has only come from −1.8 to about "
        "−0.10. Nudge $\\eta$ to 0.021 and every step overshoots the valley floor by more than the last: the run "
        "diverges within 30 steps.",
        (
            View("Learning rate 0.019: stable, but crawls along x", SGD_SMALL, knob="lr", focus="sgd"),
            View(
                "Learning rate 0.021: the steep axis blows up",
                SGD_LARGE,
                question=Question("converge", "sgd"),
                knob="lr",
                focus="sgd",
            ),
        ),
        equations=("sgd",),
    ),
    Lesson(
        "rmsprop-idea",
        TITLES["rmsprop-idea"],
        "RMSProp keeps, for each axis, a moving average $v$ of the squared gradient and divides that axis's step "
        "by $\\sqrt{v}$. A steep axis has large gradients and so gets a small effective learning rate; a shallow "
        "axis gets a large one. On this bowl RMSProp's effective learning rate along $x$ stays more than 10× the "
        "one along $y$ for the first 50 steps, and after 50 steps both coordinates are within 10% of the "
        "minimum's, while SGD's $x$ is still at over 30% of where it started. Tuned fairly (the best of 200 "
        "learning rates from 1e-4 to 1 for each), RMSProp's loss after 50 steps is more than a million times "
        "lower than that of the best stable SGD.",
        (View("SGD and RMSProp on the same bowl", RMSPROP_VS_SGD, "effective_lr", Question("first")),),
        equations=("rmsprop",),
    ),
    Lesson(
        "adagrad-vs-rmsprop",
        TITLES["adagrad-vs-rmsprop"],
        "Adagrad divides by the root of the *sum* of all squared gradients so far. The sum only grows, so "
        "Adagrad's effective learning rate never increases: on Rosenbrock it is set by the steep walls met in "
        "the first few steps, and at step 3,000 it is still within 5% of its value at step 10, however flat the "
        "valley floor has become. RMSProp's moving average forgets the walls, so its effective learning rate "
        "climbs more than 50-fold between step 10 and step 1,000 as the gradients shrink.",
        (View("Adagrad and RMSProp, 3,000 steps on Rosenbrock", ADAGRAD_VS_RMSPROP, "effective_lr"),),
        equations=("adagrad", "rmsprop"),
    ),
    Lesson(
        "rho",
        TITLES["rho"],
        "Each step the old average is multiplied by $\\rho$, so $v$ averages roughly the last $1/(1-\\rho)$ "
        "squared gradients: 10 at $\\rho = 0.9$, 100 at $\\rho = 0.99$. At $\\rho = 0$ it remembers only the "
        "current gradient: every step has size $\\eta$ on each axis, whatever the gradient (as long as it is well "
        "above $\\epsilon$). This is sign descent: the effective learning rate jumps from step to step, and the "
        "run rattles around the minimum instead of settling. At $\\rho = 0.99$ the effective learning rate "
        "changes smoothly, by under 1% per step after the first 10.",
        (
            View("rho = 0: sign descent", RHO_ZERO, "effective_lr", knob="rho", focus="rmsprop"),
            View("rho = 0.99: a long, smooth memory", RHO_SLOW, "effective_lr", knob="rho", focus="rmsprop"),
        ),
        equations=("rmsprop",),
    ),
    Lesson(
        "eps",
        TITLES["eps"],
        "$\\epsilon$ keeps the division safe where gradients vanish, and it sets the smallest denominator. Near "
        "a minimum, once $\\sqrt{v}$ falls below it, RMSProp turns into plain SGD with learning rate "
        "$\\eta/\\epsilon$ when $\\epsilon$ sits outside the root (PyTorch), or $\\eta/\\sqrt{\\epsilon}$ when it "
        "sits inside (Keras, Optax, TF1). With the same $\\epsilon = 10^{-3}$ and $\\eta = 0.01$ on a bowl with "
        "curvatures 1 and 4, Keras's rule becomes SGD with learning rate 0.32, stable since $0.32 \\cdot 4 < 2$, "
        "and settles into the minimum (its loss falls below 1e-30, far under the chart's floor of 1e-16); "
        "PyTorch's becomes SGD with learning rate 10, unstable, and keeps "
        f"hovering at a loss between 1e-6 and 1e-3. The defaults differ too: {_default_eps()}.",
        (
            View("PyTorch: eps outside the root", EPS_OUTSIDE, knob="eps", focus="rmsprop"),
            View("Keras: eps inside the root", EPS_INSIDE, knob="eps", focus="rmsprop"),
        ),
        equations=("rmsprop",),
    ),
    Lesson(
        "first-steps",
        TITLES["first-steps"],
        "RMSProp's average starts at $v_0 = 0$, so after one step $v_1 = (1-\\rho)\\,g_1^2$ and the first update "
        "is $\\eta\\, g_1/(\\sqrt{1-\\rho}\\,|g_1|) = \\eta/\\sqrt{1-\\rho}$ on each axis, whatever the gradient: "
        "10× the learning rate at $\\rho = 0.99$. Adam divides its averages by $1-\\beta^t$, which undoes the "
        "zero start: its first step is exactly $\\eta$ on each axis.",
        (View("RMSProp (rho = 0.99) and Adam, both at learning rate 0.05", FIRST_STEPS, "step_size"),),
        equations=("rmsprop", "adam"),
    ),
    Lesson(
        "adam",
        TITLES["adam"],
        "Adam divides a moving average of the gradients ($\\beta_1$, momentum) by the root of a moving average of "
        "their squares ($\\beta_2$, RMSProp's $v$), both bias-corrected. On Rosenbrock's curved valley the "
        "momentum is what pays: after 1,000 steps plain RMSProp is still above loss 0.02, while RMSProp with "
        "momentum 0.9 and Adam are both below 0.01. Adam runs here at 10× RMSProp's learning rate because its "
        "momentum is an average, weighted by $1-\\beta_1$, while PyTorch's RMSProp momentum is a sum.",
        (
            View("Plain RMSProp and Adam", RMSPROP_PLAIN),
            View("RMSProp with momentum 0.9 and Adam", RMSPROP_MOMENTUM),
        ),
        equations=("rmsprop", "adam"),
    ),
    Lesson(
        "rotation",
        TITLES["rotation"],
        "RMSProp rescales the $x$ and $y$ axes, not arbitrary directions. Rotate the same bowl by 45° and each "
        "coordinate's gradient mixes the steep and the shallow direction: RMSProp's two effective learning "
        "rates end within 5% of each other, so it can no longer tell steep from shallow, and its loss after "
        "50 steps is more than 100× higher than on the aligned bowl. SGD's rule has no axes at all: its "
        "effective learning rate is the same in every direction.",
        (
            View("Aligned with the axes", ALIGNED, "effective_lr"),
            View("Rotated by 45°", ROTATED, "effective_lr"),
        ),
        equations=("rmsprop",),
    ),
    Lesson(
        "saddle",
        TITLES["saddle"],
        "On $f = x^2 - y^2$ the way down runs along $y$, but near the ridge $y = 0$ its gradient is tiny, so "
        "SGD's first steps off the ridge are tiny too: from $y = 0.001$ at $\\eta = 0.05$ it needs more than 60 "
        "steps to reach $|y| = 1$. RMSProp divides by the gradient's own size and leaves at full speed, in "
        "under 10 steps. Started exactly on the ridge without noise, the gradient never points off it and SGD "
        "slides into the saddle point; a little gradient noise (std 0.01) knocks both off within 150 steps.",
        (
            View("Starting just off the ridge, y = 0.001: the first 40 steps", NEAR_RIDGE),
            View("Starting on the ridge, with gradient noise 0.01", ON_RIDGE_NOISY),
        ),
        equations=("sgd", "rmsprop"),
    ),
    Lesson(
        "honest-limit",
        TITLES["honest-limit"],
        "With a fixed learning rate RMSProp's steps stay about $\\eta$ long however small the gradient, so it "
        "ends up hopping around the minimum at a distance between $0.3\\,\\eta$ and $1.5\\,\\eta$. On this "
        "well-scaled bowl (condition number 2) RMSProp leads for the first 100 steps; then plain SGD's steady "
        "linear convergence overtakes it for good, and after 500 steps SGD's loss is more than 15 orders of "
        "magnitude lower.",
        (View("SGD and RMSProp at learning rate 0.05, 500 steps", LONG_RUN, question=Question("lowest")),),
        equations=("sgd", "rmsprop"),
    ),
)


def by_slug(slug: str) -> Lesson | None:
    """The lesson called ``slug``, or None."""
    return next((lesson for lesson in LESSONS if lesson.slug == slug), None)
