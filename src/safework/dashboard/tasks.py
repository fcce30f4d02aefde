"""Scheduled work of the dashboard (thin: each calls one service)."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from safework.tasks import local_crontab


@db_periodic_task(local_crontab(minute="0", hour="10"))
@lock_task("dashboard-snapshot")
def compliance_snapshot_task():
    """Mid-morning, when the day shift is on site: the day's compliance snapshot."""
    from .snapshots import snapshot_take

    snapshot_take()


@db_periodic_task(local_crontab(minute="0", hour="6", day="1"))
@lock_task("dashboard-selfcheck")
def monthly_selfcheck_task():
    """On the first of each month: the self-check of the month just ended."""
    from datetime import timedelta

    from safework.core.actors import Actor
    from safework.core.clock import today

    from .services import selfcheck_run

    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    selfcheck_run(actor=Actor.system("dashboard.selfcheck"), month=last_month)


@db_periodic_task(local_crontab(minute="0", hour="7", day="1"))
@lock_task("dashboard-reports")
def periodic_reports_task():
    """On the first of each month (and quarter): the sites' reports, by email."""
    from .reports import reports_due

    reports_due()


@db_periodic_task(local_crontab(minute="15", hour="8"))
@lock_task("dashboard-plan-reminders")
def emergency_plan_reminders_task():
    from .services import emergency_plan_reminders

    emergency_plan_reminders()
