"""Scheduled work of the certificates app: the monthly re-verification of every active
certificate against each configured source (issue 3)."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from safework.tasks import local_crontab

from .verification.services import verification_run_all


# Daily: a new run once a month, and an unfinished one (source down, worker stopped)
# resumed from its cursor the next night.
@db_periodic_task(local_crontab(hour="2", minute="30"))
@lock_task("certificates-verification-run")
def reverify_monthly():
    """Rate-limited and resumable: an interrupted run continues from its cursor."""
    verification_run_all()
