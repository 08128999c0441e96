"""Users, their groups and API tokens, kept in one JSON file outside the index.

Consumes the users file (settings.users_path; `{"format": "tracuu-users", "version": 1, "users": {...},
"tokens": [...]}`, pickle-free, mode 0600) and produces `UserStore`: the CLI adds and removes users and
tokens (each change under a file lock, written to a temporary file then `os.replace`d), the server
checks passwords and tokens against the file as it is now (re-read when its mtime changes, so a removed
user's sessions and tokens stop working at the next request). Passwords are Argon2id hashes
(argon2-cffi); a token is stored only as its SHA-256.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
import threading
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock

from search_app.user_records import (
    FORMAT,
    FORMAT_VERSION,
    MIN_PREFIX,
    PREFIX_CHARS,
    TokenInfo,
    User,
    UserError,
    UsersFileError,
    _check_groups,
    _check_name,
    _check_password,
    _names_token,
    _now,
    _taken,
    _well_formed,
    token_digest,
)


class UserStore:
    """The users file at `path`; every read sees the file as it is now, every change is one locked,
    atomic rewrite."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None):
        self.path = Path(path)
        self.hasher = hasher or PasswordHasher()
        self._lock = FileLock(str(self.path) + ".lock")
        self._memo_lock = threading.Lock()
        self._memo: tuple[tuple | None, dict] = (None, self._empty())
        self._decoy: str | None = None  # hash checked for unknown names, so they take as long as known ones

    @staticmethod
    def _empty() -> dict:
        return {"format": FORMAT, "version": FORMAT_VERSION, "users": {}, "tokens": []}

    # -- reading ---------------------------------------------------------------------------------------
    def _signature(self) -> tuple | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:  # a parent that is a file, no permission to look: no users can be read
            raise UsersFileError(
                f"không đọc được tệp người dùng {self.path}: {exc.strerror or exc}"
            ) from None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self._empty()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UsersFileError(f"không đọc được tệp người dùng {self.path}: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise UsersFileError(f"{self.path} không phải tệp người dùng của tracuu")
        if data.get("version") != FORMAT_VERSION:
            raise UsersFileError(
                f"tệp người dùng {self.path} có phiên bản {data.get('version')!r}, bản này đọc phiên bản {FORMAT_VERSION}"
            )
        if not _well_formed(data):  # a hand edit gone wrong fails here, not as a 500 later
            raise UsersFileError(f"tệp người dùng {self.path} sai cấu trúc (users, tokens)")
        return data

    def data(self) -> dict:
        """The file's contents, re-read only when its mtime, size or inode changed."""
        signature = self._signature()
        with self._memo_lock:
            if signature is None or signature != self._memo[0]:
                self._memo = (signature, self._read())
            return self._memo[1]

    def user(self, name: str) -> User | None:
        record = self.data()["users"].get(name)
        if record is None:
            return None
        return User(name, tuple(record["groups"]), int(record.get("session_version", 0)))

    def users(self) -> list[User]:
        return [u for u in (self.user(n) for n in sorted(self.data()["users"])) if u]

    def tokens(self) -> list[TokenInfo]:
        return [
            TokenInfo(t["prefix"], t["user"], t.get("label", ""), t.get("created", ""))
            for t in self.data()["tokens"]
        ]

    # -- checking credentials --------------------------------------------------------------------------
    def decoy_hash(self) -> str:
        """A hash of nothing anyone knows, made once (the server makes it at start-up, so even the first
        unknown name costs one Argon2 check, like a known one)."""
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._decoy

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is theirs, else None (unknown names cost the same Argon2 check).
        A hash made with weaker parameters than today's is replaced by a new one."""
        record = self.data()["users"].get(name)
        if record is None:
            try:
                self.hasher.verify(self.decoy_hash(), password)
            except VerificationError:
                pass
            return None
        try:
            self.hasher.verify(record["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(record["password_hash"]):
            new_hash = self.hasher.hash(password)

            def rehash(data):
                if name in data["users"]:
                    data["users"][name]["password_hash"] = new_hash

            self._change(rehash)
        return self.user(name)

    def token_user(self, token: str) -> User | None:
        """The owner of a valid token, None for an unknown or revoked one or a removed owner."""
        digest = token_digest(token)
        for record in self.data()["tokens"]:
            if hmac.compare_digest(record["sha256"], digest):
                return self.user(record["user"])
        return None

    # -- changing --------------------------------------------------------------------------------------
    def _change(self, edit):
        """Apply `edit(data)` to the file as it is on disk, under the lock; returns what `edit` returns."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            data = self._read()
            result = edit(data)
            self._write(data)
        return result

    def _write(self, data: dict) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".tracuu-users-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def check_new_user(self, name: str, groups: list[str]) -> list[str]:
        """The clean group list, or UserError for a bad or taken name or bad groups (the CLI asks
        before prompting for a password)."""
        _check_name(name)
        clean_groups = _check_groups(groups)
        if name in self.data()["users"]:
            raise UserError(_taken(name))
        return clean_groups

    def add_user(self, name: str, password: str, groups: list[str]) -> User:
        clean_groups = self.check_new_user(name, groups)
        password_hash = self.hasher.hash(_check_password(password))

        def edit(data):
            if name in data["users"]:  # added meanwhile by another process
                raise UserError(_taken(name))
            # session versions never repeat for a name, so a cookie of a removed user fails for a new one
            version = data.setdefault("retired_versions", {}).pop(name, 0)
            data["users"][name] = {
                "password_hash": password_hash,
                "groups": clean_groups,
                "session_version": version + 1,
                "created": _now(),
            }

        self._change(edit)
        return self.user(name)

    def set_password(self, name: str, password: str) -> None:
        password_hash = self.hasher.hash(_check_password(password))

        def edit(data):
            record = self._known(data, name)
            record.update(password_hash=password_hash, session_version=record.get("session_version", 0) + 1)

        self._change(edit)

    def end_sessions(self, name: str) -> None:
        """Every login cookie of this user stops working (logout signs out everywhere)."""

        def edit(data):
            if name in data["users"]:
                record = data["users"][name]
                record["session_version"] = record.get("session_version", 0) + 1

        self._change(edit)

    def remove_user(self, name: str) -> int:
        """Remove the user and their tokens; returns how many tokens went with them."""

        def edit(data):
            record = self._known(data, name)
            data.setdefault("retired_versions", {})[name] = record.get("session_version", 0) + 1
            del data["users"][name]
            kept = [t for t in data["tokens"] if t["user"] != name]
            removed = len(data["tokens"]) - len(kept)
            data["tokens"] = kept
            return removed

        return self._change(edit)

    def create_token(self, user: str, label: str = "") -> str:
        """A new token for `user`; the only time its text exists outside the caller's hands is now."""
        token = secrets.token_urlsafe(32)
        while token.startswith("-"):  # its prefix is typed as an argument (`tokens revoke`), never an option
            token = secrets.token_urlsafe(32)

        def edit(data):
            self._known(data, user)
            data["tokens"].append(
                {
                    "prefix": token[:PREFIX_CHARS],
                    "sha256": token_digest(token),
                    "user": user,
                    "label": label,
                    "created": _now(),
                }
            )

        self._change(edit)
        return token

    def revoke_token(self, prefix: str) -> TokenInfo:
        if len(prefix) < MIN_PREFIX:
            raise UserError(f"cần ít nhất {MIN_PREFIX} ký tự đầu của mã (xem: tracuu tokens list)")

        def edit(data):
            matches = [t for t in data["tokens"] if _names_token(t, prefix)]
            if not matches:
                raise UserError(f"không có mã nào bắt đầu bằng {prefix!r} (xem: tracuu tokens list)")
            if len(matches) > 1:
                raise UserError(f"có {len(matches)} mã bắt đầu bằng {prefix!r}; hãy gõ thêm ký tự")
            data["tokens"].remove(matches[0])
            t = matches[0]
            return TokenInfo(t["prefix"], t["user"], t.get("label", ""), t.get("created", ""))

        return self._change(edit)

    @staticmethod
    def _known(data: dict, name: str) -> dict:
        record = data["users"].get(name)
        if record is None:
            raise UserError(f"không có người dùng {name} (xem: tracuu users list)")
        return record
