"""A class poll under load (bench/load/run.py --poll): one host, N students voting and polling for the reveal.

The host is a session like any other: it opens the teacher's link, turns on the teacher-link builder,
picks the question "Which optimizer reaches the minimum first?" and presses "Start a class poll", which
makes it the host (its page shows the class code). Then N students open ``?class=CODE`` (each after
loading the page like a browser, so behind nginx each keeps its replica), each votes for a random
answer (a third of them change their minds once), and then polls for the reveal the way the browser
does: a rerun of the page's ``st.fragment(run_every=...)`` watcher every interval it announced, which
costs one small query and sends no elements. Once every vote is in, the class waits ``wait`` seconds
(every student polling), the host reads its live counts (its own fragment), and presses Reveal; each
student's next tick sees it and reruns the whole page, which then shows the answer and the class's
distribution.

Checked: the host's counts before the reveal and every student's distribution after it equal the
votes the students cast (per answer), whichever replica answered them. Reported: vote latency, tick
latency, server CPU per tick (the CPU the server(s) used while the class only waited, divided by the
ticks in that time), and how long the reveal took to reach the students.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import statistics
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.load.client import ProtocolError, RunResult, Session

QUESTION = "Which optimizer reaches the minimum first?"
ANSWERS = ("SGD", "RMSProp", "Adam")  # the options of the default poll link (opt=sgd,rmsprop,adam)
POLL_LINK = "surface=bowl&opt=sgd,rmsprop,adam&steps=150"
CODE = re.compile(r"Class \*\*([A-Z2-9]{6})\*\*")


@dataclass
class PollStats:
    students: int = 0
    votes: list[float] = field(default_factory=list)  # vote latencies
    ticks: list[float] = field(default_factory=list)  # watcher-fragment latencies
    wait_latencies: list[float] = field(default_factory=list)  # those of the ticks while the class only waited
    reach: list[float] = field(
        default_factory=list
    )  # the host's click on Reveal -> the student's page shows the answer
    wait_ticks: int = 0  # ticks during the waiting window (for the CPU per tick)
    wait_s: float = 0.0
    wait_cpu_s: float | None = None
    tally: dict[str, int] = field(default_factory=dict)  # what the students voted
    host_counts: dict[str, int] | None = None  # what the host's live chart showed before the reveal
    student_counts: list[dict[str, int]] = field(default_factory=list)  # each student's chart after it
    upstreams: Counter = field(default_factory=Counter)  # students per replica (behind nginx)
    errors: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        seen = [self.host_counts, *self.student_counts]
        return len(self.student_counts) == self.students and all(c == self.tally for c in seen)

    def summary(self) -> dict:
        def q(xs: list[float], p: float) -> float | None:
            return sorted(xs)[min(len(xs) - 1, int(p * len(xs)))] if xs else None

        per_tick = self.wait_cpu_s / self.wait_ticks * 1000 if self.wait_cpu_s is not None and self.wait_ticks else None
        return {
            "students": self.students,
            "vote_median_s": statistics.median(self.votes) if self.votes else None,
            "vote_p95_s": q(self.votes, 0.95),
            "ticks": len(self.ticks),
            "tick_median_s": statistics.median(self.ticks) if self.ticks else None,
            "tick_p95_s": q(self.ticks, 0.95),
            "wait_tick_median_s": statistics.median(self.wait_latencies) if self.wait_latencies else None,
            "wait_tick_p95_s": q(self.wait_latencies, 0.95),
            "wait_s": self.wait_s,
            "wait_ticks": self.wait_ticks,
            "server_cpu_cores_waiting": self.wait_cpu_s / self.wait_s if self.wait_cpu_s is not None else None,
            "server_cpu_ms_per_tick": per_tick,
            "reveal_reached": f"{len(self.reach)}/{self.students}",
            "reveal_median_s": statistics.median(self.reach) if self.reach else None,
            "reveal_max_s": max(self.reach, default=None),
            "tally": self.tally,
            "host_counts": self.host_counts,
            "counts_agree": self.agreed,
            "students_per_replica": dict(self.upstreams),
            "errors": len(self.errors),
        }


def answer_counts(result: RunResult) -> dict[str, int] | None:
    """Votes per answer from the page's vote chart (the "answers" bar trace), None when it has none."""
    for spec in result.charts:
        for trace in json.loads(spec).get("data", []):
            if trace.get("name") == "answers":
                labels = [y.removeprefix("✓ ") for y in trace["y"]]
                return {label: int(n) for label, n in zip(labels, trace["x"], strict=True) if n}
    return None


