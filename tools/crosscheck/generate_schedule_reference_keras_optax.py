#!/usr/bin/env python
"""Record Keras 3 and Optax optimizers driven by their own learning-rate schedules, as ground truth for optim.

Writes tests/data/schedule_reference_keras_optax.json: for each case (an optimizer, its hyperparameters
and one of our schedules), 30 steps on Rosenbrock from (-1.2, 1.0) with a float64 parameter and the
hand-written gradient ``r = y - x*x; (-2(1-x) - 400 x r, 200 r)``, recording the learning rate each
update used and the iterates, in three runs:

* ``optax``: JAX with ``jax_enable_x64``; the optimizer gets a schedule built here by hand from Optax's
  own API (``exponential_decay``, ``cosine_decay_schedule``, ``linear_schedule`` joined by
  ``join_schedules``); the lr of each update is what the optimizer's ``scale_by_learning_rate`` got
  back from the schedule when it called it with its count. That count is int32 and JAX divides an int32
  by an int in float32, so ``exponential_decay`` and ``linear_schedule`` (and what ``join_schedules``
  joins to them) are float32 even with x64; ``cosine_decay_schedule`` alone is float64.
* ``keras-jax`` and ``keras-tensorflow``: Keras 3 under each backend (JAX with x64), a float64
  ``keras.Variable`` and ``apply_gradients`` called eagerly; the schedule is built here by hand from
  ``keras.optimizers.schedules`` (``ExponentialDecay``, with staircase for step decay, ``CosineDecay``
  with ``alpha`` and its own warm-up, ``CosineDecay(alpha=1)`` for a warm-up to a constant, and a small
  ``LearningRateSchedule`` subclass below for a warm-up before an ``ExponentialDecay``); the lr of each
  update is ``optimizer.learning_rate`` (the schedule at ``optimizer.iterations``) just before
  ``apply_gradients``. Keras's schedules compute in the dtype of ``convert_to_tensor(initial lr)``:
  float64 under JAX with x64, float32 under TensorFlow (``tf.convert_to_tensor`` of a Python float);
  but ``keras.ops.cos``, hence ``CosineDecay``, is float32 under JAX too (``keras.backend.result_type``
  maps float64 to float32 on every backend but TensorFlow). The optimizer then casts the lr to the
  variable's float64. floatx is float64 under JAX (as for framework_reference.json) and the default
  float32 under TensorFlow; ``dtype_probe`` in the JSON shows that neither changes the schedules.

Each run is repeated with the app's code export (``codegen.snippet``, the only project import, so the
repo root must be the working directory): the exported code is executed as printed (schedule and
optimizer), its lrs and iterates recorded beside the hand-built ones, so tests/test_schedules_frameworks.py
can compare the export with our schedules without Keras or Optax installed.

Each framework runs in its own subprocess (Keras picks its backend at import). Every number of a case
prints exactly in the exported code (at most 6 significant digits), so its literals lose nothing, and
the hyperparameters other than lr are exactly representable in float32: Keras's TensorFlow backend
rounds Python floats to float32 in ``ops.cast(self.beta_2, variable.dtype)`` (``tf.cast`` of a Python
float), which with beta_2 = 0.999 moves its Adam's iterates by ~1e-6 whatever the schedule (its Nadam
rounds the built-in 0.96 the same way, which no setting avoids: ~2e-9).

Setup (a separate venv; these are NOT project dependencies)::

    python -m venv /work/xcheck/venv
    /work/xcheck/venv/bin/pip install "jax[cpu]" optax keras tensorflow-cpu numpy sympy
    cd <repo root>
    /work/xcheck/venv/bin/python tools/crosscheck/generate_schedule_reference_keras_optax.py [--out PATH] [--steps N]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys

START = (-1.2, 1.0)
STEPS = 30
RUNS = {"optax": ("optax", None), "keras-jax": ("keras", "jax"), "keras-tensorflow": ("keras", "tensorflow")}
GRADIENT_EXPR = "r = y - x * x; gx = -2.0 * (1.0 - x) - 400.0 * x * r; gy = 200.0 * r"

EPS = 0.00390625  # 2**-8
_RMS = {"rho": 0.9375, "eps": EPS, "momentum": 0.0, "centered": False}
_ADAM = {"beta1": 0.875, "beta2": 0.984375, "eps": EPS, "amsgrad": False}
# (name, optimizer, every hyperparameter in our names, our schedule {kind, params...})
CASES = [
    ("rmsprop-step", "rmsprop", {"lr": 0.002, **_RMS}, {"kind": "step", "every": 7, "gamma": 0.5}),
    ("adam-exponential", "adam", {"lr": 0.03125, **_ADAM}, {"kind": "exponential", "gamma": 0.9375}),
    ("sgd-cosine-long", "sgd", {"lr": 0.001}, {"kind": "cosine", "T": 40, "floor": 0.125}),
    ("sgd-cosine-floor", "sgd", {"lr": 0.001}, {"kind": "cosine", "T": 12, "floor": 0.25}),
    (
        "rmsprop-momentum-warmup-cosine",
        "rmsprop",
        {"lr": 0.002, **_RMS, "momentum": 0.875},
        {"kind": "cosine", "T": 15, "floor": 0.0, "warmup": 8, "warmup_start": 0.25},
    ),
    (
        "adagrad-warmup0-cosine-floor",
        "adagrad",
        {"lr": 0.125, "eps": EPS},
        {"kind": "cosine", "T": 10, "floor": 0.2, "warmup": 5, "warmup_start": 0.0},
    ),
    (
        "momentum-warmup0-step",
        "momentum",
        {"lr": 0.001, "momentum": 0.875},
        {"kind": "step", "every": 5, "gamma": 0.75, "warmup": 6, "warmup_start": 0.0},
    ),
    (
        "adam-amsgrad-warmup-constant",
        "adam",
        {"lr": 0.03125, **_ADAM, "amsgrad": True},
        {"kind": "constant", "warmup": 10, "warmup_start": 0.1},
    ),
    (
        "nesterov-warmup-exponential",
        "nesterov",
        {"lr": 0.001, "momentum": 0.875},
        {"kind": "exponential", "gamma": 0.96875, "warmup": 4, "warmup_start": 0.5},
    ),
    (
        "nadam-warmup-cosine",
        "nadam",
        {"lr": 0.02, "beta1": 0.875, "beta2": 0.984375, "eps": EPS},
        {"kind": "cosine", "T": 20, "floor": 0.1, "warmup": 3, "warmup_start": 0.2},
    ),
    ("adadelta-step", "adadelta", {"lr": 0.5, "rho": 0.9375, "eps": EPS}, {"kind": "step", "every": 4, "gamma": 0.5}),
]


def grad_rosenbrock(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


def _parts(schedule):
    s = {"warmup": 0, "warmup_start": 0.0, **schedule}
    return s["kind"], s["warmup"], s["warmup_start"], s


# ============================================================================= Optax


def optax_schedule(optax, lr, schedule):
    """Optax's schedule for ours, built from its own functions; returns (schedule, a description of it)."""
    kind, warmup, start, s = _parts(schedule)
    if warmup:
        ramp = optax.linear_schedule(init_value=lr * start, end_value=lr, transition_steps=warmup)
        ramp_text = f"optax.linear_schedule(init_value={lr * start!r}, end_value={lr!r}, transition_steps={warmup})"
        if kind == "constant":  # linear_schedule holds end_value once the transition is over
            return ramp, ramp_text
    if kind == "cosine":
        decay = optax.cosine_decay_schedule(init_value=lr, decay_steps=s["T"], alpha=s["floor"])
        text = f"optax.cosine_decay_schedule(init_value={lr!r}, decay_steps={s['T']}, alpha={s['floor']!r})"
    else:
        every, staircase = (s["every"], True) if kind == "step" else (1, False)
        decay = optax.exponential_decay(
            init_value=lr, transition_steps=every, decay_rate=s["gamma"], staircase=staircase
        )
        text = f"optax.exponential_decay(init_value={lr!r}, transition_steps={every}, decay_rate={s['gamma']!r}" + (
            ", staircase=True)" if staircase else ")"
        )
    if not warmup:
        return decay, text
    return optax.join_schedules([ramp, decay], [warmup]), f"optax.join_schedules([{ramp_text}, {text}], [{warmup}])"


