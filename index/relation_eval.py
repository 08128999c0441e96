"""Precision and recall of typed relations on a labelled set (`tracuu eval --relations`).

Consumes index/resources/relations_gold.jsonl: per line one document, either a bundled file
(`"source": "data/..."`, read with the rest of its folder so links resolve as in production) or a text
of its own (`"type"`, `"title"`, `"text"`, read through the JSONL reader), and the relations of all its
mentions as `[number, relation]` pairs (a short form no document resolves is written "<type> <digits>",
"Nghị quyết 25"). Produces, per relation type, the labelled and found counts, precision and recall:
a found reference counts when the document's labels hold the same number with the same relation
(multisets: each label matches once).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import get_args

from ingest.models import Reference, RelationKind
from ingest.normalize import fold_accents
from ingest.numbers import number_key

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TypeScore:
    relation: str
    labelled: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0


def gold_records(path: Path | None = None) -> list[dict]:
    text = (
        path.read_text(encoding="utf-8")
        if path
        else resources.files("index.resources").joinpath("relations_gold.jsonl").read_text(encoding="utf-8")
    )
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def mention_key(number: str | None, doc_type: str | None = None, mention: str = "") -> str:
    """The number as compared ("44-KL/TW" == "44-kl/tw"); a short form left without one: "nghi quyet 25"."""
    if number and not re.fullmatch(r"[A-Za-zÀ-ỹĐđ ]+\d+", number):
        return number_key(number)
    digits = re.search(r"(\d+)\s*$", number or mention)
    return f"{fold_accents(doc_type or '').lower()} {digits.group(1).lstrip('0') if digits else ''}".strip()


def _label_key(number: str) -> str:
    short = re.fullmatch(r"(\D+?)\s+(\d+)", number)
    return (
        f"{fold_accents(short.group(1)).lower()} {short.group(2).lstrip('0')}"
        if short
        else number_key(number)
    )


def found_references(records: list[dict]) -> dict[str, list[Reference]]:
    """Each record's references, read by the real ingest pipeline."""
    from ingest.pipeline import ingest_paths

    out: dict[str, list[Reference]] = {}
    sources = [r for r in records if "source" in r]
    folders = sorted({(REPO_ROOT / r["source"]).parent for r in sources})
    by_path = {}
    if folders:
        for document in ingest_paths(folders).documents:
            by_path[Path(document.source_path).resolve()] = document
    for record in sources:
        document = by_path.get((REPO_ROOT / record["source"]).resolve())
        out[record["id"]] = document.references if document else []
    texts = [r for r in records if "text" in r]
    if texts:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "relations.jsonl"
            path.write_text(
                "".join(
                    json.dumps(
                        {
                            "id": r["id"],
                            "type": r.get("type"),
                            "title": r.get("title", r["id"]),
                            "text": r["text"],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                    for r in texts
                ),
                encoding="utf-8",
            )
            for document in ingest_paths([path]).documents:
                out[document.doc_id] = document.references
    return out


def score(records: list[dict], found: dict[str, list[Reference]]) -> list[TypeScore]:
    labelled, predicted, correct = Counter(), Counter(), Counter()
    for record in records:
        gold = Counter((_label_key(number), relation) for number, relation in record["relations"])
        got = Counter(
            (mention_key(r.number, r.doc_type, r.mention), r.relation) for r in found.get(record["id"], [])
        )
        for (_, relation), n in gold.items():
            labelled[relation] += n
        for key, n in got.items():
            predicted[key[1]] += n
            correct[key[1]] += min(n, gold.get(key, 0))
    return [
        TypeScore(relation, labelled[relation], predicted[relation], correct[relation])
        for relation in get_args(RelationKind)
    ]


def run_relation_evaluation(path: Path | None = None) -> list[TypeScore]:
    """Print precision and recall per relation type on the labelled set; return the scores."""
    from rich.console import Console
    from rich.table import Table

    records = gold_records(path)
    scores = score(records, found_references(records))
    table = Table(title=f"Quan hệ giữa văn bản ({len(records)} văn bản có nhãn)")
    for column in ("quan hệ", "nhãn", "tìm thấy", "đúng", "precision", "recall"):
        table.add_column(column, justify="right" if column != "quan hệ" else "left")
    for s in scores:
        table.add_row(
            s.relation, str(s.labelled), str(s.found), str(s.correct), f"{s.precision:.3f}", f"{s.recall:.3f}"
        )
    total = TypeScore(
        "tổng", sum(s.labelled for s in scores), sum(s.found for s in scores), sum(s.correct for s in scores)
    )
    table.add_row(
        total.relation,
        str(total.labelled),
        str(total.found),
        str(total.correct),
        f"{total.precision:.3f}",
        f"{total.recall:.3f}",
    )
    Console().print(table)
    return scores
