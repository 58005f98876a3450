"""Adadelta: RMSProp's denominator, with a numerator that tracks the root of past squared steps.

Units work out (step ~ parameter), so the learning rate is nominally 1; eps both starts the
numerator off (sqrt(eps) sets the very first steps) and guards the denominator.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import divide, sqrt, zeros_like
from .base import Optimizer, Rule
from .hyperparams import eps_param, lr_param, rho_param


class Form(NamedTuple):
    order: Literal["torch", "keras", "optax", "tf1"]


class State(NamedTuple):
    mean_sq_grad: np.ndarray
    mean_sq_step: np.ndarray


def init(params, hp, form):
    zeros = zeros_like(params)
    return State(zeros, zeros)


def update(g, state, hp, form):
    lr, rho, eps = hp["lr"], hp["rho"], hp["eps"]
    one_minus_rho = 1.0 - rho
    v, u = state.mean_sq_grad, state.mean_sq_step
    order = form.order
    if order == "torch":
        v = v * rho + (one_minus_rho * g) * g
        ratio = divide(sqrt(u + eps), sqrt(v + eps), eps)
        delta = ratio * g
        u = u * rho + (one_minus_rho * delta) * delta
        return (-lr) * delta, State(v, u), lambda: lr * ratio
    if order == "tf1":  # ApplyAdadelta kernel
        v = v * rho + (g * g) * one_minus_rho
        ratio = divide(sqrt(u + eps), sqrt(v + eps), eps)  # sqrt(u + eps) * rsqrt(v + eps)
        delta = ratio * g
        u = u * rho + (delta * delta) * one_minus_rho
        return -(delta * lr), State(v, u), lambda: lr * ratio
    v = rho * v + one_minus_rho * (g * g)  # Keras and Optax
    root_u, root_v = sqrt(u + eps), sqrt(v + eps)
    if order == "keras":
        delta = divide(root_u * g, root_v, eps)
        step = lr * (-delta)
    else:
        delta = divide(root_u, root_v, eps) * g
        step = (-lr) * delta
    u = rho * u + one_minus_rho * (delta * delta)
    return step, State(v, u), lambda: lr * divide(root_u, root_v, eps)


ADADELTA = Optimizer(
    name="adadelta",
    label="Adadelta",
    summary="RMSProp whose numerator is the RMS of past steps: no hand-tuned scale, slow to start.",
    hyperparams=(lr_param(1.0), rho_param(0.9), eps_param(1e-6)),
    rules={
        "pytorch": Rule(
            "pytorch",
            api="torch.optim.Adadelta",
            arg_names={"lr": "lr", "rho": "rho", "eps": "eps"},
            defaults={"lr": 1.0, "rho": 0.9, "eps": 1e-6},
            form=Form("torch"),
        ),
        "keras": Rule(
            "keras",
            api="keras.optimizers.Adadelta",
            arg_names={"lr": "learning_rate", "rho": "rho", "eps": "epsilon"},
            defaults={"lr": 0.001, "rho": 0.95, "eps": 1e-7},
            form=Form("keras"),
            notes=("Keras defaults lr to 0.001, which makes Adadelta crawl; PyTorch uses 1.0.",),
        ),
        "optax": Rule(
            "optax",
            api="optax.adadelta",
            arg_names={"lr": "learning_rate", "rho": "rho", "eps": "eps"},
            defaults={"lr": None, "rho": 0.9, "eps": 1e-6},
            form=Form("optax"),
            notes=("Always pass a learning rate: optax.adadelta's default None skips the sign flip.",),
        ),
        "tf1": Rule(
            "tf1",
            api="tf.compat.v1.train.AdadeltaOptimizer",
            arg_names={"lr": "learning_rate", "rho": "rho", "eps": "epsilon"},
            defaults={"lr": 0.001, "rho": 0.95, "eps": 1e-8},
            form=Form("tf1"),
        ),
    },
    init=init,
    update=update,
)
