"""The report package (归档报告包) of a closed permit, built in the background: the PDF,
the original keyframes and the attachments streamed into a ZIP one file at a time (never
all in memory), with manifest.json of their SHA-256 hashes; the root (the hash of the
manifest) is written to the audit chain when the package is sealed, so
``safework evidence verify PACK.zip`` can check it later."""

from __future__ import annotations

import logging
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.approvals.notify import notify_users
from safework.core.access import require_write
from safework.core.actors import Actor
from safework.core.errors import NotAllowed, ValidationFailed
from safework.permits.choices import Status
from safework.permits.models import Permit
from safework.permits.selectors import permits_visible
from safework.permits.services.common import managers

from .. import storage
from ..choices import PackState
from ..manifest import ManifestBuilder
from ..models import EvidencePack
from ..pdf import report_pdf
from ..selectors import keyframes_of, segments_of
from .common import audit, tell_managers

log = logging.getLogger(__name__)
ACTOR = "evidence.packs"
# A build taking longer than this was cut off (its worker died or was restarted): the
# sweep queues it again, up to MAX_ATTEMPTS builds; a queued package whose task was lost
# (the queue was down when the permit closed) is queued again after LOST_QUEUED.
STALE_BUILD = timedelta(hours=1)
LOST_QUEUED = timedelta(minutes=5)
MAX_ATTEMPTS = 3


class PackError(Exception):
    pass


@transaction.atomic
def pack_request(*, actor: Actor, permit: Permit) -> EvidencePack:
    """A queued package, built by a Huey task once the caller's transaction commits
    (closing a permit calls this in its own transaction)."""
    require_write(actor)
    if not actor.is_system and not permits_visible(Permit.objects.filter(pk=permit.pk), actor):
        raise NotAllowed(_("This permit is not yours to change."))
    if (
        Permit.objects.filter(pk=permit.pk).values_list("status", flat=True).first()
        != Status.CLOSED
    ):
        raise ValidationFailed({"status": _("A report package is made when the permit is closed.")})
    # The sweep sees every queued or building package through to ready or failed.
    busy = EvidencePack.objects.filter(
        permit_id=permit.pk, state__in=[PackState.QUEUED, PackState.BUILDING]
    )
    if busy.exists():
        raise ValidationFailed({"pack": _("A report package is already being made.")})
    pack = EvidencePack.objects.create(permit_id=permit.pk)
    audit(actor, "pack_request", pack, permit=permit.pk)
    # robust: with the queue down the permit is closed all the same; the sweep queues it.
    transaction.on_commit(lambda: _enqueue(pack.pk), robust=True)
    return pack


def _enqueue(pack_id: int) -> None:
    from ..tasks import pack_build_task

    pack_build_task(pack_id)


def packs_sweep(*, now=None) -> dict[str, int]:
    """The periodic sweep: queue again a package whose task was lost or whose build was
    cut off; after MAX_ATTEMPTS cut-off builds it fails (managers are told)."""
    now = now or timezone.now()
    lost = list(
        EvidencePack.objects.filter(
            state=PackState.QUEUED, created_at__lt=now - LOST_QUEUED
        ).values_list("pk", flat=True)
    )
    requeued, failed = 0, 0
    stale = EvidencePack.objects.filter(state=PackState.BUILDING, started_at__lt=now - STALE_BUILD)
    for pack in stale:
        if pack.attempts >= MAX_ATTEMPTS:
            _fail(pack, PackError(_("The build was cut off %(n)d times.") % {"n": pack.attempts}))
            failed += 1
        elif EvidencePack.objects.filter(
            pk=pack.pk, state=PackState.BUILDING, started_at=pack.started_at
        ).update(state=PackState.QUEUED, progress=0):
            lost.append(pack.pk)
            requeued += 1
    for pack_id in lost:
        _enqueue(pack_id)  # a build claims its package, so a second task does nothing
    return {"queued": len(lost), "restarted": requeued, "failed": failed}


