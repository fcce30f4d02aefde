"""The allowlist offline gate controllers sync (``GET /api/v1/gate/allowlist``).

Each person's entry is computed with the same rules as the gate check
(``decisions.permission``) and stored as the JSON it is served as. A refresh recomputes
a set of people, compares with what is stored and gives each changed entry the next
number of one counter (``AllowlistState.seq``): the changes since a cursor are then one
indexed range scan, and the full list one scan joining stored strings.

What triggers a refresh:

- writes that may change entries mark people dirty in the writer's transaction
  (``mark_dirty``; signals for other apps' models), processed right after commit and
  again before every allowlist read and by the minutely task;
- time: every entry records when it must be looked at again (``recheck_at``: a
  certificate lapsing or falling due for review, an authorisation ending or starting),
  so a midnight lapse appears in the feed with nobody touching a record;
- a nightly full reconciliation, for rules that do not say when they change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from safework.contractors.standing import admission_scope
from safework.core.models import WorkArea
from safework.people.models import Person

from . import tokens
from .decisions import AreaRule, Grant, permission_ahead
from .facts import with_facts
from .keys import ring
from .models import AllowlistDirty, AllowlistEntry, AllowlistState, AreaAuthorization
from .push import enqueue_changes

log = logging.getLogger(__name__)
CHUNK = 2000
# At most this many people are recomputed inside a web request (after a commit, before an
# allowlist read); a larger set (a whole organization authorised) is left to the
# minutely task, so no request waits for it. Time-driven work is always done.
REQUEST_LIMIT = 500


# --- marking ------------------------------------------------------------------------------


def mark_dirty(
    *,
    person_ids: Iterable[int] = (),
    organization_id: int | None = None,
    area_ids: Iterable[int] = (),
) -> None:
    """Record, in the caller's transaction, that these entries may have changed (the
    people, an organization's people, or the people authorised for these areas); they
    are recomputed once it commits (``refresh_pending``)."""
    rows = [AllowlistDirty(person_id=pk) for pk in set(person_ids)]
    rows += [AllowlistDirty(area_id=pk) for pk in set(area_ids)]
    if organization_id is not None:
        rows.append(AllowlistDirty(organization_id=organization_id))
    if rows:
        AllowlistDirty.objects.bulk_create(rows)
        _refresh_once_after_commit()


def _refresh_once_after_commit() -> None:
    """One refresh per transaction, however many saves it marked (an import of 2,000
    people must not queue 2,000 refreshes)."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(
        entry[1] is _refresh_after_commit for entry in conn.run_on_commit
    ):
        return
    transaction.on_commit(_refresh_after_commit, robust=True)


def _refresh_after_commit() -> None:
    refresh_pending(limit=REQUEST_LIMIT)


# --- computing one entry ----------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    person_id: int
    organization_id: int | None
    allowed: bool
    payload: str
    recheck_at: datetime | None
    photo_name: str
    photo_sha256: str


