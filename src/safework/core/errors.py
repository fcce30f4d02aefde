"""Errors raised by services, mapped to form errors on pages and to 4xx in the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


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


# Pydantic error types -> a message a person reads; "date_..." covers every date error.
_TYPE_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "date_": gettext_lazy("Enter a valid date as YYYY-MM-DD."),
    "datetime_": gettext_lazy("Enter a valid date and time (ISO 8601)."),
    "int_": gettext_lazy("Enter a whole number."),
    "float_": gettext_lazy("Enter a number."),
    "decimal_": gettext_lazy("Enter a number."),
    "bool_": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "list_type": gettext_lazy("Enter a list."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "model_attributes_type": gettext_lazy("Send a JSON object."),
    "model_type": gettext_lazy("Send a JSON object."),
    "dict_type": gettext_lazy("Send a JSON object."),
}


def pydantic_message(error: dict) -> str:
    """One of pydantic's errors (``ValidationError.errors()``) as a message a person reads,
    in the active language. A validator's own ``ValueError`` (type ``value_error``) is
    shown as it was raised: such messages are written translated."""
    kind = error["type"]
    if kind == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    template = _TYPE_MESSAGES.get(kind) or next(
        (
            m
            for prefix, m in _TYPE_MESSAGES.items()
            if prefix.endswith("_") and kind.startswith(prefix)
        ),
        None,
    )
    if template is None:
        return _("Invalid value.")
    try:
        return str(template) % error.get("ctx", {})
    except (KeyError, TypeError):  # a pydantic version without the expected context
        return _("Invalid value.")
