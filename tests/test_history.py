"""optim.history: each adaptive optimizer's accumulators over a run, checked against the step inspector and the run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
import optim
from optim.history import accumulator_history, fields, trajectory_history

CONVENTIONS = list(optim.CONVENTIONS)
OPTIONS = {
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.5}],
    "adam": [{}, {"amsgrad": True}],
}
CASES = [
    (name, conv, extra)
    for name in ("adagrad", "rmsprop", "adam", "nadam", "adadelta")
    for conv in CONVENTIONS
    if optim.get(name).supports(conv)
    for extra in OPTIONS.get(name, [{}])
    if not (conv == "tf1" and extra.get("amsgrad"))
]
NOISE, SEED, STEPS = 0.05, 3, 40
SCHEDULE = optim.Schedule.make("cosine", T=30, floor=0.1, warmup=5, warmup_start=0.2)


@pytest.mark.parametrize(("name", "conv", "extra"), CASES)
def test_history_is_the_state_the_inspector_sees(name, conv, extra):
    """Row t is the state after t updates, bit for bit the inspector's, with noise and a schedule."""
    surface = landscapes.get("rosenbrock")
    traj = optim.run(name, surface, steps=STEPS, convention=conv, noise=NOISE, seed=SEED, schedule=SCHEDULE, **extra)
    history = trajectory_history(traj, surface, NOISE, SEED)
    assert history is not None and history.optimizer == name and history.convention == conv
    assert history.grad_sq.shape == (STEPS, 2)
    stored = [s for s in history.series if s.key != "v_hat"]
    assert stored
    for k in (0, 1, 17, STEPS - 1):
        detail = optim.inspect_step(name, surface, None, k, conv, NOISE, SEED, schedule=SCHEDULE, **extra)
        for series in stored:
            assert series.values.shape == (STEPS + 1, 2)
            np.testing.assert_array_equal(series.values[k], detail.state_before[series.key], err_msg=series.key)
            np.testing.assert_array_equal(series.values[k + 1], detail.state_after[series.key], err_msg=series.key)
        np.testing.assert_array_equal(history.grad_sq[k], detail.grad * detail.grad)


def test_each_optimizer_shows_its_own_accumulators():
    surface = landscapes.get("bowl")

    def keys(name, conv="pytorch", **hp):
        traj = optim.run(name, surface, steps=5, convention=conv, **hp)
        history = trajectory_history(traj, surface)
        return None if history is None else history.keys()

    assert keys("rmsprop") == ("mean_sq",)
    assert keys("rmsprop", centered=True) == ("mean_sq", "mean_grad")
    assert keys("adagrad") == ("sum_sq",)
    assert keys("adam") == ("m", "v", "v_hat")
    assert keys("adam", amsgrad=True) == ("m", "v", "v_hat", "v_max")
    assert keys("nadam") == ("m", "v", "v_hat")
    assert keys("adadelta") == ("mean_sq_grad", "mean_sq_step")
    for name in ("sgd", "momentum", "nesterov"):
        for conv in CONVENTIONS:
            assert keys(name, conv) is None
            assert fields(name, conv, {}) == ()


@pytest.mark.parametrize(
    ("name", "conv", "key", "start"),
    [
        ("rmsprop", "pytorch", "mean_sq", 0.0),
        ("rmsprop", "keras", "mean_sq", 0.0),
        ("rmsprop", "optax", "mean_sq", 0.0),
        ("rmsprop", "tf1", "mean_sq", 1.0),  # TF1's mean square starts at 1
        ("adagrad", "pytorch", "sum_sq", 0.0),
        ("adagrad", "keras", "sum_sq", 0.1),
        ("adagrad", "optax", "sum_sq", 0.1),
        ("adagrad", "tf1", "sum_sq", 0.1),
    ],
)
def test_row_zero_is_where_the_framework_starts_the_accumulator(name, conv, key, start):
    surface = landscapes.get("bowl")
    traj = optim.run(name, surface, steps=3, convention=conv)
    history = trajectory_history(traj, surface)
    assert (history[key].values[0] == start).all()
    g2 = history.grad_sq[0]
    if name == "rmsprop":  # v_1 = rho v_0 + (1 - rho) g_1^2
        np.testing.assert_allclose(history[key].values[1], 0.9 * start + 0.1 * g2, rtol=1e-15)
    else:  # s_1 = s_0 + g_1^2
        np.testing.assert_allclose(history[key].values[1], start + g2, rtol=1e-15)


