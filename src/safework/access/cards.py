"""Printable badge cards (reportlab, built-in CJK font STSong-Light: no font files to
ship). A card is ID-1 size (85.6 x 54 mm): photo, name, organization, masked ID number,
the operation items and the QR code. One card per page (card printers) or 8 per A4
sheet (2 x 4, cut along the frames)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from . import qr
from .choices import CardLayout

FONT = "STSong-Light"
CARD_W, CARD_H = 85.6 * mm, 54 * mm
PER_SHEET = 8
COLUMNS = 2
MAX_ITEM_LINES = 4


@dataclass(frozen=True)
class Card:
    name: str
    organization: str
    id_number_masked: str
    items: list[str]
    url: str
    photo: bytes | None = None


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render(cards: list[Card], layout: str = CardLayout.ONE) -> bytes:
    out = io.BytesIO()
    one = layout == CardLayout.ONE
    canvas = Canvas(out, pagesize=(CARD_W, CARD_H) if one else A4)
    canvas.setTitle(_("Badges"))
    for index, card in enumerate(cards):
        if index and (one or index % PER_SHEET == 0):
            canvas.showPage()
        x, y = (0, 0) if one else sheet_position(index % PER_SHEET)
        draw_card(canvas, card, x, y)
    canvas.save()
    return out.getvalue()


def sheet_position(slot: int) -> tuple[float, float]:
    """Bottom-left corner of card ``slot`` (0-7, row by row from the top) on A4."""
    page_w, page_h = A4
    gap = 4 * mm
    left = (page_w - COLUMNS * CARD_W - gap) / 2
    rows = PER_SHEET // COLUMNS
    top = (page_h + rows * CARD_H + (rows - 1) * gap) / 2
    row, column = divmod(slot, COLUMNS)
    return left + column * (CARD_W + gap), top - (row + 1) * CARD_H - row * gap


def draw_card(canvas: Canvas, card: Card, x: float, y: float) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(0.6)
    canvas.roundRect(0, 0, CARD_W, CARD_H, 3 * mm)
    _header(canvas, card)
    _photo(canvas, card.photo)
    _text(canvas, card)
    _qr(canvas, card.url)
    canvas.restoreState()


def _header(canvas: Canvas, card: Card) -> None:
    canvas.setFillColorRGB(0.09, 0.27, 0.47)
    canvas.rect(0, CARD_H - 9 * mm, CARD_W, 9 * mm, stroke=0, fill=1)
    canvas.setFillGray(1)
    canvas.setFont(_font(), 8)
    canvas.drawString(3 * mm, CARD_H - 4.2 * mm, _("Special operations badge"))
    canvas.setFont(_font(), 6.5)
    org = simpleSplit(card.organization, _font(), 6.5, CARD_W - 6 * mm)[:1]
    canvas.drawString(3 * mm, CARD_H - 7.6 * mm, org[0] if org else "")
    canvas.setFillGray(0)


def _photo(canvas: Canvas, photo: bytes | None) -> None:
    x, y, w, h = 3 * mm, CARD_H - 38 * mm, 21 * mm, 27 * mm
    if photo:
        canvas.drawImage(ImageReader(io.BytesIO(photo)), x, y, w, h, preserveAspectRatio=True)
        return
    canvas.setStrokeGray(0.75)
    canvas.rect(x, y, w, h)
    canvas.setFont(_font(), 6)
    canvas.setFillGray(0.5)
    canvas.drawCentredString(x + w / 2, y + h / 2, _("No photo"))
    canvas.setFillGray(0)


def _text(canvas: Canvas, card: Card) -> None:
    x, width = 26 * mm, 29 * mm
    canvas.setFont(_font(), 11)
    canvas.drawString(x, CARD_H - 15 * mm, card.name[:12])
    canvas.setFont(_font(), 6.5)
    canvas.drawString(x, CARD_H - 19.5 * mm, card.id_number_masked)
    canvas.setFont(_font(), 6)
    lines = [line for item in card.items for line in simpleSplit(item, _font(), 6, width)]
    if len(lines) > MAX_ITEM_LINES:
        lines = lines[: MAX_ITEM_LINES - 1] + [_("… and more")]
    for n, line in enumerate(lines or [_("No special operations")]):
        canvas.drawString(x, CARD_H - (24 + n * 3.2) * mm, line)
    canvas.setFont(_font(), 5)
    canvas.setFillGray(0.4)
    canvas.drawString(3 * mm, 3 * mm, _("Scan to check the certificates live"))
    canvas.setFillGray(0)


def _qr(canvas: Canvas, url: str) -> None:
    """Drawn as vector squares: sharp at any printer resolution."""
    code = qr.make(url)
    size = 28 * mm
    x0, y0 = CARD_W - size - 2 * mm, (CARD_H - 9 * mm - size) / 2
    quiet = 2  # modules of white inside the square; the card's margin adds the rest
    cell = size / (len(code.matrix) + 2 * quiet)
    for row, bits in enumerate(code.matrix):
        for column, bit in enumerate(bits):
            if bit:
                top = y0 + size - (row + quiet + 1) * cell
                canvas.rect(x0 + (column + quiet) * cell, top, cell, cell, stroke=0, fill=1)
