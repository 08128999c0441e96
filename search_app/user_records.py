"""The users file's records and their checks: names, groups, passwords, token digests (search_app.users).

Consumes what a person types at `tracuu users` / `tracuu tokens` and what the users file holds; produces
the validated values (or a Vietnamese `UserError`) and the typed `User` / `TokenInfo` the store returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

FORMAT, FORMAT_VERSION = "tracuu-users", 1
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")  # letters (Vietnamese too), digits, _ . @ -
PREFIX_CHARS = 8  # shown by `tokens list` to name a token; the other ~200 bits stay secret
MIN_PREFIX = 4  # `tokens revoke` needs at least this many characters


class UserError(ValueError):
    """A request the store refuses (unknown or duplicate user, empty password, ...); the message is
    Vietnamese and meant for the person at the terminal."""


class UsersFileError(UserError):
    """The users file cannot be read as a users file of this version."""


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...]
    session_version: int  # in every login cookie; bumped on logout, password change and removal


@dataclass(frozen=True)
class TokenInfo:
    prefix: str
    user: str
    label: str
    created: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def token_digest(token: str) -> str:
    # A token carries 256 random bits, so one fast hash suffices: no guessing or dictionary to slow down.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> str:
    if not NAME_PATTERN.match(name or ""):
        raise UserError(
            f"tên người dùng không hợp lệ: {name!r} (1-64 chữ cái, chữ số hoặc _ . @ -, không có dấu cách)"
        )
    return name


def _check_groups(groups: list[str]) -> list[str]:
    clean = sorted({g.strip() for g in groups})
    if not clean or "" in clean:
        raise UserError("mỗi người dùng cần ít nhất một nhóm (--group TÊN), tên nhóm không được trống")
    for group in clean:  # group names are matched to documents' access lists, written by people
        if len(group) > 100 or any(ord(c) < 32 or c == "\x7f" for c in group):
            raise UserError(
                f"tên nhóm không hợp lệ: {group[:100]!r} (tối đa 100 ký tự, không có ký tự điều khiển)"
            )
    return clean


def _taken(name: str) -> str:
    return f"người dùng {name} đã có; xoá trước (tracuu users remove {name}) nếu muốn tạo lại"


def _check_password(password: str) -> str:
    if not password or not password.strip():
        raise UserError("mật khẩu không được để trống")
    return password


def _well_formed(data: dict) -> bool:
    users, tokens = data.get("users"), data.get("tokens")
    return (
        isinstance(users, dict)
        and isinstance(tokens, list)
        and all(
            isinstance(r, dict)
            and isinstance(r.get("password_hash"), str)
            and isinstance(r.get("groups"), list)
            for r in users.values()
        )
        and all(
            isinstance(t, dict) and all(isinstance(t.get(k), str) for k in ("prefix", "sha256", "user"))
            for t in tokens
        )
    )


def _names_token(record: dict, given: str) -> bool:
    """`given` is the start of the token's shown prefix, or the whole token."""
    if len(given) <= PREFIX_CHARS:
        return record["prefix"].startswith(given)
    return hmac.compare_digest(record["sha256"], token_digest(given))
