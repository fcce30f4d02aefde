"""Huey tasks, thin: daily expiry notices (07:30 Asia/Shanghai), attendance copied from
the gate each minute, standings recomputed after a checklist or course change."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from safework.core.actors import Actor
from safework.core.clock import today
from safework.tasks import local_crontab


@db_periodic_task(local_crontab(minute="30", hour="7"))
@lock_task("contractors-notices")
def expiry_notices_daily():
    from .services import expiry_notices

    expiry_notices(on=today(), actor=Actor.system("contractors-notices"))


@db_periodic_task(crontab(minute="*"))
def attendance_sync_periodic():
    from .services import attendance_sync

    while attendance_sync():
        pass


@db_task()
def refresh_site_workers(site_id: int):
    from .selectors import workers_at_site
    from .services.refresh import refresh_many

    refresh_many(workers_at_site(site_id))


@db_task()
def refresh_all_workers():
    from .models import ContractorWorker
    from .services.refresh import refresh_many

    refresh_many(ContractorWorker.objects.filter(subject=True).iterator(chunk_size=500))
