"""RunSpec: one optimizer's run, fully specified. Hashable, so it is the key of every cached run.

Pure, no Streamlit. Every page builds its runs from a RunSpec (``Scenario.run_spec``,
``SweepJob.run_spec``), so the cached computations take one argument instead of nine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import landscapes
import optim
from optim.denominator import DenominatorTerms, run_with_terms

Items = tuple[tuple[str, Any], ...]
#: (surface name, its sorted parameter items). A custom surface's items hold its formula:
#: (("expr", "x**2+10*y**2"), ("xmax", 2.0), ("xmin", -2.0), ...).
SurfaceKey = tuple[str, tuple[tuple[str, float | str], ...]]


def surface_of(key: SurfaceKey) -> landscapes.Surface:
    """The surface of a key (built-in or custom; custom builds are cached inside ``landscapes``)."""
    name, params = key
    return landscapes.get(name, **dict(params))


def items(mapping: dict[str, Any]) -> Items:
    """A mapping as sorted (name, value) pairs: the hashable form of hyperparameters and surface parameters."""
    return tuple(sorted(mapping.items()))


@dataclass(frozen=True)
class RunSpec:
    """Everything ``optim.run`` needs for one optimizer's trajectory."""

    surface_key: SurfaceKey
    optimizer: str
    hp: Items  # its hyperparameters, sorted by name
    convention: str
    start: tuple[float, float] | None  # None: every start of a grid (a basin map), set by the caller
    steps: int
    noise: float = 0.0
    seed: int = 0
    schedule: optim.Schedule | None = None  # None: constant learning rate

    @classmethod
    def of(cls, view: Any, optimizer: str, hp: dict[str, Any]) -> RunSpec:
        """``optimizer`` with ``hp`` under ``view``'s surface, convention, start, steps, noise, seed and schedule
        (a Scenario or a SweepJob). Without noise the seed changes nothing, so it is left at 0: one cached run
        serves every seed (a class whose students each type a seed shares its runs)."""
        return cls(
            view.surface_key,
            optimizer,
            items(hp),
            view.convention,
            view.start,
            view.steps,
            view.noise,
            view.seed if view.noise else 0,
            view.schedule,
        )

    def surface(self) -> landscapes.Surface:
        return surface_of(self.surface_key)

    def hyperparams(self) -> dict[str, Any]:
        return dict(self.hp)

    def with_changes(self, **changes: Any) -> RunSpec:
        return replace(self, **changes)

    def run(self) -> optim.Trajectory:
        """The trajectory. Raises ValueError when it cannot run (e.g. the framework lacks the optimizer)."""
        return self._call(optim.run)

    def run_with_terms(self) -> tuple[optim.Trajectory, DenominatorTerms | None]:
        """The trajectory and its denominator's terms (``optim.denominator.run_with_terms``: read while the run
        steps, where it can). Raises ValueError when it cannot run."""
        return self._call(run_with_terms)

    def _call(self, runner: Callable[..., Any]) -> Any:
        if self.start is None:
            raise ValueError("a RunSpec without a start describes a grid of starts, not one run")
        return runner(
            self.optimizer,
            self.surface(),
            self.start,
            self.steps,
            self.convention,
            self.noise,
            self.seed,
            schedule=self.schedule,
            **self.hyperparams(),
        )
