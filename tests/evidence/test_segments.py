"""特级 hot work is filmed throughout (GB 30871-2022 5.2.11): continuous cameras of its area
record short segments with cv2.VideoWriter while the permit is in progress."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from safework.audit.models import AuditEntry
from safework.evidence import services
from safework.evidence.choices import SegmentState
from safework.evidence.models import Segment
from safework.evidence.services.segments import segments_run
from safework.evidence.tasks import recordings_start_task
from safework.permits.choices import Level

from .factories import CameraFactory
from .helpers import HOT_SPECIAL, close, running

pytestmark = pytest.mark.django_db


@pytest.fixture
def special(manager, approvers, area, people, clock):
    permit = running(manager, approvers, area, people, clock, details=HOT_SPECIAL)
    assert permit.level == Level.HOT_SPECIAL
    return permit


def test_a_segment_from_the_stream_is_stored_with_its_hash(special, mjpeg_url):
    camera = CameraFactory(work_area=special.work_area, source=mjpeg_url, continuous=True)
    segment = services.segment_record(camera=camera, permit=special, seconds=1.5)
    assert segment.state == SegmentState.DONE and segment.frames >= 5
    with default_storage.open(segment.file, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == segment.sha256 and len(data) == segment.size
    assert segment.ended_at > segment.started_at
    assert AuditEntry.objects.filter(action="evidence.segment", object_id=str(segment.pk)).exists()


def test_segments_follow_each_other_while_the_permit_runs(special, manager, video_file, clock):
    camera = CameraFactory(work_area=special.work_area, source=video_file, continuous=True)
    done, more = segments_run(camera=camera, permit=special, segments=2, seconds=1)
    assert (done, more) == (2, True)
    close(manager, special, clock + timedelta(hours=2))
    assert segments_run(camera=camera, permit=special, segments=2, seconds=1) == (0, False)
    assert Segment.objects.filter(state=SegmentState.DONE).count() == 2


def test_only_continuous_cameras_record_special_class_hot_work(special, video_file):
    recorder = CameraFactory(work_area=special.work_area, source=video_file, continuous=True)
    CameraFactory(work_area=special.work_area, source=video_file)  # keyframes only
    assert services.recordings_start() == [(recorder.pk, special.pk)]


def test_class_1_hot_work_is_not_recorded(permit, video_file):
    assert permit.level == Level.HOT_1
    CameraFactory(work_area=permit.work_area, source=video_file, continuous=True)
    assert services.recordings_start() == []


def test_a_running_recorder_is_not_started_twice(special, video_file):
    camera = CameraFactory(work_area=special.work_area, source=video_file, continuous=True)
    Segment.objects.create(camera=camera, permit=special, started_at=timezone.now())
    assert services.recordings_start() == []


def test_a_recording_left_behind_by_a_crash_is_marked_failed(special, video_file):
    camera = CameraFactory(work_area=special.work_area, source=video_file, continuous=True)
    stale = Segment.objects.create(camera=camera, permit=special,
                                   started_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    assert services.recordings_start() == [(camera.pk, special.pk)]
    stale.refresh_from_db()
    assert stale.state == SegmentState.FAILED


def test_an_unreadable_recorder_is_reported(special, tmp_path):
    camera = CameraFactory(work_area=special.work_area, source=str(tmp_path / "x.mp4"),
                           continuous=True)  # fmt: skip
    assert segments_run(camera=camera, permit=special, segments=3, seconds=1) == (0, False)
    camera.refresh_from_db()
    assert camera.last_error and Segment.objects.get().state == SegmentState.FAILED


def test_the_periodic_task_records_until_its_run_ends(special, video_file, settings):
    settings.EVIDENCE_SEGMENT_SECONDS = 1
    CameraFactory(work_area=special.work_area, source=video_file, continuous=True)
    recordings_start_task.call_local()
    # SEGMENTS_PER_RUN back to back, the continuation scheduled (not run) by Huey.
    assert Segment.objects.filter(state=SegmentState.DONE).count() == 10
