"""Page forms of the contractors app: parse input only; the rules are in the services,
whose field errors come back onto these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.access import sites_visible
from safework.core.forms import DateField
from safework.core.models import Organization, Site
from safework.people.forms import PersonForm

from .choices import CONTRACTOR_KINDS, Direction, DocumentKind, QuestionKind, WorkerKind


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Registered company name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30,
        help_text=_("18 characters; the check character is verified."),
    )  # fmt: skip
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=100, required=False
    )
    safety_officer = forms.CharField(label=_("Safety officer"), max_length=100, required=False)
    safety_officer_phone = forms.CharField(
        label=_("Safety officer's phone"), max_length=20, required=False
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    business_scope = forms.CharField(
        label=_("Business scope"), required=False, widget=forms.Textarea({"rows": 2})
    )


class AdminAccountForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    email = forms.EmailField(label=_("Email"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Contractor"), required=False,
        queryset=Organization.objects.filter(kind__in=CONTRACTOR_KINDS, is_active=True),
        help_text=_("Empty: the admin registers the company at first sign-in."),
    )  # fmt: skip


class WorkerForm(PersonForm):
    """The register's person form plus the kind of worker."""

    worker_kind = forms.ChoiceField(label=_("Kind of worker"), choices=WorkerKind.choices)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        field = self.fields["organization"]
        field.queryset = field.queryset.filter(kind__in=CONTRACTOR_KINDS)
        del self.fields["sites"]  # sites come with an admission (assign, then submit)

    def worker_data(self) -> dict:
        data = self.service_data()
        data.pop("sites", None)
        return data


class SiteChoiceForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)


class KindForm(forms.Form):
    worker_kind = forms.ChoiceField(label=_("Kind of worker"), choices=WorkerKind.choices)


UPLOAD_KINDS = [c for c in DocumentKind.choices if c[0] != DocumentKind.OPERATION_CERTIFICATE]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=UPLOAD_KINDS)
    name = forms.CharField(label=_("Custom item name"), max_length=100, required=False)
    file = forms.FileField(label=_("File (photo or PDF)"), required=False)
    valid_until = DateField(label=_("Valid until"), required=False)
    number = forms.CharField(label=_("Number (policy, record…)"), max_length=100, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejection"), max_length=300, required=False)


class ReleaseForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.all(), required=False,
        help_text=_("Empty: every site (the badge is revoked)."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ChecklistItemForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.filter(is_active=True))
    worker_kind = forms.ChoiceField(label=_("Kind of worker"), choices=WorkerKind.choices)
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    name = forms.CharField(label=_("Custom item name"), max_length=100, required=False)
    expires = forms.BooleanField(label=_("Has a valid-until date"), required=False)
    file_required = forms.BooleanField(label=_("A file is required"), required=False, initial=True)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.CharField(
        label=_("Category"), max_length=50, help_text=_("Work type, e.g. 动火作业, 入场通用.")
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.filter(is_active=True), required=False
    )
    worker_kind = forms.ChoiceField(
        label=_("Kind of worker"), choices=[("", "—"), *WorkerKind.choices], required=False
    )
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea({"rows": 6}))
    allow_skip = forms.BooleanField(label=_("Workers may skip ahead in the video"), required=False)
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80)
    questions_per_quiz = forms.IntegerField(
        label=_("Questions per quiz"), min_value=1, max_value=200, initial=10
    )
    max_attempts = forms.IntegerField(label=_("Attempts"), min_value=1, max_value=50, initial=3)
    retrain_months = forms.IntegerField(
        label=_("Retraining interval (months)"), min_value=1, max_value=120, initial=12
    )
    required = forms.BooleanField(
        label=_("A pass is required for admission"), required=False, initial=True
    )


class MediaForm(forms.Form):
    video = forms.FileField(label=_("Video (MP4 or WebM)"), required=False)
    slides = forms.FileField(label=_("Slides (PDF)"), required=False)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea({"rows": 2}))
    options = forms.CharField(
        label=_("Answers"), required=False, widget=forms.Textarea({"rows": 4}),
        help_text=_("One answer per line; start a correct one with *. For true/false: "
                    "write * if the statement is true."),
    )  # fmt: skip

    def choices(self) -> list[tuple[str, bool]]:
        lines = [line.strip() for line in self.cleaned_data.get("options", "").splitlines()]
        if self.cleaned_data["kind"] == QuestionKind.TRUE_FALSE:
            return [("", any(line.startswith("*") for line in lines))]
        return [(line.lstrip("*").strip(), line.startswith("*")) for line in lines if line]


class KioskForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)


class SignInForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=30)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    code = forms.CharField(label=_("SMS code"), max_length=6, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Ledger (.xlsx or .csv)"))
    organization = forms.ModelChoiceField(
        label=_("Contractor"), required=False, queryset=Organization.objects.none(),
        help_text=_("For rows without a company column; a contractor admin imports into their own."),
    )  # fmt: skip

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from safework.core.access import organizations_visible

        orgs = Organization.objects.filter(kind__in=CONTRACTOR_KINDS, is_active=True)
        self.fields["organization"].queryset = organizations_visible(orgs, actor)


class ImportCommitForm(forms.Form):
    worker_kind = forms.ChoiceField(label=_("Kind of worker"), choices=WorkerKind.choices)
    site = forms.ModelChoiceField(
        label=_("Assign to site"), queryset=Site.objects.none(), required=False,
        help_text=_("Optional: an admission to prepare for every imported worker."),
    )  # fmt: skip

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible(Site.objects.filter(is_active=True), actor)
