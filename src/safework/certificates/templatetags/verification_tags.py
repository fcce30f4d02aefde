"""The certificate page's panels of issue 3: verification records (provider and manual
checks) and the photos kept with the certificate. The page has already checked that the
user may see the certificate."""

from django import template

from ..models import CertificateScan, CertificateVerification, VerificationSource

register = template.Library()
SHOWN = 20


@register.inclusion_tag("certificates/verification/_panel.html", takes_context=True)
def verification_panel(context, cert):
    verifications = CertificateVerification.objects.filter(certificate=cert).select_related(
        "checked_by"
    )[:SHOWN]
    return {
        "cert": cert,
        "verifications": verifications,
        "scans": CertificateScan.objects.filter(certificate=cert),
        "sources": VerificationSource.objects.filter(is_active=True),
        "actor_can_write": context.get("actor_can_write"),
        "csrf_token": context.get("csrf_token"),
    }
