"""A grid of map panels on shared axes (small multiples, basin maps): where each panel sits, its axes
and its title."""

from __future__ import annotations

from dataclasses import dataclass

from .style import Theme

_AXIS = {"showgrid": False, "zeroline": False, "constrain": "domain", "ticks": "outside"}


def axis_names(i: int) -> tuple[str, str]:
    """The trace axis references of panel ``i`` ("x", "y" for the first, then "x2", "y2", ...)."""
    return ("x", "y") if i == 0 else (f"x{i + 1}", f"y{i + 1}")


def equal_aspect(domain: tuple[tuple[float, float], tuple[float, float]]) -> bool:
    """Draw x and y to the same scale unless the domain is far from square."""
    (x0, x1), (y0, y1) = domain
    return 0.4 <= (x1 - x0) / (y1 - y0) <= 2.5


@dataclass(frozen=True)
class PanelGrid:
    """Panels in ``columns`` columns, each ``cell_w`` x ``cell_h`` of the paper (a title band of ``title_band``
    at its top), ``gap_x``/``gap_y`` apart, from ``top`` down."""

    columns: int
    cell_w: float
    cell_h: float
    gap_x: float
    gap_y: float
    title_band: float
    top: float = 1.0

    @classmethod
    def filling(cls, columns: int, rows: int, gap_x: float, gap_y: float, title_band: float) -> PanelGrid:
        """``rows`` x ``columns`` equal panels filling the whole paper, ``gap_x`` / ``gap_y`` apart."""
        return cls(
            columns,
            cell_w=(1.0 - gap_x * (columns - 1)) / columns,
            cell_h=(1.0 - gap_y * (rows - 1)) / rows,
            gap_x=gap_x,
            gap_y=gap_y,
            title_band=title_band,
        )

    def domains(self, i: int) -> tuple[list[float], list[float]]:
        """x and y paper domains of panel ``i``'s plot area."""
        row, col = divmod(i, self.columns)
        left = col * (self.cell_w + self.gap_x)
        high = self.top - row * (self.cell_h + self.gap_y)
        return [left, left + self.cell_w], [high - self.cell_h, high - self.title_band]

    def axes(self, i: int, domain, x_labels: bool = True) -> dict[str, dict]:
        """Layout entries of panel ``i``'s axes: ranges of ``domain``, tick labels on the left column
        (and on x where ``x_labels``), same scale on both axes where it suits, zoom shared by all panels."""
        (x0, x1), (y0, y1) = domain
        xd, yd = self.domains(i)
        x_ref, y_ref = axis_names(i)
        x_key, y_key = ("xaxis", "yaxis") if i == 0 else (f"xaxis{i + 1}", f"yaxis{i + 1}")
        left = i % self.columns == 0
        x_axis = {"domain": xd, "range": [x0, x1], "anchor": y_ref, "showticklabels": x_labels, **_AXIS}
        y_axis = {"domain": yd, "range": [y0, y1], "anchor": x_ref, "showticklabels": left, **_AXIS}
        # Titles where the tick labels are: the bottom row names x, the left column y.
        x_axis["title"] = {"text": "x" if x_labels else "", "standoff": 4}
        y_axis["title"] = {"text": "y" if left else "", "standoff": 4}
        if equal_aspect(domain):
            y_axis |= {"scaleanchor": x_ref, "scaleratio": 1}
        if i:
            x_axis["matches"], y_axis["matches"] = "x", "y"
        return {x_key: x_axis, y_key: y_axis}

    def title(self, i: int, text: str, theme: Theme) -> dict:
        """Panel ``i``'s title, centred above its plot area."""
        xd, yd = self.domains(i)
        return {
            "text": text,
            "x": (xd[0] + xd[1]) / 2,
            "y": yd[1],
            "xref": "paper",
            "yref": "paper",
            "xanchor": "center",
            "yanchor": "bottom",
            "showarrow": False,
            "font": theme.font(14),
        }
