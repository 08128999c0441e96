"""`tracuu users ...` and `tracuu tokens ...`: manage who may sign in and the API tokens of programs.

Consumes the settings (users file: --users-file, $TRACUU_USERS_FILE, or tracuu-users.json beside the
index folder) and the terminal (passwords from a prompt, or one line of standard input with
--password-stdin); produces changes to the users file through search_app.users.UserStore. A running
server sees each change at its next request. Errors are one Vietnamese line and exit code 2.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from search_app.cli_common import console, fail
from search_app.settings import Settings
from search_app.user_records import UserError
from search_app.users import UserStore

users_app = typer.Typer(
    help="Người dùng đăng nhập và nhóm của họ (users file outside the index).", no_args_is_help=True
)
tokens_app = typer.Typer(help="Mã truy cập (API tokens) cho chương trình gọi /api/.", no_args_is_help=True)

UsersFileOption = Annotated[
    Path | None,
    typer.Option(
        "--users-file",
        help="Users file (default: $TRACUU_USERS_FILE or tracuu-users.json beside the index folder).",
    ),
]
IndexDirOption = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index folder whose parent holds the users file by default."),
]


def _reason(exc: Exception) -> str:
    if isinstance(
        exc, OSError
    ):  # writing: a read-only folder, no permission, a full disk (reads fail as UserError)
        return f"không ghi được tệp người dùng {exc.filename or ''}: {exc.strerror or exc}"
    return str(exc)


def _store(users_file: Path | None, index_dir: Path | None) -> UserStore:
    values = {k: v for k, v in {"users_file": users_file, "index_dir": index_dir}.items() if v is not None}
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        fail("; ".join(e["msg"] for e in exc.errors()))
    return UserStore(settings.users_path)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if first and getpass.getpass("Nhập lại mật khẩu: ") != first:
        fail("hai lần nhập mật khẩu không khớp")
    return first


PasswordStdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from one line of standard input (scripts)."),
]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập (chữ cái, chữ số, _ . @ -).")],
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="A group the user belongs to (repeatable).")
    ] = None,
    password_stdin: PasswordStdinOption = False,
    users_file: UsersFileOption = None,
    index_dir: IndexDirOption = None,
) -> None:
    """Add a user with their groups; the password is asked for (twice) or read from stdin."""
    store = _store(users_file, index_dir)
    try:
        store.check_new_user(name, group or [])  # before asking for a password that would be thrown away
        user = store.add_user(name, _password(password_stdin), group or [])
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    console.print(f"Đã thêm người dùng {user.name} (nhóm: {', '.join(user.groups)}) vào {store.path}")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    password_stdin: PasswordStdinOption = False,
    users_file: UsersFileOption = None,
    index_dir: IndexDirOption = None,
) -> None:
    """Set a new password; the user's open sessions end (their API tokens stay)."""
    store = _store(users_file, index_dir)
    try:
        if store.user(name) is None:
            raise UserError(f"không có người dùng {name} (xem: tracuu users list)")
        store.set_password(name, _password(password_stdin))
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    console.print(f"Đã đổi mật khẩu của {name}; các phiên đăng nhập cũ đã hết hiệu lực.")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    users_file: UsersFileOption = None,
    index_dir: IndexDirOption = None,
) -> None:
    """Remove a user: their sessions and API tokens stop working at once."""
    store = _store(users_file, index_dir)
    try:
        tokens = store.remove_user(name)
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    console.print(f"Đã xoá người dùng {name} và {tokens} mã truy cập của họ.")


@users_app.command("list")
def users_list(users_file: UsersFileOption = None, index_dir: IndexDirOption = None) -> None:
    """List users and their groups."""
    store = _store(users_file, index_dir)
    try:
        users, tokens = store.users(), store.tokens()
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    table = Table("Người dùng", "Nhóm", "Mã truy cập")
    for user in users:
        table.add_row(user.name, ", ".join(user.groups), str(sum(t.user == user.name for t in tokens)))
    Console().print(table if users else f"Chưa có người dùng nào ({store.path}).")


@tokens_app.command("create")
def tokens_create(
    user: Annotated[str, typer.Option("--user", help="Owner: the token acts as this user.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    users_file: UsersFileOption = None,
    index_dir: IndexDirOption = None,
) -> None:
    """Create an API token and print it once (only its hash is kept)."""
    store = _store(users_file, index_dir)
    try:
        token = store.create_token(user, label)
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    sys.stdout.write(token + "\n")
    console.print(
        f"Mã truy cập của {user} (chỉ hiện một lần; dùng: Authorization: Bearer <mã>). Thu hồi: tracuu tokens revoke {token[:8]}"
    )


@tokens_app.command("revoke")
def tokens_revoke(
    prefix: Annotated[
        str, typer.Argument(help="The first characters of the token (see `tracuu tokens list`).")
    ],
    users_file: UsersFileOption = None,
    index_dir: IndexDirOption = None,
) -> None:
    """Revoke a token: requests carrying it get 401 from the next one on."""
    store = _store(users_file, index_dir)
    try:
        info = store.revoke_token(prefix)
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    console.print(f"Đã thu hồi mã {info.prefix}… của {info.user}{f' ({info.label})' if info.label else ''}.")


@tokens_app.command("list")
def tokens_list(users_file: UsersFileOption = None, index_dir: IndexDirOption = None) -> None:
    """List tokens by prefix, owner, label and creation time (never the tokens themselves)."""
    store = _store(users_file, index_dir)
    try:
        tokens = store.tokens()
    except (UserError, OSError) as exc:
        fail(_reason(exc))
    table = Table("Mã (đầu)", "Người dùng", "Nhãn", "Tạo lúc (UTC)")
    for t in tokens:
        table.add_row(t.prefix + "…", t.user, t.label, t.created)
    Console().print(table if tokens else "Chưa có mã truy cập nào.")
