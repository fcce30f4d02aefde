"""Scheduled allowlist work (thin: the logic is in ``allowlist``). Neither task is needed
for a correct answer, since every allowlist read does due work first; they keep pushes
timely when no controller is polling, and reconcile nightly what no mark announced."""

from datetime import timedelta

from django.utils import timezone
from huey.contrib.djhuey import db_periodic_task

from safework.tasks import local_crontab

from . import allowlist

TOMBSTONE_DAYS = 30


@db_periodic_task(local_crontab(minute="*"))
def allowlist_refresh():
    allowlist.refresh_pending()


@db_periodic_task(local_crontab(minute="3", hour="0"))
def allowlist_reconcile():
    allowlist.reconcile()
    allowlist.purge(before=timezone.now() - timedelta(days=TOMBSTONE_DAYS))
