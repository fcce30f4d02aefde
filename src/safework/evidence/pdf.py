"""The report's PDF (归档报告): the printable permit of safework.permits.pdf (header, people,
JSA, measures, gas analyses, signatures), then what an investigator needs besides: the
people's certificate numbers (masked, as stored) and their qualification on the day the
work started, equipment numbers, sign-ins with positions, the timeline of every audit
entry of the permit, the video segments and the keyframes with their hashes.

Keyframes appear as thumbnails (at most THUMB_WIDTH pixels wide, two per row) with the
time, camera and SHA-256 of the original: reportlab keeps every image of a document in
memory until it is written, so full-size frames of a week-long permit would not fit. The
originals, bit for bit, are in the package's ZIP."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from safework.audit.models import AuditEntry
from safework.audit.templatetags.audit_tags import action_label
from safework.permits import pdf as permit_pdf
from safework.permits.reasons import label
from safework.permits.services.common import local_day
from safework.permits.services.people import role_reasons

from . import selectors

BODY, HEAD, H2 = permit_pdf.BODY, permit_pdf.HEAD, permit_pdf.H2
_table, _t = permit_pdf._table, permit_pdf._t
EQUIPMENT_FIELDS = ("crane", "plate_no", "pipeline", "power_source", "equipment_power", "video")
THUMB_WIDTH = 480  # pixels
CELL_WIDTH = 88 * mm
IMAGE_WIDTH = 84 * mm
SMALL = ParagraphStyle("small", fontName=permit_pdf.FONT, fontSize=6.5, leading=8)


def qualification_day(permit):
    return local_day(permit.started_at or permit.planned_start)


def people_rows(permit) -> list[list]:
    """Role, name, certificate number (as stored: an ID-bearing number is masked) and the
    qualification on the day the work started, by the permits' own role check."""
    day = qualification_day(permit)
    rows = []
    for row in permit.assignments.select_related("person").order_by("role", "id"):
        reasons, _answer = role_reasons(row.person, row.role, day)
        verdict = "、".join(str(label(r)) for r in reasons) if reasons else _("Qualified")
        rows.append([row.get_role_display(), row.person.name, row.certificate_number or "—",
                     verdict])  # fmt: skip
    return rows


def _people(permit) -> list:
    head = [_("Role"), _("Name"), _("Certificate number"),
            _("Qualification on %(day)s") % {"day": qualification_day(permit).isoformat()}]  # fmt: skip
    return [Paragraph(_("People, certificate numbers and qualification"), H2),
            _table([head, *people_rows(permit)])]  # fmt: skip


def equipment_rows(permit, cameras) -> list[list]:
    labels = {f.name: str(f.label) for f in permit_pdf.annex.FIELDS[permit.kind]}
    rows = [[labels.get(k, k), permit.details[k]] for k in EQUIPMENT_FIELDS
            if permit.details.get(k)]  # fmt: skip
    instruments = sorted(set(permit.gas_tests.values_list("instrument", flat=True)))
    rows += [[_("Gas analyser"), i] for i in instruments]
    rows += [[_("Camera"), f"{c.name} (#{c.pk})"] for c in cameras]
    return rows


def _equipment(permit, cameras) -> list:
    rows = [[_("Equipment"), _("Number / reference")], *equipment_rows(permit, cameras)]
    return [Paragraph(_("Equipment numbers"), H2), _table(rows, [60 * mm, 110 * mm])]


def sign_in_rows(permit) -> list[list]:
    rows = []
    for s in permit.sign_ins.select_related("person").order_by("at", "id"):
        where = f"{s.latitude}, {s.longitude} ±{s.accuracy_m or 0:.0f} m" if s.latitude else "—"
        accepted = _("Yes") if s.accepted else "、".join(str(label(r)) for r in s.reasons)
        rows.append([_t(s.at), s.person.name if s.person else "—", s.get_kind_display(), where,
                     f"{s.distance_m:.0f}" if s.distance_m is not None else "—",
                     accepted or _("No")])  # fmt: skip
    return rows


def _sign_ins(permit) -> list:
    head = [_("Time"), _("Name"), _("In/out"), _("Position"), _("Distance (m)"), _("Accepted")]
    return [Paragraph(_("Sign-ins with positions"), H2), _table([head, *sign_in_rows(permit)])]


def timeline_rows(permit) -> list[list]:
    """Every audit entry of the permit, in order, with the start of its chain hash."""
    rows = []
    entries = AuditEntry.objects.filter(
        object_type="permits.permit", object_id=str(permit.pk)
    ).order_by("seq")
    for e in entries.iterator():
        changes = json.dumps(e.changes, ensure_ascii=False)
        rows.append([e.seq, _t(e.at), e.actor, action_label(e.action),
                     changes[:160] + ("…" if len(changes) > 160 else ""), e.hash[:12]])  # fmt: skip
    return rows


