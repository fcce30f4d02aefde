from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("distribution/", views.distribution_page, name="distribution"),
    path("list/<slug:name>/", views.list_view, name="list"),
    path("contractors/", views.boards, name="boards"),
    path("contractors/<int:pk>/", views.board, name="board"),
]

from . import views_selfcheck  # noqa: E402

urlpatterns += [
    path("selfcheck/", views_selfcheck.selfchecks, name="selfchecks"),
    path("selfcheck/<int:pk>/", views_selfcheck.selfcheck, name="selfcheck"),
    path("selfcheck/<int:pk>/sign/", views_selfcheck.selfcheck_sign, name="selfcheck_sign"),
    path("selfcheck/<int:pk>/pdf/", views_selfcheck.selfcheck_pdf_view, name="selfcheck_pdf"),
    path("plans/", views_selfcheck.plans, name="plans"),
    path("reports/", views_selfcheck.reports, name="reports"),
    path("reports/<int:pk>/", views_selfcheck.report_download, name="report"),
    path(
        "reports/recipients/<int:pk>/remove/",
        views_selfcheck.subscription_remove,
        name="subscription_remove",
    ),
]
