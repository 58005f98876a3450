"""Page runs take turns (views/common/run_gate.py): one at a time, a bounded wait, the turn always given back."""

from __future__ import annotations

import threading
import time

import pytest

from views.common import run_gate


def test_a_second_run_waits_for_the_first_to_finish():
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with run_gate.one_at_a_time():
            inside.set()
            time.sleep(0.2)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with run_gate.one_at_a_time() as mine:
        order.append("second runs")
    thread.join()
    assert mine and order == ["first done", "second runs"]


def test_a_run_that_waited_too_long_runs_anyway():
    held = threading.Event()
    release = threading.Event()

    def stuck() -> None:
        with run_gate.one_at_a_time():
            held.set()
            release.wait(5)

    thread = threading.Thread(target=stuck)
    thread.start()
    held.wait(5)
    started = time.perf_counter()
    with run_gate.one_at_a_time(wait=0.1) as mine:
        waited = time.perf_counter() - started
    release.set()
    thread.join()
    assert not mine and 0.05 < waited < 2  # it ran, without the turn, after the bounded wait
    with run_gate.one_at_a_time(wait=1) as mine:  # and the turn is free again afterwards
        assert mine


def test_the_turn_is_given_back_when_the_run_stops_early():
    """st.rerun / st.stop end a run with an exception: the next run must not wait for a turn never returned."""
    with pytest.raises(RuntimeError), run_gate.one_at_a_time():
        raise RuntimeError("a rerun")
    with run_gate.one_at_a_time(wait=0.5) as mine:
        assert mine


def test_turns_are_first_come_first_served():
    turns = run_gate.Turns()
    order: list[int] = []
    queued = threading.Semaphore(0)

    def run(number: int) -> None:
        queued.release()
        with run_gate.one_at_a_time(turns=turns):
            order.append(number)

    with run_gate.one_at_a_time(turns=turns):  # busy: the others queue up, one after another
        threads = []
        for number in range(5):
            thread = threading.Thread(target=run, args=(number,))
            thread.start()
            queued.acquire()
            time.sleep(0.05)  # it is waiting in the queue before the next one arrives
            threads.append(thread)
        order.append(-1)
    for thread in threads:
        thread.join(5)
    assert order == [-1, 0, 1, 2, 3, 4]


def test_a_turn_taken_inside_a_run_that_holds_it_is_the_same_turn():
    """The Playground's results fragment takes a turn itself (its own reruns skip app.py); inside a whole-page run,
    which holds the turn already, it must neither wait for itself nor give the turn back early."""
    with run_gate.one_at_a_time(wait=5) as outer:
        started = time.perf_counter()
        with run_gate.one_at_a_time(wait=5) as inner:
            pass
        assert outer and inner and time.perf_counter() - started < 0.5
        got_it = []
        other = threading.Thread(target=lambda: got_it.append(run_gate._TURNS.acquire(0.1)))
        other.start()
        other.join()
        assert got_it == [False]  # still held by the outer block after the inner one ended
    with run_gate.one_at_a_time(wait=0.5) as mine:
        assert mine
