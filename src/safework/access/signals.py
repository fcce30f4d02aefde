"""Change capture for the allowlist: saves of other apps' models that can change who may
enter mark the people concerned dirty, in the saving transaction. No rule lives here;
the refresh recomputes with the rules. Bulk updates bypass signals: the nightly
reconciliation catches those."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from safework.certificates.models import Certificate
from safework.core.models import Site, WorkArea
from safework.people.models import Person

from .allowlist import mark_dirty


def _person_changed(sender, instance, **kwargs):
    mark_dirty(person_ids=[instance.pk])


def _certificate_changed(sender, instance, **kwargs):
    mark_dirty(person_ids=[instance.person_id])


def _operations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    people = (pk_set or []) if reverse else [instance.pk]
    mark_dirty(person_ids=people)


def _area_changed(sender, instance, **kwargs):
    mark_dirty(area_ids=[instance.pk])


def _site_changed(sender, instance, **kwargs):
    mark_dirty(area_ids=instance.work_areas.values_list("id", flat=True))


def connect() -> None:
    uid = "safework.access"
    post_save.connect(_person_changed, sender=Person, dispatch_uid=f"{uid}.person")
    post_delete.connect(_person_changed, sender=Person, dispatch_uid=f"{uid}.person_del")
    post_save.connect(_certificate_changed, sender=Certificate, dispatch_uid=f"{uid}.cert")
    post_delete.connect(_certificate_changed, sender=Certificate, dispatch_uid=f"{uid}.cert_del")
    m2m_changed.connect(
        _operations_changed,
        sender=Person.special_operations.through,
        dispatch_uid=f"{uid}.operations",
    )
    post_save.connect(_area_changed, sender=WorkArea, dispatch_uid=f"{uid}.area")
    post_save.connect(_site_changed, sender=Site, dispatch_uid=f"{uid}.site")
