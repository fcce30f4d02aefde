"""The site plan (an image and its scale), positions on it (work areas, permits), and the
signed links that open a site's live permit board on a kiosk without a login."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from math import hypot

from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image

from safework.audit.services import audit_record
from safework.core.access import require_owner_admin, require_write, sites_visible
from safework.core.actors import Actor
from safework.core.choices import Role
from safework.core.errors import NotAllowed, ValidationFailed
from safework.core.models import Site, WorkArea
from safework.core.uploads import store_upload

from ..choices import EDITABLE_STATUSES
from ..models import AreaPosition, BoardLink, Permit, SitePlan
from .common import audit, locked, now_or, require_may_change, require_status

PLAN_MAX_BYTES = 20 << 20
PLAN_MAX_SIDE = 6000
BOARD_SALT = "safework.permits.board"
BOARD_LINK_MAX_DAYS = 366


def scale_from_points(x1: float, y1: float, x2: float, y2: float, metres: float) -> float:
    """Metres per pixel from two points on the plan a known distance apart."""
    pixels = hypot(float(x2) - float(x1), float(y2) - float(y1))
    if pixels <= 0:
        raise ValidationFailed({"x2": _("The two reference points must differ.")})
    if not float(metres) > 0:
        raise ValidationFailed({"metres": _("Give the distance between the points in metres.")})
    return float(metres) / pixels


def _original_size(upload) -> tuple[int, int] | None:
    try:
        upload.seek(0)
        with Image.open(io.BytesIO(upload.read(PLAN_MAX_BYTES + 1))) as img:
            size = img.size
    except Exception:  # noqa: BLE001 - the intake below reports an unreadable image
        size = None
    upload.seek(0)
    return size


def _stored_size(name: str) -> tuple[int, int]:
    with default_storage.open(name, "rb") as fh, Image.open(fh) as img:
        return img.size


@transaction.atomic
def site_plan_set(*, actor: Actor, site: Site, upload=None,
                  metres_per_px: float | None = None, points: tuple | None = None) -> SitePlan:  # fmt: skip
    """A new image (through the safe intake) and/or a new scale: metres per pixel, or two
    points ``(x1, y1, x2, y2, metres)`` in the pixels of the image as uploaded."""
    require_owner_admin(actor)
    current = SitePlan.objects.filter(site=site).first()
    if upload is None and current is None:
        raise ValidationFailed({"image": _("Upload the site plan image.")})
    scale = scale_from_points(*points) if points else metres_per_px
    if scale is None and current is None:
        raise ValidationFailed({"metres_per_px": _("Give the scale: metres per pixel or two "
                                                   "reference points.")})  # fmt: skip
    if scale is not None and not float(scale) > 0:
        raise ValidationFailed({"metres_per_px": _("The scale must be more than 0.")})
    fields = {} if scale is None else {"metres_per_px": float(scale)}
    if upload is not None:
        fields |= _store_plan(upload, fields.get("metres_per_px"))
    plan, _created = SitePlan.objects.update_or_create(site=site, defaults=fields)
    audit_record(actor=actor, action="permit.site_plan", obj=site,
                 changes={"site_plan": {"before": None, "after": {
                     "image": plan.image, "size": [plan.width_px, plan.height_px],
                     "metres_per_px": plan.metres_per_px}}})  # fmt: skip
    return plan


def _store_plan(upload, scale: float | None) -> dict:
    original = _original_size(upload)
    stored = store_upload(upload, allowed={"png", "jpeg"}, max_bytes=PLAN_MAX_BYTES,
                          subdir="permits/plans", field="image",
                          max_image_side=PLAN_MAX_SIDE)  # fmt: skip
    width, height = _stored_size(stored.name)
    fields = {"image": stored.name, "width_px": width, "height_px": height}
    if scale is not None and original and original[0] != width:
        # the intake shrank the picture: the scale was given in the original's pixels
        fields["metres_per_px"] = scale * original[0] / width
    return fields


def _check_point(site: Site, x_m, y_m, prefix: str = "") -> tuple[float, float]:
    try:
        x, y = float(x_m), float(y_m)
    except (TypeError, ValueError):
        raise ValidationFailed({f"{prefix}x_m": _("Give x and y in metres.")}) from None
    plan = SitePlan.objects.filter(site=site).first()
    width, height = (plan.width_m, plan.height_m) if plan else (float("inf"),) * 2
    if not 0 <= x <= width:
        raise ValidationFailed({f"{prefix}x_m": _("Outside the site plan (0 to %(max).0f m).")
                                % {"max": width}})  # fmt: skip
    if not 0 <= y <= height:
        raise ValidationFailed({f"{prefix}y_m": _("Outside the site plan (0 to %(max).0f m).")
                                % {"max": height}})  # fmt: skip
    return x, y


def check_position(site: Site, x_m, y_m) -> tuple[float | None, float | None]:
    """Both or neither; on the plan when the site has one."""
    if x_m in (None, "") and y_m in (None, ""):
        return None, None
    if x_m in (None, "") or y_m in (None, ""):
        raise ValidationFailed({"x_m": _("Give both x and y, or neither.")})
    return _check_point(site, x_m, y_m)


@transaction.atomic
def area_position_set(*, actor: Actor, work_area: WorkArea, x_m, y_m) -> AreaPosition:
    require_owner_admin(actor)
    x, y = _check_point(work_area.site, x_m, y_m)
    row, _created = AreaPosition.objects.update_or_create(
        work_area=work_area, defaults={"x_m": x, "y_m": y}
    )
    audit_record(actor=actor, action="permit.area_position", obj=work_area,
                 changes={"position": {"before": None, "after": [x, y]}})  # fmt: skip
    return row


@transaction.atomic
def permit_position_set(*, actor: Actor, permit: Permit, x_m=None, y_m=None,
                        confined_space_ref: str = "", tank_dike_ref: str = "") -> Permit:  # fmt: skip
    """Drafts only (4.18); an empty position means the work area's."""
    permit = locked(permit)
    require_may_change(actor, permit)
    require_status(permit, *EDITABLE_STATUSES)
    permit.x_m, permit.y_m = check_position(permit.site, x_m, y_m)
    permit.confined_space_ref = confined_space_ref.strip()[:100]
    permit.tank_dike_ref = tank_dike_ref.strip()[:100]
    permit.save(update_fields=["x_m", "y_m", "confined_space_ref", "tank_dike_ref",
                               "updated_at"])  # fmt: skip
    audit(actor, "position", permit, x_m=permit.x_m, y_m=permit.y_m,
          confined_space=permit.confined_space_ref, tank_dike=permit.tank_dike_ref)  # fmt: skip
    return permit


