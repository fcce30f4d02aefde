"""The printable permit (annex A): everything on one document, in Chinese, with
reportlab's built-in CJK CID font (no font file to ship)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import selectors
from .reasons import label
from .rules import annex

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
HEAD = ParagraphStyle("head", fontName=FONT, fontSize=15, leading=20, alignment=1)
H2 = ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=15, spaceBefore=6)


def _t(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _p(text) -> Paragraph:
    return Paragraph(_t(text).replace("&", "&amp;").replace("<", "&lt;"), BODY)


def _table(rows: list[list], widths=None) -> Table:
    table = Table([[_p(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    return table


def _header(permit) -> list:
    rows = [
        [_("Number"), permit.number, _("Level"), permit.get_level_display() or "—"],
        [_("Applicant unit"), permit.applicant_org, _("Performing unit"), permit.performing_org],
        [_("Work area"), permit.work_area, _("Place"), permit.place],
        [_("Planned start"), permit.planned_start, _("Planned end"), permit.planned_end],
        [_("Person in charge"), permit.person_in_charge, _("Status"), permit.get_status_display()],
        [_("Work content"), permit.content, _("Hazards identified"), permit.hazards],
        [_("Related permit"), permit.serves or permit.source, _("Level raised because"),
         "、".join(label(r) for r in permit.level_reasons) or "—"],
    ]  # fmt: skip
    rows += [[k, v, "", ""] for k, v in annex.detail_rows(permit.kind, permit.details)]
    return [_table(rows, [30 * mm, 55 * mm, 30 * mm, 55 * mm])]


def _yes(value):
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return "、".join(value) or "—"
    return value


def _sections(permit) -> list:
    people = [[_("Role"), _("Name"), _("Certificate number")]] + [
        [a.get_role_display(), a.person.name, a.certificate_number]
        for a in selectors.permit_people(permit)
    ]
    measures = [["#", _("Safety measure"), _("Applies"), _("Confirmed by")]] + [
        [m.order, m.text, _yes(m.applies), m.confirmed_by] for m in permit.measures.all()
    ]
    gas = [[_("Sampled at"), _("Sample point"), _("Gas"), "%", "O₂ %", _("Analyst"),
            _("Result")]] + [
        [g.sampled_at, g.sample_point, g.gas or g.toxic_gas, g.result_percent, g.oxygen_percent,
         g.analyst, _("Pass") if g.passed else _("Fail")]
        for g in permit.gas_tests.order_by("sampled_at")
    ]  # fmt: skip
    jsa = permit.jsa
    steps = [[_("Step"), _("Hazards"), _("Measures")]] + [
        [s["step"], s["hazards"], s["measures"]] for s in jsa.steps
    ]
    signatures = [[_("Signature"), _("By"), _("Time")]] + _signature_rows(permit)
    return [
        Paragraph(_("Workers and guardian"), H2), _table(people),
        Paragraph(_("Job safety analysis"), H2), _table(steps),
        Paragraph(_("Residual risk: %(risk)s") % {"risk": jsa.residual_risk or "—"}, BODY),
        Paragraph(_("Safety measures"), H2), _table(measures, [10 * mm, 110 * mm, 20 * mm, 30 * mm]),
        Paragraph(_("Gas analyses"), H2), _table(gas),
        Paragraph(_("Signatures"), H2), _table(signatures),
    ]  # fmt: skip


def _signature_rows(permit) -> list:
    rows = [[f"JSA {s.get_level_display()}", s.signer_label, s.signed_at]
            for s in permit.jsa.signatures.all()]  # fmt: skip
    rows += [[f"{p.step.name} / {p.label}", p.decided_by_label, p.decided_at]
             for p in selectors.approval_signatures(permit)]  # fmt: skip
    rows += [
        [_("Safety briefing"), permit.briefing_by, permit.briefing_at],
        [_("Shift leader check"), permit.shift_checked_by, permit.shift_checked_at],
        [_("Started"), "", permit.started_at],
        [_("Completed"), "", permit.completed_at],
        [_("Acceptance (完工验收)"), permit.closed_by, permit.closed_at],
    ]
    return rows


def permit_pdf(permit) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm,
                            title=permit.number, author="safework")  # fmt: skip
    title = _("%(kind)s safety work permit") % {"kind": permit.get_kind_display()}
    story = [Paragraph(title, HEAD), Spacer(1, 4 * mm), *_header(permit), *_sections(permit)]
    doc.build(story)
    return buffer.getvalue()
