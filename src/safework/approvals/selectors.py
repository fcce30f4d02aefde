"""Read queries of the approval engine, through the permission gate: who may decide for a
party, the tasks awaiting an actor, and the approvals an actor may see."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from safework.core.access import scope_organization_ids
from safework.core.actors import Actor
from safework.core.choices import Role

from .choices import InstanceState, PartyState, StepState
from .models import ApprovalEvent, ApprovalInstance, ApprovalParty, ChainTemplate


def may_decide(party: ApprovalParty, actor: Actor, site_id: int | None) -> bool:
    """A named user decides alone; otherwise the role must match (any role when none is
    named) and the organization too (owner-side logins when none is named), and an area
    head decides only for an approval at one of their sites (``site_id``: the approval's)."""
    if actor.user is None or not actor.can_write:
        return False
    if party.user_id is not None:
        return actor.user.pk == party.user_id
    if party.role and actor.role != party.role:
        return False
    if actor.role == Role.AREA_HEAD and site_id is not None and site_id not in actor.site_ids:
        return False
    if party.organization_id is not None:
        return actor.organization_id == party.organization_id
    return actor.role in {Role.SAFETY_MANAGER, Role.AREA_HEAD}


def _party_q(actor: Actor, prefix: str = "") -> Q:
    """The SQL form of ``may_decide`` for the pending parties of an actor."""
    if actor.user is None or not actor.can_write:
        return Q(pk__in=[])
    p = prefix
    named = Q(**{f"{p}user_id": actor.user.pk})
    role = Q(**{f"{p}role": ""}) | Q(**{f"{p}role": actor.role or "-"})
    org = Q(**{f"{p}organization_id": actor.organization_id or -1})
    if actor.role in {Role.SAFETY_MANAGER, Role.AREA_HEAD}:
        org |= Q(**{f"{p}organization__isnull": True})
    site = Q()
    if actor.role == Role.AREA_HEAD:
        site = Q(**{f"{p}step__instance__site__isnull": True}) | Q(
            **{f"{p}step__instance__site_id__in": list(actor.site_ids)}
        )
    return named | (Q(**{f"{p}user__isnull": True}) & role & org & site)


def task_parties(actor: Actor) -> QuerySet[ApprovalParty]:
    """The parties, in active steps of running approvals, that the actor may decide."""
    return (
        ApprovalParty.objects.filter(
            _party_q(actor),
            state=PartyState.PENDING,
            step__state=StepState.ACTIVE,
            step__instance__state=InstanceState.PENDING,
        )
        .select_related("step__instance__organization", "step__instance__site")
        .order_by("step__instance__created_at", "id")
    )


def instances_visible(qs: QuerySet[ApprovalInstance], actor: Actor) -> QuerySet:
    """Everything for safety managers and viewers; otherwise the approvals of one's own
    organizations, of one's sites (area heads), and those one is or was a party of."""
    if actor.sees_everything:
        return qs
    cond = Q(pk__in=[])
    if actor.role == Role.CONTRACTOR_ADMIN:
        cond |= Q(organization_id__in=scope_organization_ids(actor))
    if actor.role == Role.AREA_HEAD:
        cond |= Q(site_id__in=list(actor.site_ids))
    party = ApprovalParty.objects.filter(step__instance_id=OuterRef("pk")).filter(_party_q(actor))
    return qs.filter(cond | Q(Exists(party)))


def approval_list(
    *, actor: Actor, state: str = "", subject_kind: str = ""
) -> QuerySet[ApprovalInstance]:
    qs = instances_visible(ApprovalInstance.objects.all(), actor)
    if state:
        qs = qs.filter(state=state)
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    return qs.select_related("organization", "site", "chain").order_by("-created_at", "-id")


def approval_get(*, actor: Actor, pk: int) -> ApprovalInstance:
    return (
        instances_visible(ApprovalInstance.objects.all(), actor)
        .select_related("organization", "site", "chain", "submitted_by")
        .prefetch_related(
            "steps__parties__organization",
            "steps__parties__user",
            Prefetch("events", queryset=ApprovalEvent.objects.select_related("user")),
        )
        .get(pk=pk)
    )


def approvals_of(subject_type_id: int, subject_ids: list) -> dict[str, ApprovalInstance]:
    """The latest approval of each subject (for a list showing progress)."""
    latest: dict[str, ApprovalInstance] = {}
    qs = ApprovalInstance.objects.filter(
        subject_type_id=subject_type_id, subject_id__in=[str(i) for i in subject_ids]
    ).order_by("created_at", "id")
    for instance in qs:
        latest[instance.subject_id] = instance
    return latest


def decidable_party(instance: ApprovalInstance, actor: Actor) -> ApprovalParty | None:
    """The first pending party of the instance's active step the actor may decide."""
    if instance.state != InstanceState.PENDING:
        return None
    for step in instance.steps.all():
        if step.state != StepState.ACTIVE:
            continue
        for party in step.parties.all():
            if party.state == PartyState.PENDING and may_decide(party, actor, instance.site_id):
                return party
    return None


def users_for(party: ApprovalParty, site_id: int | None) -> list:
    """The logins that may decide for ``party`` of an approval at ``site_id`` (to notify
    them): ``may_decide`` as a query."""
    User = get_user_model()
    if party.user_id is not None:
        return list(User.objects.filter(pk=party.user_id, is_active=True))
    qs = User.objects.filter(is_active=True, profile__isnull=False)
    if site_id is not None:  # area heads of the approval's site only
        qs = qs.filter(~Q(profile__role=Role.AREA_HEAD) | Q(profile__sites=site_id)).distinct()
    if party.role:
        qs = qs.filter(profile__role=party.role)
    if party.organization_id is not None:
        qs = qs.filter(profile__organization_id=party.organization_id)
    else:
        qs = qs.filter(profile__role__in=[Role.SAFETY_MANAGER, Role.AREA_HEAD])
    return list(qs.order_by("pk"))


def chain_list(*, subject_kind: str = "") -> QuerySet[ChainTemplate]:
    qs = ChainTemplate.objects.prefetch_related("steps__parties__organization")
    return qs.filter(subject_kind=subject_kind) if subject_kind else qs
