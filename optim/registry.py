"""The optimizer registry: ``names()`` and ``get(name)``."""

from __future__ import annotations

from .adadelta import ADADELTA
from .adagrad import ADAGRAD
from .adam import ADAM
from .base import Optimizer
from .nadam import NADAM
from .rmsprop import RMSPROP
from .sgd import MOMENTUM, NESTEROV, SGD

_REGISTRY: dict[str, Optimizer] = {
    o.name: o for o in (SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, ADADELTA, NADAM)
}


def names() -> list[str]:
    """Names of the registered optimizers, in display order."""
    return list(_REGISTRY)


def get(name: str) -> Optimizer:
    """The optimizer called ``name``; ValueError listing the known names otherwise."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown optimizer {name!r}; known optimizers: {', '.join(_REGISTRY)}") from None
