"""optim.denominator: eps vs the accumulator's term, checked against inspect_step and the recorded runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optim
from optim.denominator import denominator_terms, has_eps_denominator, trajectory_terms

CONVENTIONS = list(optim.CONVENTIONS)
ADAPTIVE = ["adagrad", "rmsprop", "adam", "nadam", "adadelta"]
OPTIONS = {"rmsprop": [{}, {"centered": True}, {"momentum": 0.5}], "adam": [{}, {"amsgrad": True}]}
CASES = [
    (name, conv, extra)
    for name in ADAPTIVE
    for conv in CONVENTIONS
    if optim.get(name).supports(conv) and has_eps_denominator(name, conv)
    for extra in OPTIONS.get(name, [{}])
    if not (conv == "tf1" and extra.get("amsgrad"))
]
NOISE, SEED, STEPS = 0.05, 3, 40


def _denominator_from_inspector(name: str, conv: str, hp: dict, detail: optim.StepDetail) -> np.ndarray:
    """The denominator the rule divided by at this step, recovered from the inspector's effective lr."""
    values = optim.get(name).validate(hp, conv)
    lr, t, eff = values["lr"], detail.count, detail.effective_lr
    if name == "adam":
        b1, b2 = values["beta1"], values["beta2"]
        if conv == "pytorch":
            return lr / (1 - b1**t) / eff
        if conv == "optax":
            return lr / ((1 - b1**t) * eff)
        if conv == "tf1":  # TF1 keeps beta^t in float32, by repeated multiplication
            p1, p2 = np.float32(1.0), np.float32(1.0)
            for _ in range(t):
                p1, p2 = p1 * np.float32(b1), p2 * np.float32(b2)
            b1t, b2t = float(p1), float(p2)
        else:
            b1t, b2t = b1**t, b2**t
        return lr * math.sqrt(1 - b2t) / (1 - b1t) / eff
    if name == "adadelta":
        return lr * np.sqrt(detail.state_before["mean_sq_step"] + values["eps"]) / eff
    return lr / eff


@pytest.mark.parametrize(("name", "conv", "extra"), CASES)
def test_terms_agree_with_inspect_step(name, conv, extra):
    surface = landscapes.get("rosenbrock")
    hp = {"eps": 1e-3, **extra}
    traj = optim.run(name, surface, steps=STEPS, convention=conv, noise=NOISE, seed=SEED, **hp)
    terms = trajectory_terms(traj, surface, NOISE, SEED)
    assert terms is not None and terms.accumulator.shape == (STEPS, 2)
    for k in (0, 7, STEPS - 1):
        detail = optim.inspect_step(name, surface, None, k, conv, NOISE, SEED, **hp)
        np.testing.assert_allclose(
            terms.denominator()[k], _denominator_from_inspector(name, conv, hp, detail), rtol=1e-12
        )
        after = detail.state_after
        if name == "rmsprop" and not extra.get("centered"):
            expected = after["mean_sq"]
        elif name == "rmsprop":
            expected = after["mean_sq"] - after["mean_grad"] ** 2
        elif name == "adagrad":
            expected = after["sum_sq"]
        elif name == "adadelta":
            expected = after["mean_sq_grad"]
        else:
            v = after["v_max"] if extra.get("amsgrad") else after["v"]
            corrected = conv in ("pytorch", "optax") or name == "nadam"
            if corrected and not (conv == "optax" and extra.get("amsgrad")):
                v = v / (1 - 0.999**detail.count)
            expected = v
        under_root = terms.accumulator[k] ** 2 if terms.placement == "outside" else terms.accumulator[k]
        np.testing.assert_allclose(under_root, expected, rtol=1e-12)
        np.testing.assert_array_equal(terms.eps[k], [1e-3, 1e-3])


def test_placement_follows_the_rule():
    assert denominator_terms("rmsprop", "bowl", np.zeros((3, 2)) + 1, "pytorch").placement == "outside"
    assert denominator_terms("rmsprop", "bowl", np.zeros((3, 2)) + 1, "keras").placement == "inside"
    assert denominator_terms("adam", "bowl", np.zeros((3, 2)) + 1, "keras").symbol == "√v"
    assert denominator_terms("adam", "bowl", np.zeros((3, 2)) + 1, "pytorch").symbol == "√v̂"
    assert denominator_terms("adadelta", "bowl", np.zeros((3, 2)) + 1, "tf1").placement == "inside"
    for name in ("sgd", "momentum", "nesterov"):
        assert not has_eps_denominator(name, "pytorch")
        assert denominator_terms(name, "bowl", np.zeros((3, 2)) + 1) is None
    assert not has_eps_denominator("adagrad", "tf1")  # TF1's Adagrad has no eps
    assert not has_eps_denominator("nadam", "tf1")  # and no Nadam


def test_eps_dominates_late_on_a_mild_bowl_only_when_eps_is_large():
    bowl = landscapes.get("bowl", condition=4)
    big = trajectory_terms(optim.run("rmsprop", bowl, steps=300, lr=0.01, eps=3e-2), bowl)
    small = trajectory_terms(optim.run("rmsprop", bowl, steps=300, lr=0.01, eps=1e-8), bowl)
    assert not small.eps_dominates.any()
    assert not big.eps_dominates[:150].any()  # early on the gradients are large
    assert big.eps_dominates[-60:].all()  # late, near the minimum, eps takes over on both axes


