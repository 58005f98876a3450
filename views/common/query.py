"""Reading numbers, whole numbers and on/off flags from URL text: one set of rules for every page.

Pure, no Streamlit. A value that cannot be used never raises: it becomes a default (or is clamped into
its range), and a warning that says so in words is appended to ``warnings``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from analysis.decimals import tidy

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def flat(query: Mapping[str, str | list[str]]) -> dict[str, str]:
    """One stripped string per key (the last, when the address repeats a key)."""
    return {k: str(v[-1] if isinstance(v, list) else v).strip() for k, v in query.items() if v != []}


def parse_number(
    text: object, default: float, low: float, high: float, what: str, warnings: list[str], positive: bool = False
) -> float:
    """``text`` as a finite number in [low, high]; ``default`` when it is missing or not a number, clamped when
    out of range, snapped to a short decimal when within float noise of one (``tidy``). ``positive``: a value
    <= 0 becomes ``low`` (a log axis)."""
    if text is None:
        return default
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        warnings.append(f"{what}: {text!r} is not a number; using {default:g}.")
        return default
    if not math.isfinite(value):
        warnings.append(f"{what}: {text!r} is not a finite number; using {default:g}.")
        return default
    if positive and value <= 0:
        warnings.append(f"{what}: a log axis needs positive values, got {value:g}; using {low:g}.")
        return low
    if not low <= value <= high:
        clamped = clamp(value, low, high)
        warnings.append(f"{what}: {value:g} is outside [{low:g}, {high:g}]; using {clamped:g}.")
        return clamped
    return min(max(tidy(value), low), high)  # float noise (1.2000000000000002) snapped to its short decimal


def parse_integer(text: object, default: int, low: int, high: int, what: str, warnings: list[str]) -> int:
    """``text`` as a whole number in [low, high] (a fraction is rounded, with a warning)."""
    value = parse_number(text, float(default), low, high, what, warnings)
    if value != int(value):
        warnings.append(f"{what}: {value:g} is not a whole number; using {round(value)}.")
    return round(value)


def parse_flag(text: str | None, default: bool, what: str, warnings: list[str]) -> bool:
    """``text`` as on/off (1/0, true/false, yes/no, on/off); ``default`` when missing or neither."""
    if text is None:
        return default
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    warnings.append(f"{what}: {text!r} is not on/off (1 or 0); using {'on' if default else 'off'}.")
    return default


class QueryReader:
    """Reads one flat query and remembers which keys it used (the rest are unknown to the page)."""

    def __init__(self, query: Mapping[str, str], warnings: list[str] | None = None):
        self.query = dict(query)
        self.used: set[str] = set()
        self.warnings: list[str] = [] if warnings is None else warnings

    def take(self, key: str) -> str | None:
        self.used.add(key)
        value = self.query.get(key)
        return None if value is None else str(value).strip()

    def number(self, key: str, default: float, low: float, high: float, what: str) -> float:
        return parse_number(self.take(key), default, low, high, what, self.warnings)

    def integer(self, key: str, default: int, low: int, high: int, what: str) -> int:
        return parse_integer(self.take(key), default, low, high, what, self.warnings)

    def flag(self, key: str, default: bool, what: str) -> bool:
        return parse_flag(self.take(key), default, what, self.warnings)

    def unused(self, ignored: set[str] = frozenset()) -> list[str]:
        """The query's keys nothing has taken (sorted), leaving out ``ignored``."""
        return sorted(k for k in self.query if k not in self.used and k not in ignored)
