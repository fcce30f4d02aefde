"""A worker signs in on their phone with ID number + mobile number + a one-time code sent
by SMS through the outbox (issue 7). Codes are random, stored as a keyed hash, valid for
a few minutes, used once, limited per person and per client; every request and every
sign-in is audited. The answer to a request never says whether the person exists."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.access import ratelimit
from safework.audit.services import audit_record
from safework.core import crypto
from safework.core.actors import Actor
from safework.core.idnumbers import normalize_id_number
from safework.people.models import Person
from safework.people.services import normalize_phone

from ..models import ContractorWorker, LoginCode
from .notify import sms_person

log = logging.getLogger(__name__)
CODE_MINUTES = 5
RESEND_SECONDS = 60
PER_HOUR = 5  # codes per person
CLIENT_PER_MINUTE = 10  # requests and attempts per client address
MAX_FAILURES = 5


def _hash(person_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"signin:{person_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _find(id_number: str, phone: str) -> Person | None:
    number = normalize_id_number(id_number or "")
    if len(number) != 18:
        return None
    person = Person.objects.filter(id_number_hash=crypto.blind_index(number)).first()
    if person is None or not person.is_active or not person.phone:
        return None
    if normalize_phone(person.phone) != normalize_phone(phone or ""):
        return None
    return person if ContractorWorker.objects.filter(person=person).exists() else None


def _actor(ip: str | None, person: Person | None = None) -> Actor:
    label = f"worker:{person.pk} {person.name}" if person else "worker sign-in"
    return Actor(system_label=label[:150], ip=ip)


def _throttled(person: Person, now: datetime) -> bool:
    recent = LoginCode.objects.filter(person=person, created_at__gt=now - timedelta(hours=1))
    if recent.count() >= PER_HOUR:
        return True
    return recent.filter(created_at__gt=now - timedelta(seconds=RESEND_SECONDS)).exists()


@transaction.atomic
def code_request(
    *, id_number: str, phone: str, ip: str | None, owner_id: int | None = None
) -> bool:
    """Send a code if the details match a contractor's worker; True when one was queued.
    Callers show the same answer either way."""
    if not ratelimit.allow("contractors-signin", ip, limit=CLIENT_PER_MINUTE):
        return False
    person, now = _find(id_number, phone), timezone.now()
    if person is None or _throttled(person, now):
        audit_record(actor=_actor(ip, person), action="worker_signin.refused", object_type="people.person",
                     object_id=str(person.pk) if person else "")  # fmt: skip
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = LoginCode.objects.create(person=person, code_hash=_hash(person.pk, code), ip=ip,
                                   expires_at=now + timedelta(minutes=CODE_MINUTES))  # fmt: skip
    text = _("Your safety briefing sign-in code is %(code)s, valid for %(minutes)d minutes.") % {
        "code": code, "minutes": CODE_MINUTES,
    }  # fmt: skip
    params = {"name": person.name, "item": _("sign-in code"), "date": "", "days": str(CODE_MINUTES),
              "action": code, "code": code}  # fmt: skip
    sent = sms_person(person, owner_id=owner_id, text=text, params=params, key=f"signin:{row.pk}")
    if not sent:
        log.warning(
            "worker sign-in: no SMS account configured, code for person %s not sent", person.pk
        )
    audit_record(actor=_actor(ip, person), action="worker_signin.code", obj=person,
                 changes={"sent": {"before": None, "after": sent}})  # fmt: skip
    return sent


@dataclass(frozen=True)
class SignIn:
    person: Person | None
    error: str = ""


def code_verify(*, id_number: str, phone: str, code: str, ip: str | None) -> SignIn:
    """The person when the code is right, unused and not expired; the failure is
    recorded (and audited) in its own transaction, so it is kept."""
    failed = SignIn(None, _("The code is wrong or has expired. Ask for a new one."))
    if not ratelimit.allow("contractors-signin", ip, limit=CLIENT_PER_MINUTE):
        return SignIn(None, _("Too many attempts; wait a minute."))
    person = _find(id_number, phone)
    if person is None:
        return failed
    with transaction.atomic():
        return _check(person, (code or "").strip(), ip) or failed


def _check(person: Person, code: str, ip: str | None) -> SignIn | None:
    now = timezone.now()
    row = (
        LoginCode.objects.select_for_update()
        .filter(person=person, used_at=None, expires_at__gt=now, failures__lt=MAX_FAILURES)
        .order_by("-created_at").first()
    )  # fmt: skip
    if row is None:
        return None
    if not hmac.compare_digest(row.code_hash, _hash(person.pk, code)):
        row.failures += 1
        row.save(update_fields=["failures"])
        audit_record(actor=_actor(ip, person), action="worker_signin.failed", obj=person)
        return None
    # Single use: only the request that flips used_at signs in.
    if LoginCode.objects.filter(pk=row.pk, used_at=None).update(used_at=now) != 1:
        return None
    audit_record(actor=_actor(ip, person), action="worker_signin", obj=person)
    return SignIn(person)
