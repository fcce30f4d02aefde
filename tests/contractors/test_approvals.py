"""The generic approval engine (issue 7, Multi-party approval chain): configurable chains
of steps, each a party and role, sequential or parallel ("all of" / "any of"); approve,
reject with a reason (back to the applicant), comments; every step audit-logged and
notified. It knows no contractors: these tests approve a plain subject key."""

import pytest

from safework.alerts.models import InboxItem, Notification
from safework.approvals import registry
from safework.approvals import services as approvals
from safework.approvals.choices import InstanceState, PartyState, StepState
from safework.approvals.models import ApprovalInstance
from safework.approvals.selectors import approval_get, task_parties
from safework.audit.models import AuditEntry
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.core.errors import NotAllowed, ValidationFailed
from tests.conftest import make_user
from tests.factories import OrganizationFactory

from .conftest import chain


@pytest.fixture
def parties(db, django_user_model, contractor):
    """分包安全员 (the applicant's own admin) → 总包安全员 + 监理 in parallel → 业主安全主管."""
    general = OrganizationFactory(name="总包", kind=OrganizationKind.GENERAL_CONTRACTOR)
    supervisor = OrganizationFactory(name="监理公司", kind=OrganizationKind.SUPERVISOR)
    users = {
        "sub": make_user(django_user_model, "sub", Role.CONTRACTOR_ADMIN, contractor),
        "gc": make_user(django_user_model, "gc", Role.CONTRACTOR_ADMIN, general),
        "sv": make_user(django_user_model, "sv", Role.CONTRACTOR_ADMIN, supervisor),
        "owner": make_user(django_user_model, "owner", Role.SAFETY_MANAGER),
        "stranger": make_user(django_user_model, "stranger", Role.AREA_HEAD),
    }
    for user in users.values():
        user.email = f"{user.username}@example.com"
        user.save()
    users["general"], users["supervisor"] = general, supervisor
    return users


def four_party_chain(p, mode="all"):
    return chain(
        "four-party",
        [
            {"name": "分包", "parties": [{"label": "分包安全员", "role": Role.CONTRACTOR_ADMIN,
                                          "subject_organization": True}]},
            {"name": "总包与监理", "mode": mode, "parties": [
                {"label": "总包安全员", "role": Role.CONTRACTOR_ADMIN, "organization": p["general"]},
                {"label": "监理", "role": Role.CONTRACTOR_ADMIN, "organization": p["supervisor"]},
            ]},
            {"name": "业主", "parties": [{"label": "业主安全主管", "role": Role.SAFETY_MANAGER}]},
        ],
    )  # fmt: skip


def as_(user):
    return Actor(user=user)


def start(p, contractor, template):
    return approvals.approval_start(
        actor=as_(p["sub"]), chain=template, title="张三进场", subject_key="tests:1",
        organization=contractor, link="/x/",
    )  # fmt: skip


def states(instance):
    instance = ApprovalInstance.objects.get(pk=instance.pk)
    return instance.state, [s.state for s in instance.steps.order_by("order")]


def test_sequential_steps_then_all_of_parallel_then_owner(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties))
    assert states(instance) == (InstanceState.PENDING, ["active", "waiting", "waiting"])
    approvals.approval_approve(actor=as_(parties["sub"]), instance=instance, comment="资料齐全")
    assert states(instance)[1] == ["approved", "active", "waiting"]
    approvals.approval_approve(actor=as_(parties["gc"]), instance=instance)
    assert states(instance)[1] == ["approved", "active", "waiting"]  # all of: 监理 still due
    approvals.approval_approve(actor=as_(parties["sv"]), instance=instance)
    assert states(instance)[1] == ["approved", "approved", "active"]
    approvals.approval_approve(actor=as_(parties["owner"]), instance=instance)
    assert states(instance) == (InstanceState.APPROVED, ["approved", "approved", "approved"])


def test_a_parallel_step_where_one_party_rejects(parties, contractor):
    """All of: the supervisor's rejection ends the approval, with the reason, back to
    the applicant; the general contractor's pending decision is no longer needed."""
    instance = start(parties, contractor, four_party_chain(parties))
    approvals.approval_approve(actor=as_(parties["sub"]), instance=instance)
    approvals.approval_reject(actor=as_(parties["sv"]), instance=instance, reason="保险单过期")
    instance.refresh_from_db()
    assert (instance.state, instance.reason) == (InstanceState.REJECTED, "保险单过期")
    step = instance.steps.get(order=2)
    assert step.state == StepState.REJECTED
    assert {p.label: p.state for p in step.parties.all()} == {
        "总包安全员": PartyState.NOT_NEEDED,
        "监理": PartyState.REJECTED,
    }
    assert instance.steps.get(order=3).state == StepState.WAITING
    told = (
        InboxItem.objects.filter(user=parties["sub"], title__contains="张三进场")
        .order_by("id")
        .last()
    )
    assert "保险单过期" in told.body
    with pytest.raises(NotAllowed):  # nothing left to decide
        approvals.approval_approve(actor=as_(parties["gc"]), instance=instance)


