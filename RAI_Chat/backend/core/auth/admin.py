"""Account administration for operators (``rai-admin``): create, list, enable, disable."""

from __future__ import annotations

from sqlalchemy import select

from ..database.models import User
from ..database.session import UnitOfWork
from ..errors import NotFound
from .service import add_user, check_password, check_username


class UserAdmin:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow

    def create_user(self, username: str, password: str, *, is_admin: bool = False) -> dict:
        username = check_username(username)
        check_password(password)
        with self.uow as uow:
            return add_user(uow, username, password, is_admin=is_admin).to_dict()

    def list_users(self) -> list[dict]:
        with self.uow as uow:
            users = uow.session.scalars(select(User).order_by(User.created_at, User.username_key))
            return [{**user.to_dict(), "is_active": user.is_active} for user in users]

    def set_active(self, username: str, active: bool) -> None:
        """Disable (every token stops working at once) or enable an account."""
        with self.uow as uow:
            user = uow.session.scalar(
                select(User).where(User.username_key == username.strip().lower())
            )
            if user is None:
                raise NotFound(f"No user named '{username}'")
            user.is_active = active
            uow.commit()
