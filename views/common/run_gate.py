"""One page run at a time in a process: the runs of a class take turns instead of sharing the GIL.

Streamlit runs each session's script in a thread of its own, and one Python process executes one thread at a time
(the GIL). With a class of students the threads of ten runs in progress were handed the GIL back and forth every
few milliseconds: every run took ten times as long, and the switching itself (futex waits, context switches:
18-20 % of the server's CPU in the kernel) cost about a fifth of the server's time. Taking turns, each run
finishes in its own few tens of milliseconds, and under load the process served 20-35 % more interactions per
second with a third of the median wait (bench/load/run.py, 80 students: median 0.5-0.9 s instead of 2.0-2.5 s,
see deploy/README.md).

Runs get their turns in the order they asked for them. A run that has waited ``WAIT`` seconds runs anyway, as
before, so one run that never ends cannot stop the others.
A fragment's own reruns do not pass through the entry script: the Playground's results fragment takes its turn
itself (a turn taken inside a run that holds one is the same turn); class mode's watcher is short and takes none.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator

#: Seconds a run waits for its turn before it runs alongside the one in progress.
WAIT = 10.0


class Turns:
    """A first-come, first-served turn: ``release`` hands the turn to the longest waiter (a plain Lock lets a run
    that just arrived take it before one that has waited, which lengthened the tail under load)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._queue: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait for the turn (at most ``timeout`` seconds); False when it did not come."""
        with self._lock:
            if not self._busy:
                self._busy = True
                return True
            mine = threading.Event()
            self._queue.append(mine)
        if mine.wait(timeout):
            return True
        with self._lock:
            if mine.is_set():  # handed over just as the wait ended
                return True
            self._queue.remove(mine)
            return False

    def release(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # the turn passes on: still busy
            else:
                self._busy = False


_TURNS = Turns()  # process-wide on purpose: the GIL it stands in for is too
_HELD = threading.local()  # the turns this thread holds (a script run is one thread)


@contextlib.contextmanager
def one_at_a_time(wait: float = WAIT, turns: Turns = _TURNS) -> Iterator[bool]:
    """Hold the process's turn while the block runs; yields whether the turn was had (False: waited too long).
    Inside a block that already holds it (the same thread), the turn is simply kept."""
    held: set[int] = _HELD.__dict__.setdefault("turns", set())
    if id(turns) in held:
        yield True
        return
    mine = turns.acquire(wait)
    if mine:
        held.add(id(turns))
    try:
        yield mine
    finally:
        if mine:
            held.discard(id(turns))
            turns.release()
