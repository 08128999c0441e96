"""Retrieval quality on the bundled corpus, measured with the development query set.

Targets (issue 4, "Measured, not guessed"): hit@5 = 1.00 and hit@1 >= 0.95 with and without tone
marks; no answer for out-of-corpus questions, an answer for questions about the corpus.
hit@5 and hit@1 are met and asserted as targets (`tracuu eval` prints them; benchmarks/README.md has the
history). The issue's own out-of-corpus examples get no answer (tests/test_index_search.py NO_ANSWER);
over the 55 out-of-corpus questions of the set, with and without tone marks, the answered share is held
at the level measured. The answer rate of corpus questions has no number in the issue either: both
tests hold the level measured at this commit, so a change that makes it worse fails here.
"""

from __future__ import annotations

import pytest

from index.evaluate import evaluate_searcher, load_queries

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(bundled_searcher):
    return evaluate_searcher(bundled_searcher, load_queries(), fold_all=True)


def misses(report, k):
    return [(o.id, o.query, o.rank) for o in report.outcomes if o.ranked and (o.rank is None or o.rank > k)]


# The target. Measured at this commit: 0.952 (60/63) with tone marks, 0.951 (77/81) without.
HIT1_TARGET = 0.95
ANSWERED_FLOOR = 0.94  # measured: 137 of 144 in-corpus runs get an answer; the floor allows one fewer
# Measured: 1 of 103 out-of-corpus runs is answered ("tieu chuan xet tang danh hieu nha giao nhan dan": the
# toneless "tang" is restored as the corpus's "tăng", so the query looks better known than it is).
OUT_OF_CORPUS_ANSWERED_CEILING = 0.02


@pytest.mark.parametrize("group", ["ALL with tone marks", "ALL without tone marks"])
def test_hit_at_5_is_perfect(report, group):
    row = report.row(group)
    assert row.ranked >= 12
    assert row.hit5 == 1.0, f"{group}: hit@5 {row.hit5:.3f}; misses {misses(report, 5)}"


@pytest.mark.parametrize("group", ["ALL with tone marks", "ALL without tone marks"])
def test_hit_at_1_meets_the_target(report, group):
    row = report.row(group)
    assert row.hit1 >= HIT1_TARGET, (
        f"{group}: hit@1 {row.hit1:.3f} below {HIT1_TARGET}; misses {misses(report, 1)}"
    )


def test_out_of_corpus_questions_are_rarely_answered(report):
    runs = [o for o in report.outcomes if o.kind.endswith("out_of_corpus")]
    wrong = [(o.id, o.query) for o in runs if o.answered]
    assert len(runs) >= 100 and len(wrong) <= OUT_OF_CORPUS_ANSWERED_CEILING * len(runs), wrong


def test_questions_about_the_corpus_get_an_answer_at_the_measured_rate(report):
    ranked = [o for o in report.outcomes if o.ranked]
    missing = [(o.id, o.query) for o in ranked if not o.answered]
    assert 1 - len(missing) / len(ranked) >= ANSWERED_FLOOR, f"no answer for {missing}"


def test_labels_match_the_indexed_paragraphs(report):
    assert report.label_problems == []
