"""Each figure of the safety manager's dashboard on a small world with known answers
(conftest.world), for the filters and for users who see less."""

from datetime import timedelta

import pytest

from safework.dashboard import selectors as sel
from safework.dashboard.filters import DashboardFilter

from .conftest import NOW, TODAY


def flt(actor, **kw):
    return DashboardFilter.of(actor, on=TODAY, now=NOW, **kw)


def test_people_on_site_now_and_first_entries(world, manager):
    f = flt(manager)
    assert sel.on_site_count(f) == 5  # the renewing worker entered and left again
    names = {e.person_name for e in sel.new_entry_events(f)}
    assert names == {"过期电工", "未准入", "普工", "换证中"}  # the others came before
    assert sel.new_entry_count(f) == 4


def test_compliance_on_site_counts_special_operations_workers_only(world, manager):
    rate = sel.compliance_on_site(flt(manager))
    assert (rate.total, rate.ok) == (4, 2)  # 普工 has no special operation
    assert rate.percent == "50.0%"
    names = set(sel.noncompliant_on_site(flt(manager)).values_list("name", flat=True))
    assert names == {"过期电工", "未准入"}  # expired certificate; not admitted


def test_compliance_in_the_register(world, manager):
    rate = sel.compliance_register(flt(manager))
    assert (rate.total, rate.ok) == (6, 3)


def test_certificates_by_status_and_expiry_windows(world, manager):
    f = flt(manager)
    counts = sel.certificate_counts(f)
    assert counts == {
        "valid": 3, "expiring": 1, "review_overdue": 0, "expired": 1,
        "renewing": 1, "suspended": 0, "revoked": 0,
    }  # fmt: skip
    assert sel.expiring_counts(f) == {7: 0, 15: 1, 30: 1}
    assert [c.person.name for c in sel.review_due(f)] == ["将到期"]
    ages = sel.renewing_ages(f)
    assert ages == {"bands": [0, 1, 0, 0], "oldest_days": 45}


def test_permits_by_window_kind_and_level(world, manager):
    counts = sel.permit_counts(flt(manager))
    assert counts["live"] == [{"kind": "hot_work", "level": "hot_2", "n": 2}]
    assert counts["period"] == [{"kind": "hot_work", "level": "hot_2", "n": 2}]
    assert counts["month"] == [
        {"kind": "height", "level": "height_1", "n": 1},
        {"kind": "hot_work", "level": "hot_2", "n": 2},
    ]


def test_gate_denials_with_reasons(world, manager):
    total, reasons = sel.denials_by_reason(flt(manager))
    assert total == 2
    assert reasons == {"certificate_expired": 1, "not_admitted": 1, "briefing_not_passed": 1}
    assert [e.person_name for e in sel.denials_with_reason(flt(manager), "not_admitted")] == [
        "未准入"
    ]


def test_outbox_health(world, manager):
    health = sel.outbox_health(flt(manager))
    assert health["counts"] == {"pending": 1, "failed": 0, "dead": 1}
    assert health["oldest_minutes"] is not None


def test_site_filter(world, manager):
    f = flt(manager, site_id=world.other_site.pk)
    assert sel.on_site_count(f) == 0
    assert sel.new_entry_count(f) == 1  # 换证中 came in (and left)
    assert sel.certificate_counts(f)["renewing"] == 1
    assert sel.certificate_counts(f)["expired"] == 0
    assert sel.permit_counts(f)["live"] == []


def test_organization_filter(world, manager):
    f = flt(manager, organization_id=world.owner.pk)
    assert sel.on_site_count(f) == 1  # 将到期
    rate = sel.compliance_register(f)
    assert (rate.total, rate.ok) == (3, 2)  # 将到期, 老师傅 ok; 换证中 not
    assert sel.outbox_health(f)["counts"]["dead"] == 1
    assert sel.outbox_health(f)["counts"]["pending"] == 0


def test_date_range_widens_period_figures(world, manager):
    f = flt(manager, date_from=TODAY - timedelta(days=31))
    assert sel.new_entry_count(f) == 6  # the two earlier first entries count now
    assert sel.permit_counts(f)["period"][0] == {"kind": "height", "level": "height_1", "n": 1}


