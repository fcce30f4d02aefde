"""Read queries of gate access; every list goes through the permission gate
(``safework.core.access``)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safework.certificates.models import Certificate
from safework.certificates.qualification import Qualification, qualifications_for
from safework.core.access import people_q, people_visible, scope_organization_ids, sites_visible
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.clock import today
from safework.core.errors import ValidationFailed
from safework.core.models import Site, WorkArea
from safework.people.models import Person

from . import allowlist, tokens
from .choices import Decision, Direction
from .decisions import local_midnight
from .facts import AtGate, at_gate, with_facts
from .keys import ring
from .models import AllowlistEntry, AllowlistState, AreaAuthorization, Badge, Gate, GateEvent

# --- people at the gate ----------------------------------------------------------------------


def person_for_gate(actor: Actor, **lookup) -> Person | None:
    """The person with everything the rules and the answer need, in three queries, if
    the actor may see them."""
    qs = people_visible(Person.objects.all(), actor).filter(**lookup)
    answer_fields = ("id_number_masked", "organization__name")
    return with_facts(qs.select_related("organization"), *answer_fields).first()


def person_at_gate(actor: Actor, *, area_id: int | None, **lookup) -> AtGate | None:
    """The person found by ``pk`` or ``id_number_hash`` with what a gate check reads,
    and their authorisations for ``area_id``, if the actor may see them (a token
    restricted to some organizations asks the permission gate once more)."""
    found = at_gate(area_id=area_id, **lookup)
    if found is None or actor.sees_everything:
        return found
    visible = people_visible(Person.objects.filter(pk=found.person.pk), actor).exists()
    return found if visible else None


GATE_CACHE_SECONDS = 2.0
# (monotonic moment they go stale, the active gates by code), replaced as a whole so
# that a worker's threads never see a half-loaded map.
_gates: list[tuple[float, dict[str, Gate]]] = [(0.0, {})]


def gate_for_check(code: str) -> Gate:
    """The active gate with its area's rule. The active gates are loaded together and
    kept per process for two seconds: there are few of them, their configuration
    changes rarely, and a check answers in milliseconds."""
    code = (code or "").strip().lower()
    until, gates = _gates[0]
    if until <= time.monotonic():
        active = Gate.objects.filter(is_active=True)
        gates = {g.code: g for g in active.select_related("area__access_policy", "area__site")}
        _gates[0] = (time.monotonic() + GATE_CACHE_SECONDS, gates)
    gate = gates.get(code)
    if gate is None:
        raise ValidationFailed({"gate": _("No active gate has this code.")})
    return gate


def forget_gates() -> None:
    """After a change to gates or area rules (other processes follow within seconds)."""
    _gates[0] = (0.0, {})


def badge_of(person: Person) -> Badge | None:
    return Badge.objects.filter(person=person).first()


# --- gates, areas, authorisations -------------------------------------------------------------


def work_areas_visible(actor: Actor) -> QuerySet[WorkArea]:
    sites = sites_visible(Site.objects.all(), actor)
    return WorkArea.objects.filter(site__in=sites).select_related("site", "access_policy")


def gate_list(actor: Actor) -> QuerySet[Gate]:
    return Gate.objects.filter(area__in=work_areas_visible(actor)).select_related("area__site")


def authorization_list(actor: Actor, area: WorkArea) -> QuerySet[AreaAuthorization]:
    """An area's authorisations; a contractor admin sees those of their own people and
    organizations only."""
    qs = area.authorizations.select_related("person__organization", "organization")
    if actor.role == Role.CONTRACTOR_ADMIN:
        orgs = scope_organization_ids(actor)
        qs = qs.filter(Q(organization_id__in=orgs) | Q(person__organization_id__in=orgs))
    return qs.order_by("organization__name", "person__name", "id")


# --- gate events and people on site ---------------------------------------------------------


def events_visible(qs: QuerySet[GateEvent], actor: Actor) -> QuerySet[GateEvent]:
    """Safety managers and viewers: all; area heads: their sites' gates; contractor
    admins: their own organizations' people."""
    if actor.sees_everything:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(site_id__in=list(actor.site_ids))
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(organization_id__in=scope_organization_ids(actor))
    return qs.none()


