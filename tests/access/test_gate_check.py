"""POST /api/v1/gate/check: allow or deny with every reason that applies (DESIGN.md reason
codes), recorded as a gate event and in the audit trail."""

from datetime import time

import pytest

from safework.access.models import AreaAuthorization, AreaPolicy, Badge, GateEvent
from safework.access.services import badge_ensure, badge_reissue, badge_revoke, badge_token
from safework.audit.models import AuditEntry
from safework.certificates import qualification as qualification_module
from safework.core.clock import today
from tests.access.conftest import days, local
from tests.factories import CertificateFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db


def check(api, credential, gate="n-1", **extra):
    body = {"credential": str(credential), **extra}
    if gate:
        body["gate"] = gate
    response = api.post("/gate/check", body)
    assert response.status_code == 200, response.content
    return response.json()


def worker(org, items=("MEM-2.1",), **person):
    return PersonFactory(organization=org, special_operations=list(items), **person)


def certify(person, code="MEM-2.1", *, until_days=900, review_days=400, **fields):
    from safework.certificates.models import CertificateType

    on = today()
    return CertificateFactory(
        person=person,
        type=CertificateType.objects.get(code=code),
        valid_from=on - days(300),
        valid_until=on + days(until_days),
        next_review_due=on + days(review_days) if review_days is not None else None,
        **fields,
    )


def test_a_qualified_authorised_welder_is_allowed(gate_api, welder, gate, authorized):
    answer = check(gate_api, welder.pk)
    assert answer["decision"] == "allow"
    assert answer["reasons"] == [] and answer["reason_labels"] == []
    assert answer["person"]["name"] == "张焊工"
    assert answer["person"]["organization_name"] == "甲承包商"
    assert answer["person"]["special_operations"] == ["MEM-2.1"]
    assert answer["gate"] == "n-1" and answer["direction"] == "in"


def test_every_credential_kind_finds_the_person(gate_api, welder, gate, authorized, system_actor):
    number = make_id_number(0)
    welder_by_number = PersonFactory.build(id_number=number)
    welder.id_number_hash = welder_by_number.id_number_hash
    welder.save(update_fields=["id_number_hash"])
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    assert check(gate_api, number)["person"]["id"] == welder.pk
    assert check(gate_api, number.lower().replace("", " ").strip())["person"]["id"] == welder.pk
    assert check(gate_api, token)["decision"] == "allow"
    assert check(gate_api, f"https://plant.example/v/{token}")["decision"] == "allow"
    assert check(gate_api, welder.pk, credential_type="person_id")["decision"] == "allow"
    kinds = list(GateEvent.objects.order_by("id").values_list("credential_kind", flat=True))
    assert kinds == ["id_number", "id_number", "badge", "badge", "person_id"]


@pytest.mark.parametrize(
    "credential", ["nonsense", "999999", make_id_number(4321), "b1.k1.1.1.AAAAAAAAAAAAAAAAAAAAAA"]
)
def test_unknown_credentials(gate_api, gate, credential):
    answer = check(gate_api, credential)
    assert answer == answer | {
        "decision": "deny",
        "reasons": ["unknown_credential"],
        "person": None,
    }
    assert answer["reason_labels"] == ["未知凭证"] or answer["reason_labels"][0]


def test_revoked_and_superseded_badges(gate_api, welder, gate, authorized, system_actor):
    first = badge_token(badge_ensure(actor=system_actor, person=welder))
    second = badge_token(badge_reissue(actor=system_actor, person=welder, reason="丢失"))
    assert check(gate_api, first)["reasons"] == ["badge_revoked"]
    assert check(gate_api, second)["decision"] == "allow"
    badge_revoke(actor=system_actor, person=welder, reason="离职")
    answer = check(gate_api, second)
    assert answer["decision"] == "deny" and answer["reasons"] == ["badge_revoked"]
    assert answer["person"]["id"] == welder.pk  # known, but the badge no longer works
    assert Badge.objects.get(person=welder).version == 2


@pytest.mark.parametrize(
    ("state", "reason"),
    [("left", "person_inactive"), ("blacklisted", "person_blacklisted")],
)
def test_employment_state(gate_api, welder, gate, authorized, state, reason):
    welder.employment_state = state
    welder.save()
    assert check(gate_api, welder.pk)["reasons"] == [reason]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"until_days": -1}, "certificate_expired"),
        ({"review_days": -1}, "review_overdue"),
        ({"manual_state": "renewing"}, "certificate_renewing"),
        ({"manual_state": "suspended"}, "certificate_suspended"),
        ({"manual_state": "revoked"}, "certificate_revoked"),
    ],
)
def test_certificate_reasons(gate_api, contractor, gate, area, fields, reason):
    person = worker(contractor)
    certify(person, **fields)
    AreaAuthorization.objects.create(area=area, person=person)
    answer = check(gate_api, person.pk)
    assert answer["decision"] == "deny"
    assert answer["reasons"] == [reason]


def test_no_certificate_and_not_authorised(gate_api, contractor, gate):
    person = worker(contractor, items=("MEM-2.1", "SAMR-N1"))
    certify(person, "MEM-2.1")
    answer = check(gate_api, person.pk)
    assert answer["reasons"] == ["no_certificate", "area_not_authorized"]
    assert len(answer["reason_labels"]) == 2


