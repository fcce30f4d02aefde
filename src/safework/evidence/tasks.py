"""Evidence jobs (thin: each calls one service). Keyframes are checked every minute and
taken when a camera's last frame of a permit is EVIDENCE_KEYFRAME_INTERVAL_MINUTES old."""

from huey.contrib.djhuey import db_periodic_task, db_task

from safework.tasks import huey, local_crontab

# A slow camera (timeouts) can make a run outlast the minute; the next run then skips
# instead of reading the same cameras twice.
KEYFRAMES_LOCK = "evidence-keyframes"
RECORDINGS_LOCK = "evidence-recordings-start"


@db_periodic_task(local_crontab(minute="*"))
def keyframes_task():
    from .services import keyframes_capture

    with huey.lock_task(KEYFRAMES_LOCK):
        return keyframes_capture()


@db_periodic_task(local_crontab(minute="*"))
def recordings_start_task():
    """5.2.11: 特级 hot work is filmed throughout; start a recorder where none runs."""
    from .services import recordings_start

    with huey.lock_task(RECORDINGS_LOCK):
        pairs = recordings_start()
    for camera_id, permit_id in pairs:
        segments_task(camera_id, permit_id)


@db_task()
def segments_task(camera_id: int, permit_id: int):
    from safework.permits.models import Permit

    from .models import Camera
    from .services.segments import segments_run

    camera, permit = Camera.objects.get(pk=camera_id), Permit.objects.get(pk=permit_id)
    done, more = segments_run(camera=camera, permit=permit)
    if more:  # the next run right after, as its own task (the queue stays fair)
        segments_task.schedule((camera_id, permit_id), delay=1)
    return done


@db_task()
def pack_build_task(pack_id: int):
    from .services import pack_build

    return pack_build(pack_id=pack_id).state


@db_periodic_task(local_crontab(minute="*/5"))
def packs_sweep_task():
    """Packages whose task was lost or whose build was cut off are queued again."""
    from .services import packs_sweep

    return packs_sweep()


@db_periodic_task(local_crontab(minute="30", hour="3"))
def evidence_purge_task():
    """B.3 retention: delete what is past it, and record what was deleted."""
    from .services import evidence_purge

    return evidence_purge()
