"""Start-up check: the badge keys parse (a bad SAFEWORK_BADGE_KEYS stops `safework run`
and `migrate` with a message naming the entry, not the first scan of a badge)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def badge_keys(app_configs, **kwargs):
    from .keys import ring

    try:
        ring()
    except ImproperlyConfigured as exc:
        return [checks.Critical(str(exc), id="access.E001")]
    return []


def register() -> None:
    checks.register(badge_keys, "security")
