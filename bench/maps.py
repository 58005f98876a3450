"""Benchmark of the Maps page's computations; prints its figures (nothing is asserted).

    python bench/maps.py [--res 200] [--steps 500] [--lrs 60]

- Basin map: res x res starts x steps, one batched sweep per optimizer, then the classification and
  the figure. Target: about a second per optimizer at 200 x 200 x 500.
- Learning-rate sensitivity: 6 optimizers x lrs learning rates x steps on Rosenbrock, one batched
  sweep per optimizer. Target: about a second.
Single-threaded NumPy, no Streamlit cache involved.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landscapes  # noqa: E402
from analysis import basins, sensitivity  # noqa: E402
from viz.basins import Panel, basin_figure  # noqa: E402
from viz.sensitivity import sensitivity_figure  # noqa: E402

SENSITIVITY_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "nadam")


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--res", type=int, default=200)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lrs", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    surface = landscapes.get("himmelblau")
    grid = basins.StartGrid.over(surface, args.res)
    print(f"basin map, Himmelblau, {args.res} x {args.res} starts x {args.steps} steps (best of {args.repeats}):")
    for name, lr in (("sgd", 0.01), ("rmsprop", 0.05), ("adam", 0.2)):
        seconds = best_of(args.repeats, lambda n=name, lr=lr: basins.run_endpoints(n, surface, grid, args.steps, lr=lr))
        rate = args.res**2 * args.steps / seconds / 1e6
        print(f"  {name:8s} sweep {seconds:6.3f} s  ({rate:5.1f} M config-steps/s)")
    runs = {
        n: basins.run_endpoints(n, surface, grid, args.steps, lr=lr) for n, lr in (("sgd", 0.01), ("rmsprop", 0.05))
    }
    seconds = best_of(args.repeats, lambda: basins.classify(surface, grid, runs))
    print(f"  classify 2 maps {seconds:6.3f} s")
    attractors, labels = basins.classify(surface, grid, runs)
    panels = [Panel(n, n, labels[n]) for n in runs]
    seconds = best_of(args.repeats, lambda: basin_figure(surface, grid.xs, grid.ys, panels, attractors))
    print(f"  figure (2 panels) {seconds:6.3f} s")

    rosenbrock = landscapes.get("rosenbrock")

    def curves():
        return [
            sensitivity.sensitivity(n, rosenbrock, rosenbrock.start, sensitivity.lr_grid(n, args.lrs), args.steps)
            for n in SENSITIVITY_OPTIMIZERS
        ]

    seconds = best_of(args.repeats, curves)
    print(f"lr sensitivity, Rosenbrock, 6 optimizers x {args.lrs} lrs x {args.steps} steps: {seconds:.3f} s")
    result = curves()
    seconds = best_of(args.repeats, lambda: sensitivity_figure(result, "loss", args.steps))
    print(f"  figure {seconds:6.3f} s")


if __name__ == "__main__":
    main()
