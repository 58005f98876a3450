"""Framework code for a learning-rate schedule: each framework's own scheduler where it has one.

``schedule_code`` returns the lines that build the schedule, the expression to pass as the learning
rate (None for PyTorch, whose schedulers wrap the optimizer), lines to put after the optimizer, and
notes. Every formula here matches ``optim.schedules.factor`` (update t uses the value at t, t = 0 first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optim.schedules import Schedule

TORCH = "torch.optim.lr_scheduler"
KERAS = "keras.optimizers.schedules"


@dataclass
class ScheduleCode:
    before: list[str] = field(default_factory=list)  # lines before the optimizer
    learning_rate: str | None = None  # what to pass as the learning rate (None: the base lr)
    after: list[str] = field(default_factory=list)  # lines after the optimizer
    notes: list[str] = field(default_factory=list)


def _num(value: float) -> str:
    """A short literal; floats keep a float form (Keras takes a schedule's dtype from its first number)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value:.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3g}"
    return text if any(c in text for c in ".en") else text + ".0"


def schedule_code(convention: str, schedule: Schedule, lr: float, steps: int | None = None) -> ScheduleCode:
    """Code for ``schedule`` with base learning rate ``lr`` in ``convention``'s framework.

    ``steps`` (the app's run length) decides whether PyTorch needs a tail holding the cosine's floor."""
    builders = {"pytorch": _torch, "keras": _keras, "optax": _optax, "tf1": _tf1}
    return builders[convention](schedule.kind, schedule.values(), lr, steps)


# ----------------------------------------------------------------------------- PyTorch


def _torch(kind: str, p: dict[str, Any], lr: float, steps: int | None) -> ScheduleCode:
    code = ScheduleCode()
    parts: list[tuple[str, str]] = []  # (variable, constructor)
    milestones: list[int] = []
    warmup, start = p["warmup"], p["warmup_start"]
    if warmup:
        if start > 0:
            parts.append(("warmup", f"{TORCH}.LinearLR(optimizer, start_factor={_num(start)}, total_iters={warmup})"))
        else:
            parts.append(("warmup", f"{TORCH}.LambdaLR(optimizer, lambda t: min(t / {warmup}, 1.0))"))
            code.notes.append("LinearLR needs start_factor > 0, so the warm-up from 0 is a LambdaLR.")
        milestones.append(warmup)
    if kind == "step":
        parts.append(("decay", f"{TORCH}.StepLR(optimizer, step_size={p['every']}, gamma={_num(p['gamma'])})"))
    elif kind == "exponential":
        parts.append(("decay", f"{TORCH}.ExponentialLR(optimizer, gamma={_num(p['gamma'])})"))
    elif kind == "cosine":
        floor, length = p["floor"], p["T"]
        parts.append(("decay", f"{TORCH}.CosineAnnealingLR(optimizer, T_max={length}, eta_min={_num(lr * floor)})"))
        if steps is not None and warmup + length < steps:
            parts.append(("hold", f"{TORCH}.ConstantLR(optimizer, factor={_num(floor)}, total_iters={steps})"))
            milestones.append(warmup + length)
            code.notes.append(
                "CosineAnnealingLR climbs back up after T_max; the ConstantLR holds the floor, as Keras and Optax do."
            )
    if len(parts) == 1:
        code.after.append(f"scheduler = {parts[0][1]}")
    else:
        code.after += [f"{name} = {ctor}" for name, ctor in parts]
        names = ", ".join(name for name, _ in parts)
        code.after.append(f"scheduler = {TORCH}.SequentialLR(optimizer, [{names}], milestones={milestones})")
    code.after.append("# each update: loss.backward(); optimizer.step(); scheduler.step()")
    code.notes.append("Call scheduler.step() after optimizer.step(): update t then uses the schedule's value at t.")
    return code


# ----------------------------------------------------------------------------- Keras 3

_KERAS_WARMUP = [
    f"class WarmUp({KERAS}.LearningRateSchedule):",
    '    """Linear warm-up from `start` to `peak` over `steps` updates, then `after` on its own clock."""',
    "",
    "    def __init__(self, start, peak, steps, after):",
    "        self.start, self.peak, self.steps, self.after = start, peak, steps, after",
    "",
    "    def __call__(self, step):",
    "        # in the dtype of the start lr, as Keras's own schedules compute",
    "        step = keras.ops.cast(step, keras.ops.convert_to_tensor(self.start).dtype)",
    "        ramp = self.start + (self.peak - self.start) * step / self.steps",
    "        return keras.ops.where(step < self.steps, ramp, self.after(keras.ops.maximum(step - self.steps, 0.0)))",
    "",
    "    def get_config(self):",
    '        return {"start": self.start, "peak": self.peak, "steps": self.steps, "after": self.after}',
    "",
]


def _keras(kind: str, p: dict[str, Any], lr: float, steps: int | None) -> ScheduleCode:
    code = ScheduleCode(learning_rate="lr_schedule")
    warmup, start = p["warmup"], p["warmup_start"]
    if kind == "cosine":
        args = f"{_num(lr)}, decay_steps={p['T']}, alpha={_num(p['floor'])}"
        if warmup:
            args = (
                f"{_num(lr * start)}, decay_steps={p['T']}, alpha={_num(p['floor'])}, "
                f"warmup_target={_num(lr)}, warmup_steps={warmup}"
            )
        code.before.append(f"lr_schedule = {KERAS}.CosineDecay({args})")
        return code
    if kind == "constant":  # only reached with a warm-up
        code.before.append(
            f"lr_schedule = {KERAS}.PolynomialDecay({_num(lr * start)}, decay_steps={warmup}, "
            f"end_learning_rate={_num(lr)}, power=1.0)"
        )
        code.notes.append("A PolynomialDecay with power 1 rising to lr is a linear warm-up; it then holds lr.")
        return code
    every, staircase = (p["every"], True) if kind == "step" else (1, False)
    decay = f"{KERAS}.ExponentialDecay({_num(lr)}, decay_steps={every}, decay_rate={_num(p['gamma'])}"
    decay += ", staircase=True)" if staircase else ")"
    if not warmup:
        code.before.append(f"lr_schedule = {decay}")
        return code
    code.before += [*_KERAS_WARMUP, f"lr_schedule = WarmUp({_num(lr * start)}, {_num(lr)}, {warmup}, {decay})"]
    code.notes.append("Keras 3 has a built-in warm-up only in CosineDecay; WarmUp adds one to ExponentialDecay.")
    return code


# ----------------------------------------------------------------------------- Optax


def _optax(kind: str, p: dict[str, Any], lr: float, steps: int | None) -> ScheduleCode:
    code = ScheduleCode(learning_rate="lr_schedule")
    warmup, start = p["warmup"], p["warmup_start"]
    head = f"init_value={_num(lr * start)}, peak_value={_num(lr)}, warmup_steps={warmup}"
    if kind == "constant":
        line = f"optax.warmup_constant_schedule({head})"
    elif kind == "cosine":
        if warmup:
            line = (
                f"optax.warmup_cosine_decay_schedule({head}, decay_steps={warmup + p['T']}, "
                f"end_value={_num(lr * p['floor'])})"
            )
            code.notes.append("Optax's decay_steps counts the warm-up too: warm-up W + cosine T.")
        else:
            line = f"optax.cosine_decay_schedule(init_value={_num(lr)}, decay_steps={p['T']}, alpha={_num(p['floor'])})"
    else:
        every, staircase = (p["every"], ", staircase=True") if kind == "step" else (1, "")
        rest = f"transition_steps={every}, decay_rate={_num(p['gamma'])}{staircase}"
        if warmup:
            line = f"optax.warmup_exponential_decay_schedule({head}, {rest})"
        else:
            line = f"optax.exponential_decay(init_value={_num(lr)}, {rest})"
    code.before.append(f"lr_schedule = {line}")
    code.notes.append("Optax calls the schedule with its update count, 0 for the first update.")
    return code


# ----------------------------------------------------------------------------- TF1


def _tf1(kind: str, p: dict[str, Any], lr: float, steps: int | None) -> ScheduleCode:
    code = ScheduleCode(learning_rate="lr_schedule")
    code.before.append("global_step = tf.compat.v1.train.get_or_create_global_step()")
    if kind == "cosine":
        line = (
            f"tf.compat.v1.train.cosine_decay({_num(lr)}, global_step, decay_steps={p['T']}, alpha={_num(p['floor'])})"
        )
    elif kind in ("step", "exponential"):
        every, staircase = (p["every"], ", staircase=True") if kind == "step" else (1, "")
        line = (
            f"tf.compat.v1.train.exponential_decay({_num(lr)}, global_step, decay_steps={every}, "
            f"decay_rate={_num(p['gamma'])}{staircase})"
        )
    else:
        line = _num(lr)
        code.learning_rate = None
    if code.learning_rate is None:
        code.before = []
    else:
        code.before.append(f"lr_schedule = {line}")
        code.after.append("# minimize(loss, global_step=global_step) counts the updates (0 for the first)")
    if p["warmup"]:
        code.notes.append(f"TF1 has no warm-up schedule: this code leaves out the {p['warmup']}-step warm-up.")
    return code
