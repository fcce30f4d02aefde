"""Optional TOTP second factor for admins and safety managers (issue 6)."""

from __future__ import annotations

import time

import pyotp
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.core import crypto
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed

from .models import TotpDevice

ISSUER = "safework"


def totp_offered(user) -> bool:
    if user.is_superuser:
        return True
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role == Role.SAFETY_MANAGER


def totp_enabled(user) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(*, user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):  # one step of clock drift either way
        if totp.at(candidate * totp.interval) == code:
            return candidate
    return None


@transaction.atomic
def totp_enable(*, actor: Actor, user, secret: str, code: str) -> TotpDevice:
    if not totp_offered(user):
        raise NotAllowed(_("Two-factor sign-in is offered to administrators and safety managers."))
    step = _matching_step(secret, code, time.time())
    if step is None:
        raise ValidationFailed({"code": _("The code is wrong or expired; enter the current code.")})
    device, _created = TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret_encrypted": crypto.encrypt(secret),
            "confirmed_at": timezone.now(),
            "last_step": step,
        },
    )
    audit_record(actor=actor, action="2fa_enabled", obj=user, object_repr=user.get_username())
    return device


@transaction.atomic
def totp_check(*, actor: Actor, user, code: str, now: float | None = None) -> bool:
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = _matching_step(crypto.decrypt(device.secret_encrypted), code, now or time.time())
    ok = step is not None and step > device.last_step
    if ok:
        device.last_step = step
        device.save(update_fields=["last_step"])
    audit_record(
        actor=actor,
        action="2fa_passed" if ok else "2fa_failed",
        obj=user,
        object_repr=user.get_username(),
    )
    return ok


@transaction.atomic
def totp_disable(*, actor: Actor, user) -> None:
    deleted, _rows = TotpDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action="2fa_disabled", obj=user, object_repr=user.get_username())
