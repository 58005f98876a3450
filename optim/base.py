"""Optimizer and Rule: an update rule described once, with each framework's convention as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .hyperparams import HyperParam

CONVENTIONS: dict[str, str] = {"pytorch": "PyTorch", "keras": "Keras 3", "optax": "Optax", "tf1": "TensorFlow 1"}

Array = np.ndarray
HP = Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """How one framework implements an optimizer.

    ``form`` holds the optimizer-specific numerics (where eps goes, the accumulator's start value,
    the order of operations); the other fields describe the framework's API for code export.
    """

    convention: str
    api: str  # constructor, e.g. "torch.optim.RMSprop"
    arg_names: Mapping[str, str]  # our hyperparameter name -> the framework's keyword
    defaults: Mapping[str, Any]  # the framework's own defaults, in our names (None: required)
    form: Any
    notes: tuple[str, ...] = ()
    unsupported: Mapping[str, str] = field(default_factory=dict)  # option -> why it is missing
    ignores: tuple[str, ...] = ()  # hyperparameters this framework's rule has no use for


@dataclass(frozen=True)
class Optimizer:
    """A registered optimizer: pure ``init``/``update`` functions plus their hyperparameters.

    ``init(params, hp, form) -> state`` and ``update(grads, state, hp, form) -> (updates, state,
    scale)`` work on arrays of shape (2, B) (component axis first), and on Python floats (one axis of
    one run: every rule is per-axis; a single run steps this way); hyperparameters are floats
    or arrays of shape (B,); ``params + updates`` is the next iterate. ``scale()`` returns the
    effective per-axis learning rate: the factor that multiplies the gradient (for Adam-like
    rules, the first moment). It is a thunk so that sweeps, which do not record it, skip its cost.
    """

    name: str
    label: str
    summary: str
    hyperparams: tuple[HyperParam, ...]
    rules: Mapping[str, Rule]
    init: Callable[[Array, HP, Any], Any]
    update: Callable[[Array, Any, HP, Any], tuple[Array, Any, Callable[[], Array | float]]]
    unsupported: Mapping[str, str] = field(default_factory=dict)  # convention -> why
    fixed: Mapping[str, Any] = field(default_factory=dict)  # values this entry pins (sgd: momentum=0)

    def supports(self, convention: str) -> bool:
        return convention in self.rules

    def rule(self, convention: str) -> Rule:
        """The framework's rule, or ValueError saying why there is none."""
        if convention not in CONVENTIONS:
            raise ValueError(f"unknown convention {convention!r}; known conventions: {', '.join(CONVENTIONS)}")
        if convention not in self.rules:
            raise ValueError(self.unsupported.get(convention, f"{CONVENTIONS[convention]} has no {self.label}"))
        return self.rules[convention]

    def param(self, name: str) -> HyperParam:
        for p in self.hyperparams:
            if p.name == name:
                return p
        raise ValueError(f"{self.name} has no hyperparameter {name!r}")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.hyperparams}

    def validate(self, hp: HP, convention: str) -> dict[str, Any]:
        """Fill in defaults, check every value and the framework's support for the chosen options."""
        rule = self.rule(convention)
        known = {p.name: p for p in self.hyperparams}
        unknown = set(hp) - set(known)
        if unknown:
            raise ValueError(
                f"unknown hyperparameter(s) {', '.join(sorted(unknown))} for {self.name}; "
                f"allowed: {', '.join(known) or 'none'}"
            )
        values = {name: p.validate(hp[name]) if name in hp else p.default for name, p in known.items()}
        for option, why in rule.unsupported.items():
            if values.get(option) is True:
                raise ValueError(why)
        values.update(self.fixed)
        return values
