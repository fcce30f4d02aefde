from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    ALLOW = "allow", _("Allowed")
    DENY = "deny", _("Denied")


class Direction(models.TextChoices):
    IN = "in", _("Entry")
    OUT = "out", _("Exit")


class GateDirection(models.TextChoices):
    IN = "in", _("Entry only")
    OUT = "out", _("Exit only")
    BOTH = "both", _("Entry and exit")


class CredentialKind(models.TextChoices):
    AUTO = "auto", _("Recognised automatically")
    BADGE = "badge", _("Badge (QR code)")
    ID_NUMBER = "id_number", _("ID number")
    PERSON_ID = "person_id", _("Person id")


class CardLayout(models.TextChoices):
    ONE = "1", _("One card per page")
    EIGHT = "8", _("8 cards per A4 sheet")
