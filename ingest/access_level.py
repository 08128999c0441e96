"""Who may read a document, as given with it: a JSONL record's or a sidecar's `access`, or a folder's
`.access.json`.

Consumes the raw `access` value given in the data and the files' folders; produces the document's
`ingest.models.AccessLevel` ("public", "internal" or a list of group names) with where it came from
("jsonl", "sidecar", "folder:<path of .access.json>"). An invalid value raises `ReadError` with a
Vietnamese reason, so the pipeline skips that file or line: a document whose level cannot be read is
never indexed as public. The nearest `.access.json` (the file's folder, then each folder above it)
gives the level of every file below it; a JSONL or sidecar value is more specific and wins.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.encoding import decode_text
from ingest.errors import ReadError
from ingest.models import AccessLevel

FOLDER_FILE = ".access.json"
PUBLIC, INTERNAL = "public", "internal"


def parse_access(value: object, where: str) -> AccessLevel:
    """'public', 'internal' or a non-empty list of group names (stripped, no whitespace inside)."""
    if isinstance(value, str) and value.strip().lower() in (PUBLIC, INTERNAL):
        return value.strip().lower()
    if isinstance(value, list) and value:
        groups = [g.strip() if isinstance(g, str) else g for g in value]
        if all(isinstance(g, str) and g and not any(ch.isspace() for ch in g) for g in groups):
            return list(dict.fromkeys(groups))
    raise ReadError(
        f"{where}: mức truy cập (access) không hợp lệ: {json.dumps(value, ensure_ascii=False)}; "
        'dùng "public", "internal" hoặc danh sách tên nhóm không rỗng, không có khoảng trắng '
        '(ví dụ ["dang-uy", "ban-tuyen-giao"])'
    )


def opens_to(source: AccessLevel, target: AccessLevel) -> bool:
    """Whether every reader of a `target` document may also read the `source` one (so values taken from
    `source`, e.g. a date cited there, tell `target`'s readers nothing they may not read)."""
    if source == PUBLIC:
        return True
    if target == PUBLIC:
        return False
    if source == INTERNAL:
        return True  # internal: every signed-in user; a target's readers are signed in
    return target != INTERNAL and set(target) <= set(source)


class FolderAccess:
    """The `.access.json` levels of folders, each file read once per ingest."""

    def __init__(self) -> None:
        self._levels: dict[Path, tuple[AccessLevel, str] | ReadError | None] = {}

    def of(self, file: Path) -> tuple[AccessLevel, str] | None:
        """(level, "folder:<.access.json>") from the nearest `.access.json` above `file`, or None."""
        for folder in Path(file).resolve().parents:
            level = self._read(folder)
            if level is not None:
                return level
        return None

    def _read(self, folder: Path) -> tuple[AccessLevel, str] | None:
        if folder not in self._levels:
            try:
                self._levels[folder] = _folder_level(folder / FOLDER_FILE)
            except ReadError as exc:  # every file below a bad .access.json is skipped, none made public
                self._levels[folder] = exc
        level = self._levels[folder]
        if isinstance(level, ReadError):
            raise level
        return level


def _folder_level(path: Path) -> tuple[AccessLevel, str] | None:
    if not path.is_file():
        return None
    try:
        record = json.loads(decode_text(path.read_bytes()))
    except (OSError, ReadError, json.JSONDecodeError) as exc:
        raise ReadError(f"tệp quyền truy cập {path} không đọc được: {exc}") from exc
    if not isinstance(record, dict) or "access" not in record:
        raise ReadError(f'tệp quyền truy cập {path} phải là {{"access": ...}}')
    return parse_access(record["access"], str(path)), f"folder:{path}"
