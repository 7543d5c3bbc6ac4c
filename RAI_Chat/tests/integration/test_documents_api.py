"""The documents API on a real database (SQLite and PostgreSQL): uploads of each format,
the bad inputs, limits, the library (list, rename, delete), session attachments,
ownership, export. Background jobs run at once (``JOBS_MODE=immediate``); the engine is
unreachable, so passages are indexed by full text only."""

from __future__ import annotations

import io

import pytest

from RAI_Chat.backend.app import create_app

from ..conftest import AuthHelper, make_settings
from ..documents_data import (
    ELF_EXECUTABLE,
    docx_bomb,
    encrypted,
    make_docx,
    make_pdf,
)

MB = 1024 * 1024


@pytest.fixture
def app(db_url, tmp_path):
    application = create_app(
        make_settings(
            db_url,
            tmp_path,
            document_storage_dir=str(tmp_path / "documents"),
            max_document_pages=50,
            document_storage_per_user_bytes=2 * MB,
        )
    )
    yield application
    application.extensions["rai_database"].dispose()


@pytest.fixture
def user(client):
    return AuthHelper(client).headers()


def upload(client, headers, data: bytes, filename: str = "file.bin", **fields):
    return client.post(
        "/api/documents",
        data={"file": (io.BytesIO(data), filename), **fields},
        headers=headers,
        content_type="multipart/form-data",
    )


def ready(client, headers, data: bytes, filename: str, **fields) -> dict:
    response = upload(client, headers, data, filename, **fields)
    assert response.status_code == 202, response.get_json()
    document = response.get_json()["document"]
    body = client.get(f"/api/documents/{document['id']}", headers=headers).get_json()
    assert body["document"]["status"] == "ready", body
    return body["document"]


PDF = make_pdf(["Welcome to the manual.", "The pump is checked every 12 days.", "Goodbye."])


@pytest.mark.parametrize(
    ("data", "filename", "mime_type"),
    [
        (PDF, "manual.pdf", "application/pdf"),
        (
            make_docx([("h1", "Pumps"), ("p", "The pump is checked every 12 days.")]),
            "manual.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"<h1>Pumps</h1><p>The pump is checked every 12 days.</p>", "m.html", "text/html"),
        (b"# Pumps\n\nThe pump is checked every 12 days.\n", "m.md", "text/markdown"),
        (b"The pump is checked every 12 days.\n", "m.txt", "text/plain"),
        # The name says nothing: the content decides.
        (b"# Pumps\n\nThe pump is checked every 12 days.\n", "looks-like.pdf", "text/markdown"),
    ],
)
def test_each_format_is_extracted_and_its_passages_can_be_read(
    client, user, data, filename, mime_type
):
    document = ready(client, user, data, filename)
    assert document["mime_type"] == mime_type
    assert document["filename"] == filename
    assert document["size_bytes"] == len(data)
    assert document["chunk_count"] >= 1
    assert document["error"] is None
    listed = client.get("/api/documents", headers=user).get_json()
    assert [d["id"] for d in listed["documents"]] == [document["id"]]


def test_a_pdf_reports_its_pages_and_passages_keep_the_page(client, user, app):
    document = ready(client, user, PDF, "manual.pdf")
    assert (document["pages_total"], document["pages_done"]) == (3, 3)
    from RAI_Chat.backend.core.database.document_models import DocumentChunk

    with app.extensions["rai_database"].unit_of_work() as uow:
        chunks = uow.session.query(DocumentChunk).filter_by(document_id=document["id"]).all()
        pages = {c.page: c.id for c in chunks}
    chunk = client.get(
        f"/api/documents/{document['id']}/chunks/{pages[2]}", headers=user
    ).get_json()["chunk"]
    assert chunk["page"] == 2
    assert chunk["filename"] == "manual.pdf"
    assert "checked every 12 days" in chunk["text"]


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"", 400, "empty"),
        (ELF_EXECUTABLE, 415, "application/x-executable"),
        (encrypted(PDF), 400, "encrypted"),
        (b"%PDF-1.4\n garbage that is no PDF", 400, "corrupt"),
        (make_pdf([f"page {i}" for i in range(2000)]), 413, "MAX_DOCUMENT_PAGES"),
        (docx_bomb(300 * MB), 400, "ZIP bomb"),
    ],
)
def test_bad_inputs_get_a_clear_4xx(client, user, data, status, words):
    response = upload(client, user, data, "innocent.pdf")
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["status"] == "error" and words in body["error"]
    assert client.get("/api/documents", headers=user).get_json()["documents"] == []


