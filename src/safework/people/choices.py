from django.db import models
from django.utils.translation import gettext_lazy as _


class EmploymentState(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
