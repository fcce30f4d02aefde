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
            # The dashboard's figures (issue 10) answered from indexes alone: current,
            # unmarked certificates by validity then review (expired, expiring and its 7/15/30
            # day windows), by review then validity (review overdue, review due, expiring on
            # the review), and the 换证中 ones by the day they were marked.
            models.Index(
                fields=["valid_until", "next_review_due"],
                condition=models.Q(superseded=False, manual_state="none"),
                name="cert_current_until_review",
            ),
            models.Index(
                fields=["next_review_due", "valid_until"],
                include=["type"],
                condition=models.Q(
                    superseded=False, manual_state="none", next_review_due__isnull=False
                ),
                name="cert_current_review_until",
            ),
            models.Index(
                fields=["manual_state_on"],
                condition=models.Q(superseded=False, manual_state="renewing"),
                name="cert_renewing_since",
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


# ---------------------------------------------------------------------------------------
# Issue 3: ledger imports, certificate photos (OCR intake), verification against a source


class LedgerImport(models.Model):
    """One upload of a legacy ledger (台账): previewed (dry run), then committed or not.
    The stored file is what the commit and the error report read again."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Preview (dry run)")
        COMMITTED = "committed", _("Imported")
        REFUSED = "refused", _("Refused (errors)")

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(_("by"), max_length=150)
    # The scope the import was planned in: a contractor's import stays theirs.
    scope_organization = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("default organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_size = models.PositiveIntegerField(_("size (bytes)"))
    stored_file = models.CharField(max_length=200, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    unmapped_columns = models.JSONField(_("columns not imported"), default=list)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class LedgerImportRow(models.Model):
    """What a committed import did with one row: the person and certificate it created or
    updated (the import's audit entry carries a digest of these rows)."""

    ledger_import = models.ForeignKey(LedgerImport, on_delete=models.CASCADE, related_name="rows")
    sheet = models.CharField(max_length=100)
    row = models.PositiveIntegerField()
    action = models.CharField(max_length=16)  # created / updated / unchanged
    person = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL)
    certificate = models.ForeignKey(Certificate, null=True, on_delete=models.SET_NULL)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.sheet}:{self.row} {self.action}"


class CertificateScan(models.Model):
    """A photo or scan of a paper certificate, kept with the certificate (OCR intake). The
    image is re-encoded on intake (safework.core.uploads) and served only through a scoped
    view."""

    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    file = models.CharField(max_length=200, editable=False)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(max_length=150)
    # What OCR read: {"lines": [...], "fields": {name: {"value", "confidence"}}}
    ocr = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("certificate photo")
        verbose_name_plural = _("certificate photos")

    def __str__(self):
        return self.file


class VerificationSource(models.Model):
    """A configured provider answering "which certificates does this ID number + name
    hold" (the shape of the national 特种作业操作证 query). RULES.md 1: cx.mem.gov.cn has no
    public API and is not scraped; a source is whatever service the enterprise contracts."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    base_url = models.URLField(_("base URL"), max_length=300)
    username = models.CharField(_("user name"), max_length=100, blank=True)
    secret_encrypted = models.TextField(blank=True, editable=False)
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    requests_per_minute = models.PositiveSmallIntegerField(_("requests per minute"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("verification source")
        verbose_name_plural = _("verification sources")

    def __str__(self):
        return self.name


class VerificationRun(models.Model):
    """A (monthly) re-verification of every active certificate: resumable from
    ``cursor``, the id of the last certificate checked."""

    source = models.ForeignKey(VerificationSource, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.source_id} {self.started_at:%Y-%m-%d}"


class CertificateVerification(models.Model):
    """One check of a certificate against an official source, by a provider or by hand
    (who checked, when, the result, a screenshot or the QR code's page)."""

    class Result(models.TextChoices):
        MATCH = "match", _("Matches the source")
        NOT_FOUND = "not_found", _("Not found at the source")
        MISMATCH = "mismatch", _("Differs from the source")
        UNAVAILABLE = "unavailable", _("Source unavailable")

    class Method(models.TextChoices):
        PROVIDER = "provider", _("Provider query")
        MANUAL = "manual", _("Manual check")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="verifications"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    source = models.CharField(_("source"), max_length=100)
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor = models.CharField(_("checked by"), max_length=150)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    differences = models.JSONField(_("differences"), default=dict, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evidence = models.CharField(max_length=200, blank=True, editable=False)
    evidence_type = models.CharField(max_length=64, blank=True, editable=False)
    run = models.ForeignKey(VerificationRun, null=True, blank=True, on_delete=models.SET_NULL)
    # A mismatch or a certificate the source does not know is a task for the safety
    # manager until resolved.
    follow_up = models.BooleanField(_("needs follow-up"), default=False, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.CharField(_("resolved by"), max_length=150, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("certificate verification")
        verbose_name_plural = _("certificate verifications")

    def __str__(self):
        return f"{self.certificate_id} {self.result} {self.checked_at:%Y-%m-%d}"
