"""PDF documents of the dashboard (reportlab, built-in CJK font STSong-Light: no font
files), with charts drawn server-side by reportlab.graphics from the same numbers the
pages show: the signed monthly self-check and the monthly / quarterly site report."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .choices import CheckItem

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=10)
HEAD = ParagraphStyle("head", fontName=FONT, fontSize=15, leading=20, alignment=1)
H2 = ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=15, spaceBefore=8, spaceAfter=4)
EVIDENCE_IN_PDF = 200  # rows per item printed; the rest are in the page's list
GREEN, RED = colors.HexColor("#198754"), colors.HexColor("#dc3545")


def _p(text, style=BODY) -> Paragraph:
    text = "" if text is None else str(text)
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table([[_p(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")))
    table.setStyle(TableStyle(style))
    return table


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def pie_chart(values: list[tuple[str, int, object]], title: str) -> Drawing:
    drawing = Drawing(160 * mm, 55 * mm)
    shown = [(label, n, colour) for label, n, colour in values if n]
    drawing.add(String(0, 50 * mm, title, fontName=FONT, fontSize=9))
    if not shown:
        drawing.add(String(0, 25 * mm, _("No data"), fontName=FONT, fontSize=9))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 10 * mm, 2 * mm, 44 * mm, 44 * mm
    pie.data = [n for _l, n, _c in shown]
    pie.labels = [f"{label} {n}" for label, n, _c in shown]
    pie.simpleLabels = 1
    pie.sideLabels = 1
    pie.slices.fontName = FONT
    pie.slices.fontSize = 7
    for i, (_l, _n, colour) in enumerate(shown):
        pie.slices[i].fillColor = colour
    drawing.add(pie)
    return drawing


def bar_chart(labels: list[str], values: list[float], title: str, *, horizontal=False,
              value_max: float | None = None) -> Drawing:  # fmt: skip
    height = max(55, 8 * len(labels) + 20) if horizontal else 60
    drawing = Drawing(170 * mm, height * mm)
    drawing.add(String(0, (height - 5) * mm, title, fontName=FONT, fontSize=9))
    if not values:
        drawing.add(String(0, (height - 15) * mm, _("No data"), fontName=FONT, fontSize=9))
        return drawing
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (45 * mm, 5 * mm) if horizontal else (12 * mm, 12 * mm)
    chart.width = 115 * mm if horizontal else 150 * mm
    chart.height = (height - 15) * mm if horizontal else (height - 25) * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    if not horizontal:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.dy = -8
    chart.valueAxis.valueMin = 0
    if value_max is not None:
        chart.valueAxis.valueMax = value_max
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#0d6efd")
    drawing.add(chart)
    return drawing


def _build(story: list) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title="safework", author="safework",
    )  # fmt: skip
    doc.build(story)
    return buffer.getvalue()


# --- the monthly self-check ------------------------------------------------------------------


def selfcheck_pdf(run, history: list[dict]) -> bytes:
    items = list(run.items.all())
    where = run.site.name if run.site else _("All sites")
    story = [
        _p(_("Special operations management self-check (特种作业管理自查清单)"), HEAD),
        _p(f"{run.month:%Y-%m} · {where}"),
        Spacer(1, 4 * mm),
        _table(
            [
                [_("Result"), _("Passed") if run.passed else _("Not passed")],
                [_("Evaluated at"), f"{_local(run.evaluated_at)} ({run.evaluated_by})"],
                [_("Signed off by"), run.signed_by_label or _("Not signed off yet")],
                [_("Signed off at"), _local(run.signed_at)],
                [_("Note"), run.sign_note or "—"],
                [_("Result hash (SHA-256)"), run.result_hash],
            ],
            [40 * mm, 140 * mm],
            header=False,
        ),
        Spacer(1, 4 * mm),
    ]
    passed = sum(1 for i in items if i.passed)
    story.append(
        pie_chart(
            [(_("Passed"), passed, GREEN), (_("Not passed"), len(items) - passed, RED)],
            _("Items passed"),
        )
    )
    if history:
        labels = [f"{h['on']:%m-%d}" for h in history]
        values = [round((h["register"].rate or 0) * 100, 1) for h in history]
        story.append(
            bar_chart(labels, values, _("Compliance rate in the month (%)"), value_max=100)
        )
    story.append(_p(_("Items"), H2))
    rows = [[_("No."), _("Item"), _("Result"), _("Summary")]]
    for item in items:
        verdict = _("Passed") if item.passed else _("Not passed")
        rows.append([item.number, CheckItem(item.number).label, verdict, item.summary])
    story.append(_table(rows, [10 * mm, 70 * mm, 20 * mm, 80 * mm]))
    for item in items:
        if not item.evidence_total:
            continue
        story.append(_p(f"{item.number}. {CheckItem(item.number).label}", H2))
        evidence = item.evidence[:EVIDENCE_IN_PDF]
        rows = [[_("What"), _("Finding")]] + [[e["label"], e["detail"]] for e in evidence]
        story.append(_table(rows, [70 * mm, 110 * mm]))
        if item.evidence_total > len(evidence):
            more = _("%(n)s findings in all; the full list is on the self-check page.")
            story.append(_p(more % {"n": item.evidence_total}, SMALL))
    return _build(story)


# --- the periodic site report -----------------------------------------------------------------


def report_pdf(*, site, period_label: str, start, end, data: dict) -> bytes:
    """``data`` from ``reports.report_data``: the same selectors as the dashboard."""
    story = [
        _p(_("Special operations compliance report"), HEAD),
        _p(f"{site.name} · {period_label} · {start} – {end}"),
        Spacer(1, 4 * mm),
        _table(
            [[label, value] for label, value in data["summary"]],
            [90 * mm, 90 * mm],
            header=False,
        ),
        Spacer(1, 4 * mm),
        pie_chart(data["status_pie"], _("Certificates by status")),
    ]
    history = data["history"]
    if history:
        labels = [f"{h['on']:%m-%d}" for h in history]
        values = [round((h["register"].rate or 0) * 100, 1) for h in history]
        story.append(bar_chart(labels, values, _("Compliance rate over time (%)"), value_max=100))
    kinds = data["permits_by_kind"]
    story.append(
        bar_chart(
            [k for k, _n in kinds], [n for _k, n in kinds], _("Permits by kind"), horizontal=True
        )  # fmt: skip
    )
    denials = data["denials"]
    story.append(
        bar_chart(
            [k for k, _n in denials],
            [n for _k, n in denials],
            _("Gate denials by reason"),
            horizontal=True,
        )  # fmt: skip
    )
    if data["selfchecks"]:
        story.append(_p(_("Monthly self-checks"), H2))
        rows = [[_("Month"), _("Result"), _("Signed off by"), _("Result hash (SHA-256)")]]
        for run in data["selfchecks"]:
            verdict = _("Passed") if run.passed else _("Not passed")
            rows.append(
                [f"{run.month:%Y-%m}", verdict, run.signed_by_label or "—", run.result_hash]
            )
        story.append(_table(rows, [20 * mm, 20 * mm, 30 * mm, 110 * mm]))
    return _build(story)
