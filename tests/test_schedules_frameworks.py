"""Learning-rate schedules against Keras 3 and Optax runs, and the exported Keras / Optax schedule code.

tests/data/schedule_reference_keras_optax.json was produced by
tools/crosscheck/generate_schedule_reference_keras_optax.py with keras 3.15.1 (JAX backend with x64 and
TensorFlow 2.21 backend), optax 0.2.8 and jax 0.10.2: for each case the schedule was built from the
framework's own API (keras.optimizers.schedules ExponentialDecay / CosineDecay with its warm-up / a
LearningRateSchedule warm-up subclass; optax exponential_decay / cosine_decay_schedule / linear_schedule
joined by join_schedules), the real optimizer ran 30 steps on Rosenbrock with a float64 parameter, and
the lr of every update and the iterates were recorded; then the same with the app's exported code
(codegen.snippet) executed as printed.

Precision. Both frameworks evaluate some schedules in float32 even with a float64 parameter; the
optimizer then casts that lr to float64. Each recorded run says which (``lr_precision`` and why):

* Keras, TensorFlow backend: every schedule. Keras's schedules compute in the dtype of
  ``convert_to_tensor(initial_learning_rate)``, and ``tf.convert_to_tensor`` of a Python float is
  float32 whatever ``floatx`` is; ``optimizer.iterations`` (int64) is cast to it.
* Keras, JAX backend (x64): float64, except ``CosineDecay``'s cosine: ``keras.ops.cos`` computes in
  ``keras.backend.result_type(x.dtype, float)``, which maps float64 to float32 on every backend but
  TensorFlow.
* Optax (x64): its count is int32 and JAX's ``int32 / int`` is float32, so ``exponential_decay`` and
  ``linear_schedule`` (the warm-ups, and whatever ``join_schedules`` joins to them) are float32;
  ``cosine_decay_schedule`` alone is float64 (``jnp.pi * count`` is a weak float).

Where the framework computes in float64 our lrs and iterates agree to 1e-12 (measured: lrs within
4e-16, iterates identical). Where it computes in float32 its lrs carry float32 round-off: they are
within FLOAT32_LR (4 float32 ulps) of the base lr from ours (measured: 2 ulps; relative to the lr itself
up to 1.2e-6, near a cosine floor of 0 where 1 + cos cancels), and the iterates drift by up to
FLOAT32_XY (measured: 6.2e-7). Given the recorded lrs, our update rules reproduce the recorded iterates
to 1e-12 in every run (measured: identical, but Keras-TensorFlow's Nadam: see KERAS_TF_NADAM), so the
float32 lrs are the only difference. Our schedules stay float64: this is the frameworks' arithmetic,
not a difference in the schedules.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import landscapes
import optim
from optim import codegen, schedules
from optim.schedules import Schedule

DATA = json.loads((Path(__file__).parent / "data" / "schedule_reference_keras_optax.json").read_text())
META, CASES = DATA["meta"], DATA["cases"]
START, STEPS = tuple(META["start"]), META["steps"]
RUNS = [(case, run) for case in CASES for run in case["runs"]]
IDS = [f"{case['case']}-{run}" for case, run in RUNS]

EXACT = 1e-12  # relative, where the framework computes the schedule in float64
FLOAT32_LR = 4 * 2.0**-24  # |framework lr - ours| <= FLOAT32_LR * base lr where it computes in float32
FLOAT32_XY = 1e-5  # relative drift of the iterates that float32 lrs cause over 30 steps
#: Keras's Nadam casts its hard-coded momentum decay 0.96 with ops.cast, i.e. tf.cast of a Python float
#: under TensorFlow: float32 0.9599999785. That moves its iterates by ~2e-9, whatever the schedule.
KERAS_TF_NADAM = 1e-8


def _schedule(case) -> Schedule:
    spec = dict(case["schedule"])
    return Schedule.make(spec.pop("kind"), **spec)


def _replay(case, convention, lrs):
    """Our rule stepped by hand from the start, update t using lrs[t]."""
    opt = optim.get(case["optimizer"])
    values = opt.validate(case["hp"], convention)
    form = opt.rule(convention).form
    surface = landscapes.get("rosenbrock")
    here = np.asarray(START, dtype=float).reshape(2, 1)
    state = opt.init(here, values, form)
    xy = [here[:, 0].copy()]
    for lr in lrs:
        step, state, _ = opt.update(surface.grad_xy(here[0], here[1]), state, {**values, "lr": float(lr)}, form)
        here = here + step
        xy.append(here[:, 0].copy())
    return np.array(xy)


def _check_lrs(recorded, case, precision):
    ours = case["hp"]["lr"] * _schedule(case).factors(STEPS)
    if precision == "float64":
        np.testing.assert_allclose(recorded, ours, rtol=EXACT, atol=0)
    else:
        np.testing.assert_allclose(recorded, ours, rtol=0, atol=FLOAT32_LR * case["hp"]["lr"])


# ----------------------------------------------------------------------------- the fixture


def test_fixture_covers_every_kind_warm_up_and_framework():
    assert {c["schedule"]["kind"] for c in CASES} == set(schedules.KINDS)
    warm = [c["schedule"] for c in CASES if c["schedule"].get("warmup")]
    assert {s["kind"] for s in warm} == set(schedules.KINDS)
    assert any(s["warmup_start"] == 0 for s in warm) and any(s["warmup_start"] > 0 for s in warm)
    held = [s for c in CASES if (s := c["schedule"])["kind"] == "cosine" and s.get("warmup", 0) + s["T"] < STEPS]
    assert held and any(s["floor"] > 0 for s in held)  # a cosine whose floor is held after T
    assert any(c["schedule"]["kind"] == "cosine" and c["schedule"]["T"] > STEPS for c in CASES)
    runs = META["runs"]
    assert {(r["framework"], r["backend"]) for r in runs.values()} == {
        ("optax", "jax"),
        ("keras", "jax"),
        ("keras", "tensorflow"),
    }
    assert all(r.get("jax_enable_x64") for r in runs.values() if r["backend"] == "jax")
    covered = {(c["optimizer"], r["convention"]) for c in CASES for r in c["runs"].values()}
    assert {n for n, _ in covered} == set(optim.names())


def test_the_stated_precision_is_what_was_recorded():
    """float32 schedules leave float32 values (or, for Keras's float64 CosineDecay on JAX, float32 cosines)."""
    probe = META["runs"]["keras-tensorflow"]["dtype_probe"]
    assert {p["convert_to_tensor(0.001)"] for p in probe.values()} == {"float32"}  # whatever floatx is
    assert META["runs"]["keras-jax"]["dtype_probe"]["floatx=float64"]["ops.cos(a float64 tensor)"] == "float32"
    for case, run in RUNS:
        r = case["runs"][run]
        assert r["lr_precision"] in ("float32", "float64")
        if r["lr_dtype"] == ["float32"]:
            assert r["lr_precision"] == "float32"
            assert all(float(np.float32(v)) == v for v in r["lr"])
        if run == "optax":
            assert r["count_dtype"] == ["int32"]
    precisions = {(run, case["case"]): case["runs"][run]["lr_precision"] for case, run in RUNS}
    assert {p for (run, _), p in precisions.items() if run == "keras-tensorflow"} == {"float32"}
    assert {"float32", "float64"} <= set(precisions.values())


# ----------------------------------------------------------------------------- the frameworks' own schedules


@pytest.mark.parametrize(("case", "run"), RUNS, ids=IDS)
def test_framework_lrs_are_ours(case, run):
    r = case["runs"][run]
    _check_lrs(r["lr"], case, r["lr_precision"])


@pytest.mark.parametrize(("case", "run"), RUNS, ids=IDS)
def test_framework_iterates_are_ours(case, run):
    r = case["runs"][run]
    schedule = _schedule(case)
    traj = optim.run(
        case["optimizer"], "rosenbrock", START, STEPS, convention=r["convention"], schedule=schedule, **case["hp"]
    )
    assert traj.diverged_at is None
    rtol = EXACT if r["lr_precision"] == "float64" else FLOAT32_XY
    np.testing.assert_allclose(traj.xy, r["xy"], rtol=rtol, atol=1e-15, err_msg=r["schedule_api"])
    np.testing.assert_allclose(traj.xy, r["exported"]["xy"], rtol=rtol, atol=1e-15, err_msg=r["exported"]["code"])


@pytest.mark.parametrize(("case", "run"), RUNS, ids=IDS)
def test_our_rules_given_the_framework_lrs_give_its_iterates(case, run):
    """The lr enters our Keras and Optax rules where the frameworks put it (e.g. inside Keras's and Optax's
    RMSprop momentum, outside Optax's SGD trace), so with the recorded lrs the iterates agree exactly."""
    r = case["runs"][run]
    rtol = KERAS_TF_NADAM if (run, case["optimizer"]) == ("keras-tensorflow", "nadam") else EXACT
    for recorded in (r, r["exported"]):
        np.testing.assert_allclose(
            _replay(case, r["convention"], recorded["lr"]), recorded["xy"], rtol=rtol, atol=1e-15
        )


# ----------------------------------------------------------------------------- the exported code


@pytest.mark.parametrize(("case", "run"), RUNS, ids=IDS)
def test_recorded_export_is_todays_export(case, run):
    r = case["runs"][run]
    code = codegen.snippet(case["optimizer"], r["convention"], case["hp"], _schedule(case), steps=STEPS).code
    assert code == r["exported"]["code"], "the code export changed: re-run " + META["generator"]


@pytest.mark.parametrize(("case", "run"), RUNS, ids=IDS)
def test_exported_code_gives_our_lrs_and_the_frameworks(case, run):
    r = case["runs"][run]
    _check_lrs(r["exported"]["lr"], case, r["lr_precision"])
    if r["lr_precision"] == "float64":
        np.testing.assert_allclose(r["exported"]["lr"], r["lr"], rtol=EXACT, atol=0)
    else:
        np.testing.assert_allclose(r["exported"]["lr"], r["lr"], rtol=0, atol=2 * FLOAT32_LR * case["hp"]["lr"])
