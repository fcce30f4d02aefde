from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("2fa/", views.totp_setup, name="totp_setup"),
    path("2fa/verify/", views.totp_verify, name="totp_verify"),
    path("2fa/disable/", views.totp_disable, name="totp_disable"),
]
