from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.choices import OrganizationKind

# Contractor staff (DESIGN.md, Qualification: "for contractor staff, is admitted").
CONTRACTOR_KINDS = (
    OrganizationKind.CONTRACTOR,
    OrganizationKind.SUBCONTRACTOR,
    OrganizationKind.GENERAL_CONTRACTOR,
)
ADMISSION_KIND = "contractors.admission"  # the approval chains' subject_kind


class WorkerKind(models.TextChoices):
    SPECIAL = "special", _("Special-operations worker")
    LABOURER = "labourer", _("General labourer")
    SUPERVISOR = "supervisor", _("Site supervisor")
    GUARDIAN = "guardian", _("Guardian (监护人)")
    DRIVER = "driver", _("Driver or machine operator")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("ID card")
    OPERATION_CERTIFICATE = "operation_certificate", _("Operation certificate")
    INSURANCE = "insurance", _("Work-injury / accident insurance")
    TRAINING_RECORD = "training_record", _("Training record")
    HEALTH_DECLARATION = "health_declaration", _("Health declaration")
    RESPONSIBILITY_LETTER = "responsibility_letter", _("Signed safety responsibility letter")
    CUSTOM = "custom", _("Custom item")


# Kinds whose document has a valid-until date by default.
EXPIRING_KINDS = (DocumentKind.INSURANCE,)


class DocumentState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ItemStatus(models.TextChoices):
    """A checklist item on a day (not stored: computed by ``admission.item_check``)."""

    OK = "ok", _("Complete")
    EXPIRING = "expiring", _("Expiring")
    PENDING = "pending", _("Awaiting review")
    MISSING = "missing", _("Missing")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


SATISFIED = (ItemStatus.OK, ItemStatus.EXPIRING)


class AdmissionState(models.TextChoices):
    DRAFT = "draft", _("Not yet submitted")
    PENDING = "pending", _("In approval")
    ADMITTED = "admitted", _("Admitted")
    REJECTED = "rejected", _("Rejected")
    RELEASED = "released", _("Released (left the site)")


ACTIVE_ADMISSION_STATES = (
    AdmissionState.DRAFT,
    AdmissionState.PENDING,
    AdmissionState.ADMITTED,
    AdmissionState.REJECTED,
)


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")


class Direction(models.TextChoices):
    IN = "in", _("Entry")
    OUT = "out", _("Exit")


class AttendanceSource(models.TextChoices):
    GATE = "gate", _("Gate")
    KIOSK = "kiosk", _("Kiosk (by hand)")
