"""The words of a warning, in Chinese (English msgids, zh_Hans catalogue): who, which item,
which date, how many days, and what to do, rendered once per warning for each channel's
template (templates/alerts/messages/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import LAPSE, WarningKind

MESSAGE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Facts:
    kind: str
    level: int
    name: str
    organization: str
    item: str
    code: str
    number: str
    due: date
    days_left: int
    certificate_id: int

    @property
    def lapsed(self) -> bool:
        return self.level == LAPSE

    @property
    def days_open(self) -> int:
        return -self.days_left


def _values(f: Facts) -> dict:
    days = f.days_open if f.kind == WarningKind.RENEWAL_OPEN else f.days_left
    return {"name": f.name, "item": f.item, "date": f.due.isoformat(), "days": days}


def headline(f: Facts) -> str:
    if f.kind == WarningKind.RENEWAL_OPEN:
        text = _(
            "The renewal (换证) of %(name)s's certificate for %(item)s started on %(date)s and is still open after %(days)s days."
        )
    elif f.kind == WarningKind.EXPIRY and f.lapsed:
        text = _("%(name)s's certificate for %(item)s expired on %(date)s and is no longer valid.")
    elif f.kind == WarningKind.EXPIRY:
        text = _("%(name)s's certificate for %(item)s expires on %(date)s: %(days)s days left.")
    elif f.lapsed:
        text = _(
            "%(name)s missed the review (复审) of the certificate for %(item)s due on %(date)s; the certificate is no longer valid (第二十六条)."
        )
    else:
        text = _(
            "The review (复审) of %(name)s's certificate for %(item)s is due on %(date)s: %(days)s days left."
        )
    return text % _values(f)


def action(f: Facts) -> str:
    if f.kind == WarningKind.RENEWAL_OPEN:
        return _(
            "Follow up with the issuing authority and record the new certificate as soon as it is issued."
        )
    if f.lapsed:
        return _("Do not assign this person to this work until a valid certificate is recorded.")
    if f.kind == WarningKind.EXPIRY:
        return _(
            "Apply for the renewal (延期复审, 第二十四条) now and record the new certificate when it is issued; after expiry this person may not do this work."
        )
    return _(
        "Apply for the review within the 60 days before it is due (第二十二条) and record it when passed."
    )


def short_action(f: Facts) -> str:
    """For an SMS template variable (providers limit a variable's length)."""
    if f.kind == WarningKind.RENEWAL_OPEN:
        return _("follow up the renewal")
    if f.lapsed:
        return _("stop this work")
    return _("renew in time") if f.kind == WarningKind.EXPIRY else _("apply for the review")


def subject(f: Facts) -> str:
    if f.kind == WarningKind.RENEWAL_OPEN:
        return _("[Reminder] Renewal still open: %(name)s, %(item)s") % _values(f)
    if f.lapsed:
        return _("[Safety warning] Lapsed: %(name)s, %(item)s") % _values(f)
    return _("[Safety warning] %(days)s days left: %(name)s, %(item)s") % _values(f)


def link(f: Facts) -> str:
    path = reverse("certificates:detail", args=[f.certificate_id])
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    markdown: str
    sms: str
    sms_params: dict
    inbox_body: str
    link: str


def render(f: Facts) -> Rendered:
    with translation.override(MESSAGE_LANGUAGE):
        ctx = {"f": f, "headline": headline(f), "action": action(f), "link": link(f)}
        ctx["subject"] = subject(f)
        params = {**_values(f), "action": short_action(f)}
        params["days"] = str(params["days"])
        return Rendered(
            subject=ctx["subject"],
            text=render_to_string("alerts/messages/email.txt", ctx),
            html=render_to_string("alerts/messages/email.html", ctx),
            markdown=render_to_string("alerts/messages/robot.md", ctx),
            sms=render_to_string("alerts/messages/sms.txt", ctx).strip(),
            sms_params=params,
            inbox_body=f"{ctx['headline']} {ctx['action']}",
            link=ctx["link"],
        )
