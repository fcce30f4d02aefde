"""Who is told about the day's warnings, and through which channels (issue 4: recipients per
level), decided in SQL per batch of warnings (one statement per audience and channel),
never by a Python loop over them:

- the worker: SMS to their phone, through the owner's SMS account, one per warning
  (written into the outbox by INSERT ... SELECT, keyed by warning, channel, recipient);
- the contact of the worker's organization: SMS and email to the contact on record, the
  contractor admins' email and inbox, and the organization's own group robots;
- the site safety manager: email and inbox of safety managers of the person's sites (or
  of all sites), and the owner's group robots;
- the department/area head: email and inbox of area heads of the person's sites.

Everyone but the worker is told about many people at once: their routes go to the day's
digests (digest.py), one message per (channel, recipient) and one inbox item per login.

The owner of a warning is the worker's organization when it is an owner, else the owner
of their sites (the lowest id if several); the statements run once per owner, so the
owner's accounts and robots are constants in them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject

from safework.core.choices import OrganizationKind, Role
from safework.core.models import UserProfile
from safework.people.models import Person

from . import outbox
from .choices import GROUP_CHANNELS, LAPSE, SMS_CHANNELS, Audience, Channel, WarningKind
from .digest import INBOX, Digests
from .messages import in_sql, link_parts, short_action_sql
from .models import ChannelConfig
from .rules import AlertRules
from .scan import Batch
from .sql import IsoDate, Pipes, text


@dataclass
class Directory:
    """The enabled channels per organization (None: the platform default) and the safety
    managers of all sites, loaded once per scan. Which other logins are told is decided
    in SQL from their roles and sites."""

    channels: dict[int | None, set[str]]
    managers_everywhere: list[tuple[int, str]]  # (user id, email)

    @classmethod
    def load(cls) -> Directory:
        channels = defaultdict(set)
        configs = ChannelConfig.objects.filter(enabled=True)
        for org_id, channel in configs.values_list("organization_id", "channel"):
            channels[org_id].add(channel)
        managers = UserProfile.objects.filter(
            role=Role.SAFETY_MANAGER, user__is_active=True, sites=None
        )
        return cls(dict(channels), list(managers.values_list("user_id", "user__email")))

    def own_sms(self, org_id: int | None) -> str | None:
        configured = self.channels.get(org_id, ())
        return next((c for c in SMS_CHANNELS if c in configured), None)

    def sms(self, org_id: int | None) -> tuple[str, int | None] | None:
        """The SMS account used for ``org_id``: its own, else the platform default."""
        for owner in (org_id, None):
            if channel := self.own_sms(owner):
                return channel, owner
        return None

    def robots(self, org_id: int | None) -> list[str]:
        """The group robots posting for ``org_id``: its own when it has configured any
        channel at all, else the platform default's."""
        configured = self.channels.get(org_id if org_id in self.channels else None, ())
        return [c for c in GROUP_CHANNELS if c in configured]

    def organizations(self) -> list[int]:
        return [org_id for org_id in self.channels if org_id is not None]


@dataclass
class Sent:
    digests: Digests
    notifications: int = 0
    inbox: int = 0
    skipped: Counter = field(default_factory=Counter)

    def skip(self, reason: str, count: int) -> None:
        if count:
            self.skipped[reason] += count


def fan_out(batch: Batch, directory: Directory, sent: Sent) -> None:
    """Write the messages and inbox items of every warning of ``batch``."""
    if not batch.size:
        return
    warnings = batch.warnings().order_by()
    owners = list(warnings.annotate(owner=owner_of()).values_list("owner", flat=True).distinct())
    for owner in owners:
        mine = warnings if len(owners) == 1 else _of_owner(warnings, owner)
        _Audiences(mine, owner, batch.rules, directory, sent).tell()


def _of_owner(warnings: QuerySet, owner: int | None) -> QuerySet:
    warnings = warnings.alias(owner=owner_of())
    return warnings.filter(owner__isnull=True) if owner is None else warnings.filter(owner=owner)


