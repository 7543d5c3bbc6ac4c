"""Documents: extraction and indexing speed, retrieval of the right page, and the time to
first token a chat with 10 documents attached adds.

The stack: a fake OpenAI upstream (fixed reply) → the real LLM Engine with the real
all-MiniLM-L6-v2 embeddings → for (1) and (2) the real job and index code on a SQLite file
(``services.documents``); for (3) the real API (gunicorn + gevent, in-process job consumer).
The corpus is generated (``RAI_Chat/tests/documents_data.generated_corpus``): 10 handbooks
of 12 pages, each page about one place with its own facts, and one question per page worded
differently from the page (synonyms: "check" for "inspect", "constructed" for "built",
"access code" for "door code"); nothing was tuned on it.

1. **Pages per second**: the 120 generated pages as 10 PDFs, extracted (pypdf), chunked,
   embedded through the engine and indexed (``extract_and_index``), and extraction alone;
   the same for the real PDFs of Debian's documentation when they are on the machine.
   ``--libraries`` also times pdfminer.six / markitdown when they are installed.
2. **recall@5**: for each of the 120 questions, whether one of the 5 passages the index
   returns (among all 10 documents) is on the answer page: hybrid, and full text alone;
   and for the same questions naming the place another way ("pumping facility" for "pump
   station", "glasshouse" for "greenhouse"), where only the adjective and the meaning match.
3. **Added time to first token**: the same message in a session with no document and in one
   with 10 documents attached (median of 10 turns each; the fake answers at once).
4. **Other requests during an extraction**: the latency of a small request, every 20 ms,
   on the same gevent worker while a 400-page dense PDF is extracted and indexed.

    .venv/bin/python benchmarks/documents.py             # ≈ 3 min on 2 cores
    .venv/bin/python benchmarks/documents.py --libraries  # also the library comparison

Not a test: it prints its figures (``--json FILE`` writes them)."""

from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conftest import start_engine, wait_for_health  # noqa: E402  the repository-root conftest
from llm_Engine.testing.fake_upstreams import FakeOpenAI  # noqa: E402
from llm_Engine.testing.server_thread import free_port  # noqa: E402
from RAI_Chat.backend.core.database.document_models import Document  # noqa: E402
from RAI_Chat.backend.core.database.migrate import upgrade  # noqa: E402
from RAI_Chat.backend.core.database.models import User  # noqa: E402
from RAI_Chat.backend.core.database.session import Database  # noqa: E402
from RAI_Chat.backend.services.documents.detect import PDF  # noqa: E402
from RAI_Chat.backend.services.documents.extract import extract  # noqa: E402
from RAI_Chat.backend.services.documents.index import DocumentIndex  # noqa: E402
from RAI_Chat.backend.services.documents.job import extract_and_index  # noqa: E402
from RAI_Chat.backend.services.documents.storage import DocumentStore  # noqa: E402
from RAI_Chat.backend.services.llm_client import EngineClient  # noqa: E402
from RAI_Chat.tests.chat_helpers import engine_env, new_user, stop_process  # noqa: E402
from RAI_Chat.tests.conftest import start_api_server, stop_api_server  # noqa: E402
from RAI_Chat.tests.documents_data import generated_corpus, make_pdf  # noqa: E402

REAL_PDFS = [
    Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
    Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
]
TURNS = 10


def pdf_page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


class Library:
    """One user's documents on a SQLite file, through the real job code."""

    def __init__(self, folder: Path, engine: EngineClient | None):
        self.database = Database(f"sqlite:///{folder / 'bench.db'}")
        upgrade(self.database.engine)
        self.store = DocumentStore(folder / "files")
        self.engine = engine
        with self.database.unit_of_work() as uow:
            user = User(username="bench", username_key="bench", password_hash="-")  # noqa: S106  (never logs in)
            uow.session.add(user)
            uow.commit()
            self.user_id = user.id

    def add(self, filename: str, data: bytes) -> str:
        with self.database.unit_of_work() as uow:
            doc = Document(
                user_id=self.user_id,
                filename=filename,
                mime_type=PDF,
                size_bytes=len(data),
                sha256="",
                storage_path="",
                status="queued",
                pages_done=0,
                chunk_count=0,
            )
            uow.session.add(doc)
            uow.session.flush()
            doc.storage_path = self.store.relative_path(self.user_id, doc.id)
            self.store.save(doc.storage_path, data)
            uow.commit()
            document_id = doc.id
        extract_and_index(self.database, self.engine, str(self.store.root), document_id)
        with self.database.unit_of_work() as uow:
            assert uow.session.get(Document, document_id).status == "ready"
        return document_id


