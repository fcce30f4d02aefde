"""QR codes of badges (segno): the code holds the public verification URL, so any phone
opens the live page, and a gate scanner reads the token at the URL's end."""

from __future__ import annotations

import io

import segno
from django.conf import settings

PATH = "/v/"


def badge_url(token: str, request=None) -> str:
    base = settings.BADGE_BASE_URL
    if not base and request is not None:
        base = request.build_absolute_uri("/").rstrip("/")
    return f"{base}{PATH}{token}"


def make(url: str) -> segno.QRCode:
    # Level M survives a scratched or dirty card (15 % of the code).
    return segno.make(url, error="m", micro=False)


def png(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    make(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    make(url).save(out, kind="svg", scale=scale, border=4, xmldecl=False)
    return out.getvalue()
