"""The optimizer colours stay apart on a projector and under colour-vision deficiency (issue 15, item 7).

Distances are in CAM02-UCS (colorspacious), where about 1 unit is a just-noticeable difference between two large
patches; lines and markers need far more. The thresholds, and why:

* normal vision, every pair >= 27: the issue found SGD (orange #E69F00) and RMSProp (vermillion #D55E00) 21.6
  apart, Momentum (sky blue #56B4E9) and Adam (blue #0072B2) 24.6 apart, and could not tell either pair apart on
  a projector. 27 clears the wider of those failures by 10%.
* simulated deuteranopia and protanopia (colorspacious' "deuteranomaly"/"protanomaly" at severity 100), every pair
  >= 15: the previous palette's worst pairs there were 6-7 apart (Adagrad/Nadam, RMSProp/Adadelta), i.e. the same
  colour. Within the contrast band below, no eight colours do much better: a max-min search over a 36^3 sRGB grid
  found about 18 as the best possible minimum for the three visions together, so 15 is near the ceiling, and the
  dashes and markers (also checked here) carry the rest.
* contrast >= 3:1 (WCAG 2.1, 1.4.11 non-text contrast for graphical objects) against both chart backgrounds,
  #FFFFFF and #0E1117: the same colours serve light and dark mode, so they lie in a band of mid luminance.
* against the contour's fill (every colour of both themes' scales, sampled), CAM02-UCS >= 15 in normal vision: the
  fill runs from dark to pale, so no mid-luminance colour can have luminance contrast with all of it; a line is
  read against the fill by its colour difference (the markers also carry a background-coloured outline).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

colorspacious = pytest.importorskip("colorspacious")

import optim  # noqa: E402
from viz.style import LIGHT, Theme, optimizer_style  # noqa: E402

NAMES = optim.names()
VISIONS = {
    "normal": None,
    "deuteranopia": {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100},
    "protanopia": {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100},
}
PAIR_THRESHOLD = {"normal": 27.0, "deuteranopia": 15.0, "protanopia": 15.0}
CONTRAST, FILL_THRESHOLD = 3.0, 15.0
BACKGROUNDS = ("#FFFFFF", "#0E1117")


def rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(colour: np.ndarray, vision: str) -> np.ndarray:
    """The colour in CAM02-UCS as a viewer with ``vision`` sees it."""
    space = VISIONS[vision]
    if space is not None:
        colour = np.clip(colorspacious.cspace_convert(colour, space, "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(colour, "sRGB1", "CAM02-UCS")


def distance(a: str, b: str, vision: str = "normal") -> float:
    return float(np.linalg.norm(seen(rgb(a), vision) - seen(rgb(b), vision)))


def luminance(colour: np.ndarray) -> float:
    linear = np.where(colour <= 0.04045, colour / 12.92, ((colour + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    low, high = sorted((luminance(rgb(a)), luminance(rgb(b))))
    return (high + 0.05) / (low + 0.05)


def scale_samples(theme: Theme, count: int = 21) -> list[str]:
    """``count`` colours along the theme's contour colour scale (linear in sRGB, as Plotly interpolates)."""
    stops = theme.contour_scale
    positions = [p for p, _ in stops]
    colours = np.array([rgb(c) for _, c in stops])
    out = []
    for t in np.linspace(0, 1, count):
        mixed = [np.interp(t, positions, colours[:, k]) for k in range(3)]
        out.append("#" + "".join(f"{round(v * 255):02X}" for v in mixed))
    return out


COLOURS = {name: optimizer_style(name).color for name in NAMES}


@pytest.mark.parametrize("vision", list(VISIONS))
def test_every_pair_is_apart(vision):
    worst = min((distance(COLOURS[a], COLOURS[b], vision), a, b) for a, b in itertools.combinations(NAMES, 2))
    assert worst[0] >= PAIR_THRESHOLD[vision], worst


def test_the_issues_pairs_are_now_far_apart():
    before = {("sgd", "rmsprop"): ("#E69F00", "#D55E00"), ("momentum", "adam"): ("#56B4E9", "#0072B2")}
    for (a, b), (old_a, old_b) in before.items():
        assert distance(old_a, old_b) < 25  # what the issue saw
        assert distance(COLOURS[a], COLOURS[b]) >= 1.5 * distance(old_a, old_b), (a, b)


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_colour_has_contrast_on_the_chart_background(background):
    for name, colour in COLOURS.items():
        assert contrast(colour, background) >= CONTRAST, (name, colour, background)


@pytest.mark.parametrize("theme", [LIGHT, Theme(dark=True)], ids=["light", "dark"])
def test_every_colour_stands_out_from_the_contour_fill(theme):
    assert theme.background in BACKGROUNDS
    for name, colour in COLOURS.items():
        nearest = min(distance(colour, fill) for fill in scale_samples(theme))
        assert nearest >= FILL_THRESHOLD, (name, colour, nearest)


def test_rmsprop_has_the_most_salient_colour():
    chroma = {n: float(colorspacious.cspace_convert(rgb(c), "sRGB1", "JCh")[1]) for n, c in COLOURS.items()}
    assert max(chroma, key=chroma.get) == "rmsprop"


def test_dashes_and_markers_are_a_second_cue():
    styles = [optimizer_style(n) for n in NAMES]
    assert len({s.dash for s in styles}) == len(NAMES)
    assert len({s.marker for s in styles}) == len(NAMES)
    assert optimizer_style("rmsprop").dash == "solid"  # the hero: an unbroken line
