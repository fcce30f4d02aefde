"""Contractor endpoints: the contractor list with admission counts, workers with their
admission reasons and checklist, registering and assigning workers, submitting an
admission, and 待复训. Scoped by the one permission gate like every other endpoint."""

from datetime import date

from ninja import Field, Query, Router, Schema

from safework.core.access import organizations_visible, sites_visible
from safework.core.api import InputSchema, answers, created, paged, resolve_ref
from safework.core.auth import actor_of
from safework.core.clock import today
from safework.core.models import Organization, Site

from . import selectors, services
from .choices import WorkerKind
from .models import SiteAdmission

router = Router(tags=["contractors"])


class ContractorOut(Schema):
    id: int
    name: str
    credit_code: str | None
    workers: int
    admitted: int
    pending: int
    not_admitted: int


@router.get(
    "/contractors",
    response=answers(list[ContractorOut]),
    summary="Contractors and their workers' admission",
)
def list_contractors(request, q: str = ""):
    rows = selectors.contractor_list(actor=actor_of(request), on=today(), q=q)
    return [
        {"id": r.organization.pk, "name": r.organization.name, "credit_code": r.organization.credit_code,
         "workers": r.workers, "admitted": r.admitted, "pending": r.pending, "not_admitted": r.not_admitted}
        for r in rows
    ]  # fmt: skip


class ItemOut(Schema):
    item: str
    kind: str
    status: str
    valid_until: date | None
    rejection_reason: str


class AdmissionOut(Schema):
    id: int
    site_id: int
    site_name: str
    state: str
    approval_id: int | None
    checklist: list[ItemOut]


class WorkerOut(Schema):
    id: int
    person_id: int
    name: str
    organization_id: int
    worker_kind: str
    admitted: bool = Field(description="Admitted today (documents complete, briefing passed).")
    reasons: list[str]

    @staticmethod
    def resolve_name(worker):
        return worker.person.name

    @staticmethod
    def resolve_organization_id(worker):
        return worker.person.organization_id

    @staticmethod
    def resolve_reasons(worker):
        return selectors.worker_reasons(worker, today())

    @staticmethod
    def resolve_admitted(worker):
        return not selectors.worker_reasons(worker, today())


class WorkerDetailOut(WorkerOut):
    admissions: list[AdmissionOut]

    @staticmethod
    def resolve_admissions(worker):
        on = today()
        return [_admission_out(worker, a, on) for a in selectors.admissions_of(worker)]


def _admission_out(worker, admission: SiteAdmission, on: date) -> dict:
    checks = (
        services.checklist(worker, admission.site_id, on) if admission.state != "released" else []
    )
    return {"id": admission.pk, "site_id": admission.site_id, "site_name": admission.site.name,
            "state": admission.state, "approval_id": admission.approval_id,
            "checklist": [{"item": c.item.label, "kind": c.item.kind, "status": c.status,
                           "valid_until": c.valid_until, "rejection_reason": c.rejection_reason}
                          for c in checks]}  # fmt: skip


class WorkerFilters(Schema):
    q: str = ""
    organization_id: int | None = None
    site_id: int | None = None
    state: str = Field("", description="admitted or not_admitted (today)")


@router.get("/contractors/workers", response=answers(list[WorkerOut]), summary="Contractor workers")
@paged
def list_workers(request, filters: Query[WorkerFilters]):
    return selectors.worker_list(actor=actor_of(request), on=today(), **filters.dict())


@router.get("/contractors/workers/{int:worker_id}", response=answers(WorkerDetailOut))
def get_worker(request, worker_id: int):
    return selectors.worker_get(actor=actor_of(request), pk=worker_id)


class WorkerIn(InputSchema):
    name: str = Field(max_length=100)
    id_number: str = Field(max_length=30)
    phone: str = Field("", max_length=20)
    organization_id: int
    worker_kind: str = Field(WorkerKind.SPECIAL.value, description=", ".join(WorkerKind.values))
    special_operations: list[str] = Field(default_factory=list)
    job_title: str = Field("", max_length=100)


@router.post(
    "/contractors/workers",
    response=answers(WorkerOut, 201),
    summary="Register a contractor's worker",
)
def create_worker(request, payload: WorkerIn):
    actor = actor_of(request)
    data = payload.dict()
    data["organization"] = resolve_ref(
        organizations_visible(Organization.objects.all(), actor),
        data.pop("organization_id"),
        "organization_id",
    )
    worker = services.worker_register(actor=actor, **data)
    return created(worker)


class SiteIn(InputSchema):
    site_id: int


@router.post("/contractors/workers/{int:worker_id}/sites", response=answers(AdmissionOut, 201))
def assign_site(request, worker_id: int, payload: SiteIn):
    actor = actor_of(request)
    worker = selectors.worker_get(actor=actor, pk=worker_id)
    site = resolve_ref(sites_visible(Site.objects.all(), actor), payload.site_id, "site_id")
    admission = services.worker_assign_site(actor=actor, worker=worker, site=site)
    return created(_admission_out(worker, admission, today()))


@router.post("/contractors/admissions/{int:admission_id}/submit", response=answers(AdmissionOut))
def submit_admission(request, admission_id: int):
    actor = actor_of(request)
    admission = SiteAdmission.objects.select_related("site").get(pk=admission_id)
    worker = selectors.worker_get(actor=actor, pk=admission.worker_id)
    admission = services.admission_submit(actor=actor, admission=admission)
    return _admission_out(worker, admission, today())


class RetrainingFilters(Schema):
    within_days: int = Field(30, ge=0, le=366, description="Lapsing within this many days.")


class RetrainingOut(Schema):
    category: str
    person_id: int
    name: str
    organization_id: int
    course_id: int
    course: str
    valid_until: date


@router.get(
    "/contractors/retraining", response=answers(list[RetrainingOut]), summary="待复训 by category"
)
def retraining(request, filters: Query[RetrainingFilters]):
    groups = selectors.retraining_due(
        actor=actor_of(request), on=today(), within_days=filters.within_days
    )
    return [
        {"category": category, "person_id": a.person_id, "name": a.person.name,
         "organization_id": a.person.organization_id, "course_id": a.course_id,
         "course": a.course.title, "valid_until": a.valid_until}
        for category, attempts in groups.items() for a in attempts
    ]  # fmt: skip
