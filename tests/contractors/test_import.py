"""Workers by Excel, reusing the ledger import (issue 7): dry run with row errors first,
then all rows or none; the imported people become the contractor's workers, of the kind
chosen, with an admission to prepare at the site chosen."""

from django.core.files.uploadedfile import SimpleUploadedFile

from safework.contractors.models import ContractorWorker, SiteAdmission
from safework.people.models import Person
from tests.certificates.ledger.conftest import id_no, ledger, row


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("台账.xlsx", data, content_type="application/octet-stream")


def test_import_workers_from_excel(admin_client, contractor, checklist, site):
    data = ledger(row(1, org=contractor.name), row(2, org=contractor.name))
    preview = admin_client.post("/contractors/workers/import/", {"file": upload(data)})
    assert preview.status_code == 302
    page = admin_client.get(preview["Location"]).content.decode()
    assert 'data-state="preview"' in page and 'id="commit"' in page
    assert not Person.objects.filter(name__in=["工人1", "工人2"]).exists()  # a dry run
    done = admin_client.post(preview["Location"], {"worker_kind": "labourer", "site": site.pk})
    assert done.status_code == 302
    workers = ContractorWorker.objects.filter(person__name__in=["工人1", "工人2"]).order_by(
        "person__name"
    )
    assert [(w.worker_kind, w.subject, w.organization_id) for w in workers] == [
        ("labourer", True, contractor.pk), ("labourer", True, contractor.pk),
    ]  # fmt: skip
    assert SiteAdmission.objects.filter(worker__in=workers, site=site, state="draft").count() == 2
    assert all(site in w.person.sites.all() for w in workers)


def test_a_bad_row_imports_nothing(admin_client, contractor, checklist):
    bad = row(4, org=contractor.name)
    bad[3] = id_no(4)[:17] + ("0" if id_no(4)[17] != "0" else "1")  # a wrong check digit
    preview = admin_client.post(
        "/contractors/workers/import/", {"file": upload(ledger(row(3, org=contractor.name), bad))}
    )
    page = admin_client.get(preview["Location"]).content.decode()
    assert 'id="import-errors"' in page and 'id="commit"' not in page
    admin_client.post(preview["Location"], {"worker_kind": "special"})
    assert not Person.objects.filter(name__in=["工人3", "工人4"]).exists()


def test_a_contractor_admin_imports_only_into_their_own_company(admin_client, rival, checklist):
    data = ledger(row(5, org=rival.name))
    preview = admin_client.post("/contractors/workers/import/", {"file": upload(data)})
    page = admin_client.get(preview["Location"]).content.decode()
    assert 'id="commit"' not in page
    assert not Person.objects.filter(organization=rival).exists()


def test_another_contractors_import_is_not_found(admin_client, rival_client, contractor, checklist):
    preview = admin_client.post(
        "/contractors/workers/import/", {"file": upload(ledger(row(6, org=contractor.name)))}
    )
    assert rival_client.get(preview["Location"]).status_code == 404
    assert rival_client.post(preview["Location"], {"worker_kind": "special"}).status_code == 404
    assert not Person.objects.filter(name="工人6").exists()
