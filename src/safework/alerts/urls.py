from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_detail, name="detail"),
    path("<int:pk>/retry/", views.notification_retry, name="retry"),
    path("retry-dead/", views.notification_retry_dead, name="retry_dead"),
    path("channels/", views.channel_list, name="channels"),
    path("channels/new/<str:channel>/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("rules/", views.rules_edit, name="rules"),
    path("warnings/", views.warning_list, name="warnings"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
]
