"""Refusal codes of the permit rules, with the words a site supervisor reads."""

from django.utils.translation import gettext_lazy as _

from safework.certificates.reasons import REASONS as QUALIFICATION_REASONS

REASONS = {
    **QUALIFICATION_REASONS,
    "guardian_untrained": _("No valid guardian training record"),
    "not_on_permit": _("Not assigned to this permit"),
    "outside_geofence": _("Outside the work area"),
    "no_position": _("No GPS position was sent"),
    "inaccurate_position": _("GPS position too inaccurate"),
    "no_geofence": _("The work area has no geofence set"),
    "permit_not_open": _("The permit is not approved or running"),
    "past_validity": _("The permit is past its validity: make a new permit (GB 30871 4.16)"),
    "gas_stale": _("No passing gas analysis taken within 30 minutes"),
    "gas_failed": _("The latest gas analysis failed"),
    "no_guardian": _("No guardian on site"),
    "guardian_signed_out": _("The guardian signed out"),
    "shift_check_missing": _("The shift leader has not checked the permit"),
    "briefing_missing": _("The safety briefing has not been given"),
    "workers_not_signed_in": _("Not every worker has signed in"),
    "worker_unqualified": _("A worker is no longer qualified"),
    "end_before_start": _("The end is before the start"),
    "too_long": _("Longer than the validity the standard allows"),
    "past_served_permit": _("Temporary power must end with the permit it serves (10.8)"),
}


def label(code: str) -> str:
    return str(REASONS.get(code, code))


def labels(codes) -> str:
    return "；".join(label(c) for c in codes)