def owner_of() -> Case:
    """The owner of the warning's person: their organization if it is an owner, else the
    lowest-id owner of their sites (None without sites)."""
    first = Person.sites.through.objects.filter(person_id=OuterRef("person_id"))
    first = first.order_by("site__owner_id").values("site__owner_id")[:1]
    return Case(
        When(person__organization__kind=OrganizationKind.OWNER, then=F("person__organization_id")),
        default=Subquery(first),
        output_field=IntegerField(),
    )


def told_q(rules: AlertRules, audience: str) -> Q | None:
    """The warnings ``audience`` is told about (rules.audiences_at in SQL), None if it is
    told nothing; a renewal reminder goes to the safety manager only."""
    renewal = Q(kind=WarningKind.RENEWAL_OPEN)
    from_days = rules.recipients_from_days.get(audience)
    regular = None
    if from_days is not None:
        regular = ~renewal & (Q(level=LAPSE) | Q(level__lte=from_days))
    if audience != Audience.SAFETY_MANAGER:
        return regular
    return renewal if regular is None else renewal | regular


class _Texts:
    """The worker's SMS of a warning row as SQL expressions (messages.py)."""

    def __init__(self):
        before, after = link_parts()
        self.link = Pipes(Value(before), text(F("certificate_id")), Value(after))
        self.subject = in_sql("subject", self.values)

    def values(self, kind: str) -> dict:
        return {
            "name": F("person__name"), "organization": F("person__organization__name"),
            "item": F("certificate__type__name"), "code": F("certificate__type__code"),
            "number": F("certificate__number"), "date": IsoDate(F("due_date")),
            "days": self.days(kind), "link": self.link,
        }  # fmt: skip

    @staticmethod
    def days(kind: str):
        # A renewal reminder counts the days the renewal has been open.
        return text(-F("days_left") if kind == WarningKind.RENEWAL_OPEN else F("days_left"))

    def sms_payload(self) -> JSONObject:
        days = Case(
            When(kind=WarningKind.RENEWAL_OPEN, then=self.days(WarningKind.RENEWAL_OPEN)),
            default=self.days(WarningKind.EXPIRY),
        )
        params = JSONObject(
            name=F("person__name"), item=F("certificate__type__name"),
            date=IsoDate(F("due_date")), days=days, action=short_action_sql(),
        )  # fmt: skip
        return JSONObject(link=self.link, sms_params=params)


def _org(org_id: int | None) -> Value:
    return Value(org_id, output_field=IntegerField())


# How an audience's logins are reached from a warning row.
ORG_USERS = "person__organization__users"  # profiles of the worker's organization
SITE_USERS = "person__sites__userprofile"  # profiles sharing a site with the worker


