"""Page forms for people. The ID number is checked by the service (people.services), whose
error is shown next to the field; the form keeps everything else that was entered."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safework.certificates.choices import Status
from safework.certificates.forms import catalogue_groups
from safework.core.access import organizations_visible, sites_visible
from safework.core.actors import Actor
from safework.core.forms import style_filter_widgets
from safework.core.models import Organization, Site

from .choices import EmploymentState
from .models import Person
from .selectors import UNQUALIFIED


def _organizations(actor: Actor, keep: int | None = None):
    active = Q(is_active=True) | Q(pk=keep) if keep else Q(is_active=True)
    return organizations_visible(Organization.objects.filter(active), actor)


def _sites(actor: Actor, keep: list[int] = ()):
    return sites_visible(Site.objects.filter(Q(is_active=True) | Q(pk__in=list(keep))), actor)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        help_text=_("18 characters; the check digit is verified. Birth date and sex come from it."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects)
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    special_operations = forms.MultipleChoiceField(
        label=_("Special operations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The operation items this person is employed to perform."),
    )
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, actor: Actor, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["organization"].queryset = _organizations(
            actor, person.organization_id if person else None
        )
        kept_sites = [s.pk for s in person.sites.all()] if person else []
        self.fields["sites"].queryset = _sites(actor, kept_sites)
        self.fields["special_operations"].choices = catalogue_groups()
        if person is not None:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = gettext(
                "Registered: %(masked)s. Leave empty to keep it; enter the full number to change it."
            ) % {"masked": person.id_number_masked}

    def operation_groups(self) -> list[tuple[str, list]]:
        """The special-operation checkboxes grouped by MEM category / SAMR kind."""
        bound = self["special_operations"]
        bound.field.widget.attrs["class"] = "form-check-input"
        widgets = {w.data["value"]: w for w in bound.subwidgets}
        return [
            (label, [widgets[code] for code, _label in items])
            for label, items in self.fields["special_operations"].choices
        ]

    def service_data(self) -> dict:
        """Keyword arguments for person_create / person_update; an empty ID number on the
        edit form means "unchanged"."""
        data = dict(self.cleaned_data)
        if self.person is not None and not data["id_number"].strip():
            del data["id_number"]
        return data

    @staticmethod
    def initial_for(person: Person) -> dict:
        fields = ("name", "phone", "organization", "job_title", "note")
        return {
            **{f: getattr(person, f) for f in fields},
            "sites": list(person.sites.all()),
            "special_operations": [t.code for t in person.special_operations.all()],
        }


STATUS_CHOICES = [
    ("", _("Any certificate status")),
    (UNQUALIFIED, _("Not qualified for an assigned operation")),
    *[(s.value, s.label) for s in Status if s != Status.SUPERSEDED],
]


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All organizations"),
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("All sites")
    )
    operation = forms.ChoiceField(label=_("Operation item"), choices=(), required=False)
    status = forms.ChoiceField(
        label=_("Certificate status"), choices=STATUS_CHOICES, required=False
    )
    state = forms.ChoiceField(
        label=_("Employment state"),
        choices=[("", _("Any employment state")), *EmploymentState.choices],
        required=False,
    )

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_visible(
            Organization.objects.all(), actor
        )
        self.fields["site"].queryset = sites_visible(Site.objects.all(), actor)
        self.fields["operation"].choices = [("", gettext("All items")), *catalogue_groups()]
        style_filter_widgets(self)

    def filters(self) -> dict:
        """Keyword arguments for people.selectors.person_list; invalid values are ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "organization_id": data["organization"].pk if data.get("organization") else None,
            "site_id": data["site"].pk if data.get("site") else None,
            "item_code": data.get("operation") or "",
            "status": data.get("status") or "",
            "employment_state": data.get("state") or "",
        }


class PersonStateForm(forms.Form):
    error_aliases = {"employment_state": "state"}

    state = forms.ChoiceField(
        label=_("Employment state"), choices=EmploymentState.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Required for blacklisting; recorded in the audit trail."),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Face photo"),
        help_text=_("A recent front-facing photo (JPEG or PNG); it is re-encoded on upload."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "class": "form-control"}
        ),
    )
