"""Electronic work permits (GB 30871-2022): the permit and its JSA, people, safety
measures, gas analyses and sign-ins; the guardian training record; a geofence per work
area; the enterprise's approval chain per kind and level."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.models import Organization, Site, TimeStamped, WorkArea

from .choices import ActivityKind, JsaLevel, Kind, Level, SignKind, Status, WorkerRole


def _token() -> str:
    return secrets.token_urlsafe(16)


class GuardianTraining(TimeStamped):
    """4.10: "监护人应经过培训，具备相应能力": a guardian's training record."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="guardian_trainings"
    )
    number = models.CharField(_("record number"), max_length=64, blank=True)
    issued_by = models.CharField(_("trained by"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["-valid_until"]
        verbose_name = _("guardian training")
        verbose_name_plural = _("guardian trainings")

    def __str__(self):
        return f"{self.person_id} {self.valid_from}–{self.valid_until}"


class Geofence(TimeStamped):
    """A circle around the work area: sign-ins outside it are refused."""

    work_area = models.OneToOneField(WorkArea, on_delete=models.CASCADE, related_name="geofence")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=200)

    class Meta:
        verbose_name = _("geofence")
        verbose_name_plural = _("geofences")

    def __str__(self):
        return f"{self.work_area_id} ({self.latitude}, {self.longitude}) r={self.radius_m}"


class PermitChain(TimeStamped):
    """Which approval chain runs for a kind and level (default: table B.1)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, blank=True)
    chain = models.ForeignKey("approvals.ChainTemplate", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "level"], name="permit_chain_kind_level")
        ]

    def __str__(self):
        return f"{self.kind} {self.level}"


class Permit(TimeStamped):
    number = models.CharField(_("number"), max_length=32, db_index=True)
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    work_area = models.ForeignKey(
        WorkArea, verbose_name=_("work area"), on_delete=models.PROTECT, related_name="permits"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, blank=True)
    level_reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    applicant_org = models.ForeignKey(
        Organization, verbose_name=_("applicant unit"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    performing_org = models.ForeignKey(
        Organization, verbose_name=_("performing unit"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    person_in_charge = models.ForeignKey(
        "people.Person", verbose_name=_("person in charge"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    content = models.TextField(_("work content"))
    place = models.CharField(_("place"), max_length=300)
    hazards = models.TextField(_("hazards identified"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    planned_start = models.DateTimeField(_("planned start"))
    planned_end = models.DateTimeField(_("planned end"))
    source = models.ForeignKey(
        "self", verbose_name=_("made from"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="copies",
    )  # fmt: skip
    serves = models.ForeignKey(
        "self", verbose_name=_("serves permit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="served_by",
    )  # fmt: skip
    approval = models.ForeignKey(
        "approvals.ApprovalInstance", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    shift_checked_by = models.CharField(_("shift leader check by"), max_length=150, blank=True)
    shift_checked_at = models.DateTimeField(_("shift leader check at"), null=True, blank=True)
    briefing_by = models.CharField(_("briefing given by"), max_length=150, blank=True)
    briefing_at = models.DateTimeField(_("briefing at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    pause_reason = models.CharField(_("suspension reason"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_by = models.CharField(_("accepted by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ended_reason = models.CharField(_("reason"), max_length=300, blank=True)
    last_day_checked = models.DateField(null=True, blank=True)
    # SIMOPS (GB 30871 4.7, 5.2.8, 5.2.9, 6.7, 7.6, 7.10): where on the site plan (metres;
    # empty = the work area's position), and what it shares with other work.
    x_m = models.FloatField(_("position x (m)"), null=True, blank=True)
    y_m = models.FloatField(_("position y (m)"), null=True, blank=True)
    confined_space_ref = models.CharField(_("confined space"), max_length=100, blank=True)
    tank_dike_ref = models.CharField(_("tank-farm dike"), max_length=100, blank=True)
    sign_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-planned_start", "-id"]
        indexes = [
            models.Index(fields=["site", "status", "planned_start"]),
            # the live permits of a site (SIMOPS checks, the board) among years of closed ones
            models.Index(
                fields=["site", "planned_end"],
                name="permit_live_by_site",
                condition=models.Q(
                    status__in=["approving", "approved", "in_progress", "suspended"]
                ),
            ),  # fmt: skip
            # permits planned to start in a period (the dashboard's by kind and level, issue 10)
            models.Index(fields=["planned_start"], name="permit_by_start"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="permit_number_per_site")
        ]
        verbose_name = _("work permit")
        verbose_name_plural = _("work permits")

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"


class PermitCounter(models.Model):
    """The last number used per site, kind and year (numbering under a row lock)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "kind", "year"], name="permit_counter_key")
        ]

    def __str__(self):
        return f"{self.kind} {self.year} {self.last}"


