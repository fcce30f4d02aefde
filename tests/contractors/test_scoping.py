"""A contractor admin never sees another contractor's data (issue 7): every page, file
and endpoint that names a worker, a document or an admission of another contractor
answers 403/404 with none of its data, and no write reaches it."""

import pytest

from safework.contractors import services
from safework.contractors.models import SiteAdmission, WorkerDocument

from .conftest import png, upload_all

SECRET = "王焊工"


@pytest.fixture
def victim(admin, worker, site):
    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    documents = upload_all(admin, worker)
    return {"worker": worker, "admission": admission, "document": documents[0]}


def _leaks(response) -> bool:
    if getattr(response, "streaming", False):
        return response.status_code == 200
    body = response.content.decode("utf-8", "replace")
    return response.status_code == 200 and (SECRET in body or "PICC-001" in body)


def test_pages_and_files_of_another_contractor(rival_client, victim):
    w, d = victim["worker"].pk, victim["document"].pk
    for path in (f"/contractors/workers/{w}/", f"/contractors/documents/{d}/"):
        response = rival_client.get(path)
        assert response.status_code == 404, path
    for path in ("/contractors/workers/", "/contractors/portal/", "/contractors/review/",
                 "/contractors/attendance/", "/contractors/retraining/", "/approvals/"):  # fmt: skip
        response = rival_client.get(path)
        assert response.status_code in (200, 302, 403) and not _leaks(response), path


def test_writes_to_another_contractors_worker(rival_client, victim, site):
    w, d, a = victim["worker"].pk, victim["document"].pk, victim["admission"].pk
    posts = {
        f"/contractors/workers/{w}/documents/": {"kind": "id_card", "file": png()},
        f"/contractors/workers/{w}/sites/": {"site": site.pk},
        f"/contractors/workers/{w}/release/": {"reason": "x"},
        f"/contractors/workers/{w}/kind/": {"worker_kind": "labourer"},
        f"/contractors/admissions/{a}/submit/": {},
        f"/contractors/documents/{d}/review/": {"decision": "accept"},
    }
    for path, data in posts.items():
        assert rival_client.post(path, data).status_code in (403, 404), path
    assert WorkerDocument.objects.count() == 3
    assert SiteAdmission.objects.get().state == "draft"
    victim["worker"].refresh_from_db()
    assert victim["worker"].worker_kind == "special"


def test_the_api_of_another_contractor(rival_admin_user, victim):
    from django.test import Client

    from tests.api.conftest import ApiClient

    api = ApiClient(Client())
    api.client.force_login(rival_admin_user)
    w, a = victim["worker"].pk, victim["admission"].pk
    assert api.get(f"/contractors/workers/{w}").status_code == 404
    assert api.get("/contractors/workers").json()["count"] == 0
    assert [c["name"] for c in api.get("/contractors").json()] == ["乙检修公司"]
    assert api.post(f"/contractors/admissions/{a}/submit").status_code == 404
    assert SECRET not in api.get("/approvals").content.decode()


def test_an_organization_restricted_token_is_scoped_the_same_way(rival, victim):
    from tests.api.conftest import ApiClient, new_token

    api = ApiClient(token=new_token("write", organization=rival))
    assert api.get(f"/contractors/workers/{victim['worker'].pk}").status_code == 404
    assert api.get("/contractors/workers").json()["count"] == 0


def test_the_own_admin_sees_their_worker(admin_client, victim):
    page = admin_client.get(f"/contractors/workers/{victim['worker'].pk}/")
    assert page.status_code == 200 and SECRET in page.content.decode()
    assert admin_client.get(f"/contractors/documents/{victim['document'].pk}/").status_code == 200
