from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuingSystem(models.TextChoices):
    MEM = "mem", _("MEM special operation certificate")
    SAMR = "samr", _("SAMR special equipment operator certificate")


class ManualState(models.TextChoices):
    NONE = "none", _("None")
    RENEWING = "renewing", _("Renewing")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class RevocationKind(models.TextChoices):
    # 第三十条 撤销 / 第三十一条 注销
    REVOKED = "revoked", _("Revoked by the authority (撤销)")
    CANCELLED = "cancelled", _("Cancelled (注销)")


class Status(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    EXPIRED = "expired", _("Expired")
    RENEWING = "renewing", _("Renewing")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Replaced by a new certificate")


QUALIFYING_STATUSES = frozenset({Status.VALID, Status.EXPIRING})
