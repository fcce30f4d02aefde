"""Page forms of the approval engine: parse input only (rules are in services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.choices import OrganizationKind, Role
from safework.core.models import Organization

from .choices import StepMode


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), max_length=500, widget=forms.Textarea({"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class ChainForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=50)
    subject_kind = forms.CharField(
        label=_("Used for"),
        max_length=50,
        help_text=_("contractors.admission for contractor admissions; permits use their own."),
    )


class PartyForm(forms.Form):
    label = forms.CharField(label=_("Party"), max_length=100, help_text=_("E.g. 监理, 总包安全员."))
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.exclude(kind=OrganizationKind.CONTRACTOR),
        required=False,
    )
    subject_organization = forms.BooleanField(
        label=_("The applicant's own organization"), required=False
    )


class StepForm(PartyForm):
    name = forms.CharField(label=_("Step name"), max_length=100)
    mode = forms.ChoiceField(label=_("Mode"), choices=StepMode.choices)

    field_order = ["name", "mode", "label", "role", "organization", "subject_organization"]
