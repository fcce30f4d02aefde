"""Person write services: ID numbers validated (GB 11643-1999), stored encrypted with a
keyed blind index, shown masked (个人信息保护法); 18 or older for special operations
(RULES.md 1); every change audited with field-level before/after."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from safework.audit.models import AuditEntry
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.people import services as svc
from safework.people.choices import EmploymentState
from safework.people.models import Person
from tests.conftest import make_user
from tests.factories import OrganizationFactory, SiteFactory, make_id_number

TODAY = date(2026, 6, 1)
ID = make_id_number(7, birth=date(1990, 5, 17))


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def org(db):
    return OrganizationFactory()


@pytest.fixture
def create(manager, org):
    def make(**overrides):
        data = {"name": "李四", "id_number": ID, "organization": org, "phone": "139 1234 5678"}
        return svc.person_create(actor=manager, **{**data, **overrides})

    return make


def entries(person=None):
    qs = AuditEntry.objects.order_by("seq")
    if person is not None:
        qs = qs.filter(object_type="people.person", object_id=str(person.pk))
    return list(qs)


def errors_of(exc_info) -> dict[str, str]:
    return {k: str(v) for k, v in exc_info.value.errors.items()}


def test_create_derives_birth_date_and_sex_and_masks(create):
    """GB 11643-1999: birth date in characters 7-14, sex from the 17th (odd = male)."""
    person = create(special_operations=["MEM-2.1"])
    assert (person.birth_date, person.sex) == (date(1990, 5, 17), "M")
    assert person.id_number_masked == ID[:6] + "********" + ID[-4:]
    assert person.phone == "13912345678"
    assert list(person.special_operations.values_list("code", flat=True)) == ["MEM-2.1"]


def test_id_number_is_never_stored_in_clear(create):
    """个人信息保护法 / DESIGN.md 6: the raw database row does not contain the number."""
    create()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert ID not in row and ID[6:14] + ID[14:] not in row


def test_lowercase_x_and_spaces_find_the_same_person(create):
    first17 = "11010519491231002"
    person = create(id_number=first17[:6] + " " + first17[6:] + "x")
    assert person.full_id_number() == "11010519491231002X"
    with pytest.raises(Conflict):
        create(id_number="11010519491231002X", name="重复")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (ID[:-1] + ("0" if ID[-1] != "0" else "1"), "校验码"),  # wrong check digit
        ("110105491231002", "18 位"),  # 15-digit: ask for the 18-digit number
        ("", "身份证号"),
    ],
)
def test_bad_id_number_is_a_field_error_in_chinese(create, raw, words):
    """Issue 2: 422 on a bad checksum, naming id_number, in Chinese by default."""
    with pytest.raises(ValidationFailed) as exc:
        create(id_number=raw)
    assert exc.value.status == 422
    assert words in errors_of(exc)["id_number"]
    assert not Person.objects.exists() and not entries()


def test_duplicate_id_number_is_a_conflict(create):
    """DESIGN.md API: 409 on a duplicate ID number, found through the blind index."""
    create()
    with pytest.raises(Conflict) as exc:
        create(name="王五")
    assert exc.value.status == 409 and "id_number" in exc.value.errors
    assert Person.objects.count() == 1 and len(entries()) == 1


def test_under_eighteen_cannot_be_registered_for_special_operations(create):
    """RULES.md 1: 18 or older to be registered for an item (the day before the 18th
    birthday is too early, the birthday itself is fine)."""
    minor = make_id_number(3, birth=date(2008, 6, 2))
    with pytest.raises(ValidationFailed) as exc:
        create(id_number=minor, special_operations=["MEM-2.1"])
    assert "18" in errors_of(exc)["special_operations"]
    adult = make_id_number(4, birth=date(2008, 6, 1))
    assert create(id_number=adult, special_operations=["SAMR-N1"]).pk
    # Without a special operation a minor may be on the register (e.g. an apprentice).
    assert create(id_number=minor).pk


def test_unknown_operation_code_is_named(create):
    with pytest.raises(ValidationFailed) as exc:
        create(special_operations=["MEM-2.1", "MEM-77"])
    assert "MEM-77" in errors_of(exc)["special_operations"]


def test_missing_name_organization_and_bad_phone(manager):
    with pytest.raises(ValidationFailed) as exc:
        svc.person_create(actor=manager, name=" ", id_number=ID, phone="12345")
    assert {"name", "organization", "phone"} <= set(exc.value.errors)


def test_create_writes_one_audit_entry_without_the_full_id(create):
    person = create()
    [entry] = entries()
    assert (entry.action, entry.object_id) == ("create", str(person.pk))
    assert entry.changes["id_number"] == {"before": None, "after": person.id_number_masked}
    assert ID not in str(entry.changes)


def test_update_records_field_level_changes(create, manager):
    person = create()
    svc.person_update(actor=manager, person=person, phone="13800000000", job_title="焊工")
    entry = entries(person)[-1]
    assert entry.action == "update"
    assert entry.changes == {
        "job_title": {"before": "", "after": "焊工"},
        "phone": {"before": "13912345678", "after": "13800000000"},
    }


def test_update_without_change_writes_nothing(create, manager):
    person = create()
    svc.person_update(actor=manager, person=person, name="李四")
    assert len(entries()) == 1


def test_update_to_another_persons_id_is_a_conflict(create, manager):
    person = create()
    other = create(id_number=make_id_number(9), name="王五")
    with pytest.raises(Conflict):
        svc.person_update(actor=manager, person=other, id_number=ID)
    other.refresh_from_db()
    assert other.full_id_number() == make_id_number(9) and person.pk


def test_update_of_id_number_rechecks_the_age_for_current_operations(create, manager):
    """RULES.md 1: correcting the ID number to a minor's must not keep a minor on a
    special operation."""
    person = create(special_operations=["MEM-2.1"])
    with pytest.raises(ValidationFailed) as exc:
        svc.person_update(
            actor=manager, person=person, id_number=make_id_number(5, birth=date(2010, 1, 1))
        )
    assert "special_operations" in exc.value.errors
    person.refresh_from_db()
    assert person.birth_date == date(1990, 5, 17)


def test_blacklisting_needs_a_reason(create, manager):
    person = create()
    with pytest.raises(ValidationFailed) as exc:
        svc.person_set_state(actor=manager, person=person, state=EmploymentState.BLACKLISTED)
    assert "reason" in exc.value.errors
    svc.person_set_state(actor=manager, person=person, state="blacklisted", reason="严重违章")
    person.refresh_from_db()
    assert (person.employment_state, person.state_reason) == ("blacklisted", "严重违章")
    assert entries(person)[-1].changes["employment_state"] == {
        "before": "active",
        "after": "blacklisted",
    }


def test_leaving_twice_is_one_change(create, manager):
    person = create()
    for _ in range(2):
        svc.person_set_state(actor=manager, person=person, state=EmploymentState.LEFT)
    assert [e.action for e in entries(person)] == ["create", "state_change"]


def test_area_head_may_take_a_person_off_own_site_but_not_off_anothers(db, org, django_user_model):
    mine, theirs = SiteFactory(), SiteFactory()
    head = Actor(user=make_user(django_user_model, "ah", Role.AREA_HEAD, sites=[mine]))
    person = svc.person_create(actor=head, name="甲", id_number=ID, organization=org, sites=[mine])
    person.sites.add(theirs)
    with pytest.raises(ValidationFailed):
        svc.person_update(actor=head, person=person, sites=[mine])
    svc.person_update(actor=head, person=person, sites=[theirs])
    assert list(person.sites.all()) == [theirs]


def test_unknown_state_is_rejected(create, manager):
    with pytest.raises(ValidationFailed):
        svc.person_set_state(actor=manager, person=create(), state="retired")


def test_full_id_number_only_for_safety_managers_and_every_view_is_audited(
    create, manager, django_user_model
):
    """DESIGN.md 6: shown masked except to roles that need it; every view audit-logged."""
    person = create()
    assert svc.person_reveal_id_number(actor=manager, person=person) == ID
    entry = entries(person)[-1]
    assert (entry.action, entry.actor) == ("view_id_number", "manager")
    viewer = Actor(user=make_user(django_user_model, "viewer", Role.VIEWER))
    with pytest.raises(NotAllowed):
        svc.person_reveal_id_number(actor=viewer, person=person)
    assert [e.action for e in entries(person)] == ["create", "view_id_number"]


def test_contractor_admin_registers_only_for_own_organization(db, org, django_user_model):
    """Issue 2 roles: a contractor admin works only on their own organization (and its
    subcontractors)."""
    sub = OrganizationFactory(parent=org)
    admin = Actor(user=make_user(django_user_model, "ca", Role.CONTRACTOR_ADMIN, organization=org))
    assert svc.person_create(actor=admin, name="甲", id_number=ID, organization=sub).pk
    with pytest.raises(ValidationFailed) as exc:
        svc.person_create(
            actor=admin, name="乙", id_number=make_id_number(8), organization=OrganizationFactory()
        )
    assert "organization" in exc.value.errors


def test_area_head_places_people_only_at_own_sites(db, org, django_user_model):
    mine, theirs = SiteFactory(), SiteFactory()
    head = Actor(user=make_user(django_user_model, "ah", Role.AREA_HEAD, sites=[mine]))
    with pytest.raises(ValidationFailed) as exc:
        svc.person_create(actor=head, name="甲", id_number=ID, organization=org, sites=[theirs])
    assert "sites" in exc.value.errors
    person = svc.person_create(actor=head, name="甲", id_number=ID, organization=org, sites=[mine])
    assert list(person.sites.all()) == [mine]


def test_viewer_cannot_write(db, org, django_user_model):
    viewer = Actor(user=make_user(django_user_model, "viewer", Role.VIEWER))
    with pytest.raises(NotAllowed):
        svc.person_create(actor=viewer, name="甲", id_number=ID, organization=org)
    assert not Person.objects.exists()
