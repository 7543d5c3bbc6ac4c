"""UserSessionManager: a user's chat sessions (list, create, read, rename, delete, export,
import). Stateless: a new manager per request, everything in the database."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import func, or_, select

from ..core.database.models import ChatSession, Message, isoformat, new_id, utcnow
from ..core.errors import Conflict
from ..schemas.events import MessageStatus
from . import file_storage
from .branches import Tree, link_imported, load_tree, sync_branch_marks, tree_fields
from .conversation import (
    ConversationManager,
    message_dict,
)
from .documents.library import DocumentLibrary
from .memory.contextual import KEEP_LAST_MESSAGES
from .memory.entries import branch_pairs
from .memory.episodic import ArchivedExchange, EpisodicArchive
from .memory.fact_transfer import export_facts, facts_of_messages, import_facts, parse_facts
from .memory.maintenance import exchange_text
from .pagination import decode_cursor, encode_cursor, keyset_before
from .repositories import expire_stale_turn, owned_session, running_turn, running_turns
from .user_services import UserServices

MAX_PAGE = 100


def session_dict(chat: ChatSession, message_count: int | None = None) -> dict:
    out = {
        "id": chat.id,
        "title": chat.title,
        "created_at": isoformat(chat.created_at),
        "updated_at": isoformat(chat.updated_at),
        "active_leaf_id": chat.active_leaf_id,
    }
    if message_count is not None:
        out["message_count"] = message_count
    return out


def utc(moment):
    """SQLite hands back naive datetimes, which are UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


IMPORTED_MARK = " (imported)"


def imported_title(title: str) -> str:
    """An imported copy is told apart from its original: "Trip to Lisbon (imported)"."""
    if title.endswith(IMPORTED_MARK) or title == "Imported chat":
        return title
    return title[: 200 - len(IMPORTED_MARK)].rstrip() + IMPORTED_MARK


