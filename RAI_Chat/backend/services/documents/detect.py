"""What a file really is, decided by its content (magic bytes, then parsing), never by its
name; and the cheap checks made before it is stored: empty, encrypted, too many pages, a
ZIP bomb inside a DOCX."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import filetype
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .errors import DocumentRejected, DocumentTooLarge, UnsupportedDocument

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
SUPPORTED = "PDF, DOCX, HTML, Markdown or plain text"

# A DOCX is a ZIP archive: what it may expand to, and how many parts it may hold.
MAX_DOCX_EXPANSION = 10  # times MAX_DOCUMENT_BYTES, all parts together
MAX_DOCX_RATIO = 100  # a part compressed more than this (and over 1 MB) is a bomb
MAX_DOCX_PARTS = 5000
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|title|p|div|h[1-6]|article|table)\b", re.I)
_MARKDOWN = re.compile(
    r"(?m)^(?:#{1,6}\s+\S|[-*+]\s+\S|\d+[.)]\s+\S|```|>\s)|\[[^\]\n]+\]\([^)\s]+\)|\*\*\S"
)


@dataclass(frozen=True)
class Inspected:
    mime_type: str
    pages: int | None  # PDF only: known before extraction


def decode_text(data: bytes) -> str | None:
    """The text of a file that is text (UTF-8/UTF-16 with a BOM, UTF-8, else Windows-1252),
    or None when it is binary (NUL bytes or many control characters)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f")
    return None if controls > max(2, len(text[:65536]) // 100) else text


def text_kind(data: bytes, text: str) -> str:
    if _HTML.search(data[:8192]):
        return HTML
    if _MARKDOWN.search(text[:65536]):
        return MARKDOWN
    return TEXT


def inspect(data: bytes, *, max_bytes: int, max_pages: int) -> Inspected:
    """The file's type and, for a PDF, its page count; raises a 4xx error that says what is
    wrong (415 not a supported type, 400 empty/corrupt/encrypted/bomb, 413 too large)."""
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"The file is too large: {len(data)} bytes, at most {max_bytes} (MAX_DOCUMENT_BYTES)"
        )
    if not data.strip():
        raise DocumentRejected("The file is empty")
    if b"%PDF-" in data[:1024]:
        return Inspected(PDF, pdf_pages(data, max_pages))
    if data.startswith(b"PK\x03\x04"):
        check_docx(data, max_bytes)
        return Inspected(DOCX, None)
    kind = filetype.guess(data)
    if kind is not None:
        raise UnsupportedDocument(
            f"This file is {kind.mime} (by its content), which cannot be read: upload {SUPPORTED}"
        )
    text = decode_text(data)
    if text is None:
        raise UnsupportedDocument(f"This file is binary data, not a document: upload {SUPPORTED}")
    if not text.strip():
        raise DocumentRejected("The file is empty")
    return Inspected(text_kind(data, text), None)


def open_pdf(data: bytes) -> PdfReader:
    """A reader on a PDF that is neither corrupt nor locked by a password."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRejected(
                "The PDF is encrypted (protected by a password): remove the password and "
                "upload it again"
            )
        return reader
    except DocumentRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentRejected(f"The PDF is corrupt and cannot be read ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds on broken files
        if "crypt" in str(exc).lower() or type(exc).__name__ == "DependencyError":
            raise DocumentRejected(
                "The PDF is encrypted with a method that cannot be opened: remove the "
                "password and upload it again"
            ) from exc
        raise DocumentRejected(f"The PDF is corrupt and cannot be read ({exc})") from exc


def pdf_pages(data: bytes, max_pages: int) -> int:
    reader = open_pdf(data)
    try:
        pages = len(reader.pages)
    except Exception as exc:
        raise DocumentRejected(f"The PDF is corrupt and cannot be read ({exc})") from exc
    if pages == 0:
        raise DocumentRejected("The PDF has no pages")
    if pages > max_pages:
        raise DocumentTooLarge(
            f"The PDF has {pages} pages; at most {max_pages} are accepted (MAX_DOCUMENT_PAGES)"
        )
    return pages


def check_docx(data: bytes, max_bytes: int) -> None:
    """A readable Word document whose parts do not expand beyond reason. The declared sizes
    are what zipfile will ever decompress, so checking them bounds the work."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentRejected("The DOCX file is corrupt (not a readable ZIP archive)") from exc
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise UnsupportedDocument(
            f"This ZIP archive is not a Word document (no word/document.xml): upload {SUPPORTED}"
        )
    if len(infos) > MAX_DOCX_PARTS:
        raise DocumentRejected(f"The DOCX file has too many parts ({len(infos)})")
    expanded = sum(info.file_size for info in infos)
    if expanded > MAX_DOCX_EXPANSION * max_bytes:
        raise DocumentRejected(
            f"The DOCX file would expand to {expanded} bytes (a ZIP bomb?); at most "
            f"{MAX_DOCX_EXPANSION * max_bytes}"
        )
    for info in infos:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > 1_000_000 and ratio > MAX_DOCX_RATIO:
            raise DocumentRejected(
                f"The DOCX file holds a part compressed {ratio:.0f} to 1 (a ZIP bomb?)"
            )
