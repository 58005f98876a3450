#!/usr/bin/env python
"""Record PyTorch optimizers driven by torch.optim.lr_scheduler, as ground truth for optim's schedules.

Writes tests/data/schedule_reference.json: for each case, the learning rate that each update used
(``param_groups[0]["lr"]`` just before ``optimizer.step()``) and the iterates, 30 steps on Rosenbrock
from (-1.2, 1.0) in float64, with the loop PyTorch documents::

    for t in range(steps):
        p.grad = grad(p); optimizer.step(); scheduler.step()

The schedulers are built here by hand from torch's classes (StepLR, ExponentialLR, CosineAnnealingLR,
LinearLR / LambdaLR warm-ups joined by SequentialLR, a ConstantLR tail holding the cosine's floor), not
from the app's code export. The gradient is the same plain-float expression as generate_reference.py.

Setup: any Python with torch (the dev venv has it; it is not a project dependency)::

    /work/venv/bin/python tools/crosscheck/generate_schedule_reference.py [--out PATH] [--steps N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform

START = (-1.2, 1.0)
STEPS = 30

# (name, optimizer, our hyperparameters, our schedule {kind, params...})
CASES = [
    ("rmsprop-steplr", "rmsprop", {"lr": 0.001953125, "rho": 0.9375}, {"kind": "step", "every": 7, "gamma": 0.5}),
    ("adam-exponentiallr", "adam", {"lr": 0.03125, "beta1": 0.875}, {"kind": "exponential", "gamma": 0.9375}),
    ("sgd-cosine-long", "sgd", {"lr": 0.0009765625}, {"kind": "cosine", "T": 40, "floor": 0.125}),
    ("sgd-cosine-floor", "sgd", {"lr": 0.0009765625}, {"kind": "cosine", "T": 12, "floor": 0.25}),
    (
        "rmsprop-momentum-warmup-cosine",
        "rmsprop",
        {"lr": 0.001953125, "rho": 0.9375, "momentum": 0.875},
        {"kind": "cosine", "T": 15, "floor": 0.0, "warmup": 8, "warmup_start": 0.25},
    ),
    (
        "momentum-warmup0-step",
        "momentum",
        {"lr": 0.0009765625, "momentum": 0.875},
        {"kind": "step", "every": 5, "gamma": 0.75, "warmup": 6, "warmup_start": 0.0},
    ),
    (
        "adam-amsgrad-warmup-constant",
        "adam",
        {"lr": 0.03125, "amsgrad": True},
        {"kind": "constant", "warmup": 10, "warmup_start": 0.1},
    ),
    (
        "nesterov-warmup-exponential",
        "nesterov",
        {"lr": 0.0009765625, "momentum": 0.875},
        {"kind": "exponential", "gamma": 0.96875, "warmup": 4, "warmup_start": 0.5},
    ),
]


def grad_rosenbrock(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


def make_optimizer(torch, name, hp, params):
    o = torch.optim
    if name == "rmsprop":
        return o.RMSprop(params, lr=hp["lr"], alpha=hp["rho"], momentum=hp.get("momentum", 0.0))
    if name == "adam":
        return o.Adam(params, lr=hp["lr"], betas=(hp.get("beta1", 0.9), 0.999), amsgrad=hp.get("amsgrad", False))
    if name == "sgd":
        return o.SGD(params, lr=hp["lr"])
    if name in ("momentum", "nesterov"):
        return o.SGD(params, lr=hp["lr"], momentum=hp["momentum"], nesterov=name == "nesterov")
    raise ValueError(name)


def make_scheduler(torch, optimizer, schedule, steps):
    """torch's schedulers for our schedule; returns (scheduler, a description of it)."""
    s = torch.optim.lr_scheduler
    lr = optimizer.param_groups[0]["lr"]
    kind, warmup = schedule["kind"], schedule.get("warmup", 0)
    parts, names, milestones = [], [], []
    if warmup:
        start = schedule["warmup_start"]
        if start > 0:
            parts.append(s.LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=warmup))
            names.append(f"LinearLR(start_factor={start}, total_iters={warmup})")
        else:  # LinearLR needs start_factor > 0
            parts.append(s.LambdaLR(optimizer, lambda t, w=warmup: min(t / w, 1.0)))
            names.append(f"LambdaLR(min(t / {warmup}, 1))")
        milestones.append(warmup)
    if kind == "constant":
        milestones = milestones[:-1]  # the warm-up alone: both warm-ups hold lr once they are done
    elif kind == "step":
        parts.append(s.StepLR(optimizer, step_size=schedule["every"], gamma=schedule["gamma"]))
        names.append(f"StepLR(step_size={schedule['every']}, gamma={schedule['gamma']})")
    elif kind == "exponential":
        parts.append(s.ExponentialLR(optimizer, gamma=schedule["gamma"]))
        names.append(f"ExponentialLR(gamma={schedule['gamma']})")
    elif kind == "cosine":
        floor, length = schedule["floor"], schedule["T"]
        parts.append(s.CosineAnnealingLR(optimizer, T_max=length, eta_min=lr * floor))
        names.append(f"CosineAnnealingLR(T_max={length}, eta_min={lr * floor!r})")
        if warmup + length < steps:  # hold the floor: CosineAnnealingLR would climb back after T_max
            parts.append(s.ConstantLR(optimizer, factor=floor, total_iters=steps + 1))
            names.append(f"ConstantLR(factor={floor}, total_iters={steps + 1})")
            milestones.append(warmup + length)
    if len(parts) == 1:
        return parts[0], names[0]
    return s.SequentialLR(optimizer, parts, milestones=milestones), f"SequentialLR([{', '.join(names)}], {milestones})"


def run_case(torch, name, hp, schedule, steps):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.tensor(list(START), dtype=torch.float64, requires_grad=True)
        optimizer = make_optimizer(torch, name, hp, [p])
        scheduler, described = make_scheduler(torch, optimizer, schedule, steps)
        xy, lrs = [[float(v) for v in p.detach().tolist()]], []
        for _ in range(steps):
            gx, gy = grad_rosenbrock(*xy[-1])
            p.grad = torch.tensor([gx, gy], dtype=torch.float64)
            lrs.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.step()
            scheduler.step()
            xy.append([float(v) for v in p.detach().tolist()])
    finally:
        torch.set_default_dtype(old)
    return described, lrs, xy


def main(argv=None) -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "..", "tests", "data",
                                                                   "schedule_reference.json")))  # fmt: skip
    ap.add_argument("--steps", type=int, default=STEPS)
    args = ap.parse_args(argv)
    cases = []
    for case, optimizer, hp, schedule in CASES:
        described, lrs, xy = run_case(torch, optimizer, hp, schedule, args.steps)
        cases.append(
            {"case": case, "optimizer": optimizer, "hp": hp, "schedule": schedule, "torch": described, "lr": lrs,
             "xy": xy}
        )  # fmt: skip
        print(f"{case:34s} {described}")
    data = {
        "meta": {
            "generated": datetime.date.today().isoformat(),
            "generator": "tools/crosscheck/generate_schedule_reference.py",
            "versions": {"python": platform.python_version(), "torch": torch.__version__},
            "start": list(START),
            "steps": args.steps,
            "convention": "update t uses param_groups[0]['lr'] after t scheduler.step() calls (t = 0 first)",
        },
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
