"""Cameras per work area: registration (scoped, audited) and failure reporting to the
safety managers through the inbox and the outbox."""

from datetime import timedelta

import pytest

from safework.alerts.models import InboxItem, Notification
from safework.audit.models import AuditEntry
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed
from safework.evidence import services
from safework.evidence.models import Camera
from tests.conftest import make_user
from tests.factories import WorkAreaFactory

from .factories import CameraFactory

pytestmark = pytest.mark.django_db


def test_a_camera_is_registered_and_audited(manager, area):
    camera = services.camera_create(actor=manager, work_area=area, name="东侧枪机",
                                    source="rtsp://admin:pw@10.0.0.5/ch1", continuous=True)  # fmt: skip
    assert camera.work_area == area and camera.continuous and camera.active
    entry = AuditEntry.objects.get(action="evidence.camera_create", object_id=str(camera.pk))
    assert entry.changes["source"]["after"] == "rtsp://admin:***@10.0.0.5/ch1"  # no password


@pytest.mark.parametrize(
    ("name", "source", "field"),
    [("", "/data/a.mp4", "name"), ("A", "", "source"), ("A", "ftp://x/y", "source"),
     ("A", "relative/path.mp4", "source")],
)  # fmt: skip
def test_bad_input_names_the_field(manager, area, name, source, field):
    with pytest.raises(ValidationFailed) as caught:
        services.camera_create(actor=manager, work_area=area, name=name, source=source)
    assert field in caught.value.errors
    assert not Camera.objects.exists()


def test_a_name_is_unique_per_area(manager, area):
    services.camera_create(actor=manager, work_area=area, name="A", source="/data/a.mp4")
    with pytest.raises(ValidationFailed) as caught:
        services.camera_create(actor=manager, work_area=area, name="A", source="/data/b.mp4")
    assert "name" in caught.value.errors


def test_area_heads_register_cameras_at_their_sites_only(db, django_user_model, area,
                                                         area_head):  # fmt: skip
    services.camera_create(actor=area_head, work_area=area, name="A", source="/data/a.mp4")
    elsewhere = WorkAreaFactory()
    with pytest.raises(NotAllowed):
        services.camera_create(actor=area_head, work_area=elsewhere, name="B", source="/d/b.mp4")
    contractor = make_user(django_user_model, "ca", Role.CONTRACTOR_ADMIN)
    with pytest.raises(NotAllowed):
        services.camera_create(actor=Actor(user=contractor), work_area=area, name="C",
                               source="/d/c.mp4")  # fmt: skip


def test_update_is_audited_with_the_change(manager, area):
    camera = CameraFactory(work_area=area)
    services.camera_update(actor=manager, camera=camera, active=False)
    entry = AuditEntry.objects.get(action="evidence.camera_update")
    assert entry.changes == {"active": {"before": True, "after": False}}


def test_a_failure_is_reported_once_until_the_camera_works_again(manager_user, area, clock):
    manager_user.email = "safety@example.com"
    manager_user.save()
    camera = CameraFactory(work_area=area, name="罐区球机")
    assert services.camera_failed(camera=camera, error="cannot open", now=clock)
    assert not services.camera_failed(camera=camera, error="cannot open",
                                      now=clock + timedelta(minutes=10))  # fmt: skip
    camera.refresh_from_db()
    assert camera.last_error == "cannot open"
    assert camera.last_error_at == clock + timedelta(minutes=10)
    item = InboxItem.objects.get(user=manager_user)
    assert "罐区球机" in item.title and "cannot open" in item.body
    assert Notification.objects.filter(recipient="safety@example.com").count() == 1
    services.camera_succeeded(camera=camera, now=clock + timedelta(minutes=20))
    assert AuditEntry.objects.filter(action="evidence.camera_recovered").count() == 1
    assert services.camera_failed(camera=camera, error="timeout",
                                  now=clock + timedelta(minutes=30))  # fmt: skip
    assert InboxItem.objects.filter(user=manager_user).count() == 2
    assert AuditEntry.objects.filter(action="evidence.camera_failed").count() == 2
