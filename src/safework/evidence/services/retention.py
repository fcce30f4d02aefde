"""Retention (GB 30871-2022 B.3): keyframes past EVIDENCE_KEYFRAME_RETENTION_DAYS (≥ 90),
特级 video past EVIDENCE_VIDEO_RETENTION_DAYS (≥ 1 month), report packages past
EVIDENCE_PACK_RETENTION_DAYS (≥ 1 year) are deleted, and what was deleted (each file with
its hash) is written to the audit trail in the same transaction as the rows. A package is
never deleted while it, or its permit's acceptance, is younger than a year, whatever the
settings say; permits themselves are never deleted here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safework.core.actors import Actor
from safework.permits.models import Permit

from .. import storage
from ..choices import PackState
from ..models import EvidencePack, Keyframe, Segment
from .common import audit

LEGAL_MINIMUM_DAYS = {"keyframes": 90, "segments": 30, "packs": 365}
ACTOR = "evidence.retention"


def cutoffs(now: datetime) -> dict[str, datetime]:
    days = {
        "keyframes": settings.EVIDENCE_KEYFRAME_RETENTION_DAYS,
        "segments": settings.EVIDENCE_VIDEO_RETENTION_DAYS,
        "packs": settings.EVIDENCE_PACK_RETENTION_DAYS,
    }
    # Settings are checked at start-up; this keeps a changed setting in a test or a shell
    # from ever going below the law.
    return {k: now - timedelta(days=max(v, LEGAL_MINIMUM_DAYS[k])) for k, v in days.items()}


def evidence_purge(*, now: datetime | None = None) -> dict[str, int]:
    """The daily job: one transaction per permit and kind. Returns the counts deleted."""
    limits = cutoffs(now or timezone.now())
    building = EvidencePack.objects.filter(state__in=[PackState.QUEUED, PackState.BUILDING])
    keyframes = Keyframe.objects.filter(taken_at__lt=limits["keyframes"]).exclude(
        permit_id__in=building.values("permit_id")
    )
    segments = Segment.objects.filter(
        Q(ended_at__lt=limits["segments"])
        | Q(ended_at__isnull=True, started_at__lt=limits["segments"])
    )
    young = Permit.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=limits["packs"]))
    packs = EvidencePack.objects.filter(created_at__lt=limits["packs"]).exclude(
        permit_id__in=young.values("id")
    )
    return {
        "keyframes": _purge(keyframes, "keyframes_deleted", "taken_at"),
        "segments": _purge(segments, "segments_deleted", "started_at"),
        "packs": _purge(packs, "packs_deleted", "created_at"),
    }


def _purge(qs, action: str, time_field: str) -> int:
    total = 0
    for permit_id in sorted(set(qs.values_list("permit_id", flat=True))):
        total += _purge_permit(qs.filter(permit_id=permit_id), permit_id, action, time_field)
    return total


@transaction.atomic
def _purge_permit(qs, permit_id: int, action: str, time_field: str) -> int:
    rows = list(qs.select_for_update().values("id", "file", "sha256", time_field))
    if not rows:
        return 0
    permit = Permit.objects.get(pk=permit_id)
    deleted = [{"id": r["id"], "file": r["file"], "sha256": r["sha256"],
                time_field: r[time_field]} for r in rows]  # fmt: skip
    qs.model.objects.filter(pk__in=[r["id"] for r in rows]).delete()
    audit(Actor.system(ACTOR), action, permit, count=len(rows), files=deleted)
    names = [r["file"] for r in rows]
    transaction.on_commit(lambda: [storage.delete_quietly(n) for n in names])
    return len(rows)
