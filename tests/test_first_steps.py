"""First steps of every optimizer under every convention, against the formulas written out by hand.

On the axis-aligned bowl f = ½(x² + κy²) the gradient is (x, κy) exactly, so each axis is a
scalar problem that ``hand_rules`` steps in plain Python floats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim
from tests import hand_rules as hand

KAPPA = 10.0
START = (1.5, -0.8)
N = 4

LR, RHO, EPS_SMALL, EPS_LARGE = 0.01, 0.9, 1e-8, 0.05
ADAM_HP = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95}

# (optimizer, convention, our hyperparameters, hand rule factory, its arguments)
CASES = []
for eps in (EPS_SMALL, EPS_LARGE):
    CASES += [
        ("adagrad", "pytorch", {"lr": 0.3, "eps": eps}, hand.adagrad_torch, {"lr": 0.3, "eps": eps}),
        ("adagrad", "keras", {"lr": 0.3, "eps": eps}, hand.adagrad_keras, {"lr": 0.3, "eps": eps}),
        ("adagrad", "optax", {"lr": 0.3, "eps": eps}, hand.adagrad_keras, {"lr": 0.3, "eps": eps}),
        (
            "adadelta",
            "pytorch",
            {"lr": 1.0, "rho": RHO, "eps": eps},
            hand.adadelta_torch,
            {"lr": 1.0, "rho": RHO, "eps": eps},
        ),
        (
            "adadelta",
            "keras",
            {"lr": 1.0, "rho": RHO, "eps": eps},
            hand.adadelta_keras,
            {"lr": 1.0, "rho": RHO, "eps": eps},
        ),
        (
            "adadelta",
            "optax",
            {"lr": 1.0, "rho": RHO, "eps": eps},
            hand.adadelta_torch,
            {"lr": 1.0, "rho": RHO, "eps": eps},
        ),
        (
            "adadelta",
            "tf1",
            {"lr": 1.0, "rho": RHO, "eps": eps},
            hand.adadelta_torch,
            {"lr": 1.0, "rho": RHO, "eps": eps},
        ),
    ]
    for centered in (False, True):
        for momentum in (0.0, 0.7):
            ours = {"lr": LR, "rho": RHO, "eps": eps, "momentum": momentum, "centered": centered}
            CASES += [
                ("rmsprop", "pytorch", ours, hand.rmsprop_torch, ours),
                ("rmsprop", "keras", ours, hand.rmsprop_keras, ours),
                ("rmsprop", "optax", ours, hand.rmsprop_keras, ours),
                ("rmsprop", "tf1", ours, hand.rmsprop_tf1, ours),
            ]
    for amsgrad in (False, True):
        ours = {**ADAM_HP, "eps": eps, "amsgrad": amsgrad}
        CASES += [
            ("adam", "pytorch", ours, hand.adam_torch, ours),
            ("adam", "keras", ours, hand.adam_keras, ours),
            ("adam", "optax", ours, hand.adam_optax, ours),
        ]
    CASES += [
        ("adam", "tf1", {**ADAM_HP, "eps": eps}, hand.adam_keras, {**ADAM_HP, "eps": eps, "tf1_powers": True}),
        ("nadam", "pytorch", {**ADAM_HP, "eps": eps}, hand.nadam_torch, {**ADAM_HP, "eps": eps}),
        ("nadam", "keras", {**ADAM_HP, "eps": eps}, hand.nadam_keras, {**ADAM_HP, "eps": eps}),
        ("nadam", "optax", {**ADAM_HP, "eps": eps}, hand.nadam_optax, {**ADAM_HP, "eps": eps}),
    ]
CASES += [("adagrad", "tf1", {"lr": 0.3}, hand.adagrad_tf1, {"lr": 0.3})]
for name, extra in (("sgd", {}), ("momentum", {"momentum": 0.9}), ("nesterov", {"momentum": 0.9, "nesterov": True})):
    hp = {"lr": 0.05, **{k: v for k, v in extra.items() if k == "momentum"}}
    CASES += [
        (name, "pytorch", hp, hand.sgd_torch, {"lr": 0.05, **extra}),
        (name, "optax", hp, hand.sgd_torch, {"lr": 0.05, **extra}),
        (name, "keras", hp, hand.sgd_keras, {"lr": 0.05, **extra}),
        (name, "tf1", hp, hand.sgd_tf1, {"lr": 0.05, **extra}),
    ]


def _id(case):
    name, convention, hp, _, _ = case
    flags = "-".join(f"{k}={v:g}" for k, v in hp.items() if k in ("eps", "momentum") and v)
    flags += "-centered" if hp.get("centered") else ""
    flags += "-amsgrad" if hp.get("amsgrad") else ""
    return f"{name}-{convention}-{flags}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_first_steps_match_the_hand_written_formula(case):
    name, convention, hp, rule, rule_args = case
    traj = optim.run(name, optim_bowl(), START, N, convention=convention, **hp)
    expect_x = hand.steps(rule(**rule_args), lambda x: x, START[0], N)
    expect_y = hand.steps(rule(**rule_args), lambda y: KAPPA * y, START[1], N)
    np.testing.assert_allclose(traj.xy[:, 0], expect_x, rtol=2e-15, atol=0)
    np.testing.assert_allclose(traj.xy[:, 1], expect_y, rtol=2e-15, atol=0)


def optim_bowl():
    import landscapes

    return landscapes.get("bowl", condition=KAPPA, angle=0.0)


def test_every_convention_is_covered():
    covered = {(name, conv) for name, conv, *_ in CASES}
    for name in optim.names():
        for conv in optim.CONVENTIONS:
            if optim.get(name).supports(conv):
                assert (name, conv) in covered, (name, conv)


def test_keras_docstring_example():
    # keras.optimizers.RMSprop docstring: lr=0.1, var=10, loss=var**2/2, one step -> 9.683772
    traj = optim.run("rmsprop", optim_bowl(), (10.0, 0.0), 1, convention="keras", lr=0.1, rho=0.9, eps=1e-7)
    assert traj.xy[1, 0] == pytest.approx(9.683772235564302, rel=1e-15)


@pytest.mark.parametrize("rho, factor", [(0.9, 1 / math.sqrt(0.1)), (0.99, 10.0), (0.999, 1 / math.sqrt(0.001))])
def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_rho(rho, factor):
    # From a zero mean square the first step is lr * sign(g) / sqrt(1 - rho): the initialisation bias.
    traj = optim.run("rmsprop", optim_bowl(), START, 1, lr=1e-3, rho=rho, eps=1e-12)
    step = START[0] - traj.xy[1, 0]
    assert step == pytest.approx(1e-3 * factor, rel=1e-8)


def test_adam_first_step_is_about_lr():
    traj = optim.run("adam", optim_bowl(), START, 1, lr=1e-3)
    assert np.abs(np.subtract(START, traj.xy[1])) == pytest.approx([1e-3, 1e-3], rel=1e-6)


def test_tf1_rmsprop_starts_like_sgd():
    # TF1's mean square starts at 1: step 1 is lr * g / sqrt(0.9 + 0.1 g^2 + eps).
    g = START[0]
    traj = optim.run("rmsprop", optim_bowl(), START, 1, convention="tf1", lr=1e-3, rho=0.9, eps=1e-10)
    assert START[0] - traj.xy[1, 0] == pytest.approx(1e-3 * g / math.sqrt(0.9 + 0.1 * g * g + 1e-10), rel=1e-14)


def test_effective_lr_is_lr_over_denominator():
    traj = optim.run("rmsprop", optim_bowl(), START, 1, lr=0.01, rho=0.9, eps=1e-8)
    g = np.array([START[0], KAPPA * START[1]])
    np.testing.assert_allclose(traj.effective_lr[0], 0.01 / (np.sqrt(0.1 * g * g) + 1e-8), rtol=1e-15)
    sgd = optim.run("sgd", optim_bowl(), START, 3, lr=0.02)
    np.testing.assert_array_equal(sgd.effective_lr, 0.02)