class UserSessionManager(UserServices):
    def get_conversation_manager(self) -> ConversationManager:
        return self.sibling(ConversationManager)

    def list_sessions(self, limit: int, cursor: str | None, q: str | None) -> dict:
        counts = (
            select(Message.session_id, func.count().label("n"))
            .where(Message.user_id == self.user_id)
            .group_by(Message.session_id)
            .subquery()
        )
        query = (
            select(ChatSession, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.session_id == ChatSession.id)
            .where(ChatSession.user_id == self.user_id)
        )
        older = keyset_before(ChatSession.updated_at, ChatSession.id, cursor, self.database.dialect)
        if older is not None:
            query = query.where(older)
        if q and q.strip():
            pattern = _like(q.strip())
            in_messages = (
                select(Message.id)
                .where(
                    Message.session_id == ChatSession.id,
                    Message.content.ilike(pattern, escape="\\"),
                )
                .exists()
            )
            query = query.where(or_(ChatSession.title.ilike(pattern, escape="\\"), in_messages))
        query = query.order_by(ChatSession.updated_at.desc(), ChatSession.id.desc()).limit(
            limit + 1
        )
        with self.database.unit_of_work() as uow:
            rows = uow.session.execute(query).all()
        page, more = rows[:limit], len(rows) > limit
        last = page[-1][0] if page else None
        return {
            "sessions": [session_dict(chat, n) for chat, n in page],
            "next_cursor": encode_cursor(last.updated_at, last.id) if more and last else None,
        }

    def create_session(self, title: str | None) -> dict:
        with self.database.unit_of_work() as uow:
            chat = ChatSession(user_id=self.user_id, title=(title or "New chat").strip()[:200])
            uow.session.add(chat)
            uow.commit()
            return session_dict(chat, 0)

    def get_session(self, session_id: str, limit: int, cursor: str | None) -> dict:
        with self.database.unit_of_work() as uow:
            chat = owned_session(uow.session, self.user_id, session_id)
            # A turn whose process died shows as interrupted, not "in progress" forever.
            running = running_turns(uow.session, chat.id)
            if any([expire_stale_turn(uow.session, m) for m in running]):
                uow.commit()
            # The active branch only, newest first (the other versions are its messages'
            # siblings).
            tree = load_tree(uow.session, chat.id)
            branch = tree.active_path(chat)
            rows = list(reversed(branch))
            if cursor:
                moment, row_id = decode_cursor(cursor)
                rows = [m for m in rows if (utc(m.created_at), m.id) < (utc(moment), row_id)]
            page, more = rows[:limit], len(rows) > limit
            return {
                "session": session_dict(chat, len(branch)),
                "messages": [message_dict(m) | tree_fields(m, tree) for m in page],
                "next_cursor": encode_cursor(page[-1].created_at, page[-1].id)
                if more and page
                else None,
            }

    def rename_session(self, session_id: str, title: str) -> dict:
        with self.database.unit_of_work() as uow:
            chat = owned_session(uow.session, self.user_id, session_id)
            chat.title = title.strip()[:200]
            chat.updated_at = utcnow()
            uow.commit()
            return session_dict(chat)

    def delete_session(self, session_id: str) -> None:
        with self.database.unit_of_work() as uow:
            chat = owned_session(uow.session, self.user_id, session_id)
            if running_turn(uow.session, chat.id) is not None:
                raise Conflict("A reply is still being written in this session; stop it first")
            uow.session.delete(chat)
            uow.commit()

    def _all_messages(self, session_id: str) -> tuple[dict, list[Message], list[Message]]:
        """The session, every message (oldest first) and its active branch."""
        with self.database.unit_of_work() as uow:
            chat = owned_session(uow.session, self.user_id, session_id)
            messages = uow.session.scalars(
                select(Message)
                .where(Message.session_id == chat.id)
                .order_by(Message.created_at, Message.id)
            ).all()
            branch = Tree.of(messages).active_path(chat)
            return session_dict(chat), list(messages), branch

    def export_session(self, session_id: str, fmt: str) -> tuple[dict | str, str]:
        """The transcript and its file name (from the title and the chat's date)."""
        chat, messages, branch = self._all_messages(session_id)
        name = file_storage.export_filename(chat, "md" if fmt == "markdown" else "json")
        documents = self.sibling(DocumentLibrary).used_in_session(
            session_id, [m.sources for m in messages]
        )
        if fmt == "markdown":  # what the chat shows: its active branch
            return file_storage.export_markdown(chat, branch, documents), name
        with self.database.unit_of_work() as uow:
            captured = facts_of_messages(uow.session, self.user_id, [m.id for m in messages])
            facts = export_facts(captured, messages)
        return file_storage.export_json(chat, messages, documents, facts), name

    def import_session(self, data) -> dict:
        """Import a transcript, each message at its own time; it is archived at once (each
        message with the one before it, dated; ``memory.entries``) and searchable at once (full
        text), and by meaning once a background job has embedded them."""
        title, messages = file_storage.parse_import(data)
        facts = (
            parse_facts(data, [m["role"] for m in messages])
            if isinstance(data, dict) and data.get("format") == file_storage.EXPORT_FORMAT
            else []
        )
        title = imported_title(title)
        now = utcnow()
        base = now - timedelta(microseconds=len(messages))
        with self.database.unit_of_work() as uow:
            chat = ChatSession(user_id=self.user_id, title=title)
            uow.session.add(chat)
            uow.session.flush()
            rows = []
            for i, m in enumerate(messages):
                # The original times when the export has them (a time equal to or before the
                # previous one's is moved a microsecond after it: the file's order is the
                # conversation's order), else the original order ending now.
                created = m["created_at"] or base + timedelta(microseconds=i)
                if rows and created <= rows[-1].created_at:
                    created = rows[-1].created_at + timedelta(microseconds=1)
                rows.append(
                    Message(
                        id=new_id(),
                        session_id=chat.id,
                        user_id=self.user_id,
                        role=m["role"],
                        content=m["content"],
                        status=MessageStatus.complete,
                        created_at=created,
                        updated_at=now,
                    )
                )
            # The import's tree (else a chain): only the newest messages of the branch it
            # shows stay in the window, every branch is archived (``sync_branch_marks``).
            chat.active_leaf_id = link_imported(rows, messages)
            tree = Tree.of(rows)
            branch = [m.id for m in tree.path(chat.active_leaf_id)]
            archived = set(branch[:-KEEP_LAST_MESSAGES])
            for row in rows:
                row.archived = row.id in archived
            uow.session.add_all(rows)
            chat.created_at = min(rows[0].created_at, now).astimezone(UTC)
            chat.updated_at = now
            uow.session.flush()
            import_facts(uow.session, self.user_id, facts, rows)
            exchanges = branch_pairs(tree)
            uow.commit()
            result = session_dict(chat, len(branch))
        EpisodicArchive(self.user_id, self.database, None).add(
            [
                ArchivedExchange(
                    chat.id,
                    [m.id for m in exchange],
                    exchange_text(exchange),
                    created_at=exchange[0].created_at,
                )
                for exchange in exchanges
            ],
            embed=False,
        )
        sync_branch_marks(self.database, chat.id)
        if self.jobs is not None:
            self.jobs.embed_archive(self.user_id)
        return result
