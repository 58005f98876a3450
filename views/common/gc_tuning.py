"""Garbage collection for one process that serves a whole class.

Python's full (generation-2) collection walks every tracked object in the process: Streamlit's, pandas', the
caches', every session's. With 100 students on one process that took ~0.2 s per collection, every few seconds,
with the GIL held, so every student waited (bench/load/run.py; bench/load/gc_probe.py measures it). What was
alive when the first page run ended (the imported libraries and the app's modules) stays alive for the life of
the process: ``gc.freeze`` moves it out of the collector's reach, so later collections only walk what the
sessions created since. The collector still runs; reference counting frees everything else.

A page run allocates tens of thousands of container objects (widget protos, figure dicts), so with Python's
default threshold (a young collection every 700 allocations, an older one every 10 of those) the collector ran
dozens of times per run. ``YOUNG`` = 7000 makes young collections ten times rarer (each walks more objects, the
same work in all) and the older ones, which walk everything alive, ten times rarer too: under a class of 100,
garbage collection went from 1.1 to 0.7 ms per interaction and the p95 from 1.10 to 0.94-1.01 s; memory over
waves of students stayed level (deploy/README.md).
"""

from __future__ import annotations

import functools
import gc

#: Allocations (net) between two young collections (Python's default: 700); the older generations keep theirs.
YOUNG = 7000


@functools.cache  # once per process (a second call would also freeze what the sessions hold by then)
def freeze_startup_objects() -> int:
    """Collect once, freeze everything still alive and make young collections rarer (``YOUNG``); returns how many
    objects were frozen."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
    return gc.get_freeze_count()
