"""Who is told about a warning, and through which channels (issue 4: recipients per
level). Everything needed is loaded once per scan (people, logins with their roles and
sites, configured channels), so the loop over the day's warnings runs no queries.

- the worker: SMS to their phone, through the owner's SMS account;
- the contact of the worker's organization: SMS and email to the contact on record, the
  contractor admins' email and inbox, and the organization's own group robots;
- the site safety manager: email and inbox of safety managers of the person's sites (or
  of all sites), and the owner's group robots;
- the department/area head: email and inbox of area heads of the person's sites.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from safework.certificates.models import Certificate
from safework.core.choices import OrganizationKind, Role
from safework.core.models import UserProfile

from .choices import GROUP_CHANNELS, SMS_CHANNELS, Audience, Channel, WarningKind
from .messages import Facts, Rendered, render
from .models import CertificateWarning, ChannelConfig, InboxItem, Notification
from .rules import audiences_at

CHUNK = 500


@dataclass
class Directory:
    """The logins and channels of the installation, loaded once per scan."""

    managers: list[tuple[object, frozenset]] = field(default_factory=list)
    area_heads: list[tuple[object, frozenset]] = field(default_factory=list)
    contractor_admins: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    channels: dict[int | None, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def load(cls) -> Directory:
        d = cls()
        profiles = UserProfile.objects.filter(user__is_active=True).select_related("user")
        for p in profiles.prefetch_related("sites"):
            sites = frozenset(s.pk for s in p.sites.all())
            if p.role == Role.SAFETY_MANAGER:
                d.managers.append((p.user, sites))
            elif p.role == Role.AREA_HEAD:
                d.area_heads.append((p.user, sites))
            elif p.role == Role.CONTRACTOR_ADMIN and p.organization_id:
                d.contractor_admins[p.organization_id].append(p.user)
        for org_id, channel in ChannelConfig.objects.filter(enabled=True).values_list(
            "organization_id", "channel"
        ):
            d.channels[org_id].add(channel)
        return d

    def sms_channel(self, org_id: int | None) -> tuple[str, int | None] | None:
        for owner in (org_id, None):
            for channel in SMS_CHANNELS:
                if channel in self.channels.get(owner, ()):
                    return channel, owner
        return None

    def groups(self, org_id: int | None) -> list[str]:
        return [c for c in GROUP_CHANNELS if c in self.channels.get(org_id, ())]


@dataclass
class Outgoing:
    notifications: list[Notification] = field(default_factory=list)
    inbox: list[InboxItem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def fan_out(warnings: list[CertificateWarning], rules_of: dict[int, object]) -> Outgoing:
    out, directory = Outgoing(), Directory.load()
    for start in range(0, len(warnings), CHUNK):
        chunk = warnings[start : start + CHUNK]
        certs = _certificates([w.certificate_id for w in chunk])
        for w in chunk:
            _one(w, certs[w.certificate_id], rules_of[w.pk], directory, out)
    return out


def _certificates(ids: list[int]) -> dict[int, Certificate]:
    qs = Certificate.objects.filter(pk__in=ids).select_related(
        "type", "person", "person__organization"
    )
    return {c.pk: c for c in qs.prefetch_related("person__sites")}


def owner_of(person) -> int | None:
    if person.organization.kind == OrganizationKind.OWNER:
        return person.organization_id
    owners = sorted(s.owner_id for s in person.sites.all())
    return owners[0] if owners else None


def _facts(w: CertificateWarning, cert: Certificate) -> Facts:
    person = cert.person
    return Facts(
        kind=w.kind, level=w.level, name=person.name, organization=person.organization.name,
        item=cert.type.name, code=cert.type.code, number=cert.number, due=w.due_date,
        days_left=w.days_left, certificate_id=cert.pk,
    )  # fmt: skip


def _one(w, cert, rules, directory: Directory, out: Outgoing) -> None:
    text = render(_facts(w, cert))
    audiences = (
        [Audience.SAFETY_MANAGER]
        if w.kind == WarningKind.RENEWAL_OPEN
        else audiences_at(rules, w.level)
    )
    send = _Sender(w, cert.person, text, directory, out)
    for audience in audiences:
        getattr(send, audience.value)()


class _Sender:
    def __init__(self, warning, person, text: Rendered, directory: Directory, out: Outgoing):
        self.w, self.person, self.text, self.d, self.out = warning, person, text, directory, out
        self.owner = owner_of(person)
        self.sites = frozenset(s.pk for s in person.sites.all())

    # -- audiences ---------------------------------------------------------------------------

    def worker(self) -> None:
        if not self.person.phone:
            self.out.skipped["worker_without_phone"] += 1
            return
        self._sms(self.person.phone, self.owner)

    def org_contact(self) -> None:
        org = self.person.organization
        if org.contact_phone:
            self._sms(org.contact_phone, org.pk)
        if org.contact_email:
            self._add(Channel.EMAIL, org.contact_email, org.pk)
        for user in self.d.contractor_admins.get(org.pk, []):
            self._user(user, org.pk)
        if org.pk != self.owner:
            self._groups(org.pk)

    def safety_manager(self) -> None:
        for user, sites in self.d.managers:
            if not sites or sites & self.sites:
                self._user(user, self.owner)
        self._groups(self.owner)

    def area_head(self) -> None:
        for user, sites in self.d.area_heads:
            if sites & self.sites:
                self._user(user, self.owner)

    # -- channels ----------------------------------------------------------------------------

    def _sms(self, phone: str, org_id: int | None) -> None:
        found = self.d.sms_channel(org_id) or self.d.sms_channel(self.owner)
        if found is None:
            self.out.skipped["no_sms_channel"] += 1
            return
        channel, config_org = found
        self._add(channel, phone, config_org, body=self.text.sms, sms_params=self.text.sms_params)

    def _user(self, user, org_id: int | None) -> None:
        if user.email:
            self._add(Channel.EMAIL, user.email, org_id)
        self.out.inbox.append(
            InboxItem(user=user, warning=self.w, title=self.text.subject,
                      body=self.text.inbox_body, link=self.text.link)
        )  # fmt: skip

    def _groups(self, org_id: int | None) -> None:
        channels = self.d.groups(org_id) if org_id in self.d.channels else self.d.groups(None)
        for channel in channels:
            self._add(channel, f"group:{org_id or 'default'}", org_id)

    def _add(self, channel: str, recipient: str, org_id: int | None, **extra) -> None:
        body = extra.pop("body", self.text.text)
        payload = {"link": self.text.link, **extra}  # only what the channel's transport reads
        if channel == Channel.EMAIL:
            payload["html"] = self.text.html
        elif channel in GROUP_CHANNELS:
            payload["markdown"] = self.text.markdown
        self.out.notifications.append(
            Notification(
                channel=channel, recipient=recipient[:255], subject=self.text.subject,
                body=body, payload=payload, organization_id=org_id, person=self.person,
                about_organization_id=self.person.organization_id, warning=self.w,
                dedupe_key=f"warning:{self.w.pk}:{channel}:{recipient}"[:200],
            )
        )  # fmt: skip