def test_a_pdf_without_text_fails_with_the_reason(client, user):
    response = upload(client, user, make_pdf(["", ""]), "scan.pdf")
    assert response.status_code == 202
    document_id = response.get_json()["document"]["id"]
    document = client.get(f"/api/documents/{document_id}", headers=user).get_json()["document"]
    assert document["status"] == "failed"
    assert "no text" in document["error"]


def test_upload_without_a_file_is_a_400(client, user):
    response = client.post(
        "/api/documents", data={}, headers=user, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json()["status"] == "error"


def test_a_file_over_the_size_limit_is_a_413(db_url, tmp_path):
    app = create_app(
        make_settings(
            db_url, tmp_path, document_storage_dir=str(tmp_path / "d"), max_document_bytes=1000
        )
    )
    try:
        client = app.test_client()
        headers = AuthHelper(client).headers()
        response = upload(client, headers, b"a few words. " * 200, "big.txt")
        assert response.status_code == 413
        assert "MAX_DOCUMENT_BYTES" in response.get_json()["error"]
    finally:
        app.extensions["rai_database"].dispose()


def test_the_storage_quota_is_per_user(client, user):
    big = ("lorem ipsum dolor " * 70_000).encode()  # ≈ 1.2 MB of text; the quota is 2 MB
    ready(client, user, big, "one.txt")
    response = upload(client, user, big, "two.txt")
    assert response.status_code == 413
    assert "DOCUMENT_STORAGE_PER_USER_BYTES" in response.get_json()["error"]
    other = AuthHelper(client).headers()
    assert upload(client, other, big, "mine.txt").status_code == 202


def test_rename_and_delete_remove_passages_and_the_file(client, user, app, tmp_path):
    document = ready(client, user, PDF, "manual.pdf")
    renamed = client.patch(
        f"/api/documents/{document['id']}", json={"filename": "../Pumps.pdf"}, headers=user
    ).get_json()["document"]
    assert renamed["filename"] == "Pumps.pdf"
    stored = list((tmp_path / "documents").rglob("*"))
    assert any(p.is_file() for p in stored)
    assert client.delete(f"/api/documents/{document['id']}", headers=user).status_code == 200
    assert not any(p.is_file() for p in (tmp_path / "documents").rglob("*"))
    assert client.get(f"/api/documents/{document['id']}", headers=user).status_code == 404
    from sqlalchemy import func, select, text

    from RAI_Chat.backend.core.database.document_models import DocumentChunk

    database = app.extensions["rai_database"]
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DocumentChunk)) == 0
        if database.dialect == "sqlite":  # the full-text index forgot them too
            hits = uow.session.execute(
                text("SELECT count(*) FROM document_fts WHERE document_fts MATCH 'pump'")
            ).scalar()
            assert hits == 0


