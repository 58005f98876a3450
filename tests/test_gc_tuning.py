"""The server's garbage collection (views/common/gc_tuning.py), as the first page run leaves it: the libraries
frozen out of the collector's walk and young collections rarer, the older generations' thresholds as before."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.browser.conftest import ROOT
from views.common.gc_tuning import YOUNG


def test_the_first_run_freezes_the_libraries_and_makes_young_collections_rarer():
    # In a fresh interpreter: freezing is once per process, and this test process is not the server.
    code = textwrap.dedent(
        """
        import gc, json
        import streamlit
        from views.common import gc_tuning
        before = gc.get_threshold()
        frozen = gc_tuning.freeze_startup_objects()
        again = gc_tuning.freeze_startup_objects()
        print(json.dumps([before, gc.get_threshold(), frozen, again, gc.isenabled()]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    before, after, frozen, again, enabled = json.loads(done.stdout)
    assert after == [YOUNG, *before[1:]] and before[0] < after[0]
    assert frozen > 10_000 and again == frozen and enabled  # the libraries frozen, once; the collector still on