def speed(engine: EngineClient, corpus) -> dict:
    out = {}
    pdfs = [(d.filename, make_pdf(d.pages)) for d in corpus]
    real = [(p.name, p.read_bytes()) for p in REAL_PDFS if p.exists()]
    for label, files in (("generated", pdfs), *((name, [(name, data)]) for name, data in real)):
        pages = sum(pdf_page_count(data) for _, data in files)
        started = time.perf_counter()
        for _, data in files:
            list(extract(data, PDF))
        extract_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            library = Library(Path(folder), engine)
            started = time.perf_counter()
            for filename, data in files:
                library.add(filename, data)
            total_s = time.perf_counter() - started
            library.database.dispose()
        out[label] = {
            "pages": pages,
            "extracted_pages_per_s": round(pages / extract_s, 1),
            "extracted_and_indexed_pages_per_s": round(pages / total_s, 1),
        }
        print(
            f"  {label}: {pages} pages, extraction {pages / extract_s:.1f} pages/s, "
            f"extraction + chunking + embedding + indexing {pages / total_s:.1f} pages/s"
        )
    return out


def recall(engine: EngineClient, corpus, questions) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        library = Library(Path(folder), engine)
        ids = [library.add(d.filename, make_pdf(d.pages)) for d in corpus]
        for wording in ("question", "paraphrase"):
            for mode, index_engine in (("hybrid", engine), ("text", None)):
                index = DocumentIndex(library.user_id, library.database, index_engine)
                found = 0
                for q in questions:
                    asked = q.text if wording == "question" else q.paraphrase
                    hits = index.search(asked, ids, k=5)
                    found += any((h.filename, h.chunk.page) == (q.filename, q.page) for h in hits)
                out[f"{wording}/{mode}"] = round(found / len(questions), 3)
                print(
                    f"  recall@5, {wording}s, {mode}: {found}/{len(questions)} = "
                    f"{found / len(questions):.3f}"
                )
        library.database.dispose()
    return out


def first_token_ms(user, message: str, **body) -> float:
    started = time.perf_counter()
    with user.http.stream(
        "POST",
        "/api/chat/",
        json={"message": message, "streaming": True, **body},
        headers=user.headers,
    ) as response:
        first = None
        for line in response.iter_lines():
            if first is None and line.startswith("data:") and '"token"' in line:
                first = time.perf_counter()
    return (first - started) * 1000


def added_first_token(engine_url: str, corpus) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        api = start_api_server(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'api.db'}",
                "LLM_API_URL": engine_url,
                "RATELIMIT_ENABLED": "false",
                "REFINE_TITLES": "false",
                "DECISION_STEP": "off",
                "RAI_API_WORKERS": "1",
            },
            Path(folder),
        )
        try:
            with api.client(timeout=120) as http:
                user = new_user(http)
                ids = []
                for d in corpus:
                    response = http.post(
                        "/api/documents",
                        files={"file": (d.filename, make_pdf(d.pages))},
                        headers=user.headers,
                    )
                    ids.append(response.json()["document"]["id"])
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    docs = http.get("/api/documents", headers=user.headers).json()["documents"]
                    if all(d["status"] == "ready" for d in docs):
                        break
                    time.sleep(0.5)
                plain = http.post("/api/session/", json={}, headers=user.headers).json()
                with_docs = http.post("/api/session/", json={}, headers=user.headers).json()
                for document_id in ids:
                    http.post(
                        f"/api/session/{with_docs['session']['id']}/documents",
                        json={"document_id": document_id},
                        headers=user.headers,
                    )
                message = "How often does someone check the pump station?"
                timings: dict[str, list[float]] = {"none": [], "ten": []}
                for _ in range(TURNS):  # alternate, so that both see the same machine load
                    for key, session in (("none", plain), ("ten", with_docs)):
                        timings[key].append(
                            first_token_ms(user, message, session_id=session["session"]["id"])
                        )
        finally:
            stop_api_server(api)
    none, ten = statistics.median(timings["none"]), statistics.median(timings["ten"])
    print(
        f"  time to first token, median of {TURNS}: no documents {none:.0f} ms, "
        f"10 documents attached {ten:.0f} ms (+{ten - none:.0f} ms)"
    )
    return {"none_ms": round(none), "ten_documents_ms": round(ten), "added_ms": round(ten - none)}


