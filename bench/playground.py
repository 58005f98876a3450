"""Benchmark of the Playground page; prints its figures (nothing is asserted).

    python bench/playground.py [--moves 20]

- Warm rerun after a slider move, in Streamlit's AppTest: the Playground (moving RMSProp's lr in its
  open expander, so that optimizer is recomputed and the others come from the cache) beside a bare app that
  draws the same three Plotly charts (bench/apps/bare_charts.py) after a slider move.
  Target: at most 1.5x the bare app. Both reuse their compiled scripts between reruns, as
  `streamlit run` does (AppTest alone would recompile the page on every rerun).
- The chart payload of the default view (what the browser receives for its charts: Plotly JSON and the
  live charts' binary payloads, every stop of the focus sliders included). Target: under 1.5 MB.
- Noise bands: the core work behind a view with gradient noise on (20 seeds x each preset optimizer, one
  batched run each, plus the eps-dominance replay of every path), and that view's payload.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import (  # noqa: E402
    AppTest,
    app_test,
    local_script_runner,
)

import landscapes  # noqa: E402
import optim  # noqa: E402
from analysis.seed_bands import seed_band  # noqa: E402
from optim.denominator import denominator_terms  # noqa: E402
from views.common import live  # noqa: E402
from views.common.controls import options_for  # noqa: E402
from views.common.scenario import Scenario  # noqa: E402
from views.playground import state  # noqa: E402


def keep_compiled_scripts() -> None:
    """Make AppTest reuse compiled page scripts across reruns, as the real server does.

    AppTest builds a fresh ScriptCache for every run, so each rerun recompiles app.py and the page
    (about 50 ms for the Playground's 400 lines, nothing for the tiny bare app); `streamlit run`
    compiles each script once per process. Without this the comparison measures the compiler."""
    shared = ScriptCache()
    local_script_runner.ScriptCache = app_test.ScriptCache = lambda: shared


def chart_payload(at: AppTest) -> list[int]:
    """The bytes of each chart the page sends: Plotly charts' JSON and the live charts' payloads."""
    sizes = [len(chart.proto.spec) for chart in at.get("plotly_chart")]
    return sizes + [
        len(c.proto.bytes) for c in at.get("bidi_component") if c.proto.component_name == live.COMPONENT_NAME
    ]


def timed_move(at: AppTest, widget, value) -> float:
    start = time.perf_counter()
    widget().set_value(value).run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=30)
    args = parser.parse_args()
    keep_compiled_scripts()

    ours = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    payload = chart_payload(ours)
    ours.session_state[state.open_key("rmsprop")] = True  # as a student does before moving its sliders
    ours.run()
    bare = AppTest.from_file(str(ROOT / "bench" / "apps" / "bare_charts.py"), default_timeout=60).run()
    lr_slider = lambda: ours.select_slider(key=state.hp_key("rmsprop", "lr"))  # noqa: E731
    lr_param = next(p for p in optim.get("rmsprop").hyperparams if p.name == "lr")
    lrs = [v for v in options_for(lr_param) if 1e-4 <= v <= 0.2 and v != 0.01][: args.moves]  # new values
    shifts = [round(0.01 * (i + 1), 2) for i in range(len(lrs))]

    # In alternating blocks of ten moves per app: the machine's drift hits both apps alike, and neither
    # pays for the other's cache footprint (moving one app at a time slows the bare app by ~15 %).
    fresh, cached, bare_times = [], [], []
    for block in range(0, len(lrs), 10):
        for lr in lrs[block : block + 10]:
            fresh.append(timed_move(ours, lr_slider, lr))
        for shift in shifts[block : block + 10]:
            bare_times.append(timed_move(bare, lambda: bare.slider[0], shift))
        for lr in lrs[block : block + 10]:
            cached.append(timed_move(ours, lr_slider, lr))
        for shift in shifts[block : block + 10]:
            bare_times.append(timed_move(bare, lambda: bare.slider[0], 1.0 - shift))

    ms = lambda xs: 1e3 * statistics.median(xs)  # noqa: E731
    q1 = lambda xs: 1e3 * statistics.quantiles(xs, n=4)[0]  # noqa: E731  (less sensitive to a noisy neighbour)
    print(f"Warm rerun after a slider move (AppTest, {len(lrs)} moves each, in alternating blocks; ms):")
    print("                                                 median  lower quartile")
    print(f"  Playground, new lr value (RMSProp recomputed) {ms(fresh):7.1f} {q1(fresh):7.1f}")
    print(f"  Playground, lr value seen before (cached)     {ms(cached):7.1f} {q1(cached):7.1f}")
    print(f"  bare app drawing the same 3 Plotly charts      {ms(bare_times):7.1f} {q1(bare_times):7.1f}")
    print(
        f"  ratio (new value / bare)                       {ms(fresh) / ms(bare_times):6.2f}x "
        f"{q1(fresh) / q1(bare_times):6.2f}x  (target <= 1.5x)"
    )
    print(
        f"  ratio (seen value / bare)                      {ms(cached) / ms(bare_times):6.2f}x "
        f"{q1(cached) / q1(bare_times):6.2f}x"
    )
    kb = ", ".join(f"{s / 1e3:.0f} kB" for s in payload)
    print(f"\nChart payload of the default view: {sum(payload) / 1e6:.2f} MB ({kb}; target < 1.5 MB)")
    noise_bands()


def best_of(work, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def noise_bands(seeds: int = 20, noise: float = 0.1) -> None:
    """Core time of the noise bands and the eps-dominance replay (no cache), and the noisy view's payload."""
    print(f"\nNoise bands ({seeds} seeds per optimizer, noise {noise}), core only, best of 5:")
    for surface in ("bowl", "rosenbrock"):
        scenario = Scenario.default(surface)
        land = landscapes.get(surface)

        def bands(scenario=scenario, land=land):
            for name in scenario.optimizers:
                seed_band(name, land, scenario.start, scenario.steps, "pytorch", noise, 0, seeds, scenario.hp(name))

        runs = {
            n: optim.run(n, land, scenario.start, scenario.steps, noise=noise, **scenario.hp(n))
            for n in scenario.optimizers
        }

        def replay(scenario=scenario, land=land, runs=runs):
            for n, t in runs.items():
                denominator_terms(n, land, t.xy, "pytorch", noise, 0, t.diverged_at, **scenario.hp(n))

        label = f"{surface}: {len(scenario.optimizers)} optimizers x {scenario.steps} steps"
        print(f"  {label:<40} bands {1e3 * best_of(bands):6.1f} ms   eps replay {1e3 * best_of(replay):5.1f} ms")
    noisy = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    noisy.query_params["noise"] = str(noise)
    noisy.run()
    sizes = chart_payload(noisy)
    kb = ", ".join(f"{s / 1e3:.0f} kB" for s in sizes)
    print(f"  Chart payload, default view with noise={noise} and bands: {sum(sizes) / 1e6:.2f} MB ({kb})")


if __name__ == "__main__":
    main()
