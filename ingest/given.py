"""Documents and metadata given as data: JSONL files (one document a line) and `<file>.meta.json` sidecars.

Consumes a JSONL file's bytes, or the path of a document whose sidecar may sit next to it; produces
`RawDocument`s with their given id, metadata and access level (a bad line becomes a `SkippedFile`,
the other lines are read), and a sidecar's metadata. Ids are kept exactly as given (`given_id`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.access_level import parse_access
from ingest.encoding import decode_text
from ingest.errors import ReadError
from ingest.limits import IngestLimits
from ingest.models import AccessLevel, SkippedFile
from ingest.raw import RawDocument, ReadResult, too_big

JSONL_META_FIELDS = ("number", "type", "issuer", "date", "signer", "title", "place", "source")
MAX_GIVEN_ID = 200  # characters: an id is a key to join on, not a text


def _jsonl_lines(data: bytes):
    """(line number, text or None when the line is not UTF-8) per line; a BOM or UTF-16 file is decoded whole."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00\x00" in data[:4096]:
        yield from enumerate(decode_text(data).splitlines(), 1)
        return
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            yield number, raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            yield number, None


def read_jsonl(path: Path, data: bytes, limits: IngestLimits) -> ReadResult:
    result = ReadResult()
    for number, line in _jsonl_lines(data):
        where = f"{path}:{number}"
        try:
            record = _jsonl_record(number, line, limits)
        except ReadError as exc:
            result.problems.append(SkippedFile(path=where, reason=exc.reason))
            continue
        if record is None:
            continue
        access = record.get("access")  # checked by _jsonl_record
        meta = {k: str(record[k]).strip() for k in JSONL_META_FIELDS if record.get(k)}
        result.documents.append(
            RawDocument(
                source_path=where,
                text=str(record["text"]),
                sha256=hashlib.sha256(line.encode("utf-8")).hexdigest(),
                id_hint=given_id(record["id"], f"dòng {number}"),
                given_id=True,
                given_metadata=meta,
                given_source="jsonl",
                access=access,
            )
        )
    if not result.documents and not result.problems:
        raise ReadError("tệp JSONL không có dòng nào")
    return result


def _jsonl_record(number: int, line: str | None, limits: IngestLimits) -> dict | None:
    """One JSONL line as a record; None for a blank line; ReadError saying what is wrong with it."""
    if line is None:
        raise ReadError(f"dòng {number}: không phải UTF-8")
    if not line.strip():
        return None
    if "\x00" in line:
        raise ReadError(f"dòng {number}: có ký tự NUL (dữ liệu nhị phân)")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReadError(f"dòng {number}: JSON không hợp lệ ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ReadError(f"dòng {number}: không phải đối tượng JSON")
    missing = [k for k in ("id", "text") if not str(record.get(k) or "").strip()]
    if missing:
        raise ReadError(f"dòng {number}: thiếu trường {', '.join(missing)}")
    if len(str(record["text"]).encode("utf-8")) > limits.max_text_bytes:
        raise ReadError(
            f"dòng {number}: " + too_big(len(str(record["text"]).encode("utf-8")), limits.max_text_bytes)
        )
    given_id(record["id"], f"dòng {number}")
    if "access" in record:
        record["access"] = parse_access(record["access"], f"dòng {number}")
    return record


def given_id(value, where: str) -> str:
    """An id given in the data, kept exactly; refused when it cannot serve as a key."""
    text = str(value)
    if not text.strip() or len(text) > MAX_GIVEN_ID or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ReadError(
            f"{where}: id không hợp lệ (rỗng, có ký tự điều khiển, hoặc dài hơn {MAX_GIVEN_ID} ký tự)"
        )
    return text


def read_sidecar(path: Path) -> tuple[dict[str, str], AccessLevel | None]:
    """Metadata and access level given next to a document as `<file>.meta.json` (e.g.
    `report.pdf.meta.json`); ({}, None) without one."""
    sidecar = path.with_name(path.name + ".meta.json")
    if not sidecar.is_file():
        return {}, None
    try:
        record = json.loads(decode_text(sidecar.read_bytes()))
    except (ReadError, json.JSONDecodeError) as exc:
        raise ReadError(f"tệp siêu dữ liệu {sidecar.name} không hợp lệ: {exc}") from exc
    if not isinstance(record, dict):
        raise ReadError(f"tệp siêu dữ liệu {sidecar.name} phải là một đối tượng JSON")
    meta = {k: str(record[k]).strip() for k in JSONL_META_FIELDS if record.get(k)}
    if record.get("id") is not None:
        meta["id"] = given_id(record["id"], f"tệp siêu dữ liệu {sidecar.name}")
    access = (
        parse_access(record["access"], f"tệp siêu dữ liệu {sidecar.name}") if "access" in record else None
    )
    return meta, access
