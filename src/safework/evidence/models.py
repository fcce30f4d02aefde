"""Evidence of a permit's work (issue 9): cameras per work area, keyframes grabbed while a
permit is in progress, continuous video segments of 特级 hot work (GB 30871-2022 5.2.11),
and the report package (归档报告包) built when a permit is closed.

Files live in the default storage (not served publicly); ``file`` is the storage name."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from safework.core.models import TimeStamped, WorkArea

from .choices import PackState, SegmentState


class Camera(TimeStamped):
    work_area = models.ForeignKey(
        WorkArea, verbose_name=_("work area"), on_delete=models.PROTECT, related_name="cameras"
    )
    name = models.CharField(_("name"), max_length=200)
    # An RTSP/HTTP stream URL or a video file path, whatever cv2.VideoCapture opens.
    source = models.CharField(_("source"), max_length=500)
    active = models.BooleanField(_("active"), default=True)
    # Records 特级 hot work in its area continuously (5.2.11), besides the keyframes.
    continuous = models.BooleanField(_("continuous recording"), default=False)
    last_ok_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    class Meta:
        ordering = ["work_area_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["work_area", "name"], name="camera_name_per_area")
        ]
        verbose_name = _("camera")
        verbose_name_plural = _("cameras")

    def __str__(self):
        return self.name


class Keyframe(models.Model):
    permit = models.ForeignKey("permits.Permit", on_delete=models.CASCADE, related_name="keyframes")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="keyframes")
    taken_at = models.DateTimeField(_("taken at"))
    file = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        ordering = ["permit_id", "taken_at", "id"]
        indexes = [
            models.Index(fields=["permit", "taken_at"]),
            models.Index(fields=["taken_at"]),
        ]
        verbose_name = _("keyframe")
        verbose_name_plural = _("keyframes")

    def __str__(self):
        return f"{self.permit_id} {self.camera_id} {self.taken_at}"


class Segment(models.Model):
    """A short piece of continuous video of 特级 hot work (kept ≥ 1 month, B.3)."""

    permit = models.ForeignKey("permits.Permit", on_delete=models.CASCADE, related_name="segments")
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="segments")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=SegmentState.choices, default=SegmentState.RECORDING
    )
    frames = models.PositiveIntegerField(_("frames"), default=0)
    file = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)

    class Meta:
        ordering = ["permit_id", "started_at", "id"]
        indexes = [
            models.Index(fields=["permit", "started_at"]),
            models.Index(fields=["started_at"]),
        ]
        verbose_name = _("video segment")
        verbose_name_plural = _("video segments")

    def __str__(self):
        return f"{self.permit_id} {self.camera_id} {self.started_at}"


class EvidencePack(models.Model):
    """The report package of a closed permit: a ZIP with the PDF, the original frames and
    attachments and a manifest of SHA-256 hashes; ``sha256`` is the root (the hash of the
    manifest), also written to the audit chain."""

    permit = models.ForeignKey(
        "permits.Permit", on_delete=models.PROTECT, related_name="evidence_packs"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=PackState.choices, default=PackState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("build attempts"), default=0)
    started_at = models.DateTimeField(_("build started at"), null=True, blank=True)
    file = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("root hash"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["permit", "created_at"])]
        verbose_name = _("report package")
        verbose_name_plural = _("report packages")

    def __str__(self):
        return f"{self.permit_id} {self.state}"
