"""The run settings every page shares, and the one block of sidebar controls that edits them.

Surface (and its parameters), optimizers (and their hyperparameters), framework convention, steps, start,
gradient noise, seed and tolerance: the same widgets, ranges and help texts on the Playground, the Sweep and
the Maps page. Each page keeps its own copy of the values under its own session keys (``RunKeys``: "pg.*",
"sw.*", "maps.*"), so moving a slider on one page does not move it on another.

A ``Gate`` decides which controls are shown and which are locked (the Playground's teacher links); the other
pages pass ``FREE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import streamlit as st

import landscapes
import optim
from views.common import controls, presets
from views.common.controls import PERSIST
from views.common.rules import rule_latex, verified_note
from views.common.scenario import MAX_SEED, Scenario

#: Stops of the Steps slider on the Playground and the Sweep (the Maps page runs fewer steps, see its state).
STEP_STOPS = (10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000)


class Gate(Protocol):
    """Which controls a page shows and lets the user change (control names as in teacher links)."""

    @property
    def active(self) -> bool: ...

    def shown(self, control: str) -> bool: ...

    def locked(self, control: str) -> bool: ...

    def status(self, control: str) -> str: ...


class _Free:
    """Every control shown and free."""

    active = False

    def shown(self, control: str) -> bool:
        return True

    def locked(self, control: str) -> bool:
        return False

    def status(self, control: str) -> str:
        return "free"


FREE: Gate = _Free()


@dataclass(frozen=True)
class RunKeys:
    """The session keys of one page's run settings."""

    prefix: str  # "pg", "sw", "maps"
    single: bool = False  # one optimizer (a selectbox) rather than several (pills)

    @property
    def surface(self) -> str:
        return f"{self.prefix}.surface"

    @property
    def optimizers(self) -> str:
        return f"{self.prefix}.optimizer" if self.single else f"{self.prefix}.optimizers"

    @property
    def convention(self) -> str:
        return f"{self.prefix}.convention"

    @property
    def steps(self) -> str:
        return f"{self.prefix}.steps"

    @property
    def start_x(self) -> str:
        return f"{self.prefix}.start_x"

    @property
    def start_y(self) -> str:
        return f"{self.prefix}.start_y"

    @property
    def noise(self) -> str:
        return f"{self.prefix}.noise"

    @property
    def seed(self) -> str:
        return f"{self.prefix}.seed"

    @property
    def tol(self) -> str:
        return f"{self.prefix}.tol"

    def param(self, name: str) -> str:
        return f"{self.prefix}.param.{name}"

    def hp(self, optimizer: str, name: str) -> str:
        return f"{self.prefix}.hp.{optimizer}.{name}"

    def open(self, section: str) -> str:
        """The key of a sidebar expander that draws its controls only while open."""
        return f"{self.prefix}.open.{section}"

    # ------------------------------------------------------------------ values

    def values(self, scenario: Scenario) -> dict[str, object]:
        """Every run-settings key and the value it holds for ``scenario``."""
        values: dict[str, object] = {
            self.surface: scenario.surface,
            self.optimizers: scenario.optimizers[0] if self.single else list(scenario.optimizers),
            self.convention: scenario.convention,
            self.steps: scenario.steps,
            self.start_x: float(scenario.start[0]),
            self.start_y: float(scenario.start[1]),
            self.noise: scenario.noise,
            self.seed: scenario.seed,
            self.tol: scenario.tol,
        }
        values |= {self.param(k): v for k, v in scenario.surface_params}
        for name, hp in scenario.hyperparams:
            values |= {self.hp(name, k): v for k, v in hp}
        return values

    def chosen(self, ss: Mapping[str, Any]) -> tuple[str, ...]:
        """The optimizers the widgets hold, in the registry's order."""
        value = ss.get(self.optimizers)
        picked = [value] if self.single else list(value or [])
        return tuple(n for n in optim.names() if n in picked)

    def hyperparams(self, ss: Mapping[str, Any], optimizers: Iterable[str]) -> tuple:
        """Each optimizer's hyperparameters as its widgets hold them, typed and sorted (a Scenario's field)."""
        return tuple(
            (name, tuple(sorted((p.name, typed(p, ss[self.hp(name, p.name)])) for p in optim.get(name).hyperparams)))
            for name in optimizers
        )

    def read(self, ss: Mapping[str, Any]) -> dict[str, Any]:
        """The convention, start, steps, noise, seed and tolerance the widgets hold (Scenario fields)."""
        return {
            "convention": ss[self.convention],
            "start": (float(ss[self.start_x]), float(ss[self.start_y])),
            "steps": int(ss[self.steps]),
            "noise": float(ss[self.noise]),
            "seed": int(ss[self.seed]),
            "tol": float(ss[self.tol]),
        }

    def ensure_hp_defaults(self, surface: str, optimizer: str) -> None:
        """A newly chosen optimizer's widgets start from this surface's preset."""
        for name, value in presets.default_hp(surface, optimizer).items():
            st.session_state.setdefault(self.hp(optimizer, name), value)

    def set_start(self, x: float, y: float) -> None:
        st.session_state[self.start_x], st.session_state[self.start_y] = float(x), float(y)

    def clamp_start(self, domain: tuple[tuple[float, float], tuple[float, float]]) -> None:
        """Keep the start inside the plotted region (number inputs reject values outside their range)."""
        (x0, x1), (y0, y1) = domain
        ss = st.session_state
        x, y = float(ss[self.start_x]), float(ss[self.start_y])
        inside = (min(max(x, x0), x1), min(max(y, y0), y1))
        if inside != (x, y):
            self.set_start(*inside)


