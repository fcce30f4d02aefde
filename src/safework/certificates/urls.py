from django.urls import path

from . import exports_views, imports_views, ocr_views, verification_views, views

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_list_view, name="list"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("new/<int:person_pk>/", views.certificate_create, name="create"),
    path("<int:pk>/", views.certificate_detail, name="detail"),
    path("<int:pk>/edit/", views.certificate_edit, name="edit"),
    path("<int:pk>/renew/", views.certificate_renew, name="renew"),
    path("<int:pk>/reinstate/", views.certificate_reinstate, name="reinstate"),
    path("<int:pk>/suspend/", views.certificate_suspend, name="suspend"),
    path("<int:pk>/revoke/", views.certificate_revoke, name="revoke"),
    path("<int:pk>/review/", views.certificate_review, name="review"),
    path("<int:pk>/replace/", views.certificate_replace, name="replace"),
    # Issue 3: list exports and ledger import
    path("export/people.xlsx", exports_views.people_export, name="export_people"),
    path("export/certificates.xlsx", exports_views.certificates_export, name="export_certificates"),
    path("imports/", imports_views.ledger_imports, name="imports"),
    path("imports/template.xlsx", imports_views.ledger_template, name="import_template"),
    path("imports/<int:pk>/", imports_views.ledger_import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", imports_views.ledger_import_commit, name="import_commit"),
    path("imports/<int:pk>/errors.xlsx", imports_views.ledger_import_errors, name="import_errors"),
    # Issue 3: OCR intake of certificate photos
    path("photos/", ocr_views.ocr_upload, name="ocr_upload"),
    path("photos/confirm/", ocr_views.ocr_confirm, name="ocr_confirm"),
    path("photos/<int:pk>/", ocr_views.scan_image, name="scan"),
    # Issue 3: verification against an official source
    path("<int:pk>/verify/", verification_views.verification_manual, name="verify_manual"),
    path(
        "<int:pk>/verify/provider/",
        verification_views.verification_provider,
        name="verify_provider",
    ),
    path("verification/", verification_views.follow_ups, name="verification_tasks"),
    path(
        "verification/<int:pk>/resolve/",
        verification_views.follow_up_resolve,
        name="verification_resolve",
    ),
    path(
        "verification/<int:pk>/evidence/",
        verification_views.verification_evidence,
        name="verification_evidence",
    ),
    path("verification/sources/", verification_views.source_list, name="verification_sources"),
    path(
        "verification/sources/new/",
        verification_views.source_edit,
        name="verification_source_create",
    ),
    path(
        "verification/sources/<int:pk>/",
        verification_views.source_edit,
        name="verification_source_edit",
    ),
]
