"""Learning-rate schedules: the factor formulas, the t = 0 convention, and their exact use in run / sweep /
inspect_step for every optimizer and convention; PyTorch's schedulers from a recorded fixture.

tests/data/schedule_reference.json was produced by tools/crosscheck/generate_schedule_reference.py with
torch 2.13 in float64 (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR / LambdaLR warm-ups joined by
SequentialLR, a ConstantLR tail holding the cosine's floor). PyTorch updates the lr recursively
(lr *= gamma, a cosine ratio, ...), we use the closed form: the lrs agree to a few ulps.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import landscapes
import optim
from optim import schedules
from optim.schedules import Schedule, factor

PAIRS = [(n, c) for n in optim.names() for c in optim.CONVENTIONS if optim.get(n).supports(c)]
WARM_COSINE = Schedule.make("cosine", T=25, floor=0.1, warmup=5, warmup_start=0.2)
EXAMPLES = [
    Schedule.make("step", every=4, gamma=0.5),
    Schedule.make("exponential", gamma=0.9),
    Schedule.make("cosine", T=12, floor=0.0),
    WARM_COSINE,
    Schedule.make("constant", warmup=6),
]
REFERENCE = json.loads((Path(__file__).parent / "data" / "schedule_reference.json").read_text())


# ----------------------------------------------------------------------------- formulas


def test_the_first_update_is_t_zero():
    for schedule in EXAMPLES[:3]:
        assert schedule.factors(1)[0] == 1.0  # every decay starts at the full lr
    assert factor("cosine", 0, T=10, warmup=4, warmup_start=0.25) == 0.25  # the warm-up's first update


def test_step_and_exponential():
    t = np.arange(12)
    np.testing.assert_array_equal(factor("step", t, every=4, gamma=0.5), 0.5 ** (t // 4))
    np.testing.assert_array_equal(factor("exponential", t, gamma=0.9), 0.9**t)
    assert factor("step", 3, every=4, gamma=0.5) == 1.0 and factor("step", 4, every=4, gamma=0.5) == 0.5


def test_cosine_reaches_its_floor_at_t_max_and_stays():
    f = factor("cosine", np.arange(30), T=20, floor=0.1)
    assert f[0] == 1.0 and f[10] == pytest.approx(0.55) and f[20] == pytest.approx(0.1)
    assert np.all(np.diff(f[:21]) < 0) and np.all(f[20:] == f[20])
    ours = factor("cosine", 7, T=20, floor=0.1)
    assert ours == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 7 / 20)), rel=1e-15)


def test_warm_up_then_the_schedule_on_its_own_clock():
    f = WARM_COSINE.factors(40)
    np.testing.assert_allclose(f[:5], 0.2 + 0.8 * np.arange(5) / 5, rtol=1e-15)
    np.testing.assert_array_equal(f[5:], factor("cosine", np.arange(35), T=25, floor=0.1))
    step = factor("step", np.arange(12), every=3, gamma=0.5, warmup=2, warmup_start=0.0)
    np.testing.assert_array_equal(step, [0.0, 0.5, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125])
    assert factor("constant", np.arange(5), warmup=0).tolist() == [1.0] * 5


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("linear", {}, "unknown schedule"),
        ("cosine", {"gamma": 0.5}, "takes no gamma"),
        ("step", {"every": 0}, "every must be at least 1"),
        ("step", {"every": 2.5}, "whole number"),
        ("exponential", {"gamma": 0.0}, "greater than 0"),
        ("exponential", {"gamma": 1.5}, "at most 1"),
        ("cosine", {"floor": -0.1}, "floor must be at least 0"),
        ("cosine", {"T": float("nan")}, "whole number"),
        ("constant", {"warmup": -1}, "warmup must be at least 0"),
        ("constant", {"warmup_start": "0.5"}, "must be a number"),
    ],
)
def test_bad_parameters_are_clear_errors(kind, params, message):
    with pytest.raises(ValueError, match=message):
        Schedule.make(kind, **params)
    with pytest.raises(ValueError, match=message):
        factor(kind, np.arange(3), **params)


def test_bad_steps_and_bad_schedule_arguments():
    with pytest.raises(ValueError, match=">= 0"):
        factor("exponential", -1)
    with pytest.raises(ValueError, match="whole"):
        factor("exponential", 0.5)
    with pytest.raises(ValueError, match="schedule must be"):
        optim.run("sgd", "bowl", steps=3, schedule=3)
    with pytest.raises(ValueError, match="unknown schedule"):
        optim.sweep("sgd", "bowl", steps=3, schedule="warm")


def test_coerce_and_describe():
    assert schedules.coerce(None) is None and schedules.coerce("constant") is None
    assert schedules.coerce({"kind": "cosine", "T": 30}) == Schedule.make("cosine", T=30)
    assert schedules.coerce("exponential") == Schedule.make("exponential", gamma=0.99)
    assert WARM_COSINE.describe() == "cosine decay (T=25, floor=0.1) after a 5-step warm-up from 0.2·lr"
    assert hash(WARM_COSINE) == hash(Schedule("cosine", (("T", 25), ("floor", 0.1), ("warmup", 5),
                                                           ("warmup_start", 0.2))))  # fmt: skip


# ----------------------------------------------------------------------------- the core uses it exactly


def _replay(name, convention, surface, start, steps, schedule, hp):
    """The rule stepped by hand, the scheduled lr passed in at each update."""
    opt = optim.get(name)
    values = opt.validate(hp, convention)
    form = opt.rule(convention).form
    lrs = values["lr"] * schedule.factors(steps)
    here = np.asarray(start, dtype=float).reshape(2, 1)
    state = opt.init(here, values, form)
    xy, scales = [here[:, 0].copy()], []
    with np.errstate(all="ignore"):
        for k in range(steps):
            g = surface.grad_xy(here[0], here[1])
            step, state, scale = opt.update(g, state, {**values, "lr": float(lrs[k])}, form)
            here = here + step
            xy.append(here[:, 0].copy())
            scales.append(np.broadcast_to(scale(), (2, 1))[:, 0].copy())
    return np.array(xy), np.array(scales)


@pytest.mark.parametrize(("name", "convention"), PAIRS)
def test_run_equals_the_lr_sequence_replayed_step_by_step(name, convention):
    surface = landscapes.get("rosenbrock")
    hp = {"lr": 2e-3 if name not in ("adam", "nadam", "adadelta") else 0.02}
    if name == "rmsprop":
        hp |= {"momentum": 0.5}
    xy, scales = _replay(name, convention, surface, (-1.2, 1.0), 30, WARM_COSINE, hp)
    traj = optim.run(name, surface, (-1.2, 1.0), 30, convention=convention, schedule=WARM_COSINE, **hp)
    assert traj.diverged_at is None and traj.schedule == WARM_COSINE
    np.testing.assert_array_equal(traj.xy, xy)
    np.testing.assert_array_equal(traj.effective_lr, scales)
    assert not np.array_equal(traj.xy, optim.run(name, surface, (-1.2, 1.0), 30, convention=convention, **hp).xy)


@pytest.mark.parametrize(("name", "convention"), PAIRS)
def test_inspect_step_uses_the_same_scheduled_lr(name, convention):
    hp = {"lr": 0.01}
    traj = optim.run(name, "bowl", (1.0, -0.5), 9, convention=convention, noise=0.1, seed=3, schedule=WARM_COSINE, **hp)
    for k in (0, 4, 5, 8):
        detail = optim.inspect_step(name, "bowl", (1.0, -0.5), k, convention, 0.1, 3, schedule=WARM_COSINE, **hp)
        np.testing.assert_array_equal(detail.xy_next, traj.xy[k + 1])
        np.testing.assert_array_equal(detail.effective_lr, traj.effective_lr[k])
        assert detail.lr == 0.01 * WARM_COSINE.factors(k + 1)[k]


def test_sgd_by_hand_and_effective_lr():
    """On the bowl f = ½(x² + κy²), SGD with an exponential schedule moves x by lr γ^t x_t."""
    traj = optim.run("sgd", "bowl", (1.0, 0.0), 5, schedule={"kind": "exponential", "gamma": 0.5}, lr=0.1)
    x = 1.0
    for t in range(5):
        x -= 0.1 * 0.5**t * x
        assert traj.xy[t + 1, 0] == pytest.approx(x, rel=1e-15)
    np.testing.assert_allclose(traj.effective_lr[:, 0], 0.1 * 0.5 ** np.arange(5), rtol=1e-15)


def test_lr_enters_where_each_framework_puts_it():
    """SGD momentum: PyTorch keeps a buffer of gradients (lr outside), Keras one of lr-scaled steps. Equal
    for a constant lr; with a decaying lr Keras's buffer remembers the older, larger steps."""
    kwargs = {"steps": 20, "lr": 1e-3, "momentum": 0.9}
    torch_const = optim.run("momentum", "rosenbrock", convention="pytorch", **kwargs)
    keras_const = optim.run("momentum", "rosenbrock", convention="keras", **kwargs)
    np.testing.assert_allclose(torch_const.xy, keras_const.xy, rtol=1e-12)
    decay = Schedule.make("step", every=5, gamma=0.1)
    torch_sched = optim.run("momentum", "rosenbrock", convention="pytorch", schedule=decay, **kwargs)
    keras_sched = optim.run("momentum", "rosenbrock", convention="keras", schedule=decay, **kwargs)
    np.testing.assert_allclose(torch_sched.xy[:6], keras_sched.xy[:6], rtol=1e-12)
    assert np.abs(torch_sched.xy[-1] - keras_sched.xy[-1]).max() > 1e-4


