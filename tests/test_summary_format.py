"""The Playground's summary table: words for empty cells, one number format, the loss chart's floor (issue 15,
item 5: empty cells printed "None", formats were mixed, and 1.993e-35 in the table sat next to a loss chart that
bottoms at 1e-16 without a word)."""

from __future__ import annotations

import re

import pytest

from tests.apptest import open_page
from views.playground.report import three_figures

#: 3 significant figures: plain from 1e-3 to 1e4, scientific (d.dde±XX) outside.
NUMBER = re.compile(r"^-?(0|\d\.\d\de[+-]\d{2,3}|\d+(\.\d+)?)$")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.993e-35, "1.99e-35"),
        (0.000999, "9.99e-04"),
        (0.00123456, "0.00123"),
        (0.0123456, "0.0123"),
        (1.0, "1.00"),
        (9.996, "10.0"),
        (12.345, "12.3"),
        (999.6, "1000"),
        (1234.5, "1230"),
        (12345.0, "1.23e+04"),
        (0.0, "0"),
        (-0.5, "-0.500"),
    ],
)
def test_three_significant_figures(value, text):
    assert three_figures(value) == text


def significant(text: str) -> int:
    digits = text.split("e")[0].replace("-", "").replace(".", "").lstrip("0")
    return len(digits)


def open_playground(query: dict[str, str]):
    at = open_page("playground")
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_empty_cells_say_never_and_dash_and_numbers_share_one_format():
    # SGD diverges (lr 10) and never reaches the tolerance, Adam does: every kind of cell
    at = open_playground(
        {"surface": "rosenbrock", "opt": "sgd,momentum,adam", "sgd.lr": "10", "adam.lr": "0.05", "steps": "2000"}
    )
    assert not at.exception
    table = at.dataframe[0].value
    cells = table.to_numpy().ravel().tolist()
    assert "None" not in cells and "nan" not in cells and "<NA>" not in cells
    assert table.loc["Adam", "diverged at step"] == "—" and table.loc["SGD", "diverged at step"].isdigit()
    steps = next(c for c in table.columns if c.startswith("steps"))
    assert table.loc["SGD", steps] == "never" and table.loc["Adam", steps].isdigit()
    for column in ("final f − f*", "best f − f*", "distance to nearest minimum"):
        for text in table[column]:
            assert text == "—" or (NUMBER.match(text) and (text == "0" or significant(text) == 3)), (column, text)


def test_never_for_a_run_that_does_not_reach_the_tolerance():
    at = open_playground({"surface": "rosenbrock", "opt": "sgd", "steps": "10"})
    table = at.dataframe[0].value
    assert table.loc["SGD", next(c for c in table.columns if c.startswith("steps"))] == "never"


def test_the_charts_floor_is_explained_when_the_table_goes_below_it():
    at = open_playground({"surface": "bowl", "opt": "adagrad,adam", "steps": "2000"})
    table = at.dataframe[0].value
    tiny = [float(v) for v in table["best f − f*"] if v != "—"]
    assert min(tiny) < 1e-16  # e.g. 1.99e-35, drawn on the chart's 1e-16 floor
    assert any("loss chart stops at 1e-16" in c.value for c in at.caption)
    at = open_playground({"surface": "rosenbrock", "opt": "sgd", "steps": "10"})
    assert not any("loss chart stops" in c.value for c in at.caption)  # nothing to explain


def test_the_cached_table_is_what_streamlit_sends_for_the_shown_frame():
    """The summary is built and converted once per view (views/playground/compute.py): its Arrow table is
    byte for byte what st.dataframe makes of the same text frame, index included."""
    import pandas as pd
    from streamlit import dataframe_util

    from views.common.scenario import Scenario
    from views.playground import compute, report

    scenario = Scenario.from_query({"surface": "rosenbrock", "opt": "sgd,adam", "sgd.lr": "10", "steps": "300"})[0]
    specs = tuple(scenario.run_spec(name) for name in scenario.optimizers)
    summary = compute.summary(specs, scenario.tol)
    assert compute.summary(specs, scenario.tol) is summary  # the second rerun of a view builds nothing
    paths = [compute.run_path(spec) for spec in specs]
    columns = report.summary_columns(paths, scenario.landscape(), scenario.tol)
    frame = pd.DataFrame(report.summary_text(columns, True), index=pd.Index(["SGD", "Adam"], name="optimizer"))
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(summary.table) == (
        dataframe_util.convert_pandas_df_to_arrow_bytes(frame)
    )
    other = compute.summary(specs, scenario.tol * 10)
    assert other is not summary and other.columns != summary.columns  # the tolerance is in a column's name
