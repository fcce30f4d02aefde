from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list_view, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/state/", views.person_state, name="state"),
    path("<int:pk>/id-number/", views.person_reveal_id, name="reveal_id"),
    path("<int:pk>/photo/", views.person_photo, name="photo"),
]
