"""Adagrad: divide each axis's step by the root of the *sum* of all its squared gradients so far."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import divide, full_like, sqrt
from .base import Optimizer, Rule
from .hyperparams import eps_param, lr_param


class Form(NamedTuple):
    initial_accumulator: float
    eps: Literal["outside", "inside", "none"]  # sqrt(s) + eps, sqrt(s + eps), or no eps (TF1)
    order: Literal["torch", "keras", "optax", "tf1"]


class State(NamedTuple):
    sum_sq: np.ndarray


def init(params, hp, form):
    return State(full_like(params, form.initial_accumulator))


def update(g, state, hp, form):
    lr, eps = hp["lr"], hp["eps"]
    if form.order == "torch":
        s = state.sum_sq + g * g
        den = sqrt(s) + eps
        return divide((-lr) * g, den, eps), State(s), lambda: lr / den
    if form.order == "keras":
        s = state.sum_sq + g * g
        den = sqrt(s + eps)
        return -divide(lr * g, den, eps), State(s), lambda: lr / den
    s = g * g + state.sum_sq
    if form.order == "optax":
        inv = 1.0 / sqrt(s + eps)  # rsqrt; s >= initial_accumulator > 0
        return (-lr) * (inv * g), State(s), lambda: lr * inv
    inv = 1.0 / sqrt(s)  # TF1 ApplyAdagrad: var -= g * lr * rsqrt(accum), no eps
    return -((g * lr) * inv), State(s), lambda: lr * inv


ADAGRAD = Optimizer(
    name="adagrad",
    label="Adagrad",
    summary="Per-axis steps shrink with the running sum of squared gradients, and never grow back.",
    hyperparams=(lr_param(0.5), eps_param(1e-10)),
    rules={
        "pytorch": Rule(
            "pytorch",
            api="torch.optim.Adagrad",
            arg_names={"lr": "lr", "eps": "eps"},
            defaults={"lr": 0.01, "eps": 1e-10, "initial_accumulator": 0.0},
            form=Form(0.0, "outside", "torch"),
            notes=("PyTorch starts the sum at 0 and adds eps outside the square root.",),
        ),
        "keras": Rule(
            "keras",
            api="keras.optimizers.Adagrad",
            arg_names={"lr": "learning_rate", "eps": "epsilon"},
            defaults={"lr": 0.001, "eps": 1e-7, "initial_accumulator": 0.1},
            form=Form(0.1, "inside", "keras"),
            notes=("Keras starts the sum at 0.1 and adds eps inside the square root.",),
        ),
        "optax": Rule(
            "optax",
            api="optax.adagrad",
            arg_names={"lr": "learning_rate", "eps": "eps"},
            defaults={"lr": None, "eps": 1e-7, "initial_accumulator": 0.1},
            form=Form(0.1, "inside", "optax"),
            notes=("Optax starts the sum at 0.1 and adds eps inside the square root.",),
        ),
        "tf1": Rule(
            "tf1",
            api="tf.compat.v1.train.AdagradOptimizer",
            arg_names={"lr": "learning_rate"},
            defaults={"lr": None, "initial_accumulator": 0.1},
            form=Form(0.1, "none", "tf1"),
            notes=("TF1's Adagrad has no eps: the sum starts at 0.1 so it is never zero.",),
            ignores=("eps",),
        ),
    },
    init=init,
    update=update,
)
