from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    OWNER = "owner", _("Owner")
    CONTRACTOR = "contractor", _("Contractor")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    SUPERVISOR = "supervisor", _("Supervisor")
    GENERAL_CONTRACTOR = "general_contractor", _("General contractor")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    MAJOR = "major", _("Major")


class Role(models.TextChoices):
    SAFETY_MANAGER = "safety_manager", _("Safety manager")
    AREA_HEAD = "area_head", _("Area head")
    CONTRACTOR_ADMIN = "contractor_admin", _("Contractor admin")
    VIEWER = "viewer", _("Viewer")


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write (includes read)")
    GATE = "gate", _("Gate")
