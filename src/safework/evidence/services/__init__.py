"""Write services of the evidence (STYLE.md 1-3): each atomic, audit-logged, notified in
its own transaction. Camera reads and package building run outside transactions (they
take seconds); what they produce is written in short ones."""

from .cameras import camera_create, camera_failed, camera_succeeded, camera_update
from .keyframes import keyframes_capture
from .packs import pack_build, pack_request, packs_sweep
from .retention import evidence_purge
from .segments import recordings_start, segment_record

__all__ = [
    "camera_create",
    "camera_failed",
    "camera_succeeded",
    "camera_update",
    "evidence_purge",
    "keyframes_capture",
    "pack_build",
    "pack_request",
    "packs_sweep",
    "recordings_start",
    "segment_record",
]
