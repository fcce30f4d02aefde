"""The live permit board (login, scoped) and its kiosk view by a signed link, the site plan
and SIMOPS set-up pages, activities and sign-offs, through the test client; the API."""

import io
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from safework.audit.models import AuditEntry
from safework.core.choices import Role
from safework.permits import services
from safework.permits.choices import Kind, WorkerRole
from safework.permits.models import (
    Activity,
    AreaPosition,
    BoardLink,
    SimopsDistances,
    SimopsSignoff,
    SitePlan,
)
from tests.conftest import make_user
from tests.factories import OrganizationFactory, SiteFactory, WorkAreaFactory

from .helpers import approve_all, draft, gas_ok, prepare, sign_everyone_in

W = WorkerRole
HOT = {"method": "电焊"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(width=400, height=300) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    out.seek(0)
    out.name = "plan.png"
    return out


@pytest.fixture
def two_areas(area):
    other = WorkAreaFactory(site=area.site, name="罐区")
    from safework.permits.models import Geofence

    fence = area.geofence
    Geofence.objects.create(work_area=other, latitude=fence.latitude,
                            longitude=fence.longitude, radius_m=150)  # fmt: skip
    AreaPosition.objects.create(work_area=area, x_m=100, y_m=100)
    AreaPosition.objects.create(work_area=other, x_m=300, y_m=100)
    return area, other


@pytest.fixture
def live(manager, approvers, two_areas, people):
    """Hot work with a 45-minute-old gas reading (stale before the start: 5.3.1) and its
    people signed in; work at height in the other area with 30 minutes left."""
    area, other = two_areas
    now = timezone.now()
    hot = draft(manager, area, people, Kind.HOT_WORK, now - timedelta(minutes=5), details=HOT)
    hot = prepare(manager, hot, people, [(W.HOT_WORKER, "welder")], now)
    services.permit_submit(actor=manager, permit=hot, now=now)
    hot = approve_all(hot, approvers)
    gas_ok(manager, hot, now - timedelta(minutes=45))
    sign_everyone_in(manager, hot, now)
    height = draft(manager, other, people, Kind.HEIGHT, now - timedelta(hours=3), hours=3.5,
                   details={"height_m": 3})  # fmt: skip
    height = prepare(manager, height, people, [(W.SCAFFOLDER, "scaffolder")], now)
    services.permit_submit(actor=manager, permit=height, now=now)
    return approve_all(hot, approvers), approve_all(height, approvers)


def _plan(site):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    out = io.BytesIO()
    Image.new("RGB", (400, 200), "white").save(out, format="JPEG")
    name = default_storage.save("permits/plans/test.jpg", ContentFile(out.getvalue()))
    return SitePlan.objects.create(site=site, image=name, width_px=400, height_px=200,
                                   metres_per_px=1.0)  # fmt: skip


def test_the_board_shows_live_permits_on_the_plan_and_in_the_list(client, manager_user, live):
    hot, height = live
    _plan(hot.site)
    client.force_login(manager_user)
    html = client.get(reverse("permits:board", args=[hot.site_id])).content.decode()
    assert hot.number in html and height.number in html
    # markers at 100 m / 400 m = 25 % and 300 / 400 = 75 % across, 50 % down
    assert re.search(rf'left:25\.00%;top:50\.00%" data-marker="{hot.pk}"', html)
    assert re.search(rf'left:75\.00%;top:50\.00%" data-marker="{height.pk}"', html)
    row = _row(html, hot.pk)
    assert "李焊工" in row and "王监护" in row and "gas-stale" in row  # 45 min: stale
    age = int(re.search(r"(\d+) (?:min ago|分钟前)", row)[1])
    assert 45 <= age < 60 and "expiring" not in row
    assert "expiring" in _row(html, height.pk) and "gas-stale" not in _row(html, height.pk)
    fragment = client.get(reverse("permits:board_live", args=[hot.site_id])).content.decode()
    assert fragment.startswith('<div id="board-live"') and 'hx-trigger="every 30s"' in fragment
    assert client.get(reverse("permits:plan_image", args=[hot.site_id]))["Content-Type"] == (
        "image/jpeg"
    )


def errors(response) -> list[str]:
    """The error messages shown on the page."""
    html = response.content.decode()
    return [re.sub(r"\s+", " ", m).strip() for m in
            re.findall(r'alert-danger[^>]*>(.*?)<button', html, re.S)]  # fmt: skip


def _row(html: str, pk: int) -> str:
    start = html.index(f'<tr data-permit="{pk}"')
    return html[start : html.index("</tr>", start)]


def test_a_fresh_reading_is_not_stale_and_a_closed_permit_leaves_the_board(
    client, manager_user, manager, live
):
    hot, height = live
    gas_ok(manager, hot, timezone.now() - timedelta(minutes=2))
    services.permit_cancel(actor=manager, permit=height, reason="天气")
    client.force_login(manager_user)
    html = client.get(reverse("permits:board", args=[hot.site_id])).content.decode()
    assert "gas-stale" not in _row(html, hot.pk) and height.number not in html


def test_the_board_is_scoped(client, django_user_model, live):
    hot, _height = live
    stranger = make_user(django_user_model, "other-head", Role.AREA_HEAD,
                         sites=[SiteFactory()])  # fmt: skip
    client.force_login(stranger)
    assert client.get(reverse("permits:board", args=[hot.site_id])).status_code == 404
    contractor = make_user(django_user_model, "contractor", Role.CONTRACTOR_ADMIN,
                           OrganizationFactory())  # fmt: skip
    client.force_login(contractor)
    html = client.get(reverse("permits:board", args=[hot.site_id])).content.decode()
    assert hot.number not in html  # not their organization's permit
    client.logout()
    response = client.get(reverse("permits:board", args=[hot.site_id]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_kiosk_link_opens_without_login_and_stops_when_revoked(client, manager_user, live):
    hot, _height = live
    client.force_login(manager_user)
    done = client.post(reverse("permits:board_link_create", args=[hot.site_id]),
                       {"label": "南门大屏", "days": 7}, follow=True)  # fmt: skip
    url = re.search(r"(http://testserver/permits/board/[^/\s<]+/)", done.content.decode())[1]
    link = BoardLink.objects.get()
    assert AuditEntry.objects.filter(action="permit.board_link").exists()
    client.logout()
    page = client.get(url)
    assert page.status_code == 200 and hot.number in page.content.decode()
    assert "南门大屏" in page.content.decode() and 'href="/permits/' not in page.content.decode()
    live_url = url + "live/"
    assert hot.number in client.get(live_url).content.decode()
    client.force_login(manager_user)
    client.post(reverse("permits:board_link_revoke", args=[link.pk]))
    client.logout()
    assert client.get(url).status_code == 404
    assert hot.number not in client.get(live_url).content.decode()


def test_kiosk_link_expires_and_cannot_be_forged(client, manager, live):
    hot, _height = live
    from safework.permits.services import siteplan

    link, token = siteplan.board_link_create(actor=manager, site=hot.site, label="控制室",
                                             days=1)  # fmt: skip
    assert client.get(reverse("permits:kiosk", args=[token])).status_code == 200
    BoardLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("permits:kiosk", args=[token])).status_code == 404
    forged = signing.dumps({"link": link.pk}, salt="another-salt")
    assert client.get(reverse("permits:kiosk", args=[forged])).status_code == 404
    assert client.get(reverse("permits:kiosk", args=[token[:-2] + "xx"])).status_code == 404


def test_plan_upload_with_two_reference_points_and_positions(client, manager_user, area):
    client.force_login(manager_user)
    site = area.site
    url = reverse("permits:plan_save", args=[site.pk])
    client.post(url, {"image": png(400, 300), "x1": 0, "y1": 0, "x2": 100, "y2": 0,
                      "metres": 50})  # fmt: skip
    plan = SitePlan.objects.get(site=site)
    assert (plan.width_px, plan.height_px, plan.metres_per_px) == (400, 300, 0.5)
    assert plan.image.endswith(".jpg")  # re-encoded by the safe intake
    exe = io.BytesIO(b"MZ\x90\x00 not an image")
    exe.name = "plan.png"
    bad = client.post(url, {"image": exe}, follow=True)
    assert "jpeg, png" in " ".join(errors(bad)) and SitePlan.objects.get().metres_per_px == 0.5
    position = reverse("permits:area_position", args=[site.pk, area.pk])
    client.post(position, {"x_m": 150, "y_m": 100})
    assert AreaPosition.objects.get(work_area=area).x_m == 150
    outside = client.post(position, {"x_m": 250, "y_m": 10}, follow=True)  # plan is 200 m wide
    assert "200" in " ".join(errors(outside)) and AreaPosition.objects.get().x_m == 150
    page = client.get(reverse("permits:site_simops", args=[site.pk])).content.decode()
    assert "left:75.00%" in page


def test_distances_page_refuses_lower_values_naming_the_field(client, manager_user, area):
    client.force_login(manager_user)
    url = reverse("permits:distances_save", args=[area.site.pk])
    values = {"hot_blind_m": 30, "venting_m": 40, "draining_m": 10, "cleaning_m": 10,
              "cross_work_m": 15}  # fmt: skip
    response = client.post(url, values, follow=True)
    [message] = errors(response)
    label = str(SimopsDistances._meta.get_field("draining_m").verbose_name)
    assert label in message and "15" in message
    assert not SimopsDistances.objects.exists()
    client.post(url, {**values, "draining_m": 20})
    assert SimopsDistances.objects.get().venting_m == 40


def test_register_an_activity_on_the_page_refused_near_live_hot_work(client, manager_user,
                                                                     live):  # fmt: skip
    hot, _height = live
    client.force_login(manager_user)
    url = reverse("permits:activities", args=[hot.site_id])
    start = timezone.localtime()
    data = {"kind": "venting", "description": "放空 V-3", "organization": hot.site.owner_id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "x_m": 110, "y_m": 100, "flammable": "on"}  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 200 and "5.2.9" in refused.content.decode()
    assert not Activity.objects.exists()
    client.post(url, {**data, "x_m": 200})
    act = Activity.objects.get()
    assert "放空 V-3" in client.get(url).content.decode()
    client.post(reverse("permits:activity_end", args=[act.pk]))
    assert Activity.objects.get().cancelled_at is not None


def test_cross_work_sign_off_on_the_permit_page(client, manager_user, manager, area, people,
                                                clock):  # fmt: skip
    first = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    first = prepare(manager, first, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    services.permit_submit(actor=manager, permit=first, now=clock)
    second = draft(manager, area, people, Kind.HOT_WORK, clock, details=HOT)
    client.force_login(manager_user)
    page = client.get(reverse("permits:detail", args=[second.pk])).content.decode()
    key = f"cross_work:permit:{first.pk}"
    assert f'data-conflict="{key}"' in page and "4.7" in page
    url = reverse("permits:signoff", args=[second.pk])
    client.post(url, {"key": key, "coordinator": "", "note": "x"})
    assert not SimopsSignoff.objects.exists()
    client.post(url, {"key": key, "coordinator": "刘协调", "note": "错开作业时段"})
    assert SimopsSignoff.objects.get().coordinator == "刘协调"
    page = client.get(reverse("permits:detail", args=[second.pk])).content.decode()
    assert "刘协调" in page and "list-group-item-success" in page


def test_permit_position_on_the_page(client, manager_user, manager, area, people, clock):
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details=HOT)
    client.force_login(manager_user)
    client.post(reverse("permits:position", args=[permit.pk]),
                {"x_m": 12.5, "y_m": 40, "tank_dike_ref": "TK-1"})  # fmt: skip
    permit.refresh_from_db()
    assert (permit.x_m, permit.y_m, permit.tank_dike_ref) == (12.5, 40, "TK-1")
    half = client.post(reverse("permits:position", args=[permit.pk]), {"x_m": 3}, follow=True)
    assert permit.x_m == 12.5 and half.status_code == 200


def test_api_activities_conflicts_and_sign_off(client, manager_user, manager, area, people,
                                               clock):  # fmt: skip
    client.force_login(manager_user)
    body = {"site_id": area.site_id, "kind": "painting", "description": "喷漆 E-7",
            "organization_id": area.site.owner_id, "starts_at": clock.isoformat(),
            "ends_at": (clock + timedelta(hours=2)).isoformat(), "x_m": 5, "y_m": 5}  # fmt: skip
    made = client.post("/api/v1/simops/activities", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["kind"] == "painting"
    bad = client.post("/api/v1/simops/activities", {**body, "kind": "blasting"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and "kind" in bad.content.decode()
    listed = client.get(f"/api/v1/simops/activities?site_id={area.site_id}").json()
    assert listed["count"] == 1
    first = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 3})
    first = prepare(manager, first, people, [(W.SCAFFOLDER, "scaffolder")], clock)
    services.permit_submit(actor=manager, permit=first, now=clock)
    second = draft(manager, area, people, Kind.HEIGHT, clock, details={"height_m": 4})
    answer = client.get(f"/api/v1/permits/{second.pk}/simops").json()
    [conflict] = answer["conflicts"]
    assert (conflict["rule"], conflict["clause"], conflict["signoff_allowed"]) == (
        "cross_work", "4.7", True,
    )  # fmt: skip
    url = f"/api/v1/permits/{second.pk}/simops/signoffs"
    signed = client.post(url, {"key": conflict["key"], "coordinator": "刘协调", "note": "错开"},
                         content_type="application/json")  # fmt: skip
    assert signed.status_code == 201
    assert client.get(f"/api/v1/permits/{second.pk}/simops").json()["conflicts"][0]["signed"]
    ended = client.post(f"/api/v1/simops/activities/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["cancelled_at"]


def test_api_outsider_sees_no_activity(client, django_user_model, manager, area, clock):
    from safework.permits.services import simops

    simops.activity_register(actor=manager, site=area.site, kind="sampling", description="取样",
                             organization=area.site.owner, starts_at=clock,
                             ends_at=clock + timedelta(hours=1), x_m=1, y_m=1)  # fmt: skip
    other = make_user(django_user_model, "outsider", Role.CONTRACTOR_ADMIN, OrganizationFactory())
    client.force_login(other)
    assert client.get("/api/v1/simops/activities").json()["count"] == 0
    act = Activity.objects.get()
    assert client.post(f"/api/v1/simops/activities/{act.pk}/end").status_code == 404


def test_the_new_permit_form_takes_a_position_and_hot_work_references(client, manager_user,
                                                                      area, people):  # fmt: skip
    from safework.permits.models import Permit

    client.force_login(manager_user)
    assert (
        'name="tank_dike_ref"'
        not in client.get(reverse("permits:create", args=["height"])).content.decode()
    )
    owner = area.site.owner.pk
    client.post(reverse("permits:create", args=["hot_work"]), {
        "work_area": area.pk, "applicant_org": owner, "performing_org": owner,
        "person_in_charge": people["leader"].pk, "content": "焊接", "place": "TK-1 罐根",
        "planned_start": "2026-03-10T09:00", "planned_end": "2026-03-10T15:00",
        "d_method": "电焊", "x_m": "30", "y_m": "45.5", "tank_dike_ref": "TK-1",
    })  # fmt: skip
    permit = Permit.objects.get()
    assert (permit.x_m, permit.y_m, permit.tank_dike_ref) == (30, 45.5, "TK-1")


def test_a_plan_shrunk_by_the_intake_keeps_its_scale(manager, area):
    """The scale is given in the pixels of the picture as drawn; the intake caps the side
    at 6,000 px, so metres per stored pixel grow by the same factor."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safework.permits.services import siteplan

    upload = SimpleUploadedFile("plan.png", png(7000, 100).getvalue(), "image/png")
    plan = siteplan.site_plan_set(actor=manager, site=area.site, upload=upload,
                                  metres_per_px=0.1)  # fmt: skip
    assert plan.width_px == 6000 and plan.width_m == pytest.approx(700)
    again = siteplan.site_plan_set(actor=manager, site=area.site, metres_per_px=0.2)
    assert again.image == plan.image and again.width_m == pytest.approx(1200)
