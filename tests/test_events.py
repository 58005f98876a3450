"""analysis.events: each "what happened" note fires on a view built to show it, with its step and numbers, stays
silent on one that does not, never contradicts a lesson or another note, and never raises or warns."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
import optim
from analysis import events as E  # noqa: N812
from analysis.events import Event, RunRecord, detect
from optim.denominator import trajectory_terms
from views.common.scenario import Scenario
from views.lessons import content as L  # noqa: N812

SLUGS = {lesson.slug for lesson in L.LESSONS}
#: Kinds that cannot hold for the same run at once: a note of the first kind rules the others out.
CONFLICTS = {
    "divergence": {"unbounded", "hovering", "overshoot", "oscillation", "stall", "saddle"},
    "unbounded": {"divergence", "hovering", "overshoot", "oscillation", "stall", "saddle"},
    "hovering": {"overshoot"},
    "stall": {"first_to_tol"},
    "saddle": {"unbounded", "first_to_tol"},
}
MARKDOWN = set("*_$`[]<>#|~\\")


def trajectories(scenario: Scenario) -> dict[str, optim.Trajectory]:
    """The scenario's runs, built with optim.run as the Playground does."""
    surface = scenario.landscape()
    return {
        name: optim.run(
            name,
            surface,
            scenario.start,
            scenario.steps,
            convention=scenario.convention,
            noise=scenario.noise,
            seed=scenario.seed,
            schedule=scenario.schedule,
            **scenario.hp(name),
        )
        for name in scenario.optimizers
    }


def records(scenario: Scenario) -> tuple[list[RunRecord], landscapes.Surface]:
    """The scenario's runs as the detectors read them, and its surface."""
    runs = [RunRecord.of(t, scenario.noise, scenario.seed) for t in trajectories(scenario).values()]
    return runs, scenario.landscape()


def notes(scenario: Scenario) -> list[Event]:
    runs, surface = records(scenario)
    found = detect(runs, surface, scenario.tol)
    check_well_formed(found, runs)
    return found


def one(found: list[Event], kind: str, optimizer: str) -> Event:
    matches = [e for e in found if e.kind == kind and e.optimizer == optimizer]
    assert len(matches) == 1, [(e.kind, e.optimizer) for e in found]
    return matches[0]


def kinds(found: list[Event], optimizer: str | None = None) -> set[str]:
    return {e.kind for e in found if optimizer is None or e.optimizer == optimizer}


def check_well_formed(found: list[Event], runs: list[RunRecord]) -> None:
    """Every note: a known lesson, an optimizer of the view, plain text that names it, at most one per (optimizer,
    kind), ordered by step, and no two notes about one run that contradict each other."""
    names = {run.optimizer: run.label for run in runs}
    assert [e.step for e in found] == sorted(e.step for e in found)
    assert len({(e.optimizer, e.kind) for e in found}) == len(found)
    for e in found:
        assert e.lesson in SLUGS and e.kind in E.LESSONS
        assert e.optimizer in names and names[e.optimizer] in e.text
        assert not MARKDOWN & set(e.text), e.text
        assert "nan" not in e.text.lower().replace("nadam", "")
        assert all(isinstance(v, (int, float)) for v in e.numbers.values())
    for name in names:
        mine = kinds(found, name)
        for kind in mine:
            assert not mine & CONFLICTS.get(kind, set()), (name, mine)


def preset(surface, optimizers, steps, **kw) -> Scenario:
    return L.preset(surface, optimizers, steps=steps, **kw)


# ----------------------------------------------------------------------------- each detector


def test_divergence_gives_lr_times_lambda_against_the_limit():
    e = one(notes(L.SGD_LARGE), "divergence", "sgd")
    assert e.step == 30 and e.lesson == "sgd-dilemma"  # the lesson: "diverges within 30 steps"
    assert e.numbers["lr"] == 0.021 and e.numbers["lam_max"] == pytest.approx(100)
    assert e.numbers["product"] == pytest.approx(2.1) and e.numbers["limit"] == 2
    assert "0.021 × 100 = 2.1" in e.text and "limit 2" in e.text and "below 0.02" in e.text
    assert "divergence" not in kinds(notes(L.SGD_SMALL))


