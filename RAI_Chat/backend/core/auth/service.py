"""Registration, login and password changes. Owns its unit of work."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..database.models import RevokedToken, User, utcnow
from ..database.session import UnitOfWork
from ..errors import BadRequest, InvalidCredentials, RegistrationClosed, Unauthorized, UsernameTaken
from .strategies import (
    TokenClaims,
    decode_token,
    hash_password,
    issue_token,
    password_needs_rehash,
    verify_password,
)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise BadRequest(
            "Username must be 2-64 characters: letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return username


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadRequest(f"Password must be at most {MAX_PASSWORD_LENGTH} characters")


class FirstAccountTaken(Exception):
    """Another registration became the first account while this one was being made."""


def add_user(
    uow: UnitOfWork, username: str, password: str, *, is_admin: bool, first: bool = False
) -> User:
    """Create and commit an account (name and password already checked). ``first`` claims
    the first-account marker, which only one row can hold (``FirstAccountTaken``)."""
    if _name_taken(uow, username):
        raise UsernameTaken(username)
    user = User(
        username=username,
        username_key=username.lower(),
        password_hash=hash_password(password),
        is_admin=is_admin,
        first_account=True if first else None,
    )
    uow.session.add(user)
    try:
        uow.commit()
    except IntegrityError as exc:  # a unique key: the same name, or the first account
        uow.session.rollback()
        if first and not _name_taken(uow, username):
            raise FirstAccountTaken() from exc
        raise UsernameTaken(username) from exc
    return user


def _name_taken(uow: UnitOfWork, username: str) -> bool:
    found = uow.session.scalar(select(User.id).where(User.username_key == username.lower()))
    return found is not None


class AuthService:
    def __init__(self, uow: UnitOfWork, jwt_secret: str, token_lifetime_s: int):
        self.uow = uow
        self.jwt_secret = jwt_secret
        self.token_lifetime_s = token_lifetime_s

    def _token_for(self, user: User) -> dict:
        return {
            "access_token": issue_token(
                user.id, user.token_version, self.jwt_secret, self.token_lifetime_s
            ),
            "token_type": "bearer",
            "expires_in": self.token_lifetime_s,
            "user": user.to_dict(),
        }

    def register(self, username: str, password: str, *, registration_enabled: bool = True) -> dict:
        username = check_username(username)
        check_password(password)
        with self.uow as uow:
            try:
                user = self._add_account(uow, username, password, registration_enabled)
            except FirstAccountTaken:
                # Another registration became the first account (the administrator) since
                # this one counted: count again, this one is an ordinary account.
                user = self._add_account(uow, username, password, registration_enabled)
            return self._token_for(user)

    @staticmethod
    def _add_account(uow: UnitOfWork, username: str, password: str, registration_enabled: bool):
        """The first account is the administrator (whatever ``registration_enabled`` says)."""
        first = uow.session.scalar(select(func.count()).select_from(User)) == 0
        if not registration_enabled and not first:
            raise RegistrationClosed()
        return add_user(uow, username, password, is_admin=first, first=first)

    def login(self, username: str, password: str) -> dict:
        with self.uow as uow:
            user = uow.session.scalar(
                select(User).where(User.username_key == username.strip().lower())
            )
            if not verify_password(user.password_hash if user else None, password):
                raise InvalidCredentials()
            if not user.is_active:
                raise Unauthorized("This account is disabled")
            if password_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
                uow.commit()
            return self._token_for(user)

    def authenticate(self, token: str) -> User:
        """The active user a token belongs to, or ``Unauthorized``."""
        return self.authenticate_claims(token)[0]

    def authenticate_claims(self, token: str) -> tuple[User, TokenClaims]:
        """The active user a token belongs to and the token's claims, or ``Unauthorized``:
        a bad or expired token, an older token version (password changed, signed out
        everywhere), a signed-out token, a disabled account."""
        claims: TokenClaims = decode_token(token, self.jwt_secret)
        with self.uow as uow:
            user = uow.session.get(User, claims.user_id)
            if user is None or not user.is_active or user.token_version != claims.token_version:
                raise Unauthorized("Invalid token")
            if uow.session.get(RevokedToken, claims.token_id) is not None:
                raise Unauthorized("This token was signed out; log in again")
            uow.session.expunge(user)
            return user, claims

    def logout(self, claims: TokenClaims) -> None:
        """Revoke one token (this device); the user's other tokens keep working. Its id is
        kept until the token would have expired; expired ids are dropped on the way."""
        expires_at = datetime.fromtimestamp(claims.expires_at, UTC)
        with self.uow as uow:
            uow.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
            if uow.session.get(RevokedToken, claims.token_id) is None:
                uow.session.add(
                    RevokedToken(jti=claims.token_id, user_id=claims.user_id, expires_at=expires_at)
                )
            try:
                uow.commit()
            except IntegrityError:  # the same token signed out twice at once: done already
                uow.session.rollback()

    def logout_everywhere(self, user_id: str) -> None:
        """Every token of the user stops working (every device, this one too)."""
        with self.uow as uow:
            user = uow.session.get(User, user_id)
            if user is None:
                raise Unauthorized("Invalid token")
            user.token_version += 1
            uow.commit()

    def change_password(self, user_id: str, old_password: str, new_password: str) -> dict:
        check_password(new_password)
        with self.uow as uow:
            user = uow.session.get(User, user_id)
            if user is None or not verify_password(user.password_hash, old_password):
                raise InvalidCredentials()
            user.password_hash = hash_password(new_password)
            user.token_version += 1
            uow.commit()
            return self._token_for(user)

    def set_password(self, username: str, new_password: str) -> None:
        """Administrator reset: every token of the user stops working."""
        check_password(new_password)
        with self.uow as uow:
            user = uow.session.scalar(select(User).where(User.username_key == username.lower()))
            if user is None:
                raise BadRequest(f"No user named '{username}'")
            user.password_hash = hash_password(new_password)
            user.token_version += 1
            uow.commit()
