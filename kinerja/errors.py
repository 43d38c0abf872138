"""Domain errors raised by services; views turn them into flashes, 403/404 or 409."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the action. The message is already translated for the user."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    code = "validation_failed"


class NotAllowed(DomainError):
    code = "not_allowed"


class Conflict(DomainError):
    code = "conflict"
