"""Benchmark of the Sweep page's work; prints its figures (nothing is asserted).

    python bench/sweep_page.py            # full figures
    python bench/sweep_page.py --quick    # smaller sizes, for a smoke run

1. The map: RMSProp on Rosenbrock, a 200 x 200 lr x rho grid of 1,000-step runs, computed the way
   the page does (chunk by chunk), in seconds (target: about one second), with config-steps/s.
2. Drawing it: building the heatmap figure for that grid (ms).
3. The fair comparison: the lr search (49 learning rates) for SGD, Momentum, RMSProp and Adam.
4. The whole page in AppTest: a cold first run (nothing cached) and a warm rerun.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landscapes  # noqa: E402
from analysis import tuning  # noqa: E402
from views.sweep import grid as sweep_grid  # noqa: E402
from views.sweep.settings import SweepSettings  # noqa: E402
from viz.heatmap import HeatAxis, heatmap_figure  # noqa: E402


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def map_job(side: int, steps: int):
    job = SweepSettings.default("rosenbrock", "rmsprop").job
    return replace(job, steps=steps, x=replace(job.x, count=side), y=replace(job.y, count=side))


def compute_map(job, surface) -> sweep_grid.Grid:
    parts = [sweep_grid.run_chunk(job, surface, a, b) for a, b in sweep_grid.chunks(job)]
    return sweep_grid.Grid.combine(job, parts, surface.min_value)


def page_times() -> tuple[float, float]:
    from tests.apptest import open_page

    at = open_page("sweep", timeout=300)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    at.run()
    return cold, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--no-page", action="store_true", help="skip the AppTest page timing")
    args = parser.parse_args()
    side, steps, repeats = (50, 200, 1) if args.quick else (200, 1000, 3)
    surface = landscapes.get("rosenbrock")

    job = map_job(side, steps)
    seconds, grid = best_of(lambda: compute_map(job, surface), repeats)
    print(f"1. Map: RMSProp on Rosenbrock, {side} x {side} lr x rho, {steps:,} steps, chunks of {sweep_grid.CHUNK}")
    print(f"   {seconds:.2f} s   ({job.cells * steps / seconds / 1e6:.0f} M config-steps/s; target about 1 s)")
    print(f"   {int(grid.diverged.sum()):,} of {job.cells:,} runs diverged")

    x = HeatAxis("learning rate", job.x.values(), job.x.scale)
    y = HeatAxis("rho", job.y.values(), job.y.scale)
    seconds, _ = best_of(
        lambda: heatmap_figure(
            x, y, grid.gap, grid.steps_to_tol, grid.diverged_at, "loss", min_known=True, tol=job.tol, best=(0, 0)
        ),
        repeats,
    )
    print(f"\n2. Heatmap figure for that grid: {1e3 * seconds:.0f} ms")

    optimizers = ("sgd", "momentum", "rmsprop", "adam")
    total = 0.0
    print(f"\n3. Fair comparison: {tuning.LR_POINTS} learning rates x {steps:,} steps per optimizer (ms)")
    for name in optimizers:
        seconds, tuned = best_of(
            lambda name=name: tuning.tune_lr(name, surface, (-1.2, 1.0), steps, 1e-6, "pytorch", {}, "steps"),
            repeats,
        )
        total += seconds
        print(f"   {name:10s} {1e3 * seconds:6.0f}   best lr {tuned.lrs[tuned.best]:.3g}")
    print(f"   all four   {1e3 * total:6.0f}")

    if not args.no_page:
        cold, warm = page_times()
        print("\n4. The page at its defaults (100 x 100 map, 1,000 steps, 4-optimizer comparison) in AppTest")
        print(f"   cold first run {cold:.2f} s (imports and every computation), warm rerun {1e3 * warm:.0f} ms")


if __name__ == "__main__":
    main()
