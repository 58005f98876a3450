"""Load test of the Playground: N students on one shared link, all moving sliders at once.

    python bench/load/run.py --sessions 30 --interactions 20 [--url http://127.0.0.1:8501 | --start-server]
    python bench/load/run.py --smoke --start-server          # a few sessions, a few interactions (CI)

Each session is a real client of the running server, speaking Streamlit's websocket protocol
(bench/load/client.py) the way a browser tab does. A session opens the teacher's link (``--link``),
then does ``--interactions`` interactions, each after a random think time (``--think``):

- drag one of the focus optimizer's live sliders beside the map (lr, rho, eps, ...) by 1 to 3 stops
  and let go: while it is dragged the browser switches between runs it already has and sends nothing;
  the release sends ONE trigger value to the chart component, exactly as views/common/live_charts.js
  does (``setTriggerValue("release", {name, value, index})``, a JSON trigger under the component's id), as a
  rerun of the fragment the component is drawn in (the Playground's results), as the browser does;
- move the Steps slider by 1 to 3 stops (with ``--jumps``, sliders go to any stop, e.g. straight to
  10 000 steps, the worst case);
- add or remove an optimizer (the pills); pick another optimizer in focus; "Got it" on the first
  screen's card; rarely, an lr slider in the sidebar (after opening its expander);
- type a new noise seed (the number input);
- open a different link (a rerun with a new query string: another surface, optimizers, steps).

The first interaction of every session sets its own seed (``1000*k + session number``), so every
session carries a value that no other session ever sends. Latency = from sending the rerun to
receiving ``script_finished``.

Server CPU: the CPU clock of the server process(es) (all threads; /proc/<pid>/stat where the clock
cannot be read) over the test, divided by the interactions: "CPU per interaction" (page opens and
reconnects count in the CPU, not in the interactions; "per run" counts them). ``--cost N`` first
runs N interactions of one student alone and reads the clock around each one: the median CPU per
interaction and per kind. ``--start-server --server-cpus 0`` pins the server to one core (as
``taskset -c 0``); ``--gc`` runs it under bench/load/gc_probe.py and reports its garbage collection.

With ``--reconnect`` (on in ``--smoke``), once per session, at a random interaction, the session
drops its websocket and reconnects asking for its old session (a Wi-Fi blip): the server (behind
nginx: the same replica, thanks to the sticky cookie) must resume that very session, with its state.
Streamlit 1.67 sometimes loses the first run after a resume (its message flush loop still holds
the old connection): such runs are counted as "lost reruns" and retried once, as a user would.

Isolation: after every run, the session checks that the state the server reports for it (the
share link in the sidebar and the URL the page wrote) holds exactly the values this session set
(its seed, steps, learning rates, optimizers, surface), never another session's. With
``--roundtrip`` (on in ``--smoke``) every session's final URL is opened in a fresh session, which
must come back with the same state.

Server memory: VmRSS of the server process(es) is sampled every 0.2 s (``--server-pid``, or the
process listening on ``--server-port``, by default the port of ``--url``); peak and end are
reported, and with ``--waves W`` the whole test runs W times with fresh sessions, printing the
RSS after each wave (students coming and going: memory must stay flat).

Class mode (``--poll``; ``--poll-only`` skips the slider test): after the slider test, a host starts a
class poll from the teacher-link builder and ``--sessions`` students open the class link, vote, and
poll for the reveal through the page's watcher fragment, as browsers do (bench/load/poll.py). The
class waits ``--poll-wait`` seconds with every student polling, then the host reveals. Reported: vote
and tick latencies, the server CPU per polling tick, how fast the reveal reached the students, and
whether the host's counts and every student's distribution equal the votes cast (against nginx and
several replicas sharing one PostgreSQL: whichever replica answered).

Exit status 1 when there were errors or isolation violations (or p95 above ``--p95-target``), or when
a poll's counts disagreed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import optim  # noqa: E402
from bench.load import poll  # noqa: E402
from bench.load.client import ProtocolError, RunResult, Session, live_header  # noqa: E402
from views.common import presets  # noqa: E402
from views.common.scenario import default_focus  # noqa: E402

DEFAULT_LINK = "surface=rosenbrock&opt=sgd,rmsprop,adam&steps=300"
LINK_SURFACES = ("rosenbrock", "bowl", "saddle", "beale", "himmelblau")
LINK_STEPS = (50, 100, 150, 200, 300, 500, 1000)
#: (kind, weight): a live-slider drag most often, then steps, the optimizer pills, links, a seed, the focus
#: optimizer, "Got it" on the first screen's card (while it is shown) and, rarely, an lr slider in the sidebar
#: (first opening its expander).
ACTIONS = (
    ("drag", 3),
    ("steps", 2),
    ("optimizer", 1.5),
    ("link", 1.5),
    ("seed", 1),
    ("focus", 0.5),
    ("dismiss", 0.5),
    ("lr", 0.5),
)
KNOBS = "pg.knobs"  # the live sliders of the optimizer in focus, beside the contour (views/playground/charts.py)
FOCUS = "pg.focus"  # the segmented control that picks the optimizer in focus
DISMISS = "pg.start.dismiss"  # "Got it" on the first screen's card (views/playground/notes.py)
DRAG = 3  # a slider move goes 1 to DRAG stops left or right of the current value (unless --jumps)
LONG_RUN = 1000  # the figures are also split at this many steps (longer runs cost more)
SEED_STRIDE = 1000  # seeds are k * SEED_STRIDE + session number: the owner is seed % SEED_STRIDE
SETTLE = 0.1  # --cost: seconds after a run's end before the server's CPU clock is read again
LABELS = {name: optim.get(name).label for name in optim.names()}


@dataclass
class Config:
    url: str = "http://127.0.0.1:8501"
    sessions: int = 30
    interactions: int = 20
    think: tuple[float, float] = (1.0, 3.0)
    link: str = DEFAULT_LINK
    seed: int = 0
    timeout: float = 60.0
    ramp: float = 0.0  # seconds over which the sessions open (0: all at once)
    roundtrip: bool = False
    server_pids: tuple[int, ...] = ()
    first_session: int = 1  # session numbers (for --waves)
    reconnect: bool = False  # drop and resume the connection once, at a random interaction
    resume_timeout: float | None = None  # after a reconnect, a run with no message by then is lost (None: timeout)
    jumps: bool = False  # slider moves to any stop (worst case: steps up to 10 000) instead of dragging
    gc_file: Path | None = None  # where bench/load/gc_probe.py writes the server's GC time (--gc)


@dataclass
class SessionStats:
    number: int
    open_latency: float | None = None
    latencies: list[tuple[str, float, int]] = field(default_factory=list)  # (action, seconds, steps shown after)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    final_query: str | None = None
    roundtrip_ok: bool | None = None
    resumed: bool | None = None  # after the mid-session reconnect, did the server resume the same session?
    resume_latency: float | None = None  # from dropping the connection to the end of the first run after it
    lost_after_reconnect: bool = False  # the first run after the reconnect never arrived (Streamlit race)
    upstreams: list[str] = field(default_factory=list)  # X-Upstream of the page, websocket, reconnect (nginx)
    bytes: int = 0
    costs: list[tuple[str, float, int]] = field(default_factory=list)  # (action, server CPU s, bytes) (--cost)


@dataclass
class Report:
    config: dict
    sessions: list[SessionStats]
    wall: float
    rss_start: int | None
    rss_peak: int | None
    rss_end: int | None
    server_cpu: float | None  # CPU seconds used by the server process(es) during the run
    client_cpu: float  # CPU seconds used by this load generator
    server_system: float | None = None  # CPU seconds of the server process(es) in the kernel (in server_cpu)
    server_gc: float | None = None  # seconds the server spent in garbage collection (--gc)

    @property
    def latencies(self) -> list[float]:
        return [t for s in self.sessions for _, t, _ in s.latencies]

    @property
    def errors(self) -> list[str]:
        return [f"session {s.number}: {e}" for s in self.sessions for e in s.errors]

    @property
    def violations(self) -> list[str]:
        return [f"session {s.number}: {v}" for s in self.sessions for v in s.violations]

    def summary(self) -> dict:
        lat, opens = self.latencies, [s.open_latency for s in self.sessions if s.open_latency is not None]
        by_kind: dict[str, list[float]] = {}
        short = [t for s in self.sessions for _, t, steps in s.latencies if steps <= LONG_RUN]
        long = [t for s in self.sessions for _, t, steps in s.latencies if steps > LONG_RUN]
        for s in self.sessions:
            for kind, t, _ in s.latencies:
                by_kind.setdefault(kind, []).append(t)
        roundtrips = [s.roundtrip_ok for s in self.sessions if s.roundtrip_ok is not None]
        resumed = [s.resumed for s in self.sessions if s.resumed is not None]
        resumes = [s.resume_latency for s in self.sessions if s.resume_latency is not None]
        routed = [s for s in self.sessions if s.upstreams]
        replicas: dict[str, int] = {}
        for s in routed:
            replicas[s.upstreams[-1]] = replicas.get(s.upstreams[-1], 0) + 1
        return {
            "sessions": len(self.sessions),
            "interactions": len(lat),
            "median_s": _median(lat),
            "p95_s": _quantile(lat, 0.95),
            "max_s": max(lat, default=None),
            "open_median_s": _median(opens),
            "open_p95_s": _quantile(opens, 0.95),
            "by_kind_median_s": {k: _median(v) for k, v in sorted(by_kind.items())},
            "short_runs": len(short),
            "short_p95_s": _quantile(short, 0.95),
            "long_runs": len(long),
            "long_p95_s": _quantile(long, 0.95),
            "errors": len(self.errors),
            "isolation_violations": len(self.violations),
            "roundtrip": f"{sum(roundtrips)}/{len(roundtrips)}" if roundtrips else None,
            "resumed": f"{sum(resumed)}/{len(resumed)}" if resumed else None,
            "lost_after_reconnect": sum(s.lost_after_reconnect for s in self.sessions),
            "resume_median_s": _median(resumes),
            "resume_max_s": max(resumes, default=None),
            "sticky": f"{sum(len(set(s.upstreams)) == 1 for s in routed)}/{len(routed)}" if routed else None,
            "sessions_per_replica": dict(sorted(replicas.items())),
            "throughput_per_s": len(lat) / self.wall if self.wall else None,
            "wall_s": self.wall,
            "rss_start_mb": _mb(self.rss_start),
            "rss_peak_mb": _mb(self.rss_peak),
            "rss_end_mb": _mb(self.rss_end),
            "server_cpu_cores": self.server_cpu / self.wall if self.server_cpu is not None else None,
            "server_cpu_ms_per_interaction": _per(self.server_cpu, len(lat)),
            "server_cpu_ms_per_run": _per(self.server_cpu, len(lat) + len(opens) + len(resumes)),
            "server_system_share": self.server_system / self.server_cpu
            if self.server_cpu and self.server_system is not None
            else None,
            "server_gc_ms_per_interaction": _per(self.server_gc, len(lat)),
            "client_cpu_cores": self.client_cpu / self.wall,
            "mb_received": sum(s.bytes for s in self.sessions) / 1e6,
        }


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _quantile(xs: list[float], q: float) -> float | None:
    """Nearest-rank quantile (p95 of 600 samples is the 570th smallest)."""
    if not xs:
        return None
    ordered = sorted(xs)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))]


def _sum(values: list[float | None]) -> float | None:
    return sum(values) if values and None not in values else None


def _per(cpu: float | None, count: int) -> float | None:
    """Milliseconds of CPU per item."""
    return None if cpu is None or not count else cpu / count * 1000


def _mb(n: int | None) -> float | None:
    return None if n is None else n / 2**20


# ---------------------------------------------------------------- server process: memory and CPU


def pids_listening_on(port: int) -> list[int]:
    """Processes with a listening TCP socket on ``port`` (Linux /proc; empty when not visible)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                    inodes.add(parts[9])
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        pids.append(int(pid))
                        break
    return pids


