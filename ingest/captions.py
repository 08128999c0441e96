"""Photo captions in news articles: which body paragraphs describe a picture rather than the story.

Consumes the units of a news article (after headline/dateline/source roles are set); marks captions
with kind "caption" (they stay in the text and are searchable, but are shown as captions).

The signals, all generic:
* a caption sits between body paragraphs: never the lead (first body paragraph) nor the last one;
* it is one short sentence (at most MAX_CAPTION_WORDS words) without ";" or ":", because a caption
  names a scene, not a list or an argument;
* it does not open with a discourse connective ("Tuy nhiên", "Bên cạnh đó", "Để" ...,
  resources/discourse_openers.txt) and does not follow a paragraph ending in ":" (a list item);
* when the site indents its body paragraphs (most body paragraphs start with spaces), a caption is
  one that is not indented; the indentation then decides alone among short single sentences.
Short one-sentence body paragraphs of an unindented article are the known risk (see tests).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from ingest.normalize import fold_accents

MAX_CAPTION_WORDS = 40
INDENT = 2
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’)\]]*\s+(?=[\"“(]?[^\W\d_])")


def sentence_count(text: str) -> int:
    inner = [m for m in _SENTENCE_BREAK.finditer(text.strip()) if text.strip()[m.end() :][:1].isupper()]
    return len(inner) + 1


@lru_cache(maxsize=1)
def _openers() -> tuple[str, ...]:
    raw = resources.files("ingest.resources").joinpath("discourse_openers.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def is_caption_candidate(text: str) -> bool:
    text = text.strip()
    folded = " ".join(re.findall(r"\w+", fold_accents(text)))
    opens_argument = any(folded == o or folded.startswith(o + " ") for o in _openers())
    return (
        len(text.split()) <= MAX_CAPTION_WORDS
        and sentence_count(text) == 1
        and not opens_argument
        and ";" not in text
        and ":" not in text
        and not text.endswith(("…", "..."))
    )


def mark_captions(units: list) -> None:
    body = [u for u in units if u.kind == "body"]
    if len(body) < 3:
        return
    indented = sum(u.indent >= INDENT for u in body)
    uses_indent = indented >= len(body) / 2
    for previous, unit in zip(body, body[1:-1]):
        if not is_caption_candidate(unit.flat) or previous.flat.rstrip().endswith(":"):
            continue
        if uses_indent and unit.indent >= INDENT:
            continue
        unit.kind = "caption"
