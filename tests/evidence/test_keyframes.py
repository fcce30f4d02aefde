"""Keyframes: every N minutes a frame from each active camera of an area with a permit in
progress, stored timestamped with its SHA-256 on that permit; unreadable cameras reported."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from safework.alerts.models import InboxItem
from safework.audit.models import AuditEntry
from safework.evidence import services
from safework.evidence.models import Keyframe
from safework.evidence.tasks import keyframes_task
from tests.factories import WorkAreaFactory

from .factories import CameraFactory

pytestmark = pytest.mark.django_db


def test_a_frame_is_stored_on_the_permit_with_its_hash(permit, video_file, clock):
    camera = CameraFactory(work_area=permit.work_area, source=video_file)
    at = clock + timedelta(hours=1)
    assert services.keyframes_capture(now=at) == {"keyframes": 1, "failed": 0}
    frame = Keyframe.objects.get()
    assert (frame.permit, frame.camera, frame.taken_at) == (permit, camera, at)
    with default_storage.open(frame.file, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"\xff\xd8") and len(data) == frame.size
    assert hashlib.sha256(data).hexdigest() == frame.sha256
    entry = AuditEntry.objects.get(action="evidence.keyframe")
    assert entry.changes["sha256"]["after"] == frame.sha256
    camera.refresh_from_db()
    assert camera.last_ok_at == at


def test_one_frame_per_interval(permit, video_file, clock, settings):
    settings.EVIDENCE_KEYFRAME_INTERVAL_MINUTES = 10
    CameraFactory(work_area=permit.work_area, source=video_file)
    at = clock + timedelta(hours=1)
    services.keyframes_capture(now=at)
    assert services.keyframes_capture(now=at + timedelta(minutes=5))["keyframes"] == 0
    assert services.keyframes_capture(now=at + timedelta(minutes=10))["keyframes"] == 1
    assert Keyframe.objects.count() == 2


def test_only_active_cameras_of_areas_with_work_in_progress(permit, video_file, clock):
    CameraFactory(work_area=permit.work_area, source=video_file, active=False)
    CameraFactory(work_area=WorkAreaFactory(site=permit.site), source=video_file)
    assert services.keyframes_capture(now=clock) == {"keyframes": 0, "failed": 0}


def test_an_unreadable_camera_is_reported_not_skipped(permit, manager_user, clock, tmp_path):
    camera = CameraFactory(work_area=permit.work_area, source=str(tmp_path / "gone.mp4"),
                           name="动火点枪机")  # fmt: skip
    assert services.keyframes_capture(now=clock) == {"keyframes": 0, "failed": 1}
    camera.refresh_from_db()
    assert "无法打开" in camera.last_error and "gone.mp4" in camera.last_error
    assert camera.last_error_at == clock
    assert InboxItem.objects.filter(user=manager_user, title__contains="动火点枪机").exists()


def test_the_periodic_task_reads_an_mjpeg_stream(permit, mjpeg_url):
    CameraFactory(work_area=permit.work_area, source=mjpeg_url)
    assert keyframes_task.call_local() == {"keyframes": 1, "failed": 0}
    frame = Keyframe.objects.get()
    assert frame.permit == permit and frame.size > 1000


def test_a_run_still_going_makes_the_next_one_skip(permit, video_file):
    from huey.exceptions import TaskLockedException

    from safework.evidence.tasks import KEYFRAMES_LOCK
    from safework.tasks import huey

    CameraFactory(work_area=permit.work_area, source=video_file)
    with huey.lock_task(KEYFRAMES_LOCK), pytest.raises(TaskLockedException):
        keyframes_task.call_local()
    assert not Keyframe.objects.exists()
