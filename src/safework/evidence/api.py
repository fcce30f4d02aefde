"""Evidence endpoints: cameras (list, register, change; scoped, audited), a permit's
keyframes and report packages, and a new report package for a closed permit. Thin."""

from __future__ import annotations

from django.http import Http404
from ninja import Field, Router, Schema

from safework.core.access import sites_visible
from safework.core.api import InputSchema, LocalDateTime, answers, created, paged, resolve_ref
from safework.core.auth import actor_of
from safework.core.models import Site, WorkArea

from . import selectors, services
from .capture import redact
from .models import Camera
from .services.cameras import is_failing

router = Router(tags=["evidence"])


class CameraOut(Schema):
    id: int
    work_area_id: int
    name: str
    source: str
    active: bool
    continuous: bool
    failing: bool
    last_ok_at: LocalDateTime | None
    last_error: str
    last_error_at: LocalDateTime | None

    @staticmethod
    def resolve_source(obj) -> str:
        return redact(obj.source)  # never the stream's password

    @staticmethod
    def resolve_failing(obj) -> bool:
        return is_failing(obj)


class CameraIn(InputSchema):
    work_area_id: int
    name: str = Field(max_length=200)
    source: str = Field(max_length=500, description="rtsp://, http(s):// stream or a file path.")
    active: bool = True
    continuous: bool = Field(False, description="Record special-class hot work throughout.")


class CameraPatch(InputSchema):
    name: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=500)
    active: bool | None = None
    continuous: bool | None = None


class KeyframeOut(Schema):
    id: int
    camera_id: int
    taken_at: LocalDateTime
    sha256: str
    size: int


class PackOut(Schema):
    id: int
    permit_id: int
    state: str
    progress: int
    sha256: str
    size: int
    error: str
    created_at: LocalDateTime
    finished_at: LocalDateTime | None


def _camera(request, camera_id: int) -> Camera:
    try:
        return selectors.camera_get(actor=actor_of(request), pk=camera_id)
    except Camera.DoesNotExist:
        raise Http404 from None


def _permit(request, permit_id: int):
    try:
        return selectors.permit_for_evidence(actor=actor_of(request), pk=permit_id)
    except selectors.Permit.DoesNotExist:
        raise Http404 from None


@router.get("/cameras", response=answers(list[CameraOut]), summary="List cameras")
@paged
def list_cameras(request, work_area_id: int | None = None):
    return selectors.camera_list(actor=actor_of(request), work_area_id=work_area_id)


@router.post("/cameras", response=answers(CameraOut, 201), summary="Register a camera")
def create_camera(request, payload: CameraIn):
    actor = actor_of(request)
    areas = WorkArea.objects.filter(site__in=sites_visible(Site.objects.all(), actor))
    data = payload.dict()
    area = resolve_ref(areas, data.pop("work_area_id"), "work_area_id")
    return created(services.camera_create(actor=actor, work_area=area, **data))


@router.patch("/cameras/{int:camera_id}", response=answers(CameraOut), summary="Change a camera")
def update_camera(request, camera_id: int, payload: CameraPatch):
    camera = _camera(request, camera_id)
    fields = payload.dict(exclude_unset=True)
    return services.camera_update(actor=actor_of(request), camera=camera, **fields)


@router.get("/permits/{int:permit_id}/keyframes", response=answers(list[KeyframeOut]))
@paged
def list_keyframes(request, permit_id: int):
    return selectors.keyframes_of(_permit(request, permit_id))


@router.get("/permits/{int:permit_id}/evidence-packs", response=answers(list[PackOut]))
@paged
def list_packs(request, permit_id: int):
    return selectors.packs_of(_permit(request, permit_id))


@router.post("/permits/{int:permit_id}/evidence-packs", response=answers(PackOut, 201),
             summary="Make the report package of a closed permit again")  # fmt: skip
def request_pack(request, permit_id: int):
    permit = _permit(request, permit_id)
    return created(services.pack_request(actor=actor_of(request), permit=permit))
