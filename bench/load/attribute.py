"""Where the server's time goes: a py-spy profile of the Streamlit server, summed into a few named parts.

    py-spy record --pid SERVER_PID --gil --nonblocking -r 250 -f raw -o profile.txt   # while the load runs
    python bench/load/attribute.py profile.txt [--interactions N] [--cpu-ms MS] [--top 15]

``--gil`` samples only the thread that holds the GIL, so the samples are the Python process's CPU
time (native code that releases the GIL, e.g. hashing a large message or writing to a socket, is
missed). Each sample's stack goes to the first part (in ``PARTS`` order) that one of its frames
matches; with ``--interactions`` the parts are also given in milliseconds per interaction. py-spy misses some
samples under load (its "Errors"), and native code that releases the GIL is not sampled: ``--cpu-ms`` (the load
test's "CPU per interaction") shares that measured total out in the parts' proportions instead.
Garbage collection has no frame of its own in py-spy: bench/load/gc_probe.py measures it.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

#: (part, pattern over one frame "function (file:line)"), first match wins, checked from the innermost frame
#: outwards within each rule (rules in this order).
PARTS: tuple[tuple[str, str], ...] = (
    ("knob runs: every stop of every focus knob (optim)", r"\b(_knob_series|stop_paths|knob_series) \("),
    (
        "payload encoding (orjson, base64, live payload bytes)",
        r"orjson|base64|\bb64|\(live_payload\.py|typed_array",
    ),
    (
        "figure building (viz/, live chart specs)",
        r"\(viz/|^(split|version) \(viz/layers|_app_font|_auto_margins|"
        r"knob_header|\(figure\.py|\(contour\.py|\(curves\.py|\(multiples\.py|\(layers\.py|\(style\.py",
    ),
    ("runs and analyses (optim, landscapes, analysis; cached)", r"\(optim/|\(landscapes/|\(analysis/"),
    (
        "message hashing and serialising (ForwardMsg cache)",
        r"populate_hash_if_needed|calc_hash|SerializeToString|"
        r"ByteSize|_serialize_forward_msg|serialize_forward_msg",
    ),
    (
        "Streamlit widgets and elements (in the script)",
        r"^(register_widget|DeltaGenerator\.|SessionState\.|"
        r"WStates\.|_mount_component|compute_and_register_element_id|gather_metrics)",
    ),
    ("page script, the app's own code", r"\(views/|\(app\.py|\(page\.py"),
    (
        "Streamlit script runner (widget state, rerun bookkeeping)",
        r"\(streamlit/runtime/scriptrunner|"
        r"ScriptRunner\.|\(streamlit/runtime/state",
    ),
    (
        "websocket send (starlette, uvicorn, websockets)",
        r"\(starlette/|\(uvicorn/|\(websockets/|"
        r"_SelectorSocketTransport",
    ),
    ("Streamlit session, message queue, event loop", r"\(streamlit/|\(asyncio/|selectors\.py"),
)
OTHER = "other"


def part_of(frames: list[str]) -> str:
    for name, pattern in PARTS:
        rule = re.compile(pattern)
        if any(rule.search(frame) for frame in reversed(frames)):
            return name
    return OTHER


def read(path: Path) -> tuple[collections.Counter, collections.Counter, int]:
    """Samples per part and per innermost frame, and the total, from py-spy's raw (collapsed) output."""
    parts: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        n = int(count)
        total += n
        parts[part_of(frames)] += n
        leaves[frames[-1]] += n
    return parts, leaves, total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("profile", type=Path, help="py-spy record -f raw output")
    p.add_argument("--rate", type=float, default=250, help="the sampling rate given to py-spy (-r), per second")
    p.add_argument("--interactions", type=int, help="interactions during the profile: also ms per interaction")
    p.add_argument("--cpu-ms", type=float, help="the measured CPU per interaction: parts as shares of it")
    p.add_argument("--top", type=int, default=0, help="also list the N innermost frames with the most samples")
    args = p.parse_args(argv)
    parts, leaves, total = read(args.profile)
    if not total:
        print("no samples", file=sys.stderr)
        return 1
    seconds = total / args.rate
    per = f", {seconds / args.interactions * 1000:.1f} ms per interaction" if args.interactions else ""
    print(f"{total} samples with the GIL held = {seconds:.1f} s of CPU{per}")
    if args.cpu_ms:
        print(f"shared out over the measured {args.cpu_ms:.1f} ms of CPU per interaction:")
    for name, n in parts.most_common():
        if args.cpu_ms:
            ms = f"{n / total * args.cpu_ms:6.1f} ms  "
        elif args.interactions:
            ms = f"{n / args.rate / args.interactions * 1000:6.1f} ms  "
        else:
            ms = ""
        print(f"  {100 * n / total:5.1f} %  {ms}{name}")
    for frame, n in leaves.most_common(args.top):
        print(f"    {100 * n / total:5.1f} %  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
