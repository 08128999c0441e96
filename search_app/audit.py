"""The audit log: who signed in, who failed, and who read which non-public document.

Consumes events from search_app.auth / routes_auth (login, login_failed, login_limited, logout,
token_failed) and from the document routes (`record_view`); produces a JSONL file (settings.audit_path,
mode 0600), one object a line: {"time" (ISO UTC), "event", "user", "address", "path", "detail"}.
Lines are appended under a file lock, so several server processes can share one log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from fastapi import Request
from filelock import FileLock

from index.access import PUBLIC, Audience

EVENTS = frozenset({"login", "login_failed", "login_limited", "logout", "token_failed", "view"})
log = logging.getLogger("tracuu.audit")
MAX_FIELD_CHARS = 300  # a user name or path typed by an attacker is kept short in the log


def _short(value) -> str | None:
    return None if value is None else str(value)[:MAX_FIELD_CHARS]


def client_address(request: Request) -> str:
    # uvicorn rewrites request.client from X-Forwarded-For only for proxies named in --forwarded-allow-ips
    return request.client.host if request.client else "unknown"


class AuditLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock")

    def record(
        self,
        event: str,
        *,
        user: str | None = None,
        address: str | None = None,
        path: str | None = None,
        detail: str | dict | None = None,
    ) -> dict:
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "user": _short(user),
            "address": _short(address),
            "path": _short(path),
            "detail": detail if isinstance(detail, dict) else _short(detail),
        }
        line = json.dumps(entry, ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as out:
                    out.write(line + "\n")
        except OSError as exc:  # the request is still answered; the record goes to the server's log
            log.error("audit log %s not written (%s): %s", self.path, exc, line)
        return entry

    def record_request(self, request: Request, event: str, *, user: str | None = None, detail=None) -> dict:
        return self.record(
            event, user=user, address=client_address(request), path=request.url.path, detail=detail
        )

    def entries(self) -> list[dict]:
        """Every record so far (tests and inspection; the log is meant to be read with jq)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]


def record_view(request: Request, audience: Audience, doc) -> dict | None:
    """Log that `audience` opened `doc` (an ingest.models.Document or anything with doc_id and access)
    when the document is not public; public reads are not logged. Returns the record written, if any."""
    access = getattr(doc, "access", PUBLIC)
    if access in (None, PUBLIC):
        return None
    log: AuditLog = request.app.state.audit
    return log.record_request(
        request,
        "view",
        user=audience.user,
        detail={"doc_id": _short(doc.doc_id), "access": access if isinstance(access, str) else list(access)},
    )
