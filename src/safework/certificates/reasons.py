"""Stable reason codes (DESIGN.md) with the label a site supervisor reads."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "unknown_credential": _("Unknown credential"),
    "badge_revoked": _("Badge revoked"),
    "person_inactive": _("Person is not employed (left)"),
    "person_blacklisted": _("Person is blacklisted"),
    "no_certificate": _("No certificate for this operation"),
    "certificate_expired": _("Certificate expired"),
    "review_overdue": _("Certificate review overdue"),
    "certificate_renewing": _("Certificate is being renewed"),
    "certificate_suspended": _("Certificate suspended"),
    "certificate_revoked": _("Certificate revoked"),
    "reexam_required": _("Away from the post 6 months or more: practical re-exam required"),
    "not_admitted": _("Contractor admission incomplete"),
    "briefing_not_passed": _("Safety briefing not passed"),
    "area_not_authorized": _("Not authorized for this work area"),
    "not_assigned": _("Operation is not among the person's special operations"),
}


def reason_label(code: str) -> str:
    return str(REASONS.get(code, code))
