"""Framework code that creates an optimizer with the Playground's hyperparameters.

Generated from each framework's Rule (API name, keyword names, defaults), so it cannot drift from
the update rule the chart uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .codegen_schedule import schedule_code
from .registry import get
from .schedules import Schedule, coerce

_IMPORTS = {
    "pytorch": "import torch",
    "keras": "import keras",
    "optax": "import optax",
    "tf1": "import tensorflow as tf",
}
_PARAMS_ARG = {"pytorch": "model.parameters(), "}


@dataclass(frozen=True)
class Snippet:
    convention: str
    code: str
    notes: tuple[str, ...]


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3g}"
    return repr(value)


def snippet(
    optimizer: str,
    convention: str,
    hp: dict[str, Any],
    schedule: Schedule | None = None,
    steps: int | None = None,
) -> Snippet:
    """Code creating ``optimizer`` in ``convention``'s framework, with notes on names and defaults.

    With a (non-constant) ``schedule`` the code also builds the framework's matching learning-rate
    schedule; ``steps`` is the app's run length. Raises ValueError when the framework lacks the
    optimizer (the UI shows the message instead)."""
    opt = get(optimizer)
    rule = opt.rule(convention)
    values = {**opt.defaults(), **hp, **opt.fixed}
    shown = {p.name for p in opt.hyperparams}
    api, args, renamed, defaults = rule.api, {}, [], []
    for name, keyword in rule.arg_names.items():
        value = values.get(name)
        if name in opt.fixed and not value:
            continue  # e.g. plain SGD: no momentum argument at all
        if convention == "optax" and name == "momentum" and value == 0.0:
            continue  # optax's "no momentum" is momentum=None
        if convention == "optax" and name == "amsgrad":
            api = "optax.amsgrad" if value else api
            continue
        if keyword.startswith("betas["):
            args.setdefault("betas", f"({_literal(values['beta1'])}, {_literal(values['beta2'])})")
        else:
            args[keyword] = _literal(value)
        base = keyword.split("[")[0]
        if name in shown and name != "lr" and base != name and f"`{base}`" not in " ".join(rule.notes):
            renamed.append("beta1, beta2 → `betas`" if base == "betas" else f"{name} → `{base}`")
        default = rule.defaults.get(name)
        if default is not None and not isinstance(value, bool) and value != default:
            defaults.append(f"{base} {_literal(default)}")
    scheduled = coerce(schedule)
    extra = schedule_code(convention, scheduled, values["lr"], steps) if scheduled else None
    if extra is not None and extra.learning_rate is not None:
        args[rule.arg_names["lr"]] = extra.learning_rate
    rendered = ", ".join(f"{k}={v}" for k, v in args.items())
    lines = [_IMPORTS[convention], ""]
    lines += extra.before if extra else []
    lines.append(f"optimizer = {api}({_PARAMS_ARG.get(convention, '')}{rendered})")
    lines += extra.after if extra else []
    code = "\n".join(lines)
    notes = list(rule.notes) + (extra.notes if extra else [])
    if renamed:
        notes.append("Names in this framework: " + ", ".join(dict.fromkeys(renamed)) + ".")
    if defaults:
        notes.append("Its defaults differ from the values here: " + ", ".join(defaults) + ".")
    for name in rule.ignores:
        notes.append(f"This framework's rule has no {name}; that slider has no effect here.")
    return Snippet(convention, code, tuple(notes))
