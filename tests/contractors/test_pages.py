"""The contractor pages as their users reach them: the owner's list and setup pages, the
contractor admin's portal (company registration with its credit code checked, workers),
the admission panel on the person page, and lists that do not query per row."""

import pytest

from safework.contractors.models import ChecklistItem, ContractorProfile, Course
from safework.core.idnumbers import uscc_check_char
from safework.core.models import Organization

from .conftest import admit, certify, logged_in, register


def credit_code(first17="91320100MA1XXXXX1") -> str:
    return first17 + uscc_check_char(first17)


def test_a_new_contractor_admin_registers_the_company(manager_client, django_user_model):
    response = manager_client.post(
        "/contractors/admins/new/", {"username": "new-admin", "password": "Pw-for-tests-123"}
    )
    assert response.status_code == 302
    client = logged_in(django_user_model.objects.get(username="new-admin"))
    assert client.get("/contractors/")["Location"] == "/contractors/portal/"
    assert client.get("/contractors/portal/")["Location"] == "/contractors/register/"
    bad = client.post(
        "/contractors/register/", {"name": "丙建设", "credit_code": credit_code()[:17] + "0"}
    )
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    good = client.post(
        "/contractors/register/",
        {"name": "丙建设", "credit_code": credit_code(), "safety_officer": "孙安"},
    )
    assert good.status_code == 302
    org = Organization.objects.get(name="丙建设")
    assert (org.kind, org.credit_code) == ("contractor", credit_code())
    assert ContractorProfile.objects.get(organization=org).safety_officer == "孙安"
    assert client.get("/contractors/portal/").status_code == 200


def test_the_portal_shows_approvals_and_rejections(manager, admin, admin_client, worker, site):
    from safework.approvals import services as approvals
    from safework.contractors import services

    from .conftest import png, upload_all

    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    docs = upload_all(admin, worker)
    services.document_review(
        actor=manager, document=docs[0], accept=False, reason="身份证复印件不清"
    )
    assert "身份证复印件不清" in admin_client.get("/contractors/portal/").content.decode()
    services.document_upload(actor=admin, worker=worker, kind="id_card", upload=png())
    admission = services.admission_submit(actor=admin, admission=admission)
    approvals.approval_reject(actor=manager, instance=admission.approval, reason="请补特种作业证")
    portal = admin_client.get("/contractors/portal/").content.decode()
    assert "请补特种作业证" in portal
    page = admin_client.get(f"/contractors/workers/{worker.pk}/").content.decode()
    assert "请补特种作业证" in page  # the approval's progress with the rejection reason
    assert 'data-admission-state="rejected"' in page and "data-submit-admission" in page


