"""Scenario: a frozen, validated description of one Playground view, and its URL form.

It is the single source of truth: widgets are initialised from it, the page rebuilds it from the
widgets on every run, and it converts to and from ``st.query_params`` (``to_query`` /
``from_query``). Invalid input never raises: ``from_query`` returns the nearest valid scenario and
a list of warnings saying what was changed.

URL parameters (all optional; see README):
    surface=bowl  bowl.condition=100  bowl.angle=0         the surface and its parameters
    surface=custom  custom.expr=x**2%2B10*y**2  custom.xmin=-2.0  custom.xmax=2.0  custom.ymin=...
                                                            a typed formula and its plotted region
    opt=sgd,rmsprop,adam                                    the optimizers shown
    rmsprop.lr=0.01  rmsprop.rho=0.9  adam.amsgrad=1 ...    their hyperparameters
    conv=pytorch|keras|optax|tf1  start=-1.8,1.2  steps=150  noise=0  seed=0  tol=1e-06  present=1
    bands=20                                                noise seeds per optimizer when noise > 0 (0: off)
    curv=1  k=25  multi=1                                   curvature read-out at step k; one panel per optimizer
    focus=adam                                              the optimizer in focus (default RMSProp, else the first)
    acc=1                                                   the accumulators chart instead of the effective lr
    sched=cosine  sched.T=500  sched.floor=0  sched.warmup=20  sched.warmup_start=0
                                                            learning-rate schedule of every optimizer shown
                                                            (step: sched.every, sched.gamma; exponential: sched.gamma)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import landscapes
import optim
from analysis.decimals import tidy
from optim import schedules
from views.common import presets
from views.common.query import FALSE, QueryReader, clamp, flat
from views.common.run_spec import Items, RunSpec, SurfaceKey, items

MAX_STEPS = 10_000
NOISE_RANGE = (0.0, 10.0)
TOL_RANGE = (1e-12, 1.0)
MAX_SEED = 2**31 - 1
#: Ranges of the schedule parameters in the URL and the widgets, by "kind.name" or "name" (else optim's own).
SCHEDULE_RANGES = {
    "gamma": (0.01, 1.0),
    "exponential.gamma": (0.5, 1.0),
    "every": (1, MAX_STEPS),
    "T": (1, MAX_STEPS),
    "warmup": (0, MAX_STEPS),
}


def schedule_range(kind: str, name: str) -> tuple[float, float]:
    p = schedules.PARAMS[name]
    return SCHEDULE_RANGES.get(f"{kind}.{name}", SCHEDULE_RANGES.get(name, (p.low, p.high)))


#: Values that links leave out, because the parser restores them (and they are definitions, not tuning).
STABLE_DEFAULTS = {"conv": "pytorch", "noise": "0.0", "seed": "0", "tol": "1e-06"}
BANDS_DEFAULT, BANDS_MIN, BANDS_MAX = 20, 5, 100  # noise seeds per optimizer (0: bands off)
TEACHER_KEYS = {
    "lock",
    "hide",
    "only",
    "ask",
}  # teacher links (views/playground/settings.py, quiz.py): how to show a view, not what
CLASS_KEYS = {"class", "host"}  # class mode (views/playground/classroom.py): which class, and the host's secret
IGNORED_KEYS = {"embed", "embed_options"} | TEACHER_KEYS | CLASS_KEYS  # Streamlit's own, teacher and class settings


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _tidy(value: Any) -> Any:
    """Floats snapped to their short decimal (``tidy``); flags, whole numbers and text as they are."""
    return tidy(value) if isinstance(value, float) else value


_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|$~&:")


def default_focus(optimizers: Iterable[str]) -> str | None:
    """The optimizer in focus unless the student picks another: RMSProp when shown, else the first shown."""
    shown = list(optimizers)
    return "rmsprop" if "rmsprop" in shown else (shown[0] if shown else None)


def normal_focus(focus: str | None, optimizers: Iterable[str]) -> str | None:
    """``focus`` as a Scenario stores it: None when it is the default choice (so links stay short)."""
    shown = list(optimizers)
    return None if focus not in shown or focus == default_focus(shown) else focus


def markdown_text(text: str, limit: int | None = None) -> str:
    """``text`` (shortened to ``limit`` characters) escaped so that Streamlit's Markdown shows it literally."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)


