"""Cleaning: raw document text -> blocks of lines that belong to the document itself.

Consumes the text a reader produced; produces `Block`s (lines, indentation) with the web-portal
furniture, received-stamp blocks and Markdown/HTML emphasis removed and the paragraphs that a page
break split mid-sentence rejoined. Every rule is generic:

* known portal patterns (resources/furniture_patterns.txt, matched on the accent-folded line);
* lines repeated three or more times in one document (login prompts, widget headers);
* a widget title doubled on one line ("Liên kết web Liên kết web") and bare counter digits;
* before an administrative header (national/Party motto with its issuing body) nothing belongs to
  the document; after the last signature only recipients and real sentences do;
* short lines without sentence punctuation at the tail of any document;
* a received-stamp block ("ĐẾN", "SỐ ...", "CHUYÊN:.....");
* a block that does not end a sentence followed by one that starts in lower case is one paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ingest.dates import PLACE_DATE
from ingest.doctypes import type_from_heading
from ingest.normalize import fold_accents

TERMINAL = '.!?…:;"”»)'
_SEPARATOR = re.compile(r"^[\s\-_=~*·.]+$")
_CELL_GAP = re.compile(r"\t+|\s{4,}")
_COUNTER_DIGITS = re.compile(r"^[\d\s.,]+$")
_DOUBLED = re.compile(r"^(.{3,60}?)\s+\1$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_INLINE_TAGS = re.compile(r"</?(?:b|i|u|em|strong|span|font|small|big|sup|sub)(?:\s[^>]*)?>|<br\s*/?>", re.I)
_FILL_IN = re.compile(r":\s*\.{3,}|\.{5,}")
_SIGNATURE_TITLE = re.compile(
    r"^(?:T/M|TM\.?|K/T|KT\.?|Q\.|TL\.|TUQ\.|THAY MẶT|THỪA LỆNH|KÝ THAY|Q\. ?CHỦ TỊCH)\s", re.I
)
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "dang cong san viet nam", "doc lap - tu do - hanh phuc")
_SOURCE_LINE = re.compile(r"^(theo|nguon)\b", re.I)


@dataclass
class Block:
    lines: list[str]
    indent: int = 0  # leading spaces of the first line in the source (news sites indent body text)

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@lru_cache(maxsize=1)
def furniture_patterns() -> list[re.Pattern[str]]:
    raw = resources.files("ingest.resources").joinpath("furniture_patterns.txt").read_text(encoding="utf-8")
    return [
        re.compile(line.strip()) for line in raw.splitlines() if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=65536)  # header, furniture and signature lines repeat across a corpus
def fold_line(line: str) -> str:
    folded = fold_accents(line).strip()
    return re.sub(r"\s*[–—]\s*", " - ", re.sub(r"\s+", " ", folded))


def is_sentence_end(text: str) -> bool:
    return text.rstrip().endswith(tuple(TERMINAL))


def is_all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) / len(letters) > 0.85


def is_motto(text: str) -> bool:
    folded = fold_line(text)
    return any(m in folded for m in _MOTTO)


def is_signature_title(line: str) -> bool:
    return bool(_SIGNATURE_TITLE.match(line.strip()))


def strip_markup(text: str) -> str:
    """Remove Markdown/HTML emphasis; two bold runs glued together ("****") mark a line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"\*{4}|_{4}", "\n", text)
    text = re.sub(r"\*\*|__", "", text)
    text = _INLINE_TAGS.sub("", text)
    return "\n".join(_MD_HEADING.sub("", line) for line in text.split("\n"))


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    indent = 0
    for raw in text.split("\n"):
        if not raw.strip():
            if current:
                blocks.append(Block(current, indent))
            current = []
            continue
        if not current:
            expanded = raw.expandtabs(4)
            indent = len(expanded) - len(expanded.lstrip(" "))
        # a two-column layout flattened to text ("TỈNH ỦY HÀ TĨNH      ĐẢNG CỘNG SẢN VIỆT NAM") keeps
        # its columns apart with tabs or runs of spaces: each cell is a line of its own
        for cell in _CELL_GAP.split(raw.strip()):
            if cell.strip():
                current.append(" ".join(cell.split()))
    if current:
        blocks.append(Block(current, indent))
    return blocks


def _is_furniture_line(line: str, repeated: set[str]) -> bool:
    folded = fold_line(line)
    if not folded or _SEPARATOR.match(line):
        return True
    if folded in repeated:
        return True
    if _DOUBLED.match(line.strip()):
        return True
    digits = sum(ch.isdigit() for ch in line)
    if _COUNTER_DIGITS.match(line) and digits >= 4:
        return True
    return any(p.search(folded) for p in furniture_patterns())


def _repeated_lines(blocks: list[Block]) -> set[str]:
    counts = Counter(fold_line(line) for block in blocks for line in block.lines)
    # Bullets and numbering legitimately repeat ("- Như trên;"), so only plain lines count.
    return {
        line
        for line, n in counts.items()
        if n >= 3 and 3 < len(line) and len(line.split()) <= 25 and not re.match(r"^[-+•]|^\d", line)
    }