def test_worker_registration_and_upload_pages(admin_client, contractor, checklist, site):
    from .conftest import png

    data = {"name": "周电工", "id_number": "11010519491231002X", "phone": "13812345678",
            "organization": contractor.pk, "worker_kind": "special", "special_operations": ["MEM-1.2"]}  # fmt: skip
    response = admin_client.post("/contractors/workers/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    pk = int(url.rstrip("/").split("/")[-1])
    assert (
        admin_client.post(f"/contractors/workers/{pk}/sites/", {"site": site.pk}).status_code == 302
    )
    missing_date = admin_client.post(
        f"/contractors/workers/{pk}/documents/", {"kind": "insurance", "file": png()}
    )
    assert missing_date.status_code == 422
    ok = admin_client.post(f"/contractors/workers/{pk}/documents/",
                           {"kind": "insurance", "file": png(), "valid_until": "2099-01-01"})  # fmt: skip
    assert ok.status_code == 302
    page = admin_client.get(url).content.decode()
    assert 'data-item="insurance" data-status="pending"' in page
    assert 'data-item="id_card" data-status="missing"' in page


def test_owner_setup_pages(manager_client, site, course):
    assert manager_client.post("/contractors/checklists/", {"site": site.pk, "worker_kind": "special",
                               "kind": "custom", "name": "高处作业体检", "expires": "on",
                               "file_required": "on"}).status_code == 302  # fmt: skip
    item = ChecklistItem.objects.get(name="高处作业体检")
    assert item.expires
    assert "高处作业体检" in manager_client.get("/contractors/checklists/").content.decode()
    assert (
        manager_client.post(
            f"/contractors/checklists/{item.pk}/active/", {"active": "0"}
        ).status_code
        == 302
    )
    assert not ChecklistItem.objects.get(pk=item.pk).is_active
    new = manager_client.post("/contractors/courses/new/", {"title": "入场通用", "category": "通用", "pass_mark": 80,
                              "questions_per_quiz": 5, "max_attempts": 3, "retrain_months": 12, "required": "on"})  # fmt: skip
    assert new.status_code == 302
    created = Course.objects.get(title="入场通用")
    q = manager_client.post(f"/contractors/courses/{created.pk}/questions/",
                            {"kind": "single", "text": "安全帽要系带吗？", "options": "*要\n不要"})  # fmt: skip
    assert q.status_code == 302 and created.questions.count() == 1
    assert (
        manager_client.post(
            f"/contractors/courses/{created.pk}/publish/", {"published": "1"}
        ).status_code
        == 302
    )
    assert Course.objects.get(pk=created.pk).is_published
    course_page = manager_client.get(f"/contractors/courses/{course.pk}/").content.decode()
    assert (
        "<svg" in course_page and f"/brief/?next=%2Fbrief%2Fcourses%2F{course.pk}%2F" in course_page
    )
    for path in ("/contractors/", "/contractors/courses/", f"/contractors/courses/{course.pk}/",
                 "/contractors/review/", "/contractors/retraining/", "/contractors/attendance/",
                 "/approvals/chains/", "/contractors/workers/"):  # fmt: skip
        assert manager_client.get(path).status_code == 200, path


def test_contractor_admins_cannot_configure(admin_client, site):
    assert admin_client.get("/contractors/checklists/").status_code == 403
    assert admin_client.get("/contractors/courses/").status_code == 403
    assert (
        admin_client.post(
            "/contractors/checklists/",
            {"site": site.pk, "worker_kind": "special", "kind": "id_card"},
        ).status_code
        == 403
    )


def test_the_person_page_shows_the_admission(manager_client, worker):
    body = manager_client.get(f"/people/{worker.person_id}/").content.decode()
    assert 'id="admission"' in body and 'data-reason="not_admitted"' in body


def test_lists_do_not_query_per_worker(
    manager_client, admin, contractor, checklist, django_assert_max_num_queries
):
    """STYLE.md 10: the people list calls qualification per person; the contractor and
    worker lists show each one's admission state. Query counts stay flat as lists grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        result = {}
        for path in (
            "/people/",
            "/contractors/",
            "/contractors/workers/",
            "/api/v1/contractors/workers",
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert manager_client.get(path).status_code == 200
            result[path] = len(ctx.captured_queries)
        return result

    for n in range(3):
        certify(register(admin, contractor, name=f"甲{n}"))
    few = counts()
    for n in range(12):
        certify(register(admin, contractor, name=f"乙{n}"))
    assert counts() == few


def test_the_contractor_list_counts_admission(
    manager, admin, manager_client, worker, site, contractor
):
    certify(worker)
    admit(manager, admin, worker, site)
    register(admin, contractor, name="未准入")
    body = manager_client.get("/contractors/").content.decode()
    row = body.split(f'data-contractor="{contractor.pk}"')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].split(">")[-1] for c in row.split("<td")[1:]]
    assert cells[-4:] == ["2", "1", "0", "1"]


@pytest.mark.parametrize("path", ["/brief/courses/", "/brief/courses/1/", "/brief/courses/1/quiz/"])
def test_phone_pages_need_a_signed_in_worker(client, path, db):
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, "/brief/")


def test_sign_in_goes_back_only_to_a_briefing_page(client, worker):
    from safework.contractors.phone import _sign_in

    request = (
        __import__("django.test", fromlist=["RequestFactory"])
        .RequestFactory()
        .post("/brief/?next=https://evil.example/")
    )
    request.session = client.session
    assert _sign_in(request, worker.person)["Location"] == "/brief/courses/"
    request = (
        __import__("django.test", fromlist=["RequestFactory"])
        .RequestFactory()
        .post("/brief/?next=/brief/courses/7/")
    )
    request.session = client.session
    assert _sign_in(request, worker.person)["Location"] == "/brief/courses/7/"
