"""Noise bands and eps dominance at the page boundary: the control, cached computations, captions."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import streamlit as st

from analysis import seed_bands
from analysis.seed_bands import PATHS_DRAWN, SeedBand
from optim.denominator import DenominatorTerms, denominator_terms
from scenario import BANDS_DEFAULT, BANDS_MAX, BANDS_MIN, Scenario
from ui import controls, state
from ui.compute import SurfaceKey, read_only, run_args, run_path, surface_of
from viz.eps import first_dominance
from viz.paths import PathData

BAND_STOPS = [0, BANDS_MIN, 10, BANDS_DEFAULT, 30, 50, BANDS_MAX]


def bands_control(disabled: bool = False) -> None:
    """Seeds per optimizer for the noise bands (a select slider; a value from a link is kept as a stop)."""
    current = int(st.session_state.get(state.BANDS, BANDS_DEFAULT))
    stops = sorted(set(BAND_STOPS) | {current})
    st.session_state[state.BANDS] = current
    noisy = float(st.session_state.get(state.NOISE, 0.0)) > 0
    st.select_slider(
        "Noise bands (seeds)",
        options=stops,
        key=state.BANDS,
        persist_state=controls.PERSIST,
        format_func=lambda n: "off" if n == 0 else str(n),
        disabled=disabled or not noisy,
        help="With gradient noise on, run each optimizer under this many noise seeds (the first is the seed "
        "above) and draw the median and 10–90% band of the loss, and the other seeds' paths faintly."
        + ("" if noisy else " Turn gradient noise on to use it."),
    )


@st.cache_data(max_entries=128, show_spinner=False)
def seed_band(
    key: SurfaceKey,
    optimizer: str,
    hp: tuple[tuple[str, Any], ...],
    convention: str,
    start: tuple[float, float],
    steps: int,
    noise: float,
    seed: int,
    count: int,
    schedule: Any = None,
) -> SeedBand | str:
    """One optimizer under ``count`` noise seeds (one batched run), summarised; or why it cannot run."""
    args = (optimizer, surface_of(key), start, steps, convention, noise, seed, count, dict(hp), schedule)
    try:
        return seed_bands.seed_band(*args)
    except ValueError as error:
        return str(error)


@functools.lru_cache(maxsize=256)  # see ui/compute.py: hit on every rerun, so not st.cache_data
def eps_terms(
    key: SurfaceKey,
    optimizer: str,
    hp: tuple[tuple[str, Any], ...],
    convention: str,
    start: tuple[float, float],
    steps: int,
    noise: float,
    seed: int,
    schedule: Any = None,
) -> DenominatorTerms | None:
    """The denominator terms along the drawn path of this run (keyed like ``run_path``, whose cached
    result it replays, so a rerun hashes a few numbers rather than the whole path)."""
    path = run_path(key, optimizer, hp, convention, start, steps, noise, seed, schedule)
    if isinstance(path, str):
        return None
    try:
        terms = denominator_terms(
            optimizer, surface_of(key), path.xy, convention, noise, seed, path.diverged_at, **dict(hp)
        )
    except ValueError:
        return None
    if terms is not None:
        read_only(terms.accumulator, terms.eps)
    return terms


def bands_for(scenario: Scenario, paths: Sequence[PathData]) -> dict[str, SeedBand]:
    """Each drawn optimizer's noise band, when noise is on and bands are not off."""
    if scenario.noise <= 0 or scenario.bands == 0:
        return {}
    found = {}
    for path in paths:
        band = seed_band(*run_args(scenario, path.name), scenario.bands, scenario.schedule)
        if isinstance(band, SeedBand):
            found[path.name] = band
    return found


def dominance_for(scenario: Scenario, paths: Sequence[PathData]) -> dict[str, DenominatorTerms | None]:
    """Each drawn optimizer's denominator terms (None for rules without an eps denominator)."""
    return {path.name: eps_terms(*run_args(scenario, path.name), scenario.schedule) for path in paths}


def band_caption(paths: Sequence[PathData], bands: dict[str, SeedBand]) -> str | None:
    """What the bands show, and how many seeds diverged per optimizer."""
    if not bands:
        return None
    seeds = max(b.seeds for b in bands.values())
    text = (
        f"Noise bands: each optimizer ran under {seeds} noise seeds (this seed and the next {seeds - 1}). "
        "Loss: median line and shaded 10–90% band over the seeds that stayed finite; the thin faint line is "
        f"this seed's run. Contour: the other seeds' paths, faint (at most {PATHS_DRAWN} per optimizer)."
    )
    lost = [
        f"{p.label} {bands[p.name].diverged} of {bands[p.name].seeds}"
        for p in paths
        if p.name in bands and bands[p.name].diverged
    ]
    if lost:
        text += " Diverged (left out of the band): " + ", ".join(lost) + "."
    return text


def eps_caption(paths: Sequence[PathData], terms: dict[str, DenominatorTerms | None]) -> str | None:
    """Where eps dominates, in words; None when no drawn optimizer has an eps denominator."""
    with_eps = [p for p in paths if terms.get(p.name) is not None]
    if not with_eps:
        return None
    parts = []
    for path in with_eps:
        t = terms[path.name]
        starts = first_dominance(t)
        axes = [f"along {a} from step {k}" for a, k in zip("xy", starts, strict=True) if k is not None]
        if axes:
            parts.append(f"{path.label} ({t.symbol} vs eps) {' and '.join(axes)}")
    if not parts:
        names = ", ".join(p.label for p in with_eps)
        return f"eps never dominates the denominator here ({names}): the accumulator's root is always larger."
    return (
        "Thick shaded bands: eps dominates the denominator, so the step no longer adapts to the gradient's "
        "scale on that axis (it is close to SGD with learning rate lr/eps). " + "; ".join(parts) + "."
    )
