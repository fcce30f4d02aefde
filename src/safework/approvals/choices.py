from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StepMode(models.TextChoices):
    # 会签: every party must approve; one rejection rejects the step.
    ALL = "all", _("All of (every party approves)")
    # 或签: the first party to decide decides for the step.
    ANY = "any", _("Any of (the first decision counts)")


class InstanceState(models.TextChoices):
    PENDING = "pending", _("In approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ACTIVE = "active", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PartyState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NOT_NEEDED = "not_needed", _("Not needed")


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    COMMENT = "comment", _("Comment")
    RESUBMIT = "resubmit", _("Resubmitted")
    CANCEL = "cancel", _("Withdrawn")
    COMPLETE = "complete", _("Approval complete")
