"""Ledger import services (issue 3): preview (dry run) and commit, each recorded as a
LedgerImport with who, when, the file's SHA-256 and the counts, and each audited in its
own transaction. A commit is all-or-nothing: one bad row and nothing is written."""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.audit.services import audit_record
from safework.core.access import organizations_visible, require_write, scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Organization

from ..models import CertificateType, LedgerImport
from . import commit, reader, storage
from .items import ItemMatcher
from .plan import Plan, make_plan
from .rows import LedgerRow, RowError, read_sheet

MAX_STORED_ERRORS = 20_000


@dataclass
class Parsed:
    rows: list[LedgerRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unmapped: list[dict] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    empty_rows: int = 0


def parse_file(data: bytes, *, file_name: str = "") -> Parsed:
    """Every sheet with a recognisable header, parsed; file-level problems raise
    ValidationFailed on the field ``file``."""
    matcher = ItemMatcher(CertificateType.objects.filter(is_active=True))
    parsed = Parsed()
    try:
        for sheet in reader.sheets(data, csv_name=PurePath(file_name).stem or "CSV"):
            _add_sheet(parsed, read_sheet(sheet, matcher))
    except reader.LedgerFileError as exc:
        raise ValidationFailed({"file": exc.message}) from None
    if not parsed.sheets:
        raise ValidationFailed(
            {
                "file": _(
                    "No sheet has a header row with at least the name or ID number column "
                    "(姓名, 身份证号) and two more known columns."
                )
            }
        )
    return parsed


def _add_sheet(parsed: Parsed, result) -> None:
    if result.header is None:
        parsed.skipped_sheets.append(result.name)
        return
    parsed.sheets.append(result.name)
    parsed.rows.extend(result.rows)
    parsed.errors.extend(result.errors)
    parsed.empty_rows += result.empty_rows
    parsed.unmapped.extend({"sheet": result.name, "column": c} for c in result.header.unmapped)


@contextmanager
def collector_paused():
    """The cyclic garbage collector off while a ledger is read, planned and written: the
    rows and plans of a large file are hundreds of thousands of live objects that every
    collection pass would walk again (a third of the import's time at 10,000 rows); what
    the import lets go of is freed by reference counting. Turned back on only by the
    call that turned it off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_importer(actor: Actor) -> None:
    """Safety managers and contractor admins import; an area head's people must be at
    their sites, which a ledger does not say."""
    require_write(actor)
    if actor.role not in {Role.SAFETY_MANAGER, Role.CONTRACTOR_ADMIN}:
        raise NotAllowed(_("Only safety managers and contractor admins can import ledgers."))


def default_organization(actor: Actor, organization: Organization | None):
    if organization is None and actor.role == Role.CONTRACTOR_ADMIN:
        return Organization.objects.filter(pk=actor.organization_id).first()
    if organization is not None:
        visible = organizations_visible(Organization.objects.filter(pk=organization.pk), actor)
        if not visible.exists():
            raise ValidationFailed(
                {"organization": _("You cannot import people into this organization.")}
            )
    return organization


def _plan(actor: Actor, data: bytes, file_name: str, organization) -> tuple[Parsed, Plan]:
    parsed = parse_file(data, file_name=file_name)
    plan = make_plan(actor=actor, rows=parsed.rows, default_organization=organization)
    plan.errors = _sorted(parsed, parsed.errors + plan.errors)
    return parsed, plan


def _sorted(parsed: Parsed, errors: list[RowError]) -> list[RowError]:
    order = {name: i for i, name in enumerate(parsed.sheets)}
    return sorted(errors, key=lambda e: (order.get(e.sheet, 0), e.row))


def _counts(parsed: Parsed, plan: Plan) -> dict:
    return {
        **plan.counts(),
        "empty_rows": parsed.empty_rows,
        "sheets": parsed.sheets,
        "skipped_sheets": parsed.skipped_sheets,
    }


def _store(data: bytes, file_name: str) -> str:
    return storage.store(data, reader.file_kind(data))


def _fill(record: LedgerImport, parsed: Parsed, plan: Plan) -> None:
    record.counts = _counts(parsed, plan)
    record.errors = [e.as_dict() for e in plan.errors[:MAX_STORED_ERRORS]]
    record.unmapped_columns = parsed.unmapped


def _new_record(actor: Actor, data: bytes, file_name: str, organization) -> LedgerImport:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return LedgerImport(
        created_by=user,
        actor=actor.label[:150],
        scope_organization_id=None if actor.sees_everything else actor.organization_id,
        organization=organization,
        file_name=PurePath(file_name).name[:200] or "ledger",
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        stored_file=_store(data, file_name),
        state=LedgerImport.State.PREVIEW,
    )


@collector_paused()
@transaction.atomic
def ledger_preview(
    *, actor: Actor, data: bytes, file_name: str, organization: Organization | None = None
) -> LedgerImport:
    """The dry run: parse, plan, record; nothing in the register changes."""
    check_importer(actor)
    organization = default_organization(actor, organization)
    parsed, plan = _plan(actor, data, file_name, organization)
    record = _new_record(actor, data, file_name, organization)
    _fill(record, parsed, plan)
    record.save()
    audit_record(actor=actor, action="ledger_preview", obj=record, changes=_summary(record))
    return record


def _summary(record: LedgerImport) -> dict:
    keep = ("rows", "created", "updated", "unchanged", "errors")
    counts = {k: record.counts.get(k) for k in keep}
    return {"file_sha256": record.file_sha256, "file_name": record.file_name, **counts}


@collector_paused()
def ledger_commit(*, actor: Actor, ledger_import: LedgerImport) -> LedgerImport:
    """Plan again from the stored file inside one transaction and write it all, or, with
    any error, nothing (the import is then marked refused, with its errors)."""
    check_importer(actor)
    try:
        with transaction.atomic():
            record = LedgerImport.objects.select_for_update().get(pk=ledger_import.pk)
            return _commit_locked(actor, record)
    except IntegrityError:
        # Someone registered the same person or number between plan and write.
        raise ValidationFailed({"file": _changed_message()}) from None


def _commit_locked(actor: Actor, record: LedgerImport) -> LedgerImport:
    if record.state != LedgerImport.State.PREVIEW:
        raise ValidationFailed({"file": _("This import has already been carried out or refused.")})
    data = storage.load(record.stored_file)
    parsed, plan = _plan(actor, data, record.file_name, record.organization)
    return _finish(actor, record, parsed, plan)


def _finish(actor: Actor, record: LedgerImport, parsed: Parsed, plan: Plan) -> LedgerImport:
    """Inside the caller's transaction: write everything, or with any error nothing."""
    _fill(record, parsed, plan)
    if plan.errors:
        record.state = LedgerImport.State.REFUSED
        record.save()
        audit_record(actor=actor, action="ledger_refused", obj=record, changes=_summary(record))
        return record
    record.state, record.committed_at = LedgerImport.State.COMMITTED, timezone.now()
    record.save()
    rows_sha256 = commit.carry_out(actor=actor, plan=plan, ledger_import=record)
    changes = {**_summary(record), **_created(record), "rows_sha256": rows_sha256}
    audit_record(actor=actor, action="ledger_import", obj=record, changes=changes)
    return record


def _created(record: LedgerImport) -> dict:
    keys = ("people_created", "people_updated", "certificates_created", "certificates_updated")
    return {k: record.counts.get(k, 0) for k in keys}


@collector_paused()
def ledger_import_file(
    *,
    actor: Actor,
    data: bytes,
    file_name: str,
    organization: Organization | None = None,
    dry_run: bool = True,
) -> LedgerImport:
    """The API's and the command's one call: a dry run records a preview; otherwise the
    file is planned and written in one transaction (refused, and recorded so, on any
    error)."""
    if dry_run:
        return ledger_preview(
            actor=actor, data=data, file_name=file_name, organization=organization
        )
    check_importer(actor)
    organization = default_organization(actor, organization)
    try:
        with transaction.atomic():
            parsed, plan = _plan(actor, data, file_name, organization)
            record = _new_record(actor, data, file_name, organization)
            return _finish(actor, record, parsed, plan)
    except IntegrityError:
        raise ValidationFailed({"file": _changed_message()}) from None


def _changed_message() -> str:
    return _("The register changed during the import; preview the file again.")


def ledger_import_list(*, actor: Actor) -> QuerySet[LedgerImport]:
    qs = LedgerImport.objects.select_related("organization", "created_by")
    if actor.sees_everything:
        return qs
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(scope_organization_id__in=scope_organization_ids(actor))
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return qs.filter(created_by=user, scope_organization__isnull=True) if user else qs.none()