class Measure(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(_("safety measure"), max_length=300)
    applies = models.BooleanField(_("applies"), null=True)
    confirmed_by = models.CharField(_("confirmed by"), max_length=150, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["permit_id", "order"]

    def __str__(self):
        return self.text


class Jsa(TimeStamped):
    permit = models.OneToOneField(Permit, on_delete=models.CASCADE, related_name="jsa")
    steps = models.JSONField(_("steps"), default=list)  # [{step, hazards, measures}]
    residual_risk = models.CharField(_("residual risk"), max_length=300, blank=True)
    document = models.CharField(_("document"), max_length=200, blank=True, editable=False)

    def __str__(self):
        return f"JSA {self.permit_id}"


class JsaSignature(models.Model):
    jsa = models.ForeignKey(Jsa, on_delete=models.CASCADE, related_name="signatures")
    level = models.PositiveSmallIntegerField(choices=JsaLevel.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_label = models.CharField(max_length=150)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["jsa_id", "level"]
        constraints = [models.UniqueConstraint(fields=["jsa", "level"], name="jsa_signature_level")]

    def __str__(self):
        return f"{self.level} {self.signer_label}"


class Assignment(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=WorkerRole.choices)
    certificate_id = models.IntegerField(null=True, blank=True)  # the one that qualified
    certificate_number = models.CharField(max_length=64, blank=True)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["permit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["permit", "person", "role"], name="permit_assignment_once"
            )
        ]

    def __str__(self):
        return f"{self.person_id} {self.role}"


class GasTest(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="gas_tests")
    sampled_at = models.DateTimeField(_("sampled at"))
    sample_point = models.CharField(_("sample point"), max_length=200)
    gas = models.CharField(_("gas"), max_length=100, blank=True)
    lel_percent = models.DecimalField(
        _("LEL % (v/v)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    result_percent = models.DecimalField(
        _("result % (v/v)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    oxygen_percent = models.DecimalField(
        _("O₂ %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    toxic_gas = models.CharField(_("toxic gas"), max_length=50, blank=True)
    toxic_ppm = models.DecimalField(
        _("toxic gas (ppm)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    toxic_limit_ppm = models.DecimalField(
        _("limit (ppm)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    oxygen_enriched = models.BooleanField(_("oxygen-enriched equipment"), default=False)
    analyst = models.CharField(_("analyst"), max_length=100)
    instrument = models.CharField(_("instrument"), max_length=100)
    passed = models.BooleanField(_("passed"))
    failures = models.JSONField(default=list, blank=True)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["permit_id", "-sampled_at", "-id"]
        indexes = [models.Index(fields=["permit", "sampled_at"])]

    def __str__(self):
        return f"{self.sample_point} {self.sampled_at}"


class SignIn(models.Model):
    """Every sign-in attempt, accepted or refused, and every sign-out."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="sign_ins")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, choices=WorkerRole.choices, blank=True)
    kind = models.CharField(max_length=4, choices=SignKind.choices, default=SignKind.IN)
    at = models.DateTimeField()
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    accepted = models.BooleanField()
    reasons = models.JSONField(default=list, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["permit_id", "-at", "-id"]
        indexes = [models.Index(fields=["permit", "person", "at"])]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.at}"


class SitePlan(TimeStamped):
    """The site plan image and its scale: positions are metres from its top-left corner
    (x to the right, y down), markers are drawn at metres / scale pixels."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="plan")
    image = models.CharField(max_length=200, editable=False)  # storage name (safe intake)
    width_px = models.PositiveIntegerField()
    height_px = models.PositiveIntegerField()
    metres_per_px = models.FloatField(_("metres per pixel"))

    def __str__(self):
        return f"{self.site_id} {self.width_px}x{self.height_px} @ {self.metres_per_px} m/px"

    @property
    def width_m(self) -> float:
        return self.width_px * self.metres_per_px

    @property
    def height_m(self) -> float:
        return self.height_px * self.metres_per_px


class AreaPosition(TimeStamped):
    """A work area's point on the site plan: the default position of its permits."""

    work_area = models.OneToOneField(WorkArea, on_delete=models.CASCADE, related_name="position")
    x_m = models.FloatField(_("position x (m)"))
    y_m = models.FloatField(_("position y (m)"))

    def __str__(self):
        return f"{self.work_area_id} ({self.x_m}, {self.y_m})"


class SimopsDistances(TimeStamped):
    """An owner's own distances, never below GB 30871's (the service refuses less)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="simops_distances"
    )
    hot_blind_m = models.FloatField(_("hot work to a blind-plate job (m)"), default=30)
    venting_m = models.FloatField(_("hot work to venting of flammable gas (m)"), default=30)
    draining_m = models.FloatField(_("hot work to draining of flammable liquid (m)"), default=15)
    cleaning_m = models.FloatField(
        _("hot work to cleaning, painting, dust sweeping (m)"), default=10
    )
    cross_work_m = models.FloatField(_("cross work between permits (m)"), default=15)

    def __str__(self):
        return f"{self.organization_id} SIMOPS distances"


class Activity(TimeStamped):
    """Registered work that needs no permit of its own but must keep away from hot work:
    venting, draining, cleaning, painting, sampling, dust sweeping."""

    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT,
                             related_name="simops_activities")  # fmt: skip
    work_area = models.ForeignKey(
        WorkArea, verbose_name=_("work area"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    organization = models.ForeignKey(
        Organization, verbose_name=_("performing unit"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    description = models.CharField(_("description"), max_length=300)
    x_m = models.FloatField(_("position x (m)"))
    y_m = models.FloatField(_("position y (m)"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    flammable = models.BooleanField(_("flammable medium"), default=False)
    confined_space_ref = models.CharField(_("confined space"), max_length=100, blank=True)
    tank_dike_ref = models.CharField(_("tank-farm dike"), max_length=100, blank=True)
    pipeline_ref = models.CharField(_("pipeline"), max_length=100, blank=True)
    cancelled_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["site", "ends_at"])]
        verbose_name = _("registered activity")
        verbose_name_plural = _("registered activities")

    def __str__(self):
        return f"{self.get_kind_display()} {self.description}"


class SimopsSignoff(models.Model):
    """4.7: cross work goes ahead only with a named coordinator's explicit sign-off, one
    per conflict (``key``: rule and the other job), kept as evidence."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="simops_signoffs")
    key = models.CharField(max_length=80)
    coordinator = models.CharField(_("coordinator"), max_length=150)
    note = models.CharField(_("arrangements agreed"), max_length=300)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by_label = models.CharField(max_length=150)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["permit_id", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["permit", "key"], name="simops_signoff_once")
        ]

    def __str__(self):
        return f"{self.permit_id} {self.key} {self.coordinator}"


class BoardLink(TimeStamped):
    """A kiosk's signed link to a site's live permit board: it expires and can be revoked."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("where the screen is"), max_length=100)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.site_id} {self.label}"