def gate_event_list(
    *,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
    site_id: int | None = None,
    gate_id: int | None = None,
    decision: str = "",
    direction: str = "",
    q: str = "",
) -> QuerySet[GateEvent]:
    qs = events_visible(GateEvent.objects.all(), actor)
    if date_from:
        qs = qs.filter(at__gte=local_midnight(date_from))
    if date_to:
        qs = qs.filter(at__lt=local_midnight(date_to + timedelta(days=1)))
    filters = {"site_id": site_id, "gate_id": gate_id, "decision": decision}
    qs = qs.filter(**{k: v for k, v in filters.items() if v})
    if direction:
        qs = qs.filter(direction=direction)
    if q := (q or "").strip():
        qs = qs.filter(person_name__icontains=q)
    return qs.select_related("gate", "area", "site", "organization").order_by("-at", "-id")


def presence_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(hours=settings.GATE_PRESENCE_HOURS)


def people_on_site(
    *, actor: Actor, site_id: int | None = None, now: datetime | None = None
) -> QuerySet[GateEvent]:
    """The entry events of the people on site now: per person and site, the last allowed
    passage within GATE_PRESENCE_HOURS was an entry (a forgotten exit does not keep
    someone on site for ever). The dashboard counts these."""
    since = presence_since(now)
    passages = GateEvent.objects.filter(
        decision=Decision.ALLOW, at__gte=since, site__isnull=False, person__isnull=False
    )
    if site_id:
        passages = passages.filter(site_id=site_id)
    # The latest passage is the one with no later one (by time, then id): an anti-join,
    # which PostgreSQL answers with one hash over the window instead of a lookup per row
    # (issue 10's dashboard benchmark: 1,000,000 events, 6x faster).
    later = passages.filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id")),
        person_id=OuterRef("person_id"),
        site_id=OuterRef("site_id"),
    )
    latest = passages.exclude(Exists(later))
    qs = events_visible(latest.filter(direction=Direction.IN), actor)
    return qs.select_related("person", "organization", "site", "gate").order_by("site_id", "-at")


def people_on_site_count(
    *, actor: Actor, site_id: int | None = None, now: datetime | None = None
) -> int:
    return people_on_site(actor=actor, site_id=site_id, now=now).count()


def on_site_by_site(*, actor: Actor, now: datetime | None = None) -> list[dict]:
    events = list(people_on_site(actor=actor, now=now))
    sites: dict[int, dict] = {}
    for event in events:
        sites.setdefault(event.site_id, {"site": event.site, "events": []})["events"].append(event)
    return sorted(sites.values(), key=lambda s: s["site"].name)


# --- the allowlist feed -----------------------------------------------------------------------

MAX_DELTA = 50_000


@dataclass(frozen=True)
class AllowlistAnswer:
    body: str
    full: bool
    count: int


def _scoped(qs: QuerySet[AllowlistEntry], actor: Actor) -> QuerySet[AllowlistEntry]:
    condition = people_q(actor)
    if condition is None:
        return qs
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(organization_id__in=scope_organization_ids(actor))
    return qs.filter(person_id__in=people_visible(Person.objects.all(), actor).values("id"))


def allowlist_read(*, actor: Actor, since: str = "", limit: int = MAX_DELTA) -> AllowlistAnswer:
    """The whole list (allowed entries) or the changes since ``since``, as JSON text
    joined from the stored entries. Due work (dirty marks, recheck times) is done first,
    so what lapsed at midnight is in the answer without anyone having edited anything."""
    allowlist.refresh_pending(limit=allowlist.REQUEST_LIMIT)
    allowlist.ensure_state()
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost:  # an enclosing transaction (tests) has its isolation level already
            allowlist.snapshot_isolation()
        state = AllowlistState.objects.get(pk=1)
        cursor = allowlist.Cursor.parse(since) if since else None
        if since and cursor is None:
            raise ValidationFailed({"since": _("This is not a cursor this server handed out.")})
        if _delta_possible(cursor, state):
            return _delta(actor, state, cursor.seq, limit)
        return _full(actor, state)


