"""The gate takes every reason qualification gives (DESIGN.md principle 2): a contractor's
worker who is not admitted, or has not passed the briefing, is denied at the gate
(POST /api/v1/gate/check with a gate-scope token), and allowed once both hold."""

import pytest

from safework.contractors import services
from tests.api.conftest import ApiClient, new_token

from .conftest import admit, authorize, certify, correct_answers


@pytest.fixture
def gate_api(db):
    return ApiClient(token=new_token("gate"))


def check(api, worker, gate):
    answer = api.post(
        "/gate/check", {"credential": str(worker.person.full_id_number()), "gate": gate.code}
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_not_admitted_then_briefing_not_passed_then_allowed(
    gate_api, manager, admin, worker, site, area, gate, course
):
    certify(worker)
    authorize(worker.person, area)
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    denied = check(gate_api, worker, gate)
    assert (denied["decision"], denied["reasons"]) == (
        "deny",
        ["not_admitted", "briefing_not_passed"],
    )
    assert denied["reason_labels"][0] != "not_admitted"  # a sentence a supervisor reads
    worker.admissions.all().delete()
    admit(manager, admin, worker, site)
    assert check(gate_api, worker, gate)["reasons"] == ["briefing_not_passed"]
    attempt = services.quiz_start(person=worker.person, course=course)
    services.quiz_submit(attempt=attempt, answers=correct_answers(attempt))
    allowed = check(gate_api, worker, gate)
    assert (allowed["decision"], allowed["reasons"]) == ("allow", [])


def test_a_labourer_without_special_operations_is_stopped_too(
    gate_api, admin, contractor, checklist, site, area, gate
):
    """Admission is about the person, not an operation item: it applies to a general
    labourer as well (the gate check without operations still asks qualification's
    person reasons)."""
    from .conftest import register

    labourer = register(
        admin, contractor, name="钱普工", special_operations=[], worker_kind="labourer"
    )
    authorize(labourer.person, area)
    answer = check(gate_api, labourer, gate)
    assert (answer["decision"], answer["reasons"]) == ("deny", ["not_admitted"])


def test_a_released_worker_is_denied_with_a_revoked_badge(
    gate_api, manager, admin, worker, site, area, gate
):
    certify(worker)
    authorize(worker.person, area)
    admit(manager, admin, worker, site)
    assert check(gate_api, worker, gate)["decision"] == "allow"
    services.worker_release(actor=admin, worker=worker, reason="离场")
    answer = check(gate_api, worker, gate)
    assert answer["decision"] == "deny" and "not_admitted" in answer["reasons"]


def test_the_allowlist_follows_admission_and_release(manager, admin, worker, site, area, gate):
    """Offline gate controllers learn it too: the entry allows once admitted and stops
    allowing when the worker is released (badge revoked, standing changed)."""
    import json

    from safework.access import allowlist
    from safework.access.models import AllowlistEntry

    certify(worker)
    authorize(worker.person, area)
    allowlist.refresh_pending()
    assert AllowlistEntry.objects.get(person_id=worker.person_id).allowed is False
    admit(manager, admin, worker, site)
    allowlist.refresh_pending()
    entry = AllowlistEntry.objects.get(person_id=worker.person_id)
    assert entry.allowed and json.loads(entry.payload)["allowed_areas"] == [area.pk]
    services.worker_release(actor=admin, worker=worker, reason="合同结束")
    allowlist.refresh_pending()
    entry = AllowlistEntry.objects.get(person_id=worker.person_id)
    assert (entry.allowed, json.loads(entry.payload)["badge_hash"]) == (False, None)
