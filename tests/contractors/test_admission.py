"""A worker's way to admission through the services: the checklist, a rejected document,
submission into the approval chain, the chain's outcome, expiry, release; and what
qualification (the one rule) says at each point."""

from datetime import timedelta

import pytest

from safework.access.models import Badge
from safework.alerts.models import InboxItem, Notification
from safework.approvals import services as approvals
from safework.audit.models import AuditEntry
from safework.certificates.qualification import qualification, qualifications_for
from safework.contractors import services
from safework.contractors.choices import AdmissionState, DocumentKind, ItemStatus
from safework.contractors.models import ContractorWorker, WorkerDocument
from safework.core.clock import today
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.people.models import Person
from tests.factories import CertificateFactory, PersonFactory, make_id_number

from .conftest import accept_all, admit, certify, fresh, png, register, upload_all

ITEM = "MEM-2.1"


def reasons(worker, on=None):
    person = Person.objects.get(pk=worker.person_id)
    return qualification(person, ITEM, on or today()).reasons


def statuses(worker, site):
    return {c.item.kind: c.status for c in services.checklist(fresh(worker), site.pk, today())}


def test_without_a_checklist_nobody_needs_admission(db, contractor):
    """Admission control starts when the owner configures it: until then the register
    behaves as before for everyone."""
    person = PersonFactory(organization=contractor, special_operations=[ITEM])
    CertificateFactory(person=person)
    assert qualification(person, ITEM, today()).reasons == ()


def test_a_checklist_puts_every_contractor_person_under_admission(manager, contractor, owner, site):
    person = PersonFactory(organization=contractor, special_operations=[ITEM])  # not via the portal
    employee = PersonFactory(organization=owner, special_operations=[ITEM])
    CertificateFactory(person=person), CertificateFactory(person=employee)
    services.checklist_item_save(actor=manager, site=site, worker_kind="special", kind="id_card")
    assert qualification(Person.objects.get(pk=person.pk), ITEM, today()).reasons == (
        "not_admitted",
    )
    # The owner's own employees are unaffected.
    assert qualification(Person.objects.get(pk=employee.pk), ITEM, today()).reasons == ()


def test_the_checklist_shows_what_is_missing(admin, worker, site):
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    assert statuses(worker, site) == {
        DocumentKind.ID_CARD: ItemStatus.MISSING,
        DocumentKind.INSURANCE: ItemStatus.MISSING,
        DocumentKind.RESPONSIBILITY_LETTER: ItemStatus.MISSING,
    }
    assert set(reasons(worker)) == {"not_admitted", "no_certificate"}


def test_submission_is_refused_while_documents_are_missing(admin, worker, site):
    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    with pytest.raises(ValidationFailed) as exc:
        services.admission_submit(actor=admin, admission=admission)
    assert "checklist" in exc.value.errors
    admission.refresh_from_db()
    assert admission.state == AdmissionState.DRAFT


def test_a_rejected_document_is_shown_with_its_reason_and_told(
    manager, admin, admin_user, worker, site
):
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    docs = upload_all(admin, worker)
    services.document_review(actor=manager, document=docs[1], accept=False, reason="保险单模糊")
    checks = {c.item.kind: c for c in services.checklist(fresh(worker), site.pk, today())}
    insurance = checks[DocumentKind.INSURANCE]
    assert (insurance.status, insurance.rejection_reason) == (ItemStatus.REJECTED, "保险单模糊")
    told = InboxItem.objects.get(user=admin_user)
    assert "保险单模糊" in told.body and str(worker.pk) in told.link
    assert Notification.objects.filter(channel="email", recipient=admin_user.email).exists()
    with pytest.raises(ValidationFailed):  # a rejected item blocks submission
        services.admission_submit(actor=admin, admission=worker.admissions.get())


def test_rejecting_needs_a_reason_and_only_the_owner_reviews(manager, admin, worker, site):
    doc = upload_all(admin, worker)[0]
    with pytest.raises(ValidationFailed):
        services.document_review(actor=manager, document=doc, accept=False, reason="")
    with pytest.raises(NotAllowed):
        services.document_review(actor=admin, document=doc, accept=True)


def test_the_whole_way_to_admission(manager, admin, worker, site):
    certify(worker)
    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    docs = upload_all(admin, worker)
    admission = services.admission_submit(
        actor=admin, admission=admission
    )  # pending review is fine
    assert admission.state == AdmissionState.PENDING
    assert reasons(worker) == ("not_admitted",)
    approvals.approval_approve(actor=manager, instance=admission.approval)
    admission.refresh_from_db()
    assert admission.state == AdmissionState.ADMITTED
    assert reasons(worker) == ("not_admitted",)  # documents still await review
    accept_all(manager, docs)
    assert reasons(worker) == ()
    assert site in Person.objects.get(pk=worker.person_id).sites.all()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"admission.assign", "document.upload", "document.review", "admission.submit",
            "admission.approved", "contractor_worker.register"} <= actions  # fmt: skip


