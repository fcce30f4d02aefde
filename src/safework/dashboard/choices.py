from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    EVALUATED = "evaluated", _("Evaluated, awaiting sign-off")
    SIGNED = "signed", _("Signed off")


class ReportPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


# 特种作业管理自查清单: the six items of issue 10, in order.
class CheckItem(models.IntegerChoices):
    CERTIFICATES = 1, _("Every special-operations worker on duty holds valid certificates")
    SCOPE = 2, _("Nobody worked outside their certificate's scope")
    PERMITS = 3, _("Every high-risk job had an electronic permit approved before it started")
    CONTRACTORS = (
        4,
        _("Every contractor worker on site was registered and briefed before their first entry"),
    )
    CAMERAS = (
        5,
        _(
            "Cameras cover the work areas with live permits and keep video and frames for at "
            "least 90 days"
        ),
    )
    EMERGENCY = 6, _("Each site's emergency plan covers special-operations incidents")