def requests_during_extraction() -> dict:
    """Latency of other requests (``GET /api/documents``, every 20 ms from another client) on
    the same gevent worker while a 400-page dense PDF is extracted and indexed (no engine:
    passages without vectors)."""
    page = "\n".join(
        f"Line {i} of a dense page with quite a few words on it for the parser to chew."
        for i in range(55)
    )
    pdf = make_pdf([page] * 400)
    with tempfile.TemporaryDirectory() as folder:
        api = start_api_server(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'api.db'}",
                "RAI_API_WORKERS": "1",
                "RATELIMIT_ENABLED": "false",
            },
            Path(folder),
        )
        try:
            with api.client(timeout=120) as http:
                user = new_user(http)
                latencies: list[float] = []
                running = threading.Event()
                running.set()

                def probe() -> None:
                    with httpx.Client(base_url=api.url, timeout=60) as other:
                        while running.is_set():
                            started = time.perf_counter()
                            other.get("/api/documents", headers=user.headers)
                            latencies.append((time.perf_counter() - started) * 1000)
                            time.sleep(0.02)

                prober = threading.Thread(target=probe)
                prober.start()
                time.sleep(1)
                before, latencies[:] = list(latencies), []
                response = http.post(
                    "/api/documents", files={"file": ("big.pdf", pdf)}, headers=user.headers
                )
                url = f"/api/documents/{response.json()['document']['id']}"
                started = time.monotonic()
                while http.get(url, headers=user.headers).json()["document"]["status"] not in (
                    "ready",
                    "failed",
                ):
                    time.sleep(0.2)
                seconds = time.monotonic() - started
                running.clear()
                prober.join()
        finally:
            stop_api_server(api)
    out = {
        "extraction_s": round(seconds, 1),
        "before_max_ms": round(max(before)),
        "during_median_ms": round(statistics.median(latencies)),
        "during_max_ms": round(max(latencies)),
        "requests_during": len(latencies),
    }
    print(
        f"  400 dense pages in {seconds:.1f} s; other requests before: max {max(before):.0f} ms;"
        f" during: median {out['during_median_ms']} ms, max {out['during_max_ms']} ms "
        f"({len(latencies)} requests)"
    )
    return out


def libraries(corpus) -> dict:
    """pypdf against pdfminer.six (and markitdown, which reads PDFs with pdfminer.six),
    where installed: pages per second and words found."""
    out = {}
    files = [("generated", make_pdf([p for d in corpus for p in d.pages]))]
    files += [(p.name, p.read_bytes()) for p in REAL_PDFS if p.exists()]

    def with_pypdf(data):
        return [s.text for s in extract(data, PDF)]

    def with_pdfminer(data):
        from pdfminer.high_level import extract_text

        return extract_text(io.BytesIO(data)).split("\f")

    for name, data in files:
        pages = pdf_page_count(data)
        for label, read in (("pypdf", with_pypdf), ("pdfminer.six", with_pdfminer)):
            try:
                started = time.perf_counter()
                texts = read(data)
                seconds = time.perf_counter() - started
            except ImportError:
                print(f"  {label}: not installed")
                continue
            words = sum(len(t.split()) for t in texts)
            out[f"{name}/{label}"] = {"pages_per_s": round(pages / seconds, 1), "words": words}
            print(f"  {name} {label}: {pages / seconds:.1f} pages/s, {words} words")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    corpus, questions = generated_corpus(documents=10, pages=12)
    results: dict = {}
    fake = FakeOpenAI(reply="The answer is in your documents [1].").start()
    port = free_port()
    process = start_engine(port, {**engine_env(fake), "LLM_EMBEDDING_MODEL": "true"})
    engine_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(process, engine_url, timeout=180)
        engine = EngineClient(engine_url, read_timeout=120)
        if args.libraries:
            print("PDF libraries:")
            results["libraries"] = libraries(corpus)
        print("Extraction and indexing:")
        results["speed"] = speed(engine, corpus)
        print("Retrieval of the answer page (120 generated questions):")
        results["recall_at_5"] = recall(engine, corpus, questions)
        print("Added time to first token:")
        results["first_token"] = added_first_token(engine_url, corpus)
        print("Other requests of the worker during an extraction:")
        results["during_extraction"] = requests_during_extraction()
        engine.close()
    except httpx.HTTPError as exc:
        print(f"failed: {exc}")
        raise
    finally:
        stop_process(process)
        fake.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
