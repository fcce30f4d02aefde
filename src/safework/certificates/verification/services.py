"""Verification services: a provider check, a manual check, resolving a follow-up, the
sources' settings, and the monthly re-verification of every active certificate
(rate-limited, resumable from its cursor). Each write is audited in its transaction; a
network call never runs inside a transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dtime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core import crypto
from safework.core.access import certificates_visible, require_owner_admin, require_write
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.uploads import store_upload

from ..choices import ManualState
from ..ledger.items import ItemMatcher
from ..models import (
    Certificate,
    CertificateType,
    CertificateVerification,
    VerificationRun,
    VerificationSource,
)
from .base import CertificateVerifier, SourceUnavailable, VerificationQuery
from .compare import Comparison, compare
from .http import HttpVerifier

Result = CertificateVerification.Result
FOLLOW_UP = {Result.MISMATCH, Result.NOT_FOUND}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# A run stops (to resume next time) after this many "source unavailable" answers in a row.
MAX_UNAVAILABLE_IN_A_ROW = 5
RUN_BATCH = 200


def _user(actor: Actor):
    return actor.user if actor.user is not None and actor.user.is_authenticated else None


def _in_scope(actor: Actor, cert: Certificate) -> None:
    if not certificates_visible(Certificate.objects.filter(pk=cert.pk), actor).exists():
        raise NotAllowed(_("You cannot verify this certificate."))


def check_with(verifier: CertificateVerifier, cert: Certificate) -> tuple[Comparison, str]:
    """Ask the source (no transaction open) and compare."""
    query = VerificationQuery(id_number=cert.person.full_id_number(), name=cert.person.name)
    try:
        lookup = verifier.lookup(query)
    except SourceUnavailable as exc:
        return Comparison(Result.UNAVAILABLE), exc.detail[:300]
    matcher = ItemMatcher(CertificateType.objects.filter(is_active=True))
    return compare(cert, lookup, matcher), ""


@transaction.atomic
def _record(
    *, actor: Actor, cert: Certificate, source: str, comparison: Comparison, detail: str, run=None
) -> CertificateVerification:
    record = CertificateVerification.objects.create(
        certificate=cert,
        method=CertificateVerification.Method.PROVIDER,
        source=source[:100],
        checked_at=timezone.now(),
        checked_by=_user(actor),
        actor=actor.label[:150],
        result=comparison.result,
        differences=diff(
            {k: v["ours"] for k, v in comparison.differences.items()},
            {k: v["source"] for k, v in comparison.differences.items()},
        ),
        detail=detail,
        run=run,
        follow_up=comparison.result in FOLLOW_UP,
    )
    audit_record(actor=actor, action="verify", obj=cert, changes=_audit(record))
    return record


def _audit(record: CertificateVerification) -> dict:
    return {
        "source": record.source,
        "method": record.method,
        "result": record.result,
        "differences": sorted(record.differences),
    }


def certificate_verify(
    *, actor: Actor, certificate: Certificate, verifier: CertificateVerifier, run=None
) -> CertificateVerification:
    """Check one certificate with a provider and record the result."""
    require_write(actor)
    _in_scope(actor, certificate)
    comparison, detail = check_with(verifier, certificate)
    return _record(
        actor=actor,
        cert=certificate,
        source=verifier.name,
        comparison=comparison,
        detail=detail,
        run=run,
    )


@transaction.atomic
def verification_record_manual(
    *,
    actor: Actor,
    certificate: Certificate,
    result: str,
    checked_on: date,
    source: str,
    note: str = "",
    evidence=None,
) -> CertificateVerification:
    """A check done by a person (the national query site, the QR code on the card)."""
    require_write(actor)
    _in_scope(actor, certificate)
    errors = {}
    if result not in Result.values:
        errors["result"] = _("Choose the result.")
    if not isinstance(checked_on, date) or checked_on > today():
        errors["checked_on"] = _("Enter the date of the check (not in the future).")
    if not source.strip():
        errors["source"] = _("Say where it was checked.")
    if errors:
        raise ValidationFailed(errors)
    stored = None
    if evidence is not None:
        stored = store_upload(
            evidence,
            allowed={"jpeg", "png", "webp", "pdf"},
            max_bytes=EVIDENCE_MAX_BYTES,
            subdir="verifications",
            field="evidence",
        )
    record = CertificateVerification.objects.create(
        certificate=certificate,
        method=CertificateVerification.Method.MANUAL,
        source=source.strip()[:100],
        checked_at=timezone.make_aware(datetime.combine(checked_on, dtime(12, 0))),
        checked_by=_user(actor),
        actor=actor.label[:150],
        result=result,
        note=note.strip()[:300],
        evidence=stored.name if stored else "",
        evidence_type=stored.content_type if stored else "",
        follow_up=result in FOLLOW_UP,
    )
    audit_record(actor=actor, action="verify", obj=certificate, changes=_audit(record))
    return record


@transaction.atomic
def verification_resolve(
    *, actor: Actor, verification: CertificateVerification, resolution: str
) -> CertificateVerification:
    """Close a follow-up task: what the safety manager did about the difference."""
    require_write(actor)
    _in_scope(actor, verification.certificate)
    if not resolution.strip():
        raise ValidationFailed({"resolution": _("Say what was done.")})
    if verification.resolved_at is not None:
        return verification
    verification.resolved_at = timezone.now()
    verification.resolved_by = actor.label[:150]
    verification.resolution = resolution.strip()[:300]
    verification.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit_record(
        actor=actor,
        action="verification_resolved",
        obj=verification.certificate,
        changes={"verification": verification.pk, "resolution": verification.resolution},
    )
    return verification


SOURCE_FIELDS = (
    "name",
    "base_url",
    "username",
    "timeout_seconds",
    "requests_per_minute",
    "is_active",
)


@transaction.atomic
def verification_source_save(
    *, actor: Actor, source: VerificationSource | None = None, secret: str = "", **data
) -> VerificationSource:
    """Create or change a source; the secret is stored encrypted, empty keeps it."""
    require_owner_admin(actor)
    source = source or VerificationSource()
    before = {f: getattr(source, f) for f in SOURCE_FIELDS} if source.pk else {}
    for f in SOURCE_FIELDS:
        if f in data:
            setattr(source, f, data[f])
    if secret:
        source.secret_encrypted = crypto.encrypt(secret)
    if VerificationSource.objects.filter(name=source.name).exclude(pk=source.pk).exists():
        raise ValidationFailed({"name": _("A source with this name exists.")})
    source.save()
    changes = diff(before, {f: getattr(source, f) for f in SOURCE_FIELDS})
    if secret:
        changes["secret"] = {"before": "***", "after": "***(changed)"}
    audit_record(actor=actor, action="update" if before else "create", obj=source, changes=changes)
    return source


def active_certificates() -> QuerySet[Certificate]:
    """What the monthly re-verification checks: current, not revoked, not expired."""
    return Certificate.objects.filter(
        ~Q(manual_state=ManualState.REVOKED), superseded=False, valid_until__gte=today()
    )


def verification_run(
    *,
    source: VerificationSource,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    limit: int | None = None,
) -> VerificationRun:
    """Re-verify every active certificate with ``source``: at most requests_per_minute,
    resuming an unfinished run from its cursor (a crash or a stop loses nothing), and
    stopping early, to resume next time, while the source is down."""
    actor = Actor.system("verification")
    run = _open_run(source)
    verifier = HttpVerifier(source)
    gap = 60.0 / max(1, source.requests_per_minute)
    last, done, down = None, 0, 0
    while limit is None or done < limit:
        batch = list(_next_batch(run.cursor, RUN_BATCH if limit is None else limit - done))
        if not batch:
            return _close_run(run)
        for cert in batch:
            if last is not None and clock() - last < gap:
                sleep(gap - (clock() - last))
            last = clock()
            before = run.cursor
            record = certificate_verify(actor=actor, certificate=cert, verifier=verifier, run=run)
            if record.result != Result.UNAVAILABLE:
                down = 0
            elif (down := down + 1) == 1:
                resume_after = before  # the streak's certificates are asked again next time
            _advance(run, cert.pk, record.result)
            done += 1
            if down >= MAX_UNAVAILABLE_IN_A_ROW:
                run.cursor = resume_after
                run.save(update_fields=["cursor"])
                return run
    return run


def _open_run(source: VerificationSource) -> VerificationRun:
    run = VerificationRun.objects.filter(source=source, finished_at__isnull=True).first()
    return run or VerificationRun.objects.create(source=source, counts={})


def _next_batch(cursor: int, size: int):
    return (
        active_certificates()
        .filter(pk__gt=cursor)
        .select_related("person", "type")
        .order_by("pk")[:size]
    )


def _advance(run: VerificationRun, pk: int, result: str) -> None:
    run.cursor = pk
    run.counts[result] = run.counts.get(result, 0) + 1
    run.save(update_fields=["cursor", "counts"])


def _close_run(run: VerificationRun) -> VerificationRun:
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def run_due(source: VerificationSource) -> bool:
    """Monthly: a run not finished yet (resume it), or none started this month."""
    runs = VerificationRun.objects.filter(source=source)
    if runs.filter(finished_at__isnull=True).exists():
        return True
    month_start = timezone.localdate().replace(day=1)
    return not runs.filter(started_at__date__gte=month_start).exists()


def verification_run_all(**kwargs) -> list[VerificationRun]:
    sources = VerificationSource.objects.filter(is_active=True)
    return [verification_run(source=s, **kwargs) for s in sources if run_due(s)]
