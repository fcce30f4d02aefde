"""Keyframes: every EVIDENCE_KEYFRAME_INTERVAL_MINUTES, one frame from each active camera
whose area has a permit in progress, stored timestamped with its SHA-256 on each of those
permits. A camera that cannot be read is reported (cameras.camera_failed), not skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safework.core.actors import Actor

from .. import capture, storage
from ..models import Camera, Keyframe
from ..selectors import keyframe_pairs_due
from .cameras import camera_failed, camera_succeeded, error_text
from .common import audit

log = logging.getLogger(__name__)


def keyframes_capture(*, now: datetime | None = None,
                      grab: Callable[..., capture.Frame] = capture.grab_frame) -> dict:  # fmt: skip
    """The periodic job. Returns counts: frames stored, cameras failed."""
    counts = {"keyframes": 0, "failed": 0}
    for camera, permits in keyframe_pairs_due(now):
        taken_at = now or timezone.now()
        try:
            frame = grab(camera.source, timeout_s=settings.EVIDENCE_CAMERA_TIMEOUT_SECONDS)
        except capture.CameraError as exc:
            log.warning("camera %s: %s", camera.pk, exc)
            camera_failed(camera=camera, error=error_text(exc), now=taken_at)
            counts["failed"] += 1
            continue
        counts["keyframes"] += len(keyframes_store(camera=camera, permits=permits,
                                                   frame=frame, taken_at=taken_at))  # fmt: skip
        camera_succeeded(camera=camera, now=taken_at)
    return counts


@transaction.atomic
def keyframes_store(*, camera: Camera, permits: list, frame: capture.Frame,
                    taken_at: datetime) -> list[Keyframe]:  # fmt: skip
    """One file and row per permit (each permit's evidence stands alone), audited with
    the hash so a frame replaced later no longer matches the trail."""
    rows, names = [], []
    try:
        for permit in permits:
            name = storage.save_bytes(
                storage.keyframe_name(permit.pk, camera.pk, taken_at), frame.jpeg
            )
            names.append(name)
            row = Keyframe.objects.create(permit_id=permit.pk, camera=camera, taken_at=taken_at,
                                          file=name, sha256=frame.sha256,
                                          size=len(frame.jpeg))  # fmt: skip
            audit(Actor.system("evidence.keyframes"), "keyframe", row, permit=permit.pk,
                  camera=camera.pk, taken_at=taken_at, sha256=frame.sha256)  # fmt: skip
            rows.append(row)
    except Exception:
        for name in names:  # the rows roll back; do not leave their files behind
            storage.delete_quietly(name)
        raise
    return rows
