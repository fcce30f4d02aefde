"""Site attendance (issue 7): entries and exits from the gate events or recorded by hand
at a kiosk page give "today on site", "new today" and a person's history."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from safework.access import services as access
from safework.contractors import selectors, services
from safework.contractors.models import AttendanceRecord
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.errors import NotAllowed

from .conftest import admit, authorize, certify


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def admitted(manager, admin, worker, site, area):
    certify(worker)
    authorize(worker.person, area)
    admit(manager, admin, worker, site)
    return worker


def gate_pass(person, gate, direction, moment):
    return access.gate_check(actor=Actor.system("gate"), credential=str(person.pk),
                             kind="person_id", gate_code=gate.code, direction=direction, now=moment)  # fmt: skip


def test_gate_events_become_attendance_once(admitted, gate):
    day = today()
    gate_pass(admitted.person, gate, "in", at(day, 8))
    assert services.attendance_sync() == 1
    assert services.attendance_sync() == 0
    record = AttendanceRecord.objects.get()
    assert (record.source, record.direction, record.site_id) == ("gate", "in", gate.area.site_id)


def test_a_passage_that_commits_after_a_later_one_is_still_copied(admitted, gate):
    """Gate events take their id at insert and show at commit (after their audit entry):
    a passage with a lower id can appear after a later one was copied. It is copied
    all the same, once."""
    from safework.contractors.models import AttendanceCursor

    day = today()
    first = gate_pass(admitted.person, gate, "in", at(day, 8)).event
    second = gate_pass(admitted.person, gate, "out", at(day, 9)).event
    assert services.attendance_sync() == 2
    # As if the first passage had not been visible yet when the second was copied.
    AttendanceRecord.objects.filter(gate_event=first).delete()
    assert AttendanceCursor.objects.get().last_event_id == second.pk
    assert services.attendance_sync() == 1
    assert services.attendance_sync() == 0
    copied = AttendanceRecord.objects.order_by("at").values_list("gate_event_id", "direction")
    assert list(copied) == [(first.pk, "in"), (second.pk, "out")]


def test_denied_passages_are_not_attendance(worker, gate, area):
    authorize(worker.person, area)
    result = gate_pass(worker.person, gate, "in", at(today(), 8))
    assert result.decision == "deny"
    services.attendance_sync()
    assert not AttendanceRecord.objects.exists()


def test_today_on_site_and_new_today(manager, admitted, gate, site, contractor, admin):
    from .conftest import register

    day = today()
    veteran = register(admin, contractor, name="老李")
    services.kiosk_record(actor=manager, person=veteran.person, site=site, direction="in",
                          at=at(day - timedelta(days=3), 8))  # fmt: skip
    services.kiosk_record(
        actor=manager, person=veteran.person, site=site, direction="in", at=at(day, 7)
    )
    gate_pass(admitted.person, gate, "in", at(day, 8))
    gate_pass(admitted.person, gate, "out", at(day, 12))
    gate_pass(admitted.person, gate, "in", at(day, 13))
    services.attendance_sync()
    on_site = selectors.on_site_today(actor=manager, site_id=site.pk, on=day)
    assert sorted(r.person.name for r in on_site) == ["王焊工", "老李"]
    gate_pass(admitted.person, gate, "out", at(day, 17))
    services.attendance_sync()
    assert [
        r.person.name for r in selectors.on_site_today(actor=manager, site_id=site.pk, on=day)
    ] == ["老李"]
    assert [r.person.name for r in selectors.new_today(actor=manager, site_id=site.pk, on=day)] == [
        "王焊工"
    ]
    history = selectors.attendance_history(actor=manager, person=admitted.person)
    assert [(r.direction, r.source) for r in history] == [
        ("out", "gate"),
        ("in", "gate"),
        ("out", "gate"),
        ("in", "gate"),
    ]


def test_the_kiosk_page(manager_client, admitted, site):
    page = manager_client.post(
        f"/contractors/attendance/?site={site.pk}",
        {"site": site.pk, "id_number": admitted.person.full_id_number(), "direction": "in"},
    )
    assert page.status_code == 302
    body = manager_client.get(f"/contractors/attendance/?site={site.pk}").content.decode()
    assert "王焊工" in body and 'id="on-site"' in body
    unknown = manager_client.post(f"/contractors/attendance/?site={site.pk}",
                                  {"site": site.pk, "id_number": "110101199001011234", "direction": "in"})  # fmt: skip
    assert unknown.status_code == 200 and "invalid-feedback" in unknown.content.decode()


def test_a_contractor_admin_records_only_their_own_people(rival_admin_user, admitted, site):
    with pytest.raises(NotAllowed):
        services.kiosk_record(
            actor=Actor(user=rival_admin_user), person=admitted.person, site=site, direction="in"
        )
    assert (
        list(
            selectors.attendance_history(actor=Actor(user=rival_admin_user), person=admitted.person)
        )
        == []
    )
