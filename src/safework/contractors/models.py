"""Contractors (issue 7): the company's registration, the admission checklist per site and
kind of worker, each worker's documents and site admissions, the safety briefing courses
with their question banks, quiz attempts, the workers' SMS sign-in codes, and site
attendance."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safework.core.models import Organization, Site, TimeStamped

from .choices import (
    AdmissionState,
    AttendanceSource,
    Direction,
    DocumentKind,
    DocumentState,
    QuestionKind,
    WorkerKind,
)


class ContractorProfile(TimeStamped):
    """What a contractor admin registers about their company, beyond the organization."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="contractor_profile"
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    safety_officer = models.CharField(_("safety officer"), max_length=100, blank=True)
    safety_officer_phone = models.CharField(_("safety officer's phone"), max_length=20, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)

    class Meta:
        verbose_name = _("contractor registration")
        verbose_name_plural = _("contractor registrations")

    def __str__(self):
        return str(self.organization_id)


class ChecklistItem(TimeStamped):
    """One document the owner requires at a site from one kind of worker (准入清单)."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="admission_items"
    )
    worker_kind = models.CharField(_("kind of worker"), max_length=16, choices=WorkerKind.choices)
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For a custom item: its name.")
    )
    expires = models.BooleanField(_("has a valid-until date"), default=False)
    file_required = models.BooleanField(_("a file is required"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site_id", "worker_kind", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "worker_kind", "kind", "name"], name="checklist_item_once"
            )
        ]
        verbose_name = _("admission checklist item")
        verbose_name_plural = _("admission checklist items")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name if self.kind == DocumentKind.CUSTOM else str(self.get_kind_display())

    @property
    def key(self) -> tuple[str, str]:
        """Which documents answer this item: same kind (and name, for a custom item)."""
        return (self.kind, self.name if self.kind == DocumentKind.CUSTOM else "")


class ContractorWorker(TimeStamped):
    """A contractor's person as the admission sees them (every person of a contractor has
    one, see ``services.enrolment``). The ``subject`` ... fields are
    the worker's standing, recomputed by every service that changes what it depends on
    (``services.standing_refresh``), so that qualification, the gate and the lists read
    one row; the dates make it lapse at midnight with nobody touching a record."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="contractor_worker"
    )
    worker_kind = models.CharField(
        _("kind of worker"), max_length=16, choices=WorkerKind.choices, default=WorkerKind.SPECIAL
    )
    # Copies of the person's organization and employment, kept with ``subject`` by
    # services.enrolment, so that counting a contractor's workers reads this table alone.
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    active = models.BooleanField(default=True, editable=False)
    # Subject to admission: a contractor's person while admission control is in force
    # (the owner has configured a checklist). Kept by services.enrolment.
    subject = models.BooleanField(default=False)
    admitted = models.BooleanField(_("admitted"), default=False, db_index=True)
    documents_until = models.DateField(_("documents valid until"), null=True, blank=True)
    briefing_required = models.BooleanField(default=False)
    briefing_until = models.DateField(_("briefing valid until"), null=True, blank=True)
    in_approval = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["person__name", "id"]
        # Covers the contractor list's counts (an index-only scan on PostgreSQL).
        indexes = [
            models.Index(
                fields=["organization", "subject", "active"],
                include=[
                    "admitted",
                    "documents_until",
                    "briefing_required",
                    "briefing_until",
                    "in_approval",
                ],
                name="worker_counts",
            )
        ]
        verbose_name = _("contractor worker")
        verbose_name_plural = _("contractor workers")

    def __str__(self):
        return str(self.person_id)


class SiteAdmission(TimeStamped):
    """A worker's admission to one site, approved through an approval chain."""

    worker = models.ForeignKey(
        ContractorWorker, on_delete=models.CASCADE, related_name="admissions"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="admissions"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=AdmissionState.choices, default=AdmissionState.DRAFT,
        db_index=True,
    )  # fmt: skip
    approval = models.ForeignKey(
        "approvals.ApprovalInstance", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["site__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "site"],
                condition=~Q(state="released"),
                name="one_open_admission_per_site",
            )
        ]
        verbose_name = _("site admission")
        verbose_name_plural = _("site admissions")

    def __str__(self):
        return f"{self.worker_id}@{self.site_id} {self.state}"


