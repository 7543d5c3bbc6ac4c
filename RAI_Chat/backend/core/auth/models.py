"""What the auth layer hands to the rest of the app."""

from ..database.models import User

__all__ = ["User"]