# --- kiosk links ------------------------------------------------------------------------


def _may_share(actor: Actor, site: Site) -> None:
    require_write(actor)
    if actor.role not in (Role.SAFETY_MANAGER, Role.AREA_HEAD):
        raise NotAllowed(_("Only safety managers and area heads share a site's board."))
    if not sites_visible(Site.objects.filter(pk=site.pk), actor).exists():
        raise NotAllowed(_("This site is not yours to change."))


@transaction.atomic
def board_link_create(*, actor: Actor, site: Site, label: str, days: int,
                      now: datetime | None = None) -> tuple[BoardLink, str]:  # fmt: skip
    """A kiosk link, signed (django.core.signing); returns the row and its token."""
    _may_share(actor, site)
    if not label.strip():
        raise ValidationFailed({"label": _("Say where the screen is.")})
    if not 1 <= int(days) <= BOARD_LINK_MAX_DAYS:
        raise ValidationFailed(
            {"days": _("From 1 to %(max)d days.") % {"max": BOARD_LINK_MAX_DAYS}}
        )
    link = BoardLink.objects.create(
        site=site, label=label.strip()[:100], expires_at=now_or(now) + timedelta(days=int(days)),
        created_by=actor.user if actor.user is not None else None,
    )  # fmt: skip
    audit_record(actor=actor, action="permit.board_link", obj=site,
                 changes={"board_link": {"before": None, "after": [link.pk, link.label,
                                                                   link.expires_at]}})  # fmt: skip
    return link, board_token(link)


def board_token(link: BoardLink) -> str:
    return signing.dumps({"link": link.pk}, salt=BOARD_SALT)


def board_link_open(token: str, now: datetime | None = None) -> BoardLink | None:
    """The link a token opens, or None: bad signature, revoked or expired."""
    try:
        data = signing.loads(token, salt=BOARD_SALT, max_age=timedelta(days=BOARD_LINK_MAX_DAYS))
    except signing.BadSignature:
        return None
    link = BoardLink.objects.select_related("site").filter(pk=data.get("link")).first()
    if link is None or link.revoked_at is not None or link.expires_at <= now_or(now):
        return None
    return link


@transaction.atomic
def board_link_revoke(*, actor: Actor, link: BoardLink, now: datetime | None = None) -> BoardLink:
    _may_share(actor, link.site)
    if link.revoked_at is None:
        link.revoked_at = now_or(now)
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="permit.board_link_revoke", obj=link.site,
                     changes={"board_link": {"before": link.pk, "after": None}})  # fmt: skip
    return link