class WorkerDocument(models.Model):
    """An uploaded document; the newest accepted one of its kind is the one that counts,
    a newer upload awaits review without taking the older one's place."""

    worker = models.ForeignKey(ContractorWorker, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    file = models.CharField(max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    number = models.CharField(_("number"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DocumentState.choices, default=DocumentState.PENDING
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=300, blank=True)
    uploaded_by = models.CharField(_("uploaded by"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["worker", "kind", "name"])]
        verbose_name = _("worker document")
        verbose_name_plural = _("worker documents")

    def __str__(self):
        return f"{self.kind} {self.worker_id}"

    @property
    def label(self) -> str:
        return self.name if self.kind == DocumentKind.CUSTOM else str(self.get_kind_display())


# --- safety briefing (安全交底) -------------------------------------------------------------


class Course(TimeStamped):
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=50, help_text=_("Work type, e.g. 动火作业, 入场通用.")
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="courses", help_text=_("Empty: every site."),
    )  # fmt: skip
    worker_kind = models.CharField(
        _("kind of worker"), max_length=16, choices=WorkerKind.choices, blank=True,
        help_text=_("Empty: every kind."),
    )  # fmt: skip
    text = models.TextField(_("text"), blank=True)
    video = models.CharField(max_length=200, blank=True, editable=False)
    video_type = models.CharField(max_length=50, blank=True, editable=False)
    video_size = models.PositiveBigIntegerField(default=0, editable=False)
    # Read from the MP4 header on upload, so a client cannot claim a shorter video.
    video_seconds = models.FloatField(default=0, editable=False)
    slides = models.CharField(max_length=200, blank=True, editable=False)
    allow_skip = models.BooleanField(_("workers may skip ahead in the video"), default=False)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    questions_per_quiz = models.PositiveSmallIntegerField(_("questions per quiz"), default=10)
    max_attempts = models.PositiveSmallIntegerField(_("attempts"), default=3)
    retrain_months = models.PositiveSmallIntegerField(_("retraining interval (months)"), default=12)
    required = models.BooleanField(_("a pass is required for admission"), default=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["category", "title", "id"]
        verbose_name = _("briefing course")
        verbose_name_plural = _("briefing courses")

    def __str__(self):
        return self.title


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["course_id", "id"]

    def __str__(self):
        return self.text[:50]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=300)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question_id", "id"]

    def __str__(self):
        return self.text[:50]


class CourseProgress(models.Model):
    """How far a worker watched (the page may not let them skip past it), and when the
    owner last gave them a fresh set of attempts."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="progress")
    watched_seconds = models.FloatField(default=0)
    duration_seconds = models.FloatField(default=0)
    reported_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempts_reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "course"], name="progress_once")]

    def __str__(self):
        return f"{self.person_id} {self.course_id} {self.watched_seconds:.0f}s"


class QuizAttempt(models.Model):
    """One quiz: the questions drawn and the order their options were shown in
    (``paper``), the answers given, and the result."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attempts")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    paper = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["person", "course", "submitted_at"]),
            # The passes alone, with their validity: "the latest pass of each course, lapsing
            # soon" (待复训, the dashboard's by-category count) read from the index alone.
            models.Index(
                fields=["person", "course", "submitted_at"],
                include=["valid_until"],
                condition=models.Q(passed=True),
                name="quizattempt_passes",
            ),
        ]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self):
        return f"{self.person_id} {self.course_id} {self.score}"


class LoginCode(models.Model):
    """A one-time SMS code for a worker's phone sign-in; only its hash is stored."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "created_at"])]

    def __str__(self):
        return f"{self.person_id} {self.created_at}"


# --- site attendance ------------------------------------------------------------------------


class AttendanceRecord(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="attendance")
    site = models.ForeignKey(Site, verbose_name=_("site"), on_delete=models.PROTECT)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=8, choices=AttendanceSource.choices)
    gate_event = models.OneToOneField(
        "access.GateEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["site", "at"]),
            models.Index(fields=["person", "site", "at"]),
        ]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")

    def __str__(self):
        return f"{self.person_id} {self.direction} {self.at:%Y-%m-%d %H:%M}"


class AttendanceCursor(models.Model):
    """The last gate event copied into the attendance (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self):
        return str(self.last_event_id)


class ExpiryNotice(models.Model):
    """A notice sent about a document or a briefing pass lapsing: the unique key makes
    the daily run idempotent (one notice per threshold and date)."""

    kind = models.CharField(max_length=10)  # "document" or "briefing"
    object_id = models.BigIntegerField()
    due_date = models.DateField()
    level = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_date", "level"], name="expiry_notice_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.due_date} {self.level}"
