"""Errors the services raise. ``api/errors.py`` turns each into the JSON envelope."""


class RaiError(Exception):
    """Base class: an error with an HTTP status and a message a user can act on."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class BadRequest(RaiError):
    status_code = 400


class Unauthorized(RaiError):
    status_code = 401


class Forbidden(RaiError):
    status_code = 403


class NotFound(RaiError):
    status_code = 404


class Conflict(RaiError):
    status_code = 409


class UsernameTaken(BadRequest):
    def __init__(self, username: str):
        super().__init__(f"Username '{username}' is already taken")


class InvalidCredentials(Unauthorized):
    def __init__(self):
        super().__init__("Invalid username or password")


class RegistrationClosed(Forbidden):
    def __init__(self):
        super().__init__("Registration is disabled on this server; ask an administrator")


class UpstreamError(RaiError):
    """The LLM engine or another service we depend on failed."""

    status_code = 502
