"""Permit pages, the phone sign-in page, the PDF and the API, through the test client."""

from datetime import timedelta

import pytest
from django.urls import reverse

from safework.core.choices import Role
from safework.permits.choices import Kind, Status, WorkerRole
from safework.permits.models import Permit, SignIn
from tests.conftest import make_user
from tests.factories import OrganizationFactory

from .conftest import LAT, LNG
from .helpers import approve_all, draft, prepare

W = WorkerRole
HEIGHT = {"height_m": 4}


@pytest.fixture
def approved(manager, approvers, area, people):
    from django.utils import timezone

    start = timezone.now() - timedelta(minutes=5)
    permit = draft(manager, area, people, Kind.HEIGHT, start, hours=48, details=HEIGHT)
    permit = prepare(manager, permit, people, [(W.SCAFFOLDER, "scaffolder")], start)
    from safework.permits import services

    services.permit_submit(actor=manager, permit=permit, now=start)
    return approve_all(permit, approvers)


@pytest.mark.django_db
def test_create_a_draft_through_the_form(client, manager_user, area, people):
    client.force_login(manager_user)
    owner = area.site.owner.pk
    response = client.post(reverse("permits:create", args=["height"]), {
        "work_area": area.pk, "applicant_org": owner, "performing_org": owner,
        "person_in_charge": people["leader"].pk, "content": "检修平台", "place": "E-101",
        "planned_start": "2026-03-10T09:00", "planned_end": "2026-03-11T09:00",
        "d_height_m": "16", "d_hazards": ["wind"],
    })  # fmt: skip
    permit = Permit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/permits/{permit.pk}/"
    assert (permit.level, permit.status) == ("height_4", Status.DRAFT)  # 16 m + wind → IV


@pytest.mark.django_db
def test_unqualified_worker_refused_on_the_page_with_reason(client, manager_user, manager, area,
                                                            people, clock):  # fmt: skip
    client.force_login(manager_user)
    permit = draft(manager, area, people, Kind.HOT_WORK, clock, details={"method": "焊"})
    url = reverse("permits:assign", args=[permit.pk])
    response = client.post(url, {"person": people["worker"].pk, "role": W.HOT_WORKER}, follow=True)
    assert (
        "无此作业项目的证书" in response.content.decode()
        or "no_certificate" not in response.content.decode()
    )
    assert not permit.assignments.exists()


