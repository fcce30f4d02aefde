from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.models import TimeStamped

from .choices import IssuingSystem, ManualState, RevocationKind


class CertificateType(models.Model):
    """One operation item (准操项目) of the MEM or SAMR catalogue (RULES.md 1, 2)."""

    code = models.CharField(_("item code"), max_length=20, unique=True)
    system = models.CharField(_("issuing system"), max_length=8, choices=IssuingSystem.choices)
    category_code = models.CharField(_("category code"), max_length=8)
    category_name = models.CharField(_("category"), max_length=100)
    name = models.CharField(_("operation item"), max_length=100)
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"))
    review_interval_years = models.PositiveSmallIntegerField(
        _("review interval (years)"),
        null=True,
        blank=True,
        help_text=_("Empty when the review is due at expiry (SAMR renewal)."),
    )
    review_window_days = models.PositiveSmallIntegerField(_("review window (days)"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_registration_age = models.PositiveSmallIntegerField(
        _("maximum registration age"), null=True, blank=True
    )
    code_unconfirmed = models.BooleanField(_("code unconfirmed"), default=False)
    aliases = models.JSONField(_("common names"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    catalogue_version = models.CharField(max_length=16, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")

    def __str__(self):
        return f"{self.code} {self.name}"


class Certificate(TimeStamped):
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    type = models.ForeignKey(
        CertificateType,
        verbose_name=_("operation item"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # Masked when it carries the holder's ID number (see certificates/numbers.py).
    number = models.CharField(_("certificate number"), max_length=64)
    number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    number_is_id_number = models.BooleanField(default=False, editable=False)
    issued_by = models.CharField(_("issuing authority"), max_length=200)
    first_issued_on = models.DateField(_("first issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True, db_index=True)
    scope_note = models.CharField(
        _("scope"), max_length=200, blank=True, help_text=_("e.g. 桥式 for a crane driver")
    )
    # 第二十一条: 10+ years in the item without violations -> review every 6 years.
    review_extended = models.BooleanField(_("review interval extended to 6 years"), default=False)
    review_extended_by = models.CharField(_("extension approved by"), max_length=100, blank=True)
    manual_state = models.CharField(
        _("manual state"), max_length=16, choices=ManualState.choices, default=ManualState.NONE
    )
    manual_state_on = models.DateField(_("state since"), null=True, blank=True)
    manual_reason = models.CharField(_("reason"), max_length=300, blank=True)
    revocation_kind = models.CharField(
        _("revocation kind"), max_length=16, choices=RevocationKind.choices, blank=True
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    superseded = models.BooleanField(_("replaced by a newer certificate"), default=False)

    class Meta:
        ordering = ["valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "number_hash"],
                condition=models.Q(superseded=False),
                name="certificate_number_unique_per_type",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="certificate_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "type"]),
            models.Index(fields=["manual_state", "superseded", "valid_until"]),
            # Current, unmarked certificates by end of validity, joined to people: the
            # expired / expiring lists and counts read it without touching the table.
            models.Index(
                fields=["valid_until", "person"],
                condition=models.Q(superseded=False, manual_state="none"),
                name="cert_current_until_person",
            ),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return f"{self.type.name} {self.number}"


class CertificateReview(models.Model):
    """A review (复审) recorded on a certificate, moving ``next_review_due``."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("certificate")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    authority = models.CharField(_("reviewed by (authority)"), max_length=200, blank=True)
    previous_due = models.DateField(_("previous due date"), null=True, blank=True)
    next_due = models.DateField(_("next review due"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on"]
        verbose_name = _("certificate review")
        verbose_name_plural = _("certificate reviews")

    def __str__(self):
        return f"{self.certificate_id} reviewed {self.reviewed_on}"