def test_every_reason_at_once(gate_api, contractor, gate, system_actor):
    person = worker(
        contractor, items=("MEM-2.1", "MEM-1.1", "SAMR-N1"), employment_state="blacklisted"
    )
    certify(person, "MEM-2.1", until_days=-5)
    certify(person, "MEM-1.1", manual_state="suspended")
    badge_revoke(actor=system_actor, person=person, reason="黑名单")
    token = badge_token(Badge.objects.get(person=person))
    answer = check(gate_api, token)
    assert answer["reasons"] == [
        "badge_revoked",
        "person_blacklisted",
        "certificate_suspended",  # MEM-1.1, in catalogue order
        "certificate_expired",  # MEM-2.1
        "no_certificate",  # SAMR-N1
        "area_not_authorized",
    ]


def test_without_a_gate_the_persons_own_qualification_decides(gate_api, contractor):
    person = worker(contractor)
    certify(person)
    assert check(gate_api, person.pk, gate=None)["decision"] == "allow"
    certify(person, "SAMR-N1", manual_state="renewing")
    person.special_operations.add(
        *__import__("safework.certificates.models", fromlist=["x"]).CertificateType.objects.filter(
            code="SAMR-N1"
        )
    )
    answer = check(gate_api, person.pk, gate=None)
    assert answer["reasons"] == ["certificate_renewing"]
    assert answer["gate"] is None and GateEvent.objects.latest("id").gate is None


def test_an_area_without_the_certificate_rule_still_stops_blacklisted_people(
    gate_api, contractor, gate, area
):
    AreaPolicy.objects.create(area=area, requires_qualification=False)
    AreaAuthorization.objects.create(area=area, organization=contractor)
    uncertified = worker(contractor)
    assert check(gate_api, uncertified.pk)["decision"] == "allow"
    uncertified.employment_state = "blacklisted"
    uncertified.save()
    assert check(gate_api, uncertified.pk)["reasons"] == ["person_blacklisted"]


def test_reasons_that_qualification_learns_reach_the_gate(
    gate_api, welder, gate, authorized, area, monkeypatch
):
    """The contractors issue will add admission reasons to ``qualification``; the gate
    takes every reason it returns, also where certificates are not required."""
    real = qualification_module.qualification

    def with_admission(person, item, on):
        result = real(person, item, on)
        return type(result)(result.item_code, False, (*result.reasons, "not_admitted"))

    monkeypatch.setattr(qualification_module, "qualification", with_admission)
    assert check(gate_api, welder.pk)["reasons"] == ["not_admitted"]
    AreaPolicy.objects.create(area=area, requires_qualification=False)
    assert check(gate_api, welder.pk)["reasons"] == ["not_admitted"]


@pytest.mark.parametrize(
    ("start", "end", "allowed"),
    [
        (None, None, True),
        (-3, 3, True),
        (0, 0, True),
        (1, 5, False),
        (-5, -1, False),
        (None, -1, False),
        (1, None, False),
    ],
)
def test_authorisation_dates(gate_api, welder, gate, area, start, end, allowed):
    on = today()
    AreaAuthorization.objects.create(
        area=area,
        person=welder,
        valid_from=on + days(start) if start is not None else None,
        valid_until=on + days(end) if end is not None else None,
    )
    answer = check(gate_api, welder.pk)
    assert (answer["decision"] == "allow") is allowed
    assert answer["reasons"] == ([] if allowed else ["area_not_authorized"])


def test_another_areas_authorisation_does_not_count(gate_api, welder, gate, site):
    from tests.factories import WorkAreaFactory

    AreaAuthorization.objects.create(area=WorkAreaFactory(site=site), person=welder)
    assert check(gate_api, welder.pk)["reasons"] == ["area_not_authorized"]


def test_a_certificate_lapsing_at_midnight_denies_at_0000(gate_api, contractor, gate, area, freeze):
    """证不过期，人不进场: valid_until is the last valid day; nobody touches a record."""
    from datetime import date

    last_day = date(2026, 3, 10)
    person = worker(contractor)
    CertificateFactory(
        person=person, valid_from=date(2020, 3, 11), valid_until=last_day, next_review_due=None
    )
    AreaAuthorization.objects.create(area=area, organization=contractor)
    freeze(local(last_day, time(23, 59, 59)))
    assert check(gate_api, person.pk)["decision"] == "allow"
    freeze(local(last_day + days(1)))
    answer = check(gate_api, person.pk)
    assert answer["decision"] == "deny" and answer["reasons"] == ["certificate_expired"]
    assert answer["checked_at"].startswith("2026-03-11T00:00:00+08:00")


def test_a_review_falling_due_denies_the_day_after(gate_api, contractor, gate, area, freeze):
    from datetime import date

    due = date(2026, 6, 30)
    person = worker(contractor)
    CertificateFactory(
        person=person,
        valid_from=date(2024, 1, 1),
        valid_until=date(2030, 1, 1),
        next_review_due=due,
    )
    AreaAuthorization.objects.create(area=area, person=person)
    freeze(local(due, time(23, 59)))
    assert check(gate_api, person.pk)["decision"] == "allow"
    freeze(local(due + days(1), time(0, 0, 1)))
    assert check(gate_api, person.pk)["reasons"] == ["review_overdue"]


