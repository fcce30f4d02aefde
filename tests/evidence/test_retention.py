"""Retention (GB 30871-2022 B.3): frames past 90 days (configurable, never below), 特级
video past a month, packages past a year are deleted and what was deleted is in the audit
trail; nothing younger is touched, and a package lives ≥ 1 year after its permit closed.
Settings below the legal minimum are refused at start-up."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from safework.audit.models import AuditEntry
from safework.evidence import services, storage
from safework.evidence.choices import PackState, SegmentState
from safework.evidence.models import EvidencePack, Keyframe, Segment
from safework.evidence.tasks import evidence_purge_task
from safework.permits.models import Permit

from .factories import CameraFactory

pytestmark = pytest.mark.django_db


def _frame(permit, camera, age_days, now):
    taken = now - timedelta(days=age_days)
    name = storage.save_bytes(storage.keyframe_name(permit.pk, camera.pk, taken), b"\xff\xd8jpeg")
    return Keyframe.objects.create(permit=permit, camera=camera, taken_at=taken, file=name,
                                   sha256="a" * 64, size=6)  # fmt: skip


def _segment(permit, camera, age_days, now):
    start = now - timedelta(days=age_days)
    name = storage.save_bytes(storage.segment_name(permit.pk, camera.pk, start), b"video")
    return Segment.objects.create(permit=permit, camera=camera, started_at=start,
                                  ended_at=start + timedelta(minutes=1), file=name,
                                  state=SegmentState.DONE, sha256="b" * 64, size=5)  # fmt: skip


def _pack(permit, age_days, now):
    name = storage.save_bytes(storage.pack_name(permit.number, 0), b"PK")
    pack = EvidencePack.objects.create(permit=permit, state=PackState.READY, file=name,
                                       sha256="c" * 64)  # fmt: skip
    EvidencePack.objects.filter(pk=pack.pk).update(created_at=now - timedelta(days=age_days))
    return pack


def test_what_is_past_retention_goes_and_the_trail_says_what(permit,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    now = timezone.now()
    camera = CameraFactory(work_area=permit.work_area)
    old, kept = _frame(permit, camera, 91, now), _frame(permit, camera, 89, now)
    old_video, new_video = _segment(permit, camera, 91, now), _segment(permit, camera, 89, now)
    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        assert services.evidence_purge(now=now) == {"keyframes": 1, "segments": 1, "packs": 0}
    assert list(Keyframe.objects.all()) == [kept] and list(Segment.objects.all()) == [new_video]
    assert not default_storage.exists(old.file) and default_storage.exists(kept.file)
    entry = AuditEntry.objects.get(action="evidence.keyframes_deleted")
    assert entry.object_id == str(permit.pk)
    assert entry.changes["files"]["after"][0]["file"] == old.file
    assert entry.changes["count"]["after"] == 1
    video = AuditEntry.objects.get(action="evidence.segments_deleted")
    assert video.changes["files"]["after"][0]["sha256"] == old_video.sha256


def test_video_is_kept_at_least_the_month_of_b3(permit, settings):
    settings.EVIDENCE_VIDEO_RETENTION_DAYS = 30  # the floor: B.3's month
    now = timezone.now()
    camera = CameraFactory(work_area=permit.work_area)
    _segment(permit, camera, 31, now), _segment(permit, camera, 29, now)
    assert services.evidence_purge(now=now)["segments"] == 1
    settings.EVIDENCE_VIDEO_RETENTION_DAYS = 10  # held to the floor at run time too
    _segment(permit, camera, 20, now)
    assert services.evidence_purge(now=now)["segments"] == 0


def test_retention_can_be_raised(permit, settings):
    settings.EVIDENCE_KEYFRAME_RETENTION_DAYS = 180
    now = timezone.now()
    _frame(permit, CameraFactory(work_area=permit.work_area), 120, now)
    assert services.evidence_purge(now=now)["keyframes"] == 0


def test_a_setting_below_the_law_is_never_applied(permit, settings):
    """Start-up refuses it; a changed setting at run time is still held to the minimum."""
    settings.EVIDENCE_KEYFRAME_RETENTION_DAYS = 10
    settings.EVIDENCE_PACK_RETENTION_DAYS = 30
    now = timezone.now()
    _frame(permit, CameraFactory(work_area=permit.work_area), 60, now)
    Permit.objects.filter(pk=permit.pk).update(closed_at=now - timedelta(days=100))
    _pack(permit, 100, now)
    assert services.evidence_purge(now=now) == {"keyframes": 0, "segments": 0, "packs": 0}


def test_a_package_lives_a_year_after_its_permit_closed(permit, django_capture_on_commit_callbacks):
    now = timezone.now()
    Permit.objects.filter(pk=permit.pk).update(closed_at=now - timedelta(days=300))
    pack = _pack(permit, 400, now)  # older than a year, but the permit closed 300 days ago
    assert services.evidence_purge(now=now)["packs"] == 0
    Permit.objects.filter(pk=permit.pk).update(closed_at=now - timedelta(days=366))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.evidence_purge(now=now)["packs"] == 1
    assert not EvidencePack.objects.exists() and not default_storage.exists(pack.file)
    assert Permit.objects.filter(pk=permit.pk).exists()  # permits are never deleted here
    assert AuditEntry.objects.filter(action="evidence.packs_deleted").count() == 1


def test_frames_of_a_package_being_made_wait(permit):
    now = timezone.now()
    _frame(permit, CameraFactory(work_area=permit.work_area), 100, now)
    EvidencePack.objects.create(permit=permit, state=PackState.BUILDING)
    assert services.evidence_purge(now=now)["keyframes"] == 0


def test_the_daily_task_runs_the_purge(permit):
    _frame(permit, CameraFactory(work_area=permit.work_area), 100, timezone.now())
    assert evidence_purge_task.call_local()["keyframes"] == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SAFEWORK_KEYFRAME_RETENTION_DAYS", "89"), ("SAFEWORK_VIDEO_RETENTION_DAYS", "29"),
     ("SAFEWORK_PACK_RETENTION_DAYS", "364"), ("SAFEWORK_KEYFRAME_INTERVAL_MINUTES", "0")],
)  # fmt: skip
def test_start_up_refuses_retention_below_the_law(variable, value, tmp_path):
    env = {**os.environ, "SAFEWORK_ENV": "test", "SAFEWORK_DATA_DIR": str(tmp_path),
           variable: value}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "safework", "check"], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert variable in done.stderr and "configuration error" in done.stderr
