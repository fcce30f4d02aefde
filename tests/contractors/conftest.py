"""Contractors fixtures: an owner with a site (a work area and its gate), two contractors
each with an admin login, an admission checklist, a briefing course with a question
bank, and helpers that walk a worker through admission the way the services do."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from safework.access.models import AreaAuthorization, Gate
from safework.approvals import services as approvals
from safework.approvals.models import ChainTemplate
from safework.contractors import services
from safework.contractors.choices import DocumentKind, QuestionKind, WorkerKind
from safework.contractors.models import ContractorWorker
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.core.clock import today
from tests.conftest import make_user
from tests.factories import (
    CertificateFactory,
    OrganizationFactory,
    SiteFactory,
    WorkAreaFactory,
    make_id_number,
)

PASSWORD = "Pw-for-tests-123"


@pytest.fixture(autouse=True)
def _fresh_gate_cache():
    """The gate check keeps gates per process for 2 s: not across tests."""
    from safework.access.selectors import forget_gates

    forget_gates()
    yield
    forget_gates()


@pytest.fixture(autouse=True)
def _no_delivery(settings):
    """Messages stay in the outbox (the tests read them there); nothing is sent."""
    settings.ALERTS_DELIVER_ON_COMMIT = False


@pytest.fixture
def owner(db):
    return OrganizationFactory(name="业主化工", kind=OrganizationKind.OWNER)


@pytest.fixture
def contractor(db):
    return OrganizationFactory(name="甲安装公司", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def rival(db):
    return OrganizationFactory(name="乙检修公司", kind=OrganizationKind.CONTRACTOR)


@pytest.fixture
def site(owner):
    return SiteFactory(name="北厂区", code="north", owner=owner)


@pytest.fixture
def area(site):
    return WorkAreaFactory(site=site, name="罐区", code="tanks")


@pytest.fixture
def gate(area):
    return Gate.objects.create(code="n-1", name="北门1号", area=area)


@pytest.fixture
def manager_user(db, django_user_model):
    user = make_user(django_user_model, "anquan", Role.SAFETY_MANAGER)
    user.email = "anquan@example.com"
    user.save()
    return user


@pytest.fixture
def manager(manager_user):
    return Actor(user=manager_user)


@pytest.fixture
def admin_user(django_user_model, contractor):
    user = make_user(django_user_model, "jia-admin", Role.CONTRACTOR_ADMIN, contractor)
    user.email = "admin@jia.example.com"
    user.save()
    return user


@pytest.fixture
def admin(admin_user):
    return Actor(user=admin_user)


@pytest.fixture
def rival_admin_user(django_user_model, rival):
    return make_user(django_user_model, "yi-admin", Role.CONTRACTOR_ADMIN, rival)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(manager_user):
    return logged_in(manager_user)


@pytest.fixture
def admin_client(admin_user):
    return logged_in(admin_user)


@pytest.fixture
def rival_client(rival_admin_user):
    return logged_in(rival_admin_user)


@pytest.fixture
def checklist(manager, site):
    """北厂区 requires from special-operations workers: ID card, insurance (expires) and a
    signed safety responsibility letter."""
    kinds = [DocumentKind.ID_CARD, DocumentKind.INSURANCE, DocumentKind.RESPONSIBILITY_LETTER]
    return [
        services.checklist_item_save(
            actor=manager, site=site, worker_kind=WorkerKind.SPECIAL, kind=k
        )
        for k in kinds
    ]


def png(name="scan.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


_seq = iter(range(5000, 10_000))


def register(actor, organization, name="王焊工", **extra):
    data = {
        "name": name,
        "id_number": make_id_number(next(_seq)),
        "phone": f"137{next(_seq):08d}",
        "organization": organization,
        "special_operations": ["MEM-2.1"],
        "worker_kind": WorkerKind.SPECIAL,
    }
    return services.worker_register(actor=actor, **(data | extra))


def certify(worker):
    return CertificateFactory(
        person=worker.person,
        valid_from=today() - timedelta(days=300),
        valid_until=today() + timedelta(days=1500),
        next_review_due=today() + timedelta(days=700),
    )


def upload_all(actor, worker, insurance_until: date | None = None):
    until = insurance_until or today() + timedelta(days=200)
    return [
        services.document_upload(actor=actor, worker=worker, kind=DocumentKind.ID_CARD, upload=png()),
        services.document_upload(
            actor=actor, worker=worker, kind=DocumentKind.INSURANCE, upload=png(),
            valid_until=until, number="PICC-001",
        ),
        services.document_upload(
            actor=actor, worker=worker, kind=DocumentKind.RESPONSIBILITY_LETTER, upload=png()
        ),
    ]  # fmt: skip


def accept_all(manager, documents):
    for doc in documents:
        services.document_review(actor=manager, document=doc, accept=True)


def admit(manager, admin, worker, site, insurance_until=None):
    """Documents uploaded and accepted, assigned, submitted and approved by the default
    chain (one step: the owner's safety manager)."""
    admission = services.worker_assign_site(actor=admin, worker=worker, site=site)
    accept_all(manager, upload_all(admin, worker, insurance_until))
    admission = services.admission_submit(actor=admin, admission=admission)
    approvals.approval_approve(actor=manager, instance=admission.approval)
    admission.refresh_from_db()
    return admission


def fresh(worker) -> ContractorWorker:
    return ContractorWorker.objects.select_related("person__organization").get(pk=worker.pk)


@pytest.fixture
def worker(admin, contractor, checklist):
    return register(admin, contractor)


@pytest.fixture
def course(manager, site):
    """A briefing with a bank of 6 questions (4 drawn), pass mark 75%, 2 attempts."""
    course = services.course_save(
        actor=manager, title="动火作业安全交底", category="动火作业", site=site,
        worker_kind="", text="动火前必须办理作业票。\n现场配备灭火器。", allow_skip=False,
        pass_mark=75, questions_per_quiz=4, max_attempts=2, retrain_months=12, required=True,
    )  # fmt: skip
    for n in range(4):
        services.question_save(
            actor=manager, course=course, kind=QuestionKind.SINGLE, text=f"单选题{n}",
            choices=[(f"正确{n}", True), (f"错误{n}a", False), (f"错误{n}b", False)],
        )  # fmt: skip
    services.question_save(
        actor=manager, course=course, kind=QuestionKind.MULTIPLE, text="多选题",
        choices=[("甲", True), ("乙", True), ("丙", False)],
    )  # fmt: skip
    services.question_save(
        actor=manager, course=course, kind=QuestionKind.TRUE_FALSE, text="动火要办票",
        choices=[("", True)],
    )  # fmt: skip
    return services.course_publish(actor=manager, course=course, published=True)


def correct_answers(attempt) -> dict[int, list[int]]:
    from safework.contractors.models import Choice

    ids = [p["q"] for p in attempt.paper]
    answers: dict[int, list[int]] = {}
    for c in Choice.objects.filter(question_id__in=ids, correct=True):
        answers.setdefault(c.question_id, []).append(c.pk)
    return answers


def wrong_answers(attempt) -> dict[int, list[int]]:
    from safework.contractors.models import Choice

    ids = [p["q"] for p in attempt.paper]
    return {q: [c.pk for c in Choice.objects.filter(question_id=q, correct=False)[:1]] for q in ids}


def authorize(person, area):
    return AreaAuthorization.objects.create(area=area, organization=person.organization)


def chain(code: str, steps: list[dict]) -> ChainTemplate:
    return approvals.chain_save(
        actor=Actor.system("test"), code=code, name=code, subject_kind="tests.subject", steps=steps
    )
