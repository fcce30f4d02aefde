"""The one permission gate: which rows an actor may see, applied by every selector, page,
export and API handler (STYLE.md 4). Anything not returned here is a 404 to that actor."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .actors import Actor
from .choices import Role
from .errors import NotAllowed


def scope_organization_ids(actor: Actor) -> list[int]:
    """The actor's organization and every organization below it (subcontractors of
    subcontractors too): a contractor answers for its whole chain of subcontractors."""
    from .models import Organization

    if actor.organization_id is None:
        return []
    found, frontier = [actor.organization_id], [actor.organization_id]
    while frontier:
        frontier = [
            pk
            for pk in Organization.objects.filter(parent_id__in=frontier).values_list(
                "id", flat=True
            )
            if pk not in found
        ]
        found.extend(frontier)
    return found


def organizations_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    if actor.sees_everything or actor.role == Role.AREA_HEAD:
        return qs
    if actor.role == Role.CONTRACTOR_ADMIN:
        return qs.filter(id__in=scope_organization_ids(actor))
    return qs.none()


def sites_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    if actor.sees_everything or actor.role == Role.CONTRACTOR_ADMIN:
        # Contractor admins assign their workers to sites, so they see site names.
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(id__in=actor.site_ids)
    return qs.none()


def people_q(actor: Actor, prefix: str = "") -> Q | None:
    """None means no restriction."""
    if actor.sees_everything:
        return None
    if actor.role == Role.AREA_HEAD:
        return Q(**{f"{prefix}sites__in": list(actor.site_ids)})
    if actor.role == Role.CONTRACTOR_ADMIN:
        return Q(**{f"{prefix}organization_id__in": scope_organization_ids(actor)})
    return Q(pk__in=[])


def people_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    q = people_q(actor)
    if q is None:
        return qs
    if actor.role == Role.AREA_HEAD:
        return qs.filter(id__in=qs.model.objects.filter(q).values("id"))
    return qs.filter(q)


def certificates_visible(qs: QuerySet, actor: Actor) -> QuerySet:
    if actor.sees_everything:
        return qs
    from safework.people.models import Person

    return qs.filter(person__in=people_visible(Person.objects.all(), actor).values("id"))


def require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise NotAllowed(_msg_read_only())


def require_owner_admin(actor: Actor) -> None:
    if not actor.can_manage_catalogue_and_sites:
        raise NotAllowed(_msg_owner_only())


def _msg_read_only():
    from django.utils.translation import gettext as _

    return _("Your account can only read; ask a safety manager to make this change.")


def _msg_owner_only():
    from django.utils.translation import gettext as _

    return _("Only safety managers can change organizations, sites and work areas.")
