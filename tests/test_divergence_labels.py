"""Divergence labels ("diverged (step n)") on the contour do not overlap (issue 15, item 3: log(x)+y**2)."""

from __future__ import annotations

import itertools

import optim
from views.common.scenario import Scenario
from viz.contour import _label_box, _overlap, divergence_text_positions
from viz.paths import PathData

LOG = {"surface": "custom", "custom.expr": "log(x) + y**2", "opt": "sgd,momentum,adagrad,rmsprop,adam"}


def diverged_paths(query: dict[str, str]) -> list[PathData]:
    scenario = Scenario.from_query(query)[0]
    surface = scenario.landscape()
    paths = []
    for name in scenario.optimizers:
        run = optim.run(name, surface, scenario.start, scenario.steps, **scenario.hp(name))
        diverged = None if run.diverged_at is None or run.diverged_at < 0 else int(run.diverged_at)
        paths.append(PathData(name, optim.get(name).label, run.xy, run.loss, run.effective_lr, diverged))
    return [p for p in paths if p.diverged_at is not None]


def boxes(paths: list[PathData], domain) -> list[tuple[float, float, float, float]]:
    (x0, x1), (y0, y1) = domain
    out = []
    for path, position in zip(paths, divergence_text_positions(paths, domain), strict=True):
        x, y = path.xy[path.last]
        u, v = (x - x0) / (x1 - x0) * 320, (y - y0) / (y1 - y0) * 320
        out.append(_label_box(u, v, position, 7.2 * len(f"diverged (step {path.diverged_at})")))
    return out


def test_the_five_labels_on_log_x_do_not_overlap():
    paths = diverged_paths(LOG)
    assert len(paths) == 5  # every optimizer falls into the singularity at x = 0, all close together
    placed = boxes(paths, ((-2.0, 2.0), (-2.0, 2.0)))
    for a, b in itertools.combinations(placed, 2):
        assert _overlap(a, b) == 0, (a, b)
    for box in placed:  # inside the plot (Plotly clips text at the axes)
        assert box[0] >= 0 and box[1] >= 0 and box[2] <= 320 and box[3] <= 320
