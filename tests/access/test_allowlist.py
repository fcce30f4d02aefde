"""GET /api/v1/gate/allowlist: the full list or the changes since a cursor; time-driven
changes (a midnight lapse) without any edit; a too-old cursor gets a full list."""

import hashlib
import json
from datetime import date, time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from safework.access import allowlist
from safework.access.models import AllowlistEntry, AreaAuthorization, AreaPolicy
from safework.access.services import authorization_create, badge_ensure, badge_revoke, badge_token
from safework.certificates.services import certificate_revoke
from safework.people.services import person_set_state
from tests.access.conftest import days, local
from tests.api.conftest import ApiClient, new_token
from tests.factories import CertificateFactory, PersonFactory

pytestmark = pytest.mark.django_db
LAST_DAY = date(2026, 3, 10)


def feed(api, since=None, **params):
    response = api.get("/gate/allowlist", {"since": since, **params} if since else params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def by_person(answer):
    return {e["person_id"]: e for e in answer["entries"]}


@pytest.fixture
def lapsing(contractor, area):
    """A welder whose certificate's last valid day is LAST_DAY, authorised by org."""
    person = PersonFactory(name="李到期", organization=contractor, special_operations=["MEM-2.1"])
    CertificateFactory(
        person=person, valid_from=date(2020, 3, 11), valid_until=LAST_DAY, next_review_due=None
    )
    AreaAuthorization.objects.create(area=area, organization=contractor)
    return person


def test_full_list_holds_the_allowed_people_with_areas_until_badge_and_photo(
    gate_api, welder, gate, area, authorized, contractor, system_actor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = b"\xff\xd8\xff fake jpeg bytes"
    welder.photo = default_storage.save("photos/w.jpg", ContentFile(photo))
    welder.save()
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    PersonFactory(organization=contractor, special_operations=["MEM-2.1"])  # no certificate
    answer = feed(gate_api)
    assert answer["full"] is True and answer["more"] is False
    assert answer["gates"] == [{"code": "n-1", "area_id": area.pk, "direction": "both"}]
    assert list(by_person(answer)) == [welder.pk]
    entry = by_person(answer)[welder.pk]
    assert entry == {
        "person_id": welder.pk,
        "name": "张焊工",
        "organization_id": contractor.pk,
        "allowed": True,
        "allowed_areas": [area.pk],
        "allowed_until": "2027-01-02T00:00:00+08:00",  # review due 2027-01-01 is the last day
        "badge_hash": hashlib.sha256(token.encode()).hexdigest(),
        "photo_url": f"/api/v1/gate/photos/{welder.pk}",
        "photo_sha256": hashlib.sha256(photo).hexdigest(),
    }
    served = gate_api.client.get(entry["photo_url"], headers=gate_api.headers)
    assert served.status_code == 200 and b"".join(served.streaming_content) == photo


def test_a_delta_carries_only_what_changed_including_removals(
    gate_api, welder, gate, authorized, contractor, system_actor
):
    other = PersonFactory(organization=contractor, special_operations=["MEM-2.1"])
    CertificateFactory(person=other, valid_until=date(2031, 1, 1), next_review_due=date(2028, 1, 1))
    first = feed(gate_api)
    assert set(by_person(first)) == {welder.pk, other.pk}
    cert = welder.certificates.get()
    certificate_revoke(actor=system_actor, certificate=cert, reason="考试作弊")
    delta = feed(gate_api, first["cursor"])
    assert delta["full"] is False
    assert list(by_person(delta)) == [welder.pk]
    assert (
        by_person(delta)[welder.pk] | {"allowed": False, "allowed_areas": []}
        == by_person(delta)[welder.pk]
    )
    again = feed(gate_api, delta["cursor"])
    assert again["entries"] == [] and again["cursor"] == delta["cursor"]


def test_badge_and_person_changes_reach_the_delta(gate_api, welder, gate, authorized, system_actor):
    cursor = feed(gate_api)["cursor"]
    badge_ensure(actor=system_actor, person=welder)
    delta = feed(gate_api, cursor)
    assert by_person(delta)[welder.pk]["badge_hash"]
    badge_revoke(actor=system_actor, person=welder, reason="丢失")
    delta = feed(gate_api, delta["cursor"])
    assert by_person(delta)[welder.pk]["badge_hash"] is None
    assert by_person(delta)[welder.pk]["allowed"] is True  # face or ID still work
    person_set_state(actor=system_actor, person=welder, state="blacklisted", reason="违章")
    delta = feed(gate_api, delta["cursor"])
    assert by_person(delta)[welder.pk]["allowed"] is False


def test_a_midnight_lapse_appears_without_any_edit(gate_api, gate, lapsing, freeze):
    freeze(local(LAST_DAY, time(23, 59, 59)))
    before = feed(gate_api)
    entry = by_person(before)[lapsing.pk]
    assert entry["allowed_until"] == "2026-03-11T00:00:00+08:00"
    assert feed(gate_api, before["cursor"])["entries"] == []
    freeze(local(LAST_DAY + days(1), time(0, 0, 1)))
    after = feed(gate_api, before["cursor"])
    assert by_person(after)[lapsing.pk]["allowed"] is False
    assert lapsing.pk not in by_person(feed(gate_api))


def test_authorisations_ending_and_starting_are_time_driven_too(
    gate_api, gate, area, contractor, freeze
):
    person = PersonFactory(organization=contractor)  # no special operations: nothing to certify
    AreaAuthorization.objects.create(area=area, person=person, valid_until=LAST_DAY)
    later = AreaAuthorization.objects.create(
        area=area, person=person, valid_from=LAST_DAY + days(3), valid_until=LAST_DAY + days(5)
    )
    freeze(local(LAST_DAY, time(12)))
    first = feed(gate_api)
    assert by_person(first)[person.pk]["allowed_until"] == "2026-03-11T00:00:00+08:00"
    freeze(local(LAST_DAY + days(1), time(0, 0)))
    gone = feed(gate_api, first["cursor"])
    assert by_person(gone)[person.pk]["allowed"] is False
    freeze(local(later.valid_from, time(0, 0)))
    back = feed(gate_api, gone["cursor"])
    assert by_person(back)[person.pk]["allowed_until"] == "2026-03-16T00:00:00+08:00"


def test_allowed_until_is_the_earliest_of_lapse_review_and_authorisation(
    gate_api, gate, area, contractor, freeze
):
    freeze(local(date(2026, 1, 5), time(9)))
    person = PersonFactory(organization=contractor, special_operations=["MEM-2.1", "SAMR-N1"])
    CertificateFactory(
        person=person,
        valid_from=date(2024, 1, 1),
        valid_until=date(2030, 1, 1),
        next_review_due=date(2027, 1, 1),
    )
    from safework.certificates.models import CertificateType

    CertificateFactory(
        person=person,
        type=CertificateType.objects.get(code="SAMR-N1"),
        valid_from=date(2023, 1, 1),
        valid_until=date(2026, 8, 31),
        next_review_due=None,
    )
    auth = AreaAuthorization.objects.create(
        area=area, person=person, valid_until=date(2026, 12, 31)
    )
    assert by_person(feed(gate_api))[person.pk]["allowed_until"] == "2026-09-01T00:00:00+08:00"
    auth.valid_until = date(2026, 5, 31)
    auth.save()
    allowlist.mark_dirty(person_ids=[person.pk])
    assert by_person(feed(gate_api))[person.pk]["allowed_until"] == "2026-06-01T00:00:00+08:00"


def test_an_area_without_the_certificate_rule_needs_only_the_authorisation(
    gate_api, gate, area, contractor, system_actor
):
    uncertified = PersonFactory(organization=contractor, special_operations=["MEM-2.1"])
    AreaAuthorization.objects.create(area=area, person=uncertified)
    assert uncertified.pk not in by_person(feed(gate_api))
    from safework.access.services import area_policy_set

    area_policy_set(actor=system_actor, area=area, requires_qualification=False)
    entry = by_person(feed(gate_api))[uncertified.pk]
    assert entry["allowed_areas"] == [area.pk] and entry["allowed_until"] is None
    assert AreaPolicy.objects.get(area=area).requires_qualification is False


def test_a_too_old_or_foreign_cursor_gets_a_full_list(
    gate_api, welder, gate, authorized, contractor, freeze
):
    gone = PersonFactory(organization=contractor, special_operations=[])
    AreaAuthorization.objects.create(area=gate.area, person=gone)
    old = feed(gate_api)["cursor"]
    gone_id = gone.pk
    gone.delete()
    delta = feed(gate_api, old)
    assert delta["full"] is False and by_person(delta)[gone_id]["allowed"] is False
    # Tombstones of deleted people are forgotten after a while; older cursors then
    # cannot be answered with a delta.
    from django.utils import timezone

    assert allowlist.purge(before=timezone.now() + days(1)) == 1
    assert feed(gate_api, old)["full"] is True
    current = feed(gate_api)["cursor"]
    assert feed(gate_api, current)["full"] is False
    epoch, seq = current.split(".")
    assert feed(gate_api, f"{epoch}.{int(seq) + 10}")["full"] is True  # from the future
    assert feed(gate_api, f"0000beef.{seq}")["full"] is True  # another epoch
    allowlist.reset()
    assert feed(gate_api, current)["full"] is True


def test_a_malformed_cursor_is_a_field_error(gate_api, gate):
    response = gate_api.get("/gate/allowlist", {"since": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "since"


def test_a_large_delta_comes_in_pages(gate_api, gate, area, contractor):
    cursor = feed(gate_api)["cursor"]
    people = [PersonFactory(organization=contractor) for _ in range(5)]
    AreaAuthorization.objects.create(area=area, organization=contractor)
    allowlist.mark_dirty(organization_id=contractor.pk)
    seen, more = [], True
    while more:
        page = feed(gate_api, cursor, limit=2)
        seen += [e["person_id"] for e in page["entries"]]
        cursor, more = page["cursor"], page["more"]
        assert len(page["entries"]) <= 2
    assert sorted(seen) == sorted(p.pk for p in people)


def test_a_contractor_restricted_gate_token_gets_its_own_people(
    gate, area, welder, authorized, rival
):
    stranger = PersonFactory(organization=rival)
    AreaAuthorization.objects.create(area=area, person=stranger)
    own = ApiClient(token=new_token("gate", organization=welder.organization))
    assert list(by_person(feed(own))) == [welder.pk]
    everyone = ApiClient(token=new_token("gate"))
    assert set(by_person(feed(everyone))) == {welder.pk, stranger.pk}


def test_changes_are_worked_off_right_after_commit(
    welder, gate, area, contractor, system_actor, django_capture_on_commit_callbacks
):
    # As if the fixtures' saves had been committed and worked off.
    allowlist.refresh_pending()
    transaction.get_connection().run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True):
        authorization_create(actor=system_actor, area=area, organization=contractor)
    entry = AllowlistEntry.objects.get(person_id=welder.pk)
    assert json.loads(entry.payload)["allowed_areas"] == [area.pk]
    assert not allowlist.AllowlistDirty.objects.exists()


def test_reconcile_recomputes_what_no_mark_announced(welder, gate, area, authorized):
    allowlist.reconcile()
    assert AllowlistEntry.objects.get(person_id=welder.pk).allowed
    # A bulk update bypasses the signals; the nightly reconciliation catches it.
    type(welder).objects.filter(pk=welder.pk).update(employment_state="left")
    allowlist.AllowlistDirty.objects.all().delete()
    assert allowlist.refresh_pending() == 0
    assert allowlist.reconcile() == 1
    assert not AllowlistEntry.objects.get(person_id=welder.pk).allowed


def test_reconcile_covers_the_marks_made_before_it(welder, gate, area, authorized, contractor):
    """A mark of a whole organization (more than a request refreshes) left after the
    nightly reconciliation would hold up every small change until the minutely task."""
    allowlist.mark_dirty(organization_id=contractor.pk, person_ids=[welder.pk])
    transaction.get_connection().run_on_commit.clear()
    allowlist.reconcile()
    assert not allowlist.AllowlistDirty.objects.exists()


def test_an_area_rule_change_marks_only_the_people_authorised_there(
    gate, area, welder, authorized, contractor, system_actor
):
    from safework.access.services import area_policy_set

    allowlist.refresh_pending()
    area_policy_set(actor=system_actor, area=area, requires_qualification=False)
    mark = allowlist.AllowlistDirty.objects.get()
    assert mark.area_id == area.pk
    assert allowlist._dirty_people([(mark.pk, None, None, area.pk)]) == {welder.pk}


def test_a_request_leaves_large_marks_to_the_task_but_does_time_driven_work(
    gate, area, contractor, monkeypatch
):
    monkeypatch.setattr(allowlist, "REQUEST_LIMIT", 2)
    PersonFactory.create_batch(3, organization=contractor)
    allowlist.refresh_pending()
    allowlist.mark_dirty(organization_id=contractor.pk)
    assert allowlist.refresh_pending(limit=allowlist.REQUEST_LIMIT) == 0
    assert allowlist.AllowlistDirty.objects.exists()  # kept for the minutely task
    AreaAuthorization.objects.create(area=area, organization=contractor)
    assert allowlist.refresh_pending() == 3  # the task has no limit
    assert not allowlist.AllowlistDirty.objects.exists()


def test_rules_that_do_not_say_when_they_lapse_end_the_entry_at_the_next_midnight(
    gate_api, gate, welder, authorized, freeze, monkeypatch
):
    """A contractor's admission running out tomorrow (any day-based rule inside
    qualification): the entry expires at midnight; the nightly reconciliation looks a
    day ahead again."""
    from safework.certificates import qualification as module

    real, lapse = module.qualification, date(2026, 5, 2)

    def admitted_until_may_1st(person, item, on):
        result = real(person, item, on)
        if on < lapse:
            return result
        return type(result)(result.item_code, False, (*result.reasons, "not_admitted"))

    monkeypatch.setattr(module, "qualification", admitted_until_may_1st)
    freeze(local(date(2026, 4, 20), time(9)))
    assert by_person(feed(gate_api))[welder.pk]["allowed_until"] == "2027-01-02T00:00:00+08:00"
    freeze(local(date(2026, 5, 1), time(0, 3)))
    allowlist.reconcile()
    assert by_person(feed(gate_api))[welder.pk]["allowed_until"] == "2026-05-02T00:00:00+08:00"
    freeze(local(lapse, time(0, 0)))
    assert welder.pk not in by_person(feed(gate_api))


def test_one_refresh_per_transaction_however_many_saves(
    contractor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        PersonFactory.create_batch(5, organization=contractor)
    assert len([c for c in callbacks if c is allowlist._refresh_after_commit]) == 1
    assert allowlist.AllowlistDirty.objects.count() == 5
