"""One English word, two Chinese ones: a msgid used in two senses carries a context
(pgettext), so each page shows the word of its own trade."""

from django.utils import translation

from safework.alerts.choices import State as NotificationState
from safework.approvals.choices import PartyState
from safework.certificates.choices import ManualState
from safework.permits.choices import Status


def test_suspended_certificates_and_suspended_permits_read_differently():
    with translation.override("zh-hans"):
        assert str(ManualState.SUSPENDED.label) == "暂扣"  # 第三十条: the certificate is held
        assert str(Status.SUSPENDED.label) == "已暂停"  # GB 30871: work stopped, may resume


def test_pending_approvals_and_pending_messages_read_differently():
    with translation.override("zh-hans"):
        assert str(PartyState.PENDING.label) == "待审批"
        assert str(NotificationState.PENDING.label) == "待发送"
