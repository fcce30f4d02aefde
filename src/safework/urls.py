from django.contrib import admin
from django.urls import include, path

from safework.access.urls import public_urlpatterns as badge_urlpatterns
from safework.api import api
from safework.contractors.urls import worker_urlpatterns

urlpatterns = [
    path("", include("safework.core.urls")),
    path("people/", include("safework.people.urls")),
    path("certificates/", include("safework.certificates.urls")),
    path("api/v1/", api.urls),
    path("api/", include("safework.api")),
    path("account/", include("safework.accounts.urls")),
    path("audit/", include("safework.audit.urls")),
    path("alerts/", include("safework.alerts.urls")),
    path("access/", include("safework.access.urls")),
    path("approvals/", include("safework.approvals.urls")),
    path("contractors/", include("safework.contractors.urls")),
    path("permits/", include("safework.permits.urls")),
    path("evidence/", include("safework.evidence.urls")),
    path("dashboard/", include("safework.dashboard.urls")),
    path("brief/", include(worker_urlpatterns)),  # workers' phone pages (briefing, quiz)
    *badge_urlpatterns,  # /v/<token>: the public badge page the QR code opens
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
