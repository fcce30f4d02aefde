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


@register.simple_tag(takes_context=True)
def brief_link(context, course=None) -> str:
    """The absolute link workers open on their phone (to one course, when given)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    url = context["request"].build_absolute_uri(reverse("brief:signin"))
    if course is not None:
        url += "?" + urlencode({"next": reverse("brief:course", args=[course.pk])})
    return url


@register.simple_tag
def qr_svg(text: str):
    """An inline SVG QR code (segno, generated here: no external service)."""
    import segno
    from django.utils.safestring import mark_safe

    return mark_safe(segno.make(text, error="m").svg_inline(scale=4, dark="#212529"))  # noqa: S308
