"""Remembered facts about a user: no duplicates, corrections keep history (the old fact is
superseded, not silently lost), forgetting by the model is soft, deletion by the user is not."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import delete, select

from ...core.database.models import Message, UserFact, isoformat, utcnow
from ...core.database.session import Database
from ...core.errors import BadRequest
from ..repositories import owned_fact

MAX_FACT_CHARS = 500
_WORD = re.compile(r"[\w']+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "am",
        "be",
        "to",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "for",
        "with",
        "my",
        "me",
        "i",
        "i'm",
        "user",
        "user's",
        "their",
        "his",
        "her",
        "its",
        "that",
        "this",
    ]
)


def fact_key(fact: str) -> str:
    """Case, punctuation and spacing do not make two facts different."""
    return " ".join(_WORD.findall(fact.casefold()))[:MAX_FACT_CHARS]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS}


def about_the_user(fact: str) -> str:
    """A fact as a sentence about the user, so that a small model keeps "you" and "I"
    apart: "name is Sam" → "The user's name is Sam", "likes tea" → "The user likes tea";
    captured facts ("The user's city: Lyon") are already so."""
    text = fact.strip()
    if re.match(r"(?i)^(the )?user\b", text) or re.search(r"(?i)\bthe user\b", text):
        return text  # "Radiohead is the user's favourite band."
    if re.match(
        r"(?i)^(is|was|has|had|lives|works|likes|loves|prefers|speaks|owns|"
        r"drives|plays|studies|grew|moved|supports|usually)\b",
        text,
    ):
        return f"The user {text}"
    return f"The user's {text}"


def similarity(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def fact_dict(fact: UserFact) -> dict:
    return {
        "id": fact.id,
        "fact": fact.fact,
        "status": fact.status,
        "source_message_id": fact.source_message_id,
        "source_session_id": getattr(fact, "source_session_id", None),
        "superseded_by_id": fact.superseded_by_id,
        "abandoned_branch": bool(fact.abandoned_branch),
        "created_at": isoformat(fact.created_at),
        "updated_at": isoformat(fact.updated_at),
    }


def clean_fact(fact: str) -> str:
    fact = " ".join(fact.split())
    if not fact:
        raise BadRequest("fact: must not be blank")
    if len(fact) > MAX_FACT_CHARS:
        raise BadRequest(f"fact: at most {MAX_FACT_CHARS} characters")
    return fact


class UserFacts:
    def __init__(self, user_id: str, database: Database):
        self.user_id = user_id
        self.database = database

    def _active(self, session) -> list[UserFact]:
        return list(
            session.scalars(
                select(UserFact)
                .where(UserFact.user_id == self.user_id, UserFact.status == "active")
                .order_by(UserFact.created_at)
            )
        )

    def _active_by_key(self, session, key: str) -> UserFact | None:
        return session.scalar(
            select(UserFact).where(
                UserFact.user_id == self.user_id,
                UserFact.status == "active",
                UserFact.fact_key == key,
            )
        )

    def _owned(self, session, fact_id: str) -> UserFact:
        return owned_fact(session, self.user_id, fact_id)

    def _with_sources(self, session, facts: list[UserFact]) -> list[dict]:
        ids = {f.source_message_id for f in facts if f.source_message_id}
        sessions = (
            dict(
                session.execute(
                    select(Message.id, Message.session_id).where(Message.id.in_(ids))
                ).all()
            )
            if ids
            else {}
        )
        out = []
        for f in facts:
            item = fact_dict(f)
            item["source_session_id"] = sessions.get(f.source_message_id)
            out.append(item)
        return out

    def list(self, include_history: bool = False) -> list[dict]:
        with self.database.unit_of_work() as uow:
            query = select(UserFact).where(UserFact.user_id == self.user_id)
            if not include_history:
                query = query.where(UserFact.status == "active")
            facts = list(uow.session.scalars(query.order_by(UserFact.created_at.desc())))
            return self._with_sources(uow.session, facts)

    def active_texts(self) -> list[str]:
        """The facts put in prompts: active, and not from an abandoned branch."""
        with self.database.unit_of_work() as uow:
            return [f.fact for f in self._active(uow.session) if not f.abandoned_branch]

    def remember(self, fact: str, source_message_id: str | None = None) -> tuple[dict, bool]:
        """(the fact, created?) — an existing equal fact is returned, not duplicated."""
        fact = clean_fact(fact)
        key = fact_key(fact)
        with self.database.unit_of_work() as uow:
            existing = self._active_by_key(uow.session, key)
            if existing is not None:
                return fact_dict(existing), False
            row = UserFact(
                user_id=self.user_id, fact=fact, fact_key=key, source_message_id=source_message_id
            )
            uow.session.add(row)
            uow.commit()
            return fact_dict(row), True

    def capture(
        self,
        about: str | None,
        fact: str,
        source_message_id: str,
        topic_of: Callable[[str], str | None] | None = None,
    ) -> tuple[dict, bool]:
        """A fact captured in the background, about ``about`` ("city"): (the fact, whether
        anything changed). An equal fact is kept; an active fact about the same thing with
        another value is superseded by it (kept in the history). What an active fact is
        about is ``topic_of(its text)``, by default the "The user's <about>:" it starts
        with; with ``about`` None the fact replaces nothing."""
        fact = clean_fact(fact)
        key = fact_key(fact)
        subject = fact_key(f"The user's {about}") + " "

        def same_subject(row: UserFact) -> bool:
            if about is None:
                return False
            if topic_of is None:
                return row.fact_key.startswith(subject)
            return topic_of(row.fact) == about

        with self.database.unit_of_work() as uow:
            existing = self._active_by_key(uow.session, key)
            if existing is not None:
                if existing.abandoned_branch:  # said again: from this message now
                    existing.source_message_id, existing.abandoned_branch = source_message_id, False
                    uow.commit()
                return fact_dict(existing), False
            older = [f for f in self._active(uow.session) if same_subject(f)]
            if older:
                replacement = self._supersede(uow.session, older[-1], fact, source_message_id)
                for other in older[:-1]:
                    other.status, other.superseded_by_id = "superseded", replacement.id
                    other.updated_at = utcnow()
                uow.commit()
                return fact_dict(replacement), True
            row = UserFact(
                user_id=self.user_id, fact=fact, fact_key=key, source_message_id=source_message_id
            )
            uow.session.add(row)
            uow.commit()
            return fact_dict(row), True

    def _best_match(self, session, text: str, threshold: float = 0.5) -> UserFact | None:
        key = fact_key(text)
        best, best_score = None, threshold
        for fact in self._active(session):
            if fact.fact_key == key:
                return fact
            score = similarity(fact.fact, text)
            if key and key in fact.fact_key:
                score = max(score, 0.9)
            if score >= best_score:
                best, best_score = fact, score
        return best

    def _supersede(self, session, old: UserFact, new_text: str, source: str | None) -> UserFact:
        new_text = clean_fact(new_text)
        key = fact_key(new_text)
        replacement = self._active_by_key(session, key)
        if replacement is None:
            replacement = UserFact(
                user_id=self.user_id, fact=new_text, fact_key=key, source_message_id=source
            )
            session.add(replacement)
            session.flush()
        if replacement.id != old.id:
            old.status = "superseded"
            old.superseded_by_id = replacement.id
            old.updated_at = utcnow()
        return replacement

    def replace_value(self, old: str, new: str, source_message_id: str) -> dict | None:
        """A correction that names no subject ("it's Lisbon, not Madrid"): the one active
        fact holding ``old`` as whole words is superseded by the same fact with ``new`` in
        its place. None when no fact, or more than one, holds it (nothing is guessed)."""
        value = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)", re.IGNORECASE)
        with self.database.unit_of_work() as uow:
            holding = [f for f in self._active(uow.session) if value.search(f.fact)]
            if len(holding) != 1:
                return None
            text = value.sub(lambda _: new, holding[0].fact)
            replacement = self._supersede(uow.session, holding[0], text, source_message_id)
            uow.commit()
            return fact_dict(replacement)

    def correct(
        self, old: str, new: str, source_message_id: str | None = None
    ) -> tuple[dict, dict | None, bool]:
        """Supersede the fact that best matches ``old`` by ``new`` (when none does, just
        remember ``new``): (the fact now active, the fact it superseded or None, whether
        anything changed)."""
        with self.database.unit_of_work() as uow:
            match = self._best_match(uow.session, old)
            if match is None:
                uow.session.rollback()
                fact, created = self.remember(new, source_message_id)
                return fact, None, created
            replacement = self._supersede(uow.session, match, new, source_message_id)
            if replacement.id == match.id:
                return fact_dict(match), None, False  # ``new`` is the fact already
            uow.commit()
            return fact_dict(replacement), fact_dict(match), True

    def edit(self, fact_id: str, new_text: str) -> dict:
        """The user's own correction of one fact: the old text is kept as superseded."""
        with self.database.unit_of_work() as uow:
            fact = self._owned(uow.session, fact_id)
            if fact.status != "active":
                raise BadRequest("Only an active fact can be edited")
            if fact_key(new_text) == fact.fact_key:
                fact.fact = clean_fact(new_text)
                fact.updated_at = utcnow()
                uow.commit()
                return fact_dict(fact)
            replacement = self._supersede(uow.session, fact, new_text, fact.source_message_id)
            uow.commit()
            return fact_dict(replacement)

    def forget(self, text: str) -> dict | None:
        """The model's [FORGET_THIS] (the action handler chose which fact): the active fact
        equal to ``text`` is marked forgotten (kept in history)."""
        with self.database.unit_of_work() as uow:
            match = self._active_by_key(uow.session, fact_key(text))
            if match is None:
                return None
            match.status = "forgotten"
            match.updated_at = utcnow()
            uow.commit()
            return fact_dict(match)

    def delete(self, fact_id: str) -> None:
        """The user deletes a fact: it is gone, with its history."""
        with self.database.unit_of_work() as uow:
            fact = self._owned(uow.session, fact_id)
            uow.session.execute(
                delete(UserFact).where(
                    UserFact.user_id == self.user_id, UserFact.superseded_by_id == fact.id
                )
            )
            uow.session.delete(fact)
            uow.commit()

    def delete_all(self) -> int:
        with self.database.unit_of_work() as uow:
            result = uow.session.execute(delete(UserFact).where(UserFact.user_id == self.user_id))
            uow.commit()
            return result.rowcount or 0