def test_an_expired_insurance_makes_the_worker_not_admitted(manager, admin, worker, site):
    """Issue 7: exactly like an expired certificate, at midnight, nobody touching it."""
    certify(worker)
    last_day = today() + timedelta(days=3)
    admit(manager, admin, worker, site, insurance_until=last_day)
    assert reasons(worker, last_day) == ()
    assert reasons(worker, last_day + timedelta(days=1)) == ("not_admitted",)
    # A renewed insurance, once accepted, admits again.
    renewal = services.document_upload(actor=admin, worker=worker, kind=DocumentKind.INSURANCE,
                                       upload=png(), valid_until=today() + timedelta(days=365))  # fmt: skip
    assert reasons(worker, last_day + timedelta(days=1)) == ("not_admitted",)
    services.document_review(actor=manager, document=renewal, accept=True)
    assert reasons(worker, last_day + timedelta(days=1)) == ()


def test_a_rejected_admission_goes_back_and_can_be_resubmitted(
    manager, admin, admin_user, worker, site
):
    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    upload_all(admin, worker)
    admission = services.admission_submit(actor=admin, admission=admission)
    approvals.approval_reject(actor=manager, instance=admission.approval, reason="缺三级教育记录")
    admission.refresh_from_db()
    assert admission.state == AdmissionState.REJECTED
    assert InboxItem.objects.filter(user=admin_user, body__contains="缺三级教育记录").exists()
    admission = services.admission_submit(actor=admin, admission=admission)
    admission.approval.refresh_from_db()
    assert (admission.state, admission.approval.round) == (AdmissionState.PENDING, 2)


def test_insurance_needs_its_valid_until_date(admin, worker):
    with pytest.raises(ValidationFailed) as exc:
        services.document_upload(
            actor=admin, worker=worker, kind=DocumentKind.INSURANCE, upload=png()
        )
    assert "valid_until" in exc.value.errors


def test_uploads_are_checked_by_their_bytes(admin, worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("id.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.document_upload(actor=admin, worker=worker, kind=DocumentKind.ID_CARD, upload=fake)
    assert "file" in exc.value.errors
    big = SimpleUploadedFile(
        "id.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    with pytest.raises(ValidationFailed):
        services.document_upload(actor=admin, worker=worker, kind=DocumentKind.ID_CARD, upload=big)
    doc = services.document_upload(
        actor=admin, worker=worker, kind=DocumentKind.ID_CARD, upload=png()
    )
    assert doc.content_type == "image/jpeg" and doc.file.endswith(".jpg")  # re-encoded


def test_a_site_once_only(admin, worker, site):
    services.worker_assign_site(actor=admin, worker=worker, site=site)
    with pytest.raises(Conflict):
        services.worker_assign_site(actor=admin, worker=worker, site=site)


def test_a_worker_registered_through_the_portal(admin, contractor, checklist):
    worker = register(admin, contractor, name="李电工", worker_kind="labourer")
    assert (worker.worker_kind, worker.subject, worker.person.organization) == (
        "labourer", True, contractor,
    )  # fmt: skip
    with pytest.raises(ValidationFailed):  # the register's own ID checks apply
        good = make_id_number(4321)
        register(admin, contractor, id_number=good[:17] + ("1" if good[17] == "0" else "0"))


def test_release_revokes_the_badge_and_ends_admission(manager, admin, worker, site):
    certify(worker)
    admit(manager, admin, worker, site)
    assert reasons(worker) == ()
    services.worker_release(actor=admin, worker=worker, reason="合同结束")
    assert reasons(worker) == ("not_admitted",)
    assert Badge.objects.get(person_id=worker.person_id).is_revoked
    assert site not in Person.objects.get(pk=worker.person_id).sites.all()
    assert worker.admissions.get().state == AdmissionState.RELEASED
    assert ContractorWorker.objects.get(pk=worker.pk).admitted is False


def test_releasing_one_of_two_sites_keeps_the_badge(manager, admin, worker, site):
    from tests.factories import SiteFactory

    certify(worker)
    other = SiteFactory(owner=site.owner)
    admit(manager, admin, worker, site)
    services.worker_assign_site(actor=admin, worker=worker, site=other)
    services.worker_release(actor=admin, worker=worker, reason="转场", site=other)
    assert not Badge.objects.filter(person_id=worker.person_id, revoked_at__isnull=False).exists()
    assert reasons(worker) == ()


def test_a_contractor_admin_cannot_touch_another_contractors_worker(rival_admin_user, worker, site):
    from safework.core.actors import Actor

    rival = Actor(user=rival_admin_user)
    with pytest.raises(NotAllowed):
        services.worker_assign_site(actor=rival, worker=worker, site=site)
    with pytest.raises(NotAllowed):
        services.document_upload(actor=rival, worker=worker, kind="id_card", upload=png())
    with pytest.raises(NotAllowed):
        services.worker_release(actor=rival, worker=worker, reason="x")
    assert not WorkerDocument.objects.exists()


def test_qualification_reads_the_standing_without_a_query_when_loaded(
    worker, django_assert_num_queries
):
    """People lists: with contractor_worker selected, admission costs no query."""
    from django.db.models import Prefetch

    from safework.certificates.models import Certificate

    certify(worker)
    person = (
        Person.objects.select_related("contractor_worker", "organization")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.select_related("type")), "special_operations")
        .get(pk=worker.person_id)
    )  # fmt: skip
    with django_assert_num_queries(0):
        assert qualifications_for(person, today())[0].reasons == ("not_admitted",)