def typed(param: optim.HyperParam, value: Any) -> bool | float:
    """A hyperparameter's widget value as the core takes it: bool for flags, float for numbers."""
    return bool(value) if param.kind == "bool" else float(value)


# ----------------------------------------------------------------------------- the controls


def surface_label(name: str) -> str:
    return landscapes.spec(name).label


def surface_controls(
    keys: RunKeys,
    on_change: Callable[[], None],
    gate: Gate = FREE,
    custom_editor: Callable[[bool], None] | None = None,
    carried: Iterable[tuple[str, Any]] = (),
) -> None:
    """The surface picker and its parameters. A typed formula is edited with ``custom_editor`` where the page
    has one (the Playground); elsewhere it is carried from the Playground and shown read-only (``carried``)."""
    if not gate.shown("surface"):
        return
    surface = st.session_state[keys.surface]
    options = landscapes.names(custom=custom_editor is not None)
    if surface not in options:
        options.append(surface)
    locked = gate.locked("surface")
    st.selectbox(
        "Surface",
        options,
        key=keys.surface,
        format_func=surface_label,
        on_change=on_change,
        disabled=locked,
        persist_state=PERSIST,
    )
    if surface != landscapes.CUSTOM:
        for p in landscapes.spec(surface).params:
            controls.surface_param_control(p, keys.param(p.name), disabled=locked)
    elif custom_editor is not None:
        custom_editor(locked)
    else:
        st.caption("The formula and its region (edit them in the Playground):")
        st.code("\n".join(f"{k} = {v}" for k, v in carried), language=None, wrap_lines=True)


def optimizer_controls(
    keys: RunKeys, gate: Gate = FREE, on_change: Callable[[], None] | None = None, help: str | None = None
) -> None:
    """The optimizers shown (pills), or the one optimizer of a sweep (a selectbox)."""
    if not gate.shown("opt"):
        return
    common = {"format_func": lambda n: optim.get(n).label, "key": keys.optimizers, "help": help}
    if keys.single:
        st.selectbox("Optimizer", optim.names(), on_change=on_change, **common)
        return
    st.pills(
        "Optimizers",
        optim.names(),
        selection_mode="multi",
        on_change=on_change,
        disabled=gate.locked("opt"),
        persist_state=PERSIST,
        **common,
    )


def convention_control(keys: RunKeys, gate: Gate = FREE, on_change: Callable[[], None] | None = None) -> None:
    """The framework convention, with the note on how the rules are checked."""
    if not gate.shown("conv"):
        return
    st.radio(
        "Framework convention",
        list(optim.CONVENTIONS),
        key=keys.convention,
        format_func=optim.CONVENTIONS.get,
        horizontal=True,
        help="Which framework's exact update rule to use: where eps goes, how accumulators start, "
        "what the momentum buffer holds, how bias correction meets eps.",
        disabled=gate.locked("conv"),
        persist_state=PERSIST,
        on_change=on_change,
    )
    verified_note()