@pytest.mark.parametrize("conv", CONVENTIONS)
def test_history_reproduces_the_runs_effective_learning_rate(conv):
    """The run's drawn effective lr, rebuilt from the recorded accumulators with the rule's own denominator."""
    surface = landscapes.get("rosenbrock")
    lr, eps = 0.003, 1e-6
    traj = optim.run("rmsprop", surface, steps=200, convention=conv, lr=lr, eps=eps, noise=0.1, seed=1)
    v = trajectory_history(traj, surface, 0.1, 1)["mean_sq"].values[1:]
    den = np.sqrt(v) + eps if conv == "pytorch" else np.sqrt(v + eps)
    np.testing.assert_array_equal(lr / den, traj.effective_lr)


def test_bias_corrected_second_moment():
    surface = landscapes.get("bowl")
    b2 = 0.99
    traj = optim.run("adam", surface, steps=30, convention="optax", beta2=b2)
    history = trajectory_history(traj, surface)
    v, v_hat = history["v"].values, history["v_hat"].values
    assert np.isnan(v_hat[0]).all()  # undefined before the first update
    t = np.arange(1, 31)[:, None]
    np.testing.assert_allclose(v_hat[1:], v[1:] / (1 - b2**t), rtol=1e-14)
    np.testing.assert_allclose(v_hat[1], history.grad_sq[0], rtol=1e-15)  # v̂_1 = g_1^2: the zero start undone
    # Optax divides by exactly this v̂: the rule's effective lr is lr / ((1 - b1^t)(sqrt(v̂) + eps)).
    bc1 = 1 - 0.9**t
    np.testing.assert_allclose(traj.effective_lr, 0.05 / (bc1 * (np.sqrt(v_hat[1:]) + 1e-8)), rtol=1e-14)


def test_a_diverged_run_has_no_states_after_it_left():
    surface = landscapes.get("bowl")
    traj = optim.run("rmsprop", surface, steps=50, lr=200.0)
    assert traj.diverged_at is not None
    d = traj.diverged_at
    history = trajectory_history(traj, surface)
    v = history["mean_sq"].values
    assert np.isfinite(v[:d]).all() and np.isnan(v[d:]).all()
    assert np.isfinite(history.grad_sq[: d - 1]).all() and np.isnan(history.grad_sq[d - 1 :]).all()


def test_a_batched_run_is_refused():
    surface = landscapes.get("bowl")
    batch = optim.run("rmsprop", surface, steps=5, lr=np.array([0.01, 0.02]))
    with pytest.raises(ValueError, match="one run"):
        accumulator_history("rmsprop", surface, batch.xy)
    with pytest.raises(ValueError, match="scalar"):
        accumulator_history("rmsprop", surface, batch.xy[:, 0], lr=np.array([0.01, 0.02]))


def test_a_custom_surface_and_zero_steps():
    surface = landscapes.get("custom", expr="sin(x)*cos(y)+0.1*x**2", xmin=-4, xmax=4, ymin=-4, ymax=4)
    traj = optim.run("adadelta", surface, steps=60, noise=0.2, seed=4)
    history = trajectory_history(traj, surface, 0.2, 4)
    detail = optim.inspect_step("adadelta", surface, None, 59, noise=0.2, seed=4)
    np.testing.assert_array_equal(history["mean_sq_step"].values[60], detail.state_after["mean_sq_step"])
    empty = trajectory_history(optim.run("adagrad", surface, steps=0), surface)
    assert empty["sum_sq"].values.shape == (1, 2) and empty.grad_sq.shape == (0, 2)


ADAPTIVE = [(n, c) for n in ("adagrad", "rmsprop", "adam", "nadam", "adadelta") for c in CONVENTIONS
            if optim.get(n).supports(c)]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ADAPTIVE),
    st.sampled_from(["bowl", "rosenbrock", "saddle", "beale", "rastrigin"]),
    st.floats(1e-5, 1e3),
    st.sampled_from([0.0, 1e-12, 1e-3, 1.0]),
    st.sampled_from([0.0, 0.5, 0.99, 1.0]),
    st.booleans(),
    st.sampled_from([0.0, 0.5]),
)
def test_extreme_settings_never_raise_or_warn(pair, surface_name, lr, eps, rho, flag, noise):
    name, conv = pair
    names = {p.name for p in optim.get(name).hyperparams}
    hp = {"lr": lr, "eps": eps, "rho": rho, "centered": flag, "amsgrad": flag and conv != "tf1", "beta1": rho * 0.9999}
    hp = {k: v for k, v in hp.items() if k in names}
    surface = landscapes.get(surface_name)
    traj = optim.run(name, surface, (0.0, 0.0) if flag else None, 40, conv, noise=noise, seed=1, **hp)
    history = trajectory_history(traj, surface, noise, 1)
    for series in history.series:
        values = series.values[~np.isnan(series.values)]
        assert np.isfinite(values).all()
    assert not np.isinf(history.grad_sq).any()
    assert math.isfinite(float(np.nansum(np.abs(history.grad_sq))))
