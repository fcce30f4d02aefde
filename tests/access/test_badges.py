"""Badges: the API answer, PNG and SVG whose QR decodes to the public page's URL, the
printable cards (1 per page, 8 per A4), and the public page: live, minimal, red when
forged, altered or revoked, rate-limited."""

import base64
import io
import re
import zlib

import pytest
import zxingcpp
from django.test import Client
from PIL import Image

from safework.access import cards
from safework.access.models import Badge, RateCounter
from safework.access.services import badge_ensure, badge_reissue, badge_revoke, badge_token
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def decode_qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def test_the_badge_answer_and_its_png_and_svg(read_api, welder):
    answer = read_api.get(f"/persons/{welder.pk}/badge").json()
    assert answer["version"] == 1 and answer["revoked"] is False and answer["key_id"] == "k1"
    assert answer["url"] == f"http://testserver/v/{answer['token']}"
    png = read_api.get(f"/persons/{welder.pk}/badge.png")
    assert png["Content-Type"] == "image/png"
    assert decode_qr(png.content) == answer["url"]
    svg = read_api.get(f"/persons/{welder.pk}/badge.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    # One person, one code: asking again gives the same badge.
    assert read_api.get(f"/persons/{welder.pk}/badge").json()["token"] == answer["token"]
    assert Badge.objects.count() == 1


def test_the_badge_url_follows_the_configured_base(read_api, welder, settings):
    settings.BADGE_BASE_URL = "https://safe.plant.example"
    answer = read_api.get(f"/persons/{welder.pk}/badge").json()
    assert answer["url"] == f"https://safe.plant.example/v/{answer['token']}"
    png = read_api.get(f"/persons/{welder.pk}/badge.png").content
    assert decode_qr(png) == answer["url"]


def test_reissue_and_revoke_through_the_api(write_api, read_api, welder):
    first = read_api.get(f"/persons/{welder.pk}/badge").json()
    assert read_api.post(f"/persons/{welder.pk}/badge/reissue", {}).status_code == 403
    second = write_api.post(f"/persons/{welder.pk}/badge/reissue", {"reason": "丢失"}).json()
    assert second["version"] == 2 and second["token"] != first["token"]
    refused = write_api.post(f"/persons/{welder.pk}/badge/revoke", {})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    revoked = write_api.post(f"/persons/{welder.pk}/badge/revoke", {"reason": "离职"}).json()
    assert revoked["revoked"] is True


def test_badge_changes_are_audited(welder, system_actor):
    from safework.audit.models import AuditEntry

    badge_ensure(actor=system_actor, person=welder)
    badge_reissue(actor=system_actor, person=welder, reason="丢失")
    badge_revoke(actor=system_actor, person=welder, reason="离职")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["badge_issue", "badge_reissue", "badge_revoke"]


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def _text(pdf: bytes) -> bytes:
    """Every content stream, decoded (reportlab writes ASCII85 over Flate)."""
    out = b""
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = raw.strip()
        if raw.endswith(b"~>"):
            data = base64.a85decode(raw, adobe=True)
            out += zlib.decompress(data) if data[:1] == b"x" else b""  # not the JPEG
    return out


def _shown(text: str) -> bytes:
    """How a string drawn in the CID font appears in a content stream: UCS-2 big-endian,
    bytes outside printable ASCII as octal escapes."""
    return "".join(
        chr(b) if 32 <= b < 127 and b not in b"()\\" else f"\\{b:03o}"
        for b in text.encode("utf-16-be")
    ).encode()


def _card(n=0, photo=None):
    return cards.Card(
        name=f"工人{n}", organization="甲承包商", id_number_masked="110101********0019",
        items=["熔化焊接与热切割作业 (MEM-2.1)"], url=f"https://x/v/b1.k1.{n}.1.AAAAAAAAAAAAAAAAAAAAAA",
        photo=photo,
    )  # fmt: skip


def test_cards_one_per_page_and_eight_per_a4_sheet():
    assert _pages(cards.render([_card(n) for n in range(3)], "1")) == 3
    assert _pages(cards.render([_card(n) for n in range(9)], "8")) == 2
    assert _pages(cards.render([_card(n) for n in range(8)], "8")) == 1
    positions = {cards.sheet_position(s) for s in range(8)}
    assert len(positions) == 8
    for x, y in positions:  # every card lies on the sheet without overlapping the edge
        assert x > 0 and x + cards.CARD_W < cards.A4[0] and y > 0 and y + cards.CARD_H < cards.A4[1]


def test_a_card_shows_the_photo_and_uses_the_built_in_chinese_font():
    jpeg = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 30, 30)).save(jpeg, format="JPEG")
    pdf = cards.render([_card(photo=jpeg.getvalue())], "1")
    assert b"STSong-Light" in pdf
    assert b"/Subtype /Image" in pdf
    content = _text(pdf)
    assert _shown("工人0") in content
    assert _shown("110101********0019") in content
    assert _shown("甲承包商") in content


