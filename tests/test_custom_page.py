"""The Playground with a custom surface (typed formula) through Streamlit's AppTest."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optim
from tests.test_playground_page import (
    as_array,
    assert_healthy,
    contour_spec,
    open_app,
    open_sections,
    path_traces,
    query_of,
)
from views.common.scenario import Scenario
from views.playground import state
from views.playground.custom import EXAMPLE_KEY

EXPR = state.param_key("expr")


def stored(at) -> Scenario:
    return at.session_state[state.STORED]


def unescaped(elements) -> str:
    return " ".join(e.value for e in elements).replace("\\", "")


def choose_custom(at):
    at.selectbox(key=state.SURFACE).set_value(landscapes.CUSTOM).run()
    assert_healthy(at)
    return at


def test_choosing_custom_and_typing_a_formula_uses_it():
    at = choose_custom(open_app())
    assert stored(at) == Scenario.default("custom")
    assert at.text_input(key=EXPR).value == "x**2+10*y**2"
    assert any("Estimated minimum" in c.value for c in at.caption)

    at.text_input(key=EXPR).input("x**2 + 100*y**2").run()
    assert_healthy(at)
    scenario = stored(at)
    assert scenario.params()["expr"] == "x**2+100*y**2"
    assert query_of(at)["custom.expr"] == "x**2+100*y**2"
    assert "**Custom: x**2+100*y**2.**" in unescaped(at.markdown)  # the header, shown literally
    # the drawn path is the core's run on exactly this formula
    expected = optim.run("rmsprop", scenario.landscape(), scenario.start, scenario.steps, **scenario.hp("rmsprop")).xy[
        -1
    ]
    drawn = path_traces(at)["RMSProp"]
    np.testing.assert_array_equal([as_array(drawn["x"])[-1], as_array(drawn["y"])[-1]], expected)
    assert not at.error


def test_invalid_formula_shows_where_and_keeps_the_last_valid_surface():
    at = choose_custom(open_app())
    at.text_input(key=EXPR).input("sin(x) + cos(y").run()
    assert_healthy(at)
    at.text_input(key=EXPR).input("sin(x)*cos(y)").run()
    before = stored(at)
    at.text_input(key=EXPR).input("sin(x) + 2x").run()
    assert_healthy(at)
    assert stored(at) == before  # still the last formula that worked
    message = unescaped(at.error)
    assert "column 10" in message and "missing operator" in message
    assert "sin(x) + 2x\n         ^" in message  # the caret sits under the problem
    at.text_input(key=EXPR).input("sin(x) +").run()
    assert "ends too early at column 9" in unescaped(at.error)
    at.text_input(key=EXPR).input("__import__('os').system('ls')").run()
    assert_healthy(at)
    assert "Unknown function" in unescaped(at.error) or "Attribute access" in unescaped(at.error)
    assert stored(at) == before
    at.text_input(key=EXPR).input("sin(x)*cos(y) + 0.1*x**2").run()
    assert not at.error and stored(at).params()["expr"] == "sin(x)*cos(y)+0.1*x**2"


def test_bad_region_shows_an_error_and_a_new_region_moves_the_start_inside():
    at = choose_custom(open_app())
    at.number_input(key=state.param_key("xmin")).set_value(3.0).run()
    assert_healthy(at)
    assert "x range must go from low to high" in unescaped(at.error)
    assert stored(at).params()["xmin"] == -2.0
    at.number_input(key=state.param_key("xmin")).set_value(0.5).run()
    assert_healthy(at) and not at.error
    scenario = stored(at)
    assert scenario.params()["xmin"] == 0.5 and 0.5 <= scenario.start[0] <= 2.0
    assert contour_spec(at)["layout"]["xaxis"]["range"][0] >= 0.4


def test_examples_fill_the_box_and_the_region():
    at = choose_custom(open_app())
    example = landscapes.EXAMPLES[3]
    at.pills(key=EXAMPLE_KEY).set_value(3).run()
    assert_healthy(at)
    assert at.text_input(key=EXPR).value == example.expr
    assert at.pills(key=EXAMPLE_KEY).value is None  # clickable again
    scenario = stored(at)
    assert scenario.landscape().domain == example.domain
    assert scenario.start == landscapes.get("custom", expr=example.expr, xmin=-2, xmax=2, ymin=-1, ymax=3).start


def test_reset_keeps_the_formula():
    at = choose_custom(open_app())
    at.text_input(key=EXPR).input("x**4 - 2*x**2 + y**2").run()
    open_sections(at, "adam")
    at.select_slider(key=state.hp_key("adam", "lr")).set_value(0.5).run()
    next(b for b in at.button if b.label.startswith("Reset")).click().run()
    assert_healthy(at)
    assert stored(at) == Scenario.default("custom", {"expr": "x**4 - 2*x**2 + y**2"})


def test_a_link_with_a_formula_loads_it():
    query = {"surface": "custom", "custom.expr": "sin(x)*cos(y)", "custom.xmin": "-4.0", "custom.xmax": "4.0"}
    at = open_app(query)
    assert_healthy(at)
    assert not at.warning
    assert at.text_input(key=EXPR).value == "sin(x)*cos(y)"
    assert stored(at).landscape().domain == ((-4.0, 4.0), (-2.0, 2.0))
    assert Scenario.from_query(query_of(at)) == (stored(at), [])


@pytest.mark.parametrize("expr", ["__import__('os').system('echo hacked')", "().__class__.__bases__", "x" * 2000])
def test_a_link_with_an_injection_attempt_warns_and_shows_the_default(expr):
    at = open_app({"surface": "custom", "custom.expr": expr})
    assert_healthy(at)
    assert stored(at) == Scenario.default("custom")
    assert any("cannot be used" in w.value for w in at.warning)


def test_every_tab_works_with_a_custom_surface():
    at = open_app({"surface": "custom", "custom.expr": "log(x) + y**2", "opt": "sgd,rmsprop,adam"})
    assert_healthy(at)
    assert any("undefined" in c.value for c in at.caption)  # the blank part of the contour is explained
    assert (at.dataframe[0].value["diverged at step"] != "—").any()
    for tab in ("Step inspector", "3-D view", "Code", "Data"):
        at.session_state["pg.tab"] = tab
        at.run()
        assert not at.exception, tab
    assert any("custom.expr=log%28x%29%2By**2" in c.value for c in at.code)  # the share link


def test_the_summary_says_the_minimum_is_estimated():
    at = open_app({"surface": "custom", "custom.expr": "x**2 + 10*y**2"})
    assert_healthy(at)
    columns = list(at.dataframe[0].value.columns)
    assert "final f − f̂*" in columns and not any(c.endswith("f*") for c in columns)
