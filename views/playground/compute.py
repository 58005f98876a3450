"""The Playground's own cached computations: one step taken apart, noise bands, eps dominance, accumulators,
what happened in the runs, panel backgrounds.

Keyed by RunSpec (the runs themselves are ``views.common.compute.run_path``). Caches are bounded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import streamlit as st

import optim
from analysis import seed_bands
from analysis.events import ACROSS, PER_RUN, Event, RunRecord, detect, in_order
from analysis.seed_bands import SeedBand
from optim.history import AccumulatorHistory
from views.common.compute import read_only, run_path, run_terms
from views.common.run_spec import RunSpec, SurfaceKey, surface_of
from views.playground import report
from viz.multiples import panel_background
from viz.style import Theme


@st.cache_data(max_entries=256, show_spinner=False)
def inspect(spec: RunSpec, step: int) -> optim.StepDetail:
    """Step ``step`` of one optimizer's run taken apart (the same numbers as ``run_path``)."""
    return optim.inspect_step(
        spec.optimizer,
        spec.surface(),
        spec.start,
        step,
        spec.convention,
        spec.noise,
        spec.seed,
        schedule=spec.schedule,
        **spec.hyperparams(),
    )


@st.cache_data(max_entries=128, show_spinner=False)
def seed_band(spec: RunSpec, count: int) -> SeedBand | str:
    """One optimizer under ``count`` noise seeds (one batched run), summarised; or why it cannot run."""
    try:
        return seed_bands.seed_band(
            spec.optimizer,
            spec.surface(),
            spec.start,
            spec.steps,
            spec.convention,
            spec.noise,
            spec.seed,
            count,
            spec.hyperparams(),
            spec.schedule,
        )
    except ValueError as error:
        return str(error)


#: The denominator terms along the drawn path of a run (read while ``run_path``'s run stepped).
eps_terms = run_terms


@functools.lru_cache(maxsize=128)  # hit on every rerun (see views/common/compute.py)
def accumulators(spec: RunSpec) -> AccumulatorHistory | None:
    """Each accumulator of the run per axis over the steps, and g_t² (None for optimizers without one)."""
    path = run_path(spec)
    if isinstance(path, str):
        return None
    try:
        history = optim.accumulator_history(
            spec.optimizer,
            spec.surface(),
            path.xy,
            spec.convention,
            spec.noise,
            spec.seed,
            path.diverged_at,
            spec.schedule,
            **spec.hyperparams(),
        )
    except ValueError:
        return None
    if history is not None:
        read_only(history.grad_sq, *(s.values for s in history.series))
    return history


@functools.lru_cache(maxsize=512)  # one entry per view: a class of 100 makes ~250 new views while a student thinks
def events(specs: tuple[RunSpec, ...], tol: float) -> tuple[Event, ...]:
    """What happened in the view's runs ("what happened" notes), from the cached runs and eps terms: each run's own
    notes (``run_events``, kept while another run of the view changes) and the comparisons between them."""
    records = [r for r in (_record(spec) for spec in specs) if r is not None]
    if not records:
        return ()
    own = [e for spec in specs for e in run_events(spec, tol)]
    terms = {spec.optimizer: eps_terms(spec) for spec in specs}
    across = detect(records, specs[0].surface(), tol, terms, detectors=ACROSS)
    return tuple(in_order(own + across, [r.optimizer for r in records]))


@functools.lru_cache(maxsize=1024)  # one entry per run, as run_path: a slider move changes one of a view's runs
def run_events(spec: RunSpec, tol: float) -> tuple[Event, ...]:
    """The notes one run gives on its own (``analysis.events.PER_RUN``)."""
    record = _record(spec)
    if record is None:
        return ()
    return tuple(detect([record], spec.surface(), tol, {spec.optimizer: eps_terms(spec)}, detectors=PER_RUN))


def _record(spec: RunSpec) -> RunRecord | None:
    path = run_path(spec)
    if isinstance(path, str):
        return None
    return RunRecord(
        spec.optimizer,
        spec.hyperparams(),
        spec.convention,
        path.xy,
        path.loss,
        path.effective_lr,
        path.diverged_at,
        spec.schedule,
        spec.noise,
        spec.seed,
    )


@dataclass(frozen=True)
class Summary:
    """The summary table as the page shows it, ready to send (Arrow, as st.dataframe would convert it), its
    column names, and the note under it (None: no note)."""

    table: pa.Table
    columns: tuple[str, ...]
    min_known: bool
    note: str | None


@functools.lru_cache(maxsize=512)  # hit on every rerun: the table is built and converted once per view
def summary(specs: tuple[RunSpec, ...], tol: float) -> Summary | None:
    """The summary of the runs of ``specs`` that can run (None: none can)."""
    paths = [p for p in (run_path(spec) for spec in specs) if not isinstance(p, str)]
    if not paths:
        return None
    surface = specs[0].surface()
    min_known = surface.min_value is not None
    columns = report.summary_columns(paths, surface, tol)
    text = report.summary_text(columns, min_known)
    labels = [p.label for p in paths]
    return Summary(_arrow(text, labels), tuple(columns), min_known, report.floor_note(columns, min_known))


def _arrow(text: dict[str, list[str]], labels: list[str]) -> pa.Table:
    """The text table as Arrow, exactly as st.dataframe would convert the DataFrame of it (index: the labels),
    without building one: its schema (and pandas metadata) depends only on the column names."""
    schema = _schema(tuple(text))
    columns = text | {"optimizer": labels}
    return pa.Table.from_arrays([pa.array(columns[f.name], f.type) for f in schema], schema=schema)


@functools.lru_cache(maxsize=64)
def _schema(names: tuple[str, ...]) -> pa.Schema:
    frame = pd.DataFrame({name: ["-"] for name in names}, index=pd.Index(["-"], name="optimizer"))
    return pa.Table.from_pandas(frame).schema


@st.cache_data(max_entries=32, show_spinner=False)
def multiples_background(key: SurfaceKey, theme: Theme) -> list[dict]:
    """The filled contour of one small-multiple panel (the same for every panel)."""
    return panel_background(surface_of(key), theme)
