"""Benchmark of the Playground page; prints its figures (nothing is asserted).

    python bench/playground.py [--moves 20]

- Warm rerun after a slider move, in Streamlit's AppTest: the Playground (moving RMSProp's lr,
  so that optimizer is recomputed and the others come from the cache) beside a bare app that
  draws the same three Plotly charts (bench/apps/bare_charts.py) after a slider move.
  Target: at most 1.5x the bare app.
- The Plotly payload of the default view (the JSON the browser receives). Target: under 1 MB.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import state  # noqa: E402


def timed_moves(at: AppTest, widget, values: list, moves: int) -> list[float]:
    times = []
    for i in range(moves):
        start = time.perf_counter()
        widget().set_value(values[i % len(values)]).run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()

    ours = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    payload = sum(len(chart.proto.spec) for chart in ours.get("plotly_chart"))
    lrs = [0.04, 0.03, 0.02, 0.06, 0.08, 0.1, 0.012, 0.015, 0.025, 0.05]
    fresh = timed_moves(ours, lambda: ours.select_slider(key=state.hp_key("rmsprop", "lr")), lrs, len(lrs))
    cached = timed_moves(ours, lambda: ours.select_slider(key=state.hp_key("rmsprop", "lr")), lrs, args.moves)

    bare = AppTest.from_file(str(ROOT / "bench" / "apps" / "bare_charts.py"), default_timeout=60).run()
    shifts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    bare_times = timed_moves(bare, lambda: bare.slider[0], shifts, args.moves)

    ms = lambda xs: 1e3 * statistics.median(xs)  # noqa: E731
    print("Warm rerun after a slider move (AppTest, median ms):")
    print(f"  Playground, new lr value (RMSProp recomputed) {ms(fresh):7.1f}")
    print(f"  Playground, lr value seen before (cached)     {ms(cached):7.1f}")
    print(f"  bare app drawing the same 3 Plotly charts      {ms(bare_times):7.1f}")
    print(f"  ratio (new value / bare)                       {ms(fresh) / ms(bare_times):7.2f}x  (target <= 1.5x)")
    print(f"\nPlotly payload of the default view: {payload / 1e6:.2f} MB  (target < 1 MB)")


if __name__ == "__main__":
    main()
