"""Adam: RMSProp's per-axis scaling plus momentum, with both moving averages bias-corrected.

PyTorch and Optax add eps to the bias-corrected root; Keras and TF1 fold the corrections into the
step size and add eps to the uncorrected root (the paper's "eps hat" form). AMSGrad keeps the
running maximum of the second moment: the raw one in PyTorch and Keras, the bias-corrected one in
Optax. TF1 has no AMSGrad and computes the bias-correction powers by repeated multiplication.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from ._ops import maximum, power, sqrt, torch_lerp, undefined_to_zero, zeros_like
from .base import Optimizer, Rule
from .hyperparams import beta1_param, beta2_param, eps_param, flag_param, lr_param


class Form(NamedTuple):
    order: Literal["torch", "keras", "optax", "tf1"]
    eps: Literal["corrected", "uncorrected"]  # eps added to the bias-corrected root, or to the raw one


class State(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # AMSGrad's running maximum (raw or bias-corrected, per framework)
    count: int
    beta1_power: float | np.ndarray  # TF1 only: b1^t by repeated float32 multiplication
    beta2_power: float | np.ndarray


def init(params, hp, form):
    zeros = zeros_like(params)
    return State(zeros, zeros, zeros, 0, _float32(hp["beta1"]), _float32(hp["beta2"]))


def _float32(value):
    """TF1 keeps beta1^t and beta2^t in float32 variables, whatever the parameters' dtype."""
    return np.float32(value) if isinstance(value, float) else np.asarray(value, dtype=np.float32)


def _as_float64(value):
    return float(value) if np.ndim(value) == 0 else value.astype(np.float64)


def update(g, state, hp, form):
    lr, b1, b2, eps, amsgrad = hp["lr"], hp["beta1"], hp["beta2"], hp["eps"], hp["amsgrad"]
    t = state.count + 1
    v_max = state.v_max
    order = form.order

    if order == "torch":
        m = torch_lerp(state.m, g, 1.0 - b1)
        v = state.v * b2 + ((1.0 - b2) * g) * g
        step_size = lr / (1.0 - power(b1, t))
        bc2_sqrt = sqrt(1.0 - power(b2, t))
        if amsgrad:
            v_max = maximum(v_max, v)
        den = sqrt(v_max if amsgrad else v) / bc2_sqrt + eps
        step = undefined_to_zero(((-step_size) * m) / den, m, den, eps)
        return step, State(m, v, v_max, t, b1, b2), lambda: step_size / den

    if order == "optax":
        m = (1.0 - b1) * g + b1 * state.m
        v = (1.0 - b2) * (g * g) + b2 * state.v
        bc1 = 1.0 - power(b1, t)
        m_hat = m / bc1
        v_hat = v / (1.0 - power(b2, t))
        if amsgrad:
            v_max = maximum(v_max, v_hat)
        den = sqrt(v_max if amsgrad else v_hat) + eps
        step = (-lr) * undefined_to_zero(m_hat / den, m_hat, den, eps)
        return step, State(m, v, v_max, t, b1, b2), lambda: lr / (bc1 * den)

    # Keras 3 and TF1 (the ApplyAdam kernel): alpha = lr * sqrt(1 - b2^t) / (1 - b1^t)
    if order == "tf1":
        b1_power, b2_power = _as_float64(state.beta1_power), _as_float64(state.beta2_power)
    else:
        b1_power, b2_power = power(b1, t), power(b2, t)
    alpha = lr * sqrt(1.0 - b2_power) / (1.0 - b1_power)
    m = state.m + (g - state.m) * (1.0 - b1)
    v = state.v + (g * g - state.v) * (1.0 - b2)
    if amsgrad:
        v_max = maximum(v_max, v)
    den = sqrt(v_max if amsgrad else v) + eps
    step = -undefined_to_zero((m * alpha) / den, m, den, eps)
    if order == "tf1":
        b1_power = state.beta1_power * _float32(b1)
        b2_power = state.beta2_power * _float32(b2)
    return step, State(m, v, v_max, t, b1_power, b2_power), lambda: alpha / den


_NAMES = {"lr": "learning_rate", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon", "amsgrad": "amsgrad"}

ADAM = Optimizer(
    name="adam",
    label="Adam",
    summary="RMSProp plus momentum, with bias correction of both moving averages.",
    hyperparams=(
        lr_param(0.05),
        beta1_param(),
        beta2_param(),
        eps_param(1e-8),
        flag_param("amsgrad", "AMSGrad", "Use the running maximum of the second moment, so steps never grow."),
    ),
    rules={
        "pytorch": Rule(
            "pytorch",
            api="torch.optim.Adam",
            arg_names={"lr": "lr", "beta1": "betas[0]", "beta2": "betas[1]", "eps": "eps", "amsgrad": "amsgrad"},
            defaults={"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": False},
            form=Form("torch", "corrected"),
            notes=("eps is added to the bias-corrected root sqrt(v / (1 - beta2^t)).",),
        ),
        "keras": Rule(
            "keras",
            api="keras.optimizers.Adam",
            arg_names=_NAMES,
            defaults={"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "amsgrad": False},
            form=Form("keras", "uncorrected"),
            notes=(
                "eps is added to the uncorrected root sqrt(v); the corrections sit in the step size.",
                "So Keras's eps acts about 1/sqrt(1 - beta2^t) times larger early on (31.6x at step 1).",
            ),
        ),
        "optax": Rule(
            "optax",
            api="optax.adam",
            arg_names={"lr": "learning_rate", "beta1": "b1", "beta2": "b2", "eps": "eps", "amsgrad": "amsgrad"},
            defaults={"lr": None, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "amsgrad": False},
            form=Form("optax", "corrected"),
            notes=(
                "With amsgrad the constructor is optax.amsgrad, which takes the maximum of the bias-corrected "
                "second moment (PyTorch and Keras take it of the raw one).",
            ),
        ),
        "tf1": Rule(
            "tf1",
            api="tf.compat.v1.train.AdamOptimizer",
            arg_names={"lr": "learning_rate", "beta1": "beta1", "beta2": "beta2", "eps": "epsilon"},
            defaults={"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
            form=Form("tf1", "uncorrected"),
            notes=("Same update as Keras; beta^t is kept in float32 by repeated multiplication.",),
            unsupported={"amsgrad": "TF1's AdamOptimizer has no AMSGrad option; choose PyTorch, Keras or Optax."},
        ),
    },
    init=init,
    update=update,
)
