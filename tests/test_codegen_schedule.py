"""Code export of learning-rate schedules: the right classes and numbers per framework, valid Python, and
(where torch is importable, as in the dev venv) the exported PyTorch code run for real."""

from __future__ import annotations

import numpy as np
import pytest

import optim
from optim import Schedule, codegen

S = Schedule.make
SCHEDULES = {
    "step": S("step", every=50, gamma=0.5),
    "exponential": S("exponential", gamma=0.99),
    "cosine": S("cosine", T=300, floor=0.1),
    "warm-cosine": S("cosine", T=300, floor=0.1, warmup=20, warmup_start=0.25),
    "warm0-cosine": S("cosine", T=100, floor=0.0, warmup=20, warmup_start=0.0),
    "warm-step": S("step", every=50, gamma=0.5, warmup=10, warmup_start=0.1),
    "warm-exponential": S("exponential", gamma=0.99, warmup=10, warmup_start=0.5),
    "warm-constant": S("constant", warmup=10, warmup_start=0.2),
}
EXPECTED = {  # (convention, schedule) -> texts the code must hold
    ("pytorch", "step"): ["torch.optim.lr_scheduler.StepLR(optimizer, step_size=50, gamma=0.5)", "scheduler.step()"],
    ("pytorch", "exponential"): ["torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.99)"],
    ("pytorch", "cosine"): [
        "CosineAnnealingLR(optimizer, T_max=300, eta_min=0.001)",
        "ConstantLR(optimizer, factor=0.1",
    ],
    ("pytorch", "warm-cosine"): [
        "LinearLR(optimizer, start_factor=0.25, total_iters=20)",
        "SequentialLR(optimizer, [warmup, decay, hold], milestones=[20, 320])",
    ],
    ("pytorch", "warm0-cosine"): ["LambdaLR(optimizer, lambda t: min(t / 20, 1.0))"],
    ("pytorch", "warm-constant"): ["scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.2"],
    ("keras", "step"): ["ExponentialDecay(0.01, decay_steps=50, decay_rate=0.5, staircase=True)"],
    ("keras", "exponential"): ["ExponentialDecay(0.01, decay_steps=1, decay_rate=0.99)"],
    ("keras", "cosine"): ["keras.optimizers.schedules.CosineDecay(0.01, decay_steps=300, alpha=0.1)"],
    ("keras", "warm-cosine"): ["CosineDecay(0.0025, decay_steps=300, alpha=0.1, warmup_target=0.01, warmup_steps=20)"],
    ("keras", "warm-step"): [
        "class WarmUp(keras.optimizers.schedules.LearningRateSchedule)",
        "WarmUp(0.001, 0.01, 10",
        "keras.ops.cast(step, keras.ops.convert_to_tensor(self.start).dtype)",  # not float32: as Keras's own
    ],
    ("keras", "warm-constant"): ["PolynomialDecay(0.002, decay_steps=10, end_learning_rate=0.01, power=1.0)"],
    ("optax", "step"): [
        "optax.exponential_decay(init_value=0.01, transition_steps=50, decay_rate=0.5, staircase=True)"
    ],
    ("optax", "cosine"): ["optax.cosine_decay_schedule(init_value=0.01, decay_steps=300, alpha=0.1)"],
    ("optax", "warm-cosine"): [
        "optax.warmup_cosine_decay_schedule(init_value=0.0025, peak_value=0.01, warmup_steps=20, decay_steps=320, "
        "end_value=0.001)"
    ],
    ("optax", "warm-exponential"): ["optax.warmup_exponential_decay_schedule(init_value=0.005, peak_value=0.01"],
    ("optax", "warm-constant"): ["optax.warmup_constant_schedule(init_value=0.002, peak_value=0.01, warmup_steps=10)"],
    ("tf1", "cosine"): ["tf.compat.v1.train.cosine_decay(0.01, global_step, decay_steps=300, alpha=0.1)"],
    ("tf1", "step"): ["tf.compat.v1.train.exponential_decay(0.01, global_step, decay_steps=50, decay_rate=0.5, stairc"],
}


@pytest.mark.parametrize("convention", list(optim.CONVENTIONS))
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_snippet_is_valid_python_with_the_right_classes(convention, name):
    snippet = codegen.snippet("rmsprop", convention, {"lr": 0.01}, SCHEDULES[name], steps=500)
    compile(snippet.code, f"<{convention}-{name}>", "exec")
    for text in EXPECTED.get((convention, name), []):
        assert text in snippet.code, (text, snippet.code)
    if convention != "pytorch" and not (convention == "tf1" and name == "warm-constant"):
        assert "learning_rate=lr_schedule" in snippet.code


def test_notes_where_a_framework_lacks_a_direct_equivalent():
    def notes(convention, name):
        return " ".join(codegen.snippet("adam", convention, {"lr": 0.01}, SCHEDULES[name], steps=500).notes)

    assert "warm-up only in CosineDecay" in notes("keras", "warm-step")
    assert "TF1 has no warm-up schedule" in notes("tf1", "warm-cosine")
    assert "climbs back up after T_max" in notes("pytorch", "cosine")
    assert "start_factor > 0" in notes("pytorch", "warm0-cosine")
    assert "after optimizer.step()" in notes("pytorch", "step")


def test_constant_schedule_changes_nothing_and_short_runs_need_no_hold():
    plain = codegen.snippet("sgd", "pytorch", {"lr": 0.01})
    assert codegen.snippet("sgd", "pytorch", {"lr": 0.01}, S("constant"), steps=100) == plain
    assert "ConstantLR" not in codegen.snippet("sgd", "pytorch", {"lr": 0.01}, SCHEDULES["cosine"], steps=300).code


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_exported_pytorch_code_gives_our_learning_rates(name):
    torch = pytest.importorskip("torch")
    steps = 400
    code = codegen.snippet("rmsprop", "pytorch", {"lr": 0.01}, SCHEDULES[name], steps=steps).code
    p = torch.zeros(2, requires_grad=True)
    scope = {"torch": torch, "p": p}
    exec(code.replace("model.parameters()", "[p]"), scope)
    optimizer, scheduler = scope["optimizer"], scope["scheduler"]
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        p.grad = torch.zeros(2)
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(lrs, 0.01 * SCHEDULES[name].factors(steps), rtol=1e-12, atol=1e-17)
