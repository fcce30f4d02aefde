"""Page forms for organizations, sites and work areas, and the helpers every app's page
forms share. Forms parse input only; the rules live in the services, whose
``ValidationFailed`` errors are put back on the form fields by ``add_service_errors``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import OrganizationKind, RiskLevel
from .models import Organization, Site


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateField(forms.DateField):
    widget = DateInput


def add_service_errors(form: forms.Form, errors: dict, aliases: dict | None = None) -> None:
    """Show a service's field errors next to the fields; unknown fields as form errors."""
    aliases = {**getattr(form, "error_aliases", {}), **(aliases or {})}
    for key, message in errors.items():
        name = aliases.get(key, key)
        form.add_error(name if name in form.fields else None, str(message))


def style_filter_widgets(form: forms.Form) -> None:
    """Bootstrap classes on a filter form's widgets (rendered inline, without bs_field)."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    show_inactive = forms.BooleanField(label=_("Show deactivated"), required=False)


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("18 characters; the check character is verified."),
    )
    parent = forms.ModelChoiceField(
        label=_("Parent organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For a subcontractor: the contractor it works for."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)

    def __init__(self, *args, instance: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organization.objects.filter(is_active=True)
        if instance is not None:
            parents = parents.exclude(pk=instance.pk)
        self.fields["parent"].queryset = parents


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Short unique code of letters, digits and hyphens, e.g. north-plant."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Organization.objects.filter(is_active=True, kind=OrganizationKind.OWNER),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class WorkAreaForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.filter(is_active=True))
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Unique within the site: letters, digits and hyphens."),
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WorkAreaFilterForm(SearchForm):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("All sites"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["site"].queryset = sites