def test_divergence_with_momentum_uses_its_own_limit():
    found = notes(preset("bowl", {"momentum": {"lr": 0.05}, "nesterov": {"lr": 0.05}}, 150))
    heavy, ahead = one(found, "divergence", "momentum"), one(found, "divergence", "nesterov")
    assert heavy.numbers["limit"] == pytest.approx(3.8) and heavy.numbers["product"] == pytest.approx(5)
    assert ahead.numbers["limit"] == pytest.approx(2 * 1.9 / 2.8)
    assert "2(1 + μ) = 3.8" in heavy.text and "Nesterov" in ahead.text
    assert "divergence" not in kinds(notes(preset("bowl", {"momentum": {"lr": 0.005}}, 150)))


def test_divergence_of_an_adaptive_optimizer_names_its_steps():
    found = notes(preset("bowl", {"rmsprop": {"lr": 1000.0}, "adam": {"lr": 1000.0}}, 50))
    for name in ("rmsprop", "adam"):
        e = one(found, "divergence", name)
        assert e.step == 1 and e.lesson == "first-steps" and "first step" in e.text


def test_running_downhill_off_a_surface_without_minimum_is_not_a_divergence():
    found = notes(L.ON_RIDGE_NOISY)  # the lesson: "a little gradient noise knocks both off"
    e = one(found, "unbounded", "sgd")
    assert "divergence" not in kinds(found) and e.lesson == "saddle"
    assert e.numbers["f_last"] < e.numbers["f_start"] == pytest.approx(2.25)
    assert not kinds(notes(L.NEAR_RIDGE)) & {"unbounded", "divergence"}


def test_hovering_names_the_bounce_and_the_growing_effective_lr():
    e = one(notes(L.RMSPROP_VS_SGD), "hovering", "rmsprop")
    n = e.numbers
    assert e.lesson == "honest-limit" and e.step == n["rise"]
    assert n["best_gap"] == E.VISIBLE_FLOOR and n["best"] < n["rise"] <= n["peak"]  # below the chart's floor
    assert n["peak_gap"] > 1e-3 and n["peak_gap"] >= 100 * n["best_gap"]
    assert n["axis"] == 1 and n["lr_to"] > 2 * n["lr_from"]  # the steep axis's effective lr grew
    assert n["alpha_lambda"] > 2  # ... past 2 / lambda_y
    assert "along y" in e.text and "below 1e-16" in e.text and "α·λ" in e.text
    before = notes(L.RMSPROP_VS_SGD.with_changes(steps=70))  # the same run, cut before the bounce
    assert "hovering" not in kinds(before)
    assert "hovering" not in kinds(notes(L.RHO_SLOW))


def test_overshoot_of_a_run_with_momentum():
    found = notes(preset("bowl", {"momentum": {"lr": 0.005, "momentum": 0.9}, "adam": {"lr": 0.2}}, 150))
    e = one(found, "overshoot", "momentum")
    assert (e.numbers["best"], e.numbers["rise"], e.numbers["peak"], e.numbers["back"]) == (112, 113, 114, 129)
    assert e.numbers["peak_gap"] >= 100 * e.numbers["best_gap"] and e.numbers["momentum"] == 0.9
    assert "μ = 0.9" in e.text and e.lesson == "adam"
    adam = one(found, "overshoot", "adam")
    assert "β₁ = 0.9" in adam.text and adam.step == adam.numbers["rise"]
    assert not kinds(notes(preset("bowl", {"momentum": {"lr": 0.002, "momentum": 0.9}}, 150)))  # swings under 100x
    assert "overshoot" not in kinds(notes(L.RMSPROP_VS_SGD))  # no momentum: its bounce is hovering


