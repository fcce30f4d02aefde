"""Huey tasks, thin: the 08:00 scan (Asia/Shanghai) and the outbox worker, polling each
minute and woken right after a commit that enqueued something."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from safework.core.actors import Actor
from safework.core.clock import today
from safework.tasks import local_crontab

from .delivery import deliver_due
from .services import scan_expiry


@db_periodic_task(local_crontab(minute="0", hour="8"))
@lock_task("alerts-scan")
def scan_expiry_daily():
    scan_expiry(on=today(), actor=Actor.system("scan-expiry"))


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_periodic():
    deliver_due()


@db_task()
def deliver_outbox_task():
    deliver_due()
