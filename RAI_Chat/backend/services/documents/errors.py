"""Why a document is refused: each error names the limit or the problem in plain words."""

from __future__ import annotations

from ...core.errors import BadRequest, RaiError


class DocumentRejected(BadRequest):
    """Empty, corrupt, encrypted or dangerous content (400)."""


class UnsupportedDocument(RaiError):
    """Not a PDF, DOCX, HTML, Markdown or plain-text file, judged by its content (415)."""

    status_code = 415


class DocumentTooLarge(RaiError):
    """Over a size, page or storage limit (413); the message names the setting."""

    status_code = 413
