from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("", views.index, name="index"),
    path("gates/new/", views.gate_create, name="gate_create"),
    path("gates/<int:pk>/edit/", views.gate_edit, name="gate_edit"),
    path("areas/<int:pk>/", views.area_detail, name="area"),
    path("areas/<int:pk>/rule/", views.area_policy, name="area_policy"),
    path(
        "authorizations/<int:pk>/delete/",
        views.authorization_delete,
        name="authorization_delete",
    ),
    path("events/", views.events, name="events"),
    path("on-site/", views.on_site, name="on_site"),
    path("badges/print/", views.badges_print, name="badges_print"),
    path("badges/<int:pk>/card.pdf", views.badge_card, name="badge_card"),
    path("badges/<int:pk>/reissue/", views.badge_reissue, name="badge_reissue"),
    path("badges/<int:pk>/revoke/", views.badge_revoke, name="badge_revoke"),
    path("photos/<int:pk>/", views.person_photo, name="photo"),
    path("endpoints/", views.endpoints, name="endpoints"),
    path("endpoints/<int:pk>/active/", views.endpoint_set_active, name="endpoint_set_active"),
]

# Outside /access/: the short URL in the QR code (safework.urls includes these at the root).
public_urlpatterns = [
    path("v/<str:token>", views.verify, name="badge_verify"),
    path("v/<str:token>/photo", views.verify_photo, name="badge_verify_photo"),
]
