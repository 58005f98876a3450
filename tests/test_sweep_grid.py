"""The sweep grid and the lr search: every cell equals a single optim.run (exactly), chunking
changes nothing, and the best-run rules (diverged out, ties, passing through the tolerance)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import landscapes
import optim
from analysis import tuning
from views.sweep import grid as sweep_grid
from views.sweep.settings import Axis, SweepSettings


def grid_of(job, surface) -> sweep_grid.Grid:
    parts = [sweep_grid.run_chunk(job, surface, a, b) for a, b in sweep_grid.chunks(job)]
    return sweep_grid.Grid.combine(job, parts, surface.min_value)


def single_run(job, surface, i, j):
    """One run of cell (i, j). The axis values go in as 1-element arrays: the core computes
    powers of scalar hyperparameters with libm (as PyTorch does) and of arrays with NumPy, which
    can differ in the last bit (see test_scalar_hyperparameters_agree_to_round_off)."""
    axes = {job.x.name} | ({job.y.name} if job.y else set())
    hp = {k: np.array([v]) if k in axes else v for k, v in job.cell_hp(i, j).items()}
    batched = optim.run(job.optimizer, surface, job.start, job.steps, convention=job.convention, **hp)
    traj = optim.Trajectory(batched.xy[:, 0], batched.loss[:, 0], batched.effective_lr[:, 0], batched.diverged_at[0])
    reached = np.flatnonzero(traj.loss < surface.min_value + job.tol) if surface.min_value is not None else []
    return traj, (int(reached[0]) if len(reached) else -1)


@pytest.mark.parametrize(
    "surface_name, optimizer, convention, steps",
    [
        ("rosenbrock", "rmsprop", "pytorch", 300),
        ("bowl", "adam", "keras", 150),
        ("himmelblau", "momentum", "optax", 100),
        ("beale", "adadelta", "tf1", 80),
    ],
)
def test_cells_equal_single_runs_exactly(monkeypatch, surface_name, optimizer, convention, steps):
    monkeypatch.setattr(sweep_grid, "CHUNK", 97)  # several chunks, boundaries inside rows
    settings = SweepSettings.default(surface_name, optimizer)
    job = replace(settings.job, convention=convention, steps=steps, x=replace(settings.job.x, count=23, high=3.0))
    job = replace(job, y=replace(job.y, count=17))
    surface = landscapes.get(job.surface, **dict(job.surface_params))
    grid = grid_of(job, surface)
    assert grid.final_loss.shape == (17, 23)
    assert not grid.diverged.all()
    if surface_name == "rosenbrock":
        assert grid.diverged.any()  # the range crosses the divergence edge
    rng = np.random.default_rng(0)
    cells = [(0, 0), (22, 16), (22, 0)] + [tuple(rng.integers((23, 17))) for _ in range(12)]
    for i, j in cells:
        traj, reached = single_run(job, surface, i, j)
        assert grid.final_loss[j, i] == traj.loss[-1]
        assert grid.diverged_at[j, i] == traj.diverged_at
        assert grid.steps_to_tol[j, i] == reached


def test_scalar_hyperparameters_agree_to_round_off():
    """What the Playground computes for a cell (scalar hyperparameters) is the sweep's run."""
    job = SweepSettings.default("bowl", "adam").job
    job = replace(job, x=replace(job.x, count=5), y=replace(job.y, count=5))
    surface = landscapes.get("bowl")
    grid = grid_of(job, surface)
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        traj = optim.run("adam", surface, job.start, job.steps, **job.cell_hp(i, j))
        np.testing.assert_allclose(grid.final_loss[j, i], traj.loss[-1], rtol=1e-9)


def test_with_gradient_noise_every_cell_is_the_single_run_with_that_seed(monkeypatch):
    monkeypatch.setattr(sweep_grid, "CHUNK", 13)  # the noise must not depend on the chunk a cell is in
    job = SweepSettings.default("saddle", "rmsprop").job
    job = replace(job, steps=120, noise=0.2, seed=5, x=replace(job.x, count=6), y=replace(job.y, count=5))
    surface = landscapes.get("saddle")
    grid = grid_of(job, surface)
    quiet = grid_of(replace(job, noise=0.0), surface)
    assert not np.array_equal(grid.final_loss, quiet.final_loss)
    for i, j in [(0, 0), (3, 2), (5, 4)]:
        axes = {job.x.name, job.y.name}
        hp = {k: np.array([v]) if k in axes else v for k, v in job.cell_hp(i, j).items()}
        run = optim.run("rmsprop", surface, job.start, job.steps, noise=0.2, seed=5, **hp)
        assert grid.final_loss[j, i] == run.loss[-1, 0]
        assert grid.diverged_at[j, i] == run.diverged_at[0]


