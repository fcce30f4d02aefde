"""``safework demo`` (issue 2, part 9): a realistic plant a newcomer can explore, with the
promised spread of statuses, three logins printed once, and nothing duplicated on re-runs."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from safework.audit.models import AuditEntry
from safework.certificates.models import Certificate
from safework.certificates.numbers import full_number
from safework.certificates.selectors import status_counts
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.core.clock import today
from safework.core.demo import plan_workers
from safework.core.idnumbers import age_on, parse_credit_code, parse_id_number
from safework.core.management.commands.demo import display_width
from safework.core.models import Organization, Site, WorkArea
from safework.people.models import Person
from safework.people.selectors import UNQUALIFIED, person_list

PASSWORD = "Demo-pass-for-tests-7"


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The demo, built once for this module and rolled back after it (it takes seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def _counts():
    return (
        Organization.objects.count(),
        Site.objects.count(),
        WorkArea.objects.count(),
        Person.objects.count(),
        Certificate.objects.count(),
        get_user_model().objects.count(),
    )


def _days_left(status_name: str) -> Counter:
    on = today()
    certs = Certificate.objects.all()
    return Counter((c.valid_until - on).days for c in certs if _status(c) == status_name)


def _status(cert) -> str:
    from safework.certificates.status import status_of

    return status_of(cert, today())


def test_an_owner_with_three_sites_and_two_contractors(demo):
    owner = Organization.objects.get(kind=OrganizationKind.OWNER)
    contractors = Organization.objects.filter(kind=OrganizationKind.CONTRACTOR)
    assert owner.name == "华东某石化有限公司"
    assert contractors.count() == 2
    for org in [owner, *contractors]:
        assert parse_credit_code(org.credit_code) == org.credit_code
    assert Site.objects.filter(owner=owner).count() == 3
    for site in Site.objects.all():
        assert site.work_areas.count() >= 3


def test_about_126_workers_across_categories(demo):
    people = Person.objects.prefetch_related("special_operations", "sites", "certificates__type")
    assert people.count() == 126
    codes = {t.code for p in people for t in p.special_operations.all()}
    assert {"MEM-1.1", "MEM-1.2", "MEM-2.1", "MEM-3.1", "MEM-3.2", "MEM-4.1"} <= codes
    assert {"MEM-9.2", "MEM-9.6", "MEM-9.8", "SAMR-Q1", "SAMR-Q2", "SAMR-N1", "SAMR-G1"} <= codes
    for person in people:
        assert person.sites.exists()
        assigned = set(person.special_operations.all())
        assert {c.type for c in person.certificates.all()} <= assigned


def test_identities_are_valid_and_plausible(demo):
    ages = []
    for person in Person.objects.all():
        resident = parse_id_number(person.full_id_number())
        assert (resident.birth_date, resident.sex) == (person.birth_date, person.sex)
        ages.append(age_on(person.birth_date, today()))
    assert min(ages) >= 20 and max(ages) <= 58
    assert set(Person.objects.values_list("sex", flat=True)) == {"M", "F"}
    assert Person.objects.filter(phone__regex=r"^1[3-9]\d{9}$").count() == 126


def test_mem_numbers_are_mostly_the_id_number(demo):
    mem = Certificate.objects.filter(type__system="mem").select_related("person")
    new_style = [c for c in mem if full_number(c) == c.person.full_id_number()]
    assert all(c.number_is_id_number and "*" in c.number for c in new_style)  # stored masked
    legacy = len(mem) - len(new_style)
    assert 1 <= legacy <= 5
    assert len(new_style) > 0.9 * len(mem)
    issuers = set(Certificate.objects.values_list("issued_by", flat=True))
    assert {"上海市应急管理局", "江苏省市场监督管理局"} <= issuers


def test_the_promised_status_spread(demo):
    counts = status_counts(actor=Actor.system(), on=today())
    assert counts["renewing"] == 1
    assert counts["review_overdue"] >= 1
    assert counts["expired"] >= 2
    assert counts["valid"] > 100
    expiring = _days_left("expiring")
    assert all(expiring[d] >= 1 for d in (5, 12, 25))


def test_a_couple_of_workers_lack_a_certificate_for_an_assigned_item(demo):
    gaps = [
        p
        for p in Person.objects.prefetch_related("special_operations", "certificates")
        if set(p.special_operations.all()) - {c.type for c in p.certificates.all()}
    ]
    assert len(gaps) == 2
    unqualified = person_list(actor=Actor.system(), on=today(), status=UNQUALIFIED)
    assert set(gaps) <= set(unqualified)


def test_everything_went_through_the_services(demo):
    entries = AuditEntry.objects.filter(actor="demo")
    assert entries.filter(object_type="people.person", action="create").count() == 126
    assert entries.filter(object_type="certificates.certificate", action="create").count() == (
        Certificate.objects.count()
    )
    assert entries.filter(action="renewal_start").count() == 1


def _password_of(output: str, username: str) -> str:
    line = next(x for x in output.splitlines() if x.startswith(f"|  {username} "))
    return line.split()[2]


def test_three_logins_printed_once_in_a_box(demo):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.profile.role == Role.SAFETY_MANAGER
    assert admin.check_password(_password_of(demo, "admin"))
    contractor = User.objects.get(username="contractor").profile
    assert contractor.role == Role.CONTRACTOR_ADMIN
    assert contractor.organization.name == "江苏某机电安装工程有限公司"
    area_head = User.objects.get(username="areahead").profile
    assert area_head.role == Role.AREA_HEAD
    assert [s.code for s in area_head.sites.all()] == ["refinery"]
    assert User.objects.get(username="contractor").check_password(_password_of(demo, "contractor"))


def test_the_box_is_aligned_and_bilingual(demo):
    box = [line for line in demo.splitlines() if line.startswith(("|", "+"))]
    assert len({display_width(line) for line in box}) == 1
    assert "Demo logins, shown only this once" in demo
    assert "演示账号（仅显示这一次）" in demo
    assert len(set(_password_of(demo, u) for u in ("admin", "contractor", "areahead"))) == 3


def test_a_second_run_changes_nothing(demo):
    before = _counts()
    out = StringIO()
    call_command("demo", stdout=out)
    assert "已有人员" in out.getvalue()
    assert "admin" not in out.getvalue()
    assert _counts() == before


def test_force_duplicates_nothing_and_sets_the_given_password(demo):
    before = _counts()
    out = StringIO()
    call_command("demo", "--force", "--password", PASSWORD, stdout=out)
    assert _counts() == before
    assert get_user_model().objects.get(username="areahead").check_password(PASSWORD)
    assert PASSWORD in out.getvalue()


def test_a_weak_password_is_refused(demo):
    with pytest.raises(CommandError):
        call_command("demo", "--force", "--password", "12345678", stdout=StringIO())


def test_the_plan_is_deterministic(demo):
    from safework.certificates.models import CertificateType

    types = {t.code: t for t in CertificateType.objects.all()}
    first, second = (plan_workers(on=today(), types=types) for _ in range(2))
    assert [(w.name, w.id_number, w.certs) for w in first] == [
        (w.name, w.id_number, w.certs) for w in second
    ]
