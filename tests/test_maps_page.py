"""The Maps page through Streamlit's AppTest: defaults, bad links, unsupported combinations, widgets."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.apptest import charts, open_page
from views.maps.settings import MapsSettings

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_maps(query: dict[str, str] | None = None) -> AppTest:
    at = open_page("maps", timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def query_of(at: AppTest) -> dict[str, str]:
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def specs(at: AppTest) -> list[dict]:
    return charts(at)


def test_defaults_render_both_figures():
    at = open_maps({"res": "40"})
    assert not at.exception, [e.value for e in at.exception]
    basin, lr = specs(at)
    assert [t["type"] for t in basin["data"]].count("heatmap") == 2  # SGD and RMSProp panels
    assert {t.get("name") for t in lr["data"]} >= {"SGD", "RMSProp"}
    assert not at.warning
    assert query_of(at) == MapsSettings.default().with_changes(resolution=40).to_query()
    links = [link.proto.label for link in at.get("page_link")]
    assert any("Open this start" in label for label in links) and any("at lr" in label for label in links)


def test_bad_link_gives_warnings_not_tracebacks():
    at = open_maps({"res": "9999", "radius": "abc", "metric": "speed", "opt": "sgd,bogus", "steps": "-3"})
    assert not at.exception
    assert len(at.warning) >= 5
    shown = at.session_state["maps.settings"]
    assert (shown.resolution, shown.metric) == (200, "loss")
    assert "res" not in query_of(at) and "metric" not in query_of(at)  # defaults are left out of the link
    assert MapsSettings.from_query(query_of(at)) == (shown, [])


def test_unsupported_optimizer_convention_combination_gives_a_note():
    at = open_maps({"res": "30", "opt": "sgd,nadam", "conv": "tf1", "steps": "100"})
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "Nadam" in notes
    assert len(charts(at)) == 2  # SGD still has its map and curve


def test_surface_change_and_widgets():
    at = open_maps({"res": "30", "steps": "100"})
    at.selectbox(key="maps.surface").set_value("six_hump_camel").run()
    assert not at.exception
    assert query_of(at)["surface"] == "six_hump_camel"
    legend = {t.get("name") for t in specs(at)[0]["data"] if t.get("type") == "scatter"}
    assert any("local min" in str(name) for name in legend)
    at.radio(key="maps.metric").set_value("steps").run()
    assert not at.exception and query_of(at)["metric"] == "steps"
    at.selectbox(key="maps.surface").set_value("saddle").run()
    assert not at.exception
    assert any("no minimum" in i.value for i in at.info)
