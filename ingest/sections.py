"""Section labels: one home for how a paragraph's section is numbered, written, folded and asked for.

Consumes a paragraph's text (ingest) or an accent-folded query (index); produces the numbering of a
heading ("II-" -> ("roman", 1, "II")), the section path a paragraph stands in ("II.3", "2.3",
"Chương II.1", "Điều 5.2"; `SectionPath`), its comparable folded key (`section_key`), and the folded
paths a query names ("mục 2.3" -> "2.3", "khoản 2 Điều 5" -> "dieu 5.2"; `section_references`).

Paths follow the numbering of headings with a fixed rank (Chương/Phần > I. > Điều > 1. > a)); "2.1."
sets the arabic level directly, so "2.3." under nothing is "2.3" and "3-" under "II-" is "II.3".
"""

from __future__ import annotations

import re

from ingest.normalize import fold_accents

ARTICLE_RANK = 2
_MARKERS = [
    ("chapter", 0, re.compile(r"^(?P<label>(?:Chương|CHƯƠNG|Phần|PHẦN|Mục|MỤC)\s+[IVXLC\d]+)\b[.:\-–]?\s*")),
    ("roman", 1, re.compile(r"^(?P<label>[IVXL]{1,6})\s*[.\-–)]\s+")),
    ("article", ARTICLE_RANK, re.compile(r"^(?P<label>(?:Điều|ĐIỀU)\s+\d{1,3})\s*[.:]?\s+")),
    ("arabic", 3, re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\D)")),
    ("arabic", 3, re.compile(r"^(?P<label>\d{1,2})\s*[.\-–)]\s+(?=\D)")),
    ("letter", 4, re.compile(r"^(?P<label>[a-zđ])\)\s+")),
]
# The numbering and bullets that open a sentence ("II.", "2.3.", "a)", "- "), to read what follows them.
LEADING_NUMBERING = re.compile(
    r"^\s*(?:(?:[IVXL]{1,6}|\d{1,2}(?:\.\d{1,2})*|[a-zđ])\s*[.\-–)]\s*|[-+•–*]\s*)+"
)
# "mục 2.3", "phần II", "muc III.4", "chương II", "Điều 5", "khoản 2 Điều 5" (matched on folded text): the
# section a query points at, compared with section_key() of a paragraph's path (citations print "mục <path>").
SECTION_REFERENCE = re.compile(
    r"\b(?:(muc|phan|chuong)\s+([ivxlc]{1,6}(?:\.\d{1,2})*|\d{1,2}(?:\.\d{1,2})*)"
    r"|(?:khoan\s+(\d{1,2})\s+(?:cua\s+)?)?dieu\s+(\d{1,3}))(?!\w|\.\d)"
)


def numbering(text: str) -> tuple[str, int, str] | None:
    """(style, rank, label) of a numbered heading or paragraph ("II- Nhiệm vụ" -> ("roman", 1, "II"))."""
    for style, rank, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return style, rank, match.group("label")
    return None


class SectionPath:
    """The open numbered headings of a document, as a stack: the path of each paragraph that follows."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, rank: int, label: str) -> None:
        """A heading numbered `label` at `rank` closes those of the same or a lower level."""
        while self._stack and self._stack[-1][0] >= rank:
            self._stack.pop()
        self._stack.append((rank, label))

    @property
    def path(self) -> str:
        labels = self._stack
        articles = [k for k, (rank, _label) in enumerate(labels) if rank == ARTICLE_RANK]
        if articles:  # "Điều" numbers are unique in a document: "Điều 5.2", not "Chương II.Điều 5.2"
            labels = labels[articles[0] :]
        return ".".join(label for _rank, label in labels)


def section_key(section: str) -> str:
    """The comparable form of a section path: "Điều 5.2" -> "dieu 5.2", "III.4" -> "iii.4"."""
    return fold_accents(section)


def within(section: str, path: str) -> bool:
    """True when `section` is `path` or below it ("2.3.1" is within "2.3"; "2.30" is not)."""
    return section == path or section.startswith(path + ".")


def ancestors(section: str) -> list[str]:
    """The section and the sections above it, outermost first: "II.3.a" -> ["II", "II.3", "II.3.a"]."""
    parts = section.split(".") if section else []
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def section_references(folded: str) -> list[str]:
    """Folded section paths a query names: "muc 2.3" -> ["2.3", "muc 2.3"] (a bare path, or the heading's
    own word as legal texts number "Mục 1"), "khoan 2 dieu 5" -> ["dieu 5.2"]."""
    paths: list[str] = []
    for m in SECTION_REFERENCE.finditer(folded):
        word, path, clause, article = m.groups()
        if article:
            paths.append(f"dieu {article}" + (f".{clause}" if clause else ""))
        else:
            paths.extend([path, f"{word} {path}"])
    return list(dict.fromkeys(paths))