class _Audiences:
    """The statements telling one owner's share of a batch."""

    def __init__(self, warnings: QuerySet, owner, rules: AlertRules, d: Directory, sent: Sent):
        self.warnings, self.owner, self.rules, self.d, self.sent = warnings, owner, rules, d, sent
        self.texts, self.rank = _Texts(), 0

    def tell(self) -> None:
        order = list(self.rules.recipients_from_days)
        order += [a for a in [Audience.SAFETY_MANAGER.value] if a not in order]
        for rank, audience in enumerate(order):  # told later: gives a shared digest's settings
            q = told_q(self.rules, audience)
            if q is not None:
                self.rank = rank
                getattr(self, audience)(self.warnings.filter(q))

    # -- audiences ---------------------------------------------------------------------------

    def worker(self, rows: QuerySet) -> None:
        self.sent.skip("worker_without_phone", rows.filter(person__phone="").count())
        rows = rows.exclude(person__phone="")
        account = self.d.sms(self.owner)
        if account is None:
            self.sent.skip("no_sms_channel", rows.count())
            return
        self._worker_sms(rows, Value(account[0]), _org(account[1]))

    def org_contact(self, rows: QuerySet) -> None:
        self._contact_sms(rows.exclude(person__organization__contact_phone=""))
        org = F("person__organization_id")
        emailed = rows.exclude(person__organization__contact_email="")
        self._email(emailed, F("person__organization__contact_email"), org)
        self._users(rows, ORG_USERS, Role.CONTRACTOR_ADMIN, org)
        others = rows if self.owner is None else rows.exclude(person__organization_id=self.owner)
        group = Pipes(Value("group:"), text(org))
        for channel in GROUP_CHANNELS:
            if (orgs := self._robot_orgs(channel)) is not None:
                self._digest(others.filter(orgs), Value(channel), group, org)

    def safety_manager(self, rows: QuerySet) -> None:
        owner = _org(self.owner)
        for user_id, email in self.d.managers_everywhere:
            if email:
                self._email(rows, Value(email), owner)
            self._inbox(rows, Value(str(user_id)))
        self._users(rows, SITE_USERS, Role.SAFETY_MANAGER, owner)
        group = Value(f"group:{self.owner or 'default'}")
        for channel in self.d.robots(self.owner):
            self._digest(rows, Value(channel), group, owner)

    def area_head(self, rows: QuerySet) -> None:
        self._users(rows, SITE_USERS, Role.AREA_HEAD, _org(self.owner))

    # -- routes ------------------------------------------------------------------------------

    def _contact_sms(self, rows: QuerySet) -> None:
        """Through the organization's own SMS account, else the platform default, else the
        owner's own."""
        own = {o: c for o in self.d.organizations() if (c := self.d.own_sms(o))}
        fallback = self.d.sms(None) or self.d.sms(self.owner)
        if fallback is None:
            unsent = rows.exclude(person__organization_id__in=list(own))
            self.sent.skip("no_sms_channel", unsent.count())
            if not own:
                return
            rows = rows.filter(person__organization_id__in=list(own))
        channel = Case(
            *[When(person__organization_id=o, then=Value(c)) for o, c in own.items()],
            default=Value(fallback and fallback[0]),
            output_field=CharField(),
        )
        config = Case(
            *[When(person__organization_id=o, then=Value(o)) for o in own],
            default=Value(fallback and fallback[1]),
            output_field=IntegerField(),
        )
        self._digest(rows, channel, F("person__organization__contact_phone"), config)

    def _robot_orgs(self, channel: str) -> Q | None:
        """The worker organizations whose robots include ``channel`` (Directory.robots),
        None if none can."""
        configured = self.d.organizations()
        own = Q(
            person__organization_id__in=[o for o in configured if channel in self.d.channels[o]]
        )
        if channel in self.d.robots(None):
            return own | ~Q(person__organization_id__in=configured)
        return own if any(channel in self.d.channels[o] for o in configured) else None

    def _users(self, rows: QuerySet, profile: str, role: str, config) -> None:
        """Email and inbox of the active logins of ``role`` reached through ``profile``.
        One filter() call: every condition is on the same join."""
        which = {f"{profile}__role": role, f"{profile}__user__is_active": True}
        emailed = rows.filter(**which, **{f"{profile}__user__email__gt": ""})
        self._email(emailed, F(f"{profile}__user__email"), config)
        self._inbox(rows.filter(**which), text(F(f"{profile}__user_id")))

    # -- channels ----------------------------------------------------------------------------

    def _worker_sms(self, rows, channel, config) -> None:
        """The worker's own SMS, one per warning (template code + parameters)."""
        phone = F("person__phone")
        key = Pipes(Value("warning:"), text(F("pk")), Value(":"), channel, Value(":"), phone)
        self.sent.notifications += outbox.enqueue_select(
            rows, channel=channel, recipient=phone, subject=self.texts.subject,
            body=in_sql("sms", self.texts.values), payload=self.texts.sms_payload(),
            organization_id=config, person_id=F("person_id"),
            about_organization_id=F("person__organization_id"), warning_id=F("pk"),
            dedupe_key=key,
        )  # fmt: skip

    def _email(self, rows, address, config) -> None:
        self._digest(rows, Value(Channel.EMAIL.value), address, config)

    def _inbox(self, rows, user) -> None:
        self._digest(rows, Value(INBOX), user, Value(None, output_field=IntegerField()))

    def _digest(self, rows, channel, recipient, config) -> None:
        self.sent.digests.add(
            rows, channel=channel, recipient=recipient, config=config, rank=self.rank
        )
