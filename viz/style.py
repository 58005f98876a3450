"""One look for every chart: optimizer colours (told apart on a projector and under colour-vision deficiency),
markers, dashes and the theme."""

from __future__ import annotations

from dataclasses import dataclass

# Eight colours for a projector and for colour-vision deficiency; tests/test_palette.py checks each property with
# colorspacious (thresholds justified there): every pair is >= 27 apart in CAM02-UCS in normal vision (the issue's
# confused orange/vermillion were 21.6 apart, sky blue/blue 24.6) and >= 15 under simulated deuteranopia and
# protanopia (Okabe-Ito's worst pairs there: 6-7); each has >= 3:1 contrast on both chart backgrounds (#FFFFFF,
# #0E1117) and stands >= 15 apart from every colour of both contour scales. RMSProp, the app's hero, has the most
# saturated colour. Dashes and markers are a second cue: all eight differ.
_PALETTE = {
    "sgd": "#857565",  # warm grey: the plain baseline
    "momentum": "#00A099",  # teal
    "nesterov": "#9983F8",  # lavender
    "adagrad": "#DB7C00",  # amber
    "rmsprop": "#CC0000",  # red: the hero
    "adam": "#1D49F8",  # blue
    "adadelta": "#924292",  # plum
    "nadam": "#FF5099",  # pink
}
_MARKERS = {
    "sgd": "circle",
    "momentum": "square",
    "nesterov": "diamond",
    "adagrad": "triangle-up",
    "rmsprop": "star",
    "adam": "x",
    "adadelta": "triangle-down",
    "nadam": "cross",
}
_DASHES = {
    "sgd": "dash",
    "momentum": "dot",
    "nesterov": "longdash",
    "adagrad": "dashdot",
    "rmsprop": "solid",
    "adam": "longdashdot",
    "adadelta": "9px,3px,3px,3px,3px,3px",  # dash dot dot
    "nadam": "2px,6px",  # sparse dots
}


#: The charts' typeface where Streamlit's chart template does not set it (views/common/live.py): the app's own
#: (Streamlit's "sans serif" theme font), then the system's.
FONT = '"Source Sans Pro", "Source Sans 3", sans-serif'


@dataclass(frozen=True)
class OptimizerStyle:
    color: str
    marker: str
    dash: str


def optimizer_style(name: str) -> OptimizerStyle:
    """The colour, marker symbol and line dash that identify an optimizer on every chart."""
    return OptimizerStyle(_PALETTE.get(name, "#444444"), _MARKERS.get(name, "circle"), _DASHES.get(name, "solid"))


@dataclass(frozen=True)
class Theme:
    """Colours and sizes that depend on light/dark mode and on presentation mode."""

    dark: bool = False
    font_scale: float = 1.0

    @property
    def text(self) -> str:
        return "#FAFAFA" if self.dark else "#262730"

    @property
    def grid(self) -> str:
        return "rgba(250,250,250,0.12)" if self.dark else "rgba(38,39,48,0.10)"

    @property
    def background(self) -> str:
        return "#0E1117" if self.dark else "#FFFFFF"

    @property
    def contour_scale(self) -> list[list]:
        """A quiet sequential scale (low = darker) so the coloured paths stand out."""
        if self.dark:
            return [[0.0, "#10243F"], [0.5, "#2C4468"], [1.0, "#6B7F9E"]]
        return [[0.0, "#4F74AD"], [0.35, "#A9BEDD"], [1.0, "#F7F9FC"]]

    @property
    def contour_line(self) -> str:
        return "rgba(255,255,255,0.25)" if self.dark else "rgba(38,39,48,0.22)"

    @property
    def marker_outline(self) -> str:
        return self.background

    def font(self, size: float = 14) -> dict:
        return {"size": round(size * self.font_scale), "color": self.text}

    def layout(self, height: int, **extra) -> dict:
        """Base layout shared by the 2-D charts."""
        return {
            "height": round(height * (1.15 if self.font_scale > 1 else 1.0)),
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "font": self.font(),
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": self.font(13)},
            "hoverlabel": {"font": {"size": round(13 * self.font_scale)}},
            **extra,
        }


#: The default theme (light, normal type).
LIGHT = Theme()