def test_eps_dominance_says_where_the_effective_lr_is_heading():
    outside = one(notes(L.EPS_OUTSIDE), "eps", "rmsprop")
    inside = one(notes(L.EPS_INSIDE), "eps", "rmsprop")
    assert outside.numbers["cap"] == pytest.approx(10) and "lr/eps = 10" in outside.text  # the lesson's numbers
    assert inside.numbers["cap"] == pytest.approx(0.316, abs=1e-3) and "lr/√eps = 0.316" in inside.text
    for e in (outside, inside):
        assert e.numbers["eps"] > e.numbers["accumulator"]
        assert e.lesson == "eps"
    terms = trajectory_terms(trajectories(L.EPS_OUTSIDE)["rmsprop"], L.EPS_OUTSIDE.landscape())
    first = int(np.argmax(terms.eps_dominates.any(axis=1)))
    assert outside.step == first == 286
    assert "eps" not in kinds(notes(L.RMSPROP_VS_SGD))


def test_eps_alone_where_the_gradient_is_exactly_zero():
    found = notes(Scenario.default("beale"))  # Beale's start has a zero gradient along x
    e = one(found, "eps", "adagrad")
    assert e.step == 0 and e.numbers["accumulator"] == 0 and "zero gradient" in e.text
    assert "eps" not in kinds(notes(preset("beale", {"adagrad": {"eps": 0.0}}, 50)))  # no eps: nothing to dominate


def test_first_step_of_rmsprop_and_adams_bias_correction():
    found = notes(L.FIRST_STEPS)
    rms, adam = one(found, "first_step", "rmsprop"), one(found, "first_step", "adam")
    assert rms.numbers["ratio"] == pytest.approx(10, rel=1e-6)  # the lesson: 10× the learning rate at rho 0.99
    assert rms.numbers["predicted"] == pytest.approx(0.5) and "lr/√(1 − ρ) = 0.5" in rms.text
    assert adam.numbers["length"] == pytest.approx(0.05, rel=1e-6)  # the lesson: "exactly lr"
    assert rms.step == adam.step == 0 and rms.lesson == adam.lesson == "first-steps"
    assert "first_step" not in kinds(notes(L.RHO_ZERO))  # rho = 0: the first step is lr
    assert "first_step" not in kinds(notes(preset("bowl", {"adam": {"lr": 0.05}}, 20)))  # Adam alone: nothing to see


def test_tf1s_first_step_is_explained_by_its_start_at_one():
    e = one(notes(preset("bowl", {"rmsprop": {"lr": 0.2, "rho": 0.99}}, 20, convention="tf1")), "first_step", "rmsprop")
    assert "TF1 starts v at 1" in e.text and e.numbers["grad_sq"] == pytest.approx(120.0**2)


def test_oscillation_across_the_valley():
    e = one(notes(L.SGD_SMALL), "oscillation", "sgd")
    assert e.step == 0 and e.lesson == "sgd-dilemma" and "along y" in e.text
    assert e.numbers["factor"] == pytest.approx(0.9) and e.numbers["product"] == pytest.approx(1.9)
    assert e.numbers["flips"] == 149
    rotated = one(notes(L.ROTATED), "oscillation", "sgd")
    assert "steepest direction (0.71, -0.71)" in rotated.text and rotated.numbers["factor"] == pytest.approx(0.9)
    growing = one(notes(preset("bowl", {"sgd": {"lr": 0.0201}}, 100)), "oscillation", "sgd")
    assert growing.numbers["factor"] == pytest.approx(1.01) and "heading for divergence" in growing.text
    assert "oscillation" not in kinds(notes(preset("bowl", {"sgd": {"lr": 0.005}}, 150)))
    assert "oscillation" not in kinds(notes(L.SGD_LARGE))  # diverged: the divergence note says it


