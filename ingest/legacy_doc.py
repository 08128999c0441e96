"""Legacy Word `.doc` files (Word 97-2003, still common in offices) -> a temporary `.docx` for the .docx reader.

Consumes a `.doc` path; `converted_to_docx` yields the path of a `.docx` that LibreOffice (Debian
`libreoffice-writer-nogui`, run headless) wrote from it in a temporary folder, removed afterwards. The
reader then reads it like any `.docx`, so tables, body order and Vietnamese text come out the same way.
LibreOffice is optional: without it a `.doc` is a `ReadError` (the file is skipped) with an install hint.

Why LibreOffice and not antiword/catdoc: on a small Vietnamese letter antiword refused the file ("text
stream too small") and catdoc lost the header table; LibreOffice kept every paragraph, the table and all
diacritics. It also reads the RTF or HTML that web systems often save under a `.doc` name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.errors import ReadError

CONVERTERS = ("soffice", "libreoffice")
CONVERT_TIMEOUT_S = 180
INSTALL_HINT = "cài LibreOffice để đọc tệp .doc: apt-get install libreoffice-writer-nogui"


def converter_command() -> str:
    for name in CONVERTERS:
        found = shutil.which(name)
        if found:
            return found
    raise ReadError(f"tệp Word cũ (.doc) cần LibreOffice để chuyển đổi; {INSTALL_HINT}")


@contextmanager
def converted_to_docx(path: Path) -> Iterator[Path]:
    """The `.doc` converted to a `.docx` in a temporary folder (deleted when the block ends)."""
    binary = converter_command()
    with tempfile.TemporaryDirectory(prefix="tracuu-doc-") as work:
        folder = Path(work)
        source = folder / "input.doc"  # a plain name: the user's may start with "-" or hold odd characters
        try:
            shutil.copyfile(path, source)
        except OSError as exc:
            raise ReadError(f"không đọc được tệp: {exc.strerror or exc}") from exc
        command = [
            binary, "--headless", "--norestore", "--nolockcheck",
            # An own profile per conversion: two LibreOffice runs sharing one profile block each other.
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "out"), str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, cwd=folder,
                                  env=_child_env(folder))
        except subprocess.TimeoutExpired as exc:
            raise ReadError(f"chuyển đổi tệp .doc quá {CONVERT_TIMEOUT_S} giây (tệp hỏng hoặc có mật khẩu?)") from exc
        except OSError as exc:
            raise ReadError(f"không chạy được LibreOffice: {exc}; {INSTALL_HINT}") from exc
        converted = folder / "out" / "input.docx"
        if not converted.is_file():
            # LibreOffice exits 0 even when it could not read the file; its stderr says why, when it says.
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            raise ReadError(f"tệp .doc hỏng hoặc có mật khẩu, LibreOffice không chuyển được{detail}")
        yield converted


def _child_env(folder: Path) -> dict[str, str]:
    # HOME may be unset or read-only for a service account; LibreOffice writes caches under it.
    return {**os.environ, "HOME": str(folder)}
