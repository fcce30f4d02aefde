"""Page forms of gate access: they parse input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.forms import DateField, style_filter_widgets
from safework.core.models import Organization, Site

from .choices import CardLayout, Decision, Direction, GateDirection


class GateForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("What the controller sends, e.g. n-1."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    area = forms.ModelChoiceField(label=_("Work area"), queryset=None)
    direction = forms.ChoiceField(label=_("Direction"), choices=GateDirection.choices)
    is_active = forms.BooleanField(label=_("Gate in use"), required=False, initial=True)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class PolicyForm(forms.Form):
    requires_qualification = forms.BooleanField(
        label=_("Requires valid certificates for all of the person's own special operations"),
        required=False,
    )


class AuthorizationForm(forms.Form):
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=30,
        help_text=_("ID number or person id; leave empty to authorise an organization."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), required=False
    )
    valid_from = DateField(label=_("Valid from"), required=False)
    valid_until = DateField(label=_("Valid until"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class EventFilterForm(forms.Form):
    date_from = DateField(label=_("From"), required=False)
    date_to = DateField(label=_("To"), required=False)
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )
    gate = forms.ModelChoiceField(
        label=_("Gate"), queryset=None, required=False, empty_label=_("All gates")
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", _("Any decision")), *Decision.choices], required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("", _("Entries and exits")), *Direction.choices],
        required=False,
    )
    q = forms.CharField(label=_("Name"), max_length=100, required=False)

    def __init__(self, *args, sites, gates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["gate"].queryset = gates
        style_filter_widgets(self)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "site_id": data["site"].pk if data.get("site") else None,
            "gate_id": data["gate"].pk if data.get("gate") else None,
            "decision": data.get("decision") or "",
            "direction": data.get("direction") or "",
            "q": data.get("q") or "",
        }


class PrintForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    layout = forms.ChoiceField(
        label=_("Layout"), choices=CardLayout.choices, initial=CardLayout.EIGHT
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    organization = forms.ModelChoiceField(
        label=_("Only people of"),
        queryset=Organization.objects.filter(is_active=True),
        required=False,
        empty_label=_("Everyone"),
    )
