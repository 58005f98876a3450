"""The "custom" surface entry: registry, caching, scenarios and their URL round trip, bad links."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optim
from views.common.scenario import Scenario, markdown_text

DOMAIN = {"xmin": -2.0, "xmax": 2.0, "ymin": -2.0, "ymax": 2.0}


def custom_query(expr: str, **extra: str) -> dict[str, str]:
    return {"surface": "custom", "custom.expr": expr, **extra}


def test_custom_is_registered_but_not_a_built_in():
    assert "custom" not in landscapes.names()
    assert landscapes.names(custom=True) == [*landscapes.names(), "custom"]
    assert landscapes.spec("custom").label.startswith("Custom")


def test_get_builds_a_formula_with_canonical_params_and_caches_it():
    surface = landscapes.get("custom", expr="x**2 + 100*y**2", **DOMAIN)
    assert surface.name == "custom" and landscapes.is_estimated_minimum(surface)
    assert dict(surface.params) == {"expr": "x**2+100*y**2", **DOMAIN}
    np.testing.assert_allclose(surface.grad(np.array([1.0, 0.5])), [2.0, 100.0])
    assert landscapes.get("custom", expr="x**2 + 100*y**2", **DOMAIN) is surface  # cached
    default = landscapes.get("custom")
    assert default.params["expr"] == "x**2+10*y**2" and default.domain == ((-2.0, 2.0), (-2.0, 2.0))


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"expr": "__import__('os')"}, landscapes.ExpressionError, "Unknown function '__import__' at column 1"),
        ({"expr": "x + z"}, landscapes.ExpressionError, "column 5"),
        ({"expr": 3}, ValueError, "must be text"),
        ({"expr": "x" * 301}, ValueError, "too long"),
        ({"xmin": 3.0}, ValueError, "x range must go from low to high"),
        ({"ymax": 1e9}, ValueError, "ymax must be between"),
        ({"expr": "log(-1 - x**2)"}, ValueError, "undefined"),
        ({"zmin": 0.0}, ValueError, "unknown parameter"),
    ],
)
def test_bad_custom_params_raise_clear_errors(params, error, match):
    with pytest.raises(error, match=match):
        landscapes.get("custom", **params)


def test_errors_are_not_cached_as_surfaces_and_keep_their_column():
    for _ in range(2):
        with pytest.raises(landscapes.ExpressionError) as caught:
            landscapes.get("custom", expr="x**2 + 2x")
        assert caught.value.column == 8


def test_the_core_runs_on_a_custom_surface_and_stops_where_f_is_undefined():
    surface = landscapes.get("custom", expr="log(x) + y**2", xmin=-2.0, xmax=2.0, ymin=-2.0, ymax=2.0)
    traj = optim.run("sgd", surface, (1.0, 1.0), 100, lr=0.5)
    assert traj.diverged_at is not None and np.isfinite(traj.xy).all() and np.isfinite(traj.loss).all()


EXPRESSIONS = ["x**2 + 100*y**2", "sin(x)*cos(y)", "(1-x)**2 + 100*(y-x**2)**2", "log(1 + x**2 + 10*y**2)"]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_url_round_trip_is_identity_for_custom_scenarios(expr):
    scenario = Scenario.default("custom", {"expr": expr, "xmin": -3.0, "xmax": 2.5, "ymin": -1.0, "ymax": 3.0})
    scenario = scenario.with_changes(
        optimizers=("sgd", "rmsprop"),
        hyperparams=(("sgd", (("lr", 0.01),)), ("rmsprop", tuple(sorted(scenario.hp("rmsprop").items())))),
        start=(-2.5, 2.0),
        steps=77,
        convention="keras",
    )
    query = scenario.to_query()
    assert query["surface"] == "custom" and query["custom.expr"] == expr.replace(" ", "")
    assert query["custom.xmin"] == "-3.0"
    assert Scenario.from_query(query) == (scenario, [])


def test_scenario_default_holds_the_canonical_formula():
    spaced = Scenario.default("custom", {"expr": " x**2 +  y**2 "})
    assert spaced == Scenario.default("custom", {"expr": "x**2+y**2"})
    assert spaced.params()["expr"] == "x**2+y**2"
    assert spaced.landscape().params["expr"] == "x**2+y**2"


@pytest.mark.parametrize(
    "query, expect",
    [
        (custom_query("__import__('os').system('ls')"), "Attribute access"),
        (custom_query("x.__class__"), "Attribute access"),
        (custom_query("lambda: 0"), "lambda"),
        (custom_query("9**9**9"), "exponent"),
        (custom_query("x" * 5000), "too long"),
        (custom_query(""), "Type an expression"),
        (custom_query("log(-1 - x**2)"), "undefined"),
        (custom_query("[x](http://evil.example) + y"), "column 9"),
    ],
)
def test_bad_formula_in_a_link_gives_the_default_example_and_a_warning(query, expect):
    scenario, warnings = Scenario.from_query(query)
    assert scenario == Scenario.default("custom")
    assert len(warnings) == 1 and expect.lower() in warnings[0].replace("\\", "").lower(), warnings
    assert "http://evil" not in warnings[0]  # quoted text is escaped: never a live Markdown link


@pytest.mark.parametrize(
    "extra, expect",
    [
        ({"custom.xmin": "5"}, "x range must go from low to high"),
        ({"custom.ymax": "abc"}, "not a number"),
        ({"custom.xmax": "1e99"}, "outside"),
    ],
)
def test_bad_region_in_a_link_is_fixed_with_a_warning(extra, expect):
    scenario, warnings = Scenario.from_query(custom_query("sin(x)*cos(y)", **extra))
    assert scenario.params()["expr"] == "sin(x)*cos(y)"
    assert any(expect in w.replace("\\", "") for w in warnings), warnings
    scenario.landscape()  # a valid surface


def test_formula_defined_nowhere_in_the_region_falls_back_and_start_outside_is_clamped():
    scenario, warnings = Scenario.from_query(
        custom_query("log(x)", **{"custom.xmin": "-3", "custom.xmax": "-1", "start": "5,0"})
    )
    assert scenario.params()["expr"] == "x**2+10*y**2" and len(warnings) == 2
    assert scenario.start == (-1.0, 0.0)


def test_other_surfaces_ignore_custom_parameters_silently():
    scenario, warnings = Scenario.from_query({"surface": "bowl", "custom.expr": "junk((("})
    assert scenario == Scenario.default("bowl") and warnings == []


def test_markdown_text_shows_user_text_literally():
    assert markdown_text("[a](b) *x* $y$ :red[z]") == r"\[a\]\(b\) \*x\* \$y\$ \:red\[z\]"
    assert markdown_text("x" * 100, 10) == "x" * 9 + "…"
