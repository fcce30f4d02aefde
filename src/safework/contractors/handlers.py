"""Connections made at start-up: the approval engine's outcome for admissions, and every
saved person enrolled (a contractor's person gets their admission row however they were
registered)."""

from __future__ import annotations

from django.db.models.signals import post_save

from safework.approvals import registry
from safework.people.models import Person

from .choices import ADMISSION_KIND


def _person_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .services.enrolment import enrol

    enrol(instance)


def _admission_decided(*, instance, actor):
    from .services.admissions import on_admission_decided

    on_admission_decided(instance=instance, actor=actor)


def connect() -> None:
    registry.register(ADMISSION_KIND, _admission_decided)
    post_save.connect(_person_saved, sender=Person, dispatch_uid="contractors.enrol")
