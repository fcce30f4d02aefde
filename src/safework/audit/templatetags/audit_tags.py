from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Every action code the code base writes has its label here (zh_Hans in
# locale/zh_Hans/security.json and audit_actions.json); tests/audit/test_action_labels.py
# finds the codes in the source and fails on one without a label.
ACTION_LABELS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "state_change": _("employment state changed"),
    "view_id_number": _("viewed the full ID number"),
    "renewal_start": _("renewal started (换证中)"),
    "suspend": _("suspended"),
    "revoke": _("revoked"),
    "reinstate": _("reinstated"),
    "review": _("review recorded (复审)"),
    "replace": _("replaced by a new certificate"),
    "login": _("signed in"),
    "logout": _("signed out"),
    "login_failed": _("failed sign-in"),
    "export": _("exported"),
    "photo_change": _("photo changed"),
    "2fa_enabled": _("two-factor sign-in enabled"),
    "2fa_disabled": _("two-factor sign-in disabled"),
    "2fa_passed": _("two-factor code accepted"),
    "2fa_failed": _("two-factor code refused"),
    "permission_change": _("permissions changed"),
    "password_set": _("password set by an administrator"),
    "token_create": _("API token created"),
    "token_revoke": _("API token revoked"),
    "ledger_preview": _("ledger checked (dry run)"),
    "ledger_import": _("ledger imported"),
    "ledger_refused": _("ledger refused"),
    "verify": _("verified against a source"),
    "verification_resolved": _("verification follow-up resolved"),
    "scan_upload": _("certificate photo uploaded"),
    "scan_attach": _("certificate photo attached"),
    "gate_check": _("gate check"),
    # Permits (permits.services.common.audit writes permit.<action>)
    "permit.create": _("permit created"),
    "permit.update": _("permit draft changed"),
    "permit.new_from": _("new permit opened from an earlier one"),
    "permit.position": _("permit position set on the site plan"),
    "permit.assign": _("person assigned to the permit"),
    "permit.unassign": _("person removed from the permit"),
    "permit.measure": _("safety measure confirmed"),
    "permit.jsa_save": _("job safety analysis (JSA) saved"),
    "permit.jsa_sign": _("job safety analysis (JSA) signed"),
    "permit.submit": _("permit submitted for approval"),
    "permit.approval_approved": _("permit approved"),
    "permit.approval_rejected": _("permit approval rejected"),
    "permit.approval_cancelled": _("permit approval withdrawn"),
    "permit.gas_test": _("gas analysis recorded"),
    "permit.shift_check": _("permit checked by the shift leader (当班班长验票)"),
    "permit.briefing": _("safety briefing given"),
    "permit.sign_in": _("work site sign-in recorded"),
    "permit.sign_out": _("signed out of the work site"),
    "permit.simops_signoff": _("cross work agreed by the coordinator"),
    "permit.start": _("permit work started"),
    "permit.suspend": _("permit work suspended"),
    "permit.resume": _("permit work resumed"),
    "permit.complete": _("permit work completed"),
    "permit.close": _("permit closed after the final check (完工验收)"),
    "permit.cancel": _("permit cancelled"),
    "permit.expire": _("permit expired"),
    "permit.geofence": _("work area geofence set"),
    "permit.guardian_training": _("guardian training recorded"),
    "permit.site_plan": _("site plan changed"),
    "permit.area_position": _("work area position set on the site plan"),
    "permit.board_link": _("site board kiosk link created"),
    "permit.board_link_revoke": _("site board kiosk link revoked"),
    # Cross work (SIMOPS)
    "simops.activity_register": _("site activity registered"),
    "simops.activity_end": _("site activity ended"),
    "simops.distances": _("cross work distances changed"),
    # Approvals (approvals.services._audit writes approval.<action>)
    "approval_chain.save": _("approval chain saved"),
    "approval.start": _("approval started"),
    "approval.approve": _("approval step approved"),
    "approval.reject": _("approval rejected"),
    "approval.comment": _("approval comment added"),
    "approval.resubmit": _("approval resubmitted"),
    "approval.cancel": _("approval withdrawn"),
    # Evidence (evidence.services.common.audit writes evidence.<action>)
    "evidence.camera_create": _("camera added"),
    "evidence.camera_update": _("camera changed"),
    "evidence.camera_failed": _("camera stopped responding"),
    "evidence.camera_recovered": _("camera working again"),
    "evidence.keyframe": _("keyframe captured"),
    "evidence.segment": _("video segment recorded"),
    "evidence.pack_request": _("report package requested"),
    "evidence.pack_sealed": _("report package sealed"),
    "evidence.pack_failed": _("report package could not be made"),
    "evidence.keyframes_deleted": _("keyframes deleted after their retention period"),
    "evidence.segments_deleted": _("video segments deleted after their retention period"),
    "evidence.packs_deleted": _("report packages deleted after their retention period"),
    # Gate access
    "badge_issue": _("badge issued"),
    "badge_reissue": _("badge reissued"),
    "badge_revoke": _("badge revoked"),
    # Contractors
    "contractor.register": _("contractor company registered"),
    "contractor_admin.create": _("contractor admin login created"),
    "contractor_worker.register": _("contractor worker registered"),
    "contractor_worker.kind": _("contractor worker's kind changed"),
    "contractor_worker.import": _("contractor workers imported"),
    "admission.assign": _("worker assigned to a site"),
    "admission.submit": _("site admission submitted for approval"),
    "admission.approved": _("site admission granted"),
    "admission.rejected": _("site admission rejected"),
    "admission.cancelled": _("site admission withdrawn"),
    "admission.release": _("worker released from the site"),
    "checklist.save": _("site admission checklist item saved"),
    "document.upload": _("worker document uploaded"),
    "document.review": _("worker document reviewed"),
    "attendance.kiosk": _("entry or exit recorded by hand"),
    "contractors.expiry_notices": _("contractor expiry notices sent"),
    "course.save": _("briefing course saved"),
    "course.attach": _("briefing course material uploaded"),
    "course.publish": _("briefing course published or withdrawn"),
    "question.save": _("quiz question saved"),
    "question.active": _("quiz question switched on or off"),
    "briefing.watched": _("briefing watched to the end"),
    "quiz.start": _("quiz started"),
    "quiz.submit": _("quiz submitted"),
    "quiz.attempts_reset": _("quiz attempts reset"),
    "worker_signin.refused": _("worker sign-in code refused (no matching worker)"),
    "worker_signin.code": _("worker sign-in code sent"),
    "worker_signin.failed": _("worker sign-in code wrong or expired"),
    "worker_signin": _("worker signed in on their phone"),
    # Warnings and notifications
    "alerts.scan": _("daily expiry scan run"),
    "alerts.retry": _("notification retried"),
    "alerts.retry_dead": _("failed notifications retried"),
    "alerts.channel_save": _("notification channel saved"),
    "alerts.channel_test": _("test message sent"),
    "alerts.policy_save": _("warning rules saved"),
    # Dashboard, self-check and reports
    "dashboard.snapshot": _("daily compliance snapshot taken"),
    "selfcheck.evaluate": _("monthly self-check evaluated"),
    "selfcheck.sign": _("monthly self-check signed off"),
    "emergency_plan.save": _("emergency plan saved"),
    "report_subscription.add": _("report subscription added"),
    "report_subscription.remove": _("report subscription removed"),
    "report.issue": _("periodic report issued"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def change_rows(changes):
    """[(field, before, after)] for field-level diffs, [(key, None, value)] otherwise."""
    rows = []
    for key, value in (changes or {}).items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            rows.append((key, value["before"], value["after"]))
        else:
            rows.append((key, None, value))
    return rows
