"""Write services of the work permits (STYLE.md 1-3): one function per business action,
each atomic, audit-logged and notified in its own transaction. Time rules take ``now``
(an aware datetime) so tests and replays set the clock."""

from . import simops, siteplan
from .approval import chain_for, permit_approval_decided, permit_submit
from .creation import permit_create, permit_new_from, permit_update
from .gas import gas_test_record
from .jsa import jsa_save, jsa_sign
from .lifecycle import (
    briefing_give,
    permit_cancel,
    permit_close,
    permit_complete,
    permit_daily_check,
    permit_resume,
    permit_start,
    permit_suspend,
    permits_expire_due,
    shift_leader_check,
)
from .people import assignment_add, assignment_remove, guardian_training_add, measure_confirm
from .signin import geofence_set, sign_in, sign_out

__all__ = [
    "assignment_add",
    "assignment_remove",
    "briefing_give",
    "chain_for",
    "gas_test_record",
    "geofence_set",
    "guardian_training_add",
    "jsa_save",
    "jsa_sign",
    "measure_confirm",
    "permit_approval_decided",
    "permit_cancel",
    "permit_close",
    "permit_complete",
    "permit_create",
    "permit_daily_check",
    "permit_new_from",
    "permit_resume",
    "permit_start",
    "permit_submit",
    "permit_suspend",
    "permit_update",
    "permits_expire_due",
    "shift_leader_check",
    "simops",
    "siteplan",
    "sign_in",
    "sign_out",
]
