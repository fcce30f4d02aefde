from django import template

from safework.alerts.selectors import unread_count

register = template.Library()


@register.inclusion_tag("alerts/_bell.html", takes_context=True)
def alerts_bell(context):
    """The navbar bell: the user's unread notifications (issue 4)."""
    user = getattr(context.get("request"), "user", None)
    count = unread_count(user=user) if user is not None and user.is_authenticated else 0
    return {"count": count}


@register.simple_tag
def state_class(state: str) -> str:
    return {"sent": "success", "pending": "secondary", "failed": "warning", "dead": "danger"}.get(
        state, "secondary"
    )