def rss_bytes(pid: int) -> int | None:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return None


def system_seconds(pid: int) -> float | None:
    """CPU seconds process ``pid`` spent in the kernel (stime: sockets, futexes, page faults), in 10 ms ticks."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[12]) / os.sysconf("SC_CLK_TCK")
    return None


def gc_seconds(path: Path | None) -> float | None:
    """Seconds of garbage collection so far, as bench/load/gc_probe.py last wrote them (None: no probe)."""
    if path is None:
        return None
    with contextlib.suppress(OSError, ValueError, KeyError):
        return float(sum(json.loads(path.read_text())["seconds"]))
    return None


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds used by process ``pid`` so far (all its threads, dead ones included): the process's CPU
    clock (nanoseconds; Linux lets clock_gettime read another process's), else /proc/<pid>/stat (10 ms ticks)."""
    with contextlib.suppress(OSError, OverflowError, AttributeError):
        return time.clock_gettime((~pid << 3) | 2)  # CPUCLOCK_SCHED of the whole process (clock_getcpuclockid)
    with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return None


class RssSampler:
    def __init__(self, pids: tuple[int, ...], interval: float = 0.2):
        self.pids, self.interval = pids, interval
        self.samples: list[int] = []

    def sample(self) -> int | None:
        values = [rss_bytes(p) for p in self.pids]
        if not self.pids or any(v is None for v in values):
            return None
        total = sum(values)
        self.samples.append(total)
        return total

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    @property
    def peak(self) -> int | None:
        return max(self.samples, default=None)


