"""Browser test on a phone-sized viewport with a granted geolocation: a worker and the
guardian open the permit's sign-in page (the QR's link) and sign in by GPS; then the
guardian signs out and the running permit is suspended (4.10)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from safework.permits import services
from safework.permits.choices import Kind, Status, WorkerRole
from safework.permits.models import Permit, SignIn

from .helpers import approve_all, draft, prepare

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign(phone, url, person, button="#sign-in"):
    phone.goto(url)
    phone.wait_for_selector("#gps-state[data-ready='1']")
    phone.fill("#id_phone", person.phone)
    phone.fill("#id_id_last4", person.id_number_masked[-4:])
    phone.click(button)
    return phone.locator("#result").inner_text()


def test_worker_and_guardian_sign_in_on_a_phone(phone, manager, approvers, area, people):
    start = timezone.now() - timedelta(minutes=5)
    permit = draft(manager, area, people, Kind.HEIGHT, start, hours=24, details={"height_m": 6})
    permit = prepare(manager, permit, people, [(WorkerRole.SCAFFOLDER, "scaffolder")], start)
    services.permit_submit(actor=manager, permit=permit, now=start)
    permit = approve_all(permit, approvers)
    url = f"/permits/m/{permit.sign_token}/"
    assert phone.viewport_size["width"] == 390

    worker_result = _sign(phone, url, people["scaffolder"])
    guardian_result = _sign(phone, url, people["guardian"])
    assert people["scaffolder"].name in worker_result
    assert people["guardian"].name in guardian_result
    present = phone.locator("#present").inner_text()
    assert people["scaffolder"].name in present and people["guardian"].name in present
    rows = SignIn.objects.filter(permit=permit, accepted=True)
    assert rows.count() == 2 and all(r.distance_m < 5 for r in rows)

    services.briefing_give(actor=manager, permit=permit, given_by="吴负责人")
    services.permit_start(actor=manager, permit=permit)
    _sign(phone, url, people["guardian"], button="#sign-out")
    assert Permit.objects.get(pk=permit.pk).status == Status.SUSPENDED


def test_sign_in_far_from_the_work_area_is_refused(browser, live_server, manager, approvers,
                                                   area, people):  # fmt: skip
    start = timezone.now() - timedelta(minutes=5)
    permit = draft(manager, area, people, Kind.HEIGHT, start, hours=24, details={"height_m": 3})
    permit = prepare(manager, permit, people, [(WorkerRole.SCAFFOLDER, "scaffolder")], start)
    services.permit_submit(actor=manager, permit=permit, now=start)
    permit = approve_all(permit, approvers)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, base_url=live_server.url,
        geolocation={"latitude": 31.30, "longitude": 121.47, "accuracy": 10},
        permissions=["geolocation"], locale="zh-CN",
    )  # fmt: skip
    page = context.new_page()
    try:
        text = _sign(page, f"/permits/m/{permit.sign_token}/", people["scaffolder"])
    finally:
        context.close()
    assert "alert" not in text and SignIn.objects.get(permit=permit).reasons == ["outside_geofence"]
