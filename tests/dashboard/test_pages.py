"""The dashboard pages through the test client: every number links to its list, every
list opens and exports to .xlsx with the same rows, filters are checked, and users see
only their part."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from safework.audit.models import AuditEntry
from safework.dashboard.lists import LISTS

from .conftest import NOW

PASSWORD = "Pw-for-tests-123"


@pytest.fixture(autouse=True)
def _pinned_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def client_manager(world, manager_user):
    return login(manager_user)


def figure(html: str, key: str) -> tuple[str, str]:
    found = re.search(rf'href="([^"]+)" id="stat-{key}".*?data-value>([^<]*)<', html, flags=re.S)
    assert found, key
    return found.group(1).replace("&amp;", "&"), found.group(2).strip()


def test_manager_page_shows_the_figures_with_links(client_manager):
    response = client_manager.get(reverse("dashboard:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "on_site")[1] == "5"
    assert figure(html, "new_entries")[1] == "4"
    assert figure(html, "compliance")[1] == "50.0%"
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="chart-status"' in html  # the chart's options, read by dashboard.js


def test_each_number_opens_a_list_with_as_many_rows(client_manager):
    html = client_manager.get(reverse("dashboard:index")).content.decode()
    for key, expected in (("on_site", 5), ("new_entries", 4), ("compliance", 2)):
        href, _value = figure(html, key)
        page = client_manager.get(href).content.decode()
        assert page.count("<tr>") - 1 == expected, key  # header row + one per row
    page = client_manager.get(figure(html, "compliance")[0]).content.decode()
    assert "证书已过期" in page or "Certificate expired" in page
    assert "准入" in page  # the admission reason


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_renders_and_exports(client_manager, name):
    url = reverse("dashboard:list", args=[name])
    assert client_manager.get(url).status_code == 200
    response = client_manager.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert header == [str(c.header) for c in LISTS[name].columns]
    assert AuditEntry.objects.filter(action="export", object_type=f"dashboard.{name}").exists()


def test_export_has_the_rows_of_the_list(client_manager):
    url = reverse("dashboard:list", args=["noncompliant_on_site"])
    response = client_manager.get(url, {"export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(["过期电工", "未准入"])
    assert all("*" in r[1] for r in rows)  # masked ID numbers


def test_status_counts_link_to_certificate_lists(client_manager):
    html = client_manager.get(reverse("dashboard:index")).content.decode()
    href = re.search(r'href="([^"]+)" data-status="renewing"', html).group(1)
    page = client_manager.get(href.replace("&amp;", "&")).content.decode()
    assert "换证中" in page


def test_a_bad_date_range_is_refused_in_chinese(client_manager):
    response = client_manager.get(
        reverse("dashboard:index"), {"date_from": "2026-06-10", "date_to": "2026-06-01"}
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_site_filter_on_the_page(client_manager, world):
    response = client_manager.get(reverse("dashboard:index"), {"site": world.other_site.pk})
    assert figure(response.content.decode(), "on_site")[1] == "0"


def test_distribution_page(client_manager):
    response = client_manager.get(reverse("dashboard:distribution"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("by_category", "by_item", "by_organization", "by_age", "expiry"):
        assert f'id="chart-{key}"' in html


def test_contractor_admin_lands_on_their_board(world, contractor_admin):
    client = login(contractor_admin.user)
    response = client.get(reverse("dashboard:index"))
    assert response.url == reverse("dashboard:board", args=[world.contractor.pk])
    html = client.get(response.url).content.decode()
    assert figure(html, "on_site")[1] == "4"
    assert client.get(reverse("dashboard:board", args=[world.owner.pk])).status_code == 404


def test_contractor_admin_lists_hold_only_their_people(world, contractor_admin):
    client = login(contractor_admin.user)
    page = client.get(reverse("dashboard:list", args=["on_site"])).content.decode()
    assert "将到期" not in page
    assert "合规焊工" in page


def test_unknown_list_is_404(client_manager):
    assert client_manager.get(reverse("dashboard:list", args=["nope"])).status_code == 404


def test_login_required(world):
    response = Client().get(reverse("dashboard:index"))
    assert response.status_code == 302


def test_the_portal_links_to_the_company_board(world, contractor_admin):
    client = login(contractor_admin.user)
    html = client.get(reverse("contractors:portal")).content.decode()
    assert reverse("dashboard:board", args=[world.contractor.pk]) in html
