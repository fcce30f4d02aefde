"""The admission checklist per site and kind of worker (owner's safety managers)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core.access import require_owner_admin
from safework.core.actors import Actor
from safework.core.errors import Conflict, ValidationFailed

from ..choices import EXPIRING_KINDS, DocumentKind, WorkerKind
from ..models import ChecklistItem
from .enrolment import control_sync

FIELDS = ("site", "worker_kind", "kind", "name", "expires", "file_required", "is_active")


def _clean(data: dict) -> dict:
    errors = {}
    if data.get("worker_kind") not in WorkerKind.values:
        errors["worker_kind"] = _("Choose the kind of worker.")
    if data.get("kind") not in DocumentKind.values:
        errors["kind"] = _("Choose the document.")
    name = (data.get("name") or "").strip()
    if data.get("kind") == DocumentKind.CUSTOM and not name:
        errors["name"] = _("Give the custom item a name.")
    if errors:
        raise ValidationFailed(errors)
    data["name"] = name if data["kind"] == DocumentKind.CUSTOM else ""
    if data["kind"] in EXPIRING_KINDS:
        data["expires"] = True  # issue 7: insurance with its valid-until date
    return data


@transaction.atomic
def checklist_item_save(
    *, actor: Actor, item: ChecklistItem | None = None, **data
) -> ChecklistItem:
    require_owner_admin(actor)
    current = {f: getattr(item, f) for f in FIELDS} if item else {}
    data = _clean({**current, **data})
    item = item or ChecklistItem()
    for f in FIELDS:
        if f in data:
            setattr(item, f, data[f])
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise Conflict({"kind": _("This site already requires this document.")}) from None
    changes = diff(current, {f: getattr(item, f) for f in FIELDS})
    audit_record(actor=actor, action="checklist.save", obj=item, changes=changes)
    _after_change(item.site_id)
    return item


def _after_change(site_id: int) -> None:
    """Control may have come into (or gone out of) force; the site's workers' standing
    changes with its checklist: recomputed after commit by a task."""
    from ..tasks import refresh_site_workers

    control_sync()
    transaction.on_commit(lambda: refresh_site_workers(site_id))
