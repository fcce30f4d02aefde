"""Core pages through the test client: login / logout, the home page, the language
switch, and organizations, sites and work areas (list, search, create, edit, deactivate)."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from safework.certificates.choices import ManualState
from safework.core.choices import OrganizationKind, RiskLevel, Role
from safework.core.idnumbers import uscc_check_char
from safework.core.models import Organization, Site, WorkArea
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    SiteFactory,
    WorkAreaFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date.today()
VALID_USCC = "91350100M000100Y4" + uscc_check_char("91350100M000100Y4")


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def viewer_client(client, django_user_model):
    client.force_login(make_user(django_user_model, "viewer", Role.VIEWER))
    return client


@pytest.fixture
def contractor_org():
    return OrganizationFactory(name="甲建设公司")


@pytest.fixture
def contractor_client(client, django_user_model, contractor_org):
    user = make_user(
        django_user_model, "contractor-a", Role.CONTRACTOR_ADMIN, organization=contractor_org
    )
    client.force_login(user)
    return client


@pytest.fixture
def owner():
    return OrganizationFactory(name="业主化工", kind=OrganizationKind.OWNER)


# ----- login, logout, language ----------------------------------------------------------------


def test_login_page_is_chinese(client):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_and_logout(client, manager_user):
    response = client.post(
        reverse("core:login"), {"username": "manager", "password": "Pw-for-tests-123"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_shows_error(client, manager_user):
    response = client.post(reverse("core:login"), {"username": "manager", "password": "nope"})
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()


def test_pages_need_login(client):
    for name in (
        "core:home",
        "core:organization_list",
        "core:site_list",
        "core:work_area_list",
        "people:list",
        "certificates:list",
        "certificates:catalogue",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("core:login")), name


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "safework" / "templates"
EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//"""
)


def test_pages_load_nothing_from_outside(manager_client):
    """DESIGN.md 5 (closed plant networks): no CDN, no fonts or scripts from the
    internet; every script, stylesheet and image comes from the app itself."""
    PersonFactory(name="张焊工")
    for name in ("core:home", "people:list", "certificates:list", "certificates:catalogue"):
        html = manager_client.get(reverse(name)).content.decode()
        assert "/static/vendor/bootstrap/" in html, name
        assert not EXTERNAL_ASSET.search(html), (name, EXTERNAL_ASSET.search(html))
    for path in TEMPLATES.rglob("*.html"):
        assert not EXTERNAL_ASSET.search(path.read_text(encoding="utf-8")), path


def test_language_switch_to_english(manager_client):
    html = manager_client.get(reverse("core:home")).content.decode()
    assert 'action="/i18n/setlang/"' in html and "首页" in html
    manager_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Home" in manager_client.get(reverse("core:home")).content.decode()


# ----- home ------------------------------------------------------------------------------------


def test_home_shows_counts_and_action_lists(manager_client):
    person = PersonFactory(name="过期工人")
    start = TODAY - timedelta(days=2500)
    CertificateFactory(
        person=person,
        first_issued_on=start,
        valid_from=start,
        valid_until=TODAY - timedelta(days=1),
        next_review_due=None,
    )
    CertificateFactory(person=PersonFactory(name="换证工人"), manual_state=ManualState.RENEWING)
    CertificateFactory(
        person=PersonFactory(name="复审逾期"), next_review_due=TODAY - timedelta(days=2)
    )
    CertificateFactory(
        person=PersonFactory(name="即将到期"),
        valid_until=TODAY + timedelta(days=12),
        next_review_due=None,
    )
    CertificateFactory(person=PersonFactory(name="正常工人"))
    response = manager_client.get(reverse("core:home"))
    assert response.status_code == 200
    cards = {c["status"]: c["count"] for c in response.context["cards"]}
    assert cards["expired"] == cards["renewing"] == cards["review_overdue"] == 1
    assert cards["expiring"] == 1 and cards["valid"] == 1
    lists = {
        item["key"]: [c.person.name for c in item["rows"]] for item in response.context["lists"]
    }
    assert lists == {
        "expired": ["过期工人"],
        "review_overdue": ["复审逾期"],
        "renewing": ["换证工人"],
        "expiring": ["即将到期"],
    }
    html = response.content.decode()
    assert "?status=expired" in html and "within_days=30" in html