def test_exits_are_always_allowed_but_say_why_an_entry_would_not_be(gate_api, contractor, gate):
    person = worker(contractor, employment_state="left")
    answer = check(gate_api, person.pk, direction="out")
    assert answer["decision"] == "allow"
    assert answer["reasons"] == ["person_inactive", "no_certificate", "area_not_authorized"]


def test_a_one_way_gate_refuses_the_other_direction(gate_api, welder, gate, authorized):
    gate.direction = "in"
    gate.save()
    response = gate_api.post(
        "/gate/check", {"credential": str(welder.pk), "gate": "n-1", "direction": "out"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "direction"


def test_an_unknown_gate_is_a_field_error(gate_api, welder):
    response = gate_api.post("/gate/check", {"credential": str(welder.pk), "gate": "nowhere"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "gate", "message": response.json()["errors"][0]["message"]}
    ]
    assert not GateEvent.objects.exists()


def test_each_decision_is_a_gate_event_and_an_audit_entry(gate_api, welder, gate, authorized):
    check(gate_api, welder.pk)
    check(gate_api, "nobody-at-all")
    allowed, denied = GateEvent.objects.order_by("id")
    assert (allowed.decision, allowed.person_id, allowed.gate_id, allowed.direction) == (
        "allow",
        welder.pk,
        gate.pk,
        "in",
    )
    assert (allowed.area_id, allowed.site_id, allowed.organization_id) == (
        gate.area_id,
        gate.area.site_id,
        welder.organization_id,
    )
    assert denied.reasons == ["unknown_credential"] and denied.person is None
    entries = AuditEntry.objects.filter(action="gate_check").order_by("seq")
    assert [e.object_id for e in entries] == [str(allowed.pk), str(denied.pk)]
    assert entries[0].changes["decision"]["after"] == "allow"
    assert entries[1].changes["reasons"]["after"] == ["unknown_credential"]
    assert "nobody-at-all" not in str(entries[1].changes)  # credentials are not logged


def test_a_contractor_restricted_gate_token_finds_only_its_people(
    contractor, rival, gate, welder, authorized
):
    from tests.api.conftest import ApiClient, new_token

    rival_worker = worker(rival)
    own = ApiClient(token=new_token("gate", organization=contractor))
    assert check(own, welder.pk)["decision"] == "allow"
    assert check(own, rival_worker.pk)["reasons"] == ["unknown_credential"]


def test_a_deactivated_gate_refuses_at_once(gate_api, welder, gate, authorized, manager):
    from safework.access.services import gate_update

    assert check(gate_api, welder.pk)["decision"] == "allow"  # the gate is now cached
    gate_update(actor=manager, gate=gate, is_active=False)
    assert (
        gate_api.post("/gate/check", {"credential": str(welder.pk), "gate": "n-1"}).status_code
        == 422
    )


def test_a_check_takes_a_fixed_number_of_queries(
    gate_api, welder, gate, authorized, django_assert_max_num_queries
):
    """The token; the person and their operations with certificates (two plain
    statements); the event and its audit entry (one statement on PostgreSQL, three on
    SQLite) in a transaction (a savepoint inside the test's)."""
    check(gate_api, welder.pk)  # the gate is cached from here on
    with django_assert_max_num_queries(9):
        check(gate_api, welder.pk)


def test_the_gate_reads_the_same_facts_as_the_allowlist(contractor, area, authorized, welder):
    """``at_gate`` (one statement on PostgreSQL, two on SQLite) loads the person, their
    special operations in catalogue order and each item's certificates (replaced ones,
    manual states and missing review dates included) exactly as ``with_facts`` does."""
    from safework.access.facts import at_gate, with_facts
    from safework.people.models import Person

    person = worker(contractor, items=("MEM-2.1", "MEM-3.1", "MEM-1.1"))
    certify(person, "MEM-2.1", until_days=10)
    certify(person, "MEM-2.1", until_days=900, review_days=None, manual_state="renewing")
    certify(person, "MEM-3.1", until_days=-5, superseded=True)
    AreaAuthorization.objects.create(area=area, person=person)

    def facts(p):
        certs = sorted(  # the rules pick per item, whatever the order
            (c.pk, c.type.code, c.valid_until, c.next_review_due, c.manual_state, c.superseded)
            for c in p.certificates.all()
        )
        items = [(t.pk, t.code, t.name) for t in p.special_operations.all()]
        return p.name, p.organization_id, p.badge if hasattr(p, "badge") else None, items, certs

    found = at_gate(area_id=area.pk, pk=person.pk)
    expected = with_facts(Person.objects.filter(pk=person.pk)).get()
    assert facts(found.person) == facts(expected)
    assert [g.area_id for g in found.grants] == [area.pk, area.pk]  # person and organization
    assert at_gate(area_id=area.pk, pk=welder.pk).person.special_operations.all()
