"""The users and tokens commands (add, list, remove, passwd prompts, tokens create/list/revoke) and where the
users file and the audit log live."""

from __future__ import annotations

import json
import stat

import pytest
from auth_helpers import PASSWORD, cli

from search_app.settings import Settings
from search_app.users import UserStore

# -- the command line ------------------------------------------------------------------------------------


def test_users_cli_add_list_remove_and_tokens(tmp_path):
    users = str(tmp_path / "users.json")
    added = cli("users", "add", "nguyen.an", "--group", "ban-tuyen-giao", "-g", "van-phong",
                "--password-stdin", "--users-file", users, input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    raw = (tmp_path / "users.json").read_text(encoding="utf-8")
    assert PASSWORD not in raw and "$argon2id$" in raw and json.loads(raw)["version"] == 1
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600

    duplicate = cli(
        "users", "add", "nguyen.an", "-g", "x", "--password-stdin", "--users-file", users, input="x\n"
    )
    assert duplicate.exit_code == 2 and "đã có" in duplicate.output
    empty = cli("users", "add", "tran.binh", "-g", "x", "--password-stdin", "--users-file", users, input="\n")
    assert empty.exit_code == 2 and "mật khẩu không được để trống" in empty.output
    no_group = cli("users", "add", "tran.binh", "--password-stdin", "--users-file", users, input="pw\n")
    assert no_group.exit_code == 2 and "ít nhất một nhóm" in no_group.output
    assert cli("users", "remove", "khong.co", "--users-file", users).exit_code == 2

    listed = cli("users", "list", "--users-file", users)
    assert (
        listed.exit_code == 0
        and "nguyen.an" in listed.output
        and "ban-tuyen-giao, van-phong" in listed.output
    )
    assert "tran.binh" not in listed.output

    created = cli("tokens", "create", "--user", "nguyen.an", "--label", "báo cáo", "--users-file", users)
    assert created.exit_code == 0
    token = created.stdout.splitlines()[0]
    assert len(token) >= 43 and token not in (tmp_path / "users.json").read_text(encoding="utf-8")
    assert UserStore(tmp_path / "users.json").token_user(token).name == "nguyen.an"
    tokens = cli("tokens", "list", "--users-file", users)
    assert token[:8] in tokens.output and "báo cáo" in tokens.output and token not in tokens.output
    assert cli("tokens", "create", "--user", "khong.co", "--users-file", users).exit_code == 2
    assert cli("tokens", "revoke", "zz", "--users-file", users).exit_code == 2  # too short to name one
    assert cli("tokens", "revoke", token[:6], "--users-file", users).exit_code == 0
    assert UserStore(tmp_path / "users.json").token_user(token) is None

    second = cli("tokens", "create", "--user", "nguyen.an", "--users-file", users).stdout.splitlines()[0]
    removed = cli("users", "remove", "nguyen.an", "--users-file", users)
    assert removed.exit_code == 0 and "1 mã truy cập" in removed.output
    store = UserStore(tmp_path / "users.json")
    assert store.users() == [] and store.token_user(second) is None


def test_users_add_asks_for_the_password_twice(tmp_path, monkeypatch):
    import getpass

    users = str(tmp_path / "users.json")
    typed = iter(["một mật khẩu", "mật khẩu khác", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    mismatch = cli("users", "add", "nguyen.an", "-g", "van-phong", "--users-file", users)
    assert mismatch.exit_code == 2 and "không khớp" in mismatch.output
    assert cli("users", "add", "nguyen.an", "-g", "van-phong", "--users-file", users).exit_code == 0
    assert UserStore(tmp_path / "users.json").authenticate("nguyen.an", PASSWORD).name == "nguyen.an"


def test_users_file_defaults_beside_the_index_and_never_inside(tmp_path):
    settings = Settings(index_dir=tmp_path / "idx")
    assert settings.users_path == tmp_path / "tracuu-users.json"
    assert settings.audit_path == tmp_path / "tracuu-audit.jsonl"
    with pytest.raises(ValueError, match="inside the index"):
        Settings(index_dir=tmp_path / "idx", users_file=tmp_path / "idx" / "users.json")
