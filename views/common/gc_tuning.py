"""Garbage collection for one process that serves a whole class.

Python's full (generation-2) collection walks every tracked object in the process: Streamlit's, pandas', the
caches', every session's. With 100 students on one process that took ~0.2 s per collection, every few seconds,
with the GIL held, so every student waited (bench/load/run.py; bench/load/gc_probe.py measures it). What was
alive when the first page run ended (the imported libraries and the app's modules) stays alive for the life of
the process: ``gc.freeze`` moves it out of the collector's reach, so later collections only walk what the
sessions created since. The collector still runs as before; reference counting frees everything else.
"""

from __future__ import annotations

import functools
import gc


@functools.cache  # once per process (a second call would also freeze what the sessions hold by then)
def freeze_startup_objects() -> int:
    """Collect once, then freeze everything still alive; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
