"""Carrying out a plan: every person and certificate of the file written in the caller's
transaction, in bulk (a 50,000-row ledger in seconds, not one service call per row), with
the services' storage rules (encrypted ID numbers, masked ID-bearing certificate numbers).
On PostgreSQL the new rows go in by COPY, with ids drawn from the table's sequence first
(bulk_create spends most of its time preparing each field of each object).

Audit: an update of an existing person or certificate gets its own entry with the
before/after of the fields (as the services write them); what the import created is listed
in LedgerImportRow, and the import's own entry carries a SHA-256 of that list, so the
hash-chained trail vouches for it."""

from __future__ import annotations

import hashlib
import json

from django.db import connections, router
from django.utils import timezone
from psycopg import sql

from safework.audit.services import audit_record, diff
from safework.core import crypto
from safework.core.actors import Actor
from safework.people.models import Person

from .. import numbers
from ..models import Certificate, LedgerImport, LedgerImportRow
from .plan import CertificatePlan, PersonPlan, Plan

BATCH = 1000


def carry_out(*, actor: Actor, plan: Plan, ledger_import: LedgerImport) -> str:
    """Write the plan; return the SHA-256 of the import's row list."""
    people = list(plan.people.values())
    new_people = [p for p in people if p.existing is None]
    changed_people = [p for p in people if p.existing is not None and p.changes]
    new_certs = [c for c in plan.certificates if c.existing is None]
    changed_certs = [c for c in plan.certificates if c.existing is not None and c.changes]
    _create_people(new_people)
    _update_people(actor, changed_people)
    _add_items(people)
    _create_certificates(new_certs)
    _update_certificates(actor, changed_certs)
    return _record_rows(plan, ledger_import)


def _batches(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _create_people(plans: list[PersonPlan]) -> None:
    """In batches, keeping only the new ids: the model instances are let go at once."""
    for batch in _batches(plans):
        people = [_new_person(plan) for plan in batch]
        _insert(Person, people)
        for plan, person in zip(batch, people, strict=True):
            plan.pk = person.pk


def _insert(model, objs: list) -> None:
    """bulk_create, setting each object's pk; on PostgreSQL by COPY."""
    db = connections[router.db_for_write(model)]
    if db.vendor != "postgresql" or not objs:
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    # Values psycopg takes as they are; the rest (JSON, auto_now) as Django prepares them.
    plain = [f.get_internal_type() in _PLAIN and not _auto_now(f) for f in fields]
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table),
            sql.SQL(", ").join(sql.Identifier(f.column) for f in [meta.pk, *fields]),
        )
        with cursor.cursor.copy(copy) as out:
            for obj in objs:
                out.write_row(
                    [obj.pk]
                    + [
                        getattr(obj, f.attname)
                        if p
                        else f.get_db_prep_save(f.pre_save(obj, True), db)
                        for f, p in zip(fields, plain, strict=True)
                    ]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, db.alias


_PLAIN = {
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "TextField",
}


def _auto_now(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _new_person(plan: PersonPlan) -> Person:
    resident = plan.row.resident
    return Person(
        name=plan.row.name,
        phone=plan.changes["phone"][1],
        organization_id=plan.organization.pk,
        id_number_encrypted=crypto.encrypt(resident.number),
        id_number_hash=plan.key,
        id_number_masked=resident.masked,
        birth_date=resident.birth_date,
        sex=resident.sex,
    )


def _update_people(actor: Actor, plans: list[PersonPlan]) -> None:
    now = timezone.now()
    for plan in plans:
        person = plan.existing
        for f, (_before, after) in plan.changes.items():
            setattr(person, "organization_id" if f == "organization" else f, after)
        person.updated_at = now
        audit_record(actor=actor, action="update", obj=person, changes=_diff(plan.changes))
    fields = ["name", "phone", "organization", "updated_at"]
    Person.objects.bulk_update([p.existing for p in plans], fields, batch_size=BATCH)


def _add_items(plans: list[PersonPlan]) -> None:
    """A new person's items are new; an existing person's may have been added since the
    plan read them (ignored then)."""
    through = Person.special_operations.through
    for existing in (False, True):
        links = [
            through(person_id=p.pk, certificatetype_id=t.pk)
            for p in plans
            if (p.existing is not None) == existing
            for t in p.add_types
        ]
        if existing:
            through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        else:
            for batch in _batches(links):
                _insert(through, batch)


def _create_certificates(plans: list[CertificatePlan]) -> None:
    for batch in _batches(plans):
        certs = [_new_certificate(plan) for plan in batch]
        _insert(Certificate, certs)
        for plan, cert in zip(batch, certs, strict=True):
            plan.pk = cert.pk


def _new_certificate(plan: CertificatePlan) -> Certificate:
    values = plan.values
    stored = numbers.protect(values["number"], plan.row.resident.number)
    return Certificate(
        person_id=plan.person.pk,
        type=values["type"],
        number=stored.number,
        number_hash=stored.number_hash,
        number_is_id_number=stored.is_id_number,
        **{f: values[f] for f in _CERT_VALUES},
    )


_CERT_VALUES = ("issued_by", "first_issued_on", "valid_from", "valid_until", "next_review_due")


def _update_certificates(actor: Actor, plans: list[CertificatePlan]) -> None:
    now = timezone.now()
    for plan in plans:
        cert = plan.existing
        for f, (_before, after) in plan.changes.items():
            setattr(cert, f, after)
        cert.updated_at = now
        audit_record(actor=actor, action="update", obj=cert, changes=_diff(plan.changes))
    fields = [*_CERT_VALUES, "updated_at"]
    Certificate.objects.bulk_update([p.existing for p in plans], fields, batch_size=BATCH)


def _diff(changes: dict) -> dict:
    return diff({k: v[0] for k, v in changes.items()}, {k: v[1] for k, v in changes.items()})


def _record_rows(plan: Plan, ledger_import: LedgerImport) -> str:
    """The row list in batches, hashed as it is written."""
    digest = hashlib.sha256()
    digest.update(b"[")
    first = True
    for batch in _batches(plan.outcomes):
        rows = [
            LedgerImportRow(
                ledger_import_id=ledger_import.pk,
                sheet=o.sheet[:100],
                row=o.row,
                action=o.action,
                person_id=o.person.pk,
                certificate_id=o.certificate.pk if o.certificate else None,
            )
            for o in batch
        ]
        _insert(LedgerImportRow, rows)
        for r in rows:
            item = [r.sheet, r.row, r.action, r.person_id, r.certificate_id]
            digest.update((b"" if first else b", ") + json.dumps(item, ensure_ascii=False).encode())
            first = False
    digest.update(b"]")
    return digest.hexdigest()
