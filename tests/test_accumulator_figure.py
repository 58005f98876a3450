"""viz.accumulator: the accumulator chart validates as a plotly Figure and draws what the history holds."""

from __future__ import annotations

import base64

import numpy as np
import pytest

import landscapes
import optim
from optim.history import trajectory_history
from viz.accumulator import accumulator_figure
from viz.curves import DRAWN_POINTS
from viz.style import Theme, optimizer_style


def _histories(surface, steps=150, convention="pytorch", **extra):
    out = []
    for name, hp in [("sgd", {}), ("adagrad", {}), ("rmsprop", extra), ("adam", {}), ("adadelta", {})]:
        if not optim.get(name).supports(convention):
            continue
        traj = optim.run(name, surface, steps=steps, convention=convention, **hp)
        history = trajectory_history(traj, surface)
        if history is not None:
            out.append(history)
    return out


def _decode(values) -> np.ndarray:
    """A trace's numbers as plotly.js reads them (typed arrays are base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.asarray(values, dtype=float)


@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
def test_figure_validates_and_has_legible_titles(convention):
    surface = landscapes.get("bowl")
    fig = accumulator_figure(_histories(surface, convention=convention), Theme(dark=True, font_scale=1.3))
    validated = fig.validated()  # every property checked by plotly
    layout = fig.spec["layout"]
    for key in ("xaxis", "xaxis2", "yaxis"):
        assert isinstance(layout[key]["title"], dict) and layout[key]["title"]["text"]
    assert layout["yaxis"]["type"] == "log"
    assert [a["text"] for a in layout["annotations"]] == ["along x", "along y"]
    assert validated.layout.title.text.startswith("Accumulators")


def test_every_accumulator_is_drawn_per_axis_in_its_optimizers_colour():
    surface = landscapes.get("bowl")
    histories = _histories(surface, centered=True)
    data = accumulator_figure(histories).spec["data"]
    for history in histories:
        label, color = optim.get(history.optimizer).label, optimizer_style(history.optimizer).color
        mine = [t for t in data if t["legendgroup"].startswith(history.optimizer + ".")]
        assert all(t["line"]["color"] == color for t in mine)
        assert len(mine) == 2 * (len(history.series) + 1)  # each series and g², along x and along y
        assert {t["xaxis"] for t in mine} == {"x", "x2"}
        names = {t["name"] for t in mine if t["showlegend"]}
        assert f"{label} g² (faint)" in names
    names = {t["name"] for t in data}
    assert {"RMSProp v", "RMSProp ḡ²", "Adagrad s", "Adam m²", "Adam v", "Adam v̂", "Adadelta v", "Adadelta u"} <= names
    faint = [t for t in data if t["name"].endswith("(faint)")]
    assert faint and all(t["opacity"] < 0.5 and t["line"]["width"] <= 1 for t in faint)


def test_drawn_values_are_the_history_and_only_what_a_log_axis_can_show():
    surface = landscapes.get("bowl")
    history = _histories(surface, steps=120)[1]  # RMSProp, v starts at 0
    assert history.optimizer == "rmsprop"
    data = accumulator_figure([history]).spec["data"]
    v_x = next(t for t in data if t["name"] == "RMSProp v" and t["xaxis"] == "x")
    y = _decode(v_x["y"])
    assert np.isnan(y[0])  # v_0 = 0 cannot sit on a log axis
    np.testing.assert_array_equal(y[1:], history["mean_sq"].values[1:, 0])
    g2 = next(t for t in data if t["name"] == "RMSProp g² (faint)" and t["xaxis"] == "x2")
    assert _decode(g2["x"])[0] == 1  # g_t² feeds row t: t = 1 is the first update
    np.testing.assert_array_equal(_decode(g2["y"]), history.grad_sq[:, 1])


def test_tf1_shows_its_mean_square_starting_at_one():
    surface = landscapes.get("bowl")
    history = trajectory_history(optim.run("rmsprop", surface, steps=30, convention="tf1"), surface)
    data = accumulator_figure([history]).spec["data"]
    v = next(t for t in data if t["name"] == "RMSProp v" and t["xaxis"] == "x")
    assert _decode(v["x"])[0] == 0 and _decode(v["y"])[0] == 1.0


def test_long_runs_are_thinned_for_drawing_only():
    surface = landscapes.get("rosenbrock")
    steps = 5000
    history = trajectory_history(optim.run("adam", surface, steps=steps, lr=0.01), surface)
    fig = accumulator_figure([history])
    for trace in fig.spec["data"]:
        x = _decode(trace["x"])
        assert len(x) <= DRAWN_POINTS and x[-1] == steps  # the last step is always drawn
    fig.validated()


def test_a_diverged_run_and_no_adaptive_optimizer():
    surface = landscapes.get("bowl")
    traj = optim.run("rmsprop", surface, steps=40, lr=500.0)
    assert traj.diverged_at is not None
    fig = accumulator_figure([trajectory_history(traj, surface)])
    for trace in fig.spec["data"]:
        y = _decode(trace["y"])
        assert not np.isinf(y).any() and (y[~np.isnan(y)] > 0).all()
    fig.validated()
    empty = accumulator_figure([])
    assert empty.spec["data"] == [] and empty.validated().layout.yaxis.type == "log"
