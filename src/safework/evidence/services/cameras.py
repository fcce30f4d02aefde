"""Cameras per work area: registration (scoped, audited) and their read health: a camera
that cannot be read is recorded on the camera and reported to the safety managers, once
per failure (not every 10 minutes), and its recovery is recorded too."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.core.access import require_write, sites_visible
from safework.core.actors import Actor
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Site, WorkArea

from ..capture import CameraError, redact
from ..models import Camera
from ..selectors import cameras_visible
from .common import audit, tell_managers

STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")
FIELDS = ("work_area", "name", "source", "active", "continuous")


def _check_area(actor: Actor, work_area: WorkArea) -> None:
    require_write(actor)
    if actor.is_system or actor.sees_everything:
        return
    from safework.core.choices import Role

    sites = sites_visible(Site.objects.all(), actor)
    if actor.role != Role.AREA_HEAD or not sites.filter(pk=work_area.site_id).exists():
        raise NotAllowed(_("This work area is not yours to change."))


def _clean(name: str, source: str) -> tuple[str, str]:
    name, source = (name or "").strip(), (source or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the camera a name.")
    if not source:
        errors["source"] = _("Enter the stream URL (rtsp://, http://) or a video file path.")
    elif "://" in source and not source.lower().startswith(STREAM_SCHEMES):
        errors["source"] = _("Only rtsp://, rtsps://, http:// and https:// streams are read.")
    elif "://" not in source and not source.startswith("/"):
        errors["source"] = _("A video file is given by its absolute path (starting with /).")
    if errors:
        raise ValidationFailed(errors)
    return name, source


def _unique(work_area: WorkArea, name: str, exclude: int | None = None) -> None:
    clash = Camera.objects.filter(work_area=work_area, name=name).exclude(pk=exclude)
    if clash.exists():
        raise ValidationFailed({"name": _("This work area already has a camera of that name.")})


def _snapshot(camera: Camera) -> dict:
    return {
        "work_area": camera.work_area_id, "name": camera.name, "source": redact(camera.source),
        "active": camera.active, "continuous": camera.continuous,
    }  # fmt: skip


@transaction.atomic
def camera_create(*, actor: Actor, work_area: WorkArea, name: str, source: str,
                  active: bool = True, continuous: bool = False) -> Camera:  # fmt: skip
    _check_area(actor, work_area)
    name, source = _clean(name, source)
    _unique(work_area, name)
    camera = Camera.objects.create(work_area=work_area, name=name, source=source,
                                   active=active, continuous=continuous)  # fmt: skip
    audit(actor, "camera_create", camera, **_snapshot(camera))
    return camera


@transaction.atomic
def camera_update(*, actor: Actor, camera: Camera, **fields) -> Camera:
    from safework.audit.services import audit_record, diff

    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    if not cameras_visible(Camera.objects.filter(pk=camera.pk), actor).exists():
        raise NotAllowed(_("This camera is not yours to change."))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationFailed({sorted(unknown)[0]: _("This field cannot be changed.")})
    before = _snapshot(camera)
    for key, value in fields.items():
        setattr(camera, key, value)
    _check_area(actor, camera.work_area)
    camera.name, camera.source = _clean(camera.name, camera.source)
    _unique(camera.work_area, camera.name, exclude=camera.pk)
    camera.save()
    audit_record(actor=actor, action="evidence.camera_update", obj=camera,
                 changes=diff(before, _snapshot(camera)))  # fmt: skip
    return camera


def error_text(exc: CameraError) -> str:
    """What a safety manager reads about a failed read."""
    messages = {
        "cannot_open": _("Cannot open %(source)s: not reachable, a wrong address or password, "
                         "or no such file."),
        "no_frame": _("No picture from %(source)s."),
        "encode_failed": _("The picture could not be saved as JPEG."),
        "write_failed": _("The video file could not be written."),
    }  # fmt: skip
    return messages[exc.code] % {"source": exc.source}


def is_failing(camera: Camera) -> bool:
    if camera.last_error_at is None:
        return False
    return camera.last_ok_at is None or camera.last_error_at > camera.last_ok_at


@transaction.atomic
def camera_failed(*, camera: Camera, error: str, now: datetime | None = None) -> bool:
    """Record the failed read; the first failure after a good read (or ever) is audited
    and reported to the safety managers. True when it was reported."""
    now = now or timezone.now()
    camera = Camera.objects.select_for_update().select_related("work_area").get(pk=camera.pk)
    new = not is_failing(camera)
    camera.last_error, camera.last_error_at = error[:500], now
    camera.save(update_fields=["last_error", "last_error_at", "updated_at"])
    if new:
        audit(Actor.system("evidence.cameras"), "camera_failed", camera, error=error[:500])
        title = _("Camera cannot be read: %(camera)s (%(area)s)") % {
            "camera": camera.name, "area": camera.work_area.name,
        }  # fmt: skip
        body = _("%(title)s. Error: %(error)s. Keyframes of the permits in progress there are "
                 "missing until it is fixed.") % {"title": title, "error": error[:300]}  # fmt: skip
        tell_managers(title=title, body=body, link=f"/evidence/cameras/{camera.pk}/",
                      key=f"camera:{camera.pk}:failed:{now.isoformat()}")  # fmt: skip
    return new


@transaction.atomic
def camera_succeeded(*, camera: Camera, now: datetime | None = None) -> None:
    now = now or timezone.now()
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    was_failing = is_failing(camera)
    camera.last_ok_at = now
    camera.save(update_fields=["last_ok_at", "updated_at"])
    if was_failing:
        audit(Actor.system("evidence.cameras"), "camera_recovered", camera,
              error_since=camera.last_error_at)  # fmt: skip
