"""Errors raised by services, mapped to form errors on pages and to 4xx in the API."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400


class ValidationFailed(ServiceError):
    """One or more fields are wrong. ``errors`` maps field name -> translatable message."""

    status = 422

    def __init__(self, errors: dict[str, object]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class Conflict(ValidationFailed):
    """A uniqueness rule is violated (duplicate ID number, duplicate certificate)."""

    status = 409


class NotAllowed(ServiceError):
    status = 403

    def __init__(self, message=""):
        self.message = message
        super().__init__(str(message))
