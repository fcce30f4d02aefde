"""Channel settings as pydantic models (STYLE.md 5: channel settings stored as JSON, read
through pydantic models). Fields named in SECRET_FIELDS are credentials: shown masked,
kept when a form leaves them empty."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from safework.core import crypto

from .choices import Channel
from .errors import TransportError

SECRET_FIELDS = {"access_key_secret", "secret_key", "secret", "webhook_url", "smtp_url"}


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EmailSettings(_Settings):
    from_email: str = Field("", description="Sender address; empty: the server default.")
    smtp_url: str = Field(
        "", description="smtp://user:password@host:port?tls=1; empty: SAFEWORK_EMAIL_URL."
    )


class AliyunSmsSettings(_Settings):
    access_key_id: str
    access_key_secret: str
    sign_name: str = Field(description="Approved SMS signature (签名), e.g. 某某化工.")
    template_code: str = Field(
        description="Approved template code, e.g. SMS_123456789; variables name, item, "
        "date, days, action."
    )
    digest_template_code: str = Field(
        "",
        description="Approved template of the daily digest (the contact of an "
        "organization); variables name, count, date, days, action. Empty: the digest goes "
        "through template_code.",
    )
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    region_id: str = "cn-hangzhou"


class TencentSmsSettings(_Settings):
    secret_id: str
    secret_key: str
    sdk_app_id: str = Field(description="SmsSdkAppId, e.g. 1400006666.")
    sign_name: str
    template_id: str = Field(
        description="Approved template id; parameters {1} name, {2} item, {3} date, "
        "{4} days, {5} action."
    )
    digest_template_id: str = Field(
        "",
        description="Approved template of the daily digest; parameters {1} name, {2} count, "
        "{3} date, {4} days, {5} action. Empty: the digest goes through template_id.",
    )
    endpoint: str = "https://sms.tencentcloudapi.com/"
    region: str = "ap-guangzhou"


class _Robot(_Settings):
    webhook_url: str

    @field_validator("webhook_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(_("Enter an address that starts with http:// or https://."))
        return value


class WeComSettings(_Robot):
    pass


class DingTalkSettings(_Robot):
    secret: str = Field("", description="The SEC… secret of 加签; empty if not used.")


class FeishuSettings(_Robot):
    secret: str = Field("", description="The signature secret (签名校验); empty if not used.")


class WebhookSettings(_Robot):
    secret: str = Field(description="Shared secret for the X-Safework-Signature HMAC.")


MODELS: dict[str, type[_Settings]] = {
    Channel.EMAIL: EmailSettings,
    Channel.SMS_ALIYUN: AliyunSmsSettings,
    Channel.SMS_TENCENT: TencentSmsSettings,
    Channel.WECOM: WeComSettings,
    Channel.DINGTALK: DingTalkSettings,
    Channel.FEISHU: FeishuSettings,
    Channel.WEBHOOK: WebhookSettings,
}


def parse(channel: str, data: dict) -> _Settings:
    """Raises pydantic's ValidationError on a bad value (the form shows it)."""
    return MODELS[channel].model_validate(data)


def encrypt(channel: str, data: dict) -> str:
    return crypto.encrypt(json.dumps(parse(channel, data).model_dump(), ensure_ascii=False))


def read(config) -> _Settings:
    """The settings of a ChannelConfig row; broken settings are a permanent failure."""
    try:
        return parse(config.channel, json.loads(crypto.decrypt(config.settings_encrypted)))
    except (ValidationError, ValueError) as exc:
        raise TransportError(f"channel settings are invalid: {exc}", permanent=True) from None


def masked(config) -> dict[str, str]:
    values = read(config).model_dump()
    return {k: (_mask(v) if k in SECRET_FIELDS else v) for k, v in values.items()}


def _mask(value: str) -> str:
    return "" if not value else value[:4] + "…" + value[-2:] if len(value) > 8 else "…"


GROUP_CHANNEL_VALUES = {Channel.WECOM, Channel.DINGTALK, Channel.FEISHU, Channel.WEBHOOK}
