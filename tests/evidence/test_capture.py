"""Reading cameras with OpenCV: a generated video file and a local MJPEG HTTP stream."""

import hashlib

import cv2
import numpy as np
import pytest

from safework.evidence import capture


def test_a_frame_from_a_video_file(video_file):
    frame = capture.grab_frame(video_file, timeout_s=5)
    assert frame.jpeg.startswith(b"\xff\xd8\xff")
    assert frame.sha256 == hashlib.sha256(frame.jpeg).hexdigest()
    assert (frame.width, frame.height) == (320, 240)
    image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (240, 320, 3)


def test_a_frame_from_an_mjpeg_stream(mjpeg_url):
    frame = capture.grab_frame(mjpeg_url, timeout_s=5)
    assert (frame.width, frame.height) == (320, 240)


def test_a_missing_file_and_a_closed_port_are_errors(tmp_path):
    with pytest.raises(capture.CameraError, match="cannot open"):
        capture.grab_frame(str(tmp_path / "none.mp4"), timeout_s=2)
    with pytest.raises(capture.CameraError, match="cannot open"):
        capture.grab_frame("http://127.0.0.1:9/stream.mjpg", timeout_s=2)


def test_errors_never_show_a_stream_password():
    assert (
        capture.redact("rtsp://admin:s3cret@10.0.0.5:554/ch1")
        == "rtsp://admin:***@10.0.0.5:554/ch1"
    )
    assert capture.redact("/data/cam.mp4") == "/data/cam.mp4"
    with pytest.raises(capture.CameraError) as caught:
        capture.grab_frame("rtsp://admin:s3cret@127.0.0.1:9/ch1", timeout_s=2)
    assert "s3cret" not in str(caught.value)


def test_recording_a_segment_from_the_stream(mjpeg_url, tmp_path):
    path = tmp_path / "seg.mp4"
    result = capture.record(mjpeg_url, path, seconds=1.5, timeout_s=5)
    assert result.frames >= 5
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.size == path.stat().st_size
    reread = cv2.VideoCapture(str(path))
    assert reread.read()[0]
    reread.release()


def test_recording_from_a_file_takes_at_most_the_segment_length(video_file, tmp_path):
    result = capture.record(video_file, tmp_path / "seg.mp4", seconds=2, timeout_s=5)
    assert 1 <= result.frames <= 20  # 2 s at the file's 10 fps
