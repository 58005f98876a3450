"""Every lesson's claims, checked against the core with the lesson's own presets."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from views.common.scenario import Scenario
from views.lessons import content as L  # noqa: N812


def runs(scenario: Scenario, **changes) -> dict[str, optim.Trajectory]:
    """The scenario's trajectories by optimizer name (``changes`` override scenario fields)."""
    s = scenario.with_changes(**changes) if changes else scenario
    surface = s.landscape()
    return {
        name: optim.run(
            name, surface, s.start, s.steps, convention=s.convention, noise=s.noise, seed=s.seed, **s.hp(name)
        )
        for name in s.optimizers
    }


def step_sizes(traj: optim.Trajectory) -> np.ndarray:
    return np.abs(np.diff(traj.xy, axis=0))


def escape_step(traj: optim.Trajectory) -> int | None:
    """First step with |y| > 1 (off the saddle's ridge), or None."""
    hits = np.nonzero(np.abs(traj.xy[:, 1]) > 1)[0]
    return int(hits[0]) if len(hits) else None


def test_lessons_are_well_formed():
    assert len(L.LESSONS) >= 10
    assert len({lesson.slug for lesson in L.LESSONS}) == len(L.LESSONS)
    for lesson in L.LESSONS:
        assert 1 <= len(lesson.views) <= 2 and lesson.text and lesson.equations
        assert L.by_slug(lesson.slug) is lesson
        for view in lesson.views:
            again, warnings = Scenario.from_query(view.scenario.to_query())
            assert again == view.scenario and warnings == []  # the "Open in Playground" link is exact
    assert L.by_slug("nope") is None


def test_sgd_dilemma():
    small = runs(L.SGD_SMALL)["sgd"]
    large = runs(L.SGD_LARGE)["sgd"]
    assert small.diverged_at is None
    assert small.xy[0, 0] == -1.8
    assert small.xy[-1, 0] == pytest.approx(-1.8 * (1 - 0.019) ** 150, rel=1e-9)
    assert round(small.xy[-1, 0], 2) == -0.10
    assert large.diverged_at is not None and large.diverged_at <= 30


def test_rmsprop_idea():
    paths = runs(L.RMSPROP_VS_SGD)
    rms, sgd = paths["rmsprop"], paths["sgd"]
    ratio = rms.effective_lr[:50, 0] / rms.effective_lr[:50, 1]
    assert ratio.min() > 10
    x0, y0 = rms.xy[0]
    assert abs(rms.xy[50, 0] / x0) < 0.1 and abs(rms.xy[50, 1] / y0) < 0.1
    assert abs(sgd.xy[50, 0] / x0) > 0.3
    surface = L.RMSPROP_VS_SGD.landscape()
    lrs = np.geomspace(1e-4, 1, 200)
    best = {}
    for name in ("sgd", "rmsprop"):
        swept = optim.sweep(name, surface, L.RMSPROP_VS_SGD.start, 50, lr=lrs)
        stable = swept.diverged_at < 0
        best[name] = swept.final_loss[stable].min()
    assert best["rmsprop"] < 1e-6 * best["sgd"]


def test_adagrad_never_recovers():
    paths = runs(L.ADAGRAD_VS_RMSPROP)
    adagrad, rms = paths["adagrad"].effective_lr, paths["rmsprop"].effective_lr
    assert (np.diff(adagrad, axis=0) <= 0).all()  # never increases, on either axis
    assert (adagrad[2999] >= 0.95 * adagrad[10]).all()
    assert (rms[1000] > 50 * rms[10]).all()


def test_rho_memory():
    zero = runs(L.RHO_ZERO)["rmsprop"]
    lr = L.RHO_ZERO.hp("rmsprop")["lr"]
    gradients = np.abs(L.RHO_ZERO.landscape().grad(zero.xy[:-1]))
    clear = gradients > 1e4 * L.RHO_ZERO.hp("rmsprop")["eps"]
    assert clear.mean() > 0.9
    np.testing.assert_allclose(step_sizes(zero)[clear], lr, rtol=1e-4)  # sign descent
    jumps = np.abs(np.diff(np.log(zero.effective_lr), axis=0))
    assert np.median(jumps) > 1
    assert zero.loss[-1] > 1e-3  # rattles, never settles
    slow = runs(L.RHO_SLOW)["rmsprop"]
    assert np.abs(np.diff(np.log(slow.effective_lr[10:]), axis=0)).max() < 0.01