def test_adagrad_stall():
    e = one(notes(preset("rosenbrock", {"adagrad": {"lr": 0.05}, "rmsprop": {}}, 1000)), "stall", "adagrad")
    assert e.lesson == "adagrad-vs-rmsprop" and e.step == e.numbers["since"] < 100
    assert e.numbers["gap_last"] >= e.numbers["gap_since"] / 2 > 1e-6
    assert e.numbers["lr_last"] < e.numbers["lr_first"]
    assert "stall" not in kinds(notes(Scenario.default("bowl")))  # Adagrad reaches the tolerance there


def test_a_start_on_the_ridge_that_does_not_escape():
    quiet = notes(L.ON_RIDGE_NOISY.with_changes(noise=0.0))
    for name in ("sgd", "rmsprop"):
        e = one(quiet, "saddle", name)
        assert e.step == 150 and e.numbers["offset_start"] == 0 and "stuck at the saddle point (0, 0)" in e.text
        assert e.numbers["lam_min"] == pytest.approx(-2)
    near = notes(L.NEAR_RIDGE)
    e = one(near, "saddle", "sgd")  # the lesson: SGD needs more than 60 steps, so not within these 40
    assert e.numbers["growth"] == pytest.approx(1.1) and e.numbers["offset_end"] == pytest.approx(1e-3 * 1.1**40)
    assert "saddle" not in kinds(near, "rmsprop")  # the lesson: RMSProp leaves in under 10 steps
    assert "saddle" not in kinds(notes(L.ON_RIDGE_NOISY))  # the lesson: noise knocks both off


def test_first_to_tolerance():
    e = one(notes(L.RMSPROP_VS_SGD), "first_to_tol", "rmsprop")  # the lesson's question: RMSProp first
    assert e.step == 59 and e.numbers["steps.sgd"] == -1 and e.lesson == "rmsprop-idea"
    assert "SGD not within 150 steps" in e.text
    honest = one(notes(L.LONG_RUN), "first_to_tol", "rmsprop")
    assert honest.numbers["steps.sgd"] > honest.step
    assert "first_to_tol" not in kinds(notes(L.SGD_SMALL))  # one optimizer: no race
    assert "first_to_tol" not in kinds(notes(L.NEAR_RIDGE))  # no minimum


# ----------------------------------------------------------------------------- the lessons


LESSON_VIEWS = [(lesson.slug, i, view) for lesson in L.LESSONS for i, view in enumerate(lesson.views)]


@pytest.mark.parametrize(("slug", "index", "view"), LESSON_VIEWS, ids=[f"{s}-{i}" for s, i, _ in LESSON_VIEWS])
def test_lesson_views_get_no_note_that_contradicts_the_lesson(slug, index, view):
    found = notes(view.scenario)
    runs, _ = records(view.scenario)
    for e in found:  # a note about a divergence only where the run diverged, and the other way round
        run = next(r for r in runs if r.optimizer == e.optimizer)
        assert (e.kind in ("divergence", "unbounded")) == (run.diverged_at is not None)
    diverged = {e.optimizer for e in found if e.kind == "divergence"}
    expected = {
        ("sgd-dilemma", 1): {"sgd"},  # "the run diverges within 30 steps"; every other lesson view is stable
    }
    assert diverged == expected.get((slug, index), set())
    says = {
        ("sgd-dilemma", 0): {("oscillation", "sgd")},
        ("rmsprop-idea", 0): {("first_to_tol", "rmsprop")},  # RMSProp beats SGD
        ("eps", 0): {("eps", "rmsprop")},  # eps takes over near the minimum in both conventions
        ("eps", 1): {("eps", "rmsprop")},
        ("first-steps", 0): {("first_step", "rmsprop"), ("first_step", "adam")},
        ("saddle", 0): {("saddle", "sgd")},  # SGD needs over 60 steps; these are 40
        ("honest-limit", 0): {("hovering", "rmsprop")},  # RMSProp hops around the minimum
    }
    present = {(e.kind, e.optimizer) for e in found}
    says |= {("adam", 1): {("overshoot", "rmsprop")}}  # RMSProp with momentum swings, and still ends below 0.01
    assert says.get((slug, index), set()) <= present
    never = {
        ("rmsprop-idea", 0): {("divergence", "sgd")},
        ("adagrad-vs-rmsprop", 0): {("hovering", "rmsprop"), ("stall", "rmsprop")},
        ("rho", 0): {("first_step", "rmsprop")},  # rho = 0: no large first step
        ("rotation", 1): {("first_to_tol", "rmsprop")},  # the rotated valley defeats RMSProp
        ("saddle", 0): {("saddle", "rmsprop")},  # RMSProp escapes in under 10 steps
        ("saddle", 1): {("saddle", "sgd"), ("saddle", "rmsprop")},  # noise knocks both off within 150 steps
        ("honest-limit", 0): {("first_to_tol", "sgd")},  # RMSProp leads for the first 100 steps
    }
    assert not never.get((slug, index), set()) & present


