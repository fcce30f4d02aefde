"""Status badges (one colour per certificate status) and reason labels for the pages."""

import re

from django import template
from django.utils.html import format_html

from safework.certificates.choices import Status
from safework.certificates.reasons import reason_label as _reason_label
from safework.core.idnumbers import mask_id_number

register = template.Library()

STATUS_COLOURS = {
    Status.VALID: "success",
    Status.EXPIRING: "warning",
    Status.REVIEW_OVERDUE: "danger",
    Status.EXPIRED: "danger",
    Status.RENEWING: "info",
    Status.SUSPENDED: "secondary",
    Status.REVOKED: "dark",
    Status.SUPERSEDED: "light",
}


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "secondary")


@register.filter
def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


@register.simple_tag
def status_badge(status: str):
    return format_html(
        '<span class="badge text-bg-{} status-badge" data-status="{}">{}</span>',
        status_colour(status),
        status,
        status_label(status),
    )


@register.filter
def reason_label(code: str) -> str:
    return _reason_label(code)


# New-style MEM certificate numbers are the holder's ID number, sometimes with a T prefix
# (RULES.md 1); shown in full they would undo the ID masking (PIPL).
_ID_LIKE = re.compile(r"^(T?)(\d{17}[\dX])$")


def is_id_like(number: str) -> bool:
    return bool(_ID_LIKE.match(number or ""))


@register.filter
def cert_number(number: str) -> str:
    """A certificate number for display: an embedded ID number is masked."""
    match = _ID_LIKE.match(number or "")
    return match.group(1) + mask_id_number(match.group(2)) if match else number
