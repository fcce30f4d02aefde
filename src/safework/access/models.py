"""Gate access (issue 5): badges, gates of work areas, area authorisations, gate events,
the materialised allowlist that offline controllers sync, and push endpoints."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.models import Organization, Site, TimeStamped, WorkArea

from .choices import CredentialKind, Decision, Direction, GateDirection


class Badge(models.Model):
    """The person's QR badge (一人一码). The token is derived from (person, version, key
    id) and signed, so it is not stored; reissuing bumps the version, which invalidates
    every earlier print, and revoking leaves the person without a valid badge."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="badge"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    key_id = models.CharField(_("signing key"), max_length=16)
    issued_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")

    def __str__(self):
        return f"{self.person_id} v{self.version}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AreaPolicy(models.Model):
    """Gate rules of a work area. Without a row the area requires valid certificates
    (principle 1, prevent: an area is strict unless someone relaxes it)."""

    area = models.OneToOneField(
        WorkArea,
        verbose_name=_("work area"),
        on_delete=models.CASCADE,
        related_name="access_policy",
    )
    requires_qualification = models.BooleanField(
        _("requires valid certificates"),
        default=True,
        help_text=_(
            "Everyone entering must hold valid certificates for all of their own special "
            "operations."
        ),
    )

    class Meta:
        verbose_name = _("area access rule")
        verbose_name_plural = _("area access rules")

    def __str__(self):
        return str(self.area_id)


class Gate(TimeStamped):
    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("What the controller sends, e.g. n-1.")
    )
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(
        WorkArea, verbose_name=_("work area"), on_delete=models.PROTECT, related_name="gates"
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=GateDirection.choices, default=GateDirection.BOTH
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")

    def __str__(self):
        return f"{self.name} ({self.code})"


class AreaAuthorization(TimeStamped):
    """A person, or a whole organization, may enter a work area, optionally from and
    until a date (local dates, both inclusive)."""

    area = models.ForeignKey(
        WorkArea,
        verbose_name=_("work area"),
        on_delete=models.CASCADE,
        related_name="authorizations",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="area_authorizations",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="area_authorizations",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["area_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, organization__isnull=True)
                    | models.Q(person__isnull=True, organization__isnull=False)
                ),
                name="authorization_person_xor_organization",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(valid_from__isnull=True)
                    | models.Q(valid_until__isnull=True)
                    | models.Q(valid_until__gte=models.F("valid_from"))
                ),
                name="authorization_date_range",
            ),
        ]
        verbose_name = _("area authorisation")
        verbose_name_plural = _("area authorisations")

    def __str__(self):
        who = self.person_id and f"person {self.person_id}" or f"org {self.organization_id}"
        return f"{who} → area {self.area_id}"


class GateEvent(models.Model):
    """One gate decision. Area, site and organization are copied so that lists, scoping
    and the people-on-site count need no joins and survive later changes.

    An append-only log written by every check: its references carry no database
    constraint (``db_constraint=False``). Checking five foreign keys, and share-locking
    the person, gate, area, site and organization rows they point at, was a sizeable
    part of a check's cost; the ids come from rows the check has just read, and Django
    still protects gates, areas and sites with events and nulls a deleted person or
    organization (on_delete runs in the ORM)."""

    at = models.DateTimeField(_("time"), db_index=True)
    gate = models.ForeignKey(
        Gate,
        verbose_name=_("gate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    area = models.ForeignKey(
        WorkArea,
        verbose_name=_("work area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_constraint=False,
    )
    # person, site and organization: no index of their own, the (…, at) indexes below
    # lead with them (every check pays for every index of this table).
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gate_events",
        db_index=False,
        db_constraint=False,
    )
    person_name = models.CharField(_("name"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        db_constraint=False,
    )
    credential_kind = models.CharField(
        _("credential"), max_length=16, choices=CredentialKind.choices
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    actor = models.CharField(_("checked by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "at"]),
            models.Index(fields=["site", "at"]),
            models.Index(fields=["organization", "at"]),
            models.Index(
                fields=["person", "site", "at"],
                condition=models.Q(decision=Decision.ALLOW, direction=Direction.IN),
                name="access_gateevent_entry_idx",
            ),
        ]
        verbose_name = _("gate event")
        verbose_name_plural = _("gate events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.decision} {self.person_name}"


class AllowlistEntry(models.Model):
    """A person's current gate permission as offline controllers receive it. ``payload``
    is the entry's JSON exactly as served (the full list is a join of these strings);
    ``seq`` is bumped from the global counter each time the payload changes, so "changes
    since cursor c" is ``seq > c`` on an index. One row per person ever computed: a
    person who loses every area keeps a row (``allowed`` false) so the removal is a change
    too. ``person_id`` is no foreign key, so a deleted person's removal survives them."""

    person_id = models.BigIntegerField(primary_key=True)
    organization_id = models.BigIntegerField(null=True, db_index=True)
    seq = models.BigIntegerField(unique=True)
    allowed = models.BooleanField(default=False)
    payload = models.TextField()
    # When the entry must be computed again although nothing was edited: a certificate
    # lapsing, a review falling due, an authorisation ending or starting.
    recheck_at = models.DateTimeField(null=True, db_index=True)
    photo_name = models.CharField(max_length=200, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("allowlist entry")
        verbose_name_plural = _("allowlist entries")

    def __str__(self):
        return f"{self.person_id} #{self.seq}"


class AllowlistState(models.Model):
    """The single row holding the allowlist's counter. Writers lock it, so sequence
    numbers become visible in order and a reader's cursor never skips a change."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    # A cursor names its epoch; a new epoch (rebuild) sends every controller a full list.
    epoch = models.CharField(max_length=16)
    # Cursors below this were issued before information needed for their delta was
    # purged: they get a full list.
    horizon = models.BigIntegerField(default=0)
    reconciled_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.epoch}.{self.seq}"


class AllowlistDirty(models.Model):
    """Something that may change entries was written: these people (or an organization's,
    or those authorised for an area) are recomputed by the next refresh. Written in the
    writer's transaction, so a committed change is never missed."""

    person_id = models.BigIntegerField(null=True)
    organization_id = models.BigIntegerField(null=True)
    area_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"person {self.person_id} / org {self.organization_id} / area {self.area_id}"


class PushEndpoint(TimeStamped):
    """An access-control system that receives a signed event when a person's gate
    permission changes."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    # Encrypted like ID numbers (Fernet): it must be read back to sign.
    secret_encrypted = models.TextField(editable=False)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("only people of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("push endpoint")
        verbose_name_plural = _("push endpoints")

    def __str__(self):
        return self.name


class RateCounter(models.Model):
    """Requests per client and minute for the public badge page (works without Redis:
    the database is shared by every web process)."""

    key = models.CharField(max_length=64)
    slot = models.BigIntegerField(db_index=True)  # minutes since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="ratecounter_key_slot")]

    def __str__(self):
        return f"{self.key} @{self.slot}: {self.count}"
