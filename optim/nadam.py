"""Nadam: Adam with Nesterov momentum (the step looks ahead along the momentum).

PyTorch follows Dozat's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)) with psi = 0.004;
Keras uses 0.96^t (no psi), so its schedule settles within a few dozen steps; Optax has no
schedule (``optax.nadam`` is Adam with a Nesterov-corrected first moment). TF1 has no Nadam.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import power, sqrt, torch_lerp, undefined_to_zero, zeros_like
from .base import Optimizer, Rule
from .hyperparams import HyperParam, beta1_param, beta2_param, eps_param, lr_param


class Form(NamedTuple):
    order: Literal["torch", "keras", "optax"]


class State(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    count: int
    mu_product: float | np.ndarray  # product of the momentum schedule so far (PyTorch, Keras)


def init(params, hp, form):
    zeros = zeros_like(params)
    return State(zeros, zeros, 0, 1.0)


def update(g, state, hp, form):
    lr, b1, b2, eps = hp["lr"], hp["beta1"], hp["beta2"], hp["eps"]
    t = state.count + 1
    order = form.order
    if order == "torch":
        psi = hp["momentum_decay"]
        bc2 = 1.0 - power(b2, t)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.mu_product * mu
        m = torch_lerp(state.m, g, 1.0 - b1)
        v = state.v * b2 + ((1.0 - b2) * g) * g
        den = sqrt(v / bc2) + eps
        coef_g = (-lr * (1.0 - mu)) / (1.0 - mu_product)
        coef_m = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        step = undefined_to_zero((coef_g * g) / den, g, den, eps) + undefined_to_zero((coef_m * m) / den, m, den, eps)
        return step, State(m, v, t, mu_product), lambda: lr / den
    if order == "keras":
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_next = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        u_product = state.mu_product * u_t
        u_product_next = u_product * u_next
        m = state.m + (g - state.m) * (1.0 - b1)
        v = state.v + (g * g - state.v) * (1.0 - b2)
        m_hat = (u_next * m) / (1.0 - u_product_next) + ((1.0 - u_t) * g) / (1.0 - u_product)
        v_hat = v / (1.0 - power(b2, t))
        den = sqrt(v_hat) + eps
        step = -undefined_to_zero((m_hat * lr) / den, m_hat, den, eps)
        return step, State(m, v, t, u_product), lambda: lr / den
    m = (1.0 - b1) * g + b1 * state.m  # Optax: adam(nesterov=True)
    v = (1.0 - b2) * (g * g) + b2 * state.v
    m_hat = b1 * (m / (1.0 - power(b1, t + 1))) + (1.0 - b1) * (g / (1.0 - power(b1, t)))
    v_hat = v / (1.0 - power(b2, t))
    den = sqrt(v_hat) + eps
    step = (-lr) * undefined_to_zero(m_hat / den, m_hat, den, eps)
    return step, State(m, v, t, state.mu_product), lambda: lr / den


MOMENTUM_DECAY = HyperParam(
    "momentum_decay", "momentum decay psi", r"\psi", 0.004,
    "PyTorch's Nadam schedule: mu_t = beta1 (1 - 0.5 * 0.96^(t psi)).",
    low=0.0, high=1.0, ui_high=0.1,
)  # fmt: skip

NADAM = Optimizer(
    name="nadam",
    label="Nadam",
    summary="Adam with Nesterov's look-ahead momentum.",
    hyperparams=(lr_param(0.05), beta1_param(), beta2_param(), eps_param(1e-8), MOMENTUM_DECAY),
    rules={
        "pytorch": Rule(
            "pytorch",
            api="torch.optim.NAdam",
            arg_names={
                "lr": "lr",
                "beta1": "betas[0]",
                "beta2": "betas[1]",
                "eps": "eps",
                "momentum_decay": "momentum_decay",
            },
            defaults={"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "momentum_decay": 0.004},
            form=Form("torch"),
            notes=("PyTorch keeps the schedule's running product in float32 unless the default dtype is float64.",),
        ),
        "keras": Rule(
            "keras",
            api="keras.optimizers.Nadam",
            arg_names={"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"},
            defaults={"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7},
            form=Form("keras"),
            notes=("Keras's schedule uses 0.96^t (no psi): the momentum weight settles near beta1 within ~50 steps.",),
            ignores=("momentum_decay",),
        ),
        "optax": Rule(
            "optax",
            api="optax.nadam",
            arg_names={"lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps"},
            defaults={"lr": None, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            form=Form("optax"),
            notes=("Optax's nadam has no momentum schedule: it is Adam with a Nesterov-corrected first moment.",),
            ignores=("momentum_decay",),
        ),
    },
    init=init,
    update=update,
    unsupported={"tf1": "TF1 (tf.compat.v1.train) has no Nadam optimizer; choose PyTorch, Keras or Optax."},
)