@lru_cache(maxsize=1)
def stamp_words() -> tuple[str, ...]:
    raw = resources.files("ingest.resources").joinpath("stamp_words.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def is_stamp_block(block: Block) -> bool:
    """A received stamp: short lines of stamp words, with "ĐẾN" alone or fill-in fields ("CHUYÊN:.....")."""
    folded = [fold_line(line) for line in block.lines]
    if len(block.lines) < 2 or any(len(line.split()) > 8 for line in folded):
        return False
    letters = [re.sub(r"[^a-z ]", " ", line).split() for line in folded]
    stamp_lines = sum(any(" ".join(words).startswith(w) for w in stamp_words()) for words in letters if words)
    lone_den = any(words == ["den"] for words in letters)
    fill_ins = sum(bool(_FILL_IN.search(line)) for line in folded)
    return stamp_lines >= 2 and (lone_den and fill_ins >= 1 or fill_ins >= 2)


def _header_start(blocks: list[Block]) -> int | None:
    """Index of the first block of an administrative header (issuing body + motto), if there is one."""
    limit = max(6, len(blocks) // 3)
    for i, block in enumerate(blocks[:limit]):
        if any(is_motto(line) for line in block.lines):
            start = i
            while start > 0:
                prev = blocks[start - 1]
                if (
                    is_all_caps(prev.text)
                    and len(prev.text.split()) <= 20
                    or re.match(r"^số\s*:?\s*\d", prev.text, re.I)
                ):
                    start -= 1
                else:
                    break
            return start
    return None


def _is_recipients_start(block: Block) -> bool:
    return fold_line(block.lines[0]).startswith("noi nhan")


def _is_bullet(line: str) -> bool:
    return bool(re.match(r"^[-+•–]\s*", line))


def _trim_tail(blocks: list[Block]) -> list[Block]:
    last_signature = max((i for i, b in enumerate(blocks) if is_signature_title(b.lines[0])), default=None)
    if last_signature is not None:
        end = last_signature
        # the signer's name (and "(Đã ký)", the position) follow the title within a few short blocks
        for j in range(last_signature + 1, min(len(blocks), last_signature + 4)):
            if len(blocks[j].text.split()) <= 8 and not is_sentence_end(blocks[j].text.rstrip(")")):
                end = j
                if looks_like_name(blocks[j].lines[-1]):
                    break
            else:
                break
        kept = blocks[: end + 1]
        in_recipients = False
        for k, block in enumerate(blocks[end + 1 :], end + 1):
            if _starts_attachment(block):  # another document follows (a letter's attachment): keep it all
                kept.extend(blocks[k:])
                break
            if _is_recipients_start(block):
                in_recipients = True
            elif not (in_recipients and all(_is_bullet(line) for line in block.lines)):
                in_recipients = False
            if in_recipients or _is_real_sentence(block.text):
                kept.append(block)
        blocks = kept
        protected = end + 1  # the signature block itself is never tail furniture
    else:
        protected = 1
    while (
        len(blocks) > protected
        and not is_sentence_end(blocks[-1].text)
        and len(blocks[-1].text.split()) <= 10
    ):
        if (
            _SOURCE_LINE.match(blocks[-1].text)
            or looks_like_name(blocks[-1].text)
            or _is_bullet(blocks[-1].text)
        ):
            break
        blocks.pop()
    return blocks


def _starts_attachment(block: Block) -> bool:
    """The header of another document: its number line ("Số: 44-KL/TW") or an all-caps type heading."""
    text = block.text
    if re.match(r"^số\s*:?\s*\d+\S*$", text.strip(), re.I) or PLACE_DATE.match(text):
        return True
    return is_all_caps(text) and len(text.split()) <= 12 and type_from_heading(text) is not None


def _is_real_sentence(text: str) -> bool:
    return len(text.split()) >= 12 and is_sentence_end(text)


def looks_like_name(text: str) -> bool:
    """A person's name as signed: 2-6 capitalised words, not all capitals ("Thái Thị Bích Thủy")."""
    words = text.strip().split()
    return (
        2 <= len(words) <= 6 and all(w.isalpha() and w[0].isupper() for w in words) and not is_all_caps(text)
    )


def rejoin_page_breaks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if out:
            prev = out[-1]
            last = prev.lines[-1]
            first = block.lines[0]
            if (
                first[:1].islower()
                and not is_sentence_end(last)
                and not is_all_caps(last)
                and not _is_bullet(first)
            ):
                out[-1] = Block(prev.lines[:-1] + [f"{last} {first}"] + block.lines[1:], prev.indent)
                continue
        out.append(block)
    return out


def clean_text(text: str) -> list[Block]:
    """The cleaning pipeline: markup, blocks, furniture, stamps, head/tail, page-break rejoin."""
    blocks = split_blocks(strip_markup(text))
    repeated = _repeated_lines(blocks)
    cleaned: list[Block] = []
    for block in blocks:
        lines = [line for line in block.lines if not _is_furniture_line(line, repeated)]
        if lines:
            cleaned.append(Block(lines, block.indent))
    cleaned = [b for b in cleaned if not is_stamp_block(b)]
    start = _header_start(cleaned)
    if start:
        cleaned = cleaned[start:]
    cleaned = _trim_tail(cleaned)
    return rejoin_page_breaks(cleaned)
