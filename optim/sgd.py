"""Gradient descent, heavy-ball momentum and Nesterov momentum (one rule, three registry entries).

PyTorch and Optax keep a buffer of gradients and apply lr outside it; Keras keeps a buffer of
lr-scaled steps; TF1 keeps a gradient buffer but applies lr term by term. For a constant lr the
three agree mathematically; they round differently.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import zeros_like
from .base import Optimizer, Rule
from .hyperparams import lr_param, momentum_param


class Form(NamedTuple):
    buffer: Literal["gradient", "step", "tf1"]  # what the momentum buffer accumulates


class State(NamedTuple):
    buf: np.ndarray


def init(params, hp, form):
    return State(buf=zeros_like(params))


def update(g, state, hp, form):
    lr, mu, nesterov = hp["lr"], hp["momentum"], hp["nesterov"]
    if isinstance(mu, float) and mu == 0.0:  # plain gradient descent, no buffer
        return ((-lr) * g if form.buffer == "gradient" else -(g * lr)), state, lambda: lr
    if form.buffer == "gradient":  # PyTorch (buf = g at step 1 = 0*mu + g) and Optax
        buf = state.buf * mu + g
        direction = g + mu * buf if nesterov else buf
        return (-lr) * direction, State(buf), lambda: lr
    if form.buffer == "step":  # Keras: m = m*mu - g*lr
        m = state.buf * mu - g * lr
        return (m * mu - g * lr if nesterov else m), State(m), lambda: lr
    accum = state.buf * mu + g  # TF1 ApplyMomentum
    step = (g * lr + (accum * mu) * lr) if nesterov else accum * lr
    return -step, State(accum), lambda: lr


_TORCH = dict(api="torch.optim.SGD", arg_names={"lr": "lr", "momentum": "momentum", "nesterov": "nesterov"})
_KERAS = dict(
    api="keras.optimizers.SGD", arg_names={"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"}
)
_OPTAX = dict(api="optax.sgd", arg_names={"lr": "learning_rate", "momentum": "momentum", "nesterov": "nesterov"})


def _rules(momentum_default: float, nesterov: bool) -> dict[str, Rule]:
    tf1_api = (
        "tf.compat.v1.train.MomentumOptimizer" if momentum_default else "tf.compat.v1.train.GradientDescentOptimizer"
    )
    tf1_args = {"lr": "learning_rate"}
    if momentum_default:
        tf1_args.update(momentum="momentum", nesterov="use_nesterov")
    return {
        "pytorch": Rule(
            "pytorch",
            **_TORCH,
            defaults={"lr": 1e-3, "momentum": 0.0, "nesterov": False},
            form=Form("gradient"),
            notes=("PyTorch's buffer starts as a copy of the first gradient; dampening is left at 0.",),
        ),
        "keras": Rule(
            "keras",
            **_KERAS,
            defaults={"lr": 0.01, "momentum": 0.0, "nesterov": False},
            form=Form("step"),
            notes=("Keras stores lr-scaled steps in its momentum buffer.",),
        ),
        "optax": Rule(
            "optax",
            **_OPTAX,
            defaults={"lr": None, "momentum": None, "nesterov": False},
            form=Form("gradient"),
            notes=("Optax has no default learning rate.",),
        ),
        "tf1": Rule(
            "tf1",
            api=tf1_api,
            arg_names=tf1_args,
            defaults={"lr": None, "momentum": None, "nesterov": False} if momentum_default else {"lr": None},
            form=Form("tf1"),
            notes=("TF1 has no default learning rate.",),
        ),
    }


SGD = Optimizer(
    name="sgd",
    label="SGD",
    summary="Plain gradient descent: every axis gets the same learning rate.",
    hyperparams=(lr_param(0.001),),
    rules=_rules(0.0, False),
    init=init,
    update=update,
    fixed={"momentum": 0.0, "nesterov": False},
)

MOMENTUM = Optimizer(
    name="momentum",
    label="Momentum",
    summary="Heavy ball: steps accumulate, so consistent directions speed up and oscillations cancel.",
    hyperparams=(lr_param(0.001), momentum_param(0.9)),
    rules=_rules(0.9, False),
    init=init,
    update=update,
    fixed={"nesterov": False},
)

NESTEROV = Optimizer(
    name="nesterov",
    label="Nesterov",
    summary="Momentum that looks ahead: the gradient is corrected by where the momentum is heading.",
    hyperparams=(lr_param(0.001), momentum_param(0.9)),
    rules=_rules(0.9, True),
    init=init,
    update=update,
    fixed={"nesterov": True},
)
