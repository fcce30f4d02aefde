"""Page forms for certificates. They parse input; the services check the rules and their
``ValidationFailed`` errors are shown next to the fields (``error_aliases`` maps a
service's field name to the form's)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safework.core.forms import DateField, style_filter_widgets
from safework.core.models import Organization

from .choices import IssuingSystem, RevocationKind, Status
from .models import Certificate
from .selectors import catalogue_list
from .templatetags.certificate_tags import cert_number, is_id_like


def catalogue_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue as grouped choices: one group per MEM category / SAMR kind."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for ctype in catalogue_list():
        items = groups.setdefault(_group_label(ctype), [])
        items.append((ctype.code, f"{ctype.code} {ctype.name}"))
    return list(groups.items())


def _group_label(ctype) -> str:
    if ctype.system == IssuingSystem.MEM:
        system = gettext("Special operation")
        return f"{system} · {ctype.category_code} {ctype.category_name}"
    system = gettext("Special equipment")
    return f"{system} · {ctype.category_name}"


def _with_blank(groups: list, label: str) -> list:
    return [("", label), *groups]


class CertificateForm(forms.Form):
    """Add or edit a certificate. Field names are the model's (``type`` is the item code)."""

    error_aliases = {"type_code": "type"}

    type = forms.ChoiceField(label=_("Operation item"), choices=())
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=64,
        help_text=_("New-style MEM certificates carry the holder's ID number."),
    )
    issued_by = forms.CharField(label=_("Issuing authority"), max_length=200)
    first_issued_on = DateField(label=_("First issued on"))
    valid_from = DateField(label=_("Valid from"))
    valid_until = DateField(label=_("Valid until"))
    next_review_due = DateField(
        label=_("Next review due"),
        required=False,
        help_text=_("Leave empty to compute it from the catalogue's review interval."),
    )
    scope_note = forms.CharField(
        label=_("Scope"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. 桥式 for a crane driver, or the welder's item code."),
    )
    review_extended = forms.BooleanField(
        label=_("Review interval extended to 6 years"),
        required=False,
        help_text=_("10 or more years in the item without violations (第二十一条)."),
    )
    review_extended_by = forms.CharField(
        label=_("Extension approved by"), max_length=100, required=False
    )

    def __init__(self, *args, certificate: Certificate | None = None, **kwargs):
        if certificate is not None:
            kwargs.setdefault("initial", _initial_for(certificate))
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = _with_blank(catalogue_groups(), gettext("Choose…"))
        self.keeps_number = certificate is not None and (
            certificate.number_is_id_number or is_id_like(certificate.number)
        )
        if self.keeps_number:
            _keep_number_field(self.fields["number"], certificate.number)

    def service_data(self) -> dict:
        """Keyword arguments for certificate_create / certificate_update; an empty number
        on the edit form of an ID-like number means "unchanged"."""
        data = dict(self.cleaned_data)
        data["type_code"] = data.pop("type")
        if self.keeps_number and not data["number"].strip():
            del data["number"]
        return data


def _initial_for(cert: Certificate) -> dict:
    fields = ("issued_by", "first_issued_on", "valid_from", "valid_until", "next_review_due")
    extra = ("scope_note", "review_extended", "review_extended_by")
    initial = {"type": cert.type.code, **{f: getattr(cert, f) for f in (*fields, *extra)}}
    if not (cert.number_is_id_number or is_id_like(cert.number)):
        initial["number"] = cert.number
    return initial


def _keep_number_field(field: forms.Field, number: str) -> None:
    """An ID-like number is never put into the page (PIPL): empty keeps it."""
    field.required = False
    field.help_text = gettext(
        "Registered: %(masked)s. Leave empty to keep it; enter the full number to change it."
    ) % {"masked": cert_number(number)}


class ReplaceForm(forms.Form):
    """The new certificate issued after renewal or 延期复审 (第二十四条). Left empty, the
    number stays the old one: new-style numbers are the holder's ID number."""

    number = forms.CharField(label=_("New certificate number"), max_length=64, required=False)
    issued_by = forms.CharField(label=_("Issuing authority"), max_length=200)
    first_issued_on = DateField(label=_("First issued on"))
    valid_from = DateField(label=_("Valid from"))
    valid_until = DateField(label=_("Valid until"))
    next_review_due = DateField(
        label=_("Next review due"),
        required=False,
        help_text=_("Leave empty to compute it from the catalogue's review interval."),
    )
    scope_note = forms.CharField(label=_("Scope"), max_length=200, required=False)

    def __init__(self, *args, old: Certificate, **kwargs):
        initial = {f: getattr(old, f) for f in ("issued_by", "first_issued_on", "scope_note")}
        super().__init__(*args, initial=initial, **kwargs)
        self.old = old
        self.fields["number"].help_text = gettext(
            "Current number: %(number)s. Leave empty when the new certificate keeps it "
            "(new-style certificates carry the holder's ID number)."
        ) % {"number": cert_number(old.number)}

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["number"] = data["number"].strip() or self.old.number
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput())


class RevokeForm(ReasonForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=RevocationKind.choices,
        widget=forms.RadioSelect,
        initial=RevocationKind.REVOKED,
    )


class ReviewForm(forms.Form):
    """复审 passed (第二十一条)."""

    reviewed_on = DateField(label=_("Reviewed on"))
    authority = forms.CharField(label=_("Reviewed by (authority)"), max_length=200, required=False)
    next_due = DateField(
        label=_("Next review due"),
        required=False,
        help_text=_("Leave empty to move it by the review interval."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


STATUS_FILTER_CHOICES = [("", _("All statuses")), *Status.choices]


class CertificateFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    within_days = forms.IntegerField(
        label=_("Due within (days)"), min_value=0, max_value=3650, required=False
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All organizations"),
    )
    type = forms.ChoiceField(label=_("Operation item"), choices=(), required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
        self.fields["type"].choices = _with_blank(catalogue_groups(), gettext("All items"))
        style_filter_widgets(self)

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        org = data.get("organization")
        return {
            "status": data.get("status") or "",
            "within_days": data.get("within_days"),
            "organization_id": org.pk if org else None,
            "type_code": data.get("type") or "",
        }
