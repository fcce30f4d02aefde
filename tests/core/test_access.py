"""Roles and scoping (issue 2, 7): safety manager everything; area head their sites;
contractor admin only their own organization's people and certificates (subcontractors
included); viewer reads everything, writes nothing. One gate, core/access.py, used by
every selector and service: a guessed id outside the scope is simply not there."""

from datetime import date

import pytest

from safework.certificates import services as cert_svc
from safework.certificates.models import Certificate
from safework.certificates.selectors import certificate_list, status_counts
from safework.core.access import (
    certificates_visible,
    organizations_visible,
    people_visible,
    scope_organization_ids,
)
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed
from safework.core.models import Organization
from safework.people import services as people_svc
from safework.people.models import Person
from safework.people.selectors import person_get, person_list
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    make_id_number,
)

ON = date(2025, 6, 10)


@pytest.fixture
def plant(db, django_user_model):
    """An owner with two sites, contractor A (with a subcontractor and its own
    sub-subcontractor) and contractor B, one worker each with a certificate."""
    owner = OrganizationFactory(kind="owner")
    a = OrganizationFactory()
    a_sub = OrganizationFactory(parent=a, kind="subcontractor")
    a_subsub = OrganizationFactory(parent=a_sub, kind="subcontractor")
    b = OrganizationFactory()
    north, south = SiteFactory(owner=owner), SiteFactory(owner=owner)
    people = {
        "a": PersonFactory(organization=a, sites=[north]),
        "a_sub": PersonFactory(organization=a_sub, sites=[south]),
        "a_subsub": PersonFactory(organization=a_subsub),
        "b": PersonFactory(organization=b, sites=[north, south]),
        "owner": PersonFactory(organization=owner, sites=[south]),
    }
    certs = {k: CertificateFactory(person=p) for k, p in people.items()}

    def actor(name, role, **kw):
        return Actor(user=make_user(django_user_model, name, role, **kw))

    actors = {
        "manager": actor("m", Role.SAFETY_MANAGER),
        "viewer": actor("v", Role.VIEWER),
        "admin_a": actor("ca", Role.CONTRACTOR_ADMIN, organization=a),
        "admin_b": actor("cb", Role.CONTRACTOR_ADMIN, organization=b),
        "head_north": actor("hn", Role.AREA_HEAD, sites=[north]),
        "nobody": Actor(user=django_user_model.objects.create_user("np", password="x")),
    }
    return {
        "orgs": (owner, a, a_sub, a_subsub, b),
        "people": people,
        "certs": certs,
        "actors": actors,
        "sites": (north, south),
    }


def seen_people(plant, actor) -> set[str]:
    names = {p.pk: k for k, p in plant["people"].items()}
    return {names[p.pk] for p in people_visible(Person.objects.all(), actor)}


def seen_certs(plant, actor) -> set[str]:
    names = {c.pk: k for k, c in plant["certs"].items()}
    return {names[c.pk] for c in certificates_visible(Certificate.objects.all(), actor)}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("manager", {"a", "a_sub", "a_subsub", "b", "owner"}),
        ("viewer", {"a", "a_sub", "a_subsub", "b", "owner"}),
        ("admin_a", {"a", "a_sub", "a_subsub"}),
        ("admin_b", {"b"}),
        ("head_north", {"a", "b"}),
        ("nobody", set()),  # a login without a profile sees nothing
    ],
)
def test_who_sees_which_people_and_certificates(plant, who, expected):
    actor = plant["actors"][who]
    assert seen_people(plant, actor) == expected
    assert seen_certs(plant, actor) == expected
    listed = {p.pk for p in person_list(actor=actor, on=ON)}
    assert listed == {plant["people"][k].pk for k in expected}
    certs = {c.pk for c in certificate_list(actor=actor, on=ON)}
    assert certs == {plant["certs"][k].pk for k in expected}
    assert sum(status_counts(actor=actor, on=ON).values()) == len(expected)


