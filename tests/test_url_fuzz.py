"""Any address a student can paste: every page's URL parser, fed random keys and junk values (hypothesis).

Whatever comes in, parsing never raises, every value it keeps lies in its range, and what it returns is
itself a valid link: parsing its own query again gives the same settings and no warning.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landscapes
import optim
from views.common import quiz
from views.common.scenario import MAX_STEPS, NOISE_RANGE, TOL_RANGE, Scenario
from views.maps.settings import MapsSettings
from views.playground.settings import TeacherLink
from views.sweep.settings import MAX_RESOLUTION, SweepSettings

SURFACES = landscapes.names(custom=True)
JUNK = [
    "",
    " ",
    "abc",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "-1e309",
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "1e-300",
    "1e12",
    "9" * 40,
    "1,2",
    "1,nan",
    "0,0",
    ",",
    "1,2,3",
    "on",
    "off",
    "yes",
    "true",
    "none",
    "log",
    "log1m",
    "linear",
    "x**2+y**2",
    "sin(x)*cos(y)",
    "__import__('os')",
    "rmsprop",
    "sgd,adam",
    "lr",
    "rho",
    "cosine",
    "step",
]
VALUES = st.one_of(
    st.sampled_from(JUNK),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.text(max_size=12),
)
_HP_KEYS = [f"{n}.{p.name}" for n in optim.names() for p in optim.get(n).hyperparams]
_SURFACE_KEYS = [f"{s}.{p.name}" for s in SURFACES for p in landscapes.spec(s).params]
PLAYGROUND_KEYS = [
    "surface", "opt", "conv", "start", "steps", "noise", "seed", "tol", "present", "sched", "sched.every",
    "sched.gamma", "sched.T", "sched.floor", "sched.warmup", "sched.warmup_start", "bands", "curv", "k", "multi",
    *_HP_KEYS, *_SURFACE_KEYS, "embed", "lock", "hide", "only", "ask", "bogus", "rmsprop.bogus",
]  # fmt: skip
SWEEP_KEYS = [*PLAYGROUND_KEYS, "x", "xmin", "xmax", "nx", "xscale", "y", "ymin", "ymax", "ny", "yscale",
              "metric", "cell", "cmp", "best"]  # fmt: skip
MAPS_KEYS = [*PLAYGROUND_KEYS, "res", "radius", "metric", "lrs"]
#: Numbers a float's last bit away from a short decimal, as number inputs and grids produced them (issue 15).
NOISY = st.builds(
    lambda d, sign: repr(float(d) * (1 + sign * 2**-52)), st.decimals(-2, 2, places=2), st.sampled_from([-1, 1])
)
#: Values that steer the parsers into their branches more often than random text would.
FOCUSED = {
    "start": st.tuples(NOISY, NOISY).map(",".join),
    "rmsprop.lr": st.one_of(NOISY, st.sampled_from(["0.08111308307896872", "1.2000000000000002"])),
    "xmin": NOISY,
    "radius": NOISY,
    "surface": st.sampled_from([*SURFACES, "moon", ""]),
    "opt": st.lists(st.sampled_from([*optim.names(), "lion", ""]), max_size=4).map(",".join),
    "conv": st.sampled_from([*optim.CONVENTIONS, "caffe"]),
    "x": st.sampled_from(["lr", "rho", "eps", "beta1", "momentum", "alpha", "none"]),
    "y": st.sampled_from(["lr", "rho", "eps", "beta2", "momentum", "none", "centered"]),
    "sched": st.sampled_from(["constant", "step", "exponential", "cosine", "zigzag"]),
    "lock": st.lists(st.sampled_from(["surface", "opt", "steps", "rmsprop.*", "*.lr", "all", "colour"])).map(",".join),
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def queries(keys: list[str]) -> st.SearchStrategy[dict[str, str]]:
    def value_for(key: str) -> st.SearchStrategy[str]:
        return st.one_of(FOCUSED[key], VALUES) if key in FOCUSED else VALUES

    return st.lists(st.sampled_from(keys), max_size=12, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({k: value_for(k) for k in chosen})
    )


def assert_short_numbers(query: dict[str, str]) -> None:
    """No float noise in a link the app writes: every number has at most 12 significant digits."""
    for value in query.values():
        for part in value.split(","):
            try:
                number = float(part)
            except ValueError:
                continue
            if math.isfinite(number):
                digits = part.lstrip("-").split("e")[0].replace(".", "").strip("0")
                assert len(digits) <= 12, (part, query)


def assert_valid_scenario(s: Scenario) -> None:
    assert s.surface in SURFACES and s.optimizers and set(s.optimizers) <= set(optim.names())
    assert 1 <= s.steps <= MAX_STEPS and 0 <= s.k < s.steps
    assert NOISE_RANGE[0] <= s.noise <= NOISE_RANGE[1] and TOL_RANGE[0] <= s.tol <= TOL_RANGE[1]
    (x0, x1), (y0, y1) = s.landscape().domain
    assert x0 <= s.start[0] <= x1 and y0 <= s.start[1] <= y1
    for name in s.optimizers:
        for p in optim.get(name).hyperparams:
            value = s.hp(name)[p.name]
            if p.kind == "bool":
                assert isinstance(value, bool)
            else:
                low, high = p.slider_range
                assert math.isfinite(value) and low <= value <= high, (name, p.name, value)


@FAST
@given(queries(PLAYGROUND_KEYS))
def test_any_playground_link_gives_a_valid_view(query):
    scenario, warnings = Scenario.from_query(query)
    assert all(isinstance(w, str) and w for w in warnings)
    assert_valid_scenario(scenario)
    assert Scenario.from_query(scenario.to_query()) == (scenario, [])
    assert_short_numbers(scenario.to_query())


@FAST
@given(queries(SWEEP_KEYS))
def test_any_sweep_link_gives_valid_settings(query):
    sweep, warnings = SweepSettings.from_query(query)
    assert all(isinstance(w, str) and w for w in warnings)
    job = sweep.job
    for axis in (job.x, job.y):
        if axis is not None:
            assert 2 <= axis.count <= MAX_RESOLUTION and axis.low < axis.high
    assert job.cells <= MAX_RESOLUTION**2
    assert_valid_scenario(job.scenario())
    assert SweepSettings.from_query(sweep.to_query()) == (sweep, [])
    assert_short_numbers(sweep.to_query())


@FAST
@given(queries(MAPS_KEYS))
def test_any_maps_link_gives_valid_settings(query):
    maps, warnings = MapsSettings.from_query(query)
    assert all(isinstance(w, str) and w for w in warnings)
    assert_valid_scenario(maps.scenario)
    assert MapsSettings.from_query(maps.to_query()) == (maps, [])
    assert_short_numbers(maps.to_query())


@FAST
@given(queries(["lock", "hide", "only", "ask"]))
def test_any_teacher_link_parses_and_round_trips(query):
    link, warnings = TeacherLink.from_query(query)
    assert all(isinstance(w, str) and w for w in warnings)
    assert TeacherLink.from_query(link.to_query()) == (link, [])
    question, _ = quiz.Question.parse(query.get("ask"))
    assert question is None or quiz.Question.parse(question.key) == (question, [])


def test_a_playground_step_k_beyond_the_maps_runs_is_clamped():
    # Found by the property test: k fits the Playground's 1,000 Rosenbrock steps, not the maps' 500.
    maps, warnings = MapsSettings.from_query({"surface": "rosenbrock", "k": "700"})
    assert maps.scenario.steps == 500 and maps.scenario.k == 499
    assert any("Step k = 700" in w for w in warnings)
    assert MapsSettings.from_query(maps.to_query()) == (maps, [])
