"""``streamlit run`` with the time spent in garbage collection counted (py-spy cannot see it).

    python bench/load/gc_probe.py OUT.json app.py --server.port 8501 ...   # the arguments of `streamlit run`

Installs a ``gc.callbacks`` hook that sums the wall time of every collection per generation (the
collecting thread holds the GIL, so for a busy server this is CPU that nothing else gets), and
rewrites OUT.json every second: ``{"collections": [n0, n1, n2], "seconds": [s0, s1, s2]}``.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
from pathlib import Path


def install(out: Path, every: float = 1.0) -> None:
    counts, seconds = [0, 0, 0], [0.0, 0.0, 0.0]
    started: list[float] = [0.0]

    def hook(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            generation = info["generation"]
            counts[generation] += 1
            seconds[generation] += time.perf_counter() - started[0]

    def dump() -> None:
        while True:
            out.write_text(json.dumps({"collections": counts, "seconds": seconds}))
            time.sleep(every)

    gc.callbacks.append(hook)
    threading.Thread(target=dump, name="gc-probe", daemon=True).start()


def main() -> None:
    out, *args = sys.argv[1:]
    install(Path(out))
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *args]
    cli.main()


if __name__ == "__main__":
    main()