async def _open(url: str, query: str, timeout: float, load_page: Callable) -> tuple[Session, RunResult, str | None]:
    cookies, upstream = await asyncio.to_thread(load_page, f"{url.rstrip('/')}/?{query}", timeout)
    origin = urllib.parse.urlsplit(url)
    session = Session(url, query, cookies=cookies, headers={"Origin": f"{origin.scheme}://{origin.netloc}"},
                      timeout=timeout)  # fmt: skip
    await session.connect()
    result = await session.run()
    return session, result, session.upstream or upstream


async def start_host(url: str, timeout: float, load_page: Callable) -> tuple[Session, str]:
    """A teacher's session that starts a poll from the teacher-link builder; returns it and the class code."""
    host, result, _ = await _open(url, POLL_LINK, timeout, load_page)
    await host.run(widgets=[host.set_toggle("pg.teach.build", True)])
    await host.run(widgets=[host.set_choice("pg.teach.ask", QUESTION)])
    result = await host.run(widgets=[host.set_button("pg.class.start")])
    found = next((m for t in result.texts if (m := CODE.search(t))), None)
    if not result.ok or found is None:
        raise ProtocolError(f"the host's page shows no class code (ok={result.ok}, {result.exceptions[:1]})")
    return host, found.group(1)


class _Class:
    """What the host and the students share in this process: the votes cast, and when the reveal happened."""

    def __init__(self, students: int):
        self.voted = 0
        self.all_voted = asyncio.Event()
        self.revealed_at: float | None = None
        self.waiting_until: float | None = None
        self.students = students


async def _student(number: int, url: str, code: str, shared: _Class, stats: PollStats, cfg) -> None:
    rng = random.Random(cfg.seed * 7919 + number)
    session = None
    try:
        await asyncio.sleep(cfg.ramp * number / max(1, shared.students))
        session, result, upstream = await _open(url, f"class={code}", cfg.timeout, cfg.load_page)
        if upstream:
            stats.upstreams[upstream] += 1
        if "pg.class.choice" not in session.widgets:
            raise ProtocolError(f"no answer to choose on the student's page ({result.exceptions[:1]})")
        choices = [rng.choice(ANSWERS)]
        if rng.random() < 1 / 3:
            choices.append(rng.choice([a for a in ANSWERS if a != choices[0]]))  # changes its mind once
        for choice in choices:
            await asyncio.sleep(rng.uniform(*cfg.think))
            voted = await session.run(widgets=[session.set_choice("pg.class.choice", choice)])
            if not voted.ok or not any("Your answer is in" in t for t in voted.texts):
                raise ProtocolError(f"the vote for {choice} was not confirmed")
            stats.votes.append(voted.latency)
        stats.tally[choices[-1]] = stats.tally.get(choices[-1], 0) + 1
        shared.voted += 1
        if shared.voted == shared.students:
            shared.all_voted.set()
        await _poll_until_revealed(session, shared, stats, rng, cfg.timeout)
    except (ProtocolError, OSError, ValueError, KeyError) as error:
        stats.errors.append(f"student {number}: {type(error).__name__}: {error}")
        shared.voted += 1  # do not keep the host waiting for a student that failed
        if shared.voted >= shared.students:
            shared.all_voted.set()
    finally:
        if session is not None:
            await session.close()


