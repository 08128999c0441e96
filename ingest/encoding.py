"""Bytes -> str for text-like files: UTF-8 (with or without BOM) and UTF-16/32 (BOM) are read.

Consumes raw bytes; produces text or raises `ReadError` naming the reason: a legacy Vietnamese
encoding (TCVN3/ABC or VNI, recognised by their characteristic characters), a binary file, or an
unknown 8-bit encoding. Legacy text is refused rather than guessed because a wrong guess silently
corrupts every tone mark, and the user can convert the file once (e.g. with Unikey).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ingest.errors import ReadError

# Precomposed Vietnamese letters outside Latin-1: their presence proves real Unicode Vietnamese.
_VIETNAMESE_UNICODE = re.compile(
    r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)
# TCVN3 (ABC) puts whole accented vowels on single bytes 0xA1-0xFF; read as cp1252/latin-1 these are
# symbols and accented capitals glued inside otherwise ASCII words ("ViÖt", "§¶ng", "c¸c", "cña").
_TCVN3_IN_WORD = re.compile(r"[A-Za-z]*[\u00a1-\u00ff][A-Za-z\u00a1-\u00ff]*")
_TCVN3_SIGNATURE = set("¸µ¶·¹¨©ª«¬®§¡¢£¤¥¦")
# VNI writes an ASCII vowel followed by one or two diacritic bytes ("Vieät", "hoøa", "ñaûng").
_VNI_PAIR = re.compile(
    r"[aeiouyAEIOUY][\u00f8\u00f9\u00fb\u00f5\u00ef\u00e4\u00e5\u00e2\u00ea\u00f4\u00f6\u00eb\u00e1\u00e0\u00e3\u00fa]|[\u00d1\u00f1][a-zA-Z]"
)
_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v"}


def decode_text(data: bytes, markup: bool = False) -> str:
    """Decode a text file's bytes; raises ReadError with a clear reason when they are not Unicode text.

    `markup=True` (HTML) also honours a charset the page declares, e.g. windows-1258.
    """
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReadError(
                    f"tệp hỏng: có BOM {codec} nhưng nội dung không giải mã được ({exc.reason})"
                ) from exc
            return _checked(text)
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is None:
            raise ReadError("tệp nhị phân, không phải văn bản (binary file)")
        return _checked(text)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _declared_charset(data) if markup else None
        if declared:
            try:
                return _checked(data.decode(declared))
            except (LookupError, UnicodeDecodeError):
                pass
        latin = data.decode("cp1252", errors="replace")
        legacy = legacy_encoding(latin)
        if legacy:
            raise ReadError(_legacy_message(legacy)) from None
        if _looks_binary(latin):
            raise ReadError("tệp nhị phân, không phải văn bản (binary file)") from None
        raise ReadError(
            "không phải UTF-8/UTF-16: bảng mã không rõ; hãy lưu lại tệp ở dạng Unicode UTF-8"
        ) from None
    return _checked(text)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares (<meta charset=...>), when it is not UTF-8."""
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", data[:4096], re.I)
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    return None if name in ("utf-8", "utf8") else name


def _checked(text: str) -> str:
    if _looks_binary(text):
        raise ReadError("tệp nhị phân, không phải văn bản (binary file)")
    legacy = legacy_encoding(text)
    if legacy:  # legacy bytes that happened to be re-saved as UTF-8 ("mojibake")
        raise ReadError(_legacy_message(legacy))
    return unicodedata.normalize("NFC", text)


def _legacy_message(name: str) -> str:
    return (
        f"bảng mã tiếng Việt cũ {name}, không phải Unicode (legacy Vietnamese encoding {name}); "
        "hãy chuyển sang Unicode UTF-8 (ví dụ bằng Unikey) rồi nạp lại"
    )


def legacy_encoding(text: str) -> str | None:
    """'TCVN3 (ABC)' or 'VNI' when the text looks like that legacy encoding read as Latin-1, else None."""
    sample = text[:20000]
    if _VIETNAMESE_UNICODE.search(sample):
        return None
    letters = sum(ch.isalpha() for ch in sample)
    if letters < 20:
        return None
    vni = len(_VNI_PAIR.findall(sample))
    tcvn_words = [
        w
        for w in _TCVN3_IN_WORD.findall(sample)
        if any(c in _TCVN3_SIGNATURE or c.isupper() and ord(c) > 0xBF for c in w)
    ]
    high = sum(0xA1 <= ord(ch) <= 0xFF for ch in sample)
    if high < max(3, letters * 0.03):
        return None
    if vni >= 3 and vni >= len(tcvn_words):
        return "VNI"
    if len(tcvn_words) >= 3:
        return "TCVN3 (ABC)"
    return "VNI" if vni >= 3 else None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    bad = sum(
        1 for ch in sample if (unicodedata.category(ch) == "Cc" and ch not in _CONTROL_OK) or ch == "\ufffd"
    )
    return bad / len(sample) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = max(1, len(head) // 2)
    for codec, nuls, other in (("utf-16-le", odd_nuls, even_nuls), ("utf-16-be", even_nuls, odd_nuls)):
        if nuls > 0.3 * half and other < 0.05 * half:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return None if _looks_binary(text) else text
    return None