@pytest.mark.django_db
def test_detail_list_and_pdf(client, manager_user, approved):
    client.force_login(manager_user)
    detail = client.get(reverse("permits:detail", args=[approved.pk]))
    assert detail.status_code == 200 and approved.number in detail.content.decode()
    listing = client.get(reverse("permits:list"), {"active": "on"})
    assert approved.number in listing.content.decode()
    pdf = client.get(reverse("permits:pdf", args=[approved.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content


@pytest.mark.django_db
def test_outsider_sees_no_permit(client, django_user_model, approved):
    other = make_user(django_user_model, "outsider", Role.CONTRACTOR_ADMIN, OrganizationFactory())
    client.force_login(other)
    assert client.get(reverse("permits:detail", args=[approved.pk])).status_code == 404
    assert approved.number not in client.get(reverse("permits:list")).content.decode()
    assert client.get(reverse("permits:pdf", args=[approved.pk])).status_code == 404
    assert client.get(f"/api/v1/permits/{approved.pk}").status_code == 404


@pytest.mark.django_db
def test_phone_sign_in_inside_and_outside_the_geofence(client, approved, people):
    url = reverse("permits:mobile", args=[approved.sign_token])
    guardian = people["guardian"]
    last4 = guardian.id_number_masked[-4:]
    page = client.post(url, {"phone": guardian.phone, "id_last4": last4, "latitude": LAT,
                             "longitude": LNG, "accuracy": 8, "in": "1"})  # fmt: skip
    assert 'id="result"' in page.content.decode(), page.content.decode()[-3000:]
    assert "alert-success" in page.content.decode()
    far = client.post(url, {"phone": guardian.phone, "id_last4": last4, "latitude": LAT + 0.02,
                            "longitude": LNG, "accuracy": 8, "in": "1"})  # fmt: skip
    assert far.status_code == 200
    rows = list(SignIn.objects.filter(permit=approved).order_by("id"))
    assert [(r.accepted, r.reasons) for r in rows] == [(True, []), (False, ["outside_geofence"])]


@pytest.mark.django_db
def test_api_lists_active_permits_and_records_gas(client, manager_user, approved):
    client.force_login(manager_user)
    listing = client.get("/api/v1/permits", {"active": "true"}).json()
    assert [p["number"] for p in listing["items"]] == [approved.number]
    from django.utils import timezone

    body = {"sampled_at": timezone.now().isoformat(), "sample_point": "平台", "analyst": "陈",
            "instrument": "MX6", "oxygen_percent": "20.9"}  # fmt: skip
    response = client.post(f"/api/v1/permits/{approved.pk}/gas-tests", body,
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["passed"] is True


@pytest.mark.django_db
def test_geofence_and_guardian_training_pages(client, manager_user, area, people):
    from datetime import date

    from safework.permits.models import Geofence, GuardianTraining

    client.force_login(manager_user)
    url = reverse("permits:geofence", args=[area.pk])
    assert (
        client.post(url, {"latitude": "30.5", "longitude": "120.1", "radius_m": 300}).status_code
        == 302
    )
    assert Geofence.objects.get(work_area=area).radius_m == 300
    worker = people["worker"]
    url = reverse("permits:guardian_training", args=[worker.pk])
    response = client.post(url, {"issued_by": "培训中心", "valid_from": "2026-01-01",
                                 "valid_until": "2028-01-01"})  # fmt: skip
    assert response.status_code == 302
    assert GuardianTraining.objects.get(person=worker).valid_until == date(2028, 1, 1)


@pytest.mark.django_db
def test_area_head_of_another_site_cannot_set_a_geofence(client, django_user_model, area):
    from tests.factories import SiteFactory

    head = make_user(django_user_model, "head2", Role.AREA_HEAD, sites=[SiteFactory()])
    client.force_login(head)
    assert client.get(reverse("permits:geofence", args=[area.pk])).status_code == 404


@pytest.mark.django_db
def test_detail_page_and_pdf_at_every_step_of_a_hot_work_permit(client, manager_user, manager,
                                                                 approvers, area, people):  # fmt: skip
    from django.utils import timezone

    from safework.permits import services

    from .helpers import gas_ok, sign_everyone_in

    client.force_login(manager_user)
    now = timezone.now() - timedelta(minutes=2)
    permit = draft(manager, area, people, Kind.HOT_WORK, now, hours=6, details={"method": "焊"})

    def shows(status):
        page = client.get(reverse("permits:detail", args=[permit.pk])).content.decode()
        assert f'id="status">{Status(status).label}' in page or status in page
        assert client.get(reverse("permits:pdf", args=[permit.pk])).status_code == 200

    shows(Status.DRAFT)
    permit = prepare(manager, permit, people, [(W.HOT_WORKER, "welder")], now)
    shows(Status.JSA_SIGNED)
    services.permit_submit(actor=manager, permit=permit, now=now)
    shows(Status.APPROVING)
    permit = approve_all(permit, approvers)
    shows(Status.APPROVED)
    gas_ok(manager, permit, timezone.now() - timedelta(minutes=1))
    services.briefing_give(actor=manager, permit=permit)
    sign_everyone_in(manager, permit, timezone.now())
    client.post(reverse("permits:action", args=[permit.pk, "shift_check"]))
    client.post(reverse("permits:action", args=[permit.pk, "start"]))
    assert Permit.objects.get(pk=permit.pk).status == Status.IN_PROGRESS
    shows(Status.IN_PROGRESS)
    client.post(reverse("permits:action", args=[permit.pk, "suspend"]), {"reason": "换气瓶"})
    shows(Status.SUSPENDED)
    client.post(reverse("permits:action", args=[permit.pk, "resume"]))
    client.post(reverse("permits:action", args=[permit.pk, "complete"]))
    shows(Status.COMPLETED)
    client.post(reverse("permits:action", args=[permit.pk, "close"]))
    assert Permit.objects.get(pk=permit.pk).status == Status.CLOSED
    shows(Status.CLOSED)


@pytest.mark.django_db
def test_gas_page_records_and_judges_and_new_from_page(client, manager_user, approved):
    from django.utils import timezone

    client.force_login(manager_user)
    url = reverse("permits:gas", args=[approved.pk])
    assert client.get(url).status_code == 200
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"sampled_at": at, "sample_point": "平台", "analyst": "陈", "instrument": "MX6",
                      "oxygen_percent": "20.9", "lel_percent": "5", "result_percent": "0.8"})  # fmt: skip
    row = approved.gas_tests.get()
    assert (row.passed, row.failures) == (False, ["flammable_too_high"])
    page = client.get(reverse("permits:new_from", args=[approved.pk]))
    assert page.status_code == 200 and approved.number in page.content.decode()


@pytest.mark.django_db
def test_phone_page_limits_guessing(client, approved, monkeypatch):
    from safework.permits import views

    monkeypatch.setattr(views, "SIGN_ATTEMPTS_PER_MINUTE", 3)
    url = reverse("permits:mobile", args=[approved.sign_token])
    answers = [client.post(url, {"phone": "13900000000", "id_last4": "0000"}).status_code
               for _ in range(5)]  # fmt: skip
    assert answers == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_the_jsa_document_is_uploaded_shown_and_served_only_within_scope(
    client, django_user_model, manager_user, manager, area, people
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    permit = draft(manager, area, people, Kind.HEIGHT, timezone.now(), hours=8, details=HEIGHT)
    client.force_login(manager_user)
    document = b"%PDF-1.4\n% JSA of the scaffold job\n%%EOF\n"
    response = client.post(reverse("permits:jsa", args=[permit.pk]), {
        "steps": "搭设 | 坠落 | 系安全带", "residual_risk": "低",
        "document": SimpleUploadedFile("jsa.pdf", document, "application/pdf"),
    })  # fmt: skip
    assert response.status_code == 302
    link = reverse("permits:jsa_document", args=[permit.pk])
    assert link in client.get(reverse("permits:detail", args=[permit.pk])).content.decode()
    served = client.get(link)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == document
    assert client.post(link).status_code == 405
    other = make_user(django_user_model, "outsider", Role.CONTRACTOR_ADMIN, OrganizationFactory())
    client.force_login(other)
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_a_refused_jsa_comes_back_with_what_was_typed(client, manager_user, manager, area, people):
    """An .exe renamed .pdf is refused: the page answers 400 with the steps and residual
    risk as typed and the error beside the document field; nothing is saved or stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    permit = draft(manager, area, people, Kind.HEIGHT, timezone.now(), hours=8, details=HEIGHT)
    client.force_login(manager_user)
    response = client.post(reverse("permits:jsa", args=[permit.pk]), {
        "steps": "搭设脚手架 | 高处坠落 | 系挂安全带", "residual_risk": "低，可接受",
        "document": SimpleUploadedFile("jsa.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "搭设脚手架 | 高处坠落 | 系挂安全带" in page and 'value="低，可接受"' in page
    assert "JSA 未保存" in page
    permit.jsa.refresh_from_db()
    assert permit.jsa.steps == [] and permit.jsa.document == ""
    response = client.post(reverse("permits:jsa", args=[permit.pk]), {"steps": "搭设"})
    assert response.status_code == 400 and "搭设" in response.content.decode()


@pytest.mark.django_db
def test_a_permit_without_a_jsa_document_has_none_to_serve(client, manager_user, approved):
    client.force_login(manager_user)
    link = reverse("permits:jsa_document", args=[approved.pk])
    page = client.get(reverse("permits:detail", args=[approved.pk])).content.decode()
    assert link not in page
    assert reverse("evidence:permit", args=[approved.pk]) in page  # the way to its evidence
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_the_kinds_own_fields_are_shown_with_their_labels(
    client, manager_user, manager, area, people
):
    """Annex A fields on the page and in the PDF under their names, the objective hazards
    in the clause's words: never the stored keys (height_m, hazards, wind)."""
    from django.utils import timezone

    from safework.permits.rules.annex import detail_rows

    details = {"height_m": 16, "hazards": ["wind", "dark"]}
    permit = draft(manager, area, people, Kind.HEIGHT, timezone.now(), hours=8, details=details)
    client.force_login(manager_user)
    page = client.get(reverse("permits:detail", args=[permit.pk])).content.decode()
    assert (
        "作业高度" in page and "阵风风力五级（风速8.0m/s）以上、作业场所光线不足或能见度差" in page
    )
    assert "height_m" not in page and ">hazards<" not in page
    rows = dict(detail_rows(Kind.HEIGHT, {"height_m": 16, "hazards": [], "old_key": True}))
    assert rows["old_key"] == "是" and "—" in rows.values()