def test_home_is_scoped_for_contractor_admin(contractor_client, contractor_org):
    CertificateFactory(
        person=PersonFactory(name="外单位", organization=OrganizationFactory()),
        manual_state=ManualState.RENEWING,
    )
    CertificateFactory(
        person=PersonFactory(name="本单位", organization=contractor_org),
        manual_state=ManualState.RENEWING,
    )
    response = contractor_client.get(reverse("core:home"))
    html = response.content.decode()
    assert "本单位" in html and "外单位" not in html
    assert {c["status"]: c["count"] for c in response.context["cards"]}["renewing"] == 1


# ----- organizations ---------------------------------------------------------------------------


def test_organization_list_and_search(manager_client):
    OrganizationFactory(name="甲建设公司")
    OrganizationFactory(name="乙安装公司")
    html = manager_client.get(reverse("core:organization_list"), {"q": "甲"}).content.decode()
    assert "甲建设公司" in html and "乙安装公司" not in html


def test_create_organization_with_bad_credit_code_shows_error(manager_client):
    bad = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")
    response = manager_client.post(
        reverse("core:organization_create"),
        {"name": "丙公司", "kind": "contractor", "credit_code": bad},
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()
    assert 'value="丙公司"' in response.content.decode()
    assert not Organization.objects.filter(name="丙公司").exists()


def test_create_edit_and_deactivate_organization(manager_client):
    url = reverse("core:organization_create")
    response = manager_client.post(
        url, {"name": "丙公司", "kind": "contractor", "credit_code": VALID_USCC.lower()}
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="丙公司")
    assert org.credit_code == VALID_USCC
    edit = reverse("core:organization_edit", args=[org.pk])
    response = manager_client.post(
        edit,
        {
            "name": "丙公司（新）",
            "kind": "subcontractor",
            "credit_code": VALID_USCC,
            "contact_name": "李经理",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.kind, org.contact_name) == ("丙公司（新）", "subcontractor", "李经理")
    manager_client.post(reverse("core:organization_set_active", args=[org.pk]), {"active": "0"})
    org.refresh_from_db()
    assert not org.is_active
    html = manager_client.get(reverse("core:organization_list")).content.decode()
    assert "丙公司（新）" not in html
    html = manager_client.get(
        reverse("core:organization_list"), {"show_inactive": "on"}
    ).content.decode()
    assert "丙公司（新）" in html
    manager_client.post(reverse("core:organization_set_active", args=[org.pk]), {"active": "1"})
    org.refresh_from_db()
    assert org.is_active


def test_duplicate_organization_name_is_shown_on_the_field(manager_client):
    OrganizationFactory(name="甲建设公司")
    response = manager_client.post(
        reverse("core:organization_create"), {"name": "甲建设公司", "kind": "contractor"}
    )
    assert response.context["form"].errors["name"]


def test_contractor_admin_sees_own_organization_only(contractor_client, contractor_org):
    other = OrganizationFactory(name="乙安装公司")
    html = contractor_client.get(reverse("core:organization_list")).content.decode()
    assert "甲建设公司" in html and "乙安装公司" not in html
    assert (
        contractor_client.get(reverse("core:organization_edit", args=[other.pk])).status_code == 404
    )
    # Organizations are the owner's to change: a contractor admin gets 403 on their own too.
    assert (
        contractor_client.get(
            reverse("core:organization_edit", args=[contractor_org.pk])
        ).status_code
        == 403
    )
    assert contractor_client.get(reverse("core:organization_create")).status_code == 403


def test_viewer_cannot_create_or_deactivate(viewer_client):
    org = OrganizationFactory()
    assert (
        viewer_client.post(
            reverse("core:organization_create"), {"name": "X", "kind": "contractor"}
        ).status_code
        == 403
    )
    response = viewer_client.post(
        reverse("core:organization_set_active", args=[org.pk]), {"active": "0"}
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.is_active


# ----- sites and work areas --------------------------------------------------------------------


def test_create_edit_deactivate_site(manager_client, owner):
    response = manager_client.post(
        reverse("core:site_create"),
        {"name": "北厂区", "code": "north", "owner": owner.pk, "address": "化工园区1号"},
    )
    assert response.status_code == 302
    site = Site.objects.get(code="north")
    html = manager_client.get(reverse("core:site_list"), {"q": "北"}).content.decode()
    assert "北厂区" in html
    manager_client.post(
        reverse("core:site_edit", args=[site.pk]),
        {"name": "北厂区二期", "code": "north", "owner": owner.pk},
    )
    site.refresh_from_db()
    assert site.name == "北厂区二期"
    manager_client.post(reverse("core:site_set_active", args=[site.pk]), {"active": "0"})
    site.refresh_from_db()
    assert not site.is_active


def test_duplicate_site_code_is_shown_on_the_field(manager_client, owner):
    SiteFactory(code="north")
    response = manager_client.post(
        reverse("core:site_create"), {"name": "北厂区", "code": "north", "owner": owner.pk}
    )
    assert response.context["form"].errors["code"]


def test_work_areas_list_filter_create_edit_deactivate(manager_client):
    site, other = SiteFactory(name="南厂区"), SiteFactory(name="东厂区")
    WorkAreaFactory(site=other, name="东罐区")
    response = manager_client.post(
        reverse("core:work_area_create"),
        {"site": site.pk, "name": "南罐区", "code": "tank-south", "risk_level": RiskLevel.MAJOR},
    )
    assert response.status_code == 302
    area = WorkArea.objects.get(code="tank-south")
    html = manager_client.get(reverse("core:work_area_list"), {"site": site.pk}).content.decode()
    assert "南罐区" in html and "东罐区" not in html
    manager_client.post(
        reverse("core:work_area_edit", args=[area.pk]),
        {"site": site.pk, "name": "南罐区A", "code": "tank-south", "risk_level": RiskLevel.HIGH},
    )
    area.refresh_from_db()
    assert (area.name, area.risk_level) == ("南罐区A", RiskLevel.HIGH)
    manager_client.post(reverse("core:work_area_set_active", args=[area.pk]), {"active": "0"})
    area.refresh_from_db()
    assert not area.is_active


def test_work_area_search_by_name_code_or_site(manager_client):
    south, east = SiteFactory(name="南厂区"), SiteFactory(name="东厂区")
    WorkAreaFactory(site=south, name="南罐区", code="tank-south")
    WorkAreaFactory(site=east, name="东装置区", code="unit-east")
    url = reverse("core:work_area_list")
    for q in ("罐区", "tank-south", "南厂"):
        html = manager_client.get(url, {"q": q}).content.decode()
        assert "南罐区" in html and "东装置区" not in html, q


def test_area_head_sees_only_their_sites(client, django_user_model):
    mine, other = SiteFactory(name="我的厂区"), SiteFactory(name="别的厂区")
    client.force_login(make_user(django_user_model, "head", Role.AREA_HEAD, sites=[mine]))
    html = client.get(reverse("core:site_list")).content.decode()
    assert "我的厂区" in html and "别的厂区" not in html
    area = WorkAreaFactory(site=other)
    assert client.get(reverse("core:work_area_edit", args=[area.pk])).status_code == 404


def test_lockout_page_is_chinese(client, manager_user, settings):
    # settings.py needs AXES_LOCKOUT_TEMPLATE = "registration/locked.html" for this page.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
    for _ in range(2):
        client.post(reverse("core:login"), {"username": "manager", "password": "wrong"})
    response = client.post(
        reverse("core:login"), {"username": "manager", "password": "Pw-for-tests-123"}
    )
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
