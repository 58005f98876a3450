"""Predict, then run: questions a link or a lesson poses before the run is shown, answered from the runs.

Pure, no Streamlit. URL: ``ask=first`` (which optimizer reaches the minimum first?), ``ask=lowest`` (which
has the lowest loss at the end?), ``ask=converge`` or ``ask=converge.sgd`` (does that optimizer converge,
diverge, or neither?). The answer always comes from the same runs the charts draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import optim
from analysis.runs import Run, final_gap, steps_to

Kind = Literal["first", "lowest", "converge"]
KINDS: dict[str, str] = {
    "first": "Which optimizer reaches the minimum first?",
    "lowest": "Which optimizer ends lowest?",
    "converge": "Does it converge or diverge?",
}
NONE = "none"
OUTCOMES = ("converges", "diverges", "neither")


@dataclass(frozen=True)
class Answer:
    correct: tuple[str, ...]  # the option ids that count as right (ties give several)
    explanation: str  # why, with the numbers


@dataclass(frozen=True)
class Question:
    kind: Kind
    optimizer: str | None = None  # converge: which optimizer (None: the first one shown)

    @property
    def key(self) -> str:
        """The ``ask=`` value."""
        return f"{self.kind}.{self.optimizer}" if self.optimizer else self.kind

    @classmethod
    def parse(cls, text: str | None) -> tuple[Question | None, list[str]]:
        """The question an ``ask=`` value names, or None and a warning."""
        if text is None or not text.strip():
            return None, []
        kind, _, name = text.strip().lower().partition(".")
        if kind not in KINDS or (name and kind != "converge"):
            return None, [f"Unknown question ask={text!r}; known: first, lowest, converge, converge.<optimizer>."]
        if name and name not in optim.names():
            return None, [f"ask={text!r}: there is no optimizer {name!r}."]
        return cls(kind, name or None), []  # type: ignore[arg-type]

    def subject(self, optimizers: Sequence[str]) -> str | None:
        """The optimizer a converge question is about (None if it is not shown)."""
        if self.kind != "converge":
            return None
        if self.optimizer is None:
            return optimizers[0] if optimizers else None
        return self.optimizer if self.optimizer in optimizers else None

    def problem(self, optimizers: Sequence[str], min_value: float | None) -> str | None:
        """Why the question cannot be asked of this view, or None."""
        if not optimizers:
            return "no optimizer is shown"
        if self.kind == "first" and min_value is None:
            return "this surface has no lowest value to reach"
        if self.kind == "first" and len(optimizers) < 2:
            return "it needs at least two optimizers"
        if self.kind == "lowest" and len(optimizers) < 2:
            return "it needs at least two optimizers"
        if self.kind == "converge" and self.subject(optimizers) is None:
            return f"{optim.get(self.optimizer).label} is not shown"
        if self.kind == "converge" and min_value is None:
            return "this surface has no lowest value to converge to"
        return None

    def prompt(self, optimizers: Sequence[str], lr: float | None, steps: int, tol: float) -> str:
        """The question as the student reads it."""
        if self.kind == "first":
            return f"Which optimizer reaches the minimum first (loss within {tol:g} of the lowest: f − f* < {tol:g})?"
        if self.kind == "lowest":
            return f"Which optimizer has the lowest loss after {steps:,} steps?"
        name = self.subject(optimizers)
        at = f" at learning rate {lr:g}" if lr is not None else ""
        return f"Will {optim.get(name).label}{at} converge or diverge within {steps:,} steps?"

    def options(self, optimizers: Sequence[str], steps: int, tol: float) -> dict[str, str]:
        """Option id -> the text shown."""
        if self.kind == "converge":
            return {
                "converges": f"It converges (ends with f − f* < {tol:g})",
                "diverges": "It diverges",
                "neither": f"Neither: still on its way after {steps:,} steps",
            }
        labels = {name: optim.get(name).label for name in optimizers}
        if self.kind == "first":
            labels[NONE] = f"None of them within {steps:,} steps"
        return labels

    def answer(self, runs: Mapping[str, Run], min_value: float | None, tol: float) -> Answer:
        """The right option(s), computed from ``runs`` (optimizer name -> run, in the order shown)."""
        labels = {name: optim.get(name).label for name in runs}
        steps = max(len(run.loss) - 1 for run in runs.values())
        if self.kind == "first":
            reached = {name: steps_to(run, float(min_value or 0.0), tol) for name, run in runs.items()}
            hits = {n: k for n, k in reached.items() if k is not None}
            details = "; ".join(
                f"{labels[n]}: {f'step {k}' if k is not None else _never(runs[n], steps)}" for n, k in reached.items()
            )
            if not hits:
                return Answer((NONE,), f"None of them gets below {tol:g} within {steps:,} steps ({details}).")
            best = min(hits.values())
            winners = tuple(n for n, k in hits.items() if k == best)
            who = " and ".join(labels[n] for n in winners)
            return Answer(winners, f"{who} {'is' if len(winners) == 1 else 'are'} first, at step {best} ({details}).")
        if self.kind == "lowest":
            gaps = {name: final_gap(run, min_value) for name, run in runs.items()}
            best = min(gaps.values())
            what = "f − f*" if min_value is not None else "f"
            details = "; ".join(f"{labels[n]}: {_gap(g, what)}" for n, g in gaps.items())
            if not math.isfinite(best):
                return Answer(tuple(gaps), f"Every run diverged ({details}).")
            winners = tuple(n for n, g in gaps.items() if g == best)
            who = " and ".join(labels[n] for n in winners)
            return Answer(winners, f"{who} {'ends' if len(winners) == 1 else 'end'} lowest ({details}).")
        name = self.subject(list(runs))
        run = runs[name]
        if run.diverged_at is not None:
            return Answer(("diverges",), f"{labels[name]} diverges: its iterate blows up at step {run.diverged_at}.")
        gap = final_gap(run, min_value)
        if gap < tol:
            text = f"{labels[name]} converges: f − f* = {gap:.3g} < {tol:g} after {steps:,} steps."
            return Answer(("converges",), text)
        touched = steps_to(run, float(min_value or 0.0), tol)
        hover = f" (it got below {tol:g} at step {touched} but did not stay there)" if touched is not None else ""
        text = f"{labels[name]} neither diverges nor converges: f − f* = {gap:.3g} after {steps:,} steps{hover}."
        return Answer(("neither",), text)


def _never(run: Run, steps: int) -> str:
    return f"diverged at step {run.diverged_at}" if run.diverged_at is not None else "never"


def _gap(value: float, what: str) -> str:
    return "diverged" if not math.isfinite(value) else f"{what} = {value:.3g}"
