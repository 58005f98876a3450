"""RMSProp: divide each axis's step by the root of a moving average of its squared gradients.

The frameworks differ in where eps goes (PyTorch outside the square root, the others inside),
where the mean square starts (TF1 at 1, the others at 0), what the momentum buffer holds
(PyTorch: g / denominator with lr outside; the others: lr-scaled steps), and operation order.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import divide, full_like, sqrt, torch_lerp, undefined_to_zero, zeros_like
from .base import Optimizer, Rule
from .hyperparams import eps_param, flag_param, lr_param, momentum_param, rho_param


class Form(NamedTuple):
    initial_mean_square: float
    eps: Literal["outside", "inside"]
    order: Literal["torch", "keras", "optax", "tf1"]


class State(NamedTuple):
    mean_sq: np.ndarray
    mean_grad: np.ndarray  # only moves when centered
    buf: np.ndarray  # momentum buffer, only moves when momentum > 0


def init(params, hp, form):
    zeros = zeros_like(params)
    return State(full_like(params, form.initial_mean_square), zeros, zeros)


def update(g, state, hp, form):
    lr, rho, eps, mu, centered = hp["lr"], hp["rho"], hp["eps"], hp["momentum"], hp["centered"]
    one_minus_rho = 1.0 - rho
    mg, buf = state.mean_grad, state.buf
    order = form.order

    if order == "torch":
        v = state.mean_sq * rho + (one_minus_rho * g) * g
        if centered:
            mg = torch_lerp(mg, g, one_minus_rho)
            den = sqrt(v - mg * mg) + eps
        else:
            den = sqrt(v) + eps
        if _uses_momentum(mu):
            buf = buf * mu + divide(g, den, eps)
            return (-lr) * buf, State(v, mg, buf), lambda: lr / den
        return divide((-lr) * g, den, eps), State(v, mg, buf), lambda: lr / den

    if order == "tf1":  # ApplyRMSProp / ApplyCenteredRMSProp kernels: ms += (g^2 - ms)(1 - rho)
        v = state.mean_sq + (g * g - state.mean_sq) * one_minus_rho
        if centered:
            mg = mg + (g - mg) * one_minus_rho
    else:  # Keras and Optax: rho*v + (1 - rho)*g^2
        v = rho * state.mean_sq + one_minus_rho * (g * g)
        if centered:
            mg = rho * mg + one_minus_rho * g
    den = sqrt((v - mg * mg) + eps if centered else v + eps)

    if order == "optax":  # scale_by_rms, then scale_by_learning_rate, then trace(momentum)
        step = (-lr) * undefined_to_zero((1.0 / den) * g, g, den, eps)
        if _uses_momentum(mu):
            buf = step + mu * buf
            step = buf
        return step, State(v, mg, buf), lambda: lr / den
    increment = divide(lr * g, den, eps)  # Keras and TF1: the buffer holds lr-scaled steps
    if _uses_momentum(mu) or order == "tf1":  # TF1's momentum slot always exists
        buf = mu * buf + increment
        increment = buf
    return -increment, State(v, mg, buf), lambda: lr / den


def _uses_momentum(mu) -> bool:
    return not (isinstance(mu, float) and mu == 0.0)


RMSPROP = Optimizer(
    name="rmsprop",
    label="RMSProp",
    summary="Per-axis steps divided by the root of a moving average of squared gradients.",
    hyperparams=(
        lr_param(0.01),
        rho_param(0.9),
        eps_param(1e-8),
        momentum_param(0.0),
        flag_param("centered", "centered", "Divide by the gradient's running standard deviation instead of its RMS."),
    ),
    rules={
        "pytorch": Rule(
            "pytorch",
            api="torch.optim.RMSprop",
            arg_names={"lr": "lr", "rho": "alpha", "eps": "eps", "momentum": "momentum", "centered": "centered"},
            defaults={"lr": 0.01, "rho": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False},
            form=Form(0.0, "outside", "torch"),
            notes=(
                "PyTorch calls rho `alpha` and defaults it to 0.99 (the others: 0.9).",
                "eps is added outside the square root.",
            ),
        ),
        "keras": Rule(
            "keras",
            api="keras.optimizers.RMSprop",
            arg_names={
                "lr": "learning_rate",
                "rho": "rho",
                "eps": "epsilon",
                "momentum": "momentum",
                "centered": "centered",
            },
            defaults={"lr": 0.001, "rho": 0.9, "eps": 1e-7, "momentum": 0.0, "centered": False},
            form=Form(0.0, "inside", "keras"),
            notes=("eps is added inside the square root; the momentum buffer holds lr-scaled steps.",),
        ),
        "optax": Rule(
            "optax",
            api="optax.rmsprop",
            arg_names={
                "lr": "learning_rate",
                "rho": "decay",
                "eps": "eps",
                "momentum": "momentum",
                "centered": "centered",
            },
            defaults={"lr": None, "rho": 0.9, "eps": 1e-8, "momentum": None, "centered": False},
            form=Form(0.0, "inside", "optax"),
            notes=(
                "Optax calls rho `decay`; eps is inside the square root (eps_in_sqrt=True).",
                "Momentum is applied after the learning rate (a trace of the scaled updates).",
            ),
        ),
        "tf1": Rule(
            "tf1",
            api="tf.compat.v1.train.RMSPropOptimizer",
            arg_names={
                "lr": "learning_rate",
                "rho": "decay",
                "eps": "epsilon",
                "momentum": "momentum",
                "centered": "centered",
            },
            defaults={"lr": None, "rho": 0.9, "eps": 1e-10, "momentum": 0.0, "centered": False},
            form=Form(1.0, "inside", "tf1"),
            notes=(
                "TF1 starts the mean square at 1, not 0: no large first steps, but early steps look like SGD.",
                "TF1 calls rho `decay`; eps (default 1e-10) is inside the square root.",
            ),
        ),
    },
    init=init,
    update=update,
)