DEFAULT_AND_LESSON_VIEWS = [Scenario.default(name) for name in landscapes.names()] + [
    v.scenario for _, _, v in LESSON_VIEWS
]


@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
def test_every_divergence_and_bounce_in_the_default_and_lesson_views_gets_a_note(convention):
    """Nothing unexplained on screen: a run that diverged, or whose loss (as the chart draws it) rose 100-fold above
    its best so far, gets a note saying why; in every surface's default view and every lesson view."""
    checked = 0
    for view in DEFAULT_AND_LESSON_VIEWS:
        view = view.with_changes(convention=convention)
        view = view.with_changes(optimizers=tuple(n for n in view.optimizers if optim.get(n).supports(convention)))
        runs, surface = records(view)
        found = {(e.optimizer, e.kind) for e in detect(runs, surface, view.tol)}
        for run in runs:
            if run.diverged_at is not None:
                assert {(run.optimizer, "divergence"), (run.optimizer, "unbounded")} & found, (view, run.optimizer)
            elif surface.min_value is not None:
                gap = np.maximum(run.loss - surface.min_value, E.VISIBLE_FLOOR)
                if (gap >= 100 * np.minimum.accumulate(gap)).any():
                    assert {(run.optimizer, "hovering"), (run.optimizer, "overshoot")} & found, (view, run.optimizer)
                    checked += 1
    assert checked >= 5


def test_the_notes_of_a_lessons_first_view_are_its_story():
    """The sgd-dilemma lesson's two views: a zig-zag at 0.019, a divergence at 0.021; the texts give its numbers."""
    small, large = notes(L.SGD_SMALL), notes(L.SGD_LARGE)
    assert "1.9" in one(small, "oscillation", "sgd").text and "2.1" in one(large, "divergence", "sgd").text


# ----------------------------------------------------------------------------- robustness

CUSTOM = [
    ("x**2 + 100*y**2", (-2, 2, -2, 2)),
    ("log(x) + y**2", (0.1, 3, -2, 2)),
    ("1/x + y**2", (-2, 2, -2, 2)),
    ("x**3 - 3*x*y**2", (-1, 1, -1, 1)),
    ("sin(x)*cos(y)", (-4, 4, -4, 4)),
    ("sqrt(abs(x)) + y**2", (-2, 2, -2, 2)),
]
SURFACES = [*landscapes.names(), *(f"custom:{i}" for i in range(len(CUSTOM)))]


def _surface(name: str) -> landscapes.Surface:
    if name.startswith("custom:"):
        expr, (x0, x1, y0, y1) = CUSTOM[int(name.split(":")[1])]
        return landscapes.get("custom", expr=expr, xmin=x0, xmax=x1, ymin=y0, ymax=y1)
    return landscapes.get(name)


