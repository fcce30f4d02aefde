from huey.contrib.djhuey import db_periodic_task

from safework.core.clock import today
from safework.tasks import local_crontab

from .anchors import anchor_create


@db_periodic_task(local_crontab(minute="5", hour="0"))
def daily_anchor():
    anchor_create(on=today())