def test_any_of_the_first_decision_counts(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties, mode="any"))
    approvals.approval_approve(actor=as_(parties["sub"]), instance=instance)
    approvals.approval_approve(actor=as_(parties["gc"]), instance=instance)
    assert states(instance)[1] == ["approved", "approved", "active"]
    step = instance.steps.get(order=2)
    assert step.parties.get(label="监理").state == PartyState.NOT_NEEDED


def test_only_a_party_of_the_active_step_decides(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties))
    for user in ("gc", "owner", "stranger"):  # later steps and outsiders wait their turn
        with pytest.raises(NotAllowed):
            approvals.approval_approve(actor=as_(parties[user]), instance=instance)
    assert [p.step.instance_id for p in task_parties(as_(parties["sub"]))] == [instance.pk]
    assert list(task_parties(as_(parties["gc"]))) == []


def test_a_reason_is_required_to_reject(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties))
    with pytest.raises(ValidationFailed) as exc:
        approvals.approval_reject(actor=as_(parties["sub"]), instance=instance, reason="  ")
    assert "reason" in exc.value.errors


def test_resubmission_starts_a_new_round_from_the_first_step(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties))
    approvals.approval_reject(actor=as_(parties["sub"]), instance=instance, reason="缺体检表")
    approvals.approval_resubmit(actor=as_(parties["sub"]), instance=instance, comment="已补")
    instance.refresh_from_db()
    assert (instance.state, instance.round, instance.reason) == ("pending", 2, "")
    assert states(instance)[1] == ["active", "waiting", "waiting"]
    kinds = list(instance.events.values_list("kind", "round"))
    assert kinds == [("submit", 1), ("reject", 1), ("resubmit", 2)]


def test_every_step_is_audited_and_notified(parties, contractor):
    instance = start(parties, contractor, four_party_chain(parties))
    approvals.approval_approve(actor=as_(parties["sub"]), instance=instance)
    approvals.approval_comment(actor=as_(parties["gc"]), instance=instance, text="请补监护人名单")
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(instance.pk), object_type="approvals.approvalinstance"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["approval.start", "approval.approve", "approval.comment"]
    # Step 2 opened: both of its parties were told, by inbox and by email via the outbox.
    for user in ("gc", "sv"):
        assert InboxItem.objects.filter(user=parties[user], title__contains="张三进场").exists()
        assert Notification.objects.filter(
            channel="email", recipient=f"{user}@example.com"
        ).exists()
    assert InboxItem.objects.filter(user=parties["sub"], body="请补监护人名单").exists()


def test_editing_the_template_does_not_change_a_running_approval(parties, contractor):
    template = four_party_chain(parties)
    instance = start(parties, contractor, template)
    approvals.chain_save(
        actor=Actor.system("test"), chain=template, code=template.code, name="x",
        subject_kind=template.subject_kind,
        steps=[{"name": "只有业主", "parties": [{"label": "业主", "role": Role.SAFETY_MANAGER}]}],
    )  # fmt: skip
    assert instance.steps.count() == 3


def test_the_subjects_app_learns_the_outcome_in_the_same_transaction(parties, contractor):
    seen = []
    registry.register("tests.subject", lambda *, instance, actor: seen.append(instance.state))
    try:
        instance = start(parties, contractor, four_party_chain(parties))
        approvals.approval_reject(actor=as_(parties["sub"]), instance=instance, reason="不合格")
    finally:
        registry._HANDLERS.pop("tests.subject")
    assert seen == [InstanceState.REJECTED]


def test_a_contractor_admin_party_needs_an_organization(db):
    with pytest.raises(ValidationFailed):
        chain("loose", [{"name": "x", "parties": [{"label": "x", "role": Role.CONTRACTOR_ADMIN}]}])


def test_who_sees_an_approval(parties, contractor, rival_admin_user):
    instance = start(parties, contractor, four_party_chain(parties))
    assert approval_get(actor=as_(parties["sv"]), pk=instance.pk) == instance  # a party
    assert approval_get(actor=as_(parties["owner"]), pk=instance.pk) == instance
    with pytest.raises(ApprovalInstance.DoesNotExist):
        approval_get(actor=as_(rival_admin_user), pk=instance.pk)


def test_decision_pages(parties, contractor, client):
    instance = start(parties, contractor, four_party_chain(parties))
    client.force_login(parties["sub"])
    page = client.get(f"/approvals/{instance.pk}/")
    assert page.status_code == 200 and 'id="approve"' in page.content.decode()
    response = client.post(f"/approvals/{instance.pk}/reject/", {"reason": ""})
    assert response.status_code == 422
    client.post(f"/approvals/{instance.pk}/approve/", {"comment": "同意"})
    assert states(instance)[1][0] == "approved"
    client.force_login(parties["gc"])
    assert "张三进场" in client.get("/approvals/").content.decode()
    client.post(f"/approvals/{instance.pk}/reject/", {"reason": "人员超龄"})
    body = client.get(f"/approvals/{instance.pk}/").content.decode()
    assert "人员超龄" in body and 'data-state="rejected"' in body


