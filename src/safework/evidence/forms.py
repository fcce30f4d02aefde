"""Page forms of the evidence (parse input only; the rules are in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safework.core.access import sites_visible
from safework.core.models import Site, WorkArea


class CameraForm(forms.Form):
    work_area = forms.ModelChoiceField(queryset=WorkArea.objects.none(), label=_("Work area"))
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(
        label=_("Source"), max_length=500,
        help_text=_("RTSP/HTTP stream URL (rtsp://user:password@host/…, http://…/video.mjpg) "
                    "or the absolute path of a video file."),
    )  # fmt: skip
    active = forms.BooleanField(
        label=pgettext_lazy("switch", "Active"), required=False, initial=True
    )
    continuous = forms.BooleanField(
        label=_("Continuous recording"), required=False,
        help_text=_("Records special-class hot work in this area throughout (GB 30871 5.2.11)."),
    )  # fmt: skip

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        sites = sites_visible(Site.objects.all(), actor)
        if not actor.sees_everything:
            sites = sites.filter(id__in=list(actor.site_ids))
        self.fields["work_area"].queryset = WorkArea.objects.filter(
            site__in=sites, is_active=True
        ).select_related("site")
