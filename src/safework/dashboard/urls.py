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
