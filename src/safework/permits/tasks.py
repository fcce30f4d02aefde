"""Scheduled permit jobs (thin: each calls one service)."""

from huey.contrib.djhuey import db_periodic_task

from safework.tasks import local_crontab


@db_periodic_task(local_crontab(minute="*"))
def permits_expire_task():
    """4.16: past validity, a permit stops."""
    from .services import permits_expire_due

    return permits_expire_due()


@db_periodic_task(local_crontab(minute="*/5"))
def confined_readings_task():
    """6.5: an overdue confined-space reading alerts the guardian and safety managers."""
    from .services.monitoring import confined_readings_alert

    return confined_readings_alert()


@db_periodic_task(local_crontab(minute="1", hour="0"))
def permits_daily_check_task():
    """At the start of each day every person on a running permit is checked again."""
    from .choices import ACTIVE_STATUSES
    from .models import Permit
    from .services import permit_daily_check

    suspended = 0
    for permit in Permit.objects.filter(status__in=ACTIVE_STATUSES).only("pk"):
        suspended += permit_daily_check(permit=permit)
    return suspended