def test_batched_run_run_many_and_sweep_agree():
    lrs = np.array([1e-3, 3e-3, 1e-2])
    batched = optim.run("rmsprop", "rosenbrock", steps=40, schedule=WARM_COSINE, lr=lrs)
    for i, lr in enumerate(lrs):
        single = optim.run("rmsprop", "rosenbrock", steps=40, schedule=WARM_COSINE, lr=float(lr))
        np.testing.assert_array_equal(batched.xy[:, i], single.xy)
        np.testing.assert_array_equal(batched.effective_lr[:, i], single.effective_lr)
    many = optim.run_many([("sgd", {"lr": 1e-3}), ("adam", {})], "rosenbrock", steps=40, schedule=WARM_COSINE)
    np.testing.assert_array_equal(
        many[1].xy, optim.run("adam", "rosenbrock", steps=40, schedule=WARM_COSINE).xy
    )  # fmt: skip
    result = optim.sweep("rmsprop", "rosenbrock", steps=40, tol=1e-3, schedule=WARM_COSINE, lr=lrs)
    np.testing.assert_array_equal(result.final_xy, batched.xy[-1])
    np.testing.assert_array_equal(result.final_loss, batched.loss[-1])


def test_sweep_with_divergence_keeps_the_schedule_aligned():
    lrs = np.array([1e-3, 5.0, 2e-3])  # the middle run leaves the region early and is dropped
    result = optim.sweep("sgd", "rosenbrock", steps=30, schedule=EXAMPLES[0], lr=lrs)
    assert result.diverged_at[1] > 0
    for i in (0, 2):
        single = optim.run("sgd", "rosenbrock", steps=30, schedule=EXAMPLES[0], lr=float(lrs[i]))
        np.testing.assert_array_equal(result.final_xy[i], single.xy[-1])


