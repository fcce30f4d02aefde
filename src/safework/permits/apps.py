from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "safework.permits"
    label = "permits"
    verbose_name = _("Work permits")

    def ready(self):
        from safework.approvals import registry

        from .choices import APPROVAL_KIND
        from .handlers import permit_approval_decided

        registry.register(APPROVAL_KIND, permit_approval_decided)
