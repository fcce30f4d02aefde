from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

APPROVAL_KIND = "permits.permit"


class Kind(models.TextChoices):
    """GB 30871-2022 3.1: the eight kinds of special work."""

    HOT_WORK = "hot_work", _("Hot work")
    CONFINED_SPACE = "confined_space", _("Confined space entry")
    BLIND_PLATE = "blind_plate", _("Blind plate insertion/removal")
    HEIGHT = "height", _("Work at height")
    LIFTING = "lifting", _("Lifting")
    TEMP_POWER = "temp_power", _("Temporary power")
    EXCAVATION = "excavation", _("Excavation")
    ROAD_CLOSURE = "road_closure", _("Road closure")


# Permit number prefixes (pinyin initials of the Chinese names): DH-2026-0001.
PREFIX = {
    Kind.HOT_WORK: "DH",
    Kind.CONFINED_SPACE: "SX",
    Kind.BLIND_PLATE: "MB",
    Kind.HEIGHT: "GC",
    Kind.LIFTING: "DZ",
    Kind.TEMP_POWER: "YD",
    Kind.EXCAVATION: "DT",
    Kind.ROAD_CLOSURE: "DL",
}


class Level(models.TextChoices):
    NONE = "", _("No level")
    HOT_SPECIAL = "hot_special", _("Special class (特级)")
    HOT_1 = "hot_1", _("Class 1 (一级)")
    HOT_2 = "hot_2", _("Class 2 (二级)")
    HEIGHT_I = "height_1", _("Class I")
    HEIGHT_II = "height_2", _("Class II")
    HEIGHT_III = "height_3", _("Class III")
    HEIGHT_IV = "height_4", _("Class IV")
    LIFT_1 = "lift_1", _("Class 1 (一级)")
    LIFT_2 = "lift_2", _("Class 2 (二级)")
    LIFT_3 = "lift_3", _("Class 3 (三级)")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    JSA_SIGNED = "jsa_signed", _("JSA signed")
    APPROVING = "approving", _("In approval")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", pgettext_lazy("permit", "Suspended")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATUSES = (Status.APPROVED, Status.IN_PROGRESS, Status.SUSPENDED)
OPEN_STATUSES = (Status.DRAFT, Status.JSA_SIGNED, Status.APPROVING, *ACTIVE_STATUSES)
EDITABLE_STATUSES = (Status.DRAFT,)


class WorkerRole(models.TextChoices):
    WORKER = "worker", _("Worker")
    HOT_WORKER = "hot_worker", _("Hot-work operator (动火人)")
    ELECTRICIAN = "electrician", _("Electrician (电工)")
    LIFT_COMMANDER = "lift_commander", _("Lifting signaller (指挥)")
    CRANE_DRIVER = "crane_driver", _("Crane driver (司机)")
    SCAFFOLDER = "scaffolder", _("Scaffolder (架子工)")
    GUARDIAN = "guardian", _("Guardian (监护人)")


class JsaLevel(models.IntegerChoices):
    TEAM = 1, _("Team leader (班组)")
    UNIT = 2, _("Unit head (基层单位)")
    SAFETY = 3, _("Safety department (安全管理部门)")


class SignKind(models.TextChoices):
    IN = "in", _("Signed in")
    OUT = "out", _("Signed out")


class ActivityKind(models.TextChoices):
    """Work beside the permits that GB 30871 keeps away from hot work (5.2.8, 5.2.9, 6.7)."""

    VENTING = "venting", _("Venting (排放可燃气体)")
    DRAINING = "draining", _("Draining (排放/切水)")
    CLEANING = "cleaning", _("Solvent cleaning (清洗)")
    PAINTING = "painting", _("Painting (喷漆/涂刷)")
    SAMPLING = "sampling", _("Sampling (取样)")
    DUST_SWEEPING = "dust_sweeping", _("Dust sweeping (粉尘清扫)")
