"""Legacy Word `.doc` files (Word 97-2003, still common in offices) -> a temporary `.docx` for the .docx reader.

Consumes a `.doc` path; `read_doc` has LibreOffice (Debian `libreoffice-writer-nogui`, run headless)
convert it to a `.docx` in a temporary folder (`converted_to_docx`, removed afterwards), reads that with
the `.docx` reader it is given, so tables, body order and Vietnamese text come out the same way, and
produces the text. LibreOffice is optional: without it a `.doc` is a `ReadError` (the file is skipped)
with an install hint. So are files that are no Word document (LibreOffice would import any bytes as
text), and old documents typed in a legacy Vietnamese encoding (.VnTime fonts: TCVN3, VNI).

Why LibreOffice and not antiword/catdoc: on a small Vietnamese letter antiword refused the file ("text
stream too small") and catdoc lost the header table; LibreOffice kept every paragraph, the table and all
diacritics. It also reads the RTF or HTML that web systems often save under a `.doc` name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.encoding import legacy_encoding
from ingest.errors import ReadError

CONVERTERS = ("soffice", "libreoffice")
CONVERT_TIMEOUT_S = 180
INSTALL_HINT = "cài LibreOffice để đọc tệp .doc: apt-get install libreoffice-writer-nogui"
# What a .doc really holds: Word 97-2003 (an OLE2 compound file), or RTF / HTML / Word XML saved as ".doc".
DOC_SIGNATURES = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"<")
GARBLED_SHARE = 0.02  # private-use, unassigned or control characters: bytes imported as text, not words


def read_doc(path: Path, read_docx: Callable[[Path], str]) -> str:
    """The text of a `.doc`, read by `read_docx` from LibreOffice's `.docx` conversion of it."""
    try:
        with path.open("rb") as file:
            head = file.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise ReadError(f"không đọc được tệp: {exc.strerror or exc}") from exc
    if not head.startswith(DOC_SIGNATURES):
        raise ReadError("tệp .doc không phải văn bản Word (not a Word .doc file)")
    with converted_to_docx(path) as converted:
        text = read_docx(converted)
    letters = [ch for ch in text if not ch.isspace()]
    garbled = sum(unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs") or ch == "\ufffd" for ch in letters)
    if letters and garbled > GARBLED_SHARE * len(letters):
        raise ReadError("tệp .doc hỏng: nội dung chuyển ra không phải chữ (corrupt .doc)")
    legacy = legacy_encoding(text)
    if legacy:
        raise ReadError(
            f"tệp .doc gõ bằng bảng mã tiếng Việt cũ {legacy} (phông .VnTime/VNI), không phải Unicode; "
            "hãy chuyển mã sang Unicode (ví dụ Unikey: Công cụ chuyển mã) rồi nạp lại"
        )
    return text


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
            binary,
            "--headless",
            "--norestore",
            "--nolockcheck",
            # An own profile per conversion: two LibreOffice runs sharing one profile block each other.
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_S,
                cwd=folder,
                env=_child_env(folder),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReadError(
                f"chuyển đổi tệp .doc quá {CONVERT_TIMEOUT_S} giây (tệp hỏng hoặc có mật khẩu?)"
            ) from exc
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
