from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ACTION_LABELS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "state_change": _("employment state changed"),
    "view_id_number": _("viewed the full ID number"),
    "renewal_start": _("renewal started (换证中)"),
    "suspend": _("suspended"),
    "revoke": _("revoked"),
    "reinstate": _("reinstated"),
    "review": _("review recorded (复审)"),
    "replace": _("replaced by a new certificate"),
    "login": _("signed in"),
    "logout": _("signed out"),
    "login_failed": _("failed sign-in"),
    "export": _("exported"),
    "photo_change": _("photo changed"),
    "2fa_enabled": _("two-factor sign-in enabled"),
    "2fa_disabled": _("two-factor sign-in disabled"),
    "2fa_passed": _("two-factor code accepted"),
    "2fa_failed": _("two-factor code refused"),
    "permission_change": _("permissions changed"),
    "password_set": _("password set by an administrator"),
    "token_create": _("API token created"),
    "token_revoke": _("API token revoked"),
    "ledger_preview": _("ledger checked (dry run)"),
    "ledger_import": _("ledger imported"),
    "ledger_refused": _("ledger refused"),
    "verify": _("verified against a source"),
    "verification_resolved": _("verification follow-up resolved"),
    "scan_upload": _("certificate photo uploaded"),
    "scan_attach": _("certificate photo attached"),
    "gate_check": _("gate check"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def change_rows(changes):
    """[(field, before, after)] for field-level diffs, [(key, None, value)] otherwise."""
    rows = []
    for key, value in (changes or {}).items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            rows.append((key, value["before"], value["after"]))
        else:
            rows.append((key, None, value))
    return rows
