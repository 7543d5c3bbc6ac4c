"""Registration, login and password changes. Owns its unit of work."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database.models import User
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


def add_user(uow: UnitOfWork, username: str, password: str, *, is_admin: bool) -> User:
    """Create and commit an account (name and password already checked)."""
    if uow.session.scalar(select(User).where(User.username_key == username.lower())):
        raise UsernameTaken(username)
    user = User(
        username=username,
        username_key=username.lower(),
        password_hash=hash_password(password),
        is_admin=is_admin,
    )
    uow.session.add(user)
    try:
        uow.commit()
    except IntegrityError as exc:  # the same name registered concurrently (unique key)
        raise UsernameTaken(username) from exc
    return user


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
            is_first = uow.session.scalar(select(func.count()).select_from(User)) == 0
            if not registration_enabled and not is_first:
                raise RegistrationClosed()
            user = add_user(uow, username, password, is_admin=is_first)
            return self._token_for(user)

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
        claims: TokenClaims = decode_token(token, self.jwt_secret)
        with self.uow as uow:
            user = uow.session.get(User, claims.user_id)
            if user is None or not user.is_active or user.token_version != claims.token_version:
                raise Unauthorized("Invalid token")
            uow.session.expunge(user)
            return user

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
