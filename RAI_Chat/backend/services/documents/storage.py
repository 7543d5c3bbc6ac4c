"""Where an uploaded file's bytes are kept: ``<DOCUMENT_STORAGE_DIR>/<user id>/<document
id>`` (by default under the instance folder; the name never comes from the user). Files,
not database rows: a 20 MB PDF would bloat the database, its backups and every PostgreSQL
dump, while the extracted text (what is searched) is in the database already."""

from __future__ import annotations

import os
from pathlib import Path


class DocumentStore:
    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    @staticmethod
    def relative_path(user_id: str, document_id: str) -> str:
        return f"{user_id}/{document_id}"

    def path(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents:  # never outside the storage folder
            raise ValueError("document path outside the storage folder")
        return path

    def save(self, relative: str, data: bytes) -> None:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)

    def load(self, relative: str) -> bytes:
        return self.path(relative).read_bytes()

    def remove(self, relative: str) -> None:
        self.path(relative).unlink(missing_ok=True)
