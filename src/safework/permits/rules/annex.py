"""Annex A of GB 30871-2022: the fields each kind of permit carries beyond the common
ones, and its safety-measure checklist (each item answered "applies?" and "confirmed by").
Data, not code: the form and the PDF are built from it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..choices import Kind


@dataclass(frozen=True)
class Field:
    name: str
    label: object
    type: str = "text"  # text | number | bool | choice
    required: bool = False


COMMON_HAZARD = _("Hazards identified")

FIELDS: dict[str, tuple[Field, ...]] = {
    Kind.HOT_WORK: (
        Field("method", _("Hot-work method (welding, cutting, grinding…)"), required=True),
        Field("fire_explosion_zone", _("In a fire/explosion hazard zone"), "bool"),
        Field("running_unit", _("On a running unit, pipe, tank or vessel"), "bool"),
        Field("tank_farm_dike", _("Inside the dike of a major-hazard tank farm"), "bool"),
        Field("pipe_rack", _("On a pipe rack"), "bool"),
        Field("shut_down_and_isolated", _("Unit shut down, purged, tested and isolated"), "bool"),
        Field("wind_force", _("Wind force (Beaufort)"), "number"),
        Field("video", _("Video recording (camera or file reference; special class)")),
    ),
    Kind.CONFINED_SPACE: (
        Field("space_name", _("Confined space name"), required=True),
        Field("medium", _("Original medium in the space"), required=True),
    ),
    Kind.BLIND_PLATE: (
        Field("pipeline", _("Pipeline / equipment"), required=True),
        Field("medium", _("Medium, temperature, pressure"), required=True),
        Field("plate_material", _("Blind plate material and size"), required=True),
        Field("plate_no", _("Blind plate number"), required=True),
        Field("operation", _("Insertion or removal"), required=True),
    ),
    Kind.HEIGHT: (
        Field("height_m", _("Work height (m)"), "number", required=True),
        Field("hazards", _("Objective hazards (GB 30871 8.1.2)"), "choice"),
    ),
    Kind.LIFTING: (
        Field("mass_t", _("Mass of the load (t)"), "number", required=True),
        Field("crane", _("Crane and its capacity"), required=True),
        Field("lifting_plan", _("Lifting plan reference"), "text"),
    ),
    Kind.TEMP_POWER: (
        Field("power_source", _("Power source connection point"), required=True),
        Field("voltage", _("Working voltage"), required=True),
        Field("equipment_power", _("Equipment and its power (kW)"), required=True),
        Field("fire_explosion_zone", _("In a fire/explosion hazard zone"), "bool"),
        Field("special", _("Special case: up to 30 days"), "bool"),
    ),
    Kind.EXCAVATION: (
        Field("depth_m", _("Depth (m)"), "number", required=True),
        Field("extent", _("Extent and method (drawing reference)"), required=True),
    ),
    Kind.ROAD_CLOSURE: (
        Field("road", _("Road section closed"), required=True),
        Field("reason", _("Reason and method of closure"), required=True),
        Field("detour", _("Detour and signs"), required=True),
    ),
}

_COMMON = (
    _("Personnel have received the safety briefing (安全交底)"),
    _("Personal protective equipment is provided and worn"),
)

MEASURES: dict[str, tuple] = {
    Kind.HOT_WORK: (
        _("Equipment and pipes are isolated with blind plates or disconnected"),
        _("Equipment is emptied, purged, cleaned and the gas analysis passed"),
        _("Combustibles within 15 m are removed; drains and trenches are covered"),
        _("Fire extinguishers and fire blankets are in place"),
        _("Gas cylinders are ≥ 5 m apart and ≥ 10 m from the hot work"),
        _("Work at height: sparks are caught by fire-proof measures"),
    ),
    Kind.CONFINED_SPACE: (
        _("Materials are isolated with blind plates or disconnected, and locked out"),
        _("Stirrers and power are cut off and tagged"),
        _("The space is ventilated; pure oxygen is never used for ventilation"),
        _("Breathing apparatus, rescue rope and rescue equipment are at the entrance"),
        _("Safety-voltage lighting (≤ 12 V in wet spaces) is used"),
        _("People and tools going in and out are logged by the guardian"),
    ),
    Kind.BLIND_PLATE: (
        _("Pressure is released and the medium drained before work"),
        _("Explosion-proof tools are used in flammable areas"),
        _("Blind plate position is marked on the drawing and tagged on site"),
        _("Toxic media: breathing apparatus is worn"),
    ),
    Kind.HEIGHT: (
        _("Full-body harness is worn and anchored high"),
        _("Scaffolding or platform is inspected and tagged"),
        _("Tools and materials are secured against falling"),
        _("The area below is fenced off"),
    ),
    Kind.LIFTING: (
        _("The lifting plan is approved (class 1 and 2)"),
        _("The crane, slings and hooks are inspected"),
        _("The lifting zone is fenced off and watched"),
        _("Overhead power lines are kept at a safe distance"),
    ),
    Kind.TEMP_POWER: (
        _("Installation is by a certified electrician"),
        _("Residual-current device is installed and tested"),
        _("Cables are intact and laid or hung safely"),
        _("Explosion-proof equipment is used in hazardous zones"),
    ),
    Kind.EXCAVATION: (
        _("Underground cables, pipes and structures are identified with their owners"),
        _("Slopes are shored or benched"),
        _("Spoil is kept ≥ 1 m from the edge"),
        _("Fences, signs and night warning lights are set up"),
    ),
    Kind.ROAD_CLOSURE: (
        _("Closure signs and barriers are set up at both ends"),
        _("Fire, ambulance and gas-protection services are informed"),
        _("Night warning lights are on"),
    ),
}


def checklist(kind: str) -> tuple:
    return (*MEASURES[kind], *_COMMON)


def field_names(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in FIELDS[kind])


def detail_rows(kind: str, details: dict) -> list[tuple[str, str]]:
    """The kind's own fields of a permit as (label, value) to show, in annex order: yes/no
    for a check box, the clause's wording for each objective hazard, "—" when empty. A
    stored key the annex no longer has is shown under its own name rather than hidden."""
    from .levels import HEIGHT_HAZARDS

    def shown(value) -> str:
        if value is True:
            return str(_("Yes"))
        if value is False:
            return str(_("No"))
        if isinstance(value, list):
            return "、".join(HEIGHT_HAZARDS.get(v, str(v)) for v in value) or "—"
        return "—" if value in (None, "") else str(value)

    details = details or {}
    known = FIELDS[kind]
    rows = [(str(f.label), shown(details.get(f.name))) for f in known]
    names = {f.name for f in known}
    return rows + [(k, shown(v)) for k, v in details.items() if k not in names]
