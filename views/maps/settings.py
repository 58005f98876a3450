"""MapsSettings: what the Maps page shows (a Scenario plus the map's own knobs), and its URL form.

The surface, optimizers, hyperparameters, convention, start, noise, seed and tolerance are a
Scenario's and are parsed by ``Scenario.from_query`` (so every surface the Scenario knows, custom
formulas included, works here too). The page adds:

    res=200       basin-map grid side (starts per axis), 20..200
    radius=0.02   a run "reached" a point within this fraction of the domain's larger side, 0.001..0.2
    metric=loss   sensitivity metric: loss (final loss) or steps (steps to the tolerance)
    lrs=60        learning rates per sensitivity curve, 5..200
    steps=500     steps per run here, 10..2000 (a Playground link may carry more; they are clamped)

Invalid values never raise: ``from_query`` returns the nearest valid settings and a warning for each fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from analysis.decimals import tidy
from analysis.sensitivity import COUNT_RANGE, DEFAULT_COUNT
from views.common.query import flat, parse_integer, parse_number
from views.common.run_spec import SurfaceKey
from views.common.scenario import Scenario

DEFAULT_SURFACE = "himmelblau"
DEFAULT_OPTIMIZERS = ("sgd", "rmsprop")
RES_RANGE, DEFAULT_RES = (20, 200), 200
RADIUS_RANGE, DEFAULT_RADIUS = (0.001, 0.2), 0.02
STEPS_RANGE, DEFAULT_STEPS = (10, 2000), 500
METRICS = ("loss", "steps")
#: The page's own URL keys (everything else is the Scenario's).
OWN_KEYS = ("res", "radius", "metric", "lrs", "steps")


@dataclass(frozen=True)
class MapsSettings:
    scenario: Scenario
    resolution: int = DEFAULT_RES
    radius: float = DEFAULT_RADIUS
    metric: str = "loss"
    lr_count: int = DEFAULT_COUNT

    def __post_init__(self) -> None:
        object.__setattr__(self, "radius", tidy(self.radius))

    @property
    def surface_key(self) -> SurfaceKey:
        return self.scenario.surface_key

    def with_changes(self, **changes: Any) -> MapsSettings:
        return replace(self, **changes)

    def to_query(self) -> dict[str, str]:
        """Flat string parameters; ``from_query`` inverts it exactly (the page's own values are left out at
        their defaults; the steps are always written, since this page's default is not the Playground's)."""
        query = self.scenario.to_query() | {"steps": str(self.scenario.steps)}
        own = {"res": str(self.resolution), "radius": repr(float(self.radius)), "metric": self.metric}
        own["lrs"] = str(self.lr_count)
        defaults = {"res": str(DEFAULT_RES), "radius": repr(DEFAULT_RADIUS), "metric": "loss"}
        defaults["lrs"] = str(DEFAULT_COUNT)
        return query | {k: v for k, v in own.items() if v != defaults[k]}

    @classmethod
    def default(cls) -> MapsSettings:
        return cls.from_query({})[0]

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> tuple[MapsSettings, list[str]]:
        """Parse URL parameters into the nearest valid settings, with a warning for each fix."""
        rest = flat(query)
        warnings: list[str] = []
        own = {k: rest.pop(k) for k in OWN_KEYS if k in rest}
        rest.setdefault("surface", DEFAULT_SURFACE)
        rest.setdefault("opt", ",".join(DEFAULT_OPTIMIZERS))
        scenario, scenario_warnings = Scenario.from_query(rest)
        warnings += scenario_warnings
        steps = parse_integer(own.get("steps"), DEFAULT_STEPS, *STEPS_RANGE, "Steps", warnings)
        resolution = parse_integer(own.get("res"), DEFAULT_RES, *RES_RANGE, "Map resolution", warnings)
        radius = parse_number(own.get("radius"), DEFAULT_RADIUS, *RADIUS_RANGE, "Reach radius", warnings)
        lr_count = parse_integer(own.get("lrs"), DEFAULT_COUNT, *COUNT_RANGE, "Learning rates per curve", warnings)
        metric = own.get("metric", "loss")
        if metric not in METRICS:
            warnings.append(f"Unknown metric {metric!r}; showing the final loss (use loss or steps).")
            metric = "loss"
        if scenario.k > steps - 1:  # the Playground's step k must lie within the maps' own (shorter) runs
            warnings.append(f"Step k = {scenario.k} is beyond the runs' last step; using {steps - 1}.")
        scenario = scenario.with_changes(steps=steps, k=min(scenario.k, steps - 1))
        settings = cls(scenario, resolution, radius, metric, lr_count)
        return settings, warnings
