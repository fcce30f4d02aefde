"""Reading cameras with OpenCV: one frame as JPEG (a keyframe), or a short piece of video
written with cv2.VideoWriter (continuous recording of 特级 hot work, GB 30871-2022 5.2.11).

A source is whatever ``cv2.VideoCapture`` opens: an RTSP or HTTP stream (MJPEG, H.264…)
or a video file path. No Django here: the services store what these functions return."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import cv2

JPEG_QUALITY = 90
# Streams start with a few undecodable or stale frames; a file source is read at its start.
WARMUP_READS = 2


class CameraError(Exception):
    """The camera could not be read: ``code`` says what failed (the services word it for
    people), ``source`` is the source without its password."""

    MESSAGES = {
        "cannot_open": "cannot open {source}",
        "no_frame": "no frame from {source}",
        "encode_failed": "the frame could not be encoded as JPEG",
        "write_failed": "the video file could not be written",
    }

    def __init__(self, code: str, source: str = ""):
        self.code, self.source = code, redact(source)
        super().__init__(self.MESSAGES[code].format(source=self.source))


@dataclass(frozen=True)
class Frame:
    jpeg: bytes
    sha256: str
    width: int
    height: int


def open_source(source: str, timeout_s: float) -> cv2.VideoCapture:
    ms = int(timeout_s * 1000)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
    capture = cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    if not capture.isOpened():
        capture.release()
        raise CameraError("cannot_open", source)
    return capture


def redact(source: str) -> str:
    """A stream URL without its password (rtsp://user:secret@host → rtsp://user:***@host)."""
    scheme, sep, rest = source.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return source
    credentials, host = rest.split("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def grab_frame(source: str, *, timeout_s: float = 10) -> Frame:
    capture = open_source(source, timeout_s)
    try:
        image = None
        for _ in range(1 if _is_file(source) else WARMUP_READS):
            ok, candidate = capture.read()
            if ok and candidate is not None:
                image = candidate
        if image is None:
            raise CameraError("no_frame", source)
    finally:
        capture.release()
    return encode(image)


def encode(image) -> Frame:
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise CameraError("encode_failed")
    data = buffer.tobytes()
    height, width = image.shape[:2]
    return Frame(data, hashlib.sha256(data).hexdigest(), width, height)


def _is_file(source: str) -> bool:
    return "://" not in source


@dataclass(frozen=True)
class Recording:
    frames: int
    seconds: float
    sha256: str
    size: int


def record(source: str, path: Path, *, seconds: float, timeout_s: float = 10) -> Recording:
    """Write ``seconds`` of video from ``source`` to ``path`` (MPEG-4, mp4v). A stream is
    read in real time; a file source gives at most ``seconds`` × its frame rate frames."""
    capture = open_source(source, timeout_s)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        fps = fps if 1 <= fps <= 60 else 10.0
        frames = _write(capture, path, fps=fps, limit=max(1, int(seconds * fps)), seconds=seconds)
    finally:
        capture.release()
    if frames == 0:
        path.unlink(missing_ok=True)
        raise CameraError("no_frame", source)
    digest, size = file_sha256(path)
    return Recording(frames, frames / fps, digest, size)


def _write(capture, path: Path, *, fps: float, limit: int, seconds: float) -> int:
    writer, frames, deadline = None, 0, time.monotonic() + seconds
    try:
        while frames < limit and time.monotonic() < deadline:
            ok, image = capture.read()
            if not ok or image is None:
                break
            if writer is None:
                writer = _writer(path, fps, image)
            writer.write(image)
            frames += 1
    finally:
        if writer is not None:
            writer.release()
    return frames


def _writer(path: Path, fps: float, image) -> cv2.VideoWriter:
    height, width = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise CameraError("write_failed")
    return writer


def file_sha256(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