async def _poll_until_revealed(session: Session, shared: _Class, stats: PollStats, rng, timeout: float) -> None:
    """Rerun the watcher fragment at its interval (as the browser's timer does) until a tick reruns the page."""
    if len(session.auto_reruns) != 1:
        raise ProtocolError(f"expected one polling fragment on the student's page, got {session.auto_reruns}")
    (fragment, interval), = session.auto_reruns.items()  # fmt: skip
    await asyncio.sleep(rng.uniform(0, interval))  # the timers of a class are not in step
    deadline = time.perf_counter() + timeout + 600
    while time.perf_counter() < deadline:
        result = await session.run(fragment_id=fragment, through_rerun=True)
        if not result.ok:
            raise ProtocolError(f"a polling tick failed: {result.exceptions[:1] or result.status}")
        if result.reran:
            if shared.revealed_at is None:
                raise ProtocolError("the page reran before the reveal")
            stats.reach.append(time.perf_counter() - shared.revealed_at)
            counts = answer_counts(result)
            if counts is None or not any("The answer is" in t for t in result.texts):
                raise ProtocolError("after the reveal the page shows no answer or no distribution")
            stats.student_counts.append(counts)
            return
        stats.ticks.append(result.latency)
        if (
            shared.waiting_until is not None
            and shared.revealed_at is None
            and time.perf_counter() < shared.waiting_until
        ):
            stats.wait_ticks += 1
            stats.wait_latencies.append(result.latency)
        await asyncio.sleep(interval)
    raise ProtocolError("the reveal never reached this student")


async def poll_test(url: str, cfg, cpu: Callable[[], float | None]) -> PollStats:
    """Run one class poll with ``cfg.sessions`` students against ``url`` (``cfg`` has sessions, seed, think,
    ramp, timeout, wait and load_page); ``cpu()`` gives the server(s)' CPU seconds so far (None: unknown)."""
    stats = PollStats(students=cfg.sessions)
    host, code = await start_host(url, cfg.timeout, cfg.load_page)
    shared = _Class(cfg.sessions)
    students = [asyncio.create_task(_student(i, url, code, shared, stats, cfg)) for i in range(cfg.sessions)]
    try:
        await asyncio.wait_for(shared.all_voted.wait(), cfg.timeout + cfg.ramp + 10 * cfg.think[1] + 60)
        started, cpu_start = time.perf_counter(), cpu()
        shared.waiting_until = started + cfg.wait
        await asyncio.sleep(cfg.wait)  # the class waits for the teacher; every student polls
        cpu_end = cpu()
        stats.wait_s = time.perf_counter() - started
        if cpu_start is not None and cpu_end is not None:
            stats.wait_cpu_s = cpu_end - cpu_start
        fragment = next(iter(host.auto_reruns), None)
        live = await host.run(fragment_id=fragment) if fragment else None
        stats.host_counts = answer_counts(live) if live is not None else None
        shared.revealed_at = time.perf_counter()  # the click: students may see it before the host's page is redrawn
        revealed = await host.run(widgets=[host.set_button("Reveal the answer")])
        if not any("The answer is" in t for t in revealed.texts):
            stats.errors.append("host: the reveal shows no answer")
        await asyncio.gather(*students)
    finally:
        for task in students:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*students, return_exceptions=True)
        await host.close()
    return stats


def print_poll(stats: PollStats) -> None:
    s = stats.summary()

    def f(x: float | None, unit: str = " s", fmt: str = ".3f") -> str:
        return "n/a" if x is None else f"{x:{fmt}}{unit}"

    print(f"class poll        {s['students']} students, one host")
    print(f"  votes           {len(stats.votes)}: median {f(s['vote_median_s'])}, p95 {f(s['vote_p95_s'])}")
    print(
        f"  polling         {s['ticks']} ticks (watcher fragment) in all: median {f(s['tick_median_s'])}, "
        f"p95 {f(s['tick_p95_s'])}"
    )
    print(
        f"  cost            while {s['students']} students waited {f(s['wait_s'], ' s', '.1f')}: "
        f"{s['wait_ticks']} ticks (median {f(s['wait_tick_median_s'])}, p95 {f(s['wait_tick_p95_s'])}), "
        f"server {f(s['server_cpu_cores_waiting'], ' cores', '.3f')}, "
        f"{f(s['server_cpu_ms_per_tick'], ' ms', '.2f')} of server CPU per tick"
    )
    print(
        f"  reveal          reached {s['reveal_reached']} students: median {f(s['reveal_median_s'])}, "
        f"max {f(s['reveal_max_s'])} after the host pressed Reveal"
    )
    replicas = f" (students per replica: {s['students_per_replica']})" if s["students_per_replica"] else ""
    verdict = "agree" if s["counts_agree"] else "DISAGREE"
    print(f"  counts          votes {s['tally']}; the host and every student {verdict}{replicas}")
    print(f"  errors          {s['errors']}")
    for line in stats.errors[:10]:
        print(f"    ! {line}")
