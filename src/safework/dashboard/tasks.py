"""Scheduled work of the dashboard (thin: each calls one service)."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from safework.tasks import local_crontab


@db_periodic_task(local_crontab(minute="0", hour="10"))
@lock_task("dashboard-snapshot")
def compliance_snapshot_task():
    """Mid-morning, when the day shift is on site: the day's compliance snapshot."""
    from .snapshots import snapshot_take

    snapshot_take()
