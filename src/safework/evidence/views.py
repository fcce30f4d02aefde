"""Evidence pages: cameras per work area, a permit's evidence (keyframes, video segments,
report packages with their progress), and the files behind the permission gate."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safework.core.uploads import safe_file_response
from safework.core.views import actor_for, form_page, page, paginate, post_action

from . import selectors, services
from .capture import redact
from .choices import PackState
from .forms import CameraForm
from .models import Camera, EvidencePack, Keyframe, Segment
from .services.cameras import is_failing

KEYFRAMES_PER_PAGE = 48


def _or_404(fn, **kw):
    try:
        return fn(**kw)
    except (Camera.DoesNotExist, Keyframe.DoesNotExist, Segment.DoesNotExist,
            EvidencePack.DoesNotExist, selectors.Permit.DoesNotExist):  # fmt: skip
        raise Http404 from None


def _camera_rows(cameras) -> list[dict]:
    return [{"camera": c, "source": redact(c.source), "failing": is_failing(c)} for c in cameras]


@page
def camera_list(request):
    actor = actor_for(request)
    cameras = selectors.camera_list(actor=actor, work_area_id=request.GET.get("area") or None)
    return render(request, "evidence/camera_list.html", {"rows": _camera_rows(cameras)})


@page
def camera_create(request):
    actor = actor_for(request)
    form = CameraForm(request.POST or None, actor=actor, initial={"active": True})
    return form_page(
        request, form=form, template="evidence/camera_form.html",
        save=lambda d: services.camera_create(actor=actor, **d),
        success=lambda _c: reverse("evidence:cameras"), message=_("Camera registered."),
    )  # fmt: skip


@page
def camera_edit(request, pk: int):
    actor = actor_for(request)
    camera = _or_404(selectors.camera_get, actor=actor, pk=pk)
    initial = {f: getattr(camera, f) for f in ("work_area", "name", "source", "active",
                                                "continuous")}  # fmt: skip
    form = CameraForm(request.POST or None, actor=actor, initial=initial)
    context = {"camera": camera, "failing": is_failing(camera),
               "keyframes": camera.keyframes.select_related("permit").order_by("-taken_at")[:12]}  # fmt: skip
    return form_page(
        request, form=form, template="evidence/camera_form.html", context=context,
        save=lambda d: services.camera_update(actor=actor, camera=camera, **d),
        success=lambda c: reverse("evidence:camera", args=[c.pk]),
    )  # fmt: skip


def _packs_context(permit) -> dict:
    packs = list(selectors.packs_of(permit)[:10])
    busy = any(p.state in (PackState.QUEUED, PackState.BUILDING) for p in packs)
    return {"permit": permit, "packs": packs, "busy": busy, "PackState": PackState}


@page
def permit_evidence(request, pk: int):
    permit = _or_404(selectors.permit_for_evidence, actor=actor_for(request), pk=pk)
    context = {
        **_packs_context(permit),
        "page_obj": paginate(request, selectors.keyframes_of(permit), per_page=KEYFRAMES_PER_PAGE),
        "segments": selectors.segments_of(permit),
        "cameras": _camera_rows(Camera.objects.filter(work_area=permit.work_area)),
    }
    return render(request, "evidence/permit.html", context)


@page
def permit_packs(request, pk: int):
    """The packages' fragment, polled by htmx while one is being made."""
    permit = _or_404(selectors.permit_for_evidence, actor=actor_for(request), pk=pk)
    return render(request, "evidence/_packs.html", _packs_context(permit))


@page
@require_POST
def pack_request(request, pk: int):
    actor = actor_for(request)
    permit = _or_404(selectors.permit_for_evidence, actor=actor, pk=pk)
    return post_action(
        request, call=lambda: services.pack_request(actor=actor, permit=permit),
        done=reverse("evidence:permit", args=[permit.pk]),
        message=_("The report package is being made."),
    )  # fmt: skip


@page
def pack_download(request, pk: int):
    pack = _or_404(selectors.pack_get, actor=actor_for(request), pk=pk)
    if pack.state != PackState.READY or not pack.file:
        raise Http404
    return safe_file_response(pack.file, "application/zip", inline=False,
                              download_name=f"{pack.permit.number}-{pack.pk}.zip")  # fmt: skip


@page
def keyframe_image(request, pk: int):
    frame = _or_404(selectors.keyframe_get, actor=actor_for(request), pk=pk)
    return safe_file_response(frame.file, "image/jpeg")


@page
def segment_video(request, pk: int):
    segment = _or_404(selectors.segment_get, actor=actor_for(request), pk=pk)
    return safe_file_response(segment.file, "video/mp4", inline=False)
