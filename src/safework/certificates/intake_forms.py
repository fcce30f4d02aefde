"""Page forms of issue 3: ledger upload, certificate photo upload and the confirmation
form OCR prefills, manual verification records, verification sources."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safework.core.access import organizations_visible
from safework.core.actors import Actor
from safework.core.forms import DateField
from safework.core.models import Organization

from .forms import CertificateForm
from .models import CertificateVerification


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file (.xlsx or .csv)"),
        help_text=_("At most 20 MB and 200,000 rows; every sheet with a header row is read."),
    )
    organization = forms.ModelChoiceField(
        label=_("Default organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For rows without an organization (单位) column or value."),
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible(
            Organization.objects.filter(is_active=True), actor
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class PhotoUploadForm(forms.Form):
    photos = MultipleImageField(
        label=_("Photos of the certificate"),
        help_text=_("One or more phone photos (JPEG or PNG), e.g. the front and the back."),
    )


class IntakeForm(CertificateForm):
    """The certificate form, prefilled by OCR, with the holder's name, ID number and
    organization: the holder is found by ID number, or registered."""

    field_order = ["name", "id_number", "organization", "type"]

    name = forms.CharField(label=_("Full name"), max_length=100)
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Needed only when the person is not registered yet."),
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible(
            Organization.objects.filter(is_active=True), actor
        )


class ManualVerificationForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=CertificateVerification.Result.choices, widget=forms.RadioSelect
    )
    checked_on = DateField(label=_("Checked on"))
    source = forms.CharField(
        label=_("Where it was checked"),
        max_length=100,
        initial="cx.mem.gov.cn",
        help_text=_("e.g. the national query site, or the QR code on the certificate."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    evidence = forms.FileField(
        label=_("Screenshot or photo"),
        required=False,
        help_text=_("The query result page or the QR code's page (JPEG, PNG or PDF)."),
    )


class VerificationSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    base_url = forms.URLField(label=_("Base URL"), max_length=300, assume_scheme="https")
    username = forms.CharField(label=_("User name"), max_length=100, required=False)
    secret = forms.CharField(
        label=_("Secret or API key"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to keep the stored value."),
    )
    timeout_seconds = forms.IntegerField(label=_("Timeout (seconds)"), min_value=1, max_value=120)
    requests_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=600
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("switch", "Active"), required=False, initial=True
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), max_length=300)
