"""Warnings about contractor documents and briefing passes (issue 7: "covered by the
warnings of the notifications issue"): at the alerts' thresholds and on lapse, through
the outbox and the inbox, once per threshold."""

from datetime import timedelta

from safework.alerts.models import InboxItem, Notification
from safework.contractors import services
from safework.contractors.models import ExpiryNotice, QuizAttempt
from safework.core.actors import Actor
from safework.core.clock import today

from .conftest import admit, correct_answers


def run(on):
    return services.expiry_notices(on=on, actor=Actor.system("test"))


def test_insurance_warnings_at_each_threshold_and_on_lapse(
    manager, admin, admin_user, worker, site
):
    last_day = today() + timedelta(days=20)
    admit(manager, admin, worker, site, insurance_until=last_day)
    assert run(today()).documents == 1  # 20 days left: the 30-day warning
    assert run(today()).documents == 0  # once per threshold
    assert run(last_day - timedelta(days=7)).documents == 1
    lapsed = run(last_day + timedelta(days=1))
    assert lapsed.documents == 1 and worker.person_id in lapsed.lapsed_people
    titles = list(
        InboxItem.objects.filter(user=admin_user, title__contains="保险")
        .order_by("id")
        .values_list("title", flat=True)
    )
    assert len(titles) == 3 and all("王焊工" in t for t in titles)
    assert "20" in titles[0] and "7" in titles[1] and "过期" in titles[2]
    assert (
        Notification.objects.filter(
            channel="email", recipient=admin_user.email, subject__contains="保险"
        ).count()
        == 3
    )
    assert ExpiryNotice.objects.filter(kind="document").count() == 3


def test_a_renewed_document_is_not_warned_about(manager, admin, worker, site):
    from safework.contractors.choices import DocumentKind

    from .conftest import png

    admit(manager, admin, worker, site, insurance_until=today() + timedelta(days=10))
    renewal = services.document_upload(actor=admin, worker=worker, kind=DocumentKind.INSURANCE,
                                       upload=png(), valid_until=today() + timedelta(days=400))  # fmt: skip
    services.document_review(actor=manager, document=renewal, accept=True)
    assert run(today()).documents == 0


def test_briefing_passes_lapsing_are_announced(course, worker, admin_user):
    attempt = services.quiz_start(person=worker.person, course=course)
    services.quiz_submit(attempt=attempt, answers=correct_answers(attempt))
    QuizAttempt.objects.update(valid_until=today() + timedelta(days=6))
    assert run(today()).briefings == 1
    assert InboxItem.objects.filter(user=admin_user, title__contains="动火作业安全交底").exists()


def test_the_owners_rules_decide_when_and_who_is_told(
    django_user_model, manager, manager_user, admin, admin_user, worker, site, owner
):
    """Issue 7 documents follow issue 4's rules: the owner's thresholds (here 60 and 7
    days) and recipients per level (the site's area head from 7 days on)."""
    from safework.alerts import services as alerts
    from safework.core.choices import Role
    from tests.conftest import make_user

    head = make_user(django_user_model, "chejian", Role.AREA_HEAD, sites=[site])
    rules = {"expiry_days": [60, 7], "recipients_from_days": {
        "worker": 60, "org_contact": 60, "safety_manager": 60, "area_head": 7}}  # fmt: skip
    alerts.policy_save(actor=manager, organization=owner, rules=rules)
    last_day = today() + timedelta(days=50)
    admit(manager, admin, worker, site, insurance_until=last_day)

    def told(user):
        return InboxItem.objects.filter(user=user, title__contains="保险").count()

    assert run(today()).documents == 1  # 50 days left: beyond the default 30, within 60
    assert (told(admin_user), told(manager_user), told(head)) == (1, 1, 0)
    assert run(last_day - timedelta(days=5)).documents == 1
    assert (told(admin_user), told(manager_user), told(head)) == (2, 2, 1)


def test_without_lapse_notices_nothing_is_said_at_lapse_but_the_gate_learns(
    manager, admin, worker, site, owner
):
    from safework.alerts import services as alerts

    alerts.policy_save(actor=manager, organization=owner, rules={"notify_on_lapse": False})
    admit(manager, admin, worker, site, insurance_until=today() + timedelta(days=3))
    lapsed = run(today() + timedelta(days=4))
    assert lapsed.documents == 0 and worker.person_id in lapsed.lapsed_people