@dataclass(frozen=True)
class Scenario:
    """Everything a Playground view shows; hashable, so it can key caches."""

    surface: str
    surface_params: Items
    optimizers: tuple[str, ...]
    hyperparams: tuple[tuple[str, Items], ...]  # (optimizer, its hyperparameters) for each shown
    convention: str
    start: tuple[float, float]
    steps: int
    noise: float = 0.0
    seed: int = 0
    tol: float = 1e-6
    present: bool = False
    schedule: optim.Schedule | None = None  # one learning-rate schedule for every optimizer; None = constant
    bands: int = BANDS_DEFAULT  # noise bands: seeds per optimizer when noise > 0; 0 = off (one run)
    curv: bool = False  # the curvature read-out at iterate k (and its ellipse on the contour)
    k: int = 0  # the step the curvature read-out and the step inspector show, 0 <= k < steps
    multi: bool = False  # small multiples: one contour panel per optimizer
    focus: str | None = None  # the optimizer in focus (live sliders, drawn on top); None: the default one
    acc: bool = False  # the accumulators chart instead of the effective learning rates

    @property
    def focused(self) -> str | None:
        """The optimizer in focus: ``focus`` when it is shown, else RMSProp when shown, else the first shown."""
        return self.focus if self.focus in self.optimizers else default_focus(self.optimizers)

    def __post_init__(self) -> None:
        """Numbers within float noise of a short decimal become it (a start stepped to 1.2000000000000002 is
        1.2), so equal views are equal Scenarios and links stay short; Scenario -> query -> Scenario is identity."""
        set_ = object.__setattr__
        set_(self, "surface_params", tuple((k, _tidy(v)) for k, v in self.surface_params))
        set_(self, "hyperparams", tuple((n, tuple((k, _tidy(v)) for k, v in hp)) for n, hp in self.hyperparams))
        set_(self, "start", (tidy(self.start[0]), tidy(self.start[1])))
        set_(self, "noise", tidy(self.noise))
        set_(self, "tol", tidy(self.tol))

    # ------------------------------------------------------------------ access

    def params(self) -> dict[str, float | str]:
        return dict(self.surface_params)

    @property
    def surface_key(self) -> SurfaceKey:
        """The surface and its parameters: the key of the cached grids and runs."""
        return (self.surface, self.surface_params)

    def run_spec(self, optimizer: str) -> RunSpec:
        """The run of ``optimizer`` (one of those shown) in this view."""
        return RunSpec.of(self, optimizer, self.hp(optimizer))

    def landscape(self) -> landscapes.Surface:
        return landscapes.get(self.surface, **self.params())

    def hp(self, optimizer: str) -> dict[str, Any]:
        return dict(dict(self.hyperparams).get(optimizer, ()))

    def with_changes(self, **changes: Any) -> Scenario:
        return replace(self, **changes)

    # ------------------------------------------------------------------ defaults

    @classmethod
    def default(
        cls, surface: str = presets.DEFAULT_SURFACE, params: Mapping[str, float | str] | None = None
    ) -> Scenario:
        """The preset view of ``surface`` (its story's optimizers, hyperparameters and start).

        Raises ValueError for invalid ``params`` (e.g. a custom formula that cannot be used)."""
        spec = landscapes.spec(surface)
        values = spec.defaults() | dict(params or {})
        built = landscapes.get(surface, **values)
        if surface == landscapes.CUSTOM:
            values = dict(built.params)  # the canonical formula, so equal formulas give equal scenarios
        chosen = presets.preset(surface)
        return cls(
            surface=surface,
            surface_params=items(values),
            optimizers=chosen.optimizers,
            hyperparams=tuple((name, items(presets.default_hp(surface, name))) for name in chosen.optimizers),
            convention="pytorch",
            start=tuple(float(v) for v in built.start),
            steps=chosen.steps,
        )

    # ------------------------------------------------------------------ URL

    def to_query(self) -> dict[str, str]:
        """Flat string parameters for ``st.query_params``; ``from_query`` inverts it exactly.

        Short: numbers are written as the shortest decimal that reads back the same, and a value the parser
        restores by itself is left out when its default is a fixed definition rather than a tuning choice
        (see ``STABLE_DEFAULTS``): a surface's own parameters at their defaults, a hyperparameter that equals
        both the surface's preset and the optimizer's documented default, PyTorch's convention, no noise,
        seed 0, tolerance 1e-6. The surface, the optimizers, the tuned learning rates, the start and the steps
        are always written, so that a link keeps its meaning when presets are retuned."""
        spec = landscapes.spec(self.surface)
        query = {"surface": self.surface}
        query |= {
            f"{self.surface}.{k}": _fmt(v) for k, v in self.surface_params if k == "expr" or v != spec.defaults().get(k)
        }
        query["opt"] = ",".join(self.optimizers)
        for name, values in self.hyperparams:
            preset = presets.default_hp(self.surface, name)
            defaults = {p.name: p.default for p in optim.get(name).hyperparams}
            query |= {
                f"{name}.{k}": _fmt(v) for k, v in values if k == "lr" or not v == preset.get(k) == defaults.get(k)
            }
        query |= {
            "conv": self.convention,
            "start": f"{_fmt(self.start[0])},{_fmt(self.start[1])}",
            "steps": str(self.steps),
            "noise": _fmt(self.noise),
            "seed": str(self.seed),
            "tol": _fmt(self.tol),
        }
        for key, default in STABLE_DEFAULTS.items():
            if query[key] == default:
                del query[key]
        if self.present:
            query["present"] = "1"
        if self.schedule is not None:
            query["sched"] = self.schedule.kind
            query |= {f"sched.{k}": _fmt(v) for k, v in self.schedule.params}
        if self.bands != BANDS_DEFAULT:
            query["bands"] = str(self.bands)
        query |= {"curv": "1"} if self.curv else {}
        query |= {"k": str(self.k)} if self.k else {}
        query |= {"multi": "1"} if self.multi else {}
        query |= {"focus": self.focus} if self.focus is not None else {}
        query |= {"acc": "1"} if self.acc else {}
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> tuple[Scenario, list[str]]:
        """Parse URL parameters into the nearest valid Scenario, with a warning for each fix."""
        parser = _Parser(flat(query))
        return parser.scenario(), parser.warnings


