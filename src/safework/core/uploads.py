"""Safe intake of uploaded files (issue 6): a size limit, the type decided by the bytes
(not the name or the browser's claim), images re-encoded so that nothing but pixels
survives (no EXIF with GPS, no polyglot payloads), random names, never executed."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ValidationFailed

MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs
_SIGNATURES = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"#!", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),
)
IMAGE_KINDS = {"jpeg", "png", "gif", "webp"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class StoredFile:
    name: str  # storage name
    kind: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str:
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return "unknown"


def _xlsx_or_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return "unknown"
    return "xlsx" if "[Content_Types].xml" in names and "xl/workbook.xml" in names else "zip"


def read_limited(upload, max_bytes: int, field: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationFailed({field: _too_big(max_bytes)})
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailed({field: _too_big(max_bytes)})
    if not data:
        raise ValidationFailed({field: _("The file is empty.")})
    return data


def _too_big(max_bytes: int) -> str:
    return _("The file is too large (at most %(mb).0f MB).") % {"mb": max_bytes / 1_048_576}


def classify(data: bytes) -> str:
    kind = sniff(data[:16])
    return _xlsx_or_zip(data) if kind == "zip" else kind


def reencode_image(data: bytes, *, max_side: int, field: str) -> bytes:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationFailed(
            {field: _("The image cannot be read; upload a JPEG or PNG photo.")}
        ) from None
    img.thumbnail((max_side, max_side))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=88, optimize=True)  # no EXIF carried over
    return out.getvalue()


def store_upload(
    upload,
    *,
    allowed: set[str],
    max_bytes: int,
    subdir: str,
    field: str,
    max_image_side: int = 2000,
) -> StoredFile:
    """Validate ``upload`` (a Django UploadedFile) and store it; images come out as JPEG."""
    data = read_limited(upload, max_bytes, field)
    kind = classify(data)
    if kind not in allowed:
        raise ValidationFailed(
            {
                field: _("This kind of file is not accepted here (%(kinds)s only).")
                % {"kinds": ", ".join(sorted(allowed))}
            }
        )
    if kind in IMAGE_KINDS:
        data, kind = reencode_image(data, max_side=max_image_side, field=field), "jpeg"
    ext = {"jpeg": "jpg"}.get(kind, kind)
    name = default_storage.save(f"{subdir}/{secrets.token_hex(16)}.{ext}", ContentFile(data))
    return StoredFile(
        name=name,
        kind=kind,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def safe_file_response(
    name: str, content_type: str, *, download_name: str = "", inline: bool = True
):
    """Serve a stored file so that a browser never runs it: fixed content type, nosniff,
    and a sandboxing CSP."""
    from django.http import FileResponse

    resp = FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=download_name or name.rsplit("/", 1)[-1],
    )
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp["Cache-Control"] = "private, max-age=300"
    return resp
