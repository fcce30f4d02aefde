"""Fixtures of the evidence tests: the permit fixtures (site, geofenced area, qualified
people, approvers, a fixed clock), a generated video file, a local MJPEG HTTP stream
(multipart/x-mixed-replace) served by the test, and permits driven to in progress or
closed through the permit services."""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from tests.permits import conftest as permit_fixtures

from .helpers import close, running

# The permit tests' fixtures: a site with a geofenced area, qualified people, approvers.
owner, area, people = permit_fixtures.owner, permit_fixtures.area, permit_fixtures.people
clock, area_head = permit_fixtures.clock, permit_fixtures.area_head
approvers = permit_fixtures.approvers


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Evidence files of each test in its own directory (the storage follows the setting)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def frame_image(i: int, width=320, height=240):
    """A frame that differs per index (a moving bar), so hashes differ."""
    image = np.full((height, width, 3), 40, np.uint8)
    x = (i * 13) % (width - 20)
    image[:, x : x + 20] = (0, 0, 255)
    cv2.putText(image, str(i), (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1, (255, 255, 255), 2)
    return image


@pytest.fixture
def video_file(tmp_path):
    """Four seconds of 10 fps video, written with cv2.VideoWriter."""
    path = tmp_path / "camera.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(40):
        writer.write(frame_image(i))
    writer.release()
    return str(path)


class MjpegHandler(BaseHTTPRequestHandler):
    fps = 20

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        i = 0
        try:
            while not self.server.stopping:
                ok, buffer = cv2.imencode(".jpg", frame_image(i))
                data = buffer.tobytes()
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n")
                self.wfile.write(b"Content-Length: %d\r\n\r\n" % len(data) + data + b"\r\n")
                i += 1
                time.sleep(1 / self.fps)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def mjpeg_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), MjpegHandler)
    server.stopping = False
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/stream.mjpg"
    server.stopping = True
    server.shutdown()
    server.server_close()


@pytest.fixture
def permit(manager, approvers, area, people, clock):
    """A hot-work permit (一级) in progress."""
    return running(manager, approvers, area, people, clock)


@pytest.fixture
def closed_permit(manager, permit, clock):
    return close(manager, permit, clock + timedelta(hours=2))
