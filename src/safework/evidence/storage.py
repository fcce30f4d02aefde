"""Where evidence files are kept: the default storage (not served publicly; pages serve
them after the permission gate), under evidence/<kind>/<permit id>/."""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d-%H%M%S")


def keyframe_name(permit_id: int, camera_id: int, taken_at: datetime) -> str:
    return f"evidence/keyframes/{permit_id}/{_stamp(taken_at)}-cam{camera_id}.jpg"


def segment_name(permit_id: int, camera_id: int, started_at: datetime) -> str:
    return f"evidence/segments/{permit_id}/{_stamp(started_at)}-cam{camera_id}.mp4"


def pack_name(permit_number: str, pack_id: int) -> str:
    return f"evidence/packs/{permit_number}-pack{pack_id}.zip"


def save_bytes(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


def delete_quietly(name: str) -> None:
    """After the commit that removed the row: a file already gone is not an error."""
    if name:
        with contextlib.suppress(OSError):
            default_storage.delete(name)
