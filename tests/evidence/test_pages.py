"""Evidence pages and API through the test client: cameras (scoped), a permit's evidence
page with its keyframes and the packages' progress polled by htmx, the files behind the
permission gate."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from safework.core.choices import Role
from safework.evidence import services
from safework.evidence.choices import PackState
from safework.evidence.models import Camera, EvidencePack, Keyframe
from tests.api.conftest import ApiClient, new_token
from tests.conftest import make_user
from tests.factories import SiteFactory, WorkAreaFactory

from .factories import CameraFactory
from .helpers import close

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outsider(django_user_model):
    """An area head of another site."""
    return _client(make_user(django_user_model, "other", Role.AREA_HEAD, sites=[SiteFactory()]))


def test_cameras_are_registered_on_the_page(manager_user, area):
    client = _client(manager_user)
    answer = client.post(reverse("evidence:camera_create"), {
        "work_area": area.pk, "name": "东门枪机", "source": "ftp://x", "active": "on"})  # fmt: skip
    assert answer.status_code == 200 and "只读取 rtsp://" in answer.content.decode()
    answer = client.post(reverse("evidence:camera_create"), {
        "work_area": area.pk, "name": "东门枪机", "source": "rtsp://u:pw@10.1.1.1/s",
        "active": "on"})  # fmt: skip
    assert answer.status_code == 302
    page = client.get(reverse("evidence:cameras")).content.decode()
    assert "东门枪机" in page and "rtsp://u:***@10.1.1.1/s" in page and ":pw@" not in page


def test_another_sites_area_head_sees_no_camera(outsider, area):
    camera = CameraFactory(work_area=area, name="罐区")
    assert "罐区" not in outsider.get(reverse("evidence:cameras")).content.decode()
    assert outsider.get(reverse("evidence:camera", args=[camera.pk])).status_code == 404


def test_the_permit_page_shows_keyframes_and_serves_them(manager_user, permit, video_file,
                                                          outsider, clock):  # fmt: skip
    CameraFactory(work_area=permit.work_area, source=video_file, name="动火点")
    services.keyframes_capture(now=clock + timedelta(hours=1))
    frame = Keyframe.objects.get()
    client = _client(manager_user)
    page = client.get(reverse("evidence:permit", args=[permit.pk])).content.decode()
    assert frame.sha256 in page and "动火点" in page and "共 1" in page
    image = client.get(reverse("evidence:keyframe", args=[frame.pk]))
    assert image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content).startswith(b"\xff\xd8")
    assert outsider.get(reverse("evidence:keyframe", args=[frame.pk])).status_code == 404
    assert outsider.get(reverse("evidence:permit", args=[permit.pk])).status_code == 404


def test_package_progress_is_polled_until_ready(manager_user, manager, permit, clock,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    client = _client(manager_user)
    close(manager, permit, clock + timedelta(hours=2))  # queued, not built (no commit)
    pack = EvidencePack.objects.get()
    EvidencePack.objects.filter(pk=pack.pk).update(state=PackState.BUILDING, progress=45)
    fragment = client.get(reverse("evidence:packs", args=[permit.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "45%" in fragment
    EvidencePack.objects.filter(pk=pack.pk).update(state=PackState.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("evidence:pack_request", args=[permit.pk]))
    assert answer.status_code == 302
    ready = EvidencePack.objects.filter(state=PackState.READY).get()
    fragment = client.get(reverse("evidence:packs", args=[permit.pk])).content.decode()
    assert "hx-trigger" not in fragment and ready.sha256 in fragment
    download = client.get(reverse("evidence:pack_download", args=[ready.pk]))
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_api_cameras(area):
    api = ApiClient(token=new_token("write"))
    answer = api.post("/cameras", {"work_area_id": area.pk, "name": "A", "source": "x.mp4"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "source"
    answer = api.post("/cameras", {"work_area_id": area.pk, "name": "A",
                                   "source": "rtsp://u:pw@h/s", "continuous": True})  # fmt: skip
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["source"] == "rtsp://u:***@h/s" and body["continuous"] and not body["failing"]
    answer = api.patch(f"/cameras/{body['id']}", {"active": False})
    assert answer.status_code == 200 and not Camera.objects.get().active
    read = ApiClient(token=new_token("read"))
    assert read.get("/cameras").json()["count"] == 1
    assert read.post("/cameras", {"work_area_id": area.pk, "name": "B",
                                  "source": "/d/b.mp4"}).status_code == 403  # fmt: skip
    other = WorkAreaFactory()
    contractor = ApiClient(token=new_token("write", organization=other.site.owner))
    assert contractor.get("/cameras").json()["count"] == 0


def test_api_keyframes_and_packs(permit, video_file, clock):
    CameraFactory(work_area=permit.work_area, source=video_file)
    services.keyframes_capture(now=clock + timedelta(hours=1))
    api = ApiClient(token=new_token("write"))
    frames = api.get(f"/permits/{permit.pk}/keyframes").json()["items"]
    assert [f["sha256"] for f in frames] == [Keyframe.objects.get().sha256]
    answer = api.post(f"/permits/{permit.pk}/evidence-packs")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "status"
    assert api.get(f"/permits/{permit.pk}/evidence-packs").json()["items"] == []


def test_a_camera_is_changed_on_its_page(manager_user, area):
    from safework.audit.models import AuditEntry

    camera = CameraFactory(work_area=area, name="旧名", source="/data/a.mp4")
    client = _client(manager_user)
    page = client.get(reverse("evidence:camera", args=[camera.pk])).content.decode()
    assert "旧名" in page and "/data/a.mp4" in page
    answer = client.post(reverse("evidence:camera", args=[camera.pk]), {
        "work_area": area.pk, "name": "新名", "source": "/data/a.mp4", "continuous": "on"})  # fmt: skip
    assert answer.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.active, camera.continuous) == ("新名", False, True)
    change = AuditEntry.objects.get(action="evidence.camera_update").changes
    assert change["name"] == {"before": "旧名", "after": "新名"}
