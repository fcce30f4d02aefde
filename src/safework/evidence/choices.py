from django.db import models
from django.utils.translation import gettext_lazy as _


class PackState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class SegmentState(models.TextChoices):
    RECORDING = "recording", _("Recording")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
