from django import template

from safework.certificates.reasons import reason_label
from safework.core.clock import today

from ..choices import ItemStatus
from ..models import ContractorWorker
from ..selectors import worker_reasons

register = template.Library()

ITEM_BADGES = {
    ItemStatus.OK: "text-bg-success",
    ItemStatus.EXPIRING: "text-bg-warning",
    ItemStatus.PENDING: "text-bg-info",
    ItemStatus.MISSING: "text-bg-secondary",
    ItemStatus.REJECTED: "text-bg-danger",
    ItemStatus.EXPIRED: "text-bg-danger",
}


@register.filter
def item_badge(status: str) -> str:
    return ITEM_BADGES.get(status, "text-bg-light")


@register.filter
def item_label(status: str) -> str:
    return str(ItemStatus(status).label) if status in ItemStatus.values else status


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def reason_text(code: str) -> str:
    return reason_label(code)


@register.inclusion_tag("contractors/_admission_panel.html")
def admission_panel(person):
    """``{% admission_panel person %}`` on the person page: a contractor's admission."""
    worker = ContractorWorker.objects.filter(person=person, subject=True).first()
    if worker is None:
        return {"worker": None}
    return {"worker": worker, "reasons": worker_reasons(worker, today())}
