"""Every chart's axes carry a title, as plotly.js renders them (titles given as plain strings through an
unvalidated figure spec are dropped by plotly.js: issue 15, item 4)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHART_PLOTS_JS, Page

pytestmark = pytest.mark.browser

#: For every chart on the page: each axis that shows tick labels, and its rendered title ("" if none).
UNTITLED_JS = (
    "() => {"
    + CHART_PLOTS_JS
    + """
    const found = [];
    charts.forEach((chart, i) => {
        const layouts = plots(chart).map(gd => gd._fullLayout).filter(Boolean);
        const axes = {};
        for (const full of layouts) {
            for (const [key, axis] of Object.entries(full)) {
                if (/^[xy]axis\\d*$/.test(key) && axis && axis.visible !== false && axis.showticklabels) {
                    axes[key] = axes[key] || (axis.title && axis.title.text) || "";
                }
            }
            for (const scene of Object.keys(full).filter(k => /^scene\\d*$/.test(k))) {
                for (const key of ["xaxis", "yaxis", "zaxis"]) {
                    const axis = full[scene][key];
                    axes[scene + "." + key] = (axis.title && axis.title.text) || "";
                }
            }
        }
        for (const [key, title] of Object.entries(axes)) found.push([i, key, title]);
    });
    return found;
}"""
)


def untitled(page: Page) -> list[str]:
    axes = page.page.evaluate(UNTITLED_JS)
    assert axes, "no chart axes found"
    # plotly.js fills an untitled axis with the placeholder of its title editor (not drawn unless editable)
    return [f"chart {i} {key}" for i, key, title in axes if not title.strip() or title.startswith("Click to enter")]


@pytest.mark.parametrize(
    ("path", "charts"),
    [
        ("/", 3),
        ("/?acc=1&opt=sgd,rmsprop,adam", 3),
        ("/?multi=1&opt=sgd,rmsprop,adam", 3),
        ("/lessons?lesson=first-steps", 2),
        ("/sweep?surface=bowl&nx=20&ny=15&steps=100", 3),
        ("/maps?res=30&steps=100&lrs=20", 2),
    ],
)
def test_every_axis_with_tick_labels_has_a_title(tab, path, charts):
    tab.open(path, charts=charts)
    assert untitled(tab) == []
    if path == "/":
        tab.page.get_by_role("tab", name="3-D view").click()
        tab.wait_idle(4, after_input=True)
        assert untitled(tab) == []
