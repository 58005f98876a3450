"""Noise bands and eps dominance on the Playground: the bands control, which runs to summarise, and the captions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from analysis.seed_bands import PATHS_DRAWN, SeedBand
from optim.denominator import DenominatorTerms
from views.common import controls
from views.common.scenario import BANDS_DEFAULT, BANDS_MAX, BANDS_MIN, Scenario
from views.playground import state
from views.playground.compute import eps_terms, seed_band
from viz.eps import first_dominance
from viz.paths import PathData

BAND_STOPS = [0, BANDS_MIN, 10, BANDS_DEFAULT, 30, 50, BANDS_MAX]


def bands_control(disabled: bool = False, on_change: Callable[[], None] | None = None) -> None:
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
        on_change=on_change,
        help="With gradient noise on, run each optimizer under this many noise seeds (the first is the seed "
        "above) and draw the median and 10–90% band of the loss, and the other seeds' paths faintly."
        + ("" if noisy else " Turn gradient noise on to use it."),
    )


def bands_for(scenario: Scenario, paths: Sequence[PathData]) -> dict[str, SeedBand]:
    """Each drawn optimizer's noise band, when noise is on and bands are not off."""
    if scenario.noise <= 0 or scenario.bands == 0:
        return {}
    found = {}
    for path in paths:
        band = seed_band(scenario.run_spec(path.name), scenario.bands)
        if isinstance(band, SeedBand):
            found[path.name] = band
    return found


def dominance_for(scenario: Scenario, paths: Sequence[PathData]) -> dict[str, DenominatorTerms | None]:
    """Each drawn optimizer's denominator terms (None for rules without an eps denominator)."""
    return {path.name: eps_terms(scenario.run_spec(path.name)) for path in paths}


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
