"""Issue 6: uploads have a size limit, their type is decided by content (an .exe renamed
.jpg is refused), images are re-encoded (metadata dropped) and served with safe headers."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from safework.core.errors import ValidationFailed
from safework.core.uploads import classify, safe_file_response, store_upload


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_exe_renamed_jpg_is_refused():
    upload = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/jpeg"
    )
    with pytest.raises(ValidationFailed) as exc:
        store_upload(
            upload, allowed={"jpeg", "png"}, max_bytes=1_000_000, subdir="t", field="photo"
        )
    assert "不接受" in str(exc.value.errors["photo"])


def test_too_large_is_refused_naming_the_field():
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * 2000)
    with pytest.raises(ValidationFailed) as exc:
        store_upload(upload, allowed={"jpeg"}, max_bytes=1000, subdir="t", field="photo")
    assert "photo" in exc.value.errors


def test_empty_file_is_refused():
    with pytest.raises(ValidationFailed):
        store_upload(
            SimpleUploadedFile("a.jpg", b""),
            allowed={"jpeg"},
            max_bytes=10,
            subdir="t",
            field="photo",
        )


def test_image_is_reencoded_without_metadata():
    stored = store_upload(
        SimpleUploadedFile("p.png", _jpeg_with_exif()),
        allowed={"jpeg"},
        max_bytes=1_000_000,
        subdir="t",
        field="photo",
    )
    with default_storage.open(stored.name) as fh:
        data = fh.read()
    assert b"SpyCam" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    assert stored.name.endswith(".jpg") and "p.png" not in stored.name


def test_corrupt_image_is_refused():
    with pytest.raises(ValidationFailed):
        store_upload(
            SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"garbage" * 20),
            allowed={"jpeg"},
            max_bytes=10_000,
            subdir="t",
            field="photo",
        )


def test_classify_tells_xlsx_from_zip_and_pdf():
    buf = io.BytesIO()
    from openpyxl import Workbook

    Workbook().save(buf)
    assert classify(buf.getvalue()) == "xlsx"
    assert classify(b"%PDF-1.7\n...") == "pdf"
    assert classify(b"#!/bin/sh\nrm -rf /") == "executable"


def test_served_with_safe_headers():
    stored = store_upload(
        SimpleUploadedFile("p.jpg", _jpeg_with_exif()),
        allowed={"jpeg"},
        max_bytes=1_000_000,
        subdir="t",
        field="photo",
    )
    resp = safe_file_response(stored.name, stored.content_type)
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in resp["Content-Security-Policy"]
    assert resp["Content-Type"] == "image/jpeg"
    resp.file_to_stream.close()  # not resp.close(): that signals request_finished
