"""The report package: closing a permit queues it, a Huey task builds it (PDF, original
frames, attachments, manifest of SHA-256 hashes), the root is written to the audit chain,
and ``safework evidence verify`` checks it later."""

import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from safework.audit.models import AuditEntry
from safework.core.errors import ValidationFailed
from safework.evidence import pdf, services
from safework.evidence.choices import PackState
from safework.evidence.models import EvidencePack, Keyframe
from safework.evidence.verify import verify_pack
from safework.permits.choices import WorkerRole

from .factories import CameraFactory
from .helpers import close

pytestmark = pytest.mark.django_db


@pytest.fixture
def filmed(permit, video_file, mjpeg_url, clock):
    """Three keyframes from two cameras while the permit runs."""
    CameraFactory(work_area=permit.work_area, source=video_file, name="东侧")
    CameraFactory(work_area=permit.work_area, source=mjpeg_url, name="西侧")
    services.keyframes_capture(now=clock + timedelta(hours=1))
    services.keyframes_capture(now=clock + timedelta(hours=1, minutes=10))
    Keyframe.objects.filter(camera__name="西侧").order_by("-taken_at").first().delete()
    assert Keyframe.objects.count() == 3
    return permit


@pytest.fixture
def built(filmed, manager, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close(manager, filmed, clock + timedelta(hours=2))
    return EvidencePack.objects.get(permit=filmed)


def _pack_path(pack, tmp_path):
    path = tmp_path / "pack.zip"
    with default_storage.open(pack.file, "rb") as source:
        path.write_bytes(source.read())
    return path


def test_closing_a_permit_builds_its_package(built, filmed):
    assert (built.state, built.progress, built.error) == (PackState.READY, 100, "")
    entry = AuditEntry.objects.get(action="evidence.pack_sealed", object_id=str(built.pk))
    assert entry.changes["root"]["after"] == built.sha256
    with default_storage.open(built.file, "rb") as handle, zipfile.ZipFile(handle) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        report = zf.read("report.pdf")
    frames = [n for n in names if n.startswith("frames/")]
    assert len(frames) == 3 and "report.pdf" in names and names[-1] == "manifest.json"
    assert manifest["permit"]["number"] == filmed.number and manifest["pack"] == built.pk
    recorded = {k.sha256 for k in Keyframe.objects.all()}
    assert {f["sha256"] for f in manifest["files"] if f.get("kind") == "keyframe"} == recorded
    assert report.startswith(b"%PDF") and b"STSong-Light" in report
    assert report.count(b"/DCTDecode") == 3  # the three frames, embedded as JPEG


def test_a_package_waits_for_the_commit(filmed, manager, clock):
    close(manager, filmed, clock + timedelta(hours=2))  # the test's transaction never commits
    assert EvidencePack.objects.get(permit=filmed).state == PackState.QUEUED


def test_the_report_lists_people_qualification_equipment_sign_ins_and_timeline(built, filmed):
    welder = filmed.assignments.get(role=WorkerRole.HOT_WORKER)
    rows = pdf.people_rows(filmed)
    row = next(r for r in rows if r[1] == welder.person.name)
    assert row[2] == welder.certificate_number and row[3] == "具备资格"
    text = " ".join(map(str, sum(rows, [])))
    assert welder.person.full_id_number() not in text
    assert not re.search(r"\d{17}[\dX]", text)  # no ID number in full (PIPL)
    equipment = dict(pdf.equipment_rows(filmed, [k.camera for k in Keyframe.objects.all()]))
    assert equipment["气体检测仪"] == "MX6-01"
    sign_ins = pdf.sign_in_rows(filmed)
    assert len(sign_ins) == filmed.sign_ins.count() and "31.230416" in sign_ins[0][3]
    actions = [r[3] for r in pdf.timeline_rows(filmed)]
    assert len(actions) == AuditEntry.objects.filter(object_type="permits.permit",
                                                     object_id=str(filmed.pk)).count()  # fmt: skip


def test_verify_accepts_the_intact_package(built, tmp_path, capsys):
    path = _pack_path(built, tmp_path)
    assert verify_pack(path).ok
    call_command("evidence", "verify", str(path))
    assert "intact" in capsys.readouterr().out


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def test_verify_names_the_first_changed_file(built, tmp_path, capsys):
    path, bad = _pack_path(built, tmp_path), tmp_path / "bad.zip"
    victim = sorted(n for n in zipfile.ZipFile(path).namelist() if n.startswith("frames/"))[1]
    _rewrite(path, bad, lambda n, d: d + b"x" if n == victim else d)
    verdict = verify_pack(bad)
    assert not verdict.ok and verdict.bad_file == victim
    with pytest.raises(SystemExit) as exited:
        call_command("evidence", "verify", str(bad))
    assert exited.value.code == 1
    assert victim in capsys.readouterr().err


def test_verify_refuses_missing_and_extra_files(built, tmp_path):
    path = _pack_path(built, tmp_path)
    _rewrite(path, tmp_path / "missing.zip", lambda n, d: None if n == "report.pdf" else d)
    assert verify_pack(tmp_path / "missing.zip").bad_file == "report.pdf"
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("frames/extra.jpg", b"\xff\xd8")
    assert verify_pack(path).bad_file == "frames/extra.jpg"


def test_verify_refuses_a_consistent_forgery(built, tmp_path):
    """A changed frame with a manifest recomputed to match: the root no longer matches
    the audit chain."""
    import hashlib

    path, forged = _pack_path(built, tmp_path), tmp_path / "forged.zip"
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    entry = next(f for f in manifest["files"] if f["path"].startswith("frames/"))
    entry["sha256"], entry["size"] = hashlib.sha256(b"fake").hexdigest(), 4
    _rewrite(path, forged, lambda n, d: b"fake" if n == entry["path"] else
             json.dumps(manifest).encode() if n == "manifest.json" else d)  # fmt: skip
    verdict = verify_pack(forged)
    assert not verdict.ok and verdict.bad_file == "manifest.json" and "differs" in verdict.message


def test_verify_refuses_when_the_audit_chain_was_edited(built, tmp_path):
    path = _pack_path(built, tmp_path)
    first = AuditEntry.objects.order_by("seq").first()
    AuditEntry.objects.filter(pk=first.pk).update(actor="someone else")
    verdict = verify_pack(path)
    assert not verdict.ok and "audit chain broken" in verdict.message


def test_a_changed_frame_fails_the_build_and_tells_the_managers(filmed, manager, manager_user,
                                                              clock,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    from safework.alerts.models import InboxItem

    frame = Keyframe.objects.first()
    with default_storage.open(frame.file, "wb") as handle:
        handle.write(b"\xff\xd8 replaced")
    with django_capture_on_commit_callbacks(execute=True):
        close(manager, filmed, clock + timedelta(hours=2))
    pack = EvidencePack.objects.get(permit=filmed)
    assert pack.state == PackState.FAILED and str(frame.pk) in pack.error
    assert InboxItem.objects.filter(user=manager_user, title__contains=filmed.number).exists()


def test_a_package_is_made_only_for_a_closed_permit_and_one_at_a_time(permit, manager, clock):
    with pytest.raises(ValidationFailed) as caught:
        services.pack_request(actor=manager, permit=permit)
    assert "status" in caught.value.errors
    close(manager, permit, clock + timedelta(hours=2))  # queued (not committed: not built)
    with pytest.raises(ValidationFailed) as caught:
        services.pack_request(actor=manager, permit=permit)
    assert "pack" in caught.value.errors


def test_the_jsa_document_is_attached(filmed, manager, clock, django_capture_on_commit_callbacks):
    from safework.evidence import storage
    from safework.permits.models import Jsa

    name = storage.save_bytes("permits/jsa/analysis.pdf", b"%PDF-1.4 JSA")
    Jsa.objects.filter(permit=filmed).update(document=name)
    with django_capture_on_commit_callbacks(execute=True):
        close(manager, filmed, clock + timedelta(hours=2))
    pack = EvidencePack.objects.get(permit=filmed)
    with default_storage.open(pack.file, "rb") as handle, zipfile.ZipFile(handle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        attached = [f for f in manifest["files"] if f.get("kind") == "jsa_document"]
        assert len(attached) == 1 and zf.read(attached[0]["path"]) == b"%PDF-1.4 JSA"


def test_the_managers_are_told_the_package_is_ready(built, filmed, manager_user):
    from safework.alerts.models import InboxItem

    item = InboxItem.objects.get(user=manager_user, title__contains="归档报告包已生成")
    assert filmed.number in item.title and built.sha256 in item.body
    assert item.link == f"/evidence/permits/{filmed.pk}/"


def test_a_package_whose_task_was_lost_is_queued_again(
    filmed, manager, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """The queue is down when the permit closes: the close stands (no error), the package
    waits queued, and the sweep queues it again once it is LOST_QUEUED old."""
    from safework.evidence.services import packs

    def queue_down(pack_id):
        raise ConnectionError("redis down")

    monkeypatch.setattr(packs, "_enqueue", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        close(manager, filmed, clock + timedelta(hours=2))
    pack = EvidencePack.objects.get(permit=filmed)
    assert pack.state == PackState.QUEUED
    monkeypatch.undo()
    assert services.packs_sweep(now=pack.created_at + timedelta(minutes=1))["queued"] == 0
    swept = services.packs_sweep(now=pack.created_at + packs.LOST_QUEUED + timedelta(minutes=1))
    assert swept == {"queued": 1, "restarted": 0, "failed": 0}
    pack.refresh_from_db()
    assert (pack.state, pack.attempts) == (PackState.READY, 1)


def test_a_cut_off_build_is_restarted_then_failed_after_three(filmed, manager, manager_user, clock):
    from safework.alerts.models import InboxItem
    from safework.evidence.services import packs

    close(manager, filmed, clock + timedelta(hours=2))  # queued (not committed: not built)
    pack = EvidencePack.objects.get(permit=filmed)
    started = pack.created_at
    EvidencePack.objects.filter(pk=pack.pk).update(  # its worker died mid-build
        state=PackState.BUILDING, started_at=started, attempts=1, progress=40
    )
    assert services.packs_sweep(now=started + timedelta(minutes=30))["restarted"] == 0
    later = started + packs.STALE_BUILD + timedelta(minutes=1)
    assert services.packs_sweep(now=later) == {"queued": 1, "restarted": 1, "failed": 0}
    pack.refresh_from_db()
    assert (pack.state, pack.attempts, pack.progress) == (PackState.READY, 2, 100)

    close_again = EvidencePack.objects.create(
        permit=filmed, state=PackState.BUILDING, started_at=started, attempts=packs.MAX_ATTEMPTS
    )
    assert services.packs_sweep(now=later) == {"queued": 0, "restarted": 0, "failed": 1}
    close_again.refresh_from_db()
    assert close_again.state == PackState.FAILED and "3" in close_again.error
    assert InboxItem.objects.filter(user=manager_user, title__contains="失败").exists()