def hyperparam_expanders(
    keys: RunKeys,
    surface: str,
    convention: str,
    gate: Gate = FREE,
    on_change: Callable[[], None] | None = None,
) -> None:
    """One expander per chosen optimizer with its hyperparameters and its update rule. An expander draws its
    controls only while open (its widgets keep their values, ``PERSIST``), so a slider move pays for the open
    optimizers' controls only; a teacher link opens the ones holding the knobs it leaves free. ``on_change``: the
    hyperparameters' callback."""
    for name in keys.chosen(st.session_state):
        opt = optim.get(name)
        keys.ensure_hp_defaults(surface, name)
        if not any(gate.shown(f"{name}.{p.name}") for p in opt.hyperparams):
            continue
        free = gate.active and any(gate.status(f"{name}.{p.name}") == "free" for p in opt.hyperparams)
        box = controls.lazy_expander(opt.label, keys.open(name), start_open=free)
        if not box.open:
            continue
        with box:
            st.caption(opt.summary)
            ignored = opt.rule(convention).ignores if opt.supports(convention) else ()
            for p in opt.hyperparams:
                control = f"{name}.{p.name}"
                if not gate.shown(control):
                    continue
                note = f"({optim.CONVENTIONS[convention]}'s rule has no {p.name}.)" if p.name in ignored else None
                disabled = p.name in ignored or gate.locked(control)
                controls.hyperparam_control(p, keys.hp(name, p.name), disabled=disabled, note=note, on_change=on_change)
            if opt.supports(convention):
                options = {p.name: st.session_state[keys.hp(name, p.name)] for p in opt.hyperparams}
                st.latex(rule_latex(name, convention, options, small=True))
            else:
                st.caption(opt.unsupported.get(convention, ""))


def run_controls(
    keys: RunKeys,
    domain: tuple[tuple[float, float], tuple[float, float]],
    gate: Gate = FREE,
    step_stops: Iterable[int] = STEP_STOPS,
    start_note: str | None = None,
    noise_help: str = "Gaussian noise added to every gradient component.",
    after_seed: Callable[[], None] | None = None,
    seed_needs_noise: bool = False,
    on_change: Callable[[str], Callable[[], None]] | None = None,
) -> None:
    """Steps, start, gradient noise, its seed and the tolerance (``after_seed`` draws a page's own noise option;
    ``seed_needs_noise``: the seed is disabled while there is no noise; ``on_change(query_key)``: the callback of
    the steps, start, seed and tolerance controls, which show nothing but their own value)."""

    def callback(query_key: str) -> dict[str, Callable[[], None]]:
        return {} if on_change is None else {"on_change": on_change(query_key)}

    if gate.shown("steps"):
        controls.stepped_slider(
            "Steps",
            keys.steps,
            list(step_stops),
            help="How many updates each run takes.",
            disabled=gate.locked("steps"),
            **callback("steps"),
        )
    keys.clamp_start(domain)
    if gate.shown("start"):
        locked = gate.locked("start")
        (x0, x1), (y0, y1) = domain
        left, right = st.columns(2)
        for column, label, key, (low, high) in (
            (left, "Start x", keys.start_x, (x0, x1)),
            (right, "Start y", keys.start_y, (y0, y1)),
        ):
            column.number_input(
                label,
                low,
                high,
                step=0.1,
                format="%.3f",
                key=key,
                disabled=locked,
                persist_state=PERSIST,
                **callback("start"),
            )
        if start_note and not locked:
            st.caption(start_note)
    if gate.shown("noise"):
        controls.stepped_slider(
            "Gradient noise (std)", keys.noise, controls.NOISE_STOPS, help=noise_help, disabled=gate.locked("noise")
        )
    if gate.shown("seed"):
        st.number_input(
            "Noise seed",
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=keys.seed,
            disabled=gate.locked("seed") or (seed_needs_noise and not float(st.session_state[keys.noise]) > 0),
            help="Which noise sequence (used while the gradient noise is above 0): the same seed gives the same run.",
            persist_state=PERSIST,
            **callback("seed"),
        )
    if after_seed is not None:
        after_seed()
    if gate.shown("tol"):
        controls.stepped_slider(
            "Tolerance",
            keys.tol,
            controls.TOL_STOPS,
            help="A run has converged once f − f* is below this (summary table, steps to tolerance).",
            disabled=gate.locked("tol"),
            **callback("tol"),
        )
