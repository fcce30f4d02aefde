from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS_ALIYUN = "sms_aliyun", _("SMS (Aliyun)")
    SMS_TENCENT = "sms_tencent", _("SMS (Tencent Cloud)")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    FEISHU = "feishu", _("Feishu robot")
    WEBHOOK = "webhook", _("Signed webhook")


SMS_CHANNELS = (Channel.SMS_ALIYUN, Channel.SMS_TENCENT)
# Group robots and webhooks post to one configured group, not to a person.
GROUP_CHANNELS = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU, Channel.WEBHOOK)


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead (gave up)")


class WarningKind(models.TextChoices):
    EXPIRY = "expiry", _("Certificate expiry")
    REVIEW = "review", _("Review (复审) due")
    RENEWAL_OPEN = "renewal_open", _("Renewal still open")


class Audience(models.TextChoices):
    WORKER = "worker", _("The worker")
    ORG_CONTACT = "org_contact", _("Contact of the worker's organization")
    SAFETY_MANAGER = "safety_manager", _("Site safety manager")
    AREA_HEAD = "area_head", _("Department or area head")


# The level of a warning is the threshold (days before) it answers; LAPSE is the day after
# the date passed. Smaller is more urgent, so "this level or a more urgent one was already
# sent" is one comparison (rules.py).
LAPSE = -1
