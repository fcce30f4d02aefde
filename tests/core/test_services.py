"""Organizations, sites and work areas (issue 2, 3): credit codes validated (GB 32100-2015),
duplicates are conflicts (409), each change audited with field-level before/after."""

import pytest

from safework.audit.models import AuditEntry
from safework.core import services as svc
from safework.core.errors import Conflict, ValidationFailed
from safework.core.models import Organization, Site, WorkArea
from tests.factories import OrganizationFactory, SiteFactory

CODE = "91350100M000100Y43"


def entries(obj):
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("seq")
    )


def errors_of(exc_info) -> dict[str, str]:
    return {k: str(v) for k, v in exc_info.value.errors.items()}


def test_organization_create_normalises_the_credit_code_and_audits(manager):
    org = svc.organization_create(
        actor=manager,
        name=" 福建某建设有限公司 ",
        kind="contractor",
        credit_code="91350100m000100y43",
    )
    assert (org.name, org.credit_code) == ("福建某建设有限公司", CODE)
    [entry] = entries(org)
    assert entry.action == "create"
    assert entry.changes["credit_code"] == {"before": None, "after": CODE}


def test_wrong_credit_code_is_a_field_error_in_chinese(manager):
    """GB 32100-2015 check character; the message names the field and is Chinese."""
    with pytest.raises(ValidationFailed) as exc:
        svc.organization_create(
            actor=manager, name="某公司", kind="contractor", credit_code="91350100M000100Y44"
        )
    assert "校验码" in errors_of(exc)["credit_code"]
    assert not Organization.objects.exists()


def test_blank_credit_code_is_allowed(manager):
    """Individual contractors may have none: stored as NULL so two blanks do not clash."""
    one = svc.organization_create(actor=manager, name="甲", kind="contractor", credit_code=" ")
    two = svc.organization_create(actor=manager, name="乙", kind="contractor", credit_code="")
    assert one.credit_code is None and two.credit_code is None


def test_duplicate_name_or_credit_code_is_a_conflict(manager):
    svc.organization_create(actor=manager, name="甲", kind="contractor", credit_code=CODE)
    with pytest.raises(Conflict) as exc:
        svc.organization_create(actor=manager, name="甲", kind="contractor")
    assert "name" in exc.value.errors
    with pytest.raises(Conflict) as exc:
        svc.organization_create(actor=manager, name="乙", kind="contractor", credit_code=CODE)
    assert "credit_code" in exc.value.errors
    assert Organization.objects.count() == 1


def test_organization_needs_name_and_a_known_kind(manager):
    with pytest.raises(ValidationFailed) as exc:
        svc.organization_create(actor=manager, name=" ")
    assert {"name", "kind"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed):
        svc.organization_create(actor=manager, name="甲", kind="partner")


def test_organization_update_and_deactivate(manager):
    org = svc.organization_create(actor=manager, name="甲", kind="contractor")
    svc.organization_update(actor=manager, organization=org, contact_name="王工")
    svc.organization_deactivate(actor=manager, organization=org)
    org.refresh_from_db()
    assert org.contact_name == "王工" and not org.is_active
    assert [e.changes for e in entries(org)[1:]] == [
        {"contact_name": {"before": "", "after": "王工"}},
        {"is_active": {"before": True, "after": False}},
    ]


def test_organization_update_to_a_taken_name_changes_nothing(manager):
    svc.organization_create(actor=manager, name="甲", kind="contractor")
    org = svc.organization_create(actor=manager, name="乙", kind="contractor")
    with pytest.raises(Conflict):
        svc.organization_update(actor=manager, organization=org, name="甲")
    org.refresh_from_db()
    assert org.name == "乙" and len(entries(org)) == 1


def test_site_create_update_and_duplicate_code(manager, db):
    owner = OrganizationFactory(kind="owner")
    site = svc.site_create(actor=manager, name="一厂区", code="plant-1", owner=owner)
    svc.site_update(actor=manager, site=site, address="工业路 1 号")
    assert entries(site)[-1].changes == {"address": {"before": "", "after": "工业路 1 号"}}
    with pytest.raises(Conflict) as exc:
        svc.site_create(actor=manager, name="二厂区", code="plant-1", owner=owner)
    assert "code" in exc.value.errors
    assert Site.objects.count() == 1


def test_site_without_owner_or_code_names_the_fields(manager, db):
    """A missing owner is a field error, not a database error reported as a duplicate."""
    with pytest.raises(ValidationFailed) as exc:
        svc.site_create(actor=manager, name="一厂区")
    assert {"owner", "code"} <= set(exc.value.errors)


def test_work_area_create_update_and_code_unique_per_site(manager, db):
    site, other = SiteFactory(), SiteFactory()
    area = svc.work_area_create(
        actor=manager, site=site, name="罐区", code="tank", risk_level="major"
    )
    svc.work_area_update(actor=manager, work_area=area, risk_level="high")
    assert entries(area)[-1].changes == {"risk_level": {"before": "major", "after": "high"}}
    with pytest.raises(Conflict):
        svc.work_area_create(actor=manager, site=site, name="罐区二", code="tank")
    assert svc.work_area_create(actor=manager, site=other, name="罐区", code="tank").pk
    with pytest.raises(ValidationFailed) as exc:
        svc.work_area_create(actor=manager, site=site, name="X", code="x", risk_level="extreme")
    assert "risk_level" in exc.value.errors
    assert WorkArea.objects.count() == 2
