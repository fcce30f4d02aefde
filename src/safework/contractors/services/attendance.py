"""Site attendance: entries and exits copied from the gate events (allowed passages at a
site's gates) and recorded by hand at a kiosk page."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.access.choices import Decision
from safework.access.models import GateEvent
from safework.audit.services import audit_record, diff
from safework.core.access import people_visible, require_write, sites_visible
from safework.core.actors import Actor
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Site
from safework.people.models import Person

from ..choices import AttendanceSource, Direction
from ..models import AttendanceCursor, AttendanceRecord

BATCH = 5000
# Gate events get their id when inserted but become visible at commit, and a gate check
# commits after its audit entry (which waits its turn): a lower id can appear after a
# higher one was copied. Each run looks this many ids back for passages not yet copied.
LOOKBACK = 1000


@transaction.atomic
def attendance_sync() -> int:
    """Copy the allowed gate passages not copied yet (from a little behind the last one
    copied); safe to run at any time and from several processes (the cursor row is
    locked; a passage is copied once). Returns how many it copied."""
    AttendanceCursor.objects.get_or_create(pk=1)
    cursor = AttendanceCursor.objects.select_for_update().get(pk=1)
    copied = AttendanceRecord.objects.filter(gate_event_id=OuterRef("pk"))
    events = list(
        GateEvent.objects.filter(
            pk__gt=cursor.last_event_id - LOOKBACK, decision=Decision.ALLOW,
            site__isnull=False, person__isnull=False,
        ).exclude(Exists(copied))
        .order_by("pk").values("pk", "person_id", "site_id", "direction", "at", "actor")[:BATCH]
    )  # fmt: skip
    if not events:
        return 0
    AttendanceRecord.objects.bulk_create(
        [
            AttendanceRecord(
                person_id=e["person_id"],
                site_id=e["site_id"],
                at=e["at"],
                direction=e["direction"],
                source=AttendanceSource.GATE,
                gate_event_id=e["pk"],
                recorded_by=e["actor"][:150],
            )  # fmt: skip
            for e in events
        ],
        ignore_conflicts=True,
    )
    cursor.last_event_id = max(cursor.last_event_id, events[-1]["pk"])
    cursor.save(update_fields=["last_event_id"])
    return len(events)


@transaction.atomic
def kiosk_record(
    *, actor: Actor, person: Person, site: Site, direction: str, at: datetime | None = None
) -> AttendanceRecord:
    """An entry or exit recorded by hand (a kiosk at a site without gates)."""
    require_write(actor)
    if direction not in Direction.values:
        raise ValidationFailed({"direction": _("Choose entry or exit.")})
    if not people_visible(Person.objects.filter(pk=person.pk), actor).exists():
        raise NotAllowed(_("This person is outside your scope."))
    if not sites_visible(Site.objects.filter(pk=site.pk), actor).exists():
        raise NotAllowed(_("This site is outside your scope."))
    record = AttendanceRecord.objects.create(
        person=person, site=site, direction=direction, at=at or timezone.now(),
        source=AttendanceSource.KIOSK, recorded_by=actor.label[:150],
    )  # fmt: skip
    after = {"person": person.pk, "site": site.pk, "direction": direction, "at": record.at}
    audit_record(actor=actor, action="attendance.kiosk", obj=record, changes=diff({}, after))
    return record
