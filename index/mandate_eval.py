"""`tracuu eval --mandates`: precision, recall and per-field accuracy of mandate extraction.

Consumes index/resources/mandates/: documents.json (test documents, written here as .docx with
python-docx: an assignment-table plan, a prose plan of a Tỉnh ủy, a district letter to communes),
labels.jsonl (every mandate of the five bundled documents and of those, with its fields) and traps.jsonl
(sentences that are no mandate: narrative, captions, results, causes, reports heard, criticism, effective
dates); ingests data/ plus those with the real pipeline and compares. Produces a `MandateScores`.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ingest.actors import actor_key
from ingest.normalize import fold_accents, normalize

RESOURCES = Path(__file__).resolve().parent / "resources" / "mandates"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
FIELDS = ("assignee", "partner", "deadline", "reports_to", "recurrence")


def write_test_documents(folder: Path, spec_file: str = "documents.json") -> list[Path]:
    """The test documents of documents.json (or heldout.json) as .docx files in `folder`."""
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a run-time dependency
        raise RuntimeError("cần python-docx: pip install python-docx") from exc
    spec = json.loads((RESOURCES / spec_file).read_text(encoding="utf-8"))
    paths = []
    for item in spec["documents"]:
        document = docx.Document()
        for block in item["blocks"]:
            if isinstance(block, str):
                document.add_paragraph(block)
                continue
            rows = block["table"]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        path = Path(folder) / item["file"]
        document.save(str(path))
        paths.append(path)
    return paths


def write_traps(folder: Path) -> Path:
    """traps.jsonl as one JSONL corpus file: each trap a document of its own (type and issuer given)."""
    path = Path(folder) / "traps.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, trap in enumerate(read_jsonl("traps.jsonl")):
            out.write(
                json.dumps(
                    {
                        "id": f"trap-{n}",
                        "title": f"Câu bẫy {n}",
                        "text": trap["text"],
                        "type": trap.get("type", "Kế hoạch"),
                        "issuer": trap.get("issuer", "Tỉnh ủy Quảng Trị"),
                        "date": "2024-03-01",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return path


def read_jsonl(name: str) -> list[dict]:
    lines = (RESOURCES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class MandateScores:
    labelled: int
    extracted: int
    matched: int
    field_correct: dict[str, int]
    field_total: dict[str, int]
    traps: int
    traps_extracted: list[str] = field(default_factory=list)
    unmatched_labels: list[str] = field(default_factory=list)
    unmatched_extractions: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    def accuracy(self, name: str) -> float:
        return self.field_correct[name] / self.field_total[name] if self.field_total[name] else 1.0


def _keys(names) -> set[str]:
    return {actor_key(n) for n in names or []}


def _fold(text: str) -> str:
    return " ".join(fold_accents(normalize(text)).split())


def score(corpus, labels: list[dict]) -> MandateScores:
    """Compare the corpus's mandates with the labels (traps are the documents whose id starts "trap-")."""
    files = {d.doc_id: Path(d.source_path).name for d in corpus.documents}
    traps = [m for m in corpus.mandates if m.doc_id.startswith("trap-")]
    mandates = [m for m in corpus.mandates if not m.doc_id.startswith("trap-")]
    free = list(range(len(mandates)))
    correct = {f: 0 for f in FIELDS}
    total = {f: 0 for f in FIELDS}
    matched, unmatched = 0, []
    for label in labels:
        anchor = _fold(label["anchor"])
        hit = next(
            (
                i
                for i in free
                if files[mandates[i].doc_id] == label["file"] and anchor in _fold(mandates[i].text)
            ),
            None,
        )
        if hit is None:
            unmatched.append(f"{label['file']}: {label['anchor']}")
            continue
        free.remove(hit)
        matched += 1
        m = mandates[hit]
        gold_deadline = label.get("deadline")
        checks = {
            "assignee": _keys(label.get("assignees")) == {a.key for a in m.assignees},
            "partner": _keys(label.get("partners")) == {a.key for a in m.partners},
            "reports_to": _keys(label.get("reports_to")) == {a.key for a in m.reports_to},
            "deadline": (gold_deadline is None) == (m.deadline is None)
            and (gold_deadline is None or (gold_deadline.get("date") == m.deadline.date)),
            "recurrence": (gold_deadline or {}).get("recurrence")
            == (m.deadline.recurrence if m.deadline else None),
        }
        for name, ok in checks.items():
            total[name] += 1
            correct[name] += int(ok)
    return MandateScores(
        labelled=len(labels),
        extracted=len(mandates),
        matched=matched,
        field_correct=correct,
        field_total=total,
        traps=len(read_jsonl("traps.jsonl")),
        traps_extracted=[m.text for m in traps],
        unmatched_labels=unmatched,
        unmatched_extractions=[f"{files[mandates[i].doc_id]}: {mandates[i].text[:100]}" for i in free],
    )


def evaluate_mandates() -> MandateScores:
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="tracuu-mandates-") as tmp:
        write_test_documents(Path(tmp))
        write_traps(Path(tmp))
        corpus = ingest_paths([DATA_DIR, Path(tmp)])
    return score(corpus, read_jsonl("labels.jsonl"))


def evaluate_heldout() -> MandateScores:
    """The held-out documents (heldout.json, written and labelled after the rules), scored on their own."""
    from ingest.pipeline import ingest_paths

    with tempfile.TemporaryDirectory(prefix="tracuu-mandates-heldout-") as tmp:
        write_test_documents(Path(tmp), "heldout.json")
        corpus = ingest_paths([Path(tmp)])
    scores = score(corpus, read_jsonl("heldout_labels.jsonl"))
    scores.traps = 0
    return scores


def print_scores(scores: MandateScores, console, title: str = "Nhiệm vụ") -> None:
    console.print(
        f"{title}: {scores.labelled} đã gán nhãn, {scores.extracted} trích được, {scores.matched} khớp"
    )
    console.print(f"precision {scores.precision:.3f}  recall {scores.recall:.3f}")
    for name in FIELDS:
        console.print(
            f"  {name:<11} {scores.accuracy(name):.3f} ({scores.field_correct[name]}/{scores.field_total[name]})"
        )
    if scores.traps:
        console.print(f"câu bẫy: {len(scores.traps_extracted)} / {scores.traps} bị trích nhầm")
    for text in scores.traps_extracted:
        console.print(f"  [bẫy] {text[:120]}")
    for text in scores.unmatched_labels:
        console.print(f"  [thiếu] {text[:120]}")
    for text in scores.unmatched_extractions:
        console.print(f"  [thừa] {text[:120]}")
