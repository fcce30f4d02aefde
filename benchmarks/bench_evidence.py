# ruff: noqa: E402  (run as a script, Django is set up before the models are imported)
"""The report package of a closed permit (issue 9): the PDF with every section and the
keyframes, the ZIP with the PDF, the original frames and a manifest of SHA-256 hashes,
sealed in the audit chain; with 50 full-HD keyframes: < 10 s and < 300 MB peak memory.

The build runs in a child process (Django set up, no migrations), so its peak RSS is the
build's own: the child's VmHWM (/proc/self/status, the high-water mark of its memory
since exec). getrusage's RUSAGE_CHILDREN is not used: on Linux it counts the parent's
memory copied at fork (here the data generator's frames). Its time is measured around
the build inside it. The package is then checked as ``safework evidence verify`` does.

    python benchmarks/bench_evidence.py --scale full|small --database-url URL

Runs in its own database ``safework_bench_evidence``; files under a temporary directory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DB = "safework_bench_evidence"
FRAMES = {"full": 50, "small": 5}
SIZES = {"full": (1920, 1080), "small": (640, 360)}
TARGET_S, TARGET_MB = 10, 300
NUMBER = "DH-BENCH-EVIDENCE"


def bench_database_url(url: str) -> str:
    """``BENCH_DB`` on the server of ``url``, created when missing."""
    from benchmarks.common import bench_database_url as dedicated

    return dedicated(url, BENCH_DB)


def frame_jpeg(i: int, size: tuple[int, int]) -> bytes:
    """A camera-like frame: gradients, shapes, text and sensor noise (about 300-500 KB at
    full HD, like a real site camera's JPEG)."""
    import cv2
    import numpy as np

    width, height = size
    rng = np.random.default_rng(i)
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    image = np.dstack([(x + y) / 2, np.broadcast_to(x, (height, width)),
                       np.broadcast_to(y, (height, width))]).astype(np.uint8)  # fmt: skip
    for _ in range(30):
        p = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        q = (p[0] + int(rng.integers(20, 300)), p[1] + int(rng.integers(20, 200)))
        cv2.rectangle(image, p, q, tuple(int(c) for c in rng.integers(0, 255, 3)), -1)
    noise = rng.normal(0, 6, image.shape).astype(np.int16)
    image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    cv2.putText(image, f"CAM-1 #{i}", (40, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return buffer.tobytes()


def _fixtures():
    from django.contrib.auth import get_user_model

    from safework.core.choices import OrganizationKind, Role
    from safework.core.models import Organization, Site, UserProfile, WorkArea

    owner, _ = Organization.objects.get_or_create(name="基准业主证据", kind=OrganizationKind.OWNER)
    site, _ = Site.objects.get_or_create(code="bench-evidence",
                                         defaults={"name": "基准厂区证据", "owner": owner})  # fmt: skip
    area, _ = WorkArea.objects.get_or_create(site=site, code="unit", defaults={"name": "裂解装置"})
    user, created = get_user_model().objects.get_or_create(username="bench-evidence")
    if created:
        UserProfile.objects.create(user=user, role=Role.SAFETY_MANAGER)
    return owner, site, area


def _person(owner, n: int):
    from safework.core import crypto
    from safework.people.models import Person

    number = f"1101011985061500{n % 10}{n % 10}"[:17]
    number += "X"  # not a checked ID: the pack never decrypts or validates it
    person = Person.objects.filter(organization=owner, name=f"基准人员{n}").first()
    return person or Person.objects.create(
        name=f"基准人员{n}", organization=owner, id_number_encrypted=crypto.encrypt(number),
        id_number_hash=crypto.blind_index(f"bench-evidence-{n}"),
        id_number_masked=f"110101********00{n:02d}", birth_date="1985-06-15", sex="M",
    )  # fmt: skip


def _clear():
    from safework.evidence.models import Camera, EvidencePack, Keyframe, Segment
    from safework.permits.models import Permit

    permits = Permit.objects.filter(number=NUMBER)
    Keyframe.objects.filter(permit__in=permits).delete()
    Segment.objects.filter(permit__in=permits).delete()
    EvidencePack.objects.filter(permit__in=permits).delete()
    permits.delete()
    Camera.objects.filter(work_area__site__code="bench-evidence").delete()


def ensure(scale: str) -> int:
    """A closed hot-work permit with people, JSA, gas analyses, sign-ins, a timeline and
    the scale's keyframes; returns the id of its queued package."""
    from django.db import transaction

    with transaction.atomic():
        _clear()
        permit = _permit(*_fixtures())
        _keyframes(permit, FRAMES[scale], SIZES[scale])
        from safework.evidence.models import EvidencePack

        return EvidencePack.objects.create(permit=permit).pk


def _permit(owner, site, area):
    from datetime import timedelta

    from django.utils import timezone

    from safework.audit.services import audit_record
    from safework.core.actors import Actor
    from safework.permits.models import Assignment, GasTest, Jsa, Measure, Permit, SignIn

    start = timezone.now() - timedelta(hours=8)
    people = [_person(owner, n) for n in range(6)]
    permit = Permit.objects.create(
        number=NUMBER, site=site, work_area=area, kind="hot_work", level="hot_1",
        status="closed", applicant_org=owner, performing_org=owner, person_in_charge=people[0],
        content="E-101 换热器管线焊接", place="裂解装置 E-101", hazards="可燃气体、高处坠落",
        details={"method": "电焊", "fire_explosion_zone": True, "video": "CAM-1"},
        planned_start=start, planned_end=start + timedelta(hours=8), started_at=start,
        completed_at=start + timedelta(hours=7), closed_at=start + timedelta(hours=7, minutes=30),
        closed_by="安全主管", briefing_by="吴负责人", briefing_at=start,
    )  # fmt: skip
    Jsa.objects.create(permit=permit, residual_risk="低", steps=[
        {"step": f"步骤{i}", "hazards": "泄漏、火花", "measures": "加盲板、清理可燃物"} for i in range(6)])  # fmt: skip
    for i, text in enumerate(["隔离", "清理", "灭火器", "监护"]):
        Measure.objects.create(permit=permit, order=i, text=text, applies=True, confirmed_by="吴")
    for i, person in enumerate(people):
        Assignment.objects.create(permit=permit, person=person, role="hot_worker" if i else
                                  "guardian", certificate_number=f"T110101********00{i:02d}",
                                  added_at=start)  # fmt: skip
    for i in range(10):
        GasTest.objects.create(permit=permit, sampled_at=start + timedelta(minutes=40 * i),
                               sample_point="E-101 人孔", gas="甲烷", lel_percent=5,
                               result_percent="0.1", oxygen_percent="20.5", analyst="陈分析",
                               instrument="MX6-01", passed=True, recorded_by="陈")  # fmt: skip
    for i, person in enumerate(people * 2):
        SignIn.objects.create(permit=permit, person=person, role="hot_worker",
                              at=start + timedelta(minutes=i), latitude="31.230416",
                              longitude="121.473701", accuracy_m=8, distance_m=12,
                              accepted=True)  # fmt: skip
    actor = Actor.system("bench")
    for action in ["create", "jsa_sign", "submit", "approval_approved", "briefing",
                   "shift_check", "start", "suspend", "resume", "complete", "close"]:  # fmt: skip
        audit_record(actor=actor, action=f"permit.{action}", obj=permit, changes={})
    return permit


def _keyframes(permit, count: int, size: tuple[int, int]) -> None:
    import hashlib
    from datetime import timedelta

    from safework.evidence import storage
    from safework.evidence.models import Camera, Keyframe

    camera = Camera.objects.create(work_area=permit.work_area, name="CAM-1", source="/dev/null")
    for i in range(count):
        data = frame_jpeg(i, size)
        taken = permit.started_at + timedelta(minutes=10 * i)
        name = storage.save_bytes(storage.keyframe_name(permit.pk, camera.pk, taken), data)
        Keyframe.objects.create(permit=permit, camera=camera, taken_at=taken, file=name,
                                sha256=hashlib.sha256(data).hexdigest(), size=len(data))  # fmt: skip


def child(pack_id: int) -> None:
    """Build the package (Django set up, nothing else) and print the time it took."""
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = Path(os.environ["BENCH_EVIDENCE_MEDIA"])
    from safework.evidence.services import pack_build

    start = time.perf_counter()
    pack = pack_build(pack_id=pack_id)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "state": pack.state, "size": pack.size,
                      "error": pack.error, "peak_mb": _high_water_mb()}))  # fmt: skip


