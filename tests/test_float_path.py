"""A single run steps in Python floats (optim.runner._simulate_floats): it must give bit for bit what the
array loop gives for the same run, used for batches, sweeps and every framework check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
import optim
from optim import replay as replaying
from optim import runner
from optim.denominator import denominator_terms, has_eps_denominator
from tests.test_expression import EXPRESSIONS, _build_or_reject

BUILT_IN = [name for name in landscapes.names() if name != "custom"]
PAIRS = [(n, c) for n in optim.names() for c in optim.CONVENTIONS if optim.get(n).supports(c)]
OPTIONS = {
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.5}],
    "adam": [{}, {"amsgrad": True}],
    "sgd": [{}, {"lr": 0.5}],
    "adadelta": [{}, {"lr": 1.0}],
}


@pytest.fixture
def float_runs(monkeypatch):
    """Counts the runs stepped in floats, and those that fell back to the array loop."""
    counts = {"floats": 0, "fallback": 0}
    simulate = runner._simulate_floats

    def counting(*args, **kwargs):
        counts["floats"] += 1
        try:
            return simulate(*args, **kwargs)
        except (ArithmeticError, ValueError):
            counts["fallback"] += 1
            raise

    monkeypatch.setattr(runner, "_simulate_floats", counting)
    return counts


def accepts(name: str, convention: str, options: dict) -> bool:
    """False for an option this framework lacks (e.g. TF1 has no AMSGrad)."""
    try:
        optim.get(name).validate(options, convention)
    except ValueError:
        return False
    return True


def assert_same_as_array_loop(name, surface, start, steps, convention, **kwargs):
    """The single run (float path) equals row 0 of the same run batched twice (array path), exactly."""
    single = optim.run(name, surface, start, steps, convention, **kwargs)
    batched = optim.run(name, surface, [start, start], steps, convention, **kwargs)
    label = f"{name}/{convention} on {surface} from {start} with {kwargs}"
    np.testing.assert_array_equal(single.xy, batched.xy[:, 0], err_msg=label)
    np.testing.assert_array_equal(single.loss, batched.loss[:, 0], err_msg=label)
    np.testing.assert_array_equal(single.effective_lr, batched.effective_lr[:, 0], err_msg=label)
    assert (-1 if single.diverged_at is None else single.diverged_at) == batched.diverged_at[0], label


@pytest.mark.parametrize("surface", BUILT_IN)
def test_every_rule_and_option_matches_the_array_loop(surface, float_runs):
    start = landscapes.get(surface).start
    cases = 0
    for name, convention in PAIRS:
        for options in OPTIONS.get(name, [{}]):
            if not accepts(name, convention, options):
                continue
            for extra in ({}, {"noise": 0.3, "seed": 3}, {"schedule": "cosine"}):
                assert_same_as_array_loop(name, surface, start, 120, convention, **options, **extra)
                cases += 1
    assert float_runs["floats"] == cases > 0  # the fast path really ran


def test_the_fallback_gives_the_array_loops_result(float_runs):
    # eps = 0 at a stationary point: 0/0, a ZeroDivisionError for floats, a zero step for the rules.
    assert_same_as_array_loop("rmsprop", "bowl", (0.0, 0.0), 10, "pytorch", eps=0.0)
    assert float_runs == {"floats": 1, "fallback": 1}


def test_a_divergent_run_stops_early_but_reads_the_same(float_runs):
    assert_same_as_array_loop("sgd", "rosenbrock", (-1.2, 1.0), 1000, "pytorch", lr=10.0)
    traj = optim.run("sgd", "rosenbrock", steps=1000, lr=10.0)
    k = traj.diverged_at
    assert k is not None and (traj.xy[k:] == traj.xy[k - 1]).all() and (traj.effective_lr[k - 1 :] == 0).all()


def test_batches_keep_the_array_loop(float_runs):
    optim.run("adam", "bowl", [(1.0, 1.0), (0.5, 0.5)], 20)
    optim.run("adam", "bowl", (1.0, 1.0), 20, noise=0.1, seed=np.array([1, 2]))
    assert float_runs["floats"] == 0


#: Custom formulas: arithmetic only (stepped on floats), with square roots and abs, and with transcendental
#: functions or fractional powers (gradient on one-element arrays, update on floats).
FORMULAS = [
    ("x**2 + 100*y**2", ((-2, 2), (-2, 2))),
    ("(1-x)**2 + 100*(y-x**2)**2", ((-2, 2), (-1, 3))),
    ("x**4 - 2*x**2 + y**2 + 1/(1 + x**2)", ((-2, 2), (-2, 2))),
    ("sqrt(1 + x**2 + 3*y**2) + abs(x - y)/4", ((-3, 3), (-3, 3))),
    ("sin(x)*cos(y) + 0.1*exp(y/4)", ((-4, 4), (-4, 4))),
    ("log(1 + x**2 + 10*y**2) + abs(y)**(1/3)", ((-3, 3), (-3, 3))),
]


@pytest.mark.parametrize("formula, domain", FORMULAS)
def test_custom_formulas_step_in_floats_exactly_as_the_array_loop(formula, domain, float_runs):
    surface = landscapes.from_expression(formula, domain)
    cases = 0
    for name, convention in PAIRS:
        for extra in ({}, {"noise": 0.3, "seed": 3}):
            assert_same_as_array_loop(name, surface, surface.start, 80, convention, **extra)
            cases += 1
    assert float_runs["floats"] == cases and float_runs["fallback"] == 0
    # ... and as a run in a sweep-sized batch (NumPy's vector loops for every lane)
    single = optim.run("rmsprop", surface, surface.start, 200, lr=0.02)
    batch = optim.run("rmsprop", surface, [surface.start] * 9, 200, lr=np.full(9, 0.02))
    np.testing.assert_array_equal(single.xy, batch.xy[:, 4])


@pytest.mark.parametrize("formula, domain", FORMULAS)
def test_custom_gradient_pairs_match_the_stacked_gradient(formula, domain):
    surface = landscapes.from_expression(formula, domain)
    (x0, x1), (y0, y1) = domain
    rng = np.random.default_rng(3)
    points = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)])
    with np.errstate(all="ignore"):  # abs(y)**(1/3) has no derivative at y = 0
        stacked = surface.grad_xy(points[:, 0], points[:, 1])
        pairs = np.array([surface.grad_pair(float(x), float(y)) for x, y in points]).T
    np.testing.assert_array_equal(pairs, stacked)


def test_a_division_by_zero_in_a_custom_gradient_falls_back_to_the_array_loop(float_runs):
    surface = landscapes.from_expression("x**2/2 + y/x", ((-2, 2), (-2, 2)))
    # SGD with lr 1 from (1, 0): the gradient there is (1, 1), so x lands on 0 exactly, where y/x and its
    # gradient are undefined: a ZeroDivisionError for floats, inf/nan (a divergence) for arrays.
    assert_same_as_array_loop("sgd", surface, (1.0, 0.0), 10, "pytorch", lr=1.0)
    assert float_runs == {"floats": 1, "fallback": 1}
    assert optim.run("sgd", surface, (1.0, 0.0), 10, lr=1.0).diverged_at == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(text=EXPRESSIONS, seed=st.integers(0, 2**32 - 1))
def test_random_custom_formulas_step_in_floats_exactly(text, seed):
    surface = _build_or_reject(text)
    points = np.random.default_rng(seed).uniform(-1.9, 1.9, size=(6, 2))
    for x, y in points:
        with np.errstate(all="ignore"):  # as in the runner: undefined points give nan, not warnings
            try:
                pair = surface.grad_pair(float(x), float(y))
            except ZeroDivisionError:
                continue  # the runner then steps with arrays
            np.testing.assert_array_equal(pair, surface.grad_xy(np.array([x]), np.array([y]))[:, 0], err_msg=text)
    assert_same_as_array_loop("adam", surface, surface.start, 40, "pytorch")
    assert_same_as_array_loop("rmsprop", surface, surface.start, 40, "keras", noise=0.1, seed=1)


def test_compiled_custom_code_never_uses_the_power_operator():
    import inspect

    from landscapes import expression

    for formula, _ in FORMULAS:
        parsed = expression.parse(formula)
        gradient = [expression._diff(parsed.expr, v) for v in (expression.X, expression.Y)]
        code = inspect.getsource(expression._lambdify([parsed.expr, *gradient]))
        assert "**" not in code, code


@pytest.mark.parametrize("surface", BUILT_IN)
def test_gradient_pairs_match_the_stacked_gradient_for_floats(surface):
    s = landscapes.get(surface)
    (x0, x1), (y0, y1) = s.domain
    rng = np.random.default_rng(7)
    points = np.column_stack([rng.uniform(x0, x1, 500), rng.uniform(y0, y1, 500)])
    stacked = s.grad_xy(points[:, 0], points[:, 1])
    pairs = np.array([s.grad_pair(float(x), float(y)) for x, y in points]).T
    np.testing.assert_array_equal(pairs, stacked)


extreme = st.fixed_dictionaries(
    {
        "lr": st.sampled_from([1e-8, 1e-3, 0.1, 10.0, 1e3]),
        "eps": st.sampled_from([0.0, 1e-300, 1e-8, 1.0]),
        "rho": st.sampled_from([0.0, 0.5, 0.999, 1.0]),
        "momentum": st.sampled_from([0.0, 0.9, 1.0]),
        "beta1": st.sampled_from([0.0, 0.9, 0.9999]),
        "beta2": st.sampled_from([0.0, 0.999, 0.99999]),
        "centered": st.booleans(),
        "amsgrad": st.booleans(),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PAIRS),
    st.sampled_from(BUILT_IN),
    extreme,
    st.sampled_from([0.0, 0.3]),
    st.sampled_from([None, "cosine", "step", {"kind": "exponential", "warmup": 10}]),
    st.floats(-1.0, 1.0),
    st.floats(-1.0, 1.0),
)
def test_extreme_settings_match_the_array_loop(pair, surface_name, hp, noise, schedule, u, v):
    name, convention = pair
    names = {p.name for p in optim.get(name).hyperparams}
    hp = {k: value for k, value in hp.items() if k in names}
    surface = landscapes.get(surface_name)
    (x0, x1), (y0, y1) = surface.domain
    start = (x0 + (u + 1) / 2 * (x1 - x0), y0 + (v + 1) / 2 * (y1 - y0))
    if not accepts(name, convention, hp):
        return
    assert_same_as_array_loop(name, surface, start, 80, convention, noise=noise, seed=5, schedule=schedule, **hp)


@pytest.mark.parametrize("surface", ["rosenbrock", "rastrigin", "six_hump_camel", *(f for f, _ in FORMULAS[::3])])
def test_eps_terms_of_a_single_run_match_the_array_replay(surface, monkeypatch):
    if surface not in landscapes.names():
        surface = landscapes.from_expression(surface, dict(FORMULAS)[surface])
    replays = []
    replay = replaying._replay_floats
    monkeypatch.setattr(replaying, "_replay_floats", lambda *a: replays.append(1) or replay(*a))
    start = landscapes.get(surface).start
    checked = 0
    for name, convention in PAIRS:
        if not has_eps_denominator(name, convention):
            continue
        for options in OPTIONS.get(name, [{}]):
            if not accepts(name, convention, options):
                continue
            for extra in ({}, {"noise": 0.3, "seed": 3}):
                traj = optim.run(name, surface, start, 120, convention, **options, **extra)
                xy = np.stack([traj.xy, traj.xy], axis=1)
                args = (name, surface)
                single = denominator_terms(*args, traj.xy, convention, diverged_at=traj.diverged_at, **options, **extra)
                both = denominator_terms(*args, xy, convention, diverged_at=traj.diverged_at, **options, **extra)
                label = f"{name}/{convention} {options} {extra}"
                np.testing.assert_array_equal(single.accumulator, both.accumulator[:, 0], err_msg=label)
                checked += 1
    assert checked > 20 and len(replays) == checked


def test_eps_terms_fall_back_to_the_array_replay_on_zero_over_zero():
    traj = optim.run("rmsprop", "bowl", (0.0, 0.0), 5, "pytorch", eps=0.0)  # zero gradient, eps 0: 0/0
    single = denominator_terms("rmsprop", "bowl", traj.xy, "pytorch", eps=0.0)
    both = denominator_terms("rmsprop", "bowl", np.stack([traj.xy, traj.xy], axis=1), "pytorch", eps=0.0)
    np.testing.assert_array_equal(single.accumulator, both.accumulator[:, 0])
    assert (single.accumulator == 0.0).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0, exclude_max=True), min_size=1, max_size=40),
    st.integers(1, 20000),
    st.booleans(),
)
def test_array_power_is_libms_pow_value_by_value(bases, exponent, frozen):
    """A batched run's bias corrections equal, bit for bit, what each of its runs computes alone in floats
    (libm's pow, as Python's ``**``), whether or not the array is a run's read-only copy (taken apart once)."""
    from optim._ops import power

    array = np.array(bases)
    array.flags.writeable = not frozen
    for _ in range(2):  # the second call of a read-only array reads its distinct values from the memo
        got = power(array, exponent)
        assert got.shape == array.shape
        assert got.tobytes() == np.array([b**exponent for b in bases]).tobytes()


def test_a_changed_array_gets_its_own_powers():
    from optim._ops import power

    array = np.array([0.9, 0.99])
    assert power(array, 3).tolist() == [0.9**3, 0.99**3]
    array[0] = 0.5  # writeable: never taken from the memo
    assert power(array, 3).tolist() == [0.5**3, 0.99**3]


@pytest.mark.parametrize("frozen", [False, True])
def test_has_zero_sees_a_zero_eps_in_any_row(frozen):
    """A zero eps in any row of a batch turns on the 0/0 -> no-step rule (_ops.undefined_to_zero), whether or not
    the array is a run's read-only copy (whose distinct values are taken apart once)."""
    from optim._ops import has_zero

    for values, expected in (([1e-8, 1e-7], False), ([1e-8, 0.0, 1e-7], True), ([-0.0, 1.0], True)):
        array = np.array(values)
        array.flags.writeable = not frozen
        assert has_zero(array) is expected
        assert has_zero(array) is expected  # again, from the memo when read-only