def test_area_head_at_two_sites_sees_a_person_once(plant):
    """A person at both of an area head's sites is one row, not two."""
    head = Actor(user=plant["actors"]["head_north"].user)
    head.profile.sites.add(plant["sites"][1])
    head = Actor(user=head.user)
    rows = list(person_list(actor=head, on=ON))
    assert len(rows) == len({p.pk for p in rows}) == 4


def test_contractor_admin_scope_covers_the_chain_of_subcontractors(plant):
    _, a, a_sub, a_subsub, b = plant["orgs"]
    assert set(scope_organization_ids(plant["actors"]["admin_a"])) == {a.pk, a_sub.pk, a_subsub.pk}
    visible = organizations_visible(Organization.objects.all(), plant["actors"]["admin_a"])
    assert b not in visible


def test_guessing_an_id_outside_the_scope_finds_nothing(plant):
    """Issue 2: a contractor admin cannot read another organization's data by guessing ids."""
    other = plant["people"]["b"]
    with pytest.raises(Person.DoesNotExist):
        person_get(actor=plant["actors"]["admin_a"], pk=other.pk)
    with pytest.raises(Certificate.DoesNotExist):
        cert_svc.certificate_for_actor(actor=plant["actors"]["admin_a"], pk=plant["certs"]["b"].pk)


def test_viewer_reads_but_cannot_write(plant):
    viewer = plant["actors"]["viewer"]
    person, cert = plant["people"]["a"], plant["certs"]["a"]
    with pytest.raises(NotAllowed):
        people_svc.person_update(actor=viewer, person=person, name="改名")
    with pytest.raises(NotAllowed):
        cert_svc.certificate_renew(actor=viewer, certificate=cert)
    with pytest.raises(NotAllowed):
        people_svc.person_reveal_id_number(actor=viewer, person=person)


def test_contractor_admin_cannot_touch_another_organizations_people(plant):
    admin = plant["actors"]["admin_a"]
    person, cert = plant["people"]["b"], plant["certs"]["b"]
    with pytest.raises(NotAllowed):
        people_svc.person_update(actor=admin, person=person, name="改名")
    with pytest.raises(NotAllowed):
        people_svc.person_set_state(actor=admin, person=person, state="left")
    for service, kwargs in [
        (cert_svc.certificate_update, {"issued_by": "X"}),
        (cert_svc.certificate_renew, {}),
        (cert_svc.certificate_suspend, {"reason": "x"}),
        (cert_svc.certificate_revoke, {"reason": "x"}),
        (cert_svc.certificate_record_review, {"reviewed_on": ON}),
        (cert_svc.certificate_replace, {"number": "N"}),
    ]:
        with pytest.raises(NotAllowed):
            service(actor=admin, certificate=cert, **kwargs)
    person.refresh_from_db()
    cert.refresh_from_db()
    assert person.name != "改名" and cert.issued_by != "X" and not cert.superseded


def test_contractor_admin_cannot_move_own_person_to_another_organization(plant):
    admin = plant["actors"]["admin_a"]
    b = plant["orgs"][4]
    from safework.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        people_svc.person_update(actor=admin, person=plant["people"]["a"], organization=b)
    assert "organization" in exc.value.errors


def test_contractor_admin_cannot_create_a_person_in_another_organization(plant):
    from safework.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        people_svc.person_create(
            actor=plant["actors"]["admin_b"],
            name="甲",
            id_number=make_id_number(900),
            organization=plant["orgs"][1],
        )
    assert "organization" in exc.value.errors
    assert not Person.objects.filter(name="甲").exists()


def test_only_safety_managers_change_organizations_and_sites(plant):
    from safework.core import services as core_svc

    for who in ("viewer", "admin_a", "head_north"):
        with pytest.raises(NotAllowed):
            core_svc.organization_create(
                actor=plant["actors"][who], name="新单位", kind="contractor"
            )
        with pytest.raises(NotAllowed):
            core_svc.site_update(actor=plant["actors"][who], site=plant["sites"][0], name="改名")
