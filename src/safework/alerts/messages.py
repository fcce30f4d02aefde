"""The words of a warning, in Chinese (English msgids, zh_Hans catalogue): who, which item,
which date, how many days, and what to do, for each channel's template
(templates/alerts/messages/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import Case, Q, TextField, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import LAPSE, WarningKind
from .sql import Pipes, html_escaped

MESSAGE_LANGUAGE = "zh-hans"

# The scan renders tens of thousands of warnings: each channel's template is rendered once
# per (kind, lapsed) with markers in place of the values, and the database puts the values
# in (HTML-escaped in the HTML part) while it copies the rows into the outbox. Same
# templates, same words, no Python work per message.
FIELDS = ("name", "organization", "item", "code", "number", "date", "days", "link")
_MARKER = re.compile("\x00(" + "|".join(FIELDS) + ")\x00")


def _marker(name: str) -> str:
    return f"\x00{name}\x00"


@dataclass(frozen=True)
class _Markers:
    """Stands for a warning in the texts below, with markers for its values."""

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


def _values(m: _Markers) -> dict:
    return {"name": m.name, "item": m.item, "date": m.date, "days": m.days}


def headline(f: _Markers) -> str:
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


def action(f: _Markers) -> str:
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


def short_action(f: _Markers) -> str:
    """For an SMS template variable (providers limit a variable's length)."""
    if f.kind == WarningKind.RENEWAL_OPEN:
        return _("follow up the renewal")
    if f.lapsed:
        return _("stop this work")
    return _("renew in time") if f.kind == WarningKind.EXPIRY else _("apply for the review")


def subject(f: _Markers) -> str:
    if f.kind == WarningKind.RENEWAL_OPEN:
        return _("[Reminder] Renewal still open: %(name)s, %(item)s") % _values(f)
    if f.lapsed:
        return _("[Safety warning] Lapsed: %(name)s, %(item)s") % _values(f)
    return _("[Safety warning] %(days)s days left: %(name)s, %(item)s") % _values(f)


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


@lru_cache(maxsize=32)
def skeleton(kind: str, lapsed: bool) -> Rendered:
    """Every text of a warning of ``kind``, with markers where the values go."""
    m = _Markers(kind=kind, level=LAPSE if lapsed else 0, lapsed=lapsed)
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


# The words depend on the kind and on whether the date has passed, not on the level.
VARIANTS = (
    (WarningKind.EXPIRY, True),
    (WarningKind.EXPIRY, False),
    (WarningKind.REVIEW, True),
    (WarningKind.REVIEW, False),
    (WarningKind.RENEWAL_OPEN, False),
)


def filled(template: str, values: dict, *, escape_html: bool = False):
    """``template`` as a SQL expression: its text with each marker replaced by the value
    expression of that name (``values``)."""
    parts = []
    for i, piece in enumerate(_MARKER.split(template)):
        if i % 2:  # re.split puts the captured marker names at the odd places
            parts.append(html_escaped(values[piece]) if escape_html else values[piece])
        elif piece:
            parts.append(Value(piece))
    return parts[0] if len(parts) == 1 else Pipes(*parts)


def in_sql(part: str, values_of, *, escape_html: bool = False) -> Case:
    """One text (``subject``, ``text``, ``html``, ``markdown``, ``sms``, ``inbox_body``)
    of each warning row, in Chinese: a CASE over the variants. ``values_of(kind)`` gives
    the value expressions (the days count differently for a renewal)."""
    return Case(
        *[
            When(variant_q(kind, lapsed), then=filled(
                getattr(skeleton(kind, lapsed), part), values_of(kind), escape_html=escape_html
            ))
            for kind, lapsed in VARIANTS
        ],
        output_field=TextField(),
    )  # fmt: skip


def short_action_sql() -> Case:
    """``short_action`` of each warning row, for the SMS template variable."""
    whens = [
        When(variant_q(kind, lapsed), then=Value(skeleton(kind, lapsed).sms_params["action"]))
        for kind, lapsed in VARIANTS
    ]
    return Case(*whens, output_field=TextField())


def variant_q(kind: str, lapsed: bool) -> Q:
    return Q(kind=kind) & (Q(level=LAPSE) if lapsed else ~Q(level=LAPSE))


def link_parts() -> tuple[str, str]:
    """The certificate page's address around its id (``link`` = before + id + after)."""
    sentinel = 987654321
    before, after = link_of(sentinel).split(str(sentinel))
    return before, after


def link_of(certificate_id: int) -> str:
    path = reverse("certificates:detail", args=[certificate_id])
    return f"{settings.SITE_URL}{path}"