def _hp(name: str, convention: str, draw) -> dict:
    hp = {}
    for p in optim.get(name).hyperparams:
        if p.kind == "bool":
            hp[p.name] = draw(st.booleans()) and not (p.name == "amsgrad" and convention == "tf1")
        elif p.name == "lr":
            hp["lr"] = draw(st.floats(1e-5, 1e3))
        elif p.name == "eps":
            hp["eps"] = draw(st.sampled_from([0.0, 1e-12, 1e-8, 1e-3, 1.0]))
        elif p.name in ("rho", "momentum"):
            hp[p.name] = draw(st.sampled_from([0.0, 0.5, 0.9, 0.999, 1.0]))
        elif p.name in ("beta1", "beta2"):
            hp[p.name] = draw(st.sampled_from([0.0, 0.9, p.high]))
    return hp


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_detect_never_raises_or_warns(data):
    convention = data.draw(st.sampled_from(list(optim.CONVENTIONS)))
    names = [n for n in optim.names() if optim.get(n).supports(convention)]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    entries = [(name, _hp(name, convention, data.draw)) for name in chosen]
    surface = _surface(data.draw(st.sampled_from(SURFACES)))
    (x0, x1), (y0, y1) = surface.domain
    u, v = data.draw(st.floats(0, 1)), data.draw(st.floats(0, 1))
    start = data.draw(st.sampled_from([surface.start, (x0 + u * (x1 - x0), y0 + v * (y1 - y0))]))
    steps = data.draw(st.sampled_from([0, 1, 3, 40, 200]))
    noise = data.draw(st.sampled_from([0.0, 0.0, 1e-6, 0.3]))
    schedule = data.draw(st.sampled_from([None, "cosine", {"kind": "step", "every": 5}, {"warmup": 10}]))
    tol = data.draw(st.sampled_from([1e-12, 1e-6, 1.0]))
    try:
        trajs = optim.run_many(entries, surface, start, steps, convention, noise=noise, seed=2, schedule=schedule)
    except ValueError:
        return  # a start where the surface is undefined, ...
    runs = [RunRecord.of(t, noise, 2) for t in trajs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = detect(runs, surface, tol)
    check_well_formed(found, runs)
    for e in found:
        assert all(math.isfinite(v) or e.kind in ("eps",) for v in e.numbers.values())


def test_precomputed_terms_give_the_same_notes():
    runs, surface = records(L.EPS_OUTSIDE)
    terms = {name: trajectory_terms(t, surface) for name, t in trajectories(L.EPS_OUTSIDE).items()}
    assert detect(runs, surface, terms=terms) == detect(runs, surface)


def test_numbers_are_written_for_students():
    assert [E.num(v) for v in (2e-35, 0.019, 1.7e33, 1234.5, -0.5)] == ["2e-35", "0.019", "1.7e33", "1.2e3", "-0.5"]
    assert E.num(math.inf) == "∞" and E.num(math.nan) == "undefined"


def test_a_views_notes_are_its_runs_own_notes_and_their_comparisons():
    """The Playground keeps each run's own notes (``PER_RUN`` detectors, views/playground/compute.run_events) and
    adds the comparisons (``ACROSS``): the notes, their order and their numbers are exactly ``detect``'s over the
    view, in every surface's default view and every lesson view, in every convention, with every optimizer."""
    from views.playground import compute

    assert set(E.PER_RUN) | set(E.ACROSS) == set(E.DETECTORS) and not set(E.PER_RUN) & set(E.ACROSS)
    compared = 0
    for convention in optim.CONVENTIONS:
        for view in DEFAULT_AND_LESSON_VIEWS:
            view = view.with_changes(convention=convention)
            specs = tuple(view.run_spec(name) for name in view.optimizers)
            runs, surface = records(view)
            whole = detect(runs, surface, view.tol)
            assert list(compute.events(specs, view.tol)) == whole, (convention, view)
            compared += len(whole)
    assert compared > 100
