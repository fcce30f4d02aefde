from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "safework.contractors"
    label = "contractors"
    verbose_name = _("Contractors")

    def ready(self):
        from . import handlers, standing

        handlers.connect()
        standing.connect_request_scope()
