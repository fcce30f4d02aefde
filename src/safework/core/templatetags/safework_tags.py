"""Bootstrap rendering of form fields, so every form shows its errors next to the field."""

from django import forms, template

register = template.Library()

_CHOICE_LISTS = (forms.CheckboxSelectMultiple, forms.RadioSelect)


def _kind(widget) -> str:
    if isinstance(widget, _CHOICE_LISTS):
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


_CLASSES = {
    "choices": "form-check-input",
    "checkbox": "form-check-input",
    "select": "form-select",
    "input": "form-control",
}


@register.inclusion_tag("includes/field.html")
def bs_field(field, label: bool = True):
    """``{% bs_field form.name %}``: label, widget with Bootstrap classes, help, errors."""
    kind = _kind(field.field.widget)
    css = _CLASSES[kind] + (" is-invalid" if field.errors else "")
    if kind == "choices":
        field.field.widget.attrs["class"] = css
        widget = None
    else:
        widget = field.as_widget(attrs={"class": css})
    return {"field": field, "kind": kind, "widget": widget, "show_label": label}


@register.simple_tag(takes_context=True)
def nav_active(context, namespace: str, *url_names: str) -> str:
    """``active`` when the current page is in ``namespace`` (and one of ``url_names``)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None or match.namespace != namespace:
        return ""
    return "active" if not url_names or match.url_name in url_names else ""
