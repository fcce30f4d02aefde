"""The dry run: what importing the parsed rows would do to the register, row by row, and
every reason it cannot. Reads only; ``commit`` carries the plan out.

The rules are the services' (certificates.services, people.services): the same date
checks, the same number rule, the same age rule, the same scoping."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from safework.core import crypto
from safework.core.access import organizations_visible, people_visible
from safework.core.actors import Actor
from safework.core.clock import today
from safework.core.idnumbers import age_on
from safework.core.models import Organization
from safework.people.models import Person
from safework.people.services import _PHONE, normalize_phone

from .. import numbers
from .. import services as cert_services
from ..choices import IssuingSystem
from ..models import Certificate
from .rows import LedgerRow, RowError

CHUNK = 1000
CERT_FIELDS = ("issued_by", "first_issued_on", "valid_from", "valid_until", "next_review_due")


@dataclass(slots=True)
class PersonPlan:
    key: str  # blind index of the ID number
    row: LedgerRow
    existing: Person | None = None
    organization: Organization | None = None
    changes: dict = field(default_factory=dict)  # field -> (before, after)
    add_types: list = field(default_factory=list)
    first_row: tuple[str, int] = ("", 0)
    pk: int | None = None  # the person's id, once written

    @property
    def action(self) -> str:
        if self.existing is None:
            return "created"
        return "updated" if self.changes or self.add_types else "unchanged"


@dataclass(slots=True)
class CertificatePlan:
    row: LedgerRow
    person: PersonPlan
    number_hash: str
    values: dict
    existing: Certificate | None = None
    changes: dict = field(default_factory=dict)
    pk: int | None = None  # the certificate's id, once written

    @property
    def action(self) -> str:
        if self.existing is None:
            return "created"
        return "updated" if self.changes else "unchanged"


@dataclass(slots=True)
class RowOutcome:
    sheet: str
    row: int
    action: str
    person: PersonPlan
    certificate: CertificatePlan | None


@dataclass
class Plan:
    people: dict[str, PersonPlan] = field(default_factory=dict)
    certificates: list[CertificatePlan] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def counts(self) -> dict:
        actions = [o.action for o in self.outcomes]
        people = [p.action for p in self.people.values()]
        certs = [c.action for c in self.certificates]
        return {
            "rows": len(self.outcomes),
            "created": actions.count("created"),
            "updated": actions.count("updated"),
            "unchanged": actions.count("unchanged"),
            "people_created": people.count("created"),
            "people_updated": people.count("updated"),
            "certificates_created": certs.count("created"),
            "certificates_updated": certs.count("updated"),
            "errors": len(self.errors),
        }


def make_plan(*, actor: Actor, rows: list[LedgerRow], default_organization) -> Plan:
    plan = Plan()
    planner = _Planner(actor, plan, default_organization)
    planner.load(rows)
    for row in rows:
        planner.plan_row(row)
    return plan


class _Planner:
    def __init__(self, actor: Actor, plan: Plan, default_organization) -> None:
        self.actor, self.plan, self.default = actor, plan, default_organization
        self.on = today()
        self.orgs = {o.name: o for o in organizations_visible(Organization.objects.all(), actor)}
        self.persons: dict[str, Person] = {}
        self.visible: set[int] = set()
        self.items: dict[int, set[int]] = {}  # person id -> their special operations
        self.certs: dict[tuple[int, str], Certificate] = {}
        self.seen_items: dict[tuple[str, int], LedgerRow] = {}
        self.seen_numbers: dict[tuple[int, str], tuple[str, LedgerRow]] = {}
        self.keys: dict[str, str] = {}  # ID number -> blind index
        self.hashes: dict[str, str] = {}  # certificate number -> keyed hash

    def key(self, row: LedgerRow) -> str:
        number = row.resident.number
        if number not in self.keys:
            self.keys[number] = crypto.blind_index(number)
        return self.keys[number]

    def number_hash(self, row: LedgerRow) -> str:
        if row.number not in self.hashes:
            self.hashes[row.number] = numbers.number_hash(row.number)
        return self.hashes[row.number]

    def load(self, rows: list[LedgerRow]) -> None:
        """Existing people and certificates of the file, in chunks (no query per row),
        with only the fields compared (a 50,000-row ledger must fit in memory)."""
        keys = list({self.key(r) for r in rows})
        person_fields = ("id", "name", "phone", "organization_id", "id_number_hash")
        for i in range(0, len(keys), CHUNK):
            found = Person.objects.filter(id_number_hash__in=keys[i : i + CHUNK])
            for p in found.only(*person_fields):
                self.persons[p.id_number_hash] = p
        ids = [p.pk for p in self.persons.values()]
        through = Person.special_operations.through
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            qs = people_visible(Person.objects.filter(pk__in=chunk), self.actor)
            self.visible.update(qs.values_list("pk", flat=True))
            pairs = through.objects.filter(person_id__in=chunk)
            for person_id, type_id in pairs.values_list("person_id", "certificatetype_id"):
                self.items.setdefault(person_id, set()).add(type_id)
        hashes = list({self.number_hash(r) for r in rows if r.has_certificate})
        cert_fields = ("id", "type_id", "number_hash", "person_id", *CERT_FIELDS)
        for i in range(0, len(hashes), CHUNK):
            current = Certificate.objects.filter(
                number_hash__in=hashes[i : i + CHUNK], superseded=False
            ).only(*cert_fields)
            for c in current:
                self.certs[(c.type_id, c.number_hash)] = c

    def error(self, row: LedgerRow, name: str, message: str) -> None:
        self.plan.errors.append(RowError(row.sheet, row.row, row.labels[name], str(message)))

    def plan_row(self, row: LedgerRow) -> None:
        before = len(self.plan.errors)
        person = self._person(row)
        cert = self._certificate(row, person) if person and row.has_certificate else None
        if person is None or len(self.plan.errors) > before:
            return
        action = _row_action(person, cert, row)
        self.plan.outcomes.append(RowOutcome(row.sheet, row.row, action, person, cert))
        if cert is not None:
            self.plan.certificates.append(cert)

    # -- people ---------------------------------------------------------------------------

    def _person(self, row: LedgerRow) -> PersonPlan | None:
        key = self.key(row)
        org = self._organization(row)
        phone = self._phone(row)
        known = self.plan.people.get(key)
        if known is not None:
            return self._same_person(known, row, org, phone)
        existing = self.persons.get(key)
        if existing is not None and existing.pk not in self.visible:
            self.error(row, "id_number", _not_visible_message())
            return None
        if org is None and existing is None:
            return None
        plan = PersonPlan(key, row, existing, org, pk=existing.pk if existing else None)
        plan.first_row = (row.sheet, row.row)
        if existing is not None:
            self._compare_person(plan, row, org, phone)
        else:
            plan.changes = {"name": (None, row.name), "phone": (None, phone)}
        self.plan.people[key] = plan
        return plan

    def _same_person(self, known: PersonPlan, row, org, phone) -> PersonPlan | None:
        """The same ID number on another row: the same person, told the same way."""
        sheet, number = known.first_row
        if known.row.name != row.name:
            self.error(
                row,
                "name",
                _(
                    "The same ID number is on sheet %(sheet)s row %(row)d with the name "
                    "“%(name)s”; one person cannot have two names."
                )
                % {"sheet": sheet, "row": number, "name": known.row.name},
            )
            return None
        if (
            row.organization
            and known.row.organization
            and row.organization != known.row.organization
        ):
            self.error(
                row,
                "organization",
                _("The same person is on sheet %(sheet)s row %(row)d with another organization.")
                % {"sheet": sheet, "row": number},
            )
            return None
        return known

    def _organization(self, row: LedgerRow) -> Organization | None:
        if row.organization:
            org = self.orgs.get(row.organization)
            if org is None:
                self.error(
                    row,
                    "organization",
                    _(
                        "Unknown organization “%(name)s”, or one you cannot import into; "
                        "register it first or correct the name."
                    )
                    % {"name": row.organization[:60]},
                )
            return org
        if self.default is None and self.key(row) not in self.persons:
            self.error(
                row,
                "organization",
                _("No organization: fill in the column or choose a default organization."),
            )
        return self.default

    def _phone(self, row: LedgerRow) -> str:
        phone = normalize_phone(row.phone)
        if phone and not _PHONE.match(phone.replace("-", "")):
            self.error(row, "phone", _("Enter a mobile number of 11 digits starting with 1."))
        return phone

    def _compare_person(self, plan: PersonPlan, row: LedgerRow, org, phone: str) -> None:
        p = plan.existing
        if row.name != p.name:
            plan.changes["name"] = (p.name, row.name)
        if phone and phone != p.phone:
            plan.changes["phone"] = (p.phone, phone)
        if row.organization and org is not None and org.pk != p.organization_id:
            plan.changes["organization"] = (p.organization_id, org.pk)
            plan.organization = org

    # -- certificates ---------------------------------------------------------------------

    def _certificate(self, row: LedgerRow, person: PersonPlan) -> CertificatePlan | None:
        ctype = row.ctype
        if not self._age_ok(row, person) or not self._number_ok(row) or self._repeated(row, person):
            return None
        values = {
            "type": ctype,
            "number": row.number,
            "issued_by": row.issued_by,
            "first_issued_on": row.first_issued_on,
            "valid_from": row.valid_from,
            "valid_until": row.valid_until,
            "next_review_due": row.next_review_due,
        }
        errors: dict = {}
        cert_services._check_dates(values, errors, on=self.on)
        for name, message in errors.items():
            self.error(row, name, message)
        if errors:
            return None
        cert = CertificatePlan(row, person, self.number_hash(row), values)
        cert.existing = self.certs.get((ctype.pk, cert.number_hash))
        cert.pk = cert.existing.pk if cert.existing else None
        if cert.existing is not None and not self._compare_certificate(cert):
            return None
        if cert.existing is None and not row.review_given:
            values["next_review_due"] = cert_services.default_review_due(
                ctype, row.valid_from, row.valid_until
            )
        self._add_item(person, ctype)
        return cert

    def _age_ok(self, row: LedgerRow, person: PersonPlan) -> bool:
        """RULES.md 1: 18 or older to be registered for an item."""
        age = age_on(row.resident.birth_date, self.on)
        if age < row.ctype.min_age:
            self.error(
                row,
                "id_number",
                _("The person is %(age)d years old; special operations need an age of at least 18.")
                % {"age": age},
            )
            return False
        return True

    def _number_ok(self, row: LedgerRow) -> bool:
        """RULES.md 1: a new-style MEM number carries the holder's ID number."""
        if "*" in row.number:
            self.error(row, "number", _("Enter the full certificate number, not a masked one."))
            return False
        if len(row.number) > 64:
            self.error(row, "number", _("The certificate number is too long (at most 64)."))
            return False
        m = numbers.ID_LIKE.match(row.number)
        if (
            m
            and row.ctype.system == IssuingSystem.MEM
            and m.group(2) != row.resident.number
            and cert_services._is_id_number(m.group(2))
        ):
            self.error(
                row,
                "number",
                _(
                    "This certificate number is an ID number, but not this person's; "
                    "check the number."
                ),
            )
            return False
        return True

    def _repeated(self, row: LedgerRow, person: PersonPlan) -> bool:
        """The same person and item twice, or one number for two people, in the file."""
        first = self.seen_items.setdefault((person.key, row.ctype.pk), row)
        if first is not row:
            self.error(
                row,
                "item",
                _("This person and item are already on sheet %(sheet)s row %(row)d.")
                % {"sheet": first.sheet, "row": first.row},
            )
            return True
        nkey = (row.ctype.pk, self.number_hash(row))
        owner, first = self.seen_numbers.setdefault(nkey, (person.key, row))
        if owner != person.key:
            self.error(
                row,
                "number",
                _("Sheet %(sheet)s row %(row)d has this certificate number for another person.")
                % {"sheet": first.sheet, "row": first.row},
            )
            return True
        return False

    def _compare_certificate(self, cert: CertificatePlan) -> bool:
        old, row = cert.existing, cert.row
        if cert.person.pk is None or old.person_id != cert.person.pk:
            self.error(
                row,
                "number",
                _("A certificate of this type with this number is registered to another person."),
            )
            return False
        fields = CERT_FIELDS if row.review_given else CERT_FIELDS[:-1]
        for f in fields:
            if getattr(old, f) != cert.values[f]:
                cert.changes[f] = (getattr(old, f), cert.values[f])
        return True

    def _add_item(self, person: PersonPlan, ctype) -> None:
        have = self.items.get(person.pk, set()) if person.pk else set()
        if ctype.pk not in have and ctype not in person.add_types:
            person.add_types.append(ctype)


def _not_visible_message() -> str:
    return _(
        "A person with this ID number is registered with an organization you cannot see; "
        "ask a safety manager."
    )


def _row_action(person: PersonPlan, cert: CertificatePlan | None, row: LedgerRow) -> str:
    first = person.first_row == (row.sheet, row.row)
    actions = [cert.action if cert else "unchanged"]
    if first:
        actions.append(person.action)
    if "created" in actions:
        return "created"
    return "updated" if "updated" in actions else "unchanged"
