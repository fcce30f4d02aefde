"""The pages: outbox list with filters and retry, scoping (a contractor admin sees only
their organization's messages), channels with the test button, rules, the bell."""

from datetime import timedelta

import pytest
from django.urls import reverse

from safework.alerts import outbox, services
from safework.alerts.choices import Channel, State
from safework.alerts.models import ChannelConfig, Notification
from safework.alerts.selectors import rules_for

from .conftest import DAY0, certificate, worker
from .servers import SECRETS

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages_of_two_orgs(plant):
    ours = outbox.enqueue(channel=Channel.EMAIL, recipient="admin@jiangsu.test", subject="承包商消息",
                          organization=plant.contractor)  # fmt: skip
    theirs = outbox.enqueue(channel=Channel.EMAIL, recipient="manager@plant.test", subject="业主消息",
                            organization=plant.owner)  # fmt: skip
    Notification.objects.filter(pk=theirs.pk).update(state=State.DEAD, last_error="SMTP 550")
    return ours, theirs


def login(client, user):
    client.force_login(user)
    return client


def test_the_list_is_in_chinese_and_filters(client, plant, messages_of_two_orgs):
    page = login(client, plant.manager).get(reverse("alerts:list"))
    text = page.content.decode()
    assert (
        page.status_code == 200 and "消息" in text and "承包商消息" in text and "业主消息" in text
    )
    dead = client.get(reverse("alerts:list"), {"state": "dead"}).content.decode()
    assert "业主消息" in dead and "承包商消息" not in dead
    found = client.get(
        reverse("alerts:list"), {"q": "admin@"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "承包商消息" in found and "业主消息" not in found and "<html" not in found


def test_a_contractor_admin_sees_only_their_organizations_messages(
    client, plant, messages_of_two_orgs
):
    ours, theirs = messages_of_two_orgs
    login(client, plant.contractor_admin)
    text = client.get(reverse("alerts:list")).content.decode()
    assert "承包商消息" in text and "业主消息" not in text
    assert client.get(reverse("alerts:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("alerts:retry", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("alerts:detail", args=[ours.pk])).status_code == 200


def test_retry_a_dead_message_from_its_page(client, plant, messages_of_two_orgs):
    _ours, theirs = messages_of_two_orgs
    login(client, plant.manager)
    detail = client.get(reverse("alerts:detail", args=[theirs.pk])).content.decode()
    assert "SMTP 550" in detail and "重试" in detail
    response = client.post(reverse("alerts:retry", args=[theirs.pk]), follow=True)
    theirs.refresh_from_db()
    assert theirs.state == State.PENDING and theirs.attempts == 0
    assert "将重新发送" in response.content.decode()


def test_retry_all_dead(client, plant, messages_of_two_orgs):
    login(client, plant.manager).post(reverse("alerts:retry_dead"))
    assert not Notification.objects.filter(state=State.DEAD).exists()


def test_a_viewer_cannot_retry(client, plant, messages_of_two_orgs, django_user_model):
    from safework.core.choices import Role
    from tests.conftest import make_user

    viewer = make_user(django_user_model, "viewer", Role.VIEWER, plant.owner)
    _ours, theirs = messages_of_two_orgs
    assert login(client, viewer).post(reverse("alerts:retry", args=[theirs.pk])).status_code == 403


def test_configure_a_channel_and_send_a_test_message(client, plant, server):
    login(client, plant.manager)
    form = client.get(reverse("alerts:channel_create", args=["dingtalk"])).content.decode()
    assert "钉钉" in form and "签名密钥" in form
    response = client.post(
        reverse("alerts:channel_create", args=["dingtalk"]),
        {"organization": plant.owner.pk, "enabled": "on",
         "webhook_url": server.url("/dingtalk?access_token=t"), "secret": SECRETS["dingtalk"]},
    )  # fmt: skip
    assert response.status_code == 302
    row = ChannelConfig.objects.get()
    listing = client.get(reverse("alerts:channels")).content.decode()
    assert SECRETS["dingtalk"] not in listing  # secrets are shown masked
    done = client.post(reverse("alerts:channel_test", args=[row.pk]), follow=True).content.decode()
    assert "测试消息已发送" in done and server.requests[-1]["valid"]
    row.refresh_from_db()
    assert row.last_test_at is not None


def test_editing_a_channel_keeps_a_secret_left_empty(client, plant, server):
    row = services.channel_save(
        actor=plant.system, channel=Channel.FEISHU, organization=plant.owner,
        values={"webhook_url": server.url("/feishu"), "secret": SECRETS["feishu"]},
    )  # fmt: skip
    login(client, plant.manager).post(
        reverse("alerts:channel_edit", args=[row.pk]),
        {"webhook_url": "", "secret": "", "enabled": ""},
    )
    from safework.alerts import config

    row.refresh_from_db()
    assert config.read(row).secret == SECRETS["feishu"] and not row.enabled


def test_a_contractor_admin_configures_only_their_own_channels(client, plant, server):
    owner_row = services.channel_save(
        actor=plant.system, channel=Channel.WECOM, organization=plant.owner,
        values={"webhook_url": server.url("/wecom?key=a")},
    )  # fmt: skip
    login(client, plant.contractor_admin)
    assert client.get(reverse("alerts:channel_edit", args=[owner_row.pk])).status_code == 404
    client.post(reverse("alerts:channel_create", args=["wecom"]),
                {"webhook_url": server.url("/wecom?key=b"), "enabled": "on"})  # fmt: skip
    assert ChannelConfig.objects.filter(organization=plant.contractor).count() == 1


def test_the_warning_rules_page(client, plant):
    login(client, plant.manager)
    assert "到期前预警" in client.get(reverse("alerts:rules")).content.decode()
    client.post(reverse("alerts:rules"), {
        "expiry_days": "60，30, 7", "review_days": "30", "notify_on_lapse": "on",
        "renewal_reminder_days": "20", "type_overrides": "SAMR-N1: 90, 10 | 45",
        "from_worker": "30", "from_org_contact": "30", "from_safety_manager": "60", "from_area_head": "7",
    })  # fmt: skip
    rules = rules_for(plant.owner.pk)
    assert rules.expiry_days == [60, 30, 7] and rules.renewal_reminder_days == 20
    assert rules.type_overrides["SAMR-N1"].review_days == [45]
    assert login(client, plant.contractor_admin).get(reverse("alerts:rules")).status_code == 403


def test_the_bell_counts_unread_notifications(client, plant, clock, sms_channel):
    certificate(worker(plant), valid_until=DAY0 + timedelta(days=10))
    services.scan_expiry(on=DAY0, actor=plant.system)
    login(client, plant.manager)
    home = client.get(reverse("alerts:inbox")).content.decode()
    assert 'id="alerts-unread">1<' in home and "李四" in home and "还剩 10 天" in home
    client.post(reverse("alerts:inbox_read"))
    assert 'id="alerts-unread"' not in client.get(reverse("alerts:inbox")).content.decode()


def test_the_digest_links_to_the_days_warnings_in_scope(client, plant, clock, sms_channel):
    certificate(worker(plant, name="承包商甲"), valid_until=DAY0 + timedelta(days=10))
    certificate(worker(plant, org=plant.owner, name="业主乙", phone="13900000008"),
                valid_until=DAY0 + timedelta(days=10))  # fmt: skip
    services.scan_expiry(on=DAY0, actor=plant.system)
    link = Notification.objects.get(recipient="admin@jiangsu.test").payload["link"]
    path = link.removeprefix("https://safework.test")
    assert path == reverse("alerts:warnings") + "?date=2026-06-01"
    manager = login(client, plant.manager).get(path).content.decode()
    assert "承包商甲" in manager and "业主乙" in manager
    admin = login(client, plant.contractor_admin).get(path).content.decode()
    assert "承包商甲" in admin and "业主乙" not in admin
    bad = login(client, plant.manager).get(reverse("alerts:warnings") + "?date=2026-13-40")
    assert "扫描日期" in bad.content.decode()


def test_an_area_head_sees_the_digests_sent_to_them_and_no_one_elses(
    client, plant, clock, sms_channel
):
    near = worker(plant, name="现场丙", phone="13900000009")
    certificate(near, valid_until=DAY0 + timedelta(days=5))  # within 7 days: the head is told
    services.scan_expiry(on=DAY0, actor=plant.system)
    digest = Notification.objects.get(recipient="head@plant.test")
    managers = Notification.objects.get(recipient="manager@plant.test")
    assert digest.person_id is None and digest.dedupe_key.startswith("digest:")
    login(client, plant.area_head)
    page = client.get(reverse("alerts:list")).content.decode()
    assert "head@plant.test" in page and "manager@plant.test" not in page
    assert client.get(reverse("alerts:detail", args=[digest.pk])).status_code == 200
    assert client.get(reverse("alerts:detail", args=[managers.pk])).status_code == 404
    login(client, plant.other_head)
    assert "head@plant.test" not in client.get(reverse("alerts:list")).content.decode()


def test_the_sms_channel_form_explains_the_digest_template(client, plant):
    login(client, plant.manager)
    aliyun = client.get(reverse("alerts:channel_create", args=["sms_aliyun"])).content.decode()
    assert "汇总短信模板代码" in aliyun and "留空则汇总短信使用上面的模板" in aliyun
    tencent = client.get(reverse("alerts:channel_create", args=["sms_tencent"])).content.decode()
    assert "汇总短信模板 ID" in tencent and "{2} 证书张数" in tencent


def test_a_bad_channel_setting_is_refused_in_chinese_naming_the_field(client, plant):
    login(client, plant.manager)
    page = client.post(
        reverse("alerts:channel_create", args=["wecom"]),
        {"organization": plant.owner.pk, "enabled": "on", "webhook_url": "ftp://robot"},
    ).content.decode()
    assert "请输入以 http:// 或 https:// 开头的地址。" in page and "Value error" not in page
    assert not ChannelConfig.objects.exists()


def test_rules_out_of_range_are_refused_in_chinese(plant):
    from safework.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.policy_save(actor=plant.system, organization=plant.owner,
                             rules={"expiry_days": [30, 400]})  # fmt: skip
    assert str(refused.value.errors["rules"]) == "预警天数须在 0 到 366 天之间。"
