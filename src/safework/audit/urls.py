from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("export.xlsx", views.audit_export, name="export"),
    path("object/<str:object_type>/<str:object_id>/", views.object_history, name="history"),
    path("anchors/", views.anchors, name="anchors"),
    path("anchors/verify/", views.verify_now, name="verify"),
    path("anchors/<int:pk>/download/", views.anchor_download, name="anchor_download"),
]
