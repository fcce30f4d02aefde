"""The set-based scan against its rules spelled out in Python (reference.py), on random
plants with everything that changes who is told: two owners, one with its own rules
(other thresholds, per-type thresholds, another order of audiences), contractors with
and without their own SMS accounts and robots, platform defaults or none, logins of every
role with and without sites or email, shared phones and addresses, names that need
HTML escaping, renewals, people who left, replaced certificates; scanned on three days."""

import json
import random
from datetime import timedelta

import pytest

from safework.alerts import services
from safework.alerts.models import CertificateWarning, ChannelConfig, InboxItem, Notification
from safework.certificates.models import CertificateType
from safework.core.choices import OrganizationKind, Role
from tests.conftest import make_user
from tests.factories import OrganizationFactory, SiteFactory

from . import reference
from .conftest import DAY0, certificate, worker

pytestmark = pytest.mark.django_db

POLICY = {
    "expiry_days": [45, 10], "review_days": [20], "notify_on_lapse": True,
    "recipients_from_days": {"area_head": 10, "org_contact": 20, "worker": 45, "safety_manager": 45},
    "type_overrides": {"SAMR-N1": {"expiry_days": [60, 3]}},
}  # fmt: skip
CONTACT_PHONE = "13800000003"
SHARED_EMAIL = "shared@c1.test"


def _channel(org, channel):
    ChannelConfig.objects.create(organization=org, channel=channel, settings_encrypted="-")


def _world(rng, plant, django_user_model):
    """Owners A (plant.owner, with rules) and B, contractors C1-C3, sites, logins."""
    a, c2 = plant.owner, plant.contractor
    b = OrganizationFactory(
        kind=OrganizationKind.OWNER, name="西部化工", contact_phone="13800000009"
    )
    c1 = OrganizationFactory(
        kind=OrganizationKind.CONTRACTOR, name="<C1> & 子", contact_email=SHARED_EMAIL
    )
    c3 = OrganizationFactory(kind=OrganizationKind.CONTRACTOR, contact_phone=CONTACT_PHONE)
    b_site = SiteFactory(owner=b)
    services.policy_save(actor=plant.system, organization=a, rules=POLICY)
    own = [
        (a, "sms_aliyun"),
        (a, "feishu"),
        (c1, "sms_tencent"),
        (c1, "wecom"),
        (c3, "sms_aliyun"),
        (c3, "dingtalk"),
    ]
    for org, channel in own:
        _channel(org, channel)
    if rng.random() < 0.5:
        _channel(None, "sms_tencent")
    if rng.random() < 0.5:
        _channel(None, "webhook")
    make_user(django_user_model, "m-a2", Role.SAFETY_MANAGER, a, sites=[plant.other_site])
    make_user(django_user_model, "h-b", Role.AREA_HEAD, b, sites=[plant.site, b_site])
    make_user(django_user_model, "h-none", Role.AREA_HEAD, b)
    for name, org in (("adm-c1", c1), ("adm-c3", c3), ("adm-c3b", c3)):
        make_user(django_user_model, name, Role.CONTRACTOR_ADMIN, org)
    for user in django_user_model.objects.all():
        # A shared address or phone makes two audiences send the same message: the one
        # told later in the rules' order wins.
        shared = {"adm-c1": SHARED_EMAIL, "m-a2": SHARED_EMAIL, "adm-c3b": ""}
        user.email = shared.get(user.username, f"{user.username}@x.test")
        user.is_active = user.username != "adm-c3"
        user.save()
    orgs = [a, b, c1, c2, c3]
    sites = [plant.site, plant.other_site, b_site]
    return orgs, sites


def _people_and_certificates(rng, plant, orgs, sites):
    types = list(CertificateType.objects.filter(code__in=["MEM-2.1", "SAMR-N1", "MEM-1.2"]))
    for i in range(36):
        phone = rng.choice(["", CONTACT_PHONE, f"1390000{i:04d}"])
        person = worker(
            plant,
            org=rng.choice(orgs),
            name=rng.choice(["张三", "王<五>", "O'Neil & 李"]),
            phone=phone,
        )
        person.sites.set(rng.sample(sites, rng.choice([0, 1, 1, 2])))
        if rng.random() < 0.1:
            person.employment_state = "left"
            person.save()
        for _ in range(rng.choice([1, 2, 3])):
            _certificate(rng, person, rng.choice(types))


def _certificate(rng, person, ctype):
    review = DAY0 + timedelta(days=rng.randint(-12, 50)) if rng.random() < 0.4 else None
    extra = {}
    if rng.random() < 0.15:
        extra = {
            "manual_state": "renewing",
            "manual_state_on": DAY0 - timedelta(days=rng.randint(0, 60)),
        }
    if rng.random() < 0.05:
        extra["superseded"] = True
    cert = certificate(
        person,
        valid_until=DAY0 + timedelta(days=rng.randint(-12, 75)),
        next_review_due=review,
        **extra,
    )
    cert.type = ctype
    cert.save()


def _sent() -> set:
    return set(
        CertificateWarning.objects.values_list("certificate_id", "kind", "level", "due_date")
    )


def _actual(warnings, day):
    rows = Notification.objects.filter(warning__in=warnings).values_list(
        "dedupe_key", "channel", "recipient", "organization_id", "subject", "body", "payload",
        "person_id", "about_organization_id", "warning_id",
    )  # fmt: skip
    digests = Notification.objects.filter(dedupe_key__startswith=f"digest:{day}:")
    digests = digests.values_list(
        "dedupe_key", "channel", "recipient", "organization_id", "about_organization_id",
        "payload", "warning_id", "person_id",
    )  # fmt: skip
    inbox = InboxItem.objects.filter(dedupe_key__startswith=f"digest:{day}:")
    return (
        {r[0]: _comparable(r) for r in rows},
        {key: (*r[:4], payload["digest"]) for key, *r, payload, w, p in digests if not (w or p)},
        dict(inbox.values_list("dedupe_key", "user_id")),
    )


def _comparable(row):
    return (*row[:6], json.dumps(row[6], sort_keys=True, ensure_ascii=False), *row[7:])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_scan_does_what_the_rules_say_one_warning_at_a_time(
    seed, plant, clock, django_user_model
):
    rng = random.Random(seed)
    orgs, sites = _world(rng, plant, django_user_model)
    _people_and_certificates(rng, plant, orgs, sites)
    for day in (DAY0, DAY0 + timedelta(days=6), DAY0 + timedelta(days=30)):
        expected = reference.due(day, _sent())
        report = services.scan_expiry(on=day, actor=plant.system)
        new = CertificateWarning.objects.filter(scan_date=day).select_related(
            "certificate__type", "person__organization"
        )
        assert {(w.certificate_id, w.kind, w.level, w.due_date) for w in new} == set(expected)
        assert all(w.days_left == (w.due_date - day).days for w in new)
        rules_of = {w.pk: expected[(w.certificate_id, w.kind, w.level, w.due_date)] for w in new}
        rows, digests, inbox, skipped = reference.messages(new, rules_of, day)
        assert len(digests) > 1 and inbox  # the random plants do tell several recipients
        got_rows, got_digests, got_inbox = _actual(new, day)
        assert got_rows == {k: _comparable(v) for k, v in rows.items()}
        assert got_digests == digests
        assert got_inbox == inbox
        assert (report.warnings, report.notifications, report.inbox) == (
            len(new),
            len(rows) + len(digests),
            len(inbox),
        )
        assert report.skipped == dict(skipped)
