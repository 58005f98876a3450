"""Noise bands and eps dominance in a real headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_noise_bands_and_eps_marks_draw_and_follow_the_bands_slider(tab):
    tab.open(
        "/?bowl.condition=4&opt=sgd,rmsprop&rmsprop.lr=0.01&rmsprop.rho=0.9&rmsprop.eps=0.03&steps=300&noise=0.001",
        charts=3,
    )
    assert tab.exceptions() == [] and tab.errors == []
    contour, loss, lr = (tab.traces(i) for i in range(3))
    assert {"SGD: other seeds", "RMSProp: other seeds"} <= {t["name"] for t in contour}
    assert {"SGD median", "RMSProp median"} <= {t["name"] for t in loss}
    assert {"RMSProp: eps dominates along x", "RMSProp: eps dominates along y"} <= {t["name"] for t in lr}
    tab.page.locator('input[type="range"][aria-label="Noise bands (seeds)"]').focus()
    tab.page.keyboard.press("ArrowRight")  # 20 -> 30 seeds
    tab.wait_idle(3, after_input=True)
    tab.page.wait_for_function("() => location.search.includes('bands=30')", timeout=20000)
    title = tab.plot(1).evaluate("gd => gd.layout.title.text")
    assert "median of 30 seeds" in title
    assert tab.exceptions() == [] and tab.errors == []
