"""Read queries of the evidence, always through the permission gate: cameras by the
sites an actor sees, keyframes, segments and packs by the permits an actor sees."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from safework.core.actors import Actor
from safework.core.choices import Role
from safework.permits.choices import Kind, Level, Status
from safework.permits.models import Permit
from safework.permits.selectors import permits_visible

from .models import Camera, EvidencePack, Keyframe, Segment


def cameras_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    """Safety managers and viewers see every camera, area heads those of their sites;
    contractors none (a camera shows the owner's plant)."""
    if actor.is_system or actor.sees_everything:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(work_area__site_id__in=list(actor.site_ids))
    return qs.none()


def camera_list(*, actor: Actor, work_area_id: int | None = None) -> QuerySet:
    qs = cameras_visible(Camera.objects.all(), actor).select_related("work_area__site")
    if work_area_id:
        qs = qs.filter(work_area_id=work_area_id)
    return qs.order_by("work_area__site__name", "work_area__name", "name")


def camera_get(*, actor: Actor, pk: int) -> Camera:
    return camera_list(actor=actor).get(pk=pk)


def permit_for_evidence(*, actor: Actor, pk: int) -> Permit:
    return (
        permits_visible(Permit.objects.all(), actor)
        .select_related("site", "work_area", "performing_org")
        .get(pk=pk)
    )


def keyframes_of(permit: Permit) -> QuerySet:
    return permit.keyframes.select_related("camera").order_by("taken_at", "id")


def segments_of(permit: Permit) -> QuerySet:
    return permit.segments.select_related("camera").order_by("started_at", "id")


def packs_of(permit: Permit) -> QuerySet:
    return permit.evidence_packs.order_by("-created_at", "-id")


def keyframe_get(*, actor: Actor, pk: int) -> Keyframe:
    permits = permits_visible(Permit.objects.all(), actor).values("id")
    return Keyframe.objects.filter(permit_id__in=permits).get(pk=pk)


def segment_get(*, actor: Actor, pk: int) -> Segment:
    permits = permits_visible(Permit.objects.all(), actor).values("id")
    return Segment.objects.filter(permit_id__in=permits).exclude(file="").get(pk=pk)


def pack_get(*, actor: Actor, pk: int) -> EvidencePack:
    permits = permits_visible(Permit.objects.all(), actor).values("id")
    return EvidencePack.objects.select_related("permit").filter(permit_id__in=permits).get(pk=pk)


def permits_in_progress_by_area() -> dict[int, list[Permit]]:
    """The permits in progress, per work area (the cameras' job list)."""
    found: dict[int, list[Permit]] = {}
    for permit in Permit.objects.filter(status=Status.IN_PROGRESS).only(
        "id", "number", "work_area_id", "kind", "level"
    ):
        found.setdefault(permit.work_area_id, []).append(permit)
    return found


def keyframe_pairs_due(now=None) -> list[tuple[Camera, list[Permit]]]:
    """Each active camera whose area has a permit in progress, with the permits that have
    no keyframe from it in the last interval (EVIDENCE_KEYFRAME_INTERVAL_MINUTES)."""
    now = now or timezone.now()
    areas = permits_in_progress_by_area()
    if not areas:
        return []
    # A little slack: a job that ran a few seconds late must not skip a whole interval.
    since = now - timedelta(minutes=settings.EVIDENCE_KEYFRAME_INTERVAL_MINUTES)
    since += timedelta(seconds=30)
    cameras = Camera.objects.filter(active=True, work_area_id__in=list(areas))
    recent = set(
        Keyframe.objects.filter(camera__in=cameras, taken_at__gt=since).values_list(
            "camera_id", "permit_id"
        )
    )
    due = []
    for camera in cameras.order_by("id"):
        permits = [p for p in areas[camera.work_area_id] if (camera.id, p.id) not in recent]
        if permits:
            due.append((camera, permits))
    return due


def recording_pairs_due(now=None) -> list[tuple[Camera, Permit]]:
    """特级 hot work in progress (5.2.11: filmed throughout) × the continuous cameras of
    its area that are not recording it now."""
    now = now or timezone.now()
    permits = Permit.objects.filter(
        status=Status.IN_PROGRESS, kind=Kind.HOT_WORK, level=Level.HOT_SPECIAL
    ).only("id", "number", "work_area_id")
    pairs = []
    for permit in permits:
        for camera in Camera.objects.filter(
            active=True, continuous=True, work_area_id=permit.work_area_id
        ):
            if not recording_live(camera, permit, now):
                pairs.append((camera, permit))
    return pairs


def recording_live(camera: Camera, permit: Permit, now) -> bool:
    from .choices import SegmentState

    seconds = settings.EVIDENCE_SEGMENT_SECONDS + settings.EVIDENCE_CAMERA_TIMEOUT_SECONDS
    qs = Segment.objects.filter(camera=camera, permit=permit)
    recording = qs.filter(
        state=SegmentState.RECORDING, started_at__gt=now - timedelta(seconds=2 * seconds)
    )
    just_done = qs.filter(state=SegmentState.DONE, ended_at__gt=now - timedelta(seconds=30))
    return recording.exists() or just_done.exists()
