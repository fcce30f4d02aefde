"""ECharts options for the dashboard's charts, built from the selectors' figures (pure:
no queries). Each data point carries ``link``, the list behind it, which the page opens
on a click (static/safework/dashboard.js)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from safework.certificates.choices import Status
from safework.certificates.reasons import reason_label
from safework.permits.choices import Kind, Level

from .filters import DashboardFilter

STATUS_COLOURS = {
    Status.VALID: "#198754",
    Status.EXPIRING: "#ffc107",
    Status.REVIEW_OVERDUE: "#fd7e14",
    Status.EXPIRED: "#dc3545",
    Status.RENEWING: "#0dcaf0",
    Status.SUSPENDED: "#6c757d",
    Status.REVOKED: "#212529",
}


def list_link(f: DashboardFilter, name: str, **params) -> str:
    return f"{reverse('dashboard:list', args=[name])}?{f.query(**params)}"


def _bar(categories: list[str], values: list[dict], *, horizontal: bool = False) -> dict:
    axis_cat = {"type": "category", "data": categories, "axisLabel": {"interval": 0}}
    axis_val = {"type": "value", "minInterval": 1}
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": axis_val if horizontal else {**axis_cat, "axisLabel": {"rotate": 30}},
        "yAxis": axis_cat if horizontal else axis_val,
        "series": [{"type": "bar", "data": values}],
    }


def certificate_status_pie(f: DashboardFilter, counts: dict[str, int]) -> dict:
    data = [
        {
            "name": str(Status(s).label),
            "value": n,
            "link": list_link(f, "certificates", status=s),
            "itemStyle": {"color": STATUS_COLOURS[s]},
        }
        for s, n in counts.items()
    ]
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"type": "pie", "radius": ["40%", "70%"], "data": data}],
    }


def permits_bar(f: DashboardFilter, rows: list[dict], window: str) -> dict:
    kinds, levels = dict(Kind.choices), dict(Level.choices)
    labels, values = [], []
    for r in rows:
        label = str(kinds[r["kind"]]) + (f" · {levels[r['level']]}" if r["level"] else "")
        labels.append(label)
        link = list_link(f, "permits", window=window, kind=r["kind"], level=r["level"] or "")
        values.append({"value": r["n"], "link": link})
    return _bar(labels, values, horizontal=True)


def denials_bar(f: DashboardFilter, counts: dict[str, int]) -> dict:
    labels = [reason_label(r) for r in counts]
    values = [{"value": n, "link": list_link(f, "denials", reason=r)} for r, n in counts.items()]
    return _bar(labels, values, horizontal=True)


def retraining_bar(f: DashboardFilter, counts: dict[str, int]) -> dict:
    values = [
        {"value": n, "link": list_link(f, "retraining", category=c)} for c, n in counts.items()
    ]
    return _bar(list(counts), values, horizontal=True)


def items_bar(f: DashboardFilter, rows: list[dict]) -> dict:
    labels = [f"{r['name']}({r['code']})" for r in rows]
    values = [{"value": r["n"], "link": list_link(f, "workers", item=r["code"])} for r in rows]
    return _bar(labels, values, horizontal=True)


def categories_pie(f: DashboardFilter, rows: list[dict]) -> dict:
    data = [
        {
            "name": r["category"],
            "value": r["n"],
            "link": list_link(f, "workers", category=r["category"]),
        }
        for r in rows
    ]
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"type": "pie", "radius": "65%", "data": data}],
    }


def organizations_bar(f: DashboardFilter, rows: list[dict]) -> dict:
    values = [
        {"value": r["n"], "link": list_link(f.but(organization_id=r["id"]), "workers")}
        for r in rows
    ]
    return _bar([r["name"] for r in rows], values, horizontal=True)


def ages_bar(f: DashboardFilter, rows: list[dict]) -> dict:
    values = [{"value": r["n"], "link": list_link(f, "workers", age=i)} for i, r in enumerate(rows)]
    return _bar([r["band"] for r in rows], values)


def expiry_bar(f: DashboardFilter, rows: list[dict]) -> dict:
    labels = [f"{r['month']:%Y-%m}" for r in rows]
    values = [
        {"value": r["n"], "link": list_link(f, "expiry_month", month=f"{r['month']:%Y-%m}")}
        for r in rows
    ]
    return _bar(labels, values)


def history_line(f: DashboardFilter, rows: list[dict]) -> dict:
    def pct(rate):
        return None if rate.rate is None else round(rate.rate * 100, 1)

    return {
        "tooltip": {"trigger": "axis", "valueFormatter": "percent"},
        "legend": {"bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{r['on']:%m-%d}" for r in rows]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": _("Register"),
                "type": "line",
                "data": [pct(r["register"]) for r in rows],
            },
            {
                "name": _("On site"),
                "type": "line",
                "data": [pct(r["on_site"]) for r in rows],
            },
        ],
    }
