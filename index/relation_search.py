"""Relation questions in search: "văn bản nào thực hiện Kết luận 44", "Kết luận 44 tiếp tục văn bản nào".

Consumes a query, the corpus documents with their typed references (ingest.references) and the number
table (index.number_lookup); produces the `RelationHit`s that answer it, each cited to the sentence that
states the relation, or [] when the query is no relation question. The wording that asks for a relation
is in index/resources/relation_questions.txt, the words that ask for documents in
relation_question_words.txt. Direction: a document named before the relation word asks what it relates
to ("Kết luận 44 tiếp tục văn bản nào"), one named after it, or a passive ("được ... bởi"), what relates
to it ("văn bản nào thực hiện Kết luận 44").
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.abbreviations import read_resource_lines
from index.named_numbers import named_numbers
from index.number_lookup import NumberTable
from index.types import RelationHit, paragraph_url
from ingest.models import Document
from ingest.normalize import fold_accents, normalize

MAX_RELATIONS = 50
_PASSIVE = re.compile(r"\b(?:duoc|bi)\b")


@lru_cache(maxsize=1)
def _rules() -> tuple[list[tuple[tuple[str, ...], re.Pattern]], re.Pattern]:
    rules = []
    for line in read_resource_lines("relation_questions.txt"):
        kinds, _, pattern = line.partition("|")
        rules.append((tuple(k.strip() for k in kinds.split(",")), re.compile(rf"\b(?:{pattern.strip()})\b")))
    asking = [re.escape(w) for w in read_resource_lines("relation_question_words.txt")]
    return rules, re.compile(rf"\b(?:{'|'.join(asking)})\b")


def relation_question(query: str) -> tuple[tuple[str, ...], bool, list] | None:
    """(relation kinds asked, True when asking what the named document relates to, the named numbers),
    or None when the query is not a relation question."""
    folded = fold_accents(normalize(query)).lower()
    named, _ = named_numbers(query)
    rules, asking = _rules()
    if not named or not asking.search(folded):
        return None
    for kinds, pattern in rules:
        match = pattern.search(folded)
        if match is None or any(a <= match.start() < b for a, b in (n.span for n in named)):
            continue
        first = named[0].span
        outgoing = first[1] <= match.start() and not _PASSIVE.search(folded, first[1], match.start())
        return kinds, outgoing, named
    return None


def find_relations(query: str, table: NumberTable) -> list[RelationHit]:
    """The relations a relation question asks for ([] for any other query)."""
    asked = relation_question(query)
    if asked is None:
        return []
    kinds, outgoing, named = asked
    hits: list[RelationHit] = []
    for n in named:
        docs = table.resolve(n)
        if outgoing:
            for d in docs:
                hits.extend(_hit(d, r, table) for r in d.references if r.relation in kinds)
        elif docs:
            for d in docs:
                hits.extend(
                    _hit(other, r, table) for other, r in table.incoming(d.doc_id) if r.relation in kinds
                )
        else:  # a document the corpus lacks: what the corpus says relates to its number
            hits.extend(
                _hit(d, r, table)
                for d in table.documents.values()
                for r in d.references
                if r.relation in kinds and table.cites(r, n)
            )
    unique = {(h.from_doc_id, h.to_doc_id or h.to_number, h.relation, h.paragraph_id): h for h in hits}
    return list(unique.values())[:MAX_RELATIONS]


def _hit(source: Document, reference, table: NumberTable) -> RelationHit:
    target = table.documents.get(reference.target_doc_id) if reference.target_doc_id else None
    return RelationHit(
        relation=reference.relation,
        from_doc_id=source.doc_id,
        to_doc_id=target.doc_id if target else None,
        to_number=target.number if target and target.number else reference.number or None,
        sentence=reference.sentence,
        paragraph_id=reference.paragraph_id,
        url=paragraph_url(source.doc_id, reference.paragraph_id),
    )
