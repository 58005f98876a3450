"""Sweep: every switch of the optimizer (all 8 x 7, both ways) leaves a consistent page, and the next click works.

Issue 15, item 1: switching to Adam left RMSProp's axis choices and fixed sliders in the sidebar (they were drawn
from the settings stored before the switch while the widgets already held Adam's), the next click was lost and the
URL got ``y=none``. One AppTest session walks an Eulerian circuit of the complete directed graph of optimizers, so
it makes every ordered switch once, and after each switch it makes one other interaction and checks that it took.
"""

from __future__ import annotations

import itertools

from streamlit.testing.v1 import AppTest

import optim
from tests.apptest import open_page
from views.common import controls
from views.sweep import state
from views.sweep.settings import SweepSettings, numeric_hyperparams

SMALL = {"surface": "bowl", "nx": "2", "ny": "2", "steps": "10", "cmp": "sgd"}


def every_switch(names: list[str]) -> list[str]:
    """A closed walk through ``names`` that takes every ordered pair (a, b), a != b, exactly once."""
    unused = {a: [b for b in names if b != a] for a in names}
    stack, walk = [names[0]], []
    while stack:  # Hierholzer: every node has in-degree = out-degree, so the circuit exists
        node = stack[-1]
        if unused[node]:
            stack.append(unused[node].pop(0))
        else:
            walk.append(stack.pop())
    return walk[::-1]


def query_of(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def label_of(optimizer: str, name: str) -> str:
    p = next(p for p in optim.get(optimizer).hyperparams if p.name == name)
    return p.label if name in p.label.split() else f"{p.label} ({name})"


def assert_consistent(at: AppTest, optimizer: str, switched: bool = True) -> None:
    """Every control and the URL belong to ``optimizer``; just after a switch, y is "none" only for an optimizer
    with a single number (later the user may pick "none")."""
    assert not at.exception, [e.value for e in at.exception]
    numbers = [p.name for p in numeric_hyperparams(optimizer)]
    x, y = at.selectbox(key=state.axis_key("x")), at.selectbox(key=state.axis_key("y"))
    assert x.options == [label_of(optimizer, n) for n in numbers]
    assert y.options == [label_of(optimizer, n) for n in numbers] + ["none (a single row)"]
    assert x.value in numbers and y.value in numbers + [state.NO_AXIS]
    query = query_of(at)
    assert query["opt"] == optimizer
    assert (query["x"], query["y"]) == (x.value, y.value)
    if switched:
        assert (query["y"] == state.NO_AXIS) == (len(numbers) == 1), query
    axes = {x.value, y.value}
    fixed = {
        w.key for w in list(at.sidebar.select_slider) + list(at.sidebar.toggle) if w.key and w.key.startswith("sw.hp.")
    }
    assert fixed == {state.hp_key(optimizer, p.name) for p in optim.get(optimizer).hyperparams if p.name not in axes}
    settings = SweepSettings.from_query(query)[0]  # the URL holds every fixed value, as the sliders show it
    assert settings == at.session_state[state.STORED]
    assert {f"sw.hp.{optimizer}.{k}" for k, _ in settings.job.fixed} == fixed


def fixed_numbers(at: AppTest, optimizer: str) -> list[optim.HyperParam]:
    """The optimizer's numbers that are not on an axis (their sliders are in the "fixed" expander)."""
    axes = {at.selectbox(key=state.axis_key(a)).value for a in "xy"}
    return [p for p in numeric_hyperparams(optimizer) if p.name not in axes]


def another_click(at: AppTest, optimizer: str, turn: int) -> None:
    """One interaction of a kind that depends on ``turn``; asserts that it reached the URL."""
    numbers = [p.name for p in numeric_hyperparams(optimizer)]
    kind = turn % 4
    if kind == 0:
        before = query_of(at).get("metric", "loss")
        after = next(m for m in ("loss", "steps", "diverged") if m != before)
        at.radio(key=state.METRIC).set_value(after).run()
        assert query_of(at).get("metric", "loss") == after
    elif kind == 1 and len(numbers) > 1:
        current = at.selectbox(key=state.axis_key("y")).value
        x = at.selectbox(key=state.axis_key("x")).value
        after = next(n for n in [*numbers[::-1], state.NO_AXIS] if n not in (current, x))
        at.selectbox(key=state.axis_key("y")).set_value(after).run()
        assert query_of(at)["y"] == after
    elif kind == 2 and fixed_numbers(at, optimizer):
        p = fixed_numbers(at, optimizer)[0]
        slider = at.select_slider(key=state.hp_key(optimizer, p.name))
        after = next(v for v in controls.options_for(p)[::-1] if v != slider.value)
        slider.set_value(after).run()
        assert dict(SweepSettings.from_query(query_of(at))[0].job.fixed)[p.name] == after
    else:
        before = query_of(at).get("nx", "100")
        after = 5 if before == "2" else 2
        at.select_slider(key=state.axis_key("x", "n")).set_value(after).run()
        assert query_of(at)["nx"] == str(after)
    assert_consistent(at, optimizer, switched=False)


def test_the_walk_takes_every_ordered_switch_once():
    walk = every_switch(optim.names())
    pairs = list(itertools.pairwise(walk))
    assert len(pairs) == len(set(pairs)) == 8 * 7


def test_every_optimizer_switch_leaves_a_consistent_page_whose_next_click_works():
    at = open_page("sweep", timeout=120)
    walk = every_switch(optim.names())
    for key, value in (SMALL | {"opt": walk[0]}).items():
        at.query_params[key] = value
    at.run()
    assert_consistent(at, walk[0])
    for turn, optimizer in enumerate(walk[1:]):
        at.selectbox(key=state.OPTIMIZER).set_value(optimizer).run()
        assert_consistent(at, optimizer)
        assert query_of(at)["nx"] in ("2", "5")  # the resolution chosen so far is kept
        another_click(at, optimizer, turn)
