"""What the gate rules read about a person, loaded with only the columns they use
(instantiating full rows is most of the cost of a check or a refresh): the person,
their badge, certificates with the item code, and their special operations."""

from django.db.models import Prefetch, QuerySet

from safework.certificates.models import Certificate, CertificateType

BADGE_FIELDS = (
    "badge__id",
    "badge__person_id",
    "badge__version",
    "badge__key_id",
    "badge__revoked_at",
)
PERSON_FIELDS = ("id", "name", "organization_id", "employment_state", "photo", *BADGE_FIELDS)
CERTIFICATE_FIELDS = (
    "id", "person_id", "type__code", "valid_until", "next_review_due", "manual_state",
    "superseded",
)  # fmt: skip


def with_facts(people: QuerySet, *extra_fields: str) -> QuerySet:
    certificates = Certificate.objects.select_related("type").only(*CERTIFICATE_FIELDS)
    operations = CertificateType.objects.only("id", "code", "name", "sort_order")
    return (
        people.only(*PERSON_FIELDS, *extra_fields)
        .select_related("badge")
        .prefetch_related(
            Prefetch("certificates", queryset=certificates),
            Prefetch("special_operations", queryset=operations),
        )
    )
