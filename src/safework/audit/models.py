from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditHead(models.Model):
    """Single row holding the chain's head; locked by every append so that concurrent
    writers serialise (SELECT ... FOR UPDATE on PostgreSQL, IMMEDIATE transactions on
    SQLite) and the chain can neither fork nor leave gaps."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"head #{self.seq}"


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # Never cascade into the trail: the id is part of the hashed entry.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # Nothing looks entries up by user (the trail is filtered by the actor's label);
        # every index is paid by every append.
        db_index=False,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks an entry up by its hash, and a unique index over random
    # keys was the most expensive of the append's index updates. The chain itself (each
    # entry names its predecessor's hash, seq is unique) is what verify checks.
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditAnchor(models.Model):
    """A signed statement of the chain's head at a moment (daily): an auditor holding an
    anchor can prove that nothing up to ``seq`` has changed since."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    anchor_date = models.DateField(_("date"), unique=True)
    seq = models.BigIntegerField(_("entries"))
    hash = models.CharField(_("head hash"), max_length=64)
    public_key = models.CharField(_("public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)
    file_name = models.CharField(_("file"), max_length=200)

    class Meta:
        ordering = ["-anchor_date"]
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")

    def __str__(self):
        return f"{self.anchor_date} #{self.seq}"
