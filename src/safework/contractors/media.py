"""Briefing videos: intake (size limit, type from the bytes, duration from the MP4
header) and serving with HTTP range requests (RFC 9110 14), so a phone can seek and
resume without downloading the whole file."""

from __future__ import annotations

import re
import secrets
import struct

from django.core.files.storage import default_storage
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from safework.core.errors import ValidationFailed

MAX_VIDEO_BYTES = 1024 * 1024 * 1024
CHUNK = 64 * 1024
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def sniff_video(head: bytes) -> str:
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return "unknown"


def mp4_seconds(data: bytes) -> float:
    """Duration from the movie header box (ISO/IEC 14496-12 8.2.2 mvhd); 0 if absent."""
    at = data.find(b"mvhd")
    if at < 4:
        return 0.0
    version = data[at + 4]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[at + 24 : at + 36])
    else:
        timescale, duration = struct.unpack(">II", data[at + 16 : at + 24])
    return duration / timescale if timescale else 0.0


def _head_and_tail(upload) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(1024 * 1024)
    size = upload.size
    if size > len(head):
        upload.seek(max(size - 1024 * 1024, 0))
        tail = upload.read()
    else:
        tail = b""
    upload.seek(0)
    return head, tail


def store_video(upload, *, max_bytes: int = MAX_VIDEO_BYTES) -> tuple[str, str, int, float]:
    """(storage name, content type, size, seconds) of an accepted video."""
    if upload.size > max_bytes:
        raise ValidationFailed(
            {
                "video": _("The video is too large (at most %(mb)d MB).")
                % {"mb": max_bytes // 1_048_576}
            }
        )
    head, tail = _head_and_tail(upload)
    kind = sniff_video(head)
    if kind not in VIDEO_TYPES:
        raise ValidationFailed({"video": _("Upload an MP4 or WebM video.")})
    seconds = (mp4_seconds(head) or mp4_seconds(tail)) if kind == "mp4" else 0.0
    name = default_storage.save(f"briefing-videos/{secrets.token_hex(16)}.{kind}", upload)
    return name, VIDEO_TYPES[kind], upload.size, seconds


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single range; None for no or an unsatisfiable range."""
    match = _RANGE.match((header or "").strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":
        if last == "":
            return None
        length = min(int(last), size)
        return (size - length, size - 1) if length else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end and start < size else None


def _stream(name: str, start: int, length: int):
    with default_storage.open(name, "rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            block = handle.read(min(CHUNK, left))
            if not block:
                break
            left -= len(block)
            yield block


def ranged_response(request, name: str, content_type: str, size: int):
    """200 with the whole file, 206 with the asked range, 416 when it cannot be met."""
    header = request.headers.get("Range", "")
    if header and parse_range(header, size) is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = parse_range(header, size) or (0, size - 1)
    length = last - first + 1 if size else 0
    response = StreamingHttpResponse(_stream(name, first, length), content_type=content_type)
    if header:
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
