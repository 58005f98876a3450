"""optim.run / run_many / sweep: shapes, batching, divergence, noise, robustness, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes
import optim

OPTIMIZERS = optim.names()
CONVENTIONS = list(optim.CONVENTIONS)


def supported(name):
    return [c for c in CONVENTIONS if optim.get(name).supports(c)]


PAIRS = [(n, c) for n in OPTIMIZERS for c in supported(n)]


def test_public_names_resolve():
    assert set(OPTIMIZERS) >= {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adadelta", "nadam"}
    for name in OPTIMIZERS:
        opt = optim.get(name)
        assert opt.name == name and opt.label and opt.summary
        assert {p.name for p in opt.hyperparams} >= {"lr"}
        for conv in supported(name):
            rule = opt.rule(conv)
            assert rule.api and rule.arg_names["lr"]
    for name in landscapes.names():
        assert landscapes.get(name).name == name
    for attr in ("run", "run_many", "sweep", "names", "get", "CONVENTIONS", "Trajectory", "SweepResult"):
        assert hasattr(optim, attr)


def test_hyperparameters_are_described_once():
    for name in OPTIMIZERS:
        for p in optim.get(name).hyperparams:
            assert p.label and p.help
            if p.kind == "float":
                low, high = p.slider_range
                assert p.low <= low < high <= p.high
                assert p.validate(p.default) == p.default
    assert optim.get("rmsprop").param("lr").slider_range == (1e-5, 10.0)
    assert optim.get("rmsprop").param("eps").slider_range == (1e-12, 1.0)


def test_single_run_shapes():
    t = optim.run("rmsprop", "rosenbrock", steps=50)
    assert t.xy.shape == (51, 2) and t.loss.shape == (51,) and t.effective_lr.shape == (50, 2)
    assert t.diverged_at is None
    np.testing.assert_array_equal(t.xy[0], landscapes.get("rosenbrock").start)
    np.testing.assert_allclose(t.loss, landscapes.get("rosenbrock").value(t.xy))


def test_batched_shapes_from_starts_and_from_hyperparameters():
    t = optim.run("adam", "bowl", np.zeros((3, 2)) + [1.0, 1.0], steps=7)
    assert t.xy.shape == (8, 3, 2) and t.loss.shape == (8, 3) and t.effective_lr.shape == (7, 3, 2)
    assert t.diverged_at.dtype.kind == "i" and (t.diverged_at == -1).all()
    t = optim.run("rmsprop", "bowl", steps=5, lr=np.array([0.1, 0.01]))
    assert t.xy.shape == (6, 2, 2)
    with pytest.raises(ValueError, match="disagree in length"):
        optim.run("rmsprop", "bowl", np.zeros((3, 2)), steps=5, lr=np.array([0.1, 0.01]))


@st.composite
def configurations(draw, batch):
    name, convention = draw(st.sampled_from(PAIRS))
    opt = optim.get(name)
    hp = {}
    for p in opt.hyperparams:
        if p.kind == "bool":
            hp[p.name] = draw(st.booleans()) and p.name not in opt.rule(convention).unsupported
        elif p.name == "lr":
            hp[p.name] = 10 ** draw(st.lists(st.floats(-4, 0.5), min_size=batch, max_size=batch).map(np.array))
        else:
            low, high = p.slider_range
            hp[p.name] = np.array(draw(st.lists(st.floats(low, high), min_size=batch, max_size=batch)))
    return name, convention, hp


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda b: st.tuples(st.just(b), configurations(b))), st.sampled_from(landscapes.names())
)
def test_batched_equals_one_by_one(batch_and_config, surface_name):
    batch, (name, convention, hp) = batch_and_config
    surface = landscapes.get(surface_name)
    rng = np.random.default_rng(batch)
    (x0, x1), (y0, y1) = surface.domain
    starts = np.stack([rng.uniform(x0, x1, batch), rng.uniform(y0, y1, batch)], -1)
    together = optim.run(name, surface, starts, 12, convention=convention, **hp)
    for i in range(batch):
        alone = optim.run(
            name, surface, starts[i : i + 1], 12, convention=convention,
            **{k: v[i : i + 1] if isinstance(v, np.ndarray) else v for k, v in hp.items()},
        )  # fmt: skip
        np.testing.assert_allclose(together.xy[:, i], alone.xy[:, 0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(together.effective_lr[:, i], alone.effective_lr[:, 0], rtol=1e-12, atol=0)
        assert together.diverged_at[i] == alone.diverged_at[0]


def test_scalar_and_array_hyperparameters_agree():
    for name, convention in PAIRS:
        scalar = optim.run(name, "rosenbrock", steps=20, convention=convention, lr=0.002)
        array = optim.run(name, "rosenbrock", steps=20, convention=convention, lr=np.array([0.002]))
        np.testing.assert_allclose(array.xy[:, 0], scalar.xy, rtol=1e-13, err_msg=f"{name}/{convention}")


def test_run_many_equals_separate_runs():
    entries = [("sgd", {"lr": 1e-3}), ("rmsprop", {"lr": 1e-2, "centered": True}), ("adam", {"lr": 0.05})]
    together = optim.run_many(entries, "rosenbrock", steps=300, noise=0.5, seed=3)
    for (name, hp), traj in zip(entries, together, strict=True):
        alone = optim.run(name, "rosenbrock", steps=300, noise=0.5, seed=3, **hp)
        np.testing.assert_array_equal(traj.xy, alone.xy)
        np.testing.assert_array_equal(traj.effective_lr, alone.effective_lr)
        assert traj.optimizer == name


# ----------------------------------------------------------------------------- robustness

extreme_hp = st.fixed_dictionaries(
    {
        "lr": st.sampled_from([1e-8, 1e-3, 1.0, 10.0, 1e3]),
        "eps": st.sampled_from([0.0, 1e-300, 1e-12, 1e-8, 1.0]),
        "rho": st.sampled_from([0.0, 0.5, 0.999, 1.0]),
        "momentum": st.sampled_from([0.0, 0.9, 1.0]),
        "beta1": st.sampled_from([0.0, 0.9, 0.9999]),
        "beta2": st.sampled_from([0.0, 0.999, 0.99999]),
    }
)


def _stationary_or_story_starts(surface):
    points = [surface.start, (0.0, 0.0)]
    points += [tuple(m) for m in surface.minima] + [tuple(m) for m in surface.local_minima]
    return np.array(points)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PAIRS), st.sampled_from(landscapes.names()), extreme_hp, st.booleans())
def test_extreme_settings_never_raise_warn_or_leak_non_finite_values(pair, surface_name, hp, noisy):
    name, convention = pair
    opt = optim.get(name)
    hp = {k: v for k, v in hp.items() if k in {p.name for p in opt.hyperparams}}
    surface = landscapes.get(surface_name)
    starts = _stationary_or_story_starts(surface)
    with np.errstate(all="raise"):  # nothing may leak out of the core's own errstate
        t = optim.run(name, surface, starts, 60, convention=convention, noise=0.3 if noisy else 0.0, **hp)
        s = optim.sweep(name, surface, starts, 60, convention=convention, noise=0.3 if noisy else 0.0, **hp)
    for arr in (t.xy, t.loss, t.effective_lr, s.final_xy, s.final_loss):
        assert np.isfinite(arr).all()
    np.testing.assert_array_equal(s.diverged_at, t.diverged_at)
    (x0, x1), (y0, y1) = surface.bounds
    assert ((t.xy[..., 0] >= x0) & (t.xy[..., 0] <= x1) & (t.xy[..., 1] >= y0) & (t.xy[..., 1] <= y1)).all()


def test_zero_eps_and_zero_gradient_is_a_zero_step():
    for name, convention in PAIRS:
        opt = optim.get(name)
        if "eps" not in {p.name for p in opt.hyperparams}:
            continue
        t = optim.run(name, "bowl", (0.0, 0.0), 10, convention=convention, eps=0.0)
        np.testing.assert_array_equal(t.xy, 0.0, err_msg=f"{name}/{convention}")
        assert t.diverged_at is None
        assert np.isfinite(t.effective_lr).all()


def test_divergence_freezes_the_run_at_its_last_good_point():
    t = optim.run("sgd", "rosenbrock", steps=100, lr=10.0)
    k = t.diverged_at
    assert k is not None and 1 <= k <= 3
    np.testing.assert_array_equal(t.xy[k:], np.broadcast_to(t.xy[k - 1], t.xy[k:].shape))
    assert (t.effective_lr[k:] == 0).all()
    assert np.isfinite(t.loss).all()
    stable = optim.run("sgd", "rosenbrock", steps=100, lr=1e-3)
    assert stable.diverged_at is None


def test_a_huge_learning_rate_diverges_for_every_optimizer_without_nan():
    for name, convention in PAIRS:
        t = optim.run(name, "rosenbrock", steps=200, convention=convention, lr=1e3)
        assert np.isfinite(t.xy).all() and np.isfinite(t.loss).all()


def test_noise_is_seeded():
    a = optim.run("adam", "saddle", steps=50, noise=0.1, seed=1)
    b = optim.run("adam", "saddle", steps=50, noise=0.1, seed=1)
    c = optim.run("adam", "saddle", steps=50, noise=0.1, seed=2)
    np.testing.assert_array_equal(a.xy, b.xy)
    assert not np.array_equal(a.xy, c.xy)
    quiet = optim.run("sgd", "saddle", (1.0, 0.0), 50, lr=0.05)
    noisy = optim.run("sgd", "saddle", (1.0, 0.0), 50, lr=0.05, noise=0.01)
    assert quiet.xy[-1, 1] == 0.0  # on the stable manifold forever
    assert abs(noisy.xy[-1, 1]) > 1e-3  # noise pushes it off
    seeds = optim.run("sgd", "saddle", (1.0, 0.0), 20, lr=0.05, noise=0.01, seed=np.array([1, 2, 1]))
    np.testing.assert_array_equal(seeds.xy[:, 0], seeds.xy[:, 2])
    assert not np.array_equal(seeds.xy[:, 0], seeds.xy[:, 1])


# ----------------------------------------------------------------------------- sweep


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(PAIRS), st.sampled_from(["rosenbrock", "bowl", "himmelblau", "saddle"]), st.integers(0, 2**16))
def test_sweep_agrees_with_run_at_every_cell(pair, surface_name, seed):
    name, convention = pair
    rng = np.random.default_rng(seed)
    lr = 10 ** rng.uniform(-3.5, 0.7, 40)
    surface = landscapes.get(surface_name)
    t = optim.run(name, surface, steps=150, convention=convention, lr=lr)
    s = optim.sweep(name, surface, steps=150, tol=1e-3, convention=convention, lr=lr)
    np.testing.assert_array_equal(s.diverged_at, t.diverged_at)
    np.testing.assert_array_equal(s.final_xy, t.xy[-1])
    np.testing.assert_array_equal(s.final_loss, t.loss[-1])
    if surface.min_value is None:
        assert (s.steps_to_tol == -1).all()
    else:
        below = t.loss - surface.min_value < 1e-3
        expect = np.where(below.any(0), below.argmax(0), -1)
        np.testing.assert_array_equal(s.steps_to_tol, expect)


def test_sweep_chunks_and_compaction_do_not_change_results(monkeypatch):
    from optim import runner

    lr = np.geomspace(1e-4, 30.0, 101)
    rho = np.linspace(0.0, 1.0, 101)
    full = optim.sweep("rmsprop", "rosenbrock", steps=200, lr=lr, rho=rho)
    monkeypatch.setattr(runner, "SWEEP_CHUNK", 7)
    chunked = optim.sweep("rmsprop", "rosenbrock", steps=200, lr=lr, rho=rho)
    for field in ("final_xy", "final_loss", "steps_to_tol", "diverged_at"):
        np.testing.assert_array_equal(getattr(chunked, field), getattr(full, field))
    assert (full.diverged_at > 0).any() and (full.diverged_at == -1).any()


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"optimizer": "adamw"}, "known optimizers: sgd"),
        ({"landscape": "moon"}, "known surfaces"),
        ({"convention": "jax"}, "known conventions: pytorch"),
        ({"steps": -1}, "steps must be between"),
        ({"steps": 10**9}, "steps must be between"),
        ({"steps": 2.5}, "whole number"),
        ({"lr": 0.0}, "lr must be greater than 0"),
        ({"lr": -1.0}, "lr must be greater than 0"),
        ({"lr": "fast"}, "lr must be a number"),
        ({"rho": 1.5}, "rho must be at least 0 and at most 1"),
        ({"eps": float("nan")}, "eps must be"),
        ({"centered": 1}, "centered must be True or False"),
        ({"momentum_decay": 0.1}, "unknown hyperparameter"),
        ({"start": (1.0, 2.0, 3.0)}, "shape"),
        ({"start": (1e6, 0.0)}, "outside the region"),
        ({"start": (float("nan"), 0.0)}, "outside the region"),
        ({"noise": -1.0}, "noise must be"),
        ({"seed": 1.5}, "seed must be"),
        ({"lr": np.ones((2, 2))}, "1-D"),
        ({"convention": "tf1", "optimizer": "nadam"}, "TF1 .* has no Nadam"),
        ({"convention": "tf1", "optimizer": "adam", "amsgrad": True}, "no AMSGrad"),
    ],
)
def test_invalid_arguments_raise_value_errors_a_user_understands(kwargs, match):
    args = {"optimizer": "rmsprop", "landscape": "rosenbrock", "steps": 10} | kwargs
    if args["optimizer"] == "adam":
        args.pop("rho", None)
    with pytest.raises(ValueError, match=match):
        optim.run(**args)


def test_sweep_validates_tol():
    with pytest.raises(ValueError, match="tol must be a positive number"):
        optim.sweep("rmsprop", "rosenbrock", steps=10, tol=0)


def test_run_refuses_to_keep_absurd_trajectories():
    with pytest.raises(ValueError, match="use sweep"):
        optim.run("sgd", "bowl", steps=100_000, lr=np.full(1000, 0.01))


def test_unbatched_diverged_at_is_an_int_or_none():
    t = optim.run("sgd", "rosenbrock", steps=10, lr=10.0)
    assert isinstance(t.diverged_at, int)
