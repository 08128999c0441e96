"""The bundled development query set is well formed and its labels point at real text.

Label typos would silently turn a correct result into a "miss", so every phrase is checked against
the raw files of data/ (and, through the real ingest, against the paragraphs it produces).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from index.eval_labels import DEFAULT_QUERIES, KINDS, RelevanceJudge, load_queries, match_key
from ingest.normalize import fold_accents, has_tone_marks

QUERIES = load_queries(DEFAULT_QUERIES)


@pytest.fixture(scope="module")
def raw_files(data_dir: Path) -> dict[str, str]:
    return {
        p.name: match_key(p.read_text(encoding="utf-8")) for p in sorted(data_dir.iterdir()) if p.is_file()
    }


def test_size_and_kinds():
    kinds = Counter(q.kind for q in QUERIES)
    assert len(QUERIES) >= 45
    assert set(KINDS) <= set(kinds), f"missing kinds: {set(KINDS) - set(kinds)}"
    assert kinds["no_tone"] >= 12
    assert kinds["out_of_corpus"] >= 5


def test_out_of_corpus_queries_expect_nothing_and_others_expect_an_answer():
    for q in QUERIES:
        if q.kind == "out_of_corpus":
            assert q.relevant == () and q.expect_answer is False, q.id
        else:
            assert q.relevant and q.expect_answer is True, q.id


def test_no_tone_queries_fold_their_tone_marked_twin():
    by_id = {q.id: q for q in QUERIES}
    for q in QUERIES:
        if q.kind != "no_tone":
            continue
        assert not has_tone_marks(q.query), q.id
        if q.of is not None:
            twin = by_id[q.of]
            assert q.query == fold_accents(twin.query) and q.relevant == twin.relevant, q.id


def files_of(spec, raw_files: dict[str, str]) -> list[str]:
    """Files of data/ a label names (the bundled file names carry the document number: 44-KL-TW)."""
    by_number = by_text = None
    if spec.doc_number:
        slug = fold_accents(spec.doc_number).replace("/", "-")
        by_number = [name for name in raw_files if slug in name.lower()]
        assert by_number, f"no file of data/ has number {spec.doc_number}"
    if spec.doc_contains:
        by_text = [name for name, text in raw_files.items() if match_key(spec.doc_contains) in text]
        assert len(by_text) == 1, f"doc_contains {spec.doc_contains!r} names {by_text}, not one file"
    if by_number is not None and by_text is not None:
        assert set(by_text) <= set(by_number), f"{spec.doc_number} and {spec.doc_contains!r} disagree"
    return by_text or by_number or list(raw_files)


@pytest.mark.parametrize("query", [q for q in QUERIES if q.relevant], ids=lambda q: q.id)
def test_every_phrase_occurs_verbatim_in_the_named_document(query, raw_files):
    for spec in query.relevant:
        files = files_of(spec, raw_files)
        if spec.text_contains is not None:
            phrase = match_key(spec.text_contains)
            assert any(phrase in raw_files[name] for name in files), (
                f"{query.id}: {spec.text_contains!r} not in {files}"
            )


def test_every_label_is_found_in_one_ingested_paragraph(bundled_corpus):
    judge = RelevanceJudge(bundled_corpus.documents)
    assert judge.unmatched(QUERIES, bundled_corpus.paragraphs) == []