def test_constant_schedule_is_the_plain_run():
    plain = optim.run("adam", "beale", steps=50)
    for same in (None, "constant", Schedule.make("constant"), {"kind": "constant"}):
        traj = optim.run("adam", "beale", steps=50, schedule=same)
        np.testing.assert_array_equal(traj.xy, plain.xy)
        assert traj.schedule is None


def test_warm_up_from_zero_takes_no_first_step():
    traj = optim.run("adam", "rosenbrock", steps=3, schedule=Schedule.make("constant", warmup=2))
    np.testing.assert_array_equal(traj.xy[1], traj.xy[0])
    assert np.all(traj.effective_lr[0] == 0) and np.all(np.isfinite(traj.effective_lr))


# ----------------------------------------------------------------------------- PyTorch, recorded


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["case"] for c in REFERENCE["cases"]])
def test_pytorch_schedulers_recorded(case):
    spec = dict(case["schedule"])
    schedule = Schedule.make(spec.pop("kind"), **spec)
    steps = len(case["lr"])
    np.testing.assert_allclose(case["hp"]["lr"] * schedule.factors(steps), case["lr"], rtol=1e-15, atol=0)
    traj = optim.run(
        case["optimizer"], "rosenbrock", tuple(REFERENCE["meta"]["start"]), steps, schedule=schedule, **case["hp"]
    )
    assert traj.diverged_at is None
    np.testing.assert_allclose(traj.xy, case["xy"], rtol=1e-13, atol=1e-15, err_msg=case["torch"])


def test_fixture_covers_every_kind_and_torch_scheduler():
    kinds = {c["schedule"]["kind"] for c in REFERENCE["cases"]}
    assert kinds == set(schedules.KINDS)
    used = " ".join(c["torch"] for c in REFERENCE["cases"])
    for name in ("StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LambdaLR", "SequentialLR", "ConstantLR"):
        assert name in used
