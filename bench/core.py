"""Benchmark of the optimizer core; prints its figures (nothing is asserted).

    python bench/core.py            # full figures (about a minute)
    python bench/core.py --quick    # smaller sizes, for a smoke run

1. Sweep throughput: RMSProp on Rosenbrock, 100,000 configurations with per-configuration lr and
   rho, in config-steps per second; beside it torch.optim.RMSprop (when torch is importable)
   doing the job the ways torch can: one batched parameter tensor (shared lr and rho: an easier
   job than ours, torch's best case), the same with autograd computing the gradient, and one
   parameter group per lr value. Everything single-threaded, measured in this one run.
2. One Playground view: 6 optimizers x 1,000 steps on each required surface (target < 20 ms), and
   on three custom formulas.
3. The Sweep page's job: a 200 x 200 lr x rho grid, 1,000 steps on Rosenbrock.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import landscapes
import optim

REQUIRED_SURFACES = ["rosenbrock", "bowl", "saddle", "monkey_saddle", "beale", "himmelblau", "rastrigin"]
#: Custom formulas typed in the Playground (arithmetic only, and with transcendental functions).
CUSTOM_FORMULAS = ["x**2 + 100*y**2", "(1-x)**2 + 100*(y-x**2)**2", "sin(x)*cos(y)"]
VIEW = [("sgd", {}), ("momentum", {}), ("nesterov", {}), ("adagrad", {}), ("rmsprop", {}), ("adam", {})]


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sweep_configs(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return 10 ** rng.uniform(-4, -2, batch), rng.uniform(0.5, 0.999, batch)


def ours(batch: int, steps: int, repeats: int) -> float:
    lr, rho = sweep_configs(batch)
    seconds = best_of(lambda: optim.sweep("rmsprop", "rosenbrock", (-1.2, 1.0), steps, lr=lr, rho=rho), repeats)
    return batch * steps / seconds


def _rosenbrock_grad_torch(torch, p):
    x, y = p[:, 0], p[:, 1]
    r = y - x * x
    return torch.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r], 1)


def torch_batched(torch, batch: int, steps: int, repeats: int, autograd: bool) -> float:
    def job():
        param = torch.nn.Parameter(torch.tensor([[-1.2, 1.0]], dtype=torch.float64).repeat(batch, 1))
        opt = torch.optim.RMSprop([param], lr=1e-3, alpha=0.9)
        for _ in range(steps):
            if autograd:
                opt.zero_grad()
                x, y = param[:, 0], param[:, 1]
                ((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2).sum().backward()
            else:
                with torch.no_grad():
                    param.grad = _rosenbrock_grad_torch(torch, param)
            opt.step()

    return batch * steps / best_of(job, repeats)


def torch_groups(torch, batch: int, steps: int, repeats: int, groups: int) -> float:
    per_group = batch // groups
    lrs = np.geomspace(1e-4, 1e-2, groups)

    def job():
        params = [
            torch.nn.Parameter(torch.tensor([[-1.2, 1.0]], dtype=torch.float64).repeat(per_group, 1))
            for _ in range(groups)
        ]
        opt = torch.optim.RMSprop(
            [{"params": [p], "lr": float(lr), "alpha": 0.9} for p, lr in zip(params, lrs, strict=True)]
        )
        for _ in range(steps):
            with torch.no_grad():
                for p in params:
                    p.grad = _rosenbrock_grad_torch(torch, p)
            opt.step()

    return per_group * groups * steps / best_of(job, repeats)


def view_ms(surface: str, repeats: int) -> float:
    return 1e3 * best_of(lambda: optim.run_many(VIEW, surface, None, 1000), repeats)


def sweep_page_seconds(side: int, steps: int) -> float:
    lr = np.repeat(np.geomspace(1e-4, 1.0, side), side)
    rho = np.tile(np.linspace(0.0, 0.999, side), side)
    return best_of(lambda: optim.sweep("rmsprop", "rosenbrock", (-1.2, 1.0), steps, lr=lr, rho=rho), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args()
    batch, steps, repeats = (10_000, 50, 1) if args.quick else (100_000, 200, 3)

    print(f"numpy {np.__version__}, {os.cpu_count()} cores, single-threaded")
    print(f"\n1. Sweep throughput, RMSProp on Rosenbrock, {batch:,} configs x {steps} steps (M config-steps/s)")
    mine = ours(batch, steps, repeats)
    print(f"   optim.sweep (per-config lr and rho)           {mine / 1e6:8.1f}")
    try:
        import torch
    except ImportError:
        print("   torch is not installed: `pip install torch==2.13.0` for the comparison")
    else:
        torch.set_num_threads(1)
        figures = {
            "one batched tensor, shared lr and rho": torch_batched(torch, batch, steps, repeats, autograd=False),
            "one batched tensor, autograd gradient": torch_batched(torch, batch, steps, repeats, autograd=True),
            "one param group per lr (100 groups)": torch_groups(torch, batch, steps, repeats, groups=100),
        }
        print(f"   torch {torch.__version__}:")
        for label, rate in figures.items():
            print(f"     {label:42s}{rate / 1e6:8.1f}   (ours / torch = {mine / rate:4.1f}x)")

    print("\n2. One Playground view: 6 optimizers x 1,000 steps (ms, target < 20)")
    for surface in REQUIRED_SURFACES:
        print(f"   {surface:15s} {view_ms(surface, 3 if args.quick else 7):7.1f}")
    for formula in CUSTOM_FORMULAS:
        surface = landscapes.from_expression(formula)
        print(f"   custom {formula:26s} {view_ms(surface, 3 if args.quick else 7):7.1f}")

    side, page_steps = (50, 200) if args.quick else (200, 1000)
    print(f"\n3. Sweep page: {side} x {side} lr x rho grid, {page_steps} steps on Rosenbrock (s, target ~1)")
    print(f"   {sweep_page_seconds(side, page_steps):.2f}")


if __name__ == "__main__":
    main()