# ---------------------------------------------------------------- one student


def link_value(surface: str | None, optimizer: str, name: str, value: float) -> float | None:
    """What the link holds for a hyperparameter set to ``value``: None where the link leaves it out (a value
    that equals both the surface's preset and the optimizer's documented default, as Scenario.to_query does)."""
    preset = presets.default_hp(surface or "rosenbrock", optimizer).get(name)
    default = next((p.default for p in optim.get(optimizer).hyperparams if p.name == name), None)
    return None if name != "lr" and float(value) == preset == default else float(value)


def _query_dict(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


def _same(expected: object, actual: str | None) -> bool:
    if expected is None:  # a parameter the link leaves out (its default)
        return actual is None
    if actual is None:
        return False
    if isinstance(expected, frozenset):
        return expected == frozenset(filter(None, actual.split(",")))
    if isinstance(expected, float):
        try:
            return float(actual) == expected
        except ValueError:
            return False
    return str(expected) == actual


def share_query(result: RunResult) -> str | None:
    """The query string of the share link the page shows in its sidebar (None: not found)."""
    for text in result.texts:
        if "?" in text and "surface=" in text and "\n" not in text.strip():
            return text.strip().split("?", 1)[1]
    return None


def load_page(url: str, timeout: float) -> tuple[dict[str, str], str | None]:
    """Load the page like a browser (GET /?query): the cookies it sets (e.g. nginx's sticky route) and
    the X-Upstream header (the replica that answered, when behind deploy/nginx.conf)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            cookies[name.strip()] = value.strip()
        return cookies, response.headers.get("X-Upstream")


class Student:
    """One session: opens the link, does its interactions, checks it only ever sees its own state."""

    def __init__(self, number: int, cfg: Config):
        self.number, self.cfg = number, cfg
        self.rng = random.Random(cfg.seed * 100_003 + number)
        self.stats = SessionStats(number)
        self.expected: dict[str, object] = {}
        self.state: dict[str, str] = {}  # the server's view of this session (its query parameters)
        self.seeds_sent = 0
        self.session: Session | None = None
        self.target = ""  # the optimizer whose lr the next "lr" (or "open") interaction moves
        self.phase = "page load"  # what the session is doing (for error messages)
        self.blip_at = self.rng.randrange(1, cfg.interactions) if cfg.interactions > 1 else 0  # reconnect here
        self.cpu: Callable[[], float] | None = None  # the server's CPU clock, to cost each interaction (--cost)

    def next_seed(self) -> int:
        self.seeds_sent += 1
        return self.seeds_sent * SEED_STRIDE + self.number

    # -------------------------------------------------------------- checks

    def check(self, result: RunResult, what: str) -> None:
        if result.exceptions:
            self.stats.errors.append(f"{what}: exception on the page: {result.exceptions[0]}")
        if not result.ok and not result.exceptions:
            self.stats.errors.append(f"{what}: script finished with status {result.status}")
        shown = share_query(result)
        url = result.query_string
        if shown is None and url is None:
            if not result.partial:  # a fragment's run that changed nothing it shows leaves the URL as it was
                self.stats.errors.append(f"{what}: the run reported no state (no share link, no URL change)")
                return
            url = urllib.parse.urlencode(self.state, safe=",")
        if shown is not None and url is not None and _query_dict(shown) != _query_dict(url):
            self.stats.violations.append(f"{what}: the share link and the URL disagree: {shown!r} vs {url!r}")
        self.state = _query_dict(shown if shown is not None else url)
        for key, value in self.expected.items():
            actual = self.state.get(key)
            if not _same(value, actual):
                owner = ""
                if key == "seed" and actual is not None and actual.isdigit():
                    owner = f" (a seed of session {int(actual) % SEED_STRIDE})"
                self.stats.violations.append(f"{what}: {key} = {actual!r}{owner}, expected {value!r}")

    # -------------------------------------------------------------- actions

    def shown_optimizers(self) -> list[str]:
        return [n for n in optim.names() if n in self.state.get("opt", "").split(",")]

    def focused(self) -> str | None:
        """The optimizer in focus as this student set it (the default one unless it picked another)."""
        shown = [n for n in self.state.get("opt", "").split(",") if n]
        return self.state.get("focus") if self.state.get("focus") in shown else default_focus(shown)

    def live_knobs(self) -> list[dict]:
        """The focus optimizer's live sliders that can be dragged (none: no focus shown)."""
        if KNOBS not in self.session.widgets:
            return []
        knobs = live_header(self.session.widget(KNOBS)).get("knobs") or {}
        return [k for k in knobs.get("items", []) if not k["disabled"] and len(k["stops"]) > 1]

    def choose(self) -> str:
        if self.seeds_sent == 0:
            return "seed"
        kinds, weights = zip(*ACTIONS, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        if kind == "drag" and not self.live_knobs():
            kind = "steps"
        if kind == "focus" and (FOCUS not in self.session.widgets or len(self.shown_optimizers()) < 2):
            kind = "seed"
        if kind == "dismiss" and DISMISS not in self.session.widgets:
            kind = "optimizer"
        if kind == "lr":
            self.target = self.rng.choice(self.shown_optimizers())
            if not self.session.widget(f"pg.open.{self.target}").proto.expanded:
                return "open"  # its sliders are drawn only in its open expander: a student clicks it first
        return kind

    def _other_stop(self, count: int, at: int) -> int:
        """Where a drag of a slider with ``count`` stops, now at ``at``, ends: 1-3 stops either way (or
        with --jumps, any other stop)."""
        if self.cfg.jumps:
            return self.rng.choice([i for i in range(count) if i != at])
        return self.rng.choice([i for i in range(at - DRAG, at + DRAG + 1) if i != at and 0 <= i < count])

    def _other_option(self, key: str, current: str | None) -> str:
        """Another stop of a select_slider: a drag of 1-3 stops either way, or (--jumps) any stop."""
        options = self.session.widget(key).options
        at = next((i for i, o in enumerate(options) if current is not None and _same(float(o), current)), None)
        if self.cfg.jumps or at is None:
            return self.rng.choice([o for i, o in enumerate(options) if i != at])
        return options[self._other_stop(len(options), at)]

    async def in_place(self, key: str, state) -> RunResult:
        """Send a change of widget ``key`` as the browser does: with the fragment it is drawn in (the Playground's
        results, the sidebar's optimizer expanders), if any, which the server reruns alone; the server may rerun
        other fragments or the whole page instead (a widget's callback, ``st.rerun``): this waits for that run."""
        fragment = self.session.widget(key).fragment_id or None
        return await self.session.run(widgets=[state], fragment_id=fragment, auto=False, through_rerun=True)

    async def interact(self, kind: str) -> RunResult:
        s, rng = self.session, self.rng
        if kind == "drag":
            # A live slider: while it is dragged the browser switches between precomputed runs and sends
            # nothing; the release sends one trigger, as live_charts.js does: setTriggerValue("release", ...).
            knob = rng.choice(self.live_knobs())
            index = self._other_stop(len(knob["stops"]), knob["index"])
            value = knob["stops"][index]
            name = self.focused()
            self.expected[f"{name}.{knob['name']}"] = link_value(self.state.get("surface"), name, knob["name"], value)
            release = {"name": knob["name"], "value": value, "index": index}
            return await self.in_place(KNOBS, s.set_trigger(KNOBS, "release", release))
        if kind == "dismiss":
            return await self.in_place(DISMISS, s.set_button(DISMISS))
        if kind == "focus":
            shown = self.shown_optimizers()
            name = rng.choice([n for n in shown if n != self.focused()])
            self.expected["focus"] = None if name == default_focus(shown) else name  # None: not in the link
            return await self.in_place(FOCUS, s.set_pills(FOCUS, [LABELS[name]]))
        if kind == "steps":
            option = self._other_option("pg.steps", self.state.get("steps"))
            self.expected["steps"] = float(option)
            return await self.in_place("pg.steps", s.set_select_slider("pg.steps", option))
        if kind == "open":
            key = f"pg.open.{self.target}"
            return await self.in_place(key, s.set_expander(key, True))
        if kind == "lr":
            name = self.target
            option = self._other_option(f"pg.hp.{name}.lr", self.state.get(f"{name}.lr"))
            self.expected[f"{name}.lr"] = float(option)
            return await self.in_place(f"pg.hp.{name}.lr", s.set_select_slider(f"pg.hp.{name}.lr", option))
        if kind == "optimizer":
            shown = self.shown_optimizers()
            if len(shown) > 1 and (len(shown) == len(LABELS) or rng.random() < 0.5):
                changed = rng.choice(shown)
                chosen = [n for n in shown if n != changed]
            else:
                changed = rng.choice([n for n in LABELS if n not in shown])
                chosen = [n for n in optim.names() if n in [*shown, changed]]
            self.expected = {k: v for k, v in self.expected.items() if not k.startswith(f"{changed}.") and k != "focus"}
            self.expected["opt"] = frozenset(chosen)
            return await self.in_place("pg.optimizers", s.set_pills("pg.optimizers", [LABELS[n] for n in chosen]))
        if kind == "seed":
            seed = self.next_seed()
            self.expected["seed"] = float(seed)
            return await self.in_place("pg.seed", s.set_number("pg.seed", seed))
        if kind == "link":
            surface = rng.choice(LINK_SURFACES)
            chosen = sorted(rng.sample(list(LABELS), rng.randint(1, 4)), key=optim.names().index)
            steps, seed = rng.choice(LINK_STEPS), self.next_seed()
            query = urllib.parse.urlencode(
                {"surface": surface, "opt": ",".join(chosen), "steps": steps, "seed": seed}, safe=","
            )
            self.expected = {
                "surface": surface,
                "opt": frozenset(chosen),
                "steps": float(steps),
                "seed": float(seed),
            }
            return await s.run(query_string=query)
        raise ValueError(kind)

    # -------------------------------------------------------------- the session

    async def run(self, start_delay: float = 0.0) -> SessionStats:
        cfg = self.cfg
        await asyncio.sleep(start_delay)
        try:
            page = f"{cfg.url.rstrip('/')}/?{cfg.link}"
            cookies, upstream = await asyncio.to_thread(load_page, page, cfg.timeout)
            origin = urllib.parse.urlsplit(cfg.url)
            self.session = Session(
                cfg.url,
                cfg.link,
                cookies=cookies,
                headers={"Origin": f"{origin.scheme}://{origin.netloc}"},
                timeout=cfg.timeout,
            )
            self.phase = "connect"
            await self.session.connect()
            self.phase = "open"
            self.stats.upstreams += [u for u in (upstream, self.session.upstream) if u]
            self.expected = {k: _expected_value(k, v) for k, v in _query_dict(cfg.link).items()}
            result = await self.session.run()
            self.stats.open_latency = result.latency
            self.stats.bytes += result.bytes
            self.check(result, "open")
            for i in range(cfg.interactions):
                await asyncio.sleep(self.rng.uniform(*cfg.think))
                if cfg.reconnect and i == self.blip_at:
                    await self.blip()
                kind = self.choose()
                self.phase = f"interaction {i + 1} ({kind})"
                before = self.cpu() if self.cpu is not None else None
                result = await self.interact(kind)
                if before is not None:
                    await asyncio.sleep(SETTLE)  # whatever the server still does for this run
                    self.stats.costs.append((kind, self.cpu() - before, result.bytes))
                self.stats.bytes += result.bytes
                self.check(result, f"interaction {i + 1} ({kind})")
                self.stats.latencies.append((kind, result.latency, int(float(self.state.get("steps", "0")))))
            self.stats.final_query = self.session.query_string
        except (ProtocolError, OSError, ValueError, KeyError, IndexError) as error:
            sid = self.session.session_id if self.session is not None else None
            self.stats.errors.append(f"{self.phase}: {type(error).__name__}: {error} (server session {sid})")
        finally:
            if self.session is not None:
                await self.session.close()
        return self.stats

    async def blip(self) -> None:
        """Lose the connection and reconnect (Wi-Fi blip): the server must resume this very session."""
        old_id = self.session.session_id
        self.phase = "reconnect"
        started = time.perf_counter()
        await self.session.reconnect()
        self.phase = "first run after reconnect"
        if self.session.upstream:
            self.stats.upstreams.append(self.session.upstream)
        try:
            # the frontend reruns with its URL and widget values
            result = await self.session.run(first_message_timeout=self.cfg.resume_timeout)
        except ProtocolError as error:
            if error.messages != 0:
                raise
            # Streamlit 1.67 race: when the reconnect lands while the runtime is flushing message
            # queues, that flush cycle still holds the old connection and sends the resumed
            # session's messages to it, where they are lost (see README, "Deploying"). A user
            # sees a stale page and moves a slider again: so do we, once.
            self.stats.lost_after_reconnect = True
            self.phase = "rerun after a run lost on reconnect"
            result = await self.session.run()
        self.stats.resume_latency = time.perf_counter() - started
        self.stats.bytes += result.bytes
        self.stats.resumed = self.session.session_id == old_id
        if not self.stats.resumed:
            self.stats.errors.append(f"reconnect: a new session {self.session.session_id} instead of {old_id}")
        self.check(result, "after reconnect")

    async def roundtrip(self) -> None:
        """Open this session's final URL in a fresh session: the same state must come back."""
        if self.stats.final_query is None:
            return
        try:
            async with Session(self.cfg.url, self.stats.final_query, timeout=self.cfg.timeout) as fresh:
                result = await fresh.run()
            shown = share_query(result)
            self.stats.roundtrip_ok = (
                result.ok
                and shown is not None
                and _query_dict(shown) == _query_dict(self.stats.final_query)
                and (result.query_string is None or _query_dict(result.query_string) == _query_dict(shown))
            )
            if not self.stats.roundtrip_ok:
                self.stats.violations.append(f"round trip: {self.stats.final_query!r} came back as {shown!r}")
        except (ProtocolError, OSError) as error:
            self.stats.errors.append(f"round trip: {type(error).__name__}: {error}")


def _expected_value(key: str, value: str) -> object:
    if key == "opt":
        return frozenset(value.split(","))
    try:
        return float(value)
    except ValueError:
        return value


# ---------------------------------------------------------------- the whole test


async def load_test(cfg: Config) -> Report:
    """Run ``cfg.sessions`` students concurrently against ``cfg.url`` and collect their figures."""
    sampler = RssSampler(cfg.server_pids)
    rss_start = sampler.sample()
    gc_start = gc_seconds(cfg.gc_file)
    cpu_start = [cpu_seconds(p) for p in cfg.server_pids]
    system_start = _sum([system_seconds(p) for p in cfg.server_pids])
    own_start = resource.getrusage(resource.RUSAGE_SELF)
    sampling = asyncio.create_task(sampler.run())
    started = time.perf_counter()
    students = [Student(cfg.first_session + i, cfg) for i in range(cfg.sessions)]
    delays = [cfg.ramp * i / max(1, cfg.sessions) for i in range(cfg.sessions)]
    await asyncio.gather(*(st.run(d) for st, d in zip(students, delays, strict=True)))
    wall = time.perf_counter() - started
    if cfg.roundtrip:
        await asyncio.gather(*(st.roundtrip() for st in students))
    sampling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sampling
    rss_end = sampler.sample()
    if cfg.gc_file is not None:
        await asyncio.sleep(1.2)  # the probe rewrites its file every second
    gc_end = gc_seconds(cfg.gc_file)
    cpu_end = [cpu_seconds(p) for p in cfg.server_pids]
    own_end = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = None
    system = _sum([system_seconds(p) for p in cfg.server_pids])
    if system is not None and system_start is not None:
        system -= system_start
    if cfg.server_pids and None not in cpu_start and None not in cpu_end:
        server_cpu = sum(cpu_end) - sum(cpu_start)
    client_cpu = (own_end.ru_utime + own_end.ru_stime) - (own_start.ru_utime + own_start.ru_stime)
    return Report(
        config={k: v for k, v in asdict(cfg).items() if k not in {"server_pids", "gc_file"}},
        sessions=[st.stats for st in students],
        wall=wall,
        rss_start=rss_start,
        rss_peak=sampler.peak,
        rss_end=rss_end,
        server_cpu=server_cpu,
        server_system=system if server_cpu is not None else None,
        server_gc=None if gc_start is None or gc_end is None else gc_end - gc_start,
        client_cpu=client_cpu,
    )


async def cost_test(cfg: Config, interactions: int, cpu: Callable[[], float]) -> SessionStats:
    """One student alone, ``interactions`` interactions one after another: the server's CPU for each one
    (its CPU clock before the interaction and SETTLE seconds after the run ended; nothing else runs)."""
    alone = Config(**{**asdict(cfg), "interactions": interactions, "think": (0.05, 0.1), "reconnect": False})
    student = Student(SEED_STRIDE - 1, alone)  # a session number no load-test session has
    student.cpu = cpu
    return await student.run()


def cost_summary(stats: SessionStats) -> dict:
    ms = [c * 1000 for _, c, _ in stats.costs]
    by_kind: dict[str, list[float]] = {}
    for kind, c, _ in stats.costs:
        by_kind.setdefault(kind, []).append(c * 1000)
    return {
        "interactions": len(ms),
        "median_ms": _median(ms),
        "p95_ms": _quantile(ms, 0.95),
        "mean_ms": statistics.fmean(ms) if ms else None,
        "by_kind_median_ms": {k: _median(v) for k, v in sorted(by_kind.items())},
        "mb_per_interaction": sum(b for *_, b in stats.costs) / len(ms) / 1e6 if ms else None,
        "errors": len(stats.errors) + len(stats.violations),
    }


def print_cost(stats: SessionStats) -> None:
    s = cost_summary(stats)

    def f(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1f} ms"

    print(
        f"CPU per interaction, one student alone ({s['interactions']} interactions): median {f(s['median_ms'])}, "
        f"p95 {f(s['p95_ms'])}, mean {f(s['mean_ms'])}; {s['mb_per_interaction'] or 0:.2f} MB sent per interaction"
    )
    print("  median by kind  " + ", ".join(f"{k} {f(v)}" for k, v in s["by_kind_median_ms"].items()))
    for line in (stats.errors + stats.violations)[:5]:
        print(f"    ! {line}")


def print_report(report: Report, label: str = "") -> None:
    s = report.summary()
    cfg = report.config

    def f(x: float | None, unit: str = " s", fmt: str = ".3f") -> str:
        return "n/a" if x is None else f"{x:{fmt}}{unit}"

    print(
        f"{label}{s['sessions']} sessions x {cfg['interactions']} interactions against {cfg['url']} "
        f"(think {cfg['think'][0]:g}-{cfg['think'][1]:g} s, link ?{cfg['link']})"
    )
    print(
        f"  interactions    {s['interactions']}: median {f(s['median_s'])}, p95 {f(s['p95_s'])}, "
        f"max {f(s['max_s'])}; {f(s['throughput_per_s'], '/s', '.1f')} over {f(s['wall_s'], ' s', '.1f')}"
    )
    kinds = ", ".join(f"{k} {f(v)}" for k, v in s["by_kind_median_s"].items())
    print(f"  median by kind  {kinds}")
    print(
        f"  p95 by length   {s['short_runs']} runs of <= {LONG_RUN} steps: {f(s['short_p95_s'])}; "
        f"{s['long_runs']} longer: {f(s['long_p95_s'])}"
    )
    print(f"  page open       median {f(s['open_median_s'])}, p95 {f(s['open_p95_s'])} (first run of each session)")
    print(f"  errors          {s['errors']}")
    print(
        f"  isolation       {s['isolation_violations']} violations "
        + ("(every run showed its own session's settings)" if not s["isolation_violations"] else "")
    )
    if s["resumed"] is not None:
        print(
            f"  reconnect       {s['resumed']} sessions resumed on the server after a dropped connection "
            f"(reconnect + rerun: median {f(s['resume_median_s'])}, max {f(s['resume_max_s'])})"
        )
        if s["lost_after_reconnect"]:
            print(
                f"  ! lost reruns   {s['lost_after_reconnect']} sessions never got the first run after their "
                "reconnect (Streamlit flush race) and had to rerun once more"
            )
    if s["sticky"] is not None:
        per = ", ".join(f"{k}: {v}" for k, v in s["sessions_per_replica"].items())
        print(f"  sticky          {s['sticky']} sessions kept one replica for page, websocket, reconnect ({per})")
    if s["roundtrip"] is not None:
        print(f"  round trip      {s['roundtrip']} sessions got their state back from their final URL")
    print(
        f"  server RSS      start {f(s['rss_start_mb'], ' MB', '.0f')}, peak {f(s['rss_peak_mb'], ' MB', '.0f')}, "
        f"end {f(s['rss_end_mb'], ' MB', '.0f')}"
    )
    print(
        f"  CPU             server {f(s['server_cpu_cores'], ' cores', '.2f')}, "
        f"load generator {f(s['client_cpu_cores'], ' cores', '.2f')} (averages over the run); "
        f"{s['mb_received']:.0f} MB received"
    )
    print(
        f"  server CPU      {f(s['server_cpu_ms_per_interaction'], ' ms', '.1f')} per interaction "
        f"(server CPU-seconds / interactions; {f(s['server_cpu_ms_per_run'], ' ms', '.1f')} per run, "
        "counting page opens and reconnects as runs"
        + (f"; {s['server_system_share']:.0%} of it in the kernel" if s["server_system_share"] is not None else "")
        + (
            f"; {s['server_gc_ms_per_interaction']:.1f} ms of it garbage collection)"
            if s["server_gc_ms_per_interaction"] is not None
            else ")"
        )
    )
    for line in (report.errors + report.violations)[:10]:
        print(f"    ! {line}")


# ---------------------------------------------------------------- a server of our own (--start-server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    extra: list[str] | None = None,
    timeout: float = 60.0,
    app: str = "app.py",
    cpus: set[int] | None = None,
    gc_file: Path | None = None,
) -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` (or ``app``) on a free loopback port; yields (url, pid) once healthy. ``cpus``:
    pin the server to these cores (as ``taskset``); ``gc_file``: run it under bench/load/gc_probe.py, which
    writes its garbage-collection time there."""
    port = _free_port()
    launcher = [sys.executable, "-m", "streamlit", "run"]
    if gc_file is not None:
        launcher = [sys.executable, str(ROOT / "bench" / "load" / "gc_probe.py"), str(gc_file)]
    proc = subprocess.Popen(
        [
            *launcher, app,
            "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *(extra or []),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not become healthy in time") from None
                time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# ---------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=30, help="concurrent sessions (default 30)")
    p.add_argument("--interactions", type=int, default=20, help="interactions per session (default 20)")
    p.add_argument("--url", default="http://127.0.0.1:8501", help="the app (or the load balancer in front of it)")
    p.add_argument("--start-server", action="store_true", help="start `streamlit run app.py` on a free port")
    p.add_argument(
        "--server-args", default="", help="extra options for --start-server, e.g. '--runner.postScriptGC false'"
    )
    p.add_argument("--server-cpus", help="with --start-server: pin the server to these cores, e.g. 0 (as taskset -c 0)")
    p.add_argument(
        "--gc", action="store_true", help="with --start-server: also report the server's garbage-collection time"
    )
    p.add_argument("--warmup", type=int, default=0, help="first run W sessions x 2 interactions, not reported")
    p.add_argument(
        "--smoke", action="store_true", help="4 sessions x 3 interactions, short think times, reconnect, round trip"
    )
    p.add_argument("--think", default="1,3", help="think time before each interaction: MIN,MAX seconds (1,3)")
    p.add_argument("--link", default=DEFAULT_LINK, help=f"the shared link's query string ({DEFAULT_LINK})")
    p.add_argument("--ramp", type=float, default=0.0, help="open the sessions over this many seconds (0: at once)")
    p.add_argument("--waves", type=int, default=1, help="repeat with fresh sessions W times (memory over time)")
    p.add_argument("--jumps", action="store_true", help="slider moves jump to any stop (default: drag 1-3 stops)")
    p.add_argument("--reconnect", action="store_true", help="drop and resume each connection once (a Wi-Fi blip)")
    p.add_argument(
        "--resume-timeout", type=float, help="after a reconnect, call a run lost when no message came by then"
    )
    p.add_argument("--roundtrip", action="store_true", help="reopen every session's final URL in a fresh session")
    p.add_argument("--seed", type=int, default=0, help="random seed of the students' choices")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one run")
    p.add_argument("--server-pid", type=int, action="append", default=[], help="server process(es) to watch")
    p.add_argument("--server-port", type=int, action="append", default=[], help="watch the process on this port")
    p.add_argument("--p95-target", type=float, help="exit 1 when the interaction p95 is above this (seconds)")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    p.add_argument(
        "--cost", type=int, default=0, help="first, N interactions of one student alone: server CPU per interaction"
    )
    p.add_argument("--poll", action="store_true", help="then run a class poll: a host, --sessions students voting")
    p.add_argument("--poll-only", action="store_true", help="only the class poll (no slider test)")
    p.add_argument("--poll-wait", type=float, default=10.0, help="seconds the class waits, polling, before the reveal")
    args = p.parse_args(argv)
    if args.smoke:
        args.sessions, args.interactions, args.think, args.roundtrip, args.reconnect = 4, 3, "0,0.2", True, True
        args.resume_timeout = args.resume_timeout or 5.0
        args.poll_wait = min(args.poll_wait, 3.0)
    args.poll = args.poll or args.poll_only
    return args


def config_from(
    args: argparse.Namespace, url: str, pids: tuple[int, ...], wave: int = 0, gc_file: Path | None = None
) -> Config:
    low, high = (float(x) for x in args.think.split(","))
    return Config(
        url=url,
        sessions=args.sessions,
        interactions=args.interactions,
        think=(low, high),
        link=args.link.lstrip("?"),
        seed=args.seed + wave,
        timeout=args.timeout,
        ramp=args.ramp,
        roundtrip=args.roundtrip,
        jumps=args.jumps,
        reconnect=args.reconnect,
        resume_timeout=args.resume_timeout,
        server_pids=pids,
        first_session=1 + wave * args.sessions,
        gc_file=gc_file,
    )


def poll_config(args: argparse.Namespace) -> argparse.Namespace:
    """The class poll's settings (bench/load/poll.py) from the command line."""
    low, high = (float(x) for x in args.think.split(","))
    return argparse.Namespace(
        sessions=args.sessions,
        seed=args.seed,
        think=(min(low, 1.0), min(high, 2.0)),  # students answer within a couple of seconds
        ramp=args.ramp,
        timeout=args.timeout,
        wait=args.poll_wait,
        load_page=load_page,
    )


def _cpu(pids: tuple[int, ...]) -> float | None:
    values = [cpu_seconds(p) for p in pids]
    return sum(values) if pids and None not in values else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.sessions >= SEED_STRIDE:
        raise SystemExit(f"at most {SEED_STRIDE - 1} sessions (seeds identify their session)")
    gc_file = None
    with contextlib.ExitStack() as stack:
        if args.start_server:
            cpus = {int(c) for c in args.server_cpus.split(",")} if args.server_cpus else None
            if args.gc:
                gc_file = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "gc.json"
            url, pid = stack.enter_context(streamlit_server(shlex.split(args.server_args), cpus=cpus, gc_file=gc_file))
            pids = (pid,)
        else:
            url = args.url
            ports = args.server_port or [urllib.parse.urlsplit(url).port or 80]
            pids = tuple(args.server_pid) or tuple(p for port in ports for p in pids_listening_on(port))
        if args.warmup:
            warm = config_from(args, url, pids, wave=args.waves)
            warm.sessions, warm.interactions, warm.think, warm.reconnect, warm.roundtrip = (
                args.warmup, 2, (0.0, 0.5), False, False,
            )  # fmt: skip
            asyncio.run(load_test(warm))
        cost = None
        if args.cost and not args.poll_only:
            if _cpu(pids) is None:
                raise SystemExit("--cost needs the server's process (--start-server, --server-pid or --server-port)")
            cost = asyncio.run(cost_test(config_from(args, url, pids), args.cost, lambda: _cpu(pids)))
            print_cost(cost)
        reports = []
        for wave in range(0 if args.poll_only or not args.sessions else args.waves):
            report = asyncio.run(load_test(config_from(args, url, pids, wave, gc_file)))
            print_report(report, f"[wave {wave + 1}/{args.waves}] " if args.waves > 1 else "")
            reports.append(report)
        polled = asyncio.run(poll.poll_test(url, poll_config(args), lambda: _cpu(pids))) if args.poll else None
        if polled is not None:
            poll.print_poll(polled)
    if args.waves > 1:
        ends = ", ".join(f"{r.summary()['rss_end_mb']:.0f}" for r in reports if r.rss_end is not None)
        print(f"server RSS after each wave (MB): {ends}")
    if args.json:
        figures = [r.summary() | {"config": r.config} for r in reports]
        figures += [{"poll": polled.summary()}] if polled is not None else []
        figures += [{"cost": cost_summary(cost)}] if cost is not None else []
        args.json.write_text(json.dumps(figures, indent=2))
    failed = any(r.errors or r.violations for r in reports) or bool(cost and (cost.errors or cost.violations))
    failed |= polled is not None and (bool(polled.errors) or not polled.agreed)
    if args.p95_target is not None:
        failed |= any((r.summary()["p95_s"] or 0) > args.p95_target for r in reports)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