def test_eps_placement_decides_settling():
    outside = runs(L.EPS_OUTSIDE)["rmsprop"]
    inside = runs(L.EPS_INSIDE)["rmsprop"]
    assert outside.diverged_at is None and inside.diverged_at is None
    assert inside.loss[-1] < 1e-30
    assert 1e-6 < outside.loss[-1] < 1e-3
    assert outside.loss[-100:].min() > 1e-6  # hovering, not a late arrival
    hp = L.EPS_OUTSIDE.hp("rmsprop")
    curvatures = np.linalg.eigvalsh(L.EPS_OUTSIDE.landscape().hessian(np.zeros(2)))
    np.testing.assert_allclose(curvatures, [1.0, 4.0])
    sgd_inside, sgd_outside = hp["lr"] / np.sqrt(hp["eps"]), hp["lr"] / hp["eps"]
    assert round(sgd_inside, 2) == 0.32 and sgd_outside == pytest.approx(10)
    assert sgd_inside * curvatures.max() < 2 < sgd_outside * curvatures.min()
    assert optim.get("rmsprop").rule("pytorch").form.eps == "outside"
    assert {optim.get("rmsprop").rule(c).form.eps for c in ("keras", "optax", "tf1")} == {"inside"}
    text = L.by_slug("eps").text
    for name in optim.CONVENTIONS.values():
        assert name in text


def test_first_steps():
    paths = runs(L.FIRST_STEPS)
    lr = L.FIRST_STEPS.hp("rmsprop")["lr"]
    assert L.FIRST_STEPS.hp("rmsprop")["rho"] == 0.99
    np.testing.assert_allclose(step_sizes(paths["rmsprop"])[0], 10 * lr, rtol=1e-6)
    np.testing.assert_allclose(step_sizes(paths["adam"])[0], lr, rtol=1e-6)


def test_adam_is_rmsprop_plus_momentum():
    plain = runs(L.RMSPROP_PLAIN)
    with_momentum = runs(L.RMSPROP_MOMENTUM)
    assert plain["rmsprop"].loss[-1] > 0.02
    assert with_momentum["rmsprop"].loss[-1] < 0.01
    assert plain["adam"].loss[-1] < 0.01
    assert L.RMSPROP_PLAIN.hp("adam")["lr"] == pytest.approx(10 * L.RMSPROP_PLAIN.hp("rmsprop")["lr"])


def test_rotation_defeats_per_axis_scaling():
    aligned, rotated = runs(L.ALIGNED), runs(L.ROTATED)
    final_rotated = rotated["rmsprop"].effective_lr[-1]
    assert abs(final_rotated[0] / final_rotated[1] - 1) < 0.05
    final_aligned = aligned["rmsprop"].effective_lr[-1]
    assert final_aligned[0] / final_aligned[1] > 10
    assert rotated["rmsprop"].loss[50] > 100 * aligned["rmsprop"].loss[50]
    for paths in (aligned, rotated):
        assert (paths["sgd"].effective_lr == L.ALIGNED.hp("sgd")["lr"]).all()


def test_saddle_escape():
    near = runs(L.NEAR_RIDGE, steps=200)
    assert 60 < escape_step(near["sgd"]) < 200
    assert escape_step(near["rmsprop"]) < 10
    quiet = runs(L.ON_RIDGE_NOISY, noise=0.0)
    for traj in quiet.values():
        assert escape_step(traj) is None and (traj.xy[:, 1] == 0).all()
    assert abs(quiet["sgd"].xy[-1, 0]) < 1e-6  # slid into the saddle point
    for seed in range(20):  # "a little noise knocks both off", whatever the seed
        noisy = runs(L.ON_RIDGE_NOISY, seed=seed)
        assert all(escape_step(t) is not None and escape_step(t) <= 150 for t in noisy.values())


def test_rmsprop_hovers_and_sgd_overtakes():
    paths = runs(L.LONG_RUN)
    rms, sgd = paths["rmsprop"], paths["sgd"]
    lr = L.LONG_RUN.hp("rmsprop")["lr"]
    distance = np.hypot(*rms.xy[-100:].T)
    assert (distance > 0.3 * lr).all() and (distance < 1.5 * lr).all()
    assert (rms.loss[1:101] < sgd.loss[1:101]).all()
    overtaken = np.nonzero(sgd.loss >= rms.loss)[0][-1] + 1
    assert overtaken < 150 and (sgd.loss[overtaken:] < rms.loss[overtaken:]).all()
    assert sgd.loss[-1] < 1e-15 * rms.loss[-1]


def test_predict_then_run_questions_are_answered_by_the_lessons_own_runs():
    asked = {
        (lesson.slug, view.question.key): view
        for lesson in L.LESSONS
        for view in lesson.views
        if view.question is not None
    }
    assert len({slug for slug, _ in asked}) >= 2
    for view in asked.values():
        surface = view.scenario.landscape()
        assert view.question.problem(view.scenario.optimizers, surface.min_value) is None
    sgd = asked["sgd-dilemma", "converge.sgd"]
    answer = sgd.question.answer(runs(sgd.scenario), 0.0, sgd.scenario.tol)
    assert answer.correct == ("diverges",) and "step 30" in answer.explanation  # "diverges within 30 steps"
    first = asked["rmsprop-idea", "first"]
    answer = first.question.answer(runs(first.scenario), 0.0, first.scenario.tol)
    assert answer.correct == ("rmsprop",) and "SGD: never" in answer.explanation
    lowest = asked["honest-limit", "lowest"]
    answer = lowest.question.answer(runs(lowest.scenario), 0.0, lowest.scenario.tol)
    assert answer.correct == ("sgd",)  # "after 500 steps SGD's loss is ... lower"