def test_the_card_pdf_pages(client, manager_user, welder, contractor):
    client.force_login(manager_user)
    one = client.get(f"/access/badges/{welder.pk}/card.pdf")
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert _pages(one.content) == 1
    PersonFactory.create_batch(8, organization=contractor, special_operations=["MEM-2.1"])
    sheet = client.get("/access/badges/print/", {"organization": contractor.pk, "layout": "8"})
    assert sheet["Content-Type"] == "application/pdf"
    assert _pages(sheet.content) == 2  # 9 people, 8 per sheet
    assert Badge.objects.filter(person__organization=contractor).count() == 9


def _paint_squares(content: bytes) -> Image.Image:
    """Rasterise the card's filled squares (the QR modules are drawn as vector squares):
    every ``x y w h re f*`` with w == h == the most common small size, in black."""
    rects = [
        tuple(float(v) for v in m)
        for m in re.findall(rb"n ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f\*", content)
    ]
    sizes = [round(w, 3) for _x, _y, w, h in rects if abs(w - h) < 1e-6 and w < 5]
    cell = max(set(sizes), key=sizes.count)
    scale = 8 / cell  # 8 px per module
    image = Image.new("L", (int(cards.CARD_W * scale) + 1, int(cards.CARD_H * scale) + 1), 255)
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for x, y, w, _h in rects:
        if round(w, 3) == cell:
            top = (cards.CARD_H - y - w) * scale
            draw.rectangle([x * scale, top, (x + w) * scale - 1, top + w * scale - 1], fill=0)
    return image


def test_the_card_qr_code_decodes_to_the_badge_page():
    url = "https://plant.example/v/b1.k1.2s.1.AbCdEfGhIjKlMnOpQrStUv"
    pdf = cards.render([cards.Card("王", "甲", "1101", [], url)], "1")
    image = _paint_squares(_text(pdf))
    found = zxingcpp.read_barcodes(image)
    assert [f.text for f in found] == [url]


# --- the public page -------------------------------------------------------------------------


@pytest.fixture
def page_client():
    return Client(REMOTE_ADDR="203.0.113.7")


def test_the_public_page_shows_name_organization_items_and_nothing_else(
    page_client, welder, system_actor
):
    from safework.certificates.models import CertificateType

    welder.special_operations.add(CertificateType.objects.get(code="SAMR-N1"))
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    response = page_client.get(f"/v/{token}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "张焊工" in html and "甲承包商" in html
    assert 'data-item="MEM-2.1" data-qualified="yes"' in html
    assert 'data-item="SAMR-N1" data-qualified="no"' in html
    assert "2027-01-01" in html  # valid until (the review due date decides)
    number = welder.full_id_number()
    for secret in (number, number[-4:] + "</", welder.id_number_masked, welder.phone):
        assert secret not in html
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("kind", ["forged", "altered", "revoked", "superseded"])
def test_a_bad_badge_shows_the_red_invalid_page(page_client, welder, system_actor, kind):
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    if kind == "forged":
        token = "b1.k1.1.1.AAAAAAAAAAAAAAAAAAAAAA"
    elif kind == "altered":
        token = token[:-1] + ("B" if token[-1] != "B" else "C")
    elif kind == "revoked":
        badge_revoke(actor=system_actor, person=welder, reason="丢失")
    else:
        badge_reissue(actor=system_actor, person=welder)
    response = page_client.get(f"/v/{token}")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="badge-invalid"' in html and "张焊工" not in html


def test_the_public_photo_is_served_only_for_a_valid_badge(
    page_client, welder, system_actor, settings, tmp_path
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    welder.photo = default_storage.save("photos/p.jpg", ContentFile(b"\xff\xd8\xffphoto"))
    welder.save()
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    assert f"/v/{token}/photo" in page_client.get(f"/v/{token}").content.decode()
    assert page_client.get(f"/v/{token}/photo").status_code == 200
    badge_revoke(actor=system_actor, person=welder, reason="丢失")
    assert page_client.get(f"/v/{token}/photo").status_code == 404


def test_the_public_page_is_rate_limited_per_client(welder, system_actor, settings):
    settings.BADGE_PAGE_RATE = 3
    token = badge_token(badge_ensure(actor=system_actor, person=welder))
    phone = Client(REMOTE_ADDR="198.51.100.1")
    assert [phone.get(f"/v/{token}").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert Client(REMOTE_ADDR="198.51.100.2").get(f"/v/{token}").status_code == 200
    assert RateCounter.objects.count() == 2


def test_the_rate_limit_forgets_finished_minutes(welder):
    from safework.access import ratelimit

    assert ratelimit.allow("t", "c", limit=1, now=60.0)
    assert not ratelimit.allow("t", "c", limit=1, now=61.0)
    assert ratelimit.allow("t", "c", limit=1, now=180.0)  # a new minute
    assert list(RateCounter.objects.values_list("slot", flat=True)) == [3]
