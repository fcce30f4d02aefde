"""The list behind every number of the dashboard (issue 10: "every number links to the
list behind it, and every list exports to .xlsx"): one entry per list, naming its title,
the selector giving its rows for the filter and the list's own parameters, and its
columns. The page and the .xlsx export read the same entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safework.certificates.choices import Status
from safework.certificates.models import Certificate
from safework.certificates.qualification import qualifications_for
from safework.certificates.reasons import reason_label
from safework.permits.choices import Kind, Level

from . import distribution as dist
from . import selectors as sel
from .filters import DashboardFilter


@dataclass(frozen=True)
class Column:
    header: object
    value: Callable[[object], object]
    link: Callable[[object], str] | None = None


@dataclass(frozen=True)
class ListSpec:
    title: Callable[[dict], str]
    rows: Callable[[DashboardFilter, dict], Iterable]
    columns: tuple[Column, ...]
    # Work done per shown or exported row only (e.g. the qualification reasons).
    prepare: Callable[[DashboardFilter, object], None] | None = None


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person_link(person) -> str:
    from django.urls import reverse

    return reverse("people:detail", args=[person.pk]) if person else ""


def _items(person) -> str:
    return "、".join(f"{t.name}({t.code})" for t in person.special_operations.all())


def _reasons(person, on: date) -> str:
    found = []
    for q in qualifications_for(person, on):
        for code in q.reasons:
            label = f"{q.item_code}: {reason_label(code)}"
            if label not in found:
                found.append(label)
    return "；".join(found)


PERSON_COLUMNS = (
    Column(gettext_lazy("Full name"), lambda p: p.name, _person_link),
    Column(gettext_lazy("ID number"), lambda p: p.id_number_masked),
    Column(gettext_lazy("Organization"), lambda p: p.organization.name),
    Column(gettext_lazy("Special operations"), _items),
    Column(gettext_lazy("Employment state"), lambda p: p.get_employment_state_display()),
)


def _people(qs):
    return (
        qs.select_related("organization")
        .prefetch_related("special_operations")
        .order_by("name", "id")
    )


def _people_with_reasons(qs):
    certificates = Prefetch("certificates", queryset=Certificate.objects.select_related("type"))
    return _people(qs).prefetch_related(certificates)


REASON_COLUMNS = (
    *PERSON_COLUMNS,
    Column(gettext_lazy("Why not compliant"), lambda p: p._reasons),
)


CERTIFICATE_COLUMNS = (
    Column(gettext_lazy("Full name"), lambda c: c.person.name, lambda c: _person_link(c.person)),
    Column(gettext_lazy("Organization"), lambda c: c.person.organization.name),
    Column(gettext_lazy("Operation item"), lambda c: f"{c.type.name}({c.type.code})"),
    Column(gettext_lazy("Valid until"), lambda c: c.valid_until),
    Column(gettext_lazy("Next review due"), lambda c: c.next_review_due or ""),
    Column(
        gettext_lazy("Status"),
        lambda c: str(Status(c.status).label) if getattr(c, "status", None) else "",
    ),
)


def _certificates(qs):
    return qs.select_related("person__organization", "type").order_by("valid_until", "id")


def _with_status(qs, on: date):
    from safework.certificates.status import status_annotation

    return qs.annotate(status=status_annotation(on))


EVENT_COLUMNS = (
    Column(gettext_lazy("Time"), lambda e: _local(e.at)),
    Column(gettext_lazy("Full name"), lambda e: e.person_name, lambda e: _person_link(e.person)),
    Column(gettext_lazy("Organization"), lambda e: e.organization.name if e.organization else ""),
    Column(gettext_lazy("Site"), lambda e: e.site.name if e.site else ""),
    Column(gettext_lazy("Gate"), lambda e: e.gate.name if e.gate else ""),
)
DENIAL_COLUMNS = (
    *EVENT_COLUMNS,
    Column(gettext_lazy("Reasons"), lambda e: "；".join(reason_label(r) for r in e.reasons or [])),
)


def _permit_link(p) -> str:
    from django.urls import reverse

    return reverse("permits:detail", args=[p.pk])


PERMIT_COLUMNS = (
    Column(gettext_lazy("Number"), lambda p: p.number, _permit_link),
    Column(gettext_lazy("Kind"), lambda p: p.get_kind_display()),
    Column(gettext_lazy("Level"), lambda p: p.get_level_display() if p.level else ""),
    Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
    Column(gettext_lazy("Site"), lambda p: p.site.name),
    Column(gettext_lazy("Performing unit"), lambda p: p.performing_org.name),
    Column(gettext_lazy("Planned start"), lambda p: _local(p.planned_start)),
    Column(gettext_lazy("Planned end"), lambda p: _local(p.planned_end)),
)
MESSAGE_COLUMNS = (
    Column(gettext_lazy("Created at"), lambda n: _local(n.created_at)),
    Column(gettext_lazy("Channel"), lambda n: n.channel),
    Column(gettext_lazy("Recipient"), lambda n: n.recipient),
    Column(gettext_lazy("Subject"), lambda n: n.subject),
    Column(gettext_lazy("Attempts"), lambda n: n.attempts),
    Column(gettext_lazy("Last error"), lambda n: n.last_error[:200]),
)
RETRAINING_COLUMNS = (
    Column(gettext_lazy("Full name"), lambda a: a.person.name, lambda a: _person_link(a.person)),
    Column(gettext_lazy("Organization"), lambda a: a.person.organization.name),
    Column(gettext_lazy("Course"), lambda a: a.course.title),
    Column(gettext_lazy("Category"), lambda a: a.course.category),
    Column(gettext_lazy("Passed on"), lambda a: _local(a.submitted_at)),
    Column(gettext_lazy("Valid until"), lambda a: a.valid_until),
)


def _int(params: dict, name: str, default: int = 0) -> int:
    try:
        return int(params.get(name, default))
    except (TypeError, ValueError):
        return default


def _noncompliant(qs_of):
    return lambda f, params: _people_with_reasons(qs_of(f))


def _add_reasons(f: DashboardFilter, person) -> None:
    person._reasons = _reasons(person, f.on)


def _renewing_rows(f: DashboardFilter, params: dict):
    band = params.get("band")
    band = _int(params, "band") if band not in (None, "") else None
    if band is not None and not 0 <= band < len(sel.RENEWING_AGE_BANDS):
        band = None
    return _certificates(sel.renewing(f, band)).order_by("manual_state_on", "id")


def _permit_rows(f: DashboardFilter, params: dict):
    window = params.get("window") if params.get("window") in sel.PERMIT_WINDOWS else "live"
    qs = sel.permits_window(f, window).select_related("site", "performing_org")
    if params.get("kind") in Kind.values:
        qs = qs.filter(kind=params["kind"])
    if "level" in params and params["level"] in Level.values:
        qs = qs.filter(level=params["level"])
    return qs.order_by("planned_start", "id")


def _expiry_month_rows(f: DashboardFilter, params: dict):
    try:
        first = date.fromisoformat(f"{params.get('month', '')}-01")
    except ValueError:
        first = f.on.replace(day=1)
    return _with_status(_certificates(dist.expiring_in_month(f, first)), f.on)


def _workers_rows(f: DashboardFilter, params: dict):
    qs = sel.workers(f)
    if code := params.get("item"):
        qs = qs.filter(special_operations__code=code)
    if category := params.get("category"):
        qs = qs.filter(special_operations__category_name=category).distinct()
    band = params.get("age")
    if band not in (None, ""):
        i = _int(params, "age")
        if 0 <= i < len(dist.AGE_BANDS):
            _label, low, high = dist.AGE_BANDS[i]
            qs = qs.filter(dist.age_band_q(f.on, low, high))
    return _people(qs)


def _age_title(params):
    i = _int(params, "age", -1)
    return dist.AGE_BANDS[i][0] if 0 <= i < len(dist.AGE_BANDS) else ""


def _workers_title(params: dict) -> str:
    detail = params.get("item") or params.get("category") or _age_title(params)
    return _("Special-operations workers") + (f" · {detail}" if detail else "")


def _status_title(params: dict) -> str:
    status = params.get("status")
    label = Status(status).label if status in Status.values else ""
    return _("Certificates") + (f" · {label}" if label else "")


def _status_rows(f: DashboardFilter, params: dict):
    status = params.get("status") if params.get("status") in Status.values else Status.VALID
    return sel.certificates_of_status(f, status)


def _expiring_rows(f: DashboardFilter, params: dict):
    days = _int(params, "days", 30)
    return sel.expiring_within(f, days if days in sel.EXPIRY_WINDOWS else 30)


def _outbox_rows(f: DashboardFilter, params: dict):
    state = params.get("state") if params.get("state") in sel.OUTBOX_STATES else "pending"
    return sel.outbox_messages(f, state)


def _retraining_rows(f: DashboardFilter, params: dict):
    category = params.get("category") or None
    return [a for _cat, attempts in sel.retraining(f, category) for a in attempts]


def _permits_title(params: dict) -> str:
    windows = {
        "live": _("Live permits"),
        "period": _("Permits planned in the period"),
        "month": _("Permits this month"),
    }
    title = windows.get(params.get("window"), windows["live"])
    if params.get("kind") in Kind.values:
        title += f" · {Kind(params['kind']).label}"
    if params.get("level") and params["level"] in Level.values:
        title += f" · {Level(params['level']).label}"
    return title


LISTS: dict[str, ListSpec] = {
    "on_site": ListSpec(
        lambda p: _("People on site now"),
        lambda f, p: sel.on_site_events(f),
        EVENT_COLUMNS,
    ),
    "new_entries": ListSpec(
        lambda p: _("First entries in the period"),
        lambda f, p: sel.new_entry_events(f).select_related("gate", "site", "organization"),
        EVENT_COLUMNS,
    ),
    "noncompliant_on_site": ListSpec(
        lambda p: _("Special-operations workers on site who are not compliant"),
        _noncompliant(sel.noncompliant_on_site),
        REASON_COLUMNS,
        _add_reasons,
    ),
    "noncompliant": ListSpec(
        lambda p: _("Special-operations workers who are not compliant"),
        _noncompliant(sel.noncompliant_workers),
        REASON_COLUMNS,
        _add_reasons,
    ),
    "certificates": ListSpec(_status_title, _status_rows, CERTIFICATE_COLUMNS),
    "expiring": ListSpec(
        lambda p: _("Expiring within %(days)s days") % {"days": _int(p, "days", 30)},
        _expiring_rows,
        CERTIFICATE_COLUMNS,
    ),
    "review_due": ListSpec(
        lambda p: _("Reviews (复审) due"),
        lambda f, p: _with_status(_certificates(sel.review_due(f)), f.on).order_by(
            "next_review_due", "id"
        ),
        CERTIFICATE_COLUMNS,
    ),
    "renewing": ListSpec(
        lambda p: _("Being renewed (换证中)"),
        _renewing_rows,
        (
            *CERTIFICATE_COLUMNS,
            Column(gettext_lazy("Renewing since"), lambda c: c.manual_state_on or ""),
        ),
    ),
    "retraining": ListSpec(
        lambda p: (
            _("Briefing refresher due (待复训)")
            + (f" · {p['category']}" if p.get("category") else "")
        ),
        _retraining_rows,
        RETRAINING_COLUMNS,
    ),
    "permits": ListSpec(_permits_title, _permit_rows, PERMIT_COLUMNS),
    "denials": ListSpec(
        lambda p: (
            _("Gate denials") + (f" · {reason_label(p['reason'])}" if p.get("reason") else "")
        ),
        lambda f, p: sel.denials_with_reason(f, p["reason"]) if p.get("reason") else sel.denials(f),
        DENIAL_COLUMNS,
    ),
    "outbox": ListSpec(
        lambda p: _("Messages") + f" · {p.get('state', 'pending')}",
        _outbox_rows,
        MESSAGE_COLUMNS,
    ),
    "workers": ListSpec(_workers_title, _workers_rows, PERSON_COLUMNS),
    "near_retirement": ListSpec(
        lambda p: _("At or near the statutory retirement age"),
        lambda f, p: _people(dist.near_retirement(f)),
        (
            *PERSON_COLUMNS,
            Column(gettext_lazy("Birth date"), lambda p: p.birth_date),
        ),
    ),
    "expiry_month": ListSpec(
        lambda p: _("Certificates expiring in %(month)s") % {"month": p.get("month", "")},
        _expiry_month_rows,
        CERTIFICATE_COLUMNS,
    ),
}
