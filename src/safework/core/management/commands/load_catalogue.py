from django.core.management.base import BaseCommand

from safework.certificates.catalogue import CATALOGUE_VERSION, load_catalogue
from safework.certificates.models import CertificateType


class Command(BaseCommand):
    help = "Load or update the certificate catalogue (idempotent)."

    def handle(self, *args, **opts):
        created, updated = load_catalogue(CertificateType)
        if opts["verbosity"]:
            self.stdout.write(
                f"catalogue {CATALOGUE_VERSION}: {CertificateType.objects.count()} items "
                f"({created} new, {updated} updated)"
            )
