"""Continuous recording of 特级 hot work (GB 30871-2022 5.2.11: "特级动火作业应采集全过程
作业影像"), kept ≥ 1 month (B.3): short segments written with cv2.VideoWriter from each
continuous camera of the area while the permit is in progress.

A recording task holds one consumer worker while it records (SAFEWORK_WORKERS must leave
room for the other jobs); it records up to SEGMENTS_PER_RUN segments back to back, then
schedules its own continuation, so the queue sees it come and go."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from safework.core.actors import Actor
from safework.permits.choices import Status
from safework.permits.models import Permit

from .. import capture, storage
from ..choices import SegmentState
from ..models import Camera, Segment
from ..selectors import recording_pairs_due
from .cameras import camera_failed, camera_succeeded, error_text
from .common import audit

SEGMENTS_PER_RUN = 10


def still_recording(camera: Camera, permit: Permit) -> bool:
    camera.refresh_from_db(fields=["active", "continuous"])
    status = Permit.objects.filter(pk=permit.pk).values_list("status", flat=True).first()
    return camera.active and camera.continuous and status == Status.IN_PROGRESS


def segment_record(*, camera: Camera, permit: Permit, seconds: float | None = None,
                   record: Callable[..., capture.Recording] = capture.record) -> Segment:  # fmt: skip
    """One segment: a row marked recording first (so a second recorder is not started),
    the video written to a temporary file, then stored with its hash."""
    seconds = seconds or settings.EVIDENCE_SEGMENT_SECONDS
    segment = Segment.objects.create(camera=camera, permit=permit, started_at=timezone.now())
    with tempfile.TemporaryDirectory(prefix="safework-segment-") as tmp:
        path = Path(tmp) / "segment.mp4"
        try:
            result = record(camera.source, path, seconds=seconds,
                            timeout_s=settings.EVIDENCE_CAMERA_TIMEOUT_SECONDS)  # fmt: skip
        except capture.CameraError as exc:
            return _failed(segment, camera, error_text(exc))
        name = storage.segment_name(permit.pk, camera.pk, segment.started_at)
        with open(path, "rb") as handle:
            name = default_storage.save(name, File(handle))
    return _done(segment, camera, name, result)


@transaction.atomic
def _done(segment: Segment, camera: Camera, name: str, result: capture.Recording) -> Segment:
    segment.state, segment.ended_at, segment.file = SegmentState.DONE, timezone.now(), name
    segment.frames, segment.sha256, segment.size = result.frames, result.sha256, result.size
    segment.save()
    audit(Actor.system("evidence.recording"), "segment", segment, permit=segment.permit_id,
          camera=camera.pk, started_at=segment.started_at, ended_at=segment.ended_at,
          frames=result.frames, sha256=result.sha256)  # fmt: skip
    camera_succeeded(camera=camera, now=segment.ended_at)
    return segment


def _failed(segment: Segment, camera: Camera, error: str) -> Segment:
    segment.state, segment.ended_at = SegmentState.FAILED, timezone.now()
    segment.save(update_fields=["state", "ended_at"])
    camera_failed(camera=camera, error=error, now=segment.ended_at)
    return segment


def segments_run(*, camera: Camera, permit: Permit, segments: int = SEGMENTS_PER_RUN,
                 seconds: float | None = None) -> tuple[int, bool]:  # fmt: skip
    """Record back to back while the permit is in progress. Returns (segments recorded,
    whether to continue: the permit still runs and the last read worked)."""
    done = 0
    while done < segments and still_recording(camera, permit):
        segment = segment_record(camera=camera, permit=permit, seconds=seconds)
        if segment.state != SegmentState.DONE:
            return done, False
        done += 1
    return done, still_recording(camera, permit)


def recordings_start(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """The pairs (camera, permit) to start recording: 特级 hot work in progress whose
    continuous cameras are not recording it; segments left 'recording' by a crashed
    worker are marked failed first."""
    now = now or timezone.now()
    stale = now - timedelta(
        seconds=2 * (settings.EVIDENCE_SEGMENT_SECONDS + settings.EVIDENCE_CAMERA_TIMEOUT_SECONDS)
    )
    Segment.objects.filter(state=SegmentState.RECORDING, started_at__lte=stale).update(
        state=SegmentState.FAILED, ended_at=now
    )
    return [(camera.pk, permit.pk) for camera, permit in recording_pairs_due(now)]