def _high_water_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def run_child(pack_id: int) -> dict:
    command = [sys.executable, __file__, "--child", str(pack_id)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(scale: str) -> list[dict]:
    from benchmarks.common import result_row
    from safework.evidence.models import EvidencePack
    from safework.evidence.verify import verify_pack

    pack_id = ensure(scale)
    built = run_child(pack_id)
    peak_mb = built["peak_mb"]
    if built["state"] != "ready":
        raise SystemExit(f"the package was not built: {built['error']}")
    pack = EvidencePack.objects.get(pk=pack_id)
    from django.core.files.storage import default_storage

    verdict = verify_pack(default_storage.path(pack.file))
    if not verdict.ok:
        raise SystemExit(f"the package does not verify: {verdict.message}")
    frames, extra = FRAMES[scale], {"frames": FRAMES[scale], "pack_mb": round(pack.size / 2**20, 1)}
    seconds = built["seconds"]
    return [
        result_row(f"evidence_pack_{frames}_frames_s", seconds, "s", TARGET_S, ok=seconds < TARGET_S) | extra,
        result_row(f"evidence_pack_{frames}_frames_peak_mb", peak_mb, "MB", TARGET_MB,
                   ok=peak_mb < TARGET_MB) | extra,
    ]  # fmt: skip


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if "--child" in sys.argv:
        child(int(sys.argv[sys.argv.index("--child") + 1]))
        return 0
    from benchmarks.common import bench_arguments, setup_django

    args = bench_arguments("Time the report package of a permit with 50 keyframes.").parse_args()
    with tempfile.TemporaryDirectory(prefix="safework-bench-evidence-") as media:
        os.environ["BENCH_EVIDENCE_MEDIA"] = media
        os.environ["SAFEWORK_DATABASE_URL"] = bench_database_url(args.database_url)
        setup_django(os.environ["SAFEWORK_DATABASE_URL"])
        from django.conf import settings

        settings.MEDIA_ROOT = Path(media)
        rows = measure(args.scale)
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
