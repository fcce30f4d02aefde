"""Write services of the contractors app (STYLE.md 1-3), one module per area; each is
atomic and writes its audit entry in the same transaction."""

from .admissions import admission_submit, checklist, on_admission_decided, worker_release
from .attendance import attendance_sync, kiosk_record
from .briefing import (
    attempts_left,
    attempts_reset,
    course_attach,
    course_publish,
    course_save,
    progress_record,
    question_save,
    question_set_active,
    quiz_start,
    quiz_submit,
)
from .checklists import checklist_item_save
from .company import contractor_admin_create, contractor_register
from .enrolment import control_sync, enrol
from .imports import workers_import
from .notices import expiry_notices
from .refresh import standing_refresh
from .signin import code_request, code_verify
from .workers import (
    document_review,
    document_upload,
    worker_assign_site,
    worker_register,
    worker_set_kind,
)

__all__ = [
    "admission_submit", "attempts_left", "attempts_reset", "attendance_sync", "checklist",
    "checklist_item_save", "code_request", "code_verify", "contractor_admin_create",
    "contractor_register", "control_sync", "course_attach", "course_publish", "course_save",
    "document_review", "document_upload", "enrol", "expiry_notices", "kiosk_record",
    "on_admission_decided", "progress_record", "question_save", "question_set_active",
    "quiz_start", "quiz_submit", "standing_refresh", "worker_assign_site", "worker_register",
    "worker_release", "worker_set_kind", "workers_import",
]  # fmt: skip
