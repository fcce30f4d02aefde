"""Page forms: parse input only; the rules are in services.py and rules.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.forms import style_filter_widgets

from . import config
from .choices import Audience, Channel, State
from .rules import AlertRules, Thresholds

FIELD_LABELS = {
    "from_email": _("Sender address"),
    "smtp_url": _("SMTP server URL"),
    "access_key_id": _("AccessKey ID"),
    "access_key_secret": _("AccessKey secret"),
    "sign_name": _("SMS signature"),
    "template_code": _("Template code"),
    "digest_template_code": _("Digest template code"),
    "endpoint": _("API endpoint"),
    "region_id": _("Region"),
    "region": _("Region"),
    "secret_id": _("SecretId"),
    "secret_key": _("SecretKey"),
    "sdk_app_id": _("SMS SdkAppId"),
    "template_id": _("Template ID"),
    "digest_template_id": _("Digest template ID"),
    "webhook_url": _("Webhook URL"),
    "secret": _("Signing secret"),
}


FIELD_HELP = {
    "digest_template_code": _(
        "Optional: an approved template for the daily digest, with the variables name, "
        "count, date, days and action. Empty: digests use the template above."
    ),
    "digest_template_id": _(
        "Optional: an approved template for the daily digest, parameters {1} name, "
        "{2} count, {3} date, {4} days, {5} action. Empty: digests use the template above."
    ),
}


class WarningFilterForm(forms.Form):
    date = forms.DateField(
        label=_("Scan date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Scan date: enter a date such as 2026-06-01.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filter_widgets(self)


class NotificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *State.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filter_widgets(self)


class ChannelForm(forms.Form):
    """One field per setting of the channel's pydantic model; secrets are password fields
    that keep the stored value when left empty."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, channel: str, organizations=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("Organization"), queryset=organizations, required=False,
                empty_label=_("Platform default (all organizations)"),
            )  # fmt: skip
        for name, info in config.MODELS[channel].model_fields.items():
            secret = name in config.SECRET_FIELDS
            self.fields[name] = forms.CharField(
                label=FIELD_LABELS.get(name, name),
                required=info.is_required() and not (secret and editing),
                widget=forms.PasswordInput(render_value=False) if secret else None,
                help_text=_("Leave empty to keep the stored value.")
                if secret and editing
                else FIELD_HELP.get(name, ""),
                initial=None if info.is_required() else info.default,
            )

    def setting_values(self) -> dict:
        skip = {"enabled", "organization"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class TestMessageForm(forms.Form):
    recipient = forms.CharField(
        label=_("Send the test to"), required=False, max_length=255,
        help_text=_("A mobile number for SMS, an address for email; not needed for robots."),
    )  # fmt: skip


def _days(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise forms.ValidationError(_("Enter whole numbers of days separated by commas.")) from None


class RulesForm(forms.Form):
    expiry_days = forms.CharField(
        label=_("Warn before expiry (days)"), help_text=_("Comma-separated, e.g. 30, 15, 7.")
    )
    review_days = forms.CharField(
        label=_("Warn before the review is due (days)"), help_text=_("e.g. 30, 15, 7.")
    )
    notify_on_lapse = forms.BooleanField(label=_("Also on the day it lapses"), required=False)
    renewal_reminder_days = forms.IntegerField(
        label=_("Remind the safety manager of an open renewal after (days)"), min_value=1
    )
    type_overrides = forms.CharField(
        label=_("Thresholds per certificate type"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per type: item code, expiry days, a bar, review days; e.g. "
                    "SAMR-N1: 60, 30, 7 | 30, 7"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for audience in Audience:
            self.fields[f"from_{audience.value}"] = forms.IntegerField(
                label=audience.label, required=False, min_value=0,
                help_text=_("Told from this many days before (and on lapse); empty: never."),
            )  # fmt: skip

    @staticmethod
    def initial_from(rules: AlertRules) -> dict:
        initial = {
            "expiry_days": ", ".join(map(str, rules.expiry_days)),
            "review_days": ", ".join(map(str, rules.review_days)),
            "notify_on_lapse": rules.notify_on_lapse,
            "renewal_reminder_days": rules.renewal_reminder_days,
            "type_overrides": "\n".join(
                f"{code}: {', '.join(map(str, t.expiry_days))} | {', '.join(map(str, t.review_days))}"
                for code, t in rules.type_overrides.items()
            ),
        }
        for audience, days in rules.recipients_from_days.items():
            initial[f"from_{Audience(audience).value}"] = days
        return initial

    def clean_expiry_days(self):
        return _days(self.cleaned_data["expiry_days"])

    def clean_review_days(self):
        return _days(self.cleaned_data["review_days"])

    def clean_type_overrides(self) -> dict:
        overrides = {}
        for line in (self.cleaned_data.get("type_overrides") or "").splitlines():
            if not line.strip():
                continue
            code, _sep, rest = line.replace("：", ":").partition(":")
            expiry, _bar, review = rest.partition("|")
            overrides[code.strip()] = Thresholds(
                expiry_days=_days(expiry), review_days=_days(review or expiry)
            ).model_dump()
        return overrides

    def rules(self) -> dict:
        data = self.cleaned_data
        recipients = {
            a.value: data[f"from_{a.value}"]
            for a in Audience
            if data.get(f"from_{a.value}") is not None
        }
        return {
            "expiry_days": data["expiry_days"],
            "review_days": data["review_days"],
            "notify_on_lapse": data["notify_on_lapse"],
            "renewal_reminder_days": data["renewal_reminder_days"],
            "recipients_from_days": recipients,
            "type_overrides": data["type_overrides"],
        }