def test_contractor_admin_sees_only_their_company(world, contractor_admin):
    f = flt(contractor_admin)
    assert sel.on_site_count(f) == 4  # not the owner's 将到期
    assert sel.compliance_register(f).total == 3
    assert sel.certificate_counts(f)["renewing"] == 0
    assert sel.outbox_health(f)["counts"] == {"pending": 1, "failed": 0, "dead": 0}
    assert sel.denials_by_reason(f)[0] == 2


def test_area_head_sees_their_sites(world, area_head_other):
    f = flt(area_head_other)
    assert sel.on_site_count(f) == 0
    assert sel.new_entry_count(f) == 1
    assert sel.compliance_register(f).total == 2  # 换证中 and 老师傅 belong to 二厂
    assert sel.permit_counts(f)["live"] == []


@pytest.mark.parametrize("role_fixture", ["contractor_admin", "area_head_other"])
def test_contractor_board(world, request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    board = sel.contractor_board(flt(actor, organization_id=world.contractor.pk))
    assert set(board) == {
        "on_site",
        "compliance",
        "compliance_register",
        "new_entries",
        "retraining",
    }


def test_counts_agree_with_their_lists(world, manager):
    f = flt(manager)
    for days, n in sel.expiring_counts(f).items():
        assert n == sel.expiring_within(f, days).count()
    for band, n in enumerate(sel.renewing_ages(f)["bands"]):
        assert n == sel.renewing(f, band).count()


def test_retraining_by_category_counts_the_lists(world, manager):
    from django.utils import timezone

    from safework.contractors.models import Course, QuizAttempt

    course = Course.objects.create(title="动火安全", category="动火")
    height = Course.objects.create(title="高处作业", category="高处")
    old = timezone.now() - timedelta(days=300)
    for person, c, until in (
        (world.people["ok"], course, TODAY + timedelta(days=5)),
        (world.people["expired"], course, TODAY - timedelta(days=1)),
        (world.people["plain"], height, TODAY + timedelta(days=20)),
        (world.people["expiring"], height, TODAY + timedelta(days=90)),  # not due
    ):
        QuizAttempt.objects.create(person=person, course=c, passed=True, submitted_at=old,
                                   valid_until=until)  # fmt: skip
    f = flt(manager)
    assert sel.retraining_counts(f) == {"动火": 2, "高处": 1}
    assert {c: len(a) for c, a in sel.retraining(f)} == sel.retraining_counts(f)
    assert sel.retraining_counts(flt(manager, organization_id=world.owner.pk)) == {}


@pytest.mark.parametrize("role_fixture", ["manager", "contractor_admin", "area_head_other"])
@pytest.mark.parametrize("site", [None, "site"])
def test_presence_read_once_gives_both_figures(world, request, monkeypatch, role_fixture, site):
    """``presence_figures`` (the page's path: presence read once, compliance counted over
    the ids) agrees with the two figures alone, and with the presence subquery that many
    people on site fall back to."""
    actor = request.getfixturevalue(role_fixture)
    f = flt(actor, site_id=world.site.pk if site else None)
    on_site, rate = sel.presence_figures(f)
    assert on_site == sel.on_site_count(f)
    assert rate == sel.compliance_on_site(f)
    monkeypatch.setattr(sel, "PRESENT_IDS_MAX", 0)
    assert sel.compliance_on_site(f) == rate
    assert (rate.total, rate.ok) == {
        ("manager", None): (4, 2), ("manager", "site"): (4, 2),
        ("contractor_admin", None): (3, 1), ("contractor_admin", "site"): (3, 1),
        ("area_head_other", None): (0, 0), ("area_head_other", "site"): (0, 0),
    }[(role_fixture, site)]  # fmt: skip


@pytest.mark.parametrize("days", [0, 31])
def test_permit_counts_in_one_query_match_each_windows_list(world, manager, days):
    from collections import Counter

    f = flt(manager, date_from=TODAY - timedelta(days=days))
    counts = sel.permit_counts(f)
    for window in sel.PERMIT_WINDOWS:
        listed = Counter(sel.permits_window(f, window).values_list("kind", "level"))
        assert {(r["kind"], r["level"]): r["n"] for r in counts[window]} == listed
        assert all(r["n"] for r in counts[window])
    assert counts["month"] != counts["live"]  # the windows are counted apart
