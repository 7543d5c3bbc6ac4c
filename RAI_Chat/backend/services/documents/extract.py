"""The text of a document with its position: (page, heading, text) sections, in reading
order. PDF: pypdf (its outline gives the headings); DOCX: python-docx (heading styles, page
breaks give pages); HTML: BeautifulSoup; Markdown: markdown-it-py; plain text: paragraphs
(a form feed starts a new page). Library choice measured in benchmarks/RESULTS.md."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .detect import DOCX, HTML, MARKDOWN, PDF, decode_text, open_pdf

Progress = Callable[[int, int | None], None]  # (pages done, pages in all)
MAX_HEADING = 200
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Section:
    page: int | None
    heading: str | None
    text: str


def tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def extract(data: bytes, mime_type: str, progress: Progress | None = None) -> Iterator[Section]:
    progress = progress or (lambda done, total: None)
    if mime_type == PDF:
        yield from pdf_sections(data, progress)
    elif mime_type == DOCX:
        yield from docx_sections(data)
    elif mime_type == HTML:
        yield from html_sections(decode_text(data) or "")
    elif mime_type == MARKDOWN:
        yield from markdown_sections(decode_text(data) or "")
    else:
        yield from text_sections(decode_text(data) or "")


# --- PDF ---------------------------------------------------------------------------------
def _outline_headings(reader) -> dict[int, str]:
    """Page index → the title of the last outline entry that starts on it."""
    found: dict[int, str] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # noqa: S112 - a broken outline entry is skipped
                continue
            if page is not None and page >= 0 and getattr(item, "title", None):
                found.setdefault(page, str(item.title)[:MAX_HEADING])

    try:
        walk(reader.outline)
    except Exception:  # an outline is a bonus: a broken one is ignored
        return {}
    return found


def pdf_sections(data: bytes, progress: Progress) -> Iterator[Section]:
    reader = open_pdf(data)
    total = len(reader.pages)
    headings = _outline_headings(reader)
    heading = None
    for index, page in enumerate(reader.pages):
        heading = headings.get(index, heading)
        text = tidy(page.extract_text() or "")
        if text:
            yield Section(index + 1, heading, text)
        progress(index + 1, total)


# --- DOCX --------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _page_breaks(element) -> int:
    explicit = sum(1 for br in element.iter(f"{_W}br") if br.get(f"{_W}type") == "page")
    return explicit + sum(1 for _ in element.iter(f"{_W}lastRenderedPageBreak"))


def docx_sections(data: bytes) -> Iterator[Section]:
    """Paragraphs and tables in body order. Word's page breaks (explicit ones, and the
    breaks Word records where it last laid out a page) number the pages; a document with
    none has no page numbers."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    paged = _page_breaks(body) > 0
    page, heading, buffer = 1, None, []

    def flush() -> Iterator[Section]:
        text = tidy("\n".join(buffer))
        buffer.clear()
        if text:
            yield Section(page if paged else None, heading, text)

    for block in document.iter_inner_content():
        breaks = _page_breaks(block._element)
        if isinstance(block, Paragraph):
            style = (block.style.name if block.style is not None else "") or ""
            if style.startswith(("Heading", "Title")) and block.text.strip():
                yield from flush()
                heading = block.text.strip()[:MAX_HEADING]
            elif block.text.strip():
                buffer.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                buffer.append(" | ".join(cell.text.strip() for cell in row.cells))
        if breaks:
            yield from flush()
            page += breaks
    yield from flush()


# --- HTML, Markdown, text ------------------------------------------------------------------
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\ue000"  # a private-use character: where a heading was


def html_sections(html: str) -> Iterator[Section]:
    """All the page's text (scripts and styles left out), cut at its headings."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html.replace(_MARK, " "), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "head"]):
        tag.decompose()
    for tag in soup.find_all(_HEADINGS):
        tag.replace_with(f"\n{_MARK}{tag.get_text(' ', strip=True)}\n")
    parts = soup.get_text("\n").split(_MARK)
    text = tidy(parts[0])
    if text:
        yield Section(None, None, text)
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        text = tidy(body)
        if text:
            yield Section(None, heading.strip()[:MAX_HEADING] or None, text)


def markdown_sections(markdown: str) -> Iterator[Section]:
    from markdown_it import MarkdownIt

    lines = markdown.splitlines()
    tokens = MarkdownIt("commonmark").parse(markdown)
    heading, start = None, 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            text = tidy("\n".join(lines[start : token.map[0]]))
            if text:
                yield Section(None, heading, text)
            heading = tokens[i + 1].content.strip()[:MAX_HEADING]
            start = token.map[1]
    text = tidy("\n".join(lines[start:]))
    if text:
        yield Section(None, heading, text)


def text_sections(text: str) -> Iterator[Section]:
    pages = text.split("\f")
    paged = len(pages) > 1
    for number, page in enumerate(pages, start=1):
        cleaned = tidy(page)
        if cleaned:
            yield Section(number if paged else None, None, cleaned)
