"""The class poll's bar chart (viz/votes.py): every option has a bar, counts and shares are written on the bars,
and after the reveal the right answer stands out by colour and by a check mark."""

from __future__ import annotations

from viz.style import LIGHT, Theme
from viz.votes import OPEN, OTHER, RIGHT, votes_figure

OPTIONS = {"sgd": "SGD", "rmsprop": "RMSProp", "adam": "Adam", "none": "None of them within 150 steps"}


def test_before_the_reveal_every_option_has_a_bar_and_no_answer_is_marked():
    figure = votes_figure(OPTIONS, {"rmsprop": 3, "adam": 1}, LIGHT).validated()
    (bars,) = figure.data
    assert list(bars.y) == list(OPTIONS.values()) and list(bars.x) == [0, 3, 1, 0]
    assert list(bars.text) == ["0 (0%)", "3 (75%)", "1 (25%)", "0 (0%)"]
    assert set(bars.marker.color) == {OPEN}
    assert figure.layout.xaxis.title.text == "4 answers" and figure.layout.xaxis.dtick == 1


def test_after_the_reveal_the_right_answer_is_green_and_checked():
    figure = votes_figure(OPTIONS, {"sgd": 2, "rmsprop": 1}, Theme(dark=True), correct=("rmsprop",)).validated()
    (bars,) = figure.data
    assert bars.y[1] == "✓ RMSProp" and not any(label.startswith("✓") for i, label in enumerate(bars.y) if i != 1)
    assert list(bars.marker.color) == [OTHER, RIGHT, OTHER, OTHER]


def test_no_votes_and_many_votes():
    empty = votes_figure(OPTIONS, {}, LIGHT).validated()
    assert list(empty.data[0].text) == ["0"] * 4 and empty.layout.xaxis.title.text == "0 answers"
    many = votes_figure(OPTIONS, {"sgd": 60, "adam": 40}, LIGHT).validated()
    assert many.layout.xaxis.dtick is None  # plotly picks the ticks