def test_lr_search_with_noise_matches_the_noisy_single_run():
    surface = landscapes.get("bowl")
    tuned = tuning.tune_lr("adam", surface, (-1.8, 1.2), 150, 1e-6, "pytorch", {"lr": 0.05}, "loss", None, 0.1, 3)
    best_lr = float(tuned.lrs[tuned.best])
    traj = optim.run("adam", surface, (-1.8, 1.2), 150, noise=0.1, seed=3, lr=np.array([best_lr]))
    assert traj.loss[-1, 0] == tuned.result.final_loss[tuned.best]


def test_single_row_for_sgd():
    job = SweepSettings.default("bowl", "sgd").job
    job = replace(job, x=Axis("lr", 1e-3, 1.0, 9, "log"))
    surface = landscapes.get("bowl")
    grid = grid_of(job, surface)
    assert grid.final_loss.shape == (1, 9)
    traj, _ = single_run(job, surface, 4, 0)
    assert grid.final_loss[0, 4] == traj.loss[-1]


def test_best_index_rules():
    never = -1
    gap = np.array([1e-3, 1e-9, 1e-9, 0.5, 1e-12])
    steps = np.array([never, 40, 40, 10, 60])
    diverged = np.array([False, False, False, False, True])
    # run 4 is best by both but diverged; run 3 passed the tolerance fastest but left it again
    assert tuning.best_index(gap, steps, diverged, "steps", 1e-6) == 1  # tie with 2 -> first
    assert tuning.best_index(gap, steps, diverged, "loss", 1e-6) == 1
    assert tuning.best_index(gap, steps, np.ones(5, bool), "loss", 1e-6) is None
    # nobody within the tolerance at the end: steps falls back to the lowest final gap
    assert tuning.best_index(np.array([3.0, 2.0]), np.array([never, never]), np.zeros(2, bool), "steps", 1e-6) == 1


def test_best_cell_is_column_row():
    grid = sweep_grid.Grid(
        final_loss=np.array([[1.0, 2.0, 3.0], [4.0, 0.5, 6.0]]),
        steps_to_tol=np.full((2, 3), -1),
        diverged_at=np.array([[-1, -1, -1], [-1, 5, -1]]),
        min_value=0.0,
        tol=1e-6,
    )
    assert grid.best_cell("loss") == (0, 0)  # (1, 1) has the lowest loss but diverged


def test_lr_search_picks_a_run_that_did_not_diverge():
    surface = landscapes.get("rosenbrock")
    tuned = tuning.tune_lr("sgd", surface, (-1.2, 1.0), 300, 1e-6, "pytorch", {"lr": 0.001}, "loss")
    assert len(tuned.lrs) == tuning.LR_POINTS and tuned.diverged_count > 0
    k = tuned.best
    assert tuned.result.diverged_at[k] < 0
    ok = tuned.result.diverged_at < 0
    assert tuned.result.final_loss[k] == tuned.result.final_loss[ok].min()
    assert dict(tuned.hp)["lr"] == tuned.lrs[k]
    traj = optim.run("sgd", surface, (-1.2, 1.0), 300, lr=float(tuned.lrs[k]))
    assert traj.loss[-1] == tuned.result.final_loss[k]


def test_lr_search_when_every_lr_diverges(monkeypatch):
    monkeypatch.setattr(tuning, "lr_grid", lambda optimizer, count: np.geomspace(1.0, 10.0, 5))
    surface = landscapes.get("rosenbrock")
    tuned = tuning.tune_lr("sgd", surface, (-1.2, 1.0), 100, 1e-6, "pytorch", {"lr": 0.05}, "steps")
    assert tuned.best is None and tuned.diverged_count == len(tuned.lrs) and not tuned.at_edge


def test_unsupported_combination_raises_value_error():
    job = replace(SweepSettings.default("bowl", "nadam").job, convention="tf1")
    with pytest.raises(ValueError):
        sweep_grid.run_chunk(job, landscapes.get("bowl"), 0, 10)
