from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "safework.access"
    label = "access"
    verbose_name = _("Gate access")

    def ready(self):
        from . import checks, push, signals

        checks.register()
        signals.connect()
        push.register()
