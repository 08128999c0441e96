"""Typed relations (issue 18): the labelled set's precision/recall per type, and the bundled chain."""

from __future__ import annotations

from typing import get_args

from index.relation_eval import found_references, gold_records, score
from ingest.models import Paragraph, RelationKind
from ingest.references import find_references
from ingest.relation_rules import relation_from_wording


def _paragraph(text: str, pid: str = "p-1") -> Paragraph:
    return Paragraph(paragraph_id=pid, doc_id="d", order=0, text=text, start=0, end=len(text))


def test_labelled_set_meets_targets_per_type() -> None:
    records = gold_records()
    scores = {s.relation: s for s in score(records, found_references(records))}
    for relation in get_args(RelationKind):
        s = scores[relation]
        assert s.labelled >= 5, relation  # each type labelled at least five times
        assert s.precision >= 0.95 and s.recall >= 0.90, (relation, s)


def test_labelled_set_has_preambles_prose_state_and_party_numbers() -> None:
    records = gold_records()
    texts = " ".join(r.get("text", "") for r in records)
    assert texts.count("Căn cứ") >= 8
    numbers = [n for r in records for n, _ in r["relations"]]
    assert any("/NQ-HĐND" in n for n in numbers) and any("-KL/TW" in n for n in numbers)
    assert any(n.endswith("-CV/TU") for n in numbers) and any("/TTr-" in n for n in numbers)


def test_score_counts_a_wrong_type_against_both() -> None:
    records = [{"id": "x", "relations": [["44-KL/TW", "implements"]]}]
    wrong = find_references([_paragraph("Căn cứ Kết luận số 44-KL/TW của Ban Bí thư.")])
    scores = {s.relation: s for s in score(records, {"x": wrong})}
    assert scores["implements"].recall == 0.0 and scores["basis"].precision == 0.0


def test_wording_decides_the_relation() -> None:
    assert relation_from_wording("Tiếp tục đẩy mạnh thực hiện ") == "continues"
    assert relation_from_wording("Triển khai ") == "implements"
    assert relation_from_wording("Quyết định này thay thế ") == "replaces"
    assert relation_from_wording("", " ngày 01/01/2020 hết hiệu lực") == "repeals"
    assert relation_from_wording("Quy chế ban hành kèm theo ") is None
    assert relation_from_wording("Sơ kết 10 năm thực hiện ") == "cites"
    news = find_references(
        [_paragraph("Tỉnh ủy triển khai thực hiện Kết luận số 44-KL/TW của Ban Bí thư.")], news=True
    )
    assert [r.relation for r in news] == ["reports_on"]


def test_bundled_chain_relations_keep_their_sentence(bundled_corpus) -> None:
    docs = {d.number or d.doc_id: d for d in bundled_corpus.documents}
    kl44, cv48 = docs["44-KL/TW"], docs["48/LĐLĐ"]
    continues = [r for r in kl44.references if r.relation == "continues" and r.number == "09-CT/TW"]
    assert continues and all("09" in r.sentence for r in continues)
    implements = [r for r in cv48.references if r.relation == "implements" and r.number == "44-KL/TW"]
    assert implements and "triển khai thực hiện Kết luận số 44-KL/TW" in implements[0].sentence
    assert any(r.relation == "attaches" and r.number == "44-KL/TW" for r in cv48.references)
    news = [d for d in bundled_corpus.documents if d.doc_type == "Tin bài"]
    assert news and all(r.relation == "reports_on" for d in news for r in d.references)
