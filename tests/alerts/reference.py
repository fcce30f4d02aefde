"""The daily scan's rules spelled out one certificate and one warning at a time in Python
(the scan's first implementation), as an oracle for the set-based SQL of scan.py and
fanout.py: which warnings are due, and which messages and inbox items each one makes."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.utils.html import escape

from safework.alerts.choices import GROUP_CHANNELS, LAPSE, SMS_CHANNELS, Audience, WarningKind
from safework.alerts.digest import DIGEST_ITEMS, INBOX, count_key, digest_key, urgency
from safework.alerts.messages import link_of, skeleton
from safework.alerts.models import AlertPolicy, ChannelConfig
from safework.alerts.rules import AlertRules, audiences_at, level_on
from safework.certificates.models import Certificate
from safework.core.choices import OrganizationKind, Role
from safework.core.models import Organization, UserProfile

DATES = {WarningKind.EXPIRY: "valid_until", WarningKind.REVIEW: "next_review_due"}

# -- what is due --------------------------------------------------------------------------------


def rules_of_person(person) -> AlertRules:
    """scan.policy_groups, one person at a time."""
    policies = list(AlertPolicy.objects.order_by("organization_id"))
    owners = Organization.objects.filter(kind=OrganizationKind.OWNER).count()
    if len(policies) == 1 and owners <= 1:
        return AlertRules.model_validate(policies[0].rules)
    org = person.organization
    site_owners = {s.owner_id for s in person.sites.all()}
    for policy in policies:
        mine = org.pk == policy.organization_id
        on_site = org.kind != OrganizationKind.OWNER and policy.organization_id in site_owners
        if mine or on_site:
            return AlertRules.model_validate(policy.rules)
    return AlertRules()


def due(on: date, sent: set[tuple]) -> dict[tuple, AlertRules]:
    """(certificate, kind, level, due date) -> rules of every warning due on ``on``;
    ``sent`` holds the (certificate, kind, level, due date) of those already issued."""
    out = {}
    for cert in Certificate.objects.select_related("person__organization", "type"):
        if cert.superseded or cert.person.employment_state != "active":
            continue
        rules = rules_of_person(cert.person)
        for key in _due_of(cert, rules, on):
            if not any(s[:2] == key[:2] and s[3] == key[3] and s[2] <= key[2] for s in sent):
                out[key] = rules
        if (key := _renewal(cert, rules, on)) and not any(
            s[:2] == key[:2] and s[3] == key[3] for s in sent
        ):
            out[key] = rules
    return out


def _due_of(cert, rules: AlertRules, on: date):
    if cert.manual_state != "none":
        return
    thresholds = rules.thresholds_for(cert.type.code)
    for kind, days in (
        (WarningKind.EXPIRY, thresholds.expiry_days),
        (WarningKind.REVIEW, thresholds.review_days),
    ):
        when = getattr(cert, DATES[kind])
        if when is None or (kind == WarningKind.REVIEW and cert.valid_until < on):
            continue
        level = level_on(due=when, on=on, days=days)
        if level == LAPSE and (
            not rules.notify_on_lapse or when < on - timedelta(days=settings.ALERTS_CATCH_UP_DAYS)
        ):
            continue
        if level is not None:
            yield (cert.pk, kind, level, when)


def _renewal(cert, rules: AlertRules, on: date):
    days = rules.renewal_reminder_days
    started = cert.manual_state_on
    if cert.manual_state == "renewing" and started and started <= on - timedelta(days=days):
        return (cert.pk, WarningKind.RENEWAL_OPEN, days, cert.manual_state_on)
    return None


# -- who is told --------------------------------------------------------------------------------


class Directory:
    def __init__(self):
        self.managers, self.area_heads, self.admins = [], [], defaultdict(list)
        for p in UserProfile.objects.filter(user__is_active=True).select_related("user"):
            sites = frozenset(s.pk for s in p.sites.all())
            if p.role == Role.SAFETY_MANAGER:
                self.managers.append((p.user, sites))
            elif p.role == Role.AREA_HEAD:
                self.area_heads.append((p.user, sites))
            elif p.role == Role.CONTRACTOR_ADMIN and p.organization_id:
                self.admins[p.organization_id].append(p.user)
        self.channels = defaultdict(set)
        for org_id, channel in ChannelConfig.objects.filter(enabled=True).values_list(
            "organization_id", "channel"
        ):
            self.channels[org_id].add(channel)

    def sms(self, org_id):
        for owner in (org_id, None):
            for channel in SMS_CHANNELS:
                if channel in self.channels.get(owner, ()):
                    return channel, owner
        return None

    def groups(self, org_id):
        return [c for c in GROUP_CHANNELS if c in self.channels.get(org_id, ())]


def texts(w) -> dict:
    """Every text of warning ``w``, the values put into the skeleton in Python."""
    cert, person = w.certificate, w.person
    days = -w.days_left if w.kind == WarningKind.RENEWAL_OPEN else w.days_left
    values = {
        "name": person.name, "organization": person.organization.name, "item": cert.type.name,
        "code": cert.type.code, "number": cert.number, "date": w.due_date.isoformat(),
        "days": str(days), "link": link_of(cert.pk),
    }  # fmt: skip
    sk = skeleton(w.kind, w.level == LAPSE)

    def fill(template, html=False):
        for name, value in values.items():
            template = template.replace(f"\x00{name}\x00", escape(value) if html else value)
        return template

    return {
        "subject": fill(sk.subject), "text": fill(sk.text), "html": fill(sk.html, True),
        "markdown": fill(sk.markdown), "sms": fill(sk.sms), "inbox": fill(sk.inbox_body),
        "link": values["link"],
        "sms_params": {**{k: values[k] for k in ("name", "item", "date", "days")}, **sk.sms_params},
    }  # fmt: skip


def owner_of(person):
    if person.organization.kind == OrganizationKind.OWNER:
        return person.organization_id
    owners = sorted(s.owner_id for s in person.sites.all())
    return owners[0] if owners else None


def messages(warnings, rules_of: dict, on: date, run: int = 1) -> tuple[dict, dict, dict, Counter]:
    """Of ``warnings``: the worker's SMS (dedupe key -> row), the digests (dedupe key ->
    (channel, recipient, settings organization, organization concerned, digest)), the
    inbox items (dedupe key -> user id) and the skipped counts."""
    d, rows, routes, skipped = Directory(), {}, defaultdict(list), Counter()
    for w in warnings:
        rules = rules_of[w.pk]
        order = list(rules.recipients_from_days)
        order += [a for a in [Audience.SAFETY_MANAGER.value] if a not in order]
        audiences = (
            [Audience.SAFETY_MANAGER]
            if w.kind == WarningKind.RENEWAL_OPEN
            else audiences_at(rules, w.level)
        )
        _Sender(w, d, rows, routes, skipped, order).tell(audiences)
    digests, inbox = {}, {}
    for (channel, recipient), told in routes.items():
        key = digest_key(on, run, channel, recipient)
        ws = {w.pk: w for _rank, _config, w in told}
        if channel == INBOX:
            inbox[key] = int(recipient)
            continue
        config = max(told, key=lambda t: (t[0], t[1] if t[1] is not None else 0))[1]
        abouts = {w.person.organization_id for w in ws.values()}
        listed = sorted(ws.values(), key=lambda w: urgency(w.level, w.kind, w.days_left, w.pk))
        listed = [w.pk for w in listed[:DIGEST_ITEMS]]
        digest = {
            "date": on.isoformat(), "counts": dict(Counter(count_key(w.kind, w.level) for w in ws.values())),
            "items": listed, "more": len(ws) - len(listed),
        }  # fmt: skip
        about = next(iter(abouts)) if len(abouts) == 1 else None
        digests[key] = (channel, recipient, config, about, digest)
    return rows, digests, inbox, skipped


class _Sender:
    def __init__(self, w, d, rows, routes, skipped, order):
        self.w, self.d, self.rows, self.routes, self.skipped = w, d, rows, routes, skipped
        self.order, self.rank = order, 0
        self.person, self.t = w.person, texts(w)
        self.owner = owner_of(w.person)
        self.sites = frozenset(s.pk for s in w.person.sites.all())

    def tell(self, audiences):
        for audience in audiences:
            self.rank = self.order.index(audience.value)
            getattr(self, audience.value)()

    def worker(self):
        if not self.person.phone:
            self.skipped["worker_without_phone"] += 1
            return
        found = self.d.sms(self.owner)
        if found is None:
            self.skipped["no_sms_channel"] += 1
            return
        channel, org_id = found
        payload = {"link": self.t["link"], "sms_params": self.t["sms_params"]}
        key = f"warning:{self.w.pk}:{channel}:{self.person.phone}"[:200]
        self.rows[key] = (
            key, channel, self.person.phone[:255], org_id, self.t["subject"], self.t["sms"],
            payload, self.person.pk, self.person.organization_id, self.w.pk,
        )  # fmt: skip

    def org_contact(self):
        org = self.person.organization
        if org.contact_phone:
            found = self.d.sms(org.pk) or self.d.sms(self.owner)
            if found is None:
                self.skipped["no_sms_channel"] += 1
            else:
                self._add(found[0], org.contact_phone, found[1])
        if org.contact_email:
            self._add("email", org.contact_email, org.pk)
        for user in self.d.admins.get(org.pk, []):
            self._user(user, org.pk)
        if org.pk != self.owner:
            self._groups(org.pk)

    def safety_manager(self):
        for user, sites in self.d.managers:
            if not sites or sites & self.sites:
                self._user(user, self.owner)
        self._groups(self.owner)

    def area_head(self):
        for user, sites in self.d.area_heads:
            if sites & self.sites:
                self._user(user, self.owner)

    def _user(self, user, org_id):
        if user.email:
            self._add("email", user.email, org_id)
        self._add(INBOX, str(user.pk), None)

    def _groups(self, org_id):
        channels = self.d.groups(org_id) if org_id in self.d.channels else self.d.groups(None)
        for channel in channels:
            self._add(channel, f"group:{org_id or 'default'}", org_id)

    def _add(self, channel, recipient, org_id):
        self.routes[(channel, recipient[:255])].append((self.rank, org_id, self.w))
