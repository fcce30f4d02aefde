"""Email through Django's mail (SMTP from SAFEWORK_EMAIL_URL, or an organization's own
SMTP URL): HTML and text. The Message-ID is the notification's key, the same on every
retry, so a mail system that already has the message can drop the repeat."""

from __future__ import annotations

import base64
import smtplib

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives, get_connection

from safework.alerts import config
from safework.alerts.choices import Channel
from safework.alerts.errors import TransportError
from safework.alerts.selectors import channel_config_for

from .base import Transport


class EmailTransport(Transport):
    channel = Channel.EMAIL

    def send(self, notification) -> str | None:
        # Email works without any settings row: the server's SAFEWORK_EMAIL_URL.
        found = channel_config_for(self.channel, notification.organization_id)
        s = config.read(found) if found else None
        message_id = f"<{notification.key}@safework>"
        mail = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=(s.from_email if s else "") or django_settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id},
            connection=_connection(s.smtp_url if s else ""),
        )
        if html := notification.payload.get("html"):
            mail.attach_alternative(html, "text/html")
        # Files travel in the outbox row itself (a report PDF), so a retry sends the same.
        for item in notification.payload.get("attachments", []):
            content = base64.b64decode(item["base64"])
            mail.attach(item["filename"], content, item.get("content_type"))
        _send(mail)
        return message_id


def _connection(smtp_url: str):
    if not smtp_url:
        return get_connection(timeout=django_settings.ALERTS_HTTP_TIMEOUT)
    from safework.settings import _email

    options = _email(smtp_url)
    return get_connection(
        backend=options["EMAIL_BACKEND"],
        host=options["EMAIL_HOST"],
        port=options["EMAIL_PORT"],
        username=options["EMAIL_HOST_USER"],
        password=options["EMAIL_HOST_PASSWORD"],
        use_tls=options["EMAIL_USE_TLS"],
        use_ssl=options["EMAIL_USE_SSL"],
        timeout=django_settings.ALERTS_HTTP_TIMEOUT,
    )


def _send(mail: EmailMultiAlternatives) -> None:
    """SMTP 5xx and refused recipients are final; 4xx, timeouts and broken connections
    are worth a retry (RFC 5321 4.2.1)."""
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise TransportError(f"recipient refused: {exc.recipients}", permanent=True) from None
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        raise TransportError(text, permanent=500 <= exc.smtp_code < 600) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"SMTP: {exc}") from None
