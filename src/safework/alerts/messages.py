"""The words of a warning, in Chinese (English msgids, zh_Hans catalogue): who, which item,
which date, how many days, and what to do, rendered once per warning for each channel's
template (templates/alerts/messages/)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
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


def _values(f) -> dict:
    if isinstance(f, _Markers):
        return _skeleton_values(f)
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


# The scan renders thousands of warnings: each channel's template is rendered once per
# (kind, lapsed) with markers in place of the values, and the values are put in after
# (HTML-escaped in the HTML part). Same templates, same words, ~100x less work.
FIELDS = ("name", "organization", "item", "code", "number", "date", "days", "link")


def _marker(name: str) -> str:
    return f"\x00{name}\x00"


@dataclass(frozen=True)
class _Markers:
    kind: str
    level: int
    lapsed: bool
    name: str = _marker("name")
    organization: str = _marker("organization")
    item: str = _marker("item")
    code: str = _marker("code")
    number: str = _marker("number")
    date: str = _marker("date")
    days: str = _marker("days")


def _skeleton_values(m: _Markers) -> dict:
    return {"name": m.name, "item": m.item, "date": m.date, "days": m.days}


@lru_cache(maxsize=32)
def _skeleton(kind: str, level: int) -> Rendered:
    m = _Markers(kind=kind, level=level, lapsed=level == LAPSE)
    with translation.override(MESSAGE_LANGUAGE):
        ctx = {"f": m, "headline": headline(m), "action": action(m), "link": _marker("link")}
        ctx["subject"] = subject(m)
        return Rendered(
            subject=ctx["subject"],
            text=render_to_string("alerts/messages/email.txt", ctx),
            html=render_to_string("alerts/messages/email.html", ctx),
            markdown=render_to_string("alerts/messages/robot.md", ctx),
            sms=render_to_string("alerts/messages/sms.txt", ctx).strip(),
            sms_params={"action": short_action(m)},
            inbox_body=f"{ctx['headline']} {ctx['action']}",
            link=_marker("link"),
        )


def _fill(template: str, values: dict, escape_html: bool = False) -> str:
    for name, value in values.items():
        template = template.replace(_marker(name), escape(value) if escape_html else value)
    return template


def render(f: Facts) -> Rendered:
    """The texts of one warning for every channel, in Chinese."""
    days = f.days_open if f.kind == WarningKind.RENEWAL_OPEN else f.days_left
    level = f.level if f.level == LAPSE else 0  # the words depend on lapsed, not the level
    values = {
        "name": f.name, "organization": f.organization, "item": f.item, "code": f.code,
        "number": f.number, "date": f.due.isoformat(), "days": str(days), "link": link(f),
    }  # fmt: skip
    sk = _skeleton(f.kind, level)
    return Rendered(
        subject=_fill(sk.subject, values),
        text=_fill(sk.text, values),
        html=_fill(sk.html, values, escape_html=True),
        markdown=_fill(sk.markdown, values),
        sms=_fill(sk.sms, values),
        sms_params={**{k: values[k] for k in ("name", "item", "date", "days")}, **sk.sms_params},
        inbox_body=_fill(sk.inbox_body, values),
        link=values["link"],
    )
