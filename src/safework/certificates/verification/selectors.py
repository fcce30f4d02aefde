"""Read queries for verifications, through the permission gate."""

from __future__ import annotations

from django.db.models import QuerySet

from safework.core.access import certificates_visible
from safework.core.actors import Actor

from ..models import Certificate, CertificateVerification


def verification_queryset(actor: Actor) -> QuerySet[CertificateVerification]:
    visible = certificates_visible(Certificate.objects.all(), actor).values("id")
    return CertificateVerification.objects.filter(certificate__in=visible)


def follow_up_list(*, actor: Actor, resolved: bool = False) -> QuerySet[CertificateVerification]:
    """Mismatches and certificates the source does not know: the safety manager's tasks."""
    return (
        verification_queryset(actor)
        .filter(follow_up=True, resolved_at__isnull=not resolved)
        .select_related("certificate__person__organization", "certificate__type")
        .order_by("-checked_at", "-id")
    )
