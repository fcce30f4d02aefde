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
    "shift_check_stale": _("The shift leader's check is more than 30 minutes old: check again"),
    "briefing_missing": _("The safety briefing has not been given"),
    "workers_not_signed_in": _("Not every worker has signed in"),
    "worker_unqualified": _("A worker is no longer qualified"),
    "video_missing": _("Special-class hot work is filmed throughout: name the recording (5.2.11)"),
    "new_day": _("A new day: gas analysis, sign-ins and checks again before work"),
    "end_before_start": _("The end is before the start"),
    "too_long": _("Longer than the validity the standard allows"),
    "past_served_permit": _("Temporary power must end with the permit it serves (10.8)"),
    # gas analysis (5.3.2, 6.4)
    "flammable_too_high": _("Flammable gas above the limit of 5.3.2"),
    "oxygen_too_high": _("Oxygen too high"),
    "oxygen_too_low": _("Oxygen below 19.5 %"),
    "oxygen_missing": _("Oxygen not measured"),
    "lel_missing": _("Enter the gas's lower explosive limit"),
    "toxic_too_high": _("Toxic gas above its limit"),
    "nothing_measured": _("Nothing was measured"),
    # why a level was raised (5.1.1, 5.2.15, 8.1.2)
    "rest_day": _("Holiday or rest day"),
    "night": _("Night"),
    "wind": _("Wind force 5 or more"),
}


def label(code: str) -> str:
    from .rules.levels import HEIGHT_HAZARDS  # 8.1.2's own wording

    return str(REASONS.get(code) or HEIGHT_HAZARDS.get(code, code))


def labels(codes) -> str:
    return "；".join(label(c) for c in codes)