class _Parser(QueryReader):
    """Reads one query dict; every value it cannot use becomes a default plus a warning."""

    def scenario(self) -> Scenario:
        surface = self.take("surface") or presets.DEFAULT_SURFACE
        if surface not in landscapes.names(custom=True):
            self.warnings.append(f"Unknown surface {surface!r}; showing {presets.DEFAULT_SURFACE!r} instead.")
            surface = presets.DEFAULT_SURFACE
        if surface == landscapes.CUSTOM:
            base = self._custom()
        else:
            spec = landscapes.spec(surface)
            params = {
                p.name: self.number(f"{surface}.{p.name}", p.default, p.low, p.high, f"{spec.label} {p.name}")
                for p in spec.params
            }
            base = Scenario.default(surface, params)

        optimizers = self._optimizers(base.optimizers)
        hyperparams = tuple((name, items(self._hyperparams(surface, name))) for name in optimizers)

        convention = self.take("conv") or "pytorch"
        if convention not in optim.CONVENTIONS:
            self.warnings.append(f"Unknown convention {convention!r}; using PyTorch's.")
            convention = "pytorch"

        start = self._start(base)
        scenario = Scenario(
            surface=surface,
            surface_params=base.surface_params,
            optimizers=optimizers,
            hyperparams=hyperparams,
            convention=convention,
            start=start,
            steps=self.integer("steps", base.steps, 1, MAX_STEPS, "Steps"),
            noise=self.number("noise", 0.0, *NOISE_RANGE, "Gradient noise"),
            seed=self.integer("seed", 0, 0, MAX_SEED, "Seed"),
            tol=self.number("tol", 1e-6, *TOL_RANGE, "Tolerance"),
            present=self.flag("present", False, "Presentation mode"),
            schedule=self._schedule(),
            bands=self._bands(),
        )
        scenario = self._view(scenario)
        unknown = self.unused(IGNORED_KEYS)
        unknown = [k for k in unknown if k.split(".")[0] not in optim.names() + landscapes.names(custom=True)]
        if unknown:
            self.warnings.append(f"Ignored unknown URL parameter(s): {', '.join(unknown)}.")
        return scenario

    def _schedule(self) -> optim.Schedule | None:
        """The learning-rate schedule: an unknown kind is constant, parameters are clamped to their ranges."""
        kind = self.take("sched") or "constant"
        if kind not in schedules.KINDS:
            self.warnings.append(f"Unknown learning-rate schedule {kind!r}; using a constant learning rate.")
            kind = "constant"
        values = schedules.defaults(kind)
        for name in values:
            p, what = schedules.PARAMS[name], f"Schedule {schedules.PARAMS[name].label}"
            low, high = schedule_range(kind, name)
            if p.integer:
                values[name] = self.integer(f"sched.{name}", int(values[name]), int(low), int(high), what)
            else:
                values[name] = self.number(f"sched.{name}", float(values[name]), low, high, what)
        for key in sorted(k for k in self.query if k.startswith("sched.") and k not in self.used):
            self.used.add(key)
            self.warnings.append(f"The {kind} schedule has no parameter {key.split('.', 1)[1]!r}; ignored.")
        return schedules.coerce(optim.Schedule.make(kind, **values))

    def _view(self, scenario: Scenario) -> Scenario:
        """The display options: curvature read-out, its step k (clamped to the run) and small multiples."""
        k = self.integer("k", 0, 0, MAX_STEPS - 1, "Step k")
        if k > scenario.steps - 1:
            self.warnings.append(f"Step k = {k} is beyond the run's last step; using {scenario.steps - 1}.")
            k = scenario.steps - 1
        curv = self.flag("curv", False, "Curvature read-out")
        multi = self.flag("multi", False, "Small multiples")
        acc = self.flag("acc", False, "Accumulators chart")
        return scenario.with_changes(curv=curv, k=k, multi=multi, focus=self._focus(scenario.optimizers), acc=acc)

    def _focus(self, optimizers: tuple[str, ...]) -> str | None:
        """The optimizer in focus, if the link names one of those shown (and not the default one)."""
        name = self.take("focus")
        if name is None or not name:
            return None
        if name not in optimizers:
            shown = ", ".join(optimizers) or "none"
            self.warnings.append(f"Focus {name!r} is not one of the optimizers shown ({shown}); using the default.")
            return None
        return normal_focus(name, optimizers)

    def _bands(self) -> int:
        """Noise-band seeds: 0 (off) or BANDS_MIN..BANDS_MAX; 'off' reads as 0, 1-4 become BANDS_MIN."""
        text = self.take("bands")
        if text is not None and text.lower() in FALSE:
            return 0
        count = self.integer("bands", BANDS_DEFAULT, 0, BANDS_MAX, "Noise bands (seeds)")
        if 0 < count < BANDS_MIN:
            self.warnings.append(f"Noise bands: {count} seeds are too few for a band; using {BANDS_MIN}.")
            return BANDS_MIN
        return count

    def _custom(self) -> Scenario:
        """The custom formula and its domain; what cannot be used falls back to the default example."""
        spec = landscapes.spec(landscapes.CUSTOM)
        defaults = spec.defaults()
        domain = {
            p.name: self.number(f"custom.{p.name}", p.default, p.low, p.high, f"Custom surface {p.label}")
            for p in spec.params
            if isinstance(p, landscapes.Param)
        }
        expr = self.take("custom.expr")
        if expr is None:
            expr = str(defaults["expr"])
        try:
            landscapes.get(landscapes.CUSTOM, **domain)  # the default formula on this domain
        except ValueError as error:
            self.warnings.append(f"Custom surface: {markdown_text(str(error))}; using the default region.")
            domain = {name: value for name, value in defaults.items() if name != "expr"}
        try:
            return Scenario.default(landscapes.CUSTOM, {"expr": expr, **domain})
        except ValueError as error:
            self.warnings.append(
                f"The custom formula {markdown_text(expr, 60)} cannot be used: {markdown_text(str(error))}. "
                f"Showing the example {markdown_text(str(defaults['expr']))} instead."
            )
            return Scenario.default(landscapes.CUSTOM, domain)

    def _optimizers(self, fallback: Iterable[str]) -> tuple[str, ...]:
        text = self.take("opt")
        if text is None:
            return tuple(fallback)
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in optim.names()]
        if unknown:
            self.warnings.append(f"Unknown optimizer(s) {', '.join(unknown)} ignored.")
        chosen = tuple(dict.fromkeys(n for n in names if n in optim.names()))
        if not chosen:
            self.warnings.append("No known optimizer in the link; showing the default set.")
            return tuple(fallback)
        return chosen

    def _hyperparams(self, surface: str, name: str) -> dict[str, Any]:
        opt = optim.get(name)
        values = presets.default_hp(surface, name)
        for p in opt.hyperparams:
            key, what = f"{name}.{p.name}", f"{opt.label} {p.name}"
            if p.kind == "bool":
                values[p.name] = self.flag(key, bool(values[p.name]), what)
            else:
                low, high = p.slider_range
                values[p.name] = self.number(key, float(values[p.name]), low, high, what)
                if p.low_open and values[p.name] <= p.low:
                    values[p.name] = float(p.default)
        for key in list(self.query):
            if key.startswith(f"{name}.") and key not in self.used:
                self.used.add(key)
                self.warnings.append(f"{opt.label} has no hyperparameter {key.split('.', 1)[1]!r}; ignored.")
        return values

    def _start(self, base: Scenario) -> tuple[float, float]:
        text = self.take("start")
        if text is None:
            return base.start
        (x0, x1), (y0, y1) = base.landscape().domain
        try:
            x, y = (float(v) for v in text.split(","))
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError
        except ValueError:
            self.warnings.append(f"Start {text!r} is not a point 'x,y'; using the default start.")
            return base.start
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            clamped = (clamp(x, x0, x1), clamp(y, y0, y1))
            self.warnings.append(
                f"Start ({x:g}, {y:g}) is outside the plotted region; moved to ({clamped[0]:g}, {clamped[1]:g})."
            )
            return clamped
        return (x, y)