def test_another_users_documents_and_passages_are_not_found(client, user, app):
    document = ready(client, user, PDF, "manual.pdf")
    from RAI_Chat.backend.core.database.document_models import DocumentChunk

    with app.extensions["rai_database"].unit_of_work() as uow:
        chunk_id = uow.session.query(DocumentChunk).filter_by(document_id=document["id"]).first().id
    other = AuthHelper(client).headers()
    base = f"/api/documents/{document['id']}"
    session_id = client.post("/api/session/", json={}, headers=other).get_json()["session"]["id"]
    for response in (
        client.get(base, headers=other),
        client.get(f"{base}/chunks/{chunk_id}", headers=other),
        client.patch(base, json={"filename": "x"}, headers=other),
        client.delete(base, headers=other),
        client.post(
            f"/api/session/{session_id}/documents",
            json={"document_id": document["id"]},
            headers=other,
        ),
        client.post(
            "/api/chat/",
            json={"message": "hi", "session_id": session_id, "document_ids": [document["id"]]},
            headers=other,
        ),
    ):
        assert response.status_code == 404, response.get_json()
    assert client.get("/api/documents", headers=other).get_json()["documents"] == []
    # A session of the other user cannot be used either.
    mine = client.post("/api/session/", json={}, headers=user).get_json()["session"]["id"]
    assert upload(client, other, b"text", "t.txt", session_id=mine).status_code == 404
    assert client.get(f"/api/session/{mine}/documents", headers=other).status_code == 404
    # A chunk id of one's own document under another document id is not found either.
    second = ready(client, user, b"Other words.", "other.txt")
    assert (
        client.get(f"/api/documents/{second['id']}/chunks/{chunk_id}", headers=user).status_code
        == 404
    )


def test_documents_attach_detach_and_the_export_notes_them(client, user):
    session_id = client.post("/api/session/", json={}, headers=user).get_json()["session"]["id"]
    first = ready(client, user, PDF, "manual.pdf", session_id=session_id)
    assert first["session_ids"] == [session_id]
    second = ready(client, user, b"Some notes.", "notes.txt")
    attached = client.post(
        f"/api/session/{session_id}/documents", json={"document_id": second["id"]}, headers=user
    ).get_json()["documents"]
    assert [d["filename"] for d in attached] == ["manual.pdf", "notes.txt"]
    export = client.get(f"/api/session/{session_id}/export", headers=user).get_json()
    assert [d["filename"] for d in export["documents"]] == ["manual.pdf", "notes.txt"]
    markdown = client.get(
        f"/api/session/{session_id}/export?format=markdown", headers=user
    ).get_data(as_text=True)
    assert "Documents used: manual.pdf, notes.txt" in markdown
    left = client.delete(
        f"/api/session/{session_id}/documents/{first['id']}", headers=user
    ).get_json()["documents"]
    assert [d["id"] for d in left] == [second["id"]]
    listed = client.get(f"/api/session/{session_id}/documents", headers=user).get_json()
    assert [d["id"] for d in listed["documents"]] == [second["id"]]


def test_the_library_is_paginated_newest_first(client, user):
    ids = [ready(client, user, f"note {i}".encode(), f"n{i}.txt")["id"] for i in range(3)]
    page = client.get("/api/documents?limit=2", headers=user).get_json()
    assert [d["id"] for d in page["documents"]] == ids[::-1][:2]
    rest = client.get(f"/api/documents?limit=2&cursor={page['next_cursor']}", headers=user)
    assert [d["id"] for d in rest.get_json()["documents"]] == [ids[0]]
    assert rest.get_json()["next_cursor"] is None


def test_an_extraction_whose_process_died_is_reported_failed(client, user, app):
    from datetime import timedelta

    from RAI_Chat.backend.core.database.document_models import Document
    from RAI_Chat.backend.core.database.models import utcnow

    document = ready(client, user, PDF, "manual.pdf")
    with app.extensions["rai_database"].unit_of_work() as uow:
        row = uow.session.get(Document, document["id"])
        row.status, row.updated_at = "extracting", utcnow() - timedelta(minutes=11)
        uow.commit()
    got = client.get(f"/api/documents/{document['id']}", headers=user).get_json()["document"]
    assert got["status"] == "failed" and "upload the file again" in got["error"]
    with app.extensions["rai_database"].unit_of_work() as uow:
        row = uow.session.get(Document, document["id"])
        row.status, row.updated_at = "extracting", utcnow() - timedelta(minutes=1)
        uow.commit()
    got = client.get(f"/api/documents/{document['id']}", headers=user).get_json()["document"]
    assert got["status"] == "extracting"  # still reporting: left alone
