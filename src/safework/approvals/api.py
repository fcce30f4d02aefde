"""Approval endpoints: the approvals visible to the caller, one with its steps, and the
decisions (session or write token; a read token only reads)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from safework.core.api import InputSchema, LocalDateTime, answers, paged
from safework.core.auth import actor_of

from . import services
from .selectors import approval_get, approval_list

router = Router(tags=["approvals"])


class PartyOut(Schema):
    label: str
    role: str
    organization_id: int | None
    state: str
    decided_by_label: str
    decided_at: LocalDateTime | None
    comment: str


class StepOut(Schema):
    order: int
    name: str
    mode: str
    state: str
    parties: list[PartyOut]

    @staticmethod
    def resolve_parties(step):
        return list(step.parties.all())


class ApprovalOut(Schema):
    id: int
    title: str
    subject_kind: str
    subject_key: str
    organization_id: int | None
    site_id: int | None
    state: str
    round: int
    reason: str
    created_at: LocalDateTime
    decided_at: LocalDateTime | None


class ApprovalDetailOut(ApprovalOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(instance):
        return list(instance.steps.all())


class ApprovalFilters(Schema):
    state: str = Field("", description="pending, approved, rejected or cancelled.")
    subject_kind: str = Field("", description="e.g. contractors.admission")


class CommentIn(InputSchema):
    comment: str = Field("", max_length=500)


class RejectIn(InputSchema):
    reason: str = Field(max_length=500, description="Why; the applicant reads it.")


class TextIn(InputSchema):
    text: str = Field(max_length=2000)


@router.get("/approvals", response=answers(list[ApprovalOut]), summary="List approvals")
@paged
def list_approvals(request, filters: Query[ApprovalFilters]):
    return approval_list(actor=actor_of(request), **filters.dict())


@router.get("/approvals/{int:approval_id}", response=answers(ApprovalDetailOut))
def get_approval(request, approval_id: int):
    return approval_get(actor=actor_of(request), pk=approval_id)


@router.post("/approvals/{int:approval_id}/approve", response=answers(ApprovalDetailOut))
def approve(request, approval_id: int, payload: CommentIn):
    actor = actor_of(request)
    instance = approval_get(actor=actor, pk=approval_id)
    services.approval_approve(actor=actor, instance=instance, comment=payload.comment)
    return approval_get(actor=actor, pk=approval_id)


@router.post("/approvals/{int:approval_id}/reject", response=answers(ApprovalDetailOut))
def reject(request, approval_id: int, payload: RejectIn):
    actor = actor_of(request)
    instance = approval_get(actor=actor, pk=approval_id)
    services.approval_reject(actor=actor, instance=instance, reason=payload.reason)
    return approval_get(actor=actor, pk=approval_id)


class EventOut(Schema):
    kind: str
    text: str
    actor_label: str
    at: datetime


@router.post("/approvals/{int:approval_id}/comments", response=answers(EventOut, 201))
def comment(request, approval_id: int, payload: TextIn):
    from safework.core.api import created

    actor = actor_of(request)
    instance = approval_get(actor=actor, pk=approval_id)
    return created(services.approval_comment(actor=actor, instance=instance, text=payload.text))