def test_decisions_through_the_api(parties, contractor):
    from tests.api.conftest import ApiClient

    instance = start(parties, contractor, four_party_chain(parties))
    api = ApiClient(client=__import__("django.test", fromlist=["Client"]).Client())
    api.client.force_login(parties["sub"])
    answer = api.post(f"/approvals/{instance.pk}/approve", {"comment": "ok"})
    assert answer.status_code == 200, answer.content
    assert [s["state"] for s in answer.json()["steps"]] == ["approved", "active", "waiting"]
    assert api.post(f"/approvals/{instance.pk}/approve", {}).status_code == 403


def test_an_area_head_decides_only_for_their_own_sites(db, django_user_model, contractor, site):
    """A party named by role alone (基层单位 → area heads) belongs to the approval's site:
    an area head of another site neither decides, nor sees it, nor is told about it."""
    from tests.factories import SiteFactory

    own = make_user(django_user_model, "head-here", Role.AREA_HEAD, sites=[site])
    other = make_user(django_user_model, "head-there", Role.AREA_HEAD, sites=[SiteFactory()])
    template = chain("unit", [{"name": "基层单位", "parties": [{"label": "基层单位负责人",
                                                             "role": Role.AREA_HEAD}]}])  # fmt: skip
    instance = approvals.approval_start(
        actor=Actor.system("test"), chain=template, title="动火作业票", subject_key="tests:2",
        organization=contractor, site=site, link="/x/",
    )  # fmt: skip
    assert set(
        InboxItem.objects.filter(title__contains="动火作业票").values_list("user", flat=True)
    ) == {own.pk}
    assert list(task_parties(as_(other))) == []
    with pytest.raises(ApprovalInstance.DoesNotExist):
        approval_get(actor=as_(other), pk=instance.pk)
    with pytest.raises(NotAllowed):
        approvals.approval_approve(actor=as_(other), instance=instance)
    with pytest.raises(NotAllowed):
        approvals.approval_reject(actor=as_(other), instance=instance, reason="不同意")
    assert [p.step.instance_id for p in task_parties(as_(own))] == [instance.pk]
    approvals.approval_approve(actor=as_(own), instance=instance)
    assert states(instance) == (InstanceState.APPROVED, ["approved"])


def test_the_chain_editor_pages(db, client, manager_user, admin_user):
    """A safety manager builds a chain on the pages: a first step, a parallel step, a
    second party, a step removed; bad input is refused naming the field; contractor
    admins may not edit chains."""
    from safework.approvals.models import ChainTemplate

    client.force_login(manager_user)
    created = client.post("/approvals/chains/new/", {
        "chain-name": "进场审批", "chain-code": "entry", "chain-subject_kind": "tests.subject",
        "step-name": "分包", "step-mode": "any", "step-label": "分包安全员",
        "step-role": Role.CONTRACTOR_ADMIN, "step-subject_organization": "on",
    })  # fmt: skip
    assert created.status_code == 302, created.content.decode()[:500]
    template = ChainTemplate.objects.get(code="entry")
    url = f"/approvals/chains/{template.pk}/"
    assert client.post(f"{url}steps/", {"name": "总包与监理", "mode": "all", "label": "总包安全员",
                                        "role": Role.SAFETY_MANAGER}).status_code == 302  # fmt: skip
    assert client.post(f"{url}steps/2/parties/", {"label": "监理"}).status_code == 302
    assert client.post(f"{url}steps/", {"name": "业主", "mode": "any", "label": "安全主管",
                                        "role": Role.SAFETY_MANAGER}).status_code == 302  # fmt: skip
    client.post(f"{url}steps/3/delete/")
    steps = [(s.name, s.mode, [p.label for p in s.parties.all()]) for s in template.steps.all()]
    assert steps == [("分包", "any", ["分包安全员"]), ("总包与监理", "all", ["总包安全员", "监理"])]
    assert "总包与监理" in client.get(url).content.decode()
    loose = client.post(f"{url}steps/", {"name": "x", "mode": "all", "label": "任一承包商",
                                         "role": Role.CONTRACTOR_ADMIN})  # fmt: skip
    assert (
        loose.status_code == 422
        and "第 3 步：承包商管理员审批方必须指定单位" in loose.content.decode()
    )
    assert template.steps.count() == 2
    again = client.post("/approvals/chains/new/", {
        "chain-name": "重复", "chain-code": "entry", "chain-subject_kind": "tests.subject",
        "step-name": "a", "step-mode": "all", "step-label": "b",
    })  # fmt: skip
    assert again.status_code == 200 and ChainTemplate.objects.filter(code="entry").count() == 1
    assert "已有其他审批链使用此代码" in again.content.decode()
    assert AuditEntry.objects.filter(action="approval_chain.save").count() == 5
    client.force_login(admin_user)
    assert client.get("/approvals/chains/").status_code == 403
    assert (
        client.post(f"{url}steps/", {"name": "y", "mode": "all", "label": "z"}).status_code == 403
    )
