"""In a browser (Debian's chromium): the vendored ECharts draws the dashboard's charts
from the page's JSON options, and a click on a slice opens the list behind it."""

import pytest

from tests.conftest import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_charts_draw_and_open_their_lists(page, world, django_user_model):
    make_user(django_user_model, "anquan", "safety_manager")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/login/")
    page.fill("#id_username", "anquan")
    page.fill("#id_password", "Pw-for-tests-123")
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto("/dashboard/")
    page.wait_for_selector("#chart-box-status svg path", state="attached")
    assert page.locator("#chart-box-permits_month svg").count() == 1
    assert errors == []
    # A click on the first slice (valid certificates), as ECharts reports it to the page.
    page.evaluate(
        """() => {
        const chart = echarts.getInstanceByDom(document.getElementById("chart-box-status"));
        chart.trigger("click", {data: chart.getOption().series[0].data[0]});
    }"""
    )
    page.wait_for_url(lambda url: "/dashboard/list/certificates/" in url)
    assert page.locator("#export-xlsx").count() == 1
    page.goto("/dashboard/distribution/")
    page.wait_for_selector("#chart-box-by_age svg path", state="attached")
    assert errors == []
