"""Documents the tests and benchmarks build: PDFs written by hand (one text object per
line, Helvetica), DOCX files with python-docx, the bad inputs (encrypted, corrupt, a ZIP
bomb inside a DOCX, an executable), and a generated corpus of pages with questions whose
answer page is known."""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass

ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[str]) -> bytes:
    """A valid PDF: one page per text, each line of it a line of Helvetica on the page."""
    objects: list[bytes] = []
    kids = []
    font_id = 3
    for index, text in enumerate(pages):
        page_id, content_id = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page_id} 0 R")
        lines = [f"({_escape(line)}) Tj T*" for line in text.split("\n")]
        stream = ("BT /F1 11 Tf 14 TL 50 780 Td " + " ".join(lines) + " ET").encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(head + objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    )
    return out.getvalue()


def with_outline(pdf: bytes, headings: dict[int, str]) -> bytes:
    """The PDF with bookmarks: {page index: title}."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page, title in sorted(headings.items()):
        writer.add_outline_item(title, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted(pdf: bytes, password: str = "secret-pass") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(blocks: list[tuple[str, str]]) -> bytes:
    """``blocks``: ("h1"/"h2", text) headings, ("p", text) paragraphs, ("break", "") page
    breaks."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        elif kind == "break":
            document.add_page_break()
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bomb(expanded_bytes: int = 300 * 1024 * 1024) -> bytes:
    """A real DOCX with one more part of zeros that expands to ``expanded_bytes``."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("p", "A small document.")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = b"\x00" * (1024 * 1024)
            for _ in range(expanded_bytes // len(block)):
                part.write(block)
    return out.getvalue()


# --- a generated corpus: pages with facts, questions with their answer page --------------
ADJECTIVES = [
    "north",
    "south",
    "east",
    "west",
    "upper",
    "lower",
    "main",
    "old",
    "new",
    "blue",
    "green",
    "red",
]
NOUNS = [
    "pump station",
    "boiler room",
    "server hall",
    "loading dock",
    "chemistry lab",
    "cold store",
    "paint shop",
    "control room",
    "water tower",
    "print room",
    "archive vault",
    "staff kitchen",
    "garage",
    "greenhouse",
    "workshop",
    "library annex",
    "gym",
    "reception",
    "clinic",
    "warehouse",
]
# Another way to say each place, for questions that share no word with the page's name of it.
SYNONYMS = {
    "pump station": "pumping facility",
    "boiler room": "heating plant",
    "server hall": "data centre",
    "loading dock": "delivery bay",
    "chemistry lab": "chemical laboratory",
    "cold store": "refrigerated storage",
    "paint shop": "spray booth",
    "control room": "operations centre",
    "water tower": "reservoir tank",
    "print room": "copy centre",
    "archive vault": "records strongroom",
    "staff kitchen": "employee canteen",
    "garage": "vehicle depot",
    "greenhouse": "glasshouse",
    "workshop": "repair shed",
    "library annex": "reading room extension",
    "gym": "fitness centre",
    "reception": "front desk",
    "clinic": "medical room",
    "warehouse": "storage depot",
}
TEAMS = ["facilities", "safety", "IT", "cleaning", "security", "grounds", "energy", "fleet"]
COMPANIES = ["Arden", "Bexley", "Corvo", "Dunmore", "Elstree", "Farrow", "Garland", "Hollis"]
FILLER = [
    "All staff must follow the general site rules described in the introduction.",
    "Report any damage to the duty manager as soon as possible.",
    "Records are kept for seven years in line with company policy.",
    "Visitors must be accompanied at all times while on site.",
    "Emergency exits are marked in green and must never be blocked.",
]


@dataclass(frozen=True)
class Question:
    text: str
    filename: str
    page: int
    # The same question naming the place another way ("pumping facility" for "pump station").
    paraphrase: str = ""


@dataclass(frozen=True)
class CorpusDocument:
    filename: str
    pages: list[str]


def generated_corpus(documents: int = 10, pages: int = 12, seed: int = 7):
    """``documents`` handbooks of ``pages`` pages, each page about one place with its own
    facts; one question per page, worded differently from the page (synonyms), its answer
    page known. Returns (documents, questions)."""
    rng = random.Random(seed)
    places = [f"{a} {n}" for a in ADJECTIVES for n in NOUNS]
    rng.shuffle(places)
    docs, questions = [], []
    for d in range(documents):
        filename = f"handbook-{d + 1:02d}.pdf"
        texts = []
        for p in range(pages):
            place = places.pop()
            adjective, noun = place.split(" ", 1)
            other = f"{adjective} {SYNONYMS[noun]}"
            days, year = rng.randint(2, 90), rng.randint(1960, 2022)
            team, company = rng.choice(TEAMS), rng.choice(COMPANIES)
            code = rng.randint(1000, 9999)
            facts = [
                f"The {place} is inspected every {days} days by the {team} team.",
                f"The {place} was built in {year} by {company} Construction.",
                f"The door code of the {place} is {code}.",
            ]
            body = [*facts, *rng.sample(FILLER, 3)]
            rng.shuffle(body)
            texts.append("\n".join([f"Section {p + 1}: the {place}", *body]))
            asked = rng.choice(
                [
                    "How often does someone check the {}?",
                    "When was the {} constructed, and which firm did it?",
                    "What is the access code for the {} door?",
                ]
            )
            questions.append(Question(asked.format(place), filename, p + 1, asked.format(other)))
        docs.append(CorpusDocument(filename, texts))
    return docs, questions
