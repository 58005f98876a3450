"""Small numeric building blocks shared by the update rules, in the frameworks' operation order."""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray

# The rules run on arrays of shape (2, B) and, for a single run, on Python floats one axis at a time
# (see ``runner``). The helpers below give both the same IEEE results: math.sqrt and np.sqrt are both
# correctly rounded; a negative input gives NaN, not math's ValueError.


def sqrt(value: float | Array) -> float | Array:
    """Square root; NaN below zero (as NumPy) for floats too."""
    if isinstance(value, float):
        return math.sqrt(value) if value >= 0.0 else math.nan
    return np.sqrt(value)


def maximum(first: float | Array, second: float | Array) -> float | Array:
    """``np.maximum``: the larger value, NaN if either is NaN."""
    if isinstance(first, float) and isinstance(second, float):
        return first if first >= second or first != first else second
    return np.maximum(first, second)


def zeros_like(params: float | Array) -> float | Array:
    """A zero state slot shaped like ``params`` (0.0 for a float)."""
    return 0.0 if isinstance(params, float) else np.zeros_like(params)


def full_like(params: float | Array, value: float) -> float | Array:
    """A state slot of ``value`` shaped like ``params`` (a float for a float)."""
    return float(value) if isinstance(params, float) else np.full_like(params, value)


def has_zero(value: float | Array) -> bool:
    """True if a hyperparameter (a float or a per-run array) is zero anywhere."""
    if isinstance(value, float):
        return value == 0.0
    array = np.asarray(value)
    if not array.flags.writeable and array.dtype == np.float64:  # a run's own hyperparameter: asked every step
        return 0.0 in _distinct(array)[0]
    return bool((array == 0.0).any())


def undefined_to_zero(result: Array, num: Array, den: Array, eps: float | Array) -> Array:
    """Replace the 0/0 entries of ``result = num / den`` (or ``num * (1/den)``) by 0: a zero step.

    A denominator can only be exactly zero when eps = 0, so the check is skipped otherwise.
    With eps = 0 and a zero gradient every framework computes 0/0 = NaN; we take no step instead.
    """
    if has_zero(eps):
        return np.where((den == 0.0) & (num == 0.0), 0.0, result)
    return result


def divide(num: Array, den: Array, eps: float | Array) -> Array:
    """``num / den`` with 0/0 defined as 0 (see ``undefined_to_zero``)."""
    return undefined_to_zero(num / den, num, den, eps)


def torch_lerp(start: Array, end: Array, weight: float | Array) -> Array:
    """``torch.lerp``: ``start + w (end - start)`` if |w| < 0.5, else ``end - (end - start)(1 - w)``."""
    if isinstance(weight, float):
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1.0 - weight)
    diff = end - start
    return np.where(np.abs(weight) < 0.5, start + weight * diff, end - diff * (1.0 - weight))


def power(base: float | Array, exponent: int) -> float | Array:
    """``base ** t`` with libm's pow, as Python computes it for a float, also for an array (taken value by value):
    NumPy's own pow may differ in the last bit, and a batched run must give exactly what each of its runs gives
    alone. A run's hyperparameters hold few distinct values (a knob's stops, the others' one value each)."""
    if isinstance(base, float):
        return base**exponent
    values, inverse = _distinct(base)
    return np.array([value**exponent for value in values])[inverse]


#: id -> (array, its distinct values as floats, the index of each entry's value): the read-only hyperparameter
#: arrays of the runs in progress (``runner`` makes them), taken apart once per run instead of once per step.
_DISTINCT: dict[int, tuple[Array, list[float], Array]] = {}


def _distinct(base: Array) -> tuple[list[float], Array]:
    base = np.asarray(base, dtype=float)
    entry = _DISTINCT.get(id(base))
    if entry is not None and entry[0] is base:
        return entry[1], entry[2]
    values, inverse = np.unique(base.ravel(), return_inverse=True)
    found = (base, values.tolist(), inverse.reshape(base.shape))
    if not base.flags.writeable:  # an array that cannot change under the same id while it is held here
        if len(_DISTINCT) >= 32:
            _DISTINCT.clear()
        _DISTINCT[id(base)] = found
    return found[1], found[2]
