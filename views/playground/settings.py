"""Teacher links: which Playground controls a share link locks (shown, disabled) or hides.

Pure, no Streamlit. URL vocabulary (comma-separated lists, all optional; see README):
    lock=surface,opt,conv      these controls are shown but cannot be changed
    hide=noise,seed,tol,start  these are not shown at all (their values are fixed too)
    only=rmsprop.lr,rmsprop.rho  these stay free whatever lock/hide say; everything else is locked
                                 (add hide=all to hide everything else instead)

Control names: ``surface`` (the surface and its parameters), ``opt`` (which optimizers), ``conv``
(framework convention), ``steps``, ``start`` (also clicks on the contour), ``noise`` (and its bands), ``seed``, ``tol``,
``reset`` (the reset button), ``present`` (presentation toggle), ``sched`` (learning-rate schedule), ``view``
(small multiples, curvature read-out and its step k), and one per hyperparameter:
``rmsprop.lr``; ``rmsprop.*`` means all of RMSProp's, ``*.lr`` every optimizer's learning rate, ``all``
every control. Unknown names are dropped with a warning, never an error.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import optim

Status = Literal["free", "locked", "hidden"]
KEYS = ("lock", "hide", "only")
ALL = "all"

#: The controls that are not hyperparameters, with what each covers.
CONTROLS: dict[str, str] = {
    "surface": "Surface and its parameters",
    "opt": "Which optimizers are shown",
    "conv": "Framework convention",
    "steps": "Steps",
    "start": "Start point (and clicks on the contour)",
    "noise": "Gradient noise",
    "seed": "Noise seed",
    "tol": "Tolerance",
    "reset": "Reset button",
    "present": "Presentation-mode toggle",
    "sched": "Learning-rate schedule",
    "view": "Small multiples, curvature read-out and its step k",
}


def hyperparam_controls(optimizer: str) -> list[str]:
    """``optimizer.hp`` for each of its hyperparameters."""
    return [f"{optimizer}.{p.name}" for p in optim.get(optimizer).hyperparams]


def all_controls() -> list[str]:
    """Every concrete control name."""
    return list(CONTROLS) + [c for name in optim.names() for c in hyperparam_controls(name)]


def describe(name: str) -> str:
    """A readable label for a control name or pattern (for the link builder)."""
    if name == ALL:
        return "Everything"
    if name in CONTROLS:
        return CONTROLS[name]
    opt, _, hp = name.partition(".")
    if opt == "*":
        return f"Every optimizer's {hp}"
    label = optim.get(opt).label
    return f"{label}: all settings" if hp == "*" else f"{label} {hp}"


@functools.lru_cache(maxsize=512)
def expand(pattern: str) -> frozenset[str]:
    """The concrete controls a name or pattern stands for (empty if it is unknown)."""
    if pattern == ALL:
        return frozenset(all_controls())
    if pattern in CONTROLS:
        return frozenset({pattern})
    opt, dot, hp = pattern.partition(".")
    if not dot:
        return frozenset()
    names = optim.names() if opt == "*" else [opt] if opt in optim.names() else []
    found = set()
    for name in names:
        hps = [p.name for p in optim.get(name).hyperparams]
        found |= {f"{name}.{h}" for h in hps if hp in ("*", h)}
    return frozenset(found)


def _parse_list(text: str, key: str, warnings: list[str]) -> tuple[str, ...]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if not expand(n)]
    if unknown:
        warnings.append(
            f"Teacher link: {key}= names unknown control(s) {', '.join(repr(n) for n in unknown)}; ignored. "
            f"Known: {', '.join(CONTROLS)}, all, and optimizer settings such as rmsprop.lr or rmsprop.*."
        )
    return tuple(dict.fromkeys(n for n in names if expand(n)))


@dataclass(frozen=True)
class TeacherLink:
    """The lock/hide/only lists of a link, as written (valid names only, duplicates removed)."""

    lock: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    only: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether any control is locked or hidden."""
        return any(self.status(c) != "free" for c in all_controls())

    def _matches(self, patterns: Iterable[str], control: str) -> bool:
        return any(control in expand(p) for p in patterns)

    def status(self, control: str) -> Status:
        """``only`` beats ``hide``, which beats ``lock``; with ``only`` given, the rest is at least locked."""
        if self.only and self._matches(self.only, control):
            return "free"
        if self._matches(self.hide, control):
            return "hidden"
        if self.only or self._matches(self.lock, control):
            return "locked"
        return "free"

    def shown(self, control: str) -> bool:
        return self.status(control) != "hidden"

    def locked(self, control: str) -> bool:
        return self.status(control) == "locked"

    def fixed(self, control: str) -> bool:
        """Locked or hidden: the value is the link's."""
        return self.status(control) != "free"

    def to_query(self) -> dict[str, str]:
        lists = zip(KEYS, (self.lock, self.hide, self.only), strict=True)
        return {key: ",".join(values) for key, values in lists if values}

    @classmethod
    def from_query(cls, query: Mapping[str, str | list[str]]) -> tuple[TeacherLink, list[str]]:
        """Read ``lock``, ``hide`` and ``only``; unknown names become warnings."""
        warnings: list[str] = []
        lists = {}
        for key in KEYS:
            value = query.get(key)
            if isinstance(value, list):
                value = value[-1] if value else None
            lists[key] = _parse_list(str(value), key, warnings) if value is not None else ()
        return cls(**lists), warnings
