from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.approval_list_view, name="list"),
    path("<int:pk>/", views.approval_detail, name="detail"),
    path("<int:pk>/approve/", views.approval_approve, name="approve"),
    path("<int:pk>/reject/", views.approval_reject, name="reject"),
    path("<int:pk>/comment/", views.approval_comment, name="comment"),
    path("<int:pk>/resubmit/", views.approval_resubmit, name="resubmit"),
    path("chains/", views.chain_list_view, name="chains"),
    path("chains/new/", views.chain_create, name="chain_create"),
    path("chains/<int:pk>/", views.chain_detail, name="chain"),
    path("chains/<int:pk>/steps/", views.chain_add_step, name="chain_add_step"),
    path(
        "chains/<int:pk>/steps/<int:order>/parties/",
        views.chain_add_party,
        name="chain_add_party",
    ),
    path(
        "chains/<int:pk>/steps/<int:order>/delete/",
        views.chain_delete_step,
        name="chain_delete_step",
    ),
]
