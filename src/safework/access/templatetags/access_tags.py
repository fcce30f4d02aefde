from django import template

from safework.access.selectors import badge_of

register = template.Library()


@register.inclusion_tag("access/_badge_panel.html", takes_context=True)
def badge_panel(context, person):
    """``{% badge_panel person %}``: the person's QR badge, print and revoke/reissue."""
    return {
        "person": person,
        "badge": badge_of(person),
        "actor_can_write": context.get("actor_can_write"),
        "csrf_token": context.get("csrf_token"),
    }
