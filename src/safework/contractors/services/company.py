"""The contractor company: its admin's login (made by the owner) and the registration the
admin completes in the portal (credit code checked, GB 32100-2015)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from safework.audit.services import audit_record, diff
from safework.core.access import require_owner_admin
from safework.core.actors import Actor
from safework.core.choices import OrganizationKind, Role
from safework.core.errors import Conflict, NotAllowed, ValidationFailed
from safework.core.idnumbers import InvalidIdentifier, parse_credit_code
from safework.core.models import Organization, UserProfile

from ..choices import CONTRACTOR_KINDS
from ..models import ContractorProfile

ORG_FIELDS = ("name", "credit_code", "contact_name", "contact_phone", "contact_email")
PROFILE_FIELDS = (
    "legal_representative",
    "safety_officer",
    "safety_officer_phone",
    "business_scope",
)
KINDS = CONTRACTOR_KINDS


@transaction.atomic
def contractor_admin_create(
    *, actor: Actor, username: str, password: str, email: str = "", organization=None
):
    """A contractor admin's login (safety managers). Without an organization the admin
    registers their company at first sign-in."""
    require_owner_admin(actor)
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationFailed({"username": _("Enter a user name.")})
    if User.objects.filter(username=username).exists():
        raise Conflict({"username": _("This user name is taken.")})
    user = User(username=username, email=(email or "").strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed({"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.save()
    UserProfile.objects.create(user=user, role=Role.CONTRACTOR_ADMIN, organization=organization)
    after = {"username": username, "role": Role.CONTRACTOR_ADMIN, "organization": organization}
    audit_record(actor=actor, action="contractor_admin.create", obj=user, changes=diff({}, after))
    return user


def _clean(data: dict) -> dict:
    errors = {}
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    if "name" in data and not data["name"]:
        errors["name"] = _("Enter the company's registered name.")
    if "credit_code" in data:
        try:
            data["credit_code"] = parse_credit_code(data["credit_code"] or "")
        except InvalidIdentifier as exc:
            errors["credit_code"] = exc.message
    if errors:
        raise ValidationFailed(errors)
    return data


def _unique(org: Organization) -> None:
    others = Organization.objects.exclude(pk=org.pk)
    if others.filter(name=org.name).exists():
        raise Conflict({"name": _("An organization with this name already exists.")})
    if others.filter(credit_code=org.credit_code).exists():
        raise Conflict({"credit_code": _("An organization with this credit code already exists.")})


def _snap(org: Organization, profile: ContractorProfile) -> dict:
    return {f: getattr(org, f) for f in ORG_FIELDS} | {
        f: getattr(profile, f) for f in PROFILE_FIELDS
    }


@transaction.atomic
def contractor_register(*, actor: Actor, **data) -> Organization:
    """The contractor admin registers (or corrects) their own company."""
    if actor.role != Role.CONTRACTOR_ADMIN or actor.profile is None or not actor.can_write:
        raise NotAllowed(_("Only a contractor admin registers their company here."))
    data = _clean(data)
    profile_row = UserProfile.objects.select_for_update().get(pk=actor.profile.pk)
    org = profile_row.organization or Organization(kind=OrganizationKind.CONTRACTOR)
    if org.kind not in KINDS:
        raise NotAllowed(_("Only a contractor admin registers their company here."))
    company = ContractorProfile.objects.filter(organization_id=org.pk).first() if org.pk else None
    company = company or ContractorProfile()
    before = _snap(org, company) if org.pk else {}
    for f in ORG_FIELDS:
        if f in data:
            setattr(org, f, data[f])
    _unique(org)
    org.save()
    for f in PROFILE_FIELDS:
        setattr(company, f, data.get(f, getattr(company, f)))
    company.organization = org
    company.save()
    if profile_row.organization_id != org.pk:
        profile_row.organization = org
        profile_row.save(update_fields=["organization"])
    changes = diff(before, _snap(org, company))
    audit_record(actor=actor, action="contractor.register", obj=org, changes=changes)
    return org
