"""The distribution charts and the daily compliance snapshot behind the history."""

from datetime import date, timedelta

from safework.audit.models import AuditEntry
from safework.dashboard import distribution as dist
from safework.dashboard.filters import DashboardFilter
from safework.dashboard.models import ComplianceSnapshot
from safework.dashboard.snapshots import snapshot_take
from safework.dashboard.tasks import compliance_snapshot_task
from safework.people.retirement import retirement_date

from .conftest import NOW, TODAY


def flt(actor, **kw):
    return DashboardFilter.of(actor, on=TODAY, now=NOW, **kw)


def test_workers_by_item_category_and_organization(world, manager):
    f = flt(manager)
    by_item = {r["code"]: r["n"] for r in dist.workers_by_item(f)}
    assert by_item == {"MEM-1.1": 1, "MEM-2.1": 4, "MEM-3.1": 1}
    by_org = {r["name"]: r["n"] for r in dist.workers_by_organization(f)}
    assert by_org == {"甲安装公司": 3, "业主化工": 3}
    assert sum(r["n"] for r in dist.workers_by_category(f)) == 6


def test_age_bands_and_retirement(world, manager):
    f = flt(manager)
    bands = {r["band"]: r["n"] for r in dist.workers_by_age(f)}
    assert bands["40–49"] == 5  # born 1985-06-15: 40 on 2026-06-10
    assert bands["55–59"] == 1  # born 1966-09-01
    assert sum(bands.values()) == 6
    # Born 1966-09: 60 years and 6 months (2024 decision) -> 2027-03-01, within a year.
    assert retirement_date(date(1966, 9, 1), "M") == date(2027, 3, 1)
    assert dist.retirement_counts(f) == {"past": 0, "near": 1}
    assert [p.name for p in dist.near_retirement(f)] == ["老师傅"]
    later = flt(manager, date_to=date(2027, 3, 1), date_from=date(2027, 3, 1))
    assert dist.retirement_counts(later)["past"] == 1


def test_retirement_cut_off_matches_the_rule_at_its_edges():
    day = date(2031, 5, 17)
    for sex in ("M", "F"):
        cut = dist._latest_birth_retiring_by(day, sex)
        assert retirement_date(cut, sex) <= day < retirement_date(cut + timedelta(days=1), sex)


def test_certificates_expiring_per_month(world, manager):
    rows = dist.expiry_by_month(flt(manager))
    assert len(rows) == 12 and rows[0]["month"] == date(2026, 6, 1)
    assert rows[0]["n"] == 1  # 将到期 on 2026-06-20; the expired one is past already
    assert sum(r["n"] for r in rows) == 1


def test_snapshot_keeps_history_by_organization_and_site(world, manager):
    assert snapshot_take(on=TODAY, now=NOW) > 0
    rows = ComplianceSnapshot.objects.filter(on=TODAY)
    everyone = rows.filter(site__isnull=True)
    assert sum(r.workers for r in everyone) == 6 and sum(r.compliant for r in everyone) == 3
    assert sum(r.on_site for r in everyone) == 4
    assert sum(r.on_site_compliant for r in everyone) == 2
    history = dist.compliance_history(flt(manager))
    assert [h["on"] for h in history] == [TODAY]
    assert history[0]["register"].percent == "50.0%"
    assert history[0]["on_site"].percent == "50.0%"
    at_other = dist.compliance_history(flt(manager, site_id=world.other_site.pk))
    assert (at_other[0]["register"].total, at_other[0]["register"].ok) == (2, 1)
    assert AuditEntry.objects.filter(action="dashboard.snapshot").count() == 1


def test_snapshot_again_replaces_the_day(world, manager):
    snapshot_take(on=TODAY, now=NOW)
    first = ComplianceSnapshot.objects.count()
    snapshot_take(on=TODAY, now=NOW)
    assert ComplianceSnapshot.objects.count() == first


def test_history_spans_days_and_is_scoped(world, manager, contractor_admin):
    snapshot_take(on=TODAY - timedelta(days=1), now=NOW - timedelta(days=1))
    snapshot_take(on=TODAY, now=NOW)
    assert len(dist.compliance_history(flt(manager))) == 2
    mine = dist.compliance_history(flt(contractor_admin))
    assert mine[-1]["register"].total == 3  # only the contractor's workers


def test_the_periodic_task_takes_the_snapshot(world, monkeypatch):
    compliance_snapshot_task.call_local()
    assert ComplianceSnapshot.objects.filter(on=TODAY).exists()


def test_snapshot_and_selfcheck_commands(world):
    from io import StringIO

    from django.core.management import call_command

    from safework.dashboard.models import SelfCheckRun

    out = StringIO()
    call_command("dashboard_snapshot", "--date", "2026-06-10", stdout=out)
    assert "snapshot rows" in out.getvalue()
    call_command("selfcheck", "--month", "2026-05", stdout=out)
    assert SelfCheckRun.objects.get().month == date(2026, 5, 1)
    assert "6 FAIL" in out.getvalue()  # 二厂 has no emergency plan
