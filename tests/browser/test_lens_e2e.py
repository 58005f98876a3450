"""Small multiples and the curvature read-out in a real headless Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

FIVE = "sgd,momentum,adagrad,rmsprop,adam"


def test_small_multiples_with_curvature_render_and_the_play_slider_moves_every_head(tab):
    tab.open(f"/?opt={FIVE}&multi=1&curv=1&k=10", charts=3)
    assert tab.exceptions() == [] and tab.errors == []
    names = [t["name"] for t in tab.traces(0)]
    assert sum(n.endswith("play head") for n in names) == 5
    assert sum(n.endswith("curvature at step 10") for n in names) == 5
    assert tab.plot(0).locator(".xy, .x2y2, .x5y5").count() >= 3  # the panels
    contour_levels = tab.page.locator(".rmsp-layer-0 .contourlevel").count()
    before = {t["name"]: (t["x"], t["y"]) for t in tab.traces(0) if t["name"].endswith("play head")}
    tab.page.locator(".rmsp-play-scrub").focus()
    tab.page.keyboard.press("Home")  # the step slider back to step 0
    after = {t["name"]: (t["x"], t["y"]) for t in tab.traces(0) if t["name"].endswith("play head")}
    assert len(after) == 5 and all(after[n] != before[n] for n in after)  # every head went back to the start
    assert tab.page.locator(".rmsp-layer-0 .contourlevel").count() == contour_levels > 0  # the surface stays


def test_step_k_slider_moves_the_ellipse_and_the_link(tab):
    tab.open("/?curv=1&k=5", charts=3)
    ring = next(t for t in tab.traces(0) if t["name"] == "iterate at step k")
    tab.page.locator('input[type="range"][aria-label="Step k (curvature and step inspector)"]').focus()
    tab.page.keyboard.press("ArrowRight")
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('k=6')", timeout=20000)
    moved = next(t for t in tab.traces(0) if t["name"] == "iterate at step k")
    assert moved["x"] != ring["x"]
    assert tab.exceptions() == [] and tab.errors == []
