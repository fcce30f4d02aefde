"""The dashboard's filter form (site, organization, date range) and the forms of the
self-check sign-off, the emergency plan and the report recipients."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.access import organizations_visible, sites_visible
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.forms import DateField, style_filter_widgets
from safework.core.models import Organization, Site

from .choices import ReportPeriod
from .filters import MAX_RANGE_DAYS, DashboardFilter


class FilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All organizations"),
    )
    date_from = DateField(label=_("From"), required=False)
    date_to = DateField(label=_("To"), required=False)

    def __init__(self, data=None, *, actor: Actor, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None:  # the short names of the list links
            for short, name in (("from", "date_from"), ("to", "date_to")):
                if short in data and name not in data:
                    data[name] = data[short]
        super().__init__(data, **kwargs)
        self.actor = actor
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)
        self.fields["organization"].queryset = organizations_visible(
            Organization.objects.filter(is_active=True), actor
        )
        style_filter_widgets(self)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date must not be before the start date."))
        elif first and last and (last - first).days >= MAX_RANGE_DAYS:
            self.add_error("date_to", _("Choose at most one year."))
        return data

    def dashboard_filter(self, **overrides) -> DashboardFilter:
        """The filter; fields with errors fall back to their defaults (today, all)."""
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        on = today()
        last = data.get("date_to") or on
        first = data.get("date_from") or (last if data.get("date_to") else on)
        if first > last or (last - first).days >= MAX_RANGE_DAYS:
            first, last = on, on
        values = {
            "date_from": first,
            "date_to": last,
            "site_id": data["site"].pk if data.get("site") else None,
            "organization_id": data["organization"].pk if data.get("organization") else None,
            **overrides,
        }
        return DashboardFilter(actor=self.actor, **values)


class RunForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)
        if not self.is_bound:
            self.initial["month"] = (today().replace(day=1) - timedelta(days=1)).replace(day=1)


class SignForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class EmergencyPlanForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=50, required=False)
    covers_special_operations = forms.BooleanField(
        label=_("Covers special-operations incidents"), required=False
    )
    scope_note = forms.CharField(
        label=_("What it covers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reviewed_on = DateField(label=_("Last reviewed on"))
    next_review_due = DateField(label=_("Next review due"))
    contact_email = forms.EmailField(label=_("Reminder email"))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)


class SubscriptionForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    period = forms.ChoiceField(label=_("Period"), choices=ReportPeriod.choices)
    email = forms.EmailField(label=_("Email"))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)