def photo_url(person_id: int) -> str:
    return f"/api/v1/gate/photos/{person_id}"


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _photo_hash(name: str, known: AllowlistEntry | None) -> str:
    if not name:
        return ""
    if known is not None and known.photo_name == name and known.photo_sha256:
        return known.photo_sha256
    try:
        with default_storage.open(name, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        log.warning("allowlist: photo %s of a person is missing", name)
        return ""


def _badge_hash(person) -> str | None:
    # Reverse one-to-one: the missing badge raises an AttributeError subclass.
    badge = getattr(person, "badge", None)
    if badge is None or badge.is_revoked or badge.key_id not in ring().keys:
        return None
    token = tokens.sign(ring(), key_id=badge.key_id, person_id=person.pk, version=badge.version)
    return tokens.token_hash(token)


def compute(person, grants: list[Grant], rules: list[AreaRule], now: datetime, known=None):
    on = timezone.localdate(now)
    allowed = permission_ahead(person, grants, rules, on)
    photo_sha = _photo_hash(person.photo, known)
    payload = {
        "person_id": person.pk,
        "name": person.name,
        "organization_id": person.organization_id,
        "allowed": bool(allowed.areas),
        "allowed_areas": list(allowed.areas),
        "allowed_until": _iso(allowed.allowed_until),
        "badge_hash": _badge_hash(person),
        "photo_url": photo_url(person.pk) if photo_sha else None,
        "photo_sha256": photo_sha or None,
    }
    return Computed(
        person.pk,
        person.organization_id,
        bool(allowed.areas),
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        allowed.recheck_at,
        person.photo if photo_sha else "",
        photo_sha,
    )


def removed(person_id: int) -> Computed:
    """The entry of a person who no longer exists."""
    payload = {
        "person_id": person_id,
        "name": "",
        "organization_id": None,
        "allowed": False,
        "allowed_areas": [],
        "allowed_until": None,
        "badge_hash": None,
        "photo_url": None,
        "photo_sha256": None,
    }
    text = json.dumps(payload, separators=(",", ":"))
    return Computed(person_id, None, False, text, None, "", "")


# --- loading what the rules need, set-based ----------------------------------------------


def area_rules() -> list[AreaRule]:
    areas = WorkArea.objects.filter(is_active=True, site__is_active=True).select_related(
        "access_policy"
    )
    return [AreaRule(a.pk, _requires(a)) for a in areas.order_by("pk")]


def _requires(area: WorkArea) -> bool:
    policy = getattr(area, "access_policy", None)
    return True if policy is None else policy.requires_qualification


def people_with_facts(ids: list[int]):
    return with_facts(Person.objects.filter(_ids_q("pk", ids)))


def _ids_q(field: str, ids: list[int]) -> Q:
    """A sorted id list as a range when it is dense (cheap SQL), else as a list."""
    if ids and len(ids) * 2 >= ids[-1] - ids[0] + 1:
        return Q(**{f"{field}__gte": ids[0], f"{field}__lte": ids[-1]})
    return Q(**{f"{field}__in": ids})


def grants_of(persons: list) -> dict[int, list[Grant]]:
    """Every authorisation naming these people or their organizations, per person."""
    by_person: dict[int, list[Grant]] = defaultdict(list)
    orgs = defaultdict(list)
    for person in persons:
        orgs[person.organization_id].append(person.pk)
    found = AreaAuthorization.objects.filter(
        Q(person_id__in=[p.pk for p in persons]) | Q(organization_id__in=list(orgs))
    ).values_list("person_id", "organization_id", "area_id", "valid_from", "valid_until")
    for person_id, org_id, area_id, start, end in found:
        grant = Grant(area_id, start, end)
        for pk in [person_id] if person_id else orgs[org_id]:
            by_person[pk].append(grant)
    return by_person


# --- refreshing -----------------------------------------------------------------------------


def locked_state() -> AllowlistState:
    state = AllowlistState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        AllowlistState.objects.get_or_create(pk=1, defaults={"epoch": new_epoch()})
        state = AllowlistState.objects.select_for_update().get(pk=1)
    return state


def ensure_state() -> None:
    if not AllowlistState.objects.filter(pk=1).exists():
        with transaction.atomic():
            locked_state()


def new_epoch() -> str:
    return secrets.token_hex(4)


def refresh(person_ids: Iterable[int], *, now: datetime | None = None) -> list[AllowlistEntry]:
    """Recompute these people's entries; the changed ones get new sequence numbers (and
    are pushed). Returns the changed entries."""
    now = now or timezone.now()
    rules = area_rules()
    changed = []
    for chunk in _chunks(sorted(set(person_ids))):
        with transaction.atomic():
            changed += _refresh_chunk(locked_state(), chunk, rules, now)
    return changed


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _refresh_chunk(state, ids: list[int], rules, now) -> list[AllowlistEntry]:
    known = {e.person_id: e for e in AllowlistEntry.objects.filter(_ids_q("person_id", ids))}
    # Contractors' admission standing is read per organization, not per person.
    with admission_scope():
        computed = _compute_chunk(ids, rules, now, known)
    changed = _store(state, computed, known)
    enqueue_changes(changed)
    return changed


def _compute_chunk(ids: list[int], rules, now, known: dict) -> list[Computed]:
    wanted = set(ids)
    persons = {p.pk: p for p in people_with_facts(ids) if p.pk in wanted}
    grants = grants_of(list(persons.values()))
    return [
        compute(persons[pk], grants.get(pk, []), rules, now, known.get(pk))
        if pk in persons
        else removed(pk)
        for pk in ids
    ]


FIELDS = [
    "organization_id",
    "seq",
    "allowed",
    "payload",
    "recheck_at",
    "photo_name",
    "photo_sha256",
]


def _store(state, computed: list[Computed], known: dict) -> list[AllowlistEntry]:
    created, changed, touched = [], [], []
    for c in computed:
        old = known.get(c.person_id)
        if old is not None and old.payload == c.payload:
            if (old.recheck_at, old.photo_name) != (c.recheck_at, c.photo_name):
                touched.append(_entry(c, old.seq))
            continue
        state.seq += 1
        (changed if old is not None else created).append(_entry(c, state.seq))
    # One upsert per batch (INSERT ... ON CONFLICT DO UPDATE): bulk_update's CASE per
    # row and field costs more than computing the entries.
    AllowlistEntry.objects.bulk_create(
        created + changed + touched,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["person_id"],
        update_fields=[*FIELDS, "updated_at"],
    )
    state.save(update_fields=["seq"])
    return created + changed


def _entry(c: Computed, seq: int) -> AllowlistEntry:
    return AllowlistEntry(
        person_id=c.person_id,
        organization_id=c.organization_id,
        seq=seq,
        allowed=c.allowed,
        payload=c.payload,
        recheck_at=c.recheck_at,
        photo_name=c.photo_name,
        photo_sha256=c.photo_sha256,
        updated_at=timezone.now(),
    )


def refresh_pending(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Work off what is due: entries whose recheck time has come, and dirty marks (all of
    them, or none when they add up to more than ``limit`` people). Cheap when there is
    nothing to do (two indexed look-ups), so it runs before every allowlist read."""
    now = now or timezone.now()
    due = set(
        AllowlistEntry.objects.filter(recheck_at__lte=now).values_list("person_id", flat=True)
    )
    marks = list(
        AllowlistDirty.objects.values_list("id", "person_id", "organization_id", "area_id")
    )
    marked = _dirty_people(marks) if marks else set()
    if limit is not None and len(marked) > limit:
        marks, marked = [], set()
    if not due and not marked:
        return 0
    changed = len(refresh(due | marked, now=now))
    AllowlistDirty.objects.filter(id__in=[row[0] for row in marks]).delete()
    return changed


def _dirty_people(rows: list[tuple]) -> set[int]:
    ids = {row[1] for row in rows if row[1] is not None}
    orgs = {row[2] for row in rows if row[2] is not None}
    areas = {row[3] for row in rows if row[3] is not None}
    if areas:
        granted = AreaAuthorization.objects.filter(area_id__in=areas)
        ids |= set(granted.exclude(person=None).values_list("person_id", flat=True))
        orgs |= set(granted.exclude(organization=None).values_list("organization_id", flat=True))
    if orgs:
        ids |= set(Person.objects.filter(organization_id__in=orgs).values_list("id", flat=True))
    return ids


def reconcile(*, now: datetime | None = None) -> int:
    """Recompute everyone (and the removal of people who no longer exist): the safety
    net for changes no mark announced. Run nightly and by ``safework access refresh``."""
    now = now or timezone.now()
    # Marks made before it are covered by recomputing everyone; left behind, a mark of
    # more than REQUEST_LIMIT people would keep every request-time refresh from working
    # off the small ones until the minutely task ran.
    covered = AllowlistDirty.objects.aggregate(last=Max("id"))["last"]
    ids = set(Person.objects.values_list("id", flat=True))
    ids |= set(AllowlistEntry.objects.values_list("person_id", flat=True))
    changed = len(refresh(ids, now=now))
    if covered is not None:
        AllowlistDirty.objects.filter(id__lte=covered).delete()
    AllowlistState.objects.filter(pk=1).update(reconciled_at=now)
    return changed


def purge(*, before: datetime) -> int:
    """Forget the removals of people deleted before ``before``. Cursors older than the
    last forgotten change can no longer be answered with a delta: they get a full list."""
    with transaction.atomic():
        state = locked_state()
        gone = AllowlistEntry.objects.filter(allowed=False, updated_at__lt=before).exclude(
            person_id__in=Person.objects.values("id")
        )
        last = max(gone.values_list("seq", flat=True), default=None)
        if last is None:
            return 0
        count, _ = gone.delete()
        state.horizon = max(state.horizon, last)
        state.save(update_fields=["horizon"])
    return count


def reset() -> None:
    """A new epoch: every controller's next sync is a full list."""
    with transaction.atomic():
        state = locked_state()
        state.epoch = new_epoch()
        state.horizon = state.seq
        state.save(update_fields=["epoch", "horizon"])


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    epoch: str
    seq: int

    def __str__(self) -> str:
        return f"{self.epoch}.{self.seq}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        epoch, _sep, seq = (raw or "").strip().partition(".")
        if not epoch or not seq.isdigit() or len(seq) > 18:
            return None
        return cls(epoch, int(seq))


def snapshot_isolation() -> None:
    """State and rows from one snapshot on PostgreSQL (SQLite's transaction already is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
