"""Issue 2: log in → add a person with a wrong ID number (sees the Chinese error) → fix it
→ add a certificate → sees its status and the person's qualification."""

from datetime import date, timedelta

import pytest

from safework.core.choices import OrganizationKind
from safework.core.idnumbers import id_check_char
from tests.conftest import make_user
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _id_number() -> str:
    first17 = "32010219900307123"
    return first17 + id_check_char(first17)


def _wrong(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_register_person_and_certificate(page, django_user_model):
    make_user(django_user_model, "anquan", "safety_manager")
    OrganizationFactory(name="江苏某安装工程有限公司", kind=OrganizationKind.CONTRACTOR)

    page.goto("/login/")
    page.fill("#id_username", "anquan")
    page.fill("#id_password", "Pw-for-tests-123")
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto("/people/new/")
    page.fill("#id_name", "张伟")
    page.fill("#id_id_number", _wrong(_id_number()))
    page.fill("#id_phone", "13912345678")
    page.select_option("#id_organization", label="江苏某安装工程有限公司")
    page.check("input[name=special_operations][value='MEM-2.1']")
    page.click("#submit")
    error = page.locator("#id_id_number ~ .invalid-feedback, .invalid-feedback").first
    assert "校验" in error.inner_text()
    assert page.input_value("#id_name") == "张伟"  # nothing typed is lost

    page.fill("#id_id_number", _id_number())
    page.click("#submit")
    page.wait_for_url("**/people/*/")
    assert "320102********1234"[:6] in page.content()

    page.click("a[href*='/certificates/new/']")
    page.select_option("#id_type", "MEM-2.1")
    page.fill("#id_number", _id_number())
    page.fill("#id_issued_by", "南京市应急管理局")
    start = date.today() - timedelta(days=365)
    page.fill("#id_first_issued_on", start.isoformat())
    page.fill("#id_valid_from", start.isoformat())
    page.fill("#id_valid_until", (start.replace(year=start.year + 6)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_url("**/people/*/**")
    row = page.locator("tr[data-certificate]")
    assert row.count() == 1 and "熔化焊接与热切割作业" in row.inner_text()
    badge = row.locator(".status-badge")
    assert (badge.get_attribute("data-status"), badge.inner_text()) == ("valid", "有效")
    item = page.locator("li[data-item='MEM-2.1']")
    assert item.get_attribute("data-qualified") == "yes"
    assert "具备资格" in item.inner_text() and "不具备资格" not in item.inner_text()