def test_batched_terms_equal_single_runs_and_stop_at_divergence():
    seeds = np.arange(4)
    lrs = np.array([0.01, 0.02, 0.05, 10.0])  # the last one diverges
    batch = optim.run("adam", "rosenbrock", steps=60, noise=0.1, seed=seeds, lr=lrs)
    terms = trajectory_terms(batch, "rosenbrock", 0.1, seeds)
    assert terms.accumulator.shape == (60, 4, 2)
    for i in range(4):
        one = optim.run("adam", "rosenbrock", steps=60, noise=0.1, seed=int(seeds[i]), lr=float(lrs[i]))
        single = trajectory_terms(one, "rosenbrock", 0.1, int(seeds[i]))
        np.testing.assert_allclose(terms.accumulator[:, i], single.accumulator, rtol=1e-13, equal_nan=True)
    stopped = batch.diverged_at[3]
    assert stopped > 0
    assert np.isnan(terms.accumulator[stopped - 1 :, 3]).all()
    assert np.isfinite(terms.accumulator[: stopped - 1, 3]).all()
    assert not terms.eps_dominates[stopped - 1 :, 3].any()


def test_eps_zero_and_custom_surfaces_give_finite_terms():
    custom = landscapes.get("custom", expr="x**2 + 10*y**2", xmin=-2.0, xmax=2.0, ymin=-2.0, ymax=2.0)
    for conv in CONVENTIONS:
        traj = optim.run("rmsprop", custom, steps=30, convention=conv, eps=0.0)
        terms = trajectory_terms(traj, custom)
        assert np.isfinite(terms.accumulator).all()
        assert not terms.eps_dominates.any()


@pytest.mark.parametrize("name", ["rmsprop", "adam", "adadelta"])
def test_a_learning_rate_schedule_changes_the_path_not_the_recipe(name):
    """The replay follows the recorded iterates, so a scheduled run's terms match the inspector too."""
    traj = optim.run(name, "rosenbrock", steps=30, noise=NOISE, seed=SEED, schedule="exponential", eps=1e-3)
    terms = trajectory_terms(traj, "rosenbrock", NOISE, SEED)
    detail = optim.inspect_step(name, "rosenbrock", None, 29, "pytorch", NOISE, SEED, schedule="exponential", eps=1e-3)
    field = {"rmsprop": "mean_sq", "adam": "v", "adadelta": "mean_sq_grad"}[name]
    under_root = terms.accumulator[29] ** 2 if terms.placement == "outside" else terms.accumulator[29]
    if name == "adam":
        under_root = under_root * (1 - 0.999**detail.count)
    np.testing.assert_allclose(under_root, detail.state_after[field], rtol=1e-12)


@pytest.mark.parametrize(("name", "conv", "extra"), CASES)
@pytest.mark.parametrize("surface", ["rosenbrock", "saddle"])
def test_terms_read_while_the_run_steps_are_the_replayed_ones(name, conv, extra, surface):
    """``run_with_terms`` reads the denominator's terms while the run steps (the Playground's runs): the run is
    exactly ``run``'s, and the terms exactly ``denominator_terms``' replay of it, with noise and a schedule, for
    runs that stay, diverge (lr 50) or leave the box."""
    from optim.denominator import run_with_terms

    land = landscapes.get(surface)
    for noise, schedule, lr in [(0.0, None, 0.01), (NOISE, "cosine", 0.01), (0.0, None, 50.0), (NOISE, None, 3.0)]:
        hp = {**extra, "lr": lr}
        traj, terms = run_with_terms(name, land, None, STEPS * 3, conv, noise, SEED, schedule, **hp)
        assert traj.read is not None  # read while stepping, not replayed
        ref = optim.run(name, land, None, STEPS * 3, conv, noise, SEED, schedule=schedule, **hp)
        assert np.array_equal(traj.xy, ref.xy, equal_nan=True) and traj.diverged_at == ref.diverged_at
        want = denominator_terms(name, land, ref.xy, conv, noise, SEED, ref.diverged_at, **hp)
        assert np.array_equal(terms.accumulator, want.accumulator, equal_nan=True)
        assert np.array_equal(terms.eps, want.eps) and (terms.placement, terms.symbol) == (want.placement, want.symbol)


def test_terms_of_a_rule_without_eps_are_none_and_a_batched_run_replays():
    from optim.denominator import run_with_terms

    traj, terms = run_with_terms("sgd", "bowl", None, 30)
    assert terms is None and traj.read is None
    traj, terms = run_with_terms("rmsprop", "bowl", np.array([[0.5, 0.5], [1.0, -1.0]]), 30)  # two runs: arrays
    want = denominator_terms("rmsprop", "bowl", traj.xy, "pytorch", 0.0, 0, traj.diverged_at)
    assert traj.read is None and np.array_equal(terms.accumulator, want.accumulator, equal_nan=True)
