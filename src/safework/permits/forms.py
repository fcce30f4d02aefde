"""Forms of the permit pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from safework.core.access import organizations_visible, people_visible, sites_visible
from safework.core.models import Organization, WorkArea

from .choices import ActivityKind, JsaLevel, Kind, Status, WorkerRole
from .rules import annex
from .rules.levels import HEIGHT_HAZARDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _people(actor):
    from safework.people.models import Person

    return people_visible(Person.objects.filter(employment_state="active"), actor).order_by("name")


class PermitForm(forms.Form):
    work_area = forms.ModelChoiceField(WorkArea.objects.none(), label=_("Work area"))
    applicant_org = forms.ModelChoiceField(Organization.objects.none(), label=_("Applicant unit"))
    performing_org = forms.ModelChoiceField(Organization.objects.none(), label=_("Performing unit"))
    person_in_charge = forms.ModelChoiceField(None, label=_("Person in charge"))
    content = forms.CharField(label=_("Work content"), widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Place"), max_length=300)
    hazards = forms.CharField(
        label=_("Hazards identified"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    planned_start = forms.DateTimeField(label=_("Planned start"), widget=DATETIME)
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=DATETIME)

    def __init__(self, *args, actor, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        sites = sites_visible(_sites(), actor)
        self.fields["work_area"].queryset = WorkArea.objects.filter(site__in=sites, is_active=True)
        orgs = Organization.objects.filter(is_active=True)
        orgs = orgs if actor.sees_everything else organizations_visible(orgs, actor)
        self.fields["applicant_org"].queryset = orgs
        self.fields["performing_org"].queryset = orgs
        self.fields["person_in_charge"].queryset = _people(actor)
        for field in annex.FIELDS[kind]:
            self.fields[f"d_{field.name}"] = _detail_field(field)
        self.fields.update(PositionForm(kind=kind).fields)

    def details(self) -> dict:
        return {f.name: self.cleaned_data.get(f"d_{f.name}") for f in annex.FIELDS[self.kind]}

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("d_")}
        return {**data, "details": self.details()}


def _sites():
    from safework.core.models import Site

    return Site.objects.filter(is_active=True)


def _detail_field(field):
    if field.type == "bool":
        return forms.BooleanField(label=field.label, required=False)
    if field.type == "number":
        return forms.FloatField(label=field.label, required=field.required)
    if field.type == "choice":
        return forms.MultipleChoiceField(
            label=field.label, required=False, choices=list(HEIGHT_HAZARDS.items()),
            widget=forms.CheckboxSelectMultiple,
        )  # fmt: skip
    return forms.CharField(label=field.label, required=field.required, max_length=300)


class JsaForm(forms.Form):
    steps = forms.CharField(
        label=_("Steps"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One step a line: step | hazards | measures"),
    )
    residual_risk = forms.CharField(label=_("Residual risk"), max_length=300)
    document = forms.FileField(label=_("Document (optional)"), required=False)

    def step_rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["steps"].splitlines():
            parts = [p.strip() for p in line.split("|")] + ["", "", ""]
            rows.append({"step": parts[0], "hazards": parts[1], "measures": parts[2]})
        return rows


class JsaSignForm(forms.Form):
    level = forms.TypedChoiceField(choices=JsaLevel.choices, coerce=int, label=_("Level"))


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(None, label=_("Person"))
    role = forms.ChoiceField(choices=WorkerRole.choices, label=_("Role"))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(actor)


class GasForm(forms.Form):
    sampled_at = forms.DateTimeField(label=_("Sampled at"), widget=DATETIME)
    sample_point = forms.CharField(label=_("Sample point"), max_length=200)
    gas_name = forms.CharField(label=_("Flammable gas"), max_length=100, required=False)
    lel_percent = forms.DecimalField(label=_("Its LEL % (v/v)"), required=False)
    result_percent = forms.DecimalField(label=_("Result % (v/v)"), required=False)
    oxygen_percent = forms.DecimalField(label=_("O₂ %"), required=False)
    toxic_gas = forms.CharField(label=_("Toxic gas"), max_length=50, required=False)
    toxic_ppm = forms.DecimalField(label=_("Toxic gas (ppm)"), required=False)
    toxic_limit_ppm = forms.DecimalField(label=_("Its limit (ppm)"), required=False)
    oxygen_enriched = forms.BooleanField(label=_("Oxygen-enriched equipment"), required=False)
    analyst = forms.CharField(label=_("Analyst"), max_length=100)
    instrument = forms.CharField(label=_("Instrument"), max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PeriodForm(forms.Form):
    planned_start = forms.DateTimeField(label=_("Planned start"), widget=DATETIME)
    planned_end = forms.DateTimeField(label=_("Planned end"), widget=DATETIME)


class BriefingForm(forms.Form):
    given_by = forms.CharField(label=_("Briefing given by"), max_length=150)


class SignInForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    id_last4 = forms.CharField(label=_("Last 4 characters of your ID number"), max_length=4,
                               min_length=4)  # fmt: skip
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)


class ListFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    site = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(required=False, choices=[("", _("All kinds")), *Kind.choices])
    status = forms.ChoiceField(required=False, choices=[("", _("All states")), *Status.choices])
    active = forms.BooleanField(required=False, label=_("Active only"))


class GeofenceForm(forms.Form):
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6)
    radius_m = forms.IntegerField(label=_("Radius (m)"), min_value=10, max_value=5000)


class GuardianTrainingForm(forms.Form):
    issued_by = forms.CharField(label=_("Trained by"), max_length=200)
    number = forms.CharField(label=_("Record number"), max_length=64, required=False)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


# --- SIMOPS and the live board --------------------------------------------------------

METRES = {"step": "0.1", "min": "0"}


def _metres(label, required=False):
    return forms.FloatField(label=label, required=required,
                            widget=forms.NumberInput(attrs=METRES))  # fmt: skip


class PositionForm(forms.Form):
    """Where the permit is on the site plan (empty: its work area's point) and, for hot
    work, the confined space or tank-farm dike it is in (GB 30871 6.7, 5.2.8)."""

    x_m = _metres(_("Position x (m)"))
    y_m = _metres(_("Position y (m)"))
    confined_space_ref = forms.CharField(label=_("Inside confined space (number)"),
                                         max_length=100, required=False)  # fmt: skip
    tank_dike_ref = forms.CharField(label=_("Inside tank-farm dike (number)"), max_length=100,
                                    required=False)  # fmt: skip

    def __init__(self, *args, kind: str = Kind.HOT_WORK, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != Kind.HOT_WORK:
            del self.fields["confined_space_ref"], self.fields["tank_dike_ref"]


class PlanForm(forms.Form):
    image = forms.FileField(label=_("Site plan image (PNG or JPEG)"), required=False)
    metres_per_px = forms.FloatField(label=_("Metres per pixel"), required=False)
    x1 = forms.FloatField(label=_("Point 1 x (px)"), required=False)
    y1 = forms.FloatField(label=_("Point 1 y (px)"), required=False)
    x2 = forms.FloatField(label=_("Point 2 x (px)"), required=False)
    y2 = forms.FloatField(label=_("Point 2 y (px)"), required=False)
    metres = forms.FloatField(label=_("Distance between the points (m)"), required=False)

    def points(self) -> tuple | None:
        names = ("x1", "y1", "x2", "y2", "metres")
        values = [self.cleaned_data.get(n) for n in names]
        if all(v is None for v in values):
            return None
        missing = [n for n, v in zip(names, values, strict=True) if v is None]
        if missing:
            from safework.core.errors import ValidationFailed

            raise ValidationFailed({missing[0]: _("Give both points and their distance.")})
        return tuple(values)


class AreaPositionForm(forms.Form):
    x_m = _metres(_("Position x (m)"), required=True)
    y_m = _metres(_("Position y (m)"), required=True)


class DistancesForm(forms.Form):
    hot_blind_m = forms.FloatField(label=_("Hot work to a blind-plate job (m, ≥ 30, 7.6)"))
    venting_m = forms.FloatField(label=_("Venting of flammable gas (m, ≥ 30, 5.2.9)"))
    draining_m = forms.FloatField(label=_("Draining of flammable liquid (m, ≥ 15, 5.2.9)"))
    cleaning_m = forms.FloatField(label=_("Cleaning, painting, dust sweeping (m, ≥ 10, 5.2.9)"))
    cross_work_m = forms.FloatField(label=_("Cross work between permits (m, ≥ 15, 4.7)"))


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Performing unit"))
    work_area = forms.ModelChoiceField(WorkArea.objects.none(), label=_("Work area"),
                                       required=False)  # fmt: skip
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    x_m = _metres(_("Position x (m)"), required=True)
    y_m = _metres(_("Position y (m)"), required=True)
    flammable = forms.BooleanField(label=_("Flammable medium (gas, liquid, solvent, dust)"),
                                   required=False)  # fmt: skip
    confined_space_ref = forms.CharField(label=_("Inside confined space (number)"),
                                         max_length=100, required=False)  # fmt: skip
    tank_dike_ref = forms.CharField(label=_("Inside tank-farm dike (number)"), max_length=100,
                                    required=False)  # fmt: skip
    pipeline_ref = forms.CharField(label=_("Pipeline"), max_length=100, required=False)

    def __init__(self, *args, actor, site, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.filter(is_active=True)
        orgs = orgs if actor.sees_everything else organizations_visible(orgs, actor)
        self.fields["organization"].queryset = orgs
        self.fields["work_area"].queryset = WorkArea.objects.filter(site=site, is_active=True)


class SignoffForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    coordinator = forms.CharField(label=_("Coordinator"), max_length=150)
    note = forms.CharField(label=_("Arrangements agreed"), max_length=300)


class BoardLinkForm(forms.Form):
    label = forms.CharField(label=_("Where the screen is"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), initial=30)