def _timeline(permit) -> list:
    head = ["#", _("Time"), _("Who"), _("Event"), _("Details"), _("Hash")]
    widths = [12 * mm, 26 * mm, 24 * mm, 30 * mm, 60 * mm, 20 * mm]
    return [Paragraph(_("Timeline (audit trail of the permit)"), H2),
            _table([head, *timeline_rows(permit)], widths)]  # fmt: skip


def _segments(permit) -> list:
    rows = [[_("Camera"), _("From"), _("To"), _("Frames"), "SHA-256"]]
    rows += [[s.camera.name, s.started_at, s.ended_at, s.frames, s.sha256 or s.get_state_display()]
             for s in selectors.segments_of(permit)]  # fmt: skip
    if len(rows) == 1:
        return []
    return [Paragraph(_("Video segments (kept ≥ 1 month, B.3)"), H2), _table(rows)]


def _keyframes(keyframes, workdir: Path) -> list:
    story = [PageBreak(), Paragraph(_("Keyframes"), H2)]
    cells = [[_thumbnail(frame, workdir), Paragraph(
        f"{_t(frame.taken_at)} · {frame.camera.name}<br/>SHA-256 {frame.sha256}", SMALL)]
        for frame in keyframes]  # fmt: skip
    for i in range(0, len(cells), 2):
        pair = cells[i : i + 2] + ([["", ""]] if i + 1 == len(cells) else [])
        row = Table([[pair[0][0], pair[1][0]], [pair[0][1], pair[1][1]]],
                    colWidths=[CELL_WIDTH, CELL_WIDTH])  # fmt: skip
        row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [KeepTogether([row]), Spacer(1, 2 * mm)]
    return story


def _thumbnail(frame, workdir: Path) -> Image:
    """A small copy of the frame for the page. JPEG decodes at 1/4 or 1/2 scale for a
    fraction of a full decode: a full-HD frame comes out at 480 pixels directly."""
    with default_storage.open(frame.file, "rb") as handle:
        data = np.frombuffer(handle.read(), np.uint8)
    picture = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_4)
    if picture is not None and picture.shape[1] < THUMB_WIDTH * 2 // 3:  # a small original
        picture = cv2.imdecode(data, cv2.IMREAD_REDUCED_COLOR_2)
    if picture is None:
        raise ValueError(f"keyframe {frame.pk} ({frame.file}) is not a readable JPEG")
    height, width = picture.shape[:2]
    if width > THUMB_WIDTH:
        height, width = round(height * THUMB_WIDTH / width), THUMB_WIDTH
        picture = cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)
    path = workdir / f"thumb-{frame.pk}.jpg"
    cv2.imwrite(str(path), picture, [cv2.IMWRITE_JPEG_QUALITY, 80])
    image = Image(str(path))  # lazy: read when drawn
    image.drawWidth, image.drawHeight = IMAGE_WIDTH, IMAGE_WIDTH * height / width
    return image


@contextmanager
def _binary_images():
    """Keyframes go in as binary JPEG streams: reportlab's default ASCII85 text encoding
    runs in pure Python, ~2 s per full-HD frame, and makes the file 25 % larger."""
    before, rl_config.useA85 = rl_config.useA85, 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def report_pdf(permit, target, *, workdir: Path) -> None:
    """Write the report of ``permit`` to the binary file ``target``; thumbnails go to
    ``workdir`` (a temporary directory of the caller)."""
    keyframes = list(selectors.keyframes_of(permit))
    cameras = sorted({k.camera for k in keyframes} | {s.camera for s in permit.segments.all()},
                     key=lambda c: c.pk)  # fmt: skip
    title = _("Report package of permit %(number)s") % {"number": permit.number}
    made = _("Made %(at)s by safework; the files and their SHA-256 are listed in "
             "manifest.json, whose hash is recorded in the audit trail.") % {
        "at": _t(timezone.now())}  # fmt: skip
    story = [Paragraph(title, HEAD), Paragraph(made, BODY), Spacer(1, 3 * mm),
             *permit_pdf._header(permit), *permit_pdf._sections(permit), *_people(permit),
             *_equipment(permit, cameras), *_sign_ins(permit), *_timeline(permit),
             *_segments(permit), *_keyframes(keyframes, workdir)]  # fmt: skip
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=permit.number,
                            author="safework")  # fmt: skip
    with _binary_images():
        doc.build(story)
