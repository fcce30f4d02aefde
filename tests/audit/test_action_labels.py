"""The audit trail names every action in Chinese, never as its code: each action code the
code base writes (found in the source under src/safework) has a label in ACTION_LABELS,
and that label has its zh_Hans translation."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

import safework
from safework.approvals.choices import InstanceState
from safework.audit.templatetags.audit_tags import ACTION_LABELS

SRC = Path(safework.__file__).resolve().parent

# Direct writes: audit_record or audit_create(..., action="code", ...), also as `"a" if x else "b"`.
LITERAL = re.compile(r'\baction\s*=\s*"([^"]+)"(?:\s+if\s+[^\n]+?\s+else\s+"([^"]+)")?')
# Not audit actions: argparse flags, and a ledger row's outcome filtered on in one file.
NOT_AUDIT = {"store_true"}
NOT_AUDIT_IN = {("contractors/services/imports.py", "created")}

# Wrappers of audit_record that build the code from an argument. (file or folder under
# src/safework, function name, index of the positional argument, prefix of the code).
WRAPPERS = [
    ("permits/services", "audit", 1, "permit."),  # permits.services.common.audit
    ("evidence/services", "audit", 1, "evidence."),  # evidence.services.common.audit
    ("approvals/services.py", "_audit", 1, "approval."),
    ("certificates/services.py", "_set_state", 2, ""),
    ("contractors/services/admissions.py", "_set_state", 3, ""),
    ("core/admin.py", "_audit", 1, ""),
    ("evidence/services/retention.py", "_purge", 1, "evidence."),  # -> _purge_permit -> audit
]
# The audit_record calls that pass such a built code on (the wrappers themselves).
PASSED_ON = {
    ("permits/services/common.py", 'f"permit.{action}"'),
    ("evidence/services/common.py", 'f"evidence.{action}"'),
    ("approvals/services.py", 'f"approval.{action}"'),
    ("certificates/services.py", "action"),
    ("contractors/services/admissions.py", "action"),
    ("core/admin.py", "action"),
    # evidence.services.retention._purge_permit: audit(..., action, permit), `action` being
    # what evidence_purge hands _purge (its literal arguments, read through WRAPPERS).
    ("evidence/services/retention.py", "action"),
}
DECIDED = [s for s in InstanceState.values if s != InstanceState.PENDING]
# Codes whose wrapper argument is itself computed: every value it can take, by caller.
DYNAMIC = {
    # permits.services.approval.permit_approval_decided: audit(actor,
    # f"approval_{instance.state}", ...), run by approvals.services._finish with
    # InstanceState.APPROVED (last step / approval_approve), REJECTED (approval_reject)
    # or CANCELLED (approval_cancel).
    ("permits/services/approval.py", 'f"approval_{instance.state}"'): [
        "permit.approval_approved", "permit.approval_rejected", "permit.approval_cancelled",
    ],
    # contractors.services.admissions.on_admission_decided: _set_state(...,
    # f"admission.{instance.state}"), the same _finish outcomes (OUTCOME's keys).
    ("contractors/services/admissions.py", 'f"admission.{instance.state}"'): [
        "admission.approved", "admission.rejected", "admission.cancelled",
    ],
}  # fmt: skip


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts and path.is_file():
            yield path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8")


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None


def written_codes() -> tuple[set[str], list[str]]:
    """Every action code written, and the calls this test cannot read (new dynamic forms)."""
    codes, unknown = set(), []
    for rel, text in _sources():
        for match in LITERAL.finditer(text):
            codes |= {
                code
                for code in match.groups()
                if code and code not in NOT_AUDIT and (rel, code) not in NOT_AUDIT_IN
            }
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node)
            if name in ("audit_record", "audit_create"):
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                if action is None:
                    continue
                if (values := _constants(action)) is not None:
                    codes |= set(values)  # the regex's too, unless written in another way
                    continue
                expr = ast.get_source_segment(text, action)
                if (rel, expr) not in PASSED_ON:
                    unknown.append(f"{rel}:{node.lineno}: action={expr}")
                continue
            for where, func, index, prefix in WRAPPERS:
                if name != func or not rel.startswith(where) or len(node.args) <= index:
                    continue
                arg = node.args[index]
                values = _constants(arg)
                expr = ast.get_source_segment(text, arg)
                if values is not None:
                    codes |= {prefix + v for v in values}
                elif (rel, expr) in DYNAMIC:
                    codes |= set(DYNAMIC[rel, expr])
                elif (rel, expr) not in PASSED_ON:
                    unknown.append(f"{rel}:{node.lineno}: {func}(..., {expr}, ...)")
    return codes, unknown


def _constants(node) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _constants(node.body), _constants(node.orelse)
        return a + b if a is not None and b is not None else None
    return None


def test_the_dynamic_codes_cover_every_outcome_of_an_approval():
    """The enumerated values follow the approval engine: a new final state of an approval
    instance must get its permit and admission codes (and labels) too."""
    assert DECIDED == ["approved", "rejected", "cancelled"]
    permit = DYNAMIC["permits/services/approval.py", 'f"approval_{instance.state}"']
    admission = DYNAMIC["contractors/services/admissions.py", 'f"admission.{instance.state}"']
    assert permit == [f"permit.approval_{s}" for s in DECIDED]
    assert admission == [f"admission.{s}" for s in DECIDED]
    from safework.contractors.services.admissions import OUTCOME

    assert sorted(OUTCOME) == sorted(DECIDED)


def test_the_source_scan_finds_the_codes_of_every_app():
    codes, unknown = written_codes()
    assert not unknown, "audit action codes this test cannot enumerate: " + "; ".join(unknown)
    assert {  # one of each way a code is written
        "create", "2fa_failed", "update", "permission_change", "password_set", "suspend",
        "permit.submit", "permit.approval_rejected", "permit.geofence", "evidence.keyframe",
        "evidence.pack_sealed", "evidence.packs_deleted", "evidence.camera_update",
        "approval.approve", "approval.cancel", "admission.submit", "admission.approved",
        "simops.activity_register", "selfcheck.sign", "quiz.submit", "badge_issue",
        "alerts.scan", "dashboard.snapshot",
    } <= codes  # fmt: skip
    assert len(codes) > 100


def test_every_action_code_written_has_a_label():
    codes, _ = written_codes()
    unlabelled = sorted(codes - set(ACTION_LABELS))
    assert not unlabelled, f"action codes without a label in ACTION_LABELS: {unlabelled}"
    stale = sorted(set(ACTION_LABELS) - codes)  # the scan missed a way codes are written
    assert not stale, f"labels of action codes the source scan does not find: {stale}"


def test_every_action_label_is_translated_to_chinese():
    with translation.override("en"):
        english = {code: str(label) for code, label in ACTION_LABELS.items()}
    with translation.override("zh-hans"):
        chinese = {code: str(label) for code, label in ACTION_LABELS.items()}
    untranslated = sorted(
        code
        for code in ACTION_LABELS
        if chinese[code] == english[code] or not re.search(r"[\u4e00-\u9fff]", chinese[code])
    )
    assert not untranslated, f"action labels without their Chinese: {untranslated}"


@pytest.mark.django_db
def test_audit_page_shows_the_chinese_label_of_a_permit_action(client, manager):
    from safework.core.choices import OrganizationKind
    from safework.permits.choices import Kind
    from safework.permits.services import permit_create
    from tests.factories import OrganizationFactory, PersonFactory, SiteFactory, WorkAreaFactory

    owner = OrganizationFactory(kind=OrganizationKind.OWNER)
    area = WorkAreaFactory(site=SiteFactory(owner=owner))
    start = timezone.now() + timedelta(hours=1)
    permit_create(
        actor=manager, work_area=area, kind=Kind.HOT_WORK, now=timezone.now(),
        applicant_org=owner, performing_org=owner, person_in_charge=PersonFactory(organization=owner),
        content="检修", place="E-101", hazards="可燃气体", details={"method": "焊"}, planned_start=start,
        planned_end=start + timedelta(hours=4),
    )  # fmt: skip
    client.login(username="manager", password="Pw-for-tests-123")
    html = client.get("/audit/?action=permit.create").content.decode()
    assert '<td class="small">创建了作业票</td>' in html  # the row's action, in Chinese
    assert ">创建了作业票</option>" in html  # and the action filter's choice
    assert "permit.create</td>" not in html and ">permit.create</option>" not in html