def pack_build(*, pack_id: int) -> EvidencePack:
    claimed = EvidencePack.objects.filter(pk=pack_id, state=PackState.QUEUED).update(
        state=PackState.BUILDING, progress=1, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    pack = EvidencePack.objects.select_related("permit").get(pk=pack_id)
    if not claimed:
        return pack  # built or being built by another worker
    try:
        name, root, size = _build(pack)
    except Exception as exc:
        log.exception("report package %s failed", pack_id)
        return _fail(pack, exc)
    return _seal(pack, name, root, size)


def _progress(pack: EvidencePack, percent: int) -> None:
    EvidencePack.objects.filter(pk=pack.pk).update(progress=max(1, min(99, percent)))


def _header(pack: EvidencePack, permit: Permit) -> dict:
    return {
        "pack": pack.pk,
        "permit": {"id": permit.pk, "number": permit.number, "kind": permit.kind,
                   "level": permit.level, "site": permit.site.code,
                   "closed_at": permit.closed_at.isoformat() if permit.closed_at else None},
        "created_at": timezone.now().isoformat(),
        "video_segments": [
            {"file": s.file, "sha256": s.sha256, "started_at": s.started_at.isoformat(),
             "camera": s.camera_id} for s in segments_of(permit).exclude(file="")
        ],
    }  # fmt: skip


def _build(pack: EvidencePack) -> tuple[str, str, int]:
    permit = Permit.objects.select_related("site", "work_area", "jsa").get(pk=pack.permit_id)
    with tempfile.TemporaryDirectory(prefix="safework-pack-") as tmp:
        pdf_path, zip_path = Path(tmp) / "report.pdf", Path(tmp) / "pack.zip"
        with open(pdf_path, "wb") as target:
            report_pdf(permit, target, workdir=Path(tmp))
        _progress(pack, 40)
        with zipfile.ZipFile(zip_path, "w", allowZip64=True) as zf:
            builder = ManifestBuilder(_header(pack, permit))
            with open(pdf_path, "rb") as source:
                # Stored: the PDF is mostly JPEG already; deflating it costs seconds, saves little.
                builder.add_stream(zf, "report.pdf", source, compress=False)
            _add_frames(pack, permit, zf, builder)
            _add_attachments(permit, zf, builder)
            root = builder.finish(zf)
        with open(zip_path, "rb") as handle:
            name = default_storage.save(storage.pack_name(permit.number, pack.pk), File(handle))
        return name, root, zip_path.stat().st_size


def _add_frames(pack, permit, zf, builder) -> None:
    frames = keyframes_of(permit)
    total = frames.count()
    for i, frame in enumerate(frames.iterator(chunk_size=200), 1):
        stamp = timezone.localtime(frame.taken_at).strftime("%Y%m%d-%H%M%S")
        path = f"frames/{stamp}-cam{frame.camera_id}-{frame.pk}.jpg"
        with default_storage.open(frame.file, "rb") as source:
            entry = builder.add_stream(zf, path, source, compress=False)
        if entry["sha256"] != frame.sha256:
            raise PackError(f"keyframe {frame.pk} ({frame.file}) no longer matches the SHA-256 "
                            f"recorded when it was taken")  # fmt: skip
        entry.update(kind="keyframe", camera=frame.camera.name,
                     taken_at=frame.taken_at.isoformat())  # fmt: skip
        if i % 5 == 0 or i == total:
            _progress(pack, 40 + 55 * i // max(total, 1))


def _add_attachments(permit, zf, builder) -> None:
    document = getattr(getattr(permit, "jsa", None), "document", "")
    if document and default_storage.exists(document):
        with default_storage.open(document, "rb") as source:
            entry = builder.add_stream(zf, f"attachments/jsa-{Path(document).name}", source,
                                       compress=True)  # fmt: skip
        entry["kind"] = "jsa_document"


@transaction.atomic
def _seal(pack: EvidencePack, name: str, root: str, size: int) -> EvidencePack:
    pack = EvidencePack.objects.select_for_update().select_related("permit").get(pk=pack.pk)
    pack.state, pack.progress, pack.file, pack.sha256, pack.size = (
        PackState.READY, 100, name, root, size,
    )  # fmt: skip
    pack.finished_at, pack.error = timezone.now(), ""
    pack.save()
    audit(Actor.system(ACTOR), "pack_sealed", pack, root=root, permit=pack.permit_id,
          permit_number=pack.permit.number, file=name, size=size)  # fmt: skip
    title = _("Report package of %(number)s is ready") % {"number": pack.permit.number}
    notify_users([pack.permit.created_by, *managers()], title=title,
                 body=_("%(title)s. Root hash (recorded in the audit trail): %(root)s")
                 % {"title": title, "root": root}, link=f"/evidence/permits/{pack.permit_id}/",
                 key=f"pack:{pack.pk}:ready")  # fmt: skip
    return pack


@transaction.atomic
def _fail(pack: EvidencePack, exc: Exception) -> EvidencePack:
    pack = EvidencePack.objects.select_for_update().select_related("permit").get(pk=pack.pk)
    pack.state, pack.error, pack.finished_at = PackState.FAILED, str(exc)[:500], timezone.now()
    pack.save(update_fields=["state", "error", "finished_at"])
    audit(Actor.system(ACTOR), "pack_failed", pack, permit=pack.permit_id, error=pack.error)
    title = _("Report package of %(number)s failed") % {"number": pack.permit.number}
    tell_managers(title=title, body=f"{title}: {pack.error}",
                  link=f"/evidence/permits/{pack.permit_id}/", key=f"pack:{pack.pk}:failed")  # fmt: skip
    return pack
