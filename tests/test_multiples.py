"""Figures of the curvature layer and the small multiples: traces, playback metadata, validity and payload size."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

import landscapes
import optim
from analysis.curvature import curvature_at
from views.common import presets
from viz.contour import contour_figure
from viz.curvature import CurvatureMark, curvature_traces
from viz.multiples import columns_for, multiples_figure, panel_background
from viz.paths import PathData
from viz.style import LIGHT, Theme

FIVE = ("sgd", "momentum", "adagrad", "rmsprop", "adam")


def paths_for(surface, names=FIVE, steps=1000, **overrides) -> list[PathData]:
    out = []
    for name in names:
        hp = presets.default_hp(surface.name, name) | overrides.get(name, {})
        t = optim.run(name, surface, surface.start, steps, **hp)
        out.append(PathData(name, optim.get(name).label, t.xy, t.loss, t.effective_lr, t.diverged_at))
    return out


def mark(surface, path: PathData, k: int) -> CurvatureMark:
    return CurvatureMark(path.name, path.label, k, path.xy[k], curvature_at(surface, path.xy[k]))


def test_curvature_layer_on_the_contour_is_valid():
    surface = landscapes.get("bowl", condition=100.0, angle=30.0)
    paths = paths_for(surface, steps=50)
    marks = [mark(surface, p, 10) for p in paths]
    layer = curvature_traces(marks, surface.domain, LIGHT)
    assert len(layer) == 2 * len(paths) + 1  # a level set and its axes per optimizer, one ring trace
    fig = contour_figure(surface, surface.grid(41), paths, surface.start, LIGHT, overlays=layer)
    fig.validated()
    names = [t.get("name") for t in fig.spec["data"]]
    assert "iterate at step k" in names and "SGD: curvature at step 10" in names
    assert all(n.endswith("play head") for n in names[-len(paths) :])  # heads on top of everything
    assert "frames" not in fig.spec  # playback happens in the browser (views/common/live_charts.js)


def test_saddle_layer_is_dashed_and_flat_points_draw_nothing():
    saddle = landscapes.get("saddle")
    c = curvature_at(saddle, (0.5, 0.5))
    (level, _axes, _ring) = curvature_traces(
        [CurvatureMark("sgd", "SGD", 0, np.array([0.5, 0.5]), c)], saddle.domain, LIGHT
    )
    assert level["line"]["dash"] == "dash"
    flat = landscapes.get(landscapes.CUSTOM, expr="x + y")
    c = curvature_at(flat, (0.0, 0.0))
    traces = curvature_traces([CurvatureMark("sgd", "SGD", 0, np.zeros(2), c)], flat.domain, LIGHT)
    assert [t["name"] for t in traces] == ["iterate at step k"]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8])
def test_small_multiples_have_a_panel_per_optimizer(count):
    surface = landscapes.get("rosenbrock")
    names = tuple(optim.names()[:count])
    paths = paths_for(surface, names, steps=300)
    fig = multiples_figure(surface, panel_background(surface, LIGHT), paths, surface.start, LIGHT)
    fig.validated()
    layout = fig.spec["layout"]
    axes = [k for k in layout if k.startswith("xaxis")]
    assert len(axes) == count
    assert [a["text"].split("<b>")[1].split("</b>")[0] for a in layout["annotations"]] == [p.label for p in paths]
    for i in range(2, count + 1):
        assert layout[f"xaxis{i}"]["matches"] == "x" and layout[f"yaxis{i}"]["matches"] == "y"
    heads = [t for t in fig.spec["data"] if t.get("name", "").endswith("play head")]
    assert [h["meta"]["head"] for h in heads] == [f"path.{p.name}" for p in paths]
    uids = {t.get("uid") for t in fig.spec["data"]}
    assert {f"path.{p.name}" for p in paths} <= uids and "frames" not in fig.spec
    columns = columns_for(count)
    assert columns <= 3 and (count <= 2 or columns >= 2)


def test_small_multiples_keep_colours_and_curvature_per_panel():
    surface = landscapes.get("bowl")
    paths = paths_for(surface, steps=100, sgd={"lr": 0.021})  # SGD diverges: 0.021 > 2/100
    overlays = {p.name: curvature_traces([mark(surface, p, 5)], surface.domain, LIGHT) for p in paths}
    fig = multiples_figure(surface, panel_background(surface, LIGHT), paths, surface.start, LIGHT, overlays=overlays)
    fig.validated()
    data = fig.spec["data"]
    for i, path in enumerate(paths):
        axes = ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")
        own = [t for t in data if (t.get("xaxis", "x"), t.get("yaxis", "y")) == axes]
        line = next(t for t in own if t.get("name") == path.label)
        assert line["line"]["color"] == optim_colour(path.name)
        assert any(t.get("name") == f"{path.label}: curvature at step 5" for t in own)
    assert any(t.get("name") == "SGD diverged" for t in data)


def optim_colour(name: str) -> str:
    from viz.style import optimizer_style

    return optimizer_style(name).color


@pytest.mark.parametrize("theme", [LIGHT, Theme(dark=True)])
def test_payload_of_five_panels_is_small(theme):
    surface = landscapes.get("bowl")
    paths = paths_for(surface, steps=1000)
    overlays = {p.name: curvature_traces([mark(surface, p, 10)], surface.domain, theme) for p in paths}
    fig = multiples_figure(surface, panel_background(surface, theme), paths, surface.start, theme, overlays=overlays)
    size = len(pio.to_json(fig.spec, validate=False))
    assert size < 450_000, size  # with the loss and lr charts the page stays under 1 MB
    json.loads(pio.to_json(fig.spec, validate=False))


def test_contour_traces_tell_the_browser_what_to_trail_and_where_heads_start():
    """Playback runs in the browser: it trails every trace marked ``meta.trail`` up to step k (by the steps in its
    customdata) and moves each head (``meta.head``) to its path's point at step k; heads start at each path's end."""
    surface = landscapes.get("bowl")
    paths = [
        PathData(name, name, t.xy, t.loss, t.effective_lr, t.diverged_at)
        for name, t in (
            ("sgd", optim.run("sgd", surface, None, 150, lr=0.021)),  # diverges at step 30
            ("rmsprop", optim.run("rmsprop", surface, None, 150, lr=0.05)),
        )
    ]
    data = contour_figure(surface, surface.grid(41), paths, surface.start, focus="sgd").to_dict()["data"]
    by_uid = {t.get("uid"): t for t in data}
    for path in paths:
        line, head = by_uid[f"path.{path.name}"], by_uid[f"head.{path.name}"]
        steps = as_array(line["customdata"])
        assert line["meta"] == {"trail": True} and steps[-1] == path.last and np.all(np.diff(steps) > 0)
        assert head["meta"] == {"head": f"path.{path.name}"}
        assert (head["x"][0], head["y"][0]) == tuple(path.xy[path.last])
    order = [t["uid"] for t in data if str(t.get("uid", "")).startswith("path.")]
    assert order == ["path.rmsprop", "path.sgd"]  # the focus optimizer is drawn last, on top
    assert by_uid["path.sgd"]["line"]["width"] > by_uid["path.rmsprop"]["line"]["width"]


def as_array(value) -> np.ndarray:
    import base64

    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def _diverged(name: str, point: tuple[float, float], at: int = 5) -> PathData:
    xy = np.vstack([np.linspace((1.5, 1.5), point, at), [[np.inf, np.inf]]])
    return PathData(name, optim.get(name).label, xy, np.ones(at + 1), np.ones((at, 2)), at)


def _divergence_labels(figure) -> dict[str, str]:
    figure.validated()
    return {t["name"]: t["textposition"] for t in figure.spec["data"] if t.get("name", "").endswith(" diverged")}


def test_divergence_labels_at_the_same_point_do_not_overlap():
    bowl = landscapes.get("bowl")
    grid = bowl.grid(41)
    same = [_diverged("sgd", (0.2, 0.3)), _diverged("momentum", (0.2, 0.3), at=8)]
    positions = _divergence_labels(contour_figure(bowl, grid, same, bowl.start))
    assert len(positions) == 2 and len(set(positions.values())) == 2, positions
    three = [*same, _diverged("adam", (0.25, 0.2))]
    positions = _divergence_labels(contour_figure(bowl, grid, three, bowl.start))
    assert len(set(positions.values())) == 3 and positions["SGD diverged"] == "top center", positions
    apart = [_diverged("sgd", (-1.0, -1.0)), _diverged("momentum", (1.0, 1.0))]
    positions = _divergence_labels(contour_figure(bowl, grid, apart, bowl.start))
    assert set(positions.values()) == {"top center"}  # far apart: each label above its mark, as before
    edge = [_diverged("sgd", (-1.95, -1.0))]  # above it, the label would be clipped by the plot's left edge
    positions = _divergence_labels(contour_figure(bowl, grid, edge, bowl.start))
    assert positions == {"SGD diverged": "middle right"}


@pytest.mark.parametrize(
    "array",
    [
        np.linspace(0, 1, 7),
        np.arange(12, dtype=np.float64).reshape(3, 4),
        np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2],  # not contiguous
        np.linspace(-1, 1, 5, dtype=np.float32),
        np.array([0, 5, -3], dtype=np.int64),  # fits int8
        np.array([0, 70_000], dtype=np.int64),  # needs int32
        np.array([0, 2**40], dtype=np.int64),  # too big for plotly.js: stays a plain list
        np.array([1, 300], dtype=np.uint64),
        np.arange(4, dtype=np.int32),
        np.array([], dtype=np.float64),
    ],
)
def test_typed_arrays_are_what_plotly_itself_sends(array):
    from _plotly_utils.utils import to_typed_array_spec

    from viz.figure import typed_array

    ours, theirs = typed_array(array), to_typed_array_spec(array)
    if isinstance(theirs, np.ndarray):  # plotly leaves it to the JSON encoder, which writes a list
        theirs = theirs.tolist()
    assert ours == theirs


def test_figures_go_out_through_orjson_with_the_same_content():
    """requirements.txt installs orjson so that plotly.io (what st.plotly_chart calls) uses it; it must
    write what plotly's json engine writes, NaN (a diverged run's gaps) included."""
    import json

    import plotly.io as pio
    from plotly.io._json import JsonConfig

    from viz.figure import SpecFigure

    assert pio.json.config.default_engine == "auto"
    JsonConfig.validate_orjson()  # raises when orjson is missing
    figure = SpecFigure([{"type": "scatter", "x": [0.0, 1.0, 2.0], "y": [1.0, float("nan"), 3.0]}], {"title": "é<"})
    fast, slow = (
        pio.to_json(figure, validate=False, engine="orjson"),
        pio.to_json(figure, validate=False, engine="json"),
    )
    assert json.loads(fast) == json.loads(slow) and json.loads(fast)["data"][0]["y"] == [1.0, None, 3.0]
