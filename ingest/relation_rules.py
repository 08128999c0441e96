"""Relation rules: the wording around a mention of another document -> the relation it states.

Consumes resources/relation_rules.txt (relation | side | pattern over folded, lower-case text); produces
`relation_from_wording(before, after)`: implements, continues, basis, replaces, amends, repeals,
attaches or cites, or None when the wording says nothing (ingest/references.py decides then).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.normalize import fold_accents


@lru_cache(maxsize=1)
def relation_rules() -> list[tuple[str, str, re.Pattern]]:
    """(relation, side, pattern) of resources/relation_rules.txt, in the file's order."""
    raw = resources.files("ingest.resources").joinpath("relation_rules.txt").read_text(encoding="utf-8")
    rules = []
    for line in raw.splitlines():
        if line.strip() and not line.startswith("#"):
            relation, side, pattern = (part.strip() for part in line.split("|", 2))
            rules.append((relation, side, re.compile(rf"(?<![a-z]){pattern}(?![a-z])")))
    return rules


def relation_from_wording(before: str, after: str = "") -> str | None:
    """The relation the wording states: `before` is the clause up to the mention, `after` what follows its
    date, issuer and title up to the clause's end; None when neither says (the caller decides)."""
    folded_after = fold_accents(after).lower()
    for relation, side, pattern in relation_rules():
        if side == "after" and pattern.search(folded_after):
            return relation
    folded = fold_accents(before).lower()
    best: tuple[int, int, str] | None = None  # (end, -rule order, relation)
    for order, (relation, side, pattern) in enumerate(relation_rules()):
        if side != "before":
            continue
        for match in pattern.finditer(folded):
            candidate = (match.end(), -order, relation)
            if best is None or candidate > best:
                best = candidate
    return best[2] if best else None
