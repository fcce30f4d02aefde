"""The report-package benchmark at its small scale on the test database: its generated
permit builds a package that verifies, with every keyframe in it. No timing."""

import zipfile

import pytest
from benchmarks import bench_evidence
from django.core.files.storage import default_storage

from safework.evidence.services import pack_build
from safework.evidence.verify import verify_pack

pytestmark = pytest.mark.django_db


def test_the_generated_permit_builds_a_package_that_verifies():
    pack = pack_build(pack_id=bench_evidence.ensure("small"))
    assert pack.state == "ready", pack.error
    path = default_storage.path(pack.file)
    assert verify_pack(path).ok
    frames = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("frames/")]
    assert len(frames) == bench_evidence.FRAMES["small"]


def test_a_second_run_starts_from_fresh_data():
    first = bench_evidence.ensure("small")
    second = bench_evidence.ensure("small")
    from safework.evidence.models import EvidencePack, Keyframe

    assert list(EvidencePack.objects.values_list("pk", flat=True)) == [second] != [first]
    assert Keyframe.objects.count() == bench_evidence.FRAMES["small"]


def test_the_child_reports_its_memory_high_water_mark():
    assert 10 < bench_evidence._high_water_mb() < 10_000