def optax_optimizer(optax, name, hp, learning_rate):
    if name in ("sgd", "momentum", "nesterov"):
        return optax.sgd(learning_rate, momentum=hp.get("momentum") or None, nesterov=name == "nesterov")
    if name == "rmsprop":
        return optax.rmsprop(
            learning_rate, decay=hp["rho"], eps=hp["eps"], centered=hp["centered"], momentum=hp["momentum"] or None
        )
    if name == "adam":
        make = optax.amsgrad if hp["amsgrad"] else optax.adam
        return make(learning_rate, b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"])
    if name == "nadam":
        return optax.nadam(learning_rate, b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"])
    if name == "adagrad":
        return optax.adagrad(learning_rate, eps=hp["eps"])
    if name == "adadelta":
        return optax.adadelta(learning_rate, rho=hp["rho"], eps=hp["eps"])
    raise ValueError(name)


class Recorder:
    """Wraps a schedule and keeps every value it returns (Optax calls it once per update, eagerly)."""

    def __init__(self, schedule):
        self.schedule, self.values, self.counts = schedule, [], []

    def __call__(self, count):
        value = self.schedule(count)
        self.values.append(value)
        self.counts.append(count)
        return value


def optax_run(jnp, optax, tx, recorder, steps):
    params = jnp.asarray(START, dtype=jnp.float64)
    state = tx.init(params)
    xy = [[float(v) for v in params.tolist()]]
    for _ in range(steps):
        g = jnp.asarray(grad_rosenbrock(*xy[-1]), dtype=jnp.float64)
        updates, state = tx.update(g, state, params)
        params = optax.apply_updates(params, updates)
        assert params.dtype == jnp.float64, params.dtype
        xy.append([float(v) for v in params.tolist()])
    assert len(recorder.values) == steps and [int(c) for c in recorder.counts] == list(range(steps))
    return {
        "lr": [float(v) for v in recorder.values],
        "lr_dtype": sorted({str(jnp.asarray(v).dtype) for v in recorder.values}),
        "count_dtype": sorted({str(jnp.asarray(c).dtype) for c in recorder.counts}),
        "xy": xy,
    }


def run_optax(steps):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

    from optim import codegen
    from optim.schedules import Schedule

    out = {"framework": "optax", "backend": "jax", "jax_enable_x64": True, "cases": {}}
    for case, name, hp, schedule in CASES:
        built, described = optax_schedule(optax, hp["lr"], schedule)
        recorder = Recorder(built)
        hand = optax_run(jnp, optax, optax_optimizer(optax, name, hp, recorder), recorder, steps)
        spec = dict(schedule)
        code = codegen.snippet(name, "optax", hp, Schedule.make(spec.pop("kind"), **spec), steps=steps).code
        scope = {"optax": optax, "_record": Recorder}
        hooked = code.replace("learning_rate=lr_schedule", "learning_rate=_recorded")
        assert hooked.count("_recorded") == 1, code
        exec(hooked.replace("optimizer = ", "_recorded = _record(lr_schedule)\noptimizer = ", 1), scope)
        exported = optax_run(jnp, optax, scope["optimizer"], scope["_recorded"], steps)
        out["cases"][case] = {"schedule_api": described, **hand, "exported": {"code": code, **exported}}
        print(f"optax {case:34s} {described}", file=sys.stderr)
    return out


# ============================================================================= Keras 3


def keras_warmup_class(keras):
    ops = keras.ops

    class LinearWarmUp(keras.optimizers.schedules.LearningRateSchedule):
        """Linear warm-up from ``start`` to ``peak`` over ``steps`` updates, then ``after(t - steps)``.

        Computes in the dtype of ``convert_to_tensor(start)``, as Keras's own schedules (CosineDecay's
        warm-up included) do with their initial learning rate."""

        def __init__(self, start, peak, steps, after):
            self.start, self.peak, self.steps, self.after = start, peak, steps, after

        def __call__(self, step):
            start = ops.convert_to_tensor(self.start)
            t = ops.cast(step, start.dtype)
            steps = ops.cast(self.steps, start.dtype)
            ramp = start + (ops.cast(self.peak, start.dtype) - start) * (t / steps)
            return ops.where(t < steps, ramp, self.after(ops.maximum(t - steps, 0.0)))

        def get_config(self):
            return {"start": self.start, "peak": self.peak, "steps": self.steps}

    return LinearWarmUp


def keras_schedule(keras, lr, schedule):
    """Keras's schedule for ours, built from keras.optimizers.schedules; returns (schedule, a description)."""
    S, K = keras.optimizers.schedules, "keras.optimizers.schedules."
    kind, warmup, start, s = _parts(schedule)
    if kind == "cosine" and not warmup:
        text = f"{K}CosineDecay({lr!r}, decay_steps={s['T']}, alpha={s['floor']!r})"
        return S.CosineDecay(lr, decay_steps=s["T"], alpha=s["floor"]), text
    if kind in ("cosine", "constant"):  # CosineDecay's own warm-up; alpha = 1 holds the target: a constant
        length, alpha = (s["T"], s["floor"]) if kind == "cosine" else (1, 1.0)
        text = (f"{K}CosineDecay({lr * start!r}, decay_steps={length}, alpha={alpha!r}, warmup_target={lr!r}, "
                f"warmup_steps={warmup})")  # fmt: skip
        return S.CosineDecay(lr * start, decay_steps=length, alpha=alpha, warmup_target=lr, warmup_steps=warmup), text
    every, staircase = (s["every"], True) if kind == "step" else (1, False)
    decay = S.ExponentialDecay(lr, decay_steps=every, decay_rate=s["gamma"], staircase=staircase)
    text = f"{K}ExponentialDecay({lr!r}, decay_steps={every}, decay_rate={s['gamma']!r}, staircase={staircase})"
    if not warmup:
        return decay, text
    warmed = keras_warmup_class(keras)(lr * start, lr, warmup, decay)
    return warmed, f"LinearWarmUp({lr * start!r}, {lr!r}, {warmup}, {text}) (the generator's LearningRateSchedule)"


def keras_optimizer(keras, name, hp, learning_rate):
    K = keras.optimizers
    if name in ("sgd", "momentum", "nesterov"):
        return K.SGD(learning_rate, momentum=hp.get("momentum", 0.0), nesterov=name == "nesterov")
    if name == "rmsprop":
        return K.RMSprop(
            learning_rate, rho=hp["rho"], epsilon=hp["eps"], momentum=hp["momentum"], centered=hp["centered"]
        )
    if name == "adam":
        return K.Adam(learning_rate, beta_1=hp["beta1"], beta_2=hp["beta2"], epsilon=hp["eps"], amsgrad=hp["amsgrad"])
    if name == "nadam":
        return K.Nadam(learning_rate, beta_1=hp["beta1"], beta_2=hp["beta2"], epsilon=hp["eps"])
    if name == "adagrad":
        return K.Adagrad(learning_rate, epsilon=hp["eps"])
    if name == "adadelta":
        return K.Adadelta(learning_rate, rho=hp["rho"], epsilon=hp["eps"])
    raise ValueError(name)


def keras_run(keras, np, optimizer, steps):
    var = keras.Variable(np.array(START, dtype=np.float64), dtype="float64", name="p")
    xy, lrs, dtypes = [[float(v) for v in keras.ops.convert_to_numpy(var).tolist()]], [], set()
    for _ in range(steps):
        lr = keras.ops.convert_to_numpy(optimizer.learning_rate)  # the schedule at optimizer.iterations
        lrs.append(float(lr))
        dtypes.add(str(lr.dtype))
        g = keras.ops.convert_to_tensor(np.array(grad_rosenbrock(*xy[-1]), dtype=np.float64), dtype="float64")
        optimizer.apply_gradients([(g, var)])
        xy.append([float(v) for v in keras.ops.convert_to_numpy(var).tolist()])
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == steps
    return {"lr": lrs, "lr_dtype": sorted(dtypes), "xy": xy}


def keras_probe(keras):
    """The dtypes behind Keras's schedules under each floatx (restored afterwards)."""
    ops, floatx, probe = keras.ops, keras.config.floatx(), {}
    step = keras.optimizers.SGD(0.1).iterations

    def dtype(x):
        return str(ops.convert_to_numpy(x).dtype)

    for fx in ("float32", "float64"):
        keras.config.set_floatx(fx)
        probe[f"floatx={fx}"] = {
            "optimizer.iterations": str(step.dtype),
            "convert_to_tensor(0.001)": dtype(ops.convert_to_tensor(0.001)),
            "ops.cos(a float64 tensor)": dtype(ops.cos(ops.convert_to_tensor(0.5, "float64"))),
            "CosineDecay(0.001, 40)(iterations)": dtype(keras.optimizers.schedules.CosineDecay(0.001, 40)(step)),
        }
    keras.config.set_floatx(floatx)
    return probe


def run_keras(backend, steps):
    os.environ["KERAS_BACKEND"] = backend
    if backend == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
    import keras
    import numpy as np

    from optim import codegen
    from optim.schedules import Schedule

    assert keras.backend.backend() == backend, keras.backend.backend()
    if backend == "jax":  # as for tests/data/framework_reference.json (the schedules' dtypes do not depend on it)
        keras.config.set_floatx("float64")
    out = {"framework": "keras", "backend": backend, "floatx": keras.config.floatx(), "cases": {}}
    if backend == "jax":
        out["jax_enable_x64"] = True
    out["dtype_probe"] = keras_probe(keras)
    for case, name, hp, schedule in CASES:
        built, described = keras_schedule(keras, hp["lr"], schedule)
        hand = keras_run(keras, np, keras_optimizer(keras, name, hp, built), steps)
        spec = dict(schedule)
        code = codegen.snippet(name, "keras", hp, Schedule.make(spec.pop("kind"), **spec), steps=steps).code
        scope = {"keras": keras}
        exec(code, scope)
        exported = keras_run(keras, np, scope["optimizer"], steps)
        out["cases"][case] = {"schedule_api": described, **hand, "exported": {"code": code, **exported}}
        print(f"keras/{backend} {case:34s} {described}", file=sys.stderr)
    return out


# ============================================================================= driver


def precision(run, schedule):
    """In which precision ``run`` evaluates ``schedule`` (float64 parameter, x64 JAX), and why.

    Found by reading the sources and confirmed by the records (see dtype_probe and count_dtype)."""
    kind, warmup = schedule["kind"], schedule.get("warmup", 0)
    if run == "keras-tensorflow":
        return "float32", "Keras schedules compute in the dtype of convert_to_tensor(lr): float32 under TensorFlow"
    if run == "keras-jax":
        if kind == "cosine":
            why = "CosineDecay's keras.ops.cos is float32: Keras's result_type maps float64 to float32 but on TF"
            return "float32", why
        return "float64", "convert_to_tensor(lr) is float64 under x64 JAX; iterations cast to it"
    if kind == "cosine" and not warmup:
        return "float64", "cosine_decay_schedule: jnp.pi * count is a weak float, float64 under x64"
    return "float32", "Optax's count is int32 and JAX's int32 / int is float32 (exponential_decay, linear_schedule)"


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _max_rel(a, b):
    worst = 0.0
    for u, v in zip(a, b):
        for p, q in zip(u if isinstance(u, list) else [u], v if isinstance(v, list) else [v]):
            if p != q:
                worst = max(worst, abs(p - q) / max(abs(p), abs(q)))
    return worst


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "schedule_reference_keras_optax.json"))
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--run", choices=list(RUNS), help=argparse.SUPPRESS)  # one run, JSON on stdout (subprocess)
    args = ap.parse_args(argv)
    if args.run:
        sys.path.insert(0, root)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        framework, backend = RUNS[args.run]
        result = run_optax(args.steps) if framework == "optax" else run_keras(backend, args.steps)
        json.dump(result, sys.stdout)
        return 0

    runs = {}
    for run in RUNS:
        done = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--run", run, "--steps", str(args.steps)],
            cwd=root,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        runs[run] = json.loads(done.stdout)
    cases, frameworks = [], {}
    for run, result in runs.items():
        info = {k: v for k, v in result.items() if k != "cases"}
        info["lr_dtype"] = sorted({d for c in result["cases"].values() for d in c["lr_dtype"]})
        info["exported_vs_hand_max_rel"] = {
            "lr": max(_max_rel(c["lr"], c["exported"]["lr"]) for c in result["cases"].values()),
            "xy": max(_max_rel(c["xy"], c["exported"]["xy"]) for c in result["cases"].values()),
        }
        frameworks[run] = info
        print(f"{run:17s} {info}", file=sys.stderr)
    for case, optimizer, hp, schedule in CASES:
        entry = {"case": case, "optimizer": optimizer, "hp": hp, "schedule": schedule}
        entry["runs"] = {}
        for run, result in runs.items():
            lr_precision, why = precision(run, schedule)
            entry["runs"][run] = {"convention": RUNS[run][0], "lr_precision": lr_precision, "lr_precision_why": why,
                                  **result["cases"][case]}  # fmt: skip
        cases.append(entry)
    data = {
        "meta": {
            "generated": datetime.date.today().isoformat(),
            "generator": "tools/crosscheck/generate_schedule_reference_keras_optax.py",
            "versions": {
                "python": platform.python_version(),
                **{n: _version(n) for n in ("keras", "tensorflow-cpu", "jax", "jaxlib", "optax", "numpy")},
            },
            "start": list(START),
            "steps": args.steps,
            "gradient": GRADIENT_EXPR,
            "dtype": "float64 parameter and gradient; each run's lr dtype is under runs",
            "runs": frameworks,
            "convention": "update t (0 = first) uses the schedule at Keras's optimizer.iterations / Optax's count = t",
            "lr": "per update, the schedule's value the optimizer used, before its cast to the parameter's dtype",
            "xy": "steps + 1 rows [x, y]: row 0 is the start, row k the parameter after update k",
            "exported": "the same run with codegen.snippet's code (schedule and optimizer) executed as printed",
            "lr_precision": "float32 where the framework computes the schedule in float32 (lr_precision_why says how)",
        },
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases x {len(runs)} runs to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