def _delta_possible(cursor, state: AllowlistState) -> bool:
    return (
        cursor is not None
        and cursor.epoch == state.epoch
        and state.horizon <= cursor.seq <= state.seq
    )


def _full(actor: Actor, state: AllowlistState) -> AllowlistAnswer:
    rows = _scoped(AllowlistEntry.objects.filter(allowed=True), actor)
    payloads = list(rows.order_by("person_id").values_list("payload", flat=True))
    head = _head(allowlist.Cursor(state.epoch, state.seq), full=True, more=False)
    return AllowlistAnswer(_document(head, payloads), True, len(payloads))


def _delta(actor: Actor, state: AllowlistState, seq: int, limit: int) -> AllowlistAnswer:
    rows = _scoped(AllowlistEntry.objects.filter(seq__gt=seq), actor).order_by("seq")
    found = list(rows.values_list("seq", "payload")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    last = found[-1][0] if more else state.seq
    head = _head(allowlist.Cursor(state.epoch, last), full=False, more=more)
    return AllowlistAnswer(_document(head, [p for _s, p in found]), False, len(found))


def _head(cursor, *, full: bool, more: bool) -> dict:
    return {
        "cursor": str(cursor),
        "full": full,
        "more": more,
        "generated_at": timezone.localtime().isoformat(),
        "gates": gate_map(),
    }


def gate_map() -> list[dict]:
    """Which area each gate leads into, so a controller knows its own."""
    rows = Gate.objects.filter(is_active=True).values_list("code", "area_id", "direction")
    return [{"code": c, "area_id": a, "direction": d} for c, a, d in rows.order_by("code")]


def _document(head: dict, payloads: list[str]) -> str:
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    return opening + ',"entries":[' + ",".join(payloads) + "]}"


# --- the public badge page ------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeItem:
    name: str
    code: str
    valid: bool
    valid_until: date | None


@dataclass(frozen=True)
class BadgeView:
    """What the public page may show: name, organization, photo, items. Nothing else."""

    person: Person
    token: str
    items: list[BadgeItem]
    checked_at: datetime


def public_badge(token: str, *, on: date | None = None) -> BadgeView | None:
    """The badge's holder if the token is authentic, current and not revoked."""
    claim = tokens.verify(ring(), token)
    if claim is None:
        return None
    person = (
        Person.objects.filter(pk=claim.person_id)
        .select_related("badge", "organization")
        .prefetch_related(
            Prefetch("certificates", queryset=Certificate.objects.select_related("type")),
            "special_operations",
        )
        .first()
    )
    badge = getattr(person, "badge", None)
    if (
        badge is None
        or badge.is_revoked
        or (badge.key_id, badge.version)
        != (
            claim.key_id,
            claim.version,
        )
    ):
        return None
    on = on or today()
    names = {t.code: t.name for t in person.special_operations.all()}
    certificates = {c.id: c for c in person.certificates.all()}
    items = [
        BadgeItem(names[q.item_code], q.item_code, q.qualified, _last_day(certificates, q))
        for q in qualifications_for(person, on)
    ]
    return BadgeView(person, tokens.extract(token), items, timezone.now())


def _last_day(certificates: dict, q: Qualification) -> date | None:
    """The last day the deciding certificate qualifies: its validity, or the review due
    date when that comes first (第二十六条: a missed review invalidates it)."""
    cert = certificates.get(q.certificate_id)
    if cert is None:
        return None
    return min(d for d in (cert.valid_until, cert.next_review_due) if d is not None)
