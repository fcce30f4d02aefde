"""The generic approval engine (issue 7, Multi-party approval chain): chain templates made
of ordered steps, each step one or more parties (organization + role, the subject's own
organization, or a named user) deciding "all of" (会签) or "any of" (或签); and instances,
which copy their template's steps when they start so that editing a template never
changes an approval already under way.

An instance knows its subject only generically (a content type + id, and a free
``subject_key``); the app that owns the subject learns the outcome through
``registry.register(subject_kind, ...)``."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.choices import Role
from safework.core.models import Organization, Site, TimeStamped

from .choices import EventKind, InstanceState, PartyState, StepMode, StepState


class ChainTemplate(TimeStamped):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    subject_kind = models.CharField(
        _("used for"),
        max_length=50,
        db_index=True,
        help_text=_("Which workflow uses this chain, e.g. contractors.admission."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")

    def __str__(self):
        return self.name


class StepTemplate(models.Model):
    chain = models.ForeignKey(ChainTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=8, choices=StepMode.choices, default="all")

    class Meta:
        ordering = ["chain_id", "order", "id"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self):
        return f"{self.order}. {self.name}"


class PartyFields(models.Model):
    """Who decides for a party: a named user; or anyone with ``role`` in ``organization``
    (or, with ``subject_organization``, in the organization of the thing approved)."""

    label = models.CharField(_("party"), max_length=100)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        abstract = True


class PartyTemplate(PartyFields):
    step = models.ForeignKey(StepTemplate, on_delete=models.CASCADE, related_name="parties")
    subject_organization = models.BooleanField(
        _("the applicant's own organization"),
        default=False,
        help_text=_("E.g. the subcontractor's own safety officer (分包安全员)."),
    )

    class Meta:
        ordering = ["step_id", "id"]
        verbose_name = _("approval party")
        verbose_name_plural = _("approval parties")

    def __str__(self):
        return self.label


class ApprovalInstance(TimeStamped):
    chain = models.ForeignKey(
        ChainTemplate, verbose_name=_("approval chain"), on_delete=models.PROTECT,
        related_name="instances",
    )  # fmt: skip
    subject_kind = models.CharField(_("used for"), max_length=50, db_index=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_key = models.CharField(max_length=100, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    link = models.CharField(_("link"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("applicant organization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="approvals",
    )  # fmt: skip
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    state = models.CharField(
        _("state"), max_length=12, choices=InstanceState.choices, default=InstanceState.PENDING,
        db_index=True,
    )  # fmt: skip
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("rejection reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self):
        return self.title


class ApprovalStep(models.Model):
    instance = models.ForeignKey(ApprovalInstance, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=8, choices=StepMode.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=StepState.choices, default=StepState.WAITING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["instance_id", "order", "id"]
        indexes = [models.Index(fields=["state", "instance"])]

    def __str__(self):
        return f"{self.order}. {self.name}"


class ApprovalParty(PartyFields):
    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="parties")
    state = models.CharField(
        _("state"), max_length=12, choices=PartyState.choices, default=PartyState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_by_label = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["step_id", "id"]
        indexes = [models.Index(fields=["state", "role", "organization"])]

    def __str__(self):
        return self.label


class ApprovalEvent(models.Model):
    """The instance's history as its participants read it (the audit trail has it too)."""

    instance = models.ForeignKey(ApprovalInstance, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(
        ApprovalStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    party = models.ForeignKey(
        ApprovalParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=10, choices=EventKind.choices)
    text = models.TextField(_("text"), blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    actor_label = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["instance_id", "at", "id"]

    def __str__(self):
        return f"{self.kind} {self.actor_label}"
