#!/usr/bin/env python
"""Generate ground-truth optimizer trajectories from the real frameworks.

Writes tests/data/framework_reference.json: for PyTorch, Keras 3 (JAX backend),
optax and TF1 (``tf.compat.v1.train``), 40 steps of each optimizer on the
Rosenbrock function from (-1.2, 1.0), everything in float64.

The gradient handed to every optimizer is computed in plain Python floats by
``grad_rosenbrock`` below (no autograd), so the only rounding that differs
between frameworks is the optimizer's own.

Hyperparameters are exactly representable in float32 (TF1 turns Python floats
into float32 tensors before casting them to the variable dtype), so that
rounding does not matter.

Setup (a separate venv; these are NOT project dependencies)::

    python -m venv /tmp/xcheck-venv
    /tmp/xcheck-venv/bin/pip install torch==2.13.0      # CPU wheel
    /tmp/xcheck-venv/bin/pip install "jax[cpu]" optax keras tensorflow-cpu
    cd <repo root>
    /tmp/xcheck-venv/bin/python tools/crosscheck/generate_reference.py

(use ``tensorflow`` if ``tensorflow-cpu`` is unavailable.)  A framework that
cannot be imported is skipped and listed under "missing".  Options:
``--out PATH`` to write elsewhere, ``--steps N``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import inspect
import json
import os
import platform
import struct
import sys
import traceback

# Must be set before keras / tensorflow are imported.
os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

START = (-1.2, 1.0)
STEPS = 40

GRADIENT_EXPR = "r = y - x * x; gx = -2.0 * (1.0 - x) - 400.0 * x * r; gy = 200.0 * r"


def grad_rosenbrock(x: float, y: float) -> tuple[float, float]:
    """Rosenbrock gradient in Python floats; exactly this expression."""
    x = float(x)
    y = float(y)
    r = y - x * x
    gx = -2.0 * (1.0 - x) - 400.0 * x * r
    gy = 200.0 * r
    return gx, gy


# --- hyperparameters (all exactly representable in float32) -----------------
LR = 2.0**-9  # 0.001953125
LR_ADADELTA = 0.5
RHO = 0.9375
MOMENTUM = 0.875
BETA1 = 0.875
BETA2 = 0.9990234375
EPS_VALUES = (2.0**-30, 2.0**-6)


def _f32_exact(v: float) -> bool:
    return struct.unpack("f", struct.pack("f", v))[0] == v


def case_specs():
    """(optimizer, hp) in our names, in output order."""
    specs = [
        ("sgd", {"lr": LR}),
        ("momentum", {"lr": LR, "momentum": MOMENTUM}),
        ("nesterov", {"lr": LR, "momentum": MOMENTUM, "nesterov": True}),
    ]
    for eps in EPS_VALUES:
        specs.append(("adagrad", {"lr": LR, "eps": eps}))
    for centered, mom in ((False, 0.0), (True, 0.0), (False, MOMENTUM), (True, MOMENTUM)):
        for eps in EPS_VALUES:
            specs.append(("rmsprop", {"lr": LR, "rho": RHO, "eps": eps, "momentum": mom, "centered": centered}))
    for ams in (False, True):
        for eps in EPS_VALUES:
            specs.append(("adam", {"lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": eps, "amsgrad": ams}))
    for eps in EPS_VALUES:
        specs.append(("adadelta", {"lr": LR_ADADELTA, "rho": RHO, "eps": eps}))
    for eps in EPS_VALUES:
        specs.append(("nadam", {"lr": LR, "beta1": BETA1, "beta2": BETA2, "eps": eps}))
    for _, hp in specs:
        for k, v in hp.items():
            if isinstance(v, float):
                assert _f32_exact(v), (k, v)
    return specs


class Missing(Exception):
    """The framework has no such optimizer / option."""

    def __init__(self, option, why):
        super().__init__(why)
        self.option = option
        self.why = why


def _fmt_kwargs(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _api(name, kwargs, first=None):
    parts = ([first] if first else []) + ([_fmt_kwargs(kwargs)] if kwargs else [])
    return f"{name}({', '.join(parts)})"


# =============================================================================
# PyTorch
# =============================================================================
class TorchRunner:
    framework = "pytorch"

    def __init__(self):
        import torch

        self.torch = torch
        self.version = torch.__version__

    def _make(self, optimizer, hp):
        torch = self.torch
        o = torch.optim
        if optimizer in ("sgd", "momentum", "nesterov"):
            kw = {"lr": hp["lr"]}
            if optimizer != "sgd":
                kw["momentum"] = hp["momentum"]
            if optimizer == "nesterov":
                kw["nesterov"] = True
            notes = (
                "dampening=0, weight_decay=0; momentum_buffer is a copy of g at the first step (not zero-initialised)"
            )
            return "torch.optim.SGD", o.SGD, kw, notes
        if optimizer == "adagrad":
            kw = {"lr": hp["lr"], "eps": hp["eps"]}
            notes = "initial_accumulator_value=0 (default), lr_decay=0, weight_decay=0"
            return "torch.optim.Adagrad", o.Adagrad, kw, notes
        if optimizer == "rmsprop":
            kw = {"lr": hp["lr"], "alpha": hp["rho"], "eps": hp["eps"]}
            if hp["momentum"]:
                kw["momentum"] = hp["momentum"]
            if hp["centered"]:
                kw["centered"] = True
            notes = "square_avg (and grad_avg, momentum_buffer) start at 0; eps added outside the sqrt; weight_decay=0"
            return "torch.optim.RMSprop", o.RMSprop, kw, notes
        if optimizer == "adam":
            kw = {"lr": hp["lr"], "betas": (hp["beta1"], hp["beta2"]), "eps": hp["eps"]}
            if hp["amsgrad"]:
                kw["amsgrad"] = True
            notes = "weight_decay=0, decoupled_weight_decay=False"
            return "torch.optim.Adam", o.Adam, kw, notes
        if optimizer == "adadelta":
            kw = {"lr": hp["lr"], "rho": hp["rho"], "eps": hp["eps"]}
            return "torch.optim.Adadelta", o.Adadelta, kw, "weight_decay=0"
        if optimizer == "nadam":
            kw = {"lr": hp["lr"], "betas": (hp["beta1"], hp["beta2"]), "eps": hp["eps"]}
            notes = (
                "momentum_decay=0.004 (default), weight_decay=0; "
                "mu_product is a float64 0-d tensor because "
                "torch.set_default_dtype(torch.float64) was in force "
                "when the state was created"
            )
            return "torch.optim.NAdam", o.NAdam, kw, notes
        raise Missing(optimizer, "no such optimizer")

    def run(self, optimizer, hp, steps):
        torch = self.torch
        name, ctor, kw, notes = self._make(optimizer, hp)
        old = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            p = torch.tensor(list(START), dtype=torch.float64, requires_grad=True)
            opt = ctor([p], **kw)
            from torch.optim.optimizer import _default_to_fused_or_foreach

            fused, foreach = _default_to_fused_or_foreach([p], False, False)
            xy = [[float(v) for v in p.detach().tolist()]]
            for _ in range(steps):
                gx, gy = grad_rosenbrock(*xy[-1])
                p.grad = torch.tensor([gx, gy], dtype=torch.float64)
                opt.step()
                xy.append([float(v) for v in p.detach().tolist()])
            st = opt.state[p]
            scalar_dtypes = {k: str(v.dtype) for k, v in st.items() if torch.is_tensor(v) and v.dim() == 0}
        finally:
            torch.set_default_dtype(old)
        notes += (
            f"; foreach=None resolved to foreach={foreach} fused={fused} "
            f"on CPU (single-tensor path); torch default dtype set to "
            f"float64 for the run (0-d state dtypes: {scalar_dtypes})"
        )
        return _api(name, kw, "[p]"), notes, xy

    def probe_primitives(self, n=400, seed=12345):
        """How this torch build rounds the primitives its optimizers use.

        For 2-element float64 tensors (the size used here), count how many of
        n random samples equal each candidate formula; fma(a, b, c) is computed
        exactly with fractions and rounded once.
        """
        import random
        from fractions import Fraction

        torch = self.torch

        def fma(a, b, c):
            return float(Fraction(a) * Fraction(b) + Fraction(c))

        rng = random.Random(seed)

        def rnd():
            return rng.uniform(-2, 2) * 10 ** rng.uniform(-3, 3)

        counts = {}

        def tally(op, got, cands):
            for name, vals in cands.items():
                key = f"{op}: {name}"
                counts[key] = counts.get(key, 0) + sum(1 for u, v in zip(got, vals) if u == v)

        for _ in range(n // 2):
            a = [rnd(), rnd()]
            b = [rnd(), rnd()]
            c = [abs(rnd()), abs(rnd())]
            s = rng.choice([0.875, 0.1, 0.3, -0.7])
            w = rng.choice([0.1, 0.3, 0.7, 0.9])
            A, B, C = (torch.tensor(v, dtype=torch.float64) for v in (a, b, c))
            tally(
                "a.add(b, alpha=s)",
                A.add(B, alpha=s).tolist(),
                {"a + s*b": [x + s * y for x, y in zip(a, b)], "fma(s, b, a)": [fma(s, y, x) for x, y in zip(a, b)]},
            )
            tally(
                "a.addcmul(b, c, value=s)",
                A.addcmul(B, C, value=s).tolist(),
                {
                    "a + (s*b)*c": [x + (s * y) * z for x, y, z in zip(a, b, c)],
                    "fma(s*b, c, a)": [fma(s * y, z, x) for x, y, z in zip(a, b, c)],
                },
            )
            tally(
                "a.addcdiv(b, c, value=s)",
                A.addcdiv(B, C, value=s).tolist(),
                {"a + (s*b)/c": [x + (s * y) / z for x, y, z in zip(a, b, c)]},
            )
            tally(
                "a.lerp(b, w)",
                A.lerp(B, w).tolist(),
                {
                    "w<0.5 ? a + w*(b-a) : b - (b-a)*(1-w)": [
                        x + w * (y - x) if w < 0.5 else y - (y - x) * (1 - w) for x, y in zip(a, b)
                    ],
                    "w<0.5 ? fma(w, b-a, a) : fma(w-1, b-a, b)": [
                        fma(w, y - x, x) if w < 0.5 else fma(w - 1, y - x, y) for x, y in zip(a, b)
                    ],
                },
            )
        total = 2 * (n // 2)
        return {"samples": total, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "matches": counts}

    def defaults(self):
        o = self.torch.optim

        def sig(cls):
            return {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items()}

        out = {}
        s = sig(o.SGD)
        out["sgd"] = {
            "callable": "torch.optim.SGD",
            "lr": s["lr"],
            "momentum": s["momentum"],
            "nesterov": s["nesterov"],
            "dampening": s["dampening"],
        }
        s = sig(o.Adagrad)
        out["adagrad"] = {
            "callable": "torch.optim.Adagrad",
            "lr": s["lr"],
            "eps": s["eps"],
            "initial_accumulator": s["initial_accumulator_value"],
            "lr_decay": s["lr_decay"],
        }
        s = sig(o.RMSprop)
        out["rmsprop"] = {
            "callable": "torch.optim.RMSprop",
            "lr": s["lr"],
            "rho": s["alpha"],
            "eps": s["eps"],
            "momentum": s["momentum"],
            "centered": s["centered"],
            "initial_accumulator": 0.0,
        }
        s = sig(o.Adam)
        out["adam"] = {
            "callable": "torch.optim.Adam",
            "lr": s["lr"],
            "beta1": s["betas"][0],
            "beta2": s["betas"][1],
            "eps": s["eps"],
            "amsgrad": s["amsgrad"],
        }
        s = sig(o.Adadelta)
        out["adadelta"] = {"callable": "torch.optim.Adadelta", "lr": s["lr"], "rho": s["rho"], "eps": s["eps"]}
        s = sig(o.NAdam)
        out["nadam"] = {
            "callable": "torch.optim.NAdam",
            "lr": s["lr"],
            "beta1": s["betas"][0],
            "beta2": s["betas"][1],
            "eps": s["eps"],
            "momentum_decay": s["momentum_decay"],
        }
        return out


# =============================================================================
# Keras 3 (JAX backend, floatx=float64)
# =============================================================================
class KerasRunner:
    framework = "keras"

    def __init__(self):
        import jax

        jax.config.update("jax_enable_x64", True)
        import keras

        keras.config.set_floatx("float64")
        if keras.backend.backend() != "jax":
            raise RuntimeError(f"keras backend is {keras.backend.backend()}, expected jax")
        self.keras = keras
        self.jnp = jax.numpy
        self.version = keras.__version__

    def _make(self, optimizer, hp):
        K = self.keras.optimizers
        if optimizer in ("sgd", "momentum", "nesterov"):
            kw = {"learning_rate": hp["lr"]}
            if optimizer != "sgd":
                kw["momentum"] = hp["momentum"]
            if optimizer == "nesterov":
                kw["nesterov"] = True
            notes = "momentum buffer starts at 0 and stores -lr*g sums"
            return "keras.optimizers.SGD", K.SGD, kw, notes
        if optimizer == "adagrad":
            kw = {"learning_rate": hp["lr"], "epsilon": hp["eps"]}
            notes = "initial_accumulator_value=0.1 (default); eps inside the sqrt"
            return "keras.optimizers.Adagrad", K.Adagrad, kw, notes
        if optimizer == "rmsprop":
            kw = {"learning_rate": hp["lr"], "rho": hp["rho"], "epsilon": hp["eps"]}
            if hp["momentum"]:
                kw["momentum"] = hp["momentum"]
            if hp["centered"]:
                kw["centered"] = True
            notes = "velocity (and average_gradient, momentum) start at 0; eps inside the sqrt"
            return "keras.optimizers.RMSprop", K.RMSprop, kw, notes
        if optimizer == "adam":
            kw = {"learning_rate": hp["lr"], "beta_1": hp["beta1"], "beta_2": hp["beta2"], "epsilon": hp["eps"]}
            if hp["amsgrad"]:
                kw["amsgrad"] = True
            notes = "eps added to the un-bias-corrected sqrt(v) (epsilon-hat form)"
            return "keras.optimizers.Adam", K.Adam, kw, notes
        if optimizer == "adadelta":
            kw = {"learning_rate": hp["lr"], "rho": hp["rho"], "epsilon": hp["eps"]}
            return "keras.optimizers.Adadelta", K.Adadelta, kw, ""
        if optimizer == "nadam":
            kw = {"learning_rate": hp["lr"], "beta_1": hp["beta1"], "beta_2": hp["beta2"], "epsilon": hp["eps"]}
            notes = "momentum schedule 0.96**t (no 0.004 factor); u_product float64"
            return "keras.optimizers.Nadam", K.Nadam, kw, notes
        raise Missing(optimizer, "no such optimizer")

    def run(self, optimizer, hp, steps):
        keras, jnp = self.keras, self.jnp
        name, ctor, kw, notes = self._make(optimizer, hp)
        opt = ctor(**kw)
        var = keras.Variable(jnp.asarray(START, dtype=jnp.float64), dtype="float64", name="p")
        xy = [[float(v) for v in var.numpy().tolist()]]
        for _ in range(steps):
            gx, gy = grad_rosenbrock(*xy[-1])
            g = jnp.asarray([gx, gy], dtype=jnp.float64)
            opt.apply_gradients([(g, var)])
            xy.append([float(v) for v in var.numpy().tolist()])
        lr_dtype = str(opt._learning_rate.dtype)
        lr_val = float(opt._learning_rate.numpy())
        if lr_val != hp["lr"]:
            raise RuntimeError(f"keras lr variable rounded: {lr_val!r}")
        notes = "; ".join(
            x
            for x in (
                notes,
                f"KERAS_BACKEND=jax (eager apply_gradients, not jitted), "
                f"floatx=float64 so the learning_rate variable is {lr_dtype}; "
                f"weight_decay=None",
            )
            if x
        )
        return _api(name, kw), notes, xy

    def defaults(self):
        K = self.keras.optimizers

        def sig(cls):
            return {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items()}

        out = {}
        s = sig(K.SGD)
        out["sgd"] = {
            "callable": "keras.optimizers.SGD",
            "lr": s["learning_rate"],
            "momentum": s["momentum"],
            "nesterov": s["nesterov"],
        }
        s = sig(K.Adagrad)
        out["adagrad"] = {
            "callable": "keras.optimizers.Adagrad",
            "lr": s["learning_rate"],
            "eps": s["epsilon"],
            "initial_accumulator": s["initial_accumulator_value"],
        }
        s = sig(K.RMSprop)
        out["rmsprop"] = {
            "callable": "keras.optimizers.RMSprop",
            "lr": s["learning_rate"],
            "rho": s["rho"],
            "eps": s["epsilon"],
            "momentum": s["momentum"],
            "centered": s["centered"],
            "initial_accumulator": 0.0,
        }
        s = sig(K.Adam)
        out["adam"] = {
            "callable": "keras.optimizers.Adam",
            "lr": s["learning_rate"],
            "beta1": s["beta_1"],
            "beta2": s["beta_2"],
            "eps": s["epsilon"],
            "amsgrad": s["amsgrad"],
        }
        s = sig(K.Adadelta)
        out["adadelta"] = {
            "callable": "keras.optimizers.Adadelta",
            "lr": s["learning_rate"],
            "rho": s["rho"],
            "eps": s["epsilon"],
        }
        s = sig(K.Nadam)
        out["nadam"] = {
            "callable": "keras.optimizers.Nadam",
            "lr": s["learning_rate"],
            "beta1": s["beta_1"],
            "beta2": s["beta_2"],
            "eps": s["epsilon"],
        }
        return out


# =============================================================================
# optax
# =============================================================================
class OptaxRunner:
    framework = "optax"

    def __init__(self):
        import jax

        jax.config.update("jax_enable_x64", True)
        import optax

        self.jax = jax
        self.jnp = jax.numpy
        self.optax = optax
        self.version = optax.__version__

    def _make(self, optimizer, hp):
        ox = self.optax
        if optimizer in ("sgd", "momentum", "nesterov"):
            kw = {"learning_rate": hp["lr"]}
            if optimizer != "sgd":
                kw["momentum"] = hp["momentum"]
            if optimizer == "nesterov":
                kw["nesterov"] = True
            notes = "trace starts at 0 (so the first trace equals g)"
            return "optax.sgd", ox.sgd, kw, notes
        if optimizer == "adagrad":
            kw = {"learning_rate": hp["lr"], "eps": hp["eps"]}
            notes = "initial_accumulator_value=0.1 (default); rsqrt(sum + eps), i.e. eps inside the sqrt"
            return "optax.adagrad", ox.adagrad, kw, notes
        if optimizer == "rmsprop":
            kw = {"learning_rate": hp["lr"], "decay": hp["rho"], "eps": hp["eps"]}
            if hp["centered"]:
                kw["centered"] = True
            if hp["momentum"]:
                kw["momentum"] = hp["momentum"]
            notes = (
                "initial_scale=0.0, eps_in_sqrt=True, bias_correction=False, "
                "nesterov=False (defaults); momentum (if any) is a trace "
                "applied after the -lr scaling"
            )
            return "optax.rmsprop", ox.rmsprop, kw, notes
        if optimizer == "adam":
            kw = {"learning_rate": hp["lr"], "b1": hp["beta1"], "b2": hp["beta2"], "eps": hp["eps"]}
            if hp["amsgrad"]:
                notes = (
                    "bias_correction_mu=True, bias_correction_nu=True, "
                    "eps_root=0 (defaults): max taken over the "
                    "bias-corrected nu"
                )
                return "optax.amsgrad", ox.amsgrad, kw, notes
            return "optax.adam", ox.adam, kw, "eps_root=0.0 (default)"
        if optimizer == "adadelta":
            kw = {"learning_rate": hp["lr"], "rho": hp["rho"], "eps": hp["eps"]}
            return "optax.adadelta", ox.adadelta, kw, "weight_decay=0.0 (default)"
        if optimizer == "nadam":
            kw = {"learning_rate": hp["lr"], "b1": hp["beta1"], "b2": hp["beta2"], "eps": hp["eps"]}
            notes = "optax.nadam = functools.partial(adam, nesterov=True); no mu schedule; eps_root=0.0"
            return "optax.nadam", ox.nadam, kw, notes
        raise Missing(optimizer, "no such optimizer")

    def run(self, optimizer, hp, steps):
        jnp, optax = self.jnp, self.optax
        name, ctor, kw, notes = self._make(optimizer, hp)
        tx = ctor(**kw)
        params = jnp.asarray(START, dtype=jnp.float64)
        state = tx.init(params)
        xy = [[float(v) for v in params.tolist()]]
        for _ in range(steps):
            gx, gy = grad_rosenbrock(*xy[-1])
            g = jnp.asarray([gx, gy], dtype=jnp.float64)
            updates, state = tx.update(g, state, params)
            params = optax.apply_updates(params, updates)
            if params.dtype != jnp.float64:
                raise RuntimeError(f"optax params became {params.dtype}")
            xy.append([float(v) for v in params.tolist()])
        notes += "; jax_enable_x64=True; tx.update called eagerly (not jitted)"
        return _api(name, kw), notes, xy

    def defaults(self):
        ox = self.optax

        def sig(fn):
            return {
                k: (None if v.default is inspect.Parameter.empty else v.default)
                for k, v in inspect.signature(fn).parameters.items()
            }

        out = {}
        s = sig(ox.sgd)
        out["sgd"] = {
            "callable": "optax.sgd",
            "lr": s["learning_rate"],
            "momentum": s["momentum"],
            "nesterov": s["nesterov"],
        }
        s = sig(ox.adagrad)
        out["adagrad"] = {
            "callable": "optax.adagrad",
            "lr": s["learning_rate"],
            "eps": s["eps"],
            "initial_accumulator": s["initial_accumulator_value"],
        }
        s = sig(ox.rmsprop)
        out["rmsprop"] = {
            "callable": "optax.rmsprop",
            "lr": s["learning_rate"],
            "rho": s["decay"],
            "eps": s["eps"],
            "momentum": s["momentum"],
            "centered": s["centered"],
            "nesterov": s["nesterov"],
            "initial_accumulator": s["initial_scale"],
            "eps_in_sqrt": s["eps_in_sqrt"],
            "bias_correction": s["bias_correction"],
        }
        s = sig(ox.adam)
        out["adam"] = {
            "callable": "optax.adam",
            "lr": s["learning_rate"],
            "beta1": s["b1"],
            "beta2": s["b2"],
            "eps": s["eps"],
            "eps_root": s["eps_root"],
            "nesterov": s["nesterov"],
        }
        s = sig(ox.amsgrad)
        out["amsgrad"] = {
            "callable": "optax.amsgrad",
            "lr": s["learning_rate"],
            "beta1": s["b1"],
            "beta2": s["b2"],
            "eps": s["eps"],
            "eps_root": s["eps_root"],
            "bias_correction_mu": s["bias_correction_mu"],
            "bias_correction_nu": s["bias_correction_nu"],
        }
        s = sig(ox.adadelta)
        out["adadelta"] = {
            "callable": "optax.adadelta",
            "lr": s["learning_rate"],
            "rho": s["rho"],
            "eps": s["eps"],
            "weight_decay": s["weight_decay"],
        }
        s = sig(ox.nadam)
        out["nadam"] = {
            "callable": "optax.nadam",
            "lr": s["learning_rate"],
            "beta1": s["b1"],
            "beta2": s["b2"],
            "eps": s["eps"],
            "eps_root": s["eps_root"],
            "nesterov": s["nesterov"],
        }
        return out


# =============================================================================
# TF1: tf.compat.v1.train.* in TF2 eager mode
# =============================================================================
class TF1Runner:
    framework = "tf1"

    def __init__(self):
        import tensorflow as tf

        self.tf = tf
        self.version = tf.__version__
        if not tf.executing_eagerly():
            raise RuntimeError("TF is not in eager mode")

    def _make(self, optimizer, hp):
        T = self.tf.compat.v1.train
        p = "tf.compat.v1.train."
        if optimizer == "sgd":
            kw = {"learning_rate": hp["lr"]}
            return p + "GradientDescentOptimizer", T.GradientDescentOptimizer, kw, ""
        if optimizer in ("momentum", "nesterov"):
            kw = {"learning_rate": hp["lr"], "momentum": hp["momentum"]}
            if optimizer == "nesterov":
                kw["use_nesterov"] = True
            notes = "momentum slot starts at 0; accum = accum*momentum + g"
            return p + "MomentumOptimizer", T.MomentumOptimizer, kw, notes
        if optimizer == "adagrad":
            if hp.get("eps") is not None:
                raise Missing(
                    "eps",
                    "tf.compat.v1.train.AdagradOptimizer has "
                    "no epsilon argument (kernel ApplyAdagrad: "
                    "var -= g*lr*rsqrt(accum))",
                )
            kw = {"learning_rate": hp["lr"]}
            notes = "initial_accumulator_value=0.1 (default); no eps"
            return p + "AdagradOptimizer", T.AdagradOptimizer, kw, notes
        if optimizer == "rmsprop":
            kw = {"learning_rate": hp["lr"], "decay": hp["rho"], "epsilon": hp["eps"]}
            if hp["momentum"]:
                kw["momentum"] = hp["momentum"]
            if hp["centered"]:
                kw["centered"] = True
            notes = (
                "ms ('rms' slot) initialised to ONES (default, "
                "hard-coded); mg and momentum slots start at 0; eps "
                "inside the sqrt"
            )
            return p + "RMSPropOptimizer", T.RMSPropOptimizer, kw, notes
        if optimizer == "adam":
            if hp["amsgrad"]:
                raise Missing("amsgrad", "tf.compat.v1.train.AdamOptimizer has no amsgrad option")
            kw = {"learning_rate": hp["lr"], "beta1": hp["beta1"], "beta2": hp["beta2"], "epsilon": hp["eps"]}
            notes = (
                "beta1_power/beta2_power are non-slot variables initialised "
                "from beta1/beta2 and multiplied by beta after each step"
            )
            return p + "AdamOptimizer", T.AdamOptimizer, kw, notes
        if optimizer == "adadelta":
            kw = {"learning_rate": hp["lr"], "rho": hp["rho"], "epsilon": hp["eps"]}
            notes = "accum and accum_update slots start at 0"
            return p + "AdadeltaOptimizer", T.AdadeltaOptimizer, kw, notes
        if optimizer == "nadam":
            raise Missing(None, "tf.compat.v1.train has no Nadam optimizer")
        raise Missing(None, "no such optimizer")

    def run(self, optimizer, hp, steps):
        tf = self.tf
        name, ctor, kw, notes = self._make(optimizer, hp)
        for k, v in kw.items():
            if isinstance(v, float) and not _f32_exact(v):
                raise RuntimeError(f"{k}={v!r} is not float32-exact")
        opt = ctor(**kw)
        var = tf.Variable(list(START), dtype=tf.float64, name="p")
        xy = [[float(v) for v in var.numpy().tolist()]]
        for _ in range(steps):
            gx, gy = grad_rosenbrock(*xy[-1])
            g = tf.constant([gx, gy], dtype=tf.float64)
            opt.apply_gradients([(g, var)])
            xy.append([float(v) for v in var.numpy().tolist()])
        extra = [
            "TF2 eager, resource variable (ResourceApply* kernels); "
            "Python-float hyperparameters become float32 tensors and are "
            "cast to float64 (exact for these values)"
        ]
        if optimizer == "rmsprop":
            fresh = ctor(**kw)
            v2 = tf.Variable(list(START), dtype=tf.float64)
            fresh._create_slots([v2])
            rms0 = fresh.get_slot(v2, "rms").numpy().tolist()
            extra.append(f"rms slot read back right after creation: {rms0}")
        if optimizer == "adam":
            b1p, b2p = opt._get_beta_accumulators()
            extra.append(
                f"beta1_power/beta2_power dtype {b1p.dtype.name} "
                "(Python-float initial value), so the powers are "
                "float32 repeated products cast to float64"
            )
        notes = "; ".join(x for x in [notes] + extra if x)
        return _api(name, kw), notes, xy

    def defaults(self):
        T = self.tf.compat.v1.train

        def sig(cls):
            return {
                k: (None if v.default is inspect.Parameter.empty else v.default)
                for k, v in inspect.signature(cls.__init__).parameters.items()
            }

        out = {}
        s = sig(T.GradientDescentOptimizer)
        out["sgd"] = {"callable": "tf.compat.v1.train.GradientDescentOptimizer", "lr": s["learning_rate"]}
        s = sig(T.MomentumOptimizer)
        out["momentum"] = {
            "callable": "tf.compat.v1.train.MomentumOptimizer",
            "lr": s["learning_rate"],
            "momentum": s["momentum"],
            "nesterov": s["use_nesterov"],
        }
        s = sig(T.AdagradOptimizer)
        out["adagrad"] = {
            "callable": "tf.compat.v1.train.AdagradOptimizer",
            "lr": s["learning_rate"],
            "initial_accumulator": s["initial_accumulator_value"],
        }
        s = sig(T.RMSPropOptimizer)
        out["rmsprop"] = {
            "callable": "tf.compat.v1.train.RMSPropOptimizer",
            "lr": s["learning_rate"],
            "rho": s["decay"],
            "eps": s["epsilon"],
            "momentum": s["momentum"],
            "centered": s["centered"],
            "initial_accumulator": 1.0,
        }
        s = sig(T.AdamOptimizer)
        out["adam"] = {
            "callable": "tf.compat.v1.train.AdamOptimizer",
            "lr": s["learning_rate"],
            "beta1": s["beta1"],
            "beta2": s["beta2"],
            "eps": s["epsilon"],
        }
        s = sig(T.AdadeltaOptimizer)
        out["adadelta"] = {
            "callable": "tf.compat.v1.train.AdadeltaOptimizer",
            "lr": s["learning_rate"],
            "rho": s["rho"],
            "eps": s["epsilon"],
        }
        return out


# =============================================================================
def _dist_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_info():
    info = {"machine": platform.machine()}
    try:
        with open("/proc/cpuinfo") as fh:
            text = fh.read()
        for line in text.splitlines():
            if line.startswith("model name"):
                info["model"] = line.split(":", 1)[1].strip()
                break
        flags = set()
        for line in text.splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
        info["simd"] = sorted(f for f in flags if f in ("sse2", "avx", "avx2", "fma", "avx512f"))
    except OSError:
        pass
    return info


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "tests", "data", "framework_reference.json")
    ap.add_argument("--out", default=os.path.normpath(default_out))
    ap.add_argument("--steps", type=int, default=STEPS)
    args = ap.parse_args(argv)

    runners = []
    missing = []
    for cls in (TorchRunner, KerasRunner, OptaxRunner, TF1Runner):
        try:
            runners.append(cls())
        except Exception as exc:  # framework not installed / unusable
            missing.append(
                {
                    "framework": cls.framework,
                    "optimizer": None,
                    "option": None,
                    "why": f"could not import/initialise: {exc!r}",
                }
            )
            print(f"[skip] {cls.framework}: {exc!r}", file=sys.stderr)

    cases = []
    seen_missing = set()
    for r in runners:
        for optimizer, hp in case_specs():
            hp_run = dict(hp)
            if r.framework == "tf1" and optimizer == "adagrad":
                # TF1 Adagrad has no eps: run one case (lr only) and list the
                # eps option as missing once.
                key = ("tf1", "adagrad", "eps")
                if key in seen_missing:
                    continue
                seen_missing.add(key)
                missing.append(
                    {
                        "framework": "tf1",
                        "optimizer": "adagrad",
                        "option": "eps",
                        "why": "tf.compat.v1.train.AdagradOptimizer has no epsilon "
                        "argument (kernel ApplyAdagrad: "
                        "var -= g*lr*rsqrt(accum)); one case without eps",
                    }
                )
                hp_run = {"lr": hp["lr"]}
            try:
                api, notes, xy = r.run(optimizer, hp_run, args.steps)
            except Missing as m:
                key = (r.framework, optimizer, m.option)
                if key not in seen_missing:
                    seen_missing.add(key)
                    missing.append({"framework": r.framework, "optimizer": optimizer, "option": m.option, "why": m.why})
                continue
            except Exception:
                traceback.print_exc()
                missing.append(
                    {
                        "framework": r.framework,
                        "optimizer": optimizer,
                        "option": None,
                        "why": "error while running: " + traceback.format_exc(limit=1).strip(),
                    }
                )
                continue
            assert len(xy) == args.steps + 1
            cases.append(
                {"framework": r.framework, "optimizer": optimizer, "hp": hp_run, "api": api, "notes": notes, "xy": xy}
            )
            print(f"{r.framework:8s} {optimizer:9s} {json.dumps(hp_run)} -> {xy[-1]}", file=sys.stderr)

    defaults = {}
    probes = {}
    for r in runners:
        defaults[r.framework] = r.defaults()
        if hasattr(r, "probe_primitives"):
            probes[r.framework] = r.probe_primitives()

    versions = {
        "python": platform.python_version(),
        "torch": _dist_version("torch"),
        "jax": _dist_version("jax"),
        "jaxlib": _dist_version("jaxlib"),
        "optax": _dist_version("optax"),
        "keras": _dist_version("keras"),
        "tensorflow": (_dist_version("tensorflow-cpu") or _dist_version("tensorflow")),
        "numpy": _dist_version("numpy"),
    }
    meta = {
        "generated": datetime.date.today().isoformat(),
        "generator": "tools/crosscheck/generate_reference.py",
        "versions": versions,
        "platform": _cpu_info(),
        "gradient": GRADIENT_EXPR,
        "objective": "Rosenbrock f = (1-x)**2 + 100*(y-x*x)**2",
        "start": list(START),
        "steps": args.steps,
        "dtype": "float64 parameter and gradient in every framework",
        "hyperparameters": {
            "lr": LR,
            "lr_adadelta": LR_ADADELTA,
            "rho": RHO,
            "momentum": MOMENTUM,
            "beta1": BETA1,
            "beta2": BETA2,
            "eps": list(EPS_VALUES),
            "note": "all exactly representable in float32",
        },
        "xy": "41 rows [x, y]: row 0 is the start, row k the parameter after step k",
        "primitive_probes": probes,
        "primitive_probes_note": "per primitive, how many random 2-element "
        "float64 samples equal each candidate "
        "formula (fma = one rounding)",
        "defaults_note": "defaults are read with inspect.signature, in our "
        "names; null = required argument (or a None default); "
        "initial_accumulator for rmsprop is not an argument in "
        "pytorch/keras/tf1 and is taken from the source "
        "(0, 0, ones)",
    }
    out = {"meta": meta, "cases": cases, "missing": missing, "defaults": defaults}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    text = json.dumps(out, indent=1, allow_nan=False)
    with open(args.out, "w") as fh:
        fh.write(text + "\n")
    print(f"wrote {args.out}: {len(cases)} cases, {len(missing)} missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
